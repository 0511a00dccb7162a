using JaxToolchain.Ir.Tests.Transforms;

namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary>
/// Golden tests of <see cref="FusionPass"/>: IR in, fused IR out (exact text); every output verifies, the pass leaves its
/// input unchanged, and the fused function computes the same numbers, bit for bit.
/// </summary>
public class FusionPassTests
{
    private static void AssertFuses(string input, string expected)
    {
        var fused = IrGolden.Run(new FusionPass(), input);
        IrGolden.AssertIr(expected, fused);
        SampleInputs.AssertSameNumbers(IrParser.ParseFunction(input), fused);
    }

    [Fact]
    public void Elementwise_chain_becomes_one_loop_fusion() => AssertFuses("""
            func @f(%0: f32[8], %1: f32[8]) -> (f32[8]) {
              %2 = add %0, %1 : f32[8]
              %3 = mul %2, %0 : f32[8]
              %4 = exp %3 : f32[8]
              %5 = neg %4 : f32[8]
              return %5
            }
            """, """
            func @f(%0: f32[8], %1: f32[8]) -> (f32[8]) {
              %2 = fusion %0, %1 {kind = "loop", name = "fusion_0"} (%3: f32[8], %4: f32[8]) {
                %5 = add %3, %4 : f32[8]
                %6 = mul %5, %3 : f32[8]
                %7 = exp %6 : f32[8]
                %8 = neg %7 : f32[8]
                return %8
              } : f32[8]
              return %2
            }
            """);

    [Fact]
    public void Selu_like_select_exp_chain_with_symbolic_dims_becomes_one_loop_with_its_constants_copied_in() => AssertFuses("""
            func @selu(%0: f32[n,100]) -> (f32[n,100]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <n,100>} : f32[n,100]
              %3 = gt %0, %2 : bool[n,100]
              %4 = exp %0 : f32[n,100]
              %5 = constant {value = dense<f32[]: [1.6732632]>} : f32[]
              %6 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <n,100>} : f32[n,100]
              %7 = mul %6, %4 : f32[n,100]
              %8 = sub %7, %6 : f32[n,100]
              %9 = select %3, %0, %8 : f32[n,100]
              %10 = constant {value = dense<f32[]: [1.050701]>} : f32[]
              %11 = broadcast_in_dim %10 {broadcast_dimensions = [], shape = <n,100>} : f32[n,100]
              %12 = mul %11, %9 : f32[n,100]
              return %12
            }
            """, """
            func @selu(%0: f32[n,100]) -> (f32[n,100]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_0"} (%2: f32[n,100]) {
                %3 = constant {value = dense<f32[]: [0.0]>} : f32[]
                %4 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <n,100>} : f32[n,100]
                %5 = gt %2, %4 : bool[n,100]
                %6 = exp %2 : f32[n,100]
                %7 = constant {value = dense<f32[]: [1.6732632]>} : f32[]
                %8 = broadcast_in_dim %7 {broadcast_dimensions = [], shape = <n,100>} : f32[n,100]
                %9 = mul %8, %6 : f32[n,100]
                %10 = sub %9, %8 : f32[n,100]
                %11 = select %5, %2, %10 : f32[n,100]
                %12 = constant {value = dense<f32[]: [1.050701]>} : f32[]
                %13 = broadcast_in_dim %12 {broadcast_dimensions = [], shape = <n,100>} : f32[n,100]
                %14 = mul %13, %11 : f32[n,100]
                return %14
              } : f32[n,100]
              return %1
            }
            """);

    [Fact]
    public void Softmax_fuses_each_reduction_with_its_producers_and_returns_the_exponentials_as_a_side_result() => AssertFuses("""
            func @softmax(%0: f32[8,16]) -> (f32[8,16]) {
              %1 = reduce_max %0 {axes = [1]} : f32[8]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [0], shape = <8,16>} : f32[8,16]
              %3 = sub %0, %2 : f32[8,16]
              %4 = exp %3 : f32[8,16]
              %5 = reduce_sum %4 {axes = [1]} : f32[8]
              %6 = broadcast_in_dim %5 {broadcast_dimensions = [0], shape = <8,16>} : f32[8,16]
              %7 = div %4, %6 : f32[8,16]
              return %7
            }
            """, """
            func @softmax(%0: f32[8,16]) -> (f32[8,16]) {
              %1 = fusion %0 {kind = "reduction", name = "fusion_0"} (%2: f32[8,16]) {
                %3 = reduce_max %2 {axes = [1]} : f32[8]
                return %3
              } : f32[8]
              %4, %5 = fusion %1, %0 {kind = "reduction", name = "fusion_1"} (%6: f32[8], %7: f32[8,16]) {
                %8 = broadcast_in_dim %6 {broadcast_dimensions = [0], shape = <8,16>} : f32[8,16]
                %9 = sub %7, %8 : f32[8,16]
                %10 = exp %9 : f32[8,16]
                %11 = reduce_sum %10 {axes = [1]} : f32[8]
                return %10, %11
              } : f32[8,16], f32[8]
              %12 = fusion %5, %4 {kind = "loop", name = "fusion_2"} (%13: f32[8], %14: f32[8,16]) {
                %15 = broadcast_in_dim %13 {broadcast_dimensions = [0], shape = <8,16>} : f32[8,16]
                %16 = div %14, %15 : f32[8,16]
                return %16
              } : f32[8,16]
              return %12
            }
            """);

