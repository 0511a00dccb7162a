using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>Shape manipulation: reshape, transpose, stacking, splitting, flipping, against index arithmetic.</summary>
public class ShapeTests
{
    private static Tensor X234 => Expect.Iota(DType.Int32, 2, 3, 4);

    /// <summary>Values of <c>iota(shape).transpose(perm)</c>, computed by index arithmetic.</summary>
    private static double[] Permuted(long[] shape, int[] perm)
    {
        var outShape = perm.Select(p => shape[p]).ToArray();
        return [.. Expect.Indices(outShape).Select(o =>
        {
            var input = new long[shape.Length];
            for (int k = 0; k < perm.Length; k++) input[perm[k]] = o[k];
            return (double)Expect.Offset(input, shape);
        })];
    }

    [Theory]
    [InlineData(new long[] { 4, -1 }, new long[] { 4, 6 })]
    [InlineData(new long[] { -1 }, new long[] { 24 })]
    [InlineData(new long[] { 3, -1, 2 }, new long[] { 3, 4, 2 })]
    [InlineData(new long[] { 24, 1 }, new long[] { 24, 1 })]
    [InlineData(new long[] { 1, -1, 1 }, new long[] { 1, 24, 1 })]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 })]
    public void Reshape_keeps_row_major_order_and_infers_one_dimension(long[] shape, long[] expected)
    {
        Expect.Array(X234.Reshape(shape), DType.Int32, expected, Expect.Range(24));
        Expect.Array(Jnp.Reshape(X234, shape), DType.Int32, expected, Expect.Range(24));
    }

    [Fact]
    public void Reshape_of_zero_size_and_scalars()
    {
        Expect.Shape(Jnp.Zeros([0, 3]).Reshape(3, 0), 3, 0);
        Expect.Shape(Jnp.Array(5).Reshape(1, 1), 1, 1);
        Expect.Array(Jnp.Array(new int[] { 5 }).Reshape(), DType.Int32, [], [5]);
    }

    [Theory]
    [InlineData(new long[] { 5, 5 })]
    [InlineData(new long[] { 5, -1 })]
    [InlineData(new long[] { -1, -1 })]
    [InlineData(new long[] { 2, -2, 6 })]
    public void Bad_reshapes_raise_naming_the_array(long[] shape)
    {
        Expect.Error(() => X234.Reshape(shape), "reshape", "ShapeTests.cs(");
    }

    [Fact]
    public void Reshape_to_the_wrong_size_names_both_shapes()
    {
        Expect.Error(() => X234.Reshape(5, 5), "reshape", "i32[2,3,4]", "5,5", "ShapeTests.cs(");
        Expect.Error(() => X234.Reshape(5, -1), "reshape", "int32[2,3,4]", "(5, -1)", "ShapeTests.cs(");
    }

    [Fact]
    public void Ravel_flattens_row_major()
    {
        Expect.Array(Jnp.Ravel(X234), DType.Int32, [24], Expect.Range(24));
        Expect.Array(Jnp.Ravel(Jnp.Array(3)), DType.Int32, [1], [3]);
        Expect.Array(Jnp.Ravel(X234.T), DType.Int32, [24], Permuted([2, 3, 4], [2, 1, 0]));
    }

    [Theory]
    [InlineData(null, new[] { 2, 1, 0 })]
    [InlineData(new[] { 1, 0, 2 }, new[] { 1, 0, 2 })]
    [InlineData(new[] { 2, 0, 1 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { -1, 0, -2 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 0, 1, 2 }, new[] { 0, 1, 2 })]
    public void Transpose_permutes_axes(int[]? axes, int[] perm)
    {
        long[] shape = [2, 3, 4];
        Expect.Array(Jnp.Transpose(X234, axes), DType.Int32, [.. perm.Select(p => shape[p])], Permuted(shape, perm));
    }

    [Fact]
    public void T_reverses_axes()
    {
        var m = Jnp.Array(new int[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect.Array(m.T, DType.Int32, [3, 2], [1, 4, 2, 5, 3, 6]);
        Expect.Array(Jnp.Arange(3).T, DType.Int32, [3], [0, 1, 2]);
        Expect.Array(X234.T, DType.Int32, [4, 3, 2], Permuted([2, 3, 4], [2, 1, 0]));
    }

    [Fact]
    public void Transpose_rejects_bad_permutations()
    {
        Expect.Error(() => Jnp.Transpose(X234, [0, 1]), "transpose", "int32[2,3,4]", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Transpose(X234, [0, 0, 1]), "transpose", "int32[2,3,4]", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Transpose(X234, [0, 1, 3]), "transpose", "axis 3", "ShapeTests.cs(");
    }

    [Theory]
    [InlineData(0, 2, new[] { 2, 1, 0 })]
    [InlineData(0, -1, new[] { 2, 1, 0 })]
    [InlineData(1, 2, new[] { 0, 2, 1 })]
    [InlineData(1, 1, new[] { 0, 1, 2 })]
    public void Swapaxes_exchanges_two_axes(int a, int b, int[] perm)
    {
        long[] shape = [2, 3, 4];
        Expect.Array(Jnp.Swapaxes(X234, a, b), DType.Int32, [.. perm.Select(p => shape[p])], Permuted(shape, perm));
    }

    [Theory]
    [InlineData(0, -1, new[] { 1, 2, 0 })]
    [InlineData(0, 2, new[] { 1, 2, 0 })]
    [InlineData(2, 0, new[] { 2, 0, 1 })]
    [InlineData(-1, 1, new[] { 0, 2, 1 })]
    [InlineData(1, 1, new[] { 0, 1, 2 })]
    public void Moveaxis_moves_one_axis(int source, int destination, int[] perm)
    {
        long[] shape = [2, 3, 4];
        Expect.Array(Jnp.Moveaxis(X234, source, destination), DType.Int32, [.. perm.Select(p => shape[p])], Permuted(shape, perm));
    }

    [Fact]
    public void Squeeze_removes_unit_axes()
    {
        var x = Expect.Iota(DType.Float32, 1, 3, 1, 2);
        Expect.Array(Jnp.Squeeze(x), DType.Float32, [3, 2], Expect.Range(6));
        Expect.Shape(Jnp.Squeeze(x, 0), 3, 1, 2);
        Expect.Shape(Jnp.Squeeze(x, -2), 1, 3, 2);
        Expect.Shape(Jnp.Squeeze(x, 0, 2), 3, 2);
        Expect.Shape(Jnp.Squeeze(Jnp.Zeros([1])), []);
    }

    [Fact]
    public void Squeeze_rejects_axes_that_are_not_unit()
    {
        var x = Expect.Iota(DType.Float32, 1, 3);
        Expect.Error(() => Jnp.Squeeze(x, 1), "squeeze", "float32[1,3]", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Squeeze(x, 2), "squeeze", "axis 2", "ShapeTests.cs(");
    }

    [Theory]
    [InlineData(new[] { 0 }, new long[] { 1, 2, 3 })]
    [InlineData(new[] { 1 }, new long[] { 2, 1, 3 })]
    [InlineData(new[] { -1 }, new long[] { 2, 3, 1 })]
    [InlineData(new[] { 0, 2 }, new long[] { 1, 2, 1, 3 })]
    [InlineData(new[] { 0, -1 }, new long[] { 1, 2, 3, 1 })]
    [InlineData(new[] { 3, 0 }, new long[] { 1, 2, 3, 1 })]
    public void ExpandDims_inserts_unit_axes_at_result_positions(int[] axes, long[] shape)
    {
        Expect.Array(Jnp.ExpandDims(Expect.Iota(DType.Int32, 2, 3), axes), DType.Int32, shape, Expect.Range(6));
    }

    [Fact]
    public void ExpandDims_rejects_out_of_range_axes()
    {
        Expect.Error(() => Jnp.ExpandDims(Jnp.Zeros([2, 3]), 3), "expand_dims", "axis 3", "ShapeTests.cs(");
    }

    [Fact]
    public void Stack_adds_an_axis()
    {
        var a = Jnp.Array(new int[] { 1, 2, 3 });
        var b = Jnp.Array(new int[] { 4, 5, 6 });
        Expect.Array(Jnp.Stack([a, b]), DType.Int32, [2, 3], [1, 2, 3, 4, 5, 6]);
        Expect.Array(Jnp.Stack([a, b], 1), DType.Int32, [3, 2], [1, 4, 2, 5, 3, 6]);
        Expect.Array(Jnp.Stack([a, b], -1), DType.Int32, [3, 2], [1, 4, 2, 5, 3, 6]);
        Expect.Array(Jnp.Stack([Jnp.Array(1), Jnp.Array(2)]), DType.Int32, [2], [1, 2]);
        Expect.Array(Jnp.Stack([a]), DType.Int32, [1, 3], [1, 2, 3]);
    }

    [Fact]
    public void Stack_promotes_and_rejects_mismatched_shapes()
    {
        var s = Jnp.Stack([Jnp.Array(new int[] { 1 }), Jnp.Array(new float[] { 2.5f })]);
        Expect.Array(s, DType.Float32, [2, 1], [1, 2.5]);
        Expect.Error(() => Jnp.Stack([Jnp.Zeros(2), Jnp.Zeros(3)]), "stack", "float32[2]", "float32[3]", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Stack([]), "stack", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Stack([Jnp.Zeros(2)], 2), "stack", "axis 2", "ShapeTests.cs(");
    }

    [Fact]
    public void Concatenate_joins_along_an_axis()
    {
        var a = Jnp.Array(new int[,] { { 1, 2 }, { 3, 4 } });
        var b = Jnp.Array(new int[,] { { 5, 6 } });
        Expect.Array(Jnp.Concatenate([a, b]), DType.Int32, [3, 2], [1, 2, 3, 4, 5, 6]);
        Expect.Array(Jnp.Concatenate([a, b.T], 1), DType.Int32, [2, 3], [1, 2, 5, 3, 4, 6]);
        Expect.Array(Jnp.Concatenate([a, b.T], -1), DType.Int32, [2, 3], [1, 2, 5, 3, 4, 6]);
        Expect.Array(Jnp.Concatenate([Jnp.Zeros(0), Jnp.Ones(2)]), DType.Float32, [2], [1, 1]);
        Expect.Array(Jnp.Concatenate([a]), DType.Int32, [2, 2], [1, 2, 3, 4]);
    }

    [Fact]
    public void Concatenate_promotes_dtypes()
    {
        var c = Jnp.Concatenate([Jnp.Array(new sbyte[] { 1 }), Jnp.Array(new byte[] { 255 })]);
        Expect.Array(c, DType.Int16, [2], [1, 255]);
        Expect.Array(Jnp.Concatenate([Jnp.Array(new bool[] { true }), Jnp.Array(new float[] { 2 })]), DType.Float32, [2], [1, 2]);
    }

    [Fact]
    public void Concatenate_rejects_mismatched_shapes_naming_them()
    {
        var a = Jnp.Zeros([2, 2]);
        Expect.Error(() => Jnp.Concatenate([a, Jnp.Zeros([2, 3])]), "concatenate", "f32[2,2]", "f32[2,3]", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Concatenate([a, Jnp.Zeros(2)]), "concatenate", "f32[2,2]", "f32[2]", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Concatenate([a, a], 2), "concatenate", "axis 2", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Concatenate([Jnp.Array(1), Jnp.Array(2)]), "concatenate", "zero-dimensional", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Concatenate([]), "concatenate", "ShapeTests.cs(");
    }

    [Fact]
    public void Vstack_makes_rows_of_vectors_and_stacks_matrices()
    {
        var a = Jnp.Array(new int[] { 1, 2 });
        var b = Jnp.Array(new int[] { 3, 4 });
        Expect.Array(Jnp.Vstack([a, b]), DType.Int32, [2, 2], [1, 2, 3, 4]);
        Expect.Array(Jnp.Vstack([Jnp.Array(new int[,] { { 1, 2 } }), b]), DType.Int32, [2, 2], [1, 2, 3, 4]);
        Expect.Array(Jnp.Vstack([Jnp.Array(1), Jnp.Array(2)]), DType.Int32, [2, 1], [1, 2]);
    }

    [Fact]
    public void Hstack_concatenates_vectors_and_joins_matrix_columns()
    {
        var a = Jnp.Array(new int[] { 1, 2 });
        var b = Jnp.Array(new int[] { 3 });
        Expect.Array(Jnp.Hstack([a, b]), DType.Int32, [3], [1, 2, 3]);
        var m = Jnp.Array(new int[,] { { 1 }, { 2 } });
        var n = Jnp.Array(new int[,] { { 3, 4 }, { 5, 6 } });
        Expect.Array(Jnp.Hstack([m, n]), DType.Int32, [2, 3], [1, 3, 4, 2, 5, 6]);
        Expect.Array(Jnp.Hstack([Jnp.Array(1), Jnp.Array(2)]), DType.Int32, [2], [1, 2]);
    }

    [Fact]
    public void Split_into_equal_sections()
    {
        var parts = Jnp.Split(Jnp.Arange(6), 3);
        Assert.Equal(3, parts.Length);
        Expect.Values(parts[0], [0, 1]);
        Expect.Values(parts[1], [2, 3]);
        Expect.Values(parts[2], [4, 5]);
        var cols = Jnp.Split(Expect.Iota(DType.Int32, 2, 4), 2, 1);
        Expect.Array(cols[0], DType.Int32, [2, 2], [0, 1, 4, 5]);
        Expect.Array(cols[1], DType.Int32, [2, 2], [2, 3, 6, 7]);
        var rows = Jnp.Split(Expect.Iota(DType.Int32, 2, 4), 2, -2);
        Expect.Array(rows[1], DType.Int32, [1, 4], [4, 5, 6, 7]);
    }

    [Fact]
    public void Split_at_indices_like_numpy()
    {
        var parts = Jnp.Split(Jnp.Arange(8), [3, 5, 6, 10]);
        Assert.Equal(5, parts.Length);
        Expect.Values(parts[0], [0, 1, 2]);
        Expect.Values(parts[1], [3, 4]);
        Expect.Values(parts[2], [5]);
        Expect.Values(parts[3], [6, 7]);
        Expect.Shape(parts[4], 0);
        var back = Jnp.Split(Jnp.Arange(5), [3, 1]);
        Expect.Values(back[0], [0, 1, 2]);
        Expect.Shape(back[1], 0);
        Expect.Values(back[2], [1, 2, 3, 4]);
        var negative = Jnp.Split(Jnp.Arange(5), [-2]);
        Expect.Values(negative[0], [0, 1, 2]);
        Expect.Values(negative[1], [3, 4]);
    }

    [Fact]
    public void Split_into_unequal_sections_raises()
    {
        Expect.Error(() => Jnp.Split(Jnp.Arange(5), 2), "split", "5", "2", "ShapeTests.cs(");
        Expect.Error(() => Jnp.Split(Jnp.Arange(5), 0), "split", "ShapeTests.cs(");
    }

    [Fact]
    public void Flip_reverses_all_or_given_axes()
    {
        var m = Jnp.Array(new int[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect.Array(Jnp.Flip(m), DType.Int32, [2, 3], [6, 5, 4, 3, 2, 1]);
        Expect.Array(Jnp.Flip(m, 0), DType.Int32, [2, 3], [4, 5, 6, 1, 2, 3]);
        Expect.Array(Jnp.Flip(m, 1), DType.Int32, [2, 3], [3, 2, 1, 6, 5, 4]);
        Expect.Array(Jnp.Flip(m, -1), DType.Int32, [2, 3], [3, 2, 1, 6, 5, 4]);
        Expect.Array(Jnp.Flip(m, 0, 1), DType.Int32, [2, 3], [6, 5, 4, 3, 2, 1]);
        Expect.Error(() => Jnp.Flip(m, 2), "flip", "axis 2", "ShapeTests.cs(");
    }

    [Fact]
    public void Shape_properties()
    {
        var x = X234;
        Assert.Equal(3, x.Ndim);
        Assert.Equal(24, x.Size);
        Assert.Equal(4, x.ShapeAt(-1));
        Assert.Equal(2, x.ShapeAt(0));
        Expect.Error(() => x.ShapeAt(3), "shape", "axis 3", "ShapeTests.cs(");
    }
}
