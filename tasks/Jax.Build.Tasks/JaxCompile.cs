using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace JaxToolchain.Build.Tasks;

/// <summary>
/// Runs <c>jaxc</c> (<c>dotnet jaxc.dll @response-file</c>) on a project's intermediate assembly, out of process
/// (design principle 9), with the command line of <c>tasks/README.md</c>. Its diagnostics, printed in MSBuild's canonical
/// format, become errors and warnings at the user's file and line; its progress lines (<c>jaxc: ...</c>) are messages of
/// normal importance; exit code 2 (an internal error) becomes one error carrying jaxc's log. <see cref="ToolTask.Timeout"/>
/// bounds the run, so a hung compiler fails the build instead of hanging it. After success, <see cref="WrittenFiles"/>
/// lists the files of <c>&lt;output&gt;/jaxc.files</c>.
/// </summary>
public sealed class JaxCompile : ToolTask
{
    /// <summary>The exit code jaxc returns for an internal error (its log is printed).</summary>
    public const int InternalErrorExitCode = 2;

    /// <summary>The name of the file, in <see cref="OutputDirectory"/>, that lists the files jaxc wrote.</summary>
    public const string FilesListName = "jaxc.files";

    /// <summary>The prefix of jaxc's progress lines.</summary>
    public const string ProgressPrefix = "jaxc:";

    private readonly List<string> _log = [];
    private readonly Stopwatch _clock = new();

    /// <summary>The path of <c>jaxc.dll</c>.</summary>
    [Required]
    public string JaxcPath { get; set; } = "";

    /// <summary>The intermediate assembly (<c>@(IntermediateAssembly)</c>), woven in place by jaxc.</summary>
    [Required]
    public ITaskItem? Assembly { get; set; }

    /// <summary>The project's reference assemblies (<c>@(ReferencePath)</c>).</summary>
    public ITaskItem[] References { get; set; } = [];

    /// <summary>Where jaxc writes the manifest, the kernel libraries and <c>jaxc.files</c>.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The runtime identifiers to build kernels for (none: jaxc's default, all four).</summary>
    public string[] RuntimeIdentifiers { get; set; } = [];

    /// <summary>The backends (<c>cpu</c>, <c>vulkan</c>; none: jaxc's default, <c>cpu</c>).</summary>
    public string[] Targets { get; set; } = [];

    /// <summary>The object cache folder (optional).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// The project's StableHLO modules (<c>@(JaxModule)</c>: <c>.mlir</c> files), compiled into kernels like <c>[Jit]</c>
    /// methods; metadata <c>KernelName</c> overrides the kernel name (default: the file name without its extension).
    /// </summary>
    public ITaskItem[] Modules { get; set; } = [];

    /// <summary>Where jaxc writes the IR after every pass (optional; <c>-p:JaxDumpIr=true</c>).</summary>
    public string? DumpIrDirectory { get; set; }

    /// <summary>Whether jaxc also writes each kernel's StableHLO module beside its outputs (<c>-p:JaxEmitStableHlo=true</c>).</summary>
    public bool EmitStableHlo { get; set; }

    /// <summary>
    /// The <c>dotnet</c> host that runs jaxc; default: the SDK's (<c>DOTNET_HOST_PATH</c>, which the .NET SDK sets for
    /// MSBuild), else <c>dotnet</c> on the <c>PATH</c>.
    /// </summary>
    public string? DotnetHostPath { get; set; }

    /// <summary>The files jaxc wrote (from <c>jaxc.files</c>), each with metadata <c>RelativePath</c> (<c>/</c> separators).</summary>
    [Output]
    public ITaskItem[] WrittenFiles { get; private set; } = [];

    /// <inheritdoc/>
    protected override string ToolName => OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

    /// <inheritdoc/>
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Low;

    /// <inheritdoc/>
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

    /// <inheritdoc/>
    protected override Encoding ResponseFileEncoding => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <inheritdoc/>
    protected override string GenerateFullPathToTool()
    {
        foreach (string? candidate in new[] { DotnetHostPath, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate!;
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (folder.Length == 0) continue;
            string path = Path.Combine(folder, ToolName);
            if (File.Exists(path)) return path;
        }
        return ToolName;
    }

    /// <inheritdoc/>
    protected override bool ValidateParameters()
    {
        if (!File.Exists(JaxcPath))
        {
            Log.LogError(null, "JAX0001", null, null, 0, 0, 0, 0, "jaxc was not found at '{0}' (the Jax.Toolchain package is incomplete; JaxcPath overrides it)", JaxcPath);
            return false;
        }
        if (Assembly is null || !File.Exists(Assembly.ItemSpec))
        {
            Log.LogError(null, "JAX0001", null, null, 0, 0, 0, 0, "the assembly to compile, '{0}', does not exist", Assembly?.ItemSpec);
            return false;
        }
        return base.ValidateParameters();
    }

    /// <summary>The jaxc arguments, one per line (the response file's content).</summary>
    public IReadOnlyList<string> BuildArguments()
    {
        var arguments = new List<string> { "--assembly", Path.GetFullPath(Assembly!.ItemSpec) };
        foreach (var reference in References)
            arguments.AddRange(["--reference", Path.GetFullPath(reference.ItemSpec)]);
        arguments.AddRange(["--output", Path.TrimEndingDirectorySeparator(Path.GetFullPath(OutputDirectory))]);
        foreach (string rid in Clean(RuntimeIdentifiers))
            arguments.AddRange(["--rid", rid]);
        foreach (string target in Clean(Targets))
            arguments.AddRange(["--target", target]);
        if (!string.IsNullOrWhiteSpace(CacheDirectory))
            arguments.AddRange(["--cache", Path.TrimEndingDirectorySeparator(Path.GetFullPath(CacheDirectory!))]);
        if (!string.IsNullOrWhiteSpace(DumpIrDirectory))
            arguments.AddRange(["--dump-ir", Path.TrimEndingDirectorySeparator(Path.GetFullPath(DumpIrDirectory!))]);
        if (EmitStableHlo) arguments.AddRange(["--emit", "stablehlo"]);
        foreach (var module in Modules)
        {
            arguments.AddRange(["--module", Path.GetFullPath(module.ItemSpec)]);
            if (module.GetMetadata("KernelName") is { Length: > 0 } kernelName) arguments.AddRange(["--module-name", kernelName]);
        }
        return arguments;
    }

    private static IEnumerable<string> Clean(IEnumerable<string> values) =>
        values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal);

