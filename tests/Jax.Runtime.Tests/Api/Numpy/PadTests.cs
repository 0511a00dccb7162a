using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api.Numpy;

/// <summary><c>Jnp.Pad</c> in each of NumPy's modes against the outputs NumPy documents (and index arithmetic for several periods).</summary>
public class PadTests
{
    private static Tensor A => Jnp.Array(new[] { 1, 2, 3, 4, 5 });

    [Fact]
    public void Constant_pads_with_per_side_values()
    {
        Expect.Array(Jnp.Pad(A, (2, 3), "constant", Jnp.Array(new[] { 4, 6 })), DType.Int32, [10], [4, 4, 1, 2, 3, 4, 5, 6, 6, 6]);
        Expect.Array(Jnp.Pad(A, 1), DType.Int32, [7], [0, 1, 2, 3, 4, 5, 0]);
        var m = Jnp.Array(new[,] { { 1, 2 }, { 3, 4 } });
        var values = Jnp.Array(new[,] { { 9, 8 }, { 7, 6 } });
        // Axes are padded in order, so the corners take the later axis' values, as NumPy's.
        Expect.Array(Jnp.Pad(m, [(1, 1), (2, 0)], "constant", values), DType.Int32, [4, 4],
            [7, 7, 9, 9, 7, 7, 1, 2, 7, 7, 3, 4, 7, 7, 8, 8]);
        Expect.Array(Jnp.Pad(Jnp.Array(new[] { 1.5f }), (1, 0), "constant", 2.5), DType.Float32, [2], [2.5, 1.5]);
        Expect.Array(Jnp.Pad(Jnp.Array(new[] { 1f }), 1, "empty"), DType.Float32, [3], [0, 1, 0]);
    }

