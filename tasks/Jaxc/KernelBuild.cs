using System.Diagnostics;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Ir;

namespace JaxToolchain.Jaxc;

/// <summary>
/// Compiles the traced kernels for every requested RID (each ISA level of it) into one library per RID and writes the
/// manifest (<see cref="CpuLibraryBuilder"/>); returns the files written, relative to the output folder, manifest first.
/// </summary>
internal static class KernelBuild
{
    public static List<string> Run(string assemblyName, IReadOnlyList<LibraryKernel> kernels, JaxcOptions options, string output,
        List<Diagnostic> diagnostics, Stopwatch clock)
    {
        var started = clock.Elapsed;
        if (options.Targets.Contains("vulkan"))
            diagnostics.Add(new Diagnostic(DiagnosticCode.TargetNotBuilt, "JaxTargets names vulkan, whose backend is not built yet: only CPU kernels are compiled"));
        var rids = options.Targets.Contains("cpu") ? options.Rids : [];
        var builder = new CpuLibraryBuilder(assemblyName) { ObjectCache = options.Cache };
        var build = builder.Build(kernels, output, rids);
        foreach (string reason in build.Unsupported)
            diagnostics.Add(new Diagnostic(DiagnosticCode.NotCompiled, $"{reason}: this kernel ships as IR and the interpreter runs it"));
        var written = new List<string> { KernelManifest.FileNameFor(assemblyName) };
        written.AddRange(build.Libraries.Values.Select(path => Path.GetRelativePath(output, path).Replace(Path.DirectorySeparatorChar, '/')));
        int targets = rids.Sum(rid => CpuTarget.Shipped.Count(t => t.Rid == rid));
        Console.WriteLine($"jaxc: {assemblyName}: {kernels.Count} kernel(s) x {targets} target(s) compiled in {(clock.Elapsed - started).TotalSeconds:F1} s" +
            (options.Cache is null ? "" : $" ({build.CachedObjects} of {build.CachedObjects + build.CompiledObjects} objects from the cache)"));
        return written;
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
