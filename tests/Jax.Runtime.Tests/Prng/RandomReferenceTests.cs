using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Reference;

namespace JaxToolchain.Runtime.Tests.Prng;

/// <summary>Jax.Random against JAX's own bits (recorded from JAX 0.11 with jax_threefry_partitionable off).</summary>
public class RandomReferenceTests
{
    private static readonly Tensor Key0 = Jax.Random.PRNGKey(0);

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(42L)]
    [InlineData(-1L)]
    [InlineData((1L << 40) + 7)]
    public void PRNGKey_matches_jax(long seed)
    {
        var (x64, results) = JaxReference.Get($"prng/key/{seed}");
        using var scope = Jax.Config.X64Scope(x64);
        JaxReference.AssertSame(results[0], Jax.Random.PRNGKey(seed), "PRNGKey");
    }

    private static readonly Dictionary<string, Func<Tensor>> Draws = new()
    {
        ["prng/split2"] = () => Jax.Random.Split(Key0),
        ["prng/split3"] = () => Jax.Random.Split(Key0, 3),
        ["prng/fold_in7"] = () => Jax.Random.FoldIn(Key0, 7),
        ["prng/bits_u32_5"] = () => Jax.Random.Bits(Key0, [5]),
        ["prng/bits_u32_odd7"] = () => Jax.Random.Bits(Jax.Random.PRNGKey(42), [7]),
        ["prng/bits_u64_3"] = () => Jax.Random.Bits(Jax.Random.PRNGKey(0), [3], DType.UInt64),
        ["prng/uniform_f32_10"] = () => Jax.Random.Uniform(Key0, [10]),
        ["prng/uniform_f64_5"] = () => Jax.Random.Uniform(Jax.Random.PRNGKey(0), [5]),
        ["prng/normal_f32_10"] = () => Jax.Random.Normal(Key0, [10]),
        ["prng/normal_f32_3x3"] = () => Jax.Random.Normal(Jax.Random.PRNGKey(1), [3, 3]),
        ["prng/normal_f64_5"] = () => Jax.Random.Normal(Jax.Random.PRNGKey(0), [5]),
        ["prng/normal_f32_1000"] = () => Jax.Random.Normal(Jax.Random.PRNGKey(7), [1000]),
        ["prng/bernoulli"] = () => Jax.Random.Bernoulli(Key0, 0.3, [8]),
        ["prng/exponential"] = () => Jax.Random.Exponential(Key0, [5]),
        ["prng/gumbel"] = () => Jax.Random.Gumbel(Key0, [5]),
        ["prng/laplace"] = () => Jax.Random.Laplace(Key0, [5]),
        ["prng/logistic"] = () => Jax.Random.Logistic(Key0, [5]),
        ["prng/truncated_normal"] = () => Jax.Random.TruncatedNormal(Key0, -1.0, 2.0, [6]),
        ["prng/randint"] = () => Jax.Random.RandInt(Key0, [8], 0, 10),
        ["prng/randint_neg"] = () => Jax.Random.RandInt(Key0, [8], -5, 1000),
        ["prng/choice"] = () => Jax.Random.Choice(Key0, 10, [4]),
        ["prng/choice_noreplace"] = () => Jax.Random.Choice(Key0, 10, [4], replace: false),
        ["prng/permutation"] = () => Jax.Random.Permutation(Key0, 10),
        ["prng/categorical"] = () => Jax.Random.Categorical(Key0, Jnp.Log(Jnp.Array(new float[] { 0.1f, 0.2f, 0.7f })), [8]),
        ["prng/gamma"] = () => Jax.Random.Gamma(Key0, 2.5, [5]),
        ["prng/beta"] = () => Jax.Random.Beta(Key0, 2.0, 3.0, [5]),
        ["prng/dirichlet"] = () => Jax.Random.Dirichlet(Key0, Jnp.Array(new float[] { 1, 2, 3 }), [2]),
        ["prng/poisson"] = () => Jax.Random.Poisson(Key0, 3.5, [6]),
        ["prng/mvn"] = () => Jax.Random.MultivariateNormal(Key0, Jnp.Zeros(2), Jnp.Array(new float[,] { { 2, 0.5f }, { 0.5f, 1 } }), [3]),
        ["prng/choice_p"] = () => Jax.Random.Choice(Key0, 4, [12], p: Jnp.Array(new float[] { 0.1f, 0.0f, 0.6f, 0.3f })),
        ["prng/poisson_15"] = () => Jax.Random.Poisson(Key0, 15.0, [6]),
        ["prng/bits_u8_9"] = () => Jax.Random.Bits(Key0, [9], DType.UInt8),
        ["prng/bits_u16_5"] = () => Jax.Random.Bits(Key0, [5], DType.UInt16),
        ["prng/uniform_bf16_6"] = () => Jax.Random.Uniform(Key0, [6], DType.BFloat16),
        ["prng/uniform_f16_6"] = () => Jax.Random.Uniform(Key0, [6], DType.Float16),
        ["prng/shuffle_perm_array"] = () => Jax.Random.Permutation(Key0, Jnp.Arange(8.0)),
        ["tour/normal_key0_10"] = () => Jax.Random.Normal(Jax.Random.PRNGKey(0), [10]),
    };

    public static TheoryData<string> DrawCases() => new(Draws.Keys.Order(StringComparer.Ordinal));

    /// <summary>
    /// Draws whose last step XLA fuses (logistic's <c>log(u / (1 - u))</c>, truncated_normal's erf of the bounds):
    /// the random bits are the same, the final float arithmetic agrees within these multiples of epsilon.
    /// </summary>
    private static readonly Dictionary<string, double> FusedUlps = new()
    {
        ["prng/logistic"] = 4,
        ["prng/truncated_normal"] = 4,
        ["prng/gamma"] = 4,
        ["prng/beta"] = 4,
        ["prng/dirichlet"] = 4,
        ["prng/mvn"] = 4,
    };

    [Theory]
    [MemberData(nameof(DrawCases))]
    public void Draws_match_jax(string name)
    {
        var (x64, results) = JaxReference.Get(name);
        using var scope = Jax.Config.X64Scope(x64);
        if (FusedUlps.TryGetValue(name, out var ulps)) JaxReference.AssertSame(results[0], Draws[name](), name, ulps);
        else JaxReference.AssertSame(results[0], Draws[name](), name);
    }

    [Fact]
    public void Normal_draws_are_the_same_bits_eagerly_jitted_and_vmapped()
    {
        var eager = Jax.Random.Normal(Key0, [6]);
        var jitted = Jax.Jit((Func<Tensor, Tensor>)(k => Jax.Random.Normal(k, [6])))(Key0);
        Assert.Equal(eager.ToArray<float>(), jitted.ToArray<float>());
        var keys = Jax.Random.Split(Key0, 4);
        var vmapped = Jax.Vmap((Func<Tensor, Tensor>)(k => Jax.Random.Normal(k, [6])))(keys);
        for (int i = 0; i < 4; i++)
            Assert.Equal(Jax.Random.Normal(keys[i], [6]).ToArray<float>(), vmapped[i].ToArray<float>());
    }

    [Fact]
    public void Keys_thread_through_a_scan_like_values()
    {
        // Each step splits the carried key and draws with the subkey, as JAX programs thread keys.
        var (carry, ys) = Lax.Scan(a =>
        {
            var keys = Jax.Random.Split(a[0]);
            return [keys[0], Jax.Random.Normal(keys[1], [2])];
        }, [Key0], [], length: 3);
        var key = Key0;
        for (int i = 0; i < 3; i++)
        {
            var keys = Jax.Random.Split(key);
            key = keys[0];
            Assert.Equal(Jax.Random.Normal(keys[1], [2]).ToArray<float>(), ys[0][i].ToArray<float>());
        }
        Assert.Equal(key.ToArray<uint>(), carry[0].ToArray<uint>());
    }

    [Fact]
    public void Vmapped_normal_over_split_keys_matches_jax()
    {
        var expected = JaxReference.Single("prng/vmap_normal");
        var r = Jax.Vmap((Func<Tensor, Tensor>)(k => Jax.Random.Normal(k, [3])))(Jax.Random.Split(Key0, 4));
        JaxReference.AssertSame(expected, r, "vmap normal");
    }

    [Fact]
    public void A_key_of_the_wrong_type_is_an_error_naming_it()
    {
        var e = Assert.Throws<JaxTypeException>(() => Jax.Random.Normal(Jnp.Zeros(2), [3]));
        Assert.Contains("uint32[2]", e.Message);
        Assert.Contains("float32[2]", e.Message);
    }
}
