using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace JaxToolchain.Vulkan;

/// <summary>
/// The device's queue as the runtime uses it (JAX's stream): work is recorded into a batch (one command buffer: every
/// kernel of a call, with barriers between them, and the copies it needs), submitted with a fence, and identified by a
/// ticket; arrays computed by a batch are pending on its ticket. <see cref="Wait"/> blocks on the fence; batches retire
/// in order, releasing the buffers they held (inputs, scratch, staging) and recycling their command buffer, fence
/// and descriptor pools. Each batch begins with a barrier against everything submitted before it, so consecutive
/// calls see each other's results. A failed submission or wait (device lost) fails its batch and every later one with a
/// <see cref="VulkanException"/>; the stream refuses new work after a lost device. Thread-safe.
/// </summary>
internal sealed unsafe class VulkanStream : IDisposable
{
    private const int SetsPerPool = 64;
    private const int BuffersPerSet = 16;
    private readonly VulkanComputeContext _context;
    private readonly Vk _vk;
    private readonly Silk.NET.Vulkan.Device _device;
    private readonly CommandPool _commandPool;
    private readonly Lock _gate = new();
    private readonly Queue<Batch> _inFlight = new();
    private readonly Stack<Batch> _idle = new();
    private long _nextTicket = 1;
    private long _completed;
    private Exception? _broken;
    private bool _disposed;

    public VulkanStream(VulkanComputeContext context)
    {
        _context = context;
        _vk = context.Api;
        _device = context.Device;
        var poolInfo = new CommandPoolCreateInfo
        {
            SType = StructureType.CommandPoolCreateInfo,
            QueueFamilyIndex = context.QueueFamily,
            Flags = CommandPoolCreateFlags.ResetCommandBufferBit,
        };
        CommandPool pool;
        VulkanException.Check(_vk.CreateCommandPool(_device, &poolInfo, null, &pool), "vkCreateCommandPool");
        _commandPool = pool;
    }

    /// <summary>Batches submitted so far (for tests and statistics).</summary>
    public long Submitted => _nextTicket - 1;

    /// <summary>Work being recorded: a command buffer, its descriptor pools and what it holds until it retires.</summary>
    internal sealed class Batch
    {
        public CommandBuffer Commands;
        public Fence Fence;
        public readonly List<DescriptorPool> Pools = [];
        public int SetsInPool;
        public readonly List<VulkanAllocation> Held = [];
        public long Ticket;
        public int Dispatches;
    }

