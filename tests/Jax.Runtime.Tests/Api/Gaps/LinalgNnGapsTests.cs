using JaxToolchain.Ir;
using TorchSharp;
using TorchOracle = JaxToolchain.Runtime.Tests.Oracle.Torch;

namespace JaxToolchain.Runtime.Tests.Api.Gaps;

/// <summary>
/// The jax.numpy.linalg, jax.nn and jax.nn.initializers names added to complete those modules: tensor inverse and
/// solve against their defining identities, dot-product attention against torch's scaled_dot_product_attention,
/// the small nn functions against closed forms, and the orthogonal initializers' orthogonality and JAX's sign rule.
/// </summary>
public class LinalgNnGapsTests
{
    private static Tensor F64(params double[] x) => Jnp.Array(x);

    private static double[] Seeded(int n, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1)];
    }

    /// <summary>A float64 array of a shape filled with seeded uniform values in [-1, 1).</summary>
    private static Tensor Uniform(int seed, params int[] shape) => Jnp.Array(Seeded(shape.Aggregate(1, (p, d) => p * d), seed), shape);

    [Fact]
    public void Linalg_forwards_match_the_jnp_functions()
    {
        using var _ = Jax.Config.X64Scope(true);
        var a = Uniform(1, 2, 3, 4);
        var b = Uniform(2, 4, 5);
        Assert.Equal(Jnp.Matmul(a, b).ToArray<double>(), Jnp.Linalg.Matmul(a, b).ToArray<double>());
        Expect.Shape(Jnp.Linalg.MatrixTranspose(a), 2, 4, 3);
        Assert.Equal(Jnp.Tensordot(a, b, 1).ToArray<double>(), Jnp.Linalg.Tensordot(a, b, 1).ToArray<double>());
    }

    [Fact]
    public void Tensorinv_inverts_for_tensordot_and_differentiates()
    {
        using var _ = Jax.Config.X64Scope(true);
        // numpy.linalg.tensorinv's example: eye(24).reshape(4, 6, 8, 3) has an inverse of shape (8, 3, 4, 6).
        var a = Jnp.Add(Jnp.Reshape(Jnp.Eye(24), 4, 6, 8, 3), Jnp.Multiply(0.05, Uniform(3, 4, 6, 8, 3)));
        var inverse = Jnp.Linalg.Tensorinv(a, 2);
        Expect.Shape(inverse, 8, 3, 4, 6);
        Expect.Values(Jnp.Reshape(Jnp.Tensordot(inverse, a, 2), 24, 24), Jnp.Eye(24).ToArray<double>(), 1e-10);
        Expect.Shape(Jnp.Linalg.Tensorinv(Jnp.Reshape(Jnp.Eye(24), 24, 8, 3), 1), 8, 3, 24);
        Expect.Error(() => Jnp.Linalg.Tensorinv(Jnp.Zeros([2, 3, 4]), 1), "tensorinv", "product of the first ind=1");
        Expect.Error(() => Jnp.Linalg.Tensorinv(a, 0), "tensorinv", "ind");
        GradientCheck.CheckGrads(m => Jnp.Linalg.Tensorinv(m, 1), Jnp.Add(Jnp.Reshape(Jnp.Eye(4), 4, 2, 2), Jnp.Multiply(0.1, Uniform(4, 4, 2, 2))));
    }

    [Fact]
    public void Tensorsolve_solves_tensordot_equations()
    {
        using var _ = Jax.Config.X64Scope(true);
        var a = Jnp.Add(Jnp.Reshape(Jnp.Eye(6), 2, 3, 6), Jnp.Multiply(0.1, Uniform(5, 2, 3, 6)));
        var b = Uniform(6, 2, 3);
        var x = Jnp.Linalg.Tensorsolve(a, b);
        Expect.Shape(x, 6);
        Expect.Values(Jnp.Tensordot(a, x, 1), b.ToArray<double>(), 1e-12);
        // axes move the named axes of a to the end first.
        var moved = Jnp.Moveaxis(a, 2, 0);
        Expect.Values(Jnp.Linalg.Tensorsolve(moved, b, [0]), x.ToArray<double>(), 1e-12);
        var a4 = Jnp.Add(Jnp.Reshape(Jnp.Eye(6), 2, 3, 3, 2), Jnp.Multiply(0.1, Uniform(7, 2, 3, 3, 2)));
        var x4 = Jnp.Linalg.Tensorsolve(a4, b);
        Expect.Shape(x4, 3, 2);
        Expect.Values(Jnp.Tensordot(a4, x4, 2), b.ToArray<double>(), 1e-12);
        Expect.Error(() => Jnp.Linalg.Tensorsolve(a, Jnp.Zeros([3, 2])), "tensorsolve", "leading dimensions");
        GradientCheck.CheckGrads(args => [Jnp.Linalg.Tensorsolve(args[0], args[1])], [a, b]);
    }

    /// <summary>torch's scaled_dot_product_attention of [B, T, N, H] arrays (torch wants [B, N, T, H]).</summary>
    private static double[] TorchAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal)
    {
        using var scope = torch.NewDisposeScope();
        TorchSharp.torch.Tensor T(Tensor x) => TorchOracle.From(x.ToArray<double>(), x.Shape.Sizes).permute(0, 2, 1, 3);
        TorchSharp.torch.Tensor? m = mask is null ? null : TorchOracle.From(Jnp.Astype(mask, DType.Float64).ToArray<double>(), mask.Shape.Sizes);
        if (m is not null && mask!.DType == DType.Bool) m = m.to_type(torch.@bool);
        var result = torch.nn.functional.scaled_dot_product_attention(T(q), T(k), T(v), m, 0.0, causal);
        return TorchOracle.ToDoubles(result.permute(0, 2, 1, 3));
    }

    [Fact]
    public void Dot_product_attention_matches_torch()
    {
        using var _ = Jax.Config.X64Scope(true);
        var q = Uniform(10, 2, 5, 3, 4);
        var k = Uniform(11, 2, 6, 3, 4);
        var v = Uniform(12, 2, 6, 3, 4);
        // The softmax runs in float32 (as JAX's), hence 1e-6.
        var plain = Nn.DotProductAttention(q, k, v);
        Expect.Array(plain, DType.Float64, [2, 5, 3, 4], TorchAttention(q, k, v, null, false), 1e-6);
        var qs = Uniform(13, 2, 6, 3, 4);
        Expect.Values(Nn.DotProductAttention(qs, k, v, isCausal: true), TorchAttention(qs, k, v, null, true), 1e-6);
        var mask = Jnp.Greater(Uniform(14, 1, 1, 5, 6), -0.5);
        mask = Jnp.LogicalOr(mask, Jnp.Eye(5, 6, 0, DType.Bool));
        Expect.Values(Nn.DotProductAttention(q, k, v, mask: mask), TorchAttention(q, k, v, Jnp.BroadcastTo(mask, 2, 3, 5, 6), false), 1e-6);
        var bias = Uniform(15, 3, 5, 6);
        Expect.Values(Nn.DotProductAttention(q, k, v, bias: bias), TorchAttention(q, k, v, Jnp.BroadcastTo(bias, 2, 3, 5, 6), false), 1e-6);
        // scale: torch's default 1/sqrt(H) times 2 equals scaling the query by 2.
        Expect.Values(Nn.DotProductAttention(q, k, v, scale: 1.0), Nn.DotProductAttention(Jnp.Multiply(q, 2.0), k, v).ToArray<double>(), 1e-6);
        // Rank-3 inputs are one batch.
        Expect.Values(Nn.DotProductAttention(q[0], k[0], v[0]), plain[0].ToArray<double>(), 1e-12);
    }

    [Fact]
    public void Dot_product_attention_groups_query_heads_and_keeps_low_precision_dtypes()
    {
        using var _ = Jax.Config.X64Scope(true);
        var q = Uniform(20, 1, 4, 6, 2);
        var k = Uniform(21, 1, 3, 2, 2);
        var v = Uniform(22, 1, 3, 2, 2);
        // Six query heads over two key/value heads: heads 0-2 use key head 0, 3-5 key head 1.
        var repeated = Nn.DotProductAttention(q, Jnp.Repeat(k, 3, 2), Jnp.Repeat(v, 3, 2));
        Expect.Values(Nn.DotProductAttention(q, k, v), repeated.ToArray<double>(), 1e-12);
        var bias = Uniform(23, 1, 6, 4, 3);
        Expect.Values(Nn.DotProductAttention(q, k, v, bias), Nn.DotProductAttention(q, Jnp.Repeat(k, 3, 2), Jnp.Repeat(v, 3, 2), bias).ToArray<double>(), 1e-12);
        Expect.Error(() => Nn.DotProductAttention(q, Jnp.Zeros([1, 3, 4, 2], DType.Float64), Jnp.Zeros([1, 3, 4, 2], DType.Float64)), "dot_product_attention", "multiple");
        Expect.Error(() => Nn.DotProductAttention(q, k, v, mask: Jnp.Zeros([4, 3])), "dot_product_attention", "boolean");
        Expect.Error(() => Nn.DotProductAttention(q, k, v, bias: Jnp.Zeros([2, 4, 3])), "dot_product_attention", "does not broadcast");
        var bf = Nn.DotProductAttention(Jnp.Astype(q, DType.BFloat16), Jnp.Astype(k, DType.BFloat16), Jnp.Astype(v, DType.BFloat16));
        Assert.Equal(DType.BFloat16, bf.DType);
        Expect.Values(Jnp.Astype(bf, DType.Float64), Nn.DotProductAttention(q, k, v).ToArray<double>(), 3e-2);
    }

    [Fact]
    public void Dot_product_attention_differentiates_and_runs_under_jit_and_vmap()
    {
        var q = Jnp.Astype(Uniform(30, 1, 3, 2, 2), DType.Float32);
        var k = Jnp.Astype(Uniform(31, 1, 4, 2, 2), DType.Float32);
        var v = Jnp.Astype(Uniform(32, 1, 4, 2, 2), DType.Float32);
        GradientCheck.CheckGrads(a => [Nn.DotProductAttention(a[0], a[1], a[2], isCausal: true)], [q, k, v]);
        var eager = Nn.DotProductAttention(q, k, v);
        var jitted = Jax.Jit((Tensor a, Tensor b, Tensor c) => Nn.DotProductAttention(a, b, c))(q, k, v);
        Expect.Values(jitted, eager.ToArray<double>(), 1e-6);
        var batched = Jax.Vmap((Tensor[] xs) => new[] { Nn.DotProductAttention(xs[0], xs[1], xs[2]) }, [0, 0, 0])([q, k, v])[0];
        Expect.Values(batched, eager.ToArray<double>(), 1e-6);
    }

    [Fact]
    public void Small_nn_functions_match_closed_forms_and_differentiate()
    {
        using var _ = Jax.Config.X64Scope(true);
        double[] xs = [1e-10, 0.1, 0.69, 0.7, 2, 40];
        // log(1 - e^-x), with log(x) - x/2 (its series) where 1 - e^-x would cancel.
        Expect.Values(Nn.Log1mexp(F64(xs)), [.. xs.Select(x => x < 1e-5 ? Math.Log(x) - x / 2 : Math.Log(1 - Math.Exp(-x)))], 1e-12);
        Assert.True(double.IsNegativeInfinity(Nn.Log1mexp(F64(0)).Item<double>()));
        Assert.True(double.IsNaN(Nn.Log1mexp(F64(-1)).Item<double>()));
        GradientCheck.CheckGrads(Nn.Log1mexp, F64(0.3, 0.6, 0.8, 3));
        Expect.Values(Nn.SoftSign(F64(-3, 0, 1)), [-0.75, 0, 0.5]);
        GradientCheck.CheckGrads(Nn.SoftSign, F64(-3, -0.2, 0.5, 2));
        Assert.Equal(DType.Float64, Nn.SoftSign(Jnp.Array(new[] { 1, 2 })).DType);
        Expect.Values(Nn.Tanh(F64(-1, 0.5)), [Math.Tanh(-1), Math.Tanh(0.5)], 1e-15);
        var ints = Jnp.Array(new[] { 1, 2 });
        Assert.Equal(ints.ToArray<int>(), Nn.Identity(ints).ToArray<int>());
        var m = Jnp.Array(new double[,] { { 0, 1, 2 }, { 1000, 1000, 1000 } });
        Expect.Values(Nn.Logmeanexp(m, 1), [Math.Log((1 + Math.E + Math.E * Math.E) / 3), 1000], 1e-12);
        var columns = Nn.Logmeanexp(m, [0], keepdims: true);
        Expect.Array(columns, DType.Float64, [1, 3], [1000 - Math.Log(2), 1000 - Math.Log(2), 1000 - Math.Log(2)], 1e-12);
        var where = Jnp.Array(new[,] { { true, false, true }, { true, true, true } });
        Expect.Values(Nn.Logmeanexp(m, 1, where), [Math.Log((1 + Math.E * Math.E) / 2), 1000], 1e-12);
        GradientCheck.CheckGrads(x => Nn.Logmeanexp(x, 1), Uniform(40, 2, 3));
    }

    [Fact]
    public void Orthogonal_initializer_is_orthogonal_with_jax_sign_convention()
    {
        using var _ = Jax.Config.X64Scope(true);
        var key = Jax.Random.PRNGKey(0);
        var tall = Nn.Initializers.Orthogonal()(key, [5, 3], DType.Float64);
        Expect.Shape(tall, 5, 3);
        Expect.Values(Jnp.Matmul(Jnp.MatrixTranspose(tall), tall), Jnp.Eye(3).ToArray<double>(), 1e-12);
        // JAX's sign rule: Q times sign(diag(R)), so Qᵀ A (the corrected R) has a positive diagonal.
        var a = Jax.Random.Normal(key, [5, 3], DType.Float64);
        Assert.All(Jnp.Diagonal(Jnp.Matmul(Jnp.MatrixTranspose(tall), a)).ToArray<double>(), r => Assert.True(r > 0));
        var wide = Nn.Initializers.Orthogonal(scale: 2.0)(key, [2, 6], DType.Float64);
        Expect.Values(Jnp.Matmul(wide, Jnp.MatrixTranspose(wide)), Jnp.Multiply(4.0, Jnp.Eye(2)).ToArray<double>(), 1e-12);
        // Column axis 0 of a [4, 2, 3] shape: the 6 flattened other axes are rows, 4 columns.
        var conv = Nn.Initializers.Orthogonal(columnAxis: 0)(key, [4, 2, 3], DType.Float64);
        var cols = Jnp.Reshape(Jnp.Moveaxis(conv, 0, -1), 6, 4);
        Expect.Values(Jnp.Matmul(Jnp.MatrixTranspose(cols), cols), Jnp.Eye(4).ToArray<double>(), 1e-12);
        Assert.Equal(DType.Float32, Nn.Initializers.Orthogonal(dtype: DType.Float32)(key, [3, 3]).DType);
        Expect.Error(() => Nn.Initializers.Orthogonal()(key, [3]), "orthogonal", "2D");
    }

    [Fact]
    public void Delta_orthogonal_initializer_and_aliases()
    {
        using var _ = Jax.Config.X64Scope(true);
        var key = Jax.Random.PRNGKey(3);
        var w = Nn.Initializers.DeltaOrthogonal()(key, [3, 4, 2, 5], DType.Float64);
        Expect.Shape(w, 3, 4, 2, 5);
        var centre = w[1, 1];
        Expect.Values(Jnp.Matmul(centre, Jnp.MatrixTranspose(centre)), Jnp.Eye(2).ToArray<double>(), 1e-12);
        Assert.Equal(2.0, Jnp.Sum(Jnp.Square(w)).Item<double>(), 1e-12);
        Expect.Values(centre, Nn.Initializers.Orthogonal()(key, [2, 5], DType.Float64).ToArray<double>(), 1e-15);
        Expect.Shape(Nn.Initializers.DeltaOrthogonal()(key, [3, 2, 2]), 3, 2, 2);
        Expect.Error(() => Nn.Initializers.DeltaOrthogonal()(key, [3, 3]), "delta_orthogonal", "3D, 4D or 5D");
        Expect.Error(() => Nn.Initializers.DeltaOrthogonal()(key, [3, 5, 2]), "delta_orthogonal", "fan_in");
        int[] shape = [4, 6];
        Assert.Equal(Nn.Initializers.HeNormal()(key, shape).ToArray<float>(), Nn.Initializers.KaimingNormal()(key, shape).ToArray<float>());
        Assert.Equal(Nn.Initializers.HeUniform()(key, shape).ToArray<float>(), Nn.Initializers.KaimingUniform()(key, shape).ToArray<float>());
        Assert.Equal(Nn.Initializers.GlorotNormal()(key, shape).ToArray<float>(), Nn.Initializers.XavierNormal()(key, shape).ToArray<float>());
        Assert.Equal(Nn.Initializers.GlorotUniform()(key, shape).ToArray<float>(), Nn.Initializers.XavierUniform()(key, shape).ToArray<float>());
    }
}
