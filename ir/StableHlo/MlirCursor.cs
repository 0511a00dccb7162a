using System.Globalization;
using System.Text;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// The character-level reader under <see cref="MlirParser"/>: skips whitespace and <c>//</c> comments, tracks
/// line and column, reads the lexical pieces of MLIR (names, numbers, strings, punctuation). MLIR's grammar is
/// context sensitive (<c>2x3xf32</c>, <c>%0#1</c>), so the parser asks for the piece it expects here instead of
/// going through a token stream.
/// </summary>
internal sealed class MlirCursor(string text, string? sourceName)
{
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public string? SourceName => sourceName;

    /// <summary>The position of the next piece (trivia skipped).</summary>
    public MlirLocation Location
    {
        get
        {
            SkipTrivia();
            return new(_line, _pos - _lineStart + 1);
        }
    }

    /// <summary>The line of the last consumed character (to tell whether the next piece starts a new line).</summary>
    public int LastLine { get; private set; } = 1;

    public bool AtEnd
    {
        get
        {
            SkipTrivia();
            return _pos >= text.Length;
        }
    }

    public StableHloImportException Error(string problem, MlirLocation? at = null, string? op = null, StableHloImportFailure failure = StableHloImportFailure.Syntax)
    {
        var loc = at ?? Location;
        return new StableHloImportException(sourceName, loc.Line, loc.Column, op, failure, problem);
    }

