// The JAX notebook's steps in F#, with the F# surface (Jax.FSharp): jnp/jax/lax/random read as in Python, operators
// take F# numbers (weakly typed: x * 2.0 keeps float32), F# tuples and records are pytrees. The functions marked
// [<Jit>] are compiled at dotnet build into native kernels beside this program and run here without tracing
// (JAX_PRECOMPILED_ONLY=1 makes a call that would trace an error).
module FSharpApp.Program

open System
open JaxToolchain
open JaxToolchain.FSharp

/// selu(x) = lmbda * where(x > 0, x, alpha * exp(x) - alpha), for float32 vectors of any length.
[<Jit("f32[n]")>]
let selu (x: Tensor) =
    let alpha, lmbda = 1.67, 1.05
    lmbda * jnp.where(x .> 0.0, x, alpha * jnp.exp x - alpha)

/// sum(1 / (1 + exp(-x))): not compiled itself, used by the kernels below.
let sumLogistic (x: Tensor) = jnp.sum(1.0 / (1.0 + jnp.exp -x))

/// grad(sum_logistic), for float32 vectors of any length.
[<Jit("f32[n]")>]
let sumLogisticGrad (x: Tensor) = jax.grad sumLogistic x

/// A curried function of two arrays: the notebook's apply_matrix, batched by hand.
[<Jit("f32[m,k]", "f32[b,k]")>]
let manualBatch (mat: Tensor) (batch: Tensor) = jnp.dot(batch, mat.T)

/// The same with vmap (a static batch size of 10).
[<Jit("f32[m,k]", "f32[10,k]")>]
let vmapBatch (mat: Tensor) (batch: Tensor) = jax.vmap (fun (v: Tensor) -> jnp.dot(mat, v)) batch

/// An F# list of arrays (one kernel per length: here 3).
[<Jit("[f32[n], f32[n], f32[n]]")>]
let sumOfSquares (xs: Tensor list) = xs |> List.map jnp.square |> List.reduce (+)

/// A linear model's parameters: an F# record is a pytree.
type Linear = { W: Tensor; B: Tensor }

/// A record argument (its fields in order in the signature) and an F# tuple result: the loss and its gradient.
[<Jit("(f32[3,1], f32[1])", "f32[n,3]", "f32[n,1]")>]
let lossAndGrad (p: Linear) (x: Tensor) (y: Tensor) =
    let loss (q: Linear) = jnp.mean(jnp.square(jnp.dot(x, q.W) + q.B - y))
    let value, g = jax.valueAndGrad loss p
    value, g.W

[<EntryPoint>]
let main _ =
    let step (title: string) = Console.WriteLine $"\n=== {title} ==="

    step "1. jnp.zeros(10)"
    Console.WriteLine(jnp.zeros 10)

    step "2. random.normal(random.PRNGKey(0), (10,))"
    let key = random.PRNGKey 0L
    Console.WriteLine(random.normal(key, [| 10 |]))

    step "5. selu, precompiled"
    let x = random.normal(key, [| 1_000_000 |])
    Console.WriteLine(selu (jnp.linspace(-2.0, 2.0, 5)))
    Console.WriteLine $"selu on 1,000,000 floats: mean {selu x |> jnp.mean}"

    step "6. grad(sum_logistic)"
    let xSmall = jnp.arange 5.0
    Console.WriteLine(sumLogisticGrad xSmall)
    Console.WriteLine $"the same, eager: {jax.grad sumLogistic xSmall}"

    step "8. grad(jit(grad(jit(grad(sum_logistic)))))(1.0)"
    Console.WriteLine(jax.grad (jax.jit (jax.grad (jax.jit (jax.grad sumLogistic)))) (asTensor 1.0))

    step "9. hessian"
    let f (v: Tensor) = jnp.sum(jnp.tanh v * jnp.tanh v)
    Console.WriteLine(jax.hessian f (jnp.array [| 0.5; -1.0; 2.0 |]))

    step "11. batching: manual and vmap, precompiled"
    let mat = random.normal(key, [| 150; 100 |])
    let batched = random.normal(random.foldIn(key, 1u), [| 10; 100 |])
    let manual, vmapped = manualBatch mat batched, vmapBatch mat batched
    Console.WriteLine $"manual == vmap: {jnp.allclose(manual, vmapped, rtol = 1e-4, atol = 1e-4)}"

    step "an F# list through a [<Jit>] function"
    Console.WriteLine(sumOfSquares [ jnp.arange 3.0; jnp.ones 3; jnp.zeros 3 ])

    step "an F# record and tuple through a [<Jit>] function"
    let p = { W = jnp.ones [| 3; 1 |]; B = jnp.zeros [| 1 |] }
    let xs = random.normal(key, [| 8; 3 |])
    let loss, gradW = lossAndGrad p xs (jnp.sum(xs, axis = 1, keepdims = true))
    Console.WriteLine $"loss {loss}, dloss/dW {gradW.Reshape(-1L)}"
    0
