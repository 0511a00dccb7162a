using JaxToolchain.Ir;
using JaxToolchain.Ir.Tests.Text;

namespace JaxToolchain.Ir.Tests.Passes;

public class PassManagerTests
{
    private static readonly ShapedType F64x3 = new(DType.Float64, Shape.Of(3));

    public PassManagerTests() => TestPrims.EnsureRegistered();

    private const string Identity = "func @f(%0: f64[3]) -> (f64[3]) {\n  return %0\n}\n";

    /// <summary>Returns a copy of the function whose result is passed through <paramref name="primitive"/>(result[, parameter 0]).</summary>
    private static DelegatePass Appending(string name, Primitive primitive, bool withParameter) =>
        new(name, $"applies {primitive.Name} to the result", f =>
        {
            var copy = FunctionCloner.Clone(f);
            var result = copy.Body.Results[0];
            var b = new IrBuilder(copy.Body);
            copy.Body.SetResults([b.Emit1(primitive, withParameter ? [result, copy.Parameters[0]] : [result])]);
            return copy;
        });

    private static readonly DelegatePass Negate = Appending("negate", TestPrims.Neg, withParameter: false);
    private static readonly DelegatePass AddInput = Appending("add-input", TestPrims.Add, withParameter: true);

    [Fact]
    public void Passes_run_in_order_and_compose()
    {
        var input = IrParser.ParseFunction(Identity);
        double[] x = [1.5, -4, 0.25];
        // add-input then negate: -(x + x); negate then add-input: -x + x.
        var first = new PassManager(AddInput, Negate).Run(input);
        var second = new PassManager(Negate, AddInput).Run(input);
        Assert.Equal(x.Select(v => -(v + v)), Interpreter.Run(first, Buffer.Of(x))[0].Span<double>().ToArray());
        Assert.Equal(x.Select(v => -v + v), Interpreter.Run(second, Buffer.Of(x))[0].Span<double>().ToArray());
        Assert.Equal(Identity, IrPrinter.Print(input));
    }

    [Fact]
    public void Print_ir_after_all_writes_a_header_and_the_function_after_each_pass()
    {
        var dump = new StringWriter();
        new PassManager(Negate, AddInput) { PrintIrAfterAll = dump }.Run(IrParser.ParseFunction(Identity));
        Assert.Equal("""
            // -----// IR after negate //----- //
            func @f(%0: f64[3]) -> (f64[3]) {
              %1 = test.neg %0 : f64[3]
              return %1
            }

            // -----// IR after add-input //----- //
            func @f(%0: f64[3]) -> (f64[3]) {
              %1 = test.neg %0 : f64[3]
              %2 = test.add %1, %0 : f64[3]
              return %2
            }


            """, dump.ToString());
    }

    [Fact]
    public void Module_run_applies_each_pass_to_every_function_and_prints_the_module()
    {
        var module = IrParser.ParseModule(Identity + "\n" + Identity.Replace("@f", "@g"));
        var dump = new StringWriter();
        var result = new PassManager(Negate) { PrintIrAfterAll = dump }.Run(module);
        Assert.Equal(["f", "g"], result.Functions.Select(f => f.Name));
        Assert.All(result.Functions, f => Assert.Equal("test.neg", f.Body.Operations.Single().Primitive.Name));
        Assert.Equal(PassManager.Header("negate") + "\n" + IrPrinter.Print(result) + "\n", dump.ToString());
        Assert.Empty(module["f"].Body.Operations);
    }

    [Fact]
    public void Pass_that_produces_invalid_ir_is_named_by_the_verifier()
    {
        var broken = new DelegatePass("broken", "returns a value it never defines", f =>
        {
            var copy = FunctionCloner.Clone(f);
            copy.Body.SetResults([new Value(F64x3)]);
            return copy;
        });
        var pipeline = new PassManager(Negate, broken);
        var e = Assert.Throws<IrVerificationException>(() => pipeline.Run(IrParser.ParseFunction(Identity)));
        Assert.Equal("broken", e.AfterPass);
        Assert.Equal("after pass 'broken': @f: return: result 0 is a value of type f64[3] that is not defined anywhere in the function", e.Message);
        pipeline.VerifyEach = false;
        Assert.Single(pipeline.Run(IrParser.ParseFunction(Identity)).Body.Results);
    }

    [Fact]
    public void Invalid_input_is_rejected_before_the_first_pass()
    {
        var ran = false;
        var pass = new DelegatePass("spy", "records that it ran", f =>
        {
            ran = true;
            return f;
        });
        var input = IrParser.ParseFunction("func @f(%0: f64[3]) -> (f64[2]) {\n  %1 = test.neg %0 : f64[2]\n  return %1\n}");
        var e = Assert.Throws<IrVerificationException>(() => new PassManager(pass).Run(input));
        Assert.Null(e.AfterPass);
        Assert.False(ran);
    }

    [Fact]
    public void Pass_that_mutates_its_input_is_caught_when_checking_inputs()
    {
        var mutating = new DelegatePass("in-place", "negates in place", f =>
        {
            var b = new IrBuilder(f.Body);
            f.Body.SetResults([b.Emit1(TestPrims.Neg, [f.Body.Results[0]])]);
            return f;
        });
        var e = Assert.Throws<InvalidOperationException>(() =>
            new PassManager(mutating) { CheckInputUnchanged = true }.Run(IrParser.ParseFunction(Identity)));
        Assert.Equal("pass 'in-place' mutated its input @f: line 2 was 'return %0', is now '%1 = test.neg %0 : f64[3]'", e.Message);
        new PassManager(Negate, AddInput) { CheckInputUnchanged = true }.Run(IrParser.ParseFunction(Identity));
    }

    [Fact]
    public void Empty_pipeline_returns_its_input()
    {
        var input = IrParser.ParseFunction(Identity);
        Assert.Same(input, new PassManager().Run(input));
        var pipeline = new PassManager().Add(Negate).Add(AddInput);
        Assert.Equal(["negate", "add-input"], pipeline.Passes.Select(p => p.Name));
        Assert.Equal("applies test.neg to the result", pipeline.Passes[0].Summary);
    }
}
