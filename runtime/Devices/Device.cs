using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A device that holds arrays and runs computations (JAX's <c>jax.Device</c>): the host CPU, and the Vulkan devices
/// (GPUs of any vendor; lavapipe, Mesa's CPU driver). Prints as JAX does: <c>CpuDevice(id=0)</c>, <c>VulkanDevice(id=0)</c>.
/// <para>
/// <c>JAX_PLATFORMS</c> (read once) chooses the platforms and their order, as in JAX: unset or <c>cpu,vulkan</c>: the
/// CPU is the default device and the Vulkan devices are listed after it (discovered when first listed); <c>vulkan</c>
/// (or <c>vulkan,cpu</c>): the best Vulkan device is the default and the CPU is listed after the Vulkan devices (it still
/// holds host arrays); <c>cpu</c>: the CPU only, Vulkan is never loaded. When <c>vulkan</c> is asked for and no device
/// is usable, one message on standard error says why and the CPU is the default.
/// </para>
/// </summary>
public sealed class Device : IEquatable<Device>
{
    private static readonly Device Cpu = new(DeviceDescriptor.Cpu);
    private static readonly string? PlatformsVariable = Environment.GetEnvironmentVariable("JAX_PLATFORMS");
    private static readonly string[] Platforms = ParsePlatforms(PlatformsVariable);
    private static readonly Lazy<IReadOnlyList<Device>> AllDevices = new(List);
    private static readonly Lazy<Device> Default = new(() => Platforms[0] == "vulkan" ? AllDevices.Value[0] : Cpu);

    private Device(DeviceDescriptor descriptor) => Descriptor = descriptor;

    internal DeviceDescriptor Descriptor { get; }

    /// <summary>Every device of this process, the default one first.</summary>
    internal static IReadOnlyList<Device> All => AllDevices.Value;

    /// <summary>The default device: the CPU unless <c>JAX_PLATFORMS</c> puts <c>vulkan</c> first and a Vulkan device is usable.</summary>
    internal static Device DefaultDevice => Default.Value;

    /// <summary>True when the default device is the CPU (arrays made by eager operations are host arrays).</summary>
    internal static bool DefaultIsCpu => ReferenceEquals(Default.Value, Cpu);

    private static string[] ParsePlatforms(string? text)
    {
        var names = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).ToArray();
        foreach (var name in names)
            if (name is not ("cpu" or "vulkan"))
                throw new InvalidOperationException($"JAX_PLATFORMS names an unknown platform '{name}' (known: cpu, vulkan)");
        return names.Length == 0 ? ["cpu", "vulkan"] : names;
    }

    private static IReadOnlyList<Device> List()
    {
        var vulkan = new List<Device>();
        if (Platforms.Contains("vulkan"))
        {
            vulkan.AddRange(Vulkan.VulkanPlatform.Backends.Select(b => new Device(b.Descriptor)));
            if (vulkan.Count == 0 && !string.IsNullOrEmpty(PlatformsVariable))
                Console.Error.WriteLine($"JAX_PLATFORMS={PlatformsVariable}: no usable Vulkan device ({Vulkan.VulkanPlatform.Unavailable}); running on the CPU");
        }
        return Platforms[0] == "vulkan" ? [.. vulkan, Cpu] : [Cpu, .. vulkan];
    }

    /// <summary>The device a contract descriptor names.</summary>
    internal static Device Of(DeviceDescriptor descriptor) =>
        descriptor == DeviceDescriptor.Cpu ? Cpu
            : All.FirstOrDefault(d => d.Descriptor == descriptor) ?? throw new InvalidOperationException($"no device {descriptor}");

    /// <summary>The platform: <c>cpu</c> or <c>vulkan</c>.</summary>
    public string Platform => Descriptor.Platform;

    /// <summary>The ordinal on its platform.</summary>
    public int Id => Descriptor.Id;

    /// <summary>What the device is: <c>cpu</c>, or the Vulkan device's name (<c>NVIDIA H200</c>, <c>llvmpipe (LLVM 15.0.6, 256 bits)</c>).</summary>
    public string DeviceKind => Descriptor.Kind;

    /// <summary>
    /// Memory statistics of the device's allocator (JAX's <c>device.memory_stats()</c>): bytes held by live arrays, the
    /// peak since <see cref="ResetPeakMemory"/>, bytes kept in the pool for reuse, and its cap (for a Vulkan device: its
    /// buffer pool; the cap is 0, none).
    /// </summary>
    public HostMemoryStats MemoryStats()
    {
        if (Platform == "cpu") return CachingHostAllocator.Shared.Stats;
        var pool = Vulkan.VulkanPlatform.Of(Descriptor).Memory;
        return new HostMemoryStats(pool.InUseBytes, pool.PeakInUseBytes, pool.AllocatedBytes - pool.InUseBytes, 0, 0, 0, 0);
    }

    /// <summary>Starts a new peak-memory measurement (<see cref="HostMemoryStats.PeakBytesInUse"/>) at the current use.</summary>
    public void ResetPeakMemory()
    {
        if (Platform == "cpu") CachingHostAllocator.Shared.ResetPeak();
        else Vulkan.VulkanPlatform.Of(Descriptor).Memory.ResetPeak();
    }

    /// <inheritdoc/>
    public bool Equals(Device? other) => other is not null && Descriptor == other.Descriptor;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Device d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode() => Descriptor.GetHashCode();

    /// <summary>Prints as JAX does: <c>CpuDevice(id=0)</c>, <c>VulkanDevice(id=0)</c>.</summary>
    public override string ToString() => Platform == "cpu" ? $"CpuDevice(id={Id})" : $"VulkanDevice(id={Id})";
}

