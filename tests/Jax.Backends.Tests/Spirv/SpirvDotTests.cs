using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// dot_general and dot fusions as SPIR-V kernels (<c>DotKernelWriter</c>): every module passes spirv-val; each program
/// runs on Vulkan (lavapipe here) step by step as the runtime runs it and is compared with the interpreter. Integers
/// (wrapping) are exact. Float32 results are not bit-exact (other summation order): each element must be within
/// <c>4·K·2^-23·Σ|a||b| + 1e-5·|c| + 1e-6</c> of the interpreter's, Σ|a||b| being the product of the operands'
/// absolute values at that element (the epilogues tested, bias add, relu and tanh, do not enlarge an error; the relative
/// and absolute terms cover their own rounding and the math-expanded tanh).
/// </summary>
public sealed class SpirvDotTests
{
    /// <summary>A dot case: the operand types and dims, the extra inputs and the epilogue (IR lines on %p, the product), its results.</summary>
    private sealed record Case(string Name, string Lhs, string Rhs, string Dims, string Product, string ExtraInputs = "", string Epilogue = "", string Results = "%p", string ResultTypes = "")
    {
        public Function Function()
        {
            var inputs = $"%a: {Lhs}, %b: {Rhs}" + (ExtraInputs.Length > 0 ? ", " + ExtraInputs : "");
            var types = ResultTypes.Length > 0 ? ResultTypes : Product;
            return IrParser.ParseFunction($$"""
                func @{{Name}}({{inputs}}) -> ({{types}}) {
                  %p = dot_general %a, %b {{{Dims}}} : {{Product}}
                  {{Epilogue}}
                  return {{Results}}
                }
                """);
        }

        /// <summary>The bare product of the same operands (for the tolerance's Σ|a||b|).</summary>
        public Function Bound() => IrParser.ParseFunction($$"""
            func @{{Name}}_bound(%a: {{Lhs}}, %b: {{Rhs}}) -> ({{Product}}) {
              %p = dot_general %a, %b {{{Dims}}} : {{Product}}
              return %p
            }
            """);
    }

    private static string Dims(string lc, string rc, string lb = "", string rb = "") =>
        $"lhs_batch_dims = [{lb}], lhs_contracting_dims = [{lc}], rhs_batch_dims = [{rb}], rhs_contracting_dims = [{rc}]";

    private static readonly string MatMul = Dims("1", "0");

    private static Case Mm(string dtype, long m, long k, long n) =>
        new($"mm_{dtype}_{m}x{k}x{n}", $"{dtype}[{m},{k}]", $"{dtype}[{k},{n}]", MatMul, $"{dtype}[{m},{n}]");

    /// <summary>Matrix products of sizes that are and are not tile multiples, both tile sizes (64 and 128).</summary>
    private static readonly Case[] MatMuls = [Mm("f32", 1, 1, 1), Mm("f32", 7, 5, 3), Mm("f32", 64, 64, 64), Mm("f32", 130, 67, 129), Mm("f32", 256, 256, 256), Mm("f32", 300, 20, 257)];

    /// <summary>Other dimension numbers: batches (leading, in the middle and last), transposed operands, vectors, two contracting dims, no contracting dim, K = 0.</summary>
    private static readonly Case[] Layouts =
    [
        new("batched", "f32[3,70,33]", "f32[3,33,65]", Dims("2", "1", "0", "0"), "f32[3,70,65]"),
        new("batch_middle_last", "f32[7,2,6]", "f32[6,3,2]", Dims("2", "0", "1", "2"), "f32[2,7,3]"),
        new("lhs_transposed", "f32[67,130]", "f32[67,129]", Dims("0", "0"), "f32[130,129]"),
        new("rhs_transposed", "f32[130,67]", "f32[129,67]", Dims("1", "1"), "f32[130,129]"),
        new("both_transposed", "f32[40,70]", "f32[90,40]", Dims("0", "1"), "f32[70,90]"),
        new("vector_matrix", "f32[67]", "f32[67,129]", Dims("0", "0"), "f32[129]"),
        new("matrix_vector", "f32[130,67]", "f32[67]", Dims("1", "0"), "f32[130]"),
        new("vector_dot", "f32[1000]", "f32[1000]", Dims("0", "0"), "f32[]"),
        new("two_contracting", "f32[3,4,5]", "f32[5,2,4]", Dims("1, 2", "2, 0"), "f32[3,2]"),
        new("outer", "f32[3]", "f32[70]", Dims("", ""), "f32[3,70]"),
        new("free_dims_split", "f32[5,4,9]", "f32[9,3,2]", Dims("2", "0"), "f32[5,4,3,2]"),
        new("empty_k", "f32[3,0]", "f32[0,2]", MatMul, "f32[3,2]"),
    ];

