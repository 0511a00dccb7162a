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
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Opaque;


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

    /// <summary>
    /// Indices batched along <paramref name="dim"/> (broadcast when null) laid out for a batched gather or scatter:
    /// batch axis first, the index vector last and explicit (<paramref name="indexVectorDim"/> is the unbatched
    /// one), and a counter along the batch axis prepended to every vector, so that each example's starts also pick
    /// its row of the batched operand. Narrow index dtypes are widened to int32 so the counter fits.
    /// </summary>
    protected static Value WithBatchCounter(BatchContext context, Value indices, int? dim, int indexVectorDim)
    {
        var e = context.Emitter;
        var x = context.MoveBatchAxis(indices, dim, 0);
        int vector = indexVectorDim + 1;
        if (vector == x.Type.Rank) x = e.ExpandDims(x, [vector]);
        else x = e.Transpose(x, [.. Enumerable.Range(0, x.Type.Rank).Where(a => a != vector), vector]);
        if (x.Type.DType.ItemSize() < 4) x = e.ConvertElementType(x, DType.Int32);
        var counterShape = x.Type.Shape.With(x.Type.Rank - 1, Dim.Of(1));
        var counter = e.Iota(x.Type.DType, counterShape, 0);
        return e.Concatenate([counter, x], x.Type.Rank - 1);
    }

    /// <summary>Axes renumbered past a batch axis inserted at 0.</summary>
    protected static int[] AfterFront(int[] axes) => [.. axes.Select(a => a + 1)];
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

    /// <summary>Linear in the operand: the tangent is gathered at the same indices (windows filled with 0 in fill mode).</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        JvpOfFirstOperand(context, primals, tangents, attributes,
            Optional(attributes, "mode", "clip") == "fill" ? attributes.With("fill_value", 0.0) : null);

    /// <summary>
    /// The cotangent added into zeros at the same windows: <c>scatter_add</c>. In clip mode the starts are clamped
    /// first (the gather read the clamped window; a scatter would drop it); in fill mode the windows a gather filled
    /// are the ones a scatter drops.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (cotangents[0] is not { } ct || !operands[0].IsLinear) return [null, null];
        var e = context.Emitter;
        var gather = GatherDimensions.Of(attributes);
        var operand = operands[0].Type;
        var indices = operands[1].Value;
        if (gather.Mode == "clip") indices = ClampStarts(e, indices, operand, gather);
        return [gather.ToScatter().Emit(e, Prims.ScatterAdd, StrongZeros(e, operand), indices, ct), null];
    }

    /// <summary>Each start vector clamped so that its window lies inside the operand (XLA's clip mode, made explicit).</summary>
    private static Value ClampStarts(Emitter e, Value indices, ShapedType operand, GatherDimensions gather)
    {
        var bounds = gather.StartIndexMap.Select(a => (Size: operand.Shape[a], Window: Dim.Of(gather.SliceSizes[a]))).ToArray();
        if (bounds.Length == 0) return indices;
        bool symbolic = bounds.Any(b => !b.Size.IsStatic);
        if (symbolic && indices.Type.DType.ItemSize() < 4) indices = e.ConvertElementType(indices, DType.Int32);
        var dtype = indices.Type.DType;
        int vector = gather.IndexVectorDim;
        if (vector == indices.Type.Rank) return ClampStart(e, indices, bounds[0].Size, bounds[0].Window);
        Value last;
        if (!symbolic)
        {
            var constant = Buffer.Zeros(dtype, Shape.Of(bounds.Length));
            for (int k = 0; k < bounds.Length; k++) constant.SetDouble(k, bounds[k].Size.Size - bounds[k].Window.Size);
            last = e.Constant(constant);
        }
        else
        {
            last = e.Concatenate([.. bounds.Select(b => e.Reshape(LastStart(e, b.Size, b.Window, dtype), Shape.Of(1)))], 0);
        }
        return e.Clamp(e.Zeros(ShapedType.Scalar(dtype)), indices, e.BroadcastInDim(last, indices.Type.Shape, [vector]));
    }

    /// <summary>
    /// JAX's three cases. Batched operand, unbatched indices: the batch axis becomes a whole window axis (at the
    /// front). Unbatched operand, batched indices: the batch axis is one more index batch dimension. Both batched
    /// (or a symbolic batch size, which a window cannot have): a counter along the batch axis joins every start
    /// vector and indexes the operand's batch axis, which is collapsed.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var (operand, indices) = (operands[0], operands[1]);
        var gather = GatherDimensions.Of(attributes);
        if (dims[0] is int od && dims[1] is null && operand.Type.Shape[od].IsStatic)
        {
            var batchedWindow = gather with
            {
                OffsetDims = [0, .. AfterFront(gather.OffsetDims)],
                CollapsedSliceDims = AfterFront(gather.CollapsedSliceDims),
                StartIndexMap = AfterFront(gather.StartIndexMap),
                SliceSizes = [operand.Type.Shape[od].Size, .. gather.SliceSizes],
            };
            return BatchedAt(batchedWindow.Emit(e, context.MoveBatchAxis(operand, od, 0), indices), 0);
        }
        if (dims[0] is null)
        {
            var batchedIndices = gather with { OffsetDims = AfterFront(gather.OffsetDims), IndexVectorDim = gather.IndexVectorDim + 1 };
            return BatchedAt(batchedIndices.Emit(e, operand, context.MoveBatchAxis(indices, dims[1], 0)), 0);
        }
        var counted = WithBatchCounter(context, indices, dims[1], gather.IndexVectorDim);
        var batchedBoth = gather with
        {
            OffsetDims = AfterFront(gather.OffsetDims),
            CollapsedSliceDims = [0, .. AfterFront(gather.CollapsedSliceDims)],
            StartIndexMap = [0, .. AfterFront(gather.StartIndexMap)],
            IndexVectorDim = counted.Type.Rank - 1,
            SliceSizes = [1, .. gather.SliceSizes],
        };
        return BatchedAt(batchedBoth.Emit(e, context.MoveBatchAxis(operand, dims[0], 0), counted), 0);
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

    /// <summary>
    /// JAX's scatter batching: the operand is batched at the front (broadcast if unbatched), so is the updates. With
    /// unbatched indices the batch axis is one more window axis of the updates; with batched ones a counter along
    /// the batch axis joins every start vector and indexes the operand's batch axis (an inserted window axis).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var scatter = ScatterDimensions.Of(attributes);
        var operand = context.MoveBatchAxis(operands[0], dims[0], 0);
        var updates = context.MoveBatchAxis(operands[2], dims[2], 0);
        if (dims[1] is null)
        {
            var batchedWindow = scatter with
            {
                UpdateWindowDims = [0, .. AfterFront(scatter.UpdateWindowDims)],
                InsertedWindowDims = AfterFront(scatter.InsertedWindowDims),
                ScatterDimsToOperandDims = AfterFront(scatter.ScatterDimsToOperandDims),
            };
            return BatchedAt(batchedWindow.Emit(e, this, operand, operands[1], updates), 0);
        }
        var counted = WithBatchCounter(context, operands[1], dims[1], scatter.IndexVectorDim);
        var batchedBoth = new ScatterDimensions(AfterFront(scatter.UpdateWindowDims), [0, .. AfterFront(scatter.InsertedWindowDims)],
            [0, .. AfterFront(scatter.ScatterDimsToOperandDims)], counted.Type.Rank - 1);
        return BatchedAt(batchedBoth.Emit(e, this, operand, counted, updates), 0);
    }
}

