using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

/// <summary>
/// Binary float primitives and comparisons against torch on float16, bfloat16, float32 and float64. The IEEE
/// operations (add, sub, mul, div, fmod, max, min, nextafter, compares) agree bit for bit, infinities, NaNs and
/// signed zeros mixed in; pow and atan2 within 4 ulps of float32/float64 and 1 ulp of float16/bfloat16.
/// </summary>
public sealed class BinaryFloatTests(ITestOutputHelper log)
{
    public static TheoryData<DType> Floats => Samples.Rows(Samples.FloatDTypes);

    static readonly Domain Wide = Domain.SignedLogUniform(1e-3, 1e3).WithSpecials();

    static Tolerance Transcendental(DType dtype) => Tolerance.InUlps(dtype, f32: 4, f64: 4);

    [Theory, MemberData(nameof(Floats))]
    public void Add_is_bitwise_torch_add(DType dtype) =>
        Differential.Binary("add", dtype, Wide, Wide, Lax.Add, torch.add, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Sub_is_bitwise_torch_sub(DType dtype) =>
        Differential.Binary("sub", dtype, Wide, Wide, Lax.Sub, torch.sub, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Mul_is_bitwise_torch_mul(DType dtype) =>
        Differential.Binary("mul", dtype, Wide, Wide, Lax.Mul, torch.mul, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Div_is_bitwise_torch_div(DType dtype) =>
        Differential.Binary("div", dtype, Wide, Wide, Lax.Div, (x, y) => torch.div(x, y), Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Rem_is_bitwise_torch_fmod(DType dtype) =>
        Differential.Binary("rem", dtype, Domain.Uniform(-100, 100).WithSpecials(), Domain.Uniform(-10, 10).WithSpecials(),
            Lax.Rem, torch.fmod, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Floats))]
    public void Pow_of_positive_bases_matches_torch_pow(DType dtype) =>
        Differential.Binary("pow", dtype, Domain.LogUniform(0.01, 10), Domain.Uniform(-8, 8) with { Float16 = Domain.Uniform(-4, 4) },
            Lax.Pow, torch.pow, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Pow_of_negative_bases_to_integer_powers_matches_torch_pow(DType dtype) =>
        Differential.Binary("pow(-x, n)", dtype, Domain.Uniform(-6, 0), Domain.HalfIntegers(-6, 6).Integral(),
            Lax.Pow, torch.pow, Transcendental(dtype), log);

    // C99's pow at the edges: x^0 = 1 (NaN too), 1^y = 1, negative bases to non-integer powers are NaN, powers of
    // ±0 and ±inf by the sign and parity of y.
    [Theory, MemberData(nameof(Floats))]
    public void Pow_of_special_values_matches_torch_pow(DType dtype) =>
        Differential.Binary("pow(specials)", dtype, Domain.SignedLogUniform(0.1, 10).WithSpecials(0.4),
            Domain.OneOf(0, -0.0, 0.5, -0.5, 1, -1, 2, -2, 3, -3, 1.5, double.PositiveInfinity, double.NegativeInfinity, Samples.PositiveNaN),
            Lax.Pow, torch.pow, Transcendental(dtype), log);

    // Zeros compare by value: which of +0 and -0 max(+0, -0) returns is not pinned by torch.
    [Theory, MemberData(nameof(Floats))]
    public void Max_propagates_NaN_as_torch_maximum(DType dtype) =>
        Differential.Binary("max", dtype, Wide, Wide, Lax.Max, torch.maximum, Tolerance.SameValue, log);

    [Theory, MemberData(nameof(Floats))]
    public void Min_propagates_NaN_as_torch_minimum(DType dtype) =>
        Differential.Binary("min", dtype, Wide, Wide, Lax.Min, torch.minimum, Tolerance.SameValue, log);

    [Theory, MemberData(nameof(Floats))]
    public void Atan2_matches_torch_atan2(DType dtype) =>
        Differential.Binary("atan2", dtype, Domain.SignedLogUniform(1e-3, 1e3).WithSpecials(0.05), Domain.SignedLogUniform(1e-3, 1e3).WithSpecials(0.05),
            Lax.Atan2, torch.atan2, Transcendental(dtype), log);

    [Theory, MemberData(nameof(Floats))]
    public void Nextafter_is_bitwise_torch_nextafter(DType dtype) =>
        Differential.Binary("nextafter", dtype, Domain.SignedLogUniform(1e-3, 1e3).WithSpecials(), Domain.SignedLogUniform(1e-3, 1e3).WithSpecials(),
            Lax.Nextafter, torch.nextafter, Tolerance.Exact, log);

    public static TheoryData<string, DType> Comparisons()
    {
        var data = new TheoryData<string, DType>();
        foreach (var op in new[] { "eq", "ne", "lt", "le", "gt", "ge" })
            foreach (var dtype in Samples.FloatDTypes) data.Add(op, dtype);
        return data;
    }

    // Operands share half their elements so equality is exercised; NaN, infinities and both zeros are mixed in.
    [Theory, MemberData(nameof(Comparisons))]
    public void Comparison_equals_torch_comparison(string op, DType dtype)
    {
        var (ours, theirs) = ComparisonPair.Of(op);
        var domain = Domain.Uniform(-4, 4).WithSpecials(0.2);
        Differential.Binary(op, dtype, (rng, shape) => ComparisonPair.Operands(rng, dtype, shape, domain), ours, theirs, Tolerance.Exact, log);
    }
}
