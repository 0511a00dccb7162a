using JaxToolchain.Backends.Llvm;

namespace JaxToolchain.Backends.Cpu;

/// <summary>
/// Turns kernel modules into object files for one <see cref="CpuTarget"/>: verify, give the module the target's triple
/// and data layout, optimize with <see cref="OptimizationPipeline"/> using the target's cost model (so the vectorizer
/// picks the ISA level's vector width), and emit an ELF, COFF or Mach-O object. The target machine is built once.
/// <para>
/// Kernels call nothing outside themselves (design principle 8), and the emitter keeps it so: every defined function
/// gets <c>"no-builtins"</c> before optimization (LLVM does not turn loops into <c>memset</c>/<c>memcpy</c> calls or
/// calls into other library calls), and a module that still calls a function it does not define (<c>expf</c>) is an
/// error after optimization. What the code generator itself calls (<c>fmodf</c> for <c>frem</c>, <c>__chkstk</c> for
/// large frames on Windows) shows up as an undefined symbol when linking. For MSVC targets each object defines
/// <c>_fltused</c> (the C runtime's marker that floating point is used, which MSVC code references; kernels link no C
/// runtime) as a weak definition in a COMDAT group of its own, so several objects link into one DLL.
/// </para>
/// Calls are serialised; for parallel compilation use one emitter per thread.
/// </summary>
public sealed class ObjectEmitter : IDisposable
{
    /// <summary>The optimization pipeline every kernel goes through (<c>opt -O3</c>'s).</summary>
    public const string OptimizationPipeline = "default<O3>";

    private const string MsvcFloatingPointMarker = "_fltused";

    private readonly Lock _gate = new();
    private readonly LlvmTargetMachine _targetMachine;

    /// <summary>An emitter for a target (throws <see cref="LlvmException"/> when LLVM does not know its triple).</summary>
    public ObjectEmitter(CpuTarget target)
    {
        Target = target;
        _targetMachine = LlvmTargetMachine.Create(target.Triple, target.Cpu, target.Features);
    }

    /// <summary>The target objects are emitted for.</summary>
    public CpuTarget Target { get; }

    /// <summary>The file extension of an object of this target (<c>.o</c>, <c>.obj</c> for COFF).</summary>
    public string ObjectFileExtension => Target.Format == ObjectFormat.Coff ? ".obj" : ".o";

    /// <summary>
    /// Verifies <paramref name="module"/>, gives it the target's triple and data layout, and runs
    /// <see cref="OptimizationPipeline"/> over it in place; throws <see cref="LlvmException"/> for invalid IR or a call
    /// of a function the module does not define.
    /// </summary>
    public void Optimize(LlvmModule module)
    {
        lock (_gate)
        {
            module.Verify();
            _targetMachine.ConfigureModule(module);
            var noBuiltins = module.Context.StringAttribute("no-builtins");
            foreach (var function in module.Functions.Where(f => !LlvmCore.IsDeclaration(f)))
                LlvmCore.AddAttributeAtIndex(function, LlvmCore.AttributeFunctionIndex, noBuiltins);
            _targetMachine.RunPasses(module, OptimizationPipeline);
            if (module.ExternalFunctions() is [_, ..] external)
                throw new LlvmException(
                    $"the kernel module calls {string.Join(", ", external)}, which it does not define: kernels call nothing " +
                    "outside themselves (no libm; emit the math inline), so the library loads on any machine of its RID");
        }
    }

    /// <summary>The object file of an optimized copy of <paramref name="module"/>, which is left as it is (so one module can be emitted for several targets).</summary>
    public byte[] EmitObject(LlvmModule module) => EmitOptimizedCopy(module, LLVMCodeGenFileType.Object);

    /// <summary>The assembly text of an optimized copy of <paramref name="module"/> (for inspection and tests).</summary>
    public string EmitAssembly(LlvmModule module) => System.Text.Encoding.UTF8.GetString(EmitOptimizedCopy(module, LLVMCodeGenFileType.Assembly));

    private byte[] EmitOptimizedCopy(LlvmModule module, LLVMCodeGenFileType fileType)
    {
        module.Verify(); // before cloning: LLVM's cloner does not expect broken IR
        using var copy = module.Clone();
        lock (_gate)
        {
            Optimize(copy);
            if (Target.Triple.EndsWith("-windows-msvc", StringComparison.Ordinal)) DefineMsvcFloatingPointMarker(copy);
            return _targetMachine.Emit(copy, fileType);
        }
    }

    private static void DefineMsvcFloatingPointMarker(LlvmModule module)
    {
        if (LlvmCore.GetNamedGlobal(module, MsvcFloatingPointMarker).Handle != 0) return;
        var marker = LlvmCore.AddGlobal(module, module.Context.Int32, MsvcFloatingPointMarker);
        LlvmCore.SetInitializer(marker, LlvmCore.ConstNull(module.Context.Int32));
        LlvmCore.SetLinkage(marker, LLVMLinkage.WeakODR);
        // In its own COMDAT (selection "any"): COFF has no weak definitions, and lld-link keeps one of the copies.
        LlvmCore.SetComdat(marker, LlvmCore.GetOrInsertComdat(module, MsvcFloatingPointMarker));
    }

    /// <summary>Frees the target machine.</summary>
    public void Dispose() => _targetMachine.Dispose();
}
