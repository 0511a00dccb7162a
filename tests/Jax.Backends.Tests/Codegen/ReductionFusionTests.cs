using System.Runtime.InteropServices;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// <c>reduction</c> fusions (elementwise operations computed on the fly before the reduction, and on its result after it)
/// from traced programs and hand-written IR with symbolic sizes, against the interpreter: float results within
/// |compiled − interpreter| ≤ 1e-4·(1 + |interpreter|) (float32; only the summation order differs), the rest exact;
/// and float reductions giving the same bits on every x86-64 ISA level this machine runs.
/// </summary>
public unsafe class ReductionFusionTests
{
    private static readonly int[] Sizes = [0, 1, 7, 1000, 4099];

    /// <summary>Traced IR with the transcendental functions expanded into arithmetic (as the pipeline will do before code generation).</summary>
    private static Function Traced(string text) => new MathExpansionPass().Run(IrParser.ParseFunction(text));

    /// <summary>Asserts the function fuses into at least one reduction fusion, and returns the number.</summary>
    private static int ReductionFusions(Function f)
    {
        int count = KernelCompiler.Prepare(f).Body.Operations.Count(op =>
            op.Primitive == Prims.Fusion && Prims.Fusion.KindOf(op.Attributes) == FusionKind.Reduction);
        Assert.True(count > 0, $"@{f.Name} has no reduction fusion:\n{IrPrinter.Print(KernelCompiler.Prepare(f))}");
        return count;
    }

