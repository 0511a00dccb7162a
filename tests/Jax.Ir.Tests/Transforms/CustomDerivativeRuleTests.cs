using static JaxToolchain.Ir.Tests.Transforms.AdNumerics;
using static JaxToolchain.Ir.Tests.Transforms.IrInspection;

namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// The rules of <c>custom_jvp_call</c>, <c>custom_vjp_call</c>, <c>custom_lin</c> and <c>checkpoint</c> through the
/// passes (JVP, linearize, transpose, VJP, vmap), checked against closed forms and central differences.
/// </summary>
public class CustomDerivativeRuleTests
{
    /// <summary>log(1 + e^x) with the JVP t·σ(x) (JAX's numerically stable <c>log1pexp</c>), in float32.</summary>
    private const string Log1pexp = """
        func @log1pexp(%0: f32[]) -> (f32[]) {
          %1 = custom_jvp_call %0 {num_consts = 0} (%2: f32[]) {
            %3 = exp %2 : f32[]
            %4 = log1p %3 : f32[]
            return %4
          } (%5: f32[], %6: f32[]) {
            %7 = exp %5 : f32[]
            %8 = log1p %7 : f32[]
            %9 = logistic %5 : f32[]
            %10 = mul %6, %9 : f32[]
            return %8, %10
          } : f32[]
          return %1
        }
        """;

    /// <summary>The same function without the custom rule.</summary>
    private const string Log1pexpNaive = """
        func @naive(%0: f32[]) -> (f32[]) {
          %1 = exp %0 : f32[]
          %2 = log1p %1 : f32[]
          return %2
        }
        """;

    /// <summary>The identity whose cotangent is clipped to [-1, 1] (JAX's gradient clipping example).</summary>
    private const string ClipGradient = """
        func @clip_gradient(%0: f64[3]) -> (f64[3]) {
          %1 = custom_vjp_call %0 {num_consts = 0} (%2: f64[3]) {
            return %2
          } (%3: f64[3]) {
            return %3
          } (%4: f64[3]) {
            %5 = constant {value = dense<f64[]: [-1.0]>} : f64[]
            %6 = constant {value = dense<f64[]: [1.0]>} : f64[]
            %7 = clamp %5, %4, %6 : f64[3]
            return %7
          } : f64[3]
          return %1
        }
        """;

    /// <summary>w·sin(x) with its true VJP (residuals sin x, cos x): cotangents (Σ ct·sin x, ct·w·cos x).</summary>
    private const string ScaledSin = """
        func @scaled_sin(%0: f64[], %1: f64[3]) -> (f64[3]) {
          %2 = custom_vjp_call %0, %1 {num_consts = 0} (%3: f64[], %4: f64[3]) {
            %5 = sin %4 : f64[3]
            %6 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <3>} : f64[3]
            %7 = mul %6, %5 : f64[3]
            return %7
          } (%8: f64[], %9: f64[3]) {
            %10 = sin %9 : f64[3]
            %11 = broadcast_in_dim %8 {broadcast_dimensions = [], shape = <3>} : f64[3]
            %12 = mul %11, %10 : f64[3]
            %13 = cos %9 : f64[3]
            return %12, %8, %10, %13
          } (%14: f64[], %15: f64[3], %16: f64[3], %17: f64[3]) {
            %18 = mul %17, %15 : f64[3]
            %19 = reduce_sum %18 {axes = [0]} : f64[]
            %20 = broadcast_in_dim %14 {broadcast_dimensions = [], shape = <3>} : f64[3]
            %21 = mul %17, %20 : f64[3]
            %22 = mul %21, %16 : f64[3]
            return %19, %22
          } : f64[3]
          return %2
        }
        """;

    /// <summary>sum(sin(sin(x)) · x) with the sines under <c>checkpoint</c>.</summary>
    internal const string RematSinSin = """
        func @remat(%0: f64[4]) -> (f64[]) {
          %1 = checkpoint %0 (%2: f64[4]) {
            %3 = sin %2 : f64[4]
            %4 = sin %3 : f64[4]
            return %4
          } : f64[4]
          %5 = mul %1, %0 : f64[4]
          %6 = reduce_sum %5 {axes = [0]} : f64[]
          return %6
        }
        """;

    /// <summary>The same function without <c>checkpoint</c>.</summary>
    internal const string PlainSinSin = """
        func @plain(%0: f64[4]) -> (f64[]) {
          %1 = sin %0 : f64[4]
          %2 = sin %1 : f64[4]
          %3 = mul %2, %0 : f64[4]
          %4 = reduce_sum %3 {axes = [0]} : f64[]
          return %4
        }
        """;

