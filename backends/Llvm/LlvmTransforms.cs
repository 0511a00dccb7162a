using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary><c>llvm-c/Transforms/PassBuilder.h</c>: the new pass manager's pipelines (<c>default&lt;O3&gt;</c>).</summary>
public static partial class LlvmTransforms
{
    /// <summary>
    /// <c>LLVMRunPasses</c>: runs a textual pipeline (<c>default&lt;O3&gt;</c>, as <c>opt -passes=</c> takes it) over the
    /// module, with the target machine's cost model; a zero error is success.
    /// </summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMRunPasses", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMErrorRef RunPasses(LLVMModuleRef module, string passes, LLVMTargetMachineRef targetMachine, LLVMPassBuilderOptionsRef options);

    /// <summary><c>LLVMCreatePassBuilderOptions</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCreatePassBuilderOptions")]
    public static partial LLVMPassBuilderOptionsRef CreatePassBuilderOptions();

    /// <summary><c>LLVMDisposePassBuilderOptions</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposePassBuilderOptions")]
    public static partial void DisposePassBuilderOptions(LLVMPassBuilderOptionsRef options);

    /// <summary><c>LLVMPassBuilderOptionsSetVerifyEach</c>: verify the module after each pass.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPassBuilderOptionsSetVerifyEach")]
    public static partial void PassBuilderOptionsSetVerifyEach(LLVMPassBuilderOptionsRef options, [MarshalAs(UnmanagedType.Bool)] bool verifyEach);

    /// <summary><c>LLVMPassBuilderOptionsSetLoopVectorization</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPassBuilderOptionsSetLoopVectorization")]
    public static partial void PassBuilderOptionsSetLoopVectorization(LLVMPassBuilderOptionsRef options, [MarshalAs(UnmanagedType.Bool)] bool loopVectorization);

    /// <summary><c>LLVMPassBuilderOptionsSetSLPVectorization</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPassBuilderOptionsSetSLPVectorization")]
    public static partial void PassBuilderOptionsSetSLPVectorization(LLVMPassBuilderOptionsRef options, [MarshalAs(UnmanagedType.Bool)] bool slpVectorization);

    /// <summary><c>LLVMPassBuilderOptionsSetLoopUnrolling</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPassBuilderOptionsSetLoopUnrolling")]
    public static partial void PassBuilderOptionsSetLoopUnrolling(LLVMPassBuilderOptionsRef options, [MarshalAs(UnmanagedType.Bool)] bool loopUnrolling);
}
