using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// JAX's function transformations: <c>jit</c>, <c>grad</c>, <c>vjp</c>, <c>jvp</c>, <c>vmap</c>, ... Each traces the
/// user's function to IR, applies an IR → IR pass, and runs the result (or, inside another trace, inlines it).
/// <c>Jit</c> traces once per input signature (dtypes, shapes, weak types, x64) and runs the cached IR.
/// </summary>
public static partial class Jax
{
    /// <summary>
    /// Compiles <paramref name="f"/> (<c>jax.jit</c>): the first call with a new signature traces it to IR, later
    /// calls with that signature run the cached IR. Inside another trace it is a <c>call</c> of its traced body.
    /// </summary>
    public static Func<Tensor[], Tensor[]> Jit(Func<Tensor[], Tensor[]> f, string? name = null)
    {
        var cache = new Dictionary<string, Function>();
        var gate = new object();
        name ??= f.Method.Name;
        return args =>
        {
            if (Trace.Current is not null || args.Any(a => a.IsTracer)) return FunctionCalls.EmitCall(name, f, args);
            var types = args.Select(a => a.Aval).ToArray();
            // The trace depends on x64 too (literal and default dtypes), as JAX's cache key does.
            var key = $"x64={Jax.Config.EnableX64}:" + string.Join(",", types.Select(t => t.ToString()));
            Function function;
            lock (gate)
            {
                if (!cache.TryGetValue(key, out function!))
                {
                    function = FunctionCalls.Trace(name, f, types).Function;
                    cache[key] = function;
                }
            }
            return FunctionCalls.Call(function, args);
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
        IrPrinter.Print(FunctionCalls.Trace(name, f, args.Select(a => a.Aval).ToArray()).Function);
}