    // ---- custom_jvp_call ----

    [Fact]
    public void Custom_jvp_call_evaluates_its_function()
    {
        var f = Parse(Log1pexp);
        foreach (var x in new[] { -3.0f, 0f, 2.5f })
            Assert.Equal(MathF.Log(1 + MathF.Exp(x)), (float)Run1(f, Buffer.Scalar(x)), 6);
    }

    [Fact]
    public void Jvp_of_log1pexp_at_100_uses_the_custom_rule_where_the_naive_derivative_is_nan()
    {
        var naive = JvpPass.Apply(Parse(Log1pexpNaive), [true]);
        Assert.True(float.IsNaN(Interpreter.Run(naive, Buffer.Scalar(100f), Buffer.Scalar(1f))[1].Span<float>()[0]));

        var jvp = JvpPass.Apply(Parse(Log1pexp), [true]);
        Verifier.Verify(jvp);
        var outs = Interpreter.Run(jvp, Buffer.Scalar(100f), Buffer.Scalar(1f));
        Assert.Equal(float.PositiveInfinity, outs[0].Span<float>()[0]);
        Assert.Equal(1f, outs[1].Span<float>()[0]);
        Assert.DoesNotContain("custom_jvp_call", PrimitiveNames(jvp));
    }

    [Fact]
    public void Grad_and_second_derivative_of_log1pexp_follow_the_custom_rule()
    {
        var grad = Autodiff.Grad(Parse(Log1pexp), [true]);
        var second = Autodiff.Grad(grad, [true]);
        foreach (var x in new[] { -2f, 0f, 0.5f, 100f })
        {
            double s = 1 / (1 + Math.Exp(-x));
            Assert.Equal(s, Run1(grad, Buffer.Scalar(x)), 6);
            Assert.Equal(s * (1 - s), Run1(second, Buffer.Scalar(x)), 6);
        }
    }

    [Fact]
    public void Vjp_of_custom_jvp_call_matches_central_differences()
    {
        var f = Parse(Log1pexp.Replace("f32", "f64"));
        VjpTests.AssertVjpMatches(f, [true], seed: 3);
    }

    [Fact]
    public void Custom_jvp_call_closing_over_a_constant_differentiates_its_arguments_and_rejects_the_constant()
    {
        var module = IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", "custom.ir")));
        var f = module["scaled_sin_closing_over_scale"];
        var x = Buffer.Of(new[] { 0.3, -1.1 }, 2);
        var t = Buffer.Of(new[] { 1.0, 2.0 }, 2);
        var outs = Interpreter.Run(JvpPass.Apply(f, [false, true]), Buffer.Scalar(1.5), x, t);
        Assert.Equal(1.5 * Math.Cos(0.3) * 1.0, outs[1].GetDouble(0), 14);
        Assert.Equal(1.5 * Math.Cos(-1.1) * 2.0, outs[1].GetDouble(1), 14);
        var e = Assert.Throws<JaxTypeException>(() => JvpPass.Apply(f, [true, true]));
        Assert.Contains("custom_jvp_call: cannot differentiate with respect to a value the function closes over (float64[], constant 0)", e.Message);
    }

    [Fact]
    public void Batching_custom_jvp_call_keeps_the_custom_rule()
    {
        var f = Parse(Log1pexp);
        var call = f.Body.Operations[0];
        RuleHarness.CheckBatch(Prims.CustomJvpCall, call.Attributes, [Buffer.Of(new[] { -1f, 0.5f, 3f }, 3)], [0], call.Regions);

        var batched = VmapPass.Apply(f, [0], [0], Dim.Of(3));
        Assert.Contains("custom_jvp_call", PrimitiveNames(batched));
        var jvp = JvpPass.Apply(batched, [true]);
        var tangents = Interpreter.Run(jvp, Buffer.Of(new[] { 100f, 0f, -100f }, 3), Buffer.Of(new[] { 1f, 1f, 1f }, 3))[1];
        Assert.Equal([1f, 0.5f, 0f], tangents.Span<float>().ToArray());
    }

