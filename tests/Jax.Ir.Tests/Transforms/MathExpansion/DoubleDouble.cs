using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>
/// Double-double arithmetic (an unevaluated sum hi + lo, about 106 bits) for reference values that are correctly
/// rounded to float64 in all but astronomically rare cases: exp by Cody-Waite reduction with a double-double ln 2 and
/// a Taylor series, log by a Newton step on <see cref="Math.Log"/>. Error-free sums and products (Knuth's TwoSum,
/// the fused multiply-add product) as in Dekker's and Bailey's libraries.
/// </summary>
internal readonly record struct DoubleDouble(double Hi, double Lo)
{
    private static readonly DoubleDouble Ln2 = new(0.6931471805599453, 2.3190468138462996e-17);

    public static implicit operator DoubleDouble(double x) => new(x, 0);

    /// <summary>The nearest double.</summary>
    public double Value => Hi + Lo;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var (s, e) = TwoSum(a.Hi, b.Hi);
        if (!double.IsFinite(s)) return s;
        var (t, f) = TwoSum(a.Lo, b.Lo);
        e += t;
        (s, e) = FastTwoSum(s, e);
        e += f;
        return FastTwoSum(s, e);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        double p = a.Hi * b.Hi;
        if (!double.IsFinite(p)) return p;
        double e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p) + (a.Hi * b.Lo + a.Lo * b.Hi);
        return FastTwoSum(p, e);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        if (!double.IsFinite(q1) || !double.IsFinite(b.Hi)) return q1;
        var r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return FastTwoSum(q1, q2) + q3;
    }

    /// <summary>e^x (x a double); 0 or infinity beyond the float64 range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble Exp(DoubleDouble x)
    {
        if (double.IsNaN(x.Hi)) return double.NaN;
        if (x.Hi > 710) return double.PositiveInfinity;
        if (x.Hi < -746) return 0;
        double k = Math.Round(x.Hi / Ln2.Hi);
        var r = x - Ln2 * k;
        var result = ExpTaylor(r);
        // Scale in two steps so that subnormal results round once (in Value).
        double half = Math.Floor(k / 2);
        return new DoubleDouble(result.Hi * Math.ScaleB(1, (int)half), result.Lo * Math.ScaleB(1, (int)half)) * Math.ScaleB(1, (int)(k - half));
    }

    /// <summary>2^x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble Exp2(double x) => Exp(Ln2 * x);

    /// <summary>e^x - 1 without cancellation near 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble Expm1(DoubleDouble x) =>
        Math.Abs(x.Hi) < 0.5 ? ExpTaylor(x) - 1 : Exp(x) - 1;

    /// <summary>log x for x &gt; 0: x = 2^e m with m in [1, 2), e ln 2 + one Newton step y + m e^-y - 1 from y = <see cref="Math.Log"/>(m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DoubleDouble Log(DoubleDouble x)
    {
        if (!(x.Hi > 0) || double.IsPositiveInfinity(x.Hi)) return Math.Log(x.Hi);
        int e = Math.ILogB(x.Hi);
        var m = new DoubleDouble(Math.ScaleB(x.Hi, -e), Math.ScaleB(x.Lo, -e));
        double y = Math.Log(m.Hi);
        return Ln2 * e + (y + (m * Exp(-y) - 1));
    }

    // 1/n! for n = 1..27, highest first.
    private static readonly DoubleDouble[] InverseFactorials = Enumerable.Range(1, 27)
        .Select(n => Enumerable.Range(1, n).Aggregate((DoubleDouble)1, (p, k) => p / k)).Reverse().ToArray();

    // Sum of r^n / n! for |r| <= 0.5 by Horner's rule: 27 terms leave less than 2^-110.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DoubleDouble ExpTaylor(DoubleDouble r)
    {
        DoubleDouble sum = 0;
        foreach (var c in InverseFactorials) sum = (sum + c) * r;
        return sum + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double S, double E) TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        return (s, (a - (s - bb)) + (b - bb));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DoubleDouble FastTwoSum(double a, double b)
    {
        double s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }
}
