namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary>
/// <see cref="BufferPlanner"/>: slot reuse by liveness, in-place results, donated parameters, held results, symbolic sizes
/// and peak bytes, pinned as the plan's text.
/// </summary>
public class BufferPlannerTests
{
    private static readonly Dictionary<string, long> N1000 = new() { ["n"] = 1000 };

    /// <summary>Four reversals in a row: none can be in place.</summary>
    private const string FourRevs = """
        func @f(%0: f32[16]) -> (f32[16]) {
          %1 = rev %0 {dimensions = [0]} : f32[16]
          %2 = rev %1 {dimensions = [0]} : f32[16]
          %3 = rev %2 {dimensions = [0]} : f32[16]
          %4 = rev %3 {dimensions = [0]} : f32[16]
          return %4
        }
        """;

    private static BufferPlan Plan(string ir, params int[] donated) => BufferPlanner.Plan(IrParser.ParseFunction(ir), donated);

    private static void AssertPlan(string expected, BufferPlan plan) =>
        Assert.Equal(expected.ReplaceLineEndings("\n") + "\n", plan.ToString());

    [Fact]
    public void Dead_values_give_their_slot_to_later_values_of_the_same_size()
    {
        // rev is not elementwise, so nothing is in place: two slots alternate.
        var plan = Plan(FourRevs);
        AssertPlan("""
            buffer plan @f: 2 slots, 128 B
              slot 0: 64 B
              slot 1: 64 B (result)
              %1 -> slot 0
              %2 -> slot 1
              %3 -> slot 0
              %4 -> slot 1
            """, plan);
        Assert.Equal(128, plan.PeakBytes());
    }

    [Fact]
    public void Elementwise_results_take_the_slot_of_an_operand_dying_there_but_never_a_parameters()
    {
        var plan = Plan("""
            func @f(%0: f32[n,100], %1: f32[n,100]) -> (f32[n,100]) {
              %2 = add %0, %1 : f32[n,100]
              %3 = exp %2 : f32[n,100]
              %4 = mul %3, %0 : f32[n,100]
              %5 = neg %4 : f32[n,100]
              return %5
            }
            """);
        AssertPlan("""
            buffer plan @f: 1 slot, 400*n B
              slot 0: 400*n B (result)
              %2 -> slot 0
              %3 -> slot 0 (in place of %2)
              %4 -> slot 0 (in place of %3)
              %5 -> slot 0 (in place of %4)
            """, plan);
        Assert.Null(plan[plan.Function.Parameters[0]]);
        Assert.Equal(400_000, plan.PeakBytes(N1000));
    }

    [Fact]
    public void A_donated_parameter_is_a_slot_results_may_take_in_place_and_reuse_after_it_dies()
    {
        var plan = Plan(FourRevs, 0);
        AssertPlan("""
            buffer plan @f: 2 slots, 64 B
              slot 0: 64 B (donated %0) (result)
              slot 1: 64 B
              %0 -> slot 0
              %1 -> slot 1
              %2 -> slot 0
              %3 -> slot 1
              %4 -> slot 0
            """, plan);
        var inPlace = Plan("""
            func @f(%0: f32[8], %1: f32[8]) -> (f32[8]) {
              %2 = exp %0 : f32[8]
              %3 = add %2, %1 : f32[8]
              return %3
            }
            """, 0, 1);
        AssertPlan("""
            buffer plan @f: 2 slots, 0 B
              slot 0: 32 B (donated %0) (result)
              slot 1: 32 B (donated %1)
              %0 -> slot 0
              %1 -> slot 1
              %2 -> slot 0 (in place of %0)
              %3 -> slot 0 (in place of %2)
            """, inPlace);
    }

    [Fact]
    public void Slots_holding_results_are_not_reused_afterwards()
    {
        AssertPlan("""
            buffer plan @f: 3 slots, 96 B
              slot 0: 32 B
              slot 1: 32 B (result)
              slot 2: 32 B (result)
              %1 -> slot 0
              %2 -> slot 1
              %3 -> slot 0
              %4 -> slot 2
            """, Plan("""
            func @f(%0: f32[8]) -> (f32[8], f32[8]) {
              %1 = rev %0 {dimensions = [0]} : f32[8]
              %2 = rev %1 {dimensions = [0]} : f32[8]
              %3 = rev %2 {dimensions = [0]} : f32[8]
              %4 = rev %3 {dimensions = [0]} : f32[8]
              return %2, %4
            }
            """));
    }

    [Fact]
    public void Static_sizes_take_the_smallest_free_slot_that_fits()
    {
        AssertPlan("""
            buffer plan @f: 3 slots, 384 B
              slot 0: 64 B (result)
              slot 1: 128 B (result)
              slot 2: 192 B
              %2 -> slot 0
              %3 -> slot 1
              %4 -> slot 2
              %5 -> slot 0
              %6 -> slot 1
            """, Plan("""
            func @f(%0: f32[16], %1: f32[32]) -> (f32[12], f32[30]) {
              %2 = rev %0 {dimensions = [0]} : f32[16]
              %3 = rev %1 {dimensions = [0]} : f32[32]
              %4 = concatenate %2, %3 {dimension = 0} : f32[48]
              %5 = slice %4 {limit_indices = [12], start_indices = [0], strides = [1]} : f32[12]
              %6 = slice %4 {limit_indices = [30], start_indices = [0], strides = [1]} : f32[30]
              return %5, %6
            }
            """));
    }

