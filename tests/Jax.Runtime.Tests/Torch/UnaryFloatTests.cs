using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Unary float primitives against torch on float16, bfloat16, float32 and float64. Exact IEEE operations must
/// agree bit for bit; transcendentals within 4 ulps of float32/float64 (torch's CPU kernels are SLEEF's vectorised
/// functions, ours libm's through .NET's Math/MathF: measured at most 2 ulps apart) and 1 ulp of float16/bfloat16
/// (both compute those in float32 and round; measured 0). Special functions are XLA's algorithms (bit for bit
/// what JAX computes), which differ from torch's where noted.
/// </summary>
public sealed class UnaryFloatTests(ITestOutputHelper log)
{
    public static TheoryData<DType> Floats => Samples.Rows(Samples.FloatDTypes);

    static readonly Domain Wide = Domain.SignedLogUniform(1e-6, 1e6).WithSpecials();

    static Tolerance Transcendental(DType dtype) => Tolerance.InUlps(dtype, f32: 4, f64: 4);

    [Theory, MemberData(nameof(Floats))]
    public void Neg_is_bitwise_torch_neg(DType dtype) =>
        Differential.Unary("neg", dtype, Wide, Lax.Neg, torch.neg, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Abs_is_bitwise_torch_abs(DType dtype) =>
        Differential.Unary("abs", dtype, Wide, Lax.Abs, torch.abs, Tolerance.Exact, log);

    // NaN is left out (torch.sign(NaN) is 0, lax.sign(NaN) is NaN), and zeros compare by value: lax.sign(-0.0) is
    // -0.0 as in JAX, torch.sign(-0.0) is +0.0.
    [Theory, MemberData(nameof(Floats))]
    public void Sign_equals_torch_sign_for_numbers_and_zeros(DType dtype) =>
        Differential.Unary("sign", dtype, Domain.SignedLogUniform(1e-6, 1e6).WithSpecials(0.1).ExceptNaN(), Lax.Sign, torch.sign, Tolerance.SameValue, log);

    [Theory, MemberData(nameof(Floats))]
    public void Floor_is_bitwise_torch_floor(DType dtype) =>
        Differential.Unary("floor", dtype, Domain.Uniform(-100, 100).WithSpecials(), Lax.Floor, torch.floor, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Ceil_is_bitwise_torch_ceil(DType dtype) =>
        Differential.Unary("ceil", dtype, Domain.Uniform(-100, 100).WithSpecials(), Lax.Ceil, torch.ceil, Tolerance.Exact, log);

    // Half-integers are drawn often, so ties to even are exercised: torch.round rounds halves to even.
    [Theory, MemberData(nameof(Floats))]
    public void Round_to_nearest_even_is_bitwise_torch_round(DType dtype) =>
        Differential.Unary("round", dtype, Domain.HalfIntegers(-20, 20).WithSpecials(), x => Lax.Round(x, toNearestEven: true),
            x => torch.round(x), Tolerance.Exact, log);

    static readonly Domain SqrtDomain = Domain.LogUniform(1e-30, 1e30).WithSpecials() with { Float16 = Domain.LogUniform(1e-4, 6e4).WithSpecials() };

    // Ours is correctly rounded; torch's CPU sqrt is not always (float32 sqrt(0.20725672) is 0.45525458 in torch,
    // 1 ulp above the correctly rounded 0.45525455), so torch is matched within 1 ulp.
    [Theory, MemberData(nameof(Floats))]
    public void Sqrt_is_within_one_ulp_of_torch_sqrt(DType dtype) =>
        Differential.Unary("sqrt", dtype, SqrtDomain, Lax.Sqrt, torch.sqrt, Tolerance.InUlps(dtype, f32: 1, f64: 1), log);

    [Theory, MemberData(nameof(Floats))]
    public void Sqrt_is_correctly_rounded(DType dtype) =>
        Differential.CorrectlyRounded("sqrt", dtype, SqrtDomain, Lax.Sqrt, Math.Sqrt);

    [Theory, MemberData(nameof(Floats))]
    public void Rsqrt_matches_torch_rsqrt(DType dtype) =>
        Differential.Unary("rsqrt", dtype, Domain.LogUniform(1e-30, 1e30) with { Float16 = Domain.LogUniform(1e-4, 6e4) },
            Lax.Rsqrt, torch.rsqrt, Tolerance.InUlps(dtype, f32: 1, f64: 1), log);

    [Theory, MemberData(nameof(Floats))]
    public void Exp_matches_torch_exp(DType dtype) =>
        Differential.Unary("exp", dtype, Domain.Uniform(-87, 88) with { Float16 = Domain.Uniform(-16, 11), Float64 = Domain.Uniform(-700, 700) },
            Lax.Exp, torch.exp, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Exp2_matches_torch_exp2(DType dtype) =>
        Differential.Unary("exp2", dtype, Domain.Uniform(-126, 127) with { Float16 = Domain.Uniform(-24, 15), Float64 = Domain.Uniform(-1000, 1000) },
            Lax.Exp2, torch.exp2, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Log_matches_torch_log(DType dtype) =>
        Differential.Unary("log", dtype, Domain.LogUniform(1e-30, 1e30) with { Float16 = Domain.LogUniform(1e-4, 6e4) },
            Lax.Log, torch.log, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Log1p_matches_torch_log1p(DType dtype) =>
        Differential.Unary("log1p", dtype, Domain.LogUniform(1e-8, 1e8) with { Float16 = Domain.LogUniform(1e-4, 6e4) },
            Lax.Log1p, torch.log1p, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Log1p_near_minus_one_matches_torch_log1p(DType dtype) =>
        Differential.Unary("log1p(-1,0)", dtype, Domain.Uniform(-0.999, 0),
            Lax.Log1p, torch.log1p, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Expm1_matches_torch_expm1(DType dtype) =>
        Differential.Unary("expm1", dtype, Domain.SignedLogUniform(1e-8, 80) with { Float16 = Domain.SignedLogUniform(1e-4, 10) },
            Lax.Expm1, torch.expm1, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Sin_matches_torch_sin(DType dtype) =>
        Differential.Unary("sin", dtype, Domain.Uniform(-100, 100), Lax.Sin, torch.sin, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Cos_matches_torch_cos(DType dtype) =>
        Differential.Unary("cos", dtype, Domain.Uniform(-100, 100), Lax.Cos, torch.cos, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Tan_matches_torch_tan(DType dtype) =>
        Differential.Unary("tan", dtype, Domain.Uniform(-1.5, 1.5), Lax.Tan, torch.tan, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Tanh_matches_torch_tanh(DType dtype) =>
        Differential.Unary("tanh", dtype, Domain.SignedLogUniform(1e-6, 20), Lax.Tanh, torch.tanh, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Logistic_matches_torch_sigmoid(DType dtype) =>
        Differential.Unary("logistic", dtype, Domain.Uniform(-30, 30), Lax.Logistic, torch.sigmoid, Transcendental(dtype), log);

    static readonly Domain ErfDomain = Domain.SignedLogUniform(1e-6, 5);

    // float32 erf is XLA's rational approximation (what JAX computes), float64 Cephes'. Torch's float16/bfloat16
    // erf loses accuracy on tiny results (erf(1.4365e-5) in float16 is 1.5974e-5 in torch; 1.6212e-5 correctly
    // rounded, and ours): up to 29 ulps of bfloat16, an absolute error of 1e-6 at most, which the half tolerance
    // allows. The next test pins that ours is right there.
    [Theory, MemberData(nameof(Floats))]
    public void Erf_matches_torch_erf(DType dtype) =>
        Differential.Unary("erf", dtype, ErfDomain, Lax.Erf, torch.erf, ErfBound(dtype), log);

    static Tolerance ErfBound(DType dtype) => dtype.ItemSize() == 2 ? new Tolerance(1, Atol: 1e-6) : Transcendental(dtype);

    [Theory]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    public void Erf_in_half_precision_is_float64_erf_rounded(DType dtype) =>
        Differential.CorrectlyRounded("erf", dtype, ErfDomain, Lax.Erf, SpecialFunctions.Erf);

    // erfc: Cephes' rational approximations with e^(-x^2) split so that its argument is exact (accurate in the tail,
    // where 1 - erf is 0); torch's is libm's (float64) and its own float32 kernel. Compared in relative terms over
    // [-4, 9], where float32 erfc runs down to 4e-37: within 4 ulps of float32 and float64.
    [Theory, MemberData(nameof(Floats))]
    public void Erfc_matches_torch_erfc(DType dtype) =>
        Differential.Unary("erfc", dtype, Domain.Uniform(-4, 9), Lax.Erfc, torch.erfc, ErfcBound(dtype), log);

    static Tolerance ErfcBound(DType dtype) => dtype.ItemSize() == 2 ? new Tolerance(1, Atol: 1e-6) : Tolerance.InUlps(dtype, f32: 4, f64: 4);

    // TorchSharp 0.107's static torch.erfinv computes erf (a binding slip); the method form is right.
    [Theory, MemberData(nameof(Floats))]
    public void Erfinv_matches_torch_erfinv(DType dtype) =>
        Differential.Unary("erfinv", dtype, Domain.Uniform(-0.999, 0.999), Lax.ErfInv, x => x.erfinv(), ErfinvBound(dtype), log);

    // XLA's erf_inv (Giles' polynomials): measured 6 ulps of float32 and 3 of float64 from torch's.
    static Tolerance ErfinvBound(DType dtype) => Tolerance.InUlps(dtype, f32: 8, f64: 4);

    [Theory, MemberData(nameof(Floats))]
    public void Lgamma_matches_torch_lgamma(DType dtype) =>
        Differential.Unary("lgamma", dtype, Domain.AwayFromPoles(-10, 30), Lax.Lgamma, torch.lgamma, GammaBound(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Digamma_matches_torch_digamma(DType dtype) =>
        Differential.Unary("digamma", dtype, Domain.AwayFromPoles(-10, 30), Lax.Digamma, torch.digamma, GammaBound(dtype), log);

    // lgamma and digamma are XLA's Lanczos approximations (what JAX computes; torch calls libm's lgamma and Cephes'
    // psi). Their error is absolute where the result is small (next to lgamma's zeros at 1 and 2, where reflection
    // cancels for negative x, and at digamma's root 1.4616): 2e-6 in float32 (lgamma(1) is 4.8e-7, not 0, which
    // float16/bfloat16 keep), 1e-14 in float64; relative beyond (1e-6, 1e-13).
    static Tolerance GammaBound(DType dtype) => Tolerance.Mixed(dtype, f32: (1e-6, 2e-6), f64: (1e-13, 1e-14), half: (0, 2e-6));

    [Theory, MemberData(nameof(Floats))]
    public void Is_finite_matches_torch_isfinite(DType dtype) =>
        Differential.Unary("is_finite", dtype, Wide, Lax.IsFinite, torch.isfinite, Tolerance.Exact, log);

    /// <summary>IEEE special values and the edges of the ops' domains: zeros, infinities, NaN, poles, ±1, tiny and huge.</summary>
    static readonly double[] EdgeValues =
    [
        0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, Samples.PositiveNaN, 1, -1, 2, -2, 3, -3, 0.5, -0.5,
        1e-30, -1e-30, 1e30, -1e30, 1e-300, 1e300, 1.5e-45, -1.5e-45, 88.8, -103.9, 709.9, -745.2, 0.99, -0.99,
    ];

    public static TheoryData<string, DType> EdgeCases()
    {
        var data = new TheoryData<string, DType>();
        foreach (var op in new[] { "exp", "exp2", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh", "logistic", "erf", "erfc", "erfinv", "lgamma", "digamma", "floor", "ceil", "round" })
            foreach (var dtype in Samples.FloatDTypes) data.Add(op, dtype);
        return data;
    }

    // Results at the edges are fixed by IEEE/C99 (exp(-inf) = 0, log(-0) = -inf, log1p(-1) = -inf, rsqrt(-0) = -inf,
    // erfinv(1) = inf, lgamma(0) = inf, NaN outside the domain), and both agree there, within each op's bound. Left
    // out: digamma(-0), -inf in JAX (and ours) but +inf in torch (SciPy's limit from the left), pinned separately;
    // lgamma/digamma of subnormals, which XLA:CPU flushes to zero and our float32 log clamps to the smallest normal
    // (as Eigen's does: lgamma(1.4e-45) is 88.5 in ours, 103.3 in torch).
    [Theory, MemberData(nameof(EdgeCases))]
    public void Special_values_map_as_in_torch(string op, DType dtype)
    {
        var (ours, theirs, bound) = Pair(op, dtype);
        // Filtered after rounding to the dtype (1e-30 is -0 in float16).
        var values = OracleTensors.Doubles(Samples.Floats(EdgeValues, dtype, [EdgeValues.Length]))
            .Where(v => !(op is "lgamma" or "digamma" && (v is > 0 and < 1e-37 or < 0 and > -1e-37 || op == "digamma" && double.IsNegative(v) && v == 0)))
            .ToArray();
        using var scope = torch.NewDisposeScope();
        var x = Samples.Floats(values, dtype, [values.Length]);
        var xs = OracleTensors.Doubles(x);
        var d = Agreement.AssertClose($"{op} {dtype.Name()} at the edges", ours(x), theirs(OracleTensors.ToTorch(x)), bound, i => $"x = {xs[i]:R}");
        log.WriteLine($"{op} {dtype.Name()} edges: {d}");
    }

    [Theory, MemberData(nameof(Floats))]
    public void Digamma_of_zero_is_minus_infinity_for_both_signs_as_in_JAX(DType dtype)
    {
        var x = Samples.Floats([0.0, -0.0], dtype, [2]);
        Assert.Equal([double.NegativeInfinity, double.NegativeInfinity], OracleTensors.Doubles(Lax.Digamma(x)));
    }

    static (Func<Tensor, Tensor> Ours, Func<TorchTensor, TorchTensor> Theirs, Tolerance Bound) Pair(string op, DType dtype) => op switch
    {
        "exp" => (Lax.Exp, torch.exp, Transcendental(dtype)),
        "exp2" => (Lax.Exp2, torch.exp2, Transcendental(dtype)),
        "log" => (Lax.Log, torch.log, Transcendental(dtype)),
        "log1p" => (Lax.Log1p, torch.log1p, Transcendental(dtype)),
        "expm1" => (Lax.Expm1, torch.expm1, Transcendental(dtype)),
        "sqrt" => (Lax.Sqrt, torch.sqrt, Tolerance.InUlps(dtype, f32: 1, f64: 1)),
        "rsqrt" => (Lax.Rsqrt, torch.rsqrt, Tolerance.InUlps(dtype, f32: 1, f64: 1)),
        "sin" => (Lax.Sin, torch.sin, Transcendental(dtype)),
        "cos" => (Lax.Cos, torch.cos, Transcendental(dtype)),
        "tan" => (Lax.Tan, torch.tan, Transcendental(dtype)),
        "tanh" => (Lax.Tanh, torch.tanh, Transcendental(dtype)),
        "logistic" => (Lax.Logistic, torch.sigmoid, Transcendental(dtype)),
        "erf" => (Lax.Erf, torch.erf, ErfBound(dtype)),
        "erfc" => (Lax.Erfc, torch.erfc, ErfcBound(dtype)),
        "erfinv" => (Lax.ErfInv, x => x.erfinv(), ErfinvBound(dtype)),
        "lgamma" => (Lax.Lgamma, torch.lgamma, GammaBound(dtype)),
        "digamma" => (Lax.Digamma, torch.digamma, GammaBound(dtype)),
        "floor" => (Lax.Floor, torch.floor, Tolerance.Exact),
        "ceil" => (Lax.Ceil, torch.ceil, Tolerance.Exact),
        "round" => (x => Lax.Round(x, toNearestEven: true), x => torch.round(x), Tolerance.Exact),
        _ => throw new ArgumentException(op),
    };
}