    private static void AssertClose(Function f, params Buffer[] args)
    {
        var expected = Interpreter.Run(f, args);
        var actual = CompiledKernels.Run(f, args);
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r].Type, actual[r].Type);
            for (long i = 0; i < expected[r].LongLength; i++)
            {
                double e = expected[r].GetDouble(i), a = actual[r].GetDouble(i);
                string where = $"@{f.Name} result {r} element {i}: expected {e}, got {a}";
                if (!expected[r].DType.IsFloat()) Assert.True(e == a, where);
                else if (double.IsNaN(e) || double.IsInfinity(e)) Assert.True(e.Equals(a) || (double.IsNaN(e) && double.IsNaN(a)), where);
                else Assert.True(Math.Abs(a - e) <= 1e-4 * (1 + Math.Abs(e)), where);
            }
        }
    }

    private static Buffer Normal(Shape shape, int seed, double scale = 3, DType dtype = DType.Float32)
    {
        var rng = new Random(seed);
        var b = Buffer.Uninitialized(dtype, shape);
        for (long i = 0; i < b.LongLength; i++) b.SetDouble(i, (rng.NextDouble() - 0.5) * scale);
        return b;
    }

    [Fact]
    public void Softmax_over_the_last_axis_fuses_and_matches_the_interpreter()
    {
        foreach (var (rows, columns) in new[] { (37, 1000), (300, 10), (2, 4099) })
        {
            var f = Traced(Jax.MakeJaxpr(x => Nn.Softmax(x), Jnp.Zeros([rows, columns])));
            ReductionFusions(f);
            AssertClose(f, Normal(Shape.Of(rows, columns), rows, scale: 20));
        }
    }

    [Fact]
    public void Mean_and_variance_fuse_and_match_the_interpreter()
    {
        foreach (int axis in new[] { 0, 1 })
        {
            var f = Traced(Jax.MakeJaxpr(a => [Jnp.Mean(a[0], axis), Jnp.Var(a[0], axis)], Jnp.Zeros([123, 77])));
            ReductionFusions(f);
            var x = Normal(Shape.Of(123, 77), axis);
            for (long i = 0; i < x.LongLength; i++) x.SetDouble(i, x.GetDouble(i) + 10);
            AssertClose(f, x);
        }
    }

    [Fact]
    public void The_value_and_gradient_of_a_sum_of_logistics_fuse_and_match_the_interpreter()
    {
        var valueAndGrad = Jax.ValueAndGrad(a => Jnp.Sum(Lax.Logistic(a[0])), 0);
        var f = Traced(Jax.MakeJaxpr(a =>
        {
            var (value, gradients) = valueAndGrad(a);
            return [value, gradients[0]];
        }, Jnp.Zeros([64, 300])));
        ReductionFusions(f);
        AssertClose(f, Normal(Shape.Of(64, 300), 5, scale: 16));
    }

    [Fact]
    public void Fusions_with_results_before_and_after_the_reduction_match_at_every_size()
    {
        // A prologue value that is also a result, an epilogue (sqrt of a sum of squares, a bias per row), and argmax of a computed value.
        var f = IrParser.ParseFunction("""
            func @fused(%0: f32[n,37], %1: f32[n], %2: i32[37,n]) -> (f32[n,37], f32[n], i32[n], i64[n], f32[], i32[n]) {
              %3 = mul %0, %0 : f32[n,37]
              %4 = reduce_sum %3 {axes = [1]} : f32[n]
              %5 = sqrt %4 : f32[n]
              %6 = add %5, %1 : f32[n]
              %7 = argmax %3 {axis = 1, index_dtype = i32} : i32[n]
              %8 = convert_element_type %2 {new_dtype = i64, weak_type = false} : i64[37,n]
              %9 = reduce_max %8 {axes = [0]} : i64[n]
              %10 = reduce_sum %1 {axes = [0]} : f32[]
              %11 = abs %2 : i32[37,n]
              %12 = reduce_sum %11 {axes = [0]} : i32[n]
              %13 = neg %12 : i32[n]
              return %3, %6, %7, %9, %10, %13
            }
            """);
        ReductionFusions(f);
        foreach (int n in Sizes)
            AssertClose(f, Normal(Shape.Of(n, 37), n), Normal(Shape.Of(n), n + 1), CompiledKernels.Values(DType.Int32, Shape.Of(37, n), n));
    }

    [Fact]
    public void A_large_sum_to_one_value_runs_in_parallel_chunks_with_a_result_independent_of_the_threads()
    {
        var f = IrParser.ParseFunction("""
            func @total(%0: f32[n]) -> (f32[], f64[]) {
              %1 = reduce_sum %0 {axes = [0]} : f32[]
              %2 = convert_element_type %0 {new_dtype = f64, weak_type = false} : f64[n]
              %3 = reduce_sum %2 {axes = [0]} : f64[]
              return %1, %3
            }
            """);
        var x = Normal(Shape.Of(5_000_000), 9);
        var first = CompiledKernels.Run(f, x);
        for (int k = 0; k < 3; k++)
        {
            var again = CompiledKernels.Run(f, x);
            Assert.True(first[0].BitwiseEquals(again[0]) && first[1].BitwiseEquals(again[1]));
        }
        // Both orders are within 1e-6·Σ|x| of the exact sum (the interpreter's order is TensorPrimitives', not ours).
        var expected = Interpreter.Run(f, x);
        double magnitude = 0, exact = 0;
        for (long i = 0; i < x.LongLength; i++) (magnitude, exact) = (magnitude + Math.Abs(x.GetDouble(i)), exact + x.GetDouble(i));
        Assert.True(Math.Abs(first[0].GetDouble(0) - expected[0].GetDouble(0)) <= 1e-6 * magnitude);
        Assert.True(Math.Abs(first[1].GetDouble(0) - exact) <= 1e-12 * magnitude);
    }

    /// <summary>(float16 across levels: HalfConversionTests.)</summary>
    [Fact]
    public void Float_reductions_give_the_same_bits_on_every_isa_level_this_machine_runs()
    {
        if (!(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)) return;
        var f = IrParser.ParseFunction("""
            func @orders(%0: f32[n,1000], %1: f64[1000,n], %2: bf16[n,333]) -> (f32[n], f32[], f64[n], f64[1000], f32[n], f32[n,1000]) {
              %3 = reduce_sum %0 {axes = [1]} : f32[n]
              %4 = reduce_sum %0 {axes = [0, 1]} : f32[]
              %5 = reduce_prod %1 {axes = [0]} : f64[n]
              %6 = reduce_sum %1 {axes = [1]} : f64[1000]
              %7 = exp %0 : f32[n,1000]
              %8 = reduce_sum %7 {axes = [1]} : f32[n]
              %9 = cumsum %0 {axis = 1, reverse = false} : f32[n,1000]
              %10 = reduce_sum %2 {axes = [1]} : bf16[n]
              %11 = convert_element_type %10 {new_dtype = f32, weak_type = false} : f32[n]
              %12 = add %8, %11 : f32[n]
              return %3, %4, %5, %6, %12, %9
            }
            """);
        f = new MathExpansionPass().Run(f);
        const int n = 77;
        Buffer[] args = [Normal(Shape.Of(n, 1000), 1), Normal(Shape.Of(1000, n), 2, dtype: DType.Float64), CompiledKernels.Values(DType.BFloat16, Shape.Of(n, 333), 3)];
        for (long i = 0; i < args[1].LongLength; i++) args[1].SetDouble(i, 1 + args[1].GetDouble(i) / 100);
        for (long i = 20; i < args[2].LongLength; i++) args[2].SetDouble(i, args[2].GetDouble(i) / 4096);

        using var library = new IsaLevelLibrary(f, "orders");
        var results = library.RunnableLevels.Select(t => library.Run(t, args)).ToArray();
        Assert.True(results.Length >= 2, "fewer than two x86-64 levels run here");
        foreach (var other in results.Skip(1))
            for (int r = 0; r < other.Length; r++)
                Assert.True(results[0][r].BitwiseEquals(other[r]), $"result {r} differs between ISA levels");
        AssertClose(f, args);
    }
}

/// <summary>Runtime <c>Jax.Jit</c> with the LLVM JIT registered runs reductions natively (no fallback notice).</summary>
[Collection(nameof(RuntimeJitCollection))]
public class ReductionRuntimeJitTests
{
    [Fact]
    public void Jitted_reductions_run_as_native_kernels_with_the_interpreters_numbers()
    {
        Assert.True(JaxJit.Enable(out var reason), reason);
        var notices = new List<string>();
        void Collect(string notice) => notices.Add(notice);
        KernelRegistry.Notices += Collect;
        try
        {
            static Tensor Rows(Tensor x) => Jnp.Max(x * x, 1) - Jnp.Sum(Jnp.Cumsum(x, 1), 1) + Jnp.Argmax(x, 1);
            var f = Jax.Jit(Rows, new JitOptions { Name = "ReductionRuntimeJitTests.rows" });
            var x = Jnp.Arange(-3000f, 3000f, 0.5f).Astype(Jnp.Int32).Reshape(1200, 10);
            Assert.Equal(Rows(x).ToArray<int>(), f(x).ToArray<int>());
            Assert.DoesNotContain(notices, n => n.Contains("ReductionRuntimeJitTests.rows", StringComparison.Ordinal));
        }
        finally
        {
            KernelRegistry.Notices -= Collect;
        }
    }
}
