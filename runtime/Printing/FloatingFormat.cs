using System.Globalization;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// NumPy's <c>FloatingFormat</c> with its default options (<c>floatmode='maxprec'</c>, precision 8,
/// <c>suppress=False</c>, <c>sign='-'</c>) for float16, float32 and float64 elements. Every element is
/// printed with the shortest digits that identify it in its own dtype, at most 8 of them after the point,
/// and all elements share one layout: positional with the fractions padded to a common width
/// (<c>[0.1 , 0.25]</c>), or scientific with the mantissas zero-padded to a common number of digits
/// (<c>[1.0e-05, 1.5e-05]</c>) when the values span too wide a range.
/// </summary>
/// <remarks>
/// Follows NumPy 2.3 and later: the switch to scientific happens at <c>10^min(8, finfo.precision)</c>
/// (1e3 for float16, 1e6 for float32, 1e8 for float64), and the comparisons with 1e-4 and the max/min
/// ratio are made in the array's own dtype (NEP 50).
/// </remarks>
internal sealed class FloatingFormat : ElementFormat
{
    private const int Precision = 8;
    private const string NanText = "nan";
    private const string InfText = "inf";

    private readonly Buffer _buffer;
    private readonly bool _scientific;
    private readonly int _padLeft;
    private readonly int _padRight;
    private readonly int _mantissaDigits;
    private readonly int _exponentDigits;

    /// <summary>Chooses the layout from the elements at the flat positions <paramref name="shown"/>.</summary>
    public FloatingFormat(Buffer buffer, IReadOnlyList<long> shown)
    {
        _buffer = buffer;
        var dtype = buffer.DType;
        var finite = new List<double>();
        bool anyNonFinite = false, negativeInfinity = false;
        double max = 0, min = double.PositiveInfinity;
        foreach (long i in shown)
        {
            double v = buffer.GetDouble(i);
            if (!double.IsFinite(v))
            {
                anyNonFinite = true;
                negativeInfinity |= double.IsNegativeInfinity(v);
                continue;
            }
            finite.Add(v);
            if (v == 0) continue;
            max = Math.Max(max, Math.Abs(v));
            min = Math.Min(min, Math.Abs(v));
        }

        if (max > 0)
        {
            _scientific = max >= ScientificCutoff(dtype)
                || min < InDType(dtype, 1e-4)
                || InDType(dtype, max / min) > 1000;
        }

        foreach (double v in finite)
        {
            string sign = double.IsNegative(v) ? "-" : "";
            if (_scientific)
            {
                var d = ScientificDigits(Math.Abs(v), dtype);
                _padLeft = Math.Max(_padLeft, sign.Length + 1);
                _mantissaDigits = Math.Max(_mantissaDigits, d.Digits.Length - 1);
                _exponentDigits = Math.Max(_exponentDigits, Math.Max(2, Math.Abs(d.Exponent).ToString(CultureInfo.InvariantCulture).Length));
            }
            else
            {
                var d = PositionalDigits(Math.Abs(v), dtype);
                _padLeft = Math.Max(_padLeft, sign.Length + d.IntegerPart.Length);
                _padRight = Math.Max(_padRight, d.FractionPart.Length);
            }
        }
        if (_scientific) _padRight = _exponentDigits + 2 + _mantissaDigits;

        if (anyNonFinite)
        {
            // Widen the integer column so that nan and (-)inf, right-aligned, fit the common width.
            int offset = _padRight + 1;
            _padLeft = Math.Max(_padLeft, Math.Max(NanText.Length - offset, InfText.Length + (negativeInfinity ? 1 : 0) - offset));
        }
    }

    /// <inheritdoc/>
    public override string Format(long index)
    {
        double v = _buffer.GetDouble(index);
        if (!double.IsFinite(v))
        {
            string text = double.IsNaN(v) ? NanText : v < 0 ? "-" + InfText : InfText;
            return text.PadLeft(_padLeft + _padRight + 1);
        }
        string sign = double.IsNegative(v) ? "-" : "";
        double magnitude = Math.Abs(v);
        if (_scientific)
        {
            var d = ScientificDigits(magnitude, _buffer.DType);
            // Dragon4's min_digits: a value with fewer unique digits than the widest gets more digits of its
            // exact value (float32 1e-5 beside 1.2345678e-05 prints 9.9999997e-06), not zeros.
            if (magnitude != 0 && d.Digits.Length - 1 < _mantissaDigits)
                d = DecimalDigits.RoundSignificant(magnitude, _mantissaDigits + 1);
            string mantissa = d.Digits[1..].PadRight(_mantissaDigits, '0');
            return (sign + d.Digits[0]).PadLeft(_padLeft) + "." + mantissa + ExponentText(d.Exponent, _exponentDigits);
        }
        var p = PositionalDigits(magnitude, _buffer.DType);
        return (sign + p.IntegerPart).PadLeft(_padLeft) + "." + p.FractionPart.PadRight(_padRight);
    }

