using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>Flattens a function of trees into one of flat leaves; the output structure is recorded on each call.</summary>
    private sealed class FlatFunction<TIn, TOut>(Func<TIn, TOut> f, TreeDef input)
    {
        public TreeDef? Output { get; private set; }

        public Tensor[] Call(Tensor[] leaves)
        {
            var (outLeaves, def) = PyTree.Flatten(f((TIn)input.Unflatten(leaves)!));
            Output = def;
            return outLeaves.ToArray();
        }

        public TOut Rebuild(IReadOnlyList<Tensor> leaves) => (TOut)Output!.Unflatten(leaves)!;
    }

    /// <summary>Several tree arguments flattened into one list of leaves, and how to split and rebuild them.</summary>
    private sealed class FlatArguments
    {
        public FlatArguments(object?[] args)
        {
            Structures = new TreeDef[args.Length];
            Starts = new int[args.Length];
            var leaves = new List<Tensor>();
            for (int i = 0; i < args.Length; i++)
            {
                var (l, def) = PyTree.Flatten(args[i]);
                Starts[i] = leaves.Count;
                Structures[i] = def;
                leaves.AddRange(l);
            }
            Leaves = leaves.ToArray();
        }

        public Tensor[] Leaves { get; }

        public TreeDef[] Structures { get; }

        public int[] Starts { get; }

        /// <summary>The positions in <see cref="Leaves"/> of the leaves of the arguments <paramref name="argnums"/>.</summary>
        public int[] LeafPositions(IEnumerable<int> argnums) =>
            argnums.SelectMany(a => Enumerable.Range(Starts[a], Structures[a].LeafCount)).ToArray();

        /// <summary>Every argument rebuilt from a full list of leaves.</summary>
        public object?[] Rebuild(Tensor[] leaves) =>
            Structures.Select((def, i) => def.Unflatten(leaves[Starts[i]..(Starts[i] + def.LeafCount)])).ToArray();

        /// <summary>The trees of the arguments <paramref name="argnums"/> from their leaves, in that order.</summary>
        public object?[] Split(IReadOnlyList<Tensor> leaves, IReadOnlyList<int> argnums)
        {
            var trees = new object?[argnums.Count];
            int next = 0;
            for (int k = 0; k < argnums.Count; k++)
            {
                int n = Structures[argnums[k]].LeafCount;
                trees[k] = Structures[argnums[k]].Unflatten(leaves.Skip(next).Take(n).ToArray());
                next += n;
            }
            return trees;
        }
    }

    private static int[] CheckArgnums(string name, int arity, params int[] argnums)
    {
        foreach (var a in argnums)
            if (a < 0 || a >= arity)
                throw new ArgumentOutOfRangeException(nameof(argnums), $"{name}: argnums {a} is out of range for a function of {arity} arguments");
        if (argnums.Distinct().Count() != argnums.Length)
            throw new ArgumentException($"{name}: argnums ({string.Join(", ", argnums)}) repeats an argument", nameof(argnums));
        return argnums;
    }

    /// <summary>
    /// The value and the gradients of a scalar function of several tree arguments with respect to the arguments
    /// <paramref name="argnums"/> (each gradient has its argument's structure; the other arguments are constants).
    /// </summary>
    private static (Tensor Value, object?[] Gradients) ValueAndGradTrees(Func<object?[], Tensor> f, object?[] args, int[] argnums)
    {
        var flat = new FlatArguments(args);
        var (outs, pullback) = VjpFlat("grad", leaves => [f(flat.Rebuild(leaves))], flat.Leaves, flat.LeafPositions(argnums));
        var y = ScalarOutput("grad", outs[0]);
        return (y, flat.Split(pullback([Jnp.OnesLike(y, y.DType)]), argnums));
    }

    /// <summary>The value and gradient of a scalar function of a tree (the gradient has the input's structure).</summary>
    public static Func<T, (Tensor Value, T Gradient)> ValueAndGrad<T>(Func<T, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return tree =>
        {
            var (v, g) = ValueAndGradTrees(a => f((T)a[0]!), [tree], [0]);
            return (v, (T)g[0]!);
        };
    }

    /// <summary>
    /// The value and gradient with respect to the first argument (a tree, such as a model's parameters) of a scalar
    /// function of that tree and an array (a batch); write <c>Jax.ValueAndGrad&lt;P&gt;(Loss)</c> for a method group.
    /// </summary>
    public static Func<T, Tensor, (Tensor Value, T Gradient)> ValueAndGrad<T>(Func<T, Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return (tree, x) =>
        {
            var (v, g) = ValueAndGradTrees(a => f((T)a[0]!, (Tensor)a[1]!), [tree, x], [0]);
            return (v, (T)g[0]!);
        };
    }

    /// <summary>
    /// The value and gradient with respect to the first argument (a tree) of a scalar function of that tree and two
    /// arrays (inputs and targets); write <c>Jax.ValueAndGrad&lt;P&gt;(Loss)</c> for a method group.
    /// </summary>
    public static Func<T, Tensor, Tensor, (Tensor Value, T Gradient)> ValueAndGrad<T>(Func<T, Tensor, Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return (tree, x, y) =>
        {
            var (v, g) = ValueAndGradTrees(a => f((T)a[0]!, (Tensor)a[1]!, (Tensor)a[2]!), [tree, x, y], [0]);
            return (v, (T)g[0]!);
        };
    }

    /// <summary>
    /// The value and gradient of a scalar function of two trees with respect to argument <paramref name="argnums"/>
    /// (0 or 1): <typeparamref name="TGrad"/> is that argument's type, e.g.
    /// <c>Jax.ValueAndGrad&lt;Params, Batch, Batch&gt;(Loss, argnums: 1)</c>.
    /// </summary>
    public static Func<T1, T2, (Tensor Value, TGrad Gradient)> ValueAndGrad<T1, T2, TGrad>(Func<T1, T2, Tensor> f, int argnums)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckArgnums("grad", 2, argnums);
        var argType = argnums == 0 ? typeof(T1) : typeof(T2);
        if (argType != typeof(TGrad))
            throw new ArgumentException($"grad: argument {argnums} is a {PyTree.TypeName(argType)}, so its gradient is one too, not a {PyTree.TypeName(typeof(TGrad))}", nameof(argnums));
        return (a, b) =>
        {
            var (v, g) = ValueAndGradTrees(x => f((T1)x[0]!, (T2)x[1]!), [a, b], [argnums]);
            return (v, (TGrad)g[0]!);
        };
    }

    /// <summary>The value and the gradients of a scalar function of two trees with respect to both (<c>argnums=(0, 1)</c>).</summary>
    public static Func<T1, T2, (Tensor Value, (T1, T2) Gradients)> ValueAndGrad<T1, T2>(Func<T1, T2, Tensor> f, (int, int) argnums)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (argnums != (0, 1))
            throw new ArgumentException($"grad: argnums {argnums} of a function of two trees must be (0, 1) (gradients in argument order)", nameof(argnums));
        return (a, b) =>
        {
            var (v, g) = ValueAndGradTrees(x => f((T1)x[0]!, (T2)x[1]!), [a, b], [0, 1]);
            return (v, ((T1)g[0]!, (T2)g[1]!));
        };
    }

    /// <summary>
    /// The gradient of a scalar function of a tree of arrays (parameters as tuples, arrays, lists, dictionaries,
    /// <see cref="PyTreeAttribute"/> records or <see cref="IPyTree"/> types): the result has the same structure.
    /// For a method group write <c>Jax.Grad&lt;P&gt;(Loss)</c>.
    /// </summary>
    public static Func<T, T> Grad<T>(Func<T, Tensor> f)
    {
        var vg = ValueAndGrad(f);
        return tree => vg(tree).Gradient;
    }

    /// <summary>The gradient with respect to the first argument (a tree) of a scalar function of that tree and an array.</summary>
    public static Func<T, Tensor, T> Grad<T>(Func<T, Tensor, Tensor> f)
    {
        var vg = ValueAndGrad(f);
        return (tree, x) => vg(tree, x).Gradient;
    }

    /// <summary>
    /// The gradient with respect to the first argument (a tree) of a scalar function of that tree and two arrays, as
    /// <c>jax.grad(loss)(params, inputs, targets)</c>; for a method group write <c>Jax.Grad&lt;P&gt;(Loss)</c>.
    /// </summary>
    public static Func<T, Tensor, Tensor, T> Grad<T>(Func<T, Tensor, Tensor, Tensor> f)
    {
        var vg = ValueAndGrad(f);
        return (tree, x, y) => vg(tree, x, y).Gradient;
    }

    /// <summary>
    /// The gradient of a scalar function of two trees with respect to argument <paramref name="argnums"/> (0 or 1);
    /// <typeparamref name="TGrad"/> is that argument's type.
    /// </summary>
    public static Func<T1, T2, TGrad> Grad<T1, T2, TGrad>(Func<T1, T2, Tensor> f, int argnums)
    {
        var vg = ValueAndGrad<T1, T2, TGrad>(f, argnums);
        return (a, b) => vg(a, b).Gradient;
    }

    /// <summary>The gradients of a scalar function of two trees with respect to both (<c>argnums=(0, 1)</c>).</summary>
    public static Func<T1, T2, (T1, T2)> Grad<T1, T2>(Func<T1, T2, Tensor> f, (int, int) argnums)
    {
        ArgumentNullException.ThrowIfNull(f);
        var vg = ValueAndGrad(f, argnums);
        return (a, b) => vg(a, b).Gradients;
    }

    /// <summary>
    /// The gradient of a function returning a scalar and auxiliary data of any tree structure (<c>has_aux=True</c>).
    /// </summary>
    public static Func<T, (T Gradient, TAux Aux)> GradWithAux<T, TAux>(Func<T, (Tensor Value, TAux Aux)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return tree =>
    {
        var (leaves, def) = PyTree.Flatten(tree);
        TreeDef? auxDef = null;
        var (outs, pullback) = VjpFlat("grad", args =>
        {
            var (v, aux) = f((T)def.Unflatten(args)!);
            var (auxLeaves, d) = PyTree.Flatten(aux);
            auxDef = d;
            return [v, .. auxLeaves];
        }, leaves.ToArray(), Enumerable.Range(0, leaves.Count).ToArray());
        var y = ScalarOutput("grad", outs[0]);
        var cts = outs.Select((o, i) => i == 0 ? Jnp.OnesLike(y, y.DType) : Jnp.ZerosLike(o, o.DType.IsFloat() ? o.DType : Jax.Config.DefaultFloat)).ToArray();
        var grads = pullback(cts);
        return ((T)def.Unflatten(grads)!, (TAux)auxDef!.Unflatten(outs.Skip(1).ToArray())!);
    };
    }

    /// <summary>Reverse mode over trees: the outputs and a pullback from output cotangents (same structure) to input cotangents.</summary>
    public static (TOut Outputs, Func<TOut, TIn> Pullback) Vjp<TIn, TOut>(Func<TIn, TOut> f, TIn primals)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (leaves, def) = PyTree.Flatten(primals);
        var flat = new FlatFunction<TIn, TOut>(f, def);
        var (outs, pullback) = VjpFlat("vjp", flat.Call, leaves.ToArray(), Enumerable.Range(0, leaves.Count).ToArray());
        return (flat.Rebuild(outs), cts => (TIn)def.Unflatten(pullback(Tree.SameStructure("vjp", flat.Output!, cts, "the cotangent").ToArray()))!);
    }

    /// <summary>
    /// Reverse mode over a function of two trees (<c>jax.vjp(f, a, b)</c>): the outputs and a pullback from output
    /// cotangents to the cotangents of both arguments.
    /// </summary>
    public static (TOut Outputs, Func<TOut, (T1, T2)> Pullback) Vjp<T1, T2, TOut>(Func<T1, T2, TOut> f, T1 primal1, T2 primal2)
    {
        ArgumentNullException.ThrowIfNull(f);
        var args = new FlatArguments([primal1, primal2]);
        TreeDef? outDef = null;
        var (outs, pullback) = VjpFlat("vjp", leaves =>
        {
            var a = args.Rebuild(leaves);
            var (l, d) = PyTree.Flatten(f((T1)a[0]!, (T2)a[1]!));
            outDef = d;
            return l.ToArray();
        }, args.Leaves, Enumerable.Range(0, args.Leaves.Length).ToArray());
        return ((TOut)outDef!.Unflatten(outs)!, cts =>
        {
            var g = args.Split(pullback(Tree.SameStructure("vjp", outDef, cts, "the cotangent").ToArray()), [0, 1]);
            return ((T1)g[0]!, (T2)g[1]!);
        }
        );
    }

    /// <summary>Forward mode over trees: the outputs and their tangents along <paramref name="tangents"/> (the primals' structure).</summary>
    public static (TOut Outputs, TOut Tangents) Jvp<TIn, TOut>(Func<TIn, TOut> f, TIn primals, TIn tangents)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (leaves, def) = PyTree.Flatten(primals);
        var flat = new FlatFunction<TIn, TOut>(f, def);
        var (outs, dots) = Jvp(flat.Call, leaves.ToArray(), Tree.SameStructure("jvp", def, tangents, "the tangent").ToArray());
        return (flat.Rebuild(outs), flat.Rebuild(dots));
    }

    /// <summary>Vectorising map over trees: every leaf of the input is mapped along <paramref name="inAxis"/>, every output leaf gets the mapped axis at <paramref name="outAxis"/>.</summary>
    public static Func<TIn, TOut> Vmap<TIn, TOut>(Func<TIn, TOut> f, int inAxis = 0, int outAxis = 0) => Vmap(f, (object)inAxis, outAxis);

    /// <summary>
    /// Vectorising map over a tree with an axis per leaf (<c>in_axes</c> as a tree prefix): <paramref name="inAxes"/> is an
    /// int or null (not mapped) for the whole argument, or a tuple, list or array with one entry per child of the
    /// argument's node (in order; a dictionary by key), each again an int, null or such a node. Every output leaf gets
    /// the mapped axis at <paramref name="outAxis"/>.
    /// </summary>
    public static Func<TIn, TOut> Vmap<TIn, TOut>(Func<TIn, TOut> f, object? inAxes, int outAxis = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        return tree =>
        {
            var (leaves, def) = PyTree.Flatten(tree);
            var axes = new List<int?>();
            AxesFor(inAxes, def, axes, inAxes);
            var flat = new FlatFunction<TIn, TOut>(f, def);
            var outs = VmapFlat(flat.Call, axes.ToArray(), n => Enumerable.Repeat((int?)outAxis, n).ToArray())(leaves.ToArray());
            return flat.Rebuild(outs);
        };
    }

    /// <summary>
    /// Vectorising map of a function of two trees, with <c>in_axes</c> per argument (each as in
    /// <see cref="Vmap{TIn, TOut}(Func{TIn, TOut}, object?, int)"/>: an int, null, or a tree prefix of the argument).
    /// </summary>
    public static Func<T1, T2, TOut> Vmap<T1, T2, TOut>(Func<T1, T2, TOut> f, (object? First, object? Second) inAxes, int outAxis = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        return (a, b) =>
        {
            var args = new FlatArguments([a, b]);
            var axes = new List<int?>();
            AxesFor(inAxes.First, args.Structures[0], axes, inAxes.First);
            AxesFor(inAxes.Second, args.Structures[1], axes, inAxes.Second);
            TreeDef? outDef = null;
            var outs = VmapFlat(leaves =>
            {
                var t = args.Rebuild(leaves);
                var (l, d) = PyTree.Flatten(f((T1)t[0]!, (T2)t[1]!));
                outDef = d;
                return l.ToArray();
            }, axes.ToArray(), n => Enumerable.Repeat((int?)outAxis, n).ToArray())(args.Leaves);
            return (TOut)outDef!.Unflatten(outs)!;
        };
    }

    /// <summary>The mapped axis of each leaf of a tree of structure <paramref name="def"/> from an in_axes tree prefix.</summary>
    private static void AxesFor(object? spec, TreeDef def, List<int?> axes, object? whole)
    {
        switch (spec)
        {
            case null:
                axes.AddRange(Enumerable.Repeat((int?)null, def.LeafCount));
                return;
            case int axis:
                axes.AddRange(Enumerable.Repeat((int?)axis, def.LeafCount));
                return;
            case long axis:
                axes.AddRange(Enumerable.Repeat((int?)checked((int)axis), def.LeafCount));
                return;
        }
        if (def.IsLeaf || def.IsNone)
            throw new ArgumentException($"vmap: in_axes {Describe(whole)} is not a prefix of the argument's structure: it has a node where the argument has {def}");
        IReadOnlyList<object?> children;
        if (spec is System.Collections.IDictionary dict)
        {
            if (def.Aux is not string[] keys)
                throw new ArgumentException($"vmap: in_axes {Describe(whole)} has a dictionary where the argument's structure has {def}");
            children = keys.Select(k => dict.Contains(k) ? dict[k]
                : throw new ArgumentException($"vmap: in_axes {Describe(whole)} has no entry '{k}' for the argument's {def}")).ToArray();
        }
        else
        {
            children = PyTree.Node(spec)?.Children
                ?? throw new ArgumentException($"vmap: in_axes {Describe(whole)} holds a {PyTree.TypeName(spec.GetType())}: use an int, null, or a tuple, list, array or dictionary of them");
        }
        if (children.Count != def.Children.Count)
            throw new ArgumentException($"vmap: in_axes {Describe(whole)} does not match the argument's structure {def}: {children.Count} axes for {def.Children.Count} children");
        for (int i = 0; i < children.Count; i++) AxesFor(children[i], def.Children[i], axes, whole);
    }

    private static string Describe(object? spec) => spec switch
    {
        null => "null",
        string s => s,
        System.Collections.IEnumerable items => "(" + string.Join(", ", items.Cast<object?>().Select(Describe)) + ")",
        System.Runtime.CompilerServices.ITuple t => "(" + string.Join(", ", Enumerable.Range(0, t.Length).Select(i => Describe(t[i]))) + ")",
        _ => spec.ToString() ?? "",
    };
}
