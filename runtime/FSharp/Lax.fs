namespace JaxToolchain.FSharp

open System
open JaxToolchain

/// <summary>
/// <c>jax.lax</c>'s control flow for F#: the bodies are F# functions over trees (tensors, F# tuples, records, lists,
/// maps, options of them), traced once into a loop or branch of the program. Forwards to the runtime's <c>Lax</c>.
/// </summary>
[<AbstractClass; Sealed>]
type lax =
    /// <summary>
    /// <c>jax.lax.scan(f, init, xs)</c>: <c>f carry x</c> returns the next carry and this step's output; the result is
    /// the final carry and the outputs stacked along a new leading axis. <paramref name="xs"/> is scanned along its
    /// leading axis (every leaf of a tree).
    /// </summary>
    static member scan(f: 'C -> 'X -> 'C * 'Y, init: 'C, xs: 'X, ?reverse: bool) : 'C * 'Y =
        Trees.install ()
        let step = Func<'C, 'X, struct ('C * 'Y)>(fun c x -> let c', y = f c x in struct (c', y))
        let struct (carry, ys) = Lax.Scan<'C, 'X, 'Y>(step, init, xs, defaultArg reverse false)
        carry, ys

    /// <summary><c>jax.lax.scan(f, init, None, length)</c>: <paramref name="length"/> steps with no input.</summary>
    static member scan(f: 'C -> 'C * 'Y, init: 'C, length: int, ?reverse: bool) : 'C * 'Y =
        Trees.install ()
        let step = Func<'C, obj, struct ('C * 'Y)>(fun c _ -> let c', y = f c in struct (c', y))
        let struct (carry, ys) = Lax.Scan<'C, obj, 'Y>(step, init, null, length, defaultArg reverse false)
        carry, ys

    /// <summary><c>jax.lax.cond(pred, true_fun, false_fun, operand)</c>: one branch runs, chosen by a scalar bool.</summary>
    static member cond(pred: Tensor, onTrue: 'T -> 'U, onFalse: 'T -> 'U, operand: 'T) : 'U =
        Trees.install ()
        Lax.Cond<'T, 'U>(pred, Func<'T, 'U> onTrue, Func<'T, 'U> onFalse, operand)

    /// <summary><c>jax.lax.while_loop(cond_fun, body_fun, init_val)</c>.</summary>
    static member whileLoop(cond: 'T -> Tensor, body: 'T -> 'T, init: 'T) : 'T =
        Trees.install ()
        Lax.WhileLoop<'T>(Func<'T, Tensor> cond, Func<'T, 'T> body, init)

    /// <summary><c>jax.lax.fori_loop(lower, upper, body_fun, init_val)</c>: <c>body i value</c> for i from lower to upper - 1.</summary>
    static member foriLoop(lower: int, upper: int, body: Tensor -> 'T -> 'T, init: 'T) : 'T =
        Trees.install ()
        Lax.ForiLoop<'T>(lower, upper, Func<Tensor, 'T, 'T>(fun i v -> body i v), init)

    /// <summary><c>jax.lax.map(f, xs)</c>: <paramref name="f"/> over the leading axis, sequentially (a scan).</summary>
    static member map(f: Tensor -> Tensor, xs: Tensor) : Tensor = Lax.Map(Func<Tensor, Tensor> f, xs)

    /// <summary><c>jax.lax.switch(index, branches, operand)</c>: the branch of the clamped index runs.</summary>
    static member switch(index: Tensor, branches: (Tensor -> Tensor) list, operand: Tensor) : Tensor =
        let flat = branches |> List.map (fun b -> Func<Tensor[], Tensor[]>(fun args -> [| b args.[0] |])) |> List.toArray
        (Lax.Switch(index, flat, operand)).[0]
