using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>
/// One function of the accuracy table: its primitive, a float64 reference (correctly rounded or within the stated
/// error of its own), the float32/float64 samples (float16 and bfloat16 take every value) and the error measure.
/// </summary>
internal sealed record MathFunction(
    string Name,
    Primitive Primitive,
    Func<double[], double> Reference,
    Func<DType, Random, IEnumerable<double>[]> Samples,
    ErrorMeasure Measure = ErrorMeasure.Ulps,
    Func<double, bool>? Domain = null)
{
    /// <summary>The number of operands.</summary>
    public int Arity => Samples(DType.Float32, new Random(0)).Length;

    /// <summary>The samples for a dtype: every 16-bit value (random pairs for two operands), else the function's own.</summary>
    public double[][] SamplesFor(DType dtype, int seed)
    {
        var random = new Random(seed);
        if (dtype is DType.Float16 or DType.BFloat16)
        {
            var every = MathSamples.Every16Bit(dtype).Where(Domain ?? (_ => true)).ToArray();
            return Arity == 1 ? [every] : Enumerable.Range(0, Arity).Select(_ => every.OrderBy(_ => random.Next()).ToArray()).ToArray();
        }
        return Samples(dtype, random).Select(column => column.ToArray()).ToArray();
    }

    public override string ToString() => Name;
}

/// <summary>The functions of the accuracy table and their references.</summary>
internal static class MathFunctions
{
    /// <summary>Samples per float32/float64 measurement (a few more with the edges).</summary>
    public const int Count = 1 << 16;

    private static IEnumerable<double>[] Unary(DType dtype, Random random, IEnumerable<double> specific) =>
        [MathSamples.RandomBits(dtype, Count / 8, random).Concat(MathSamples.Edges(dtype)).Concat(specific)];

    private static bool IsFloat32(DType dtype) => dtype == DType.Float32;

