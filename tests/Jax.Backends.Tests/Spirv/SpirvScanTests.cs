using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Cumulative operations as SPIR-V kernels (<see cref="ScanKernelWriter"/>): every module passes spirv-val; every step
/// runs on Vulkan (lavapipe here) as the runtime runs it, against the interpreter. One thread per line scans in the
/// interpreter's order: every result is bit-exact (NaN compared as NaN), float sums and products included. The
/// three-kernel path (few long lines) is bit-exact for integers and max/min; its float sums and products are another
/// order of the same elements: with positive inputs (sums) or inputs near 1 (products) of a line of n elements,
/// |ours - interpreter| ≤ 2·n·ε·|interpreter| in the computation type (float32 for float16/bfloat16) plus one rounding
/// to the dtype (2^-10 or 2^-7 of |interpreter|); an infinite or NaN expected value must come out the same.
/// </summary>
public sealed class SpirvScanTests
{
    private static readonly string[] Primitives = ["cumsum", "cumprod", "cummax", "cummin"];

    private static readonly string[] DTypes = ["f32", "f64", "i32", "u32", "i64", "u64", "f16", "bf16", "i8", "u8", "i16", "u16"];

    private const long SymbolValue = 5000;

    /// <summary>A function scanning an operand of <paramref name="dims"/> along <paramref name="axis"/>.</summary>
    private static string Cumulative(string primitive, string dtype, string[] dims, int axis, bool reverse)
    {
        var type = $"{dtype}[{string.Join(",", dims)}]";
        return $"func @{primitive}(%0: {type}) -> ({type}) {{\n  %1 = {primitive} %0 {{axis = {axis}, reverse = {(reverse ? "true" : "false")}}} : {type}\n  return %1\n}}";
    }

    /// <summary>Every primitive x dtype x axis x direction on [6, 37, 5] (lines of 6, 37 and 5: one thread per line).</summary>
    private static IEnumerable<(string Source, string Primitive, string DType)> Sweep()
    {
        foreach (var primitive in Primitives)
            foreach (var dtype in DTypes)
                for (int axis = 0; axis < 3; axis++)
                    foreach (bool reverse in new[] { false, true })
                        yield return (Cumulative(primitive, dtype, ["6", "37", "5"], axis, reverse), primitive, dtype);
    }

    /// <summary>Few long lines ([3, 300000] along 1, [5000, 7] along 0: three kernels) and many short ones ([5000, 7] along 1).</summary>
    private static IEnumerable<(string Source, string Primitive, string DType)> Long()
    {
        int k = 0;
        foreach (var primitive in Primitives)
            foreach (var dtype in new[] { "f32", "i32", "u64", "f64", "f16" })
            {
                bool reverse = k++ % 2 == 0;
                yield return (Cumulative(primitive, dtype, ["3", "300000"], 1, reverse), primitive, dtype);
                yield return (Cumulative(primitive, dtype, ["5000", "7"], 0, !reverse), primitive, dtype);
                yield return (Cumulative(primitive, dtype, ["5000", "7"], 1, reverse), primitive, dtype);
            }
    }

    /// <summary>Symbolic dims: a symbolic axis with static lines (three kernels), symbolic lines (one thread each), a symbolic vector.</summary>
    private static IEnumerable<(string Source, string Primitive, string DType)> Symbolic()
    {
        foreach (var primitive in Primitives)
            foreach (var dtype in new[] { "f32", "i32" })
            {
                yield return (Cumulative(primitive, dtype, ["n", "37"], 0, false), primitive, dtype);
                yield return (Cumulative(primitive, dtype, ["n", "37"], 1, true), primitive, dtype);
                yield return (Cumulative(primitive, dtype, ["n"], 0, true), primitive, dtype);
            }
    }

