namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>cond index, args... (branch0) (branch1) ...</c>: runs the branch selected by <c>index</c> (clamped) on the args.</summary>
    public static readonly CondPrimitive Cond = new();

    /// <summary><c>while cond_consts..., body_consts..., init... {cond_nconsts, body_nconsts} (cond) (body)</c>: loops body while cond holds.</summary>
    public static readonly WhilePrimitive While = new();

    /// <summary><c>scan consts..., init..., xs... {num_consts, num_carry, length, reverse} (body)</c>: a loop over the leading axis of xs carrying state, stacking outputs.</summary>
    public static readonly ScanPrimitive Scan = new();
}

/// <summary>Signature checks shared by the control-flow primitives: region arguments and results against expected types.</summary>
internal static class RegionSignatures
{
    /// <summary>True when dtypes and shapes agree (weakness is not part of a region's signature).</summary>
    public static bool Match(IEnumerable<ShapedType> actual, IEnumerable<ShapedType> expected) =>
        actual.Select(t => (t.DType, t.Shape)).SequenceEqual(expected.Select(t => (t.DType, t.Shape)));

    /// <summary>Types as a parenthesized list: <c>(f32[3], i32[])</c>.</summary>
    public static string List(IEnumerable<ShapedType> types) => "(" + string.Join(", ", types) + ")";

    /// <summary>Throws unless <paramref name="region"/> takes exactly <paramref name="arguments"/>.</summary>
    public static void CheckArguments(Primitive primitive, string what, Block region, IEnumerable<ShapedType> arguments)
    {
        var expected = arguments.ToArray();
        if (!Match(region.ArgumentTypes, expected))
            throw new JaxTypeException(primitive.Name, $"{what} takes {List(region.ArgumentTypes)}, but is given {List(expected)}");
    }

    /// <summary>Throws unless a region's <paramref name="actual"/> result types are exactly <paramref name="expected"/>.</summary>
    public static void CheckResults(Primitive primitive, string what, IEnumerable<ShapedType> actual, IEnumerable<ShapedType> expected, string expectation)
    {
        var (a, e) = (actual.ToArray(), expected.ToArray());
        if (!Match(a, e))
            throw new JaxTypeException(primitive.Name, $"{what} returns {List(a)}, but {expectation} {List(e)}");
    }

    /// <summary>Throws unless there are exactly <paramref name="count"/> regions.</summary>
    public static void CheckCount(Primitive primitive, IReadOnlyList<Block> regions, int count, string names)
    {
        if (regions.Count != count)
            throw new JaxTypeException(primitive.Name, $"takes {count} region{(count == 1 ? "" : "s")} ({names}), got {regions.Count}");
    }
}

/// <summary>
/// Bookkeeping shared by the control-flow rules: masks over operand groups, values spread back to their
/// positions, and the region hooks of the rule contexts.
/// </summary>
internal static class RuleLayout
{
    /// <summary>Which entries are present (non-null).</summary>
    public static bool[] Present<T>(IEnumerable<T?> values) where T : class => values.Select(v => v is not null).ToArray();

    /// <summary>Which entries are batched (have a batch dimension).</summary>
    public static bool[] Batched(IEnumerable<int?> dims) => dims.Select(d => d is not null).ToArray();

    /// <summary>Batch dimension 0 for the marked entries, null (unbatched) for the others.</summary>
    public static int?[] AtZero(IEnumerable<bool> batched) => batched.Select(b => b ? (int?)0 : null).ToArray();

    /// <summary>Element-wise or.</summary>
    public static bool[] Or(IReadOnlyList<bool> a, IReadOnlyList<bool> b) => a.Select((x, i) => x || b[i]).ToArray();

    /// <summary>Indices of the marked entries.</summary>
    public static int[] Marked(IReadOnlyList<bool> mask) => Enumerable.Range(0, mask.Count).Where(i => mask[i]).ToArray();

    /// <summary>The integers <c>0 … count - 1</c>.</summary>
    public static int[] Identity(int count) => Enumerable.Range(0, count).ToArray();

    /// <summary><paramref name="values"/> placed, in order, at the marked positions of <paramref name="mask"/>; null elsewhere.</summary>
    public static Value?[] Spread(IEnumerable<Value> values, IReadOnlyList<bool> mask)
    {
        var result = new Value?[mask.Count];
        using var e = values.GetEnumerator();
        for (int i = 0; i < mask.Count; i++)
            if (mask[i]) result[i] = e.MoveNext() ? e.Current : throw new ArgumentException("fewer values than marked positions");
        return result;
    }

