namespace JaxToolchain.Ir.Tests.Primitives;

/// <summary>
/// Pins <c>IrSamples/reductions.ir</c>: the module built here with the builder prints exactly as the sample file,
/// and its functions compute the expected numbers. Set <c>JAX_UPDATE_IR_SAMPLES=1</c> to rewrite the file.
/// </summary>
public class ReductionIrSampleTests
{
    private static ShapedType T(DType dtype, params object[] dims) =>
        new(dtype, new Shape(dims.Select(d => d is string s ? Dim.Sym(s) : Dim.Of(Convert.ToInt64(d)))));

    private static Function Fn(string name, ShapedType[] parameters, Func<IrBuilder, IReadOnlyList<Value>, IEnumerable<Value>> build)
    {
        var body = new Block(parameters);
        body.SetResults(build(new IrBuilder(body), body.Arguments).ToArray());
        return new Function(name, body);
    }

    private static Attributes Axes(params int[] axes) => Attributes.Of(("axes", axes));

    private static Attributes Dot(int[] lc, int[] rc, int[] lb, int[] rb) => Attributes.Of(
        ("lhs_contracting_dims", lc), ("rhs_contracting_dims", rc), ("lhs_batch_dims", lb), ("rhs_batch_dims", rb));

    internal static Module BuildSample()
    {
        var module = new Module();
        module.Functions.Add(Fn("row_sums_then_max", [T(DType.Float32, "n", 3)], (b, a) =>
        {
            var sums = b.Emit1(Prims.ReduceSum, [a[0]], Axes(1));
            return [sums, b.Emit1(Prims.ReduceMax, [sums], Axes(0))];
        }));
        module.Functions.Add(Fn("every_reduction", [T(DType.Int32, 2, 3, 4), T(DType.Bool, 2, 3)], (b, a) =>
        [
            b.Emit1(Prims.ReduceMin, [a[0]], Axes(0, 2)),
            b.Emit1(Prims.ReduceProd, [a[0]], Axes(0, 1, 2)),
            b.Emit1(Prims.ReduceAnd, [a[1]], Axes(1)),
            b.Emit1(Prims.ReduceOr, [a[1]], Axes(0, 1)),
        ]));
        module.Functions.Add(Fn("indices_and_scans", [T(DType.Float32, 4, 5)], (b, a) =>
        [
            b.Emit1(Prims.Argmax, [a[0]], Attributes.Of(("axis", 1), ("index_dtype", DType.Int32))),
            b.Emit1(Prims.Argmin, [a[0]], Attributes.Of(("axis", 0), ("index_dtype", DType.Int64))),
            b.Emit1(Prims.Cumsum, [a[0]], Attributes.Of(("axis", 1), ("reverse", false))),
            b.Emit1(Prims.Cumprod, [a[0]], Attributes.Of(("axis", 0), ("reverse", true))),
            b.Emit1(Prims.Cummax, [a[0]], Attributes.Of(("axis", 1), ("reverse", true))),
            b.Emit1(Prims.Cummin, [a[0]], Attributes.Of(("axis", 0), ("reverse", false))),
        ]));
        module.Functions.Add(Fn("sort_pairs", [T(DType.Float32, 8), T(DType.Int32, 8)], (b, a) =>
            b.Emit(Prims.Sort, [a[0], a[1]], Attributes.Of(("dimension", 0), ("is_stable", true), ("num_keys", 1)))));
        module.Functions.Add(Fn("matmul", [T(DType.Float32, "n", 64), T(DType.Float32, 64, 32)], (b, a) =>
            [b.Emit1(Prims.DotGeneral, [a[0], a[1]], Dot([1], [0], [], []))]));
        module.Functions.Add(Fn("batched_matmul", [T(DType.BFloat16, 2, 3, 4), T(DType.BFloat16, 2, 4, 5)], (b, a) =>
            [b.Emit1(Prims.DotGeneral, [a[0], a[1]], Dot([2], [1], [0], [0]))]));
        return module;
    }

    private static string SamplePath([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "IrSamples", "reductions.ir");

    [Fact]
    public void Reductions_sample_file_is_what_the_printer_prints()
    {
        var text = BuildSample().ToString();
        if (Environment.GetEnvironmentVariable("JAX_UPDATE_IR_SAMPLES") == "1") File.WriteAllText(SamplePath(), text);
        Assert.Equal(File.ReadAllText(SamplePath()), text);
    }

    [Fact]
    public void Reductions_sample_functions_compute_expected_values()
    {
        var module = BuildSample();
        var rows = Interpreter.Run(module["row_sums_then_max"], Buffer.Of(new[] { 1f, 2f, 3f, -4f, 5f, 6f }, 2, 3));
        Assert.Equal(new[] { 6f, 7f }, rows[0].Span<float>().ToArray());
        Assert.Equal(7f, rows[1].Span<float>()[0]);

        var ints = Enumerable.Range(1, 24).ToArray();
        var every = Interpreter.Run(module["every_reduction"], Buffer.Of(ints, 2, 3, 4), Buffer.Of(new[] { true, false, true, true, true, true }, 2, 3));
        Assert.Equal(new[] { 1, 5, 9 }, every[0].Span<int>().ToArray());
        Assert.Equal(unchecked((int)Enumerable.Range(1, 24).Aggregate(1L, (p, v) => p * v)), every[1].Span<int>()[0]);
        Assert.Equal(new[] { false, true }, every[2].Span<bool>().ToArray());
        Assert.True(every[3].Span<bool>()[0]);

        var sorted = Interpreter.Run(module["sort_pairs"], Buffer.Of(new[] { 3f, 1f, 2f, 1f, 0f, 5f, -1f, 2f }), Buffer.Of(Enumerable.Range(0, 8).ToArray()));
        Assert.Equal(new[] { 6, 4, 1, 3, 2, 7, 0, 5 }, sorted[1].Span<int>().ToArray());

        var batched = Interpreter.Run(module["batched_matmul"],
            Buffer.Of(Enumerable.Range(0, 24).Select(i => (BFloat16)(float)(i % 5)).ToArray(), 2, 3, 4),
            Buffer.Of(Enumerable.Range(0, 40).Select(i => (BFloat16)(float)(i % 3)).ToArray(), 2, 4, 5)).Single();
        Assert.Equal(Shape.Of(2, 3, 5), batched.Shape);
        // Element [1, 2, 4] = sum_k lhs[1, 2, k] * rhs[1, k, 4].
        float expected = Enumerable.Range(0, 4).Sum(k => (float)((12 + 8 + k) % 5) * ((20 + k * 5 + 4) % 3));
        Assert.Equal(expected, (float)batched.Span<BFloat16>()[1 * 15 + 2 * 5 + 4]);
    }
}
