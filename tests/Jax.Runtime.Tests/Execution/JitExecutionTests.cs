using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Execution;

public class JitExecutionTests
{
    [Fact]
    public void A_donated_argument_is_deleted_and_its_memory_holds_the_result()
    {
        var f = Jax.Jit((Tensor x) => Jnp.Exp(-Jnp.Sin(x)), new JitOptions { DonateArgnums = [0] });
        var x = Jnp.Arange(100_000f) / 1000;
        var expected = Jnp.Exp(-Jnp.Sin(x)).ToArray<float>();
        var pointer = x.Buffer.Pointer;
        var y = f(x);
        Assert.True(x.IsDeleted);
        Assert.Throws<ObjectDisposedException>(() => x.ToArray<float>());
        Assert.Equal(pointer, y.Buffer.Pointer);
        Assert.Equal(expected, y.ToArray<float>());
    }

    [Fact]
    public void Donating_an_argument_the_function_returns_keeps_the_result()
    {
        var f = Jax.Jit((Tensor x, Tensor y) => x, new JitOptions { DonateArgnums = [0] });
        var x = Jnp.Arange(4f) + 1;
        var r = f(x, Jnp.Ones([4]));
        Assert.True(x.IsDeleted);
        Assert.Equal([1f, 2, 3, 4], r.ToArray<float>());
    }

    [Fact]
    public void An_array_passed_twice_is_not_donated_where_it_is_still_read()
    {
        var f = Jax.Jit((Tensor x, Tensor y) => x * 2 + y, new JitOptions { DonateArgnums = [0] });
        var x = Jnp.Arange(4f);
        var r = f(x, x);
        Assert.False(x.IsDeleted);
        Assert.Equal([0f, 3, 6, 9], r.ToArray<float>());
    }

    [Fact]
    public void Results_that_are_arguments_are_arrays_of_their_own()
    {
        var f = Jax.Jit((Tensor x) => x);
        var x = Jnp.Arange(3f);
        var r = f(x);
        r.Dispose();
        Assert.Equal([0f, 1, 2], x.ToArray<float>());
    }

    [Fact]
    public void Closed_over_arrays_are_arguments_of_the_executable_not_constants_of_the_ir()
    {
        var mat = Jax.Random.Normal(Jax.Random.PRNGKey(0), [150, 100]);
        var f = Jax.Jit((Tensor v) => Jnp.Dot(mat, v));
        var v = Jnp.Ones([100]);
        var text = f.Lower(v).AsText();
        Assert.True(text.Length < 2000, $"the lowered IR holds the matrix ({text.Length} characters)");
        Assert.Contains("f32[150,100]", text);
        Assert.DoesNotContain("= constant", text);
        Assert.Equal(Jnp.Dot(mat, v).ToArray<float>(), f(v).ToArray<float>());
    }

    [Fact]
    public void The_ir_of_weak_literals_is_simplified()
    {
        var text = Jax.MakeJaxpr((Tensor x) => x * 2 + 1, Jnp.Zeros([3]));
        // No constant -> convert(weak) -> convert(strong) chains: each literal is one constant of x's dtype.
        Assert.DoesNotContain("convert_element_type", text);
        Assert.Contains("constant", text);
        var raw = Jax.MakeJaxprUnsimplified(a => [a[0] * 2 + 1], Jnp.Zeros([3]));
        Assert.Contains("convert_element_type", raw);
    }

    private static Tensor Selu(Tensor x) => 1.05 * Jnp.Where(x > 0, x, 1.67 * Jnp.Exp(x) - 1.67);

    [Fact]
    public void Lower_shows_the_fused_planned_ir_and_a_graph()
    {
        var lowered = Jax.Jit(Selu).Lower(Jnp.Zeros([1000]));
        Assert.Equal("JitExecutionTests.Selu", lowered.Name);
        var text = lowered.AsText();
        Assert.Contains("func @JitExecutionTests.Selu(%0: f32[1000]) -> (f32[1000])", text);
        Assert.Contains("fusion %0 {kind = \"loop\", name = \"fusion_0\"}", text);
        Assert.Contains("// buffer plan: 1 slot, 4000 B allocated, peak 4000 B", text);
        Assert.DoesNotContain("convert_element_type", text);
        var dot = lowered.AsDot();
        Assert.StartsWith("digraph \"JitExecutionTests.Selu\" {", dot);
        Assert.Contains("fusion_0 (loop)", dot);
        Assert.Contains("slot 0: 4000 B", dot);
        Assert.Contains("exp", lowered.AsUnfusedText());
    }

