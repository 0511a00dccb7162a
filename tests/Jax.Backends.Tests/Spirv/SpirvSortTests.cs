using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// <c>sort</c> as a SPIR-V kernel (<see cref="SortKernelWriter"/>): every module passes spirv-val; every step runs on
/// Vulkan (lavapipe here) against the interpreter, bit-exact (the sort is stable and copies the elements' bits, so even
/// NaN payloads agree): every dtype along every dimension, inputs with many duplicates, NaN of both signs, ±0 and
/// infinities, several keys and operands carried along, lines up to <see cref="SortKernelWriter.MaxLength"/>, symbolic
/// outer dims, few workgroups; longer or symbolic sorted dims are refused naming why.
/// </summary>
public sealed class SpirvSortTests
{
    private static readonly string[] DTypes = ["f32", "f64", "f16", "bf16", "i32", "u32", "i64", "u64", "i8", "u8", "i16", "u16", "bool"];

    private const long SymbolValue = 300;

    /// <summary>A function sorting operands of <paramref name="dtypes"/> and <paramref name="dims"/> along <paramref name="dimension"/>.</summary>
    private static string Sort(string[] dtypes, string[] dims, int dimension, int keys)
    {
        var types = dtypes.Select(d => $"{d}[{string.Join(",", dims)}]").ToArray();
        var parameters = string.Join(", ", types.Select((t, k) => $"%{k}: {t}"));
        var operands = string.Join(", ", types.Select((_, k) => $"%{k}"));
        var results = string.Join(", ", types.Select((_, k) => $"%{types.Length + k}"));
        return $"func @sort({parameters}) -> ({string.Join(", ", types)}) {{\n  {results} = sort {operands} {{dimension = {dimension}, is_stable = true, num_keys = {keys}}} : {string.Join(", ", types)}\n  return {results}\n}}";
    }

    private static IEnumerable<string> Cases()
    {
        foreach (var dtype in DTypes)
            for (int dimension = 0; dimension < 3; dimension++)
                yield return Sort([dtype], ["6", "37", "5"], dimension, 1);
        // Keys and operands carried along (permuted by the keys' order, ties by position).
        yield return Sort(["f32", "i32"], ["9", "300"], 1, 1);
        yield return Sort(["i32", "f32", "u8"], ["300", "9"], 0, 2);
        yield return Sort(["bool", "f16", "i64", "bool"], ["50", "77"], 1, 3);
        yield return Sort(["u16", "f64"], ["4", "200"], 1, 2);
        // Long lines: the most, not a power of two, and many short lines.
        yield return Sort(["f32"], ["3", "4096"], 1, 1);
        yield return Sort(["i32", "u32"], ["2", "3000"], 1, 1);
        yield return Sort(["f32"], ["1000", "9"], 1, 1);
        yield return Sort(["f32"], ["1", "1"], 1, 1);
        // Symbolic outer dims.
        yield return Sort(["f32", "i32"], ["n", "100"], 1, 1);
        yield return Sort(["i16"], ["7", "100", "n"], 1, 1);
    }

