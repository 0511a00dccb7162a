using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>
/// Reductions folded by their body (a body that is no reduce op, several inputs) give the same numbers on the
/// interpreter, the LLVM CPU backend and Vulkan: the fold's calls of batched bodies, slices and pads compile everywhere.
/// </summary>
public sealed class FoldedReductionTests
{
    private const string Module = """
        func.func @main() -> (tensor<3xf32>, tensor<3xi32>, tensor<2x3xf32>) {
          %x = stablehlo.constant dense<[[1.0, -2.0, 0.5, 3.0, -1.5], [0.25, 4.0, -3.0, 2.0, 1.0], [-0.5, -0.75, 2.5, 1.5, 0.0]]> : tensor<3x5xf32>
          %i = stablehlo.iota dim = 1 : tensor<3x5xi32>
          %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %zero = stablehlo.constant dense<0> : tensor<i32>
          %fzero = stablehlo.constant dense<0.000000e+00> : tensor<f32>
          %0 = "stablehlo.reduce"(%x, %fzero) <{dimensions = array<i64: 1>}> ({
          ^bb0(%a: tensor<f32>, %b: tensor<f32>):
            %s = stablehlo.add %a, %b : tensor<f32>
            %p = stablehlo.multiply %a, %b : tensor<f32>
            %r = stablehlo.add %s, %p : tensor<f32>
            stablehlo.return %r : tensor<f32>
          }) : (tensor<3x5xf32>, tensor<f32>) -> tensor<3xf32>
          %1:2 = stablehlo.reduce(%x init: %ninf), (%i init: %zero) across dimensions = [1] : (tensor<3x5xf32>, tensor<3x5xi32>, tensor<f32>, tensor<i32>) -> (tensor<3xf32>, tensor<3xi32>)
           reducer(%a0: tensor<f32>, %b0: tensor<f32>) (%a1: tensor<i32>, %b1: tensor<i32>)  {
            %2 = stablehlo.maximum %a0, %b0 : tensor<f32>
            %3 = stablehlo.add %a1, %b1 : tensor<i32>
            stablehlo.return %2, %3 : tensor<f32>, tensor<i32>
          }
          %4:2 = "stablehlo.reduce_window"(%x, %x, %ninf, %ninf) <{padding = dense<[[0, 0], [1, 1]]> : tensor<2x2xi64>, window_dimensions = array<i64: 2, 3>, window_strides = array<i64: 1, 2>}> ({
          ^bb0(%k0: tensor<f32>, %v0: tensor<f32>, %k1: tensor<f32>, %v1: tensor<f32>):
            %5 = stablehlo.compare  GE, %k0, %k1,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
            %6 = stablehlo.select %5, %k0, %k1 : tensor<i1>, tensor<f32>
            %7 = stablehlo.negate %v1 : tensor<f32>
            %8 = stablehlo.select %5, %v0, %7 : tensor<i1>, tensor<f32>
            stablehlo.return %6, %8 : tensor<f32>, tensor<f32>
          }) : (tensor<3x5xf32>, tensor<3x5xf32>, tensor<f32>, tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
          return %0, %1#1, %4#0 : tensor<3xf32>, tensor<3xi32>, tensor<2x3xf32>
        }
        """;

    [Fact]
    public void EveryBackendFoldsTheSame()
    {
        var f = StableHloImporter.ImportFunction(Module);
        var expected = Interpreter.Run(f);
        // a + b + ab is (1 + a)(1 + b) - 1: each row's product of (1 + x) less 1; the sum of the column indices 0..4;
        // the 2x3 windows' maxima (padding is -inf).
        float[][] x = [[1f, -2, 0.5f, 3, -1.5f], [0.25f, 4, -3, 2, 1], [-0.5f, -0.75f, 2.5f, 1.5f, 0]];
        var products = expected[0].ToArray<float>();
        for (int r = 0; r < 3; r++) Assert.Equal(x[r].Aggregate(1.0, (p, v) => p * (1 + v)) - 1, products[r], 1e-5);
        Assert.Equal([10, 10, 10], expected[1].ToArray<int>());
        Assert.Equal([4f, 4, 3, 4, 4, 2], expected[2].ToArray<float>());
        foreach (var other in new[] { CompiledRuns.RunFunction(f), VulkanRuns.RunFunction(f) })
        {
            if (other is null) continue;
            for (int k = 0; k < expected.Length; k++)
            {
                var (e, a) = (expected[k].ToArray(), other[k].ToArray());
                Assert.Equal(e.Length, a.Length);
                for (int i = 0; i < e.Length; i++)
                    Assert.Equal(Convert.ToDouble(e.GetValue(i)), Convert.ToDouble(a.GetValue(i)), 1e-5);
            }
        }
    }
}
