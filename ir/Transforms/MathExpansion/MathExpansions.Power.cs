namespace JaxToolchain.Ir;

// pow (fdlibm's e_pow.c and e_powf.c, branch-free), cbrt (fdlibm's s_cbrt.c, the float32 variant computed in float32),
// rsqrt and nextafter.
internal static partial class MathExpansions
{
    /// <summary>fdlibm's pow constants of one format (e_pow.c, e_powf.c).</summary>
    private sealed record PowConstants(
        double Log2OfThreeHalvesHigh, double Log2OfThreeHalvesLow, double[] LogPolynomial,
        double TwoOverThreeLn2, double TwoOverThreeLn2High, double TwoOverThreeLn2Low,
        double Ln2, double Ln2High, double Ln2Low, double OverflowTail,
        long HighMask, long ExpMask, int SubnormalShift, long SqrtThreeHalvesMantissa, long SqrtThreeMantissa);

    private static readonly PowConstants Pow64 = new(
        5.84962487220764160156e-01, 1.35003920212974897128e-08,
        [2.06975017800338417784e-01, 2.30660745775561754067e-01, 2.72728123808534006489e-01, 3.33333329818377432918e-01,
            4.28571428578550184252e-01, 5.99999999999994648725e-01],
        9.61796693925975554329e-01, 9.61796700954437255859e-01, -7.02846165095275826516e-09,
        6.93147180559945286227e-01, 6.93147182464599609375e-01, -1.90465429995776804525e-09, 8.0085662595372944372e-17,
        unchecked((long)0xFFFFFFFF00000000), unchecked((long)0xFFFFFFFF00000000), 53, 0x3988E, 0xBB67A);

    private static readonly PowConstants Pow32 = new(
        5.84960938e-01, 1.56322085e-06,
        [2.0697501302e-01, 2.3066075146e-01, 2.7272811532e-01, 3.3333334327e-01, 4.2857143283e-01, 6.0000002384e-01],
        9.6179670095e-01, 9.6191406250e-01, -1.1736857402e-04,
        6.9314718246e-01, 6.93145752e-01, 1.42860654e-06, 4.2995665694e-08,
        unchecked((long)0xFFFFF000), unchecked((long)0xFFFF8000), 24, 0x1cc471, 0x5db3d7);

    /// <summary>
    /// x^y (fdlibm's pow): log2|x| = t1 + t2 with about 64 bits (|x| = 2^n m, m in [1, 1.5) or [1.5, 3) over 2, then
    /// s = (m - b) / (m + b) in pieces whose products are exact), y log2|x| = p_h + p_l by splitting y, then
    /// 2^(p_h + p_l) by the exp kernel and 2^n. Overflow and underflow are decided on p_h + p_l. The special cases are
    /// C99's (pow(x, +-0) = 1, pow(1, y) = 1, pow(-1, +-inf) = 1, negative x with a non-integer y is NaN, signed zeros
    /// and infinities by the parity of y).
    /// </summary>
    private static MathValue Pow(MathEmitter m, MathValue x, MathValue y)
    {
        var f = FloatFormat.Of(x.DType);
        var c = f.Pick(Pow32, Pow64);
        var (t1, t2) = Log2Extended(m, m.Abs(x), f, c);

        // y log2|x| = p_h + p_l with p_h exact (y's and t1's low halves cleared).
        var yHigh = m.FromBits(m.Bits(y) & c.HighMask, f);
        var pLow = (y - yHigh) * t1 + y * t2;
        var pHigh = yHigh * t1;
        var z = pLow + pHigh;
        double maxExponent = f.Pick(128, 1024), minExponent = f.Pick(-150, -1075);
        var overflow = (z > maxExponent) | (z.Eq(maxExponent) & (pLow + c.OverflowTail > z - pHigh));
        var underflow = (z < minExponent) | (z.Eq(minExponent) & (pLow <= z - pHigh));

        // 2^(p_h + p_l) = 2^n 2^(p_h - n + p_l), the fraction as e^(hi + w) with hi exact-ish.
        var n = m.RoundToEven(m.Clamp(z, minExponent - 2, maxExponent + 2));
        pHigh = pHigh - n;
        var t = m.FromBits(m.Bits(pLow + pHigh) & c.ExpMask, f);
        var u = t * c.Ln2High;
        var v = (pLow - (t - pHigh)) * c.Ln2 + t * c.Ln2Low;
        var hi = u + v;
        var w = v - (hi - u);
        var magnitude = m.ScaleB(ExpOfReduced(m, hi, -w), m.ToInteger(n), f);
        magnitude = m.Where(overflow, double.PositiveInfinity, m.Where(underflow, 0, magnitude));

        // Signs and special values.
        var yInteger = m.Floor(y).Eq(y);
        var halfY = 0.5 * y;
        var yOdd = yInteger & m.Floor(halfY).Ne(halfY);
        var negativeX = x < 0;
        var result = m.Where(negativeX, m.Where(yInteger, m.Where(yOdd, -magnitude, magnitude), double.NaN), magnitude);
        var ax = m.Abs(x);
        // x = +-0 or +-inf: 0 or inf by the sign of y (swapped for zero), negative only for odd y and a negative x.
        var zeroOrInfinity = ax.Eq(0) | ax.Eq(double.PositiveInfinity);
        var growing = ax.Eq(0).Ne(y > 0);
        var edgeMagnitude = m.Where(growing, double.PositiveInfinity, 0, x.DType);
        result = m.Where(zeroOrInfinity, m.Where(m.SignBit(x) & yOdd, -edgeMagnitude, edgeMagnitude), result);
        // y = +-inf: 1 for |x| = 1, else inf when |x| > 1 and y > 0 or |x| < 1 and y < 0, else 0.
        var infiniteY = m.Abs(y).Eq(double.PositiveInfinity);
        var yInfinityResult = m.Where(ax.Eq(1), 1, m.Where((ax > 1).Eq(y > 0), double.PositiveInfinity, 0, x.DType));
        result = m.Where(infiniteY, yInfinityResult, result);
        result = m.Where(m.IsNaN(x) | m.IsNaN(y), x + y, result);
        return m.Where(x.Eq(1) | y.Eq(0), 1, result);
    }

