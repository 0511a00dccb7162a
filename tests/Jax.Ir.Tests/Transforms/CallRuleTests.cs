using static JaxToolchain.Ir.Tests.Transforms.AdNumerics;
using static JaxToolchain.Ir.Tests.Transforms.IrInspection;

namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// The rules of <c>call</c> through the passes (JVP, vmap, transpose, linearize, VJP, grad) and the simplification
/// passes: numbers against central differences, per-example runs and the dot-product identity, and golden IR (the
/// transformed call is a call over the transformed region; reverse mode keeps the callee's primal work forward).
/// </summary>
public class CallRuleTests
{
    /// <summary>sum(sin(sin(x)) · x) with the sines in a call of <c>inner</c>: the checkpoint tests' function, called instead.</summary>
    private static readonly string SinSin = CustomDerivativeRuleTests.RematSinSin
        .Replace("@remat", "@f", StringComparison.Ordinal).Replace("checkpoint %0", "call %0 {callee = \"inner\"}", StringComparison.Ordinal);

    /// <summary>sin(x) · w in a call of <c>inner</c>.</summary>
    private const string ScaledSin = """
        func @f(%0: f64[3], %1: f64[]) -> (f64[3]) {
          %2 = call %0, %1 {callee = "inner"} (%3: f64[3], %4: f64[]) {
            %5 = sin %3 : f64[3]
            %6 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <3>} : f64[3]
            %7 = mul %5, %6 : f64[3]
            return %7
          } : f64[3]
          return %2
        }
        """;

    private static Module Samples() =>
        IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", "call.ir")));

    // ---- the primitive ----

    [Fact]
    public void Call_runs_its_region_and_has_its_result_types_weak_types_included()
    {
        var f = Samples()["call_with_a_weak_result"];
        Assert.Equal([ShapedType.Scalar(DType.Float32, weak: true), ShapedType.Scalar(DType.Int32)], f.Body.Operations[0].Results.Select(r => r.Type));
        var outs = Interpreter.Run(f, Buffer.Scalar(1.5f));
        Assert.Equal(3f, outs[0].Span<float>()[0]);
        Assert.Equal(2, outs[1].Span<int>()[0]);
        var twice = Samples()["scaled_sin_called_twice"];
        var y = Interpreter.Run(twice, Buffer.Of(new[] { 0.5f, 1f, -2f }, 3), Buffer.Scalar(2f))[0];
        Assert.Equal([2 * MathF.Sin(2 * MathF.Sin(0.5f)), 2 * MathF.Sin(2 * MathF.Sin(1f)), 2 * MathF.Sin(2 * MathF.Sin(-2f))], y.Span<float>().ToArray());
    }

    [Fact]
    public void Call_needs_a_callee_name_and_a_region_taking_its_operands()
    {
        var missing = Assert.Throws<IrVerificationException>(() => Parse(ScaledSin.Replace(" {callee = \"inner\"}", "")));
        Assert.Contains("call: missing attribute 'callee'", missing.Message);
        var empty = Assert.Throws<IrVerificationException>(() => Parse(ScaledSin.Replace("\"inner\"", "\"\"")));
        Assert.Contains("call: the callee name is empty", empty.Message);
        var block = new Block([new ShapedType(DType.Float64, Shape.Of(3))]);
        var e = Assert.Throws<JaxTypeException>(() =>
            new IrBuilder(block).Emit(Prims.Call, block.Arguments, Attributes.Of(("callee", "inner")), [new Block([new ShapedType(DType.Float32, Shape.Of(3))])]));
        Assert.Equal("call: the function takes (f32[3]), but is given (f64[3])", e.Message);
    }

