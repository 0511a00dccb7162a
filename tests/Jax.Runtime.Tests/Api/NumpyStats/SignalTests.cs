using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Oracle.Torch;

namespace JaxToolchain.Runtime.Tests.Api.NumpyStats;

/// <summary>Convolution, differences, gradients, interpolation, products and integration against NumPy's documented values, TorchSharp, and finite differences.</summary>
public class SignalTests
{
    private static Tensor A(params double[] values) => Jnp.Array(values);

    /// <summary>The full convolution by its definition.</summary>
    private static double[] FullConvolution(double[] a, double[] v)
    {
        var r = new double[a.Length + v.Length - 1];
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < v.Length; j++) r[i + j] += a[i] * v[j];
        return r;
    }

    [Fact]
    public void Convolve_and_correlate_match_numpy()
    {
        Expect.Values(Jnp.Convolve(A(1, 2, 3), A(0, 1, 0.5)), [0, 1, 2.5, 4, 1.5], 1e-6);
        Expect.Values(Jnp.Convolve(A(1, 2, 3), A(0, 1, 0.5), ConvolveMode.Same), [1, 2.5, 4], 1e-6);
        Expect.Values(Jnp.Convolve(A(1, 2, 3), A(0, 1, 0.5), ConvolveMode.Valid), [2.5], 1e-6);
        Expect.Values(Jnp.Correlate(A(1, 2, 3), A(0, 1, 0.5)), [3.5], 1e-6);
        Expect.Values(Jnp.Correlate(A(1, 2, 3), A(0, 1, 0.5), ConvolveMode.Same), [2, 3.5, 3], 1e-6);
        Expect.Values(Jnp.Correlate(A(1, 2, 3), A(0, 1, 0.5), ConvolveMode.Full), [0.5, 2, 3.5, 3, 0], 1e-6);
        Expect.Values(Jnp.Correlate(A(0, 1, 0.5), A(1, 2, 3), ConvolveMode.Full), [0, 3, 3.5, 2, 0.5], 1e-6);
        double[] a = [0.5, -1, 2, 3, 0.25, -2, 1], v = [1, -0.5, 2, 0.75];
        Expect.Values(Jnp.Convolve(A(a), A(v)), FullConvolution(a, v), 1e-5);
        Expect.Values(Jnp.Convolve(A(v), A(a)), FullConvolution(a, v), 1e-5);
        Expect.Values(Jnp.Convolve(A(v), A(a), ConvolveMode.Same), FullConvolution(a, v)[1..8], 1e-5);
        Expect.Values(Jnp.Convolve(A(a), A(v), ConvolveMode.Valid), FullConvolution(a, v)[3..7], 1e-5);
        Assert.Equal(Jax.Config.DefaultFloat, Jnp.Convolve(Jnp.Array(new[] { 1, 2 }), Jnp.Array(new[] { 3 })).DType);
    }

    [Fact]
    public void Convolve_differentiates_and_runs_under_jit_and_vmap()
    {
        using var _ = Jax.Config.X64Scope(true);
        GradientCheck.CheckGrads(x => [Jnp.Convolve(x[0], x[1], ConvolveMode.Same)], [A(0.5, -1, 2, 3), A(1, -0.5, 2)]);
        GradientCheck.CheckGrads(x => [Jnp.Correlate(x[0], x[1], ConvolveMode.Full)], [A(0.5, -1, 2), A(1, -0.5, 2, 0.3)]);
        var kernel = A(1, 2);
        Expect.Values(Jax.Jit((Tensor x) => Jnp.Convolve(x, kernel))(A(1, 1, 1)), [1, 3, 3, 2], 1e-12);
        Expect.Values(Jax.Vmap((Tensor x) => Jnp.Convolve(x, kernel, ConvolveMode.Valid))(Jnp.Array(new[,] { { 1.0, 2, 3 }, { 0, 1, 0 } })), [4, 7, 1, 2], 1e-12);
    }

    [Fact]
    public void Diff_and_ediff1d_match_numpy_and_torch()
    {
        Expect.Values(Jnp.Diff(A(1, 2, 4, 7, 0)), [1, 2, 3, -7]);
        Expect.Values(Jnp.Diff(A(1, 2, 4, 7, 0), 2), [1, 1, -10]);
        var x = Jnp.Array(new[,] { { 1.0, 3, 6, 10 }, { 0, 5, 6, 8 } });
        Expect.Values(Jnp.Diff(x), [2, 3, 4, 5, 1, 2]);
        Expect.Values(Jnp.Diff(x, axis: 0), [-1, 2, 0, -2]);
        Expect.Values(Jnp.Diff(A(1, 2, 4), prepend: 0, append: 10), [1, 1, 2, 6]);
        Expect.Bools(Jnp.Diff(Jnp.Array(new[] { true, true, false })), false, true);
        Expect.Values(Jnp.Ediff1d(A(1, 2, 4, 7, 0), A(88, 99), -99), [-99, 1, 2, 3, -7, 88, 99]);
        Assert.Same(x, Jnp.Diff(x, 0));
        double[] data = [0.3, -1, 2.5, 4, 0, 1.25, 7, -3, 2, 2, 5, 1];
        using var scope = torch.NewDisposeScope();
        var expected = ToDoubles(torch.diff(torch.diff(From(data, 3, 4), 1, 1), 1, 1));
        Expect.Values(Jnp.Diff(Jnp.Array(data).Reshape(3, 4), 2, 1), expected, 1e-6);
    }

    [Fact]
    public void Gradient_matches_numpy_examples()
    {
        var f = A(1, 2, 4, 7, 11, 16);
        Expect.Values(Jnp.Gradient(f)[0], [1, 1.5, 2.5, 3.5, 4.5, 5], 1e-6);
        Expect.Values(Jnp.Gradient(f, [2.0])[0], [0.5, 0.75, 1.25, 1.75, 2.25, 2.5], 1e-6);
        Expect.Values(Jnp.Gradient(f, 0, A(0, 1, 1.5, 3.5, 4, 6)), [1, 3, 3.5, 6.7, 6.9, 2.5], 1e-5);
        var m = Jnp.Array(new[,] { { 1.0, 2, 6 }, { 3, 4, 5 } });
        var both = Jnp.Gradient(m);
        Expect.Values(both[0], [2, 2, -1, 2, 2, -1], 1e-6);
        Expect.Values(both[1], [1, 2.5, 4, 1, 1, 1], 1e-6);
        Expect.Values(Jnp.Gradient(m, [2.0], [1])[0], [0.5, 1.25, 2, 0.5, 0.5, 0.5], 1e-6);
        Expect.Values(Jax.Jit((Tensor v) => Jnp.Gradient(v, 0))(f), [1, 1.5, 2.5, 3.5, 4.5, 5], 1e-6);
    }

    [Fact]
    public void Interp_matches_numpy_examples()
    {
        var xp = A(1, 2, 3);
        var fp = A(3, 2, 0);
        Expect.Values(Jnp.Interp(2.5, xp, fp), [1], 1e-6);
        Expect.Values(Jnp.Interp(A(0, 1, 1.5, 2.72, 3.14), xp, fp), [3, 3, 2.5, 0.56, 0], 1e-6);
        Expect.Values(Jnp.Interp(3.14, xp, fp, right: -99), [-99]);
        Expect.Values(Jnp.Interp(A(0, 5), xp, fp, left: 10, right: 20), [10, 20]);
        var x = A(-180, -170, -185, 185, -10, -5, 0, 365);
        Expect.Values(Jnp.Interp(x, A(190, -190, 350, -350), A(5, 10, 3, 4), period: 360), [7.5, 5, 8.75, 6.25, 3, 3.25, 3.5, 3.75], 1e-5);
    }

    [Fact]
    public void Interp_differentiates_and_runs_under_jit_and_vmap()
    {
        using var _ = Jax.Config.X64Scope(true);
        GradientCheck.CheckGrads(a => [Jnp.Interp(a[0], A(0, 1, 2.5, 4), a[1])], [A(0.3, 1.7, 3.1), A(1, -2, 0.5, 3)]);
        var xp = A(1, 2, 3);
        var fp = A(3, 2, 0);
        Expect.Values(Jax.Jit((Tensor x) => Jnp.Interp(x, xp, fp))(A(1.5, 2.5)), [2.5, 1], 1e-12);
        Expect.Values(Jax.Vmap((Tensor f) => Jnp.Interp(1.5, xp, f))(Jnp.Array(new[,] { { 0.0, 1, 2 }, { 4, 2, 0 } })), [0.5, 3], 1e-12);
    }

    [Fact]
    public void Kron_and_cross_match_numpy_and_torch()
    {
        Expect.Values(Jnp.Kron(A(1, 10, 100), A(5, 6, 7)), [5, 6, 7, 50, 60, 70, 500, 600, 700]);
        var block = Jnp.Kron(Jnp.Eye(2), Jnp.Ones([2, 2]));
        Expect.Shape(block, 4, 4);
        Expect.Values(block, [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
        double[] a = [1, -2, 3, 0.5, 4, 2], b = [0.25, 1, -1, 2, 3, 0.5, 1, 1, -2, 0, 1.5, 2];
        using var scope = torch.NewDisposeScope();
        Expect.Values(Jnp.Kron(Jnp.Array(a).Reshape(2, 3), Jnp.Array(b).Reshape(3, 4)), ToDoubles(torch.kron(From(a, 2, 3), From(b, 3, 4))), 1e-6);
        Expect.Values(Jnp.Kron(Jnp.Array(a), Jnp.Array(b).Reshape(3, 4)), ToDoubles(torch.kron(From(a, 1, 6), From(b, 3, 4))), 1e-6);
        Expect.Values(Jnp.Cross(A(1, 2, 3), A(4, 5, 6)), [-3, 6, -3]);
        Expect.Values(Jnp.Cross(A(1, 2), A(4, 5)), [-3]);
        Expect.Values(Jnp.Cross(A(1, 2), A(4, 5, 6)), [12, -6, -3]);
        var x = Jnp.Array(new[,] { { 1.0, 2, 3 }, { 4, 5, 6 } });
        var y = Jnp.Array(new[,] { { 4.0, 5, 6 }, { 1, 2, 3 } });
        Expect.Values(Jnp.Cross(x, y), [-3, 6, -3, 3, -6, 3]);
        Expect.Values(Jnp.Cross(x, y, axisc: 0), [-3, 3, 6, -6, -3, 3]);
        Expect.Values(Jnp.Cross(Jnp.Transpose(x), Jnp.Transpose(y), axis: 0), [-3, 3, 6, -6, -3, 3]);
        double[] p = [0.5, -1, 2, 3, 0.25, -2, 1, 4, -0.5, 2, 2, 1], q = [1, 2, -3, 0.5, 1, 1, -2, 0, 3, 1, -1, 0.5];
        Expect.Values(Jnp.Cross(Jnp.Array(p).Reshape(4, 3), Jnp.Array(q).Reshape(4, 3)),
            ToDoubles(torch.linalg.cross(From(p, 4, 3), From(q, 4, 3))), 1e-6);
    }

    [Fact]
    public void Products_differentiate_and_batch()
    {
        using var _ = Jax.Config.X64Scope(true);
        GradientCheck.CheckGrads(t => [Jnp.Cross(t[0], t[1])], [Jnp.Array(new[] { 0.5, -1, 2, 3, 0.25, -2 }).Reshape(2, 3), Jnp.Array(new[] { 1, 2, -3, 0.5, 1, 1.5 }).Reshape(2, 3)]);
        GradientCheck.CheckGrads(t => [Jnp.Kron(t[0], t[1])], [A(0.5, -1), Jnp.Array(new[] { 1, 2, -3, 0.5 }).Reshape(2, 2)]);
        GradientCheck.CheckGrads(t => Jnp.Diff(t, 2, prepend: 1.5), A(0.3, -1, 2.5, 4));
        GradientCheck.CheckGrads(t => Jnp.Trapezoid(t, A(0, 0.5, 2, 3)), A(0.3, -1, 2.5, 4));
        var batched = Jax.Vmap((Tensor u, Tensor v) => Jnp.Cross(u, v), (0, null))(Jnp.Eye(3), A(0, 0, 1));
        Expect.Values(batched, [0, -1, 0, 1, 0, 0, 0, 0, 0]);
        Expect.Values(Jax.Jit((Tensor u, Tensor v) => Jnp.Kron(u, v))(A(1, 2), A(1, -1)), [1, -1, 2, -2]);
    }

    [Fact]
    public void Trapezoid_matches_numpy()
    {
        Expect.Values(Jnp.Trapezoid(A(1, 2, 3)), [4]);
        Expect.Values(Jnp.Trapezoid(A(1, 2, 3), A(4, 6, 8)), [8]);
        Expect.Values(Jnp.Trapezoid(A(1, 2, 3), dx: 2), [8]);
        var a = Jnp.Arange(6.0).Reshape(2, 3);
        Expect.Values(Jnp.Trapezoid(a, axis: 0), [1.5, 2.5, 3.5]);
        Expect.Values(Jnp.Trapezoid(a, axis: 1), [2, 8]);
        Expect.Values(Jnp.Trapezoid(a, Jnp.Array(new[,] { { 0.0, 1, 3 }, { 0, 2, 3 } })), [3.5, 11.5]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        Expect.Error(() => Jnp.Convolve(Jnp.Ones([2, 2]), A(1)), "convolve", "1-dimensional");
        Expect.Error(() => Jnp.Correlate(Jnp.Zeros([0]), A(1)), "correlate", "empty");
        Expect.Error(() => Jnp.Diff(A(1, 2), -1), "diff", "non-negative");
        Expect.Error(() => Jnp.Diff(Jnp.Array(1.0)), "diff", "at least one dimensional");
        Expect.Error(() => Jnp.Gradient(A(1)), "gradient", "at least 2");
        Expect.Error(() => Jnp.Gradient(A(1, 2, 3), 0, A(1, 2)), "gradient", "length");
        Expect.Error(() => Jnp.Gradient(A(1, 2, 3), edgeOrder: 2), "gradient", "edge_order");
        Expect.Error(() => Jnp.Interp(1, A(1, 2), A(1, 2, 3)), "interp", "equal size");
        Expect.Error(() => Jnp.Cross(A(1, 2, 3, 4), A(1, 2, 3)), "cross", "2 or 3");
        Expect.Error(() => Jnp.Trapezoid(A(1, 2, 3), A(1, 2)), "trapezoid", "samples");
        Assert.Throws<ArgumentNullException>("v", () => Jnp.Convolve(A(1), null!));
    }
}
