using System.Globalization;
using System.Text;

namespace JaxToolchain.Ir;

/// <summary>
/// Prints IR in its MLIR-like text form. Values are numbered in order of definition (<c>%0</c>, <c>%1</c>, ...),
/// so printing a parsed module gives back the same text.
/// <code>
/// func @f(%0: f32[n,3], %1: f32[]{weak}) -> (f32[n]) {
///   %2 = mul %0, %1 : f32[n,3]
///   %3 = reduce_sum %2 {axes = [1]} : f32[n]
///   return %3
/// }
/// </code>
/// Operations with regions print each region after the attributes as <c>(%a: t, ...) { ... return ... }</c>.
/// Attribute values: integers <c>3</c>, floats <c>1.5</c>/<c>nan</c>/<c>inf</c>, <c>true</c>, strings <c>"s"</c>,
/// integer lists <c>[0, 1]</c>, dtypes <c>f32</c>, shapes <c>&lt;3,n&gt;</c>, constants <c>dense&lt;f32[2]: [1.0, 2.0]&gt;</c>.
/// A function name that is not made of letters, digits, <c>_ . $</c> is quoted: <c>@"grad(f)"</c>.
/// <see cref="IrParser"/> reads this text back.
/// </summary>
public static class IrPrinter
{
    /// <summary>Prints a module (functions separated by blank lines).</summary>
    public static string Print(Module module) => string.Join("\n", module.Functions.Select(Print));

    /// <summary>Prints one function.</summary>
    public static string Print(Function function) => Print(function, null, out _);

    /// <summary>
    /// Prints one function with a comment after operations: <paramref name="annotate"/> gets each operation (nested
    /// ones too) and the printed name of any value (<c>%3</c>), and returns the comment's text, or null for none. The
    /// comment ends the operation's last line (<c>%4 = exp %3 : f32[4]  // slot 0</c>), so the text still parses.
    /// </summary>
    public static string Print(Function function, Func<Operation, Func<Value, string>, string?> annotate) =>
        Print(function, annotate, out _);

    /// <summary>The names the printer gives a function's values (<c>%0</c>, <c>%1</c>, ...), nested regions' too.</summary>
    public static IReadOnlyDictionary<Value, string> ValueNames(Function function)
    {
        Print(function, null, out var names);
        return names;
    }

    private static string Print(Function function, Func<Operation, Func<Value, string>, string?>? annotate, out Dictionary<Value, string> names)
    {
        names = new Dictionary<Value, string>(ReferenceEqualityComparer.Instance);
        var sb = new StringBuilder();
        sb.Append("func @").Append(FunctionName(function.Name)).Append('(');
        AppendArguments(sb, function.Body, names);
        sb.Append(") -> (").Append(string.Join(", ", function.Body.ResultTypes)).Append(") {\n");
        AppendBody(sb, function.Body, names, 1, annotate);
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Name(Dictionary<Value, string> names, Value v) =>
        names.TryGetValue(v, out var n) ? n : "%<undefined>";

    private static string Define(Dictionary<Value, string> names, Value v)
    {
        var n = "%" + names.Count.ToString(CultureInfo.InvariantCulture);
        names[v] = n;
        return n;
    }

    private static void AppendArguments(StringBuilder sb, Block block, Dictionary<Value, string> names)
    {
        for (int i = 0; i < block.Arguments.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Define(names, block.Arguments[i])).Append(": ").Append(block.Arguments[i].Type);
        }
    }

