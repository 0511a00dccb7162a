namespace JaxToolchain.Ir;

/// <summary>
/// <c>pad</c>: x and a scalar padding value of x's dtype; attributes <c>low</c>, <c>high</c> (per axis, negative
/// values crop) and <c>interior</c> (per axis, non-negative: elements inserted between neighbours). Axis size
/// becomes <c>low + high + n + max(n - 1, 0)·interior</c>. Weak when both operands are.
/// </summary>
public sealed class PadPrimitive : StructuralPrimitive
{
    internal PadPrimitive() : base("pad") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 2);
        var (x, value) = (operands[0], operands[1]);
        if (value.Rank != 0 || value.DType != x.DType)
            throw Error($"padding value {value} must be a scalar of dtype {x.DType.ShortName()} to pad {x}");
        var low = PerDimension(attributes, "low", x);
        var high = PerDimension(attributes, "high", x);
        var interior = PerDimension(attributes, "interior", x);
        if (interior.Any(i => i < 0)) throw Error($"interior {Format(interior)} must be non-negative for {x}");
        var dims = new Dim[x.Rank];
        for (int d = 0; d < dims.Length; d++)
        {
            if (!x.Shape[d].IsStatic)
            {
                dims[d] = low[d] == 0 && high[d] == 0 && interior[d] == 0 ? x.Shape[d] : throw Error($"cannot pad symbolic dimension {d} of {x}");
                continue;
            }
            long n = x.Shape[d].Size;
            long size = low[d] + high[d] + n + Math.Max(n - 1, 0) * interior[d];
            if (size < 0)
                throw Error($"low {Format(low)}, high {Format(high)}, interior {Format(interior)} give a negative size for dimension {d} of {x}");
            dims[d] = Dim.Of(size);
        }
        return [new ShapedType(x.DType, new Shape(dims), x.Weak && value.Weak)];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var x = operands[0];
        var low = Required<long[]>(attributes, "low");
        var interior = Required<long[]>(attributes, "interior");
        var result = Allocate(type);
        StridedCopy.Fill(operands[1], result);

        // Element j of an axis lands at low + j·(interior + 1); copy the elements that land inside the result.
        var xDims = x.Dims;
        var outDims = StaticDims(type);
        var xStrides = Strides.RowMajor(xDims);
        var outStrides = Strides.RowMajor(outDims);
        var count = new int[xDims.Length];
        var dstStrides = new int[xDims.Length];
        long srcOffset = 0, dstOffset = 0;
        for (int d = 0; d < xDims.Length; d++)
        {
            long step = interior[d] + 1;
            long first = low[d] >= 0 ? 0 : (-low[d] + step - 1) / step;
            long last = Math.Min(xDims[d] - 1, FloorDiv(outDims[d] - 1 - low[d], step));
            count[d] = (int)Math.Max(0, last - first + 1);
            srcOffset += first * xStrides[d];
            dstOffset += (low[d] + first * step) * outStrides[d];
            dstStrides[d] = (int)(outStrides[d] * step);
        }
        if (count.All(c => c > 0))
            StridedCopy.Copy(x, (int)srcOffset, xStrides, result, (int)dstOffset, dstStrides, count);
        return [result];
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>
/// <c>concatenate</c>: one or more operands of one dtype and rank whose shapes agree outside attribute
/// <c>dimension</c>; joined along it. Weak when every operand is.
/// </summary>
public sealed class ConcatenatePrimitive : StructuralPrimitive
{
    internal ConcatenatePrimitive() : base("concatenate") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count == 0) throw Error("needs at least one operand");
        var first = operands[0];
        long axis = Required<long>(attributes, "dimension");
        if (axis < 0 || axis >= first.Rank) throw Error($"dimension {axis} out of range for {first}");
        int a = (int)axis;
        foreach (var o in operands.Skip(1))
        {
            if (o.DType != first.DType) throw Error($"dtypes of {first} and {o} differ");
            if (o.Rank != first.Rank) throw Error($"ranks of {first} and {o} differ");
            for (int d = 0; d < first.Rank; d++)
                if (d != a && o.Shape[d] != first.Shape[d])
                    throw Error($"shapes {first} and {o} differ outside dimension {a}");
        }
        Dim joined = first.Shape[a];
        if (operands.Count > 1)
        {
            var symbolic = operands.FirstOrDefault(o => !o.Shape[a].IsStatic);
            if (symbolic is not null) throw Error($"cannot concatenate {symbolic} along its symbolic dimension {a}");
            joined = Dim.Of(operands.Sum(o => o.Shape[a].Size));
        }
        return [new ShapedType(first.DType, first.Shape.With(a, joined), operands.All(o => o.Weak))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        int axis = (int)Required<long>(attributes, "dimension");
        var outDims = StaticDims(type);
        int outer = outDims.Take(axis).Aggregate(1, (p, n) => p * n);
        int row = outDims.Skip(axis).Aggregate(1, (p, n) => p * n);
        var result = Allocate(type);
        // Each operand contributes one contiguous chunk to every outer row of the result.
        int position = 0;
        foreach (var x in operands)
        {
            int chunk = x.Dims.Skip(axis).Aggregate(1, (p, n) => p * n);
            StridedCopy.Copy(x, 0, [chunk, 1], result, position, [row, 1], [outer, chunk]);
            position += chunk;
        }
        return [result];
    }
}

