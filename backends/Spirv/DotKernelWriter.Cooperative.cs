using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// The cooperative-matrix variants of a float16 <c>dot_general</c> (or <c>dot</c> fusion), for devices with
/// <c>VK_KHR_cooperative_matrix</c> listing S x S x S float16 x float16 + float32 products at subgroup scope and
/// subgroups of W invocations (<see cref="CooperativeShapes"/>: S = 16, W = 32 for NVIDIA's tensor cores; S = 8, W = 8
/// for Mesa's lavapipe, where the tests run it):
/// <list type="bullet">
/// <item>A workgroup of four subgroups (2 x 2) computes a 4S x 4S tile of the [B, M, N] product; each subgroup a
/// 2S x 2S quarter as 2 x 2 float32 accumulator matrices of S x S.</item>
/// <item>K is staged in chunks of 2S: each invocation reads 2S²/W elements of each operand's tile through the same
/// index arithmetic as the portable kernel (any batch, free and contracting dims; zero outside the product), in the
/// order in which the operand is contiguous, and stores them as float16 into workgroup memory (A as [4S][2S], B as
/// [2S][4S], rows padded to 16-byte multiples); then each subgroup loads its A and B matrices from there (row-major)
/// and multiplies-adds twice per chunk (<c>OpCooperativeMatrixMulAddKHR</c>).</item>
/// <item>The accumulators go to workgroup memory (float32, [4S][4S]), and every invocation writes its share of the
/// tile: rounded once to float16 (as the interpreter accumulates in float32 and rounds once), the fusion's epilogue
/// applied, bounds-checked.</item>
/// </list>
/// The module uses the Vulkan memory model (the extension requires it): workgroup memory shared between invocations is
/// accessed non-private, made available and visible at workgroup scope, with a barrier between writers and readers.
/// Workgroups along x, y, z are N tiles, M tiles and batches, grid-strided as in the portable kernel.
/// </summary>
internal sealed partial class DotKernelWriter
{
    /// <summary>
    /// The geometry of a cooperative-matrix kernel for S x S matrices and subgroups of W invocations: workgroups of 4W
    /// invocations compute 4S x 4S tiles over K chunks of 2S; workgroup tiles' row strides (elements) are padded by
    /// 16 bytes (a float16 row by 8, a float32 row by 4).
    /// </summary>
    public readonly record struct CooperativeShape(int Size, int Subgroup)
    {
        public uint S => (uint)Size;

        public uint Tile => 4 * S;

        public uint Chunk => 2 * S;

        public uint Threads => 4 * (uint)Subgroup;

        public uint LhsRow => Chunk + 8;

        public uint RhsRow => Tile + 8;

        public uint OutRow => Tile + 4;
    }

    /// <summary>The shapes of the variants, preferred first: 16 with 32-wide subgroups (NVIDIA), 8 with subgroups of 8 (lavapipe).</summary>
    public static readonly CooperativeShape[] CooperativeShapes = [new(16, 32), new(8, 8)];

    /// <summary>Whether a product gets the cooperative-matrix variants: float16 operands.</summary>
    private static bool HasCooperativeVariant(Operation dot) => dot.Operands[0].Type.DType == DType.Float16;

    private VulkanKernel EmitCooperative(string entryName, CooperativeShape shape)
    {
        if (!HasCooperativeVariant(_dot)) throw new InvalidOperationException("cooperative matrices are for float16 products");
        var m = M;
        _scalar = Compute(AccumulatorDType);
        var half = m.TypeFloat(16);
        Features.AddRange(["VK_KHR_cooperative_matrix", VulkanKernel.CooperativeMatrixHalfFeature(shape.Size), "shaderFloat16", "subgroupBasic", $"subgroupSize={shape.Subgroup}"]);
        m.Capability(SpirvCapability.GroupNonUniform);
        var matrixA = m.TypeCooperativeMatrix(half, shape.S, shape.S, SpirvCooperativeMatrixUse.MatrixAKHR);
        var matrixB = m.TypeCooperativeMatrix(half, shape.S, shape.S, SpirvCooperativeMatrixUse.MatrixBKHR);
        var matrixC = m.TypeCooperativeMatrix(Float, shape.S, shape.S, SpirvCooperativeMatrixUse.MatrixAccumulatorKHR);
        var (lhsBinding, rhsBinding, firstOutput) = DeclareInterface();

        SpirvId Tile(SpirvId element, uint length, string name)
        {
            var variable = m.GlobalVariable(m.TypePointer(SpirvStorageClass.Workgroup, m.TypeArray(element, U(length))), SpirvStorageClass.Workgroup);
            m.Name(variable, name);
            return variable;
        }
        var lhsTile = Tile(half, shape.Tile * shape.LhsRow, "lhs_tile");
        var rhsTile = Tile(half, shape.Chunk * shape.RhsRow, "rhs_tile");
        var outTile = Tile(Float, shape.Tile * shape.OutRow, "out_tile");
        var halfPointer = m.TypePointer(SpirvStorageClass.Workgroup, half);
        var floatPointer = m.TypePointer(SpirvStorageClass.Workgroup, Float);
        var localId = BuiltInVector(SpirvBuiltIn.LocalInvocationId, "gl_LocalInvocationID");
        var groupId = BuiltInVector(SpirvBuiltIn.WorkgroupId, "gl_WorkGroupID");
        var groups = BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");
        var subgroupId = BuiltInScalar(SpirvBuiltIn.SubgroupId, "gl_SubgroupID");

        BeginMain((int)shape.Threads);
        var uintVar = m.TypePointer(SpirvStorageClass.Function, UInt);
        var matrixVar = m.TypePointer(SpirvStorageClass.Function, matrixC);
        SpirvId NewVariable(SpirvId pointer) => m.Emit(SpirvOp.Variable, pointer, (uint)SpirvStorageClass.Function);
        var (batchVar, rowTileVar, columnTileVar, kVar, elementVar) = (NewVariable(uintVar), NewVariable(uintVar), NewVariable(uintVar), NewVariable(uintVar), NewVariable(uintVar));
        var acc = new SpirvId[2, 2];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) acc[i, j] = NewVariable(matrixVar);
        for (int k = 0; k < _push.Count; k++) _pushIds[_push[k].Value.ToString()] = PushConstant(k);

