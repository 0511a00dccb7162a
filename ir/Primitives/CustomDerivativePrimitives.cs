namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>custom_jvp_call consts..., args... {num_consts} (f) (jvp)</c>: f with a user-defined JVP (JAX's <c>jax.custom_jvp</c>).</summary>
    public static readonly CustomJvpCallPrimitive CustomJvpCall = new();

    /// <summary><c>custom_vjp_call consts..., args... {num_consts} (f) (fwd) (bwd)</c>: f with a user-defined VJP (JAX's <c>jax.custom_vjp</c>).</summary>
    public static readonly CustomVjpCallPrimitive CustomVjpCall = new();

    /// <summary><c>custom_lin residuals..., tangents... {num_res} (bwd)</c>: the linear part of a <c>custom_vjp_call</c>, transposed by its bwd.</summary>
    public static readonly CustomLinPrimitive CustomLin = new();

    /// <summary><c>checkpoint args... (f)</c>: f, whose derivatives recompute its values instead of storing them (JAX's <c>jax.checkpoint</c>/<c>remat</c>).</summary>
    public static readonly CheckpointPrimitive Checkpoint = new();
}

/// <summary>Batching helpers the custom-derivative rules share.</summary>
internal static class CustomBatching
{
    /// <summary>
    /// Each batched operand moved to batch axis 0 (the layout the batched regions take); returns the operands and
    /// their batch dimensions (0 or null).
    /// </summary>
    public static (Value[] Operands, int?[] Dims) AtZero(BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims) =>
        (operands.Select((o, i) => dims[i] is null ? o : context.MoveBatchAxis(o, dims[i], 0)).ToArray(),
         RuleLayout.AtZero(RuleLayout.Batched(dims)));

    /// <summary>A region batched with every result batched at axis 0.</summary>
    public static Block AllBatched(BatchContext context, Primitive primitive, Block region, IReadOnlyList<int?> argumentDims) =>
        RuleLayout.Hook(context.BatchRegion, primitive, "batching")(region, argumentDims, Enumerable.Repeat(true, region.Results.Count).ToArray()).Region;

    /// <summary>
    /// The batched version of a bwd region <c>(residuals..., cotangents...) → argument cotangents...</c> given the
    /// residuals' batch dimensions (0 or null) and batched cotangents (at 0): it computes per-example cotangents of
    /// every argument, and sums those of the arguments that are not batched (<paramref name="argumentDims"/> null) over
    /// the batch, as JAX's <c>batch_custom_vjp_bwd</c> does.
    /// </summary>
    public static Block Bwd(BatchContext context, Primitive primitive, Block bwd, IReadOnlyList<int?> residualDims, IReadOnlyList<int?> argumentDims)
    {
        int numCts = bwd.Arguments.Count - residualDims.Count;
        var batched = AllBatched(context, primitive, bwd, [.. residualDims, .. Enumerable.Repeat((int?)0, numCts)]);
        var block = new Block(batched.ArgumentTypes);
        var e = new Emitter(block);
        var cts = ClosedRegions.Inline(e, batched, block.Arguments);
        block.SetResults(cts.Select((ct, i) => argumentDims[i] is null ? e.ReduceSum(ct, [0]) : ct));
        return block;
    }
}

