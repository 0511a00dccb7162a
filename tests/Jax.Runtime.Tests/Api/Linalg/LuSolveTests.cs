using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Api.Linalg.LinalgOracle;

namespace JaxToolchain.Runtime.Tests.Api.Linalg;

/// <summary>Det, Slogdet, Inv, Solve and MatrixPower (LU with partial pivoting) against torch.linalg, with their derivatives.</summary>
public class LuSolveTests
{
    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Det_and_slogdet_match_torch(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 1, 1 }, [2, 2], [3, 3], [5, 5], [2, 3, 4, 4] })
        {
            var (a, t) = Pair(Uniform(shape.Sum(), shape), dtype, shape);
            Close(Jnp.Linalg.Det(a), torch.linalg.det(t), Tol(dtype), "det");
            var (sign, logdet) = Jnp.Linalg.Slogdet(a);
            var (tsign, tlogdet) = torch.linalg.slogdet(t);
            Close(sign, tsign, 0, "sign");
            Close(logdet, tlogdet, Tol(dtype), "logabsdet");
        }
        var (big, tbig) = WellConditioned(7, dtype, 32, 32);
        Close(Jnp.Linalg.Slogdet(big).Logabsdet, torch.linalg.slogdet(tbig).Item2, Tol(dtype), "32x32 logabsdet");
    });

    [Fact]
    public void Det_of_a_singular_matrix_is_zero_and_slogdet_is_minus_infinity()
    {
        var a = Jnp.Array(new[,] { { 1f, 2f, 3f }, { 2f, 4f, 6f }, { 1f, 0f, 1f } });
        Assert.Equal(0f, Jnp.Linalg.Det(a).Item<float>());
        var (sign, logdet) = Jnp.Linalg.Slogdet(a);
        Assert.Equal(0f, sign.Item<float>());
        Assert.Equal(float.NegativeInfinity, logdet.Item<float>());
        Assert.Equal(0f, Jnp.Linalg.Det(Jnp.Zeros([2, 2])).Item<float>());
    }

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Inv_and_solve_match_torch(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 3, 3 }, [2, 3, 4, 4], [32, 32] })
        {
            var (a, t) = WellConditioned(shape.Sum(), dtype, shape);
            Close(Jnp.Linalg.Inv(a), torch.linalg.inv(t), Tol(dtype), "inv");
            var (b, tb) = Pair(Uniform(3, [.. shape[..^1], 2]), dtype, [.. shape[..^1], 2]);
            Close(Jnp.Linalg.Solve(a, b), torch.linalg.solve(t, tb), Tol(dtype), "solve matrix");
        }
        // A vector right-hand side, and batch dimensions that broadcast (a [2, 1, 3, 3] with b [4, 3, 2]).
        var (a4, ta4) = WellConditioned(5, dtype, 2, 1, 3, 3);
        var (v, tv) = Pair(Uniform(6, 3), dtype, 3);
        Close(Jnp.Linalg.Solve(a4, v), torch.linalg.solve(ta4, tv.unsqueeze(-1)).squeeze(-1), Tol(dtype), "solve vector");
        var (bb, tbb) = Pair(Uniform(8, 4, 3, 2), dtype, 4, 3, 2);
        Close(Jnp.Linalg.Solve(a4, bb), torch.linalg.solve(ta4, tbb), Tol(dtype), "solve broadcast");
    });

    [Fact]
    public void Solve_pivots_past_a_zero_leading_entry()
    {
        var a = Jnp.Array(new[,] { { 0f, 1f }, { 1f, 0f } });
        Assert.Equal(new[] { 5f, 3f }, Jnp.Linalg.Solve(a, Jnp.Array(new[] { 3f, 5f })).ToArray<float>());
        Assert.Equal(-1f, Jnp.Linalg.Det(a).Item<float>());
    }

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Matrix_power_matches_torch_for_negative_zero_and_positive_powers(DType dtype) => WithX64(() =>
    {
        var (a, t) = WellConditioned(11, dtype, 2, 3, 3);
        var scaled = Jnp.Divide(a, 3);
        var tscaled = t / 3;
        foreach (int n in new[] { -3, -1, 0, 1, 2, 3, 6 })
            Close(Jnp.Linalg.MatrixPower(scaled, n), tscaled.matrix_power(n), Tol(dtype) * 10, $"power {n}");
    });

    [Fact]
    public void Derivatives_match_finite_differences() => WithX64(() =>
    {
        var (a, _) = WellConditioned(3, DType.Float64, 3, 3);
        var (b, _) = Pair(Uniform(4, 3, 2), DType.Float64, 3, 2);
        GradientCheck.CheckGrads(Jnp.Linalg.Det, a);
        GradientCheck.CheckGrads(x => Jnp.Linalg.Slogdet(x).Logabsdet, a);
        GradientCheck.CheckGrads(Jnp.Linalg.Inv, a);
        GradientCheck.CheckGrads(x => [Jnp.Linalg.Solve(x[0], x[1])], [a, b]);
        GradientCheck.CheckGrads(x => Jnp.Linalg.MatrixPower(x, -2), a);
    });

    [Fact]
    public void Gradient_of_det_is_det_times_inverse_transpose() => WithX64(() =>
    {
        var (a, _) = WellConditioned(9, DType.Float64, 4, 4);
        var g = Jax.Grad(Jnp.Linalg.Det)(a);
        Close(g, Jnp.Multiply(Jnp.Linalg.Det(a), Jnp.Linalg.Inv(a).T), 1e-10);
        var gl = Jax.Grad(x => Jnp.Linalg.Slogdet(x).Logabsdet)(a);
        Close(gl, Jnp.Linalg.Inv(a).T, 1e-10);
    });

    [Fact]
    public void Jvps_are_the_closed_forms() => WithX64(() =>
    {
        var (a, _) = WellConditioned(14, DType.Float64, 2, 3, 3);
        var (t, _) = Pair(Uniform(15, 2, 3, 3), DType.Float64, 2, 3, 3);
        var inv = Jnp.Linalg.Inv(a);
        var (y, dy) = Jax.Jvp(Jnp.Linalg.Inv, a, t);
        Close(y, inv, 0, "inv");
        Close(dy, Jnp.Negative(Jnp.Matmul(Jnp.Matmul(inv, t), inv)), 1e-12, "d inv");
        var (d, dd) = Jax.Jvp(Jnp.Linalg.Det, a, t);
        Close(dd, Jnp.Multiply(d, Jnp.Linalg.Trace(Jnp.Matmul(inv, t))), 1e-12, "d det");
    });

    [Fact]
    public void Gradient_of_det_at_singular_matrices_is_the_adjugate_transpose() => WithX64(() =>
    {
        // Rank n - 1: the gradient is adj(A)ᵀ, finite (JAX's cofactor solve).
        var a = Jnp.Array(new[,] { { 1.0, 2.0 }, { 2.0, 4.0 } });
        Close(Jax.Grad(Jnp.Linalg.Det)(a), Jnp.Array(new[,] { { 4.0, -2.0 }, { -2.0, 1.0 } }), 1e-12, "2x2");
        var b = Jnp.Array(new[,] { { 1.0, 2.0, 3.0 }, { 4.0, 5.0, 6.0 }, { 7.0, 8.0, 9.0 } });
        Close(Jax.Grad(Jnp.Linalg.Det)(b), Jnp.Array(new[,] { { -3.0, 6.0, -3.0 }, { 6.0, -12.0, 6.0 }, { -3.0, 6.0, -3.0 } }), 1e-12, "3x3");
        // Rank below n - 1: the adjugate is zero.
        Close(Jax.Grad(Jnp.Linalg.Det)(Jnp.Ones([3, 3], DType.Float64)), Jnp.Zeros([3, 3], DType.Float64), 0, "rank 1");
        Close(Jax.Grad(Jnp.Linalg.Det)(Jnp.Array(new[,] { { 5.0 } })), Jnp.Array(new[,] { { 1.0 } }), 0, "1x1");
    });

    [Fact]
    public void Batched_inputs_agree_with_vmap_jit_and_per_matrix_calls() => WithX64(() =>
    {
        var (a, _) = WellConditioned(12, DType.Float64, 3, 4, 4);
        var (b, _) = Pair(Uniform(13, 3, 4), DType.Float64, 3, 4);
        var batched = Jnp.Linalg.Solve(a, Jnp.ExpandDims(b, -1));
        var mapped = Jax.Vmap((x, y) => Jnp.Linalg.Solve(x, y), (0, 0))(a, b);
        Close(Jnp.Squeeze(batched, -1), mapped, 1e-12, "vmap solve");
        Close(Jax.Vmap(Jnp.Linalg.Det)(a), Jnp.Linalg.Det(a), 1e-12, "vmap det");
        Close(Jax.Jit(Jnp.Linalg.Inv)(a), Jnp.Linalg.Inv(a), 1e-12, "jit inv");
        Close(Jax.Jit((x, y) => Jnp.Linalg.Solve(x, y))(a[0], b[0]), Jnp.Linalg.Solve(a[0], b[0]), 1e-12, "jit solve");
        var grads = Jax.Vmap(Jax.Grad(Jnp.Linalg.Det))(a);
        Close(grads[1], Jax.Grad(Jnp.Linalg.Det)(a[1]), 1e-12, "vmap grad det");
    });

    [Fact]
    public void Bad_shapes_are_errors_naming_the_shapes()
    {
        var e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Det(Jnp.Zeros([2, 3])));
        Assert.Contains("float32[2,3]", e.Message);
        Assert.Contains("LuSolveTests.cs", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Inv(Jnp.Zeros([3])));
        Assert.Contains("inv", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Solve(Jnp.Eye(3), Jnp.Zeros([4])));
        Assert.Contains("float32[3,3]", e.Message);
        Assert.Contains("float32[4]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Solve(Jnp.Zeros([2, 3, 3]), Jnp.Zeros([4, 3, 1])));
        Assert.Contains("broadcast", e.Message);
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.MatrixPower(Jnp.Zeros([2, 3]), 2));
        Assert.Throws<ArgumentNullException>(() => Jnp.Linalg.Det(null!));
    }
}
