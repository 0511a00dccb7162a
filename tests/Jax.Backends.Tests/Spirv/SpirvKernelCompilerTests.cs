using JaxToolchain.Backends.Spirv;
using JaxToolchain.Backends.Tests.Packaging;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>The elementwise SPIR-V lowering: every emitted module passes spirv-val (Vulkan 1.1); dispatch metadata; refusals.</summary>
public sealed class SpirvKernelCompilerTests
{
    public static readonly string[] Sources =
    [
        // The packaging tests' elementwise kernels: a fusion with a broadcast scalar; a symbolic dim, two results.
        KernelLibraryFixture.Sources[0],
        KernelLibraryFixture.Sources[1],
        """
        func @selu(%0: f32[n,3]) -> (f32[n,3]) {
          %1 = exp %0 : f32[n,3]
          %2 = constant {value = dense<f32[]: [1.6732632]>} : f32[]
          %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <n,3>} : f32[n,3]
          %4 = mul %1, %3 : f32[n,3]
          %5 = sub %4, %3 : f32[n,3]
          %6 = constant {value = dense<f32[]: [0]>} : f32[]
          %7 = broadcast_in_dim %6 {broadcast_dimensions = [], shape = <n,3>} : f32[n,3]
          %8 = gt %0, %7 : bool[n,3]
          %9 = select %8, %0, %5 : f32[n,3]
          %10 = constant {value = dense<f32[]: [1.050701]>} : f32[]
          %11 = broadcast_in_dim %10 {broadcast_dimensions = [], shape = <n,3>} : f32[n,3]
          %12 = mul %9, %11 : f32[n,3]
          return %12
        }
        """,
        """
        func @transcendentals(%0: f32[17]) -> (f32[17], f32[17], f32[17], f32[17]) {
          %1 = log %0 : f32[17]
          %2 = tanh %0 : f32[17]
          %3 = logistic %0 : f32[17]
          %4 = sin %0 : f32[17]
          return %1, %2, %3, %4
        }
        """,
        """
        func @integers(%0: i32[n], %1: i32[n], %2: u32[n]) -> (i32[n], i32[n], u32[n], bool[n]) {
          %3 = div %0, %1 : i32[n]
          %4 = rem %0, %1 : i32[n]
          %5 = shift_right_arithmetic %3, %4 : i32[n]
          %6 = convert_element_type %0 {new_dtype = u32, weak_type = false} : u32[n]
          %7 = shift_right_logical %2, %6 : u32[n]
          %8 = population_count %7 : u32[n]
          %9 = lt %0, %1 : bool[n]
          %10 = not %9 : bool[n]
          return %5, %0, %8, %10
        }
        """,
        """
        func @bias_rows(%0: f32[n,3], %1: f32[3], %2: i32[n]) -> (f32[n,3], i32[n,3]) {
          %3 = broadcast_in_dim %1 {broadcast_dimensions = [1], shape = <n,3>} : f32[n,3]
          %4 = add %0, %3 : f32[n,3]
          %5 = iota {dimension = 1, dtype = i32, shape = <n,3>} : i32[n,3]
          %6 = broadcast_in_dim %2 {broadcast_dimensions = [0], shape = <n,3>} : i32[n,3]
          %7 = mul %5, %6 : i32[n,3]
          return %4, %7
        }
        """,
        """
        func @conversions(%0: f32[5], %1: bool[5]) -> (i32[5], u32[5], bool[5], f32[5]) {
          %2 = convert_element_type %0 {new_dtype = i32, weak_type = false} : i32[5]
          %3 = convert_element_type %0 {new_dtype = u32, weak_type = false} : u32[5]
          %4 = convert_element_type %0 {new_dtype = bool, weak_type = false} : bool[5]
          %5 = xor %4, %1 : bool[5]
          %6 = convert_element_type %5 {new_dtype = f32, weak_type = false} : f32[5]
          %7 = round %6 {rounding_method = 0} : f32[5]
          %8 = clamp %0, %7, %0 : f32[5]
          return %2, %3, %5, %8
        }
        """,
        """
        func @narrow(%0: i8[n], %1: i8[n], %2: f16[n], %3: bf16[n], %4: u16[n], %5: f64[n]) -> (bool[n], f16[n], bf16[n], u16[n], f16[n], i64[n]) {
          %6 = mul %0, %1 : i8[n]
          %7 = lt %6, %0 : bool[n]
          %8 = constant {value = dense<f16[]: [1000]>} : f16[]
          %9 = broadcast_in_dim %8 {broadcast_dimensions = [], shape = <n>} : f16[n]
          %10 = add %2, %9 : f16[n]
          %11 = sub %10, %9 : f16[n]
          %12 = constant {value = dense<bf16[]: [100]>} : bf16[]
          %13 = broadcast_in_dim %12 {broadcast_dimensions = [], shape = <n>} : bf16[n]
          %14 = add %3, %13 : bf16[n]
          %15 = sub %14, %13 : bf16[n]
          %16 = constant {value = dense<u16[]: [1]>} : u16[]
          %17 = broadcast_in_dim %16 {broadcast_dimensions = [], shape = <n>} : u16[n]
          %18 = sub %4, %17 : u16[n]
          %19 = shift_right_logical %18, %17 : u16[n]
          %20 = mul %5, %5 : f64[n]
          %21 = convert_element_type %20 {new_dtype = f16, weak_type = false} : f16[n]
          %22 = convert_element_type %6 {new_dtype = i64, weak_type = false} : i64[n]
          %23 = mul %22, %22 : i64[n]
          return %7, %11, %15, %19, %21, %23
        }
        """,
    ];