    [Fact]
    public void Reduction_takes_its_elementwise_producers_and_an_elementwise_epilogue() => AssertFuses("""
            func @row_rms(%0: f32[n,10]) -> (f32[n]) {
              %1 = mul %0, %0 : f32[n,10]
              %2 = reduce_sum %1 {axes = [1]} : f32[n]
              %3 = constant {value = dense<f32[]: [10.0]>} : f32[]
              %4 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <n>} : f32[n]
              %5 = div %2, %4 : f32[n]
              %6 = sqrt %5 : f32[n]
              return %6
            }
            """, """
            func @row_rms(%0: f32[n,10]) -> (f32[n]) {
              %1 = fusion %0 {kind = "reduction", name = "fusion_0"} (%2: f32[n,10]) {
                %3 = mul %2, %2 : f32[n,10]
                %4 = reduce_sum %3 {axes = [1]} : f32[n]
                %5 = constant {value = dense<f32[]: [10.0]>} : f32[]
                %6 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <n>} : f32[n]
                %7 = div %4, %6 : f32[n]
                %8 = sqrt %7 : f32[n]
                return %8
              } : f32[n]
              return %1
            }
            """);

    [Fact]
    public void Dot_general_takes_bias_add_and_tanh_as_its_epilogue() => AssertFuses("""
            func @dense(%0: f32[n,64], %1: f32[64,32], %2: f32[32]) -> (f32[n,32]) {
              %3 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[n,32]
              %4 = broadcast_in_dim %2 {broadcast_dimensions = [1], shape = <n,32>} : f32[n,32]
              %5 = add %3, %4 : f32[n,32]
              %6 = tanh %5 : f32[n,32]
              return %6
            }
            """, """
            func @dense(%0: f32[n,64], %1: f32[64,32], %2: f32[32]) -> (f32[n,32]) {
              %3 = fusion %0, %1, %2 {kind = "dot", name = "fusion_0"} (%4: f32[n,64], %5: f32[64,32], %6: f32[32]) {
                %7 = dot_general %4, %5 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[n,32]
                %8 = broadcast_in_dim %6 {broadcast_dimensions = [1], shape = <n,32>} : f32[n,32]
                %9 = add %7, %8 : f32[n,32]
                %10 = tanh %9 : f32[n,32]
                return %10
              } : f32[n,32]
              return %3
            }
            """);

    [Fact]
    public void A_value_used_after_its_kernel_becomes_an_extra_result() => AssertFuses("""
            func @f(%0: f32[4,4], %1: f32[4,4]) -> (f32[4,4], f32[4,4]) {
              %2 = exp %0 : f32[4,4]
              %3 = neg %2 : f32[4,4]
              %4 = add %3, %1 : f32[4,4]
              %5 = transpose %2 {permutation = [1, 0]} : f32[4,4]
              return %4, %5
            }
            """, """
            func @f(%0: f32[4,4], %1: f32[4,4]) -> (f32[4,4], f32[4,4]) {
              %2, %3 = fusion %0, %1 {kind = "loop", name = "fusion_0"} (%4: f32[4,4], %5: f32[4,4]) {
                %6 = exp %4 : f32[4,4]
                %7 = neg %6 : f32[4,4]
                %8 = add %7, %5 : f32[4,4]
                return %6, %8
              } : f32[4,4], f32[4,4]
              %9 = transpose %2 {permutation = [1, 0]} : f32[4,4]
              return %3, %9
            }
            """);

    [Fact]
    public void A_value_coming_back_through_an_outside_operation_splits_the_kernel_instead_of_making_a_cycle() => AssertFuses("""
            func @f(%0: f32[4,4]) -> (f32[4,4]) {
              %1 = exp %0 : f32[4,4]
              %2 = transpose %1 {permutation = [1, 0]} : f32[4,4]
              %3 = add %1, %2 : f32[4,4]
              return %3
            }
            """, """
            func @f(%0: f32[4,4]) -> (f32[4,4]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_0"} (%2: f32[4,4]) {
                %3 = exp %2 : f32[4,4]
                return %3
              } : f32[4,4]
              %4 = transpose %1 {permutation = [1, 0]} : f32[4,4]
              %5 = fusion %1, %4 {kind = "loop", name = "fusion_1"} (%6: f32[4,4], %7: f32[4,4]) {
                %8 = add %6, %7 : f32[4,4]
                return %8
              } : f32[4,4]
              return %5
            }
            """);

