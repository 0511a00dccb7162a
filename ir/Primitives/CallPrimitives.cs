namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>call args... {callee} (f)</c>: a call of a traced function, its body held as a closed region (JAX's <c>pjit</c> inside a jaxpr).</summary>
    public static readonly CallPrimitive Call = new();
}

/// <summary>
/// <c>call</c> (JAX's <c>pjit</c> as an equation of a jaxpr): a call of a traced function, so that a function jitted on
/// its own and called while another one is traced stays one function instead of being inlined. The region is the
/// callee's body, closed (values the callee captured are explicit operands after its arguments); the <c>callee</c>
/// string attribute names it: the stable name the kernel registry shares the callee's kernels by. Derived calls are
/// named after the transformation: the JVP of <c>inner</c> is a call of <c>jvp_inner</c>, batching gives
/// <c>vmap_inner</c>, transposition <c>transpose_inner</c>. A name says where a region comes from, not which variant it
/// is (which operands have tangents, which are batched, which results simplification dropped): two calls with the same
/// callee share a kernel when their regions are equal, so a registry keys derived callees by their region too.
/// <para>Reverse mode is JAX's partial evaluation of <c>pjit</c>: while linearizing (<see cref="JvpContext.Linearize"/>),
/// the region itself is linearized and the JVP becomes two calls, a primal one (<c>primal_inner</c>: the results and the
/// residuals, computed once, in the primal function) and a linear one (<c>linear_inner</c>: residuals and tangents to
/// the tangents of the results, in the linear function, whose transpose is a call of <c>transpose_linear_inner</c>).
/// Residuals that are operands or results of the call are not returned twice (JAX's forwarding).</para>
/// </summary>
public sealed class CallPrimitive : RegionCallPrimitive
{
    internal CallPrimitive() : base("call", "function") { }

    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.ControlFlow;

    /// <summary>The name of the called function (the <c>callee</c> attribute).</summary>
    public string Callee(Attributes attributes)
    {
        var callee = attributes.Required<string>(this, "callee");
        return callee.Length > 0 ? callee : throw Error("the callee name is empty");
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        Callee(attributes);
        return base.InferTypes(operands, attributes, regions);
    }

    /// <summary>A call of the transformed region, named after the transformation: <c>jvp_inner</c>, <c>vmap_inner</c>, <c>transpose_inner</c>.</summary>
    private protected override IReadOnlyList<Value> Apply(Emitter emitter, Block region, IReadOnlyList<Value> operands, Attributes attributes, string transformation) =>
        EmitPrimal(emitter, operands, attributes.With("callee", $"{transformation}_{Callee(attributes)}"), [region]);

    /// <summary>
    /// A call of the JVP of the region (<c>jvp_inner</c>); while linearizing, a primal call and a linear call instead
    /// (see <see cref="CallPrimitive"/>).
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        context.Linearize is { } linearize
            ? Linearize(context.Emitter, linearize, primals, tangents, attributes, regions[0])
            : base.Jvp(context, primals, tangents, attributes, regions);

    /// <summary>
    /// The linearized call: the primal call computes the results and the residuals from the primals, the linear call
    /// the tangents of the results that depend on a tangent from the residuals and the present tangents.
    /// </summary>
    private (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Linearize(Emitter e, Func<Function, IReadOnlyList<bool>, Linearized> linearize,
        IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, Block region)
    {
        var withTangent = RuleLayout.Present(tangents);
        var hasTangent = ClosedRegions.DependsOn(region, withTangent).Select((d, i) => d && region.Results[i].Type.DType.IsFloat()).ToArray();
        int n = region.Results.Count;
        if (!hasTangent.Any(b => b)) return (EmitPrimal(e, primals, attributes, [region]), new Value?[n]);

        var (primal, linear, numResiduals) = linearize(new Function(Callee(attributes), region), withTangent);
        // Each residual is an operand, a result, or an extra result of the primal call.
        var primalResults = primal.Body.Results;
        var parameters = primal.Parameters.ToList();
        var source = new (int Operand, int Result)[numResiduals];
        var extra = new List<int>();
        for (int k = 0; k < numResiduals; k++)
        {
            var residual = primalResults[n + k];
            int result = Enumerable.Range(0, n).FirstOrDefault(i => ReferenceEquals(primalResults[i], residual), -1);
            source[k] = (parameters.IndexOf(residual), result);
            if (source[k] == (-1, -1))
            {
                source[k] = (-1, n + extra.Count);
                extra.Add(n + k);
            }
        }
        var allArguments = Enumerable.Repeat(true, primals.Count).ToArray();
        var primalRegion = ClosedRegions.Extract(primal.Body, allArguments, [.. RuleLayout.Identity(n), .. extra]);
        var outs = EmitPrimal(e, primals, attributes.With("callee", primal.Name), [primalRegion]);
        var residuals = source.Select(s => s.Operand >= 0 ? primals[s.Operand] : outs[s.Result]);

        var linearRegion = ClosedRegions.Extract(linear.Body, Enumerable.Repeat(true, linear.Parameters.Count).ToArray(), RuleLayout.Marked(hasTangent));
        var outTangents = EmitPrimal(e, [.. residuals, .. tangents.OfType<Value>()], attributes.With("callee", linear.Name), [linearRegion]);
        return (outs.Take(n).ToArray(), RuleLayout.Spread(outTangents, hasTangent));
    }
}
