using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Reductions (<c>reduce_sum/max/min/prod/and/or</c>, <c>argmax</c>, <c>argmin</c>), <c>reduction</c> fusions and the
/// cumulative scans. The operand's dims are grouped like the interpreter's kernel (static size-1 dims dropped, adjacent
/// reduced or kept dims merged); then, with c the size of the innermost group:
/// <list type="bullet">
/// <item><b>innermost kept</b>: tiles of up to <see cref="Tile"/> contiguous outputs, each accumulated over the reduced
/// positions in row-major order (<c>((identity ⊕ x₀) ⊕ x₁) ⊕ ...</c>, as the interpreter adds rows), vectorized across
/// the tile by LLVM; argmax/argmin and the scans use the same tiles;</item>
/// <item><b>innermost reduced</b>: per output, <see cref="Lanes"/> interleaved accumulators as one explicit LLVM vector:
/// element j of each contiguous run of c goes to lane j mod 16 (runs in row-major order of the other reduced dims); the
/// tail of a run goes to its lanes one element at a time; the lanes are combined by a fixed tree (lane l with l+8, then
/// l+4, l+2, l+1), then <c>identity ⊕ tree</c> (argmax/argmin: lanes of value and index, the sequential rule within a
/// lane, merged by the tree keeping a NaN, then the better value, then the lower index); a fused prologue is computed
/// for segments of <see cref="Tile"/> inputs into a stack buffer first, by a loop LLVM vectorizes;</item>
/// <item><b>everything reduced</b> (one output): the same lanes over chunks of a size that depends on the element count
/// only (<see cref="ChunkElements"/> times ceil(n / (<see cref="ChunkElements"/> · <see cref="MaxChunks"/>))), each chunk
/// reduced to a partial by the tree, the partials combined in chunk order from the identity.</item>
/// </list>
/// The order depends on the shape only, never on the ISA or the number of threads. f16/bf16 accumulate in float32 and
/// round once (each output of a scan is rounded; its running value stays float32), as the interpreter does.
/// In a fusion, the elementwise operations before the reduction are computed at each input index on the fly (through
/// <see cref="LoopLowering.Evaluate"/>; the ones that are results are stored there), those after it at each output index.
/// </summary>
internal static class ReductionLowering
{
    /// <summary>The interleaved accumulators of an innermost-reduced run (one LLVM vector).</summary>
    public const int Lanes = 16;

    /// <summary>Contiguous outputs accumulated together when the innermost dims are kept.</summary>
    public const long Tile = 256;

    /// <summary>The smallest chunk of a reduction to one value.</summary>
    public const long ChunkElements = 1 << 14;

    /// <summary>The most chunks of a reduction to one value (their partials live on the stack).</summary>
    public const long MaxChunks = 1024;

    /// <summary>True for the primitives lowered here (outside fusions): reductions, arg reductions, cumulative scans.</summary>
    public static bool Handles(Primitive primitive) => primitive is ReducePrimitive or ArgReducePrimitive or CumulativePrimitive;

    /// <summary>A top-level <c>reduce_*</c>, <c>argmax</c>, <c>argmin</c> or cumulative scan.</summary>
    public static void Emit(KernelScope scope, Operation op)
    {
        if (op.Primitive is CumulativePrimitive) EmitCumulative(scope, op);
        else Emit(scope, new Site(op, op, fused: false));
    }

    /// <summary>A <c>reduction</c> fusion.</summary>
    public static void EmitFusion(KernelScope scope, Operation op) =>
        Emit(scope, new Site(op, op.Regions[0].Operations.Single(o => o.Primitive.Category == PrimitiveCategory.Reduction), fused: true));

    /// <summary>A group of merged dims, all reduced or all kept.</summary>
    private sealed record Group(List<Dim> Dims, bool Reduced);

    /// <summary>The sizes and input strides of the groups, as i64 values of a scope.</summary>
    private sealed record Layout(LLVMValueRef[] Sizes, LLVMValueRef[] Strides);

    /// <summary>The reduction being emitted: the top-level operation, its reduction, and what the fused operations around it need.</summary>
    private sealed class Site
    {
        private readonly List<int> _before = [];
        private readonly List<int> _after = [];

        public Site(Operation op, Operation root, bool fused)
        {
            Op = op;
            Root = root;
            Fused = fused;
            Captured = [.. op.Operands, .. op.Results];
            if (!fused) return;
            var body = op.Regions[0];
            var downstream = new HashSet<Value>(ReferenceEqualityComparer.Instance) { root.Results[0] };
            foreach (var bodyOp in body.Operations)
                if (bodyOp.Operands.Any(downstream.Contains))
                    foreach (var r in bodyOp.Results) downstream.Add(r);
            for (int r = 0; r < body.Results.Count; r++)
                (downstream.Contains(body.Results[r]) || LoopLowering.IsOneElement(body.Results[r].Type) ? _after : _before).Add(r);
        }

        public Operation Op { get; }

        public Operation Root { get; }

        public bool Fused { get; }

        /// <summary>The IR values the parallel bodies use (extra ones, such as the chunk partials, are added).</summary>
        public List<Value> Captured { get; }

        public DType InDType => Root.Operands[0].Type.DType;

        public DType OutDType => Root.Results[0].Type.DType;

        public ReduceKind? Kind => Root.Primitive is ReducePrimitive reduce ? reduce.Kind : null;

        public bool IsMax => Root.Primitive is ArgReducePrimitive { IsMax: true };