    [Fact]
    public void Custom_jvp_call_rejects_a_jvp_region_of_the_wrong_signature()
    {
        var bad = Log1pexp.Replace("(%5: f32[], %6: f32[])", "(%5: f32[], %6: f64[])").Replace("%10 = mul %6, %9 : f32[]", "%10 = mul %9, %9 : f32[]");
        var e = Assert.Throws<IrVerificationException>(() => Parse(bad));
        Assert.Contains("custom_jvp_call: the jvp takes (f32[], f64[]), but is given (f32[], f32[])", e.Message);
    }

    // ---- custom_vjp_call and custom_lin ----

    [Fact]
    public void Vjp_of_custom_vjp_call_runs_its_bwd_clipping_the_cotangent()
    {
        var vjp = Autodiff.Vjp(Parse(ClipGradient), [true]);
        var x = Buffer.Of(new[] { 1.0, 2.0, 3.0 }, 3);
        var (y, cts) = VjpTests.RunVjp(vjp, 1, [x], [Buffer.Of(new[] { 0.5, -4.0, 7.0 }, 3)]);
        Assert.Equal([1.0, 2.0, 3.0], y[0].Span<double>().ToArray());
        Assert.Equal([0.5, -1.0, 1.0], cts[0].Span<double>().ToArray());
        Assert.DoesNotContain("custom_lin", PrimitiveNames(vjp.Backward));
    }

    [Fact]
    public void Vjp_of_custom_vjp_call_with_residuals_matches_central_differences()
    {
        var f = Parse(ScaledSin);
        var x = Random(f.ParameterTypes, seed: 5);
        var c = Random(f.ResultTypes, seed: 6);
        var (_, cts) = VjpTests.RunVjp(Autodiff.Vjp(f, [true, true]), 1, x, c);
        for (int p = 0; p < 2; p++)
        {
            var expected = new double[x[p].Length];
            for (int i = 0; i < expected.Length; i++)
            {
                var unit = Buffer.Zeros(x[p].DType, x[p].Shape);
                unit.SetDouble(i, 1);
                var derivative = CentralDifference(f, x, x.Select((_, j) => j == p ? unit : null).ToArray())[0];
                expected[i] = derivative.Select((d, e) => d * c[0].GetDouble(e)).Sum();
            }
            AssertClose(expected, cts[p], 1e-7, $"cotangent of input {p}");
        }
    }

    [Fact]
    public void Forward_mode_through_custom_vjp_call_emits_custom_lin_which_cannot_be_evaluated()
    {
        var f = Parse(ClipGradient);
        var jvp = JvpPass.Apply(f, [true]);
        Verifier.Verify(jvp);
        Assert.Contains("custom_lin", PrimitiveNames(jvp));
        var x = Buffer.Of(new[] { 1.0, 2.0, 3.0 }, 3);
        var e = Assert.Throws<JaxTypeException>(() => Interpreter.Run(jvp, x, x));
        Assert.Equal("custom_vjp: can't apply forward-mode autodiff (jvp) to a custom_vjp function; differentiate it in reverse mode (grad, vjp) or define it with custom_jvp", e.Message);
        // Differentiating the JVP again (forward over forward) raises the same error.
        e = Assert.Throws<JaxTypeException>(() => JvpPass.Apply(jvp, [true, true]));
        Assert.StartsWith("custom_vjp: can't apply forward-mode autodiff (jvp)", e.Message);
    }

    [Fact]
    public void Linearized_custom_vjp_call_keeps_custom_lin_on_the_linear_side_and_its_transpose_is_bwd()
    {
        var lin = Autodiff.Linearize(Parse(ScaledSin), [true, true]);
        Assert.Contains("custom_lin", PrimitiveNames(lin.Linear));
        Assert.DoesNotContain("custom_lin", PrimitiveNames(lin.Primal));
        var backward = TransposePass.Apply(lin.Linear, lin.NumResiduals);
        Verifier.Verify(backward);
        Assert.DoesNotContain("custom_lin", PrimitiveNames(backward));
        var w = Buffer.Scalar(1.5);
        var x = Buffer.Of(new[] { 0.2, -0.4, 1.0 }, 3);
        var ct = Buffer.Of(new[] { 1.0, 2.0, -1.0 }, 3);
        var residuals = Interpreter.Run(lin.Primal, w, x).Skip(1).ToArray();
        var cts = Interpreter.Run(backward, [.. residuals, ct]);
        double[] xs = [0.2, -0.4, 1.0], cs = [1.0, 2.0, -1.0];
        Assert.Equal(xs.Zip(cs).Sum(p => p.Second * Math.Sin(p.First)), cts[0].GetDouble(0), 14);
        for (int i = 0; i < 3; i++) Assert.Equal(cs[i] * 1.5 * Math.Cos(xs[i]), cts[1].GetDouble(i), 14);
    }

