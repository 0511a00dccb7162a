namespace JaxToolchain.Jaxc;

/// <summary>The command line of <c>jaxc</c> (tasks/README.md): one argument per line in a response file, or as they are.</summary>
internal sealed record JaxcOptions
{
    /// <summary>The RIDs built when none is named.</summary>
    public static readonly string[] DefaultRids = ["linux-x64", "linux-arm64", "win-x64", "osx-arm64"];

    public required string Assembly { get; init; }
    public IReadOnlyList<string> References { get; init; } = [];
    public required string Output { get; init; }
    public IReadOnlyList<string> Rids { get; init; } = DefaultRids;
    public IReadOnlyList<string> Targets { get; init; } = ["cpu"];
    public string? Cache { get; init; }
    public string? DumpIr { get; init; }

    /// <summary>Extra outputs to write beside the others: <c>stablehlo</c> (each kernel's StableHLO module, <c>NAME.stablehlo.mlir</c>).</summary>
    public IReadOnlyList<string> Emit { get; init; } = [];
    /// <summary>The StableHLO modules (<c>JaxModule</c> items) to compile, each with its kernel name.</summary>
    public IReadOnlyList<ModuleItem> Modules { get; init; } = [];

    /// <summary>Parses the arguments (expanding <c>@file</c> response files); throws <see cref="ArgumentException"/> with the usage on a mistake.</summary>
    public static JaxcOptions Parse(IEnumerable<string> args)
    {
        var expanded = new List<string>();
        foreach (string arg in args)
        {
            if (arg.StartsWith('@'))
                expanded.AddRange(File.ReadAllLines(arg[1..]).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                    .SelectMany(SplitLine));
            else expanded.Add(arg);
        }
        string? assembly = null, output = null, cache = null, dumpIr = null;
        var references = new List<string>();
        var rids = new List<string>();
        var targets = new List<string>();
        var emit = new List<string>();
        var modules = new List<ModuleItem>();
        for (int i = 0; i < expanded.Count; i++)
        {
            string Value() => i + 1 < expanded.Count ? expanded[++i] : throw Usage($"{expanded[i]} needs a value");
            switch (expanded[i])
            {
                case "--assembly": assembly = Value(); break;
                case "--reference": references.Add(Value()); break;
                case "--output": output = Value(); break;
                case "--rid": rids.AddRange(Value().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--target": targets.AddRange(Value().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--cache": cache = Value(); break;
                case "--dump-ir": dumpIr = Value(); break;
                case "--emit": emit.AddRange(Value().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--module":
                    string path = Value();
                    modules.Add(new ModuleItem(path, Path.GetFileNameWithoutExtension(path)));
                    break;
                case "--module-name":
                    if (modules.Count == 0) throw Usage("--module-name names the module of the --module before it");
                    modules[^1] = modules[^1] with { Name = Value() };
                    break;
                default: throw Usage($"unknown argument '{expanded[i]}'");
            }
        }
        foreach (string target in targets)
            if (target is not ("cpu" or "vulkan")) throw Usage($"unknown target '{target}' (cpu, vulkan)");
        foreach (string kind in emit)
            if (kind is not "stablehlo") throw Usage($"unknown --emit kind '{kind}' (stablehlo)");
        return new JaxcOptions
        {
            Assembly = assembly ?? throw Usage("--assembly is required"),
            Output = output ?? throw Usage("--output is required"),
            References = references,
            Rids = rids.Count > 0 ? rids.Distinct().ToArray() : DefaultRids,
            Targets = targets.Count > 0 ? targets.Distinct().ToArray() : ["cpu"],
            Cache = cache,
            DumpIr = dumpIr,
            Emit = emit.Distinct().ToArray(),
            Modules = modules,
        };
    }

    /// <summary>A response-file line: "--option value" or a single argument (a quoted value keeps its spaces).</summary>
    private static IEnumerable<string> SplitLine(string line)
    {
        int space = line.IndexOf(' ');
        if (!line.StartsWith("--", StringComparison.Ordinal) || space < 0) return [Unquote(line)];
        return [line[..space], Unquote(line[(space + 1)..].Trim())];
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    private static ArgumentException Usage(string problem) => new(
        $"jaxc: {problem}\nusage: jaxc --assembly <dll> --output <dir> [--reference <dll>]... [--rid <rid>]... [--target cpu|vulkan]... [--cache <dir>] [--dump-ir <dir>] [--emit stablehlo] [--module <file.mlir> [--module-name <name>]]...");
}

/// <summary>A StableHLO module to compile: its file and its kernel name (what <c>Jax.Load</c> finds it by).</summary>
internal sealed record ModuleItem(string Path, string Name);
