using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>
/// A concrete, dense, row-major host array (contract version <see cref="ExecutionContracts.HostBufferVersion"/>): the
/// interpreter's values, the eager runtime's storage, and what a compiled CPU kernel reads and writes in place.
/// Elements live in 64-byte-aligned native memory from <see cref="HostAllocators.Current"/> (pooled), sizes are
/// 64-bit; element access goes through spans. Buffers are immutable once handed out: kernels write only into
/// buffers they just created.
/// <para>
/// Memory is released when the buffer is disposed (deterministically, what the interpreter does with
/// intermediates after their last use) or, for a buffer that is never disposed, when it becomes unreachable.
/// Several buffers may view one block (a reshape shares its operand's memory); each holds its own reference.
/// Reading a disposed buffer throws <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// A <em>splat</em> is a buffer of any shape whose elements are all one value, stored once (a scalar broadcast with
/// zero strides): elementwise kernels compute on it as a scalar, and it is written out in full only when a kernel
/// asks for its elements as a span.
/// </para>
/// </summary>
public sealed unsafe class Buffer : IDisposable
{
    private HostMemory? _memory;
    private nint _pointer;
    private volatile bool _splat;

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The static shape.</summary>
    public Shape Shape { get; }

    /// <summary>The number of elements.</summary>
    public long LongLength { get; }

    private Buffer(DType dtype, Shape shape, HostMemory memory, nint pointer, bool splat)
    {
        DType = dtype;
        Shape = shape;
        LongLength = shape.ElementCount;
        _memory = memory;
        _pointer = pointer;
        _splat = splat;
    }

    /// <summary>A buffer of a dtype and static shape whose contents are undefined (every element is to be written).</summary>
    public static Buffer Uninitialized(DType dtype, Shape shape)
    {
        long bytes = ByteCount(dtype, shape);
        HostMemory memory;
        try
        {
            memory = HostMemory.Allocate(bytes);
        }
        catch (HostOutOfMemoryException)
        {
            throw new HostOutOfMemoryException(bytes,
                $"RESOURCE_EXHAUSTED: cannot allocate {HostOutOfMemoryException.FormatBytes(bytes)} for an array {dtype.Name()}{shape} " +
                $"(this machine has {HostOutOfMemoryException.FormatBytes(HostAllocators.MaxBlockBytes)} of memory)");
        }
        return new Buffer(dtype, shape, memory, memory.Pointer, splat: false);
    }

    /// <summary>A zero-filled buffer.</summary>
    public static Buffer Zeros(DType dtype, Shape shape)
    {
        var b = Uninitialized(dtype, shape);
        NativeMemory.Clear((void*)b._pointer, (nuint)b.ByteLength);
        return b;
    }

