using JaxToolchain.Ir;
using JaxToolchain.Ir.Tests.Text;

namespace JaxToolchain.Ir.Tests.Passes;

public class FunctionClonerTests
{
    public FunctionClonerTests() => TestPrims.EnsureRegistered();

    private const string WithRegions = """
        func @f(%0: f32[2], %1: f32[2]) -> (f32[2], f32[2]) {
          %2, %3 = test.swap %0, %1 : f32[2], f32[2]
          %4 = test.region_op %2, %3 {branch = 1} (%5: f32[2], %6: f32[2]) {
            return %5
          } (%7: f32[2], %8: f32[2]) {
            %9 = test.add %7, %8 : f32[2]
            %10 = test.region_op %9 (%11: f32[2]) {
              %12 = test.neg %11 : f32[2]
              return %12
            } : f32[2]
            return %10
          } : f32[2]
          return %4, %2
        }

        """;

    private static IEnumerable<Value> AllValues(Block block) =>
        block.Arguments
            .Concat(block.Operations.SelectMany(op => op.Results.Concat(op.Regions.SelectMany(AllValues))));

    private static IEnumerable<Block> AllBlocks(Block block) =>
        new[] { block }.Concat(block.Operations.SelectMany(op => op.Regions.SelectMany(AllBlocks)));

    [Fact]
    public void Clone_prints_identically_and_shares_no_values_or_blocks_with_the_original()
    {
        var original = IrParser.ParseFunction(WithRegions);
        var copy = FunctionCloner.Clone(original);
        Assert.Equal(WithRegions, IrPrinter.Print(copy));
        Verifier.Verify(copy);
        var originalValues = AllValues(original.Body).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.Equal(13, originalValues.Count);
        Assert.DoesNotContain(AllValues(copy.Body), v => originalValues.Contains(v));
        var originalBlocks = AllBlocks(original.Body).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.Equal(4, originalBlocks.Count);
        Assert.DoesNotContain(AllBlocks(copy.Body), b => originalBlocks.Contains(b));
    }

    [Fact]
    public void Clone_can_rename_and_keeps_argument_name_hints()
    {
        var body = new Block([new Value(ShapedType.Scalar(DType.Int32)) { NameHint = "count" }]);
        body.SetResults([body.Arguments[0]]);
        var copy = FunctionCloner.Clone(new Function("f", body), "g");
        Assert.Equal("g", copy.Name);
        Assert.Equal("count", copy.Parameters[0].NameHint);
        Assert.Same(copy.Parameters[0], copy.Body.Results[0]);
    }

    [Fact]
    public void Mapping_sends_each_original_value_to_its_copy()
    {
        var original = IrParser.ParseFunction(WithRegions);
        var cloner = new FunctionCloner();
        var copy = cloner.CloneBlock(original.Body);
        var originalValues = AllValues(original.Body).ToList();
        var copiedValues = AllValues(copy).ToList();
        Assert.Equal(originalValues.Count, cloner.Mapping.Count);
        for (int i = 0; i < originalValues.Count; i++)
            Assert.Same(copiedValues[i], cloner.Lookup(originalValues[i]));
    }

    [Fact]
    public void Clone_into_inlines_a_region_with_its_arguments_mapped()
    {
        // Inline branch 1 of the region op at the top level: it computes -(x + y) from the swapped pair.
        var original = IrParser.ParseFunction(WithRegions);
        var regionOp = original.Body.Operations[1];
        var body = new Block(original.Body.ArgumentTypes);
        var cloner = new FunctionCloner();
        cloner.Map(original.Parameters[0], body.Arguments[0]);
        cloner.Map(original.Parameters[1], body.Arguments[1]);
        body.Append(cloner.CloneOperation(original.Body.Operations[0]));
        var branch = regionOp.Regions[1];
        for (int i = 0; i < branch.Arguments.Count; i++) cloner.Map(branch.Arguments[i], cloner.Lookup(regionOp.Operands[i]));
        body.SetResults(cloner.CloneInto(branch, body));
        var inlined = new Function("inlined", body);
        Verifier.Verify(inlined);
        float[] x = [1, 2.5f], y = [-4, 0.5f];
        var expected = x.Zip(y, (a, b) => -(b + a)).ToArray();
        Assert.Equal(expected, Interpreter.Run(inlined, Buffer.Of(x), Buffer.Of(y))[0].Span<float>().ToArray());
        Assert.Equal(expected, Interpreter.Run(original, Buffer.Of(x), Buffer.Of(y))[0].Span<float>().ToArray());
    }
}
