using System.Numerics;

namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>reduce_sum x {axes}</c>: the sum over <c>axes</c> (0 for an empty reduction); numbers only.</summary>
    public static readonly ReducePrimitive ReduceSum = new("reduce_sum", ReduceKind.Sum);

    /// <summary><c>reduce_max x {axes}</c>: the maximum over <c>axes</c>; NaN propagates; -inf (or the dtype's minimum, or false) when empty.</summary>
    public static readonly ReducePrimitive ReduceMax = new("reduce_max", ReduceKind.Max);

    /// <summary><c>reduce_min x {axes}</c>: the minimum over <c>axes</c>; NaN propagates; +inf (or the dtype's maximum, or true) when empty.</summary>
    public static readonly ReducePrimitive ReduceMin = new("reduce_min", ReduceKind.Min);

    /// <summary><c>reduce_prod x {axes}</c>: the product over <c>axes</c> (1 for an empty reduction); numbers only.</summary>
    public static readonly ReducePrimitive ReduceProd = new("reduce_prod", ReduceKind.Prod);

    /// <summary><c>reduce_and x {axes}</c>: logical (bool) or bitwise (integers) and over <c>axes</c>; true/all ones when empty.</summary>
    public static readonly ReducePrimitive ReduceAnd = new("reduce_and", ReduceKind.And);

    /// <summary><c>reduce_or x {axes}</c>: logical (bool) or bitwise (integers) or over <c>axes</c>; false/0 when empty.</summary>
    public static readonly ReducePrimitive ReduceOr = new("reduce_or", ReduceKind.Or);

    /// <summary><c>argmax x {axis, index_dtype}</c>: the index of the first maximum along <c>axis</c> (the first NaN if any).</summary>
    public static readonly ArgReducePrimitive Argmax = new("argmax", max: true);

    /// <summary><c>argmin x {axis, index_dtype}</c>: the index of the first minimum along <c>axis</c> (the first NaN if any).</summary>
    public static readonly ArgReducePrimitive Argmin = new("argmin", max: false);

    /// <summary><c>cumsum x {axis, reverse}</c>: running sums along <c>axis</c>.</summary>
    public static readonly CumulativePrimitive Cumsum = new("cumsum", ReduceKind.Sum);

    /// <summary><c>cumprod x {axis, reverse}</c>: running products along <c>axis</c>.</summary>
    public static readonly CumulativePrimitive Cumprod = new("cumprod", ReduceKind.Prod);

    /// <summary><c>cummax x {axis, reverse}</c>: running maxima along <c>axis</c> (NaN propagates).</summary>
    public static readonly CumulativePrimitive Cummax = new("cummax", ReduceKind.Max);

    /// <summary><c>cummin x {axis, reverse}</c>: running minima along <c>axis</c> (NaN propagates).</summary>
    public static readonly CumulativePrimitive Cummin = new("cummin", ReduceKind.Min);

    /// <summary><c>sort x0, x1, ... {dimension, is_stable, num_keys}</c>: the operands sorted together along <c>dimension</c>.</summary>
    public static readonly SortPrimitive Sort = new();
}

/// <summary>The combining operation of a reduction or cumulative primitive.</summary>
public enum ReduceKind
{
    /// <summary>Addition.</summary>
    Sum,
    /// <summary>Maximum.</summary>
    Max,
    /// <summary>Minimum.</summary>
    Min,
    /// <summary>Multiplication.</summary>
    Prod,
    /// <summary>Logical/bitwise and.</summary>
    And,
    /// <summary>Logical/bitwise or.</summary>
    Or,
}

/// <summary>
/// <c>reduce_sum</c>, <c>reduce_max</c>, <c>reduce_min</c>, <c>reduce_prod</c>, <c>reduce_and</c>, <c>reduce_or</c>:
/// one operand, attribute <c>axes</c> (distinct, in range); the result is the operand's shape without those axes,
/// same dtype and weakness.
/// <para>
/// Kernels: f16/bf16 accumulate in float32 and round once at the end; integer sums and products wrap. The order
/// of float additions: a reduction whose reduced axes are the innermost (contiguous) ones sums each contiguous
/// run with <c>TensorPrimitives.Sum</c> (vectorized, several partial sums combined at the end, as XLA's vectorized
/// CPU reduction does); other reductions add input rows into the result one reduced index at a time, in index order.
/// </para>
/// </summary>
public sealed class ReducePrimitive : Primitive
{
    /// <summary>The combining operation.</summary>
    public ReduceKind Kind { get; }

