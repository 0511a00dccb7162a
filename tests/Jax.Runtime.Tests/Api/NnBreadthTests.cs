using JaxToolchain.Ir;
using TorchSharp;
using TorchOracle = JaxToolchain.Runtime.Tests.Oracle.Torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// The <see cref="Nn"/> activations, one_hot, standardize and initializers: values against
/// <c>torch.nn.functional</c> and closed forms in float64, derivatives against finite differences and JAX's custom
/// JVPs, initializer statistics on large samples.
/// </summary>
public class NnBreadthTests
{
    private static readonly double[] Inputs = [-40, -7, -3, -1.5, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 1.5, 3, 5.5, 6, 7, 40];

    private static Tensor In => Jnp.Array(Inputs);

    private static void AgainstTorch(Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, double tolerance = 1e-15)
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        var r = ours(In);
        Assert.Equal(DType.Float64, r.DType);
        Expect.Values(r, TorchOracle.ToDoubles(theirs(TorchOracle.From(Inputs))), tolerance);
    }

    private static void Closed(Func<Tensor, Tensor> ours, Func<double, double> reference, double tolerance = 1e-15)
    {
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(ours(In), [.. Inputs.Select(reference)], tolerance);
    }

    [Fact]
    public void Softplus_and_log_sigmoid_match_torch() =>
        AgainstTorch(Nn.Softplus, x => torch.nn.functional.softplus(x, 1, 1000));

    [Fact]
    public void Log_sigmoid_matches_torch() => AgainstTorch(Nn.LogSigmoid, x => torch.nn.functional.logsigmoid(x));

    [Fact]
    public void Silu_and_swish_match_torch()
    {
        AgainstTorch(Nn.Silu, x => torch.nn.functional.silu(x));
        AgainstTorch(Nn.Swish, x => torch.nn.functional.silu(x));
    }

    [Fact]
    public void Leaky_relu_and_celu_match_torch()
    {
        AgainstTorch(x => Nn.LeakyRelu(x), x => torch.nn.functional.leaky_relu(x, 0.01));
        AgainstTorch(x => Nn.LeakyRelu(x, 0.2), x => torch.nn.functional.leaky_relu(x, 0.2));
        AgainstTorch(x => Nn.Celu(x), x => torch.nn.functional.celu(x, 1.0));
        AgainstTorch(x => Nn.Celu(x, 0.5), x => torch.nn.functional.celu(x, 0.5));
    }

    [Fact]
    public void Hard_activations_match_torch()
    {
        // TorchSharp 0.107's hardtanh returns its input unclipped here; hard_tanh is checked against its closed form.
        Closed(Nn.HardTanh, v => Math.Clamp(v, -1, 1));
        AgainstTorch(Nn.Relu6, x => torch.nn.functional.relu6(x));
        AgainstTorch(Nn.HardSigmoid, x => torch.nn.functional.hardsigmoid(x));
        AgainstTorch(Nn.HardSilu, x => torch.nn.functional.hardswish(x));
        AgainstTorch(Nn.HardSwish, x => torch.nn.functional.hardswish(x));
    }

    [Fact]
    public void Mish_matches_torch() => AgainstTorch(Nn.Mish, x => torch.nn.functional.mish(x));

    [Fact]
    public void Sparse_plus_sparse_sigmoid_and_squareplus_match_their_closed_forms()
    {
        Closed(Nn.SparsePlus, v => v <= -1 ? 0 : v >= 1 ? v : (v + 1) * (v + 1) / 4);
        Closed(Nn.SparseSigmoid, v => Math.Clamp(v + 1, 0, 2) / 2);
        Closed(x => Nn.Squareplus(x), v => (v + Math.Sqrt(v * v + 4)) / 2, 1e-14);
        Closed(x => Nn.Squareplus(x, 1), v => (v + Math.Sqrt(v * v + 1)) / 2, 1e-14);
    }

    [Fact]
    public void Exact_gelu_uses_erfc_and_keeps_its_negative_tail()
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        Expect.Values(Nn.Gelu(In, approximate: false), TorchOracle.ToDoubles(torch.nn.functional.gelu(TorchOracle.From(Inputs))), 1e-15);
        // x Phi(x) at x = -12: -12 * 1.776482112077679e-33 (mpmath); 1 + erf(x/sqrt 2) would round to 0.
        var tail = Nn.Gelu(Jnp.Array(-12.0), approximate: false).Item<double>();
        // erfc(z) at z = 8.5 amplifies the rounding of x/sqrt 2 by 2 z^2 = 144: 1e-13 relative.
        Assert.Equal(-12 * 1.776482112077679e-33, tail, 12 * 1.776482112077679e-33 * 1e-13);
    }

    [Fact]
    public void Glu_gates_the_first_half_with_the_sigmoid_of_the_second()
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        double[] data = [.. Enumerable.Range(0, 24).Select(i => Math.Sin(i) * 3)];
        var x = Jnp.Array(data, [2, 4, 3]);
        var t = TorchOracle.From(data, 2, 4, 3);
        Expect.Array(Nn.Glu(x, 1), DType.Float64, [2, 2, 3], TorchOracle.ToDoubles(torch.nn.functional.glu(t, 1)), 1e-15);
        Expect.Array(Nn.Glu(Jnp.Array(data, [2, 3, 4])), DType.Float64, [2, 3, 2], TorchOracle.ToDoubles(torch.nn.functional.glu(TorchOracle.From(data, 2, 3, 4), -1)), 1e-15);
        Expect.Error(() => Nn.Glu(x, -1), "glu", "axis -1", "even size", "3");
    }

    [Fact]
    public void Activations_have_the_right_gradients()
    {
        using var _ = Jax.Config.X64Scope(true);
        var points = Jnp.Array(new[] { -3.2, -0.7, 0.4, 2.3, 4.1 });
        foreach (var f in new Func<Tensor, Tensor>[] { Nn.Softplus, Nn.LogSigmoid, Nn.Silu, Nn.Mish, x => Nn.Squareplus(x), x => Nn.Celu(x, 0.7), x => Nn.Gelu(x, false), Nn.SparsePlus })
            GradientCheck.CheckGrads(f, points, order: 2);
        // The derivative of softplus at 0 is sigmoid(0) = 1/2 (logaddexp's custom JVP in JAX).
        Assert.Equal(0.5, Jax.Grad((Func<Tensor, Tensor>)Nn.Softplus)(Jnp.Array(0.0)).Item<double>(), 1e-15);
        Assert.Equal(-0.5, Jax.Grad((Func<Tensor, Tensor>)(x => Nn.LogSigmoid(-x)))(Jnp.Array(0.0)).Item<double>(), 1e-15);
    }

    [Fact]
    public void Relu6_has_jaxs_custom_jvp_at_the_kinks()
    {
        using var _ = Jax.Config.X64Scope(true);
        var g = Jax.Vmap(Jax.Grad((Func<Tensor, Tensor>)Nn.Relu6))(Jnp.Array(new[] { -1.0, 0, 3, 6, 7 }));
        Expect.Values(g, [0, 0, 1, 0, 0]);
        var hard = Jax.Vmap(Jax.Grad((Func<Tensor, Tensor>)Nn.HardSigmoid))(Jnp.Array(new[] { -3.0, 0, 3 }));
        Expect.Values(hard, [0, 1.0 / 6, 0], 1e-15);
    }

    [Fact]
    public void One_hot_encodes_along_any_axis_in_the_default_float_dtype()
    {
        var labels = Jnp.Array(new[] { 0, 2, 1, 5, -1 });
        using var scope = torch.NewDisposeScope();
        var expected = TorchOracle.ToDoubles(torch.nn.functional.one_hot(torch.tensor(new long[] { 0, 2, 1 }), 3));
        Expect.Array(Nn.OneHot(Jnp.Array(new[] { 0, 2, 1 }), 3), DType.Float32, [3, 3], expected);
        // Out-of-range labels give all zeros (as JAX; torch would raise).
        Expect.Array(Nn.OneHot(labels, 3), DType.Float32, [5, 3], [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        var first = Nn.OneHot(Jnp.Array(new[] { 1, 0 }), 3, DType.Int32, axis: 0);
        Expect.Array(first, DType.Int32, [3, 2], [0, 1, 1, 0, 0, 0]);
        Expect.Shape(Nn.OneHot(Jnp.Array(new[] { 1, 0, 2, 2 }, [2, 2]), 4, axis: 1), 2, 4, 2);
        Expect.Error(() => Nn.OneHot(labels, 3, axis: 2), "one_hot");
        Expect.Error(() => Nn.OneHot(labels, -1), "one_hot", "num_classes", "-1");
        Assert.Equal(DType.Float32, Jax.Jit((Func<Tensor, Tensor>)(l => Nn.OneHot(l, 6)))(labels).DType);
    }

    [Fact]
    public void Standardize_matches_torch_layer_norm_and_takes_given_statistics()
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        double[] data = [.. Enumerable.Range(0, 12).Select(i => Math.Cos(i * 1.3) * (i + 1))];
        var expected = TorchOracle.ToDoubles(torch.nn.functional.layer_norm(TorchOracle.From(data, 3, 4), [4], eps: 1e-5));
        Expect.Array(Nn.Standardize(Jnp.Array(data, [3, 4])), DType.Float64, [3, 4], expected, 1e-13);
        var overBoth = Nn.Standardize(Jnp.Array(data, [3, 4]), [0, 1], epsilon: 0);
        Expect.Values(Jnp.Mean(overBoth), [0], 1e-14);
        Expect.Values(Jnp.Var(overBoth), [1], 1e-13);
        Expect.Values(Nn.Standardize(Jnp.Array(new[] { 1.0, 3 }), mean: Jnp.Array(1.0), variance: Jnp.Array(4.0), epsilon: 0), [0, 1]);
        GradientCheck.CheckGrads(x => Nn.Standardize(x), Jnp.Array(new[] { 0.3, -1.2, 2.5, 0.9 }));
    }

    [Fact]
    public void Logsumexp_softmax_take_an_int_axis()
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = Jnp.Array(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        Expect.Array(Nn.Logsumexp(x, 0), DType.Float64, [3], [.. new[] { (1, 4), (2, 5), (3, 6) }.Select(p => p.Item2 + Math.Log(1 + Math.Exp(p.Item1 - p.Item2)))], 1e-15);
        Expect.Shape(Nn.Logsumexp(x, -1, keepdims: true), 2, 1);
        Expect.Values(Jnp.Sum(Nn.Softmax(x, 0), 0), [1, 1, 1], 1e-15);
    }

    private static (double Mean, double Variance, double Min, double Max) Statistics(Tensor t)
    {
        var v = t.ToArray<double>();
        double mean = v.Average();
        return (mean, v.Select(e => (e - mean) * (e - mean)).Average(), v.Min(), v.Max());
    }

    [Fact]
    public void Simple_initializers_fill_and_scale()
    {
        var key = Jax.Random.PRNGKey(0);
        Expect.Array(Nn.Initializers.Zeros(key, [2, 2]), DType.Float32, [2, 2], [0, 0, 0, 0]);
        Expect.Array(Nn.Initializers.Ones(key, [3], DType.Float16), DType.Float16, [3], [1, 1, 1]);
        Expect.Array(Nn.Initializers.Constant(-0.5)(key, [2]), DType.Float32, [2], [-0.5, -0.5]);
        // 100k samples: the standard error of a variance is at most 0.45% of it (normal); tolerances are five of them.
        var normal = Statistics(Nn.Initializers.Normal(0.5)(key, [200, 500]));
        Assert.Equal(0, normal.Mean, 0.01);
        Assert.Equal(0.25, normal.Variance, 0.25 * 0.025);
        var uniform = Statistics(Nn.Initializers.Uniform(3)(key, [100_000]));
        Assert.Equal(1.5, uniform.Mean, 0.02);
        Assert.Equal(0.75, uniform.Variance, 0.75 * 0.025);
        Assert.True(uniform.Min >= 0 && uniform.Max < 3);
        // Normal truncated to +-2: variance 0.7737413 of the untruncated one.
        var truncated = Statistics(Nn.Initializers.TruncatedNormal(2)(key, [100_000]));
        Assert.Equal(4 * 0.7737413, truncated.Variance, 4 * 0.7737413 * 0.025);
        Assert.True(truncated.Min >= -4 && truncated.Max <= 4);
    }

    [Fact]
    public void Variance_scaling_initializers_have_the_asked_variance()
    {
        var key = Jax.Random.PRNGKey(42);
        // Shape [fan_in 250, fan_out 800] (fans of 2D weights: rows in, columns out); 200k samples, tolerances of five
        // standard errors of the variance (0.3% of it for a normal sample).
        int[] shape = [250, 800];
        double fanIn = 250, fanOut = 800, avg = (fanIn + fanOut) / 2;
        void Check(Nn.Initializer init, double variance, double? bound = null)
        {
            var s = Statistics(init(key, shape));
            Assert.Equal(0, s.Mean, 5 * Math.Sqrt(variance / 200_000));
            Assert.Equal(variance, s.Variance, variance * 0.016);
            if (bound is { } b) Assert.True(s.Min >= -b && s.Max <= b, $"samples outside +-{b}");
        }
        Check(Nn.Initializers.GlorotUniform(), 1 / avg, Math.Sqrt(3 / avg));
        Check(Nn.Initializers.GlorotNormal(), 1 / avg, 2 * Math.Sqrt(1 / avg) / 0.87962566103423978);
        Check(Nn.Initializers.HeNormal(), 2 / fanIn);
        Check(Nn.Initializers.HeUniform(), 2 / fanIn, Math.Sqrt(6 / fanIn));
        Check(Nn.Initializers.LecunNormal(), 1 / fanIn);
        Check(Nn.Initializers.LecunUniform(), 1 / fanIn, Math.Sqrt(3 / fanIn));
        Check(Nn.Initializers.VarianceScaling(3, "fan_out", "normal"), 3 / fanOut);
        Check(Nn.Initializers.VarianceScaling(1, "fan_geo_avg", "uniform"), 1 / Math.Sqrt(fanIn * fanOut));
        using var _ = Jax.Config.X64Scope(true);
        Assert.Equal(DType.Float64, Nn.Initializers.HeNormal()(key, [4, 4], DType.Float64).DType);
    }

    [Fact]
    public void Fans_follow_jaxs_axes_and_receptive_field()
    {
        Assert.Equal((250.0, 800.0), Nn.Initializers.ComputeFans([250, 800]));
        // A 3x3 convolution kernel HWIO: receptive field 9.
        Assert.Equal((9.0 * 16, 9.0 * 32), Nn.Initializers.ComputeFans([3, 3, 16, 32]));
        Assert.Equal((5.0, 7.0), Nn.Initializers.ComputeFans([4, 5, 7], batchAxis: [0]));
        Assert.Equal((7.0 * 4, 5.0 * 4), Nn.Initializers.ComputeFans([4, 5, 7], inAxis: [-1], outAxis: [-2]));
        Expect.Error(() => Nn.Initializers.ComputeFans([5]), "variance_scaling", "1-dimensional", "at least 2D");
        var key = Jax.Random.PRNGKey(1);
        Assert.Throws<ArgumentException>("mode", () => Nn.Initializers.VarianceScaling(1, "fan_middle", "normal"));
        Assert.Throws<ArgumentException>("distribution", () => Nn.Initializers.VarianceScaling(1, "fan_in", "cauchy"));
        Expect.Error(() => Nn.Initializers.Normal()(key, [2], DType.Int32), "normal", "int32");
        Assert.Throws<ArgumentNullException>("shape", () => Nn.Initializers.Zeros(key, null!));
        Assert.Throws<ArgumentNullException>("x", () => Nn.Softplus(null!));
    }

    [Fact]
    public void Activations_run_under_jit_and_vmap_like_eagerly()
    {
        var x = Jnp.Array(new float[] { -2, -0.25f, 0.5f, 4, 7, -9 }, [2, 3]);
        Func<Tensor, Tensor> f = v => Nn.Mish(v) + Nn.HardSwish(v) + Nn.Celu(v) + Nn.Softplus(v) + Nn.Gelu(v, false) + Nn.Relu6(v);
        var eager = f(x).ToArray<double>();
        Expect.Values(Jax.Jit(f)(x), eager, 1e-6);
        Expect.Values(Jax.Vmap(f)(x), eager, 1e-6);
        Expect.Values(Jax.Vmap((Func<Tensor, Tensor>)(row => Nn.Glu(row, 0)))(Jnp.Array(new float[] { 1, 2, 3, 4 }, [2, 2])),
            [1 / (1 + Math.Exp(-2)), 3 / (1 + Math.Exp(-4))], 1e-6);
    }
}
