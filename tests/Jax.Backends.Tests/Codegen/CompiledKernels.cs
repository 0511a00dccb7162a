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

    /// <summary>
    /// Asserts that the compiled function computes what the interpreter does: bit for bit (NaN payloads aside), except
    /// where the function uses a transcendental primitive that the backend expands into arithmetic
    /// (<see cref="MathExpansionPass"/>): those are not the interpreter's algorithms, so floats are compared within
    /// <see cref="ExpandedTolerance"/> (the accuracy table of ir/Transforms/MATH.md plus the interpreter's own error,
    /// grown by the operations around them), integers still exactly.
    /// </summary>
    public static void AssertMatchesInterpreter(Function function, params Buffer[] arguments)
    {
        AssertSameResults(Interpreter.Run(function, arguments), Run(function, arguments), $"@{function.Name}", UsesExpandedMath(function.Body));
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> has the types and values of <paramref name="expected"/>: bit for bit (any NaN
    /// equals any NaN; -0 equals +0 when <paramref name="signedZerosEqual"/>), or floats within
    /// <see cref="ExpandedTolerance"/> when <paramref name="tolerant"/>; a failure names <paramref name="what"/>, the
    /// result and its first differing element.
    /// </summary>
    public static void AssertSameResults(Buffer[] expected, Buffer[] actual, string what, bool tolerant = false, bool signedZerosEqual = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Type, actual[i].Type);
            if (!expected[i].BitwiseEquals(actual[i]) && FirstDifference(expected[i], actual[i], tolerant, signedZerosEqual) is { } difference)
                Assert.Fail($"{what} result {i}: first difference at {difference}");
        }
    }

    /// <summary>True when a block (or a region inside it) uses a primitive the math-expansion pass rewrites.</summary>
    public static bool UsesExpandedMath(Block block) =>
        block.Operations.Any(op => MathExpansionPass.CanExpand(op.Primitive) || op.Regions.Any(UsesExpandedMath));

    /// <summary>
    /// The tolerance for floats computed through expanded math, relative to max(|expected|, 1): about two ulps of
    /// float16 (2^-8) and bfloat16 (2^-5) and 64 ulps of float32 (2^-17) and float64 (2^-46). The expansions are within
    /// 6 ulps (lgamma and digamma 37 ulps of max(|f|, 1)) by MATH.md's table; the rest is the interpreter's own error and
    /// its growth through the operations around them.
    /// </summary>
    public static double ExpandedTolerance(DType dtype) => dtype switch
    {
        DType.Float16 => Math.Pow(2, -8),
        DType.BFloat16 => Math.Pow(2, -5),
        DType.Float32 => Math.Pow(2, -17),
        _ => Math.Pow(2, -46),
    };

    /// <summary>The first element that differs (floats bit for bit, or within the expanded-math tolerance; any NaN equals any NaN: payloads are not specified), or null.</summary>
    private static string? FirstDifference(Buffer expected, Buffer actual, bool tolerant, bool signedZerosEqual)
    {
        for (long i = 0; i < expected.LongLength; i++)
        {
            bool same;
            if (expected.DType.IsFloat())
            {
                double e = expected.GetDouble(i), a = actual.GetDouble(i);
                same = BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a) || (double.IsNaN(e) && double.IsNaN(a))
                    || (tolerant && double.IsFinite(e) && double.IsFinite(a) && Math.Abs(e - a) <= ExpandedTolerance(expected.DType) * Math.Max(Math.Abs(e), 1))
                    || ((tolerant || signedZerosEqual) && e == a);
            }
            else same = expected.GetInt64(i) == actual.GetInt64(i);
            if (!same) return $"element {i}: expected {expected.GetDouble(i):R}, got {actual.GetDouble(i):R}";
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
