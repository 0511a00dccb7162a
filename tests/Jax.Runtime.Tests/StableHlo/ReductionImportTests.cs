using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// <c>reduce</c> and <c>reduce_window</c> whose body is not one reduce op, or which take several inputs: folded by the
/// body. Checked against the same computation written with <c>Jnp</c>/<c>Lax</c>, eagerly and under <c>Jax.Jit</c>
/// (the LLVM CPU backend), and under <c>grad</c>/<c>jvp</c>.
/// </summary>
public class ReductionImportTests
{
    /// <summary>A row-wise log-sum-exp written as a reduce whose body is logaddexp (max(a, b) + log1p(exp(-|a - b|))).</summary>
    private static string LogAddExpReduce(int rows, int columns) => $$"""
        func.func public @main(%arg0: tensor<{{rows}}x{{columns}}xf32>) -> tensor<{{rows}}xf32> {
          %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %0 = "stablehlo.reduce"(%arg0, %cst) <{dimensions = array<i64: 1>}> ({
          ^bb0(%a: tensor<f32>, %b: tensor<f32>):
            %m = stablehlo.maximum %a, %b : tensor<f32>
            %d = stablehlo.subtract %a, %b : tensor<f32>
            %ad = stablehlo.abs %d : tensor<f32>
            %n = stablehlo.negate %ad : tensor<f32>
            %e = stablehlo.exponential %n : tensor<f32>
            %l = stablehlo.log_plus_one %e : tensor<f32>
            %r = stablehlo.add %m, %l : tensor<f32>
            stablehlo.return %r : tensor<f32>
          }) : (tensor<{{rows}}x{{columns}}xf32>, tensor<f32>) -> tensor<{{rows}}xf32>
          return %0 : tensor<{{rows}}xf32>
        }
        """;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 5)]
    [InlineData(2, 8)]
    [InlineData(2, 37)]
    public void A_reduce_with_a_body_of_its_own_folds_by_it(int rows, int columns)
    {
        var module = Jax.Load(LogAddExpReduce(rows, columns));
        var x = Jnp.Reshape(Jnp.Linspace(-3f, 4f, rows * columns), rows, columns);
        var expected = Jax.Scipy.Special.Logsumexp(x, [1]);
        LoadTests.AssertClose(expected, module.Invoke(x));
        LoadTests.AssertClose(expected, Jax.Jit(module.AsFunction())(x));
        // The fold is differentiable: the gradient of log-sum-exp is the softmax.
        LoadTests.AssertClose(Nn.Softmax(x, 1), Jax.Grad((Tensor v) => Jnp.Sum(module.Invoke(v)))(x), 1e-5);
    }

    /// <summary><c>lax.reduce</c> over a pair of arrays: the body returns (max of the firsts, sum of the seconds).</summary>
    [Fact]
    public void A_variadic_reduce_folds_every_input()
    {
        const string text = """
            func.func public @main(%arg0: tensor<5x3xf32>, %arg1: tensor<5x3xi32>) -> (tensor<3xf32>, tensor<3xi32>) {
              %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
              %c = stablehlo.constant dense<0> : tensor<i32>
              %0:2 = stablehlo.reduce(%arg0 init: %cst), (%arg1 init: %c) across dimensions = [0] : (tensor<5x3xf32>, tensor<5x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<3xf32>, tensor<3xi32>)
               reducer(%a0: tensor<f32>, %b0: tensor<f32>) (%a1: tensor<i32>, %b1: tensor<i32>)  {
                %1 = stablehlo.maximum %a0, %b0 : tensor<f32>
                %2 = stablehlo.add %a1, %b1 : tensor<i32>
                stablehlo.return %1, %2 : tensor<f32>, tensor<i32>
              }
              return %0#0, %0#1 : tensor<3xf32>, tensor<3xi32>
            }
            """;
        var module = Jax.Load(text);
        var x = Jax.Random.Normal(Jax.Random.PRNGKey(3), [5, 3]);
        var y = Jnp.Reshape(Jnp.Arange(15), 5, 3);
        var r = module.Call(x, y);
        LoadTests.AssertClose(Jnp.Max(x, axis: 0), r[0]);
        Assert.Equal(Jnp.Sum(y, axis: 0).ToArray<int>(), r[1].ToArray<int>());
    }

    /// <summary>
    /// JAX's <c>_select_and_gather_add</c> as it lowers on CPU (the forward-mode derivative of max pooling): a
    /// reduce_window over (operand, tangent) whose body keeps the pair with the larger operand. Its result is the
    /// tangent of max pooling, which <c>Jax.Jvp</c> of <c>Lax.ReduceWindow</c> also gives.
    /// </summary>
    [Fact]
    public void A_variadic_reduce_window_is_the_tangent_of_max_pooling()
    {
        const string text = """
            func.func public @main(%arg0: tensor<5x7xf32>, %arg1: tensor<5x7xf32>) -> tensor<3x4xf32> {
              %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
              %cst_0 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %0:2 = "stablehlo.reduce_window"(%arg0, %arg1, %cst, %cst_0) <{padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>, window_dimensions = array<i64: 3, 3>, window_strides = array<i64: 2, 2>}> ({
              ^bb0(%arg2: tensor<f32>, %arg3: tensor<f32>, %arg4: tensor<f32>, %arg5: tensor<f32>):
                %1 = stablehlo.compare  GE, %arg2, %arg4,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %2 = stablehlo.select %1, %arg2, %arg4 : tensor<i1>, tensor<f32>
                %3 = stablehlo.select %1, %arg3, %arg5 : tensor<i1>, tensor<f32>
                stablehlo.return %2, %3 : tensor<f32>, tensor<f32>
              }) : (tensor<5x7xf32>, tensor<5x7xf32>, tensor<f32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<3x4xf32>)
              return %0#1 : tensor<3x4xf32>
            }
            """;
        var module = Jax.Load(text);
        var keys = Jax.Random.Split(Jax.Random.PRNGKey(11), 2);
        var x = Jax.Random.Normal(keys[0], [5, 7]);
        var t = Jax.Random.Normal(keys[1], [5, 7]);
        var (_, expected) = Jax.Jvp(v => Lax.ReduceWindow(v, Jnp.Array(float.NegativeInfinity), Lax.Max, [3, 3], [2, 2], [(1, 1), (1, 1)]), x, t);
        LoadTests.AssertClose(expected, module.Invoke(x, t));
        LoadTests.AssertClose(expected, Jax.Jit(module.AsArrayFunction())([x, t])[0]);
    }

    /// <summary>A sliding window with a body that is no reduce op (max(|a|, |b|)), base and window dilations.</summary>
    [Fact]
    public void A_reduce_window_with_a_body_of_its_own_matches_lax_reduce_window()
    {
        const string text = """
            func.func public @main(%arg0: tensor<2x9xf32>) -> tensor<2x7xf32> {
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %0 = "stablehlo.reduce_window"(%arg0, %cst) <{base_dilations = array<i64: 1, 2>, padding = dense<[[0, 0], [1, 0]]> : tensor<2x2xi64>, window_dilations = array<i64: 1, 2>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 2>}> ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %1 = stablehlo.abs %a : tensor<f32>
                %2 = stablehlo.abs %b : tensor<f32>
                %3 = stablehlo.maximum %1, %2 : tensor<f32>
                stablehlo.return %3 : tensor<f32>
              }) : (tensor<2x9xf32>, tensor<f32>) -> tensor<2x7xf32>
              return %0 : tensor<2x7xf32>
            }
            """;
        var module = Jax.Load(text);
        var x = Jax.Random.Normal(Jax.Random.PRNGKey(5), [2, 9]);
        var expected = Lax.ReduceWindow(Jnp.Abs(x), Jnp.Array(0f), Lax.Max, [1, 3], [1, 2], [(0, 0), (1, 0)], [1, 2], [1, 2]);
        LoadTests.AssertClose(expected, module.Invoke(x));
        LoadTests.AssertClose(expected, Jax.Jit(module.AsFunction())(x));
    }

    /// <summary>A window of more positions than are unrolled, with a body of its own, is refused naming the op and its position.</summary>
    [Fact]
    public void A_huge_window_with_a_body_of_its_own_is_a_clear_error()
    {
        const string text = """
            func.func public @main(%arg0: tensor<5000xf32>) -> tensor<1xf32> {
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %0 = "stablehlo.reduce_window"(%arg0, %cst) <{window_dimensions = array<i64: 5000>}> ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %1 = stablehlo.subtract %a, %b : tensor<f32>
                stablehlo.return %1 : tensor<f32>
              }) : (tensor<5000xf32>, tensor<f32>) -> tensor<1xf32>
              return %0 : tensor<1xf32>
            }
            """;
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportFunction(text));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
        Assert.Equal("stablehlo.reduce_window", e.OperationName);
        Assert.Contains("5000 window positions", e.Message);
        Assert.Contains("3:", e.Message);
    }
}
