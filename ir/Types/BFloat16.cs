using System.Globalization;

namespace JaxToolchain.Ir;

/// <summary>
/// The bfloat16 format: the top 16 bits of an IEEE binary32. Conversions from <see cref="float"/> round to
/// nearest even, as XLA and NumPy's <c>ml_dtypes</c> do; NaN stays NaN.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>
{
    /// <summary>The raw 16 bits.</summary>
    public ushort Bits { get; }

    private BFloat16(ushort bits) => Bits = bits;

    /// <summary>Reinterprets raw bits as a bfloat16.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds a float to the nearest bfloat16 (ties to even).</summary>
    public static explicit operator BFloat16(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return new BFloat16((ushort)((u >> 16) | 0x0040));
        uint rounding = 0x7FFF + ((u >> 16) & 1);
        return new BFloat16((ushort)((u + rounding) >> 16));
    }

    /// <summary>Rounds a double to bfloat16 (through float, as XLA does).</summary>
    public static explicit operator BFloat16(double value) => (BFloat16)(float)value;

    /// <summary>Widens exactly to float.</summary>
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <summary>Widens exactly to double.</summary>
    public static explicit operator double(BFloat16 value) => (float)value;

    /// <inheritdoc/>
    public bool Equals(BFloat16 other) => (float)this == (float)other;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 b && Equals(b);

    /// <inheritdoc/>
    public override int GetHashCode() => ((float)this).GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo((float)other);

    /// <summary>Shortest text that rounds back to the same bfloat16.</summary>
    public override string ToString()
    {
        float f = this;
        if (float.IsNaN(f) || float.IsInfinity(f))
            return f.ToString(CultureInfo.InvariantCulture);
        for (int digits = 1; digits <= 9; digits++)
        {
            string s = f.ToString("G" + digits, CultureInfo.InvariantCulture);
            if (((BFloat16)float.Parse(s, CultureInfo.InvariantCulture)).Bits == Bits)
                return s;
        }
        return f.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Equality of values (NaN is unequal to itself, +0 equals -0).</summary>
    public static bool operator ==(BFloat16 a, BFloat16 b) => (float)a == (float)b;

    /// <summary>Inequality of values.</summary>
    public static bool operator !=(BFloat16 a, BFloat16 b) => (float)a != (float)b;
}
