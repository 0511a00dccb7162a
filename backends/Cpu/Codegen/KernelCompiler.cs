using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Compiles an IR function into one LLVM module exporting one kernel with the kernel ABI
/// (<c>int32_t kernel(const jax_kernel_call_frame*)</c>): the function is simplified, fused into kernels
/// (<see cref="FusionPass"/>) and buffer-planned (<see cref="BufferPlanner"/>); the entry point checks the frame, binds
/// the parameters, results and scratch buffers (one per plan slot that is neither a result nor a donated parameter),
/// and runs each top-level operation through its lowering (<see cref="OperationLowerings"/>). An operation without a
/// lowering is a <see cref="NotSupportedException"/> naming its primitive.
/// </summary>
public static class KernelCompiler
{
    /// <summary>The pipeline before code generation: simplify, then fuse.</summary>
    public static Function Prepare(Function function) => new FusionPass().Run(Pipelines.Simplify(function));

    /// <summary>
    /// Builds the module of <paramref name="function"/> in <paramref name="context"/>, exporting <paramref name="symbol"/>;
    /// <paramref name="donatedParameters"/> are parameters whose buffers the kernel may overwrite.
    /// </summary>
    public static (LlvmModule Module, KernelSignature Signature) Build(LlvmContext context, Function function, string symbol,
        IEnumerable<int>? donatedParameters = null)
    {
        var prepared = Prepare(function);
        var plan = BufferPlanner.Plan(prepared, donatedParameters);
        var module = new KernelModule(context, symbol);
        try
        {
            var signature = new EntryEmitter(module, prepared, plan, symbol).Emit();
            module.Builder.Dispose();
            return (module.Module, signature);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Emits the exported entry point: frame checks, buffer bindings, the operations, the result copies.</summary>
    private sealed class EntryEmitter(KernelModule m, Function function, BufferPlan plan, string symbol)
    {
        private const int AbiVersionOffset = 0;
        private const int BufferCountOffset = 4;
        private const int BuffersOffset = 8;
        private const int SymbolCountOffset = 24;
        private const int SymbolValuesOffset = 32;

        public KernelSignature Emit()
        {
            var b = m.Builder;
            var entry = m.Module.AddFunction(symbol, LlvmContext.FunctionType(m.I32, m.Ptr));
            m.AddKernelAttributes(entry);
            var frame = LlvmCore.GetParam(entry, 0);
            b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(m.Context, entry, "entry"));

            var parameters = function.Parameters;
            var results = function.Body.Results;
            var symbols = Symbols();
            // Slots held by a result of exactly their size live in that result's buffer; donated parameters' slots
            // in the parameter's; every other slot is a scratch buffer.
            var slotOutput = new Dictionary<int, int>();
            for (int r = 0; r < results.Count; r++)
                if (plan[results[r]] is { } assignment && !slotOutput.ContainsKey(assignment.Slot)
                    && plan.Slots[assignment.Slot].Bytes == SymbolicSize.ByteSize(results[r].Type))
                    slotOutput[assignment.Slot] = r;
            var scratchSlots = plan.Slots.Where(s => s.DonatedParameter is null && !slotOutput.ContainsKey(s.Index)).ToArray();
            int bufferCount = parameters.Count + results.Count + scratchSlots.Length;

            var symbolValues = new Dictionary<string, LLVMValueRef>(StringComparer.Ordinal);
            var scope = new KernelScope(m, entry, frame, symbolValues, new Dictionary<Value, LLVMValueRef>(ReferenceEqualityComparer.Instance));
            CheckFrame(scope, bufferCount, symbols.Count);
            var buffers = b.Load(m.Ptr, Field(scope, BuffersOffset), 8, "buffers");
            var values = b.Load(m.Ptr, Field(scope, SymbolValuesOffset), 8, "symbol_values");
            LLVMValueRef Buffer(int index) => b.Load(m.Ptr, b.InBoundsGep(m.Ptr, buffers, [m.Int64(index)]), 8, $"buffer{index}");
            for (int s = 0; s < symbols.Count; s++)
                symbolValues[symbols[s]] = b.Load(m.I64, b.InBoundsGep(m.I64, values, [m.Int64(s)]), 8, symbols[s]);

            for (int p = 0; p < parameters.Count; p++) scope.Bind(parameters[p], Buffer(p));
            var slotPointers = new Dictionary<int, LLVMValueRef>();
            foreach (var (slot, r) in slotOutput) slotPointers[slot] = Buffer(parameters.Count + r);
            for (int k = 0; k < scratchSlots.Length; k++) slotPointers[scratchSlots[k].Index] = Buffer(parameters.Count + results.Count + k);
            foreach (var slot in plan.Slots.Where(s => s.DonatedParameter is int))
                slotPointers[slot.Index] = scope.Pointer(parameters[slot.DonatedParameter!.Value]);

            foreach (var op in function.Body.Operations)
            {
                foreach (var result in op.Results)
                    if (plan[result] is { } assignment) scope.Bind(result, slotPointers[assignment.Slot]);
                OperationLowerings.Emit(scope, op);
            }

            // Results not computed in their own buffer (a parameter, a value returned twice, a slot of another size).
            for (int r = 0; r < results.Count; r++)
            {
                var value = results[r];
                bool inPlace = plan[value] is { } assignment && slotOutput.TryGetValue(assignment.Slot, out int owner) && owner == r;
                if (!inPlace) Copy(scope, value.Type, scope.Pointer(value), Buffer(parameters.Count + r));
            }
            LlvmCore.BuildRet(b, m.Int32((int)KernelStatus.Ok));
            return new KernelSignature(symbol, function.ParameterTypes.ToArray(), function.ResultTypes.ToArray(), symbols,
                scratchSlots.Select(s => s.Bytes).ToArray());
        }

        /// <summary>The parameters' symbolic dims, each once, in order of appearance (the frame's symbol order).</summary>
        private List<string> Symbols() =>
            function.ParameterTypes.SelectMany(t => t.Shape).Where(d => !d.IsStatic).Select(d => d.Symbol!).Distinct().ToList();

        private LLVMValueRef Field(KernelScope scope, int offset) => m.Builder.InBoundsGep(m.I8, scope.Frame, [m.Int64(offset)]);

        /// <summary>Returns an error status unless the frame has this ABI version, buffer count and symbol count.</summary>
        private void CheckFrame(KernelScope scope, int bufferCount, int symbolCount)
        {
            var b = m.Builder;
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
