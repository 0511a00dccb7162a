using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// sort: every operand copied into its result, then each row (the elements along <c>dimension</c>, one per position of
/// the other axes; rows in parallel chunks) sorted in place, all results permuted together, by a stable in-place merge
/// sort needing no memory (Go's <c>sort.Stable</c>: insertion sort of blocks of 20, then SymMerge with rotations,
/// O(n log² n)), emitted as internal functions of the module (SymMerge recursive). The order is the interpreter's:
/// the first <c>num_keys</c> operands compared lexicographically, floats with -0 equal to +0 and every NaN last and
/// equal to other NaNs, integers by their signedness, bool false before true; equal keys keep their input order.
/// </summary>
internal static class SortLowering
{
    private const int BlockSize = 20;

    /// <summary>Emits the sort <paramref name="op"/>.</summary>
    public static void Emit(KernelScope scope, Operation op)
    {
        var shape = op.Operands[0].Type.Shape;
        int dimension = (int)op.Attributes.Int("dimension");
        int numKeys = (int)op.Attributes.Int("num_keys");
        for (int j = 0; j < op.Operands.Count; j++) LayoutLowering.DenseCopy(scope, op.Operands[j], op.Results[j]);
        var n = scope.SizeOf(shape[dimension]);
        if (n.Known is long known && known <= 1) return;
        var dtypes = op.Results.Select(r => r.Type.DType).ToArray();
        var stable = new SortFunctions(scope.M, dtypes, numKeys).Stable;
        var outer = scope.Product(shape.Take(dimension).Select(scope.SizeOf));
        var inner = scope.Product(shape.Skip(dimension + 1).Select(scope.SizeOf));
        var rows = scope.Times(outer, inner);
        if (rows.Is(0)) return;
        long grain = n.Known is long size ? Math.Max(1, LoopLowering.Grain / (size * 8)) : 1;
        scope.ParallelFor(rows.Value, grain, op.Results.ToArray(), (s, start, end) =>
        {
            var m = s.M;
            var context = EntryAllocas.Build(s.B, s.Function, LlvmCore.ArrayType2(m.I64, (ulong)(1 + dtypes.Length)));
            var innerSize = s.Product(shape.Skip(dimension + 1).Select(s.SizeOf));
            var length = s.SizeOf(shape[dimension]);
            s.B.Store(innerSize.Value, s.B.InBoundsGep(m.I64, context, [m.Int64(0)]), 8);
            s.For(start, end, row =>
            {
                var b = s.B;
                var (o, i) = innerSize.Is(1) ? (row, m.Int64(0)) : (s.UDiv(row, innerSize.Value), s.URem(row, innerSize.Value));
                var first = s.Add(s.Mul(s.Mul(o, length.Value), innerSize.Value), i);
                for (int j = 0; j < dtypes.Length; j++)
                {
                    var at = b.InBoundsGep(ElementBits.Type(m, dtypes[j]), s.Pointer(op.Results[j]), [first]);
                    b.Store(LlvmCore.BuildCast(b, LLVMOpcode.PtrToInt, at, m.I64, ""), b.InBoundsGep(m.I64, context, [m.Int64(1 + j)]), 8);
                }
                b.Call(stable, [context, length.Value]);
            }, "row");
        });
    }

    /// <summary>
    /// The internal functions sorting one row, for one list of dtypes. Each takes the row's context (an i64 array:
    /// the stride between a row's elements, then each result's row start as an address) and element positions.
    /// </summary>
    private sealed class SortFunctions
    {
        private readonly KernelModule _m;
        private readonly DType[] _dtypes;
        private readonly int _numKeys;
        private readonly LLVMValueRef _less;
        private readonly LLVMValueRef _swap;
        private readonly LLVMValueRef _insertion;
        private readonly LLVMValueRef _rotate;
        private readonly LLVMValueRef _merge;

