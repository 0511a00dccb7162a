using JaxToolchain.Ir;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests.Torch;

/// <summary>
/// Where random float inputs come from: a draw per element (uniform, log-uniform, ...), optionally sprinkled with
/// IEEE special values, with narrower ranges for float16 (whose largest finite value is 65504) where an op needs it.
/// </summary>
internal sealed record Domain(string Description, Func<Random, double> Draw)
{
    /// <summary>The domain used for float16 inputs instead of this one (null: this one).</summary>
    public Domain? Float16 { get; init; }

    /// <summary>The domain used for float64 inputs instead of this one (null: this one).</summary>
    public Domain? Float64 { get; init; }

    /// <summary>The domain to draw from for a dtype.</summary>
    public Domain For(DType dtype) => dtype switch
    {
        DType.Float16 => Float16 ?? this,
        DType.Float64 => Float64 ?? this,
        _ => this,
    };

    /// <summary>Uniform on [lo, hi).</summary>
    public static Domain Uniform(double lo, double hi) => new($"U[{lo}, {hi})", r => lo + (hi - lo) * r.NextDouble());

    /// <summary>Positive values whose logarithm is uniform: magnitudes from lo to hi.</summary>
    public static Domain LogUniform(double lo, double hi) =>
        new($"logU[{lo}, {hi})", r => Math.Exp(Math.Log(lo) + (Math.Log(hi) - Math.Log(lo)) * r.NextDouble()));

    /// <summary>Log-uniform magnitudes from lo to hi with a random sign.</summary>
    public static Domain SignedLogUniform(double lo, double hi)
    {
        var magnitude = LogUniform(lo, hi);
        return new($"±{magnitude.Description}", r => r.Next(2) == 0 ? magnitude.Draw(r) : -magnitude.Draw(r));
    }

    /// <summary>One of the given values, uniformly.</summary>
    public static Domain OneOf(params double[] values) => new($"one of [{string.Join(", ", values)}]", r => values[r.Next(values.Length)]);

    /// <summary>Half the draws are multiples of 1/2 in [lo, hi] (rounding ties), the others uniform.</summary>
    public static Domain HalfIntegers(double lo, double hi) => new($"halves in [{lo}, {hi}]", r =>
        r.Next(2) == 0 ? Math.Round(lo * 2 + (hi - lo) * 2 * r.NextDouble()) / 2 : lo + (hi - lo) * r.NextDouble());

    /// <summary>
    /// Uniform on [lo, hi), but at least 0.05 away from the non-positive integers (the poles of Gamma and
    /// digamma).
    /// </summary>
    public static Domain AwayFromPoles(double lo, double hi) => new($"U[{lo}, {hi}) off the poles", r =>
    {
        double u = lo + (hi - lo) * r.NextDouble();
        if (u > 0.05) return u;
        double n = Math.Floor(u);
        return n + 0.05 + 0.9 * (u - n);
    });

    /// <summary>The same draws rounded to integers.</summary>
    public Domain Integral() => new($"round({Description})", r => Math.Round(Draw(r)));

    /// <summary>The same draws with NaN redrawn.</summary>
    public Domain ExceptNaN() => new($"{Description} without NaN", r =>
    {
        double v;
        do v = Draw(r); while (double.IsNaN(v));
        return v;
    })
    {
        Float16 = Float16?.ExceptNaN(),
        Float64 = Float64?.ExceptNaN(),
    };

    /// <summary>
    /// The same draws, but a fraction of the elements are ±0, ±inf or NaN. The NaN is the positive quiet NaN
    /// (NumPy's <c>np.nan</c>); C#'s <see cref="double.NaN"/> has its sign bit set, which sort orders first.
    /// </summary>
    public Domain WithSpecials(double fraction = 0.1) => new($"{Description} with specials", r =>
        r.NextDouble() < fraction ? Samples.Specials[r.Next(Samples.Specials.Length)] : Draw(r))
    {
        Float16 = Float16?.WithSpecials(fraction),
        Float64 = Float64?.WithSpecials(fraction),
    };
}

