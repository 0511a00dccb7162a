using System.Runtime.ExceptionServices;

namespace JaxToolchain.Ir;

/// <summary>
/// An array on a device (contract version <see cref="ExecutionContracts.ExecutableVersion"/>): what executables take
/// and return. It may still be computing (a future, as JAX's arrays are): <see cref="Wait"/> and
/// <see cref="ReadHost"/> block until it is ready and raise the error of the computation that was to produce it.
/// Host arrays (<see cref="HostArray"/>) hold a <see cref="Buffer"/>; a Vulkan array will hold device memory.
/// </summary>
public abstract class DeviceArray : IDisposable
{
    /// <summary>The device holding the array.</summary>
    public abstract DeviceDescriptor Device { get; }

    /// <summary>The dtype and static shape (never weak).</summary>
    public abstract ShapedType Type { get; }

    /// <summary>True once the value is computed (or its computation failed).</summary>
    public abstract bool IsReady { get; }

    /// <summary>True once disposed or donated: reading it throws.</summary>
    public abstract bool IsDeleted { get; }

    /// <summary>Waits for the value; throws the computation's error, if any.</summary>
    public abstract void Wait();

    /// <summary>The value in host memory: waits, and copies from the device where the device is not the host (a host array returns its own buffer).</summary>
    public abstract Buffer ReadHost();

    /// <summary>Marks the array deleted without releasing its memory, which an executable took over (the array was donated).</summary>
    public abstract void MarkDonated();

    /// <summary>Releases the array's memory (after waiting for it); reading it afterwards throws.</summary>
    public abstract void Dispose();
}

/// <summary>
/// An array in host memory, ready (over a <see cref="Buffer"/>) or pending: a computation running elsewhere (a CPU
/// stream, a queue) completes it with <see cref="Complete"/> or <see cref="Fail"/>.
/// </summary>
public sealed class HostArray : DeviceArray
{
    private readonly ManualResetEventSlim? _done;
    private Buffer? _buffer;
    private ExceptionDispatchInfo? _error;
    private volatile bool _deleted;

    /// <summary>A ready array over <paramref name="buffer"/> (which it now owns).</summary>
    public HostArray(Buffer buffer, DeviceDescriptor device)
    {
        _buffer = buffer;
        Device = device;
        Type = buffer.Type;
    }

    private HostArray(ShapedType type, DeviceDescriptor device)
    {
        _done = new ManualResetEventSlim(false);
        Device = device;
        Type = type with { Weak = false };
    }

    /// <summary>A pending array of <paramref name="type"/>, to be completed by the computation producing it.</summary>
    public static HostArray Pending(ShapedType type, DeviceDescriptor device) => new(type, device);

    /// <inheritdoc/>
    public override DeviceDescriptor Device { get; }

    /// <inheritdoc/>
    public override ShapedType Type { get; }

    /// <inheritdoc/>
    public override bool IsReady => _done is null || _done.IsSet;

    /// <inheritdoc/>
    public override bool IsDeleted => _deleted;

    /// <summary>Completes a pending array with its value.</summary>
    public void Complete(Buffer buffer)
    {
        if (_done is null || _done.IsSet) throw new InvalidOperationException("the array is not pending");
        if (buffer.DType != Type.DType || buffer.Shape != Type.Shape)
            throw new InvalidOperationException($"a pending {Type} was completed with a {buffer.Type}");
        _buffer = buffer;
        _done.Set();
    }

    /// <summary>Completes a pending array with the error that kept it from being computed.</summary>
    public void Fail(Exception error)
    {
        if (_done is null || _done.IsSet) throw new InvalidOperationException("the array is not pending");
        _error = ExceptionDispatchInfo.Capture(error);
        _done.Set();
    }

    /// <inheritdoc/>
    public override void Wait()
    {
        _done?.Wait();
        _error?.Throw();
    }

    /// <inheritdoc/>
    public override Buffer ReadHost()
    {
        Wait();
        if (_deleted) throw new ObjectDisposedException(nameof(HostArray), $"the array {Type} has been deleted (disposed or donated)");
        return _buffer!;
    }

    /// <inheritdoc/>
    public override void MarkDonated() => _deleted = true;

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_deleted) return;
        _deleted = true;
        _done?.Wait();
        _buffer?.Dispose();
    }
}
