using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// The structural (layout) primitives: transpose, slice, pad, concatenate, rev, dynamic_slice,
/// dynamic_update_slice and bitcast_convert_type are strided element maps (<see cref="StridedMap"/>) run over the
/// domain's flat positions in parallel chunks of <see cref="LoopLowering.Grain"/> elements (one chunk, on the calling
/// thread, for small arrays); rows are plain loops over consecutive positions, which LLVM vectorizes. Elements move as
/// their bits, so every dtype is exact. gather, scatter, scatter_add (<see cref="IndexedWindowLowering"/>) and sort
/// (<see cref="SortLowering"/>) have files of their own; this class is their entry in the lowering table. custom_lin
/// is refused here with the reason (it only exists before reverse-mode transposition finishes).
/// </summary>
internal static class LayoutLowering
{
    private static readonly Dictionary<Primitive, Action<KernelScope, Operation>> Table = new()
    {
        [Prims.Transpose] = Transpose,
        [Prims.Rev] = Rev,
        [Prims.Slice] = Slice,
        [Prims.Pad] = Pad,
        [Prims.Concatenate] = Concatenate,
        [Prims.DynamicSlice] = DynamicSlice,
        [Prims.DynamicUpdateSlice] = DynamicUpdateSlice,
        [Prims.BitcastConvertType] = Bitcast,
        [Prims.Gather] = IndexedWindowLowering.Gather,
        [Prims.Scatter] = (scope, op) => IndexedWindowLowering.Scatter(scope, op, add: false),
        [Prims.ScatterAdd] = (scope, op) => IndexedWindowLowering.Scatter(scope, op, add: true),
        [Prims.Sort] = SortLowering.Emit,
        [Prims.CustomLin] = (_, _) => throw new NotSupportedException(
            "'custom_lin' cannot be compiled: it is the tangent map of a custom_vjp function, which exists only between linearization and "
            + "transposition (a program that still holds it asked for forward-mode autodiff of a custom_vjp function; differentiate it in reverse mode)"),
    };

    /// <summary>Emits <paramref name="op"/> when it is one of the primitives lowered here; false otherwise.</summary>
    public static bool TryEmit(KernelScope scope, Operation op)
    {
        if (!Table.TryGetValue(op.Primitive, out var lowering)) return false;
        lowering(scope, op);
        return true;
    }

