namespace JaxToolchain.Ir.StableHlo;

/// <summary>The writers of control flow (<c>cond</c>, <c>while</c>, <c>scan</c>) and of gather/scatter.</summary>
internal sealed partial class FunctionWriter
{
    /// <summary>
    /// <c>cond</c> as <c>stablehlo.case</c>. Our index is clamped into range (StableHLO runs the last branch for any
    /// out-of-range index, so a negative index would differ): a bool index is converted to 0/1, an integer one
    /// clamped to [0, branches - 1]. The branches' arguments are the operation's operands, which StableHLO's regions
    /// read directly (they are not isolated from above).
    /// </summary>
    private HloValue[] Cond(HloValue[] operands, IReadOnlyList<Block> branches, ShapedType[] resultTypes)
    {
        var index = operands[0];
        var dtype = index.Type.DType;
        if (dtype != DType.Bool && branches.Count > 1)
        {
            // Clamped in its own dtype first, so that converting a wide index to i32 cannot wrap it.
            var lo = ScalarInt(dtype, 0);
            var hi = ScalarInt(dtype, branches.Count - 1);
            index = Emit1($"stablehlo.clamp {lo.Ref}, {index.Ref}, {hi.Ref} : {Ty(index.Type)}", index.Type with { Weak = false });
        }
        index = Convert(index, DType.Int32);
        var args = operands[1..];
        return EmitWithRegions("stablehlo.case", [index], null,
            branches.Select(b => ((IReadOnlyList<ShapedType>)[], (Func<HloValue[], IReadOnlyList<HloValue>>)(_ => Inline(b, args)))).ToArray(),
            resultTypes);
    }

    /// <summary>
    /// <c>while</c> as <c>stablehlo.while</c>. As JAX lowers it, the condition's and body's constants are carried
    /// through the loop unchanged (the loop's operands are <c>cond_consts, body_consts, carry</c>), so the regions read
    /// only their arguments (XLA's while takes one tuple).
    /// </summary>
    private HloValue[] While(HloValue[] operands, Operation op, Attributes a)
    {
        int cn = (int)a.Int("cond_nconsts"), bn = (int)a.Int("body_nconsts");
        int consts = cn + bn;
        var types = operands.Select(v => v.Type with { Weak = false }).ToArray();
        var outs = EmitWithRegions("stablehlo.while", operands, null,
        [
            (types, args => Inline(op.Regions[0], [.. args[..cn], .. args[consts..]])),
            (types, args => [.. args[..consts], .. Inline(op.Regions[1], [.. args[cn..consts], .. args[consts..]])]),
        ], types);
        return outs[consts..];
    }

    /// <summary>
    /// A <c>scan</c> left after <see cref="ScanToWhilePass"/> (which writes scans as <c>while</c> loops): one whose
    /// per-step slices have symbolic dims, whose sizes would be attributes of <c>dynamic_slice</c>.
    /// </summary>
    private static HloValue[] Scan(HloValue[] operands, Operation op)
    {
        int nc = (int)op.Attributes.Int("num_consts"), nk = (int)op.Attributes.Int("num_carry");
        var symbolic = operands[(nc + nk)..].Select(x => x.Type).Concat(op.Results.Skip(nk).Select(r => r.Type))
            .First(t => t.Shape.Skip(1).Any(d => !d.IsStatic));
        throw new NotSupportedException($"StableHLO export: scan over {symbolic with { Weak = false }} (a symbolic dimension in a per-step slice, whose size is an attribute of dynamic_slice)");
    }

    private static string DimensionList(string name, long[] values) => values.Length == 0 ? "" : $"{name} = [{Ints(values)}], ";

    private static long[] IntsOrEmpty(Attributes a, string name) => a.TryGetValue(name, out var v) && v is long[] l ? l : [];

