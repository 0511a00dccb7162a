/// jax.jit over F# functions with the LLVM runtime JIT enabled: compiled results equal eager ones.
namespace Jax.FSharp.Tests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp

type Params = { W: Tensor; B: Tensor }

type CompiledJitTests() =
    do Assert.True(JaxJit.Enable(), "JaxJit.Enable: libLLVM 19 is not available")

    [<Fact>]
    member _.``a jitted elementwise function compiles and equals eager`` () =
        Assert.True JaxJit.IsEnabled
        let f (x: Tensor) = jnp.maximum (x, asTensor 0.0) * 2.5f + 1
        let x = jnp.arange (-50.0, 50.0, step = 0.5)
        Check.same 0.0 (f x) (jax.jit f x)

    [<Fact>]
    member _.``a jitted curried function equals eager`` () =
        let f (a: Tensor) (b: Tensor) = jnp.tanh (a * b) + jnp.exp (-a) * b
        let a = random.normal (random.PRNGKey 1L, [| 64 |])
        let b = random.normal (random.PRNGKey 2L, [| 64 |])
        Check.same 1e-6 (f a b) (jax.jit f a b)

    [<Fact>]
    member _.``a jitted training step over a record equals eager`` () =
        let x = random.normal (random.PRNGKey 3L, [| 8; 4 |])
        let y = jnp.sum (x, axis = 1)
        let loss (p: Params) = jnp.mean ((jnp.matmul (x, p.W) + p.B - y) ** 2.0)
        let step (p: Params) = Trees.map2 (fun w g -> w - 0.1 * g) p (jax.grad loss p)
        let p0 = { W = jnp.zeros [| 4 |]; B = jnp.zeros [| 1 |] }
        let eager = step p0
        let compiled = jax.jit step p0
        Check.same 1e-6 eager.W compiled.W
        Check.same 1e-6 eager.B compiled.B
        Assert.True((loss compiled).Item() < (loss p0).Item())

    [<Fact>]
    member _.``a jitted scan and vmap equal eager`` () =
        let xs = random.normal (random.PRNGKey 4L, [| 5; 3 |])
        let f (xs: Tensor) = lax.scan ((fun (c: Tensor) (x: Tensor) -> let c' = c * 0.5 + x in c', jnp.sum c'), jnp.zeros [| 3 |], xs)
        let ec, ey = f xs
        let jc, jy = jax.jit f xs
        Check.same 1e-6 ec jc
        Check.same 1e-6 ey jy
        let g = jax.vmap (fun (row: Tensor) -> jnp.sum (jnp.sin row))
        Check.same 1e-6 (g xs) (jax.jit g xs)

    [<Fact>]
    member _.``a jitted lax.map (a scan with no carry) equals eager`` () =
        let xs = jnp.reshape (jnp.arange 6.0, [| 3; 2 |])
        let f (xs: Tensor) = lax.map ((fun (row: Tensor) -> jnp.sum (row * row)), xs)
        Check.same 1e-6 (f xs) (jax.jit f xs)
