using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using JaxToolchain.Backends.Llvm;

namespace JaxToolchain.Backends.Cpu;

/// <summary>The lld drivers a <see cref="SharedLibraryLinker"/> runs, by object format: names looked up on PATH, or paths.</summary>
/// <param name="Elf">The ELF linker (<c>ld.lld-19</c>).</param>
/// <param name="Coff">The COFF linker (<c>lld-link-19</c>).</param>
/// <param name="MachO">The Mach-O linker (<c>ld64.lld-19</c>).</param>
public sealed record LinkerTools(string Elf = "ld.lld-19", string Coff = "lld-link-19", string MachO = "ld64.lld-19")
{
    /// <summary>The Debian package that has all three.</summary>
    public const string DebianPackage = "lld-19";

    /// <summary>The tools of Debian's <c>lld-19</c>.</summary>
    public static LinkerTools Default { get; } = new();

    /// <summary>The tool for an object format.</summary>
    public string For(ObjectFormat format) => format switch
    {
        ObjectFormat.Coff => Coff,
        ObjectFormat.MachO => MachO,
        _ => Elf,
    };
}

/// <summary>Linking failed: the linker is missing, or it exited with an error (the message has its output).</summary>
public sealed class LinkerException(string message) : Exception(message);

/// <summary>
/// Links kernel objects of one <see cref="CpuTarget"/> into one shared library with lld, run as a child process:
/// <c>ld.lld-19 -shared</c> (ELF), <c>lld-link-19 /dll /noentry</c> (COFF), <c>ld64.lld-19 -dylib</c> (Mach-O). Kernels call
/// nothing outside themselves, so no sysroot, C runtime or system library is involved: every invocation links no
/// library (<c>-nostdlib</c>, <c>/nodefaultlib</c>, no <c>-lSystem</c>), fails on any undefined symbol, and exports
/// exactly the listed symbols (an ELF version script, <c>/export:</c>, <c>-exported_symbol</c>). The result needs no
/// other library at load time, on any machine of its RID. Mach-O libraries are ad-hoc signed (Apple silicon runs no
/// unsigned code). Output is reproducible (<c>/brepro</c>; ELF and Mach-O are by default).
/// </summary>
public sealed class SharedLibraryLinker(LinkerTools? tools = null)
{
    /// <summary>How long a link may take before it is stopped.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The linkers run.</summary>
    public LinkerTools Tools { get; } = tools ?? LinkerTools.Default;

    /// <summary>The file name of a library called <paramref name="name"/> on a target: <c>libname.so</c>, <c>name.dll</c>, <c>libname.dylib</c>.</summary>
    public static string LibraryFileName(CpuTarget target, string name) => target.Format switch
    {
        ObjectFormat.Coff => $"{name}.dll",
        ObjectFormat.MachO => $"lib{name}.dylib",
        _ => $"lib{name}.so",
    };

    /// <summary>
    /// Links object files (emitted for <paramref name="target"/>) into the shared library <paramref name="outputPath"/>,
    /// exporting <paramref name="exportedSymbols"/> (their IR names); throws <see cref="LinkerException"/> on failure.
    /// </summary>
    public void Link(CpuTarget target, IReadOnlyList<string> objectPaths, IReadOnlyList<string> exportedSymbols, string outputPath)
    {
        if (objectPaths.Count == 0) throw new ArgumentException("linking needs at least one object file", nameof(objectPaths));
        outputPath = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        string scratch = Directory.CreateTempSubdirectory("jax-link-").FullName;
        try
        {
            var arguments = Arguments(target, objectPaths, exportedSymbols, outputPath, scratch);
            Run(Tools.For(target.Format), arguments, target);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Links objects held in memory (as <see cref="ObjectEmitter.EmitObject"/> returns them); see the overload with paths.</summary>
    public void Link(CpuTarget target, IReadOnlyList<byte[]> objects, IReadOnlyList<string> exportedSymbols, string outputPath)
    {
        string folder = Directory.CreateTempSubdirectory("jax-objects-").FullName;
        try
        {
            string extension = target.Format == ObjectFormat.Coff ? ".obj" : ".o";
            var paths = objects.Select((bytes, i) =>
            {
                string path = Path.Combine(folder, $"kernel{i}{extension}");
                File.WriteAllBytes(path, bytes);
                return path;
            }).ToArray();
            Link(target, paths, exportedSymbols, outputPath);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The linker's command line for a target (without the tool).</summary>
    internal static List<string> Arguments(
        CpuTarget target, IReadOnlyList<string> objectPaths, IReadOnlyList<string> exportedSymbols, string outputPath, string scratch)
    {
        var arguments = new List<string>();
        switch (target.Format)
        {
            case ObjectFormat.Elf:
                string versionScript = Path.Combine(scratch, "exports.map");
                File.WriteAllText(versionScript, VersionScript(exportedSymbols));
                arguments.AddRange(["-shared", "-nostdlib", "--no-undefined", "-z", "noexecstack", "-z", "relro", "-z", "now",
                    "--hash-style=both", "--build-id=sha1", $"--version-script={versionScript}",
                    "-soname", Path.GetFileName(outputPath), "-o", outputPath]);
                break;
            case ObjectFormat.Coff:
                arguments.AddRange(["/dll", "/noentry", "/nodefaultlib", "/brepro", "/nologo",
                    target.IsX64 ? "/machine:x64" : "/machine:arm64", $"/out:{outputPath}"]);
                arguments.AddRange(exportedSymbols.Select(s => $"/export:{s}"));
                break;
            case ObjectFormat.MachO:
                arguments.AddRange(["-dylib", "-arch", target.IsX64 ? "x86_64" : "arm64", "-platform_version", "macos", "11.0", "11.0",
                    "-undefined", "error", "-adhoc_codesign", "-install_name", $"@rpath/{Path.GetFileName(outputPath)}", "-o", outputPath]);
                foreach (string symbol in exportedSymbols) arguments.AddRange(["-exported_symbol", $"_{symbol}"]);
                break;
        }
        arguments.AddRange(objectPaths.Select(Path.GetFullPath));
        return arguments;
    }

    private static string VersionScript(IReadOnlyList<string> exportedSymbols)
    {
        var script = new StringBuilder("{\n");
        if (exportedSymbols.Count > 0)
        {
            script.Append("  global:\n");
            foreach (string symbol in exportedSymbols) script.Append("    ").Append(symbol).Append(";\n");
        }
        return script.Append("  local: *;\n};\n").ToString();
    }

    private void Run(string tool, List<string> arguments, CpuTarget target)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("the process did not start");
        }
        catch (Win32Exception e)
        {
            throw new LinkerException(
                $"cannot run the linker '{tool}' to link kernels for {target}: {e.Message}. It comes with Debian's " +
                $"{LinkerTools.DebianPackage} package; install it with: {LlvmLibrary.InstallCommand} (or run eng/prereqs.sh)" +
                (ReferenceEquals(Tools, LinkerTools.Default) ? "" : ", or fix the path in LinkerTools"));
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new LinkerException($"{tool} did not finish linking kernels for {target} within {Timeout.TotalMinutes} minutes; it was stopped");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string report = (errors.Result + output.Result).Trim();
                throw new LinkerException($"{tool} failed (exit code {process.ExitCode}) linking kernels for {target}:\n{report}\ncommand: {tool} {string.Join(' ', arguments)}");
            }
        }
    }
}
