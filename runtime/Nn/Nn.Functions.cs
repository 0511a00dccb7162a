using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.nn's non-activation functions: one_hot, standardize, and the int-axis logsumexp.
public static partial class Nn
{
    /// <summary>
    /// One-hot encoding (<c>jax.nn.one_hot</c>): a new axis of <paramref name="numClasses"/> entries at
    /// <paramref name="axis"/> (counted in the result, so -1 appends it), 1 where the entry's index equals x and 0
    /// elsewhere (an out-of-range or fractional x gives all zeros), in <paramref name="dtype"/> (the default float).
    /// </summary>
    public static Tensor OneHot(Tensor x, int numClasses, DType? dtype = null, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (numClasses < 0)
            throw new JaxTypeException("one_hot", $"one_hot: num_classes must be non-negative, got {numClasses}{Dispatch.At(SourceLocation.FindCaller())}");
        if (x.DType == DType.Bool)
            throw new JaxTypeException("one_hot", $"one_hot: x must be an integer or float array, got {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        int position = Axes.Normalize(axis, x.Ndim + 1, "one_hot", x.Aval);
        var shape = new int[x.Ndim + 1];
        Array.Fill(shape, 1);
        shape[position] = numClasses;
        var classes = Lax.Iota(x.DType, Shape.Of(shape), position);
        var hot = Jnp.Equal(Jnp.ExpandDims(x, position), classes);
        return Jnp.Astype(hot, dtype ?? Jax.Config.DefaultFloat);
    }

    /// <summary>
    /// Standardizes x along <paramref name="axis"/> (<c>jax.nn.standardize</c>): (x - mean) / sqrt(variance +
    /// epsilon), with the mean and the (biased) variance of x over the axes unless given (broadcast against x).
    /// </summary>
    public static Tensor Standardize(Tensor x, int[] axis, Tensor? mean = null, Tensor? variance = null, double epsilon = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axis);
        x = Inexact("standardize", x);
        mean ??= Jnp.Mean(x, axis, keepdims: true);
        variance ??= Jnp.Subtract(Jnp.Mean(Jnp.Square(x), axis, keepdims: true), Jnp.Square(mean));
        var scale = Lax.Rsqrt(Jnp.Add(variance, epsilon));
        return Jnp.Multiply(Jnp.Subtract(x, mean), scale);
    }

    /// <summary><see cref="Standardize(Tensor, int[], Tensor, Tensor, double)"/> along one axis (the last by default).</summary>
    public static Tensor Standardize(Tensor x, int axis = -1, Tensor? mean = null, Tensor? variance = null, double epsilon = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Standardize(x, [axis], mean, variance, epsilon);
    }

    /// <summary>log(sum(exp(x))) along one axis, computed stably (<see cref="Logsumexp(Tensor, int[], bool)"/>).</summary>
    public static Tensor Logsumexp(Tensor x, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Logsumexp(x, [axis], keepdims);
    }
}
