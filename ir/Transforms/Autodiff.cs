namespace JaxToolchain.Ir;

/// <summary>
/// The result of <see cref="Autodiff.Linearize"/>: <see cref="Primal"/> maps <c>(x...)</c> to
/// <c>(y..., residuals...)</c>, <see cref="Linear"/> maps <c>(residuals..., t...)</c> to <c>ẏ...</c>.
/// </summary>
/// <param name="Primal">The forward computation: the function's results followed by the residuals.</param>
/// <param name="Linear">The tangent computation, linear in its last parameters (one per differentiable input).</param>
/// <param name="NumResiduals">How many residuals the primal function returns after the results.</param>
public sealed record Linearized(Function Primal, Function Linear, int NumResiduals);

/// <summary>
/// The result of <see cref="Autodiff.Vjp"/>: <see cref="Forward"/> maps <c>(x...)</c> to <c>(y..., residuals...)</c>,
/// <see cref="Backward"/> maps <c>(residuals..., ȳ...)</c> to the cotangents <c>x̄...</c> of the differentiable inputs.
/// </summary>
/// <param name="Forward">The forward computation: the function's results followed by the residuals.</param>
/// <param name="Backward">The cotangent computation: residuals and one cotangent per result in, one cotangent per differentiable input out.</param>
/// <param name="NumResiduals">How many residuals the forward function returns after the results.</param>
public sealed record VjpFunctions(Function Forward, Function Backward, int NumResiduals);

/// <summary>
/// Reverse-mode differentiation built from passes (JAX's <c>linearize</c> and <c>vjp</c>). Linearization is the JVP
/// with the tangents unknown, partially evaluated as it is built: each operation's JVP rule emits into a scratch
/// block, and each emitted operation goes to the primal function when none of its operands depends on the tangents
/// (known), else to the linear function (unknown). Known values an unknown operation uses become residuals
/// (once each), except constants and cheap shape operations on them, which are re-emitted in the linear
/// function. Known work is never repeated in the linear function, and the primal results are always known: when
/// a rule computes a primal result inside an unknown operation (control flow whose regions carry both), the
/// original operation is emitted again on the primal side for it. Rules may split their own work (a <c>call</c> emits a
/// primal call and a linear call, see <see cref="JvpContext.Linearize"/>). Both functions are then simplified with
/// <see cref="Pipelines.Simplify"/> and residuals that the linear function no longer uses, or that repeat, are dropped.
/// </summary>
public static class Autodiff
{
    /// <summary>
    /// JVP plus partial evaluation of <paramref name="function"/>: a primal function <c>(x...) → (y..., residuals...)</c>
    /// and a linear function <c>(residuals..., t...) → ẏ...</c> with one tangent per input marked in
    /// <paramref name="differentiable"/> (floating-point only) and one output tangent per result (zeros where a
    /// result does not depend on the tangents).
    /// </summary>
    public static Linearized Linearize(Function function, IReadOnlyList<bool> differentiable)
    {
        var split = new Linearizer(function, differentiable);
        var primal = Pipelines.Simplify(split.Primal);
        var linear = Pipelines.Simplify(split.Linear);
        return PruneResiduals(new Linearized(primal, linear, split.NumResiduals), function.ResultTypes.Count);
    }

    /// <summary>
    /// Reverse mode: <see cref="Linearize"/>, then <see cref="TransposePass"/> of the linear function. The forward
    /// function is <c>(x...) → (y..., residuals...)</c>, the backward one <c>(residuals..., ȳ...) → x̄...</c> with one
    /// cotangent per input marked in <paramref name="differentiable"/> (zeros where an input gets none).
    /// </summary>
    public static VjpFunctions Vjp(Function function, IReadOnlyList<bool> differentiable)
    {
        var linearized = Linearize(function, differentiable);
        var backward = Pipelines.Simplify(TransposePass.Apply(linearized.Linear, linearized.NumResiduals, $"bwd_{function.Name}"));
        var pruned = PruneResiduals(new Linearized(linearized.Primal, backward, linearized.NumResiduals), function.ResultTypes.Count);
        return new VjpFunctions(Renamed(pruned.Primal, $"fwd_{function.Name}"), pruned.Linear, pruned.NumResiduals);
    }

