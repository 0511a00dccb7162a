namespace JaxToolchain.Ir;

/// <summary>An SSA value: a function/region argument or an operation result, with its abstract type.</summary>
public sealed class Value
{
    /// <summary>The value's abstract type.</summary>
    public ShapedType Type { get; }

    /// <summary>The operation that defines it, or null for a block argument.</summary>
    public Operation? Definer { get; internal set; }

    /// <summary>An optional name hint kept by the printer when it is free (<c>%x</c>).</summary>
    public string? NameHint { get; init; }

    /// <summary>Creates a value of a type.</summary>
    public Value(ShapedType type) => Type = type;

    /// <inheritdoc/>
    public override string ToString() => $"%{NameHint ?? "?"}: {Type}";
}
