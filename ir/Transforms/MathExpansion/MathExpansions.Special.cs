namespace JaxToolchain.Ir;

// erf, erf_inv, lgamma, digamma: the algorithms and coefficients of the interpreter's SpecialFunctions (XLA's, and
// Cephes' float64 erf), which stay the reference; here every branch is computed and selected, the fused multiply-adds
// are a multiplication and an addition, and log, log1p, exp, sin and cos are the expansions (or kept primitives).
internal static partial class MathExpansions
{
    /// <summary>
    /// erf. float32: Eigen's rational x P(x^2) / Q(x^2) (XLA's), +-1 from |x| = 3.8325 on. float64: Cephes', x T(x^2) /
    /// U(x^2) below 1 and 1 - e^(-x^2) P(|x|) / Q(|x|) (R / S from 8 on) with the sign of x above. NaN gives NaN.
    /// </summary>
    private static MathValue Erf(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        if (!f.IsDouble)
        {
            const double saturation = SpecialFunctions.ErfSaturation;
            var clamped = m.Clamp(x, -saturation, saturation);
            var square = clamped * clamped;
            var rational = clamped * m.Horner(square, MathEmitter.Widened(SpecialFunctions.ErfAlpha))
                / m.Horner(square, MathEmitter.Widened(SpecialFunctions.ErfBeta));
            var saturated = m.Where(m.Abs(x) >= saturation, m.Where(x < 0, -1, 1, x.DType), rational);
            return m.Where(m.IsNaN(x), x, saturated);
        }
        var z = x * x;
        var belowOne = x * m.Horner(z, SpecialFunctions.ErfT) / m.Horner(z, SpecialFunctions.ErfU);
        var a = m.Min(m.Abs(x), 27);
        var minusSquare = -a * a;
        var belowEight = a < 8;
        var ratio = m.Horner(a, Selected(m, f.DType, belowEight, SpecialFunctions.ErfcP, SpecialFunctions.ErfcR))
            / m.Horner(a, Selected(m, f.DType, belowEight, SpecialFunctions.ErfcQ, SpecialFunctions.ErfcS));
        var complement = m.Where(minusSquare < -SpecialFunctions.MaxLog, 0, m.Call(Prims.Exp, minusSquare) * ratio);
        var aboveOne = m.CopySign(1.0 - complement, x);
        return m.Where(m.Abs(x) < 1, belowOne, m.Where(m.IsNaN(x), x, aboveOne));
    }

    /// <summary>
    /// erfc, as the interpreter's <see cref="SpecialFunctions.Erfc(double)"/>: 1 - x T(x^2) below |x| = 1/2 (float64: x
    /// T(x^2) / U(x^2)); e^(-x^2) p(|x| - 3/4) up to 1; above, e^(-x^2) (1/x) P(1/x^2) (R from 2 on; float64: e^(-x^2)
    /// P(|x|) / Q(|x|), R / S from 8 on), with e^(-x^2) as e^(-h^2) e^(-(x - h)(x + h)) for h = |x| with its low
    /// mantissa bits cleared (h^2 exact), and 2 - erfc(|x|) for negative x. |x| is clamped where erfc underflows to 0.
    /// NaN gives NaN.
    /// </summary>
    private static MathValue Erfc(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        var square = x * x;
        var central = f.IsDouble
            ? 1.0 - x * m.Horner(square, SpecialFunctions.ErfT) / m.Horner(square, SpecialFunctions.ErfU)
            : 1.0 - x * m.Horner(square, MathEmitter.Widened(SpecialFunctions.ErfT32));
        var a = m.Min(m.Abs(x), f.IsDouble ? SpecialFunctions.ErfcUnderflow64 : SpecialFunctions.ErfcUnderflow32);
        var mask = f.IsDouble ? SpecialFunctions.ErfcSplitMask64 : SpecialFunctions.ErfcSplitMask32;
        var h = m.FromBits(m.Bits(a) & mask, f);
        var e = m.Call(Prims.Exp, -(h * h)) * m.Call(Prims.Exp, -((a - h) * (a + h)));
        var middle = e * m.Horner(a - 0.75, f.IsDouble ? SpecialFunctions.ErfcxMiddle64 : MathEmitter.Widened(SpecialFunctions.ErfcxMiddle32));
        MathValue tail;
        if (f.IsDouble)
        {
            var belowEight = a < 8;
            tail = e * m.Horner(a, Selected(m, f.DType, belowEight, SpecialFunctions.ErfcP, SpecialFunctions.ErfcR))
                / m.Horner(a, Selected(m, f.DType, belowEight, SpecialFunctions.ErfcQ, SpecialFunctions.ErfcS));
        }
        else
        {
            var q = 1.0 / a;
            var coefficients = Selected(m, f.DType, a < 2, MathEmitter.Widened(SpecialFunctions.ErfcP32), MathEmitter.Widened(SpecialFunctions.ErfcR32));
            tail = e * q * m.Horner(q * q, coefficients);
        }
        var magnitude = m.Where(a < 1, middle, tail);
        var outer = m.Where(x < 0, 2.0 - magnitude, magnitude);
        return m.Where(m.Abs(x) < 0.5, central, m.Where(m.IsNaN(x), x, outer));
    }

