namespace JaxToolchain.Ir.Tests.Primitives;

/// <summary>Builders for the regions of control-flow tests.</summary>
internal static class TestOps
{
    /// <summary>A region with arguments of the given types whose body <paramref name="build"/> emits and returns.</summary>
    public static Block Region(ShapedType[] argumentTypes, Func<IrBuilder, IReadOnlyList<Value>, IEnumerable<Value>> build)
    {
        var block = new Block(argumentTypes);
        block.SetResults(build(new IrBuilder(block), block.Arguments).ToArray());
        return block;
    }
}
