using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Api.Linalg.LinalgOracle;

namespace JaxToolchain.Runtime.Tests.Api.Linalg;

/// <summary>Pinv, MatrixRank, Lstsq, Cond, MultiDot and the array-API helpers against torch.linalg.</summary>
public class DerivedTests
{
    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Pinv_matches_torch(DType dtype) => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 5, 3 }, [3, 5], [2, 4, 4] })
        {
            var (a, t) = Pair(Uniform(shape.Sum(), shape), dtype, shape);
            Close(Jnp.Linalg.Pinv(a), torch.linalg.pinv(t, null, null), Tol(dtype) * 10, string.Join("x", shape));
        }
        // Singular values below the cutoff are dropped.
        var singular = Jnp.Array(new[,] { { 1.0, 2.0 }, { 2.0, 4.0 } }, dtype);
        Close(Jnp.Linalg.Pinv(singular), Jnp.Divide(Jnp.Array(new[,] { { 1.0, 2.0 }, { 2.0, 4.0 } }, dtype), 25), Tol(dtype));
    });

    [Fact]
    public void Pinv_and_lstsq_derivatives_match_finite_differences() => WithX64(() =>
    {
        foreach (var shape in new[] { new[] { 4, 3 }, [3, 4] })
        {
            var (a, _) = Pair(Uniform(shape.Sum() + 50, shape), DType.Float64, shape);
            GradientCheck.CheckGrads(x => Jnp.Linalg.Pinv(x), a);
        }
        var (m, _) = Pair(Uniform(60, 5, 3), DType.Float64, 5, 3);
        var (b, _) = Pair(Uniform(61, 5), DType.Float64, 5);
        GradientCheck.CheckGrads(x => [Jnp.Linalg.Lstsq(x[0], x[1]).Solution], [m, b]);
    });

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Matrix_rank_matches_torch(DType dtype) => WithX64(() =>
    {
        foreach (int r in new[] { 0, 1, 2, 3 })
        {
            var (b, tb) = Pair(Uniform(r + 70, 2, 4, 3), dtype, 2, 4, 3);
            var mask = Jnp.Less(Jnp.Arange(3), r);
            var low = Jnp.Matmul(Jnp.Where(mask, b, 0), Jnp.Swapaxes(Jnp.Where(mask, b, 0), -1, -2));
            var expected = torch.linalg.matrix_rank(ToTorch(low).to_type(TorchType(dtype)), null, null, false);
            Assert.Equal(Oracle.Torch.ToDoubles(expected), Jnp.Linalg.MatrixRank(low).ToArray<double>());
        }
        Assert.Equal(1, Jnp.Linalg.MatrixRank(Jnp.Array(new[] { 0f, 2f })).Item<int>());
        Assert.Equal(0, Jnp.Linalg.MatrixRank(Jnp.Eye(3), rtol: 2).Item<long>());
    });

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Lstsq_matches_torch(DType dtype) => WithX64(() =>
    {
        var (a, ta) = Pair(Uniform(80, 6, 3), dtype, 6, 3);
        var (b, tb) = Pair(Uniform(81, 6, 2), dtype, 6, 2);
        var (x, resid, rank, s) = Jnp.Linalg.Lstsq(a, b);
        Close(x, torch.linalg.lstsq(ta, tb).Item1, Tol(dtype) * 10, "solution");
        Close(resid, Jnp.Sum(Jnp.Square(Jnp.Subtract(b, Jnp.Matmul(a, x))), 0), Tol(dtype), "residuals");
        Assert.Equal(3, rank.Item<long>());
        Close(s, torch.linalg.svdvals(ta), Tol(dtype), "singular values");
        var (xv, rv, _, _) = Jnp.Linalg.Lstsq(a, b[.., 0]);
        Close(xv, x[.., 0], Tol(dtype), "vector b");
        Assert.Equal([1L], rv.Shape.Sizes);
        // NumPy's residuals: full rank and m > n keeps them; rank deficiency or m <= n empties them.
        Assert.Equal([2L], Jnp.Linalg.Lstsq(a, b, numpyResid: true).Residuals.Shape.Sizes);
        var deficient = Jnp.Concatenate([a[.., ..2], a[.., ..1]], 1);
        Assert.Equal([0L], Jnp.Linalg.Lstsq(deficient, b, numpyResid: true).Residuals.Shape.Sizes);
        Assert.Equal([2L], Jnp.Linalg.Lstsq(deficient, b).Residuals.Shape.Sizes);
        Assert.Throws<JaxTypeException>(() => Jax.Jit(m => Jnp.Linalg.Lstsq(m, b, numpyResid: true).Solution)(a));
        // Underdetermined: the minimum-norm solution.
        var (wide, twide) = Pair(Uniform(82, 2, 4), dtype, 2, 4);
        Close(Jnp.Linalg.Lstsq(wide, b[..2, 0]).Solution, torch.linalg.pinv(twide, null, null).matmul(tb[..2, 0]), Tol(dtype) * 10, "minimum norm");
    });

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Cond_matches_torch_in_every_norm(DType dtype) => WithX64(() =>
    {
        var (a, t) = WellConditioned(90, dtype, 2, 4, 4);
        Close(Jnp.Linalg.Cond(a), torch.linalg.cond(t), Tol(dtype) * 10, "2");
        foreach (double p in new[] { 2, -2, 1, -1, double.PositiveInfinity, double.NegativeInfinity })
            Close(Jnp.Linalg.Cond(a, p), torch.linalg.cond(t, p), Tol(dtype) * 10, $"p={p}");
        foreach (var p in new[] { "fro", "nuc" })
            Close(Jnp.Linalg.Cond(a, p), torch.linalg.cond(t, p), Tol(dtype) * 10, p);
        var (r, tr) = Pair(Uniform(91, 3, 5), dtype, 3, 5);
        Close(Jnp.Linalg.Cond(r), torch.linalg.cond(tr), Tol(dtype) * 10, "rectangular");
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Cond(r, 1));
    });

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Norms_match_torch(DType dtype) => WithX64(() =>
    {
        var (x, t) = Pair(Uniform(100, 2, 3, 4), dtype, 2, 3, 4);
        double tol = Tol(dtype);
        Close(Jnp.Linalg.Norm(x), TorchVectorNorm(t, 2, null, false), tol, "default");
        foreach (double ord in new[] { 2, 1, 0, 3, 0.5, -1, double.PositiveInfinity, double.NegativeInfinity })
        {
            Close(Jnp.Linalg.Norm(x, ord, 1), TorchVectorNorm(t, ord, [1], false), tol, $"vector {ord}");
            Close(Jnp.Linalg.Norm(x, ord, [-1], keepdims: true), TorchVectorNorm(t, ord, [-1], true), tol, $"vector {ord} keepdims");
        }
        foreach (double ord in new[] { 1, -1, 2, -2, double.PositiveInfinity, double.NegativeInfinity })
            foreach (var axes in new[] { new[] { 1, 2 }, [2, 0] })
                foreach (bool keep in new[] { false, true })
                    Close(Jnp.Linalg.Norm(x, ord, axes, keep), torch.linalg.matrix_norm(t, ord, [.. axes.Select(a => (long)a)], keep), tol, $"matrix {ord} {axes[0]},{axes[1]} {keep}");
        foreach (var ord in new[] { "fro", "nuc" })
        {
            Close(Jnp.Linalg.Norm(x, ord, [0, 2]), torch.linalg.matrix_norm(t, ord, [0, 2], false), tol, ord);
            Close(Jnp.Linalg.MatrixNorm(x, ord: ord), torch.linalg.matrix_norm(t, ord, [-2, -1], false), tol, $"matrix_norm {ord}");
        }
        Close(Jnp.Linalg.MatrixNorm(x, 2.0, keepdims: true), torch.linalg.matrix_norm(t, 2, [-2, -1], true), tol, "matrix_norm 2");
        Close(Jnp.Linalg.VectorNorm(x, ord: 1), TorchVectorNorm(t, 1, null, false), tol, "vector_norm");
        Close(Jnp.Linalg.VectorNorm(x, [0, 2], ord: 3), TorchVectorNorm(t, 3, [0, 2], false), tol, "vector_norm over two axes");
        var v = x[0, 0];
        Close(Jnp.Linalg.Norm(v, 1), TorchVectorNorm(t[0, 0], 1, null, false), tol, "1-D with ord");
        Close(Jnp.Linalg.Norm(x[0], double.PositiveInfinity), torch.linalg.matrix_norm(t[0], double.PositiveInfinity, [-2, -1], false), tol, "2-D with ord");
    });

    /// <summary>
    /// The vector norm of torch.linalg.norm with one dimension (over several: those moved last and flattened). Not
    /// torch.linalg.vector_norm: TorchSharp 0.107 passes its order as a temporary Scalar that nothing keeps alive during
    /// the native call, so a collection at the wrong moment frees it and libtorch fails with "Unknown scalar type".
    /// </summary>
    private static torch.Tensor TorchVectorNorm(torch.Tensor t, double ord, long[]? dims, bool keepdim)
    {
        if (dims is null) return torch.linalg.norm(t.flatten(), ord, [0], false);
        if (dims.Length == 1) return torch.linalg.norm(t, ord, dims, keepdim);
        if (keepdim) throw new ArgumentException("keepdim over several dimensions is not needed here", nameof(keepdim));
        var reduced = dims.Select(d => d < 0 ? d + t.dim() : d).ToHashSet();
        var kept = Enumerable.Range(0, (int)t.dim()).Select(d => (long)d).Where(d => !reduced.Contains(d)).ToArray();
        var moved = t.permute([.. kept, .. reduced.Order()]);
        return torch.linalg.norm(moved.reshape([.. kept.Select(d => t.shape[d]), -1]), ord, [-1], false);
    }

    [Fact]
    public void Norm_rejects_bad_orders_and_axes()
    {
        var x = Jnp.Ones([2, 3, 4]);
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Norm(x, "fro", [1]));
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Norm(x, 3, [0, 1]));
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Norm(x, "max", [0, 1]));
        var e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Norm(x, 2));
        Assert.Contains("float32[2,3,4]", e.Message);
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Norm(x, (double?)null, [0, 1, 2]));
        Assert.Throws<ArgumentNullException>(() => Jnp.Linalg.Norm(x, (string)null!));
    }

    [Fact]
    public void Norm_gradients_match_finite_differences() => WithX64(() =>
    {
        var (x, _) = Pair(Uniform(110, 3, 4), DType.Float64, 3, 4);
        GradientCheck.CheckGrads(v => Jnp.Linalg.Norm(v), x);
        GradientCheck.CheckGrads(v => Jnp.Linalg.Norm(v, "nuc"), x);
        GradientCheck.CheckGrads(v => Jnp.Linalg.Norm(v, 3, 1), x);
        GradientCheck.CheckGrads(v => Jnp.Linalg.Cond(v), x);
    });

    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Multi_dot_matches_torch(DType dtype) => WithX64(() =>
    {
        var (a, ta) = Pair(Uniform(120, 3, 8), dtype, 3, 8);
        var (b, tb) = Pair(Uniform(121, 8, 2), dtype, 8, 2);
        var (c, tc) = Pair(Uniform(122, 2, 6), dtype, 2, 6);
        var (v, tv) = Pair(Uniform(123, 3), dtype, 3);
        var (w, tw) = Pair(Uniform(124, 6), dtype, 6);
        Close(Jnp.Linalg.MultiDot([a, b, c]), torch.linalg.multi_dot([ta, tb, tc]), Tol(dtype), "matrices");
        Close(Jnp.Linalg.MultiDot([v, a, b, c, w]), torch.linalg.multi_dot([tv, ta, tb, tc, tw]), Tol(dtype), "vector ends");
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.MultiDot([a]));
        var e = Assert.Throws<JaxTypeException>(() => Jnp.Linalg.MultiDot([a, c]));
        Assert.Contains("[3,8]", e.Message);
        Assert.Contains("[2,6]", e.Message);
    });

    [Fact]
    public void Array_api_helpers_match_definitions() => WithX64(() =>
    {
        var (x, t) = Pair(Uniform(130, 2, 3, 4), DType.Float64, 2, 3, 4);
        foreach (int offset in new[] { -2, -1, 0, 1, 3 })
        {
            Close(Jnp.Linalg.Diagonal(x, offset), t.diagonal(offset, -2, -1), 0, $"diagonal {offset}");
            Close(Jnp.Linalg.Trace(x, offset), t.diagonal(offset, -2, -1).sum(-1), 1e-12, $"trace {offset}");
        }
        Assert.Equal([2L, 0L], Jnp.Linalg.Diagonal(x, 5).Shape.Sizes);
        Assert.Equal(DType.Int32, Jnp.Linalg.Diagonal(Jnp.Ones([3, 3], DType.Int32)).DType);
        var (u, tu) = Pair(Uniform(131, 3), DType.Float64, 3);
        var (v, tv) = Pair(Uniform(132, 4), DType.Float64, 4);
        Close(Jnp.Linalg.Outer(u, v), torch.outer(tu, tv), 0, "outer");
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Outer(x, v));
        var (p, tp) = Pair(Uniform(133, 2, 3), DType.Float64, 2, 3);
        var (q, tq) = Pair(Uniform(134, 3), DType.Float64, 3);
        Close(Jnp.Linalg.Cross(p, q), torch.linalg.cross(tp, tq.expand(2, 3)), 1e-15, "cross");
        Close(Jnp.Linalg.Cross(Jnp.Swapaxes(p, 0, 1), Jnp.ExpandDims(q, 1), axis: 0), torch.linalg.cross(tp, tq.expand(2, 3)).mT, 1e-15, "cross axis 0");
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Cross(x, x));
        Close(Jnp.Linalg.Vecdot(x, x[0, 0]), (t * t[0, 0]).sum(-1), 1e-12, "vecdot");
        Close(Jnp.Linalg.Vecdot(x, x, axis: 1), (t * t).sum(1), 1e-12, "vecdot axis 1");
        Assert.Throws<JaxTypeException>(() => Jnp.Linalg.Vecdot(x, u));
    });
}
