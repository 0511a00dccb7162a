using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>
/// A concrete, dense, row-major array in managed memory: the interpreter's values and the eager runtime's
/// storage. Elements live in a typed managed array (<see cref="DTypes.ClrType"/>). Buffers are treated as
/// immutable once handed out; kernels write only into buffers they just created.
/// </summary>
public sealed class Buffer
{
    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The static shape.</summary>
    public Shape Shape { get; }

    /// <summary>The elements in row-major order (an array of the dtype's managed element type).</summary>
    public Array Data { get; }

    /// <summary>Wraps a typed array; its element type must be the dtype's and its length the shape's size.</summary>
    public Buffer(DType dtype, Shape shape, Array data)
    {
        if (!shape.IsStatic) throw new ArgumentException($"a buffer needs a static shape, got {shape}");
        if (data.GetType().GetElementType() != dtype.ClrType())
            throw new ArgumentException($"{dtype.Name()} buffer needs {dtype.ClrType().Name}[] data, got {data.GetType().Name}");
        if (data.LongLength != shape.ElementCount)
            throw new ArgumentException($"shape {shape.ToTupleString()} needs {shape.ElementCount} elements, got {data.LongLength}");
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>A buffer over a typed array with a shape (default: 1-D).</summary>
    public static Buffer Of<T>(T[] data, params int[] shape) where T : unmanaged =>
        new(DTypes.FromClrType(typeof(T)), shape.Length == 0 && data.Length != 1 ? Shape.Of(data.Length) : Shape.Of(shape), data);

    /// <summary>A scalar buffer.</summary>
    public static Buffer Scalar<T>(T value) where T : unmanaged => new(DTypes.FromClrType(typeof(T)), Shape.Scalar, new[] { value });

    /// <summary>A zero-filled buffer.</summary>
    public static Buffer Zeros(DType dtype, Shape shape) =>
        new(dtype, shape, NewArray(dtype, checked((int)shape.ElementCount)));

    /// <summary>A new zeroed managed array of a dtype's element type.</summary>
    public static Array NewArray(DType dtype, int length) => dtype switch
    {
        DType.Bool => new bool[length],
        DType.Int8 => new sbyte[length],
        DType.Int16 => new short[length],
        DType.Int32 => new int[length],
        DType.Int64 => new long[length],
        DType.UInt8 => new byte[length],
        DType.UInt16 => new ushort[length],
        DType.UInt32 => new uint[length],
        DType.UInt64 => new ulong[length],
        DType.Float16 => new Half[length],
        DType.BFloat16 => new BFloat16[length],
        DType.Float32 => new float[length],
        DType.Float64 => new double[length],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>A scalar of a dtype holding a value converted with C# semantics (<see cref="ElementConversion"/>).</summary>
    public static Buffer ScalarOf(DType dtype, double value)
    {
        var b = Zeros(dtype, Shape.Scalar);
        b.SetDouble(0, value);
        return b;
    }

    /// <summary>The abstract type of this buffer (never weak).</summary>
    public ShapedType Type => new(DType, Shape);

    /// <summary>The number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The dimension sizes.</summary>
    public int[] Dims => Shape.IntSizes;

    /// <summary>The elements as a span of their managed type.</summary>
    public Span<T> Span<T>() where T : unmanaged =>
        DTypes.FromClrType(typeof(T)) == DType ? Unsafe.As<T[]>(Data) : throw new InvalidOperationException($"{DType.Name()} buffer accessed as {typeof(T).Name}");

    /// <summary>The elements' bytes.</summary>
    public Span<byte> Bytes => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(Data), Data.Length * DType.ItemSize());

    /// <summary>A copy with another shape of the same size.</summary>
    public Buffer Reshape(Shape shape) => new(DType, shape, Data);

    /// <summary>Element <paramref name="index"/> (flat) widened to double.</summary>
    public double GetDouble(int index) => ElementConversion.ToDouble(this, index);

    /// <summary>Element <paramref name="index"/> (flat) as a 64-bit integer (floats truncate toward zero).</summary>
    public long GetInt64(int index) => ElementConversion.ToInt64(this, index);

    /// <summary>Sets element <paramref name="index"/> from a double, converting as <c>convert_element_type</c> does.</summary>
    public void SetDouble(int index, double value) => ElementConversion.FromDouble(this, index, value);

    /// <summary>Sets element <paramref name="index"/> from a 64-bit integer, converting (wrapping) as <c>convert_element_type</c> does.</summary>
    public void SetInt64(int index, long value) => ElementConversion.FromInt64(this, index, value);

    /// <summary>True when dtype, shape and every byte agree.</summary>
    public bool BitwiseEquals(Buffer other) =>
        DType == other.DType && Shape == other.Shape && Bytes.SequenceEqual(other.Bytes);

    /// <summary>A deep copy.</summary>
    public Buffer Clone() => new(DType, Shape, (Array)Data.Clone());

    /// <inheritdoc/>
    public override string ToString() => $"Buffer {Type}";
}

/// <summary>
/// Per-element conversions between dtypes with XLA's semantics (the slow, general path). Dispatch is on the
/// buffer's <see cref="DType"/>, never on the array's runtime type: the CLR lets a <c>byte[]</c> pass as an
/// <c>sbyte[]</c> (and <c>ulong[]</c> as <c>long[]</c>) in type tests.
/// </summary>
public static class ElementConversion
{
    private static T[] A<T>(Buffer b) => Unsafe.As<T[]>(b.Data);

