using System.ComponentModel;
using System.Diagnostics;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Backends.Tests.Packaging;

/// <summary>The test kernels built for linux-arm64, win-x64 and osx-arm64 (cross-compiled and linked here), once per test class.</summary>
public sealed class CrossTargetLibraries : IDisposable
{
    public static readonly string[] Rids = ["linux-arm64", "win-x64", "osx-arm64"];

    public CrossTargetLibraries()
    {
        Folder = Directory.CreateTempSubdirectory("jax-cross-libraries-").FullName;
        var kernels = KernelLibraryFixture.Sources.Select(IrParser.ParseFunction)
            .Select(f => new LibraryKernel(KernelLibraryFixture.Prefix + f.Name, f)).ToArray();
        var clock = Stopwatch.StartNew();
        Build = new CpuLibraryBuilder(KernelLibraryFixture.Assembly).Build(kernels, Folder, Rids);
        BuildTime = clock.Elapsed;
    }

    public string Folder { get; }

    public CpuLibraryBuild Build { get; }

    public TimeSpan BuildTime { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>
/// Libraries for the platforms this machine cannot run, read with LLVM's own tools (Debian's <c>llvm-19</c>, installed by
/// <c>eng/prereqs.sh</c>): architecture, shared library, exactly the kernels' symbols exported, nothing imported or undefined.
/// </summary>
public sealed class CrossTargetLibraryTests(CrossTargetLibraries libraries, ITestOutputHelper output) : IClassFixture<CrossTargetLibraries>
{
    /// <summary>Runs an LLVM tool and returns its standard output; a missing tool fails naming the package.</summary>
    private static string Tool(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed: {errors.Result}");
            return text;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is missing ({e.Message}): install Debian's llvm-19 package (eng/prereqs.sh)", e);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The symbols every library must export: four compiled kernels (the fifth, a custom_lin, has no lowering) per ISA level of the RID.</summary>
    private static HashSet<string> Expected(string rid)
    {
        string[] compiled = ["affine", "difference_squared", "factorial", "cumulative_sum"];
        // One signature per name: each kernel is its name's signature 0.
        return compiled.SelectMany(name => CpuTarget.Shipped.Where(t => t.Rid == rid)
            .Select(t => CpuLibraryBuilder.SymbolFor(KernelLibraryFixture.Prefix + name, 0, t.Isa))).ToHashSet();
    }

    [Fact]
    public void The_linux_arm64_library_is_an_aarch64_elf_exporting_the_kernels_and_importing_nothing()
    {
        output.WriteLine($"3 RIDs (5 targets) built in {libraries.BuildTime.TotalMilliseconds:F0} ms");
        string path = libraries.Build.Libraries["linux-arm64"];
        string headers = Tool("llvm-readobj-19", "--file-headers", "--needed-libs", path);
        Assert.Contains("Format: elf64-littleaarch64", headers);
        Assert.Contains("Arch: aarch64", headers);
        Assert.Contains("Type: SharedObject (0x3)", headers);
        Assert.Contains("NeededLibraries [\n]", headers.Replace("\r", ""));
        Assert.Empty(Lines(Tool("llvm-nm-19", "--dynamic", "--undefined-only", path)));
        var exported = Lines(Tool("llvm-nm-19", "--dynamic", "--defined-only", "--extern-only", "--format=just-symbols", path));
        Assert.Equal(Expected("linux-arm64"), exported.ToHashSet());
        Assert.Equal(["jax_PackagingTests_affine_0_arm64"], exported.Where(s => s.Contains("affine", StringComparison.Ordinal)));
        // Code for ARMv8.0-A: the disassembly of a kernel decodes as AArch64.
        Assert.Contains("file format elf64-littleaarch64", Tool("llvm-objdump-19", "-d", "--no-show-raw-insn", path));
    }

    [Fact]
    public void The_win_x64_library_is_an_x64_dll_exporting_the_isa_variants_and_importing_nothing()
    {
        string path = libraries.Build.Libraries["win-x64"];
        string headers = Tool("llvm-readobj-19", "--file-headers", "--coff-exports", "--coff-imports", path);
        Assert.Contains("Format: COFF-x86-64", headers);
        Assert.Contains("Machine: IMAGE_FILE_MACHINE_AMD64 (0x8664)", headers);
        Assert.Contains("IMAGE_FILE_DLL (0x2000)", headers);
        Assert.Contains("ImportTableRVA: 0x0", headers);
        Assert.DoesNotContain("Import {", headers);
        var exports = Lines(headers).Where(l => l.StartsWith("Name: ", StringComparison.Ordinal)).Select(l => l["Name: ".Length..]).ToHashSet();
        Assert.Equal(Expected("win-x64"), exports);
        Assert.Equal(12, exports.Count);
    }

    [Fact]
    public void The_osx_arm64_library_is_a_signed_arm64_dylib_with_no_undefined_symbols()
    {
        string path = libraries.Build.Libraries["osx-arm64"];
        string headers = Tool("llvm-objdump-19", "--macho", "--private-header", "--exports-trie", "--dylibs-used", path);
        var header = Lines(headers).Single(l => l.StartsWith("MH_MAGIC_64", StringComparison.Ordinal));
        Assert.Contains("ARM64", header);
        Assert.Contains("DYLIB", header);
        Assert.Contains("NOUNDEFS", header);
        // The only dylib named is the library's own install name.
        Assert.Equal(["@rpath/libPackaging.Tests.jax.dylib"], Lines(headers).Where(l => l.Contains("compatibility version", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));
        var exports = Lines(headers).SkipWhile(l => l != "Exports trie:").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimStart('_'));
        Assert.Equal(Expected("osx-arm64"), exports.ToHashSet());
        Assert.Empty(Lines(Tool("llvm-nm-19", "--undefined-only", path)));
        Assert.Contains("LC_CODE_SIGNATURE", Tool("llvm-objdump-19", "--macho", "--private-headers", path));
    }

    [Fact]
    public void The_manifest_lists_each_rids_library_with_its_digest()
    {
        var manifest = KernelManifest.Load(libraries.Build.ManifestPath);
        var entries = manifest.Kernels[0].Targets.OfType<CpuKernelEntry>().ToArray();
        Assert.Equal(["linux-arm64 arm64", "win-x64 x86-64-v2", "win-x64 x86-64-v3", "win-x64 x86-64-v4", "osx-arm64 arm64"], entries.Select(e => $"{e.Rid} {e.Isa}"));
        Assert.Equal("runtimes/win-x64/native/Packaging.Tests.jax.dll", entries[1].Library);
        Assert.Equal("runtimes/osx-arm64/native/libPackaging.Tests.jax.dylib", entries[4].Library);
        foreach (var entry in entries)
            Assert.Equal(KernelFileEntry.ComputeSha256(libraries.Build.Libraries[entry.Rid]), entry.Sha256);
        // On this machine (linux-x64) none of them runs: the IR serves, and the entries are noted.
        var provider = ManifestKernelProvider.Load(libraries.Build.ManifestPath);
        Assert.Contains(provider.Diagnostics, d => d.Reason.StartsWith("built for win-x64; this process runs on ", StringComparison.Ordinal));
    }

    /// <summary>A library that leaves a symbol undefined (a weak reference the linker accepts) fails the build's check, naming the symbol.</summary>
    [Fact]
    public void A_library_with_an_undefined_symbol_is_refused()
    {
        var target = CpuTarget.LinuxX64V2;
        byte[] objectBytes;
        using (var context = LlvmContext.Create())
        using (var module = context.CreateModule("weak"))
        using (var b = context.CreateBuilder())
        {
            var missing = LlvmCore.AddGlobal(module, context.Int32, "jax_missing_table");
            LlvmCore.SetLinkage(missing, LLVMLinkage.ExternalWeak);
            var kernel = module.AddFunction("weak_kernel", LlvmContext.FunctionType(context.Int32, context.Pointer));
            b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(context, kernel, "entry"));
            LlvmCore.BuildRet(b, b.Load(context.Int32, missing, 4));
            using var emitter = new ObjectEmitter(target);
            objectBytes = emitter.EmitObject(module);
        }
        string path = Path.Combine(libraries.Folder, "weak", "libweak.so");
        new SharedLibraryLinker().Link(target, [objectBytes], ["weak_kernel"], path);
        var error = Assert.Throws<LinkerException>(() => CpuLibraryBuilder.Verify(target, path, ["weak_kernel"]));
        output.WriteLine(error.Message);
        Assert.Contains("refers to undefined symbols [jax_missing_table]: kernels must call nothing outside themselves", error.Message);
    }
}
