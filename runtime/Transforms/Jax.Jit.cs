using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// JAX's function transformations (<c>jax.jit</c>, and with the transformations issue <c>grad</c>, <c>vmap</c>,
/// ...). Functions are traced to IR once per input signature (dtypes, shapes, weak types) and the IR is run.
/// </summary>
public static partial class Jax
{
    /// <summary>
    /// Traces <paramref name="f"/> on abstract arguments into an IR function (JAX's <c>make_jaxpr</c>'s core).
    /// Returns the function and the weak-type flags of its results.
    /// </summary>
    internal static Function TraceToFunction(string name, Func<Tensor[], Tensor[]> f, IReadOnlyList<ShapedType> argumentTypes)
    {
        var trace = Trace.Begin(name);
        try
        {
            var args = argumentTypes.Select(t => new Tensor(trace, trace.AddParameter(t))).ToArray();
            var outs = f(args);
            var values = outs.Select(o => Dispatch.Lift(trace, o)).ToArray();
            if (trace.Captures.Count > 0)
                throw new InvalidOperationException($"@{name} closes over values of an enclosing trace; call it inside that trace instead");
            return trace.Finish(values);
        }
        catch
        {
            trace.Abandon();
            throw;
        }
    }

    /// <summary>
    /// Compiles <paramref name="f"/> (<c>jax.jit</c>): the first call with a new signature traces it to IR, later
    /// calls with that signature run the cached IR. Inside another trace the function is traced inline.
    /// </summary>
    public static Func<Tensor[], Tensor[]> Jit(Func<Tensor[], Tensor[]> f, string? name = null)
    {
        var cache = new Dictionary<string, Function>();
        var gate = new object();
        name ??= f.Method.Name;
        return args =>
        {
            if (Trace.Current is not null || args.Any(a => a.IsTracer)) return f(args);
            var types = args.Select(a => a.Aval).ToArray();
            // The trace depends on x64 too (literal and default dtypes), as JAX's cache key does.
            var key = $"x64={Jax.Config.EnableX64}:" + string.Join(",", types.Select(t => t.ToString()));
            Function function;
            lock (gate)
            {
                if (!cache.TryGetValue(key, out function!))
                {
                    function = TraceToFunction(name, f, types);
                    cache[key] = function;
                }
            }
            var results = Interpreter.Run(function, args.Select(a => a.Buffer).ToArray());
            return results.Select((b, i) => new Tensor(b, function.ResultTypes[i].Weak)).ToArray();
        };
    }

    /// <summary>Compiles a function of one array.</summary>
    public static Func<Tensor, Tensor> Jit(Func<Tensor, Tensor> f)
    {
        var jitted = Jit(args => [f(args[0])], f.Method.Name);
        return x => jitted([x])[0];
    }

    /// <summary>Compiles a function of two arrays.</summary>
    public static Func<Tensor, Tensor, Tensor> Jit(Func<Tensor, Tensor, Tensor> f)
    {
        var jitted = Jit(args => [f(args[0], args[1])], f.Method.Name);
        return (x, y) => jitted([x, y])[0];
    }

    /// <summary>The IR a function traces to on arguments like <paramref name="args"/> (JAX's <c>make_jaxpr</c>), as text.</summary>
    public static string MakeJaxpr(Func<Tensor[], Tensor[]> f, params Tensor[] args) => Jaxpr(f.Method.Name, f, args);

    /// <summary>The IR text of a function of one array (the function named after <paramref name="f"/>).</summary>
    public static string MakeJaxpr(Func<Tensor, Tensor> f, Tensor x) => Jaxpr(f.Method.Name, args => [f(args[0])], [x]);

    private static string Jaxpr(string name, Func<Tensor[], Tensor[]> f, Tensor[] args) =>
        IrPrinter.Print(TraceToFunction(name, f, args.Select(a => a.Aval).ToArray()));
}
