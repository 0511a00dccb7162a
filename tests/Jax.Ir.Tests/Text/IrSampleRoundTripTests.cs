using System.Text.RegularExpressions;
using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Text;

/// <summary>
/// Every function of every <c>IrSamples/**/*.ir</c> file (one file per primitive family, copied to the output
/// folder) verifies and round-trips through the printer and the parser. New files are picked up without edits.
/// </summary>
public partial class IrSampleRoundTripTests
{
    private const string NoSamples = "(no sample files)";

    public IrSampleRoundTripTests() => TestPrims.EnsureRegistered();

    private static string SampleDirectory => Path.Combine(AppContext.BaseDirectory, "IrSamples");

    private static string[] SampleFiles() =>
        Directory.Exists(SampleDirectory)
            ? Directory.EnumerateFiles(SampleDirectory, "*.ir", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : [];

    [GeneratedRegex("""^\s*func\s+@("(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_.$]+)""", RegexOptions.Multiline)]
    private static partial Regex FunctionHeader();

    /// <summary>One case per function header (file, index in the file, name as written).</summary>
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var path in SampleFiles())
        {
            var headers = FunctionHeader().Matches(File.ReadAllText(path));
            for (int i = 0; i < headers.Count; i++)
                data.Add(Path.GetRelativePath(SampleDirectory, path), i, headers[i].Groups[1].Value);
        }
        // xunit fails a theory without data; with no samples the one case checks that there are none.
        if (data.Count == 0) data.Add(NoSamples, -1, "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sample_function_verifies_and_round_trips_through_printer_and_parser(string file, int index, string function)
    {
        if (file == NoSamples)
        {
            Assert.Empty(SampleFiles());
            return;
        }
        var module = IrParser.ParseModule(File.ReadAllText(Path.Combine(SampleDirectory, file)));
        Assert.True(index < module.Functions.Count, $"{file} has {module.Functions.Count} functions, expected @{function} at index {index}");
        var f = module.Functions[index];
        Assert.Equal(function, IrPrinter.FunctionName(f.Name));
        Verifier.Verify(f);
        string printed = IrPrinter.Print(f);
        var reparsed = IrParser.ParseFunction(printed);
        Verifier.Verify(reparsed);
        Assert.Equal(printed, IrPrinter.Print(reparsed));
    }

    [Fact]
    public void Every_primitive_appears_in_a_sample_file()
    {
        var used = SampleFiles()
            .SelectMany(path => IrParser.ParseModule(File.ReadAllText(path)).Functions)
            .SelectMany(f => Operations(f.Body))
            .Select(op => op.Primitive.Name)
            .ToHashSet();
        var missing = PrimitiveRegistry.All.Select(p => p.Name)
            .Where(name => !name.Contains('.') && !used.Contains(name))
            .Order(StringComparer.Ordinal);
        Assert.Empty(missing);
    }

    private static IEnumerable<Operation> Operations(Block block) =>
        block.Operations.SelectMany(op => op.Regions.SelectMany(Operations).Prepend(op));
}
