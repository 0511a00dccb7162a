namespace JaxToolchain.Ir;

/// <summary>
/// The index layout shared by gather and scatter: <c>indices</c> holds one start vector (of
/// <see cref="VectorSize"/> integers) per batch position; the vector runs along <c>index_vector_dim</c>, which
/// may equal the rank of indices (then each scalar is a one-entry vector).
/// </summary>
internal sealed class StartIndexLayout
{
    private readonly int[] _batchStrides;
    private readonly int _vectorStride;
    private readonly long[] _values;

    /// <summary>The batch dimensions of indices (its shape without the index vector dimension).</summary>
    public int[] BatchDims { get; }

    /// <summary>The number of batch positions.</summary>
    public int BatchCount { get; }

    /// <summary>The length of each start vector.</summary>
    public int VectorSize { get; }

    /// <summary>Reads the start vectors of a concrete indices buffer.</summary>
    public StartIndexLayout(Buffer indices, int indexVectorDim)
    {
        var dims = indices.Dims;
        var strides = Strides.RowMajor(dims);
        VectorSize = indexVectorDim < dims.Length ? dims[indexVectorDim] : 1;
        _vectorStride = indexVectorDim < dims.Length ? strides[indexVectorDim] : 0;
        BatchDims = dims.Where((_, i) => i != indexVectorDim).ToArray();
        _batchStrides = strides.Where((_, i) => i != indexVectorDim).ToArray();
        BatchCount = BatchDims.Aggregate(1, (p, n) => p * n);
        _values = new long[indices.Length];
        for (int i = 0; i < _values.Length; i++) _values[i] = StructuralPrimitive.IndexAt(indices, i);
    }

    /// <summary>
    /// Writes the full operand start of batch position <paramref name="batchIndex"/> (a multi-index over
    /// <see cref="BatchDims"/>): component k of the vector goes to operand axis <c>map[k]</c>, other axes start at 0.
    /// </summary>
    public void Start(ReadOnlySpan<int> batchIndex, ReadOnlySpan<int> map, Span<long> start)
    {
        start.Clear();
        int offset = Strides.Ravel(batchIndex, _batchStrides);
        for (int k = 0; k < map.Length; k++) start[map[k]] = _values[offset + k * _vectorStride];
    }

    /// <summary>The shape of indices without the index vector dimension, for type inference.</summary>
    public static Dim[] BatchShape(ShapedType indices, int indexVectorDim) =>
        indices.Shape.Where((_, i) => i != indexVectorDim).ToArray();

    /// <summary>True when the window of sizes <paramref name="window"/> at <paramref name="start"/> lies inside dims.</summary>
    public static bool InBounds(ReadOnlySpan<long> start, ReadOnlySpan<int> window, ReadOnlySpan<int> dims)
    {
        for (int d = 0; d < dims.Length; d++)
            if (start[d] < 0 || start[d] > dims[d] - window[d]) return false;
        return true;
    }
}

/// <summary>
/// Base of gather and scatter: the checks of <c>index_vector_dim</c> and of the map from start vectors to
/// operand axes.
/// </summary>
public abstract class IndexedWindowPrimitive : StructuralPrimitive
{
    /// <summary>Creates and registers the primitive.</summary>
    protected IndexedWindowPrimitive(string name) : base(name) { }

    /// <summary>
    /// Checks that indices are integers with a valid <c>index_vector_dim</c> and that the map attribute
    /// <paramref name="mapName"/> sends each vector component to a distinct operand axis; returns the dimension.
    /// </summary>
    protected int CheckIndices(ShapedType operand, ShapedType indices, Attributes attributes, string mapName)
    {
        ExpectInteger(indices, "indices");
        long ivd = Required<long>(attributes, "index_vector_dim");
        if (ivd < 0 || ivd > indices.Rank) throw Error($"index_vector_dim {ivd} out of range for indices {indices}");
        var map = Axes(attributes, mapName, operand.Rank, $"operand {operand}");
        Dim vector = ivd < indices.Rank ? indices.Shape[(int)ivd] : Dim.Of(1);
        if (vector != Dim.Of(map.Length))
            throw Error($"{mapName} {Format(Required<long[]>(attributes, mapName))} needs indices with {map.Length} entries along dimension {ivd}, got {indices}");
        return (int)ivd;
    }
}

