using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// gather, scatter and scatter_add in XLA's general dimension numbers, as the interpreter runs them: one start
/// vector per batch position of the indices (read along <c>index_vector_dim</c>, each component sent to its operand
/// axis by the start map, the others starting at 0), and a strided window map per batch position. gather's batch
/// positions run in parallel chunks (each writes its own window of the result); its modes: <c>clip</c> clamps each start
/// into <c>[0, size - window]</c>, <c>fill</c> writes <c>fill_value</c> (or JAX's default) over a window not entirely
/// inside the operand. scatter copies the operand, then applies the update windows on one thread in row-major order
/// of the batch positions (so duplicates overwrite or accumulate in the interpreter's order), dropping a window not
/// entirely inside the operand; scatter_add adds in the dtype's arithmetic (float16/bfloat16 through float32, bool as or).
/// </summary>
internal static class IndexedWindowLowering
{
    /// <summary>Where the start vectors are: the batch dims of the indices and the position of a batch position's vector.</summary>
    private sealed class StartVectors(Value indices, int indexVectorDim)
    {
        private int Rank => indices.Type.Rank;

        /// <summary>The indices' axes that are batch dims (all but the index vector dimension).</summary>
        public int[] BatchAxes => Enumerable.Range(0, Rank).Where(a => a != indexVectorDim).ToArray();

        /// <summary>The shape of the batch dims.</summary>
        public Shape BatchShape => new(BatchAxes.Select(a => indices.Type.Shape[a]));

        /// <summary>The operand start of the batch position with multi-index <paramref name="batch"/>: component k at axis <c>map[k]</c>.</summary>
        public LLVMValueRef[] Starts(KernelScope s, LLVMValueRef[] batch, int[] map, int operandRank)
        {
            var strides = LayoutLowering.StridesOf(s, indices.Type.Shape);
            var axes = BatchAxes;
            var basePosition = s.Dot(batch.Select(IndexMath.Unknown).ToArray(), axes.Select(a => strides[a]).ToArray());
            var vectorStride = indexVectorDim < Rank ? strides[indexVectorDim] : s.Constant(0);
            var starts = Enumerable.Repeat(s.M.Int64(0), operandRank).ToArray();
            for (int k = 0; k < map.Length; k++)
                starts[map[k]] = LayoutLowering.IndexAt(s, indices, s.Plus(basePosition, s.Times(s.Constant(k), vectorStride)).Value);
            return starts;
        }
    }

    /// <summary>gather (see the class summary).</summary>
    public static void Gather(KernelScope scope, Operation op)
    {
        var (operand, indices, result) = (op.Operands[0], op.Operands[1], op.Results[0]);
        var a = op.Attributes;
        var vectors = new StartVectors(indices, (int)a.Int("index_vector_dim"));
        var map = a.IntArray("start_index_map");
        var sizes = a.Ints("slice_sizes");
        var collapsed = a.IntArray("collapsed_slice_dims").ToHashSet();
        var offsetDims = a.IntArray("offset_dims");
        bool fill = (a.TryGetValue("mode", out var mode) ? (string)mode : "clip") == "fill";
        var dtype = operand.Type.DType;
        var opShape = operand.Type.Shape;
        var outShape = result.Type.Shape;
        var windowAxes = Enumerable.Range(0, opShape.Rank).Where(d => !collapsed.Contains(d)).ToArray();
        long windowCount = windowAxes.Aggregate(1L, (p, d) => p * sizes[d]);
        var batchOut = Enumerable.Range(0, outShape.Rank).Where(d => !offsetDims.Contains(d)).ToArray();
        var batchCount = scope.Product(scope.SizesOf(vectors.BatchShape));
        if (windowCount == 0 || batchCount.Is(0)) return;
        if (!fill)
            for (int d = 0; d < opShape.Rank; d++) LayoutLowering.RequireAtLeast(scope, opShape[d], sizes[d], batchCount.Value);
        double fillValue = a.TryGetValue("fill_value", out var f) ? (double)f : GatherPrimitive.DefaultFillValue(dtype);
        long grain = Math.Max(1, LoopLowering.Grain / windowCount);

        scope.ParallelFor(batchCount.Value, grain, [operand, indices, result], (s, start, end) => s.For(start, end, position =>
        {
            var b = s.B;
            var batch = s.Unravel(position, vectors.BatchShape);
            var starts = vectors.Starts(s, batch, map, opShape.Rank);
            var opSizes = s.SizesOf(opShape);
            var opStrides = LayoutLowering.StridesOf(s, opShape);
            var outStrides = LayoutLowering.StridesOf(s, outShape);
            var lastStarts = Enumerable.Range(0, opShape.Rank).Select(d => s.Minus(opSizes[d], s.Constant(sizes[d])).Value).ToArray();
            var destination = s.Dot(batch.Select(IndexMath.Unknown).ToArray(), batchOut.Select(d => outStrides[d]).ToArray());
            var windowSizes = windowAxes.Select(d => s.Constant(sizes[d])).ToArray();
            var windowDestination = offsetDims.Select(d => outStrides[d]).ToArray();

            void Copy()
            {
                var clamped = starts.Select((t, d) => IndexMath.Unknown(s.Clamp(t, s.M.Int64(0), lastStarts[d]))).ToArray();
                var window = new StridedMap(s, windowSizes, windowAxes.Select(d => opStrides[d]).ToArray(), windowDestination, s.Dot(clamped, opStrides), destination);
                window.Copy(s, dtype, s.Pointer(operand), s.Pointer(result), s.M.Int64(0), s.M.Int64(windowCount));
            }
            if (!fill)
            {
                Copy();
                return;
            }
            var inside = s.NewBlock("gather.inside");
            var outside = s.NewBlock("gather.fill");
            var done = s.NewBlock("gather.done");
            LlvmCore.BuildCondBr(b, InBounds(s, starts, lastStarts), inside, outside);
            b.PositionAtEnd(inside);
            Copy();
            LlvmCore.BuildBr(b, done);
            b.PositionAtEnd(outside);
            var fillMap = new StridedMap(s, windowSizes, windowSizes.Select(_ => s.Constant(0)).ToArray(), windowDestination, s.Constant(0), destination);
            var bits = ElementBits.Constant(s.M, dtype, fillValue);
            var to = s.Pointer(result);
            fillMap.Emit(s, s.M.Int64(0), s.M.Int64(windowCount), (_, at) => ElementBits.Store(s, dtype, bits, to, at));
            LlvmCore.BuildBr(b, done);
            b.PositionAtEnd(done);
        }, "batch"));
    }

