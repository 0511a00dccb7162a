using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// Writes the kernels of a <c>reduction</c> fusion (or a lone <c>reduce_*</c>, <c>argmax</c>, <c>argmin</c>): the
/// reduction's input is computed on the fly from the fusion's inputs by its elementwise producers (those that are
/// results are stored where they are computed), the result goes through the epilogue (the elementwise operations on
/// it) at each output index. Any set of axes: the operand's dims are grouped as the interpreter groups them (static
/// size-1 dims dropped, adjacent reduced or kept dims merged), an output index and a reduced index are unravelled over
/// the kept and the reduced groups and give the input's flat index by the groups' strides. One of three geometries,
/// chosen from the static sizes (a symbolic count counts as large):
/// <list type="bullet">
/// <item><b>row</b>: one workgroup of <see cref="LocalSize"/> threads per output, grid-strided over outputs; thread t
/// accumulates the reduced positions t, t + 256, ... in order, then a tree in workgroup memory (<c>OpControlBarrier</c>
/// between levels) combines thread t with t + s for s = 128, 64, ..., 1; thread 0 writes the result and the epilogue.</item>
/// <item><b>thread</b>: one thread per output (grid-strided), the reduced positions in order from the identity (the
/// interpreter's order): for short reductions (at most <see cref="ShortReduction"/> elements) and for reductions whose
/// innermost dims are kept with many outputs (neighbouring threads read neighbouring elements).</item>
/// <item><b>two kernels</b> for few outputs (at most <see cref="FewOutputs"/>) over many elements (at least
/// <see cref="LongReduction"/>, or a symbolic count): the reduced positions of each output are split into C chunks of
/// ceil(n / C) (C = n / 8192 clamped to [2, 1024], or 1024 for a symbolic n); the first kernel reduces each (output,
/// chunk) as a row into a scratch buffer (argmax/argmin: values and indices, two buffers), the second reduces each
/// output's C partials as a row and applies the epilogue.</item>
/// </list>
/// Semantics are the interpreter's: identities (sum 0, product 1, max -inf / the dtype's minimum / false, min +inf /
/// maximum / true, and all ones / true, or 0 / false), float32 sums and products in float32 (in another order than the
/// interpreter's: equal up to rounding), integers wrapping, max/min IEEE 754-2019 maximum/minimum (NaN propagates,
/// -0 &lt; +0); argmax/argmin keep a NaN over a number, then the better value, then the lower index (so the first NaN,
/// or the first extremum, with -0 and +0 tied), index 0 for an empty axis. float16 and bfloat16 accumulate in float32
/// and round once where the result is stored (as the interpreter and the CPU backend do), 8/16-bit integers in 32 bits,
/// wrapped once (the same bits as wrapping at every step). The portable kernels use only workgroup memory and barriers
/// (no device feature beyond <see cref="SpirvKernelWriter.BaseFeatures"/>); where the operation has a subgroup
/// instruction with these semantics (<see cref="SubgroupOperation"/>), the step also carries a <b>subgroup variant</b>
/// (<see cref="VulkanStep.Variants"/>, needing <c>subgroupArithmetic</c>) whose rows combine each subgroup's values in
/// one <c>OpGroupNonUniform*</c> reduction, then thread 0 combines the subgroups' results in order: two barriers per
/// output instead of the tree's nine. Push constants: the work
/// items (outputs, or outputs x chunks), the reduced element count, then every symbolic dim of the kernel's values.
/// Counts are uint32: inputs below 2^32 - 1024 elements.
/// </summary>
internal sealed class ReductionKernelWriter : SpirvKernelWriter
{
    /// <summary>Threads per workgroup (and the workgroup-memory tree's width).</summary>
    public const int LocalSize = 256;

    /// <summary>Reductions of at most this many elements per output run one output per thread.</summary>
    public const long ShortReduction = 64;

    /// <summary>At most this many outputs over <see cref="LongReduction"/> elements or more take the two-kernel path.</summary>
    public const long FewOutputs = 16;

    /// <summary>The reduced count from which few outputs take the two-kernel path.</summary>
    public const long LongReduction = 1 << 16;

    /// <summary>An argmax/argmin candidate index meaning "no element" (loses every comparison).</summary>
    private const uint Empty = uint.MaxValue;

    private enum Mode
    {
        /// <summary>One workgroup per output.</summary>
        Row,

        /// <summary>One thread per output.</summary>
        Thread,

        /// <summary>First of two kernels: one workgroup per (output, chunk), partials to scratch.</summary>
        Partial,

        /// <summary>Second of two kernels: one workgroup per output over its chunks' partials.</summary>
        Final,
    }

    /// <summary>What the kernels of one reduction share: the fusion's parts and the geometry.</summary>
    private sealed class Plan
    {
        public required Operation Op { get; init; }
        public required IReadOnlyList<Value> Arguments { get; init; }
        public required IReadOnlyList<Operation> Operations { get; init; }
        public required IReadOnlyList<Value> Results { get; init; }
        public required Operation Root { get; init; }

        /// <summary>The merged groups of the operand's dims, outermost first.</summary>
        public required List<(List<Dim> Dims, bool Reduced)> Groups { get; init; }

        public required SymbolicSize Outputs { get; init; }
        public required SymbolicSize Reduced { get; init; }

