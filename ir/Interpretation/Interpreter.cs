namespace JaxToolchain.Ir;

/// <summary>
/// The reference interpreter: runs any IR function on the CPU in managed code, one primitive at a time, with
/// each primitive's own kernel. It defines the semantics every backend is tested against.
/// <para>
/// Memory: every intermediate a kernel creates is disposed (its memory returned to the pool) right after its
/// last use, so a function's peak memory is that of its live values, not of all its values. Arguments are never
/// disposed; results are handed to the caller. A kernel may return one of its operands (or a buffer already bound
/// to another value) as a result: such aliases are tracked, and a buffer is disposed only when no live value is
/// bound to it.
/// </para>
/// </summary>
public sealed class Interpreter
{
    /// <summary>The key of <see cref="Exception.Data"/> under which a failing run records the name of the primitive that failed (the innermost one).</summary>
    public const string FailedPrimitiveKey = "jax.primitive";

    /// <summary>A shared instance (the interpreter holds no state between runs).</summary>
    public static Interpreter Default { get; } = new();

    /// <summary>Runs a function on arguments whose types match its parameters (symbolic dims bind to sizes).</summary>
    public static Buffer[] Run(Function function, params Buffer[] arguments) =>
        Default.RunBlock(function.Body, arguments, new Dictionary<string, long>(), function.Name);

    /// <summary>
    /// Runs a function whose arguments marked in <paramref name="donated"/> are handed over: the interpreter
    /// disposes them after their last use (so their memory can serve the results), unless they are results.
    /// </summary>
    public static Buffer[] Run(Function function, IReadOnlyList<Buffer> arguments, IReadOnlyList<bool> donated) =>
        Default.RunBlock(function.Body, arguments, new Dictionary<string, long>(), function.Name, donated);

    /// <summary>
    /// The results of a run as buffer objects of their own, for callers that hand each to a separate owner: a function
    /// may return one of its arguments, or one value twice; those become new views (<see cref="Buffer.Share"/>) of the
    /// same memory, so disposing one never frees another.
    /// </summary>
    public static Buffer[] DistinctResults(IReadOnlyList<Buffer> arguments, Buffer[] results)
    {
        var seen = new HashSet<Buffer>(arguments, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < results.Length; i++)
            if (!seen.Add(results[i])) results[i] = results[i].Share();
        return results;
    }

    /// <summary>Runs a region block (used by control-flow kernels), binding symbols of its argument types.</summary>
    public Buffer[] RunRegion(Block block, IReadOnlyList<Buffer> arguments) =>
        RunBlock(block, arguments, new Dictionary<string, long>(), "region");

    private Buffer[] RunBlock(Block block, IReadOnlyList<Buffer> arguments, Dictionary<string, long> symbols, string what,
        IReadOnlyList<bool>? donated = null)
    {
        NestingDepthException.EnsureStack("the interpreter");
        if (arguments.Count != block.Arguments.Count)
            throw new ArgumentException($"@{what} takes {block.Arguments.Count} arguments, got {arguments.Count}");
        var frame = new Frame(block);
        for (int i = 0; i < arguments.Count; i++)
        {
            BindSymbols(block.Arguments[i].Type, arguments[i], symbols, what, i);
            frame.Bind(block.Arguments[i], arguments[i], owned: donated is not null && donated[i]);
        }
        frame.ReleaseUnused(block.Arguments);
        // No catch-and-rethrow here: in a deep recursion each rethrow would start a new dispatch on top of the stack.
        bool completed = false;
        try
        {
            var operations = block.Operations;
            for (int k = 0; k < operations.Count; k++)
            {
                var op = operations[k];
                var inputs = new Buffer[op.Operands.Count];
                for (int i = 0; i < inputs.Length; i++) inputs[i] = frame.Lookup(op, op.Operands[i]);
                var attributes = symbols.Count == 0 ? op.Attributes : ResolveSymbols(op.Attributes, symbols);
                Buffer[] outputs;
                try
                {
                    outputs = frame.InPlaceTarget(op, k, inputs) is not { } target ? op.Primitive.Evaluate(inputs, attributes, op.Regions, this)
                        : op.Primitive is ElementwisePrimitive elementwise ? [elementwise.EvaluateInto(inputs, attributes, target)]
                        : [Prims.Fusion.EvaluateInto(inputs, op.Regions, this, target)];
                }
                catch (Exception e) when (RecordFailure(e, op))
                {
                    throw;
                }
                if (outputs.Length != op.Results.Count)
                    throw new InvalidOperationException($"'{op.Primitive.Name}' kernel returned {outputs.Length} results, expected {op.Results.Count}");
                for (int i = 0; i < outputs.Length; i++) frame.Bind(op.Results[i], outputs[i], owned: true);
                frame.ReleaseDead(op, k);
            }
            var results = frame.Results();
            completed = true;
            return results;
        }
        finally
        {
            if (!completed) frame.ReleaseAll();
        }
    }

    /// <summary>An exception filter that records the primitive that failed (the innermost) and never catches.</summary>
    private static bool RecordFailure(Exception e, Operation op)
    {
        if (!e.Data.Contains(FailedPrimitiveKey)) e.Data[FailedPrimitiveKey] = op.Primitive.Name;
        return false;
    }