    /// <summary>
    /// The gradient (JAX's <c>grad</c>) of a function with one floating-point scalar result: one function
    /// <c>(x...) → x̄...</c>, the forward and backward functions of <see cref="Vjp"/> inlined with <c>ȳ = 1</c> and
    /// simplified, with one gradient per input marked in <paramref name="differentiable"/>.
    /// </summary>
    public static Function Grad(Function function, IReadOnlyList<bool> differentiable)
    {
        if (function.ResultTypes is not [{ Rank: 0 } resultType] || !resultType.DType.IsFloat())
            throw new JaxTypeException("grad", $"@{function.Name} must return one floating-point scalar to be differentiated, got ({string.Join(", ", function.ResultTypes.Select(t => t.ToLongString()))})");
        var vjp = Vjp(function, differentiable);
        var body = new Block(function.ParameterTypes);
        var forward = new FunctionCloner();
        for (int i = 0; i < body.Arguments.Count; i++) forward.Map(vjp.Forward.Parameters[i], body.Arguments[i]);
        var residuals = forward.CloneInto(vjp.Forward.Body, body).Skip(1).ToArray();
        var backward = new FunctionCloner();
        for (int i = 0; i < residuals.Length; i++) backward.Map(vjp.Backward.Parameters[i], residuals[i]);
        backward.Map(vjp.Backward.Parameters[residuals.Length], new Emitter(body).Ones(JvpPass.TangentType(resultType)));
        body.SetResults(backward.CloneInto(vjp.Backward.Body, body));
        return Pipelines.Simplify(new Function($"grad_{function.Name}", body));
    }

    private static Function Renamed(Function function, string name) => new(name, function.Body);

    /// <summary>
    /// Drops residuals the consumer (<c>Linear</c>, whose first parameters are the residuals) does not use and merges
    /// residuals that are the same value of the primal function (which simplification of the primal function can cause).
    /// </summary>
    private static Linearized PruneResiduals(Linearized split, int numResults)
    {
        var (primal, consumer, n) = split;
        var residuals = primal.Body.Results.Skip(numResults).ToArray();
        var used = new HashSet<Value>(consumer.Body.Operations.SelectMany(op => op.Operands).Concat(consumer.Body.Results), ReferenceEqualityComparer.Instance);
        var keep = new List<int>();
        var stand = new int[n];
        var position = new Dictionary<Value, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
        {
            if (!used.Contains(consumer.Parameters[i])) continue;
            if (position.TryGetValue(residuals[i], out int first))
            {
                stand[i] = first;
                continue;
            }
            stand[i] = position[residuals[i]] = keep.Count;
            keep.Add(i);
        }
        if (keep.Count == n) return split;

        var primalBody = new FunctionCloner().CloneBlock(primal.Body);
        primalBody.SetResults(primalBody.Results.Take(numResults).Concat(keep.Select(k => primalBody.Results[numResults + k])).ToArray());

        var kept = keep.Select(k => new Value(consumer.Parameters[k].Type)).ToArray();
        var rest = consumer.Parameters.Skip(n).Select(p => new Value(p.Type) { NameHint = p.NameHint }).ToArray();
        var cloner = new FunctionCloner();
        for (int i = 0; i < n; i++)
            if (used.Contains(consumer.Parameters[i])) cloner.Map(consumer.Parameters[i], kept[stand[i]]);
        for (int i = 0; i < rest.Length; i++) cloner.Map(consumer.Parameters[n + i], rest[i]);
        var consumerBody = new Block(kept.Concat(rest));
        consumerBody.SetResults(cloner.CloneInto(consumer.Body, consumerBody));
        // Merged residuals can make operations of the consumer identical, and dropped ones leave dead work (or dead
        // results of a call) in the primal function: simplify both again.
        return new Linearized(Pipelines.Simplify(new Function(primal.Name, primalBody)), Pipelines.Simplify(new Function(consumer.Name, consumerBody)), keep.Count);
    }

