namespace JaxToolchain.Ir;

/// <summary>What a <see cref="CachingHostAllocator"/> has handed out and kept, in bytes (block capacities).</summary>
/// <param name="BytesInUse">Held by live buffers now.</param>
/// <param name="PeakBytesInUse">The most held at once since the last <see cref="CachingHostAllocator.ResetPeak"/>.</param>
/// <param name="BytesCached">Freed blocks kept for reuse.</param>
/// <param name="BytesLimit">The cap on <see cref="BytesCached"/>.</param>
/// <param name="Allocations">Blocks handed out.</param>
/// <param name="CacheHits">Of those, the ones served from the cache (no system allocation, no fresh pages).</param>
/// <param name="Collections">Garbage collections the allocator started to recycle unreachable arrays.</param>
public readonly record struct HostMemoryStats(long BytesInUse, long PeakBytesInUse, long BytesCached, long BytesLimit, long Allocations, long CacheHits, long Collections);

/// <summary>
/// A caching host allocator (tinygrad's <c>LRUAllocator</c>, PyTorch's caching allocator): freed blocks are kept in
/// size classes and handed out again, so the next op or call of the same sizes touches warm pages instead of fresh
/// ones (a fresh 4 KB page costs about 6 us on the development VM: 60 ms for a 40 MB result). Size classes are
/// powers of two up to 64 KB and quarter steps between powers of two above, so a block wastes at most a quarter
/// of its size. The cache holds at most <see cref="CacheLimitBytes"/>; beyond that freed blocks go back to the
/// system, largest classes first. When the system refuses memory the cache is emptied and the request retried
/// once. Thread-safe.
/// <para>
/// Arrays the user never disposes come back when the garbage collector finds them unreachable. The managed heap
/// barely grows with native arrays, so the GC would rarely run; and reporting the bytes as memory pressure
/// (<c>GC.AddMemoryPressure</c>) makes it run far too often (measured: ten gen-2 collections per eager
/// <c>selu</c> call on 10M floats). Instead, before taking fresh memory from the system, the allocator starts a
/// collection itself (and waits for the finalizers that return blocks) once the memory held by undisposed arrays
/// has grown since the last one by at least the request, <see cref="CollectThresholdBytes"/> and an eighth of what was
/// in use then, and serves the request from what came back: a collection of the small managed heap costs about a
/// millisecond, a fresh 40 MB block about 60.
/// </para>
/// </summary>
public sealed class CachingHostAllocator : IHostAllocator
{
    private const int SmallClassBytesLog2 = 16;

    private readonly object _gate = new();
    private readonly SortedDictionary<long, Stack<nint>> _free = [];
    private long _inUse, _peak, _cached, _allocations, _hits, _inUseAfterCollect, _collections;

    /// <summary>The process-wide instance (the default <see cref="HostAllocators.Current"/>).</summary>
    public static CachingHostAllocator Shared { get; } = new();

    /// <summary>Creates an allocator whose cache holds at most <paramref name="cacheLimitBytes"/> (default: a quarter of the machine's memory, at most 8 GB).</summary>
    public CachingHostAllocator(long? cacheLimitBytes = null) =>
        CacheLimitBytes = cacheLimitBytes ?? Math.Min(HostAllocators.MaxBlockBytes / 4, 8L << 30);