public static partial class Jax
{
    /// <summary>The devices of this process (<c>jax.devices()</c>), the default one first.</summary>
    public static IReadOnlyList<Device> Devices() => Device.All;

    /// <summary>The devices of one platform (<c>jax.devices("cpu")</c>).</summary>
    public static IReadOnlyList<Device> Devices(string platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return Device.All.Where(d => d.Platform == platform).ToArray();
    }

    /// <summary>The default device (the first of <see cref="Devices()"/>).</summary>
    public static Device DefaultDevice => Device.DefaultDevice;

    /// <summary>
    /// <paramref name="x"/> on <paramref name="device"/> (default: the default device), as <c>jax.device_put</c>: the same
    /// array when it is already there, otherwise a copy on the device. A C# literal or tracer is returned as it is
    /// (tracers are placed by the computation that uses them).
    /// </summary>
    public static Tensor DevicePut(Tensor x, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        device ??= DefaultDevice;
        if (x.IsTracer || x.Device.Equals(device)) return x;
        return new Tensor(Placement.Put(x.DeviceArray, device.Descriptor), x.WeakType);
    }

    /// <summary>
    /// Clears the caches (<c>jax.clear_caches()</c>): compiled executables of every jitted function, and the host memory
    /// kept in the allocator's pool (returned to the system).
    /// </summary>
    public static void ClearCaches()
    {
        JitCaches.ClearAll();
        CachingHostAllocator.Shared.Clear();
        if (!Device.DefaultIsCpu || Device.All.Count > 1)
            foreach (var backend in Vulkan.VulkanPlatform.Backends) backend.Memory.Trim();
    }
}

/// <summary>Moving arrays between devices: host arrays and Vulkan arrays.</summary>
internal static class Placement
{
    /// <summary>A host buffer (owned) as an array of <paramref name="device"/>: a host array, or a Vulkan array uploaded on first use.</summary>
    public static DeviceArray Wrap(Buffer buffer, DeviceDescriptor device) =>
        device.Platform == "cpu" ? new HostArray(buffer, device) : Vulkan.VulkanArray.FromHost(Vulkan.VulkanPlatform.Of(device), buffer);

    /// <summary>The value of <paramref name="array"/> on <paramref name="device"/> (copied through host memory).</summary>
    public static DeviceArray Put(DeviceArray array, DeviceDescriptor device) => Wrap(array.ReadHost().Share(), device);
}
