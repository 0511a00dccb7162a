namespace JaxToolchain.Ir;

/// <summary>
/// A straight-line list of operations with arguments and returned values. Function bodies and the regions of
/// control-flow operations are blocks.
/// </summary>
public sealed class Block
{
    private readonly List<Value> _arguments = [];
    private readonly List<Operation> _operations = [];
    private readonly List<Value> _results = [];

    /// <summary>Creates an empty block with arguments of the given types.</summary>
    public Block(IEnumerable<ShapedType> argumentTypes)
    {
        foreach (var t in argumentTypes) _arguments.Add(new Value(t));
    }

    /// <summary>Creates a block over existing argument values.</summary>
    public Block(IEnumerable<Value> arguments) => _arguments.AddRange(arguments);

    /// <summary>The arguments.</summary>
    public IReadOnlyList<Value> Arguments => _arguments;

    /// <summary>The operations, in order.</summary>
    public IReadOnlyList<Operation> Operations => _operations;

    /// <summary>The returned values.</summary>
    public IReadOnlyList<Value> Results => _results;

    /// <summary>The argument types.</summary>
    public IEnumerable<ShapedType> ArgumentTypes => new ValueTypes(_arguments);

    /// <summary>The result types.</summary>
    public IEnumerable<ShapedType> ResultTypes => new ValueTypes(_results);

    /// <summary>Appends an operation.</summary>
    public void Append(Operation op) => _operations.Add(op);

    /// <summary>Appends an argument (used by tracing when a closed-over value is captured).</summary>
    public Value AddArgument(ShapedType type)
    {
        var v = new Value(type);
        _arguments.Add(v);
        return v;
    }

    /// <summary>Sets the returned values.</summary>
    public void SetResults(IEnumerable<Value> results)
    {
        _results.Clear();
        _results.AddRange(results);
    }

    /// <summary>Replaces the operation list (passes rebuild blocks with this).</summary>
    public void SetOperations(IEnumerable<Operation> operations)
    {
        var ops = operations.ToList();
        _operations.Clear();
        _operations.AddRange(ops);
    }
}
