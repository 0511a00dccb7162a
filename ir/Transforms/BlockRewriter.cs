namespace JaxToolchain.Ir;

/// <summary>
/// The walk the simplification passes share: rebuilds a function block by block, operation by operation, into new
/// IR (the input is never touched), mapping old values to new ones. For each operation (regions rebuilt first) a
/// pass decides whether to keep a copy, drop it, or replace its results by existing values. When nothing changed
/// anywhere the input function itself is returned, so a pipeline can tell when it reached a fixed point.
/// </summary>
internal abstract class BlockRewriter
{
    private readonly Dictionary<Value, Value> _map = new(ReferenceEqualityComparer.Instance);

    /// <summary>Set when the output differs from the input.</summary>
    protected bool Changed { get; set; }

    /// <summary>The new value standing for an old one.</summary>
    protected Value Lookup(Value value) => _map.TryGetValue(value, out var v) ? v : value;

    /// <summary>Rewrites a function; returns the input itself when nothing changed.</summary>
    public Function Rewrite(Function function)
    {
        Changed = false;
        _map.Clear();
        var body = RewriteBlock(function.Body);
        return Changed ? new Function(function.Name, body) : function;
    }

    /// <summary>Called before a block's operations are visited (blocks nest: regions are visited inside their operation).</summary>
    protected virtual void EnterBlock(Block source) { }

    /// <summary>Called after a block's operations were visited.</summary>
    protected virtual void ExitBlock(Block source) { }

    /// <summary>Called when a copy of <paramref name="op"/> was kept (after <see cref="Visit"/> returned null).</summary>
    protected virtual void Kept(Operation op, Operation copy) { }

    /// <summary>
    /// Decides what becomes of <paramref name="op"/>, whose operands are already mapped to <paramref name="operands"/>
    /// and whose regions are rebuilt as <paramref name="regions"/>: return null to keep a copy, an empty list to drop
    /// it (its results must be unused), or one value per result to stand for its results. Replacements must have
    /// exactly the results' types. New operations may be emitted through <paramref name="builder"/>.
    /// </summary>
    protected abstract IReadOnlyList<Value>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder);

    private Block RewriteBlock(Block source)
    {
        NestingDepthException.EnsureStack(GetType().DeclaringType?.Name ?? GetType().Name);
        var arguments = source.Arguments.Select(a => new Value(a.Type) { NameHint = a.NameHint }).ToArray();
        for (int i = 0; i < arguments.Length; i++) _map[source.Arguments[i]] = arguments[i];
        var target = new Block(arguments);
        var builder = new IrBuilder(target);
        EnterBlock(source);
        foreach (var op in source.Operations)
        {
            var operands = op.Operands.Select(Lookup).ToArray();
            var regions = op.Regions.Select(RewriteBlock).ToArray();
            var replacement = Visit(op, operands, regions, builder);
            if (replacement is null)
            {
                var copy = new Operation(op.Primitive, operands, op.Results.Select(r => r.Type).ToArray(), op.Attributes, regions);
                target.Append(copy);
                for (int i = 0; i < op.Results.Count; i++) _map[op.Results[i]] = copy.Results[i];
                Kept(op, copy);
                continue;
            }
            Changed = true;
            if (replacement.Count == 0) continue;
            for (int i = 0; i < op.Results.Count; i++)
            {
                if (replacement[i].Type != op.Results[i].Type)
                    throw new InvalidOperationException($"{GetType().Name}: replacing a result of '{op.Primitive.Name}' of type {op.Results[i].Type} by a value of type {replacement[i].Type}");
                _map[op.Results[i]] = replacement[i];
            }
        }
        ExitBlock(source);
        target.SetResults(source.Results.Select(Lookup));
        return target;
    }
}
