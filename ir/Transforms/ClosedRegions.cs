namespace JaxToolchain.Ir;

/// <summary>
/// Rewrites of closed regions that the control-flow rules share: reordering a region's arguments and results
/// (transformed regions list tangents or cotangents after all primals, while the operations' operand layouts
/// interleave consts, carry and xs with theirs), inlining a region, finding which results depend on given
/// arguments, and extracting the part of a region that computes some results. Every rewrite copies: the input
/// region is left as it is, and no value of the output is shared with it.
/// </summary>
public static class ClosedRegions
{
    /// <summary>
    /// A copy of <paramref name="region"/> whose argument j is the region's argument
    /// <paramref name="argumentOrder"/>[j] (a permutation) and whose results are the region's results at
    /// <paramref name="resultOrder"/> (any selection, repeats allowed).
    /// </summary>
    public static Block Permute(Block region, IReadOnlyList<int> argumentOrder, IReadOnlyList<int> resultOrder)
    {
        if (argumentOrder.Count != region.Arguments.Count || argumentOrder.Distinct().Count() != argumentOrder.Count)
            throw new ArgumentException($"argument order [{string.Join(", ", argumentOrder)}] is not a permutation of the region's {region.Arguments.Count} arguments");
        var positions = new int[argumentOrder.Count];
        for (int j = 0; j < argumentOrder.Count; j++) positions[argumentOrder[j]] = j;
        return Rearrange(region, argumentOrder.Select(i => region.Arguments[i].Type).ToArray(), positions, resultOrder);
    }

    /// <summary>
    /// A copy of <paramref name="region"/> taking arguments of <paramref name="argumentTypes"/>, where the region's
    /// argument i becomes argument <paramref name="argumentPositions"/>[i] (the others are unused), returning the
    /// region's results at <paramref name="resultOrder"/>.
    /// </summary>
    public static Block Rearrange(Block region, IReadOnlyList<ShapedType> argumentTypes, IReadOnlyList<int> argumentPositions, IReadOnlyList<int> resultOrder)
    {
        var block = new Block(argumentTypes);
        var results = Inline(block, region, argumentPositions.Select(p => block.Arguments[p]).ToArray());
        block.SetResults(resultOrder.Select(r => results[r]));
        return block;
    }

    /// <summary>
    /// The order that interleaves groups: a region laid out as primal groups <c>p0, p1, …</c> followed by tangent
    /// groups <c>t0, t1, …</c> (of the given sizes) is reordered to <c>p0, t0, p1, t1, …</c>. Returns, for each new
    /// position, the old index (what <see cref="Permute"/> takes).
    /// </summary>
    public static int[] InterleaveOrder(IReadOnlyList<int> primalGroups, IReadOnlyList<int> tangentGroups)
    {
        if (primalGroups.Count != tangentGroups.Count)
            throw new ArgumentException($"{primalGroups.Count} primal groups but {tangentGroups.Count} tangent groups");
        var order = new List<int>();
        int primal = 0, tangent = primalGroups.Sum();
        for (int g = 0; g < primalGroups.Count; g++)
        {
            order.AddRange(Enumerable.Range(primal, primalGroups[g]));
            order.AddRange(Enumerable.Range(tangent, tangentGroups[g]));
            primal += primalGroups[g];
            tangent += tangentGroups[g];
        }
        return order.ToArray();
    }

    /// <summary>Appends a copy of <paramref name="region"/>'s operations to <paramref name="target"/>, fed with <paramref name="arguments"/>; returns the copies of its results.</summary>
    public static IReadOnlyList<Value> Inline(Block target, Block region, IReadOnlyList<Value> arguments)
    {
        if (arguments.Count != region.Arguments.Count)
            throw new ArgumentException($"the region takes {region.Arguments.Count} arguments, got {arguments.Count}");
        var cloner = new FunctionCloner();
        for (int i = 0; i < arguments.Count; i++) cloner.Map(region.Arguments[i], arguments[i]);
        return cloner.CloneInto(region, target);
    }

    /// <summary>Inlines <paramref name="region"/> into the block <paramref name="emitter"/> appends to.</summary>
    public static IReadOnlyList<Value> Inline(Emitter emitter, Block region, IReadOnlyList<Value> arguments) =>
        Inline(emitter.Builder.Block, region, arguments);

