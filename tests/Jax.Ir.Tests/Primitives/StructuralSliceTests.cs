using static JaxToolchain.Ir.Tests.Primitives.StructuralHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class StructuralSliceTests
{
    // ---- pad ----

    private static Attributes PadAttrs(long[] low, long[] high, long[] interior) =>
        Attributes.Of(("low", low), ("high", high), ("interior", interior));

    /// <summary>Padding by definition: result position o holds x[j] when o = low + j·(interior + 1), else the value.</summary>
    private static double[] PadReference(double[] x, int[] dims, long[] low, long[] high, long[] interior, double value, out int[] outDims)
    {
        var od = new int[dims.Length];
        for (int d = 0; d < dims.Length; d++)
            od[d] = (int)(low[d] + high[d] + dims[d] + Math.Max(dims[d] - 1, 0) * interior[d]);
        outDims = od;
        var result = new List<double>();
        var o = new int[dims.Length];
        int total = od.Aggregate(1, (p, n) => p * n);
        for (int flat = 0; flat < total; flat++)
        {
            int rem = flat, src = 0, stride = 1;
            bool hit = true;
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                o[d] = rem % od[d];
                rem /= od[d];
                long rel = o[d] - low[d];
                long j = rel / (interior[d] + 1);
                if (rel < 0 || rel % (interior[d] + 1) != 0 || j >= dims[d]) hit = false;
                else src += (int)j * stride;
                stride *= dims[d];
            }
            result.Add(hit ? x[src] : value);
        }
        return [.. result];
    }

    [Fact]
    public void Pad_one_dimension_with_edges_and_interior()
    {
        var x = Counting(DType.Float32, 3);
        var pv = Buffer.Scalar(0f);
        AssertBuffer(DType.Float32, [6], [0, 1, 2, 3, 0, 0], Run(Prims.Pad, PadAttrs([1], [2], [0]), x, pv));
        AssertBuffer(DType.Float32, [8], [0, 0, 1, 0, 2, 0, 3, 0], Run(Prims.Pad, PadAttrs([2], [1], [1]), x, pv));
        AssertBuffer(DType.Float32, [9], [1, 0, 0, 2, 0, 0, 3, 0, 0], Run(Prims.Pad, PadAttrs([0], [2], [2]), x, pv));
    }

    [Fact]
    public void Pad_with_negative_low_and_high_crops()
    {
        var x = Counting(DType.Int32, 5);
        var pv = Buffer.Scalar(-9);
        AssertBuffer(DType.Int32, [2], [2, 3], Run(Prims.Pad, PadAttrs([-1], [-2], [0]), x, pv));
        // [1,-9,2,-9,3] cropped by one on the left: [-9,2,-9,3]; and by three on the right: [1,-9].
        var y = Counting(DType.Int32, 3);
        AssertBuffer(DType.Int32, [4], [-9, 2, -9, 3], Run(Prims.Pad, PadAttrs([-1], [0], [1]), y, pv));
        AssertBuffer(DType.Int32, [2], [1, -9], Run(Prims.Pad, PadAttrs([0], [-3], [1]), y, pv));
        AssertBuffer(DType.Int32, [3], [-9, 3, -9], Run(Prims.Pad, PadAttrs([-3], [1], [1]), y, pv));
        AssertBuffer(DType.Int32, [0], [], Run(Prims.Pad, PadAttrs([-1], [-1], [0]), Counting(DType.Int32, 2), pv));
    }

    public static TheoryData<long[], long[], long[]> PadCases() => new()
    {
        { [1, 0], [0, 2], [0, 0] },
        { [0, 1], [1, 0], [1, 2] },
        { [-1, 2], [1, -2], [1, 0] },
        { [-2, -1], [-1, -3], [2, 1] },
        { [3, -4], [-5, 2], [0, 3] },
    };

    [Theory]
    [MemberData(nameof(PadCases))]
    public void Pad_two_dimensions_matches_the_definition(long[] low, long[] high, long[] interior)
    {
        foreach (var dtype in new[] { DType.Float64, DType.UInt8, DType.BFloat16 })
        {
            var x = Counting(dtype, 3, 4);
            var expected = PadReference(Doubles(x), [3, 4], low, high, interior, 99, out var outDims);
            var r = Run(Prims.Pad, PadAttrs(low, high, interior), x, Of(dtype, [], 99));
            AssertBuffer(dtype, outDims, expected, r);
        }
    }

    [Fact]
    public void Pad_of_a_zero_size_array_is_all_padding()
    {
        var r = Run(Prims.Pad, PadAttrs([2, 0], [1, 0], [3, 0]), Counting(DType.Float16, 0, 2), Of(DType.Float16, [], 0.5));
        AssertBuffer(DType.Float16, [3, 2], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], r);
    }

    [Fact]
    public void Pad_weakness_and_symbolic_dims()
    {
        Assert.Equal(Ty("f32[5]{weak}"), Infer(Prims.Pad, PadAttrs([1], [1], [0]), Ty("f32[3]{weak}"), Ty("f32[]{weak}")));
        Assert.Equal(Ty("f32[5]"), Infer(Prims.Pad, PadAttrs([1], [1], [0]), Ty("f32[3]{weak}"), Ty("f32[]")));
        Assert.Equal(Ty("f32[n,5]"), Infer(Prims.Pad, PadAttrs([0, 1], [0, 1], [0, 0]), Ty("f32[n,3]"), Ty("f32[]")));
        Assert.Equal("pad: cannot pad symbolic dimension 0 of f32[n,3]",
            Fails(Prims.Pad, PadAttrs([1, 0], [0, 0], [0, 0]), Ty("f32[n,3]"), Ty("f32[]")));
    }

    [Fact]
    public void Pad_errors_name_the_padding_and_shapes()
    {
        Assert.Equal("pad: low [-2], high [-2], interior [0] give a negative size for dimension 0 of f32[3]",
            Fails(Prims.Pad, PadAttrs([-2], [-2], [0]), Ty("f32[3]"), Ty("f32[]")));
        Assert.Equal("pad: interior [-1] must be non-negative for f32[3]",
            Fails(Prims.Pad, PadAttrs([0], [0], [-1]), Ty("f32[3]"), Ty("f32[]")));
        Assert.Equal("pad: padding value i32[] must be a scalar of dtype f32 to pad f32[3]",
            Fails(Prims.Pad, PadAttrs([0], [0], [0]), Ty("f32[3]"), Ty("i32[]")));
        Assert.Equal("pad: padding value f32[1] must be a scalar of dtype f32 to pad f32[3]",
            Fails(Prims.Pad, PadAttrs([0], [0], [0]), Ty("f32[3]"), Ty("f32[1]")));
        Assert.Equal("pad: low [0] must have 2 entries for f32[3,3]",
            Fails(Prims.Pad, PadAttrs([0], [0, 0], [0, 0]), Ty("f32[3,3]"), Ty("f32[]")));
    }

    // ---- concatenate ----

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Concatenate_joins_along_each_axis(DType dtype)
    {
        var a = Counting(dtype, 2, 2);
        var b = Of(dtype, [2, 3], 11, 12, 13, 14, 15, 16);
        AssertBuffer(dtype, [2, 5], [1, 2, 11, 12, 13, 3, 4, 14, 15, 16], Run(Prims.Concatenate, Attributes.Of(("dimension", 1)), a, b));
        var c = Of(dtype, [1, 2], 21, 22);
        AssertBuffer(dtype, [3, 2], [1, 2, 3, 4, 21, 22], Run(Prims.Concatenate, Attributes.Of(("dimension", 0)), a, c));
    }

    [Fact]
    public void Concatenate_of_three_with_a_zero_size_operand_matches_loops()
    {
        var x = Counting(DType.Int64, 2, 1, 3);
        var empty = Counting(DType.Int64, 2, 0, 3);
        var y = Of(DType.Int64, [2, 2, 3], Enumerable.Range(100, 12).Select(v => (double)v).ToArray());
        var r = Run(Prims.Concatenate, Attributes.Of(("dimension", 1)), x, empty, y);
        var expected = new List<double>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++)
                    expected.Add(j == 0 ? i * 3 + k + 1 : 100 + i * 6 + (j - 1) * 3 + k);
        AssertBuffer(DType.Int64, [2, 3, 3], [.. expected], r);
        var bools = Run(Prims.Concatenate, Attributes.Of(("dimension", 0)),
            new Buffer(DType.Bool, Shape.Of(1), new[] { true }), new Buffer(DType.Bool, Shape.Of(2), new[] { false, true }));
        Assert.Equal(new[] { true, false, true }, bools.ToArray<bool>());
    }

    [Fact]
    public void Concatenate_weakness_and_symbolic_dims()
    {
        var cat1 = Attributes.Of(("dimension", 1));
        Assert.Equal(Ty("f32[2,5]{weak}"), Infer(Prims.Concatenate, cat1, Ty("f32[2,3]{weak}"), Ty("f32[2,2]{weak}")));
        Assert.Equal(Ty("f32[2,5]"), Infer(Prims.Concatenate, cat1, Ty("f32[2,3]{weak}"), Ty("f32[2,2]")));
        Assert.Equal(Ty("f32[n,5]"), Infer(Prims.Concatenate, cat1, Ty("f32[n,3]"), Ty("f32[n,2]")));
        Assert.Equal(Ty("f32[n,3]"), Infer(Prims.Concatenate, Attributes.Of(("dimension", 0)), Ty("f32[n,3]")));
        Assert.Equal("concatenate: cannot concatenate f32[n,3] along its symbolic dimension 0",
            Fails(Prims.Concatenate, Attributes.Of(("dimension", 0)), Ty("f32[n,3]"), Ty("f32[2,3]")));
    }

    [Fact]
    public void Concatenate_errors_name_the_shapes()
    {
        var cat0 = Attributes.Of(("dimension", 0));
        Assert.Equal("concatenate: shapes f32[2,3] and f32[2,4] differ outside dimension 0", Fails(Prims.Concatenate, cat0, Ty("f32[2,3]"), Ty("f32[2,4]")));
        Assert.Equal("concatenate: dtypes of f32[2] and i32[2] differ", Fails(Prims.Concatenate, cat0, Ty("f32[2]"), Ty("i32[2]")));
        Assert.Equal("concatenate: ranks of f32[2] and f32[2,1] differ", Fails(Prims.Concatenate, cat0, Ty("f32[2]"), Ty("f32[2,1]")));
        Assert.Equal("concatenate: dimension 2 out of range for f32[2,3]", Fails(Prims.Concatenate, Attributes.Of(("dimension", 2)), Ty("f32[2,3]")));
        Assert.Equal("concatenate: needs at least one operand", Fails(Prims.Concatenate, cat0));
    }

    // ---- slice ----

    private static Attributes SliceAttrs(long[] start, long[] limit, long[]? strides = null) =>
        strides is null
            ? Attributes.Of(("start_indices", start), ("limit_indices", limit))
            : Attributes.Of(("start_indices", start), ("limit_indices", limit), ("strides", strides));

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Slice_takes_a_strided_window(DType dtype)
    {
        var x = Counting(dtype, 4, 5);
        long[] start = [1, 0], limit = [4, 5], strides = [2, 3];
        var r = Run(Prims.Slice, SliceAttrs(start, limit, strides), x);
        var expected = new List<double>();
        for (long i = start[0]; i < limit[0]; i += strides[0])
            for (long j = start[1]; j < limit[1]; j += strides[1])
                expected.Add(i * 5 + j + 1);
        AssertBuffer(dtype, [2, 2], [.. expected], r);
        AssertBuffer(dtype, [2, 3], [7, 8, 9, 12, 13, 14], Run(Prims.Slice, SliceAttrs([1, 1], [3, 4]), x));
    }

    [Fact]
    public void Slice_of_rows_and_empty_windows()
    {
        var x = Counting(DType.Float32, 4, 3);
        AssertBuffer(DType.Float32, [2, 3], [4, 5, 6, 7, 8, 9], Run(Prims.Slice, SliceAttrs([1, 0], [3, 3], [1, 1]), x));
        AssertBuffer(DType.Float32, [0, 3], [], Run(Prims.Slice, SliceAttrs([4, 0], [4, 3]), x));
        AssertBuffer(DType.Float32, [4, 0], [], Run(Prims.Slice, SliceAttrs([0, 3], [4, 3]), x));
    }

    [Fact]
    public void Slice_errors_and_symbolic_bounds_checked_at_run_time()
    {
        Assert.Equal("slice: start_indices [0, 0] and limit_indices [3, 2] are out of bounds for f32[2,3]",
            Fails(Prims.Slice, SliceAttrs([0, 0], [3, 2]), Ty("f32[2,3]")));
        Assert.Equal("slice: start_indices [2] and limit_indices [1] are out of bounds for f32[3]",
            Fails(Prims.Slice, SliceAttrs([2], [1]), Ty("f32[3]")));
        Assert.Equal("slice: strides [0] must be positive for f32[3]", Fails(Prims.Slice, SliceAttrs([0], [1], [0]), Ty("f32[3]")));
        Assert.Equal("slice: start_indices [0] must have 2 entries for f32[2,3]", Fails(Prims.Slice, SliceAttrs([0], [1, 1]), Ty("f32[2,3]")));

        var f = Build(Prims.Slice, SliceAttrs([0, 1], [2, 3]), Ty("f32[n,3]{weak}"));
        Assert.Equal(Ty("f32[2,2]{weak}"), f.ResultTypes[0]);
        AssertBuffer(DType.Float32, [2, 2], [2, 3, 5, 6], Interpreter.Run(f, Counting(DType.Float32, 3, 3)).Single());
        var e = Assert.Throws<JaxTypeException>(() => Interpreter.Run(f, Counting(DType.Float32, 1, 3)));
        Assert.Equal("slice: start_indices [0, 1] and limit_indices [2, 3] are out of bounds for f32[1,3]", e.Message);
    }

    // ---- dynamic_slice ----

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Dynamic_slice_reads_the_window_at_the_starts(DType dtype)
    {
        var x = Counting(dtype, 4, 5);
        var attrs = Attributes.Of(("slice_sizes", new long[] { 2, 3 }));
        AssertBuffer(dtype, [2, 3], [8, 9, 10, 13, 14, 15], Run(Prims.DynamicSlice, attrs, x, I32(1), I32(2)));
    }

    [Fact]
    public void Dynamic_slice_clamps_starts_into_range()
    {
        var x = Counting(DType.Int32, 4, 5);
        var attrs = Attributes.Of(("slice_sizes", new long[] { 2, 3 }));
        // Start (9, -4) clamps to (4 - 2, 0) = (2, 0).
        AssertBuffer(DType.Int32, [2, 3], [11, 12, 13, 16, 17, 18], Run(Prims.DynamicSlice, attrs, x, Buffer.Scalar(9L), Buffer.Scalar((sbyte)-4)));
        // Unsigned start beyond the range clamps to the last valid start.
        AssertBuffer(DType.Int32, [2, 3], [13, 14, 15, 18, 19, 20], Run(Prims.DynamicSlice, attrs, x, Buffer.Scalar(ulong.MaxValue), Buffer.Scalar((byte)200)));
        var zero = Attributes.Of(("slice_sizes", new long[] { 0, 5 }));
        AssertBuffer(DType.Int32, [0, 5], [], Run(Prims.DynamicSlice, zero, x, I32(3), I32(1)));
    }

    [Fact]
    public void Dynamic_slice_errors_and_weakness()
    {
        var attrs = Attributes.Of(("slice_sizes", new long[] { 2, 3 }));
        Assert.Equal(Ty("f32[2,3]{weak}"), Infer(Prims.DynamicSlice, attrs, Ty("f32[n,3]{weak}"), Ty("i32[]"), Ty("i64[]")));
        Assert.Equal("dynamic_slice: expected 2 start indices for f32[4,5], got 1", Fails(Prims.DynamicSlice, attrs, Ty("f32[4,5]"), Ty("i32[]")));
        Assert.Equal("dynamic_slice: start index 1 must be an integer scalar, got f32[]", Fails(Prims.DynamicSlice, attrs, Ty("f32[4,5]"), Ty("i32[]"), Ty("f32[]")));
        Assert.Equal("dynamic_slice: start index 0 must be an integer scalar, got i32[1]", Fails(Prims.DynamicSlice, attrs, Ty("f32[4,5]"), Ty("i32[1]"), Ty("i32[]")));
        Assert.Equal("dynamic_slice: slice_sizes [2, 3] do not fit in f32[4,2]", Fails(Prims.DynamicSlice, attrs, Ty("f32[4,2]"), Ty("i32[]"), Ty("i32[]")));
    }

    // ---- dynamic_update_slice ----

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Dynamic_update_slice_overwrites_a_window_and_leaves_x_unchanged(DType dtype)
    {
        var x = Counting(dtype, 3, 4);
        var before = Doubles(x);
        var u = Of(dtype, [2, 2], 50, 51, 52, 53);
        var r = Run(Prims.DynamicUpdateSlice, Attributes.Empty, x, u, I32(1), I32(1));
        AssertBuffer(dtype, [3, 4], [1, 2, 3, 4, 5, 50, 51, 8, 9, 52, 53, 12], r);
        Assert.Equal(before, Doubles(x));
    }

    [Fact]
    public void Dynamic_update_slice_clamps_starts()
    {
        var x = Counting(DType.Float64, 3, 4);
        var u = Of(DType.Float64, [2, 2], 50, 51, 52, 53);
        // (5, 3) clamps to (1, 2); (-1, -7) clamps to (0, 0).
        AssertBuffer(DType.Float64, [3, 4], [1, 2, 3, 4, 5, 6, 50, 51, 9, 10, 52, 53], Run(Prims.DynamicUpdateSlice, Attributes.Empty, x, u, I32(5), I32(3)));
        AssertBuffer(DType.Float64, [3, 4], [50, 51, 3, 4, 52, 53, 7, 8, 9, 10, 11, 12], Run(Prims.DynamicUpdateSlice, Attributes.Empty, x, u, I32(-1), I32(-7)));
        var empty = Run(Prims.DynamicUpdateSlice, Attributes.Empty, x, Counting(DType.Float64, 0, 4), I32(2), I32(0));
        Assert.Equal(Doubles(x), Doubles(empty));
    }

    [Fact]
    public void Dynamic_update_slice_errors_and_weakness()
    {
        Assert.Equal(Ty("f32[n,3]{weak}"), Infer(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[n,3]{weak}"), Ty("f32[1,3]"), Ty("i32[]"), Ty("i32[]")));
        Assert.Equal("dynamic_update_slice: update f32[2,4] does not fit in f32[3,3]",
            Fails(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[3,3]"), Ty("f32[2,4]"), Ty("i32[]"), Ty("i32[]")));
        Assert.Equal("dynamic_update_slice: update i32[1,1] must have the dtype and rank of f32[3,3]",
            Fails(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[3,3]"), Ty("i32[1,1]"), Ty("i32[]"), Ty("i32[]")));
        Assert.Equal("dynamic_update_slice: update f32[1] must have the dtype and rank of f32[3,3]",
            Fails(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[3,3]"), Ty("f32[1]"), Ty("i32[]"), Ty("i32[]")));
        Assert.Equal("dynamic_update_slice: expected 2 start indices for f32[3,3], got 3",
            Fails(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[3,3]"), Ty("f32[1,1]"), Ty("i32[]"), Ty("i32[]"), Ty("i32[]")));
        Assert.Equal("dynamic_update_slice: start index 0 must be an integer scalar, got bool[]",
            Fails(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[3,3]"), Ty("f32[1,1]"), Ty("bool[]"), Ty("i32[]")));
        Assert.Equal("dynamic_update_slice: update f32[m,3] does not fit in f32[n,3]",
            Fails(Prims.DynamicUpdateSlice, Attributes.Empty, Ty("f32[n,3]"), Ty("f32[m,3]"), Ty("i32[]"), Ty("i32[]")));
    }
}
