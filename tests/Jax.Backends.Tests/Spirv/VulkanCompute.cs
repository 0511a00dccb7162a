using System.Runtime.InteropServices;
using System.Text;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// A minimal Vulkan 1.1 compute runner for the SPIR-V tests (not the runtime's: that is runtime/'s Vulkan device):
/// one instance and device (the first with a compute queue; lavapipe on CI machines), host-visible coherent buffers,
/// one dispatch at a time, waited for. Bound to the loader's exported Vulkan 1.0 functions.
/// </summary>
internal sealed unsafe partial class VulkanCompute : IDisposable
{
    private const string Vulkan = "libvulkan.so.1";
    private nint _instance, _device, _queue;
    private nint _physical;
    private uint _family;
    private readonly byte[] _memoryProperties = new byte[520];

    /// <summary>Why Vulkan is unusable here, or null.</summary>
    public static string? Unavailable { get; }

    /// <summary>The shared runner, when available.</summary>
    public static VulkanCompute? Shared { get; }

    static VulkanCompute()
    {
        try
        {
            if (!NativeLibrary.TryLoad(Vulkan, out var handle)) { Unavailable = "libvulkan.so.1 not found: sudo apt-get install libvulkan1 mesa-vulkan-drivers"; return; }
            NativeLibrary.Free(handle);
            Shared = new VulkanCompute();
        }
        catch (InvalidOperationException e)
        {
            Unavailable = e.Message;
        }
    }

    private static void Check(int result, string what)
    {
        if (result != 0) throw new InvalidOperationException($"{what} failed: VkResult {result}");
    }

    private VulkanCompute()
    {
        var name = Encoding.UTF8.GetBytes("jax-spirv-tests\0");
        fixed (byte* n = name)
        {
            var app = new ApplicationInfo { SType = 0, ApplicationName = n, ApiVersion = (1u << 22) | (1u << 12) };
            var info = new InstanceCreateInfo { SType = 1, ApplicationInfo = &app };
            nint instance;
            Check(vkCreateInstance(&info, null, &instance), "vkCreateInstance");
            _instance = instance;
        }
        uint count = 0;
        Check(vkEnumeratePhysicalDevices(_instance, &count, null), "vkEnumeratePhysicalDevices");
        if (count == 0) throw new InvalidOperationException("no Vulkan device (install mesa-vulkan-drivers for lavapipe)");
        var devices = new nint[count];
        fixed (nint* d = devices) Check(vkEnumeratePhysicalDevices(_instance, &count, d), "vkEnumeratePhysicalDevices");
        _physical = devices[0];
        uint families = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(_physical, &families, null);
        var properties = new uint[families * 6];
        fixed (uint* p = properties) vkGetPhysicalDeviceQueueFamilyProperties(_physical, &families, p);
        _family = (uint)Enumerable.Range(0, (int)families).First(f => (properties[f * 6] & 2) != 0);
        float priority = 1;
        var queueInfo = new DeviceQueueCreateInfo { SType = 2, QueueFamilyIndex = _family, QueueCount = 1, QueuePriorities = &priority };
        nint device, queue;
        // The kernels declare SignedZeroInfNanPreserve (SPV_KHR_float_controls): core in 1.2, an extension for 1.1.
        fixed (byte* extension = "VK_KHR_shader_float_controls\0"u8)
        {
            var extensions = stackalloc byte*[] { extension };
            var deviceInfo = new DeviceCreateInfo { SType = 3, QueueCreateInfoCount = 1, QueueCreateInfos = &queueInfo, EnabledExtensionCount = 1, EnabledExtensionNames = extensions };
            Check(vkCreateDevice(_physical, &deviceInfo, null, &device), "vkCreateDevice");
        }
        _device = device;
        vkGetDeviceQueue(_device, _family, 0, &queue);
        _queue = queue;
        fixed (byte* m = _memoryProperties) vkGetPhysicalDeviceMemoryProperties(_physical, m);
    }

