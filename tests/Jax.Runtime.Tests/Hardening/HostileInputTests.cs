using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Api;

namespace JaxToolchain.Runtime.Tests.Hardening;

/// <summary>
/// The probe of hostile inputs, one case per class of bug found (sizes, indices, strings, types): each is a clear
/// error naming the function and the offending value, never a bare <see cref="OverflowException"/>, a wrong answer
/// or an empty result. Cases that could take the process down run in a child process
/// (<see cref="ChildProcessProbeTests"/>). New bugs add a case here.
/// </summary>
public class HostileInputTests
{
    private static readonly Tensor Key = Jax.Random.PRNGKey(0);

    // Sizes: negative or overflowing shapes, counts and sizes.
    [Theory]
    [InlineData(new[] { -1 }, "negative dimensions are not allowed: (-1,)")]
    [InlineData(new[] { 2, -3 }, "negative dimensions are not allowed: (2, -3)")]
    [InlineData(new[] { int.MaxValue, int.MaxValue, 4 }, "(2147483647, 2147483647, 4) has more elements than a 64-bit size can count")]
    public void Creation_rejects_bad_shapes(int[] shape, string message) =>
        Expect.Error(() => Jnp.Zeros(shape), "shape", message);

    [Fact]
    public void Eye_names_itself() => Expect.Error(() => Jnp.Eye(-3), "eye", "negative dimensions", "(-3, -3)");

    [Fact]
    public void Reshape_rejects_negative_sizes() => Expect.Error(() => Jnp.Zeros(6).Reshape(-2, -3), "reshape", "-2");

    [Fact]
    public void Reshape_rejects_overflowing_sizes() => Expect.Error(() => Jnp.Zeros(6).Reshape(int.MaxValue, int.MaxValue), "reshape", "2147483647");

    public static TheoryData<string, Func<Tensor>> RandomDraws => new()
    {
        { "normal", () => Jax.Random.Normal(Key, [-2]) },
        { "uniform", () => Jax.Random.Uniform(Key, [3, -1]) },
        { "randint", () => Jax.Random.RandInt(Key, [-1], 0, 5) },
        { "bernoulli", () => Jax.Random.Bernoulli(Key, 0.5, [-4]) },
        { "exponential", () => Jax.Random.Exponential(Key, [-4]) },
        { "gamma", () => Jax.Random.Gamma(Key, 2.0, [-4]) },
        { "bits", () => Jax.Random.Bits(Key, [-4]) },
    };

    [Theory]
    [MemberData(nameof(RandomDraws))]
    public void Random_draws_reject_negative_shapes(string op, Func<Tensor> draw) =>
        Expect.Error(() => draw(), op, "negative dimensions are not allowed");

    [Fact]
    public void Random_draws_reject_overflowing_shapes() =>
        Expect.Error(() => Jax.Random.Normal(Key, [int.MaxValue, int.MaxValue]), "normal", "more elements than a 64-bit size can count");

    [Fact]
    public void Split_rejects_a_negative_count() => Expect.Error(() => Jax.Random.Split(Key, -1), "split", "non-negative, got -1");

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Choice_from_an_empty_population_is_an_error(int n) =>
        Expect.Error(() => Jax.Random.Choice(Key, n, [3]), "choice", $"a must be greater than 0 unless no samples are taken, got a population of {n}");

    [Fact]
    public void Choice_from_an_empty_array_is_an_error() =>
        Expect.Error(() => Jax.Random.Choice(Key, Jnp.Zeros(0), [3]), "choice", "a must be greater than 0");

    [Fact]
    public void Choice_of_no_samples_from_an_empty_population_is_empty() =>
        Expect.Shape(Jax.Random.Choice(Key, 0, [0, 3]), 0, 3);

    [Fact]
    public void Choice_rejects_mismatched_probabilities() =>
        Expect.Error(() => Jax.Random.Choice(Key, 5, [3], p: Jnp.Ones(4)), "choice", "p must be None or match the shape of a", "float32[4]", "5 elements");

