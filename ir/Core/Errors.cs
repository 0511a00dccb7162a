using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir;

/// <summary>
/// A shape, dtype or axis error in a primitive's use: the message names the primitive, the offending
/// shapes/dtypes and, when raised through the runtime API, the caller's source location.
/// </summary>
public class JaxTypeException : ArgumentException
{
    /// <summary>The primitive (or API function) whose rule rejected its inputs.</summary>
    public string Operation { get; }

    /// <summary>Creates the exception.</summary>
    public JaxTypeException(string operation, string message, Exception? inner = null)
        : base(message.StartsWith(operation + ":", StringComparison.Ordinal) ? message : $"{operation}: {message}", inner) =>
        Operation = operation;
}

/// <summary>A transformation met a primitive that has no rule for it.</summary>
public sealed class MissingRuleException : NotSupportedException
{
    /// <summary>Creates the exception: "no transpose rule for 'cumsum'".</summary>
    public MissingRuleException(string primitive, string rule)
        : base($"no {rule} rule for '{primitive}'") { }

    /// <summary>Creates the exception with the reason the rule is missing: "no jvp rule for 'digamma' (needs polygamma)".</summary>
    public MissingRuleException(string primitive, string rule, string reason)
        : base($"no {rule} rule for '{primitive}' ({reason})") { }
}

/// <summary>
/// A program that nests too deeply to be processed: regions within regions (or traces within traces) deeper than
/// the recursive walks of the toolchain (tracing, the parser, printer, verifier, cloner, passes, the interpreter)
/// can follow on the current thread's stack, or more traces deep than <see cref="Trace.MaxDepth"/>. Raised before
/// the stack runs out, instead of a stack overflow that would end the process.
/// </summary>
public sealed class NestingDepthException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public NestingDepthException(string message) : base(message) { }

    /// <summary>
    /// Throws when the current thread's stack has too little room left for <paramref name="walk"/> (what is
    /// recursing: "the verifier", "the interpreter", ...) to go one level deeper into <paramref name="subject"/>;
    /// <paramref name="hint"/> ends the message.
    /// </summary>
    public static void EnsureStack(string walk, string hint = "regions within regions", string subject = "program")
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new NestingDepthException($"{walk} ran out of stack: the {subject} nests too deeply for this thread's stack ({hint})");
    }
}
