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
