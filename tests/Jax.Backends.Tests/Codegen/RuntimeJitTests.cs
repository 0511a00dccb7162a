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
}

/// <summary>Tests that register the runtime JIT run one at a time.</summary>
[CollectionDefinition(nameof(RuntimeJitCollection), DisableParallelization = true)]
public sealed class RuntimeJitCollection;
