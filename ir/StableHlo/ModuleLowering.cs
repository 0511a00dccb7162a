namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Lowers parsed functions to our IR: one <see cref="Function"/> per <c>func.func</c>; a <c>func.call</c> becomes our
/// <c>call</c> primitive whose region is the callee lowered again (regions are closed, so each call holds its own
/// copy); <c>check.*</c> operations become results when <see cref="WithChecks"/> is set.
/// </summary>
internal sealed class ModuleLowering
{
    private readonly Dictionary<string, MlirFunction> _functions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _lowering = new(StringComparer.Ordinal);
    private int _symbols;

    public ModuleLowering(IEnumerable<MlirFunction> functions, string? sourceName, bool withChecks)
    {
        SourceName = sourceName;
        WithChecks = withChecks;
        foreach (var f in functions)
        {
            if (!_functions.TryAdd(f.Name, f))
                throw Error(f.Location, "func.func", StableHloImportFailure.Invalid, $"the module defines @{f.Name} twice");
        }
    }

    public string? SourceName { get; }

    public bool WithChecks { get; }

    public StableHloImportException Error(MlirLocation at, string? op, StableHloImportFailure failure, string problem, Exception? inner = null) =>
        new(SourceName, at.Line, at.Column, op, failure, problem, inner);

    /// <summary>A fresh symbol for a dynamic dimension (<c>?</c>): each one is its own size.</summary>
    public string FreshSymbol() => $"s{_symbols++}";

    public MlirFunction Find(string name, MlirLocation at, string op) =>
        _functions.TryGetValue(name, out var f) ? f : throw Error(at, op, StableHloImportFailure.Invalid, $"no function @{name} in the module");

    /// <summary>Lowers a function; its checks (when collected) are appended to <paramref name="checks"/>.</summary>
    public Function LowerFunction(MlirFunction function, List<StableHloCheck>? checks)
    {
        var block = LowerBody(function, checks);
        return new Function(function.Name, block);
    }

    /// <summary>The body of a function as a block (what a call's region holds).</summary>
    public Block LowerBody(MlirFunction function, List<StableHloCheck>? checks)
    {
        if (!_lowering.Add(function.Name))
            throw Error(function.Location, "func.call", StableHloImportFailure.UnsupportedOperation, $"@{function.Name} calls itself: recursion has no counterpart in our IR");
        try
        {
            var types = function.Arguments.Select(a => TypeConversion.ToShapedType(this, a.Type, function.Location, "func.func")).ToList();
            var block = new Block(types);
            var lowering = new FunctionLowering(this, block, checks);
            for (int i = 0; i < function.Arguments.Count; i++) lowering.Bind(function.Arguments[i].Name, block.Arguments[i]);
            lowering.LowerOperations(function.Body, isFunctionBody: true);
            return block;
        }
        finally
        {
            _lowering.Remove(function.Name);
        }
    }
}
