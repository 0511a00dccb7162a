using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.numpy's window functions: bartlett, blackman, hamming, hanning, kaiser (symmetric windows, as NumPy's).
public static partial class Jnp
{
    /// <summary>
    /// The window's sample positions n = 0 .. M-1 in the default float dtype, or null when the window is trivial
    /// (M &lt;= 1: empty or [1]); <paramref name="trivial"/> is that window.
    /// </summary>
    private static Tensor? WindowPositions(string op, int m, out Tensor trivial)
    {
        if (m < 0) throw OpError(op, $"{op}: the number of points M must be non-negative, got {m}");
        var dtype = Jax.Config.DefaultFloat;
        trivial = Ones([m], dtype);
        return m <= 1 ? null : Lax.Iota(dtype, Shape.Of([m]), 0);
    }

    /// <summary>a0 - a1 cos(2 pi n / (M-1)) + a2 cos(4 pi n / (M-1)): the generalized cosine windows.</summary>
    private static Tensor CosineWindow(string op, int m, double a0, double a1, double a2)
    {
        if (WindowPositions(op, m, out var trivial) is not { } n) return trivial;
        var phase = Multiply(n, 2 * Math.PI / (m - 1));
        var w = Subtract(a0, Multiply(a1, Cos(phase)));
        return a2 == 0 ? w : Add(w, Multiply(a2, Cos(Multiply(phase, 2.0))));
    }

    /// <summary>
    /// The Bartlett (triangular) window of <paramref name="m"/> points (<c>jnp.bartlett</c>): 1 - |2n/(M-1) - 1|,
    /// zero at both ends and 1 in the middle; empty for M = 0 and [1] for M = 1.
    /// </summary>
    public static Tensor Bartlett(int m)
    {
        if (WindowPositions("bartlett", m, out var trivial) is not { } n) return trivial;
        return Subtract(1.0, Abs(Subtract(Multiply(n, 2.0 / (m - 1)), 1.0)));
    }

    /// <summary>The Blackman window of <paramref name="m"/> points (<c>jnp.blackman</c>): 0.42 - 0.5 cos(2 pi n/(M-1)) + 0.08 cos(4 pi n/(M-1)).</summary>
    public static Tensor Blackman(int m) => CosineWindow("blackman", m, 0.42, 0.5, 0.08);

    /// <summary>The Hamming window of <paramref name="m"/> points (<c>jnp.hamming</c>): 0.54 - 0.46 cos(2 pi n/(M-1)).</summary>
    public static Tensor Hamming(int m) => CosineWindow("hamming", m, 0.54, 0.46, 0);

    /// <summary>The Hann window of <paramref name="m"/> points (<c>jnp.hanning</c>): 0.5 - 0.5 cos(2 pi n/(M-1)).</summary>
    public static Tensor Hanning(int m) => CosineWindow("hanning", m, 0.5, 0.5, 0);

    /// <summary>
    /// The Kaiser window of <paramref name="m"/> points and shape <paramref name="beta"/> (<c>jnp.kaiser</c>):
    /// I0(beta sqrt(1 - (2n/(M-1) - 1)^2)) / I0(beta), through <see cref="I0"/>.
    /// </summary>
    public static Tensor Kaiser(int m, double beta)
    {
        if (WindowPositions("kaiser", m, out var trivial) is not { } n) return trivial;
        var r = Subtract(Multiply(n, 2.0 / (m - 1)), 1.0);
        var b = Full([], beta, n.DType);
        return Divide(I0(Multiply(b, Sqrt(Maximum(Subtract(1.0, Square(r)), 0.0)))), I0(b));
    }
}
