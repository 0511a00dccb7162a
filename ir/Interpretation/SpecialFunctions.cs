using System.Numerics;

namespace JaxToolchain.Ir;

/// <summary>
/// Scalar special functions for the interpreter's elementwise kernels (<c>erf</c>, <c>erf_inv</c>, <c>lgamma</c>,
/// <c>digamma</c>, <c>log1p</c>, <c>expm1</c>), computed as JAX computes them on CPU.
/// </summary>
/// <remarks>
/// <para>Sources: XLA's <c>xla/hlo/builder/lib/math.cc</c> (<c>ErfInv32</c>, <c>ErfInv64</c>, <c>ErfImpl32</c>,
/// <c>ErfImpl64</c>, <c>ErfcImpl64</c>, <c>Lgamma</c>, <c>Digamma</c>), their CHLO twins in StableHLO's
/// <c>ChloLegalizeToStablehlo.cpp</c> (what JAX's <c>erf_inv</c>, <c>lgamma</c> and <c>digamma</c> lower through),
/// XLA:CPU's <c>erf</c> and <c>log1p</c> intrinsics (<c>xla/codegen/intrinsic/erf.cc</c>, <c>log1p.cc</c>), and
/// the machine code XLA:CPU generates for them (read off its object files), which settles the rest: every
/// multiply feeding an add is one fused multiply-add (XLA compiles with LLVM's <c>AllowFPOpFusion = Fast</c>), the
/// division by the Lanczos constant <c>g + 1/2</c> is a multiplication by its reciprocal (XLA's simplifier), the
/// float32 log inside fused kernels is Eigen's <c>plog_float</c> (inlined; reproduced here), and float64 log, sin
/// and cos are libm's, as are float32 sin and cos (what .NET's <see cref="Math"/>/<see cref="MathF"/> call on Linux;
/// another platform's libm can differ in the last bit).</para>
/// <para>Checked against JAX 0.11.2 on CPU (x86-64 with FMA) over 400k float32 and 45k float64 points per function:
/// <c>erf_inv</c>, <c>log1p</c>, <c>lgamma</c> and <c>digamma</c> in both precisions, float32 <c>erf</c>, and
/// <c>random.normal</c> (through <c>sqrt(2) erf_inv(u)</c>) agree bit for bit. Differences: float64 <c>erf</c> (XLA
/// calls libm's; this is Cephes', within 2 ulps of it), <c>expm1</c> (XLA's own approximation is within 5 ulps, this
/// one within 2.3), and subnormal inputs, which XLA:CPU flushes to zero and this class does not.</para>
/// <para>float32 overloads compute in float32 throughout; constants are the double constants rounded to float once,
/// as XLA's <c>ScalarLike</c>/<c>getConstantLike</c> do. Fused multiply-adds make the results the same on every
/// machine.</para>
/// </remarks>
public static class SpecialFunctions
{
    // ------------------------------------------------------------------------------------------------ erf

    // Eigen's rational erf, x * P(x^2) / Q(x^2), highest degree first: XLA's ErfImpl32 and XLA:CPU's erf intrinsic.
    internal static ReadOnlySpan<float> ErfAlpha =>
    [
        0.00022905065861350646f, 0.0034082910107109506f, 0.050955695062380861f, 0.18520832239976145f,
        1.128379143519084f,
    ];
    internal static ReadOnlySpan<float> ErfBeta =>
    [
        -1.1791602954361697e-7f, 0.000023547966471313185f, 0.0010179625278914885f, 0.014070470171167667f,
        0.11098505178285362f, 0.49746925110067538f, 1.0f,
    ];

    // erf rounds to +-1 in float32 from here on (XLA:CPU's kErfInvOneMinusHalfULP).
    internal const float ErfSaturation = 3.832506856900711f;