    /// <inheritdoc/>
    protected override string GenerateCommandLineCommands() => Quote(Path.GetFullPath(JaxcPath));

    /// <inheritdoc/>
    protected override string GenerateResponseFileCommands() => string.Join("\n", BuildArguments()) + "\n";

    /// <inheritdoc/>
    protected override string GetResponseFileSwitch(string responseFilePath) => Quote("@" + responseFilePath);

    private static string Quote(string argument) =>
        argument.IndexOfAny([' ', '\t', '"']) < 0 ? argument : "\"" + argument.Replace("\"", "\\\"") + "\"";

    /// <inheritdoc/>
    public override bool Execute()
    {
        Directory.CreateDirectory(OutputDirectory);
        string list = Path.Combine(OutputDirectory, FilesListName);
        if (File.Exists(list)) File.Delete(list); // a failed run leaves no stale list behind
        _clock.Restart();
        Log.LogMessage(MessageImportance.Normal, "JaxCompile: {0}: running jaxc", Path.GetFileName(Assembly?.ItemSpec));
        bool ok = base.Execute();
        _clock.Stop();
        if (!ok && !Log.HasLoggedErrors)
        {
            // ToolTask stops a tool that outlives Timeout with a warning only (MSB5002); the build must fail, saying why.
            Log.LogError(null, "JAX0003", null, Assembly?.ItemSpec, 0, 0, 0, 0,
                "jaxc did not finish on {0} within {1} ms (JaxCompileTimeout) and was stopped (exit code {2}); its log:{3}{4}",
                Path.GetFileName(Assembly?.ItemSpec), Timeout, ExitCode, Environment.NewLine, string.Join(Environment.NewLine, _log));
        }
        if (!ok || Log.HasLoggedErrors) return false;
        if (!File.Exists(list))
        {
            Log.LogError(null, "JAX0002", null, null, 0, 0, 0, 0, "jaxc exited 0 but wrote no {0} in {1}", FilesListName, OutputDirectory);
            return false;
        }
        WrittenFiles = [.. ReadFilesList(OutputDirectory)];
        Log.LogMessage(MessageImportance.Normal, "JaxCompile: {0}: jaxc wrote {1} files in {2} s", Path.GetFileName(Assembly!.ItemSpec),
            WrittenFiles.Length, _clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>
    /// The files a <c>jaxc.files</c> in <paramref name="outputDirectory"/> lists, as items (full path) with metadata
    /// <c>RelativePath</c>; blank lines are skipped.
    /// </summary>
    public static IEnumerable<ITaskItem> ReadFilesList(string outputDirectory)
    {
        foreach (string line in File.ReadAllLines(Path.Combine(outputDirectory, FilesListName)))
        {
            string relative = line.Trim();
            if (relative.Length == 0) continue;
            string path = Path.GetFullPath(Path.Combine(outputDirectory, relative.Replace('/', Path.DirectorySeparatorChar)));
            var item = new TaskItem(path);
            item.SetMetadata("RelativePath", relative);
            yield return item;
        }
    }

    /// <inheritdoc/>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        _log.Add(singleLine);
        // jaxc's own lines (progress, and "jaxc: internal error: ..." before exit code 2) are messages, never parsed as
        // canonical errors: an internal error becomes the one error of HandleTaskExecutionErrors.
        if (singleLine.StartsWith(ProgressPrefix, StringComparison.Ordinal))
            Log.LogMessage(MessageImportance.Normal, "{0}", singleLine);
        else
            base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    /// <inheritdoc/>
    protected override bool HandleTaskExecutionErrors()
    {
        if (ExitCode == InternalErrorExitCode)
        {
            Log.LogError(null, "JAX0002", null, Assembly?.ItemSpec, 0, 0, 0, 0,
                "jaxc failed with an internal error (exit code 2) on {0}; its log:{1}{2}",
                Path.GetFileName(Assembly?.ItemSpec), Environment.NewLine, string.Join(Environment.NewLine, _log));
            return false;
        }
        if (!Log.HasLoggedErrors)
        {
            Log.LogError(null, "JAX0002", null, Assembly?.ItemSpec, 0, 0, 0, 0,
                "jaxc exited with code {0} on {1} without a diagnostic; its log:{2}{3}",
                ExitCode, Path.GetFileName(Assembly?.ItemSpec), Environment.NewLine, string.Join(Environment.NewLine, _log));
        }
        return false;
    }
}