    public static TheoryData<int> SourceIndices() => [.. Enumerable.Range(0, Sources.Length)];

    [SpirvToolsTheory]
    [MemberData(nameof(SourceIndices))]
    public void EveryKernelOfTheSamplesValidates(int index)
    {
        var function = IrParser.ParseFunction(Sources[index]);
        var (prepared, kernels) = SpirvTools.Compile(function);
        Assert.NotEmpty(kernels);
        foreach (var (op, kernel) in kernels)
        {
            SpirvTools.AssertValid(kernel.Spirv, $"{function.Name}/{kernel.EntryPoint}");
            Assert.Equal(op.Operands.Count + op.Results.Count, kernel.Bindings.Count);
            Assert.Equal([.. Enumerable.Range(0, op.Operands.Count).Select(k => new VulkanBinding(VulkanBinding.Input, k)),
                .. Enumerable.Range(0, op.Results.Count).Select(k => new VulkanBinding(VulkanBinding.Output, k))], kernel.Bindings);
            Assert.Equal([SpirvKernelCompiler.LocalSize, 1, 1], kernel.LocalSize);
            Assert.Equal(kernel.PushConstants[0], kernel.Threads[0]);
        }
        Assert.Equal(prepared.Body.Operations.Count, kernels.Count);
    }

    [Fact]
    public void MathExpansionLeavesOnlyLoweredPrimitives()
    {
        var prepared = SpirvKernelCompiler.Prepare(IrParser.ParseFunction(Sources[3]));
        var primitives = prepared.Body.Operations.SelectMany(op => op.Regions.SelectMany(r => r.Operations)).Select(o => o.Primitive).Distinct().ToList();
        Assert.DoesNotContain(primitives, p => p.Name is "exp" or "log" or "tanh" or "logistic" or "sin");
        Assert.All(primitives, p => Assert.True(SpirvElementwise.Supports(p) || p.Category is PrimitiveCategory.Broadcast or PrimitiveCategory.Reshape
            || ReferenceEquals(p, Prims.Constant), $"'{p.Name}' has no SPIR-V lowering"));
    }

    [SpirvToolsFact]
    public void TheShaderLoopsGridStridedOverThePushedCount()
    {
        var (_, kernels) = SpirvTools.Compile(IrParser.ParseFunction(Sources[1]));
        var (op, kernel) = Assert.Single(kernels);
        Assert.Equal("f32[n]", op.Operands[0].Type.ToString());
        Assert.Equal(["n", "n"], kernel.PushConstants);
        Assert.Equal(["n", "1", "1"], kernel.Threads);
        var text = SpirvTools.Disassemble(kernel.Spirv);
        foreach (var expected in new[]
        {
            "OpEntryPoint GLCompute", "LocalSize 256 1 1", "BuiltIn GlobalInvocationId", "BuiltIn NumWorkgroups", "OpTypePointer PushConstant",
            "OpLoopMerge", "OpULessThan", "DescriptorSet 0", "Binding 3", "NonWritable", "OpExtension \"SPV_KHR_float_controls\"",
            "SignedZeroInfNanPreserve 32",
        })
            Assert.Contains(expected, text);
    }

