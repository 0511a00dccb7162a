using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.numpy's constants, the Python array API's spellings of existing functions (acos, concat, pow, ...), and the
// array-API linear algebra and stacking helpers (matvec, vecmat, vecdot, unstack).
public static partial class Jnp
{
    /// <summary>Euler's number e (<c>jnp.e</c>).</summary>
    public const double E = Math.E;

    /// <summary>The Euler-Mascheroni constant gamma (<c>jnp.euler_gamma</c>).</summary>
    public const double EulerGamma = 0.5772156649015329;

    /// <summary>Positive infinity (<c>jnp.inf</c>).</summary>
    public const double Inf = double.PositiveInfinity;

    /// <summary>Not a number (<c>jnp.nan</c>).</summary>
    public const double Nan = double.NaN;

    /// <summary>pi (<c>jnp.pi</c>).</summary>
    public const double Pi = Math.PI;

    /// <summary>The array API's name of <see cref="Arccos"/> (<c>jnp.acos</c>).</summary>
    public static Tensor Acos(Tensor x) => Arccos(NotNull(x));

    /// <summary>The array API's name of <see cref="Arccosh"/> (<c>jnp.acosh</c>).</summary>
    public static Tensor Acosh(Tensor x) => Arccosh(NotNull(x));

    /// <summary>The array API's name of <see cref="Arcsin"/> (<c>jnp.asin</c>).</summary>
    public static Tensor Asin(Tensor x) => Arcsin(NotNull(x));

    /// <summary>The array API's name of <see cref="Arcsinh"/> (<c>jnp.asinh</c>).</summary>
    public static Tensor Asinh(Tensor x) => Arcsinh(NotNull(x));

    /// <summary>The array API's name of <see cref="Arctan"/> (<c>jnp.atan</c>).</summary>
    public static Tensor Atan(Tensor x) => Arctan(NotNull(x));

    /// <summary>The array API's name of <see cref="Arctan2"/> (<c>jnp.atan2</c>): the angle of the point (x2, x1).</summary>
    public static Tensor Atan2(Tensor x1, Tensor x2) => Arctan2(NotNull(x1), NotNull(x2));

    /// <summary>The array API's name of <see cref="Arctanh"/> (<c>jnp.atanh</c>).</summary>
    public static Tensor Atanh(Tensor x) => Arctanh(NotNull(x));

    /// <summary>The array API's name of <see cref="Invert"/> (<c>jnp.bitwise_invert</c>).</summary>
    public static Tensor BitwiseInvert(Tensor x) => Invert(NotNull(x));

    /// <summary>The array API's name of <see cref="LeftShift"/> (<c>jnp.bitwise_left_shift</c>).</summary>
    public static Tensor BitwiseLeftShift(Tensor x1, Tensor x2) => LeftShift(NotNull(x1), NotNull(x2));

    /// <summary>The array API's name of <see cref="RightShift"/> (<c>jnp.bitwise_right_shift</c>).</summary>
    public static Tensor BitwiseRightShift(Tensor x1, Tensor x2) => RightShift(NotNull(x1), NotNull(x2));

    /// <summary>The array API's name of <see cref="Power"/> (<c>jnp.pow</c>).</summary>
    public static Tensor Pow(Tensor x1, Tensor x2) => Power(NotNull(x1), NotNull(x2));

