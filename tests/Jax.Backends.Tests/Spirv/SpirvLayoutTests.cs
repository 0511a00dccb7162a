using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Layout and indexing operations as SPIR-V kernels (<see cref="LayoutKernelWriter"/>): every module passes spirv-val;
/// every program runs on Vulkan (lavapipe here) step by step, as the runtime runs it, with few workgroups (grid-strided
/// loops), and must give the interpreter's bytes exactly. Data are random bits (NaN payloads, subnormals and all),
/// bools 0 or 1; start indices random around and beyond the valid range (clamping, fill and dropped windows), with
/// duplicates for scatters; symbolic dims bound at run time.
/// </summary>
public sealed class SpirvLayoutTests
{
    private static readonly string[] AllDTypes = ["f32", "f16", "bf16", "f64", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "bool"];

    private static readonly Dictionary<string, long> Symbols = new(StringComparer.Ordinal) { ["n"] = 5, ["k"] = 3 };

    /// <summary>A case: its IR, and the parameters that are start indices with the range they are drawn from.</summary>
    /// <param name="Name">For messages.</param>
    /// <param name="Source">The function.</param>
    /// <param name="Indices">Parameter position → the inclusive range of its index values.</param>
    internal sealed record Case(string Name, string Source, IReadOnlyDictionary<int, (int Low, int High)> Indices);

    private static Case C(string name, string source, params (int Parameter, int Low, int High)[] indices) =>
        new(name, source, indices.ToDictionary(i => i.Parameter, i => (i.Low, i.High)));

    /// <summary>A function of one operation: the parameters' types, the operation's text (operands %0, %1, ...), its result type.</summary>
    private static string F(string[] parameters, string operation, string result) =>
        $"func @f({string.Join(", ", parameters.Select((p, i) => $"%{i}: {p}"))}) -> ({result}) {{\n  %{parameters.Length} = {operation} : {result}\n  return %{parameters.Length}\n}}";

