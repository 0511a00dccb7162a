using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// The LAPACK custom calls JAX's CPU lowering of <c>jnp.linalg.cholesky</c>, <c>lu</c> (solve, inv, det), <c>qr</c>,
/// <c>svd</c> and <c>eigh</c> emits (written as JAX prints
/// them, backend config and layouts included): LAPACK's outputs from our linear algebra; other LAPACK targets are
/// unsupported operations naming the target.
/// </summary>
public class LinalgCustomCallTests
{
    private static readonly Tensor Spd = Jnp.Array(new[,] { { 4f, 9, 9 }, { 2, 5, 9 }, { 1, 3, 6 } });

    private static string Potrf(string uplo) => $$"""
        module @jit_cholesky {
          func.func public @main(%arg0: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<i32>) {
            %0:2 = stablehlo.custom_call @lapack_spotrf_ffi(%arg0) {mhlo.backend_config = {uplo = {{uplo}} : ui8}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<> : tensor<0xindex>]} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<i32>)
            return %0#0, %0#1 : tensor<3x3xf32>, tensor<i32>
          }
        }
        """;

    [Fact]
    public void Potrf_writes_the_factor_over_its_triangle_and_keeps_the_other()
    {
        // The lower triangle describes [[4, 2, 1], [2, 5, 3], [1, 3, 6]]; the upper one holds 9s that must not be read.
        var outs = Jax.Load(Potrf("76")).Call(Spd);
        var symmetric = Jnp.Array(new[,] { { 4f, 2, 1 }, { 2, 5, 3 }, { 1, 3, 6 } });
        var l = Jnp.Linalg.Cholesky(symmetric);
        LoadTests.AssertClose(Jnp.Tril(l) + Jnp.Triu(Spd, 1), outs[0]);
        Assert.Equal(0, outs[1].Item<int>());
        // uplo 'U' reads the upper triangle: a matrix of 9s off the diagonal is not positive definite.
        var upper = Jax.Load(Potrf("85")).Call(Spd);
        Assert.NotEqual(0, upper[1].Item<int>());
        var notPositive = Jax.Load(Potrf("76")).Call(Jnp.Array(new[,] { { 1f, 0, 0 }, { 2, 1, 0 }, { 0, 0, 1 } }));
        Assert.NotEqual(0, notPositive[1].Item<int>());
    }

    [Fact]
    public void Syevd_gives_eigenvectors_eigenvalues_and_info()
    {
        var outs = Jax.Load("""
            func.func public @main(%arg0: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>, tensor<i32>) {
              %0:3 = stablehlo.custom_call @lapack_ssyevd_ffi(%arg0) {mhlo.backend_config = {mode = 86 : ui8, uplo = 76 : ui8}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>, dense<> : tensor<0xindex>]} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>, tensor<i32>)
              return %0#0, %0#1, %0#2 : tensor<3x3xf32>, tensor<3xf32>, tensor<i32>
            }
            """).Call(Spd);
        var symmetric = Jnp.Array(new[,] { { 4f, 2, 1 }, { 2, 5, 3 }, { 1, 3, 6 } });
        LoadTests.AssertClose(Jnp.Linalg.Eigvalsh(symmetric), outs[1], 1e-4);
        // A v = v diag(w), whatever the eigenvectors' signs.
        LoadTests.AssertClose(Jnp.Matmul(symmetric, outs[0]), Jnp.Multiply(outs[0], outs[1]), 1e-4);
        Assert.Equal(0, outs[2].Item<int>());
    }

    private static string Getrf(int n) => Getrf(n, n);

    private static string Getrf(int m, int n) => $$"""
        func.func public @main(%arg0: tensor<{{m}}x{{n}}xf32>) -> (tensor<{{m}}x{{n}}xf32>, tensor<{{Math.Min(m, n)}}xi32>, tensor<i32>) {
          %0:3 = stablehlo.custom_call @lapack_sgetrf_ffi(%arg0) {mhlo.backend_config = {}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>, dense<> : tensor<0xindex>]} : (tensor<{{m}}x{{n}}xf32>) -> (tensor<{{m}}x{{n}}xf32>, tensor<{{Math.Min(m, n)}}xi32>, tensor<i32>)
          return %0#0, %0#1, %0#2 : tensor<{{m}}x{{n}}xf32>, tensor<{{Math.Min(m, n)}}xi32>, tensor<i32>
        }
        """;