        /// <summary>Result indices computed at input positions (the producers that are results).</summary>
        public required List<int> Before { get; init; }

        /// <summary>Result indices computed at output positions (the reduction, the epilogue, one-element values).</summary>
        public required List<int> After { get; init; }

        public required List<string> Symbols { get; init; }

        /// <summary>Chunks per output of the two-kernel path (1 otherwise).</summary>
        public int Chunks { get; set; } = 1;

        public ReduceKind? Kind => Root.Primitive is ReducePrimitive r ? r.Kind : null;
        public bool IsMax => Root.Primitive is ArgReducePrimitive { IsMax: true };
        public DType InDType => Root.Operands[0].Type.DType;

        /// <summary>
        /// The dtype values are compared or combined in: the input's computation dtype (<see cref="SpirvKernelWriter.ComputeDType"/>:
        /// float16/bfloat16 as float32, 8/16-bit integers as 32-bit), bool of an arg reduction compared as uint32 0/1.
        /// </summary>
        public DType AccDType => Kind is null && InDType == DType.Bool ? DType.UInt32 : ComputeDType(InDType);
    }

    private readonly Plan _p;
    private readonly Mode _mode;

    /// <summary>The subgroup instruction combining a workgroup's values (the subgroup variant), or null for the workgroup-memory tree.</summary>
    private readonly SpirvOp? _subgroup;
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<(Value, uint), SpirvId> _memo = [];
    private readonly Dictionary<(Shape, uint), SpirvId[]> _coordinates = [];
    private readonly Dictionary<Value, int> _argumentIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Value, Operation> _producer = new(ReferenceEqualityComparer.Instance);
    private SpirvId[] _groupSizes = [];
    private SpirvId _items, _reduced, _chunkLength;
    private int _scratchValue = -1, _scratchIndex = -1;
    private (SpirvId Value, SpirvId Index)? _rootResult;

    private ReductionKernelWriter(Plan plan, Mode mode, bool subgroup = false)
    {
        _p = plan;
        _mode = mode;
        _subgroup = subgroup ? SubgroupOperation(plan) : null;
        for (int k = 0; k < plan.Arguments.Count; k++) _argumentIndex.TryAdd(plan.Arguments[k], k);
        foreach (var op in plan.Operations)
            foreach (var r in op.Results) _producer[r] = op;
    }

    /// <summary>
    /// The step computing <paramref name="results"/> (bound to <paramref name="op"/>'s results) from
    /// <paramref name="arguments"/> (bound to its operands) by <paramref name="operations"/>, which hold exactly one
    /// reduction; <see cref="NotSupportedException"/> naming what is not lowered.
    /// </summary>
    public static SpirvStep Write(string name, Operation op, IReadOnlyList<Value> arguments, IReadOnlyList<Operation> operations, IReadOnlyList<Value> results)
    {
        var roots = operations.Where(o => o.Primitive is ReducePrimitive or ArgReducePrimitive).ToList();
        if (roots.Count != 1 || operations.Any(o => o.Primitive.Category == PrimitiveCategory.Reduction && o.Primitive is not (ReducePrimitive or ArgReducePrimitive)))
            throw new NotSupportedException($"no SPIR-V lowering for a reduction fusion of {string.Join(", ", operations.Select(o => o.Primitive.Name).Distinct())}");
        var root = roots[0];
        foreach (var v in arguments.Concat(results).Concat(operations.SelectMany(o => o.Operands.Concat(o.Results)))) CheckDType(v.Type.DType);
        if (root.Primitive is ArgReducePrimitive && root.Results[0].Type.DType.ItemSize() != 4)
            throw new NotSupportedException($"no SPIR-V lowering for {root.Primitive.Name} with index dtype {root.Results[0].Type.DType.ToString().ToLowerInvariant()} yet");

        var shape = root.Operands[0].Type.Shape;
        var axes = root.Primitive is ArgReducePrimitive ? [(int)root.Attributes.Int("axis")] : root.Attributes.IntArray("axes");
        var groups = new List<(List<Dim> Dims, bool Reduced)>();
        for (int d = 0; d < shape.Rank; d++)
        {
            if (shape[d] is { IsStatic: true, Size: 1 }) continue;
            bool reduced = axes.Contains(d);
            if (groups.Count > 0 && groups[^1].Reduced == reduced) groups[^1].Dims.Add(shape[d]);
            else groups.Add(([shape[d]], reduced));
        }
        SymbolicSize Count(bool reduced) => groups.Where(g => g.Reduced == reduced).SelectMany(g => g.Dims).Aggregate(SymbolicSize.Of(1), (s, d) => s * SymbolicSize.Of(d));

        // Results downstream of the reduction (or of one element) are written at output positions, the others at input positions.
        var downstream = new HashSet<Value>(ReferenceEqualityComparer.Instance) { root.Results[0] };
        foreach (var o in operations)
            if (o.Operands.Any(downstream.Contains))
                foreach (var r in o.Results) downstream.Add(r);
        var before = new List<int>();
        var after = new List<int>();
        for (int r = 0; r < results.Count; r++)
            (downstream.Contains(results[r]) || SpirvKernelCompiler.IsOneElement(results[r].Type) ? after : before).Add(r);
        var symbols = arguments.Concat(operations.SelectMany(o => o.Results)).Concat(results)
            .SelectMany(v => v.Type.Shape.Symbols).Distinct(StringComparer.Ordinal).ToList();

        var plan = new Plan
        {
            Op = op,
            Arguments = arguments,
            Operations = operations,
            Results = results,
            Root = root,
            Groups = groups,
            Outputs = Count(false),
            Reduced = Count(true),
            Before = before,
            After = after,
            Symbols = symbols,
        };
        var entry = Sanitize(name);
        var (outputs, reducedCount) = (plan.Outputs, plan.Reduced);
        bool fewOutputs = outputs.IsStatic && outputs.Value <= FewOutputs;
        bool longReduction = !reducedCount.IsStatic || reducedCount.Value >= LongReduction;
        if (fewOutputs && longReduction)
        {
            plan.Chunks = reducedCount.IsStatic ? (int)Math.Clamp(reducedCount.Value / 8192, 2, 1024) : 1024;
            var accBytes = SymbolicSize.Of(StorageBytes(plan.AccDType));
            var partials = outputs * SymbolicSize.Of(plan.Chunks);
            List<SymbolicSize> scratch = [partials * accBytes];
            if (plan.Kind is null) scratch.Add(partials * SymbolicSize.Of(4));
            return new SpirvStep([new ReductionKernelWriter(plan, Mode.Partial).Emit(entry + "_partial"),
                new ReductionKernelWriter(plan, Mode.Final).Emit(entry + "_final")], scratch)
            {
                Variants = SubgroupOperation(plan) is null ? [] :
                [
                    new SpirvStep([new ReductionKernelWriter(plan, Mode.Partial, subgroup: true).Emit(entry + "_partial"),
                        new ReductionKernelWriter(plan, Mode.Final, subgroup: true).Emit(entry + "_final")], scratch),
                ],
            };
        }
        bool innermostKept = groups.Count > 0 && !groups[^1].Reduced;
        bool shortReduction = reducedCount.IsStatic && reducedCount.Value <= ShortReduction;
        bool manyOutputs = !outputs.IsStatic || outputs.Value >= 2048;
        var mode = shortReduction || (innermostKept && manyOutputs) ? Mode.Thread : Mode.Row;
        return new SpirvStep([new ReductionKernelWriter(plan, mode).Emit(entry)], [])
        {
            Variants = mode == Mode.Thread || SubgroupOperation(plan) is null ? [] : [new SpirvStep([new ReductionKernelWriter(plan, mode, subgroup: true).Emit(entry)], [])],
        };
    }

