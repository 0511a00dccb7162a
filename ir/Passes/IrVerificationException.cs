namespace JaxToolchain.Ir;

/// <summary>
/// IR that breaks an invariant the verifier checks. The message names the function, where in it the problem
/// is (<c>op 3 (add)</c>, nested as <c>op 2 (cond), region 0, op 1 (mul)</c>, or <c>return</c>) and the problem:
/// <c>@f: op 3 (add): result 0 has type f32[4], but the type rule gives f32[3]</c>.
/// </summary>
public sealed class IrVerificationException : InvalidOperationException
{
    /// <summary>The function's name.</summary>
    public string FunctionName { get; }

    /// <summary>Where in the function: <c>op 3 (add)</c>, <c>op 2 (cond), region 0, return</c>; empty for the function itself.</summary>
    public string Location { get; }

    /// <summary>The index of the innermost operation in its block, or null when the problem is not at an operation.</summary>
    public int? OperationIndex { get; }

    /// <summary>The innermost operation's primitive, or null when the problem is not at an operation.</summary>
    public string? PrimitiveName { get; }

    /// <summary>The problem, without the location.</summary>
    public string Problem { get; }

    /// <summary>The pass after which the problem was found, when a <see cref="PassManager"/> found it.</summary>
    public string? AfterPass { get; }

    /// <summary>Creates the exception.</summary>
    public IrVerificationException(string functionName, string location, int? operationIndex, string? primitiveName, string problem, string? afterPass = null)
        : base(Format(functionName, location, problem, afterPass))
    {
        FunctionName = functionName;
        Location = location;
        OperationIndex = operationIndex;
        PrimitiveName = primitiveName;
        Problem = problem;
        AfterPass = afterPass;
    }

    /// <summary>The same problem, found after the pass <paramref name="pass"/>.</summary>
    public IrVerificationException AfterPassNamed(string pass) =>
        new(FunctionName, Location, OperationIndex, PrimitiveName, Problem, pass);

    private static string Format(string function, string location, string problem, string? afterPass) =>
        (afterPass is null ? "" : $"after pass '{afterPass}': ") +
        $"@{IrPrinter.FunctionName(function)}: " + (location.Length == 0 ? "" : location + ": ") + problem;
}
