using System.Globalization;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>The semantics of StableHLO's <c>check.*</c> ops, on our interpreter's buffers.</summary>
public static class CheckEvaluation
{
    private const int MaxReported = 4;

    /// <summary>
    /// Null when every check of a case holds on the results of its function (whichever engine computed them), else
    /// each failing check's line and differences, joined.
    /// </summary>
    public static string? Failures(IEnumerable<StableHloCheck> checks, IReadOnlyList<Buffer> results)
    {
        var failures = new List<string>();
        foreach (var check in checks)
        {
            var expected = check.Expected ?? results[check.ExpectedResult];
            if (Mismatch(check, results[check.ActualResult], expected) is { } why) failures.Add($"line {check.Line}: {why}");
        }
        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    /// <summary>Null when <paramref name="actual"/> satisfies the check against <paramref name="expected"/>, else the first differences.</summary>
    public static string? Mismatch(StableHloCheck check, Buffer actual, Buffer expected)
    {
        if (actual.DType != expected.DType || actual.Shape != expected.Shape)
            return $"got {actual.Type}, expected {expected.Type}";
        var bad = new List<string>();
        for (long i = 0; i < actual.LongLength && bad.Count < MaxReported; i++)
        {
            if (!ElementMatches(check, actual, expected, i))
                bad.Add($"[{i}] got {Format(actual, i)}, expected {Format(expected, i)}");
        }
        return bad.Count == 0 ? null : $"{check.Kind}: {string.Join(", ", bad)}";
    }

    private static string Format(Buffer b, long i) =>
        b.DType.IsFloat() ? b.GetDouble(i).ToString("R", CultureInfo.InvariantCulture)
        : b.DType == DType.UInt64 ? ((ulong)b.GetInt64(i)).ToString(CultureInfo.InvariantCulture)
        : b.GetInt64(i).ToString(CultureInfo.InvariantCulture);

    private static bool ElementMatches(StableHloCheck check, Buffer actual, Buffer expected, long i)
    {
        if (!actual.DType.IsFloat()) return actual.GetInt64(i) == expected.GetInt64(i);
        double a = actual.GetDouble(i), e = expected.GetDouble(i);
        if (double.IsNaN(a) || double.IsNaN(e)) return double.IsNaN(a) && double.IsNaN(e);
        if (double.IsInfinity(a) || double.IsInfinity(e)) return a == e;
        return check.Kind switch
        {
            StableHloCheckKind.Equal => a == e,
            // StableHLO's areApproximatelyEqual: |a - e| <= tolerance.
            StableHloCheckKind.AlmostEqual => Math.Abs(a - e) <= check.Tolerance,
            _ => UlpDistance(actual.DType, a, e) <= check.MaxUlpDifference,
        };
    }

    /// <summary>The number of representable values of the dtype between two finite floats.</summary>
    private static long UlpDistance(DType dtype, double a, double e)
    {
        long Ordered(double x)
        {
            long bits = dtype switch
            {
                DType.Float16 => BitConverter.HalfToInt16Bits((Half)x),
                DType.BFloat16 => (short)(BitConverter.SingleToInt32Bits((float)x) >> 16),
                DType.Float32 => BitConverter.SingleToInt32Bits((float)x),
                _ => BitConverter.DoubleToInt64Bits(x),
            };
            long sign = dtype switch
            {
                DType.Float16 or DType.BFloat16 => short.MinValue,
                DType.Float32 => int.MinValue,
                _ => long.MinValue,
            };
            return bits < 0 ? sign - bits : bits;
        }
        return Math.Abs(Ordered(a) - Ordered(e));
    }
}
