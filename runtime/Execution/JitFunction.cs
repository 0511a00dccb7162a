using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>Options of <see cref="Jax.Jit(Func{object?[], object}, JitOptions?)"/>: JAX's <c>jit</c> keyword arguments.</summary>
public sealed record JitOptions
{
    /// <summary>
    /// Positions of static arguments (<c>static_argnums</c>): their values are part of the cache key and are passed to
    /// the function as they are (not traced), so it may branch on them. A static value must implement equality
    /// (numbers, strings, enums, records); a static array is compared by its contents.
    /// </summary>
    public IReadOnlyList<int> StaticArgnums { get; init; } = [];

    /// <summary>
    /// Positions of donated arguments (<c>donate_argnums</c>): their memory may be reused for the results, and the
    /// caller's arrays are deleted by the call (reading them afterwards throws).
    /// </summary>
    public IReadOnlyList<int> DonateArgnums { get; init; } = [];

    /// <summary>The kernel name (default: taken from the method, see <see cref="KernelNames"/>).</summary>
    public string? Name { get; init; }

    /// <summary>The device to run on (default: the default device).</summary>
    public Device? Device { get; init; }
}

/// <summary>
/// The engine behind <c>Jax.Jit</c>: per call it flattens the arguments, builds the <see cref="ExecutableKey"/>, and
/// runs the cached executable; on a miss it asks the <see cref="KernelRegistry"/> for a precompiled kernel, or traces
/// the function (under the x64 setting the key was built with), simplifies the IR and compiles it. Closed-over
/// arrays are parameters of the traced function (kept with the executable and passed at each call), never part of
/// the IR. Inside another trace the function is traced into the enclosing one.
/// </summary>
internal sealed class JitFunction
{
    private readonly Func<object?[], object> _f;
    private readonly bool[] _static;
    private readonly bool[] _donate;
    private readonly bool _flatResults;
    private readonly ConcurrentDictionary<ExecutableKey, Entry> _cache = new();
    private readonly ConcurrentDictionary<ExecutableKey, (Function Function, Tensor[] Constants, TreeDef Output)> _nested = new();
    private readonly object _gate = new();
    private int _traces;

    /// <summary>A compiled signature: the executable, the closed-over arrays it takes after the inputs, and how to rebuild results.</summary>
    private sealed record Entry(IExecutable Executable, Tensor[] Constants, TreeDef? Output, bool[] ResultWeak, Function? Traced);

    /// <summary>
    /// Creates the engine. With <paramref name="flatResults"/> the caller takes results as they come from a precompiled
    /// kernel (a manifest does not describe result trees: one result is a <see cref="Tensor"/>, several a
    /// <see cref="Tensor"/>[]), so precompiled kernels can serve it; otherwise a miss always traces, to learn the
    /// structure of the results.
    /// </summary>
    public JitFunction(Func<object?[], object> f, string name, JitOptions options, bool flatResults = false)
    {
        _f = f;
        _flatResults = flatResults;
        Name = name;
        Device = options.Device ?? Jax.DefaultDevice;
        int positions = Math.Max(options.StaticArgnums.DefaultIfEmpty(-1).Max(), options.DonateArgnums.DefaultIfEmpty(-1).Max()) + 1;
        if (options.StaticArgnums.Concat(options.DonateArgnums).Any(i => i < 0))
            throw new ArgumentOutOfRangeException(nameof(options), "jit: static_argnums and donate_argnums must be non-negative");
        if (options.StaticArgnums.Intersect(options.DonateArgnums).Any())
            throw new ArgumentException("jit: an argument cannot be both static and donated", nameof(options));
        _static = new bool[positions];
        _donate = new bool[positions];
        foreach (int i in options.StaticArgnums) _static[i] = true;
        foreach (int i in options.DonateArgnums) _donate[i] = true;
        JitCaches.Track(this);
    }

    /// <summary>The kernel name.</summary>
    public string Name { get; }

    /// <summary>
    /// Called with the key of a call that no precompiled kernel serves, before it is traced (a <c>[Jit]</c> method's
    /// policy: warn once, or throw under <see cref="Jax.Config.PrecompiledOnly"/>). Not called inside another trace.
    /// </summary>
    public Action<ExecutableKey>? NotPrecompiled { get; init; }

    /// <summary>The device it runs on.</summary>
    public Device Device { get; }

    /// <summary>How many times the function was traced (a cache miss that was not precompiled).</summary>
    public int TraceCount => Volatile.Read(ref _traces);

    /// <summary>The number of cached executables.</summary>
    public int CacheSize => _cache.Count;

    /// <summary>Drops every cached executable and trace.</summary>
    public void ClearCache()
    {
        _cache.Clear();
        _nested.Clear();
    }

    private bool IsStatic(int i) => i < _static.Length && _static[i];

