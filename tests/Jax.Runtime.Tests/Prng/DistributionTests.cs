using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Prng;

/// <summary>
/// The samplers of <c>Jax.Random.Distributions.cs</c>: moments of large samples against the closed forms (the mean within
/// 5 standard errors; the variance within a stated relative tolerance, several standard errors of the sample variance
/// for that distribution's kurtosis), supports, determinism, shapes and dtypes, jit and vmap, and the errors.
/// </summary>
public class DistributionTests
{
    private const int N = 20000;

    // The gamma-based samplers run one rejection loop per element; a smaller sample keeps each test short.
    private const int GammaN = 4000;

    private static readonly Tensor Key = Jax.Random.PRNGKey(2024);

    private static (double Mean, double Variance) Moments(double[] x)
    {
        double mean = x.Average();
        return (mean, x.Select(v => (v - mean) * (v - mean)).Average());
    }

    private static void AssertMoments(string name, double[] x, double mean, double variance, double varianceTolerance)
    {
        var (m, v) = Moments(x);
        Assert.True(Math.Abs(m - mean) < 5 * Math.Sqrt(variance / x.Length), $"{name}: mean {m} vs {mean}");
        Assert.True(Math.Abs(v - variance) < varianceTolerance * variance, $"{name}: variance {v} vs {variance}");
    }

    private static double[] Doubles(Tensor x) => Jnp.Astype(x, DType.Float64).ToArray<double>();

    public static TheoryData<string> Continuous() =>
        new(["pareto", "lognormal", "rayleigh", "wald", "triangular", "weibull_min", "maxwell", "double_sided_maxwell"]);

    [Theory]
    [MemberData(nameof(Continuous))]
    public void Continuous_samples_have_the_closed_form_mean_and_variance(string name)
    {
        using var x64 = Jax.Config.X64Scope();
        // (samples, mean, variance, relative variance tolerance, support)
        (Tensor Samples, double Mean, double Variance, double Tolerance, Func<double, bool> Support) c = name switch
        {
            "pareto" => (Jax.Random.Pareto(Key, 5.0, [N]), 1.25, 5.0 / 48, 0.15, x => x >= 1),
            "lognormal" => (Jax.Random.Lognormal(Key, 0.5, [N]), Math.Exp(0.125), (Math.Exp(0.25) - 1) * Math.Exp(0.25), 0.1, x => x > 0),
            "rayleigh" => (Jax.Random.Rayleigh(Key, 2.0, [N]), 2 * Math.Sqrt(Math.PI / 2), (4 - Math.PI) / 2 * 4, 0.05, x => x >= 0),
            "wald" => (Jax.Random.Wald(Key, 2.0, [N]), 2, 8, 0.15, x => x > 0),
            "triangular" => (Jax.Random.Triangular(Key, 0.0, 1.0, 3.0, [N]), 4.0 / 3, 7.0 / 18, 0.05, x => x is >= 0 and <= 3),
            "weibull_min" => (Jax.Random.WeibullMin(Key, 2.0, 1.5, [N]), 1.8054905859018673, 1.502761139255727, 0.06, x => x >= 0),
            "maxwell" => (Jax.Random.Maxwell(Key, [N]), 2 * Math.Sqrt(2 / Math.PI), (3 * Math.PI - 8) / Math.PI, 0.05, x => x >= 0),
            _ => (Jax.Random.DoubleSidedMaxwell(Key, 1.0, 2.0, [N]), 1, 12, 0.05, _ => true),
        };
        Assert.Equal([N], c.Samples.Shape.IntSizes);
        Assert.Equal(DType.Float64, c.Samples.DType);
        var x = c.Samples.ToArray<double>();
        Assert.All(x, v => Assert.True(c.Support(v), $"{name}: {v} outside the support"));
        AssertMoments(name, x, c.Mean, c.Variance, c.Tolerance);
    }

