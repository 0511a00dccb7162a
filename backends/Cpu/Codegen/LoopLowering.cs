using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Loop kernels: a <c>loop</c> fusion becomes one loop over its N elements (every value of its body has N elements or
/// one), split into chunks of <see cref="Grain"/> elements over the runtime's threads; each iteration computes the body
/// on element i in registers (loads of the inputs, the elementwise rules, stores of the results), a straight-line body
/// that LLVM's loop vectorizer turns into full-width SIMD. A lone elementwise operation, broadcast or iota is the same
/// loop over its result.
/// </summary>
internal static class LoopLowering
{
    /// <summary>Elements per parallel chunk: small arrays stay on one thread, large ones split into chunks of this size.</summary>
    public const long Grain = 1 << 16;

    /// <summary>
    /// A <c>loop</c> fusion: one loop over the elements of its results. Inside, each value of the body is computed at the
    /// indices its consumers need, found by a backward pass from the results: an elementwise operation needs its operands
    /// at its own index (one-element operands at 0), a reshape the same flat index, a broadcast its operand's index
    /// through its broadcast dimensions; then a forward pass computes each value at each needed index, loading inputs.
    /// </summary>
    public static void EmitFusion(KernelScope scope, Operation op)
    {
        var body = op.Regions[0];
        var loopShape = body.Results.Select(r => r.Type).FirstOrDefault(t => !IsOneElement(t))?.Shape ?? Shape.Scalar;
        var count = scope.ElementCount(loopShape);
        scope.ParallelFor(count, Grain, [.. op.Operands, .. op.Results], (inner, start, end) =>
            inner.For(start, end, i => EmitBodyAt(inner, op, i)));
    }

    private static void EmitBodyAt(KernelScope scope, Operation op, LLVMValueRef i)
    {
        var body = op.Regions[0];
        var values = Evaluate(scope, op, body.Results.Select(r => (r, IndexFor(scope, r, i))));
        for (int r = 0; r < body.Results.Count; r++)
        {
            var result = op.Results[r];
            var index = IndexFor(scope, result, i);
            scope.M.Types.Store(scope.B, result.Type.DType, values[(body.Results[r], index.Handle)], scope.Pointer(result), index);
        }
    }

    /// <summary>The flat index of a value at loop position <paramref name="i"/>: 0 for a one-element value.</summary>
    internal static LLVMValueRef IndexFor(KernelScope scope, Value v, LLVMValueRef i) => IsOneElement(v.Type) ? scope.M.Int64(0) : i;

    /// <summary>
    /// Computes values of a fusion body at flat indices (<paramref name="targets"/>), keyed by (value, index handle):
    /// a backward pass finds the indices at which each value is needed, a forward pass computes them, loading the
    /// fusion's inputs. <paramref name="known"/> values (a reduction's result) are given, at any index, and not traced further.
    /// </summary>
    internal static Dictionary<(Value, nint), LLVMValueRef> Evaluate(KernelScope scope, Operation op,
        IEnumerable<(Value Value, LLVMValueRef Index)> targets, IReadOnlyDictionary<Value, LLVMValueRef>? known = null)
    {
        var body = op.Regions[0];
        var zero = scope.M.Int64(0);
        var sources = new Dictionary<(Operation, nint), LLVMValueRef>();
        LLVMValueRef Source(Operation broadcast, LLVMValueRef index)
        {
            if (IsOneElement(broadcast.Operands[0].Type)) return zero;
            if (!sources.TryGetValue((broadcast, index.Handle), out var source))
                sources[(broadcast, index.Handle)] = source = BroadcastSource(scope, broadcast, index);
            return source;
        }

        // Backward: the indices at which each value is needed.
        var values = new Dictionary<(Value, nint), LLVMValueRef>();
        var needed = new Dictionary<Value, List<LLVMValueRef>>(ReferenceEqualityComparer.Instance);
        void Need(Value v, LLVMValueRef index)
        {
            if (known is not null && known.TryGetValue(v, out var given))
            {
                values[(v, index.Handle)] = given;
                return;
            }
            if (!needed.TryGetValue(v, out var list)) needed[v] = list = [];
            if (!list.Any(x => x.Handle == index.Handle)) list.Add(index);
        }
        foreach (var (value, index) in targets) Need(value, index);
        for (int k = body.Operations.Count - 1; k >= 0; k--)
        {
            var bodyOp = body.Operations[k];
            if (!needed.TryGetValue(bodyOp.Results[0], out var indices)) continue;
            foreach (var index in indices)
            {
                if (bodyOp.Primitive.Category == PrimitiveCategory.Broadcast)
                    Need(bodyOp.Operands[0], Source(bodyOp, index));
                else
                    foreach (var operand in bodyOp.Operands) Need(operand, IndexFor(scope, operand, index));
            }
        }

        // Forward: every needed (value, index), inputs loaded.
        for (int k = 0; k < body.Arguments.Count; k++)
        {
            if (!needed.TryGetValue(body.Arguments[k], out var indices)) continue;
            var operand = op.Operands[k];
            foreach (var index in indices)
                values[(body.Arguments[k], index.Handle)] = scope.M.Types.Load(scope.B, operand.Type.DType, scope.Pointer(operand), index);
        }
        foreach (var bodyOp in body.Operations)
        {
            if (!needed.TryGetValue(bodyOp.Results[0], out var indices)) continue;
            foreach (var index in indices)
            {
                LLVMValueRef Operand(Value v) => values[(v, (bodyOp.Primitive.Category == PrimitiveCategory.Broadcast
                    ? Source(bodyOp, index)
                    : IndexFor(scope, v, index)).Handle)];
                values[(bodyOp.Results[0], index.Handle)] = Element(scope, bodyOp, bodyOp.Operands.Select(Operand).ToArray(), index);
            }
        }
        return values;
    }

    /// <summary>One top-level elementwise operation, broadcast or iota: a loop over its result.</summary>
    public static void EmitSingle(KernelScope scope, Operation op)
    {
        if (op.Results.Count != 1) throw new NotSupportedException($"no CPU lowering for '{op.Primitive.Name}' with {op.Results.Count} results");
        var result = op.Results[0];
        var count = scope.ElementCount(result.Type.Shape);
        scope.ParallelFor(count, Grain, [.. op.Operands, result], (inner, start, end) =>
            inner.For(start, end, i =>
            {
                LLVMValueRef value;
                if (op.Primitive.Category == PrimitiveCategory.Broadcast)
                {
                    var operand = op.Operands[0];
                    value = inner.M.Types.Load(inner.B, operand.Type.DType, inner.Pointer(operand), BroadcastSource(inner, op, i));
                }
                else
                {
                    var operands = op.Operands.Select(o => inner.M.Types.Load(inner.B, o.Type.DType, inner.Pointer(o), IsOneElement(o.Type) ? inner.M.Int64(0) : i)).ToArray();
                    value = Element(inner, op, operands, i);
                }
                inner.M.Types.Store(inner.B, result.Type.DType, value, inner.Pointer(result), i);
            }));
    }

    /// <summary>
    /// The value of <paramref name="op"/>'s result at flat position <paramref name="i"/> given its operands' values at
    /// the same position (a loop body's operations: elementwise, one-element or count-keeping broadcasts and
    /// reshapes, constants, iota).
    /// </summary>
    private static LLVMValueRef Element(KernelScope scope, Operation op, LLVMValueRef[] operands, LLVMValueRef i)
    {
        if (ReferenceEquals(op.Primitive, Prims.Constant))
            return ElementwiseLowering.Constant(scope.M, op.Attributes.Buffer("value"));
        if (ReferenceEquals(op.Primitive, Prims.Iota))
        {
            var shape = op.Results[0].Type.Shape;
            var coordinate = scope.Unravel(i, shape)[(int)op.Attributes.Int("dimension")];
            var e = new ElementOperands(scope, op, [coordinate]);
            return ElementwiseLowering.Convert(e, coordinate, DType.Int64, op.Results[0].Type.DType);
        }
        switch (op.Primitive.Category)
        {
            // One element broadcast, or a count-keeping broadcast or reshape: the same element.
            case PrimitiveCategory.Broadcast:
            case PrimitiveCategory.Reshape:
                return operands[0];
            default:
                return ElementwiseLowering.Emit(scope, op, operands);
        }
    }

    /// <summary>The flat index in a broadcast's operand of the result's element at flat position <paramref name="i"/>.</summary>
    private static LLVMValueRef BroadcastSource(KernelScope scope, Operation op, LLVMValueRef i)
    {
        var operand = op.Operands[0].Type.Shape;
        if (operand.Rank == 0 || IsOneElement(op.Operands[0].Type)) return scope.M.Int64(0);
        return BroadcastSource(scope, op, scope.Unravel(i, op.Results[0].Type.Shape));
    }

    /// <summary>The flat index in a broadcast's operand of the result's element at multi-index <paramref name="index"/>.</summary>
    internal static LLVMValueRef BroadcastSource(KernelScope scope, Operation op, LLVMValueRef[] index)
    {
        var operand = op.Operands[0].Type.Shape;
        var map = op.Attributes.IntArray("broadcast_dimensions");
        var strides = scope.Strides(operand);
        var flat = scope.M.Int64(0);
        for (int k = 0; k < operand.Rank; k++)
        {
            if (operand[k].IsStatic && operand[k].Size == 1) continue;
            flat = scope.Add(flat, scope.Mul(index[map[k]], strides[k]));
        }
        return flat;
    }

    internal static bool IsOneElement(ShapedType type) => type.Shape.IsStatic && type.Shape.ElementCount == 1;
}
