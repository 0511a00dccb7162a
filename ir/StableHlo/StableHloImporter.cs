namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Imports StableHLO MLIR text (pretty and generic forms, as <c>stablehlo-opt</c> and JAX print it) into our IR.
/// Each <c>func.func</c> becomes a <see cref="Function"/> that passes <see cref="Verifier"/>; every StableHLO op that
/// has a counterpart in our primitives is mapped to them (composed where semantics differ, as each rule says);
/// anything else is a <see cref="StableHloImportException"/> naming the op and its <c>line:column</c>.
/// </summary>
public static class StableHloImporter
{
    /// <summary>Imports every function of a module (or of top-level <c>func.func</c>s).</summary>
    /// <param name="text">The MLIR text.</param>
    /// <param name="sourceName">A name for error messages (a file name), or null.</param>
    public static Module ImportModule(string text, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Import(text, sourceName, withChecks: false).Module;
    }

    /// <summary>Imports one function of a module by name (<c>main</c> by default).</summary>
    public static Function ImportFunction(string text, string name = "main")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        var module = ImportModule(text);
        return module.Functions.FirstOrDefault(f => f.Name == name)
            ?? throw new StableHloImportException(null, 1, 1, null, StableHloImportFailure.Invalid, $"no function @{name} in the module");
    }

    /// <summary>
    /// Imports a module of StableHLO's interpreter tests: each <c>check.expect_*</c> becomes results of its function
    /// (after the function's own) described by a <see cref="StableHloCheck"/>.
    /// </summary>
    public static StableHloCheckedModule ImportModuleWithChecks(string text, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Import(text, sourceName, withChecks: true);
    }

    private static StableHloCheckedModule Import(string text, string? sourceName, bool withChecks)
    {
        var functions = new MlirParser(text, sourceName).ParseModule();
        var lowering = new ModuleLowering(functions, sourceName, withChecks);
        var module = new Module();
        var checks = new Dictionary<string, IReadOnlyList<StableHloCheck>>(StringComparer.Ordinal);
        var called = CalledFunctions(functions);
        foreach (var f in functions)
        {
            var list = withChecks ? new List<StableHloCheck>() : null;
            Function function;
            try
            {
                function = lowering.LowerFunction(f, list);
            }
            catch (StableHloImportException) when (called.Contains(f.Name) && functions.Count > 1)
            {
                // A function only called (its callers hold its body) that cannot stand alone: JAX's shape-polymorphic
                // exports call a wrapped function with the dynamic dims' sizes as i64 arguments, which only a caller
                // can give. It is left out; an error in its body is still reported by its callers' import.
                continue;
            }
            try
            {
                Verifier.Verify(function);
            }
            catch (IrVerificationException e)
            {
                throw new StableHloImportException(sourceName, f.Location.Line, f.Location.Column, "func.func", StableHloImportFailure.Invalid, $"the imported @{f.Name} does not verify: {e.Message}", e);
            }
            module.Functions.Add(function);
            checks[f.Name] = list ?? [];
        }
        return new StableHloCheckedModule(module, checks);
    }

    /// <summary>The functions some <c>call</c> (or composite's decomposition) names.</summary>
    private static HashSet<string> CalledFunctions(IReadOnlyList<MlirFunction> functions)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Visit(MlirRegion region)
        {
            foreach (var op in region.Operations)
            {
                if (op.Name is "func.call" or "call" && op.Symbol is { } callee) names.Add(callee);
                if (op.Attributes.TryGetValue("decomposition", out var d) && d is MlirSymbolAttribute s) names.Add(s.Name);
                foreach (var r in op.Regions) Visit(r);
            }
        }
        foreach (var f in functions) Visit(f.Body);
        return names;
    }
}
