using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Reduction fusions and lone reductions as SPIR-V kernels (<see cref="ReductionKernelWriter"/>): every module passes
/// spirv-val; every program runs on Vulkan (lavapipe here) step by step, as the runtime runs it, against the interpreter.
/// Integer, bool, max/min and argmax/argmin results must be bit-exact (NaN compared as NaN); float sums and products
/// differ from the interpreter's only by order: for n elements per output, |ours - interpreter| ≤ 2·n·ε·Σ|x| + 2ε·|interpreter|
/// (any two orders), which the tests apply with Σ|x| = |interpreter| by giving sums positive inputs (and products inputs
/// near 1: (2·n·ε + 2ε)·|interpreter|); an infinite or NaN expected value must come out the same.
/// </summary>
public sealed class SpirvReductionTests
{
    private static readonly string[] DTypes = ["f32", "i32", "u32", "bool"];

    private static readonly string[] Reductions = ["reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "argmax", "argmin"];

    /// <summary>The narrow dtypes: float16/bfloat16 accumulated in float32 and rounded once, 8/16-bit integers in 32 bits and wrapped once.</summary>
    private static readonly string[] NarrowDTypes = ["f16", "bf16", "i8", "u8", "i16", "u16"];

    private static bool Accepts(string primitive, string dtype) => primitive switch
    {
        "reduce_sum" or "reduce_prod" => dtype != "bool",
        "reduce_and" or "reduce_or" => dtype is not ("f32" or "f16" or "bf16"),
        _ => true,
    };

    /// <summary>A function reducing an operand of <paramref name="shape"/> over <paramref name="axes"/> (the one axis of argmax/argmin).</summary>
    private static string Reduction(string primitive, string dtype, long[] shape, int[] axes, string? symbolic = null)
    {
        var dims = shape.Select(d => d.ToString()).ToArray();
        if (symbolic is not null) dims[0] = symbolic;
        var kept = dims.Where((_, d) => !axes.Contains(d)).ToArray();
        bool arg = primitive is "argmax" or "argmin";
        var resultType = $"{(arg ? "i32" : dtype)}[{string.Join(",", kept)}]";
        var attributes = arg ? $"{{axis = {axes[0]}, index_dtype = i32}}" : $"{{axes = [{string.Join(", ", axes)}]}}";
        return $"func @{primitive}(%0: {dtype}[{string.Join(",", dims)}]) -> ({resultType}) {{\n  %1 = {primitive} %0 {attributes} : {resultType}\n  return %1\n}}";
    }

    /// <summary>Axis patterns over a rank-3 operand: trailing, leading, middle, all, not contiguous, the two leading, the two trailing, none.</summary>
    private static readonly int[][] AxisPatterns = [[2], [0], [1], [0, 1, 2], [0, 2], [0, 1], [1, 2], []];

    /// <summary>Every reduction x dtype x axis pattern on [20, 45, 40] (rows of 40 to 36000 elements: one-thread and workgroup rows).</summary>
    internal static IEnumerable<(string Source, string Primitive, string DType)> Sweep()
    {
        long[] shape = [20, 45, 40];
        foreach (var primitive in Reductions)
            foreach (var dtype in DTypes)
            {
                if (!Accepts(primitive, dtype)) continue;
                if (primitive is "argmax" or "argmin")
                {
                    for (int axis = 0; axis < 3; axis++) yield return (Reduction(primitive, dtype, shape, [axis]), primitive, dtype);
                    continue;
                }
                foreach (var axes in AxisPatterns) yield return (Reduction(primitive, dtype, shape, axes), primitive, dtype);
                // Static 1s are dropped from the grouping: a reduction of only unit dims, and unit dims around a kept one.
                yield return (Reduction(primitive, dtype, [1, 300, 1], [0, 2]), primitive, dtype);
                yield return (Reduction(primitive, dtype, [1, 1], [0, 1]), primitive, dtype);
            }
    }

    /// <summary>Few outputs over many elements (the two-kernel path): leading and trailing rows of 70000, and the whole of [300, 250].</summary>
    internal static IEnumerable<(string Source, string Primitive, string DType)> Long()
    {
        foreach (var primitive in Reductions)
            foreach (var dtype in DTypes)
            {
                if (!Accepts(primitive, dtype)) continue;
                bool arg = primitive is "argmax" or "argmin";
                yield return (Reduction(primitive, dtype, [3, 70000], [1]), primitive, dtype);
                yield return (Reduction(primitive, dtype, [70000, 3], [0]), primitive, dtype);
                if (!arg) yield return (Reduction(primitive, dtype, [300, 250], [0, 1]), primitive, dtype);
            }
    }

    /// <summary>Every reduction of every narrow dtype over trailing rows, everything (one thread and workgroup rows) and rows of 70000 (two kernels).</summary>
    internal static IEnumerable<(string Source, string Primitive, string DType)> Narrow()
    {
        foreach (var primitive in Reductions)
            foreach (var dtype in NarrowDTypes)
            {
                if (!Accepts(primitive, dtype)) continue;
                bool arg = primitive is "argmax" or "argmin";
                yield return (Reduction(primitive, dtype, [20, 45, 40], [2]), primitive, dtype);
                yield return (Reduction(primitive, dtype, [20, 45, 40], [arg ? 1 : 0, .. arg ? [] : new[] { 1, 2 }]), primitive, dtype);
                yield return (Reduction(primitive, dtype, [3, 70000], [1]), primitive, dtype);
            }
    }

    /// <summary>Fused producers and epilogues, several results, symbolic dims.</summary>
    internal static readonly string[] Fused =
    [
        // softmax: a max row reduction, a sum of exp(x - max) (a broadcast of an input moving elements), the division.
        """
        func @softmax(%0: f32[37,300]) -> (f32[37,300]) {
          %1 = reduce_max %0 {axes = [1]} : f32[37]
          %2 = broadcast_in_dim %1 {broadcast_dimensions = [0], shape = <37,300>} : f32[37,300]
          %3 = sub %0, %2 : f32[37,300]
          %4 = exp %3 : f32[37,300]
          %5 = reduce_sum %4 {axes = [1]} : f32[37]
          %6 = broadcast_in_dim %5 {broadcast_dimensions = [0], shape = <37,300>} : f32[37,300]
          %7 = div %4, %6 : f32[37,300]
          return %7
        }
        """,
        // mean over the leading axis: the sum times 1/n in the epilogue.
        """
        func @mean(%0: f32[500,24]) -> (f32[24]) {
          %1 = reduce_sum %0 {axes = [0]} : f32[24]
          %2 = constant {value = dense<f32[]: [0.002]>} : f32[]
          %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <24>} : f32[24]
          %4 = mul %1, %3 : f32[24]
          return %4
        }
        """,
        // Results at input positions (the producer) and at output positions (the reduction and its epilogue).
        """
        func @several(%0: f32[64,130], %1: f32[64,130]) -> (f32[64,130], f32[64], f32[64]) {
          %2 = mul %0, %1 : f32[64,130]
          %3 = reduce_sum %2 {axes = [1]} : f32[64]
          %4 = sqrt %3 : f32[64]
          return %2, %3, %4
        }
        """,
        // Integer producers and a bool epilogue; an iota producer.
        """
        func @counts(%0: i32[30,200]) -> (i32[30], bool[30]) {
          %1 = iota {dimension = 1, dtype = i32, shape = <30,200>} : i32[30,200]
          %2 = mul %0, %1 : i32[30,200]
          %3 = reduce_sum %2 {axes = [1]} : i32[30]
          %4 = constant {value = dense<i32[]: [0]>} : i32[]
          %5 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <30>} : i32[30]
          %6 = gt %3, %5 : bool[30]
          return %3, %6
        }
        """,
        // argmax of a computed value, a comparison reduced by reduce_or.
        """
        func @argmax_fused(%0: f32[40,90], %1: f32[90]) -> (i32[40], bool[40]) {
          %2 = broadcast_in_dim %1 {broadcast_dimensions = [1], shape = <40,90>} : f32[40,90]
          %3 = mul %0, %2 : f32[40,90]
          %4 = argmax %3 {axis = 1, index_dtype = i32} : i32[40]
          %5 = gt %0, %2 : bool[40,90]
          %6 = reduce_or %5 {axes = [1]} : bool[40]
          return %4, %6
        }
        """,
        // Symbolic dims: row sums, column maxima, a symbolic full sum (two kernels), an argmin along the symbolic axis.
        """
        func @symbolic(%0: f32[n,37]) -> (f32[n], f32[37], f32[], i32[37]) {
          %1 = reduce_sum %0 {axes = [1]} : f32[n]
          %2 = reduce_max %0 {axes = [0]} : f32[37]
          %3 = reduce_sum %0 {axes = [0, 1]} : f32[]
          %4 = argmin %0 {axis = 0, index_dtype = i32} : i32[37]
          return %1, %2, %3, %4
        }
        """,
    ];

    private const long SymbolValue = 777;

    [SpirvToolsFact]
    public void EveryModuleValidates()
    {
        int validated = 0;
        foreach (var source in Sweep().Concat(Long()).Concat(Narrow()).Select(c => c.Source).Concat(Fused))
        {
            var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(source));
            foreach (var step in program.Steps)
            {
                Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}\n{source}");
                foreach (var kernel in step.Kernels)
                {
                    SpirvTools.AssertValid(kernel.Spirv, $"{step.Name}/{kernel.EntryPoint}:\n{source}");
                    Assert.All(SpirvKernelWriter.BaseFeatures, f => Assert.Contains(f, kernel.Features));
                    Assert.DoesNotContain(kernel.Features, f => f.StartsWith("subgroup", StringComparison.Ordinal));
                    validated++;
                }
            }
        }
        Assert.True(validated > 250, $"only {validated} modules validated");
    }

    [SpirvToolsFact]
    public void GeometryFollowsTheShapes()
    {
        VulkanStep Step(string source) =>
            Assert.Single(SpirvProgramCompiler.Compile(IrParser.ParseFunction(source)).Program.Steps, s => s.Kernels.Count > 0);
        // Long rows: workgroup trees.
        var row = Step(Reduction("reduce_sum", "f32", [6, 1000], [1]));
        var kernel = Assert.Single(row.Kernels);
        Assert.Equal(["6", "1000"], kernel.PushConstants);
        Assert.Equal(["1536", "1", "1"], kernel.Threads);
        var text = SpirvTools.Disassemble(kernel.Spirv);
        foreach (var expected in new[] { "OpControlBarrier", "Workgroup", "BuiltIn LocalInvocationId", "BuiltIn WorkgroupId", "OpSelectionMerge" })
            Assert.Contains(expected, text);
        // Short rows: one thread per output, no workgroup memory.
        var thread = Assert.Single(Step(Reduction("reduce_max", "i32", [1000, 8], [1])).Kernels);
        Assert.Equal(["1000", "1", "1"], thread.Threads);
        Assert.DoesNotContain("OpControlBarrier", SpirvTools.Disassemble(thread.Spirv));
        // A full reduction of many elements: partials to scratch, then the final kernel.
        var full = Step(Reduction("argmax", "f32", [3000000], [0]));
        Assert.Equal(2, full.Kernels.Count);
        Assert.Equal(2, full.Scratch.Count); // values and indices
        Assert.Contains(new VulkanBinding(VulkanBinding.Scratch, 1), full.Kernels[1].Bindings);
        var symbolic = Step(Reduction("reduce_sum", "f32", [0], [0], symbolic: "n"));
        Assert.Equal(2, symbolic.Kernels.Count);
        Assert.Equal(["n"], symbolic.Kernels[0].PushConstants.Skip(1).Take(1));
    }

    [VulkanFact]
    public void EveryReductionDTypeAndAxisPatternComputesTheInterpretersNumbers()
    {
        int ran = 0;
        foreach (var (source, primitive, dtype) in Sweep())
        {
            Check(source, primitive, new Random(ran), maxGroups: ran % 2 == 0 ? 3 : uint.MaxValue);
            ran++;
        }
        Assert.True(ran > 150, $"only {ran} reductions ran");
    }

    [VulkanFact]
    public void FewOutputsOverManyElementsComputeTheInterpretersNumbers()
    {
        int ran = 0;
        foreach (var (source, primitive, dtype) in Long())
        {
            Check(source, primitive, new Random(100 + ran), maxGroups: ran % 2 == 0 ? 5 : uint.MaxValue);
            ran++;
        }
        Assert.True(ran > 50, $"only {ran} reductions ran");
    }

    [SpirvToolsFact]
    public void SubgroupVariantsValidateAndNeedSubgroupArithmetic()
    {
        int variants = 0;
        foreach (var source in Sweep().Concat(Long()).Concat(Narrow()).Select(c => c.Source).Concat(Fused))
        {
            var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(source));
            foreach (var step in program.Steps)
                foreach (var variant in step.Variants)
                {
                    Assert.Equal(step.Kernels.Count, variant.Kernels.Count);
                    foreach (var kernel in variant.Kernels)
                    {
                        SpirvTools.AssertValid(kernel.Spirv, $"{step.Name}/{kernel.EntryPoint} (subgroup variant):\n{source}");
                        Assert.Contains("subgroupArithmetic", kernel.Features);
                    }
                    variants++;
                }
        }
        Assert.True(variants > 150, $"only {variants} subgroup variants");
        // Float max/min (NaN and signed-zero order), argmax/argmin and one-thread-per-output reductions have none.
        foreach (var source in new[] { Reduction("reduce_max", "f32", [20, 45, 40], [2]), Reduction("argmax", "i32", [20, 45, 40], [2]), Reduction("reduce_sum", "f32", [2000, 8], [1]) })
            Assert.Empty(Assert.Single(SpirvProgramCompiler.Compile(IrParser.ParseFunction(source)).Program.Steps).Variants);
    }

    [VulkanFact]
    public void SubgroupVariantsComputeTheInterpretersNumbers()
    {
        // lavapipe (CI) and every desktop GPU have subgroup arithmetic in compute shaders.
        Assert.True(VulkanCompute.Shared!.Context.Info.Features.Contains("subgroupArithmetic"), $"{VulkanCompute.Shared.Context.Info.Name} has no subgroup arithmetic in compute shaders");
        int ran = 0;
        foreach (var (source, primitive, _) in Sweep().Concat(Long()).Concat(Narrow()))
        {
            Check(source, primitive, new Random(300 + ran), maxGroups: ran % 2 == 0 ? 3 : uint.MaxValue, variant: true);
            ran++;
        }
        foreach (var source in Fused)
            Check(source, source.Contains("reduce_prod", StringComparison.Ordinal) ? "reduce_prod" : "reduce_sum", new Random(ran++), uint.MaxValue, variant: true);
        Assert.True(ran > 300, $"only {ran} reductions ran");
    }

    [VulkanFact]
    public void NarrowDTypesComputeTheInterpretersNumbers()
    {
        int ran = 0;
        foreach (var (source, primitive, _) in Narrow())
        {
            Check(source, primitive, new Random(200 + ran), maxGroups: ran % 2 == 0 ? 3 : uint.MaxValue);
            ran++;
        }
        Assert.True(ran > 100, $"only {ran} reductions ran");
    }

    [VulkanFact]
    public void FusedProducersEpiloguesAndSymbolicDimsComputeTheInterpretersNumbers()
    {
        int seed = 0;
        foreach (var source in Fused)
            foreach (var maxGroups in new uint[] { 2, uint.MaxValue })
                Check(source, source.Contains("reduce_prod", StringComparison.Ordinal) ? "reduce_prod" : "reduce_sum", new Random(seed++), maxGroups);
    }

    [VulkanFact]
    public void LargeFullReductionsTakeTwoKernels()
    {
        const long n = 3_000_000;
        int seed = 0;
        foreach (var (primitive, dtype) in new[] { ("reduce_sum", "f32"), ("reduce_sum", "i32"), ("reduce_max", "f32"), ("argmax", "f32"), ("argmin", "i32") })
        {
            var source = Reduction(primitive, dtype, [n], [0]);
            var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(source));
            Assert.Equal(2, Assert.Single(program.Steps).Kernels.Count);
            Check(source, primitive, new Random(seed++), maxGroups: seed % 2 == 0 ? 7 : uint.MaxValue);
        }
    }

    // ---- running and comparing ----

    /// <summary>Runs <paramref name="source"/> on the interpreter and, step by step, on Vulkan; compares every result.</summary>
    private static void Check(string source, string primitive, Random random, uint maxGroups, bool variant = false)
    {
        var function = IrParser.ParseFunction(source);
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal) { ["n"] = SymbolValue };
        // Sums get positive floats (so that Σ|x| = |Σx| bounds the order's rounding), products values near 1; the others edge cases.
        var arguments = function.ParameterTypes.Select(t => Inputs(t, primitive, symbols, random)).ToArray();
        var expected = Interpreter.Run(function, arguments);
        var actual = RunOnVulkan(function, arguments, symbols, maxGroups, variant);
        for (int r = 0; r < expected.Length; r++)
        {
            var what = $"{function.Name} result {r} ({(maxGroups == uint.MaxValue ? "all" : maxGroups.ToString())} workgroups):\n{source}";
            // Only float sums and products (and what is computed from them) may differ, by order.
            long n = primitive is "reduce_sum" or "reduce_prod" ? ReducedPerOutput(function, symbols) : 0;
            Compare(expected[r], actual[r], n, what);
        }
    }

    /// <summary>The most elements any reduction of the function combines into one output (the n of the tolerance).</summary>
    private static long ReducedPerOutput(Function function, Dictionary<string, long> symbols)
    {
        long most = 1;
        foreach (var op in function.Body.Operations.Where(o => o.Primitive.Category == PrimitiveCategory.Reduction))
        {
            long input = SymbolicSize.ElementCount(op.Operands[0].Type.Shape).Evaluate(symbols);
            long output = Math.Max(1, SymbolicSize.ElementCount(op.Results[0].Type.Shape).Evaluate(symbols));
            most = Math.Max(most, input / output);
        }
        return most;
    }

    private static readonly float[] FloatSpecials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 1f, -1f, 2f];

    private static Ir.Buffer Inputs(ShapedType type, string primitive, Dictionary<string, long> symbols, Random random)
    {
        var shape = new Shape(type.Shape.Select(d => d.IsStatic ? d : Dim.Of(symbols[d.Symbol!])));
        int count = checked((int)shape.ElementCount);
        bool sum = primitive == "reduce_sum", prod = primitive == "reduce_prod";
        float NextFloat()
        {
            if (sum) return random.Next(2000) == 0 ? FloatSpecials[random.Next(3)] : (float)(0.5 + random.NextDouble());
            if (prod) return (float)(0.999 + 0.002 * random.NextDouble());
            // Few distinct values (ties), -0/+0, and rare NaN/inf.
            return random.Next(500) == 0 ? FloatSpecials[random.Next(FloatSpecials.Length)] : random.Next(-20, 20) * 0.25f;
        }
        int NextInt() => random.Next(8) switch
        {
            0 => int.MinValue + random.Next(3),
            1 => int.MaxValue - random.Next(3),
            2 => random.Next(),
            _ => prod ? random.Next(-3, 4) : random.Next(-50, 50),
        };
        return type.DType switch
        {
            DType.Float32 => Ir.Buffer.FromSpan<float>([.. Enumerable.Range(0, count).Select(_ => NextFloat())], shape),
            DType.Int32 => Ir.Buffer.FromSpan<int>([.. Enumerable.Range(0, count).Select(_ => NextInt())], shape),
            DType.UInt32 => Ir.Buffer.FromSpan<uint>([.. Enumerable.Range(0, count).Select(_ => unchecked((uint)NextInt()))], shape),
            // Mostly true (or mostly false) so that and/or are not decided by the first elements.
            DType.Bool => Ir.Buffer.FromSpan<bool>([.. Enumerable.Range(0, count).Select(_ => random.Next(count > 2000 ? 20000 : 60) != 0 == (count % 2 == 0))], shape),
            // Narrow dtypes: float32 or int32 inputs converted (rounded, wrapped: the integers' edge cases become theirs).
            var d => Prims.ConvertElementType.Evaluate([Inputs(new ShapedType(d.IsFloat() ? DType.Float32 : DType.Int32, type.Shape), primitive, symbols, random)],
                Attributes.Of(("new_dtype", d), ("weak_type", false)), [], Interpreter.Default)[0],
        };
    }

    /// <summary>A buffer as the kernels store it: the host's layout (bool one byte).</summary>
    private static byte[] Storage(Ir.Buffer buffer) => buffer.Bytes.ToArray();

    /// <summary>Compiles the function to a program and runs its steps in order on Vulkan (every step must have kernels); its results' bytes.</summary>
    private static byte[][] RunOnVulkan(Function function, Ir.Buffer[] arguments, Dictionary<string, long> symbols, uint maxGroups, bool variant = false)
    {
        var (program, _) = SpirvProgramCompiler.Compile(function);
        var types = program.ParseValues();
        var values = new byte[types.Length][];
        for (int i = 0; i < arguments.Length; i++) values[i] = Storage(arguments[i]);
        foreach (var portable in program.Steps)
        {
            // The first variant (subgroup arithmetic) where asked and present, as the runtime picks it on a device with its features.
            var step = variant && portable.Variants.Count > 0 ? portable with { Kernels = portable.Variants[0].Kernels, Scratch = portable.Variants[0].Scratch } : portable;
            Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}");
            Assert.All(step.Kernels, k => Assert.True(VulkanCompute.Shared!.Supports(k), $"the device lacks a feature of {k.EntryPoint}: {string.Join(", ", k.Features)}"));
            var outputBytes = step.Outputs.Select(v => SymbolicSize.ElementCount(types[v].Shape).Evaluate(symbols) * types[v].DType.ItemSize()).ToArray();
            var outputs = VulkanCompute.Shared!.RunStep(step, [.. step.Inputs.Select(v => values[v])], outputBytes, symbols, maxGroups);
            for (int k = 0; k < outputs.Length; k++) values[step.Outputs[k]] = outputs[k];
        }
        return [.. program.Outputs.Select(v => values[v])];
    }

    private static void Compare(Ir.Buffer expected, byte[] actual, long n, string what)
    {
        var storage = Storage(expected);
        Assert.Equal(storage.Length, actual.Length);
        const double epsilon = 1.0 / (1 << 23);
        if (n > 0 && expected.DType is DType.Float16 or DType.BFloat16)
        {
            // Accumulated in float32 in another order, then rounded once: within that bound plus one unit in the last place.
            double ulp = expected.DType == DType.Float16 ? 1.0 / 1024 : 1.0 / 128;
            var got = Ir.Buffer.Uninitialized(expected.DType, expected.Shape);
            actual.CopyTo(got.Bytes);
            for (long i = 0; i < expected.LongLength; i++)
            {
                double e = expected.GetDouble(i), a = got.GetDouble(i);
                bool same = double.IsNaN(e) ? double.IsNaN(a) : double.IsInfinity(e) ? e == a : Math.Abs(e - a) <= (2 * n * epsilon + 2 * epsilon + ulp) * Math.Abs(e);
                Assert.True(same, $"{what}\n[{i}]: expected {e:R}, got {a:R}");
            }
            return;
        }
        if (expected.DType != DType.Float32)
        {
            int size = expected.DType.ItemSize();
            for (int i = 0; i < storage.Length; i += size)
                Assert.True(storage.AsSpan(i, size).SequenceEqual(actual.AsSpan(i, size)),
                    $"{what}\n[{i / size}]: expected {Convert.ToHexString(storage, i, size)}, got {Convert.ToHexString(actual, i, size)}");
            return;
        }
        for (int i = 0; i < storage.Length; i += 4)
        {
            float e = BitConverter.ToSingle(storage, i), a = BitConverter.ToSingle(actual, i);
            if (float.IsNaN(e) || float.IsInfinity(e))
            {
                Assert.True(float.IsNaN(e) ? float.IsNaN(a) : e == a, $"{what}\n[{i / 4}]: expected {e:R}, got {a:R}");
                continue;
            }
            // Sums and products differ by order at most (2·n·ε + 2ε)·|e| with these inputs; everything else is bit-exact (n = 0).
            if (n == 0)
            {
                Assert.True(BitConverter.ToUInt32(storage, i) == BitConverter.ToUInt32(actual, i), $"{what}\n[{i / 4}]: expected {e:R}, got {a:R}");
                continue;
            }
            double bound = (2 * n * epsilon + 2 * epsilon) * Math.Abs(e);
            Assert.True(Math.Abs((double)e - a) <= bound, $"{what}\n[{i / 4}]: expected {e:R}, got {a:R} (bound {bound:G3})");
        }
    }
}
