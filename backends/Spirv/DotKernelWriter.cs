using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// Writes the kernel of a <c>dot_general</c> or a <c>dot</c> fusion (one <c>dot_general</c> with the elementwise operations
/// on its result): a tiled matrix product through workgroup shared memory, with the fusion's epilogue applied to each
/// element before it is stored.
/// <list type="bullet">
/// <item><b>View.</b> The product is a batched [B, M, K] x [B, K, N]: B, M, N and K are the element counts of the batch,
/// lhs free, rhs free and contracting dims; each operand is read through index arithmetic on its row-major layout (the
/// flat batch, free or contracting index unravelled over that role's dims in their order, times the strides). Role dims
/// that are consecutive in memory are merged first (a plain matmul has one stride per role, no division); sizes and
/// strides are constants, or push constants (<see cref="SymbolicSize"/> polynomials the host evaluates) for symbolic
/// dims. The result is [batch, lhs free, rhs free] row-major: element (b, m, n) is at <c>(b·M + m)·N + n</c>.</item>
/// <item><b>Tiles.</b> A workgroup of 16x16 invocations computes a tile of <c>64·R</c> x <c>64·R</c> results (R = 2 for
/// large products, 1 for small ones), each invocation a <c>4·R</c> x <c>4·R</c> micro-tile in registers: rows
/// <c>64·r + 4·y + i</c> and columns <c>64·s + 4·x + j</c> (r, s &lt; R; i, j &lt; 4), so that its shared-memory reads are
/// <c>vec4</c>s that neighbouring invocations take from consecutive addresses. K is staged in chunks of <c>16/R</c>: each
/// invocation loads 4 elements of each operand's tile (zero outside the product: the edges need no other care), in the
/// order in which the operand is contiguous (contracting-fastest when its last axis is contracted, else free-fastest),
/// into <c>vec4</c> arrays padded by one vector per row; <c>OpControlBarrier</c> before and after the chunk's products.
/// The next chunk's elements are read into registers before the current chunk's products (their latency overlaps the
/// arithmetic) and staged at the next iteration's start.
/// Stores are bounds-checked.</item>
/// <item><b>Grid.</b> Workgroups along x, y, z are N tiles, M tiles and batches, each axis grid-strided (any workgroup
/// count from 1 is correct; the loops are uniform in a workgroup, as the barriers need). Static sizes dispatch one
/// workgroup per tile; with symbolic N or M the thread count along that axis is N (or M) itself, more workgroups than
/// tiles, and the extra ones exit at once.</item>
/// <item><b>Arithmetic.</b> In the dtype's computation type (<see cref="SpirvKernelWriter.ComputeDType"/>), in
/// contracting-index order: floats multiply then add (which drivers may fuse), float16 and bfloat16 in float32 rounded
/// once where stored (as the interpreter accumulates them); integers wrap (8/16-bit ones in 32 bits, wrapped once: the
/// same bits); bool products are counted as uint32 0/1 (the or of ands is a nonzero count).</item>
/// </list>
/// Indices are 32-bit: every operand and the result must have fewer than 2^32 elements.
/// </summary>
internal sealed partial class DotKernelWriter : SpirvKernelWriter
{
    private const int Local = 16;

    private readonly Operation _op;
    private readonly Operation _dot;
    private readonly Block? _body;
    private readonly DType _dtype;
    private readonly int _r;
    private readonly int _tile;
    private readonly int _chunk;
    private readonly Dictionary<int, int> _inputBindings = [];
    private readonly Dictionary<string, int> _pushIndex = new(StringComparer.Ordinal);
    private readonly List<(string Name, SymbolicSize Value)> _push = [];
    private readonly Dictionary<string, SpirvId> _pushIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(Value, uint), SpirvId> _memo = [];
    private readonly Dictionary<(Shape, uint), SpirvId[]> _coordinates = [];
    private SpirvId _scalar, _vec4, _flat, _product;

    /// <summary>The dims of one role (batch, free or contracting) of an operand, merged where consecutive in memory.</summary>
    /// <param name="Sizes">Each merged group's element count, outermost first.</param>
    /// <param name="Strides">Each group's stride in elements.</param>
    private sealed record Role(SymbolicSize[] Sizes, SymbolicSize[] Strides);

