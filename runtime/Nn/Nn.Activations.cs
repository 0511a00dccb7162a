using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.nn's activation functions beyond Nn.cs, composed from Jnp/Lax as JAX defines them.
public static partial class Nn
{
    private static Tensor Inexact(string op, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.PromoteArgsInexact(op, x)[0];
    }

    /// <summary>
    /// softplus, log(1 + e^x) (<c>jax.nn.softplus</c>, JAX's <c>logaddexp(x, 0)</c>): x + log1p(e^-x) above 0 and
    /// log1p(e^x) below, so it is stable for large |x| and its derivative is sigmoid(x) everywhere (0.5 at 0, as
    /// logaddexp's custom JVP gives).
    /// </summary>
    public static Tensor Softplus(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("softplus", x);
        var positive = Jnp.Greater(x, 0);
        var above = Jnp.Where(positive, x, Jnp.ZerosLike(x));
        var below = Jnp.Where(positive, Jnp.ZerosLike(x), x);
        return Jnp.Where(positive, Jnp.Add(above, Jnp.Log1p(Jnp.Exp(Jnp.Negative(above)))), Jnp.Log1p(Jnp.Exp(below)));
    }

    /// <summary>log(sigmoid(x)) = -softplus(-x), stable for large |x|.</summary>
    public static Tensor LogSigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Negative(Softplus(Jnp.Negative(Inexact("log_sigmoid", x))));
    }

    /// <summary>The sigmoid linear unit x sigmoid(x) (<c>jax.nn.silu</c>).</summary>
    public static Tensor Silu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("silu", x);
        return Jnp.Multiply(x, Lax.Logistic(x));
    }

    /// <summary>An alias of <see cref="Silu"/> (<c>jax.nn.swish</c>).</summary>
    public static Tensor Swish(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Silu(x);
    }

    /// <summary>x for x &gt;= 0, <paramref name="negativeSlope"/> x below (<c>leaky_relu</c>).</summary>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("leaky_relu", x);
        return Jnp.Where(Jnp.GreaterEqual(x, 0), x, Jnp.Multiply(negativeSlope, x));
    }

    /// <summary>The continuously differentiable ELU: max(x, 0) + alpha expm1(min(x, 0) / alpha) (<c>celu</c>).</summary>
    public static Tensor Celu(Tensor x, double alpha = 1.0)
    {
        x = Inexact("celu", x);
        return Jnp.Add(Jnp.Maximum(x, 0.0), Jnp.Multiply(alpha, Jnp.Expm1(Jnp.Divide(Jnp.Minimum(x, 0.0), alpha))));
    }

    /// <summary>
    /// The gated linear unit (<c>glu</c>): x split in two halves along <paramref name="axis"/>, the first times the
    /// sigmoid of the second; the axis must have an even size.
    /// </summary>
    public static Tensor Glu(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = Axes.Normalize(axis, x.Ndim, "glu", x.Aval);
        var size = x.Aval.Shape[a];
        if (!size.IsStatic || size.Size % 2 != 0)
            throw new JaxTypeException("glu", $"glu: axis {axis} of {x.Aval.ToLongString()} must have an even size, got {size}{Dispatch.At(SourceLocation.FindCaller())}");
        var halves = Jnp.Split(x, 2, a);
        return Jnp.Multiply(halves[0], Sigmoid(halves[1]));
    }

    /// <summary>x clipped to [-1, 1] (<c>hard_tanh</c>).</summary>
    public static Tensor HardTanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("hard_tanh", x);
        return Jnp.Where(Jnp.Greater(x, 1), 1.0, Jnp.Where(Jnp.Less(x, -1), -1.0, x));
    }

    /// <summary>
    /// min(max(x, 0), 6) (<c>relu6</c>), with JAX's custom JVP: 1 strictly inside (0, 6) and 0 elsewhere, at the
    /// kinks too.
    /// </summary>
    public static Tensor Relu6(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Relu6WithJvp(Inexact("relu6", x));
    }

    private static Tensor Relu6Value(Tensor x) => Jnp.Minimum(Jnp.Maximum(x, 0), 6.0);

    private static readonly Func<Tensor, Tensor> Relu6WithJvp = Jax.CustomJvp(
        (Func<Tensor, Tensor>)Relu6Value,
        (x, t) => (Relu6Value(x), Jnp.Where(Jnp.LogicalAnd(Jnp.Greater(x, 0), Jnp.Less(x, 6.0)), t, Jnp.ZerosLike(t))));

    /// <summary>relu6(x + 3) / 6 (<c>hard_sigmoid</c>).</summary>
    public static Tensor HardSigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Divide(Relu6(Jnp.Add(Inexact("hard_sigmoid", x), 3.0)), 6.0);
    }

    /// <summary>x hard_sigmoid(x) (<c>hard_silu</c>).</summary>
    public static Tensor HardSilu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("hard_silu", x);
        return Jnp.Multiply(x, HardSigmoid(x));
    }

    /// <summary>An alias of <see cref="HardSilu"/> (<c>hard_swish</c>).</summary>
    public static Tensor HardSwish(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return HardSilu(x);
    }

    /// <summary>0 for x &lt;= -1, x for x &gt;= 1, (x + 1)^2 / 4 between (<c>sparse_plus</c>).</summary>
    public static Tensor SparsePlus(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("sparse_plus", x);
        var inner = Jnp.Divide(Jnp.Square(Jnp.Add(x, 1.0)), 4.0);
        return Jnp.Where(Jnp.LessEqual(x, -1.0), 0.0, Jnp.Where(Jnp.GreaterEqual(x, 1.0), x, inner));
    }

    /// <summary>clip(x + 1, 0, 2) / 2 (<c>sparse_sigmoid</c>, the derivative of <see cref="SparsePlus"/>).</summary>
    public static Tensor SparseSigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Multiply(0.5, Jnp.Clip(Jnp.Add(Inexact("sparse_sigmoid", x), 1.0), 0.0, 2.0));
    }

    /// <summary>x tanh(softplus(x)) (<c>mish</c>).</summary>
    public static Tensor Mish(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("mish", x);
        return Jnp.Multiply(x, Jnp.Tanh(Softplus(x)));
    }

    /// <summary>(x + sqrt(x^2 + b)) / 2 (<c>squareplus</c>).</summary>
    public static Tensor Squareplus(Tensor x, double b = 4)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("squareplus", x);
        return Jnp.Divide(Jnp.Add(x, Jnp.Sqrt(Jnp.Add(Jnp.Square(x), b))), 2.0);
    }
}
