using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// NumPy indexing. <c>x = arange(24).reshape(2, 3, 4)</c> holds <c>12 i + 4 j + k</c> at <c>[i, j, k]</c>, so every
/// expected value below is written from the indices NumPy selects.
/// </summary>
public class IndexingTests
{
    private static Tensor X => Expect.Iota(DType.Int32, 2, 3, 4);
    private static Tensor M => Expect.Iota(DType.Int32, 3, 4);
    private static Tensor V => Jnp.Arange(10);

    private static double At(long i, long j, long k) => 12 * i + 4 * j + k;

    [Fact]
    public void Integer_indices_select_and_drop_axes()
    {
        Expect.Array(X[1], DType.Int32, [3, 4], [.. Enumerable.Range(12, 12).Select(v => (double)v)]);
        Expect.Array(X[-1], DType.Int32, [3, 4], [.. Enumerable.Range(12, 12).Select(v => (double)v)]);
        Expect.Array(X[1, 2], DType.Int32, [4], [20, 21, 22, 23]);
        Expect.Array(X[1, 2, 3], DType.Int32, [], [23]);
        Expect.Array(X[-2, -3, -4], DType.Int32, [], [0]);
        Expect.Array(X[0, -1, 1], DType.Int32, [], [At(0, 2, 1)]);
        Assert.Equal(9, V[^1].Item<int>());
        Assert.Equal(7, V[^3].Item<int>());
    }

    [Fact]
    public void Out_of_range_integer_indices_raise()
    {
        Expect.Error(() => _ = X[2], "index", "index 2", "axis 0", "size 2", "IndexingTests.cs(");
        Expect.Error(() => _ = X[0, 3], "index", "index 3", "axis 1", "size 3", "IndexingTests.cs(");
        Expect.Error(() => _ = X[0, 0, -5], "index", "index -5", "axis 2", "IndexingTests.cs(");
        Expect.Error(() => _ = X[0, 0, 0, 0], "index", "too many indices", "IndexingTests.cs(");
        Expect.Error(() => _ = V[^0], "index", "IndexingTests.cs(");
        Expect.Error(() => _ = V[^11], "index", "IndexingTests.cs(");
    }

    [Fact]
    public void Csharp_ranges_are_slices()
    {
        Expect.Array(V[1..^1], DType.Int32, [8], [1, 2, 3, 4, 5, 6, 7, 8]);
        Expect.Values(V[..2], [0, 1]);
        Expect.Values(V[^3..], [7, 8, 9]);
        Expect.Values(V[2..5], [2, 3, 4]);
        Expect.Shape(V[5..2], 0);
        Expect.Values(V[..], Expect.Range(10));
        Expect.Shape(V[^0..], 0);
        Expect.Values(V[^20..2], [0, 1]);
        Expect.Array(M[..2, ^1], DType.Int32, [2], [3, 7]);
        Expect.Array(X[.., 1], DType.Int32, [2, 4], [4, 5, 6, 7, 16, 17, 18, 19]);
        Expect.Array(M[1.., 1..3], DType.Int32, [2, 2], [5, 6, 9, 10]);
    }

    [Theory]
    [InlineData(null, null, 2, new[] { 0.0, 2, 4, 6, 8 })]
    [InlineData(1L, null, 3, new[] { 1.0, 4, 7 })]
    [InlineData(null, null, -1, new[] { 9.0, 8, 7, 6, 5, 4, 3, 2, 1, 0 })]
    [InlineData(8L, 2L, -2, new[] { 8.0, 6, 4 })]
    [InlineData(-1L, -4L, -1, new[] { 9.0, 8, 7 })]
    [InlineData(null, 3L, -1, new[] { 9.0, 8, 7, 6, 5, 4 })]
    [InlineData(2L, null, -1, new[] { 2.0, 1, 0 })]
    [InlineData(100L, null, -3, new[] { 9.0, 6, 3, 0 })]
    [InlineData(-100L, 5L, 1, new[] { 0.0, 1, 2, 3, 4 })]
    [InlineData(3L, 3L, 1, new double[0])]
    [InlineData(0L, 10L, 20, new[] { 0.0 })]
    [InlineData(-20L, null, -1, new double[0])]
    [InlineData(1L, -20L, -1, new[] { 1.0, 0 })]
    [InlineData(5L, 1L, 1, new double[0])]
    [InlineData(1L, 5L, -1, new double[0])]
    [InlineData(null, null, -4, new[] { 9.0, 5, 1 })]
    [InlineData(9L, 9L, -1, new double[0])]
    public void Slices_with_steps_match_python(long? start, long? stop, long step, double[] expected)
    {
        Expect.Array(V[TensorIndex.Slice(start, stop, step)], DType.Int32, [expected.Length], expected);
    }

