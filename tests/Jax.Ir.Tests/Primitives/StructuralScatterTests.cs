using static JaxToolchain.Ir.Tests.Primitives.StructuralHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class StructuralScatterTests
{
    private static Attributes ScatterAttrs(long[] updateWindowDims, long[] inserted, long[] toOperand, long indexVectorDim) =>
        Attributes.Of(("update_window_dims", updateWindowDims), ("inserted_window_dims", inserted),
            ("scatter_dims_to_operand_dims", toOperand), ("index_vector_dim", indexVectorDim));

    /// <summary>x.at[idx] for a 1-D x and an index array idx[k, 1].</summary>
    private static readonly Attributes ElementAttrs = ScatterAttrs([], [0], [0], 1);

    /// <summary>
    /// XLA's Scatter by its definition, one update element at a time (windows outside the operand dropped).
    /// </summary>
    private static double[] ScatterAddReference(double[] x, int[] xDims, int[] idx, int[] idxDims, double[] u, int[] uDims,
        long[] windowDims, long[] inserted, long[] map, int ivd)
    {
        var result = x.ToArray();
        int total = uDims.Aggregate(1, (p, n) => p * n);
        var ui = new int[uDims.Length];
        for (int flat = 0; flat < total; flat++)
        {
            for (int d = uDims.Length - 1, rem = flat; d >= 0; d--) { ui[d] = rem % uDims[d]; rem /= uDims[d]; }
            var batch = Enumerable.Range(0, uDims.Length).Where(d => !windowDims.Contains(d)).Select(d => ui[d]).ToList();
            var start = ReferenceStart(idx, idxDims, batch, ivd, map, xDims.Length);
            int w = 0, dst = 0;
            bool inside = true;
            for (int d = 0; d < xDims.Length; d++)
            {
                bool isInserted = inserted.Contains(d);
                int windowSize = isInserted ? 1 : uDims[windowDims[w]];
                int offset = isInserted ? 0 : ui[windowDims[w++]];
                if (start[d] < 0 || start[d] + windowSize > xDims[d]) inside = false;
                dst = dst * xDims[d] + (int)(start[d] + offset);
            }
            if (inside) result[dst] += u[flat];
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Set_at_indices_last_duplicate_wins(DType dtype)
    {
        var x = Counting(dtype, 5);
        var r = Run(Prims.Scatter, ElementAttrs, x, Idx([3, 1], 1, 3, 1), Of(dtype, [3], 10, 20, 30));
        AssertBuffer(dtype, [5], [1, 30, 3, 20, 5], r);
        AssertBuffer(dtype, [5], [1, 2, 3, 4, 5], x);
    }

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Add_at_indices_accumulates_duplicates(DType dtype)
    {
        var x = Counting(dtype, 5);
        var r = Run(Prims.ScatterAdd, ElementAttrs, x, Idx([3, 1], 1, 3, 1), Of(dtype, [3], 10, 20, 30));
        AssertBuffer(dtype, [5], [1, 42, 3, 24, 5], r);
        AssertBuffer(dtype, [5], [1, 2, 3, 4, 5], x);
    }

    [Fact]
    public void Out_of_bounds_updates_are_dropped()
    {
        var x = Counting(DType.Float32, 5);
        var idx = Idx([3, 1], -1, 5, 2);
        var u = Of(DType.Float32, [3], 10, 20, 30);
        AssertBuffer(DType.Float32, [5], [1, 2, 30, 4, 5], Run(Prims.Scatter, ElementAttrs, x, idx, u));
        AssertBuffer(DType.Float32, [5], [1, 2, 33, 4, 5], Run(Prims.ScatterAdd, ElementAttrs, x, idx, u));
        // Windows of two: the one starting at 4 would end past the operand and is dropped whole.
        var windows = Of(DType.Float32, [2, 2], 10, 20, 30, 40);
        var r = Run(Prims.ScatterAdd, ScatterAttrs([1], [], [0], 1), x, Idx([2, 1], 3, 4), windows);
        AssertBuffer(DType.Float32, [5], [1, 2, 3, 14, 25], r);
    }

    [Fact]
    public void Rows_and_points_scatter_as_numpy_indexing_does()
    {
        // x.at[[2, 0, 2]].add(u) on x[4,3]: rows 2 and 0.
        var x = Buffer.Zeros(DType.Int32, Shape.Of(4, 3));
        var u = Counting(DType.Int32, 3, 3);
        var rows = Run(Prims.ScatterAdd, ScatterAttrs([1], [0], [0], 1), x, Idx([3], 2, 0, 2), u);
        AssertBuffer(DType.Int32, [4, 3], [4, 5, 6, 0, 0, 0, 1 + 7, 2 + 8, 3 + 9, 0, 0, 0], rows);
        var setRows = Run(Prims.Scatter, ScatterAttrs([1], [0], [0], 1), x, Idx([2], 3, 1), Counting(DType.Int32, 2, 3));
        AssertBuffer(DType.Int32, [4, 3], [0, 0, 0, 4, 5, 6, 0, 0, 0, 1, 2, 3], setRows);

        // x.at[[0, 2, 0], [0, 1, 0]].add([1, 2, 3]) on x[3,3].
        var y = Buffer.Zeros(DType.Float64, Shape.Of(3, 3));
        var points = Run(Prims.ScatterAdd, ScatterAttrs([], [0, 1], [0, 1], 1), y, Idx([3, 2], 0, 0, 2, 1, 0, 0), Of(DType.Float64, [3], 1, 2, 3));
        AssertBuffer(DType.Float64, [3, 3], [4, 0, 0, 0, 0, 0, 0, 2, 0], points);
        // x.at[1].set(row) with a scalar index (the index vector is implicit).
        var one = Run(Prims.Scatter, ScatterAttrs([0], [0], [0], 0), Buffer.Zeros(DType.Float64, Shape.Of(3, 2)), I32(1), Of(DType.Float64, [2], 7, 8));
        AssertBuffer(DType.Float64, [3, 2], [0, 0, 7, 8, 0, 0], one);
    }

    [Fact]
    public void Add_uses_each_dtypes_arithmetic()
    {
        // int8 wraps; bool adds as or; bfloat16 and float16 round after every addition.
        var i8 = Run(Prims.ScatterAdd, ElementAttrs, Of(DType.Int8, [1], 127), Idx([2, 1], 0, 0), Of(DType.Int8, [2], 1, 1));
        AssertBuffer(DType.Int8, [1], [-127], i8);
        var b = Run(Prims.ScatterAdd, ElementAttrs, new Buffer(DType.Bool, Shape.Of(2), new[] { false, true }),
            Idx([2, 1], 0, 1), new Buffer(DType.Bool, Shape.Of(2), new[] { true, true }));
        Assert.Equal(new[] { true, true }, b.ToArray<bool>());
        var bf = Run(Prims.ScatterAdd, ElementAttrs, Of(DType.BFloat16, [1], 256), Idx([2, 1], 0, 0), Of(DType.BFloat16, [2], 1, 1));
        AssertBuffer(DType.BFloat16, [1], [256], bf);
        var f16 = Run(Prims.ScatterAdd, ElementAttrs, Of(DType.Float16, [1], 2048), Idx([2, 1], 0, 0), Of(DType.Float16, [2], 1, 1));
        AssertBuffer(DType.Float16, [1], [2048], f16);
        var u64 = Run(Prims.ScatterAdd, ElementAttrs, new Buffer(DType.UInt64, Shape.Of(1), new[] { ulong.MaxValue }), Idx([1, 1], 0),
            new Buffer(DType.UInt64, Shape.Of(1), new[] { 2UL }));
        Assert.Equal(new[] { 1UL }, u64.ToArray<ulong>());
    }

    public static TheoryData<int[]> GeneralIndices() => new()
    {
        { [0, 1, 2, 0, 1, 0, 3, 1, 2, 0, 0, 2] },
        { [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0] },
        { [-1, 2, 2, 0, 5, 1, 0, 3, 2, 1, 0, 4] },
    };

    [Theory]
    [MemberData(nameof(GeneralIndices))]
    public void General_scatter_add_matches_the_definition(int[] idx)
    {
        // operand [3,4,5]; indices [2,3,2] with the vector along axis 0 mapping to operand axes (0, 2);
        // updates [2,3,2,2] whose axes 1 and 3 are window axes over operand axes 1 and 2 (axis 0 inserted).
        var x = Counting(DType.Float64, 3, 4, 5);
        int[] uDims = [3, 2, 2, 2];
        var u = Of(DType.Float64, uDims, Enumerable.Range(0, 24).Select(i => 100.0 * (i + 1)).ToArray());
        long[] windowDims = [1, 3], inserted = [0], map = [0, 2];
        var r = Run(Prims.ScatterAdd, ScatterAttrs(windowDims, inserted, map, 0), x, Idx([2, 3, 2], idx), u);
        var expected = ScatterAddReference(Doubles(x), [3, 4, 5], idx, [2, 3, 2], Doubles(u), uDims, windowDims, inserted, map, 0);
        AssertBuffer(DType.Float64, [3, 4, 5], expected, r);
    }

    [Fact]
    public void Scatter_keeps_the_operands_weakness_and_symbolic_dims()
    {
        Assert.Equal(Ty("f32[n,3]{weak}"), Infer(Prims.Scatter, ScatterAttrs([1], [0], [0], 1), Ty("f32[n,3]{weak}"), Ty("i32[m]"), Ty("f32[m,3]")));
        Assert.Equal(Ty("f32[5]"), Infer(Prims.ScatterAdd, ElementAttrs, Ty("f32[5]"), Ty("i32[2,1]"), Ty("f32[2]{weak}")));
    }

    [Fact]
    public void Scatter_errors_name_the_shapes()
    {
        Assert.Equal("scatter: updates i32[2] must have the dtype of operand f32[5]",
            Fails(Prims.Scatter, ElementAttrs, Ty("f32[5]"), Ty("i32[2,1]"), Ty("i32[2]")));
        Assert.Equal("scatter_add: updates f32[3] do not match indices i32[2,1]: the scatter dimensions of updates must be the batch dimensions of indices",
            Fails(Prims.ScatterAdd, ElementAttrs, Ty("f32[5]"), Ty("i32[2,1]"), Ty("f32[3]")));
        Assert.Equal("scatter: update window of updates f32[2,6] does not fit in operand f32[4,3]",
            Fails(Prims.Scatter, ScatterAttrs([1], [0], [0], 1), Ty("f32[4,3]"), Ty("i32[2]"), Ty("f32[2,6]")));
        Assert.Equal("scatter: update_window_dims [] and inserted_window_dims [] must together cover the 1 axes of operand f32[5]",
            Fails(Prims.Scatter, ScatterAttrs([], [], [0], 1), Ty("f32[5]"), Ty("i32[2,1]"), Ty("f32[2]")));
        Assert.Equal("scatter: indices must have an integer dtype, got f32[2,1]",
            Fails(Prims.Scatter, ElementAttrs, Ty("f32[5]"), Ty("f32[2,1]"), Ty("f32[2]")));
        Assert.Equal("scatter_add: scatter_dims_to_operand_dims [0] needs indices with 1 entries along dimension 1, got i32[2,2]",
            Fails(Prims.ScatterAdd, ElementAttrs, Ty("f32[5]"), Ty("i32[2,2]"), Ty("f32[2]")));
        Assert.Equal("scatter: update_window_dims [1] out of range for updates f32[2]",
            Fails(Prims.Scatter, ScatterAttrs([1], [], [0], 1), Ty("f32[5]"), Ty("i32[2,1]"), Ty("f32[2]")));
        Assert.Equal("scatter: expected 3 operands, got 2", Fails(Prims.Scatter, ElementAttrs, Ty("f32[5]"), Ty("i32[2,1]")));
    }
}
