namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Operations with regions. Reductions, sorts and scatters map to our primitives by recognising what their region
/// computes (one binary op; a compare); while/if/case/call lower their regions to closed blocks: values a region
/// uses from outside become explicit operands (our regions are closed).
/// </summary>
internal sealed partial class FunctionLowering
{
    /// <summary>
    /// What a two-argument combiner region computes: <c>replace</c> when it returns its second argument, the op's name
    /// when it returns one binary op of both arguments (either order), else a description of it.
    /// </summary>
    private static string RegionCombiner(MlirRegion region)
    {
        if (region.Arguments.Count != 2) return $"{region.Arguments.Count}-argument";
        string a = region.Arguments[0].Name, b = region.Arguments[1].Name;
        var ops = region.Operations;
        if (ops.Count == 1 && ops[0].Operands is [var r] && r == b) return "replace";
        if (ops.Count == 2 && ops[0].Operands.Count == 2 && ops[0].Results.Count == 1 && ops[1].Operands is [var ret] && ret == ops[0].Results[0]
            && ((ops[0].Operands[0] == a && ops[0].Operands[1] == b) || (ops[0].Operands[0] == b && ops[0].Operands[1] == a)))
            return ops[0].Name;
        return "custom";
    }

    /// <summary>Whether a combiner (<see cref="RegionCombiner"/>) is one of the ops our <c>reduce_*</c> primitives reduce with.</summary>
    private static bool IsReduceOp(string combiner) =>
        combiner is "stablehlo.add" or "stablehlo.multiply" or "stablehlo.maximum" or "stablehlo.minimum" or "stablehlo.and" or "stablehlo.or";

    /// <summary>A reduce_window's window dimensions, strides, base and window dilations (1 where absent) and padding (0 where absent; two per dimension).</summary>
    private (long[] Window, long[] Strides, long[] BaseDilations, long[] WindowDilations, long[] Padding) WindowAttributes(int rank)
    {
        var ones = Enumerable.Repeat(1L, rank).ToArray();
        return (Ints(RequiredAttr("window_dimensions")), IntsOr(ones, "window_strides"), IntsOr(ones, "base_dilations"),
            IntsOr(ones, "window_dilations"), IntsOr(new long[2 * rank], "padding"));
    }

    /// <summary>
    /// <c>reduce</c> of one input whose body is add, multiply, maximum, minimum, and or or: our <c>reduce_*</c>, then
    /// combined once with the init value (StableHLO folds the init value into the reduction); argmax/argmin of values
    /// and an iota: our <c>argmax</c>/<c>argmin</c>; any other body or number of inputs: folded by the body
    /// (<see cref="LowerReduceByBody"/>).
    /// </summary>
    private IReadOnlyList<object> LowerReduce()
    {
        if (_op.Operands.Count == 4 && TryArgReduce() is { } arg) return arg;
        if (_op.Operands.Count != 2) return LowerReduceByBody();
        var combiner = _op.Symbol ?? RegionCombiner(_op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid("reduce needs one body region"));
        if (_op.Symbol is null && !IsReduceOp(combiner)) return LowerReduceByBody();
        (Primitive reduce, Primitive combine) = combiner switch
        {
            "stablehlo.add" => ((Primitive)Prims.ReduceSum, (Primitive)Prims.Add),
            "stablehlo.multiply" => (Prims.ReduceProd, Prims.Mul),
            "stablehlo.maximum" => (Prims.ReduceMax, Prims.Max),
            "stablehlo.minimum" => (Prims.ReduceMin, Prims.Min),
            "stablehlo.and" => (Prims.ReduceAnd, Prims.And),
            "stablehlo.or" => (Prims.ReduceOr, Prims.Or),
            _ => throw Unsupported($"op not in our primitive set: stablehlo.reduce with a {combiner} body"),
        };
        var x = Operand(0);
        var init = Operand(1);
        var axes = Ints(RequiredAttr("dimensions"));
        var reduced = axes.Length == 0 ? x : _e.Emit1(reduce, [x], Attributes.Of(("axes", axes)));
        return [_e.Emit1(combine, [_e.BroadcastInDim(init, reduced.Type.Shape, []), reduced])];
    }