    [Fact]
    public void Batched_custom_lin_transposes_to_per_example_cotangents_summed_for_unbatched_tangents()
    {
        var lin = Autodiff.Linearize(Parse(ScaledSin), [true, true]);
        int r = lin.NumResiduals;
        // Residuals and the tangent of w shared, the tangent of x batched: (residuals..., ẇ, ẋ[2, 3]).
        var batched = VmapPass.Apply(lin.Linear, [.. new int?[r], null, 0], [0], Dim.Of(2));
        Assert.Contains("custom_lin", PrimitiveNames(batched));
        var backward = TransposePass.Apply(batched, r);
        Verifier.Verify(backward);
        double[] x = [0.2, -0.4, 1.0], c = [1, 2, -1, 0.5, 3, -2];
        var residuals = Interpreter.Run(lin.Primal, Buffer.Scalar(1.5), Buffer.Of(x, 3)).Skip(1).ToArray();
        var cts = Interpreter.Run(backward, [.. residuals, Buffer.Of(c, 2, 3)]);
        Assert.Equal(c.Select((ci, k) => ci * Math.Sin(x[k % 3])).Sum(), cts[0].GetDouble(0), 14);
        for (int k = 0; k < 6; k++) Assert.Equal(c[k] * 1.5 * Math.Cos(x[k % 3]), cts[1].GetDouble(k), 14);
    }

    [Fact]
    public void Custom_lin_transposes_to_bwd_on_the_cotangents()
    {
        var module = IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", "custom.ir")));
        var transposed = TransposePass.Apply(module["sin_custom_lin"], 1);
        Verifier.Verify(transposed);
        var r = Buffer.Of(new[] { 0.5f, -2f }, 2);
        var ct = Buffer.Of(new[] { 3f, 4f }, 2);
        Assert.Equal([1.5f, -8f], Interpreter.Run(transposed, r, ct)[0].Span<float>().ToArray());
    }

    [Fact]
    public void Batched_custom_vjp_call_sums_the_cotangents_of_an_unbatched_argument()
    {
        var f = Parse(ScaledSin);
        var call = f.Body.Operations[0];
        var w = Buffer.Scalar(1.5);
        var xs = Buffer.Of(new[] { 0.1, 0.2, 0.3, -0.4, -0.5, 0.6 }, 2, 3);
        RuleHarness.CheckBatch(Prims.CustomVjpCall, call.Attributes, [w, xs], [null, 0], call.Regions);

        var batched = VmapPass.Apply(f, [null, 0], [0], Dim.Of(2));
        Assert.Contains("custom_vjp_call", PrimitiveNames(batched));
        var vjp = Autodiff.Vjp(batched, [true, true]);
        var ct = Buffer.Of(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, 2, 3);
        var (_, cts) = VjpTests.RunVjp(vjp, 1, [w, xs], [ct]);
        double[] x = [0.1, 0.2, 0.3, -0.4, -0.5, 0.6], c = [1, 2, 3, 4, 5, 6];
        Assert.Equal(x.Zip(c).Sum(p => p.Second * Math.Sin(p.First)), cts[0].GetDouble(0), 14);
        for (int i = 0; i < 6; i++) Assert.Equal(c[i] * 1.5 * Math.Cos(x[i]), cts[1].GetDouble(i), 14);
    }

    // ---- checkpoint ----

