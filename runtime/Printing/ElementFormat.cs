using System.Globalization;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// How NumPy's <c>array2string</c> prints one element, chosen once from the elements that will be shown
/// (its <c>BoolFormat</c>, <c>IntegerFormat</c> and <c>FloatingFormat</c>; bfloat16, which ml_dtypes does
/// not register as a NumPy floating type, prints each element by its own <c>str</c>).
/// </summary>
internal abstract class ElementFormat
{
    /// <summary>The text of the element at flat (row-major) position <paramref name="index"/>.</summary>
    public abstract string Format(long index);

    /// <summary>The format NumPy picks for <paramref name="buffer"/>, given the flat positions it will show.</summary>
    public static ElementFormat For(Buffer buffer, IReadOnlyList<long> shown) => buffer.DType switch
    {
        DType.Bool => new BoolFormat(buffer),
        DType.BFloat16 => new BFloat16Format(buffer),
        var t when t.IsFloat() => new FloatingFormat(buffer, shown),
        _ => new IntegerFormat(buffer, shown),
    };

    /// <summary>An integer element in decimal, read by its dtype .</summary>
    protected static string IntegerText(Buffer buffer, long index)
    {
        var inv = CultureInfo.InvariantCulture;
        return buffer.DType switch
        {
            DType.Int8 => buffer.Element<sbyte>(index).ToString(inv),
            DType.Int16 => buffer.Element<short>(index).ToString(inv),
            DType.Int32 => buffer.Element<int>(index).ToString(inv),
            DType.Int64 => buffer.Element<long>(index).ToString(inv),
            DType.UInt8 => buffer.Element<byte>(index).ToString(inv),
            DType.UInt16 => buffer.Element<ushort>(index).ToString(inv),
            DType.UInt32 => buffer.Element<uint>(index).ToString(inv),
            DType.UInt64 => buffer.Element<ulong>(index).ToString(inv),
            _ => throw new ArgumentOutOfRangeException(nameof(buffer), $"{buffer.DType.Name()} is not an integer dtype"),
        };
    }

    /// <summary>
    /// What <c>str()</c> of a NumPy scalar of the buffer's dtype prints for element <paramref name="index"/>
    /// (<c>str</c> of a 0-d array): <c>True</c>, <c>3</c>, <c>1.0</c>, <c>1e-05</c>, <c>0.333984</c>.
    /// </summary>
    public static string ScalarText(Buffer buffer, long index) => buffer.DType switch
    {
        DType.Bool => buffer.Element<bool>(index) ? "True" : "False",
        DType.BFloat16 => BFloat16Format.StreamText(buffer.GetDouble(index)),
        var t when t.IsFloat() => FloatingFormat.ScalarText(buffer.GetDouble(index), t),
        _ => IntegerText(buffer, index),
    };

    private sealed class BoolFormat(Buffer buffer) : ElementFormat
    {
        // " True" lines up with "False", except in a 0-d array.
        private readonly string _true = buffer.Shape.Rank == 0 ? "True" : " True";

        public override string Format(long index) => buffer.Element<bool>(index) ? _true : "False";
    }

    private sealed class IntegerFormat : ElementFormat
    {
        private readonly Buffer _buffer;
        private readonly int _width;

        public IntegerFormat(Buffer buffer, IReadOnlyList<long> shown)
        {
            _buffer = buffer;
            // NumPy pads to the longer of str(max) and str(min): the longest text of any shown element.
            foreach (long i in shown) _width = Math.Max(_width, IntegerText(buffer, i).Length);
        }

        public override string Format(long index) => IntegerText(_buffer, index).PadLeft(_width);
    }

    /// <summary>
    /// bfloat16 elements print through ml_dtypes' <c>str</c>, which streams the float value into a C++
    /// <c>std::ostream</c> (<c>%g</c> with 6 significant digits, NaN without sign), unpadded.
    /// </summary>
    private sealed class BFloat16Format(Buffer buffer) : ElementFormat
    {
        private const int Significant = 6;

        public override string Format(long index) => StreamText(buffer.GetDouble(index));

        /// <summary>C's <c>printf("%g", value)</c>, with NaN printed as <c>nan</c> whatever its sign.</summary>
        public static string StreamText(double value)
        {
            if (double.IsNaN(value)) return "nan";
            if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
            string sign = double.IsNegative(value) ? "-" : "";
            var d = DecimalDigits.RoundSignificant(Math.Abs(value), Significant);
            if (d.Exponent < -4 || d.Exponent >= Significant)
                return sign + FloatingFormat.ScientificText(d, "", minExponentDigits: 2);
            string fraction = d.FractionPart;
            return sign + d.IntegerPart + (fraction.Length > 0 ? "." + fraction : "");
        }
    }
}