    private readonly Role _lhsBatch, _rhsBatch, _lhsFree, _rhsFree, _lhsContracting, _rhsContracting;
    private readonly bool _lhsKFast, _rhsKFast;
    private readonly SymbolicSize _b, _m, _n, _k;

    private DotKernelWriter(Operation op, Operation dot, Block? body, int r, bool cooperative = false)
        : base(cooperative ? SpirvMemoryModel.Vulkan : SpirvMemoryModel.GLSL450)
    {
        _op = op;
        _dot = dot;
        _body = body;
        _r = r;
        _tile = 64 * r;
        _chunk = 16 / r;
        var lhs = dot.Operands[0].Type;
        var rhs = dot.Operands[1].Type;
        _dtype = lhs.DType;
        int[] Axes(string name) => dot.Attributes.IntArray(name).Select(a => (int)a).ToArray();
        var (lb, rb, lc, rc) = (Axes("lhs_batch_dims"), Axes("rhs_batch_dims"), Axes("lhs_contracting_dims"), Axes("rhs_contracting_dims"));
        var lf = Enumerable.Range(0, lhs.Rank).Where(d => !lb.Contains(d) && !lc.Contains(d)).ToArray();
        var rf = Enumerable.Range(0, rhs.Rank).Where(d => !rb.Contains(d) && !rc.Contains(d)).ToArray();
        (_lhsBatch, _lhsFree, _lhsContracting) = (Group(lhs.Shape, lb), Group(lhs.Shape, lf), Group(lhs.Shape, lc));
        (_rhsBatch, _rhsFree, _rhsContracting) = (Group(rhs.Shape, rb), Group(rhs.Shape, rf), Group(rhs.Shape, rc));
        SymbolicSize Count(Shape shape, int[] axes) => axes.Aggregate(SymbolicSize.Of(1), (n, d) => n * SymbolicSize.Of(shape[d]));
        (_b, _m, _n, _k) = (Count(lhs.Shape, lb), Count(lhs.Shape, lf), Count(rhs.Shape, rf), Count(lhs.Shape, lc));
        _lhsKFast = lhs.Rank > 0 && lc.Contains(lhs.Rank - 1);
        _rhsKFast = rhs.Rank > 0 && rc.Contains(rhs.Rank - 1);
    }

    /// <summary>
    /// The step computing <paramref name="op"/>, a <c>dot_general</c> or a <c>dot</c> fusion; <see cref="NotSupportedException"/>
    /// naming what is not lowered (a dtype, an epilogue operation, a fusion whose product reads values computed inside it).
    /// </summary>
    public static SpirvStep Write(string name, Operation op)
    {
        Operation dot;
        Block? body = null;
        if (ReferenceEquals(op.Primitive, Prims.DotGeneral)) dot = op;
        else
        {
            body = op.Regions[0];
            var dots = body.Operations.Where(o => ReferenceEquals(o.Primitive, Prims.DotGeneral)).ToArray();
            if (dots.Length != 1) throw new NotSupportedException($"no SPIR-V lowering for a dot fusion with {dots.Length} dot_general operations");
            dot = dots[0];
            if (dot.Operands.Any(v => IndexOf(body.Arguments, v) < 0))
                throw new NotSupportedException("no SPIR-V lowering for a dot fusion whose dot_general reads values computed inside it");
        }
        foreach (var v in op.Operands.Concat(op.Results).Concat(op.Regions.SelectMany(r => r.Operations).SelectMany(o => o.Results))) CheckDType(v.Type.DType);
        foreach (var v in dot.Operands.Concat(op.Results).Concat(op.Operands)) CheckIndexable(v.Type);
        long m = FreeSize(dot, 0), n = FreeSize(dot, 1);
        // Large products (or unknown sizes) take 128x128 tiles, small ones 64x64.
        int r = (m < 0 || m >= 256) && (n < 0 || n >= 256) ? 2 : 1;
        return new SpirvStep([new DotKernelWriter(op, dot, body, r).Emit(Sanitize(name))], [])
        {
            Variants = HasCooperativeVariant(dot)
                ? [.. CooperativeShapes.Select(shape => new SpirvStep([new DotKernelWriter(op, dot, body, 1, cooperative: true).EmitCooperative(Sanitize(name), shape)], []))]
                : [],
        };
    }