    /// <summary>The hook a rule needs from its context, or an error naming the primitive and the transformation.</summary>
    public static T Hook<T>(T? hook, Primitive primitive, string transformation) where T : class =>
        hook ?? throw new InvalidOperationException($"{primitive.Name}: the {transformation} rule transforms regions, but its context has no region hook");
}

/// <summary>
/// <c>cond</c> (<c>lax.switch</c>): operand 0 is the index, an int32 scalar (a bool scalar reads as 0/1); the
/// other operands are passed to the selected branch. Each region is a branch taking the operands' types; all
/// branches return the same types, which are the results (weak where every branch's result is weak). An index
/// outside [0, branches) is clamped into it.
/// </summary>
public sealed class CondPrimitive : Primitive, IResultDependence
{
    internal CondPrimitive() : base("cond") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count == 0) throw Error("takes an index operand, got no operands");
        var index = operands[0];
        if (index.Rank != 0 || index.DType is not (DType.Int32 or DType.Bool))
            throw Error($"index must be an int32 or bool scalar, got {index}");
        if (regions.Count == 0) throw Error("needs at least one branch region, got none");
        var args = operands.Skip(1).ToArray();
        for (int b = 0; b < regions.Count; b++)
        {
            RegionSignatures.CheckArguments(this, $"branch {b}", regions[b], args);
            RegionSignatures.CheckResults(this, $"branch {b}", regions[b].ResultTypes, regions[0].ResultTypes, "branch 0 returns");
        }
        return regions[0].ResultTypes
            .Select((t, i) => t with { Weak = regions.All(r => r.Results[i].Type.Weak) })
            .ToArray();
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        long index = Math.Clamp(operands[0].GetInt64(0), 0, regions.Count - 1);
        return interpreter.RunRegion(regions[(int)index], operands.Skip(1).ToArray());
    }

    /// <summary>Every result depends on the index; otherwise a result depends on the operands it depends on in some branch.</summary>
    public bool[] DependentResults(IReadOnlyList<bool> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        operands[0]
            ? Enumerable.Repeat(true, regions[0].Results.Count).ToArray()
            : regions.Aggregate(new bool[regions[0].Results.Count], (m, r) => RuleLayout.Or(m, ClosedRegions.DependsOn(r, operands.Skip(1).ToArray())));

    /// <summary>
    /// JAX's <c>_cond_jvp</c>: a result has a tangent when it has one in any branch; every branch is differentiated
    /// with those tangents instantiated, and the new <c>cond</c> takes <c>[index, args…, tangents…]</c>.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var jvpRegion = RuleLayout.Hook(context.JvpRegion, this, "jvp");
        var withTangent = RuleLayout.Present(tangents.Skip(1));
        var first = regions.Select(r => jvpRegion(r, withTangent)).ToArray();
        int n = regions[0].Results.Count;
        var union = first.Aggregate(new bool[n], (m, f) => RuleLayout.Or(m, f.TangentResults));
        var branches = regions.Select((r, b) =>
            first[b].TangentResults.SequenceEqual(union) ? first[b].Region : jvpRegion(r, withTangent, union).Region).ToArray();
        var outs = EmitPrimal(context.Emitter, [.. primals, .. tangents.Skip(1).OfType<Value>()], attributes, branches);
        return (outs.Take(n).ToArray(), RuleLayout.Spread(outs.Skip(n), union));
    }

    /// <summary>
    /// JAX's <c>_cond_batching_rule</c>. An unbatched index batches the branches (a result batched in any branch
    /// is batched in all). A batched index runs every branch on the whole batch and picks each example's result
    /// with a chain of <c>select</c>s (JAX's <c>select_n</c>), so under <c>vmap</c> a batched predicate turns
    /// <c>cond</c> into <c>select</c>.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var batchRegion = RuleLayout.Hook(context.BatchRegion, this, "batching");
        var argDims = dims.Skip(1).ToArray();
        var args = operands.Skip(1).ToArray();
        int n = regions[0].Results.Count;
        if (dims[0] is null)
        {
            var first = regions.Select(r => batchRegion(r, argDims)).ToArray();
            var union = first.Aggregate(new bool[n], (m, f) => RuleLayout.Or(m, RuleLayout.Batched(f.ResultDims)));
            var branches = regions.Select((r, b) => RuleLayout.Batched(first[b].ResultDims).SequenceEqual(union)
                ? first[b].Region : batchRegion(r, argDims, union).Region).ToArray();
            return (EmitPrimal(context.Emitter, operands, attributes, branches), RuleLayout.AtZero(union));
        }
        var all = Enumerable.Repeat(true, n).ToArray();
        var outs = regions.Select(r => ClosedRegions.Inline(context.Emitter, batchRegion(r, argDims, all).Region, args)).ToArray();
        var index = context.MoveBatchAxis(operands[0], dims[0], 0);
        return (SelectBranch(context.Emitter, index, outs), RuleLayout.AtZero(all));
    }

    /// <summary>
    /// Per example, the results of the branch its index picks (clamped into range, as <c>cond</c> does):
    /// <paramref name="index"/> is batched at 0, every branch's results are batched at 0.
    /// </summary>
    private static Value[] SelectBranch(Emitter e, Value index, IReadOnlyList<IReadOnlyList<Value>> branchResults)
    {
        bool isBool = index.Type.DType == DType.Bool;
        int fallback = isBool ? Math.Min(1, branchResults.Count - 1) : branchResults.Count - 1;
        var picks = Enumerable.Range(0, fallback)
            .Select(k => isBool ? e.Not(index) : k == 0 ? e.Le(index, e.Zeros(index.Type)) : e.Eq(index, e.Full(index.Type, k)))
            .ToArray();
        return branchResults[0].Select((_, i) =>
        {
            var result = branchResults[fallback][i];
            for (int k = fallback - 1; k >= 0; k--)
                result = e.Select(e.BroadcastInDim(picks[k], result.Type.Shape, [0]), branchResults[k][i], result);
            return result;
        }).ToArray();
    }

    /// <summary>
    /// JAX's <c>_cond_transpose</c>: each branch is transposed with respect to the linear arguments (the index and
    /// the other arguments are known), and a <c>cond</c> on the same index runs the transposed branch on the
    /// cotangents of the results that depend on the linear arguments.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var transposeRegion = RuleLayout.Hook(context.TransposeRegion, this, "transpose");
        if (operands[0].IsLinear) throw Error($"the index {operands[0].Type} cannot be a linear input");
        var linear = operands.Skip(1).Select(o => o.IsLinear).ToArray();
        var linearResults = RuleLayout.Marked(DependentResults([false, .. linear], attributes, regions));
        if (linearResults.All(i => cotangents[i] is null)) return new Value?[operands.Count];
        var e = context.Emitter;
        var resultTypes = regions[0].ResultTypes.ToArray();
        var cts = linearResults.Select(i => cotangents[i] ?? e.Zeros(JvpPass.TangentType(resultTypes[i])));
        var branches = regions.Select(r => transposeRegion(ClosedRegions.LinearPart(r, linear, linearResults), linear)).ToArray();
        var known = operands.Skip(1).Where(o => !o.IsLinear).Select(o => o.Value);
        var outs = e.Emit(this, [operands[0].Value, .. known, .. cts], attributes, branches);
        return [null, .. RuleLayout.Spread(outs, linear)];
    }
}