    /// <summary>
    /// <c>reduce_window</c> of one input whose body is add, multiply, maximum, minimum, and or or. A cumulative op (how
    /// JAX lowers cumsum/cumprod/cummax/cummin on CPU, and the exporter writes them: a window of the whole length n of
    /// one axis, 1 elsewhere, unit strides and dilations, padding n - 1 before (after: reversed) that axis) is our
    /// cumulative primitive, the init value combined once more unless it is the op's identity (as our reduce lowering
    /// does for <c>reduce</c>); any other window (pooling) is the runtime's registered decomposition
    /// (<c>Lax.ReduceWindow</c>: windows gathered and reduced), given the body's op as the attribute <c>$body</c>.
    /// Several inputs, or any other body: folded by the body (<see cref="LowerReduceWindowByBody"/>).
    /// </summary>
    private IReadOnlyList<object> LowerReduceWindow()
    {
        if (_op.Operands.Count != 2) return LowerReduceWindowByBody();
        var x = Operand(0);
        var init = Operand(1);
        int rank = x.Type.Rank;
        var combiner = RegionCombiner(_op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid("reduce_window needs one body region"));
        if (!IsReduceOp(combiner)) return LowerReduceWindowByBody();
        var (window, strides, baseDilations, windowDilations, padding) = WindowAttributes(rank);
        bool unit = combiner is not ("stablehlo.and" or "stablehlo.or")
            && baseDilations.All(v => v == 1) && windowDilations.All(v => v == 1) && strides.All(v => v == 1);
        int axis = -1;
        bool reverse = false;
        for (int d = 0; d < rank && unit && window.Length == rank && padding.Length == 2 * rank; d++)
        {
            var size = x.Type.Shape[d];
            long lo = padding[2 * d], hi = padding[2 * d + 1];
            if (window[d] == 1 && lo == 0 && hi == 0) continue;
            if (axis >= 0 || !size.IsStatic || window[d] != size.Size) { unit = false; break; }
            axis = d;
            if (lo == size.Size - 1 && hi == 0) reverse = false;
            else if (lo == 0 && hi == size.Size - 1) reverse = true;
            else unit = false;
        }
        if (!unit || window.Length != rank || padding.Length != 2 * rank)
        {
            if (StableHloDecompositions.Find("stablehlo.reduce_window") is { } windows)
                return LowerDecomposed(windows, Operands(), ("$body", combiner));
            return LowerReduceWindowByBody();
        }
        (Primitive cumulative, Primitive combine, double identity) = combiner switch
        {
            "stablehlo.add" => ((Primitive)Prims.Cumsum, (Primitive)Prims.Add, 0.0),
            "stablehlo.multiply" => (Prims.Cumprod, Prims.Mul, 1.0),
            "stablehlo.maximum" => (Prims.Cummax, Prims.Max, double.NegativeInfinity),
            _ => (Prims.Cummin, Prims.Min, double.PositiveInfinity),
        };
        if (axis < 0) axis = Enumerable.Range(0, rank).FirstOrDefault(d => x.Type.Shape[d] is { IsStatic: true, Size: 1 }, -1);
        if (axis < 0) return One(_e.Emit1(combine, [_e.BroadcastInDim(init, x.Type.Shape, []), x]));
        var result = _e.Emit1(cumulative, [x], Attributes.Of(("axis", (long)axis), ("reverse", reverse)));
        bool isIdentity = init.Definer is { } def && def.Primitive == Prims.Constant && IsIdentity(def.Attributes.Buffer("value"), identity);
        return One(isIdentity ? result : _e.Emit1(combine, [_e.BroadcastInDim(init, x.Type.Shape, []), result]));
    }

    /// <summary>
    /// <c>select_and_scatter</c> whose select region is one compare of its two arguments (GE, GT, LE, LT: JAX's
    /// <c>_select_and_scatter_add</c>, the gradient of max and min pooling) and whose scatter region is an add: the
    /// runtime's registered decomposition (windows gathered, argmax/argmin, one scatter_add), given the comparison as
    /// the attribute <c>$select</c>.
    /// </summary>
    private Value LowerSelectAndScatter()
    {
        if (_op.Operands.Count != 3 || _op.Regions.Count != 2) throw Invalid("select_and_scatter takes an operand, a source and an init value, and a select and a scatter region");
        var direction = SelectDirection(_op.Regions[0]);
        var scatter = RegionCombiner(_op.Regions[1]);
        if (direction is null || scatter != "stablehlo.add" || StableHloDecompositions.Find("stablehlo.select_and_scatter") is not { } decomposition)
            throw Unsupported($"op not in our primitive set: stablehlo.select_and_scatter other than one GE/GT/LE/LT compare selecting and an add scattering (select {direction ?? "custom"}, scatter {scatter})");
        return (Value)LowerDecomposed(decomposition, Operands(), ("$select", direction))[0];
    }

