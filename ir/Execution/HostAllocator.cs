using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>A block of host memory handed out by an <see cref="IHostAllocator"/>: its address and usable size in bytes.</summary>
/// <param name="Pointer">The first byte; aligned to <see cref="HostAllocators.Alignment"/>.</param>
/// <param name="Capacity">The usable size in bytes (at least what was asked for).</param>
public readonly record struct HostAllocation(nint Pointer, long Capacity);

/// <summary>
/// The host allocator contract (version <see cref="ExecutionContracts.HostAllocatorVersion"/>): host buffers, kernels'
/// scratch memory and Vulkan staging copies all come from one. Blocks are 64-byte aligned native memory, which an
/// LLVM kernel reads in place. Implementations are thread-safe.
/// </summary>
public interface IHostAllocator
{
    /// <summary>
    /// A block of at least <paramref name="bytes"/> bytes, 64-byte aligned, contents undefined. Throws
    /// <see cref="HostOutOfMemoryException"/> when the memory cannot be had (never aborts the process).
    /// </summary>
    HostAllocation Allocate(long bytes);

    /// <summary>Gives a block back (exactly as <see cref="Allocate"/> returned it).</summary>
    void Free(HostAllocation allocation);
}

/// <summary>An allocation of host memory failed: the message says how much, and for what.</summary>
public sealed class HostOutOfMemoryException : OutOfMemoryException
{
    /// <summary>The number of bytes asked for.</summary>
    public long RequestedBytes { get; }

    /// <summary>Creates the exception.</summary>
    public HostOutOfMemoryException(long requestedBytes, string message)
        : base(message) => RequestedBytes = requestedBytes;

    /// <summary>A byte count for people: <c>40.0 MB</c>, <c>3.6 TB</c>.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : $"{value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} {units[unit]}";
    }
}

/// <summary>The process-wide host allocator, and the aligned system allocator that allocators build on.</summary>
public static partial class HostAllocators
{
    /// <summary>The alignment of every host block, in bytes (a cache line; an AVX-512 vector).</summary>
    public const int Alignment = 64;

    private static readonly AsyncLocal<IHostAllocator?> Scoped = new();
    private static IHostAllocator _default = CachingHostAllocator.Shared;

    /// <summary>
    /// The allocator new host buffers come from: the one of an enclosing <see cref="Use"/> scope, else the
    /// process-wide default (<see cref="CachingHostAllocator.Shared"/> unless set).
    /// </summary>
    public static IHostAllocator Current
    {
        get => Scoped.Value ?? _default;
        set => _default = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Makes <paramref name="allocator"/> the current one for this flow of execution (tasks it starts included) until
    /// the scope is disposed; other threads keep theirs. Blocks always go back to the allocator that gave them.
    /// </summary>
    public static IDisposable Use(IHostAllocator allocator)
    {
        var previous = Scoped.Value;
        Scoped.Value = allocator ?? throw new ArgumentNullException(nameof(allocator));
        return new Restore(() => Scoped.Value = previous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>
    /// The largest block the system allocator is asked for: the machine's memory. A larger request (which Linux
    /// might grant lazily and then kill the process for) fails with a clear exception instead.
    /// </summary>
    public static long MaxBlockBytes => SystemMemory.Bytes;

    // Its own class, so that reading it never waits on this class's static initialization (which creates the shared allocator).
    private static class SystemMemory
    {
        public static readonly long Bytes = Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1L << 30);
    }

    /// <summary>
    /// Fresh memory from the system (<c>aligned_alloc</c>): <paramref name="bytes"/> rounded up to the alignment.
    /// Blocks of 2 MB or more are marked for transparent huge pages, which makes their first touch cheaper.
    /// </summary>
    public static unsafe HostAllocation AllocateFromSystem(long bytes)
    {
        long size = Math.Max(Alignment, (bytes + Alignment - 1) & ~(long)(Alignment - 1));
        if (bytes < 0 || size > MaxBlockBytes)
            throw new HostOutOfMemoryException(bytes,
                $"RESOURCE_EXHAUSTED: cannot allocate {HostOutOfMemoryException.FormatBytes(bytes)} of host memory " +
                $"(this machine has {HostOutOfMemoryException.FormatBytes(MaxBlockBytes)})");
        void* p;
        try
        {
            p = NativeMemory.AlignedAlloc((nuint)size, Alignment);
        }
        catch (OutOfMemoryException)
        {
            p = null;
        }
        if (p is null)
            throw new HostOutOfMemoryException(bytes, $"RESOURCE_EXHAUSTED: cannot allocate {HostOutOfMemoryException.FormatBytes(bytes)} of host memory");
        if (size >= HugePages.MinimumBytes) HugePages.Advise((nint)p, size);
        return new HostAllocation((nint)p, size);
    }

    /// <summary>Returns a block from <see cref="AllocateFromSystem"/> to the system.</summary>
    public static unsafe void FreeToSystem(HostAllocation allocation) => NativeMemory.AlignedFree((void*)allocation.Pointer);

    /// <summary>Transparent huge pages for large blocks (Linux <c>madvise(MADV_HUGEPAGE)</c>); a no-op elsewhere.</summary>
    private static partial class HugePages
    {
        public const long MinimumBytes = 2 << 20;
        private const int MadvHugepage = 14;
        private const long PageSize = 4096;

        public static void Advise(nint pointer, long size)
        {
            if (!OperatingSystem.IsLinux()) return;
            // madvise needs a page-aligned start; the first partial page is left out.
            long start = (pointer + PageSize - 1) & ~(PageSize - 1);
            long end = (pointer + size) & ~(PageSize - 1);
            if (end > start)
            {
                try
                {
                    _ = Madvise((nint)start, (nuint)(end - start), MadvHugepage);
                }
                catch (DllNotFoundException)
                {
                }
                catch (EntryPointNotFoundException)
                {
                }
            }
        }

        [LibraryImport("libc", EntryPoint = "madvise")]
        private static partial int Madvise(nint address, nuint length, int advice);
    }
}
