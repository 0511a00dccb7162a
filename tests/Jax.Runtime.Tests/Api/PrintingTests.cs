using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>What API results print (JAX's <c>repr</c> and <c>str</c>), and reading values back out.</summary>
public class PrintingTests
{
    [Fact]
    public void Arange_prints_as_jax_does()
    {
        using var _ = Jax.Config.X64Scope(false);
        Assert.Equal("Array([0, 1, 2, 3, 4], dtype=int32)", Jnp.Arange(5).ToString());
        Assert.Equal("[0 1 2 3 4]", Jnp.Arange(5).ToElementString());
    }

    [Fact]
    public void Arange_under_x64_prints_int64()
    {
        using var _ = Jax.Config.X64Scope(true);
        Assert.Equal("Array([0, 1, 2], dtype=int64)", Jnp.Arange(3).ToString());
    }

    [Fact]
    public void Zeros_print_with_trailing_points()
    {
        Assert.Equal("Array([0., 0., 0.], dtype=float32)", Jnp.Zeros(3).ToString());
        Assert.Equal("Array([], shape=(0,), dtype=float32)", Jnp.Zeros(0).ToString());
        Assert.Equal("Array([], shape=(2, 0), dtype=int32)", Jnp.Zeros([2, 0], Jnp.Int32).ToString());
    }

    [Fact]
    public void Weak_scalars_print_their_weak_type()
    {
        using var _ = Jax.Config.X64Scope(false);
        Tensor two = 2.0;
        Assert.Equal("Array(2., dtype=float32, weak_type=True)", two.ToString());
        Assert.Equal("Array(5, dtype=int32, weak_type=True)", Jnp.Add(2, 3).ToString());
        Assert.Equal("Array(2.5, dtype=float32)", Jnp.Array(2.5).ToString());
        Assert.Equal("2.0", two.ToElementString());
    }

    [Fact]
    public void Matrices_and_mixed_widths_align_like_numpy()
    {
        Assert.Equal("Array([[1., 0.],\n       [0., 1.]], dtype=float32)", Jnp.Eye(2).ToString());
        Assert.Equal("Array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)", Jnp.Linspace(0, 1, 5).ToString());
        Assert.Equal("Array([  1.5, 100. ], dtype=float32)", Jnp.Array(new float[] { 1.5f, 100 }).ToString());
        Assert.Equal("Array([ True, False], dtype=bool)", Jnp.Array(new bool[] { true, false }).ToString());
        Assert.Equal("Array([[0, 1, 2],\n       [3, 4, 5]], dtype=int32)", Jnp.Arange(6).Reshape(2, 3).ToString());
        Assert.Equal("[[0 1 2]\n [3 4 5]]", Jnp.Arange(6).Reshape(2, 3).ToElementString());
    }

    [Fact]
    public void Special_floats_print_as_numpy()
    {
        var x = Jnp.Array(new float[] { float.NaN, float.NegativeInfinity, 1 });
        Assert.Equal("Array([ nan, -inf,   1.], dtype=float32)", x.ToString());
    }

    [Fact]
    public void Item_reads_a_single_element_with_conversion()
    {
        Assert.Equal(7, Jnp.Array(7).Item<int>());
        Assert.Equal(2.5f, Jnp.Array(2.5).Item<float>());
        Assert.Equal(2.5, Jnp.Array(2.5).Item());
        Assert.Equal(2, Jnp.Array(2.9).Item<int>());
        Assert.True(Jnp.Array(true).Item<bool>());
        Assert.Equal(3.0, Jnp.Array(new int[] { 3 }).Reshape(1, 1).Item());
        Assert.Equal((Half)1.5, Jnp.Array(new float[] { 1.5f }, Jnp.Float16).Item<Half>());
        Assert.Equal(23, Jnp.Sum(Jnp.Array(new sbyte[] { 11, 12 })).Item<long>());
    }

    [Fact]
    public void Item_of_several_elements_raises_naming_the_shape()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Jnp.Arange(3).Item<int>());
        Assert.Contains("(3,)", e.Message, StringComparison.Ordinal);
        Assert.Contains("PrintingTests.cs(", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToArray_converts_and_copies()
    {
        var x = Jnp.Array(new float[] { 1.5f, -2.5f, 3 });
        Assert.Equal(new[] { 1, -2, 3 }, x.ToArray<int>());
        Assert.Equal(new[] { 1.5, -2.5, 3 }, x.ToArray<double>());
        Assert.Equal(new[] { true, true, true }, x.ToArray<bool>());
        var copy = x.ToArray<float>();
        copy[0] = 100;
        Assert.Equal(1.5f, x.ToArray<float>()[0]);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, Jnp.Arange(6).Reshape(2, 3).ToArray<int>());
        Assert.Equal(new byte[] { 255, 1 }, Jnp.Array(new int[] { 255, 1 }).ToArray<byte>());
    }

    [Fact]
    public void BlockUntilReady_returns_the_array()
    {
        var x = Jnp.Arange(2);
        Assert.Same(x, x.BlockUntilReady());
    }
}
