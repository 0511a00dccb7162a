using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>a with its NaNs replaced by <paramref name="value"/> (a itself when its dtype has no NaN).</summary>
    private static Tensor ReplaceNan(Tensor a, double value)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.DType.IsFloat() ? Where(Isnan(a), Cast(Scalars.Weak(value), a.DType, a.WeakType), a) : a;
    }

    /// <summary>The sum over axes (all when null) treating NaNs as zero, as <c>jnp.nansum</c>.</summary>
    public static Tensor Nansum(Tensor a, int[]? axis = null, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Sum(ReplaceNan(a, 0), axis, keepdims, dtype);
    }

    /// <summary>The NaN-ignoring sum over one axis.</summary>
    public static Tensor Nansum(Tensor a, int axis, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nansum(a, [axis], keepdims, dtype);
    }

    /// <summary>The product over axes (all when null) treating NaNs as one, as <c>jnp.nanprod</c>.</summary>
    public static Tensor Nanprod(Tensor a, int[]? axis = null, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Prod(ReplaceNan(a, 1), axis, keepdims, dtype);
    }

    /// <summary>The NaN-ignoring product over one axis.</summary>
    public static Tensor Nanprod(Tensor a, int axis, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanprod(a, [axis], keepdims, dtype);
    }

    private static Tensor NanExtremum(string op, Tensor a, int[]? axis, bool keepdims, bool max)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.DType.IsFloat()) return max ? Max(a, axis, keepdims) : Min(a, axis, keepdims);
        RequireNonEmpty(op, a, axis);
        var filled = ReplaceNan(a, max ? double.NegativeInfinity : double.PositiveInfinity);
        var result = max ? Max(filled, axis, keepdims) : Min(filled, axis, keepdims);
        return Where(All(Isnan(a), axis, keepdims), Cast(Scalars.Weak(double.NaN), result.DType, result.WeakType), result);
    }

    /// <summary>The maximum over axes ignoring NaNs (NaN where a slice is all NaN), as <c>jnp.nanmax</c>.</summary>
    public static Tensor Nanmax(Tensor a, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return NanExtremum("nanmax", a, axis, keepdims, max: true);
    }

    /// <summary>The NaN-ignoring maximum over one axis.</summary>
    public static Tensor Nanmax(Tensor a, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanmax(a, [axis], keepdims);
    }

    /// <summary>The minimum over axes ignoring NaNs (NaN where a slice is all NaN), as <c>jnp.nanmin</c>.</summary>
    public static Tensor Nanmin(Tensor a, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return NanExtremum("nanmin", a, axis, keepdims, max: false);
    }

    /// <summary>The NaN-ignoring minimum over one axis.</summary>
    public static Tensor Nanmin(Tensor a, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanmin(a, [axis], keepdims);
    }

    /// <summary>The number of non-NaN elements over axes, in <paramref name="dtype"/>.</summary>
    private static Tensor NotNanCount(Tensor a, int[]? axis, bool keepdims, DType dtype) =>
        Sum(LogicalNot(Isnan(a)), axis, keepdims, dtype);

    /// <summary>The mean over axes ignoring NaNs (NaN for an all-NaN slice), as <c>jnp.nanmean</c>.</summary>
    public static Tensor Nanmean(Tensor a, int[]? axis = null, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.DType.IsFloat()) return Mean(a, axis, keepdims, dtype);
        var result = Jax.Config.Canonicalize(dtype ?? a.DType);
        var compute = result is DType.Float16 or DType.BFloat16 ? DType.Float32 : result;
        var mean = Divide(Nansum(a, axis, keepdims, compute), NotNanCount(a, axis, keepdims, compute));
        return Cast(mean, result, a.WeakType && result == a.DType);
    }

    /// <summary>The NaN-ignoring mean over one axis.</summary>
    public static Tensor Nanmean(Tensor a, int axis, bool keepdims = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanmean(a, [axis], keepdims, dtype);
    }

    /// <summary>
    /// The variance over axes ignoring NaNs, with <paramref name="ddof"/> delta degrees of freedom (NaN where fewer
    /// than ddof + 1 values remain), as <c>jnp.nanvar</c>.
    /// </summary>
    public static Tensor Nanvar(Tensor a, int[]? axis = null, int ddof = 0, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        a = PromoteDTypesInexact(a)[0];
        var mean = Nanmean(a, axis, keepdims: true);
        var centered = Where(Isnan(a), Cast(Scalars.WeakInt(0), a.DType, a.WeakType), Subtract(a, mean));
        var normalizer = Subtract(NotNanCount(a, axis, keepdims, a.DType), ddof);
        var empty = LessEqual(normalizer, 0);
        var squares = Sum(Multiply(centered, centered), axis, keepdims);
        return Divide(Where(empty, double.NaN, squares), Where(empty, 1, normalizer));
    }

    /// <summary>The NaN-ignoring variance over one axis.</summary>
    public static Tensor Nanvar(Tensor a, int axis, int ddof = 0, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanvar(a, [axis], ddof, keepdims);
    }

    /// <summary>The standard deviation over axes ignoring NaNs, as <c>jnp.nanstd</c>.</summary>
    public static Tensor Nanstd(Tensor a, int[]? axis = null, int ddof = 0, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Sqrt(Nanvar(a, axis, ddof, keepdims));
    }

    /// <summary>The NaN-ignoring standard deviation over one axis.</summary>
    public static Tensor Nanstd(Tensor a, int axis, int ddof = 0, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanstd(a, [axis], ddof, keepdims);
    }

    private static Tensor NanArg(string op, Tensor a, int? axis, bool keepdims, bool max)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.DType.IsFloat()) return max ? Argmax(a, axis, keepdims) : Argmin(a, axis, keepdims);
        var nan = Isnan(a);
        var filled = ReplaceNan(a, max ? double.NegativeInfinity : double.PositiveInfinity);
        var index = max ? Argmax(filled, axis, keepdims) : Argmin(filled, axis, keepdims);
        var allNan = axis is null ? All(nan, null, keepdims) : All(nan, [axis.Value], keepdims);
        return Where(allNan, -1, index);
    }

    /// <summary>The index of the maximum ignoring NaNs (-1 where a slice is all NaN, as JAX), as <c>jnp.nanargmax</c>.</summary>
    public static Tensor Nanargmax(Tensor a, int? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return NanArg("nanargmax", a, axis, keepdims, max: true);
    }

    /// <summary>The index of the minimum ignoring NaNs (-1 where a slice is all NaN, as JAX), as <c>jnp.nanargmin</c>.</summary>
    public static Tensor Nanargmin(Tensor a, int? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return NanArg("nanargmin", a, axis, keepdims, max: false);
    }

    /// <summary>The cumulative sum treating NaNs as zero (the flattened array when <paramref name="axis"/> is null).</summary>
    public static Tensor Nancumsum(Tensor a, int? axis = null, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Cumsum(ReplaceNan(a, 0), axis, dtype);
    }

    /// <summary>The cumulative product treating NaNs as one (the flattened array when <paramref name="axis"/> is null).</summary>
    public static Tensor Nancumprod(Tensor a, int? axis = null, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Cumprod(ReplaceNan(a, 1), axis, dtype);
    }

    /// <summary>Quantiles over axes ignoring NaNs (NaN for an all-NaN slice), as <c>jnp.nanquantile</c>.</summary>
    public static Tensor Nanquantile(Tensor a, Tensor q, int[]? axis = null, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return QuantileCore("nanquantile", a, q, axis, method, keepdims, squashNans: true, qScale: 1);
    }

    /// <summary>NaN-ignoring quantiles over one axis.</summary>
    public static Tensor Nanquantile(Tensor a, Tensor q, int axis, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return Nanquantile(a, q, [axis], method, keepdims);
    }

    /// <summary>Percentiles (q in [0, 100]) over axes ignoring NaNs, as <c>jnp.nanpercentile</c>.</summary>
    public static Tensor Nanpercentile(Tensor a, Tensor q, int[]? axis = null, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return QuantileCore("nanpercentile", a, q, axis, method, keepdims, squashNans: true, qScale: 100);
    }

    /// <summary>NaN-ignoring percentiles over one axis.</summary>
    public static Tensor Nanpercentile(Tensor a, Tensor q, int axis, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return Nanpercentile(a, q, [axis], method, keepdims);
    }

    /// <summary>The median over axes ignoring NaNs, as <c>jnp.nanmedian</c>.</summary>
    public static Tensor Nanmedian(Tensor a, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return QuantileCore("nanmedian", a, 0.5, axis, QuantileMethod.Midpoint, keepdims, squashNans: true, qScale: 1);
    }

    /// <summary>The NaN-ignoring median over one axis.</summary>
    public static Tensor Nanmedian(Tensor a, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Nanmedian(a, [axis], keepdims);
    }
}
