using static JaxToolchain.Ir.Tests.Transforms.IrGolden;

namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>Reverse mode with the real primitives' rules: golden IR of derived programs and their values.</summary>
public class GradTests
{
    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Grad_of_sum_logistic_is_logistic_times_one_minus_logistic_with_no_tangent_work_left()
    {
        var f = IrParser.ParseFunction("""
            func @sum_logistic(%0: f32[3]) -> (f32[]) {
              %1 = logistic %0 : f32[3]
              %2 = reduce_sum %1 {axes = [0]} : f32[]
              return %2
            }
            """);
        var vjp = Autodiff.Vjp(f, [true]);
        AssertIr("""
            func @fwd_sum_logistic(%0: f32[3]) -> (f32[], f32[3]) {
              %1 = logistic %0 : f32[3]
              %2 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %4 = sub %3, %1 : f32[3]
              %5 = mul %1, %4 : f32[3]
              %6 = reduce_sum %1 {axes = [0]} : f32[]
              return %6, %5
            }
            """, vjp.Forward);
        AssertIr("""
            func @bwd_sum_logistic(%0: f32[3], %1: f32[]) -> (f32[3]) {
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %3 = mul %2, %0 : f32[3]
              return %3
            }
            """, vjp.Backward);
        // With ȳ = 1 the broadcast and the multiplication by one fold away.
        var grad = Autodiff.Grad(f, [true]);
        AssertIr("""
            func @grad_sum_logistic(%0: f32[3]) -> (f32[3]) {
              %1 = logistic %0 : f32[3]
              %2 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %4 = sub %3, %1 : f32[3]
              %5 = mul %1, %4 : f32[3]
              return %5
            }
            """, grad);
        float[] x = [-2.5f, 0f, 1.75f];
        var g = Interpreter.Run(grad, Buffer.Of(x))[0].Span<float>().ToArray();
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(Logistic(x[i]) * (1 - Logistic(x[i])), g[i], 1e-6);
    }

    private const string Layer = """
        func @layer(%0: f32[2,3], %1: f32[3], %2: f32[2]) -> (f32[]) {
          %3 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[2]
          %4 = add %3, %2 : f32[2]
          %5 = tanh %4 : f32[2]
          %6 = reduce_sum %5 {axes = [0]} : f32[]
          return %6
        }
        """;

    [Fact]
    public void Vjp_of_an_mlp_layer_gives_the_outer_product_for_the_weights_and_the_activation_slope_for_the_bias()
    {
        var vjp = Autodiff.Vjp(IrParser.ParseFunction(Layer), [true, false, true]);
        // Residuals: x (for W̄ = s ⊗ x) and the slope s = (1 + tanh)(1 - tanh); the forward computes them once.
        AssertIr("""
            func @fwd_layer(%0: f32[2,3], %1: f32[3], %2: f32[2]) -> (f32[], f32[3], f32[2]) {
              %3 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[2]
              %4 = add %3, %2 : f32[2]
              %5 = tanh %4 : f32[2]
              %6 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %7 = broadcast_in_dim %6 {broadcast_dimensions = [], shape = <2>} : f32[2]
              %8 = add %7, %5 : f32[2]
              %9 = sub %7, %5 : f32[2]
              %10 = mul %8, %9 : f32[2]
              %11 = reduce_sum %5 {axes = [0]} : f32[]
              return %11, %1, %10
            }
            """, vjp.Forward);
        AssertIr("""
            func @bwd_layer(%0: f32[3], %1: f32[2], %2: f32[]) -> (f32[2,3], f32[2]) {
              %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <2>} : f32[2]
              %4 = mul %3, %1 : f32[2]
              %5 = dot_general %4, %0 {lhs_batch_dims = [], lhs_contracting_dims = [], rhs_batch_dims = [], rhs_contracting_dims = []} : f32[2,3]
              return %5, %4
            }
            """, vjp.Backward);

        float[] w = [0.5f, -1f, 0.25f, 2f, 0.1f, -0.3f], x = [1f, -2f, 0.5f], b = [0.2f, -0.4f];
        var forward = Interpreter.Run(vjp.Forward, Buffer.Of(w, 2, 3), Buffer.Of(x), Buffer.Of(b));
        var cts = Interpreter.Run(vjp.Backward, forward[1], forward[2], Buffer.Scalar(1.5f));
        for (int i = 0; i < 2; i++)
        {
            double z = b[i] + Enumerable.Range(0, 3).Sum(j => (double)w[3 * i + j] * x[j]);
            double slope = 1.5 * (1 - Math.Tanh(z) * Math.Tanh(z));
            Assert.Equal(slope, cts[1].GetDouble(i), 1e-5);
            for (int j = 0; j < 3; j++) Assert.Equal(slope * x[j], cts[0].GetDouble(3 * i + j), 1e-5);
        }
    }

