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

    /// <summary>
    /// The pipeline every code generator (LLVM, SPIR-V) compiles from: simplify; expand transcendental functions into
    /// arithmetic (<see cref="MathExpansionPass"/>: kernels call no libm, and the expansions vectorize); simplify again
    /// (CSE shares the expansions' constants); fuse (<see cref="FusionPass"/>). With <paramref name="printAfterEach"/>,
    /// the IR after each of the four stages is written there, headed as <see cref="PassManager"/> heads its dumps
    /// (<c>jaxc --dump-ir</c>).
    /// </summary>
    public static Function ForCodegen(Function function, TextWriter? printAfterEach = null)
    {
        Function Stage(string name, Function result)
        {
            printAfterEach?.Write(PassManager.Header(name) + "\n" + IrPrinter.Print(result) + "\n");
            return result;
        }
        IPass expansion = new MathExpansionPass(), fusion = new FusionPass();
        var simplified = Stage("simplify", Simplify(function));
        var expanded = Stage(expansion.Name, expansion.Run(simplified));
        var resimplified = Stage("simplify", Simplify(expanded));
        return Stage(fusion.Name, fusion.Run(resimplified));
    }
}