/// <summary><c>scatter</c>: overwrites the operand's windows with the updates (for duplicates the last one wins).</summary>
public sealed class ScatterPrimitive : ScatterPrimitiveBase
{
    internal ScatterPrimitive() : base("scatter") { }

    private protected override void Apply(StridedCopy window, Buffer updates, int srcOffset, Buffer result, int dstOffset) =>
        window.Copy(updates, srcOffset, result, dstOffset);

    /// <summary>
    /// JAX's scatter JVP, exact for duplicate indices: each update window gets a distinct id, the ids are scattered
    /// (the last duplicate wins, as in the primal) and gathered back, so every element knows whether it lands. The
    /// tangent adds the landing updates' tangents into the operand tangent masked where nothing lands
    /// (<c>select</c> on primal masks and <c>scatter_add</c>, both linear).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var outputs = EmitPrimal(e, primals, attributes, regions);
        var scatter = ScatterDimensions.Of(attributes);
        var (operand, indices, updates) = (primals[0], primals[1], primals[2]);
        var (kept, lands) = Landing(e, scatter, operand.Type, indices, updates.Type);
        var operandTangent = tangents[0] is { } to ? e.Select(kept, to, e.Zeros(to.Type)) : null;
        if (tangents[2] is not { } tu) return (outputs, [operandTangent]);
        var landed = e.Select(lands, tu, e.Zeros(tu.Type));
        var tangent = scatter.Emit(e, Prims.ScatterAdd, operandTangent ?? TangentOrZeros(e, operand, null), indices, landed);
        return (outputs, [tangent]);
    }

    /// <summary>
    /// Linear in the operand and the updates jointly: the operand's cotangent is the cotangent with the written
    /// windows zeroed (a scatter of zeros); the updates' is the cotangent gathered at their windows where they land
    /// (windows a scatter dropped, and duplicates that were overwritten, get zero).
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var result = new Value?[3];
        if (cotangents[0] is not { } ct) return result;
        var e = context.Emitter;
        var scatter = ScatterDimensions.Of(attributes);
        var indices = operands[1].Value;
        var updates = operands[2].Type;
        if (operands[0].IsLinear) result[0] = scatter.Emit(e, this, ct, indices, StrongZeros(e, updates));
        if (operands[2].IsLinear)
        {
            var (_, lands) = Landing(e, scatter, operands[0].Type, indices, updates);
            var gathered = scatter.ToGather(Name, operands[0].Type, updates, "fill", 0).Emit(e, ct, indices);
            result[2] = e.Select(lands, gathered, e.Zeros(gathered.Type));
        }
        return result;
    }

    /// <summary>
    /// Which operand elements keep their value (no update lands on them) and which update elements land (are not
    /// dropped nor overwritten by a later duplicate): JAX's ids, one per update window counting from 1, scattered
    /// into zeros and gathered back.
    /// </summary>
    private (Value Kept, Value Lands) Landing(Emitter e, ScatterDimensions scatter, ShapedType operand, Value indices, ShapedType updates)
    {
        var shape = updates.Shape;
        var positions = Enumerable.Range(0, updates.Rank).Where(a => !scatter.UpdateWindowDims.Contains(a)).ToArray();
        var idShape = new Shape(shape.Select((d, a) => positions.Contains(a) ? d : Dim.Of(1)));
        long count = positions.Skip(1).Aggregate(1L, (p, a) => shape[a].IsStatic ? p * shape[a].Size
            : throw Error($"jvp: scatter position dimension {a} of updates {updates} must be static (only the first may be symbolic)"));
        var dtype = positions.Length > 0 && shape[positions[0]].IsStatic && count * shape[positions[0]].Size < int.MaxValue ? DType.Int32 : DType.Int64;
        var idType = new ShapedType(dtype, idShape);
        var ids = e.Ones(idType);
        long stride = 1;
        foreach (var a in positions.Reverse())
        {
            var counter = e.Iota(dtype, idShape, a);
            ids = e.Add(ids, stride == 1 ? counter : e.Mul(counter, e.Full(idType, stride)));
            if (shape[a].IsStatic) stride *= shape[a].Size;
        }
        var spread = e.BroadcastInDim(ids, shape, [.. Enumerable.Range(0, shape.Rank)]);
        var zeros = e.Zeros(new ShapedType(dtype, operand.Shape));
        var scattered = scatter.Emit(e, this, zeros, indices, spread);
        var gathered = scatter.ToGather(Name, operand, updates, "fill", 0).Emit(e, scattered, indices);
        return (e.Eq(scattered, zeros), e.Eq(spread, gathered));
    }
}

