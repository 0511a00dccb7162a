namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>Golden IR tests: text in, a pass, printed text out.</summary>
internal static class IrGolden
{
    /// <summary>Parses <paramref name="input"/> and runs <paramref name="pass"/> through a pass manager that verifies
    /// the output and checks the pass left its input unchanged.</summary>
    public static Function Run(IPass pass, string input) =>
        new PassManager(pass) { CheckInputUnchanged = true }.Run(IrParser.ParseFunction(input));

    /// <summary>Asserts the printed form of <paramref name="actual"/> (raw string literals lack the final newline).</summary>
    public static void AssertIr(string expected, Function actual)
    {
        Verifier.Verify(actual);
        Assert.Equal(expected.ReplaceLineEndings("\n") + "\n", IrPrinter.Print(actual));
    }
}