    /// <summary>log2(ax) = t1 + t2 for ax &gt; 0 (fdlibm's pow), t1 with its low half cleared.</summary>
    private static (MathValue T1, MathValue T2) Log2Extended(MathEmitter m, MathValue ax, FloatFormat f, PowConstants c)
    {
        int highShift = f.Pick(0, 32);
        long highMantissaMask = f.Pick(0x007fffffL, 0x000fffffL);
        long oneHigh = f.Pick(0x3f800000L, 0x3ff00000L);
        long exponentOne = f.Pick(0x00800000L, 0x00100000L);
        int highMantissaBits = f.MantissaBits - highShift;

        var subnormal = ax < f.MinNormal;
        var scaled = m.Where(subnormal, ax * Math.ScaleB(1, c.SubnormalShift), ax);
        var bits = m.Bits(scaled);
        var high = bits >> highShift;
        var exponent = (high >> highMantissaBits) - f.ExponentBias - m.Where(subnormal, c.SubnormalShift, 0, f.Integer);
        var mantissa = high & highMantissaMask;
        // |x| = 2^n m: m in [1, sqrt(3/2)) uses b = 1, [sqrt(3/2), sqrt(3)) b = 1.5, above that m/2 with b = 1 and n + 1.
        var middle = (mantissa > c.SqrtThreeHalvesMantissa) & (mantissa < c.SqrtThreeMantissa);
        var upper = mantissa >= c.SqrtThreeMantissa;
        var normalizedHigh = (mantissa | oneHigh) - m.Where(upper, exponentOne, 0, f.Integer);
        var n = exponent + m.Where(upper, 1, 0, f.Integer);
        var k = m.Where(middle, 1, 0, f.Integer);
        var normalized = f.IsDouble
            ? m.FromBits((normalizedHigh << 32) | (bits & 0xFFFFFFFFL), f)
            : m.FromBits(normalizedHigh, f);
        var b = m.Where(middle, 1.5, 1.0, f.DType);
        var dpHigh = m.Where(middle, c.Log2OfThreeHalvesHigh, 0, f.DType);
        var dpLow = m.Where(middle, c.Log2OfThreeHalvesLow, 0, f.DType);

        // s = s_h + s_l = (m - b) / (m + b), with t_h = m + b to its high half.
        var u = normalized - b;
        var v = 1.0 / (normalized + b);
        var ss = u * v;
        var sHigh = m.FromBits(m.Bits(ss) & c.HighMask, f);
        var tHighBits = f.IsDouble
            ? (((normalizedHigh >> 1) | 0x20000000) + 0x00080000 + (k << 18)) << 32
            : (((normalizedHigh >> 1) & unchecked((long)0xfffff000)) | 0x20000000) + 0x00400000 + (k << 21);
        var tHigh = m.FromBits(tHighBits, f);
        var tLow = normalized - (tHigh - b);
        var sLow = v * ((u - sHigh * tHigh) - sHigh * tLow);

        // log(m) = 2s + 2/3 s^3 + s^5 R(s^2): t_h + t_l = 3 + s^2 + R.
        var s2 = ss * ss;
        var r = s2 * s2 * m.Horner(s2, c.LogPolynomial);
        r = r + sLow * (sHigh + ss);
        s2 = sHigh * sHigh;
        var threeHigh = m.FromBits(m.Bits(3.0 + s2 + r) & c.HighMask, f);
        var threeLow = r - ((threeHigh - 3.0) - s2);
        u = sHigh * threeHigh;
        v = sLow * threeHigh + threeLow * ss;
        var pHigh = m.FromBits(m.Bits(u + v) & c.HighMask, f);
        var pLow = v - (pHigh - u);
        // log2(m) = (2 / (3 ln 2)) (s_h + ...) + log2(b).
        var zHigh = c.TwoOverThreeLn2High * pHigh;
        var zLow = c.TwoOverThreeLn2Low * pHigh + pLow * c.TwoOverThreeLn2 + dpLow;
        var nf = m.ToFloat(n, f);
        var t1 = m.FromBits(m.Bits(((zHigh + zLow) + dpHigh) + nf) & c.HighMask, f);
        var t2 = zLow - (((t1 - nf) - dpHigh) - zHigh);
        return (t1, t2);
    }

