using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// The StableHLO MLIR text of <paramref name="f"/> traced on arguments like <paramref name="args"/> and
    /// simplified: what JAX's <c>jax.jit(f).lower(*args).as_text()</c> prints, a <c>module @jit_NAME</c> whose
    /// <c>func.func public @main</c> takes the arguments (their shapes and dtypes; weak types become concrete) and
    /// returns the results. XLA, IREE and <c>stablehlo-opt</c> read it. Arrays the function closes over are baked in as
    /// <c>dense</c> constants, as JAX does. Transformed functions export as well: <c>Jax.Export(Jax.Grad(f), x)</c>,
    /// <c>Jax.Vmap</c>, <c>Lax</c> loops and conditionals, <c>Jax.Random</c> sampling (threefry as integer operations).
    /// </summary>
    /// <exception cref="NotSupportedException">The function uses an operation StableHLO export does not support (see
    /// <see cref="StableHloExporter.UnsupportedPrimitives"/>).</exception>
    public static string Export(Func<Tensor[], Tensor[]> f, params Tensor[] args)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(args);
        return ExportTraced(KernelNames.For(f), f, args);
    }

    /// <summary>The StableHLO MLIR text of a function of one array (see <see cref="Export(Func{Tensor[], Tensor[]}, Tensor[])"/>).</summary>
    public static string Export(Func<Tensor, Tensor> f, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        return ExportTraced(KernelNames.For(f), a => [f(a[0])], [x]);
    }

    /// <summary>The StableHLO MLIR text of a function of two arrays (see <see cref="Export(Func{Tensor[], Tensor[]}, Tensor[])"/>).</summary>
    public static string Export(Func<Tensor, Tensor, Tensor> f, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return ExportTraced(KernelNames.For(f), a => [f(a[0], a[1])], [x, y]);
    }

    /// <summary>
    /// The StableHLO MLIR text of a function of a tree of arrays returning a tree (see
    /// <see cref="Export(Func{Tensor[], Tensor[]}, Tensor[])"/>): <c>@main</c> takes the leaves of
    /// <paramref name="x"/> in tree order and returns the leaves of the result.
    /// </summary>
    public static string Export<TIn, TOut>(Func<TIn, TOut> f, TIn x) where TIn : notnull where TOut : notnull
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var (leaves, structure) = PyTree.Flatten(x);
        return ExportTraced(KernelNames.For(f), a => [.. PyTree.Leaves(f((TIn)structure.Unflatten(a)!))], [.. leaves]);
    }

    private static string ExportTraced(string name, Func<Tensor[], Tensor[]> f, Tensor[] args)
    {
        for (int i = 0; i < args.Length; i++)
            if (args[i] is null) throw new ArgumentNullException(nameof(args), $"argument {i} is null");
        var traced = FunctionCalls.Trace(name, f, args.Select(a => a.Aval).ToArray());
        // Closed-over concrete arrays are trailing parameters of the traced function: bake them in as constants.
        var values = new Buffer?[traced.Function.Parameters.Count];
        for (int i = 0; i < traced.Captured.Count; i++)
        {
            var captured = traced.Captured[i];
            if (captured.IsTracer)
                throw new InvalidOperationException($"Jax.Export of {name}: the function closes over a value of an enclosing trace; export it outside of transformations");
            values[traced.ExplicitParameters + i] = captured.Buffer;
        }
        var simplified = Pipelines.Simplify(traced.Function);
        if (simplified.Parameters.Count != values.Length)
            throw new InvalidOperationException($"Jax.Export of {name}: simplification changed the parameters");
        return StableHloExporter.Export(simplified, new StableHloExportOptions { ParameterValues = values });
    }
}
