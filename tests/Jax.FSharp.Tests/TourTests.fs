/// The tour (shared/tour.md, samples/Tour) in F#: its steps and the numbers they print, as recorded from JAX
/// (tests/Fixtures/jax_reference.json, the same values the C# tests check).
module Jax.FSharp.Tests.TourTests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

let private sumLogistic (x: Tensor) = jnp.sum (1.0 / (1.0 + jnp.exp (-x)))

let private selu (x: Tensor) = 1.05 * jnp.where (x .> 0.0, x, 1.67 * jnp.exp x - 1.67)

[<Fact>]
let ``step 1: zeros(10) is float32 and prints as JAX`` () =
    let z = jnp.zeros 10
    Check.dtype DType.Float32 z
    Check.close 0.0 (Array.zeroCreate 10) z
    Assert.Equal("Array([0., 0., 0., 0., 0., 0., 0., 0., 0., 0.], dtype=float32)", string z)

[<Fact>]
let ``step 2: random.normal(PRNGKey(0), (10,)) is JAX's`` () =
    let x = random.normal (random.PRNGKey 0L, [| 10 |])
    Check.dtype DType.Float32 x
    // tour/normal_key0_10, JAX 0.11.2 (float32)
    Check.close 1e-6
        [ -0.37211090326309204; 0.2642311453819275; -0.18252767622470856; -0.7368196845054626; -0.440303772687912
          -0.152144193649292; -0.6713534593582153; -0.5908641219139099; 0.7316888570785522; 0.5673025846481323 ]
        x

[<Fact>]
let ``step 3: dot(x, x.T) of a normal matrix is symmetric with the squared norms on its diagonal`` () =
    let x = random.normal (random.PRNGKey 0L, [| 30; 30 |], DType.Float32)
    let p = jnp.dot (x, jnp.transpose x)
    Assert.Equal<int[]>([| 30; 30 |], Check.shape p)
    Check.dtype DType.Float32 p
    Check.same 1e-5 p (jnp.transpose p)
    Check.same 1e-5 (jnp.sum (x * x, axis = 1)) (jnp.einsum ("ii->i", p))

[<Fact>]
let ``step 5: selu eager and jitted`` () =
    let x = jnp.linspace (-3.0, 3.0, num = 7)
    let expected = [ -3.0 .. 3.0 ] |> List.map (fun v -> if v > 0.0 then 1.05 * v else 1.05 * (1.67 * exp v - 1.67))
    Check.close 1e-6 expected (selu x)
    Check.same 1e-6 (selu x) (jax.jit selu x)
    Check.dtype DType.Float32 (selu x)
    let big = random.normal (random.PRNGKey 0L, [| 10000 |])
    Check.same 1e-6 (selu big) (jax.jit selu big)

[<Fact>]
let ``step 6: grad(sum_logistic)(arange(3.)) and arange(100.) under x64`` () =
    Check.close 1e-6 [ 0.25; 0.19661197; 0.10499357 ] (jax.grad sumLogistic (jnp.arange 3.0))
    use _ = Jax.Config.X64Scope()
    let g = jax.grad sumLogistic (jnp.arange 100.0)
    Check.dtype DType.Float64 g
    Assert.Equal<int[]>([| 100 |], Check.shape g)
    // grad/sum_logistic_arange100 (float64, JAX 0.11.2): the first ten
    let expected =
        [| 0.25; 0.19661193324148182; 0.1049935854035065; 0.045176659730912144; 0.017662706213291118
           0.006648056670790156; 0.0024665092913600485; 0.0009102211801218265; 0.0003352376707564743; 0.0001233793497648489 |]
    Check.close 1e-14 expected (jnp.reshape (jnp.take (g, jnp.arange 10), [| 10 |]))
    // The C# runtime gives the same gradient.
    Check.same 0.0 (Jax.Grad(System.Func<Tensor, Tensor> sumLogistic).Invoke(jnp.arange 100.0)) g

[<Fact>]
let ``step 7: finite differences agree with the gradient`` () =
    use _ = Jax.Config.X64Scope()
    let xs = Array.init 10 float
    let fd = Check.finiteDifferences sumLogistic xs 1e-6
    // eps = 1e-6 in float64: rounding error of the difference quotient ~ 1e-16 * 10 / 1e-6 = 1e-9.
    Check.close 1e-8 fd (jax.grad sumLogistic (jnp.array xs))

[<Fact>]
let ``step 8: grad(jit(grad(jit(grad(sum_logistic)))))(1.0)`` () =
    use _ = Jax.Config.X64Scope()
    let d3 = jax.grad (jax.jit (jax.grad (jax.jit (jax.grad sumLogistic))))
    // grad/nested_third (JAX 0.11.2)
    Check.close 1e-12 [ -0.03532558051623558 ] (d3 (jnp.array 1.0))

[<Fact>]
let ``step 9: hessian = jit(jacfwd(jacrev(fun)))`` () =
    use _ = Jax.Config.X64Scope()
    let f (v: Tensor) = jnp.sum (jnp.tanh v * jnp.tanh v * jnp.flipud v)
    let point = jnp.array [| 0.5; -1.0; 2.0 |]
    // hessian/tour (JAX 0.11.2)
    let expected = [ 1.1304185765195405; 0.0; 0.8630806688107003; 0.0; -0.6577733361271529; 0.0; 0.8630806688107003; 0.0; -0.1263270325490313 ]
    let h = jax.jit (jax.jacfwd (jax.jacrev f)) point
    Assert.Equal<int[]>([| 3; 3 |], Check.shape h)
    Check.dtype DType.Float64 h
    Check.close 1e-12 expected h
    Check.same 1e-12 h (jax.hessian f point)

[<Fact>]
let ``step 10: broadcasting, dot and stack`` () =
    let a = random.normal (random.PRNGKey 0L, [| 4; 4 |])
    let x = jnp.arange 4
    let z = jnp.stack ([ x; x ], axis = 1)
    Assert.Equal<int[]>([| 4; 2 |], Check.shape z)
    Check.dtype DType.Int32 z
    let ax = jnp.dot (a, x)
    Check.dtype DType.Float32 ax
    let av = Check.values a
    Check.close 1e-5 [ for r in 0 .. 3 -> List.sum [ for c in 0 .. 3 -> av.[4 * r + c] * float c ] ] ax
    Check.close 1e-6 [ for r in 0 .. 3 do for c in 0 .. 3 -> av.[4 * r + c] * float c ] (a * x)
    Check.same 1e-6 (jnp.dot (a, z)) (jnp.matmul (a, z))
    Check.same 1e-6 (jnp.stack ([ ax; ax ], axis = 1)) (jnp.dot (a, z))

[<Fact>]
let ``step 11: naive, manual and vmap batching are equal`` () =
    let key = random.PRNGKey 0L
    let mat = random.normal (key, [| 150; 100 |])
    let batched = random.normal (key, [| 10; 100 |])
    let applyMatrix (v: Tensor) = jnp.dot (mat, v)
    let naive = jnp.stack [ for i in 0 .. 9 -> applyMatrix (jnp.take (batched, jnp.array (float i, dtype = DType.Int32), axis = 0)) ]
    let manual = jax.jit (fun (vs: Tensor) -> jnp.dot (vs, jnp.transpose mat)) batched
    let vmapped = jax.jit (jax.vmap applyMatrix) batched
    Assert.Equal<int[]>([| 10; 150 |], Check.shape naive)
    Check.same 1e-4 naive manual
    Check.same 1e-4 naive vmapped