    [SpirvToolsFact]
    public void EveryModuleValidates()
    {
        int validated = 0;
        foreach (var source in Cases())
        {
            var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(source));
            var step = Assert.Single(program.Steps);
            Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}\n{source}");
            var kernel = Assert.Single(step.Kernels);
            SpirvTools.AssertValid(kernel.Spirv, $"{step.Name}:\n{source}");
            Assert.Contains("OpControlBarrier", SpirvTools.Disassemble(kernel.Spirv));
            validated++;
        }
        Assert.Equal(49, validated);
    }

    [Fact]
    public void LongAndSymbolicSortedDimsAreRefusedNamingWhy()
    {
        var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(Sort(["f32"], ["2", "5000"], 1, 1)));
        var step = Assert.Single(program.Steps);
        Assert.Empty(step.Kernels);
        Assert.Contains("5000", step.HostReason);
        Assert.Contains($"{SortKernelWriter.MaxLength}", step.HostReason);
        (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(Sort(["f32"], ["2", "n"], 1, 1)));
        Assert.Contains("symbolic", Assert.Single(program.Steps).HostReason);
    }

    [VulkanFact]
    public void SortsComputeTheInterpretersOrder()
    {
        int ran = 0, onDevice = 0;
        foreach (var source in Cases())
        {
            // Few workgroups loop over the lines, but lavapipe ends a loop nest after 65535 iterations in all (the
            // sorted line's loops of longer lines count there): a workgroup is given at most 256 lines here.
            var function = IrParser.ParseFunction(source);
            var shape = function.ParameterTypes[0].Shape;
            int dimension = int.Parse(source.Split("dimension = ")[1].Split(',')[0]);
            long lines = shape.Where((_, d) => d != dimension).Aggregate(1L, (p, d) => p * (d.IsStatic ? d.Size : SymbolValue));
            uint fewest = (uint)Math.Max(1, (lines + 255) / 256);
            if (Check(source, new Random(ran), maxGroups: (ran % 3) switch { 0 => fewest, 1 => fewest + 2, _ => uint.MaxValue })) onDevice++;
            ran++;
        }
        Assert.True(onDevice >= 20, $"only {onDevice} of {ran} sorts ran on the device");
    }

    private static readonly double[] Specials = [double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0];

    /// <summary>Runs <paramref name="source"/> on the interpreter and on Vulkan; every result bit-exact. False when the device lacks a feature.</summary>
    private static bool Check(string source, Random random, uint maxGroups)
    {
        var function = IrParser.ParseFunction(source);
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal) { ["n"] = SymbolValue };
        var (program, _) = SpirvProgramCompiler.Compile(function);
        var step = Assert.Single(program.Steps);
        Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}\n{source}");
        if (!step.Kernels.All(VulkanCompute.Shared!.Supports)) return false;
        var inputs = function.ParameterTypes.Select(t => Inputs(t, symbols, random)).ToArray();
        var expected = Interpreter.Run(function, inputs);
        var actual = VulkanCompute.Shared.RunStep(step, [.. inputs.Select(i => i.Bytes.ToArray())], [.. expected.Select(e => e.ByteLength)], symbols, maxGroups);
        for (int r = 0; r < expected.Length; r++)
        {
            var storage = expected[r].Bytes.ToArray();
            int size = expected[r].DType.ItemSize();
            for (int i = 0; i < storage.Length; i += size)
                Assert.True(storage.AsSpan(i, size).SequenceEqual(actual[r].AsSpan(i, size)),
                    $"{source}\nresult {r} [{i / size}] ({maxGroups} workgroups): expected {Convert.ToHexString(storage, i, size)}, got {Convert.ToHexString(actual[r], i, size)}");
        }
        return true;
    }

    /// <summary>Few distinct values (many ties), NaN of both signs, ±0, infinities; integers at their limits (conversions saturate).</summary>
    private static Ir.Buffer Inputs(ShapedType type, Dictionary<string, long> symbols, Random random)
    {
        var shape = new Shape(type.Shape.Select(d => d.IsStatic ? d : Dim.Of(symbols[d.Symbol!])));
        int count = checked((int)shape.ElementCount);
        bool isFloat = type.DType.IsFloat();
        double Next() => random.Next(10) switch
        {
            0 when isFloat => Specials[random.Next(Specials.Length)],
            0 => random.Next(2) == 0 ? -1e30 : 1e30,
            1 => random.Next(-1000, 1000),
            _ => random.Next(-6, 6) * 0.5,
        };
        var values = Ir.Buffer.FromSpan<double>([.. Enumerable.Range(0, count).Select(_ => Next())], shape);
        return type.DType == DType.Float64 ? values
            : Prims.ConvertElementType.Evaluate([values], Attributes.Of(("new_dtype", type.DType), ("weak_type", false)), [], Interpreter.Default)[0];
    }
}