    /// <summary>The JVP of a function split on the fly into its known (primal) and unknown (linear) parts.</summary>
    private sealed class Linearizer
    {
        private readonly Block _known;
        private readonly Emitter _knownEmitter;
        private readonly Block _unknown = new(Array.Empty<Value>());
        private readonly Emitter _unknownEmitter;
        /// <summary>Values of the unknown side: its arguments and results of operations emitted there.</summary>
        private readonly HashSet<Value> _unknownValues = new(ReferenceEqualityComparer.Instance);
        /// <summary>Results of unknown operations a rule emitted in scratch, to their copies on the unknown side.</summary>
        private readonly Dictionary<Value, Value> _moved = new(ReferenceEqualityComparer.Instance);
        /// <summary>Known values brought to the unknown side: residual arguments or re-emitted constants.</summary>
        private readonly Dictionary<Value, Value> _imported = new(ReferenceEqualityComparer.Instance);
        /// <summary>Whether known values can be re-emitted on the unknown side (<see cref="IsRematerializable"/>), as found so far.</summary>
        private readonly Dictionary<Value, bool> _rematerializable = new(ReferenceEqualityComparer.Instance);
        private readonly List<Value> _residualArguments = [];
        private readonly List<Value> _residualValues = [];

        public Function Primal { get; }

        public Function Linear { get; }

        public int NumResiduals => _residualValues.Count;

        public Linearizer(Function function, IReadOnlyList<bool> differentiable)
        {
            if (differentiable.Count != function.Parameters.Count)
                throw new ArgumentException($"linearize: @{function.Name} has {function.Parameters.Count} parameters, got {differentiable.Count} flags");
            _known = new Block(function.ParameterTypes);
            _knownEmitter = new Emitter(_known);
            _unknownEmitter = new Emitter(_unknown);
            var primal = new Dictionary<Value, Value>(ReferenceEqualityComparer.Instance);
            var tangent = new Dictionary<Value, Value>(ReferenceEqualityComparer.Instance);
            var tangentArguments = new List<Value>();
            for (int i = 0; i < function.Parameters.Count; i++)
            {
                var parameter = function.Parameters[i];
                primal[parameter] = _known.Arguments[i];
                if (!differentiable[i]) continue;
                if (!parameter.Type.DType.IsFloat())
                    throw new JaxTypeException("linearize", $"parameter {i} of @{function.Name} is {parameter.Type.ToLongString()}: only floating-point inputs can be differentiated");
                var t = new Value(JvpPass.TangentType(parameter.Type));
                tangentArguments.Add(t);
                _unknownValues.Add(t);
                tangent[parameter] = t;
            }

            foreach (var op in function.Body.Operations)
            {
                var operands = op.Operands.Select(o => primal[o]).ToArray();
                var operandTangents = op.Operands.Select(o => tangent.GetValueOrDefault(o)).ToArray();
                IReadOnlyList<Value> outs;
                IReadOnlyList<Value?> outTangents;
                if (operandTangents.All(t => t is null))
                {
                    outs = _knownEmitter.Emit(op.Primitive, operands, op.Attributes, op.Regions);
                    outTangents = new Value?[outs.Count];
                }
                else
                {
                    var scratch = new Block(Array.Empty<Value>());
                    var context = new JvpContext(new Emitter(scratch)) { JvpRegion = JvpPass.JvpRegion, Linearize = Autodiff.Linearize };
                    (outs, outTangents) = op.Primitive.Jvp(context, operands, operandTangents, op.Attributes, op.Regions);
                    foreach (var emitted in scratch.Operations) Place(emitted);
                    if (outs.Any(IsUnknown))
                    {
                        // A primal result computed on the unknown side (control flow carrying primals and tangents
                        // together): the primal does not depend on the tangents, so compute it again from the primals.
                        var again = _knownEmitter.Emit(op.Primitive, operands, op.Attributes, op.Regions);
                        outs = outs.Select((o, i) => IsUnknown(o) ? again[i] : o).ToArray();
                    }
                    outTangents = outTangents.Select(t => t is null ? null : Resolve(t)).ToArray();
                }
                for (int i = 0; i < op.Results.Count; i++)
                {
                    primal[op.Results[i]] = outs[i];
                    if (outTangents[i] is { } t && op.Results[i].Type.DType.IsFloat()) tangent[op.Results[i]] = t;
                }
            }

            _known.SetResults(function.Body.Results.Select(r => primal[r]).Concat(_residualValues).ToArray());
            var tangentsOut = function.Body.Results.Select(r => tangent.TryGetValue(r, out var t)
                ? (IsUnknown(t) ? t : Import(t))
                : _unknownEmitter.Zeros(JvpPass.TangentType(r.Type))).ToArray();
            // Residual arguments come first; they were created as the linear part asked for them.
            var linearBody = new Block(_residualArguments.Concat(tangentArguments));
            linearBody.SetOperations(_unknown.Operations);
            linearBody.SetResults(tangentsOut);
            Primal = new Function($"primal_{function.Name}", _known);
            Linear = new Function($"linear_{function.Name}", linearBody);
        }

