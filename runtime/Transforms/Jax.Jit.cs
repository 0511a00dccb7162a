using System.Runtime.CompilerServices;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// JAX's function transformations: <c>jit</c>, <c>grad</c>, <c>vjp</c>, <c>jvp</c>, <c>vmap</c>, ... Each traces the
/// user's function to IR, applies an IR → IR pass, and runs the result (or, inside another trace, inlines it).
/// </summary>
public static partial class Jax
{
    private static readonly ConditionalWeakTable<Delegate, JitFunction> Jitted = [];

    /// <summary>
    /// Compiles <paramref name="f"/> (<c>jax.jit</c>) over positional arguments: each is a tree of arrays (a
    /// <see cref="Tensor"/>, arrays, lists, tuples, dictionaries, <see cref="IPyTree"/>), a C# number (a weakly typed
    /// scalar, as JAX treats Python scalars), or, at the positions in <see cref="JitOptions.StaticArgnums"/>, any value
    /// with equality. The first call with a new signature (see <see cref="ExecutableKey"/>) traces the function and
    /// compiles it; later calls run the cached executable. Returns the result tree; a kernel precompiled for the
    /// signature (<see cref="KernelRegistry"/>) returns its one result as a <see cref="Tensor"/>, several as a
    /// <see cref="Tensor"/>[] (manifests do not describe result trees yet).
    /// </summary>
    public static Func<object?[], object> Jit(Func<object?[], object> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var jit = new JitFunction(f, options?.Name ?? KernelNames.For(f), options ?? new JitOptions(), flatResults: true);
        return Register(jit.Call, jit);
    }

    /// <summary>Compiles a function of flat arrays (see <see cref="Jit(Func{object?[], object}, JitOptions?)"/>).</summary>
    public static Func<Tensor[], Tensor[]> Jit(Func<Tensor[], Tensor[]> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var jit = new JitFunction(a => f(a.Cast<Tensor>().ToArray()), options?.Name ?? KernelNames.For(f), options ?? new JitOptions(), flatResults: true);
        return Register<Func<Tensor[], Tensor[]>>(args => Leaves(jit.Call([.. args])), jit);
    }

    /// <summary>Compiles a function of one array.</summary>
    public static Func<Tensor, Tensor> Jit(Func<Tensor, Tensor> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var jit = new JitFunction(a => f((Tensor)a[0]!), options?.Name ?? KernelNames.For(f), options ?? new JitOptions(), flatResults: true);
        return Register<Func<Tensor, Tensor>>(x => Leaves(jit.Call([x]))[0], jit);
    }

    /// <summary>Compiles a function of two arrays.</summary>
    public static Func<Tensor, Tensor, Tensor> Jit(Func<Tensor, Tensor, Tensor> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var jit = new JitFunction(a => f((Tensor)a[0]!, (Tensor)a[1]!), options?.Name ?? KernelNames.For(f), options ?? new JitOptions(), flatResults: true);
        return Register<Func<Tensor, Tensor, Tensor>>((x, y) => Leaves(jit.Call([x, y]))[0], jit);
    }

    /// <summary>Compiles a function of three arrays.</summary>
    public static Func<Tensor, Tensor, Tensor, Tensor> Jit(Func<Tensor, Tensor, Tensor, Tensor> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var jit = new JitFunction(a => f((Tensor)a[0]!, (Tensor)a[1]!, (Tensor)a[2]!), options?.Name ?? KernelNames.For(f), options ?? new JitOptions(), flatResults: true);
        return Register<Func<Tensor, Tensor, Tensor, Tensor>>((x, y, z) => Leaves(jit.Call([x, y, z]))[0], jit);
    }

    /// <summary>
    /// Compiles a function of a tree of arrays to a tree of arrays (parameters as tuples, lists, arrays, dictionaries
    /// or <see cref="IPyTree"/> types); the result has the structure the function returns. A function of
    /// <c>object?[]</c> takes positional arguments, as <see cref="Jit(Func{object?[], object}, JitOptions?)"/> does
    /// (static and donated positions, numbers as weak scalars).
    /// </summary>
    public static Func<TIn, TOut> Jit<TIn, TOut>(Func<TIn, TOut> f, JitOptions? options = null) where TIn : notnull where TOut : notnull
    {
        options ??= new JitOptions();
        var name = options.Name ?? KernelNames.For(f);
        if (typeof(TIn) == typeof(object[]))
        {
            var positional = new JitFunction(a => f((TIn)(object)a), name, options, flatResults: typeof(TOut) == typeof(object));
            return Register<Func<TIn, TOut>>(x => (TOut)positional.Call((object?[])(object)x), positional);
        }
        var jit = new JitFunction(a => f((TIn)a[0]!), name, options);
        return Register<Func<TIn, TOut>>(x => (TOut)jit.Call([x]), jit);
    }

