namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>Inputs for accuracy measurements: random bit patterns (every exponent), dense ranges, edges and thresholds.</summary>
internal static class MathSamples
{
    /// <summary>Every value of a 16-bit float dtype (NaNs included).</summary>
    public static double[] Every16Bit(DType dtype) =>
        Enumerable.Range(0, 1 << 16).Select(bits => dtype == DType.Float16
            ? (double)BitConverter.Int16BitsToHalf((short)bits)
            : (double)BFloat16.FromBits((ushort)bits)).ToArray();

    /// <summary>Uniformly random bit patterns of float32 or float64: every sign and exponent alike, NaN and infinities included.</summary>
    public static IEnumerable<double> RandomBits(DType dtype, int count, Random random) =>
        Enumerable.Range(0, count).Select(_ => dtype == DType.Float32
            ? (double)BitConverter.UInt32BitsToSingle((uint)random.NextInt64(1L << 32))
            : BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)));

    /// <summary>Uniform in [low, high].</summary>
    public static IEnumerable<double> Uniform(double low, double high, int count, Random random) =>
        Enumerable.Range(0, count).Select(_ => low + (high - low) * random.NextDouble());

    /// <summary>Log-uniform in [low, high] (both positive).</summary>
    public static IEnumerable<double> LogUniform(double low, double high, int count, Random random) =>
        Enumerable.Range(0, count).Select(_ => Math.Exp(Math.Log(low) + (Math.Log(high) - Math.Log(low)) * random.NextDouble()));

    /// <summary>Values and their negations.</summary>
    public static IEnumerable<double> Signed(IEnumerable<double> values) => values.SelectMany(v => new[] { v, -v });

    /// <summary>Zeros, the subnormal and normal limits, 1, the largest finite numbers, infinities and NaN, of both signs.</summary>
    public static IEnumerable<double> Edges(DType dtype)
    {
        double minSubnormal = dtype == DType.Float32 ? float.Epsilon : double.Epsilon;
        double minNormal = dtype == DType.Float32 ? Math.ScaleB(1, -126) : Math.ScaleB(1, -1022);
        double max = dtype == DType.Float32 ? float.MaxValue : double.MaxValue;
        return Signed([0, minSubnormal, 3 * minSubnormal, minNormal - minSubnormal, minNormal, 0.5, 1, 2, max, double.PositiveInfinity])
            .Append(double.NaN);
    }

    /// <summary>Each point with its float32 or float64 neighbours, <paramref name="steps"/> on each side.</summary>
    public static IEnumerable<double> Around(DType dtype, IEnumerable<double> points, int steps = 3) =>
        points.SelectMany(p => Enumerable.Range(-steps, 2 * steps + 1).Select(s => Step(dtype, p, s)));

    private static double Step(DType dtype, double x, int steps)
    {
        if (dtype == DType.Float32)
        {
            float f = (float)x;
            for (; steps > 0; steps--) f = MathF.BitIncrement(f);
            for (; steps < 0; steps++) f = MathF.BitDecrement(f);
            return f;
        }
        for (; steps > 0; steps--) x = Math.BitIncrement(x);
        for (; steps < 0; steps++) x = Math.BitDecrement(x);
        return x;
    }
}