    /// <summary>A buffer holding a copy of a typed array; its element type must be the dtype's and its length the shape's size.</summary>
    public Buffer(DType dtype, Shape shape, Array data)
    {
        Check(dtype, shape, data.GetType().GetElementType(), data.LongLength);
        DType = dtype;
        Shape = shape;
        LongLength = shape.ElementCount;
        var source = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(data), checked((int)ByteLength));
        var memory = HostMemory.Allocate(ByteLength);
        _memory = memory;
        _pointer = memory.Pointer;
        source.CopyTo(new Span<byte>((void*)_pointer, source.Length));
    }

    private static void Check(DType dtype, Shape shape, Type? elementType, long length)
    {
        if (!shape.IsStatic) throw new ArgumentException($"a buffer needs a static shape, got {shape}");
        if (elementType != dtype.ClrType())
            throw new ArgumentException($"{dtype.Name()} buffer needs {dtype.ClrType().Name} data, got {elementType?.Name ?? "nothing"}");
        if (length != shape.ElementCount)
            throw new ArgumentException($"shape {shape.ToTupleString()} needs {shape.ElementCount} elements, got {length}");
    }

    /// <summary>A buffer holding a copy of <paramref name="data"/> with a shape (default: 1-D).</summary>
    public static Buffer Of<T>(T[] data, params int[] shape) where T : unmanaged =>
        new(DTypes.FromClrType(typeof(T)), shape.Length == 0 && data.Length != 1 ? Shape.Of(data.Length) : Shape.Of(shape), data);

    /// <summary>A buffer holding a copy of the elements of <paramref name="data"/> with a static shape.</summary>
    public static Buffer FromSpan<T>(ReadOnlySpan<T> data, Shape shape) where T : unmanaged
    {
        var dtype = DTypes.FromClrType(typeof(T));
        Check(dtype, shape, typeof(T), data.Length);
        var b = Uninitialized(dtype, shape);
        data.CopyTo(b.Span<T>());
        return b;
    }

    /// <summary>A scalar buffer.</summary>
    public static Buffer Scalar<T>(T value) where T : unmanaged
    {
        var b = Uninitialized(DTypes.FromClrType(typeof(T)), Shape.Scalar);
        *(T*)b._pointer = value;
        return b;
    }

    /// <summary>A scalar of a dtype holding a value converted with C# semantics (<see cref="ElementConversion"/>).</summary>
    public static Buffer ScalarOf(DType dtype, double value)
    {
        var b = Uninitialized(dtype, Shape.Scalar);
        b.SetDouble(0, value);
        return b;
    }

    /// <summary>
    /// A splat: <paramref name="shape"/> filled with the single element of <paramref name="element"/> (of any shape
    /// with one element, or itself a splat), stored once.
    /// </summary>
    public static Buffer Splat(Buffer element, Shape shape)
    {
        if (element.LongLength != 1 && !element.IsSplat)
            throw new ArgumentException($"a splat needs a one-element buffer, got {element.Type}");
        if (!shape.IsStatic) throw new ArgumentException($"a buffer needs a static shape, got {shape}");
        int size = element.DType.ItemSize();
        var memory = HostMemory.Allocate(size);
        new ReadOnlySpan<byte>((void*)element.RawPointer, size).CopyTo(new Span<byte>((void*)memory.Pointer, size));
        return new Buffer(element.DType, shape, memory, memory.Pointer, splat: shape.ElementCount != 1);
    }

    /// <summary>The number of bytes a dense array of a dtype and static shape takes; throws when it overflows.</summary>
    public static long ByteCount(DType dtype, Shape shape)
    {
        if (!shape.IsStatic) throw new ArgumentException($"a buffer needs a static shape, got {shape}");
        try
        {
            return checked(shape.ElementCount * dtype.ItemSize());
        }
        catch (OverflowException)
        {
            throw new HostOutOfMemoryException(long.MaxValue, $"RESOURCE_EXHAUSTED: an array {dtype.Name()}{shape} has more than 2^63 bytes");
        }
    }

    /// <summary>The abstract type of this buffer (never weak).</summary>
    public ShapedType Type => new(DType, Shape);

    /// <summary>The number of elements, for kernels that index with <see cref="int"/>; throws above 2^31 - 1 elements.</summary>
    public int Length => LongLength <= int.MaxValue
        ? (int)LongLength
        : throw new NotSupportedException($"the reference interpreter handles arrays of at most 2^31 - 1 elements; {Type.ToLongString()} has {LongLength}");

    /// <summary>The size of the elements in bytes.</summary>
    public long ByteLength => LongLength * DType.ItemSize();

    /// <summary>The dimension sizes.</summary>
    public int[] Dims => Shape.IntSizes;

    /// <summary>True for a splat whose elements are not written out (see the class remarks).</summary>
    public bool IsSplat => _splat;

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _memory) is null;

    /// <summary>The address of the first element (a splat is written out first); valid while this buffer is not disposed.</summary>
    public nint Pointer
    {
        get
        {
            EnsureDense();
            return Address;
        }
    }

    // The address without writing a splat out: element 0 of a splat is its value.
    private nint RawPointer => Address;

    private nint Address => Volatile.Read(ref _memory) is not null ? _pointer : throw Deleted();

    /// <summary>The elements as a span of their managed type.</summary>
    public Span<T> Span<T>() where T : unmanaged
    {
        if (sizeof(T) != DType.ItemSize() || DTypes.FromClrType(typeof(T)) != DType)
            throw new InvalidOperationException($"{DType.Name()} buffer accessed as {typeof(T).Name}");
        return new Span<T>((void*)Pointer, Length);
    }

    /// <summary>The elements' bytes.</summary>
    public Span<byte> Bytes => new((void*)Pointer, checked((int)ByteLength));

    /// <summary>The value of a splat as a one-element span, or the whole buffer's elements otherwise.</summary>
    internal ReadOnlySpan<byte> SplatOrDenseBytes => _splat ? new ReadOnlySpan<byte>((void*)RawPointer, DType.ItemSize()) : Bytes;

    private void EnsureDense()
    {
        if (!_splat) return;
        lock (this)
        {
            if (!_splat) return;
            var old = _memory ?? throw Deleted();
            int size = DType.ItemSize();
            var memory = HostMemory.Allocate(ByteLength);
            var value = new ReadOnlySpan<byte>((void*)_pointer, size);
            var target = new Span<byte>((void*)memory.Pointer, checked((int)ByteLength));
            switch (size)
            {
                case 1: target.Fill(value[0]); break;
                case 2: MemoryMarshal.Cast<byte, ushort>(target).Fill(MemoryMarshal.Read<ushort>(value)); break;
                case 4: MemoryMarshal.Cast<byte, uint>(target).Fill(MemoryMarshal.Read<uint>(value)); break;
                default: MemoryMarshal.Cast<byte, ulong>(target).Fill(MemoryMarshal.Read<ulong>(value)); break;
            }
            _pointer = memory.Pointer;
            _memory = memory;
            _splat = false;
            old.Release();
        }
    }

    /// <summary>A buffer with another shape of the same size viewing the same memory (a splat stays a splat).</summary>
    public Buffer Reshape(Shape shape)
    {
        if (!shape.IsStatic || shape.ElementCount != LongLength)
            throw new ArgumentException($"cannot view {Type} as shape {shape}");
        return View(DType, shape);
    }

    /// <summary>Another buffer object over the same memory and shape, with its own reference (dispose each separately).</summary>
    public Buffer Share() => View(DType, Shape);

    /// <summary>A view of the same memory as another dtype of the same size (bool as uint8, for kernels).</summary>
    internal Buffer Reinterpret(DType dtype)
    {
        if (dtype.ItemSize() != DType.ItemSize()) throw new ArgumentException($"cannot view {Type} as {dtype.Name()}");
        return View(dtype, Shape);
    }

    private Buffer View(DType dtype, Shape shape)
    {
        var (memory, pointer, splat) = Referenced();
        return new Buffer(dtype, shape, memory, pointer, splat && shape.ElementCount != 1);
    }

    /// <summary>
    /// The memory with one more reference, its address and whether it holds a splat, read together: a splat being
    /// written out swaps all three under the buffer's lock, so only a splat reads them under it.
    /// </summary>
    private (HostMemory Memory, nint Pointer, bool Splat) Referenced()
    {
        if (_splat)
        {
            lock (this)
            {
                var memory = _memory ?? throw Deleted();
                memory.AddReference();
                return (memory, _pointer, _splat);
            }
        }
        var dense = Volatile.Read(ref _memory) ?? throw Deleted();
        dense.AddReference();
        return (dense, _pointer, false);
    }

    private ObjectDisposedException Deleted() => new(nameof(Buffer), $"the array {Type} has been deleted (disposed or donated)");

    /// <summary>
    /// Elements <c>[start, start + count)</c> as a 1-D buffer over the same memory (a splat gives a splat); for kernels
    /// that work chunk by chunk.
    /// </summary>
    internal Buffer Slice(long start, long count)
    {
        if (start < 0 || count < 0 || start + count > LongLength)
            throw new ArgumentOutOfRangeException(nameof(start), $"elements [{start}, {start + count}) are outside {Type}");
        var (memory, pointer, splat) = Referenced();
        return splat
            ? new Buffer(DType, Shape.Of(count), memory, pointer, splat: count != 1)
            : new Buffer(DType, Shape.Of(count), memory, pointer + (nint)(start * DType.ItemSize()), splat: false);
    }

    /// <summary>True when this buffer is the only view of its memory and holds its elements (not a splat): writing it changes nothing else.</summary>
    internal bool IsSoleDenseView => !_splat && _memory is { IsShared: false };

    /// <summary>True when both buffers view the same memory block.</summary>
    public bool SharesMemoryWith(Buffer other) => ReferenceEquals(_memory, other._memory) && _memory is not null;

    /// <summary>Element <paramref name="index"/> (flat) widened to double.</summary>
    public double GetDouble(long index) => ElementConversion.ToDouble(this, index);

    /// <summary>Element <paramref name="index"/> (flat) as a 64-bit integer (floats truncate toward zero).</summary>
    public long GetInt64(long index) => ElementConversion.ToInt64(this, index);

    /// <summary>Sets element <paramref name="index"/> from a double, converting as <c>convert_element_type</c> does.</summary>
    public void SetDouble(long index, double value) => ElementConversion.FromDouble(this, index, value);

    /// <summary>Sets element <paramref name="index"/> from a 64-bit integer, converting (wrapping) as <c>convert_element_type</c> does.</summary>
    public void SetInt64(long index, long value) => ElementConversion.FromInt64(this, index, value);

    /// <summary>A reference to element <paramref name="index"/> as <typeparamref name="T"/> (element 0 of a splat for any index); for element conversion.</summary>
    internal ref T Element<T>(long index) where T : unmanaged
    {
        if ((ulong)index >= (ulong)LongLength) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is outside {Type}");
        if (_splat) index = 0;
        // Writing through a splat would change every element: writers get a dense buffer.
        return ref Unsafe.AsRef<T>((void*)(RawPointer + (nint)(index * sizeof(T))));
    }

    /// <summary>True when dtype, shape and every element's bytes agree.</summary>
    public bool BitwiseEquals(Buffer other)
    {
        if (DType != other.DType || Shape != other.Shape) return false;
        if (_splat && other._splat) return SplatOrDenseBytes.SequenceEqual(other.SplatOrDenseBytes);
        return Bytes.SequenceEqual(other.Bytes);
    }

    /// <summary>A deep copy (dense).</summary>
    public Buffer Clone()
    {
        var copy = Uninitialized(DType, Shape);
        Bytes.CopyTo(copy.Bytes);
        return copy;
    }

    /// <summary>The elements in row-major order as a new managed array of the dtype's element type.</summary>
    public Array ToArray() => DType switch
    {
        DType.Bool => ToArray<bool>(),
        DType.Int8 => ToArray<sbyte>(),
        DType.Int16 => ToArray<short>(),
        DType.Int32 => ToArray<int>(),
        DType.Int64 => ToArray<long>(),
        DType.UInt8 => ToArray<byte>(),
        DType.UInt16 => ToArray<ushort>(),
        DType.UInt32 => ToArray<uint>(),
        DType.UInt64 => ToArray<ulong>(),
        DType.Float16 => ToArray<Half>(),
        DType.BFloat16 => ToArray<BFloat16>(),
        DType.Float32 => ToArray<float>(),
        DType.Float64 => ToArray<double>(),
        _ => throw new InvalidOperationException($"no array type for {DType}"),
    };

    /// <summary>The elements as a new <typeparamref name="T"/>[] (the dtype's own element type).</summary>
    public T[] ToArray<T>() where T : unmanaged => Span<T>().ToArray();

    /// <summary>Releases this buffer's reference to its memory; reading it afterwards throws. Safe to call twice.</summary>
    public void Dispose()
    {
        HostMemory? memory;
        if (_splat)
        {
            lock (this)
            {
                memory = _memory;
                _memory = null;
            }
        }
        else
        {
            memory = Interlocked.Exchange(ref _memory, null);
        }
        memory?.Release();
    }

    /// <inheritdoc/>
    public override string ToString() => $"Buffer {Type}";
}

