namespace JaxToolchain.Ir.StableHlo;

/// <summary>Structural operations: shapes, slices, padding, contractions, gather and scatter, tuples.</summary>
internal sealed partial class FunctionLowering
{
    private object GetTupleElement()
    {
        var tuple = Lookup(_op.Operands[0]) as ImportedTuple ?? throw Invalid($"{_op.Operands[0]} is not a tuple");
        long index = Int(RequiredAttr("index"));
        return index >= 0 && index < tuple.Elements.Count ? tuple.Elements[(int)index] : throw Invalid($"index {index} is out of range for a tuple of {tuple.Elements.Count}");
    }

    /// <summary>The integers of an operand defined by a constant (the sizes and paddings dynamic_* ops take as operands).</summary>
    private long[] ConstantInts(Value v) => ShapeInts(v);

    /// <summary><c>real</c> of a real value is the value (complex element types are not imported).</summary>
    private Value RealPart() => Operand(0);

    private Value LowerIota()
    {
        var type = ResultType();
        return _e.Iota(type.DType, type.Shape, (int)Int(RequiredAttr("iota_dimension", "dim")));
    }

    /// <summary>
    /// <c>broadcast_in_dim</c> (and the dynamic form, whose shape comes from an operand): a dynamic result dim that an
    /// operand dim other than a static 1 maps to is that operand dim.
    /// </summary>
    private Value LowerBroadcastInDim(Shape? shape = null)
    {
        var x = Operand(0);
        var dims = Ints(RequiredAttr("broadcast_dimensions", "dims"));
        var target = (shape ?? ResultType().Shape).ToArray();
        for (int k = 0; k < dims.Length && k < x.Type.Rank; k++)
        {
            var from = x.Type.Shape[k];
            if (dims[k] < 0 || dims[k] >= target.Length || (from.IsStatic && from.Size == 1)) continue;
            if (!target[dims[k]].IsStatic) target[dims[k]] = from;
            else if (!from.IsStatic) UnifyDims(from, target[dims[k]]);
        }
        return _e.Emit1(Prims.BroadcastInDim, [x], Attributes.Of(("shape", new Shape(target)), ("broadcast_dimensions", dims)));
    }

    /// <summary>
    /// <c>reshape</c>; a dynamic result type of the operand's rank whose static dims agree with the operand's keeps the
    /// operand's dims (a reshape to itself), since a <c>?</c> there is no new size.
    /// </summary>
    private Value LowerReshape()
    {
        var x = Operand(0);
        var shape = ResultType().Shape;
        if (!shape.IsStatic && shape.Rank == x.Type.Rank
            && Enumerable.Range(0, shape.Rank).All(d => !shape[d].IsStatic || (x.Type.Shape[d].IsStatic && x.Type.Shape[d].Size == shape[d].Size)))
            shape = x.Type.Shape;
        return _e.Emit1(Prims.Reshape, [x], Attributes.Of(("shape", shape)));
    }

    /// <summary><c>concatenate</c>: the operands' dims other than the concatenated one are equal.</summary>
    private Value LowerConcatenate()
    {
        var operands = Operands();
        long dimension = Int(RequiredAttr("dimension", "dim"));
        for (int k = 1; k < operands.Length; k++)
        {
            if (operands[k].Type.Rank != operands[0].Type.Rank) continue;
            for (int d = 0; d < operands[0].Type.Rank; d++)
                if (d != dimension) UnifyDims(operands[0].Type.Shape[d], operands[k].Type.Shape[d]);
        }
        return _e.Emit1(Prims.Concatenate, operands, Attributes.Of(("dimension", dimension)));
    }

    private Value LowerSlice()
    {
        var x = Operand(0);
        long[] start, limit, strides;
        if (Attr("$slice") is MlirSliceRangesAttribute ranges)
        {
            start = ranges.Ranges.Select(r => r.Start).ToArray();
            limit = ranges.Ranges.Select(r => r.Limit).ToArray();
            strides = ranges.Ranges.Select(r => r.Stride).ToArray();
        }
        else
        {
            start = Ints(RequiredAttr("start_indices"));
            limit = Ints(RequiredAttr("limit_indices"));
            strides = IntsOr(Enumerable.Repeat(1L, start.Length).ToArray(), "strides");
        }
        return _e.Slice(x, start, limit, strides);
    }

    private Value LowerDynamicSlice() =>
        _e.Emit1(Prims.DynamicSlice, Operands(), Attributes.Of(("slice_sizes", Ints(RequiredAttr("slice_sizes", "sizes")))));

