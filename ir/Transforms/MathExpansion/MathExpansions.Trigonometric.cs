namespace JaxToolchain.Ir;

// sin, cos, tan, atan2. float64: fdlibm's reduction (e_rem_pio2.c, its three-round medium case for every argument)
// and kernels (k_sin.c, k_cos.c, k_tan.c), s_atan.c and e_atan2.c. float32: a Cody-Waite reduction in float32 with
// pi/2 in seven parts, Cephes' sinf/cosf/tanf polynomials, fdlibm's s_atanf.c and e_atan2f.c.
internal static partial class MathExpansions
{
    private const double TwoOverPi = 6.36619772367581382433e-01;

    // pi/2 = Pio2First + Pio2Second + Pio2Third + Pio2ThirdTail: 33-bit parts, so n * part is exact for |n| < 2^20, and
    // the rest (fdlibm's pio2_1, pio2_2, pio2_3 and pio2_3t).
    private const double Pio2First = 1.57079632673412561417e+00; // 0x3ff921fb 54400000
    private const double Pio2Second = 6.07710050630396597660e-11; // 0x3dd0b461 1a600000
    private const double Pio2Third = 2.02226624871116645580e-21; // 0x3ba3198a 2e000000
    private const double Pio2ThirdTail = 8.47842766036889956997e-32; // 0x397b839a 252049c1

    /// <summary>
    /// pi/2 in float32 parts for Cody-Waite reduction: six of 8 significant bits (n * part is exact for |n| &lt; 2^16)
    /// and a last one rounded, together within 2^-82 of pi/2, enough for the float32 arguments nearest to a multiple of
    /// pi/2 below 2^16 pi/2 (2^-27.8 away, at 252.898...).
    /// </summary>
    private static readonly double[] Pio2Parts32 =
    [
        BitConverter.UInt32BitsToSingle(0x3fc90000), BitConverter.UInt32BitsToSingle(0x39fd0000),
        BitConverter.UInt32BitsToSingle(0x35aa0000), BitConverter.UInt32BitsToSingle(0x30880000),
        BitConverter.UInt32BitsToSingle(0x2c340000), BitConverter.UInt32BitsToSingle(0x27c20000),
        BitConverter.UInt32BitsToSingle(0x22d3131a),
    ];

    /// <summary>The largest |x| whose reduction is exact (float32: 2^16 pi/2; float64: 2^20 pi/2, fdlibm's medium case).</summary>
    public static double TrigonometricRange(DType dtype) => dtype == DType.Float64 ? 1647099.3291652855 : 102943.70828408474;

    // fdlibm's k_sin.c and k_cos.c on [-pi/4, pi/4]: sin x ~ x + S1 x^3 + ... + S6 x^13, cos x ~ 1 - x^2/2 + C1 x^4 + ...
    // + C6 x^14, Remez errors below 2^-58.
    private const double SinS1 = -1.66666666666666324348e-01;
    private static readonly double[] SinS2To4 = [2.75573137070700676789e-06, -1.98412698298579493134e-04, 8.33333333332248946124e-03];
    private static readonly double[] SinS5To6 = [1.58969099521155010221e-10, -2.50507602534068634195e-08];
    private static readonly double[] CosC1To3 = [2.48015872894767294178e-05, -1.38888888888741095749e-03, 4.16666666666666019037e-02];
    private static readonly double[] CosC4To6 = [-1.13596475577881948265e-11, 2.08757232129817482790e-09, -2.75573143513906633035e-07];

    // fdlibm's k_tan.c: tan x ~ x + T0 x^3 + ... + T12 x^27 on [0, 0.67434], odd and even halves in w = x^4.
    private static readonly double[] TanOdd64 =
    [
        -1.85586374855275456654e-05, 7.81794442939557092300e-05, 5.88041240820264096874e-04, 3.59207910759131235356e-03,
        2.18694882948595424599e-02, 1.33333333333201242699e-01,
    ];
    private static readonly double[] TanEven64 =
    [
        2.59073051863633712884e-05, 7.14072491382608190305e-05, 2.46463134818469906812e-04, 1.45620945432529025516e-03,
        8.86323982359930005737e-03, 5.39682539762260521377e-02,
    ];
    private const double TanT0 = 3.33333333333334091986e-01;
    private const double Pio4 = 7.85398163397448278999e-01;
    private const double Pio4Low = 3.06161699786838301793e-17;

