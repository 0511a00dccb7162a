using Silk.NET.Vulkan;
using VkBuffer = Silk.NET.Vulkan.Buffer;

namespace JaxToolchain.Vulkan;

/// <summary>
/// One Vulkan storage buffer with its memory, from a <see cref="VulkanMemoryPool"/>: reference counted (arrays and
/// in-flight submissions hold it), back in the pool when the last holder lets go. <see cref="Mapped"/> is non-zero when
/// the memory is host-visible and coherent (lavapipe, integrated GPUs, staging buffers): the host copies through it.
/// </summary>
internal sealed class VulkanAllocation
{
    private readonly VulkanMemoryPool _pool;
    private int _references = 1;

    internal VulkanAllocation(VulkanMemoryPool pool, VkBuffer handle, DeviceMemory memory, long capacity, nint mapped, bool staging)
    {
        _pool = pool;
        Handle = handle;
        Memory = memory;
        Capacity = capacity;
        Mapped = mapped;
        Staging = staging;
    }

    public VkBuffer Handle { get; }

    public DeviceMemory Memory { get; }

    /// <summary>The buffer's size in bytes (the pool's size class, at least what was asked).</summary>
    public long Capacity { get; }

    /// <summary>The host address of the memory, or 0 when it is device-local only.</summary>
    public nint Mapped { get; }

    /// <summary>True for a host-visible staging buffer (transfer source and destination).</summary>
    public bool Staging { get; }

    /// <summary>Adds a holder.</summary>
    public VulkanAllocation Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1) throw new InvalidOperationException("a released Vulkan buffer was retained");
        return this;
    }

    /// <summary>Removes a holder; the last returns the buffer to the pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0) _pool.Return(this);
        else if (left < 0) throw new InvalidOperationException("a Vulkan buffer was released more often than retained");
    }

    internal void Revive() => _references = 1;
}

/// <summary>
/// The device's buffers, pooled by size class (powers of two from 256 bytes): a freed buffer is reused by the next
/// request of its class instead of allocating device memory again (vkAllocateMemory is slow and counted). Storage
/// buffers use device-local memory, mapped when it is also host-visible and the device is not a discrete GPU (reading
/// a discrete GPU's memory through the PCIe BAR is slow): then transfers are copies through the mapping; otherwise they
/// go through staging buffers. Out of device memory, the pool frees its idle buffers and tries once more, then raises
/// a <see cref="VulkanException"/> naming the size. Thread-safe.
/// </summary>
internal sealed unsafe class VulkanMemoryPool : IDisposable
{
    private const int MinClassBits = 8;
    private readonly VulkanComputeContext _context;
    private readonly Dictionary<(long Capacity, bool Staging), Stack<VulkanAllocation>> _free = [];
    private readonly List<VulkanAllocation> _all = [];
    private readonly Lock _gate = new();
    private readonly bool _mapDeviceMemory;
    private bool _disposed;

    public VulkanMemoryPool(VulkanComputeContext context)
    {
        _context = context;
        _mapDeviceMemory = context.Info.Type != PhysicalDeviceType.DiscreteGpu;
    }

    /// <summary>Bytes of device memory allocated (in use or pooled).</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Bytes in buffers held by arrays and submissions.</summary>
    public long InUseBytes { get; private set; }

    /// <summary>The most <see cref="InUseBytes"/> since the last <see cref="ResetPeak"/>.</summary>
    public long PeakInUseBytes { get; private set; }

    /// <summary>Starts a new peak measurement.</summary>
    public void ResetPeak()
    {
        lock (_gate) PeakInUseBytes = InUseBytes;
    }

    /// <summary>True when storage buffers are mapped (the host copies through them; no staging).</summary>
    public bool MapsStorage => _mapDeviceMemory;