/// <summary>
/// <c>while</c> (<c>lax.while_loop</c>): operands are <c>cond_nconsts</c> constants of the condition, then
/// <c>body_nconsts</c> constants of the body, then the initial carry. Region 0 (cond) takes its constants and the
/// carry and returns a bool scalar; region 1 (body) takes its constants and the carry and returns the next carry,
/// of the same types. The results are the final carry (the initial carry's types).
/// </summary>
public sealed class WhilePrimitive : Primitive, IResultDependence
{
    internal WhilePrimitive() : base("while") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var (condConsts, bodyConsts, init) = Split(operands, attributes);
        RegionSignatures.CheckCount(this, regions, 2, "cond, body");
        RegionSignatures.CheckArguments(this, "cond", regions[0], [.. condConsts, .. init]);
        RegionSignatures.CheckResults(this, "cond", regions[0].ResultTypes, [ShapedType.Scalar(DType.Bool)], "it must return");
        RegionSignatures.CheckArguments(this, "body", regions[1], [.. bodyConsts, .. init]);
        RegionSignatures.CheckResults(this, "body", regions[1].ResultTypes, init, "the carry is");
        return init;
    }

    private (ShapedType[] CondConsts, ShapedType[] BodyConsts, ShapedType[] Init) Split(IReadOnlyList<ShapedType> operands, Attributes attributes)
    {
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts");
        if (nc + nb > operands.Count)
            throw Error($"cond_nconsts {nc} + body_nconsts {nb} exceed the {operands.Count} operands");
        return (operands.Take(nc).ToArray(), operands.Skip(nc).Take(nb).ToArray(), operands.Skip(nc + nb).ToArray());
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts");
        var condConsts = operands.Take(nc).ToArray();
        var bodyConsts = operands.Skip(nc).Take(nb).ToArray();
        var carry = operands.Skip(nc + nb).ToArray();
        while (true)
        {
            var predicate = interpreter.RunRegion(regions[0], [.. condConsts, .. carry])[0];
            bool again = predicate.GetInt64(0) != 0;
            LoopBuffers.Retire([predicate], operands, carry);
            if (!again) return carry;
            var next = interpreter.RunRegion(regions[1], [.. bodyConsts, .. carry]);
            LoopBuffers.Retire(carry, operands, next);
            carry = next;
        }
    }

    /// <summary>
    /// A carry depends on the marked operands when its initial value does or the body makes it (a fixpoint); when the
    /// predicate then depends on them, so does every carry (the trip count does).
    /// </summary>
    public bool[] DependentResults(IReadOnlyList<bool> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts");
        var carry = operands.Skip(nc + nb).ToArray();
        while (true)
        {
            var next = RuleLayout.Or(carry, ClosedRegions.DependsOn(regions[1], [.. operands.Skip(nc).Take(nb), .. carry]));
            if (next.SequenceEqual(carry)) break;
            carry = next;
        }
        return ClosedRegions.DependsOn(regions[0], [.. operands.Take(nc), .. carry])[0] ? Enumerable.Repeat(true, carry.Length).ToArray() : carry;
    }

    /// <summary>
    /// JAX's <c>_while_loop_jvp</c>: which carries have tangents is a fixpoint (a carry whose next value depends on
    /// a tangent gets one, zeros at the start); the body is differentiated with those tangents, the condition takes
    /// and ignores them. Operands become <c>[cond_consts…, body_consts…, body_const_tangents…, init…,
    /// init_tangents…]</c>. Tangents of the condition's constants cannot reach the results and are dropped.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var jvpRegion = RuleLayout.Hook(context.JvpRegion, this, "jvp");
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts"), n = primals.Count - nc - nb;
        var bodyConstTangent = RuleLayout.Present(tangents.Skip(nc).Take(nb));
        var carryTangent = RuleLayout.Present(tangents.Skip(nc + nb));
        while (true)
        {
            var (_, outs) = jvpRegion(regions[1], [.. bodyConstTangent, .. carryTangent]);
            var next = RuleLayout.Or(carryTangent, outs);
            if (next.SequenceEqual(carryTangent)) break;
            carryTangent = next;
        }
        var (region, _) = jvpRegion(regions[1], [.. bodyConstTangent, .. carryTangent], carryTangent);
        int nbt = bodyConstTangent.Count(b => b), nt = carryTangent.Count(b => b);
        var body = ClosedRegions.Permute(region, ClosedRegions.InterleaveOrder([nb, n], [nbt, nt]), RuleLayout.Identity(n + nt));
        var carry = primals.Skip(nc + nb).ToArray();
        var tangentTypes = RuleLayout.Marked(carryTangent).Select(i => JvpPass.TangentType(carry[i].Type)).ToArray();
        var cond = ClosedRegions.Rearrange(regions[0], [.. regions[0].ArgumentTypes, .. tangentTypes], RuleLayout.Identity(nc + n), [0]);
        var e = context.Emitter;
        var initTangents = RuleLayout.Marked(carryTangent).Select(i => tangents[nc + nb + i] ?? e.Zeros(JvpPass.TangentType(carry[i].Type)));
        var results = EmitPrimal(e,
            [.. primals.Take(nc + nb), .. tangents.Skip(nc).Take(nb).OfType<Value>(), .. carry, .. initTangents],
            attributes.With("body_nconsts", nb + nbt), [cond, body]);
        return (results.Take(n).ToArray(), RuleLayout.Spread(results.Skip(n), carryTangent));
    }

    /// <summary>
    /// JAX's <c>_while_loop_batching_rule</c>: which carries are batched is a fixpoint over the body. When the
    /// predicate is then unbatched, the loop runs once for the whole batch. When it is batched, every carry is
    /// batched, the loop runs while any example's predicate holds, and the body keeps the old carry of the examples
    /// whose predicate is false (the body then also takes the condition's constants).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var batchRegion = RuleLayout.Hook(context.BatchRegion, this, "batching");
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts"), n = operands.Count - nc - nb;
        var condDims = dims.Take(nc).ToArray();
        var bodyDims = dims.Skip(nc).Take(nb).ToArray();
        var carryBatched = RuleLayout.Batched(dims.Skip(nc + nb));
        while (true)
        {
            var (_, outs) = batchRegion(regions[1], [.. bodyDims, .. RuleLayout.AtZero(carryBatched)], carryBatched);
            var next = RuleLayout.Or(carryBatched, RuleLayout.Batched(outs));
            if (next.SequenceEqual(carryBatched)) break;
            carryBatched = next;
        }
        bool predicateBatched = batchRegion(regions[0], [.. condDims, .. RuleLayout.AtZero(carryBatched)]).ResultDims[0] is not null;
        if (predicateBatched) carryBatched = Enumerable.Repeat(true, n).ToArray();
        var carryDims = RuleLayout.AtZero(carryBatched);
        var (cond, _) = batchRegion(regions[0], [.. condDims, .. carryDims]);
        var (body, _) = batchRegion(regions[1], [.. bodyDims, .. carryDims], carryBatched);
        var e = context.Emitter;
        var init = operands.Skip(nc + nb).Select((x, i) => carryBatched[i] ? context.MoveBatchAxis(x, dims[nc + nb + i], 0) : x).ToArray();
        var condConsts = operands.Take(nc).ToArray();
        var bodyConsts = operands.Skip(nc).Take(nb).ToArray();
        if (!predicateBatched)
            return (EmitPrimal(e, [.. condConsts, .. bodyConsts, .. init], attributes, [cond, body]), carryDims);

        var anyCond = new Block(cond.ArgumentTypes);
        var ce = new Emitter(anyCond);
        var holds = ClosedRegions.Inline(ce, cond, anyCond.Arguments)[0];
        anyCond.SetResults([ce.Emit1(Prims.ReduceOr, [holds], Attributes.Of(("axes", new[] { 0 })))]);

        var maskedBody = new Block([.. cond.ArgumentTypes.Take(nc), .. body.ArgumentTypes]);
        var be = new Emitter(maskedBody);
        var args = maskedBody.Arguments;
        var carry = args.Skip(nc + nb).ToArray();
        var active = ClosedRegions.Inline(be, cond, [.. args.Take(nc), .. carry])[0];
        var stepped = ClosedRegions.Inline(be, body, args.Skip(nc).ToArray());
        maskedBody.SetResults(stepped.Select((v, i) => be.Select(be.BroadcastInDim(active, v.Type.Shape, [0]), v, carry[i])));
        var results = EmitPrimal(e, [.. condConsts, .. condConsts, .. bodyConsts, .. init],
            attributes.With("body_nconsts", nc + nb), [anyCond, maskedBody]);
        return (results, carryDims);
    }

    /// <summary>
    /// Reverse mode is not defined for a loop whose trip count is only known at run time (JAX raises the same):
    /// always throws, pointing to <c>fori_loop</c> with static bounds or <c>scan</c>.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        throw new NotSupportedException(
            "while: reverse-mode differentiation does not work for while loops with a dynamic trip count; use fori_loop with static bounds or scan");
}

