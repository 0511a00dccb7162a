namespace JaxToolchain.FSharp

open System
open Microsoft.FSharp.Reflection
open JaxToolchain

/// <summary>Helpers shared by the transformations over F# functions.</summary>
module internal Adapt =
    /// <summary>An in_axes specification in F# terms as the runtime reads it: <c>None</c> is null (not mapped),
    /// <c>Some axis</c> the axis, tuples, lists and arrays nodes of such specifications.</summary>
    let rec inAxes (spec: obj) : obj =
        match spec with
        | null -> null
        | :? int as axis -> box axis
        | :? int64 as axis -> box (int axis)
        | :? option<int> as axis -> box axis.Value
        | :? option<obj> as axis -> inAxes axis.Value
        | :? System.Collections.IDictionary -> spec
        | :? System.Runtime.CompilerServices.ITuple as items -> box [| for i in 0 .. items.Length - 1 -> inAxes items.[i] |]
        | :? System.Collections.IEnumerable as items -> box (items |> Seq.cast<obj> |> Seq.map inAxes |> Seq.toArray)
        | _ -> spec

    /// <summary>Why a curried F# function cannot be jitted or vmapped here.</summary>
    let private noDynamicCode () =
        NotSupportedException(
            "jax.jit/jax.vmap of a curried F# function build F# functions by reflection, which NativeAOT does not have: "
            + "use a tupled function (fun (x, y) -> ...), or mark the function [<Jit>] to have it precompiled")

    /// <summary>
    /// For a result type that is itself an F# function (the rest of a curried function), how to apply it; None for
    /// any other type. Applying and making F# functions of a type known at run time needs reflection, so under
    /// NativeAOT a curried function is a <c>NotSupportedException</c> naming the alternatives.
    /// </summary>
    let curried<'U> () : (obj -> obj -> obj) option =
        let t = typeof<'U>
        if not (t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<obj -> obj>) then None
        elif not System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported then raise (noDynamicCode ())
        else
            let invoke = t.GetMethod "Invoke"
            Some(fun (fn: obj) (arg: obj) -> invoke.Invoke(fn, [| arg |]))

    /// <summary>An F# function of type <typeparamref name="U"/> (a function type) from an untyped implementation.</summary>
    let makeFunction<'U> (impl: obj -> obj) : 'U =
        if System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported then FSharpValue.MakeFunction(typeof<'U>, impl) :?> 'U
        else raise (noDynamicCode ())

    /// <summary>The kernel name of an F# function value: its closure's <c>Invoke</c>, as the runtime names a delegate's method.</summary>
    let nameOf (f: obj) : string =
        if not System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported then raise (noDynamicCode ())
        let invoke = f.GetType().GetMethods() |> Array.find (fun m -> m.Name = "Invoke" && m.GetParameters().Length = 1)
        KernelNames.For invoke

/// <summary>
/// JAX's transformations over F# functions (<c>jax.grad</c>, <c>jax.jit</c>, <c>jax.vmap</c>, ...): they take and
/// return F# functions. A function of one argument may take any tree (a tensor, an F# tuple, record, list, map, option
/// of them); a tupled function <c>fun (w, b) -&gt; ...</c> takes one tuple, so its gradient is a tuple (JAX's
/// <c>argnums=(0, 1)</c>). Curried functions of two arguments are differentiated with respect to the first unless
/// <c>argnums</c> says otherwise. Every member forwards to the runtime's <c>Jax</c>.
/// </summary>
[<Sealed>]
type jax private () =
    static do Interactive.install ()

    /// <summary><c>jax.grad(f)</c>: the gradient of a scalar function of a tree, with the input's structure.</summary>
    static member grad(f: 'T -> Tensor) : 'T -> 'T =
        Trees.install ()
        let g = Jax.Grad<'T>(Func<'T, Tensor> f)
        fun x -> g.Invoke x

    /// <summary><c>jax.grad(f)</c> of a curried function of two trees: the gradient with respect to the first.</summary>
    static member grad(f: 'A -> 'B -> Tensor) : 'A -> 'B -> 'A =
        Trees.install ()
        let g = Jax.Grad<'A, 'B, 'A>(Func<'A, 'B, Tensor>(fun a b -> f a b), 0)
        fun a b -> g.Invoke(a, b)

    /// <summary><c>jax.grad(f, argnums=(0, 1))</c> of a curried function of two trees: both gradients.</summary>
    static member grad(f: 'A -> 'B -> Tensor, argnums: int * int) : 'A -> 'B -> 'A * 'B =
        Trees.install ()
        let g = Jax.Grad<'A, 'B>(Func<'A, 'B, Tensor>(fun a b -> f a b), struct (fst argnums, snd argnums))
        fun a b -> let struct (ga, gb) = g.Invoke(a, b) in ga, gb

    /// <summary>
    /// <c>jax.grad(f, argnums=i)</c> of a curried function of two trees: the gradient with respect to argument
    /// <paramref name="argnums"/> (0 or 1), whose type <c>'G</c> is that argument's (annotate it:
    /// <c>let dfdy: Tensor -&gt; Tensor -&gt; Tensor = jax.grad(f, argnums = 1)</c>).
    /// </summary>
    static member grad(f: 'A -> 'B -> Tensor, argnums: int) : 'A -> 'B -> 'G =
        Trees.install ()
        let g = Jax.Grad<'A, 'B, 'G>(Func<'A, 'B, Tensor>(fun a b -> f a b), argnums)
        fun a b -> g.Invoke(a, b)

    /// <summary><c>jax.value_and_grad(f)</c>: the value and the gradient of a scalar function of a tree.</summary>
    static member valueAndGrad(f: 'T -> Tensor) : 'T -> Tensor * 'T =
        Trees.install ()
        let g = Jax.ValueAndGrad<'T>(Func<'T, Tensor> f)
        fun x -> let struct (v, d) = g.Invoke x in v, d

    /// <summary><c>jax.value_and_grad(f)</c> of a curried function of two trees, with respect to the first.</summary>
    static member valueAndGrad(f: 'A -> 'B -> Tensor) : 'A -> 'B -> Tensor * 'A =
        Trees.install ()
        let g = Jax.ValueAndGrad<'A, 'B, 'A>(Func<'A, 'B, Tensor>(fun a b -> f a b), 0)
        fun a b -> let struct (v, d) = g.Invoke(a, b) in v, d

    /// <summary><c>jax.value_and_grad(f, argnums=i)</c> of a curried function of two trees (see <c>grad</c> with <c>argnums</c>).</summary>
    static member valueAndGrad(f: 'A -> 'B -> Tensor, argnums: int) : 'A -> 'B -> Tensor * 'G =
        Trees.install ()
        let g = Jax.ValueAndGrad<'A, 'B, 'G>(Func<'A, 'B, Tensor>(fun a b -> f a b), argnums)
        fun a b -> let struct (v, d) = g.Invoke(a, b) in v, d

    /// <summary><c>jax.jacfwd(f)</c>: the Jacobian by forward mode (shape: output's then input's).</summary>
    static member jacfwd(f: Tensor -> Tensor) : Tensor -> Tensor =
        let j = Jax.JacFwd(Func<Tensor, Tensor> f)
        fun x -> j.Invoke x

    /// <summary><c>jax.jacrev(f)</c>: the Jacobian by reverse mode.</summary>
    static member jacrev(f: Tensor -> Tensor) : Tensor -> Tensor =
        let j = Jax.JacRev(Func<Tensor, Tensor> f)
        fun x -> j.Invoke x

    /// <summary><c>jax.hessian(f)</c>: the Hessian of a scalar function (<c>jacfwd(jacrev(f))</c>).</summary>
    static member hessian(f: Tensor -> Tensor) : Tensor -> Tensor =
        let h = Jax.Hessian(Func<Tensor, Tensor> f)
        fun x -> h.Invoke x

    /// <summary><c>jax.jvp(f, primals, tangents)</c>: the output and its directional derivative, for a function of a tree.</summary>
    static member jvp(f: 'T -> 'U, primals: 'T, tangents: 'T) : 'U * 'U =
        Trees.install ()
        let struct (y, t) = Jax.Jvp<'T, 'U>(Func<'T, 'U> f, primals, tangents)
        y, t

    /// <summary><c>jax.vjp(f, primals)</c>: the output and the pullback of cotangents of the output's structure.</summary>
    static member vjp(f: 'T -> 'U, primals: 'T) : 'U * ('U -> 'T) =
        Trees.install ()
        let struct (y, pullback) = Jax.Vjp<'T, 'U>(Func<'T, 'U> f, primals)
        y, (fun ct -> pullback.Invoke ct)

    /// <summary>
    /// <c>jax.jit(f)</c>: <paramref name="f"/> traced once per input signature (shapes, dtypes, tree structure) and run
    /// as a compiled executable (with <c>Jax.Runtime.Jit</c> enabled; else interpreted). Arguments and results are
    /// trees; F# numbers are weakly typed scalars. A curried function of two arguments (<c>fun x y -&gt; ...</c>) is
    /// jitted over both (not under NativeAOT: a <c>NotSupportedException</c>); a tupled one over its tuple.
    /// </summary>
    static member jit(f: 'T -> 'U) : 'T -> 'U =
        Trees.install ()
        match Adapt.curried<'U> () with
        | Some invoke ->
            let options = JitOptions(Name = Adapt.nameOf f)
            let j = Jax.Jit<'T, obj, obj>(Func<'T, obj, obj>(fun a b -> invoke (box (f a)) b), options)
            fun a -> Adapt.makeFunction<'U> (fun b -> j.Invoke(a, b))
        | None ->
            let j = Jax.Jit<'T, 'U>(Func<'T, 'U> f)
            fun x -> j.Invoke x

    /// <summary>
    /// <c>jax.vmap(f, in_axes=0, out_axes=0)</c>: <paramref name="f"/> mapped over an axis of its input. <c>inAxes</c>
    /// is an int, <c>None</c> (not mapped), or a tuple/list/array prefix of the input's structure of such entries:
    /// <c>jax.vmap(f, inAxes = (0, None))</c> for a tupled function mapping its first argument only. For a curried
    /// function of two arguments <c>inAxes</c> is a pair, one entry per argument (default: both mapped along 0; not
    /// under NativeAOT: a <c>NotSupportedException</c>).
    /// </summary>
    static member vmap(f: 'T -> 'U, ?inAxes: obj, ?outAxes: int) : 'T -> 'U =
        Trees.install ()
        let outAxis = defaultArg outAxes 0
        match Adapt.curried<'U> () with
        | Some invoke ->
            let first, second =
                match inAxes with
                | None -> box 0, box 0
                | Some(:? System.Runtime.CompilerServices.ITuple as items) when items.Length = 2 ->
                    Adapt.inAxes items.[0], Adapt.inAxes items.[1]
                | Some spec -> let axes = Adapt.inAxes spec in axes, axes
            let v = Jax.Vmap<'T, obj, obj>(Func<'T, obj, obj>(fun a b -> invoke (box (f a)) b), struct (first, second), outAxis)
            fun a -> Adapt.makeFunction<'U> (fun b -> v.Invoke(a, b))
        | None ->
            let spec = match inAxes with Some spec -> Adapt.inAxes spec | None -> box 0
            let v = Jax.Vmap<'T, 'U>(Func<'T, 'U> f, spec, outAxis)
            fun x -> v.Invoke x

    /// <summary><c>jax.lax.stop_gradient(x)</c>.</summary>
    static member stopGradient(x: Tensor) : Tensor = Jax.StopGradient x

    /// <summary><c>jax.devices()</c>: the CPU and the usable Vulkan devices.</summary>
    static member devices() : Device list = Jax.Devices() |> List.ofSeq

    /// <summary><c>x.block_until_ready()</c>: waits for every array of a tree, and returns the tree.</summary>
    static member blockUntilReady(tree: 'T) : 'T =
        Trees.install ()
        for leaf in PyTree.Leaves(box tree) do leaf.BlockUntilReady() |> ignore
        tree