    [Fact]
    public void Cauchy_samples_have_median_zero_and_quartiles_at_plus_minus_one()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jax.Random.Cauchy(Key, [N]).ToArray<double>();
        // P(|X| <= 1) = 1/2 and P(X <= 0) = 1/2 for the standard Cauchy; 5 binomial standard errors.
        double tol = 5 * Math.Sqrt(0.25 / N);
        Assert.InRange(x.Count(v => Math.Abs(v) <= 1) / (double)N, 0.5 - tol, 0.5 + tol);
        Assert.InRange(x.Count(v => v <= 0) / (double)N, 0.5 - tol, 0.5 + tol);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Rademacher_and_geometric_samples_are_integers_with_the_right_moments()
    {
        var r = Jax.Random.Rademacher(Key, [N]);
        Assert.Equal(DType.Int32, r.DType);
        var signs = r.ToArray<int>();
        Assert.All(signs, v => Assert.True(v is 1 or -1));
        AssertMoments("rademacher", signs.Select(v => (double)v).ToArray(), 0, 1, 0.01);
        var g = Jax.Random.Geometric(Key, 0.3, [N]);
        Assert.Equal(DType.Int32, g.DType);
        var k = g.ToArray<int>();
        Assert.All(k, v => Assert.True(v >= 1));
        // Var = (1-p)/p^2; the geometric's excess kurtosis 6 + p^2/(1-p) makes 10% about 3.5 standard errors.
        AssertMoments("geometric", k.Select(v => (double)v).ToArray(), 1 / 0.3, 0.7 / 0.09, 0.1);
        Assert.Equal(DType.Int8, Jax.Random.Geometric(Key, 0.5, [3], DType.Int8).DType);
        Assert.Equal(DType.Float32, Jax.Random.Rademacher(Key, [3], DType.Float32).DType);
    }

    [Theory]
    [InlineData(20.0, 0.3)] // n p = 6: binomial inversion
    [InlineData(100.0, 0.4)] // n p = 40: BTRS rejection
    [InlineData(50.0, 0.8)] // n (1 - p) = 10: inversion on 1 - p, reflected
    [InlineData(200.0, 0.9)] // n (1 - p) = 20: BTRS on 1 - p, reflected
    public void Binomial_samples_lie_in_0_to_n_with_mean_np_and_variance_npq(double n, double p)
    {
        using var x64 = Jax.Config.X64Scope();
        var b = Jax.Random.Binomial(Key, n, p, [N]);
        Assert.Equal(DType.Float64, b.DType);
        var x = b.ToArray<double>();
        Assert.All(x, v => Assert.True(v >= 0 && v <= n && v == Math.Floor(v), $"binomial({n}, {p}) drew {v}"));
        AssertMoments($"binomial({n}, {p})", x, n * p, n * p * (1 - p), 0.06);
    }

    [Fact]
    public void Binomial_gives_nan_for_invalid_parameters_and_broadcasts_its_parameters()
    {
        var invalid = Jax.Random.Binomial(Key, Jnp.Array(new[] { -1f, 5f, 5f }), Jnp.Array(new[] { 0.5f, float.NaN, -0.5f })).ToArray<float>();
        Assert.All(invalid, v => Assert.True(float.IsNaN(v)));
        Assert.Equal([0f, 0f], Jax.Random.Binomial(Key, 0.0, 0.5, [2]).ToArray<float>());
        Assert.Equal([7f, 7f], Jax.Random.Binomial(Key, 7.0, 1.0, [2]).ToArray<float>());
        var rows = Jax.Random.Binomial(Key, Jnp.Array(new[] { 3f, 30f }), 0.5, [4, 2]).ToArray<float>();
        for (int i = 0; i < 8; i++) Assert.InRange(rows[i], 0, i % 2 == 0 ? 3 : 30);
    }

