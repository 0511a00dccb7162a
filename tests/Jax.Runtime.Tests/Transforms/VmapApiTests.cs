namespace JaxToolchain.Runtime.Tests.Transforms;

public class VmapApiTests
{
    private static Tensor Matrix(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var data = new float[rows * cols];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Jnp.Array<float>(data, [rows, cols]);
    }

    [Fact]
    public void Vmap_of_a_matrix_vector_product_equals_the_batched_matmul_and_the_loop()
    {
        var mat = Matrix(15, 10, 1);
        var batch = Matrix(4, 10, 2);
        var vmapped = Jax.Vmap((Func<Tensor, Tensor>)(v => Jnp.Dot(mat, v)))(batch);
        var manual = Jnp.Dot(batch, mat.T);
        var loop = Jnp.Stack(Enumerable.Range(0, 4).Select(i => Jnp.Dot(mat, batch[i])));
        Assert.Equal(new long[] { 4, 15 }, vmapped.Shape.Sizes);
        Assert.True(Jnp.Allclose(vmapped, manual, 1e-5, 1e-6).Item<bool>());
        Assert.Equal(loop.ToArray<float>(), vmapped.ToArray<float>());
    }

    [Fact]
    public void Vmap_maps_axis_one_and_places_the_result_axis()
    {
        var x = Matrix(3, 5, 3);
        var f = Jax.Vmap((Func<Tensor, Tensor>)(c => Jnp.Sum(c * c)), inAxis: 1);
        var expected = Jnp.Sum(x * x, 0);
        Assert.Equal(expected.ToArray<float>(), f(x).ToArray<float>());
        var g = Jax.Vmap((Func<Tensor, Tensor>)(c => c * 2), inAxis: 0, outAxis: 1)(x);
        Assert.Equal(new long[] { 5, 3 }, g.Shape.Sizes);
        Assert.Equal((x * 2).T.ToArray<float>(), g.ToArray<float>());
    }

    [Fact]
    public void Vmap_with_an_unmapped_argument_shares_it()
    {
        var w = Jnp.Array(new float[] { 1, 2, 3 });
        var xs = Matrix(4, 3, 4);
        var f = Jax.Vmap((Func<Tensor, Tensor, Tensor>)((x, v) => Jnp.Dot(x, v)), (0, null));
        var r = f(xs, w);
        Assert.Equal(Jnp.Dot(xs, w).ToArray<float>(), r.ToArray<float>());
    }

    [Fact]
    public void Vmap_closes_over_arrays_and_composes_with_jit()
    {
        var shift = Jnp.Array(new float[] { 10, 20, 30 });
        var f = Jax.Jit(Jax.Vmap((Func<Tensor, Tensor>)(x => Nn.Relu(x - shift))));
        var xs = Matrix(2, 3, 5) * 40;
        var expected = Jnp.Maximum(xs - shift, 0);
        Assert.Equal(expected.ToArray<float>(), f(xs).ToArray<float>());
    }

    [Fact]
    public void Vmap_of_vmap_maps_two_axes()
    {
        var x = Matrix(3, 4, 6);
        var y = Matrix(4, 5, 7);
        // Outer product rows by columns: vmap over rows of x, then over columns of y.
        var dotRowCol = Jax.Vmap(Jax.Vmap((Func<Tensor, Tensor, Tensor>)((a, b) => Jnp.Dot(a, b)), (null, 1)), (0, null));
        Assert.True(Jnp.Allclose(Jnp.Matmul(x, y), dotRowCol(x, y), 1e-5, 1e-6).Item<bool>());
    }

    [Fact]
    public void Vmap_with_inconsistent_sizes_names_both()
    {
        var f = Jax.Vmap((Func<Tensor, Tensor, Tensor>)((a, b) => a + b), (0, 0));
        var e = Assert.Throws<Ir.JaxTypeException>(() => f(Jnp.Zeros(3), Jnp.Zeros(4)));
        Assert.Contains("3", e.Message);
        Assert.Contains("4", e.Message);
    }

    [Fact]
    public void Vmap_of_a_cond_with_a_batched_predicate_selects()
    {
        var xs = Jnp.Array(new float[] { -2, -1, 1, 2 });
        var f = Jax.Vmap((Func<Tensor, Tensor>)(x => Lax.Cond(x > 0, v => v * 10, v => -v, x)));
        Assert.Equal(new float[] { 2, 1, 10, 20 }, f(xs).ToArray<float>());
    }
}