    /// <summary>Element <paramref name="i"/> widened to double (bool is 0/1).</summary>
    public static double ToDouble(Buffer b, int i) => b.DType switch
    {
        DType.Bool => A<bool>(b)[i] ? 1 : 0,
        DType.Int8 => A<sbyte>(b)[i],
        DType.Int16 => A<short>(b)[i],
        DType.Int32 => A<int>(b)[i],
        DType.Int64 => A<long>(b)[i],
        DType.UInt8 => A<byte>(b)[i],
        DType.UInt16 => A<ushort>(b)[i],
        DType.UInt32 => A<uint>(b)[i],
        DType.UInt64 => A<ulong>(b)[i],
        DType.Float16 => (double)A<Half>(b)[i],
        DType.BFloat16 => (double)A<BFloat16>(b)[i],
        DType.Float32 => A<float>(b)[i],
        DType.Float64 => A<double>(b)[i],
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Element <paramref name="i"/> as long (floats truncated toward zero and saturated; uint64 wraps).</summary>
    public static long ToInt64(Buffer b, int i) => b.DType switch
    {
        DType.Bool => A<bool>(b)[i] ? 1 : 0,
        DType.Int8 => A<sbyte>(b)[i],
        DType.Int16 => A<short>(b)[i],
        DType.Int32 => A<int>(b)[i],
        DType.Int64 => A<long>(b)[i],
        DType.UInt8 => A<byte>(b)[i],
        DType.UInt16 => A<ushort>(b)[i],
        DType.UInt32 => A<uint>(b)[i],
        DType.UInt64 => unchecked((long)A<ulong>(b)[i]),
        _ => FloatToInt64(ToDouble(b, i)),
    };

    private static long FloatToInt64(double d) =>
        double.IsNaN(d) ? 0 : d >= 9.2233720368547758e18 ? long.MaxValue : d <= -9.2233720368547758e18 ? long.MinValue : (long)d;

    /// <summary>Stores a double into element <paramref name="i"/>: floats round to nearest, integers truncate toward zero and saturate, NaN becomes 0, bool is <c>d != 0</c>.</summary>
    public static void FromDouble(Buffer b, int i, double d)
    {
        switch (b.DType)
        {
            case DType.Bool: A<bool>(b)[i] = d != 0; break;
            case DType.Float16: A<Half>(b)[i] = (Half)d; break;
            case DType.BFloat16: A<BFloat16>(b)[i] = (BFloat16)d; break;
            case DType.Float32: A<float>(b)[i] = (float)d; break;
            case DType.Float64: A<double>(b)[i] = d; break;
            case DType.UInt64: A<ulong>(b)[i] = double.IsNaN(d) || d <= 0 ? 0 : d >= 1.8446744073709552e19 ? ulong.MaxValue : (ulong)d; break;
            default: FromInt64Saturating(b, i, FloatToInt64(d)); break;
        }
    }

    private static void FromInt64Saturating(Buffer b, int i, long v)
    {
        switch (b.DType)
        {
            case DType.Int8: A<sbyte>(b)[i] = (sbyte)Math.Clamp(v, sbyte.MinValue, sbyte.MaxValue); break;
            case DType.Int16: A<short>(b)[i] = (short)Math.Clamp(v, short.MinValue, short.MaxValue); break;
            case DType.Int32: A<int>(b)[i] = (int)Math.Clamp(v, int.MinValue, int.MaxValue); break;
            case DType.Int64: A<long>(b)[i] = v; break;
            case DType.UInt8: A<byte>(b)[i] = (byte)Math.Clamp(v, byte.MinValue, byte.MaxValue); break;
            case DType.UInt16: A<ushort>(b)[i] = (ushort)Math.Clamp(v, ushort.MinValue, ushort.MaxValue); break;
            case DType.UInt32: A<uint>(b)[i] = (uint)Math.Clamp(v, uint.MinValue, uint.MaxValue); break;
            default: throw new InvalidOperationException();
        }
    }

    /// <summary>Stores a 64-bit integer into element <paramref name="i"/>: integers wrap (two's complement), floats round.</summary>
    public static void FromInt64(Buffer b, int i, long v)
    {
        unchecked
        {
            switch (b.DType)
            {
                case DType.Bool: A<bool>(b)[i] = v != 0; break;
                case DType.Int8: A<sbyte>(b)[i] = (sbyte)v; break;
                case DType.Int16: A<short>(b)[i] = (short)v; break;
                case DType.Int32: A<int>(b)[i] = (int)v; break;
                case DType.Int64: A<long>(b)[i] = v; break;
                case DType.UInt8: A<byte>(b)[i] = (byte)v; break;
                case DType.UInt16: A<ushort>(b)[i] = (ushort)v; break;
                case DType.UInt32: A<uint>(b)[i] = (uint)v; break;
                case DType.UInt64: A<ulong>(b)[i] = (ulong)v; break;
                case DType.Float16: A<Half>(b)[i] = (Half)v; break;
                case DType.BFloat16: A<BFloat16>(b)[i] = (BFloat16)(float)v; break;
                case DType.Float32: A<float>(b)[i] = v; break;
                case DType.Float64: A<double>(b)[i] = v; break;
                default: throw new InvalidOperationException();
            }
        }
    }
}