    /// <summary>The copies (transpose, slice, pad, concatenate, rev, broadcast, reshapes) of dtype <paramref name="d"/>.</summary>
    internal static IEnumerable<Case> Copies(string d)
    {
        yield return C($"transpose3 {d}", F([$"{d}[4,5,6]"], "transpose %0 {permutation = [2, 0, 1]}", $"{d}[6,4,5]"));
        yield return C($"transpose4 {d}", F([$"{d}[2,3,4,5]"], "transpose %0 {permutation = [3, 1, 0, 2]}", $"{d}[5,3,2,4]"));
        yield return C($"transpose2 symbolic {d}", F([$"{d}[n,7]"], "transpose %0 {permutation = [1, 0]}", $"{d}[7,n]"));
        yield return C($"transpose unit dims {d}", F([$"{d}[1,9,1,4]"], "transpose %0 {permutation = [3, 2, 1, 0]}", $"{d}[4,1,9,1]"));
        yield return C($"slice strided {d}", F([$"{d}[9,10]"], "slice %0 {limit_indices = [8, 10], start_indices = [1, 2], strides = [2, 3]}", $"{d}[4,3]"));
        yield return C($"slice3 {d}", F([$"{d}[4,5,6]"], "slice %0 {limit_indices = [4, 4, 5], start_indices = [0, 1, 2]}", $"{d}[4,3,3]"));
        yield return C($"slice symbolic {d}", F([$"{d}[n,8]"], "slice %0 {limit_indices = [4, 7], start_indices = [1, 2], strides = [1, 2]}", $"{d}[3,3]"));
        yield return C($"pad interior {d}", F([$"{d}[3,4]", $"{d}[]"], "pad %0, %1 {high = [2, 1], interior = [1, 2], low = [1, -1]}", $"{d}[8,10]"));
        yield return C($"pad crop {d}", F([$"{d}[7]", $"{d}[]"], "pad %0, %1 {high = [-1], interior = [0], low = [-2]}", $"{d}[4]"));
        yield return C($"pad crop interior {d}", F([$"{d}[4,3]", $"{d}[]"], "pad %0, %1 {high = [-2, 3], interior = [2, 0], low = [-3, 0]}", $"{d}[5,6]"));
        yield return C($"pad symbolic {d}", F([$"{d}[n,3,2]", $"{d}[]"], "pad %0, %1 {high = [0, 0, 1], interior = [0, 0, 1], low = [0, 1, 0]}", $"{d}[n,4,4]"));
        yield return C($"concatenate {d}", F([$"{d}[2,3]", $"{d}[2,1]", $"{d}[2,4]"], "concatenate %0, %1, %2 {dimension = 1}", $"{d}[2,8]"));
        yield return C($"concatenate symbolic {d}", F([$"{d}[2,n]", $"{d}[3,n]"], "concatenate %0, %1 {dimension = 0}", $"{d}[5,n]"));
        yield return C($"rev {d}", F([$"{d}[4,5,6]"], "rev %0 {dimensions = [0, 2]}", $"{d}[4,5,6]"));
        yield return C($"rev symbolic {d}", F([$"{d}[n,3]"], "rev %0 {dimensions = [0]}", $"{d}[n,3]"));
        yield return C($"broadcast {d}", F([$"{d}[3,1]"], "broadcast_in_dim %0 {broadcast_dimensions = [1, 2], shape = <2,3,4>}", $"{d}[2,3,4]"));
        yield return C($"broadcast symbolic {d}", F([$"{d}[n]"], "broadcast_in_dim %0 {broadcast_dimensions = [1], shape = <3,n>}", $"{d}[3,n]"));
        yield return C($"reshape {d}", F([$"{d}[4,6]"], "reshape %0 {shape = <3,8>}", $"{d}[3,8]"));
        yield return C($"squeeze {d}", F([$"{d}[3,1,4]"], "squeeze %0 {dimensions = [1]}", $"{d}[3,4]"));
        yield return C($"expand_dims {d}", F([$"{d}[3,4]"], "expand_dims %0 {dimensions = [0, 2]}", $"{d}[1,3,1,4]"));
    }

    /// <summary>Lone iotas and constants of dtype <paramref name="d"/>: distinct elements (an odd count: 8- and 16-bit ones share words) and one repeated value.</summary>
    internal static IEnumerable<Case> Generators(string d)
    {
        if (d != "bool") yield return C($"iota {d}", F([], $"iota {{dimension = 1, dtype = {d}, shape = <3,7>}}", $"{d}[3,7]"));
        string Element(int k) => d switch
        {
            "bool" => k % 3 == 0 ? "true" : "false",
            _ when d.StartsWith('f') || d == "bf16" => k == 4 ? "nan" : k == 6 ? "-inf" : $"{k * 0.75 - 3:0.00}",
            _ when d.StartsWith('u') => $"{k * 37 % 256}",
            _ => $"{k * 37 % 256 - 128}",
        };
        yield return C($"constant {d}", F([], $"constant {{value = dense<{d}[3,5]: [{string.Join(", ", Enumerable.Range(0, 15).Select(Element))}]>}}", $"{d}[3,5]"));
        yield return C($"uniform constant {d}", F([], $"constant {{value = dense<{d}[2,3]: [{string.Join(", ", Enumerable.Repeat(Element(5), 6))}]>}}", $"{d}[2,3]"));
    }

