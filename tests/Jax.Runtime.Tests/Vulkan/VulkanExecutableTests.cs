using JaxToolchain.Ir;
using JaxToolchain.Vulkan;

namespace JaxToolchain.Runtime.Tests.Vulkan;

/// <summary>A fact that needs a usable Vulkan device (lavapipe on CI): skipped, saying why, without one.</summary>
public sealed class VulkanDeviceFactAttribute : FactAttribute
{
    public VulkanDeviceFactAttribute()
    {
        if (VulkanPlatform.Backends.Count == 0) Skip = $"no Vulkan device: {VulkanPlatform.Unavailable}";
    }
}

/// <summary>
/// The runtime's Vulkan executables without the SPIR-V code generator (this test project references no backend):
/// hand-written programs mixing a device kernel and host steps, Vulkan arrays and their lazy copies, batches as futures,
/// and jitted functions on a Vulkan device running as host steps.
/// </summary>
public sealed class VulkanExecutableTests
{
    private static VulkanBackend Backend => VulkanPlatform.Backends[0];

    private static Device Gpu => Jax.Devices("vulkan")[0];

    /// <summary>c = a + b * 3 on the device (the AddScaled kernel, push constants n and the bits of 3f), then d = c * c on the host, then e = d + a * 3 on the device again.</summary>
    private static VulkanProgram Program()
    {
        var kernel = new VulkanKernel
        {
            EntryPoint = "main",
            Spirv = VulkanComputeTests.Assemble(VulkanComputeTests.AddScaled),
            Bindings = [new(VulkanBinding.Input, 0), new(VulkanBinding.Input, 1), new(VulkanBinding.Output, 0)],
            PushConstants = ["n", BitConverter.SingleToUInt32Bits(3f).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Threads = ["n", "1", "1"],
            LocalSize = [64, 1, 1],
        };
        return new VulkanProgram
        {
            Values = ["f32[n]", "f32[n]", "f32[n]", "f32[n]", "f32[n]"],
            InputCount = 2,
            Outputs = [4, 2, 0],
            Steps =
            [
                new VulkanStep { Name = "add_scaled", Inputs = [0, 1], Outputs = [2], Ir = "func @s(%0: f32[n], %1: f32[n]) -> (f32[n]) {\n  %2 = mul %1, %1 : f32[n]\n  return %2\n}", Kernels = [kernel] },
                new VulkanStep { Name = "square", Inputs = [2], Outputs = [3], Ir = "func @square(%0: f32[n]) -> (f32[n]) {\n  %1 = mul %0, %0 : f32[n]\n  return %1\n}" },
                new VulkanStep { Name = "add_scaled_again", Inputs = [3, 0], Outputs = [4], Ir = "func @s(%0: f32[n], %1: f32[n]) -> (f32[n]) {\n  return %0\n}", Kernels = [kernel] },
            ],
        };
    }

    [VulkanDeviceFact]
    public void A_program_runs_device_and_host_steps_in_order()
    {
        var executable = new VulkanExecutable(Backend, Program(), "mixed");
        Assert.Equal([("square", "no kernels")], executable.HostSteps);
        foreach (int n in new[] { 1, 63, 64, 1000, 100_001 })
        {
            var a = Enumerable.Range(0, n).Select(i => (float)(i % 97) / 10).ToArray();
            var b = Enumerable.Range(0, n).Select(i => 0.25f * (i % 13) - 1).ToArray();
            var arrays = new DeviceArray[]
            {
                VulkanArray.FromHost(Backend, Ir.Buffer.FromSpan<float>(a, new Shape(n))),
                VulkanArray.FromHost(Backend, Ir.Buffer.FromSpan<float>(b, new Shape(n))),
            };
            var results = executable.Execute(arrays);
            Assert.All(results, r => Assert.Equal(Backend.Descriptor, r.Device));
            var e = results[0].ReadHost().ToArray<float>();
            var c = results[1].ReadHost().ToArray<float>();
            for (int i = 0; i < n; i++)
            {
                float expectedC = a[i] + b[i] * 3f;
                Assert.Equal(expectedC, c[i]);
                Assert.Equal(expectedC * expectedC + a[i] * 3f, e[i]);
            }
            // An input returned as it is: a new array with the same value.
            Assert.NotSame(arrays[0], results[2]);
            Assert.Equal(a, results[2].ReadHost().ToArray<float>());
            foreach (var r in results) r.Dispose();
        }
    }

    [VulkanDeviceFact]
    public void Results_are_pending_until_their_batch_finishes_and_waits_raise_nothing_when_it_succeeds()
    {
        var program = Program() with { Steps = [Program().Steps[0]], Outputs = [2] };
        var executable = new VulkanExecutable(Backend, program, "device_only");
        const int n = 2_000_000;
        var a = VulkanArray.FromHost(Backend, Ir.Buffer.FromSpan<float>(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), new Shape(n)));
        var b = VulkanArray.FromHost(Backend, Ir.Buffer.FromSpan<float>(new float[n], new Shape(n)));
        long before = Backend.Stream.Submitted;
        var result = executable.Execute([a, b])[0];
        Assert.Equal(before + 1, Backend.Stream.Submitted);
        result.Wait();
        Assert.True(result.IsReady);
        Assert.Equal(n - 1f, result.ReadHost().ToArray<float>()[^1]);
        // The result feeds the next call without a trip through the host.
        var again = executable.Execute([result, a])[0];
        Assert.Equal(3f * (n - 1) + (n - 1), again.ReadHost().ToArray<float>()[^1]);
    }

