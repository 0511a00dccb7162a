using System.Runtime.CompilerServices;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// One <c>dot_general</c> to lower, alone or as the root of a <c>dot</c> fusion: the operands (values of the scope),
/// the dims of each role, the result type and, for a fusion, its body (the epilogue: elementwise operations on the
/// product applied as each element is written).
/// </summary>
internal sealed record DotProblem(
    Operation Op, Operation Dot, Value Lhs, Value Rhs,
    int[] LhsBatch, int[] RhsBatch, int[] LhsContracting, int[] RhsContracting, int[] LhsFree, int[] RhsFree)
{
    /// <summary>The operands' dtype (the product's).</summary>
    public DType DType => Lhs.Type.DType;

    /// <summary>The product's type: batch dims, lhs free dims, rhs free dims.</summary>
    public ShapedType ResultType => Dot.Results[0].Type;

    /// <summary>Whether the product has an epilogue (a <c>dot</c> fusion).</summary>
    public bool Fused => !ReferenceEquals(Op, Dot);

    /// <summary>The shape of the batch dims.</summary>
    public Shape BatchShape => new(LhsBatch.Select(d => Lhs.Type.Shape[d]));

    /// <summary>The values the code reads or writes besides the operands (captured by parallel bodies).</summary>
    public IReadOnlyList<Value> Outputs => Fused ? [.. Op.Operands, .. Op.Results] : [Op.Results[0]];
}

/// <summary>
/// <c>dot_general</c> and <c>dot</c> fusions. Products of float32 or float64 with one contracting dim and free dims that
/// are consecutive axes of each operand that are not small go through the packed GEMM (<see cref="GemmLowering"/>); every other product
/// (and a small one, decided at run time for symbolic dims) is a loop over the result's elements, parallel in chunks,
/// each a loop nest over the contracting dims: floats (float16 and bfloat16 widened to float32) accumulate with
/// <c>llvm.fmuladd</c> in contracting-index order and are rounded to the dtype once, integers wrap, bool is the or of
/// ands. Operands are read through their strides, whatever the positions of their batch, free and contracting dims.
/// A fusion's epilogue is applied when each element of the product is written (<see cref="DotOutput"/>).
/// </summary>
internal static class DotLowering
{
    /// <summary>Products (batches x m x n x k) below this run as the element loop, on one thread.</summary>
    public const long SmallWork = 1 << 18;

    private static readonly ConditionalWeakTable<Operation, Value> Workspaces = [];

    /// <summary>The value that stands for an operation's workspace in the scope (bound by the block emitter).</summary>
    public static Value Workspace(Operation op) => Workspaces.GetValue(op, _ => new Value(new ShapedType(DType.UInt8, Shape.Scalar)));

    /// <summary>The scratch bytes the lowering of <paramref name="op"/> needs (packed panels), or null.</summary>
    public static SymbolicSize? WorkspaceBytes(Operation op) =>
        Analyze(op) is { } dot && GemmLowering.Applies(dot) ? GemmLowering.WorkspaceBytes(dot) : null;

    /// <summary>Emits a <c>dot_general</c> or a <c>dot</c> fusion.</summary>
    public static void Emit(KernelScope scope, Operation op)
    {
        var dot = Analyze(op) ?? throw new NotSupportedException(
            $"no CPU lowering for this '{op.Primitive.Name}': a dot fusion must read its dot_general's operands from its arguments");
        var output = new DotOutput(dot);
        if (!GemmLowering.Applies(dot))
        {
            EmitElementLoop(scope, dot, output);
            return;
        }
        var m = scope.M;
        var work = scope.Mul(scope.ElementCount(dot.ResultType.Shape), scope.ElementCount(new Shape(dot.LhsContracting.Select(d => dot.Lhs.Type.Shape[d]))));
        var small = LlvmCore.BuildICmp(scope.B, LLVMIntPredicate.SLT, work, m.Int64(SmallWork), "");
        var k = scope.Size(dot.Lhs.Type.Shape[dot.LhsContracting[0]]);
        small = scope.B.BinaryOperation(LLVMOpcode.Or, small, LlvmCore.BuildICmp(scope.B, LLVMIntPredicate.EQ, k, m.Int64(0), ""));
        var loop = scope.NewBlock("dot.small");
        var gemm = scope.NewBlock("dot.gemm");
        var done = scope.NewBlock("dot.done");
        LlvmCore.BuildCondBr(scope.B, small, loop, gemm);
        scope.B.PositionAtEnd(loop);
        EmitElementLoop(scope, dot, output);
        LlvmCore.BuildBr(scope.B, done);
        scope.B.PositionAtEnd(gemm);
        GemmLowering.Emit(scope, dot, output, Workspace(op));
        LlvmCore.BuildBr(scope.B, done);
        scope.B.PositionAtEnd(done);
    }

