using JaxToolchain.Ir;
using JaxToolchain.Tests;

namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>
/// Programs that nest deeper than a thread's stack can follow, and functions that call themselves while traced, end
/// with a clear <see cref="NestingDepthException"/> instead of a stack overflow (which would end the process); they
/// run on a 1 MiB stack here so that they behave the same on every machine.
/// </summary>
public class NestingDepthTests
{
    /// <summary><paramref name="depth"/> nested conds: each level runs the next when the sum is positive; the innermost doubles x.</summary>
    private static Tensor Nested(Tensor x, int depth) =>
        depth == 0 ? x * 2.0 : Lax.Cond(Jnp.Sum(x) > 0, a => Nested(a, depth - 1), a => a + 1.0, x);

    public static TheoryData<string> Ways() => ["eager", "jit", "grad", "vmap"];

    private static Action Run(string way, int depth)
    {
        var x = Jnp.Array(new[] { 1.0f, 2.0f });
        return way switch
        {
            "eager" => () => Nested(x, depth),
            "jit" => () => Jax.Jit((Func<Tensor, Tensor>)(a => Nested(a, depth)))(x),
            "grad" => () => Jax.Grad((Func<Tensor, Tensor>)(a => Jnp.Sum(Nested(a, depth))))(x),
            "vmap" => () => Jax.Vmap((Func<Tensor, Tensor>)(a => Nested(a, depth)))(Jnp.Reshape(x, 2, 1)),
            _ => throw new ArgumentException(way),
        };
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void Twenty_thousand_nested_conds_throw_a_clear_exception(string way)
    {
        var e = SmallStack.Throws<NestingDepthException>(Run(way, 20_000));
        Assert.Contains("nests too deeply", e.Message);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void Thirty_nested_conds_work(string way) => Assert.Null(SmallStack.Run(Run(way, 30)));

    [Fact]
    public void Thirty_nested_conds_compute_and_differentiate_correctly()
    {
        var x = Jnp.Array(new[] { 1.0f, 2.0f });
        Assert.Equal(new[] { 2f, 4f }, Nested(x, 30).ToArray<float>());
        Assert.Equal(new[] { 2f, 4f }, Jax.Jit((Func<Tensor, Tensor>)(a => Nested(a, 30)))(x).ToArray<float>());
        Assert.Equal(new[] { 2f, 2f }, Jax.Grad((Func<Tensor, Tensor>)(a => Jnp.Sum(Nested(a, 30))))(x).ToArray<float>());
        Assert.Equal(new[] { 0f, -1f }, Nested(Jnp.Array(new[] { -1.0f, -2.0f }), 30).ToArray<float>());
    }

    private static Func<Tensor, Tensor>? _selfCalling;

    [Fact]
    public void A_jitted_function_that_calls_itself_throws_a_clear_exception()
    {
        _selfCalling = Jax.Jit((Func<Tensor, Tensor>)(a => _selfCalling!(a + 1.0f)));
        var e = SmallStack.Throws<NestingDepthException>(() => _selfCalling(Jnp.Array(1f)));
        Assert.Contains("calls itself under Jit", e.Message);
    }

    [Fact]
    public void A_jitted_function_that_calls_itself_without_operations_throws_a_clear_exception()
    {
        Func<Tensor, Tensor>? self = null;
        self = Jax.Jit((Func<Tensor, Tensor>)(a => self!(a)));
        var e = SmallStack.Throws<NestingDepthException>(() => self(Jnp.Array(1f)));
        Assert.Contains("calls itself under Jit", e.Message);
    }

    [Fact]
    public void Tracing_more_than_the_trace_depth_limit_throws_a_clear_exception()
    {
        static Tensor Deeper(Tensor x) => Jax.Grad((Func<Tensor, Tensor>)(a => Deeper(a) * a))(x);
        var e = SmallStack.Throws<NestingDepthException>(() => Deeper(Jnp.Array(1f)), 1 << 26);
        Assert.Contains($"more than {Trace.MaxDepth} traces", e.Message);
        Assert.Contains("trace depth limit", e.Message);
    }

    [Fact]
    public void The_thread_traces_normally_after_a_trace_ran_out_of_stack()
    {
        Assert.NotNull(SmallStack.Run(Run("grad", 20_000)));
        Assert.Null(SmallStack.Run(() =>
        {
            Assert.Throws<NestingDepthException>(Run("jit", 20_000));
            Assert.Null(Trace.Current);
            Assert.Equal(new[] { 2f, 2f }, Jax.Grad((Func<Tensor, Tensor>)(a => Jnp.Sum(Nested(a, 3))))(Jnp.Array(new[] { 1.0f, 2.0f })).ToArray<float>());
        }));
    }

    [Fact]
    public void Flattening_a_tree_nested_a_hundred_thousand_deep_throws_a_clear_exception()
    {
        object tree = Jnp.Array(1f);
        for (int i = 0; i < 100_000; i++) tree = new object[] { tree };
        var e = SmallStack.Throws<NestingDepthException>(() => PyTree.Flatten(tree));
        Assert.Contains("tree nests too deeply", e.Message);
    }

    [Fact]
    public void A_tree_nested_a_hundred_deep_flattens_and_rebuilds()
    {
        object tree = Jnp.Array(1f);
        for (int i = 0; i < 100; i++) tree = new object[] { tree, Jnp.Array((float)i) };
        var (leaves, structure) = PyTree.Flatten(tree);
        Assert.Equal(101, leaves.Count);
        Assert.Equal(101, structure.LeafCount);
        var rebuilt = structure.Unflatten(leaves.Select(l => l * 2).ToArray());
        Assert.Equal(198f, ((Tensor)((object[])rebuilt!)[1]).Item<float>());
    }
}
