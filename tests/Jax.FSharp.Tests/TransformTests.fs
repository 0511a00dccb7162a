/// jax.grad/valueAndGrad/jacfwd/jacrev/hessian/jvp/vjp/jit/vmap over F# functions: one-argument, curried and tupled.
module Jax.FSharp.Tests.TransformTests

open System
open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

let private sumLogistic (x: Tensor) = jnp.sum (1.0 / (1.0 + jnp.exp (-x)))

/// The derivative of the logistic function, s (1 - s).
let private dLogistic v = let s = Check.logistic v in s * (1.0 - s)

[<Fact>]
let ``grad of a tensor function is the analytic gradient`` () =
    let xs = [| -1.5; 0.0; 0.5; 2.0 |]
    let g = jax.grad sumLogistic (jnp.array xs)
    Check.dtype DType.Float32 g
    Check.close 1e-6 (xs |> Array.map dLogistic) g

[<Fact>]
let ``grad agrees with central finite differences`` () =
    use _ = Jax.Config.X64Scope()
    let f (x: Tensor) = jnp.sum (jnp.sin x * x ** 2.0)
    let xs = [| 0.3; -1.2; 2.5 |]
    let g = jax.grad f (jnp.array xs)
    Check.dtype DType.Float64 g
    // Central differences with eps 1e-5 in float64: truncation error ~ eps^2, rounding ~ 1e-16 / eps.
    Check.close 1e-8 (Check.finiteDifferences f xs 1e-5) g

[<Fact>]
let ``grad of a curried function is with respect to the first argument`` () =
    let f (w: Tensor) (x: Tensor) = jnp.sum (w * x * x)
    let w = jnp.array [| 1.0f; 2.0f |]
    let x = jnp.array [| 3.0f; 4.0f |]
    let g = jax.grad f w x
    Check.dtype DType.Float32 g
    Check.close 0.0 [ 9.0; 16.0 ] g

[<Fact>]
let ``grad with argnums (0, 1) of a curried function gives both gradients`` () =
    let f (w: Tensor) (x: Tensor) = jnp.sum (w * x * x)
    let w = jnp.array [| 1.0f; 2.0f |]
    let x = jnp.array [| 3.0f; 4.0f |]
    let gw, gx = jax.grad (f, argnums = (0, 1)) w x
    Check.close 0.0 [ 9.0; 16.0 ] gw
    Check.close 0.0 [ 6.0; 16.0 ] gx   // 2 w x
    // The same as the C# runtime's Jax.Grad over both arguments.
    let struct (cw, cx) = Jax.Grad<Tensor, Tensor>(Func<Tensor, Tensor, Tensor>(fun a b -> f a b), struct (0, 1)).Invoke(w, x)
    Check.same 0.0 cw gw
    Check.same 0.0 cx gx

[<Fact>]
let ``grad and valueAndGrad with argnums 1 of a curried function are with respect to the second argument`` () =
    let f (w: Tensor) (x: Tensor) = jnp.sum (w * x * x)
    let w = jnp.array [| 1.0f; 2.0f |]
    let x = jnp.array [| 3.0f; 4.0f |]
    let dfdx: Tensor -> Tensor -> Tensor = jax.grad (f, argnums = 1)
    Check.close 0.0 [ 6.0; 16.0 ] (dfdx w x)   // 2 w x
    let value, g = (jax.valueAndGrad (f, argnums = 1): Tensor -> Tensor -> Tensor * Tensor) w x
    Check.close 0.0 [ 41.0 ] (jnp.reshape (value, [| 1 |]))
    Check.close 0.0 [ 6.0; 16.0 ] g

[<Fact>]
let ``grad of a tupled function is a tuple`` () =
    let loss (w: Tensor, b: Tensor) = jnp.sum ((w * 3.0 + b) ** 2.0)
    let w = jnp.array [| 1.0f; -1.0f |]
    let b = jnp.array [| 0.5f; 0.5f |]
    let (gw: Tensor), (gb: Tensor) = jax.grad loss (w, b)
    // d/dw = 2 (3w + b) 3, d/db = 2 (3w + b): 3w + b = [3.5, -2.5]
    Check.close 1e-6 [ 21.0; -15.0 ] gw
    Check.close 1e-6 [ 7.0; -5.0 ] gb
    Check.dtype DType.Float32 gw