        var tid = Component(localId, 0);
        var (gx, gy, gz) = (Component(groupId, 0), Component(groupId, 1), Component(groupId, 2));
        var (nx, ny, nz) = (Component(groups, 0), Component(groups, 1), Component(groups, 2));
        var warp = m.Emit(SpirvOp.Load, UInt, subgroupId);
        var warpRow = Op(SpirvOp.IMul, Op(SpirvOp.UDiv, warp, U(2)), U(2 * shape.S));
        var warpColumn = Op(SpirvOp.IMul, Op(SpirvOp.UMod, warp, U(2)), U(2 * shape.S));
        var (bSize, mSize, nSize, kSize) = (SizeId(_b), SizeId(_m), SizeId(_n), SizeId(_k));
        var mnSize = SizeId(_m * _n);
        var tilesM = Op(SpirvOp.UDiv, Op(SpirvOp.IAdd, mSize, U(shape.Tile - 1)), U(shape.Tile));
        var tilesN = Op(SpirvOp.UDiv, Op(SpirvOp.IAdd, nSize, U(shape.Tile - 1)), U(shape.Tile));
        var zeroMatrix = m.ConstantComposite(matrixC, m.ConstantFloat32(0));
        var zeroHalf = m.ConstantNull(half);
        var rowMajor = U((uint)SpirvCooperativeMatrixLayout.RowMajorKHR);

        // Per load slot q (2S²/W per operand), the tile coordinates of element tid + 4W·q, in the operand's contiguous order.
        int slots = (int)(shape.Tile * shape.Chunk / shape.Threads);
        var lhsSlots = TileSlots(tid, slots, shape.Threads, shape.Tile, shape.Chunk, _lhsKFast);
        var rhsSlots = TileSlots(tid, slots, shape.Threads, shape.Tile, shape.Chunk, _rhsKFast);

