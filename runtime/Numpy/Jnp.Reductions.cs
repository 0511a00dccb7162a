using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>The integer dtype JAX sums/products integers and bools in (<c>promote_integers=True</c>).</summary>
    private static DType PromotedIntegerDType(DType t) =>
        t == DType.Bool ? Jax.Config.DefaultInt
        : t.IsSignedInteger() && t.ItemSize() < Jax.Config.DefaultInt.ItemSize() ? Jax.Config.DefaultInt
        : t.IsUnsignedInteger() && t.ItemSize() < Jax.Config.DefaultInt.ItemSize() ? Jax.Config.Canonicalize(DType.UInt64)
        : t;

    private static Tensor KeepDims(Tensor reduced, int[] axes, int rank, bool keepdims) =>
        keepdims ? Lax.ExpandDims(reduced, axes.Where(a => a < rank).ToArray()) : reduced;

    /// <summary>
    /// A reduction with JAX's dtype rules (the result in <paramref name="resultDType"/>); float16/bfloat16 are
    /// computed in float32 and rounded back, as JAX does.
    /// </summary>
    private static Tensor Reduction(string op, Primitive primitive, Tensor x, int[]? axis, bool keepdims, DType resultDType, bool upcastHalf)
    {
        var axes = Axes.NormalizeMany(axis, x.Ndim, op, x.Aval);
        var compute = upcastHalf && resultDType is DType.Float16 or DType.BFloat16 ? DType.Float32 : resultDType;
        var reduced = Dispatch.Bind1(primitive, Cast(x, compute, x.WeakType && compute == x.DType), Attributes.Of(("axes", axes)));
        return KeepDims(Cast(reduced, resultDType, reduced.WeakType && resultDType == reduced.DType), axes, x.Ndim, keepdims);
    }

    private static void RequireNonEmpty(string op, Tensor x, int[]? axis)
    {
        foreach (var a in Axes.NormalizeMany(axis, x.Ndim, op, x.Aval))
            if (x.Shape[a].IsStatic && x.Shape[a].Size == 0)
                throw new JaxTypeException(op, $"zero-size array to reduction operation {op} which has no identity: {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
    }

    /// <summary>Sum over axes (all when null); ints and bools sum in the default int dtype.</summary>
    public static Tensor Sum(Tensor x, int[]? axis = null, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reduction("sum", Prims.ReduceSum, x, axis, keepdims, Jax.Config.Canonicalize(dtype ?? PromotedIntegerDType(x.DType)), upcastHalf: true);
    }

    /// <summary>Sum over one axis.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Sum(x, [axis], keepdims, dtype);
    }

    /// <summary>Product over axes (all when null).</summary>
    public static Tensor Prod(Tensor x, int[]? axis = null, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reduction("prod", Prims.ReduceProd, x, axis, keepdims, Jax.Config.Canonicalize(dtype ?? PromotedIntegerDType(x.DType)), upcastHalf: true);
    }

    /// <summary>Product over one axis.</summary>
    public static Tensor Prod(Tensor x, int axis, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Prod(x, [axis], keepdims, dtype);
    }

    /// <summary>Maximum over axes (NaN propagates); empty reductions are an error.</summary>
    public static Tensor Max(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireNonEmpty("max", x, axis);
        return Reduction("max", x.DType == DType.Bool ? Prims.ReduceOr : Prims.ReduceMax, x, axis, keepdims, x.DType, upcastHalf: false);
    }

    /// <summary>Maximum over one axis.</summary>
    public static Tensor Max(Tensor x, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Max(x, [axis], keepdims);
    }

    /// <summary>Minimum over axes (NaN propagates); empty reductions are an error.</summary>
    public static Tensor Min(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireNonEmpty("min", x, axis);
        return Reduction("min", x.DType == DType.Bool ? Prims.ReduceAnd : Prims.ReduceMin, x, axis, keepdims, x.DType, upcastHalf: false);
    }

    /// <summary>Minimum over one axis.</summary>
    public static Tensor Min(Tensor x, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Min(x, [axis], keepdims);
    }

    /// <summary>Maximum (NumPy's <c>amax</c>).</summary>
    public static Tensor Amax(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Max(x, axis, keepdims);
    }

    /// <summary>Maximum over one axis (NumPy's <c>amax</c>).</summary>
    public static Tensor Amax(Tensor x, int axis, bool keepdims = false) => Amax(x, [axis], keepdims);

    /// <summary>Minimum (NumPy's <c>amin</c>).</summary>
    public static Tensor Amin(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Min(x, axis, keepdims);
    }

    /// <summary>Minimum over one axis (NumPy's <c>amin</c>).</summary>
    public static Tensor Amin(Tensor x, int axis, bool keepdims = false) => Amin(x, [axis], keepdims);

    /// <summary>True when all elements along the axes are truthy.</summary>
    public static Tensor All(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reduction("all", Prims.ReduceAnd, Truth(x), axis, keepdims, DType.Bool, upcastHalf: false);
    }

    /// <summary>True where all elements along one axis are truthy.</summary>
    public static Tensor All(Tensor x, int axis, bool keepdims = false) => All(x, [axis], keepdims);

    /// <summary>True when any element along the axes is truthy.</summary>
    public static Tensor Any(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reduction("any", Prims.ReduceOr, Truth(x), axis, keepdims, DType.Bool, upcastHalf: false);
    }

    /// <summary>True where any element along one axis is truthy.</summary>
    public static Tensor Any(Tensor x, int axis, bool keepdims = false) => Any(x, [axis], keepdims);

    /// <summary>
    /// The number of elements reduced over <paramref name="axes"/>, less <paramref name="ddof"/>, as a weakly typed scalar
    /// of <paramref name="dtype"/>: a constant when those dims are static; computed when one is symbolic (a kernel for
    /// <c>f32[n]</c> serves every n), as the exact int32 (int64 with x64) sum of ones over them.
    /// </summary>
    private static Tensor CountOf(Tensor x, int[] axes, int ddof, DType dtype)
    {
        if (axes.All(a => x.Shape[a].IsStatic))
        {
            long n = 1;
            foreach (var a in axes) n *= x.Shape[a].Size;
            return Scalars.Weak(checked((int)n) - ddof);
        }
        var count = Sum(OnesLike(x, Jax.Config.DefaultInt), axes);
        if (ddof != 0) count = Subtract(count, Scalars.WeakInt(ddof));
        return Cast(count, dtype, weak: true);
    }

    /// <summary>Arithmetic mean over axes (ints and bools in the default float dtype).</summary>
    public static Tensor Mean(Tensor x, int[]? axis = null, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var axes = Axes.NormalizeMany(axis, x.Ndim, "mean", x.Aval);
        var result = Jax.Config.Canonicalize(dtype ?? (x.DType.IsFloat() ? x.DType : Jax.Config.DefaultFloat));
        var compute = result is DType.Float16 or DType.BFloat16 ? DType.Float32 : result;
        var mean = Divide(Sum(x, axes, keepdims, compute), CountOf(x, axes, 0, compute));
        return Cast(mean, result, mean.WeakType && result == compute);
    }

    /// <summary>Mean over one axis.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Mean(x, [axis], keepdims, dtype);
    }

    /// <summary>Variance over axes with <paramref name="ddof"/> delta degrees of freedom.</summary>
    public static Tensor Var(Tensor x, int[]? axis = null, int ddof = 0, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var axes = Axes.NormalizeMany(axis, x.Ndim, "var", x.Aval);
        var result = Jax.Config.Canonicalize(dtype ?? (x.DType.IsFloat() ? x.DType : Jax.Config.DefaultFloat));
        var compute = result is DType.Float16 or DType.BFloat16 ? DType.Float32 : result;
        var xc = Cast(x, compute, x.WeakType && compute == x.DType);
        var centered = Subtract(xc, Mean(xc, axes, keepdims: true));
        var squares = Sum(Multiply(centered, centered), axes, keepdims);
        var variance = Divide(squares, CountOf(x, axes, ddof, compute));
        return Cast(variance, result, variance.WeakType && result == compute);
    }

    /// <summary>Variance over one axis.</summary>
    public static Tensor Var(Tensor x, int axis, int ddof = 0, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Var(x, [axis], ddof, keepdims);
    }

    /// <summary>Standard deviation over axes.</summary>
    public static Tensor Std(Tensor x, int[]? axis = null, int ddof = 0, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Sqrt(Var(x, axis, ddof, keepdims, dtype));
    }

    /// <summary>Standard deviation over one axis.</summary>
    public static Tensor Std(Tensor x, int axis, int ddof = 0, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Std(x, [axis], ddof, keepdims);
    }

    private static Tensor ArgReduction(string op, Primitive primitive, Tensor x, int? axis, bool keepdims)
    {
        if (axis is null)
        {
            RequireNonEmpty(op, x, null);
            var flat = Dispatch.Bind1(primitive, Ravel(x), Attributes.Of(("axis", 0), ("index_dtype", Jax.Config.DefaultInt)));
            return keepdims ? Reshape(flat, Enumerable.Repeat(1L, x.Ndim).ToArray()) : flat;
        }
        int a = Axes.Normalize(axis.Value, x.Ndim, op, x.Aval);
        RequireNonEmpty(op, x, [a]);
        var r = Dispatch.Bind1(primitive, x, Attributes.Of(("axis", a), ("index_dtype", Jax.Config.DefaultInt)));
        return keepdims ? Lax.ExpandDims(r, [a]) : r;
    }

    /// <summary>Index of the maximum (over the flattened array when <paramref name="axis"/> is null).</summary>
    public static Tensor Argmax(Tensor x, int? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ArgReduction("argmax", Prims.Argmax, x, axis, keepdims);
    }

    /// <summary>Index of the minimum (over the flattened array when <paramref name="axis"/> is null).</summary>
    public static Tensor Argmin(Tensor x, int? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ArgReduction("argmin", Prims.Argmin, x, axis, keepdims);
    }

    private static Tensor Cumulative(string op, Primitive primitive, Tensor x, int? axis, DType? dtype)
    {
        if (axis is null)
        {
            x = Ravel(x);
            axis = 0;
        }
        int a = Axes.Normalize(axis.Value, x.Ndim, op, x.Aval);
        // As jnp.cumsum: the input's dtype unless given, except that bools accumulate in the default int.
        var target = Jax.Config.Canonicalize(dtype ?? (x.DType == DType.Bool ? PromotedIntegerDType(x.DType) : x.DType));
        return Dispatch.Bind1(primitive, Cast(x, target, x.WeakType && target == x.DType), Attributes.Of(("axis", a), ("reverse", false)));
    }

    /// <summary>Cumulative sum (over the flattened array when <paramref name="axis"/> is null).</summary>
    public static Tensor Cumsum(Tensor x, int? axis = null, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cumulative("cumsum", Prims.Cumsum, x, axis, dtype);
    }

    /// <summary>Cumulative product.</summary>
    public static Tensor Cumprod(Tensor x, int? axis = null, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cumulative("cumprod", Prims.Cumprod, x, axis, dtype);
    }

    /// <summary>Sorted copy along an axis (-1 by default; the flattened array when null). NaNs sort last.</summary>
    public static Tensor Sort(Tensor x, int? axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (axis is null) return Lax.Sort([Ravel(x)], 0)[0];
        return Lax.Sort([x], Axes.Normalize(axis.Value, x.Ndim, "sort", x.Aval))[0];
    }

    /// <summary>Indices that sort x along an axis (stable).</summary>
    public static Tensor Argsort(Tensor x, int? axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (axis is null)
        {
            x = Ravel(x);
            axis = 0;
        }
        int a = Axes.Normalize(axis.Value, x.Ndim, "argsort", x.Aval);
        var indices = Lax.Iota(Jax.Config.DefaultInt, x.Shape, a);
        return Lax.Sort([x, indices], a, isStable: true, numKeys: 1)[1];
    }
}
