using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>A fact that needs a Vulkan device (lavapipe on CI): skipped, saying why, without one.</summary>
public sealed class VulkanFactAttribute : FactAttribute
{
    public VulkanFactAttribute()
    {
        if (VulkanCompute.Unavailable is { } why) Skip = why;
    }
}

/// <summary>
/// The emitted shaders run on Vulkan (lavapipe here) and give the interpreter's numbers: every sample function of
/// <see cref="SpirvKernelCompilerTests"/>, kernel by kernel, with few workgroups so that the grid-strided loop turns.
/// </summary>
public sealed class SpirvExecutionTests
{
    private const long N = 1000;

    [VulkanFact]
    public void TheSamplesComputeTheInterpretersNumbers()
    {
        foreach (var source in SpirvKernelCompilerTests.Sources)
        {
            var function = IrParser.ParseFunction(source);
            var random = new Random(7);
            var arguments = function.ParameterTypes.Select(t => RandomBuffer(t, random)).ToArray();
            var expected = Interpreter.Run(function, arguments);
            var actual = RunOnVulkan(function, arguments);
            for (int r = 0; r < expected.Length; r++)
                AssertClose(Storage(expected[r]), actual[r], expected[r].DType, $"{function.Name} result {r}");
        }
    }

    [VulkanFact]
    public void RandomChainsComputeTheInterpretersNumbers()
    {
        int seed = 0;
        foreach (var source in SpirvKernelCompilerTests.RandomChains())
        {
            var function = IrParser.ParseFunction(source);
            var random = new Random(seed++);
            var arguments = function.ParameterTypes.Select(t => RandomBuffer(t, random)).ToArray();
            var expected = Interpreter.Run(function, arguments);
            var actual = RunOnVulkan(function, arguments);
            for (int r = 0; r < expected.Length; r++)
                AssertClose(Storage(expected[r]), actual[r], expected[r].DType, $"{source}\nresult {r}");
        }
    }

    [VulkanFact]
    public void EveryPrimitiveAndDTypeComputesTheInterpretersNumbers()
    {
        int ran = 0;
        foreach (var (source, primitive, dtype) in SpirvKernelCompilerTests.Sweep())
        {
            if (SpirvKernelCompilerTests.Refused(primitive, dtype)) continue;
            var function = IrParser.ParseFunction(source);
            var random = new Random(ran);
            var arguments = function.ParameterTypes.Select(t => RandomBuffer(t, random, special: true)).ToArray();
            var expected = Interpreter.Run(function, arguments);
            var actual = RunOnVulkan(function, arguments);
            for (int r = 0; r < expected.Length; r++)
                AssertClose(Storage(expected[r]), actual[r], expected[r].DType, $"{primitive} on {dtype} ({source}) result {r}, inputs {Describe(arguments)}");
            ran++;
        }
        Assert.True(ran > 200, $"only {ran} functions ran");
    }

    private static string Describe(Buffer[] arguments) =>
        string.Join("; ", arguments.Select(a => string.Join(", ", Enumerable.Range(0, (int)Math.Min(a.LongLength, 12)).Select(i => a.DType == DType.Float32 ? a.GetDouble(i).ToString("R") : a.GetInt64(i).ToString()))));