/// <summary><c>scatter_add</c>: adds the updates into the operand's windows (duplicates accumulate).</summary>
public sealed class ScatterAddPrimitive : ScatterPrimitiveBase
{
    internal ScatterAddPrimitive() : base("scatter_add") { }

    private protected override void Apply(StridedCopy window, Buffer updates, int srcOffset, Buffer result, int dstOffset) =>
        window.Add(updates, srcOffset, result, dstOffset);

    /// <summary>Linear in the operand and the updates jointly: the tangents are scatter-added the same way.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var outputs = EmitPrimal(e, primals, attributes, regions);
        if (tangents[2] is not { } tu) return (outputs, [tangents[0]]);
        return (outputs, [e.Emit1(this, [TangentOrZeros(e, primals[0], tangents[0]), primals[1], tu], attributes)]);
    }

    /// <summary>
    /// The operand's cotangent is the cotangent; the updates' is the cotangent gathered at their windows, zero for
    /// the windows the scatter dropped (gather in fill mode with 0).
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var result = new Value?[3];
        if (cotangents[0] is not { } ct) return result;
        if (operands[0].IsLinear) result[0] = ct;
        if (operands[2].IsLinear)
        {
            var gather = ScatterDimensions.Of(attributes).ToGather(Name, operands[0].Type, operands[2].Type, "fill", 0);
            result[2] = gather.Emit(context.Emitter, ct, operands[1].Value);
        }
        return result;
    }
}

