using System.Globalization;
using System.Numerics;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A finite, non-negative binary floating-point magnitude written as decimal digits:
/// <c>d1.d2d3... × 10^Exponent</c>. <see cref="Digits"/> has no leading or trailing zeros; zero is
/// <c>"0"</c> with exponent 0. These are the digit strings NumPy's Dragon4 produces before it lays them out.
/// </summary>
internal readonly record struct DecimalDigits(string Digits, int Exponent)
{
    /// <summary>The digits of zero.</summary>
    public static DecimalDigits Zero { get; } = new("0", 0);

    /// <summary>The number of digits after the decimal point in positional notation.</summary>
    public int FractionDigitCount => Math.Max(0, Digits.Length - 1 - Exponent);

    /// <summary>The digits before the decimal point in positional notation (<c>"0"</c> below one).</summary>
    public string IntegerPart =>
        Exponent < 0 ? "0"
        : Digits.Length > Exponent ? Digits[..(Exponent + 1)]
        : Digits + new string('0', Exponent + 1 - Digits.Length);

    /// <summary>The digits after the decimal point in positional notation, without trailing zeros.</summary>
    public string FractionPart =>
        Exponent < 0 ? new string('0', -Exponent - 1) + Digits
        : Digits.Length > Exponent + 1 ? Digits[(Exponent + 1)..]
        : "";

    /// <summary>
    /// The shortest digits that read back as the same value of <paramref name="dtype"/> (float16, float32 or
    /// float64): what NumPy's unique Dragon4 mode and Python's <c>repr</c> print.
    /// </summary>
    public static DecimalDigits Shortest(double magnitude, DType dtype)
    {
        if (magnitude == 0) return Zero;
        string text = dtype switch
        {
            DType.Float16 => ((Half)magnitude).ToString("R", CultureInfo.InvariantCulture),
            DType.Float32 => ((float)magnitude).ToString("R", CultureInfo.InvariantCulture),
            DType.Float64 => magnitude.ToString("R", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"no shortest float text for {dtype.Name()}"),
        };
        return Parse(text);
    }

    /// <summary>
    /// The exact value of <paramref name="magnitude"/> rounded to a multiple of <c>10^-place</c> (a negative
    /// place rounds left of the point), ties to even as Dragon4 and glibc's printf round.
    /// </summary>
    public static DecimalDigits RoundAt(double magnitude, int place)
    {
        var (num, den) = ExactRatio(magnitude);
        if (place >= 0) num *= BigInteger.Pow(10, place);
        else den *= BigInteger.Pow(10, -place);
        var q = BigInteger.DivRem(num, den, out var r);
        int half = (r << 1).CompareTo(den);
        if (half > 0 || (half == 0 && !q.IsEven)) q += 1;
        if (q.IsZero) return Zero;
        string s = q.ToString(CultureInfo.InvariantCulture);
        return Normalized(s, s.Length - 1 - place);
    }

    /// <summary>The exact value rounded to <paramref name="significant"/> significant digits, ties to even.</summary>
    public static DecimalDigits RoundSignificant(double magnitude, int significant) =>
        magnitude == 0 ? Zero : RoundAt(magnitude, significant - 1 - FloorLog10(magnitude));

    private static DecimalDigits Parse(string text)
    {
        int exponent = 0;
        int e = text.IndexOf('E');
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        int point = text.IndexOf('.');
        int integerLength = point < 0 ? text.Length : point;
        string digits = point < 0 ? text : text.Remove(point, 1);
        int leadingZeros = 0;
        while (leadingZeros < digits.Length && digits[leadingZeros] == '0') leadingZeros++;
        return leadingZeros == digits.Length
            ? Zero
            : Normalized(digits[leadingZeros..], integerLength + exponent - 1 - leadingZeros);
    }

    private static DecimalDigits Normalized(string digits, int exponent) => new(digits.TrimEnd('0'), exponent);

    /// <summary>The exact value of a finite non-negative double as a ratio of integers.</summary>
    private static (BigInteger Numerator, BigInteger Denominator) ExactRatio(double magnitude)
    {
        long bits = BitConverter.DoubleToInt64Bits(magnitude);
        int biased = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        long mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        int exponent2 = (biased == 0 ? 1 : biased) - 1075;
        return exponent2 >= 0
            ? (new BigInteger(mantissa) << exponent2, BigInteger.One)
            : (new BigInteger(mantissa), BigInteger.One << -exponent2);
    }

    /// <summary>The exact <c>floor(log10(magnitude))</c> of a positive finite double.</summary>
    private static int FloorLog10(double magnitude)
    {
        var (num, den) = ExactRatio(magnitude);
        int k = (int)Math.Floor(Math.Log10(magnitude));
        while (CompareWithPowerOf10(num, den, k) < 0) k--;
        while (CompareWithPowerOf10(num, den, k + 1) >= 0) k++;
        return k;
    }

    private static int CompareWithPowerOf10(BigInteger num, BigInteger den, int k) =>
        k >= 0 ? num.CompareTo(den * BigInteger.Pow(10, k)) : (num * BigInteger.Pow(10, -k)).CompareTo(den);
}