    // Cephes' sinf, cosf and tanf polynomials on [-pi/4, pi/4], in z = x^2, highest degree first.
    private static readonly double[] SinP32 = [-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1];
    private static readonly double[] CosP32 = [2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002];
    private static readonly double[] TanP32 = [9.38540185543E-3, 3.11992232697E-3, 2.44301354525E-2, 5.34112807005E-2, 1.33387994085E-1, 3.33331568548E-1];

    /// <summary>sin x: x - n pi/2 = r, then +-sin r or +-cos r by n mod 4. NaN for infinities and NaN; -0 kept.</summary>
    private static MathValue Sin(MathEmitter m, MathValue x) => SinOrCos(m, x, cosine: false);

    /// <summary>cos x: x - n pi/2 = r, then +-cos r or +-sin r by n mod 4. NaN for infinities and NaN.</summary>
    private static MathValue Cos(MathEmitter m, MathValue x) => SinOrCos(m, x, cosine: true);

    private static MathValue SinOrCos(MathEmitter m, MathValue x, bool cosine)
    {
        var f = FloatFormat.Of(x.DType);
        var (r, tail, n) = ReduceByHalfPi(m, x);
        var (sin, cos) = f.IsDouble ? (SinKernel64(m, r, tail), CosKernel64(m, r, tail)) : SinCosKernels32(m, r);
        // sin(r + n pi/2) cycles sin, cos, -sin, -cos; cos(r + n pi/2) is sin(r + (n + 1) pi/2).
        var quadrant = cosine ? n + 1 : n;
        var value = m.Where((quadrant & 1).Ne(0), cos, sin);
        var result = m.Where((quadrant & 2).Ne(0), -value, value);
        if (!cosine) result = m.Where(m.Abs(x) < f.Pick(Math.ScaleB(1, -12), Math.ScaleB(1, -27)), x, result);
        return m.Where(m.IsFinite(x), result, double.NaN);
    }

    /// <summary>tan x: x - n pi/2 = r, then tan r or -1 / tan r by the parity of n. NaN for infinities and NaN; -0 kept.</summary>
    private static MathValue Tan(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var (r, tail, n) = ReduceByHalfPi(m, x);
        var odd = (n & 1).Ne(0);
        MathValue result;
        if (f.IsDouble)
        {
            result = TanKernel64(m, r, tail, odd);
        }
        else
        {
            var z = r * r;
            var cubic = m.Horner(z, TanP32) * z * r;
            var tan = r + cubic;
            var tanLow = cubic - (tan - r);
            result = m.Where(odd, MinusReciprocal(m, tan, tanLow), tan);
        }
        result = m.Where(m.Abs(x) < f.Pick(Math.ScaleB(1, -12), Math.ScaleB(1, -28)), x, result);
        return m.Where(m.IsFinite(x), result, double.NaN);
    }

