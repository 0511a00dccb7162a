namespace JaxToolchain.Benchmarks;

/// <summary>
/// Deterministic inputs (seeded <see cref="Random"/>), made once as plain arrays so that our tensors and the
/// TorchSharp tensors of a workload hold exactly the same values.
/// </summary>
internal static class FixedInputs
{
    /// <summary><paramref name="count"/> floats drawn uniformly from [low, high).</summary>
    public static float[] Uniform(int count, int seed, float low, float high)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    /// <summary><paramref name="count"/> floats from a normal distribution with standard deviation <paramref name="scale"/> (Box–Muller).</summary>
    public static float[] Normal(int count, int seed, double scale)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            values[i] = (float)(scale * radius * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        return values;
    }

    /// <summary>A rows × classes row-major matrix of one-hot rows, each class drawn uniformly.</summary>
    public static float[] OneHot(int rows, int classes, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * classes];
        for (int row = 0; row < rows; row++) values[row * classes + random.Next(classes)] = 1;
        return values;
    }
}
