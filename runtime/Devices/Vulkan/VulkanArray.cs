using System.Runtime.ExceptionServices;
using JaxToolchain.Ir;

namespace JaxToolchain.Vulkan;

/// <summary>
/// An array on a Vulkan device. It has up to two copies: the device's (a pooled storage buffer, possibly still being
/// computed by a submitted batch: a future) and the host's (a <see cref="Buffer"/>). Each is made from the other only
/// when needed: an array put on the device from the host is uploaded by the first kernel that reads it, and a computed
/// array is copied back on the first read of its values (lazy copy-back), then kept. Waiting raises the error of the
/// computation (a lost device) as a <see cref="JaxRuntimeException"/>. Unreachable arrays return their device memory to
/// the pool.
/// </summary>
internal sealed unsafe class VulkanArray : DeviceArray
{
    private readonly VulkanBackend _backend;
    private readonly Lock _gate = new();
    private Buffer? _host;
    private VulkanAllocation? _memory;
    private long _ticket;
    private ExceptionDispatchInfo? _error;
    private volatile bool _deleted;

    private VulkanArray(VulkanBackend backend, ShapedType type)
    {
        _backend = backend;
        Type = type with { Weak = false };
    }

    ~VulkanArray() => Interlocked.Exchange(ref _memory, null)?.Release();

    /// <summary>An array whose value is <paramref name="buffer"/> (owned by the array), uploaded when a kernel first reads it.</summary>
    public static VulkanArray FromHost(VulkanBackend backend, Buffer buffer) => new(backend, buffer.Type) { _host = buffer };

    /// <summary>An array over device memory (the array takes over this reference), computed by the batch <paramref name="ticket"/> (0: ready).</summary>
    public static VulkanArray OnDevice(VulkanBackend backend, ShapedType type, VulkanAllocation memory, long ticket) =>
        new(backend, type) { _memory = memory, _ticket = ticket };

    /// <summary>The backend (device) holding the array.</summary>
    public VulkanBackend Backend => _backend;

    /// <inheritdoc/>
    public override DeviceDescriptor Device => _backend.Descriptor;

    /// <inheritdoc/>
    public override ShapedType Type { get; }

    /// <summary>The bytes of the array's elements.</summary>
    public long ByteLength => Type.Shape.ElementCount * Type.DType.ItemSize();

    /// <inheritdoc/>
    public override bool IsReady => _error is not null || _ticket == 0 || _backend.Stream.IsComplete(_ticket);

    /// <inheritdoc/>
    public override bool IsDeleted => _deleted;

    /// <inheritdoc/>
    public override void Wait()
    {
        long ticket = Volatile.Read(ref _ticket);
        if (ticket != 0 && _error is null)
        {
            try
            {
                _backend.Stream.Wait(ticket);
                Volatile.Write(ref _ticket, 0);
            }
            catch (VulkanException e)
            {
                lock (_gate) _error ??= ExceptionDispatchInfo.Capture(new JaxRuntimeException($"a computation on {_backend.Descriptor} failed: {e.Message}", e));
            }
        }
        _error?.Throw();
    }

    /// <inheritdoc/>
    public override Buffer ReadHost()
    {
        Wait();
        ThrowIfDeleted();
        lock (_gate)
        {
            if (_host is not null) return _host;
            var memory = _memory ?? throw new InvalidOperationException($"a Vulkan array {Type} has neither a host nor a device copy");
            var host = Buffer.Uninitialized(Type.DType, Type.Shape);
            _backend.Download(memory, host.Pointer, ByteLength);
            return _host = host;
        }
    }

    /// <summary>
    /// The device copy to bind in <paramref name="batch"/> (retained by the batch until it retires): uploaded first when
    /// only the host copy exists (through the mapping, or a staging copy recorded in the batch).
    /// </summary>
    public VulkanAllocation DeviceMemory(VulkanStream.Batch batch)
    {
        ThrowIfDeleted();
        lock (_gate)
        {
            _error?.Throw();
            if (_memory is null)
            {
                var host = _host!;
                _memory = _backend.Upload(batch, host.ByteLength == 0 ? 0 : host.Pointer, ByteLength);
            }
            _backend.Stream.Hold(batch, _memory);
            return _memory;
        }
    }

    /// <summary>A new array with the same value (a jitted function returning its argument): shares the copies that exist.</summary>
    public VulkanArray Alias()
    {
        lock (_gate)
            return new VulkanArray(_backend, Type) { _host = _host?.Share(), _memory = _memory?.Retain(), _ticket = _ticket, _error = _error };
    }

    /// <summary>
    /// Drops this array's references without waiting (an executable's intermediate: every batch using its memory holds
    /// its own reference until it retires).
    /// </summary>
    public void Forget()
    {
        _deleted = true;
        lock (_gate)
        {
            _host?.Dispose();
            _host = null;
            Interlocked.Exchange(ref _memory, null)?.Release();
        }
        GC.SuppressFinalize(this);
    }

    private void ThrowIfDeleted()
    {
        if (_deleted) throw new ObjectDisposedException(nameof(VulkanArray), $"the array {Type} on {_backend.Descriptor} has been deleted (disposed or donated)");
    }

    /// <inheritdoc/>
    public override void MarkDonated() => _deleted = true;

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_deleted) return;
        _deleted = true;
        try
        {
            Wait();
        }
        catch (JaxRuntimeException)
        {
            // A failed computation's array is deleted all the same.
        }
        lock (_gate)
        {
            _host?.Dispose();
            _host = null;
            Interlocked.Exchange(ref _memory, null)?.Release();
        }
        GC.SuppressFinalize(this);
    }
}
