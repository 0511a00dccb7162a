using JaxToolchain.Ir.Tests.Transforms;

namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary>
/// The <c>fusion</c> primitive: its shape rule, evaluation, dependence, and its transformation rules, which transform the
/// body and inline it (so derivatives and batches of a fused function are those of the unfused one).
/// </summary>
public class FusionPrimitiveTests
{
    /// <summary>sin(x)·y and exp(x) in one kernel.</summary>
    private const string SinTimesAndExp = """
        func @f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
          %2, %3 = fusion %0, %1 {kind = "loop", name = "fusion_0"} (%4: f64[3], %5: f64[3]) {
            %6 = sin %4 : f64[3]
            %7 = mul %6, %5 : f64[3]
            %8 = exp %4 : f64[3]
            return %7, %8
          } : f64[3], f64[3]
          return %2, %3
        }
        """;

    private static Function Unfused(Function fused)
    {
        var block = new Block(fused.ParameterTypes);
        var outs = ClosedRegions.Inline(block, fused.Body.Operations[0].Regions[0], block.Arguments);
        block.SetResults(outs);
        return new Function(fused.Name + "_unfused", block);
    }

    [Theory]
    [InlineData("kind = \"loop\", name = \"fusion_0\"", "f32[4]", "fusion: the body takes (f32[4]), but is given (f32[3])")]
    [InlineData("kind = \"tiled\", name = \"fusion_0\"", "f32[3]", "unknown kind \"tiled\"")]
    [InlineData("kind = \"dot\"", "f32[3]", "missing string attribute 'name'")]
    public void The_shape_rule_checks_the_body_against_the_operands_and_the_attributes(string attributes, string bodyType, string error)
    {
        var f = IrParser.ParseFunction($$"""
            func @f(%0: f32[3]) -> ({{bodyType}}) {
              %1 = fusion %0 {{{attributes}}} (%2: {{bodyType}}) {
                return %2
              } : {{bodyType}}
              return %1
            }
            """);
        Assert.Contains(error, Assert.Throws<IrVerificationException>(() => Verifier.Verify(f)).Message);
    }

    [Fact]
    public void The_kind_attribute_reads_back_as_a_fusion_kind() =>
        Assert.Equal(FusionKind.Dot, Prims.Fusion.KindOf(FusionPrimitive.AttributesOf(FusionKind.Dot, "fusion_3")));

    [Fact]
    public void Evaluation_runs_the_body_with_symbolic_dims_bound_from_the_operands()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[n]) -> (f32[n]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_0"} (%2: f32[n]) {
                %3 = iota {dimension = 0, dtype = f32, shape = <n>} : f32[n]
                %4 = add %2, %3 : f32[n]
                return %4
              } : f32[n]
              return %1
            }
            """);
        var y = Interpreter.Run(f, Buffer.Of(new[] { 1f, 1f, 1f, 1f }, 4))[0];
        Assert.Equal([1f, 2f, 3f, 4f], y.Span<float>().ToArray());
    }

    [Fact]
    public void A_result_depends_on_the_operands_it_depends_on_in_the_body()
    {
        var op = IrParser.ParseFunction(SinTimesAndExp).Body.Operations[0];
        Assert.Equal([true, false], ClosedRegions.DependentResults(op, [false, true]));
        Assert.Equal([true, true], ClosedRegions.DependentResults(op, [true, false]));
    }

    [Fact]
    public void Jvp_vjp_and_vmap_of_a_fusion_match_central_differences_and_per_example_runs()
    {
        var f = IrParser.ParseFunction(SinTimesAndExp);
        var op = f.Body.Operations[0];
        var x = Buffer.Of(new[] { 0.3, -0.7, 1.2 }, 3);
        var y = Buffer.Of(new[] { 2.0, 0.5, -1.5 }, 3);
        RuleHarness.CheckJvp(Prims.Fusion, op.Attributes, [x, y], regions: op.Regions);
        RuleHarness.CheckBatch(Prims.Fusion, op.Attributes, [Buffer.Of(new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, 3, 2), y], [1, null], op.Regions);
        VjpTests.AssertVjpMatches(f, [true, true], seed: 5);
    }

    [Fact]
    public void Transformations_undo_the_fusion()
    {
        var f = IrParser.ParseFunction(SinTimesAndExp);
        var jvp = JvpPass.Apply(f, [true, false]);
        Assert.DoesNotContain(jvp.Body.Operations, op => op.Primitive == Prims.Fusion);
        var batched = VmapPass.Apply(f, [0, null], [0, 0], Dim.Of(2));
        Assert.DoesNotContain(batched.Body.Operations, op => op.Primitive == Prims.Fusion);
        var unfused = Unfused(f);
        var (x, _) = SampleInputs.For(jvp);
        var expected = Interpreter.Run(JvpPass.Apply(unfused, [true, false]), x);
        var actual = Interpreter.Run(jvp, x);
        for (int r = 0; r < expected.Length; r++) Assert.True(expected[r].BitwiseEquals(actual[r]), $"jvp result {r}");
    }

    [Fact]
    public void The_transpose_rule_transposes_the_body_in_its_linear_operands()
    {
        // (r, t) -> (r * t, -t): linear in t; transposed: (r, a, b) -> r * a - b.
        var linear = IrParser.ParseFunction("""
            func @f(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
              %2, %3 = fusion %0, %1 {kind = "loop", name = "fusion_0"} (%4: f64[3], %5: f64[3]) {
                %6 = mul %4, %5 : f64[3]
                %7 = neg %5 : f64[3]
                return %6, %7
              } : f64[3], f64[3]
              return %2, %3
            }
            """);
        var transposed = TransposePass.Apply(linear, 1);
        Verifier.Verify(transposed);
        Assert.DoesNotContain(transposed.Body.Operations, op => op.Primitive == Prims.Fusion);
        var r = Buffer.Of(new[] { 1.0, 2.0, 3.0 }, 3);
        var a = Buffer.Of(new[] { 0.5, -1.0, 2.0 }, 3);
        var b = Buffer.Of(new[] { 4.0, 0.25, -2.0 }, 3);
        var ct = Interpreter.Run(transposed, r, a, b)[0];
        Assert.Equal([0.5 - 4.0, -2.0 - 0.25, 6.0 + 2.0], ct.Span<double>().ToArray());
    }
}