[<Fact>]
let ``valueAndGrad gives the value and the gradient`` () =
    let xs = [| 0.0; 1.0; 2.0 |]
    let v, g = jax.valueAndGrad sumLogistic (jnp.array xs)
    Check.close 1e-6 [ xs |> Array.sumBy Check.logistic ] v
    Check.close 1e-6 (xs |> Array.map dLogistic) g
    let f (w: Tensor) (x: Tensor) = jnp.sum (w * x)
    let v2, g2 = jax.valueAndGrad f (jnp.array [| 2.0f |]) (jnp.array [| 5.0f |])
    Check.close 0.0 [ 10.0 ] v2
    Check.close 0.0 [ 5.0 ] g2

[<Fact>]
let ``jacfwd and jacrev are the analytic Jacobian`` () =
    // f(x) = [x0 * x1, sin x0, x1^2]: J = [[x1, x0], [cos x0, 0], [0, 2 x1]]
    let f (x: Tensor) = jnp.stack [ x.[0] * x.[1]; jnp.sin x.[0]; x.[1] * x.[1] ]
    let x = jnp.array [| 0.5f; 2.0f |]
    let expected = [ 2.0; 0.5; cos 0.5; 0.0; 0.0; 4.0 ]
    for j in [ jax.jacfwd f x; jax.jacrev f x ] do
        Assert.Equal<int[]>([| 3; 2 |], Check.shape j)
        Check.dtype DType.Float32 j
        Check.close 1e-6 expected j

[<Fact>]
let ``hessian is the analytic Hessian`` () =
    // f(x) = x0^2 x1 + x1^3: H = [[2 x1, 2 x0], [2 x0, 6 x1]]
    let f (x: Tensor) = x.[0] * x.[0] * x.[1] + x.[1] ** 3.0
    let h = jax.hessian f (jnp.array [| 1.0f; 2.0f |])
    Assert.Equal<int[]>([| 2; 2 |], Check.shape h)
    Check.close 1e-5 [ 4.0; 2.0; 2.0; 12.0 ] h

[<Fact>]
let ``jvp is the directional derivative and vjp its transpose`` () =
    let f (x: Tensor) = jnp.sin x * x
    let xs = [| 0.5; 1.0; -2.0 |]
    let x = jnp.array xs
    let y, t = jax.jvp (f, x, jnp.onesLike x)
    let df v = cos v * v + sin v
    Check.close 1e-6 (xs |> Array.map (fun v -> sin v * v)) y
    Check.close 1e-6 (xs |> Array.map df) t
    let y2, pullback = jax.vjp (f, x)
    Check.same 0.0 y y2
    let ct = jnp.array [| 1.0f; 2.0f; 3.0f |]
    Check.close 1e-6 (xs |> Array.mapi (fun i v -> float (i + 1) * df v)) (pullback ct)

[<Fact>]
let ``jit of one argument equals eager`` () =
    let selu (x: Tensor) = 1.05 * jnp.where (x .> 0.0, x, 1.67 * jnp.exp x - 1.67)
    let x = jnp.linspace (-3.0, 3.0, num = 13)
    let j = jax.jit selu x
    Check.same 1e-6 (selu x) j

[<Fact>]
let ``jit of a curried function equals eager`` () =
    let f (a: Tensor) (b: Tensor) = jnp.tanh (a * b) + a
    let jf = jax.jit f
    let a = jnp.array [| 0.5f; -1.0f; 2.0f |]
    let b = jnp.array [| 2.0f; 3.0f; 0.25f |]
    Check.same 1e-6 (f a b) (jf a b)
    // A second call with other values reuses the trace and still agrees.
    Check.same 1e-6 (f b a) (jf b a)

[<Fact>]
let ``jit of a tupled function equals eager`` () =
    let f (w: Tensor, b: Tensor) = jnp.dot (w, b), w - b
    let jf = jax.jit f
    let w = jnp.array [| 1.0f; 2.0f |]
    let b = jnp.array [| 3.0f; 5.0f |]
    let e1, e2 = f (w, b)
    let r1, r2 = jf (w, b)
    Check.same 1e-6 e1 r1
    Check.same 1e-6 e2 r2
    Check.close 0.0 [ 13.0 ] r1