    [Fact]
    public void Call_rules_match_central_differences_per_example_runs_and_the_dot_product_identity()
    {
        var call = Parse(ScaledSin).Body.Operations[0];
        var x = Buffer.Of(new[] { 0.3, -0.7, 1.2 }, 3);
        RuleHarness.CheckJvp(Prims.Call, call.Attributes, [x, Buffer.Scalar(1.5)], regions: call.Regions);
        RuleHarness.CheckBatch(Prims.Call, call.Attributes, [Buffer.Of(new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, 3, 2), Buffer.Scalar(-2.0)], [1, null], call.Regions);
        RuleHarness.CheckBatch(Prims.Call, call.Attributes, [x, Buffer.Of(new[] { 0.5, 2.0 }, 2)], [null, 0], call.Regions);
        var linear = Parse("""
            func @linear(%0: f64[3], %1: f64[3]) -> (f64[3], f64[]) {
              %2, %3 = call %0, %1 {callee = "scale_and_sum"} (%4: f64[3], %5: f64[3]) {
                %6 = mul %5, %4 : f64[3]
                %7 = cumsum %6 {axis = 0, reverse = false} : f64[3]
                %8 = reduce_sum %7 {axes = [0]} : f64[]
                return %7, %8
              } : f64[3], f64[]
              return %2, %3
            }
            """).Body.Operations[0];
        RuleHarness.CheckTranspose(Prims.Call, linear.Attributes, [x, Buffer.Of(new[] { 2.0, -1.0, 0.5 }, 3)], 1, regions: linear.Regions);
        VjpTests.AssertVjpMatches(Parse(SinSin), [true], seed: 11);
        VjpTests.AssertVjpMatches(Parse(ScaledSin), [true, true], seed: 12);
    }

    [Fact]
    public void Grad_through_a_call_equals_grad_of_the_inlined_function()
    {
        var called = Autodiff.Grad(Parse(SinSin), [true]);
        var inlined = Autodiff.Grad(Parse(CustomDerivativeRuleTests.PlainSinSin), [true]);
        var x = Buffer.Of(new[] { 0.3, -0.7, 1.2, 2.0 }, 4);
        Assert.True(Interpreter.Run(inlined, x)[0].BitwiseEquals(Interpreter.Run(called, x)[0]));
    }

    // ---- golden IR: the transformed call is a call over the transformed region ----

    [Fact]
    public void Jvp_of_a_call_is_a_call_of_the_jvp_of_its_region()
    {
        IrGolden.AssertIr("""
            func @jvp_f(%0: f64[3], %1: f64[], %2: f64[3]) -> (f64[3], f64[3]) {
              %3, %4 = call %0, %1, %2 {callee = "jvp_inner"} (%5: f64[3], %6: f64[], %7: f64[3]) {
                %8 = sin %5 : f64[3]
                %9 = cos %5 : f64[3]
                %10 = mul %7, %9 : f64[3]
                %11 = broadcast_in_dim %6 {broadcast_dimensions = [], shape = <3>} : f64[3]
                %12 = mul %8, %11 : f64[3]
                %13 = mul %10, %11 : f64[3]
                return %12, %13
              } : f64[3], f64[3]
              return %3, %4
            }
            """, JvpPass.Apply(Parse(ScaledSin), [true, false]));
    }

    [Fact]
    public void Batching_a_call_is_a_call_of_the_batched_region()
    {
        IrGolden.AssertIr("""
            func @vmap_f(%0: f64[3,2], %1: f64[]) -> (f64[2,3]) {
              %2 = call %0, %1 {callee = "vmap_inner"} (%3: f64[3,2], %4: f64[]) {
                %5 = sin %3 : f64[3,2]
                %6 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <3>} : f64[3]
                %7 = broadcast_in_dim %6 {broadcast_dimensions = [0], shape = <3,2>} : f64[3,2]
                %8 = mul %5, %7 : f64[3,2]
                %9 = transpose %8 {permutation = [1, 0]} : f64[2,3]
                return %9
              } : f64[2,3]
              return %2
            }
            """, VmapPass.Apply(Parse(ScaledSin), [1, null], [0], Dim.Of(2)));
    }

