using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Backends.Tests;

/// <summary>Objects per ISA level, linked into shared libraries with lld for every shipped platform, loaded and called where they can run.</summary>
public unsafe class SharedLibraryTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jax-backends-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Symbol(CpuTarget target) => $"scale_{target.Isa.Replace('-', '_')}";

    /// <summary>Whether this CPU runs code of an x86-64 ISA level.</summary>
    internal static bool Runs(CpuTarget target) => target.Isa switch
    {
        "x86-64-v2" => Sse42.IsSupported && Popcnt.IsSupported,
        "x86-64-v3" => Avx2.IsSupported && Fma.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported,
        "x86-64-v4" => Avx512F.IsSupported && Avx512F.VL.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512CD.IsSupported,
        _ => false,
    };

    [Fact]
    public void The_x64_isa_levels_link_into_one_library_whose_supported_variants_run()
    {
        CpuTarget[] levels = [CpuTarget.LinuxX64V2, CpuTarget.LinuxX64V3, CpuTarget.LinuxX64V4];
        var clock = Stopwatch.StartNew();
        var objects = levels.Select(t => ScaleKernel.EmitObject(t, Symbol(t))).ToArray();
        var emitted = clock.Elapsed;
        string path = Path.Combine(_folder, SharedLibraryLinker.LibraryFileName(CpuTarget.LinuxX64V2, "scale"));
        new SharedLibraryLinker().Link(CpuTarget.LinuxX64V2, objects, levels.Select(Symbol).ToArray(), path);
        output.WriteLine($"3 objects (O3) in {emitted.TotalMilliseconds:F0} ms, linked in {(clock.Elapsed - emitted).TotalMilliseconds:F0} ms");

        var headers = NativeLibraryReader.Read(path);
        Assert.Equal((ObjectFormat.Elf, "x86-64", true), (headers.Format, headers.Machine, headers.IsSharedLibrary));
        Assert.Equal(levels.Select(Symbol).ToHashSet(), headers.Exports);
        Assert.Empty(headers.Imports);

        if (!(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)) return;
        nint library = NativeLibrary.Load(path);
        try
        {
            foreach (var level in levels.Where(Runs))
            {
                output.WriteLine($"running {level}");
                ScaleKernel.Check((delegate* unmanaged[Cdecl]<KernelCallFrame*, int>)NativeLibrary.GetExport(library, Symbol(level)), 1031);
            }
        }
        finally
        {
            NativeLibrary.Free(library);
        }
    }

    /// <summary>The vectorizer picks each level's width: IR vectors of 4, 8 and 16 floats, and machine code in xmm, ymm and zmm registers.</summary>
    [Theory]
    [InlineData("x86-64-v2", 4, "%xmm", "%ymm")]
    [InlineData("x86-64-v3", 8, "%ymm", "%zmm")]
    [InlineData("x86-64-v4", 16, "%zmm", null)]
    public void The_vectorizer_uses_the_vector_width_of_the_isa_level(string isa, int lanes, string register, string? widerRegister)
    {
        var target = CpuTarget.For("linux-x64", isa);
        using var context = LlvmContext.Create();
        using var module = ScaleKernel.Build(context, "scale");
        using var emitter = new ObjectEmitter(target);
        string assembly = emitter.EmitAssembly(module);
        emitter.Optimize(module);
        string ir = module.PrintToString();

        Assert.Contains($"<{lanes} x float>", ir);
        Assert.DoesNotContain($"<{lanes * 2} x float>", ir);
        Assert.Contains(register, assembly);
        if (widerRegister is not null) Assert.DoesNotContain(widerRegister, assembly);
        Assert.Contains($"target triple = \"{target.Triple}\"", ir);
    }

    public static TheoryData<string, string> ShippedTargets()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in CpuTarget.Shipped) data.Add(target.Rid, target.Isa);
        return data;
    }

    /// <summary>
    /// Every shipped platform's library links on this machine without a sysroot, and its headers say what it is: format,
    /// machine, the one export, no imports (so it loads anywhere), signed for macOS.
    /// </summary>
    [Theory]
    [MemberData(nameof(ShippedTargets))]
    public void Each_shipped_target_links_a_self_contained_library(string rid, string isa)
    {
        var target = CpuTarget.For(rid, isa);
        string path = Path.Combine(_folder, SharedLibraryLinker.LibraryFileName(target, "kernels"));
        new SharedLibraryLinker().Link(target, [ScaleKernel.EmitObject(target, Symbol(target))], [Symbol(target)], path);

        var headers = NativeLibraryReader.Read(path);
        var format = rid.StartsWith("win-", StringComparison.Ordinal) ? ObjectFormat.Coff
            : rid.StartsWith("osx-", StringComparison.Ordinal) ? ObjectFormat.MachO : ObjectFormat.Elf;
        Assert.Equal(format, headers.Format);
        Assert.Equal(format, target.Format);
        Assert.Equal(rid.EndsWith("-x64", StringComparison.Ordinal) ? "x86-64" : "arm64", headers.Machine);
        Assert.True(headers.IsSharedLibrary);
        Assert.Equal([Symbol(target)], headers.Exports);
        Assert.Empty(headers.Imports);
        Assert.Equal(format == ObjectFormat.MachO, headers.IsCodeSigned);
        Assert.EndsWith(format switch { ObjectFormat.Coff => ".dll", ObjectFormat.MachO => ".dylib", _ => ".so" }, path);
    }

    /// <summary>The same objects give the same bytes: for each format, two builds into two folders.</summary>
    [Theory]
    [MemberData(nameof(ScaleKernel.OneTargetPerFormat), MemberType = typeof(ScaleKernel))]
    public void Emitting_and_linking_are_reproducible(string rid, string isa)
    {
        var target = CpuTarget.For(rid, isa);
        string name = SharedLibraryLinker.LibraryFileName(target, "kernels");
        byte[] Build(string folder)
        {
            string path = Path.Combine(_folder, folder, name);
            new SharedLibraryLinker().Link(target, [ScaleKernel.EmitObject(target, Symbol(target))], [Symbol(target)], path);
            return File.ReadAllBytes(path);
        }
        Assert.Equal(Build("first"), Build("second"));
    }
}