    /// <summary>Epilogues: bias add through a broadcast, relu, tanh, two results, a scalar operand.</summary>
    private static readonly Case[] Epilogues =
    [
        new("bias_relu", "f32[130,67]", "f32[67,129]", MatMul, "f32[130,129]", "%bias: f32[129]", """
            %bb = broadcast_in_dim %bias {broadcast_dimensions = [1], shape = <130,129>} : f32[130,129]
            %s = add %p, %bb : f32[130,129]
            %z = constant {value = dense<f32[]: [0]>} : f32[]
            %zb = broadcast_in_dim %z {broadcast_dimensions = [], shape = <130,129>} : f32[130,129]
            %r = max %s, %zb : f32[130,129]
            """, "%r"),
        new("row_bias_tanh", "f32[2,40,30]", "f32[2,30,50]", Dims("2", "1", "0", "0"), "f32[2,40,50]", "%bias: f32[40]", """
            %bb = broadcast_in_dim %bias {broadcast_dimensions = [1], shape = <2,40,50>} : f32[2,40,50]
            %s = add %p, %bb : f32[2,40,50]
            %t = tanh %s : f32[2,40,50]
            """, "%t"),
        new("two_results", "f32[70,33]", "f32[33,65]", MatMul, "f32[70,65]", "%c: f32[70,65]", """
            %s = mul %p, %c : f32[70,65]
            """, "%p, %s", "f32[70,65], f32[70,65]"),
    ];

    /// <summary>Symbolic dims: sizes from push constants, threads from the symbols.</summary>
    private static readonly Case[] Symbolic =
    [
        new("symbolic_bias", "f32[n,67]", "f32[67,m]", MatMul, "f32[n,m]", "%bias: f32[m]", """
            %bb = broadcast_in_dim %bias {broadcast_dimensions = [1], shape = <n,m>} : f32[n,m]
            %s = add %p, %bb : f32[n,m]
            """, "%s", "f32[n,m]"),
        new("symbolic_k_batch", "f32[b,13,k]", "f32[b,k,9]", Dims("2", "1", "0", "0"), "f32[b,13,9]"),
        new("symbolic_transposed", "f32[k,n]", "f32[m,k]", Dims("0", "1"), "f32[n,m]"),
    ];

    /// <summary>Integers: exact, with values whose products and sums wrap.</summary>
    private static readonly Case[] Integers =
    [
        Mm("i32", 130, 67, 129), Mm("u32", 70, 33, 65), Mm("i32", 256, 256, 256),
        new("i32_batched_transposed", "i32[3,33,70]", "i32[3,65,33]", Dims("1", "2", "0", "0"), "i32[3,70,65]"),
        new("u32_bias", "u32[70,33]", "u32[33,65]", MatMul, "u32[70,65]", "%bias: u32[65]", """
            %bb = broadcast_in_dim %bias {broadcast_dimensions = [1], shape = <70,65>} : u32[70,65]
            %s = add %p, %bb : u32[70,65]
            """, "%s"),
    ];

