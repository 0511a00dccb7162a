using JaxToolchain.Ir.Tests.Text;
using static JaxToolchain.Ir.Tests.Transforms.IrGolden;

namespace JaxToolchain.Ir.Tests.Transforms;

public class SimplifyTests
{
    public SimplifyTests() => TestPrims.EnsureRegistered();

    [Fact]
    public void Dce_removes_unused_operations_recursively_and_inside_regions()
    {
        var output = Run(new DcePass(), """
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3]) {
              %2 = add %0, %1 : f32[3]
              %3 = mul %2, %2 : f32[3]
              %4 = exp %3 : f32[3]
              %5 = test.region_op %0, %1 (%6: f32[3], %7: f32[3]) {
                %8 = mul %6, %7 : f32[3]
                %9 = add %6, %7 : f32[3]
                return %9
              } : f32[3]
              %10 = test.region_op %0, %1 (%11: f32[3], %12: f32[3]) {
                return %11
              } : f32[3]
              test.sink %2 : ()
              return %5
            }
            """);
        AssertIr("""
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3]) {
              %2 = test.region_op %0, %1 (%3: f32[3], %4: f32[3]) {
                %5 = add %3, %4 : f32[3]
                return %5
              } : f32[3]
              return %2
            }
            """, output);
    }

    [Fact]
    public void Weak_literal_chains_fold_to_one_constant()
    {
        var output = Pipelines.Simplify(IrParser.ParseFunction("""
            func @f(%0: f32[3]) -> (f32[3], f16[]) {
              %1 = constant {value = dense<f32[]: [1.5]>} : f32[]
              %2 = convert_element_type %1 {new_dtype = f32, weak_type = true} : f32[]{weak}
              %3 = convert_element_type %2 {new_dtype = f32, weak_type = false} : f32[]
              %4 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %5 = mul %0, %4 : f32[3]
              %6 = convert_element_type %2 {new_dtype = f16, weak_type = false} : f16[]
              return %5, %6
            }
            """));
        AssertIr("""
            func @f(%0: f32[3]) -> (f32[3], f16[]) {
              %1 = constant {value = dense<f32[]: [1.5]>} : f32[]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %3 = mul %0, %2 : f32[3]
              %4 = constant {value = dense<f16[]: [1.5]>} : f16[]
              return %3, %4
            }
            """, output);
    }

    [Fact]
    public void Dce_keeps_every_result_of_a_multi_result_operation_with_one_used()
    {
        var output = Run(new DcePass(), """
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3]) {
              %2, %3 = test.swap %0, %1 : f32[3], f32[3]
              return %3
            }
            """);
        AssertIr("""
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3]) {
              %2, %3 = test.swap %0, %1 : f32[3], f32[3]
              return %3
            }
            """, output);
    }