    /// <summary>
    /// x = n pi/2 + r + tail with |r| &lt;= ~pi/4: float64 by fdlibm's three rounds (each an exact product with a 33-bit
    /// part of pi/2 and a difference whose rounding error is tracked), exact while |n| &lt; 2^20; float32 by Cody-Waite with
    /// seven parts (tail 0), exact while |n| &lt; 2^16. Beyond, the reduced argument is clamped into [-pi/4, pi/4], so
    /// results stay finite (and bounded for sin and cos) while their error grows with |x|.
    /// </summary>
    private static (MathValue R, MathValue Tail, MathValue N) ReduceByHalfPi(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var finite = m.Where(m.IsFinite(x), x, 0);
        var n = m.RoundToEven(finite * TwoOverPi);
        MathValue r, tail;
        if (f.IsDouble)
        {
            // fdlibm runs the second and third rounds only when cancellation makes them necessary, and then the previous
            // round's difference was exact. Run unconditionally (no branch), each round keeps the rounding error of its
            // difference (Fast2Sum: exact, as the running remainder outweighs n times a part unless they cancel), and
            // the third carries the second's.
            var first = finite - n * Pio2First;
            var second = n * Pio2Second;
            var afterSecond = first - second;
            var secondError = (first - afterSecond) - second;
            var third = n * Pio2Third;
            r = afterSecond - third;
            var w = (n * Pio2ThirdTail - ((afterSecond - r) - third)) - secondError;
            var head = r - w;
            // Below an ulp of head within the range; bounded beyond it, where it would otherwise be huge.
            tail = m.Clamp((r - head) - w, -1e-9, 1e-9);
            r = head;
        }
        else
        {
            // The first two differences are exact (Sterbenz, and then few enough bits); the next three round at the
            // result's magnitude unless they cancel, so their rounding errors are kept (Fast2Sum) and added back with
            // the two smallest parts; near a multiple of pi/2 they cancel exactly, as sequential Cody-Waite needs.
            r = finite - n * Pio2Parts32[0] - n * Pio2Parts32[1];
            MathValue? errors = null;
            for (int i = 2; i < 5; i++)
            {
                var t = r;
                var w = n * Pio2Parts32[i];
                r = t - w;
                var error = (t - r) - w;
                errors = errors is { } e ? e + error : error;
            }
            r = r - ((n * Pio2Parts32[5] + n * Pio2Parts32[6]) - errors!.Value);
            tail = r.Like(0);
        }
        // Within the range |r| exceeds pi/4 by rounding only (n from the rounded x * 2/pi); the bound only matters beyond,
        // where it keeps the kernels finite.
        return (m.Clamp(r, -0.8, 0.8), tail, m.ToInteger(n));
    }

    // fdlibm's __kernel_sin(x, y, 1): sin(x + y) = x - ((z (y/2 - v r) - y) - v S1), z = x^2, v = z x.
    private static MathValue SinKernel64(MathEmitter m, MathValue x, MathValue y)
    {
        var z = x * x;
        var w = z * z;
        var r = m.Horner(z, SinS2To4) + z * w * m.Horner(z, SinS5To6);
        var v = z * x;
        return x - ((z * (0.5 * y - v * r) - y) - v * SinS1);
    }

    // fdlibm's __kernel_cos(x, y): cos(x + y) = w + (((1 - w) - x^2/2) + (x^2 r - x y)), w = 1 - x^2/2.
    private static MathValue CosKernel64(MathEmitter m, MathValue x, MathValue y)
    {
        var z = x * x;
        var w = z * z;
        var r = z * m.Horner(z, CosC1To3) + w * w * m.Horner(z, CosC4To6);
        var halfZ = 0.5 * z;
        var oneMinusHalfZ = 1.0 - halfZ;
        return oneMinusHalfZ + (((1.0 - oneMinusHalfZ) - halfZ) + (z * r - x * y));
    }

    // Cephes' sinf and cosf: x + x z P(z) and 1 - z/2 + z^2 Q(z), the latter as fdlibm's k_cos.c adds it: w = 1 - z/2
    // plus the rounding error of w.
    private static (MathValue Sin, MathValue Cos) SinCosKernels32(MathEmitter m, MathValue x)
    {
        var z = x * x;
        var halfZ = 0.5 * z;
        var oneMinusHalfZ = 1.0 - halfZ;
        var cos = oneMinusHalfZ + (((1.0 - oneMinusHalfZ) - halfZ) + m.Horner(z, CosP32) * z * z);
        return (m.Horner(z, SinP32) * z * x + x, cos);
    }

