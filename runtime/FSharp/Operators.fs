namespace JaxToolchain.FSharp

open JaxToolchain

/// <summary>The dtypes (<c>DType.Float32</c>, ...): the runtime's <c>JaxToolchain.Ir.DType</c> under a shorter path.</summary>
type DType = JaxToolchain.Ir.DType

/// <summary>
/// Converts what F# code passes where an array is meant: a <c>Tensor</c> as it is, a <c>float</c>, <c>float32</c>,
/// <c>int</c> or <c>int64</c> as JAX's weakly typed scalar (it takes the other operand's dtype), a <c>bool</c> as a
/// boolean scalar. Used through <c>asTensor</c> and the elementwise comparison operators.
/// </summary>
[<Sealed>]
type TensorArg private () =
    /// <summary>A tensor, unchanged.</summary>
    static member Convert(x: Tensor) : Tensor = x
    /// <summary>A weakly typed float scalar.</summary>
    static member Convert(x: float) : Tensor = Tensor.op_Implicit x
    /// <summary>A weakly typed float scalar.</summary>
    static member Convert(x: float32) : Tensor = Tensor.op_Implicit x
    /// <summary>A weakly typed integer scalar.</summary>
    static member Convert(x: int) : Tensor = Tensor.op_Implicit x
    /// <summary>A weakly typed integer scalar.</summary>
    static member Convert(x: int64) : Tensor = Tensor.op_Implicit x
    /// <summary>A boolean scalar.</summary>
    static member Convert(x: bool) : Tensor = Tensor.op_Implicit x

/// <summary>
/// Elementwise comparisons for F#, where <c>&lt;</c>, <c>&gt;</c> and <c>=</c> are structural comparisons returning one
/// <c>bool</c>: <c>x .&gt; 0.0</c> is JAX's <c>x &gt; 0</c>, an array of bools. Either side may be a tensor or an F#
/// number. Opened with <c>JaxToolchain.FSharp</c>.
/// </summary>
[<AutoOpen>]
module Operators =
    /// <summary>The conversion behind <c>asTensor</c>: <c>^w</c> is the type holding the <c>Convert</c> overloads.</summary>
    [<System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)>]
    let inline convertWith (_: ^w) (x: ^a) : Tensor = ((^w or ^a): (static member Convert: ^a -> Tensor) x)

    /// <summary>A tensor from a tensor or an F# scalar (weakly typed, as JAX's Python scalars).</summary>
    let inline asTensor x = convertWith Unchecked.defaultof<TensorArg> x

    /// <summary>Elementwise <c>x &gt; y</c> (<c>jnp.greater</c>).</summary>
    let inline (.>) x y = Jnp.Greater(asTensor x, asTensor y)

    /// <summary>Elementwise <c>x &lt; y</c> (<c>jnp.less</c>).</summary>
    let inline (.<) x y = Jnp.Less(asTensor x, asTensor y)

    /// <summary>Elementwise <c>x &gt;= y</c> (<c>jnp.greater_equal</c>).</summary>
    let inline (.>=) x y = Jnp.GreaterEqual(asTensor x, asTensor y)

    /// <summary>Elementwise <c>x &lt;= y</c> (<c>jnp.less_equal</c>).</summary>
    let inline (.<=) x y = Jnp.LessEqual(asTensor x, asTensor y)

    /// <summary>Elementwise <c>x == y</c> (<c>jnp.equal</c>).</summary>
    let inline (.=) x y = Jnp.Equal(asTensor x, asTensor y)

    /// <summary>Elementwise <c>x != y</c> (<c>jnp.not_equal</c>).</summary>
    let inline (.<>) x y = Jnp.NotEqual(asTensor x, asTensor y)
