using System.Diagnostics.CodeAnalysis;

namespace JaxToolchain.Ir;

/// <summary>The element types of arrays, as in <c>jax.numpy</c>.</summary>
public enum DType : byte
{
    /// <summary>Boolean (<c>bool</c>), stored one byte per element.</summary>
    Bool,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>IEEE binary16.</summary>
    Float16,
    /// <summary>bfloat16 (8 exponent bits, 7 mantissa bits).</summary>
    BFloat16,
    /// <summary>IEEE binary32.</summary>
    Float32,
    /// <summary>IEEE binary64.</summary>
    Float64,
}

/// <summary>Facts about each <see cref="DType"/>: names, sizes, kinds.</summary>
public static class DTypes
{
    /// <summary>Every dtype, in declaration order.</summary>
    public static IReadOnlyList<DType> All { get; } = Enum.GetValues<DType>();

    /// <summary>The NumPy/JAX name (<c>float32</c>, <c>int8</c>, <c>bool</c>).</summary>
    public static string Name(this DType t) => t switch
    {
        DType.Bool => "bool",
        DType.Int8 => "int8",
        DType.Int16 => "int16",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.UInt8 => "uint8",
        DType.UInt16 => "uint16",
        DType.UInt32 => "uint32",
        DType.UInt64 => "uint64",
        DType.Float16 => "float16",
        DType.BFloat16 => "bfloat16",
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>The short name used in IR text and jaxprs (<c>f32</c>, <c>i8</c>, <c>bool</c>).</summary>
    public static string ShortName(this DType t) => t switch
    {
        DType.Bool => "bool",
        DType.Int8 => "i8",
        DType.Int16 => "i16",
        DType.Int32 => "i32",
        DType.Int64 => "i64",
        DType.UInt8 => "u8",
        DType.UInt16 => "u16",
        DType.UInt32 => "u32",
        DType.UInt64 => "u64",
        DType.Float16 => "f16",
        DType.BFloat16 => "bf16",
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Parses either a long (<c>float32</c>) or a short (<c>f32</c>) dtype name.</summary>
    public static bool TryParse(string name, out DType dtype)
    {
        foreach (var t in All)
        {
            if (t.Name() == name || t.ShortName() == name)
            {
                dtype = t;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>Parses a dtype name, throwing when it is unknown.</summary>
    public static DType Parse(string name) =>
        TryParse(name, out var t) ? t : throw new FormatException($"unknown dtype '{name}'");

    /// <summary>Bytes per element.</summary>
    public static int ItemSize(this DType t) => t switch
    {
        DType.Bool or DType.Int8 or DType.UInt8 => 1,
        DType.Int16 or DType.UInt16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.UInt32 or DType.Float32 => 4,
        _ => 8,
    };

    /// <summary>Bits per element (1 for bool, as in JAX's <c>iinfo</c> conventions it is 8 in storage).</summary>
    public static int BitWidth(this DType t) => t == DType.Bool ? 1 : t.ItemSize() * 8;

    /// <summary>The lowest value of an integer dtype, as a long (0 for the unsigned ones and bool).</summary>
    public static long IntegerMin(this DType t) => t switch
    {
        DType.Int8 => sbyte.MinValue,
        DType.Int16 => short.MinValue,
        DType.Int32 => int.MinValue,
        DType.Int64 => long.MinValue,
        _ => 0,
    };

    /// <summary>The highest value of an integer dtype or bool (1), as a long; uint64's, all ones, as -1 (the same 64 bits).</summary>
    public static long IntegerMax(this DType t) => t switch
    {
        DType.Bool => 1,
        DType.Int8 => sbyte.MaxValue,
        DType.Int16 => short.MaxValue,
        DType.Int32 => int.MaxValue,
        DType.Int64 => long.MaxValue,
        DType.UInt8 => byte.MaxValue,
        DType.UInt16 => ushort.MaxValue,
        DType.UInt32 => uint.MaxValue,
        _ => -1,
    };

    /// <summary>True for the floating-point dtypes.</summary>
    public static bool IsFloat(this DType t) => t is DType.Float16 or DType.BFloat16 or DType.Float32 or DType.Float64;

    /// <summary>True for signed and unsigned integer dtypes (not bool).</summary>
    public static bool IsInteger(this DType t) => t.IsSignedInteger() || t.IsUnsignedInteger();

    /// <summary>True for int8..int64.</summary>
    public static bool IsSignedInteger(this DType t) => t is DType.Int8 or DType.Int16 or DType.Int32 or DType.Int64;

    /// <summary>True for uint8..uint64.</summary>
    public static bool IsUnsignedInteger(this DType t) => t is DType.UInt8 or DType.UInt16 or DType.UInt32 or DType.UInt64;

    /// <summary>NumPy's kind character: <c>b</c>, <c>i</c>, <c>u</c> or <c>f</c>.</summary>
    public static char Kind(this DType t) =>
        t == DType.Bool ? 'b' : t.IsSignedInteger() ? 'i' : t.IsUnsignedInteger() ? 'u' : 'f';

    /// <summary>The signed or unsigned integer dtype of a bit width.</summary>
    public static DType IntegerOfWidth(int bits, bool signed) => (bits, signed) switch
    {
        (8, true) => DType.Int8,
        (16, true) => DType.Int16,
        (32, true) => DType.Int32,
        (64, true) => DType.Int64,
        (8, false) => DType.UInt8,
        (16, false) => DType.UInt16,
        (32, false) => DType.UInt32,
        (64, false) => DType.UInt64,
        _ => throw new ArgumentOutOfRangeException(nameof(bits)),
    };

    /// <summary>The managed element type that stores this dtype in a <see cref="Buffer"/>.</summary>
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.None)]
    public static Type ClrType(this DType t) => t switch
    {
        DType.Bool => typeof(bool),
        DType.Int8 => typeof(sbyte),
        DType.Int16 => typeof(short),
        DType.Int32 => typeof(int),
        DType.Int64 => typeof(long),
        DType.UInt8 => typeof(byte),
        DType.UInt16 => typeof(ushort),
        DType.UInt32 => typeof(uint),
        DType.UInt64 => typeof(ulong),
        DType.Float16 => typeof(Half),
        DType.BFloat16 => typeof(BFloat16),
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>The dtype stored by a managed element type.</summary>
    public static DType FromClrType(Type type) =>
        type == typeof(bool) ? DType.Bool :
        type == typeof(sbyte) ? DType.Int8 :
        type == typeof(short) ? DType.Int16 :
        type == typeof(int) ? DType.Int32 :
        type == typeof(long) ? DType.Int64 :
        type == typeof(byte) ? DType.UInt8 :
        type == typeof(ushort) ? DType.UInt16 :
        type == typeof(uint) ? DType.UInt32 :
        type == typeof(ulong) ? DType.UInt64 :
        type == typeof(Half) ? DType.Float16 :
        type == typeof(BFloat16) ? DType.BFloat16 :
        type == typeof(float) ? DType.Float32 :
        type == typeof(double) ? DType.Float64 :
        throw new ArgumentException($"{type} is not an array element type");
}