    /// <summary>
    /// <c>str()</c> of a NumPy float scalar: shortest digits, positional with at least one fractional digit
    /// (<c>1.0</c>) from 1e-4 up to 1e3 (float16), 1e6 (float32) or 1e16 (float64), otherwise scientific
    /// without trailing zeros (<c>1e-05</c>, <c>1.5e+16</c>).
    /// </summary>
    public static string ScalarText(double value, DType dtype)
    {
        if (double.IsNaN(value)) return NanText;
        if (double.IsInfinity(value)) return value > 0 ? InfText : "-" + InfText;
        string sign = double.IsNegative(value) ? "-" : "";
        double magnitude = Math.Abs(value);
        var d = DecimalDigits.Shortest(magnitude, dtype);
        bool positional = magnitude == 0 || (magnitude < ScalarPositionalLimit(dtype) && magnitude >= 1e-4);
        if (!positional) return sign + ScientificText(d, "", minExponentDigits: 2);
        string fraction = d.FractionPart;
        return sign + d.IntegerPart + "." + (fraction.Length > 0 ? fraction : "0");
    }

    /// <summary>
    /// <c>d.ddde±XX</c> from digits, the point dropped when no digit follows it (unless
    /// <paramref name="emptyFraction"/> is <c>"."</c>), the exponent zero-padded to at least
    /// <paramref name="minExponentDigits"/> digits.
    /// </summary>
    public static string ScientificText(DecimalDigits d, string emptyFraction, int minExponentDigits) =>
        d.Digits[..1] + (d.Digits.Length > 1 ? "." + d.Digits[1..] : emptyFraction) + ExponentText(d.Exponent, minExponentDigits);

    private static string ExponentText(int exponent, int minDigits) =>
        "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture).PadLeft(minDigits, '0');

    /// <summary>
    /// Shortest digits, cut to at most <see cref="Precision"/> after the point (exact rounding); the digits
    /// before the point are always the exact value's (Dragon4 with <c>min_digits=0</c>), even where fewer
    /// would identify the value.
    /// </summary>
    private static DecimalDigits PositionalDigits(double magnitude, DType dtype)
    {
        var d = DecimalDigits.Shortest(magnitude, dtype);
        if (d.FractionDigitCount > Precision) return DecimalDigits.RoundAt(magnitude, Precision);
        return d.Digits.Length < d.Exponent + 1 ? DecimalDigits.RoundAt(magnitude, 0) : d;
    }

    /// <summary>Shortest digits, cut to at most <see cref="Precision"/> after the mantissa's point.</summary>
    private static DecimalDigits ScientificDigits(double magnitude, DType dtype)
    {
        var d = DecimalDigits.Shortest(magnitude, dtype);
        return d.Digits.Length - 1 > Precision ? DecimalDigits.RoundSignificant(magnitude, Precision + 1) : d;
    }

    /// <summary>Arrays switch to scientific at <c>10^min(8, finfo(dtype).precision)</c>.</summary>
    private static double ScientificCutoff(DType dtype) => dtype switch
    {
        DType.Float16 => 1e3,
        DType.Float32 => 1e6,
        _ => 1e8,
    };

    /// <summary>Scalars print positionally below 1e3 (float16), 1e6 (float32) or 1e16 (float64).</summary>
    private static double ScalarPositionalLimit(DType dtype) => dtype switch
    {
        DType.Float16 => 1e3,
        DType.Float32 => 1e6,
        _ => 1e16,
    };

    /// <summary>A double rounded to the dtype, as NumPy's comparisons with a Python float do (NEP 50).</summary>
    private static double InDType(DType dtype, double value) => dtype switch
    {
        DType.Float16 => (double)(Half)value,
        DType.Float32 => (float)value,
        _ => value,
    };
}