    /// <summary>
    /// Which results of <paramref name="region"/> depend on an argument marked in <paramref name="marked"/>, through
    /// any chain of operations. An operation's results depend on all its operands, except for control flow
    /// (<see cref="IResultDependence"/>), whose regions say which results depend on which operands: the primal
    /// results of a differentiated loop do not depend on its tangents.
    /// </summary>
    public static bool[] DependsOn(Block region, IReadOnlyList<bool> marked)
    {
        NestingDepthException.EnsureStack("the dependence analysis of regions");
        var dependent = new HashSet<Value>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < region.Arguments.Count; i++)
            if (marked[i]) dependent.Add(region.Arguments[i]);
        foreach (var op in region.Operations)
        {
            var operands = op.Operands.Select(dependent.Contains).ToArray();
            if (!operands.Any(b => b)) continue;
            var results = DependentResults(op, operands);
            for (int i = 0; i < results.Length; i++)
                if (results[i]) dependent.Add(op.Results[i]);
        }
        return region.Results.Select(dependent.Contains).ToArray();
    }

    /// <summary>Which results of <paramref name="op"/> depend on its operands marked in <paramref name="operands"/>.</summary>
    public static bool[] DependentResults(Operation op, IReadOnlyList<bool> operands) =>
        op.Primitive is IResultDependence d
            ? d.DependentResults(operands, op.Attributes, op.Regions)
            : Enumerable.Repeat(operands.Any(b => b), op.Results.Count).ToArray();

    /// <summary>
    /// A copy of <paramref name="region"/> in which no value that is independent of the <paramref name="linear"/>
    /// arguments is computed by an operation that also takes a linear operand. A control-flow operation that computes
    /// primal results next to tangents (a differentiated loop inside a region) gets a twin fed zeros in place of its
    /// linear operands, which computes those primal results; the original keeps only its linear uses. Transposition
    /// evaluates operations without linear operands forward, so it can then compute every non-linear value it needs.
    /// </summary>
    public static Block SeparateNonLinear(Block region, IReadOnlyList<bool> linear)
    {
        NestingDepthException.EnsureStack("transpose");
        var used = new HashSet<Value>(region.Operations.SelectMany(op => op.Operands).Concat(region.Results), ReferenceEqualityComparer.Instance);
        var dependent = new HashSet<Value>(region.Arguments.Where((_, i) => linear[i]), ReferenceEqualityComparer.Instance);
        var block = new Block(region.ArgumentTypes);
        var emitter = new Emitter(block);
        var cloner = new FunctionCloner();
        for (int i = 0; i < region.Arguments.Count; i++) cloner.Map(region.Arguments[i], block.Arguments[i]);
        foreach (var op in region.Operations)
        {
            var operands = op.Operands.Select(dependent.Contains).ToArray();
            block.Append(cloner.CloneOperation(op));
            if (!operands.Any(b => b)) continue;
            var results = DependentResults(op, operands);
            for (int i = 0; i < results.Length; i++)
                if (results[i]) dependent.Add(op.Results[i]);
            var primal = Enumerable.Range(0, results.Length).Where(i => !results[i] && used.Contains(op.Results[i])).ToArray();
            if (primal.Length == 0) continue;
            var twin = emitter.Emit(op.Primitive,
                op.Operands.Select((o, i) => operands[i] ? emitter.Zeros(o.Type) : cloner.Lookup(o)).ToArray(),
                op.Attributes, op.Regions.Select(r => new FunctionCloner().CloneBlock(r)).ToArray());
            foreach (int i in primal) cloner.Map(op.Results[i], twin[i]);
        }
        block.SetResults(region.Results.Select(cloner.Lookup));
        return block;
    }

    /// <summary>
    /// What control-flow transpose rules hand to transposition: a copy of <paramref name="region"/> returning only
    /// its results at <paramref name="results"/> (those that depend on the <paramref name="linear"/> arguments), with
    /// primal values that control flow computes next to tangents recomputed apart (<see cref="SeparateNonLinear"/>).
    /// </summary>
    public static Block LinearPart(Block region, IReadOnlyList<bool> linear, IReadOnlyList<int> results) =>
        SeparateNonLinear(Permute(region, Enumerable.Range(0, region.Arguments.Count).ToArray(), results), linear);

    /// <summary>
    /// The part of <paramref name="region"/> that computes its results at <paramref name="results"/> from the
    /// arguments marked in <paramref name="keep"/>: a region taking only those arguments (in order), holding only
    /// the operations those results need. Throws when a needed value depends on an argument that is not kept.
    /// </summary>
    public static Block Extract(Block region, IReadOnlyList<bool> keep, IReadOnlyList<int> results)
    {
        var (live, needed) = Needed(region, results);
        for (int i = 0; i < region.Arguments.Count; i++)
            if (!keep[i] && needed.Contains(region.Arguments[i]))
                throw new ArgumentException($"region argument {i} ({region.Arguments[i].Type}) is needed by the extracted results but is not kept");
        var cloner = new FunctionCloner();
        var block = new Block(region.Arguments.Where((_, i) => keep[i]).Select(a => a.Type));
        for (int i = 0, j = 0; i < region.Arguments.Count; i++)
            if (keep[i]) cloner.Map(region.Arguments[i], block.Arguments[j++]);
        foreach (var op in live) block.Append(cloner.CloneOperation(op));
        block.SetResults(results.Select(r => cloner.Lookup(region.Results[r])));
        return block;
    }

    /// <summary>Which arguments of <paramref name="region"/> its results at <paramref name="results"/> are computed from.</summary>
    public static bool[] UsedArguments(Block region, IReadOnlyList<int> results)
    {
        var (_, needed) = Needed(region, results);
        return region.Arguments.Select(needed.Contains).ToArray();
    }

    /// <summary>The operations (in order) and the values (arguments included) that the results at <paramref name="results"/> need.</summary>
    private static (List<Operation> Live, HashSet<Value> Needed) Needed(Block region, IReadOnlyList<int> results)
    {
        var needed = new HashSet<Value>(results.Select(r => region.Results[r]), ReferenceEqualityComparer.Instance);
        var live = new List<Operation>();
        for (int k = region.Operations.Count - 1; k >= 0; k--)
        {
            var op = region.Operations[k];
            if (!op.Results.Any(needed.Contains)) continue;
            live.Add(op);
            foreach (var o in op.Operands) needed.Add(o);
        }
        live.Reverse();
        return (live, needed);
    }
}

/// <summary>
/// A primitive with regions that can tell which of its results depend on which operands, more finely than "every
/// result on every operand": a differentiated <c>scan</c> whose primal carry never reads the tangents says so.
/// </summary>
public interface IResultDependence
{
    /// <summary>Which results depend on the operands marked in <paramref name="operands"/>.</summary>
    bool[] DependentResults(IReadOnlyList<bool> operands, Attributes attributes, IReadOnlyList<Block> regions);
}