    [Fact]
    public void Operations_inside_control_flow_regions_are_fused_in_their_region() => AssertFuses("""
            func @f(%0: f32[3], %1: f32[5,3], %2: i32[]) -> (f32[3], f32[5], f32[3]) {
              %3, %4 = scan %0, %1 {length = 5, num_carry = 1, num_consts = 0, reverse = false} (%5: f32[3], %6: f32[3]) {
                %7 = mul %5, %6 : f32[3]
                %8 = tanh %7 : f32[3]
                %9 = reduce_sum %8 {axes = [0]} : f32[]
                return %8, %9
              } : f32[3], f32[5]
              %10 = cond %2, %3 (%11: f32[3]) {
                %12 = exp %11 : f32[3]
                %13 = neg %12 : f32[3]
                return %13
              } (%14: f32[3]) {
                return %14
              } : f32[3]
              %15 = add %10, %3 : f32[3]
              return %3, %4, %15
            }
            """, """
            func @f(%0: f32[3], %1: f32[5,3], %2: i32[]) -> (f32[3], f32[5], f32[3]) {
              %3, %4 = scan %0, %1 {length = 5, num_carry = 1, num_consts = 0, reverse = false} (%5: f32[3], %6: f32[3]) {
                %7, %8 = fusion %5, %6 {kind = "reduction", name = "fusion_0"} (%9: f32[3], %10: f32[3]) {
                  %11 = mul %9, %10 : f32[3]
                  %12 = tanh %11 : f32[3]
                  %13 = reduce_sum %12 {axes = [0]} : f32[]
                  return %12, %13
                } : f32[3], f32[]
                return %7, %8
              } : f32[3], f32[5]
              %14 = cond %2, %3 (%15: f32[3]) {
                %16 = fusion %15 {kind = "loop", name = "fusion_1"} (%17: f32[3]) {
                  %18 = exp %17 : f32[3]
                  %19 = neg %18 : f32[3]
                  return %19
                } : f32[3]
                return %16
              } (%20: f32[3]) {
                return %20
              } : f32[3]
              %21 = fusion %14, %3 {kind = "loop", name = "fusion_2"} (%22: f32[3], %23: f32[3]) {
                %24 = add %22, %23 : f32[3]
                return %24
              } : f32[3]
              return %3, %4, %21
            }
            """);

    [Fact]
    public void Cheap_producers_are_copied_into_each_kernel_that_reads_them() => AssertFuses("""
            func @f(%0: f32[4,4]) -> (f32[4,4]) {
              %1 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <4,4>} : f32[4,4]
              %3 = mul %0, %2 : f32[4,4]
              %4 = transpose %3 {permutation = [1, 0]} : f32[4,4]
              %5 = add %4, %2 : f32[4,4]
              return %5
            }
            """, """
            func @f(%0: f32[4,4]) -> (f32[4,4]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_0"} (%2: f32[4,4]) {
                %3 = constant {value = dense<f32[]: [2.0]>} : f32[]
                %4 = broadcast_in_dim %3 {broadcast_dimensions = [], shape = <4,4>} : f32[4,4]
                %5 = mul %2, %4 : f32[4,4]
                return %5
              } : f32[4,4]
              %6 = transpose %1 {permutation = [1, 0]} : f32[4,4]
              %7 = fusion %6 {kind = "loop", name = "fusion_1"} (%8: f32[4,4]) {
                %9 = constant {value = dense<f32[]: [2.0]>} : f32[]
                %10 = broadcast_in_dim %9 {broadcast_dimensions = [], shape = <4,4>} : f32[4,4]
                %11 = add %8, %10 : f32[4,4]
                return %11
              } : f32[4,4]
              return %7
            }
            """);

    [Fact]
    public void A_cheap_producer_read_by_an_operation_outside_kernels_is_also_emitted() => AssertFuses("""
            func @f(%0: f32[4]) -> (f32[6]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = pad %0, %1 {high = [1], interior = [0], low = [1]} : f32[6]
              %3 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <6>} : f32[6]
              %4 = max %2, %3 : f32[6]
              return %4
            }
            """, """
            func @f(%0: f32[4]) -> (f32[6]) {
              %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
              %2 = pad %0, %1 {high = [1], interior = [0], low = [1]} : f32[6]
              %3 = fusion %2 {kind = "loop", name = "fusion_0"} (%4: f32[6]) {
                %5 = constant {value = dense<f32[]: [0.0]>} : f32[]
                %6 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <6>} : f32[6]
                %7 = max %4, %6 : f32[6]
                return %7
              } : f32[6]
              return %3
            }
            """);