    [SpirvToolsFact]
    public void BoolIsStoredAsBytesWithEightBitStorage()
    {
        var (_, kernels) = SpirvTools.Compile(IrParser.ParseFunction(Sources.Single(t => t.Contains("@conversions", StringComparison.Ordinal))));
        var (_, kernel) = Assert.Single(kernels);
        Assert.Contains("storageBuffer8BitAccess", kernel.Features);
        Assert.Contains("VK_KHR_8bit_storage", kernel.Features);
        var text = SpirvTools.Disassemble(kernel.Spirv);
        foreach (var expected in new[] { "OpCapability StorageBuffer8BitAccess", "OpExtension \"SPV_KHR_8bit_storage\"", "OpTypeInt 8 0", "ArrayStride 1", "OpUConvert" })
            Assert.Contains(expected, text);
    }

    [SpirvToolsFact]
    public void KernelsListTheFeaturesTheirDTypesNeed()
    {
        var (_, kernels) = SpirvTools.Compile(IrParser.ParseFunction(Sources.Single(t => t.Contains("@narrow", StringComparison.Ordinal))));
        var features = kernels.SelectMany(k => k.Kernel.Features).ToHashSet();
        foreach (var expected in new[] { "storageBuffer8BitAccess", "VK_KHR_8bit_storage", "storageBuffer16BitAccess", "VK_KHR_16bit_storage", "shaderFloat64",
            "shaderSignedZeroInfNanPreserveFloat64", "shaderInt64", "shaderSignedZeroInfNanPreserveFloat32", "VK_KHR_shader_float_controls" })
            Assert.Contains(expected, features);
        var float64 = kernels.Single(k => k.Kernel.Features.Contains("shaderFloat64")).Kernel;
        var text = SpirvTools.Disassemble(float64.Spirv);
        Assert.Contains("SignedZeroInfNanPreserve 64", text);
        Assert.Contains("OpCapability Float64", text);
        Assert.DoesNotContain(kernels, k => SpirvTools.Disassemble(k.Kernel.Spirv).Contains("OpCapability Int8", StringComparison.Ordinal));
    }

    [SpirvToolsFact]
    public void BroadcastsThatMoveElementsAndIotaUnravelWithPushedSymbols()
    {
        var (_, kernels) = SpirvTools.Compile(IrParser.ParseFunction(Sources.Single(t => t.Contains("@bias_rows", StringComparison.Ordinal))));
        Assert.Equal(2, kernels.Count); // the f32 rows and the i32 product read disjoint inputs: two loops
        Assert.All(kernels, k => Assert.Equal(2, k.Kernel.PushConstants.Count));
        Assert.All(kernels, k => Assert.Equal("n", k.Kernel.PushConstants[1]));
        var text = string.Concat(kernels.Select(k => SpirvTools.Disassemble(k.Kernel.Spirv)));
        Assert.Contains("OpUMod", text);
        Assert.Contains("OpUDiv", text);
        Assert.Contains("OpMemberName", text);
        Assert.Contains("\"n\"", text);
    }

    private static readonly string[] Unary = ["neg", "abs", "sign", "floor", "ceil", "round", "sqrt", "rsqrt", "is_finite", "not", "population_count",
        "exp", "log", "tanh", "logistic", "erfc"];

    private static readonly string[] Binary = ["add", "sub", "mul", "div", "rem", "pow", "max", "min", "and", "or", "xor", "shift_left", "shift_right_logical",
        "shift_right_arithmetic", "eq", "ne", "lt", "le", "gt", "ge"];

    /// <summary>Every dtype of the IR, by its short name.</summary>
    internal static readonly string[] DTypes = [.. JaxToolchain.Ir.DTypes.All.Select(d => d.ShortName())];

    private static bool IsFloat(string dtype) => dtype is "f16" or "bf16" or "f32" or "f64";

    private static bool IsInteger(string dtype) => !IsFloat(dtype) && dtype != "bool";

