using static JaxToolchain.Ir.Tests.Primitives.StructuralHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class GatherTests
{
    private static Attributes GatherAttrs(long[] offsetDims, long[] collapsed, long[] startIndexMap, long indexVectorDim, long[] sliceSizes, string? mode = null, double? fill = null)
    {
        var a = Attributes.Of(("offset_dims", offsetDims), ("collapsed_slice_dims", collapsed), ("start_index_map", startIndexMap),
            ("index_vector_dim", indexVectorDim), ("slice_sizes", sliceSizes));
        if (mode is not null) a = a.With("mode", mode);
        if (fill is not null) a = a.With("fill_value", fill.Value);
        return a;
    }

    /// <summary>x[i] for x[rows, cols]: a scalar index selects a row.</summary>
    private static Attributes RowAttrs(int cols, long indexVectorDim, string? mode = null, double? fill = null) =>
        GatherAttrs([indexVectorDim == 0 ? 0 : 1], [0], [0], indexVectorDim, [1, cols], mode, fill);

    /// <summary>
    /// XLA's Gather by its definition, one result element at a time: the batch part of the result index picks a
    /// start vector, the offset part indexes the window.
    /// </summary>
    private static double[] GatherReference(double[] x, int[] xDims, int[] idx, int[] idxDims, long[] offsetDims, long[] collapsed,
        long[] map, int ivd, long[] sizes, int[] outDims, bool fill, double fillValue)
    {
        var result = new List<double>();
        int total = outDims.Aggregate(1, (p, n) => p * n);
        var o = new int[outDims.Length];
        for (int flat = 0; flat < total; flat++)
        {
            for (int d = outDims.Length - 1, rem = flat; d >= 0; d--) { o[d] = rem % outDims[d]; rem /= outDims[d]; }
            var batch = Enumerable.Range(0, outDims.Length).Where(d => !offsetDims.Contains(d)).Select(d => o[d]).ToList();
            var start = ReferenceStart(idx, idxDims, batch, ivd, map, xDims.Length);
            bool inBounds = Enumerable.Range(0, xDims.Length).All(d => start[d] >= 0 && start[d] <= xDims[d] - sizes[d]);
            if (fill && !inBounds) { result.Add(fillValue); continue; }
            int w = 0, src = 0;
            for (int d = 0; d < xDims.Length; d++)
            {
                long s = Math.Clamp(start[d], 0, xDims[d] - sizes[d]);
                long offset = collapsed.Contains(d) ? 0 : o[offsetDims[w++]];
                src = src * xDims[d] + (int)(s + offset);
            }
            result.Add(x[src]);
        }
        return [.. result];
    }

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Scalar_index_selects_a_row(DType dtype)
    {
        var x = Counting(dtype, 4, 3);
        AssertBuffer(dtype, [3], [7, 8, 9], Run(Prims.Gather, RowAttrs(3, 0), x, I32(2)));
    }

    [Fact]
    public void Index_array_selects_rows_with_repeats()
    {
        var x = Counting(DType.Float32, 4, 3);
        var r = Run(Prims.Gather, RowAttrs(3, 1), x, Idx([4], 3, 0, 3, 1));
        AssertBuffer(DType.Float32, [4, 3], [10, 11, 12, 1, 2, 3, 10, 11, 12, 4, 5, 6], r);
        // A 2-D index array keeps its shape in front of the row: x[[[1, 2], [0, 0]]].
        var r2 = Run(Prims.Gather, GatherAttrs([2], [0], [0], 2, [1, 3]), x, Idx([2, 2], 1, 2, 0, 0));
        AssertBuffer(DType.Float32, [2, 2, 3], [4, 5, 6, 7, 8, 9, 1, 2, 3, 1, 2, 3], r2);
    }

    [Theory]
    [InlineData(DType.Int64)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.UInt8)]
    public void Take_along_axis_one_selects_columns(DType dtype)
    {
        // x[:, idx] = take(x, idx, axis=1): r[i, k] = x[i, idx[k]].
        var x = Counting(dtype, 3, 4);
        int[] idx = [3, 1];
        var indices = new Buffer(DType.UInt8, Shape.Of(2), idx.Select(i => (byte)i).ToArray());
        var r = Run(Prims.Gather, GatherAttrs([0], [1], [1], 1, [3, 1]), x, indices);
        var expected = new List<double>();
        for (int i = 0; i < 3; i++)
            foreach (var k in idx) expected.Add(i * 4 + k + 1);
        AssertBuffer(dtype, [3, 2], [.. expected], r);
    }

    [Fact]
    public void Point_gather_reads_one_element_per_index_pair()
    {
        // x[i_arr, j_arr] with i = [0, 2, 1], j = [3, 0, 1]: the pairs are stacked along the last axis of indices.
        var x = Counting(DType.Float64, 3, 4);
        var r = Run(Prims.Gather, GatherAttrs([], [0, 1], [0, 1], 1, [1, 1]), x, Idx([3, 2], 0, 3, 2, 0, 1, 1));
        AssertBuffer(DType.Float64, [3], [4, 9, 6], r);
    }

    [Fact]
    public void Clip_mode_clamps_out_of_bounds_starts()
    {
        var x = Counting(DType.Int32, 4, 3);
        AssertBuffer(DType.Int32, [2, 3], [1, 2, 3, 10, 11, 12], Run(Prims.Gather, RowAttrs(3, 1, "clip"), x, Idx([2], -1, 10)));
        // Windows of two: the start 4 clamps to 3 so the window stays inside.
        var y = Counting(DType.Int32, 5);
        var r = Run(Prims.Gather, GatherAttrs([1], [], [0], 1, [2]), y, Idx([3, 1], 1, 3, 4));
        AssertBuffer(DType.Int32, [3, 2], [2, 3, 4, 5, 4, 5], r);
    }

    [Fact]
    public void Fill_mode_fills_windows_that_are_not_inside()
    {
        var x = Counting(DType.Float32, 4, 3);
        var r = Run(Prims.Gather, RowAttrs(3, 1, "fill"), x, Idx([3], -1, 2, 4));
        AssertBuffer(DType.Float32, [3, 3], [double.NaN, double.NaN, double.NaN, 7, 8, 9, double.NaN, double.NaN, double.NaN], r);
        var explicitFill = Run(Prims.Gather, RowAttrs(3, 1, "fill", 7.5), x, Idx([2], 1, 4));
        AssertBuffer(DType.Float32, [2, 3], [4, 5, 6, 7.5, 7.5, 7.5], explicitFill);
        // A window of two that starts at the last element is partly outside: filled whole.
        var y = Counting(DType.Float32, 5);
        var w = Run(Prims.Gather, GatherAttrs([1], [], [0], 1, [2], "fill", -1), y, Idx([2, 1], 3, 4));
        AssertBuffer(DType.Float32, [2, 2], [4, 5, -1, -1], w);
    }

    [Fact]
    public void Fill_mode_defaults_follow_jax_per_dtype()
    {
        AssertBuffer(DType.Int32, [1], [int.MinValue], Run(Prims.Gather, GatherAttrs([], [0], [0], 1, [1], "fill"), Counting(DType.Int32, 3), Idx([1], 3)));
        AssertBuffer(DType.UInt8, [1], [255], Run(Prims.Gather, GatherAttrs([], [0], [0], 1, [1], "fill"), Counting(DType.UInt8, 3), Idx([1], -1)));
        AssertBuffer(DType.Int64, [1], [long.MinValue], Run(Prims.Gather, GatherAttrs([], [0], [0], 1, [1], "fill"), Counting(DType.Int64, 3), Idx([1], 7)));
        var bools = new Buffer(DType.Bool, Shape.Of(2), new[] { false, false });
        Assert.Equal(new[] { true, false }, Run(Prims.Gather, GatherAttrs([], [0], [0], 1, [1], "fill"), bools, Idx([2], 2, 0)).ToArray<bool>());
    }

    public static TheoryData<string, int[]> GeneralCases() => new()
    {
        { "clip", [0, 0, 1, 2, 3, 1, -2, 9, 2, 3, 0, 1] },
        { "fill", [0, 0, 1, 2, 3, 1, -2, 9, 2, 3, 0, 1] },
        { "fill", [4, 1, 0, 3, 2, 2, 1, 1, 0, 0, 3, 2] },
    };

    [Theory]
    [MemberData(nameof(GeneralCases))]
    public void General_gather_with_leading_index_vector_matches_the_definition(string mode, int[] idx)
    {
        // operand [3,4,5]; indices [2,3,2] with the vector along axis 0 mapping to operand axes (2, 0);
        // axis 0 collapsed, window (2, 3) over axes 1 and 2 placed at result axes 1 and 3.
        var x = Counting(DType.Float64, 3, 4, 5);
        long[] offsetDims = [1, 3], collapsed = [0], map = [2, 0], sizes = [1, 2, 3];
        var attrs = GatherAttrs(offsetDims, collapsed, map, 0, sizes, mode, -5);
        var r = Run(Prims.Gather, attrs, x, Idx([2, 3, 2], idx));
        int[] outDims = [3, 2, 2, 3];
        var expected = GatherReference(Doubles(x), [3, 4, 5], idx, [2, 3, 2], offsetDims, collapsed, map, 0, sizes, outDims, mode == "fill", -5);
        AssertBuffer(DType.Float64, outDims, expected, r);
    }

    [Fact]
    public void Gather_keeps_weakness_and_symbolic_batch_dims()
    {
        Assert.Equal(Ty("f32[m,3]{weak}"), Infer(Prims.Gather, RowAttrs(3, 1), Ty("f32[n,3]{weak}"), Ty("i32[m]")));
        Assert.Equal(Ty("f32[m,3]"), Infer(Prims.Gather, RowAttrs(3, 1), Ty("f32[4,3]"), Ty("i64[m,1]")));
        Assert.Equal(Ty("bf16[3]"), Infer(Prims.Gather, RowAttrs(3, 0), Ty("bf16[4,3]"), Ty("u8[]")));
    }

    [Fact]
    public void Gather_of_zero_indices_and_from_a_zero_width_operand()
    {
        AssertBuffer(DType.Float32, [0, 3], [], Run(Prims.Gather, RowAttrs(3, 1), Counting(DType.Float32, 4, 3), Idx([0])));
        AssertBuffer(DType.Float32, [2, 0], [], Run(Prims.Gather, RowAttrs(0, 1), Counting(DType.Float32, 4, 0), Idx([2], 1, 3)));
    }

    [Fact]
    public void Gather_errors_name_the_attributes_and_shapes()
    {
        var f43 = Ty("f32[4,3]");
        Assert.Equal("gather: indices must have an integer dtype, got f32[2,1]", Fails(Prims.Gather, RowAttrs(3, 1), f43, Ty("f32[2,1]")));
        Assert.Equal("gather: start_index_map [0] needs indices with 1 entries along dimension 1, got i32[2,2]",
            Fails(Prims.Gather, RowAttrs(3, 1), f43, Ty("i32[2,2]")));
        Assert.Equal("gather: slice_sizes [1, 4] do not fit in operand f32[4,3]", Fails(Prims.Gather, RowAttrs(4, 1), f43, Ty("i32[2]")));
        Assert.Equal("gather: collapsed_slice_dims cannot collapse dimension 1 of slice size 3",
            Fails(Prims.Gather, GatherAttrs([], [0, 1], [0], 1, [1, 3]), f43, Ty("i32[2]")));
        Assert.Equal("gather: offset_dims [] must have 1 entries (operand f32[4,3] with 1 collapsed dimensions)",
            Fails(Prims.Gather, GatherAttrs([], [0], [0], 1, [1, 3]), f43, Ty("i32[2]")));
        Assert.Equal("gather: offset_dims [2] out of range for the result of rank 2",
            Fails(Prims.Gather, GatherAttrs([2], [0], [0], 1, [1, 3]), f43, Ty("i32[2]")));
        Assert.Equal("gather: mode \"wrap\" is not \"clip\" or \"fill\"", Fails(Prims.Gather, RowAttrs(3, 1, "wrap"), f43, Ty("i32[2]")));
        Assert.Equal("gather: index_vector_dim 3 out of range for indices i32[2,1]",
            Fails(Prims.Gather, GatherAttrs([1], [0], [0], 3, [1, 3]), f43, Ty("i32[2,1]")));
        Assert.Equal("gather: start_index_map [2] out of range for operand f32[4,3]",
            Fails(Prims.Gather, GatherAttrs([1], [0], [2], 1, [1, 3]), f43, Ty("i32[2]")));
        Assert.Equal("gather: slice_sizes [1] must have 2 entries for f32[4,3]",
            Fails(Prims.Gather, GatherAttrs([1], [0], [0], 1, [1]), f43, Ty("i32[2]")));
        Assert.Equal("gather: expected 2 operands, got 1", Fails(Prims.Gather, RowAttrs(3, 1), f43));
    }
}
