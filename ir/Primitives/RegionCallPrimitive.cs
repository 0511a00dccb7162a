namespace JaxToolchain.Ir;

/// <summary>
/// A primitive that applies its one closed region to its operands (<c>call</c>, <c>checkpoint</c>, <c>fusion</c>): the
/// region takes the operands' types, its results (weak types included) are the primitive's, evaluation runs it, and a
/// result depends on the operands it depends on in the region. The transformation rules transform the region through
/// the rule contexts' hooks and hand the transformed region to <see cref="Apply"/>, which either keeps it in a new
/// operation of the same primitive (<c>call</c>, <c>checkpoint</c>) or inlines it (<c>fusion</c>).
/// </summary>
public abstract class RegionCallPrimitive : Primitive, IResultDependence
{
    private readonly string _regionName;

    private protected RegionCallPrimitive(string name, string regionName) : base(name) => _regionName = regionName;

    /// <summary>
    /// Applies a region transformed by <paramref name="transformation"/> (<c>jvp</c>, <c>transpose</c>, <c>vmap</c>),
    /// taking <paramref name="operands"/>, in the function being built; returns its results.
    /// </summary>
    private protected abstract IReadOnlyList<Value> Apply(Emitter emitter, Block region, IReadOnlyList<Value> operands, Attributes attributes, string transformation);

    /// <summary>A result depends on the operands it depends on in the region.</summary>
    public bool[] DependentResults(IReadOnlyList<bool> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        ClosedRegions.DependsOn(regions[0], operands);

    /// <summary>Checks that there is one region taking the operands; the results are the region's.</summary>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        RegionSignatures.CheckCount(this, regions, 1, _regionName);
        RegionSignatures.CheckArguments(this, "the " + _regionName, regions[0], operands);
        return regions[0].ResultTypes.ToArray();
    }

    /// <summary>Runs the region on the operands (the interpreter checks them against its arguments, binding symbols).</summary>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        RegionSignatures.CheckCount(this, regions, 1, _regionName);
        return interpreter.RunRegion(regions[0], operands);
    }

    /// <summary>The JVP of the region applied to the primals and the present tangents.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var jvpRegion = RuleLayout.Hook(context.JvpRegion, this, "jvp");
        var (region, tangentResults) = jvpRegion(regions[0], RuleLayout.Present(tangents));
        var outs = Apply(context.Emitter, region, [.. primals, .. tangents.OfType<Value>()], attributes, "jvp");
        int n = regions[0].Results.Count;
        return (outs.Take(n).ToArray(), RuleLayout.Spread(outs.Skip(n), tangentResults));
    }

    /// <summary>
    /// The region transposed with respect to its linear operands, applied to the known operands and the cotangents of
    /// the results that depend on the linear operands (others carry none). Before transposition the region keeps only
    /// those results, and control flow inside it computing primal values next to tangents (a nested differentiated
    /// <c>checkpoint</c>) is separated (<see cref="ClosedRegions.LinearPart"/>).
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var transposeRegion = RuleLayout.Hook(context.TransposeRegion, this, "transpose");
        var linear = operands.Select(o => o.IsLinear).ToArray();
        var withCt = RuleLayout.Marked(DependentResults(linear, attributes, regions)).Where(i => cotangents[i] is not null).ToArray();
        if (withCt.Length == 0) return new Value?[operands.Count];
        var region = transposeRegion(ClosedRegions.LinearPart(regions[0], linear, withCt), linear);
        var known = operands.Where(o => !o.IsLinear).Select(o => o.Value);
        var outs = Apply(context.Emitter, region, [.. known, .. withCt.Select(i => cotangents[i]!)], attributes, "transpose");
        return RuleLayout.Spread(outs, linear);
    }

    /// <summary>The batched region applied to the operands.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var batchRegion = RuleLayout.Hook(context.BatchRegion, this, "batching");
        var (region, resultDims) = batchRegion(regions[0], dims);
        return (Apply(context.Emitter, region, operands, attributes, "vmap"), resultDims);
    }
}