    /// <summary>Begins a batch (the caller records into it and then calls <see cref="Submit"/> or <see cref="Abandon"/>).</summary>
    public Batch Begin()
    {
        Batch batch;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_broken is not null) throw new VulkanException($"the Vulkan device {_context.Info.Name} is unusable after an earlier failure: {_broken.Message}");
            batch = _idle.Count > 0 ? _idle.Pop() : NewBatch();
        }
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        VulkanException.Check(_vk.BeginCommandBuffer(batch.Commands, &begin), "vkBeginCommandBuffer");
        // Everything submitted before (kernels, copies, host writes) happens before this batch reads or writes.
        Barrier(batch, PipelineStageFlags.AllCommandsBit, AccessFlags.MemoryWriteBit, PipelineStageFlags.AllCommandsBit, AccessFlags.MemoryReadBit | AccessFlags.MemoryWriteBit);
        return batch;
    }

    private Batch NewBatch()
    {
        var allocateInfo = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = _commandPool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
        CommandBuffer commands;
        VulkanException.Check(_vk.AllocateCommandBuffers(_device, &allocateInfo, &commands), "vkAllocateCommandBuffers");
        var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        Fence fence;
        VulkanException.Check(_vk.CreateFence(_device, &fenceInfo, null, &fence), "vkCreateFence");
        return new Batch { Commands = commands, Fence = fence };
    }

    /// <summary>A memory barrier in the batch.</summary>
    public void Barrier(Batch batch, PipelineStageFlags from, AccessFlags fromAccess, PipelineStageFlags to, AccessFlags toAccess)
    {
        var barrier = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = fromAccess, DstAccessMask = toAccess };
        _vk.CmdPipelineBarrier(batch.Commands, from, to, 0, 1, &barrier, 0, null, 0, null);
    }

    /// <summary>Keeps <paramref name="allocation"/> (retained here) alive until the batch retires.</summary>
    public void Hold(Batch batch, VulkanAllocation allocation) => batch.Held.Add(allocation.Retain());

    /// <summary>Records a copy of <paramref name="bytes"/> bytes between two buffers.</summary>
    public void Copy(Batch batch, VulkanAllocation from, VulkanAllocation to, long bytes)
    {
        if (bytes == 0) return;
        var region = new BufferCopy { SrcOffset = 0, DstOffset = 0, Size = (ulong)bytes };
        _vk.CmdCopyBuffer(batch.Commands, from.Handle, to.Handle, 1, &region);
    }

    /// <summary>
    /// Records a dispatch of <paramref name="pipeline"/> over <paramref name="buffers"/> (binding i = buffer i, each
    /// covering <paramref name="ranges"/>[i] bytes) with push constants, then a barrier so the next kernel sees its writes.
    /// </summary>
    public void Dispatch(Batch batch, VulkanPipeline pipeline, IReadOnlyList<VulkanAllocation> buffers, IReadOnlyList<long> ranges,
        ReadOnlySpan<byte> pushConstants, uint x, uint y, uint z)
    {
        var set = AllocateSet(batch, pipeline);
        var handles = stackalloc Silk.NET.Vulkan.Buffer[buffers.Count];
        var sizes = stackalloc ulong[buffers.Count];
        for (int i = 0; i < buffers.Count; i++) (handles[i], sizes[i]) = (buffers[i].Handle, (ulong)Math.Max(ranges[i], 4));
        _context.WriteStorageBuffers(set, new ReadOnlySpan<Silk.NET.Vulkan.Buffer>(handles, buffers.Count), new ReadOnlySpan<ulong>(sizes, buffers.Count));
        _vk.CmdBindPipeline(batch.Commands, PipelineBindPoint.Compute, pipeline.Pipeline);
        _vk.CmdBindDescriptorSets(batch.Commands, PipelineBindPoint.Compute, pipeline.Layout, 0, 1, &set, 0, null);
        if (pushConstants.Length > 0)
            fixed (byte* p = pushConstants)
                _vk.CmdPushConstants(batch.Commands, pipeline.Layout, ShaderStageFlags.ComputeBit, 0, (uint)pushConstants.Length, p);
        _vk.CmdDispatch(batch.Commands, x, y, z);
        Barrier(batch, PipelineStageFlags.ComputeShaderBit, AccessFlags.ShaderWriteBit,
            PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit, AccessFlags.ShaderReadBit | AccessFlags.ShaderWriteBit | AccessFlags.TransferReadBit);
        batch.Dispatches++;
    }

    private DescriptorSet AllocateSet(Batch batch, VulkanPipeline pipeline)
    {
        if (pipeline.BufferCount > BuffersPerSet)
            throw new NotSupportedException($"a kernel with {pipeline.BufferCount} buffers (at most {BuffersPerSet})");
        if (batch.Pools.Count == 0 || batch.SetsInPool == SetsPerPool)
        {
            var size = new DescriptorPoolSize { Type = DescriptorType.StorageBuffer, DescriptorCount = SetsPerPool * BuffersPerSet };
            var info = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = SetsPerPool, PoolSizeCount = 1, PPoolSizes = &size };
            DescriptorPool pool;
            VulkanException.Check(_vk.CreateDescriptorPool(_device, &info, null, &pool), "vkCreateDescriptorPool");
            batch.Pools.Add(pool);
            batch.SetsInPool = 0;
        }
        var layout = pipeline.SetLayout;
        var allocate = new DescriptorSetAllocateInfo { SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = batch.Pools[^1], DescriptorSetCount = 1, PSetLayouts = &layout };
        DescriptorSet set;
        VulkanException.Check(_vk.AllocateDescriptorSets(_device, &allocate, &set), "vkAllocateDescriptorSets");
        batch.SetsInPool++;
        return set;
    }

    /// <summary>Ends and submits the batch; its ticket (what pending arrays wait on).</summary>
    public long Submit(Batch batch)
    {
        // Kernel and copy writes become visible to the host's reads of mapped memory once the fence signals.
        Barrier(batch, PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit, AccessFlags.ShaderWriteBit | AccessFlags.TransferWriteBit,
            PipelineStageFlags.HostBit, AccessFlags.HostReadBit);
        VulkanException.Check(_vk.EndCommandBuffer(batch.Commands), "vkEndCommandBuffer");
        var commands = batch.Commands;
        var submit = new SubmitInfo { SType = StructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &commands };
        lock (_gate)
        {
            if (_broken is not null)
            {
                Recycle(batch);
                throw new VulkanException($"the Vulkan device {_context.Info.Name} is unusable after an earlier failure: {_broken.Message}");
            }
            var fence = batch.Fence;
            Result result = _vk.ResetFences(_device, 1, &fence);
            if (result == Result.Success)
                lock (_context.QueueLock) result = _vk.QueueSubmit(_context.Queue, 1, &submit, batch.Fence);
            if (result != Result.Success)
            {
                Recycle(batch);
                try
                {
                    VulkanException.Check(result, "vkQueueSubmit");
                }
                catch (VulkanException e)
                {
                    if (result == Result.ErrorDeviceLost) _broken = e;
                    throw;
                }
            }
            batch.Ticket = _nextTicket++;
            _inFlight.Enqueue(batch);
            return batch.Ticket;
        }
    }

    /// <summary>Drops a batch that will not be submitted (an error while recording): releases what it held.</summary>
    public void Abandon(Batch batch)
    {
        _vk.EndCommandBuffer(batch.Commands);
        lock (_gate) Recycle(batch);
    }

    /// <summary>True once the batch of <paramref name="ticket"/> has finished (retiring finished batches on the way).</summary>
    public bool IsComplete(long ticket)
    {
        lock (_gate)
        {
            if (ticket <= _completed) return true;
            while (_inFlight.TryPeek(out var batch) && _vk.GetFenceStatus(_device, batch.Fence) == Result.Success) Retire();
            return ticket <= _completed;
        }
    }

    /// <summary>Waits for the batch of <paramref name="ticket"/>; a device loss is a <see cref="VulkanException"/>.</summary>
    public void Wait(long ticket)
    {
        while (true)
        {
            Fence fence;
            long waitedTicket;
            lock (_gate)
            {
                if (ticket <= _completed) return;
                if (_broken is not null) throw new VulkanException($"the computation was lost with the Vulkan device {_context.Info.Name}: {_broken.Message}") { Result = Result.ErrorDeviceLost };
                if (!_inFlight.TryPeek(out var first)) return;
                fence = first.Fence;
                waitedTicket = first.Ticket;
            }
            var result = _vk.WaitForFences(_device, 1, &fence, true, ulong.MaxValue);
            lock (_gate)
            {
                if (result != Result.Success)
                {
                    try
                    {
                        VulkanException.Check(result, "vkWaitForFences");
                    }
                    catch (VulkanException e)
                    {
                        _broken ??= e;
                        throw;
                    }
                }
                // By ticket, not by fence: meanwhile another thread may have retired that batch and submitted it again
                // (the same fence, a later ticket), which this wait says nothing about.
                if (_inFlight.TryPeek(out var head) && head.Ticket == waitedTicket) Retire();
            }
        }
    }

    /// <summary>Retires the oldest in-flight batch (its fence has signalled); under the lock.</summary>
    private void Retire()
    {
        var batch = _inFlight.Dequeue();
        _completed = batch.Ticket;
        Recycle(batch);
    }

    private void Recycle(Batch batch)
    {
        foreach (var held in batch.Held) held.Release();
        batch.Held.Clear();
        foreach (var pool in batch.Pools) _vk.ResetDescriptorPool(_device, pool, 0);
        if (batch.Pools.Count > 1)
        {
            for (int i = 1; i < batch.Pools.Count; i++) _vk.DestroyDescriptorPool(_device, batch.Pools[i], null);
            batch.Pools.RemoveRange(1, batch.Pools.Count - 1);
        }
        batch.SetsInPool = 0;
        batch.Dispatches = 0;
        // The fence is not reset here but when the batch is submitted again (Submit): another thread may have read it in
        // Wait just before this batch retired, and must find it signalled, not reset and waiting for a submission that
        // may never come (that thread would hang in vkWaitForFences).
        _vk.ResetCommandBuffer(batch.Commands, 0);
        if (!_disposed) _idle.Push(batch);
    }

    /// <summary>Waits for everything submitted (nothing is raised: pending arrays raise their own errors).</summary>
    public void Drain()
    {
        long last;
        lock (_gate) last = _nextTicket - 1;
        try
        {
            Wait(last);
        }
        catch (VulkanException)
        {
            // The arrays of the failed batches report it.
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        Drain();
        lock (_gate)
        {
            _disposed = true;
            foreach (var batch in _idle.Concat(_inFlight))
            {
                foreach (var pool in batch.Pools) _vk.DestroyDescriptorPool(_device, pool, null);
                _vk.DestroyFence(_device, batch.Fence, null);
            }
            _idle.Clear();
            _inFlight.Clear();
            _vk.DestroyCommandPool(_device, _commandPool, null);
        }
    }
}
