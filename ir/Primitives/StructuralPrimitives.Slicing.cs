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
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


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

    /// <summary>Linear in x and the padding value jointly: the tangents are padded the same way.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        JvpOfLinearOperands(context, primals, tangents, attributes, 2);

    /// <summary>
    /// x's cotangent: the cotangent with the padding undone (negated low/high, cropped parts restored as zeros), then
    /// every (interior + 1)-th element; the padding value's: the sum of the cotangent minus the sum of x's part.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (cotangents[0] is not { } ct) return [null, null];
        var e = context.Emitter;
        var (low, high, interior) = (attributes.Ints("low"), attributes.Ints("high"), attributes.Ints("interior"));
        int rank = low.Length;
        var zero = e.Zeros(ShapedType.Scalar(ct.Type.DType));
        var unpadded = e.Pad(ct, zero, [.. low.Select(v => -v)], [.. high.Select(v => -v)], new long[rank]);
        // Symbolic axes are never padded (the shape rule forbids it): they are kept whole.
        var shape = unpadded.Type.Shape;
        var whole = shape.Select(d => !d.IsStatic).ToArray();
        var xct = SlicePrimitive.EmitWindow(e, unpadded, new long[rank], [.. shape.Select(d => d.IsStatic ? d.Size : 0)],
            [.. interior.Select(i => i + 1)], whole);
        var all = Enumerable.Range(0, rank).ToArray();
        return [operands[0].IsLinear ? xct : null,
            operands[1].IsLinear ? e.Sub(e.ReduceSum(ct, all), e.ReduceSum(xct, all)) : null];
    }

    /// <summary>
    /// An unbatched padding value: x is padded along its batch axis by nothing. A batched one: the batched x (at 0) is
    /// padded with zeros, and the padding value is selected wherever a mask of x's positions (padded with false) is false.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var (x, value) = (operands[0], operands[1]);
        var (low, high, interior) = (attributes.Ints("low"), attributes.Ints("high"), attributes.Ints("interior"));
        Attributes BatchedAttributes(int d) =>
            attributes.With("low", InsertAt(low, d, 0)).With("high", InsertAt(high, d, 0)).With("interior", InsertAt(interior, d, 0));
        if (dims[1] is null)
        {
            int d = dims[0]!.Value;
            return BatchedAt(e.Emit1(this, [x, value], BatchedAttributes(d)), d);
        }
        var batched = context.MoveBatchAxis(x, dims[0], 0);
        var atFront = BatchedAttributes(0);
        var padded = e.Emit1(this, [batched, e.Zeros(ShapedType.Scalar(x.Type.DType, x.Type.Weak))], atFront);
        var inside = e.Emit1(this, [e.Full(new ShapedType(DType.Bool, batched.Type.Shape), 1), e.Zeros(ShapedType.Scalar(DType.Bool))], atFront);
        var values = e.BroadcastInDim(context.MoveBatchAxis(value, dims[1], 0), padded.Type.Shape, [0]);
        return BatchedAt(e.Select(inside, padded, values), 0);
    }
}

/// <summary>
/// <c>concatenate</c>: one or more operands of one dtype and rank whose shapes agree outside attribute
/// <c>dimension</c>; joined along it. Weak when every operand is.
/// </summary>
public sealed class ConcatenatePrimitive : StructuralPrimitive
{
    internal ConcatenatePrimitive() : base("concatenate") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


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

    /// <summary>Linear in all operands jointly: the tangents (zeros for symbolic zeros) are concatenated.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        JvpOfLinearOperands(context, primals, tangents, attributes, primals.Count);

    /// <summary>Each linear operand's cotangent is its slice of the cotangent along the joined axis.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var result = new Value?[operands.Count];
        if (cotangents[0] is not { } ct) return result;
        if (operands.Count == 1) return [ct];
        int axis = (int)attributes.Int("dimension");
        var shape = ct.Type.Shape;
        var whole = shape.Select((d, i) => i != axis && !d.IsStatic).ToArray();
        long offset = 0;
        for (int i = 0; i < operands.Count; i++)
        {
            long size = operands[i].Type.Shape[axis].Size;
            if (operands[i].IsLinear)
            {
                var start = new long[shape.Rank];
                var limit = shape.Select(d => d.IsStatic ? d.Size : 0).ToArray();
                (start[axis], limit[axis]) = (offset, offset + size);
                result[i] = SlicePrimitive.EmitWindow(context.Emitter, ct, start, limit, [.. Enumerable.Repeat(1L, shape.Rank)], whole);
            }
            offset += size;
        }
        return result;
    }

    /// <summary>
    /// Batched operands are moved to the first batched operand's batch axis, unbatched ones broadcast along it; the
    /// joined axis is renumbered past it.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int b = dims.First(d => d is not null)!.Value;
        var moved = operands.Select((x, i) => context.MoveBatchAxis(x, dims[i], b)).ToArray();
        int axis = (int)attributes.Int("dimension");
        return BatchedAt(context.Emitter.Concatenate(moved, axis >= b ? axis + 1 : axis), b);
    }
}