    public static readonly MathFunction Exp = new("exp", Prims.Exp, x => DoubleDouble.Exp(x[0]).Value, (d, r) => Unary(d, r,
        MathSamples.Uniform(IsFloat32(d) ? -104 : -746, IsFloat32(d) ? 89 : 710, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 4, r)))
            .Concat(MathSamples.Around(d, IsFloat32(d)
                ? [88.72283905206835, -87.33654475055310, -103.97208142333, -103.27893424277]
                : [709.782712893384, -708.3964185322641, -745.1332191019411, -744.44007192138126]))));

    public static readonly MathFunction Exp2 = new("exp2", Prims.Exp2, x => DoubleDouble.Exp2(x[0]).Value, (d, r) => Unary(d, r,
        MathSamples.Uniform(IsFloat32(d) ? -151 : -1076, IsFloat32(d) ? 129 : 1025, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 4, r)))
            .Concat(MathSamples.Around(d, Enumerable.Range(-1080, 2110).Select(i => (double)i), 1))));

    public static readonly MathFunction Expm1 = new("expm1", Prims.Expm1, x => DoubleDouble.Expm1(x[0]).Value, (d, r) => Unary(d, r,
        MathSamples.Uniform(IsFloat32(d) ? -20 : -40, IsFloat32(d) ? 89 : 710, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 4, r)))
            .Concat(MathSamples.Around(d, MathSamples.Signed([0.5 * Math.Log(2), 1.5 * Math.Log(2), 20 * Math.Log(2), 23 * Math.Log(2), 56 * Math.Log(2)])))));

    public static readonly MathFunction Log = new("log", Prims.Log, x => DoubleDouble.Log(x[0]).Value, (d, r) => Unary(d, r,
        MathSamples.LogUniform(IsFloat32(d) ? float.Epsilon : double.Epsilon, IsFloat32(d) ? float.MaxValue : double.MaxValue, Count / 2, r)
            .Concat(MathSamples.Uniform(0.5, 2, Count / 4, r))
            .Concat(MathSamples.Around(d, [1, Math.Sqrt(2), Math.Sqrt(0.5)], 20))));

    public static readonly MathFunction Log1p = new("log1p", Prims.Log1p, x => DoubleDouble.Log(1 + (DoubleDouble)x[0]).Value, (d, r) => Unary(d, r,
        MathSamples.Uniform(-1, 1, Count / 4, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 4, r)))
            .Concat(MathSamples.LogUniform(1, IsFloat32(d) ? float.MaxValue : double.MaxValue, Count / 8, r))
            .Concat(MathSamples.Around(d, [-1, -0.29289321881345254, 0.41421356237309503], 20))));

    public static readonly MathFunction Tanh = new("tanh", Prims.Tanh, x => ReferenceTanh(x[0]), (d, r) => Unary(d, r,
        MathSamples.Uniform(IsFloat32(d) ? -10 : -25, IsFloat32(d) ? 10 : 25, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 4, r)))
            .Concat(MathSamples.Around(d, MathSamples.Signed([1, 9, 22, Math.ScaleB(1, -12), Math.ScaleB(1, -28)])))));

    public static readonly MathFunction Logistic = new("logistic", Prims.Logistic, x => ReferenceLogistic(x[0]), (d, r) => Unary(d, r,
        MathSamples.Uniform(IsFloat32(d) ? -110 : -750, IsFloat32(d) ? 110 : 750, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 100, Count / 4, r)))));

    // Dense in the range, log-uniform from tiny to the range, every float near the first multiples of pi/2 and near
    // the multiples that floats come closest to.
    private static IEnumerable<double>[] TrigonometricSamples(DType d, Random r)
    {
        double range = MathExpansions.TrigonometricRange(d);
        var nearMultiples = Enumerable.Range(1, 2000).Concat([33433, 66866, 30583, 161, 322, 644, 1288, 2576, 5152, 10304])
            .Concat(Enumerable.Range(0, 500).Select(_ => r.Next(1, 1 << 16)))
            .Select(k => k * Math.PI / 2).Where(v => v < range);
        return Unary(d, r, MathSamples.Uniform(-range, range, Count / 4, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, range, Count / 4, r)))
            .Concat(MathSamples.Signed(MathSamples.Around(d, nearMultiples, 4)))
            .Concat(MathSamples.Uniform(-10, 10, Count / 8, r)))
            .Select(column => column.Where(v => !(Math.Abs(v) > range))).ToArray();
    }

    // bfloat16 reaches beyond the float32 range of exact reduction; its measurement stays inside it.
    private static bool WithinFloat32Range(double x) => !(Math.Abs(x) > MathExpansions.TrigonometricRange(DType.Float32));

    public static readonly MathFunction Sin = new("sin", Prims.Sin, x => Math.Sin(x[0]), TrigonometricSamples, Domain: WithinFloat32Range);
    public static readonly MathFunction Cos = new("cos", Prims.Cos, x => Math.Cos(x[0]), TrigonometricSamples, Domain: WithinFloat32Range);
    public static readonly MathFunction Tan = new("tan", Prims.Tan, x => Math.Tan(x[0]), TrigonometricSamples, Domain: WithinFloat32Range);

    public static readonly MathFunction Atan2 = new("atan2", Prims.Atan2, p => Math.Atan2(p[0], p[1]), (d, r) =>
    {
        var edges = MathSamples.Edges(d).ToArray();
        var pairs = MathSamples.RandomBits(d, Count / 4, r).Zip(MathSamples.RandomBits(d, Count / 4, r))
            .Concat(MathSamples.LogUniform(1e-30, 1e30, Count / 4, r).Select(radius => (radius, angle: r.NextDouble() * 2 * Math.PI))
                .Select(p => (p.radius * Math.Sin(p.angle), p.radius * Math.Cos(p.angle))))
            .Concat(MathSamples.Uniform(-2, 2, Count / 4, r).Zip(MathSamples.Uniform(-2, 2, Count / 4, r)))
            .Concat(edges.SelectMany(y => edges.Select(x => (y, x))))
            .ToArray();
        return [pairs.Select(p => p.Item1), pairs.Select(p => p.Item2)];
    });

    public static readonly MathFunction Pow = new("pow", Prims.Pow, p => ReferencePow(p[0], p[1]), (d, r) =>
    {
        var edges = MathSamples.Edges(d).Concat(MathSamples.Signed([0.5, 1.5, 3, 4, 5, Math.ScaleB(1, 53), Math.ScaleB(1, 53) + 2, 1e300])).ToArray();
        var pairs = MathSamples.LogUniform(1e-30, 1e30, Count / 4, r).Zip(MathSamples.Uniform(-20, 20, Count / 4, r))
            .Concat(MathSamples.Uniform(0.5, 2, Count / 8, r).Zip(MathSamples.Uniform(-1000, 1000, Count / 8, r)))
            .Concat(MathSamples.LogUniform(1e-3, 1e3, Count / 8, r).Select(x => -x).Zip(Enumerable.Range(0, Count / 8).Select(_ => (double)r.Next(-60, 61))))
            .Concat(Enumerable.Range(0, Count / 16).Select(_ => (1 + (r.NextDouble() - 0.5) * Math.ScaleB(1, -18), (r.NextDouble() - 0.5) * 1e9)))
            .Concat(MathSamples.RandomBits(d, Count / 8, r).Zip(MathSamples.RandomBits(d, Count / 8, r)))
            .Concat(Enumerable.Range(2, 19).SelectMany(x => Enumerable.Range(0, 31).Select(y => ((double)x, (double)y))))
            .Concat(edges.SelectMany(x => edges.Select(y => (x, y))))
            .ToArray();
        return [pairs.Select(p => p.Item1), pairs.Select(p => p.Item2)];
    });

    public static readonly MathFunction Cbrt = new("cbrt", Prims.Cbrt, x => ReferenceCbrt(x[0]), (d, r) => Unary(d, r,
        MathSamples.Signed(MathSamples.LogUniform(IsFloat32(d) ? float.Epsilon : double.Epsilon, IsFloat32(d) ? float.MaxValue : double.MaxValue, Count / 2, r))
            .Concat(MathSamples.Around(d, Enumerable.Range(1, 200).Select(i => (double)i * i * i), 2))));

    public static readonly MathFunction Erf = new("erf", Prims.Erf, x => Libm.Erf(x[0]), (d, r) => Unary(d, r,
        MathSamples.Uniform(-6, 6, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 4, r)))
            .Concat(MathSamples.Around(d, MathSamples.Signed([1, 8, 3.832506856900711]), 5))));

    /// <summary>erfc over its whole range: the tail down to the subnormals and past the underflow, and the negative side.</summary>
    public static readonly MathFunction Erfc = new("erfc", Prims.Erfc, x => Libm.Erfc(x[0]), (d, r) => Unary(d, r,
        MathSamples.Uniform(-6, IsFloat32(d) ? 11 : 28, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 8, r)))
            .Concat(MathSamples.Uniform(IsFloat32(d) ? 8 : 25, IsFloat32(d) ? 10.5 : 28, Count / 8, r))
            .Concat(MathSamples.Around(d, MathSamples.Signed([0.5, 1, 2, 8, 10.5, 28]), 5))));

    public static readonly MathFunction ErfInv = new("erf_inv", Prims.Erfinv, x => ReferenceErfInv(x[0]), (d, r) => Unary(d, r,
        MathSamples.Uniform(-1, 1, Count / 2, r)
            .Concat(MathSamples.Signed(MathSamples.LogUniform(1e-30, 1, Count / 8, r)))
            .Concat(MathSamples.Signed(MathSamples.LogUniform(IsFloat32(d) ? 1e-7 : 1e-16, 0.5, Count / 8, r).Select(e => 1 - e)))
            .Concat(MathSamples.Around(d, MathSamples.Signed([1]), 5))));

    // lgamma and digamma are measured apart on the positive and the negative axis: below 0.5 both use a reflection
    // formula whose terms cancel near the zeros next to each pole.
    private static IEnumerable<double>[] PositiveGammaSamples(DType d, Random r) =>
        [MathSamples.LogUniform(IsFloat32(d) ? float.Epsilon : double.Epsilon, IsFloat32(d) ? float.MaxValue : double.MaxValue, Count / 4, r)
            .Concat(MathSamples.Uniform(0, 20, Count / 4, r))
            .Concat(MathSamples.Uniform(0.5, 3, Count / 8, r))
            .Concat(MathSamples.Around(d, Enumerable.Range(1, 30).Select(i => (double)i).Concat([1.4616321449683622]), 3))
            .Concat(MathSamples.Edges(d).Where(v => !(v < 0)))];

    private static IEnumerable<double>[] NegativeGammaSamples(DType d, Random r) =>
        [MathSamples.Uniform(-20, 0, Count / 4, r)
            .Concat(MathSamples.Uniform(-1000, 0, Count / 8, r))
            .Concat(MathSamples.LogUniform(IsFloat32(d) ? float.Epsilon : double.Epsilon, IsFloat32(d) ? 1e6 : 1e15, Count / 8, r).Select(v => -v))
            .Concat(MathSamples.Around(d, Enumerable.Range(1, 30).Select(i => -i + 0.5), 3))
            .Concat(MathSamples.Edges(d).Where(v => !(v > 0)))];

    private static bool Positive(double x) => !(x < 0);

    private static bool Negative(double x) => !(x > 0);

    /// <summary>lgamma on x &gt;= 0, measured in ulps of max(|lgamma|, 1) (absolute near its zeros at 1 and 2).</summary>
    public static readonly MathFunction Lgamma = new("lgamma x>=0", Prims.Lgamma, x => Libm.LgammaR(x[0], out _), PositiveGammaSamples, ErrorMeasure.UlpsOfMaxOne, Positive);

    /// <summary>lgamma on x &lt;= 0 (down to -1000 and a few huge values), in ulps of max(|lgamma|, 1).</summary>
    public static readonly MathFunction LgammaNegative = new("lgamma x<=0", Prims.Lgamma, x => Libm.LgammaR(x[0], out _), NegativeGammaSamples, ErrorMeasure.UlpsOfMaxOne, Negative);

    /// <summary>digamma on x &gt;= 0, in ulps of max(|digamma|, 1).</summary>
    public static readonly MathFunction Digamma = new("digamma x>=0", Prims.Digamma, x => ReferenceDigamma(x[0]), PositiveGammaSamples, ErrorMeasure.UlpsOfMaxOne, Positive);

    /// <summary>digamma on x &lt;= 0, in ulps of max(|digamma|, 1).</summary>
    public static readonly MathFunction DigammaNegative = new("digamma x<=0", Prims.Digamma, x => ReferenceDigamma(x[0]), NegativeGammaSamples, ErrorMeasure.UlpsOfMaxOne, Negative);

    /// <summary>Every function of the table.</summary>
    public static readonly MathFunction[] All = [Exp, Exp2, Expm1, Log, Log1p, Tanh, Logistic, Sin, Cos, Tan, Atan2, Pow, Cbrt, Erf, Erfc, ErfInv, Lgamma, LgammaNegative, Digamma, DigammaNegative];

    /// <summary>The function of a name.</summary>
    public static MathFunction Named(string name) => All.Single(f => f.Name == name);

    // tanh |x| = -expm1(-2|x|) / (2 + expm1(-2|x|)), in double-double.
    private static double ReferenceTanh(double x)
    {
        if (double.IsNaN(x)) return x;
        var e = DoubleDouble.Expm1(-2 * Math.Abs(x));
        double magnitude = (-e / (2 + e)).Value;
        return x < 0 || (x == 0 && double.IsNegative(x)) ? -magnitude : magnitude;
    }

    // exp(y log|x|) in double-double with the sign and special values of C's pow.
    private static double ReferencePow(double x, double y)
    {
        double p = Math.Pow(x, y);
        if (!double.IsFinite(p) || p == 0 || x == 0 || !double.IsFinite(x) || !double.IsFinite(y) || y == 0 || x == 1) return p;
        double magnitude = DoubleDouble.Exp(DoubleDouble.Log(Math.Abs(x)) * y).Value;
        return p < 0 ? -magnitude : magnitude;
    }

    // glibc's cbrt refined by a Newton step in double-double, y - (y^3 - x) / (3 y^2), on x scaled by 2^(3e) into [1, 8).
    private static double ReferenceCbrt(double x)
    {
        if (x == 0 || !double.IsFinite(x)) return Math.Cbrt(x);
        int e = (int)Math.Floor(Math.ILogB(x) / 3.0);
        double scaled = Math.ScaleB(x, -3 * e);
        DoubleDouble y = Math.Cbrt(scaled);
        return Math.ScaleB((y - (y * y * y - scaled) / (3 * y * y)).Value, e);
    }

    // The interpreter's float64 erf_inv refined by two Newton steps on glibc's erf (erfc above 1/2, where 1 - |x| is exact).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ReferenceErfInv(double x)
    {
        double y = SpecialFunctions.ErfInv(x);
        if (!(Math.Abs(x) < 1) || x == 0) return y;
        for (int i = 0; i < 2; i++)
        {
            double residual = Math.Abs(x) <= 0.5 ? Libm.Erf(y) - x : Math.Sign(x) * ((1 - Math.Abs(x)) - Libm.Erfc(Math.Abs(y)));
            y -= residual / (2 / Math.Sqrt(Math.PI) * Math.Exp(-y * y));
        }
        return y;
    }

    private static readonly DoubleDouble Pi = new(Math.PI, 1.2246467991473532e-16);

    // The asymptotic series after recurring up to 20, in double-double; below 1/2 the reflection psi(1 - x) - pi cot(pi x).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ReferenceDigamma(double x)
    {
        if (double.IsNaN(x) || double.IsNegativeInfinity(x) || (x < 0 && x == Math.Floor(x))) return double.NaN;
        if (x == 0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        if (x >= 0.5) return DigammaAbove(x).Value;
        double r = x - Math.Round(x);
        var angle = Pi * r;
        double sin = Math.Sin(angle.Hi) + angle.Lo * Math.Cos(angle.Hi), cos = Math.Cos(angle.Hi) - angle.Lo * Math.Sin(angle.Hi);
        return (DigammaAbove(1 - (DoubleDouble)x) - Pi * (cos / sin)).Value;
    }

    private static readonly double[][] DigammaSeries = [[1, 12], [-1, 120], [1, 252], [-1, 240], [1, 132], [-691, 32760], [1, 12], [-3617, 8160], [43867, 14364], [-174611, 6600]];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DoubleDouble DigammaAbove(DoubleDouble x)
    {
        DoubleDouble shift = 0;
        for (; x.Hi < 20; x += 1) shift -= 1 / x;
        var inverseSquare = 1 / (x * x);
        DoubleDouble sum = 0, power = 1;
        foreach (var term in DigammaSeries)
        {
            power *= inverseSquare;
            sum += power * ((DoubleDouble)term[0] / term[1]);
        }
        return shift + DoubleDouble.Log(x) - 1 / (2 * x) - sum;
    }

    private static double ReferenceLogistic(double x)
    {
        if (double.IsNaN(x)) return x;
        var e = DoubleDouble.Exp(-Math.Abs(x));
        return (x >= 0 ? 1 / (1 + e) : e / (1 + e)).Value;
    }
}
