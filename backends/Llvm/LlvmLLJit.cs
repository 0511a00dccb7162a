namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// An owned ORC LLJIT: modules go in (<see cref="AddModule"/>), addresses of their functions come out
/// (<see cref="Lookup"/>, which compiles on first use). Code lives until the JIT is disposed. Symbols the added modules
/// do not define are looked up in the process as well (LLJIT's default, which the C API of LLVM 19 cannot turn off);
/// one found nowhere fails the lookup, naming it.
/// </summary>
public sealed class LlvmLLJit : LlvmOwner<LLVMOrcLLJITRef>
{
    private LlvmLLJit(LLVMOrcLLJITRef handle)
        : base(handle)
    {
        Triple = LlvmErrors.ReadBorrowedString(LlvmOrc.LLJITGetTripleString(handle));
        DataLayout = LlvmErrors.ReadBorrowedString(LlvmOrc.LLJITGetDataLayoutStr(handle));
    }

    /// <summary>
    /// A JIT compiling with <paramref name="targetMachine"/>'s triple, CPU, features and optimization level (the machine
    /// is taken over and disposed), or, when null, LLVM's detection of the host; false with LLVM's reason.
    /// </summary>
    public static bool TryCreate(LlvmTargetMachine? targetMachine, out LlvmLLJit? jit, out string? error)
    {
        LlvmTargetMachine.InitializeTargets();
        LLVMOrcJITTargetMachineBuilderRef machineBuilder;
        if (targetMachine is not null)
        {
            machineBuilder = LlvmOrc.JITTargetMachineBuilderCreateFromTargetMachine(targetMachine.Release());
        }
        else if (LlvmErrors.TakeErrorMessage(LlvmOrc.JITTargetMachineBuilderDetectHost(out machineBuilder)) is { } detectFailure)
        {
            jit = null;
            error = $"LLVM could not detect the host for the JIT: {detectFailure}";
            return false;
        }
        var builder = LlvmOrc.CreateLLJITBuilder();
        LlvmOrc.LLJITBuilderSetJITTargetMachineBuilder(builder, machineBuilder);
        if (LlvmErrors.TakeErrorMessage(LlvmOrc.CreateLLJIT(out var handle, builder)) is { } createFailure)
        {
            jit = null;
            error = $"LLVM could not create an LLJIT: {createFailure}";
            return false;
        }
        jit = new LlvmLLJit(handle);
        error = null;
        return true;
    }

    /// <summary>A JIT (see <see cref="TryCreate"/>); throws <see cref="LlvmException"/> on failure.</summary>
    public static LlvmLLJit Create(LlvmTargetMachine? targetMachine = null) =>
        TryCreate(targetMachine, out var jit, out string? error) ? jit! : throw new LlvmException(error!);

    /// <summary>The JIT's target triple.</summary>
    public string Triple { get; }

    /// <summary>The JIT's data layout; added modules must carry it.</summary>
    public string DataLayout { get; }

    /// <summary>
    /// Adds a module to the main dylib, taking it over (the <paramref name="module"/> object is disposed afterwards, even
    /// on failure). Its context must be thread-safe (<see cref="LlvmContext.CreateThreadSafe"/>); a module without a triple
    /// and data layout gets the JIT's.
    /// </summary>
    public void AddModule(LlvmModule module)
    {
        if (!module.Context.IsThreadSafe)
        {
            module.Dispose();
            throw new ArgumentException("a module added to a JIT must live in a thread-safe context (LlvmContext.CreateThreadSafe)", nameof(module));
        }
        if (module.Triple.Length == 0) module.Triple = Triple;
        if (module.DataLayout.Length == 0) module.DataLayout = DataLayout;
        var threadSafeModule = LlvmOrc.CreateNewThreadSafeModule(module.Release(), module.Context.ThreadSafeHandle);
        LlvmErrors.ThrowIfFailed(
            LlvmOrc.LLJITAddLLVMIRModule(Handle, LlvmOrc.LLJITGetMainJITDylib(Handle), threadSafeModule),
            "adding a module to the JIT");
    }

    /// <summary>The address of a function or global added to the JIT, compiling it on first use; false with LLVM's reason.</summary>
    public bool TryLookup(string name, out nint address, out string? error)
    {
        error = LlvmErrors.TakeErrorMessage(LlvmOrc.LLJITLookup(Handle, out ulong found, name));
        address = error is null ? (nint)found : 0;
        return error is null;
    }

    /// <summary>The address of a function or global added to the JIT; throws <see cref="LlvmException"/> when it is missing or does not compile.</summary>
    public nint Lookup(string name) =>
        TryLookup(name, out nint address, out string? error) ? address : throw new LlvmException($"JIT lookup of '{name}': {error}");

    /// <summary>Frees the JIT and all code it compiled: addresses it gave out are invalid afterwards.</summary>
    private protected override void Free(LLVMOrcLLJITRef handle) => LlvmErrors.TakeErrorMessage(LlvmOrc.DisposeLLJIT(handle));
}