    /// <summary>
    /// Returns <see cref="KernelStatus.InvalidSymbolValue"/> from the kernel when symbolic dim <paramref name="size"/> is
    /// below <paramref name="minimum"/> (a static window that does not fit an axis bound too small, which the interpreter
    /// rejects too), so that no access leaves the buffer; with <paramref name="uses"/>, only when that count is not 0.
    /// Nothing for a static dim (checked by type inference).
    /// </summary>
    internal static void RequireAtLeast(KernelScope scope, Dim size, long minimum, LLVMValueRef? uses = null)
    {
        if (size.IsStatic || minimum <= 0) return;
        var b = scope.B;
        var fits = scope.NewBlock("window.fits");
        var fail = scope.NewBlock("window.too_large");
        var ok = LlvmCore.BuildICmp(b, LLVMIntPredicate.SGE, scope.Size(size), scope.M.Int64(minimum), "");
        if (uses is { } count) ok = b.BinaryOperation(LLVMOpcode.Or, ok, LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, count, scope.M.Int64(0), ""));
        LlvmCore.BuildCondBr(b, ok, fits, fail);
        b.PositionAtEnd(fail);
        LlvmCore.BuildRet(b, scope.M.Int32((int)KernelStatus.InvalidSymbolValue));
        b.PositionAtEnd(fits);
    }

    /// <summary>Row-major strides (in elements) of a value's shape, folded where known.</summary>
    internal static IndexValue[] StridesOf(KernelScope scope, Shape shape) => scope.RowMajorStrides(scope.SizesOf(shape));

    /// <summary>
    /// Runs a strided map, planned in the scope of each parallel chunk by <paramref name="plan"/> (its sizes must be
    /// <paramref name="sizes"/>), copying elements of <paramref name="dtype"/> from <paramref name="source"/>'s storage to
    /// <paramref name="destination"/>'s; <paramref name="reads"/> are the other values the plan reads (start indices).
    /// </summary>
    internal static void MapCopy(KernelScope scope, DType dtype, Value source, Value destination, Func<KernelScope, IndexValue[]> sizes,
        Func<KernelScope, StridedMap> plan, IEnumerable<Value>? reads = null)
    {
        var count = scope.Product(sizes(scope));
        if (count.Is(0)) return;
        var probe = plan(scope);
        if (probe.TileDim is int tileDim)
        {
            // A transposing map: parallel over strips of tiles (the plan is the same in every scope).
            var units = probe.TiledUnits(scope, tileDim);
            long perUnit = StridedMap.Tile * (probe.Sizes[^1].Known ?? StridedMap.Tile);
            scope.ParallelFor(units.Value, Math.Max(1, LoopLowering.Grain / perUnit), [source, destination, .. reads ?? []], (inner, start, end) =>
            {
                var (from, to) = (inner.Pointer(source), inner.Pointer(destination));
                plan(inner).EmitTiled(inner, tileDim, start, end, (f, t) => ElementBits.Move(inner, dtype, from, f, to, t));
            });
            return;
        }
        scope.ParallelFor(count.Value, LoopLowering.Grain, [source, destination, .. reads ?? []], (inner, start, end) =>
            plan(inner).Copy(inner, dtype, inner.Pointer(source), inner.Pointer(destination), start, end));
    }

    /// <summary>Copies a dense array into another (parallel chunks, vectorized rows); nothing when they are the same storage.</summary>
    internal static void DenseCopy(KernelScope scope, Value source, Value destination)
    {
        if (scope.Pointer(source).Handle == scope.Pointer(destination).Handle) return;
        var dtype = source.Type.DType;
        ElementBits.ParallelCopy(scope, dtype, scope.ElementCount(source.Type.Shape), [source, destination],
            inner => (inner.Pointer(source), inner.Pointer(destination)));
    }

    /// <summary>Fills a dense array with element 0 of <paramref name="scalar"/> (parallel chunks).</summary>
    internal static void Fill(KernelScope scope, Value scalar, Value destination)
    {
        var dtype = destination.Type.DType;
        scope.ParallelFor(scope.ElementCount(destination.Type.Shape), LoopLowering.Grain, [scalar, destination], (inner, start, end) =>
        {
            var bits = ElementBits.Load(inner, dtype, inner.Pointer(scalar), inner.M.Int64(0));
            var to = inner.Pointer(destination);
            inner.For(start, end, i => ElementBits.Store(inner, dtype, bits, to, i));
        });
    }

    /// <summary>
    /// An integer index element as an i64, as the interpreter reads it (<c>IndexAt</c>): signed dtypes sign-extend,
    /// unsigned ones zero-extend, and a uint64 beyond the int64 range saturates to its maximum.
    /// </summary>
    internal static LLVMValueRef IndexAt(KernelScope scope, Value indices, LLVMValueRef position)
    {
        var dtype = indices.Type.DType;
        var b = scope.B;
        var raw = scope.M.Types.Load(b, dtype, scope.Pointer(indices), position);
        if (dtype == DType.Bool) return LlvmCore.BuildCast(b, LLVMOpcode.ZExt, raw, scope.M.I64, "");
        if (dtype.BitWidth() < 64)
            return LlvmCore.BuildCast(b, dtype.IsUnsignedInteger() ? LLVMOpcode.ZExt : LLVMOpcode.SExt, raw, scope.M.I64, "");
        if (dtype != DType.UInt64) return raw;
        var negative = LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, raw, scope.M.Int64(0), "");
        return LlvmCore.BuildSelect(b, negative, scope.M.Int64(long.MaxValue), raw, "");
    }

    /// <summary>transpose: result axis i reads x's axis <c>permutation[i]</c>.</summary>
    private static void Transpose(KernelScope scope, Operation op)
    {
        var (x, result) = (op.Operands[0], op.Results[0]);
        var perm = op.Attributes.IntArray("permutation");
        MapCopy(scope, x.Type.DType, x, result, s => s.SizesOf(result.Type.Shape), s =>
        {
            var strides = StridesOf(s, x.Type.Shape);
            return StridedMap.IntoDense(s, s.SizesOf(result.Type.Shape), perm.Select(p => strides[p]).ToArray(), s.Constant(0));
        });
    }

    /// <summary>rev: reversed axes read backwards from their last element (a negative stride).</summary>
    private static void Rev(KernelScope scope, Operation op)
    {
        var (x, result) = (op.Operands[0], op.Results[0]);
        var axes = op.Attributes.IntArray("dimensions").ToHashSet();
        MapCopy(scope, x.Type.DType, x, result, s => s.SizesOf(x.Type.Shape), s =>
        {
            var sizes = s.SizesOf(x.Type.Shape);
            var strides = StridesOf(s, x.Type.Shape);
            var offset = s.Constant(0);
            var source = new IndexValue[strides.Length];
            for (int d = 0; d < strides.Length; d++)
            {
                if (!axes.Contains(d))
                {
                    source[d] = strides[d];
                    continue;
                }
                // The domain is empty when an axis has size 0, so the offset is then never used.
                offset = s.Plus(offset, s.Times(s.Minus(sizes[d], s.Constant(1)), strides[d]));
                source[d] = s.Minus(s.Constant(0), strides[d]);
            }
            return StridedMap.IntoDense(s, sizes, source, offset);
        });
    }

    /// <summary>slice: the window from <c>start_indices</c> by <c>strides</c>.</summary>
    private static void Slice(KernelScope scope, Operation op)
    {
        var (x, result) = (op.Operands[0], op.Results[0]);
        var start = op.Attributes.Ints("start_indices");
        var steps = op.Attributes.ContainsKey("strides") ? op.Attributes.Ints("strides") : Enumerable.Repeat(1L, start.Length).ToArray();
        var limit = op.Attributes.Ints("limit_indices");
        for (int d = 0; d < limit.Length; d++) RequireAtLeast(scope, x.Type.Shape[d], limit[d]);
        MapCopy(scope, x.Type.DType, x, result, s => s.SizesOf(result.Type.Shape), s =>
        {
            var strides = StridesOf(s, x.Type.Shape);
            var offset = s.Dot(start.Select(s.Constant).ToArray(), strides);
            return StridedMap.IntoDense(s, s.SizesOf(result.Type.Shape), strides.Select((t, d) => s.Times(t, s.Constant(steps[d]))).ToArray(), offset);
        });
    }

    /// <summary>
    /// pad: the result filled with the padding value, then x's elements that land inside it copied: element j of an
    /// axis lands at <c>low + j·(interior + 1)</c> (negative low/high crop). Symbolic axes are never padded.
    /// </summary>
    private static void Pad(KernelScope scope, Operation op)
    {
        var (x, value, result) = (op.Operands[0], op.Operands[1], op.Results[0]);
        var (low, interior) = (op.Attributes.Ints("low"), op.Attributes.Ints("interior"));
        Fill(scope, value, result);
        var xShape = x.Type.Shape;
        var outShape = result.Type.Shape;
        int rank = xShape.Rank;
        var first = new long[rank];
        var count = new long?[rank];
        for (int d = 0; d < rank; d++)
        {
            if (!xShape[d].IsStatic) continue; // low = high = interior = 0: the whole axis, in place.
            long step = interior[d] + 1, n = xShape[d].Size, size = outShape[d].Size;
            first[d] = low[d] >= 0 ? 0 : (-low[d] + step - 1) / step;
            long last = Math.Min(n - 1, FloorDiv(size - 1 - low[d], step));
            count[d] = Math.Max(0, last - first[d] + 1);
        }
        IndexValue[] Sizes(KernelScope s) => Enumerable.Range(0, rank).Select(d => count[d] is long c ? s.Constant(c) : s.SizeOf(xShape[d])).ToArray();
        if (count.Any(c => c == 0)) return;
        MapCopy(scope, x.Type.DType, x, result, Sizes, s =>
        {
            var xStrides = StridesOf(s, xShape);
            var outStrides = StridesOf(s, outShape);
            var sourceOffset = s.Dot(first.Select(s.Constant).ToArray(), xStrides);
            var destinationOffset = s.Dot(Enumerable.Range(0, rank).Select(d => s.Constant(low[d] + first[d] * (interior[d] + 1))).ToArray(), outStrides);
            var destination = outStrides.Select((t, d) => s.Times(t, s.Constant(interior[d] + 1))).ToArray();
            return new StridedMap(s, Sizes(s), xStrides, destination, sourceOffset, destinationOffset);
        });
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>concatenate: each operand written into its range of the joined axis.</summary>
    private static void Concatenate(KernelScope scope, Operation op)
    {
        var result = op.Results[0];
        int axis = (int)op.Attributes.Int("dimension");
        long position = 0;
        foreach (var x in op.Operands)
        {
            long at = position;
            MapCopy(scope, x.Type.DType, x, result, s => s.SizesOf(x.Type.Shape), s =>
            {
                var outStrides = StridesOf(s, result.Type.Shape);
                return StridedMap.FromDense(s, s.SizesOf(x.Type.Shape), outStrides, s.Times(s.Constant(at), outStrides[axis]));
            });
            // Only one operand may have a symbolic joined axis (then it is alone), so positions are static.
            position += x.Type.Shape[axis].IsStatic ? x.Type.Shape[axis].Size : 0;
        }
    }

    /// <summary>The start indices of a dynamic window clamped into <c>[0, size - window]</c>, as the interpreter's <c>ClampedStarts</c>.</summary>
    private static IndexValue[] ClampedStarts(KernelScope s, Operation op, int first, Shape shape, Shape window)
    {
        var starts = new IndexValue[shape.Rank];
        for (int d = 0; d < shape.Rank; d++)
        {
            var start = IndexAt(s, op.Operands[first + d], s.M.Int64(0));
            var upper = s.Minus(s.SizeOf(shape[d]), s.SizeOf(window[d]));
            starts[d] = IndexMath.Unknown(s.Clamp(start, s.M.Int64(0), upper.Value));
        }
        return starts;
    }

    /// <summary>dynamic_slice: the window at the clamped starts.</summary>
    private static void DynamicSlice(KernelScope scope, Operation op) =>
        DynamicWindow(scope, op, op.Operands[0], op.Results[0], op.Results[0].Type.Shape, firstStart: 1, intoWindow: false);

    /// <summary>dynamic_update_slice: x copied, then the update written over the window at the clamped starts.</summary>
    private static void DynamicUpdateSlice(KernelScope scope, Operation op)
    {
        DenseCopy(scope, op.Operands[0], op.Results[0]);
        DynamicWindow(scope, op, op.Operands[1], op.Results[0], op.Operands[1].Type.Shape, firstStart: 2, intoWindow: true);
    }

    /// <summary>
    /// Copies between a dense array of the window's shape and the window of x (operand 0) at the clamped starts
    /// (operands from <paramref name="firstStart"/>): out of the window, or into it when <paramref name="intoWindow"/>.
    /// </summary>
    private static void DynamicWindow(KernelScope scope, Operation op, Value source, Value destination, Shape window, int firstStart, bool intoWindow)
    {
        var x = op.Operands[0];
        for (int d = 0; d < window.Rank; d++)
            if (window[d].IsStatic) RequireAtLeast(scope, x.Type.Shape[d], window[d].Size);
        MapCopy(scope, x.Type.DType, source, destination, s => s.SizesOf(window), s =>
        {
            var strides = StridesOf(s, x.Type.Shape);
            var offset = s.Dot(ClampedStarts(s, op, firstStart, x.Type.Shape, window), strides);
            return intoWindow ? StridedMap.FromDense(s, s.SizesOf(window), strides, offset) : StridedMap.IntoDense(s, s.SizesOf(window), strides, offset);
        }, op.Operands.Skip(firstStart));
    }

    /// <summary>bitcast_convert_type (every form: the same bytes, little-endian): a byte copy.</summary>
    private static void Bitcast(KernelScope scope, Operation op)
    {
        var (x, result) = (op.Operands[0], op.Results[0]);
        if (scope.Pointer(x).Handle == scope.Pointer(result).Handle) return;
        var bytes = scope.Mul(scope.ElementCount(x.Type.Shape), scope.M.Int64(x.Type.DType.ItemSize()));
        ElementBits.ParallelCopy(scope, DType.UInt8, bytes, [x, result], inner => (inner.Pointer(x), inner.Pointer(result)));
    }
}
