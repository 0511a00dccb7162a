/// F# records, nested records, lists, maps, options and single-case unions as pytrees.
module Jax.FSharp.Tests.TreeTests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

type Linear = { W: Tensor; B: Tensor }

type Model = { Hidden: Linear; Output: Linear; Scale: Tensor }

type Wrapped = Wrapped of weights: Tensor * bias: Tensor

let private linear () = { W = jnp.array [| 1.0f; 2.0f |]; B = jnp.array [| 0.5f |] }

[<Fact>]
let ``grad of a record is a record`` () =
    let x = jnp.array [| 3.0f; -1.0f |]
    let loss (p: Linear) = jnp.sum (jnp.dot (p.W, x) + p.B)
    let g = jax.grad loss (linear ())
    Check.dtype DType.Float32 g.W
    Check.close 0.0 [ 3.0; -1.0 ] g.W
    Check.close 0.0 [ 1.0 ] g.B

[<Fact>]
let ``grad of a nested record`` () =
    let m = { Hidden = linear (); Output = { W = jnp.array [| -1.0f; 1.0f |]; B = jnp.array [| 2.0f |] }; Scale = jnp.array 3.0 }
    let loss (m: Model) = m.Scale * jnp.sum (m.Hidden.W * m.Output.W) + jnp.sum (m.Hidden.B * m.Output.B)
    let g = jax.grad loss m
    Check.close 0.0 [ -3.0; 3.0 ] g.Hidden.W
    Check.close 0.0 [ 2.0 ] g.Hidden.B
    Check.close 0.0 [ 3.0; 6.0 ] g.Output.W
    Check.close 0.0 [ 0.5 ] g.Output.B
    Check.close 0.0 [ 1.0 ] g.Scale   // sum(W_h * W_o) = -1 + 2

[<Fact>]
let ``grad of a list of tensors is a list`` () =
    let xs = [ jnp.array [| 1.0f; 2.0f |]; jnp.array [| 3.0f |] ]
    let g = jax.grad (fun (ps: Tensor list) -> ps |> List.map (fun p -> jnp.sum (p * p)) |> List.reduce (+)) xs
    Assert.Equal(2, g.Length)
    Check.close 0.0 [ 2.0; 4.0 ] g.[0]
    Check.close 0.0 [ 6.0 ] g.[1]

[<Fact>]
let ``grad of a string-keyed map is a map with the same keys`` () =
    let ps = Map [ "b", jnp.array [| 2.0f |]; "a", jnp.array [| 5.0f |] ]
    let g = jax.grad (fun (m: Map<string, Tensor>) -> jnp.sum (m.["a"] * m.["b"] * m.["b"])) ps
    Assert.Equal<string list>([ "a"; "b" ], g |> Map.keys |> List.ofSeq)
    Check.close 0.0 [ 4.0 ] g.["a"]
    Check.close 0.0 [ 20.0 ] g.["b"]
    // Leaves come in key order, as JAX orders dict keys.
    Check.close 0.0 [ 5.0 ] (Trees.leaves ps).[0]

[<Fact>]
let ``options: Some is a node of one child and None has no leaves`` () =
    let f (w: Tensor, b: Tensor option) =
        match b with
        | Some b -> jnp.sum (w * b)
        | None -> jnp.sum w
    let w = jnp.array [| 1.0f; 2.0f |]
    let gw, gb = jax.grad f (w, Some(jnp.array [| 3.0f; 4.0f |]))
    Check.close 0.0 [ 3.0; 4.0 ] gw
    Check.close 0.0 [ 1.0; 2.0 ] (Option.get gb)
    let gw2, gb2 = jax.grad f (w, None)
    Check.close 0.0 [ 1.0; 1.0 ] gw2
    Assert.True(Option.isNone gb2)
    Assert.Equal(1, (Trees.leaves (box (w, (None: Tensor option)))).Length)

[<Fact>]
let ``grad of a single-case union is the union`` () =
    let loss (Wrapped(w, b)) = jnp.sum (w * w) + jnp.sum b
    let (Wrapped(gw, gb)) = jax.grad loss (Wrapped(jnp.array [| 1.0f; -2.0f |], jnp.array [| 7.0f |]))
    Check.close 0.0 [ 2.0; -4.0 ] gw
    Check.close 0.0 [ 1.0 ] gb

[<Fact>]
let ``Trees.leaves, map, map2 and structure`` () =
    let m = { Hidden = linear (); Output = linear (); Scale = jnp.array 2.0 }
    let leaves = Trees.leaves m
    Assert.Equal(5, leaves.Length)
    Check.close 0.0 [ 1.0; 2.0 ] leaves.[0]
    Check.close 0.0 [ 2.0 ] leaves.[4]
    let doubled = Trees.map (fun t -> t * 2.0) m
    Check.close 0.0 [ 2.0; 4.0 ] doubled.Output.W
    Check.close 0.0 [ 4.0 ] doubled.Scale
    Check.dtype DType.Float32 doubled.Hidden.B
    let summed = Trees.map2 (fun a b -> a + b) m doubled
    Check.close 0.0 [ 3.0; 6.0 ] summed.Hidden.W
    Check.close 0.0 [ 6.0 ] summed.Scale
    Assert.Equal(Trees.structure m, Trees.structure doubled)
    Assert.NotEqual(Trees.structure m, Trees.structure (linear ()))

[<Fact>]
let ``map2 rejects trees of different structure`` () =
    let a = [ jnp.array 1.0; jnp.array 2.0 ]
    let b = [ jnp.array 1.0 ]
    Assert.Throws<System.ArgumentException>(fun () -> Trees.map2 (+) a b |> ignore) |> ignore

[<Fact>]
let ``ToFlatDictionary names record fields`` () =
    let m = { Hidden = linear (); Output = linear (); Scale = jnp.array 2.0 }
    Trees.install ()
    let flat = Jax.Tree.ToFlatDictionary m
    Assert.Equal<string list>(
        [ "Hidden/B"; "Hidden/W"; "Output/B"; "Output/W"; "Scale" ],
        flat.Keys |> Seq.sort |> List.ofSeq)
    Check.close 0.0 [ 1.0; 2.0 ] flat.["Hidden/W"]

[<Fact>]
let ``a record through jit and vmap`` () =
    let p = linear ()
    let f (p: Linear) = { W = p.W * 2.0; B = p.B + 1.0 }
    let r = jax.jit f p
    Check.close 0.0 [ 2.0; 4.0 ] r.W
    Check.close 0.0 [ 1.5 ] r.B
    let batch = { W = jnp.reshape (jnp.arange 4.0, [| 2; 2 |]); B = jnp.array [| 10.0f; 20.0f |] }
    let v = jax.vmap (fun (p: Linear) -> jnp.sum p.W + p.B) batch
    Check.close 0.0 [ 11.0; 25.0 ] v
