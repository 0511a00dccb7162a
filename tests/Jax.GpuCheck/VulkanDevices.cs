using System.Runtime.InteropServices;
using Silk.NET.Core.Contexts;
using Silk.NET.Vulkan;

namespace JaxToolchain.GpuCheck;

/// <summary>
/// The machine's Vulkan devices as the loader lists them, with what matters to our kernels (API version, driver, the
/// optional features the SPIR-V kernels use, subgroup size, limits, memory heaps). Queried here with our own instance
/// (the runtime's context is internal); the runtime's own list is <c>Jax.Devices("vulkan")</c>.
/// </summary>
internal static unsafe class VulkanDevices
{
    /// <summary>One line per device (several lines of details each), or the reason there are none.</summary>
    public static IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        if (!NativeLibrary.TryLoad("libvulkan.so.1", out nint library))
            return ["no Vulkan loader (libvulkan.so.1) could be loaded"];
        var vk = new Vk(new Loader(library));
        var name = Marshal.StringToHGlobalAnsi("Jax.GpuCheck");
        try
        {
            var app = new ApplicationInfo { SType = StructureType.ApplicationInfo, PApplicationName = (byte*)name, ApiVersion = Vk.Version12 };
            var info = new InstanceCreateInfo { SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app };
            Instance instance;
            var created = vk.CreateInstance(&info, null, &instance);
            if (created != Result.Success) return [$"vkCreateInstance failed ({created}): no Vulkan driver (ICD) was found"];
            try
            {
                uint count = 0;
                vk.EnumeratePhysicalDevices(instance, &count, null);
                var devices = new PhysicalDevice[count];
                fixed (PhysicalDevice* p = devices) vk.EnumeratePhysicalDevices(instance, &count, p);
                if (count == 0) lines.Add("the loader found no Vulkan device");
                for (int i = 0; i < devices.Length; i++) lines.AddRange(Device(vk, instance, devices[i], i));
            }
            finally
            {
                vk.DestroyInstance(instance, null);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(name);
            vk.Dispose();
        }
        return lines;
    }

