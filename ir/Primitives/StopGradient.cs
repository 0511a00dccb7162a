namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>stop_gradient</c>: the identity, whose derivative is zero (JAX's <c>lax.stop_gradient</c>).</summary>
    public static readonly StopGradientPrimitive StopGradient = new();
}

/// <summary>
/// The identity in value, a constant to differentiation: its JVP tangent is zero, so reverse mode never
/// reaches through it; batching passes the batch dimension through.
/// </summary>
public sealed class StopGradientPrimitive : Primitive
{
    internal StopGradientPrimitive() : base("stop_gradient") { }
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Elementwise;


    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        operands.Count == 1 ? [operands[0]] : throw Error($"expects 1 operand, got {operands.Count}");

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        [operands[0]];

    /// <inheritdoc/>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        (EmitPrimal(context.Emitter, primals, attributes, regions), [null]);

    /// <inheritdoc/>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions) =>
        (EmitPrimal(context.Emitter, operands, attributes, regions), [dims[0]]);
}
