namespace JaxToolchain.Ir;

/// <summary>
/// A transformation of IR: a named function from an IR function to an IR function (as MLIR's passes, each with a
/// one-line summary). A pass must not mutate its input; it builds a new function (see <see cref="FunctionCloner"/>)
/// or returns its input unchanged. IR is not modified once built, so the new function may keep operations and
/// blocks the pass left as they were (the simplification passes do, and so allocate little when they change little).
/// </summary>
public interface IPass
{
    /// <summary>The pass's short name, as printed in IR dumps (<c>dce</c>, <c>vmap</c>).</summary>
    string Name { get; }

    /// <summary>One line saying what the pass does.</summary>
    string Summary { get; }

    /// <summary>Transforms a function, leaving the input as it was.</summary>
    Function Run(Function function);
}

/// <summary>A pass made from a delegate (for pipelines assembled at run time and for tests).</summary>
public sealed class DelegatePass : IPass
{
    private readonly Func<Function, Function> _run;

    /// <summary>Creates a pass named <paramref name="name"/> that runs <paramref name="run"/>.</summary>
    public DelegatePass(string name, string summary, Func<Function, Function> run)
    {
        Name = name;
        Summary = summary;
        _run = run;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Summary { get; }

    /// <inheritdoc/>
    public Function Run(Function function) => _run(function);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
