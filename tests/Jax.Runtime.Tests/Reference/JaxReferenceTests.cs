using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Reference;

/// <summary>Our results against real JAX's, recorded in tests/Fixtures/jax_reference.json.</summary>
public class JaxReferenceTests
{
    public static TheoryData<string> ReprCases() => new(JaxReference.Names("repr/"));

    [Theory]
    [MemberData(nameof(ReprCases))]
    public void Arrays_print_exactly_as_jax_prints_them(string name)
    {
        var a = JaxReference.Single(name);
        Assert.Equal(a.Repr, ArrayRepr.Format(a.Values, a.WeakType));
    }

    private static readonly Dictionary<string, Func<Tensor>> Computations = new()
    {
        ["repr/zeros10"] = () => Jnp.Zeros(10),
        ["repr/arange5_div3"] = () => Jnp.Arange(5, Jnp.Float32) / 3,
        ["repr/weak_scalar"] = () => Jnp.Asarray(2.0) * 1.0,
        ["repr/int_range"] = () => Jnp.Reshape(Jnp.Arange(12), 3, 4),
        ["repr/bf16"] = () => (Jnp.Arange(4, Jnp.BFloat16) + 1) / 3,
        ["repr/f16"] = () => (Jnp.Arange(4, Jnp.Float16) + 1) / 3,
        ["repr/summarised"] = () => Jnp.Arange(2000.0, Jnp.Float32),
        ["repr/3d"] = () => Jnp.Reshape(Jnp.Arange(24, Jnp.Float32), 2, 3, 4) / 7,
        ["repr/f64_arange"] = () => Jnp.Arange(100.0)[..7] / 3,
        ["repr/long_row"] = () => Jnp.Linspace(-1, 1, 23),
        ["linspace/0_1_7"] = () => Jnp.Linspace(0, 1, 7),
        ["linspace/neg"] = () => Jnp.Linspace(-3.5, 2.25, 11),
        ["linspace/noendpoint"] = () => Jnp.Linspace(0, 1, 5, endpoint: false),
        ["linspace/f64"] = () => Jnp.Linspace(0, 1, 7),
        ["arange/float_step"] = () => Jnp.Arange(0.0, 1.0, 0.1),
        ["arange/float_step_f64"] = () => Jnp.Arange(0.0, 1.0, 0.1),
        ["eye/3x4k1"] = () => Jnp.Eye(3, 4, 1),
        ["promote/int8_times_2"] = () => Jnp.Array(new sbyte[] { 1, 2 }.AsSpan()) * 2,
        ["promote/u8_plus_i8"] = () => Jnp.Array(new byte[] { 1 }) + Jnp.Array(new sbyte[] { 1 }.AsSpan()),
        ["promote/i32_plus_float"] = () => Jnp.Array(new[] { 1, 2 }) + 1.5,
        ["promote/bf16_times_float"] = () => Jnp.Array(new[] { 1f, 2f }, Jnp.BFloat16) * 1.5,
        ["promote/u32_plus_i32"] = () => Jnp.Array(new uint[] { 1 }) + Jnp.Array(new[] { 1 }),
        ["promote/u32_plus_i32_x64"] = () => Jnp.Array(new uint[] { 1 }) + Jnp.Array(new[] { 1 }),
        ["promote/sum_int8"] = () => Jnp.Sum(Jnp.Array(new sbyte[] { 100, 100 }.AsSpan())),
        ["promote/cumsum_int8"] = () => Jnp.Cumsum(Jnp.Array(new sbyte[] { 100, 100 }.AsSpan())),
        ["linalg/cholesky"] = () => Jnp.Linalg.Cholesky(Jnp.Array(new[,] { { 4.0, 2.0, 0.6 }, { 2.0, 5.0, 1.5 }, { 0.6, 1.5, 3.0 } })),
        ["math/selu"] = () => Nn.Selu(Jnp.Linspace(-3, 3, 13)),
        ["math/exp"] = () => Jnp.Exp(Jnp.Linspace(-3, 3, 13)),
        ["math/expm1"] = () => Jnp.Expm1(Jnp.Linspace(-3, 3, 13)),
        ["math/log1p"] = () => Jnp.Log1p(Jnp.Abs(Jnp.Linspace(-3, 3, 13))),
        ["math/tanh"] = () => Jnp.Tanh(Jnp.Linspace(-3, 3, 13)),
        ["math/sin"] = () => Jnp.Sin(Jnp.Linspace(-3, 3, 13)),
        ["math/cos"] = () => Jnp.Cos(Jnp.Linspace(-3, 3, 13)),
        ["math/sqrt"] = () => Jnp.Sqrt(Jnp.Abs(Jnp.Linspace(-3, 3, 13))),
        ["math/cbrt"] = () => Jnp.Cbrt(Jnp.Linspace(-3, 3, 13)),
        ["math/logistic"] = () => Nn.Sigmoid(Jnp.Linspace(-3, 3, 13)),
        ["math/erf"] = () => Lax.Erf(Jnp.Linspace(-3, 3, 13)),
        ["math/erfinv"] = () => Lax.ErfInv(Jnp.Linspace(-0.99, 0.99, 13)),
        ["math/lgamma"] = () => Lax.Lgamma(Jnp.Linspace(0.1, 6, 13)),
        ["math/gelu"] = () => Nn.Gelu(Jnp.Linspace(-3, 3, 13)),
        ["math/logsumexp"] = () => Nn.Logsumexp(Jnp.Linspace(-3, 3, 13)),
        ["math/softmax"] = () => Nn.Softmax(Jnp.Linspace(-3, 3, 13)),
    };