    /// <summary>dynamic_slice, dynamic_update_slice, gather, scatter of dtype <paramref name="d"/> with start indices of dtype <paramref name="i"/>.</summary>
    internal static IEnumerable<Case> Indexed(string d, string i)
    {
        bool unsigned = i.StartsWith('u');
        int low = unsigned ? 0 : -4;
        yield return C($"dynamic_slice {d} {i}", F([$"{d}[6,7]", $"{i}[]", $"{i}[]"], "dynamic_slice %0, %1, %2 {slice_sizes = [3, 4]}", $"{d}[3,4]"),
            (1, low, 9), (2, low, 9));
        yield return C($"dynamic_slice symbolic {d} {i}", F([$"{d}[n,7]", $"{i}[]", $"{i}[]"], "dynamic_slice %0, %1, %2 {slice_sizes = [2, 7]}", $"{d}[2,7]"),
            (1, low, 8), (2, low, 3));
        yield return C($"dynamic_update_slice {d} {i}", F([$"{d}[6,7]", $"{d}[2,3]", $"{i}[]", $"{i}[]"], "dynamic_update_slice %0, %1, %2, %3", $"{d}[6,7]"),
            (2, low, 8), (3, low, 9));
        yield return C($"gather rows clip {d} {i}", F([$"{d}[5,6]", $"{i}[4,1]"],
            "gather %0, %1 {collapsed_slice_dims = [0], index_vector_dim = 1, offset_dims = [1], slice_sizes = [1, 6], start_index_map = [0]}", $"{d}[4,6]"),
            (1, low, 7));
        yield return C($"gather rows fill {d} {i}", F([$"{d}[5,6]", $"{i}[4,1]"],
            "gather %0, %1 {collapsed_slice_dims = [0], fill_value = 3.0, index_vector_dim = 1, mode = \"fill\", offset_dims = [1], slice_sizes = [1, 6], start_index_map = [0]}", $"{d}[4,6]"),
            (1, low, 7));
        yield return C($"gather default fill {d} {i}", F([$"{d}[5,6]", $"{i}[7]"],
            "gather %0, %1 {collapsed_slice_dims = [0], index_vector_dim = 1, mode = \"fill\", offset_dims = [1], slice_sizes = [1, 6], start_index_map = [0]}", $"{d}[7,6]"),
            (1, low, 7));
        yield return C($"gather windows {d} {i}", F([$"{d}[5,6,3]", $"{i}[2,3,2]"],
            "gather %0, %1 {collapsed_slice_dims = [0], index_vector_dim = 2, offset_dims = [2, 3], slice_sizes = [1, 2, 3], start_index_map = [0, 1]}", $"{d}[2,3,2,3]"),
            (1, low, 7));
        yield return C($"gather windows fill {d} {i}", F([$"{d}[5,6,3]", $"{i}[2,2,3]"],
            "gather %0, %1 {collapsed_slice_dims = [1], fill_value = nan, index_vector_dim = 1, mode = \"fill\", offset_dims = [1, 3], slice_sizes = [2, 1, 3], start_index_map = [1, 0]}", $"{d}[2,2,3,3]"),
            (1, low, 6));
        yield return C($"gather symbolic {d} {i}", F([$"{d}[n,4]", $"{i}[k,1]"],
            "gather %0, %1 {collapsed_slice_dims = [0], index_vector_dim = 1, offset_dims = [1], slice_sizes = [1, 4], start_index_map = [0]}", $"{d}[k,4]"),
            (1, low, 7));
        foreach (var scatter in new[] { "scatter", "scatter_add" })
        {
            if (scatter == "scatter_add" && d == "bool") continue;
            yield return C($"{scatter} rows {d} {i}", F([$"{d}[6,4]", $"{i}[9,1]", $"{d}[9,4]"],
                $"{scatter} %0, %1, %2 {{index_vector_dim = 1, inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], update_window_dims = [1]}}", $"{d}[6,4]"),
                (1, low, 7));
            yield return C($"{scatter} windows {d} {i}", F([$"{d}[6,5]", $"{i}[4,2]", $"{d}[4,2,3]"],
                $"{scatter} %0, %1, %2 {{index_vector_dim = 1, inserted_window_dims = [], scatter_dims_to_operand_dims = [1, 0], update_window_dims = [1, 2]}}", $"{d}[6,5]"),
                (1, low, 5));
            yield return C($"{scatter} scalars {d} {i}", F([$"{d}[7]", $"{i}[3,4]", $"{d}[3,4]"],
                $"{scatter} %0, %1, %2 {{index_vector_dim = 2, inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], update_window_dims = []}}", $"{d}[7]"),
                (1, low, 7));
            yield return C($"{scatter} symbolic {d} {i}", F([$"{d}[n,3]", $"{i}[k,1]", $"{d}[k,3]"],
                $"{scatter} %0, %1, %2 {{index_vector_dim = 1, inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], update_window_dims = [1]}}", $"{d}[n,3]"),
                (1, low, 6));
        }
    }

