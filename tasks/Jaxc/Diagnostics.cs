namespace JaxToolchain.Jaxc;

/// <summary>
/// The kinds of mistake <c>jaxc</c> reports, one code each (the table in tasks/README.md). Errors fail the build at the
/// user's file and line; warnings do not.
/// </summary>
internal enum DiagnosticCode
{
    /// <summary>A shape, dtype or axis error while tracing (<c>Jnp.Dot</c> of mismatched shapes, ...).</summary>
    ShapeOrDtype = 1001,
    /// <summary>A signature that is missing, has the wrong number of entries, or whose type text does not parse.</summary>
    Signature = 1002,
    /// <summary>A parameter type a [Jit] method cannot take.</summary>
    ParameterType = 1003,
    /// <summary>A return type a [Jit] method cannot have.</summary>
    ReturnType = 1004,
    /// <summary>A C# number parameter that is not static (a dynamic scalar is a <c>Tensor</c> parameter).</summary>
    DynamicNumber = 1005,
    /// <summary>A [Jit] method that is not static, or generic.</summary>
    MethodShape = 1006,
    /// <summary>[Jit] attributes of one method that disagree, or two methods with one kernel name.</summary>
    Conflict = 1007,
    /// <summary>A function that reads a concrete array from outside (a static field): precompiled kernels take only their arguments.</summary>
    ClosedOverArray = 1008,
    /// <summary>A static value that does not parse as its parameter's type.</summary>
    StaticValue = 1009,
    /// <summary>The method threw while being traced (a value-dependent branch on a traced array, an error of its own, ...).</summary>
    TraceFailed = 1010,
    /// <summary>A transformation with no rule for a primitive the function uses.</summary>
    MissingRule = 1011,
    /// <summary>A StableHLO module (a <c>JaxModule</c> item) that cannot be read or imported, or whose function does not trace.</summary>
    ModuleImport = 1012,
    /// <summary>The compiler's own tools are missing (libLLVM 19, lld-19).</summary>
    MissingTools = 2001,
    /// <summary>A kernel the CPU backend cannot compile: it ships as IR and the interpreter runs it (a warning).</summary>
    NotCompiled = 2002,

}

/// <summary>A diagnostic in MSBuild's canonical format: <c>file(line,col): error JAX1001: message</c>.</summary>
internal sealed record Diagnostic(DiagnosticCode Code, string Message, string? File = null, int Line = 0, int Column = 0)
{
    public bool IsError => Code is not DiagnosticCode.NotCompiled;

    public override string ToString()
    {
        string origin = File is null ? "jaxc" : Line > 0 ? $"{File}({Line},{Math.Max(Column, 1)})" : File;
        // One line: MSBuild's canonical-format parser reads a line at a time.
        string message = Message.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal);
        return $"{origin}: {(IsError ? "error" : "warning")} JAX{(int)Code}: {message}";
    }
}

/// <summary>A source position: a file and a line and column (1-based).</summary>
internal readonly record struct SourcePosition(string File, int Line, int Column);
