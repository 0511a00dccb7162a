using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Execution;

public class JitCacheTests
{
    private static JitFunction Engine(Delegate jitted) => Jax.JitOf(jitted) ?? throw new InvalidOperationException("not jitted");

    private static Tensor Double(Tensor x) => x * 2;

    [Fact]
    public void One_trace_per_signature()
    {
        var f = Jax.Jit(Double);
        f(Jnp.Arange(3f));
        f(Jnp.Arange(3f) + 1);
        Assert.Equal(1, Engine(f).TraceCount);
        f(Jnp.Arange(4f));
        f(Jnp.Arange(3));
        Assert.Equal(3, Engine(f).TraceCount);
    }

    [Fact]
    public void Weak_and_strong_scalars_are_different_signatures()
    {
        var f = Jax.Jit((Tensor x) => x + Jnp.Array(new[] { 1 }, dtype: Jnp.Int16).Reshape());
        var weak = f(3);
        var strong = f(Jnp.Array(new[] { 3 }).Reshape());
        Assert.Equal(2, Engine(f).TraceCount);
        // int16 + weak int stays int16; int16 + strong int32 promotes to int32.
        Assert.Equal(DType.Int16, weak.DType);
        Assert.Equal(DType.Int32, strong.DType);
    }

    [Fact]
    public void X64_is_part_of_the_key()
    {
        var f = Jax.Jit((Tensor x) => x * 1.5);
        var narrow = f(Jnp.Arange(3));
        using (Jax.Config.X64Scope())
        {
            var wide = f(Jnp.Arange(3));
            Assert.Equal(DType.Float64, wide.DType);
        }
        Assert.Equal(DType.Float32, narrow.DType);
        Assert.Equal(2, Engine(f).TraceCount);
    }

    [Fact]
    public void Static_arguments_are_values_in_the_key_and_plain_values_in_the_function()
    {
        int traces = 0;
        var f = Jax.Jit((object?[] a) =>
        {
            traces++;
            var x = (Tensor)a[0]!;
            // A static value is not traced: the function can branch on it.
            return (bool)a[2]! ? x * (double)a[1]! : x - (double)a[1]!;
        }, new JitOptions { StaticArgnums = [1, 2] });
        var x = Jnp.Arange(3f);
        Assert.Equal([0f, 2, 4], f([x, 2.0, true]).ToArray<float>());
        Assert.Equal([0f, 2, 4], f([x, 2.0, true]).ToArray<float>());
        Assert.Equal([-2f, -1, 0], f([x, 2.0, false]).ToArray<float>());
        Assert.Equal([0f, 3, 6], f([x, 3.0, true]).ToArray<float>());
        Assert.Equal(3, traces);
    }

    [Fact]
    public void A_static_array_is_compared_by_value()
    {
        var f = Jax.Jit((object?[] a) => (Tensor)a[0]! + Jnp.Sum((Tensor)a[1]!), new JitOptions { StaticArgnums = [1] });
        f([Jnp.Arange(2f), Jnp.Array(new[] { 1f, 2 })]);
        f([Jnp.Arange(2f), Jnp.Array(new[] { 1f, 2 })]);
        Assert.Equal(1, Engine(f).TraceCount);
        var r = f([Jnp.Arange(2f), Jnp.Array(new[] { 1f, 5 })]);
        Assert.Equal(2, Engine(f).TraceCount);
        Assert.Equal([6f, 7], r.ToArray<float>());
    }

    [Fact]
    public void Numbers_in_dynamic_positions_are_weak_scalar_arguments()
    {
        var f = Jax.Jit((object?[] a) => (Tensor)a[0]! * (Tensor)a[1]!);
        var x = Jnp.Arange(3, dtype: Jnp.Float16);
        Assert.Equal(DType.Float16, f([x, 2.5]).DType);
        Assert.Equal([0.0, 3.5, 7], f([x, 3.5]).ToArray<double>());
        Assert.Equal(1, Engine(f).TraceCount);
    }

    [Fact]
    public void Trees_in_and_out()
    {
        var f = Jax.Jit(((Tensor W, Tensor B) p) => (p.W * 2, p.B + 1));
        var (w, b) = f((Jnp.Ones([2, 2]), Jnp.Zeros([2])));
        Assert.Equal([2f, 2, 2, 2], w.ToArray<float>());
        Assert.Equal([1f, 1], b.ToArray<float>());
        var g = Jax.Jit((Dictionary<string, Tensor> d) => new Dictionary<string, Tensor> { ["sum"] = d["a"] + d["b"] });
        var r = g(new Dictionary<string, Tensor> { ["a"] = Jnp.Ones([3]), ["b"] = Jnp.Ones([3]) });
        Assert.Equal([2f, 2, 2], r["sum"].ToArray<float>());
    }

