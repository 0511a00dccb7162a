using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// The NumPy <c>.npy</c> format (versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, the version, the header length
/// (2 bytes in 1.0, 4 bytes after), a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>
/// padded with spaces and a newline so the data starts at a multiple of 64 bytes, then the elements.
/// </summary>
internal static class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The largest header we read: NumPy refuses headers above 10,000 bytes by default; we allow more.</summary>
    private const int MaxHeaderLength = 1 << 20;

    /// <summary>NumPy pads the header so a shape's growing axis can be rewritten in place (numpy.lib.format).</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>The .npy descr of a dtype, as NumPy writes it (bfloat16 as <c>&lt;V2</c>, as ml_dtypes' bfloat16 saves).</summary>
    public static string Descr(DType dtype) => dtype switch
    {
        DType.Bool => "|b1",
        DType.Int8 => "|i1",
        DType.UInt8 => "|u1",
        DType.BFloat16 => "<V2",
        _ => "<" + dtype.Kind() + dtype.ItemSize().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The dtype of a descr and whether its bytes are big-endian; null when we have no such dtype. A two-byte void
    /// (<c>V2</c>) is bfloat16: that is how NumPy saves ml_dtypes' bfloat16, and how <c>jnp.load</c> reads it back.
    /// </summary>
    public static (DType DType, bool BigEndian)? ParseDescr(string descr)
    {
        if (descr.Length < 2) return null;
        char order = descr[0];
        string rest = descr;
        bool big = false;
        switch (order)
        {
            case '<' or '|' or '=':
                rest = descr[1..];
                big = order == '=' && !BitConverter.IsLittleEndian;
                break;
            case '>' or '!':
                rest = descr[1..];
                big = true;
                break;
        }
        DType? dtype = rest switch
        {
            "b1" or "?" => DType.Bool,
            "i1" or "b" => DType.Int8,
            "u1" or "B" => DType.UInt8,
            "i2" or "h" => DType.Int16,
            "u2" or "H" => DType.UInt16,
            "i4" or "i" => DType.Int32,
            "u4" or "I" => DType.UInt32,
            "i8" or "q" => DType.Int64,
            "u8" or "Q" => DType.UInt64,
            "f2" or "e" => DType.Float16,
            "f4" or "f" => DType.Float32,
            "f8" or "d" => DType.Float64,
            "V2" => DType.BFloat16,
            _ => null,
        };
        if (dtype is null) return null;
        return (dtype.Value, big && dtype.Value.ItemSize() > 1);
    }

    /// <summary>
    /// Reads one array from <paramref name="stream"/>. <paramref name="available"/> is the number of bytes the source
    /// holds from the stream's position (null when unknown: a seekable stream's length is used); the data's size is
    /// checked against it before anything is allocated.
    /// </summary>
    public static Tensor Read(Stream stream, string source, string key, long? available)
    {
        if (available is null && stream.CanSeek) available = stream.Length - stream.Position;
        Span<byte> preamble = stackalloc byte[12];
        ReadHeaderBytes(stream, preamble[..8], source, key, "the magic and version");
        if (!preamble[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{source}: '{key}' is not a .npy array: it does not start with the magic \\x93NUMPY");
        byte major = preamble[6], minor = preamble[7];
        long headerLength;
        int preambleLength;
        if (major == 1 && minor == 0)
        {
            ReadHeaderBytes(stream, preamble[8..10], source, key, "the header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..10]);
            preambleLength = 10;
        }
        else if (major is 2 or 3 && minor == 0)
        {
            ReadHeaderBytes(stream, preamble[8..12], source, key, "the header length");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..12]);
            preambleLength = 12;
        }
        else
        {
            throw new InvalidDataException($"{source}: '{key}' has .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are supported");
        }
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{source}: '{key}' has a .npy header of {headerLength} bytes, more than the {MaxHeaderLength} allowed");
        if (available is { } a && preambleLength + headerLength > a)
            throw new InvalidDataException($"{source}: '{key}' is truncated: its .npy header needs {preambleLength + headerLength} bytes, the file holds {a}");
        var headerBytes = new byte[headerLength];
        ReadHeaderBytes(stream, headerBytes, source, key, "the header");
        string text;
        try
        {
            text = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{source}: '{key}' has a .npy version 3.0 header that is not UTF-8");
        }
        var (dtype, bigEndian, fortran, sizes) = ParseHeader(text, source, key);
        long bytes = ArrayBytes.ByteCount(dtype, sizes, source, key);
        if (available is { } left && bytes > left - preambleLength - headerLength)
            throw new InvalidDataException(
                $"{source}: '{key}' is truncated or its header lies: shape ({string.Join(", ", sizes)}) of {dtype.Name()} needs {bytes} bytes of data, the file holds {Math.Max(0, left - preambleLength - headerLength)}");
        var shape = Shape.Of(fortran ? [.. sizes.AsEnumerable().Reverse()] : sizes.ToArray());
        var buffer = ArrayBytes.Read(stream, dtype, shape, bigEndian != !BitConverter.IsLittleEndian && dtype.ItemSize() > 1, source, key, available is not null);
        var tensor = ArrayBytes.ToTensor(buffer);
        if (fortran && sizes.Count > 1)
        {
            // Column-major data is the row-major array of the reversed shape: its transpose is the array.
            var transposed = Jnp.Transpose(tensor);
            tensor.Dispose();
            return transposed;
        }
        return tensor;
    }

    private static void ReadHeaderBytes(Stream stream, Span<byte> target, string source, string key, string what)
    {
        if (stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false) < target.Length)
            throw new InvalidDataException($"{source}: '{key}' is truncated: the file ends inside {what} of its .npy header");
    }

    /// <summary>Parses the header dict: its descr (a dtype we have), fortran_order and shape.</summary>
    private static (DType DType, bool BigEndian, bool Fortran, List<long> Sizes) ParseHeader(string text, string source, string key)
    {
        object? parsed;
        try
        {
            var parser = new PyLiteral(text);
            parsed = parser.ParseValue();
            parser.End();
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{source}: '{key}' has a .npy header that is not a Python dict literal: {e.Message}");
        }
        if (parsed is not List<KeyValuePair<string, object?>> items)
            throw new InvalidDataException($"{source}: '{key}' has a .npy header that is not a dict: {Abbreviate(text)}");
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in items)
        {
            if (!dict.TryAdd(k, v))
                throw new InvalidDataException($"{source}: '{key}' has the key '{k}' twice in its .npy header");
        }
        foreach (var name in new[] { "descr", "fortran_order", "shape" })
        {
            if (!dict.ContainsKey(name))
                throw new InvalidDataException($"{source}: '{key}' has no '{name}' in its .npy header {Abbreviate(text)}");
        }
        if (dict.Count != 3)
            throw new InvalidDataException($"{source}: '{key}' has unexpected keys in its .npy header: {string.Join(", ", dict.Keys.Where(k => k is not ("descr" or "fortran_order" or "shape")))}");
        if (dict["descr"] is not string descr)
            throw new InvalidDataException($"{source}: '{key}' has a structured dtype descr in its .npy header ({Abbreviate(text)}); only plain dtypes are supported");
        var parsedDescr = ParseDescr(descr) ?? throw new InvalidDataException(
            $"{source}: '{key}' has the dtype descr '{descr}', which has no Jax.Toolchain dtype (supported: bool, int8-64, uint8-64, float16, bfloat16 as V2, float32, float64)");
        if (dict["fortran_order"] is not bool fortran)
            throw new InvalidDataException($"{source}: '{key}' has a fortran_order that is not True or False in its .npy header");
        if (dict["shape"] is not List<object?> dims || dims.Any(d => d is not long))
            throw new InvalidDataException($"{source}: '{key}' has a shape that is not a tuple of integers in its .npy header: {Abbreviate(text)}");
        return (parsedDescr.DType, parsedDescr.BigEndian, fortran, dims.Select(d => (long)d!).ToList());
    }

    private static string Abbreviate(string text) => text.Length <= 200 ? text.TrimEnd() : text[..200] + "...";

    /// <summary>The .npy header of an array, padded as NumPy pads it, with the format version it needs.</summary>
    public static byte[] Header(DType dtype, Shape shape)
    {
        var sb = new StringBuilder();
        sb.Append("{'descr': '").Append(Descr(dtype)).Append("', 'fortran_order': False, 'shape': ").Append(shape.ToTupleString()).Append(", }");
        if (shape.Rank > 0)
            sb.Append(' ', Math.Max(0, GrowthAxisMaxDigits - shape[0].Size.ToString(CultureInfo.InvariantCulture).Length));
        var header = Encoding.ASCII.GetBytes(sb.ToString());
        // As numpy.lib.format._wrap_header: header + spaces + '\n', the whole preamble a multiple of 64 bytes.
        int hlen = header.Length + 1;
        bool v1 = hlen + 64 - ((10 + hlen) % 64) <= ushort.MaxValue;
        int prefix = v1 ? 10 : 12;
        int pad = 64 - ((prefix + hlen) % 64);
        var result = new byte[prefix + hlen + pad];
        Magic.CopyTo(result);
        result[6] = (byte)(v1 ? 1 : 2);
        result[7] = 0;
        if (v1) BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)(hlen + pad));
        else BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)(hlen + pad));
        header.CopyTo(result, prefix);
        result.AsSpan(prefix + header.Length, pad).Fill((byte)' ');
        result[^1] = (byte)'\n';
        return result;
    }

    /// <summary>Writes <paramref name="tensor"/> as a .npy array.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        stream.Write(Header(tensor.DType, tensor.Shape));
        ArrayBytes.Write(stream, tensor);
    }

    /// <summary>
    /// A parser of the Python literals in .npy headers: dicts (as ordered key/value lists with string keys), tuples and
    /// lists (as lists), strings, integers (a trailing <c>L</c> allowed), <c>True</c>, <c>False</c> and <c>None</c>.
    /// </summary>
    private sealed class PyLiteral(string text)
    {
        private int _pos;
        private int _depth;

        public void End()
        {
            SkipSpace();
            if (_pos != text.Length) throw Error("unexpected text after the literal");
        }

        private FormatException Error(string what) => new($"{what} at offset {_pos}");

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private bool TryTake(char c)
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        public object? ParseValue()
        {
            SkipSpace();
            if (_pos >= text.Length) throw Error("the literal ends early");
            if (++_depth > 32) throw Error("the literal nests too deeply");
            try
            {
                char c = text[_pos];
                switch (c)
                {
                    case '{': return ParseDict();
                    case '(': return ParseSequence('(', ')');
                    case '[': return ParseSequence('[', ']');
                    case '\'' or '"': return ParseString();
                }
                if (c == '-' || c == '+' || char.IsAsciiDigit(c)) return ParseInteger();
                foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
                {
                    if (string.CompareOrdinal(text, _pos, word, 0, word.Length) == 0)
                    {
                        _pos += word.Length;
                        return value;
                    }
                }
                throw Error($"unexpected character '{c}'");
            }
            finally
            {
                _depth--;
            }
        }

        private List<KeyValuePair<string, object?>> ParseDict()
        {
            _pos++;
            var items = new List<KeyValuePair<string, object?>>();
            while (true)
            {
                if (TryTake('}')) return items;
                if (ParseValue() is not string k) throw Error("a dict key is not a string");
                if (!TryTake(':')) throw Error("expected ':'");
                items.Add(new(k, ParseValue()));
                if (TryTake('}')) return items;
                if (!TryTake(',')) throw Error("expected ',' or '}'");
            }
        }

        private List<object?> ParseSequence(char open, char close)
        {
            _pos++;
            var items = new List<object?>();
            while (true)
            {
                if (TryTake(close)) return items;
                items.Add(ParseValue());
                if (TryTake(close)) return items;
                if (!TryTake(',')) throw Error($"expected ',' or '{close}' in a {(open == '(' ? "tuple" : "list")}");
            }
        }

        private string ParseString()
        {
            char quote = text[_pos++];
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length) throw Error("a string is not closed");
                char c = text[_pos++];
                if (c == quote) return sb.ToString();
                if (c == '\\')
                {
                    if (_pos >= text.Length) throw Error("a string is not closed");
                    char e = text[_pos++];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
                }
                else
                {
                    sb.Append(c);
                }
            }
        }

        private long ParseInteger()
        {
            int start = _pos;
            if (text[_pos] is '-' or '+') _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            var digits = text[start.._pos];
            if (_pos < text.Length && text[_pos] is 'L' or 'l') _pos++;
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                _pos = start;
                throw Error($"the integer {digits} is not a 64-bit integer");
            }
            return value;
        }
    }
}
