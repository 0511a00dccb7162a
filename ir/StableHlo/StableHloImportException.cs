namespace JaxToolchain.Ir.StableHlo;

/// <summary>Why an import failed: what a caller (a conformance test) can decide on without reading the message.</summary>
public enum StableHloImportFailure
{
    /// <summary>The text is not well-formed MLIR (of the subset StableHLO uses).</summary>
    Syntax,
    /// <summary>An element type our <see cref="DType"/> has no counterpart of (2/4-bit integers, complex, 8-bit floats, quantized).</summary>
    UnsupportedElementType,
    /// <summary>An operation (or a form of one) our primitives cannot express.</summary>
    UnsupportedOperation,
    /// <summary>A well-formed operation whose operands, types or attributes are invalid.</summary>
    Invalid,
    /// <summary>A collective operation (all_gather, all_reduce, collective_permute, ...): our IR runs one program on one device.</summary>
    Collective,
    /// <summary>A host I/O operation or token (infeed, outfeed, send, recv, after_all, probes).</summary>
    HostIo,
}

/// <summary>
/// StableHLO text that cannot be imported: the message names the source (when given), <c>line:column</c> and the
/// operation (<c>add.mlir:12:8: 'stablehlo.fft': op not in our primitive set</c>).
/// </summary>
public sealed class StableHloImportException : FormatException
{
    /// <summary>The 1-based line of the offending operation or token.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the offending operation or token.</summary>
    public int Column { get; }

    /// <summary>The operation's name (<c>stablehlo.add</c>), or null for a syntax error outside an operation.</summary>
    public string? OperationName { get; }

    /// <summary>The kind of failure.</summary>
    public StableHloImportFailure Failure { get; }

    /// <summary>The problem, without the position.</summary>
    public string Problem { get; }

    /// <summary>Creates the exception.</summary>
    public StableHloImportException(string? sourceName, int line, int column, string? operationName, StableHloImportFailure failure, string problem, Exception? inner = null)
        : base(Format(sourceName, line, column, operationName, problem), inner)
    {
        Line = line;
        Column = column;
        OperationName = operationName;
        Failure = failure;
        Problem = problem;
    }

    private static string Format(string? sourceName, int line, int column, string? operationName, string problem) =>
        $"{(sourceName is null ? "" : sourceName + ":")}{line}:{column}: {(operationName is null ? "" : $"'{operationName}': ")}{problem}";
}