    [Fact]
    public void Tree_structure_is_part_of_the_key()
    {
        var f = Jax.Jit((object?[] a) => PyTree.Leaves(a[0]!).Aggregate((x, y) => x + y));
        f([new[] { Jnp.Ones([2]), Jnp.Ones([2]) }]);
        f([new List<Tensor> { Jnp.Ones([2]), Jnp.Ones([2]) }]);
        Assert.Equal(2, Engine(f).TraceCount);
    }

    [Fact]
    public void Clear_caches_forgets_executables()
    {
        var f = Jax.Jit(Double);
        f(Jnp.Arange(3f));
        Jax.ClearCaches();
        f(Jnp.Arange(3f));
        Assert.Equal(2, Engine(f).TraceCount);
    }

    [Fact]
    public void Keys_are_values_and_print_readably()
    {
        var a = new ExecutableKey("K.f", [new ShapedType(DType.Float32, Shape.Of(3))], false, DeviceDescriptor.Cpu, [2.0]);
        var b = new ExecutableKey("K.f", [new ShapedType(DType.Float32, Shape.Of(3))], false, DeviceDescriptor.Cpu, [2.0]);
        var weak = new ExecutableKey("K.f", [new ShapedType(DType.Float32, Shape.Of(3), true)], false, DeviceDescriptor.Cpu, [2.0]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, weak);
        Assert.Equal("K.f(f32[3]; x64=False; cpu:0; static=(2))", a.ToString());
    }

    private static Tensor SumLogistic(Tensor x) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x)));

    [Fact]
    public void Kernel_names_come_from_the_method_not_the_compiler()
    {
        Assert.Equal("JitCacheTests.SumLogistic", KernelNames.For((Func<Tensor, Tensor>)SumLogistic));
        static Tensor Selu(Tensor x) => x;
        Assert.Equal("JitCacheTests.Kernel_names_come_from_the_method_not_the_compiler.Selu", KernelNames.For((Func<Tensor, Tensor>)Selu));
        var lambda = KernelNames.For((Func<Tensor, Tensor>)(x => x + 1));
        Assert.StartsWith("JitCacheTests.Kernel_names_come_from_the_method_not_the_compiler.lambda_", lambda);
        Assert.DoesNotContain("<", lambda);
        Assert.Equal("JitCacheTests.SumLogistic", Engine(Jax.Jit(SumLogistic)).Name);
    }

    [Fact]
    public void Concurrent_calls_from_several_threads_agree()
    {
        var f = Jax.Jit((Tensor x) => Jnp.Sin(x) * Jnp.Cos(x) + x);
        var inputs = Enumerable.Range(0, 16).Select(i => Jnp.Arange(1000f) / (i + 1)).ToArray();
        var expected = inputs.Select(x => (Jnp.Sin(x) * Jnp.Cos(x) + x).ToArray<float>()).ToArray();
        var results = new float[16][];
        Parallel.For(0, 64, i => results[i % 16] = f(inputs[i % 16]).ToArray<float>());
        for (int i = 0; i < 16; i++) Assert.Equal(expected[i], results[i]);
        Assert.Equal(1, Engine(f).TraceCount);
    }
}

/// <summary>
/// Tests that change the process-wide x64 setting (not a scope of their own): they run with no other test in parallel,
/// which would otherwise see float64 defaults for a moment (a draw made as float64 bits and shifted by a uint32 32).
/// </summary>
[Collection(ProcessWideConfigCollection.Name)]
public class JitCacheX64Tests
{
    [Fact]
    public void The_trace_reads_the_x64_setting_the_key_was_built_with()
    {
        // The function flips the process-wide setting while it is traced, as another thread could: the trace must
        // still see the value the key recorded, or a float64 executable would be cached under an x64=False key.
        bool old = Jax.Config.EnableX64;
        try
        {
            var f = Jax.Jit((Tensor x) =>
            {
                Jax.Config.EnableX64 = true;
                return x * 1.5;
            });
            using (Jax.Config.X64Scope(false))
            {
                Assert.Equal(DType.Float32, f(Jnp.Arange(3)).DType);
                Assert.Equal(DType.Float32, f(Jnp.Arange(3)).DType);
            }
        }
        finally
        {
            Jax.Config.EnableX64 = old;
        }
    }
}

/// <summary>The collection of tests that change process-wide configuration (<see cref="Jax.Config"/>), run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideConfigCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Process-wide configuration";
}
