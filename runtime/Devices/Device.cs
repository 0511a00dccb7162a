using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A device that holds arrays and runs computations (JAX's <c>jax.Device</c>): today the host CPU; Vulkan GPUs join
/// with the GPU backend. Prints as JAX does: <c>CpuDevice(id=0)</c>.
/// </summary>
public sealed class Device : IEquatable<Device>
{
    private static readonly Device Cpu = new(DeviceDescriptor.Cpu);

    private Device(DeviceDescriptor descriptor) => Descriptor = descriptor;

    internal DeviceDescriptor Descriptor { get; }

    /// <summary>Every device of this process, the default one first.</summary>
    internal static IReadOnlyList<Device> All { get; } = [Cpu];

    /// <summary>The device a contract descriptor names.</summary>
    internal static Device Of(DeviceDescriptor descriptor) =>
        All.FirstOrDefault(d => d.Descriptor == descriptor) ?? throw new InvalidOperationException($"no device {descriptor}");

    /// <summary>The platform: <c>cpu</c>.</summary>
    public string Platform => Descriptor.Platform;

    /// <summary>The ordinal on its platform.</summary>
    public int Id => Descriptor.Id;

    /// <summary>What the device is (<c>cpu</c>).</summary>
    public string DeviceKind => Descriptor.Kind;

    /// <summary>
    /// Memory statistics of the device's allocator (JAX's <c>device.memory_stats()</c>): bytes held by live arrays, the
    /// peak since <see cref="ResetPeakMemory"/>, bytes kept in the pool for reuse, and its cap.
    /// </summary>
    public HostMemoryStats MemoryStats() => CachingHostAllocator.Shared.Stats;

    /// <summary>Starts a new peak-memory measurement (<see cref="HostMemoryStats.PeakBytesInUse"/>) at the current use.</summary>
    public void ResetPeakMemory() => CachingHostAllocator.Shared.ResetPeak();

    /// <inheritdoc/>
    public bool Equals(Device? other) => other is not null && Descriptor == other.Descriptor;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Device d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode() => Descriptor.GetHashCode();

    /// <summary>Prints as JAX does: <c>CpuDevice(id=0)</c>.</summary>
    public override string ToString() => Platform == "cpu" ? $"CpuDevice(id={Id})" : $"{Platform}:{Id}";
}

public static partial class Jax
{
    /// <summary>The devices of this process (<c>jax.devices()</c>), the default one first.</summary>
    public static IReadOnlyList<Device> Devices() => Device.All;

    /// <summary>The devices of one platform (<c>jax.devices("cpu")</c>).</summary>
    public static IReadOnlyList<Device> Devices(string platform) => Device.All.Where(d => d.Platform == platform).ToArray();

    /// <summary>The default device (the first of <see cref="Devices()"/>).</summary>
    public static Device DefaultDevice => Device.All[0];

    /// <summary>
    /// <paramref name="x"/> on <paramref name="device"/> (default: the default device), as <c>jax.device_put</c>: the same
    /// array when it is already there, otherwise a copy on the device. A C# literal or tracer is returned as it is
    /// (tracers are placed by the computation that uses them).
    /// </summary>
    public static Tensor DevicePut(Tensor x, Device? device = null)
    {
        device ??= DefaultDevice;
        if (x.IsTracer || x.Device.Equals(device)) return x;
        throw new NotSupportedException($"no copy from {x.Device} to {device} yet");
    }

    /// <summary>
    /// Clears the caches (<c>jax.clear_caches()</c>): compiled executables of every jitted function, and the host memory
    /// kept in the allocator's pool (returned to the system).
    /// </summary>
    public static void ClearCaches()
    {
        JitCaches.ClearAll();
        CachingHostAllocator.Shared.Clear();
    }
}
