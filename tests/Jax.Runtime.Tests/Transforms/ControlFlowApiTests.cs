namespace JaxToolchain.Runtime.Tests.Transforms;

public class ControlFlowApiTests
{
    [Theory]
    [InlineData(true, 14.0)]
    [InlineData(false, 5.0)]
    public void Cond_runs_the_branch_the_predicate_picks(bool pred, double expected)
    {
        var x = Jnp.Array(7.0f);
        var r = Lax.Cond(Jnp.Array(pred), v => v * 2, v => v - 2, x);
        Assert.Equal(expected, r.Item());
    }

    [Fact]
    public void Cond_branches_may_close_over_arrays()
    {
        var offset = Jnp.Array(new float[] { 10, 20 });
        var r = Lax.Cond(Jnp.Array(true), v => v + offset, v => v, Jnp.Array(new float[] { 1, 2 }));
        Assert.Equal(new float[] { 11, 22 }, r.ToArray<float>());
    }

    [Fact]
    public void Cond_branches_with_different_types_are_an_error_naming_both()
    {
        var e = Assert.Throws<Ir.JaxTypeException>(() =>
            Lax.Cond(Jnp.Array(true), v => v, v => Jnp.Astype(v, Jnp.Int32), Jnp.Array(1.0f)));
        Assert.Contains("float32[]", e.Message);
        Assert.Contains("int32[]", e.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(9, 2)]
    public void Switch_clamps_the_index(int index, int branch)
    {
        var r = Lax.Switch(Jnp.Array(index), [a => [a[0] * 0], a => [a[0] * 1], a => [a[0] * 2]], Jnp.Array(3))[0];
        Assert.Equal(3 * branch, r.Item<int>());
    }

    [Fact]
    public void While_loop_computes_a_factorial()
    {
        var r = Lax.WhileLoop(c => c[0] <= 10, c => [c[0] + 1, c[1] * c[0]], Jnp.Array(1), Jnp.Array(1L));
        Assert.Equal(3628800, r[1].Item<int>());
        Assert.Equal(11, r[0].Item<int>());
    }

    [Fact]
    public void While_loop_with_a_weak_carry_and_a_strong_body_promotes_the_carry()
    {
        var r = Lax.WhileLoop(c => c < 100, c => c * Jnp.Array(2.0f), 1.0);
        Assert.Equal(128.0, r.Item());
        Assert.False(r.WeakType);
    }

    [Fact]
    public void Scan_computes_cumulative_sums_forward_and_reversed()
    {
        var xs = Jnp.Array(new float[] { 1, 2, 3, 4 });
        var (c, ys) = Lax.Scan((carry, x) => (carry + x, carry + x), Jnp.Array(0f), xs);
        Assert.Equal(10f, c.Item<float>());
        Assert.Equal(new float[] { 1, 3, 6, 10 }, ys.ToArray<float>());
        var (c2, ys2) = Lax.Scan((carry, x) => (carry + x, carry + x), Jnp.Array(0f), xs, reverse: true);
        Assert.Equal(10f, c2.Item<float>());
        Assert.Equal(new float[] { 10, 9, 7, 4 }, ys2.ToArray<float>());
    }

    [Fact]
    public void Map_applies_a_function_to_each_row()
    {
        var xs = Jnp.Reshape(Jnp.Arange(6), 3, 2);
        var r = Lax.Map(row => Jnp.Sum(row * row), xs);
        Assert.Equal(new[] { 1, 13, 41 }, r.ToArray<int>());
    }

    [Fact]
    public void Fori_loop_sums_its_counter()
    {
        var r = Lax.ForiLoop(0, 5, (i, acc) => acc + Jnp.Astype(i, Jnp.Float32), Jnp.Array(0f));
        Assert.Equal(10f, r.Item<float>());
    }

    [Fact]
    public void Control_flow_traces_inside_jit_and_matches_eager()
    {
        static Tensor F(Tensor x) => Lax.ForiLoop(0, 3, (i, c) => Lax.Cond(c > 1, v => v * 0.5f, v => v + 2, c), x);
        var jitted = Jax.Jit((Func<Tensor, Tensor>)F);
        foreach (var v in new[] { -3f, 0.5f, 4f })
            Assert.Equal(F(Jnp.Array(v)).Item<float>(), jitted(Jnp.Array(v)).Item<float>());
        var ir = Jax.MakeJaxpr((Func<Tensor, Tensor>)F, Jnp.Array(1f));
        Assert.Contains("scan", ir);
        Assert.Contains("cond", ir);
    }
}