    /// <summary>
    /// erf_inv (XLA's ErfInv32/ErfInv64, Giles' approximations): w = -log(1 - x^2), then a polynomial in w - 2.5 or
    /// sqrt(w) - 3 (float64: w - 3.125, sqrt(w) - 3.25 or sqrt(w) - 5) chosen by w, times x; the polynomials' coefficients
    /// are selected per element, so one is evaluated. +-1 gives +-inf; |x| &gt; 1 and NaN give NaN.
    /// </summary>
    private static MathValue ErfInv(MathEmitter m, MathValue x)
    {
        var f = FloatFormat.Of(x.DType);
        // w = -log(1 - x^2). XLA computes -log1p(-x*x), whose rounding of x*x costs up to 2^-p / (1 - x^2) relative near
        // +-1 (10^6 ulps in float64 at 1 - 10^-8); from |x| = 1/2 on, (1 - |x|) is exact and (1 - |x|)(1 + |x|) within an
        // ulp, so log of it is accurate.
        var a = m.Abs(x);
        var w = -m.Where(a < 0.5, m.Call(Prims.Log1p, -x * x), m.Call(Prims.Log, (1.0 - a) * (1.0 + a)));
        var root = m.Sqrt(w);
        MathValue p;
        if (!f.IsDouble)
        {
            var central = w < 5;
            var coefficients = Selected(m, f.DType, central, MathEmitter.Widened(SpecialFunctions.ErfInvW5), MathEmitter.Widened(SpecialFunctions.ErfInvWTail));
            p = m.Horner(m.Where(central, w - 2.5, root - 3.0), coefficients);
        }
        else
        {
            var central = w < 6.25;
            var middle = w < 16;
            var argument = m.Where(central, w - 3.125, m.Where(middle, root - 3.25, root - 5.0));
            var tail = Selected(m, f.DType, middle, SpecialFunctions.ErfInvW16, SpecialFunctions.ErfInvWTail64);
            var coefficients = Selected(m, f.DType, central, m.Constants(f.DType, SpecialFunctions.ErfInvW625), tail);
            p = m.Horner(argument, coefficients);
        }
        return m.Where(a.Eq(1), x * double.PositiveInfinity, m.Where(a > 1, double.NaN, p * x));
    }

    private const double HalfLog2Pi = 0.91893853320467274178;
    private static readonly double LogPi = Math.Log(Math.PI);

    /// <summary>
    /// lgamma = log |Gamma(x)| (XLA's Lgamma): Lanczos' approximation (g = 7, n = 9) of lgamma(z + 1), z = x - 1, and
    /// for x &lt; 0.5 the reflection log(pi) - lgamma(1 - x) - log |sin(pi frac|x|)|; -log|x| for tiny |x|, 0 at 1 and 2.
    /// Poles and infinities give +inf, NaN gives NaN.
    /// </summary>
    private static MathValue Lgamma(MathEmitter m, MathValue x)
    {
        var reflect = x < 0.5;
        var z = m.Where(reflect, -x, x - 1.0);
        var a = z.Like(SpecialFunctions.LanczosBase);
        var coefficients = SpecialFunctions.LanczosCoefficients;
        for (int k = 1; k <= coefficients.Length; k++) a = a + coefficients[k - 1] / (z + k);
        var (logT, t) = LanczosLogT(m, z);
        // (z + 1/2) log t - t, written (z + 1/2 - t / log t) log t so that it does not overflow.
        var lgamma = (z + 0.5 - t / logT) * logT + HalfLog2Pi + m.Call(Prims.Log, a);

        var absX = m.Abs(x);
        var fraction = absX - m.Floor(absX);
        fraction = m.Where(fraction > 0.5, 1.0 - fraction, fraction);
        var logSin = m.Call(Prims.Log, m.Call(Prims.Sin, Math.PI * fraction));
        var reflected = m.Where(m.IsFinite(logSin), LogPi - logSin - lgamma, -logSin);
        var result = m.Where(reflect, reflected, lgamma);
        // lgamma x = -log|x| - gamma x + O(x^2): for tiny |x| the first term alone is exact to well below an ulp, and
        // pi x would lose precision to the subnormals.
        var f = FloatFormat.Of(x.DType);
        result = m.Where(absX < f.Pick(Math.ScaleB(1, -24), Math.ScaleB(1, -53)), -m.Call(Prims.Log, absX), result);
        // The zeros at 1 and 2 exactly (Lanczos' sum leaves a few ulps of 1 there).
        result = m.Where(x.Eq(1) | x.Eq(2), 0, result);
        return m.Where(absX.Eq(double.PositiveInfinity), double.PositiveInfinity, result);
    }

