namespace JaxToolchain.Ir;

/// <summary>Appends operations to a block, inferring (and so checking) their result types.</summary>
public sealed class IrBuilder
{
    /// <summary>The block being built.</summary>
    public Block Block { get; }

    /// <summary>Creates a builder appending to a block.</summary>
    public IrBuilder(Block block) => Block = block;

    /// <summary>Emits an operation; throws <see cref="JaxTypeException"/> when the operands are invalid.</summary>
    public IReadOnlyList<Value> Emit(Primitive primitive, IReadOnlyList<Value> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null)
    {
        attributes ??= Attributes.Empty;
        regions ??= [];
        var types = primitive.InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        var op = new Operation(primitive, operands, types, attributes, regions);
        Block.Append(op);
        return op.Results;
    }

    /// <summary>Emits an operation with exactly one result.</summary>
    public Value Emit1(Primitive primitive, IReadOnlyList<Value> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null) =>
        Emit(primitive, operands, attributes, regions) is [var v] ? v : throw new InvalidOperationException($"'{primitive.Name}' does not have one result");
}