    /// <summary>Narrow dtypes and bool: float16/bfloat16 accumulated in float32 and rounded once, 8/16-bit integers wrapped, bool the or of ands.</summary>
    private static readonly Case[] Narrow =
    [
        Mm("f16", 130, 67, 129), Mm("bf16", 70, 33, 65), Mm("i8", 70, 33, 65), Mm("u8", 33, 70, 20), Mm("i16", 130, 67, 129),
        Mm("u16", 20, 300, 9), Mm("bool", 70, 33, 65),
        new("f16_bias_relu", "f16[70,33]", "f16[33,65]", MatMul, "f16[70,65]", "%bias: f16[65]", """
            %bb = broadcast_in_dim %bias {broadcast_dimensions = [1], shape = <70,65>} : f16[70,65]
            %s = add %p, %bb : f16[70,65]
            %z = constant {value = dense<f16[]: [0]>} : f16[]
            %zb = broadcast_in_dim %z {broadcast_dimensions = [], shape = <70,65>} : f16[70,65]
            %r = max %s, %zb : f16[70,65]
            """, "%r"),
        new("i8_bias", "i8[70,33]", "i8[33,65]", MatMul, "i8[70,65]", "%bias: i8[65]", """
            %bb = broadcast_in_dim %bias {broadcast_dimensions = [1], shape = <70,65>} : i8[70,65]
            %s = add %p, %bb : i8[70,65]
            %c = gt %s, %bb : bool[70,65]
            """, "%s, %c", "i8[70,65], bool[70,65]"),
    ];

    private static readonly Dictionary<string, long> SymbolValues = new(StringComparer.Ordinal) { ["n"] = 130, ["m"] = 129, ["k"] = 67, ["b"] = 3 };

    public static TheoryData<string> CaseNames => new([.. MatMuls.Concat(Layouts).Concat(Epilogues).Concat(Symbolic).Concat(Integers).Concat(Narrow).Select(c => c.Name)]);

    private static Case Named(string name) => MatMuls.Concat(Layouts).Concat(Epilogues).Concat(Symbolic).Concat(Integers).Concat(Narrow).Single(c => c.Name == name);

    [SpirvToolsTheory]
    [MemberData(nameof(CaseNames))]
    public void EveryDotModulePassesSpirvVal(string name)
    {
        var (program, _) = SpirvProgramCompiler.Compile(Named(name).Function());
        var dotSteps = program.Steps.Where(s => s.Name.StartsWith("fusion", StringComparison.Ordinal) || s.Name == "dot_general").ToList();
        Assert.NotEmpty(dotSteps);
        foreach (var step in program.Steps)
        {
            Assert.True(step.Kernels.Count > 0, $"step {step.Name} runs on the host: {step.HostReason}");
            foreach (var kernel in step.Kernels)
            {
                SpirvTools.AssertValid(kernel.Spirv, $"{name}: {step.Name}");
                Assert.Equal([16, 16, 1], kernel.LocalSize);
            }
        }
    }

    [VulkanTheory]
    [MemberData(nameof(CaseNames))]
    public void DotsComputeTheInterpretersNumbers(string name) => AssertMatches(Named(name), seed: name.Length);

    [VulkanFact]
    public void FewWorkgroupsGridStrideOverTiles()
    {
        // One or two workgroups per axis: each covers several tiles of M, N and the batch.
        AssertMatches(Mm("f32", 256, 256, 256), seed: 1, maxGroups: 2);
        AssertMatches(Mm("f32", 130, 67, 129), seed: 2, maxGroups: 1);
        AssertMatches(Named("batched"), seed: 3, maxGroups: 1);
        AssertMatches(Named("symbolic_bias"), seed: 4, maxGroups: 2);
        AssertMatches(Named("i32_batched_transposed"), seed: 5, maxGroups: 1);
    }