    /// <summary>
    /// Compiles a function of two trees (e.g. parameters and a batch) to a tree, as <c>jax.jit(update)(params, x)</c>:
    /// each argument is flattened, the result has the structure the function returns.
    /// </summary>
    public static Func<T1, T2, TOut> Jit<T1, T2, TOut>(Func<T1, T2, TOut> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        options ??= new JitOptions();
        var jit = new JitFunction(a => f((T1)a[0]!, (T2)a[1]!)!, options.Name ?? KernelNames.For(f), options);
        return Register<Func<T1, T2, TOut>>((x, y) => (TOut)jit.Call([x, y]), jit);
    }

    /// <summary>
    /// Compiles a function of three trees to a tree, as <c>jax.jit(update)(params, inputs, targets)</c>.
    /// </summary>
    public static Func<T1, T2, T3, TOut> Jit<T1, T2, T3, TOut>(Func<T1, T2, T3, TOut> f, JitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        options ??= new JitOptions();
        var jit = new JitFunction(a => f((T1)a[0]!, (T2)a[1]!, (T3)a[2]!)!, options.Name ?? KernelNames.For(f), options);
        return Register<Func<T1, T2, T3, TOut>>((x, y, z) => (TOut)jit.Call([x, y, z]), jit);
    }

    private static TDelegate Register<TDelegate>(TDelegate jitted, JitFunction jit) where TDelegate : Delegate
    {
        Jitted.AddOrUpdate(jitted, jit);
        return jitted;
    }

    /// <summary>The results of a call as flat arrays (a precompiled kernel returns them flat; a traced one as its tree).</summary>
    private static Tensor[] Leaves(object result) => result as Tensor[] ?? PyTree.Leaves(result).ToArray();

    /// <summary>The engine of a function returned by <c>Jit</c>, or null for any other delegate.</summary>
    internal static JitFunction? JitOf(Delegate jitted) => Jitted.TryGetValue(jitted, out var jit) ? jit : null;

    /// <summary>
    /// The lowered form of a jitted function for arguments like <paramref name="args"/> (<c>jax.jit(f).lower(x)</c>):
    /// the traced and simplified IR, fused into kernels and buffer-planned, as text and as a Graphviz graph.
    /// </summary>
    public static Lowered Lower(Delegate jitted, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var jit = JitOf(jitted) ?? throw new ArgumentException("Lower needs a function returned by Jax.Jit", nameof(jitted));
        var (function, donated) = jit.Lower(args);
        return new Lowered(jit.Name, function, donated);
    }

    /// <summary>The IR a function traces to on arguments like <paramref name="args"/> (JAX's <c>make_jaxpr</c>), simplified, as text.</summary>
    public static string MakeJaxpr(Func<Tensor[], Tensor[]> f, params Tensor[] args)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(args);
        return Jaxpr(KernelNames.For(f), f, args);
    }

    /// <summary>The IR text of a function of one array (the function named after <paramref name="f"/>).</summary>
    public static string MakeJaxpr(Func<Tensor, Tensor> f, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        return Jaxpr(KernelNames.For(f), args => [f(args[0])], [x]);
    }

    /// <summary>The IR a function traces to, as it was recorded (before simplification), as text.</summary>
    public static string MakeJaxprUnsimplified(Func<Tensor[], Tensor[]> f, params Tensor[] args)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(args);
        return IrPrinter.Print(FunctionCalls.Trace(KernelNames.For(f), f, args.Select(a => a.Aval).ToArray()).Function);
    }

    private static string Jaxpr(string name, Func<Tensor[], Tensor[]> f, Tensor[] args) =>
        IrPrinter.Print(Pipelines.Simplify(FunctionCalls.Trace(name, f, args.Select(a => a.Aval).ToArray()).Function));
}

/// <summary>
/// <c>Lower</c> on the delegates <c>Jax.Jit</c> returns, as JAX writes it: <c>Jax.Jit(f).Lower(x).AsText()</c>.
/// </summary>
public static class JitLowering
{
    /// <summary>The lowered form of a jitted function of one array.</summary>
    public static Lowered Lower(this Func<Tensor, Tensor> jitted, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(jitted);
        ArgumentNullException.ThrowIfNull(x);
        return Jax.Lower(jitted, x);
    }

    /// <summary>The lowered form of a jitted function of two arrays.</summary>
    public static Lowered Lower(this Func<Tensor, Tensor, Tensor> jitted, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(jitted);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jax.Lower(jitted, x, y);
    }

    /// <summary>The lowered form of a jitted function of flat arrays.</summary>
    public static Lowered Lower(this Func<Tensor[], Tensor[]> jitted, params Tensor[] args)
    {
        ArgumentNullException.ThrowIfNull(jitted);
        ArgumentNullException.ThrowIfNull(args);
        return Jax.Lower(jitted, [.. args]);
    }
}
