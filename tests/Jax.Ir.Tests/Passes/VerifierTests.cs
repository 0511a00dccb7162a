using JaxToolchain.Ir;
using JaxToolchain.Ir.Tests.Text;

namespace JaxToolchain.Ir.Tests.Passes;

public class VerifierTests
{
    private static readonly ShapedType F32x2 = new(DType.Float32, Shape.Of(2));

    public VerifierTests() => TestPrims.EnsureRegistered();

    private static IrVerificationException Rejects(Function f) => Assert.Throws<IrVerificationException>(() => Verifier.Verify(f));

    private static IrVerificationException Rejects(string text) => Rejects(IrParser.ParseFunction(text));

    [Fact]
    public void Well_formed_function_with_nested_regions_verifies()
    {
        Verifier.Verify(IrParser.ParseFunction("""
            func @ok(%x: f32[2], %y: f32[2]{weak}) -> (f32[2], f32[2]) {
              %a, %b = test.swap %x, %x : f32[2], f32[2]
              %r = test.region_op %a, %y (%p: f32[2], %q: f32[2]{weak}) {
                %s = test.add %p, %p : f32[2]
                %t = test.region_op %s (%u: f32[2]) { return %u } : f32[2]
                return %t
              } : f32[2]
              test.sink %r : ()
              return %r, %b
            }
            """));
    }

    [Fact]
    public void Result_type_that_differs_from_the_type_rule_names_function_op_and_types()
    {
        var e = Rejects("func @f(%0: f32[2], %1: f32[2]) -> () {\n  %2 = test.neg %0 : f32[2]\n  %3 = test.add %0, %1 : f32[3]\n  return\n}");
        Assert.Equal("@f: op 1 (test.add): result 0 has type f32[3], but the type rule gives f32[2]", e.Message);
        Assert.Equal(("f", 1, "test.add"), (e.FunctionName, e.OperationIndex, e.PrimitiveName));
        Assert.Equal("op 1 (test.add)", e.Location);
    }

    [Fact]
    public void Weak_flag_is_part_of_the_checked_result_type()
    {
        var e = Rejects("func @f(%0: f32[2]) -> () {\n  %1 = test.neg %0 : f32[2]{weak}\n  return\n}");
        Assert.Equal("@f: op 0 (test.neg): result 0 has type f32[2]{weak}, but the type rule gives f32[2]", e.Message);
    }

    [Fact]
    public void Wrong_result_count_is_reported()
    {
        var e = Rejects("func @f(%0: f32[2]) -> () {\n  %1, %2 = test.neg %0 : f32[2], f32[2]\n  return\n}");
        Assert.Equal("@f: op 0 (test.neg): has 2 results, but the type rule gives 1 (f32[2])", e.Message);
    }

    [Fact]
    public void Operands_the_type_rule_rejects_are_reported_with_the_rule_message()
    {
        var e = Rejects("func @f(%0: f32[2], %1: f32[3]) -> () {\n  %2 = test.add %0, %1 : f32[2]\n  return\n}");
        Assert.Equal("@f: op 0 (test.add): the type rule rejects operands (f32[2], f32[3]): test.add: incompatible types f32[2] and f32[3]", e.Message);
    }

    [Fact]
    public void Value_used_before_its_definition_is_reported()
    {
        var body = new Block([F32x2]);
        var first = new Operation(TestPrims.Neg, [body.Arguments[0]], [F32x2]);
        var second = new Operation(TestPrims.Neg, [first.Result], [F32x2]);
        body.SetOperations([second, first]);
        body.SetResults([second.Result]);
        var e = Rejects(new Function("f", body));
        // Printer numbering: %0 the argument, %1 the result of op 0 (second), %2 that of op 1 (first).
        Assert.Equal("@f: op 0 (test.neg): operand 0 uses %2: f32[2] before its definition by op 1 (test.neg)", e.Message);
    }