    /// <summary>The product <paramref name="op"/> computes, or null for a dot fusion whose dot_general reads values of its body.</summary>
    public static DotProblem? Analyze(Operation op)
    {
        Operation dot;
        Value lhs, rhs;
        if (ReferenceEquals(op.Primitive, Prims.DotGeneral))
            (dot, lhs, rhs) = (op, op.Operands[0], op.Operands[1]);
        else if (ReferenceEquals(op.Primitive, Prims.Fusion) && Prims.Fusion.KindOf(op.Attributes) == FusionKind.Dot)
        {
            var body = op.Regions[0];
            var dots = body.Operations.Where(o => ReferenceEquals(o.Primitive, Prims.DotGeneral)).ToArray();
            if (dots.Length != 1) return null;
            dot = dots[0];
            int l = IndexOf(body.Arguments, dot.Operands[0]), r = IndexOf(body.Arguments, dot.Operands[1]);
            if (l < 0 || r < 0) return null;
            (lhs, rhs) = (op.Operands[l], op.Operands[r]);
        }
        else return null;
        int[] Axes(string name) => dot.Attributes.IntArray(name).Select(a => (int)a).ToArray();
        var (lb, rb, lc, rc) = (Axes("lhs_batch_dims"), Axes("rhs_batch_dims"), Axes("lhs_contracting_dims"), Axes("rhs_contracting_dims"));
        var lf = Enumerable.Range(0, lhs.Type.Rank).Where(d => !lb.Contains(d) && !lc.Contains(d)).ToArray();
        var rf = Enumerable.Range(0, rhs.Type.Rank).Where(d => !rb.Contains(d) && !rc.Contains(d)).ToArray();
        return new DotProblem(op, dot, lhs, rhs, lb, rb, lc, rc, lf, rf);
    }

    private static int IndexOf(IReadOnlyList<Value> values, Value value)
    {
        for (int i = 0; i < values.Count; i++)
            if (ReferenceEquals(values[i], value)) return i;
        return -1;
    }

    /// <summary>The zero of the accumulator of <paramref name="dtype"/>'s products (its compute type).</summary>
    public static LLVMValueRef Zero(KernelModule m, DType dtype) => LlvmCore.ConstNull(m.Types.Compute(dtype));

    /// <summary><c>acc + a * b</c> as the product of <paramref name="dtype"/> accumulates (fmuladd, wrapping, or of ands).</summary>
    public static LLVMValueRef Accumulate(KernelScope scope, DType dtype, LLVMValueRef acc, LLVMValueRef a, LLVMValueRef b)
    {
        var builder = scope.B;
        if (dtype == DType.Bool) return builder.BinaryOperation(LLVMOpcode.Or, acc, builder.BinaryOperation(LLVMOpcode.And, a, b));
        if (dtype.IsFloat()) return scope.M.CallIntrinsic("llvm.fmuladd", scope.M.Types.Compute(dtype), a, b, acc);
        return builder.BinaryOperation(LLVMOpcode.Add, acc, builder.BinaryOperation(LLVMOpcode.Mul, a, b));
    }

