using System.Globalization;
using System.Text;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// How close our float result must be to torch's, per element: within <see cref="Ulps"/> units in the last
/// place of the result dtype, or within <c>Atol + Rtol * scale</c> (scale: |torch's value|, or a per-element
/// magnitude such as the sum of |terms| for reductions and products). <see cref="Bitwise"/> asks for the same
/// bits (signed zeros included); without it +0 and -0 are 0 ulps apart. Any NaN equals any NaN.
/// </summary>
internal readonly record struct Tolerance(long Ulps, double Rtol = 0, double Atol = 0, bool Bitwise = false)
{
    /// <summary>Bit-for-bit agreement (the sign of zero included).</summary>
    public static Tolerance Exact { get; } = new(0, Bitwise: true);

    /// <summary>Equal values, with +0 equal to -0.</summary>
    public static Tolerance SameValue { get; } = new(0);

    /// <summary>
    /// A ulp bound by dtype: <paramref name="half"/> ulps of float16/bfloat16 (both libraries compute those in
    /// float32 and round, so results differ by at most one rounding), <paramref name="f32"/> of float32 and
    /// <paramref name="f64"/> of float64.
    /// </summary>
    public static Tolerance InUlps(DType dtype, long f32, long f64, long half = 1) =>
        new(dtype switch { DType.Float32 => f32, DType.Float64 => f64, _ => half });

    /// <summary>The machine epsilon of a float dtype (the gap between 1 and the next value).</summary>
    public static double Epsilon(DType dtype) => dtype switch
    {
        DType.Float16 => Math.ScaleB(1, -10),
        DType.BFloat16 => Math.ScaleB(1, -7),
        DType.Float32 => Math.ScaleB(1, -23),
        DType.Float64 => Math.ScaleB(1, -52),
        _ => throw new ArgumentException($"Epsilon: {dtype.Name()} is not a float dtype"),
    };

    /// <summary>
    /// A bound in units of the dtype's epsilon: |ours - torch| &lt;= eps * (atol + rtol * |torch|), or
    /// <paramref name="ulps"/> ulps.
    /// </summary>
    public static Tolerance InEpsilons(DType dtype, double rtol, double atol, long ulps = 4) =>
        new(ulps, rtol * Epsilon(dtype), atol * Epsilon(dtype));

    /// <summary>
    /// The bound for sums and contractions, relative to the sum of |terms| passed as the scale: 1e-6 for float32,
    /// 1e-14 for float64, 1e-3 for float16/bfloat16 (accumulated in float32, rounded once), or 1 ulp.
    /// </summary>
    public static Tolerance Summation(DType dtype) =>
        new(1, dtype switch { DType.Float32 => 1e-6, DType.Float64 => 1e-14, _ => 1e-3 });

    /// <summary>An absolute-plus-relative bound by dtype: |ours - torch| &lt;= atol + rtol * |torch| (or 1 ulp).</summary>
    public static Tolerance Mixed(DType dtype, (double Rtol, double Atol) f32, (double Rtol, double Atol) f64, (double Rtol, double Atol) half)
    {
        var (rtol, atol) = dtype switch { DType.Float32 => f32, DType.Float64 => f64, _ => half };
        return new(1, rtol, atol);
    }
}

/// <summary>The largest difference seen between our results and torch's.</summary>
/// <remarks><see cref="MaxScaled"/> is the largest |ours - torch| / scale where a scale was given.</remarks>
internal readonly record struct Discrepancy(long MaxUlps, double MaxRelative, double MaxAbsolute, double MaxScaled, int Elements)
{
    /// <summary>No elements compared yet.</summary>
    public static Discrepancy None { get; } = new(0, 0, 0, 0, 0);

    /// <summary>The worse of two discrepancies, over both element counts.</summary>
    public Discrepancy Merge(Discrepancy other) =>
        new(Math.Max(MaxUlps, other.MaxUlps), Math.Max(MaxRelative, other.MaxRelative),
            Math.Max(MaxAbsolute, other.MaxAbsolute), Math.Max(MaxScaled, other.MaxScaled), Elements + other.Elements);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"max {MaxUlps} ulp, max rel {MaxRelative:0.0e+0}, max abs {MaxAbsolute:0.0e+0}, max scaled {MaxScaled:0.0e+0} over {Elements} elements");
}

