using JaxToolchain.Ir;
using TorchSharp;
using TorchOracle = JaxToolchain.Runtime.Tests.Oracle.Torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// <see cref="Jax.Scipy.Special"/> against TorchSharp's <c>torch.special</c> (float64), against known values (mpmath,
/// 50 digits) in the tails, and its derivatives against finite differences and closed forms.
/// </summary>
public class SpecialTests
{
    private static readonly double[] Grid = [-7.5, -4, -2.25, -1, -0.5, -1e-3, 0, 1e-3, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 4, 6, 9];
    private static readonly double[] Unit = [1e-300, 1e-100, 1e-20, 1e-6, 0.01, 0.1, 0.135, 0.3, 0.5, 0.7, 0.865, 0.9, 0.99, 1 - 1e-10];

    private static Tensor F64(params double[] values) => Jnp.Array(values);

    // Ours in float64 against torch's function of the same float64 inputs, within rtol (and atol where results cross 0).
    private static void AgainstTorch(double[] inputs, Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, double rtol, double atol = 0)
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        var actual = ours(F64(inputs)).ToArray<double>();
        var expected = TorchOracle.ToDoubles(theirs(TorchOracle.From(inputs)));
        for (int i = 0; i < inputs.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i]))
            {
                Assert.Equal(expected[i], actual[i]);
                continue;
            }
            Assert.True(Math.Abs(actual[i] - expected[i]) <= rtol * Math.Abs(expected[i]) + atol,
                $"x = {inputs[i]:R}: got {actual[i]:R}, torch {expected[i]:R}");
        }
    }

    private static double[] Values(Tensor t) => t.ToArray<double>();

    [Fact]
    public void Erfc_matches_torch_and_stays_accurate_in_the_tail()
    {
        AgainstTorch(Grid, Jax.Scipy.Special.Erfc, torch.special.erfc, 1e-15);
        using var _ = Jax.Config.X64Scope(true);
        // mpmath: erfc(5), erfc(10), erfc(-3), erfc(0.5), erfc(26).
        Expect.Values(Jax.Scipy.Special.Erfc(F64(5, 10, -3, 0.5, 26)),
            [1.5374597944280348e-12, 2.088487583762545e-45, 1.9999779095030015, 0.4795001221869535, 5.663192408856143e-296], 1e-15);
        var relative = Values(Jax.Scipy.Special.Erfc(F64(10)))[0] / 2.088487583762545e-45 - 1;
        Assert.True(Math.Abs(relative) < 1e-15, $"erfc(10) relative error {relative}");
    }

    [Fact]
    public void Erfc_in_float32_keeps_its_tail()
    {
        var r = Values(Jax.Scipy.Special.Erfc(Jnp.Array(new float[] { 5, 9, -1 })));
        Assert.Equal(1.5374597944280348e-12, r[0], 1.5374597944280348e-12 * 5e-7);
        Assert.Equal(4.13703174651381e-37, r[1], 4.13703174651381e-37 * 5e-7);
        Assert.Equal(1.842700792949715, r[2], 3e-7);
        Assert.Equal(DType.Float32, Jax.Scipy.Special.Erfc(Jnp.Array(new float[] { 1 })).DType);
    }

    [Fact]
    public void Erf_erfinv_gammaln_digamma_match_torch()
    {
        AgainstTorch(Grid, Jax.Scipy.Special.Erf, torch.special.erf, 1e-15, 1e-16);
        AgainstTorch([-0.999, -0.5, 0, 0.25, 0.9, 0.99], Jax.Scipy.Special.Erfinv, x => x.erfinv(), 1e-14);
        double[] positive = [1e-3, 0.25, 0.5, 1, 1.5, 2, 3.7, 10, 123.4];
        AgainstTorch(positive, Jax.Scipy.Special.Gammaln, torch.special.gammaln, 1e-13, 1e-15);
        AgainstTorch(positive, Jax.Scipy.Special.Digamma, torch.special.digamma, 1e-13, 1e-15);
    }

    [Fact]
    public void Xlogy_and_xlog1py_match_torch_and_are_zero_where_x_is_zero()
    {
        using var _ = Jax.Config.X64Scope(true);
        double[] x = [0, 0, 0.5, 2, -1.5, 3], y = [0, 2, 0.25, 3, 4, 1e-8];
        using var scope = torch.NewDisposeScope();
        Expect.Values(Jax.Scipy.Special.Xlogy(F64(x), F64(y)), TorchOracle.ToDoubles(torch.xlogy(TorchOracle.From(x), TorchOracle.From(y))), 1e-15);
        double[] y1 = [-1, 2, 0.25, 3, 4, 1e-8];
        Expect.Values(Jax.Scipy.Special.Xlog1py(F64(x), F64(y1)), TorchOracle.ToDoubles(torch.special.xlog1py(TorchOracle.From(x), TorchOracle.From(y1))), 1e-15);
        Expect.Values(Jax.Scipy.Special.Xlogy(F64(0), F64(0)), [0]);
        Expect.Values(Jax.Scipy.Special.Xlog1py(F64(0), F64(-1)), [0]);
    }

    [Fact]
    public void Xlogy_uses_jaxs_custom_jvp_at_zero()
    {
        using var _ = Jax.Config.X64Scope(true);
        // d/dx at x = 0 is log(y) (the where's other branch would give 0); d/dy is x / y = 0.
        var dx = Jax.Grad((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Xlogy(x, Jnp.Array(3.0))))(Jnp.Array(0.0));
        Assert.Equal(Math.Log(3), dx.Item<double>(), 1e-15);
        var dy = Jax.Grad((Func<Tensor, Tensor>)(y => Jax.Scipy.Special.Xlog1py(Jnp.Array(2.0), y)))(Jnp.Array(0.5));
        Assert.Equal(2 / 1.5, dy.Item<double>(), 1e-15);
        GradientCheck.CheckGrads(a => [Jax.Scipy.Special.Xlogy(a[0], a[1])], [F64(0.5, 2, -1), F64(0.3, 4, 2.5)]);
        GradientCheck.CheckGrads(a => [Jax.Scipy.Special.Xlog1py(a[0], a[1])], [F64(0.5, 2, -1), F64(0.3, 4, 2.5)]);
    }

    [Fact]
    public void Logit_expit_and_entr_match_torch()
    {
        AgainstTorch([1e-8, 0.1, 0.5, 0.7, 0.999, 0, 1], Jax.Scipy.Special.Logit, x => torch.special.logit(x), 1e-15, 1e-16);
        AgainstTorch(Grid, Jax.Scipy.Special.Expit, torch.special.expit, 1e-15);
        AgainstTorch([-1, 0, 1e-5, 0.5, 1, 2.5, 100], Jax.Scipy.Special.Entr, torch.special.entr, 1e-15);
    }

    [Fact]
    public void Ndtr_matches_torch_and_is_accurate_in_the_lower_tail()
    {
        // Torch's float64 ndtr is off by 3e-4 (relative) at -7.5, so it is the oracle above -4 only.
        AgainstTorch([.. Grid.Where(v => v > -4)], Jax.Scipy.Special.Ndtr, torch.special.ndtr, 1e-14);
        using var _ = Jax.Config.X64Scope(true);
        // mpmath: ndtr(-7.5), ndtr(-20) (1 - ndtr(20) would be 0), ndtr(-37); erfc's tail error plus the rounding of
        // x/sqrt 2 amplified by x^2: 1e-13 relative.
        double[] expected = [3.190891672910896e-14, 2.7536241186062336e-89, 5.725571222524577e-300];
        var tails = Values(Jax.Scipy.Special.Ndtr(F64(-7.5, -20, -37)));
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(tails[i] / expected[i] - 1) < 1e-13, $"ndtr tail {i}: {tails[i]:R}");
    }

    [Fact]
    public void Ndtri_matches_torch_inverts_ndtr_and_is_infinite_at_the_ends()
    {
        AgainstTorch(Unit, Jax.Scipy.Special.Ndtri, torch.special.ndtri, 1e-14, 1e-15);
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(Jax.Scipy.Special.Ndtri(F64(0, 1, -0.5, 1.5, 0.5)), [double.NegativeInfinity, double.PositiveInfinity, double.NegativeInfinity, double.PositiveInfinity, 0]);
        // mpmath: ndtri(1e-100) = -21.273453560965323.
        Assert.Equal(-21.273453560965323, Values(Jax.Scipy.Special.Ndtri(F64(1e-100)))[0], 1e-13);
        var x = F64(-8, -3, -0.7, 0, 1.2, 5);
        // The round trip is limited by 1 - ndtr(5) = 2.9e-7 carrying 1e-16 absolute: 8e-11 in x.
        Expect.Values(Jax.Scipy.Special.Ndtri(Jax.Scipy.Special.Ndtr(x)), Values(x), 2e-10);
        var f32 = Jax.Scipy.Special.Ndtri(Jnp.Array(new float[] { 0.025f, 0.5f, 0.975f }));
        Assert.Equal(DType.Float32, f32.DType);
        Expect.Values(f32, [-1.959963984540054, 0, 1.959963984540054], 1e-6);
    }

    [Fact]
    public void Log_ndtr_matches_torch_in_both_tails_and_has_jaxs_jvp()
    {
        using var _ = Jax.Config.X64Scope(true);
        // mpmath, log(ndtr(x)) to 500 digits (TorchSharp 0.107 has no log_ndtr).
        Expect.Values(Jax.Scipy.Special.LogNdtr(F64(-19, -5, -1, 0, 1, 5, 7.9, 8.1, 12)),
            [-184.36612866916096, -15.064998393988725, -1.8410216450092636, -0.6931471805599453, -0.17275377902344988, -2.866516129637636e-07,
             -1.3945171466592653e-15, -2.747959392398229e-16, -1.776482112077679e-33], 1e-14);
        // Below -20 JAX's asymptotic series of order 3: truncation error below its next term, 105 / x^8 (3e-9 at -20.5).
        Expect.Values(Jax.Scipy.Special.LogNdtr(F64(-60, -30, -20.5)), [-1805.0135606805673, -454.3212439563432, -214.0667289632638], 2e-11);
        var tail = Values(Jax.Scipy.Special.LogNdtr(F64(12, 8.1)));
        Assert.Equal(-1.776482112077679e-33, tail[0], 1.776482112077679e-33 * 1e-13);
        Assert.Equal(-2.747959392398229e-16, tail[1], 2.747959392398229e-16 * 1e-14);
        // d/dx log ndtr(x) = pdf(x) / ndtr(x); at -30 about 30.03 (the inverse Mills ratio), within the series'
        // truncation error (1.6e-10 relative).
        var g = Jax.Grad((Func<Tensor, Tensor>)(v => Jax.Scipy.Special.LogNdtr(v)))(Jnp.Array(-30.0)).Item<double>();
        Assert.Equal(30.033259667433677, g, 1e-8);
        GradientCheck.CheckGrads(v => Jax.Scipy.Special.LogNdtr(v), F64(-25, -3, 0.5, 9));
    }

    [Fact]
    public void Gamma_beta_and_betaln_match_closed_forms_with_signs()
    {
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(Jax.Scipy.Special.Gamma(F64(5, 0.5, -0.5, -1.5, -2.5, -2, 0)),
            [24, Math.Sqrt(Math.PI), -2 * Math.Sqrt(Math.PI), 4 * Math.Sqrt(Math.PI) / 3, -8 * Math.Sqrt(Math.PI) / 15, double.NaN, double.PositiveInfinity], 1e-13);
        Expect.Values(Jax.Scipy.Special.Gammasgn(F64(3, -0.5, -1.5, -3, -0.0)), [1, -1, 1, double.NaN, -1]);
        // B(2, 3) = 1/12, B(0.5, 0.5) = pi, B(-0.5, 2) = Gamma(-0.5) Gamma(2) / Gamma(1.5) = -4.
        Expect.Values(Jax.Scipy.Special.Beta(F64(2, 0.5, -0.5), F64(3, 0.5, 2)), [1.0 / 12, Math.PI, -4], 1e-13);
        Expect.Values(Jax.Scipy.Special.Betaln(F64(2, 0.5, 100), F64(3, 0.5, 200)),
            [Math.Log(1.0 / 12), Math.Log(Math.PI), -192.13419227497895], 1e-13);
    }

    [Fact]
    public void Logsumexp_takes_axes_weights_keepdims_and_returns_signs()
    {
        using var _ = Jax.Config.X64Scope(true);
        var a = Jnp.Array(new double[] { 1, 2, 3, 4, 5, 1000 }, [2, 3]);
        using var scope = torch.NewDisposeScope();
        var ta = TorchOracle.From(new double[] { 1, 2, 3, 4, 5, 1000 }, 2, 3);
        Expect.Array(Jax.Scipy.Special.Logsumexp(a, 1), DType.Float64, [2], TorchOracle.ToDoubles(torch.logsumexp(ta, 1)), 1e-15);
        Expect.Array(Jax.Scipy.Special.Logsumexp(a, [0], keepdims: true), DType.Float64, [1, 3], TorchOracle.ToDoubles(torch.logsumexp(ta, 0, keepdim: true)), 1e-15);
        Expect.Array(Jax.Scipy.Special.Logsumexp(a), DType.Float64, [], [1000], 1e-15);
        // Weights: log(2 e^1 + 0 e^2 + 0.5 e^3); b = 0 drops an element; a negative sum is NaN without its sign.
        var b = Jnp.Array(new double[] { 2, 0, 0.5 });
        Expect.Values(Jax.Scipy.Special.Logsumexp(F64(1, 2, 3), b: b), [Math.Log(2 * Math.E + 0.5 * Math.Exp(3))], 1e-15);
        Expect.Values(Jax.Scipy.Special.Logsumexp(F64(1, 2), b: F64(1, -1)), [double.NaN]);
        var (result, sign) = Jax.Scipy.Special.LogsumexpWithSign(F64(1, 2), b: F64(1, -1));
        Expect.Values(result, [Math.Log(Math.Exp(2) - Math.E)], 1e-15);
        Expect.Values(sign, [-1]);
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Logsumexp(x, 0, b: F64(0.5, 2, 1)), F64(0.3, -1, 2));
    }

    [Fact]
    public void Special_functions_promote_integers_and_run_under_jit_and_vmap()
    {
        Assert.Equal(DType.Float32, Jax.Scipy.Special.Erfc(Jnp.Array(new[] { 1, 2 })).DType);
        var jitted = Jax.Jit((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Erfc(x) + Jax.Scipy.Special.Ndtri(Jax.Scipy.Special.Expit(x))));
        var input = Jnp.Array(new float[] { -2, 0.5f, 3 });
        var eager = Jax.Scipy.Special.Erfc(input) + Jax.Scipy.Special.Ndtri(Jax.Scipy.Special.Expit(input));
        Expect.Values(jitted(input), Values(eager), 1e-6);
        var mapped = Jax.Vmap((Func<Tensor, Tensor>)(row => Jax.Scipy.Special.Logsumexp(row)))(Jnp.Array(new float[] { 1, 2, 3, 4 }, [2, 2]));
        Expect.Values(mapped, [2 + Math.Log(1 + Math.Exp(-1)), 4 + Math.Log(1 + Math.Exp(-1))], 1e-6);
    }

    [Fact]
    public void Erfc_gradient_is_minus_two_over_sqrt_pi_times_the_gaussian()
    {
        using var _ = Jax.Config.X64Scope(true);
        var g = Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(Jax.Scipy.Special.Erfc(x))))(F64(-1, 0, 2));
        Expect.Values(g, [-2 / Math.Sqrt(Math.PI) * Math.Exp(-1), -2 / Math.Sqrt(Math.PI), -2 / Math.Sqrt(Math.PI) * Math.Exp(-4)], 1e-15);
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Erfc(x), F64(-1.2, 0.3, 2.2), order: 2);
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Ndtri(x), F64(0.01, 0.3, 0.95));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Expect.Error(() => Jax.Scipy.Special.Ndtr(Jnp.Array(new[] { 1, 2 })), "ndtr", "int32", "float32 or float64");
        Expect.Error(() => Jax.Scipy.Special.Ndtri(Jnp.Array(new[] { 1.0 }).Astype(DType.Float16)), "ndtri", "float16");
        Expect.Error(() => Jax.Scipy.Special.LogNdtr(Jnp.Array(new float[] { 1 }), seriesOrder: 31), "log_ndtr", "series_order", "31");
        Expect.Error(() => Jax.Scipy.Special.Logsumexp(F64(1, 2), 3), "logsumexp");
        Assert.Throws<ArgumentNullException>("x", () => Jax.Scipy.Special.Erfc(null!));
        Assert.Throws<ArgumentNullException>("y", () => Jax.Scipy.Special.Xlogy(F64(1), null!));
    }
}
