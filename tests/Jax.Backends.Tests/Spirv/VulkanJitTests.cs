using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;
using JaxToolchain.Vulkan;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Jitted functions on a Vulkan device (lavapipe on CI) through the runtime: the SPIR-V code generator installed by
/// <c>JaxJit.Enable()</c>, the runtime's Vulkan arrays, batches and host steps; results compared with the CPU's.
/// </summary>
public sealed class VulkanJitTests
{
    static VulkanJitTests() => JaxJit.Enable();

    private static Device? Gpu => Jax.Devices("vulkan").FirstOrDefault();

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.DType, actual.DType);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            Assert.True((double.IsNaN(e[i]) && double.IsNaN(a[i])) || e[i] == a[i] || Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])),
                $"[{i}]: expected {e[i]:R}, got {a[i]:R}");
    }

    private static Tensor Selu(Tensor x)
    {
        const float alpha = 1.67326324f, scale = 1.05070098f;
        return scale * Jnp.Where(x > 0, x, alpha * Jnp.Exp(x) - alpha);
    }

    [VulkanFact]
    public void AJittedFunctionRunsOnTheDeviceAndMatchesTheCpu()
    {
        var gpu = Gpu!;
        var x = Jnp.Linspace(-5, 5, 100_003);
        var onGpu = Jax.Jit(Selu, new JitOptions { Device = gpu });
        var result = onGpu(x);
        Assert.Equal(gpu, result.Device);
        Assert.False(result.IsDeleted);
        AssertClose(Jax.Jit(Selu)(x), result.BlockUntilReady());
        Assert.True(result.IsReady);
    }

    [VulkanFact]
    public void ResultsAreFuturesThatReadRightWithoutAnExplicitWait()
    {
        var gpu = Gpu!;
        var f = Jax.Jit((Tensor a, Tensor b) => a * b + 1, new JitOptions { Device = gpu });
        var x = Jax.DevicePut(Jnp.Arange(1000).Astype(DType.Float32) / 1000, gpu);
        Assert.Equal(gpu, x.Device);
        var y = x;
        for (int i = 0; i < 20; i++) y = f(y, x);
        // No BlockUntilReady: reading waits for the chain of batches.
        var expected = Jnp.Arange(1000).Astype(DType.Float32) / 1000;
        var host = expected;
        for (int i = 0; i < 20; i++) host = host * expected + 1;
        AssertClose(host, y, 1e-5);
    }

    [VulkanFact]
    public void StepsWithoutAKernelRunOnTheHostBetweenDeviceSteps()
    {
        var gpu = Gpu!;
        // A sort longer than a workgroup's memory holds has no SPIR-V lowering: the program is device, host, device.
        static Tensor F(Tensor a) => Jnp.Tanh(Jnp.Sort(Jnp.Exp(a) * 2)) + 1;
        var (program, _) = SpirvProgramCompiler.Compile(Jax.Jit((Func<Tensor, Tensor>)F).Lower(Jnp.Ones([6000])).Function);
        Assert.Contains(program.Steps, s => s.Kernels.Count == 0 && s.HostReason is not null);
        Assert.Contains(program.Steps, s => s.Kernels.Count > 0);
        var f = Jax.Jit((Func<Tensor, Tensor>)F, new JitOptions { Device = gpu });
        var x = Jnp.Linspace(-1, 1, 6000);
        AssertClose(Jax.Jit((Func<Tensor, Tensor>)F)(x), f(x), 1e-5);
    }

    [VulkanFact]
    public void DevicePutMovesArraysBothWaysAndEagerOpsRead()
    {
        var gpu = Gpu!;
        var x = Jnp.Arange(10).Astype(DType.Float32);
        var onGpu = Jax.DevicePut(x, gpu);
        Assert.Equal("vulkan", onGpu.Device.Platform);
        Assert.StartsWith("VulkanDevice(id=", onGpu.Device.ToString(), StringComparison.Ordinal);
        var back = Jax.DevicePut(onGpu, Jax.Devices("cpu")[0]);
        Assert.Equal(x.ToArray<float>(), back.ToArray<float>());
        Assert.Equal((x * 2).ToArray<float>(), (onGpu * 2).ToArray<float>());
    }

    [VulkanFact]
    public void SymbolicallyShapedProgramsServeEverySize()
    {
        var gpu = Gpu!;
        var f = Jax.Jit((Tensor a) => a * a - 3, new JitOptions { Device = gpu });
        foreach (int n in new[] { 1, 7, 256, 257, 70_000 })
        {
            var x = Jnp.Arange(n).Astype(DType.Float32);
            AssertClose(x * x - 3, f(x));
        }
    }

    [VulkanFact]
    public void TheMemoryPoolReusesBuffersAcrossCalls()
    {
        var gpu = Gpu!;
        var backend = VulkanPlatform.Of(gpu.Descriptor);
        var f = Jax.Jit((Tensor a) => a + 1, new JitOptions { Device = gpu });
        var x = Jax.DevicePut(Jnp.Ones([4096]), gpu);
        for (int i = 0; i < 5; i++) f(x).BlockUntilReady().Dispose();
        long allocated = backend.Memory.AllocatedBytes;
        for (int i = 0; i < 50; i++) f(x).BlockUntilReady().Dispose();
        Assert.Equal(allocated, backend.Memory.AllocatedBytes);
    }

    [VulkanFact]
    public void AProgramReportsItsStepsAndRoundTripsAsJson()
    {
        var function = IrParser.ParseFunction("func @f(%0: f32[n]) -> (f32[n]) {\n  %1 = exp %0 : f32[n]\n  %2 = add %1, %0 : f32[n]\n  return %2\n}");
        var (program, _) = SpirvProgramCompiler.Compile(function);
        Assert.Single(program.Steps);
        Assert.NotEmpty(program.Steps[0].Kernels);
        var back = VulkanProgram.FromJson(program.ToJson());
        Assert.Equal(program.Steps[0].Kernels[0].Spirv, back.Steps[0].Kernels[0].Spirv);
        Assert.Equal(program.Values, back.Values);
    }

    [VulkanFact]
    public void WhileLoopsAndCondsKeepTheirDataOnTheDevice()
    {
        var gpu = Gpu!;
        // Newton's iteration for sqrt(a) until converged, and a cond choosing a branch from a device value.
        Tensor Newton(Tensor a)
        {
            var result = Lax.WhileLoop(
                state => state[1] < 30,
                state => [0.5f * (state[0] + a / state[0]), state[1] + 1],
                Jnp.OnesLike(a), Jnp.Array(0));
            return result[0];
        }
        var a = Jnp.Linspace(1, 100, 1000);
        var onGpu = Jax.Jit(Newton, new JitOptions { Device = gpu });
        AssertClose(Jnp.Sqrt(a), onGpu(a), 1e-5);
        var lowered = SpirvProgramCompiler.Compile(Jax.Jit((Func<Tensor, Tensor>)Newton).Lower(a).Function).Program;
        var loop = Assert.Single(lowered.Steps, s => s.Control is not null);
        Assert.Equal(VulkanControl.While, loop.Control!.Kind);
        Assert.All(loop.Control.Regions.SelectMany(r => r.Steps), s => Assert.NotEmpty(s.Kernels));

        Tensor Branch(Tensor x) => Lax.Cond(Jnp.Sum(x) > 0, v => v * 2, v => -v, x);
        var branch = Jax.Jit(Branch, new JitOptions { Device = gpu });
        AssertClose(Jnp.Array(new[] { 2f, 4f }), branch(Jnp.Array(new[] { 1f, 2f })));
        AssertClose(Jnp.Array(new[] { -1f, 2f }), branch(Jnp.Array(new[] { 1f, -2f })));
    }

    [VulkanFact]
    public void ScansRunOnTheDeviceAsLoopsWithAKnownTripCount()
    {
        var gpu = Gpu!;
        // A running sum and a reversed recurrence over rows: carries and stacked outputs stay on the device.
        Tensor Recur(Tensor xs, Tensor w)
        {
            var (carry, ys) = Lax.Scan((c, x) => { var next = Jnp.Tanh(c * w + x); return (next, next * 2); }, Jnp.ZerosLike(w), xs);
            var (back, sums) = Lax.Scan((c, x) => (c + x, Jnp.Sum(c)), Jnp.ZerosLike(w), xs, reverse: true);
            return Jnp.Concatenate([carry, ys.Reshape([-1]), back, sums]);
        }
        var xs = Jnp.Linspace(-1, 1, 40 * 16).Reshape([40, 16]);
        var w = Jnp.Linspace(0.5, 1.5, 16);
        var expected = Jax.Jit((Func<Tensor, Tensor, Tensor>)Recur)(xs, w);
        var actual = Jax.Jit((Func<Tensor, Tensor, Tensor>)Recur, new JitOptions { Device = gpu })(Jax.DevicePut(xs, gpu), Jax.DevicePut(w, gpu));
        AssertClose(expected, actual, 1e-5);

        var lowered = SpirvProgramCompiler.Compile(Jax.Jit((Func<Tensor, Tensor, Tensor>)Recur).Lower(xs, w).Function).Program;
        var loops = lowered.Steps.Where(s => s.Control is not null).ToArray();
        Assert.Equal(2, loops.Length);
        Assert.All(loops, loop =>
        {
            Assert.Equal(VulkanControl.While, loop.Control!.Kind);
            Assert.Equal(40, loop.Control.Counts[2]);
            Assert.All(loop.Control.Regions.SelectMany(r => r.Steps), s => Assert.True(s.Kernels.Count > 0, $"{s.Name} runs on the host: {s.HostReason}"));
        });
        Assert.DoesNotContain(lowered.Steps, s => s.Control is null && s.Kernels.Count == 0);
    }

    [VulkanFact]
    public void EagerOpsOnVulkanArraysRunOnTheDevice()
    {
        var gpu = Gpu!;
        var cpu = Jax.Devices("cpu")[0];
        var x = Jnp.Linspace(-2, 2, 3000).Reshape([30, 100]);
        var m = Jnp.Linspace(0, 1, 100 * 7).Reshape([100, 7]);
        Tensor[] Ops(Tensor a, Tensor b) =>
        [
            Jnp.Exp(a) * 2 + a,                    // elementwise chain with a weak scalar
            Jnp.Sum(a, 1),                         // a reduction
            Jnp.Matmul(a, b),                      // a product
            Jnp.Sort(a, 1),                        // a sort
            (a > 0).Astype(DType.Int32) * 3,       // a compare and a conversion
            Jnp.Transpose(a),                      // a layout op
        ];
        var expected = Ops(Jax.DevicePut(x, cpu), Jax.DevicePut(m, cpu));
        var actual = Ops(Jax.DevicePut(x, gpu), Jax.DevicePut(m, gpu));
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(gpu, actual[r].Device);
            Assert.Equal(expected[r].Aval, actual[r].Aval);
            AssertClose(expected[r], actual[r], 1e-5);
        }
        // A host scalar with a device array: the scalar goes along, the result stays on the device.
        var shifted = Jax.DevicePut(x, gpu) - Jnp.Array(1.5f);
        Assert.Equal(gpu, shifted.Device);
        AssertClose(x - 1.5f, shifted, 0);
    }

    [VulkanFact]
    public void CustomDerivativeCallsAndCheckpointsRunOnTheDevice()
    {
        var gpu = Gpu!;
        // A custom_jvp softplus, a custom_vjp clip and a checkpointed block: their functions run as device calls.
        var softplus = Jax.CustomJvp(v => Jnp.Log1p(Jnp.Exp(v)), (v, t) => (Jnp.Log1p(Jnp.Exp(v)), t * Nn.Sigmoid(v)));
        var clip = Jax.CustomVjp(v => Jnp.Clip(v, -1, 1), v => (Jnp.Clip(v, -1, 1), [v]), (residuals, g) => g);
        var block = Jax.Checkpoint(a => [Jnp.Tanh(a[0]) * 2]);
        Tensor F(Tensor x) => Jnp.Sum(softplus(clip(block([x])[0])));
        var x = Jnp.Linspace(-3, 3, 1000);
        AssertClose(Jax.Jit((Func<Tensor, Tensor>)F)(x), Jax.Jit((Func<Tensor, Tensor>)F, new JitOptions { Device = gpu })(Jax.DevicePut(x, gpu)), 1e-5);
        var lowered = SpirvProgramCompiler.Compile(Jax.Jit((Func<Tensor, Tensor>)F).Lower(x).Function).Program;
        static IEnumerable<VulkanStep> All(VulkanProgram p) => p.Steps.SelectMany(s => s.Control is { } c ? c.Regions.SelectMany(All).Prepend(s) : [s]);
        Assert.All(All(lowered), s => Assert.True(s.Control is not null || s.Kernels.Count > 0, $"{s.Name} runs on the host: {s.HostReason}"));
        Assert.Contains(All(lowered), s => s.Control?.Kind == VulkanControl.Call);
    }
}
