using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api.Numpy;

/// <summary>Array creation added for <c>jax.numpy</c> breadth: grids, log-spaced ranges, diagonals, triangle indices, Vandermonde.</summary>
public class CreationMoreTests
{
    [Fact]
    public void Empty_is_zeros_as_in_jax()
    {
        Expect.Array(Jnp.Empty([2, 2]), DType.Float32, [2, 2], [0, 0, 0, 0]);
        Expect.Array(Jnp.Empty(3, DType.Int32), DType.Int32, [3], [0, 0, 0]);
        Expect.Array(Jnp.EmptyLike(Jnp.Array(new[] { 1, 2 })), DType.Int32, [2], [0, 0]);
    }

    [Fact]
    public void Tri_has_ones_at_and_below_the_diagonal()
    {
        Expect.Array(Jnp.Tri(3, 4, 1), DType.Float32, [3, 4], [1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
        Expect.Array(Jnp.Tri(3, k: -1, dtype: DType.Int32), DType.Int32, [3, 3], [0, 0, 0, 1, 0, 0, 1, 1, 0]);
    }

    [Fact]
    public void Indices_and_meshgrid_build_coordinate_grids()
    {
        Expect.Array(Jnp.Indices([2, 3]), DType.Int32, [2, 2, 3], [0, 0, 0, 1, 1, 1, 0, 1, 2, 0, 1, 2]);
        var sparse = Jnp.Indices([2, 3], sparse: true);
        Expect.Array(sparse[0], DType.Int32, [2, 1], [0, 1]);
        Expect.Array(sparse[1], DType.Int32, [1, 3], [0, 1, 2]);
        var x = Jnp.Array(new[] { 1f, 2f, 3f });
        var y = Jnp.Array(new[] { 4f, 5f });
        var xy = Jnp.Meshgrid([x, y]);
        Expect.Array(xy[0], DType.Float32, [2, 3], [1, 2, 3, 1, 2, 3]);
        Expect.Array(xy[1], DType.Float32, [2, 3], [4, 4, 4, 5, 5, 5]);
        var ij = Jnp.Meshgrid([x, y], indexing: "ij");
        Expect.Array(ij[0], DType.Float32, [3, 2], [1, 1, 2, 2, 3, 3]);
        Expect.Array(ij[1], DType.Float32, [3, 2], [4, 5, 4, 5, 4, 5]);
        var thin = Jnp.Meshgrid([x, y], sparse: true);
        Expect.Shape(thin[0], 1, 3);
        Expect.Shape(thin[1], 2, 1);
        Expect.Shape(Jnp.Meshgrid([x, y, Jnp.Zeros(4)])[2], 2, 3, 4);
        Expect.Error(() => Jnp.Meshgrid([x], indexing: "yx"), "meshgrid", "'yx'", "CreationMoreTests.cs(");
    }

    [Fact]
    public void Linspace_step_logspace_and_geomspace()
    {
        var (samples, step) = Jnp.Linspace(0, 1, 5, true, true);
        Expect.Values(samples, [0, 0.25, 0.5, 0.75, 1]);
        Expect.Values(step, [0.25]);
        Expect.Values(Jnp.Linspace(0, 1, 5, false, true).Step, [0.2], 1e-7);
        Expect.Values(Jnp.Linspace(0, 1, 1, true, true).Step, [double.NaN]);
        Assert.Throws<ArgumentException>(() => Jnp.Linspace(0, 1, 5, true, false));
        Expect.Values(Jnp.Logspace(0, 3, 4), [1, 10, 100, 1000], 1e-6);
        Expect.Values(Jnp.Logspace(0, 3, 4, @base: 2), [1, 2, 4, 8], 1e-6);
        Expect.Array(Jnp.Geomspace(1, 1000, 4), DType.Float32, [4], [1, 10, 100, 1000], 1e-6);
        Expect.Values(Jnp.Geomspace(-1, -1000, 4), [-1, -10, -100, -1000], 1e-6);
        Expect.Values(Jnp.Geomspace(1, 1000, 3, endpoint: false), [1, 10, 100], 1e-6);
        Expect.Values(Jnp.Geomspace(2, 3, 1), [2]);
        Expect.Error(() => Jnp.Geomspace(0, 1), "geomspace", "zero", "CreationMoreTests.cs(");
        Expect.Error(() => Jnp.Arange(0.0, double.PositiveInfinity, 1.0), "arange", "finite", "CreationMoreTests.cs(");
        Expect.Error(() => Jnp.Arange(double.NaN, 1.0, 0.5), "arange", "finite");
    }

    [Fact]
    public void Diag_and_diagflat_place_vectors_on_diagonal_k()
    {
        var v = Jnp.Array(new[] { 1, 2 });
        Expect.Array(Jnp.Diag(v), DType.Int32, [2, 2], [1, 0, 0, 2]);
        Expect.Array(Jnp.Diag(v, 1), DType.Int32, [3, 3], [0, 1, 0, 0, 0, 2, 0, 0, 0]);
        Expect.Array(Jnp.Diag(v, -1), DType.Int32, [3, 3], [0, 0, 0, 1, 0, 0, 0, 2, 0]);
        var m = Expect.Iota(DType.Int32, 3, 4);
        Expect.Array(Jnp.Diag(m, 1), DType.Int32, [3], [1, 6, 11]);
        Expect.Array(Jnp.Diag(m, -1), DType.Int32, [2], [4, 9]);
        Expect.Array(Jnp.Diag(m, 5), DType.Int32, [0], []);
        Expect.Array(Jnp.Diagflat(Jnp.Array(new[,] { { 1f, 2f }, { 3f, 4f } })), DType.Float32, [4, 4],
            [1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4]);
        Expect.Error(() => Jnp.Diag(Expect.Iota(DType.Int32, 2, 2, 2)), "diag", "1d or 2d");
    }

    [Fact]
    public void Diagonal_takes_any_pair_of_axes_and_is_differentiable()
    {
        var x = Expect.Iota(DType.Float32, 2, 3, 4);
        Expect.Array(Jnp.Diagonal(x, 0, 1, 2), DType.Float32, [2, 3], [0, 5, 10, 12, 17, 22]);
        Expect.Array(Jnp.Diagonal(x, 1, 0, 2), DType.Float32, [3, 2], [1, 14, 5, 18, 9, 22]);
        Expect.Array(Jnp.Diagonal(x, -1, 2, 1), DType.Float32, [2, 3], [1, 6, 11, 13, 18, 23]);
        var grad = Jax.Grad((Tensor m) => Jnp.Sum(Jnp.Diagonal(m, 1)))(Jnp.Zeros([3, 3]));
        Expect.Values(grad, [0, 1, 0, 0, 0, 1, 0, 0, 0]);
        Expect.Values(Jax.Jit((Tensor m) => Jnp.Diagonal(m))(Expect.Iota(DType.Float32, 3, 3)), [0, 4, 8]);
        Expect.Values(Jax.Vmap((Tensor m) => Jnp.Diagonal(m))(x), [0, 5, 10, 12, 17, 22]);
        Expect.Error(() => Jnp.Diagonal(x, 0, 1, -2), "diagonal", "different");
        Expect.Error(() => Jnp.Diagonal(Jnp.Zeros(3)), "diagonal", "two dimensions");
    }

    [Fact]
    public void Fill_diagonal_returns_a_new_array()
    {
        var a = Jnp.Zeros([3, 3]);
        Expect.Values(Jnp.FillDiagonal(a, 5), [5, 0, 0, 0, 5, 0, 0, 0, 5]);
        Expect.Values(a, new double[9]);
        Expect.Array(Jnp.FillDiagonal(Jnp.Zeros([4, 3], DType.Int32), Jnp.Array(new[] { 1, 2 })), DType.Int32, [4, 3],
            [1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]);
        Expect.Values(Jnp.FillDiagonal(Jnp.Zeros([2, 2, 2]), 7), [7, 0, 0, 0, 0, 0, 0, 7]);
        var grad = Jax.Grad((Tensor m) => Jnp.Sum(Jnp.FillDiagonal(m, 1)))(Jnp.Zeros([2, 2]));
        Expect.Values(grad, [0, 1, 1, 0]);
        Expect.Error(() => Jnp.FillDiagonal(Jnp.Zeros(3), 1), "fill_diagonal", "at least 2-d");
        Expect.Error(() => Jnp.FillDiagonal(Jnp.Zeros([2, 2, 3]), 1), "fill_diagonal", "equal length");
    }

    [Fact]
    public void Triangle_and_diagonal_indices()
    {
        var (r, c) = Jnp.TrilIndices(3);
        Expect.Array(r, DType.Int32, [6], [0, 1, 1, 2, 2, 2]);
        Expect.Array(c, DType.Int32, [6], [0, 0, 1, 0, 1, 2]);
        (r, c) = Jnp.TriuIndices(3, 1);
        Expect.Values(r, [0, 0, 1]);
        Expect.Values(c, [1, 2, 2]);
        (r, c) = Jnp.TrilIndices(2, 0, 3);
        Expect.Values(r, [0, 1, 1]);
        Expect.Values(c, [0, 0, 1]);
        (r, c) = Jnp.TriuIndicesFrom(Jnp.Zeros([2, 3]), -1);
        Expect.Values(r, [0, 0, 0, 1, 1, 1]);
        Expect.Values(c, [0, 1, 2, 0, 1, 2]);
        (r, c) = Jnp.TrilIndicesFrom(Jnp.Zeros([3, 2]), -1);
        Expect.Values(r, [1, 2, 2]);
        Expect.Values(c, [0, 0, 1]);
        var d = Jnp.DiagIndices(3);
        Assert.Equal(2, d.Length);
        Expect.Values(d[1], [0, 1, 2]);
        Assert.Equal(3, Jnp.DiagIndicesFrom(Jnp.Zeros([2, 2, 2])).Length);
        Expect.Error(() => Jnp.TrilIndicesFrom(Jnp.Zeros(3)), "tril_indices_from", "2-D");
        Expect.Error(() => Jnp.DiagIndicesFrom(Jnp.Zeros([2, 3])), "diag_indices_from", "equal length");
    }

    [Fact]
    public void Vander_and_fromfunction()
    {
        var x = Jnp.Array(new[] { 1, 2, 3 });
        Expect.Array(Jnp.Vander(x), DType.Int32, [3, 3], [1, 1, 1, 4, 2, 1, 9, 3, 1]);
        Expect.Array(Jnp.Vander(x, 4, increasing: true), DType.Int32, [3, 4], [1, 1, 1, 1, 1, 2, 4, 8, 1, 3, 9, 27]);
        var grad = Jax.Grad((Tensor v) => Jnp.Sum(Jnp.Vander(v, 3)))(Jnp.Array(new[] { 0.5f, 2f }));
        Expect.Values(grad, [2, 5]);
        Expect.Error(() => Jnp.Vander(Jnp.Zeros([2, 2])), "vander", "one-dimensional");
        Expect.Array(Jnp.Fromfunction(i => Jnp.Add(i[0], i[1]), [2, 3]), DType.Float32, [2, 3], [0, 1, 2, 1, 2, 3]);
    }
}