    // Cephes erf/erfc (ndtr.c) as XLA's ErfImpl64/ErfcImpl64: erf(x) = x T(x^2)/U(x^2) for |x| < 1;
    // erfc(x) = exp(-x^2) P(|x|)/Q(|x|) for 1 <= |x| < 8 and exp(-x^2) R(|x|)/S(|x|) beyond.
    internal static ReadOnlySpan<double> ErfT =>
    [
        9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3, 7.00332514112805075473E3,
        5.55923013010394962768E4,
    ];
    internal static ReadOnlySpan<double> ErfU =>
    [
        1.00000000000000000000E0, 3.35617141647503099647E1, 5.21357949780152679795E2, 4.59432382970980127987E3,
        2.26290000613890934246E4, 4.92673942608635921086E4,
    ];
    internal static ReadOnlySpan<double> ErfcP =>
    [
        2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0, 4.86371970985681366614E1,
        1.96520832956077098242E2, 5.26445194995477358631E2, 9.34528527171957607540E2, 1.02755188689515710272E3,
        5.57535335369399327526E2,
    ];
    internal static ReadOnlySpan<double> ErfcQ =>
    [
        1.00000000000000000000E0, 1.32281951154744992508E1, 8.67072140885989742329E1, 3.54937778887819891062E2,
        9.75708501743205489753E2, 1.82390916687909736289E3, 2.24633760818710981792E3, 1.65666309194161350182E3,
        5.57535340817727675546E2,
    ];
    internal static ReadOnlySpan<double> ErfcR =>
    [
        5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0, 6.16021097993053585195E0,
        7.40974269950448939160E0, 2.97886665372100240670E0,
    ];
    internal static ReadOnlySpan<double> ErfcS =>
    [
        1.00000000000000000000E0, 2.26052863220117276590E0, 9.39603524938001434673E0, 1.20489539808096656605E1,
        1.70814450747565897222E1, 9.60896809063285878198E0, 3.36907645100081516050E0,
    ];

    // exp(-x^2) underflows to zero below -MaxLog (Cephes MAXLOG).
    internal const double MaxLog = 7.09782712893383996843E2;

    /// <summary>
    /// The error function in float32, as XLA:CPU computes it (bit for bit): Eigen's rational approximation
    /// <c>x P(x^2) / Q(x^2)</c> (the coefficients of XLA's <c>ErfImpl32</c>) evaluated with fused multiply-adds,
    /// and <c>copysign(1, x)</c> for |x| &gt;= 3.8325069, where float32 erf rounds to +-1. Absolute error below
    /// 4e-7 (2 ulps for |x| &lt; 3); NaN gives NaN.
    /// </summary>
    public static float Erf(float x)
    {
        if (MathF.Abs(x) >= ErfSaturation) return MathF.CopySign(1f, x);
        float x2 = x * x;
        return x * Horner(x2, ErfAlpha) / Horner(x2, ErfBeta);
    }

