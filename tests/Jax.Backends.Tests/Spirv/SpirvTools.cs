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

/// <summary>A theory that needs spirv-val/spirv-dis (see <see cref="SpirvToolsFactAttribute"/>).</summary>
public sealed class SpirvToolsTheoryAttribute : TheoryAttribute
{
    public SpirvToolsTheoryAttribute()
    {
        if (!SpirvTools.Available) Skip = SpirvTools.Missing;
    }
}