    [Fact]
    public void Transposing_a_linear_call_is_a_call_of_the_transposed_region()
    {
        var linear = Parse("""
            func @linear(%0: f64[3], %1: f64[3]) -> (f64[]) {
              %2 = call %0, %1 {callee = "dot"} (%3: f64[3], %4: f64[3]) {
                %5 = mul %4, %3 : f64[3]
                %6 = reduce_sum %5 {axes = [0]} : f64[]
                return %6
              } : f64[]
              return %2
            }
            """);
        IrGolden.AssertIr("""
            func @transpose_linear(%0: f64[3], %1: f64[]) -> (f64[3]) {
              %2 = call %0, %1 {callee = "transpose_dot"} (%3: f64[3], %4: f64[]) {
                %5 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <3>} : f64[3]
                %6 = mul %5, %3 : f64[3]
                return %6
              } : f64[3]
              return %2
            }
            """, TransposePass.Apply(linear, 1));
    }

    // ---- reverse mode: primal work once, forward; only tangent work backward ----

    [Fact]
    public void Linearize_splits_a_call_into_a_primal_call_and_a_linear_call_fed_residuals()
    {
        var lin = Autodiff.Linearize(Parse(SinSin), [true]);
        IrGolden.AssertIr("""
            func @primal_f(%0: f64[4]) -> (f64[], f64[4], f64[4], f64[4], f64[4]) {
              %1, %2, %3 = call %0 {callee = "primal_inner"} (%4: f64[4]) {
                %5 = sin %4 : f64[4]
                %6 = cos %4 : f64[4]
                %7 = sin %5 : f64[4]
                %8 = cos %5 : f64[4]
                return %7, %6, %8
              } : f64[4], f64[4], f64[4]
              %9 = mul %1, %0 : f64[4]
              %10 = reduce_sum %9 {axes = [0]} : f64[]
              return %10, %2, %3, %0, %1
            }
            """, lin.Primal);
        IrGolden.AssertIr("""
            func @linear_f(%0: f64[4], %1: f64[4], %2: f64[4], %3: f64[4], %4: f64[4]) -> (f64[]) {
              %5 = call %0, %1, %4 {callee = "linear_inner"} (%6: f64[4], %7: f64[4], %8: f64[4]) {
                %9 = mul %8, %6 : f64[4]
                %10 = mul %9, %7 : f64[4]
                return %10
              } : f64[4]
              %11 = mul %5, %2 : f64[4]
              %12 = mul %3, %4 : f64[4]
              %13 = add %11, %12 : f64[4]
              %14 = reduce_sum %13 {axes = [0]} : f64[]
              return %14
            }
            """, lin.Linear);
    }

    [Fact]
    public void Grad_of_a_function_with_a_call_keeps_the_callee_primal_work_in_the_forward_part()
    {
        var vjp = Autodiff.Vjp(Parse(SinSin), [true]);
        Assert.DoesNotContain("sin", PrimitiveNames(vjp.Backward));
        Assert.DoesNotContain("cos", PrimitiveNames(vjp.Backward));
        // The same function under checkpoint computes the sines again backward, by design.
        Assert.Contains("sin", PrimitiveNames(Autodiff.Vjp(Parse(CustomDerivativeRuleTests.RematSinSin), [true]).Backward));
        IrGolden.AssertIr("""
            func @bwd_f(%0: f64[4], %1: f64[4], %2: f64[4], %3: f64[4], %4: f64[]) -> (f64[4]) {
              %5 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <4>} : f64[4]
              %6 = mul %3, %5 : f64[4]
              %7 = mul %5, %2 : f64[4]
              %8 = call %0, %1, %7 {callee = "transpose_linear_inner"} (%9: f64[4], %10: f64[4], %11: f64[4]) {
                %12 = mul %11, %10 : f64[4]
                %13 = mul %12, %9 : f64[4]
                return %13
              } : f64[4]
              %14 = add %6, %8 : f64[4]
              return %14
            }
            """, vjp.Backward);
        // The gradient function: the primal call (sines and their cosines, once), then the transposed linear call.
        var grad = Autodiff.Grad(Parse(SinSin), [true]);
        Assert.Equal(["call", "sin", "cos", "sin", "cos", "call", "mul", "mul", "add"], PrimitiveNames(grad));
        Assert.Equal(["primal_inner", "transpose_linear_inner"], grad.Body.Operations.Select(op => op.Attributes.String("callee")).Take(2));
    }