    [Fact]
    public void Lower_plans_donated_arguments_in_place()
    {
        var f = Jax.Jit((Tensor x) => Jnp.Exp(-x) * 2, new JitOptions { DonateArgnums = [0] });
        var text = f.Lower(Jnp.Zeros([100])).AsText();
        Assert.Contains("in place of %0", text);
    }

    [Fact]
    public void Asynchronous_dispatch_returns_futures_that_give_the_same_values()
    {
        using var async = Jax.Config.CpuAsyncDispatchScope();
        var f = Jax.Jit((Tensor x) => Jnp.Sum(Jnp.Sin(x) * Jnp.Sin(x)));
        var xs = Enumerable.Range(1, 8).Select(i => Jnp.Arange(10_000f) / i).ToArray();
        var results = xs.Select(x => f(x)).ToArray();
        using (Jax.Config.CpuAsyncDispatchScope(false))
            for (int i = 0; i < xs.Length; i++)
                Assert.Equal(Jnp.Sum(Jnp.Sin(xs[i]) * Jnp.Sin(xs[i])).ToArray<float>(), results[i].BlockUntilReady().ToArray<float>());
    }

    [Fact]
    public void An_asynchronous_failure_surfaces_at_the_wait_naming_the_kernel_and_the_primitive()
    {
        using var async = Jax.Config.CpuAsyncDispatchScope();
        // 10^12 float32s: broadcasting the row needs the whole array, which this machine cannot hold.
        var f = Jax.Jit((Tensor x) => Jnp.Sin(Jnp.BroadcastTo(x, [1_000_000, 1_000_000]) + Jnp.Arange(1_000_000f)), new JitOptions { Name = "too_big" });
        var r = f(Jnp.Ones([1]));
        var e = Assert.Throws<JaxRuntimeException>(() => r.BlockUntilReady());
        Assert.Contains("@too_big failed in 'broadcast_in_dim'", e.Message);
        Assert.Contains("RESOURCE_EXHAUSTED", e.Message);
        Assert.Equal("broadcast_in_dim", e.Primitive);
        Assert.Throws<JaxRuntimeException>(() => r.ToArray<float>());
    }

    [Fact]
    public void A_synchronous_failure_names_the_kernel_and_the_primitive_at_the_call()
    {
        var f = Jax.Jit((Tensor x) => Jnp.Sin(Jnp.BroadcastTo(x, [1_000_000, 1_000_000]) + Jnp.Arange(1_000_000f)), new JitOptions { Name = "too_big_sync" });
        var e = Assert.Throws<JaxRuntimeException>(() => f(Jnp.Ones([1])));
        Assert.Contains("@too_big_sync failed in 'broadcast_in_dim'", e.Message);
        Assert.IsType<HostOutOfMemoryException>(e.InnerException);
    }

    [Fact]
    public void Futures_can_be_read_from_several_threads()
    {
        using var async = Jax.Config.CpuAsyncDispatchScope();
        var f = Jax.Jit((Tensor x) => Jnp.Cumsum(x));
        var r = f(Jnp.Ones([100_000]));
        var totals = new float[8];
        Parallel.For(0, 8, i => totals[i] = r.ToArray<float>()[^1]);
        Assert.All(totals, t => Assert.Equal(100_000f, t));
    }

    [Fact]
    public void Jit_peak_memory_is_at_most_the_eager_peak()
    {
        static Tensor Chain(Tensor x)
        {
            for (int i = 0; i < 20; i++) x = (i % 2 == 0) ? Jnp.Sin(x) : x * 1.5f;
            return x;
        }
        var x = Jnp.Arange(1_000_000f) / 1_000_000;
        var jitted = Jax.Jit(Chain);
        jitted(x).Dispose();
        var allocator = new CachingHostAllocator();
        long jitPeak, eagerPeak;
        using (HostAllocators.Use(allocator))
        {
            jitted(x).Dispose();
            jitPeak = allocator.Stats.PeakBytesInUse;
            allocator.ResetPeak();
            Chain(x).Dispose();
            eagerPeak = allocator.Stats.PeakBytesInUse;
        }
        allocator.Clear();
        Assert.True(jitPeak <= eagerPeak, $"jit peak {jitPeak} B > eager peak {eagerPeak} B");
        // One 4 MB intermediate, overwritten in place, plus a few scalars.
        Assert.True(jitPeak < 2 * CachingHostAllocator.SizeClass(4_000_000), $"jit peak {jitPeak} B: more than one intermediate");
    }
}