    /// <summary>Whether the IR accepts <paramref name="primitive"/> on <paramref name="dtype"/> and the result's dtype.</summary>
    private static string? ResultOf(string primitive, string dtype) => primitive switch
    {
        "eq" or "ne" or "lt" or "le" or "gt" or "ge" => "bool",
        "is_finite" => IsFloat(dtype) ? "bool" : null,
        "floor" or "ceil" or "round" or "sqrt" or "rsqrt" or "exp" or "log" or "tanh" or "logistic" or "erfc" => IsFloat(dtype) ? dtype : null,
        "not" or "and" or "or" or "xor" => IsFloat(dtype) ? null : dtype,
        "population_count" or "shift_left" or "shift_right_logical" or "shift_right_arithmetic" => IsInteger(dtype) ? dtype : null,
        // Integer pow here (float pow is the math expansion's, tested with the other expansions).
        "pow" => IsInteger(dtype) ? dtype : null,
        "neg" or "abs" or "sign" or "add" or "sub" or "mul" or "div" or "rem" => dtype == "bool" ? null : dtype,
        _ => dtype,
    };

    private static int Bits(string dtype) => dtype == "bool" ? 1 : DTypes.ToList().IndexOf(dtype) is var k ? JaxToolchain.Ir.DTypes.All[k].BitWidth() : 0;

    /// <summary>Every primitive of the slice on every dtype the IR allows, on shapes static, symbolic and rank 2 symbolic: (source, primitive, dtype).</summary>
    internal static IEnumerable<(string Source, string Primitive, string DType)> Sweep()
    {
        var rounding = new Dictionary<string, string> { ["round"] = " {rounding_method = 1}" };
        foreach (var dtype in DTypes)
            foreach (var shape in new[] { "7", "n", "n,2" })
            {
                foreach (var p in Unary)
                    if (ResultOf(p, dtype) is { } r)
                        yield return ($"func @f(%0: {dtype}[{shape}]) -> ({r}[{shape}]) {{\n  %1 = {p} %0{rounding.GetValueOrDefault(p, "")} : {r}[{shape}]\n  return %1\n}}", p, dtype);
                if (IsFloat(dtype))
                    yield return ($"func @f(%0: {dtype}[{shape}]) -> ({dtype}[{shape}]) {{\n  %1 = round %0 {{rounding_method = 0}} : {dtype}[{shape}]\n  return %1\n}}", "round", dtype);
                foreach (var p in Binary)
                    if (ResultOf(p, dtype) is { } r)
                        yield return ($"func @f(%0: {dtype}[{shape}], %1: {dtype}[{shape}]) -> ({r}[{shape}]) {{\n  %2 = {p} %0, %1 : {r}[{shape}]\n  return %2\n}}", p, dtype);
                yield return ($"func @f(%0: bool[{shape}], %1: {dtype}[{shape}], %2: {dtype}[]) -> ({dtype}[{shape}]) {{\n"
                    + $"  %3 = broadcast_in_dim %2 {{broadcast_dimensions = [], shape = <{shape}>}} : {dtype}[{shape}]\n"
                    + $"  %4 = select %0, %1, %3 : {dtype}[{shape}]\n  return %4\n}}", "select", dtype);
                foreach (var to in DTypes)
                    if (to != dtype)
                        yield return ($"func @f(%0: {dtype}[{shape}]) -> ({to}[{shape}]) {{\n"
                            + $"  %1 = convert_element_type %0 {{new_dtype = {to}, weak_type = false}} : {to}[{shape}]\n  return %1\n}}", "convert_element_type", dtype);
                foreach (var to in DTypes)
                    if (to != dtype && dtype != "bool" && to != "bool" && Bits(to) == Bits(dtype))
                        yield return ($"func @f(%0: {dtype}[{shape}]) -> ({to}[{shape}]) {{\n"
                            + $"  %1 = bitcast_convert_type %0 {{new_dtype = {to}}} : {to}[{shape}]\n  return %1\n}}", "bitcast_convert_type", dtype);
                if (dtype != "bool") // iota is numeric only
                    yield return ($"func @f(%0: {dtype}[{shape}], %1: {dtype}[{shape}], %2: {dtype}[{shape}]) -> ({dtype}[{shape}], {dtype}[{shape}], {dtype}[{shape}]) {{\n"
                    + $"  %3 = clamp %0, %1, %2 : {dtype}[{shape}]\n  %4 = iota {{dimension = 0, dtype = {dtype}, shape = <{shape}>}} : {dtype}[{shape}]\n"
                    + $"  %5 = constant {{value = dense<{dtype}[]: [{ConstantText(dtype)}]>}} : {dtype}[]\n"
                    + $"  %6 = broadcast_in_dim %5 {{broadcast_dimensions = [], shape = <{shape}>}} : {dtype}[{shape}]\n"
                    + $"  return %3, %4, %6\n}}", "clamp", dtype);
            }
    }