    private static readonly float[] FloatSpecials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 3e9f, -3e9f, 5e9f, 1e30f];
    private static readonly int[] IntSpecials = [0, -1, 1, int.MinValue, int.MaxValue, 31, 32, 33, -32];
    private static readonly uint[] UIntSpecials = [0, 1, uint.MaxValue, 31, 32, 33, 0x80000000];

    private static Shape Resolve(Shape shape) => new(shape.Select(d => d.IsStatic ? d : Dim.Of(N)));

    /// <summary>Random values; with <paramref name="special"/>, a third are edge cases (NaN, infinities, ±0, halves, out-of-range for conversions, MIN/MAX, shift counts about the width).</summary>
    private static Buffer RandomBuffer(ShapedType type, Random random, bool special = false)
    {
        var shape = Resolve(type.Shape);
        int count = checked((int)shape.ElementCount);
        T Pick<T>(T[] specials, Func<T> ordinary) => special && random.Next(3) == 0 ? specials[random.Next(specials.Length)] : ordinary();
        return type.DType switch
        {
            DType.Float32 => Buffer.FromSpan<float>([.. Enumerable.Range(0, count).Select(_ => Pick(FloatSpecials, () => (float)(random.NextDouble() * 6 - 3)))], shape),
            DType.Int32 => Buffer.FromSpan<int>([.. Enumerable.Range(0, count).Select(_ => Pick(IntSpecials, () => random.Next(-40, 40)))], shape),
            DType.UInt32 => Buffer.FromSpan<uint>([.. Enumerable.Range(0, count).Select(_ => Pick(UIntSpecials, () => (uint)random.Next(0, 40)))], shape),
            DType.Bool => Buffer.FromSpan<bool>([.. Enumerable.Range(0, count).Select(_ => random.Next(2) == 1)], shape),
            var d => throw new NotSupportedException(d.ToString()),
        };
    }

    /// <summary>A buffer's contents as the kernels read and write them: the host's layout (bool one byte 0 or 1).</summary>
    private static byte[] Storage(Buffer buffer) => buffer.Bytes.ToArray();

    /// <summary>Runs the function's kernels one after the other on Vulkan; its results in storage form.</summary>
    private static byte[][] RunOnVulkan(Function function, Buffer[] arguments)
    {
        var (prepared, kernels) = SpirvTools.Compile(function);
        var values = new Dictionary<Value, byte[]>(ReferenceEqualityComparer.Instance);
        for (int p = 0; p < arguments.Length; p++) values[prepared.Body.Arguments[p]] = Storage(arguments[p]);
        foreach (var (op, kernel) in kernels)
        {
            var buffers = op.Operands.Select(v => (byte[])values[v].Clone())
                .Concat(op.Results.Select(v => new byte[Resolve(v.Type.Shape).ElementCount * v.Type.DType.ItemSize()])).ToArray();
            var symbols = new Dictionary<string, long>(StringComparer.Ordinal) { ["n"] = N, ["m"] = N };
            uint[] push = [.. kernel.PushConstants.Select(p => (uint)SymbolicSize.Parse(p).Evaluate(symbols))];
            uint count = (uint)SymbolicSize.Parse(kernel.Threads[0]).Evaluate(symbols);
            uint groups = Math.Clamp((count + 255) / 256, 1, 3);
            VulkanCompute.Shared!.Run(kernel.Spirv, kernel.EntryPoint, buffers, push, groups);
            for (int r = 0; r < op.Results.Count; r++) values[op.Results[r]] = buffers[op.Operands.Count + r];
        }
        return [.. prepared.Body.Results.Select(v => values[v])];
    }

    /// <summary>
    /// Compares a result with the interpreter's, element by element in the host layout: integers and bool exactly; floats
    /// bit-exactly (any NaN matches any NaN) when <paramref name="exact"/>, otherwise within a relative tolerance of 4 units
    /// of the dtype's last place, absolute below 1 (Vulkan's bounds for division, sqrt and the expanded transcendentals).
    /// </summary>
    private static void AssertClose(byte[] expected, byte[] actual, DType dtype, string what, bool exact = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        int size = dtype.ItemSize();
        for (int i = 0; i < expected.Length; i += size)
        {
            if (!dtype.IsFloat())
            {
                Assert.True(expected.AsSpan(i, size).SequenceEqual(actual.AsSpan(i, size)),
                    $"{what}[{i / size}]: expected {Integer(expected, i, dtype)}, got {Integer(actual, i, dtype)}");
                continue;
            }
            double e = Float(expected, i, dtype), a = Float(actual, i, dtype);
            bool same = expected.AsSpan(i, size).SequenceEqual(actual.AsSpan(i, size));
            double ulp = Math.ScaleB(1, dtype switch { DType.Float16 => -10, DType.BFloat16 => -7, DType.Float64 => -52, _ => -23 });
            bool close = (double.IsNaN(e) && double.IsNaN(a)) || same || (!exact && Math.Abs(e - a) <= 4 * ulp * Math.Max(1, Math.Abs(e)));
            Assert.True(close, $"{what}[{i / size}]: expected {e:R}, got {a:R}{(exact ? " (bit-exact expected)" : "")}");
        }
    }

    private static double Float(byte[] bytes, int i, DType dtype) => dtype switch
    {
        DType.Float16 => (double)BitConverter.ToHalf(bytes, i),
        DType.BFloat16 => BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(bytes, i) << 16),
        DType.Float64 => BitConverter.ToDouble(bytes, i),
        _ => BitConverter.ToSingle(bytes, i),
    };

    private static string Integer(byte[] bytes, int i, DType dtype) => dtype switch
    {
        DType.Bool or DType.UInt8 => bytes[i].ToString(),
        DType.Int8 => ((sbyte)bytes[i]).ToString(),
        DType.Int16 => BitConverter.ToInt16(bytes, i).ToString(),
        DType.UInt16 => BitConverter.ToUInt16(bytes, i).ToString(),
        DType.Int32 => BitConverter.ToInt32(bytes, i).ToString(),
        DType.UInt32 => BitConverter.ToUInt32(bytes, i).ToString(),
        DType.Int64 => BitConverter.ToInt64(bytes, i).ToString(),
        _ => BitConverter.ToUInt64(bytes, i).ToString(),
    };
}
