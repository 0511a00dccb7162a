namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>constant</c>: the dense array in attribute <c>value</c> (strong type).</summary>
    public static readonly ConstantPrimitive Constant = new();

    /// <summary><c>iota</c>: an array of attributes <c>dtype</c> and <c>shape</c> counting 0, 1, ... along <c>dimension</c>.</summary>
    public static readonly IotaPrimitive Iota = new();

    /// <summary><c>broadcast_in_dim</c>: x broadcast to <c>shape</c>, its axis i becoming result axis <c>broadcast_dimensions[i]</c>.</summary>
    public static readonly BroadcastInDimPrimitive BroadcastInDim = new();

    /// <summary><c>reshape</c>: x's elements in row-major order with shape <c>shape</c>.</summary>
    public static readonly ReshapePrimitive Reshape = new();

    /// <summary><c>transpose</c>: result axis i is x's axis <c>permutation[i]</c>.</summary>
    public static readonly TransposePrimitive Transpose = new();

    /// <summary><c>squeeze</c>: x without the size-1 axes <c>dimensions</c>.</summary>
    public static readonly SqueezePrimitive Squeeze = new();

    /// <summary><c>expand_dims</c>: x with size-1 axes inserted at result positions <c>dimensions</c>.</summary>
    public static readonly ExpandDimsPrimitive ExpandDims = new();

    /// <summary><c>rev</c>: x reversed along <c>dimensions</c>.</summary>
    public static readonly RevPrimitive Rev = new();

    /// <summary><c>pad</c>: x padded by <c>low</c>/<c>high</c> (negative crops) and <c>interior</c> padding, with a scalar value.</summary>
    public static readonly PadPrimitive Pad = new();

    /// <summary><c>concatenate</c>: the operands joined along <c>dimension</c>.</summary>
    public static readonly ConcatenatePrimitive Concatenate = new();

    /// <summary><c>slice</c>: the static strided window <c>start_indices</c>..<c>limit_indices</c> by <c>strides</c>.</summary>
    public static readonly SlicePrimitive Slice = new();

    /// <summary><c>dynamic_slice</c>: a <c>slice_sizes</c> window at run-time start indices (clamped into range).</summary>
    public static readonly DynamicSlicePrimitive DynamicSlice = new();

    /// <summary><c>dynamic_update_slice</c>: x with a window overwritten by update at run-time start indices (clamped).</summary>
    public static readonly DynamicUpdateSlicePrimitive DynamicUpdateSlice = new();

    /// <summary><c>gather</c>: XLA's Gather (windows of operand at starts read from indices).</summary>
    public static readonly GatherPrimitive Gather = new();

    /// <summary><c>scatter</c>: XLA's Scatter with an overwrite (last update wins; out-of-bounds windows dropped).</summary>
    public static readonly ScatterPrimitive Scatter = new();

    /// <summary><c>scatter_add</c>: XLA's Scatter with addition (duplicates accumulate; out-of-bounds windows dropped).</summary>
    public static readonly ScatterAddPrimitive ScatterAdd = new();
}

/// <summary><c>constant</c>: no operands; attribute <c>value</c> (a <see cref="Buffer"/>); result is the buffer's (strong) type.</summary>
public sealed class ConstantPrimitive : StructuralPrimitive
{
    internal ConstantPrimitive() : base("constant") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Generator;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 0);
        return [Required<Buffer>(attributes, "value").Type];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        ExpectOperands(operands, 0);
        // A new buffer object over the constant's memory: the caller may dispose it, the IR keeps its own.
        return [Required<Buffer>(attributes, "value").Share()];
    }
}

/// <summary><c>iota</c>: no operands; attributes <c>dtype</c> (numeric), <c>shape</c>, <c>dimension</c>; strong result.</summary>
public sealed class IotaPrimitive : StructuralPrimitive
{
    internal IotaPrimitive() : base("iota") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Generator;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 0);
        var dtype = Required<DType>(attributes, "dtype");
        var shape = Required<Shape>(attributes, "shape");
        long dimension = Required<long>(attributes, "dimension");
        if (dtype == DType.Bool) throw Error("dtype bool is not numeric");
        if (dimension < 0 || dimension >= shape.Rank)
            throw Error($"dimension {dimension} out of range for shape {Format(shape)}");
        return [new ShapedType(dtype, shape)];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        int axis = (int)Required<long>(attributes, "dimension");
        var dims = StaticDims(type);
        // One line 0..n-1 in the dtype, then broadcast along the other axes (stride 0).
        var line = Buffer.Zeros(type.DType, Shape.Of(dims[axis]));
        for (int i = 0; i < dims[axis]; i++) line.SetInt64(i, i);
        var lineStrides = new int[dims.Length];
        lineStrides[axis] = 1;
        return CopyOut(type, line, 0, lineStrides);
    }
}