    public void SkipTrivia()
    {
        while (_pos < text.Length)
        {
            char c = text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (char.IsWhiteSpace(c)) _pos++;
            else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '/')
            {
                while (_pos < text.Length && text[_pos] != '\n') _pos++;
            }
            else break;
        }
    }

    /// <summary>The next character after trivia, or '\0' at the end.</summary>
    public char Peek()
    {
        SkipTrivia();
        return _pos < text.Length ? text[_pos] : '\0';
    }

    /// <summary>The character <paramref name="ahead"/> places after the next one (no trivia skipped in between).</summary>
    public char PeekAt(int ahead)
    {
        SkipTrivia();
        return _pos + ahead < text.Length ? text[_pos + ahead] : '\0';
    }

    /// <summary>True when the next piece starts on a later line than the last consumed one.</summary>
    public bool NextIsOnNewLine()
    {
        SkipTrivia();
        return _line > LastLine;
    }

    private void Advance(int n)
    {
        for (int i = 0; i < n; i++)
        {
            if (text[_pos] == '\n')
            {
                _line++;
                _lineStart = _pos + 1;
            }
            _pos++;
        }
        LastLine = _line;
    }

    public bool StartsWith(string s)
    {
        SkipTrivia();
        return string.CompareOrdinal(text, _pos, s, 0, s.Length) == 0;
    }

    /// <summary>Consumes <paramref name="s"/> when it comes next (a word only when not followed by a name character).</summary>
    public bool TryConsume(string s)
    {
        if (!StartsWith(s)) return false;
        if (char.IsLetter(s[^1]) && _pos + s.Length < text.Length && IsNameChar(text[_pos + s.Length])) return false;
        Advance(s.Length);
        return true;
    }

    /// <summary>Consumes <paramref name="s"/>, even when a name character follows (the <c>x</c> between a tensor's dims).</summary>
    public void ExpectRaw(string s)
    {
        if (!StartsWith(s)) throw Error($"expected '{s}', found {Describe()}");
        Advance(s.Length);
    }

    public void Expect(string s)
    {
        if (!TryConsume(s)) throw Error($"expected '{s}', found {Describe()}");
    }

    public string Describe()
    {
        SkipTrivia();
        if (_pos >= text.Length) return "the end of the text";
        int end = _pos;
        while (end < text.Length && end - _pos < 20 && !char.IsWhiteSpace(text[end])) end++;
        return $"'{text[_pos..end]}'";
    }

    public static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.' or '$' or '-';

    /// <summary>A bare identifier (<c>stablehlo.add</c>, <c>GT</c>, <c>tensor</c>), or null when none comes next.</summary>
    public string? TryIdentifier()
    {
        SkipTrivia();
        if (_pos >= text.Length || !(char.IsLetter(text[_pos]) || text[_pos] == '_')) return null;
        int start = _pos;
        int end = _pos;
        while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '.' or '$')) end++;
        Advance(end - start);
        return text[start..end];
    }

    public string Identifier() => TryIdentifier() ?? throw Error($"expected a name, found {Describe()}");

    /// <summary>A value name with its sigil (<c>%arg0</c>, <c>%0#1</c>), a symbol (<c>@main</c>) or a block label (<c>^bb0</c>).</summary>
    public string SigilName(char sigil)
    {
        if (Peek() != sigil) throw Error($"expected a '{sigil}' name, found {Describe()}");
        int start = _pos;
        int end = _pos + 1;
        if (end < text.Length && text[end] == '"')
        {
            end++;
            while (end < text.Length && text[end] != '"') end++;
            end++;
        }
        else
        {
            while (end < text.Length && (IsNameChar(text[end]) || (sigil == '%' && text[end] == '#'))) end++;
        }
        if (end == start + 1) throw Error($"expected a name after '{sigil}'");
        Advance(end - start);
        return text[start..end].Replace("\"", "", StringComparison.Ordinal);
    }

    /// <summary>A number as written: <c>-12</c>, <c>1.5e-3</c>, <c>0x7F800000</c>; null when none comes next.</summary>
    public string? TryNumber()
    {
        SkipTrivia();
        int end = _pos;
        if (end < text.Length && (text[end] == '-' || text[end] == '+')) end++;
        if (end >= text.Length || !char.IsDigit(text[end])) return null;
        if (text[end] == '0' && end + 1 < text.Length && text[end + 1] is 'x' or 'X')
        {
            end += 2;
            while (end < text.Length && char.IsAsciiHexDigit(text[end])) end++;
        }
        else
        {
            while (end < text.Length && char.IsDigit(text[end])) end++;
            if (end < text.Length && text[end] == '.')
            {
                end++;
                while (end < text.Length && char.IsDigit(text[end])) end++;
            }
            if (end < text.Length && text[end] is 'e' or 'E' && end + 1 < text.Length && (char.IsDigit(text[end + 1]) || text[end + 1] is '-' or '+'))
            {
                end += 2;
                while (end < text.Length && char.IsDigit(text[end])) end++;
            }
        }
        int start = _pos;
        Advance(end - start);
        return text[start..end];
    }

    /// <summary>A run of decimal digits (a tensor dim: <c>0x3</c> there is two dims, not a hex number).</summary>
    public long Digits()
    {
        SkipTrivia();
        int end = _pos;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        if (end == _pos) throw Error($"expected a dimension size, found {Describe()}");
        int start = _pos;
        Advance(end - start);
        return long.TryParse(text.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Error("a dimension size out of range");
    }

    public long Integer()
    {
        var n = TryNumber() ?? throw Error($"expected an integer, found {Describe()}");
        return long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"expected an integer, found '{n}'");
    }

    /// <summary>A string literal's content (escapes <c>\"</c>, <c>\\</c>, <c>\n</c> and two hex digits decoded).</summary>
    public string StringLiteral()
    {
        if (Peek() != '"') throw Error($"expected a string, found {Describe()}");
        var sb = new StringBuilder();
        int p = _pos + 1;
        while (p < text.Length && text[p] != '"')
        {
            if (text[p] == '\\' && p + 1 < text.Length)
            {
                char e = text[p + 1];
                if (e == 'n') { sb.Append('\n'); p += 2; }
                else if (e == 't') { sb.Append('\t'); p += 2; }
                else if (char.IsAsciiHexDigit(e) && p + 2 < text.Length && char.IsAsciiHexDigit(text[p + 2]))
                {
                    sb.Append((char)Convert.ToInt32(text.Substring(p + 1, 2), 16));
                    p += 3;
                }
                else { sb.Append(e); p += 2; }
            }
            else sb.Append(text[p++]);
        }
        if (p >= text.Length) throw Error("unterminated string");
        Advance(p + 1 - _pos);
        return sb.ToString();
    }

    /// <summary>
    /// The raw text up to the bracket closing one already consumed (<paramref name="open"/>/<paramref name="close"/>
    /// nest; strings are skipped whole); the closing bracket is consumed, not returned.
    /// </summary>
    public string Balanced(char open, char close)
    {
        int depth = 1;
        int start = _pos;
        int p = _pos;
        while (p < text.Length)
        {
            char c = text[p];
            if (c == '"')
            {
                p++;
                while (p < text.Length && text[p] != '"') p += text[p] == '\\' ? 2 : 1;
            }
            else if (c == open) depth++;
            else if (c == close && !(close == '>' && p > 0 && text[p - 1] == '-'))
            {
                if (--depth == 0)
                {
                    Advance(p + 1 - start);
                    return text[start..p];
                }
            }
            p++;
        }
        throw Error($"no '{close}' closes this '{open}'");
    }

    /// <summary>Reads the element type text of a tensor type: up to a ',' or '>' at depth 0 (nested &lt;&gt; kept).</summary>
    public string ElementTypeText()
    {
        SkipTrivia();
        int depth = 0;
        int start = _pos;
        int p = _pos;
        while (p < text.Length)
        {
            char c = text[p];
            if (c == '<') depth++;
            else if (c == '>')
            {
                if (depth == 0) break;
                depth--;
            }
            else if (c == ',' && depth == 0) break;
            p++;
        }
        Advance(p - start);
        return text[start..p].Trim();
    }

    /// <summary>Skips a trailing <c>loc(...)</c> when one comes next.</summary>
    public void SkipLocation()
    {
        while (TryConsume("loc("))
            Balanced('(', ')');
    }
}