/// <summary>The dimension numbers of a gather (XLA's, with slice sizes, mode and fill value) as rules rewrite them.</summary>
internal sealed record GatherDimensions(int[] OffsetDims, int[] CollapsedSliceDims, int[] StartIndexMap, int IndexVectorDim,
    long[] SliceSizes, string Mode, double? FillValue)
{
    /// <summary>Reads a gather's attributes.</summary>
    public static GatherDimensions Of(Attributes a) =>
        new(a.IntArray("offset_dims"), a.IntArray("collapsed_slice_dims"), a.IntArray("start_index_map"), (int)a.Int("index_vector_dim"),
            a.Ints("slice_sizes"), a.TryGetValue("mode", out var m) ? (string)m : "clip", a.TryGetValue("fill_value", out var f) ? (double)f : null);

    /// <summary>The attributes of a gather with these dimension numbers.</summary>
    public Attributes ToAttributes()
    {
        var a = Attributes.Of(("offset_dims", OffsetDims), ("collapsed_slice_dims", CollapsedSliceDims), ("start_index_map", StartIndexMap),
            ("index_vector_dim", IndexVectorDim), ("slice_sizes", SliceSizes), ("mode", Mode));
        return FillValue is double fill ? a.With("fill_value", fill) : a;
    }

    /// <summary>The scatter writing back the windows this gather reads.</summary>
    public ScatterDimensions ToScatter() => new(OffsetDims, CollapsedSliceDims, StartIndexMap, IndexVectorDim);

    /// <summary>Emits the gather.</summary>
    public Value Emit(Emitter emitter, Value operand, Value indices) => emitter.Emit1(Prims.Gather, [operand, indices], ToAttributes());
}

/// <summary>The dimension numbers of a scatter (XLA's) as rules rewrite them.</summary>
internal sealed record ScatterDimensions(int[] UpdateWindowDims, int[] InsertedWindowDims, int[] ScatterDimsToOperandDims, int IndexVectorDim)
{
    /// <summary>Reads a scatter's attributes.</summary>
    public static ScatterDimensions Of(Attributes a) =>
        new(a.IntArray("update_window_dims"), a.IntArray("inserted_window_dims"), a.IntArray("scatter_dims_to_operand_dims"), (int)a.Int("index_vector_dim"));

    /// <summary>The attributes of a scatter with these dimension numbers.</summary>
    public Attributes ToAttributes() =>
        Attributes.Of(("update_window_dims", UpdateWindowDims), ("inserted_window_dims", InsertedWindowDims),
            ("scatter_dims_to_operand_dims", ScatterDimsToOperandDims), ("index_vector_dim", IndexVectorDim));

    /// <summary>
    /// The gather reading the windows this scatter writes (updates-shaped); the window sizes come from the updates,
    /// which must be static along the window axes (<paramref name="primitive"/> names the rule in the error).
    /// </summary>
    public GatherDimensions ToGather(string primitive, ShapedType operand, ShapedType updates, string mode, double? fillValue)
    {
        var sizes = new long[operand.Rank];
        for (int d = 0, k = 0; d < sizes.Length; d++)
        {
            if (InsertedWindowDims.Contains(d)) { sizes[d] = 1; continue; }
            var size = updates.Shape[UpdateWindowDims[k++]];
            sizes[d] = size.IsStatic ? size.Size
                : throw new JaxTypeException(primitive, $"the windows of updates {updates} must be static to be gathered back from operand {operand}");
        }
        return new GatherDimensions(UpdateWindowDims, InsertedWindowDims, ScatterDimsToOperandDims, IndexVectorDim, sizes, mode, fillValue);
    }

    /// <summary>Emits a scatter primitive (<c>scatter</c> or <c>scatter_add</c>) with these dimension numbers.</summary>
    public Value Emit(Emitter emitter, Primitive scatter, Value operand, Value indices, Value updates) =>
        emitter.Emit1(scatter, [operand, indices, updates], ToAttributes());
}
