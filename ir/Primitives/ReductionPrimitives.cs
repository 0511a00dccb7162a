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
/// Base of the one-operand reductions and scans combining along axes with a <see cref="ReduceKind"/>: their JVP
/// emits the primal result and, for a floating-point tangent, the tangent given by <see cref="Tangent"/>.
/// </summary>
public abstract class AxisCombinePrimitive : Primitive
{
    /// <summary>Creates and registers the primitive.</summary>
    protected AxisCombinePrimitive(string name, ReduceKind kind) : base(name) => Kind = kind;

    /// <summary>The combining operation.</summary>
    public ReduceKind Kind { get; }

    /// <inheritdoc/>
    public sealed override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var outs = EmitPrimal(e, primals, attributes, regions);
        var (x, t) = (primals[0], tangents[0]);
        return (outs, [t is null || !x.Type.DType.IsFloat() ? null : Tangent(e, x, outs[0], t, attributes)]);
    }

    /// <summary>
    /// The tangent of the result (null for zero) at operand <paramref name="x"/> with result
    /// <paramref name="result"/>, for the floating-point tangent <paramref name="t"/>; linear in <paramref name="t"/>.
    /// </summary>
    protected abstract Value? Tangent(Emitter e, Value x, Value result, Value t, Attributes attributes);
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
public sealed class ReducePrimitive : AxisCombinePrimitive
{
    internal ReducePrimitive(string name, ReduceKind kind) : base(name, kind) { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Reduction;


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
        var result = KernelStaging.Run<Kernel, Buffer>(x, kernel);
        return [KernelStaging.Unstage(result, x.DType, type.Shape)];
    }

    /// <summary>
    /// JVP: <c>reduce_sum</c> sums the tangent; <c>reduce_max</c>/<c>reduce_min</c> average the tangent over the
    /// locations equal to the result (JAX's chooser rule); <c>reduce_prod</c> sums the tangent times the product
    /// of the other elements, computed without division so zeros in the input are handled exactly;
    /// <c>reduce_and</c>/<c>reduce_or</c> have no tangent.
    /// </summary>
    protected override Value? Tangent(Emitter e, Value x, Value result, Value t, Attributes attributes)
    {
        var axes = attributes.Axes(this, "axes", x.Type);
        return Kind switch
        {
            ReduceKind.Sum => e.ReduceSum(t, axes),
            ReduceKind.Max or ReduceKind.Min => ChooserTangent(e, x, result, t, axes),
            ReduceKind.Prod => e.ReduceSum(ProductOfOthers(e, x, axes.Order().ToArray()) is { } others ? e.Mul(t, others) : t, axes),
            _ => null,
        };
    }

    /// <summary>The tangent of a max/min reduction: the mean of the tangent over the positions where x equals the result.</summary>
    private static Value ChooserTangent(Emitter e, Value x, Value result, Value t, int[] axes)
    {
        var located = e.Eq(x, e.BroadcastInDim(result, x.Type.Shape, KeptAxes(x.Type.Rank, axes)));
        var location = e.ConvertElementType(located, t.Type.DType);
        return e.Div(e.ReduceSum(e.Mul(t, location), axes), e.ReduceSum(location, axes));
    }

    /// <summary>
    /// For each element of <paramref name="x"/>, the product of the other elements of its reduction group over
    /// <paramref name="axes"/> (ascending); null (all ones) when there are no axes. Over the last axis it is the
    /// product of the exclusive running products from both ends; the earlier axes contribute the product of the
    /// other groups, found the same way on x reduced over the last axis.
    /// </summary>
    private Value? ProductOfOthers(Emitter e, Value x, int[] axes)
    {
        if (axes.Length == 0) return null;
        int last = axes[^1];
        if (!x.Type.Shape[last].IsStatic) throw Error($"jvp needs a static size along the reduced axis {last}, got {x.Type}");
        var one = e.Ones(ShapedType.Scalar(x.Type.DType));
        long[] Shifted(int by)
        {
            var edge = new long[x.Type.Rank];
            edge[last] = by;
            return edge;
        }
        var zeros = new long[x.Type.Rank];
        var cumulative = Attributes.Of(("axis", last), ("reverse", false));
        var before = e.Pad(e.Emit1(Prims.Cumprod, [x], cumulative), one, Shifted(1), Shifted(-1), zeros);
        var after = e.Pad(e.Emit1(Prims.Cumprod, [x], cumulative.With("reverse", true)), one, Shifted(-1), Shifted(1), zeros);
        var along = e.Mul(before, after);
        var outer = ProductOfOthers(e, e.Emit1(this, [x], Attributes.Of(("axes", new[] { last }))), axes[..^1]);
        return outer is null ? along : e.Mul(along, e.BroadcastInDim(outer, x.Type.Shape, KeptAxes(x.Type.Rank, [last])));
    }

