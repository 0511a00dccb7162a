namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>What the rule tests of region primitives share: parsing verified IR, listing every operation of a function (regions included), running it.</summary>
internal static class IrInspection
{
    /// <summary>Parses one function and verifies it.</summary>
    public static Function Parse(string text)
    {
        var f = IrParser.ParseFunction(text);
        Verifier.Verify(f);
        return f;
    }

    /// <summary>The first element of the first result of <paramref name="f"/> on <paramref name="args"/>, as a double.</summary>
    public static double Run1(Function f, params Buffer[] args) => Interpreter.Run(f, args)[0].GetDouble(0);

    /// <summary>Every operation of a block, each followed by those of its regions.</summary>
    public static IEnumerable<Operation> AllOperations(Block block) =>
        block.Operations.SelectMany(op => op.Regions.SelectMany(AllOperations).Prepend(op));

    /// <summary>The primitive names of every operation of a function, regions included.</summary>
    public static IEnumerable<string> PrimitiveNames(Function f) => AllOperations(f.Body).Select(op => op.Primitive.Name);
}
