namespace JaxToolchain.Ir;

/// <summary>
/// Dead-code elimination (MLIR's <c>-dce</c>, JAX's <c>dce_jaxpr</c>): removes operations none of whose results
/// are used, recursively (an operation used only by dead operations is dead), in the function body and inside
/// every region. Operations are pure, so an operation without results is dead too. Region signatures are kept,
/// except a <c>call</c>'s (<see cref="CallPrimitive"/>): a live call whose results are not all used, or whose region
/// does not use every operand, becomes a call returning only the used results from only the operands they need
/// (JAX's DCE rule of <c>pjit</c>), so the dead part of its region and the values only it needed go too.
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

        /// <summary>Live calls that need only some of their results or operands: the results and operands they keep.</summary>
        private readonly Dictionary<Operation, (int[] Results, bool[] Operands)> _narrowed = new(ReferenceEqualityComparer.Instance);

        protected override void EnterBlock(Block source)
        {
            var used = new HashSet<Value>(source.Results, ReferenceEqualityComparer.Instance);
            for (int i = source.Operations.Count - 1; i >= 0; i--)
            {
                var op = source.Operations[i];
                if (!op.Results.Any(used.Contains)) continue;
                _live.Add(op);
                if (op.Primitive is not CallPrimitive)
                {
                    used.UnionWith(op.Operands);
                    continue;
                }
                var results = RuleLayout.Marked(op.Results.Select(used.Contains).ToArray());
                var operands = ClosedRegions.UsedArguments(op.Regions[0], results);
                if (results.Length < op.Results.Count || operands.Contains(false)) _narrowed[op] = (results, operands);
                used.UnionWith(op.Operands.Where((_, k) => operands[k]));
            }
        }

        protected override IReadOnlyList<Value?>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder)
        {
            if (!_live.Contains(op)) return [];
            if (!_narrowed.TryGetValue(op, out var keep)) return null;
            var region = ClosedRegions.Extract(regions[0], keep.Operands, keep.Results);
            var outs = builder.Emit(op.Primitive, operands.Where((_, k) => keep.Operands[k]).ToArray(), op.Attributes, [region]);
            var replacement = new Value?[op.Results.Count];
            for (int k = 0; k < keep.Results.Length; k++) replacement[keep.Results[k]] = outs[k];
            return replacement;
        }
    }
}