    /// <summary>
    /// digamma = Gamma'/Gamma (XLA's Digamma): log t + A'(z)/A(z) - g/t from Lanczos' approximation, and for x &lt; 0.5
    /// the reflection psi(1 - x) - pi cot(pi x), with x shifted into [-1/2, 1/2] first. psi(+-0) = -inf, negative
    /// integers and -inf give NaN, +inf gives +inf.
    /// </summary>
    private static MathValue Digamma(MathEmitter m, MathValue x)
    {
        var reflect = x < 0.5;
        var z = m.Where(reflect, -x, x - 1.0);
        var a = z.Like(SpecialFunctions.LanczosBase);
        var derivative = z.Like(0);
        var coefficients = SpecialFunctions.LanczosCoefficients;
        for (int k = 1; k <= coefficients.Length; k++)
        {
            var zk = z + k;
            derivative = derivative - coefficients[k - 1] / (zk * zk);
            a = a + coefficients[k - 1] / zk;
        }
        var (logT, t) = LanczosLogT(m, z);
        var psi = logT + derivative / a - SpecialFunctions.LanczosG / t;

        var r = x + m.Abs(m.Floor(x + 0.5));
        var reflected = psi - Math.PI * m.Call(Prims.Cos, Math.PI * r) / m.Call(Prims.Sin, Math.PI * r);
        var result = m.Where(reflect, reflected, psi);
        result = m.Where((x < 0) & x.Eq(m.Floor(x)), double.NaN, result);
        return m.Where(x.Eq(0), double.NegativeInfinity, result);
    }

    // log t for t = z + g + 1/2, as log(g + 1/2) + log1p(z / (g + 1/2)) (XLA's form; the division a multiplication).
    private static (MathValue LogT, MathValue T) LanczosLogT(MathEmitter m, MathValue z)
    {
        const double gPlusHalf = SpecialFunctions.LanczosG + 0.5;
        return (Math.Log(gPlusHalf) + m.Call(Prims.Log1p, z * (1.0 / gPlusHalf)), gPlusHalf + z);
    }

    /// <summary>
    /// Coefficients chosen per element: <paramref name="whenTrue"/>'s where the condition holds, else
    /// <paramref name="whenFalse"/>'s, the shorter list padded with leading zeros (which Horner's rule passes through
    /// exactly, its argument being finite wherever the padded list is chosen).
    /// </summary>
    private static MathValue[] Selected(MathEmitter m, DType dtype, MathValue condition, IReadOnlyList<MathValue> whenTrue, IReadOnlyList<MathValue> whenFalse)
    {
        int length = Math.Max(whenTrue.Count, whenFalse.Count);
        MathValue At(IReadOnlyList<MathValue> list, int i) => i < length - list.Count ? m.Constant(dtype, 0) : list[i - (length - list.Count)];
        return Enumerable.Range(0, length).Select(i => m.Where(condition, At(whenTrue, i), At(whenFalse, i))).ToArray();
    }

    /// <summary><see cref="Selected(MathEmitter, DType, MathValue, IReadOnlyList{MathValue}, IReadOnlyList{MathValue})"/> of constant lists.</summary>
    private static MathValue[] Selected(MathEmitter m, DType dtype, MathValue condition, ReadOnlySpan<double> whenTrue, ReadOnlySpan<double> whenFalse) =>
        Selected(m, dtype, condition, m.Constants(dtype, whenTrue), m.Constants(dtype, whenFalse));
}