    [VulkanDeviceFact]
    public void A_program_checks_its_indices()
    {
        var bad = Program() with { Outputs = [7] };
        Assert.Throws<FormatException>(bad.Validate);
        var badStep = Program() with { Steps = [Program().Steps[1]] };
        var e = Assert.Throws<FormatException>(badStep.Validate);
        Assert.Contains("square", e.Message);
        Assert.Throws<FormatException>(() => VulkanProgram.FromJson("{\"values\": []}"));
        var back = VulkanProgram.FromJson(Program().ToJson());
        Assert.Equal(Program().Steps[0].Kernels[0].Spirv, back.Steps[0].Kernels[0].Spirv);
    }

    [VulkanDeviceFact]
    public void Jitted_functions_on_a_vulkan_device_run_without_a_code_generator_as_host_steps()
    {
        if (VulkanCompiler.ProgramCompiler is not null) return; // another test in this process installed the backend
        var f = Jax.Jit((Tensor a, Tensor b) => Jnp.Exp(a) * b, new JitOptions { Device = Gpu, Name = "host_only_on_vulkan" });
        var x = Jnp.Linspace(-1, 1, 50);
        var y = f(x, x);
        Assert.Equal(Gpu, y.Device);
        Assert.Equal((Jnp.Exp(x) * x).ToArray<float>(), y.ToArray<float>());
        var function = IrParser.ParseFunction("func @f(%0: f32[3]) -> (f32[3]) {\n  %1 = exp %0 : f32[3]\n  return %1\n}");
        var executable = (VulkanExecutable)VulkanCompiler.Instance.Compile(function, new CompileOptions(Gpu.Descriptor, "f"));
        var (step, reason) = Assert.Single(executable.HostSteps);
        Assert.Equal("f", step);
        Assert.Contains("no SPIR-V code generator", reason);
    }

    [VulkanDeviceFact]
    public void Device_memory_statistics_count_live_arrays()
    {
        var before = Gpu.MemoryStats().BytesInUse;
        var x = Jax.DevicePut(Jnp.Ones([1 << 16]), Gpu);
        var f = Jax.Jit((Tensor a) => a, new JitOptions { Device = Gpu, Name = "identity_on_vulkan" });
        var y = f(x);
        Assert.Equal(Jnp.Ones([1 << 16]).ToArray<float>(), y.ToArray<float>());
        x.Dispose();
        y.Dispose();
        Assert.True(Gpu.MemoryStats().BytesInUse <= before + (1 << 18));
    }

