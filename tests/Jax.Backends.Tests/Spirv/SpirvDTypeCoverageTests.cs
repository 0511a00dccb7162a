using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Every dtype through the reduction and contraction writers: a step either runs on Vulkan with the interpreter's
/// numbers (integers exact, float sums within a relative 1e-5 for float32 and 1e-12 for float64 of positive inputs), or
/// is a host step whose reason names the dtype. Nothing is silently wrong.
/// </summary>
public sealed class SpirvDTypeCoverageTests
{
    private static readonly string[] DTypes = ["f32", "f64", "f16", "bf16", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "bool"];

    private static IEnumerable<(string Source, string DType)> Cases()
    {
        foreach (var d in DTypes)
        {
            yield return ($"func @sum(%0: {d}[6,50]) -> ({d}[6]) {{\n  %1 = reduce_sum %0 {{axes = [1]}} : {d}[6]\n  return %1\n}}", d);
            yield return ($"func @max(%0: {d}[70000]) -> ({d}[]) {{\n  %1 = reduce_max %0 {{axes = [0]}} : {d}[]\n  return %1\n}}", d);
            if (d != "bool")
                yield return ($"func @dot(%0: {d}[5,7], %1: {d}[7,3]) -> ({d}[5,3]) {{\n  %2 = dot_general %0, %1 {{lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]}} : {d}[5,3]\n  return %2\n}}", d);
        }
    }

    private static Ir.Buffer Positive(ShapedType type, Random random)
    {
        int n = checked((int)type.Shape.ElementCount);
        var values = Ir.Buffer.FromSpan<double>([.. Enumerable.Range(0, n).Select(_ => (double)random.Next(0, 4))], type.Shape);
        return type.DType == DType.Float64 ? values : Conversions(values, type.DType);
    }

    private static Ir.Buffer Conversions(Ir.Buffer buffer, DType dtype) =>
        Prims.ConvertElementType.Evaluate([buffer], Attributes.Of(("new_dtype", dtype), ("weak_type", false)), [], Interpreter.Default)[0];

    [VulkanFact]
    public void ReductionsAndProductsOfEveryDTypeRunOnTheDeviceOrSayWhyNot()
    {
        int onDevice = 0, onHost = 0;
        foreach (var (source, dtype) in Cases())
        {
            var function = IrParser.ParseFunction(source);
            var random = new Random(1);
            var arguments = function.ParameterTypes.Select(t => Positive(t, random)).ToArray();
            Ir.Buffer expected;
            try
            {
                expected = Interpreter.Run(function, arguments)[0];
            }
            catch (JaxTypeException)
            {
                continue; // the primitive does not take this dtype (reduce_sum of bool)
            }
            var (program, _) = SpirvProgramCompiler.Compile(function);
            var step = Assert.Single(program.Steps);
            if (step.Kernels.Count == 0)
            {
                Assert.NotNull(step.HostReason);
                onHost++;
                continue;
            }
            if (!step.Kernels.All(VulkanCompute.Shared!.Supports)) continue;
            var types = program.ParseValues();
            var actual = VulkanCompute.Shared.RunStep(step, [.. arguments.Select(a => a.Bytes.ToArray())],
                [types[program.Outputs[0]].Shape.ElementCount * types[program.Outputs[0]].DType.ItemSize()], new Dictionary<string, long>())[0];
            for (int i = 0; i < expected.LongLength; i++)
            {
                double e = expected.GetDouble(i);
                double a = dtype switch
                {
                    "f32" => BitConverter.ToSingle(actual, 4 * i),
                    "f64" => BitConverter.ToDouble(actual, 8 * i),
                    "bool" => actual[i] != 0 ? 1 : 0,
                    "i32" => BitConverter.ToInt32(actual, 4 * i),
                    "u32" => BitConverter.ToUInt32(actual, 4 * i),
                    "i64" => BitConverter.ToInt64(actual, 8 * i),
                    "u64" => BitConverter.ToUInt64(actual, 8 * i),
                    _ => throw new InvalidOperationException($"{dtype} ran on the device: compare it here ({source})"),
                };
                double tolerance = dtype == "f32" ? 1e-5 : dtype == "f64" ? 1e-12 : 0;
                Assert.True(Math.Abs(e - a) <= tolerance * Math.Abs(e), $"{source}\n[{i}]: expected {e}, got {a}");
            }
            onDevice++;
        }
        Assert.True(onDevice >= 15, $"only {onDevice} cases ran on the device ({onHost} on the host)");
    }
}