        For(batchVar, gz, nz, b => Less(b, bSize), b =>
        {
            var lhsBatch = Offset(_lhsBatch, b);
            var rhsBatch = Offset(_rhsBatch, b);
            var outBatch = Op(SpirvOp.IMul, b, mnSize);
            For(rowTileVar, gy, ny, t => Less(t, tilesM), tm =>
            {
                var m0 = Op(SpirvOp.IMul, tm, U(shape.Tile));
                For(columnTileVar, gx, nx, t => Less(t, tilesN), tn =>
                {
                    var n0 = Op(SpirvOp.IMul, tn, U(shape.Tile));
                    foreach (var a in acc) m.Emit(SpirvOp.Store, null, a, zeroMatrix);
                    For(kVar, Zero, U(shape.Chunk), k => Less(k, kSize), k0 =>
                    {
                        // The previous chunk's matrices are loaded before its tiles are overwritten.
                        Barrier();
                        void Stage(int binding, SpirvId tile, (SpirvId Free, SpirvId K)[] tileSlots, SpirvId free0, SpirvId freeCount, SpirvId batchOffset, Role free, Role contracting, bool lhs)
                        {
                            foreach (var slot in tileSlots)
                            {
                                var (inside, value) = ReadOperand(binding, slot, free0, freeCount, k0, kSize, batchOffset, free, contracting);
                                var (f, kk) = slot;
                                var at = lhs ? Op(SpirvOp.IAdd, Op(SpirvOp.IMul, f, U(shape.LhsRow)), kk) : Op(SpirvOp.IAdd, Op(SpirvOp.IMul, kk, U(shape.RhsRow)), f);
                                StoreShared(m.Emit(SpirvOp.AccessChain, halfPointer, tile, at), m.Emit(SpirvOp.Select, half, inside, m.Emit(SpirvOp.FConvert, half, value), zeroHalf));
                            }
                        }
                        Stage(lhsBinding, lhsTile, lhsSlots, m0, mSize, lhsBatch, _lhsFree, _lhsContracting, lhs: true);
                        Stage(rhsBinding, rhsTile, rhsSlots, n0, nSize, rhsBatch, _rhsFree, _rhsContracting, lhs: false);
                        Barrier();
                        for (uint kk = 0; kk < shape.Chunk; kk += shape.S)
                        {
                            var a = new SpirvId[2];
                            var bm = new SpirvId[2];
                            for (int i = 0; i < 2; i++)
                            {
                                var at = Op(SpirvOp.IAdd, Op(SpirvOp.IMul, Op(SpirvOp.IAdd, warpRow, U((uint)(shape.S * i))), U(shape.LhsRow)), U(kk));
                                a[i] = m.Emit(SpirvOp.CooperativeMatrixLoadKHR, matrixA,
                                    [m.Emit(SpirvOp.AccessChain, halfPointer, lhsTile, at).Value, rowMajor.Value, U(shape.LhsRow).Value, .. SharedMatrixAccess(load: true)]);
                            }
                            for (int j = 0; j < 2; j++)
                            {
                                var at = Op(SpirvOp.IAdd, U(kk * shape.RhsRow), Op(SpirvOp.IAdd, warpColumn, U((uint)(shape.S * j))));
                                bm[j] = m.Emit(SpirvOp.CooperativeMatrixLoadKHR, matrixB,
                                    [m.Emit(SpirvOp.AccessChain, halfPointer, rhsTile, at).Value, rowMajor.Value, U(shape.RhsRow).Value, .. SharedMatrixAccess(load: true)]);
                            }
                            for (int i = 0; i < 2; i++)
                                for (int j = 0; j < 2; j++)
                                    m.Emit(SpirvOp.Store, null, acc[i, j], m.Emit(SpirvOp.CooperativeMatrixMulAddKHR, matrixC, a[i], bm[j], m.Emit(SpirvOp.Load, matrixC, acc[i, j])));
                        }
                    });
                    // The accumulators to workgroup memory, then every invocation writes 32 elements of the tile.
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++)
                        {
                            var at = Op(SpirvOp.IAdd, Op(SpirvOp.IMul, Op(SpirvOp.IAdd, warpRow, U((uint)(shape.S * i))), U(shape.OutRow)),
                                Op(SpirvOp.IAdd, warpColumn, U((uint)(shape.S * j))));
                            m.Emit(SpirvOp.CooperativeMatrixStoreKHR, null,
                                [m.Emit(SpirvOp.AccessChain, floatPointer, outTile, at).Value, m.Emit(SpirvOp.Load, matrixC, acc[i, j]).Value, rowMajor.Value, U(shape.OutRow).Value,
                                    .. SharedMatrixAccess(load: false)]);
                        }
                    Barrier();
                    For(elementVar, tid, U(shape.Threads), e => Less(e, U(shape.Tile * shape.Tile)), e =>
                    {
                        var r = Op(SpirvOp.UDiv, e, U(shape.Tile));
                        var c = Op(SpirvOp.UMod, e, U(shape.Tile));
                        var row = Op(SpirvOp.IAdd, m0, r);
                        var column = Op(SpirvOp.IAdd, n0, c);
                        If(And(Less(row, mSize), Less(column, nSize)), () =>
                        {
                            var value = LoadShared(Float, m.Emit(SpirvOp.AccessChain, floatPointer, outTile, Op(SpirvOp.IAdd, Op(SpirvOp.IMul, r, U(shape.OutRow)), c)));
                            StoreElement(Op(SpirvOp.IAdd, outBatch, Op(SpirvOp.IAdd, Op(SpirvOp.IMul, row, nSize), column)), Result(value), firstOutput);
                        });
                    });
                    // The tile is written out before the next tile's accumulators overwrite it.
                    Barrier();
                });
            });
        });
        // One workgroup per tile (a symbolic size: its count of threads along x, at least one workgroup per tile, extras exit).
        long tile = shape.Tile, threads = shape.Threads;
        var threadsX = _n.IsStatic ? SymbolicSize.Of((_n.Value + tile - 1) / tile * threads) : _n * SymbolicSize.Of(Math.Max(1, threads / tile));
        var threadsY = _m.IsStatic ? SymbolicSize.Of((_m.Value + tile - 1) / tile) : _m;
        return Finish(entryName, threadsX, threadsY, _b);
    }
}