    [VulkanDeviceFact]
    public void A_step_runs_its_first_variant_the_device_has_the_features_of_else_its_portable_kernels()
    {
        // The same kernel with another scale (push constant) per variant: the result tells which ran.
        var portable = Program().Steps[0].Kernels[0];
        VulkanKernel Scaled(float scale, params string[] features) => portable with
        {
            PushConstants = ["n", BitConverter.SingleToUInt32Bits(scale).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Features = features,
        };
        float Run(params VulkanVariant[] variants)
        {
            var program = new VulkanProgram
            {
                Values = ["f32[n]", "f32[n]", "f32[n]"],
                InputCount = 2,
                Outputs = [2],
                Steps = [new VulkanStep { Name = "scaled", Inputs = [0, 1], Outputs = [2], Ir = "func @s(%0: f32[n], %1: f32[n]) -> (f32[n]) {\n  return %0\n}", Kernels = [portable], Variants = variants }],
            };
            program = VulkanProgram.FromJson(program.ToJson()); // variants survive the manifest's JSON
            var executable = new VulkanExecutable(Backend, program, "variants");
            Assert.Empty(executable.HostSteps);
            var arrays = new DeviceArray[] { VulkanArray.FromHost(Backend, Ir.Buffer.FromSpan<float>([1f, 2f], new Shape(2))), VulkanArray.FromHost(Backend, Ir.Buffer.FromSpan<float>([1f, 1f], new Shape(2))) };
            var result = executable.Execute(arrays)[0];
            float value = result.ReadHost().ToArray<float>()[0];
            result.Dispose();
            return value;
        }
        Assert.Equal(1 + 3, Run());
        Assert.Equal(1 + 3, Run(new VulkanVariant { Kernels = [Scaled(5, "noSuchFeature")] }));
        Assert.Equal(1 + 7, Run(new VulkanVariant { Kernels = [Scaled(5, "noSuchFeature")] }, new VulkanVariant { Kernels = [Scaled(7)] }, new VulkanVariant { Kernels = [Scaled(9)] }));
        // A variant's binding must name a buffer of the step (its own scratch list).
        var bad = new VulkanProgram
        {
            Values = ["f32[n]", "f32[n]"],
            InputCount = 1,
            Outputs = [1],
            Steps = [new VulkanStep { Name = "s", Inputs = [0], Outputs = [1], Ir = "", Kernels = [portable with { Bindings = [new(VulkanBinding.Input, 0), new(VulkanBinding.Output, 0)] }],
                Variants = [new VulkanVariant { Kernels = [portable with { Bindings = [new(VulkanBinding.Scratch, 0)] }] }] }],
        };
        Assert.Contains("scratch 0 does not exist", Assert.Throws<FormatException>(bad.Validate).Message);
    }

    [VulkanDeviceFact]
    public void A_manifest_serves_vulkan_calls_from_its_vulkan_entry_and_else_from_its_ir()
    {
        const string Name = "VulkanExecutableTests.FromManifest";
        var addScaled = Program().Steps[0].Kernels[0] with { Bindings = [new(VulkanBinding.Input, 0), new(VulkanBinding.Input, 0), new(VulkanBinding.Output, 0)] };
        // The vulkan entry computes x + 3x on the device; the ir entry x * x + x: the result tells which ran.
        var program = new VulkanProgram
        {
            Values = ["f32[n]", "f32[n]"],
            InputCount = 1,
            Outputs = [1],
            Steps = [new VulkanStep { Name = "times4", Inputs = [0], Outputs = [1], Ir = "func @t(%0: f32[n]) -> (f32[n]) {\n  return %0\n}", Kernels = [addScaled] }],
        };
        const string Ir = "func @square_plus(%0: f32[n]) -> (f32[n]) {\n  %1 = mul %0, %0 : f32[n]\n  %2 = add %1, %0 : f32[n]\n  return %2\n}\n";
        ManifestKernel Kernel(string name, params KernelTargetEntry[] targets) => new()
        {
            Name = name,
            Inputs = ["f32[n]"],
            X64 = false,
            InputStructure = "*",
            Outputs = ["f32[n]"],
            Symbols = ["n"],
            Targets = [.. targets, new IrKernelEntry { Text = Ir }],
        };
        var provider = new ManifestKernelProvider(new KernelManifest
        {
            Assembly = "Jax.Runtime.Tests",
            Kernels = [Kernel(Name, new VulkanKernelEntry { Program = program }), Kernel(Name + "IrOnly")],
        }, AppContext.BaseDirectory);
        Func<Tensor, Tensor> neverTraced = _ => throw new InvalidOperationException("traced instead of running the manifest's kernel");
        KernelRegistry.Register(provider);
        try
        {
            var x = Jnp.Array(new[] { 1f, 2f, -3f });
            var onDevice = Jax.Jit(neverTraced, new JitOptions { Name = Name, Device = Gpu })(x);
            Assert.Equal(Gpu, onDevice.Device);
            Assert.Equal([4f, 8f, -12f], onDevice.ToArray<float>());
            var irOnly = Jax.Jit(neverTraced, new JitOptions { Name = Name + "IrOnly", Device = Gpu })(x);
            Assert.Equal(Gpu, irOnly.Device);
            Assert.Equal([2f, 6f, 6f], irOnly.ToArray<float>());
            // The CPU still runs the ir entry.
            Assert.Equal([2f, 6f, 6f], Jax.Jit(neverTraced, new JitOptions { Name = Name })(x).ToArray<float>());
        }
        finally
        {
            KernelRegistry.Unregister(provider);
        }
    }
}
