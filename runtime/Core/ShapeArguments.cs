using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Checks of the shapes, sizes and counts users pass to API functions: a negative dimension or an element count
/// that overflows a 64-bit size is a <see cref="JaxTypeException"/> naming the function and the value (with the
/// caller's location), never a bare <see cref="OverflowException"/> or an empty result.
/// </summary>
internal static class ShapeArguments
{
    /// <summary>A static shape from user-given sizes, checked for <paramref name="operation"/>.</summary>
    public static Shape Of(string operation, ReadOnlySpan<long> sizes)
    {
        foreach (var d in sizes)
            if (d < 0)
                throw new JaxTypeException(operation, $"negative dimensions are not allowed: {Text(sizes)}{Dispatch.At(SourceLocation.FindCaller())}");
        var shape = Shape.Of(sizes);
        // Eight bytes for the widest element: a count whose byte size overflows is refused too.
        if (!shape.TryGetElementCount(out long count) || count > long.MaxValue / 8)
            throw new JaxTypeException(operation, $"the shape {Text(sizes)} has more elements than a 64-bit size can count{Dispatch.At(SourceLocation.FindCaller())}");
        return shape;
    }

    /// <summary>A static shape from user-given sizes, checked for <paramref name="operation"/>.</summary>
    public static Shape Of(string operation, ReadOnlySpan<int> sizes)
    {
        Span<long> wide = sizes.Length <= 16 ? stackalloc long[sizes.Length] : new long[sizes.Length];
        for (int i = 0; i < sizes.Length; i++) wide[i] = sizes[i];
        return Of(operation, wide);
    }

    /// <summary>A non-negative count (of samples, keys, repeats), checked for <paramref name="operation"/>.</summary>
    public static int Count(string operation, string what, int value) =>
        value >= 0 ? value : throw new JaxTypeException(operation, $"{what} must be non-negative, got {value}{Dispatch.At(SourceLocation.FindCaller())}");

    private static string Text(ReadOnlySpan<long> sizes) => sizes.Length == 1 ? $"({sizes[0]},)" : $"({string.Join(", ", sizes.ToArray())})";
}
