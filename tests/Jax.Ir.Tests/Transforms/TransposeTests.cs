using static JaxToolchain.Ir.Tests.Transforms.AdNumerics;
using static JaxToolchain.Ir.Tests.Transforms.IrGolden;

namespace JaxToolchain.Ir.Tests.Transforms;

public class TransposeTests
{
    public TransposeTests() => AdTestPrims.EnsureRegistered();

    /// <summary>Checks ⟨L t, c⟩ = ⟨t, Lᵀ c⟩ for random non-linear inputs r, tangents t and cotangents c.</summary>
    private static void AssertTransposeIdentity(Function linear, int numNonLinear, int seed = 1)
    {
        var transposed = TransposePass.Apply(linear, numNonLinear);
        Verifier.Verify(transposed);
        var r = Random(linear.ParameterTypes.Take(numNonLinear), seed);
        var t = Random(linear.ParameterTypes.Skip(numNonLinear), seed + 1);
        var c = Random(linear.ResultTypes, seed + 2);
        var lt = Interpreter.Run(linear, [.. r, .. t]);
        var ltc = Interpreter.Run(transposed, [.. r, .. c]);
        double lhs = Dot(lt, c), rhs = Dot(t, ltc);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-12 * (1 + Math.Abs(lhs)), $"<L t, c> = {lhs} but <t, L^T c> = {rhs}");
    }

    private const string FanOut = """
        func @lin(%0: f64[3], %1: f64[3]) -> (f64[3], f64[3]) {
          %2 = test.ad_mul %0, %1 : f64[3]
          %3 = test.ad_neg %1 : f64[3]
          %4 = test.ad_add %2, %3 : f64[3]
          return %4, %1
        }
        """;

    [Fact]
    public void Transpose_accumulates_the_cotangents_of_a_value_used_several_times()
    {
        var transposed = Run(new DelegatePass("transpose", "transposes", f => TransposePass.Apply(f, 1)), FanOut);
        // t is returned (cotangent %2) and used by neg and mul: t̄ = c1 - c0 + r c0.
        AssertIr("""
            func @transpose_lin(%0: f64[3], %1: f64[3], %2: f64[3]) -> (f64[3]) {
              %3 = test.ad_neg %1 : f64[3]
              %4 = add %2, %3 : f64[3]
              %5 = test.ad_mul %0, %1 : f64[3]
              %6 = add %4, %5 : f64[3]
              return %6
            }
            """, transposed);
        AssertTransposeIdentity(IrParser.ParseFunction(FanOut), 1);
    }

    [Fact]
    public void Transpose_emits_non_linear_operations_forward_and_gives_zeros_to_linear_inputs_without_cotangent()
    {
        var linear = IrParser.ParseFunction("""
            func @lin(%0: f64[3], %1: f64[3], %2: f64[3]) -> (f64[3], f64[3]) {
              %3 = test.ad_sin %0 : f64[3]
              %4 = test.ad_mul %1, %3 : f64[3]
              %5 = test.ad_cos %0 : f64[3]
              return %4, %5
            }
            """);
        // Result 1 does not depend on t: its cotangent (%2) is ignored; %2 of the input is unused: zeros.
        AssertIr("""
            func @transpose_lin(%0: f64[3], %1: f64[3], %2: f64[3]) -> (f64[3], f64[3]) {
              %3 = test.ad_sin %0 : f64[3]
              %4 = test.ad_mul %1, %3 : f64[3]
              %5 = constant {value = dense<f64[]: [0.0]>} : f64[]
              %6 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <3>} : f64[3]
              return %4, %6
            }
            """, Pipelines.Simplify(TransposePass.Apply(linear, 1)));
        double[] r = [0.5, -1, 2], c0 = [1, 2, 3];
        var cts = Interpreter.Run(TransposePass.Apply(linear, 1), Buffer.Of(r), Buffer.Of(c0), Buffer.Of(new double[] { 7, 8, 9 }));
        Assert.Equal(r.Select((x, i) => c0[i] * Math.Sin(x)), cts[0].Span<double>().ToArray());
        Assert.Equal([0.0, 0, 0], cts[1].Span<double>().ToArray());
    }

    [Fact]
    public void Transpose_of_a_region_operation_transposes_its_region()
    {
        const string text = """
            func @lin(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = test.ad_call %0, %1 (%3: f64[3], %4: f64[3]) {
                %5 = test.ad_sin %3 : f64[3]
                %6 = test.ad_mul %5, %4 : f64[3]
                %7 = test.ad_add %6, %4 : f64[3]
                return %7
              } : f64[3]
              return %2
            }
            """;
        // The region becomes (r, ct) -> t̄ = ct + sin(r) ct.
        AssertIr("""
            func @transpose_lin(%0: f64[3], %1: f64[3]) -> (f64[3]) {
              %2 = test.ad_call %0, %1 (%3: f64[3], %4: f64[3]) {
                %5 = test.ad_sin %3 : f64[3]
                %6 = test.ad_mul %5, %4 : f64[3]
                %7 = add %4, %6 : f64[3]
                return %7
              } : f64[3]
              return %2
            }
            """, TransposePass.Apply(IrParser.ParseFunction(text), 1));
        AssertTransposeIdentity(IrParser.ParseFunction(text), 1);
    }

    [Fact]
    public void Transpose_of_a_longer_chain_satisfies_the_inner_product_identity()
    {
        var linear = IrParser.ParseFunction("""
            func @lin(%0: f64[4], %1: f64[4], %2: f64[4], %3: f64[4]) -> (f64[4], f64[4], f64[4]) {
              %4 = test.ad_cos %0 : f64[4]
              %5 = test.ad_mul %2, %4 : f64[4]
              %6 = test.ad_add %5, %3 : f64[4]
              %7 = test.ad_mul %1, %6 : f64[4]
              %8 = test.ad_neg %7 : f64[4]
              %9 = test.ad_add %8, %2 : f64[4]
              %10 = test.ad_mul %6, %0 : f64[4]
              return %9, %10, %6
            }
            """);
        AssertTransposeIdentity(linear, 2, seed: 7);
        AssertTransposeIdentity(linear, 2, seed: 11);
    }

    [Fact]
    public void Transpose_reports_an_operation_without_a_transpose_rule()
    {
        var linear = IrParser.ParseFunction("""
            func @lin(%0: f64[3]) -> (f64[3]) {
              %1 = test.ad_sin %0 : f64[3]
              return %1
            }
            """);
        var e = Assert.Throws<MissingRuleException>(() => TransposePass.Apply(linear, 0));
        Assert.Equal("no transpose rule for 'test.ad_sin'", e.Message);
    }

    [Fact]
    public void Transpose_returns_the_cotangent_of_a_linear_input_returned_as_is()
    {
        var transposed = TransposePass.Apply(IrParser.ParseFunction("""
            func @lin(%0: f32[2], %1: f32[2]) -> (f32[2], f32[2]) {
              return %1, %1
            }
            """), 1);
        AssertIr("""
            func @transpose_lin(%0: f32[2], %1: f32[2], %2: f32[2]) -> (f32[2]) {
              %3 = add %1, %2 : f32[2]
              return %3
            }
            """, transposed);
        var ct = Interpreter.Run(transposed, Buffer.Of([9f, 9f]), Buffer.Of([1f, 2f]), Buffer.Of([10f, 20f]))[0];
        Assert.Equal([11f, 22f], ct.Span<float>().ToArray());
    }
}
