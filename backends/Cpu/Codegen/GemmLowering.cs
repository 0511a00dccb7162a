using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// The packed GEMM of float32 and float64 products (BLIS / IREE mmt4d style), all in the kernel module: one contracting
/// dim; each operand's free dims consecutive axes (they form the matrix's rows or columns), batch dims anywhere. Per batch and per
/// block of <see cref="KC"/> contracted indices: the lhs block (m x kc) is packed into panels of <c>MR</c> rows and the
/// rhs block (kc x n) into panels of <c>NR</c> columns (zero padded; both read through their strides, so transposed
/// operands are never materialized), each packing a parallel loop over panels; then a parallel loop over macro tiles
/// (<c>MC</c> rows x <c>NC</c> columns, one tile per index of the runtime's <c>parallel_for</c>) runs the register-blocked
/// micro-kernel: an MR x NR tile of accumulators in explicit LLVM vectors of the target's width
/// (<see cref="VectorIsa"/>: 16 floats on AVX-512, 8 on AVX2, 4 on SSE and NEON; NR is two vectors, MR is 12 with 32
/// vector registers, 6 with 16), updated with <c>llvm.fmuladd</c> (an FMA instruction where the target has one) in
/// contracted-index order, the tile's rows of the result prefetched before it runs. The first block stores the tile, later ones add it to what was stored; the last applies a
/// fusion's epilogue while writing (partial sums of a fused product live in the workspace). The panels, the partial
/// sums and a small header (the batch's offsets and the block's start, read by the parallel bodies) live in the
/// operation's workspace, a scratch buffer of the kernel's frame. Rounding: each element is a chain of fused
/// multiply-adds over each block, blocks added in order, so results differ from a serial sum (and from the
/// interpreter) by rounding only.
/// </summary>
internal static class GemmLowering
{
    /// <summary>
    /// The contracted-dimension block (each block reads and writes the whole result once more): 512 measured best of
    /// 256, 512 and 1024 on this machine (a 2000-cube float32 product on one thread: 61%, 78%, 67% of its FMA peak).
    /// </summary>
    public const int KC = 512;

    private const int MaxMR = 16;
    private const int MaxNR = 64;
    private const int HeaderBytes = 64;
    private const int Align = 64;

    /// <summary>Whether the product goes through the packed GEMM (statically small products never do).</summary>
    public static bool Applies(DotProblem dot)
    {
        if (dot.DType is not (DType.Float32 or DType.Float64)) return false;
        if (dot.LhsContracting.Length != 1 || !Consecutive(dot.LhsFree) || !Consecutive(dot.RhsFree)) return false;
        var k = dot.Lhs.Type.Shape[dot.LhsContracting[0]];
        var shape = dot.ResultType.Shape;
        return !(shape.IsStatic && k.IsStatic && shape.ElementCount * k.Size < DotLowering.SmallWork);
    }

    /// <summary>The workspace: header, packed lhs block, packed rhs block, and for a fusion the partial sums of one batch.</summary>
    public static SymbolicSize WorkspaceBytes(DotProblem dot)
    {
        long size = dot.DType.ItemSize();
        var (m, n) = (SymbolicSize.ElementCount(LhsFreeShape(dot)), SymbolicSize.ElementCount(RhsFreeShape(dot)));
        var bytes = SymbolicSize.Of(HeaderBytes + 2 * Align) + SymbolicSize.Of(KC * size) * (m + SymbolicSize.Of(MaxMR) + n + SymbolicSize.Of(MaxNR));
        return dot.Fused ? bytes + SymbolicSize.Of(size + Align) * m * n : bytes;
    }

    /// <summary>
    /// Free dims that are consecutive axes of their operand are one matrix dim (row-major: the last one's stride steps
    /// through all of them), as they are consecutive in the result; none is a dim of size 1.
    /// </summary>
    private static bool Consecutive(int[] free) => free.Zip(free.Skip(1)).All(p => p.Second == p.First + 1);

    private static Shape LhsFreeShape(DotProblem dot) => new(dot.LhsFree.Select(d => dot.Lhs.Type.Shape[d]));

