namespace JaxToolchain.Runtime.Tests.Api.NumpyStats;

/// <summary>Polynomial helpers against NumPy's documented results, Polyfit on exact data, gradients and jit/vmap of Polyval.</summary>
public class PolynomialTests
{
    private static Tensor A(params double[] values) => Jnp.Array(values);

    [Fact]
    public void Arithmetic_matches_numpy()
    {
        Expect.Values(Jnp.Poly(A(1, 2, 3)), [1, -6, 11, -6], 1e-6);
        Expect.Values(Jnp.Poly(Jnp.Zeros([0])), [1]);
        Expect.Values(Jnp.Polyval(A(3, 0, 1), 5), [76]);
        Expect.Values(Jnp.Polyval(A(3, 0, 1), A(0, 1, 2)), [1, 4, 13]);
        Expect.Values(Jnp.Polyadd(A(1, 2), A(9, 5, 4)), [9, 6, 6]);
        Expect.Values(Jnp.Polysub(A(2, 10, -2), A(3, 10, -4)), [-1, 0, 2]);
        Expect.Values(Jnp.Polymul(A(1, 2, 3), A(9, 5, 1)), [9, 23, 38, 17, 3], 1e-6);
        var (q, r) = Jnp.Polydiv(A(3, 5, 2), A(2, 1));
        Expect.Values(q, [1.5, 1.75], 1e-6);
        Expect.Values(r, [0, 0, 0.25], 1e-6);
        Expect.Values(Jnp.Polyder(A(1, 1, 1, 1)), [3, 2, 1]);
        Expect.Values(Jnp.Polyder(A(1, 1, 1, 1), 2), [6, 2]);
        Expect.Values(Jnp.Polyder(A(5), 1), []);
        Expect.Values(Jnp.Polyint(A(1, 1, 1)), [1.0 / 3, 0.5, 1, 0], 1e-6);
        Expect.Values(Jnp.Polyint(A(1, 1, 1), 2, A(1, 2)), [1.0 / 12, 1.0 / 6, 0.5, 1, 2], 1e-6);
        Expect.Values(Jnp.Polyint(A(6), 1, 3), [6, 3], 1e-6);
    }

    [Fact]
    public void Polyfit_recovers_exact_polynomials()
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = A(-2, -1, 0, 0.5, 1, 2, 3);
        var y = Jnp.Polyval(A(0.5, -1, 2, 3), x);
        Expect.Values(Jnp.Polyfit(x, y, 3), [0.5, -1, 2, 3], 1e-9);
        Expect.Values(Jnp.Polyfit(x, y, 3, Jnp.Array(new[] { 1.0, 2, 1, 3, 1, 2, 1 })), [0.5, -1, 2, 3], 1e-9);
        var twoSets = Jnp.Stack([y, Jnp.Polyval(A(1, 0, -4, 1), x)], 1);
        Expect.Values(Jnp.Polyfit(x, twoSets, 3), [0.5, 1, -1, 0, 2, -4, 3, 1], 1e-9);
        // A line through noisy points: the least-squares slope and intercept of (0,1), (1,3), (2,2): 0.5 and 1.5.
        Expect.Values(Jnp.Polyfit(A(0, 1, 2), A(1, 3, 2), 1), [0.5, 1.5], 1e-12);
    }

    [Fact]
    public void Polyval_gradients_and_transformations()
    {
        using var _ = Jax.Config.X64Scope(true);
        GradientCheck.CheckGrads(a => [Jnp.Polyval(a[0], a[1])], [A(0.7, -1.2, 0.3, 2.0), A(0.4, -1.1, 1.6)]);
        GradientCheck.CheckGrads(p => Jnp.Polymul(p, A(1, -2)), A(0.5, 1.5, -0.25));
        GradientCheck.CheckGrads(a => [Jnp.Polyfit(A(0, 1, 2, 3), a[0], 1)], [A(1, 3, 2, 5)]);
        var p = A(3, 0, 1);
        Expect.Values(Jax.Jit((Tensor v) => Jnp.Polyval(p, v))(A(0, 1, 2)), [1, 4, 13], 1e-12);
        Expect.Values(Jax.Vmap((Tensor c) => Jnp.Polyval(c, 2.0))(Jnp.Array(new[,] { { 1.0, 0 }, { 1, 1 } })), [2, 3], 1e-12);
        Expect.Values(Jax.Grad((Tensor v) => Jnp.Polyval(p, v))(Jnp.Array(2.0)), [12], 1e-12);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        Expect.Error(() => Jnp.Poly(Jnp.Ones([2, 2])), "poly", "eigenvalues");
        Expect.Error(() => Jnp.Polyder(A(1, 2), -1), "polyder", "positive");
        Expect.Error(() => Jnp.Polyint(A(1, 2), 2, A(1, 2, 3)), "polyint", "k must be");
        Expect.Error(() => Jnp.Polyfit(A(1, 2), A(1, 2, 3), 1), "polyfit", "same length");
        Expect.Error(() => Jnp.Polyval(Jnp.Ones([2, 2]), 1), "polyval", "1-D");
        Assert.Throws<ArgumentNullException>("v", () => Jnp.Polydiv(A(1), null!));
    }
}
