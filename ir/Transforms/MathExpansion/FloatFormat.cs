namespace JaxToolchain.Ir;

/// <summary>The IEEE binary formats the expansions compute in (float16 and bfloat16 are computed in float32).</summary>
internal sealed class FloatFormat
{
    /// <summary>IEEE binary32.</summary>
    public static readonly FloatFormat Float32 = new(DType.Float32, DType.Int32, mantissaBits: 23, exponentBias: 127);

    /// <summary>IEEE binary64.</summary>
    public static readonly FloatFormat Float64 = new(DType.Float64, DType.Int64, mantissaBits: 52, exponentBias: 1023);

    private FloatFormat(DType dtype, DType integer, int mantissaBits, int exponentBias)
    {
        DType = dtype;
        Integer = integer;
        MantissaBits = mantissaBits;
        ExponentBias = exponentBias;
    }

    /// <summary>The float dtype.</summary>
    public DType DType { get; }

    /// <summary>The signed integer dtype of the same width (what bits and exponents are held in).</summary>
    public DType Integer { get; }

    /// <summary>Stored mantissa bits (23 or 52).</summary>
    public int MantissaBits { get; }

    /// <summary>The exponent bias (127 or 1023).</summary>
    public int ExponentBias { get; }

    /// <summary>True for binary64.</summary>
    public bool IsDouble => DType == DType.Float64;

    /// <summary>The sign bit.</summary>
    public long SignMask => IsDouble ? long.MinValue : unchecked((int)0x80000000);

    /// <summary>The mantissa bits.</summary>
    public long MantissaMask => (1L << MantissaBits) - 1;

    /// <summary>The smallest positive normal number.</summary>
    public double MinNormal => Math.ScaleB(1, IsDouble ? -1022 : -126);

    /// <summary>The largest finite number.</summary>
    public double MaxFinite => IsDouble ? double.MaxValue : float.MaxValue;

    /// <summary>The format of a float dtype the expansions compute in.</summary>
    public static FloatFormat Of(DType dtype) => dtype switch
    {
        DType.Float32 => Float32,
        DType.Float64 => Float64,
        _ => throw new ArgumentException($"expansions compute in float32 or float64, not {dtype.Name()}"),
    };

    /// <summary>Picks the float32 or float64 variant of a constant or table.</summary>
    public T Pick<T>(T float32, T float64) => IsDouble ? float64 : float32;
}