/// <summary>
/// What <c>custom_jvp_call</c> and <c>custom_vjp_call</c> share: operands are <c>num_consts</c> values the user's
/// functions close over (made explicit, so the regions are closed) followed by the arguments; region 0 is the
/// function itself, which evaluation runs. The custom rule covers the arguments only: differentiating with respect to
/// a closed-over value is an error, as in JAX.
/// </summary>
public abstract class CustomCallPrimitive : Primitive, IResultDependence
{
    private protected CustomCallPrimitive(string name) : base(name) { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;


    /// <summary>A result depends on the operands it depends on in the function (region 0).</summary>
    public bool[] DependentResults(IReadOnlyList<bool> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        ClosedRegions.DependsOn(regions[0], operands);

    /// <summary>The number of leading operands that are closed-over constants.</summary>
    protected int NumConsts(int operandCount, Attributes attributes)
    {
        int n = attributes.Count(this, "num_consts");
        return n <= operandCount ? n : throw Error($"num_consts {n} exceeds the {operandCount} operands");
    }

    /// <summary>Checks the region count and that region 0 (the function) takes the operands; returns its result types.</summary>
    protected ShapedType[] CheckFunction(IReadOnlyList<ShapedType> operands, IReadOnlyList<Block> regions, int count, string names)
    {
        RegionSignatures.CheckCount(this, regions, count, names);
        RegionSignatures.CheckArguments(this, "the function", regions[0], operands);
        return regions[0].ResultTypes.ToArray();
    }

    /// <summary>Tangent types of the arguments (the operands after the constants).</summary>
    protected static ShapedType[] ArgumentTangentTypes(IReadOnlyList<ShapedType> operands, int numConsts) =>
        operands.Skip(numConsts).Select(JvpPass.TangentType).ToArray();

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        return interpreter.RunRegion(regions[0], operands);
    }

    /// <summary>
    /// The arguments' tangents for the custom rule, zeros where an argument has none; throws when a closed-over
    /// constant has a tangent.
    /// </summary>
    protected Value[] ArgumentTangents(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes)
    {
        int nc = NumConsts(primals.Count, attributes);
        for (int i = 0; i < nc; i++)
            if (tangents[i] is not null)
                throw Error($"cannot differentiate with respect to a value the function closes over ({primals[i].Type.ToLongString()}, " +
                            $"constant {i}): the custom rule only covers the explicit arguments, so pass the value as an argument");
        return Enumerable.Range(nc, primals.Count - nc)
            .Select(i => tangents[i] ?? emitter.Zeros(JvpPass.TangentType(primals[i].Type))).ToArray();
    }

    /// <summary>The tangents of results as JVP rules return them: none for integer and bool results.</summary>
    protected static Value?[] FloatTangents(IEnumerable<Value> tangents) =>
        tangents.Select(t => t.Type.DType.IsFloat() ? t : null).ToArray();
}

/// <summary>
/// <c>custom_jvp_call</c> (JAX's <c>custom_jvp_call_p</c>): a function with a user-defined JVP. Operands: <c>num_consts</c>
/// closed-over constants, then the arguments. Region 0 is the function <c>(consts..., args...) → outs...</c>; region 1
/// is the JVP <c>(consts..., args..., arg tangents...) → (outs..., out tangents...)</c>, with one tangent per argument
/// and per result (tangent types: strong; integer values get integer zeros). Evaluation runs the function; the JVP
/// rule inlines region 1, whose tangent outputs must be linear in the tangents for reverse mode to transpose them.
/// </summary>
public sealed class CustomJvpCallPrimitive : CustomCallPrimitive
{
    internal CustomJvpCallPrimitive() : base("custom_jvp_call") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int nc = NumConsts(operands.Count, attributes);
        var outs = CheckFunction(operands, regions, 2, "function, jvp");
        RegionSignatures.CheckArguments(this, "the jvp", regions[1], [.. operands, .. ArgumentTangentTypes(operands, nc)]);
        RegionSignatures.CheckResults(this, "the jvp", regions[1].ResultTypes, [.. outs, .. outs.Select(JvpPass.TangentType)],
            "the function's results and their tangents are");
        return outs;
    }

    /// <summary>Inlines the user's JVP (region 1) on the primals and the arguments' tangents (zeros where absent).</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var argumentTangents = ArgumentTangents(context.Emitter, primals, tangents, attributes);
        var outs = ClosedRegions.Inline(context.Emitter, regions[1], [.. primals, .. argumentTangents]);
        int n = regions[0].Results.Count;
        return (outs.Take(n).ToArray(), FloatTangents(outs.Skip(n)));
    }

    /// <summary>
    /// Batches both regions (every result batched at 0; a tangent argument is batched like its primal) and emits a
    /// new <c>custom_jvp_call</c>, so the custom rule still applies to the batched function.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int nc = NumConsts(operands.Count, attributes);
        var (moved, at) = CustomBatching.AtZero(context, operands, dims);
        var function = CustomBatching.AllBatched(context, this, regions[0], at);
        var jvp = CustomBatching.AllBatched(context, this, regions[1], [.. at, .. at.Skip(nc)]);
        var outs = EmitPrimal(context.Emitter, moved, attributes, [function, jvp]);
        return (outs, outs.Select(_ => (int?)0).ToArray());
    }
}

