namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// An owned LLVM target machine for a triple, CPU and feature string: the cost model of the optimizer and the code
/// generator. Built once per target and reused (its triple, CPU and features belong in cache keys). One thread at a time.
/// </summary>
public sealed class LlvmTargetMachine : LlvmOwner<LLVMTargetMachineRef>
{
    /// <summary>The LLVM targets registered by <see cref="InitializeTargets"/>: those of the RIDs we ship.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["X86", "AArch64"];

    private static readonly Lazy<bool> TargetsInitialized = new(() =>
    {
        LlvmLibrary.EnsureAvailable();
        foreach (string architecture in Architectures) LlvmTargets.InitializeTarget(architecture);
        return true;
    });

    private LlvmTargetMachine(LLVMTargetMachineRef handle, string triple, string cpu, string features, string dataLayout)
        : base(handle)
    {
        Triple = triple;
        Cpu = cpu;
        Features = features;
        DataLayout = dataLayout;
    }

    /// <summary>Registers the X86 and AArch64 targets with LLVM (once; the <c>Native</c> initialisers are header-only).</summary>
    public static void InitializeTargets() => _ = TargetsInitialized.Value;

    /// <summary>
    /// A target machine, or false with LLVM's reason (an unknown triple). An unknown CPU or feature name is not an error
    /// in LLVM (it warns on stderr and ignores it); <see cref="JaxToolchain.Backends.Cpu.CpuTarget"/> lists known-good ones.
    /// </summary>
    public static bool TryCreate(
        string triple, string cpu, string features, out LlvmTargetMachine? targetMachine, out string? error,
        LLVMCodeGenOptLevel level = LLVMCodeGenOptLevel.Aggressive, LLVMRelocMode relocation = LLVMRelocMode.PIC,
        LLVMCodeModel codeModel = LLVMCodeModel.Default)
    {
        InitializeTargets();
        if (LlvmTargets.GetTargetFromTriple(triple, out var target, out nint message))
        {
            targetMachine = null;
            error = $"LLVM cannot compile for '{triple}': {LlvmErrors.TakeMessage(message)}";
            return false;
        }
        LlvmErrors.TakeMessage(message);
        var handle = LlvmTargets.CreateTargetMachine(target, triple, cpu, features, level, relocation, codeModel);
        if (handle.Handle == 0)
        {
            targetMachine = null;
            error = $"LLVM could not create a target machine for {triple} (CPU '{cpu}', features '{features}')";
            return false;
        }
        var dataLayout = LlvmTargets.CreateTargetDataLayout(handle);
        string layout = LlvmErrors.TakeMessage(LlvmTargets.CopyStringRepOfTargetData(dataLayout)) ?? "";
        LlvmTargets.DisposeTargetData(dataLayout);
        targetMachine = new LlvmTargetMachine(handle, triple, cpu, features, layout);
        error = null;
        return true;
    }

    /// <summary>A target machine; throws <see cref="LlvmException"/> for an unknown triple.</summary>
    public static LlvmTargetMachine Create(
        string triple, string cpu, string features, LLVMCodeGenOptLevel level = LLVMCodeGenOptLevel.Aggressive,
        LLVMRelocMode relocation = LLVMRelocMode.PIC, LLVMCodeModel codeModel = LLVMCodeModel.Default) =>
        TryCreate(triple, cpu, features, out var targetMachine, out string? error, level, relocation, codeModel)
            ? targetMachine!
            : throw new LlvmException(error!);

    /// <summary>The target triple.</summary>
    public string Triple { get; }

    /// <summary>The CPU name (<c>x86-64-v3</c>, <c>generic</c>, <c>apple-m1</c>).</summary>
    public string Cpu { get; }

    /// <summary>The feature string (<c>+avx2,-prefer-256-bit</c>).</summary>
    public string Features { get; }

    /// <summary>The data layout modules for this machine carry.</summary>
    public string DataLayout { get; }

    /// <summary>Gives the module this machine's triple and data layout (before optimizing or emitting it).</summary>
    public void ConfigureModule(LlvmModule module)
    {
        module.Triple = Triple;
        module.DataLayout = DataLayout;
    }

    /// <summary>Runs a pass pipeline (<c>default&lt;O3&gt;</c>) over the module with this machine's cost model; throws <see cref="LlvmException"/> on failure.</summary>
    public void RunPasses(LlvmModule module, string pipeline)
    {
        var options = LlvmTransforms.CreatePassBuilderOptions();
        try
        {
            LlvmErrors.ThrowIfFailed(LlvmTransforms.RunPasses(module, pipeline, Handle, options), $"running '{pipeline}' for {Triple}");
        }
        finally
        {
            LlvmTransforms.DisposePassBuilderOptions(options);
        }
        module.Context.ThrowIfErrorsReported($"running '{pipeline}' for {Triple}");
    }

    /// <summary>Compiles the module (configured for this machine) to an object file, or assembly text as bytes.</summary>
    public unsafe byte[] Emit(LlvmModule module, LLVMCodeGenFileType fileType = LLVMCodeGenFileType.Object)
    {
        if (LlvmTargets.TargetMachineEmitToMemoryBuffer(Handle, module, fileType, out nint message, out var buffer))
            throw new LlvmException($"emitting {fileType} for {Triple} ({Cpu}): {LlvmErrors.TakeMessage(message)}");
        LlvmErrors.TakeMessage(message);
        try
        {
            module.Context.ThrowIfErrorsReported($"emitting {fileType} for {Triple} ({Cpu})");
            return new ReadOnlySpan<byte>(LlvmCore.GetBufferStart(buffer), checked((int)LlvmCore.GetBufferSize(buffer))).ToArray();
        }
        finally
        {
            LlvmCore.DisposeMemoryBuffer(buffer);
        }
    }

    /// <inheritdoc/>
    private protected override void Free(LLVMTargetMachineRef handle) => LlvmTargets.DisposeTargetMachine(handle);
}
