namespace JaxToolchain.Ir;

/// <summary>
/// Dead-code elimination (MLIR's <c>-dce</c>, JAX's <c>dce_jaxpr</c>): removes operations none of whose results
/// are used, recursively (an operation used only by dead operations is dead), in the function body and inside
/// every region. Operations are pure, so an operation without results is dead too. Region signatures are kept.
/// </summary>
public sealed class DcePass : IPass
{
    /// <inheritdoc/>
    public string Name => "dce";

    /// <inheritdoc/>
    public string Summary => "removes operations whose results are unused";

    /// <inheritdoc/>
    public Function Run(Function function) => new Rewriter().Rewrite(function);

    private sealed class Rewriter : BlockRewriter
    {
        private readonly HashSet<Operation> _live = new(ReferenceEqualityComparer.Instance);

        protected override void EnterBlock(Block source)
        {
            var used = new HashSet<Value>(source.Results, ReferenceEqualityComparer.Instance);
            for (int i = source.Operations.Count - 1; i >= 0; i--)
            {
                var op = source.Operations[i];
                if (!op.Results.Any(used.Contains)) continue;
                _live.Add(op);
                used.UnionWith(op.Operands);
            }
        }

        protected override IReadOnlyList<Value>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder) =>
            _live.Contains(op) ? null : [];
    }
}
