using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// Reductions, arg reductions and scans compiled by the LLVM CPU backend against the interpreter, for every dtype, several
/// axis sets and symbolic sizes through one kernel. Integers, bool, max/min, argmax/argmin and the scans are exact; float
/// sums and products are within the stated tolerance (backends/README.md): |compiled − interpreter| ≤ 2·n·ε·Σ|x| + 2·ε_out·|interpreter|
/// for sums (n the elements of one output, ε of the accumulation type, ε_out of the result's dtype: the bound of any two
/// summation orders) and ≤ (2·n·ε + 2·ε_out)·|interpreter| for products.
/// </summary>
public class ReductionKernelTests
{
    private static readonly int[] Sizes = [0, 1, 7, 1000, 4099];

    /// <summary>The operand shapes (with a symbolic n) and the axis sets reduced over each.</summary>
    private static readonly (Shape Shape, long[][] AxisSets)[] Cases =
    [
        (Shape.Scalar, [[]]),
        (new Shape(Dim.Sym("n")), [[0]]),
        (new Shape(Dim.Sym("n"), Dim.Of(3)), [[0], [1], [0, 1]]),
        (new Shape(Dim.Of(3), Dim.Sym("n")), [[1], [0]]),
        (new Shape(Dim.Of(2), Dim.Sym("n"), Dim.Of(5)), [[0, 2], [1], [], [0, 1, 2]]),
        (new Shape(Dim.Of(2), Dim.Of(1), Dim.Sym("n")), [[1], [0, 1]]),
    ];

    /// <summary>
    /// Every axis set for float32; for the other dtypes one reduction to one value (the chunked vector lanes) and one
    /// with the innermost dims kept (the tiles), so the test stays fast.
    /// </summary>
    private static (Shape Shape, long[][] AxisSets)[] CasesFor(DType dtype) => Exhaustive(dtype) ? Cases
        : [.. Cases.Select(c => (c.Shape, c.Shape.Rank == 1 ? c.AxisSets : c.Shape.Rank == 3 && !c.Shape[1].IsStatic ? new long[][] { [1] } : []))];

    /// <summary>One function reducing each case's operand over each of its axis sets with <paramref name="primitive"/>, or null when the type rule rejects the dtype.</summary>
    private static Function? Reductions(Primitive primitive, DType dtype)
    {
        var cases = CasesFor(dtype);
        var block = new Block(cases.Select(c => new ShapedType(dtype, c.Shape)));
        var e = new Emitter(block);
        var results = new List<Value>();
        try
        {
            for (int k = 0; k < cases.Length; k++)
                foreach (var axes in cases[k].AxisSets)
                    results.Add(e.Emit1(primitive, [block.Arguments[k]], Attributes.Of(("axes", axes))));
        }
        catch (JaxTypeException)
        {
            return null;
        }
        block.SetResults(results);
        return new Function($"{primitive.Name}_{dtype.ShortName()}", block);
    }

    private static bool Exhaustive(DType dtype) => dtype == DType.Float32;

    /// <summary>The axes used for the dtypes other than float32: the middle (tiles) and last (one output at a time) axes of f[2,n,5].</summary>
    private static bool IsSample(Shape shape, int axis) => shape.Rank == 3 && !shape[1].IsStatic && axis > 0;

    private static Buffer[] Arguments(Function f, int n, int seed, bool nearOne = false) =>
        f.ParameterTypes.Select((t, i) =>
        {
            var shape = new Shape(t.Shape.Select(d => d.IsStatic ? d : Dim.Of(n)));
            var x = CompiledKernels.Values(t.DType, shape, seed + i);
            if (nearOne && t.DType.IsFloat())
            {
                // Products of values near 1 (and a zero, an infinity and a NaN early on): no overflow in any order.
                var rng = new Random(seed + i);
                for (long j = 0; j < x.LongLength; j++) x.SetDouble(j, 1 + (rng.NextDouble() - 0.5) / 64);
                double[] specials = [0.0, double.PositiveInfinity, -1.0, double.NaN];
                for (int j = 0; j < specials.Length && j < x.LongLength; j++) x.SetDouble(x.LongLength - 1 - j * 997 % Math.Max(1, x.LongLength), specials[j]);
            }
            return x;
        }).ToArray();