    [Fact]
    public void Reshapes_stay_views_and_a_kernel_with_no_input_of_a_symbol_gets_an_argument_that_binds_it() => AssertFuses("""
            func @f(%0: f32[n,6], %1: f32[]) -> (f32[n,2,3], f32[n], f32[n]) {
              %2 = reshape %0 {shape = <n,2,3>} : f32[n,2,3]
              %3 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <n>} : f32[n]
              %4 = iota {dimension = 0, dtype = f32, shape = <n>} : f32[n]
              %5 = mul %3, %4 : f32[n]
              return %2, %3, %5
            }
            """, """
            func @f(%0: f32[n,6], %1: f32[]) -> (f32[n,2,3], f32[n], f32[n]) {
              %2 = reshape %0 {shape = <n,2,3>} : f32[n,2,3]
              %3, %4 = fusion %1, %0 {kind = "loop", name = "fusion_0"} (%5: f32[], %6: f32[n,6]) {
                %7 = broadcast_in_dim %5 {broadcast_dimensions = [], shape = <n>} : f32[n]
                %8 = iota {dimension = 0, dtype = f32, shape = <n>} : f32[n]
                %9 = mul %7, %8 : f32[n]
                return %7, %9
              } : f32[n], f32[n]
              return %2, %3, %4
            }
            """);

    [Fact]
    public void Fusing_fused_ir_again_changes_nothing()
    {
        var input = IrParser.ParseFunction("""
            func @f(%0: f32[4,4]) -> (f32[4,4]) {
              %1 = exp %0 : f32[4,4]
              %2 = transpose %1 {permutation = [1, 0]} : f32[4,4]
              %3 = constant {value = dense<f32[2]: [1.0, 2.0]>} : f32[2]
              %4 = add %1, %2 : f32[4,4]
              return %4
            }
            """);
        var fused = new FusionPass().Run(input);
        Assert.NotSame(input, fused);
        Assert.Same(fused, new FusionPass().Run(fused));
    }

    [Fact]
    public void A_function_with_nothing_to_fuse_is_returned_as_it_is()
    {
        var input = IrParser.ParseFunction("""
            func @f(%0: f32[4,4], %1: f32[]) -> (f32[4,4], f32[]) {
              %2 = transpose %0 {permutation = [1, 0]} : f32[4,4]
              %3 = reshape %2 {shape = <16>} : f32[16]
              %4 = sort %3 {dimension = 0, is_stable = true, num_keys = 1} : f32[16]
              %5 = reshape %4 {shape = <4,4>} : f32[4,4]
              return %5, %1
            }
            """);
        Assert.Same(input, new FusionPass().Run(input));
    }

    [Fact]
    public void New_kernels_are_numbered_after_the_existing_ones()
    {
        var fused = IrGolden.Run(new FusionPass(), """
            func @f(%0: f32[3]) -> (f32[3]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_4"} (%2: f32[3]) {
                %3 = exp %2 : f32[3]
                return %3
              } : f32[3]
              %4 = rev %1 {dimensions = [0]} : f32[3]
              %5 = sin %4 : f32[3]
              return %5
            }
            """);
        IrGolden.AssertIr("""
            func @f(%0: f32[3]) -> (f32[3]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_4"} (%2: f32[3]) {
                %3 = exp %2 : f32[3]
                return %3
              } : f32[3]
              %4 = rev %1 {dimensions = [0]} : f32[3]
              %5 = fusion %4 {kind = "loop", name = "fusion_5"} (%6: f32[3]) {
                %7 = sin %6 : f32[3]
                return %7
              } : f32[3]
              return %5
            }
            """, fused);
    }

    [Fact]
    public void Two_reductions_and_two_dots_never_share_a_kernel()
    {
        var fused = IrGolden.Run(new FusionPass(), """
            func @f(%0: f32[4,4], %1: f32[4,4]) -> (f32[], f32[4,4]) {
              %2 = reduce_sum %0 {axes = [1]} : f32[4]
              %3 = reduce_max %2 {axes = [0]} : f32[]
              %4 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[4,4]
              %5 = dot_general %4, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[4,4]
              return %3, %5
            }
            """);
        var kinds = fused.Body.Operations.Select(op => op.Attributes.String("kind")).ToArray();
        Assert.Equal(["reduction", "reduction", "dot", "dot"], kinds);
    }
}