        public SortFunctions(KernelModule m, DType[] dtypes, int numKeys)
        {
            _m = m;
            _dtypes = dtypes;
            _numKeys = numKeys;
            var (ptr, i64) = (m.Ptr, m.I64);
            var voidType = m.Context.Void;
            _less = Define("sort.less", m.I1, [ptr, i64, i64], EmitLess);
            _swap = Define("sort.swap", voidType, [ptr, i64, i64], EmitSwap);
            _insertion = Define("sort.insertion", voidType, [ptr, i64, i64], EmitInsertion);
            _rotate = Define("sort.rotate", voidType, [ptr, i64, i64, i64], EmitRotate);
            _merge = Declare("sort.symmerge", voidType, [ptr, i64, i64, i64]);
            Body(_merge, EmitSymMerge);
            Stable = Define("sort.stable", voidType, [ptr, i64], EmitStable);
        }

        /// <summary><c>void stable(ctx, n)</c>: sorts a row of n elements.</summary>
        public LLVMValueRef Stable { get; }

        private LLVMValueRef Declare(string name, LLVMTypeRef result, LLVMTypeRef[] parameters) =>
            _m.AddInternalFunction(name, LlvmContext.FunctionType(result, parameters));

        private LLVMValueRef Define(string name, LLVMTypeRef result, LLVMTypeRef[] parameters, Action<Code> body)
        {
            var function = Declare(name, result, parameters);
            Body(function, body);
            return function;
        }

        private void Body(LLVMValueRef function, Action<Code> body)
        {
            var b = _m.Builder;
            var current = b.InsertBlock;
            b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(_m.Context, function, "entry"));
            body(new Code(_m, function));
            b.PositionAtEnd(current);
        }

        private LLVMValueRef Element(Code c, int j, LLVMValueRef index, out LLVMValueRef address)
        {
            var b = _m.Builder;
            var context = c.Param(0);
            var stride = b.Load(_m.I64, context, 8);
            var rowStart = LlvmCore.BuildCast(b, LLVMOpcode.IntToPtr, b.Load(_m.I64, b.InBoundsGep(_m.I64, context, [_m.Int64(1 + j)]), 8), _m.Ptr, "");
            address = b.InBoundsGep(ElementBits.Type(_m, _dtypes[j]), rowStart, [b.BinaryOperation(LLVMOpcode.Mul, index, stride)]);
            return address;
        }

