using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;
using Xunit.Abstractions;

namespace Jax.StableHlo.Tests;

/// <summary>
/// Our IR samples (tests/Jax.Ir.Tests/IrSamples) exported by <see cref="StableHloExporter"/> and imported back compute
/// what the originals compute. Functions with symbolic dims are left out: the export prints them as <c>?</c>, and
/// the importer gives each <c>?</c> its own symbol (it does not unify them), so those do not import back.
/// </summary>
public sealed class RoundTripTests(ITestOutputHelper output)
{
    /// <summary>Every static sample that exports imports back and gives the same results.</summary>
    [Fact]
    public void ExportedSamplesImportBackAndAgree()
    {
        var dir = Path.Combine(StableHloSuite.RepositoryRoot, "tests", "Jax.Ir.Tests", "IrSamples");
        int checkedCount = 0;
        var failures = new List<string>();
        foreach (var path in Directory.EnumerateFiles(dir, "*.ir").Order(StringComparer.Ordinal))
        {
            Module module;
            try
            {
                module = IrParser.ParseModule(File.ReadAllText(path));
            }
            catch (FormatException)
            {
                continue; // samples of test-only primitives
            }
            foreach (var f in module.Functions)
            {
                if (!f.ParameterTypes.All(t => t.Shape.IsStatic)) continue;
                string text;
                try
                {
                    text = StableHloExporter.Export(f);
                }
                catch (NotSupportedException)
                {
                    continue;
                }
                try
                {
                    var back = StableHloImporter.ImportModule(text, f.Name).Functions[0];
                    var inputs = f.ParameterTypes.Select((t, i) => Values(t, i)).ToArray();
                    var want = Interpreter.Run(f, inputs.Select(b => b.Clone()).ToArray());
                    var got = Interpreter.Run(back, inputs.Select(b => b.Clone()).ToArray());
                    if (Difference(want, got) is { } why) failures.Add($"{f.Name}: {why}");
                    checkedCount++;
                }
                catch (StableHloImportException e) when (e.Failure == StableHloImportFailure.UnsupportedOperation)
                {
                    output.WriteLine($"{f.Name}: not imported: {e.Message}");
                }
                catch (Exception e)
                {
                    failures.Add($"{f.Name}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        output.WriteLine($"{checkedCount} samples round-tripped");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(checkedCount > 50, $"only {checkedCount} samples round-tripped");
    }

    private static Buffer Values(ShapedType type, int seed)
    {
        var rng = new Random(seed + 1);
        var b = Buffer.Zeros(type.DType, type.Shape);
        for (long i = 0; i < b.LongLength; i++)
        {
            if (type.DType.IsFloat()) b.SetDouble(i, Math.Round((rng.NextDouble() * 4) - 2, 3));
            else if (type.DType == DType.Bool) b.SetInt64(i, rng.Next(2));
            else b.SetInt64(i, rng.Next(0, 5));
        }
        return b;
    }

    private static string? Difference(Buffer[] want, Buffer[] got)
    {
        if (want.Length != got.Length) return $"{got.Length} results, expected {want.Length}";
        for (int r = 0; r < want.Length; r++)
        {
            if (want[r].Type != got[r].Type) return $"result {r} is {got[r].Type}, expected {want[r].Type}";
            for (long i = 0; i < want[r].LongLength; i++)
            {
                bool same = want[r].DType.IsFloat()
                    ? (double.IsNaN(want[r].GetDouble(i)) && double.IsNaN(got[r].GetDouble(i)))
                      || Math.Abs(want[r].GetDouble(i) - got[r].GetDouble(i)) <= 1e-6 * Math.Max(1, Math.Abs(want[r].GetDouble(i)))
                    : want[r].GetInt64(i) == got[r].GetInt64(i);
                if (!same) return $"result {r}[{i}] is {got[r].GetDouble(i)}, expected {want[r].GetDouble(i)}";
            }
        }
        return null;
    }
}