/// <summary>Asserts that our results equal torch's within a tolerance and measures how far apart they are.</summary>
internal static class Agreement
{
    /// <summary>
    /// Checks shape, dtype (unless <paramref name="checkDType"/> is false) and every element of our result
    /// against torch's, and returns the measured discrepancy. <paramref name="describe"/> names the inputs of an
    /// element for failure messages; <paramref name="scale"/> replaces |torch's value| in the relative bound.
    /// </summary>
    public static Discrepancy AssertClose(string what, Tensor ours, TorchTensor theirs, Tolerance tolerance,
        Func<int, string>? describe = null, double[]? scale = null, bool checkDType = true)
    {
        Assert.True(ours.Shape.Sizes.SequenceEqual(theirs.shape),
            $"{what}: shape {ours.Shape.ToTupleString()} but torch gives ({string.Join(", ", theirs.shape)})");
        var theirDType = OracleTensors.DTypeOf(theirs.dtype);
        if (checkDType)
            Assert.True(ours.DType == theirDType, $"{what}: dtype {ours.DType.Name()} but torch gives {theirDType.Name()}");
        return ours.DType.IsFloat()
            ? CompareFloats(what, ours.DType, OracleTensors.Doubles(ours), OracleTensors.Doubles(theirs), tolerance, describe, scale)
            : CompareIntegers(what, OracleTensors.Longs(ours), OracleTensors.Longs(theirs), describe);
    }

    /// <summary>Asserts that two integer (or bool) results are equal element for element.</summary>
    public static Discrepancy CompareIntegers(string what, long[] ours, long[] theirs, Func<int, string>? describe = null)
    {
        var failures = new StringBuilder();
        int failed = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            if (ours[i] == theirs[i]) continue;
            if (failed++ < 8) failures.Append(CultureInfo.InvariantCulture, $"\n  [{i}] {describe?.Invoke(i)}: ours {ours[i]}, torch {theirs[i]}");
        }
        Assert.True(failed == 0, $"{what}: {failed} of {ours.Length} elements differ{failures}");
        return new Discrepancy(0, 0, 0, 0, ours.Length);
    }

    /// <summary>Asserts that two float results of a dtype agree within a tolerance, returning the largest difference.</summary>
    public static Discrepancy CompareFloats(string what, DType dtype, double[] ours, double[] theirs, Tolerance tolerance,
        Func<int, string>? describe = null, double[]? scale = null)
    {
        Assert.Equal(theirs.Length, ours.Length);
        long maxUlps = 0;
        double maxRelative = 0, maxAbsolute = 0, maxScaled = 0;
        var failures = new StringBuilder();
        int failed = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double a = ours[i], b = theirs[i];
            if (double.IsNaN(a) && double.IsNaN(b)) continue;
            if (BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b)) continue;
            long ulps = UlpDistance(dtype, a, b);
            double error = Math.Abs(a - b);
            double relative = b == 0 ? error : error / Math.Abs(b);
            if (double.IsNaN(relative)) relative = double.PositiveInfinity;
            maxUlps = Math.Max(maxUlps, ulps);
            maxRelative = Math.Max(maxRelative, relative);
            if (!double.IsNaN(error)) maxAbsolute = Math.Max(maxAbsolute, error);
            if (scale is not null && scale[i] > 0) maxScaled = Math.Max(maxScaled, error / scale[i]);
            bool ok = !tolerance.Bitwise &&
                (ulps <= tolerance.Ulps || error <= tolerance.Atol + tolerance.Rtol * (scale?[i] ?? Math.Abs(b)));
            if (ok) continue;
            if (failed++ < 8)
                failures.Append(CultureInfo.InvariantCulture,
                    $"\n  [{i}] {describe?.Invoke(i)}: ours {a:R}, torch {b:R} ({ulps} ulp, rel {relative:0.00e+0})");
        }
        Assert.True(failed == 0, $"{what}: {failed} of {ours.Length} elements outside {tolerance}{failures}");
        return new Discrepancy(maxUlps, maxRelative, maxAbsolute, maxScaled, ours.Length);
    }

    /// <summary>
    /// The number of representable values of the dtype between a and b (0 for +0 and -0; a huge number when
    /// exactly one of them is NaN).
    /// </summary>
    public static long UlpDistance(DType dtype, double a, double b)
    {
        if (double.IsNaN(a) != double.IsNaN(b)) return long.MaxValue;
        var distance = Int128.Abs((Int128)Ordinal(dtype, a) - Ordinal(dtype, b));
        return distance > long.MaxValue ? long.MaxValue : (long)distance;
    }

    // The position of a value on the number line of the dtype's representable values (sign-magnitude to integer).
    private static long Ordinal(DType dtype, double v)
    {
        (long magnitude, bool negative) = dtype switch
        {
            DType.Float64 => (BitConverter.DoubleToInt64Bits(v) & long.MaxValue, BitConverter.DoubleToInt64Bits(v) < 0),
            DType.Float32 => (BitConverter.SingleToInt32Bits((float)v) & int.MaxValue, BitConverter.SingleToInt32Bits((float)v) < 0),
            DType.Float16 => (BitConverter.HalfToInt16Bits((Half)v) & short.MaxValue, BitConverter.HalfToInt16Bits((Half)v) < 0),
            DType.BFloat16 => (((BFloat16)(float)v).Bits & 0x7FFF, (((BFloat16)(float)v).Bits & 0x8000) != 0),
            _ => throw new ArgumentException($"UlpDistance: {dtype.Name()} is not a float dtype"),
        };
        return negative ? -magnitude : magnitude;
    }
}