    private static Shape RhsFreeShape(DotProblem dot) => new(dot.RhsFree.Select(d => dot.Rhs.Type.Shape[d]));

    /// <summary>The blocking of a product on the module's target.</summary>
    private sealed record Blocking(int W, int NV, int MR, int NR, int MCPanels, int NCPanels, int Size, LLVMTypeRef T, LLVMTypeRef V);

    private static Blocking BlockingFor(KernelModule m, DType dtype)
    {
        int size = dtype.ItemSize();
        int w = Math.Max(1, m.Isa.Bits / 8 / size);
        int mr = m.Isa.Registers >= 32 ? 12 : 6;
        int nr = 2 * w;
        // The lhs block (MC x KC) fills about 384 KiB of L2; the rhs block of a tile is a few micro-panels.
        int mcPanels = Math.Max(1, 384 * 1024 / (KC * size) / mr);
        int ncPanels = Math.Max(1, 256 / nr);
        var t = m.Types.Storage(dtype);
        return new Blocking(w, 2, mr, nr, mcPanels, ncPanels, size, t, LlvmCore.VectorType(t, (uint)w));
    }

    /// <summary>Header slots (i64) of the workspace: what the parallel bodies read of the current batch and block.</summary>
    private enum Slot { LhsOffset, RhsOffset, ResultOffset, BlockStart, Batch }

    /// <summary>The sizes, strides and workspace regions of a product, as i64 values of one scope.</summary>
    private sealed class Frame
    {
        public Frame(KernelScope s, DotProblem dot, Blocking k, Value workspace)
        {
            S = s;
            M = s.ElementCount(LhsFreeShape(dot));
            N = s.ElementCount(RhsFreeShape(dot));
            K = s.Size(dot.Lhs.Type.Shape[dot.LhsContracting[0]]);
            var ls = s.Strides(dot.Lhs.Type.Shape);
            var rs = s.Strides(dot.Rhs.Type.Shape);
            var zero = s.M.Int64(0);
            LhsRowStride = dot.LhsFree.Length > 0 ? ls[dot.LhsFree[^1]] : zero;
            LhsKStride = ls[dot.LhsContracting[0]];
            RhsKStride = rs[dot.RhsContracting[0]];
            RhsColumnStride = dot.RhsFree.Length > 0 ? rs[dot.RhsFree[^1]] : zero;
            Workspace = s.Pointer(workspace);
            MPanels = s.UDiv(s.Add(M, s.M.Int64(k.MR - 1)), s.M.Int64(k.MR));
            NPanels = s.UDiv(s.Add(N, s.M.Int64(k.NR - 1)), s.M.Int64(k.NR));
            PackedLhs = Offset(s.M.Int64(HeaderBytes));
            var lhsBytes = s.Mul(s.M.Int64((long)KC * k.Size), s.Add(M, s.M.Int64(MaxMR)));
            PackedRhs = Offset(RoundUp(s.Add(s.M.Int64(HeaderBytes), lhsBytes)));
            var rhsBytes = s.Mul(s.M.Int64((long)KC * k.Size), s.Add(N, s.M.Int64(MaxNR)));
            Partials = Offset(RoundUp(s.Add(s.Add(s.M.Int64(HeaderBytes), RoundUp(lhsBytes)), rhsBytes)));
        }

        public KernelScope S { get; }
        public LLVMValueRef M { get; }
        public LLVMValueRef N { get; }
        public LLVMValueRef K { get; }
        public LLVMValueRef LhsRowStride { get; }
        public LLVMValueRef LhsKStride { get; }
        public LLVMValueRef RhsKStride { get; }
        public LLVMValueRef RhsColumnStride { get; }
        public LLVMValueRef Workspace { get; }
        public LLVMValueRef MPanels { get; }
        public LLVMValueRef NPanels { get; }
        public LLVMValueRef PackedLhs { get; }
        public LLVMValueRef PackedRhs { get; }
        public LLVMValueRef Partials { get; }

        private LLVMValueRef RoundUp(LLVMValueRef bytes) =>
            S.B.BinaryOperation(LLVMOpcode.And, S.Add(bytes, S.M.Int64(Align - 1)), S.M.Int64(~(long)(Align - 1)));

