using System.Runtime.InteropServices;
using JaxToolchain.Ir;
using Silk.NET.Vulkan;
using VkBuffer = Silk.NET.Vulkan.Buffer;
using VkDevice = Silk.NET.Vulkan.Device;

namespace JaxToolchain.Vulkan;

/// <summary>A Vulkan call that failed; device loss and memory exhaustion say so.</summary>
public sealed class VulkanException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VulkanException(string message) : base(message) { }

    /// <summary>The result code, when the failure came from a Vulkan call.</summary>
    public Result? Result { get; init; }

    internal static void Check(Result result, string call)
    {
        if (result == Silk.NET.Vulkan.Result.Success) return;
        string what = result switch
        {
            Silk.NET.Vulkan.Result.ErrorDeviceLost => "the device was lost (a driver reset or a kernel that ran too long); results computed on it are gone, arrays on the host are intact",
            Silk.NET.Vulkan.Result.ErrorOutOfDeviceMemory => "the device is out of memory",
            Silk.NET.Vulkan.Result.ErrorOutOfHostMemory => "the host is out of memory",
            Silk.NET.Vulkan.Result.ErrorIncompatibleDriver => "no driver supports the requested Vulkan version",
            _ => result.ToString(),
        };
        throw new VulkanException($"{call} failed: {what} ({result})") { Result = result };
    }
}

/// <summary>A Vulkan device that runs compute kernels: the instance, the device picked, one compute queue.</summary>
/// <param name="Name">The device's name (<c>llvmpipe (LLVM 15.0.6, 256 bits)</c> for lavapipe).</param>
/// <param name="Type">Discrete GPU, integrated GPU, virtual GPU or CPU.</param>
/// <param name="ApiVersion">The Vulkan version the device supports.</param>
public sealed record VulkanDeviceInfo(string Name, PhysicalDeviceType Type, Version ApiVersion)
{
    /// <summary>Whether kernels may declare float controls (SPV_KHR_float_controls: Vulkan 1.2, or the extension, enabled).</summary>
    public bool FloatControls { get; init; }

    /// <summary>
    /// What the device offers kernels, by Vulkan's names: enabled features (<c>shaderFloat64</c>, <c>storageBuffer8BitAccess</c>,
    /// ...), float-control properties (<c>shaderSignedZeroInfNanPreserveFloat32</c>), enabled or core extensions,
    /// subgroup operations in compute shaders (<c>subgroupArithmetic</c>) and <c>subgroupSize=N</c>. A kernel runs here
    /// when every name of its <see cref="VulkanKernel.Features"/> is in this set.
    /// </summary>
    public IReadOnlySet<string> Features { get; init; } = new HashSet<string>();

    /// <summary>The largest workgroup count of a dispatch along x, y and z.</summary>
    public IReadOnlyList<uint> MaxWorkgroupCount { get; init; } = [65535, 65535, 65535];

    /// <summary>The largest storage buffer a descriptor may cover, in bytes.</summary>
    public uint MaxStorageBufferRange { get; init; } = 1u << 27;

    /// <summary>The most bytes of push constants a pipeline may take.</summary>
    public uint MaxPushConstantsSize { get; init; } = 128;
}

/// <summary>
/// The first slice of the Vulkan runtime (issue 10): one logical device with a compute queue, host-visible storage
/// buffers, compute pipelines from SPIR-V words, and synchronous dispatches (record, submit, wait on a fence). The
/// device is the best of the machine's: discrete GPU, then integrated, virtual, CPU (lavapipe). Everything it
/// created is destroyed by <see cref="Dispose"/>, in order. Device-local memory with staging, asynchronous
/// dispatch, batching and pooling come with the rest of the runtime.
/// </summary>
internal sealed unsafe class VulkanComputeContext : IDisposable
{
    private readonly SharedInstance _shared;
    private readonly Vk _vk;
    private readonly PhysicalDevice _physical;
    private readonly VkDevice _device;
    private readonly Queue _queue;
    private readonly CommandPool _commandPool;
    private readonly Fence _fence;
    private readonly PhysicalDeviceMemoryProperties _memory;
    private bool _disposed;