    [Fact]
    public void Edge_wrap_reflect_and_symmetric_match_numpys_examples()
    {
        Expect.Values(Jnp.Pad(A, (2, 3), "edge"), [1, 1, 1, 2, 3, 4, 5, 5, 5, 5]);
        Expect.Values(Jnp.Pad(A, (2, 3), "wrap"), [4, 5, 1, 2, 3, 4, 5, 1, 2, 3]);
        Expect.Values(Jnp.Pad(A, (2, 3), "reflect"), [3, 2, 1, 2, 3, 4, 5, 4, 3, 2]);
        Expect.Values(Jnp.Pad(A, (2, 3), "reflect", reflectType: "odd"), [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        Expect.Values(Jnp.Pad(A, (2, 3), "symmetric"), [2, 1, 1, 2, 3, 4, 5, 5, 4, 3]);
        Expect.Values(Jnp.Pad(A, (2, 3), "symmetric", reflectType: "odd"), [0, 1, 1, 2, 3, 4, 5, 5, 6, 7]);
        var m = Jnp.Array(new[,] { { 1, 2 }, { 3, 4 } });
        Expect.Values(Jnp.Pad(m, 1, "edge"), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    }

    /// <summary>Index of the padded element taken from the original for widths beyond one period.</summary>
    private static int Source(int i, int n, string mode)
    {
        if (mode == "wrap") return ((i % n) + n) % n;
        int period = mode == "reflect" ? 2 * (n - 1) : 2 * n;
        int k = ((i % period) + period) % period;
        return mode == "reflect" ? (k < n ? k : period - k) : (k < n ? k : period - 1 - k);
    }

    [Theory]
    [InlineData("reflect", 3, 5, 7)]
    [InlineData("symmetric", 3, 4, 8)]
    [InlineData("wrap", 3, 7, 5)]
    [InlineData("reflect", 1, 2, 3)]
    [InlineData("symmetric", 2, 5, 1)]
    public void Widths_beyond_one_period_repeat_the_pattern(string mode, int n, int before, int after)
    {
        var x = Jnp.Arange(n) * 10;
        var expected = Enumerable.Range(-before, n + before + after).Select(i => n == 1 ? 0.0 : Source(i, n, mode) * 10.0).ToArray();
        Expect.Values(Jnp.Pad(x, (before, after), mode), expected);
    }

    [Fact]
    public void Linear_ramp_and_statistics_match_numpys_examples()
    {
        Expect.Array(Jnp.Pad(A, (2, 3), "linear_ramp", endValues: Jnp.Array(new[] { 5, -4 })), DType.Int32, [10], [5, 3, 1, 2, 3, 4, 5, 2, -1, -4]);
        Expect.Values(Jnp.Pad(Jnp.Array(new[] { 1f, 2f }), (4, 0), "linear_ramp"), [0, 0.25, 0.5, 0.75, 1, 2]);
        Expect.Values(Jnp.Pad(A, (2, 2), "maximum"), [5, 5, 1, 2, 3, 4, 5, 5, 5]);
        Expect.Values(Jnp.Pad(A, (2, 2), "mean"), [3, 3, 1, 2, 3, 4, 5, 3, 3]);
        // Means of integers round half to even: 1.5 -> 2, 4.5 -> 4.
        Expect.Values(Jnp.Pad(A, 2, "mean", statLength: 2), [2, 2, 1, 2, 3, 4, 5, 4, 4]);
        Expect.Values(Jnp.Pad(Jnp.Array(new[] { 1f, 2f, 4f }), (1, 2), "mean"), [7 / 3.0, 1, 2, 4, 7 / 3.0, 7 / 3.0], 1e-6);
        var m = Jnp.Array(new[,] { { 1, 2 }, { 3, 4 } });
        Expect.Array(Jnp.Pad(m, [(3, 2), (2, 3)], "minimum"), DType.Int32, [7, 7],
        [
            1, 1, 1, 2, 1, 1, 1,
            1, 1, 1, 2, 1, 1, 1,
            1, 1, 1, 2, 1, 1, 1,
            1, 1, 1, 2, 1, 1, 1,
            3, 3, 3, 4, 3, 3, 3,
            1, 1, 1, 2, 1, 1, 1,
            1, 1, 1, 2, 1, 1, 1,
        ]);
    }

    [Fact]
    public void Padding_is_differentiable_and_runs_under_jit_and_vmap()
    {
        var x = Jnp.Array(new[,] { { 0.5f, -1f, 2f }, { 3f, 0.25f, -2f } });
        foreach (var mode in new[] { "constant", "edge", "wrap", "reflect", "symmetric", "linear_ramp", "mean", "maximum" })
            GradientCheck.CheckGrads(a => [Jnp.Pad(a[0], [(1, 2), (4, 3)], mode)], [x]);
        GradientCheck.CheckGrads(a => [Jnp.Pad(a[0], (3, 2), "reflect", reflectType: "odd")], [x]);
        var jitted = Jax.Jit((Tensor t) => Jnp.Pad(t, (2, 1), "symmetric"));
        Expect.Values(jitted(x), Jnp.Pad(x, (2, 1), "symmetric").ToArray<double>());
        var rows = Jax.Vmap((Tensor r) => Jnp.Pad(r, (1, 2), "reflect"))(x);
        Expect.Shape(rows, 2, 6);
        Expect.Values(rows, [-1, 0.5, -1, 2, -1, 0.5, 0.25, 3, 0.25, -2, 0.25, 3]);
    }

    [Fact]
    public void Bad_arguments_name_pad_and_the_values()
    {
        Expect.Error(() => Jnp.Pad(A, (-1, 2)), "pad", "negative", "PadTests.cs(");
        Expect.Error(() => Jnp.Pad(A, 1, "median"), "pad", "'median'", "PadTests.cs(");
        Expect.Error(() => Jnp.Pad(A, [(1, 1), (1, 1)]), "pad", "2 (before, after) pairs", "1 dimensions");
        Expect.Error(() => Jnp.Pad(Jnp.Zeros([0, 2]), 1, "reflect"), "pad", "empty axis 0");
        Expect.Error(() => Jnp.Pad(A, 1, "constant", Jnp.Array(new[] { 1, 2, 3 })), "pad", "constant_values");
        Expect.Error(() => Jnp.Pad(A, 1, "edge", Jnp.Array(1)), "pad", "constant_values");
        Expect.Error(() => Jnp.Pad(A, 1, "reflect", reflectType: "both"), "pad", "reflect_type");
        Assert.Throws<ArgumentNullException>(() => Jnp.Pad(null!, 1));
    }
}
