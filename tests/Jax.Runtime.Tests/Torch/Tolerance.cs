using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Torch;

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