    [VulkanFact]
    public void AnUnfusedDotGeneralIsOneKernel()
    {
        // The fusion pass wraps every product in a dot fusion; a dot_general reaching CompileStep alone is lowered too.
        var c = Named("batch_middle_last");
        var function = c.Function();
        var dot = Assert.Single(function.Body.Operations);
        var compiled = SpirvKernelCompiler.CompileStep(dot);
        var kernel = Assert.Single(compiled.Kernels);
        SpirvTools.AssertValid(kernel.Spirv, "unfused dot_general");
        var step = new VulkanStep { Name = "dot_general", Inputs = [0, 1], Outputs = [2], Ir = "", Kernels = compiled.Kernels };
        var random = new Random(11);
        var arguments = function.ParameterTypes.Select(t => Values(t, random)).ToArray();
        var expected = Interpreter.Run(function, arguments)[0];
        var actual = VulkanCompute.Shared!.RunStep(step, [.. arguments.Select(a => a.Bytes.ToArray())], [expected.LongLength * 4], SymbolValues, maxGroups: 1)[0];
        var bound = Interpreter.Run(c.Bound(), [Abs(arguments[0]), Abs(arguments[1])])[0];
        for (int i = 0; i < expected.LongLength; i++)
        {
            double e = expected.GetDouble(i), a = BitConverter.ToSingle(actual, i * 4);
            Assert.True(Math.Abs(a - e) <= 4 * 6 * Math.Pow(2, -23) * bound.GetDouble(i) + 1e-6, $"element {i}: expected {e}, got {a}");
        }
    }

    [Fact]
    public void StaticSizesDispatchOneWorkgroupPerTile()
    {
        var (program, _) = SpirvProgramCompiler.Compile(Mm("f32", 300, 20, 257).Function());
        var kernel = Assert.Single(Assert.Single(program.Steps).Kernels);
        // 128x128 tiles: 3 tiles of 257 columns, 3 of 300 rows; 16x16 invocations each.
        Assert.Equal(["48", "48", "1"], kernel.Threads);
        (program, _) = SpirvProgramCompiler.Compile(Mm("f32", 130, 67, 129).Function());
        kernel = Assert.Single(Assert.Single(program.Steps).Kernels);
        Assert.Equal(["48", "48", "1"], kernel.Threads); // 64x64 tiles: 3 x 3
        (program, _) = SpirvProgramCompiler.Compile(Named("symbolic_k_batch").Function());
        kernel = Assert.Single(Assert.Single(program.Steps).Kernels);
        Assert.Equal(["16", "16", "b"], kernel.Threads);
        Assert.Contains("k", kernel.PushConstants);
    }

    /// <summary>The float16 products: each has a cooperative-matrix variant besides its portable kernel.</summary>
    private static IEnumerable<Case> HalfCases() =>
    [
        .. Narrow.Where(c => c.Lhs.StartsWith("f16", StringComparison.Ordinal)),
        new("f16_batched_transposed", "f16[3,33,70]", "f16[3,65,33]", Dims("1", "2", "0", "0"), "f16[3,70,65]"),
        new("f16_symbolic", "f16[n,67]", "f16[67,m]", MatMul, "f16[n,m]"),
        Mm("f16", 256, 256, 256),
    ];

    [SpirvToolsNextFact]
    public void CooperativeMatrixVariantsOfHalfProductsValidate()
    {
        foreach (var c in HalfCases())
        {
            var step = Assert.Single(SpirvProgramCompiler.Compile(c.Function()).Program.Steps);
            Assert.Equal(DotKernelWriter.CooperativeShapes.Length, step.Variants.Count);
            for (int v = 0; v < step.Variants.Count; v++)
            {
                var (size, subgroup) = DotKernelWriter.CooperativeShapes[v];
                var kernel = Assert.Single(step.Variants[v].Kernels);
                Assert.Contains(VulkanKernel.CooperativeMatrixHalfFeature(size), kernel.Features);
                Assert.Contains($"subgroupSize={subgroup}", kernel.Features);
                Assert.Equal([4 * subgroup, 1, 1], kernel.LocalSize);
                SpirvTools.AssertValidNext(kernel.Spirv, $"{c.Name} (cooperative matrix {size}, subgroups of {subgroup})");
            }
        }
        // Other dtypes have only the portable kernel.
        Assert.Empty(Assert.Single(SpirvProgramCompiler.Compile(Mm("f32", 130, 67, 129).Function()).Program.Steps).Variants);
    }

