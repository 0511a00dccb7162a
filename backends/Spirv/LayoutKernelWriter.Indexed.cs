using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// <c>gather</c>, <c>scatter</c> and <c>scatter_add</c> (XLA's semantics, as the interpreter has them). A gather reads,
/// for each result element, its start vector from the indices and copies one operand element (clip: starts clamped
/// into the operand; fill: a window not wholly inside gives the fill value). A scatter is computed per operand element
/// (one thread each): the thread walks the index batch in order and applies every update window that lies inside the
/// operand and covers its element, so duplicate indices behave as in the interpreter (the last write wins; sums are
/// added in batch order, bit-exact for floats too) without atomics. The cost is the operand's elements times the
/// index batch: fine for small scatters, slow for large ones.
/// </summary>
internal sealed partial class LayoutKernelWriter
{
    /// <summary>The flat indices of the start vector's components for the index batch coordinates <paramref name="batch"/>.</summary>
    private SpirvId[] StartPositions(Shape indices, int vectorDim, int components, IReadOnlyList<SpirvId> batch)
    {
        if (vectorDim == indices.Rank) return [Ravel(indices, batch)];
        var coordinates = new List<SpirvId>(batch);
        coordinates.Insert(vectorDim, Zero);
        var positions = new SpirvId[components];
        for (int k = 0; k < components; k++)
        {
            coordinates[vectorDim] = U((uint)k);
            positions[k] = Ravel(indices, coordinates);
        }
        return positions;
    }

    private static Shape BatchShape(Shape indices, int vectorDim) => new([.. indices.Where((_, d) => d != vectorDim)]);

