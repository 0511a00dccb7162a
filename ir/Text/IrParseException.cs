namespace JaxToolchain.Ir;

/// <summary>
/// IR text that does not parse: the message starts with <c>line:column</c> and says what was expected
/// (<c>3:17: expected ':' before the result types, found '%4'</c>).
/// </summary>
public sealed class IrParseException : FormatException
{
    /// <summary>The 1-based line of the offending token.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the offending token.</summary>
    public int Column { get; }

    /// <summary>The problem, without the position.</summary>
    public string Problem { get; }

    /// <summary>Creates the exception for a problem at a position.</summary>
    public IrParseException(int line, int column, string problem)
        : base($"{line}:{column}: {problem}")
    {
        Line = line;
        Column = column;
        Problem = problem;
    }
}
