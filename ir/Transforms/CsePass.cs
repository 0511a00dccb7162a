namespace JaxToolchain.Ir;

/// <summary>
/// Common-subexpression elimination (MLIR's <c>-cse</c>): an operation without regions that applies the same
/// primitive to the same operands with equal attributes as an earlier operation of the same block is replaced by
/// that operation's results (type rules are deterministic, so the results have the same types). Each region is
/// its own scope: regions are closed, so they never reuse a value of the enclosing block.
/// </summary>
public sealed class CsePass : IPass
{
    /// <inheritdoc/>
    public string Name => "cse";

    /// <inheritdoc/>
    public string Summary => "reuses the results of identical operations";

    /// <inheritdoc/>
    public Function Run(Function function) => new Rewriter().Rewrite(function);

    private sealed class Key(Primitive primitive, IReadOnlyList<Value> operands, Attributes attributes) : IEquatable<Key>
    {
        private readonly Primitive _primitive = primitive;
        private readonly Value[] _operands = operands.ToArray();
        private readonly Attributes _attributes = attributes;

        public bool Equals(Key? other) =>
            other is not null && ReferenceEquals(_primitive, other._primitive) && _attributes.Equals(other._attributes)
            && _operands.Length == other._operands.Length && _operands.Zip(other._operands).All(p => ReferenceEquals(p.First, p.Second));

        public override bool Equals(object? obj) => obj is Key k && Equals(k);

        public override int GetHashCode()
        {
            var h = new HashCode();
            h.Add(_primitive);
            foreach (var o in _operands) h.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(o));
            h.Add(_attributes.GetHashCode());
            return h.ToHashCode();
        }
    }

    private sealed class Rewriter : BlockRewriter
    {
        private readonly Stack<Dictionary<Key, IReadOnlyList<Value>>> _scopes = new();

        protected override void EnterBlock(Block source) => _scopes.Push([]);

        protected override void ExitBlock(Block source) => _scopes.Pop();

        private static bool Candidate(Operation op) => op.Regions.Count == 0 && op.Results.Count > 0;

        protected override IReadOnlyList<Value>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder) =>
            Candidate(op) && _scopes.Peek().TryGetValue(new Key(op.Primitive, operands, op.Attributes), out var earlier) ? earlier : null;

        protected override void Kept(Operation op, Operation copy)
        {
            if (Candidate(op)) _scopes.Peek()[new Key(copy.Primitive, copy.Operands, copy.Attributes)] = copy.Results;
        }
    }
}
