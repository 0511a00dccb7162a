namespace JaxToolchain.Ir;

/// <summary>A named function: a body block whose arguments are the parameters.</summary>
public sealed class Function
{
    /// <summary>The function's name (printed as <c>@name</c>).</summary>
    public string Name { get; set; }

    /// <summary>The body.</summary>
    public Block Body { get; }

    /// <summary>Creates a function over a body.</summary>
    public Function(string name, Block body)
    {
        Name = name;
        Body = body;
    }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Value> Parameters => Body.Arguments;

    /// <summary>The parameter types (a view of the body's arguments: no copy is made).</summary>
    public IReadOnlyList<ShapedType> ParameterTypes => new ValueTypes(Body.Arguments);

    /// <summary>The result types (a view of the body's results: no copy is made).</summary>
    public IReadOnlyList<ShapedType> ResultTypes => new ValueTypes(Body.Results);

    /// <summary>The IR text of this function.</summary>
    public override string ToString() => IrPrinter.Print(this);
}

/// <summary>The types of a list of values, read through as they are asked for (no copy).</summary>
internal sealed class ValueTypes(IReadOnlyList<Value> values) : IReadOnlyList<ShapedType>
{
    /// <inheritdoc/>
    public ShapedType this[int index] => values[index].Type;

    /// <inheritdoc/>
    public int Count => values.Count;

    /// <inheritdoc/>
    public IEnumerator<ShapedType> GetEnumerator()
    {
        for (int i = 0; i < values.Count; i++) yield return values[i].Type;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A set of functions: the unit the printer, parser, passes and compilers work on.</summary>
public sealed class Module
{
    /// <summary>The functions, in order.</summary>
    public List<Function> Functions { get; } = [];

    /// <summary>Finds a function by name.</summary>
    public Function this[string name] =>
        Functions.FirstOrDefault(f => f.Name == name) ?? throw new KeyNotFoundException($"no function @{name} in module");

    /// <summary>The IR text of this module.</summary>
    public override string ToString() => IrPrinter.Print(this);
}