    [Fact]
    public void Slices_with_steps_on_several_axes()
    {
        var r = M[TensorIndex.Slice(step: -1), TensorIndex.Slice(step: 2)];
        Expect.Array(r, DType.Int32, [3, 2], [8, 10, 4, 6, 0, 2]);
        var s = X[TensorIndex.Slice(step: -1), 1.., TensorIndex.Slice(3, 0, -2)];
        Expect.Array(s, DType.Int32, [2, 2, 2], [At(1, 1, 3), At(1, 1, 1), At(1, 2, 3), At(1, 2, 1), At(0, 1, 3), At(0, 1, 1), At(0, 2, 3), At(0, 2, 1)]);
    }

    [Fact]
    public void Zero_slice_step_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => TensorIndex.Slice(0, 5, 0));
    }

    [Fact]
    public void NewAxis_inserts_unit_dimensions()
    {
        Expect.Shape(V[TensorIndex.NewAxis], 1, 10);
        Expect.Shape(V[.., TensorIndex.NewAxis], 10, 1);
        // C#'s ".." is a full slice (":"), not an ellipsis: m[None, :, None] has shape (1, 3, 1, 4).
        Expect.Array(M[TensorIndex.NewAxis, .., TensorIndex.NewAxis], DType.Int32, [1, 3, 1, 4], Expect.Range(12));
        Expect.Shape(M[TensorIndex.NewAxis, TensorIndex.Ellipsis, TensorIndex.NewAxis], 1, 3, 4, 1);
        Expect.Array(M[1, TensorIndex.NewAxis], DType.Int32, [1, 4], [4, 5, 6, 7]);
        Expect.Array(M[TensorIndex.NewAxis, 2, TensorIndex.NewAxis, 1..3], DType.Int32, [1, 1, 2], [9, 10]);
        Expect.Shape(Jnp.Array(5)[TensorIndex.NewAxis], 1);
    }

    [Fact]
    public void Ellipsis_fills_the_missing_axes()
    {
        Expect.Array(X[TensorIndex.Ellipsis, 1], DType.Int32, [2, 3], [1, 5, 9, 13, 17, 21]);
        Expect.Shape(X[0, TensorIndex.Ellipsis], 3, 4);
        Expect.Array(X[TensorIndex.Ellipsis], DType.Int32, [2, 3, 4], Expect.Range(24));
        Expect.Shape(X[TensorIndex.Ellipsis, TensorIndex.NewAxis], 2, 3, 4, 1);
        Expect.Array(X[1, TensorIndex.Ellipsis, 2], DType.Int32, [3], [14, 18, 22]);
        Expect.Array(X[1, 2, 3, TensorIndex.Ellipsis], DType.Int32, [], [23]);
        Expect.Error(() => _ = X[TensorIndex.Ellipsis, 0, TensorIndex.Ellipsis], "index", "ellipsis", "IndexingTests.cs(");
    }

    [Fact]
    public void Integer_arrays_gather_along_an_axis()
    {
        Expect.Array(V[new[] { 1, 3, -1 }], DType.Int32, [3], [1, 3, 9]);
        Expect.Array(M[new[] { 0, 2 }], DType.Int32, [2, 4], [0, 1, 2, 3, 8, 9, 10, 11]);
        Expect.Array(M[.., new[] { 3, 0 }], DType.Int32, [3, 2], [3, 0, 7, 4, 11, 8]);
        Expect.Array(V[Jnp.Array(new int[] { 2 })], DType.Int32, [1], [2]);
        Expect.Array(V[Jnp.Zeros(0, Jnp.Int32)], DType.Int32, [0], []);
    }

    [Fact]
    public void Two_dimensional_index_arrays_shape_the_result()
    {
        var idx = Jnp.Array(new int[,] { { 0, 1 }, { 2, 0 } });
        Expect.Array(V[idx], DType.Int32, [2, 2], [0, 1, 2, 0]);
        Expect.Array(M[idx], DType.Int32, [2, 2, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3]);
    }

    [Fact]
    public void Several_index_arrays_broadcast_together()
    {
        Expect.Array(M[new[] { 0, 2 }, new[] { 1, 3 }], DType.Int32, [2], [1, 11]);
        var rows = Jnp.Array(new int[,] { { 0 }, { 2 } });
        Expect.Array(M[rows, new[] { 1, 3 }], DType.Int32, [2, 2], [1, 3, 9, 11]);
        var i0 = Jnp.Array(new int[,] { { 0, 1 } });
        var i1 = Jnp.Array(new int[,] { { 0 }, { 2 } });
        var r = X[i0, i1];
        Expect.Shape(r, 2, 2, 4);
        Expect.Values(r[0, 1], [At(1, 0, 0), At(1, 0, 1), At(1, 0, 2), At(1, 0, 3)]);
        Expect.Values(r[1, 0], [At(0, 2, 0), At(0, 2, 1), At(0, 2, 2), At(0, 2, 3)]);
        Expect.Error(() => _ = M[new[] { 0, 1 }, new[] { 0, 1, 2 }], "index", "int32[2]", "int32[3]", "IndexingTests.cs(");
    }

    [Fact]
    public void Adjacent_advanced_indices_keep_their_place()
    {
        // x[:, [0, 2], [1, 3]] -> shape (2, 2): the broadcast index dimension replaces axes 1 and 2.
        Expect.Array(X[.., new[] { 0, 2 }, new[] { 1, 3 }], DType.Int32, [2, 2], [At(0, 0, 1), At(0, 2, 3), At(1, 0, 1), At(1, 2, 3)]);
        // x[:, 1, [0, 3]]: an integer next to an array is an advanced index too; still adjacent.
        Expect.Array(X[.., 1, new[] { 0, 3 }], DType.Int32, [2, 2], [At(0, 1, 0), At(0, 1, 3), At(1, 1, 0), At(1, 1, 3)]);
        // x[:, [[0], [2]], 1:3] -> (2, 2, 1, 2): index dims in the middle.
        var mid = X[.., Jnp.Array(new int[,] { { 0 }, { 2 } }), 1..3];
        Expect.Array(mid, DType.Int32, [2, 2, 1, 2], [At(0, 0, 1), At(0, 0, 2), At(0, 2, 1), At(0, 2, 2), At(1, 0, 1), At(1, 0, 2), At(1, 2, 1), At(1, 2, 2)]);
        Expect.Array(X[TensorIndex.Ellipsis, new[] { 0, 2 }], DType.Int32, [2, 3, 2],
            [At(0, 0, 0), At(0, 0, 2), At(0, 1, 0), At(0, 1, 2), At(0, 2, 0), At(0, 2, 2), At(1, 0, 0), At(1, 0, 2), At(1, 1, 0), At(1, 1, 2), At(1, 2, 0), At(1, 2, 2)]);
    }

    [Fact]
    public void Non_adjacent_advanced_indices_move_to_the_front()
    {
        // x[[0, 1], :, [1, 3]] -> shape (2, 3): the index dimension first, then the sliced axis.
        Expect.Array(X[new[] { 0, 1 }, .., new[] { 1, 3 }], DType.Int32, [2, 3], [At(0, 0, 1), At(0, 1, 1), At(0, 2, 1), At(1, 0, 3), At(1, 1, 3), At(1, 2, 3)]);
        // x[1, :, [0, 3]]: the integer and the array are separated by a slice.
        Expect.Array(X[1, .., new[] { 0, 3 }], DType.Int32, [2, 3], [At(1, 0, 0), At(1, 1, 0), At(1, 2, 0), At(1, 0, 3), At(1, 1, 3), At(1, 2, 3)]);
    }

    [Fact]
    public void Advanced_indices_combine_with_strided_slices()
    {
        var r = X[new[] { 1, 0 }, TensorIndex.Slice(step: -2)];
        Expect.Array(r, DType.Int32, [2, 2, 4], [
            At(1, 2, 0), At(1, 2, 1), At(1, 2, 2), At(1, 2, 3), At(1, 0, 0), At(1, 0, 1), At(1, 0, 2), At(1, 0, 3),
            At(0, 2, 0), At(0, 2, 1), At(0, 2, 2), At(0, 2, 3), At(0, 0, 0), At(0, 0, 1), At(0, 0, 2), At(0, 0, 3)]);
    }

    [Fact]
    public void Out_of_range_index_arrays_are_clamped_like_jax()
    {
        Expect.Values(V[new[] { 10, -11, 100 }], [9, 0, 9]);
    }

    [Fact]
    public void Boolean_masks_select_elements()
    {
        Expect.Array(V[V > 5], DType.Int32, [4], [6, 7, 8, 9]);
        Expect.Array(M[Jnp.Equal(Jnp.Remainder(M, 3), 0)], DType.Int32, [4], [0, 3, 6, 9]);
        Expect.Array(M[new[] { true, false, true }], DType.Int32, [2, 4], [0, 1, 2, 3, 8, 9, 10, 11]);
        Expect.Array(M[.., new[] { false, true, false, true }], DType.Int32, [3, 2], [1, 3, 5, 7, 9, 11]);
        var mask = Jnp.Array(new bool[,] { { true, false, false }, { false, false, true } });
        Expect.Array(X[mask], DType.Int32, [2, 4], [0, 1, 2, 3, At(1, 2, 0), At(1, 2, 1), At(1, 2, 2), At(1, 2, 3)]);
        Expect.Shape(V[V > 100], 0);
        Expect.Array(X[TensorIndex.Ellipsis, Jnp.Array(new bool[] { true, false, false, true })], DType.Int32, [2, 3, 2],
            [0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23]);
    }

    [Fact]
    public void Boolean_masks_must_match_the_indexed_shape()
    {
        Expect.Error(() => _ = V[new[] { true, false }], "index", "bool[2]", "IndexingTests.cs(");
        Expect.Error(() => _ = M[.., new[] { true, false, true }], "index", "bool[3]", "IndexingTests.cs(");
    }

    [Fact]
    public void Float_index_arrays_are_rejected()
    {
        Expect.Error(() => _ = V[Jnp.Array(new float[] { 1 })], "index", "float32[1]", "IndexingTests.cs(");
    }

    [Fact]
    public void Take_gathers_from_the_flattened_array_or_along_an_axis()
    {
        Expect.Array(Jnp.Take(V, Jnp.Array(new int[] { 1, 3 })), DType.Int32, [2], [1, 3]);
        Expect.Array(Jnp.Take(M, Jnp.Array(new int[] { 5, 11 })), DType.Int32, [2], [5, 11]);
        Expect.Array(Jnp.Take(M, Jnp.Array(new int[] { 0, 2 }), 1), DType.Int32, [3, 2], [0, 2, 4, 6, 8, 10]);
        Expect.Array(Jnp.Take(M, Jnp.Array(new int[] { 2 }), -2), DType.Int32, [1, 4], [8, 9, 10, 11]);
        Expect.Array(Jnp.Take(M, Jnp.Array(1), 1), DType.Int32, [3], [1, 5, 9]);
        Expect.Values(Jnp.Take(V, Jnp.Array(new int[] { -1, -10 })), [9, 0]);
    }

    [Fact]
    public void Take_fills_out_of_bounds_like_jax()
    {
        var f = Jnp.Arange(5).Astype(Jnp.Float32);
        Expect.Values(Jnp.Take(f, Jnp.Array(new int[] { 5, -6, 100, 4 })), [double.NaN, double.NaN, double.NaN, 4]);
        Expect.Values(Jnp.Take(Jnp.Arange(5), Jnp.Array(new int[] { 5, 0 })), [int.MinValue, 0]);
        Expect.Values(Jnp.Take(Jnp.Arange(5).Astype(Jnp.UInt8), Jnp.Array(new int[] { 7 })), [255]);
        Expect.Bools(Jnp.Take(Jnp.Array(new bool[] { false }), Jnp.Array(new int[] { 3 })), true);
        Expect.Values(Jnp.Take(M, Jnp.Array(new int[] { 4 }), 1), [int.MinValue, int.MinValue, int.MinValue]);
    }

    [Fact]
    public void Nonzero_lists_indices_per_dimension()
    {
        var nz = Jnp.Nonzero(M > 5);
        Assert.Equal(2, nz.Length);
        Expect.Array(nz[0], DType.Int32, [6], [1, 1, 2, 2, 2, 2]);
        Expect.Array(nz[1], DType.Int32, [6], [2, 3, 0, 1, 2, 3]);
        var v = Jnp.Nonzero(Jnp.Array(new float[] { 0, 1.5f, 0, float.NaN, -0.0f }));
        Expect.Values(Assert.Single(v), [1, 3]);
        var none = Jnp.Nonzero(Jnp.Zeros([2, 2]));
        Expect.Shape(none[0], 0);
        Expect.Shape(none[1], 0);
    }
}
