using System.Text.RegularExpressions;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// A small structural checker of the MLIR text the StableHLO exporter writes (one operation per line): brackets
/// balance; every SSA value is defined once, before its use, in a scope that encloses the use (a region's values are
/// not visible after it closes); <c>%v#k</c> uses name one of the results <c>%v:n</c> defines; and each operation's
/// operand types match its printed signature (<c>: T</c> for all operands, or <c>: (T1, T2) -&gt; R</c>), result types
/// are recorded for later uses, and <c>return</c>s match the function's result types.
/// </summary>
internal static partial class MlirChecker
{
    [GeneratedRegex(@"%[A-Za-z0-9_]+(#[0-9]+)?")]
    private static partial Regex UseRegex();

    [GeneratedRegex(@"^(%[A-Za-z0-9_]+)(?::([0-9]+))? = (.*)$")]
    private static partial Regex DefRegex();

    [GeneratedRegex(@"^func\.func (public|private) @[A-Za-z0-9_.$]+\((.*)\) -> \((.*)\) \{$")]
    private static partial Regex FuncRegex();

    [GeneratedRegex(@"^\^bb0\((.*)\):$")]
    private static partial Regex BlockRegex();

    private sealed class Scope
    {
        public Dictionary<string, string[]> Values { get; } = [];
        public (string Name, string[] Types)? Pending { get; init; }
        public List<string> PendingOperands { get; init; } = [];
    }

