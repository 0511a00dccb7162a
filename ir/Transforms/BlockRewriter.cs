namespace JaxToolchain.Ir;

/// <summary>
/// The walk the simplification passes share: rebuilds a function block by block, operation by operation, into new
/// IR (the input is never touched), mapping old values to new ones. For each operation (regions rebuilt first) a
/// pass decides whether to keep it, drop it, or replace its results by existing values. A kept operation whose
/// operands and regions did not change is kept as it is (operations are immutable, so the output shares it with
/// the input), and so is a block in which nothing changed: a pass that changes little allocates little. When
/// nothing changed anywhere the input function itself is returned, so a pipeline can tell when it reached a fixed
/// point.
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

    /// <summary>Called when <paramref name="op"/> was kept (after <see cref="Visit"/> returned null), as <paramref name="kept"/>: itself, or a copy over new operands or regions.</summary>
    protected virtual void Kept(Operation op, Operation kept) { }

    /// <summary>
    /// Decides what becomes of <paramref name="op"/>, whose operands are already mapped to <paramref name="operands"/>
    /// and whose regions are rebuilt as <paramref name="regions"/>: return null to keep it, an empty list to drop it
    /// (its results must be unused), or one value per result to stand for its results (null for a result that is
    /// unused). Replacements must have exactly the results' types. New operations may be emitted through
    /// <paramref name="builder"/>.
    /// </summary>
    protected abstract IReadOnlyList<Value?>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder);

    /// <summary>The block rewritten; <paramref name="source"/> itself when nothing in it changed.</summary>
    private Block RewriteBlock(Block source)
    {
        NestingDepthException.EnsureStack(GetType().DeclaringType?.Name ?? GetType().Name);
        // The arguments stay the same values, so that operations that did not change can be kept as they are.
        var target = new Block(source.Arguments);
        var builder = new IrBuilder(target);
        bool changed = false;
        EnterBlock(source);
        foreach (var op in source.Operations)
        {
            var operands = Mapped(op.Operands);
            var regions = Mapped(op.Regions);
            int emitted = target.Operations.Count;
            var replacement = Visit(op, operands, regions, builder);
            changed |= target.Operations.Count != emitted;
            if (replacement is null)
            {
                var kept = ReferenceEquals(operands, op.Operands) && ReferenceEquals(regions, op.Regions)
                    ? op
                    : new Operation(op.Primitive, operands, op.Results.Select(r => r.Type).ToArray(), op.Attributes, regions);
                target.Append(kept);
                if (!ReferenceEquals(kept, op))
                {
                    changed = true;
                    for (int i = 0; i < op.Results.Count; i++) _map[op.Results[i]] = kept.Results[i];
                }
                Kept(op, kept);
                continue;
            }
            Changed = changed = true;
            if (replacement.Count == 0) continue;
            for (int i = 0; i < op.Results.Count; i++)
            {
                if (replacement[i] is not { } value) continue;
                if (value.Type != op.Results[i].Type)
                    throw new InvalidOperationException($"{GetType().Name}: replacing a result of '{op.Primitive.Name}' of type {op.Results[i].Type} by a value of type {value.Type}");
                _map[op.Results[i]] = value;
            }
        }
        ExitBlock(source);
        var results = Mapped(source.Results);
        if (!changed && ReferenceEquals(results, source.Results)) return source;
        target.SetResults(results);
        return target;
    }

    /// <summary>The values standing for <paramref name="values"/>: the list itself when none of them is mapped to another.</summary>
    private IReadOnlyList<Value> Mapped(IReadOnlyList<Value> values)
    {
        for (int i = 0; i < values.Count; i++)
            if (_map.ContainsKey(values[i])) return values.Select(Lookup).ToArray();
        return values;
    }

    /// <summary>The regions rebuilt: the list itself when none of them changed.</summary>
    private IReadOnlyList<Block> Mapped(IReadOnlyList<Block> regions)
    {
        if (regions.Count == 0) return regions;
        var rebuilt = regions.Select(RewriteBlock).ToArray();
        return rebuilt.Where((r, i) => !ReferenceEquals(r, regions[i])).Any() ? rebuilt : regions;
    }
}