    /// <summary>
    /// fdlibm's __kernel_tan(x, y, k): the odd polynomial on [0, 0.67434]; above, tan(pi/4 - x') by the identity
    /// (1 - t)/(1 + t) rearranged; for -1/tan (odd quadrants) a division carried out with extra precision.
    /// </summary>
    private static MathValue TanKernel64(MathEmitter m, MathValue x, MathValue y, MathValue odd)
    {
        var negative = x < 0;
        var large = m.Abs(x) >= 0.6744;
        // Above 0.6744: x' = pi/4 - |x| (plus the tails), y' = 0.
        var reflected = (Pio4 - m.Where(negative, -x, x)) + (Pio4Low - m.Where(negative, -y, y));
        var xr = m.Where(large, reflected, x);
        var yr = m.Where(large, 0, y);

        var z = xr * xr;
        var w = z * z;
        var r = m.Horner(w, TanOdd64);
        var v = z * m.Horner(w, TanEven64);
        var s = z * xr;
        r = yr + z * (s * (r + v) + yr);
        r = r + TanT0 * s;
        var sum = xr + r;

        var sign = m.Where(odd, -1, 1, x.DType);
        var viaReflection = m.Where(negative, -1, 1, x.DType) * (sign - 2.0 * (xr - (sum * sum / (sum + sign) - r)));

        // sum + low = xr + r exactly.
        var low = r - (sum - xr);
        return m.Where(large, viaReflection, m.Where(odd, MinusReciprocal(m, sum, low), sum));
    }

    /// <summary>
    /// -1 / (high + low) for |low| much smaller than |high| (fdlibm's k_tan.c): with high parts of high and of
    /// a = -1/high whose product is exact (the low half of the mantissa cleared), the residual 1 + a' high' is exact and
    /// corrects a.
    /// </summary>
    private static MathValue MinusReciprocal(MathEmitter m, MathValue high, MathValue low)
    {
        var f = FloatFormat.Of(high.DType);
        long upperHalf = f.Pick(unchecked((long)0xFFFFF000), unchecked((long)0xFFFFFFFF00000000));
        var highHigh = m.FromBits(m.Bits(high) & upperHalf, f);
        var rest = low + (high - highHigh);
        var a = -1.0 / high;
        var aHigh = m.FromBits(m.Bits(a) & upperHalf, f);
        var residual = 1.0 + aHigh * highHigh;
        return aHigh + a * (residual + aHigh * rest);
    }

    // fdlibm's atan: breakpoints 7/16, 11/16, 19/16, 39/16; atan(hi) + atan(lo) parts per interval; odd (z = x^2) and
    // even (w = x^4) halves of the polynomial.
    private static readonly double[] AtanHi64 = [4.63647609000806093515e-01, 7.85398163397448278999e-01, 9.82793723247329054082e-01, 1.57079632679489655800e+00];
    private static readonly double[] AtanLo64 = [2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17, 6.12323399573676603587e-17];
    private static readonly double[] AtanOdd64 =
    [
        1.62858201153657823623e-02, 4.97687799461593236017e-02, 6.66107313738753120669e-02, 9.09088713343650656196e-02,
        1.42857142725034663711e-01, 3.33333333333329318027e-01,
    ];
    private static readonly double[] AtanEven64 =
    [
        -3.65315727442169155270e-02, -5.83357013379057348645e-02, -7.69187620504482999495e-02, -1.11111104054623557880e-01,
        -1.99999999998764832476e-01,
    ];
    private static readonly double[] AtanHi32 = [4.6364760399e-01, 7.8539812565e-01, 9.8279368877e-01, 1.5707962513e+00];
    private static readonly double[] AtanLo32 = [5.0121582440e-09, 3.7748947079e-08, 3.4473217170e-08, 7.5497894159e-08];
    private static readonly double[] AtanOdd32 = [6.1687607318e-02, 1.4253635705e-01, 3.3333328366e-01];
    private static readonly double[] AtanEven32 = [-1.0648017377e-01, -1.9999158382e-01];

