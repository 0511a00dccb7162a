using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Control flow compiled, not interpreted: <c>cond</c> branches on its (clamped) index, <c>while</c> and <c>scan</c> are
/// loops in the kernel whose carries live in scratch buffers (a <c>scan</c>'s x slices are pointers into its xs, its y
/// slices are written straight into the stacked results), and <c>call</c>, <c>checkpoint</c>,
/// <c>custom_jvp_call</c> and <c>custom_vjp_call</c> run their function's region inline. Each region has a buffer plan
/// of its own (<see cref="KernelStorage"/>), reused by every iteration.
/// </summary>
internal static class ControlFlowLowering
{
    /// <summary>True for the primitives lowered here.</summary>
    public static bool Handles(Operation op) =>
        op.Primitive is CondPrimitive or WhilePrimitive or ScanPrimitive or CallPrimitive or CheckpointPrimitive
            or CustomJvpCallPrimitive or CustomVjpCallPrimitive;

    /// <summary>The regions the operation runs (planned by <see cref="KernelStorage"/>): a custom call runs its function only.</summary>
    public static IEnumerable<Block> RegionsRun(Operation op) => op.Primitive switch
    {
        CondPrimitive or WhilePrimitive => op.Regions,
        _ => [op.Regions[0]],
    };

    /// <summary>
    /// The types of the scratch buffers a loop needs: one per carry, and then one more per carry, which a body that
    /// returns one carry argument in another's place is copied through.
    /// </summary>
    public static IReadOnlyList<ShapedType> CarryTypes(Operation op)
    {
        var carry = op.Primitive switch
        {
            WhilePrimitive => op.Results.Select(r => r.Type).ToArray(),
            ScanPrimitive => op.Results.Take((int)op.Attributes.Int("num_carry")).Select(r => r.Type).ToArray(),
            _ => [],
        };
        return [.. carry, .. carry];
    }

    public static void Emit(BlockEmitter emitter, KernelScope scope, Operation op)
    {
        switch (op.Primitive)
        {
            case CondPrimitive: EmitCond(emitter, scope, op); break;
            case WhilePrimitive: EmitWhile(emitter, scope, op); break;
            case ScanPrimitive: EmitScan(emitter, scope, op); break;
            default: CopyAll(scope, RunRegion(emitter, scope, op.Regions[0], op.Operands.Select(scope.Pointer).ToArray()), op.Results); break;
        }
    }

    /// <summary>Emits a region with its arguments in <paramref name="arguments"/>; returns where its results are.</summary>
    private static LLVMValueRef[] RunRegion(BlockEmitter emitter, KernelScope scope, Block region, IReadOnlyList<LLVMValueRef> arguments)
    {
        for (int i = 0; i < arguments.Count; i++) scope.Bind(region.Arguments[i], arguments[i]);
        emitter.EmitOperations(scope, region);
        return region.Results.Select(scope.Pointer).ToArray();
    }

    private static void CopyAll(KernelScope scope, IReadOnlyList<LLVMValueRef> from, IReadOnlyList<Value> to)
    {
        for (int i = 0; i < to.Count; i++) Copy(scope, to[i].Type, from[i], scope.Pointer(to[i]));
    }

    private static void Copy(KernelScope scope, ShapedType type, LLVMValueRef from, LLVMValueRef to)
    {
        if (from.Handle != to.Handle) KernelCompiler.Copy(scope, type, from, to);
    }

