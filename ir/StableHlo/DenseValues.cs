using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Element types and <c>dense&lt;...&gt;</c> literals: MLIR element type names to <see cref="DType"/>, and literals
/// (nested lists, splats, <c>true</c>/<c>false</c>, decimal and hex-bit-pattern floats, hex blobs) to buffers.
/// </summary>
internal static class DenseValues
{
    /// <summary>The dtype of an MLIR element type name, or null when we have none (i2/i4, complex, f8 kinds, quantized, ...).</summary>
    public static DType? ElementType(string name) => name switch
    {
        "i1" => DType.Bool,
        "i8" or "si8" => DType.Int8,
        "i16" or "si16" => DType.Int16,
        "i32" or "si32" => DType.Int32,
        "i64" or "si64" => DType.Int64,
        "ui8" => DType.UInt8,
        "ui16" => DType.UInt16,
        "ui32" => DType.UInt32,
        "ui64" => DType.UInt64,
        "f16" => DType.Float16,
        "bf16" => DType.BFloat16,
        "f32" => DType.Float32,
        "f64" => DType.Float64,
        _ => null,
    };

    public static bool IsFloatTypeName(string name) => name is "f16" or "bf16" or "f32" or "f64";

    public static BigInteger ParseInteger(string text)
    {
        bool negative = text.StartsWith('-');
        var body = text.TrimStart('-', '+');
        var value = body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? BigInteger.Parse("0" + body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : BigInteger.Parse(body, NumberStyles.None, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    /// <summary>A hex bit pattern (<c>0x7F800000</c>) read as a float of the named type, widened to double.</summary>
    public static double HexBitsToDouble(string text, string floatType)
    {
        var bits = (ulong)(ParseInteger(text) & ulong.MaxValue);
        return floatType switch
        {
            "f16" => (double)BitConverter.UInt16BitsToHalf((ushort)bits),
            "bf16" => (double)BFloat16.FromBits((ushort)bits),
            "f32" => BitConverter.UInt32BitsToSingle((uint)bits),
            _ => BitConverter.UInt64BitsToDouble(bits),
        };
    }

    /// <summary>The buffer a literal denotes for a static shape (a single element is a splat over the shape).</summary>
    public static Buffer ToBuffer(DenseLiteral literal, DType dtype, Shape shape, Func<string, Exception> error)
    {
        long count = shape.ElementCount;
        var buffer = Buffer.Zeros(dtype, shape);
        if (literal is DenseHexBlob blob)
        {
            var hex = blob.Hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? blob.Hex[2..] : blob.Hex;
            var bytes = Convert.FromHexString(hex);
            int item = dtype.ItemSize();
            if (bytes.Length == item && count != 1)
            {
                for (long i = 0; i < count; i++) bytes.CopyTo(buffer.Bytes.Slice((int)(i * item), item));
            }
            else if (bytes.Length == buffer.ByteLength) bytes.CopyTo(buffer.Bytes);
            else throw error($"a hex constant of {bytes.Length} bytes does not fill {dtype.ShortName()}{shape}");
            return buffer;
        }
        var flat = new List<DenseScalar>();
        Flatten(literal, flat, error);
        if (flat.Count == 1 && (literal is DenseScalar || count != 1))
        {
            for (long i = 0; i < count; i++) Store(buffer, i, flat[0].Text, error);
            return buffer;
        }
        if (flat.Count != count) throw error($"the constant has {flat.Count} elements, its type {dtype.ShortName()}{shape} {count}");
        for (int i = 0; i < flat.Count; i++) Store(buffer, i, flat[i].Text, error);
        return buffer;
    }

    private static void Flatten(DenseLiteral literal, List<DenseScalar> into, Func<string, Exception> error)
    {
        switch (literal)
        {
            case DenseScalar s:
                into.Add(s);
                break;
            case DenseList l:
                foreach (var e in l.Elements) Flatten(e, into, error);
                break;
            default:
                throw error("complex constants are not supported");
        }
    }

    private static void Store(Buffer buffer, long index, string text, Func<string, Exception> error)
    {
        var dtype = buffer.DType;
        bool hex = text.Contains("0x", StringComparison.OrdinalIgnoreCase);
        if (text is "true" or "false")
        {
            buffer.SetInt64(index, text == "true" ? 1 : 0);
            return;
        }
        if (dtype.IsFloat())
        {
            if (hex)
            {
                var bits = (ulong)(ParseInteger(text) & ulong.MaxValue);
                var bytes = buffer.Bytes.Slice((int)(index * dtype.ItemSize()), dtype.ItemSize());
                switch (dtype.ItemSize())
                {
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)bits); break;
                    case 4: BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bits); break;
                    default: BinaryPrimitives.WriteUInt64LittleEndian(bytes, bits); break;
                }
                return;
            }
            double d = text switch
            {
                "inf" => double.PositiveInfinity,
                "nan" => double.NaN,
                _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            if (dtype == DType.Float16)
                buffer.Span<Half>()[(int)index] = (Half)d;
            else if (dtype == DType.Float32)
                buffer.Span<float>()[(int)index] = (float)d;
            else buffer.SetDouble(index, d);
            return;
        }
        if (text.Contains('.', StringComparison.Ordinal) || (!hex && text.Contains('e', StringComparison.OrdinalIgnoreCase)))
            throw error($"'{text}' is not an integer");
        var value = ParseInteger(text);
        if (dtype == DType.Bool)
        {
            buffer.SetInt64(index, value.IsZero ? 0 : 1);
            return;
        }
        buffer.SetInt64(index, unchecked((long)(ulong)(value & ulong.MaxValue)));
    }
}