    /// <summary>The element count of an operand's free dims (<paramref name="side"/> 0: lhs, 1: rhs), or -1 when symbolic.</summary>
    private static long FreeSize(Operation dot, int side)
    {
        var type = dot.Operands[side].Type;
        var prefix = side == 0 ? "lhs" : "rhs";
        var taken = dot.Attributes.IntArray(prefix + "_batch_dims").Concat(dot.Attributes.IntArray(prefix + "_contracting_dims")).ToHashSet();
        long size = 1;
        for (int d = 0; d < type.Rank; d++)
        {
            if (taken.Contains(d)) continue;
            if (!type.Shape[d].IsStatic) return -1;
            size *= type.Shape[d].Size;
        }
        return size;
    }

    /// <summary>Refuses arrays of 2^32 elements or more (indices are 32-bit).</summary>
    private static void CheckIndexable(ShapedType type)
    {
        if (type.Shape.IsStatic && type.Shape.ElementCount > uint.MaxValue)
            throw new NotSupportedException($"no SPIR-V lowering for arrays of 2^32 elements or more ({type})");
    }

    private static int IndexOf(IReadOnlyList<Value> values, Value value)
    {
        for (int i = 0; i < values.Count; i++)
            if (ReferenceEquals(values[i], value)) return i;
        return -1;
    }