    public static TheoryData<string> ReducePrimitives => new("reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or");

    [Theory]
    [MemberData(nameof(ReducePrimitives))]
    public void Reductions_match_the_interpreter_for_every_dtype_axis_set_and_size(string name)
    {
        var primitive = (ReducePrimitive)PrimitiveRegistry.Get(name);
        int compiled = 0;
        foreach (var dtype in DTypes.All)
        {
            if (Reductions(primitive, dtype) is not { } f) continue;
            bool inexact = dtype.IsFloat() && primitive.Kind is ReduceKind.Sum or ReduceKind.Prod;
            foreach (int n in Sizes)
            {
                var args = Arguments(f, n, seed: n * 7 + (int)dtype, nearOne: primitive.Kind == ReduceKind.Prod);
                if (inexact) AssertWithinTolerance(f, primitive.Kind, args);
                else CompiledKernels.AssertMatchesInterpreter(f, args);
            }
            compiled++;
        }
        Assert.True(compiled >= (primitive.Kind is ReduceKind.And or ReduceKind.Or ? 9 : 12), $"{name} compiled for {compiled} dtypes");
    }

    /// <summary>Float sums and products: within the stated bound of the interpreter's result (NaN where it is NaN, the same infinity).</summary>
    private static void AssertWithinTolerance(Function f, ReduceKind kind, Buffer[] args)
    {
        var expected = Interpreter.Run(f, args);
        var actual = CompiledKernels.Run(f, args);
        var magnitudes = Interpreter.Run(Magnitudes(f), args);
        var dtype = f.ParameterTypes[0].DType;
        double accumulation = dtype == DType.Float64 ? Math.Pow(2, -53) : Math.Pow(2, -24);
        double output = dtype switch { DType.Float16 => Math.Pow(2, -11), DType.BFloat16 => Math.Pow(2, -8), _ => accumulation };
        int r = 0;
        var cases = CasesFor(dtype);
        for (int k = 0; k < cases.Length; k++)
            foreach (var axes in cases[k].AxisSets)
            {
                var shape = args[k].Shape;
                double n = axes.Aggregate(1.0, (p, a) => p * shape[(int)a].Size);
                for (long i = 0; i < expected[r].LongLength; i++)
                {
                    double e = expected[r].GetDouble(i), a = actual[r].GetDouble(i), m = magnitudes[r].GetDouble(i);
                    string where = $"@{f.Name} result {r} (axes [{string.Join(",", axes)}] of {shape}) element {i}: expected {e}, got {a}";
                    if (double.IsNaN(e) || double.IsInfinity(e)) Assert.True(e.Equals(a) || (double.IsNaN(e) && double.IsNaN(a)), where);
                    else
                    {
                        double bound = kind == ReduceKind.Sum ? 2 * n * accumulation * m + 2 * output * Math.Abs(e) : (2 * n * accumulation + 2 * output) * Math.Abs(e);
                        Assert.True(Math.Abs(a - e) <= bound, $"{where} (bound {bound})");
                    }
                }
                r++;
            }
    }

    /// <summary>Σ|x| over each result's axes, in float64.</summary>
    private static Function Magnitudes(Function f)
    {
        var block = new Block(f.ParameterTypes);
        var e = new Emitter(block);
        var results = new List<Value>();
        var cases = CasesFor(f.ParameterTypes[0].DType);
        for (int k = 0; k < cases.Length; k++)
            foreach (var axes in cases[k].AxisSets)
                results.Add(e.Emit1(Prims.ReduceSum, [e.Abs(e.ConvertElementType(block.Arguments[k], DType.Float64))], Attributes.Of(("axes", axes))));
        block.SetResults(results);
        return new Function(f.Name + "_magnitudes", block);
    }