    [Fact]
    public void Residuals_that_are_operands_or_results_of_the_call_are_not_returned_again()
    {
        var lin = Autodiff.Linearize(Parse("""
            func @f(%0: f64[3]) -> (f64[3], f64[3]) {
              %1 = call %0 {callee = "square"} (%2: f64[3]) {
                %3 = mul %2, %2 : f64[3]
                return %3
              } : f64[3]
              %4 = call %0 {callee = "exp"} (%5: f64[3]) {
                %6 = exp %5 : f64[3]
                return %6
              } : f64[3]
              return %1, %4
            }
            """), [true]);
        // The primal calls return only their results: the residuals x (an operand) and exp x (a result) are passed as they are.
        var (square, exp) = (lin.Primal.Body.Operations[0], lin.Primal.Body.Operations[1]);
        Assert.Equal(["primal_square", "primal_exp"], new[] { square, exp }.Select(op => op.Attributes.String("callee")));
        Assert.Equal([square.Result, exp.Result, lin.Primal.Parameters[0], exp.Result], lin.Primal.Body.Results);
        IrGolden.AssertIr("""
            func @linear_f(%0: f64[3], %1: f64[3], %2: f64[3]) -> (f64[3], f64[3]) {
              %3 = call %0, %2 {callee = "linear_square"} (%4: f64[3], %5: f64[3]) {
                %6 = mul %5, %4 : f64[3]
                %7 = mul %4, %5 : f64[3]
                %8 = add %6, %7 : f64[3]
                return %8
              } : f64[3]
              %9 = call %1, %2 {callee = "linear_exp"} (%10: f64[3], %11: f64[3]) {
                %12 = mul %11, %10 : f64[3]
                return %12
              } : f64[3]
              return %3, %9
            }
            """, lin.Linear);
    }

