// A minimal F# consumer: a let-bound function marked [<Jit>] is compiled at dotnet build and runs precompiled.
// The weaving is IL rewriting, so it does not care which language compiled the method. (F#'s idiomatic surface,
// with scalar operators and F# pytrees, is a later step; here the runtime's API is used as it is.)
module FSharpApp.Program

open JaxToolchain

let private scalar (value: float) : Tensor = Tensor.op_Implicit value

/// selu(x) = 1.05 * where(x > 0, x, 1.67 * exp(x) - 1.67), precompiled for float32 vectors of any length.
[<Jit("f32[n]")>]
let selu (x: Tensor) : Tensor =
    scalar 1.05 * Jnp.Where(Tensor.op_GreaterThan(x, scalar 0.0), x, scalar 1.67 * Jnp.Exp(x) - scalar 1.67)

/// A tupled function of two arrays.
[<Jit("f32[n]", "f32[n]")>]
let squaredDistance (x: Tensor, y: Tensor) : Tensor = Jnp.Sum((x - y) * (x - y))

[<EntryPoint>]
let main _ =
    let x = Jnp.Linspace(-2.0, 2.0, 5)
    printfn "x = %O" x
    printfn "selu x = %O" (selu x)
    printfn "squaredDistance (x, 0) = %O" (squaredDistance (x, Jnp.ZerosLike(x)))
    0