    private static readonly string[] IndexDTypes = ["i32", "i64", "u8", "u32", "i8", "u64", "i16", "u16"];

    /// <summary>Every case: copies, iotas and constants of every dtype; indexed operations of every dtype with i32 starts, and of f32 and i8 with every index dtype.</summary>
    internal static IEnumerable<Case> All() =>
        AllDTypes.SelectMany(Copies)
            .Concat(AllDTypes.SelectMany(Generators))
            .Concat(AllDTypes.SelectMany(d => Indexed(d, "i32")))
            .Concat(IndexDTypes.Where(i => i != "i32").SelectMany(i => Indexed("f32", i).Concat(Indexed("i8", i))));

    [SpirvToolsFact]
    public void EveryModuleValidates()
    {
        int validated = 0;
        foreach (var c in All())
        {
            var (program, _) = SpirvProgramCompiler.Compile(IrParser.ParseFunction(c.Source));
            foreach (var step in program.Steps)
            {
                Assert.True(step.HostReason is null, $"{c.Name}: {step.Name} runs on the host: {step.HostReason}\n{c.Source}");
                foreach (var kernel in step.Kernels)
                {
                    SpirvTools.AssertValid(kernel.Spirv, $"{c.Name}: {step.Name}/{kernel.EntryPoint}:\n{c.Source}");
                    Assert.All(SpirvKernelWriter.BaseFeatures, f => Assert.Contains(f, kernel.Features));
                    validated++;
                }
            }
        }
        Assert.True(validated > 400, $"only {validated} modules validated");
    }

    [SpirvToolsFact]
    public void KernelsAreCopiesWithSymbolicPushConstants()
    {
        VulkanStep Step(string source) =>
            Assert.Single(SpirvProgramCompiler.Compile(IrParser.ParseFunction(source)).Program.Steps, s => s.Kernels.Count > 0);
        var transpose = Assert.Single(Step(F(["f16[n,7]"], "transpose %0 {permutation = [1, 0]}", "f16[7,n]")).Kernels);
        Assert.Equal(["7*n", "n"], transpose.PushConstants);
        Assert.Contains("storageBuffer16BitAccess", transpose.Features);
        // A copy moves storage bits: no float arithmetic, no conversion of float16 to float32.
        var text = SpirvTools.Disassemble(transpose.Spirv);
        Assert.DoesNotContain("OpTypeFloat 16", text);
        Assert.DoesNotContain("OpConvert", text);
        Assert.DoesNotContain("OpFAdd", text);
        // Concatenate: one kernel per operand; dynamic_update_slice: a copy then the update.
        Assert.Equal(3, Step(F(["f32[2,3]", "f32[2,1]", "f32[2,4]"], "concatenate %0, %1, %2 {dimension = 1}", "f32[2,8]")).Kernels.Count);
        Assert.Equal(2, Step(F(["f32[6,7]", "f32[2,3]", "i32[]", "i32[]"], "dynamic_update_slice %0, %1, %2, %3", "f32[6,7]")).Kernels.Count);
        // 64-bit start indices need 64-bit integers on the device.
        var slice = Assert.Single(Step(F(["f32[6,7]", "i64[]", "i64[]"], "dynamic_slice %0, %1, %2 {slice_sizes = [3, 4]}", "f32[3,4]")).Kernels);
        Assert.Contains("shaderInt64", slice.Features);
        // Constants: distinct elements in a private array of the module; beyond MaxConstantBytes the host uploads them.
        var constant = Assert.Single(Step(F([], "constant {value = dense<i8[5]: [1, -2, 3, -4, 5]>}", "i8[5]")).Kernels);
        Assert.Contains("OpVariable %", SpirvTools.Disassemble(constant.Spirv));
        Assert.Contains("Private", SpirvTools.Disassemble(constant.Spirv));
        int n = LayoutKernelWriter.MaxConstantBytes / 4 + 1;
        var large = Assert.Single(SpirvProgramCompiler.Compile(IrParser.ParseFunction(
            F([], $"constant {{value = dense<f32[{n}]: [{string.Join(", ", Enumerable.Range(0, n).Select(k => $"{k}.0"))}]>}}", $"f32[{n}]"))).Program.Steps);
        Assert.Empty(large.Kernels);
        Assert.Contains("bytes", large.HostReason);
    }

