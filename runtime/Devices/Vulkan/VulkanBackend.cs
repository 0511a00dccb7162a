using System.Collections.Concurrent;
using System.Security.Cryptography;
using JaxToolchain.Ir;

namespace JaxToolchain.Vulkan;

/// <summary>
/// One Vulkan device as the runtime uses it: its context (logical device and queue), buffer pool, stream (batches,
/// fences) and pipeline cache (pipelines by SPIR-V content and entry point, created once per device). Transfers
/// between host memory and device buffers go through the mapping where the pool maps storage buffers, else through
/// pooled staging buffers.
/// </summary>
internal sealed unsafe class VulkanBackend : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<VulkanPipeline>> _pipelines = new(StringComparer.Ordinal);
    private bool _disposed;

    public VulkanBackend(VulkanComputeContext context)
    {
        Context = context;
        Memory = new VulkanMemoryPool(context);
        Stream = new VulkanStream(context);
        Descriptor = new DeviceDescriptor("vulkan", context.Ordinal, context.Info.Name);
    }

    public VulkanComputeContext Context { get; }

    public VulkanMemoryPool Memory { get; }

    public VulkanStream Stream { get; }

    /// <summary>The device as the execution contracts name it: platform <c>vulkan</c>, the device's ordinal, its name as kind.</summary>
    public DeviceDescriptor Descriptor { get; }

    /// <summary>Pipelines created so far (for tests).</summary>
    public int PipelineCount => _pipelines.Count;

    /// <summary>True when the device has every feature the kernel lists.</summary>
    public bool Supports(VulkanKernel kernel) => kernel.Features.All(Context.Info.Features.Contains);

    /// <summary>The features of <paramref name="kernel"/> this device lacks.</summary>
    public IEnumerable<string> Missing(VulkanKernel kernel) => kernel.Features.Where(f => !Context.Info.Features.Contains(f));

    /// <summary>The pipeline of a kernel (created on first use, then shared by every program with the same module and entry point).</summary>
    public VulkanPipeline Pipeline(VulkanKernel kernel)
    {
        string key = PipelineKey(kernel);
        return _pipelines.GetOrAdd(key, _ => new Lazy<VulkanPipeline>(() =>
            Context.CreatePipeline(kernel.Spirv, kernel.EntryPoint, kernel.Bindings.Count, 4 * kernel.PushConstants.Count))).Value;
    }

    private static string PipelineKey(VulkanKernel kernel)
    {
        var bytes = new byte[kernel.Spirv.Length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(kernel.Spirv.AsSpan()).CopyTo(bytes);
        return kernel.EntryPoint + ":" + Convert.ToHexString(SHA256.HashData(bytes));
    }

    /// <summary>A device buffer holding <paramref name="bytes"/> bytes copied from <paramref name="source"/>; a staging copy is recorded in <paramref name="batch"/> where needed.</summary>
    public VulkanAllocation Upload(VulkanStream.Batch batch, nint source, long bytes)
    {
        var memory = Memory.Rent(bytes);
        if (bytes == 0) return memory;
        if (memory.Mapped != 0)
        {
            System.Buffer.MemoryCopy((void*)source, (void*)memory.Mapped, memory.Capacity, bytes);
            return memory;
        }
        var staging = Memory.Rent(bytes, staging: true);
        System.Buffer.MemoryCopy((void*)source, (void*)staging.Mapped, staging.Capacity, bytes);
        Stream.Hold(batch, staging);
        staging.Release();
        Stream.Copy(batch, staging, memory, bytes);
        Stream.Barrier(batch, Silk.NET.Vulkan.PipelineStageFlags.TransferBit, Silk.NET.Vulkan.AccessFlags.TransferWriteBit,
            Silk.NET.Vulkan.PipelineStageFlags.ComputeShaderBit, Silk.NET.Vulkan.AccessFlags.ShaderReadBit);
        return memory;
    }

    /// <summary>Copies <paramref name="bytes"/> bytes of a ready device buffer to <paramref name="destination"/> (through the mapping, or a staging copy and a wait).</summary>
    public void Download(VulkanAllocation memory, nint destination, long bytes)
    {
        if (bytes == 0) return;
        if (memory.Mapped != 0)
        {
            System.Buffer.MemoryCopy((void*)memory.Mapped, (void*)destination, bytes, bytes);
            return;
        }
        var staging = Memory.Rent(bytes, staging: true);
        try
        {
            var batch = Stream.Begin();
            Stream.Hold(batch, memory);
            Stream.Copy(batch, memory, staging, bytes);
            Stream.Wait(Stream.Submit(batch));
            System.Buffer.MemoryCopy((void*)staging.Mapped, (void*)destination, bytes, bytes);
        }
        finally
        {
            staging.Release();
        }
    }

    /// <summary>Waits for the device, then destroys the pipelines, buffers, stream and context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stream.Dispose();
        foreach (var pipeline in _pipelines.Values.Where(p => p.IsValueCreated)) pipeline.Value.Dispose();
        Memory.Dispose();
        Context.Dispose();
    }
}