    public static TheoryData<string> ComputedCases() => new(Computations.Keys.Order(StringComparer.Ordinal));

    /// <summary>
    /// Where XLA fuses float arithmetic (linspace's <c>start*(1-step) + stop*step</c> and <c>iota/div</c>, divisions by
    /// constants, composites like selu and softmax), its CPU code contracts multiply-adds and multiplies by
    /// reciprocals; we compute each IEEE operation correctly rounded, so these agree within the given multiples of the
    /// dtype's epsilon, scaled by the array's largest magnitude.
    /// Everything else must agree bit for bit.
    /// </summary>
    private static readonly Dictionary<string, double> FusedUlps = new()
    {
        ["repr/3d"] = 1,
        ["repr/long_row"] = 1,
        ["repr/f64_arange"] = 1,
        ["linspace/0_1_7"] = 1,
        ["linspace/neg"] = 2,
        ["linspace/f64"] = 1,
        ["math/selu"] = 2,
        ["math/softmax"] = 2,
        // LAPACK's blocked potrf (what XLA calls) against our unblocked recurrence.
        ["linalg/cholesky"] = 4,
        // Elementwise math on a linspace input: the input itself is within 2 of JAX's (above), and XLA uses its
        // own vectorised polynomial approximations of exp, tanh, logistic and erf where we call the C library's.
        ["math/exp"] = 4,
        ["math/expm1"] = 4,
        ["math/log1p"] = 4,
        ["math/tanh"] = 4,
        ["math/sin"] = 4,
        ["math/cos"] = 4,
        ["math/sqrt"] = 4,
        ["math/cbrt"] = 4,
        ["math/logistic"] = 4,
        ["math/erf"] = 4,
        ["math/erfinv"] = 4,
        ["math/lgamma"] = 4,
        ["math/gelu"] = 4,
        ["math/logsumexp"] = 4,
    };

    [Theory]
    [MemberData(nameof(ComputedCases))]
    public void Results_equal_jax(string name)
    {
        var (x64, results) = JaxReference.Get(name);
        using var scope = Jax.Config.X64Scope(x64);
        var ours = Computations[name]();
        if (FusedUlps.TryGetValue(name, out var ulps)) JaxReference.AssertSame(results[0], ours, name, ulps);
        else JaxReference.AssertSame(results[0], ours, name);
    }
}