    /// <summary>The loader, the API table and the instance, shared by the contexts of one enumeration and destroyed with the last.</summary>
    private sealed class SharedInstance(VulkanLoader loader, Vk vk, Instance instance)
    {
        private int _users;

        public Vk Vk => vk;

        public Instance Instance => instance;

        public void AddUser() => Interlocked.Increment(ref _users);

        public void Release()
        {
            if (Interlocked.Decrement(ref _users) > 0) return;
            vk.DestroyInstance(instance, null);
            vk.Dispose();
            loader.Dispose();
        }
    }

    private VulkanComputeContext(SharedInstance shared, PhysicalDevice physical, VulkanDeviceInfo info, uint queueFamily, int ordinal)
    {
        _shared = shared;
        var vk = _vk = shared.Vk;
        Ordinal = ordinal;
        QueueFamily = queueFamily;
        _physical = physical;
        PhysicalDeviceMemoryProperties memory;
        vk.GetPhysicalDeviceMemoryProperties(physical, &memory);
        _memory = memory;

        float priority = 1;
        var queueInfo = new DeviceQueueCreateInfo { SType = StructureType.DeviceQueueCreateInfo, QueueFamilyIndex = queueFamily, QueueCount = 1, PQueuePriorities = &priority };
        var (features, enabled, extensions) = Discover(vk, shared.Instance, physical, info.ApiVersion);
        var names = extensions.Select(e => Marshal.StringToHGlobalAnsi(e)).ToArray();
        try
        {
            var namePointers = stackalloc byte*[Math.Max(names.Length, 1)];
            for (int i = 0; i < names.Length; i++) namePointers[i] = (byte*)names[i];
            // The features the kernels may need, enabled where the device has them (a kernel lists what it needs; a step
            // whose kernels need a feature the device lacks runs on the host).
            var v12 = enabled.V12;
            var v11 = enabled.V11;
            var cooperative = enabled.CooperativeMatrix;
            v11.PNext = info.ApiVersion >= new Version(1, 2) ? &v12 : null;
            if (cooperative.CooperativeMatrix) v12.PNext = &cooperative;
            var features2 = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &v11, Features = enabled.Core };
            var deviceInfo = new DeviceCreateInfo
            {
                SType = StructureType.DeviceCreateInfo,
                PNext = &features2,
                QueueCreateInfoCount = 1,
                PQueueCreateInfos = &queueInfo,
                EnabledExtensionCount = (uint)names.Length,
                PpEnabledExtensionNames = namePointers,
            };
            VkDevice created;
            VulkanException.Check(vk.CreateDevice(physical, &deviceInfo, null, &created), "vkCreateDevice");
            _device = created;
            Info = info with { FloatControls = features.Contains("shaderSignedZeroInfNanPreserveFloat32"), Features = features };
        }
        finally
        {
            foreach (var name in names) Marshal.FreeHGlobal(name);
        }
        var device = _device;
        Queue queue;
        vk.GetDeviceQueue(device, queueFamily, 0, &queue);
        _queue = queue;
        var poolInfo = new CommandPoolCreateInfo { SType = StructureType.CommandPoolCreateInfo, QueueFamilyIndex = queueFamily, Flags = CommandPoolCreateFlags.ResetCommandBufferBit };
        CommandPool pool;
        VulkanException.Check(vk.CreateCommandPool(device, &poolInfo, null, &pool), "vkCreateCommandPool");
        _commandPool = pool;
        var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        Fence fence;
        VulkanException.Check(vk.CreateFence(device, &fenceInfo, null, &fence), "vkCreateFence");
        _fence = fence;
    }

    private const string FloatControlsExtension = "VK_KHR_shader_float_controls";

    private struct EnabledFeatures
    {
        public PhysicalDeviceFeatures Core;
        public PhysicalDeviceVulkan11Features V11;
        public PhysicalDeviceVulkan12Features V12;
        public PhysicalDeviceCooperativeMatrixFeaturesKHR CooperativeMatrix;
    }

    /// <summary>
    /// What the device offers that kernels may need, as Vulkan names them (the features to enable, and the float-control
    /// and subgroup properties as the names of <see cref="VulkanKernel.Features"/>), and the extensions to enable.
    /// </summary>
    private static (HashSet<string> Names, EnabledFeatures Enabled, List<string> Extensions) Discover(Vk vk, Instance instance, PhysicalDevice physical, Version apiVersion)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var extensions = new List<string>();
        var available = DeviceExtensions(vk, physical);
        bool v12 = apiVersion >= new Version(1, 2);
        var f12 = new PhysicalDeviceVulkan12Features { SType = StructureType.PhysicalDeviceVulkan12Features };
        var f11 = new PhysicalDeviceVulkan11Features { SType = StructureType.PhysicalDeviceVulkan11Features, PNext = v12 ? &f12 : null };
        var f2 = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &f11 };
        vk.GetPhysicalDeviceFeatures2(physical, &f2);
        var p12 = new PhysicalDeviceVulkan12Properties { SType = StructureType.PhysicalDeviceVulkan12Properties };
        var subgroup = new PhysicalDeviceSubgroupProperties { SType = StructureType.PhysicalDeviceSubgroupProperties, PNext = v12 ? &p12 : null };
        var p2 = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &subgroup };
        vk.GetPhysicalDeviceProperties2(physical, &p2);

        var enabled = new EnabledFeatures
        {
            Core = new PhysicalDeviceFeatures { ShaderFloat64 = f2.Features.ShaderFloat64, ShaderInt64 = f2.Features.ShaderInt64, ShaderInt16 = f2.Features.ShaderInt16 },
            V11 = new PhysicalDeviceVulkan11Features { SType = StructureType.PhysicalDeviceVulkan11Features, StorageBuffer16BitAccess = f11.StorageBuffer16BitAccess },
            V12 = new PhysicalDeviceVulkan12Features
            {
                SType = StructureType.PhysicalDeviceVulkan12Features,
                StorageBuffer8BitAccess = f12.StorageBuffer8BitAccess,
                ShaderFloat16 = f12.ShaderFloat16,
                ShaderInt8 = f12.ShaderInt8,
                VulkanMemoryModel = f12.VulkanMemoryModel,
            },
        };
        void Add(string name, bool has)
        {
            if (has) names.Add(name);
        }
        Add("shaderFloat64", f2.Features.ShaderFloat64);
        Add("shaderInt64", f2.Features.ShaderInt64);
        Add("shaderInt16", f2.Features.ShaderInt16);
        Add("storageBuffer16BitAccess", f11.StorageBuffer16BitAccess);
        if (v12)
        {
            Add("storageBuffer8BitAccess", f12.StorageBuffer8BitAccess);
            Add("shaderFloat16", f12.ShaderFloat16);
            Add("shaderInt8", f12.ShaderInt8);
            Add("vulkanMemoryModel", f12.VulkanMemoryModel);
            // Core in 1.2: the extension names stand for themselves in kernels' feature lists.
            foreach (var core in new[] { FloatControlsExtension, "VK_KHR_8bit_storage", "VK_KHR_16bit_storage", "VK_KHR_shader_float16_int8" }) names.Add(core);
            Add("shaderSignedZeroInfNanPreserveFloat16", p12.ShaderSignedZeroInfNanPreserveFloat16);
            Add("shaderSignedZeroInfNanPreserveFloat32", p12.ShaderSignedZeroInfNanPreserveFloat32);
            Add("shaderSignedZeroInfNanPreserveFloat64", p12.ShaderSignedZeroInfNanPreserveFloat64);
        }
        else if (available.Contains(FloatControlsExtension))
        {
            // A 1.1 device with the extension: enabled; its NaN/Inf/-0 guarantee is assumed for float32 (the common case).
            extensions.Add(FloatControlsExtension);
            names.Add(FloatControlsExtension);
            names.Add("shaderSignedZeroInfNanPreserveFloat32");
        }
        if ((subgroup.SupportedStages & ShaderStageFlags.ComputeBit) != 0)
        {
            var ops = subgroup.SupportedOperations;
            Add("subgroupBasic", (ops & SubgroupFeatureFlags.BasicBit) != 0);
            Add("subgroupArithmetic", (ops & SubgroupFeatureFlags.ArithmeticBit) != 0);
            Add("subgroupShuffle", (ops & SubgroupFeatureFlags.ShuffleBit) != 0);
            Add("subgroupBallot", (ops & SubgroupFeatureFlags.BallotBit) != 0);
            names.Add($"subgroupSize={subgroup.SubgroupSize}");
        }
        if (v12 && f12.VulkanMemoryModel && f12.ShaderFloat16 && available.Contains(CooperativeMatrixExtension))
            DiscoverCooperativeMatrices(vk, instance, physical, names, ref enabled, extensions);
        return (names, enabled, extensions);
    }

    private const string CooperativeMatrixExtension = "VK_KHR_cooperative_matrix";

    /// <summary>
    /// Enables <c>VK_KHR_cooperative_matrix</c> where the device offers the feature, and names the matrix shapes kernels
    /// use that it lists: S x S x S float16 x float16 + float32 at subgroup scope as
    /// <see cref="VulkanKernel.CooperativeMatrixHalfFeature"/>(S).
    /// </summary>
    private static void DiscoverCooperativeMatrices(Vk vk, Instance instance, PhysicalDevice physical, HashSet<string> names, ref EnabledFeatures enabled, List<string> extensions)
    {
        var query = new PhysicalDeviceCooperativeMatrixFeaturesKHR { SType = StructureType.PhysicalDeviceCooperativeMatrixFeaturesKhr };
        var features2 = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &query };
        vk.GetPhysicalDeviceFeatures2(physical, &features2);
        var function = vk.GetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
        if (!query.CooperativeMatrix || function.Handle is null) return;
        var list = (delegate* unmanaged<PhysicalDevice, uint*, CooperativeMatrixPropertiesKHR*, Result>)function.Handle;
        uint count = 0;
        if (list(physical, &count, null) != Result.Success || count == 0) return;
        var properties = new CooperativeMatrixPropertiesKHR[count];
        for (int i = 0; i < properties.Length; i++) properties[i].SType = StructureType.CooperativeMatrixPropertiesKhr;
        fixed (CooperativeMatrixPropertiesKHR* p = properties)
            if (list(physical, &count, p) != Result.Success) return;
        enabled.CooperativeMatrix = new PhysicalDeviceCooperativeMatrixFeaturesKHR { SType = StructureType.PhysicalDeviceCooperativeMatrixFeaturesKhr, CooperativeMatrix = true };
        extensions.Add(CooperativeMatrixExtension);
        names.Add(CooperativeMatrixExtension);
        foreach (var q in properties.AsSpan(0, (int)count))
            if (q is { AType: ComponentTypeKHR.Float16Khr, BType: ComponentTypeKHR.Float16Khr, CType: ComponentTypeKHR.Float32Khr, ResultType: ComponentTypeKHR.Float32Khr, Scope: ScopeKHR.SubgroupKhr }
                && q.MSize == q.NSize && q.NSize == q.KSize)
                names.Add(VulkanKernel.CooperativeMatrixHalfFeature((int)q.MSize));
    }

    /// <summary>The device in use.</summary>
    public VulkanDeviceInfo Info { get; }

    private static HashSet<string> DeviceExtensions(Vk vk, PhysicalDevice device)
    {
        uint count = 0;
        VulkanException.Check(vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, null), "vkEnumerateDeviceExtensionProperties");
        var properties = new ExtensionProperties[count];
        fixed (ExtensionProperties* p = properties)
            VulkanException.Check(vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, p), "vkEnumerateDeviceExtensionProperties");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in properties) names.Add(Marshal.PtrToStringUTF8((nint)property.ExtensionName) ?? "");
        return names;
    }

    /// <summary>
    /// Opens the best Vulkan device of the machine; false, with the reason (no loader, and the apt line; no device with a
    /// compute queue), when there is none. <paramref name="library"/> names another loader file (tests).
    /// </summary>
    public static bool TryCreate(out VulkanComputeContext? context, out string? failure, string? library = null)
    {
        context = null;
        if (!TryCreateAll(out var all, out failure, library)) return false;
        context = all[0];
        foreach (var other in all.Skip(1)) other.Dispose();
        return true;
    }

    /// <summary>
    /// Opens every Vulkan device of the machine that has a compute queue, best first (discrete GPU, integrated, virtual,
    /// CPU such as lavapipe, other; the driver's order within a kind); false, with the reason (no loader, and the apt line;
    /// no driver; no device), when there is none. The contexts share one instance, destroyed with the last of them.
    /// </summary>
    public static bool TryCreateAll(out IReadOnlyList<VulkanComputeContext> contexts, out string? failure, string? library = null)
    {
        contexts = [];
        if (!VulkanLoader.TryLoad(library, out var loader, out failure)) return false;
        var vk = new Vk(loader!);
        try
        {
            var name = Marshal.StringToHGlobalAnsi("Jax.Toolchain");
            try
            {
                var app = new ApplicationInfo
                {
                    SType = StructureType.ApplicationInfo,
                    PApplicationName = (byte*)name,
                    PEngineName = (byte*)name,
                    ApiVersion = Vk.Version12,
                };
                var instanceInfo = new InstanceCreateInfo { SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app };
                Instance instance;
                var created = vk.CreateInstance(&instanceInfo, null, &instance);
                if (created != Result.Success)
                {
                    failure = $"vkCreateInstance failed ({created}): no Vulkan driver (ICD) is installed" +
                        (OperatingSystem.IsLinux() ? "; for a CPU device: sudo apt-get install mesa-vulkan-drivers" : "");
                    return Fail(vk, loader!);
                }
                var found = Rank(vk, instance);
                if (found.Count == 0)
                {
                    vk.DestroyInstance(instance, null);
                    failure = "no Vulkan device with a compute queue";
                    return Fail(vk, loader!);
                }
                var shared = new SharedInstance(loader!, vk, instance);
                var opened = new List<VulkanComputeContext>();
                shared.AddUser();
                try
                {
                    foreach (var (device, info, family) in found)
                    {
                        shared.AddUser();
                        try
                        {
                            opened.Add(new VulkanComputeContext(shared, device, info, family, opened.Count));
                        }
                        catch
                        {
                            shared.Release();
                            throw;
                        }
                    }
                }
                finally
                {
                    shared.Release();
                }
                contexts = opened;
                return true;
            }
            finally
            {
                Marshal.FreeHGlobal(name);
            }
        }
        catch
        {
            vk.Dispose();
            loader!.Dispose();
            throw;
        }
    }

    private static bool Fail(Vk vk, VulkanLoader loader)
    {
        vk.Dispose();
        loader.Dispose();
        return false;
    }

    /// <summary>The devices with a compute queue, best first: discrete, integrated, virtual, CPU, other.</summary>
    private static List<(PhysicalDevice Device, VulkanDeviceInfo Info, uint QueueFamily)> Rank(Vk vk, Instance instance)
    {
        uint count = 0;
        VulkanException.Check(vk.EnumeratePhysicalDevices(instance, &count, null), "vkEnumeratePhysicalDevices");
        var devices = new PhysicalDevice[count];
        fixed (PhysicalDevice* p = devices) VulkanException.Check(vk.EnumeratePhysicalDevices(instance, &count, p), "vkEnumeratePhysicalDevices");
        var found = new List<(int Rank, PhysicalDevice, VulkanDeviceInfo, uint)>();
        foreach (var device in devices)
        {
            PhysicalDeviceProperties properties;
            vk.GetPhysicalDeviceProperties(device, &properties);
            uint families = 0;
            vk.GetPhysicalDeviceQueueFamilyProperties(device, &families, null);
            var familyProperties = new QueueFamilyProperties[families];
            fixed (QueueFamilyProperties* f = familyProperties) vk.GetPhysicalDeviceQueueFamilyProperties(device, &families, f);
            int family = Array.FindIndex(familyProperties, f => (f.QueueFlags & QueueFlags.ComputeBit) != 0);
            if (family < 0) continue;
            int rank = properties.DeviceType switch
            {
                PhysicalDeviceType.DiscreteGpu => 0,
                PhysicalDeviceType.IntegratedGpu => 1,
                PhysicalDeviceType.VirtualGpu => 2,
                PhysicalDeviceType.Cpu => 3,
                _ => 4,
            };
            uint v = properties.ApiVersion;
            var info = new VulkanDeviceInfo(Marshal.PtrToStringUTF8((nint)properties.DeviceName) ?? "",
                properties.DeviceType, new Version((int)(v >> 22) & 0x7F, (int)(v >> 12) & 0x3FF, (int)(v & 0xFFF)))
            {
                MaxWorkgroupCount = [properties.Limits.MaxComputeWorkGroupCount[0], properties.Limits.MaxComputeWorkGroupCount[1], properties.Limits.MaxComputeWorkGroupCount[2]],
                MaxStorageBufferRange = properties.Limits.MaxStorageBufferRange,
                MaxPushConstantsSize = properties.Limits.MaxPushConstantsSize,
            };
            found.Add((rank, device, info, (uint)family));
        }
        return [.. found.OrderBy(f => f.Rank).Select(f => (f.Item2, f.Item3, f.Item4))];
    }

    /// <summary>The device's position in <see cref="TryCreateAll"/>'s list (its <c>id</c> on the <c>vulkan</c> platform).</summary>
    public int Ordinal { get; }

    /// <summary>A host-visible, coherent storage buffer of <paramref name="bytes"/> bytes, mapped for its lifetime.</summary>
    public VulkanBuffer CreateBuffer(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong size = (ulong)Math.Max(bytes, 4);
        var bufferInfo = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = size, Usage = BufferUsageFlags.StorageBufferBit, SharingMode = SharingMode.Exclusive };
        VkBuffer buffer;
        VulkanException.Check(_vk.CreateBuffer(_device, &bufferInfo, null, &buffer), "vkCreateBuffer");
        MemoryRequirements requirements;
        _vk.GetBufferMemoryRequirements(_device, buffer, &requirements);
        const MemoryPropertyFlags wanted = MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit;
        int type = -1;
        for (int i = 0; i < _memory.MemoryTypeCount; i++)
            if ((requirements.MemoryTypeBits & (1u << i)) != 0 && (_memory.MemoryTypes[i].PropertyFlags & wanted) == wanted)
            {
                type = i;
                break;
            }
        if (type < 0)
        {
            _vk.DestroyBuffer(_device, buffer, null);
            throw new VulkanException($"{Info.Name} has no host-visible, coherent memory for a storage buffer");
        }
        var allocateInfo = new MemoryAllocateInfo { SType = StructureType.MemoryAllocateInfo, AllocationSize = requirements.Size, MemoryTypeIndex = (uint)type };
        DeviceMemory memory;
        var allocated = _vk.AllocateMemory(_device, &allocateInfo, null, &memory);
        if (allocated != Result.Success)
        {
            _vk.DestroyBuffer(_device, buffer, null);
            VulkanException.Check(allocated, $"vkAllocateMemory ({requirements.Size} bytes)");
        }
        VulkanException.Check(_vk.BindBufferMemory(_device, buffer, memory, 0), "vkBindBufferMemory");
        void* mapped;
        VulkanException.Check(_vk.MapMemory(_device, memory, 0, Vk.WholeSize, 0, &mapped), "vkMapMemory");
        return new VulkanBuffer(this, buffer, memory, (nint)mapped, bytes);
    }

    /// <summary>
    /// A compute pipeline of a SPIR-V module's entry point whose bindings 0..<paramref name="bufferCount"/>-1 of set 0 are
    /// storage buffers and whose push constants take <paramref name="pushConstantBytes"/> bytes.
    /// </summary>
    public VulkanPipeline CreatePipeline(ReadOnlySpan<uint> spirv, string entryPoint, int bufferCount, int pushConstantBytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new VulkanPipeline(this, spirv, entryPoint, bufferCount, pushConstantBytes);
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/> on <paramref name="buffers"/> (binding i = buffer i) with
    /// <paramref name="pushConstants"/>, as <paramref name="workgroups"/> x <paramref name="workgroupsY"/> x <paramref name="workgroupsZ"/> workgroups, and waits for it.
    /// </summary>
    public void Dispatch(VulkanPipeline pipeline, IReadOnlyList<VulkanBuffer> buffers, ReadOnlySpan<byte> pushConstants, uint workgroups, uint workgroupsY = 1, uint workgroupsZ = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffers.Count != pipeline.BufferCount)
            throw new ArgumentException($"the pipeline binds {pipeline.BufferCount} buffers, the dispatch gives {buffers.Count}", nameof(buffers));
        if (pushConstants.Length != pipeline.PushConstantBytes)
            throw new ArgumentException($"the pipeline takes {pipeline.PushConstantBytes} bytes of push constants, the dispatch gives {pushConstants.Length}", nameof(pushConstants));
        var set = pipeline.DescriptorSet;
        var handles = new VkBuffer[buffers.Count];
        var ranges = new ulong[buffers.Count];
        for (int i = 0; i < handles.Length; i++) (handles[i], ranges[i]) = (buffers[i].Handle, Vk.WholeSize);
        WriteStorageBuffers(set, handles, ranges);

        var allocateInfo = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = _commandPool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
        CommandBuffer commands;
        VulkanException.Check(_vk.AllocateCommandBuffers(_device, &allocateInfo, &commands), "vkAllocateCommandBuffers");
        try
        {
            var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
            VulkanException.Check(_vk.BeginCommandBuffer(commands, &begin), "vkBeginCommandBuffer");
            _vk.CmdBindPipeline(commands, PipelineBindPoint.Compute, pipeline.Pipeline);
            _vk.CmdBindDescriptorSets(commands, PipelineBindPoint.Compute, pipeline.Layout, 0, 1, &set, 0, null);
            if (pushConstants.Length > 0)
                fixed (byte* p = pushConstants)
                    _vk.CmdPushConstants(commands, pipeline.Layout, ShaderStageFlags.ComputeBit, 0, (uint)pushConstants.Length, p);
            _vk.CmdDispatch(commands, workgroups, workgroupsY, workgroupsZ);
            // The kernel's writes are made visible to the host's reads of the mapped memory.
            var barrier = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = AccessFlags.ShaderWriteBit, DstAccessMask = AccessFlags.HostReadBit };
            _vk.CmdPipelineBarrier(commands, PipelineStageFlags.ComputeShaderBit, PipelineStageFlags.HostBit, 0, 1, &barrier, 0, null, 0, null);
            VulkanException.Check(_vk.EndCommandBuffer(commands), "vkEndCommandBuffer");
            var submit = new SubmitInfo { SType = StructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &commands };
            var fence = _fence;
            VulkanException.Check(_vk.ResetFences(_device, 1, &fence), "vkResetFences");
            lock (QueueLock) VulkanException.Check(_vk.QueueSubmit(_queue, 1, &submit, fence), "vkQueueSubmit");
            VulkanException.Check(_vk.WaitForFences(_device, 1, &fence, true, ulong.MaxValue), "vkWaitForFences");
        }
        finally
        {
            _vk.FreeCommandBuffers(_device, _commandPool, 1, &commands);
        }
    }

    internal Vk Api => _vk;

    /// <summary>Points bindings 0..n-1 of <paramref name="set"/> at storage buffers, each covering <paramref name="ranges"/>[i] bytes.</summary>
    internal void WriteStorageBuffers(DescriptorSet set, ReadOnlySpan<VkBuffer> buffers, ReadOnlySpan<ulong> ranges)
    {
        int n = buffers.Length;
        if (n == 0) return;
        var infos = stackalloc DescriptorBufferInfo[n];
        var writes = stackalloc WriteDescriptorSet[n];
        for (int i = 0; i < n; i++)
        {
            infos[i] = new DescriptorBufferInfo { Buffer = buffers[i], Offset = 0, Range = ranges[i] };
            writes[i] = new WriteDescriptorSet
            {
                SType = StructureType.WriteDescriptorSet,
                DstSet = set,
                DstBinding = (uint)i,
                DescriptorCount = 1,
                DescriptorType = DescriptorType.StorageBuffer,
                PBufferInfo = &infos[i],
            };
        }
        _vk.UpdateDescriptorSets(_device, (uint)n, writes, 0, null);
    }

    internal Queue Queue => _queue;

    /// <summary>The queue family of <see cref="Queue"/>.</summary>
    internal uint QueueFamily { get; }

    internal CommandPool CommandPool => _commandPool;

    internal PhysicalDeviceMemoryProperties MemoryProperties => _memory;

    /// <summary>The first memory type allowed by <paramref name="typeBits"/> with all of <paramref name="wanted"/>, or -1.</summary>
    internal int FindMemoryType(uint typeBits, MemoryPropertyFlags wanted)
    {
        for (int i = 0; i < _memory.MemoryTypeCount; i++)
            if ((typeBits & (1u << i)) != 0 && (_memory.MemoryTypes[i].PropertyFlags & wanted) == wanted) return i;
        return -1;
    }

    /// <summary>The queue's lock (Vulkan requires queue submissions to be externally synchronized).</summary>
    internal readonly Lock QueueLock = new();

    internal VkDevice Device => _device;

    /// <summary>Waits for the device to finish, then destroys everything this context created, and the instance.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _vk.DeviceWaitIdle(_device);
        _vk.DestroyFence(_device, _fence, null);
        _vk.DestroyCommandPool(_device, _commandPool, null);
        _vk.DestroyDevice(_device, null);
        _shared.Release();
    }
}

