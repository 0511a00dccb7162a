using JaxToolchain.Ir;
using TorchSharp;
using TorchOracle = JaxToolchain.Runtime.Tests.Oracle.Torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// The incomplete gamma and beta functions, the scaled Bessel functions, zeta/polygamma and the smaller
/// <see cref="Jax.Scipy.Special"/> functions: float64 values against TorchSharp (torch.igamma/igammac,
/// torch.special.i0e/i1/i1e/zeta/polygamma/multigammaln) and against closed forms, float32 spot checks, derivatives
/// against finite differences, and runs under Jit and Vmap.
/// </summary>
public class SpecialMoreTests
{
    private static Tensor F64(params double[] values) => Jnp.Array(values);

    private static void Close(double[] expected, double[] actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i]))
            {
                Assert.True(expected[i].Equals(actual[i]), $"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}");
                continue;
            }
            Assert.True(Math.Abs(actual[i] - expected[i]) <= rtol * Math.Abs(expected[i]) + atol,
                $"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    private static void AgainstTorch(double[] inputs, Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, double rtol, double atol = 0)
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        Close(TorchOracle.ToDoubles(theirs(TorchOracle.From(inputs))), ours(F64(inputs)).ToArray<double>(), rtol, atol, "torch");
    }

    private static void AgainstTorch(double[] a, double[] x, Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs, double rtol, double atol = 0)
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        Close(TorchOracle.ToDoubles(theirs(TorchOracle.From(a), TorchOracle.From(x))), ours(F64(a), F64(x)).ToArray<double>(), rtol, atol, "torch");
    }

    // Both regimes (series: x <= 1 or x <= a; continued fraction beyond), small and large a, both tails.
    // (torch's igamma is off by 1e-9 relative at a = 50, x = 40, where it switches to an asymptotic expansion; that
    // point is checked against mpmath below.)
    private static readonly double[] IgammaA = [0.5, 0.5, 1, 1, 2.5, 2.5, 3, 10, 10, 10, 0.1, 50, 1e-3, 7.25, 200];
    private static readonly double[] IgammaX = [0.1, 3, 0.5, 20, 1, 6, 2.9, 5, 10, 25, 1e-5, 70, 0.5, 7, 180];

    [Fact]
    public void Gammainc_and_gammaincc_match_torch_in_float64()
    {
        // The prefactor x^a e^-x / Gamma(a) is exp of a difference of terms as large as lgamma(a), so its relative
        // error is about lgamma(a) eps: 2e-13 at a = 200 (lgamma 858).
        AgainstTorch(IgammaA, IgammaX, Jax.Scipy.Special.Gammainc, torch.special.gammainc, 5e-13, 1e-300);
        // Q for x < 1 is 1 - P (XLA's igammac), exact to eps absolute: Q(1e-3, 0.5) = 5.6e-4 has 1.4e-12 relative error.
        AgainstTorch(IgammaA, IgammaX, Jax.Scipy.Special.Gammaincc, torch.special.gammaincc, 5e-13, 1e-15);
    }

    [Fact]
    public void Gammainc_edges_and_known_values()
    {
        using var _ = Jax.Config.X64Scope(true);
        // P(1, x) = 1 - e^-x; P(1/2, x) = erf(sqrt x); Q(3, 2) = 5 e^-2.
        Close([1 - Math.Exp(-0.25), 1 - Math.Exp(-4)], Jax.Scipy.Special.Gammainc(F64(1, 1), F64(0.25, 4)).ToArray<double>(), 1e-15, 0, "P(1, x)");
        Close([0.5204998778130465, 0.9953222650189527], Jax.Scipy.Special.Gammainc(F64(0.5, 0.5), F64(0.25, 4)).ToArray<double>(), 1e-14, 0, "erf");
        Close([5 * Math.Exp(-2)], Jax.Scipy.Special.Gammaincc(F64(3), F64(2)).ToArray<double>(), 1e-14, 0, "Q(3, 2)");
        // mpmath (40 digits): P(50, 40).
        Close([0.070335066659394954437], Jax.Scipy.Special.Gammainc(F64(50), F64(40)).ToArray<double>(), 1e-13, 0, "P(50, 40)");
        // The upper tail keeps its relative accuracy: Q(1, 50) = e^-50.
        Close([Math.Exp(-50)], Jax.Scipy.Special.Gammaincc(F64(1), F64(50)).ToArray<double>(), 1e-14, 0, "Q(1, 50)");
        Close([0, 1, double.NaN, double.NaN, double.NaN],
            Jax.Scipy.Special.Gammainc(F64(2, 2, 0, -1, 2), F64(0, double.PositiveInfinity, 1, 1, -1)).ToArray<double>(), 0, 0, "P edges");
        Close([1, 0, 1, 1], Jax.Scipy.Special.Gammaincc(F64(2, 2, 0, 2), F64(0, double.PositiveInfinity, 1, -1)).ToArray<double>(), 0, 0, "Q edges");
    }

    [Fact]
    public void Gammainc_in_float32_and_from_ints()
    {
        var p = Jax.Scipy.Special.Gammainc(Jnp.Array(new float[] { 1, 2.5f, 10 }), Jnp.Array(new float[] { 0.25f, 6, 5 }));
        Assert.Equal(DType.Float32, p.DType);
        // mpmath: P(1, 0.25), P(2.5, 6), P(10, 5).
        Close([0.22119921692859513175, 0.96521221949375815008, 0.031828057306204811737], p.ToArray<double>(), 1e-5, 0, "float32");
        // Under jit (the while loops run as one program) and vmap.
        var jitted = Jax.Jit((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Gammainc(Jnp.Array(new float[] { 2.5f, 10 }), x)))(Jnp.Array(new float[] { 6, 5 }));
        Close([0.96521221949375815008, 0.031828057306204811737], jitted.ToArray<double>(), 1e-5, 0, "jit");
        var mapped = Jax.Vmap((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Gammaincc(Jnp.Array(3f), x)))(Jnp.Array(new float[] { 2, 0.5f }));
        Close([5 * Math.Exp(-2), 0.98561232203302907], mapped.ToArray<double>(), 1e-5, 0, "vmap");
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => Jax.Scipy.Special.Gammainc(Jnp.Array(1f), null!)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => Jax.Scipy.Special.Betainc(Jnp.Array(1f), null!, Jnp.Array(1f))).ParamName);
        var fromInts = Jax.Scipy.Special.Gammaincc(Jnp.Array(new[] { 3 }), Jnp.Array(new[] { 2 }));
        Assert.True(fromInts.DType.IsFloat());
        Close([5 * Math.Exp(-2)], fromInts.ToArray<double>(), 1e-6, 0, "ints");
    }

    [Fact]
    public void Gammainc_derivatives_match_finite_differences_in_a_and_x()
    {
        using var _ = Jax.Config.X64Scope(true);
        GradientCheck.CheckGrads(v => [Jax.Scipy.Special.Gammainc(v[0], v[1])], [F64(0.7, 2.5, 4), F64(0.4, 6, 3.5)]);
        GradientCheck.CheckGrads(v => [Jax.Scipy.Special.Gammaincc(v[0], v[1])], [F64(1.5, 3), F64(0.8, 9)]);
        // d/dx P(a, x) = x^(a-1) e^-x / Gamma(a): at a = 3, x = 2: 2 e^-2.
        var dx = Jax.Grad((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Gammainc(Jnp.Array(3.0), x)))(Jnp.Array(2.0));
        Assert.Equal(2 * Math.Exp(-2), dx.Item<double>(), 1e-14);
    }

    // I_x(a, b) for integer a, b: the binomial tail sum over j >= a of C(a+b-1, j) x^j (1-x)^(a+b-1-j).
    private static double BinomialTail(int a, int b, double x)
    {
        int n = a + b - 1;
        double sum = 0;
        for (int j = a; j <= n; j++)
        {
            double c = 1;
            for (int k = 0; k < j; k++) c = c * (n - k) / (k + 1);
            sum += c * Math.Pow(x, j) * Math.Pow(1 - x, n - j);
        }
        return sum;
    }

    [Fact]
    public void Betainc_matches_closed_forms_on_both_sides_of_the_symmetry()
    {
        using var _ = Jax.Config.X64Scope(true);
        int[] a = [2, 1, 5, 3, 10, 2];
        int[] b = [3, 1, 2, 7, 4, 20];
        double[] x = [0.4, 0.3, 0.9, 0.05, 0.6, 0.02];
        var expected = a.Select((ai, i) => BinomialTail(ai, b[i], x[i])).ToArray();
        Close(expected, Jax.Scipy.Special.Betainc(F64([.. a.Select(v => (double)v)]), F64([.. b.Select(v => (double)v)]), F64(x)).ToArray<double>(), 1e-13, 0, "binomial");
        // I_x(1/2, 1/2) = (2/pi) asin(sqrt x).
        double[] xs = [0.01, 0.3, 0.5, 0.8, 0.999];
        Close([.. xs.Select(v => 2 / Math.PI * Math.Asin(Math.Sqrt(v)))],
            Jax.Scipy.Special.Betainc(F64(0.5, 0.5, 0.5, 0.5, 0.5), F64(0.5, 0.5, 0.5, 0.5, 0.5), F64(xs)).ToArray<double>(), 1e-13, 0, "arcsine");
        Close([0, 1, double.NaN, double.NaN, double.NaN],
            Jax.Scipy.Special.Betainc(F64(2, 2, 0, 2, 2), F64(3, 3, 1, 3, 3), F64(0, 1, 0.5, -0.1, 1.5)).ToArray<double>(), 1e-15, 0, "edges");
        var single = Jax.Scipy.Special.Betainc(Jnp.Array(new float[] { 2 }), Jnp.Array(new float[] { 3 }), Jnp.Array(new float[] { 0.4f }));
        Assert.Equal(DType.Float32, single.DType);
        Close([0.5248], single.ToArray<double>(), 1e-6, 0, "float32");
    }

    [Fact]
    public void Betainc_derivative_in_x_matches_finite_differences_and_runs_under_vmap()
    {
        using var _ = Jax.Config.X64Scope(true);
        var a = F64(2, 0.5, 4);
        var b = F64(3, 1.5, 2);
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Betainc(a, b, x), F64(0.3, 0.6, 0.85));
        var batched = Jax.Vmap((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Betainc(Jnp.Array(2.0), Jnp.Array(3.0), x)))(F64(0.4, 0.5));
        Close([0.5248, BinomialTail(2, 3, 0.5)], batched.ToArray<double>(), 1e-13, 0, "vmap");
    }

    private static readonly double[] BesselGrid = [-30, -9, -8, -2.5, -0.1, 0, 1e-8, 0.3, 1, 4, 7.9, 8, 8.1, 15, 100, 700];

    [Fact]
    public void Scaled_bessel_functions_match_torch()
    {
        AgainstTorch(BesselGrid, Jax.Scipy.Special.I0e, torch.special.i0e, 1e-15, 1e-300);
        AgainstTorch(BesselGrid, Jax.Scipy.Special.I1e, torch.special.i1e, 1e-15, 1e-300);
        AgainstTorch([.. BesselGrid.Where(v => Math.Abs(v) < 700)], Jax.Scipy.Special.I1, torch.special.i1, 1e-15, 1e-300);
        AgainstTorch([-3, 0, 0.5, 9], Jax.Scipy.Special.I0, torch.special.i0, 1e-15);
        var single = Jax.Scipy.Special.I1e(Jnp.Array(new float[] { -2.5f, 1, 20 }));
        Assert.Equal(DType.Float32, single.DType);
        using var scope = torch.NewDisposeScope();
        Close(TorchOracle.ToDoubles(torch.special.i1e(TorchOracle.From([-2.5, 1, 20]))), single.ToArray<double>(), 1e-6, 0, "float32");
    }

    [Fact]
    public void Bessel_derivatives_follow_jaxs_rules()
    {
        using var _ = Jax.Config.X64Scope(true);
        GradientCheck.CheckGrads(Jax.Scipy.Special.I0e, F64(-3, -0.5, 0.7, 9));
        GradientCheck.CheckGrads(Jax.Scipy.Special.I1e, F64(-3, -0.5, 0.7, 9));
        GradientCheck.CheckGrads(Jax.Scipy.Special.I1, F64(-3, 0.7, 9));
        // i1e'(0) = 1/2 (the rule's value where |x| <= eps).
        var d = Jax.Grad((Func<Tensor, Tensor>)Jax.Scipy.Special.I1e)(Jnp.Array(0.0));
        Assert.Equal(0.5, d.Item<double>(), 1e-15);
    }

    [Fact]
    public void Zeta_polygamma_and_multigammaln_match_torch()
    {
        double[] x = [1.5, 2, 2, 3, 4.5, 10, 30, 2];
        double[] q = [1, 1, 0.5, 2.5, 0.1, 3, 1, 100];
        AgainstTorch(x, q, Jax.Scipy.Special.Zeta, torch.special.zeta, 1e-14);
        using (Jax.Config.X64Scope(true))
        {
            // zeta(2, 1) = pi^2 / 6, zeta(1, q) = inf, zeta(0.5, 1) = NaN, zeta(2, -1) = inf (a pole), zeta(2.5, -0.5) = NaN.
            Close([Math.PI * Math.PI / 6, double.PositiveInfinity, double.NaN, double.PositiveInfinity, double.NaN],
                Jax.Scipy.Special.Zeta(F64(2, 1, 0.5, 2, 2.5), F64(1, 2, 1, -1, -0.5)).ToArray<double>(), 1e-15, 0, "zeta domain");
            using var scope = torch.NewDisposeScope();
            double[] xs = [0.3, 1, 2.5, 7, 40];
            foreach (int n in new[] { 0, 1, 2, 3, 5 })
            {
                // torch's trigamma is an asymptotic series good to ~1e-10 only; for n = 1 the oracle is zeta(2, x).
                var expected = TorchOracle.ToDoubles(n == 1
                    ? torch.special.zeta(TorchOracle.From([2.0, 2, 2, 2, 2]), TorchOracle.From(xs))
                    : torch.special.polygamma(n, TorchOracle.From(xs)));
                Close(expected, Jax.Scipy.Special.Polygamma(Jnp.FullLike(F64(xs), n), F64(xs)).ToArray<double>(), 1e-13, 1e-15, $"polygamma({n})");
                Close(TorchOracle.ToDoubles(torch.special.multigammaln(TorchOracle.From(xs).add(n + 2.0), n + 1)),
                    Jax.Scipy.Special.Multigammaln(Jnp.Add(F64(xs), n + 2.0), n + 1).ToArray<double>(), 1e-13, 1e-13, $"multigammaln({n + 1})");
            }
            Close([double.NaN, double.NaN], Jax.Scipy.Special.Polygamma(F64(-1, 1.5), F64(2, 2)).ToArray<double>(), 0, 0, "polygamma n");
        }
        var single = Jax.Scipy.Special.Zeta(Jnp.Array(new float[] { 2, 3 }), Jnp.Array(new float[] { 1, 2 }));
        Assert.Equal(DType.Float32, single.DType);
        // zeta(2) and zeta(3) - 1.
        Close([1.6449340668482264, 0.2020569031595942], single.ToArray<double>(), 2e-6, 0, "float32");
    }

    [Fact]
    public void Zeta_and_polygamma_derivatives()
    {
        using var _ = Jax.Config.X64Scope(true);
        // d/dq zeta(x, q) = -x zeta(x + 1, q); d/dx polygamma(n, x) = polygamma(n + 1, x).
        var dq = Jax.Grad((Func<Tensor, Tensor>)(q => Jax.Scipy.Special.Zeta(Jnp.Array(3.0), q)))(Jnp.Array(2.0));
        Assert.Equal(-3 * (Jax.Scipy.Special.Zeta(Jnp.Array(4.0), Jnp.Array(2.0)).Item<double>()), dq.Item<double>(), 1e-13);
        GradientCheck.CheckGrads(q => Jax.Scipy.Special.Zeta(F64(2, 3.5), q), F64(0.7, 4));
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Polygamma(F64(0, 1, 3), x), F64(0.7, 2, 5));
        var jitted = Jax.Jit((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Polygamma(F64(1, 1), x)))(F64(1, 2));
        Close([Math.PI * Math.PI / 6, Math.PI * Math.PI / 6 - 1], jitted.ToArray<double>(), 1e-14, 0, "jit trigamma");
    }

    [Fact]
    public void Kl_div_rel_entr_factorial_and_poch()
    {
        using var _ = Jax.Config.X64Scope(true);
        double[] p = [0.5, 0, 0, 2, -1, 0.3], q = [0.25, 3, 0, 1, 1, -1];
        Close([0.5 * Math.Log(2) - 0.25, 3, 0, 2 * Math.Log(2) - 1, double.PositiveInfinity, double.PositiveInfinity],
            Jax.Scipy.Special.KlDiv(F64(p), F64(q)).ToArray<double>(), 1e-15, 0, "kl_div");
        Close([0.5 * Math.Log(2), 0, 0, 2 * Math.Log(2), double.PositiveInfinity, double.PositiveInfinity],
            Jax.Scipy.Special.RelEntr(F64(p), F64(q)).ToArray<double>(), 1e-15, 0, "rel_entr");
        // Gamma(1.5) = sqrt(pi) / 2.
        Close([1, 120, 0, Math.Sqrt(Math.PI) / 2, 3628800], Jax.Scipy.Special.Factorial(F64(0, 5, -1, 0.5, 10)).ToArray<double>(), 1e-13, 0, "factorial");
        Assert.Throws<JaxTypeException>(() => Jax.Scipy.Special.Factorial(F64(3), exact: true));
        // poch(3, 2) = 3 * 4; poch(z, 0) = 1; poch(0.5, 1.5) = Gamma(2) / Gamma(0.5).
        Close([12, 1, 1 / Math.Sqrt(Math.PI)], Jax.Scipy.Special.Poch(F64(3, 7.5, 0.5), F64(2, 0, 1.5)).ToArray<double>(), 1e-14, 0, "poch");
        GradientCheck.CheckGrads(v => [Jax.Scipy.Special.Poch(v[0], v[1])], [F64(3, 0.5), F64(2, 1.5)]);
        GradientCheck.CheckGrads(v => [Jax.Scipy.Special.KlDiv(v[0], v[1])], [F64(0.5, 2), F64(0.25, 1)]);
    }

    [Fact]
    public void Bernoulli_numbers_are_scipys()
    {
        using var _ = Jax.Config.X64Scope(true);
        Close([1, -0.5, 1.0 / 6, 0, -1.0 / 30, 0, 1.0 / 42, 0, -1.0 / 30, 0, 5.0 / 66, 0, -691.0 / 2730],
            Jax.Scipy.Special.Bernoulli(12).ToArray<double>(), 2.3e-16, 0, "bernoulli");
        var large = Jax.Scipy.Special.Bernoulli(302).ToArray<double>();
        // B_100 = -2.8382249570693707e78 (mpmath); B_300 overflows float64.
        Assert.Equal(-2.8382249570693707e78, large[100], 2.8382249570693707e78 * 1e-15);
        Assert.True(double.IsInfinity(large[300]) && large[301] == 0 && large[302] > 0);
        Assert.Single(Jax.Scipy.Special.Bernoulli(0).ToArray<double>());
        Assert.Throws<JaxTypeException>(() => Jax.Scipy.Special.Bernoulli(-1));
    }

    [Fact]
    public void Exponential_integrals_and_spence_match_mpmath()
    {
        using var _ = Jax.Config.X64Scope(true);
        // mpmath (30 digits): ei, e1, expint(n, x), polylog(2, 1 - x).
        Close([-0.04890051070806112, -0.5597735947761608, 0.4542199048631736, 1.8951178163559368, 9.933832570625416, 2492.2289762418777, 1.058563689713169e+20, 2.71555274485388e+41, double.NegativeInfinity],
            Jax.Scipy.Special.Expi(F64(-2, -0.5, 0.5, 1, 3, 10, 50, 100, 0)).ToArray<double>(), 1e-14, 0, "expi");
        Close([1.8229239584193906, 0.21938393439552029, 0.024914917870269736, 4.156968929685325e-06, 3.783264029550459e-24, double.PositiveInfinity],
            Jax.Scipy.Special.Exp1(F64(0.1, 1, 2.5, 10, 50, 0)).ToArray<double>(), 1e-14, 0, "exp1");
        Close([0.14875344009895322, 0.326643862324553, 0.03013337979781589, 0.21901595224028045, 6.944390555412313e-11, 0.3737688432335092, 1, double.NaN],
            Jax.Scipy.Special.Expn(F64(0, 2, 3, 5, 10, 1, 2, -1), F64(1.5, 0.5, 2, 0.1, 20, 0.7, 0, 1)).ToArray<double>(), 1e-14, 0, "expn");
        Close([1.2997147230049586, 0.5822405264650125, -0.19080013777753557, -0.6051584023377052, -1.1473806603755707, -3.9506637782441576, 0, Math.PI * Math.PI / 6, double.NaN],
            Jax.Scipy.Special.Spence(F64(0.1, 0.5, 1.2, 1.7, 2.5, 10, 1, 0, -1)).ToArray<double>(), 1e-14, 0, "spence");
        // d/dx E1(x) = -E0(x) = -e^-x / x; d/dx Ei(x) = e^x / x.
        GradientCheck.CheckGrads(Jax.Scipy.Special.Exp1, F64(0.3, 2, 7));
        GradientCheck.CheckGrads(Jax.Scipy.Special.Expi, F64(-1.5, 0.4, 3, 20));
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Expn(F64(2, 3), x), F64(0.5, 4));
        var single = Jax.Scipy.Special.Expi(Jnp.Array(new float[] { 0.5f, 10 }));
        Assert.Equal(DType.Float32, single.DType);
        Close([0.4542199048631736, 2492.2289762418777], single.ToArray<double>(), 1e-6, 0, "float32");
    }

    [Fact]
    public void Bessel_jn_and_hyp1f1_match_mpmath()
    {
        using var _ = Jax.Config.X64Scope(true);
        // mpmath besselj(n, z) for n = 0..3 (rows), z = 0.5, 3, 10 (columns).
        var j = Jax.Scipy.Special.BesselJn(F64(0.5, 3, 10), v: 3);
        Assert.Equal([4L, 3L], j.Shape.Sizes);
        Close([0.9384698072408129, -0.26005195490193345, -0.24593576445134835, 0.2422684576748739, 0.3390589585259365, 0.04347274616886144,
            0.03060402345868264, 0.4860912605858911, 0.2546303136851206, 0.002563729994587244, 0.30906272225525167, 0.058379379305186815],
            j.ToArray<double>(), 1e-13, 1e-15, "bessel_jn");
        Assert.Throws<JaxTypeException>(() => Jax.Scipy.Special.BesselJn(F64(1), v: -1));
        // mpmath hyp1f1: the series (|x| < 100) and the asymptotic expansion (120, 150); a = 0 gives 1, a = b e^x.
        Close([2.3644538928052095, 0.3930440885590448, 1.1661960252533436, 9.574835077623052e+52, 3.395428162897689e+60, 1, Math.Exp(1.5)],
            Jax.Scipy.Special.Hyp1f1(F64(0.5, 2, 1, 3, 1.5, 0, 2), F64(1.5, 3, 2, 2.5, 4, 2, 2), F64(2, -1.5, 0.3, 120, 150, 5, 1.5)).ToArray<double>(), 1e-13, 0, "hyp1f1");
        GradientCheck.CheckGrads(v => [Jax.Scipy.Special.Hyp1f1(v[0], v[1], v[2])], [F64(0.5, 2), F64(1.5, 3), F64(2, -1.5)]);
        var batched = Jax.Vmap((Func<Tensor, Tensor>)(x => Jax.Scipy.Special.Hyp1f1(Jnp.Array(1.0), Jnp.Array(2.0), x)))(F64(0.3, 2));
        // 1F1(1; 2; x) = (e^x - 1) / x.
        Close([(Math.Exp(0.3) - 1) / 0.3, (Math.Exp(2) - 1) / 2], batched.ToArray<double>(), 1e-14, 0, "vmap");
    }

    [Fact]
    public void Fresnel_matches_mpmath_and_differentiates()
    {
        using var _ = Jax.Config.X64Scope(true);
        // mpmath fresnels/fresnelc in both regimes (x^2 < 2.5625 and beyond); past 36974 Cephes (and JAX) return 1/2
        // (S(50000) is 0.4999936).
        var (s, c) = Jax.Scipy.Special.Fresnel(F64(-0.7, 0.3, 1.2, 1.6, 2.5, 10.3, 100.25, 50000));
        Close([-0.17213645786347742, 0.014116998006576583, 0.6234009185462497, 0.6388876835093809, 0.6191817558195929, 0.5306078018634376, 0.5031598815391497, 0.5],
            s.ToArray<double>(), 1e-14, 0, "S");
        Close([-0.6596523519045103, 0.2994009760520472, 0.7154377229230734, 0.36546168344048763, 0.45741300964177706, 0.49573750967047575, 0.49968887988441507, 0.5],
            c.ToArray<double>(), 1e-14, 0, "C");
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Fresnel(x).S, F64(-0.7, 1.2, 2.5));
        GradientCheck.CheckGrads(x => Jax.Scipy.Special.Fresnel(x).C, F64(-0.7, 1.2, 2.5));
    }
}