        private bool IsUnknown(Value v) => _unknownValues.Contains(v) || _moved.ContainsKey(v);

        private Value Resolve(Value v) => _moved.TryGetValue(v, out var w) ? w : v;

        /// <summary>Moves an operation a rule emitted to the known side, or copies it to the unknown side.</summary>
        private void Place(Operation op)
        {
            if (!op.Operands.Any(IsUnknown))
            {
                _known.Append(op);
                return;
            }
            var operands = op.Operands.Select(o => IsUnknown(o) ? Resolve(o) : Import(o)).ToArray();
            var copy = new Operation(op.Primitive, operands, op.Results.Select(r => r.Type).ToArray(), op.Attributes, op.Regions);
            _unknown.Append(copy);
            for (int i = 0; i < op.Results.Count; i++)
            {
                _moved[op.Results[i]] = copy.Results[i];
                _unknownValues.Add(copy.Results[i]);
            }
        }

        /// <summary>
        /// A known value as the unknown side sees it: re-emitted when it is a cheap constant, else a residual. A chain
        /// of cheap operations is re-emitted from its constant up, iteratively (chains in hostile IR can be long).
        /// </summary>
        private Value Import(Value known)
        {
            if (_imported.TryGetValue(known, out var v)) return v;
            if (!IsRematerializable(known))
            {
                v = new Value(known.Type);
                _residualArguments.Add(v);
                _residualValues.Add(known);
                _imported[known] = v;
                return v;
            }
            var chain = new Stack<Value>();
            for (var c = known; !_imported.ContainsKey(c); c = c.Definer!.Operands[0])
            {
                chain.Push(c);
                if (c.Definer!.Operands.Count == 0) break;
            }
            while (chain.TryPop(out var c))
            {
                var op = c.Definer!;
                var copy = new Operation(op.Primitive, op.Operands.Select(o => _imported[o]).ToArray(), [c.Type], op.Attributes);
                _unknown.Append(copy);
                _imported[c] = copy.Result;
            }
            return _imported[known];
        }

        /// <summary>
        /// Constants and iotas, and chains of cheap shape operations and conversions of them (JAX's literals and their
        /// broadcasts); every one of these has one result.
        /// </summary>
        private bool IsRematerializable(Value v)
        {
            var visited = new List<Value>();
            bool result;
            while (true)
            {
                if (_rematerializable.TryGetValue(v, out result)) break;
                visited.Add(v);
                if (v.Definer is not { Regions.Count: 0 } op)
                {
                    result = false;
                    break;
                }
                var p = op.Primitive;
                if (ReferenceEquals(p, Prims.Constant) || ReferenceEquals(p, Prims.Iota))
                {
                    result = true;
                    break;
                }
                bool cheap = ReferenceEquals(p, Prims.BroadcastInDim) || ReferenceEquals(p, Prims.Reshape) || ReferenceEquals(p, Prims.ConvertElementType)
                             || ReferenceEquals(p, Prims.ExpandDims) || ReferenceEquals(p, Prims.Squeeze);
                if (!cheap || op.Operands.Count != 1)
                {
                    result = false;
                    break;
                }
                v = op.Operands[0];
            }
            foreach (var w in visited) _rematerializable[w] = result;
            return result;
        }
    }
}
