namespace JaxToolchain.Ir;

/// <summary>
/// Forward-mode differentiation as an IR → IR pass (JAX's <c>jvp</c>): from <c>f(x...)</c> builds
/// <c>f_jvp(x..., t...) = (f(x)..., ∂f(x)·t...)</c>, where there is one tangent parameter per differentiable
/// parameter (in order). Tangents are symbolic zeros until a differentiable value reaches an operation, so
/// operations that do not depend on the tangents are copied unchanged and never need a JVP rule.
/// </summary>
public static class JvpPass
{
    /// <summary>
    /// The JVP of <paramref name="function"/>. <paramref name="differentiable"/>[i] says whether parameter i has a
    /// tangent (only floating parameters can). Output tangents are returned for every result, zeros
    /// instantiated where the result does not depend on the tangents.
    /// </summary>
    public static Function Apply(Function function, IReadOnlyList<bool> differentiable, string? name = null)
    {
        if (differentiable.Count != function.Parameters.Count)
            throw new ArgumentException($"@{function.Name} has {function.Parameters.Count} parameters, got {differentiable.Count} flags");
        var body = new Block(function.ParameterTypes);
        var tangentIn = new List<Value?>();
        for (int i = 0; i < function.Parameters.Count; i++)
        {
            var type = function.Parameters[i].Type;
            if (differentiable[i] && !type.DType.IsFloat())
                throw new JaxTypeException("jvp", $"parameter {i} of @{function.Name} is {type.ToLongString()}: only floating-point inputs can be differentiated");
            tangentIn.Add(differentiable[i] ? body.AddArgument(TangentType(type)) : null);
        }
        var emitter = new Emitter(body);
        var outs = Transform(function.Body, body.Arguments.Take(function.Parameters.Count).ToArray(), tangentIn, emitter, out var tangentOut);
        var results = outs.Concat(tangentOut.Select((t, i) => t ?? emitter.Zeros(TangentType(outs[i].Type)))).ToArray();
        body.SetResults(results);
        return new Function(name ?? $"jvp_{function.Name}", body);
    }

    /// <summary>The type of a tangent of a value (strong: tangents do not take part in promotion).</summary>
    public static ShapedType TangentType(ShapedType primal) => primal with { Weak = false };

    /// <summary>
    /// Emits the JVP of <paramref name="block"/> applied to <paramref name="primals"/> with <paramref name="tangents"/>
    /// (null for zero) through <paramref name="emitter"/>; returns the primal results and their tangents.
    /// </summary>
    public static IReadOnlyList<Value> Transform(Block block, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents,
        Emitter emitter, out IReadOnlyList<Value?> resultTangents)
    {
        NestingDepthException.EnsureStack("jvp");
        var primal = new Dictionary<Value, Value>(ReferenceEqualityComparer.Instance);
        var tangent = new Dictionary<Value, Value>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < block.Arguments.Count; i++)
        {
            primal[block.Arguments[i]] = primals[i];
            if (tangents[i] is { } t) tangent[block.Arguments[i]] = t;
        }
        var context = new JvpContext(emitter) { JvpRegion = JvpRegion };
        foreach (var op in block.Operations)
        {
            var operands = op.Operands.Select(o => primal[o]).ToArray();
            var operandTangents = op.Operands.Select(o => tangent.TryGetValue(o, out var t) ? t : null).ToArray();
            IReadOnlyList<Value> outs;
            IReadOnlyList<Value?> outTangents;
            if (operandTangents.All(t => t is null))
            {
                outs = emitter.Emit(op.Primitive, operands, op.Attributes, op.Regions);
                outTangents = new Value?[outs.Count];
            }
            else
            {
                (outs, outTangents) = op.Primitive.Jvp(context, operands, operandTangents, op.Attributes, op.Regions);
            }
            for (int i = 0; i < op.Results.Count; i++)
            {
                primal[op.Results[i]] = outs[i];
                if (outTangents[i] is { } t && op.Results[i].Type.DType.IsFloat()) tangent[op.Results[i]] = t;
            }
        }
        resultTangents = block.Results.Select(r => tangent.TryGetValue(r, out var t) ? t : null).ToArray();
        return block.Results.Select(r => primal[r]).ToArray();
    }

    /// <summary>
    /// The JVP of a closed region: arguments are the primal arguments followed by the tangents of the marked
    /// ones; results are the primal results followed by the tangents of the results that have one, or that are
    /// floating-point and marked in <paramref name="instantiate"/> (zeros where they do not depend on a tangent).
    /// </summary>
    public static (Block Region, IReadOnlyList<bool> TangentResults) JvpRegion(Block region, IReadOnlyList<bool> withTangent, IReadOnlyList<bool>? instantiate = null)
    {
        var block = new Block(region.ArgumentTypes);
        var primals = block.Arguments.ToArray();
        var tangents = new List<Value?>();
        for (int i = 0; i < primals.Length; i++)
            tangents.Add(withTangent[i] ? block.AddArgument(TangentType(primals[i].Type)) : null);
        var emitter = new Emitter(block);
        var outs = Transform(region, primals, tangents, emitter, out var outTangents);
        var resultTangents = outTangents
            .Select((t, i) => t ?? (instantiate is not null && instantiate[i] && outs[i].Type.DType.IsFloat() ? emitter.Zeros(TangentType(outs[i].Type)) : null))
            .ToArray();
        block.SetResults(outs.Concat(resultTangents.Where(t => t is not null).Select(t => t!)));
        return (block, resultTangents.Select(t => t is not null).ToArray());
    }
}
