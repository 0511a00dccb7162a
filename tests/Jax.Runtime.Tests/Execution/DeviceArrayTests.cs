using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Execution;

public class DeviceArrayTests
{
    [Fact]
    public void The_cpu_is_the_default_device_and_prints_as_jax_does()
    {
        // JAX_PLATFORMS unset: the CPU first, then the Vulkan devices of the machine (lavapipe here, where installed).
        var devices = Jax.Devices();
        var cpu = devices[0];
        Assert.Equal("CpuDevice(id=0)", cpu.ToString());
        Assert.Equal("cpu", cpu.Platform);
        Assert.Equal(cpu, Jax.DefaultDevice);
        Assert.Equal(cpu, Jnp.Arange(3).Device);
        Assert.Single(Jax.Devices("cpu"));
        var vulkan = Jax.Devices("vulkan");
        Assert.Equal(devices.Skip(1), vulkan);
        for (int i = 0; i < vulkan.Count; i++)
        {
            Assert.Equal($"VulkanDevice(id={i})", vulkan[i].ToString());
            Assert.Equal(i, vulkan[i].Id);
            Assert.NotEmpty(vulkan[i].DeviceKind);
        }
    }

    [Fact]
    public void Device_put_to_the_device_holding_the_array_returns_it()
    {
        var x = Jnp.Arange(4f);
        Assert.Same(x, Jax.DevicePut(x));
        Assert.Same(x, Jax.DevicePut(x, Jax.Devices()[0]));
    }

    [Fact]
    public void Arrays_live_in_aligned_host_memory()
    {
        var x = Jnp.Ones([1000]);
        Assert.Equal(0, x.Buffer.Pointer % 64);
    }

    [Fact]
    public void A_disposed_array_is_deleted_and_reading_it_is_a_clear_error()
    {
        var x = Jnp.Arange(5f) + 1;
        x.Dispose();
        Assert.True(x.IsDeleted);
        var e = Assert.Throws<ObjectDisposedException>(() => x.ToArray<float>());
        Assert.Contains("deleted", e.Message);
        x.Dispose();
    }

    [Fact]
    public void Memory_stats_report_live_arrays()
    {
        var cpu = Jax.Devices()[0];
        var before = cpu.MemoryStats().BytesInUse;
        var big = Jnp.Arange(1_000_000f) * 2;
        Assert.True(cpu.MemoryStats().BytesInUse >= before + 4_000_000 || cpu.MemoryStats().PeakBytesInUse >= 4_000_000);
        big.Dispose();
    }

    [Fact]
    public void An_array_too_big_for_the_machine_is_a_clear_error()
    {
        // Zeros of this shape are a splat (one element), but computing on them needs the whole array.
        var zeros = Jnp.Zeros([1_000_000, 1_000_000]);
        var e = Assert.Throws<HostOutOfMemoryException>(() => Jnp.Sin(zeros + Jnp.Arange(1_000_000f)));
        Assert.Contains("RESOURCE_EXHAUSTED", e.Message);
        Assert.Contains("float32[1000000,1000000]", e.Message);
    }

    [Fact]
    public void Scalar_broadcasts_are_not_written_out_in_eager_ops()
    {
        var x = Jnp.Arange(1_000_000f);
        var cpu = Jax.Devices()[0];
        var y = x * 2 + 1;
        Assert.Equal(1999999f, y.ToArray<float>()[999_999]);
        // A broadcast literal is one element: only x and the results took memory.
        var full = Jnp.Full([1000, 1000], 3f);
        Assert.True(full.Buffer.IsSplat);
        Assert.Equal(3f, full.ToArray<float>()[123_456]);
        GC.KeepAlive(cpu);
    }
}