    /// <summary>
    /// atan a for a &gt;= 0 (fdlibm): reduced by the interval of a to t = (A a - C) / (C a + A), which is a, (2a - 1) / (a + 2),
    /// (a - 1) / (a + 1), (a - 1.5) / (1.5 a + 1) or -1 / a, then atan(hi) - ((t P(t^2) - atan(lo)) - t).
    /// </summary>
    private static MathValue Atan(MathEmitter m, MathValue a)
    {
        var f = FloatFormat.Of(a.DType);
        a = m.Min(a, f.Pick(Math.ScaleB(1, 26), Math.ScaleB(1, 66)));
        MathValue Pick(double below7Over16, double below11Over16, double below19Over16, double below39Over16, double above) =>
            m.Where(a < 0.4375, a.Like(below7Over16), m.Where(a < 0.6875, a.Like(below11Over16),
                m.Where(a < 1.1875, a.Like(below19Over16), m.Where(a < 2.4375, below39Over16, a.Like(above)))));
        var hi = f.Pick(AtanHi32, AtanHi64);
        var lo = f.Pick(AtanLo32, AtanLo64);
        var coefficientA = Pick(1, 2, 1, 1, 0);
        var coefficientC = Pick(0, 1, 1, 1.5, 1);
        var t = (coefficientA * a - coefficientC) / (coefficientC * a + coefficientA);
        var z = t * t;
        var w = z * z;
        var series = z * m.Horner(w, f.Pick(AtanOdd32, AtanOdd64)) + w * m.Horner(w, f.Pick(AtanEven32, AtanEven64));
        return Pick(0, hi[0], hi[1], hi[2], hi[3]) - ((t * series - Pick(0, lo[0], lo[1], lo[2], lo[3])) - t);
    }

    /// <summary>
    /// atan2(y, x), the angle of the point (x, y) (C's argument order; the primitive's first operand is y), as fdlibm's
    /// atan2: z = atan |y / x| (pi/2 when |y / x| &gt; 2^60, 0 when it is below 2^-60 and x &lt; 0), then by the signs
    /// z, -z, pi - z or z - pi with pi's low part; zeros, infinities and NaN as C specifies.
    /// </summary>
    private static MathValue Atan2(MathEmitter m, MathValue y, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        double pi = f.Pick(3.1415927410e+00, 3.1415926535897931160E+00);
        double piLow = f.Pick(-8.7422776573e-08, 1.2246467991473531772E-16);
        double halfPi = f.Pick(1.5707963705e+00, 1.5707963267948965580E+00);
        double quarterPi = f.Pick(7.8539818525e-01, 7.8539816339744827900E-01);
        int far = f.Pick(26, 60);

        var ax = m.Abs(x);
        var ay = m.Abs(y);
        var exponentGap = (m.Bits(ay) >> f.MantissaBits) - (m.Bits(ax) >> f.MantissaBits);
        var negativeX = m.SignBit(x);
        var negativeY = m.SignBit(y);
        var veryFar = exponentGap > far;
        var z = m.Where(veryFar, halfPi + 0.5 * piLow, m.Where(negativeX & (exponentGap < -far), 0, Atan(m, ay / ax)));
        var result = m.Where(negativeX & !veryFar,
            m.Where(negativeY, (z - piLow) - pi, pi - (z - piLow)),
            m.Where(negativeY, -z, z));

        MathValue Signed(double magnitude) => m.Where(negativeY, -magnitude, magnitude, x.DType);
        var infiniteX = ax.Eq(double.PositiveInfinity);
        var infiniteY = ay.Eq(double.PositiveInfinity);
        result = m.Where(infiniteY, Signed(halfPi), result);
        result = m.Where(infiniteX, m.Where(infiniteY,
            m.Where(negativeX, Signed(3.0 * quarterPi), Signed(quarterPi)),
            m.Where(negativeX, Signed(pi), m.CopySign(x.Like(0), y))), result);
        result = m.Where(ax.Eq(0), Signed(halfPi), result);
        result = m.Where(ay.Eq(0), m.Where(negativeX, Signed(pi), y), result);
        return m.Where(m.IsNaN(x) | m.IsNaN(y), x + y, result);
    }
}
