/// nn activations against their closed forms, and random keys, shapes and ranges.
module Jax.FSharp.Tests.NnRandomTests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

let private xs = [| -2.0; -0.5; 0.0; 0.5; 2.0 |]

[<Fact>]
let ``activations match their closed forms`` () =
    let x = jnp.array xs
    Check.dtype DType.Float32 (nn.relu x)
    Check.close 0.0 (xs |> Array.map (max 0.0)) (nn.relu x)
    Check.close 1e-6 (xs |> Array.map Check.logistic) (nn.sigmoid x)
    Check.close 1e-6 (xs |> Array.map (fun v -> log (1.0 + exp v))) (nn.softplus x)
    Check.close 1e-6 (xs |> Array.map (fun v -> v * Check.logistic v)) (nn.silu x)
    Check.close 1e-6 (xs |> Array.map (fun v -> if v > 0.0 then v else 0.5 * (exp v - 1.0))) (nn.elu (x, alpha = 0.5))
    Check.close 1e-6 (xs |> Array.map (fun v -> if v > 0.0 then v else 0.2 * v)) (nn.leakyRelu (x, negativeSlope = 0.2))
    let alpha, scale = 1.6732632423543772, 1.0507009873554805
    Check.close 1e-6 (xs |> Array.map (fun v -> scale * (if v > 0.0 then v else alpha * (exp v - 1.0)))) (nn.selu x)

[<Fact>]
let ``softmax and logSoftmax`` () =
    let x = jnp.array xs
    let z = xs |> Array.sumBy exp
    Check.close 1e-6 (xs |> Array.map (fun v -> exp v / z)) (nn.softmax x)
    Check.close 1e-6 (xs |> Array.map (fun v -> v - log z)) (nn.logSoftmax x)
    let m = jnp.reshape (jnp.arange 6.0, [| 2; 3 |])
    Check.close 1e-6 [ 1.0; 1.0; 1.0 ] (jnp.sum (nn.softmax (m, axis = 0), axis = 0))

[<Fact>]
let ``oneHot`` () =
    let h = nn.oneHot (jnp.array [| 0; 2 |], 3)
    Check.dtype DType.Float32 h
    Check.close 0.0 [ 1.0; 0.0; 0.0; 0.0; 0.0; 1.0 ] h

[<Fact>]
let ``random split, uniform and randint`` () =
    let key = random.PRNGKey 0L
    let keys = random.split (key, num = 3)
    Assert.Equal(3, (Check.shape keys).[0])
    let u = random.uniform (key, [| 1000 |], minval = 2.0, maxval = 3.0)
    Check.dtype DType.Float32 u
    Assert.True((jnp.all (u .>= 2.0 &&& (u .< 3.0))).Item<bool>())
    Assert.InRange((jnp.mean u).Item(), 2.45, 2.55)
    let r = random.randint (key, [| 500 |], 0L, 5L)
    Check.dtype DType.Int32 r
    Assert.Equal<int[]>([| 0; 1; 2; 3; 4 |], r.ToArray<int>() |> Array.distinct |> Array.sort)
    // Same key, same numbers; another key, other numbers.
    Check.same 0.0 (random.normal (key, [| 4 |])) (random.normal (random.PRNGKey 0L, [| 4 |]))
    Assert.NotEqual<float[]>(Check.values (random.normal (key, [| 4 |])), Check.values (random.normal (random.PRNGKey 1L, [| 4 |])))

[<Fact>]
let ``normal samples have mean 0 and standard deviation 1`` () =
    let x = random.normal (random.PRNGKey 42L, [| 20000 |])
    // Standard error of the mean: 1 / sqrt(20000) ~ 0.007; of the std ~ 0.005.
    Assert.InRange((jnp.mean x).Item(), -0.03, 0.03)
    Assert.InRange((jnp.std x).Item(), 0.97, 1.03)

[<Fact>]
let ``permutation is a permutation`` () =
    let p = random.permutation (random.PRNGKey 7L, 10)
    Assert.Equal<int[]>(Array.init 10 id, p.ToArray<int>() |> Array.sort)