    [Fact]
    public void Choice_draws_elements_of_an_array_population()
    {
        var population = Jnp.Multiply(Jnp.Arange(10), 10);
        var draws = Jax.Random.Choice(Key, population, [50]).ToArray<int>();
        Assert.All(draws, d => Assert.True(d % 10 == 0 && d is >= 0 and < 100, $"{d} is not an element of the population"));
        var distinct = Jax.Random.Choice(Key, population, [10], replace: false).ToArray<int>();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10), distinct.Order());
    }

    [Fact]
    public void Choice_without_replacement_with_probabilities_never_draws_zero_probability()
    {
        var p = Jnp.Array(new float[] { 0.5f, 0f, 0.25f, 0.25f });
        for (uint seed = 0; seed < 5; seed++)
        {
            var draws = Jax.Random.Choice(Jax.Random.PRNGKey(seed), 4, [3], replace: false, p: p).ToArray<int>();
            Assert.Equal([0, 2, 3], draws.Order());
        }
    }

    [Fact]
    public void Choice_along_an_axis_keeps_the_other_axes()
    {
        var a = Jnp.Reshape(Jnp.Arange(12), 3, 4);
        var picked = Jax.Random.Choice(Key, a, [5], axis: 1);
        Expect.Shape(picked, 3, 5);
        var rows = picked.ToArray<int>();
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 5; c++)
                Assert.InRange(rows[r * 5 + c], 4 * r, 4 * r + 3);
    }

    [Fact]
    public void Printing_an_array_of_more_than_2_to_the_31_elements_summarizes_it()
    {
        var huge = Jnp.Zeros([1 << 20, 1 << 20]);
        var text = huge.ToString();
        Assert.StartsWith("Array([[0., 0., 0., ..., 0., 0., 0.],", text, StringComparison.Ordinal);
    }

    // Traces: a loop body may close over an empty array (it failed: "a splat needs a one-element buffer").
    [Fact]
    public void A_loop_body_may_close_over_an_empty_array()
    {
        var empty = Jnp.Zeros([0, 3]);
        var broadcastEmpty = Jnp.BroadcastTo(Jnp.Array(2f), [4, 0]);
        var result = Lax.ForiLoop(0, 3, (i, acc) => acc + Jnp.Sum(empty) + Jnp.Sum(broadcastEmpty) + 1, Jnp.Array(1f));
        Assert.Equal(4f, result.Item<float>());
        Assert.Equal(0f, Jax.Jit((Tensor x) => x + Jnp.Sum(empty))(Jnp.Array(0f)).Item<float>());
    }

    // Indices: 64-bit slice steps are not truncated.
    [Theory]
    [InlineData(0L, 10L, long.MaxValue, new[] { 0 })]
    [InlineData(1L, 10L, 1L << 40, new[] { 1 })]
    [InlineData(9L, -11L, long.MinValue, new[] { 9 })]
    [InlineData(9L, -11L, -(1L << 33) - 3, new[] { 9 })]
    public void Huge_slice_steps_take_one_element(long start, long stop, long step, int[] expected) =>
        Assert.Equal(expected, Jnp.Arange(10)[TensorIndex.Slice(start, stop, step)].ToArray<int>());

    [Fact]
    public void Slice_steps_that_truncate_to_small_ints_are_not_confused_with_them() =>
        Assert.Equal([0], Jnp.Arange(10)[TensorIndex.Slice(null, null, (1L << 32) + 2)].ToArray<int>());

    // Strings: malformed einsum subscripts.
    [Theory]
    [InlineData("i$j", "'$' in 'i$j' is not a valid label")]
    [InlineData("ij->->i", "more than one '->'")]
    [InlineData("ij->ii", "output label 'i' appears more than once")]
    [InlineData("i..j->ij", "'.' that is not part of an ellipsis")]
    [InlineData("......ij->ij", "more than one ellipsis")]
    [InlineData("ij-i", "'-' that is not part of '->'")]
    [InlineData("ij->...ij", "the output has an ellipsis but no input does")]
    [InlineData("ij->k", "output label 'k' does not appear in the inputs")]
    public void Malformed_einsum_subscripts_are_errors(string subscripts, string message) =>
        Expect.Error(() => Jnp.Einsum(subscripts, Jnp.Zeros([2, 3])), "einsum", message);

    [Fact]
    public void Einsum_rejects_null_operands() =>
        Assert.Equal("operands", Assert.Throws<ArgumentNullException>(() => Jnp.Einsum("ij,jk->ik", Jnp.Zeros([2, 3]), null!)).ParamName);

    // Types: a tangent must have its primal's dtype (JAX's TypeError).
    [Fact]
    public void Jvp_rejects_a_tangent_of_another_dtype() =>
        Expect.Error(() => Jax.Jvp(x => Jnp.Multiply(x, 2), Jnp.Zeros(3), Jnp.Zeros(3, DType.Int32)), "jvp",
            "dtypes must be equal", "float32[3]", "int32[3]");

    [Fact]
    public void Jvp_rejects_a_float64_tangent_for_a_float32_primal()
    {
        using var x64 = Jax.Config.X64Scope();
        Expect.Error(() => Jax.Jvp(x => Jnp.Sin(x), Jnp.Zeros(3, DType.Float32), Jnp.Zeros(3, DType.Float64)), "jvp", "float64[3]");
    }

    // The IR text: types whose element count overflows.
    [Fact]
    public void Ir_types_with_overflowing_sizes_are_parse_errors()
    {
        var e = Assert.Throws<IrParseException>(() => IrParser.ParseType("f32[4294967296,4294967296]"));
        Assert.Contains("more elements than a 64-bit size can count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_whose_element_count_overflows_say_so()
    {
        var shape = Shape.Of(1L << 32, 1L << 32);
        Assert.False(shape.TryGetElementCount(out _));
        var e = Assert.Throws<JaxTypeException>(() => shape.ElementCount);
        Assert.Contains("(4294967296, 4294967296)", e.Message, StringComparison.Ordinal);
        Assert.True(Shape.Of(1L << 32, 1L << 32, 0).TryGetElementCount(out long empty));
        Assert.Equal(0, empty);
    }
}
