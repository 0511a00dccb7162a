namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// The <c>chlo</c> ops JAX lowers to that no primitive of ours is, in the pretty forms JAX prints them: the
/// elementwise ones against the same functions in <c>Jnp</c> and <c>Jax.Scipy.Special</c>, <c>top_k</c> against a sort.
/// </summary>
public class ChloImportTests
{
    public static TheoryData<string, string> Unary() => new()
    {
        { "asin", "arcsin" }, { "acos", "arccos" }, { "atan", "arctan" }, { "sinh", "sinh" }, { "cosh", "cosh" },
        { "asinh", "arcsinh" }, { "acosh", "arccosh" }, { "atanh", "arctanh" }, { "bessel_i0e", "i0e" }, { "bessel_i1e", "i1e" },
    };

    private static Tensor Reference(string name, Tensor x) => name switch
    {
        "arcsin" => Jnp.Arcsin(x),
        "arccos" => Jnp.Arccos(x),
        "arctan" => Jnp.Arctan(x),
        "sinh" => Jnp.Sinh(x),
        "cosh" => Jnp.Cosh(x),
        "arcsinh" => Jnp.Arcsinh(x),
        "arccosh" => Jnp.Arccosh(x),
        "arctanh" => Jnp.Arctanh(x),
        "i0e" => Jax.Scipy.Special.I0e(x),
        _ => Jax.Scipy.Special.I1e(x),
    };

    [Theory]
    [MemberData(nameof(Unary))]
    public void Elementwise_chlo_ops_compute_what_jnp_computes(string op, string reference)
    {
        var module = Jax.Load($$"""
            func.func public @main(%arg0: tensor<5xf32>) -> tensor<5xf32> {
              %0 = chlo.{{op}} %arg0 : tensor<5xf32> -> tensor<5xf32>
              return %0 : tensor<5xf32>
            }
            """);
        // In every function's domain (arccosh: x >= 1, so the inputs are shifted there).
        var x = op == "acosh" ? Jnp.Array([1f, 1.5f, 2, 4, 10]) : Jnp.Array([-0.9f, -0.3f, 0, 0.4f, 0.8f]);
        LoadTests.AssertClose(Reference(reference, x), module.Invoke(x), 1e-6);
        LoadTests.AssertClose(Reference(reference, x), Jax.Jit(module.AsFunction())(x), 1e-5);
    }

    [Fact]
    public void Binary_and_predicate_chlo_ops()
    {
        var module = Jax.Load("""
            func.func public @main(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>) {
              %0 = chlo.polygamma %arg0, %arg1 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
              %1 = chlo.zeta %arg1, %arg1 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
              %2 = "chlo.is_inf"(%arg1) : (tensor<4xf32>) -> tensor<4xi1>
              %3 = chlo.is_neg_inf %arg1 : tensor<4xf32> -> tensor<4xi1>
              return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>
            }
            """);
        var n = Jnp.Array([0f, 1, 2, 3]);
        var x = Jnp.Array([1.5f, 2, 3.5f, 5]);
        var r = module.Call(n, x);
        LoadTests.AssertClose(Jax.Scipy.Special.Polygamma(n, x), r[0], 1e-5);
        LoadTests.AssertClose(Jax.Scipy.Special.Zeta(x, x), r[1], 1e-5);
        var special = Jnp.Array([1f, float.PositiveInfinity, float.NegativeInfinity, float.NaN]);
        var flags = module.Call(n, special);
        Assert.Equal([false, true, true, false], flags[2].ToArray<bool>());
        Assert.Equal([false, false, true, false], flags[3].ToArray<bool>());
    }

    /// <summary>lax.top_k: the k largest along the last axis, larger first, ties to the lower index.</summary>
    [Fact]
    public void Top_k_gives_the_largest_values_and_their_indices()
    {
        var module = Jax.Load("""
            func.func public @main(%arg0: tensor<2x5xf32>, %arg1: tensor<6xi32>) -> (tensor<2x3xf32>, tensor<2x3xi32>, tensor<2xi32>, tensor<2xi32>) {
              %values, %indices = chlo.top_k(%arg0, k = 3) : tensor<2x5xf32> -> (tensor<2x3xf32>, tensor<2x3xi32>)
              %0:2 = "chlo.top_k"(%arg1) {k = 2 : i64} : (tensor<6xi32>) -> (tensor<2xi32>, tensor<2xi32>)
              return %values, %indices, %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xi32>, tensor<2xi32>, tensor<2xi32>
            }
            """);
        var x = Jnp.Array(new[,] { { 1f, 5, 3, 5, -2 }, { -1, -0.5f, -3, 0, 2 } });
        var ints = Jnp.Array([3, int.MinValue, 7, int.MaxValue, 7, 0]);
        foreach (var r in new[] { module.Call(x, ints), Jax.Jit(module.AsArrayFunction())([x, ints]) })
        {
            Assert.Equal([5f, 5, 3, 2, 0, -0.5f], r[0].ToArray<float>());
            Assert.Equal([1, 3, 2, 4, 3, 1], r[1].ToArray<int>());
            Assert.Equal([int.MaxValue, 7], r[2].ToArray<int>());
            Assert.Equal([3, 2], r[3].ToArray<int>());
        }
    }
}