    /// <summary>A storage buffer of at least <paramref name="bytes"/> bytes (contents undefined).</summary>
    public VulkanAllocation Rent(long bytes, bool staging = false)
    {
        long capacity = SizeClass(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue((capacity, staging), out var stack) && stack.TryPop(out var reused))
            {
                reused.Revive();
                Count(capacity);
                return reused;
            }
        }
        var allocation = Allocate(capacity, staging);
        lock (_gate)
        {
            _all.Add(allocation);
            AllocatedBytes += capacity;
            Count(capacity);
        }
        return allocation;
    }

    private void Count(long capacity)
    {
        InUseBytes += capacity;
        PeakInUseBytes = Math.Max(PeakInUseBytes, InUseBytes);
    }

    internal void Return(VulkanAllocation allocation)
    {
        lock (_gate)
        {
            InUseBytes -= allocation.Capacity;
            if (_disposed) return;
            if (!_free.TryGetValue((allocation.Capacity, allocation.Staging), out var stack))
                _free[(allocation.Capacity, allocation.Staging)] = stack = new Stack<VulkanAllocation>();
            stack.Push(allocation);
        }
    }

    private static long SizeClass(long bytes)
    {
        long size = Math.Max(bytes, 1L << MinClassBits);
        return (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)size);
    }

    private VulkanAllocation Allocate(long capacity, bool staging)
    {
        try
        {
            return TryAllocate(capacity, staging);
        }
        catch (VulkanException e) when (e.Result is Result.ErrorOutOfDeviceMemory or Result.ErrorOutOfHostMemory)
        {
            Trim();
            return TryAllocate(capacity, staging);
        }
    }

    private VulkanAllocation TryAllocate(long capacity, bool staging)
    {
        var vk = _context.Api;
        var device = _context.Device;
        var usage = BufferUsageFlags.StorageBufferBit | BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit;
        var bufferInfo = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = (ulong)capacity, Usage = usage, SharingMode = SharingMode.Exclusive };
        VkBuffer buffer;
        VulkanException.Check(vk.CreateBuffer(device, &bufferInfo, null, &buffer), "vkCreateBuffer");
        MemoryRequirements requirements;
        vk.GetBufferMemoryRequirements(device, buffer, &requirements);
        const MemoryPropertyFlags hostCoherent = MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit;
        int type = -1;
        bool mapped = true;
        if (staging) type = _context.FindMemoryType(requirements.MemoryTypeBits, hostCoherent | MemoryPropertyFlags.HostCachedBit);
        else if (_mapDeviceMemory) type = _context.FindMemoryType(requirements.MemoryTypeBits, hostCoherent | MemoryPropertyFlags.DeviceLocalBit);
        if (type < 0 && (staging || _mapDeviceMemory)) type = _context.FindMemoryType(requirements.MemoryTypeBits, hostCoherent);
        if (type < 0)
        {
            mapped = false;
            type = _context.FindMemoryType(requirements.MemoryTypeBits, MemoryPropertyFlags.DeviceLocalBit);
        }
        if (type < 0) type = _context.FindMemoryType(requirements.MemoryTypeBits, 0);
        var allocateInfo = new MemoryAllocateInfo { SType = StructureType.MemoryAllocateInfo, AllocationSize = requirements.Size, MemoryTypeIndex = (uint)type };
        DeviceMemory memory;
        var allocated = vk.AllocateMemory(device, &allocateInfo, null, &memory);
        if (allocated != Result.Success)
        {
            vk.DestroyBuffer(device, buffer, null);
            VulkanException.Check(allocated, $"vkAllocateMemory ({capacity} bytes on {_context.Info.Name})");
        }
        VulkanException.Check(vk.BindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory");
        void* address = null;
        if (mapped) VulkanException.Check(vk.MapMemory(device, memory, 0, Vk.WholeSize, 0, &address), "vkMapMemory");
        return new VulkanAllocation(this, buffer, memory, capacity, (nint)address, staging);
    }

    /// <summary>Frees the pooled (idle) buffers' device memory.</summary>
    public void Trim()
    {
        List<VulkanAllocation> idle;
        lock (_gate)
        {
            idle = [.. _free.Values.SelectMany(s => s)];
            _free.Clear();
            foreach (var a in idle)
            {
                _all.Remove(a);
                AllocatedBytes -= a.Capacity;
            }
        }
        foreach (var a in idle) Destroy(a);
    }

    private void Destroy(VulkanAllocation allocation)
    {
        var vk = _context.Api;
        if (allocation.Mapped != 0) vk.UnmapMemory(_context.Device, allocation.Memory);
        vk.DestroyBuffer(_context.Device, allocation.Handle, null);
        vk.FreeMemory(_context.Device, allocation.Memory, null);
    }

    /// <summary>Frees every buffer (the device must be idle).</summary>
    public void Dispose()
    {
        List<VulkanAllocation> all;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            all = [.. _all];
            _all.Clear();
            _free.Clear();
        }
        foreach (var a in all) Destroy(a);
    }
}
