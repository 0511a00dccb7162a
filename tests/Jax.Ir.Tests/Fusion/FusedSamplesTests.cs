using JaxToolchain.Ir.Tests.Text;

namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary>
/// Every function of every <c>IrSamples/*.ir</c> file computes the same numbers, bit for bit, before and after
/// <see cref="FusionPass"/> (on deterministic random arguments), and its fused form verifies. New sample files are
/// picked up without edits.
/// </summary>
public class FusedSamplesTests
{
    /// <summary>Sample functions the interpreter cannot run, with the reason.</summary>
    private static readonly Dictionary<string, string> Skipped = new()
    {
        ["sin_custom_lin"] = "custom_lin only has a transpose: evaluating it is the forward-mode error of custom_vjp",
    };

    public FusedSamplesTests() => TestPrims.EnsureRegistered();

    /// <summary>Every sample function (file, index in the file, name), as the round-trip test lists them.</summary>
    private static IEnumerable<(string File, int Index, string Name)> Functions() =>
        IrSampleRoundTripTests.Cases().Select(row => ((string)row[0], (int)row[1], (string)row[2]));

    /// <summary>One case per sample function that the interpreter can run.</summary>
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (file, index, name) in Functions())
            if (!Skipped.ContainsKey(name)) data.Add(file, index, name);
        return data;
    }

    /// <summary>Function <paramref name="index"/> of a sample file.</summary>
    internal static Function Load(string file, int index)
    {
        TestPrims.EnsureRegistered();
        return IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", file))).Functions[index];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sample_function_computes_the_same_numbers_fused(string file, int index, string function)
    {
        var f = Load(file, index);
        Assert.Equal(function, IrPrinter.FunctionName(f.Name));
        var fused = new PassManager(new FusionPass()) { CheckInputUnchanged = true }.Run(f);
        SampleInputs.AssertSameNumbers(f, fused);
    }

    [Fact]
    public void Skipped_sample_functions_exist_and_the_interpreter_cannot_run_them()
    {
        foreach (var (name, reason) in Skipped)
        {
            var (file, index, _) = Functions().Single(f => f.Name == name);
            var f = Load(file, index);
            Assert.ThrowsAny<Exception>(() => Interpreter.Run(f, SampleInputs.For(f).Arguments));
            Assert.False(string.IsNullOrWhiteSpace(reason));
        }
    }
}