    [Fact]
    public void Simplification_passes_return_their_input_when_nothing_changes()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3]) {
              %2 = add %0, %1 : f32[3]
              %3 = mul %2, %0 : f32[3]
              return %3
            }
            """);
        Assert.Same(f, new DcePass().Run(f));
        Assert.Same(f, new CsePass().Run(f));
        Assert.Same(f, new CanonicalizePass().Run(f));
        Assert.Same(f, Pipelines.Simplify(f));
    }

    [Fact]
    public void Cse_reuses_identical_operations_and_cascades()
    {
        var output = Run(new CsePass(), """
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[], f32[]) {
              %2 = add %0, %1 : f32[3]
              %3 = add %0, %1 : f32[3]
              %4 = add %1, %0 : f32[3]
              %5 = mul %2, %3 : f32[3]
              %6 = mul %3, %2 : f32[3]
              %7 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %8 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %9 = constant {value = dense<f32[]: [3.0]>} : f32[]
              %10 = reduce_sum %5 {axes = [0]} : f32[]
              return %5, %6, %4, %2, %8, %9
            }
            """);
        // Operand order matters (add %1, %0 stays); mul %2, %3 and mul %3, %2 become the same once %3 is %2.
        AssertIr("""
            func @f(%0: f32[3], %1: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[], f32[]) {
              %2 = add %0, %1 : f32[3]
              %3 = add %1, %0 : f32[3]
              %4 = mul %2, %2 : f32[3]
              %5 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %6 = constant {value = dense<f32[]: [3.0]>} : f32[]
              %7 = reduce_sum %4 {axes = [0]} : f32[]
              return %4, %4, %3, %2, %5, %6
            }
            """, output);
    }

    [Fact]
    public void Cse_keeps_operations_with_different_attributes_and_treats_each_region_as_its_own_scope()
    {
        var output = Run(new CsePass(), """
            func @f(%0: f32[2,3]) -> (f32[3], f32[2], f32[], f32[]) {
              %1 = reduce_sum %0 {axes = [0]} : f32[3]
              %2 = reduce_sum %0 {axes = [1]} : f32[2]
              %3 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %4 = test.region_op %3 (%5: f32[]) {
                %6 = constant {value = dense<f32[]: [1.0]>} : f32[]
                %7 = constant {value = dense<f32[]: [1.0]>} : f32[]
                %8 = add %6, %7 : f32[]
                return %8
              } : f32[]
              return %1, %2, %3, %4
            }
            """);
        AssertIr("""
            func @f(%0: f32[2,3]) -> (f32[3], f32[2], f32[], f32[]) {
              %1 = reduce_sum %0 {axes = [0]} : f32[3]
              %2 = reduce_sum %0 {axes = [1]} : f32[2]
              %3 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %4 = test.region_op %3 (%5: f32[]) {
                %6 = constant {value = dense<f32[]: [1.0]>} : f32[]
                %7 = add %6, %6 : f32[]
                return %7
              } : f32[]
              return %1, %2, %3, %4
            }
            """, output);
    }

    [Fact]
    public void Canonicalize_folds_identities_but_not_multiplication_by_zero()
    {
        var output = Run(new CanonicalizePass(), """
            func @f(%0: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %3 = add %0, %2 : f32[3]
              %4 = add %2, %3 : f32[3]
              %5 = constant {value = dense<f32[3]: [1.0, 1.0, 1.0]>} : f32[3]
              %6 = mul %4, %5 : f32[3]
              %7 = div %6, %5 : f32[3]
              %8 = sub %7, %2 : f32[3]
              %9 = neg %8 : f32[3]
              %10 = neg %9 : f32[3]
              %11 = mul %10, %2 : f32[3]
              return %3, %4, %6, %7, %8, %10, %11
            }
            """);
        AssertIr("""
            func @f(%0: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %3 = constant {value = dense<f32[3]: [1.0, 1.0, 1.0]>} : f32[3]
              %4 = neg %0 : f32[3]
              %5 = mul %0, %2 : f32[3]
              return %0, %0, %0, %0, %0, %0, %5
            }
            """, output);
    }

    [Fact]
    public void Canonicalize_folds_no_op_shape_operations_and_composes_reshapes_and_transposes()
    {
        var output = Run(new CanonicalizePass(), """
            func @f(%0: f32[2,3], %1: f32[2,3,4]) -> (f32[2,3], f32[3,2], f32[4,2,3], f32[2,3]) {
              %2 = convert_element_type %0 {new_dtype = f32, weak_type = false} : f32[2,3]
              %3 = reshape %2 {shape = <2,3>} : f32[2,3]
              %4 = reduce_sum %3 {axes = []} : f32[2,3]
              %5 = broadcast_in_dim %4 {broadcast_dimensions = [0, 1], shape = <2,3>} : f32[2,3]
              %6 = transpose %5 {permutation = [0, 1]} : f32[2,3]
              %7 = reshape %6 {shape = <6>} : f32[6]
              %8 = reshape %7 {shape = <3,2>} : f32[3,2]
              %9 = transpose %1 {permutation = [1, 2, 0]} : f32[3,4,2]
              %10 = transpose %9 {permutation = [1, 2, 0]} : f32[4,2,3]
              %11 = transpose %0 {permutation = [1, 0]} : f32[3,2]
              %12 = transpose %11 {permutation = [1, 0]} : f32[2,3]
              return %6, %8, %10, %12
            }
            """);
        AssertIr("""
            func @f(%0: f32[2,3], %1: f32[2,3,4]) -> (f32[2,3], f32[3,2], f32[4,2,3], f32[2,3]) {
              %2 = reshape %0 {shape = <6>} : f32[6]
              %3 = reshape %0 {shape = <3,2>} : f32[3,2]
              %4 = transpose %1 {permutation = [1, 2, 0]} : f32[3,4,2]
              %5 = transpose %1 {permutation = [2, 0, 1]} : f32[4,2,3]
              %6 = transpose %0 {permutation = [1, 0]} : f32[3,2]
              return %0, %3, %5, %0
            }
            """, output);
    }

    [Fact]
    public void Canonicalize_composes_broadcasts_and_folds_select_of_equal_branches_or_a_constant_predicate()
    {
        var output = Run(new CanonicalizePass(), """
            func @f(%0: f32[3], %1: f32[3], %2: bool[3]) -> (f32[2,3,4], f32[3], f32[3]) {
              %3 = broadcast_in_dim %0 {broadcast_dimensions = [0], shape = <3,4>} : f32[3,4]
              %4 = broadcast_in_dim %3 {broadcast_dimensions = [1, 2], shape = <2,3,4>} : f32[2,3,4]
              %5 = select %2, %1, %1 : f32[3]
              %6 = constant {value = dense<bool[]: [false]>} : bool[]
              %7 = select %6, %0, %1 : f32[3]
              return %4, %5, %7
            }
            """);
        AssertIr("""
            func @f(%0: f32[3], %1: f32[3], %2: bool[3]) -> (f32[2,3,4], f32[3], f32[3]) {
              %3 = broadcast_in_dim %0 {broadcast_dimensions = [0], shape = <3,4>} : f32[3,4]
              %4 = broadcast_in_dim %0 {broadcast_dimensions = [1], shape = <2,3,4>} : f32[2,3,4]
              %5 = constant {value = dense<bool[]: [false]>} : bool[]
              return %4, %1, %1
            }
            """, output);
    }

    [Fact]
    public void Canonicalize_keeps_identities_that_would_change_the_type()
    {
        // x{weak} + 0 is strong, so it cannot become x; 0 + x{weak} likewise.
        var output = Run(new CanonicalizePass(), """
            func @f(%0: f32[]{weak}) -> (f32[], f32[]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = add %0, %1 : f32[]
              %3 = add %1, %0 : f32[]
              return %2, %3
            }
            """);
        AssertIr("""
            func @f(%0: f32[]{weak}) -> (f32[], f32[]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = add %0, %1 : f32[]
              %3 = add %1, %0 : f32[]
              return %2, %3
            }
            """, output);
    }

    [Fact]
    public void Canonicalize_folds_scalar_constant_expressions_keeping_weak_types()
    {
        var output = Run(new CanonicalizePass(), """
            func @f(%0: f32[4]) -> (f32[], f32[]{weak}, i32[], f32[4]) {
              %1 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %2 = constant {value = dense<f32[]: [3.0]>} : f32[]
              %3 = mul %1, %2 : f32[]
              %4 = add %3, %1 : f32[]
              %5 = convert_element_type %1 {new_dtype = f32, weak_type = true} : f32[]{weak}
              %6 = mul %5, %5 : f32[]{weak}
              %7 = convert_element_type %4 {new_dtype = i32, weak_type = false} : i32[]
              %8 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <4>} : f32[4]
              %9 = mul %0, %8 : f32[4]
              return %4, %6, %7, %9
            }
            """);
        // The weak constant stays a conversion of a strong one; broadcasts to more than one element are not folded.
        AssertIr("""
            func @f(%0: f32[4]) -> (f32[], f32[]{weak}, i32[], f32[4]) {
              %1 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %2 = constant {value = dense<f32[]: [3.0]>} : f32[]
              %3 = constant {value = dense<f32[]: [6.0]>} : f32[]
              %4 = constant {value = dense<f32[]: [8.0]>} : f32[]
              %5 = convert_element_type %1 {new_dtype = f32, weak_type = true} : f32[]{weak}
              %6 = constant {value = dense<f32[]: [4.0]>} : f32[]
              %7 = convert_element_type %6 {new_dtype = f32, weak_type = true} : f32[]{weak}
              %8 = constant {value = dense<i32[]: [8]>} : i32[]
              %9 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <4>} : f32[4]
              %10 = mul %0, %9 : f32[4]
              return %4, %7, %8, %10
            }
            """, output);
    }

    [Fact]
    public void Cleanup_pipeline_reaches_a_fixed_point()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[3]) -> (f32[3]) {
              %1 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %2 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %3 = add %1, %2 : f32[]
              %4 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %5 = sub %3, %4 : f32[]
              %6 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %7 = add %0, %6 : f32[3]
              %8 = exp %7 : f32[3]
              %9 = exp %0 : f32[3]
              %10 = add %8, %9 : f32[3]
              return %10
            }
            """);
        // (1 + 1) - 2 folds to 0, x + 0 to x, and the two exps of x become one.
        AssertIr("""
            func @f(%0: f32[3]) -> (f32[3]) {
              %1 = exp %0 : f32[3]
              %2 = add %1, %1 : f32[3]
              return %2
            }
            """, new PassManager(Pipelines.Cleanup().Passes.Concat(Pipelines.Cleanup().Passes)) { CheckInputUnchanged = true }.Run(f));
        AssertIr("""
            func @f(%0: f32[3]) -> (f32[3]) {
              %1 = exp %0 : f32[3]
              %2 = add %1, %1 : f32[3]
              return %2
            }
            """, Pipelines.Simplify(f));
        double[] x = [0.5, -1, 2];
        Assert.Equal(x.Select(v => (float)(2 * MathF.Exp((float)v))), Interpreter.Run(Pipelines.Simplify(f), Buffer.Of(x.Select(v => (float)v).ToArray()))[0].Span<float>().ToArray());
    }
}