    private Value LowerPad()
    {
        var x = Operand(0);
        var zeros = new long[x.Type.Rank];
        return _e.Pad(x, Operand(1), IntsOr(zeros, "edge_padding_low", "low"), IntsOr(zeros, "edge_padding_high", "high"), IntsOr(zeros, "interior_padding", "interior"));
    }

    private Value LowerDotGeneral()
    {
        long[] lb, rb, lc, rc;
        if (Attr("dot_dimension_numbers") is MlirStructAttribute dn)
        {
            long[] Field(string n) => dn.Fields.TryGetValue(n, out var a) ? Ints(a) : [];
            (lb, rb, lc, rc) = (Field("lhs_batching_dimensions"), Field("rhs_batching_dimensions"), Field("lhs_contracting_dimensions"), Field("rhs_contracting_dimensions"));
        }
        else
        {
            (lb, rb) = Pair("batching_dims");
            (lc, rc) = Pair("contracting_dims");
        }
        return DotGeneral(Operand(0), Operand(1), lc, rc, lb, rb);
    }

    /// <summary>
    /// <c>chlo.ragged_dot</c> (JAX's <c>lax.ragged_dot</c> and <c>lax.ragged_dot_general</c>) in its three modes, with
    /// one-dimensional <c>group_sizes</c>: consecutive groups of the ragged dimension, of those sizes.
    /// <list type="bullet">
    /// <item>A ragged non-contracting lhs dimension (mode 1): each group of rows multiplies its own matrix of rhs (rhs's
    /// group dimension). The dot_general with every group's matrix, masked by each row's group, summed over the groups;
    /// rows past the last group give zeros, as in XLA.</item>
    /// <item>A ragged contracting dimension (mode 2): one product per group, over that group's part of the contraction;
    /// the result has the group dimension first. lhs masked per group (a new leading dimension), then one dot_general.</item>
    /// <item>A ragged batch dimension (mode 3): batches are independent, so the grouping changes nothing: the dot_general.</item>
    /// </list>
    /// </summary>
    private Value LowerRaggedDot()
    {
        if (_op.Operands.Count != 3) throw Invalid("ragged_dot takes lhs, rhs and group_sizes");
        var (lhs, rhs, sizes) = (Operand(0), Operand(1), Operand(2));
        if (Attr("ragged_dot_dimension_numbers") is not MlirStructAttribute dn) throw Invalid("missing attribute 'ragged_dot_dimension_numbers'");
        long[] Field(string n) => dn.Fields.TryGetValue(n, out var a) ? Ints(a) : [];
        var (lb, rb, lc, rc) = (Field("lhs_batching_dimensions"), Field("rhs_batching_dimensions"), Field("lhs_contracting_dimensions"), Field("rhs_contracting_dimensions"));
        var (ragged, group) = (Field("lhs_ragged_dimensions"), Field("rhs_group_dimensions"));
        if (ragged.Length != 1 || ragged[0] < 0 || ragged[0] >= lhs.Type.Rank) throw Invalid($"lhs_ragged_dimensions must name one dimension of {lhs.Type}");
        if (sizes.Type.Rank != 1)
            throw Unsupported($"op not in our primitive set: chlo.ragged_dot with group_sizes of shape {sizes.Type} (only one-dimensional group sizes are imported)");
        int raggedDim = (int)ragged[0];
        if (lb.Contains(raggedDim)) return DotGeneral(lhs, rhs, lc, rc, lb, rb);
        if (lc.Contains(raggedDim)) return RaggedContracting(lhs, rhs, sizes, raggedDim, lc, rc, lb, rb);
        if (group.Length != 1) throw Invalid("a ragged non-contracting dimension needs one rhs group dimension");
        var full = DotGeneral(lhs, rhs, lc, rc, lb, rb);
        // The dot_general's result: batch dims, lhs's free dims in order, rhs's free dims in order.
        var lhsFree = Enumerable.Range(0, lhs.Type.Rank).Where(d => !lb.Contains(d) && !lc.Contains(d)).ToList();
        var rhsFree = Enumerable.Range(0, rhs.Type.Rank).Where(d => !rb.Contains(d) && !rc.Contains(d)).ToList();
        int rowAxis = lb.Length + lhsFree.IndexOf(raggedDim);
        int groupAxis = lb.Length + lhsFree.Count + rhsFree.IndexOf((int)group[0]);
        var mask = _e.BroadcastInDim(GroupMask(sizes, full.Type.Shape[rowAxis], full.Type.DType), full.Type.Shape, [rowAxis, groupAxis]);
        return _e.ReduceSum(_e.Mul(full, mask), [groupAxis]);
    }

