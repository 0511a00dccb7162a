using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// Vectorising map (<c>jax.vmap</c>) over flat arguments: argument i is mapped along axis
    /// <paramref name="inAxes"/>[i] (null: not mapped, shared by every example); result j gets the mapped axis at
    /// <paramref name="outAxes"/>[j] (default 0). The function is traced once per example shape and batched as IR.
    /// </summary>
    public static Func<Tensor[], Tensor[]> Vmap(Func<Tensor[], Tensor[]> f, int?[] inAxes, int?[]? outAxes = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inAxes);
        return VmapFlat(f, inAxes, n => outAxes ?? Enumerable.Repeat((int?)0, n).ToArray());
    }

    /// <summary>Vmap of a flat function whose result axes are chosen once its number of results is known.</summary>
    private static Func<Tensor[], Tensor[]> VmapFlat(Func<Tensor[], Tensor[]> f, int?[] inAxes, Func<int, int?[]> outAxesFor) => args =>
    {
        if (args.Length != inAxes.Length)
            throw new ArgumentException($"vmap: in_axes has {inAxes.Length} entries but the function got {args.Length} arguments");
        long? size = null;
        var exampleTypes = new ShapedType[args.Length];
        var axes = new int?[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            if (inAxes[i] is not int axis)
            {
                exampleTypes[i] = args[i].Aval;
                continue;
            }
            int a = Axes.Normalize(axis, args[i].Ndim, "vmap");
            axes[i] = a;
            long n = args[i].Shape[a].Size;
            if (size is long s && s != n)
                throw new JaxTypeException("vmap", $"vmap got inconsistent sizes for the mapped axis: {s} and {n} (argument {i}: {args[i].Aval.ToLongString()}){Dispatch.At(SourceLocation.FindCaller())}");
            size = n;
            exampleTypes[i] = args[i].Aval with { Shape = new Shape(args[i].Shape.Where((_, d) => d != a)) };
        }
        if (size is null) throw new ArgumentException("vmap needs at least one mapped argument (in_axes all null)");
        var traced = FunctionCalls.Trace("vmap", f, exampleTypes);
        int results = traced.Function.ResultTypes.Count;
        var outs = outAxesFor(results);
        if (outs.Length != results) throw new ArgumentException($"vmap: out_axes has {outs.Length} entries but the function returns {results} results");
        var batched = VmapPass.Apply(traced.Function, [.. axes, .. traced.Captured.Select(_ => (int?)null)], outs, Dim.Of(size.Value));
        return FunctionCalls.Call(batched, [.. args, .. traced.Captured]);
    };

    /// <summary>Vectorising map of a function of one array along <paramref name="inAxis"/>, results mapped at <paramref name="outAxis"/>.</summary>
    public static Func<Tensor, Tensor> Vmap(Func<Tensor, Tensor> f, int inAxis = 0, int outAxis = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        var v = Vmap(args => [f(args[0])], [inAxis], [outAxis]);
        return x => v([x])[0];
    }

    /// <summary>Vectorising map of a function of two arrays (null axes: unmapped).</summary>
    public static Func<Tensor, Tensor, Tensor> Vmap(Func<Tensor, Tensor, Tensor> f, (int? X, int? Y) inAxes, int outAxis = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        var v = Vmap(args => [f(args[0], args[1])], [inAxes.X, inAxes.Y], [outAxis]);
        return (x, y) => v([x, y])[0];
    }
}