/// <summary>
/// Per-element conversions between dtypes with XLA's semantics (the slow, general path). Dispatch is on the
/// buffer's <see cref="DType"/>.
/// </summary>
public static class ElementConversion
{
    private static ref T A<T>(Buffer b, long i) where T : unmanaged => ref b.Element<T>(i);

    /// <summary>Element <paramref name="i"/> widened to double (bool is 0/1).</summary>
    public static double ToDouble(Buffer b, long i) => b.DType switch
    {
        DType.Bool => A<bool>(b, i) ? 1 : 0,
        DType.Int8 => A<sbyte>(b, i),
        DType.Int16 => A<short>(b, i),
        DType.Int32 => A<int>(b, i),
        DType.Int64 => A<long>(b, i),
        DType.UInt8 => A<byte>(b, i),
        DType.UInt16 => A<ushort>(b, i),
        DType.UInt32 => A<uint>(b, i),
        DType.UInt64 => A<ulong>(b, i),
        DType.Float16 => (double)A<Half>(b, i),
        DType.BFloat16 => (double)A<BFloat16>(b, i),
        DType.Float32 => A<float>(b, i),
        DType.Float64 => A<double>(b, i),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Element <paramref name="i"/> as long (floats truncated toward zero and saturated; uint64 wraps).</summary>
    public static long ToInt64(Buffer b, long i) => b.DType switch
    {
        DType.Bool => A<bool>(b, i) ? 1 : 0,
        DType.Int8 => A<sbyte>(b, i),
        DType.Int16 => A<short>(b, i),
        DType.Int32 => A<int>(b, i),
        DType.Int64 => A<long>(b, i),
        DType.UInt8 => A<byte>(b, i),
        DType.UInt16 => A<ushort>(b, i),
        DType.UInt32 => A<uint>(b, i),
        DType.UInt64 => unchecked((long)A<ulong>(b, i)),
        _ => FloatToInt64(ToDouble(b, i)),
    };

    private static long FloatToInt64(double d) =>
        double.IsNaN(d) ? 0 : d >= 9.2233720368547758e18 ? long.MaxValue : d <= -9.2233720368547758e18 ? long.MinValue : (long)d;

    private static Buffer Writable(Buffer b) =>
        b.IsSplat ? throw new InvalidOperationException($"a splat {b.Type} cannot be written element by element") : b;

    /// <summary>Stores a double into element <paramref name="i"/>: floats round to nearest, integers truncate toward zero and saturate, NaN becomes 0, bool is <c>d != 0</c>.</summary>
    public static void FromDouble(Buffer b, long i, double d)
    {
        Writable(b);
        switch (b.DType)
        {
            case DType.Bool: A<bool>(b, i) = d != 0; break;
            case DType.Float16: A<Half>(b, i) = (Half)d; break;
            case DType.BFloat16: A<BFloat16>(b, i) = (BFloat16)d; break;
            case DType.Float32: A<float>(b, i) = (float)d; break;
            case DType.Float64: A<double>(b, i) = d; break;
            case DType.UInt64: A<ulong>(b, i) = double.IsNaN(d) || d <= 0 ? 0 : d >= 1.8446744073709552e19 ? ulong.MaxValue : (ulong)d; break;
            default: FromInt64Saturating(b, i, FloatToInt64(d)); break;
        }
    }

    private static void FromInt64Saturating(Buffer b, long i, long v)
    {
        switch (b.DType)
        {
            case DType.Int8: A<sbyte>(b, i) = (sbyte)Math.Clamp(v, sbyte.MinValue, sbyte.MaxValue); break;
            case DType.Int16: A<short>(b, i) = (short)Math.Clamp(v, short.MinValue, short.MaxValue); break;
            case DType.Int32: A<int>(b, i) = (int)Math.Clamp(v, int.MinValue, int.MaxValue); break;
            case DType.Int64: A<long>(b, i) = v; break;
            case DType.UInt8: A<byte>(b, i) = (byte)Math.Clamp(v, byte.MinValue, byte.MaxValue); break;
            case DType.UInt16: A<ushort>(b, i) = (ushort)Math.Clamp(v, ushort.MinValue, ushort.MaxValue); break;
            case DType.UInt32: A<uint>(b, i) = (uint)Math.Clamp(v, uint.MinValue, uint.MaxValue); break;
            default: throw new InvalidOperationException();
        }
    }

    /// <summary>Stores a 64-bit integer into element <paramref name="i"/>: integers wrap (two's complement), floats round.</summary>
    public static void FromInt64(Buffer b, long i, long v)
    {
        Writable(b);
        unchecked
        {
            switch (b.DType)
            {
                case DType.Bool: A<bool>(b, i) = v != 0; break;
                case DType.Int8: A<sbyte>(b, i) = (sbyte)v; break;
                case DType.Int16: A<short>(b, i) = (short)v; break;
                case DType.Int32: A<int>(b, i) = (int)v; break;
                case DType.Int64: A<long>(b, i) = v; break;
                case DType.UInt8: A<byte>(b, i) = (byte)v; break;
                case DType.UInt16: A<ushort>(b, i) = (ushort)v; break;
                case DType.UInt32: A<uint>(b, i) = (uint)v; break;
                case DType.UInt64: A<ulong>(b, i) = (ulong)v; break;
                case DType.Float16: A<Half>(b, i) = (Half)v; break;
                case DType.BFloat16: A<BFloat16>(b, i) = (BFloat16)(float)v; break;
                case DType.Float32: A<float>(b, i) = v; break;
                case DType.Float64: A<double>(b, i) = v; break;
                default: throw new InvalidOperationException();
            }
        }
    }
}
