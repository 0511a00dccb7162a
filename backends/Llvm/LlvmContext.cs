using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary>One diagnostic LLVM reported through a context's handler (an error, or a warning).</summary>
/// <param name="Severity">How bad it is.</param>
/// <param name="Message">LLVM's text.</param>
public sealed record LlvmDiagnostic(LLVMDiagnosticSeverity Severity, string Message);

/// <summary>
/// An owned LLVM context (one per compilation, never the global one): its types, constants and modules. Its diagnostic
/// handler collects errors and warnings (<see cref="Diagnostics"/>) instead of LLVM's default, which ends the process on
/// an error. A context made by <see cref="CreateThreadSafe"/> lives in an ORC thread-safe context, so its modules can be
/// added to a JIT (<see cref="LlvmLLJit.AddModule"/>). Dispose the modules of a context before the context; a context
/// may be used by one thread at a time. There is no finalizer: LLVM objects freed in the wrong order crash, leaked ones
/// do not.
/// </summary>
public sealed unsafe class LlvmContext : LlvmOwner<LLVMContextRef>
{
    // The contexts alive, by the id their diagnostic handler gets: a thread-safe context can outlive its LlvmContext
    // (a JIT holds it), so the handler must not reach a freed object; diagnostics of a disposed one are dropped.
    private static readonly ConcurrentDictionary<nint, LlvmContext> Live = new();
    private static long _lastId;

    private readonly Lock _diagnosticsGate = new();
    private readonly List<LlvmDiagnostic> _diagnostics = [];
    private readonly nint _id;
    private readonly LLVMOrcThreadSafeContextRef _threadSafe;

    private LlvmContext(LLVMContextRef handle, LLVMOrcThreadSafeContextRef threadSafe)
        : base(handle)
    {
        _threadSafe = threadSafe;
        _id = (nint)Interlocked.Increment(ref _lastId);
        Live[_id] = this;
        LlvmCore.ContextSetDiagnosticHandler(handle, &OnDiagnostic, (void*)_id);
    }

    /// <summary>A new context for object emission.</summary>
    public static LlvmContext Create()
    {
        LlvmLibrary.EnsureAvailable();
        return new LlvmContext(LlvmCore.ContextCreate(), default);
    }

    /// <summary>A new context inside an ORC thread-safe context, whose modules an <see cref="LlvmLLJit"/> can take.</summary>
    public static LlvmContext CreateThreadSafe()
    {
        LlvmLibrary.EnsureAvailable();
        var threadSafe = LlvmOrc.CreateNewThreadSafeContext();
        return new LlvmContext(LlvmOrc.ThreadSafeContextGetContext(threadSafe), threadSafe);
    }


    /// <summary>Whether the context lives in an ORC thread-safe context (made by <see cref="CreateThreadSafe"/>).</summary>
    public bool IsThreadSafe => _threadSafe.Handle != 0;

    /// <summary>The ORC thread-safe context, or a zero handle for a plain context.</summary>
    public LLVMOrcThreadSafeContextRef ThreadSafeHandle => _threadSafe;

    /// <summary>A new module in this context.</summary>
    public LlvmModule CreateModule(string name) => new(this, LlvmCore.ModuleCreateWithNameInContext(name, Handle));

    /// <summary>A new instruction builder in this context.</summary>
    public LlvmBuilder CreateBuilder() => new(this, LlvmCore.CreateBuilderInContext(Handle));

    /// <summary><c>i1</c>.</summary>
    public LLVMTypeRef Int1 => LlvmCore.IntTypeInContext(Handle, 1);

    /// <summary><c>i8</c>.</summary>
    public LLVMTypeRef Int8 => LlvmCore.IntTypeInContext(Handle, 8);

    /// <summary><c>i32</c>.</summary>
    public LLVMTypeRef Int32 => LlvmCore.IntTypeInContext(Handle, 32);

    /// <summary><c>i64</c>.</summary>
    public LLVMTypeRef Int64 => LlvmCore.IntTypeInContext(Handle, 64);

