namespace JaxToolchain.Runtime.Tests.TorchAutograd;

/// <summary>
/// Gradients at the points where a function has no unique derivative (kinks, ties, zeros), where JAX fixes a
/// convention that torch does not always share: these pin JAX's values (from its rules in
/// <c>jax/_src/lax/lax.py</c> and <c>jax/_src/nn/functions.py</c>), in float64.
/// </summary>
public sealed class SpecialPointGradientTests
{
    static double[] Gradient(Func<Tensor, Tensor> f, params double[] x) => Jax.Grad(f)(Jnp.Array(x)).ToArray<double>();

    [Fact]
    public void Abs_has_derivative_one_at_zero_as_jax_selects_on_x_at_least_zero()
    {
        using var x64 = Jax.Config.X64Scope();
        Assert.Equal(new[] { -1.0, 1.0, 1.0 }, Gradient(x => Jnp.Sum(Jnp.Abs(x)), -2, 0, 3));
    }

    [Fact]
    public void Maximum_and_minimum_split_the_gradient_evenly_on_ties()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jnp.Array(new[] { 1.0, 2.0, 3.0 });
        var y = Jnp.Array(new[] { 1.0, 5.0, 0.0 });
        var (gx, gy) = Jax.Grad((Func<Tensor, Tensor, Tensor>)((a, b) => Jnp.Sum(Jnp.Maximum(a, b))), (0, 1))(x, y);
        Assert.Equal(new[] { 0.5, 0.0, 1.0 }, gx.ToArray<double>());
        Assert.Equal(new[] { 0.5, 1.0, 0.0 }, gy.ToArray<double>());
        var (hx, hy) = Jax.Grad((Func<Tensor, Tensor, Tensor>)((a, b) => Jnp.Sum(Jnp.Minimum(a, b))), (0, 1))(x, y);
        Assert.Equal(new[] { 0.5, 1.0, 0.0 }, hx.ToArray<double>());
        Assert.Equal(new[] { 0.5, 0.0, 1.0 }, hy.ToArray<double>());
    }

    [Fact]
    public void Max_reduction_shares_the_gradient_among_tied_maxima()
    {
        using var x64 = Jax.Config.X64Scope();
        Assert.Equal(new[] { 0.0, 0.5, 0.5, 0.0 }, Gradient(x => Jnp.Max(x), 1, 3, 3, 2));
        Assert.Equal(new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0 }, Gradient(x => Jnp.Min(x), 4, 4, 4));
    }

    [Fact]
    public void Clip_splits_the_gradient_at_its_bounds_as_maximum_and_minimum_do()
    {
        using var x64 = Jax.Config.X64Scope();
        // jnp.clip is minimum(max, maximum(min, x)): half the gradient where x equals a bound.
        Assert.Equal(new[] { 0.0, 0.5, 1.0, 0.5, 0.0 }, Gradient(x => Jnp.Sum(Jnp.Clip(x, -1.0, 1.0)), -2, -1, 0, 1, 2));
    }

    [Fact]
    public void Stable_sort_routes_tied_gradients_by_original_position()
    {
        using var x64 = Jax.Config.X64Scope();
        // sort([2, 1, 2]) = [x1, x0, x2]; weights [1, 2, 3] go back to positions 1, 0, 2.
        Assert.Equal(new[] { 2.0, 1.0, 3.0 }, Gradient(x => Jnp.Sum(Jnp.Sort(x) * Jnp.Array(new[] { 1.0, 2.0, 3.0 })), 2, 1, 2));
    }

    [Fact]
    public void Power_at_zero_base_or_zero_exponent_has_finite_derivatives()
    {
        using var x64 = Jax.Config.X64Scope();
        var zero = Jnp.Array(new[] { 0.0, 0.0 });
        var exponents = Jnp.Array(new[] { 0.0, 2.0 });
        var (gx, gy) = Jax.Grad((Func<Tensor, Tensor, Tensor>)((x, y) => Jnp.Sum(Jnp.Power(x, y))), (0, 1))(zero, exponents);
        // d/dx x^0 = 0 and d/dx x^2 = 2x = 0 at 0; d/dy 0^y = 0 (JAX takes log at 1 where x = 0).
        Assert.Equal(new[] { 0.0, 0.0 }, gx.ToArray<double>());
        Assert.Equal(new[] { 0.0, 0.0 }, gy.ToArray<double>());
    }

    [Fact]
    public void Logsumexp_and_softmax_ignore_minus_infinity_entries()
    {
        using var x64 = Jax.Config.X64Scope();
        Assert.Equal(new[] { 0.0, 0.5, 0.5 }, Gradient(x => Nn.Logsumexp(x), double.NegativeInfinity, 0, 0));
        var g = Gradient(x => Nn.Softmax(x)[1], double.NegativeInfinity, 0, 0);
        Assert.Equal(new[] { 0.0, 0.25, -0.25 }, g);
    }

    [Fact]
    public void Sqrt_has_an_infinite_derivative_at_zero()
    {
        using var x64 = Jax.Config.X64Scope();
        Assert.Equal(new[] { double.PositiveInfinity, 0.25 }, Gradient(x => Jnp.Sum(Jnp.Sqrt(x)), 0, 4));
    }

    [Fact]
    public void Relu_has_derivative_zero_at_zero_as_jax_nn_relu_defines_it()
    {
        using var x64 = Jax.Config.X64Scope();
        Assert.Equal(new[] { 0.0, 0.0, 1.0 }, Gradient(x => Jnp.Sum(Nn.Relu(x)), -1, 0, 2));
    }
}
