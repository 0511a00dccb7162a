using System.Diagnostics;
using System.Text;

namespace JaxToolchain.EndToEnd.Tests;

/// <summary>The output of a finished process: its exit code, stdout and stderr interleaved, and how long it ran.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The lines of the output that start (after indentation) with <paramref name="prefix"/>, trimmed.</summary>
    public IReadOnlyList<string> LinesStartingWith(string prefix) =>
        Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    /// <summary>Throws with the whole output unless the process exited 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"`{Command}` exited {ExitCode} after {Elapsed.TotalSeconds:F1} s; its output:\n{Output}");
        return this;
    }
}

/// <summary>
/// Runs the dotnet CLI (and built apps) as a user would, with a clean environment: no MSBuild variables inherited from
/// the <c>dotnet test</c> that runs these tests, telemetry off, and by default no reused MSBuild nodes and no build
/// server (as eng/test.sh); <see cref="UsersEnvironment"/> turns both back on, as on a user's machine.
/// </summary>
public static class Cli
{
    /// <summary>The longest any one step may take.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Variables the parent dotnet process sets for MSBuild; a child CLI must find its own.</summary>
    private static readonly string[] Inherited =
        ["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH", "MSBUILDNOINPROCNODE"];

    /// <summary>The environment of eng/test.sh: no node reuse, no build server.</summary>
    public static IReadOnlyDictionary<string, string?> OurEnvironment { get; } = new Dictionary<string, string?>
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
    };

    /// <summary>A user's environment: worker nodes are reused and the MSBuild server runs (design principle 9).</summary>
    public static IReadOnlyDictionary<string, string?> UsersEnvironment { get; } = new Dictionary<string, string?>
    {
        ["MSBUILDDISABLENODEREUSE"] = null,
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "1",
    };

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> in <paramref name="directory"/>.</summary>
    public static ProcessResult Run(string directory, string arguments, IReadOnlyDictionary<string, string?>? environment = null, Action<string>? log = null) =>
        Start("dotnet", arguments, directory, environment ?? OurEnvironment, log);

    /// <summary>Runs an executable (a built app) in <paramref name="directory"/>.</summary>
    public static ProcessResult Start(string fileName, string arguments, string directory, IReadOnlyDictionary<string, string?>? environment = null, Action<string>? log = null)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string name in Inherited) info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDTERMINALLOGGER"] = "off";
        foreach (var (name, value) in environment ?? OurEnvironment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }

        string command = $"{Path.GetFileName(fileName)} {arguments}";
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"`{command}` in {directory} did not finish within {StepTimeout}; its output:\n{output}");
        }
        process.WaitForExit(); // the end of the redirected streams
        clock.Stop();
        string text;
        lock (output) text = output.ToString();
        log?.Invoke($"[{clock.Elapsed.TotalSeconds,6:F1} s] {command} (exit {process.ExitCode})");
        return new ProcessResult(command, process.ExitCode, text, clock.Elapsed);
    }
}
