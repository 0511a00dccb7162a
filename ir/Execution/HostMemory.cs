namespace JaxToolchain.Ir;

/// <summary>
/// One block of native host memory shared by the <see cref="Buffer"/>s that view it (a reshape shares its operand's
/// memory). Each buffer holds one reference; the block goes back to its allocator when the last reference is
/// released — deterministically when buffers are disposed (the interpreter disposes intermediates after their last
/// use), or by finalization when the buffers holding it became unreachable without being disposed (the caching
/// allocator starts a collection when undisposed memory grows, see <see cref="CachingHostAllocator"/>).
/// </summary>
internal sealed class HostMemory
{
    private readonly IHostAllocator _allocator;
    private HostAllocation _block;
    private int _references = 1;

    private HostMemory(IHostAllocator allocator, HostAllocation block)
    {
        _allocator = allocator;
        _block = block;
    }

    /// <summary>The first byte (0 once released).</summary>
    public nint Pointer => _block.Pointer;

    /// <summary>The usable size in bytes.</summary>
    public long Capacity => _block.Capacity;

    /// <summary>Memory for at least <paramref name="bytes"/> bytes from the current allocator, with one reference.</summary>
    public static HostMemory Allocate(long bytes)
    {
        var allocator = HostAllocators.Current;
        return new HostMemory(allocator, allocator.Allocate(bytes));
    }

    /// <summary>True when more than one buffer views this memory.</summary>
    public bool IsShared => Volatile.Read(ref _references) > 1;

    /// <summary>Adds a reference (for another buffer viewing this memory).</summary>
    public void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(Buffer), "the array's memory was already released");
    }

    /// <summary>Drops a reference; the last one returns the block to its allocator.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("host memory released more often than referenced");
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var block = _block;
        _block = default;
        if (block.Pointer == 0) return;
        _allocator.Free(block);
    }

    /// <summary>The buffers viewing this memory became unreachable without releasing it.</summary>
    ~HostMemory() => Free();
}