    /// <summary>
    /// The array API's <see cref="Concatenate"/> (<c>jnp.concat</c>): the arrays joined along <paramref name="axis"/>,
    /// or, when it is null, flattened and joined.
    /// </summary>
    public static Tensor Concat(IEnumerable<Tensor> arrays, int? axis = 0)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        foreach (var a in list) ArgumentNullException.ThrowIfNull(a, nameof(arrays));
        return axis is int ax ? Concatenate(list, ax) : Concatenate(list.Select(Ravel), 0);
    }

    /// <summary>
    /// A copy of <paramref name="a"/> (<c>jnp.copy</c>): a new array of the same dtype and values, which stays valid
    /// when <paramref name="a"/> is disposed.
    /// </summary>
    public static Tensor Copy(Tensor a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Lax.ConvertElementType(a, a.DType, a.WeakType);
    }

    /// <summary>
    /// The matrix-vector product over the last axes (<c>jnp.matvec</c>): <paramref name="x1"/> <c>[..., m, n]</c> times
    /// <paramref name="x2"/> <c>[..., n]</c> is <c>[..., m]</c>, the leading axes broadcast.
    /// </summary>
    public static Tensor Matvec(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        if (x1.Ndim < 2 || x2.Ndim < 1 || x1.Shape[^1] != x2.Shape[^1])
            throw OpError("matvec", $"matvec needs x1 of shape [..., m, n] and x2 of shape [..., n], got {x1.Aval.ToLongString()} and {x2.Aval.ToLongString()}");
        return Squeeze(Matmul(x1, ExpandDims(x2, -1)), -1);
    }

    /// <summary>
    /// The vector-matrix product over the last axes (<c>jnp.vecmat</c>): <paramref name="x1"/> <c>[..., n]</c> times
    /// <paramref name="x2"/> <c>[..., n, m]</c> is <c>[..., m]</c>, the leading axes broadcast.
    /// </summary>
    public static Tensor Vecmat(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        if (x1.Ndim < 1 || x2.Ndim < 2 || x1.Shape[^1] != x2.Shape[^2])
            throw OpError("vecmat", $"vecmat needs x1 of shape [..., n] and x2 of shape [..., n, m], got {x1.Aval.ToLongString()} and {x2.Aval.ToLongString()}");
        return Squeeze(Matmul(ExpandDims(x1, -2), x2), -2);
    }

    /// <summary>The dot product of vectors along <paramref name="axis"/>, the other axes broadcast (<c>jnp.vecdot</c>, as <see cref="Linalg.Vecdot"/>).</summary>
    public static Tensor Vecdot(Tensor x1, Tensor x2, int axis = -1) => Linalg.Vecdot(x1, x2, axis);

    /// <summary>
    /// The slices of <paramref name="x"/> along <paramref name="axis"/>, each without that axis (<c>jnp.unstack</c>,
    /// the inverse of <see cref="Stack"/>).
    /// </summary>
    public static Tensor[] Unstack(Tensor x, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Ndim == 0)
            throw OpError("unstack", $"unstack requires arrays with rank > 0, got {x.Aval.ToLongString()}");
        int a = Axes.Normalize(axis, x.Ndim, "unstack", x.Aval);
        int n = StaticSizes("unstack", x)[a];
        var sizes = x.Shape.IntSizes;
        var result = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            var start = new int[x.Ndim];
            var limit = (int[])sizes.Clone();
            start[a] = i;
            limit[a] = i + 1;
            result[i] = Lax.Squeeze(Lax.Slice(x, start, limit), [a]);
        }
        return result;
    }

    /// <summary>
    /// <paramref name="a"/> with <paramref name="axis"/> moved to sit before axis <paramref name="start"/> (NumPy's
    /// <c>rollaxis</c>; <see cref="Moveaxis"/> is the clearer spelling). start runs from -ndim to ndim.
    /// </summary>
    public static Tensor Rollaxis(Tensor a, int axis, int start = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Ndim;
        int ax = Axes.Normalize(axis, n, "rollaxis", a.Aval);
        if (start < -n || start > n)
            throw OpError("rollaxis", $"start={start} must satisfy {-n} <= start <= {n} for {a.Aval.ToLongString()}");
        if (start < 0) start += n;
        if (ax < start) start--;
        return ax == start ? a : Moveaxis(a, ax, start);
    }

    /// <summary>
    /// Whether the arrays are shape-consistent (broadcastable) and equal everywhere (<c>jnp.array_equiv</c>), as a
    /// bool scalar; arrays that do not broadcast are not equivalent.
    /// </summary>
    public static Tensor ArrayEquiv(Tensor a1, Tensor a2)
    {
        ArgumentNullException.ThrowIfNull(a1);
        ArgumentNullException.ThrowIfNull(a2);
        return TryBroadcastShapes([a1.Shape, a2.Shape]) is null ? Array(false) : All(Equal(a1, a2));
    }
}
