namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// The owner of one LLVM object: <see cref="Handle"/> until it is disposed, or released to another owner (ORC takes
/// modules and target machines), then <see cref="ObjectDisposedException"/>. Dispose is idempotent; there is no
/// finalizer (LLVM objects freed in the wrong order crash the process, leaked ones do not).
/// </summary>
/// <typeparam name="THandle">The handle type (<see cref="LLVMModuleRef"/>, ...).</typeparam>
public abstract class LlvmOwner<THandle> : IDisposable where THandle : struct, IEquatable<THandle>
{
    private THandle _handle;

    private protected LlvmOwner(THandle handle) => _handle = handle;

    /// <summary>The object's handle, for the raw bindings.</summary>
    public THandle Handle => IsDisposed ? throw new ObjectDisposedException(GetType().Name) : _handle;

    /// <summary>The object's handle, so that an owner can be passed to the raw bindings as it is.</summary>
    public static implicit operator THandle(LlvmOwner<THandle> owner) => owner.Handle;

    /// <summary>Whether the object was disposed or handed to another owner.</summary>
    public bool IsDisposed => _handle.Equals(default);

    /// <summary>Gives up ownership to LLVM (ORC); this object is disposed afterwards.</summary>
    internal THandle Release()
    {
        var handle = Handle;
        _handle = default;
        return handle;
    }

    /// <summary>Frees the LLVM object (the handle is valid and freed once).</summary>
    private protected abstract void Free(THandle handle);

    /// <summary>Frees the object (nothing if it was disposed or handed over).</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        var handle = _handle;
        _handle = default;
        Free(handle);
    }
}