    /// <summary>gather: result element → operand element at (clamped) start + window coordinate.</summary>
    private static VulkanKernel Gather(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        var dtype = DTypeOf(op);
        var a = op.Attributes;
        int operand = w.Bind(VulkanBinding.Input, 0, dtype, "operand");
        int indices = w.Bind(VulkanBinding.Input, 1, op.Operands[1].Type.DType, "indices");
        int o = w.Bind(VulkanBinding.Output, 0, dtype, "out");
        var (offsetDims, collapsed, map) = (a.IntArray("offset_dims"), a.IntArray("collapsed_slice_dims"), a.IntArray("start_index_map"));
        int vectorDim = (int)a.Int("index_vector_dim");
        var sizes = a.Ints("slice_sizes");
        bool fill = a.TryGetValue("mode", out var mode) && mode is "fill";
        var (xShape, iShape, shape) = (op.Operands[0].Type.Shape, op.Operands[1].Type.Shape, op.Results[0].Type.Shape);
        var windowAxes = Enumerable.Range(0, xShape.Rank).Where(d => !collapsed.Contains(d)).ToArray();
        var batchAxes = Enumerable.Range(0, shape.Rank).Where(d => !offsetDims.Contains(d)).ToArray();
        byte[]? fillBits = null;
        if (fill)
        {
            double value = a.TryGetValue("fill_value", out var f) && f is double v ? v : GatherPrimitive.DefaultFillValue(dtype);
            fillBits = Ir.Buffer.ScalarOf(dtype, value).Bytes.ToArray();
        }
        return i =>
        {
            var c = w.Unravel(shape, i);
            var positions = w.StartPositions(iShape, vectorDim, map.Length, [.. batchAxes.Select(d => c[d])]);
            var source = new SpirvId[xShape.Rank];
            for (int d = 0; d < source.Length; d++) source[d] = w.Zero;
            for (int j = 0; j < windowAxes.Length; j++) source[windowAxes[j]] = c[offsetDims[j]];
            SpirvId? inside = null;
            for (int k = 0; k < map.Length; k++)
            {
                int d = map[k];
                var start = w.LoadIndex(indices, positions[k]);
                var last = w.LastStart(xShape[d], w.U(checked((uint)sizes[d])));
                if (fill)
                {
                    var ok = w.InRange(start, last);
                    inside = inside is { } all ? w.And(all, ok) : ok;
                }
                source[d] = w.Add(source[d], w.Clamp(start, last));
            }
            if (inside is not { } condition)
            {
                w.CopyElement(o, i, operand, w.Ravel(xShape, source));
                return;
            }
            w.If(condition, () => w.CopyElement(o, i, operand, w.Ravel(xShape, source)),
                () => w.StoreRaw(o, i, w.StorageConstant(dtype, fillBits)));
        };
    });

    /// <summary>scatter / scatter_add: each operand element walks the index batch in order (see the class comment).</summary>
    private static VulkanKernel Scatter(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        bool add = op.Primitive.Name == "scatter_add";
        var dtype = DTypeOf(op);
        var a = op.Attributes;
        int operand = w.Bind(VulkanBinding.Input, 0, dtype, "operand");
        int indices = w.Bind(VulkanBinding.Input, 1, op.Operands[1].Type.DType, "indices");
        int updates = w.Bind(VulkanBinding.Input, 2, dtype, "updates");
        int o = w.Bind(VulkanBinding.Output, 0, dtype, "out");
        var (windowDims, inserted, map) = (a.IntArray("update_window_dims"), a.IntArray("inserted_window_dims"), a.IntArray("scatter_dims_to_operand_dims"));
        int vectorDim = (int)a.Int("index_vector_dim");
        var (xShape, iShape, uShape) = (op.Operands[0].Type.Shape, op.Operands[1].Type.Shape, op.Operands[2].Type.Shape);
        var windowAxes = Enumerable.Range(0, xShape.Rank).Where(d => !inserted.Contains(d)).ToArray();
        var window = new Dim[xShape.Rank];
        for (int d = 0; d < window.Length; d++) window[d] = Dim.Of(1);
        for (int j = 0; j < windowAxes.Length; j++) window[windowAxes[j]] = uShape[windowDims[j]];
        var scatterAxes = Enumerable.Range(0, uShape.Rank).Where(d => !windowDims.Contains(d)).ToArray();
        var batchShape = BatchShape(iShape, vectorDim);
        const uint none = uint.MaxValue;
        return i =>
        {
            var m = w.M;
            var c = w.Unravel(xShape, i);
            if (add) w.CopyElement(o, i, operand, i);
            else m.Emit(SpirvOp.Store, null, w._found, w.U(none));
            var batchCount = batchShape.Aggregate(w.U(1), (p, d) => IsUnit(d) ? p : w.Mul(p, w.Size(d)));
            m.Emit(SpirvOp.Store, null, w._inner, w.Zero);
            w.CountedLoop(w._inner, batchCount, w.U(1), b =>
            {
                var batch = w.Unravel(batchShape, b);
                var positions = w.StartPositions(iShape, vectorDim, map.Length, batch);
                var starts = new SpirvId?[xShape.Rank];
                SpirvId? applies = null;
                void Require(SpirvId condition) => applies = applies is { } all ? w.And(all, condition) : condition;
                for (int k = 0; k < map.Length; k++)
                {
                    int d = map[k];
                    starts[d] = w.LoadIndex(indices, positions[k]);
                    Require(w.InRange(starts[d]!.Value, w.LastStart(xShape[d], w.Size(window[d]))));
                }
                // The window's coordinate along each operand axis: the element's minus the start, inside [0, window).
                var offsets = new SpirvId[xShape.Rank];
                for (int d = 0; d < offsets.Length; d++)
                {
                    if (starts[d] is not { } start)
                    {
                        offsets[d] = c[d];
                        if (window[d] != xShape[d]) Require(m.Emit(SpirvOp.ULessThan, w.Bool, c[d], w.Size(window[d])));
                        continue;
                    }
                    var t = m.Emit(SpirvOp.ISub, w.Int, w.ToInt(c[d]), start);
                    offsets[d] = w.ToUInt(t);
                    Require(w.And(m.Emit(SpirvOp.SGreaterThanEqual, w.Bool, t, w.I(0)),
                        m.Emit(SpirvOp.ULessThan, w.Bool, offsets[d], w.Size(window[d]))));
                }
                var u = new SpirvId[uShape.Rank];
                for (int j = 0; j < windowAxes.Length; j++) u[windowDims[j]] = offsets[windowAxes[j]];
                for (int j = 0; j < scatterAxes.Length; j++) u[scatterAxes[j]] = batch[j];
                void Apply()
                {
                    var from = w.Ravel(uShape, u);
                    if (!add)
                    {
                        m.Emit(SpirvOp.Store, null, w._found, from);
                        return;
                    }
                    var (sum, update) = (w.Load(o, i), w.Load(updates, from));
                    var type = w.Compute(dtype);
                    var value = dtype switch
                    {
                        DType.Bool => m.Emit(SpirvOp.LogicalOr, w.Bool, sum, update),
                        DType.Float16 or DType.BFloat16 or DType.Float32 or DType.Float64 => m.Emit(SpirvOp.FAdd, type, sum, update),
                        _ => m.Emit(SpirvOp.IAdd, type, sum, update),
                    };
                    w.Store(o, i, w.Canonicalize(dtype, value));
                }
                if (applies is { } condition) w.If(condition, Apply);
                else Apply();
            });
            if (add) return;
            var found = m.Emit(SpirvOp.Load, w.UInt, w._found);
            w.If(m.Emit(SpirvOp.IEqual, w.Bool, found, w.U(none)), () => w.CopyElement(o, i, operand, i), () => w.CopyElement(o, i, updates, found));
        };
    });
}
