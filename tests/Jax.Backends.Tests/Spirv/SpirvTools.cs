using System.Diagnostics;
using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>Runs Debian's <c>spirv-val</c> and <c>spirv-dis</c> (package spirv-tools, installed by eng/prereqs.sh) on modules.</summary>
internal static class SpirvTools
{
    public const string Missing = "spirv-val/spirv-dis not found on PATH: sudo apt-get install spirv-tools (eng/prereqs.sh installs it)";

    public const string TargetEnvironment = "vulkan1.1";

    public static bool Available { get; } = Find("spirv-val") && Find("spirv-dis");

    private static bool Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    /// <summary>
    /// Every kernel of a function after <see cref="SpirvKernelCompiler.Prepare"/>, with the operation it computes, in
    /// program order; a <see cref="NotSupportedException"/> for the first operation without a lowering (where the program
    /// compiler would make a host step). Single-kernel steps only (what elementwise loops are).
    /// </summary>
    public static (Function Prepared, List<(Operation Operation, VulkanKernel Kernel)> Kernels) Compile(Function function)
    {
        var prepared = SpirvKernelCompiler.Prepare(function);
        var kernels = new List<(Operation, VulkanKernel)>();
        foreach (var op in prepared.Body.Operations)
            foreach (var kernel in SpirvKernelCompiler.CompileStep(op).Kernels) kernels.Add((op, kernel));
        return (prepared, kernels);
    }

    /// <summary>Runs spirv-val on the module; fails the test with its output when the module is invalid.</summary>
    public static void AssertValid(uint[] words, string? context = null)
    {
        var (code, output) = Run("spirv-val", words, "--target-env", TargetEnvironment);
        Assert.True(code == 0, $"spirv-val rejected the module{(context is null ? "" : $" ({context})")}:\n{output}\n{Disassemble(words)}");
    }

    /// <summary>
    /// A spirv-val new enough for SPV_KHR_cooperative_matrix (Debian 12's predates it): <c>JAX_SPIRV_VAL_NEXT</c>, else
    /// artifacts/spirv-tools-next/spirv-val, which eng/spirv-tools-next.sh fetches (eng/test.sh runs it); null without one.
    /// </summary>
    public static string? NextValidator { get; } = FindNextValidator();

    public const string NextMissing = "no spirv-val with SPV_KHR_cooperative_matrix: run eng/spirv-tools-next.sh (eng/test.sh does) or set JAX_SPIRV_VAL_NEXT";

    private static string? FindNextValidator()
    {
        if (Environment.GetEnvironmentVariable("JAX_SPIRV_VAL_NEXT") is { Length: > 0 } set) return File.Exists(set) ? set : null;
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Jax.Toolchain.sln")))
            {
                var path = Path.Combine(folder.FullName, "artifacts", "spirv-tools-next", "spirv-val");
                return File.Exists(path) ? path : null;
            }
        return null;
    }

    /// <summary>Runs the newer spirv-val (<see cref="NextValidator"/>) on a module that needs it (cooperative matrices); fails the test with its output when invalid.</summary>
    public static void AssertValidNext(uint[] words, string? context = null)
    {
        var (code, output) = Run(NextValidator ?? throw new InvalidOperationException(NextMissing), words, "--target-env", TargetEnvironment);
        Assert.True(code == 0, $"spirv-val (newer) rejected the module{(context is null ? "" : $" ({context})")}:\n{output}");
    }

    /// <summary>The module as spirv-dis prints it (raw ids, no header comments).</summary>
    public static string Disassemble(uint[] words)
    {
        var (code, output) = Run("spirv-dis", words, "--raw-id", "--no-header");
        Assert.True(code == 0, $"spirv-dis failed:\n{output}");
        return output;
    }

    private static (int Code, string Output) Run(string tool, uint[] words, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"jax-spirv-{Guid.NewGuid():N}.spv");
        File.WriteAllBytes(path, SpirvModuleBuilder.WordsToBytes(words));
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments) start.ArgumentList.Add(a);
            start.ArgumentList.Add(path);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A fact that needs spirv-val/spirv-dis: skipped, saying how to install them, when they are missing.</summary>
public sealed class SpirvToolsFactAttribute : FactAttribute
{
    public SpirvToolsFactAttribute()
    {
        if (!SpirvTools.Available) Skip = SpirvTools.Missing;
    }
}

/// <summary>A fact that needs the newer spirv-val (<see cref="SpirvTools.NextValidator"/>): skipped, naming the script that fetches it, without it.</summary>
public sealed class SpirvToolsNextFactAttribute : FactAttribute
{
    public SpirvToolsNextFactAttribute()
    {
        if (SpirvTools.NextValidator is null) Skip = SpirvTools.NextMissing;
    }
}

/// <summary>A theory that needs spirv-val/spirv-dis (see <see cref="SpirvToolsFactAttribute"/>).</summary>
public sealed class SpirvToolsTheoryAttribute : TheoryAttribute
{
    public SpirvToolsTheoryAttribute()
    {
        if (!SpirvTools.Available) Skip = SpirvTools.Missing;
    }
}