        /// <summary>The reduction's input at flat index <paramref name="index"/> (a compute value); fused results computed on the way are stored.</summary>
        public LLVMValueRef Input(KernelScope s, LLVMValueRef index)
        {
            var operand = Root.Operands[0];
            if (!Fused) return s.M.Types.Load(s.B, operand.Type.DType, s.Pointer(operand), index);
            var body = Op.Regions[0];
            var targets = _before.Select(r => (body.Results[r], LoopLowering.IndexFor(s, body.Results[r], index))).Append((operand, index)).ToArray();
            var values = LoopLowering.Evaluate(s, Op, targets);
            foreach (int r in _before)
            {
                var at = LoopLowering.IndexFor(s, body.Results[r], index);
                s.M.Types.Store(s.B, Op.Results[r].Type.DType, values[(body.Results[r], at.Handle)], s.Pointer(Op.Results[r]), at);
            }
            return values[(operand, index.Handle)];
        }

        /// <summary>Stores the reduction's result <paramref name="value"/> (a compute value, rounded to its dtype) at output <paramref name="index"/>, and what is computed from it.</summary>
        public void Output(KernelScope s, LLVMValueRef index, LLVMValueRef value)
        {
            if (!Fused)
            {
                s.M.Types.Store(s.B, OutDType, value, s.Pointer(Op.Results[0]), index);
                return;
            }
            var body = Op.Regions[0];
            var known = new Dictionary<Value, LLVMValueRef>(ReferenceEqualityComparer.Instance) { [Root.Results[0]] = value };
            var values = LoopLowering.Evaluate(s, Op, _after.Select(r => (body.Results[r], LoopLowering.IndexFor(s, body.Results[r], index))), known);
            foreach (int r in _after)
            {
                var at = LoopLowering.IndexFor(s, body.Results[r], index);
                s.M.Types.Store(s.B, Op.Results[r].Type.DType, values[(body.Results[r], at.Handle)], s.Pointer(Op.Results[r]), at);
            }
        }
    }

    private static void Emit(KernelScope scope, Site site)
    {
        var shape = site.Root.Operands[0].Type.Shape;
        var reduced = site.Kind is null
            ? [(int)site.Root.Attributes.Int("axis")]
            : site.Root.Attributes.IntArray("axes").Select(a => (int)a).ToArray();
        var groups = new List<Group>();
        for (int d = 0; d < shape.Rank; d++)
        {
            if (shape[d] is { IsStatic: true, Size: 1 }) continue;
            bool r = reduced.Contains(d);
            if (groups.Count > 0 && groups[^1].Reduced == r) groups[^1].Dims.Add(shape[d]);
            else groups.Add(new Group([shape[d]], r));
        }
        if (groups.Count == 0 || !groups[^1].Reduced) EmitTiled(scope, site, groups);
        else if (site.Kind is not null && groups.Count == 1) EmitChunked(scope, site, groups);
        else EmitPerOutput(scope, site, groups);
    }

    private static Layout Measure(KernelScope s, List<Group> groups)
    {
        var sizes = groups.Select(g => g.Dims.Select(s.Size).Aggregate(s.M.Int64(1), s.Mul)).ToArray();
        var strides = new LLVMValueRef[groups.Count];
        var stride = s.M.Int64(1);
        for (int g = groups.Count - 1; g >= 0; g--)
        {
            strides[g] = stride;
            stride = s.Mul(stride, sizes[g]);
        }
        return new Layout(sizes, strides);
    }

    private static LLVMValueRef Product(KernelScope s, Layout layout, IEnumerable<int> groups) =>
        groups.Select(g => layout.Sizes[g]).Aggregate(s.M.Int64(1), s.Mul);

    /// <summary>The input offset of the position <paramref name="flat"/> (row-major) over <paramref name="groups"/>.</summary>
    private static LLVMValueRef Offset(KernelScope s, Layout layout, int[] groups, LLVMValueRef flat)
    {
        var offset = s.M.Int64(0);
        var rest = flat;
        for (int k = groups.Length - 1; k >= 0; k--)
        {
            int g = groups[k];
            var index = k == 0 ? rest : s.URem(rest, layout.Sizes[g]);
            offset = s.Add(offset, s.Mul(index, layout.Strides[g]));
            if (k > 0) rest = s.UDiv(rest, layout.Sizes[g]);
        }
        return offset;
    }

    /// <summary><c>if (condition) body()</c>, with the builder left after it.</summary>
    private static void When(KernelScope s, LLVMValueRef condition, Action body)
    {
        var then = s.NewBlock("when");
        var end = s.NewBlock("when.end");
        LlvmCore.BuildCondBr(s.B, condition, then, end);
        s.B.PositionAtEnd(then);
        body();
        LlvmCore.BuildBr(s.B, end);
        s.B.PositionAtEnd(end);
    }

    /// <summary>max(a, 1) on i64.</summary>
    private static LLVMValueRef AtLeastOne(KernelScope s, LLVMValueRef a) =>
        LlvmCore.BuildSelect(s.B, LlvmCore.BuildICmp(s.B, LLVMIntPredicate.SLT, a, s.M.Int64(1), ""), s.M.Int64(1), a, "");

    /// <summary>
    /// Runs <paramref name="body"/> for every item in [0, items) with items grouped into parallel blocks of about
    /// <see cref="LoopLowering.Grain"/> elements of work (one block, on the calling thread, when the whole is smaller).
    /// <paramref name="measure"/> gives (items, work per item) in a scope.
    /// </summary>
    private static void Blocks(KernelScope scope, Site site, Func<KernelScope, (LLVMValueRef Items, LLVMValueRef Work)> measure,
        Action<KernelScope, LLVMValueRef> body)
    {
        LLVMValueRef PerBlock(KernelScope s, LLVMValueRef work) => AtLeastOne(s, s.UDiv(s.M.Int64(LoopLowering.Grain), AtLeastOne(s, work)));
        var (items, work) = measure(scope);
        var per = PerBlock(scope, work);
        var blocks = scope.UDiv(scope.Add(items, scope.Sub(per, scope.M.Int64(1))), per);
        scope.ParallelFor(blocks, 1, site.Captured, (inner, start, end) =>
        {
            var (innerItems, innerWork) = measure(inner);
            var innerPer = PerBlock(inner, innerWork);
            inner.For(start, end, b =>
            {
                var first = inner.Mul(b, innerPer);
                inner.For(first, inner.Min(inner.Add(first, innerPer), innerItems), item => body(inner, item), "item");
            }, "block");
        });
    }

