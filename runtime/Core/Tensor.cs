using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// An array, as <c>jax.Array</c>: either concrete (a buffer of values) or, while a function is being traced,
/// a tracer standing for an IR value. The same user code runs on both: every operation binds a primitive,
/// which runs eagerly on concrete arrays and is recorded into the current trace otherwise.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly DeviceArray? _array;
    private readonly Trace? _trace;
    private readonly Value? _value;

    /// <summary>The abstract value: dtype, shape and weak-type flag.</summary>
    public ShapedType Aval { get; }

    internal Tensor(Buffer buffer, bool weak = false)
    {
        // Arrays made by eager operations live on the default device (computed on the host; a Vulkan array uploads on first use).
        _array = Device.DefaultIsCpu ? new HostArray(buffer, DeviceDescriptor.Cpu) : Placement.Wrap(buffer, Device.DefaultDevice.Descriptor);
        Aval = new ShapedType(buffer.DType, buffer.Shape, weak);
    }

    internal Tensor(DeviceArray array, bool weak)
    {
        _array = array;
        Aval = array.Type with { Weak = weak };
    }

    internal Tensor(Trace trace, Value value)
    {
        _trace = trace;
        _value = value;
        Aval = value.Type;
    }

    /// <summary>The element dtype.</summary>
    public DType DType => Aval.DType;

    /// <summary>The shape.</summary>
    public Shape Shape => Aval.Shape;

    /// <summary>The number of dimensions.</summary>
    public int Ndim => Aval.Rank;

    /// <summary>The number of elements.</summary>
    public long Size => Shape.ElementCount;

    /// <summary>True for values from C# literals, which defer to the other operand's dtype (JAX's weak types).</summary>
    public bool WeakType => Aval.Weak;

    /// <summary>True when this is a tracer inside a function being traced (no values available).</summary>
    public bool IsTracer => _trace is not null;

    internal Trace? Trace => _trace;

    internal Value? IrValue => _value;

    /// <summary>The device array holding the value; throws a clear error for a tracer.</summary>
    internal DeviceArray DeviceArray => _array ?? throw new InvalidOperationException(
        $"a traced {Aval.ToLongString()} has no concrete value: this operation needs values and cannot be used inside a traced function" +
        Dispatch.At(SourceLocation.FindCaller()));

    /// <summary>The value in host memory (waits for it to be computed); throws a clear error for a tracer.</summary>
    internal Buffer Buffer => DeviceArray.ReadHost();

    /// <summary>The device holding the array (<c>x.device</c>); throws for a tracer.</summary>
    public Device Device => Device.Of(DeviceArray.Device);

    /// <summary>True once the value is computed (always, for arrays computed synchronously); false for a tracer.</summary>
    public bool IsReady => _array is { IsReady: true };

    /// <summary>True once the array was deleted (<see cref="Dispose"/>, or donated to a jitted call): reading it throws.</summary>
    public bool IsDeleted => _array is { IsDeleted: true };

    /// <summary>The size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public long ShapeAt(int axis) => Shape[Axes.Normalize(axis, Ndim, "shape", Aval)].Size;

    /// <summary>
    /// Waits for the value to be computed and returns this array (<c>x.block_until_ready()</c>); an error of the
    /// asynchronous computation that produces it is raised here.
    /// </summary>
    public Tensor BlockUntilReady()
    {
        DeviceArray.Wait();
        return this;
    }

    /// <summary>
    /// Deletes the array now (<c>x.delete()</c>): its memory goes back to the pool instead of waiting for the garbage
    /// collector. Reading it afterwards throws. Does nothing for a tracer.
    /// </summary>
    public void Dispose() => _array?.Dispose();

    /// <summary>The elements in row-major order as a C# array of <typeparamref name="T"/> (converted as NumPy's astype).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var target = DTypes.FromClrType(typeof(T));
        var b = Buffer;
        if (b.DType == target) return b.ToArray<T>();
        using var converted = Conversions.Convert(b, target);
        return converted.ToArray<T>();
    }

    /// <summary>The single element of a size-1 array as <typeparamref name="T"/>.</summary>
    public T Item<T>() where T : unmanaged
    {
        if (Size != 1)
            throw new InvalidOperationException($"Item() needs an array of size 1, got shape {Shape.ToTupleString()}" + Dispatch.At(SourceLocation.FindCaller()));
        return ToArray<T>()[0];
    }

    /// <summary>The single element as a double.</summary>
    public double Item() => Item<double>();

    /// <summary>Prints as JAX does: <c>Array([0., 1.], dtype=float32)</c>; tracers print their abstract value.</summary>
    public override string ToString() =>
        _array is null ? $"Traced<{Aval}>" : ArrayRepr.Format(Buffer, WeakType);

    /// <summary>What <c>str(x)</c> prints in JAX: the elements alone, as NumPy prints them.</summary>
    public string ToElementString() => _array is null ? $"Traced<{Aval}>" : ArrayRepr.FormatElements(Buffer);

    /// <summary>A C# literal as a weakly typed scalar (float: default float dtype).</summary>
    public static implicit operator Tensor(double value) => Scalars.Weak(value);

    /// <summary>A C# literal as a weakly typed scalar (float: default float dtype).</summary>
    public static implicit operator Tensor(float value) => Scalars.Weak(value);

    /// <summary>A C# literal as a weakly typed scalar (int: default int dtype).</summary>
    public static implicit operator Tensor(int value) => Scalars.WeakInt(value);

    /// <summary>A C# literal as a weakly typed scalar (int: default int dtype).</summary>
    public static implicit operator Tensor(long value) => Scalars.WeakInt(value);

    /// <summary>A boolean scalar.</summary>
    public static implicit operator Tensor(bool value) => new(Buffer.Scalar(value));

    /// <summary>The transpose (all axes reversed), as <c>x.T</c>.</summary>
    public Tensor T => Jnp.Transpose(this);

    /// <summary>This array converted to another dtype (<c>x.astype(dtype)</c>).</summary>
    public Tensor Astype(DType dtype) => Jnp.Astype(this, dtype);

    /// <summary>This array with a new shape (<c>x.reshape(...)</c>, one dimension may be -1).</summary>
    public Tensor Reshape(params long[] shape) => Jnp.Reshape(this, shape);
}