        private LLVMValueRef Offset(LLVMValueRef bytes) => S.B.InBoundsGep(S.M.I8, Workspace, [bytes]);

        public LLVMValueRef Get(Slot slot) => S.B.Load(S.M.I64, S.B.InBoundsGep(S.M.I64, Workspace, [S.M.Int64((int)slot)]), 8);

        public void Set(Slot slot, LLVMValueRef value) => S.B.Store(value, S.B.InBoundsGep(S.M.I64, Workspace, [S.M.Int64((int)slot)]), 8);
    }

    /// <summary>Emits the packed GEMM of <paramref name="dot"/> (K > 0) writing through <paramref name="output"/>.</summary>
    public static void Emit(KernelScope scope, DotProblem dot, DotOutput output, Value workspace)
    {
        var m = scope.M;
        var k = BlockingFor(m, dot.DType);
        var f = new Frame(scope, dot, k, workspace);
        var batchShape = dot.BatchShape;
        var ls = scope.Strides(dot.Lhs.Type.Shape);
        var rs = scope.Strides(dot.Rhs.Type.Shape);
        var blocks = scope.UDiv(scope.Add(f.K, m.Int64(KC - 1)), m.Int64(KC));
        var tilesM = scope.UDiv(scope.Add(f.MPanels, m.Int64(k.MCPanels - 1)), m.Int64(k.MCPanels));
        var tilesN = scope.UDiv(scope.Add(f.NPanels, m.Int64(k.NCPanels - 1)), m.Int64(k.NCPanels));
        scope.For(m.Int64(0), scope.ElementCount(batchShape), b =>
        {
            var index = scope.Unravel(b, batchShape);
            LLVMValueRef lhsOffset = m.Int64(0), rhsOffset = m.Int64(0);
            for (int i = 0; i < index.Length; i++)
            {
                lhsOffset = scope.Add(lhsOffset, scope.Mul(index[i], ls[dot.LhsBatch[i]]));
                rhsOffset = scope.Add(rhsOffset, scope.Mul(index[i], rs[dot.RhsBatch[i]]));
            }
            f.Set(Slot.LhsOffset, lhsOffset);
            f.Set(Slot.RhsOffset, rhsOffset);
            f.Set(Slot.ResultOffset, scope.Mul(b, scope.Mul(f.M, f.N)));
            f.Set(Slot.Batch, b);
            scope.For(m.Int64(0), blocks, block =>
            {
                f.Set(Slot.BlockStart, scope.Mul(block, m.Int64(KC)));
                scope.ParallelFor(f.MPanels, 8, [dot.Lhs, workspace], (s, start, end) =>
                    Pack(new Frame(s, dot, k, workspace), dot.Lhs, lhs: true, k, start, end));
                scope.ParallelFor(f.NPanels, Math.Max(1, 64 / k.NR), [dot.Rhs, workspace], (s, start, end) =>
                    Pack(new Frame(s, dot, k, workspace), dot.Rhs, lhs: false, k, start, end));
                scope.ParallelFor(scope.Mul(tilesM, tilesN), 1, [.. output.Values, workspace], (s, start, end) =>
                {
                    var inner = new Frame(s, dot, k, workspace);
                    var innerTilesN = s.UDiv(s.Add(inner.NPanels, s.M.Int64(k.NCPanels - 1)), s.M.Int64(k.NCPanels));
                    s.For(start, end, t => Tile(inner, dot, output, k, s.UDiv(t, innerTilesN), s.URem(t, innerTilesN)), "tile");
                });
            }, "block");
        }, "batch");
    }

