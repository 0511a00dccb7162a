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
    /// followed by the tangents of the results marked in the returned mask (see <see cref="RegionJvp"/>).
    /// </summary>
    public RegionJvp? JvpRegion { get; init; }

    /// <summary>
    /// Set only while linearizing (<see cref="Autodiff.Linearize"/>, whose partial evaluation sends operations without
    /// tangent operands to the primal function and the others to the linear one): linearizes a function, here a closed
    /// region. A rule may use it to emit its primal part and its linear part as separate operations (JAX's linearize
    /// rules): <c>call</c> does, so the callee's primal work is done once in the primal function and only its tangent
    /// work, fed residuals, reaches the linear one. Rules that ignore it keep their JVP whole on the linear side.
    /// </summary>
    public Func<Function, IReadOnlyList<bool>, Linearized>? Linearize { get; init; }
}

/// <summary>
/// Builds the JVP of a closed region. <paramref name="withTangent"/>[i] says whether argument i has a tangent;
/// the region takes the primal arguments followed by the tangents of the marked ones. It returns the primal
/// results followed by the tangents of the results marked in <c>TangentResults</c>: those that depend on a
/// tangent, and the floating-point ones marked in <paramref name="instantiate"/> (as zeros where they do not
/// depend on one), which is how control-flow rules make branches agree and loop carries keep their layout.
/// </summary>
public delegate (Block Region, IReadOnlyList<bool> TangentResults) RegionJvp(Block region, IReadOnlyList<bool> withTangent, IReadOnlyList<bool>? instantiate = null);

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
    /// The batched version of a region (set by the vmap pass; see <see cref="RegionBatcher"/>): given each
    /// argument's batch dimension, returns the region with every batched result batched at 0, and which results
    /// are batched.
    /// </summary>
    public RegionBatcher? BatchRegion { get; init; }

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

/// <summary>
/// Builds the batched version of a closed region. <paramref name="argumentDims"/>[i] is argument i's batch
/// dimension (null for unbatched). Every batched result is batched at 0; results marked in
/// <paramref name="forceBatched"/> are batched even when they do not depend on a batched argument (broadcast), as
/// loop carries and the results of branches that must agree need. <c>ResultDims</c> holds 0 or null per result.
/// </summary>
public delegate (Block Region, IReadOnlyList<int?> ResultDims) RegionBatcher(Block region, IReadOnlyList<int?> argumentDims, IReadOnlyList<bool>? forceBatched = null);
