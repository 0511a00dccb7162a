using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Api.Linalg.LinalgOracle;

namespace JaxToolchain.Runtime.Tests.Api.Linalg;

/// <summary>Cholesky and QR against torch.linalg (QR up to the sign of each column of Q and row of R), with derivatives.</summary>
public class FactorizationTests
{
    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Cholesky_matches_torch_lower_and_upper(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 1, 1 }, [3, 3], [2, 3, 4, 4], [32, 32] })
        {
            var (a, t) = PositiveDefinite(shape.Sum(), dtype, shape);
            var l = Jnp.Linalg.Cholesky(a);
            Close(l, torch.linalg.cholesky(t), Tol(dtype), "lower");
            Close(Jnp.Linalg.Cholesky(a, upper: true), torch.linalg.cholesky(t).mT, Tol(dtype), "upper");
        }
    });

    [Fact]
    public void Cholesky_of_a_matrix_that_is_not_positive_definite_is_all_nan()
    {
        var l = Jnp.Linalg.Cholesky(Jnp.Array(new[,] { { 1f, 2f }, { 2f, 1f } }));
        Assert.All(l.ToArray<float>(), v => Assert.True(float.IsNaN(v)));
        // Only the failing matrix of a batch is NaN.
        var batch = Jnp.Stack([Jnp.Array(new[,] { { 4f, 2f }, { 2f, 3f } }), Jnp.Array(new[,] { { -1f, 0f }, { 0f, 1f } })]);
        var lb = Jnp.Linalg.Cholesky(batch).ToArray<float>();
        Assert.Equal(new[] { 2f, 0f, 1f, MathF.Sqrt(2) }, lb[..4]);
        Assert.All(lb[4..], v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Cholesky_derivative_matches_finite_differences_and_runs_under_jit_and_vmap() => WithX64(() =>
    {
        var (a, _) = PositiveDefinite(3, DType.Float64, 3, 3);
        GradientCheck.CheckGrads(x => Jnp.Linalg.Cholesky(x), a);
        var (b, _) = PositiveDefinite(4, DType.Float64, 3, 4, 4);
        var eager = Jnp.Linalg.Cholesky(b);
        Close(Jax.Jit(x => Jnp.Linalg.Cholesky(x))(b), eager, 1e-12, "jit");
        Close(Jax.Vmap(x => Jnp.Linalg.Cholesky(x))(b), eager, 1e-12, "vmap");
        var g = Jax.Grad(x => Weighted(Jnp.Linalg.Cholesky(x)))(a);
        Close(g, Jax.Jit(Jax.Grad(x => Weighted(Jnp.Linalg.Cholesky(x))))(a), 1e-12, "jit grad");
    });

    /// <summary>Checks a QR result: Q R = A, Qᵀ Q = I, R upper triangular, and |R| equal to torch's |R|.</summary>
    private static void CheckQr(Tensor a, TorchSharp.torch.Tensor t, Tensor q, Tensor r, string mode, double tol)
    {
        var tmode = mode == "complete" ? torch.linalg.QRMode.Complete : torch.linalg.QRMode.Reduced;
        var (tq, tr) = torch.linalg.qr(t, tmode);
        Assert.Equal(tq.shape, q.Shape.Sizes);
        Close(Jnp.Matmul(q, r), a, tol, $"{mode}: Q R");
        int k = (int)q.Shape[^1].Size;
        Close(Jnp.Matmul(Jnp.Swapaxes(q, -1, -2), q), Jnp.BroadcastTo(Jnp.Eye(k, dtype: q.DType), [.. q.Shape.IntSizes[..^2], k, k]), tol, $"{mode}: QᵀQ");
        Close(Jnp.Abs(r), tr.abs(), tol, $"{mode}: |R|");
        Close(Jnp.Triu(r), r, 0, $"{mode}: R triangular");
    }

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Qr_modes_match_torch_up_to_signs(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 5, 3 }, [3, 5], [4, 4], [2, 3, 5, 3], [32, 32] })
        {
            var (a, t) = Pair(Uniform(shape.Sum(), shape), dtype, shape);
            foreach (var mode in new[] { "reduced", "complete" })
            {
                var (q, r) = Jnp.Linalg.Qr(a, mode);
                CheckQr(a, t, q!, r, mode, Tol(dtype));
            }
            var (none, rOnly) = Jnp.Linalg.Qr(a, "r");
            Assert.Null(none);
            Close(rOnly, Jnp.Linalg.Qr(a).R, 0, "mode r");
        }
    });

    [Fact]
    public void Qr_of_a_matrix_with_a_zero_column_stays_orthogonal()
    {
        var a = Jnp.Array(new[,] { { 1f, 0f, 2f }, { 2f, 0f, 1f }, { 2f, 0f, 0f } });
        var (q, r) = Jnp.Linalg.Qr(a);
        Close(Jnp.Matmul(q!, r), a, 1e-5);
        Close(Jnp.Matmul(q!.T, q), Jnp.Eye(3), 1e-5);
    }

    [Fact]
    public void Qr_derivative_matches_finite_differences() => WithX64(() =>
    {
        var (a, _) = Pair(Uniform(21, 4, 3), DType.Float64, 4, 3);
        GradientCheck.CheckGrads(x =>
        {
            var (q, r) = Jnp.Linalg.Qr(x[0]);
            return [q!, r];
        }, [a]);
        var (sq, _) = Pair(Uniform(22, 3, 3), DType.Float64, 3, 3);
        GradientCheck.CheckGrads(x => Jnp.Linalg.Qr(x, "complete").R, sq);
    });

    [Fact]
    public void Bad_arguments_are_errors()
    {
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Cholesky(Jnp.Zeros([2, 3])));
        var e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Qr(Jnp.Zeros([3])));
        Assert.Contains("float32[3]", e.Message);
        Assert.Throws<ArgumentException>(() => Jnp.Linalg.Qr(Jnp.Zeros([3, 3]), "full"));
    }
}