    /// <summary>An alloca in the entry block of the scope's function (promoted to a register by LLVM).</summary>
    public static LLVMValueRef EntryAlloca(KernelScope scope, LLVMTypeRef type, string name)
    {
        var b = scope.B;
        var current = b.InsertBlock;
        var first = LlvmCore.GetFirstInstruction(LlvmCore.GetEntryBasicBlock(scope.Function));
        if (first.Handle != 0) LlvmCore.PositionBuilderBefore(b, first);
        else b.PositionAtEnd(LlvmCore.GetEntryBasicBlock(scope.Function));
        var slot = LlvmCore.BuildAlloca(b, type, name);
        b.PositionAtEnd(current);
        return slot;
    }

    /// <summary>
    /// The element loop: chunks of result elements over the threads; per element, the offsets of its lhs row and rhs
    /// column from its batch and free indices, then a loop nest over the contracting dims (in order) accumulating.
    /// </summary>
    private static void EmitElementLoop(KernelScope scope, DotProblem dot, DotOutput output)
    {
        var resultShape = dot.ResultType.Shape;
        var contracted = dot.LhsContracting.Select(d => dot.Lhs.Type.Shape[d]).ToArray();
        long grain = contracted.All(d => d.IsStatic) ? Math.Max(64, (1L << 16) / Math.Max(1, contracted.Aggregate(1L, (n, d) => n * d.Size))) : 256;
        var count = scope.ElementCount(resultShape);
        var dtype = dot.DType;
        scope.ParallelFor(count, grain, [dot.Lhs, dot.Rhs, .. output.Values], (s, start, end) =>
        {
            var m = s.M;
            var accSlot = EntryAlloca(s, m.Types.Compute(dtype), "acc");
            var (ls, rs) = (s.Strides(dot.Lhs.Type.Shape), s.Strides(dot.Rhs.Type.Shape));
            s.For(start, end, f =>
            {
                var index = s.Unravel(f, resultShape);
                int nb = dot.LhsBatch.Length, nlf = dot.LhsFree.Length;
                var lhsOffset = m.Int64(0);
                var rhsOffset = m.Int64(0);
                for (int i = 0; i < nb; i++)
                {
                    lhsOffset = s.Add(lhsOffset, s.Mul(index[i], ls[dot.LhsBatch[i]]));
                    rhsOffset = s.Add(rhsOffset, s.Mul(index[i], rs[dot.RhsBatch[i]]));
                }
                for (int i = 0; i < nlf; i++) lhsOffset = s.Add(lhsOffset, s.Mul(index[nb + i], ls[dot.LhsFree[i]]));
                for (int i = 0; i < dot.RhsFree.Length; i++) rhsOffset = s.Add(rhsOffset, s.Mul(index[nb + nlf + i], rs[dot.RhsFree[i]]));
                s.B.Store(Zero(m, dtype), accSlot, 1);
                void Contract(int c, LLVMValueRef lo, LLVMValueRef ro)
                {
                    if (c == contracted.Length)
                    {
                        var a = m.Types.Load(s.B, dtype, s.Pointer(dot.Lhs), lo);
                        var b = m.Types.Load(s.B, dtype, s.Pointer(dot.Rhs), ro);
                        s.B.Store(Accumulate(s, dtype, s.B.Load(m.Types.Compute(dtype), accSlot, 1), a, b), accSlot, 1);
                        return;
                    }
                    s.For(m.Int64(0), s.Size(contracted[c]), kk =>
                        Contract(c + 1, s.Add(lo, s.Mul(kk, ls[dot.LhsContracting[c]])), s.Add(ro, s.Mul(kk, rs[dot.RhsContracting[c]]))), "k");
                }
                Contract(0, lhsOffset, rhsOffset);
                output.Write(s, index, f, s.B.Load(m.Types.Compute(dtype), accSlot, 1));
            });
        });
    }
}