    // ---- innermost kept: tiles of outputs ----

    private static void EmitTiled(KernelScope scope, Site site, List<Group> groups)
    {
        int last = groups.Count - 1;
        var outer = Enumerable.Range(0, Math.Max(last, 0)).Where(g => !groups[g].Reduced).ToArray();
        var reducedGroups = Enumerable.Range(0, groups.Count).Where(g => groups[g].Reduced).ToArray();
        (Layout Layout, LLVMValueRef C, LLVMValueRef Tiles) Tiling(KernelScope s)
        {
            var layout = Measure(s, groups);
            var c = last >= 0 ? layout.Sizes[last] : s.M.Int64(1);
            return (layout, c, s.UDiv(s.Add(c, s.M.Int64(Tile - 1)), s.M.Int64(Tile)));
        }
        Blocks(scope, site, s =>
        {
            var (layout, c, tiles) = Tiling(s);
            return (s.Mul(Product(s, layout, outer), tiles), s.Mul(Product(s, layout, reducedGroups), s.Min(c, s.M.Int64(Tile))));
        }, (s, item) =>
        {
            var (layout, c, tiles) = Tiling(s);
            var p = s.UDiv(item, tiles);
            var t0 = s.Mul(s.URem(item, tiles), s.M.Int64(Tile));
            var length = s.Min(s.M.Int64(Tile), s.Sub(c, t0));
            var keptBase = s.Add(Offset(s, layout, outer, p), t0);
            var outBase = s.Add(s.Mul(p, c), t0);
            var positions = Product(s, layout, reducedGroups);
            var zero = s.M.Int64(0);
            var accumulator = new TileState(s, site);
            if (site.Kind is { } kind)
            {
                s.For(zero, length, t => accumulator.Set(t, Identity(s.M, kind, site.InDType, s.M.Types.Compute(site.InDType))), "t");
                s.For(zero, positions, r =>
                {
                    var b = s.Add(keptBase, Offset(s, layout, reducedGroups, r));
                    s.For(zero, length, t => accumulator.Set(t, Combine(s, kind, site.InDType, accumulator.Get(t), site.Input(s, s.Add(b, t)))), "t");
                }, "r");
            }
            else
            {
                // argmax/argmin: the first position sets the state, the others compete in order (index 0 for an empty axis).
                var nothing = LlvmCore.ConstNull(s.M.Types.Compute(site.InDType));
                s.For(zero, length, t => accumulator.Set(t, nothing, zero), "t");
                When(s, LlvmCore.BuildICmp(s.B, LLVMIntPredicate.SGT, positions, zero, ""),
                    () => s.For(zero, length, t => accumulator.Set(t, site.Input(s, s.Add(keptBase, t)), zero), "t"));
                s.For(s.M.Int64(1), positions, r =>
                {
                    var b = s.Add(keptBase, Offset(s, layout, reducedGroups, r));
                    s.For(zero, length, t =>
                    {
                        var (best, index) = ArgStep(s, site, accumulator.Get(t), accumulator.GetIndex(t), site.Input(s, s.Add(b, t)), r);
                        accumulator.Set(t, best, index);
                    }, "t");
                }, "r");
            }
            s.For(zero, length, t => site.Output(s, s.Add(outBase, t), Final(s, site, accumulator.Get(t), site.Kind is null ? accumulator.GetIndex(t) : default)), "t");
        });
    }

    /// <summary>The running values (and, for argmax/argmin, indices) of a tile, on the stack.</summary>
    private sealed class TileState
    {
        private readonly KernelScope _s;
        private readonly LLVMTypeRef _type;
        private readonly LLVMValueRef _values;
        private readonly LLVMValueRef _indices;

        public TileState(KernelScope s, Site site)
        {
            _s = s;
            _type = s.M.Types.Compute(site.InDType);
            var storage = s.M.Types.Storage(site.InDType);
            // i1 lives in bytes: an alloca of i1 elements is still addressed per element.
            _values = s.BuildEntryAlloca(LlvmCore.ArrayType2(_type == s.M.I1 ? storage : _type, (ulong)Tile));
            _indices = site.Kind is null ? s.BuildEntryAlloca(LlvmCore.ArrayType2(s.M.I64, (ulong)Tile)) : default;
        }

        private bool IsBool => _type == _s.M.I1;

        public LLVMValueRef Get(LLVMValueRef t)
        {
            var slotType = IsBool ? _s.M.I8 : _type;
            var loaded = _s.B.Load(slotType, _s.B.InBoundsGep(slotType, _values, [t]), 1);
            return IsBool ? LlvmCore.BuildICmp(_s.B, LLVMIntPredicate.NE, loaded, LlvmCore.ConstInt(_s.M.I8, 0, false), "") : loaded;
        }

        public LLVMValueRef GetIndex(LLVMValueRef t) => _s.B.Load(_s.M.I64, _s.B.InBoundsGep(_s.M.I64, _indices, [t]), 8);

