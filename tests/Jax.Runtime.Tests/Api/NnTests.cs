using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary><see cref="Nn"/> activations and normalisers against their closed forms, in float64.</summary>
public class NnTests
{
    private static readonly double[] Inputs = [-6, -3, -1.5, -0.5, -1e-3, 0, 1e-3, 0.5, 1.5, 3, 6];

    private static Tensor In => Jnp.Array(Inputs);

    /// <summary>erf: its Maclaurin series below 2, and 1 - erfc by erfc's continued fraction above.</summary>
    private static double Erf(double z)
    {
        if (z < 0) return -Erf(-z);
        if (z >= 2)
        {
            // erfc(z) = exp(-z^2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))).
            double f = z;
            for (int k = 80; k >= 1; k--) f = z + k / 2.0 / f;
            return 1 - Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
        }
        double sum = 0, term = z;
        for (int n = 0; n < 100; n++)
        {
            sum += term / (2 * n + 1);
            term *= -z * z / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static void Closed(Func<Tensor, Tensor> f, Func<double, double> reference, double tolerance = 1e-14)
    {
        using var _ = Jax.Config.X64Scope(true);
        var r = f(In);
        Assert.Equal(DType.Float64, r.DType);
        Expect.Values(r, [.. Inputs.Select(reference)], tolerance);
    }

    [Fact]
    public void Erf_reference_matches_known_values()
    {
        Assert.Equal(0.8427007929497149, Erf(1), 1e-15);
        Assert.Equal(0.9953222650189527, Erf(2), 1e-15);
        Assert.Equal(0.9999779095030014, Erf(3), 1e-15);
        Assert.Equal(-0.5204998778130465, Erf(-0.5), 1e-15);
    }

    [Fact]
    public void Relu_is_max_with_zero() => Closed(Nn.Relu, v => Math.Max(v, 0));

    [Fact]
    public void Relu_keeps_integer_dtypes()
    {
        Expect.Array(Jnp.Relu(Jnp.Array(new sbyte[] { -3, 4 })), DType.Int8, [2], [0, 4]);
    }

    [Fact]
    public void Sigmoid_is_the_logistic_function() => Closed(Nn.Sigmoid, v => 1 / (1 + Math.Exp(-v)));

    [Fact]
    public void Sigmoid_saturates_without_overflow()
    {
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(Jnp.Sigmoid(Jnp.Array(new double[] { -800, 800 })), [0, 1]);
        Expect.Values(Jnp.Sigmoid(Jnp.Array(new double[] { -40 })), [1 / (1 + Math.Exp(40))], 1e-14);
    }

    [Fact]
    public void Elu_is_expm1_below_zero() => Closed(x => Nn.Elu(x), v => v > 0 ? v : Math.Exp(v) - 1);

    [Fact]
    public void Elu_scales_by_alpha() => Closed(x => Nn.Elu(x, 0.5), v => v > 0 ? v : 0.5 * (Math.Exp(v) - 1));

    [Fact]
    public void Selu_uses_the_published_constants()
    {
        const double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
        Closed(Nn.Selu, v => scale * (v > 0 ? v : alpha * (Math.Exp(v) - 1)));
        Closed(Jnp.Selu, v => scale * (v > 0 ? v : alpha * (Math.Exp(v) - 1)));
    }

    [Fact]
    public void Gelu_tanh_approximation() =>
        Closed(x => Nn.Gelu(x), v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));

    [Fact]
    public void Gelu_exact_uses_erf() =>
        Closed(x => Jnp.Gelu(x, approximate: false), v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))));

    [Fact]
    public void Activations_of_ints_are_float32()
    {
        using var _ = Jax.Config.X64Scope(false);
        var i = Jnp.Array(new int[] { -1, 0, 2 });
        Assert.Equal(DType.Float32, Nn.Sigmoid(i).DType);
        Assert.Equal(DType.Float32, Nn.Elu(i).DType);
        Assert.Equal(DType.Float32, Nn.Gelu(i).DType);
        Assert.Equal(DType.Float32, Nn.Softmax(i).DType);
        Expect.Values(Nn.Gelu(i, false), [-0.15865525393145707, 0, 1.9544997361036416], 1e-6);
    }

    [Fact]
    public void Float32_activations_stay_float32()
    {
        var x = Jnp.Array(new float[] { -1, 0, 1 });
        Assert.Equal(DType.Float32, Nn.Selu(x).DType);
        Assert.Equal(DType.Float32, Nn.Gelu(x).DType);
        Assert.Equal(DType.Float32, Nn.LogSoftmax(x).DType);
        Assert.Equal(DType.Float16, Nn.Gelu(x.Astype(Jnp.Float16)).DType);
    }

    private static double[,] Rows => new double[,] { { 1, 2, 3, 4 }, { -1, 0, 1, 100 }, { 5, 5, 5, 5 } };

    private static double[] SoftmaxRow(double[] row)
    {
        double m = row.Max();
        var e = row.Select(v => Math.Exp(v - m)).ToArray();
        return [.. e.Select(v => v / e.Sum())];
    }

    private static double[] Row(double[,] a, int r) => [.. Enumerable.Range(0, a.GetLength(1)).Select(c => a[r, c])];

    [Fact]
    public void Softmax_normalises_rows_to_one()
    {
        using var _ = Jax.Config.X64Scope(true);
        var s = Nn.Softmax(Jnp.Array(Rows));
        Expect.Values(s, [.. Enumerable.Range(0, 3).SelectMany(r => SoftmaxRow(Row(Rows, r)))], 1e-15);
        Expect.Values(Jnp.Sum(s, 1), [1, 1, 1], 1e-15);
        Expect.Values(Jnp.Softmax(Jnp.Array(Rows), -1), s.ToArray<double>());
    }

    [Fact]
    public void Softmax_along_axis_zero()
    {
        using var _ = Jax.Config.X64Scope(true);
        var s = Nn.Softmax(Jnp.Array(Rows), 0);
        Expect.Values(Jnp.Sum(s, 0), [1, 1, 1, 1], 1e-15);
        Expect.Values(s.T, [.. Enumerable.Range(0, 4).SelectMany(c => SoftmaxRow([Rows[0, c], Rows[1, c], Rows[2, c]]))], 1e-15);
    }

    [Fact]
    public void Softmax_is_stable_for_large_inputs_and_zero_for_minus_infinity()
    {
        var s = Nn.Softmax(Jnp.Array(new float[] { 1000, 1001, 1002, float.NegativeInfinity }));
        Expect.Values(s, [.. SoftmaxRow([0, 1, 2]), 0], 1e-6);
        Expect.Values(Nn.Softmax(Jnp.Array(new float[] { -1000, -1000 })), [0.5, 0.5]);
    }

    [Fact]
    public void Float32_softmax_rows_sum_to_one()
    {
        var x = Jnp.Array(new float[,] { { 0.1f, -3, 7, 2.5f, 0 }, { 50, 49, 48, 47, 46 } });
        Expect.Values(Jnp.Sum(Nn.Softmax(x), 1), [1, 1], 1e-6);
    }

    [Fact]
    public void LogSoftmax_is_x_minus_logsumexp()
    {
        using var _ = Jax.Config.X64Scope(true);
        var r = Nn.LogSoftmax(Jnp.Array(Rows));
        Expect.Values(r, [.. Enumerable.Range(0, 3).SelectMany(i => SoftmaxRow(Row(Rows, i)).Select(v => Math.Log(v)))], 1e-13);
        var big = Nn.LogSoftmax(Jnp.Array(new double[] { 1000, 1000 }));
        Expect.Values(big, [-Math.Log(2), -Math.Log(2)], 1e-15);
        Expect.Values(Jnp.LogSoftmax(Jnp.Array(new double[] { 0, -2000 })), [0, -2000], 1e-15);
    }

    [Fact]
    public void Logsumexp_over_all_or_some_axes()
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = Jnp.Array(Rows);
        double Lse(IEnumerable<double> v)
        {
            var a = v.ToArray();
            double m = a.Max();
            return m + Math.Log(a.Sum(e => Math.Exp(e - m)));
        }
        Expect.Array(Nn.Logsumexp(x), DType.Float64, [], [Lse(Rows.Cast<double>())], 1e-15);
        Expect.Array(Nn.Logsumexp(x, [1]), DType.Float64, [3], [.. Enumerable.Range(0, 3).Select(r => Lse(Row(Rows, r)))], 1e-15);
        Expect.Array(Nn.Logsumexp(x, [-1], keepdims: true), DType.Float64, [3, 1], [.. Enumerable.Range(0, 3).Select(r => Lse(Row(Rows, r)))], 1e-15);
        Expect.Array(Jnp.Logsumexp(x, [0]), DType.Float64, [4], [.. Enumerable.Range(0, 4).Select(c => Lse([Rows[0, c], Rows[1, c], Rows[2, c]]))], 1e-15);
        Expect.Array(Nn.Logsumexp(x, [0, 1], keepdims: true), DType.Float64, [1, 1], [Lse(Rows.Cast<double>())], 1e-15);
    }

    [Fact]
    public void Logsumexp_is_stable_and_handles_infinities()
    {
        Expect.Values(Nn.Logsumexp(Jnp.Array(new float[] { 1000, 1000 })), [1000 + Math.Log(2)], 1e-7);
        Expect.Values(Nn.Logsumexp(Jnp.Array(new float[] { -1000, -1000 })), [-1000 + Math.Log(2)], 1e-7);
        Expect.Values(Nn.Logsumexp(Jnp.Array(new float[] { float.NegativeInfinity, float.NegativeInfinity })), [double.NegativeInfinity]);
        Expect.Values(Nn.Logsumexp(Jnp.Array(new float[] { float.PositiveInfinity, 1 })), [double.PositiveInfinity]);
        Expect.Values(Nn.Logsumexp(Jnp.Array(new float[] { float.NegativeInfinity, 0 })), [0]);
    }

    [Fact]
    public void Empty_inputs_give_empty_softmax_and_minus_infinity_logsumexp()
    {
        Expect.Shape(Nn.Softmax(Jnp.Zeros(0)), 0);
        Expect.Shape(Nn.LogSoftmax(Jnp.Zeros([2, 0])), 2, 0);
        Expect.Values(Nn.Logsumexp(Jnp.Zeros(0)), [double.NegativeInfinity]);
        Expect.Values(Nn.Logsumexp(Jnp.Zeros([2, 0]), [1]), [double.NegativeInfinity, double.NegativeInfinity]);
    }

    [Fact]
    public void Softmax_axis_out_of_range_names_softmax()
    {
        Expect.Error(() => Nn.Softmax(Jnp.Zeros(3), 1), "softmax", "axis 1", "NnTests.cs(");
        Expect.Error(() => Nn.LogSoftmax(Jnp.Zeros(3), -2), "log_softmax", "axis -2", "NnTests.cs(");
        Expect.Error(() => Nn.Logsumexp(Jnp.Zeros(3), [1]), "logsumexp", "axis 1", "NnTests.cs(");
    }
}
