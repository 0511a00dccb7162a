namespace JaxToolchain.Ir;

/// <summary>
/// Gives the symbolic dimensions of a function sizes: a copy of the function in which every symbol named in the
/// sizes is that size, in the types of its values (blocks and regions alike) and in its shape attributes (the
/// target shape of a <c>broadcast_in_dim</c> or <c>reshape</c>, the shape of an <c>iota</c>). A function imported with
/// dynamic dimensions (a shape-polymorphic StableHLO export, <c>tensor&lt;?x4xf32&gt;</c>) is specialized this way for
/// the arguments of a call, so that it can be called, traced into another function and differentiated like a function
/// traced for those arguments. Symbols not named stay symbolic. The input is left as it is.
/// </summary>
public static class SymbolSpecialization
{
    /// <summary>The sizes of the symbols of <paramref name="parameterTypes"/> that <paramref name="argumentTypes"/> give them.</summary>
    /// <exception cref="JaxTypeException">An argument's rank, static size or dtype differs from its parameter's, or two arguments give one symbol two sizes.</exception>
    public static Dictionary<string, long> Bind(string what, IReadOnlyList<ShapedType> parameterTypes, IReadOnlyList<ShapedType> argumentTypes)
    {
        ArgumentNullException.ThrowIfNull(parameterTypes);
        ArgumentNullException.ThrowIfNull(argumentTypes);
        if (parameterTypes.Count != argumentTypes.Count)
            throw new JaxTypeException(what, $"takes {parameterTypes.Count} arrays ({string.Join(", ", parameterTypes)}), but {argumentTypes.Count} were given ({string.Join(", ", argumentTypes)})");
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < parameterTypes.Count; i++)
        {
            var (parameter, argument) = (parameterTypes[i], argumentTypes[i]);
            string Mismatch() => $"argument {i} is {argument.ToLongString()}, but the parameter is {parameter.ToLongString()}";
            if (parameter.DType != argument.DType || parameter.Rank != argument.Rank) throw new JaxTypeException(what, Mismatch());
            for (int d = 0; d < parameter.Rank; d++)
            {
                var (p, a) = (parameter.Shape[d], argument.Shape[d]);
                if (!a.IsStatic)
                {
                    // Tracing ahead of time for the parameter types themselves: a symbol stands for itself.
                    if (p.IsStatic || p.Symbol != a.Symbol) throw new JaxTypeException(what, Mismatch());
                }
                else if (p.IsStatic)
                {
                    if (p.Size != a.Size) throw new JaxTypeException(what, Mismatch());
                }
                else if (sizes.TryGetValue(p.Symbol!, out long known))
                {
                    if (known != a.Size)
                        throw new JaxTypeException(what, $"{Mismatch()}: dimension '{p.Symbol}' is {known} in an earlier argument and {a.Size} here");
                }
                else sizes[p.Symbol!] = a.Size;
            }
        }
        return sizes;
    }

    /// <summary>A copy of <paramref name="function"/> with the symbols of <paramref name="sizes"/> replaced by their sizes.</summary>
    public static Function Specialize(Function function, IReadOnlyDictionary<string, long> sizes)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(sizes);
        Shape Of(Shape shape) =>
            shape.IsStatic ? shape : new Shape(shape.Select(d => !d.IsStatic && sizes.TryGetValue(d.Symbol!, out long n) ? Dim.Of(n) : d));
        var cloner = new FunctionCloner
        {
            MapType = type => type.Shape.IsStatic ? type : type.WithShape(Of(type.Shape)),
            MapAttributes = attributes =>
            {
                var result = attributes;
                foreach (var (name, value) in attributes)
                    if (value is Shape { IsStatic: false } shape) result = result.With(name, Of(shape));
                return result;
            },
        };
        return new Function(function.Name, cloner.CloneBlock(function.Body));
    }
}
