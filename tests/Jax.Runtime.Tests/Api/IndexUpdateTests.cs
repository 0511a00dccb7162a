using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// <c>x.At[...]</c> (JAX's <c>x.at[...]</c>): every index form, repeated and out-of-bounds indices as JAX treats them,
/// dtype casts, broadcasting errors, and the same results under Jit, Vmap and Grad.
/// </summary>
public class IndexUpdateTests
{
    private static float[] F(Tensor t) => t.ToArray<float>();

    [Fact]
    public void Set_writes_through_every_index_form_and_leaves_x_unchanged()
    {
        var x = Jnp.Arange(6f);
        Assert.Equal(new[] { 0f, 9, 9, 3, 4, 5 }, F(x.At[1..3].Set(9)));
        Assert.Equal(new[] { 0f, 1, 2, 3, 4, 7 }, F(x.At[^1].Set(7)));
        Assert.Equal(new[] { 0f, 1, 2, 3, 4, 7 }, F(x.At[-1].Set(7)));
        Assert.Equal(new[] { 5f, 1, 5, 3, 5, 5 }, F(x.At[TensorIndex.Slice(step: 2)].Set(5).At[new[] { 5 }].Set(5)));
        Assert.Equal(new[] { 10f, 1, 12, 3, 14, 5 }, F(x.At[TensorIndex.Slice(step: 2)].Set(Jnp.Array(new[] { 10f, 12, 14 }))));
        Assert.Equal(new[] { 0f, 1, 2, 3, 4, 5 }, F(x));
        var m = Jnp.Reshape(Jnp.Arange(6f), 2, 3);
        Assert.Equal(new[] { 0f, 1, 2, -1, -2, -3 }, F(m.At[1].Set(Jnp.Array(new[] { -1f, -2, -3 }))));
        Assert.Equal(new[] { 7f, 1, 2, 7, 4, 5 }, F(m.At[TensorIndex.Ellipsis, 0].Set(7)));
        Assert.Equal(new[] { 0f, 1, 8, 3, 4, 8 }, F(m.At[.., TensorIndex.NewAxis, 2].Set(8)));
        Assert.Equal(new[] { 2f, 3 }, F(m.At[Jnp.Array(new[] { 0, 1 }), Jnp.Array(new[] { 2, 0 })].Get()));
    }

    [Fact]
    public void Repeated_indices_apply_every_update_and_out_of_bounds_ones_are_dropped()
    {
        var x = Jnp.Array(new[] { 1f, 2, 3 });
        int[] idx = [0, 0, 2, 7];
        var v = Jnp.Array(new[] { 10f, 20, 30, 40 });
        Assert.Equal(new[] { 31f, 2, 33 }, F(x.At[idx].Add(v)));
        Assert.Equal(new[] { 200f, 2, 90 }, F(x.At[idx].Multiply(v)));
        Assert.Equal(new[] { 1f, 2, 3 }, F(x.At[idx].Min(v)));
        Assert.Equal(new[] { 20f, 2, 30 }, F(x.At[idx].Max(v)));
        Assert.Equal(new[] { -29f, 2, -27 }, F(x.At[idx].Subtract(v)));
        Assert.Equal(new[] { 1f / 200, 2, 0.1f }, F(x.At[idx].Divide(v)));
        Assert.Equal(new[] { 1f, 2, 81 }, F(x.At[2].Power(4)));
        Assert.Equal(new[] { 1f, 2, 3 }, F(x.At[new[] { 5 }].Set(9)));
        Assert.Equal(new[] { 1f, 4, 9 }, F(x.At[..].Apply(Jnp.Square)));
    }

    [Fact]
    public void Values_take_x_s_dtype_and_must_broadcast_to_the_indexed_shape()
    {
        var i = Jnp.Array(new[] { 1, 2, 3 });
        var r = i.At[0].Set(2.7);
        Assert.Equal(DType.Int32, r.DType);
        Assert.Equal(new[] { 2, 2, 3 }, r.ToArray<int>());
        var m = Jnp.Zeros([2, 3]);
        Assert.Equal(new[] { 1f, 2, 3, 1, 2, 3 }, F(m.At[..].Add(Jnp.Array(new[] { 1f, 2, 3 }))));
        var e = Assert.Throws<JaxTypeException>(() => m.At[0].Set(Jnp.Zeros([2])));
        Assert.Contains("(2,)", e.Message);
        Assert.Contains("(3,)", e.Message);
        Assert.Contains("IndexUpdateTests.cs", e.Message);
        Assert.Throws<ArgumentNullException>(() => m.At[0].Set(null!));
    }

    [Fact]
    public void Jit_vmap_and_grad_see_the_same_updates()
    {
        var x = Jnp.Arange(5f);
        Tensor F1(Tensor a, Tensor v) => a.At[Jnp.Array(new[] { 1, 3, 1 })].Add(v * 2).At[0].Max(v.At[0].Get());
        var v0 = Jnp.Array(new[] { 1f, 2, 3 });
        var eager = F1(x, v0);
        Assert.Equal(new[] { 1f, 9, 2, 7, 4 }, F(eager));
        Assert.Equal(F(eager), F(Jax.Jit((Func<Tensor, Tensor, Tensor>)F1)(x, v0)));
        var rows = Jnp.Stack([x, x * 2]);
        var batched = Jax.Vmap((Tensor a) => F1(a, v0))(rows);
        Assert.Equal(F(Jnp.Stack([F1(x, v0), F1(x * 2, v0)])), F(batched));
        // d/dv of sum(x.at[[1, 3, 1]].add(2v)) is 2 each; the set positions' gradient with respect to x is zero.
        Assert.Equal(new[] { 2f, 2, 2 }, F(Jax.Grad((Tensor v) => Jnp.Sum(x.At[Jnp.Array(new[] { 1, 3, 1 })].Add(v * 2)))(v0)));
        Assert.Equal(new[] { 1f, 0, 0, 1, 1 }, F(Jax.Grad((Tensor a) => Jnp.Sum(a.At[1..3].Set(7)))(x)));
        Assert.Equal(new[] { 1f, 6, 1, 1, 1 }, F(Jax.Grad((Tensor a) => Jnp.Sum(a.At[new[] { 1, 1 }].Multiply(Jnp.Array(new[] { 2f, 3 }))))(x)));
    }
}