    /// <summary>The direction of a select region that is one compare of its two arguments (flipped when they are swapped), or null.</summary>
    private static string? SelectDirection(MlirRegion region)
    {
        var ops = region.Operations;
        if (region.Arguments.Count != 2 || ops.Count != 2 || ops[0].Name != "stablehlo.compare" || ops[0].Operands.Count != 2
            || ops[1].Operands.Count != 1 || ops[1].Operands[0] != ops[0].Results[0])
            return null;
        string a = region.Arguments[0].Name, b = region.Arguments[1].Name;
        var direction = CompareDirection(ops[0]);
        if (direction is not ("GE" or "GT" or "LE" or "LT")) return null;
        if (ops[0].Operands[0] == a && ops[0].Operands[1] == b) return direction;
        if (ops[0].Operands[0] == b && ops[0].Operands[1] == a)
            return direction switch { "GE" => "LE", "GT" => "LT", "LE" => "GE", _ => "GT" };
        return null;
    }

    /// <summary>A compare's direction (<c>GT</c>, ...): its attribute, or the first word of its pretty form; null when neither is written.</summary>
    private static string? CompareDirection(MlirOperation compare) =>
        WordOf(compare.Attributes.GetValueOrDefault("comparison_direction")) ?? (compare.Words.Count > 0 ? compare.Words[0] : null);

    /// <summary>Whether a scalar is a reduction's identity (for integers, ±inf stands for the dtype's MIN/MAX).</summary>
    private static bool IsIdentity(Buffer b, double identity)
    {
        if (b.DType.IsFloat()) return b.GetDouble(0) == identity;
        if (!double.IsInfinity(identity)) return b.GetInt64(0) == (long)identity;
        var bound = IntBuffer(b.DType, identity > 0 ? (b.DType.IsSignedInteger() ? long.MaxValue : -1) : (b.DType.IsSignedInteger() ? long.MinValue : 0));
        return b.GetInt64(0) == bound.GetInt64(0);
    }

    /// <summary>
    /// <c>sort</c> whose comparator is one compare of one operand's pair of arguments: a stable sort on that key,
    /// ascending for LT/LE, descending for GT/GE (the key bitwise-negated for integers, negated for floats, so that
    /// our ascending sort gives the descending order; equal keys keep their order).
    /// </summary>
    private IReadOnlyList<object> LowerSort()
    {
        var operands = Operands();
        if (operands.Length == 0) throw Invalid("sort needs operands");
        var region = _op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid("sort needs one comparator region");
        var ops = region.Operations;
        long dimension = Attr("dimension") is { } d ? Int(d) : -1;
        if (dimension < 0) dimension += operands[0].Type.Rank;
        for (int k = 1; k < operands.Length; k++) UnifyShapes(operands[0], operands[k]);
        if (ops.Count != 2 || ops[0].Name != "stablehlo.compare" || ops[1].Operands.Count != 1 || ops[1].Operands[0] != ops[0].Results[0])
        {
            // Lexicographic over the first keys (the exporter's comparator, JAX's lax.sort with num_keys).
            int keys = ProbeSortKeys(region, operands)
                ?? throw Unsupported("op not in our primitive set: stablehlo.sort with a comparator that is neither one compare nor an ascending lexicographic order over its first operands (NaN last, -0.0 equal to 0.0)");
            return _e.Emit(Prims.Sort, operands, Attributes.Of(("dimension", dimension), ("is_stable", true), ("num_keys", (long)keys))).ToArray();
        }
        var cmp = ops[0];
        int i = region.Arguments.ToList().FindIndex(a => a.Name == cmp.Operands[0]);
        int j = region.Arguments.ToList().FindIndex(a => a.Name == cmp.Operands[1]);
        if (i < 0 || j < 0 || i / 2 != j / 2 || i == j)
            throw Unsupported("op not in our primitive set: stablehlo.sort with a comparator other than one compare of one operand's pair");
        var direction = CompareDirection(cmp) ?? "";
        bool ascending = direction switch
        {
            "LT" or "LE" => i < j,
            "GT" or "GE" => i > j,
            _ => throw Unsupported($"op not in our primitive set: stablehlo.sort with a {direction} comparator"),
        };
        var key = operands[i / 2];
        if (!ascending) key = key.Type.DType.IsFloat() ? _e.Neg(key) : _e.Not(key);
        var sorted = _e.Emit(Prims.Sort, [key, .. operands], Attributes.Of(("dimension", dimension), ("is_stable", true), ("num_keys", 1L)));
        return sorted.Skip(1).ToArray();
    }

