using static JaxToolchain.Ir.Tests.Transforms.AdNumerics;
using static JaxToolchain.Ir.Tests.Transforms.IrGolden;

namespace JaxToolchain.Ir.Tests.Transforms;

public class LinearizeTests
{
    public LinearizeTests() => AdTestPrims.EnsureRegistered();

    internal const string SinTimesX = """
        func @f(%0: f64[3]) -> (f64[3]) {
          %1 = test.ad_sin %0 : f64[3]
          %2 = test.ad_mul %1, %0 : f64[3]
          return %2
        }
        """;

    /// <summary>(sin(x) y + cos(x y), x y).</summary>
    internal const string TwoByTwo = """
        func @g(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
          %2 = test.ad_sin %0 : f64[3]
          %3 = test.ad_mul %2, %1 : f64[3]
          %4 = test.ad_mul %0, %1 : f64[3]
          %5 = test.ad_cos %4 : f64[3]
          %6 = test.ad_add %3, %5 : f64[3]
          return %6, %4
        }
        """;

    internal const string ThroughRegion = """
        func @f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
          %2 = test.ad_call %0, %1 (%3: f64[3], %4: f64[3]) {
            %5 = test.ad_sin %3 : f64[3]
            %6 = test.ad_mul %5, %4 : f64[3]
            return %6
          } : f64[3]
          %7 = test.ad_cos %2 : f64[3]
          return %7
        }
        """;

    /// <summary>Checks the primal function against f and the linear one against central differences.</summary>
    private static void AssertLinearizationMatches(Function f, bool[] differentiable, int seed)
    {
        var split = Autodiff.Linearize(f, differentiable);
        Verifier.Verify(split.Primal);
        Verifier.Verify(split.Linear);
        var x = Random(f.ParameterTypes, seed);
        var tangents = Random(f.ParameterTypes.Where((_, i) => differentiable[i]), seed + 1);
        int k = 0;
        var direction = differentiable.Select(d => d ? tangents[k++] : null).ToArray();
        var primal = Interpreter.Run(split.Primal, x);
        var y = Interpreter.Run(f, x);
        Assert.Equal(y.Length + split.NumResiduals, primal.Length);
        for (int r = 0; r < y.Length; r++) Assert.True(y[r].BitwiseEquals(primal[r]), $"primal result {r} differs from f's");
        var linear = Interpreter.Run(split.Linear, [.. primal.Skip(y.Length), .. tangents]);
        var fd = CentralDifference(f, x, direction);
        for (int r = 0; r < y.Length; r++) AssertClose(fd[r], linear[r], 1e-7, $"tangent of result {r}");
    }

