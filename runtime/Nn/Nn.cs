using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>Neural-network functions, as <c>jax.nn</c> (also reachable from <see cref="Jnp"/>).</summary>
public static partial class Nn
{
    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;

    /// <summary>
    /// max(x, 0), with JAX's derivative: 1 where x &gt; 0 and 0 elsewhere, including at 0 (a custom JVP, as
    /// <c>jax.nn.relu</c> defines it, rather than maximum's even split of ties).
    /// </summary>
    public static Tensor Relu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ReluWithJvp(x);
    }

    private static readonly Func<Tensor, Tensor> ReluWithJvp = Jax.CustomJvp(
        (Func<Tensor, Tensor>)(x => Jnp.Maximum(x, 0)),
        (x, t) => (Jnp.Maximum(x, 0), Jnp.Where(Jnp.Greater(x, 0), t, Jnp.ZerosLike(t))));

    /// <summary>The logistic sigmoid 1 / (1 + e^-x).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Logistic(Jnp.PromoteArgsInexact("sigmoid", x)[0]);
    }

    /// <summary>The exponential linear unit: x for x &gt; 0, alpha (e^x - 1) otherwise.</summary>
    public static Tensor Elu(Tensor x, double alpha = 1.0)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Jnp.PromoteArgsInexact("elu", x)[0];
        var positive = Jnp.Greater(x, 0);
        return Jnp.Where(positive, x, Jnp.Multiply(alpha, Jnp.Expm1(Jnp.Where(positive, 0, x))));
    }

    /// <summary>The scaled exponential linear unit (Klambauer et al.), with JAX's constants.</summary>
    public static Tensor Selu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Multiply(SeluScale, Elu(x, SeluAlpha));
    }

    /// <summary>
    /// The Gaussian error linear unit: the tanh approximation by default, otherwise exact, x erfc(-x/sqrt 2) / 2 (as
    /// JAX computes it: accurate for very negative x, where 1 + erf(x/sqrt 2) cancels to 0).
    /// </summary>
    public static Tensor Gelu(Tensor x, bool approximate = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Jnp.PromoteArgsInexact("gelu", x)[0];
        if (approximate)
        {
            var cube = Jnp.Multiply(Jnp.Multiply(x, x), x);
            var inner = Jnp.Multiply(Math.Sqrt(2 / Math.PI), Jnp.Add(x, Jnp.Multiply(0.044715, cube)));
            return Jnp.Multiply(x, Jnp.Multiply(0.5, Jnp.Add(1.0, Jnp.Tanh(inner))));
        }
        return Jnp.Multiply(Jnp.Multiply(0.5, x), Lax.Erfc(Jnp.Multiply(x, -Math.Sqrt(0.5))));
    }

    /// <summary>The maximum over sorted axes, kept as unit dimensions, with -inf as the identity (JAX's <c>initial=-inf</c>).</summary>
    private static Tensor MaxKeepDims(Tensor x, int[] axes) => Lax.ExpandDims(Lax.ReduceMax(x, axes), axes);

    /// <summary>log(sum(exp(x))) over axes, computed stably (max subtracted first).</summary>
    public static Tensor Logsumexp(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Jnp.PromoteArgsInexact("logsumexp", x)[0];
        axis = Axes.NormalizeMany(axis, x.Ndim, "logsumexp", x.Aval);
        var amax = MaxKeepDims(x, axis);
        amax = Jnp.Where(Jnp.Isfinite(amax), amax, Jnp.ZerosLike(amax));
        var sum = Jnp.Sum(Jnp.Exp(Jnp.Subtract(x, amax)), axis, keepdims: true);
        var result = Jnp.Add(Jnp.Log(sum), amax);
        return keepdims || axis.Length == 0 ? result : Jnp.Squeeze(result, axis);
    }

    /// <summary>exp(x) normalised to sum to one along an axis.</summary>
    public static Tensor Softmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Jnp.PromoteArgsInexact("softmax", x)[0];
        axis = Axes.Normalize(axis, x.Ndim, "softmax", x.Aval);
        var unnormalized = Jnp.Exp(Jnp.Subtract(x, MaxKeepDims(x, [axis])));
        return Jnp.Divide(unnormalized, Jnp.Sum(unnormalized, [axis], keepdims: true));
    }

    /// <summary>log(softmax(x)) along an axis, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Jnp.PromoteArgsInexact("log_softmax", x)[0];
        axis = Axes.Normalize(axis, x.Ndim, "log_softmax", x.Aval);
        var shifted = Jnp.Subtract(x, MaxKeepDims(x, [axis]));
        return Jnp.Subtract(shifted, Jnp.Log(Jnp.Sum(Jnp.Exp(shifted), [axis], keepdims: true)));
    }
}

public static partial class Jnp
{
    /// <summary>max(x, 0) (<see cref="Nn.Relu"/>).</summary>
    public static Tensor Relu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.Relu(x);
    }

    /// <summary>The logistic sigmoid (<see cref="Nn.Sigmoid"/>).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.Sigmoid(x);
    }

    /// <summary>SELU (<see cref="Nn.Selu"/>).</summary>
    public static Tensor Selu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.Selu(x);
    }

    /// <summary>GELU (<see cref="Nn.Gelu"/>).</summary>
    public static Tensor Gelu(Tensor x, bool approximate = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.Gelu(x, approximate);
    }

    /// <summary>Stable log-sum-exp (<see cref="Nn.Logsumexp(Tensor, int[], bool)"/>).</summary>
    public static Tensor Logsumexp(Tensor x, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.Logsumexp(x, axis, keepdims);
    }

    /// <summary>Stable log-sum-exp over one axis (<see cref="Nn.Logsumexp(Tensor, int, bool)"/>).</summary>
    public static Tensor Logsumexp(Tensor x, int axis, bool keepdims = false) => Nn.Logsumexp(x, axis, keepdims);
    /// <summary>Softmax (<see cref="Nn.Softmax"/>).</summary>
    public static Tensor Softmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.Softmax(x, axis);
    }

    /// <summary>Log-softmax (<see cref="Nn.LogSoftmax"/>).</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Nn.LogSoftmax(x, axis);
    }
}
