namespace JaxToolchain.Ir.Tests.Primitives;

public class ReductionArgAndCumulativeTests
{
    private static Buffer Eval(Primitive p, Buffer x, Attributes attributes) =>
        p.Evaluate([x], attributes, [], Interpreter.Default).Single();

    private static Attributes Arg(int axis, DType index = DType.Int32) => Attributes.Of(("axis", axis), ("index_dtype", index));

    private static Attributes Cum(int axis, bool reverse = false) => Attributes.Of(("axis", axis), ("reverse", reverse));

    [Fact]
    public void Argmax_and_argmin_of_a_matrix_match_loops_along_each_axis()
    {
        var rng = new Random(5);
        int rows = 7, cols = 9;
        var x = Enumerable.Range(0, rows * cols).Select(_ => (double)rng.Next(-5, 6)).ToArray();
        var buffer = Buffer.Of(x, rows, cols);
        var byRow = Eval(Prims.Argmax, buffer, Arg(1)).Span<int>().ToArray();
        var byColumn = Eval(Prims.Argmin, buffer, Arg(0)).Span<int>().ToArray();
        for (int r = 0; r < rows; r++)
        {
            var row = x.Skip(r * cols).Take(cols).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), byRow[r]);
        }
        for (int c = 0; c < cols; c++)
        {
            var column = Enumerable.Range(0, rows).Select(r => x[r * cols + c]).ToArray();
            Assert.Equal(Array.IndexOf(column, column.Min()), byColumn[c]);
        }
    }

    [Fact]
    public void Argmax_and_argmin_pick_the_first_of_ties_and_the_first_nan()
    {
        Assert.Equal(0, Eval(Prims.Argmax, Buffer.Of(new[] { 3f, 1f, 3f }), Arg(0)).Span<int>()[0]);
        Assert.Equal(1, Eval(Prims.Argmin, Buffer.Of(new[] { 1, 0, 0 }), Arg(0)).Span<int>()[0]);
        var nan = Buffer.Of(new[] { 1.0, 7.0, double.NaN, 9.0, double.NaN });
        Assert.Equal(2, Eval(Prims.Argmax, nan, Arg(0)).Span<int>()[0]);
        Assert.Equal(2, Eval(Prims.Argmin, nan, Arg(0)).Span<int>()[0]);
        Assert.Equal(0, Eval(Prims.Argmax, Buffer.Of(new[] { Half.NaN, (Half)2 }), Arg(0)).Span<int>()[0]);
        // -0.0 and +0.0 tie, so the first one wins.
        Assert.Equal(0, Eval(Prims.Argmax, Buffer.Of(new[] { -0.0f, 0.0f }), Arg(0)).Span<int>()[0]);
        Assert.Equal(1, Eval(Prims.Argmax, Buffer.Of(new[] { false, true, true }), Arg(0)).Span<int>()[0]);
        Assert.Equal(2, Eval(Prims.Argmin, Buffer.Of(new ulong[] { ulong.MaxValue, 5, 4, 4 }), Arg(0)).Span<int>()[0]);
    }

    [Fact]
    public void Argmax_result_has_the_index_dtype_and_is_strong()
    {
        var x = new ShapedType(DType.Float32, Shape.Of(2, 5, 3), Weak: true);
        Assert.Equal(new ShapedType(DType.Int64, Shape.Of(2, 3)), Prims.Argmax.InferTypes([x], Arg(1, DType.Int64), []).Single());
        var result = Eval(Prims.Argmin, Buffer.Of(new[] { 4f, 2f, 9f, 1f }, 2, 2), Arg(0, DType.UInt8));
        Assert.Equal(DType.UInt8, result.DType);
        Assert.Equal(new byte[] { 0, 1 }, result.Span<byte>().ToArray());
    }

    [Fact]
    public void Argmax_errors_name_the_operation_and_the_types()
    {
        var empty = new ShapedType(DType.Float32, Shape.Of(3, 0));
        var e = Assert.Throws<JaxTypeException>(() => Prims.Argmax.InferTypes([empty], Arg(1), []));
        Assert.Equal("argmax: requires a non-empty reduction dimension, got f32[3,0] with axis 1", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Argmin.InferTypes([empty], Arg(0, DType.Float32), []));
        Assert.Equal("argmin: index_dtype must be an integer dtype, got float32", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Argmin.InferTypes([empty], Arg(2), []));
        Assert.Equal("argmin: axis 2 is out of range for f32[3,0] (axes must be in [0, 2))", e.Message);
    }

    [Fact]
    public void Cumsum_along_each_axis_forward_and_reversed_matches_loops()
    {
        var rng = new Random(6);
        int[] dims = [3, 4, 5];
        var x = Enumerable.Range(0, 60).Select(_ => (long)rng.Next(-100, 100)).ToArray();
        var strides = Strides.RowMajor(dims);
        var index = new int[3];
        for (int axis = 0; axis < 3; axis++)
        {
            foreach (bool reverse in new[] { false, true })
            {
                var actual = Eval(Prims.Cumsum, Buffer.Of(x, dims), Cum(axis, reverse)).Span<long>().ToArray();
                for (int flat = 0; flat < x.Length; flat++)
                {
                    Strides.Unravel(flat, dims, index);
                    int from = reverse ? index[axis] : 0, to = reverse ? dims[axis] - 1 : index[axis];
                    long expected = 0;
                    for (int k = from; k <= to; k++) expected += x[flat + (k - index[axis]) * strides[axis]];
                    Assert.Equal(expected, actual[flat]);
                }
            }
        }
    }

    [Fact]
    public void Cumprod_cummax_and_cummin_match_running_values()
    {
        var x = new[] { 2.0, -1.0, 3.0, 0.5, 4.0 };
        Assert.Equal(new[] { 2.0, -2.0, -6.0, -3.0, -12.0 }, Eval(Prims.Cumprod, Buffer.Of(x), Cum(0)).Span<double>().ToArray());
        Assert.Equal(new[] { 2.0, 2.0, 3.0, 3.0, 4.0 }, Eval(Prims.Cummax, Buffer.Of(x), Cum(0)).Span<double>().ToArray());
        Assert.Equal(new[] { -1.0, -1.0, 0.5, 0.5, 4.0 }, Eval(Prims.Cummin, Buffer.Of(x), Cum(0, reverse: true)).Span<double>().ToArray());
        Assert.Equal(new[] { 65536, 0, 0 }, Eval(Prims.Cumprod, Buffer.Of(new[] { 65536, 65536, 3 }), Cum(0)).Span<int>().ToArray());
        Assert.Equal(new sbyte[] { 100, -56, 44 }, Eval(Prims.Cumsum, Buffer.Of(new sbyte[] { 100, 100, 100 }), Cum(0)).Span<sbyte>().ToArray());
    }

    [Fact]
    public void Cummax_and_cummin_propagate_nan_from_its_position_on()
    {
        var x = Buffer.Of(new[] { 1f, float.NaN, 3f, 0f });
        var max = Eval(Prims.Cummax, x, Cum(0)).Span<float>().ToArray();
        Assert.Equal(1f, max[0]);
        Assert.All(max[1..], v => Assert.True(float.IsNaN(v)));
        var min = Eval(Prims.Cummin, x, Cum(0, reverse: true)).Span<float>().ToArray();
        Assert.True(float.IsNaN(min[0]) && float.IsNaN(min[1]));
        Assert.Equal(new[] { 0f, 0f }, min[2..]);
    }

    [Fact]
    public void Cumsum_of_float16_keeps_a_float32_running_sum_and_rounds_each_output()
    {
        // Running float32 sums 2048, 2049, 2050 round to float16 as 2048, 2048 (ties to even), 2050;
        // a float16 running sum would stay at 2048.
        var x = Buffer.Of(new[] { (Half)2048, (Half)1, (Half)1 });
        Assert.Equal(new[] { (Half)2048, (Half)2048, (Half)2050 }, Eval(Prims.Cumsum, x, Cum(0)).Span<Half>().ToArray());
    }

    [Fact]
    public void Cumulative_ops_keep_the_operand_type_and_reject_bool()
    {
        var x = new ShapedType(DType.BFloat16, Shape.Of(4, 0), Weak: true);
        Assert.Equal(x, Prims.Cummax.InferTypes([x], Cum(1), []).Single());
        Assert.Equal(Shape.Of(4, 0), Eval(Prims.Cumsum, Buffer.Zeros(DType.Float32, Shape.Of(4, 0)), Cum(1)).Shape);
        var e = Assert.Throws<JaxTypeException>(() => Prims.Cumsum.InferTypes([ShapedType.Scalar(DType.Bool)], Cum(0), []));
        Assert.StartsWith("cumsum: does not accept dtype bool", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Cumprod.InferTypes([x], Attributes.Of(("axis", 0)), []));
        Assert.Equal("cumprod: missing attribute 'reverse'", e.Message);
    }
}