    [Fact]
    public void Multinomial_counts_sum_to_n_with_means_n_p()
    {
        using var x64 = Jax.Config.X64Scope();
        const int n = 2000;
        var p = Jnp.Array(new[] { 0.2, 0.3, 0.5 });
        var counts = Jax.Random.Multinomial(Key, 10.0, p, [n, 3]);
        Assert.Equal([n, 3], counts.Shape.IntSizes);
        var sums = Jnp.Sum(counts, -1).ToArray<double>();
        Assert.All(sums, s => Assert.Equal(10, s));
        var c = counts.ToArray<double>();
        for (int j = 0; j < 3; j++)
        {
            double pj = new[] { 0.2, 0.3, 0.5 }[j];
            var column = Enumerable.Range(0, n).Select(i => c[i * 3 + j]).ToArray();
            Assert.All(column, v => Assert.InRange(v, 0, 10));
            AssertMoments($"multinomial[{j}]", column, 10 * pj, 10 * pj * (1 - pj), 0.15);
        }
        // Without a shape the result has p's shape; a zero probability never draws.
        var single = Jax.Random.Multinomial(Key, 5.0, Jnp.Array(new[] { 0.0, 1.0 })).ToArray<double>();
        Assert.Equal([0.0, 5.0], single);
    }

    [Theory]
    [InlineData("t")]
    [InlineData("chisquare")]
    [InlineData("f")]
    [InlineData("generalized_normal_2")]
    [InlineData("generalized_normal_1")]
    public void Gamma_based_samples_have_the_closed_form_moments(string name)
    {
        using var x64 = Jax.Config.X64Scope();
        (Tensor Samples, double Mean, double Variance, double Tolerance) c = name switch
        {
            // t(5): variance 5/3 (kurtosis 9: 20% is about 4.5 standard errors at n = 4000).
            "t" => (Jax.Random.T(Key, 5.0, [GammaN]), 0, 5.0 / 3, 0.2),
            "chisquare" => (Jax.Random.Chisquare(Key, 3.0, [GammaN]), 3, 6, 0.15),
            // F(5, 20): mean 20/18, variance 2 20^2 23 / (5 18^2 16).
            "f" => (Jax.Random.F(Key, 5.0, 20.0, [GammaN]), 20.0 / 18, 2.0 * 400 * 23 / (5 * 324 * 16), 0.25),
            // Density exp(-|x|^p): variance Gamma(3/p) / Gamma(1/p): 1/2 for p = 2 (a normal), 2 for p = 1 (a Laplace).
            "generalized_normal_2" => (Jax.Random.GeneralizedNormal(Key, 2, [GammaN]), 0, 0.5, 0.1),
            _ => (Jax.Random.GeneralizedNormal(Key, 1, [GammaN]), 0, 2, 0.15),
        };
        var x = c.Samples.ToArray<double>();
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        if (name is "chisquare" or "f") Assert.All(x, v => Assert.True(v > 0));
        AssertMoments(name, x, c.Mean, c.Variance, c.Tolerance);
    }

    [Fact]
    public void Ball_samples_lie_in_the_unit_ball_and_fill_it_uniformly()
    {
        using var x64 = Jax.Config.X64Scope();
        const int n = 2000;
        var b = Jax.Random.Ball(Key, 3, shape: [n]);
        Assert.Equal([n, 3], b.Shape.IntSizes);
        var squaredNorms = Jnp.Sum(b * b, -1).ToArray<double>();
        Assert.All(squaredNorms, r2 => Assert.True(r2 <= 1));
        // Uniform in the 3-ball: E|x|^2 = d / (d + 2) = 0.6, Var |x|^2 = d/(d+4) - (d/(d+2))^2 = 3/7 - 0.36.
        AssertMoments("ball |x|^2", squaredNorms, 0.6, 3.0 / 7 - 0.36, 0.15);
        var l1 = Jnp.Sum(Jnp.Abs(Jax.Random.Ball(Key, 4, 1, [500])), -1).ToArray<double>();
        Assert.All(l1, r => Assert.True(r <= 1));
    }