    internal ReducePrimitive(string name, ReduceKind kind) : base(name) => Kind = kind;

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = operands.SingleOperand(this);
        if (Kind is ReduceKind.Sum or ReduceKind.Prod && x.DType == DType.Bool)
            throw Error($"does not accept dtype bool ({x}); accepted dtypes are numbers");
        if (Kind is ReduceKind.And or ReduceKind.Or && x.DType.IsFloat())
            throw Error($"requires a bool or integer operand, got {x}");
        var axes = attributes.Axes(this, "axes", x);
        return [x.WithShape(new Shape(x.Shape.Where((_, d) => !axes.Contains(d))))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferTypes([operands[0].Type], attributes, regions)[0];
        var x = operands[0];
        var reduced = new bool[x.Shape.Rank];
        foreach (var a in attributes.Axes(this, "axes", x.Type)) reduced[a] = true;
        var kernel = new Kernel(Kind, x.Dims, reduced, checked((int)type.Shape.ElementCount));
        var result = KernelStaging.Dispatch<Kernel, Array>(KernelStaging.Stage(x), kernel);
        return [KernelStaging.Unstage(result, x.DType, type.Shape)];
    }

    private readonly record struct Kernel(ReduceKind Kind, int[] Dims, bool[] Reduced, int OutputCount) : INumericKernel<Array>
    {
        public Array Run<T>(T[] data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T> => Kind switch
        {
            ReduceKind.Sum => ReductionKernels.Reduce<T, SumOp<T>>(data, Dims, Reduced, OutputCount, T.Zero),
            ReduceKind.Prod => ReductionKernels.Reduce<T, ProdOp<T>>(data, Dims, Reduced, OutputCount, T.One),
            // Saturating from -inf/+inf gives -inf/+inf for floats and the dtype's minimum/maximum for integers.
            ReduceKind.Max => ReductionKernels.Reduce<T, MaxOp<T>>(data, Dims, Reduced, OutputCount, T.CreateSaturating(double.NegativeInfinity)),
            ReduceKind.Min => ReductionKernels.Reduce<T, MinOp<T>>(data, Dims, Reduced, OutputCount, T.CreateSaturating(double.PositiveInfinity)),
            ReduceKind.And => ReductionKernels.Reduce<T, AndOp<T>>(data, Dims, Reduced, OutputCount, T.AllBitsSet),
            _ => ReductionKernels.Reduce<T, OrOp<T>>(data, Dims, Reduced, OutputCount, T.Zero),
        };
    }
}

/// <summary>
/// <c>argmax</c> and <c>argmin</c>: one operand, attributes <c>axis</c> and <c>index_dtype</c> (an integer dtype);
/// the result has the operand's shape without <c>axis</c>, dtype <c>index_dtype</c>, and is never weak. The axis
/// must not be empty. Ties go to the first occurrence; a NaN beats every number (the first NaN wins); -0.0 and
/// +0.0 tie.
/// </summary>
public sealed class ArgReducePrimitive : Primitive
{
    /// <summary>True for <c>argmax</c>, false for <c>argmin</c>.</summary>
    public bool IsMax { get; }

    internal ArgReducePrimitive(string name, bool max) : base(name) => IsMax = max;

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = operands.SingleOperand(this);
        int axis = attributes.Axis(this, "axis", x);
        var indexType = attributes.Required<DType>(this, "index_dtype");
        if (!indexType.IsInteger()) throw Error($"index_dtype must be an integer dtype, got {indexType.Name()}");
        if (x.Shape[axis] is { IsStatic: true, Size: 0 })
            throw Error($"requires a non-empty reduction dimension, got {x} with axis {axis}");
        return [new ShapedType(indexType, new Shape(x.Shape.Where((_, d) => d != axis)))];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = InferTypes([operands[0].Type], attributes, regions)[0];
        var x = operands[0];
        var (outer, n, inner) = AxisBlocks.Split(x.Dims, attributes.Axis(this, "axis", x.Type));
        var result = Buffer.Zeros(type.DType, type.Shape);
        KernelStaging.Dispatch<Kernel, bool>(KernelStaging.Stage(x), new Kernel(outer, n, inner, IsMax, result));
        return [result];
    }

    private readonly record struct Kernel(int Outer, int N, int Inner, bool Max, Buffer Result) : INumericKernel<bool>
    {
        public bool Run<T>(T[] data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>
        {
            ReductionKernels.ArgExtremum(data, Outer, N, Inner, Max, Result);
            return true;
        }
    }
}

/// <summary>
/// <c>cumsum</c>, <c>cumprod</c>, <c>cummax</c>, <c>cummin</c>: one numeric operand, attributes <c>axis</c> and
/// <c>reverse</c>; the result is like the operand. Element <c>i</c> combines elements <c>0..i</c> along the axis
/// (<c>i..n-1</c> when reversed), left to right from the start (right to left from the end). f16/bf16 keep the
/// running value in float32 and round each output; integers wrap; NaN propagates through max/min.
/// </summary>
public sealed class CumulativePrimitive : Primitive
{
    /// <summary>The combining operation (sum, prod, max or min).</summary>
    public ReduceKind Kind { get; }