    private static int[] KeptAxes(int rank, int[] axes) => Enumerable.Range(0, rank).Where(d => !axes.Contains(d)).ToArray();

    /// <summary>Transpose of <c>reduce_sum</c> (the only linear reduction): the cotangent broadcast back along the reduced axes.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (Kind != ReduceKind.Sum) return base.Transpose(context, cotangents, operands, attributes, regions);
        if (cotangents[0] is not { } ct) return [null];
        var type = operands[0].Type;
        return [context.Emitter.BroadcastInDim(ct, type.Shape, KeptAxes(type.Rank, attributes.Axes(this, "axes", type)))];
    }

    /// <summary>Batching: the reduced axes shift past the batch dimension, which stays (moved left by the reduced axes before it).</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions) =>
        AxisBatching.Batch(this, context, operands[0], dims[0], attributes, "axes", reduces: true);

    private readonly record struct Kernel(ReduceKind Kind, int[] Dims, bool[] Reduced, int OutputCount) : INumericKernel<Buffer>
    {
        public Buffer Run<T>(Buffer data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T> => Kind switch
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
    public override PrimitiveCategory Category => PrimitiveCategory.Reduction;


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
        KernelStaging.Run<Kernel, bool>(x, new Kernel(outer, n, inner, IsMax, result));
        return [result];
    }

    /// <summary>JVP: the primal only; an index has no tangent.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        (EmitPrimal(context.Emitter, primals, attributes, regions), [null]);

    /// <summary>Batching: the axis shifts past the batch dimension, which stays (moved left when it came after the axis).</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions) =>
        AxisBatching.Batch(this, context, operands[0], dims[0], attributes, "axis", reduces: true);

    private readonly record struct Kernel(int Outer, int N, int Inner, bool Max, Buffer Result) : INumericKernel<bool>
    {
        public bool Run<T>(Buffer data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>
        {
            ReductionKernels.ArgExtremum<T>(data.Span<T>(), Outer, N, Inner, Max, Result);
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
public sealed class CumulativePrimitive : AxisCombinePrimitive
{
    internal CumulativePrimitive(string name, ReduceKind kind) : base(name, kind) { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Opaque;


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
        return [KernelStaging.Unstage(KernelStaging.Run<Kernel, Buffer>(x, kernel), x.DType, x.Shape)];
    }

    /// <summary>
    /// JVP: <c>cumsum</c> of the tangent for <c>cumsum</c>; for <c>cumprod</c>, <c>cummax</c> and <c>cummin</c>, JAX's
    /// rule: the JVP of the associative scan (a tree of slices, combines and interleaves along the axis), which is
    /// linear in the tangent and exact with zeros (no division). The max/min combine passes the tangent of the
    /// operand the result came from, half of each on a tie (JAX's <c>max</c> JVP). Needs a static shape.
    /// </summary>
    protected override Value? Tangent(Emitter e, Value x, Value result, Value t, Attributes attributes)
    {
        if (Kind == ReduceKind.Sum) return e.Emit1(this, [t], attributes);
        int axis = attributes.Axis(this, "axis", x.Type);
        bool reverse = attributes.Required<bool>(this, "reverse");
        if (!x.Type.Shape.IsStatic) throw Error($"jvp needs a static shape, got {x.Type}");
        var scanned = Scan(e, reverse ? new Dual(e.Rev(x, [axis]), e.Rev(t, [axis])) : new Dual(x, t), axis);
        return reverse ? e.Rev(scanned.Tangent, [axis]) : scanned.Tangent;
    }

    /// <summary>Transpose of <c>cumsum</c> (the only linear scan): <c>cumsum</c> of the cotangent in the other direction.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (Kind != ReduceKind.Sum) return base.Transpose(context, cotangents, operands, attributes, regions);
        if (cotangents[0] is not { } ct) return [null];
        return [context.Emitter.Emit1(this, [ct], attributes.With("reverse", !attributes.Required<bool>(this, "reverse")))];
    }

    /// <summary>Batching: the axis shifts past the batch dimension, which stays where it is.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions) =>
        AxisBatching.Batch(this, context, operands[0], dims[0], attributes, "axis", reduces: false);

    /// <summary>A primal value and its tangent, scanned together.</summary>
    private readonly record struct Dual(Value Primal, Value Tangent);

    /// <summary>
    /// The inclusive scan of <paramref name="xs"/> along <paramref name="axis"/> with this primitive's combine, in
    /// the recursive odd/even form of JAX's <c>associative_scan</c>: combine neighbouring pairs, scan those (giving
    /// the odd positions), combine them with the next even elements (giving the even positions), interleave.
    /// </summary>
    private Dual Scan(Emitter e, Dual xs, int axis)
    {
        long n = xs.Primal.Type.Shape[axis].Size;
        if (n < 2) return xs;
        var odd = Scan(e, Combine(e, SliceAlong(e, xs, axis, 0, n - 1, 2), SliceAlong(e, xs, axis, 1, n, 2)), axis);
        var even = SliceAlong(e, xs, axis, 0, 1, 1);
        if (n > 2)
        {
            long m = odd.Primal.Type.Shape[axis].Size;
            var rest = Combine(e, n % 2 == 0 ? SliceAlong(e, odd, axis, 0, m - 1, 1) : odd, SliceAlong(e, xs, axis, 2, n, 2));
            even = new(e.Concatenate([even.Primal, rest.Primal], axis), e.Concatenate([even.Tangent, rest.Tangent], axis));
        }
        return new(Interleave(e, even.Primal, odd.Primal, axis, n), Interleave(e, even.Tangent, odd.Tangent, axis, n));
    }

    /// <summary>The combine of the scan on primal/tangent pairs: the JVP of <c>mul</c>, <c>max</c> or <c>min</c>.</summary>
    private Dual Combine(Emitter e, Dual a, Dual b)
    {
        if (Kind == ReduceKind.Prod)
            return new(e.Mul(a.Primal, b.Primal), e.Add(e.Mul(a.Tangent, b.Primal), e.Mul(a.Primal, b.Tangent)));
        var z = Kind == ReduceKind.Max ? e.Max(a.Primal, b.Primal) : e.Min(a.Primal, b.Primal);
        var dtype = a.Tangent.Type.DType;
        var fromA = e.ConvertElementType(e.Eq(a.Primal, z), dtype);
        var fromB = e.ConvertElementType(e.Eq(b.Primal, z), dtype);
        // JAX's balanced rule: a side whose value is the result gets weight 1, or 1/2 when both are (0 for NaN results).
        var one = e.Ones(fromA.Type);
        return new(z, e.Add(e.Mul(a.Tangent, e.Div(fromA, e.Add(one, fromB))), e.Mul(b.Tangent, e.Div(fromB, e.Add(one, fromA)))));
    }

    private static Dual SliceAlong(Emitter e, Dual x, int axis, long start, long limit, long stride) =>
        new(SliceAlong(e, x.Primal, axis, start, limit, stride), SliceAlong(e, x.Tangent, axis, start, limit, stride));

    private static Value SliceAlong(Emitter e, Value x, int axis, long start, long limit, long stride)
    {
        var starts = new long[x.Type.Rank];
        var limits = x.Type.Shape.Sizes;
        var strides = Enumerable.Repeat(1L, x.Type.Rank).ToArray();
        (starts[axis], limits[axis], strides[axis]) = (start, limit, stride);
        return e.Slice(x, starts, limits, strides);
    }

    /// <summary>Element 2k of the result is <c>even[k]</c>, element 2k+1 is <c>odd[k]</c> (length <paramref name="n"/> along the axis).</summary>
    private static Value Interleave(Emitter e, Value even, Value odd, int axis, long n)
    {
        var zero = e.Zeros(ShapedType.Scalar(even.Type.DType));
        long[] Along(long v)
        {
            var a = new long[even.Type.Rank];
            a[axis] = v;
            return a;
        }
        var spreadEven = e.Pad(even, zero, Along(0), Along(1 - n % 2), Along(1));
        var spreadOdd = e.Pad(odd, zero, Along(1), Along(n % 2), Along(1));
        return e.Add(spreadEven, spreadOdd);
    }

    private readonly record struct Kernel(ReduceKind Kind, int Outer, int N, int Inner, bool Reverse) : INumericKernel<Buffer>
    {
        public Buffer Run<T>(Buffer data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T> => Kind switch
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
    public override PrimitiveCategory Category => PrimitiveCategory.Opaque;


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
        var staged = operands.Take(numKeys).Select(KernelStaging.Stage).ToArray();
        var keys = staged.Select(k => KernelStaging.Dispatch<KeyComparer, Comparison<int>>(k, default)).ToArray();

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
        var results = operands.Select(o => Buffer.Uninitialized(o.DType, o.Shape)).ToArray();
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
        for (int k = 0; k < staged.Length; k++) KernelStaging.Release(staged[k], operands[k]);
        return results;
    }

    /// <summary>
    /// JVP (JAX's rule): sorts an iota along with the operands to get the permutation, and gathers each tangent
    /// with it (a gather is linear in the tangent, and transposes to a scatter-add).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var shape = primals[0].Type.Shape;
        int rank = shape.Rank, dimension = attributes.Axis(this, "dimension", primals[0].Type);
        var indexType = shape[dimension] is { IsStatic: true, Size: > int.MaxValue } ? DType.Int64 : DType.Int32;
        var sorted = EmitPrimal(e, [.. primals, e.Iota(indexType, shape, dimension)], attributes, regions);
        var permutation = sorted[^1];
        // Full start indices [..., rank]: the permutation along the sorted dimension, the position elsewhere.
        var columns = Enumerable.Range(0, rank).Select(d => e.ExpandDims(d == dimension ? permutation : e.Iota(indexType, shape, d), [rank]));
        var indices = e.Concatenate(columns.ToArray(), rank);
        var all = Enumerable.Range(0, rank).ToArray();
        var take = Attributes.Of(("offset_dims", Array.Empty<long>()), ("collapsed_slice_dims", all), ("start_index_map", all),
            ("index_vector_dim", rank), ("slice_sizes", Enumerable.Repeat(1L, rank).ToArray()));
        var outTangents = tangents.Select(t => t is null ? null : e.Emit1(Prims.Gather, [t, indices], take)).ToArray();
        return (sorted.Take(primals.Count).ToArray(), outTangents);
    }

    /// <summary>
    /// Batching (JAX's rule): every operand gets its batch dimension where the first batched operand has it
    /// (unbatched operands are broadcast), and the sorted dimension shifts past it.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int batchDim = dims.First(d => d is not null)!.Value;
        var moved = operands.Select((o, i) => context.MoveBatchAxis(o, dims[i], batchDim)).ToArray();
        int dimension = (int)attributes.Required<long>(this, "dimension");
        var outs = EmitPrimal(context.Emitter, moved, attributes.With("dimension", AxisBatching.Shift(dimension, batchDim)), regions);
        return (outs, outs.Select(_ => (int?)batchDim).ToArray());
    }

    private readonly struct KeyComparer : INumericKernel<Comparison<int>>
    {
        public unsafe Comparison<int> Run<T>(Buffer data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>
        {
            nint pointer = data.Pointer;
            return (a, b) => ReductionKernels.TotalOrderCompare(((T*)pointer)[a], ((T*)pointer)[b]);
        }
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

/// <summary>
/// Batching of primitives that act along some axes of their operand (reductions, scans, sort, dot_general): an
/// axis of the unbatched operand moves one place right when it is at or after the batch dimension.
/// </summary>
internal static class AxisBatching
{
    /// <summary>Where axis <paramref name="axis"/> of an example is in the operand batched at <paramref name="batchDim"/>.</summary>
    public static int Shift(int axis, int batchDim) => axis < batchDim ? axis : axis + 1;

    /// <summary><paramref name="axes"/> of an example as axes of the operand batched at <paramref name="batchDim"/>.</summary>
    public static long[] Shift(long[] axes, int batchDim) => axes.Select(a => (long)Shift((int)a, batchDim)).ToArray();

    /// <summary>
    /// Batches a one-operand primitive whose attribute <paramref name="name"/> holds an axis or a list of axes: the
    /// axes shift past the batch dimension; when the primitive <paramref name="reduces"/> them away, the result's
    /// batch dimension moves left by the number of axes before it.
    /// </summary>
    public static (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        Primitive primitive, BatchContext context, Value x, int? batchDim, Attributes attributes, string name, bool reduces)
    {
        if (batchDim is not int b) return (context.Emitter.Emit(primitive, [x], attributes), [null]);
        var value = attributes.Required<object>(primitive, name);
        var axes = Shift(value is long[] list ? list : [attributes.Required<long>(primitive, name)], b);
        bool isList = value is long[];
        var batched = attributes.With(name, isList ? axes : axes[0]);
        int resultDim = reduces ? b - axes.Count(a => a < b) : b;
        return (context.Emitter.Emit(primitive, [x], batched), [resultDim]);
    }
}