/// <summary>
/// <c>scan</c> (<c>lax.scan</c>): operands are <c>num_consts</c> constants, <c>num_carry</c> initial carry values,
/// then the xs, each with leading dimension <c>length</c>. The body region takes (consts, carry, one slice of each
/// x along axis 0) and returns (next carry, one slice of each y). Results: the final carry (the initial carry's
/// types), then each y stacked along a new leading axis of size <c>length</c>. With <c>reverse</c> the iterations
/// run from <c>length - 1</c> down to 0, and y slice i still lands at position i.
/// </summary>
public sealed class ScanPrimitive : Primitive, IResultDependence
{
    internal ScanPrimitive() : base("scan") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int numConsts = attributes.Count(this, "num_consts"), numCarry = attributes.Count(this, "num_carry");
        int length = attributes.Count(this, "length");
        attributes.Required<bool>(this, "reverse");
        if (numConsts + numCarry > operands.Count)
            throw Error($"num_consts {numConsts} + num_carry {numCarry} exceed the {operands.Count} operands");
        RegionSignatures.CheckCount(this, regions, 1, "body");
        var consts = operands.Take(numConsts);
        var init = operands.Skip(numConsts).Take(numCarry).ToArray();
        var xs = operands.Skip(numConsts + numCarry).ToArray();
        foreach (var x in xs)
            if (x.Rank == 0 || (x.Shape[0].IsStatic && x.Shape[0].Size != length))
                throw Error($"xs must have leading dimension length {length}, got {x}");
        var slices = xs.Select(x => x.WithShape(new Shape(x.Shape.Skip(1))));
        var body = regions[0];
        RegionSignatures.CheckArguments(this, "body", body, [.. consts, .. init, .. slices]);
        if (body.Results.Count < numCarry)
            throw Error($"body returns {RegionSignatures.List(body.ResultTypes)}, fewer than num_carry {numCarry} values");
        RegionSignatures.CheckResults(this, "body carry", body.ResultTypes.Take(numCarry), init, "the carry is");
        var ys = body.ResultTypes.Skip(numCarry).Select(y => y.WithShape(new Shape([Dim.Of(length), .. y.Shape])));
        return [.. init, .. ys];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var types = InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        int numConsts = attributes.Count(this, "num_consts"), numCarry = attributes.Count(this, "num_carry");
        int length = attributes.Count(this, "length");
        bool reverse = attributes.Required<bool>(this, "reverse");
        var consts = operands.Take(numConsts).ToArray();
        var carry = operands.Skip(numConsts).Take(numCarry).ToArray();
        var xs = operands.Skip(numConsts + numCarry).ToArray();
        var ys = types.Skip(numCarry).Select(t => Buffer.Uninitialized(t.DType, t.Shape)).ToArray();
        for (int step = 0; step < length; step++)
        {
            int i = reverse ? length - 1 - step : step;
            var slices = xs.Select(x => Slice(x, i)).ToArray();
            var outputs = interpreter.RunRegion(regions[0], [.. consts, .. carry, .. slices]);
            var next = outputs.Take(numCarry).ToArray();
            for (int j = 0; j < ys.Length; j++) LoopBuffers.CopyInto(outputs[numCarry + j], ys[j], i);
            LoopBuffers.Retire([.. carry, .. slices, .. outputs.Skip(numCarry)], operands, next);
            carry = next;
        }
        return [.. carry, .. ys];
    }

    /// <summary>A carry depends on the marked operands when its initial value does or the body makes it (a fixpoint); a y when the body makes it.</summary>
    public bool[] DependentResults(IReadOnlyList<bool> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var (nc, nk, _, _) = Counts(operands.Count, attributes, regions[0]);
        var carry = operands.Skip(nc).Take(nk).ToArray();
        while (true)
        {
            var depends = ClosedRegions.DependsOn(regions[0], [.. operands.Take(nc), .. carry, .. operands.Skip(nc + nk)]);
            var next = RuleLayout.Or(carry, depends.Take(nk).ToArray());
            if (next.SequenceEqual(carry)) return [.. carry, .. depends.Skip(nk)];
            carry = next;
        }
    }

    /// <summary>
    /// JAX's <c>_scan_jvp</c>: consts and xs keep the tangents they have, which carries have tangents is a fixpoint
    /// over the body (zeros at the start where a carry gains one), and each y has a tangent where the body gives
    /// it one. Operands become <c>[consts…, const_tangents…, init…, init_tangents…, xs…, xs_tangents…]</c>; the body
    /// returns <c>[carry…, carry_tangents…, ys…, y_tangents…]</c>.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var jvpRegion = RuleLayout.Hook(context.JvpRegion, this, "jvp");
        var (nc, nk, nx, ny) = Counts(primals.Count, attributes, regions[0]);
        var constTangent = RuleLayout.Present(tangents.Take(nc));
        var carryTangent = RuleLayout.Present(tangents.Skip(nc).Take(nk));
        var xsTangent = RuleLayout.Present(tangents.Skip(nc + nk));
        while (true)
        {
            var (_, outs) = jvpRegion(regions[0], [.. constTangent, .. carryTangent, .. xsTangent]);
            var next = RuleLayout.Or(carryTangent, outs.Take(nk).ToArray());
            if (next.SequenceEqual(carryTangent)) break;
            carryTangent = next;
        }
        var (region, resultTangent) = jvpRegion(regions[0], [.. constTangent, .. carryTangent, .. xsTangent], [.. carryTangent, .. new bool[ny]]);
        var ysTangent = resultTangent.Skip(nk).ToArray();
        int nct = constTangent.Count(b => b), nkt = carryTangent.Count(b => b), nxt = xsTangent.Count(b => b), nyt = ysTangent.Count(b => b);
        var body = ClosedRegions.Permute(region,
            ClosedRegions.InterleaveOrder([nc, nk, nx], [nct, nkt, nxt]), ClosedRegions.InterleaveOrder([nk, ny], [nkt, nyt]));
        var e = context.Emitter;
        var init = primals.Skip(nc).Take(nk).ToArray();
        var initTangents = RuleLayout.Marked(carryTangent).Select(i => tangents[nc + i] ?? e.Zeros(JvpPass.TangentType(init[i].Type)));
        var results = EmitPrimal(e,
            [.. primals.Take(nc), .. tangents.Take(nc).OfType<Value>(), .. init, .. initTangents,
             .. primals.Skip(nc + nk), .. tangents.Skip(nc + nk).OfType<Value>()],
            attributes.With("num_consts", nc + nct).With("num_carry", nk + nkt), [body]);
        return ([.. results.Take(nk), .. results.Skip(nk + nkt).Take(ny)],
            [.. RuleLayout.Spread(results.Skip(nk).Take(nkt), carryTangent), .. RuleLayout.Spread(results.Skip(nk + nkt + ny), ysTangent)]);
    }

    /// <summary>Counts of consts, carries, xs and ys.</summary>
    private (int Consts, int Carry, int Xs, int Ys) Counts(int operands, Attributes attributes, Block body)
    {
        int nc = attributes.Count(this, "num_consts"), nk = attributes.Count(this, "num_carry");
        return (nc, nk, operands - nc - nk, body.Results.Count - nk);
    }

    /// <summary>
    /// JAX's <c>_scan_batching_rule</c>: which carries are batched is a fixpoint over the body (batched carries sit
    /// at 0); a batched x is laid out so that its scanned axis is 0 and its slices are batched (an x batched at 0 is
    /// moved to 1), consts keep their batch dimension, and each batched y comes out batched at 1.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var batchRegion = RuleLayout.Hook(context.BatchRegion, this, "batching");
        var (nc, nk, nx, ny) = Counts(operands.Count, attributes, regions[0]);
        var constDims = dims.Take(nc).ToArray();
        var xsDims = dims.Skip(nc + nk).ToArray();
        var sliceDims = xsDims.Select(d => d is int a ? Math.Max(a - 1, 0) : (int?)null).ToArray();
        var carryBatched = RuleLayout.Batched(dims.Skip(nc).Take(nk));
        Block body;
        IReadOnlyList<int?> outDims;
        while (true)
        {
            (body, outDims) = batchRegion(regions[0], [.. constDims, .. RuleLayout.AtZero(carryBatched), .. sliceDims], [.. carryBatched, .. new bool[ny]]);
            var next = RuleLayout.Or(carryBatched, RuleLayout.Batched(outDims.Take(nk)));
            if (next.SequenceEqual(carryBatched)) break;
            carryBatched = next;
        }
        var init = operands.Skip(nc).Take(nk).Select((x, i) => carryBatched[i] ? context.MoveBatchAxis(x, dims[nc + i], 0) : x);
        var xs = operands.Skip(nc + nk).Select((x, i) => xsDims[i] == 0 ? context.MoveBatchAxis(x, 0, 1) : x);
        var results = EmitPrimal(context.Emitter, [.. operands.Take(nc), .. init, .. xs], attributes, [body]);
        return (results, [.. RuleLayout.AtZero(carryBatched), .. outDims.Skip(nk).Select(d => d is null ? null : (int?)1)]);
    }

    /// <summary>
    /// JAX's <c>_scan_transpose</c>: a scan in the opposite direction over the transposed body. Consts split into
    /// residual consts (known) and linear consts, whose cotangents accumulate in the carry; xs split into residual xs
    /// and linear xs, whose cotangents come out as ys; the carry's cotangent is carried back. A carry is linear when
    /// its initial value is or its next value depends on a linear input; a known carry (a primal loop state the
    /// linear program still holds) is first run forward and its value at every step fed back as a residual x.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var transposeRegion = RuleLayout.Hook(context.TransposeRegion, this, "transpose");
        var (nc, nk, nx, ny) = Counts(operands.Count, attributes, regions[0]);
        var body = regions[0];
        var constLinear = operands.Take(nc).Select(o => o.IsLinear).ToArray();
        var xsLinear = operands.Skip(nc + nk).Select(o => o.IsLinear).ToArray();
        var depends = DependentResults(operands.Select(o => o.IsLinear).ToArray(), attributes, regions);
        var carryLinear = depends.Take(nk).ToArray();
        bool[] argLinear = [.. constLinear, .. carryLinear, .. xsLinear];
        var linearResults = RuleLayout.Marked(depends);
        if (linearResults.All(r => cotangents[r] is null)) return new Value?[operands.Count];

        var e = context.Emitter;
        var known = operands.Select((o, i) => argLinear[i] ? null : o.Known).ToArray();
        var knownConsts = known.Take(nc).OfType<Value>().ToArray();
        var knownXs = known.Skip(nc + nk).OfType<Value>().ToArray();
        var knownCarry = RuleLayout.Marked(carryLinear.Select(b => !b).ToArray());
        var carryResiduals = ForwardKnownCarry(e, body, argLinear, knownCarry, known, attributes, nc, nk);

        // The transposed body: (known consts, known carry, known xs, carry and y cotangents) -> (const, carry, x cotangents).
        var transposed = transposeRegion(ClosedRegions.LinearPart(body, argLinear, linearResults), argLinear);
        int nkc = knownConsts.Length, nkk = knownCarry.Length, nkx = knownXs.Length;
        int nlc = nc - nkc, nlk = nk - nkk, nly = linearResults.Length - nlk;
        var targs = transposed.ArgumentTypes.ToArray();
        var tres = transposed.ResultTypes.ToArray();
        // Reverse scan body: consts [known consts]; carry [const cotangent sums, carry cotangents]; xs [y cotangents, known xs, known carry].
        var step = new Block([.. targs[..nkc], .. tres[..nlc], .. targs[(nkc + nkk + nkx)..],
            .. targs[(nkc + nkk)..(nkc + nkk + nkx)], .. targs[nkc..(nkc + nkk)]]);
        var a = step.Arguments;
        var se = new Emitter(step);
        int ctCarry = nkc + nlc, ctYs = ctCarry + nlk, kxs = ctYs + nly, kcarry = kxs + nkx;
        var outs = ClosedRegions.Inline(se, transposed,
            [.. a.Take(nkc), .. a.Skip(kcarry).Take(nkk), .. a.Skip(kxs).Take(nkx), .. a.Skip(ctCarry).Take(nlk + nly)]);
        step.SetResults([.. outs.Take(nlc).Select((ct, i) => se.Add(a[nkc + i], ct)), .. outs.Skip(nlc)]);

        var resultTypes = InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        var cts = linearResults.Select(r => cotangents[r] ?? e.Zeros(JvpPass.TangentType(resultTypes[r])));
        var sums = RuleLayout.Marked(constLinear).Select(i => e.Zeros(JvpPass.TangentType(operands[i].Type)));
        var results = e.Emit(this, [.. knownConsts, .. sums, .. cts, .. knownXs, .. carryResiduals],
            attributes.With("num_consts", nkc).With("num_carry", nlc + nlk).With("reverse", !attributes.Required<bool>(this, "reverse")), [step]);
        var carryCts = RuleLayout.Spread(results.Skip(nlc).Take(nlk), carryLinear);
        return [.. RuleLayout.Spread(results.Take(nlc), constLinear),
            .. carryCts.Select((ct, i) => operands[nc + i].IsLinear ? ct : null),
            .. RuleLayout.Spread(results.Skip(nlc + nlk), xsLinear)];
    }

    /// <summary>
    /// Runs the known (non-linear) carries of a scan forward on their own and returns their value at every step,
    /// stacked (step i's input carry at position i): the residuals the transposed scan reads as xs.
    /// </summary>
    private Value[] ForwardKnownCarry(Emitter e, Block body, bool[] argLinear, int[] knownCarry, Value?[] known, Attributes attributes, int nc, int nk)
    {
        if (knownCarry.Length == 0) return [];
        var forward = ClosedRegions.Extract(ClosedRegions.SeparateNonLinear(body, argLinear), argLinear.Select(b => !b).ToArray(), knownCarry);
        int nkc = known.Take(nc).Count(v => v is not null);
        forward.SetResults([.. forward.Results, .. forward.Arguments.Skip(nkc).Take(knownCarry.Length)]);
        var results = e.Emit(this, known.OfType<Value>().ToArray(),
            attributes.With("num_consts", nkc).With("num_carry", knownCarry.Length), [forward]);
        return results.Skip(knownCarry.Length).ToArray();
    }

    /// <summary>Row <paramref name="i"/> of <paramref name="x"/> (along the leading axis), a view of its memory.</summary>
    private static Buffer Slice(Buffer x, int i)
    {
        var shape = new Shape(x.Shape.Skip(1));
        using var row = x.Slice(i * shape.ElementCount, shape.ElementCount);
        return row.Reshape(shape);
    }
}
