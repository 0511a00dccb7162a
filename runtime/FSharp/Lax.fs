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

    /// <summary>
    /// <c>jax.lax.conv_general_dilated</c> with padding by name (<c>"VALID"</c>, <c>"SAME"</c>, <c>"SAME_LOWER"</c>);
    /// <paramref name="dimensionNumbers"/> as JAX's layout strings, such as <c>("NHWC", "HWIO", "NHWC")</c> (default NCHW / OIHW / NCHW).
    /// </summary>
    static member convGeneralDilated(lhs: Tensor, rhs: Tensor, windowStrides: int[], padding: string, ?lhsDilation: int[], ?rhsDilation: int[],
                                     ?dimensionNumbers: string * string * string, ?featureGroupCount: int, ?batchGroupCount: int, ?preferredElementType: DType) : Tensor =
        Lax.ConvGeneralDilated(lhs, rhs, windowStrides, padding, Option.toObj lhsDilation, Option.toObj rhsDilation, lax.Layouts dimensionNumbers,
                               defaultArg featureGroupCount 1, defaultArg batchGroupCount 1, Option.toNullable preferredElementType)

    /// <summary><c>jax.lax.conv_general_dilated</c> with explicit <c>(low, high)</c> padding per spatial dimension.</summary>
    static member convGeneralDilated(lhs: Tensor, rhs: Tensor, windowStrides: int[], padding: (int * int)[], ?lhsDilation: int[], ?rhsDilation: int[],
                                     ?dimensionNumbers: string * string * string, ?featureGroupCount: int, ?batchGroupCount: int, ?preferredElementType: DType) : Tensor =
        Lax.ConvGeneralDilated(lhs, rhs, windowStrides, lax.Pairs padding, Option.toObj lhsDilation, Option.toObj rhsDilation, lax.Layouts dimensionNumbers,
                               defaultArg featureGroupCount 1, defaultArg batchGroupCount 1, Option.toNullable preferredElementType)

    /// <summary><c>jax.lax.conv</c>: NCHW input, OIHW kernel, padding by name.</summary>
    static member conv(lhs: Tensor, rhs: Tensor, windowStrides: int[], padding: string) : Tensor = Lax.Conv(lhs, rhs, windowStrides, padding)

    /// <summary><c>jax.lax.conv_transpose</c> with padding by name (<c>"SAME"</c> or <c>"VALID"</c>); layouts default to NHWC / HWIO / NHWC.</summary>
    static member convTranspose(lhs: Tensor, rhs: Tensor, strides: int[], padding: string, ?rhsDilation: int[], ?dimensionNumbers: string * string * string,
                                ?transposeKernel: bool) : Tensor =
        Lax.ConvTranspose(lhs, rhs, strides, padding, Option.toObj rhsDilation, lax.Layouts dimensionNumbers, defaultArg transposeKernel false)

    /// <summary>
    /// <c>jax.lax.reduce_window</c> with padding by name: <c>lax.reduceWindow(x, jnp.array(-infinity), lax.max, [|1; 2; 2; 1|], [|1; 2; 2; 1|], "VALID")</c>
    /// is 2x2 max pooling of an NHWC array. A computation that is one add, multiply, max, min, and or or reduces windows at once; any other folds.
    /// </summary>
    static member reduceWindow(operand: Tensor, initValue: Tensor, computation: Tensor -> Tensor -> Tensor, windowDimensions: int[], windowStrides: int[],
                               padding: string, ?baseDilation: int[], ?windowDilation: int[]) : Tensor =
        Lax.ReduceWindow(operand, initValue, Func<Tensor, Tensor, Tensor>(fun a b -> computation a b), windowDimensions, windowStrides, padding,
                         Option.toObj baseDilation, Option.toObj windowDilation)

    /// <summary><c>jax.lax.reduce_window</c> with explicit <c>(low, high)</c> padding per dimension.</summary>
    static member reduceWindow(operand: Tensor, initValue: Tensor, computation: Tensor -> Tensor -> Tensor, windowDimensions: int[], windowStrides: int[],
                               padding: (int * int)[], ?baseDilation: int[], ?windowDilation: int[]) : Tensor =
        Lax.ReduceWindow(operand, initValue, Func<Tensor, Tensor, Tensor>(fun a b -> computation a b), windowDimensions, windowStrides, lax.Pairs padding,
                         Option.toObj baseDilation, Option.toObj windowDilation)

    /// <summary><c>jax.lax.add</c> as a curried F# function (a reduce_window computation).</summary>
    static member add (x: Tensor) (y: Tensor) : Tensor = Lax.Add(x, y)

    /// <summary><c>jax.lax.max</c> as a curried F# function (a reduce_window computation).</summary>
    static member max (x: Tensor) (y: Tensor) : Tensor = Lax.Max(x, y)

    /// <summary><c>jax.lax.min</c> as a curried F# function (a reduce_window computation).</summary>
    static member min (x: Tensor) (y: Tensor) : Tensor = Lax.Min(x, y)

    static member private Layouts(layouts: (string * string * string) option) : ConvDimensionNumbers =
        match layouts with
        | Some (l, r, o) -> ConvDimensionNumbers.FromLayouts(l, r, o)
        | None -> null

    static member private Pairs(padding: (int * int)[]) : Collections.Generic.IReadOnlyList<struct (int * int)> =
        padding |> Array.map (fun (lo, hi) -> struct (lo, hi)) :> _