    /// <summary>The index (int32, or bool as 0/1) clamped into [0, branches), then one block per branch.</summary>
    private static void EmitCond(BlockEmitter emitter, KernelScope scope, Operation op)
    {
        var (m, b) = (scope.M, scope.B);
        var indexType = op.Operands[0].Type.DType;
        var raw = m.Types.Load(b, indexType, scope.Pointer(op.Operands[0]), m.Int64(0));
        var index = indexType == DType.Bool ? LlvmCore.BuildCast(b, LLVMOpcode.ZExt, raw, m.I32, "") : raw;
        int branches = op.Regions.Count;
        var done = scope.NewBlock("cond.done");
        for (int k = 0; k < branches; k++)
        {
            var run = scope.NewBlock($"cond.branch{k}");
            var next = k < branches - 1 ? scope.NewBlock($"cond.test{k + 1}") : done;
            if (k < branches - 1)
            {
                // Branch k runs when index <= k for k = 0 (negative indices clamp to 0), index == k otherwise.
                var test = k == 0 ? LlvmCore.BuildICmp(b, LLVMIntPredicate.SLE, index, m.Int32(0), "")
                    : LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, index, m.Int32(k), "");
                LlvmCore.BuildCondBr(b, test, run, next);
            }
            else
            {
                LlvmCore.BuildBr(b, run);
            }
            b.PositionAtEnd(run);
            CopyAll(scope, RunRegion(emitter, scope, op.Regions[k], op.Operands.Skip(1).Select(scope.Pointer).ToArray()), op.Results);
            LlvmCore.BuildBr(b, done);
            if (k < branches - 1) b.PositionAtEnd(next);
        }
        b.PositionAtEnd(done);
    }

    /// <summary>The carries in scratch; the condition's bool decides each iteration; the body's results become the next carries.</summary>
    private static void EmitWhile(BlockEmitter emitter, KernelScope scope, Operation op)
    {
        var (m, b) = (scope.M, scope.B);
        int nc = (int)op.Attributes.Int("cond_nconsts"), nb = (int)op.Attributes.Int("body_nconsts");
        var condConsts = op.Operands.Take(nc).Select(scope.Pointer).ToArray();
        var bodyConsts = op.Operands.Skip(nc).Take(nb).Select(scope.Pointer).ToArray();
        var init = op.Operands.Skip(nc + nb).ToArray();
        var (carries, temps) = CarryBuffers(emitter, op, init.Length);
        for (int j = 0; j < init.Length; j++) Copy(scope, init[j].Type, scope.Pointer(init[j]), carries[j]);

        var header = scope.NewBlock("while.cond");
        var body = scope.NewBlock("while.body");
        var exit = scope.NewBlock("while.exit");
        LlvmCore.BuildBr(b, header);
        b.PositionAtEnd(header);
        var predicate = RunRegion(emitter, scope, op.Regions[0], [.. condConsts, .. carries])[0];
        var again = m.Types.Load(b, DType.Bool, predicate, m.Int64(0));
        LlvmCore.BuildCondBr(b, again, body, exit);
        b.PositionAtEnd(body);
        var next = RunRegion(emitter, scope, op.Regions[1], [.. bodyConsts, .. carries]);
        UpdateCarries(scope, op.Regions[1], nb, next, carries, temps, init.Select(v => v.Type).ToArray());
        LlvmCore.BuildBr(b, header);
        b.PositionAtEnd(exit);
        for (int j = 0; j < init.Length; j++) Copy(scope, op.Results[j].Type, carries[j], scope.Pointer(op.Results[j]));
    }

    /// <summary>
    /// A loop over the leading axis of the xs: slice i of each x is a pointer into it, the y results are copied into row
    /// i of the stacked results; with <c>reverse</c>, i runs from the end.
    /// </summary>
    private static void EmitScan(BlockEmitter emitter, KernelScope scope, Operation op)
    {
        var (m, b) = (scope.M, scope.B);
        int nc = (int)op.Attributes.Int("num_consts"), ncarry = (int)op.Attributes.Int("num_carry");
        long length = op.Attributes.Int("length");
        bool reverse = op.Attributes.Bool("reverse");
        var consts = op.Operands.Take(nc).Select(scope.Pointer).ToArray();
        var init = op.Operands.Skip(nc).Take(ncarry).ToArray();
        var xs = op.Operands.Skip(nc + ncarry).ToArray();
        var ys = op.Results.Skip(ncarry).ToArray();
        var (carries, temps) = CarryBuffers(emitter, op, ncarry);
        for (int j = 0; j < ncarry; j++) Copy(scope, init[j].Type, scope.Pointer(init[j]), carries[j]);

        LLVMValueRef RowBytes(ShapedType stacked) => scope.Mul(scope.ElementCount(new Shape(stacked.Shape.Skip(1))), m.Int64(stacked.DType.ItemSize()));
        LLVMValueRef Row(LLVMValueRef pointer, ShapedType stacked, LLVMValueRef step) => b.InBoundsGep(m.I8, pointer, [scope.Mul(step, RowBytes(stacked))]);
        var rowTypes = ys.Select(y => y.Type with { Shape = new Shape(y.Type.Shape.Skip(1)) }).ToArray();
        scope.For(m.Int64(0), m.Int64(length), i =>
        {
            var step = reverse ? scope.Sub(m.Int64(length - 1), i) : i;
            var slices = xs.Select(x => Row(scope.Pointer(x), x.Type, step)).ToArray();
            var outputs = RunRegion(emitter, scope, op.Regions[0], [.. consts, .. carries, .. slices]);
            for (int k = 0; k < ys.Length; k++) KernelCompiler.Copy(scope, rowTypes[k], outputs[ncarry + k], Row(scope.Pointer(ys[k]), ys[k].Type, step));
            UpdateCarries(scope, op.Regions[0], nc, outputs.Take(ncarry).ToArray(), carries, temps, init.Select(v => v.Type).ToArray());
        }, "scan");
        for (int j = 0; j < ncarry; j++) Copy(scope, op.Results[j].Type, carries[j], scope.Pointer(op.Results[j]));
    }

    private static (LLVMValueRef[] Carries, LLVMValueRef[] Temps) CarryBuffers(BlockEmitter emitter, Operation op, int count)
    {
        var indices = emitter.CarriesOf(op);
        return (indices.Take(count).Select(emitter.Scratch).ToArray(), indices.Skip(count).Select(emitter.Scratch).ToArray());
    }

    /// <summary>
    /// The body's carry results become the carries. A result that is itself a carry argument in another place (the body
    /// swaps carries) is read before any carry is overwritten, through its temporary buffer.
    /// </summary>
    private static void UpdateCarries(KernelScope scope, Block body, int firstCarryArgument, IReadOnlyList<LLVMValueRef> results,
        LLVMValueRef[] carries, LLVMValueRef[] temps, ShapedType[] types)
    {
        bool IsOtherCarry(int j)
        {
            int k = body.Arguments.ToList().IndexOf(body.Results[j]);
            return k >= firstCarryArgument && k < firstCarryArgument + carries.Length && k - firstCarryArgument != j;
        }
        for (int j = 0; j < carries.Length; j++)
            if (IsOtherCarry(j)) Copy(scope, types[j], results[j], temps[j]);
        for (int j = 0; j < carries.Length; j++)
            Copy(scope, types[j], IsOtherCarry(j) ? temps[j] : results[j], carries[j]);
    }
}