        public void Set(LLVMValueRef t, LLVMValueRef value, LLVMValueRef index = default)
        {
            var slotType = IsBool ? _s.M.I8 : _type;
            var stored = IsBool ? LlvmCore.BuildCast(_s.B, LLVMOpcode.ZExt, value, _s.M.I8, "") : value;
            _s.B.Store(stored, _s.B.InBoundsGep(slotType, _values, [t]), 1);
            if (index.Handle != 0) _s.B.Store(index, _s.B.InBoundsGep(_s.M.I64, _indices, [t]), 8);
        }
    }

    // ---- innermost reduced: one output at a time ----

    private static void EmitPerOutput(KernelScope scope, Site site, List<Group> groups)
    {
        int last = groups.Count - 1;
        var kept = Enumerable.Range(0, groups.Count).Where(g => !groups[g].Reduced).ToArray();
        var runs = Enumerable.Range(0, last).Where(g => groups[g].Reduced).ToArray();
        var all = Enumerable.Range(0, groups.Count).Where(g => groups[g].Reduced).ToArray();
        Blocks(scope, site, s =>
        {
            var layout = Measure(s, groups);
            return (Product(s, layout, kept), Product(s, layout, all));
        }, (s, o) =>
        {
            var layout = Measure(s, groups);
            var keptBase = Offset(s, layout, kept, o);
            var c = layout.Sizes[last];
            var zero = s.M.Int64(0);
            if (site.Kind is { } kind)
            {
                var lanes = new LaneState(s, site, kind);
                s.For(zero, Product(s, layout, runs), r => lanes.Run(s.Add(keptBase, Offset(s, layout, runs, r)), c), "r");
                site.Output(s, o, Final(s, site, Combine(s, kind, site.InDType, Identity(s.M, kind, site.InDType, lanes.Type), lanes.Tree()), default));
                return;
            }
            // argmax/argmin: one reduced group (the axis), in lanes.
            var arg = new ArgLanes(s, site);
            arg.Run(keptBase, c);
            site.Output(s, o, Final(s, site, default, arg.Result()));
        });
    }

    /// <summary>The <see cref="Lanes"/> interleaved accumulators of one output, an LLVM vector on the stack (promoted to registers by LLVM).</summary>
    private sealed class LaneState
    {
        private readonly KernelScope _s;
        private readonly Site _site;
        private readonly ReduceKind _kind;
        private readonly LLVMTypeRef _vector;
        private readonly LLVMValueRef _slot;

        public LaneState(KernelScope s, Site site, ReduceKind kind)
        {
            (_s, _site, _kind) = (s, site, kind);
            Type = s.M.Types.Compute(site.InDType);
            _vector = LlvmCore.VectorType(Type, Lanes);
            _slot = s.BuildEntryAlloca(_vector);
            var identity = Identity(s.M, kind, site.InDType, Type);
            s.B.Store(LlvmCore.ConstVector(Enumerable.Repeat(identity, Lanes).ToArray(), Lanes), _slot, 1);
        }

        /// <summary>The compute type of an element.</summary>
        public LLVMTypeRef Type { get; }

        private LLVMValueRef Load() => _s.B.Load(_vector, _slot, 1);

        /// <summary>Accumulates the run of <paramref name="length"/> inputs from flat index <paramref name="start"/>: element j into lane j mod 16.</summary>
        public void Run(LLVMValueRef start, LLVMValueRef length)
        {
            var s = _s;
            if (!_site.Fused)
            {
                Accumulate(length, at => LoadVector(s, _site, s.Add(start, at)), at => _site.Input(s, s.Add(start, at)));
                return;
            }
            // Fused: segments of 256 inputs computed into a buffer by a loop LLVM vectorizes, then accumulated from it
            // (segments are whole multiples of 16, so every element keeps its lane).
            bool isBool = Type == s.M.I1;
            var slotType = isBool ? s.M.I8 : Type;
            var buffer = s.BuildEntryAlloca(LlvmCore.ArrayType2(slotType, (ulong)Tile));
            LLVMValueRef Slot(LLVMValueRef t) => s.B.InBoundsGep(slotType, buffer, [t]);
            var segments = s.UDiv(s.Add(length, s.M.Int64(Tile - 1)), s.M.Int64(Tile));
            s.For(s.M.Int64(0), segments, g =>
            {
                var offset = s.Mul(g, s.M.Int64(Tile));
                var count = s.Min(s.M.Int64(Tile), s.Sub(length, offset));
                s.For(s.M.Int64(0), count, t =>
                {
                    var x = _site.Input(s, s.Add(start, s.Add(offset, t)));
                    s.B.Store(isBool ? LlvmCore.BuildCast(s.B, LLVMOpcode.ZExt, x, s.M.I8, "") : x, Slot(t), 1);
                }, "t");
                LLVMValueRef Widen(LLVMValueRef v, LLVMTypeRef zero) =>
                    isBool ? LlvmCore.BuildICmp(s.B, LLVMIntPredicate.NE, v, LlvmCore.ConstNull(zero), "") : v;
                var vectorType = LlvmCore.VectorType(slotType, Lanes);
                Accumulate(count, at => Widen(s.B.Load(vectorType, Slot(at), 1), vectorType), at => Widen(s.B.Load(slotType, Slot(at), 1), slotType));
            }, "segment");
        }

        /// <summary>Accumulates elements [0, length) of a run: whole groups of 16 as vectors, the rest into their lanes one by one.</summary>
        private void Accumulate(LLVMValueRef length, Func<LLVMValueRef, LLVMValueRef> vectorAt, Func<LLVMValueRef, LLVMValueRef> elementAt)
        {
            var s = _s;
            var whole = s.UDiv(length, s.M.Int64(Lanes));
            s.For(s.M.Int64(0), whole, j => s.B.Store(Combine(s, _kind, _site.InDType, Load(), vectorAt(s.Mul(j, s.M.Int64(Lanes)))), _slot, 1), "j");
            var done = s.Mul(whole, s.M.Int64(Lanes));
            s.For(done, length, j =>
            {
                var lane = LlvmCore.BuildCast(s.B, LLVMOpcode.Trunc, s.Sub(j, done), s.M.I32, "");
                var lanes = Load();
                var combined = Combine(s, _kind, _site.InDType, LlvmCore.BuildExtractElement(s.B, lanes, lane, ""), elementAt(j));
                s.B.Store(LlvmCore.BuildInsertElement(s.B, lanes, combined, lane, ""), _slot, 1);
            }, "tail");
        }