    /// <summary>
    /// Runs <paramref name="words"/>' entry point <paramref name="entryPoint"/> once: binding i of set 0 is a buffer
    /// holding <paramref name="buffers"/>[i] (read back into it afterwards), <paramref name="pushConstants"/> pushed at
    /// offset 0, <paramref name="groups"/> workgroups.
    /// </summary>
    public void Run(uint[] words, string entryPoint, byte[][] buffers, uint[] pushConstants, uint groups)
    {
        var handles = new ulong[buffers.Length];
        var memories = new ulong[buffers.Length];
        var mapped = new nint[buffers.Length];
        ulong* requirements = stackalloc ulong[3];
        for (int b = 0; b < buffers.Length; b++)
        {
            var info = new BufferCreateInfo { SType = 12, Size = (ulong)Math.Max(buffers[b].Length, 4), Usage = 0x20 /* STORAGE_BUFFER */ };
            ulong buffer, memory;
            Check(vkCreateBuffer(_device, &info, null, &buffer), "vkCreateBuffer");
            vkGetBufferMemoryRequirements(_device, buffer, requirements);
            var allocate = new MemoryAllocateInfo { SType = 5, AllocationSize = requirements[0], MemoryTypeIndex = HostVisibleType((uint)requirements[2]) };
            Check(vkAllocateMemory(_device, &allocate, null, &memory), "vkAllocateMemory");
            Check(vkBindBufferMemory(_device, buffer, memory, 0), "vkBindBufferMemory");
            void* pointer;
            Check(vkMapMemory(_device, memory, 0, ~0UL, 0, &pointer), "vkMapMemory");
            buffers[b].CopyTo(new Span<byte>(pointer, buffers[b].Length));
            (handles[b], memories[b], mapped[b]) = (buffer, memory, (nint)pointer);
        }

        ulong module, setLayout, pipelineLayout, pipeline, pool, set, commandPool;
        fixed (uint* code = words)
        {
            var info = new ShaderModuleCreateInfo { SType = 16, CodeSize = (nuint)(words.Length * 4), Code = code };
            Check(vkCreateShaderModule(_device, &info, null, &module), "vkCreateShaderModule");
        }
        var bindings = new DescriptorSetLayoutBinding[buffers.Length];
        for (int b = 0; b < buffers.Length; b++) bindings[b] = new DescriptorSetLayoutBinding { Binding = (uint)b, DescriptorType = 7, DescriptorCount = 1, StageFlags = 0x20 };
        fixed (DescriptorSetLayoutBinding* p = bindings)
        {
            var info = new DescriptorSetLayoutCreateInfo { SType = 32, BindingCount = (uint)bindings.Length, Bindings = p };
            Check(vkCreateDescriptorSetLayout(_device, &info, null, &setLayout), "vkCreateDescriptorSetLayout");
        }
        var range = new PushConstantRange { StageFlags = 0x20, Offset = 0, Size = (uint)(pushConstants.Length * 4) };
        var layoutInfo = new PipelineLayoutCreateInfo { SType = 30, SetLayoutCount = 1, SetLayouts = &setLayout, PushConstantRangeCount = 1, PushConstantRanges = &range };
        Check(vkCreatePipelineLayout(_device, &layoutInfo, null, &pipelineLayout), "vkCreatePipelineLayout");
        fixed (byte* name = Encoding.UTF8.GetBytes(entryPoint + "\0"))
        {
            var info = new ComputePipelineCreateInfo
            {
                SType = 29,
                Stage = new PipelineShaderStageCreateInfo { SType = 18, Stage = 0x20, Module = module, Name = name },
                Layout = pipelineLayout,
                BasePipelineIndex = -1,
            };
            Check(vkCreateComputePipelines(_device, 0, 1, &info, null, &pipeline), "vkCreateComputePipelines");
        }
        var size = new DescriptorPoolSize { Type = 7, DescriptorCount = (uint)buffers.Length };
        var poolInfo = new DescriptorPoolCreateInfo { SType = 33, MaxSets = 1, PoolSizeCount = 1, PoolSizes = &size };
        Check(vkCreateDescriptorPool(_device, &poolInfo, null, &pool), "vkCreateDescriptorPool");
        var allocateSet = new DescriptorSetAllocateInfo { SType = 34, DescriptorPool = pool, DescriptorSetCount = 1, SetLayouts = &setLayout };
        Check(vkAllocateDescriptorSets(_device, &allocateSet, &set), "vkAllocateDescriptorSets");
        var bufferInfos = handles.Select(h => new DescriptorBufferInfo { Buffer = h, Offset = 0, Range = ~0UL }).ToArray();
        fixed (DescriptorBufferInfo* infos = bufferInfos)
        {
            var writes = new WriteDescriptorSet[buffers.Length];
            for (int b = 0; b < buffers.Length; b++)
                writes[b] = new WriteDescriptorSet { SType = 35, DstSet = set, DstBinding = (uint)b, DescriptorCount = 1, DescriptorType = 7, BufferInfo = infos + b };
            fixed (WriteDescriptorSet* w = writes) vkUpdateDescriptorSets(_device, (uint)writes.Length, w, 0, null);
        }
        var commandPoolInfo = new CommandPoolCreateInfo { SType = 39, QueueFamilyIndex = _family };
        Check(vkCreateCommandPool(_device, &commandPoolInfo, null, &commandPool), "vkCreateCommandPool");
        var allocateCommands = new CommandBufferAllocateInfo { SType = 40, CommandPool = commandPool, CommandBufferCount = 1 };
        nint commands;
        Check(vkAllocateCommandBuffers(_device, &allocateCommands, &commands), "vkAllocateCommandBuffers");
        var begin = new CommandBufferBeginInfo { SType = 42, Flags = 1 };
        Check(vkBeginCommandBuffer(commands, &begin), "vkBeginCommandBuffer");
        vkCmdBindPipeline(commands, 1, pipeline);
        vkCmdBindDescriptorSets(commands, 1, pipelineLayout, 0, 1, &set, 0, null);
        fixed (uint* push = pushConstants) vkCmdPushConstants(commands, pipelineLayout, 0x20, 0, (uint)(pushConstants.Length * 4), push);
        vkCmdDispatch(commands, groups, 1, 1);
        Check(vkEndCommandBuffer(commands), "vkEndCommandBuffer");
        var submit = new SubmitInfo { SType = 4, CommandBufferCount = 1, CommandBuffers = &commands };
        Check(vkQueueSubmit(_queue, 1, &submit, 0), "vkQueueSubmit");
        Check(vkQueueWaitIdle(_queue), "vkQueueWaitIdle");

        for (int b = 0; b < buffers.Length; b++)
        {
            new ReadOnlySpan<byte>((void*)mapped[b], buffers[b].Length).CopyTo(buffers[b]);
            vkUnmapMemory(_device, memories[b]);
            vkDestroyBuffer(_device, handles[b], null);
            vkFreeMemory(_device, memories[b], null);
        }
        vkDestroyCommandPool(_device, commandPool, null);
        vkDestroyDescriptorPool(_device, pool, null);
        vkDestroyPipeline(_device, pipeline, null);
        vkDestroyPipelineLayout(_device, pipelineLayout, null);
        vkDestroyDescriptorSetLayout(_device, setLayout, null);
        vkDestroyShaderModule(_device, module, null);
    }