    /// <summary>
    /// Packs panels [start, end) of the current block: lhs panels hold, for each p, MR rows' values (row-major rows of
    /// the block, rows past m zero); rhs panels NR columns' values.
    /// </summary>
    private static void Pack(Frame f, Value operand, bool lhs, Blocking k, LLVMValueRef start, LLVMValueRef end)
    {
        var s = f.S;
        var m = s.M;
        int width = lhs ? k.MR : k.NR;
        var limit = lhs ? f.M : f.N;
        var lineStride = lhs ? f.LhsRowStride : f.RhsColumnStride;
        var kStride = lhs ? f.LhsKStride : f.RhsKStride;
        var packed = lhs ? f.PackedLhs : f.PackedRhs;
        var pc = f.Get(Slot.BlockStart);
        var kc = s.Min(m.Int64(KC), s.Sub(f.K, pc));
        var baseOffset = s.Add(f.Get(lhs ? Slot.LhsOffset : Slot.RhsOffset), s.Mul(pc, kStride));
        var source = s.Pointer(operand);
        var zero = LlvmCore.ConstNull(k.T);
        s.For(start, end, panel =>
            s.For(m.Int64(0), m.Int64(width), r =>
            {
                var line = s.Add(s.Mul(panel, m.Int64(width)), r);
                var valid = LlvmCore.BuildICmp(s.B, LLVMIntPredicate.SLT, line, limit, "");
                var clamped = s.Min(line, s.Sub(limit, m.Int64(1)));
                var lineOffset = s.Add(baseOffset, s.Mul(clamped, lineStride));
                var panelBase = s.Add(s.Mul(panel, m.Int64((long)KC * width)), r);
                s.For(m.Int64(0), kc, p =>
                {
                    var x = s.B.Load(k.T, s.B.InBoundsGep(k.T, source, [s.Add(lineOffset, s.Mul(p, kStride))]), (uint)k.Size);
                    x = LlvmCore.BuildSelect(s.B, valid, x, zero, "");
                    s.B.Store(x, s.B.InBoundsGep(k.T, packed, [s.Add(panelBase, s.Mul(p, m.Int64(width)))]), (uint)k.Size);
                }, "p");
            }, "r"), "panel");
    }

    /// <summary>One macro tile: for each rhs panel of the tile (in L1), each lhs panel (in L2), the micro-kernel.</summary>
    private static void Tile(Frame f, DotProblem dot, DotOutput output, Blocking k, LLVMValueRef ti, LLVMValueRef tj)
    {
        var s = f.S;
        var m = s.M;
        var ipStart = s.Mul(ti, m.Int64(k.MCPanels));
        var ipEnd = s.Min(s.Add(ipStart, m.Int64(k.MCPanels)), f.MPanels);
        var jpStart = s.Mul(tj, m.Int64(k.NCPanels));
        var jpEnd = s.Min(s.Add(jpStart, m.Int64(k.NCPanels)), f.NPanels);
        var pc = f.Get(Slot.BlockStart);
        var kc = s.Min(m.Int64(KC), s.Sub(f.K, pc));
        var first = LlvmCore.BuildICmp(s.B, LLVMIntPredicate.EQ, pc, m.Int64(0), "first");
        var last = LlvmCore.BuildICmp(s.B, LLVMIntPredicate.SGE, s.Add(pc, kc), f.K, "last");
        var resultOffset = f.Get(Slot.ResultOffset);
        var batch = f.Get(Slot.Batch);
        var tileSlot = DotLowering.EntryAlloca(s, LlvmCore.ArrayType2(k.T, (ulong)(k.MR * k.NR)), "tile");
        s.For(jpStart, jpEnd, jp =>
            s.For(ipStart, ipEnd, ip =>
            {
                var a = s.B.InBoundsGep(k.T, f.PackedLhs, [s.Mul(ip, m.Int64((long)KC * k.MR))]);
                var b = s.B.InBoundsGep(k.T, f.PackedRhs, [s.Mul(jp, m.Int64((long)KC * k.NR))]);
                Prefetch(f, dot, k, resultOffset, s.Mul(ip, m.Int64(k.MR)), s.Mul(jp, m.Int64(k.NR)));
                var acc = MicroKernel(s, k, kc, a, b);
                WriteTile(f, dot, output, k, acc, s.Mul(ip, m.Int64(k.MR)), s.Mul(jp, m.Int64(k.NR)), first, last, resultOffset, batch, tileSlot);
            }, "ip"), "jp");
    }

