using JaxToolchain.Aot;
using JaxToolchain.Ir;
using Mono.Cecil;

namespace JaxToolchain.Jaxc;

/// <summary>
/// The signature entry of an array parameter: one array type (<c>"f32[n]"</c>), or, for a parameter that is a tree of
/// arrays, the tree written with brackets: <c>"[f32[n], f32[n]]"</c> for a <c>Tensor[]</c> or <c>List&lt;Tensor&gt;</c>
/// (any number of items), <c>"(f32[n,3], f32[])"</c> for a tuple of 2 to 4 tensors (a C# value tuple or an F# tuple)
/// or an F# record of tensors (its fields in declaration order).
/// </summary>
internal abstract record SignatureEntry
{
    private const string TensorName = "JaxToolchain.Tensor";

    /// <summary>One array.</summary>
    public sealed record Array(ShapedType Type) : SignatureEntry;

    /// <summary>A list (<c>[...]</c>) or a tuple (<c>(...)</c>) of arrays.</summary>
    public sealed record Sequence(bool IsTuple, IReadOnlyList<ShapedType> Items) : SignatureEntry;

    /// <summary>The types of the leaves, in flattening order.</summary>
    public IReadOnlyList<ShapedType> Leaves => this switch
    {
        Array a => [a.Type],
        Sequence s => s.Items,
        _ => [],
    };

    /// <summary>Parses an entry; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static SignatureEntry Parse(string text)
    {
        text = text.Trim();
        bool list = text.StartsWith('[') && text.EndsWith(']'), tuple = text.StartsWith('(') && text.EndsWith(')');
        if (!list && !tuple) return new Array(ParseType(text));
        var items = SplitTopLevel(text[1..^1]).Select(ParseType).ToArray();
        return new Sequence(tuple, items);
    }

    /// <summary>Whether a parameter of <paramref name="type"/> takes arrays (a <c>Tensor</c>, or a tree of them).</summary>
    public static bool IsArrayParameter(TypeReference type) => type.FullName == TensorName || IsList(type) || TupleArity(type) > 0;

    /// <summary>Whether a method may return <paramref name="type"/>: a tensor, a <c>Tensor[]</c>, a tuple or an F# record of tensors.</summary>
    public static bool IsResultType(TypeReference type) =>
        type.FullName == TensorName || type is ArrayType { Rank: 1 } array && array.ElementType.FullName == TensorName || TupleArity(type) > 0;

    /// <summary>Why <paramref name="entry"/> does not fit a parameter of <paramref name="type"/>, or null when it does.</summary>
    public static string? Mismatch(SignatureEntry entry, TypeReference type)
    {
        if (type.FullName == TensorName)
            return entry is Array ? null : "a Tensor parameter takes one array type such as \"f32[n]\"";
        if (IsList(type))
            return entry is Sequence { IsTuple: false } ? null : $"a {type.Name} parameter takes a list of array types such as \"[f32[n], f32[n]]\"";
        int arity = TupleArity(type);
        string what = FSharpRecordArity(type) > 0 ? $"an F# record of {arity} tensors" : $"a tuple of {arity} tensors";
        return entry is Sequence { IsTuple: true } s && s.Items.Count == arity ? null
            : $"{what} takes a tuple of {arity} array types such as \"({string.Join(", ", Enumerable.Repeat("f32[n]", arity))})\"";
    }

    /// <summary>What a trace takes for the entry: the type, or the tree with placeholder tensors (<see cref="AbstractTree"/>).</summary>
    public object Argument(Type parameterType)
    {
        if (this is Array a) return a.Type;
        var items = Leaves.Select(t => Jnp.Zeros([], t.DType)).ToArray();
        // A tuple (value or reference) or an F# record: its constructor takes the items in order.
        object template = parameterType == typeof(List<Tensor>) ? items.ToList()
            : parameterType == typeof(Tensor[]) ? items
            : parameterType.FullName?.StartsWith(FSharpListName, StringComparison.Ordinal) == true ? FSharpList(parameterType, items)
            : Activator.CreateInstance(parameterType, items)!;
        return new AbstractTree(template, Leaves);
    }

    private const string FSharpListName = "Microsoft.FSharp.Collections.FSharpList`1";

    private static bool IsList(TypeReference type) =>
        type is ArrayType { Rank: 1 } array && array.ElementType.FullName == TensorName
        || type is GenericInstanceType { ElementType.FullName: "System.Collections.Generic.List`1" } list && list.GenericArguments[0].FullName == TensorName
        || IsFSharpList(type);

    /// <summary>Whether <paramref name="type"/> is F#'s <c>Tensor list</c>.</summary>
    public static bool IsFSharpList(TypeReference type) =>
        type is GenericInstanceType { ElementType.FullName: FSharpListName } list && list.GenericArguments[0].FullName == TensorName;

    /// <summary>An F# list of <paramref name="items"/> (built with the list type's own <c>Empty</c> and <c>Cons</c>: jaxc does not reference FSharp.Core).</summary>
    private static object FSharpList(Type listType, Tensor[] items)
    {
        const System.Reflection.BindingFlags Static = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static;
        object list = listType.GetProperty("Empty", Static)!.GetValue(null)!;
        var cons = listType.GetMethod("Cons", Static)!;
        for (int i = items.Length - 1; i >= 0; i--) list = cons.Invoke(null, [items[i], list])!;
        return list;
    }

    /// <summary>The number of tensors of a tuple of 2 to 4 tensors (C# value tuple or F#'s <c>System.Tuple</c>) or of an F# record of tensors; else 0.</summary>
    private static int TupleArity(TypeReference type) =>
        type is GenericInstanceType { ElementType.FullName: "System.ValueTuple`2" or "System.ValueTuple`3" or "System.ValueTuple`4" or "System.Tuple`2" or "System.Tuple`3" or "System.Tuple`4" } tuple
        && tuple.GenericArguments.All(a => a.FullName == TensorName) ? tuple.GenericArguments.Count : FSharpRecordArity(type);

    private static int FSharpRecordArity(TypeReference type) => FSharpRecord.Read(type)?.Fields.Count ?? 0;

    private static ShapedType ParseType(string text)
    {
        try
        {
            return IrParser.ParseType(text.Trim());
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"\"{text.Trim()}\" is not an array type such as \"f32[n]\" or \"f64[3,4]\" ({e.Message})", e);
        }
    }

    /// <summary>Splits at the commas outside brackets and parentheses.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        if (text.Trim().Length == 0) yield break;
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is '[' or '(' or '{') depth++;
            else if (text[i] is ']' or ')' or '}') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }
}
