namespace JaxToolchain.Ir;

/// <summary>The standard pass pipelines.</summary>
public static class Pipelines
{
    /// <summary>How many rounds of the cleanup pipeline <see cref="Simplify"/> runs at most.</summary>
    public const int MaxCleanupRounds = 8;

    /// <summary>The cleanup pipeline: canonicalize, CSE, DCE (one round).</summary>
    public static PassManager Cleanup() => new(new CanonicalizePass(), new CsePass(), new DcePass());

    /// <summary>
    /// Runs the cleanup pipeline until it changes nothing (at most <see cref="MaxCleanupRounds"/> rounds): what the
    /// transformations apply to the functions they derive, so they carry no dead tangent work, no duplicate
    /// operations and no identities such as <c>x + 0</c>. The input is not modified. Removing dead operations creates
    /// no work for canonicalization or CSE, and a second DCE finds nothing more, so a round in which canonicalization
    /// and CSE change nothing ends the loop before its DCE.
    /// </summary>
    public static Function Simplify(Function function)
    {
        IPass canonicalize = new CanonicalizePass(), cse = new CsePass(), dce = new DcePass();
        for (int round = 0; round < MaxCleanupRounds; round++)
        {
            var before = function;
            function = cse.Run(canonicalize.Run(function));
            if (round > 0 && ReferenceEquals(before, function)) break;
            function = dce.Run(function);
            if (ReferenceEquals(before, function)) break;
        }
        return function;
    }
}
