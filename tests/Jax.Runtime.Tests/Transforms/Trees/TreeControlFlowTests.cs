namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>Tree carries through Lax.Scan, WhileLoop, ForiLoop and Cond, eagerly, under Jit and under Grad.</summary>
public class TreeControlFlowTests
{
    [Fact]
    public void Scan_threads_a_tree_carry_over_tree_xs_and_stacks_tree_outputs()
    {
        var init = new Dictionary<string, Tensor> { ["sum"] = Jnp.Array(0f), ["count"] = Jnp.Array(0f) };
        var xs = (Jnp.Array(new float[] { 1, 2, 3 }), Jnp.Array(new float[] { 10, 20, 30 }));
        var (carry, ys) = Lax.Scan<Dictionary<string, Tensor>, (Tensor A, Tensor B), (Tensor, Tensor)>((c, x) =>
        {
            var next = new Dictionary<string, Tensor> { ["sum"] = c["sum"] + x.A * x.B, ["count"] = c["count"] + 1 };
            return (next, (next["sum"], x.A * 2));
        }, init, xs);
        Assert.Equal(140f, carry["sum"].Item<float>());
        Assert.Equal(3f, carry["count"].Item<float>());
        Assert.Equal(new float[] { 10, 50, 140 }, ys.Item1.ToArray<float>());
        Assert.Equal(new float[] { 2, 4, 6 }, ys.Item2.ToArray<float>());
    }

    [Fact]
    public void Scan_with_no_xs_and_a_record_carry_is_differentiable()
    {
        static Tensor Run(Dense d) => Jnp.Sum(Lax.Scan<Dense, object?, Tensor>((c, _) => (c with { W = c.W * c.B }, Jnp.Sum(c.W)), d, null, length: 3).Carry.W);
        var d = new Dense(Jnp.Array(new float[] { 1, 2 }), Jnp.Array(2f), "d");
        Assert.Equal(24f, Run(d).Item<float>());
        var g = Jax.Grad<Dense>(Run)(d);
        Assert.Equal(new float[] { 8, 8 }, g.W.ToArray<float>());
        Assert.Equal(36f, g.B.Item<float>());
    }

    [Fact]
    public void A_carry_of_another_structure_is_an_error_naming_both()
    {
        var e = Assert.Throws<Ir.JaxTypeException>(() => Lax.WhileLoop<List<Tensor>>(c => c[0] < 3, c => [c[0] + 1, c[0]], [Jnp.Array(0f)]));
        Assert.Contains("List<Tensor>(*, *)", e.Message);
        Assert.Contains("List<Tensor>(*)", e.Message);
    }

    [Fact]
    public void While_and_fori_loops_carry_trees_under_jit()
    {
        var f = Jax.Jit<(Tensor I, Tensor Acc), (Tensor I, Tensor Acc)>(init =>
            Lax.WhileLoop<(Tensor I, Tensor Acc)>(c => c.I < 5, c => (c.I + 1, c.Acc * 2), init));
        var r = f((Jnp.Array(0), Jnp.Array(1f)));
        Assert.Equal((5, 32f), (r.I.Item<int>(), r.Acc.Item<float>()));
        var fori = Lax.ForiLoop<List<Tensor>>(0, 4, (i, c) => [c[0] + i, c[1] * 2], [Jnp.Array(0), Jnp.Array(1f)]);
        Assert.Equal((6, 16f), (fori[0].Item<int>(), fori[1].Item<float>()));
    }

    [Fact]
    public void Cond_on_tree_operands_and_results()
    {
        var operand = new Dense(Jnp.Array(new float[] { 1, 2 }), Jnp.Array(3f), "c");
        Dictionary<string, Tensor> OnTrue(Dense d) => new() { ["w"] = d.W * d.B, ["b"] = d.B };
        Dictionary<string, Tensor> OnFalse(Dense d) => new() { ["w"] = d.W, ["b"] = -d.B };
        var t = Lax.Cond<Dense, Dictionary<string, Tensor>>(Jnp.Array(true), OnTrue, OnFalse, operand);
        Assert.Equal(new float[] { 3, 6 }, t["w"].ToArray<float>());
        var f = Lax.Cond<Dense, Dictionary<string, Tensor>>(Jnp.Array(false), OnTrue, OnFalse, operand);
        Assert.Equal(-3f, f["b"].Item<float>());
        var e = Assert.Throws<Ir.JaxTypeException>(() => Lax.Cond<Dense, Dictionary<string, Tensor>>(Jnp.Array(true), OnTrue,
            d => new() { ["w"] = d.W, ["c"] = d.B }, operand));
        Assert.Contains("{b: *, w: *}", e.Message);
        Assert.Contains("{c: *, w: *}", e.Message);
    }
}
