using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api.Numpy;

/// <summary>Shape manipulation added for <c>jax.numpy</c> breadth, against the outputs NumPy documents for the same calls.</summary>
public class ManipulationTests
{
    private static Tensor Ints(params int[] v) => Jnp.Array(v);

    private static Tensor M22 => Jnp.Array(new[,] { { 1, 2 }, { 3, 4 } });

    [Fact]
    public void Tile_repeats_whole_arrays()
    {
        Expect.Array(Jnp.Tile(Ints(1, 2, 3), 2), DType.Int32, [6], [1, 2, 3, 1, 2, 3]);
        Expect.Array(Jnp.Tile(M22, [2, 1]), DType.Int32, [4, 2], [1, 2, 3, 4, 1, 2, 3, 4]);
        Expect.Array(Jnp.Tile(Ints(1, 2), [2, 2]), DType.Int32, [2, 4], [1, 2, 1, 2, 1, 2, 1, 2]);
        Expect.Array(Jnp.Tile(Jnp.Array(5), 3), DType.Int32, [3], [5, 5, 5]);
        Expect.Shape(Jnp.Tile(M22, [0, 2]), 0, 4);
        Expect.Values(Jax.Grad((Tensor x) => Jnp.Sum(Jnp.Tile(x, [3])))(Jnp.Array(new[] { 1f, 2f })), [3, 3]);
        Expect.Error(() => Jnp.Tile(M22, [-1]), "tile", "negative");
    }

    [Fact]
    public void Repeat_with_scalar_and_per_element_counts()
    {
        Expect.Array(Jnp.Repeat(M22, 2), DType.Int32, [8], [1, 1, 2, 2, 3, 3, 4, 4]);
        Expect.Array(Jnp.Repeat(M22, 2, 1), DType.Int32, [2, 4], [1, 1, 2, 2, 3, 3, 4, 4]);
        Expect.Array(Jnp.Repeat(M22, [1, 2], 0), DType.Int32, [3, 2], [1, 2, 3, 4, 3, 4]);
        Expect.Values(Jnp.Repeat(Ints(7, 8, 9), Ints(0, 2, 1)), [8, 8, 9]);
        var jitted = Jax.Jit((Tensor r) => Jnp.Repeat(Jnp.Arange(3), r, totalRepeatLength: 5));
        Expect.Values(jitted(Ints(2, 0, 1)), [0, 0, 2, 2, 2]);
        Expect.Values(jitted(Ints(1, 3, 1)), [0, 1, 1, 1, 2]);
        Expect.Values(Jnp.Repeat(Ints(4, 5), Ints(3, 3), totalRepeatLength: 2), [4, 4]);
        Expect.Values(Jax.Grad((Tensor x) => Jnp.Sum(Jnp.Repeat(x, [1, 3])))(Jnp.Array(new[] { 1f, 1f })), [1, 3]);
        Expect.Error(() => Jax.Jit((Tensor r) => Jnp.Repeat(Ints(1, 2), r))(Ints(1, 1)), "repeat", "total_repeat_length");
        Expect.Error(() => Jnp.Repeat(M22, [1, 2, 3], 0), "repeat", "length of axis 0");
        Expect.Error(() => Jnp.Repeat(M22, -1), "repeat", "negative");
    }

