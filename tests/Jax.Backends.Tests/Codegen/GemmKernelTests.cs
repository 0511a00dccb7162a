using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// dot_general and dot fusions compiled by the LLVM CPU backend against the interpreter. Integers and bool are exact.
/// Floats are not bit-exact (both sides use fused multiply-adds, in different orders and blockings): each element must
/// be within <c>4·K·ε(accumulator)·Σ|a||b| + ε(dtype)·|c|</c> of the interpreter's, where Σ|a||b| is the product of the
/// operands' absolute values (accumulator: float32 for float16/bfloat16/float32, float64 for float64; ε(dtype) covers the
/// final rounding of float16/bfloat16).
/// </summary>
public class GemmKernelTests
{
    private static readonly DType[] AllDTypes = DTypes.All.ToArray();

    /// <summary>A function of one dot_general of operands of the given types and dims.</summary>
    private static Function Dot(string name, ShapedType lhs, ShapedType rhs, long[] lc, long[] rc, long[] lb, long[] rb)
    {
        var block = new Block([lhs, rhs]);
        var e = new Emitter(block);
        block.SetResults([e.DotGeneral(block.Arguments[0], block.Arguments[1], lc, rc, lb, rb)]);
        return new Function(name, block);
    }

    private static ShapedType T(DType dtype, params Dim[] dims) => new(dtype, new Shape(dims));

    private static ShapedType T(DType dtype, params long[] dims) => new(dtype, Shape.Of(dims));

    /// <summary>Float test values in [-1, 1] (the specials of <see cref="CompiledKernels.Values"/> make no sense for a tolerance); other dtypes as usual.</summary>
    private static Buffer Values(DType dtype, Shape shape, int seed)
    {
        if (!dtype.IsFloat()) return CompiledKernels.Values(dtype, shape, seed);
        var rng = new Random(seed);
        var b = Buffer.Uninitialized(dtype, shape);
        for (long i = 0; i < b.LongLength; i++) b.SetDouble(i, rng.NextDouble() * 2 - 1);
        return b;
    }

    private static Buffer Abs(Buffer x)
    {
        var b = Buffer.Uninitialized(x.DType, x.Shape);
        for (long i = 0; i < x.LongLength; i++) b.SetDouble(i, Math.Abs(x.GetDouble(i)));
        return b;
    }

    private static (double Accumulator, double Result) Epsilons(DType dtype) => dtype switch
    {
        DType.Float64 => (Math.Pow(2, -52), Math.Pow(2, -52)),
        DType.Float16 => (Math.Pow(2, -23), Math.Pow(2, -10)),
        DType.BFloat16 => (Math.Pow(2, -23), Math.Pow(2, -7)),
        _ => (Math.Pow(2, -23), Math.Pow(2, -23)),
    };