    [Fact]
    public void Linearize_splits_known_work_into_the_primal_function_and_tangent_work_into_the_linear_one()
    {
        var split = Autodiff.Linearize(IrParser.ParseFunction(SinTimesX), [true]);
        // sin and cos run once, in the primal; the linear part only multiplies by residuals cos x, x and sin x.
        AssertIr("""
            func @primal_f(%0: f64[3]) -> (f64[3], f64[3], f64[3], f64[3]) {
              %1 = test.ad_sin %0 : f64[3]
              %2 = test.ad_cos %0 : f64[3]
              %3 = test.ad_mul %1, %0 : f64[3]
              return %3, %2, %0, %1
            }
            """, split.Primal);
        AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3], %2: f64[3], %3: f64[3]) -> (f64[3]) {
              %4 = test.ad_mul %3, %0 : f64[3]
              %5 = test.ad_mul %4, %1 : f64[3]
              %6 = test.ad_mul %2, %3 : f64[3]
              %7 = test.ad_add %5, %6 : f64[3]
              return %7
            }
            """, split.Linear);
        Assert.Equal(3, split.NumResiduals);
        AssertLinearizationMatches(IrParser.ParseFunction(SinTimesX), [true], seed: 3);
    }

    [Fact]
    public void Linearize_passes_a_value_used_twice_as_one_residual()
    {
        var split = Autodiff.Linearize(IrParser.ParseFunction("""
            func @f(%0: f64[3]) -> (f64[3]) {
              %1 = test.ad_mul %0, %0 : f64[3]
              return %1
            }
            """), [true]);
        AssertIr("""
            func @primal_f(%0: f64[3]) -> (f64[3], f64[3]) {
              %1 = test.ad_mul %0, %0 : f64[3]
              return %1, %0
            }
            """, split.Primal);
        AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = test.ad_mul %1, %0 : f64[3]
              %3 = test.ad_mul %0, %1 : f64[3]
              %4 = test.ad_add %2, %3 : f64[3]
              return %4
            }
            """, split.Linear);
    }

    [Fact]
    public void Linearize_merges_residuals_that_simplification_makes_equal()
    {
        // Each sin asks for its own cos x; CSE makes them one value, passed once.
        var split = Autodiff.Linearize(IrParser.ParseFunction("""
            func @f(%0: f64[3]) -> (f64[3]) {
              %1 = test.ad_sin %0 : f64[3]
              %2 = test.ad_sin %0 : f64[3]
              %3 = test.ad_add %1, %2 : f64[3]
              return %3
            }
            """), [true]);
        AssertIr("""
            func @primal_f(%0: f64[3]) -> (f64[3], f64[3]) {
              %1 = test.ad_sin %0 : f64[3]
              %2 = test.ad_cos %0 : f64[3]
              %3 = test.ad_add %1, %1 : f64[3]
              return %3, %2
            }
            """, split.Primal);
        AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = test.ad_mul %1, %0 : f64[3]
              %3 = test.ad_add %2, %2 : f64[3]
              return %3
            }
            """, split.Linear);
    }

    [Fact]
    public void Linearize_re_emits_constants_in_the_linear_function_instead_of_passing_them()
    {
        var split = Autodiff.Linearize(IrParser.ParseFunction("""
            func @f(%0: f64[3]) -> (f64[3]) {
              %1 = constant {value = dense<f64[]: [2.5]>} : f64[]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <3>} : f64[3]
              %3 = test.ad_mul %0, %2 : f64[3]
              %4 = test.ad_sin %3 : f64[3]
              return %4
            }
            """), [true]);
        Assert.Equal(1, split.NumResiduals);
        AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = constant {value = dense<f64[]: [2.5]>} : f64[]
              %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <3>} : f64[3]
              %4 = test.ad_mul %1, %3 : f64[3]
              %5 = test.ad_mul %4, %0 : f64[3]
              return %5
            }
            """, split.Linear);
    }

    [Fact]
    public void Linearize_gives_zero_tangents_for_results_independent_of_the_differentiable_inputs()
    {
        var split = Autodiff.Linearize(IrParser.ParseFunction("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2 = test.ad_mul %0, %1 : f64[3]
              %3 = test.ad_cos %1 : f64[3]
              return %2, %3
            }
            """), [true, false]);
        AssertIr("""
            func @primal_f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3], f64[3]) {
              %2 = test.ad_mul %0, %1 : f64[3]
              %3 = test.ad_cos %1 : f64[3]
              return %2, %3, %1
            }
            """, split.Primal);
        AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2 = test.ad_mul %1, %0 : f64[3]
              %3 = constant {value = dense<f64[]: [0.0]>} : f64[]
              %4 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <3>} : f64[3]
              return %2, %4
            }
            """, split.Linear);
    }

    [Fact]
    public void Linearize_matches_central_differences()
    {
        var g = IrParser.ParseFunction(TwoByTwo);
        AssertLinearizationMatches(g, [true, true], seed: 5);
        AssertLinearizationMatches(g, [false, true], seed: 6);
        AssertLinearizationMatches(g, [true, false], seed: 7);
    }

    [Fact]
    public void Linearize_through_a_region_computes_the_primal_on_the_primal_side()
    {
        var split = Autodiff.Linearize(IrParser.ParseFunction(ThroughRegion), [true, false]);
        // The region's JVP carries primal and tangent results together; the primal side runs the original
        // operation for the primal, the linear side the JVP'd one for the tangent.
        AssertIr("""
            func @primal_f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3], f64[3], f64[3]) {
              %2 = test.ad_call %0, %1 (%3: f64[3], %4: f64[3]) {
                %5 = test.ad_sin %3 : f64[3]
                %6 = test.ad_mul %5, %4 : f64[3]
                return %6
              } : f64[3]
              %7 = test.ad_cos %2 : f64[3]
              %8 = test.ad_sin %2 : f64[3]
              %9 = test.ad_neg %8 : f64[3]
              return %7, %0, %1, %9
            }
            """, split.Primal);
        AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3], %2: f64[3], %3: f64[3]) -> (f64[3]) {
              %4, %5 = test.ad_call %0, %1, %3 (%6: f64[3], %7: f64[3], %8: f64[3]) {
                %9 = test.ad_sin %6 : f64[3]
                %10 = test.ad_cos %6 : f64[3]
                %11 = test.ad_mul %8, %10 : f64[3]
                %12 = test.ad_mul %9, %7 : f64[3]
                %13 = test.ad_mul %11, %7 : f64[3]
                return %12, %13
              } : f64[3], f64[3]
              %14 = test.ad_mul %5, %2 : f64[3]
              return %14
            }
            """, split.Linear);
        AssertLinearizationMatches(IrParser.ParseFunction(ThroughRegion), [true, false], seed: 8);
        AssertLinearizationMatches(IrParser.ParseFunction(ThroughRegion), [true, true], seed: 9);
    }

    [Fact]
    public void Linearize_leaves_its_input_unchanged()
    {
        var f = IrParser.ParseFunction(TwoByTwo);
        string before = IrPrinter.Print(f);
        Autodiff.Linearize(f, [true, true]);
        Autodiff.Vjp(f, [true, true]);
        Assert.Equal(before, IrPrinter.Print(f));
    }

    [Fact]
    public void Linearize_rejects_an_integer_input_marked_differentiable()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: i32[3]) -> (i32[3]) {
              return %0
            }
            """);
        var e = Assert.Throws<JaxTypeException>(() => Autodiff.Linearize(f, [true]));
        Assert.Equal("linearize: parameter 0 of @f is int32[3]: only floating-point inputs can be differentiated", e.Message);
    }
}