    [Fact]
    public void Roll_shifts_with_wraparound()
    {
        var x = Jnp.Arange(10);
        Expect.Values(Jnp.Roll(x, 2), [8, 9, 0, 1, 2, 3, 4, 5, 6, 7]);
        Expect.Values(Jnp.Roll(x, -2), [2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
        var x2 = Jnp.Reshape(x, 2, 5);
        Expect.Array(Jnp.Roll(x2, 1), DType.Int32, [2, 5], [9, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        Expect.Values(Jnp.Roll(x2, 1, 0), [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
        Expect.Values(Jnp.Roll(x2, -1, 1), [1, 2, 3, 4, 0, 6, 7, 8, 9, 5]);
        Expect.Values(Jnp.Roll(x2, [1, 1], [1, 0]), [9, 5, 6, 7, 8, 4, 0, 1, 2, 3]);
        var dynamic = Jax.Jit((Tensor a, Tensor s) => Jnp.Roll(a, s, 1));
        Expect.Values(dynamic(x2, Jnp.Array(7)), [3, 4, 0, 1, 2, 8, 9, 5, 6, 7]);
        Expect.Values(dynamic(x2, Jnp.Array(-1)), [1, 2, 3, 4, 0, 6, 7, 8, 9, 5]);
        Expect.Values(Jax.Vmap((Tensor r) => Jnp.Roll(r, 1))(x2), [4, 0, 1, 2, 3, 9, 5, 6, 7, 8]);
        Expect.Error(() => Jnp.Roll(x2, [1, 2, 3], [0, 1]), "roll", "same length");
    }

    [Fact]
    public void Rot90_and_flips()
    {
        Expect.Values(Jnp.Rot90(M22), [2, 4, 1, 3]);
        Expect.Values(Jnp.Rot90(M22, 2), [4, 3, 2, 1]);
        Expect.Values(Jnp.Rot90(M22, -1), [3, 1, 4, 2]);
        Expect.Values(Jnp.Rot90(M22, 4), [1, 2, 3, 4]);
        Expect.Values(Jnp.Rot90(Expect.Iota(DType.Int32, 2, 2, 2), 1, (1, 2)), [1, 3, 0, 2, 5, 7, 4, 6]);
        Expect.Error(() => Jnp.Rot90(M22, 1, (0, 0)), "rot90", "different");
        Expect.Error(() => Jnp.Rot90(Ints(1)), "rot90", "at least 2");
        Expect.Values(Jnp.Fliplr(M22), [2, 1, 4, 3]);
        Expect.Values(Jnp.Flipud(M22), [3, 4, 1, 2]);
        Expect.Error(() => Jnp.Fliplr(Ints(1, 2)), "fliplr", "at least 2");
    }

    [Fact]
    public void Atleast_nd_and_array_api_transposes()
    {
        Expect.Shape(Jnp.Atleast1d(Jnp.Array(3)), 1);
        Expect.Shape(Jnp.Atleast2d(Ints(1, 2)), 1, 2);
        Expect.Shape(Jnp.Atleast3d(Jnp.Array(3)), 1, 1, 1);
        Expect.Shape(Jnp.Atleast3d(Ints(1, 2)), 1, 2, 1);
        Expect.Shape(Jnp.Atleast3d(M22), 2, 2, 1);
        var many = Jnp.Atleast2d(Jnp.Array(1), M22);
        Expect.Shape(many[0], 1, 1);
        Assert.Same(M22.GetType(), many[1].GetType());
        Expect.Shape(Jnp.PermuteDims(Expect.Iota(DType.Int32, 2, 3, 4), [2, 0, 1]), 4, 2, 3);
        Expect.Array(Jnp.MatrixTranspose(Expect.Iota(DType.Int32, 2, 2, 3)), DType.Int32, [2, 3, 2], [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
        Expect.Error(() => Jnp.MatrixTranspose(Ints(1)), "matrix_transpose", "two-dimensional");
        Assert.Equal([2, 3], Jnp.BroadcastShapes([2, 1], [3]));
        Assert.Equal([5, 2, 3], Jnp.BroadcastShapes([1, 3], [5, 2, 1], []));
        Expect.Error(() => Jnp.BroadcastShapes([2], [3]), "broadcast_shapes", "(2,)", "(3,)");
    }

    [Fact]
    public void Stacking_splitting_and_blocks()
    {
        var a = Ints(1, 2, 3);
        var b = Ints(2, 3, 4);
        Expect.Array(Jnp.ColumnStack([a, b]), DType.Int32, [3, 2], [1, 2, 2, 3, 3, 4]);
        Expect.Array(Jnp.Dstack([a, b]), DType.Int32, [1, 3, 2], [1, 2, 2, 3, 3, 4]);
        Expect.Array(Jnp.RowStack([a, b]), DType.Int32, [2, 3], [1, 2, 3, 2, 3, 4]);
        var parts = Jnp.ArraySplit(Jnp.Arange(8), 3);
        Assert.Equal(3, parts.Length);
        Expect.Values(parts[0], [0, 1, 2]);
        Expect.Values(parts[1], [3, 4, 5]);
        Expect.Values(parts[2], [6, 7]);
        Assert.Equal(4, Jnp.ArraySplit(Jnp.Arange(3), 4).Length);
        var m = Expect.Iota(DType.Int32, 4, 4);
        Expect.Array(Jnp.Hsplit(m, 2)[0], DType.Int32, [4, 2], [0, 1, 4, 5, 8, 9, 12, 13]);
        Expect.Values(Jnp.Hsplit(Jnp.Arange(6), [2])[1], [2, 3, 4, 5]);
        Expect.Array(Jnp.Vsplit(m, [3])[1], DType.Int32, [1, 4], [12, 13, 14, 15]);
        Expect.Shape(Jnp.Dsplit(Expect.Iota(DType.Int32, 2, 2, 4), 2)[1], 2, 2, 2);
        Expect.Error(() => Jnp.Vsplit(Jnp.Arange(4), 2), "vsplit", "2 or more dimensions");
        Expect.Error(() => Jnp.ArraySplit(m, 0), "array_split", "larger than 0");
        Expect.Values(Jnp.Block([Ints(1, 2), Jnp.Array(3)]), [1, 2, 3]);
        var block = Jnp.Block([[M22, Jnp.Array(new[,] { { 5 }, { 6 } })], [Jnp.Array(new[,] { { 7, 8, 9 } })]]);
        Expect.Array(block, DType.Int32, [3, 3], [1, 2, 5, 3, 4, 6, 7, 8, 9]);
    }

    [Fact]
    public void Take_and_put_along_an_axis()
    {
        var a = Jnp.Array(new[,] { { 10f, 30f, 20f }, { 60f, 40f, 50f } });
        Expect.Values(Jnp.TakeAlongAxis(a, Jnp.Argsort(a, 1), 1), [10, 20, 30, 40, 50, 60]);
        var top = Jnp.Array(new[,] { { 1 }, { 0 } });
        Expect.Array(Jnp.TakeAlongAxis(a, top, 1), DType.Float32, [2, 1], [30, 60]);
        Expect.Array(Jnp.TakeAlongAxis(a, Jnp.Array(new[,] { { -1 } }), 1), DType.Float32, [2, 1], [20, 50]);
        Expect.Values(Jnp.TakeAlongAxis(a, Jnp.Array(new[,] { { 3, -4 } }), 1), [double.NaN, double.NaN, double.NaN, double.NaN]);
        Expect.Values(Jnp.TakeAlongAxis(a, Ints(5, 0), null), [50, 10]);
        Expect.Values(Jnp.PutAlongAxis(a, top, 99, 1), [10, 99, 20, 99, 40, 50]);
        Expect.Values(Jnp.PutAlongAxis(a, Ints(-1, 9), Jnp.Array(new[] { 1f, 2f }), null), [10, 30, 20, 60, 40, 1]);
        var grad = Jax.Grad((Tensor x) => Jnp.Sum(Jnp.TakeAlongAxis(x, Jnp.Array(new[,] { { 0, 0, 2 }, { 1, 1, 1 } }), 1)))(a);
        Expect.Values(grad, [2, 0, 1, 0, 3, 0]);
        var putGrad = Jax.Grad((Tensor v) => Jnp.Sum(Jnp.Multiply(Jnp.PutAlongAxis(a, top, v, 1), 2)))(Jnp.Array(new[,] { { 1f }, { 1f } }));
        Expect.Values(putGrad, [2, 2]);
        var rows = Jax.Vmap((Tensor r) => Jnp.TakeAlongAxis(r, Ints(2, 0), 0))(a);
        Expect.Values(rows, [20, 10, 50, 60]);
        Expect.Values(Jax.Jit((Tensor x, Tensor i) => Jnp.PutAlongAxis(x, i, 0, 0))(a, Jnp.Array(new[,] { { 1, 0, 1 } })), [10, 0, 20, 0, 40, 0]);
        Expect.Error(() => Jnp.TakeAlongAxis(a, Ints(0), 1), "take_along_axis", "same number of dimensions");
        Expect.Error(() => Jnp.TakeAlongAxis(a, Jnp.Array(new[,] { { 0.5f } }), 1), "take_along_axis", "integers");
    }

    [Fact]
    public void Append_insert_delete_and_resize()
    {
        Expect.Values(Jnp.Append(Ints(1, 2, 3), Jnp.Array(new[,] { { 4, 5, 6 }, { 7, 8, 9 } })), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Expect.Array(Jnp.Append(M22, M22, 0), DType.Int32, [4, 2], [1, 2, 3, 4, 1, 2, 3, 4]);
        Expect.Error(() => Jnp.Append(M22, Ints(1, 2), 0), "append", "same number of dimensions");
        var a = Ints(1, 2, 3, 4);
        Expect.Values(Jnp.Insert(a, 1, 9), [1, 9, 2, 3, 4]);
        Expect.Values(Jnp.Insert(a, [1, 3], Ints(8, 9)), [1, 8, 2, 3, 9, 4]);
        Expect.Values(Jnp.Insert(Ints(0, 1, 2), [2, 0], Ints(10, 20)), [20, 0, 1, 10, 2]);
        Expect.Values(Jnp.Insert(a, -1, Ints(7, 8)), [1, 2, 3, 7, 8, 4]);
        var b = Jnp.Array(new[,] { { 1, 1 }, { 2, 2 }, { 3, 3 } });
        Expect.Array(Jnp.Insert(b, 1, 5, 1), DType.Int32, [3, 3], [1, 5, 1, 2, 5, 2, 3, 5, 3]);
        Expect.Array(Jnp.Insert(b, 1, Ints(1, 2, 3), 1), DType.Int32, [3, 3], [1, 1, 1, 2, 2, 2, 3, 3, 3]);
        Expect.Array(Jnp.Insert(b, [1], Jnp.Array(new[,] { { 1 }, { 2 }, { 3 } }), 1), DType.Int32, [3, 3], [1, 1, 1, 2, 2, 2, 3, 3, 3]);
        Expect.Array(Jnp.Insert(Jnp.Array(new[] { 1f }), 0, 2.5), DType.Float32, [2], [2.5, 1]);
        Expect.Values(Jnp.Delete(Jnp.Arange(6), [0, 2, -1, 17]), [1, 3, 4]);
        Expect.Array(Jnp.Delete(b, 1, 0), DType.Int32, [2, 2], [1, 1, 3, 3]);
        Expect.Error(() => Jnp.Delete(a, 4), "delete", "out of bounds");
        var c = Jnp.Array(new[,] { { 0, 1 }, { 2, 3 } });
        Expect.Array(Jnp.Resize(c, [2, 3]), DType.Int32, [2, 3], [0, 1, 2, 3, 0, 1]);
        Expect.Array(Jnp.Resize(c, [2, 4]), DType.Int32, [2, 4], [0, 1, 2, 3, 0, 1, 2, 3]);
        Expect.Array(Jnp.Resize(Jnp.Zeros([0]), [2]), DType.Float32, [2], [0, 0]);
        Expect.Error(() => Jnp.Resize(c, [-1]), "resize", "non-negative");
    }

    [Fact]
    public void Select_choose_compress_and_piecewise()
    {
        var x = Jnp.Arange(6);
        Expect.Array(Jnp.Select([Jnp.Less(x, 3), Jnp.Greater(x, 3)], [x, Jnp.Square(x)], 42), DType.Int32, [6], [0, 1, 2, 42, 16, 25]);
        Expect.Values(Jnp.Select([Jnp.Less(x, 4), Jnp.Less(x, 2)], [Jnp.Zeros(6), Jnp.Ones(6)]), [0, 0, 0, 0, 0, 0]);
        Expect.Error(() => Jnp.Select([x], [x, x]), "select", "(1 vs 2)");
        Expect.Error(() => Jnp.Select([x], [x]), "select", "boolean");
        var choices = new[] { Ints(0, 1, 2, 3), Ints(10, 11, 12, 13), Ints(20, 21, 22, 23), Ints(30, 31, 32, 33) };
        Expect.Values(Jnp.Choose(Ints(2, 3, 1, 0), choices), [20, 31, 12, 3]);
        Expect.Values(Jnp.Choose(Ints(2, 4, 1, 0), choices, "clip"), [20, 31, 12, 3]);
        Expect.Values(Jnp.Choose(Ints(2, 4, 1, 0), choices, "wrap"), [20, 1, 12, 3]);
        Expect.Values(Jax.Jit((Tensor i) => Jnp.Choose(i, choices, "clip"))(Ints(3, 0, 0, 9)), [30, 1, 2, 33]);
        Expect.Error(() => Jnp.Choose(Ints(2, 4, 1, 0), choices), "choose", "invalid entry");
        Expect.Error(() => Jax.Jit((Tensor i) => Jnp.Choose(i, choices))(Ints(0, 0, 0, 0)), "choose", "mode='wrap'");
        var a = Jnp.Array(new[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        Expect.Array(Jnp.Compress([false, true], a, 0), DType.Int32, [1, 2], [3, 4]);
        Expect.Array(Jnp.Compress(Jnp.Array(new[] { false, true, true }), a, 0), DType.Int32, [2, 2], [3, 4, 5, 6]);
        Expect.Array(Jnp.Compress([false, true], a, 1), DType.Int32, [3, 1], [2, 4, 6]);
        Expect.Values(Jnp.Compress([false, true], a), [2]);
        Expect.Error(() => Jnp.Compress([true, false, false, true], a, 0), "compress", "out of bounds");
        var v = Jnp.Linspace(-2.5, 2.5, 6);
        Expect.Values(Jnp.Piecewise(v, [Jnp.Less(v, 0), Jnp.GreaterEqual(v, 0)], [_ => -1, _ => 1]), [-1, -1, -1, 1, 1, 1]);
        Expect.Values(Jnp.Piecewise(v, [Jnp.Less(v, 0)], [t => Jnp.Negative(t), t => Jnp.Multiply(t, 2)]), [2.5, 1.5, 0.5, 1, 3, 5], 1e-6);
        var grad = Jax.Grad((Tensor t) => Jnp.Sum(Jnp.Piecewise(t, [Jnp.Less(t, 0)], [Jnp.Square, Jnp.Sin])))(Jnp.Array(new[] { -2f, 0.5f }));
        Expect.Values(grad, [-4, Math.Cos(0.5)], 1e-6);
        Expect.Error(() => Jnp.Piecewise(v, [Jnp.Less(v, 0)], [_ => 1, _ => 2, _ => 3]), "piecewise", "either 1 or 2");
    }

    [Fact]
    public void Flat_and_multi_dimensional_indices()
    {
        var (rows, cols) = (Jnp.UnravelIndex(Ints(22, 41, 37), [7, 6])[0], Jnp.UnravelIndex(Ints(22, 41, 37), [7, 6])[1]);
        Expect.Values(rows, [3, 6, 6]);
        Expect.Values(cols, [4, 5, 1]);
        Expect.Values(Jnp.UnravelIndex(Ints(-1, 100), [2, 3])[1], [2, 2]);
        var multi = new[] { Ints(3, 6, 6), Ints(4, 5, 1) };
        Expect.Values(Jnp.RavelMultiIndex(multi, [7, 6]), [22, 41, 37]);
        Expect.Values(Jnp.RavelMultiIndex(multi, [7, 6], order: "F"), [31, 41, 13]);
        Expect.Values(Jnp.RavelMultiIndex(multi, [4, 6], "clip"), [22, 23, 19]);
        Expect.Values(Jnp.RavelMultiIndex(multi, [4, 6], "wrap"), [22, 17, 13]);
        Expect.Values(Jax.Jit((Tensor i, Tensor j) => Jnp.RavelMultiIndex([i, j], [4, 6], "clip"))(multi[0], multi[1]), [22, 23, 19]);
        Expect.Error(() => Jnp.RavelMultiIndex(multi, [4, 6]), "ravel_multi_index", "invalid entry");
        Expect.Error(() => Jnp.UnravelIndex(Jnp.Array(new[] { 1f }), [2]), "unravel_index", "int indices");
    }

    [Fact]
    public void Nonzero_argwhere_and_flatnonzero_with_a_static_size_run_under_jit()
    {
        var x = Jnp.Array(new[,] { { 0, 3, 0 }, { 4, 0, 5 } });
        var padded = Jnp.Nonzero(x, 5, -1);
        Expect.Values(padded[0], [0, 1, 1, -1, -1]);
        Expect.Values(padded[1], [1, 0, 2, -1, -1]);
        var cut = Jax.Jit(a => Jnp.Nonzero(a[0], 2))([x]);
        Expect.Values(cut[0], [0, 1]);
        Expect.Values(cut[1], [1, 0]);
        Expect.Array(Jnp.Argwhere(x), DType.Int32, [3, 2], [0, 1, 1, 0, 1, 2]);
        Expect.Array(Jax.Jit((Tensor a) => Jnp.Argwhere(a, 4))(x), DType.Int32, [4, 2], [0, 1, 1, 0, 1, 2, 0, 0]);
        Expect.Shape(Jnp.Argwhere(Jnp.Array(3)), 1, 0);
        Expect.Shape(Jnp.Argwhere(Jnp.Array(0)), 0, 0);
        Expect.Values(Jnp.Flatnonzero(Ints(-2, -1, 0, 1, 2)), [0, 1, 3, 4]);
        Expect.Values(Jax.Jit((Tensor a) => Jnp.Flatnonzero(a, 6, 9))(Ints(-2, -1, 0, 1, 2)), [0, 1, 3, 4, 9, 9]);
        Expect.Values(Jax.Vmap((Tensor r) => Jnp.Flatnonzero(r, 2))(x), [1, 0, 0, 2]);
        Expect.Error(() => Jnp.Nonzero(Jnp.Array(1), 2), "nonzero", "0-d");
    }
}
