namespace JaxToolchain.Ir;

/// <summary>
/// A trace being recorded into an IR function (JAX's <c>DynamicJaxprTrace</c>). Traces nest: while tracing a
/// function, another function can be traced inside it (a <c>Grad</c> or <c>Jit</c> of an inner function). A value
/// of an enclosing trace used inside an inner one is captured: it becomes an extra parameter of the inner
/// function, listed in <see cref="Trace.Captures"/> so the caller can pass the outer value along. A concrete array the
/// function closes over is captured the same way (JAX's <c>constvars</c>): it becomes a parameter, and the caller
/// passes the array, so its values never become part of the IR (nor of a compiled kernel).
/// </summary>
/// <param name="Outer">The captured value of an enclosing trace, or null for a constant.</param>
/// <param name="Constant">The captured concrete array (the runtime's own object), or null for a value of an enclosing trace.</param>
/// <param name="Inner">The parameter standing for it in this trace's function.</param>
public readonly record struct TraceCapture(Value? Outer, object? Constant, Value Inner);

/// <summary>
/// A trace being recorded into an IR function (JAX's <c>DynamicJaxprTrace</c>). Traces nest: while tracing a
/// function, another function can be traced inside it; values of enclosing traces and concrete arrays it uses
/// become trailing parameters (<see cref="Captures"/>), see <see cref="TraceCapture"/>.
/// </summary>
public sealed class Trace
{
    [ThreadStatic] private static Trace? _current;

    private readonly Dictionary<Value, Value> _captured = new(ReferenceEqualityComparer.Instance);
    private readonly List<TraceCapture> _captures = [];
    private readonly Dictionary<object, Value> _constants = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Value> _own = new(ReferenceEqualityComparer.Instance);
    private int _explicitParameters;

    /// <summary>How many traces may nest (a trace begun inside one that is this deep is refused).</summary>
    public const int MaxDepth = 1000;

    private const string SelfCallHint = "traces within traces, or a function that calls itself while it is traced: a function that calls itself under Jit?";

    /// <summary>
    /// The innermost active trace on this thread, or null when running eagerly. While tracing, asking for it when
    /// the thread's stack is nearly exhausted throws <see cref="NestingDepthException"/>: tracing code asks for it at
    /// every operation, so unbounded recursion while tracing (a function that calls itself under <c>Jit</c>) ends
    /// with that exception rather than a stack overflow.
    /// </summary>
    public static Trace? Current
    {
        get
        {
            var current = _current;
            if (current is not null) NestingDepthException.EnsureStack("tracing", SelfCallHint);
            return current;
        }
    }

    /// <summary>The enclosing trace (active when this one began), or null.</summary>
    public Trace? Parent { get; }

    /// <summary>Nesting depth: 1 for an outermost trace.</summary>
    public int Level { get; }

    /// <summary>The function being recorded.</summary>
    public Function Function { get; }

    /// <summary>The builder appending to the function's body.</summary>
    public IrBuilder Builder { get; }

    /// <summary>True once <see cref="Finish"/> ran; values of a finished trace must not be used again.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Values of enclosing traces and concrete arrays captured as extra trailing parameters, in parameter order.</summary>
    public IReadOnlyList<TraceCapture> Captures => _captures;

    private Trace(string name, Trace? parent)
    {
        Parent = parent;
        Level = (parent?.Level ?? 0) + 1;
        Function = new Function(name, new Block(Array.Empty<ShapedType>()));
        Builder = new IrBuilder(Function.Body);
    }

    /// <summary>
    /// Begins a trace nested in the current one and makes it current. Throws <see cref="NestingDepthException"/>
    /// when that would nest more than <see cref="MaxDepth"/> traces, or when the thread's stack is nearly exhausted.
    /// </summary>
    public static Trace Begin(string name)
    {
        if (_current is { Level: >= MaxDepth })
            throw new NestingDepthException($"tracing @{name} would nest more than {MaxDepth} traces: the trace depth limit was exceeded ({SelfCallHint})");
        NestingDepthException.EnsureStack("tracing", SelfCallHint);
        var t = new Trace(name, _current);
        _current = t;
        return t;
    }

    /// <summary>Adds an explicit parameter (before any captures).</summary>
    public Value AddParameter(ShapedType type)
    {
        if (_captures.Count > 0) throw new InvalidOperationException("parameters must be added before values are captured");
        var v = Function.Body.AddArgument(type);
        _own.Add(v);
        _explicitParameters++;
        return v;
    }

    /// <summary>The number of parameters added with <see cref="AddParameter"/> (captures follow them).</summary>
    public int ExplicitParameterCount => _explicitParameters;

    /// <summary>True when a value belongs to this trace's function (not to an enclosing one).</summary>
    public bool Owns(Value value) => _own.Contains(value);

    /// <summary>
    /// Resolves a value for use in this trace: its own values as they are; a value of an enclosing trace is
    /// captured as a parameter (once). A value of a finished trace or an unrelated one is an error
    /// (JAX's escaped-tracer error).
    /// </summary>
    public Value Resolve(Value value, Trace owner)
    {
        if (ReferenceEquals(owner, this)) return value;
        if (owner.IsFinished)
            throw new InvalidOperationException($"a traced value of the finished trace @{owner.Function.Name} was used after tracing ended (an escaped tracer)");
        if (_captured.TryGetValue(value, out var inner)) return inner;
        if (Parent is null || !IsEnclosedBy(owner))
            throw new InvalidOperationException($"a traced value of @{owner.Function.Name} was used inside @{Function.Name}, which it does not enclose");
        NestingDepthException.EnsureStack("tracing", SelfCallHint);
        var outer = Parent.Resolve(value, owner);
        inner = Function.Body.AddArgument(value.Type);
        _own.Add(inner);
        _captured[value] = inner;
        _captures.Add(new TraceCapture(outer, null, inner));
        return inner;
    }

    /// <summary>
    /// The parameter standing for a concrete array of type <paramref name="type"/> that the function closes over
    /// (<paramref name="constant"/>, identified by reference: capturing it twice gives one parameter).
    /// </summary>
    public Value CaptureConstant(object constant, ShapedType type)
    {
        if (_constants.TryGetValue(constant, out var inner)) return inner;
        inner = Function.Body.AddArgument(type);
        _own.Add(inner);
        _constants[constant] = inner;
        _captures.Add(new TraceCapture(null, constant, inner));
        return inner;
    }

    private bool IsEnclosedBy(Trace t)
    {
        for (var p = Parent; p is not null; p = p.Parent)
            if (ReferenceEquals(p, t)) return true;
        return false;
    }

    /// <summary>Emits an operation into this trace.</summary>
    public IReadOnlyList<Value> Emit(Primitive primitive, IReadOnlyList<Value> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null)
    {
        var results = Builder.Emit(primitive, operands, attributes, regions);
        foreach (var r in results) _own.Add(r);
        return results;
    }

    /// <summary>Sets the function's results, ends the trace and restores the enclosing one as current.</summary>
    public Function Finish(IEnumerable<Value> results)
    {
        if (!ReferenceEquals(_current, this)) throw new InvalidOperationException("traces must finish innermost first");
        Function.Body.SetResults(results);
        IsFinished = true;
        _current = Parent;
        return Function;
    }

    /// <summary>Ends the trace without results (on an exception) and restores the enclosing one.</summary>
    public void Abandon()
    {
        IsFinished = true;
        if (ReferenceEquals(_current, this)) _current = Parent;
    }
}