[<Fact>]
let ``vmap with default axes maps the leading axis`` () =
    let m = jnp.reshape (jnp.arange 6.0, [| 2; 3 |])
    let r = jax.vmap (fun (row: Tensor) -> jnp.sum (row * row)) m
    Assert.Equal<int[]>([| 2 |], Check.shape r)
    Check.close 0.0 [ 5.0; 50.0 ] r

[<Fact>]
let ``vmap of a tupled function with inAxes (0, None)`` () =
    let mat = jnp.reshape (jnp.arange 6.0, [| 3; 2 |])    // [[0,1],[2,3],[4,5]]
    let vs = jnp.array [| 1.0f; 0.0f; 0.0f; 1.0f; 1.0f; 1.0f |] |> fun t -> jnp.reshape (t, [| 3; 2 |])
    let f = jax.vmap ((fun (v: Tensor, m: Tensor) -> jnp.dot (m, v)), inAxes = (0, None))
    let r = f (vs, mat)
    Assert.Equal<int[]>([| 3; 3 |], Check.shape r)
    // Row i is mat @ vs[i]: the batched product vs @ mat.T.
    Check.same 1e-6 (jnp.matmul (vs, jnp.transpose mat)) r

[<Fact>]
let ``vmap of a curried function`` () =
    let f (a: Tensor) (b: Tensor) = jnp.dot (a, b)
    let a = jnp.reshape (jnp.arange 6.0, [| 3; 2 |])
    let b = jnp.ones ([| 3; 2 |])
    let r = jax.vmap f a b
    Check.close 0.0 [ 1.0; 5.0; 9.0 ] r
    let w = jnp.array [| 1.0f; -1.0f |]
    let r2 = jax.vmap (f, inAxes = (0, None)) a w
    Check.close 0.0 [ -1.0; -1.0; -1.0 ] r2

[<Fact>]
let ``grad of grad is the second derivative`` () =
    use _ = Jax.Config.X64Scope()
    let logistic (x: Tensor) = 1.0 / (1.0 + jnp.exp (-x))
    let d2 = jax.grad (jax.grad logistic)
    for v in [ -2.0; 0.0; 0.7 ] do
        let s = Check.logistic v
        Check.close 1e-12 [ s * (1.0 - s) * (1.0 - 2.0 * s) ] (d2 (jnp.array v))

[<Fact>]
let ``grad through jit equals grad`` () =
    let f (x: Tensor) = jnp.sum (jnp.tanh x * x)
    let x = jnp.array [| 0.1f; -0.4f; 1.3f |]
    Check.same 1e-6 (jax.grad f x) (jax.grad (jax.jit f) x)
    Check.same 1e-6 (jax.grad f x) (jax.jit (jax.grad f) x)

[<Fact>]
let ``jit of closures over different values keeps them apart`` () =
    let make (k: float) = jax.jit (fun (a: Tensor) (b: Tensor) -> a * k + b)
    let make1 (k: float) = jax.jit (fun (a: Tensor) -> a * k)
    let a = jnp.array [| 1.0f; 2.0f |]
    let b = jnp.array [| 10.0f; 20.0f |]
    Check.close 0.0 [ 12.0; 24.0 ] ((make 2.0) a b)
    Check.close 0.0 [ 13.0; 26.0 ] ((make 3.0) a b)
    Check.close 0.0 [ 2.0; 4.0 ] ((make1 2.0) a)
    Check.close 0.0 [ 3.0; 6.0 ] ((make1 3.0) a)

[<Fact>]
let ``vmap with outAxes 1`` () =
    let m = jnp.reshape (jnp.arange 6.0, [| 2; 3 |])
    let r = jax.vmap ((fun (row: Tensor) -> row * 2.0), outAxes = 1) m
    Assert.Equal<int[]>([| 3; 2 |], Check.shape r)
    Check.close 0.0 [ 0.0; 6.0; 2.0; 8.0; 4.0; 10.0 ] r

[<Fact>]
let ``jit retraces for a new shape`` () =
    let f = jax.jit (fun (x: Tensor) -> jnp.sum (x * x))
    Check.close 0.0 [ 5.0 ] (f (jnp.array [| 1.0f; 2.0f |]))
    Check.close 0.0 [ 14.0 ] (f (jnp.array [| 1.0f; 2.0f; 3.0f |]))
    use _ = Jax.Config.X64Scope()
    let r = f (jnp.array [| 1.0; 2.0 |])
    Check.dtype DType.Float64 r
    Check.close 0.0 [ 5.0 ] r