    /// <summary>The most bytes kept in the cache; setting it trims the cache.</summary>
    public long CacheLimitBytes
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            List<HostAllocation> released;
            lock (_gate)
            {
                field = value;
                released = TrimLocked(value);
            }
            Release(released);
        }
    }

    /// <summary>
    /// How much the memory in use must have grown since the last collection (and at least the size of the request, and
    /// an eighth of what was in use then) before a request that misses the cache first starts a garbage collection to
    /// recycle unreachable arrays (default 16 MB).
    /// </summary>
    public long CollectThresholdBytes { get; set; } = 16L << 20;

    /// <summary>The size class (block capacity) serving a request of <paramref name="bytes"/>.</summary>
    public static long SizeClass(long bytes)
    {
        long size = Math.Max(bytes, HostAllocators.Alignment);
        int log = 64 - (int)long.LeadingZeroCount(size - 1);
        if (log <= SmallClassBytesLog2) return 1L << log;
        long quarter = 1L << (log - 3);
        return (size + quarter - 1) / quarter * quarter;
    }

    /// <inheritdoc/>
    public HostAllocation Allocate(long bytes)
    {
        long size = SizeClass(bytes);
        bool collect;
        lock (_gate)
        {
            _allocations++;
            if (TryTakeCachedLocked(size, out var cached)) return cached;
            // Fresh pages cost far more than a collection of a small managed heap: when the undisposed memory has
            // grown by at least this request since the last collection, some of it is likely garbage to recycle.
            collect = _inUse - _inUseAfterCollect >= Math.Max(Math.Max(CollectThresholdBytes, size), _inUseAfterCollect / 8);
        }
        if (collect)
        {
            CollectUnreachableArrays();
            lock (_gate)
                if (TryTakeCachedLocked(size, out var cached)) return cached;
        }
        HostAllocation block;
        try
        {
            block = HostAllocators.AllocateFromSystem(size);
        }
        catch (HostOutOfMemoryException) when (BytesCached > 0)
        {
            Clear();
            block = HostAllocators.AllocateFromSystem(size);
        }
        lock (_gate) Took(size);
        return block;
    }

    private bool TryTakeCachedLocked(long size, out HostAllocation block)
    {
        if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            _hits++;
            _cached -= size;
            Took(size);
            block = new HostAllocation(stack.Pop(), size);
            if (stack.Count == 0) _free.Remove(size);
            return true;
        }
        block = default;
        return false;
    }

    /// <summary>Runs a full collection and the finalizers it queues, which return the blocks of unreachable arrays.</summary>
    private void CollectUnreachableArrays()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        lock (_gate)
        {
            _inUseAfterCollect = _inUse;
            _collections++;
        }
    }

    private void Took(long size)
    {
        _inUse += size;
        if (_inUse > _peak) _peak = _inUse;
    }

    /// <inheritdoc/>
    public void Free(HostAllocation allocation)
    {
        List<HostAllocation>? released = null;
        lock (_gate)
        {
            _inUse -= allocation.Capacity;
            if (allocation.Capacity <= CacheLimitBytes)
            {
                if (!_free.TryGetValue(allocation.Capacity, out var stack)) _free[allocation.Capacity] = stack = new Stack<nint>();
                stack.Push(allocation.Pointer);
                _cached += allocation.Capacity;
                if (_cached > CacheLimitBytes) released = TrimLocked(CacheLimitBytes);
                allocation = default;
            }
        }
        if (allocation.Pointer != 0) HostAllocators.FreeToSystem(allocation);
        if (released is not null) Release(released);
    }

    /// <summary>Returns every cached block to the system (JAX's <c>clear_caches</c> for memory).</summary>
    public void Clear()
    {
        List<HostAllocation> released;
        lock (_gate) released = TrimLocked(0);
        Release(released);
    }

    /// <summary>Starts a new peak measurement at the current use.</summary>
    public void ResetPeak()
    {
        lock (_gate) _peak = _inUse;
    }

    /// <summary>The current statistics.</summary>
    public HostMemoryStats Stats
    {
        get
        {
            lock (_gate) return new HostMemoryStats(_inUse, _peak, _cached, CacheLimitBytes, _allocations, _hits, _collections);
        }
    }

    private long BytesCached
    {
        get
        {
            lock (_gate) return _cached;
        }
    }

    // Largest classes first: they hold the most memory and are the least likely to be asked for again soon.
    private List<HostAllocation> TrimLocked(long limit)
    {
        var released = new List<HostAllocation>();
        while (_cached > limit && _free.Count > 0)
        {
            var (size, stack) = _free.Last();
            released.Add(new HostAllocation(stack.Pop(), size));
            _cached -= size;
            if (stack.Count == 0) _free.Remove(size);
        }
        return released;
    }

    private static void Release(List<HostAllocation> blocks)
    {
        foreach (var block in blocks) HostAllocators.FreeToSystem(block);
    }
}