    /// <summary>The role's dims (<paramref name="axes"/>, in order) of an operand of <paramref name="shape"/>: static 1s dropped, consecutive-in-memory dims merged.</summary>
    private static Role Group(Shape shape, int[] axes)
    {
        var strides = new SymbolicSize[shape.Rank];
        var stride = SymbolicSize.Of(1);
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= SymbolicSize.Of(shape[d]);
        }
        var sizes = new List<SymbolicSize>();
        var groupStrides = new List<SymbolicSize>();
        foreach (int d in axes)
        {
            if (shape[d].IsStatic && shape[d].Size == 1) continue;
            var size = SymbolicSize.Of(shape[d]);
            // The previous group is just outside this dim in memory: merge (the flat index unravels the same way).
            if (sizes.Count > 0 && groupStrides[^1] == strides[d] * size)
            {
                sizes[^1] *= size;
                groupStrides[^1] = strides[d];
            }
            else
            {
                sizes.Add(size);
                groupStrides.Add(strides[d]);
            }
        }
        return new Role([.. sizes], [.. groupStrides]);
    }

    /// <summary>Registers a size the kernel needs: a constant when static, else a push constant (the host evaluates the polynomial).</summary>
    private void Need(SymbolicSize size, string name)
    {
        if (size.IsStatic) return;
        var key = size.ToString();
        if (_pushIndex.ContainsKey(key)) return;
        _pushIndex[key] = _push.Count;
        _push.Add((name, size));
    }

    /// <summary>The uint32 id of a size (a constant, or its push constant loaded in the entry block).</summary>
    private SpirvId SizeId(SymbolicSize size)
    {
        if (size.IsStatic)
            return M.ConstantUInt32(size.Value is >= 0 and <= uint.MaxValue ? (uint)size.Value
                : throw new NotSupportedException($"size {size.Value} does not fit 32 bits"));
        return _pushIds[size.ToString()];
    }

    private SpirvId SizeId(Dim dim) => SizeId(SymbolicSize.Of(dim));

    private SpirvId Op(SpirvOp op, params SpirvId[] operands) => M.Emit(op, UInt, operands);

    private SpirvId Less(SpirvId a, SpirvId b) => M.Emit(SpirvOp.ULessThan, Bool, a, b);

    private SpirvId And(SpirvId a, SpirvId b) => M.Emit(SpirvOp.LogicalAnd, Bool, a, b);

    /// <summary>The element offset in an operand of flat role index <paramref name="flat"/> (below the role's element count).</summary>
    private SpirvId Offset(Role role, SpirvId flat)
    {
        if (role.Sizes.Length == 0) return Zero;
        SpirvId? offset = null;
        var rest = flat;
        for (int g = role.Sizes.Length - 1; g >= 0; g--)
        {
            SpirvId coordinate = rest;
            if (g > 0)
            {
                var size = SizeId(role.Sizes[g]);
                coordinate = Op(SpirvOp.UMod, rest, size);
                rest = Op(SpirvOp.UDiv, rest, size);
            }
            var stride = role.Strides[g];
            var term = stride.IsStatic && stride.Value == 1 ? coordinate : Op(SpirvOp.IMul, coordinate, SizeId(stride));
            offset = offset is { } o ? Op(SpirvOp.IAdd, o, term) : term;
        }
        return offset!.Value;
    }

    /// <summary>
    /// Declares the kernel's bindings (the product's operands, the inputs the epilogue reads, then the results) and push
    /// constants (every symbolic size used: counts, role group sizes and strides, the epilogue's dims); returns the
    /// operands' bindings and the first result's.
    /// </summary>
    private (int Lhs, int Rhs, int FirstOutput) DeclareInterface()
    {
        var usedInputs = new SortedSet<int>();
        if (_body is null) usedInputs.UnionWith([0, 1]);
        else
        {
            usedInputs.Add(IndexOf(_body.Arguments, _dot.Operands[0]));
            usedInputs.Add(IndexOf(_body.Arguments, _dot.Operands[1]));
            foreach (var o in _body.Operations.Where(o => !ReferenceEquals(o, _dot)))
                foreach (var v in o.Operands)
                    if (IndexOf(_body.Arguments, v) is var k && k >= 0) usedInputs.Add(k);
            foreach (var v in _body.Results)
                if (IndexOf(_body.Arguments, v) is var k && k >= 0) usedInputs.Add(k);
        }
        foreach (int k in usedInputs) _inputBindings[k] = Bind(VulkanBinding.Input, k, _op.Operands[k].Type.DType, $"in{k}");
        int firstOutput = usedInputs.Count;
        for (int r = 0; r < _op.Results.Count; r++) Bind(VulkanBinding.Output, r, _op.Results[r].Type.DType, $"out{r}");
        int lhsBinding = _inputBindings[_body is null ? 0 : IndexOf(_body.Arguments, _dot.Operands[0])];
        int rhsBinding = _inputBindings[_body is null ? 1 : IndexOf(_body.Arguments, _dot.Operands[1])];

        // Push constants: every symbolic size used (counts, group sizes and strides, the epilogue's dims).
        Need(_b, "B");
        Need(_m, "M");
        Need(_n, "N");
        Need(_k, "K");
        Need(_m * _n, "MN");
        foreach (var (role, label) in new[] { (_lhsBatch, "lb"), (_rhsBatch, "rb"), (_lhsFree, "lf"), (_rhsFree, "rf"), (_lhsContracting, "lc"), (_rhsContracting, "rc") })
            for (int g = 0; g < role.Sizes.Length; g++)
            {
                Need(role.Sizes[g], $"{label}{g}_size");
                Need(role.Strides[g], $"{label}{g}_stride");
            }
        var epilogueValues = _body is null ? [] : _body.Arguments.Concat(_body.Operations.SelectMany(o => o.Results));
        foreach (var v in epilogueValues.Append(_dot.Results[0]))
            foreach (var d in v.Type.Shape.Where(d => !d.IsStatic))
                Need(SymbolicSize.Of(d), d.Symbol!);
        DeclarePushConstants(_push);
        return (lhsBinding, rhsBinding, firstOutput);
    }

    private VulkanKernel Emit(string entryName)
    {
        var m = M;
        _scalar = Compute(AccumulatorDType);
        _vec4 = m.TypeVector(_scalar, 4);

        var (lhsBinding, rhsBinding, firstOutput) = DeclareInterface();

        // Workgroup memory: the chunk's lhs tile as [k][m] and rhs tile as [k][n], rows of tile/4 vec4s plus one (padding).
        int rowVectors = _tile / 4 + 1;
        var sharedType = m.TypeArray(_vec4, U((uint)(_chunk * rowVectors)));
        var sharedPointer = m.TypePointer(SpirvStorageClass.Workgroup, sharedType);
        var lhsTile = m.GlobalVariable(sharedPointer, SpirvStorageClass.Workgroup);
        var rhsTile = m.GlobalVariable(sharedPointer, SpirvStorageClass.Workgroup);
        m.Name(lhsTile, "lhs_tile");
        m.Name(rhsTile, "rhs_tile");
        var localId = BuiltInVector(SpirvBuiltIn.LocalInvocationId, "gl_LocalInvocationID");
        var groupId = BuiltInVector(SpirvBuiltIn.WorkgroupId, "gl_WorkGroupID");
        var groups = BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");

        // The accumulation may become fused multiply-adds (the products are tested within a tolerance, and GPUs run FMA at full rate).
        M.ContractFloats = true;
        BeginMain(Local, Local, 1);
        var uintVar = m.TypePointer(SpirvStorageClass.Function, UInt);
        var vecVar = m.TypePointer(SpirvStorageClass.Function, _vec4);
        SpirvId NewVariable(SpirvId pointer) => m.Emit(SpirvOp.Variable, pointer, (uint)SpirvStorageClass.Function);
        var (batchVar, rowTileVar, columnTileVar, kVar) = (NewVariable(uintVar), NewVariable(uintVar), NewVariable(uintVar), NewVariable(uintVar));
        int micro = 4 * _r;
        // Accumulators: row i of the micro-tile, column group s (4 columns as a vec4).
        var acc = new SpirvId[micro, _r];
        for (int i = 0; i < micro; i++)
            for (int s = 0; s < _r; s++) acc[i, s] = NewVariable(vecVar);
        int loads = _tile * _chunk / (Local * Local);
        var scalarVar = m.TypePointer(SpirvStorageClass.Function, _scalar);
        var lhsRegisters = Enumerable.Range(0, loads).Select(_ => NewVariable(scalarVar)).ToArray();
        var rhsRegisters = Enumerable.Range(0, loads).Select(_ => NewVariable(scalarVar)).ToArray();
        for (int k = 0; k < _push.Count; k++) _pushIds[_push[k].Value.ToString()] = PushConstant(k);

        var lx = Component(localId, 0);
        var ly = Component(localId, 1);
        var (gx, gy, gz) = (Component(groupId, 0), Component(groupId, 1), Component(groupId, 2));
        var (nx, ny, nz) = (Component(groups, 0), Component(groups, 1), Component(groups, 2));
        var tid = Op(SpirvOp.IAdd, Op(SpirvOp.IMul, ly, U(Local)), lx);
        var (bSize, mSize, nSize, kSize) = (SizeId(_b), SizeId(_m), SizeId(_n), SizeId(_k));
        var mnSize = SizeId(_m * _n);
        var tilesM = Op(SpirvOp.UDiv, Op(SpirvOp.IAdd, mSize, U((uint)_tile - 1)), U((uint)_tile));
        var tilesN = Op(SpirvOp.UDiv, Op(SpirvOp.IAdd, nSize, U((uint)_tile - 1)), U((uint)_tile));
        var zeroScalar = m.ConstantNull(_scalar);
        var zeroVector = m.ConstantNull(_vec4);

        // Per load slot q (4 per operand), the tile coordinates of element tid + 256·q, in the operand's contiguous order.
        var lhsSlots = TileSlots(tid, loads, Local * Local, (uint)_tile, (uint)_chunk, _lhsKFast);
        var rhsSlots = TileSlots(tid, loads, Local * Local, (uint)_tile, (uint)_chunk, _rhsKFast);

        For(batchVar, gz, nz, b => Less(b, bSize), b =>
        {
            var lhsBatch = Offset(_lhsBatch, b);
            var rhsBatch = Offset(_rhsBatch, b);
            var outBatch = Op(SpirvOp.IMul, b, mnSize);
            For(rowTileVar, gy, ny, t => Less(t, tilesM), tm =>
            {
                var m0 = Op(SpirvOp.IMul, tm, U((uint)_tile));
                For(columnTileVar, gx, nx, t => Less(t, tilesN), tn =>
                {
                    var n0 = Op(SpirvOp.IMul, tn, U((uint)_tile));
                    foreach (var a in acc) m.Emit(SpirvOp.Store, null, a, zeroVector);
                    // The next chunk's elements are fetched into registers before the products of this one (their
                    // latency overlaps the arithmetic), then staged into workgroup memory at the next iteration's start.
                    void Fetch(SpirvId k0, SpirvId[] registers, int binding, (SpirvId Free, SpirvId K)[] slots, SpirvId free0, SpirvId freeCount,
                        SpirvId batchOffset, Role free, Role contracting)
                    {
                        for (int q = 0; q < slots.Length; q++)
                        {
                            var (inside, value) = ReadOperand(binding, slots[q], free0, freeCount, k0, kSize, batchOffset, free, contracting);
                            if (_dtype == DType.Bool) value = m.Emit(SpirvOp.Select, UInt, value, U(1), Zero);
                            m.Emit(SpirvOp.Store, null, registers[q], m.Emit(SpirvOp.Select, _scalar, inside, value, zeroScalar));
                        }
                    }
                    void FetchBoth(SpirvId k0)
                    {
                        Fetch(k0, lhsRegisters, lhsBinding, lhsSlots, m0, mSize, lhsBatch, _lhsFree, _lhsContracting);
                        Fetch(k0, rhsRegisters, rhsBinding, rhsSlots, n0, nSize, rhsBatch, _rhsFree, _rhsContracting);
                    }
                    void Stage(SpirvId tile, SpirvId[] registers, (SpirvId Free, SpirvId K)[] slots)
                    {
                        for (int q = 0; q < slots.Length; q++)
                        {
                            var (f, kk) = slots[q];
                            var vector = Op(SpirvOp.IAdd, Op(SpirvOp.IMul, kk, U((uint)rowVectors)), Op(SpirvOp.ShiftRightLogical, f, U(2)));
                            var element = m.Emit(SpirvOp.AccessChain, m.TypePointer(SpirvStorageClass.Workgroup, _scalar), tile, vector,
                                Op(SpirvOp.BitwiseAnd, f, U(3)));
                            m.Emit(SpirvOp.Store, null, element, m.Emit(SpirvOp.Load, _scalar, registers[q]));
                        }
                    }
                    // With K = 0 an operand may be empty: nothing is read.
                    If(Less(Zero, kSize), () => FetchBoth(Zero));
                    For(kVar, Zero, U((uint)_chunk), k => Less(k, kSize), k0 =>
                    {
                        Stage(lhsTile, lhsRegisters, lhsSlots);
                        Stage(rhsTile, rhsRegisters, rhsSlots);
                        Barrier();
                        FetchBoth(Op(SpirvOp.IAdd, k0, U((uint)_chunk)));
                        var sums = new SpirvId[micro, _r];
                        for (int i = 0; i < micro; i++)
                            for (int s = 0; s < _r; s++) sums[i, s] = m.Emit(SpirvOp.Load, _vec4, acc[i, s]);
                        var vectorPointer = m.TypePointer(SpirvStorageClass.Workgroup, _vec4);
                        for (int kk = 0; kk < _chunk; kk++)
                        {
                            var rowBase = (uint)(kk * rowVectors);
                            var a = new SpirvId[_r];
                            var bv = new SpirvId[_r];
                            for (int g = 0; g < _r; g++)
                            {
                                a[g] = m.Emit(SpirvOp.Load, _vec4, m.Emit(SpirvOp.AccessChain, vectorPointer, lhsTile, Op(SpirvOp.IAdd, ly, U(rowBase + (uint)(16 * g)))));
                                bv[g] = m.Emit(SpirvOp.Load, _vec4, m.Emit(SpirvOp.AccessChain, vectorPointer, rhsTile, Op(SpirvOp.IAdd, lx, U(rowBase + (uint)(16 * g)))));
                            }
                            for (int i = 0; i < micro; i++)
                            {
                                var ai = m.Emit(SpirvOp.CompositeExtract, _scalar, a[i / 4].Value, (uint)(i % 4));
                                for (int s = 0; s < _r; s++) sums[i, s] = MultiplyAdd(sums[i, s], ai, bv[s]);
                            }
                        }
                        for (int i = 0; i < micro; i++)
                            for (int s = 0; s < _r; s++) m.Emit(SpirvOp.Store, null, acc[i, s], sums[i, s]);
                        Barrier();
                    });
                    // Results: row 64·r + 4·ly + i, column 64·s + 4·lx + j, stored where inside the product.
                    for (int i = 0; i < micro; i++)
                    {
                        var row = Op(SpirvOp.IAdd, m0, Op(SpirvOp.IAdd, Op(SpirvOp.ShiftLeftLogical, ly, U(2)), U((uint)(64 * (i / 4) + i % 4))));
                        var rowStart = Op(SpirvOp.IAdd, outBatch, Op(SpirvOp.IMul, row, nSize));
                        var rowInside = Less(row, mSize);
                        for (int s = 0; s < _r; s++)
                        {
                            var sum = m.Emit(SpirvOp.Load, _vec4, acc[i, s]);
                            for (int j = 0; j < 4; j++)
                            {
                                var column = Op(SpirvOp.IAdd, n0, Op(SpirvOp.IAdd, Op(SpirvOp.ShiftLeftLogical, lx, U(2)), U((uint)(64 * s + j))));
                                var value = Result(m.Emit(SpirvOp.CompositeExtract, _scalar, sum.Value, (uint)j));
                                If(And(rowInside, Less(column, nSize)), () => StoreElement(Op(SpirvOp.IAdd, rowStart, column), value, firstOutput));
                            }
                        }
                    }
                });
            });
        });
        var threadsX = _n.IsStatic ? SymbolicSize.Of((_n.Value + _tile - 1) / _tile * Local) : _n;
        var threadsY = _m.IsStatic ? SymbolicSize.Of((_m.Value + _tile - 1) / _tile * Local) : _m;
        return Finish(entryName, threadsX, threadsY, _b);
    }

    /// <summary>The dtype the product accumulates in: the operands' computation dtype, bool as uint32 0/1.</summary>
    private DType AccumulatorDType => _dtype == DType.Bool ? DType.UInt32 : ComputeDType(_dtype);

    /// <summary>An accumulated element as the product's computation value: rounded or wrapped to the dtype once, bool as "nonzero".</summary>
    private SpirvId Result(SpirvId sum) =>
        _dtype == DType.Bool ? M.Emit(SpirvOp.INotEqual, Bool, sum, Zero) : Canonicalize(_dtype, sum);

    /// <summary>
    /// The tile coordinates (free, k) of elements tid + threads·q (q &lt; <paramref name="count"/>) of an operand's
    /// [tile][chunk] tile, in the operand's contiguous order: contracting-fastest when <paramref name="kFast"/>.
    /// </summary>
    private (SpirvId Free, SpirvId K)[] TileSlots(SpirvId tid, int count, uint threads, uint tile, uint chunk, bool kFast) =>
        [.. Enumerable.Range(0, count).Select(q =>
        {
            var e = Op(SpirvOp.IAdd, tid, U((uint)(threads * q)));
            return kFast ? (Op(SpirvOp.UDiv, e, U(chunk)), Op(SpirvOp.UMod, e, U(chunk))) : (Op(SpirvOp.UMod, e, U(tile)), Op(SpirvOp.UDiv, e, U(tile)));
        })];

    /// <summary>
    /// An operand's element at free index free0 + slot.Free and contracting index k0 + slot.K of the batch at
    /// <paramref name="batchOffset"/>: whether it is inside the product, and its computation value (element 0 is read
    /// when it is not, so no read is out of bounds).
    /// </summary>
    private (SpirvId Inside, SpirvId Value) ReadOperand(int binding, (SpirvId Free, SpirvId K) slot, SpirvId free0, SpirvId freeCount, SpirvId k0,
        SpirvId kSize, SpirvId batchOffset, Role free, Role contracting)
    {
        var row = Op(SpirvOp.IAdd, free0, slot.Free);
        var k = Op(SpirvOp.IAdd, k0, slot.K);
        var inside = And(Less(row, freeCount), Less(k, kSize));
        var offset = Op(SpirvOp.IAdd, Op(SpirvOp.IAdd, batchOffset, Offset(free, row)), Offset(contracting, k));
        return (inside, Load(binding, M.Emit(SpirvOp.Select, UInt, inside, offset, Zero)));
    }

    /// <summary><c>sum + a·b</c> on a vec4 accumulator (floats: multiply then add; integers wrap).</summary>
    private SpirvId MultiplyAdd(SpirvId sum, SpirvId a, SpirvId b)
    {
        if (_dtype.IsFloat()) return M.Emit(SpirvOp.FAdd, _vec4, sum, M.Emit(SpirvOp.VectorTimesScalar, _vec4, b, a));
        var splat = M.Emit(SpirvOp.CompositeConstruct, _vec4, a, a, a, a);
        return M.Emit(SpirvOp.IAdd, _vec4, sum, M.Emit(SpirvOp.IMul, _vec4, splat, b));
    }

    /// <summary>A structured loop <c>for (i = start; condition(i); i += step) body(i)</c> over a uint <c>Function</c> variable.</summary>
    private void For(SpirvId variable, SpirvId start, SpirvId step, Func<SpirvId, SpirvId> condition, Action<SpirvId> body)
    {
        M.Emit(SpirvOp.Store, null, variable, start);
        Loop(variable, condition, body, v => Op(SpirvOp.IAdd, v, step));
    }

    /// <summary>Stores the results at flat index <paramref name="flat"/> of the product whose value there is <paramref name="product"/>: the product itself, or the epilogue evaluated on it.</summary>
    private void StoreElement(SpirvId flat, SpirvId product, int firstOutput)
    {
        if (_body is null)
        {
            Store(firstOutput, flat, product);
            return;
        }
        // Values exist in this block only: nothing is reused from another element's.
        _memo.Clear();
        _coordinates.Clear();
        (_flat, _product) = (flat, product);
        for (int r = 0; r < _body.Results.Count; r++)
        {
            var type = _op.Results[r].Type;
            if (IsOneElement(type) && !IsOneElement(_dot.Results[0].Type))
                throw new NotSupportedException($"no SPIR-V lowering for a dot fusion result of one element ({type})");
            Store(firstOutput + r, flat, Eval(_body.Results[r], flat));
        }
    }

    private static bool IsOneElement(ShapedType type) => SpirvKernelCompiler.IsOneElement(type);

    /// <summary>The epilogue value <paramref name="v"/> at flat index <paramref name="at"/> of its shape.</summary>
    private SpirvId Eval(Value v, SpirvId at)
    {
        if (IsOneElement(v.Type)) at = Zero;
        if (_memo.TryGetValue((v, at.Value), out var known)) return known;
        SpirvId result;
        if (ReferenceEquals(v, _dot.Results[0]))
            result = at == _flat || IsOneElement(v.Type) ? _product
                : throw new NotSupportedException("no SPIR-V lowering for a dot fusion that moves elements of the product");
        else if (v.Definer is not { } op)
        {
            int k = IndexOf(_body!.Arguments, v);
            result = Load(_inputBindings[k], at);
        }
        else if (ReferenceEquals(op.Primitive, Prims.Constant)) result = ConstantValue(op.Attributes.Buffer("value"));
        else if (ReferenceEquals(op.Primitive, Prims.Iota))
            result = IotaValue(v.Type.DType, Coordinates(v.Type.Shape, at)[(int)op.Attributes.Int("dimension")]);
        else if (op.Primitive.Category == PrimitiveCategory.Broadcast)
            result = IsOneElement(op.Operands[0].Type) ? Eval(op.Operands[0], Zero) : Eval(op.Operands[0], BroadcastSource(op, at));
        else if (op.Primitive.Category == PrimitiveCategory.Reshape) result = Eval(op.Operands[0], at);
        else if (op.Primitive.Category == PrimitiveCategory.Elementwise && op.Results.Count == 1)
        {
            foreach (var operand in op.Operands) CheckDType(operand.Type.DType);
            CheckDType(v.Type.DType);
            result = Canonicalize(v.Type.DType, new SpirvElementwise(M, Compute).Emit(op, op.Operands.Select(o => Eval(o, at)).ToArray()));
        }
        else throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' in a dot fusion's epilogue");
        return _memo[(v, at.Value)] = result;
    }

    /// <summary>The row-major coordinates of flat index <paramref name="at"/> in <paramref name="shape"/>.</summary>
    private SpirvId[] Coordinates(Shape shape, SpirvId at)
    {
        if (_coordinates.TryGetValue((shape, at.Value), out var known)) return known;
        var coordinates = new SpirvId[shape.Rank];
        var rest = at;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            if (shape[d].IsStatic && shape[d].Size == 1) { coordinates[d] = Zero; continue; }
            var size = SizeId(shape[d]);
            coordinates[d] = Op(SpirvOp.UMod, rest, size);
            rest = Op(SpirvOp.UDiv, rest, size);
        }
        return _coordinates[(shape, at.Value)] = coordinates;
    }

    /// <summary>The flat index in a broadcast's operand of its result's element at <paramref name="at"/>.</summary>
    private SpirvId BroadcastSource(Operation op, SpirvId at)
    {
        var operand = op.Operands[0].Type.Shape;
        var map = op.Attributes.IntArray("broadcast_dimensions");
        var index = Coordinates(op.Results[0].Type.Shape, at);
        SpirvId? flat = null;
        for (int k = 0; k < operand.Rank; k++)
        {
            if (operand[k].IsStatic && operand[k].Size == 1) continue;
            var c = index[map[k]];
            flat = flat is { } f ? Op(SpirvOp.IAdd, Op(SpirvOp.IMul, f, SizeId(operand[k])), c) : c;
        }
        return flat ?? Zero;
    }
}