    /// <summary>Checks <paramref name="text"/>; throws an exception naming the line and the problem.</summary>
    public static void Check(string text)
    {
        CheckBrackets(text);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (!lines[0].StartsWith("module @", StringComparison.Ordinal) || lines[^1] != "}")
            throw new InvalidOperationException("not a module");
        var scopes = new List<Scope>();
        string[] funcResults = [];
        for (int n = 1; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            string Where() => $"line {n + 1}: {line}";
            if (FuncRegex().Match(line) is { Success: true } f)
            {
                scopes.Clear();
                var top = new Scope();
                foreach (var p in SplitTop(f.Groups[2].Value))
                {
                    var parts = p.Split(": ", 2);
                    top.Values.Add(parts[0], [parts[1]]);
                }
                funcResults = SplitTop(f.Groups[3].Value);
                scopes.Add(top);
                continue;
            }
            if (line == "}")
            {
                scopes.Clear();
                continue;
            }
            if (BlockRegex().Match(line) is { Success: true } b)
            {
                foreach (var p in SplitTop(b.Groups[1].Value))
                {
                    var parts = p.Split(": ", 2);
                    Define(scopes, parts[0], [parts[1]], Where());
                }
                continue;
            }
            if (line.StartsWith("return", StringComparison.Ordinal) || line.StartsWith("stablehlo.return", StringComparison.Ordinal))
            {
                var (ops, sig) = SplitSignature(line[(line.IndexOf("return", StringComparison.Ordinal) + 6)..]);
                string[] types = sig is null ? [] : SplitTop(sig);
                CheckOperands(scopes, UseRegex().Matches(ops).Select(m => m.Value).ToList(), types, Where());
                if (line.StartsWith("return", StringComparison.Ordinal) && !types.SequenceEqual(funcResults))
                    throw new InvalidOperationException($"{Where()}: returns ({string.Join(", ", types)}), the function declares ({string.Join(", ", funcResults)})");
                continue;
            }
            if (line.StartsWith("}, {", StringComparison.Ordinal))
            {
                var closing = scopes[^1];
                scopes.RemoveAt(scopes.Count - 1);
                scopes.Add(new Scope { Pending = closing.Pending, PendingOperands = closing.PendingOperands });
                continue;
            }
            if (line.StartsWith("}) : ", StringComparison.Ordinal))
            {
                var closing = scopes[^1];
                scopes.RemoveAt(scopes.Count - 1);
                var (_, sig) = SplitSignature("x" + line[2..]);
                var (inTypes, outTypes) = FunctionType(sig!, Where());
                CheckOperands(scopes, closing.PendingOperands, inTypes, Where());
                if (closing.Pending is { } pending)
                {
                    if (pending.Types.Length != outTypes.Length)
                        throw new InvalidOperationException($"{Where()}: {pending.Name} defines {pending.Types.Length} results, the signature has {outTypes.Length}");
                    Define(scopes, pending.Name, outTypes, Where());
                }
                continue;
            }
            var def = DefRegex().Match(line);
            string body = def.Success ? def.Groups[3].Value : line;
            if (body.EndsWith("({", StringComparison.Ordinal))
            {
                // An operation with regions: its operands are checked against the signature on the closing line.
                int open = body.IndexOf('(', body.IndexOf('"', 1));
                var operands = UseRegex().Matches(body[open..body.IndexOf(')', open)]).Select(m => m.Value).ToList();
                int count = def.Success && def.Groups[2].Success ? int.Parse(def.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
                scopes.Add(new Scope
                {
                    Pending = def.Success ? (def.Groups[1].Value, new string[count]) : null,
                    PendingOperands = operands,
                });
                continue;
            }
            var (operandsPart, signature) = SplitSignature(StripProperties(body));
            if (signature is null) throw new InvalidOperationException($"{Where()}: no type signature");
            var uses = UseRegex().Matches(operandsPart).Select(m => m.Value).ToList();
            string[] results;
            if (signature.StartsWith('(') && signature.Contains(" -> ", StringComparison.Ordinal))
            {
                var (inTypes, outTypes) = FunctionType(signature, Where());
                CheckOperands(scopes, uses, inTypes, Where());
                results = outTypes;
            }
            else if (body.StartsWith("stablehlo.select ", StringComparison.Ordinal))
            {
                // stablehlo.select %p, %t, %f : <pred type>, <value type>
                var two = SplitTop(signature);
                if (two.Length != 2) throw new InvalidOperationException($"{Where()}: select needs the predicate's and the values' types");
                CheckOperands(scopes, uses, [two[0], two[1], two[1]], Where());
                results = [two[1]];
            }
            else
            {
                CheckOperands(scopes, uses, uses.Select(_ => signature).ToList(), Where());
                results = [signature];
            }
            if (!def.Success) continue;
            int k = def.Groups[2].Success ? int.Parse(def.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
            if (k != results.Length) throw new InvalidOperationException($"{Where()}: defines {k} results, the signature has {results.Length}");
            Define(scopes, def.Groups[1].Value, results, Where());
        }
    }

    private static void Define(List<Scope> scopes, string name, string[] types, string where)
    {
        if (scopes.Any(s => s.Values.ContainsKey(name))) throw new InvalidOperationException($"{where}: {name} is defined twice");
        scopes[^1].Values.Add(name, types);
    }

    private static void CheckOperands(List<Scope> scopes, IReadOnlyList<string> uses, IReadOnlyList<string> types, string where)
    {
        if (uses.Count != types.Count)
            throw new InvalidOperationException($"{where}: {uses.Count} operands, {types.Count} types");
        for (int i = 0; i < uses.Count; i++)
        {
            var parts = uses[i].Split('#');
            var def = scopes.Select(s => s.Values.TryGetValue(parts[0], out var t) ? t : null).LastOrDefault(t => t is not null)
                ?? throw new InvalidOperationException($"{where}: {parts[0]} is used but not defined in an enclosing scope");
            int index = parts.Length == 2 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (parts.Length == 1 && def.Length != 1) throw new InvalidOperationException($"{where}: {parts[0]} has {def.Length} results; use {parts[0]}#k");
            if (index >= def.Length) throw new InvalidOperationException($"{where}: {uses[i]} is out of range");
            if (def[index] is { } known && known != types[i])
                throw new InvalidOperationException($"{where}: {uses[i]} is {known}, the signature says {types[i]}");
        }
    }

    /// <summary>Splits at the last top-level <c> : </c> (outside brackets).</summary>
    private static (string Operands, string? Signature) SplitSignature(string text)
    {
        int depth = 0;
        for (int i = 0; i < text.Length - 2; i++)
        {
            char c = text[i];
            if (c is '(' or '[' or '{' or '<') depth++;
            else if (c is ')' or ']' or '}' or '>' && !(c == '>' && i > 0 && text[i - 1] == '-')) depth--;
            else if (depth == 0 && c == ' ' && text[i + 1] == ':' && text[i + 2] == ' ') return (text[..i], text[(i + 3)..].Trim());
        }
        return (text, null);
    }

    private static string StripProperties(string text)
    {
        int start = text.IndexOf("<{", StringComparison.Ordinal);
        if (start < 0) return text;
        int end = text.IndexOf("}>", start, StringComparison.Ordinal);
        return text[..start] + text[(end + 2)..];
    }

    private static (string[] In, string[] Out) FunctionType(string signature, string where)
    {
        int arrow = signature.LastIndexOf(" -> ", StringComparison.Ordinal);
        if (arrow < 0 || signature[0] != '(') throw new InvalidOperationException($"{where}: '{signature}' is not a function type");
        var ins = SplitTop(signature[1..signature.LastIndexOf(')', arrow)]);
        var outText = signature[(arrow + 4)..].Trim();
        var outs = outText.StartsWith('(') ? SplitTop(outText[1..^1]) : [outText];
        return (ins, outs);
    }

    /// <summary>Splits a comma-separated list at the top level (commas inside brackets stay).</summary>
    private static string[] SplitTop(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[' or '<' or '{') depth++;
            else if (c is ')' or ']' or '>' or '}' && !(c == '>' && i > 0 && text[i - 1] == '-')) depth--;
            else if (c == ',' && depth == 0)
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }
        if (text.Trim().Length > 0) parts.Add(text[start..].Trim());
        return [.. parts];
    }

    private static void CheckBrackets(string text)
    {
        var stack = new Stack<char>();
        bool inString = false;
        foreach (char c in text)
        {
            if (c == '"') inString = !inString;
            if (inString) continue;
            if (c is '(' or '[' or '{') stack.Push(c);
            else if (c is ')' or ']' or '}')
            {
                char open = c switch { ')' => '(', ']' => '[', _ => '{' };
                if (stack.Count == 0 || stack.Pop() != open) throw new InvalidOperationException($"unbalanced '{c}'");
            }
        }
        if (stack.Count != 0) throw new InvalidOperationException($"unclosed '{stack.Peek()}'");
    }
}
