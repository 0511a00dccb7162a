using static JaxToolchain.Ir.Tests.Primitives.StructuralHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class StructuralShapeTests
{
    // ---- constant ----

    [Fact]
    public void Constant_returns_its_value_with_the_buffers_strong_type()
    {
        var value = Buffer.Of([1.5f, -2f, 3.25f, 0f, 7f, 8f], 2, 3);
        var f = Build(Prims.Constant, Attributes.Of(("value", value)));
        Assert.Equal(Ty("f32[2,3]"), f.ResultTypes[0]);
        var r = Interpreter.Run(f).Single();
        AssertBuffer(DType.Float32, [2, 3], [1.5, -2, 3.25, 0, 7, 8], r);
    }

    [Fact]
    public void Constant_errors_name_the_missing_value_and_extra_operands()
    {
        Assert.Equal("constant: missing attribute 'value'", Fails(Prims.Constant, Attributes.Empty));
        Assert.Equal("constant: expected 0 operands, got 1", Fails(Prims.Constant, Attributes.Of(("value", Buffer.Scalar(1f))), Ty("f32[]")));
        Assert.Equal("constant: attribute 'value' must be a dense constant, got 3", Fails(Prims.Constant, Attributes.Of(("value", 3L))));
    }

    // ---- iota ----

    [Theory]
    [InlineData(DType.Int32)]
    [InlineData(DType.Float32)]
    [InlineData(DType.UInt8)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Int64)]
    public void Iota_counts_along_its_dimension(DType dtype)
    {
        for (int axis = 0; axis < 3; axis++)
        {
            var attrs = Attributes.Of(("dtype", dtype), ("shape", Shape.Of(2, 3, 4)), ("dimension", axis));
            var r = Interpreter.Run(Build(Prims.Iota, attrs)).Single();
            var expected = new List<double>();
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < 4; k++)
                        expected.Add(axis == 0 ? i : axis == 1 ? j : k);
            AssertBuffer(dtype, [2, 3, 4], [.. expected], r);
        }
    }

    [Fact]
    public void Iota_is_strong_and_takes_its_symbolic_size_from_the_arguments()
    {
        var block = new Block([Ty("f32[n]")]);
        var b = new IrBuilder(block);
        var iota = b.Emit1(Prims.Iota, [], Attributes.Of(("dtype", DType.Int32), ("shape", new Shape(Dim.Sym("n"))), ("dimension", 0)));
        Assert.Equal(Ty("i32[n]"), iota.Type);
        Assert.False(iota.Type.Weak);
        block.SetResults([iota]);
        var r = Interpreter.Run(new Function("f", block), Buffer.Of(new float[5])).Single();
        AssertBuffer(DType.Int32, [5], [0, 1, 2, 3, 4], r);
    }

    [Fact]
    public void Iota_errors_name_bool_and_the_bad_dimension()
    {
        Assert.Equal("iota: dtype bool is not numeric",
            Fails(Prims.Iota, Attributes.Of(("dtype", DType.Bool), ("shape", Shape.Of(3)), ("dimension", 0))));
        Assert.Equal("iota: dimension 2 out of range for shape <3,4>",
            Fails(Prims.Iota, Attributes.Of(("dtype", DType.Int32), ("shape", Shape.Of(3, 4)), ("dimension", 2))));
    }

    // ---- broadcast_in_dim ----

    private static Attributes Bcast(Shape shape, params long[] dims) =>
        Attributes.Of(("shape", shape), ("broadcast_dimensions", dims));

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Broadcast_of_a_scalar_fills_the_target(DType dtype)
    {
        var x = Of(dtype, [], 5);
        var r = Run(Prims.BroadcastInDim, Bcast(Shape.Of(2, 3)), x);
        AssertBuffer(dtype, [2, 3], [5, 5, 5, 5, 5, 5], r);
    }

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Broadcast_repeats_along_new_and_size_one_axes(DType dtype)
    {
        // x[2,1] -> [3,2,4] with x's axes at 1 and 2: r[a,b,c] = x[b,0].
        var x = Counting(dtype, 2, 1);
        var r = Run(Prims.BroadcastInDim, Bcast(Shape.Of(3, 2, 4), 1, 2), x);
        var expected = new List<double>();
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 4; c++)
                    expected.Add(b + 1);
        AssertBuffer(dtype, [3, 2, 4], [.. expected], r);

        // x[3] -> [2,3] along axis 1: rows repeat; x[2] -> [2,3] along axis 0: columns repeat.
        AssertBuffer(dtype, [2, 3], [1, 2, 3, 1, 2, 3], Run(Prims.BroadcastInDim, Bcast(Shape.Of(2, 3), 1), Counting(dtype, 3)));
        AssertBuffer(dtype, [2, 3], [1, 1, 1, 2, 2, 2], Run(Prims.BroadcastInDim, Bcast(Shape.Of(2, 3), 0), Counting(dtype, 2)));
    }

    [Fact]
    public void Broadcast_to_a_zero_size_shape_and_of_equal_size_work()
    {
        var r = Run(Prims.BroadcastInDim, Bcast(Shape.Of(0, 3), 1), Counting(DType.Float32, 3));
        AssertBuffer(DType.Float32, [0, 3], [], r);
        var same = Run(Prims.BroadcastInDim, Bcast(Shape.Of(1, 2, 3), 1, 2), Counting(DType.Int16, 2, 3));
        AssertBuffer(DType.Int16, [1, 2, 3], [1, 2, 3, 4, 5, 6], same);
    }

    [Fact]
    public void Broadcast_keeps_weakness_and_symbolic_dims()
    {
        Assert.Equal(Ty("f32[2,3]{weak}"), Infer(Prims.BroadcastInDim, Bcast(Shape.Of(2, 3)), Ty("f32[]{weak}")));
        var target = new Shape(Dim.Sym("n"), Dim.Of(3));
        Assert.Equal(Ty("f32[n,3]"), Infer(Prims.BroadcastInDim, Bcast(target, 0), Ty("f32[n]")));
        Assert.Equal(Ty("f32[n,3]"), Infer(Prims.BroadcastInDim, Bcast(target, 0), Ty("f32[1]")));
        Assert.Equal("broadcast_in_dim: cannot broadcast f32[2] to <n,3>: dimension 0 of size 2 must be 1 or n",
            Fails(Prims.BroadcastInDim, Bcast(target, 0), Ty("f32[2]")));
    }

    [Fact]
    public void Broadcast_errors_name_the_shapes_and_dimensions()
    {
        Assert.Equal("broadcast_in_dim: cannot broadcast f32[2] to <3>: dimension 0 of size 2 must be 1 or 3",
            Fails(Prims.BroadcastInDim, Bcast(Shape.Of(3), 0), Ty("f32[2]")));
        Assert.Equal("broadcast_in_dim: broadcast_dimensions [0] must give one target axis per axis of f32[2,3]",
            Fails(Prims.BroadcastInDim, Bcast(Shape.Of(2, 3), 0), Ty("f32[2,3]")));
        Assert.Equal("broadcast_in_dim: broadcast_dimensions [1, 0] must be sorted for target shape <3,3>",
            Fails(Prims.BroadcastInDim, Bcast(Shape.Of(3, 3), 1, 0), Ty("f32[3,3]")));
        Assert.Equal("broadcast_in_dim: broadcast_dimensions [2] out of range for target shape <2,3>",
            Fails(Prims.BroadcastInDim, Bcast(Shape.Of(2, 3), 2), Ty("f32[3]")));
        Assert.Equal("broadcast_in_dim: broadcast_dimensions [0, 0] repeats axis 0 of target shape <3,3>",
            Fails(Prims.BroadcastInDim, Bcast(Shape.Of(3, 3), 0, 0), Ty("f32[3,3]")));
        Assert.Equal("broadcast_in_dim: missing attribute 'shape'",
            Fails(Prims.BroadcastInDim, Attributes.Of(("broadcast_dimensions", new long[0])), Ty("f32[]")));
        Assert.Equal("broadcast_in_dim: expected 1 operand, got 2",
            Fails(Prims.BroadcastInDim, Bcast(Shape.Of(3)), Ty("f32[]"), Ty("f32[]")));
    }

    // ---- reshape ----

    [Fact]
    public void Reshape_keeps_row_major_order_and_shares_the_data()
    {
        var x = Counting(DType.Float64, 2, 3);
        var r = Run(Prims.Reshape, Attributes.Of(("shape", Shape.Of(3, 1, 2))), x);
        AssertBuffer(DType.Float64, [3, 1, 2], [1, 2, 3, 4, 5, 6], r);
        Assert.True(r.SharesMemoryWith(x));
        AssertBuffer(DType.Int8, [3, 0], [], Run(Prims.Reshape, Attributes.Of(("shape", Shape.Of(3, 0))), Counting(DType.Int8, 0, 3)));
    }

    [Fact]
    public void Reshape_checks_counts_when_static_or_with_the_same_symbols()
    {
        Assert.Equal("reshape: cannot reshape f32[2,3] to <4,2>", Fails(Prims.Reshape, Attributes.Of(("shape", Shape.Of(4, 2))), Ty("f32[2,3]")));
        var n3 = new Shape(Dim.Of(3), Dim.Sym("n"));
        Assert.Equal(Ty("f32[3,n]{weak}"), Infer(Prims.Reshape, Attributes.Of(("shape", n3)), Ty("f32[n,3]{weak}")));
        Assert.Equal("reshape: cannot reshape f32[n,2] to <3,n>", Fails(Prims.Reshape, Attributes.Of(("shape", n3)), Ty("f32[n,2]")));
        // Different symbols cannot be compared statically; the kernel checks once sizes are known.
        Assert.Equal(Ty("f32[3,n]"), Infer(Prims.Reshape, Attributes.Of(("shape", n3)), Ty("f32[m,2]")));
        Assert.Equal("reshape: missing attribute 'shape'", Fails(Prims.Reshape, Attributes.Empty, Ty("f32[2]")));
    }

    // ---- transpose ----

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Transpose_permutes_axes(DType dtype)
    {
        var x = Counting(dtype, 2, 3, 4);
        long[] perm = [2, 0, 1];
        var r = Run(Prims.Transpose, Attributes.Of(("permutation", perm)), x);
        // r[a,b,c] = x[b,c,a]: result dims (4,2,3).
        var expected = new List<double>();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 3; c++)
                    expected.Add(b * 12 + c * 4 + a + 1);
        AssertBuffer(dtype, [4, 2, 3], [.. expected], r);
        AssertBuffer(dtype, [3, 2], [1, 4, 2, 5, 3, 6], Run(Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 0 })), Counting(dtype, 2, 3)));
    }

    [Fact]
    public void Transpose_of_bool_and_zero_size_and_symbolic()
    {
        var x = new Buffer(DType.Bool, Shape.Of(2, 2), new[] { true, false, false, false });
        Assert.Equal(new[] { true, false, false, false }, Run(Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 0 })), x).ToArray<bool>());
        var y = new Buffer(DType.Bool, Shape.Of(2, 2), new[] { false, true, false, false });
        Assert.Equal(new[] { false, false, true, false }, Run(Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 0 })), y).ToArray<bool>());
        AssertBuffer(DType.Float32, [3, 0], [], Run(Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 0 })), Counting(DType.Float32, 0, 3)));
        Assert.Equal(Ty("f32[3,n]{weak}"), Infer(Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 0 })), Ty("f32[n,3]{weak}")));
    }

    [Fact]
    public void Transpose_rejects_non_permutations()
    {
        Assert.Equal("transpose: permutation [0, 0] is not a permutation of 2 axes",
            Fails(Prims.Transpose, Attributes.Of(("permutation", new long[] { 0, 0 })), Ty("f32[2,3]")));
        Assert.Equal("transpose: permutation [0] is not a permutation of 2 axes",
            Fails(Prims.Transpose, Attributes.Of(("permutation", new long[] { 0 })), Ty("f32[2,3]")));
        Assert.Equal("transpose: permutation [1, 2] is not a permutation of 2 axes",
            Fails(Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 2 })), Ty("f32[2,3]")));
    }

    // ---- squeeze / expand_dims ----

    [Fact]
    public void Squeeze_drops_size_one_axes_and_shares_data()
    {
        var x = Counting(DType.UInt32, 1, 3, 1);
        var r = Run(Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 0, 2 })), x);
        AssertBuffer(DType.UInt32, [3], [1, 2, 3], r);
        Assert.True(r.SharesMemoryWith(x));
        Assert.Equal(Ty("f32[n]{weak}"), Infer(Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 1 })), Ty("f32[n,1]{weak}")));
    }

    [Fact]
    public void Squeeze_errors_name_the_axis_and_size()
    {
        Assert.Equal("squeeze: cannot squeeze dimension 1 of size 3 in f32[2,3]",
            Fails(Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 1 })), Ty("f32[2,3]")));
        Assert.Equal("squeeze: cannot squeeze dimension 0 of size n in f32[n,1]",
            Fails(Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 0 })), Ty("f32[n,1]")));
        Assert.Equal("squeeze: dimensions [2] out of range for f32[1,1]",
            Fails(Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 2 })), Ty("f32[1,1]")));
        Assert.Equal("squeeze: dimensions [0, 0] repeats axis 0 of f32[1,1]",
            Fails(Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 0, 0 })), Ty("f32[1,1]")));
    }

    [Fact]
    public void Expand_dims_inserts_size_one_axes_at_result_positions()
    {
        var x = Counting(DType.Int64, 2, 3);
        var r = Run(Prims.ExpandDims, Attributes.Of(("dimensions", new long[] { 0, 3 })), x);
        AssertBuffer(DType.Int64, [1, 2, 3, 1], [1, 2, 3, 4, 5, 6], r);
        Assert.True(r.SharesMemoryWith(x));
        Assert.Equal(Ty("f32[n,1]{weak}"), Infer(Prims.ExpandDims, Attributes.Of(("dimensions", new long[] { 1 })), Ty("f32[n]{weak}")));
        Assert.Equal("expand_dims: dimensions [3] out of range for result rank 3 of f32[2,3]",
            Fails(Prims.ExpandDims, Attributes.Of(("dimensions", new long[] { 3 })), Ty("f32[2,3]")));
    }

    // ---- rev ----

    [Theory]
    [MemberData(nameof(SampleDTypes), MemberType = typeof(StructuralHarness))]
    public void Rev_reverses_the_given_axes(DType dtype)
    {
        var x = Counting(dtype, 2, 3);
        AssertBuffer(dtype, [2, 3], [4, 5, 6, 1, 2, 3], Run(Prims.Rev, Attributes.Of(("dimensions", new long[] { 0 })), x));
        AssertBuffer(dtype, [2, 3], [3, 2, 1, 6, 5, 4], Run(Prims.Rev, Attributes.Of(("dimensions", new long[] { 1 })), x));
        AssertBuffer(dtype, [2, 3], [6, 5, 4, 3, 2, 1], Run(Prims.Rev, Attributes.Of(("dimensions", new long[] { 0, 1 })), x));
        AssertBuffer(dtype, [2, 3], [1, 2, 3, 4, 5, 6], Run(Prims.Rev, Attributes.Of(("dimensions", new long[0])), x));
    }

    [Fact]
    public void Rev_of_three_axes_matches_loops_and_handles_zero_size()
    {
        var x = Counting(DType.Int16, 2, 3, 4);
        var r = Run(Prims.Rev, Attributes.Of(("dimensions", new long[] { 0, 2 })), x);
        var expected = new List<double>();
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 4; c++)
                    expected.Add((1 - a) * 12 + b * 4 + (3 - c) + 1);
        AssertBuffer(DType.Int16, [2, 3, 4], [.. expected], r);
        AssertBuffer(DType.Int16, [0, 2], [], Run(Prims.Rev, Attributes.Of(("dimensions", new long[] { 0, 1 })), Counting(DType.Int16, 0, 2)));
        Assert.Equal(Ty("f32[n]{weak}"), Infer(Prims.Rev, Attributes.Of(("dimensions", new long[] { 0 })), Ty("f32[n]{weak}")));
        Assert.Equal("rev: dimensions [1, 1] repeats axis 1 of f32[2,3]",
            Fails(Prims.Rev, Attributes.Of(("dimensions", new long[] { 1, 1 })), Ty("f32[2,3]")));
    }
}