    [Fact]
    public void Orthogonal_samples_are_orthogonal_matrices()
    {
        using var x64 = Jax.Config.X64Scope();
        var q = Jax.Random.Orthogonal(Key, 4, [3]);
        Assert.Equal([3, 4, 4], q.Shape.IntSizes);
        var qtq = Jnp.Matmul(Jnp.Swapaxes(q, -1, -2), q);
        Assert.True(Jnp.Allclose(qtq, Jnp.BroadcastTo(Jnp.Eye(4), 3, 4, 4), 1e-12, 1e-12).Item<bool>(), $"Q^T Q = {qtq}");
        Assert.False(Jnp.Allclose(q[0], q[1]).Item<bool>());
        Assert.Equal([2, 2], Jax.Random.Orthogonal(Key, 2).Shape.IntSizes);
    }

    [Fact]
    public void Same_key_gives_the_same_draws_and_split_keys_differ()
    {
        var keys = Jax.Random.Split(Key);
        Func<Tensor, Tensor>[] draws =
        [
            k => Jax.Random.Cauchy(k, [5]),
            k => Jax.Random.Binomial(k, 30.0, 0.5, [5]),
            k => Jax.Random.Wald(k, 1.0, [5]),
            k => Jax.Random.T(k, 4.0, [5]),
            k => Jax.Random.Orthogonal(k, 3),
            k => Jax.Random.Multinomial(k, 20.0, Jnp.Array(new[] { 0.5f, 0.5f })),
        ];
        foreach (var draw in draws)
        {
            Assert.Equal(draw(Key).ToArray<float>(), draw(Key).ToArray<float>());
            Assert.NotEqual(draw(keys[0]).ToArray<float>(), draw(keys[1]).ToArray<float>());
        }
    }

    [Fact]
    public void Rejection_samplers_give_the_same_draws_under_jit()
    {
        var jitted = Jax.Jit((Func<Tensor, Tensor>)(k => Jax.Random.Binomial(k, 100.0, 0.4, [6])))(Key);
        Assert.Equal(Jax.Random.Binomial(Key, 100.0, 0.4, [6]).ToArray<float>(), jitted.ToArray<float>());
        var probs = Jnp.Array(new[] { 0.2f, 0.3f, 0.5f });
        var multinomial = Jax.Jit((Func<Tensor, Tensor>)(k => Jax.Random.Multinomial(k, 12.0, probs)))(Key);
        Assert.Equal(Jax.Random.Multinomial(Key, 12.0, probs).ToArray<float>(), multinomial.ToArray<float>());
    }

    [Fact]
    public void Gamma_based_samples_give_the_same_draws_under_vmap()
    {
        var keys = Jax.Random.Split(Key, 3);
        var vmapped = Jax.Vmap((Func<Tensor, Tensor>)(k => Jax.Random.GeneralizedNormal(k, 1.5, [4])))(keys);
        for (int i = 0; i < 3; i++)
            Assert.Equal(Jax.Random.GeneralizedNormal(keys[i], 1.5, [4]).ToArray<float>(), vmapped[i].ToArray<float>());
    }

    [Fact]
    public void Key_functions_are_identities_on_raw_threefry_keys()
    {
        Assert.Equal(Key.ToArray<uint>(), Jax.Random.Clone(Key).ToArray<uint>());
        Assert.Equal(Key.ToArray<uint>(), Jax.Random.KeyData(Key).ToArray<uint>());
        var keys = Jax.Random.Split(Key, 3);
        Assert.Equal(keys.ToArray<uint>(), Jax.Random.WrapKeyData(Jax.Random.KeyData(keys)).ToArray<uint>());
        Assert.Equal("threefry2x32", Jax.Random.KeyImpl(Key));
        Assert.Equal(Jax.Random.Uniform(Key, [3]).ToArray<float>(), Jax.Random.Uniform(Jax.Random.Clone(Key), [3]).ToArray<float>());
        var bad = Assert.Throws<JaxTypeException>(() => Jax.Random.WrapKeyData(Jnp.Array(new[] { 1, 2, 3 })));
        Assert.Contains("uint32[..., 2]", bad.Message);
        var impl = Assert.Throws<JaxTypeException>(() => Jax.Random.WrapKeyData(Key, "rbg"));
        Assert.Contains("threefry2x32", impl.Message);
    }

