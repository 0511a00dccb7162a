using System.Globalization;
using Mono.Cecil;

namespace JaxToolchain.Jaxc;

/// <summary>The static argument values a <c>[Jit]</c> signature can give: numbers, bools, strings and enum members, as invariant text.</summary>
internal static class StaticValues
{
    private static readonly Dictionary<string, Func<string, object?>> Parsers = new()
    {
        ["System.Double"] = s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
        ["System.Single"] = s => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
        ["System.Int32"] = s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null,
        ["System.Int64"] = s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null,
        ["System.Boolean"] = s => bool.TryParse(s, out var v) ? v : null,
        ["System.String"] = s => s,
    };

    /// <summary>Whether a parameter of this type is a C# number (or bool), which JAX would trace as a scalar.</summary>
    public static bool IsNumber(TypeReference type) => type.FullName is "System.Double" or "System.Single" or "System.Int32" or "System.Int64" or "System.Boolean"
        or "System.Int16" or "System.Byte" or "System.SByte" or "System.UInt32" or "System.UInt64" or "System.Half";

    /// <summary>The parser of a static parameter's value text at build time (enums are checked when traced), or null when the type cannot be static.</summary>
    public static Func<string, object?>? Parser(TypeReference type)
    {
        if (Parsers.TryGetValue(type.FullName, out var parse)) return parse;
        TypeDefinition? definition = null;
        try
        {
            definition = type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
        }
        return definition?.IsEnum == true ? s => s : null;
    }

    /// <summary>The value of a static argument for a parameter of run-time type <paramref name="type"/>.</summary>
    public static object Parse(Type type, string text)
    {
        if (type.IsEnum)
            return Enum.TryParse(type, text, ignoreCase: false, out var member) ? member! : throw new FormatException($"'{text}' is not a member of {type.Name}");
        return Parsers.TryGetValue(type.FullName!, out var parse) && parse(text) is { } value ? value : throw new FormatException($"'{text}' is not a {type.Name}");
    }
}
