namespace JaxToolchain.Ir;

// exp, exp2, expm1, log, log1p, tanh, logistic: fdlibm's algorithms (e_exp.c, s_expm1.c, e_log.c, k_log.h, s_log1p.c,
// s_tanh.c and their float versions, as in FreeBSD's msun), with their coefficients, made branch-free: every case is
// computed and the right one selected.
internal static partial class MathExpansions
{
    // ln 2 split for Cody-Waite reduction: k * hi is exact for the k that occur (|k| < 2^11 in float64, 2^8 in float32).
    private const double Ln2Hi64 = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
    private const double Ln2Lo64 = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
    private const double Ln2Hi32 = 6.9314575195e-01; // 0x3f317200
    private const double Ln2Lo32 = 1.4286067653e-06; // 0x35bfbe8e

    // A finer split for float32 expm1 and log (k * hi exact for |k| < 2^7; k*hi + k*lo more accurate).
    private const double Ln2HiFine32 = 6.9313812256e-01; // 0x3f317180
    private const double Ln2LoFine32 = 9.0580006145e-06; // 0x3717f7d1

    private const double Ln2 = 0.69314718055994530942;
    private const double InvLn2 = 1.44269504088896338700;

    // fdlibm's rational exp kernel: R(z) = r (e^r + 1) / (e^r - 1) ~ 2 + P1 z + ... on |r| <= ln2 / 2 (z = r^2);
    // Remez error below 2^-59 (float64) and 2^-27.74 (float32). Highest degree first.
    private static readonly double[] ExpP64 =
    [
        4.13813679705723846039e-08, -1.65339022054652515390e-06, 6.61375632143793436117e-05,
        -2.77777777770155933842e-03, 1.66666666666666019037e-01,
    ];
    private static readonly double[] ExpP32 = [-2.7667332906e-3, 1.6666625440e-1];

    // fdlibm's expm1 kernel: R1(z) ~ 1 + Q1 z + ... for z = r^2 / 2 (scaled coefficients), error below 2^-61 (float64)
    // and 2^-30.04 (float32). Highest degree first.
    private static readonly double[] Expm1Q64 =
    [
        -2.01099218183624371326e-07, 4.00821782732936239552e-06, -7.93650757867487942473e-05,
        1.58730158725481460165e-03, -3.33333333333331316428e-02,
    ];
    private static readonly double[] Expm1Q32 = [1.5807170421e-3, -3.3333212137e-2];

    // fdlibm's log kernel: (log(1 + s) - log(1 - s)) / s ~ 2 + Lg1 s^2 + ... on s in [0, 0.1716], split into even and
    // odd powers of w = s^4; error below 2^-58.45 (float64) and 2^-34.24 (float32).
    private static readonly double[] LogOdd64 = [1.479819860511658591e-01, 1.818357216161805012e-01, 2.857142874366239149e-01, 6.666666666666735130e-01];
    private static readonly double[] LogEven64 = [1.531383769920937332e-01, 2.222219843214978396e-01, 3.999999999940941908e-01];
    private static readonly double[] LogOdd32 = [Math.ScaleB(0x91e9ee, -25), Math.ScaleB(0xaaaaaa, -24)];
    private static readonly double[] LogEven32 = [Math.ScaleB(0xf89e26, -26), Math.ScaleB(0xccce13, -25)];

    /// <summary>
    /// e^x: k = round(x / ln 2), r = x - k ln 2 in two parts (Cody-Waite), e^r by fdlibm's rational kernel, scaled by
    /// 2^k in two steps so that subnormal results round once. x is clamped first so that k stays in range; beyond the
    /// clamp the result is already 0 or +inf. NaN gives NaN.
    /// </summary>
    private static MathValue Exp(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var clamped = m.Clamp(x, f.Pick(-104.0, -746.0), f.Pick(89.0, 710.0));
        var k = m.RoundToEven(clamped * InvLn2);
        var hi = clamped - k * f.Pick(Ln2Hi32, Ln2Hi64);
        var lo = k * f.Pick(Ln2Lo32, Ln2Lo64);
        var result = m.ScaleB(ExpOfReduced(m, hi, lo), m.ToInteger(k), f);
        return m.Where(m.IsNaN(x), x, result);
    }

    /// <summary>
    /// e^(hi - lo) for |hi - lo| &lt;= ~0.35 (fdlibm): with r = hi - lo and c = r - r^2 P(r^2),
    /// e^r = 1 - ((lo - r c / (2 - c)) - hi), where hi and lo enter exactly and only the small correction uses the
    /// rounded r. Within 1 ulp.
    /// </summary>
    private static MathValue ExpOfReduced(MathEmitter m, MathValue hi, MathValue lo)
    {
        var f = FloatFormat.Of(hi.DType);
        var r = hi - lo;
        var t = r * r;
        var c = r - t * m.Horner(t, f.Pick(ExpP32, ExpP64));
        return 1.0 - ((lo - r * c / (2.0 - c)) - hi);
    }

