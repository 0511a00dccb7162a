namespace JaxToolchain.Ir.Tests.Primitives;

public class ReductionTests
{
    private static Buffer Eval(Primitive p, Buffer x, Attributes attributes) =>
        p.Evaluate([x], attributes, [], Interpreter.Default).Single();

    private static Attributes Axes(params int[] axes) => Attributes.Of(("axes", axes));

    private static double[] RandomDoubles(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 20 - 10, 3)).ToArray();
    }

    /// <summary>An independent reduction: walks every input multi-index and folds into its output position.</summary>
    private static T[] NaiveReduce<T>(T[] x, int[] dims, int[] axes, T identity, Func<T, T, T> combine)
    {
        var outDims = dims.Where((_, d) => !axes.Contains(d)).ToArray();
        var result = Enumerable.Repeat(identity, outDims.Aggregate(1, (a, b) => a * b)).ToArray();
        var outStrides = Strides.RowMajor(outDims);
        var index = new int[dims.Length];
        for (int flat = 0; flat < x.Length; flat++)
        {
            Strides.Unravel(flat, dims, index);
            int o = 0, od = 0;
            for (int d = 0; d < dims.Length; d++)
                if (!axes.Contains(d)) o += index[d] * outStrides[od++];
            result[o] = combine(result[o], x[flat]);
        }
        return result;
    }

    private static IEnumerable<int[]> AxisSubsets(int rank) =>
        Enumerable.Range(0, 1 << rank).Select(mask => Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).ToArray());

    [Fact]
    public void ReduceSum_float64_over_every_axis_subset_matches_naive_loops()
    {
        int[] dims = [3, 4, 5];
        var x = RandomDoubles(60, 1);
        foreach (var axes in AxisSubsets(3))
        {
            var expected = NaiveReduce(x, dims, axes, 0.0, (a, b) => a + b);
            var actual = Eval(Prims.ReduceSum, Buffer.Of(x, dims), Axes(axes)).Span<double>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-9);
        }
    }

    [Fact]
    public void ReduceMax_and_min_over_every_axis_subset_match_naive_loops_for_int32_and_float32()
    {
        int[] dims = [2, 3, 1, 4];
        var xd = RandomDoubles(24, 2);
        var xf = xd.Select(v => (float)v).ToArray();
        var xi = xd.Select(v => (int)(v * 100)).ToArray();
        foreach (var axes in AxisSubsets(4))
        {
            Assert.Equal(NaiveReduce(xf, dims, axes, float.NegativeInfinity, Math.Max), Eval(Prims.ReduceMax, Buffer.Of(xf, dims), Axes(axes)).Span<float>().ToArray());
            Assert.Equal(NaiveReduce(xf, dims, axes, float.PositiveInfinity, Math.Min), Eval(Prims.ReduceMin, Buffer.Of(xf, dims), Axes(axes)).Span<float>().ToArray());
            Assert.Equal(NaiveReduce(xi, dims, axes, int.MinValue, Math.Max), Eval(Prims.ReduceMax, Buffer.Of(xi, dims), Axes(axes)).Span<int>().ToArray());
            Assert.Equal(NaiveReduce(xi, dims, axes, int.MaxValue, Math.Min), Eval(Prims.ReduceMin, Buffer.Of(xi, dims), Axes(axes)).Span<int>().ToArray());
        }
    }

    [Fact]
    public void ReduceProd_int64_over_every_axis_subset_matches_naive_wrapping_loops()
    {
        int[] dims = [4, 3, 2];
        var rng = new Random(3);
        var x = Enumerable.Range(0, 24).Select(_ => (long)rng.Next(-50000, 50000)).ToArray();
        foreach (var axes in AxisSubsets(3))
            Assert.Equal(NaiveReduce(x, dims, axes, 1L, (a, b) => unchecked(a * b)), Eval(Prims.ReduceProd, Buffer.Of(x, dims), Axes(axes)).Span<long>().ToArray());
    }

    [Fact]
    public void ReduceSum_float32_adds_in_float32()
    {
        // 2^24 + 1 is not a float32: a float32 accumulator stays at 2^24, a double one would reach 2^24 + 1.
        var x = Buffer.Of(new[] { 16777216f, 1f }, 1, 2);
        Assert.Equal(16777216f, Eval(Prims.ReduceSum, x, Axes(1)).Span<float>()[0]);
        var column = Buffer.Of(new[] { 16777216f, 1f }, 2, 1);
        Assert.Equal(16777216f, Eval(Prims.ReduceSum, column, Axes(0)).Span<float>()[0]);
    }

    [Fact]
    public void ReduceSum_float32_of_a_long_row_is_close_to_the_exact_sum()
    {
        var x = RandomDoubles(10007, 4).Select(v => (float)v).ToArray();
        double exact = x.Sum(v => (double)v);
        float actual = Eval(Prims.ReduceSum, Buffer.Of(x), Axes(0)).Span<float>()[0];
        Assert.True(Math.Abs(actual - exact) < 1e-3 * x.Sum(v => Math.Abs(v)), $"{actual} vs {exact}");
    }

    [Fact]
    public void ReduceSum_float16_and_bfloat16_accumulate_in_float32_and_round_once()
    {
        // Adding ones in float16 stalls at 2048 (its spacing there is 2); float32 accumulation reaches 3000 exactly.
        var halves = Enumerable.Repeat((Half)1, 3000).ToArray();
        Assert.Equal((Half)3000, Eval(Prims.ReduceSum, Buffer.Of(halves), Axes(0)).Span<Half>()[0]);
        // bfloat16 stalls at 256; float32 gives 300, which bfloat16 represents.
        var bf = Enumerable.Repeat((BFloat16)1f, 300).ToArray();
        Assert.Equal(300f, (float)Eval(Prims.ReduceSum, Buffer.Of(bf), Axes(0)).Span<BFloat16>()[0]);
        // Over a non-contiguous axis too.
        var column = Enumerable.Repeat((Half)1, 3000).ToArray();
        Assert.Equal((Half)3000, Eval(Prims.ReduceSum, Buffer.Of(column, 3000, 1), Axes(0)).Span<Half>()[0]);
    }

    [Fact]
    public void Integer_sums_and_products_wrap()
    {
        Assert.Equal((sbyte)44, Eval(Prims.ReduceSum, Buffer.Of(new sbyte[] { 100, 100, 100 }), Axes(0)).Span<sbyte>()[0]);
        Assert.Equal((byte)44, Eval(Prims.ReduceSum, Buffer.Of(new byte[] { 200, 100 }), Axes(0)).Span<byte>()[0]);
        Assert.Equal(int.MinValue, Eval(Prims.ReduceSum, Buffer.Of(new[] { int.MaxValue, 1 }), Axes(0)).Span<int>()[0]);
        Assert.Equal(0, Eval(Prims.ReduceProd, Buffer.Of(new[] { 65536, 65536 }), Axes(0)).Span<int>()[0]);
        Assert.Equal(ulong.MaxValue, Eval(Prims.ReduceSum, Buffer.Of(new ulong[] { 0, ulong.MaxValue }), Axes(0)).Span<ulong>()[0]);
        var longs = Enumerable.Repeat(long.MaxValue, 40).ToArray();
        Assert.Equal(unchecked(long.MaxValue * 40), Eval(Prims.ReduceSum, Buffer.Of(longs), Axes(0)).Span<long>()[0]);
    }

    [Fact]
    public void Empty_reductions_give_the_identity_elements()
    {
        var f = Buffer.Zeros(DType.Float32, Shape.Of(0, 3));
        Assert.Equal(new[] { 0f, 0f, 0f }, Eval(Prims.ReduceSum, f, Axes(0)).Span<float>().ToArray());
        Assert.Equal(new[] { 1f, 1f, 1f }, Eval(Prims.ReduceProd, f, Axes(0)).Span<float>().ToArray());
        Assert.All(Eval(Prims.ReduceMax, f, Axes(0)).Span<float>().ToArray(), v => Assert.Equal(float.NegativeInfinity, v));
        Assert.All(Eval(Prims.ReduceMin, f, Axes(0)).Span<float>().ToArray(), v => Assert.Equal(float.PositiveInfinity, v));
        Assert.Equal(int.MinValue, Eval(Prims.ReduceMax, Buffer.Zeros(DType.Int32, Shape.Of(0)), Axes(0)).Span<int>()[0]);
        Assert.Equal(byte.MaxValue, Eval(Prims.ReduceMin, Buffer.Zeros(DType.UInt8, Shape.Of(0)), Axes(0)).Span<byte>()[0]);
        Assert.Equal(-1L, Eval(Prims.ReduceAnd, Buffer.Zeros(DType.Int64, Shape.Of(0)), Axes(0)).Span<long>()[0]);
        Assert.Equal(Half.NegativeInfinity, Eval(Prims.ReduceMax, Buffer.Zeros(DType.Float16, Shape.Of(0)), Axes(0)).Span<Half>()[0]);
        var b = Buffer.Zeros(DType.Bool, Shape.Of(2, 0));
        Assert.Equal(new[] { true, true }, Eval(Prims.ReduceAnd, b, Axes(1)).Span<bool>().ToArray());
        Assert.Equal(new[] { false, false }, Eval(Prims.ReduceOr, b, Axes(1)).Span<bool>().ToArray());
        Assert.Equal(new[] { false, false }, Eval(Prims.ReduceMax, b, Axes(1)).Span<bool>().ToArray());
        Assert.Equal(new[] { true, true }, Eval(Prims.ReduceMin, b, Axes(1)).Span<bool>().ToArray());
        // Reducing no axes of an empty array gives an empty array.
        Assert.Equal(Shape.Of(0, 3), Eval(Prims.ReduceSum, f, Axes()).Shape);
    }

    [Fact]
    public void ReduceMax_and_min_propagate_nan_over_contiguous_and_strided_axes()
    {
        var row = Buffer.Of(new[] { 1.0, double.NaN, 3.0, double.PositiveInfinity }, 1, 4);
        Assert.True(double.IsNaN(Eval(Prims.ReduceMax, row, Axes(1)).Span<double>()[0]));
        Assert.True(double.IsNaN(Eval(Prims.ReduceMin, row, Axes(1)).Span<double>()[0]));
        var column = Buffer.Of(new[] { 1f, 2f, float.NaN, 0f, 5f, -1f }, 3, 2);
        var max = Eval(Prims.ReduceMax, column, Axes(0)).Span<float>().ToArray();
        Assert.True(float.IsNaN(max[0]));
        Assert.Equal(2f, max[1]);
        var min = Eval(Prims.ReduceMin, column, Axes(0)).Span<float>().ToArray();
        Assert.True(float.IsNaN(min[0]));
        Assert.Equal(-1f, min[1]);
        var halves = Buffer.Of(new[] { (Half)1, Half.NaN, (Half)2 });
        Assert.True(Half.IsNaN(Eval(Prims.ReduceMax, halves, Axes(0)).Span<Half>()[0]));
    }

    [Fact]
    public void ReduceAnd_and_or_are_logical_on_bool_and_bitwise_on_integers()
    {
        var b = Buffer.Of(new[] { true, true, false, true, true, true }, 2, 3);
        Assert.Equal(new[] { false, true }, Eval(Prims.ReduceAnd, b, Axes(1)).Span<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, Eval(Prims.ReduceAnd, b, Axes(0)).Span<bool>().ToArray());
        Assert.Equal(new[] { true, true, true }, Eval(Prims.ReduceOr, b, Axes(0)).Span<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, Eval(Prims.ReduceMin, b, Axes(0)).Span<bool>().ToArray());
        Assert.Equal(new[] { true, true }, Eval(Prims.ReduceMax, b, Axes(1)).Span<bool>().ToArray());
        var i = Buffer.Of(new[] { 0b1100, 0b1010, 0b1001 });
        Assert.Equal(0b1000, Eval(Prims.ReduceAnd, i, Axes(0)).Span<int>()[0]);
        Assert.Equal(0b1111, Eval(Prims.ReduceOr, i, Axes(0)).Span<int>()[0]);
    }

    [Fact]
    public void Reductions_drop_the_reduced_axes_and_keep_dtype_and_weakness()
    {
        var x = new ShapedType(DType.Float32, new Shape(Dim.Sym("n"), 4, 5), Weak: true);
        var t = Prims.ReduceSum.InferTypes([x], Axes(2, 1), []).Single();
        Assert.Equal(new ShapedType(DType.Float32, new Shape(Dim.Sym("n")), Weak: true), t);
        var strong = Prims.ReduceMax.InferTypes([ShapedType.Scalar(DType.Int8)], Axes(), []).Single();
        Assert.Equal(ShapedType.Scalar(DType.Int8), strong);
    }

    [Fact]
    public void Reduction_errors_name_the_operation_and_the_types()
    {
        var f = new ShapedType(DType.Float32, Shape.Of(3, 4));
        var e = Assert.Throws<JaxTypeException>(() => Prims.ReduceSum.InferTypes([f], Axes(2), []));
        Assert.Equal("reduce_sum: axes [2] out of range for f32[3,4]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.ReduceMax.InferTypes([f], Axes(1, 1), []));
        Assert.Equal("reduce_max: axes [1, 1] repeat axis 1", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.ReduceSum.InferTypes([ShapedType.Scalar(DType.Bool)], Axes(), []));
        Assert.StartsWith("reduce_sum: does not accept dtype bool", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.ReduceAnd.InferTypes([f], Axes(0), []));
        Assert.Equal("reduce_and: requires a bool or integer operand, got f32[3,4]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.ReduceProd.InferTypes([f], Attributes.Empty, []));
        Assert.Equal("reduce_prod: missing attribute 'axes'", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.ReduceMin.InferTypes([f], Attributes.Of(("axes", 1)), []));
        Assert.Equal("reduce_min: attribute 'axes' should be an integer list, got 1", e.Message);
    }

    [Fact]
    public void Reductions_run_inside_an_ir_function()
    {
        var body = new Block([new ShapedType(DType.Float64, Shape.Of(2, 3))]);
        var b = new IrBuilder(body);
        var sum = b.Emit1(Prims.ReduceSum, [body.Arguments[0]], Axes(1));
        var max = b.Emit1(Prims.ReduceMax, [sum], Axes(0));
        body.SetResults([max]);
        var result = Interpreter.Run(new Function("f", body), Buffer.Of(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3)).Single();
        Assert.Equal(15.0, result.Span<double>()[0]);
    }
}
