using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Every dtype through the reduction and contraction writers: a step runs on Vulkan with the interpreter's numbers
/// (integers exact, float sums within a relative 1e-5 for float32 and 1e-12 for float64 of positive inputs; float16 and
/// bfloat16, accumulated in float32 in another order and rounded once, within one unit in their last place: 2^-10 and
/// 2^-7 relative), or is a host step whose reason names the dtype. Nothing is silently wrong.
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
            yield return ($"func @argmin(%0: {d}[9,40]) -> (i32[9]) {{\n  %1 = argmin %0 {{axis = 1, index_dtype = i32}} : i32[9]\n  return %1\n}}", d);
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
                var outDType = types[program.Outputs[0]].DType;
                double a = outDType switch
                {
                    DType.Float32 => BitConverter.ToSingle(actual, 4 * i),
                    DType.Float64 => BitConverter.ToDouble(actual, 8 * i),
                    DType.Float16 => (double)BitConverter.ToHalf(actual, 2 * i),
                    DType.BFloat16 => BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(actual, 2 * i) << 16),
                    DType.Bool => actual[i] != 0 ? 1 : 0,
                    DType.Int8 => (sbyte)actual[i],
                    DType.UInt8 => actual[i],
                    DType.Int16 => BitConverter.ToInt16(actual, 2 * i),
                    DType.UInt16 => BitConverter.ToUInt16(actual, 2 * i),
                    DType.Int32 => BitConverter.ToInt32(actual, 4 * i),
                    DType.UInt32 => BitConverter.ToUInt32(actual, 4 * i),
                    DType.Int64 => BitConverter.ToInt64(actual, 8 * i),
                    _ => BitConverter.ToUInt64(actual, 8 * i),
                };
                double tolerance = outDType switch { DType.Float32 => 1e-5, DType.Float64 => 1e-12, DType.Float16 => 1.0 / 1024, DType.BFloat16 => 1.0 / 128, _ => 0 };
                Assert.True(Math.Abs(e - a) <= tolerance * Math.Abs(e), $"{source}\n[{i}]: expected {e}, got {a}");
            }
            onDevice++;
        }
        Assert.True(onDevice >= 35, $"only {onDevice} cases ran on the device ({onHost} on the host)");
    }
}
