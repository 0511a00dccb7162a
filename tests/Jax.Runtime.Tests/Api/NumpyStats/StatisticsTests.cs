using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Oracle.Torch;

namespace JaxToolchain.Runtime.Tests.Api.NumpyStats;

/// <summary>Quantiles, averages, covariance, histograms and counting against NumPy's documented values and loops.</summary>
public class StatisticsTests
{
    private static readonly double[] Data = [3, 7, 1, 9, 4, 4, 8, 2, 6, 5, 0, 11];

    /// <summary>NumPy's quantile of sorted values (JAX's rule for nearest: the lower neighbour at one half).</summary>
    private static double ReferenceQuantile(IEnumerable<double> values, double q, QuantileMethod method)
    {
        var s = values.OrderBy(v => v).ToArray();
        double pos = q * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        double frac = pos - lo;
        return method switch
        {
            QuantileMethod.Lower => s[lo],
            QuantileMethod.Higher => s[hi],
            QuantileMethod.Midpoint => (s[lo] + s[hi]) / 2,
            QuantileMethod.Nearest => frac <= 0.5 ? s[lo] : s[hi],
            _ => s[lo] + (s[hi] - s[lo]) * frac,
        };
    }

    [Theory]
    [InlineData(QuantileMethod.Linear)]
    [InlineData(QuantileMethod.Lower)]
    [InlineData(QuantileMethod.Higher)]
    [InlineData(QuantileMethod.Midpoint)]
    [InlineData(QuantileMethod.Nearest)]
    public void Quantile_methods_over_an_axis_match_the_definition(QuantileMethod method)
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = Jnp.Array(Data).Reshape(3, 4);
        double[] qs = [0, 0.1, 0.25, 0.5, 0.7, 1];
        var got = Jnp.Quantile(x, Jnp.Array(qs), 1, method);
        Expect.Shape(got, 6, 3);
        var expected = qs.SelectMany(q => Enumerable.Range(0, 3).Select(r => ReferenceQuantile(Data.Skip(4 * r).Take(4), q, method))).ToArray();
        Expect.Values(got, expected, 1e-12);
        // Over axis 0 with keepdims, and over everything.
        var col = Jnp.Quantile(x, 0.3, 0, method, keepdims: true);
        Expect.Shape(col, 1, 4);
        Expect.Values(col, [.. Enumerable.Range(0, 4).Select(c => ReferenceQuantile([Data[c], Data[4 + c], Data[8 + c]], 0.3, method))], 1e-12);
        Expect.Values(Jnp.Quantile(x, 0.35, method: method), [ReferenceQuantile(Data, 0.35, method)], 1e-12);
    }

    [Fact]
    public void Percentile_and_median_match_numpy_examples()
    {
        Expect.Values(Jnp.Percentile(Jnp.Array(new[] { 1.0, 2, 3, 4 }), Jnp.Array(new[] { 25.0, 50, 75 })), [1.75, 2.5, 3.25], 1e-6);
        var a = Jnp.Array(new[,] { { 10.0, 7, 4 }, { 3, 2, 1 } });
        Expect.Values(Jnp.Median(a), [3.5]);
        Expect.Values(Jnp.Median(a, 0), [6.5, 4.5, 2.5]);
        Expect.Values(Jnp.Median(a, 1), [7, 2]);
        Expect.Shape(Jnp.Median(a, [0, 1], keepdims: true), 1, 1);
        Assert.Equal(DType.Float32, Jnp.Median(Jnp.Array(new[] { 1, 2, 3 })).DType);
    }

    [Fact]
    public void Quantile_of_a_slice_with_nan_is_nan()
    {
        var a = Jnp.Array(new[,] { { 1.0, double.NaN, 3 }, { 4, 5, 6 } });
        Expect.Values(Jnp.Median(a, 1), [double.NaN, 5]);
        Expect.Values(Jnp.Quantile(a, 0.5), [double.NaN]);
    }

    [Fact]
    public void Average_with_weights_matches_numpy_examples()
    {
        Expect.Values(Jnp.Average(Jnp.Array(new[] { 1.0, 2, 3, 4 }), weights: Jnp.Array(new[] { 4.0, 3, 2, 1 })), [2.0], 1e-6);
        var data = Jnp.Arange(6).Reshape(3, 2);
        var (avg, sum) = Jnp.AverageReturned(data, [1], Jnp.Array(new[] { 0.25, 0.75 }));
        Expect.Values(avg, [0.75, 2.75, 4.75], 1e-6);
        Expect.Values(sum, [1, 1, 1], 1e-6);
        var (mean, count) = Jnp.AverageReturned(data, [0]);
        Expect.Values(mean, [2, 3]);
        Expect.Values(count, [3, 3]);
        Expect.Values(Jnp.Average(data, 0, Jnp.Array(new[,] { { 1.0, 0 }, { 1, 0 }, { 2, 1 } })), [(0 + 2 + 8) / 4.0, 5], 1e-6);
    }

    /// <summary>NumPy's cov formula, written out for rows of observations.</summary>
    private static double[,] ReferenceCov(double[][] rows, double[]? f, double[]? aw, int ddof)
    {
        int k = rows.Length, n = rows[0].Length;
        var w = Enumerable.Range(0, n).Select(i => (f?[i] ?? 1) * (aw?[i] ?? 1)).ToArray();
        double wSum = w.Sum();
        var mean = rows.Select(r => r.Select((v, i) => v * w[i]).Sum() / wSum).ToArray();
        double norm = aw is null ? wSum - ddof : wSum - ddof * w.Select((v, i) => v * aw[i]).Sum() / wSum;
        var c = new double[k, k];
        for (int p = 0; p < k; p++)
            for (int q = 0; q < k; q++)
                c[p, q] = Enumerable.Range(0, n).Sum(i => w[i] * (rows[p][i] - mean[p]) * (rows[q][i] - mean[q])) / norm;
        return c;
    }

    [Fact]
    public void Cov_and_corrcoef_match_numpy()
    {
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(Jnp.Cov(Jnp.Array(new[,] { { 0.0, 1, 2 }, { 2, 1, 0 } })), [1, -1, -1, 1], 1e-12);
        Expect.Values(Jnp.Corrcoef(Jnp.Array(new[,] { { 0.0, 1, 2 }, { 2, 1, 0 } })), [1, -1, -1, 1], 1e-12);
        // np.cov(x, y) with x = [-2.1, -1, 4.3], y = [3, 1.1, 0.12]: [[11.71, -4.286], [-4.286, 2.144133]].
        var xy = Jnp.Cov(Jnp.Array(new[] { -2.1, -1, 4.3 }), Jnp.Array(new[] { 3, 1.1, 0.12 }));
        Expect.Values(xy, [11.71, -4.286, -4.286, 2.144133333333333], 1e-12);
        Expect.Values(Jnp.Cov(Jnp.Array(new[] { -2.1, -1, 4.3 })), [11.71], 1e-12);
        double[][] rows = [[1, 4, 2, 8, 5], [3, 0, 2, 7, 1], [2, 2, 6, 1, 9]];
        var m = Jnp.Array(new[,] { { 1.0, 4, 2, 8, 5 }, { 3, 0, 2, 7, 1 }, { 2, 2, 6, 1, 9 } });
        double[] f = [1, 2, 1, 3, 1], aw = [0.5, 1, 2, 0.25, 1];
        var fw = Jnp.Array(new[] { 1, 2, 1, 3, 1 });
        var aws = Jnp.Array(aw);
        void Check(Tensor got, double[,] expected) => Expect.Values(got, [.. expected.Cast<double>()], 1e-12);
        Check(Jnp.Cov(m, fweights: fw), ReferenceCov(rows, f, null, 1));
        Check(Jnp.Cov(m, aweights: aws), ReferenceCov(rows, null, aw, 1));
        Check(Jnp.Cov(m, fweights: fw, aweights: aws, ddof: 2), ReferenceCov(rows, f, aw, 2));
        Check(Jnp.Cov(m, bias: true), ReferenceCov(rows, null, null, 0));
        Check(Jnp.Cov(Jnp.Transpose(m), rowvar: false), ReferenceCov(rows, null, null, 1));
        var c = ReferenceCov(rows, null, null, 1);
        var corr = Jnp.Corrcoef(m).ToArray<double>();
        for (int p = 0; p < 3; p++)
            for (int q = 0; q < 3; q++)
                Expect.Close(c[p, q] / Math.Sqrt(c[p, p] * c[q, q]), corr[p * 3 + q], 1e-12);
    }

    [Fact]
    public void Quantile_nanquantile_cov_and_corrcoef_match_torch()
    {
        using var _ = Jax.Config.X64Scope(true);
        var rng = new Random(11);
        var data = Enumerable.Range(0, 35).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        double[] qs = [0, 0.13, 0.5, 0.77, 1];
        using var scope = torch.NewDisposeScope();
        var x = Jnp.Array(data).Reshape(5, 7);
        Expect.Values(Jnp.Quantile(x, Jnp.Array(qs), 1), ToDoubles(torch.quantile(From(data, 5, 7), From(qs), 1)), 1e-12);
        Expect.Values(Jnp.Quantile(x, Jnp.Array(qs), 0, keepdims: true), ToDoubles(torch.quantile(From(data, 5, 7), From(qs), 0, keepdim: true)), 1e-12);
        var holes = data.Select((v, i) => i % 4 == 1 ? double.NaN : v).ToArray();
        Expect.Values(Jnp.Nanquantile(Jnp.Array(holes).Reshape(5, 7), Jnp.Array(qs), 1), ToDoubles(torch.nanquantile(From(holes, 5, 7), From(qs), 1)), 1e-12);
        Expect.Values(Jnp.Cov(x), ToDoubles(torch.cov(From(data, 5, 7))), 1e-12);
        Expect.Values(Jnp.Corrcoef(x), ToDoubles(torch.corrcoef(From(data, 5, 7))), 1e-12);
    }

    [Fact]
    public void Histogram_matches_numpy_examples()
    {
        var (hist, edges) = Jnp.Histogram(Jnp.Array(new[] { 1, 2, 1 }), Jnp.Array(new[] { 0, 1, 2, 3 }));
        Expect.Values(hist, [0, 2, 1]);
        Expect.Values(edges, [0, 1, 2, 3]);
        var (density, _) = Jnp.Histogram(Jnp.Arange(4), Jnp.Arange(5), density: true);
        Expect.Values(density, [0.25, 0.25, 0.25, 0.25], 1e-6);
        var (counts, even) = Jnp.Histogram(Jnp.Arange(10.0), 3);
        Expect.Values(counts, [3, 3, 4]);
        Expect.Values(even, [0, 3, 6, 9], 1e-6);
        var (ranged, rangedEdges) = Jnp.Histogram(Jnp.Array(new[] { -1.0, 0.5, 1.5, 1.5, 2, 7 }), 2, (0, 2), Jnp.Array(new[] { 1.0, 2, 3, 4, 5, 6 }));
        Expect.Values(ranged, [2, 12]);
        Expect.Values(rangedEdges, [0, 1, 2]);
        Expect.Values(Jnp.HistogramBinEdges(Jnp.Array(new[] { 5.0, 5 }), 2), [4.5, 5, 5.5]);
    }

    [Fact]
    public void Histogram2d_counts_points_per_cell()
    {
        var x = Jnp.Array(new[] { 0.0, 0.2, 0.9, 1.0, 0.6 });
        var y = Jnp.Array(new[] { 0.0, 0.8, 0.1, 1.0, 0.6 });
        var (hist, xe, ye) = Jnp.Histogram2d(x, y, 2);
        Expect.Values(hist, [1, 1, 1, 2]);
        Expect.Values(xe, [0, 0.5, 1], 1e-6);
        Expect.Values(ye, [0, 0.5, 1], 1e-6);
    }

    [Fact]
    public void Bincount_matches_numpy_and_runs_under_jit_with_a_length()
    {
        Expect.Values(Jnp.Bincount(Jnp.Array(new[] { 0, 1, 1, 3, 2, 1, 7 })), [1, 3, 1, 1, 0, 0, 0, 1]);
        Expect.Values(Jnp.Bincount(Jnp.Array(new[] { 0, 1, 1, 2, 2, 2 }), Jnp.Array(new[] { 0.3, 0.5, 0.2, 0.7, 1.0, -0.6 })), [0.3, 0.7, 1.1], 1e-6);
        Expect.Values(Jnp.Bincount(Jnp.Array(new[] { 1 }), minlength: 4), [0, 1, 0, 0]);
        var jitted = Jax.Jit((Tensor v) => Jnp.Bincount(v, length: 3))(Jnp.Array(new[] { 0, 2, 2, 5, -1 }));
        Expect.Values(jitted, [2, 0, 2]);
    }

    [Fact]
    public void Ptp_count_nonzero_and_cumulative_match_numpy()
    {
        var a = Jnp.Array(new[,] { { 4, 9, 2, 10 }, { 6, 9, 7, 12 } });
        Expect.Values(Jnp.Ptp(a, 1), [8, 6]);
        Expect.Values(Jnp.Ptp(a, 0), [2, 0, 5, 2]);
        Expect.Values(Jnp.Ptp(a), [10]);
        var b = Jnp.Array(new[,] { { 0, 1, 7, 0 }, { 3, 0, 2, 19 } });
        Expect.Values(Jnp.CountNonzero(b, 0), [1, 1, 2, 1]);
        Expect.Values(Jnp.CountNonzero(b, 1, keepdims: true), [2, 3]);
        Expect.Values(Jnp.CountNonzero(b), [5]);
        Expect.Values(Jnp.CumulativeSum(Jnp.Array(new[] { 1, 2, 3 }), includeInitial: true), [0, 1, 3, 6]);
        Expect.Values(Jnp.CumulativeProd(Jnp.Array(new[] { 1, 2, 3 }), includeInitial: true), [1, 1, 2, 6]);
        Expect.Values(Jnp.CumulativeSum(b, 1), [0, 1, 8, 8, 3, 3, 5, 24]);
        Expect.Values(Jnp.CumulativeSum(Jnp.Array(new byte[] { 200, 100 })), [200, 300]);
    }

    [Fact]
    public void Gradients_of_median_quantile_average_and_cov_match_finite_differences()
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = Jnp.Array(new[] { 0.3, -1.2, 2.5, 0.9, 1.7, -0.4 }).Reshape(2, 3);
        GradientCheck.CheckGrads(v => Jnp.Median(v, 1), x);
        GradientCheck.CheckGrads(v => Jnp.Quantile(v, Jnp.Array(new[] { 0.2, 0.9 })), x);
        GradientCheck.CheckGrads(v => Jnp.Nanquantile(v, 0.4, 0), x);
        GradientCheck.CheckGrads(a => [Jnp.Average(a[0], 1, a[1])], [x, Jnp.Array(new[] { 0.5, 1.5, 2.0 })]);
        GradientCheck.CheckGrads(v => Jnp.Cov(v), x);
        GradientCheck.CheckGrads(v => Jnp.Corrcoef(v), x);
    }

    [Fact]
    public void Quantile_and_histogram_run_under_jit_and_vmap()
    {
        var x = Jnp.Array(Data).Reshape(3, 4);
        var median = Jax.Vmap((Tensor row) => Jnp.Median(row))(x);
        Expect.Values(median, [5, 4, 5.5], 1e-6);
        var q = Jax.Jit((Tensor v) => Jnp.Quantile(v, 0.25, 1))(x);
        Expect.Values(q, [.. Enumerable.Range(0, 3).Select(r => ReferenceQuantile(Data.Skip(4 * r).Take(4), 0.25, QuantileMethod.Linear))], 1e-6);
        var hist = Jax.Jit((Tensor v) => Jnp.Histogram(v, 3).Hist)(Jnp.Arange(10.0));
        Expect.Values(hist, [3, 3, 4]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Jnp.Array(new[] { 1.0, 2, 3 });
        Expect.Error(() => Jnp.Quantile(x, 1.5), "quantile", "[0, 1]");
        Expect.Error(() => Jnp.Percentile(x, -1), "percentile", "[0, 100]");
        Expect.Error(() => Jnp.Quantile(x, 0.5, 1), "quantile", "axis 1");
        Expect.Error(() => Jnp.Average(Jnp.Ones([2, 3]), weights: Jnp.Ones(3)), "average", "axis must be specified");
        Expect.Error(() => Jnp.Average(Jnp.Ones([2, 3]), 0, Jnp.Ones(3)), "average", "length of weights");
        Expect.Error(() => Jnp.Bincount(x), "bincount", "integer");
        Expect.Error(() => Jax.Jit((Tensor v) => Jnp.Bincount(v))(Jnp.Array(new[] { 1, 2 })), "bincount", "length=");
        Expect.Error(() => Jnp.Cov(Jnp.Ones([2, 3]), fweights: Jnp.Array(new[] { 1.0, 2, 3 })), "cov", "integer");
        Expect.Error(() => Jnp.CumulativeSum(Jnp.Ones([2, 2])), "cumulative_sum", "axis");
        Expect.Error(() => Jnp.Histogram(x, 3, (2, 1)), "histogram_bin_edges", "range");
        Assert.Throws<ArgumentNullException>("a", () => Jnp.Median(null!));
    }
}