    private uint HostVisibleType(uint allowed)
    {
        uint count = BitConverter.ToUInt32(_memoryProperties, 0);
        for (uint t = 0; t < count; t++)
            if ((allowed & (1u << (int)t)) != 0 && (BitConverter.ToUInt32(_memoryProperties, 4 + 8 * (int)t) & 6) == 6) return t;
        throw new InvalidOperationException("no host-visible coherent memory type");
    }

    public void Dispose()
    {
        if (_device != 0) vkDestroyDevice(_device, null);
        if (_instance != 0) vkDestroyInstance(_instance, null);
        _device = _instance = 0;
    }

    [StructLayout(LayoutKind.Sequential)] private struct ApplicationInfo { public uint SType; public void* Next; public byte* ApplicationName; public uint ApplicationVersion; public byte* EngineName; public uint EngineVersion; public uint ApiVersion; }
    [StructLayout(LayoutKind.Sequential)] private struct InstanceCreateInfo { public uint SType; public void* Next; public uint Flags; public ApplicationInfo* ApplicationInfo; public uint EnabledLayerCount; public byte** EnabledLayerNames; public uint EnabledExtensionCount; public byte** EnabledExtensionNames; }
    [StructLayout(LayoutKind.Sequential)] private struct DeviceQueueCreateInfo { public uint SType; public void* Next; public uint Flags; public uint QueueFamilyIndex; public uint QueueCount; public float* QueuePriorities; }
    [StructLayout(LayoutKind.Sequential)] private struct DeviceCreateInfo { public uint SType; public void* Next; public uint Flags; public uint QueueCreateInfoCount; public DeviceQueueCreateInfo* QueueCreateInfos; public uint EnabledLayerCount; public byte** EnabledLayerNames; public uint EnabledExtensionCount; public byte** EnabledExtensionNames; public void* EnabledFeatures; }
    [StructLayout(LayoutKind.Sequential)] private struct BufferCreateInfo { public uint SType; public void* Next; public uint Flags; public ulong Size; public uint Usage; public uint SharingMode; public uint QueueFamilyIndexCount; public uint* QueueFamilyIndices; }
    [StructLayout(LayoutKind.Sequential)] private struct MemoryAllocateInfo { public uint SType; public void* Next; public ulong AllocationSize; public uint MemoryTypeIndex; }
    [StructLayout(LayoutKind.Sequential)] private struct ShaderModuleCreateInfo { public uint SType; public void* Next; public uint Flags; public nuint CodeSize; public uint* Code; }
    [StructLayout(LayoutKind.Sequential)] private struct DescriptorSetLayoutBinding { public uint Binding; public uint DescriptorType; public uint DescriptorCount; public uint StageFlags; public void* ImmutableSamplers; }
    [StructLayout(LayoutKind.Sequential)] private struct DescriptorSetLayoutCreateInfo { public uint SType; public void* Next; public uint Flags; public uint BindingCount; public DescriptorSetLayoutBinding* Bindings; }
    [StructLayout(LayoutKind.Sequential)] private struct PushConstantRange { public uint StageFlags; public uint Offset; public uint Size; }
    [StructLayout(LayoutKind.Sequential)] private struct PipelineLayoutCreateInfo { public uint SType; public void* Next; public uint Flags; public uint SetLayoutCount; public ulong* SetLayouts; public uint PushConstantRangeCount; public PushConstantRange* PushConstantRanges; }
    [StructLayout(LayoutKind.Sequential)] private struct PipelineShaderStageCreateInfo { public uint SType; public void* Next; public uint Flags; public uint Stage; public ulong Module; public byte* Name; public void* SpecializationInfo; }
    [StructLayout(LayoutKind.Sequential)] private struct ComputePipelineCreateInfo { public uint SType; public void* Next; public uint Flags; public PipelineShaderStageCreateInfo Stage; public ulong Layout; public ulong BasePipelineHandle; public int BasePipelineIndex; }
    [StructLayout(LayoutKind.Sequential)] private struct DescriptorPoolSize { public uint Type; public uint DescriptorCount; }
    [StructLayout(LayoutKind.Sequential)] private struct DescriptorPoolCreateInfo { public uint SType; public void* Next; public uint Flags; public uint MaxSets; public uint PoolSizeCount; public DescriptorPoolSize* PoolSizes; }
    [StructLayout(LayoutKind.Sequential)] private struct DescriptorSetAllocateInfo { public uint SType; public void* Next; public ulong DescriptorPool; public uint DescriptorSetCount; public ulong* SetLayouts; }
    [StructLayout(LayoutKind.Sequential)] private struct DescriptorBufferInfo { public ulong Buffer; public ulong Offset; public ulong Range; }
    [StructLayout(LayoutKind.Sequential)] private struct WriteDescriptorSet { public uint SType; public void* Next; public ulong DstSet; public uint DstBinding; public uint DstArrayElement; public uint DescriptorCount; public uint DescriptorType; public void* ImageInfo; public DescriptorBufferInfo* BufferInfo; public void* TexelBufferView; }
    [StructLayout(LayoutKind.Sequential)] private struct CommandPoolCreateInfo { public uint SType; public void* Next; public uint Flags; public uint QueueFamilyIndex; }
    [StructLayout(LayoutKind.Sequential)] private struct CommandBufferAllocateInfo { public uint SType; public void* Next; public ulong CommandPool; public uint Level; public uint CommandBufferCount; }
    [StructLayout(LayoutKind.Sequential)] private struct CommandBufferBeginInfo { public uint SType; public void* Next; public uint Flags; public void* InheritanceInfo; }
    [StructLayout(LayoutKind.Sequential)] private struct SubmitInfo { public uint SType; public void* Next; public uint WaitSemaphoreCount; public ulong* WaitSemaphores; public uint* WaitDstStageMask; public uint CommandBufferCount; public nint* CommandBuffers; public uint SignalSemaphoreCount; public ulong* SignalSemaphores; }

