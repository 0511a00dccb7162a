namespace JaxToolchain.Ir;

/// <summary>An operand as a transpose rule sees it: a known value, or only the type of a linear input.</summary>
public readonly record struct LinearOperand(Value? Known, ShapedType Type)
{
    /// <summary>True for the linear input(s) the rule transposes with respect to (JAX's <c>UndefinedPrimal</c>).</summary>
    public bool IsLinear => Known is null;

    /// <summary>The known value; throws for a linear input.</summary>
    public Value Value => Known ?? throw new InvalidOperationException("a linear operand has no known value");
}

/// <summary>What a JVP rule emits with, and how it transforms the regions of control-flow operations.</summary>
public sealed class JvpContext(Emitter emitter)
{
    /// <summary>Emits into the function being built.</summary>
    public Emitter Emitter { get; } = emitter;

    /// <summary>
    /// The JVP of a region (set by the JVP pass): given which region arguments have tangents, returns a region
    /// taking the primal arguments followed by the tangents of the marked ones, returning the primal results
    /// followed by the tangents of the results marked in the returned mask.
    /// </summary>
    public Func<Block, IReadOnlyList<bool>, (Block Region, IReadOnlyList<bool> TangentResults)>? JvpRegion { get; init; }
}

/// <summary>What a transpose rule emits with.</summary>
public sealed class TransposeContext(Emitter emitter)
{
    /// <summary>Emits into the function being built.</summary>
    public Emitter Emitter { get; } = emitter;

    /// <summary>
    /// The transpose of a linear region (set by the transpose pass): given which arguments are linear, returns a
    /// region taking the non-linear arguments followed by cotangents of the results, returning cotangents of the
    /// linear arguments.
    /// </summary>
    public Func<Block, IReadOnlyList<bool>, Block>? TransposeRegion { get; init; }
}

/// <summary>What a batching rule emits with: the batch size and a way to batch regions.</summary>
public sealed class BatchContext(Emitter emitter, Dim batchSize)
{
    /// <summary>Emits into the function being built.</summary>
    public Emitter Emitter { get; } = emitter;

    /// <summary>The size of the mapped axis.</summary>
    public Dim BatchSize { get; } = batchSize;

    /// <summary>
    /// The batched version of a region (set by the vmap pass): given each argument's batch dimension (null for
    /// unbatched), and optionally forcing results to be batched at 0, returns the region and its results' batch
    /// dimensions.
    /// </summary>
    public Func<Block, IReadOnlyList<int?>, bool, (Block Region, IReadOnlyList<int?> ResultDims)>? BatchRegion { get; init; }

    /// <summary>Moves the batch dimension of <paramref name="x"/> from <paramref name="from"/> to <paramref name="to"/>,
    /// broadcasting an unbatched value (<paramref name="from"/> null) along a new axis of the batch size.</summary>
    public Value MoveBatchAxis(Value x, int? from, int to)
    {
        if (from is null)
        {
            var dims = new List<Dim>(x.Type.Shape);
            dims.Insert(to, BatchSize);
            var keep = Enumerable.Range(0, x.Type.Rank).Select(i => i < to ? i : i + 1).ToArray();
            return Emitter.BroadcastInDim(x, new Shape(dims), keep);
        }
        if (from == to) return x;
        var order = Enumerable.Range(0, x.Type.Rank).Where(i => i != from).ToList();
        order.Insert(to, from.Value);
        return Emitter.Transpose(x, order.ToArray());
    }
}
