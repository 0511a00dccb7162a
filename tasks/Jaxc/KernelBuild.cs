using System.Diagnostics;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Spirv;
using JaxToolchain.Ir;

namespace JaxToolchain.Jaxc;

/// <summary>
/// Compiles the traced kernels for every requested RID (each ISA level of it) into one library per RID and writes the
/// manifest (<see cref="CpuLibraryBuilder"/>); with the <c>vulkan</c> target, adds each kernel's Vulkan program
/// (<see cref="SpirvProgramCompiler"/>) to its manifest entry. Returns the files written, relative to the output folder,
/// manifest first.
/// </summary>
internal static class KernelBuild
{
    public static List<string> Run(string assemblyName, IReadOnlyList<LibraryKernel> kernels, JaxcOptions options, string output,
        List<Diagnostic> diagnostics, Stopwatch clock)
    {
        var started = clock.Elapsed;
        var rids = options.Targets.Contains("cpu") ? options.Rids : [];
        var builder = new CpuLibraryBuilder(assemblyName) { ObjectCache = options.Cache };
        var build = builder.Build(kernels, output, rids);
        foreach (string reason in build.Unsupported)
            diagnostics.Add(new Diagnostic(DiagnosticCode.NotCompiled, $"{reason}: this kernel ships as IR and the interpreter runs it"));
        if (options.Targets.Contains("vulkan")) AddVulkanPrograms(build, kernels);
        var written = new List<string> { KernelManifest.FileNameFor(assemblyName) };
        written.AddRange(build.Libraries.Values.Select(path => Path.GetRelativePath(output, path).Replace(Path.DirectorySeparatorChar, '/')));
        int targets = rids.Sum(rid => CpuTarget.Shipped.Count(t => t.Rid == rid));
        Console.WriteLine($"jaxc: {assemblyName}: {kernels.Count} kernel(s) x {targets} target(s) compiled in {(clock.Elapsed - started).TotalSeconds:F1} s" +
            (options.Cache is null ? "" : $" ({build.CachedObjects} of {build.CachedObjects + build.CompiledObjects} objects from the cache)"));
        return written;
    }

    /// <summary>
    /// Each kernel's Vulkan program in its manifest entry (the manifest is written again); steps without a SPIR-V lowering
    /// (they run on the host on Vulkan devices) are listed on the console, not as warnings: the kernel works everywhere.
    /// </summary>
    private static void AddVulkanPrograms(CpuLibraryBuild build, IReadOnlyList<LibraryKernel> kernels)
    {
        var manifest = build.Manifest;
        var entries = new List<ManifestKernel>();
        int onDevice = 0, onHost = 0;
        for (int k = 0; k < kernels.Count; k++)
        {
            var (program, _) = SpirvProgramCompiler.Compile(kernels[k].Function);
            var host = program.Steps.Where(s => s.Kernels.Count == 0).ToArray();
            onDevice += program.Steps.Count - host.Length;
            onHost += host.Length;
            if (host.Length > 0)
                Console.WriteLine($"jaxc: note: {kernels[k].Name}: {host.Length} of {program.Steps.Count} step(s) run on the host on Vulkan devices " +
                    $"({string.Join("; ", host.Select(s => $"{s.Name}: {s.HostReason}").Distinct())})");
            entries.Add(manifest.Kernels[k] with { Targets = [.. manifest.Kernels[k].Targets, new VulkanKernelEntry { Program = program }] });
        }
        manifest = manifest with { Kernels = entries };
        manifest.Validate(build.ManifestPath);
        manifest.Save(build.ManifestPath);
        Console.WriteLine($"jaxc: {manifest.Assembly}: vulkan: {kernels.Count} program(s), {onDevice} step(s) on the device, {onHost} on the host");
    }
}

/// <summary>
/// <c>--dump-ir</c>: each kernel's IR after tracing and after each stage of the code generators' pipeline
/// (<see cref="Pipelines.ForCodegen"/>, what the backends compile), one file per kernel.
/// </summary>
internal static class IrDump
{
    public static void Write(string directory, IReadOnlyList<LibraryKernel> kernels)
    {
        Directory.CreateDirectory(directory);
        for (int k = 0; k < kernels.Count; k++)
        {
            using var writer = new StringWriter();
            writer.WriteLine(PassManager.Header("trace"));
            writer.WriteLine(IrPrinter.Print(kernels[k].Function));
            Pipelines.ForCodegen(kernels[k].Function, writer);
            File.WriteAllText(Path.Combine(directory, $"{kernels[k].Name}.{k}.mlir"), writer.ToString());
        }
    }
}

/// <summary>
/// <c>--emit stablehlo</c>: each kernel's StableHLO module (<c>StableHloExporter</c>, as JAX's
/// <c>jax.jit(f).lower(x).as_text()</c>) written beside the other outputs as <c>NAME.stablehlo.mlir</c>
/// (<c>NAME.k.stablehlo.mlir</c> for the k-th signature of a kernel traced for several). The arrays a kernel closes
/// over stay parameters of <c>@main</c> after the explicit ones, as in the kernel itself.
/// </summary>
internal static class StableHloEmit
{
    public static void Write(string directory, IReadOnlyList<LibraryKernel> kernels)
    {
        Directory.CreateDirectory(directory);
        var counts = kernels.GroupBy(k => k.Name).ToDictionary(g => g.Key, g => g.Count());
        var seen = new Dictionary<string, int>();
        foreach (var kernel in kernels)
        {
            int index = seen[kernel.Name] = seen.GetValueOrDefault(kernel.Name, -1) + 1;
            string file = counts[kernel.Name] == 1 ? $"{kernel.Name}.stablehlo.mlir" : $"{kernel.Name}.{index}.stablehlo.mlir";
            string text = JaxToolchain.Ir.StableHlo.StableHloExporter.Export(kernel.Function,
                new JaxToolchain.Ir.StableHlo.StableHloExportOptions { ModuleName = kernel.Name });
            File.WriteAllText(Path.Combine(directory, file), text);
        }
    }
}
