using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>The C library's functions that .NET's <see cref="Math"/> lacks (glibc's libm, within 1 ulp).</summary>
internal static partial class Libm
{
    [LibraryImport("libm.so.6", EntryPoint = "expm1")]
    internal static partial double Expm1(double x);

    [LibraryImport("libm.so.6", EntryPoint = "log1p")]
    internal static partial double Log1p(double x);

    [LibraryImport("libm.so.6", EntryPoint = "erf")]
    internal static partial double Erf(double x);

    [LibraryImport("libm.so.6", EntryPoint = "erfc")]
    internal static partial double Erfc(double x);

    [LibraryImport("libm.so.6", EntryPoint = "lgamma_r")]
    internal static partial double LgammaR(double x, out int sign);
}

/// <summary>How far a result is from the reference.</summary>
internal enum ErrorMeasure
{
    /// <summary>Representable numbers between the result and the reference rounded to the dtype (0: correctly rounded).</summary>
    Ulps,

    /// <summary>|result - reference| in ulps of max(|reference|, 1): absolute error below 1, relative above (for lgamma and digamma, whose zeros make relative errors meaningless).</summary>
    UlpsOfMaxOne,
}

/// <summary>The largest error found, with an input where it occurs.</summary>
internal sealed record AccuracyResult(double MaxError, double[] WorstInput, double WorstResult, double WorstReference, int Count)
{
    public override string ToString() =>
        $"max {MaxError:0.###} at ({string.Join(", ", WorstInput.Select(v => v.ToString("R")))}): got {WorstResult:R}, want {WorstReference:R} ({Count} samples)";
}

/// <summary>
/// Runs expanded functions on the interpreter and measures them against float64 references (rounded to the dtype), in
/// ulps: the harness behind the accuracy table of <c>ir/Transforms/MATH.md</c>.
/// </summary>
internal static class MathAccuracy
{
    private static readonly ConcurrentDictionary<(Primitive, DType, int), Function> Functions = new();

    /// <summary>The float dtypes, widest last.</summary>
    public static readonly DType[] FloatDTypes = [DType.Float16, DType.BFloat16, DType.Float32, DType.Float64];

    /// <summary>Every expandable primitive (by name) with every float dtype, for theories.</summary>
    public static TheoryData<string, DType> EveryExpansion()
    {
        var data = new TheoryData<string, DType>();
        foreach (var primitive in MathExpansionPass.ExpandablePrimitives)
            foreach (var dtype in FloatDTypes)
                data.Add(primitive.Name, dtype);
        return data;
    }

    /// <summary>The expandable primitive of a name.</summary>
    public static Primitive Expandable(string name) => MathExpansionPass.ExpandablePrimitives.Single(p => p.Name == name);

    /// <summary>The number of operands: two for pow, atan2 and nextafter.</summary>
    public static int Arity(Primitive primitive) => primitive == Prims.Pow || primitive == Prims.Atan2 || primitive == Prims.Nextafter ? 2 : 1;

    /// <summary><c>func(x0: type, ...) { return primitive(x0, ...) }</c>.</summary>
    public static Function Applying(Primitive primitive, ShapedType type, int arity)
    {
        var block = new Block(Enumerable.Repeat(type, arity).ToArray());
        block.SetResults([new IrBuilder(block).Emit1(primitive, block.Arguments)]);
        return new Function(primitive.Name, block);
    }

    /// <summary><c>func(x0: dtype[n], ...) { return primitive(x0, ...) }</c> with every transcendental expanded (verified).</summary>
    public static Function Expanded(Primitive primitive, DType dtype, int arity) =>
        Functions.GetOrAdd((primitive, dtype, arity), key =>
        {
            var function = Applying(key.Item1, new ShapedType(key.Item2, new Shape(Dim.Sym("n"))), key.Item3);
            var expanded = new PassManager(new MathExpansionPass()).Run(function);
            Assert.DoesNotContain(expanded.Body.Operations, op => MathExpansionPass.CanExpand(op.Primitive));
            return expanded;
        });

    /// <summary>Runs the expansion of <paramref name="primitive"/> on columns of inputs (rounded to the dtype).</summary>
    public static double[] Run(Primitive primitive, DType dtype, params double[][] inputs) =>
        RunFunction(Expanded(primitive, dtype, inputs.Length), dtype, inputs);

    /// <summary>Runs the primitive itself (the interpreter's kernel) on columns of inputs (rounded to the dtype).</summary>
    public static double[] Interpreted(Primitive primitive, DType dtype, params double[][] inputs) =>
        RunFunction(Applying(primitive, new ShapedType(dtype, new Shape(Dim.Sym("n"))), inputs.Length), dtype, inputs);

    private static double[] RunFunction(Function function, DType dtype, double[][] inputs)
    {
        var buffers = inputs.Select(column =>
        {
            var b = Buffer.Zeros(dtype, Shape.Of(column.Length));
            for (int i = 0; i < column.Length; i++) b.SetDouble(i, column[i]);
            return b;
        }).ToArray();
        var result = Assert.Single(Interpreter.Run(function, buffers));
        var values = new double[result.Length];
        for (int i = 0; i < values.Length; i++) values[i] = result.GetDouble(i);
        return values;
    }

    /// <summary>The value rounded to the dtype (bfloat16 through float32), as a double.</summary>
    public static double Round(DType dtype, double value) => dtype switch
    {
        DType.Float16 => (double)(Half)value,
        DType.BFloat16 => (double)(BFloat16)(float)value,
        DType.Float32 => (float)value,
        _ => value,
    };

    /// <summary>
    /// Signed ordinal of a value of the dtype: consecutive representable numbers differ by 1, +0 and -0 are both 0 and
    /// infinity is one past the largest finite number.
    /// </summary>
    public static long Ordinal(DType dtype, double value)
    {
        long bits = dtype switch
        {
            DType.Float16 => BitConverter.HalfToInt16Bits((Half)value) & 0xFFFF,
            DType.BFloat16 => ((BFloat16)(float)value).Bits,
            DType.Float32 => BitConverter.SingleToUInt32Bits((float)value),
            _ => BitConverter.DoubleToInt64Bits(value),
        };
        int width = dtype.BitWidth();
        long magnitude = width == 64 ? bits & long.MaxValue : bits & ((1L << (width - 1)) - 1);
        bool negative = width == 64 ? bits < 0 : (bits >> (width - 1)) != 0;
        return negative ? -magnitude : magnitude;
    }

    /// <summary>The error of <paramref name="result"/> (a value of the dtype) against the exact <paramref name="reference"/>.</summary>
    public static double Error(DType dtype, ErrorMeasure measure, double result, double reference)
    {
        if (double.IsNaN(result) || double.IsNaN(reference)) return double.IsNaN(result) && double.IsNaN(reference) ? 0 : double.PositiveInfinity;
        double rounded = Round(dtype, reference);
        if (measure == ErrorMeasure.Ulps || double.IsInfinity(rounded) || double.IsInfinity(result))
            return Math.Abs((double)((Int128)Ordinal(dtype, result) - Ordinal(dtype, rounded)));
        double scale = Math.Max(Math.Abs(reference), 1);
        return Math.Abs(result - reference) / UlpOf(dtype, scale);
    }

    /// <summary>The spacing of the dtype's numbers at |x| (a normal x).</summary>
    public static double UlpOf(DType dtype, double x)
    {
        int mantissaBits = dtype switch { DType.Float16 => 10, DType.BFloat16 => 7, DType.Float32 => 23, _ => 52 };
        return Math.ScaleB(1, Math.ILogB(x) - mantissaBits);
    }

    /// <summary>Measures the expansion of a primitive on the samples against a float64 reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static AccuracyResult Measure(Primitive primitive, DType dtype, ErrorMeasure measure, Func<double[], double> reference, double[][] samples)
    {
        var rounded = samples.Select(column => column.Select(v => Round(dtype, v)).ToArray()).ToArray();
        var results = Run(primitive, dtype, rounded);
        double max = -1;
        int worst = 0;
        var point = new double[rounded.Length];
        for (int i = 0; i < results.Length; i++)
        {
            for (int j = 0; j < point.Length; j++) point[j] = rounded[j][i];
            double error = Error(dtype, measure, results[i], reference(point));
            if (error > max)
            {
                max = error;
                worst = i;
            }
        }
        var input = rounded.Select(column => column[worst]).ToArray();
        return new AccuracyResult(max, input, results[worst], reference(input), results.Length);
    }
}
