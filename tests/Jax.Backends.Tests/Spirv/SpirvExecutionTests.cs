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

    /// <summary>
    /// float16 and bfloat16 rounding as the interpreter's, bit-exactly: ties to even (normal and subnormal), the largest
    /// finite values and the first that overflow, subnormals and values below half the smallest, NaN, ±0, ±infinity; from
    /// float32 and from float64 (float16 rounds once from float64; bfloat16 goes through float32 as the interpreter).
    /// </summary>
    [VulkanFact]
    public void HalfAndBFloat16ConversionsRoundAsTheInterpreter()
    {
        double[] values =
        [
            1 + Math.ScaleB(1, -11), 1 + 3 * Math.ScaleB(1, -11), 1 + Math.ScaleB(1, -11) + Math.ScaleB(1, -30), -(1 + Math.ScaleB(1, -11)),
            65504, 65519.99, 65520, -65520, 1e6, Math.ScaleB(1, -24), Math.ScaleB(1, -25), Math.ScaleB(1, -25) + Math.ScaleB(1, -40), 3 * Math.ScaleB(1, -25),
            Math.ScaleB(1, -14), Math.ScaleB(1, -14) - Math.ScaleB(1, -25), 1e-9, -1e-9, 1e-300, -0.0, 0.0, double.NaN, -double.NaN,
            double.PositiveInfinity, double.NegativeInfinity, 1 + Math.ScaleB(1, -8), 1 + 3 * Math.ScaleB(1, -8), 3.3895313892515355e38, 3.4e38,
            Math.ScaleB(1, -133), 1e-40, 1.00390625, 255.5, 1e300, -1e300, Math.ScaleB(1, -126) * 1.5,
        ];
        var shape = new Shape([Dim.Of(values.Length)]);
        var doubles = Buffer.FromSpan<double>(values, shape);
        var floats = Interpreter.Run(Conversion(DType.Float32, DType.Float64, shape), [doubles])[0];
        int checkedCount = 0;
        foreach (var (source, from) in new[] { (doubles, DType.Float64), (floats, DType.Float32) })
            foreach (var to in new[] { DType.Float16, DType.BFloat16 })
            {
                var there = Conversion(to, from, shape);
                var back = Conversion(DType.Float32, to, shape);
                var expected = Interpreter.Run(there, [source])[0];
                var narrowed = RunOnVulkan(there, [source])[0];
                Assert.Equal(Storage(expected), narrowed); // bit-exact, NaN payloads included
                var widened = RunOnVulkan(back, [expected])[0];
                Assert.Equal(Storage(Interpreter.Run(back, [expected])[0]), widened);
                checkedCount += 2;
            }
        Assert.Equal(8, checkedCount);
    }

    /// <summary>
    /// Float <c>rem</c> is C's <c>fmod</c>, exactly (bit for bit, any NaN for NaN): every pair of values spanning the
    /// exponent range (so the shifting loop runs up to its longest), subnormals, signed zeros, infinities and NaN, in
    /// float32, float64, float16 and bfloat16.
    /// </summary>
    [VulkanFact]
    public void FloatRemainderIsExactlyFmod()
    {
        double[] values =
        [
            0.0, -0.0, 1, -1, 1.5, 3, -7.25, 0.1, 1e-3, 123456.789, -98765.4321, 65504, 3.4e38, -3.3e38, 1e30, -1e-30,
            Math.ScaleB(1, -126), 1e-40, -1.4e-45, Math.ScaleB(1, -1022), 5e-324, 1.7e308, -1e300, 2.5e-310, Math.PI, Math.E * 1e10,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN, 6e-8, 1e-5, 255.5,
        ];
        int n = values.Length;
        var shape = new Shape([Dim.Of(n * n)]);
        var xs = Buffer.FromSpan<double>([.. Enumerable.Range(0, n * n).Select(i => values[i / n])], shape);
        var ys = Buffer.FromSpan<double>([.. Enumerable.Range(0, n * n).Select(i => values[i % n])], shape);
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Float16, DType.BFloat16 })
        {
            var convert = Conversion(dtype, DType.Float64, shape);
            var (x, y) = (Interpreter.Run(convert, [xs])[0], Interpreter.Run(convert, [ys])[0]);
            var name = dtype.ToString().ToLowerInvariant() switch { "float32" => "f32", "float64" => "f64", "float16" => "f16", _ => "bf16" };
            var rem = IrParser.ParseFunction($"func @rem(%0: {name}[{n * n}], %1: {name}[{n * n}]) -> ({name}[{n * n}]) {{\n  %2 = rem %0, %1 : {name}[{n * n}]\n  return %2\n}}");
            var expected = Interpreter.Run(rem, [x, y])[0];
            var got = Buffer.Uninitialized(dtype, shape);
            RunOnVulkan(rem, [x, y])[0].CopyTo(got.Bytes);
            for (long i = 0; i < expected.LongLength; i++)
            {
                double e = expected.GetDouble(i), a = got.GetDouble(i);
                bool same = double.IsNaN(e) ? double.IsNaN(a) : BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a);
                Assert.True(same, $"{dtype} fmod({x.GetDouble(i):R}, {y.GetDouble(i):R}): expected {e:R}, got {a:R}");
            }
        }
    }

    /// <summary>Primitives whose Vulkan results may differ from the correctly rounded ones (compared within <see cref="AssertClose"/>'s tolerance); all others bit-exactly.</summary>
    private static readonly HashSet<string> Inexact = ["div", "sqrt", "rsqrt", "exp", "log", "tanh", "logistic", "erfc"];

    /// <summary>
    /// Every primitive on every dtype (<see cref="SpirvKernelCompilerTests.Sweep"/>) with edge-case inputs; a function
    /// whose kernels need a feature the device lacks is skipped (the runtime would run it on the host) and counted in the output.
    /// </summary>
    [VulkanFact]
    public void EveryPrimitiveAndDTypeComputesTheInterpretersNumbers()
    {
        int ran = 0, skippedCount = 0;
        var skipped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (source, primitive, dtype) in SpirvKernelCompilerTests.Sweep())
        {
            var function = IrParser.ParseFunction(source);
            if (SpirvTools.Compile(function).Kernels.FirstOrDefault(k => !VulkanCompute.Shared!.Supports(k.Kernel)) is { Kernel: { } lacking })
            {
                skipped.Add($"{dtype} ({string.Join(", ", lacking.Features.Where(f => !VulkanCompute.Shared!.Context.Info.Features.Contains(f)))})");
                skippedCount++;
                continue;
            }
            var random = new Random(ran);
            var arguments = function.ParameterTypes.Select(t => RandomBuffer(t, random, special: true)).ToArray();
            var expected = Interpreter.Run(function, arguments);
            var actual = RunOnVulkan(function, arguments);
            for (int r = 0; r < expected.Length; r++)
                AssertClose(Storage(expected[r]), actual[r], expected[r].DType, $"{primitive} on {dtype} ({source}) result {r}, inputs {Describe(arguments)}",
                    exact: !Inexact.Contains(primitive));
            ran++;
        }
        if (skipped.Count > 0) Console.WriteLine($"{skippedCount} functions skipped, the device lacks features: {string.Join("; ", skipped)}");
        Assert.True(ran + skippedCount > 1500 && ran > 200, $"only {ran} functions ran ({skippedCount} skipped)");
    }

    /// <summary>
    /// erfc's tail on Vulkan: the expansion's e^(-x^2) split keeps results down to the subnormals (where 1 - erf is 0)
    /// within 64 ulps of the interpreter's, relative to the result (Vulkan's division is within 2.5 ulps, the
    /// expansion's own bound is 4 and 9); the device's missing float64 skips that dtype, as the runtime would run it on
    /// the host.
    /// </summary>
    [VulkanFact]
    public void ErfcKeepsItsTailOnVulkan()
    {
        var ran = new List<string>();
        foreach (var (dtype, top) in new[] { ("f32", 10.0), ("f64", 26.0) })
        {
            var function = IrParser.ParseFunction($"func @f(%0: {dtype}[n]) -> ({dtype}[n]) {{\n  %1 = erfc %0 : {dtype}[n]\n  return %1\n}}");
            if (SpirvTools.Compile(function).Kernels.Any(k => !VulkanCompute.Shared!.Supports(k.Kernel))) continue;
            var xs = Enumerable.Range(0, (int)N).Select(i => -6 + (top + 6) * i / (N - 1)).ToArray();
            bool single = dtype == "f32";
            var x = single ? Buffer.FromSpan<float>([.. xs.Select(v => (float)v)], Shape.Of(N)) : Buffer.FromSpan<double>(xs, Shape.Of(N));
            var expected = Interpreter.Run(function, [x])[0];
            var bytes = RunOnVulkan(function, [x])[0];
            double At(int i) => single ? BitConverter.ToSingle(bytes, 4 * i) : BitConverter.ToDouble(bytes, 8 * i);
            double epsilon = single ? Math.ScaleB(1, -23) : Math.ScaleB(1, -52), tiny = single ? float.Epsilon : double.Epsilon;
            for (int i = 0; i < N; i++)
            {
                double e = expected.GetDouble(i), a = At(i);
                Assert.True(Math.Abs(a - e) <= 64 * epsilon * Math.Abs(e) + 4 * tiny, $"erfc({x.GetDouble(i):R}) in {dtype}: Vulkan {a:R}, interpreter {e:R}");
            }
            Assert.True(At((int)N - 2) > 0, $"erfc({x.GetDouble((int)N - 2):R}) in {dtype} underflowed on Vulkan");
            ran.Add(dtype);
        }
        Assert.Contains("f32", ran);
        Console.WriteLine($"erfc's tail checked on Vulkan in {string.Join(", ", ran)}");
    }

    private static string Describe(Buffer[] arguments) =>
        string.Join("; ", arguments.Select(a => string.Join(", ", Enumerable.Range(0, (int)Math.Min(a.LongLength, 12)).Select(i => a.DType.IsFloat() ? a.GetDouble(i).ToString("R") : a.GetInt64(i).ToString()))));

    private static readonly double[] FloatSpecials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 0.5, -0.5, 1.5, 2.5, -2.5,
        3e9, -3e9, 5e9, 1e30, 65504, 65520, -65536, 200, -129, 128.5, 1e-5, -6e-8, 3e38, 1e19, -1e19];
    private static readonly long[] IntSpecials = [0, -1, 1, int.MinValue, int.MaxValue, 31, 32, 33, -32, 7, 8, 9, 15, 16, 17, 63, 64, 65, -128, 127, 128,
        255, 256, -32768, 32767, 65535, 65536, long.MinValue, long.MaxValue, 0x80000000, uint.MaxValue];

    private static Shape Resolve(Shape shape) => new(shape.Select(d => d.IsStatic ? d : Dim.Of(N)));

    /// <summary>
    /// Random values; with <paramref name="special"/>, a third are edge cases (NaN, infinities, ±0, halves and ties,
    /// float16's largest and overflowing values, subnormals, out-of-range for conversions, MIN/MAX of every width, shift
    /// counts about every width), converted to the dtype as the interpreter converts (integers wrap, floats round).
    /// </summary>
    private static Buffer RandomBuffer(ShapedType type, Random random, bool special = false)
    {
        var shape = Resolve(type.Shape);
        int count = checked((int)shape.ElementCount);
        bool Special() => special && random.Next(3) == 0;
        if (type.DType == DType.Bool) return Buffer.FromSpan<bool>([.. Enumerable.Range(0, count).Select(_ => random.Next(2) == 1)], shape);
        if (type.DType.IsFloat())
        {
            var values = Buffer.FromSpan<double>([.. Enumerable.Range(0, count).Select(_ => Special() ? FloatSpecials[random.Next(FloatSpecials.Length)] : random.NextDouble() * 6 - 3)], shape);
            return Interpreter.Run(Conversion(type.DType, DType.Float64, shape), [values])[0];
        }
        var integers = Buffer.FromSpan<long>([.. Enumerable.Range(0, count).Select(_ => Special() ? IntSpecials[random.Next(IntSpecials.Length)]
            : type.DType.IsUnsignedInteger() ? random.Next(0, 40) : random.Next(-40, 40))], shape);
        return Interpreter.Run(Conversion(type.DType, DType.Int64, shape), [integers])[0];
    }

    private static Function Conversion(DType to, DType from, Shape shape) => IrParser.ParseFunction(
        $"func @c(%0: {from.ShortName()}{shape}) -> ({to.ShortName()}{shape}) {{\n  %1 = convert_element_type %0 {{new_dtype = {to.ShortName()}, weak_type = false}} : {to.ShortName()}{shape}\n  return %1\n}}");

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
