using System.Runtime.InteropServices;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// One function compiled for each x86-64 level into one linux-x64 library (a symbol per level, checked to import and
/// leave undefined nothing) and for linux-arm64 into another (linked only: it cannot run here), in a temporary folder;
/// <see cref="Run"/> executes a level's symbol, where this machine runs that level.
/// </summary>
internal sealed class IsaLevelLibrary : IDisposable
{
    public static readonly CpuTarget[] X64Levels = [CpuTarget.LinuxX64V2, CpuTarget.LinuxX64V3, CpuTarget.LinuxX64V4];

    private readonly string _folder;
    private readonly string _name;
    private readonly nint _library;
    private KernelSignature? _signature;

    public IsaLevelLibrary(Function function, string name)
    {
        _name = name;
        _folder = Directory.CreateTempSubdirectory($"jax-{name}-").FullName;
        var objects = X64Levels.Select(t => Emit(function, t)).ToArray();
        string path = Path.Combine(_folder, SharedLibraryLinker.LibraryFileName(CpuTarget.LinuxX64V2, name));
        var symbols = X64Levels.Select(Symbol).ToArray();
        new SharedLibraryLinker().Link(CpuTarget.LinuxX64V2, objects, symbols, path);
        CpuLibraryBuilder.Verify(CpuTarget.LinuxX64V2, path, symbols);
        string arm64 = Path.Combine(_folder, SharedLibraryLinker.LibraryFileName(CpuTarget.LinuxArm64, name + "_arm64"));
        new SharedLibraryLinker().Link(CpuTarget.LinuxArm64, [Emit(function, CpuTarget.LinuxArm64)], [Symbol(CpuTarget.LinuxArm64)], arm64);
        CpuLibraryBuilder.Verify(CpuTarget.LinuxArm64, arm64, [Symbol(CpuTarget.LinuxArm64)]);
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64) _library = NativeLibrary.Load(path);
    }

    /// <summary>The levels this machine runs (none off linux-x64).</summary>
    public IEnumerable<CpuTarget> RunnableLevels => _library == 0 ? [] : X64Levels.Where(SharedLibraryTests.Runs);

    public Buffer[] Run(CpuTarget level, Buffer[] args)
    {
        var executable = new NativeKernelExecutable(level.Isa, NativeLibrary.GetExport(_library, Symbol(level)),
            _signature!.Inputs, _signature.Outputs, _signature.Symbols, _signature.Scratch, owner: null);
        return executable.Execute(args.Select(a => (DeviceArray)new HostArray(a.Share(), DeviceDescriptor.Cpu)).ToArray())
            .Select(r => r.ReadHost()).ToArray();
    }

    public void Dispose()
    {
        if (_library != 0) NativeLibrary.Free(_library);
        Directory.Delete(_folder, recursive: true);
    }

    private string Symbol(CpuTarget t) => $"{_name}_{t.Isa.Replace('-', '_')}";

    private byte[] Emit(Function function, CpuTarget target)
    {
        using var context = LlvmContext.Create();
        var (module, signature) = KernelCompiler.Build(context, function, Symbol(target), target: target);
        _signature ??= signature;
        using (module)
        using (var emitter = new ObjectEmitter(target))
            return emitter.EmitObject(module);
    }
}