    /// <summary>
    /// The cooperative-matrix variant the device has (the runtime's choice), run against the interpreter: on a device with
    /// <c>VK_KHR_cooperative_matrix</c> float16 matrices (Mesa 26's lavapipe has 8x8x8 ones; CI's Mesa 22 has none, and
    /// the test is then skipped, saying so).
    /// </summary>
    [CooperativeMatrixFact]
    public void CooperativeMatrixVariantsComputeTheInterpretersNumbers()
    {
        foreach (var c in HalfCases())
            AssertMatches(c, seed: c.Name.Length, variant: true);
    }

    [Fact]
    public void NarrowAndBoolProductsAreDeviceKernels()
    {
        foreach (var (name, dtype) in new[] { ("bool_dot", "bool"), ("f16_dot", "f16"), ("bf16_dot", "bf16"), ("i8_dot", "i8"), ("u16_dot", "u16") })
        {
            var function = new Case(name, $"{dtype}[4,3]", $"{dtype}[3,2]", MatMul, $"{dtype}[4,2]").Function();
            var (program, _) = SpirvProgramCompiler.Compile(function);
            var step = Assert.Single(program.Steps);
            Assert.True(step.HostReason is null, $"{name}: {step.HostReason}");
            Assert.Single(step.Kernels);
        }
    }

    private static Shape Resolve(Shape shape) => new(shape.Select(d => d.IsStatic ? d : Dim.Of(SymbolValues[d.Symbol!])));

