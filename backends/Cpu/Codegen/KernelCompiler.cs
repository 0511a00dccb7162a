using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Compiles an IR function into one LLVM module exporting one kernel with the kernel ABI
/// (<c>int32_t kernel(const jax_kernel_call_frame*)</c>): the function is simplified and fused into kernels
/// (<see cref="FusionPass"/>); its body and the regions of its control flow are buffer-planned
/// (<see cref="KernelStorage"/>); the entry point checks the frame, binds parameters, results and scratch buffers, and runs
/// each operation through its lowering (<see cref="OperationLowerings"/>, control flow through
/// <see cref="ControlFlowLowering"/>). An operation without a lowering is a <see cref="NotSupportedException"/> naming its
/// primitive.
/// </summary>
public static class KernelCompiler
{
    private const int AbiVersionOffset = 0;
    private const int BufferCountOffset = 4;
    private const int BuffersOffset = 8;
    private const int SymbolCountOffset = 24;
    private const int SymbolValuesOffset = 32;

    /// <summary>The pipeline before code generation, shared with the SPIR-V backend: <see cref="Pipelines.ForCodegen"/>.</summary>
    public static Function Prepare(Function function) => Pipelines.ForCodegen(function);

    /// <summary>
    /// Builds the module of <paramref name="function"/> in <paramref name="context"/>, exporting <paramref name="symbol"/>;
    /// <paramref name="donatedParameters"/> are parameters whose buffers the kernel may overwrite; explicit vector code
    /// is sized for <paramref name="target"/> (default: this machine), the target the module must be compiled for.
    /// </summary>
    public static (LlvmModule Module, KernelSignature Signature) Build(LlvmContext context, Function function, string symbol,
        IEnumerable<int>? donatedParameters = null, CpuTarget? target = null)
    {
        var prepared = Prepare(function);
        var storage = new KernelStorage(prepared, donatedParameters);
        var module = new KernelModule(context, symbol, target);
        try
        {
            var signature = EmitEntry(module, prepared, storage, symbol);
            module.Builder.Dispose();
            return (module.Module, signature);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    private static KernelSignature EmitEntry(KernelModule m, Function function, KernelStorage storage, string symbol)
    {
        var b = m.Builder;
        var entry = m.Module.AddFunction(symbol, LlvmContext.FunctionType(m.I32, m.Ptr));
        m.AddKernelAttributes(entry);
        var frame = LlvmCore.GetParam(entry, 0);
        b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(m.Context, entry, "entry"));
        var parameters = function.Parameters;
        var results = function.Body.Results;
        var symbols = function.ParameterTypes.SelectMany(t => t.Shape).Where(d => !d.IsStatic).Select(d => d.Symbol!).Distinct().ToList();
        int bufferCount = parameters.Count + results.Count + storage.Scratch.Count;

        var symbolValues = new Dictionary<string, LLVMValueRef>(StringComparer.Ordinal);
        var scope = new KernelScope(m, entry, frame, symbolValues, new Dictionary<Value, LLVMValueRef>(ReferenceEqualityComparer.Instance));
        CheckFrame(scope, bufferCount, symbols.Count);
        var buffers = b.Load(m.Ptr, Field(scope, BuffersOffset), 8, "buffers");
        var values = b.Load(m.Ptr, Field(scope, SymbolValuesOffset), 8, "symbol_values");
        for (int s = 0; s < symbols.Count; s++)
            symbolValues[symbols[s]] = b.Load(m.I64, b.InBoundsGep(m.I64, values, [m.Int64(s)]), 8, symbols[s]);
        var frameBuffers = Enumerable.Range(0, bufferCount)
            .Select(i => b.Load(m.Ptr, b.InBoundsGep(m.Ptr, buffers, [m.Int64(i)]), 8, $"buffer{i}")).ToArray();

        var emitter = new BlockEmitter(storage, index => frameBuffers[parameters.Count + results.Count + index]);
        for (int p = 0; p < parameters.Count; p++) scope.Bind(parameters[p], frameBuffers[p]);
        var top = storage.Top;
        foreach (var (slot, r) in storage.SlotOutputs) emitter.BindSlot(function.Body, slot, frameBuffers[parameters.Count + r]);
        // A slot that is also a result's is computed in the result's buffer (the result must end up there).
        foreach (var slot in top.Slots.Where(s => s.DonatedParameter is int && !storage.SlotOutputs.ContainsKey(s.Index)))
            emitter.BindSlot(function.Body, slot.Index, frameBuffers[slot.DonatedParameter!.Value]);
        emitter.EmitOperations(scope, function.Body);

        // Results not computed in their own buffer (a parameter, a value returned twice, a slot of another size).
        for (int r = 0; r < results.Count; r++)
        {
            var value = results[r];
            bool inPlace = top[value] is { } assignment && storage.SlotOutputs.TryGetValue(assignment.Slot, out int owner) && owner == r;
            if (!inPlace) Copy(scope, value.Type, scope.Pointer(value), frameBuffers[parameters.Count + r]);
        }
        LlvmCore.BuildRet(b, m.Int32((int)KernelStatus.Ok));
        return new KernelSignature(symbol, function.ParameterTypes.ToArray(), function.ResultTypes.ToArray(), symbols, storage.Scratch.ToArray());
    }

    private static LLVMValueRef Field(KernelScope scope, int offset) => scope.B.InBoundsGep(scope.M.I8, scope.Frame, [scope.M.Int64(offset)]);

    /// <summary>Returns an error status unless the frame has this ABI version, buffer count and symbol count.</summary>
    private static void CheckFrame(KernelScope scope, int bufferCount, int symbolCount)
    {
        var (m, b) = (scope.M, scope.B);
        void Require(int offset, int expected, KernelStatus status)
        {
            var actual = b.Load(m.I32, Field(scope, offset), 4);
            var ok = scope.NewBlock("frame.ok");
            var fail = scope.NewBlock("frame.fail");
            LlvmCore.BuildCondBr(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, actual, m.Int32(expected), ""), ok, fail);
            b.PositionAtEnd(fail);
            LlvmCore.BuildRet(b, m.Int32((int)status));
            b.PositionAtEnd(ok);
        }
        Require(AbiVersionOffset, ExecutionContracts.KernelAbiVersion, KernelStatus.AbiVersionMismatch);
        Require(BufferCountOffset, bufferCount, KernelStatus.BufferCountMismatch);
        Require(SymbolCountOffset, symbolCount, KernelStatus.SymbolCountMismatch);
    }