    /// <summary>True (an i1) when every start lies in <c>[0, last]</c>.</summary>
    private static LLVMValueRef InBounds(KernelScope s, LLVMValueRef[] starts, LLVMValueRef[] lastStarts)
    {
        var b = s.B;
        var inside = LlvmCore.ConstInt(s.M.I1, 1, false);
        for (int d = 0; d < starts.Length; d++)
        {
            var above = LlvmCore.BuildICmp(b, LLVMIntPredicate.SGE, starts[d], s.M.Int64(0), "");
            var below = LlvmCore.BuildICmp(b, LLVMIntPredicate.SLE, starts[d], lastStarts[d], "");
            inside = b.BinaryOperation(LLVMOpcode.And, inside, b.BinaryOperation(LLVMOpcode.And, above, below));
        }
        return inside;
    }

    /// <summary>scatter (<paramref name="add"/> false) and scatter_add (see the class summary).</summary>
    public static void Scatter(KernelScope scope, Operation op, bool add)
    {
        var (operand, indices, updates, result) = (op.Operands[0], op.Operands[1], op.Operands[2], op.Results[0]);
        var a = op.Attributes;
        var vectors = new StartVectors(indices, (int)a.Int("index_vector_dim"));
        var map = a.IntArray("scatter_dims_to_operand_dims");
        var windowDims = a.IntArray("update_window_dims");
        var inserted = a.IntArray("inserted_window_dims").ToHashSet();
        var dtype = operand.Type.DType;
        var (opShape, upShape) = (operand.Type.Shape, updates.Type.Shape);
        var windowAxes = Enumerable.Range(0, opShape.Rank).Where(d => !inserted.Contains(d)).ToArray();
        var scatterDims = Enumerable.Range(0, upShape.Rank).Where(d => !windowDims.Contains(d)).ToArray();
        LayoutLowering.DenseCopy(scope, operand, result);

        var s = scope;
        var b = s.B;
        var batchCount = s.Product(s.SizesOf(vectors.BatchShape));
        var windowSizes = windowDims.Select(d => s.SizeOf(upShape[d])).ToArray();
        var windowCount = s.Product(windowSizes);
        if (batchCount.Is(0) || windowCount.Is(0)) return;
        var opSizes = s.SizesOf(opShape);
        var opStrides = LayoutLowering.StridesOf(s, opShape);
        var upStrides = LayoutLowering.StridesOf(s, upShape);
        var window = Enumerable.Repeat(s.Constant(1), opShape.Rank).ToArray();
        for (int k = 0; k < windowAxes.Length; k++) window[windowAxes[k]] = windowSizes[k];
        var lastStarts = Enumerable.Range(0, opShape.Rank).Select(d => s.Minus(opSizes[d], window[d]).Value).ToArray();
        var (source, target) = (s.Pointer(updates), s.Pointer(result));
        s.For(s.M.Int64(0), batchCount.Value, position =>
        {
            var batch = s.Unravel(position, vectors.BatchShape);
            var starts = vectors.Starts(s, batch, map, opShape.Rank);
            var apply = s.NewBlock("scatter.apply");
            var next = s.NewBlock("scatter.next");
            LlvmCore.BuildCondBr(b, InBounds(s, starts, lastStarts), apply, next);
            b.PositionAtEnd(apply);
            var sourceOffset = s.Dot(batch.Select(IndexMath.Unknown).ToArray(), scatterDims.Select(d => upStrides[d]).ToArray());
            var destinationOffset = s.Dot(starts.Select(IndexMath.Unknown).ToArray(), opStrides);
            var windowMap = new StridedMap(s, windowSizes, windowDims.Select(d => upStrides[d]).ToArray(),
                windowAxes.Select(d => opStrides[d]).ToArray(), sourceOffset, destinationOffset);
            if (!add) windowMap.Copy(s, dtype, source, target, s.M.Int64(0), windowCount.Value);
            else
                windowMap.Emit(s, s.M.Int64(0), windowCount.Value, (from, to) =>
                {
                    var types = s.M.Types;
                    var (x, u) = (types.Load(b, dtype, target, to), types.Load(b, dtype, source, from));
                    var opcode = dtype == DType.Bool ? LLVMOpcode.Or : dtype.IsFloat() ? LLVMOpcode.FAdd : LLVMOpcode.Add;
                    types.Store(b, dtype, b.BinaryOperation(opcode, x, u), target, to);
                });
            LlvmCore.BuildBr(b, next);
            b.PositionAtEnd(next);
        }, "update");
    }
}
