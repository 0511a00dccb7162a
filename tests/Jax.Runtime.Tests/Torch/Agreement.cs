using System.Globalization;
using System.Text;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

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