    /// <summary>
    /// <c>chlo.top_k</c> (JAX's <c>lax.top_k</c>): the k largest values along the last axis and their indices, larger
    /// first and, among equal values, the lower index first: a stable ascending sort of the key negated (floats) or
    /// bitwise-inverted (integers), carrying the values and an iota, sliced to k. NaNs sort as the smallest values.
    /// </summary>
    private IReadOnlyList<object> LowerTopK()
    {
        var x = Operand(0);
        if (x.Type.Rank == 0) throw Invalid($"top_k needs an operand of rank 1 or more, got {x.Type}");
        if (!x.Type.Shape.IsStatic) throw Unsupported($"op not in our primitive set: chlo.top_k over the dynamic shape {x.Type}");
        int last = x.Type.Rank - 1;
        long k = Int(RequiredAttr("k"));
        if (k < 0 || k > x.Type.Shape[last].Size) throw Invalid($"k = {k} is not within the last dimension of {x.Type}");
        var indexType = _op.ResultTypes.Count > 1 && TypeConversion.TryStatic(_op.ResultTypes[1], out var t) ? t.DType : DType.Int32;
        var key = x.Type.DType.IsFloat() ? _e.Neg(x) : _e.Not(x);
        var iota = _e.Iota(indexType, x.Type.Shape, last);
        var sorted = _e.Emit(Prims.Sort, [key, x, iota], Attributes.Of(("dimension", (long)last), ("is_stable", true), ("num_keys", 1L)));
        var start = new long[x.Type.Rank];
        var limit = x.Type.Shape.Sizes;
        limit[last] = k;
        var strides = Enumerable.Repeat(1L, x.Type.Rank).ToArray();
        return [_e.Slice(sorted[1], start, limit, strides), _e.Slice(sorted[2], start, limit, strides)];
    }