    // fdlibm's cbrt: B = (bias - bias/3 - 0.03306235651) 2^(mantissa bits) for the rough cube root by integer
    // division of the bits (2^54 and 2^24 scale subnormals, with B2); P approximates 1/cbrt(r) within 2^-23.5 near 1.
    private static readonly double[] CbrtP = [0.145996192886612446982, -0.758397934778766047437];
    private static readonly double[] CbrtQ = [1.621429720105354466140, -1.88497979543377169875, 1.87595182427177009643];

    /// <summary>
    /// The real cube root (fdlibm's cbrt): a rough root to 5 bits from the bits divided by 3, a polynomial step to 23
    /// bits, rounded to half the format's bits so that its square is exact, then one Newton (Halley) step. The sign is
    /// kept; +-0, infinities and NaN are returned as they are.
    /// </summary>
    private static MathValue Cbrt(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        int highShift = f.Pick(0, 32);
        var bits = m.Bits(x);
        var sign = bits & f.SignMask;
        var high = (bits >> highShift) & 0x7fffffff;
        var subnormal = high < f.Pick(0x00800000L, 0x00100000L);
        var scaledHigh = (m.Bits(x * Math.ScaleB(1, f.Pick(24, 54))) >> highShift) & 0x7fffffff;
        // The division by 3 in 32-bit integers (the high word fits), which vectorizes.
        var dividend = m.Convert(m.Where(subnormal, scaledHigh, high), DType.Int32);
        var root = m.Convert(dividend / 3.0, f.Integer) + m.Where(subnormal, f.Pick(642849266, 696219795), f.Pick(709958130, 715094163), f.Integer);
        var t = m.FromBits((root << highShift) | sign, f);

        var r = t * t * (t / x);
        t = t * (m.Horner(r, CbrtQ) + r * r * r * m.Horner(r, CbrtP));
        // Round away from zero to half the bits (float64: 23, float32: 12), so that t*t is exact and |t| >= cbrt|x|.
        t = m.FromBits((m.Bits(t) + f.Pick(0x2000L, 0x80000000L)) & f.Pick(unchecked((long)0xFFFFF000), unchecked((long)0xFFFFFFFFC0000000)), f);
        var s = t * t;
        var q = x / s;
        var w = t + t;
        q = (q - t) / (w + q);
        t = t + t * q;
        return m.Where(x.Eq(0) | !m.IsFinite(x), x, t);
    }

    /// <summary>1 / sqrt(x), two correctly rounded steps (the interpreter's definition; no reciprocal estimate).</summary>
    private static MathValue Rsqrt(MathEmitter m, MathValue x) => 1.0 / m.Sqrt(x);

    /// <summary>
    /// The next representable number after x toward y, in x's own format (float16 and bfloat16 too): the bits plus or
    /// minus one, the smallest subnormal with y's sign from zero, y when they are equal, NaN when either is.
    /// </summary>
    private static MathValue Nextafter(MathEmitter m, MathValue x, MathValue y)
    {
        var integer = x.DType.ItemSize() switch { 2 => DType.Int16, 4 => DType.Int32, _ => DType.Int64 };
        long signMask = x.DType.ItemSize() switch { 2 => unchecked((short)0x8000), 4 => int.MinValue, _ => long.MinValue };
        // Compare in float32 or float64 (exact for float16 and bfloat16).
        var compare = x.DType is DType.Float16 or DType.BFloat16 ? DType.Float32 : x.DType;
        var xc = m.Convert(x, compare);
        var yc = m.Convert(y, compare);
        var xBits = m.Bitcast(x, integer);
        var awayFromZero = (xc < yc).Eq(xc > 0);
        var stepped = xBits + m.Where(awayFromZero, 1, -1, integer);
        var fromZero = (m.Bitcast(y, integer) & signMask) | 1;
        var result = m.Bitcast(m.Where(xc.Eq(0), fromZero, stepped), x.DType);
        result = m.Where(xc.Eq(yc), y, result);
        return m.Where(m.IsNaN(xc) | m.IsNaN(yc), x + y, result);
    }
}