    private static void AppendBody(StringBuilder sb, Block block, Dictionary<Value, string> names, int depth,
        Func<Operation, Func<Value, string>, string?>? annotate)
    {
        NestingDepthException.EnsureStack("the printer");
        var indent = new string(' ', 2 * depth);
        foreach (var op in block.Operations)
        {
            sb.Append(indent);
            // Results are numbered before the values inside the op's regions: numbering follows the text.
            for (int i = 0; i < op.Results.Count; i++)
                sb.Append(i == 0 ? "" : ", ").Append(Define(names, op.Results[i])).Append(i == op.Results.Count - 1 ? " = " : "");
            sb.Append(op.Primitive.Name);
            for (int i = 0; i < op.Operands.Count; i++)
                sb.Append(i == 0 ? " " : ", ").Append(Name(names, op.Operands[i]));
            if (op.Attributes.Count > 0)
                sb.Append(" {").Append(string.Join(", ", op.Attributes.Select(a => $"{a.Key} = {FormatAttribute(a.Value)}"))).Append('}');
            foreach (var region in op.Regions)
            {
                sb.Append(" (");
                AppendArguments(sb, region, names);
                sb.Append(") {\n");
                AppendBody(sb, region, names, depth + 1, annotate);
                sb.Append(indent).Append('}');
            }
            sb.Append(" : ").Append(op.Results.Count == 0 ? "()" : string.Join(", ", op.Results.Select(r => r.Type)));
            if (annotate?.Invoke(op, v => Name(names, v)) is { } comment) sb.Append("  // ").Append(comment);
            sb.Append('\n');
        }
        sb.Append(indent).Append("return");
        for (int i = 0; i < block.Results.Count; i++)
            sb.Append(i == 0 ? " " : ", ").Append(Name(names, block.Results[i]));
        sb.Append('\n');
    }

    /// <summary>The text of one attribute value.</summary>
    public static string FormatAttribute(object value) => value switch
    {
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        bool b => b ? "true" : "false",
        string s => Quote(s),
        long[] a => "[" + string.Join(", ", a.Select(x => x.ToString(CultureInfo.InvariantCulture))) + "]",
        DType t => t.ShortName(),
        Shape s => "<" + string.Join(",", s.Select(d => d.ToString())) + ">",
        Buffer b => FormatDense(b),
        _ => throw new ArgumentException($"cannot print attribute of type {value.GetType().Name}"),
    };

    /// <summary>A float as shortest round-trip text that always reads back as a float (<c>1.0</c>, <c>nan</c>, <c>-inf</c>).</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    // Switch on the dtype, not the array: the runtime lets a long[] pass as a ulong[] (and byte[] as sbyte[]).
    private static string FormatElement(Buffer b, int i) => b.DType switch
    {
        DType.Bool => b.Span<bool>()[i] ? "true" : "false",
        DType.Int8 => FormatInteger<sbyte>(b, i),
        DType.Int16 => FormatInteger<short>(b, i),
        DType.Int32 => FormatInteger<int>(b, i),
        DType.Int64 => FormatInteger<long>(b, i),
        DType.UInt8 => FormatInteger<byte>(b, i),
        DType.UInt16 => FormatInteger<ushort>(b, i),
        DType.UInt32 => FormatInteger<uint>(b, i),
        DType.UInt64 => FormatInteger<ulong>(b, i),
        DType.Float16 => FormatShortFloat(b.Span<Half>()[i].ToString(CultureInfo.InvariantCulture), (double)b.Span<Half>()[i]),
        DType.BFloat16 => FormatShortFloat(b.Span<BFloat16>()[i].ToString(), (double)b.Span<BFloat16>()[i]),
        DType.Float32 => FormatShortFloat(b.Span<float>()[i].ToString("R", CultureInfo.InvariantCulture), b.Span<float>()[i]),
        _ => FormatFloat(b.Span<double>()[i]),
    };

    private static string FormatInteger<T>(Buffer b, int i) where T : unmanaged, IFormattable =>
        b.Span<T>()[i].ToString(null, CultureInfo.InvariantCulture);

    private static string FormatShortFloat(string shortest, double value) =>
        double.IsNaN(value) || double.IsInfinity(value) ? FormatFloat(value)
        : shortest.Contains('.') || shortest.Contains('E') ? shortest : shortest + ".0";

    private static string FormatDense(Buffer b)
    {
        var sb = new StringBuilder("dense<").Append(b.Type).Append(": [");
        for (int i = 0; i < b.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(FormatElement(b, i));
        }
        return sb.Append("]>").ToString();
    }

    /// <summary>A function name as printed after <c>@</c>: bare when it is a plain name, else quoted.</summary>
    internal static string FunctionName(string name) =>
        name.Length > 0 && name.All(IrLexer.IsNameChar) ? name : Quote(name);

    /// <summary>A string literal: <c>"</c>, <c>\</c>, newline, tab, carriage return escaped; other control characters as <c>\uXXXX</c>.</summary>
    internal static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