    /// <summary>Mode 2: lhs masked by each group's part of the ragged contracting dimension (a new leading dimension), one dot_general, the group moved first.</summary>
    private Value RaggedContracting(Value lhs, Value rhs, Value sizes, int raggedDim, long[] lc, long[] rc, long[] lb, long[] rb)
    {
        var groups = sizes.Type.Shape[0];
        var mask = GroupMask(sizes, lhs.Type.Shape[raggedDim], lhs.Type.DType);
        var grouped = new Shape([groups, .. lhs.Type.Shape]);
        var masked = _e.Mul(_e.BroadcastInDim(lhs, grouped, [.. Enumerable.Range(1, lhs.Type.Rank)]), _e.BroadcastInDim(_e.Transpose(mask, [1, 0]), grouped, [0, 1 + raggedDim]));
        long[] Shift(long[] dims) => [.. dims.Select(d => d + 1)];
        var product = DotGeneral(masked, rhs, Shift(lc), rc, Shift(lb), rb);
        // dot_general puts the batch dims first; the group is the first free lhs dim, right after them.
        int rank = product.Type.Rank;
        int[] permutation = [lb.Length, .. Enumerable.Range(0, rank).Where(d => d != lb.Length)];
        return _e.Transpose(product, permutation);
    }

    /// <summary>A [length, groups] mask of the dtype: 1 where index i lies in group g's [start, end) (the cumulative group sizes).</summary>
    private Value GroupMask(Value sizes, Dim length, DType dtype)
    {
        var counts = LowerConvert(sizes, DType.Int64);
        var ends = _e.Emit1(Prims.Cumsum, [counts], Attributes.Of(("axis", 0L), ("reverse", false)));
        var starts = _e.Sub(ends, counts);
        var grid = new Shape([length, sizes.Type.Shape[0]]);
        var index = _e.Iota(DType.Int64, grid, 0);
        var inGroup = _e.And(_e.Ge(index, _e.BroadcastInDim(starts, grid, [1])), _e.Lt(index, _e.BroadcastInDim(ends, grid, [1])));
        return _e.ConvertElementType(inGroup, dtype);
    }

    private (long[] Left, long[] Right) Pair(string name) => Attr(name) switch
    {
        null => ([], []),
        MlirPairAttribute p => (Ints(p.Left), Ints(p.Right)),
        var other => throw Invalid($"{name} must be '[..] x [..]', got {other}"),
    };

    private Value LowerDot()
    {
        var lhs = Operand(0);
        return DotGeneral(lhs, Operand(1), [lhs.Type.Rank - 1], [0], [], []);
    }

    /// <summary>A dot_general whose result dtype is the declared one: operands are converted to it first (i8 x i8 → i32).</summary>
    private Value DotGeneral(Value lhs, Value rhs, long[] lc, long[] rc, long[] lb, long[] rb)
    {
        var dtype = _op.ResultTypes.Count > 0 && TypeConversion.TryStatic(_op.ResultTypes[0], out var t) ? t.DType : lhs.Type.DType;
        for (int k = 0; k < Math.Min(lb.Length, rb.Length); k++) UnifyDim(lhs, lb[k], rhs, rb[k]);
        for (int k = 0; k < Math.Min(lc.Length, rc.Length); k++) UnifyDim(lhs, lc[k], rhs, rc[k]);
        lhs = LowerConvert(lhs, dtype);
        rhs = LowerConvert(rhs, dtype);
        return _e.DotGeneral(lhs, rhs, lc, rc, lb, rb);
    }

    private void UnifyDim(Value a, long da, Value b, long db)
    {
        if (da >= 0 && da < a.Type.Rank && db >= 0 && db < b.Type.Rank) UnifyDims(a.Type.Shape[(int)da], b.Type.Shape[(int)db]);
    }

    /// <summary>
    /// <c>gather</c>: our primitive is XLA's gather with clamped start indices, StableHLO's semantics. Batching dims
    /// (operand_batching_dims / start_indices_batching_dims) have no attribute of ours: each pair becomes one more
    /// index (an iota over the indices' batch dim) into a collapsed operand dim.
    /// </summary>
    private Value LowerGather(long[] sliceSizes)
    {
        var dn = Attr("dimension_numbers") as MlirStructAttribute ?? throw Invalid("missing dimension_numbers");
        long[] Field(string n) => dn.Fields.TryGetValue(n, out var a) ? Ints(a) : [];
        var operand = Operand(0);
        var indices = Operand(1);
        long ivd = dn.Fields.TryGetValue("index_vector_dim", out var iv) ? Int(iv) : indices.Type.Rank;
        var collapsed = Field("collapsed_slice_dims").ToList();
        var startIndexMap = Field("start_index_map").ToList();
        (indices, ivd) = AddBatchingIndices(indices, ivd, Field("operand_batching_dims"), Field("start_indices_batching_dims"), collapsed, startIndexMap);
        collapsed.Sort();
        return _e.Emit1(Prims.Gather, [operand, indices], Attributes.Of(
            ("offset_dims", Field("offset_dims")), ("collapsed_slice_dims", collapsed.ToArray()), ("start_index_map", startIndexMap.ToArray()),
            ("index_vector_dim", ivd), ("slice_sizes", sliceSizes), ("mode", "clip")));
    }