    [Fact]
    public void Shapes_and_dtypes_follow_the_arguments()
    {
        using (Jax.Config.X64Scope())
        {
            Assert.Equal(DType.Float64, Jax.Random.Cauchy(Key, [2]).DType);
            Assert.Equal(DType.Int64, Jax.Random.Geometric(Key, 0.5, [2]).DType);
        }
        Assert.Equal(DType.Float32, Jax.Random.Pareto(Key, 2.0, [2]).DType);
        Assert.Equal([2, 3], Jax.Random.Pareto(Key, Jnp.Array(new[] { 1f, 2f, 3f }), [2, 3]).Shape.IntSizes);
        Assert.Equal([3], Jax.Random.Rayleigh(Key, Jnp.Array(new[] { 1f, 2f, 3f })).Shape.IntSizes);
        Assert.Equal([4, 2], Jax.Random.DoubleSidedMaxwell(Key, Jnp.Zeros(2), 1.0, [4]).Shape.IntSizes);
        Assert.Equal([2, 3, 5], Jax.Random.Ball(Key, 5, shape: [2, 3]).Shape.IntSizes);
        Assert.Equal([5, 3], Jax.Random.Maxwell(Key, [5, 3]).Shape.IntSizes);
        Assert.Equal(DType.Float16, Jax.Random.Triangular(Key, 0.0, 0.5, 1.0, [3], DType.Float16).DType);
        Assert.Equal(DType.Float16, Jax.Random.Multinomial(Key, 4.0, Jnp.Array(new[] { 0.5f, 0.5f }), dtype: DType.Float16).DType);
        Assert.Equal([0], Jax.Random.Lognormal(Key, shape: [0]).Shape.IntSizes);
    }

    [Fact]
    public void Empty_shapes_give_empty_draws()
    {
        Assert.Equal([0], Jax.Random.T(Key, 3.0, [0]).Shape.IntSizes);
        Assert.Equal([2, 0], Jax.Random.Binomial(Key, 10.0, 0.5, [2, 0]).Shape.IntSizes);
        Assert.Equal([0, 3], Jax.Random.Multinomial(Key, 10.0, Jnp.Array(new[] { 0.2f, 0.3f, 0.5f }), [0, 3]).Shape.IntSizes);
        Assert.Equal([0, 2, 2], Jax.Random.Orthogonal(Key, 2, [0]).Shape.IntSizes);
        Assert.Equal([0], Jax.Random.Geometric(Key, 0.5, [0]).Shape.IntSizes);
    }

    [Fact]
    public void Bad_arguments_raise_errors()
    {
        var dtype = Assert.Throws<JaxTypeException>(() => Jax.Random.Pareto(Key, 2.0, [3], DType.Int32));
        Assert.Contains("dtype argument to `pareto` must be a float dtype", dtype.Message);
        var geometric = Assert.Throws<JaxTypeException>(() => Jax.Random.Geometric(Key, 0.5, [3], DType.Float32));
        Assert.Contains("must be an int dtype", geometric.Message);
        var broadcast = Assert.Throws<JaxTypeException>(() => Jax.Random.Wald(Key, Jnp.Ones(3), [4]));
        Assert.Contains("broadcast-compatible with shape argument", broadcast.Message);
        Assert.ThrowsAny<Exception>(() => Jax.Random.Cauchy(Key, [-1]));
        Assert.ThrowsAny<Exception>(() => Jax.Random.Orthogonal(Key, -2));
        Assert.ThrowsAny<Exception>(() => Jax.Random.Maxwell(Jnp.Zeros(2), [3]));
        Assert.Throws<ArgumentNullException>(() => Jax.Random.Binomial(Key, null!, 0.5));
        Assert.Throws<ArgumentNullException>(() => Jax.Random.Cauchy(Key, null!));
        Assert.Throws<ArgumentNullException>(() => Jax.Random.Clone(null!));
        var p = Assert.Throws<JaxTypeException>(() => Jax.Random.GeneralizedNormal(Key, 0, [2]));
        Assert.Contains("must be > 0", p.Message);
    }
}