    /// <summary>
    /// Compiled vs interpreter: exact for integers and bool, within the stated tolerance for floats, whose bound uses
    /// <paramref name="boundFunction"/> (the plain product) on the absolute values of the operands.
    /// </summary>
    private static void AssertMatches(Function function, long k, Buffer[] args, Function? boundFunction = null)
    {
        var dtype = args[0].DType;
        if (!dtype.IsFloat())
        {
            CompiledKernels.AssertMatchesInterpreter(function, args);
            return;
        }
        var expected = Interpreter.Run(function, args);
        var actual = CompiledKernels.Run(function, args);
        var bound = Interpreter.Run(boundFunction ?? function, [Abs(args[0]), Abs(args[1])])[0];
        var (eAcc, eOut) = Epsilons(dtype);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r].Type, actual[r].Type);
            for (long i = 0; i < expected[r].LongLength; i++)
            {
                double e = expected[r].GetDouble(i), a = actual[r].GetDouble(i);
                double tolerance = 4 * Math.Max(k, 1) * eAcc * bound.GetDouble(i % bound.LongLength) + eOut * Math.Abs(e) + 1e-300;
                if (!(Math.Abs(a - e) <= tolerance))
                    Assert.Fail($"@{function.Name} result {r} element {i}: expected {e}, got {a} (tolerance {tolerance})");
            }
        }
    }

    /// <summary>Whether <paramref name="f"/> has a dot_general of floats (compared within the tolerance, not bit for bit).</summary>
    internal static bool HasFloatProduct(Function f) =>
        f.Body.Operations.Any(op => ReferenceEquals(op.Primitive, Prims.DotGeneral) && op.Operands[0].Type.DType.IsFloat());

    /// <summary>
    /// <see cref="AssertMatches"/> for a function with float products (an IR sample): K is the largest contracted size
    /// of its products; elements whose bound overflows (inputs with infinities or huge values) must only agree on NaN.
    /// </summary>
    internal static void AssertProductsClose(Function f, Buffer[] args)
    {
        var symbols = new Dictionary<string, long>();
        for (int p = 0; p < args.Length; p++)
            for (int d = 0; d < args[p].Shape.Rank; d++)
                if (f.ParameterTypes[p].Shape[d].Symbol is { } symbol) symbols[symbol] = args[p].Shape[d].Size;
        long k = f.Body.Operations.Where(op => ReferenceEquals(op.Primitive, Prims.DotGeneral))
            .Max(op => op.Attributes.IntArray("lhs_contracting_dims").Aggregate(1L, (n, d) =>
                n * (op.Operands[0].Type.Shape[d] is { IsStatic: true } dim ? dim.Size : symbols[op.Operands[0].Type.Shape[d].Symbol!])));
        var expected = Interpreter.Run(f, args);
        var actual = CompiledKernels.Run(f, args);
        var bounds = Interpreter.Run(f, args.Select(Abs).ToArray());
        for (int r = 0; r < expected.Length; r++)
        {
            var (eAcc, eOut) = Epsilons(expected[r].DType);
            for (long i = 0; i < expected[r].LongLength; i++)
            {
                double e = expected[r].GetDouble(i), a = actual[r].GetDouble(i), bound = bounds[r].GetDouble(i);
                if (!double.IsFinite(bound) || !double.IsFinite(e)) continue;
                double tolerance = 4 * Math.Max(k, 1) * eAcc * bound + eOut * Math.Abs(e);
                Assert.True(Math.Abs(a - e) <= tolerance, $"@{f.Name} result {r} element {i}: expected {e}, got {a} (tolerance {tolerance})");
            }
        }
    }

    public static TheoryData<string> DTypeNames => new(DTypes.All.Select(d => d.ShortName()).ToArray());

    [Theory]
    [MemberData(nameof(DTypeNames))]
    public void Small_products_of_every_dtype_match_the_interpreter(string name)
    {
        var dtype = AllDTypes.Single(d => d.ShortName() == name);
        // Plain matmul, transposed lhs and rhs, batch dims in the middle and last, two contracting dims, matrix-vector,
        // outer product (no contracting dim), a contracting dim of size 0.
        var cases = new (Function F, long K)[]
        {
            (Dot("mm", T(dtype, 7, 5), T(dtype, 5, 3), [1], [0], [], []), 5),
            (Dot("mtm", T(dtype, 5, 7), T(dtype, 3, 5), [0], [1], [], []), 5),
            (Dot("batched", T(dtype, 7, 2, 6), T(dtype, 6, 3, 2), [2], [0], [1], [2]), 6),
            (Dot("two_contracting", T(dtype, 3, 4, 5), T(dtype, 5, 2, 4), [1, 2], [2, 0], [], []), 20),
            (Dot("mv", T(dtype, 9, 4), T(dtype, 4), [1], [0], [], []), 4),
            (Dot("outer", T(dtype, 3), T(dtype, 4), [], [], [], []), 1),
            (Dot("empty_k", T(dtype, 3, 0), T(dtype, 0, 2), [1], [0], [], []), 0),
        };
        int seed = 0;
        foreach (var (f, k) in cases)
        {
            var args = f.ParameterTypes.Select(t => Values(dtype, t.Shape, seed++)).ToArray();
            AssertMatches(f, k, args);
        }
    }

    public static TheoryData<long, long, long, bool, bool> OddSizes => new()
    {
        { 1, 1000, 65, false, false },
        { 7, 63, 1000, false, true },
        { 63, 65, 63, true, false },
        { 65, 63, 65, true, true },
        { 1000, 7, 63, false, false },
        { 65, 1000, 7, false, true },
        { 129, 130, 600, true, true },
    };

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Float_products_at_odd_sizes_match_within_tolerance(long m, long n, long k, bool transposeLhs, bool transposeRhs)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var f = Dot($"odd_{m}_{n}_{k}", transposeLhs ? T(dtype, k, m) : T(dtype, m, k), transposeRhs ? T(dtype, n, k) : T(dtype, k, n),
                [transposeLhs ? 0 : 1], [transposeRhs ? 1 : 0], [], []);
            AssertMatches(f, k, [Values(dtype, f.ParameterTypes[0].Shape, (int)m), Values(dtype, f.ParameterTypes[1].Shape, (int)n)]);
        }
    }

    [Fact]
    public void Batched_float_products_with_batch_dims_anywhere_match_within_tolerance()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            // lhs [k, b, m], rhs [n, b, k]: result [b, m, n]. Then two free dims per operand: consecutive axes (one
            // matrix dim each, the packed GEMM), and not consecutive (the element loop).
            Function[] cases =
            [
                Dot("batched_gemm", T(dtype, 70, 3, 65), T(dtype, 63, 3, 70), [0], [2], [1], [1]),
                Dot("merged_free", T(dtype, 4, 50, 70), T(dtype, 70, 5, 13), [2], [0], [], []),
                Dot("split_free", T(dtype, 50, 70, 4), T(dtype, 5, 70, 13), [1], [1], [], []),
            ];
            foreach (var f in cases)
                AssertMatches(f, 70, [Values(dtype, f.ParameterTypes[0].Shape, 1), Values(dtype, f.ParameterTypes[1].Shape, 2)]);
        }
    }

    [Fact]
    public void A_3001_product_matches_float64_on_sampled_elements()
    {
        const int n = 3001;
        var f = Dot("big", T(DType.Float32, n, n), T(DType.Float32, n, n), [1], [1], [], []);
        var rng = new Random(7);
        var x = new float[n * n];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[n * n];
        for (int i = 0; i < y.Length; i++) y[i] = (float)(rng.NextDouble() * 2 - 1);
        var result = CompiledKernels.Run(f, Buffer.Of(x, n, n), Buffer.Of(y, n, n))[0];
        for (int s = 0; s < 300; s++)
        {
            int i = s < 4 ? (s & 1) * (n - 1) : rng.Next(n), j = s < 4 ? (s >> 1) * (n - 1) : rng.Next(n);
            double exact = 0, bound = 0;
            for (int p = 0; p < n; p++)
            {
                exact += (double)x[i * n + p] * y[j * n + p];
                bound += Math.Abs((double)x[i * n + p] * y[j * n + p]);
            }
            double tolerance = 4 * n * Math.Pow(2, -23) * bound;
            Assert.True(Math.Abs(result.GetDouble((long)i * n + j) - exact) <= tolerance, $"element ({i}, {j}): {result.GetDouble((long)i * n + j)} vs {exact}");
        }
    }

    [Fact]
    public void One_kernel_with_symbolic_dims_serves_every_size()
    {
        foreach (var dtype in AllDTypes)
        {
            var f = Dot($"sym_{dtype.ShortName()}", T(dtype, Dim.Sym("m"), Dim.Sym("k")), T(dtype, Dim.Sym("n"), Dim.Sym("k")), [1], [1], [], []);
            (long, long, long)[] sizes = [(0, 3, 4), (1, 1, 1), (7, 7, 7), (3, 5, 0), (1000, 3, 7), (4099, 2, 3)];
            // float32/float64: sizes on both sides of the packed GEMM's threshold too.
            if (dtype is DType.Float32 or DType.Float64) sizes = [.. sizes, (65, 63, 129), (300, 7, 1000), (1000, 65, 63), (4099, 33, 17)];
            foreach (var (m, n, k) in sizes)
                AssertMatches(f, k, [Values(dtype, Shape.Of(m, k), (int)(m + k)), Values(dtype, Shape.Of(n, k), (int)(n * 3 + k))]);
        }
    }

    /// <summary>relu(x · w + bias) with x f32[n,k]: one dot fusion whose epilogue is the bias add and the max.</summary>
    private static (Function Fused, Function Plain) Dense(DType dtype, long k, long units, long? rows = null)
    {
        var x = rows is long r ? T(dtype, Dim.Sym("n"), Dim.Of(r), Dim.Of(k)) : T(dtype, Dim.Sym("n"), Dim.Of(k));
        long[] contracting = [x.Rank - 1];
        var block = new Block([x, T(dtype, k, units), T(dtype, units)]);
        var e = new Emitter(block);
        var product = e.DotGeneral(block.Arguments[0], block.Arguments[1], contracting, [0], [], []);
        var biased = e.Add(product, e.BroadcastInDim(block.Arguments[2], product.Type.Shape, [x.Rank - 1]));
        block.SetResults([e.Max(biased, e.Full(biased.Type, 0))]);
        return (new Function("dense", block), Dot("plain", x, T(dtype, k, units), contracting, [0], [], []));
    }

    [Fact]
    public void A_dot_fusion_applies_bias_and_relu_when_writing_the_product()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Float16 })
        {
            var (fused, plain) = Dense(dtype, 300, 65);
            var prepared = KernelCompiler.Prepare(fused);
            Assert.Contains(prepared.Body.Operations, op => ReferenceEquals(op.Primitive, Prims.Fusion) && Prims.Fusion.KindOf(op.Attributes) == FusionKind.Dot);
            foreach (long n in new long[] { 1, 7, 1000 })
            {
                var args = new[] { Values(dtype, Shape.Of(n, 300), (int)n), Values(dtype, Shape.Of(300, 65), 2), Values(dtype, Shape.Of(65), 3) };
                AssertMatches(fused, 300, args, plain);
            }
        }
        // Rows of a 3-d input (free dims [n, 6]: one matrix dim of 6n rows).
        var (fused3, plain3) = Dense(DType.Float32, 300, 65, rows: 6);
        var args3 = new[] { Values(DType.Float32, Shape.Of(200, 6, 300), 4), Values(DType.Float32, Shape.Of(300, 65), 5), Values(DType.Float32, Shape.Of(65), 6) };
        AssertMatches(fused3, 300, args3, plain3);
    }

    [Fact]
    public void A_transposed_operand_is_read_through_strides_not_materialized()
    {
        var block = new Block([T(DType.Float32, 300, 200)]);
        var e = new Emitter(block);
        var x = block.Arguments[0];
        block.SetResults([e.DotGeneral(x, e.Transpose(x, [1, 0]), [1], [0], [], [])]);
        var f = new Function("gram", block);
        var prepared = KernelCompiler.Prepare(f);
        Assert.DoesNotContain(prepared.Body.Operations, op => ReferenceEquals(op.Primitive, Prims.Transpose));
        var args = new[] { Values(DType.Float32, Shape.Of(300, 200), 5) };
        var expected = Interpreter.Run(f, args)[0];
        var actual = CompiledKernels.Run(f, args)[0];
        var bound = Interpreter.Run(f, [Abs(args[0])])[0];
        for (long i = 0; i < expected.LongLength; i++)
            Assert.True(Math.Abs(expected.GetDouble(i) - actual.GetDouble(i)) <= 4 * 200 * Math.Pow(2, -23) * bound.GetDouble(i), $"element {i}");
    }

    public static TheoryData<string, string, int> Targets => new()
    {
        { "linux-x64", "x86-64-v2", 4 },
        { "linux-x64", "x86-64-v3", 8 },
        { "linux-x64", "x86-64-v4", 16 },
        { "linux-arm64", "arm64", 4 },
    };

    /// <summary>
    /// The micro-kernel's vectors follow the target (results across ISA levels are not claimed identical: the sums are
    /// blocked by the vector width, and x86-64-v2 has no FMA, so they agree within the tolerance above).
    /// </summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void The_micro_kernel_uses_the_vector_width_of_the_target(string rid, string isa, int floats)
    {
        var f = Dot("width", T(DType.Float32, Dim.Sym("m"), Dim.Sym("k")), T(DType.Float32, Dim.Sym("k"), Dim.Sym("n")), [1], [0], [], []);
        using var context = Llvm.LlvmContext.Create();
        var (module, _) = KernelCompiler.Build(context, f, "width", target: CpuTarget.For(rid, isa));
        using (module)
        {
            var ir = module.PrintToString();
            Assert.Contains($"@llvm.fmuladd.v{floats}f32(<{floats} x float>", ir);
        }
    }
}