    [Fact]
    public void Checkpoint_rules_match_central_differences_and_per_example_runs()
    {
        var f = Parse(RematSinSin);
        var call = f.Body.Operations[0];
        var x = Buffer.Of(new[] { 0.3, -0.7, 1.2, 2.0 }, 4);
        RuleHarness.CheckJvp(Prims.Checkpoint, call.Attributes, [x], regions: call.Regions);
        RuleHarness.CheckBatch(Prims.Checkpoint, call.Attributes, [Buffer.Of(new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8 }, 4, 2)], [1], call.Regions);
        VjpTests.AssertVjpMatches(f, [true], seed: 7);
    }

    [Fact]
    public void Checkpoint_gives_the_gradient_of_the_same_function_without_it()
    {
        var remat = Autodiff.Grad(Parse(RematSinSin), [true]);
        var plain = Autodiff.Grad(Parse(PlainSinSin), [true]);
        var x = Buffer.Of(new[] { 0.3, -0.7, 1.2, 2.0 }, 4);
        var expected = Interpreter.Run(plain, x)[0];
        var actual = Interpreter.Run(remat, x)[0];
        for (int i = 0; i < 4; i++)
        {
            double v = x.GetDouble(i);
            double closed = Math.Sin(Math.Sin(v)) + v * Math.Cos(Math.Sin(v)) * Math.Cos(v);
            Assert.Equal(closed, actual.GetDouble(i), 14);
            Assert.Equal(expected.GetDouble(i), actual.GetDouble(i), 14);
        }
    }

    [Fact]
    public void Vjp_of_checkpoint_saves_only_its_inputs_and_outputs_and_recomputes_the_rest_in_the_backward_function()
    {
        var plain = Autodiff.Vjp(Parse(PlainSinSin), [true]);
        var remat = Autodiff.Vjp(Parse(RematSinSin), [true]);
        // Without checkpoint the forward function saves cosines for the backward one, which computes no sine.
        Assert.Contains(plain.Forward.Body.Results.Skip(1), r => r.Definer?.Primitive == Prims.Cos);
        Assert.DoesNotContain("sin", PrimitiveNames(plain.Backward));
        // With it, the residuals are x and the checkpoint's result (the mul after it needs that), and the backward
        // function computes sin x, cos x and cos(sin x) again inside a checkpoint.
        var x = remat.Forward.Parameters[0];
        var call = remat.Forward.Body.Operations[0];
        Assert.Equal([x, call.Results[0]], remat.Forward.Body.Results.Skip(1));
        IrGolden.AssertIr("""
            func @bwd_remat(%0: f64[4], %1: f64[4], %2: f64[]) -> (f64[4]) {
              %3 = broadcast_in_dim %2 {broadcast_dimensions = [], shape = <4>} : f64[4]
              %4 = mul %1, %3 : f64[4]
              %5 = mul %3, %0 : f64[4]
              %6 = checkpoint %0, %5 (%7: f64[4], %8: f64[4]) {
                %9 = sin %7 : f64[4]
                %10 = cos %7 : f64[4]
                %11 = cos %9 : f64[4]
                %12 = mul %8, %11 : f64[4]
                %13 = mul %12, %10 : f64[4]
                return %13
              } : f64[4]
              %14 = add %4, %6 : f64[4]
              return %14
            }
            """, remat.Backward);
    }

    [Fact]
    public void Second_and_third_derivatives_through_checkpoint_match_the_closed_form()
    {
        var f = Parse("""
            func @f(%0: f64[]) -> (f64[]) {
              %1 = checkpoint %0 (%2: f64[]) {
                %3 = sin %2 : f64[]
                %4 = mul %3, %2 : f64[]
                return %4
              } : f64[]
              return %1
            }
            """);
        var second = Autodiff.Grad(Autodiff.Grad(f, [true]), [true]);
        var third = Autodiff.Grad(second, [true]);
        foreach (var x in new[] { -1.3, 0.4, 2.2 })
        {
            Assert.Equal(2 * Math.Cos(x) - x * Math.Sin(x), Run1(second, Buffer.Scalar(x)), 13);
            Assert.Equal(-3 * Math.Sin(x) - x * Math.Cos(x), Run1(third, Buffer.Scalar(x)), 13);
        }
    }

    [Fact]
    public void Nested_checkpoints_differentiate_in_reverse_mode()
    {
        var f = Parse("""
            func @nested(%0: f64[3]) -> (f64[]) {
              %1 = checkpoint %0 (%2: f64[3]) {
                %3 = checkpoint %2 (%4: f64[3]) {
                  %5 = sin %4 : f64[3]
                  return %5
                } : f64[3]
                %6 = mul %3, %3 : f64[3]
                %7 = exp %6 : f64[3]
                return %7
              } : f64[3]
              %8 = reduce_sum %1 {axes = [0]} : f64[]
              return %8
            }
            """);
        var grad = Autodiff.Grad(f, [true]);
        var x = Buffer.Of(new[] { 0.3, -1.0, 2.0 }, 3);
        var g = Interpreter.Run(grad, x)[0];
        for (int i = 0; i < 3; i++)
        {
            double v = x.GetDouble(i), s = Math.Sin(v);
            Assert.Equal(Math.Exp(s * s) * 2 * s * Math.Cos(v), g.GetDouble(i), 13);
        }
    }
}
