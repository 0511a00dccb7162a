/// Assertions shared by the tests: values (with tolerances) and dtypes of tensors.
module Jax.FSharp.Tests.Check

open System
open Xunit
open JaxToolchain
open JaxToolchain.FSharp

/// The elements of a tensor as doubles (row-major).
let values (t: Tensor) : float[] = t.ToArray<float>()

/// The shape of a tensor as an int array.
let shape (t: Tensor) : int[] = t.Shape.IntSizes

/// Asserts the dtype of a tensor.
let dtype (expected: DType) (t: Tensor) = Assert.Equal(expected, t.DType)

/// Asserts that every element is within tol (absolute, plus tol relative to the expected value's magnitude).
let close (tol: float) (expected: float seq) (actual: Tensor) =
    let e = Seq.toArray expected
    let a = values actual
    Assert.True(e.Length = a.Length, sprintf "expected %d elements, got %d (%O)" e.Length a.Length actual)
    for i in 0 .. e.Length - 1 do
        let err = abs (e.[i] - a.[i])
        Assert.True(err <= tol * (1.0 + abs e.[i]), sprintf "element %d: expected %.10g, got %.10g (tolerance %g) in %O" i e.[i] a.[i] tol actual)

/// Asserts that two tensors have the same shape, dtype and elements within tol.
let same (tol: float) (expected: Tensor) (actual: Tensor) =
    Assert.Equal<int[]>(shape expected, shape actual)
    Assert.Equal(expected.DType, actual.DType)
    close tol (values expected) actual

/// Asserts exact boolean elements.
let bools (expected: bool list) (actual: Tensor) =
    dtype DType.Bool actual
    Assert.Equal<bool[]>(List.toArray expected, actual.ToArray<bool>())

/// Central finite differences of a scalar function of a vector, one direction per element.
let finiteDifferences (f: Tensor -> Tensor) (x: float[]) (eps: float) : float[] =
    Array.init x.Length (fun i ->
        let plus = Array.copy x
        let minus = Array.copy x
        plus.[i] <- plus.[i] + eps
        minus.[i] <- minus.[i] - eps
        ((f (jnp.array plus)).Item() - (f (jnp.array minus)).Item()) / (2.0 * eps))

/// The logistic function on doubles.
let logistic (v: float) = 1.0 / (1.0 + Math.Exp(-v))
