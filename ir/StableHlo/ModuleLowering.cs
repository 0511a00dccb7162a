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

    /// <summary>
    /// What the symbols of the function being lowered are known to equal: a symbol bound to a smaller-numbered symbol
    /// or to a static size (StableHLO requires equal dims where our shape rules do: elementwise operands, contracted
    /// dims...). Kept across the restarts of one function's lowering, cleared for the next function.
    /// </summary>
    private readonly Dictionary<string, Dim> _bindings = new(StringComparer.Ordinal);

    /// <summary>
    /// A dynamic dimension (<c>?</c>): the next symbol in the order the text names them (the first argument's first
    /// <c>?</c> is <c>s0</c>), or what that symbol has been unified with.
    /// </summary>
    public Dim FreshDim() => Resolve(Dim.Sym($"s{_symbols++}"));

    /// <summary>What a dim stands for once the known equalities are applied.</summary>
    public Dim Resolve(Dim d)
    {
        while (!d.IsStatic && _bindings.TryGetValue(d.Symbol!, out var bound)) d = bound;
        return d;
    }

    /// <summary>
    /// Records that two dims are equal. Returns false when they already are (or are two different static sizes, which
    /// the shape rules then report); otherwise the values lowered so far carry stale types, so the caller restarts the
    /// function (<see cref="SymbolsUnified"/>).
    /// </summary>
    public bool Unify(Dim a, Dim b)
    {
        (a, b) = (Resolve(a), Resolve(b));
        if (a == b || (a.IsStatic && b.IsStatic)) return false;
        if (a.IsStatic) (a, b) = (b, a);
        // a is symbolic: bind it to the static size, or the later-numbered of two symbols to the earlier one.
        if (!b.IsStatic && SymbolNumber(b.Symbol!) > SymbolNumber(a.Symbol!)) (a, b) = (b, a);
        _bindings[a.Symbol!] = b;
        return true;
    }

    private static long SymbolNumber(string symbol) =>
        symbol.Length > 1 && symbol[0] == 's' && long.TryParse(symbol.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue;

    public MlirFunction Find(string name, MlirLocation at, string op) =>
        _functions.TryGetValue(name, out var f) ? f : throw Error(at, op, StableHloImportFailure.Invalid, $"no function @{name} in the module");

    /// <summary>Lowers a function; its checks (when collected) are appended to <paramref name="checks"/>.</summary>
    public Function LowerFunction(MlirFunction function, List<StableHloCheck>? checks)
    {
        _bindings.Clear();
        int checkCount = checks?.Count ?? 0;
        while (true)
        {
            _symbols = 0;
            try
            {
                var block = LowerBody(function, checks);
                return new Function(function.Name, block);
            }
            catch (SymbolsUnified)
            {
                // Two dims were found equal: lower again with the symbols unified (each restart binds one more symbol).
                checks?.RemoveRange(checkCount, checks.Count - checkCount);
            }
        }
    }

    /// <summary>The body of a function as a block (what a call's region holds).</summary>
    /// <param name="function">The function.</param>
    /// <param name="checks">Where its checks go, when collected.</param>
    /// <param name="boundArguments">
    /// Arguments bound to importer values rather than block arguments: the dynamic dims' sizes a caller passes (JAX's
    /// exported <c>main</c> calls its wrapped function with the sizes read by get_dimension_size), by argument index.
    /// </param>
    public Block LowerBody(MlirFunction function, List<StableHloCheck>? checks, IReadOnlyDictionary<int, object>? boundArguments = null)
    {
        if (!_lowering.Add(function.Name))
            throw Error(function.Location, "func.call", StableHloImportFailure.UnsupportedOperation, $"@{function.Name} calls itself: recursion has no counterpart in our IR");
        try
        {
            var kept = Enumerable.Range(0, function.Arguments.Count).Where(i => boundArguments is null || !boundArguments.ContainsKey(i)).ToList();
            var types = kept.Select(i => TypeConversion.ToShapedType(this, function.Arguments[i].Type, function.Location, "func.func")).ToList();
            var block = new Block(types);
            var lowering = new FunctionLowering(this, block, checks);
            for (int k = 0; k < kept.Count; k++) lowering.Bind(function.Arguments[kept[k]].Name, block.Arguments[k]);
            foreach (var (i, bound) in boundArguments ?? new Dictionary<int, object>())
            {
                if (i < function.Arguments.Count) lowering.Bind(function.Arguments[i].Name, bound);
            }
            lowering.LowerOperations(function.Body, isFunctionBody: true);
            return block;
        }
        finally
        {
            _lowering.Remove(function.Name);
        }
    }
}

/// <summary>Thrown when two dims were unified: the function is lowered again with the symbols bound.</summary>
internal sealed class SymbolsUnified : Exception
{
    public SymbolsUnified()
        : base("symbols unified")
    {
    }
}