/// <summary>
/// <c>slice</c>: x; attributes <c>start_indices</c>, <c>limit_indices</c> and optional <c>strides</c> (default 1),
/// one per axis, with <c>0 ≤ start ≤ limit ≤ size</c>; axis size becomes <c>ceil((limit - start) / stride)</c>.
/// </summary>
public sealed class SlicePrimitive : StructuralPrimitive
{
    internal SlicePrimitive() : base("slice") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        var x = operands[0];
        var start = PerDimension(attributes, "start_indices", x);
        var limit = PerDimension(attributes, "limit_indices", x);
        var strides = attributes.ContainsKey("strides") ? PerDimension(attributes, "strides", x) : Enumerable.Repeat(1L, x.Rank).ToArray();
        if (strides.Any(s => s < 1)) throw Error($"strides {Format(strides)} must be positive for {x}");
        var dims = new Dim[x.Rank];
        for (int d = 0; d < dims.Length; d++)
        {
            if (start[d] < 0 || limit[d] < start[d] || (x.Shape[d].IsStatic && limit[d] > x.Shape[d].Size))
                throw Error($"start_indices {Format(start)} and limit_indices {Format(limit)} are out of bounds for {x}");
            dims[d] = Dim.Of((limit[d] - start[d] + strides[d] - 1) / strides[d]);
        }
        return [x.WithShape(new Shape(dims))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var x = operands[0];
        var start = Required<long[]>(attributes, "start_indices");
        var xStrides = Strides.RowMajor(x.Dims);
        var srcStrides = xStrides.ToArray();
        if (attributes.ContainsKey("strides"))
        {
            var steps = Required<long[]>(attributes, "strides");
            for (int d = 0; d < srcStrides.Length; d++) srcStrides[d] = (int)(srcStrides[d] * steps[d]);
        }
        // An empty window may start one past the end; nothing is read then.
        return CopyOut(type, x, type.Shape.ElementCount == 0 ? 0 : Offset(start, xStrides), srcStrides);
    }
}

/// <summary>
/// <c>dynamic_slice</c>: x and one integer scalar start index per axis; attribute <c>slice_sizes</c>. Starts are
/// clamped into <c>[0, size - slice_size]</c>, so the window always lies inside x. Keeps x's weakness.
/// </summary>
public sealed class DynamicSlicePrimitive : StructuralPrimitive
{
    internal DynamicSlicePrimitive() : base("dynamic_slice") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count == 0) throw Error("expected an operand and start indices, got no operands");
        var x = operands[0];
        CheckStartIndices(operands, 1, x);
        var sizes = PerDimension(attributes, "slice_sizes", x);
        for (int d = 0; d < x.Rank; d++)
            if (sizes[d] < 0 || (x.Shape[d].IsStatic && sizes[d] > x.Shape[d].Size))
                throw Error($"slice_sizes {Format(sizes)} do not fit in {x}");
        return [x.WithShape(Shape.Of(sizes))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var x = operands[0];
        var starts = ClampedStarts(operands, 1, x.Dims, StaticDims(type));
        var xStrides = Strides.RowMajor(x.Dims);
        return CopyOut(type, x, Offset(starts, xStrides), xStrides);
    }
}

/// <summary>
/// <c>dynamic_update_slice</c>: x, an update of x's dtype and rank that fits in x, and one integer scalar start
/// index per axis. Like x, with the window at the (clamped) starts replaced by the update. Keeps x's weakness.
/// </summary>
public sealed class DynamicUpdateSlicePrimitive : StructuralPrimitive
{
    internal DynamicUpdateSlicePrimitive() : base("dynamic_update_slice") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count < 2) throw Error($"expected an operand, an update and start indices, got {operands.Count} operands");
        var (x, update) = (operands[0], operands[1]);
        if (update.DType != x.DType || update.Rank != x.Rank)
            throw Error($"update {update} must have the dtype and rank of {x}");
        for (int d = 0; d < x.Rank; d++)
        {
            Dim u = update.Shape[d], n = x.Shape[d];
            bool fits = u.IsStatic ? !n.IsStatic || u.Size <= n.Size : u == n;
            if (!fits) throw Error($"update {update} does not fit in {x}");
        }
        CheckStartIndices(operands, 2, x);
        return [x];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferFrom(operands, attributes, regions);
        var (x, update) = (operands[0], operands[1]);
        var starts = ClampedStarts(operands, 2, x.Dims, update.Dims);
        var result = x.Clone();
        var xStrides = Strides.RowMajor(x.Dims);
        StridedCopy.Copy(update, 0, Strides.RowMajor(update.Dims), result, Offset(starts, xStrides), xStrides, update.Dims);
        return [result];
    }
}
