namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>fusion operands... {kind, name} (body)</c>: one kernel made by <see cref="FusionPass"/>; runs its body on the operands.</summary>
    public static readonly FusionPrimitive Fusion = new();
}

/// <summary>The loop structure of a <c>fusion</c> kernel (its <c>kind</c> attribute).</summary>
public enum FusionKind
{
    /// <summary>
    /// <c>"loop"</c>: elementwise ops with broadcasts, reshapes, conversions and generators, all results of one element
    /// count: one loop nest over the elements.
    /// </summary>
    Loop,

    /// <summary>
    /// <c>"reduction"</c>: one reduction whose input is computed by the elementwise ops fused before it (which may also
    /// be results), optionally followed by elementwise ops on the reduced value.
    /// </summary>
    Reduction,

    /// <summary><c>"dot"</c>: one <c>dot_general</c> followed by elementwise ops on its result (bias add, activation).</summary>
    Dot,
}

/// <summary>
/// <c>fusion</c>: a kernel. Operands are the kernel's inputs; the one region (<c>body</c>) takes their types and returns
/// the kernel's results (a multi-output kernel returns several). Attributes: <c>kind</c> (<c>"loop"</c>,
/// <c>"reduction"</c> or <c>"dot"</c>, see <see cref="FusionKind"/>) and <c>name</c> (<c>"fusion_0"</c>, unique in its
/// function). Evaluation runs the body with the interpreter, so a fused function computes the same numbers as the
/// unfused one. Under transformations a fusion is undone: the JVP, transpose and batching rules transform the body and
/// inline it (fusion runs after the transformations, so this only matters for fused IR fed back to them).
/// </summary>
public sealed class FusionPrimitive : RegionCallPrimitive
{
    internal FusionPrimitive() : base("fusion", "body") { }

    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Fusion;

    /// <summary>The attribute values of the kinds, in the order of <see cref="FusionKind"/>.</summary>
    private static readonly string[] KindNames = ["loop", "reduction", "dot"];

    /// <summary>The text of a kind as its attribute holds it (<c>"loop"</c>).</summary>
    public static string KindName(FusionKind kind) => KindNames[(int)kind];

    /// <summary>The kind of a <c>fusion</c> operation, from its attributes.</summary>
    public FusionKind KindOf(Attributes attributes)
    {
        if (!attributes.TryGetValue("kind", out var value) || value is not string text)
            throw Error("missing string attribute 'kind' (\"loop\", \"reduction\" or \"dot\")");
        int index = Array.IndexOf(KindNames, text);
        return index >= 0 ? (FusionKind)index : throw Error($"unknown kind \"{text}\" (expected \"loop\", \"reduction\" or \"dot\")");
    }

    /// <summary>The attributes of a fusion of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static Attributes AttributesOf(FusionKind kind, string name) => Attributes.Of(("kind", KindName(kind)), ("name", name));

    /// <summary>Checks the <c>kind</c> and <c>name</c> attributes and that the body takes the operands; the results are the body's.</summary>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        KindOf(attributes);
        if (!attributes.TryGetValue("name", out var name) || name is not string)
            throw Error("missing string attribute 'name'");
        return base.InferTypes(operands, attributes, regions);
    }

    /// <summary>
    /// Runs the body: a <c>loop</c> kernel chunk by chunk (<see cref="ChunkedLoop"/>: the same numbers, with the chunk's
    /// values in the cache), any other kernel operation by operation.
    /// </summary>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        KindOf(attributes) == FusionKind.Loop && regions.Count == 1 && ChunkedLoop.For(regions[0])?.TryRun(operands, interpreter) is { } results
            ? results
            : base.Evaluate(operands, attributes, regions, interpreter);

    /// <summary>True when a <c>loop</c> kernel runs chunk by chunk and so may write its one result over an input dying here.</summary>
    internal static bool CanRunInPlace(Operation op) =>
        op.Results.Count == 1 && Prims.Fusion.KindOf(op.Attributes) == FusionKind.Loop && ChunkedLoop.For(op.Regions[0]) is not null;

    /// <summary>Runs a <c>loop</c> kernel with its result written into <paramref name="target"/> (see <see cref="CanRunInPlace"/>).</summary>
    internal Buffer EvaluateInto(IReadOnlyList<Buffer> operands, IReadOnlyList<Block> regions, Interpreter interpreter, Buffer target)
    {
        if (ChunkedLoop.For(regions[0])?.TryRun(operands, interpreter, target) is [var chunked]) return chunked;
        using var whole = interpreter.RunRegion(regions[0], operands)[0];
        whole.Bytes.CopyTo(target.Bytes);
        return target;
    }

    /// <summary>Inlines the transformed body: fusion is undone under transformations.</summary>
    private protected override IReadOnlyList<Value> Apply(Emitter emitter, Block region, IReadOnlyList<Value> operands, Attributes attributes, string transformation) =>
        ClosedRegions.Inline(emitter, region, operands);
}