    /// <summary>
    /// The values of one block run and which buffers the run owns: a buffer is owned when a kernel created it
    /// during the run (or it was donated), and is disposed when the last value bound to it dies.
    /// </summary>
    private sealed class Frame(Block block)
    {
        private readonly Dictionary<Value, Buffer> _env = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Buffer, int> _bindings = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Buffer> _owned = new(ReferenceEqualityComparer.Instance);
        private readonly Liveness _liveness = Liveness.Of(block);

        public void Bind(Value value, Buffer buffer, bool owned)
        {
            bool known = _bindings.TryGetValue(buffer, out int count);
            _bindings[buffer] = count + 1;
            _env[value] = buffer;
            if (owned && !known) _owned.Add(buffer);
        }

        /// <summary>
        /// An operand buffer an elementwise operation or a chunked <c>loop</c> kernel may write its result into: owned by
        /// this run, bound to no other live value, the only view of its memory, dense, of exactly the result's dtype and
        /// shape, and dying here.
        /// </summary>
        public Buffer? InPlaceTarget(Operation op, int k, Buffer[] inputs)
        {
            if (op.Results.Count != 1 || !(op.Primitive is ElementwisePrimitive || (op.Primitive is FusionPrimitive && FusionPrimitive.CanRunInPlace(op)))) return null;
            var type = op.Results[0].Type;
            for (int i = 0; i < inputs.Length; i++)
            {
                var b = inputs[i];
                if (_liveness.LastUseIndex(op.Operands[i]) != k || !_owned.Contains(b) || _bindings[b] != 1 || !b.IsSoleDenseView) continue;
                if (b.DType != type.DType || b.Shape.Rank != type.Rank || !inputs.All(o => o.LongLength == 1 || o.Shape == b.Shape)) continue;
                // The same buffer passed twice is bound once: it dies here only if every use is in this operation.
                return b;
            }
            return null;
        }

        public Buffer Lookup(Operation op, Value value) =>
            _env.TryGetValue(value, out var b)
                ? b
                : throw new InvalidOperationException($"'{op.Primitive.Name}' uses a value that is not defined before it");

        /// <summary>Releases arguments that nothing uses (donated ones are freed at once).</summary>
        public void ReleaseUnused(IEnumerable<Value> arguments)
        {
            foreach (var v in arguments)
                if (_liveness.LastUseIndex(v) < 0) Unbind(v);
        }

        /// <summary>After operation <paramref name="k"/>: unbinds the values it read last and its results nothing reads.</summary>
        public void ReleaseDead(Operation op, int k)
        {
            foreach (var value in _liveness.DyingAt(k)) Unbind(value);
            foreach (var result in op.Results)
                if (_liveness.LastUseIndex(result) == k) Unbind(result);
        }

        private void Unbind(Value value)
        {
            if (!_env.Remove(value, out var buffer)) return;
            int left = _bindings[buffer] - 1;
            if (left > 0)
            {
                _bindings[buffer] = left;
                return;
            }
            _bindings.Remove(buffer);
            if (_owned.Remove(buffer)) buffer.Dispose();
        }

        public Buffer[] Results() => block.Results.Select(r => _env.TryGetValue(r, out var b)
            ? b
            : throw new InvalidOperationException("a block returns a value that is not defined")).ToArray();

        /// <summary>On an error: disposes every owned buffer still alive.</summary>
        public void ReleaseAll()
        {
            foreach (var buffer in _owned) buffer.Dispose();
            _owned.Clear();
        }
    }

    private static void BindSymbols(ShapedType param, Buffer arg, Dictionary<string, long> symbols, string what, int index)
    {
        if (param.DType != arg.DType || param.Rank != arg.Shape.Rank)
            throw new JaxTypeException(what, $"argument {index} should be {param.ToLongString()}, got {arg.Type.ToLongString()}");
        for (int d = 0; d < param.Rank; d++)
        {
            var dim = param.Shape[d];
            long size = arg.Shape[d].Size;
            if (dim.IsStatic)
            {
                if (dim.Size != size)
                    throw new JaxTypeException(what, $"argument {index} should be {param.ToLongString()}, got {arg.Type.ToLongString()}");
            }
            else if (symbols.TryGetValue(dim.Symbol!, out var bound))
            {
                if (bound != size)
                    throw new JaxTypeException(what, $"argument {index} binds {dim.Symbol}={size}, but {dim.Symbol}={bound} already");
            }
            else
            {
                symbols[dim.Symbol!] = size;
            }
        }
    }

    private static Attributes ResolveSymbols(Attributes attributes, Dictionary<string, long> symbols)
    {
        var result = attributes;
        foreach (var (name, value) in attributes)
            if (value is Shape s && !s.IsStatic)
                result = result.With(name, new Shape(s.Select(d => d.IsStatic ? d : Dim.Of(symbols.TryGetValue(d.Symbol!, out var n)
                    ? n
                    : throw new InvalidOperationException($"symbol '{d.Symbol}' is not bound by any argument")))));
        return result;
    }
}