    [VulkanFact]
    public void EveryCaseComputesTheInterpretersBytes()
    {
        int ran = 0;
        foreach (var c in All())
            for (int seed = 0; seed < 3; seed++)
                if (AssertMatches(c, seed, maxGroups: seed == 0 ? uint.MaxValue : (uint)seed)) ran++;
        Assert.True(ran > 1000, $"only {ran} runs");
    }

    [VulkanFact]
    public void LargeLayoutsGridStride()
    {
        Case[] cases =
        [
            C("transpose large", F(["f32[300,257]"], "transpose %0 {permutation = [1, 0]}", "f32[257,300]")),
            C("pad large", F(["u8[300,257]", "u8[]"], "pad %0, %1 {high = [3, -7], interior = [1, 0], low = [-1, 2]}", "u8[601,252]")),
            C("gather large", F(["f64[1000,3]", "i32[2000,1]"],
                "gather %0, %1 {collapsed_slice_dims = [0], index_vector_dim = 1, offset_dims = [1], slice_sizes = [1, 3], start_index_map = [0]}", "f64[2000,3]"),
                (1, -10, 1010)),
        ];
        foreach (var c in cases)
        {
            Assert.True(AssertMatches(c, 5, maxGroups: 2), $"{c.Name} did not run");
            Assert.True(AssertMatches(c, 6, uint.MaxValue), $"{c.Name} did not run");
        }
    }

    /// <summary>A jitted function of layout operations on the runtime's Vulkan device gives the CPU's numbers.</summary>
    [VulkanFact]
    public void JittedLayoutsRunThroughTheRuntime()
    {
        JaxJit.Enable();
        var gpu = Jax.Devices("vulkan").First();
        static Tensor F(Tensor a, Tensor rows, Tensor start)
        {
            var sliced = Lax.Slice(Jnp.Transpose(a) * 2, [1, 0], [29, 20], [2, 1]);
            var joined = Jnp.Concatenate([sliced, Jnp.Flip(sliced, 0)], 1);
            var taken = Jnp.Take(joined, rows, 0);
            var window = Lax.DynamicSlice(taken, [start, start], [3, 7]);
            return Lax.DynamicUpdateSlice(taken, Jnp.Tanh(window), [start, start]);
        }
        var x = Jnp.Linspace(-1, 1, 600).Reshape(20, 30);
        var rows = Jnp.Array<int>([3, 0, 13, 7, 7]);
        // Every step of the program is a device step.
        var traced = IrParser.ParseFunction(Jax.MakeJaxpr(a => [F(a[0], a[1], a[2])], x, rows, Jnp.Array<int>([0], [])));
        foreach (var step in SpirvProgramCompiler.Compile(traced).Program.Steps)
            Assert.True(step.HostReason is null, $"{step.Name} runs on the host: {step.HostReason}");
        foreach (int s in new[] { 1, -2, 40 })
        {
            var start = Jnp.Array<int>([s], []);
            var expected = Jax.Jit(F)(x, rows, start).ToArray<float>();
            var actual = Jax.Jit(F, new JitOptions { Device = gpu })(x, rows, start);
            Assert.Equal(gpu, actual.Device);
            Assert.Equal(expected, actual.ToArray<float>());
        }
    }