/// <summary>
/// <c>custom_vjp_call</c> (JAX's <c>custom_vjp_call_p</c>): a function with a user-defined VJP. Operands: <c>num_consts</c>
/// closed-over constants, then the arguments. Regions: the function <c>(consts..., args...) → outs...</c>; fwd
/// <c>(consts..., args...) → (outs..., residuals...)</c>; bwd <c>(consts..., residuals..., out cotangents...) → arg
/// cotangents...</c> (one per argument, of its tangent type). Evaluation runs the function. The JVP rule runs fwd for the
/// outputs and residuals and emits <c>custom_lin</c> for the tangents: reverse mode transposes it into bwd, forward
/// mode cannot evaluate it (as in JAX).
/// </summary>
public sealed class CustomVjpCallPrimitive : CustomCallPrimitive
{
    internal CustomVjpCallPrimitive() : base("custom_vjp_call") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int nc = NumConsts(operands.Count, attributes);
        var outs = CheckFunction(operands, regions, 3, "function, fwd, bwd");
        var (fwd, bwd) = (regions[1], regions[2]);
        RegionSignatures.CheckArguments(this, "fwd", fwd, operands);
        if (fwd.Results.Count < outs.Length)
            throw Error($"fwd returns {RegionSignatures.List(fwd.ResultTypes)}, fewer values than the function's {outs.Length} results");
        RegionSignatures.CheckResults(this, "fwd", fwd.ResultTypes.Take(outs.Length), outs, "the function's results are");
        var residuals = fwd.ResultTypes.Skip(outs.Length);
        RegionSignatures.CheckArguments(this, "bwd", bwd, [.. operands.Take(nc), .. residuals, .. outs.Select(JvpPass.TangentType)]);
        RegionSignatures.CheckResults(this, "bwd", bwd.ResultTypes, ArgumentTangentTypes(operands, nc), "the arguments' cotangents are");
        return outs;
    }

    /// <summary>
    /// Inlines fwd on the primals for the outputs and residuals, and emits <c>custom_lin</c> over the constants and
    /// residuals and the arguments' tangents (zeros where absent) with bwd as its region.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        int nc = NumConsts(primals.Count, attributes), n = regions[0].Results.Count;
        var argumentTangents = ArgumentTangents(e, primals, tangents, attributes);
        var fwd = ClosedRegions.Inline(e, regions[1], primals);
        var residuals = primals.Take(nc).Concat(fwd.Skip(n)).ToArray();
        var outTangents = e.Emit(Prims.CustomLin, [.. residuals, .. argumentTangents], Attributes.Of(("num_res", residuals.Length)), [regions[2]]);
        return (fwd.Take(n).ToArray(), FloatTangents(outTangents));
    }

    /// <summary>
    /// Batches the three regions with every result batched at 0 and emits a new <c>custom_vjp_call</c>. The batched
    /// bwd gets batched cotangents, so it computes per-example cotangents of every argument; those of unbatched
    /// arguments are summed over the batch (JAX's <c>batch_custom_vjp_bwd</c>).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int nc = NumConsts(operands.Count, attributes), n = regions[0].Results.Count;
        var (moved, at) = CustomBatching.AtZero(context, operands, dims);
        var function = CustomBatching.AllBatched(context, this, regions[0], at);
        var fwd = CustomBatching.AllBatched(context, this, regions[1], at);
        var residualDims = at.Take(nc).Concat(Enumerable.Repeat((int?)0, regions[1].Results.Count - n)).ToArray();
        var bwd = CustomBatching.Bwd(context, this, regions[2], residualDims, at.Skip(nc).ToArray());
        var outs = EmitPrimal(context.Emitter, moved, attributes, [function, fwd, bwd]);
        return (outs, Enumerable.Repeat((int?)0, n).ToArray());
    }
}

/// <summary>
/// <c>custom_lin</c> (JAX's <c>custom_lin_p</c>): the tangent map of a <c>custom_vjp_call</c>, known only through its
/// transpose. Operands: <c>num_res</c> residuals, then one tangent per argument of the call; the region is the
/// call's bwd <c>(residuals..., out cotangents...) → arg cotangents...</c>; the results are the output tangents (the
/// types of bwd's cotangent arguments). It is linear in the tangents: its transpose runs bwd on the cotangents.
/// Evaluating it, or differentiating it in forward mode, is an error: forward-mode autodiff (jvp) cannot be applied to
/// a <c>custom_vjp</c> function.
/// </summary>
public sealed class CustomLinPrimitive : Primitive
{
    internal CustomLinPrimitive() : base("custom_lin") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;