    /// <summary>The names a region uses that it does not define (its captures), in order of first use.</summary>
    private static List<string> FreeNames(IEnumerable<MlirRegion> regions)
    {
        var free = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in regions) CollectFree(r, new HashSet<string>(StringComparer.Ordinal), free, seen);
        return free;
    }

    private static void CollectFree(MlirRegion region, HashSet<string> outerDefined, List<string> free, HashSet<string> seen)
    {
        var defined = new HashSet<string>(outerDefined, StringComparer.Ordinal);
        foreach (var a in region.Arguments) defined.Add(a.Name);
        foreach (var op in region.Operations)
        {
            foreach (var name in op.Operands)
                if (!defined.Contains(name) && !defined.Contains(name + "#0") && seen.Add(name)) free.Add(name);
            foreach (var nested in op.Regions) CollectFree(nested, defined, free, seen);
            foreach (var r in op.Results) defined.Add(r);
        }
    }

    /// <summary>A region as a closed block: its captures' values first, then its own arguments (of the given types).</summary>
    private Block LowerClosedRegion(MlirRegion region, IReadOnlyList<string> captures, IReadOnlyList<ShapedType> argumentTypes)
    {
        var captured = captures.Select(Value).ToArray();
        if (region.Arguments.Count != argumentTypes.Count)
            throw Invalid($"a region takes {region.Arguments.Count} arguments, the operation passes {argumentTypes.Count}");
        var block = new Block(captured.Select(v => v.Type).Concat(argumentTypes));
        var inner = new FunctionLowering(_module, block, null);
        for (int k = 0; k < captures.Count; k++) inner.Bind(captures[k], block.Arguments[k]);
        for (int k = 0; k < region.Arguments.Count; k++) inner.Bind(region.Arguments[k].Name, block.Arguments[captures.Count + k]);
        inner.LowerOperations(region, isFunctionBody: false);
        return block;
    }

    /// <summary><c>while</c>: our <c>while</c> with each region's captures as its constants.</summary>
    private IReadOnlyList<object> LowerWhile()
    {
        if (_op.Regions.Count != 2) throw Invalid("while needs cond and body regions");
        var init = Operands();
        var carryTypes = init.Select(v => v.Type).ToArray();
        var condCaptures = FreeNames([_op.Regions[0]]);
        var bodyCaptures = FreeNames([_op.Regions[1]]);
        var cond = LowerClosedRegion(_op.Regions[0], condCaptures, carryTypes);
        if (cond.Results is [var p] && p.Type.Rank == 0 && p.Type.DType == DType.Bool) { }
        else throw Invalid("the cond region must return one i1 scalar");
        var body = LowerClosedRegion(_op.Regions[1], bodyCaptures, carryTypes);
        for (int k = 0; k < Math.Min(init.Length, body.Results.Count); k++) UnifyShapes(init[k], body.Results[k]);
        var operands = condCaptures.Select(Value).Concat(bodyCaptures.Select(Value)).Concat(init).ToArray();
        return _e.Emit(Prims.While, operands, Attributes.Of(("cond_nconsts", condCaptures.Count), ("body_nconsts", bodyCaptures.Count)), [cond, body]).ToArray();
    }

    /// <summary><c>if</c>: our <c>cond</c> on the predicate (bool index 0 runs the false branch, so the branches swap).</summary>
    private IReadOnlyList<object> LowerIf()
    {
        if (_op.Regions.Count != 2) throw Invalid("if needs true and false branches");
        return LowerBranches(Operand(0), [_op.Regions[1], _op.Regions[0]]);
    }

    /// <summary>
    /// <c>case</c>: our <c>cond</c>; StableHLO runs the last branch for any index out of range, our <c>cond</c> clamps
    /// (a negative index would run branch 0), so a negative index is first replaced by the last branch's.
    /// </summary>
    private IReadOnlyList<object> LowerCase()
    {
        var index = Operand(0);
        if (index.Type.DType != DType.Int32) index = _e.ConvertElementType(index, DType.Int32);
        int n = _op.Regions.Count;
        var last = ScalarConstant(DType.Int32, n - 1);
        index = _e.Select(_e.Lt(index, ScalarConstant(DType.Int32, 0)), last, index);
        return LowerBranches(index, _op.Regions);
    }

    private IReadOnlyList<object> LowerBranches(Value index, IReadOnlyList<MlirRegion> branches)
    {
        var captures = FreeNames(branches);
        var blocks = branches.Select(b => LowerClosedRegion(b, captures, [])).ToArray();
        for (int b = 1; b < blocks.Length; b++)
            for (int k = 0; k < Math.Min(blocks[0].Results.Count, blocks[b].Results.Count); k++) UnifyShapes(blocks[0].Results[k], blocks[b].Results[k]);
        return _e.Emit(Prims.Cond, [index, .. captures.Select(Value)], null, blocks).ToArray();
    }

    /// <summary>
    /// <c>map</c>: the region, a computation on 0-d tensors, applied at every index of its operands (all of the same
    /// shape; <c>dimensions</c> must list every axis in order, as the spec requires), over static or dynamic dims
    /// (<see cref="ApplyScalarRegion"/>).
    /// </summary>
    private IReadOnlyList<object> LowerMap()
    {
        var operands = Operands();
        if (operands.Length == 0) throw Invalid("map needs operands");
        var region = _op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid("map needs one computation region");
        for (int k = 1; k < operands.Length; k++) UnifyShapes(operands[0], operands[k]);
        var shape = operands[0].Type.Shape;
        long[] dimensions = Attr("dimensions") is { } d ? Ints(d) : [.. Enumerable.Range(0, shape.Rank).Select(a => (long)a)];
        if (!dimensions.SequenceEqual(Enumerable.Range(0, shape.Rank).Select(a => (long)a)))
            throw Invalid($"map dimensions [{string.Join(", ", dimensions)}] must be every axis of the operands in order (0 to {shape.Rank - 1})");
        return [.. ApplyScalarRegion(region, operands, "map_computation")];
    }

    /// <summary><c>func.call</c> (and <c>composite</c>, a call of its decomposition): our <c>call</c> of the callee's body.</summary>
    private IReadOnlyList<object> LowerCall(string callee)
    {
        var function = _module.Find(callee, _op.Location, _op.Name);
        // Sizes of dynamic dims (JAX passes its dimension variables as i64 scalars) are bound inside the callee.
        var sizes = new Dictionary<int, object>();
        for (int k = 0; k < _op.Operands.Count; k++)
            if (SizesOf(_op.Operands[k]) is { } s) sizes[k] = s;
        var body = _module.LowerBody(function, null, sizes);
        var operands = _op.Operands.Where((_, k) => !sizes.ContainsKey(k)).Select(Value).ToArray();
        for (int k = 0; k < Math.Min(operands.Length, body.Arguments.Count); k++) UnifyShapes(operands[k], body.Arguments[k]);
        return _e.Emit(Prims.Call, operands, Attributes.Of(("callee", callee)), [body]).ToArray();
    }

    /// <summary>
    /// <c>chlo.scan</c>: our <c>scan</c>. Its region takes (x slices, carries) and returns (y slices, carries); ours
    /// takes (captures, carries, x slices) and returns (carries, y slices), so the arguments are bound and the results
    /// reordered accordingly; a scan along dimension d scans the xs transposed to bring d first, and the ys back.
    /// </summary>
    private IReadOnlyList<object> LowerScan()
    {
        int numInputs = (int)Int(RequiredAttr("num_inputs"));
        var operands = Operands();
        var xs = operands.Take(numInputs).ToArray();
        var init = operands.Skip(numInputs).ToArray();
        if (xs.Length == 0) throw Invalid("scan needs inputs");
        var region = _op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid("scan needs one body region");
        int rank = xs[0].Type.Rank;
        long dimension = Attr("dimension") is { } d ? Int(d) : 0;
        if (dimension < 0) dimension += rank;
        bool reverse = Attr("is_reverse") is MlirBoolAttribute { Value: true };
        int[] toFront = [(int)dimension, .. Enumerable.Range(0, rank).Where(a => a != dimension)];
        xs = xs.Select(x => _e.Transpose(x, toFront)).ToArray();
        var captures = FreeNames([region]);
        var captured = captures.Select(Value).ToArray();
        var slices = xs.Select(x => x.Type.WithShape(new Shape(x.Type.Shape.Skip(1)))).ToArray();
        var block = new Block(captured.Select(v => v.Type).Concat(init.Select(v => v.Type)).Concat(slices));
        if (region.Arguments.Count != xs.Length + init.Length)
            throw Invalid($"the scan body takes {region.Arguments.Count} arguments, the scan passes {xs.Length + init.Length}");
        var inner = new FunctionLowering(_module, block, null);
        for (int k = 0; k < captures.Count; k++) inner.Bind(captures[k], block.Arguments[k]);
        for (int k = 0; k < xs.Length; k++) inner.Bind(region.Arguments[k].Name, block.Arguments[captures.Count + init.Length + k]);
        for (int k = 0; k < init.Length; k++) inner.Bind(region.Arguments[xs.Length + k].Name, block.Arguments[captures.Count + k]);
        inner.LowerOperations(region, isFunctionBody: false);
        int numYs = block.Results.Count - init.Length;
        if (numYs < 0) throw Invalid("the scan body returns fewer values than it carries");
        block.SetResults([.. block.Results.Skip(numYs), .. block.Results.Take(numYs)]);
        var length = xs[0].Type.Shape[0];
        var results = _e.Emit(Prims.Scan, [.. captured, .. init, .. xs], Attributes.Of(
            ("num_consts", captures.Count), ("num_carry", init.Length), ("length", length.Size), ("reverse", reverse)), [block]);
        var inverse = new int[rank];
        for (int k = 0; k < rank; k++) inverse[toFront[k]] = k;
        var ys = results.Skip(init.Length).Select(y => y.Type.Rank == rank ? _e.Transpose(y, inverse) : y);
        return [.. ys, .. results.Take(init.Length)];
    }
}
