using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Api.Linalg.LinalgOracle;

namespace JaxToolchain.Runtime.Tests.Api.Linalg;

/// <summary>Lax.Linalg.TriangularSolve and Jax.Scipy.Linalg.SolveTriangular against torch.linalg.solve_triangular.</summary>
public class TriangularSolveTests
{
    [Theory, MemberData(nameof(Floats), MemberType = typeof(LinalgOracle))]
    public void Every_flag_combination_matches_torch_and_reads_only_the_triangle(DType dtype) => WithX64(() =>
    {
        // The other triangle holds large values that must not be read.
        var (a, ta) = WellConditioned(1, dtype, 2, 4, 4);
        var (bl, tbl) = Pair(Uniform(2, 2, 4, 3), dtype, 2, 4, 3);
        var (br, tbr) = Pair(Uniform(3, 2, 3, 4), dtype, 2, 3, 4);
        foreach (bool left in new[] { true, false })
            foreach (bool lower in new[] { true, false })
                foreach (bool trans in new[] { true, false })
                    foreach (bool unit in new[] { true, false })
                    {
                        // torch has no transpose flag: solve with aᵀ, whose triangle is the other one.
                        var tEff = trans ? ta.mT : ta;
                        bool upperEff = trans ? lower : !lower;
                        var expected = torch.linalg.solve_triangular(tEff, left ? tbl : tbr, upper: upperEff, left: left, unitriangular: unit);
                        var actual = Lax.Linalg.TriangularSolve(a, left ? bl : br, leftSide: left, lower: lower, transposeA: trans, unitDiagonal: unit);
                        Close(actual, expected, Tol(dtype), $"left={left} lower={lower} trans={trans} unit={unit}");
                    }
    });

    [Fact]
    public void Scipy_solve_triangular_accepts_vectors_and_trans_letters() => WithX64(() =>
    {
        var (a, ta) = WellConditioned(4, DType.Float64, 5, 5);
        var (b, tb) = Pair(Uniform(5, 5), DType.Float64, 5);
        var x = Jax.Scipy.Linalg.SolveTriangular(a, b, lower: true);
        Close(x, torch.linalg.solve_triangular(ta, tb.unsqueeze(-1), upper: false).squeeze(-1), 1e-12);
        var xt = Jax.Scipy.Linalg.SolveTriangular(a, b, "T");
        Close(xt, torch.linalg.solve_triangular(ta.mT, tb.unsqueeze(-1), upper: false).squeeze(-1), 1e-12);
        Close(Jax.Scipy.Linalg.SolveTriangular(a, b, 2), xt, 0);
        // Integers are promoted to the default float.
        var xi = Jax.Scipy.Linalg.SolveTriangular(Jnp.Array(new[,] { { 2, 0 }, { 1, 1 } }), Jnp.Array(new[] { 4, 3 }), lower: true);
        Assert.Equal(DType.Float64, xi.DType);
        Assert.Equal(new[] { 2.0, 1.0 }, xi.ToArray<double>());
    });

    [Fact]
    public void Derivatives_match_finite_differences() => WithX64(() =>
    {
        var (a, _) = WellConditioned(6, DType.Float64, 3, 3);
        var (b, _) = Pair(Uniform(7, 3, 2), DType.Float64, 3, 2);
        var (br, _) = Pair(Uniform(8, 2, 3), DType.Float64, 2, 3);
        GradientCheck.CheckGrads(x => [Lax.Linalg.TriangularSolve(x[0], x[1], leftSide: true, lower: true)], [a, b]);
        GradientCheck.CheckGrads(x => [Lax.Linalg.TriangularSolve(x[0], x[1], transposeA: true, unitDiagonal: true)], [a, br]);
        GradientCheck.CheckGrads(x => [Jax.Scipy.Linalg.SolveTriangular(x[0], x[1], trans: 1)], [a, b]);
    });

    [Fact]
    public void Jit_and_vmap_agree_with_eager_calls() => WithX64(() =>
    {
        var (a, _) = WellConditioned(9, DType.Float64, 3, 4, 4);
        var (b, _) = Pair(Uniform(10, 3, 4, 2), DType.Float64, 3, 4, 2);
        var eager = Lax.Linalg.TriangularSolve(a, b, leftSide: true, lower: true);
        Close(Jax.Jit((x, y) => Lax.Linalg.TriangularSolve(x, y, leftSide: true, lower: true))(a, b), eager, 1e-12, "jit");
        Close(Jax.Vmap((x, y) => Lax.Linalg.TriangularSolve(x, y, leftSide: true, lower: true), (0, 0))(a, b), eager, 1e-12, "vmap");
    });

    [Fact]
    public void Bad_shapes_and_dtypes_are_errors_naming_both_arrays()
    {
        var e = Assert.Throws<JaxTypeException>(() => Lax.Linalg.TriangularSolve(Jnp.Eye(3), Jnp.Zeros([4, 2]), leftSide: true));
        Assert.Contains("float32[3,3]", e.Message);
        Assert.Contains("float32[4,2]", e.Message);
        Assert.Contains("TriangularSolveTests.cs", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Lax.Linalg.TriangularSolve(Jnp.Eye(3), Jnp.Zeros([2, 3], DType.Int32)));
        Assert.Contains("int32[2,3]", e.Message);
        Assert.Throws<JaxTypeException>(() => Lax.Linalg.TriangularSolve(Jnp.Zeros([2, 3]), Jnp.Zeros([2, 3])));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jax.Scipy.Linalg.SolveTriangular(Jnp.Eye(2), Jnp.Zeros([2]), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jax.Scipy.Linalg.SolveTriangular(Jnp.Eye(2), Jnp.Zeros([2]), "X"));
        Assert.Throws<ArgumentNullException>(() => Lax.Linalg.TriangularSolve(Jnp.Eye(2), null!));
    }
}