/// <summary>
/// <c>gather</c>: operand and integer indices; attributes <c>offset_dims</c>, <c>collapsed_slice_dims</c>,
/// <c>start_index_map</c>, <c>index_vector_dim</c>, <c>slice_sizes</c>, optional <c>mode</c> (<c>"clip"</c>, the
/// default: starts clamped so the window is inside the operand; <c>"fill"</c>: a window that is not entirely
/// inside is filled with <c>fill_value</c>) and <c>fill_value</c> (a float converted to the dtype; when absent:
/// NaN for floats, the minimum of signed, the maximum of unsigned integers, true for bool, as JAX does).
/// XLA's Gather semantics; keeps the operand's weakness.
/// </summary>
public sealed class GatherPrimitive : IndexedWindowPrimitive
{
    internal GatherPrimitive() : base("gather") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 2);
        var (operand, indices) = (operands[0], operands[1]);
        int ivd = CheckIndices(operand, indices, attributes, "start_index_map");
        var sizes = PerDimension(attributes, "slice_sizes", operand);
        for (int d = 0; d < operand.Rank; d++)
            if (sizes[d] < 0 || (operand.Shape[d].IsStatic && sizes[d] > operand.Shape[d].Size))
                throw Error($"slice_sizes {Format(sizes)} do not fit in operand {operand}");
        var collapsed = Axes(attributes, "collapsed_slice_dims", operand.Rank, $"operand {operand}", sorted: true);
        foreach (var c in collapsed)
            if (sizes[c] > 1) throw Error($"collapsed_slice_dims cannot collapse dimension {c} of slice size {sizes[c]}");
        var batch = StartIndexLayout.BatchShape(indices, ivd);
        int windowRank = operand.Rank - collapsed.Length;
        var offsetDims = Axes(attributes, "offset_dims", batch.Length + windowRank, $"the result of rank {batch.Length + windowRank}", sorted: true);
        if (offsetDims.Length != windowRank)
            throw Error($"offset_dims {Format(Required<long[]>(attributes, "offset_dims"))} must have {windowRank} entries (operand {operand} with {collapsed.Length} collapsed dimensions)");
        var mode = Optional(attributes, "mode", "clip");
        if (mode is not ("clip" or "fill")) throw Error($"mode \"{mode}\" is not \"clip\" or \"fill\"");
        _ = Optional(attributes, "fill_value", 0.0); // checks that a given fill value is a float

        var windowSizes = sizes.Where((_, d) => !collapsed.Contains(d)).ToArray();
        var dims = new Dim[batch.Length + windowRank];
        int nextBatch = 0, nextWindow = 0;
        for (int i = 0; i < dims.Length; i++)
            dims[i] = offsetDims.Contains(i) ? Dim.Of(windowSizes[nextWindow++]) : batch[nextBatch++];
        return [operand.WithShape(new Shape(dims))];
    }

    /// <summary>JAX's default fill for out-of-bounds gathers of a dtype (NaN, signed minimum, unsigned maximum, true).</summary>
    public static double DefaultFillValue(DType dtype) => dtype switch
    {
        DType.Bool => 1,
        _ when dtype.IsFloat() => double.NaN,
        DType.Int8 => sbyte.MinValue,
        DType.Int16 => short.MinValue,
        DType.Int32 => int.MinValue,
        DType.Int64 => long.MinValue,
        DType.UInt8 => byte.MaxValue,
        DType.UInt16 => ushort.MaxValue,
        DType.UInt32 => uint.MaxValue,
        _ => ulong.MaxValue,
    };

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var operand = operands[0];
        var layout = new StartIndexLayout(operands[1], (int)Required<long>(attributes, "index_vector_dim"));
        var map = Required<long[]>(attributes, "start_index_map").Select(a => (int)a).ToArray();
        var sizes = Required<long[]>(attributes, "slice_sizes").Select(a => (int)a).ToArray();
        var collapsed = Required<long[]>(attributes, "collapsed_slice_dims");
        var offsetDims = Required<long[]>(attributes, "offset_dims");
        bool fill = Optional(attributes, "mode", "clip") == "fill";

        var opDims = operand.Dims;
        var opStrides = Strides.RowMajor(opDims);
        var result = Allocate(type);
        var outDims = StaticDims(type);
        var outStrides = Strides.RowMajor(outDims);

        // The window: operand axes that are not collapsed, in order, land on the result's offset dims.
        var windowAxes = Enumerable.Range(0, opDims.Length).Where(d => !collapsed.Contains(d)).ToArray();
        var windowDims = windowAxes.Select(d => sizes[d]).ToArray();
        var windowSrc = windowAxes.Select(d => opStrides[d]).ToArray();
        var windowDst = offsetDims.Select(d => outStrides[d]).ToArray();
        var batchDst = Enumerable.Range(0, outDims.Length).Where(d => !offsetDims.Contains(d)).Select(d => outStrides[d]).ToArray();
        var fillValue = fill ? Buffer.ScalarOf(operand.DType, Optional(attributes, "fill_value", DefaultFillValue(operand.DType))) : null;
        var window = new StridedCopy(windowSrc, windowDst, windowDims);
        var fillWindow = new StridedCopy(new int[windowDims.Length], windowDst, windowDims);

        var batchIndex = new int[layout.BatchDims.Length];
        var start = new long[opDims.Length];
        for (int b = 0; b < layout.BatchCount; b++)
        {
            Strides.Unravel(b, layout.BatchDims, batchIndex);
            layout.Start(batchIndex, map, start);
            int dst = Strides.Ravel(batchIndex, batchDst);
            if (fillValue is not null && !StartIndexLayout.InBounds(start, sizes, opDims))
            {
                fillWindow.Copy(fillValue, 0, result, dst);
                continue;
            }
            for (int d = 0; d < start.Length; d++) start[d] = Math.Clamp(start[d], 0, opDims[d] - sizes[d]);
            window.Copy(operand, Offset(start, opStrides), result, dst);
        }
        return [result];
    }
}