/// <summary>
/// <c>broadcast_in_dim</c>: x; attributes <c>shape</c> (the result's) and <c>broadcast_dimensions</c> (strictly
/// increasing, one per axis of x); each axis of x has size 1 or the size of its target axis. Keeps x's weakness.
/// </summary>
public sealed class BroadcastInDimPrimitive : LinearStructuralPrimitive
{
    internal BroadcastInDimPrimitive() : base("broadcast_in_dim") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Broadcast;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        var x = operands[0];
        var shape = Required<Shape>(attributes, "shape");
        var dims = Axes(attributes, "broadcast_dimensions", shape.Rank, $"target shape {Format(shape)}", sorted: true);
        if (dims.Length != x.Rank)
            throw Error($"broadcast_dimensions {Format(Required<long[]>(attributes, "broadcast_dimensions"))} must give one target axis per axis of {x}");
        for (int i = 0; i < dims.Length; i++)
        {
            Dim from = x.Shape[i], to = shape[dims[i]];
            if (from != to && !(from.IsStatic && from.Size == 1))
                throw Error($"cannot broadcast {x} to {Format(shape)}: dimension {i} of size {from} must be 1 or {to}");
        }
        return [x.WithShape(shape)];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var x = operands[0];
        // Same element count: only size-1 axes are added, and the row-major order is unchanged.
        if (x.Length == type.Shape.ElementCount) return [x.Reshape(type.Shape)];
        var xDims = x.Dims;
        var xStrides = Strides.RowMajor(xDims);
        var srcStrides = new int[type.Rank];
        var map = Required<long[]>(attributes, "broadcast_dimensions");
        for (int i = 0; i < xDims.Length; i++)
            srcStrides[map[i]] = xDims[i] == 1 ? 0 : xStrides[i];
        return CopyOut(type, x, 0, srcStrides);
    }

    /// <summary>Sums the cotangent over the added axes and the axes stretched from size 1.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        [cotangents[0] is { } ct ? context.Emitter.UnbroadcastTo(ct, operands[0].Type.Shape, attributes.IntArray("broadcast_dimensions")) : null];

    /// <summary>
    /// The batch axis of x becomes a result axis right after the target of x's previous axis (no transpose needed);
    /// the targets of the later axes shift by one.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = operands[0];
        int d = dims[0]!.Value;
        var map = attributes.IntArray("broadcast_dimensions");
        int target = d == 0 ? 0 : map[d - 1] + 1;
        int[] batchedMap = [.. map[..d], target, .. ShiftPast(map[d..], target)];
        var shape = new List<Dim>(attributes.Shape("shape"));
        shape.Insert(target, x.Type.Shape[d]);
        var result = context.Emitter.BroadcastInDim(x, new Shape(shape), batchedMap);
        return BatchedAt(result, target);
    }
}

/// <summary>
/// <c>reshape</c>: x; attribute <c>shape</c> with the same element count (checked when both shapes are static, or
/// when they share the same symbols). The result shares x's data.
/// </summary>
public sealed class ReshapePrimitive : LinearStructuralPrimitive
{
    internal ReshapePrimitive() : base("reshape") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Reshape;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        var x = operands[0];
        var shape = Required<Shape>(attributes, "shape");
        if (!SameSymbols(x.Shape, shape)) return [x.WithShape(shape)];
        if (StaticProduct(x.Shape) != StaticProduct(shape))
            throw Error($"cannot reshape {x} to {Format(shape)}");
        return [x.WithShape(shape)];
    }

    private static bool SameSymbols(Shape a, Shape b) =>
        a.Symbols.Order(StringComparer.Ordinal).SequenceEqual(b.Symbols.Order(StringComparer.Ordinal));

    private static long StaticProduct(Shape s)
    {
        long n = 1;
        foreach (var d in s.Where(d => d.IsStatic)) n = checked(n * d.Size);
        return n;
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        [operands[0].Reshape(InferFrom(operands, attributes, regions).Shape)];

    /// <summary>Reshapes the cotangent back to x's shape.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        [cotangents[0] is { } ct ? context.Emitter.Reshape(ct, operands[0].Type.Shape) : null];

    /// <summary>Moves the batch axis to the front and reshapes the rest (row-major order is per example then).</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = context.MoveBatchAxis(operands[0], dims[0], 0);
        var shape = new Shape([x.Type.Shape[0], .. attributes.Shape("shape")]);
        return BatchedAt(context.Emitter.Reshape(x, shape), 0);
    }
}

/// <summary><c>transpose</c>: x; attribute <c>permutation</c> (result axis i is x's axis <c>permutation[i]</c>).</summary>
public sealed class TransposePrimitive : LinearStructuralPrimitive
{
    internal TransposePrimitive() : base("transpose") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        var x = operands[0];
        var perm = Required<long[]>(attributes, "permutation");
        if (perm.Length != x.Rank || perm.Order().Where((p, i) => p != i).Any())
            throw Error($"permutation {Format(perm)} is not a permutation of {x.Rank} axes");
        return [x.WithShape(new Shape(perm.Select(p => x.Shape[(int)p])))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var x = operands[0];
        var perm = Required<long[]>(attributes, "permutation");
        var xStrides = Strides.RowMajor(x.Dims);
        return CopyOut(type, x, 0, perm.Select(p => xStrides[p]).ToArray());
    }

