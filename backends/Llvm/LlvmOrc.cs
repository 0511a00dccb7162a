using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// <c>llvm-c/Orc.h</c> and <c>llvm-c/LLJIT.h</c>: an LLJIT, thread-safe contexts and modules, symbol lookup. Names are
/// the C names without the <c>LLVMOrc</c> prefix. Functions that "take ownership" consume their argument even when
/// they return an error.
/// </summary>
public static partial class LlvmOrc
{
    /// <summary><c>LLVMOrcCreateNewThreadSafeContext</c>: a new context with a lock (reference counted).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcCreateNewThreadSafeContext")]
    public static partial LLVMOrcThreadSafeContextRef CreateNewThreadSafeContext();

    /// <summary><c>LLVMOrcThreadSafeContextGetContext</c>: the context inside (build modules in it).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcThreadSafeContextGetContext")]
    public static partial LLVMContextRef ThreadSafeContextGetContext(LLVMOrcThreadSafeContextRef threadSafeContext);

    /// <summary><c>LLVMOrcDisposeThreadSafeContext</c>: drops this reference; modules added to a JIT keep the context alive.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcDisposeThreadSafeContext")]
    public static partial void DisposeThreadSafeContext(LLVMOrcThreadSafeContextRef threadSafeContext);

    /// <summary><c>LLVMOrcCreateNewThreadSafeModule</c>: takes ownership of the module (which must live in the context).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcCreateNewThreadSafeModule")]
    public static partial LLVMOrcThreadSafeModuleRef CreateNewThreadSafeModule(LLVMModuleRef module, LLVMOrcThreadSafeContextRef threadSafeContext);

    /// <summary><c>LLVMOrcDisposeThreadSafeModule</c>: for a module that was not added to a JIT.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcDisposeThreadSafeModule")]
    public static partial void DisposeThreadSafeModule(LLVMOrcThreadSafeModuleRef threadSafeModule);

    /// <summary><c>LLVMOrcJITTargetMachineBuilderDetectHost</c>: a builder for the host's triple, CPU and features.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcJITTargetMachineBuilderDetectHost")]
    public static partial LLVMErrorRef JITTargetMachineBuilderDetectHost(out LLVMOrcJITTargetMachineBuilderRef builder);

    /// <summary><c>LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine</c>: takes ownership of the target machine.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine")]
    public static partial LLVMOrcJITTargetMachineBuilderRef JITTargetMachineBuilderCreateFromTargetMachine(LLVMTargetMachineRef targetMachine);

    /// <summary><c>LLVMOrcDisposeJITTargetMachineBuilder</c>: for a builder not given to an LLJIT builder.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcDisposeJITTargetMachineBuilder")]
    public static partial void DisposeJITTargetMachineBuilder(LLVMOrcJITTargetMachineBuilderRef builder);

    /// <summary><c>LLVMOrcCreateLLJITBuilder</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcCreateLLJITBuilder")]
    public static partial LLVMOrcLLJITBuilderRef CreateLLJITBuilder();

    /// <summary><c>LLVMOrcDisposeLLJITBuilder</c>: for a builder not given to <see cref="CreateLLJIT"/>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcDisposeLLJITBuilder")]
    public static partial void DisposeLLJITBuilder(LLVMOrcLLJITBuilderRef builder);

    /// <summary><c>LLVMOrcLLJITBuilderSetJITTargetMachineBuilder</c>: takes ownership of the target machine builder.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcLLJITBuilderSetJITTargetMachineBuilder")]
    public static partial void LLJITBuilderSetJITTargetMachineBuilder(LLVMOrcLLJITBuilderRef builder, LLVMOrcJITTargetMachineBuilderRef targetMachineBuilder);

    /// <summary><c>LLVMOrcCreateLLJIT</c>: takes ownership of the builder (a zero builder means the defaults, for the host).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcCreateLLJIT")]
    public static partial LLVMErrorRef CreateLLJIT(out LLVMOrcLLJITRef jit, LLVMOrcLLJITBuilderRef builder);

    /// <summary><c>LLVMOrcDisposeLLJIT</c>: frees the JIT and the code it made.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcDisposeLLJIT")]
    public static partial LLVMErrorRef DisposeLLJIT(LLVMOrcLLJITRef jit);

    /// <summary><c>LLVMOrcLLJITGetMainJITDylib</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcLLJITGetMainJITDylib")]
    public static partial LLVMOrcJITDylibRef LLJITGetMainJITDylib(LLVMOrcLLJITRef jit);

    /// <summary><c>LLVMOrcLLJITGetTripleString</c>: the JIT's target triple (owned by the JIT).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcLLJITGetTripleString")]
    public static partial nint LLJITGetTripleString(LLVMOrcLLJITRef jit);

    /// <summary><c>LLVMOrcLLJITGetDataLayoutStr</c>: the JIT's data layout (owned by the JIT); modules added must have it.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcLLJITGetDataLayoutStr")]
    public static partial nint LLJITGetDataLayoutStr(LLVMOrcLLJITRef jit);

    /// <summary><c>LLVMOrcLLJITAddLLVMIRModule</c>: adds a module to a dylib; takes ownership of the thread-safe module. Compiled at the first lookup of one of its symbols.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcLLJITAddLLVMIRModule")]
    public static partial LLVMErrorRef LLJITAddLLVMIRModule(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef dylib, LLVMOrcThreadSafeModuleRef threadSafeModule);

    /// <summary><c>LLVMOrcLLJITLookup</c>: the address of a symbol of the main dylib, by its unmangled IR name (compiling it if needed).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMOrcLLJITLookup", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMErrorRef LLJITLookup(LLVMOrcLLJITRef jit, out ulong address, string name);
}