    private bool IsDonated(int i) => i < _donate.Length && _donate[i];

    /// <summary>The flattened arguments of a call.</summary>
    private readonly record struct Flattened(Tensor[] Leaves, bool[] Donated, TreeDef?[] Trees, object?[] Statics, string Structure);

    private Flattened Flatten(object?[] args)
    {
        if (args.Length < _static.Length)
            throw new ArgumentException($"jit({Name}): static_argnums/donate_argnums name argument {_static.Length - 1}, but the call has {args.Length} arguments");
        if (!Array.Exists(_static, isStatic => isStatic) && Array.TrueForAll(args, a => a is Tensor)) return FlattenTensors(args);
        var leaves = new List<Tensor>();
        var donated = new List<bool>();
        var trees = new TreeDef?[args.Length];
        var statics = new List<object?>();
        var structure = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (IsStatic(i))
            {
                statics.Add(StaticKeyPart(args[i]));
                structure.Add("static");
                continue;
            }
            var (argLeaves, def) = PyTree.Flatten(AsTree(args[i], i));
            trees[i] = def;
            leaves.AddRange(argLeaves);
            donated.AddRange(Enumerable.Repeat(IsDonated(i), argLeaves.Count));
            structure.Add(def.ToString());
        }
        return new Flattened(leaves.ToArray(), donated.ToArray(), trees, statics.ToArray(), string.Join(",", structure));
    }

    /// <summary>A static argument as the key holds it: an array by its contents, any other value as it is.</summary>
    private static object? StaticKeyPart(object? arg) => arg is Tensor t ? new StaticArray(t) : arg;

    /// <summary>The common call, every argument an array and none static: each is a leaf, the structure text is cached.</summary>
    private Flattened FlattenTensors(object?[] args)
    {
        var leaves = new Tensor[args.Length];
        var donated = new bool[args.Length];
        var trees = new TreeDef?[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            leaves[i] = (Tensor)args[i]!;
            donated[i] = IsDonated(i);
            trees[i] = TreeDef.Leaf;
        }
        var structures = _leafStructures;
        if (structures.Length <= args.Length)
        {
            structures = Enumerable.Range(0, args.Length + 1).Select(n => string.Join(",", Enumerable.Repeat("*", n))).ToArray();
            _leafStructures = structures;
        }
        return new Flattened(leaves, donated, trees, [], structures[args.Length]);
    }

    /// <summary>Structure texts of calls with n array arguments ("*,*"), by n.</summary>
    private string[] _leafStructures = [];

    /// <summary>A dynamic argument as a tree: C# numbers and bools become weakly typed scalars (JAX's Python scalars).</summary>
    private object AsTree(object? arg, int position) =>
        ScalarAsTree(arg ?? throw new ArgumentNullException($"arg{position}", $"jit({Name}): argument {position} is null"));

    /// <summary>An argument as a tree: a C# number or bool is a weakly typed scalar (JAX's Python scalar), anything else as it is.</summary>
    internal static object ScalarAsTree(object arg) => arg switch
    {
        double d => (Tensor)d,
        float f => (Tensor)f,
        int n => (Tensor)n,
        long n => (Tensor)n,
        bool b => (Tensor)b,
        _ => arg,
    };

    /// <summary>The arguments for the user's function with dynamic positions rebuilt from <paramref name="leaves"/>.</summary>
    private object?[] Rebuild(object?[] args, TreeDef?[] trees, IReadOnlyList<Tensor> leaves)
    {
        var rebuilt = new object?[args.Length];
        int next = 0;
        for (int i = 0; i < args.Length; i++)
        {
            if (trees[i] is not { } def)
            {
                rebuilt[i] = args[i];
                continue;
            }
            rebuilt[i] = def.Unflatten(leaves.Skip(next).Take(def.LeafCount).ToArray());
            next += def.LeafCount;
        }
        return rebuilt;
    }

    /// <summary>Calls the function: a cached executable, or a trace and compile on a miss; traced inline inside another trace.</summary>
    public object Call(object?[] args)
    {
        // Trace.Current first: inside a trace it checks the stack, naming a function that calls itself under Jit.
        bool tracing = Trace.Current is not null;
        var flat = Flatten(args);
        if (tracing || Array.Exists(flat.Leaves, t => t.IsTracer)) return CallInTrace(args, flat);
        var leaves = new Tensor[flat.Leaves.Length];
        var avals = new ShapedType[leaves.Length];
        for (int i = 0; i < leaves.Length; i++)
        {
            leaves[i] = Jax.DevicePut(flat.Leaves[i], Device);
            avals[i] = leaves[i].Aval;
        }
        // One read of x64 serves the key and the trace: another thread may change the global setting meanwhile.
        bool x64 = Jax.Config.EnableX64;
        var key = new ExecutableKey(Name, avals, x64, Device.Descriptor, flat.Statics, flat.Structure);
        if (!_cache.TryGetValue(key, out var entry)) entry = Miss(key, args, flat);
        return Run(entry, leaves, flat.Donated);
    }

    private Entry Miss(ExecutableKey key, object?[] args, Flattened flat)
    {
        lock (_gate)
        {
            if (_cache.TryGetValue(key, out var entry)) return entry;
            if (_flatResults && KernelRegistry.TryGetPrecompiled(key, out var kernel))
            {
                entry = new Entry(kernel.Executable, [], null, kernel.ResultWeakTypes.ToArray(), null);
            }
            else
            {
                NotPrecompiled?.Invoke(key);
                var (function, constants, output) = TraceFor(key, args, flat);
                Interlocked.Increment(ref _traces);
                entry = new Entry(KernelRegistry.Compile(key, function), constants, output, function.ResultTypes.Select(t => t.Weak).ToArray(), function);
            }
            _cache[key] = entry;
            return entry;
        }
    }

    /// <summary>
    /// A call inside another trace (a nested <c>Jit</c>, JAX's <c>pjit</c> in a jaxpr): emits a <c>call</c> whose region
    /// is the function traced for the arguments' signature, and whose operands are the arguments followed by what
    /// the trace captured. A trace that captured only concrete arrays is kept per signature; one that captured values
    /// of enclosing traces is traced again next time (those values belong to the trace they came from).
    /// </summary>
    private object CallInTrace(object?[] args, Flattened flat)
    {
        var key = new ExecutableKey(Name, flat.Leaves.Select(t => t.Aval).ToArray(), Jax.Config.EnableX64, Device.Descriptor, flat.Statics, flat.Structure);
        if (!_nested.TryGetValue(key, out var traced))
        {
            traced = TraceFor(key, args, flat);
            if (traced.Constants.All(c => !c.IsTracer)) _nested.TryAdd(key, traced);
        }
        var region = new FunctionCloner().CloneBlock(traced.Function.Body);
        var results = Dispatch.Bind(Prims.Call, [.. flat.Leaves, .. traced.Constants], Attributes.Of(("callee", Name)), [region]);
        return traced.Output.Unflatten(results)!;
    }

    /// <summary>The signatures being traced on this thread: tracing one again inside itself would never end.</summary>
    [ThreadStatic] private static HashSet<(JitFunction, ExecutableKey)>? _tracing;

    /// <summary>Traces the function for a key, under the key's x64 setting, and simplifies the IR.</summary>
    private (Function Function, Tensor[] Constants, TreeDef Output) TraceFor(ExecutableKey key, object?[] args, Flattened flat)
    {
        var tracing = _tracing ??= [];
        if (!tracing.Add((this, key)))
            throw new NestingDepthException(
                $"jit({Name}) is called while it is being traced for the same arguments ({key}): the trace would never end " +
                "(a function that calls itself under Jit? give the recursion a base case that does not depend on traced values)");
        try
        {
            return TraceAndSimplify(key, args, flat);
        }
        finally
        {
            tracing.Remove((this, key));
        }
    }

    private (Function Function, Tensor[] Constants, TreeDef Output) TraceAndSimplify(ExecutableKey key, object?[] args, Flattened flat)
    {
        TreeDef? output = null;
        Tensor[] Flat(Tensor[] leaves)
        {
            var (outs, def) = PyTree.Flatten(_f(Rebuild(args, flat.Trees, leaves)));
            output = def;
            return outs.ToArray();
        }
        using var x64 = Jax.Config.X64Scope(key.X64);
        var traced = FunctionCalls.Trace(Name, Flat, key.InputTypes);
        return (Pipelines.Simplify(traced.Function), traced.Captured.ToArray(), output!);
    }

    private static object Run(Entry entry, Tensor[] leaves, bool[] donatedLeaves)
    {
        var arrays = new DeviceArray[leaves.Length + entry.Constants.Length];
        for (int i = 0; i < leaves.Length; i++) arrays[i] = leaves[i].DeviceArray;
        for (int i = 0; i < entry.Constants.Length; i++) arrays[leaves.Length + i] = entry.Constants[i].DeviceArray;
        var donated = Donations(arrays, donatedLeaves);
        var results = Execution.Run(entry.Executable, arrays, donated);
        if (donated is not null)
            for (int i = 0; i < leaves.Length; i++)
                if (donated[i]) arrays[i].MarkDonated();
        var tensors = new Tensor[results.Length];
        for (int i = 0; i < tensors.Length; i++) tensors[i] = new Tensor(results[i], entry.ResultWeak[i]);
        // A precompiled kernel describes no result tree: one result is returned as it is, several as an array.
        return entry.Output is { } tree ? tree.Unflatten(tensors)! : tensors.Length == 1 ? tensors[0] : tensors;
    }

    /// <summary>
    /// The donation mask over all arguments, or null when nothing is donated. An array passed again in a position
    /// that is not donated (or as a closed-over constant) is not donated: the call still reads it there.
    /// </summary>
    private static bool[]? Donations(DeviceArray[] arrays, bool[] donatedLeaves)
    {
        if (!donatedLeaves.Any(d => d)) return null;
        var kept = new HashSet<DeviceArray>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < arrays.Length; i++)
            if (i >= donatedLeaves.Length || !donatedLeaves[i]) kept.Add(arrays[i]);
        var mask = new bool[arrays.Length];
        var seen = new HashSet<DeviceArray>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < donatedLeaves.Length; i++)
            mask[i] = donatedLeaves[i] && !kept.Contains(arrays[i]) && seen.Add(arrays[i]);
        return mask;
    }

    /// <summary>
    /// Traces the function ahead of time for abstract arguments: at each dynamic position a <see cref="ShapedType"/>
    /// (one array of that type, whose dims may be symbolic), an <see cref="Aot.AbstractTree"/> (a tree of them) or a C# number (a weakly typed scalar, as at run time); at
    /// static positions the value. Returns the simplified IR, the key a call with such arguments builds (so a manifest
    /// kernel written from it serves that call), the arrays the function closed over (parameters after the inputs),
    /// and the donated parameters.
    /// </summary>
    public (Function Function, ExecutableKey Key, Tensor[] Constants, int[] DonatedParameters) TraceAbstract(object?[] args, bool x64)
    {
        if (args.Length < _static.Length)
            throw new ArgumentException($"jit({Name}): static_argnums/donate_argnums name argument {_static.Length - 1}, but there are {args.Length} arguments");
        var avals = new List<ShapedType>();
        var donated = new List<int>();
        var trees = new TreeDef?[args.Length];
        var statics = new List<object?>();
        var structure = new List<string>();
        using (Jax.Config.X64Scope(x64))
        {
            for (int i = 0; i < args.Length; i++)
            {
                if (IsStatic(i))
                {
                    statics.Add(StaticKeyPart(args[i]));
                    structure.Add("static");
                    continue;
                }
                if (args[i] is Aot.AbstractTree tree)
                {
                    var (placeholders, def) = PyTree.Flatten(tree.Template);
                    if (placeholders.Count != tree.Leaves.Count)
                        throw new ArgumentException($"jit({Name}): argument {i} has {placeholders.Count} leaves but {tree.Leaves.Count} types");
                    if (IsDonated(i)) donated.AddRange(Enumerable.Range(avals.Count, tree.Leaves.Count));
                    avals.AddRange(tree.Leaves);
                    trees[i] = def;
                    structure.Add(def.ToString());
                    continue;
                }
                var aval = args[i] is ShapedType t ? t : ((Tensor)AsTree(args[i], i)).Aval;
                if (IsDonated(i)) donated.Add(avals.Count);
                avals.Add(aval);
                trees[i] = TreeDef.Leaf;
                structure.Add(TreeDef.Leaf.ToString());
            }
        }
        var key = new ExecutableKey(Name, avals, x64, Device.Descriptor, statics, string.Join(",", structure));
        var flat = new Flattened([], [], trees, statics.ToArray(), key.InputStructure);
        var (function, constants, _) = TraceFor(key, args, flat);
        return (function, key, constants, donated.ToArray());
    }

    /// <summary>
    /// The traced, simplified IR for arguments like <paramref name="args"/> (tracing if that signature is not cached), and
    /// the positions of its donated parameters.
    /// </summary>
    public (Function Function, int[] DonatedParameters) Lower(object?[] args)
    {
        var flat = Flatten(args);
        if (flat.Leaves.Any(t => t.IsTracer)) throw new InvalidOperationException($"jit({Name}).Lower needs concrete arguments, not tracers");
        bool x64 = Jax.Config.EnableX64;
        var key = new ExecutableKey(Name, flat.Leaves.Select(t => t.Aval).ToArray(), x64, Device.Descriptor, flat.Statics, flat.Structure);
        var function = _cache.TryGetValue(key, out var entry) && entry.Traced is { } cached ? cached : TraceFor(key, args, flat).Function;
        return (function, Enumerable.Range(0, flat.Donated.Length).Where(i => flat.Donated[i]).ToArray());
    }
}

/// <summary>Every live jitted function, so <see cref="Jax.ClearCaches"/> can empty their caches.</summary>
internal static class JitCaches
{
    private static readonly ConditionalWeakTable<JitFunction, object> Live = [];

    public static void Track(JitFunction f) => Live.AddOrUpdate(f, f);

    public static void ClearAll()
    {
        foreach (var (f, _) in Live) f.ClearCache();
    }
}
