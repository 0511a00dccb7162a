namespace JaxToolchain.Ir;

/// <summary>Writes one function as arithmetic on its operands (of float32 or float64).</summary>
internal delegate MathValue Expansion(MathEmitter emitter, MathValue[] operands);

/// <summary>
/// The expansions of the transcendental primitives into arithmetic, comparisons, selects, conversions and bit operations
/// (see <see cref="MathExpansionPass"/> and <c>MATH.md</c>). Each computes in float32 or float64 with its own range
/// reduction and polynomial or rational approximation, chosen per format; edge cases (infinities, NaN, signed zeros,
/// subnormal inputs and results, domain errors) are handled with selects, so every expansion is straight-line code.
/// Multiplications and additions are separate roundings (no fused multiply-add): the algorithms are those of fdlibm
/// (Sun's freely distributable libm, as in FreeBSD's msun), which are designed for that, and of Cephes and XLA where
/// noted.
/// </summary>
internal static partial class MathExpansions
{
    private static readonly Dictionary<Primitive, Expansion> Table = new()
    {
        [Prims.Exp] = (m, x) => Exp(m, x[0]),
        [Prims.Exp2] = (m, x) => Exp2(m, x[0]),
        [Prims.Expm1] = (m, x) => Expm1(m, x[0]),
        [Prims.Log] = (m, x) => Log(m, x[0]),
        [Prims.Log1p] = (m, x) => Log1p(m, x[0]),
        [Prims.Tanh] = (m, x) => Tanh(m, x[0]),
        [Prims.Logistic] = (m, x) => Logistic(m, x[0]),
        [Prims.Sin] = (m, x) => Sin(m, x[0]),
        [Prims.Cos] = (m, x) => Cos(m, x[0]),
        [Prims.Tan] = (m, x) => Tan(m, x[0]),
        [Prims.Atan2] = (m, x) => Atan2(m, x[0], x[1]),
        [Prims.Pow] = (m, x) => Pow(m, x[0], x[1]),
        [Prims.Cbrt] = (m, x) => Cbrt(m, x[0]),
        [Prims.Rsqrt] = (m, x) => Rsqrt(m, x[0]),
        [Prims.Nextafter] = (m, x) => Nextafter(m, x[0], x[1]),
        [Prims.Erf] = (m, x) => Erf(m, x[0]),
        [Prims.Erfc] = (m, x) => Erfc(m, x[0]),
        [Prims.Erfinv] = (m, x) => ErfInv(m, x[0]),
        [Prims.Lgamma] = (m, x) => Lgamma(m, x[0]),
        [Prims.Digamma] = (m, x) => Digamma(m, x[0]),
    };

    /// <summary>The primitives that have an expansion.</summary>
    public static IEnumerable<Primitive> Primitives => Table.Keys;

    /// <summary>The expansion of <paramref name="primitive"/>, if it has one.</summary>
    public static bool TryGet(Primitive primitive, out Expansion expansion) => Table.TryGetValue(primitive, out expansion!);

    /// <summary>
    /// The dtype an expansion of <paramref name="primitive"/> on <paramref name="dtype"/> computes in: float16 and
    /// bfloat16 compute in float32 and round the result (as the interpreter and XLA on CPU do), except
    /// <c>nextafter</c>, which steps in the operand's own format.
    /// </summary>
    public static DType ComputeDType(Primitive primitive, DType dtype) =>
        dtype is DType.Float16 or DType.BFloat16 && !ReferenceEquals(primitive, Prims.Nextafter) ? DType.Float32 : dtype;
}