        /// <summary>The lanes combined by the fixed tree: lane l with lane l + 8, then l + 4, l + 2, l + 1.</summary>
        public LLVMValueRef Tree()
        {
            var v = Load();
            for (int width = Lanes / 2; width >= 1; width /= 2)
            {
                var low = _s.B.ShuffleVector(v, v, Enumerable.Range(0, width).ToArray());
                var high = _s.B.ShuffleVector(v, v, Enumerable.Range(width, width).ToArray());
                v = Combine(_s, _kind, _site.InDType, low, high);
            }
            return LlvmCore.BuildExtractElement(_s.B, v, _s.M.Int32(0), "");
        }
    }

    /// <summary>The 16 inputs from flat index <paramref name="at"/> of a fused reduction, each computed by the fused operations.</summary>
    private static LLVMValueRef InputVector(KernelScope s, Site site, LLVMValueRef at)
    {
        var vector = LlvmCore.GetPoison(LlvmCore.VectorType(s.M.Types.Compute(site.InDType), Lanes));
        for (int l = 0; l < Lanes; l++)
            vector = LlvmCore.BuildInsertElement(s.B, vector, site.Input(s, s.Add(at, s.M.Int64(l))), s.M.Int32(l), "");
        return vector;
    }

    /// <summary>
    /// argmax/argmin of one output in <see cref="Lanes"/> lanes: element j of the run goes to lane j mod 16, where it
    /// replaces the lane's best as in the sequential rule (strictly better, or the first NaN); then a fixed tree keeps,
    /// of two lanes, a NaN over a number, the better value, and on a tie (or two NaNs) the lower index: the first
    /// extremum overall, exactly. Lane indices are -1 until the lane's first element.
    /// </summary>
    private sealed class ArgLanes
    {
        private readonly KernelScope _s;
        private readonly Site _site;
        private readonly LLVMTypeRef _vector;
        private readonly LLVMTypeRef _indices;
        private readonly LLVMValueRef _bestSlot;
        private readonly LLVMValueRef _indexSlot;

        public ArgLanes(KernelScope s, Site site)
        {
            (_s, _site) = (s, site);
            _vector = LlvmCore.VectorType(s.M.Types.Compute(site.InDType), Lanes);
            _indices = LlvmCore.VectorType(s.M.I64, Lanes);
            _bestSlot = s.BuildEntryAlloca(_vector);
            _indexSlot = s.BuildEntryAlloca(_indices);
            s.B.Store(LlvmCore.ConstNull(_vector), _bestSlot, 1);
            s.B.Store(LlvmCore.ConstAllOnes(_indices), _indexSlot, 1);
        }

        private (LLVMValueRef Best, LLVMValueRef Index) Load() => (_s.B.Load(_vector, _bestSlot, 1), _s.B.Load(_indices, _indexSlot, 1));

        private void Store(LLVMValueRef best, LLVMValueRef index)
        {
            _s.B.Store(best, _bestSlot, 1);
            _s.B.Store(index, _indexSlot, 1);
        }

        private (LLVMValueRef Best, LLVMValueRef Index) Step(LLVMValueRef best, LLVMValueRef index, LLVMValueRef x, LLVMValueRef position)
        {
            var empty = LlvmCore.BuildICmp(_s.B, LLVMIntPredicate.SLT, index, LlvmCore.ConstNull(LlvmCore.TypeOf(index)), "");
            return ArgStep(_s, _site, best, index, x, position, empty);
        }

        /// <summary>Scans the run of <paramref name="length"/> inputs from flat index <paramref name="start"/> (positions 0, 1, ... along the axis).</summary>
        public void Run(LLVMValueRef start, LLVMValueRef length)
        {
            var s = _s;
            var iota = LlvmCore.ConstVector(Enumerable.Range(0, Lanes).Select(l => s.M.Int64(l)).ToArray(), Lanes);
            var whole = s.UDiv(length, s.M.Int64(Lanes));
            s.For(s.M.Int64(0), whole, j =>
            {
                var first = s.Mul(j, s.M.Int64(Lanes));
                var at = s.Add(start, first);
                var x = _site.Fused ? InputVector(s, _site, at) : LoadVector(s, _site, at);
                var splat = s.B.ShuffleVector(LlvmCore.BuildInsertElement(s.B, LlvmCore.GetPoison(_indices), first, s.M.Int32(0), ""),
                    LlvmCore.GetPoison(_indices), new int[Lanes]);
                var (best, index) = Load();
                var next = Step(best, index, x, s.B.BinaryOperation(LLVMOpcode.Add, splat, iota));
                Store(next.Best, next.Index);
            }, "j");
            var done = s.Mul(whole, s.M.Int64(Lanes));
            s.For(done, length, j =>
            {
                var lane = LlvmCore.BuildCast(s.B, LLVMOpcode.Trunc, s.Sub(j, done), s.M.I32, "");
                var (best, index) = Load();
                var next = Step(LlvmCore.BuildExtractElement(s.B, best, lane, ""), LlvmCore.BuildExtractElement(s.B, index, lane, ""), _site.Input(s, s.Add(start, j)), j);
                Store(LlvmCore.BuildInsertElement(s.B, best, next.Best, lane, ""), LlvmCore.BuildInsertElement(s.B, index, next.Index, lane, ""));
            }, "tail");
        }

