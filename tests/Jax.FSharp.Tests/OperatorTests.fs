/// Tensor operators with F# scalars on either side (JAX's weak typing), ** and shifts, and the elementwise comparisons.
module Jax.FSharp.Tests.OperatorTests

open Xunit
open JaxToolchain
open JaxToolchain.FSharp
open Jax.FSharp.Tests

let private x () = jnp.array [| 1.0f; 2.0f; 3.0f |]
let private i () = jnp.array [| 1; 2; 3 |]

[<Fact>]
let ``x * 2.0 and 2.0 * x keep float32`` () =
    let r1 = x () * 2.0
    let r2 = 2.0 * x ()
    Check.dtype DType.Float32 r1
    Check.dtype DType.Float32 r2
    Check.close 0.0 [ 2.0; 4.0; 6.0 ] r1
    Check.close 0.0 [ 2.0; 4.0; 6.0 ] r2

[<Fact>]
let ``x + 1 and x - 1L and x / 2.0f keep float32`` () =
    let a = x () + 1
    let b = x () - 1L
    let c = x () / 2.0f
    let d = 1 - x ()
    for t in [ a; b; c; d ] do Check.dtype DType.Float32 t
    Check.close 0.0 [ 2.0; 3.0; 4.0 ] a
    Check.close 0.0 [ 0.0; 1.0; 2.0 ] b
    Check.close 0.0 [ 0.5; 1.0; 1.5 ] c
    Check.close 0.0 [ 0.0; -1.0; -2.0 ] d

[<Fact>]
let ``int32 plus a float scalar is float32`` () =
    let r = i () + 2.5
    Check.dtype DType.Float32 r
    Check.close 0.0 [ 3.5; 4.5; 5.5 ] r

[<Fact>]
let ``int32 with int scalars stays int32`` () =
    let r = i () * 3 + 1L
    Check.dtype DType.Int32 r
    Assert.Equal<int[]>([| 4; 7; 10 |], r.ToArray<int>())

[<Fact>]
let ``bool arrays with bool scalars`` () =
    let b = jnp.array [| true; false; true |]
    // F#'s &&& and ||| take two operands of one type: the scalar goes through asTensor (a bare bool would be an
    // implicit conversion, warning FS3391).
    Check.bools [ true; false; true ] (b &&& asTensor true)
    Check.bools [ false; false; false ] (b &&& asTensor false)
    Check.bools [ true; true; true ] (b ||| asTensor true)
    Check.bools [ true; false; true ] (asTensor false ||| b)
    Check.bools [ false; false; true ] (b &&& (jnp.array [| false; true; true |]))

[<Fact>]
let ``power with a scalar and with a tensor exponent`` () =
    let sq = x () ** 2.0
    Check.dtype DType.Float32 sq
    Check.close 0.0 [ 1.0; 4.0; 9.0 ] sq
    let self = x () ** x ()
    Check.dtype DType.Float32 self
    Check.close 1e-6 [ 1.0; 4.0; 27.0 ] self

[<Fact>]
let ``integer shifts`` () =
    let l = i () <<< 1
    let r = i () >>> 1
    Check.dtype DType.Int32 l
    Check.dtype DType.Int32 r
    Assert.Equal<int[]>([| 2; 4; 6 |], l.ToArray<int>())
    Assert.Equal<int[]>([| 0; 1; 1 |], r.ToArray<int>())

[<Fact>]
let ``unary minus`` () =
    let n = -(x ())
    Check.dtype DType.Float32 n
    Check.close 0.0 [ -1.0; -2.0; -3.0 ] n

[<Fact>]
let ``float64 input stays float64 under x64`` () =
    use _ = Jax.Config.X64Scope()
    let y = jnp.array [| 1.0; 2.0 |]
    Check.dtype DType.Float64 y
    let r = y * 2.0f + 1
    Check.dtype DType.Float64 r
    Check.close 0.0 [ 3.0; 5.0 ] r

[<Fact>]
let ``comparisons with a scalar on either side`` () =
    let v = x ()
    Check.bools [ false; false; true ] (v .> 2.0)
    Check.bools [ true; false; false ] (v .< 2)
    Check.bools [ false; true; true ] (v .>= 2.0f)
    Check.bools [ true; true; false ] (v .<= 2L)
    Check.bools [ false; true; false ] (v .= 2.0)
    Check.bools [ true; false; true ] (v .<> 2.0)
    Check.bools [ true; false; false ] (2.0 .> v)
    Check.bools [ false; false; true ] (2 .< v)
    Check.bools [ true; true; false ] (2.0 .>= v)
    Check.bools [ false; true; true ] (2L .<= v)

[<Fact>]
let ``comparisons between tensors`` () =
    let a = x ()
    let b = jnp.array [| 3.0f; 2.0f; 1.0f |]
    Check.bools [ false; false; true ] (a .> b)
    Check.bools [ false; true; false ] (a .= b)
    Check.bools [ true; true; false ] (a .<= b)

[<Fact>]
let ``asTensor makes weak scalars`` () =
    let s = asTensor 2.0
    Assert.True(s.WeakType)
    Assert.Equal(0, s.Ndim)
    Assert.Equal(2.0, s.Item())
    let t = x ()
    Assert.Same(t, asTensor t)

[<Fact>]
let ``jnp functions with optional arguments`` () =
    let m = jnp.reshape (jnp.arange (6.0), [| 2; 3 |])
    Check.dtype DType.Float32 m
    Check.close 0.0 [ 3.0; 5.0; 7.0 ] (jnp.sum (m, axis = 0))
    Check.close 0.0 [ 3.0; 12.0 ] (jnp.sum (m, axis = 1))
    Assert.Equal<int[]>([| 2; 1 |], Check.shape (jnp.sum (m, axis = 1, keepdims = true)))
    Check.close 0.0 [ 15.0 ] (jnp.sum m)
    let w = jnp.where (m .> 2.0, m, 0.0 * m)
    Check.close 0.0 [ 0.0; 0.0; 0.0; 3.0; 4.0; 5.0 ] w
    Check.close 1e-6 [ 1.0; System.Math.E ] (jnp.exp (jnp.array [| 0.0; 1.0 |]))
