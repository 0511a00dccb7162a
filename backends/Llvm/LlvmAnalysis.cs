using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary><c>llvm-c/Analysis.h</c>: the IR verifier.</summary>
public static partial class LlvmAnalysis
{
    /// <summary>
    /// <c>LLVMVerifyModule</c>: true when the module is broken. With <see cref="LLVMVerifierFailureAction.ReturnStatus"/>
    /// <paramref name="message"/> is the report (caller-owned, set even when the module is valid: take it with
    /// <see cref="LlvmErrors.TakeMessage"/>).
    /// </summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMVerifyModule")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool VerifyModule(LLVMModuleRef module, LLVMVerifierFailureAction action, out nint message);

    /// <summary><c>LLVMVerifyFunction</c>: true when the function is broken (the report goes to stderr with <see cref="LLVMVerifierFailureAction.PrintMessage"/>).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMVerifyFunction")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool VerifyFunction(LLVMValueRef function, LLVMVerifierFailureAction action);
}