    /// <summary><c>float</c>.</summary>
    public LLVMTypeRef Float => LlvmCore.FloatTypeInContext(Handle);

    /// <summary><c>double</c>.</summary>
    public LLVMTypeRef Double => LlvmCore.DoubleTypeInContext(Handle);

    /// <summary><c>void</c>.</summary>
    public LLVMTypeRef Void => LlvmCore.VoidTypeInContext(Handle);

    /// <summary><c>ptr</c> in address space 0.</summary>
    public LLVMTypeRef Pointer => LlvmCore.PointerTypeInContext(Handle, 0);

    /// <summary>A function type.</summary>
    public static LLVMTypeRef FunctionType(LLVMTypeRef returnType, params ReadOnlySpan<LLVMTypeRef> parameterTypes) =>
        LlvmCore.FunctionType(returnType, parameterTypes, (uint)parameterTypes.Length, isVarArg: false);

    /// <summary>An enum attribute (<c>nounwind</c>, <c>noalias</c>, <c>nocapture</c>, <c>readonly</c>, ...) by name.</summary>
    public LLVMAttributeRef EnumAttribute(string name, ulong value = 0)
    {
        uint kind = LlvmCore.GetEnumAttributeKindForName(name, (nuint)System.Text.Encoding.UTF8.GetByteCount(name));
        if (kind == 0) throw new ArgumentException($"LLVM has no enum attribute '{name}'", nameof(name));
        return LlvmCore.CreateEnumAttribute(Handle, kind, value);
    }

    /// <summary>A string attribute <c>"key"="value"</c> (<c>"no-builtins"</c>, <c>"prefer-vector-width"="512"</c>).</summary>
    public LLVMAttributeRef StringAttribute(string key, string value = "") =>
        LlvmCore.CreateStringAttribute(Handle, key, (uint)System.Text.Encoding.UTF8.GetByteCount(key), value, (uint)System.Text.Encoding.UTF8.GetByteCount(value));

    /// <summary>The errors and warnings LLVM reported in this context so far.</summary>
    public IReadOnlyList<LlvmDiagnostic> Diagnostics
    {
        get
        {
            lock (_diagnosticsGate) return [.. _diagnostics];
        }
    }

    /// <summary>Throws <see cref="LlvmException"/> with the error diagnostics reported since the last call, and forgets them.</summary>
    public void ThrowIfErrorsReported(string operation)
    {
        string[] errors;
        lock (_diagnosticsGate)
        {
            errors = [.. _diagnostics.Where(d => d.Severity == LLVMDiagnosticSeverity.Error).Select(d => d.Message)];
            _diagnostics.RemoveAll(d => d.Severity == LLVMDiagnosticSeverity.Error);
        }
        if (errors.Length > 0) throw new LlvmException($"{operation}: {string.Join("; ", errors)}");
    }

    [UnmanagedCallersOnly]
    private static void OnDiagnostic(LLVMDiagnosticInfoRef info, void* id)
    {
        var severity = LlvmCore.GetDiagInfoSeverity(info);
        if (severity is not (LLVMDiagnosticSeverity.Error or LLVMDiagnosticSeverity.Warning)) return;
        string message = LlvmErrors.TakeMessage(LlvmCore.GetDiagInfoDescription(info)) ?? "";
        if (Live.TryGetValue((nint)id, out var context))
            lock (context._diagnosticsGate) context._diagnostics.Add(new LlvmDiagnostic(severity, message));
    }

    /// <summary>
    /// Frees the context (a plain one with the modules still in it; a thread-safe one drops this reference, and modules a
    /// JIT took keep it alive; what LLVM reports while the JIT compiles them afterwards is dropped, so look the kernels up
    /// before disposing their context).
    /// </summary>
    private protected override void Free(LLVMContextRef handle)
    {
        if (_threadSafe.Handle != 0)
            LlvmOrc.DisposeThreadSafeContext(_threadSafe);
        else
            LlvmCore.ContextDispose(handle);
        Live.TryRemove(_id, out _);
    }
}