    /// <summary>
    /// <c>gather</c> as <c>stablehlo.gather</c> (whose start indices are clamped, our "clip" mode). In "fill" mode
    /// (JAX's <c>mode="fill"</c>), as JAX lowers it: each batch position's start vector is checked
    /// (<c>0 &lt;= start &lt;= dim - slice size</c> per indexed axis), and windows that are not inside the operand are
    /// replaced by the fill value.
    /// </summary>
    private HloValue Gather(HloValue operand, HloValue indices, Attributes a, ShapedType result)
    {
        var offsetDims = IntsOrEmpty(a, "offset_dims");
        var collapsed = IntsOrEmpty(a, "collapsed_slice_dims");
        var startMap = IntsOrEmpty(a, "start_index_map");
        long ivd = a.Int("index_vector_dim");
        var sizes = a.Ints("slice_sizes");
        var numbers = $"#stablehlo.gather<{DimensionList("offset_dims", offsetDims)}{DimensionList("collapsed_slice_dims", collapsed)}"
            + $"{DimensionList("start_index_map", startMap)}index_vector_dim = {ivd}>";
        var gathered = Emit1($"\"stablehlo.gather\"({operand.Ref}, {indices.Ref}) <{{dimension_numbers = {numbers}, indices_are_sorted = false, slice_sizes = {I64Array(sizes)}}}> : ({Ty(operand.Type)}, {Ty(indices.Type)}) -> {Ty(result)}", result);
        bool fill = a.TryGetValue("mode", out var m) && m is "fill";
        if (!fill) return gathered;

        var itype = indices.Type.DType;
        var ishape = indices.Type.Shape;
        HloValue inBounds;
        var bounds = startMap.Select(axis => operand.Type.Shape[(int)axis].IsStatic
            ? operand.Type.Shape[(int)axis].Size - sizes[axis]
            : throw new NotSupportedException($"StableHLO export: gather in fill mode over the symbolic dimension '{operand.Type.Shape[(int)axis].Symbol}'")).ToArray();
        if (ivd == indices.Type.Rank)
        {
            inBounds = Binary("and", Compare("GE", indices, SplatInt(itype, 0, ishape)), Compare("LE", indices, SplatInt(itype, bounds[0], ishape)));
        }
        else
        {
            var boundBuffer = Buffer.Zeros(itype, Shape.Of(bounds.Length));
            for (int k = 0; k < bounds.Length; k++) boundBuffer.SetInt64(k, bounds[k]);
            var boundVector = Constant(boundBuffer);
            var limits = Broadcast(boundVector, ishape, [(int)ivd]);
            var each = Binary("and", Compare("GE", indices, SplatInt(itype, 0, ishape)), Compare("LE", indices, limits));
            inBounds = ReduceApplies(each, Scalar(DType.Bool, 1), "and", [(int)ivd]);
        }
        var batchDims = Enumerable.Range(0, result.Rank).Where(d => !offsetDims.Contains(d)).ToArray();
        var mask = Broadcast(inBounds, result.Shape, batchDims);
        var dtype = result.DType;
        double fillValue = a.TryGetValue("fill_value", out var f) && f is double d ? d : GatherPrimitive.DefaultFillValue(dtype);
        HloValue filler = dtype.IsFloat() || dtype == DType.Bool
            ? Splat(dtype, dtype == DType.Bool ? (fillValue != 0 ? 1 : 0) : fillValue, result.Shape)
            : SplatInt(dtype, fillValue >= 9.2233720368547758E18 ? -1 : (long)fillValue, result.Shape);
        return Select(mask, gathered, filler);
    }

    /// <summary>
    /// <c>scatter</c>/<c>scatter_add</c> as <c>stablehlo.scatter</c> with an update region that keeps the update or adds
    /// it; out-of-bounds windows are dropped, as in StableHLO.
    /// </summary>
    private HloValue Scatter(HloValue operand, HloValue indices, HloValue updates, Attributes a, bool add)
    {
        var numbers = $"#stablehlo.scatter<{DimensionList("update_window_dims", IntsOrEmpty(a, "update_window_dims"))}"
            + $"{DimensionList("inserted_window_dims", IntsOrEmpty(a, "inserted_window_dims"))}"
            + $"{DimensionList("scatter_dims_to_operand_dims", IntsOrEmpty(a, "scatter_dims_to_operand_dims"))}index_vector_dim = {a.Int("index_vector_dim")}>";
        var scalar = ShapedType.Scalar(operand.Type.DType);
        var type = operand.Type with { Weak = false };
        return EmitWithRegions("stablehlo.scatter", [operand, indices, updates],
            $"indices_are_sorted = false, scatter_dimension_numbers = {numbers}, unique_indices = false",
            [([scalar, scalar], args => [add ? (operand.Type.DType == DType.Bool ? Binary("or", args[0], args[1]) : Binary("add", args[0], args[1])) : args[1]])],
            [type])[0];
    }
}