/// <summary>
/// Base of <c>scatter</c> and <c>scatter_add</c>: operand, integer indices and updates of the operand's dtype;
/// attributes <c>update_window_dims</c>, <c>inserted_window_dims</c>, <c>scatter_dims_to_operand_dims</c>,
/// <c>index_vector_dim</c> (XLA's Scatter). Updates whose window is not entirely inside the operand are dropped;
/// the others are applied in row-major order of the indices' batch positions. Like the operand (its weakness kept).
/// </summary>
public abstract class ScatterPrimitiveBase : IndexedWindowPrimitive
{
    /// <summary>Creates and registers the primitive.</summary>
    protected ScatterPrimitiveBase(string name) : base(name) { }

    /// <summary>Combines one update window into the result along the window's map (overwrite or add).</summary>
    private protected abstract void Apply(StridedCopy window, Buffer updates, int srcOffset, Buffer result, int dstOffset);

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 3);
        var (operand, indices, updates) = (operands[0], operands[1], operands[2]);
        if (updates.DType != operand.DType) throw Error($"updates {updates} must have the dtype of operand {operand}");
        int ivd = CheckIndices(operand, indices, attributes, "scatter_dims_to_operand_dims");
        var windowDims = Axes(attributes, "update_window_dims", updates.Rank, $"updates {updates}", sorted: true);
        var inserted = Axes(attributes, "inserted_window_dims", operand.Rank, $"operand {operand}", sorted: true);
        if (windowDims.Length + inserted.Length != operand.Rank)
            throw Error($"update_window_dims {Format(Required<long[]>(attributes, "update_window_dims"))} and inserted_window_dims {Format(Required<long[]>(attributes, "inserted_window_dims"))} must together cover the {operand.Rank} axes of operand {operand}");
        var batch = StartIndexLayout.BatchShape(indices, ivd);
        var scatterDims = Enumerable.Range(0, updates.Rank).Where(d => !windowDims.Contains(d)).Select(d => updates.Shape[d]).ToArray();
        if (!scatterDims.SequenceEqual(batch))
            throw Error($"updates {updates} do not match indices {indices}: the scatter dimensions of updates must be the batch dimensions of indices");
        var windowAxes = Enumerable.Range(0, operand.Rank).Where(d => !inserted.Contains(d)).ToArray();
        for (int k = 0; k < windowDims.Length; k++)
        {
            Dim u = updates.Shape[windowDims[k]], n = operand.Shape[windowAxes[k]];
            bool fits = u.IsStatic ? !n.IsStatic || u.Size <= n.Size : u == n;
            if (!fits) throw Error($"update window of updates {updates} does not fit in operand {operand}");
        }
        return [operand];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferFrom(operands, attributes, regions);
        var (operand, updates) = (operands[0], operands[2]);
        var layout = new StartIndexLayout(operands[1], (int)Required<long>(attributes, "index_vector_dim"));
        var map = Required<long[]>(attributes, "scatter_dims_to_operand_dims").Select(a => (int)a).ToArray();
        var windowDims = Required<long[]>(attributes, "update_window_dims");
        var inserted = Required<long[]>(attributes, "inserted_window_dims");

        var opDims = operand.Dims;
        var opStrides = Strides.RowMajor(opDims);
        var upDims = updates.Dims;
        var upStrides = Strides.RowMajor(upDims);

        // Window k: updates axis update_window_dims[k] runs along the k-th operand axis that is not inserted.
        var windowAxes = Enumerable.Range(0, opDims.Length).Where(d => !inserted.Contains(d)).ToArray();
        var window = new int[opDims.Length];
        Array.Fill(window, 1);
        for (int k = 0; k < windowAxes.Length; k++) window[windowAxes[k]] = upDims[windowDims[k]];
        var windowMap = new StridedCopy(windowDims.Select(d => upStrides[d]).ToArray(), windowAxes.Select(d => opStrides[d]).ToArray(),
            windowDims.Select(d => upDims[d]).ToArray());
        var batchSrc = Enumerable.Range(0, upDims.Length).Where(d => !windowDims.Contains(d)).Select(d => upStrides[d]).ToArray();

        var result = operand.Clone();
        var batchIndex = new int[layout.BatchDims.Length];
        var start = new long[opDims.Length];
        for (int b = 0; b < layout.BatchCount; b++)
        {
            Strides.Unravel(b, layout.BatchDims, batchIndex);
            layout.Start(batchIndex, map, start);
            if (!StartIndexLayout.InBounds(start, window, opDims)) continue;
            Apply(windowMap, updates, Strides.Ravel(batchIndex, batchSrc), result, Offset(start, opStrides));
        }
        return [result];
    }
}

/// <summary><c>scatter</c>: overwrites the operand's windows with the updates (for duplicates the last one wins).</summary>
public sealed class ScatterPrimitive : ScatterPrimitiveBase
{
    internal ScatterPrimitive() : base("scatter") { }

    private protected override void Apply(StridedCopy window, Buffer updates, int srcOffset, Buffer result, int dstOffset) =>
        window.Copy(updates, srcOffset, result, dstOffset);
}

/// <summary><c>scatter_add</c>: adds the updates into the operand's windows (duplicates accumulate).</summary>
public sealed class ScatterAddPrimitive : ScatterPrimitiveBase
{
    internal ScatterAddPrimitive() : base("scatter_add") { }

    private protected override void Apply(StridedCopy window, Buffer updates, int srcOffset, Buffer result, int dstOffset) =>
        window.Add(updates, srcOffset, result, dstOffset);
}