    /// <summary>Transposes the cotangent by the inverse permutation.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (cotangents[0] is not { } ct) return [null];
        var perm = attributes.IntArray("permutation");
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return [context.Emitter.Transpose(ct, inverse)];
    }

    /// <summary>The permutation takes the batch axis first; the result is batched at 0.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int d = dims[0]!.Value;
        int[] perm = [d, .. ShiftPast(attributes.IntArray("permutation"), d)];
        return BatchedAt(context.Emitter.Transpose(operands[0], perm), 0);
    }
}

/// <summary><c>squeeze</c>: x; attribute <c>dimensions</c> (axes of x, each of static size 1). Shares x's data.</summary>
public sealed class SqueezePrimitive : LinearStructuralPrimitive
{
    internal SqueezePrimitive() : base("squeeze") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Reshape;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        var x = operands[0];
        var axes = Axes(attributes, "dimensions", x.Rank, x.ToString());
        foreach (var a in axes)
            if (x.Shape[a] != Dim.Of(1))
                throw Error($"cannot squeeze dimension {a} of size {x.Shape[a]} in {x}");
        return [x.WithShape(new Shape(x.Shape.Where((_, i) => !axes.Contains(i))))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        [operands[0].Reshape(InferFrom(operands, attributes, regions).Shape)];

    /// <summary>Puts the squeezed axes back (<c>expand_dims</c> at the same positions).</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        [cotangents[0] is { } ct ? context.Emitter.ExpandDims(ct, attributes.IntArray("dimensions")) : null];

    /// <summary>Squeezes the same axes of the batched x; the batch axis moves down past the squeezed axes before it.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int d = dims[0]!.Value;
        var axes = attributes.IntArray("dimensions");
        var result = context.Emitter.Squeeze(operands[0], ShiftPast(axes, d));
        return BatchedAt(result, d - axes.Count(a => a < d));
    }
}

/// <summary><c>expand_dims</c>: x; attribute <c>dimensions</c> (positions of the new size-1 axes in the result). Shares x's data.</summary>
public sealed class ExpandDimsPrimitive : LinearStructuralPrimitive
{
    internal ExpandDimsPrimitive() : base("expand_dims") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Reshape;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        var x = operands[0];
        int rank = x.Rank + Required<long[]>(attributes, "dimensions").Length;
        var axes = Axes(attributes, "dimensions", rank, $"result rank {rank} of {x}");
        var dims = new Dim[rank];
        int next = 0;
        for (int i = 0; i < rank; i++) dims[i] = axes.Contains(i) ? Dim.Of(1) : x.Shape[next++];
        return [x.WithShape(new Shape(dims))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        [operands[0].Reshape(InferFrom(operands, attributes, regions).Shape)];

    /// <summary>Squeezes the inserted axes out of the cotangent.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        [cotangents[0] is { } ct ? context.Emitter.Squeeze(ct, attributes.IntArray("dimensions")) : null];

    /// <summary>
    /// The batch axis lands in the result right after x's previous axis (no transpose needed); inserted positions at
    /// or after it shift by one.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int d = dims[0]!.Value;
        var inserted = attributes.IntArray("dimensions");
        int rank = operands[0].Type.Rank - 1 + inserted.Length;
        var kept = Enumerable.Range(0, rank).Where(p => !inserted.Contains(p)).ToArray();
        int target = d == 0 ? 0 : kept[d - 1] + 1;
        return BatchedAt(context.Emitter.ExpandDims(operands[0], ShiftPast(inserted, target)), target);
    }
}

/// <summary><c>rev</c>: x; attribute <c>dimensions</c> (axes to reverse). Like x.</summary>
public sealed class RevPrimitive : LinearStructuralPrimitive
{
    internal RevPrimitive() : base("rev") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Layout;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        ExpectOperands(operands, 1);
        Axes(attributes, "dimensions", operands[0].Rank, operands[0].ToString());
        return [operands[0]];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferFrom(operands, attributes, regions);
        var x = operands[0];
        var dims = x.Dims;
        var srcStrides = Strides.RowMajor(dims);
        int offset = 0;
        foreach (var a in Required<long[]>(attributes, "dimensions"))
        {
            // Reading backwards: start at the last element of the axis, step by minus the stride.
            if (dims[a] > 0) offset += (dims[a] - 1) * srcStrides[a];
            srcStrides[a] = -srcStrides[a];
        }
        return CopyOut(type, x, offset, srcStrides);
    }

    /// <summary>Reversal is its own transpose.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        [cotangents[0] is { } ct ? context.Emitter.Rev(ct, attributes.IntArray("dimensions")) : null];

    /// <summary>Reverses the same axes of the batched x, renumbered past the batch axis.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int d = dims[0]!.Value;
        return BatchedAt(context.Emitter.Rev(operands[0], ShiftPast(attributes.IntArray("dimensions"), d)), d);
    }
}