    internal CumulativePrimitive(string name, ReduceKind kind) : base(name) => Kind = kind;

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = operands.SingleOperand(this);
        if (x.DType == DType.Bool) throw Error($"does not accept dtype bool ({x}); accepted dtypes are numbers");
        attributes.Axis(this, "axis", x);
        attributes.Required<bool>(this, "reverse");
        return [x];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes([operands[0].Type], attributes, regions);
        var x = operands[0];
        var (outer, n, inner) = AxisBlocks.Split(x.Dims, attributes.Axis(this, "axis", x.Type));
        var kernel = new Kernel(Kind, outer, n, inner, attributes.Required<bool>(this, "reverse"));
        return [KernelStaging.Unstage(KernelStaging.Dispatch<Kernel, Array>(KernelStaging.Stage(x), kernel), x.DType, x.Shape)];
    }

    private readonly record struct Kernel(ReduceKind Kind, int Outer, int N, int Inner, bool Reverse) : INumericKernel<Array>
    {
        public Array Run<T>(T[] data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T> => Kind switch
        {
            ReduceKind.Sum => ReductionKernels.Cumulate<T, SumOp<T>>(data, Outer, N, Inner, Reverse),
            ReduceKind.Prod => ReductionKernels.Cumulate<T, ProdOp<T>>(data, Outer, N, Inner, Reverse),
            ReduceKind.Max => ReductionKernels.Cumulate<T, MaxOp<T>>(data, Outer, N, Inner, Reverse),
            _ => ReductionKernels.Cumulate<T, MinOp<T>>(data, Outer, N, Inner, Reverse),
        };
    }
}

/// <summary>
/// <c>sort</c>: operands of one shape (any dtypes), attributes <c>dimension</c>, <c>is_stable</c>, <c>num_keys</c>
/// (1..operand count). Every operand is permuted by the order of the first <c>num_keys</c> operands compared
/// lexicographically; results have the operands' types. The key order is JAX's (<c>lax.sort</c>): -0.0 equals
/// +0.0 and every NaN, whatever its sign, sorts last and equal to other NaNs. The kernel is always stable (equal
/// keys keep their input order), which is also a valid answer when <c>is_stable</c> is false.
/// </summary>
public sealed class SortPrimitive : Primitive
{
    internal SortPrimitive() : base("sort") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count == 0) throw Error("takes at least 1 operand, got 0");
        foreach (var o in operands.Skip(1))
            if (o.Shape != operands[0].Shape)
                throw Error($"operands must have equal shapes, got {string.Join(", ", operands)}");
        attributes.Axis(this, "dimension", operands[0]);
        attributes.Required<bool>(this, "is_stable");
        long numKeys = attributes.Required<long>(this, "num_keys");
        if (numKeys < 1 || numKeys > operands.Count)
            throw Error($"num_keys must be in [1, {operands.Count}] for {operands.Count} operands, got {numKeys}");
        return operands.ToArray();
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        int numKeys = (int)attributes.Required<long>(this, "num_keys");
        var (outer, n, inner) = AxisBlocks.Split(operands[0].Dims, attributes.Axis(this, "dimension", operands[0].Type));
        var keys = operands.Take(numKeys)
            .Select(k => KernelStaging.Dispatch<KeyComparer, Comparison<int>>(KernelStaging.Stage(k), default))
            .ToArray();

        int lineStart = 0;
        int Compare(int a, int b)
        {
            int pa = lineStart + a * inner, pb = lineStart + b * inner;
            foreach (var key in keys)
            {
                int c = key(pa, pb);
                if (c != 0) return c;
            }
            return a.CompareTo(b);
        }

        Comparison<int> comparison = Compare;
        var results = operands.Select(o => Buffer.Zeros(o.DType, o.Shape)).ToArray();
        var order = new int[n];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                lineStart = o * n * inner + i;
                for (int k = 0; k < n; k++) order[k] = k;
                Array.Sort(order, comparison);
                for (int j = 0; j < operands.Count; j++)
                {
                    int size = operands[j].DType.ItemSize();
                    var source = operands[j].Bytes;
                    var destination = results[j].Bytes;
                    for (int k = 0; k < n; k++)
                        source.Slice((lineStart + order[k] * inner) * size, size).CopyTo(destination.Slice((lineStart + k * inner) * size, size));
                }
            }
        }
        return results;
    }

    private readonly struct KeyComparer : INumericKernel<Comparison<int>>
    {
        public Comparison<int> Run<T>(T[] data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T> =>
            (a, b) => ReductionKernels.TotalOrderCompare(data[a], data[b]);
    }
}

/// <summary>Splits a row-major shape around one axis into (outer, axis size, inner) block sizes.</summary>
internal static class AxisBlocks
{
    /// <summary>The product of the dims before <paramref name="axis"/>, its size, and the product after it.</summary>
    public static (int Outer, int N, int Inner) Split(ReadOnlySpan<int> dims, int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        return (outer, dims[axis], inner);
    }
}