/// <summary>
/// Writes elements of a product: the accumulator rounded to the dtype into the result, or for a <c>dot</c> fusion the
/// epilogue evaluated on it (the product rounded to its dtype, as the interpreter stores it; arguments loaded at the
/// element's index, broadcasts through their dims, elementwise operations by <see cref="ElementwiseLowering"/>) and
/// each result stored.
/// </summary>
internal sealed class DotOutput(DotProblem dot)
{
    /// <summary>The values the writes touch (to capture in parallel bodies).</summary>
    public IReadOnlyList<Value> Values => dot.Outputs;

    /// <summary>
    /// Writes the element of the product at <paramref name="index"/> (the result's multi-index; <paramref name="flat"/>
    /// its row-major position) whose accumulated value is <paramref name="acc"/> (the dtype's compute type).
    /// </summary>
    public void Write(KernelScope s, LLVMValueRef[] index, LLVMValueRef flat, LLVMValueRef acc)
    {
        var m = s.M;
        var dtype = dot.DType;
        if (!dot.Fused)
        {
            m.Types.Store(s.B, dtype, acc, s.Pointer(dot.Op.Results[0]), flat);
            return;
        }
        var body = dot.Op.Regions[0];
        var shape = dot.ResultType.Shape;
        var zero = m.Int64(0);
        var product = dtype is DType.Float16 or DType.BFloat16 ? m.Types.Widen(s.B, dtype, m.Types.Narrow(s.B, dtype, acc)) : acc;
        var values = new Dictionary<(Value, nint), LLVMValueRef>();
        LLVMValueRef[] IndexIn(Shape of, LLVMValueRef at) => of == shape && at.Handle == flat.Handle ? index : s.Unravel(at, of);
        LLVMValueRef Eval(Value v, LLVMValueRef at)
        {
            if (IsOneElement(v.Type)) at = zero;
            if (values.TryGetValue((v, at.Handle), out var known)) return known;
            LLVMValueRef result;
            if (ReferenceEquals(v, dot.Dot.Results[0])) result = product;
            else if (v.Definer is not { } op)
            {
                int k = body.Arguments.ToList().FindIndex(a => ReferenceEquals(a, v));
                var operand = dot.Op.Operands[k];
                result = m.Types.Load(s.B, operand.Type.DType, s.Pointer(operand), at);
            }
            else if (ReferenceEquals(op.Primitive, Prims.Constant))
                result = ElementwiseLowering.Constant(m, op.Attributes.Buffer("value"));
            else if (ReferenceEquals(op.Primitive, Prims.Iota))
            {
                var coordinate = IndexIn(v.Type.Shape, at)[(int)op.Attributes.Int("dimension")];
                result = ElementwiseLowering.Convert(new ElementOperands(s, op, [coordinate]), coordinate, DType.Int64, v.Type.DType);
            }
            else if (op.Primitive.Category == PrimitiveCategory.Broadcast)
                result = Eval(op.Operands[0], LoopLowering.BroadcastSource(s, op, IndexIn(v.Type.Shape, at)));
            else if (op.Primitive.Category == PrimitiveCategory.Reshape)
                result = Eval(op.Operands[0], at);
            else if (ElementwiseLowering.Supports(op.Primitive))
                result = ElementwiseLowering.Emit(s, op, op.Operands.Select(o => Eval(o, at)).ToArray());
            else throw new NotSupportedException($"no CPU lowering for '{op.Primitive.Name}' in a dot fusion's epilogue");
            values[(v, at.Handle)] = result;
            return result;
        }
        for (int r = 0; r < body.Results.Count; r++)
        {
            var result = dot.Op.Results[r];
            var at = IsOneElement(result.Type) ? zero : flat;
            m.Types.Store(s.B, result.Type.DType, Eval(body.Results[r], at), s.Pointer(result), at);
        }
    }

    private static bool IsOneElement(ShapedType type) => type.Shape.IsStatic && type.Shape.ElementCount == 1;
}