    private static JaxTypeException ForwardModeError() =>
        new("custom_vjp", "can't apply forward-mode autodiff (jvp) to a custom_vjp function; differentiate it in reverse mode (grad, vjp) or define it with custom_jvp");

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int numRes = attributes.Count(this, "num_res");
        RegionSignatures.CheckCount(this, regions, 1, "bwd");
        var bwd = regions[0];
        if (numRes > operands.Count || numRes > bwd.Arguments.Count)
            throw Error($"num_res {numRes} exceeds the {operands.Count} operands or the {bwd.Arguments.Count} arguments of bwd");
        if (!RegionSignatures.Match(bwd.ArgumentTypes.Take(numRes), operands.Take(numRes)))
            throw Error($"bwd takes residuals {RegionSignatures.List(bwd.ArgumentTypes.Take(numRes))}, but is given {RegionSignatures.List(operands.Take(numRes))}");
        RegionSignatures.CheckResults(this, "bwd", bwd.ResultTypes, operands.Skip(numRes).Select(JvpPass.TangentType), "the tangent operands are");
        return bwd.ArgumentTypes.Skip(numRes).Select(JvpPass.TangentType).ToArray();
    }

    /// <summary>Always raises: forward mode cannot run a function defined only by its VJP.</summary>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        throw ForwardModeError();

    /// <summary>Always raises: forward mode cannot differentiate a function defined only by its VJP.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        throw ForwardModeError();

    /// <summary>Runs bwd on the residuals and the cotangents (zeros where absent): the cotangents of the tangent operands.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int numRes = attributes.Count(this, "num_res");
        for (int i = 0; i < numRes; i++)
            if (operands[i].IsLinear) throw Error($"residual {i} ({operands[i].Type}) cannot be a linear input");
        var e = context.Emitter;
        var resultTypes = InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        var cts = cotangents.Select((c, i) => c ?? e.Zeros(resultTypes[i]));
        var argumentCts = ClosedRegions.Inline(e, regions[0], [.. operands.Take(numRes).Select(o => o.Value), .. cts]);
        return [.. new Value?[numRes], .. argumentCts.Select((ct, i) => operands[numRes + i].IsLinear ? ct : null)];
    }

    /// <summary>
    /// A <c>custom_lin</c> over batched operands (batched ones moved to 0) with every result batched at 0: its bwd is
    /// batched for batched cotangents, summing the cotangents of unbatched tangent operands over the batch. (Evaluating
    /// it is still an error; transposing it is not.)
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int numRes = attributes.Count(this, "num_res");
        var (moved, at) = CustomBatching.AtZero(context, operands, dims);
        var bwd = CustomBatching.Bwd(context, this, regions[0], at.Take(numRes).ToArray(), at.Skip(numRes).ToArray());
        var outs = EmitPrimal(context.Emitter, moved, attributes, [bwd]);
        return (outs, Enumerable.Repeat((int?)0, outs.Count).ToArray());
    }
}

/// <summary>
/// <c>checkpoint</c> (JAX's <c>remat</c>/<c>checkpoint</c>): runs its region on the operands. Its derivatives keep the
/// region whole (<see cref="RegionCallPrimitive"/>): the JVP rule emits one <c>checkpoint</c> over the JVP of the region,
/// which linearization puts on the linear side with only the operands as residuals, so the values of the region are
/// recomputed there instead of stored; the transpose rule emits a <c>checkpoint</c> over the transposed region, which
/// recomputes the forward values it needs before running backward. Batching batches the region.
/// </summary>
public sealed class CheckpointPrimitive : RegionCallPrimitive
{
    internal CheckpointPrimitive() : base("checkpoint", "function") { }

    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;

    /// <summary>A new <c>checkpoint</c> over the transformed region.</summary>
    private protected override IReadOnlyList<Value> Apply(Emitter emitter, Block region, IReadOnlyList<Value> operands, Attributes attributes, string transformation) =>
        EmitPrimal(emitter, operands, attributes, [region]);
}