    /// <summary>
    /// The <c>OpGroupNonUniform*</c> reduction of the plan's operation, where it has the interpreter's semantics: sums
    /// and products of float32 (and of the narrow floats computed in it), every reduction of 32-bit integers (and of the
    /// narrow ones), and/or (max/min) of bool; null for float max/min (the subgroup instructions do not order NaN and
    /// signed zeros as IEEE 754-2019 maximum/minimum), 64-bit types and argmax/argmin (value and index pairs).
    /// </summary>
    private static SpirvOp? SubgroupOperation(Plan plan) => (plan.Kind, plan.AccDType) switch
    {
        (null, _) => null,
        (ReduceKind.Sum, DType.Float32) => SpirvOp.GroupNonUniformFAdd,
        (ReduceKind.Prod, DType.Float32) => SpirvOp.GroupNonUniformFMul,
        (ReduceKind.Sum, DType.Int32 or DType.UInt32) => SpirvOp.GroupNonUniformIAdd,
        (ReduceKind.Prod, DType.Int32 or DType.UInt32) => SpirvOp.GroupNonUniformIMul,
        (ReduceKind.Max, DType.Int32) => SpirvOp.GroupNonUniformSMax,
        (ReduceKind.Min, DType.Int32) => SpirvOp.GroupNonUniformSMin,
        (ReduceKind.Max, DType.UInt32) => SpirvOp.GroupNonUniformUMax,
        (ReduceKind.Min, DType.UInt32) => SpirvOp.GroupNonUniformUMin,
        (ReduceKind.And, DType.Int32 or DType.UInt32) => SpirvOp.GroupNonUniformBitwiseAnd,
        (ReduceKind.Or, DType.Int32 or DType.UInt32) => SpirvOp.GroupNonUniformBitwiseOr,
        (ReduceKind.And or ReduceKind.Min or ReduceKind.Prod, DType.Bool) => SpirvOp.GroupNonUniformLogicalAnd,
        (ReduceKind.Or or ReduceKind.Max or ReduceKind.Sum, DType.Bool) => SpirvOp.GroupNonUniformLogicalOr,
        _ => null,
    };

    // ---- the kernel ----