    /// <summary>
    /// Prefetches the micro tile's rows of partial sums (or result) before the micro-kernel, so that their cache misses
    /// overlap its arithmetic instead of stalling the write (prefetches never fault, so edge rows need no check).
    /// </summary>
    private static void Prefetch(Frame f, DotProblem dot, Blocking k, LLVMValueRef resultOffset, LLVMValueRef i0, LLVMValueRef j0)
    {
        var s = f.S;
        var m = s.M;
        var partials = dot.Fused ? f.Partials : s.B.InBoundsGep(k.T, s.Pointer(dot.Op.Results[0]), [resultOffset]);
        int lineElements = 64 / k.Size;
        for (int r = 0; r < k.MR; r++)
        {
            var row = s.Add(s.Mul(s.Add(i0, m.Int64(r)), f.N), j0);
            for (int e = 0; e < k.NR + lineElements; e += lineElements)
            {
                var address = LlvmCore.BuildGEP2(s.B, k.T, partials, [s.Add(row, m.Int64(Math.Min(e, k.NR - 1)))], 1, "");
                m.CallIntrinsic("llvm.prefetch", m.Ptr, address, m.Int32(1), m.Int32(3), m.Int32(1));
            }
        }
    }

    /// <summary>
    /// The MR x NR accumulators after <paramref name="kc"/> steps (kc ≥ 1): per step, NV vectors of the rhs panel and
    /// one broadcast lhs value per row, <c>acc[r][v] = fmuladd(a[r], b[v], acc[r][v])</c>.
    /// </summary>
    private static LLVMValueRef[] MicroKernel(KernelScope s, Blocking k, LLVMValueRef kc, LLVMValueRef a, LLVMValueRef b)
    {
        var m = s.M;
        var entry = s.B.InsertBlock;
        var loop = s.NewBlock("micro.loop");
        var exit = s.NewBlock("micro.exit");
        LlvmCore.BuildBr(s.B, loop);
        s.B.PositionAtEnd(loop);
        var p = s.B.Phi(m.I64, [(m.Int64(0), entry)], "p");
        var zero = LlvmCore.ConstNull(k.V);
        var acc = new LLVMValueRef[k.MR * k.NV];
        for (int i = 0; i < acc.Length; i++) acc[i] = s.B.Phi(k.V, [(zero, entry)], "acc");
        var bRow = s.B.InBoundsGep(k.T, b, [s.Mul(p, m.Int64(k.NR))]);
        var bv = new LLVMValueRef[k.NV];
        for (int v = 0; v < k.NV; v++) bv[v] = s.B.Load(k.V, s.B.InBoundsGep(k.T, bRow, [m.Int64(v * k.W)]), (uint)k.Size);
        var aRow = s.B.InBoundsGep(k.T, a, [s.Mul(p, m.Int64(k.MR))]);
        var next = new LLVMValueRef[acc.Length];
        for (int r = 0; r < k.MR; r++)
        {
            var x = s.B.Load(k.T, s.B.InBoundsGep(k.T, aRow, [m.Int64(r)]), (uint)k.Size);
            var splat = s.B.ShuffleVector(LlvmCore.BuildInsertElement(s.B, LlvmCore.GetPoison(k.V), x, m.Int64(0), ""), LlvmCore.GetPoison(k.V), new int[k.W]);
            for (int v = 0; v < k.NV; v++) next[r * k.NV + v] = m.CallIntrinsic("llvm.fmuladd", k.V, splat, bv[v], acc[r * k.NV + v]);
        }
        var pNext = s.B.BinaryOperation(LLVMOpcode.Add, p, m.Int64(1));
        var latch = s.B.InsertBlock;
        LlvmBuilder.AddIncoming(p, pNext, latch);
        for (int i = 0; i < acc.Length; i++) LlvmBuilder.AddIncoming(acc[i], next[i], latch);
        LlvmCore.BuildCondBr(s.B, LlvmCore.BuildICmp(s.B, LLVMIntPredicate.SLT, pNext, kc, ""), loop, exit);
        s.B.PositionAtEnd(exit);
        return next;
    }

