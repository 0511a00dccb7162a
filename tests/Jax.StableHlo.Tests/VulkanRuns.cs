using System.Collections.Concurrent;
using JaxToolchain;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>
/// Runs the suite's cases on the machine's Vulkan device (lavapipe on CI machines) through the runtime's compiler for
/// it (the SPIR-V code generator that <see cref="JaxJit.Enable()"/> installs; steps without a SPIR-V lowering run on
/// the host, as in an application), with the same checks as the interpreter run. Outcomes are cached.
/// </summary>
public static class VulkanRuns
{
    private static readonly Lazy<(Device? Device, string? Why)> Gpu = new(() =>
    {
        if (!JaxJit.Enable(out var reason)) return (null, $"the runtime JIT (SPIR-V code generator) is unavailable: {reason}");
        var devices = JaxToolchain.Jax.Devices("vulkan");
        return devices.Count > 0 ? (devices[0], null) : (null, "no Vulkan device (install mesa-vulkan-drivers for lavapipe)");
    });

    private static readonly ConcurrentDictionary<SuiteCase, string?> Outcomes = new();
    private static readonly object Gate = new();

    /// <summary>Why the cases cannot run on Vulkan here, or null.</summary>
    public static string? Unavailable => Gpu.Value.Why;

    /// <summary>Compiles a function without parameters for the Vulkan device and runs it; null where no device is available.</summary>
    public static Buffer[]? RunFunction(Function function)
    {
        if (Gpu.Value.Device is not { } device) return null;
        // One device queue: runs are serialised (the theory's cases may run beside other classes).
        lock (Gate)
        {
            var executable = KernelRegistry.CompilerFor(device.Descriptor).Compile(function, new CompileOptions(device.Descriptor, function.Name));
            return executable.Execute([]).Select(r => r.ReadHost()).ToArray();
        }
    }

    /// <summary>Runs a case on Vulkan (once; cached): null when every check held, else what failed.</summary>
    public static string? Run(SuiteCase c) => Outcomes.GetOrAdd(c, RunUncached);

    private static string? RunUncached(SuiteCase c)
    {
        if (Gpu.Value.Device is null) throw new InvalidOperationException(Unavailable);
        try
        {
            var imported = StableHloImporter.ImportModuleWithChecks(StableHloSuite.ChunkText(c), c.File);
            var results = RunFunction(imported.Module[c.Function])!;
            return CheckEvaluation.Failures(imported.Checks[c.Function], results);
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}

/// <summary>A theory skipped where no Vulkan device (or no SPIR-V code generator) is available, with the reason.</summary>
public sealed class VulkanTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips with <see cref="VulkanRuns.Unavailable"/> when set.</summary>
    public VulkanTheoryAttribute()
    {
        if (VulkanRuns.Unavailable is { } why) Skip = why;
    }
}

/// <summary>StableHLO's interpreter tests on a Vulkan device: every runnable case passes every check there too.</summary>
public sealed class VulkanSuiteTests
{
    /// <summary>A runnable case compiled for Vulkan and run on the device passes every check.</summary>
    [VulkanTheory]
    [CaseData(CaseKind.Runnable)]
    public void PassesOnVulkan(string file, int chunk, string function, string detail)
    {
        _ = detail;
        if (chunk < 0)
        {
            Assert.True(StableHloSuite.Folder is null || StableHloSuite.Cases.All(c => c.Kind != CaseKind.Runnable));
            return;
        }
        var failure = VulkanRuns.Run(new SuiteCase(file, chunk, function));
        Assert.True(failure is null, failure);
    }
}
