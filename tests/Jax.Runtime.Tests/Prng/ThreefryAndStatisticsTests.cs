using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Prng;

public class ThreefryAndStatisticsTests
{
    // Random123's known-answer vectors for threefry2x32 with 20 rounds (kat_vectors): key, counter -> output.
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0x6b200159u, 0x99ba4efeu)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x1cb996fcu, 0xbb002be7u)]
    [InlineData(0x13198a2eu, 0x03707344u, 0x243f6a88u, 0x85a308d3u, 0xc4923a9cu, 0x483df7a0u)]
    public void Threefry2x32_matches_the_random123_known_answers(uint k0, uint k1, uint c0, uint c1, uint y0, uint y1)
    {
        var key = Jnp.Array(new[] { k0, k1 });
        var (a, b) = Jax.Random.Threefry2x32(key, Jnp.Array(new[] { c0 }), Jnp.Array(new[] { c1 }));
        Assert.Equal(y0, a.ToArray<uint>()[0]);
        Assert.Equal(y1, b.ToArray<uint>()[0]);
    }

    private static double KolmogorovSmirnov(double[] samples, Func<double, double> cdf)
    {
        var sorted = samples.Order().ToArray();
        double d = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double f = cdf(sorted[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / sorted.Length - f, f - (double)i / sorted.Length));
        }
        return d;
    }

    private const int N = 20000;

    // The KS critical value at alpha = 0.001 is about 1.95 / sqrt(n).
    private static readonly double Critical = 1.95 / Math.Sqrt(N);

    private static double Erf(double x) => SpecialFunctions.Erf(x);

    public static TheoryData<string> Distributions() => new(["uniform", "normal", "exponential", "laplace", "logistic", "gumbel", "truncated_normal"]);

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Samples_follow_their_distribution_by_a_kolmogorov_smirnov_test(string name)
    {
        using var x64 = Jax.Config.X64Scope();
        var key = Jax.Random.PRNGKey(123);
        (Tensor Samples, Func<double, double> Cdf, double Mean, double Variance) c = name switch
        {
            "uniform" => (Jax.Random.Uniform(key, [N]), x => Math.Clamp(x, 0, 1), 0.5, 1.0 / 12),
            "normal" => (Jax.Random.Normal(key, [N]), x => 0.5 * (1 + Erf(x / Math.Sqrt(2))), 0, 1),
            "exponential" => (Jax.Random.Exponential(key, [N]), x => x < 0 ? 0 : 1 - Math.Exp(-x), 1, 1),
            "laplace" => (Jax.Random.Laplace(key, [N]), x => x < 0 ? 0.5 * Math.Exp(x) : 1 - 0.5 * Math.Exp(-x), 0, 2),
            "logistic" => (Jax.Random.Logistic(key, [N]), x => 1 / (1 + Math.Exp(-x)), 0, Math.PI * Math.PI / 3),
            "gumbel" => (Jax.Random.Gumbel(key, [N]), x => Math.Exp(-Math.Exp(-x)), 0.5772156649015329, Math.PI * Math.PI / 6),
            _ => (Jax.Random.TruncatedNormal(key, -1, 2, [N]), x =>
                Math.Clamp((Erf(x / Math.Sqrt(2)) - Erf(-1 / Math.Sqrt(2))) / (Erf(2 / Math.Sqrt(2)) - Erf(-1 / Math.Sqrt(2))), 0, 1), double.NaN, double.NaN),
        };
        var samples = c.Samples.ToArray<double>();
        Assert.True(KolmogorovSmirnov(samples, c.Cdf) < Critical, $"{name}: KS statistic {KolmogorovSmirnov(samples, c.Cdf)} >= {Critical}");
        if (double.IsNaN(c.Mean)) return;
        double mean = samples.Average();
        double variance = samples.Select(v => (v - mean) * (v - mean)).Average();
        Assert.True(Math.Abs(mean - c.Mean) < 5 * Math.Sqrt(c.Variance / N), $"{name}: mean {mean} vs {c.Mean}");
        Assert.True(Math.Abs(variance - c.Variance) < 0.05 * c.Variance, $"{name}: variance {variance} vs {c.Variance}");
    }

    [Fact]
    public void Randint_bernoulli_and_categorical_have_the_right_frequencies()
    {
        var key = Jax.Random.PRNGKey(5);
        var ints = Jax.Random.RandInt(key, [N], 3, 8).ToArray<int>();
        Assert.All(ints, v => Assert.InRange(v, 3, 7));
        for (int v = 3; v < 8; v++) Assert.InRange(ints.Count(i => i == v) / (double)N, 0.2 - 0.015, 0.2 + 0.015);
        var coins = Jax.Random.Bernoulli(key, 0.3, [N]).ToArray<bool>();
        Assert.InRange(coins.Count(b => b) / (double)N, 0.3 - 0.015, 0.3 + 0.015);
        var cats = Jax.Random.Categorical(key, Jnp.Log(Jnp.Array(new[] { 0.1f, 0.2f, 0.7f })), [N]).ToArray<int>();
        Assert.InRange(cats.Count(c => c == 2) / (double)N, 0.7 - 0.015, 0.7 + 0.015);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.5)]
    public void Gamma_and_beta_samples_have_the_right_mean_and_variance(double alpha)
    {
        using var x64 = Jax.Config.X64Scope();
        const int n = 4000;
        var g = Jax.Random.Gamma(Jax.Random.PRNGKey(11), alpha, [n]).ToArray<double>();
        double mean = g.Average(), variance = g.Select(v => (v - mean) * (v - mean)).Average();
        Assert.True(Math.Abs(mean - alpha) < 5 * Math.Sqrt(alpha / n), $"gamma({alpha}) mean {mean}");
        Assert.True(Math.Abs(variance - alpha) < 0.15 * alpha, $"gamma({alpha}) variance {variance}");
        var b = Jax.Random.Beta(Jax.Random.PRNGKey(12), alpha, 2.0, [n]).ToArray<double>();
        double expected = alpha / (alpha + 2.0);
        double sd = Math.Sqrt(alpha * 2.0 / ((alpha + 2.0) * (alpha + 2.0) * (alpha + 3.0)));
        Assert.True(Math.Abs(b.Average() - expected) < 5 * sd / Math.Sqrt(n), $"beta({alpha}, 2) mean {b.Average()} vs {expected}");
    }

    [Theory]
    [InlineData(3.5)]
    [InlineData(15.0)]
    public void Poisson_samples_have_the_rate_as_mean_and_variance(double lam)
    {
        const int n = 4000;
        var k = Jax.Random.Poisson(Jax.Random.PRNGKey(13), lam, [n]).ToArray<int>();
        Assert.All(k, v => Assert.True(v >= 0));
        double mean = k.Average(), variance = k.Select(v => (v - mean) * (v - mean)).Average();
        Assert.True(Math.Abs(mean - lam) < 5 * Math.Sqrt(lam / n), $"poisson({lam}) mean {mean}");
        Assert.True(Math.Abs(variance - lam) < 0.15 * lam, $"poisson({lam}) variance {variance}");
    }

    [Fact]
    public void Multivariate_normal_and_dirichlet_samples_have_the_right_moments()
    {
        using var x64 = Jax.Config.X64Scope();
        const int n = 20000;
        var cov = Jnp.Array(new[,] { { 2.0, 0.5 }, { 0.5, 1.0 } });
        var mean = Jnp.Array(new[] { 1.0, -2.0 });
        var z = Jax.Random.MultivariateNormal(Jax.Random.PRNGKey(21), mean, cov, [n]);
        var centered = z - Jnp.Mean(z, 0);
        var sample = Jnp.Matmul(centered.T, centered) / n;
        Assert.True(Jnp.Allclose(Jnp.Mean(z, 0), mean, 0, 0.05).Item<bool>(), $"mvn mean {Jnp.Mean(z, 0)}");
        Assert.True(Jnp.Allclose(sample, cov, 0.06, 0.03).Item<bool>(), $"mvn covariance {sample}");
        var alpha = Jnp.Array(new[] { 1.0, 2.0, 3.0 });
        var d = Jax.Random.Dirichlet(Jax.Random.PRNGKey(22), alpha, [4000]);
        Assert.True(Jnp.Allclose(Jnp.Sum(d, 1), Jnp.Ones(4000, Jnp.Float64), 1e-12).Item<bool>());
        Assert.True(Jnp.Allclose(Jnp.Mean(d, 0), alpha / 6.0, 0, 0.02).Item<bool>(), $"dirichlet mean {Jnp.Mean(d, 0)}");
    }

    [Fact]
    public void Cholesky_factors_a_positive_definite_matrix()
    {
        using var x64 = Jax.Config.X64Scope();
        var m = Jax.Random.Normal(Jax.Random.PRNGKey(3), [5, 5]);
        var a = Jnp.Matmul(m, m.T) + 5 * Jnp.Eye(5);
        var l = Jnp.Linalg.Cholesky(a);
        Assert.True(Jnp.Allclose(Jnp.Matmul(l, l.T), a, 1e-12, 1e-12).Item<bool>());
        Assert.True(Jnp.ArrayEqual(l, l * Jnp.Tril(Jnp.Ones([5, 5], Jnp.Float64))));
    }

    [Fact]
    public void Weighted_choice_follows_its_probabilities()
    {
        var draws = Jax.Random.Choice(Jax.Random.PRNGKey(8), 4, [N], p: Jnp.Array(new float[] { 0.1f, 0.0f, 0.6f, 0.3f })).ToArray<int>();
        Assert.All(draws, d => Assert.InRange(d, 0, 3));
        Assert.Equal(0, draws.Count(d => d == 1));
        Assert.InRange(draws.Count(d => d == 2) / (double)N, 0.6 - 0.015, 0.6 + 0.015);
        Assert.InRange(draws.Count(d => d == 0) / (double)N, 0.1 - 0.01, 0.1 + 0.01);
    }

    [Fact]
    public void Permutation_is_a_permutation()
    {
        var p = Jax.Random.Permutation(Jax.Random.PRNGKey(9), 100).ToArray<int>();
        Assert.Equal(Enumerable.Range(0, 100), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), p);
    }
}
