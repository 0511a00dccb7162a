using System.Diagnostics;

namespace JaxToolchain.Runtime.Tests.Hardening;

/// <summary>
/// Hostile inputs that, handled wrong, would take the process down (use after dispose, allocations larger than the
/// machine, trees deeper than the stack): each runs in its own child process (tests/Jax.HostileProbe), which must
/// end the case with the expected clear exception rather than crash or hang.
/// </summary>
public class ChildProcessProbeTests
{
    [Theory]
    [InlineData("use-after-dispose", "caught ObjectDisposedException: the array i32[1000] has been deleted")]
    [InlineData("dense-4tib", "caught HostOutOfMemoryException: RESOURCE_EXHAUSTED: cannot allocate 4.4 TB for an array int32[1048576,1048576]")]
    [InlineData("dense-4tib-jit", "RESOURCE_EXHAUSTED: cannot allocate 4.4 TB for an array int32[1048576,1048576]")]
    [InlineData("normal-4tib", "caught NotSupportedException:")]
    [InlineData("deep-tree", "caught NestingDepthException: flattening ran out of stack")]
    public void Case_ends_in_a_clear_exception(string name, string expected)
    {
        var (exitCode, output) = Run(name);
        Assert.True(exitCode == 0, $"the probe process for '{name}' exited with {exitCode}:\n{output}");
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Run(string name)
    {
        var start = new ProcessStartInfo("dotnet", [ProbePath(), name])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the probe process for '{name}' hung for 120 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>tests/Jax.HostileProbe/bin/&lt;configuration&gt;/net10.0/Jax.HostileProbe.dll, beside this project's output.</summary>
    private static string ProbePath()
    {
        // This assembly runs from tests/Jax.Runtime.Tests/bin/<configuration>/net10.0/<rid>/.
        var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        while (dir is not null && dir.Name != "bin") dir = dir.Parent;
        Assert.NotNull(dir);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Parent!.Name;
        var path = Path.Combine(dir.Parent!.Parent!.FullName, "Jax.HostileProbe", "bin", configuration, "net10.0", "Jax.HostileProbe.dll");
        Assert.True(File.Exists(path), $"the probe {path} was not built");
        return path;
    }
}