    private VulkanKernel Emit(string entryPoint)
    {
        var m = M;
        int a = _p.Arguments.Count;
        for (int k = 0; k < a; k++) Bind(VulkanBinding.Input, k, _p.Op.Operands[k].Type.DType, $"in{k}");
        for (int r = 0; r < _p.Results.Count; r++) Bind(VulkanBinding.Output, r, _p.Op.Results[r].Type.DType, $"out{r}");
        if (_mode is Mode.Partial or Mode.Final)
        {
            _scratchValue = Bind(VulkanBinding.Scratch, 0, _p.AccDType, "partials");
            if (_p.Kind is null) _scratchIndex = Bind(VulkanBinding.Scratch, 1, DType.UInt32, "partialIndices");
        }
        var items = _mode == Mode.Partial ? _p.Outputs * SymbolicSize.Of(_p.Chunks) : _p.Outputs;
        DeclarePushConstants([("items", items), ("reduced", _p.Reduced), .. _p.Symbols.Select(s => (s, SymbolicSize.Of(Dim.Sym(s))))]);
        for (int k = 0; k < _p.Symbols.Count; k++) _symbols[_p.Symbols[k]] = k + 2;

        bool rows = _mode != Mode.Thread;
        var local = rows ? BuiltInVector(SpirvBuiltIn.LocalInvocationId, "gl_LocalInvocationID") : default;
        var group = rows ? BuiltInVector(SpirvBuiltIn.WorkgroupId, "gl_WorkGroupID") : BuiltInVector(SpirvBuiltIn.GlobalInvocationId, "gl_GlobalInvocationID");
        var groups = BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");
        SpirvId subgroupId = default, subgroupCount = default, subgroupLane = default;
        if (_subgroup is not null)
        {
            m.Capability(SpirvCapability.GroupNonUniform);
            m.Capability(SpirvCapability.GroupNonUniformArithmetic);
            Features.AddRange(["subgroupBasic", "subgroupArithmetic"]);
            subgroupId = BuiltInScalar(SpirvBuiltIn.SubgroupId, "gl_SubgroupID");
            subgroupCount = BuiltInScalar(SpirvBuiltIn.NumSubgroups, "gl_NumSubgroups");
            subgroupLane = BuiltInScalar(SpirvBuiltIn.SubgroupLocalInvocationId, "gl_SubgroupInvocationID");
        }
        var acc = Compute(_p.AccDType);
        var shared = _p.AccDType == DType.Bool ? UInt : acc;
        SpirvId sharedValues = default, sharedIndices = default;
        if (rows)
        {
            sharedValues = m.GlobalVariable(m.TypePointer(SpirvStorageClass.Workgroup, m.TypeArray(shared, U(LocalSize))), SpirvStorageClass.Workgroup);
            m.Name(sharedValues, "partial");
            if (_p.Kind is null)
            {
                sharedIndices = m.GlobalVariable(m.TypePointer(SpirvStorageClass.Workgroup, m.TypeArray(UInt, U(LocalSize))), SpirvStorageClass.Workgroup);
                m.Name(sharedIndices, "partialIndex");
            }
        }

        BeginMain(LocalSize);
        // Function variables first (the entry block's first instructions), then what the loops use, computed once.
        var itemVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, UInt), (uint)SpirvStorageClass.Function);
        var positionVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, UInt), (uint)SpirvStorageClass.Function);
        var accVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, acc), (uint)SpirvStorageClass.Function);
        var indexVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, UInt), (uint)SpirvStorageClass.Function);
        _items = PushConstant(0);
        _reduced = PushConstant(1);
        for (int k = 0; k < _p.Symbols.Count; k++) PushConstant(k + 2);
        _groupSizes = [.. _p.Groups.Select(g => Product(g.Dims))];
        if (_mode == Mode.Partial)
            _chunkLength = m.Emit(SpirvOp.UDiv, UInt, m.Emit(SpirvOp.IAdd, UInt, _reduced, U((uint)_p.Chunks - 1)), U((uint)_p.Chunks));
        var lid = rows ? Component(local, 0) : Zero;
        var first = Component(group, 0);
        var stride = Component(groups, 0);
        if (!rows) stride = m.Emit(SpirvOp.IMul, UInt, stride, U(LocalSize));

        // for (w = first; w < items; w += stride): the same trip count in every thread of a workgroup (barriers inside are uniform).
        m.Emit(SpirvOp.Store, null, itemVar, first);
        Loop(itemVar, w => m.Emit(SpirvOp.ULessThan, Bool, w, _items), w =>
        {
            // The reduced positions this thread visits: [begin + lid, end) by LocalSize (rows) or [0, reduced) by 1 (thread).
            SpirvId output = w, begin = Zero, end = _reduced;
            if (_mode == Mode.Partial)
            {
                output = m.Emit(SpirvOp.UDiv, UInt, w, U((uint)_p.Chunks));
                begin = m.Emit(SpirvOp.IMul, UInt, m.Emit(SpirvOp.UMod, UInt, w, U((uint)_p.Chunks)), _chunkLength);
                var stop = m.Emit(SpirvOp.IAdd, UInt, begin, _chunkLength);
                end = m.Glsl(GlslStd450.UMin, UInt, stop, _reduced);
            }
            else if (_mode == Mode.Final) end = U((uint)_p.Chunks);
            m.Emit(SpirvOp.Store, null, accVar, Identity());
            m.Emit(SpirvOp.Store, null, indexVar, U(Empty));
            m.Emit(SpirvOp.Store, null, positionVar, rows ? m.Emit(SpirvOp.IAdd, UInt, begin, lid) : begin);
            Loop(positionVar, r => m.Emit(SpirvOp.ULessThan, Bool, r, end), r =>
            {
                _memo.Clear();
                _coordinates.Clear();
                var (value, index) = Element(output, r);
                Accumulate(accVar, indexVar, value, index);
                _memo.Clear();
                _coordinates.Clear();
            }, r => m.Emit(SpirvOp.IAdd, UInt, r, U(rows ? (uint)LocalSize : 1u)));

            if (rows && _subgroup is { } operation)
            {
                // Each subgroup reduces its values in one instruction; its first lane puts the result in workgroup
                // memory; thread 0 combines the subgroups' results in order (at most LocalSize / subgroup size of them).
                var mine = m.Emit(operation, acc, U((uint)SpirvScope.Subgroup).Value, (uint)SpirvGroupOperation.Reduce, m.Emit(SpirvOp.Load, acc, accVar).Value);
                If(m.Emit(SpirvOp.IEqual, Bool, m.Emit(SpirvOp.Load, UInt, subgroupLane), Zero),
                    () => StoreShared(sharedValues, m.Emit(SpirvOp.Load, UInt, subgroupId), mine, shared));
                Barrier();
                If(m.Emit(SpirvOp.IEqual, Bool, lid, Zero), () =>
                {
                    m.Emit(SpirvOp.Store, null, accVar, LoadShared(sharedValues, Zero, shared));
                    m.Emit(SpirvOp.Store, null, positionVar, U(1));
                    var count = m.Emit(SpirvOp.Load, UInt, subgroupCount);
                    CountedLoop(positionVar, count, U(1), s =>
                        m.Emit(SpirvOp.Store, null, accVar, Combine(_p.Kind!.Value, m.Emit(SpirvOp.Load, acc, accVar), LoadShared(sharedValues, s, shared))));
                    Write(w, output, m.Emit(SpirvOp.Load, acc, accVar), default);
                });
                // Nobody refills workgroup memory before thread 0 has read it.
                Barrier();
            }
            else if (rows)
            {
                // Tree in workgroup memory: thread t takes t + s for s = 128, ..., 1, a barrier before each level.
                StoreShared(sharedValues, lid, m.Emit(SpirvOp.Load, acc, accVar), shared);
                if (_p.Kind is null) m.Emit(SpirvOp.Store, null, SharedPointer(sharedIndices, lid, UInt), m.Emit(SpirvOp.Load, UInt, indexVar));
                for (uint s = LocalSize / 2; s >= 1; s /= 2)
                {
                    Barrier();
                    If(m.Emit(SpirvOp.ULessThan, Bool, lid, U(s)), () =>
                    {
                        var other = m.Emit(SpirvOp.IAdd, UInt, lid, U(s));
                        var va = LoadShared(sharedValues, lid, shared);
                        var vb = LoadShared(sharedValues, other, shared);
                        if (_p.Kind is { } kind)
                        {
                            StoreShared(sharedValues, lid, Combine(kind, va, vb), shared);
                            return;
                        }
                        var ia = m.Emit(SpirvOp.Load, UInt, SharedPointer(sharedIndices, lid, UInt));
                        var ib = m.Emit(SpirvOp.Load, UInt, SharedPointer(sharedIndices, other, UInt));
                        var take = Beats(va, ia, vb, ib);
                        StoreShared(sharedValues, lid, m.Emit(SpirvOp.Select, acc, take, vb, va), shared);
                        m.Emit(SpirvOp.Store, null, SharedPointer(sharedIndices, lid, UInt), m.Emit(SpirvOp.Select, UInt, take, ib, ia));
                    });
                }
                Barrier();
                If(m.Emit(SpirvOp.IEqual, Bool, lid, Zero), () =>
                {
                    var value = LoadShared(sharedValues, Zero, shared);
                    var index = _p.Kind is null ? m.Emit(SpirvOp.Load, UInt, SharedPointer(sharedIndices, Zero, UInt)) : default;
                    Write(w, output, value, index);
                });
                // Nobody refills the tree before thread 0 has read it.
                Barrier();
            }
            else
            {
                var value = m.Emit(SpirvOp.Load, acc, accVar);
                var index = _p.Kind is null ? m.Emit(SpirvOp.Load, UInt, indexVar) : default;
                Write(w, output, value, index);
            }
        }, w => m.Emit(SpirvOp.IAdd, UInt, w, stride));

        var threads = _mode == Mode.Thread ? items : items * SymbolicSize.Of(LocalSize);
        return Finish(entryPoint, threads);
    }

    /// <summary>
    /// The candidate at reduced position <paramref name="r"/> of output <paramref name="output"/>: the reduction's input
    /// (its producers evaluated, those that are results stored) and its index along the axis; in the final kernel,
    /// partial <paramref name="r"/> of the output.
    /// </summary>
    private (SpirvId Value, SpirvId Index) Element(SpirvId output, SpirvId r)
    {
        var m = M;
        if (_mode == Mode.Final)
        {
            var at = m.Emit(SpirvOp.IAdd, UInt, m.Emit(SpirvOp.IMul, UInt, output, U((uint)_p.Chunks)), r);
            var value = Load(_scratchValue, at);
            return (value, _p.Kind is null ? Load(_scratchIndex, at) : r);
        }
        var index = InputIndex(output, r);
        foreach (int k in _p.Before)
            Store(_p.Arguments.Count + k, index, Evaluate(_p.Results[k], index));
        var x = Evaluate(_p.Root.Operands[0], index);
        if (_p.Kind is null && _p.InDType == DType.Bool) x = m.Emit(SpirvOp.Select, UInt, x, U(1), Zero); // bool compared as 0/1
        return (x, r);
    }

    /// <summary>Combines a candidate into the running value (and index) in <paramref name="accVar"/>.</summary>
    private void Accumulate(SpirvId accVar, SpirvId indexVar, SpirvId value, SpirvId index)
    {
        var m = M;
        var acc = Compute(_p.AccDType);
        var current = m.Emit(SpirvOp.Load, acc, accVar);
        if (_p.Kind is { } kind)
        {
            m.Emit(SpirvOp.Store, null, accVar, Combine(kind, current, value));
            return;
        }
        var currentIndex = m.Emit(SpirvOp.Load, UInt, indexVar);
        var take = Beats(current, currentIndex, value, index);
        m.Emit(SpirvOp.Store, null, accVar, m.Emit(SpirvOp.Select, acc, take, value, current));
        m.Emit(SpirvOp.Store, null, indexVar, m.Emit(SpirvOp.Select, UInt, take, index, currentIndex));
    }

    /// <summary>Writes work item <paramref name="w"/>'s result: a partial to scratch, or the reduction's result and the epilogue at output <paramref name="output"/>.</summary>
    private void Write(SpirvId w, SpirvId output, SpirvId value, SpirvId index)
    {
        var m = M;
        if (_mode == Mode.Partial)
        {
            Store(_scratchValue, w, value);
            if (_p.Kind is null) Store(_scratchIndex, w, index);
            return;
        }
        _memo.Clear();
        _coordinates.Clear();
        SpirvId result;
        var outDType = _p.Root.Results[0].Type.DType;
        if (_p.Kind is null)
        {
            var found = m.Emit(SpirvOp.Select, UInt, m.Emit(SpirvOp.IEqual, Bool, index, U(Empty)), Zero, index);
            result = outDType == DType.UInt32 ? found : m.Emit(SpirvOp.Bitcast, Compute(outDType), found);
        }
        else result = Canonicalize(outDType, value); // float16/bfloat16 rounded once, 8/16-bit integers wrapped
        _rootResult = (result, output);
        foreach (int k in _p.After)
        {
            var at = SpirvKernelCompiler.IsOneElement(_p.Results[k].Type) ? Zero : output;
            Store(_p.Arguments.Count + k, at, Evaluate(_p.Results[k], at));
        }
        _rootResult = null;
        _memo.Clear();
        _coordinates.Clear();
    }

    // ---- the reduction's operation ----

    /// <summary>
    /// The identity of the reduction in the accumulator's type (argmax/argmin: the worst value, which any element ties or
    /// beats, and loses to by index): sum/or 0, product 1, and all ones, max/min the input dtype's lowest/highest value
    /// (-inf/+inf for floats, false/true for bool).
    /// </summary>
    private SpirvId Identity()
    {
        var d = _p.AccDType;
        var input = _p.InDType;
        var kind = _p.Kind ?? (_p.IsMax ? ReduceKind.Max : ReduceKind.Min);
        var m = M;
        var type = Compute(d);
        if (d == DType.Bool)
            return m.ConstantBool(kind is ReduceKind.Prod or ReduceKind.And or ReduceKind.Min);
        SpirvId Integer(ulong bits) => d.ItemSize() == 8 ? m.Constant64(type, bits) : m.Constant(type, (uint)bits);
        SpirvId Float(double value) => d == DType.Float64 ? m.Constant64(type, BitConverter.DoubleToUInt64Bits(value)) : m.ConstantFloat32((float)value);
        if (input == DType.Bool) return Integer(kind == ReduceKind.Max ? 0u : 1u); // argmax/argmin of bool as 0/1
        return kind switch
        {
            ReduceKind.Sum or ReduceKind.Or => m.ConstantNull(type),
            ReduceKind.Prod => d.IsFloat() ? Float(1) : Integer(1),
            ReduceKind.And => Integer(ulong.MaxValue),
            ReduceKind.Max or ReduceKind.Min when d.IsFloat() => Float(kind == ReduceKind.Max ? double.NegativeInfinity : double.PositiveInfinity),
            ReduceKind.Max or ReduceKind.Min => Integer(unchecked((ulong)(kind == ReduceKind.Max ? input.IntegerMin() : input.IntegerMax()))),
            _ => throw new NotSupportedException($"no SPIR-V lowering for {_p.Root.Primitive.Name} on {input.ToString().ToLowerInvariant()} yet"),
        };
    }

    /// <summary><paramref name="a"/> ⊕ <paramref name="b"/>: float arithmetic, wrapping integers, IEEE 754-2019 maximum/minimum, and/or.</summary>
    private SpirvId Combine(ReduceKind kind, SpirvId a, SpirvId b)
    {
        var d = _p.AccDType;
        var type = Compute(d);
        var m = M;
        bool isFloat = d.IsFloat(), isBool = d == DType.Bool;
        return kind switch
        {
            ReduceKind.Sum => m.Emit(isFloat ? SpirvOp.FAdd : SpirvOp.IAdd, type, a, b),
            ReduceKind.Prod => m.Emit(isFloat ? SpirvOp.FMul : SpirvOp.IMul, type, a, b),
            ReduceKind.And => m.Emit(isBool ? SpirvOp.LogicalAnd : SpirvOp.BitwiseAnd, type, a, b),
            ReduceKind.Or => m.Emit(isBool ? SpirvOp.LogicalOr : SpirvOp.BitwiseOr, type, a, b),
            _ => new SpirvElementwise(m, Compute).Extremum(d, a, b, kind == ReduceKind.Max),
        };
    }

    /// <summary>
    /// Whether argmax/argmin candidate (<paramref name="vb"/>, <paramref name="ib"/>) beats (<paramref name="va"/>,
    /// <paramref name="ia"/>): a NaN over a number, a strictly better value, or on a tie (equal values, ±0, or two NaNs)
    /// the lower index; <see cref="Empty"/> is the highest index.
    /// </summary>
    private SpirvId Beats(SpirvId va, SpirvId ia, SpirvId vb, SpirvId ib)
    {
        var m = M;
        var d = _p.AccDType;
        bool max = _p.IsMax;
        var lower = m.Emit(SpirvOp.ULessThan, Bool, ib, ia);
        if (!d.IsFloat())
        {
            bool unsigned = d.IsUnsignedInteger();
            var strictly = m.Emit(max ? (unsigned ? SpirvOp.UGreaterThan : SpirvOp.SGreaterThan) : (unsigned ? SpirvOp.ULessThan : SpirvOp.SLessThan), Bool, vb, va);
            var equal = m.Emit(SpirvOp.IEqual, Bool, va, vb);
            return m.Emit(SpirvOp.LogicalOr, Bool, strictly, m.Emit(SpirvOp.LogicalAnd, Bool, equal, lower));
        }
        var aNaN = m.Emit(SpirvOp.IsNan, Bool, va);
        var bNaN = m.Emit(SpirvOp.IsNan, Bool, vb);
        var better = m.Emit(SpirvOp.LogicalOr, Bool,
            m.Emit(SpirvOp.LogicalAnd, Bool, bNaN, m.Emit(SpirvOp.LogicalNot, Bool, aNaN)),
            m.Emit(max ? SpirvOp.FOrdGreaterThan : SpirvOp.FOrdLessThan, Bool, vb, va));
        var tie = m.Emit(SpirvOp.LogicalOr, Bool, m.Emit(SpirvOp.LogicalAnd, Bool, aNaN, bNaN), m.Emit(SpirvOp.FOrdEqual, Bool, va, vb));
        return m.Emit(SpirvOp.LogicalOr, Bool, better, m.Emit(SpirvOp.LogicalAnd, Bool, tie, lower));
    }

    // ---- indices ----

    /// <summary>The product of <paramref name="dims"/> as a uint32 (static parts folded).</summary>
    private SpirvId Product(IEnumerable<Dim> dims)
    {
        long constant = 1;
        SpirvId? product = null;
        foreach (var dim in dims)
        {
            if (dim.IsStatic)
            {
                constant *= dim.Size;
                continue;
            }
            var size = Size(dim, _symbols);
            product = product is { } p ? M.Emit(SpirvOp.IMul, UInt, p, size) : size;
        }
        if (constant > uint.MaxValue) throw new NotSupportedException($"a reduction over {constant} elements does not fit 32-bit indices");
        if (product is null) return U((uint)constant);
        return constant == 1 ? product.Value : M.Emit(SpirvOp.IMul, UInt, product.Value, U((uint)constant));
    }

    /// <summary>The reduction operand's flat index of reduced position <paramref name="r"/> of output <paramref name="output"/>: both unravelled over their groups, recombined by the groups' strides.</summary>
    private SpirvId InputIndex(SpirvId output, SpirvId r)
    {
        var m = M;
        var groups = _p.Groups;
        SpirvId? flat = null, stride = null;
        var rest = new Dictionary<bool, SpirvId> { [false] = output, [true] = r };
        for (int g = groups.Count - 1; g >= 0; g--)
        {
            bool reduced = groups[g].Reduced;
            bool outermost = !groups.Take(g).Any(x => x.Reduced == reduced);
            var coordinate = outermost ? rest[reduced] : m.Emit(SpirvOp.UMod, UInt, rest[reduced], _groupSizes[g]);
            if (!outermost) rest[reduced] = m.Emit(SpirvOp.UDiv, UInt, rest[reduced], _groupSizes[g]);
            var term = stride is { } s ? m.Emit(SpirvOp.IMul, UInt, coordinate, s) : coordinate;
            flat = flat is { } f ? m.Emit(SpirvOp.IAdd, UInt, f, term) : term;
            if (g > 0) stride = stride is { } t ? m.Emit(SpirvOp.IMul, UInt, t, _groupSizes[g]) : _groupSizes[g];
        }
        return flat ?? Zero;
    }

    /// <summary>The coordinates of flat index <paramref name="index"/> in <paramref name="shape"/> (row-major).</summary>
    private SpirvId[] Coordinates(Shape shape, SpirvId index)
    {
        if (_coordinates.TryGetValue((shape, index.Value), out var coordinates)) return coordinates;
        coordinates = new SpirvId[shape.Rank];
        var rest = index;
        for (int k = shape.Rank - 1; k >= 0; k--)
        {
            if (shape[k] is { IsStatic: true, Size: 1 })
            {
                coordinates[k] = Zero;
                continue;
            }
            var size = Size(shape[k], _symbols);
            coordinates[k] = M.Emit(SpirvOp.UMod, UInt, rest, size);
            rest = M.Emit(SpirvOp.UDiv, UInt, rest, size);
        }
        return _coordinates[(shape, index.Value)] = coordinates;
    }

    // ---- the fused elementwise operations ----

    /// <summary>
    /// <paramref name="v"/> at flat index <paramref name="index"/> of its shape: an input loaded there, an operation
    /// evaluated on its operands there (broadcasts that move elements read their operand at the source index), the
    /// reduction's result at the output index being written. Memoized within the current block.
    /// </summary>
    private SpirvId Evaluate(Value v, SpirvId index)
    {
        if (SpirvKernelCompiler.IsOneElement(v.Type)) index = Zero;
        if (_memo.TryGetValue((v, index.Value), out var known)) return known;
        SpirvId value;
        if (_argumentIndex.TryGetValue(v, out int k)) value = Load(k, index);
        else if (ReferenceEquals(v, _p.Root.Results[0]))
        {
            if (_rootResult is not { } root || (index != root.Index && !SpirvKernelCompiler.IsOneElement(v.Type)))
                throw new NotSupportedException($"no SPIR-V lowering for a reduction fusion reading the result of '{_p.Root.Primitive.Name}' at another position");
            value = root.Value;
        }
        else value = Lower(_producer[v], index);
        return _memo[(v, index.Value)] = value;
    }

    private SpirvId Lower(Operation op, SpirvId index)
    {
        if (op.Results.Count != 1) throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' with {op.Results.Count} results");
        var result = op.Results[0].Type;
        if (ReferenceEquals(op.Primitive, Prims.Constant)) return ConstantValue(op.Attributes.Buffer("value"));
        if (ReferenceEquals(op.Primitive, Prims.Iota))
            return IotaValue(result.DType, SpirvKernelCompiler.IsOneElement(result) ? Zero : Coordinates(result.Shape, index)[(int)op.Attributes.Int("dimension")]);
        switch (op.Primitive.Category)
        {
            case PrimitiveCategory.Broadcast:
            case PrimitiveCategory.Reshape:
                var source = op.Operands[0];
                if (SpirvKernelCompiler.IsOneElement(source.Type)) return Evaluate(source, Zero);
                // A reshape keeps the row-major order: the element at a flat index is the source's at the same index.
                if (op.Primitive.Category == PrimitiveCategory.Reshape || SameElements(source.Type.Shape, result.Shape)) return Evaluate(source, index);
                return Evaluate(source, BroadcastSource(op, index));
            case PrimitiveCategory.Elementwise:
                return Canonicalize(result.DType, new SpirvElementwise(M, Compute).Emit(op, op.Operands.Select(o => Evaluate(o, index)).ToArray()));
            default:
                throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' in a reduction fusion yet");
        }
    }

    /// <summary>True when both shapes list the same dims apart from static 1s (the flat index is the same).</summary>
    private static bool SameElements(Shape a, Shape b) =>
        a.Where(d => !(d.IsStatic && d.Size == 1)).SequenceEqual(b.Where(d => !(d.IsStatic && d.Size == 1)));

    /// <summary>The flat index in a broadcast's operand of the result's element at <paramref name="index"/>.</summary>
    private SpirvId BroadcastSource(Operation op, SpirvId index)
    {
        var operand = op.Operands[0].Type.Shape;
        var map = op.Attributes.IntArray("broadcast_dimensions");
        var coordinates = Coordinates(op.Results[0].Type.Shape, index);
        SpirvId? flat = null, stride = null;
        for (int k = operand.Rank - 1; k >= 0; k--)
        {
            if (operand[k] is { IsStatic: true, Size: 1 }) continue;
            var term = stride is { } s ? M.Emit(SpirvOp.IMul, UInt, coordinates[map[k]], s) : coordinates[map[k]];
            flat = flat is { } f ? M.Emit(SpirvOp.IAdd, UInt, f, term) : term;
            stride = stride is { } t ? M.Emit(SpirvOp.IMul, UInt, t, Size(operand[k], _symbols)) : Size(operand[k], _symbols);
        }
        return flat ?? Zero;
    }

    // ---- structured control flow, workgroup memory ----

    private SpirvId SharedPointer(SpirvId array, SpirvId index, SpirvId element) =>
        M.Emit(SpirvOp.AccessChain, M.TypePointer(SpirvStorageClass.Workgroup, element), array, index);

    /// <summary>Loads a workgroup-memory element as the accumulator's type (bool kept as uint32 0/1 there).</summary>
    private SpirvId LoadShared(SpirvId array, SpirvId index, SpirvId shared)
    {
        var loaded = M.Emit(SpirvOp.Load, shared, SharedPointer(array, index, shared));
        return _p.AccDType == DType.Bool ? M.Emit(SpirvOp.INotEqual, Bool, loaded, Zero) : loaded;
    }

    private void StoreShared(SpirvId array, SpirvId index, SpirvId value, SpirvId shared)
    {
        if (_p.AccDType == DType.Bool) value = M.Emit(SpirvOp.Select, UInt, value, U(1), Zero);
        M.Emit(SpirvOp.Store, null, SharedPointer(array, index, shared), value);
    }
}