/// <summary>A storage buffer in host-visible memory, mapped: <see cref="Write{T}"/> and <see cref="Read{T}"/> copy through the mapping.</summary>
internal sealed unsafe class VulkanBuffer(VulkanComputeContext context, VkBuffer handle, DeviceMemory memory, nint mapped, long bytes) : IDisposable
{
    private bool _disposed;

    public VkBuffer Handle => handle;

    /// <summary>The buffer's size in bytes.</summary>
    public long Bytes => bytes;

    /// <summary>Copies <paramref name="values"/> to the start of the buffer.</summary>
    public void Write<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var source = MemoryMarshal.AsBytes(values);
        if (source.Length > bytes) throw new ArgumentException($"{source.Length} bytes do not fit a buffer of {bytes}", nameof(values));
        source.CopyTo(new Span<byte>((void*)mapped, source.Length));
    }

    /// <summary>The buffer's contents as <paramref name="count"/> values of <typeparamref name="T"/>.</summary>
    public T[] Read<T>(int count) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((long)count * sizeof(T) > bytes) throw new ArgumentOutOfRangeException(nameof(count), $"{count} values of {typeof(T).Name} exceed the buffer's {bytes} bytes");
        return new ReadOnlySpan<T>((void*)mapped, count).ToArray();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var vk = context.Api;
        vk.UnmapMemory(context.Device, memory);
        vk.DestroyBuffer(context.Device, handle, null);
        vk.FreeMemory(context.Device, memory, null);
    }
}
