namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>Transformations over trees of arrays (JAX's pytrees): dictionaries, tuples, lists and IPyTree types.</summary>
public class TreeApiTests
{
    private sealed record Layer(Tensor W, Tensor B) : IPyTree
    {
        public IReadOnlyList<object> Children => [W, B];

        public IPyTree Rebuild(IReadOnlyList<object> children) => new Layer((Tensor)children[0], (Tensor)children[1]);
    }

    private static readonly Tensor X = Jnp.Array(new[] { 1.0, -2.0 });

    private static Tensor Loss(Layer p) => Jnp.Sum(Jnp.Tanh(Jnp.Dot(p.W, X) + p.B));

    [Fact]
    public void Value_and_grad_over_a_user_tree_type_returns_that_type()
    {
        using var x64 = Jax.Config.X64Scope();
        var p = new Layer(Jnp.Array(new[,] { { 0.5, -0.2 }, { 0.1, 0.3 } }), Jnp.Array(new[] { 0.1, -0.1 }));
        var (value, grad) = Jax.ValueAndGrad<Layer>(Loss)(p);
        Assert.Equal(Loss(p).Item(), value.Item(), 12);
        var dz = 1.0 - Jnp.Square(Jnp.Tanh(Jnp.Dot(p.W, X) + p.B));
        Assert.True(Jnp.Allclose(grad.B, dz, 1e-12).Item<bool>());
        Assert.True(Jnp.Allclose(grad.W, Jnp.Outer(dz, X), 1e-12).Item<bool>());
    }

    [Fact]
    public void Grad_with_aux_returns_the_auxiliary_tree_undifferentiated()
    {
        using var x64 = Jax.Config.X64Scope();
        var (g, aux) = Jax.GradWithAux<Tensor[], Dictionary<string, Tensor>>(xs =>
        {
            var y = Jnp.Sum(xs[0] * xs[1]);
            return (y, new Dictionary<string, Tensor> { ["y"] = y, ["x0"] = xs[0] });
        })([Jnp.Array(new[] { 1.0, 2.0 }), Jnp.Array(new[] { 3.0, 4.0 })]);
        Assert.Equal(new[] { 3.0, 4.0 }, g[0].ToArray<double>());
        Assert.Equal(new[] { 1.0, 2.0 }, g[1].ToArray<double>());
        Assert.Equal(11.0, aux["y"].Item());
    }

    [Fact]
    public void Grad_with_aux_of_one_array_returns_the_gradient_and_the_aux_value()
    {
        var (g, aux) = Jax.GradWithAux(x => (Jnp.Sum(x * x), Jnp.Argmax(x)))(Jnp.Array(new float[] { 1, 3, 2 }));
        Assert.Equal(new float[] { 2, 6, 4 }, g.ToArray<float>());
        Assert.Equal(1, aux.Item<int>());
    }

    [Fact]
    public void Vjp_and_jvp_over_tuples_agree()
    {
        using var x64 = Jax.Config.X64Scope();
        static (Tensor, Tensor) F((Tensor A, Tensor B) p) => (Jnp.Sin(p.A) * p.B, Jnp.Sum(p.A * p.A));
        var primals = (Jnp.Array(new[] { 0.3, 1.2 }), Jnp.Array(new[] { 2.0, -1.0 }));
        var tangents = (Jnp.Array(new[] { 1.0, 0.5 }), Jnp.Array(new[] { -1.0, 2.0 }));
        var (_, dots) = Jax.Jvp<(Tensor, Tensor), (Tensor, Tensor)>(F, primals, tangents);
        var (outs, pullback) = Jax.Vjp<(Tensor, Tensor), (Tensor, Tensor)>(F, primals);
        var cts = (Jnp.Array(new[] { 0.7, -0.4 }), Jnp.Array(1.5));
        var (ga, gb) = pullback(cts);
        double lhs = Jnp.Vdot(dots.Item1, cts.Item1).Item() + (dots.Item2 * cts.Item2).Item();
        double rhs = Jnp.Vdot(tangents.Item1, ga).Item() + Jnp.Vdot(tangents.Item2, gb).Item();
        Assert.Equal(lhs, rhs, 12);
        Assert.Equal(F(primals).Item2.Item(), outs.Item2.Item(), 12);
    }

    [Fact]
    public void Vmap_over_a_dictionary_maps_every_leaf()
    {
        var batch = new Dictionary<string, Tensor>
        {
            ["a"] = Jnp.Reshape(Jnp.Arange(6, Jnp.Float32), 3, 2),
            ["b"] = Jnp.Array(new float[] { 10, 20, 30 }),
        };
        var r = Jax.Vmap<Dictionary<string, Tensor>, Tensor[]>(d => [Jnp.Sum(d["a"]) + d["b"], d["a"] * 2])(batch);
        Assert.Equal(new float[] { 11, 25, 39 }, r[0].ToArray<float>());
        Assert.Equal(new long[] { 3, 2 }, r[1].Shape.Sizes);
    }

    [Fact]
    public void A_value_that_is_not_a_tree_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => PyTree.Flatten(42));
        Assert.Contains("Int32", e.Message);
    }
}
