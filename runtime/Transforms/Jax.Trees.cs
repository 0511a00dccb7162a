namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>Flattens a function of trees into one of flat leaves; the output structure is recorded on each call.</summary>
    private sealed class FlatFunction<TIn, TOut>(Func<TIn, TOut> f, TreeDef input) where TIn : notnull where TOut : notnull
    {
        public TreeDef? Output { get; private set; }

        public Tensor[] Call(Tensor[] leaves)
        {
            var (outLeaves, def) = PyTree.Flatten(f((TIn)input.Unflatten(leaves)));
            Output = def;
            return outLeaves.ToArray();
        }

        public TOut Rebuild(IReadOnlyList<Tensor> leaves) => (TOut)Output!.Unflatten(leaves);
    }

    /// <summary>The value and gradient of a scalar function of a tree (the gradient has the input's structure).</summary>
    public static Func<T, (Tensor Value, T Gradient)> ValueAndGrad<T>(Func<T, Tensor> f) where T : notnull => tree =>
    {
        var (leaves, def) = PyTree.Flatten(tree);
        var (value, grads) = ValueAndGrad(args => f((T)def.Unflatten(args)), Enumerable.Range(0, leaves.Count).ToArray())(leaves.ToArray());
        return (value, (T)def.Unflatten(grads));
    };

    /// <summary>
    /// The gradient of a function returning a scalar and auxiliary data of any tree structure (<c>has_aux=True</c>).
    /// </summary>
    public static Func<T, (T Gradient, TAux Aux)> GradWithAux<T, TAux>(Func<T, (Tensor Value, TAux Aux)> f) where T : notnull where TAux : notnull => tree =>
    {
        var (leaves, def) = PyTree.Flatten(tree);
        TreeDef? auxDef = null;
        var (outs, pullback) = VjpFlat("grad", args =>
        {
            var (v, aux) = f((T)def.Unflatten(args));
            var (auxLeaves, d) = PyTree.Flatten(aux);
            auxDef = d;
            return [v, .. auxLeaves];
        }, leaves.ToArray(), Enumerable.Range(0, leaves.Count).ToArray());
        var y = ScalarOutput("grad", outs[0]);
        var cts = outs.Select((o, i) => i == 0 ? Jnp.OnesLike(y, y.DType) : Jnp.ZerosLike(o, Ir.DTypes.IsFloat(o.DType) ? o.DType : Jax.Config.DefaultFloat)).ToArray();
        var grads = pullback(cts);
        return ((T)def.Unflatten(grads), (TAux)auxDef!.Unflatten(outs.Skip(1).ToArray()));
    };

    /// <summary>Reverse mode over trees: the outputs and a pullback from output cotangents (same structure) to input cotangents.</summary>
    public static (TOut Outputs, Func<TOut, TIn> Pullback) Vjp<TIn, TOut>(Func<TIn, TOut> f, TIn primals) where TIn : notnull where TOut : notnull
    {
        var (leaves, def) = PyTree.Flatten(primals);
        var flat = new FlatFunction<TIn, TOut>(f, def);
        var (outs, pullback) = VjpFlat("vjp", flat.Call, leaves.ToArray(), Enumerable.Range(0, leaves.Count).ToArray());
        return (flat.Rebuild(outs), cts => (TIn)def.Unflatten(pullback(PyTree.Leaves(cts).ToArray())));
    }

    /// <summary>Forward mode over trees: the outputs and their tangents along <paramref name="tangents"/> (the primals' structure).</summary>
    public static (TOut Outputs, TOut Tangents) Jvp<TIn, TOut>(Func<TIn, TOut> f, TIn primals, TIn tangents) where TIn : notnull where TOut : notnull
    {
        var (leaves, def) = PyTree.Flatten(primals);
        var flat = new FlatFunction<TIn, TOut>(f, def);
        var (outs, dots) = Jvp(flat.Call, leaves.ToArray(), PyTree.Leaves(tangents).ToArray());
        return (flat.Rebuild(outs), flat.Rebuild(dots));
    }

    /// <summary>Vectorising map over trees: every leaf of the input is mapped along <paramref name="inAxis"/>, every output leaf gets the mapped axis at <paramref name="outAxis"/>.</summary>
    public static Func<TIn, TOut> Vmap<TIn, TOut>(Func<TIn, TOut> f, int inAxis = 0, int outAxis = 0) where TIn : notnull where TOut : notnull => tree =>
    {
        var (leaves, def) = PyTree.Flatten(tree);
        var flat = new FlatFunction<TIn, TOut>(f, def);
        var outs = VmapFlat(flat.Call, leaves.Select(_ => (int?)inAxis).ToArray(), n => Enumerable.Repeat((int?)outAxis, n).ToArray())(leaves.ToArray());
        return flat.Rebuild(outs);
    };
}
