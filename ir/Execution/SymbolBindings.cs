namespace JaxToolchain.Ir;

/// <summary>
/// The sizes of symbolic dims bound by concrete arguments (<c>f32[n,100]</c> given a 7x100 array binds <c>n = 7</c>),
/// as executables check their arguments and size their results: every occurrence of a symbol must bind the same size.
/// </summary>
public static class SymbolBindings
{
    /// <summary>
    /// Binds the symbols of <paramref name="parameters"/> from the shapes of the arguments; throws
    /// <see cref="JaxTypeException"/> naming <paramref name="what"/> when a dtype, rank, static size or symbol disagrees.
    /// </summary>
    public static Dictionary<string, long> Bind(IReadOnlyList<ShapedType> parameters, IReadOnlyList<ShapedType> arguments, string what)
    {
        if (parameters.Count != arguments.Count)
            throw new JaxTypeException(what, $"takes {parameters.Count} arguments, got {arguments.Count}");
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < parameters.Count; i++)
        {
            var (parameter, argument) = (parameters[i], arguments[i]);
            if (parameter.DType != argument.DType || parameter.Rank != argument.Rank)
                throw new JaxTypeException(what, $"argument {i} should be {parameter.ToLongString()}, got {argument.ToLongString()}");
            for (int d = 0; d < parameter.Rank; d++)
            {
                var dim = parameter.Shape[d];
                long size = argument.Shape[d].Size;
                if (dim.IsStatic)
                {
                    if (dim.Size != size)
                        throw new JaxTypeException(what, $"argument {i} should be {parameter.ToLongString()}, got {argument.ToLongString()}");
                }
                else if (!symbols.TryAdd(dim.Symbol!, size) && symbols[dim.Symbol!] != size)
                {
                    throw new JaxTypeException(what, $"argument {i} binds {dim.Symbol}={size}, but {dim.Symbol}={symbols[dim.Symbol!]} already");
                }
            }
        }
        return symbols;
    }

    /// <summary>A shape with its symbols replaced by their bound sizes; throws when one is unbound.</summary>
    public static Shape Resolve(Shape shape, IReadOnlyDictionary<string, long> symbols, string what) =>
        shape.IsStatic ? shape : new Shape(shape.Select(d => d.IsStatic ? d : Dim.Of(symbols.TryGetValue(d.Symbol!, out var n)
            ? n
            : throw new InvalidOperationException($"{what}: symbol '{d.Symbol}' is not bound by any argument"))));
}