    [Theory]
    [InlineData("argmax")]
    [InlineData("argmin")]
    public void Arg_reductions_match_the_interpreter_for_every_dtype_axis_and_size(string name)
    {
        var primitive = PrimitiveRegistry.Get(name);
        foreach (var dtype in DTypes.All)
            foreach (var indexType in dtype == DType.Float32 ? new[] { DType.Int32, DType.UInt8 } : [DType.Int64])
            {
                // Axes along n need n > 0 (the interpreter reads the first element); the others also run at n = 0.
                foreach (bool alongN in new[] { false, true })
                {
                    var f = PerAxis(primitive, dtype, $"{name}_{dtype.ShortName()}_{indexType.ShortName()}_{alongN}",
                        (shape, axis) => shape[axis].IsStatic != alongN && (Exhaustive(dtype) || IsSample(shape, axis))
                            ? [Attributes.Of(("axis", (long)axis), ("index_dtype", indexType))] : []);
                    foreach (int n in Sizes.Where(n => n > 0 || !alongN))
                    {
                        var args = Arguments(f, n, seed: n + (int)dtype);
                        if (dtype.IsFloat() && n > 3)
                            foreach (var x in args)
                            {
                                for (long i = 0; i < x.LongLength; i += 37) x.SetDouble(i, x.GetDouble(i / 2)); // ties
                                for (long i = 1500; i < x.LongLength; i += 1999) x.SetDouble(i, double.NaN); // NaNs in several lanes of a row
                                for (long i = 1517; i < x.LongLength; i += 1999) x.SetDouble(i, double.NaN);
                            }
                        CompiledKernels.AssertMatchesInterpreter(f, args);
                    }
                }
            }
    }

    [Fact]
    public void Arg_reductions_over_an_axis_that_is_empty_at_run_time_give_index_zero_without_reading_the_input()
    {
        // The interpreter rejects a statically empty axis and cannot read the first element of one empty at run time.
        var f = IrParser.ParseFunction("""
            func @empty(%0: f32[2,n,5], %1: i16[3,n]) -> (i32[2,5], i64[3]) {
              %2 = argmax %0 {axis = 1, index_dtype = i32} : i32[2,5]
              %3 = argmin %1 {axis = 1, index_dtype = i64} : i64[3]
              return %2, %3
            }
            """);
        var results = CompiledKernels.Run(f, Buffer.Zeros(DType.Float32, Shape.Of(2, 0, 5)), Buffer.Zeros(DType.Int16, Shape.Of(3, 0)));
        Assert.Equal(new int[10], results[0].ToArray<int>());
        Assert.Equal(new long[3], results[1].ToArray<long>());
    }

    [Theory]
    [InlineData("cumsum")]
    [InlineData("cumprod")]
    [InlineData("cummax")]
    [InlineData("cummin")]
    public void Cumulative_scans_match_the_interpreter_bit_for_bit_for_every_dtype_axis_direction_and_size(string name)
    {
        var primitive = PrimitiveRegistry.Get(name);
        int compiled = 0;
        foreach (var dtype in DTypes.All)
        {
            if (dtype == DType.Bool) continue; // not accepted by the type rule
            var f = PerAxis(primitive, dtype, $"{name}_{dtype.ShortName()}", (shape, axis) =>
                new[] { false, true }.Where(reverse => Exhaustive(dtype) || (IsSample(shape, axis) && reverse == (axis == 2)))
                    .Select(reverse => Attributes.Of(("axis", (long)axis), ("reverse", reverse))));
            foreach (int n in Sizes)
                CompiledKernels.AssertMatchesInterpreter(f, Arguments(f, n, seed: 3 * n + (int)dtype, nearOne: name == "cumprod"));
            compiled++;
        }
        Assert.Equal(12, compiled);
    }

    /// <summary>A function applying <paramref name="primitive"/> to the operands of <see cref="Cases"/> (but the scalar) along each axis, with the attributes <paramref name="attributes"/> gives for it.</summary>
    private static Function PerAxis(Primitive primitive, DType dtype, string name, Func<Shape, int, IEnumerable<Attributes>> attributes)
    {
        var block = new Block(Cases.Skip(1).Select(c => new ShapedType(dtype, c.Shape)));
        var e = new Emitter(block);
        var results = new List<Value>();
        int k = 0;
        foreach (var (shape, _) in Cases.Skip(1))
        {
            for (int axis = 0; axis < shape.Rank; axis++)
                foreach (var a in attributes(shape, axis)) results.Add(e.Emit1(primitive, [block.Arguments[k]], a));
            k++;
        }
        block.SetResults(results);
        return new Function(name, block);
    }
}
