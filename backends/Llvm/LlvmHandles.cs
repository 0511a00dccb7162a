namespace JaxToolchain.Backends.Llvm;

// The opaque handle types of the LLVM-C API (llvm-c/Types.h, Error.h, TargetMachine.h, Orc.h, ...), one blittable
// struct each so that a value, a type and a block cannot be mixed up. They own nothing: the wrappers
// (LlvmContext, LlvmModule, LlvmBuilder, LlvmTargetMachine, LlvmLLJit) own what must be disposed.

/// <summary><c>LLVMContextRef</c>: an LLVM context (owns types, constants and the modules created in it).</summary>
public readonly record struct LLVMContextRef(nint Handle);

/// <summary><c>LLVMModuleRef</c>: a module (functions, globals, triple, data layout).</summary>
public readonly record struct LLVMModuleRef(nint Handle);

/// <summary><c>LLVMTypeRef</c>: a type, owned by its context.</summary>
public readonly record struct LLVMTypeRef(nint Handle);

/// <summary><c>LLVMValueRef</c>: a value (function, argument, instruction, constant), owned by its module or context.</summary>
public readonly record struct LLVMValueRef(nint Handle);

/// <summary><c>LLVMBasicBlockRef</c>: a basic block, owned by its function.</summary>
public readonly record struct LLVMBasicBlockRef(nint Handle);

/// <summary><c>LLVMComdatRef</c>: a COMDAT group of a module (owned by the module).</summary>
public readonly record struct LLVMComdatRef(nint Handle);

/// <summary><c>LLVMBuilderRef</c>: an instruction builder.</summary>
public readonly record struct LLVMBuilderRef(nint Handle);

/// <summary><c>LLVMAttributeRef</c>: a function, return or parameter attribute, owned by its context.</summary>
public readonly record struct LLVMAttributeRef(nint Handle);

/// <summary><c>LLVMDiagnosticInfoRef</c>: a diagnostic passed to a context's diagnostic handler.</summary>
public readonly record struct LLVMDiagnosticInfoRef(nint Handle);

/// <summary><c>LLVMMemoryBufferRef</c>: a memory buffer (an emitted object file).</summary>
public readonly record struct LLVMMemoryBufferRef(nint Handle);

/// <summary><c>LLVMErrorRef</c>: an <c>llvm::Error</c>; a zero handle is success. Must be consumed (its message taken, or <c>LLVMConsumeError</c>).</summary>
public readonly record struct LLVMErrorRef(nint Handle);

/// <summary><c>LLVMTargetRef</c>: a registered target (X86, AArch64), owned by LLVM.</summary>
public readonly record struct LLVMTargetRef(nint Handle);

/// <summary><c>LLVMTargetMachineRef</c>: a target machine (triple, CPU, features, optimization level, relocation model).</summary>
public readonly record struct LLVMTargetMachineRef(nint Handle);

/// <summary><c>LLVMTargetDataRef</c>: a data layout.</summary>
public readonly record struct LLVMTargetDataRef(nint Handle);

/// <summary><c>LLVMPassBuilderOptionsRef</c>: options of <c>LLVMRunPasses</c>.</summary>
public readonly record struct LLVMPassBuilderOptionsRef(nint Handle);

/// <summary><c>LLVMOrcThreadSafeContextRef</c>: a context with a lock, shared by reference count with the modules added to a JIT.</summary>
public readonly record struct LLVMOrcThreadSafeContextRef(nint Handle);

/// <summary><c>LLVMOrcThreadSafeModuleRef</c>: a module paired with its thread-safe context, ready to add to a JIT.</summary>
public readonly record struct LLVMOrcThreadSafeModuleRef(nint Handle);

/// <summary><c>LLVMOrcJITTargetMachineBuilderRef</c>: how an LLJIT makes its target machines.</summary>
public readonly record struct LLVMOrcJITTargetMachineBuilderRef(nint Handle);

/// <summary><c>LLVMOrcLLJITBuilderRef</c>: the options of an LLJIT before it is created.</summary>
public readonly record struct LLVMOrcLLJITBuilderRef(nint Handle);

/// <summary><c>LLVMOrcLLJITRef</c>: an ORC LLJIT instance.</summary>
public readonly record struct LLVMOrcLLJITRef(nint Handle);

/// <summary><c>LLVMOrcJITDylibRef</c>: a JIT dylib (a symbol namespace of a JIT), owned by its JIT.</summary>
public readonly record struct LLVMOrcJITDylibRef(nint Handle);
