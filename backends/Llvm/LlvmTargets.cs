using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// <c>llvm-c/Target.h</c> and <c>llvm-c/TargetMachine.h</c>: target registration, the host, target machines, data
/// layouts and object emission. The <c>LLVMInitializeNative*</c> functions are inline in the header, so targets are
/// initialised by name (<see cref="InitializeTarget"/>: X86 and AArch64, the architectures we ship);
/// <see cref="LlvmTargetMachine.InitializeTargets"/> does it once.
/// </summary>
public static partial class LlvmTargets
{
    /// <summary>The parts of a target that <see cref="InitializeTarget"/> registers, in LLVM's order: <c>LLVMInitialize{Architecture}{Part}</c>.</summary>
    public static IReadOnlyList<string> InitializerParts { get; } = ["TargetInfo", "Target", "TargetMC", "AsmPrinter"];

    /// <summary>
    /// Registers a target with LLVM (<c>X86</c>, <c>AArch64</c>) by calling its <c>LLVMInitialize{Architecture}TargetInfo</c>,
    /// <c>...Target</c>, <c>...TargetMC</c> and <c>...AsmPrinter</c> (what emitting objects and the JIT need); idempotent in LLVM.
    /// Throws <see cref="EntryPointNotFoundException"/> for an architecture this libLLVM was built without.
    /// </summary>
    public static unsafe void InitializeTarget(string architecture)
    {
        foreach (string part in InitializerParts)
            ((delegate* unmanaged<void>)NativeLibrary.GetExport(LlvmLibrary.Handle, $"LLVMInitialize{architecture}{part}"))();
    }

    /// <summary><c>LLVMGetDefaultTargetTriple</c>: the host's triple as LLVM was configured (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetDefaultTargetTriple")]
    public static partial nint GetDefaultTargetTriple();

    /// <summary><c>LLVMNormalizeTargetTriple</c> (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMNormalizeTargetTriple", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint NormalizeTargetTriple(string triple);

    /// <summary><c>LLVMGetHostCPUName</c>: <c>znver5</c>, <c>skylake-avx512</c>, ... (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetHostCPUName")]
    public static partial nint GetHostCPUName();

    /// <summary><c>LLVMGetHostCPUFeatures</c>: <c>+avx2,+fma,-amx-tile,...</c> (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetHostCPUFeatures")]
    public static partial nint GetHostCPUFeatures();

    /// <summary><c>LLVMGetTargetFromTriple</c>: true on failure, with <paramref name="errorMessage"/> (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetTargetFromTriple", StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool GetTargetFromTriple(string triple, out LLVMTargetRef target, out nint errorMessage);

    /// <summary><c>LLVMCreateTargetMachine</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCreateTargetMachine", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMTargetMachineRef CreateTargetMachine(
        LLVMTargetRef target, string triple, string cpu, string features,
        LLVMCodeGenOptLevel level, LLVMRelocMode relocation, LLVMCodeModel codeModel);

    /// <summary><c>LLVMDisposeTargetMachine</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeTargetMachine")]
    public static partial void DisposeTargetMachine(LLVMTargetMachineRef targetMachine);

    /// <summary><c>LLVMCreateTargetDataLayout</c>: the target machine's data layout (dispose it).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCreateTargetDataLayout")]
    public static partial LLVMTargetDataRef CreateTargetDataLayout(LLVMTargetMachineRef targetMachine);

    /// <summary><c>LLVMCopyStringRepOfTargetData</c>: the data layout string (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCopyStringRepOfTargetData")]
    public static partial nint CopyStringRepOfTargetData(LLVMTargetDataRef dataLayout);

    /// <summary><c>LLVMSetModuleDataLayout</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetModuleDataLayout")]
    public static partial void SetModuleDataLayout(LLVMModuleRef module, LLVMTargetDataRef dataLayout);

    /// <summary><c>LLVMDisposeTargetData</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeTargetData")]
    public static partial void DisposeTargetData(LLVMTargetDataRef dataLayout);

    /// <summary>
    /// <c>LLVMTargetMachineEmitToMemoryBuffer</c>: compiles the module to an object (or assembly) in memory; true on
    /// failure, with <paramref name="errorMessage"/> (caller-owned). The module must carry the machine's triple and data layout.
    /// </summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMTargetMachineEmitToMemoryBuffer")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool TargetMachineEmitToMemoryBuffer(
        LLVMTargetMachineRef targetMachine, LLVMModuleRef module, LLVMCodeGenFileType fileType,
        out nint errorMessage, out LLVMMemoryBufferRef output);
}