    private static Shape Resolve(Shape shape) => new(shape.Select(d => d.IsStatic ? d : Dim.Of(Symbols[d.Symbol!])));

    /// <summary>Random values of a type: random bits; bools 0 or 1; start indices in their range (duplicates likely).</summary>
    private static Ir.Buffer Values(ShapedType type, Random random, (int Low, int High)? range)
    {
        var shape = Resolve(type.Shape);
        var buffer = Ir.Buffer.Zeros(type.DType, shape);
        var bytes = buffer.Bytes;
        if (range is { } r)
        {
            for (long i = 0; i < buffer.LongLength; i++) buffer.SetInt64(i, random.Next(r.Low, r.High + 1));
        }
        else if (type.DType == DType.Bool)
        {
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)random.Next(2);
        }
        else
        {
            random.NextBytes(bytes);
        }
        return buffer;
    }

    /// <summary>
    /// Runs <paramref name="c"/>'s program on Vulkan (every step a device step) and asserts the interpreter's bytes; false
    /// when the device lacks a feature a kernel needs. scatter_add of floats gets finite small values (NaN payloads of
    /// sums are the hardware's), compared bit-exactly.
    /// </summary>
    private static bool AssertMatches(Case c, int seed, uint maxGroups)
    {
        var function = IrParser.ParseFunction(c.Source);
        var random = new Random(seed);
        bool sums = c.Source.Contains("scatter_add", StringComparison.Ordinal);
        var arguments = function.ParameterTypes.Select((t, p) =>
            c.Indices.TryGetValue(p, out var range) ? Values(t, random, range)
            : sums && t.DType.IsFloat() ? Values(t, random, (-40, 40)) : Values(t, random, null)).ToArray();
        if (sums)
            foreach (var a in arguments.Where(a => a.DType.IsFloat()))
                for (long i = 0; i < a.LongLength; i++) a.SetDouble(i, a.GetDouble(i) / 8);
        var expected = Interpreter.Run(function, arguments);
        var (program, _) = SpirvProgramCompiler.Compile(function);
        var types = program.ParseValues();
        var values = new Dictionary<int, byte[]>();
        for (int i = 0; i < arguments.Length; i++) values[i] = arguments[i].Bytes.ToArray();
        foreach (var step in program.Steps)
        {
            Assert.True(step.Kernels.Count > 0, $"{c.Name}: step {step.Name} runs on the host: {step.HostReason}");
            if (!step.Kernels.All(VulkanCompute.Shared!.Supports)) return false;
            var outputs = VulkanCompute.Shared!.RunStep(step, [.. step.Inputs.Select(v => values[v])],
                [.. step.Outputs.Select(v => Resolve(types[v].Shape).ElementCount * types[v].DType.ItemSize())], Symbols, maxGroups);
            for (int o = 0; o < outputs.Length; o++) values[step.Outputs[o]] = outputs[o];
        }
        for (int r = 0; r < expected.Length; r++)
        {
            var want = expected[r].Bytes.ToArray();
            var got = values[program.Outputs[r]];
            Assert.Equal(want.Length, got.Length);
            int size = expected[r].DType.ItemSize();
            for (int i = 0; i < want.Length; i += size)
                Assert.True(want.AsSpan(i, size).SequenceEqual(got.AsSpan(i, size)),
                    $"{c.Name} (seed {seed}, {maxGroups} groups) element {i / size}: expected {Convert.ToHexString(want, i, size)}, got {Convert.ToHexString(got, i, size)}\n" +
                    $"arguments: {string.Join("; ", arguments.Select(a => a.ToString()))}");
        }
        return true;
    }
}