    [Fact]
    public void Value_from_another_function_is_not_defined_in_scope()
    {
        var other = new Block([F32x2]);
        var body = new Block([F32x2]);
        body.Append(new Operation(TestPrims.Add, [body.Arguments[0], other.Arguments[0]], [F32x2]));
        var e = Rejects(new Function("f", body));
        Assert.Equal("@f: op 0 (test.add): operand 1 uses a value of type f32[2] that is not defined anywhere in the function", e.Message);
    }

    [Fact]
    public void Value_defined_twice_is_reported_at_its_second_definition()
    {
        var body = new Block([F32x2]);
        var op = new Operation(TestPrims.Neg, [body.Arguments[0]], [F32x2]);
        body.SetOperations([op, op]);
        var e = Rejects(new Function("f", body));
        Assert.Equal("@f: op 1 (test.neg): value %1 (f32[2]) is defined twice (first by op 0 (test.neg))", e.Message);
    }

    [Fact]
    public void Argument_listed_twice_is_a_value_defined_twice()
    {
        var x = new Value(F32x2);
        var e = Rejects(new Function("f", new Block([x, x])));
        Assert.Equal("@f: value %0 (f32[2]) is defined twice (first as an argument)", e.Message);
        Assert.Null(e.OperationIndex);
    }

    [Fact]
    public void Region_using_a_value_of_the_enclosing_block_is_rejected_because_regions_are_closed()
    {
        var e = Rejects("""
            func @f(%0: f32[2], %1: f32[2]) -> () {
              %2 = test.region_op %0 (%3: f32[2]) {
                %4 = test.add %3, %1 : f32[2]
                return %4
              } : f32[2]
              return
            }
            """);
        Assert.Equal("@f: op 0 (test.region_op), region 0, op 0 (test.add): operand 1 uses %1: f32[2], defined outside this region (regions are closed: pass it in as an operand)", e.Message);
        Assert.Equal((0, "test.add"), (e.OperationIndex, e.PrimitiveName));
    }

    [Fact]
    public void Region_returning_a_value_of_the_enclosing_block_is_rejected()
    {
        var e = Rejects("func @f(%0: f32[2]) -> () {\n  %1 = test.region_op () {\n    return %0\n  } : f32[2]\n  return\n}");
        Assert.Equal("@f: op 0 (test.region_op), region 0, return: result 0 is %0: f32[2], defined outside this region (regions are closed: pass it in as an operand)", e.Message);
        Assert.Null(e.OperationIndex);
    }

    [Fact]
    public void Value_defined_inside_a_region_is_not_in_scope_after_it()
    {
        var f = IrParser.ParseFunction("func @f(%0: f32[2]) -> (f32[2]) {\n  %1 = test.region_op %0 (%2: f32[2]) {\n    %3 = test.neg %2 : f32[2]\n    return %3\n  } : f32[2]\n  return %1\n}");
        var inner = f.Body.Operations[0].Regions[0].Operations[0].Result;
        f.Body.Append(new Operation(TestPrims.Neg, [inner], [F32x2]));
        var e = Rejects(f);
        Assert.Equal("@f: op 1 (test.neg): operand 0 uses %3: f32[2], which is not in scope here (it is defined inside another region)", e.Message);
    }

    [Fact]
    public void Function_returning_an_undefined_value_is_rejected()
    {
        var body = new Block([F32x2]);
        body.SetResults([new Value(ShapedType.Scalar(DType.Int32))]);
        var e = Rejects(new Function("f", body));
        Assert.Equal("@f: return: result 0 is a value of type i32[] that is not defined anywhere in the function", e.Message);
        Assert.Equal("return", e.Location);
    }

    [Fact]
    public void Module_with_two_functions_of_one_name_is_rejected()
    {
        var module = new Module();
        module.Functions.Add(new Function("f", new Block([F32x2])));
        module.Functions.Add(new Function("f", new Block([F32x2])));
        var e = Assert.Throws<IrVerificationException>(() => Verifier.Verify(module));
        Assert.Equal("@f: the module defines this function twice", e.Message);
    }
}
