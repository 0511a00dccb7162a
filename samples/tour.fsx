// The tour (JAX's quickstart notebook, ../../shared/tour.md) as an F# script, eager and under runtime jit:
//
//     eng/tour-fsi.sh    packs Jax.FSharp, Jax.Runtime and Jax.Runtime.Jit into a local feed (artifacts/feed) and
//                        runs this script with dotnet fsi beside a nuget.config naming that feed
//
// Where the packages are in a feed NuGet knows, `dotnet fsi samples/tour.fsx` runs it as it is; in an interactive
// `dotnet fsi` session, send the lines one by one. The packages are the highest 0.1.0 prerelease of the feed.
#r "nuget: Jax.FSharp, 0.1.0-*"
#r "nuget: Jax.Runtime.Jit, 0.1.0-*"

open System
open System.Diagnostics
open JaxToolchain
open JaxToolchain.FSharp

// In FSI, arrays print as JAX prints them: Jax.FSharp registers the printer on its first use.

// Jitted functions compile through LLVM 19 in process (Jax.Runtime.Jit); without libLLVM the interpreter runs them.
printfn "kernels: %s" (match JaxJit.Enable() with true -> "compiled by LLVM" | false -> "interpreted (no libLLVM 19)")

let step (title: string) = printfn "\n=== %s ===" title

/// The median of a few runs, waiting for the results (as the notebook's %timeit with block_until_ready).
let time (repeats: int) (f: unit -> Tensor) =
    f () |> jax.blockUntilReady |> ignore
    let times =
        [ for _ in 1 .. repeats ->
            let sw = Stopwatch.StartNew()
            f () |> jax.blockUntilReady |> ignore
            sw.Elapsed.TotalMilliseconds ]
        |> List.sort
    sprintf "%.2f ms (median of %d)" times.[repeats / 2] repeats

step "1. jnp.zeros(10)"
printfn "%O" (jnp.zeros 10)

step "2. key = random.PRNGKey(0); random.normal(key, (10,))"
let key = random.PRNGKey 0L
printfn "%O" (random.normal(key, [| 10 |]))

step "3. jnp.dot(x, x.T) of a 3000x3000 float32 matrix"
let size = 3000
let x = random.normal(key, [| size; size |], DType.Float32)
printfn "jnp.dot(x, x.T): %s" (time 3 (fun () -> jnp.dot(x, x.T)))

step "4. after device_put"
let onDevice = Jax.DevicePut x
printfn "on %O: %s" onDevice.Device (time 3 (fun () -> jnp.dot(onDevice, onDevice.T)))

step "5. selu on 10,000,000 floats"
let selu (x: Tensor) =
    let alpha, lmbda = 1.67, 1.05
    lmbda * jnp.where(x .> 0.0, x, alpha * jnp.exp x - alpha)
let big = random.normal(key, [| 10_000_000 |])
printfn "eager: %s" (time 5 (fun () -> selu big))
let seluJit = jax.jit selu
printfn "jax.jit: %s" (time 5 (fun () -> seluJit big))

step "6. x64, sum_logistic and grad"
Jax.Config.Update("jax_enable_x64", true)
let sumLogistic (x: Tensor) = jnp.sum(1.0 / (1.0 + jnp.exp -x))
let xSmall = jnp.arange 100.0
printfn "x_small[:5] = %O" xSmall.[..4]   // F# slices include their end
let derivativeFn = jax.grad sumLogistic
printfn "%O" (derivativeFn xSmall)
printfn "grad, eager: %s" (time 5 (fun () -> derivativeFn xSmall))
let derivativeJit = jax.jit derivativeFn
printfn "jit(grad): %s" (time 5 (fun () -> derivativeJit xSmall))

step "7. finite differences of sum_logistic"
let firstFiniteDifferences (f: Tensor -> Tensor) (x: Tensor) =
    let eps = 1e-6
    let eye = jnp.eye(int x.Size)
    jnp.stack [ for i in 0 .. int x.Size - 1 -> (f (x + eps * eye.[i]) - f (x - eps * eye.[i])) / (2.0 * eps) ]
let fd = firstFiniteDifferences sumLogistic xSmall
printfn "%O" fd
printfn "max |fd - grad| = %O" (jnp.max(jnp.abs(fd - derivativeFn xSmall)))

step "8. grad(jit(grad(jit(grad(sum_logistic)))))(1.0)"
printfn "%O" (jax.grad (jax.jit (jax.grad (jax.jit (jax.grad sumLogistic)))) (asTensor 1.0))

step "9. hessian = jit(jacfwd(jacrev(fun)))"
let hessian f = jax.jit (jax.jacfwd (jax.jacrev f))
let fn (v: Tensor) = jnp.sum(jnp.tanh v * jnp.tanh v * jnp.flipud v)
printfn "%O" (hessian fn (jnp.array [| 0.5; -1.0; 2.0 |]))

step "10. broadcasting, dot and stack"
let A = random.normal(key, [| 4; 4 |])
let xa, ya = jnp.arange 4, jnp.arange 4
let z = jnp.stack([ xa; ya ], axis = 1)
printfn "x = %O\nA = %O\ndot(A, x) = %O\nA * x = %O\nz = %O\ndot(A, z) = %O\nA @ z = %O"
    xa A (jnp.dot(A, xa)) (A * xa) z (jnp.dot(A, z)) (jnp.matmul(A, z))

step "11. batching: naive, manual, vmap"
let mat = random.normal(key, [| 150; 100 |])
let batched = random.normal(key, [| 10; 100 |])
let applyMatrix (v: Tensor) = jnp.dot(mat, v)
let naiveBatched (vs: Tensor) = jnp.stack [ for i in 0 .. int (vs.ShapeAt 0) - 1 -> applyMatrix vs.[i] ]
let manual = jax.jit (fun (vs: Tensor) -> jnp.dot(vs, mat.T))
let vmapped = jax.jit (jax.vmap applyMatrix)
printfn "naive:  %s" (time 5 (fun () -> naiveBatched batched))
printfn "manual: %s" (time 5 (fun () -> manual batched))
printfn "vmap:   %s" (time 5 (fun () -> vmapped batched))
printfn "naive == manual: %O, naive == vmap: %O"
    (jnp.allclose(naiveBatched batched, manual batched, rtol = 1e-4, atol = 1e-4))
    (jnp.allclose(naiveBatched batched, vmapped batched, rtol = 1e-4, atol = 1e-4))
