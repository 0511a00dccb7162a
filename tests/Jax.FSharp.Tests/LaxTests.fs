/// lax.scan/cond/whileLoop/foriLoop/switch/map over F# functions and trees, eager and inside jax.jit.
module Jax.FSharp.Tests.LaxTests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

type Stats = { Total: Tensor; Count: Tensor }

let private cumsum (xs: Tensor) =
    lax.scan ((fun (c: Tensor) (x: Tensor) -> let c' = c + x in c', c'), jnp.array 0.0, xs)

[<Fact>]
let ``scan is a cumulative sum`` () =
    let carry, ys = cumsum (jnp.array [| 1.0f; 2.0f; 3.0f; 4.0f |])
    Check.close 0.0 [ 10.0 ] carry
    Check.close 0.0 [ 1.0; 3.0; 6.0; 10.0 ] ys
    Check.dtype DType.Float32 ys

[<Fact>]
let ``scan in reverse`` () =
    let _, ys = lax.scan ((fun (c: Tensor) (x: Tensor) -> let c' = c + x in c', c'), jnp.array 0.0, jnp.array [| 1.0f; 2.0f; 3.0f |], reverse = true)
    Check.close 0.0 [ 6.0; 5.0; 3.0 ] ys

[<Fact>]
let ``scan with a record carry`` () =
    let step (s: Stats) (x: Tensor) =
        let s' = { Total = s.Total + x; Count = s.Count + 1.0 }
        s', s'.Total / s'.Count
    let final, means = lax.scan (step, { Total = jnp.array 0.0; Count = jnp.array 0.0 }, jnp.array [| 2.0f; 4.0f; 9.0f |])
    Check.close 0.0 [ 15.0 ] final.Total
    Check.close 0.0 [ 3.0 ] final.Count
    Check.close 1e-6 [ 2.0; 3.0; 5.0 ] means

[<Fact>]
let ``scan with a length and no input`` () =
    let c, ys = lax.scan ((fun (c: Tensor) -> c * 2.0, c), jnp.array 1.0, 4)
    Check.close 0.0 [ 16.0 ] c
    Check.close 0.0 [ 1.0; 2.0; 4.0; 8.0 ] ys

[<Fact>]
let ``cond picks a branch`` () =
    let f (x: Tensor) = lax.cond (jnp.sum x .> 0.0, (fun (v: Tensor) -> v * 2.0), (fun v -> -v), x)
    Check.close 0.0 [ 2.0; 4.0 ] (f (jnp.array [| 1.0f; 2.0f |]))
    Check.close 0.0 [ 1.0; 2.0 ] (f (jnp.array [| -1.0f; -2.0f |]))
    Check.close 0.0 [ 2.0; 4.0 ] (jax.jit f (jnp.array [| 1.0f; 2.0f |]))
    Check.close 0.0 [ 1.0; 2.0 ] (jax.jit f (jnp.array [| -1.0f; -2.0f |]))

[<Fact>]
let ``whileLoop doubles until a bound`` () =
    let f (x: Tensor) = lax.whileLoop ((fun (v: Tensor) -> v .< 100.0), (fun v -> v * 2.0), x)
    Check.close 0.0 [ 128.0 ] (f (jnp.array 1.0))
    Check.close 0.0 [ 120.0 ] (f (jnp.array 15.0))
    Check.close 0.0 [ 128.0 ] (jax.jit f (jnp.array 1.0))

[<Fact>]
let ``whileLoop over a tuple`` () =
    // (i, acc): acc accumulates i while i < 5: 0 + 1 + 2 + 3 + 4 = 10
    let i, acc =
        lax.whileLoop ((fun (i: Tensor, _: Tensor) -> i .< 5), (fun (i, acc) -> i + 1, acc + i), (jnp.array (0.0, dtype = DType.Int32), jnp.array 0.0))
    Assert.Equal(5, i.Item<int>())
    Check.close 0.0 [ 10.0 ] acc

[<Fact>]
let ``foriLoop sums the indices`` () =
    let f (x: Tensor) = lax.foriLoop (0, 5, (fun i v -> v + jnp.astype (i, DType.Float32)), x)
    Check.close 0.0 [ 10.0 ] (f (jnp.array 0.0))
    Check.close 0.0 [ 11.0 ] (jax.jit f (jnp.array 1.0))

[<Fact>]
let ``switch runs the branch of the clamped index`` () =
    let branches = [ (fun (x: Tensor) -> x + 1.0); (fun x -> x * 10.0); (fun x -> -x) ]
    let x = jnp.array [| 1.0f; 2.0f |]
    let run (k: int) = lax.switch (jnp.array (float k, dtype = DType.Int32), branches, x)
    Check.close 0.0 [ 2.0; 3.0 ] (run 0)
    Check.close 0.0 [ 10.0; 20.0 ] (run 1)
    Check.close 0.0 [ -1.0; -2.0 ] (run 2)
    Check.close 0.0 [ -1.0; -2.0 ] (run 7)     // clamped to the last branch
    let j = jax.jit (fun (k: Tensor) -> lax.switch (k, branches, x))
    Check.close 0.0 [ 10.0; 20.0 ] (j (jnp.array (1.0, dtype = DType.Int32)))

[<Fact>]
let ``map applies a function along the leading axis`` () =
    let xs = jnp.reshape (jnp.arange 6.0, [| 3; 2 |])
    let r = lax.map ((fun (row: Tensor) -> jnp.sum (row * row)), xs)
    Check.close 0.0 [ 1.0; 13.0; 41.0 ] r

[<Fact>]
let ``scan inside jit equals eager`` () =
    let xs = jnp.linspace (0.0, 1.0, num = 7)
    let eagerCarry, eagerYs = cumsum xs
    let jitCarry, jitYs = jax.jit cumsum xs
    Check.same 1e-6 eagerCarry jitCarry
    Check.same 1e-6 eagerYs jitYs
    Check.same 1e-6 (jnp.cumsum xs) jitYs

[<Fact>]
let ``grad through scan`` () =
    // sum of cumulative sums of x: d/dx_i = n - i
    let f (xs: Tensor) = let _, ys = cumsum xs in jnp.sum ys
    Check.close 0.0 [ 4.0; 3.0; 2.0; 1.0 ] (jax.grad f (jnp.ones (4)))

[<Fact>]
let ``convolution and pooling with JAX's layouts`` () =
    // x: NHWC [1, 3, 3, 1] holding 0..8; a 2x2 kernel of ones sums each window.
    let x = jnp.reshape (jnp.arange 9.0, [| 1; 3; 3; 1 |])
    let w = jnp.ones ([| 2; 2; 1; 1 |])
    let y = lax.convGeneralDilated (x, w, [| 1; 1 |], "VALID", dimensionNumbers = ("NHWC", "HWIO", "NHWC"))
    Check.close 0.0 [ 8.0; 12.0; 20.0; 24.0 ] y
    let padded = lax.convGeneralDilated (x, w, [| 2; 2 |], [| (1, 0); (1, 0) |], dimensionNumbers = ("NHWC", "HWIO", "NHWC"))
    Check.close 0.0 [ 0.0; 3.0; 9.0; 24.0 ] padded
    let pooled = lax.reduceWindow (x, jnp.array -infinity, lax.max, [| 1; 2; 2; 1 |], [| 1; 1; 1; 1 |], "VALID")
    Check.close 0.0 [ 4.0; 5.0; 7.0; 8.0 ] pooled
    // The gradient of the summed convolution with respect to the kernel sums each kernel tap's inputs.
    let dw = jax.grad (fun (k: Tensor) -> jnp.sum (lax.convGeneralDilated (x, k, [| 1; 1 |], "VALID", dimensionNumbers = ("NHWC", "HWIO", "NHWC")))) w
    Check.close 0.0 [ 8.0; 12.0; 20.0; 24.0 ] dw
    let up = lax.convTranspose (x, w, [| 2; 2 |], "VALID")
    Check.dtype DType.Float32 up
    Assert.Equal<int[]>([| 1; 6; 6; 1 |], Check.shape up)
