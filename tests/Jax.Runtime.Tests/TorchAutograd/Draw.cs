using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Torch;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

/// <summary>
/// Random inputs for derivative tests, in a requested float dtype: uniform draws, and draws kept away from the
/// points where a function is not differentiable (ties, integers, zero), so finite differences and torch see
/// the same smooth branch.
/// </summary>
internal static class Draw
{
    /// <summary>Uniform on [lo, hi).</summary>
    public static Tensor Uniform(Random rng, DType dtype, double lo, double hi, params int[] shape) =>
        Make(dtype, shape, _ => lo + (hi - lo) * rng.NextDouble());

    /// <summary>Uniform on [lo, hi) in float64.</summary>
    public static Tensor Uniform(Random rng, double lo, double hi, params int[] shape) => Uniform(rng, DType.Float64, lo, hi, shape);

    /// <summary>A float64 sampler of U[lo, hi) in the given shape (for case tables).</summary>
    public static Func<Random, Tensor> UniformSampler(double lo, double hi, params int[] shape) => r => Uniform(r, lo, hi, shape);

    /// <summary>
    /// Distinct values at least <paramref name="gap"/> apart, in random order: <c>gap * k + U[0, gap/4)</c> for a
    /// shuffled k, centred on zero (inputs for max, sort and cumulative extrema, whose derivatives jump at ties).
    /// </summary>
    public static Tensor Separated(Random rng, DType dtype, double gap, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var order = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        return Make(dtype, shape, i => gap * (order[i] - n / 2.0) + gap / 4 * rng.NextDouble());
    }

    /// <summary>
    /// Values in [lo, hi) at least 0.1 away from every multiple of 1/2 (inputs for floor, ceil, round and sign,
    /// whose derivatives are zero only away from their jumps).
    /// </summary>
    public static Tensor OffHalves(Random rng, DType dtype, double lo, double hi, params int[] shape) =>
        Make(dtype, shape, _ => Math.Floor(2 * (lo + (hi - lo) * rng.NextDouble())) / 2 + 0.1 + 0.3 * rng.NextDouble());

    /// <summary>Magnitudes in [lo, hi) with random signs.</summary>
    public static Tensor SignedMagnitudes(Random rng, DType dtype, double lo, double hi, params int[] shape) =>
        Make(dtype, shape, _ => (rng.Next(2) == 0 ? 1 : -1) * (lo + (hi - lo) * rng.NextDouble()));

    /// <summary>A tensor of the given dtype and shape with element i equal to <paramref name="value"/>(i), rounded to the dtype.</summary>
    public static Tensor Make(DType dtype, int[] shape, Func<int, double> value)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var data = new double[n];
        for (int i = 0; i < n; i++) data[i] = value(i);
        return Jnp.Array<double>(data, shape, dtype);
    }

    /// <summary>A stable seed for a test case's name (string hashes differ between processes).</summary>
    public static Random For(string name) => new(Samples.SeedOf(name));
}