    /// <summary>
    /// The error function in float64: Cephes' rational approximations, XLA's <c>ErfImpl64</c> (|x| &lt; 1) and
    /// <c>1 - ErfcImpl64(|x|)</c> with the sign of x (|x| &gt;= 1; so exactly odd), within 2 ulps. erf(+-inf) = +-1;
    /// NaN gives NaN. (XLA:CPU calls libm's erf instead, with which this agrees within 2 ulps.)
    /// </summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) < 1)
        {
            double z = x * x;
            return x * Horner(z, ErfT) / Horner(z, ErfU);
        }
        return Math.CopySign(1 - ErfcOfMagnitudeAtLeastOne(Math.Abs(x)), x);
    }

    // erfc(x) for x >= 1 (NaN for NaN).
    private static double ErfcOfMagnitudeAtLeastOne(double x)
    {
        double z = -x * x;
        if (z < -MaxLog) return 0;
        return x < 8
            ? Math.Exp(z) * Horner(x, ErfcP) / Horner(x, ErfcQ)
            : Math.Exp(z) * Horner(x, ErfcR) / Horner(x, ErfcS);
    }

    // ------------------------------------------------------------------------------------------------ erfc

    // Cephes' single-precision erfcf/erff (ndtrf.c), as XLA's ErfcImpl32 and ErfImpl32Cephes: for x &gt;= 1,
    // erfc(x) = exp(-x^2) (1/x) P(1/x^2) below 2 and exp(-x^2) (1/x) R(1/x^2) from 2 on; below 1, 1 - x T(x^2).
    internal static ReadOnlySpan<float> ErfcP32 =>
    [
        2.326819970068386E-2f, -1.387039388740657E-1f, 3.687424674597105E-1f, -5.824733027278666E-1f,
        6.210004621745983E-1f, -4.944515323274145E-1f, 3.404879937665872E-1f, -2.741127028184656E-1f,
        5.638259427386472E-1f,
    ];
    internal static ReadOnlySpan<float> ErfcR32 =>
    [
        -1.047766399936249E1f, 1.297719955372516E1f, -7.495518717768503E0f, 2.921019019210786E0f,
        -1.015265279202700E0f, 4.218463358204948E-1f, -2.820767439740514E-1f, 5.641895067754075E-1f,
    ];
    internal static ReadOnlySpan<float> ErfT32 =>
    [
        7.853861353153693E-5f, -8.010193625184903E-4f, 5.188327685732524E-3f, -2.685381193529856E-2f,
        1.128358514861418E-1f, -3.761262582423300E-1f, 1.128379165726710E0f,
    ];

    // erfc(x) e^(x^2) on [1/2, 1] as a polynomial in x - 3/4 (Chebyshev fits made for this class with mpmath, relative
    // error 8e-10 and 2e-19): between 1/2 and 1, 1 - erf(x) would lose up to three bits to cancellation.
    internal static ReadOnlySpan<float> ErfcxMiddle32 =>
    [
        -0.00617018265701593f, 0.014597662065412196f, -0.031892611062878995f, 0.06677844760647776f,
        -0.12983612021262037f, 0.230958282964403f, -0.3679726915420597f, 0.5069376499973341f,
    ];
    internal static ReadOnlySpan<double> ErfcxMiddle64 =>
    [
        4.6468063021709155e-06, -1.4426531927022256e-05, 4.236277872839012e-05, -0.00012332254905491935,
        0.00034675112699586235, -0.0009385135840131843, 0.002437637348879293, -0.006051532258236163,
        0.014289198666091785, -0.03189726204019368, 0.06679054252756783, -0.12983606199487813, 0.2309581315512983,
        -0.3679726916557954, 0.5069376502931449,
    ];

    // erfc is 0 (it underflows, subnormals included) from here on; inputs are clamped to it, so x^2 stays finite.
    internal const float ErfcUnderflow32 = 10.5f;
    internal const double ErfcUnderflow64 = 28;

    // The low mantissa bits cleared by the split of x in exp(-x^2) = exp(-h^2) exp(-(x - h)(x + h)): h keeps 12
    // significant bits in float32 and 21 in float64, so h^2 is exact.
    internal const int ErfcSplitMask32 = unchecked((int)0xfffff000);
    internal const long ErfcSplitMask64 = unchecked((long)0xffffffff00000000UL);

    /// <summary>
    /// The complementary error function 1 - erf(x) in float32, accurate where the result is tiny: <c>1 - x T(x^2)</c>
    /// below |x| = 1/2 (Cephes' <c>erff</c>, XLA's <c>ErfImpl32Cephes</c>), <c>exp(-x^2) p(x - 3/4)</c> up to 1 (a fit
    /// of erfc(x) e^(x^2)), and Cephes' <c>erfcf</c> above (XLA's <c>ErfcImpl32</c>: <c>exp(-x^2) (1/x) P(1/x^2)</c>,
    /// R from 2 on), with exp(-x^2) computed as exp(-h^2) exp(-(x - h)(x + h)) for h = x cut to 12 bits (h^2 exact), so
    /// the rounding of x^2 does not cost up to 40 ulps in the tail as in XLA's. Within a few ulps down to the
    /// subnormals (erfc(10) = 2.1e-45); erfc(-x) = 2 - erfc(x); erfc(+inf) = 0, erfc(-inf) = 2; NaN gives NaN.
    /// </summary>
    public static float Erfc(float x)
    {
        float a = MathF.Abs(x);
        if (a < 0.5f) return 1f - x * Horner(x * x, ErfT32);
        if (float.IsNaN(x)) return x;
        a = MathF.Min(a, ErfcUnderflow32);
        float h = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & ErfcSplitMask32);
        float e = MathF.Exp(-h * h) * MathF.Exp(-(a - h) * (a + h));
        float q = 1f / a, q2 = q * q;
        float y = a < 1f ? e * Horner(a - 0.75f, ErfcxMiddle32)
            : e * q * (a < 2f ? Horner(q2, ErfcP32) : Horner(q2, ErfcR32));
        return x < 0 ? 2f - y : y;
    }

    /// <summary>
    /// The complementary error function 1 - erf(x) in float64, accurate where the result is tiny: <c>1 - x
    /// T(x^2)/U(x^2)</c> below |x| = 1/2 (Cephes' erf, ndtr.c), <c>exp(-x^2) p(x - 3/4)</c> up to 1 (a fit of erfc(x)
    /// e^(x^2)), and Cephes' <c>erfc</c> above (XLA's <c>ErfcImpl64</c>: <c>exp(-x^2) P(x)/Q(x)</c> below 8,
    /// <c>exp(-x^2) R(x)/S(x)</c> from 8 on), with exp(-x^2) computed as exp(-h^2) exp(-(x - h)(x + h)) for h = x cut
    /// to 21 bits (h^2 exact), so the rounding of x^2 does not cost up to 80 ulps in the tail. Within a few ulps down
    /// to the subnormals (erfc(26) = 5.7e-296); erfc(-x) = 2 - erfc(x); erfc(+inf) = 0, erfc(-inf) = 2; NaN gives NaN.
    /// </summary>
    public static double Erfc(double x)
    {
        double a = Math.Abs(x);
        if (a < 0.5)
        {
            double z = x * x;
            return 1 - x * Horner(z, ErfT) / Horner(z, ErfU);
        }
        if (double.IsNaN(x)) return x;
        a = Math.Min(a, ErfcUnderflow64);
        double h = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & ErfcSplitMask64);
        double e = Math.Exp(-h * h) * Math.Exp(-(a - h) * (a + h));
        double y = a < 1 ? e * Horner(a - 0.75, ErfcxMiddle64)
            : a < 8 ? e * Horner(a, ErfcP) / Horner(a, ErfcQ) : e * Horner(a, ErfcR) / Horner(a, ErfcS);
        return x < 0 ? 2 - y : y;
    }

    // ------------------------------------------------------------------------------------------------ erf_inv

    // Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), single precision, as XLA's ErfInv32:
    // p(w - 2.5) for w < 5 and p(sqrt(w) - 3) otherwise, w = -log1p(-x^2); highest degree first.
    internal static ReadOnlySpan<float> ErfInvW5 =>
    [
        2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f, 0.00021858087f, -0.00125372503f,
        -0.00417768164f, 0.246640727f, 1.50140941f,
    ];
    internal static ReadOnlySpan<float> ErfInvWTail =>
    [
        -0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f, 0.00573950773f, -0.0076224613f,
        0.00943887047f, 1.00167406f, 2.83297682f,
    ];

    // Giles, double precision, as XLA's ErfInv64: p(w - 3.125) for w < 6.25, p(sqrt(w) - 3.25) for w < 16,
    // p(sqrt(w) - 5) beyond; highest degree first.
    internal static ReadOnlySpan<double> ErfInvW625 =>
    [
        -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17,
        -1.333171662854620906e-16, 2.0972767875968561637e-17, 6.6376381343583238325e-15, -4.0545662729752068639e-14,
        -8.1519341976054721522e-14, 2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
        1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07,
        -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352, -0.00074070253416626697512,
        -0.0060336708714301490533, 0.24015818242558961693, 1.6536545626831027356,
    ];
    internal static ReadOnlySpan<double> ErfInvW16 =>
    [
        2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08,
        1.5027403968909827627e-06, -4.013867526981545969e-06, 2.9234449089955446044e-06, 1.2475304481671778723e-05,
        -4.7318229009055733981e-05, 6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
        0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107,
        0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635,
    ];
    internal static ReadOnlySpan<double> ErfInvWTail64 =>
    [
        -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09, -3.7894654401267369937e-09,
        7.6157012080783393804e-09, -1.4960026627149240478e-08, 2.9147953450901080826e-08, -6.7711997758452339498e-08,
        2.2900482228026654717e-07, -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
        7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977,
        4.8499064014085844221,
    ];

    /// <summary>
    /// The inverse error function in float32, reproducing XLA's <c>ErfInv32</c> bit for bit (what JAX's
    /// <c>erf_inv</c>, and so <c>random.normal</c>, computes): Giles' single-precision approximation with
    /// <c>w = -log1p(-x*x)</c> (<see cref="Log1p(float)"/>, XLA:CPU's log1p), the degree-8 polynomial in
    /// <c>w - 2.5</c> for w &lt; 5 and in <c>sqrt(w) - 3</c> otherwise, with XLA's coefficients and Horner order (each
    /// step one fused multiply-add, as XLA:CPU emits it), times x. |x| == 1 gives <c>x * inf</c> = +-inf; |x| &gt; 1
    /// and NaN give NaN. Relative error below 6e-7 for |x| &lt;= 0.999; nearer 1 the rounding of <c>x*x</c> (XLA's
    /// formulation, kept) dominates, e.g. 6e-6 at 0.9998.
    /// </summary>
    public static float ErfInv(float x)
    {
        if (MathF.Abs(x) == 1f) return x * float.PositiveInfinity;
        float w = -Log1p(-x * x);
        float p = w < 5f ? Horner(w - 2.5f, ErfInvW5) : Horner(MathF.Sqrt(w) - 3f, ErfInvWTail);
        return p * x;
    }

    /// <summary>
    /// The inverse error function in float64, as XLA's <c>ErfInv64</c> (bit for bit): Giles' double-precision
    /// approximation with <c>w = -log1p(-x*x)</c>, polynomials in <c>w - 3.125</c> (w &lt; 6.25),
    /// <c>sqrt(w) - 3.25</c> (w &lt; 16) and <c>sqrt(w) - 5</c>, times x. Relative error below 2e-15 for
    /// |x| &lt;= 0.999; closer to 1 the rounding of <c>x*x</c> (XLA's formulation) dominates, e.g. 1e-12 at
    /// x = 1 - 1e-10. |x| == 1 gives +-inf; |x| &gt; 1 and NaN give NaN.
    /// </summary>
    public static double ErfInv(double x)
    {
        if (Math.Abs(x) == 1) return x * double.PositiveInfinity;
        double w = -Log1p(-x * x);
        double p = w < 6.25 ? Horner(w - 3.125, ErfInvW625)
            : w < 16 ? Horner(Math.Sqrt(w) - 3.25, ErfInvW16)
            : Horner(Math.Sqrt(w) - 5, ErfInvWTail64);
        return p * x;
    }

    // ------------------------------------------------------------------------------------------------ log1p, expm1

    // Cephes log1p (unity.c): log1p(x) = x - x^2/2 + x^3 P(x)/Q(x); XLA:CPU's log1p intrinsic; highest degree first.
    private static ReadOnlySpan<double> Log1pP =>
    [
        4.5270000862445199635215E-5, 4.9854102823193375972212E-1, 6.5787325942061044846969E0,
        2.9911919328553073277375E1, 6.0949667980987787057556E1, 5.7112963590585538103336E1, 2.0039553499201281259648E1,
    ];
    private static ReadOnlySpan<double> Log1pQ =>
    [
        1.0, 1.5062909083469192043167E1, 8.3047565967967209469434E1, 2.2176239823732856465394E2,
        3.0909872225312059774938E2, 2.1642788614495947685003E2, 6.0118660497603843919306E1,
    ];

    private const double Sqrt2Minus1 = 0.41421356237309504880;
    private const double SqrtHalfMinus1 = -0.29289321881345247560;

    /// <summary>
    /// log(1 + x) in float32, as XLA:CPU's log1p intrinsic (bit for bit): Cephes' rational approximation
    /// <c>x - x^2/2 + x^3 P(x)/Q(x)</c> for |x| &lt; sqrt(2) - 1 (so accurate for tiny x; the last two terms are one
    /// fused multiply-add) and <c>log(1 + x)</c> otherwise, with XLA:CPU's float32 log. log1p(-1) = -inf,
    /// log1p(+inf) = +inf, x &lt; -1 and NaN give NaN, and -0 stays -0. Within 1 ulp below sqrt(2) - 1 and 2.5 ulps
    /// above (where <c>1 + x</c> is rounded first).
    /// </summary>
    public static float Log1p(float x) => Log1pCore(x);

    /// <summary>
    /// log(1 + x) in float64: the same Cephes rational approximation, used on Cephes' own interval
    /// sqrt(1/2) - 1 &lt; x &lt; sqrt(2) - 1 (XLA applies it for x down to 1 - sqrt(2), where it is only good to
    /// 3e-14), and <c>log(1 + x)</c> outside; that agrees bit for bit with JAX, whose float64 log1p is libm's. Within
    /// 2 ulps; special values as <see cref="Log1p(float)"/>.
    /// </summary>
    public static double Log1p(double x) => Log1pCore(x);

    private static T Log1pCore<T>(T x) where T : IFloatingPointIeee754<T>
    {
        // float32 follows XLA (|x| < sqrt(2) - 1), float64 Cephes' interval (see Log1p(double)).
        T lowerBound = T.CreateTruncating(typeof(T) == typeof(float) ? -Sqrt2Minus1 : SqrtHalfMinus1);
        if (!(x > lowerBound && x < T.CreateTruncating(Sqrt2Minus1))) return LogOf(T.One + x);
        T x2 = x * x;
        T ratio = HornerRounded(x, Log1pP) / HornerRounded(x, Log1pQ);
        return x + T.FusedMultiplyAdd(T.CreateTruncating(-0.5), x2, x * x2 * ratio);
    }

    /// <summary>
    /// exp(x) - 1 in float32, accurate for tiny x: Kahan's formula (as Eigen's <c>generic_expm1</c>)
    /// <c>u = exp(x); (u - 1) * (x / log(u))</c>, returning x when u rounds to 1 and -1 when u - 1 does.
    /// expm1(-inf) = -1, expm1(+inf) and overflow give +inf, NaN gives NaN, -0 stays -0. Within 3 ulps (given
    /// .NET's exp and log). XLA:CPU uses an approximation of its own (within 5 ulps), so the last bits differ.
    /// </summary>
    public static float Expm1(float x) => Expm1Core(x);

    /// <summary>exp(x) - 1 in float64 by the same formula as <see cref="Expm1(float)"/>; within 2 ulps.</summary>
    public static double Expm1(double x) => Expm1Core(x);

    private static T Expm1Core<T>(T x) where T : IFloatingPointIeee754<T>
    {
        T u = T.Exp(x);
        if (u == T.One) return x;
        T um1 = u - T.One;
        if (um1 == T.NegativeOne) return T.NegativeOne;
        if (T.IsPositiveInfinity(u)) return u;
        return um1 * (x / T.Log(u));
    }

    // ------------------------------------------------------------------------------------------------ lgamma, digamma

    // Lanczos' approximation with g = 7, n = 9 (XLA's kLanczosGamma, kBaseLanczosCoeff, kLanczosCoefficients):
    // gamma(z + 1) = sqrt(2 pi) t^(z + 1/2) e^-t A(z), t = z + g + 1/2, A(z) = c0 + sum_k c_k / (z + k).
    internal const double LanczosG = 7;
    internal const double LanczosBase = 0.99999999999980993227684700473478;
    internal static ReadOnlySpan<double> LanczosCoefficients =>
    [
        676.520368121885098567009190444019, -1259.13921672240287047156078755283, 771.3234287776530788486528258894,
        -176.61502916214059906584551354, 12.507343278686904814458936853, -0.13857109526572011689554707,
        9.984369578019570859563e-6, 1.50563273514931155834e-7,
    ];

    /// <summary>
    /// log|gamma(x)| in float32, as XLA's <c>Lgamma</c> (CHLO <c>lgamma</c>), bit for bit: Lanczos' approximation
    /// (g = 7, n = 9) of <c>lgamma(z + 1)</c> with <c>z = x - 1</c>, and for x &lt; 0.5 Euler's reflection
    /// <c>log(pi) - lgamma(1 - x) - log|sin(pi frac|x|)|</c>. Poles (0, -0 and negative integers) and +-inf give +inf;
    /// NaN gives NaN. Error below about 4e-6, absolute where |lgamma| &lt;= 1 and relative beyond.
    /// </summary>
    public static float Lgamma(float x) => LgammaCore(x);

    /// <summary>
    /// log|gamma(x)| in float64 by the same algorithm as <see cref="Lgamma(float)"/> (bit for bit with JAX). Error
    /// below about 4e-15, absolute where |lgamma| &lt;= 1 (so a large relative error right next to the zeros at 1
    /// and 2) and relative beyond.
    /// </summary>
    public static double Lgamma(double x) => LgammaCore(x);

    /// <summary>
    /// The digamma function psi(x) = d/dx lgamma(x) in float32, as XLA's <c>Digamma</c> (CHLO <c>digamma</c>), bit
    /// for bit: <c>log(t) + A'(z)/A(z) - g/t</c> from Lanczos' approximation, and for x &lt; 0.5 the reflection
    /// <c>psi(1 - x) - pi cot(pi x)</c> with x first shifted into [-0.5, 0.5]. psi(+-0) = -inf (both one-sided
    /// limits agree there); negative integers and -inf give NaN (they do not); +inf gives +inf; NaN gives NaN. Error
    /// below about 2e-6, absolute where |psi| &lt;= 1 and relative beyond.
    /// </summary>
    public static float Digamma(float x) => DigammaCore(x);

    /// <summary>
    /// The digamma function in float64 by the same algorithm as <see cref="Digamma(float)"/> (bit for bit with JAX).
    /// Error below about 2e-15, absolute where |psi| &lt;= 1 and relative beyond; special values as the float32
    /// overload.
    /// </summary>
    public static double Digamma(double x) => DigammaCore(x);

    private static T LgammaCore<T>(T x) where T : IFloatingPointIeee754<T>
    {
        if (T.IsInfinity(x)) return T.PositiveInfinity;
        T half = T.CreateTruncating(0.5);
        bool reflect = x < half;
        T z = reflect ? -x : x - T.One;

        T a = T.CreateTruncating(LanczosBase);
        for (int k = 1; k <= LanczosCoefficients.Length; k++)
            a += T.CreateTruncating(LanczosCoefficients[k - 1]) / (z + T.CreateTruncating(k));

        // (z + 1/2) log t - t, written (z + 1/2 - t / log t) log t so that it does not overflow.
        T logT = LanczosLogT(z, out T t);
        T logSqrt2Pi = T.CreateTruncating((Math.Log(2) + Math.Log(Math.PI)) / 2);
        T lgamma = T.FusedMultiplyAdd(z + half - t / logT, logT, logSqrt2Pi) + LogOf(a);
        if (!reflect) return lgamma;

        // |sin(pi x)| = sin(pi f) with f = frac|x| folded into [0, 1/2]: exact zero at integers, no overflow.
        T absX = T.Abs(x);
        T frac = absX - T.Floor(absX);
        if (frac > half) frac = T.One - frac;
        T logSin = LogOf(T.Sin(T.CreateTruncating(Math.PI) * frac));
        return T.IsFinite(logSin) ? T.CreateTruncating(Math.Log(Math.PI)) - logSin - lgamma : -logSin;
    }

    private static T DigammaCore<T>(T x) where T : IFloatingPointIeee754<T>
    {
        if (x == T.Zero) return T.NegativeInfinity;
        if (x < T.Zero && x == T.Floor(x)) return T.NaN;
        bool reflect = x < T.CreateTruncating(0.5);
        T z = reflect ? -x : x - T.One;

        T a = T.CreateTruncating(LanczosBase), aPrime = T.Zero;
        for (int k = 1; k <= LanczosCoefficients.Length; k++)
        {
            T c = T.CreateTruncating(LanczosCoefficients[k - 1]);
            T zk = z + T.CreateTruncating(k);
            aPrime -= c / (zk * zk);
            a += c / zk;
        }
        T logT = LanczosLogT(z, out T t);
        T psi = logT + aPrime / a - T.CreateTruncating(LanczosG) / t;
        if (!reflect) return psi;

        // cot(pi x) = cot(pi r) with r = x + |floor(x + 1/2)| in [-1/2, 1/2]: pi r keeps its precision.
        T pi = T.CreateTruncating(Math.PI);
        T r = x + T.Abs(T.Floor(x + T.CreateTruncating(0.5)));
        return psi - pi * T.Cos(pi * r) / T.Sin(pi * r);
    }

    // log t for t = z + g + 1/2, as log(g + 1/2) + log1p(z / (g + 1/2)) (XLA's form, kind to inexact logs). XLA's
    // algebraic simplifier turns the division by the constant into a multiplication by its reciprocal.
    private static T LanczosLogT<T>(T z, out T t) where T : IFloatingPointIeee754<T>
    {
        T gPlusHalf = T.CreateTruncating(LanczosG + 0.5);
        t = gPlusHalf + z;
        return T.CreateTruncating(Math.Log(LanczosG + 0.5)) + Log1pCore(z * (T.One / gPlusHalf));
    }

    // ------------------------------------------------------------------------------------------------ log

    // Cephes' logf polynomial for log(1 + f) - f + f^2/2 on [sqrt(1/2) - 1, sqrt(2) - 1], and log 2 split in two
    // (Eigen's plog_float, which XLA:CPU inlines into its fused float32 kernels); highest degree first.
    private static ReadOnlySpan<float> LogP =>
    [
        7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f,
    ];
    private const float Ln2Low = -2.12194440e-4f, Ln2High = 0.693359375f;

    // log in the precision of T: XLA:CPU calls libm's log for float64 (Math.Log is the same function on Linux) but
    // inlines Eigen's vectorized logf into fused float32 kernels (log1p, erf_inv, lgamma, digamma), reproduced here.
    private static T LogOf<T>(T x) where T : IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? T.CreateTruncating(LogF32(float.CreateTruncating(x))) : T.Log(x);

    // Eigen's plog_float as XLA:CPU compiles it (read off its AVX code): x = 2^e m with m in [sqrt(1/2), sqrt(2)),
    // f = m - 1, log x = f - f^2/2 + f^3 P(f) + e ln 2, with the FMAs where XLA's machine code has them. Accurate to
    // 1 ulp; not always correctly rounded, which is why it is reproduced rather than replaced by MathF.Log.
    private static float LogF32(float x)
    {
        if (!(x > 0)) return x == 0 ? float.NegativeInfinity : float.NaN;
        if (float.IsPositiveInfinity(x)) return x;
        int bits = BitConverter.SingleToInt32Bits(MathF.Max(x, 1.17549435e-38f)); // subnormals: smallest normal
        float e = ((bits >> 23) - 127) + 1f;
        float m = BitConverter.Int32BitsToSingle((bits & unchecked((int)0x807fffff)) | 0x3f000000); // in [1/2, 1)
        float f = m - 1f;
        if (m < 0.707106781186547524f)
        {
            f += m;
            e -= 1f;
        }
        float f2 = f * f, f3 = f * f2;
        ReadOnlySpan<float> p = LogP;
        float y = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(p[0], f, p[1]), f, p[2]);
        float y1 = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(p[3], f, p[4]), f, p[5]);
        float y2 = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(p[6], f, p[7]), f, p[8]);
        y = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(y, f3, y1), f3, y2);
        float r = MathF.FusedMultiplyAdd(-0.5f, f2, f) + MathF.FusedMultiplyAdd(y, f3, e * Ln2Low);
        return MathF.FusedMultiplyAdd(e, Ln2High, r);
    }

    // ------------------------------------------------------------------------------------------------ polynomials

    // Horner's rule, coefficients highest degree first, each step one fused multiply-add.
    private static T Horner<T>(T x, ReadOnlySpan<T> coefficients) where T : IFloatingPointIeee754<T>
    {
        T p = coefficients[0];
        for (int i = 1; i < coefficients.Length; i++) p = T.FusedMultiplyAdd(p, x, coefficients[i]);
        return p;
    }

    // Horner's rule over double coefficients rounded to T (XLA's constants of the operand's type).
    private static T HornerRounded<T>(T x, ReadOnlySpan<double> coefficients) where T : IFloatingPointIeee754<T>
    {
        T p = T.CreateTruncating(coefficients[0]);
        for (int i = 1; i < coefficients.Length; i++) p = T.FusedMultiplyAdd(p, x, T.CreateTruncating(coefficients[i]));
        return p;
    }
}
