using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Api.Linalg.LinalgOracle;

namespace JaxToolchain.Runtime.Tests.Api.Linalg;

/// <summary>
/// Eigh (parallel Jacobi) and SVD (one-sided Jacobi + QR) against torch.linalg: eigenvalues and singular values
/// directly; vectors up to sign, through A V = V diag(w), U diag(S) Vh = A and orthonormality.
/// </summary>
public class SpectralTests
{
    private static Tensor Gram(Tensor x) => Jnp.Matmul(Jnp.Swapaxes(x, -1, -2), x);

    private static Tensor Identity(Tensor x)
    {
        int k = (int)x.Shape[^1].Size;
        return Jnp.BroadcastTo(Jnp.Eye(k, dtype: x.DType), [.. x.Shape.IntSizes[..^2], k, k]);
    }

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Eigh_matches_torch(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 1, 1 }, [2, 2], [3, 3], [5, 5], [8, 8], [2, 3, 4, 4], [32, 32] })
        {
            var (a, t) = Symmetric(shape.Sum(), dtype, shape);
            var (w, v) = Jnp.Linalg.Eigh(a);
            var (tw, _) = torch.linalg.eigh(t, 'L');
            Close(w, tw, Tol(dtype), $"eigenvalues {string.Join("x", shape)}");
            Close(Jnp.Matmul(a, v), Jnp.Multiply(v, Jnp.ExpandDims(w, -2)), Tol(dtype), $"A V = V diag(w) {string.Join("x", shape)}");
            Close(Gram(v), Identity(v), Tol(dtype), "VᵀV");
            Close(Jnp.Linalg.Eigvalsh(a), w, 0, "eigvalsh");
        }
    });

    [Fact]
    public void Eigh_reads_one_triangle_without_symmetrizing() => WithX64(() =>
    {
        var (a, t) = Pair(Uniform(3, 5, 5), DType.Float64, 5, 5);
        Close(Jnp.Linalg.Eigh(a, "U", symmetrizeInput: false).Eigenvalues, torch.linalg.eigh(t, 'U').Item1, 1e-10, "upper");
        Close(Jnp.Linalg.Eigvalsh(a, "L", symmetrizeInput: false), torch.linalg.eigh(t, 'L').Item1, 1e-10, "lower");
        Close(Jnp.Linalg.Eigvalsh(a), torch.linalg.eigh((t + t.mT) / 2, 'L').Item1, 1e-10, "symmetrized");
    });

    [Fact]
    public void Eigh_of_degenerate_and_diagonal_matrices() => WithX64(() =>
    {
        var (w, v) = Jnp.Linalg.Eigh(Jnp.Array(new[,] { { 3.0, 0, 0 }, { 0, 1.0, 0 }, { 0, 0, 2.0 } }));
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, w.ToArray<double>());
        Close(Jnp.Abs(v), Jnp.Array(new[,] { { 0.0, 0, 1 }, { 1.0, 0, 0 }, { 0, 1.0, 0 } }), 0);
        var ones = Jnp.Ones([4, 4], DType.Float64);
        var (w1, v1) = Jnp.Linalg.Eigh(ones);
        Close(w1, Jnp.Array(new[] { 0.0, 0, 0, 4 }), 1e-12);
        Close(Gram(v1), Jnp.Eye(4), 1e-12);
    });

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Svd_matches_torch(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 1, 1 }, [5, 3], [3, 5], [4, 4], [2, 3, 4, 3], [32, 32] })
        {
            var (a, t) = Pair(Uniform(shape.Sum(), shape), dtype, shape);
            Close(Jnp.Linalg.Svdvals(a), torch.linalg.svdvals(t), Tol(dtype), $"svdvals {string.Join("x", shape)}");
            foreach (bool full in new[] { true, false })
            {
                var (u, s, vh) = Jnp.Linalg.Svd(a, full);
                var (tu, ts, tvh) = torch.linalg.svd(t, full);
                Assert.Equal(tu.shape, u.Shape.Sizes);
                Assert.Equal(tvh.shape, vh.Shape.Sizes);
                Close(s, ts, Tol(dtype), "S");
                int k = (int)s.Shape[^1].Size;
                var uk = Jnp.Linalg.SliceAxis(u, -1, 0, k);
                var vk = Jnp.Linalg.SliceAxis(vh, -2, 0, k);
                Close(Jnp.Matmul(Jnp.Multiply(uk, Jnp.ExpandDims(s, -2)), vk), a, Tol(dtype), "U S Vh");
                Close(Gram(u), Identity(u), Tol(dtype), "UᵀU");
                Close(Gram(Jnp.Swapaxes(vh, -1, -2)), Identity(Jnp.Swapaxes(vh, -1, -2)), Tol(dtype), "Vh Vhᵀ");
            }
        }
    });

    [Fact]
    public void Svd_of_a_rank_deficient_matrix_completes_the_bases() => WithX64(() =>
    {
        // Rank 2, 5 x 4: two singular values are zero.
        var (b, _) = Pair(Uniform(5, 5, 2), DType.Float64, 5, 2);
        var (c, _) = Pair(Uniform(6, 2, 4), DType.Float64, 2, 4);
        var a = Jnp.Matmul(b, c);
        var (u, s, vh) = Jnp.Linalg.Svd(a);
        Close(Jnp.Linalg.SliceAxis(s, -1, 2, 4), Jnp.Zeros([2], DType.Float64), 1e-12, "zero singular values");
        Close(Gram(u), Jnp.Eye(5), 1e-12, "U orthogonal");
        Close(Jnp.Matmul(Jnp.Multiply(Jnp.Linalg.SliceAxis(u, -1, 0, 4), s), vh), a, 1e-12, "reconstruction");
        Assert.Equal(2, Jnp.Linalg.MatrixRank(a).Item<long>());
    });

    [Fact]
    public void Derivatives_match_finite_differences() => WithX64(() =>
    {
        var (a, _) = Symmetric(31, DType.Float64, 4, 4);
        GradientCheck.CheckGrads(x => Jnp.Linalg.Eigh(x).Eigenvalues, a);
        // Eigenvector signs are arbitrary: v ∘ v is not.
        GradientCheck.CheckGrads(x => Jnp.Square(Jnp.Linalg.Eigh(x).Eigenvectors), a);
        foreach (var shape in new[] { new[] { 4, 3 }, [3, 4], [3, 3] })
        {
            var (m, _) = Pair(Uniform(shape.Sum() + 40, shape), DType.Float64, shape);
            GradientCheck.CheckGrads(Jnp.Linalg.Svdvals, m);
            GradientCheck.CheckGrads(x =>
            {
                var (u, s, vh) = Jnp.Linalg.Svd(x[0], fullMatrices: false);
                return [Jnp.Square(u), s, Jnp.Square(vh)];
            }, [m]);
        }
    });

    [Fact]
    public void Jit_and_vmap_agree_with_batched_calls() => WithX64(() =>
    {
        var (a, _) = Symmetric(41, DType.Float64, 3, 5, 5);
        var w = Jnp.Linalg.Eigvalsh(a);
        Close(Jax.Jit(x => Jnp.Linalg.Eigvalsh(x))(a), w, 1e-12, "jit eigvalsh");
        Close(Jax.Vmap(x => Jnp.Linalg.Eigvalsh(x))(a), w, 1e-12, "vmap eigvalsh");
        var (m, _) = Pair(Uniform(42, 3, 4, 3), DType.Float64, 3, 4, 3);
        var s = Jnp.Linalg.Svdvals(m);
        Close(Jax.Jit(Jnp.Linalg.Svdvals)(m), s, 1e-12, "jit svdvals");
        Close(Jax.Vmap(Jnp.Linalg.Svdvals)(m), s, 1e-12, "vmap svdvals");
        Close(Jax.Vmap(Jax.Grad(x => Jnp.Sum(Jnp.Linalg.Svdvals(x))))(m)[2], Jax.Grad(x => Jnp.Sum(Jnp.Linalg.Svdvals(x)))(m[2]), 1e-12, "vmap grad");
    });

    [Fact]
    public void A_256_matrix_traces_to_a_small_program()
    {
        var a = Jnp.Zeros([256, 256]);
        foreach (var f in new Func<Tensor, Tensor>[] { x => Jnp.Linalg.Eigvalsh(x), Jnp.Linalg.Svdvals, Jnp.Linalg.Inv, x => Jnp.Linalg.Cholesky(x), x => Jnp.Linalg.Qr(x).R })
        {
            var text = Jax.MakeJaxpr(f, a);
            Assert.True(text.Split('\n').Length < 1500, $"{text.Split('\n').Length} lines");
        }
    }

    [Fact]
    public void Bad_arguments_are_errors()
    {
        var e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Eigh(Jnp.Zeros([2, 3])));
        Assert.Contains("float32[2,3]", e.Message);
        Assert.Throws<ArgumentException>(() => Jnp.Linalg.Eigh(Jnp.Eye(2), "X"));
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Svd(Jnp.Zeros([4])));
        Assert.Throws<ArgumentNullException>(() => Jnp.Linalg.Svdvals(null!));
    }
}