    /// <summary>
    /// Copies a dense array of <paramref name="type"/> from one buffer to another in a byte loop that LLVM vectorizes
    /// (kernels are <c>no-builtins</c>: it does not become a call to <c>memcpy</c>).
    /// </summary>
    internal static void Copy(KernelScope scope, ShapedType type, LLVMValueRef from, LLVMValueRef to)
    {
        var b = scope.B;
        var bytes = scope.Mul(scope.ElementCount(type.Shape), scope.M.Int64(type.DType.ItemSize()));
        scope.For(scope.M.Int64(0), bytes, i =>
            b.Store(b.Load(scope.M.I8, b.InBoundsGep(scope.M.I8, from, [i]), 1), b.InBoundsGep(scope.M.I8, to, [i]), 1));
    }
}

/// <summary>
/// Emits the operations of a planned block (the function's body, a region of control flow): binds each result to its
/// slot's buffer, then lowers the operation. Control flow emits its regions through the same emitter.
/// </summary>
internal sealed class BlockEmitter(KernelStorage storage, Func<int, LLVMValueRef> scratchBuffer)
{
    private readonly Dictionary<(Block, int), LLVMValueRef> _slots = [];

    /// <summary>Makes slot <paramref name="slot"/> of <paramref name="block"/>'s plan live in <paramref name="buffer"/>.</summary>
    public void BindSlot(Block block, int slot, LLVMValueRef buffer) => _slots[(block, slot)] = buffer;

    /// <summary>The buffer of one of the storage's extra scratch buffers (a loop's carry).</summary>
    public LLVMValueRef Scratch(int index) => scratchBuffer(index);

    /// <summary>The scratch buffers of a loop's carries (see <see cref="KernelStorage.CarriesOf"/>).</summary>
    public int[] CarriesOf(Operation loop) => storage.CarriesOf(loop);

    /// <summary>Emits <paramref name="block"/>'s operations; its arguments must be bound in <paramref name="scope"/>.</summary>
    public void EmitOperations(KernelScope scope, Block block)
    {
        var plan = storage.PlanOf(block);
        foreach (var op in block.Operations)
        {
            foreach (var result in op.Results)
                if (plan[result] is { } assignment) scope.Bind(result, SlotBuffer(block, assignment.Slot));
            if (storage.WorkspaceOf(op) is int workspace) scope.Bind(DotLowering.Workspace(op), scratchBuffer(workspace));
            if (ControlFlowLowering.Handles(op)) ControlFlowLowering.Emit(this, scope, op);
            else OperationLowerings.Emit(scope, op);
        }
    }

    private LLVMValueRef SlotBuffer(Block block, int slot)
    {
        if (!_slots.TryGetValue((block, slot), out var buffer))
            _slots[(block, slot)] = buffer = scratchBuffer(storage.ScratchIndex(block, slot));
        return buffer;
    }
}
