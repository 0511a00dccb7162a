namespace JaxToolchain.Ir.Tests.Fusion;

public class LivenessTests
{
    [Fact]
    public void Live_ranges_run_from_definition_to_last_use_or_the_return()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[3], %1: f32[3], %2: f32[3]) -> (f32[3], f32[3]) {
              %3 = add %0, %1 : f32[3]
              %4 = exp %3 : f32[3]
              %5 = neg %3 : f32[3]
              %6 = mul %4, %0 : f32[3]
              return %6, %4
            }
            """);
        var v = f.Parameters.Concat(f.Body.Operations.Select(op => op.Result)).ToArray();
        var live = Liveness.Of(f.Body);
        Assert.Equal(4, live.EndIndex);
        Assert.Equal([-1, -1, -1, 0, 1, 2, 3], v.Select(live.DefinitionIndex));
        Assert.Equal([3, 0, -1, 2, 4, 2, 4], v.Select(live.LastUseIndex));
        Assert.True(live.IsReturned(v[4]));
        Assert.True(live.IsLiveAfter(v[3], 1));
        Assert.False(live.IsLiveAfter(v[3], 2));
        Assert.Equal([v[1]], live.DyingAt(0));
        Assert.Empty(live.ReleasedAfter(0));
        Assert.Equal([v[3]], live.DyingAt(2));
        Assert.Equal([v[3], v[5]], live.ReleasedAfter(2));
        Assert.Equal([v[0]], live.DyingAt(3));
        Assert.Empty(live.ReleasedAfter(3));
        Assert.Equal(v, live.Values);
    }
}
