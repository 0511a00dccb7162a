namespace JaxToolchain.Ir;

/// <summary>
/// Deep-copies IR (functions, blocks with their regions, operations), mapping each old value to its copy, as
/// MLIR's <c>IRMapping</c> does. Passes use it to build their output without touching their input, and to inline
/// one block into another (map the block's arguments first, then <see cref="CloneInto"/>). Operands that have no
/// mapping are kept as they are.
/// </summary>
public sealed class FunctionCloner
{
    private readonly Dictionary<Value, Value> _map = new(ReferenceEqualityComparer.Instance);

    /// <summary>A deep copy of a function (optionally renamed) whose values are all new.</summary>
    public static Function Clone(Function function, string? name = null) =>
        new(name ?? function.Name, new FunctionCloner().CloneBlock(function.Body));

    /// <summary>Maps the type of each copied value (block arguments and results); default: the type as it is.</summary>
    public Func<ShapedType, ShapedType>? MapType { get; init; }

    /// <summary>Maps the attributes of each copied operation; default: the attributes as they are.</summary>
    public Func<Attributes, Attributes>? MapAttributes { get; init; }

    private ShapedType TypeOf(Value value) => MapType is { } map ? map(value.Type) : value.Type;

    /// <summary>The mapping from old values to their copies so far.</summary>
    public IReadOnlyDictionary<Value, Value> Mapping => _map;

    /// <summary>Maps <paramref name="from"/> to <paramref name="to"/> (replacing an earlier mapping).</summary>
    public void Map(Value from, Value to) => _map[from] = to;

    /// <summary>The copy of a value, or the value itself when it has no mapping.</summary>
    public Value Lookup(Value value) => _map.TryGetValue(value, out var v) ? v : value;

    /// <summary>Copies an operation: mapped operands, copied regions, the same primitive, attributes and result types (through <see cref="MapAttributes"/> and <see cref="MapType"/> when set); maps its results.</summary>
    public Operation CloneOperation(Operation op)
    {
        var regions = op.Regions.Select(CloneBlock).ToArray();
        var copy = new Operation(op.Primitive, op.Operands.Select(Lookup).ToArray(), op.Results.Select(TypeOf).ToArray(),
            MapAttributes is { } map ? map(op.Attributes) : op.Attributes, regions);
        for (int i = 0; i < op.Results.Count; i++) Map(op.Results[i], copy.Results[i]);
        return copy;
    }

    /// <summary>Copies a block: new arguments of the same types (mapped from the old ones), its operations and its results.</summary>
    public Block CloneBlock(Block block)
    {
        NestingDepthException.EnsureStack("the cloner");
        var arguments = block.Arguments.Select(a => new Value(TypeOf(a)) { NameHint = a.NameHint }).ToArray();
        for (int i = 0; i < arguments.Length; i++) Map(block.Arguments[i], arguments[i]);
        var copy = new Block(arguments);
        copy.SetResults(CloneInto(block, copy));
        return copy;
    }

    /// <summary>
    /// Appends copies of <paramref name="source"/>'s operations to <paramref name="target"/> and returns the copies
    /// of the source's results, leaving <paramref name="target"/>'s own results alone. To inline a block, map its
    /// arguments to the values it should take first.
    /// </summary>
    public IReadOnlyList<Value> CloneInto(Block source, Block target)
    {
        foreach (var op in source.Operations) target.Append(CloneOperation(op));
        return source.Results.Select(Lookup).ToArray();
    }
}