    [LibraryImport(Vulkan)] private static partial int vkCreateInstance(InstanceCreateInfo* info, void* allocator, nint* instance);
    [LibraryImport(Vulkan)] private static partial void vkDestroyInstance(nint instance, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkEnumeratePhysicalDevices(nint instance, uint* count, nint* devices);
    [LibraryImport(Vulkan)] private static partial void vkGetPhysicalDeviceQueueFamilyProperties(nint device, uint* count, uint* properties);
    [LibraryImport(Vulkan)] private static partial void vkGetPhysicalDeviceMemoryProperties(nint device, byte* properties);
    [LibraryImport(Vulkan)] private static partial int vkCreateDevice(nint physical, DeviceCreateInfo* info, void* allocator, nint* device);
    [LibraryImport(Vulkan)] private static partial void vkDestroyDevice(nint device, void* allocator);
    [LibraryImport(Vulkan)] private static partial void vkGetDeviceQueue(nint device, uint family, uint index, nint* queue);
    [LibraryImport(Vulkan)] private static partial int vkCreateBuffer(nint device, BufferCreateInfo* info, void* allocator, ulong* buffer);
    [LibraryImport(Vulkan)] private static partial void vkDestroyBuffer(nint device, ulong buffer, void* allocator);
    [LibraryImport(Vulkan)] private static partial void vkGetBufferMemoryRequirements(nint device, ulong buffer, ulong* requirements);
    [LibraryImport(Vulkan)] private static partial int vkAllocateMemory(nint device, MemoryAllocateInfo* info, void* allocator, ulong* memory);
    [LibraryImport(Vulkan)] private static partial void vkFreeMemory(nint device, ulong memory, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkBindBufferMemory(nint device, ulong buffer, ulong memory, ulong offset);
    [LibraryImport(Vulkan)] private static partial int vkMapMemory(nint device, ulong memory, ulong offset, ulong size, uint flags, void** data);
    [LibraryImport(Vulkan)] private static partial void vkUnmapMemory(nint device, ulong memory);
    [LibraryImport(Vulkan)] private static partial int vkCreateShaderModule(nint device, ShaderModuleCreateInfo* info, void* allocator, ulong* module);
    [LibraryImport(Vulkan)] private static partial void vkDestroyShaderModule(nint device, ulong module, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkCreateDescriptorSetLayout(nint device, DescriptorSetLayoutCreateInfo* info, void* allocator, ulong* layout);
    [LibraryImport(Vulkan)] private static partial void vkDestroyDescriptorSetLayout(nint device, ulong layout, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkCreatePipelineLayout(nint device, PipelineLayoutCreateInfo* info, void* allocator, ulong* layout);
    [LibraryImport(Vulkan)] private static partial void vkDestroyPipelineLayout(nint device, ulong layout, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkCreateComputePipelines(nint device, ulong cache, uint count, ComputePipelineCreateInfo* infos, void* allocator, ulong* pipelines);
    [LibraryImport(Vulkan)] private static partial void vkDestroyPipeline(nint device, ulong pipeline, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkCreateDescriptorPool(nint device, DescriptorPoolCreateInfo* info, void* allocator, ulong* pool);
    [LibraryImport(Vulkan)] private static partial void vkDestroyDescriptorPool(nint device, ulong pool, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkAllocateDescriptorSets(nint device, DescriptorSetAllocateInfo* info, ulong* sets);
    [LibraryImport(Vulkan)] private static partial void vkUpdateDescriptorSets(nint device, uint writeCount, WriteDescriptorSet* writes, uint copyCount, void* copies);
    [LibraryImport(Vulkan)] private static partial int vkCreateCommandPool(nint device, CommandPoolCreateInfo* info, void* allocator, ulong* pool);
    [LibraryImport(Vulkan)] private static partial void vkDestroyCommandPool(nint device, ulong pool, void* allocator);
    [LibraryImport(Vulkan)] private static partial int vkAllocateCommandBuffers(nint device, CommandBufferAllocateInfo* info, nint* buffers);
    [LibraryImport(Vulkan)] private static partial int vkBeginCommandBuffer(nint buffer, CommandBufferBeginInfo* info);
    [LibraryImport(Vulkan)] private static partial int vkEndCommandBuffer(nint buffer);
    [LibraryImport(Vulkan)] private static partial void vkCmdBindPipeline(nint buffer, uint bindPoint, ulong pipeline);
    [LibraryImport(Vulkan)] private static partial void vkCmdBindDescriptorSets(nint buffer, uint bindPoint, ulong layout, uint firstSet, uint count, ulong* sets, uint dynamicCount, uint* dynamicOffsets);
    [LibraryImport(Vulkan)] private static partial void vkCmdPushConstants(nint buffer, ulong layout, uint stages, uint offset, uint size, void* values);
    [LibraryImport(Vulkan)] private static partial void vkCmdDispatch(nint buffer, uint x, uint y, uint z);
    [LibraryImport(Vulkan)] private static partial int vkQueueSubmit(nint queue, uint count, SubmitInfo* submits, ulong fence);
    [LibraryImport(Vulkan)] private static partial int vkQueueWaitIdle(nint queue);
}
