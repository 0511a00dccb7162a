using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>Runtime <c>Jax.Jit</c> with the opt-in LLVM JIT registered: native kernels, and the interpreter where the backend lacks a lowering.</summary>
[Collection(nameof(RuntimeJitCollection))]
public class RuntimeJitTests
{
    [Fact]
    public void Jitted_functions_run_as_native_kernels_with_the_interpreters_numbers()
    {
        Assert.True(JaxJit.Enable(out var reason), reason);
        var notices = new List<string>();
        void Collect(string notice) => notices.Add(notice);
        KernelRegistry.Notices += Collect;
        try
        {
            var f = Jax.Jit((Tensor x) => Jnp.Maximum(x, 0) * 2.5f + 1, new JitOptions { Name = "RuntimeJitTests.leaky" });
            var x = Jnp.Arange(-5000f, 5000f, 0.5f);
            Assert.Equal((Jnp.Maximum(x, 0) * 2.5f + 1).ToArray<float>(), f(x).ToArray<float>());
            Assert.DoesNotContain(notices, n => n.Contains("RuntimeJitTests.leaky", StringComparison.Ordinal));
        }
        finally
        {
            KernelRegistry.Notices -= Collect;
        }
    }

    [Fact]
    public void A_function_the_backend_cannot_compile_runs_on_the_interpreter_after_one_notice()
    {
        Assert.True(JaxJit.Enable());
        var notices = new List<string>();
        void Collect(string notice) => notices.Add(notice);
        KernelRegistry.Notices += Collect;
        try
        {
            var f = Jax.Jit((Tensor x) => Jnp.Sort(x) * 2, new JitOptions { Name = "RuntimeJitTests.sorted" });
            Assert.Equal([2f, 4, 6], f(Jnp.Array(new[] { 3f, 1, 2 })).ToArray<float>());
            Assert.Equal([4f, 6, 8], f(Jnp.Array(new[] { 4f, 3, 2 })).ToArray<float>());
        }
        finally
        {
            KernelRegistry.Notices -= Collect;
        }
        // The notice names the reason once per process (another test may have seen it first).
        Assert.True(notices.Count <= 1);
    }

    [Fact]
    public void Eager_ops_on_large_arrays_run_compiled_kernels_with_the_interpreters_numbers()
    {
        static Tensor Selu(Tensor x) => 1.05f * Jnp.Where(x > 0, x, 1.67f * Jnp.Exp(x) - 1.67f);
        var values = Enumerable.Range(0, 10_007).Select(i => (i - 5000) / 997f).ToArray();
        JaxJit.Disable();
        var interpreted = Selu(Jnp.Array(values)).ToArray<float>();
        var interpretedSum = Jnp.Sum(Jnp.Array(values) * 2).Item<float>();
        Assert.True(JaxJit.Enable());
        int before = EagerKernels.CompiledCount;
        foreach (int n in new[] { 10_007, 5000, 4096 })
        {
            var compiled = Selu(Jnp.Array(values[..n])).ToArray<float>();
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(compiled[i] - interpreted[i]) <= 1e-6 * Math.Max(1, Math.Abs(interpreted[i])), $"element {i}: {compiled[i]} vs {interpreted[i]}");
        }
        // gt, exp, mul, sub, select, mul: one kernel each, serving every size (symbolic dims).
        Assert.InRange(EagerKernels.CompiledCount - before, 1, 6);
        int afterSelu = EagerKernels.CompiledCount;
        Selu(Jnp.Array(values[..6000]));
        Assert.Equal(afterSelu, EagerKernels.CompiledCount);
        Assert.Equal(interpretedSum, Jnp.Sum(Jnp.Array(values) * 2).Item<float>(), 2f);
    }
}

/// <summary>Tests that register the runtime JIT run one at a time.</summary>
[CollectionDefinition(nameof(RuntimeJitCollection), DisableParallelization = true)]
public sealed class RuntimeJitCollection;