    [Fact]
    public void The_linear_call_computes_only_the_tangents_of_results_that_depend_on_a_tangent()
    {
        var f = Parse("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3], i32[]) {
              %2, %3, %4 = call %0, %1 {callee = "mixed"} (%5: f64[3], %6: f64[3]) {
                %7 = sin %5 : f64[3]
                %8 = mul %7, %6 : f64[3]
                %9 = exp %6 : f64[3]
                %10 = constant {value = dense<i32[]: [7]>} : i32[]
                return %8, %9, %10
              } : f64[3], f64[3], i32[]
              return %2, %3, %4
            }
            """);
        var lin = Autodiff.Linearize(f, [true, false]);
        var linearCall = Assert.Single(lin.Linear.Body.Operations, op => op.Primitive == Prims.Call);
        Assert.Equal("linear_mixed", linearCall.Attributes.String("callee"));
        Assert.Single(linearCall.Results);
        var x = Buffer.Of(new[] { 0.1, 0.2, 0.3 }, 3);
        var y = Buffer.Of(new[] { 1.0, -1.0, 2.0 }, 3);
        var t = Buffer.Of(new[] { 1.0, 2.0, 3.0 }, 3);
        var forward = Interpreter.Run(lin.Primal, x, y);
        var tangents = Interpreter.Run(lin.Linear, [.. forward.Skip(3), t]);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Math.Cos(x.GetDouble(i)) * y.GetDouble(i) * t.GetDouble(i), tangents[0].GetDouble(i), 15);
            Assert.Equal(0, tangents[1].GetDouble(i));
        }
    }

    [Fact]
    public void Second_and_third_derivatives_through_nested_calls_match_the_closed_form()
    {
        var f = Samples()["nested_calls"];
        var second = Autodiff.Grad(Autodiff.Grad(f, [true]), [true]);
        var third = Autodiff.Grad(second, [true]);
        var forwardOverReverse = JvpPass.Apply(Autodiff.Grad(f, [true]), [true]);
        Assert.Contains("call", PrimitiveNames(third));
        foreach (var x in new[] { -1.3, 0.4, 2.2 })
        {
            double t = Math.Tanh(x), s = 1 - t * t;
            Assert.Equal(2 * s - 2 * t * s * x, Run1(second, Buffer.Scalar(x)), 13);
            Assert.Equal(-6 * t * s - 2 * s * s * x + 4 * t * t * s * x, Run1(third, Buffer.Scalar(x)), 12);
            Assert.Equal(3 * (2 * s - 2 * t * s * x), Interpreter.Run(forwardOverReverse, Buffer.Scalar(x), Buffer.Scalar(3.0))[1].GetDouble(0), 13);
        }
    }

    [Fact]
    public void A_call_inside_a_scan_body_differentiates_and_batches()
    {
        var f = Parse("""
            func @f(%0: f64[], %1: f64[4]) -> (f64[], f64[4]) {
              %2, %3 = scan %0, %1 {length = 4, num_carry = 1, num_consts = 0, reverse = false} (%4: f64[], %5: f64[]) {
                %6 = call %4, %5 {callee = "step"} (%7: f64[], %8: f64[]) {
                  %9 = mul %7, %8 : f64[]
                  %10 = sin %9 : f64[]
                  %11 = add %10, %8 : f64[]
                  return %11
                } : f64[]
                %12 = mul %6, %4 : f64[]
                return %6, %12
              } : f64[], f64[4]
              return %2, %3
            }
            """);
        VjpTests.AssertVjpMatches(f, [true, true], seed: 14);
        var scan = f.Body.Operations[0];
        RuleHarness.CheckJvp(Prims.Scan, scan.Attributes, [Buffer.Scalar(0.4), Buffer.Of(new[] { 0.3, -0.5, 1.1, 0.7 }, 4)], regions: scan.Regions);
        RuleHarness.CheckBatch(Prims.Scan, scan.Attributes, [Buffer.Of(new[] { 0.4, -0.2 }, 2), Buffer.Of(new[] { 0.3, -0.5, 1.1, 0.7 }, 4)], [0, null], scan.Regions);
        Assert.Contains("vmap_step", VmapPass.Apply(f, [0, null], [0, 0], Dim.Of(2)).ToString());
    }

    // ---- simplification ----

    [Fact]
    public void Dce_drops_the_unused_results_of_a_call_and_the_operands_only_they_needed()
    {
        var output = IrGolden.Run(new DcePass(), """
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = exp %1 : f64[3]
              %3, %4 = call %0, %2 {callee = "pair"} (%5: f64[3], %6: f64[3]) {
                %7 = sin %5 : f64[3]
                %8 = cos %6 : f64[3]
                return %7, %8
              } : f64[3], f64[3]
              return %3
            }
            """);
        IrGolden.AssertIr("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = call %0 {callee = "pair"} (%3: f64[3]) {
                %4 = sin %3 : f64[3]
                return %4
              } : f64[3]
              return %2
            }
            """, output);
    }

    [Fact]
    public void Canonicalize_inlines_a_call_that_only_returns_its_operands_and_cse_works_inside_regions()
    {
        var output = Pipelines.Simplify(Parse("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2, %3 = call %0, %1 {callee = "swap"} (%4: f64[3], %5: f64[3]) {
                return %5, %4
              } : f64[3], f64[3]
              %6 = call %2 {callee = "twice_sin"} (%7: f64[3]) {
                %8 = sin %7 : f64[3]
                %9 = sin %7 : f64[3]
                %10 = add %8, %9 : f64[3]
                return %10
              } : f64[3]
              return %6, %3
            }
            """));
        IrGolden.AssertIr("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2 = call %1 {callee = "twice_sin"} (%3: f64[3]) {
                %4 = sin %3 : f64[3]
                %5 = add %4, %4 : f64[3]
                return %5
              } : f64[3]
              return %2, %0
            }
            """, output);
    }
}
