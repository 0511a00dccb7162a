namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary><see cref="LoweredFunction"/>: simplify, fuse and plan a traced function; its text and DOT renderings.</summary>
public class LoweredFunctionTests
{
    private const string Traced = """
        func @f(%0: f32[4], %1: f32[4]) -> (f32[4], f32[]) {
          %2 = mul %0, %1 : f32[4]
          %3 = rev %2 {dimensions = [0]} : f32[4]
          %4 = exp %3 : f32[4]
          %5 = reduce_sum %4 {axes = [0]} : f32[]
          %6 = neg %5 : f32[]
          return %4, %5
        }
        """;

    [Fact]
    public void Text_is_the_fused_ir_with_each_result_slot_in_a_comment()
    {
        var lowered = LoweredFunction.Create(IrParser.ParseFunction(Traced));
        Assert.Equal("""
            // buffer plan: 3 slots, 36 B allocated, peak 36 B
            // slot 0: 16 B (result)
            // slot 1: 16 B
            // slot 2: 4 B (result)
            func @f(%0: f32[4], %1: f32[4]) -> (f32[4], f32[]) {
              %2 = fusion %0, %1 {kind = "loop", name = "fusion_0"} (%3: f32[4], %4: f32[4]) {
                %5 = mul %3, %4 : f32[4]
                return %5
              } : f32[4]  // slot 0: 16 B
              %6 = rev %2 {dimensions = [0]} : f32[4]  // slot 1: 16 B
              %7, %8 = fusion %6 {kind = "reduction", name = "fusion_1"} (%9: f32[4]) {
                %10 = exp %9 : f32[4]
                %11 = reduce_sum %10 {axes = [0]} : f32[]
                return %10, %11
              } : f32[4], f32[]  // %7: slot 0: 16 B; %8: slot 2: 4 B
              return %7, %8
            }

            """.ReplaceLineEndings("\n"), lowered.Text);
        Assert.Equal(IrPrinter.Print(lowered.Fused), IrPrinter.Print(IrParser.ParseFunction(lowered.Text)));
        Assert.Same(lowered.Plan.Function, lowered.Fused);
    }

    [Fact]
    public void Dot_has_a_node_per_kernel_listing_its_primitives_and_edges_labelled_with_slots()
    {
        var lowered = LoweredFunction.Create(IrParser.ParseFunction(Traced));
        Assert.Equal("""
            digraph "f" {
              rankdir=TB;
              node [shape=box, fontname="monospace"];
              edge [fontname="monospace", fontsize=10];
              p0 [shape=ellipse, label="%0: f32[4]"];
              p1 [shape=ellipse, label="%1: f32[4]"];
              k0 [label="fusion_0 (loop)\nmul"];
              k1 [label="rev"];
              k2 [label="fusion_1 (reduction)\nexp, reduce_sum"];
              ret [shape=ellipse, label="return"];
              p0 -> k0 [label="%0 f32[4]"];
              p1 -> k0 [label="%1 f32[4]"];
              k0 -> k1 [label="%2 f32[4]\nslot 0: 16 B"];
              k1 -> k2 [label="%6 f32[4]\nslot 1: 16 B"];
              k2 -> ret [label="%7 f32[4]\nslot 0: 16 B"];
              k2 -> ret [label="%8 f32[]\nslot 2: 4 B"];
            }

            """.ReplaceLineEndings("\n"), lowered.Dot);
    }

    [Fact]
    public void Symbolic_functions_print_symbolic_sizes_and_control_flow_nodes_name_their_kernels()
    {
        var lowered = LoweredFunction.Create(IrParser.ParseFunction("""
            func @f(%0: f32[n], %1: i32[]) -> (f32[n]) {
              %2 = cond %1, %0 (%3: f32[n]) {
                %4 = exp %3 : f32[n]
                return %4
              } (%5: f32[n]) {
                %6 = sin %5 : f32[n]
                return %6
              } : f32[n]
              return %2
            }
            """), donatedParameters: [0]);
        Assert.StartsWith("// buffer plan: 2 slots, 4*n B allocated\n// slot 0: 4*n B (donated %0)\n// slot 1: 4*n B (result)\n", lowered.Text);
        Assert.Contains("""k0 [label="cond\nfusion_0, fusion_1"];""", lowered.Dot);
        Assert.Contains("""p0 [shape=ellipse, label="%0: f32[n]\ndonated, slot 0"];""", lowered.Dot);
    }
}