    /// <summary>
    /// Writes a micro tile at rows i0.., columns j0..: a full tile of an unfused product (or a fused one before its last
    /// block) as vectors into the partial sums; an edge tile, or the last block of a fused product, element by element
    /// through a stack copy of the tile (only rows and columns inside the product; the epilogue at the last block).
    /// </summary>
    private static void WriteTile(Frame f, DotProblem dot, DotOutput output, Blocking k, LLVMValueRef[] acc,
        LLVMValueRef i0, LLVMValueRef j0, LLVMValueRef first, LLVMValueRef last,
        LLVMValueRef resultOffset, LLVMValueRef batch, LLVMValueRef tileSlot)
    {
        var s = f.S;
        var m = s.M;
        var b = s.B;
        // Partial sums: the result itself, or for a fusion the workspace (one batch at a time).
        var partials = dot.Fused ? f.Partials : b.InBoundsGep(k.T, s.Pointer(dot.Op.Results[0]), [resultOffset]);
        var rows = s.Min(m.Int64(k.MR), s.Sub(f.M, i0));
        var cols = s.Min(m.Int64(k.NR), s.Sub(f.N, j0));
        var full = b.BinaryOperation(LLVMOpcode.And,
            LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, rows, m.Int64(k.MR), ""),
            LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, cols, m.Int64(k.NR), ""));
        if (dot.Fused) full = b.BinaryOperation(LLVMOpcode.And, full, LlvmCore.BuildNot(b, last, ""));
        var vectorPath = s.NewBlock("tile.vector");
        var elementPath = s.NewBlock("tile.elements");
        var done = s.NewBlock("tile.done");
        LlvmCore.BuildCondBr(b, full, vectorPath, elementPath);

        b.PositionAtEnd(vectorPath);
        for (int r = 0; r < k.MR; r++)
        {
            var row = b.InBoundsGep(k.T, partials, [s.Add(s.Mul(s.Add(i0, m.Int64(r)), f.N), j0)]);
            for (int v = 0; v < k.NV; v++)
            {
                var address = b.InBoundsGep(k.T, row, [m.Int64(v * k.W)]);
                var value = acc[r * k.NV + v];
                var sum = LlvmCore.BuildSelect(b, first, value, b.BinaryOperation(LLVMOpcode.FAdd, b.Load(k.V, address, (uint)k.Size), value), "");
                b.Store(sum, address, (uint)k.Size);
            }
        }
        LlvmCore.BuildBr(b, done);

        b.PositionAtEnd(elementPath);
        for (int r = 0; r < k.MR; r++)
            for (int v = 0; v < k.NV; v++)
                b.Store(acc[r * k.NV + v], b.InBoundsGep(k.T, tileSlot, [m.Int64(r * k.NR + v * k.W)]), (uint)k.Size);
        s.For(m.Int64(0), rows, r => s.For(m.Int64(0), cols, c =>
        {
            var i = s.Add(i0, r);
            var j = s.Add(j0, c);
            var position = s.Add(s.Mul(i, f.N), j);
            var address = b.InBoundsGep(k.T, partials, [position]);
            var value = b.Load(k.T, b.InBoundsGep(k.T, tileSlot, [s.Add(s.Mul(r, m.Int64(k.NR)), c)]), (uint)k.Size);
            value = LlvmCore.BuildSelect(b, first, value, b.BinaryOperation(LLVMOpcode.FAdd, b.Load(k.T, address, (uint)k.Size), value), "");
            if (!dot.Fused)
            {
                b.Store(value, address, (uint)k.Size);
                return;
            }
            var epilogue = s.NewBlock("tile.epilogue");
            var partial = s.NewBlock("tile.partial");
            var next = s.NewBlock("tile.next");
            LlvmCore.BuildCondBr(b, last, epilogue, partial);
            b.PositionAtEnd(partial);
            b.Store(value, address, (uint)k.Size);
            LlvmCore.BuildBr(b, next);
            b.PositionAtEnd(epilogue);
            var index = s.Unravel(batch, dot.BatchShape).ToList();
            index.AddRange(s.Unravel(i, LhsFreeShape(dot)));
            index.AddRange(s.Unravel(j, RhsFreeShape(dot)));
            output.Write(s, [.. index], s.Add(resultOffset, position), value);
            LlvmCore.BuildBr(b, next);
            b.PositionAtEnd(next);
        }, "c"), "r");
        LlvmCore.BuildBr(b, done);
        b.PositionAtEnd(done);
    }
}