        /// <summary>The index of the first extremum (0 for an empty axis), from the lanes by the fixed tree.</summary>
        public LLVMValueRef Result()
        {
            var b = _s.B;
            var (best, index) = Load();
            for (int width = Lanes / 2; width >= 1; width /= 2)
            {
                int[] low = [.. Enumerable.Range(0, width)], high = [.. Enumerable.Range(width, width)];
                var (va, ia, vb, ib) = (b.ShuffleVector(best, best, low), b.ShuffleVector(index, index, low), b.ShuffleVector(best, best, high), b.ShuffleVector(index, index, high));
                var pick = PicksSecond(va, ia, vb, ib);
                (best, index) = (LlvmCore.BuildSelect(b, pick, vb, va, ""), LlvmCore.BuildSelect(b, pick, ib, ia, ""));
            }
            var result = LlvmCore.BuildExtractElement(b, index, _s.M.Int32(0), "");
            return LlvmCore.BuildSelect(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, result, _s.M.Int64(0), ""), _s.M.Int64(0), result, "");
        }

        /// <summary>Whether lane candidate (vb, ib) beats (va, ia): a NaN over a number, a better value, the lower index on a tie; an empty candidate never wins over a full one.</summary>
        private LLVMValueRef PicksSecond(LLVMValueRef va, LLVMValueRef ia, LLVMValueRef vb, LLVMValueRef ib)
        {
            var b = _s.B;
            var zero = LlvmCore.ConstNull(LlvmCore.TypeOf(ia));
            LLVMValueRef And(LLVMValueRef x, LLVMValueRef y) => b.BinaryOperation(LLVMOpcode.And, x, y);
            LLVMValueRef Or(LLVMValueRef x, LLVMValueRef y) => b.BinaryOperation(LLVMOpcode.Or, x, y);
            LLVMValueRef better, tie;
            var dtype = _site.InDType;
            if (dtype.IsFloat())
            {
                var aNaN = LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, va, va, "");
                var bNaN = LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, vb, vb, "");
                var strictly = LlvmCore.BuildFCmp(b, _site.IsMax ? LLVMRealPredicate.OGT : LLVMRealPredicate.OLT, vb, va, "");
                better = Or(And(bNaN, LlvmCore.BuildNot(b, aNaN, "")), strictly);
                tie = Or(And(aNaN, bNaN), LlvmCore.BuildFCmp(b, LLVMRealPredicate.OEQ, va, vb, ""));
            }
            else
            {
                bool unsigned = dtype.IsUnsignedInteger() || dtype == DType.Bool;
                var predicate = _site.IsMax ? (unsigned ? LLVMIntPredicate.UGT : LLVMIntPredicate.SGT) : (unsigned ? LLVMIntPredicate.ULT : LLVMIntPredicate.SLT);
                better = LlvmCore.BuildICmp(b, predicate, vb, va, "");
                tie = LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, va, vb, "");
            }
            var aEmpty = LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, ia, zero, "");
            var bFull = LlvmCore.BuildICmp(b, LLVMIntPredicate.SGE, ib, zero, "");
            var earlier = LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, ib, ia, "");
            return And(bFull, Or(aEmpty, Or(better, And(tie, earlier))));
        }
    }

    /// <summary>The 16 inputs from flat index <paramref name="at"/> of an unfused reduction as one vector load, widened to the compute type.</summary>
    private static LLVMValueRef LoadVector(KernelScope s, Site site, LLVMValueRef at)
    {
        var dtype = site.InDType;
        var b = s.B;
        var operand = site.Root.Operands[0];
        var storage = LlvmCore.VectorType(s.M.Types.Storage(dtype), Lanes);
        var stored = b.Load(storage, s.M.Types.Address(b, dtype, s.Pointer(operand), at), ElementTypes.Alignment(dtype));
        LLVMValueRef Splat(LLVMTypeRef type, ulong value) =>
            LlvmCore.ConstVector(Enumerable.Repeat(LlvmCore.ConstInt(type, value, false), Lanes).ToArray(), Lanes);
        switch (dtype)
        {
            case DType.Bool:
                return LlvmCore.BuildICmp(b, LLVMIntPredicate.NE, stored, Splat(s.M.I8, 0), "");
            case DType.Float16:
                return s.M.Types.NativeHalf
                    ? LlvmCore.BuildCast(b, LLVMOpcode.FPExt, stored, LlvmCore.VectorType(s.M.Context.Float, Lanes), "")
                    : HalfConversions.ToFloat(b, s.M.Context, LlvmCore.BuildCast(b, LLVMOpcode.BitCast, stored,
                        LlvmCore.VectorType(LlvmCore.IntTypeInContext(s.M.Context, 16), Lanes), ""), (int)Lanes);
            case DType.BFloat16:
                var wide = LlvmCore.BuildCast(b, LLVMOpcode.ZExt, stored, LlvmCore.VectorType(s.M.I32, Lanes), "");
                return LlvmCore.BuildCast(b, LLVMOpcode.BitCast, b.BinaryOperation(LLVMOpcode.Shl, wide, Splat(s.M.I32, 16)), LlvmCore.VectorType(s.M.Context.Float, Lanes), "");
            default:
                return stored;
        }
    }

    // ---- everything reduced: chunks ----

    private static void EmitChunked(KernelScope scope, Site site, List<Group> groups)
    {
        var kind = site.Kind!.Value;
        var type = scope.M.Types.Compute(site.InDType);
        var slotType = type == scope.M.I1 ? scope.M.I8 : type;
        var partialsValue = new Value(new ShapedType(DType.Int8, Shape.Scalar));
        scope.Bind(partialsValue, scope.BuildEntryAlloca(LlvmCore.ArrayType2(slotType, (ulong)MaxChunks)));
        (LLVMValueRef N, LLVMValueRef Chunk, LLVMValueRef Chunks) Chunking(KernelScope s)
        {
            var n = Measure(s, groups).Sizes[0];
            var span = s.M.Int64(ChunkElements * MaxChunks);
            var chunk = s.Mul(s.M.Int64(ChunkElements), AtLeastOne(s, s.UDiv(s.Add(n, s.Sub(span, s.M.Int64(1))), span)));
            return (n, chunk, s.UDiv(s.Add(n, s.Sub(chunk, s.M.Int64(1))), chunk));
        }
        LLVMValueRef Slot(KernelScope s, LLVMValueRef k) => s.B.InBoundsGep(slotType, s.Pointer(partialsValue), [k]);
        LLVMValueRef ToSlot(KernelScope s, LLVMValueRef v) => type == s.M.I1 ? LlvmCore.BuildCast(s.B, LLVMOpcode.ZExt, v, s.M.I8, "") : v;
        LLVMValueRef FromSlot(KernelScope s, LLVMValueRef v) => type == s.M.I1 ? LlvmCore.BuildICmp(s.B, LLVMIntPredicate.NE, v, LlvmCore.ConstInt(s.M.I8, 0, false), "") : v;

        var (_, _, chunks) = Chunking(scope);
        scope.ParallelFor(chunks, 1, [.. site.Captured, partialsValue], (inner, start, end) =>
        {
            var (n, chunk, _) = Chunking(inner);
            inner.For(start, end, k =>
            {
                var lanes = new LaneState(inner, site, kind);
                var first = inner.Mul(k, chunk);
                lanes.Run(first, inner.Sub(inner.Min(n, inner.Add(first, chunk)), first));
                inner.B.Store(ToSlot(inner, lanes.Tree()), Slot(inner, k), 1);
            }, "chunk");
        });
        var total = scope.BuildEntryAlloca(slotType);
        scope.B.Store(ToSlot(scope, Identity(scope.M, kind, site.InDType, type)), total, 1);
        scope.For(scope.M.Int64(0), chunks, k =>
        {
            var sum = Combine(scope, kind, site.InDType, FromSlot(scope, scope.B.Load(slotType, total, 1)), FromSlot(scope, scope.B.Load(slotType, Slot(scope, k), 1)));
            scope.B.Store(ToSlot(scope, sum), total, 1);
        }, "partial");
        site.Output(scope, scope.M.Int64(0), Final(scope, site, FromSlot(scope, scope.B.Load(slotType, total, 1)), default));
    }

    // ---- the combining operations ----

    /// <summary>The identity of <paramref name="kind"/> on <paramref name="dtype"/> (the interpreter's initial value).</summary>
    private static LLVMValueRef Identity(KernelModule m, ReduceKind kind, DType dtype, LLVMTypeRef type)
    {
        bool isFloat = dtype.IsFloat(), unsigned = dtype.IsUnsignedInteger() || dtype == DType.Bool;
        int bits = dtype == DType.Bool ? 1 : dtype.BitWidth();
        return kind switch
        {
            ReduceKind.Sum or ReduceKind.Or => LlvmCore.ConstNull(type),
            ReduceKind.Prod => isFloat ? LlvmCore.ConstReal(type, 1) : LlvmCore.ConstInt(type, 1, false),
            ReduceKind.And => LlvmCore.ConstAllOnes(type),
            ReduceKind.Max => isFloat ? LlvmCore.ConstReal(type, double.NegativeInfinity) : unsigned ? LlvmCore.ConstNull(type) : m.Integer(type, long.MinValue >> (64 - bits)),
            _ => isFloat ? LlvmCore.ConstReal(type, double.PositiveInfinity) : unsigned ? LlvmCore.ConstAllOnes(type) : m.Integer(type, long.MaxValue >> (64 - bits)),
        };
    }

    /// <summary><paramref name="a"/> ⊕ <paramref name="b"/> on scalars or vectors of <paramref name="dtype"/>'s compute type: IEEE float arithmetic, wrapping integers, IEEE 754-2019 maximum/minimum, and/or.</summary>
    internal static LLVMValueRef Combine(KernelScope s, ReduceKind kind, DType dtype, LLVMValueRef a, LLVMValueRef b)
    {
        bool isFloat = dtype.IsFloat(), unsigned = dtype.IsUnsignedInteger() || dtype == DType.Bool;
        switch (kind)
        {
            case ReduceKind.Sum:
                return s.B.BinaryOperation(isFloat ? LLVMOpcode.FAdd : LLVMOpcode.Add, a, b);
            case ReduceKind.Prod:
                return s.B.BinaryOperation(isFloat ? LLVMOpcode.FMul : dtype == DType.Bool ? LLVMOpcode.And : LLVMOpcode.Mul, a, b);
            case ReduceKind.And:
                return s.B.BinaryOperation(LLVMOpcode.And, a, b);
            case ReduceKind.Or:
                return s.B.BinaryOperation(LLVMOpcode.Or, a, b);
            default:
                bool max = kind == ReduceKind.Max;
                if (dtype == DType.Bool) return s.B.BinaryOperation(max ? LLVMOpcode.Or : LLVMOpcode.And, a, b);
                if (dtype == DType.Float16) return ElementwiseLowering.HalfExtremum(s.B, a, b, max);
                if (isFloat) return s.B.Call(s.M.Intrinsic(max ? "llvm.maximum" : "llvm.minimum", LlvmCore.TypeOf(a)), [a, b]);
                var predicate = max ? (unsigned ? LLVMIntPredicate.UGT : LLVMIntPredicate.SGT) : (unsigned ? LLVMIntPredicate.ULT : LLVMIntPredicate.SLT);
                return LlvmCore.BuildSelect(s.B, LlvmCore.BuildICmp(s.B, predicate, a, b, ""), a, b, "");
        }
    }

    /// <summary>One step of argmax/argmin: <paramref name="x"/> at <paramref name="position"/> replaces the best unless the best is NaN, when it is NaN or strictly better.</summary>
    private static (LLVMValueRef Best, LLVMValueRef Index) ArgStep(KernelScope s, Site site, LLVMValueRef best, LLVMValueRef index, LLVMValueRef x, LLVMValueRef position,
        LLVMValueRef force = default)
    {
        var b = s.B;
        var dtype = site.InDType;
        LLVMValueRef take;
        if (dtype.IsFloat())
        {
            var better = LlvmCore.BuildFCmp(b, site.IsMax ? LLVMRealPredicate.OGT : LLVMRealPredicate.OLT, x, best, "");
            var xNaN = LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, x, x, "");
            var bestNumber = LlvmCore.BuildFCmp(b, LLVMRealPredicate.ORD, best, best, "");
            take = b.BinaryOperation(LLVMOpcode.And, bestNumber, b.BinaryOperation(LLVMOpcode.Or, xNaN, better));
        }
        else
        {
            bool unsigned = dtype.IsUnsignedInteger() || dtype == DType.Bool;
            var predicate = site.IsMax ? (unsigned ? LLVMIntPredicate.UGT : LLVMIntPredicate.SGT) : (unsigned ? LLVMIntPredicate.ULT : LLVMIntPredicate.SLT);
            take = LlvmCore.BuildICmp(b, predicate, x, best, "");
        }
        if (force.Handle != 0) take = b.BinaryOperation(LLVMOpcode.Or, take, force);
        return (LlvmCore.BuildSelect(b, take, x, best, ""), LlvmCore.BuildSelect(b, take, position, index, ""));
    }

    /// <summary>The result's compute value: a reduction's accumulator rounded to its dtype (f16/bf16), or an arg reduction's index in its index dtype.</summary>
    private static LLVMValueRef Final(KernelScope s, Site site, LLVMValueRef accumulator, LLVMValueRef index)
    {
        var dtype = site.OutDType;
        if (site.Kind is null)
        {
            var type = s.M.Types.Compute(dtype);
            return dtype.BitWidth() == 64 ? index : LlvmCore.BuildCast(s.B, LLVMOpcode.Trunc, index, type, "");
        }
        return dtype is DType.Float16 or DType.BFloat16 ? s.M.Types.Widen(s.B, dtype, s.M.Types.Narrow(s.B, dtype, accumulator)) : accumulator;
    }

    // ---- cumulative scans ----

    /// <summary>
    /// <c>cumsum</c>, <c>cumprod</c>, <c>cummax</c>, <c>cummin</c>: the array as (outer, n, inner) around the axis; tiles of
    /// up to <see cref="Tile"/> inner positions run along the axis together (forwards, or backwards when reversed), the
    /// first element as it is, then each the previous running value ⊕ the element: the interpreter's order.
    /// </summary>
    private static void EmitCumulative(KernelScope scope, Operation op)
    {
        var kind = ((CumulativePrimitive)op.Primitive).Kind;
        var x = op.Operands[0];
        var dtype = x.Type.DType;
        var shape = x.Type.Shape;
        int axis = (int)op.Attributes.Int("axis");
        bool reverse = op.Attributes.Bool("reverse");
        var site = new Site(op, op, fused: false);
        (LLVMValueRef N, LLVMValueRef Inner, LLVMValueRef Outer, LLVMValueRef Tiles) Blocking(KernelScope s)
        {
            var sizes = s.Sizes(shape);
            var one = s.M.Int64(1);
            var inner = sizes.Skip(axis + 1).Aggregate(one, s.Mul);
            return (sizes[axis], inner, sizes.Take(axis).Aggregate(one, s.Mul), s.UDiv(s.Add(inner, s.M.Int64(Tile - 1)), s.M.Int64(Tile)));
        }
        Blocks(scope, site, s =>
        {
            var (n, inner, outer, tiles) = Blocking(s);
            return (s.Mul(outer, tiles), s.Mul(n, s.Min(inner, s.M.Int64(Tile))));
        }, (s, item) =>
        {
            var (n, inner, _, tiles) = Blocking(s);
            var t0 = s.Mul(s.URem(item, tiles), s.M.Int64(Tile));
            var length = s.Min(s.M.Int64(Tile), s.Sub(inner, t0));
            var block = s.Add(s.Mul(s.Mul(s.UDiv(item, tiles), n), inner), t0);
            var zero = s.M.Int64(0);
            var state = new TileState(s, site);
            var result = s.Pointer(op.Results[0]);
            LLVMValueRef At(LLVMValueRef k) => s.Add(block, s.Mul(reverse ? s.Sub(s.Sub(n, s.M.Int64(1)), k) : k, inner));
            void Step(LLVMValueRef k, bool first) => s.For(zero, length, t =>
            {
                var at = s.Add(At(k), t);
                var value = s.M.Types.Load(s.B, dtype, s.Pointer(x), at);
                var running = first ? value : Combine(s, kind, dtype, state.Get(t), value);
                state.Set(t, running);
                s.M.Types.Store(s.B, dtype, running, result, at);
            }, "t");
            When(s, LlvmCore.BuildICmp(s.B, LLVMIntPredicate.SGT, n, zero, ""), () =>
            {
                Step(zero, first: true);
                s.For(s.M.Int64(1), n, k => Step(k, first: false), "k");
            });
        });
    }
}