    /// <summary>
    /// 2^x: k = round(x), r = x - k (exact), e^(r ln 2) with r ln 2 = hi - lo, where hi is the product of r's leading
    /// bits and ln 2's leading bits (exact) and lo collects the rest, then the exp kernel and 2^k.
    /// </summary>
    private static MathValue Exp2(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var clamped = m.Clamp(x, f.Pick(-151.0, -1076.0), f.Pick(129.0, 1025.0));
        var k = m.RoundToEven(clamped);
        var r = clamped - k;
        // r's leading 9 (21) bits times ln 2's leading 15 (32) bits fits the format exactly.
        var rHi = m.FromBits(m.Bits(r) & f.Pick(0xFFFF8000L, unchecked((long)0xFFFFFFFF00000000)), f);
        var rLo = r - rHi;
        var hi = rHi * f.Pick(Ln2Hi32, Ln2Hi64);
        var lo = -(rHi * f.Pick(Ln2Lo32, Ln2Lo64) + rLo * Ln2);
        var result = m.ScaleB(ExpOfReduced(m, hi, lo), m.ToInteger(k), f);
        return m.Where(m.IsNaN(x), x, result);
    }

    /// <summary>
    /// e^x - 1, accurate near 0 (fdlibm's expm1): r = x - k ln 2 with a correction c for the rounding of r, expm1(r)
    /// by a rational kernel, then one of fdlibm's recombinations with 2^k, chosen by k so that no step cancels.
    /// -0 stays -0; below -56 ln 2 (-27 ln 2 in float32) the result is -1; NaN gives NaN.
    /// </summary>
    private static MathValue Expm1(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var clamped = m.Clamp(x, f.Pick(-20.0, -40.0), f.Pick(89.0, 710.0));
        var kf = m.RoundToEven(clamped * InvLn2);
        var k = m.ToInteger(kf);
        var hi = clamped - kf * f.Pick(Ln2HiFine32, Ln2Hi64);
        var lo = kf * f.Pick(Ln2LoFine32, Ln2Lo64);
        var r = hi - lo;
        var c = (hi - r) - lo;

        var halfR = 0.5 * r;
        var halfRSquared = r * halfR;
        var r1 = 1.0 + halfRSquared * m.Horner(halfRSquared, f.Pick(Expm1Q32, Expm1Q64));
        var t = 3.0 - r1 * halfR;
        var e = halfRSquared * ((r1 - t) / (6.0 - r * t));
        var whenZero = r - (r * e - halfRSquared);

        // expm1(r + c) ~ r - E with E = r (e - c) - c - r^2/2, recombined with 2^k.
        var bigE = r * (e - c) - c - halfRSquared;
        var whenMinusOne = 0.5 * (r - bigE) - 0.5;
        var whenOne = m.Where(r < -0.25, -2.0 * (bigE - (r + 0.5)), 1.0 + 2.0 * (r - bigE));
        var whenFar = m.ScaleB(1.0 - (bigE - r), k, f) - 1.0;
        var twoToK = m.PowerOfTwo(k, f);
        var twoToMinusK = m.PowerOfTwo(-k, f);
        var whenModerate = ((1.0 - twoToMinusK) - (bigE - r)) * twoToK;
        var whenLarge = ((r - (bigE + twoToMinusK)) + 1.0) * twoToK;

        var result = m.Where(k < f.Pick(23, 20), whenModerate, whenLarge);
        result = m.Where((k <= -2) | (k > 56), whenFar, result);
        result = m.Where(k.Eq(1), whenOne, result);
        result = m.Where(k.Eq(-1), whenMinusOne, result);
        result = m.Where(k.Eq(0), whenZero, result);
        return m.Where(x.Eq(0) | m.IsNaN(x), x, result);
    }

    /// <summary>
    /// The natural logarithm (fdlibm's log): x = 2^k m with m in [sqrt(1/2), sqrt(2)) read off the bits (subnormals
    /// scaled up first), log(m) by the log kernel, plus k ln 2 in two parts. log(+-0) = -inf, log(x &lt; 0) = NaN,
    /// log(+inf) = +inf, NaN gives NaN.
    /// </summary>
    private static MathValue Log(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        int subnormalShift = f.Pick(25, 54);
        var subnormal = x < f.MinNormal;
        var scaled = m.Where(subnormal, x * Math.ScaleB(1, subnormalShift), x);
        var (mantissa, k) = SplitExponent(m, scaled, f);
        k = k - m.Where(subnormal, subnormalShift, 0, f.Integer);
        var result = LogKernel(m, mantissa - 1.0, m.ToFloat(k, f), correction: null);
        result = m.Where(x.Eq(0), double.NegativeInfinity, result);
        result = m.Where(x < 0, double.NaN, result);
        return m.Where(x.Eq(double.PositiveInfinity) | m.IsNaN(x), x, result);
    }

