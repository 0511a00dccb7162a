namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>
/// <c>Lax.ForiLoop</c> with static bounds runs <c>max(0, upper - lower)</c> iterations (JAX: a scan of that length),
/// with the trip count computed in 64 bits: bounds whose difference overflows int run exactly as many iterations as
/// they say, with the right counter values.
/// </summary>
public class ForiLoopBoundsTests
{
    /// <summary>Runs the loop carrying (iterations, first counter, last counter); the counters start at -1 (none seen).</summary>
    private static (int Count, int First, int Last) Run(int lower, int upper)
    {
        var carry = Lax.ForiLoop(lower, upper, (i, c) =>
        [
            c[0] + 1,
            Jnp.Where(c[0] == 0, i, c[1]),
            i,
        ], Jnp.Array(0), Jnp.Array(-1), Jnp.Array(-1));
        return (carry[0].Item<int>(), carry[1].Item<int>(), carry[2].Item<int>());
    }

    [Theory]
    [InlineData(1, int.MinValue)]
    [InlineData(int.MaxValue, int.MinValue)]
    [InlineData(int.MaxValue, -1)]
    [InlineData(0, int.MinValue)]
    [InlineData(5, 5)]
    [InlineData(5, 4)]
    public void Bounds_in_the_wrong_order_run_no_iteration(int lower, int upper) =>
        Assert.Equal((0, -1, -1), Run(lower, upper));

    [Theory]
    [InlineData(int.MaxValue - 3, int.MaxValue)]
    [InlineData(int.MinValue, int.MinValue + 3)]
    [InlineData(int.MaxValue - 1, int.MaxValue)]
    [InlineData(-2, 2)]
    public void Bounds_near_the_ends_of_int_run_every_counter_value_once(int lower, int upper)
    {
        var (count, first, last) = Run(lower, upper);
        Assert.Equal((long)upper - lower, count);
        Assert.Equal(lower, first);
        Assert.Equal(upper - 1, last);
    }

    [Fact]
    public void A_reversed_range_under_jit_and_grad_runs_no_iteration()
    {
        static Tensor F(Tensor x) => Lax.ForiLoop(1, int.MinValue, (i, c) => c * x, x);
        Assert.Equal(3f, Jax.Jit((Func<Tensor, Tensor>)F)(Jnp.Array(3f)).Item<float>());
        Assert.Equal(1f, Jax.Grad((Func<Tensor, Tensor>)F)(Jnp.Array(3f)).Item<float>());
    }

    [Fact]
    public void A_trip_count_beyond_int_is_an_error_naming_it()
    {
        var e = Assert.Throws<Ir.JaxTypeException>(() => Lax.ForiLoop(int.MinValue, int.MaxValue, (Tensor i, Tensor c) => c, Jnp.Array(0f)));
        Assert.Equal("fori_loop", e.Operation);
        Assert.Contains("4294967295 iterations", e.Message);
    }
}
