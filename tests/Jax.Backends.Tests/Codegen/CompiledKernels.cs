using JaxToolchain.Backends.Cpu;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// Compiles IR with the LLVM CPU compiler (one JIT for the test run) and compares the kernels with the reference
/// interpreter on the same inputs: bit for bit (the lowered operations are IEEE-exact and integer-exact, and LLVM does not
/// contract or reassociate without fast-math flags).
/// </summary>
internal static class CompiledKernels
{
    private static readonly Lazy<CpuCompiler> Shared = new(() => new CpuCompiler());

    /// <summary>The test run's compiler.</summary>
    public static CpuCompiler Compiler => Shared.Value;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Function, IExecutable> Compiled = [];

    /// <summary>Compiles <paramref name="function"/> (once) and runs it on host buffers.</summary>
    public static Buffer[] Run(Function function, params Buffer[] arguments)
    {
        var executable = Compiled.GetValue(function, f => Compiler.Compile(f, new CompileOptions(DeviceDescriptor.Cpu, f.Name)));
        return executable.Execute(arguments.Select(a => (DeviceArray)new HostArray(a.Share(), DeviceDescriptor.Cpu)).ToArray())
            .Select(r => r.ReadHost()).ToArray();
    }

    /// <summary>Asserts that the compiled function computes what the interpreter does, bit for bit (NaN payloads aside).</summary>
    public static void AssertMatchesInterpreter(Function function, params Buffer[] arguments)
    {
        var expected = Interpreter.Run(function, arguments);
        var actual = Run(function, arguments);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Type, actual[i].Type);
            if (!expected[i].BitwiseEquals(actual[i]) && FirstDifference(expected[i], actual[i]) is { } difference)
                Assert.Fail($"@{function.Name} result {i}: first difference at {difference}");
        }
    }

    /// <summary>The first element that differs (floats bit for bit, except that any NaN equals any NaN: payloads are not specified), or null.</summary>
    internal static string? FirstDifference(Buffer expected, Buffer actual)
    {
        for (long i = 0; i < expected.LongLength; i++)
        {
            bool same = expected.DType.IsFloat()
                ? BitConverter.DoubleToInt64Bits(expected.GetDouble(i)) == BitConverter.DoubleToInt64Bits(actual.GetDouble(i))
                  || (double.IsNaN(expected.GetDouble(i)) && double.IsNaN(actual.GetDouble(i)))
                : expected.GetInt64(i) == actual.GetInt64(i);
            if (!same) return $"element {i}: expected {expected.GetDouble(i)}, got {actual.GetDouble(i)}";
        }
        return null;
    }

    /// <summary>Deterministic test values of a dtype: random over the range, with the special values first (NaN, ±inf, ±0, subnormals, extremes).</summary>
    public static Buffer Values(DType dtype, Shape shape, int seed)
    {
        var rng = new Random(seed);
        var b = Buffer.Uninitialized(dtype, shape);
        double[] specials = dtype.IsFloat()
            ? [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1e-40, -1e-310, 1.5, -2.5, 0.5, 65504, 3e38, -1e300]
            : [0, 1, -1, 127, -128, 255, 32767, -32768, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 3, 7, 31, 63, 64];
        for (long i = 0; i < b.LongLength; i++)
        {
            if (dtype == DType.Bool) b.SetInt64(i, rng.Next(2));
            else if (i < specials.Length && dtype.IsFloat()) b.SetDouble(i, specials[i]);
            else if (i < specials.Length) b.SetInt64(i, (long)specials[i]);
            else if (dtype.IsFloat()) b.SetDouble(i, (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-30, 30)));
            else b.SetInt64(i, rng.NextInt64());
        }
        return b;
    }
}
