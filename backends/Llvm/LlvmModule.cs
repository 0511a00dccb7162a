using System.Text;

namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// An owned LLVM module in an <see cref="LlvmContext"/>: functions, target triple, data layout. Made by
/// <see cref="LlvmContext.CreateModule"/> or <see cref="Clone"/>; disposed before its context. Handing it to a JIT
/// (<see cref="LlvmLLJit.AddModule"/>) transfers it: afterwards this object is disposed.
/// </summary>
public sealed class LlvmModule : LlvmOwner<LLVMModuleRef>
{
    internal LlvmModule(LlvmContext context, LLVMModuleRef handle)
        : base(handle) => Context = context;

    /// <summary>The context the module lives in.</summary>
    public LlvmContext Context { get; }


    /// <summary>The target triple (empty until set).</summary>
    public string Triple
    {
        get => LlvmErrors.ReadBorrowedString(LlvmCore.GetTarget(Handle));
        set => LlvmCore.SetTarget(Handle, value);
    }

    /// <summary>The data layout string (empty until set).</summary>
    public string DataLayout
    {
        get => LlvmErrors.ReadBorrowedString(LlvmCore.GetDataLayoutStr(Handle));
        set => LlvmCore.SetDataLayout(Handle, value);
    }

    /// <summary>Declares a function (append blocks to define it).</summary>
    public LLVMValueRef AddFunction(string name, LLVMTypeRef functionType) => LlvmCore.AddFunction(Handle, name, functionType);

    /// <summary>A function of the module by name, or null.</summary>
    public LLVMValueRef? GetFunction(string name) => LlvmCore.GetNamedFunction(Handle, name) is { Handle: not 0 } f ? f : null;

    /// <summary>The functions of the module, definitions and declarations.</summary>
    public IEnumerable<LLVMValueRef> Functions
    {
        get
        {
            for (var f = LlvmCore.GetFirstFunction(Handle); f.Handle != 0; f = LlvmCore.GetNextFunction(f)) yield return f;
        }
    }

    /// <summary>The functions the module calls but does not define, intrinsics aside (what a linker would have to find elsewhere).</summary>
    public IReadOnlyList<string> ExternalFunctions() =>
        [.. Functions.Where(f => LlvmCore.IsDeclaration(f) && LlvmCore.GetIntrinsicID(f) == 0).Select(Name)];

    /// <summary>The name of a value.</summary>
    public static string Name(LLVMValueRef value) =>
        System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LlvmCore.GetValueName2(value, out nuint length), checked((int)length));

    /// <summary>
    /// Declares an intrinsic (<c>llvm.fmuladd</c>, <c>llvm.sqrt</c>, <c>llvm.vector.reduce.fadd</c>, ...) specialised for
    /// its overloaded types (<c>llvm.fmuladd</c> with <c>float</c> is <c>llvm.fmuladd.f32</c>); call it with
    /// <see cref="LlvmBuilder.Call"/>.
    /// </summary>
    public LLVMValueRef DeclareIntrinsic(string name, params ReadOnlySpan<LLVMTypeRef> overloadTypes)
    {
        uint id = LlvmCore.LookupIntrinsicID(name, (nuint)Encoding.UTF8.GetByteCount(name));
        if (id == 0) throw new ArgumentException($"LLVM has no intrinsic '{name}'", nameof(name));
        return LlvmCore.GetIntrinsicDeclaration(Handle, id, overloadTypes, (nuint)overloadTypes.Length);
    }

    /// <summary>Checks the module; false with LLVM's report when it is broken.</summary>
    public bool TryVerify(out string report)
    {
        bool broken = LlvmAnalysis.VerifyModule(Handle, LLVMVerifierFailureAction.ReturnStatus, out nint message);
        report = LlvmErrors.TakeMessage(message) ?? "";
        return !broken;
    }

    /// <summary>Checks the module; throws <see cref="LlvmException"/> with LLVM's report when it is broken.</summary>
    public void Verify()
    {
        if (!TryVerify(out string report)) throw new LlvmException($"module is not valid LLVM IR: {report.Trim()}");
    }

    /// <summary>A deep copy in the same context (to optimize one module for several targets).</summary>
    public LlvmModule Clone() => new(Context, LlvmCore.CloneModule(Handle));

    /// <summary>The module as LLVM IR text.</summary>
    public string PrintToString() => LlvmErrors.TakeMessage(LlvmCore.PrintModuleToString(Handle)) ?? "";

    /// <inheritdoc/>
    private protected override void Free(LLVMModuleRef handle) => LlvmCore.DisposeModule(handle);
}