    [SpirvToolsFact]
    public void EveryPrimitiveAndDTypeOfTheSliceValidates()
    {
        int validated = Sweep().Sum(c => Check(c.Source, c.Primitive, c.DType));
        Assert.True(validated > 1500, $"only {validated} modules validated");
    }

    /// <summary>A constant of each dtype that is not trivially representable (a rounded float, a negative or top-bit integer).</summary>
    private static string ConstantText(string dtype) => dtype switch
    {
        "bool" => "true",
        "f16" or "bf16" or "f32" or "f64" => "-1.3333333333333333",
        "u8" => "200",
        "u16" => "60000",
        "u32" => "4000000000",
        "u64" => "18000000000000000000",
        _ => "-100",
    };

    private static int Check(string source, string primitive, string dtype)
    {
        var function = IrParser.ParseFunction(source);
        var (_, kernels) = SpirvTools.Compile(function);
        foreach (var (_, kernel) in kernels) SpirvTools.AssertValid(kernel.Spirv, $"{primitive} on {dtype}:\n{source}");
        return 1;
    }

    /// <summary>30 seeded random chains of float32 operations (transcendentals included) ending in a compare, a select and a conversion.</summary>
    internal static IEnumerable<string> RandomChains()
    {
        var random = new Random(10);
        string[] floatOps = ["add", "sub", "mul", "div", "max", "min"];
        string[] floatUnary = ["neg", "abs", "floor", "ceil", "sqrt", "exp", "tanh", "sign"];
        for (int program = 0; program < 30; program++)
        {
            var lines = new List<string>();
            var shape = random.Next(3) switch { 0 => "9", 1 => "n", _ => "n,4" };
            int next = 2;
            var live = new List<int> { 0, 1 };
            for (int k = 0; k < 8; k++)
            {
                int a = live[random.Next(live.Count)], b = live[random.Next(live.Count)];
                lines.Add(random.Next(3) == 0
                    ? $"  %{next} = {floatUnary[random.Next(floatUnary.Length)]} %{a} : f32[{shape}]"
                    : $"  %{next} = {floatOps[random.Next(floatOps.Length)]} %{a}, %{b} : f32[{shape}]");
                live.Add(next++);
            }
            lines.Add($"  %{next} = lt %{live[^1]}, %{live[^2]} : bool[{shape}]");
            lines.Add($"  %{next + 1} = select %{next}, %{live[^3]}, %0 : f32[{shape}]");
            lines.Add($"  %{next + 2} = convert_element_type %{next + 1} {{new_dtype = i32, weak_type = false}} : i32[{shape}]");
            yield return $"func @random(%0: f32[{shape}], %1: f32[{shape}]) -> (f32[{shape}], i32[{shape}]) {{\n{string.Join('\n', lines)}\n  return %{next + 1}, %{next + 2}\n}}";
        }
    }

    [SpirvToolsFact]
    public void RandomChainsValidate()
    {
        foreach (var source in RandomChains())
        {
            var (_, kernels) = SpirvTools.Compile(IrParser.ParseFunction(source));
            foreach (var (_, kernel) in kernels) SpirvTools.AssertValid(kernel.Spirv, source);
        }
    }

    [Theory]
    [InlineData("func @f(%0: i32[], %1: f32[4]) -> (f32[4]) {\n  %2 = cond %0, %1 (%3: f32[4]) {\n    %4 = neg %3 : f32[4]\n    return %4\n  } (%5: f32[4]) {\n    return %5\n  } : f32[4]\n  return %2\n}", "cond")]
    [InlineData("func @f(%0: f32[5000]) -> (f32[5000]) {\n  %1 = sort %0 {dimension = 0, is_stable = true, num_keys = 1} : f32[5000]\n  return %1\n}", "sort")]
    public void UnsupportedOperationsNameWhatIsMissing(string source, string named)
    {
        var e = Assert.Throws<NotSupportedException>(() => SpirvTools.Compile(IrParser.ParseFunction(source)));
        Assert.Contains(named, e.Message);
    }
}