    [Fact]
    public void Symbolic_sizes_only_reuse_slots_of_equal_symbolic_size()
    {
        var plan = Plan("""
            func @f(%0: f32[n,100], %1: f32[100,n]) -> (f32[100,n]) {
              %2 = rev %0 {dimensions = [0]} : f32[n,100]
              %3 = reduce_sum %2 {axes = [1]} : f32[n]
              %4 = rev %3 {dimensions = [0]} : f32[n]
              %5 = rev %1 {dimensions = [1]} : f32[100,n]
              return %5
            }
            """);
        AssertPlan("""
            buffer plan @f: 3 slots, 408*n B
              slot 0: 400*n B (result)
              slot 1: 4*n B
              slot 2: 4*n B
              %2 -> slot 0
              %3 -> slot 1
              %4 -> slot 2
              %5 -> slot 0
            """, plan);
        Assert.Equal(400_000 + 8_000, plan.PeakBytes(N1000));
    }

    [Fact]
    public void A_loop_fusion_result_takes_only_inputs_its_body_reads_element_for_element()
    {
        // %2 is read through a transpose and %1 through a broadcast: only %3 (added) and, in the second kernel, %5
        // (exp) and %4 (through two reshapes) can be overwritten.
        AssertPlan("""
            buffer plan @f: 3 slots, 192 B
              slot 0: 64 B
              slot 1: 64 B (result)
              slot 2: 64 B
              %2 -> slot 0
              %3 -> slot 1
              %4 -> slot 2
              %5 -> slot 1 (in place of %3)
              %13 -> slot 1 (in place of %5)
              %14 -> slot 2 (in place of %4)
              %21 -> slot 1 (in place of %13)
            """, Plan("""
            func @f(%0: f32[4,4], %1: f32[4]) -> (f32[4,4]) {
              %2 = rev %0 {dimensions = [0]} : f32[4,4]
              %3 = rev %0 {dimensions = [1]} : f32[4,4]
              %4 = rev %0 {dimensions = [0, 1]} : f32[4,4]
              %5 = fusion %2, %3, %1 {kind = "loop", name = "fusion_0"} (%6: f32[4,4], %7: f32[4,4], %8: f32[4]) {
                %9 = transpose %6 {permutation = [1, 0]} : f32[4,4]
                %10 = broadcast_in_dim %8 {broadcast_dimensions = [1], shape = <4,4>} : f32[4,4]
                %11 = mul %9, %10 : f32[4,4]
                %12 = add %11, %7 : f32[4,4]
                return %12
              } : f32[4,4]
              %13, %14 = fusion %5, %4 {kind = "loop", name = "fusion_1"} (%15: f32[4,4], %16: f32[4,4]) {
                %17 = exp %15 : f32[4,4]
                %18 = reshape %16 {shape = <16>} : f32[16]
                %19 = reshape %18 {shape = <4,4>} : f32[4,4]
                %20 = sub %17, %19 : f32[4,4]
                return %17, %20
              } : f32[4,4], f32[4,4]
              %21 = add %13, %14 : f32[4,4]
              return %21
            }
            """));
    }

    [Fact]
    public void A_twenty_operation_chain_needs_two_buffers_not_twenty()
    {
        // exp, rev, exp, rev, ... on f32[1000]: each exp overwrites its operand, each rev needs a second buffer.
        var ops = Enumerable.Range(1, 20).Select(i => i % 2 == 1
            ? $"  %{i} = exp %{i - 1} : f32[1000]"
            : $"  %{i} = rev %{i - 1} {{dimensions = [0]}} : f32[1000]");
        var chain = IrParser.ParseFunction($"func @chain(%0: f32[1000]) -> (f32[1000]) {{\n{string.Join("\n", ops)}\n  return %20\n}}\n");
        var plan = BufferPlanner.Plan(chain);
        Assert.Equal(20, plan.Assignments.Count);
        Assert.Equal(9, plan.Assignments.Count(a => a.InPlaceOf is not null)); // every exp but the first, which reads the parameter
        Assert.Equal(2, plan.Slots.Count);
        Assert.Equal(2 * 4000, plan.PeakBytes());
        Assert.Equal(2 * 4000, plan.TotalBytes.Value);
        var fused = BufferPlanner.Plan(new FusionPass().Run(chain));
        Assert.Equal(2 * 4000, fused.PeakBytes());
    }

    [Theory]
    [MemberData(nameof(FusedSamplesTests.Cases), MemberType = typeof(FusedSamplesTests))]
    public void Sample_functions_run_through_their_slots_give_the_same_numbers(string file, int index, string function)
    {
        var f = FusedSamplesTests.Load(file, index);
        var plan = BufferPlanner.Plan(new FusionPass().Run(f), Enumerable.Range(0, f.Parameters.Count));
        var (arguments, symbols) = SampleInputs.For(f);
        var expected = Interpreter.Run(f, arguments);
        var actual = SlotSimulator.Run(plan, arguments, symbols);
        for (int r = 0; r < expected.Length; r++)
            Assert.True(expected[r].BitwiseEquals(actual[r]), $"@{function}: result {r} differs when values live in their slots");
    }
}
