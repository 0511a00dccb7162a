using JaxToolchain.Ir;

namespace JaxToolchain.Vulkan;

/// <summary>
/// The process's Vulkan devices, discovered once, on first need (<c>Jax.Devices()</c>, <c>Jax.Devices("vulkan")</c>, or a
/// default device chosen by <c>JAX_PLATFORMS</c>): every device with a compute queue, best first (discrete GPU,
/// integrated, virtual, CPU-type such as lavapipe). Without a loader, a driver or a device the list is empty and
/// <see cref="Unavailable"/> says why (with the apt line); the CPU keeps working. The devices are released at process
/// exit, after their queues drain.
/// </summary>
internal static class VulkanPlatform
{
    private static readonly Lazy<IReadOnlyList<VulkanBackend>> Discovered = new(Discover);
    private static string? _unavailable;

    /// <summary>The Vulkan devices, best first (empty when Vulkan is unusable here).</summary>
    public static IReadOnlyList<VulkanBackend> Backends => Discovered.Value;

    /// <summary>Why there is no Vulkan device, or null (discovers first).</summary>
    public static string? Unavailable
    {
        get
        {
            _ = Discovered.Value;
            return _unavailable;
        }
    }

    /// <summary>The backend of a device descriptor of the <c>vulkan</c> platform.</summary>
    public static VulkanBackend Of(DeviceDescriptor descriptor) =>
        Backends.FirstOrDefault(b => b.Descriptor == descriptor) ?? throw new InvalidOperationException($"no Vulkan device {descriptor}");

    private static IReadOnlyList<VulkanBackend> Discover()
    {
        try
        {
            if (!VulkanComputeContext.TryCreateAll(out var contexts, out var failure))
            {
                _unavailable = failure;
                return [];
            }
            var usable = new List<VulkanBackend>();
            var refused = new List<string>();
            foreach (var context in contexts)
            {
                if (!context.Info.FloatControls)
                {
                    refused.Add($"{context.Info.Name} lacks float controls (VK_KHR_shader_float_controls with NaN/Inf/-0 preservation), which the kernels declare");
                    context.Dispose();
                    continue;
                }
                usable.Add(new VulkanBackend(context));
            }
            if (usable.Count == 0) _unavailable = string.Join("; ", refused);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var backend in usable) backend.Dispose();
            };
            return usable;
        }
        catch (Exception e) when (e is VulkanException or DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = $"Vulkan could not be initialized: {e.Message}";
            return [];
        }
    }
}
