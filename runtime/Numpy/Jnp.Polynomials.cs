using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    private static void RequirePolynomial(string op, Tensor p, string name)
    {
        ArgumentNullException.ThrowIfNull(p, name);
        if (p.Ndim != 1) throw OpError(op, $"{name} must be a 1-D array of coefficients (highest power first), got {p.Aval.ToLongString()}");
    }

    /// <summary>
    /// The coefficients (highest power first) of the monic polynomial with the given roots (<c>jnp.poly</c> of a 1-D
    /// array): the product of the factors (x - r). The characteristic polynomial of a matrix needs an eigenvalue
    /// solver, which this library does not have, and is refused.
    /// </summary>
    public static Tensor Poly(Tensor seqOfZeros)
    {
        ArgumentNullException.ThrowIfNull(seqOfZeros);
        if (seqOfZeros.Ndim != 1)
            throw OpError("poly", $"input must be a 1-D array of roots (the characteristic polynomial of a matrix needs eigenvalues, which are not available), got {seqOfZeros.Aval.ToLongString()}");
        var roots = PromoteDTypesInexact(seqOfZeros)[0];
        var a = Ones([1], roots.DType);
        int n = (int)roots.Shape[0].Size;
        for (int k = 0; k < n; k++)
            a = Convolve(a, Stack([Ones([], roots.DType), Negative(roots[k])]));
        return a;
    }

    /// <summary>The polynomial <paramref name="p"/> (highest power first) evaluated at <paramref name="x"/> by Horner's rule (<c>jnp.polyval</c>).</summary>
    public static Tensor Polyval(Tensor p, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(x);
        RequirePolynomial("polyval", p, nameof(p));
        var promoted = PromoteDTypesInexact(p, x);
        (p, x) = (promoted[0], promoted[1]);
        var y = ZerosLike(x);
        int n = (int)p.Shape[0].Size;
        for (int i = 0; i < n; i++) y = Add(Multiply(y, x), p[i]);
        return y;
    }

    /// <summary>p with <paramref name="count"/> leading zeros.</summary>
    private static Tensor PadFront(Tensor p, int count) =>
        count == 0 ? p : Lax.Pad(p, Cast(Scalars.WeakInt(0), p.DType), [count], [0], [0]);

    private static Tensor PolyAddSub(string op, Tensor a1, Tensor a2, bool subtract)
    {
        RequirePolynomial(op, a1, nameof(a1));
        RequirePolynomial(op, a2, nameof(a2));
        var promoted = PromoteDTypes(a1, a2);
        (a1, a2) = (promoted[0], promoted[1]);
        int n1 = (int)a1.Shape[0].Size, n2 = (int)a2.Shape[0].Size;
        a1 = PadFront(a1, Math.Max(0, n2 - n1));
        a2 = PadFront(a2, Math.Max(0, n1 - n2));
        return subtract ? Subtract(a1, a2) : Add(a1, a2);
    }

    /// <summary>The sum of two polynomials (<c>jnp.polyadd</c>).</summary>
    public static Tensor Polyadd(Tensor a1, Tensor a2)
    {
        ArgumentNullException.ThrowIfNull(a1);
        ArgumentNullException.ThrowIfNull(a2);
        return PolyAddSub("polyadd", a1, a2, subtract: false);
    }

    /// <summary>The difference of two polynomials (<c>jnp.polysub</c>).</summary>
    public static Tensor Polysub(Tensor a1, Tensor a2)
    {
        ArgumentNullException.ThrowIfNull(a1);
        ArgumentNullException.ThrowIfNull(a2);
        return PolyAddSub("polysub", a1, a2, subtract: true);
    }

    /// <summary>The product of two polynomials (<c>jnp.polymul</c>): the full convolution of the coefficients.</summary>
    public static Tensor Polymul(Tensor a1, Tensor a2)
    {
        ArgumentNullException.ThrowIfNull(a1);
        ArgumentNullException.ThrowIfNull(a2);
        RequirePolynomial("polymul", a1, nameof(a1));
        RequirePolynomial("polymul", a2, nameof(a2));
        var promoted = PromoteDTypesInexact(a1, a2);
        (a1, a2) = (promoted[0], promoted[1]);
        if (a1.Size == 0) a1 = Zeros([1], a1.DType);
        if (a2.Size == 0) a2 = Zeros([1], a2.DType);
        return Convolve(a1, a2);
    }

    /// <summary>
    /// The quotient and remainder of polynomial division <paramref name="u"/> / <paramref name="v"/>
    /// (<c>jnp.polydiv</c>, whose remainder keeps u's length, leading zeros untrimmed).
    /// </summary>
    public static (Tensor Quotient, Tensor Remainder) Polydiv(Tensor u, Tensor v)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(v);
        RequirePolynomial("polydiv", u, nameof(u));
        RequirePolynomial("polydiv", v, nameof(v));
        if (u.Size == 0 || v.Size == 0) throw OpError("polydiv", $"polynomials must not be empty, got {u.Aval.ToLongString()} and {v.Aval.ToLongString()}");
        var promoted = PromoteDTypesInexact(u, v);
        (u, v) = (promoted[0], promoted[1]);
        int m = (int)u.Shape[0].Size - 1, n = (int)v.Shape[0].Size - 1;
        var scale = Divide(1, v[0]);
        var r = u;
        var q = new List<Tensor>();
        for (int k = 0; k <= m - n; k++)
        {
            var d = Multiply(scale, r[k]);
            q.Add(d);
            var shifted = Lax.Pad(Multiply(d, v), Cast(Scalars.WeakInt(0), r.DType), [k], [m - n - k], [0]);
            r = Subtract(r, shifted);
        }
        var quotient = q.Count == 0 ? Zeros([1], u.DType) : Stack(q);
        return (quotient, r);
    }

    /// <summary>The <paramref name="m"/>-th derivative of a polynomial (<c>jnp.polyder</c>).</summary>
    public static Tensor Polyder(Tensor p, int m = 1)
    {
        ArgumentNullException.ThrowIfNull(p);
        RequirePolynomial("polyder", p, nameof(p));
        if (m < 0) throw OpError("polyder", $"order of derivative must be positive, got {m}");
        p = PromoteDTypesInexact(p)[0];
        for (int i = 0; i < m; i++)
        {
            int n = (int)p.Shape[0].Size;
            if (n <= 1) return Zeros([0], p.DType);
            var powers = Arange(n - 1.0, 0.0, -1.0, p.DType);
            p = Multiply(Lax.Slice(p, [0], [n - 1]), powers);
        }
        return p;
    }

    /// <summary>
    /// The <paramref name="m"/>-th antiderivative of a polynomial (<c>jnp.polyint</c>) with integration constants
    /// <paramref name="k"/> (a scalar for all, or m values, the first for the first integration; zeros by default).
    /// </summary>
    public static Tensor Polyint(Tensor p, int m = 1, Tensor? k = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        RequirePolynomial("polyint", p, nameof(p));
        if (m < 0) throw OpError("polyint", $"order of integral must be positive, got {m}");
        if (m == 0) return p;
        Tensor constants;
        if (k is null) constants = Zeros([m], PromoteDTypesInexact(p)[0].DType);
        else
        {
            var flat = Ravel(k);
            if (flat.Size == 1) constants = BroadcastToShape(Reshape(flat, []), Shape.Of([m]));
            else if (flat.Size == m && k.Ndim == 1) constants = flat;
            else throw OpError("polyint", $"k must be a scalar or a rank-1 array of length 1 or m ({m}), got {k.Aval.ToLongString()}");
        }
        var promoted = PromoteDTypesInexact(p, constants);
        (p, constants) = (promoted[0], promoted[1]);
        for (int i = 0; i < m; i++)
        {
            int n = (int)p.Shape[0].Size;
            var divided = Divide(p, Arange((double)n, 0.0, -1.0, p.DType));
            p = Concatenate([divided, Reshape(constants[i], 1)]);
        }
        return p;
    }

    /// <summary>
    /// The least-squares polynomial fit of degree <paramref name="deg"/> to the points (x, y) (<c>jnp.polyfit</c>;
    /// y 1-D, or 2-D with one data set per column), optionally weighting each residual by <paramref name="w"/>.
    /// Solved by the normal equations of the column-scaled Vandermonde matrix with a Cholesky factorisation, so it
    /// suits modest degrees; coefficients come highest power first.
    /// </summary>
    public static Tensor Polyfit(Tensor x, Tensor y, int deg, Tensor? w = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (deg < 0) throw OpError("polyfit", $"expected deg >= 0, got {deg}");
        if (x.Ndim != 1 || x.Size == 0) throw OpError("polyfit", $"expected a non-empty 1-D vector for x, got {x.Aval.ToLongString()}");
        if (y.Ndim is < 1 or > 2) throw OpError("polyfit", $"expected a 1-D or 2-D array for y, got {y.Aval.ToLongString()}");
        if (x.Shape[0] != y.Shape[0]) throw OpError("polyfit", $"expected x and y to have the same length, got {x.Aval.ToLongString()} and {y.Aval.ToLongString()}");
        var promoted = PromoteDTypesInexact(x, y);
        (x, y) = (promoted[0], promoted[1]);
        int order = deg + 1;
        var powers = new Tensor[order];
        powers[order - 1] = OnesLike(x);
        for (int i = order - 2; i >= 0; i--) powers[i] = Multiply(powers[i + 1], x);
        var lhs = Stack(powers, 1);
        var rhs = y.Ndim == 1 ? Reshape(y, -1, 1) : y;
        if (w is not null)
        {
            if (w.Ndim != 1 || w.Shape[0] != x.Shape[0])
                throw OpError("polyfit", $"expected a 1-D w with the length of y, got {w.Aval.ToLongString()} for {y.Aval.ToLongString()}");
            var column = Reshape(w, -1, 1);
            lhs = Multiply(lhs, column);
            rhs = Multiply(rhs, column);
        }
        var scale = Sqrt(Sum(Multiply(lhs, lhs), 0));
        lhs = Divide(lhs, scale);
        var solution = SolveSymmetricPositiveDefinite(Matmul(Transpose(lhs), lhs), Matmul(Transpose(lhs), rhs));
        var coefficients = Divide(solution, Reshape(scale, -1, 1));
        return y.Ndim == 1 ? Reshape(coefficients, -1) : coefficients;
    }

    /// <summary>X with A X = B for a small symmetric positive-definite A: Cholesky, then two unrolled triangular solves.</summary>
    private static Tensor SolveSymmetricPositiveDefinite(Tensor a, Tensor b)
    {
        var l = Linalg.Cholesky(a);
        int n = (int)a.Shape[0].Size;
        var z = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            var acc = b[i];
            for (int j = 0; j < i; j++) acc = Subtract(acc, Multiply(l[i, j], z[j]));
            z[i] = Divide(acc, l[i, i]);
        }
        var x = new Tensor[n];
        for (int i = n - 1; i >= 0; i--)
        {
            var acc = z[i];
            for (int j = i + 1; j < n; j++) acc = Subtract(acc, Multiply(l[j, i], x[j]));
            x[i] = Divide(acc, l[i, i]);
        }
        return Stack(x);
    }
}