    private static Buffer Values(ShapedType type, Random random)
    {
        var shape = Resolve(type.Shape);
        int count = checked((int)shape.ElementCount);
        return type.DType switch
        {
            DType.Float32 => Buffer.FromSpan<float>([.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))], shape),
            // Full-range integers: products and sums wrap.
            DType.Int32 => Buffer.FromSpan<int>([.. Enumerable.Range(0, count).Select(_ => random.Next(int.MinValue, int.MaxValue))], shape),
            DType.UInt32 => Buffer.FromSpan<uint>([.. Enumerable.Range(0, count).Select(_ => (uint)random.NextInt64(0, 1L << 32))], shape),
            DType.Float16 or DType.BFloat16 => Prims.ConvertElementType.Evaluate([Values(new ShapedType(DType.Float32, shape), random)],
                Attributes.Of(("new_dtype", type.DType), ("weak_type", false)), [], Interpreter.Default)[0],
            // Full-range bits (bool 0 or 1).
            var d => FromBytes(d, shape, [.. Enumerable.Range(0, count * d.ItemSize()).Select(_ => (byte)(d == DType.Bool ? random.Next(2) : random.Next(256)))]),
        };
    }

    /// <summary>A buffer of <paramref name="dtype"/> holding <paramref name="bytes"/> (the device's output) in the host's layout.</summary>
    private static Buffer FromBytes(DType dtype, Shape shape, byte[] bytes)
    {
        var buffer = Buffer.Uninitialized(dtype, shape);
        bytes.CopyTo(buffer.Bytes);
        return buffer;
    }

    private static Buffer Abs(Buffer x)
    {
        var b = Buffer.Uninitialized(x.DType, x.Shape);
        for (long i = 0; i < x.LongLength; i++) b.SetDouble(i, Math.Abs(x.GetDouble(i)));
        return b;
    }

    /// <summary>Runs the program of <paramref name="c"/> on Vulkan (every step a device step) and compares each result with the interpreter's.</summary>
    private static void AssertMatches(Case c, int seed, uint maxGroups = uint.MaxValue, bool variant = false)
    {
        var function = c.Function();
        var random = new Random(seed);
        var arguments = function.ParameterTypes.Select(t => Values(t, random)).ToArray();
        var expected = Interpreter.Run(function, arguments);
        var (program, _) = SpirvProgramCompiler.Compile(function);
        var types = program.ParseValues();
        var values = new Dictionary<int, byte[]>();
        for (int i = 0; i < arguments.Length; i++) values[i] = arguments[i].Bytes.ToArray();
        foreach (var portable in program.Steps)
        {
            // With variant: the first variant the device supports, as the runtime picks it.
            var chosen = variant ? portable.Variants.FirstOrDefault(v => v.Kernels.All(VulkanCompute.Shared!.Supports)) : null;
            Assert.True(!variant || chosen is not null, $"{c.Name}: no variant the device supports");
            var step = chosen is null ? portable : portable with { Kernels = chosen.Kernels, Scratch = chosen.Scratch };
            Assert.True(step.Kernels.Count > 0, $"{c.Name}: step {step.Name} runs on the host: {step.HostReason}");
            Assert.True(step.Kernels.All(VulkanCompute.Shared!.Supports), $"{c.Name}: the device lacks a feature of step {step.Name}");
            var outputs = VulkanCompute.Shared!.RunStep(step, [.. step.Inputs.Select(v => values[v])],
                [.. step.Outputs.Select(v => Resolve(types[v].Shape).ElementCount * types[v].DType.ItemSize())], SymbolValues, maxGroups);
            for (int o = 0; o < outputs.Length; o++) values[step.Outputs[o]] = outputs[o];
        }
        var bound = c.Function().ParameterTypes[0].DType.IsFloat() ? Interpreter.Run(c.Bound(), [Abs(arguments[0]), Abs(arguments[1])])[0] : null;
        var lhs = function.ParameterTypes[0];
        var dot = function.Body.Operations.First(o => ReferenceEquals(o.Primitive, Prims.DotGeneral));
        long k = dot.Attributes.IntArray("lhs_contracting_dims").Aggregate(1L, (n, d) => n * Resolve(lhs.Shape)[(int)d].Size);
        for (int r = 0; r < expected.Length; r++)
        {
            var want = expected[r];
            var actual = FromBytes(want.DType, want.Shape, values[program.Outputs[r]]);
            for (long i = 0; i < want.LongLength; i++)
            {
                if (!want.DType.IsFloat())
                {
                    long e = want.GetInt64(i), a = actual.GetInt64(i);
                    Assert.True(e == a, $"{c.Name} result {r} element {i}: expected {e}, got {a}");
                    continue;
                }
                // float32 accumulation error, then one rounding to float16/bfloat16 (one unit in their last place).
                double ulp = want.DType switch { DType.Float16 => Math.Pow(2, -10), DType.BFloat16 => Math.Pow(2, -7), _ => 0 };
                double ev = want.GetDouble(i), av = actual.GetDouble(i);
                double tolerance = (4 * Math.Max(k, 1) * Math.Pow(2, -23) + ulp) * bound!.GetDouble(i % bound.LongLength) + (1e-5 + ulp) * Math.Abs(ev) + 1e-6;
                Assert.True(Math.Abs(av - ev) <= tolerance, $"{c.Name} result {r} element {i}: expected {ev}, got {av} (tolerance {tolerance})");
            }
        }
    }
}

/// <summary>A fact that needs a Vulkan device listing one of our float16 cooperative-matrix shapes (<see cref="DotKernelWriter.CooperativeShapes"/>); skipped, saying so, elsewhere.</summary>
public sealed class CooperativeMatrixFactAttribute : FactAttribute
{
    public CooperativeMatrixFactAttribute()
    {
        if (VulkanCompute.Unavailable is { } why)
        {
            Skip = why;
            return;
        }
        var info = VulkanCompute.Shared!.Context.Info;
        if (!DotKernelWriter.CooperativeShapes.Any(s => info.Features.Contains(VulkanKernel.CooperativeMatrixHalfFeature(s.Size)) && info.Features.Contains($"subgroupSize={s.Subgroup}")))
            Skip = $"{info.Name} lists no float16 cooperative matrix of ours (Mesa 26's lavapipe has 8x8x8 ones with subgroups of 8; Debian 12's Mesa 22 has none)";
    }
}

/// <summary>A theory that needs a Vulkan device (see <see cref="VulkanFactAttribute"/>).</summary>
public sealed class VulkanTheoryAttribute : TheoryAttribute
{
    public VulkanTheoryAttribute()
    {
        if (VulkanCompute.Unavailable is { } why) Skip = why;
    }
}
