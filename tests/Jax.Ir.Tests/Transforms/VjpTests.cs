using static JaxToolchain.Ir.Tests.Transforms.AdNumerics;
using static JaxToolchain.Ir.Tests.Transforms.IrGolden;

namespace JaxToolchain.Ir.Tests.Transforms;

public class VjpTests
{
    public VjpTests() => AdTestPrims.EnsureRegistered();

    /// <summary>Runs the VJP of f at x with cotangents c: (f(x), x̄ for the differentiable inputs).</summary>
    internal static (Buffer[] Y, Buffer[] Cotangents) RunVjp(VjpFunctions vjp, int numResults, Buffer[] x, Buffer[] c)
    {
        Verifier.Verify(vjp.Forward);
        Verifier.Verify(vjp.Backward);
        var forward = Interpreter.Run(vjp.Forward, x);
        Assert.Equal(numResults + vjp.NumResiduals, forward.Length);
        return (forward.Take(numResults).ToArray(), Interpreter.Run(vjp.Backward, [.. forward.Skip(numResults), .. c]));
    }

    /// <summary>
    /// Checks the VJP of f against central differences, element by element: x̄_i = ∂⟨c, f(x)⟩/∂x_i, and the
    /// duality ⟨jvp(t), c⟩ = ⟨t, vjp(c)⟩ with the JVP pass.
    /// </summary>
    internal static void AssertVjpMatches(Function f, bool[] differentiable, int seed, double tol = 1e-7)
    {
        var vjp = Autodiff.Vjp(f, differentiable);
        var x = Random(f.ParameterTypes, seed);
        var c = Random(f.ResultTypes, seed + 1);
        var (y, xbar) = RunVjp(vjp, f.ResultTypes.Count, x, c);
        var expectedY = Interpreter.Run(f, x);
        for (int r = 0; r < y.Length; r++) Assert.True(expectedY[r].BitwiseEquals(y[r]), $"forward result {r} differs from f's");

        var inputs = Enumerable.Range(0, x.Length).Where(i => differentiable[i]).ToArray();
        Assert.Equal(inputs.Length, xbar.Length);
        for (int k = 0; k < inputs.Length; k++)
        {
            int p = inputs[k];
            var expected = new double[x[p].Length];
            for (int i = 0; i < expected.Length; i++)
            {
                var unit = Buffer.Zeros(x[p].DType, x[p].Shape);
                unit.SetDouble(i, 1);
                var direction = x.Select((_, j) => j == p ? unit : null).ToArray();
                expected[i] = CentralDifference(f, x, direction).Select((d, r) => d.Select((v, e) => v * c[r].GetDouble(e)).Sum()).Sum();
            }
            AssertClose(expected, xbar[k], tol, $"cotangent of input {p}");
        }

        var t = Random(inputs.Select(i => f.ParameterTypes[i]), seed + 2);
        var jvp = Interpreter.Run(JvpPass.Apply(f, differentiable), [.. x, .. t]).Skip(y.Length).ToArray();
        double lhs = Dot(jvp, c), rhs = Dot(t, xbar);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-12 * (1 + Math.Abs(lhs)), $"<jvp(t), c> = {lhs} but <t, vjp(c)> = {rhs}");
    }

    [Fact]
    public void Vjp_of_sin_times_x_is_a_forward_function_and_a_backward_one_over_its_residuals()
    {
        var vjp = Autodiff.Vjp(IrParser.ParseFunction(LinearizeTests.SinTimesX), [true]);
        AssertIr("""
            func @fwd_f(%0: f64[3]) -> (f64[3], f64[3], f64[3], f64[3]) {
              %1 = test.ad_sin %0 : f64[3]
              %2 = test.ad_cos %0 : f64[3]
              %3 = test.ad_mul %1, %0 : f64[3]
              return %3, %2, %0, %1
            }
            """, vjp.Forward);
        // x̄ = sin(x) ȳ + (ȳ x) cos(x).
        AssertIr("""
            func @bwd_f(%0: f64[3], %1: f64[3], %2: f64[3], %3: f64[3]) -> (f64[3]) {
              %4 = test.ad_mul %2, %3 : f64[3]
              %5 = test.ad_mul %3, %1 : f64[3]
              %6 = test.ad_mul %5, %0 : f64[3]
              %7 = add %4, %6 : f64[3]
              return %7
            }
            """, vjp.Backward);
        double[] x = [0.3, -1.2, 2.0], c = [1, -2, 0.5];
        var (_, xbar) = RunVjp(vjp, 1, [Buffer.Of(x)], [Buffer.Of(c)]);
        Assert.Equal(x.Select((v, i) => Math.Sin(v) * c[i] + c[i] * v * Math.Cos(v)), xbar[0].Span<double>().ToArray());
    }

    [Fact]
    public void Vjp_matches_central_differences_and_the_jvp()
    {
        var g = IrParser.ParseFunction(LinearizeTests.TwoByTwo);
        AssertVjpMatches(g, [true, true], seed: 21);
        AssertVjpMatches(g, [true, false], seed: 22);
        AssertVjpMatches(g, [false, true], seed: 23);
    }

    [Fact]
    public void Vjp_drops_residuals_the_backward_function_does_not_need_and_zeros_inputs_without_cotangent()
    {
        var vjp = Autodiff.Vjp(IrParser.ParseFunction("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = test.ad_sin %0 : f64[3]
              return %2
            }
            """), [true, true]);
        AssertIr("""
            func @fwd_f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2 = test.ad_sin %0 : f64[3]
              %3 = test.ad_cos %0 : f64[3]
              return %2, %3
            }
            """, vjp.Forward);
        AssertIr("""
            func @bwd_f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2 = test.ad_mul %1, %0 : f64[3]
              %3 = constant {value = dense<f64[]: [0.0]>} : f64[]
              %4 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <3>} : f64[3]
              return %2, %4
            }
            """, vjp.Backward);
    }

    [Fact]
    public void Vjp_through_a_region_transposes_the_region()
    {
        var f = IrParser.ParseFunction(LinearizeTests.ThroughRegion);
        var vjp = Autodiff.Vjp(f, [true, false]);
        // The transposed region keeps only the tangent path: (x, y, ct) -> ct y cos(x).
        AssertIr("""
            func @bwd_f(%0: f64[3], %1: f64[3], %2: f64[3], %3: f64[3]) -> (f64[3]) {
              %4 = test.ad_mul %3, %2 : f64[3]
              %5 = constant {value = dense<f64[]: [0.0]>} : f64[]
              %6 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <3>} : f64[3]
              %7 = test.ad_call %0, %1, %6, %4 (%8: f64[3], %9: f64[3], %10: f64[3], %11: f64[3]) {
                %12 = test.ad_cos %8 : f64[3]
                %13 = test.ad_mul %11, %9 : f64[3]
                %14 = test.ad_mul %13, %12 : f64[3]
                return %14
              } : f64[3]
              return %7
            }
            """, vjp.Backward);
        AssertVjpMatches(f, [true, false], seed: 31);
        AssertVjpMatches(f, [true, true], seed: 32);
    }

    [Fact]
    public void Grad_inlines_forward_and_backward_with_a_unit_cotangent()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f64[], %1: f64[]) -> (f64[]) {
              %2 = test.ad_sin %0 : f64[]
              %3 = test.ad_mul %2, %1 : f64[]
              %4 = test.ad_mul %0, %1 : f64[]
              %5 = test.ad_cos %4 : f64[]
              %6 = test.ad_add %3, %5 : f64[]
              return %6
            }
            """);
        var grad = Autodiff.Grad(f, [true, true]);
        Verifier.Verify(grad);
        Assert.Equal("grad_f", grad.Name);
        foreach (var (x, y) in new[] { (0.7, -1.3), (2.0, 0.25), (-0.4, 3.0) })
        {
            var g = Interpreter.Run(grad, Buffer.Scalar(x), Buffer.Scalar(y));
            // d/dx (sin(x) y + cos(x y)) = cos(x) y - sin(x y) y; d/dy = sin(x) - sin(x y) x.
            Assert.Equal(Math.Cos(x) * y - Math.Sin(x * y) * y, g[0].GetDouble(0), 14);
            Assert.Equal(Math.Sin(x) - Math.Sin(x * y) * x, g[1].GetDouble(0), 14);
        }
    }

    [Fact]
    public void Grad_rejects_a_function_without_one_scalar_result()
    {
        var e = Assert.Throws<JaxTypeException>(() => Autodiff.Grad(IrParser.ParseFunction(LinearizeTests.SinTimesX), [true]));
        Assert.Equal("grad: @f must return one floating-point scalar to be differentiated, got (float64[3])", e.Message);
    }
}