    /// <summary>
    /// log(1 + x), accurate near 0 (fdlibm's log1p): near 0 (1 + x in [sqrt(1/2), sqrt(2))) the log kernel of x itself;
    /// elsewhere of u = 1 + x rounded, split as in <see cref="Log"/>, plus the correction ((1 + x) - u) / u.
    /// log1p(-1) = -inf, log1p(x &lt; -1) = NaN, log1p(+inf) = +inf, +-0 and NaN are kept.
    /// </summary>
    private static MathValue Log1p(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var u = 1.0 + x;
        var (mantissa, k) = SplitExponent(m, u, f);
        // The rounding error of 1 + x, exactly (Fast2Sum, the larger operand first), divided by u.
        var correction = m.Where(x > 1, 1.0 - (u - x), x - (u - 1.0)) / u;
        correction = m.Where(k >= f.MantissaBits + 2, 0, correction);
        var nearZero = (x > -0.29289321881345254) & (x < 0.41421356237309503);
        var fraction = m.Where(nearZero, x, mantissa - 1.0);
        correction = m.Where(nearZero, 0, correction);
        var kf = m.Where(nearZero, 0, m.ToFloat(k, f));
        var result = LogKernel(m, fraction, kf, correction);
        result = m.Where(x.Eq(-1), double.NegativeInfinity, result);
        result = m.Where(x < -1, double.NaN, result);
        return m.Where(x.Eq(0) | x.Eq(double.PositiveInfinity) | m.IsNaN(x), x, result);
    }

    /// <summary>x = 2^k m for a positive normal x, with m in [sqrt(1/2), sqrt(2)): m and k (an integer of x's width).</summary>
    private static (MathValue Mantissa, MathValue K) SplitExponent(MathEmitter m, MathValue x, FloatFormat f)
    {
        var bits = m.Bits(x);
        var k = (bits >> f.MantissaBits) - f.ExponentBias;
        var mantissaBits = bits & f.MantissaMask;
        // Mantissas from sqrt(2)'s up take the exponent of [1/2, 1) and one more k.
        var aboveSqrt2 = mantissaBits >= f.Pick(0x3504F3L, 0x6A09E667F3BCDL);
        var exponentBits = m.Where(aboveSqrt2, f.Pick(0x3F000000L, 0x3FE0000000000000L), f.Pick(0x3F800000L, 0x3FF0000000000000L), f.Integer);
        var mantissa = m.FromBits(mantissaBits | exponentBits, f);
        return (mantissa, k + m.Where(aboveSqrt2, 1, 0, f.Integer));
    }

    /// <summary>
    /// k ln 2 + log(1 + f) + correction for 1 + f in [sqrt(1/2), sqrt(2)) (fdlibm): with s = f / (2 + f) and
    /// R = s^2 (Lg1 + Lg2 s^2 + ...), log(1 + f) = f - (hfsq - s (hfsq + R)), hfsq = f^2 / 2; ln 2 in two parts.
    /// </summary>
    private static MathValue LogKernel(MathEmitter m, MathValue fraction, MathValue k, MathValue? correction)
    {
        var f = FloatFormat.Of(fraction.DType);
        var s = fraction / (2.0 + fraction);
        var z = s * s;
        var w = z * z;
        var r = z * m.Horner(w, f.Pick(LogOdd32, LogOdd64)) + w * m.Horner(w, f.Pick(LogEven32, LogEven64));
        var halfSquare = 0.5 * fraction * fraction;
        var tail = k * f.Pick(Ln2LoFine32, Ln2Lo64);
        if (correction is { } c) tail = tail + c;
        return k * f.Pick(Ln2HiFine32, Ln2Hi64) - ((halfSquare - (s * (halfSquare + r) + tail)) - fraction);
    }

    /// <summary>
    /// tanh (fdlibm): with a = |x| and t = expm1(2a) for a &gt;= 1 or t = expm1(-2a) below, tanh a = 1 - 2 / (t + 2) or
    /// -t / (t + 2); 1 from 22 (9 in float32) on; the sign of x; x itself for tiny |x| (so +-0 and subnormals are kept).
    /// </summary>
    private static MathValue Tanh(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        double saturation = f.Pick(9.0, 22.0);
        var a = m.Abs(x);
        var atLeastOne = a >= 1;
        var bounded = m.Min(a, saturation);
        var t = m.Call(Prims.Expm1, m.Where(atLeastOne, 2.0 * bounded, -2.0 * bounded));
        var magnitude = m.Where(atLeastOne, 1.0 - 2.0 / (t + 2.0), -t / (t + 2.0));
        magnitude = m.Where(a >= saturation, 1, magnitude);
        var result = m.Where(x < 0, -magnitude, magnitude);
        return m.Where(a < f.Pick(Math.ScaleB(1, -12), Math.ScaleB(1, -28)), x, result);
    }

    /// <summary>
    /// The logistic function 1 / (1 + e^-x), as 1 / (1 + e) for x &gt;= 0 and e / (1 + e) for x &lt; 0 with
    /// e = e^-|x| (which never overflows, so tiny results for very negative x are subnormal, not 0).
    /// </summary>
    private static MathValue Logistic(MathEmitter m, MathValue x)
    {
        var e = m.Call(Prims.Exp, -m.Abs(x));
        var onePlusE = 1.0 + e;
        return m.Where(x >= 0, 1.0 / onePlusE, e / onePlusE);
    }
}