/// <summary>Seeded random arrays of every dtype, and the shapes the differential tests run on.</summary>
internal static class Samples
{
    /// <summary>The positive quiet NaN (bits 0x7FF8000000000000).</summary>
    public static readonly double PositiveNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000000);

    /// <summary>IEEE special values mixed into some inputs.</summary>
    public static readonly double[] Specials = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, PositiveNaN];

    /// <summary>Shapes for elementwise ops: a scalar, zero-size arrays, and a few hundred elements in all.</summary>
    public static readonly long[][] ElementwiseShapes = [[], [0], [2, 0, 3], [7], [5, 31], [2, 3, 17]];

    /// <summary>The float dtypes torch runs on the CPU.</summary>
    public static readonly DType[] FloatDTypes = [DType.Float16, DType.BFloat16, DType.Float32, DType.Float64];

    /// <summary>The integer dtypes torch has (signed and uint8).</summary>
    public static readonly DType[] IntegerDTypes = [DType.Int8, DType.Int16, DType.Int32, DType.Int64, DType.UInt8];

    /// <summary>xunit rows: one per dtype.</summary>
    public static TheoryData<DType> Rows(params DType[] dtypes)
    {
        var data = new TheoryData<DType>();
        foreach (var d in dtypes) data.Add(d);
        return data;
    }

    /// <summary>A seed that depends only on a name (string hashes are randomised per process).</summary>
    public static int SeedOf(string name)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in name) h = h * 31 + c;
            return h;
        }
    }

    /// <summary>A float array of a dtype with elements drawn from a domain (rounded to the dtype).</summary>
    public static Tensor Floats(Random rng, DType dtype, long[] shape, Domain domain)
    {
        var d = domain.For(dtype);
        var values = new double[Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = d.Draw(rng);
        return Floats(values, dtype, shape);
    }

    /// <summary>Float64 values converted to a dtype (float16 in one rounding, bfloat16 through float32; integers truncate).</summary>
    public static Tensor Floats(double[] values, DType dtype, long[] shape) =>
        Cast(new Buffer(DType.Float64, Shape.Of(shape), values), dtype);

    /// <summary>An integer array of a dtype with elements uniform on [lo, hi].</summary>
    public static Tensor Integers(Random rng, DType dtype, long[] shape, long lo, long hi)
    {
        var values = new long[Count(shape)];
        for (int i = 0; i < values.Length; i++)
            values[i] = hi == long.MaxValue ? rng.NextInt64(lo, hi) + rng.Next(2) : rng.NextInt64(lo, hi + 1);
        return Cast(new Buffer(DType.Int64, Shape.Of(shape), values), dtype);
    }

    /// <summary>An integer array over the dtype's whole range.</summary>
    public static Tensor Integers(Random rng, DType dtype, long[] shape)
    {
        var (lo, hi) = RangeOf(dtype);
        return Integers(rng, dtype, shape, lo, hi);
    }

    /// <summary>A bool array, each element true with probability <paramref name="pTrue"/>.</summary>
    public static Tensor Bools(Random rng, long[] shape, double pTrue = 0.5)
    {
        var values = new bool[Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextDouble() < pTrue;
        return OracleTensors.FromBuffer(new Buffer(DType.Bool, Shape.Of(shape), values));
    }

    /// <summary>An array of any dtype: floats from the domain, integers over their range, bools half true.</summary>
    public static Tensor Any(Random rng, DType dtype, long[] shape, Domain floatDomain) =>
        dtype.IsFloat() ? Floats(rng, dtype, shape, floatDomain)
        : dtype == DType.Bool ? Bools(rng, shape)
        : Integers(rng, dtype, shape);

    /// <summary>The smallest and largest value of an integer dtype (uint8 through int64).</summary>
    public static (long Lo, long Hi) RangeOf(DType dtype) => dtype switch
    {
        DType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        DType.Int16 => (short.MinValue, short.MaxValue),
        DType.Int32 => (int.MinValue, int.MaxValue),
        DType.Int64 => (long.MinValue, long.MaxValue),
        DType.UInt8 => (byte.MinValue, byte.MaxValue),
        _ => throw new ArgumentException($"RangeOf: {dtype.Name()} is not a signed integer or uint8"),
    };

    /// <summary>The number of elements of a shape.</summary>
    public static int Count(long[] shape) => checked((int)shape.Aggregate(1L, (a, b) => a * b));

    /// <summary>A random permutation of 0..n-1 (Fisher-Yates).</summary>
    public static int[] Permutation(Random rng, int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }

    private static Tensor Cast(Buffer b, DType dtype) =>
        OracleTensors.FromBuffer(b.DType == dtype ? b : Conversions.Convert(b, dtype));
}
