/// F#'s slicing syntax on tensors (ends included, as F# slices are) against the runtime's JAX-style indexer.
module Jax.FSharp.Tests.IndexingTests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

let private v () = jnp.arange 6.0
let private m () = jnp.reshape (jnp.arange 12.0, [| 3; 4 |])

[<Fact>]
let ``x.[a..b] includes b, as F# slices do`` () =
    Check.close 0.0 [ 1.0; 2.0; 3.0 ] (v().[1..3])
    Check.close 0.0 [ 0.0; 1.0; 2.0 ] (v().[..2])
    Check.close 0.0 [ 4.0; 5.0 ] (v().[4..])
    Check.close 0.0 [ 0.0; 1.0; 2.0; 3.0; 4.0 ] (v().[.. -2])   // JAX's x[:-1]

[<Fact>]
let ``two-dimensional slices and a fixed index`` () =
    Check.close 0.0 [ 1.0; 2.0; 5.0; 6.0 ] (jnp.reshape (m().[0..1, 1..2], [| 4 |]))
    Check.close 0.0 [ 4.0; 5.0; 6.0 ] (m().[1, 0..2])
    Check.close 0.0 [ 3.0; 7.0 ] (m().[0..1, 3])
    Check.close 0.0 [ 9.0 ] (jnp.reshape (m().[2, 1], [| 1 |]))

[<Fact>]
let ``a slice of a traced array differentiates`` () =
    let g = jax.grad (fun (x: Tensor) -> jnp.sum (x.[1..2] * x.[1..2])) (v ())
    Check.close 0.0 [ 0.0; 2.0; 4.0; 0.0; 0.0; 0.0 ] g