/// <summary>
/// <c>slice</c>: x; attributes <c>start_indices</c>, <c>limit_indices</c> and optional <c>strides</c> (default 1),
/// one per axis, with <c>0 ≤ start ≤ limit ≤ size</c>; axis size becomes <c>ceil((limit - start) / stride)</c>.
/// </summary>
public sealed class SlicePrimitive : LinearStructuralPrimitive
{
    internal SlicePrimitive() : base("slice") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


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

    /// <summary>
    /// Pads the cotangent with zeros back to x's shape (low = start, interior = stride - 1); for an x with symbolic
    /// axes, which <c>pad</c> cannot produce, adds the cotangent into zeros through the slice's index form.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (cotangents[0] is not { } ct) return [null];
        var e = context.Emitter;
        var x = operands[0].Type;
        var (start, limit, strides) = Window(attributes, x.Rank);
        if (!x.Shape.IsStatic)
        {
            var (indices, gather) = IndexForm(e, x, start, limit, strides, new bool[x.Rank]);
            return [gather.ToScatter().Emit(e, Prims.ScatterAdd, StrongZeros(e, x), indices, ct)];
        }
        var high = new long[x.Rank];
        for (int d = 0; d < x.Rank; d++)
        {
            long count = ct.Type.Shape[d].Size;
            long end = count == 0 ? start[d] : start[d] + (count - 1) * strides[d] + 1;
            high[d] = x.Shape[d].Size - end;
        }
        return [e.Pad(ct, e.Zeros(ShapedType.Scalar(ct.Type.DType)), start, high, [.. strides.Select(s => s - 1)])];
    }

    /// <summary>The batched x is sliced with its batch axis kept whole (through a gather when the batch size is symbolic).</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = operands[0];
        int d = dims[0]!.Value;
        var (start, limit, strides) = Window(attributes, x.Type.Rank - 1);
        var whole = new bool[x.Type.Rank];
        whole[d] = true;
        var size = x.Type.Shape[d];
        var result = EmitWindow(context.Emitter, x, InsertAt(start, d, 0), InsertAt(limit, d, size.IsStatic ? size.Size : 0), InsertAt(strides, d, 1), whole);
        return BatchedAt(result, d);
    }

    private static (long[] Start, long[] Limit, long[] Strides) Window(Attributes attributes, int rank) =>
        (attributes.Ints("start_indices"), attributes.Ints("limit_indices"),
         attributes.ContainsKey("strides") ? attributes.Ints("strides") : [.. Enumerable.Repeat(1L, rank)]);

    /// <summary>
    /// Emits the strided window <paramref name="start"/>..<paramref name="limit"/> by <paramref name="strides"/> of
    /// <paramref name="x"/>, axes marked <paramref name="whole"/> kept entire (their start and limit are ignored). A
    /// <c>slice</c> when every whole axis is static; else a gather, as a slice cannot carry a symbolic axis through.
    /// </summary>
    internal static Value EmitWindow(Emitter emitter, Value x, long[] start, long[] limit, long[] strides, bool[] whole)
    {
        var shape = x.Type.Shape;
        if (whole.Where((w, d) => w && !shape[d].IsStatic).Any())
        {
            var (indices, gather) = IndexForm(emitter, x.Type, start, limit, strides, whole);
            return gather.Emit(emitter, x, indices);
        }
        var limits = limit.Select((l, d) => whole[d] ? shape[d].Size : l).ToArray();
        var starts = start.Select((s, d) => whole[d] ? 0 : s).ToArray();
        var steps = strides.Select((s, d) => whole[d] ? 1 : s).ToArray();
        if (starts.All(s => s == 0) && steps.All(s => s == 1) && limits.Select((l, d) => shape[d].IsStatic && l == shape[d].Size).All(b => b))
            return x;
        return emitter.Slice(x, starts, limits, steps);
    }

    /// <summary>
    /// A static strided window as a gather (and, transposed, a scatter): whole axes and strided axes are indexed by
    /// counters along index batch dimensions (collapsed), unit-stride axes are windows starting at constants. Every
    /// start lies inside x, so the gather uses <c>fill</c> mode, whose transpose needs no clamping.
    /// </summary>
    internal static (Value Indices, GatherDimensions Dimensions) IndexForm(Emitter emitter, ShapedType x, long[] start, long[] limit, long[] strides, bool[] whole)
    {
        int rank = x.Rank;
        var counted = Enumerable.Range(0, rank).Where(d => whole[d] || strides[d] > 1).ToArray();
        var batch = counted.Select(d => whole[d] ? x.Shape[d] : Dim.Of((limit[d] - start[d] + strides[d] - 1) / strides[d])).ToArray();
        var stack = new StartIndexStack(emitter, batch, limit.Any(l => l > int.MaxValue) ? DType.Int64 : DType.Int32);
        var sizes = new long[rank];
        for (int d = 0, position = 0; d < rank; d++)
        {
            if (whole[d]) stack.Counter(d, position++);
            else if (strides[d] > 1) stack.Counter(d, position++, strides[d], start[d]);
            else if (start[d] != 0) stack.Constant(d, start[d]);
            sizes[d] = whole[d] || strides[d] > 1 ? 1 : limit[d] - start[d];
        }
        var windows = Enumerable.Range(0, rank).Where(d => !counted.Contains(d)).ToArray();
        var dimensions = new GatherDimensions(windows, counted, stack.OperandAxes, stack.IndexVectorDim, sizes, "fill", 0);
        return (stack.Emit(), dimensions);
    }
}