    /// <summary>
    /// Tall and wide matrices (jax.lax.linalg.lu of m x n): min(m, n) interchanges; L (m x k, unit lower) times U
    /// (k x n, upper) is the matrix with the interchanges applied, and every multiplier is at most 1 in magnitude.
    /// </summary>
    [Theory]
    [InlineData(4, 3)]
    [InlineData(2, 3)]
    public void Getrf_of_rectangular_matrices_factors_them(int m, int n)
    {
        var a = Jax.Random.Normal(Jax.Random.PRNGKey(m * 10 + n), [m, n]);
        var outs = Jax.Load(Getrf(m, n)).Call(a);
        int k = Math.Min(m, n);
        var packed = outs[0].ToArray<float>();
        var ipiv = outs[1].ToArray<int>();
        Assert.Equal(k, ipiv.Length);
        Assert.Equal(0, outs[2].Item<int>());
        var rows = Enumerable.Range(0, m).ToArray();
        for (int step = 0; step < k; step++) (rows[step], rows[ipiv[step] - 1]) = (rows[ipiv[step] - 1], rows[step]);
        var source = a.ToArray<float>();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int t = 0; t < k; t++)
                {
                    double l = i == t ? 1 : i > t ? packed[i * n + t] : 0;
                    double u = t <= j ? packed[t * n + j] : 0;
                    sum += l * u;
                }
                Assert.True(Math.Abs(sum - source[rows[i] * n + j]) < 1e-5, $"(LU)[{i},{j}] = {sum}, (PA)[{i},{j}] = {source[rows[i] * n + j]}");
                if (i > j && j < k) Assert.True(Math.Abs(packed[i * n + j]) <= 1 + 1e-6, $"multiplier [{i},{j}] = {packed[i * n + j]}");
            }
    }

    [Fact]
    public void Getrf_gives_lapack_s_factors_interchanges_and_info()
    {
        // Worked by hand with LAPACK's partial pivoting: rows 0 and 2 swap, then rows 1 and 2.
        var outs = Jax.Load(Getrf(3)).Call(Jnp.Array(new[,] { { 1f, 2, 3 }, { 4, 5, 6 }, { 7, 8, 10 } }));
        LoadTests.AssertClose(Jnp.Array(new[,] { { 7f, 8, 10 }, { 1 / 7f, 6 / 7f, 11 / 7f }, { 4 / 7f, 0.5f, -0.5f } }), outs[0], 1e-5);
        Assert.Equal(new[] { 3, 3, 3 }, outs[1].ToArray<int>());
        Assert.Equal(0, outs[2].Item<int>());
        // A singular matrix: U's second diagonal element is zero.
        var singular = Jax.Load(Getrf(2)).Call(Jnp.Array(new[,] { { 1f, 2 }, { 2, 4 } }));
        Assert.Equal(new[] { 2, 2 }, singular[1].ToArray<int>());
        Assert.Equal(2, singular[2].Item<int>());
    }

    [Fact]
    public void Geqrf_and_orgqr_give_lapack_s_householder_form_and_q()
    {
        var outs = Jax.Load("""
            func.func public @main(%arg0: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xf32>) {
              %0:2 = stablehlo.custom_call @lapack_sgeqrf_ffi(%arg0) {mhlo.backend_config = {}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>]} : (tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2xf32>)
              %1 = stablehlo.custom_call @lapack_sorgqr_ffi(%0#0, %0#1) {mhlo.backend_config = {}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>]} : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
              return %0#0, %0#1, %1 : tensor<2x2xf32>, tensor<2xf32>, tensor<2x2xf32>
            }
            """).Call(Jnp.Array(new[,] { { 3f, 1 }, { 4, 2 } }));
        // dlarfg by hand: β = -5, τ = 1.6, v = (1, 0.5); the last 1x1 step has τ = 0.
        LoadTests.AssertClose(Jnp.Array(new[,] { { -5f, -2.2f }, { 0.5f, 0.4f } }), outs[0]);
        LoadTests.AssertClose(Jnp.Array(new[] { 1.6f, 0 }), outs[1]);
        LoadTests.AssertClose(Jnp.Array(new[,] { { -0.6f, -0.8f }, { -0.8f, 0.6f } }), outs[2]);
    }

    [Fact]
    public void Gesdd_gives_singular_values_and_vectors_in_full_and_reduced_modes()
    {
        var a = Jnp.Array(new[,] { { 3f, 1, 2 }, { 4, 2, 0 } });
        foreach (var (mode, uShape, vtShape) in new[] { ("65", "2x2", "3x3"), ("83", "2x2", "2x3") })
        {
            var outs = Jax.Load($$$"""
                func.func public @main(%arg0: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<{{{uShape}}}xf32>, tensor<{{{vtShape}}}xf32>, tensor<i32>) {
                  %0:5 = stablehlo.custom_call @lapack_sgesdd_ffi(%arg0) {mhlo.backend_config = {mode = {{{mode}}} : ui8}} : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<{{{uShape}}}xf32>, tensor<{{{vtShape}}}xf32>, tensor<i32>)
                  return %0#1, %0#2, %0#3, %0#4 : tensor<2xf32>, tensor<{{{uShape}}}xf32>, tensor<{{{vtShape}}}xf32>, tensor<i32>
                }
                """).Call(a);
            LoadTests.AssertClose(Jnp.Linalg.Svd(a).S, outs[0], 1e-4);
            // U diag(s) Vᵀ[:2] is a.
            var vt = Jnp.Reshape(outs[2], -1, 3)[..2];
            LoadTests.AssertClose(a, Jnp.Matmul(Jnp.Multiply(outs[1], outs[0]), vt), 1e-4);
            Assert.Equal(0, outs[3].Item<int>());
        }
        // Mode N (svd(compute_uv=False), norms, cond): the singular values; U and Vᵀ are placeholders of their declared types.
        var values = Jax.Load("""
            func.func public @main(%arg0: tensor<2x3xf32>) -> tensor<2xf32> {
              %0:5 = stablehlo.custom_call @lapack_sgesdd_ffi(%arg0) {mhlo.backend_config = {mode = 78 : ui8}} : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<0x0xf32>, tensor<0x0xf32>, tensor<i32>)
              return %0#1 : tensor<2xf32>
            }
            """).Invoke(a);
        LoadTests.AssertClose(Jnp.Linalg.Svd(a).S, values, 1e-4);
    }

    [Fact]
    public void Other_lapack_targets_are_unsupported_operations_naming_them()
    {
        var e = Assert.Throws<StableHloImportException>(() => Jax.Load("""
            func.func public @main(%arg0: tensor<3x3xf32>) -> tensor<3x3xf32> {
              %0:2 = stablehlo.custom_call @lapack_sgeev_ffi(%arg0) {mhlo.backend_config = {}} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>)
              return %0#0 : tensor<3x3xf32>
            }
            """));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
        Assert.Contains("lapack_sgeev_ffi", e.Message);
    }
}
