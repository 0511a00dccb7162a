using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// One LLVM module being generated, with what every lowering needs: the context, a builder, the element types, integer
/// constants and intrinsic declarations (cached). Kernels call nothing outside the module: every helper they need
/// (parallel bodies, GEMM micro-kernels) is an internal function of it.
/// </summary>
internal sealed class KernelModule : IDisposable
{
    private readonly Dictionary<string, LLVMValueRef> _intrinsics = new(StringComparer.Ordinal);
    private int _nextInternal;

    public KernelModule(LlvmContext context, string name, CpuTarget? target = null)
    {
        Target = target ?? CpuTarget.Host;
        Context = context;
        Module = context.CreateModule(name);
        Builder = context.CreateBuilder();
        Types = new ElementTypes(context, ElementTypes.HasNativeHalf(Target));
    }

    public LlvmContext Context { get; }

    /// <summary>The machine the module is compiled for (explicit vector code is sized by it: <see cref="Isa"/>).</summary>
    public CpuTarget Target { get; }

    /// <summary>The target's vector registers.</summary>
    public VectorIsa Isa => field ??= VectorIsa.Of(Target);

    public LlvmModule Module { get; }

    public LlvmBuilder Builder { get; }

    public ElementTypes Types { get; }

    public LLVMTypeRef I1 => Context.Int1;

    public LLVMTypeRef I8 => Context.Int8;

    public LLVMTypeRef I32 => Context.Int32;

    public LLVMTypeRef I64 => Context.Int64;

    public LLVMTypeRef Ptr => Context.Pointer;

    /// <summary>An i64 constant.</summary>
    public LLVMValueRef Int64(long value) => LlvmCore.ConstInt(I64, unchecked((ulong)value), signExtend: true);

    /// <summary>An i32 constant.</summary>
    public LLVMValueRef Int32(int value) => LlvmCore.ConstInt(I32, unchecked((ulong)value), signExtend: true);

    /// <summary>An integer constant of any integer type (the bits of <paramref name="value"/>, truncated).</summary>
    public LLVMValueRef Integer(LLVMTypeRef type, long value) => LlvmCore.ConstInt(type, unchecked((ulong)value), signExtend: true);

    /// <summary>The declaration of an overloaded intrinsic (<c>llvm.fma</c> on <c>float</c>), cached per module.</summary>
    public LLVMValueRef Intrinsic(string name, params LLVMTypeRef[] overloads)
    {
        string key = name + "|" + string.Join(",", overloads.Select(t => t.Handle));
        if (!_intrinsics.TryGetValue(key, out var declaration))
            _intrinsics[key] = declaration = Module.DeclareIntrinsic(name, overloads);
        return declaration;
    }

    /// <summary>Calls an overloaded intrinsic on one overload type.</summary>
    public LLVMValueRef CallIntrinsic(string name, LLVMTypeRef overload, params LLVMValueRef[] arguments) =>
        Builder.Call(Intrinsic(name, overload), arguments);

    /// <summary>A new function of this module, private to it (a parallel body, a helper), with the kernel attributes.</summary>
    public LLVMValueRef AddInternalFunction(string stem, LLVMTypeRef type)
    {
        var function = Module.AddFunction($"{stem}.{_nextInternal++}", type);
        LlvmCore.SetLinkage(function, LLVMLinkage.Internal);
        AddKernelAttributes(function);
        return function;
    }

    /// <summary>Attributes every function of a kernel module has: no unwinding, no library calls, no stack probes.</summary>
    public void AddKernelAttributes(LLVMValueRef function)
    {
        LlvmCore.AddAttributeAtIndex(function, LlvmCore.AttributeFunctionIndex, Context.EnumAttribute("nounwind"));
        LlvmCore.AddAttributeAtIndex(function, LlvmCore.AttributeFunctionIndex, Context.StringAttribute("no-builtins"));
        LlvmCore.AddAttributeAtIndex(function, LlvmCore.AttributeFunctionIndex, Context.StringAttribute("no-stack-arg-probe"));
    }

    public void Dispose()
    {
        Builder.Dispose();
        Module.Dispose();
    }
}