    /// <summary>Folds batching dims into ordinary indices: an iota per pair appended along the index vector dim.</summary>
    private (Value Indices, long IndexVectorDim) AddBatchingIndices(Value indices, long ivd, long[] operandBatching, long[] indicesBatching, List<long> collapsed, List<long> indexMap)
    {
        if (operandBatching.Length == 0) return (indices, ivd);
        if (operandBatching.Length != indicesBatching.Length) throw Invalid("the operand and index batching dims differ in number");
        if (ivd == indices.Type.Rank) indices = _e.ExpandDims(indices, [indices.Type.Rank]);
        var iotaShape = indices.Type.Shape.With((int)ivd, Dim.Of(1));
        var parts = new List<Value> { indices };
        for (int k = 0; k < operandBatching.Length; k++)
        {
            parts.Add(_e.Iota(indices.Type.DType, iotaShape, (int)indicesBatching[k]));
            collapsed.Add(operandBatching[k]);
            indexMap.Add(operandBatching[k]);
        }
        return (_e.Concatenate(parts, (int)ivd), ivd);
    }

    /// <summary>
    /// <c>scatter</c> with one operand and an update region that replaces (returns the update) or adds: our
    /// <c>scatter</c> and <c>scatter_add</c> (out-of-bounds windows are skipped, as StableHLO specifies); any other
    /// region without captured values (multiply, min, max, a custom computation): the runtime's decomposition
    /// (<c>Lax.ScatterApply</c>), given the region as the function <c>$computation</c>. Batching dims are folded into
    /// indices as for gather.
    /// </summary>
    private Value LowerScatter()
    {
        if (_op.Operands.Count != 3) throw Unsupported($"op not in our primitive set: stablehlo.scatter of {(_op.Operands.Count - 1) / 2} operands");
        var dn = Attr("scatter_dimension_numbers") as MlirStructAttribute ?? throw Invalid("missing scatter_dimension_numbers");
        long[] Field(string n) => dn.Fields.TryGetValue(n, out var a) ? Ints(a) : [];
        var region = _op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid("scatter needs one update region");
        var kind = RegionCombiner(region);
        var operand = Operand(0);
        var indices = Operand(1);
        long ivd = dn.Fields.TryGetValue("index_vector_dim", out var iv) ? Int(iv) : indices.Type.Rank;
        var inserted = Field("inserted_window_dims").ToList();
        var map = Field("scatter_dims_to_operand_dims").ToList();
        (indices, ivd) = AddBatchingIndices(indices, ivd, Field("input_batching_dims"), Field("scatter_indices_batching_dims"), inserted, map);
        inserted.Sort();
        Primitive? p = kind switch
        {
            "replace" => Prims.Scatter,
            "stablehlo.add" => Prims.ScatterAdd,
            _ => null,
        };
        if (p is null)
        {
            // Any other update computation (multiply, min, max, a custom region): the runtime's decomposition applies it
            // to the update elements one after another.
            if (FreeNames([region]).Count > 0 || StableHloDecompositions.Find("stablehlo.scatter") is not { } decomposition)
                throw Unsupported($"op not in our primitive set: stablehlo.scatter with a {kind} update region");
            var scalar = ShapedType.Scalar(operand.Type.DType);
            var computation = new Function("scatter_computation", LowerClosedRegion(region, [], [scalar, scalar]));
            if (computation.ResultTypes.Count != 1 || computation.ResultTypes[0].Rank != 0 || computation.ResultTypes[0].DType != scalar.DType)
                throw Invalid($"the scatter update region must return one {scalar} value");
            return (Value)LowerDecomposed(decomposition, [operand, indices, Operand(2)],
                ("$computation", computation), ("update_window_dims", Field("update_window_dims")), ("inserted_window_dims", inserted.ToArray()),
                ("scatter_dims_to_operand_dims", map.ToArray()), ("index_vector_dim", ivd))[0];
        }
        return _e.Emit1(p, [operand, indices, Operand(2)], Attributes.Of(
            ("update_window_dims", Field("update_window_dims")), ("inserted_window_dims", inserted.ToArray()),
            ("scatter_dims_to_operand_dims", map.ToArray()), ("index_vector_dim", ivd)));
    }
}
