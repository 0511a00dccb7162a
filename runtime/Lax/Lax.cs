using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// The primitives themselves, as <c>jax.lax</c>: strict operations with no implicit broadcasting or type
/// promotion (binary operands must agree in shape and dtype). <see cref="Jnp"/> builds NumPy semantics on top.
/// </summary>
public static partial class Lax
{
    private static Tensor Un(Primitive p, Tensor x) => Dispatch.Bind1(p, x);

    private static Tensor Bin(Primitive p, Tensor x, Tensor y) => Dispatch.Bind1(p, [x, y]);

    /// <summary>-x.</summary>
    public static Tensor Neg(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Neg, x);
    }

    /// <summary>|x| (integers wrap at MIN).</summary>
    public static Tensor Abs(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Abs, x);
    }

    /// <summary>-1, 0 or 1 (NaN stays NaN, -0.0 stays -0.0).</summary>
    public static Tensor Sign(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Sign, x);
    }

    /// <summary>Rounds toward -inf.</summary>
    public static Tensor Floor(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Floor, x);
    }

    /// <summary>Rounds toward +inf.</summary>
    public static Tensor Ceil(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Ceil, x);
    }

    /// <summary>Rounds to an integer value: half away from zero, or half to even with <paramref name="toNearestEven"/>.</summary>
    public static Tensor Round(Tensor x, bool toNearestEven = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Dispatch.Bind1(Prims.Round, x, Attributes.Of(("rounding_method", toNearestEven ? 1 : 0)));
    }

    /// <summary>e^x.</summary>
    public static Tensor Exp(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Exp, x);
    }

    /// <summary>2^x.</summary>
    public static Tensor Exp2(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Exp2, x);
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Log, x);
    }

    /// <summary>log(1 + x), accurate near 0.</summary>
    public static Tensor Log1p(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Log1p, x);
    }

    /// <summary>e^x - 1, accurate near 0.</summary>
    public static Tensor Expm1(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Expm1, x);
    }

    /// <summary>Square root.</summary>
    public static Tensor Sqrt(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Sqrt, x);
    }

    /// <summary>1 / sqrt(x).</summary>
    public static Tensor Rsqrt(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Rsqrt, x);
    }

    /// <summary>Cube root.</summary>
    public static Tensor Cbrt(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Cbrt, x);
    }

    /// <summary>Sine.</summary>
    public static Tensor Sin(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Sin, x);
    }

    /// <summary>Cosine.</summary>
    public static Tensor Cos(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Cos, x);
    }

    /// <summary>Tangent.</summary>
    public static Tensor Tan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Tan, x);
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Tanh, x);
    }

    /// <summary>1 / (1 + e^-x).</summary>
    public static Tensor Logistic(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Logistic, x);
    }

    /// <summary>The error function.</summary>
    public static Tensor Erf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Erf, x);
    }

    /// <summary>The complementary error function 1 - erf(x), accurate where it is tiny (jax.lax.erfc).</summary>
    public static Tensor Erfc(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Erfc, x);
    }

    /// <summary>The inverse error function.</summary>
    public static Tensor ErfInv(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Erfinv, x);
    }

    /// <summary>log |Gamma(x)|.</summary>
    public static Tensor Lgamma(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Lgamma, x);
    }

    /// <summary>The digamma function Gamma'(x)/Gamma(x).</summary>
    public static Tensor Digamma(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Digamma, x);
    }

    /// <summary>True where x is neither infinite nor NaN.</summary>
    public static Tensor IsFinite(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.IsFinite, x);
    }

    /// <summary>Logical not (bool) or bitwise not (integers).</summary>
    public static Tensor Not(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.Not, x);
    }

    /// <summary>The number of set bits of each integer.</summary>
    public static Tensor PopulationCount(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Un(Prims.PopulationCount, x);
    }

    /// <summary>x + y.</summary>
    public static Tensor Add(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Add, x, y);
    }

    /// <summary>x - y.</summary>
    public static Tensor Sub(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Sub, x, y);
    }

    /// <summary>x * y.</summary>
    public static Tensor Mul(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Mul, x, y);
    }

    /// <summary>x / y (integers truncate toward zero).</summary>
    public static Tensor Div(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Div, x, y);
    }

    /// <summary>Remainder with the sign of x (C's fmod).</summary>
    public static Tensor Rem(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Rem, x, y);
    }

    /// <summary>x ^ y.</summary>
    public static Tensor Pow(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Pow, x, y);
    }

    /// <summary>Elementwise maximum (NaN propagates).</summary>
    public static Tensor Max(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Max, x, y);
    }

    /// <summary>Elementwise minimum (NaN propagates).</summary>
    public static Tensor Min(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Min, x, y);
    }

    /// <summary>atan2(x, y).</summary>
    public static Tensor Atan2(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Atan2, x, y);
    }

    /// <summary>The next representable value after x toward y.</summary>
    public static Tensor Nextafter(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Nextafter, x, y);
    }

    /// <summary>Logical/bitwise and.</summary>
    public static Tensor BitwiseAnd(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.And, x, y);
    }

    /// <summary>Logical/bitwise or.</summary>
    public static Tensor BitwiseOr(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Or, x, y);
    }

    /// <summary>Logical/bitwise xor.</summary>
    public static Tensor BitwiseXor(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Xor, x, y);
    }

    /// <summary>x &lt;&lt; y.</summary>
    public static Tensor ShiftLeft(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.ShiftLeft, x, y);
    }

    /// <summary>Logical (zero-filling) right shift.</summary>
    public static Tensor ShiftRightLogical(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.ShiftRightLogical, x, y);
    }

    /// <summary>Arithmetic (sign-filling) right shift.</summary>
    public static Tensor ShiftRightArithmetic(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.ShiftRightArithmetic, x, y);
    }

    /// <summary>x == y.</summary>
    public static Tensor Eq(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Eq, x, y);
    }

    /// <summary>x != y.</summary>
    public static Tensor Ne(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Ne, x, y);
    }

    /// <summary>x &lt; y.</summary>
    public static Tensor Lt(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Lt, x, y);
    }

    /// <summary>x &lt;= y.</summary>
    public static Tensor Le(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Le, x, y);
    }

    /// <summary>x &gt; y.</summary>
    public static Tensor Gt(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Gt, x, y);
    }

    /// <summary>x &gt;= y.</summary>
    public static Tensor Ge(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bin(Prims.Ge, x, y);
    }

    /// <summary><c>where(pred, onTrue, onFalse)</c> with equal shapes (pred may be a scalar).</summary>
    public static Tensor Select(Tensor pred, Tensor onTrue, Tensor onFalse)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(onTrue);
        ArgumentNullException.ThrowIfNull(onFalse);
        return Dispatch.Bind1(Prims.Select, [pred, onTrue, onFalse]);
    }

    /// <summary>min(max(x, min), max).</summary>
    public static Tensor Clamp(Tensor min, Tensor x, Tensor max)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(max);
        return Dispatch.Bind1(Prims.Clamp, [min, x, max]);
    }

    /// <summary>Converts to another dtype (float to int truncates and saturates).</summary>
    public static Tensor ConvertElementType(Tensor x, DType dtype, bool weakType = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Dispatch.Bind1(Prims.ConvertElementType, x, Attributes.Of(("new_dtype", dtype), ("weak_type", weakType)));
    }

    /// <summary>Reinterprets the bits as another dtype.</summary>
    public static Tensor BitcastConvertType(Tensor x, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Dispatch.Bind1(Prims.BitcastConvertType, x, Attributes.Of(("new_dtype", dtype)));
    }

    /// <summary>0, 1, 2, ... along <paramref name="dimension"/> of a new array.</summary>
    public static Tensor Iota(DType dtype, Shape shape, int dimension = 0)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Dispatch.Bind1(Prims.Iota, [], Attributes.Of(("dtype", dtype), ("shape", shape), ("dimension", dimension)));
    }

    /// <summary>Broadcasts x into <paramref name="shape"/>, x's dimension i becoming dimension <c>broadcastDimensions[i]</c>.</summary>
    public static Tensor BroadcastInDim(Tensor x, Shape shape, int[] broadcastDimensions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(broadcastDimensions);
        return Dispatch.Bind1(Prims.BroadcastInDim, x, Attributes.Of(("shape", shape), ("broadcast_dimensions", broadcastDimensions)));
    }

    /// <summary>The same elements in a new shape.</summary>
    public static Tensor Reshape(Tensor x, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        return Dispatch.Bind1(Prims.Reshape, x, Attributes.Of(("shape", shape)));
    }

    /// <summary>Permutes the axes.</summary>
    public static Tensor Transpose(Tensor x, int[] permutation)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(permutation);
        return Dispatch.Bind1(Prims.Transpose, x, Attributes.Of(("permutation", permutation)));
    }

    /// <summary>Removes size-1 dimensions.</summary>
    public static Tensor Squeeze(Tensor x, int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dimensions);
        return Dispatch.Bind1(Prims.Squeeze, x, Attributes.Of(("dimensions", dimensions)));
    }

    /// <summary>Inserts size-1 dimensions at the given result positions.</summary>
    public static Tensor ExpandDims(Tensor x, int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dimensions);
        return Dispatch.Bind1(Prims.ExpandDims, x, Attributes.Of(("dimensions", dimensions)));
    }

    /// <summary>Reverses along dimensions.</summary>
    public static Tensor Rev(Tensor x, int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dimensions);
        return Dispatch.Bind1(Prims.Rev, x, Attributes.Of(("dimensions", dimensions)));
    }

    /// <summary>Pads with low/high (negative crops) and interior padding per dimension.</summary>
    public static Tensor Pad(Tensor x, Tensor paddingValue, int[] low, int[] high, int[] interior)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(paddingValue);
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(interior);
        return Dispatch.Bind1(Prims.Pad, [x, paddingValue], Attributes.Of(("low", low), ("high", high), ("interior", interior)));
    }

    /// <summary>Joins arrays along a dimension.</summary>
    public static Tensor Concatenate(IReadOnlyList<Tensor> xs, int dimension)
    {
        ArgumentNullException.ThrowIfNull(xs);
        return Dispatch.Bind1(Prims.Concatenate, xs, Attributes.Of(("dimension", dimension)));
    }

    /// <summary>A strided static slice.</summary>
    public static Tensor Slice(Tensor x, int[] start, int[] limit, int[]? strides = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(limit);
        return Dispatch.Bind1(Prims.Slice, x, Attributes.Of(("start_indices", start), ("limit_indices", limit),
            ("strides", strides ?? Enumerable.Repeat(1, start.Length).ToArray())));
    }

    /// <summary>A slice at run-time start indices (clamped into range).</summary>
    public static Tensor DynamicSlice(Tensor x, IReadOnlyList<Tensor> startIndices, int[] sliceSizes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(startIndices);
        ArgumentNullException.ThrowIfNull(sliceSizes);
        return Dispatch.Bind1(Prims.DynamicSlice, [x, .. startIndices], Attributes.Of(("slice_sizes", sliceSizes)));
    }

    /// <summary>x with <paramref name="update"/> written at run-time start indices (clamped).</summary>
    public static Tensor DynamicUpdateSlice(Tensor x, Tensor update, IReadOnlyList<Tensor> startIndices)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(startIndices);
        return Dispatch.Bind1(Prims.DynamicUpdateSlice, [x, update, .. startIndices]);
    }

    /// <summary>Sum over axes.</summary>
    public static Tensor ReduceSum(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        return Reduce(Prims.ReduceSum, x, axes);
    }

    /// <summary>Maximum over axes (NaN propagates).</summary>
    public static Tensor ReduceMax(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        return Reduce(Prims.ReduceMax, x, axes);
    }

    /// <summary>Minimum over axes (NaN propagates).</summary>
    public static Tensor ReduceMin(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        return Reduce(Prims.ReduceMin, x, axes);
    }

    /// <summary>Product over axes.</summary>
    public static Tensor ReduceProd(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        return Reduce(Prims.ReduceProd, x, axes);
    }

    /// <summary>Logical and over axes.</summary>
    public static Tensor ReduceAnd(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        return Reduce(Prims.ReduceAnd, x, axes);
    }

    /// <summary>Logical or over axes.</summary>
    public static Tensor ReduceOr(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        return Reduce(Prims.ReduceOr, x, axes);
    }

    private static Tensor Reduce(Primitive p, Tensor x, int[] axes) => Dispatch.Bind1(p, x, Attributes.Of(("axes", axes)));

    /// <summary>Index of the maximum along an axis (first occurrence; NaN wins).</summary>
    public static Tensor Argmax(Tensor x, int axis, DType indexDType)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Dispatch.Bind1(Prims.Argmax, x, Attributes.Of(("axis", axis), ("index_dtype", indexDType)));
    }

    /// <summary>Index of the minimum along an axis (first occurrence; NaN wins).</summary>
    public static Tensor Argmin(Tensor x, int axis, DType indexDType)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Dispatch.Bind1(Prims.Argmin, x, Attributes.Of(("axis", axis), ("index_dtype", indexDType)));
    }

    /// <summary>Cumulative sum along an axis.</summary>
    public static Tensor Cumsum(Tensor x, int axis, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cumulative(Prims.Cumsum, x, axis, reverse);
    }

    /// <summary>Cumulative product along an axis.</summary>
    public static Tensor Cumprod(Tensor x, int axis, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cumulative(Prims.Cumprod, x, axis, reverse);
    }

    /// <summary>Cumulative maximum along an axis.</summary>
    public static Tensor Cummax(Tensor x, int axis, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cumulative(Prims.Cummax, x, axis, reverse);
    }

    /// <summary>Cumulative minimum along an axis.</summary>
    public static Tensor Cummin(Tensor x, int axis, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cumulative(Prims.Cummin, x, axis, reverse);
    }

    private static Tensor Cumulative(Primitive p, Tensor x, int axis, bool reverse) =>
        Dispatch.Bind1(p, x, Attributes.Of(("axis", axis), ("reverse", reverse)));

    /// <summary>Sorts operands together along a dimension by the first <paramref name="numKeys"/> of them.</summary>
    public static Tensor[] Sort(IReadOnlyList<Tensor> operands, int dimension, bool isStable = true, int numKeys = 1)
    {
        ArgumentNullException.ThrowIfNull(operands);
        return Dispatch.Bind(Prims.Sort, operands, Attributes.Of(("dimension", dimension), ("is_stable", isStable), ("num_keys", numKeys)));
    }

    /// <summary>General dot product with contracting and batch dimensions (lhs dims, rhs dims).</summary>
    public static Tensor DotGeneral(Tensor lhs, Tensor rhs, (int[] Lhs, int[] Rhs) contracting, (int[] Lhs, int[] Rhs) batch)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        return Dispatch.Bind1(Prims.DotGeneral, [lhs, rhs], Attributes.Of(
            ("lhs_contracting_dims", contracting.Lhs), ("rhs_contracting_dims", contracting.Rhs),
            ("lhs_batch_dims", batch.Lhs), ("rhs_batch_dims", batch.Rhs)));
    }
}
