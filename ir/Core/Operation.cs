namespace JaxToolchain.Ir;

/// <summary>
/// One operation: a primitive applied to operand values with static attributes, defining result values,
/// optionally holding regions (the branches of <c>cond</c>, the condition and body of <c>while</c>, the body of
/// <c>scan</c>).
/// </summary>
public sealed class Operation
{
    /// <summary>The primitive applied.</summary>
    public Primitive Primitive { get; }

    /// <summary>The operands.</summary>
    public IReadOnlyList<Value> Operands { get; }

    /// <summary>The results.</summary>
    public IReadOnlyList<Value> Results { get; }

    /// <summary>The static parameters.</summary>
    public Attributes Attributes { get; }

    /// <summary>Nested regions, each a block with arguments and results.</summary>
    public IReadOnlyList<Block> Regions { get; }

    /// <summary>Creates an operation whose results are new values of the given types.</summary>
    public Operation(Primitive primitive, IReadOnlyList<Value> operands, IReadOnlyList<ShapedType> resultTypes,
        Attributes? attributes = null, IReadOnlyList<Block>? regions = null)
    {
        Primitive = primitive;
        Operands = operands.ToArray();
        Attributes = attributes ?? Attributes.Empty;
        Regions = regions?.ToArray() ?? [];
        var results = new Value[resultTypes.Count];
        for (int i = 0; i < results.Length; i++) results[i] = new Value(resultTypes[i]) { Definer = this };
        Results = results;
    }

    /// <summary>The single result; throws when there are several.</summary>
    public Value Result => Results.Count == 1 ? Results[0] : throw new InvalidOperationException($"'{Primitive.Name}' has {Results.Count} results");

    /// <inheritdoc/>
    public override string ToString() => Primitive.Name;
}
