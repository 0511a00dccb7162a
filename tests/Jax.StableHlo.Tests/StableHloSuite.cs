using System.Collections.Concurrent;
using System.Text;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>How a test function of StableHLO's suite is treated: run, or skipped for one of a few fixed reasons.</summary>
public enum CaseKind
{
    /// <summary>Imported: it runs through our interpreter and its checks must hold.</summary>
    Runnable,
    /// <summary>Uses an element type we have no dtype for (2/4-bit integers, complex, 8-bit floats, quantized).</summary>
    UnsupportedElementType,
    /// <summary>Uses collectives (all_gather, all_reduce, all_to_all, collective_permute, reduce_scatter, ...).</summary>
    Collectives,
    /// <summary>Uses host I/O operations or tokens (infeed, outfeed, send, recv, after_all, probes).</summary>
    HostIo,
    /// <summary>Uses an op (or a form of one) that our primitive set does not have.</summary>
    NotInPrimitiveSet,
}

/// <summary>One test function: a file, the index of its <c>// -----</c> chunk, and its name.</summary>
public sealed record SuiteCase(string File, int Chunk, string Function)
{
    /// <summary>The case as the report names it.</summary>
    public override string ToString() => $"{File}#{Chunk}:{Function}";
}

/// <summary>
/// StableHLO's interpreter tests, read from the folder <c>STABLEHLO_TESTS</c> names (default
/// <c>../shared/stablehlo-interpret</c> beside the repository root): split into chunks at <c>// -----</c>, each chunk's
/// functions without arguments are test cases. Cases are classified once (import) and run once (interpret + checks);
/// both are cached for the theories and the report.
/// </summary>
public static class StableHloSuite
{
    private static readonly Lazy<string?> FolderValue = new(FindFolder);
    private static readonly Lazy<IReadOnlyList<(SuiteCase Case, CaseKind Kind, string Detail)>> CasesValue = new(Discover);
    private static readonly ConcurrentDictionary<SuiteCase, string?> Outcomes = new();
    private static readonly ConcurrentDictionary<(string File, int Chunk), string> Chunks = new();

    /// <summary>The runtime's compositions of ops outside our primitive set (triangular_solve) are the importer's, as in an app.</summary>
    static StableHloSuite() => JaxToolchain.StableHloCompositions.EnsureRegistered();

    /// <summary>The repository root (the folder holding Jax.Toolchain.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Jax.Toolchain.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("no Jax.Toolchain.sln above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The folder the suite is read from, as configured (it may not exist).</summary>
    public static string ConfiguredFolder =>
        Environment.GetEnvironmentVariable("STABLEHLO_TESTS") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "stablehlo-interpret"));

    /// <summary>The suite's folder, or null when it is absent.</summary>
    public static string? Folder => FolderValue.Value;

    private static string? FindFolder() => Directory.Exists(ConfiguredFolder) ? ConfiguredFolder : null;

    /// <summary>Every case with its classification and, for skips, the detail (the op or type named by the importer).</summary>
    public static IReadOnlyList<(SuiteCase Case, CaseKind Kind, string Detail)> Cases => CasesValue.Value;

    private static List<(SuiteCase, CaseKind, string)> Discover()
    {
        var cases = new List<(SuiteCase, CaseKind, string)>();
        if (Folder is not { } folder) return cases;
        foreach (var path in Directory.EnumerateFiles(folder, "*.mlir", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var file = Path.GetRelativePath(folder, path).Replace('\\', '/');
            var chunks = Split(File.ReadAllText(path));
            for (int k = 0; k < chunks.Count; k++)
            {
                Chunks[(file, k)] = chunks[k];
                var (kind, detail) = Classify(file, chunks[k]);
                foreach (var name in TestFunctions(chunks[k]))
                    cases.Add((new SuiteCase(file, k, name), kind, detail));
            }
        }
        return cases;
    }

    /// <summary>The chunks of a file; each keeps its lines' numbers (earlier lines are left blank).</summary>
    public static List<string> Split(string text)
    {
        var lines = text.Split('\n');
        var chunks = new List<string>();
        var current = new StringBuilder();
        int start = 0;
        for (int i = 0; i <= lines.Length; i++)
        {
            if (i == lines.Length || lines[i].TrimEnd('\r').Trim() == "// -----")
            {
                chunks.Add(new string('\n', start) + current);
                current.Clear();
                start = i + 1;
            }
            else current.Append(lines[i]).Append('\n');
        }
        return chunks;
    }

    /// <summary>The functions of a chunk that take no arguments (what StableHLO's interpreter runs).</summary>
    public static IEnumerable<string> TestFunctions(string chunk)
    {
        foreach (var line in chunk.Split('\n'))
        {
            var t = line.Trim();
            if (!t.StartsWith("func.func", StringComparison.Ordinal)) continue;
            int at = t.IndexOf('@', StringComparison.Ordinal);
            int paren = t.IndexOf('(', at + 1);
            if (at < 0 || paren < 0) continue;
            if (t.Length > paren + 1 && t[paren + 1] == ')') yield return t[(at + 1)..paren];
        }
    }

    /// <summary>How a chunk is treated: its import's failure kind decides.</summary>
    public static (CaseKind Kind, string Detail) Classify(string file, string chunk)
    {
        try
        {
            StableHloImporter.ImportModuleWithChecks(chunk, file);
            return (CaseKind.Runnable, "");
        }
        catch (StableHloImportException e)
        {
            return e.Failure switch
            {
                StableHloImportFailure.UnsupportedElementType => (CaseKind.UnsupportedElementType, e.Problem),
                StableHloImportFailure.Collective => (CaseKind.Collectives, e.OperationName ?? ""),
                StableHloImportFailure.HostIo => (CaseKind.HostIo, e.OperationName ?? ""),
                StableHloImportFailure.UnsupportedOperation => (CaseKind.NotInPrimitiveSet, e.Problem),
                _ => (CaseKind.Runnable, ""), // a syntax or validity error is an importer bug: the case runs and fails with it
            };
        }
    }

    /// <summary>The text of a case's chunk.</summary>
    public static string ChunkText(SuiteCase c) => Cases.Count == 0 ? "" : Chunks[(c.File, c.Chunk)];

    /// <summary>Runs a case (once; cached): null when it passes, else why it fails.</summary>
    public static string? Run(SuiteCase c) => Outcomes.GetOrAdd(c, RunUncached);

    private static string? RunUncached(SuiteCase c)
    {
        try
        {
            if (Cases.Count == 0) return "the suite is absent";
            var chunk = Chunks[(c.File, c.Chunk)];
            var imported = StableHloImporter.ImportModuleWithChecks(chunk, c.File);
            var function = imported.Module[c.Function];
            var results = Interpreter.Run(function);
            return CheckEvaluation.Failures(imported.Checks[c.Function], results);
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