    [SpirvToolsFact]
    public void EveryModuleValidates()
    {
        int validated = 0;
        foreach (var (source, _, _) in Sweep().Concat(Long()).Concat(Symbolic()))
        {
            var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(source));
            var step = Assert.Single(program.Steps);
            Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}\n{source}");
            foreach (var kernel in step.Kernels)
            {
                SpirvTools.AssertValid(kernel.Spirv, $"{step.Name}/{kernel.EntryPoint}:\n{source}");
                Assert.All(SpirvKernelWriter.BaseFeatures, f => Assert.Contains(f, kernel.Features));
                validated++;
            }
        }
        Assert.True(validated > 300, $"only {validated} modules validated");
    }

    [SpirvToolsFact]
    public void GeometryFollowsTheShapes()
    {
        VulkanStep Step(string source) => Assert.Single(SpirvProgramCompiler.Compile(IrParser.ParseFunction(source)).Program.Steps);
        // Many lines: one kernel, one thread per line; push constants lines, n, inner.
        var many = Step(Cumulative("cumsum", "f32", ["5000", "7"], 1, false));
        var kernel = Assert.Single(many.Kernels);
        Assert.Empty(many.Scratch);
        Assert.Equal(["5000", "7", "1"], kernel.PushConstants);
        Assert.Equal(["5000", "1", "1"], kernel.Threads);
        // Few long lines: totals, prefixes, rescan, sharing one scratch buffer of the chunk totals.
        var few = Step(Cumulative("cumsum", "f32", ["3", "300000"], 1, false));
        Assert.Equal(3, few.Kernels.Count);
        int chunks = (int)((300000 + ScanKernelWriter.ChunkLength - 1) / ScanKernelWriter.ChunkLength);
        Assert.Equal([$"{3 * chunks * 4}"], few.Scratch);
        Assert.Equal([$"{3 * chunks}", "3", $"{3 * chunks}"], few.Kernels.Select(k => k.Threads[0]));
        Assert.All(few.Kernels, k => Assert.Contains(new VulkanBinding(VulkanBinding.Scratch, 0), k.Bindings));
        Assert.DoesNotContain(new VulkanBinding(VulkanBinding.Output, 0), few.Kernels[0].Bindings);
        // A symbolic axis over static lines: three kernels with the most chunks; symbolic lines: one thread each.
        var symbolicAxis = Step(Cumulative("cummax", "i32", ["n", "37"], 0, false));
        Assert.Equal(3, symbolicAxis.Kernels.Count);
        Assert.Equal(["37", "n", "37"], symbolicAxis.Kernels[0].PushConstants);
        Assert.Equal([$"{37 * ScanKernelWriter.MaxChunks * 4}"], symbolicAxis.Scratch);
        var symbolicLines = Step(Cumulative("cummax", "i32", ["n", "37"], 1, false));
        Assert.Equal("n", Assert.Single(symbolicLines.Kernels).Threads[0]);
        // Very long lines take three kernels however many lines there are.
        Assert.Equal(3, Step(Cumulative("cumsum", "i32", ["5000", "70000"], 1, false)).Kernels.Count);
        Assert.Single(Step(Cumulative("cumsum", "i32", ["5000", "60000"], 1, false)).Kernels);
        // float16 scratch holds float32 running values.
        var half = Step(Cumulative("cumsum", "f16", ["3", "300000"], 1, false));
        Assert.Equal([$"{3 * chunks * 4}"], half.Scratch);
    }

    [VulkanFact]
    public void EveryPrimitiveDTypeAxisAndDirectionComputesTheInterpretersNumbers()
    {
        int ran = 0, onDevice = 0;
        foreach (var (source, primitive, dtype) in Sweep())
        {
            if (Check(source, primitive, new Random(ran), maxGroups: (ran % 3) switch { 0 => 1, 1 => 2, _ => uint.MaxValue })) onDevice++;
            ran++;
        }
        // Every 32-bit dtype needs only the base features; the others run where the device has theirs (lavapipe has all).
        Assert.True(onDevice >= 72, $"only {onDevice} of {ran} scans ran on the device");
    }

    [VulkanFact]
    public void LongAndShortLinesComputeTheInterpretersNumbers()
    {
        int ran = 0;
        foreach (var (source, primitive, dtype) in Long())
        {
            Check(source, primitive, new Random(1000 + ran), maxGroups: ran % 2 == 0 ? 3 : uint.MaxValue);
            ran++;
        }
        Assert.Equal(60, ran);
    }

    [VulkanFact]
    public void SymbolicDimsComputeTheInterpretersNumbers()
    {
        int ran = 0;
        foreach (var (source, primitive, dtype) in Symbolic())
        {
            Check(source, primitive, new Random(2000 + ran), maxGroups: ran % 2 == 0 ? 2 : uint.MaxValue);
            ran++;
        }
        Assert.Equal(24, ran);
    }

    // ---- running and comparing ----

    /// <summary>Runs <paramref name="source"/> on the interpreter and on Vulkan and compares; false when the device lacks a feature the kernels need.</summary>
    private static bool Check(string source, string primitive, Random random, uint maxGroups)
    {
        var function = IrParser.ParseFunction(source);
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal) { ["n"] = SymbolValue };
        var type = function.ParameterTypes[0];
        var shape = new Shape(type.Shape.Select(d => d.IsStatic ? d : Dim.Of(symbols[d.Symbol!])));
        var (program, _) = SpirvProgramCompiler.Compile(function);
        var step = Assert.Single(program.Steps);
        Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}\n{source}");
        if (!step.Kernels.All(VulkanCompute.Shared!.Supports)) return false;
        // Float sums and products of the three-kernel path get a stated tolerance; their inputs make it a relative one.
        bool reordered = step.Kernels.Count == 3 && type.DType.IsFloat() && primitive is "cumsum" or "cumprod";
        var input = Inputs(type.DType, shape, primitive, reordered, random);
        var expected = Interpreter.Run(function, [input])[0];
        var bytes = VulkanCompute.Shared.RunStep(step, [input.Bytes.ToArray()], [expected.ByteLength], symbols, maxGroups)[0];
        var actual = Ir.Buffer.Uninitialized(type.DType, shape);
        bytes.CopyTo(actual.Bytes);
        var what = $"{source}\n({(maxGroups == uint.MaxValue ? "all" : maxGroups.ToString())} workgroups, {step.Kernels.Count} kernels)";
        if (!reordered)
        {
            int size = type.DType.ItemSize();
            var storage = expected.Bytes.ToArray();
            for (long i = 0; i < expected.LongLength; i++)
            {
                var e = storage.AsSpan((int)(i * size), size);
                var a = bytes.AsSpan((int)(i * size), size);
                if (e.SequenceEqual(a)) continue;
                // NaN compared as NaN (payloads and signs are not specified).
                Assert.True(type.DType.IsFloat() && double.IsNaN(expected.GetDouble(i)) && double.IsNaN(actual.GetDouble(i)),
                    $"{what}\n[{i}]: expected {Convert.ToHexString(e)}, got {Convert.ToHexString(a)}");
            }
            return true;
        }
        long n = shape[int.Parse(source.Split("axis = ")[1].Split(',')[0])].Size;
        double computeEpsilon = type.DType == DType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23);
        double rounding = type.DType switch { DType.Float16 => Math.Pow(2, -10), DType.BFloat16 => Math.Pow(2, -7), _ => 0 };
        for (long i = 0; i < expected.LongLength; i++)
        {
            double e = expected.GetDouble(i), a = actual.GetDouble(i);
            if (double.IsNaN(e) || double.IsInfinity(e))
            {
                Assert.True(double.IsNaN(e) ? double.IsNaN(a) : e == a, $"{what}\n[{i}]: expected {e:R}, got {a:R}");
                continue;
            }
            double bound = (2 * n * computeEpsilon + rounding) * Math.Abs(e);
            Assert.True(Math.Abs(e - a) <= bound, $"{what}\n[{i}]: expected {e:R}, got {a:R} (bound {bound:G3})");
        }
        return true;
    }

    private static readonly double[] Specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 1, -1, 2];

    /// <summary>
    /// Inputs of <paramref name="dtype"/> (doubles converted by the interpreter's <c>convert_element_type</c>): for the
    /// tolerance checks positive values (sums; scaled to keep float16 sums finite) or values near 1 (products); otherwise
    /// few distinct values (ties), ±0, NaN and infinities, and integers at their limits (conversions saturate) so sums wrap.
    /// </summary>
    private static Ir.Buffer Inputs(DType dtype, Shape shape, string primitive, bool reordered, Random random)
    {
        int count = checked((int)shape.ElementCount);
        bool prod = primitive == "cumprod";
        double scale = dtype == DType.Float16 ? 0.1 : 1;
        double Next()
        {
            if (reordered) return prod ? 0.999 + 0.002 * random.NextDouble() : scale * (0.5 + random.NextDouble());
            if (dtype.IsFloat())
            {
                if (prod) return random.Next(300) == 0 ? Specials[random.Next(Specials.Length)] : 0.9 + 0.2 * random.NextDouble();
                return random.Next(300) == 0 ? Specials[random.Next(Specials.Length)] : random.Next(-20, 20) * 0.25;
            }
            return random.Next(8) switch
            {
                0 => -1e30,
                1 => 1e30,
                2 => random.Next() * (random.Next(2) == 0 ? 1.0 : -1.0),
                _ => prod ? random.Next(-3, 4) : random.Next(-50, 50),
            };
        }
        var values = Ir.Buffer.FromSpan<double>([.. Enumerable.Range(0, count).Select(_ => Next())], shape);
        return dtype == DType.Float64 ? values
            : Prims.ConvertElementType.Evaluate([values], Attributes.Of(("new_dtype", dtype), ("weak_type", false)), [], Interpreter.Default)[0];
    }
}
