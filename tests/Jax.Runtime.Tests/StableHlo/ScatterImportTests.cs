using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// <c>stablehlo.scatter</c> with update regions other than replace and add (multiply, min, max, a custom
/// computation): repeated indices combine in order, out-of-bounds windows are skipped, windows scatter whole rows, and
/// the gradient flows to the updates.
/// </summary>
public class ScatterImportTests
{
    private static string Module(string body, string operand, string indices, string updates, string numbers) => $$"""
        func.func @main(%operand: tensor<{{operand}}>, %indices: tensor<{{indices}}>, %updates: tensor<{{updates}}>) -> tensor<{{operand}}> {
          %result = "stablehlo.scatter"(%operand, %indices, %updates) ({
            ^bb0(%a: tensor<f32>, %b: tensor<f32>):
              {{body}}
              stablehlo.return %0 : tensor<f32>
          }) {
            scatter_dimension_numbers = #stablehlo.scatter<{{numbers}}>,
            indices_are_sorted = false,
            unique_indices = false
          } : (tensor<{{operand}}>, tensor<{{indices}}>, tensor<{{updates}}>) -> tensor<{{operand}}>
          func.return %result : tensor<{{operand}}>
        }
        """;

    private const string Elements = "inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1";

    private static StableHloModule Elementwise(string body) => Jax.Load(Module(body, "5xf32", "4x1xi32", "4xf32", Elements));

    private static readonly Tensor Operand = Jnp.Array(new[] { 1f, 2, 3, 4, 5 });
    private static readonly Tensor Indices = Jnp.Array(new[,] { { 1 }, { 3 }, { 1 }, { 7 } });

    [Fact]
    public void Multiply_min_and_max_combine_repeated_indices_and_skip_out_of_bounds_ones()
    {
        var updates = Jnp.Array(new[] { 10f, 20, 30, 40 });
        Assert.Equal(new[] { 1f, 600, 3, 80, 5 }, Elementwise("%0 = stablehlo.multiply %a, %b : tensor<f32>").Invoke(Operand, Indices, updates).ToArray<float>());
        Assert.Equal(new[] { 1f, 2, 3, 4, 5 }, Elementwise("%0 = stablehlo.minimum %a, %b : tensor<f32>").Invoke(Operand, Indices, updates).ToArray<float>());
        Assert.Equal(new[] { 1f, 30, 3, 20, 5 }, Elementwise("%0 = stablehlo.maximum %a, %b : tensor<f32>").Invoke(Operand, Indices, updates).ToArray<float>());
        // A computation that is not commutative runs in the order of the updates: (2 * 2 + 10) * 2 + 30.
        Assert.Equal(new[] { 1f, 58, 3, 28, 5 }, Elementwise("""
            %two = stablehlo.constant dense<2.0> : tensor<f32>
                  %1 = stablehlo.multiply %a, %two : tensor<f32>
                  %0 = stablehlo.add %1, %b : tensor<f32>
            """).Invoke(Operand, Indices, updates).ToArray<float>());
    }

    [Fact]
    public void Windows_scatter_whole_rows()
    {
        var model = Jax.Load(Module("%0 = stablehlo.maximum %a, %b : tensor<f32>", "3x4xf32", "3x1xi32", "3x4xf32",
            "update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1"));
        var updates = Jnp.Array(new[,] { { 1f, -1, 5, 0 }, { 2, 2, 2, 2 }, { 3, -3, 0, 7 } });
        var result = model.Invoke(Jnp.Zeros([3, 4]), Jnp.Array(new[,] { { 0 }, { 2 }, { 0 } }), updates);
        Assert.Equal(new[] { 3f, 0, 5, 7, 0, 0, 0, 0, 2, 2, 2, 2 }, result.ToArray<float>());
    }

    [Fact]
    public void The_gradient_flows_to_the_updates_and_the_operand()
    {
        var model = Elementwise("%0 = stablehlo.multiply %a, %b : tensor<f32>");
        var updates = Jnp.Array(new[] { 10f, 20, 30, 40 });
        // result[1] = 2 * u0 * u2, result[3] = 4 * u1; u3 is out of bounds.
        var du = Jax.Grad((Tensor u) => Jnp.Sum(model.Invoke(Operand, Indices, u)))(updates);
        Assert.Equal(new[] { 60f, 4, 20, 0 }, du.ToArray<float>());
        var dx = Jax.Grad((Tensor x) => Jnp.Sum(model.Invoke(x, Indices, updates)))(Operand);
        Assert.Equal(new[] { 1f, 300, 1, 20, 1 }, dx.ToArray<float>());
        // Jitted, the same numbers.
        Assert.Equal(new[] { 1f, 600, 3, 80, 5 }, Jax.Jit((Tensor u) => model.Invoke(Operand, Indices, u))(updates).ToArray<float>());
    }

    [Fact]
    public void A_region_that_reads_values_from_outside_is_an_unsupported_operation()
    {
        var e = Assert.Throws<StableHloImportException>(() => Jax.Load("""
            func.func @main(%operand: tensor<5xf32>, %indices: tensor<4x1xi32>, %updates: tensor<4xf32>, %k: tensor<f32>) -> tensor<5xf32> {
              %result = "stablehlo.scatter"(%operand, %indices, %updates) ({
                ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                  %0 = stablehlo.multiply %a, %k : tensor<f32>
                  stablehlo.return %0 : tensor<f32>
              }) {scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>} : (tensor<5xf32>, tensor<4x1xi32>, tensor<4xf32>) -> tensor<5xf32>
              func.return %result : tensor<5xf32>
            }
            """));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
    }
}
