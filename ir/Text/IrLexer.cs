using System.Text;

namespace JaxToolchain.Ir;

/// <summary>The kinds of tokens of the IR text.</summary>
internal enum TokenKind
{
    /// <summary>A bare word: primitive, dtype, attribute name, dimension symbol, keyword.</summary>
    Word,

    /// <summary>A value name <c>%x</c> (text without the <c>%</c>).</summary>
    ValueName,

    /// <summary>A function name <c>@f</c> or <c>@"f g"</c> (text without the <c>@</c>, unescaped).</summary>
    FunctionName,

    /// <summary>An integer literal, possibly negative.</summary>
    Integer,

    /// <summary>A float literal with a fraction or an exponent, possibly negative.</summary>
    Float,

    /// <summary>A quoted string (text unescaped).</summary>
    String,

    /// <summary>One punctuation character (<c>( ) { } [ ] &lt; &gt; , : = -</c>) or the arrow <c>-&gt;</c>.</summary>
    Punct,

    /// <summary>The end of the input.</summary>
    End,
}

/// <summary>One token with its 1-based position.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    /// <summary>True for the punctuation <paramref name="p"/>.</summary>
    public bool Is(string p) => Kind == TokenKind.Punct && Text == p;

    /// <summary>True for the bare word <paramref name="w"/>.</summary>
    public bool IsWord(string w) => Kind == TokenKind.Word && Text == w;

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of input",
        TokenKind.ValueName => $"'%{Text}'",
        TokenKind.FunctionName => $"'@{Text}'",
        TokenKind.String => "string " + IrPrinter.Quote(Text),
        _ => $"'{Text}'",
    };
}

/// <summary>Splits IR text into tokens, skipping whitespace and <c>//</c> comments.</summary>
internal static class IrLexer
{
    /// <summary>True for the characters of bare words, value names and function names after the first.</summary>
    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$';

    /// <summary>
    /// The tokens of a text, ending with one <see cref="TokenKind.End"/> token, read as they are asked for: a parser
    /// that stops early (at an error) reads no further.
    /// </summary>
    public static IEnumerable<Token> Tokenize(string text)
    {
        int pos = 0, line = 1, lineStart = 0;
        while (true)
        {
            // Whitespace and comments.
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c == '\n')
                {
                    pos++;
                    line++;
                    lineStart = pos;
                }
                else if (char.IsWhiteSpace(c))
                {
                    pos++;
                }
                else if (c == '/' && pos + 1 < text.Length && text[pos + 1] == '/')
                {
                    while (pos < text.Length && text[pos] != '\n') pos++;
                }
                else
                {
                    break;
                }
            }
            int column = pos - lineStart + 1;
            if (pos >= text.Length)
            {
                yield return new Token(TokenKind.End, "", line, column);
                yield break;
            }
            char ch = text[pos];
            int start = pos;
            Token Make(TokenKind kind, string s) => new(kind, s, line, column);
            if (char.IsAsciiLetter(ch) || ch == '_')
            {
                while (pos < text.Length && IsNameChar(text[pos])) pos++;
                yield return Make(TokenKind.Word, text[start..pos]);
            }
            else if (ch == '%')
            {
                pos++;
                while (pos < text.Length && IsNameChar(text[pos])) pos++;
                if (pos == start + 1) throw new IrParseException(line, column, "expected a value name after '%'");
                yield return Make(TokenKind.ValueName, text[(start + 1)..pos]);
            }
            else if (ch == '@')
            {
                pos++;
                string name;
                if (pos < text.Length && text[pos] == '"')
                {
                    name = ReadString(text, ref pos, line, column + 1);
                }
                else
                {
                    while (pos < text.Length && IsNameChar(text[pos])) pos++;
                    name = text[(start + 1)..pos];
                }
                if (name.Length == 0) throw new IrParseException(line, column, "expected a function name after '@'");
                yield return Make(TokenKind.FunctionName, name);
            }
            else if (ch == '"')
            {
                yield return Make(TokenKind.String, ReadString(text, ref pos, line, column));
            }
            else if (char.IsAsciiDigit(ch) || (ch == '-' && pos + 1 < text.Length && char.IsAsciiDigit(text[pos + 1])))
            {
                yield return Make(ReadNumber(text, ref pos), text[start..pos]);
            }
            else if (ch == '-' && pos + 1 < text.Length && text[pos + 1] == '>')
            {
                pos += 2;
                yield return Make(TokenKind.Punct, "->");
            }
            else if ("(){}[]<>,:=-".Contains(ch))
            {
                pos++;
                yield return Make(TokenKind.Punct, ch.ToString());
            }
            else
            {
                throw new IrParseException(line, column, $"unexpected character '{ch}'");
            }
        }
    }

    private static TokenKind ReadNumber(string text, ref int pos)
    {
        var kind = TokenKind.Integer;
        if (text[pos] == '-') pos++;
        SkipDigits(text, ref pos);
        if (pos + 1 < text.Length && text[pos] == '.' && char.IsAsciiDigit(text[pos + 1]))
        {
            pos++;
            SkipDigits(text, ref pos);
            kind = TokenKind.Float;
        }
        if (pos < text.Length && text[pos] is 'e' or 'E')
        {
            int save = pos++;
            if (pos < text.Length && text[pos] is '+' or '-') pos++;
            if (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                SkipDigits(text, ref pos);
                kind = TokenKind.Float;
            }
            else
            {
                pos = save;
            }
        }
        return kind;
    }

    private static void SkipDigits(string text, ref int pos)
    {
        while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
    }

    /// <summary>Reads a quoted string starting at the opening quote; escapes: <c>\" \\ \n \t \r \uXXXX</c>.</summary>
    private static string ReadString(string text, ref int pos, int line, int column)
    {
        var sb = new StringBuilder();
        pos++;
        while (true)
        {
            if (pos >= text.Length || text[pos] == '\n')
                throw new IrParseException(line, column, "unterminated string (expected '\"')");
            char c = text[pos++];
            if (c == '"') return sb.ToString();
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            char e = pos < text.Length ? text[pos++] : '\0';
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'u' when pos + 4 <= text.Length && ushort.TryParse(text.AsSpan(pos, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code):
                    sb.Append((char)code);
                    pos += 4;
                    break;
                default:
                    throw new IrParseException(line, column, $"unknown escape '\\{e}' in string (expected one of \\\" \\\\ \\n \\t \\r \\uXXXX)");
            }
        }
    }
}