/// <summary>Runs an op of ours and torch's on the same random inputs over <see cref="Samples.ElementwiseShapes"/>.</summary>
internal static class Differential
{
    /// <summary>Compares a unary op on inputs from <paramref name="inputs"/> (made per shape with a seeded generator).</summary>
    public static Discrepancy Unary(string name, DType dtype, Func<Random, long[], Tensor> inputs,
        Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, Tolerance tolerance, ITestOutputHelper log,
        bool checkDType = true)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var x = inputs(rng, shape);
            var xs = OracleTensors.Doubles(x);
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()}", ours(x),
                theirs(OracleTensors.ToTorch(x)), tolerance, i => $"x = {xs[i]:R}", checkDType: checkDType));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
        return total;
    }

    /// <summary>
    /// Asserts that a unary op of ours is correctly rounded: bit for bit the float64 <paramref name="reference"/>
    /// rounded to the dtype (for sqrt and the like, whose float64 result rounds correctly to every narrower format).
    /// </summary>
    public static void CorrectlyRounded(string name, DType dtype, Domain domain, Func<Tensor, Tensor> ours, Func<double, double> reference)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name() + " reference"));
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var x = Samples.Floats(rng, dtype, shape, domain);
            var xs = OracleTensors.Doubles(x);
            var expected = Samples.Floats(xs.Select(reference).ToArray(), dtype, shape);
            Agreement.CompareFloats($"{name} {dtype.Name()}{x.Shape.ToTupleString()} vs float64 reference", dtype,
                OracleTensors.Doubles(ours(x)), OracleTensors.Doubles(expected), Tolerance.Exact, i => $"x = {xs[i]:R}");
        }
    }

    /// <summary>Compares a unary float op on inputs drawn from a domain.</summary>
    public static Discrepancy Unary(string name, DType dtype, Domain domain,
        Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, Tolerance tolerance, ITestOutputHelper log) =>
        Unary(name, dtype, (rng, shape) => Samples.Any(rng, dtype, shape, domain), ours, theirs, tolerance, log);

    /// <summary>Compares a binary op on input pairs from <paramref name="inputs"/> (same shape).</summary>
    public static Discrepancy Binary(string name, DType dtype, Func<Random, long[], (Tensor X, Tensor Y)> inputs,
        Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs, Tolerance tolerance,
        ITestOutputHelper log)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var (x, y) = inputs(rng, shape);
            var xs = OracleTensors.Doubles(x);
            var ys = OracleTensors.Doubles(y);
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()}", ours(x, y),
                theirs(OracleTensors.ToTorch(x), OracleTensors.ToTorch(y)), tolerance,
                i => $"x = {xs[i]:R}, y = {ys[i]:R}"));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
        return total;
    }

    /// <summary>Compares a binary op on two arrays drawn from (possibly different) domains.</summary>
    public static Discrepancy Binary(string name, DType dtype, Domain xDomain, Domain yDomain,
        Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs, Tolerance tolerance,
        ITestOutputHelper log) =>
        Binary(name, dtype, (rng, shape) => (Samples.Any(rng, dtype, shape, xDomain), Samples.Any(rng, dtype, shape, yDomain)),
            ours, theirs, tolerance, log);
}
