namespace JaxToolchain.Ir;

/// <summary>
/// Transposition of a linear function as an IR → IR pass (JAX's <c>backward_pass</c>): from
/// <c>f(r..., t...) = ẏ...</c>, linear in <c>t</c>, builds <c>fᵀ(r..., ȳ...) = t̄...</c>. The values that depend on
/// the linear inputs are the linear ones; operations without a linear operand are emitted forward first (they
/// compute the coefficients), then the linear operations are walked backward, each through its primitive's
/// <see cref="Primitive.Transpose"/> rule, accumulating cotangents with <c>add</c> (absent = zero). Results that do
/// not depend on the linear inputs ignore their cotangents; linear inputs that receive none get zeros.
/// </summary>
public static class TransposePass
{
    /// <summary>
    /// The transpose of <paramref name="linear"/>, whose first <paramref name="numNonLinear"/> parameters are the
    /// non-linear ones: parameters are those followed by one cotangent per result (the result's tangent type);
    /// results are the cotangents of the remaining (linear) parameters, in order.
    /// </summary>
    public static Function Apply(Function linear, int numNonLinear, string? name = null)
    {
        if (numNonLinear < 0 || numNonLinear > linear.Parameters.Count)
            throw new ArgumentOutOfRangeException(nameof(numNonLinear), $"transpose: @{linear.Name} has {linear.Parameters.Count} parameters, got {numNonLinear} non-linear ones");
        var mask = Enumerable.Range(0, linear.Parameters.Count).Select(i => i >= numNonLinear).ToArray();
        return new Function(name ?? $"transpose_{linear.Name}", TransposeRegion(linear.Body, mask));
    }

    /// <summary>
    /// The transpose of a block linear in the arguments marked in <paramref name="linearArguments"/> (what
    /// <see cref="TransposeContext.TransposeRegion"/> gives control-flow rules): arguments are the non-linear
    /// arguments (in order) followed by one cotangent per result; results are the cotangents of the linear arguments.
    /// </summary>
    public static Block TransposeRegion(Block block, IReadOnlyList<bool> linearArguments)
    {
        NestingDepthException.EnsureStack("transpose");
        if (linearArguments.Count != block.Arguments.Count)
            throw new ArgumentException($"transpose: the block has {block.Arguments.Count} arguments, got {linearArguments.Count} flags");
        var cloner = new FunctionCloner();
        var nonLinear = new List<Value>();
        var isLinear = new HashSet<Value>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < block.Arguments.Count; i++)
        {
            var argument = block.Arguments[i];
            if (linearArguments[i])
            {
                isLinear.Add(argument);
                continue;
            }
            var copy = new Value(argument.Type) { NameHint = argument.NameHint };
            cloner.Map(argument, copy);
            nonLinear.Add(copy);
        }
        var cotangentsIn = block.Results.Select(r => new Value(JvpPass.TangentType(r.Type))).ToArray();
        var result = new Block(nonLinear.Concat(cotangentsIn));
        var emitter = new Emitter(result);

        // Forward: the non-linear operations, in order; the linear ones are remembered for the backward walk.
        var linearOps = new List<Operation>();
        foreach (var op in block.Operations)
        {
            if (op.Operands.Any(isLinear.Contains))
            {
                linearOps.Add(op);
                isLinear.UnionWith(op.Results);
            }
            else
            {
                result.Append(cloner.CloneOperation(op));
            }
        }

        var cotangents = new Cotangents(emitter);
        for (int i = 0; i < block.Results.Count; i++)
            if (isLinear.Contains(block.Results[i])) cotangents.Add(block.Results[i], cotangentsIn[i], "return");

        // Backward: each linear operation's transpose rule, last to first.
        var context = new TransposeContext(emitter) { TransposeRegion = TransposeRegion };
        for (int k = linearOps.Count - 1; k >= 0; k--)
        {
            var op = linearOps[k];
            var cts = op.Results.Select(cotangents.Take).ToArray();
            if (cts.All(c => c is null)) continue;
            var operands = op.Operands.Select(o => new LinearOperand(isLinear.Contains(o) ? null : cloner.Lookup(o), o.Type)).ToArray();
            var outs = op.Primitive.Transpose(context, cts, operands, op.Attributes, op.Regions);
            if (outs.Count != operands.Length)
                throw new InvalidOperationException($"transpose rule for '{op.Primitive.Name}' returned {outs.Count} cotangents for {operands.Length} operands");
            for (int i = 0; i < operands.Length; i++)
                if (operands[i].IsLinear && outs[i] is { } ct) cotangents.Add(op.Operands[i], ct, op.Primitive.Name);
        }

        result.SetResults(block.Arguments.Where((_, i) => linearArguments[i])
            .Select(a => cotangents.Take(a) ?? emitter.Zeros(JvpPass.TangentType(a.Type))));
        return result;
    }

    /// <summary>The cotangents accumulated so far, per linear value of the input (JAX's <c>ct_env</c>).</summary>
    private sealed class Cotangents(Emitter emitter)
    {
        private readonly Dictionary<Value, Value> _sum = new(ReferenceEqualityComparer.Instance);

        /// <summary>Adds a cotangent contribution to <paramref name="value"/>, checking it has the value's tangent type.</summary>
        public void Add(Value value, Value ct, string from)
        {
            var expected = JvpPass.TangentType(value.Type);
            if (ct.Type.Weak) ct = emitter.ConvertElementType(ct, ct.Type.DType);
            if (ct.Type != expected)
                throw new InvalidOperationException($"transpose rule for '{from}' gave a cotangent of type {ct.Type} for a value of type {value.Type}");
            _sum[value] = _sum.TryGetValue(value, out var earlier) ? emitter.Add(earlier, ct) : ct;
        }

        /// <summary>Removes and returns the total cotangent of a value (null: zero).</summary>
        public Value? Take(Value value) => _sum.Remove(value, out var ct) ? ct : null;
    }
}
