using System.Text;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Prints arrays exactly as JAX does: <c>repr(jax.Array)</c> (<see cref="Format"/>) and <c>str(jax.Array)</c>,
/// which is NumPy's <c>str</c> of the value (<see cref="FormatElements"/>). Both lay the elements out with
/// NumPy's <c>array2string</c> under its default print options: line width 75, summarisation of arrays
/// with more than 1000 elements to 3 items at each edge of every axis, floats in <c>'maxprec'</c> mode
/// with precision 8 (see <see cref="FloatingFormat"/>).
/// </summary>
internal static class ArrayRepr
{
    private const int LineWidth = 75;
    private const int Threshold = 1000;
    private const int EdgeItems = 3;
    private const string Summary = "...";
    private const string Prefix = "Array(";

    /// <summary>
    /// <c>repr</c> of a JAX array holding <paramref name="buffer"/>:
    /// <c>Array([0., 1.], dtype=float32)</c>, <c>Array(3, dtype=int32, weak_type=True)</c>,
    /// <c>Array([], shape=(0,), dtype=float32)</c>.
    /// </summary>
    public static string Format(Buffer buffer, bool weakType)
    {
        string dtype = weakType ? $"dtype={buffer.DType.Name()}, weak_type=True)" : $"dtype={buffer.DType.Name()})";
        string body = buffer.Shape.ElementCount == 0
            ? $"[], shape={buffer.Shape.ToTupleString()}"
            : Array2String(buffer, ", ", Prefix.Length, suffixLength: 1);
        // JAX's own measure of the last line (two more than its length, the prefix not counted): when the
        // dtype would not fit, it is set off by the prefix's width in spaces, still on the same line.
        int lastLineLength = body.Length - body.LastIndexOf('\n') + 1;
        string spacer = lastLineLength + dtype.Length + 1 > LineWidth ? new string(' ', Prefix.Length) : " ";
        return Prefix + body + "," + spacer + dtype;
    }

    /// <summary>
    /// What <c>str()</c> prints for the array: <c>[0. 1. 2.]</c>, <c>[[1 2]\n [3 4]]</c>, <c>[]</c>, and for a
    /// 0-d array the scalar's own text (<c>1.0</c>, <c>True</c>).
    /// </summary>
    public static string FormatElements(Buffer buffer)
    {
        if (buffer.Shape.Rank == 0) return ElementFormat.ScalarText(buffer, 0);
        return buffer.Shape.ElementCount == 0 ? "[]" : Array2String(buffer, " ", prefixLength: 0, suffixLength: 0);
    }

    /// <summary>NumPy's <c>array2string</c> for a non-empty array.</summary>
    private static string Array2String(Buffer buffer, string separator, int prefixLength, int suffixLength)
    {
        bool summarize = buffer.Shape.ElementCount > Threshold;
        var layout = new Layout(buffer, separator, summarize);
        // Continuation lines start under the first element: past the prefix and the opening bracket.
        return layout.Format(0, 0, new string(' ', prefixLength + 1), LineWidth - suffixLength);
    }

    /// <summary>The recursive bracket-and-wrap layout of NumPy's <c>_formatArray</c>.</summary>
    private sealed class Layout
    {
        private readonly int[] _dims;
        private readonly long[] _strides;
        private readonly string _separator;
        private readonly bool _summarize;
        private readonly ElementFormat _format;

        public Layout(Buffer buffer, string separator, bool summarize)
        {
            _dims = buffer.Dims;
            _strides = Strides.RowMajor64(_dims);
            _separator = separator;
            _summarize = summarize;
            _format = ElementFormat.For(buffer, ShownPositions());
        }

        private bool Summarized(int axis) => _summarize && _dims[axis] > 2 * EdgeItems;

        /// <summary>The indices of an axis that are printed: all, or the leading and trailing edge items.</summary>
        private IEnumerable<int> ShownIndices(int axis) => Summarized(axis)
            ? Enumerable.Range(0, EdgeItems).Concat(Enumerable.Range(_dims[axis] - EdgeItems, EdgeItems))
            : Enumerable.Range(0, _dims[axis]);

        /// <summary>The flat positions of every printed element (the format is chosen from these alone).</summary>
        private List<long> ShownPositions()
        {
            var positions = new List<long> { 0 };
            for (int axis = 0; axis < _dims.Length; axis++)
            {
                long stride = _strides[axis];
                positions = [.. positions.SelectMany(p => ShownIndices(axis).Select(i => p + i * stride))];
            }
            return positions;
        }

        /// <summary>
        /// The text of the sub-array at <paramref name="axis"/> starting at flat position <paramref name="offset"/>:
        /// its lines after the first start with <paramref name="hangingIndent"/>, and no line (with its closing
        /// brackets) grows past <paramref name="width"/>.
        /// </summary>
        public string Format(int axis, long offset, string hangingIndent, int width)
        {
            if (axis == _dims.Length) return _format.Format(offset);

            string nextIndent = hangingIndent + " ";
            int nextWidth = width - 1; // room for this level's closing bracket
            int length = _dims[axis];
            bool summary = Summarized(axis);
            int leading = summary ? EdgeItems : 0;
            int trailing = summary ? EdgeItems : length;
            long stride = _strides[axis];
            string Item(int i) => Format(axis + 1, offset + i * stride, nextIndent, nextWidth);

            var s = new StringBuilder();
            if (axis == _dims.Length - 1)
            {
                // The innermost axis: words wrapped to leave room for a separator or bracket after each.
                int elementWidth = width - Math.Max(_separator.TrimEnd().Length, 1);
                string line = hangingIndent;
                for (int i = 0; i < leading; i++)
                {
                    line = ExtendLine(s, line, Item(i), elementWidth, hangingIndent) + _separator;
                }
                if (summary) line = ExtendLine(s, line, Summary, elementWidth, hangingIndent) + _separator;
                for (int i = trailing; i > 1; i--)
                {
                    line = ExtendLine(s, line, Item(length - i), elementWidth, hangingIndent) + _separator;
                }
                line = ExtendLine(s, line, Item(length - 1), elementWidth, hangingIndent);
                s.Append(line);
            }
            else
            {
                // Outer axes: one sub-array per line, with a blank line per extra level of nesting.
                string lineSeparator = _separator.TrimEnd() + new string('\n', _dims.Length - axis - 1);
                for (int i = 0; i < leading; i++) s.Append(hangingIndent).Append(Item(i)).Append(lineSeparator);
                if (summary) s.Append(hangingIndent).Append(Summary).Append(lineSeparator);
                for (int i = trailing; i > 1; i--) s.Append(hangingIndent).Append(Item(length - i)).Append(lineSeparator);
                s.Append(hangingIndent).Append(Item(length - 1));
            }
            return "[" + s.ToString(hangingIndent.Length, s.Length - hangingIndent.Length) + "]";
        }

        /// <summary>
        /// Appends <paramref name="word"/> to the current line, first moving the line into <paramref name="s"/>
        /// and starting a new one when the word would pass <paramref name="width"/> (never on an empty line).
        /// Returns the current line.
        /// </summary>
        private static string ExtendLine(StringBuilder s, string line, string word, int width, string indent)
        {
            if (line.Length + word.Length > width && line.Length > indent.Length)
            {
                s.Append(line.TrimEnd()).Append('\n');
                line = indent;
            }
            return line + word;
        }
    }
}
