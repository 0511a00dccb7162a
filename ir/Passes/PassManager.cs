namespace JaxToolchain.Ir;

/// <summary>
/// Runs passes in order over a function or a module (as MLIR's pass manager). Optionally verifies the input and
/// the output of every pass (<see cref="VerifyEach"/>), prints the IR after every pass
/// (<see cref="PrintIrAfterAll"/>, what <c>jaxc --print-ir-after-all</c> shows) and checks that passes leave
/// their input unchanged (<see cref="CheckInputUnchanged"/>).
/// </summary>
public sealed class PassManager
{
    private readonly List<IPass> _passes = [];

    /// <summary>Creates a pipeline of passes, run in the order given.</summary>
    public PassManager(params IEnumerable<IPass> passes) => _passes.AddRange(passes);

    /// <summary>The passes, in order.</summary>
    public IReadOnlyList<IPass> Passes => _passes;

    /// <summary>Verify the input before the first pass and the IR after each pass (default: true).</summary>
    public bool VerifyEach { get; set; } = true;

    /// <summary>When set, the IR after every pass is written here under <see cref="Header"/>.</summary>
    public TextWriter? PrintIrAfterAll { get; set; }

    /// <summary>
    /// Print each pass's input before and after it runs and throw when they differ (a pass mutated its input).
    /// Costs two prints per pass; for tests and debugging.
    /// </summary>
    public bool CheckInputUnchanged { get; set; }

    /// <summary>Appends a pass; returns this pipeline.</summary>
    public PassManager Add(IPass pass)
    {
        _passes.Add(pass);
        return this;
    }

    /// <summary>The line that precedes the IR printed after a pass: <c>// -----// IR after dce //----- //</c>.</summary>
    public static string Header(string passName) => $"// -----// IR after {passName} //----- //";

    /// <summary>Runs every pass over a function; returns the last pass's output (the input if there are none).</summary>
    public Function Run(Function function)
    {
        if (VerifyEach) Verifier.Verify(function);
        foreach (var pass in _passes)
        {
            function = RunOne(pass, function);
            PrintIrAfterAll?.Write(Header(pass.Name) + "\n" + IrPrinter.Print(function) + "\n");
        }
        return function;
    }

    /// <summary>Runs every pass over each function of a module (pass by pass); returns a new module.</summary>
    public Module Run(Module module)
    {
        if (VerifyEach) Verifier.Verify(module);
        var functions = module.Functions.ToList();
        foreach (var pass in _passes)
        {
            for (int i = 0; i < functions.Count; i++) functions[i] = RunOne(pass, functions[i]);
            PrintIrAfterAll?.Write(Header(pass.Name) + "\n" + string.Concat(functions.Select(f => IrPrinter.Print(f) + "\n")));
        }
        var result = new Module();
        result.Functions.AddRange(functions);
        return result;
    }

    private Function RunOne(IPass pass, Function input)
    {
        string? before = CheckInputUnchanged ? IrPrinter.Print(input) : null;
        var output = pass.Run(input);
        if (before is not null)
        {
            string after = IrPrinter.Print(input);
            if (after != before)
                throw new InvalidOperationException($"pass '{pass.Name}' mutated its input @{IrPrinter.FunctionName(input.Name)}: " +
                    FirstDifference(before, after));
        }
        if (VerifyEach)
        {
            try
            {
                Verifier.Verify(output);
            }
            catch (IrVerificationException e)
            {
                throw e.AfterPassNamed(pass.Name);
            }
        }
        return output;
    }

    private static string FirstDifference(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        for (int i = 0; ; i++)
        {
            string x = i < a.Length ? a[i] : "<end>";
            string y = i < b.Length ? b[i] : "<end>";
            if (x != y) return $"line {i + 1} was '{x.Trim()}', is now '{y.Trim()}'";
        }
    }
}
