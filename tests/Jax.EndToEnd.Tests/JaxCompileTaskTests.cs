using System.Collections;
using JaxToolchain.Build.Tasks;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace JaxToolchain.EndToEnd.Tests;

/// <summary>
/// <see cref="JaxCompile"/> outside MSBuild, against a stand-in for jaxc: a shell script run by <c>/bin/sh</c> (the task's
/// <see cref="JaxCompile.DotnetHostPath"/>) that copies its response file and then behaves as the MODE variable says.
/// </summary>
public sealed class JaxCompileTaskTests : IDisposable
{
    private const string Script = """
        rsp="${1#@}"
        out=$(sed -n '/^--output$/{n;p;}' "$rsp")
        mkdir -p "$out" && cp "$rsp" "$out/args.rsp"
        case "$MODE" in
          error) echo "/src/App/Kernels.cs(12,17): error JAX1001: shape mismatch in Jnp.Dot"; exit 1 ;;
          internal) echo "jaxc: App: 1 [Jit] method(s)"; echo "jaxc: internal error: System.InvalidOperationException: boom" >&2; exit 2 ;;
          hang) exec sleep 30 ;;
          usage) echo "jaxc: unknown argument '--frobnicate'" >&2; exit 1 ;;
          nolist) exit 0 ;;
          ok)
            mkdir -p "$out/runtimes/linux-x64/native"
            echo '{}' > "$out/App.jax.json"; echo so > "$out/runtimes/linux-x64/native/libApp.jax.so"
            printf 'App.jax.json\nruntimes/linux-x64/native/libApp.jax.so\n' > "$out/jaxc.files"
            echo "jaxc: App: 1 [Jit] method(s), 1 signature(s) traced in 0.1 s"; exit 0 ;;
        esac
        exit 3
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("jax-task-tests-").FullName;
    private readonly RecordingEngine _engine = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private JaxCompile Task(string mode, string[]? rids = null)
    {
        string script = Path.Combine(_folder, "jaxc.sh");
        File.WriteAllText(script, Script.Replace("\r\n", "\n") + "\n");
        string assembly = Path.Combine(_folder, "obj", "App.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(assembly)!);
        File.WriteAllText(assembly, "not an assembly");
        return new JaxCompile
        {
            BuildEngine = _engine,
            DotnetHostPath = "/bin/sh",
            JaxcPath = script,
            Assembly = new TaskItem(assembly),
            References = [new TaskItem(Path.Combine(_folder, "ref", "System.Runtime.dll")), new TaskItem(Path.Combine(_folder, "ref dir", "Jax.Runtime.dll"))],
            OutputDirectory = Path.Combine(_folder, "obj", "jax", "out") + "/",
            RuntimeIdentifiers = rids ?? ["linux-x64", " ", "win-x64", "linux-x64"],
            Targets = ["cpu"],
            CacheDirectory = Path.Combine(_folder, "cache"),
            EnvironmentVariables = [$"MODE={mode}"],
            Timeout = 20_000,
        };
    }

    private static bool OnUnix => !OperatingSystem.IsWindows() && File.Exists("/bin/sh");

    [Fact]
    public void The_response_file_has_one_argument_per_line_as_the_contract_says()
    {
        if (!OnUnix) return;
        var task = Task("ok");
        Assert.True(task.Execute(), _engine.Summary);
        byte[] bytes = File.ReadAllBytes(Path.Combine(task.OutputDirectory, "args.rsp"));
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "the response file starts with a byte order mark");
        string[] lines = File.ReadAllText(Path.Combine(task.OutputDirectory, "args.rsp")).TrimEnd('\n').Split('\n');
        string output = Path.Combine(_folder, "obj", "jax", "out");
        Assert.Equal(
        [
            "--assembly", Path.Combine(_folder, "obj", "App.dll"),
            "--reference", Path.Combine(_folder, "ref", "System.Runtime.dll"),
            "--reference", Path.Combine(_folder, "ref dir", "Jax.Runtime.dll"),
            "--output", output,
            "--rid", "linux-x64", "--rid", "win-x64",
            "--target", "cpu",
            "--cache", Path.Combine(_folder, "cache"),
        ], lines);
    }

    [Fact]
    public void Success_outputs_the_written_files_and_logs_progress_at_normal_importance()
    {
        if (!OnUnix) return;
        var task = Task("ok");
        Assert.True(task.Execute(), _engine.Summary);
        Assert.Empty(_engine.Errors);
        string output = Path.Combine(_folder, "obj", "jax", "out");
        Assert.Equal(
            [(Path.Combine(output, "App.jax.json"), "App.jax.json"),
             (Path.Combine(output, "runtimes", "linux-x64", "native", "libApp.jax.so"), "runtimes/linux-x64/native/libApp.jax.so")],
            task.WrittenFiles.Select(f => (f.ItemSpec, f.GetMetadata("RelativePath"))));
        Assert.Contains(_engine.Messages, m => m.Message == "jaxc: App: 1 [Jit] method(s), 1 signature(s) traced in 0.1 s" && m.Importance == MessageImportance.Normal);
        Assert.Contains(_engine.Messages, m => m.Message!.StartsWith("JaxCompile: App.dll: jaxc wrote 2 files in ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_user_error_is_logged_at_its_file_and_line_and_nothing_else()
    {
        if (!OnUnix) return;
        Assert.False(Task("error").Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(("/src/App/Kernels.cs", 12, 17, "JAX1001", "shape mismatch in Jnp.Dot"), (error.File, error.LineNumber, error.ColumnNumber, error.Code, error.Message));
    }

    [Fact]
    public void An_internal_error_is_one_error_carrying_jaxcs_log()
    {
        if (!OnUnix) return;
        Assert.False(Task("internal").Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("JAX0002", error.Code);
        Assert.Contains("internal error (exit code 2)", error.Message);
        Assert.Contains("jaxc: App: 1 [Jit] method(s)", error.Message);
        Assert.Contains("System.InvalidOperationException: boom", error.Message);
    }

    [Fact]
    public void A_failure_without_a_diagnostic_is_one_error_carrying_jaxcs_log()
    {
        if (!OnUnix) return;
        Assert.False(Task("usage").Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("JAX0002", error.Code);
        Assert.Contains("exited with code 1", error.Message);
        Assert.Contains("jaxc: unknown argument '--frobnicate'", error.Message);
    }

    [Fact]
    public void A_hung_jaxc_is_stopped_after_the_timeout_and_fails_the_build()
    {
        if (!OnUnix) return;
        var task = Task("hang");
        task.Timeout = 1000;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(task.Execute());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the task took {clock.Elapsed}");
        var error = Assert.Single(_engine.Errors);
        Assert.Equal("JAX0003", error.Code);
        Assert.Contains("within 1000 ms", error.Message);
    }

    [Fact]
    public void Success_without_a_files_list_or_a_missing_jaxc_is_an_error()
    {
        if (!OnUnix) return;
        Assert.False(Task("nolist").Execute());
        Assert.Equal("JAX0002", Assert.Single(_engine.Errors).Code);
        var missing = Task("ok");
        missing.JaxcPath = Path.Combine(_folder, "nowhere", "jaxc.dll");
        Assert.False(missing.Execute());
        Assert.Equal("JAX0001", _engine.Errors[^1].Code);
    }

    /// <summary>An <see cref="IBuildEngine"/> that records what a task logs.</summary>
    private sealed class RecordingEngine : IBuildEngine
    {
        public List<BuildErrorEventArgs> Errors { get; } = [];
        public List<BuildWarningEventArgs> Warnings { get; } = [];
        public List<BuildMessageEventArgs> Messages { get; } = [];

        public string Summary => string.Join("\n", Errors.Select(e => "error " + e.Code + ": " + e.Message).Concat(Messages.Select(m => m.Message)));

        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "test.proj";

        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
        public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);
    }
}