    private static List<string> Device(Vk vk, Instance instance, PhysicalDevice device, int index)
    {
        var lines = new List<string>();
        var p12 = new PhysicalDeviceVulkan12Properties { SType = StructureType.PhysicalDeviceVulkan12Properties };
        var subgroup = new PhysicalDeviceSubgroupProperties { SType = StructureType.PhysicalDeviceSubgroupProperties, PNext = &p12 };
        var p2 = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &subgroup };
        vk.GetPhysicalDeviceProperties2(device, &p2);
        var properties = p2.Properties;
        var f12 = new PhysicalDeviceVulkan12Features { SType = StructureType.PhysicalDeviceVulkan12Features };
        var f11 = new PhysicalDeviceVulkan11Features { SType = StructureType.PhysicalDeviceVulkan11Features, PNext = &f12 };
        var f2 = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &f11 };
        vk.GetPhysicalDeviceFeatures2(device, &f2);
        PhysicalDeviceMemoryProperties memory;
        vk.GetPhysicalDeviceMemoryProperties(device, &memory);

        uint v = properties.ApiVersion;
        string deviceName = Marshal.PtrToStringUTF8((nint)properties.DeviceName) ?? "?";
        string driver = (Marshal.PtrToStringUTF8((nint)p12.DriverName) ?? "") + " " + (Marshal.PtrToStringUTF8((nint)p12.DriverInfo) ?? "");
        lines.Add($"[{index}] {deviceName}  type={properties.DeviceType}  api={v >> 22 & 0x7F}.{v >> 12 & 0x3FF}.{v & 0xFFF}  driver={driver.Trim()} ({p12.DriverID})");

        var features = new List<string>();
        void Add(string feature, bool has) => features.Add(has ? feature : "!" + feature);
        Add("shaderFloat64", f2.Features.ShaderFloat64);
        Add("shaderInt64", f2.Features.ShaderInt64);
        Add("shaderInt16", f2.Features.ShaderInt16);
        Add("shaderFloat16", f12.ShaderFloat16);
        Add("shaderInt8", f12.ShaderInt8);
        Add("storageBuffer16BitAccess", f11.StorageBuffer16BitAccess);
        Add("storageBuffer8BitAccess", f12.StorageBuffer8BitAccess);
        Add("vulkanMemoryModel", f12.VulkanMemoryModel);
        Add("preserveNanInfSignedZero32", p12.ShaderSignedZeroInfNanPreserveFloat32);
        Add("subgroupArithmetic", (subgroup.SupportedOperations & SubgroupFeatureFlags.ArithmeticBit) != 0);
        Add("subgroupShuffle", (subgroup.SupportedOperations & SubgroupFeatureFlags.ShuffleBit) != 0);
        Add("VK_KHR_cooperative_matrix", HasExtension(vk, device, "VK_KHR_cooperative_matrix"));
        lines.Add("    features: " + string.Join(' ', features) + "  (! = absent)");
        if (HasExtension(vk, device, "VK_KHR_cooperative_matrix")) lines.Add("    cooperative matrices (MxNxK A*B+C=R, subgroup scope): " + CooperativeMatrices(vk, instance, device));

        var limits = properties.Limits;
        lines.Add($"    subgroupSize={subgroup.SubgroupSize} maxWorkGroupInvocations={limits.MaxComputeWorkGroupInvocations} " +
            $"maxSharedMemory={limits.MaxComputeSharedMemorySize / 1024} KiB maxStorageBufferRange={limits.MaxStorageBufferRange / (1 << 20)} MiB " +
            $"maxPushConstants={limits.MaxPushConstantsSize} B");
        var heaps = new List<string>();
        for (int h = 0; h < memory.MemoryHeapCount; h++)
        {
            var heap = memory.MemoryHeaps[h];
            var kinds = new List<string>();
            for (int t = 0; t < memory.MemoryTypeCount; t++)
            {
                var type = memory.MemoryTypes[t];
                if (type.HeapIndex != h) continue;
                var flags = type.PropertyFlags;
                kinds.Add(((flags & MemoryPropertyFlags.DeviceLocalBit) != 0 ? "D" : "") + ((flags & MemoryPropertyFlags.HostVisibleBit) != 0 ? "V" : "") +
                    ((flags & MemoryPropertyFlags.HostCoherentBit) != 0 ? "C" : "") + ((flags & MemoryPropertyFlags.HostCachedBit) != 0 ? "H" : ""));
            }
            heaps.Add($"{heap.Size / (double)(1L << 30):F1} GiB{((heap.Flags & MemoryHeapFlags.DeviceLocalBit) != 0 ? " device-local" : "")} [{string.Join(',', kinds.Where(k => k.Length > 0))}]");
        }
        lines.Add("    memory heaps: " + string.Join("; ", heaps) + "  (types: D device-local, V host-visible, C coherent, H cached)");
        return lines;
    }

    /// <summary>The device's cooperative-matrix shapes and types (ours use 16x16x16 Float16*Float16+Float32=Float32).</summary>
    private static string CooperativeMatrices(Vk vk, Instance instance, PhysicalDevice device)
    {
        var function = vk.GetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
        if (function.Handle is null) return "(no vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR)";
        var list = (delegate* unmanaged<PhysicalDevice, uint*, CooperativeMatrixPropertiesKHR*, Result>)function.Handle;
        uint count = 0;
        list(device, &count, null);
        var properties = new CooperativeMatrixPropertiesKHR[count];
        for (int i = 0; i < properties.Length; i++) properties[i].SType = StructureType.CooperativeMatrixPropertiesKhr;
        fixed (CooperativeMatrixPropertiesKHR* p = properties) list(device, &count, p);
        static string Name(ComponentTypeKHR t) => t.ToString().Replace("Khr", "", StringComparison.Ordinal);
        return string.Join("; ", properties.Take((int)count).Where(q => q.Scope == ScopeKHR.SubgroupKhr)
            .Select(q => $"{q.MSize}x{q.NSize}x{q.KSize} {Name(q.AType)}*{Name(q.BType)}+{Name(q.CType)}={Name(q.ResultType)}"));
    }

    private static bool HasExtension(Vk vk, PhysicalDevice device, string extension)
    {
        uint count = 0;
        vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, null);
        var all = new ExtensionProperties[count];
        fixed (ExtensionProperties* p = all) vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, p);
        foreach (var e in all)
            if (Marshal.PtrToStringUTF8((nint)e.ExtensionName) == extension) return true;
        return false;
    }

    /// <summary>The loader as Silk.NET's native context (exports looked up directly: trimming-clean, like the runtime's).</summary>
    private sealed class Loader(nint library) : INativeContext
    {
        public nint GetProcAddress(string proc, int? slot = default) => TryGetProcAddress(proc, out nint address, slot) ? address : 0;

        public bool TryGetProcAddress(string proc, out nint address, int? slot = default) => NativeLibrary.TryGetExport(library, proc, out address);

        public void Dispose() => NativeLibrary.Free(library);
    }
}