/// <summary>
/// <c>dynamic_slice</c>: x and one integer scalar start index per axis; attribute <c>slice_sizes</c>. Starts are
/// clamped into <c>[0, size - slice_size]</c>, so the window always lies inside x. Keeps x's weakness.
/// </summary>
public sealed class DynamicSlicePrimitive : LinearStructuralPrimitive
{
    internal DynamicSlicePrimitive() : base("dynamic_slice") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


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

    /// <summary>The cotangent written into zeros at the same (equally clamped) starts: <c>dynamic_update_slice</c>.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (cotangents[0] is not { } ct) return new Value?[operands.Count];
        var e = context.Emitter;
        var update = e.Emit1(Prims.DynamicUpdateSlice, [StrongZeros(e, operands[0].Type), ct, .. operands.Skip(1).Select(o => o.Value)]);
        return [update, .. new Value?[operands.Count - 1]];
    }

    /// <summary>
    /// Unbatched starts: the batched x is sliced with its batch axis whole (start 0). Batched starts: a gather with one
    /// start vector per example, x's batch axis (if any) indexed by a counter (JAX lowers the same way).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var x = operands[0];
        var starts = operands.Skip(1).ToArray();
        var startDims = dims.Skip(1).ToArray();
        var sizes = attributes.Ints("slice_sizes");
        if (startDims.All(d => d is null))
        {
            int d = dims[0]!.Value;
            var zero = e.Zeros(ShapedType.Scalar(starts.Length > 0 ? starts[0].Type.DType : DType.Int32));
            Dim[] window = [.. sizes[..d].Select(Dim.Of), x.Type.Shape[d], .. sizes[d..].Select(Dim.Of)];
            return BatchedAt(EmitWindow(e, x, [.. starts[..d], zero, .. starts[d..]], window), d);
        }
        var stack = new StartIndexStack(e, [context.BatchSize], StartDType(starts.Select(s => s.Type.DType)));
        int shift = dims[0] is null ? 0 : 1;
        if (shift == 1)
        {
            x = context.MoveBatchAxis(x, dims[0], 0);
            stack.Counter(0, 0);
        }
        for (int k = 0; k < starts.Length; k++) stack.Start(k + shift, starts[k], startDims[k] is null ? [] : [0]);
        var gather = new GatherDimensions([.. Enumerable.Range(1, sizes.Length)], shift == 1 ? [0] : [], stack.OperandAxes,
            stack.IndexVectorDim, shift == 1 ? [1, .. sizes] : sizes, "clip", null);
        return BatchedAt(gather.Emit(e, x, stack.Emit()), 0);
    }

    /// <summary>
    /// Emits the window of <paramref name="sizes"/> of <paramref name="x"/> at scalar <paramref name="starts"/>: a
    /// <c>dynamic_slice</c> when the sizes are static, else a gather in which each symbolic size (which must be x's
    /// whole axis) is indexed by a counter.
    /// </summary>
    internal static Value EmitWindow(Emitter emitter, Value x, IReadOnlyList<Value> starts, IReadOnlyList<Dim> sizes)
    {
        if (sizes.All(s => s.IsStatic))
            return emitter.Emit1(Prims.DynamicSlice, [x, .. starts], Attributes.Of(("slice_sizes", sizes.Select(s => s.Size).ToArray())));
        var whole = Enumerable.Range(0, sizes.Count).Where(d => !sizes[d].IsStatic).ToArray();
        var stack = new StartIndexStack(emitter, [.. whole.Select(d => sizes[d])], StartDType(starts.Select(s => s.Type.DType)));
        for (int d = 0, position = 0; d < sizes.Count; d++)
        {
            if (!sizes[d].IsStatic)
            {
                if (sizes[d] != x.Type.Shape[d]) throw new JaxTypeException("dynamic_slice", $"a window of symbolic size {sizes[d]} must span axis {d} of {x.Type}");
                stack.Counter(d, position++);
            }
            else
            {
                stack.Start(d, starts[d], []);
            }
        }
        var windows = Enumerable.Range(0, sizes.Count).Where(d => sizes[d].IsStatic).ToArray();
        var gather = new GatherDimensions(windows, whole, stack.OperandAxes, stack.IndexVectorDim,
            [.. sizes.Select(s => s.IsStatic ? s.Size : 1)], "clip", null);
        return gather.Emit(emitter, x, stack.Emit());
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
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


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

    /// <summary>Linear in x and the update jointly: the tangents (zeros for symbolic zeros) are combined the same way.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        JvpOfLinearOperands(context, primals, tangents, attributes, 2);

    /// <summary>
    /// x's cotangent: the cotangent with the window overwritten by zeros; the update's: the window of the cotangent
    /// (both at the same clamped starts).
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var result = new Value?[operands.Count];
        if (cotangents[0] is not { } ct) return result;
        var e = context.Emitter;
        var starts = operands.Skip(2).Select(o => o.Value).ToArray();
        var update = operands[1].Type;
        if (operands[0].IsLinear) result[0] = e.Emit1(this, [ct, StrongZeros(e, update), .. starts]);
        if (operands[1].IsLinear) result[1] = DynamicSlicePrimitive.EmitWindow(e, ct, starts, update.Shape);
        return result;
    }

    /// <summary>
    /// Unbatched starts: x and the update share a batch axis (one is broadcast if unbatched), started at 0. Batched
    /// starts: a scatter of each example's update into its row of the batched x, the starts clamped first as
    /// <c>dynamic_update_slice</c> clamps them (a scatter would drop the window instead).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var starts = operands.Skip(2).ToArray();
        var startDims = dims.Skip(2).ToArray();
        if (startDims.All(d => d is null))
        {
            int d = dims[0] ?? dims[1]!.Value;
            var zero = e.Zeros(ShapedType.Scalar(starts.Length > 0 ? starts[0].Type.DType : DType.Int32));
            var (xd, ud) = (context.MoveBatchAxis(operands[0], dims[0], d), context.MoveBatchAxis(operands[1], dims[1], d));
            return BatchedAt(e.Emit1(this, [xd, ud, .. starts[..d], zero, .. starts[d..]]), d);
        }
        var x = context.MoveBatchAxis(operands[0], dims[0], 0);
        var update = context.MoveBatchAxis(operands[1], dims[1], 0);
        var stack = new StartIndexStack(e, [context.BatchSize], StartDType(starts.Select(s => s.Type.DType)));
        stack.Counter(0, 0);
        for (int k = 0; k < starts.Length; k++)
            stack.Start(k + 1, starts[k], startDims[k] is null ? [] : [0], (x.Type.Shape[k + 1], update.Type.Shape[k + 1]));
        var scatter = new ScatterDimensions([.. Enumerable.Range(1, starts.Length)], [0], stack.OperandAxes, stack.IndexVectorDim);
        return BatchedAt(scatter.Emit(e, Prims.Scatter, x, stack.Emit(), update), 0);
    }
}