    [Fact]
    public void Grad_of_a_batched_mlp_layer_sums_the_bias_gradient_over_the_batch()
    {
        var grad = Autodiff.Grad(IrParser.ParseFunction("""
            func @mlp(%0: f32[4,3], %1: f32[3,2], %2: f32[2]) -> (f32[]) {
              %3 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[4,2]
              %4 = broadcast_in_dim %2 {broadcast_dimensions = [1], shape = <4,2>} : f32[4,2]
              %5 = add %3, %4 : f32[4,2]
              %6 = tanh %5 : f32[4,2]
              %7 = reduce_sum %6 {axes = [0, 1]} : f32[]
              return %7
            }
            """), [false, true, true]);
        AssertIr("""
            func @grad_mlp(%0: f32[4,3], %1: f32[3,2], %2: f32[2]) -> (f32[3,2], f32[2]) {
              %3 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[4,2]
              %4 = broadcast_in_dim %2 {broadcast_dimensions = [1], shape = <4,2>} : f32[4,2]
              %5 = add %3, %4 : f32[4,2]
              %6 = tanh %5 : f32[4,2]
              %7 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %8 = broadcast_in_dim %7 {broadcast_dimensions = [], shape = <4,2>} : f32[4,2]
              %9 = add %8, %6 : f32[4,2]
              %10 = sub %8, %6 : f32[4,2]
              %11 = mul %9, %10 : f32[4,2]
              %12 = reduce_sum %11 {axes = [0]} : f32[2]
              %13 = dot_general %11, %0 {lhs_batch_dims = [], lhs_contracting_dims = [0], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[2,3]
              %14 = transpose %13 {permutation = [1, 0]} : f32[3,2]
              return %14, %12
            }
            """, grad);

        var rng = new Random(5);
        float[] x = Enumerable.Range(0, 12).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] w = Enumerable.Range(0, 6).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] b = [0.3f, -0.2f];
        var g = Interpreter.Run(grad, Buffer.Of(x, 4, 3), Buffer.Of(w, 3, 2), Buffer.Of(b));
        // s[i,j] = 1 - tanh²((X W + b)[i,j]); W̄[k,j] = Σ_i X[i,k] s[i,j]; b̄[j] = Σ_i s[i,j].
        var slope = new double[4, 2];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 2; j++)
            {
                double z = b[j] + Enumerable.Range(0, 3).Sum(k => (double)x[3 * i + k] * w[2 * k + j]);
                slope[i, j] = 1 - Math.Tanh(z) * Math.Tanh(z);
            }
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(Enumerable.Range(0, 4).Sum(i => slope[i, j]), g[1].GetDouble(j), 1e-5);
            for (int k = 0; k < 3; k++)
                Assert.Equal(Enumerable.Range(0, 4).Sum(i => x[3 * i + k] * slope[i, j]), g[0].GetDouble(2 * k + j), 1e-5);
        }
    }

    [Fact]
    public void Vjp_through_structural_operations_matches_central_differences()
    {
        var f = IrParser.ParseFunction("""
            func @shapes(%0: f64[2,3], %1: f64[3]) -> (f64[], f64[6]) {
              %2 = transpose %0 {permutation = [1, 0]} : f64[3,2]
              %3 = reshape %2 {shape = <6>} : f64[6]
              %4 = slice %3 {limit_indices = [6], start_indices = [1], strides = [2]} : f64[3]
              %5 = mul %4, %1 : f64[3]
              %6 = concatenate %5, %1 {dimension = 0} : f64[6]
              %7 = exp %6 : f64[6]
              %8 = broadcast_in_dim %7 {broadcast_dimensions = [1], shape = <2,6>} : f64[2,6]
              %9 = constant {value = dense<f64[]: [0.5]>} : f64[]
              %10 = pad %1, %9 {high = [2], interior = [1], low = [1]} : f64[8]
              %11 = reduce_sum %8 {axes = [0]} : f64[6]
              %12 = sin %10 : f64[8]
              %13 = reduce_sum %12 {axes = [0]} : f64[]
              %14 = reduce_sum %11 {axes = [0]} : f64[]
              %15 = mul %13, %14 : f64[]
              return %15, %11
            }
            """);
        VjpTests.AssertVjpMatches(f, [true, true], seed: 51, tol: 1e-6);
        VjpTests.AssertVjpMatches(f, [false, true], seed: 52, tol: 1e-6);
    }

    [Fact]
    public void Vjp_of_a_mixed_float64_program_matches_central_differences()
    {
        // sum_j (log1p(exp(x)) * y / (1 + x x) - max(x, y) + sin(A x))_j, with A y-independent, over rows of [2,3].
        var f = IrParser.ParseFunction("""
            func @mixed(%0: f64[2,3], %1: f64[2,3], %2: f64[3,3]) -> (f64[2], f64[]) {
              %3 = exp %0 : f64[2,3]
              %4 = log1p %3 : f64[2,3]
              %5 = mul %4, %1 : f64[2,3]
              %6 = mul %0, %0 : f64[2,3]
              %7 = constant {value = dense<f64[]: [1.0]>} : f64[]
              %8 = broadcast_in_dim %7 {broadcast_dimensions = [], shape = <2,3>} : f64[2,3]
              %9 = add %8, %6 : f64[2,3]
              %10 = div %5, %9 : f64[2,3]
              %11 = max %0, %1 : f64[2,3]
              %12 = sub %10, %11 : f64[2,3]
              %13 = dot_general %0, %2 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f64[2,3]
              %14 = sin %13 : f64[2,3]
              %15 = add %12, %14 : f64[2,3]
              %16 = reduce_sum %15 {axes = [1]} : f64[2]
              %17 = tanh %16 : f64[2]
              %18 = reduce_sum %17 {axes = [0]} : f64[]
              return %16, %18
            }
            """);
        VjpTests.AssertVjpMatches(f, [true, true, true], seed: 41, tol: 1e-6);
        VjpTests.AssertVjpMatches(f, [false, true, false], seed: 42, tol: 1e-6);
    }

    [Fact]
    public void Grad_composes_to_third_order()
    {
        // f(x) = sin(x) x: f' = cos x · x + sin x, f'' = 2 cos x - x sin x, f''' = -3 sin x - x cos x.
        var f = IrParser.ParseFunction("""
            func @f(%0: f64[]) -> (f64[]) {
              %1 = sin %0 : f64[]
              %2 = mul %1, %0 : f64[]
              return %2
            }
            """);
        var d1 = Autodiff.Grad(f, [true]);
        var d2 = Autodiff.Grad(d1, [true]);
        var d3 = Autodiff.Grad(d2, [true]);
        foreach (double x in new[] { -1.3, 0.4, 2.2 })
        {
            double Run(Function g) => Interpreter.Run(g, Buffer.Scalar(x))[0].GetDouble(0);
            Assert.Equal(Math.Cos(x) * x + Math.Sin(x), Run(d1), 14);
            Assert.Equal(2 * Math.Cos(x) - x * Math.Sin(x), Run(d2), 14);
            Assert.Equal(-3 * Math.Sin(x) - x * Math.Cos(x), Run(d3), 13);
        }
    }

    [Fact]
    public void Linearize_of_logistic_leaves_only_the_multiplication_by_the_slope_in_the_linear_function()
    {
        var split = Autodiff.Linearize(IrParser.ParseFunction("""
            func @f(%0: f32[4]) -> (f32[4]) {
              %1 = logistic %0 : f32[4]
              %2 = exp %1 : f32[4]
              return %2
            }
            """), [true]);
        AssertIr("""
            func @linear_f(%0: f32[4], %1: f32[4], %2: f32[4]) -> (f32[4]) {
              %3 = mul %2, %0 : f32[4]
              %4 = mul %3, %1 : f32[4]
              return %4
            }
            """, split.Linear);
        Assert.Equal(2, split.NumResiduals);
    }
}
