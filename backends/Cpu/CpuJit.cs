using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu;

/// <summary>
/// Compiles kernel modules for this machine at run time (for runtime <c>Jax.Jit</c>) with an ORC LLJIT: modules are
/// optimized like precompiled ones (<see cref="ObjectEmitter.OptimizationPipeline"/>, but for <see cref="CpuTarget.Host"/>
/// with all its features) and compiled at the first lookup of their kernels. Kernel addresses are plain C function
/// pointers, callable from any thread through <c>delegate* unmanaged</c> for as long as the JIT lives. Adding and looking
/// up are serialised (compilation is a one-off cost; calling a kernel takes no lock).
/// <para>
/// Build modules for it in <see cref="CreateContext"/>'s contexts, one context per compilation, and look their kernels up
/// before disposing the context. Dispose the JIT only when no kernel of it can run any more: there is no finalizer, so
/// code stays valid until <see cref="Dispose"/>.
/// </para>
/// </summary>
public sealed unsafe class CpuJit : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ObjectEmitter _optimizer;
    private readonly LlvmLLJit _jit;

    /// <summary>A JIT for <see cref="CpuTarget.Host"/>; throws <see cref="LlvmNotAvailableException"/> without LLVM, <see cref="LlvmException"/> when LLVM fails.</summary>
    public CpuJit()
    {
        Target = CpuTarget.Host;
        _optimizer = new ObjectEmitter(Target);
        try
        {
            // The code generator gets the same triple, CPU and features as the optimizer's cost model, at -O3; the
            // JIT's default code model (large on x86-64) lets its memory manager place code and data anywhere.
            var codeGenerator = LlvmTargetMachine.Create(Target.Triple, Target.Cpu, Target.Features,
                LLVMCodeGenOptLevel.Aggressive, LLVMRelocMode.Default, LLVMCodeModel.JITDefault);
            _jit = LlvmLLJit.Create(codeGenerator);
        }
        catch
        {
            _optimizer.Dispose();
            throw;
        }
    }

    /// <summary>The machine the JIT compiles for.</summary>
    public CpuTarget Target { get; }

    /// <summary>A new context to build one module in (thread-safe, so the JIT can take its modules).</summary>
    public static LlvmContext CreateContext() => LlvmContext.CreateThreadSafe();

    /// <summary>
    /// Verifies and optimizes <paramref name="module"/> for the host and adds it to the JIT, which takes it over (the
    /// object is disposed afterwards). Its exported functions can then be looked up; a name already added is an error at lookup.
    /// </summary>
    public void AddModule(LlvmModule module)
    {
        lock (_gate)
        {
            try
            {
                _optimizer.Optimize(module);
            }
            catch
            {
                module.Dispose();
                throw;
            }
            _jit.AddModule(module);
        }
    }

    /// <summary>The address of a function added to the JIT (compiling its module on first use); false with LLVM's reason.</summary>
    public bool TryLookup(string symbol, out nint address, out string? error)
    {
        lock (_gate) return _jit.TryLookup(symbol, out address, out error);
    }

    /// <summary>The address of a function added to the JIT; throws <see cref="LlvmException"/> when it is missing or does not compile.</summary>
    public nint Lookup(string symbol)
    {
        lock (_gate) return _jit.Lookup(symbol);
    }

    /// <summary>A kernel following the calling convention (<c>int32_t kernel(const jax_kernel_call_frame*)</c>, <see cref="KernelCallFrame"/>), ready to call.</summary>
    public delegate* unmanaged[Cdecl]<KernelCallFrame*, int> LookupKernel(string symbol) =>
        (delegate* unmanaged[Cdecl]<KernelCallFrame*, int>)Lookup(symbol);

    /// <summary>Frees the JIT and all its code: kernels looked up from it must not run afterwards.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _jit.Dispose();
            _optimizer.Dispose();
        }
    }
}
