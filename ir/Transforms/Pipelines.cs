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
    /// operations and no identities such as <c>x + 0</c>. The input is not modified.
    /// </summary>
    public static Function Simplify(Function function)
    {
        IPass[] passes = [new CanonicalizePass(), new CsePass(), new DcePass()];
        for (int round = 0; round < MaxCleanupRounds; round++)
        {
            var before = function;
            foreach (var pass in passes) function = pass.Run(function);
            if (ReferenceEquals(before, function)) break;
        }
        return function;
    }
}