        /// <summary>less(ctx, i, j): key i before key j, lexicographically over the keys (no branches).</summary>
        private void EmitLess(Code c)
        {
            var b = _m.Builder;
            var result = LlvmCore.ConstInt(_m.I1, 0, false);
            for (int k = _numKeys - 1; k >= 0; k--)
            {
                var dtype = _dtypes[k];
                var type = _m.Types.Storage(dtype);
                var x = _m.Types.Widen(b, dtype, b.Load(type, Element(c, k, c.Param(1), out _), ElementTypes.Alignment(dtype)));
                var y = _m.Types.Widen(b, dtype, b.Load(type, Element(c, k, c.Param(2), out _), ElementTypes.Alignment(dtype)));
                LLVMValueRef lt, eq;
                if (dtype.IsFloat())
                {
                    var xNaN = LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, x, x, "");
                    var yNaN = LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, y, y, "");
                    lt = b.BinaryOperation(LLVMOpcode.And, LlvmCore.BuildNot(b, xNaN, ""),
                        b.BinaryOperation(LLVMOpcode.Or, yNaN, LlvmCore.BuildFCmp(b, LLVMRealPredicate.OLT, x, y, "")));
                    eq = b.BinaryOperation(LLVMOpcode.Or, b.BinaryOperation(LLVMOpcode.And, xNaN, yNaN), LlvmCore.BuildFCmp(b, LLVMRealPredicate.OEQ, x, y, ""));
                }
                else
                {
                    bool signed = dtype != DType.Bool && !dtype.IsUnsignedInteger();
                    lt = LlvmCore.BuildICmp(b, signed ? LLVMIntPredicate.SLT : LLVMIntPredicate.ULT, x, y, "");
                    eq = LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, x, y, "");
                }
                result = b.BinaryOperation(LLVMOpcode.Or, lt, b.BinaryOperation(LLVMOpcode.And, eq, result));
            }
            LlvmCore.BuildRet(b, result);
        }

        /// <summary>swap(ctx, i, j): exchanges elements i and j of every result.</summary>
        private void EmitSwap(Code c)
        {
            var b = _m.Builder;
            for (int j = 0; j < _dtypes.Length; j++)
            {
                var type = ElementBits.Type(_m, _dtypes[j]);
                uint align = ElementTypes.Alignment(_dtypes[j]);
                Element(c, j, c.Param(1), out var p);
                Element(c, j, c.Param(2), out var q);
                var (x, y) = (b.Load(type, p, align), b.Load(type, q, align));
                b.Store(y, p, align);
                b.Store(x, q, align);
            }
            LlvmCore.BuildRetVoid(b);
        }

        private LLVMValueRef Less(Code c, LLVMValueRef i, LLVMValueRef j) => _m.Builder.Call(_less, [c.Param(0), i, j]);

        private void Swap(Code c, LLVMValueRef i, LLVMValueRef j) => _m.Builder.Call(_swap, [c.Param(0), i, j]);

        /// <summary>insertion(ctx, a, b): insertion sort of [a, b).</summary>
        private void EmitInsertion(Code c)
        {
            var (a, end) = (c.Param(1), c.Param(2));
            var i = c.Var(c.Add(a, 1));
            c.While(() => c.Lt(c.Get(i), end), () =>
            {
                var j = c.Var(c.Get(i));
                c.While(() =>
                {
                    var at = c.Get(j);
                    var inside = c.Gt(at, a);
                    // At j = a the comparison reads element a twice (false): no read before the range.
                    var previous = c.Select(inside, c.Add(at, -1), at);
                    return c.And(inside, Less(c, at, previous));
                }, () =>
                {
                    var at = c.Get(j);
                    Swap(c, at, c.Add(at, -1));
                    c.Set(j, c.Add(at, -1));
                });
                c.Set(i, c.Add(c.Get(i), 1));
            });
            c.ReturnVoid();
        }

        /// <summary>rotate(ctx, a, m, b): [a, m) and [m, b) exchanged, by block swaps.</summary>
        private void EmitRotate(Code c)
        {
            var (m, end) = (c.Param(2), c.Param(3));
            var i = c.Var(c.Sub(m, c.Param(1)));
            var j = c.Var(c.Sub(end, m));
            void SwapRange(LLVMValueRef from, LLVMValueRef to, LLVMValueRef count)
            {
                var k = c.Var(_m.Int64(0));
                c.While(() => c.Lt(c.Get(k), count), () =>
                {
                    Swap(c, c.Add(from, c.Get(k)), c.Add(to, c.Get(k)));
                    c.Set(k, c.Add(c.Get(k), 1));
                });
            }
            c.While(() => c.Ne(c.Get(i), c.Get(j)), () => c.If(c.Gt(c.Get(i), c.Get(j)), () =>
            {
                SwapRange(c.Sub(m, c.Get(i)), m, c.Get(j));
                c.Set(i, c.Sub(c.Get(i), c.Get(j)));
            }, () =>
            {
                SwapRange(c.Sub(m, c.Get(i)), c.Sub(c.Add(m, c.Get(j)), c.Get(i)), c.Get(i));
                c.Set(j, c.Sub(c.Get(j), c.Get(i)));
            }));
            SwapRange(c.Sub(m, c.Get(i)), m, c.Get(i));
            c.ReturnVoid();
        }

        /// <summary>symmerge(ctx, a, m, b): merges the sorted [a, m) and [m, b) in place (stable).</summary>
        private void EmitSymMerge(Code c)
        {
            var (a, m, end) = (c.Param(1), c.Param(2), c.Param(3));
            var ctx = c.Param(0);
            // One element on the left: binary search its place in the right, then move it there.
            c.If(c.Eq(c.Sub(m, a), _m.Int64(1)), () =>
            {
                var (i, j) = (c.Var(m), c.Var(end));
                c.While(() => c.Lt(c.Get(i), c.Get(j)), () =>
                {
                    var h = c.Half(c.Get(i), c.Get(j));
                    var before = Less(c, h, a);
                    c.Set(i, c.Select(before, c.Add(h, 1), c.Get(i)));
                    c.Set(j, c.Select(before, c.Get(j), h));
                });
                var k = c.Var(a);
                c.While(() => c.Lt(c.Get(k), c.Add(c.Get(i), -1)), () =>
                {
                    Swap(c, c.Get(k), c.Add(c.Get(k), 1));
                    c.Set(k, c.Add(c.Get(k), 1));
                });
                c.ReturnVoid();
            });
            // One element on the right: binary search its place in the left.
            c.If(c.Eq(c.Sub(end, m), _m.Int64(1)), () =>
            {
                var (i, j) = (c.Var(a), c.Var(m));
                c.While(() => c.Lt(c.Get(i), c.Get(j)), () =>
                {
                    var h = c.Half(c.Get(i), c.Get(j));
                    var after = c.Not(Less(c, m, h));
                    c.Set(i, c.Select(after, c.Add(h, 1), c.Get(i)));
                    c.Set(j, c.Select(after, c.Get(j), h));
                });
                var k = c.Var(m);
                c.While(() => c.Gt(c.Get(k), c.Get(i)), () =>
                {
                    Swap(c, c.Get(k), c.Add(c.Get(k), -1));
                    c.Set(k, c.Add(c.Get(k), -1));
                });
                c.ReturnVoid();
            });
            var mid = c.Half(a, end);
            var n = c.Add(mid, m);
            var leftLonger = c.Gt(m, mid);
            var start = c.Var(c.Select(leftLonger, c.Sub(n, end), a));
            var r = c.Var(c.Select(leftLonger, mid, m));
            var p = c.Add(n, -1);
            c.While(() => c.Lt(c.Get(start), c.Get(r)), () =>
            {
                var half = c.Half(c.Get(start), c.Get(r));
                var notBefore = c.Not(Less(c, c.Sub(p, half), half));
                c.Set(start, c.Select(notBefore, c.Add(half, 1), c.Get(start)));
                c.Set(r, c.Select(notBefore, c.Get(r), half));
            });
            var from = c.Get(start);
            var to = c.Sub(n, from);
            c.If(c.And(c.Lt(from, m), c.Lt(m, to)), () => _m.Builder.Call(_rotate, [ctx, from, m, to]));
            c.If(c.And(c.Lt(a, from), c.Lt(from, mid)), () => _m.Builder.Call(_merge, [ctx, a, from, mid]));
            c.If(c.And(c.Lt(mid, to), c.Lt(to, end)), () => _m.Builder.Call(_merge, [ctx, mid, to, end]));
            c.ReturnVoid();
        }

        /// <summary>stable(ctx, n): insertion-sorted blocks, then merges of doubling width.</summary>
        private void EmitStable(Code c)
        {
            var ctx = c.Param(0);
            var n = c.Param(1);
            var a = c.Var(_m.Int64(0));
            var b = c.Var(_m.Int64(BlockSize));
            c.While(() => c.Le(c.Get(b), n), () =>
            {
                _m.Builder.Call(_insertion, [ctx, c.Get(a), c.Get(b)]);
                c.Set(a, c.Get(b));
                c.Set(b, c.Add(c.Get(b), BlockSize));
            });
            c.If(c.Lt(c.Get(a), n), () => _m.Builder.Call(_insertion, [ctx, c.Get(a), n]));
            var block = c.Var(_m.Int64(BlockSize));
            c.While(() => c.Lt(c.Get(block), n), () =>
            {
                var width = c.Add(c.Get(block), c.Get(block));
                c.Set(a, _m.Int64(0));
                c.Set(b, width);
                c.While(() => c.Le(c.Get(b), n), () =>
                {
                    _m.Builder.Call(_merge, [ctx, c.Get(a), c.Add(c.Get(a), c.Get(block)), c.Get(b)]);
                    c.Set(a, c.Get(b));
                    c.Set(b, c.Add(c.Get(b), width));
                });
                var middle = c.Add(c.Get(a), c.Get(block));
                c.If(c.Lt(middle, n), () => _m.Builder.Call(_merge, [ctx, c.Get(a), middle, n]));
                c.Set(block, width);
            });
            c.ReturnVoid();
        }
    }

    /// <summary>Structured code in one function: i64 variables (entry allocas, promoted to registers), loops and branches.</summary>
    private sealed class Code(KernelModule m, LLVMValueRef function)
    {
        private LlvmBuilder B => m.Builder;

        public LLVMValueRef Param(int i) => LlvmCore.GetParam(function, (uint)i);

        private LLVMBasicBlockRef Block(string name) => LlvmCore.AppendBasicBlockInContext(m.Context, function, name);

        public LLVMValueRef Var(LLVMValueRef initial)
        {
            var slot = EntryAllocas.Build(B, function, m.I64);
            Set(slot, initial);
            return slot;
        }

        public LLVMValueRef Get(LLVMValueRef slot) => B.Load(m.I64, slot, 8);

        public void Set(LLVMValueRef slot, LLVMValueRef value) => B.Store(value, slot, 8);

        public LLVMValueRef Add(LLVMValueRef a, long b) => B.BinaryOperation(LLVMOpcode.Add, a, m.Int64(b));

        public LLVMValueRef Add(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.Add, a, b);

        public LLVMValueRef Sub(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.Sub, a, b);

        /// <summary>(a + b) / 2 for non-negative a, b.</summary>
        public LLVMValueRef Half(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.LShr, Add(a, b), m.Int64(1));

        private LLVMValueRef Cmp(LLVMIntPredicate p, LLVMValueRef a, LLVMValueRef b) => LlvmCore.BuildICmp(B, p, a, b, "");

        public LLVMValueRef Lt(LLVMValueRef a, LLVMValueRef b) => Cmp(LLVMIntPredicate.SLT, a, b);

        public LLVMValueRef Le(LLVMValueRef a, LLVMValueRef b) => Cmp(LLVMIntPredicate.SLE, a, b);

        public LLVMValueRef Gt(LLVMValueRef a, LLVMValueRef b) => Cmp(LLVMIntPredicate.SGT, a, b);

        public LLVMValueRef Eq(LLVMValueRef a, LLVMValueRef b) => Cmp(LLVMIntPredicate.EQ, a, b);

        public LLVMValueRef Ne(LLVMValueRef a, LLVMValueRef b) => Cmp(LLVMIntPredicate.NE, a, b);

        public LLVMValueRef And(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.And, a, b);

        public LLVMValueRef Not(LLVMValueRef a) => LlvmCore.BuildNot(B, a, "");

        public LLVMValueRef Select(LLVMValueRef condition, LLVMValueRef whenTrue, LLVMValueRef whenFalse) =>
            LlvmCore.BuildSelect(B, condition, whenTrue, whenFalse, "");

        private bool _returned;

        /// <summary>Returns from the function (ends the current block).</summary>
        public void ReturnVoid()
        {
            LlvmCore.BuildRetVoid(B);
            _returned = true;
        }

        /// <summary>Branches to <paramref name="target"/> unless the block just returned.</summary>
        private void Continue(LLVMBasicBlockRef target)
        {
            if (!_returned) LlvmCore.BuildBr(B, target);
            _returned = false;
        }

        /// <summary>while (condition()) body(); the condition is emitted in the loop's header.</summary>
        public void While(Func<LLVMValueRef> condition, Action body)
        {
            var header = Block("while");
            var loop = Block("do");
            var exit = Block("done");
            LlvmCore.BuildBr(B, header);
            B.PositionAtEnd(header);
            LlvmCore.BuildCondBr(B, condition(), loop, exit);
            B.PositionAtEnd(loop);
            body();
            LlvmCore.BuildBr(B, header);
            B.PositionAtEnd(exit);
        }

        /// <summary>if (condition) then() [else otherwise()]; a branch that returns ends its block.</summary>
        public void If(LLVMValueRef condition, Action then, Action? otherwise = null)
        {
            var yes = Block("then");
            var no = Block("else");
            var join = Block("join");
            LlvmCore.BuildCondBr(B, condition, yes, no);
            B.PositionAtEnd(yes);
            then();
            Continue(join);
            B.PositionAtEnd(no);
            otherwise?.Invoke();
            Continue(join);
            B.PositionAtEnd(join);
        }
    }
}
