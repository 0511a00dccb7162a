using JaxToolchain.Runtime.Tests.Reference;

namespace JaxToolchain.Runtime.Tests.Transforms;

public class AutodiffApiTests
{
    private static Tensor SumLogistic(Tensor x) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x)));

    [Fact]
    public void Gradients_come_in_the_order_of_argnums()
    {
        // f(x, y) = sum(x * 2) + sum(y * 3): df/dx = 2, df/dy = 3, whatever order they are asked in.
        var f = (Func<Tensor[], Tensor>)(a => Jnp.Sum(a[0] * 2) + Jnp.Sum(a[1] * 3));
        Tensor[] args = [Jnp.Ones([2]), Jnp.Ones([3], Jnp.Float16)];
        var yx = Jax.Grad(f, 1, 0)(args);
        Assert.Equal([3.0, 3, 3], yx[0].ToArray<double>());
        Assert.Equal(Ir.DType.Float16, yx[0].DType);
        Assert.Equal([2.0, 2], yx[1].ToArray<double>());
        var (gy, gx) = Jax.Grad((Tensor x, Tensor y) => Jnp.Sum(x * 2) + Jnp.Sum(y * 3), (1, 0))(args[0], args[1]);
        Assert.Equal([3.0, 3, 3], gy.ToArray<double>());
        Assert.Equal([2.0, 2], gx.ToArray<double>());
    }

    [Fact]
    public void Grad_of_sum_logistic_matches_jax()
    {
        using var x64 = Jax.Config.X64Scope();
        var g = Jax.Grad(SumLogistic)(Jnp.Arange(100.0));
        JaxReference.AssertSame(JaxReference.Single("grad/sum_logistic_arange100"), g, "grad(sum_logistic)", 4);
    }

    [Fact]
    public void Third_derivative_through_nested_grad_and_jit_matches_jax()
    {
        using var x64 = Jax.Config.X64Scope();
        var f = Jax.Grad(Jax.Jit(Jax.Grad(Jax.Jit(Jax.Grad(SumLogistic)))));
        var r = f(1.0);
        JaxReference.AssertSame(JaxReference.Single("grad/nested_third"), r, "grad(jit(grad(jit(grad))))", 8);
    }

    [Fact]
    public void Third_derivative_of_logistic_matches_its_closed_form_to_1e_12()
    {
        using var x64 = Jax.Config.X64Scope();
        var d3 = Jax.Grad(Jax.Grad(Jax.Grad((Func<Tensor, Tensor>)(x => Nn.Sigmoid(x)))));
        foreach (var v in new[] { -2.0, -0.3, 0.0, 0.7, 3.0 })
        {
            double s = 1 / (1 + Math.Exp(-v));
            double expected = s * (1 - s) * (1 - 6 * s + 6 * s * s);
            double actual = d3(Jnp.Array(v)).Item();
            Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"x={v}: {actual} vs {expected}");
        }
    }

    [Fact]
    public void Hessian_by_jacfwd_of_jacrev_matches_jax()
    {
        using var x64 = Jax.Config.X64Scope();
        static Tensor F(Tensor x) => Jnp.Sum(Jnp.Tanh(x) * Jnp.Tanh(x) * Jnp.Flip(x));
        var h = Jax.Jit(Jax.Hessian(F))(Jnp.Array(new[] { 0.5, -1.0, 2.0 }));
        JaxReference.AssertSame(JaxReference.Single("hessian/tour"), h, "hessian", 16);
    }

    [Fact]
    public void Jacrev_and_jacfwd_agree_with_jax_on_a_matrix_function()
    {
        using var x64 = Jax.Config.X64Scope();
        var w = Jnp.Reshape(Jnp.Arange(6.0), 2, 3);
        Tensor F(Tensor x) => Jnp.Tanh(Jnp.Matmul(w, x));
        var x = Jnp.Array(new[] { 0.1, 0.2, 0.3 });
        var expected = JaxReference.Single("jacrev/matrix");
        JaxReference.AssertSame(expected, Jax.JacRev(F)(x), "jacrev", 16);
        JaxReference.AssertSame(expected, Jax.JacFwd(F)(x), "jacfwd", 16);
    }

    [Fact]
    public void Grad_with_respect_to_an_integer_is_an_error_naming_the_dtype()
    {
        var e = Assert.Throws<Ir.JaxTypeException>(() => Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(x)))(Jnp.Arange(3)));
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void Grad_of_a_non_scalar_function_is_an_error_naming_the_shape()
    {
        var e = Assert.Throws<Ir.JaxTypeException>(() => Jax.Grad((Func<Tensor, Tensor>)(x => x * 2))(Jnp.Zeros(3)));
        Assert.Contains("(3,)", e.Message);
    }

    [Fact]
    public void Value_and_grad_and_vjp_and_jvp_agree()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jnp.Array(new[] { 0.3, -1.2, 2.0 });
        var (v, g) = Jax.ValueAndGrad(SumLogistic)(x);
        Assert.Equal(SumLogistic(x).Item(), v.Item(), 12);
        var (y, pullback) = Jax.Vjp(SumLogistic, x);
        Assert.Equal(g.ToArray<double>(), pullback(Jnp.Array(1.0)).ToArray<double>());
        var t = Jnp.Array(new[] { 1.0, 0.5, -2.0 });
        var (_, dy) = Jax.Jvp(SumLogistic, x, t);
        Assert.Equal(Jnp.Vdot(g, t).Item(), dy.Item(), 12);
    }

    [Fact]
    public void Grad_over_a_pytree_returns_the_same_structure()
    {
        using var x64 = Jax.Config.X64Scope();
        var w = Jnp.Array(new[,] { { 0.5, -0.2 }, { 0.1, 0.3 } });
        var b = Jnp.Array(new[] { 0.1, -0.1 });
        var x = Jnp.Array(new[] { 1.0, 2.0 });
        var grads = Jax.Grad<Dictionary<string, Tensor>>(p => Jnp.Sum(Jnp.Tanh(Jnp.Dot(p["w"], x) + p["b"])))(new() { ["w"] = w, ["b"] = b });
        var z = Jnp.Tanh(Jnp.Dot(w, x) + b);
        var dz = 1.0 - z * z;
        Assert.True(Jnp.Allclose(grads["b"], dz, 1e-12).Item<bool>());
        Assert.True(Jnp.Allclose(grads["w"], Jnp.Outer(dz, x), 1e-12).Item<bool>());
    }

    [Fact]
    public void Stop_gradient_blocks_the_derivative()
    {
        var g = Jax.Grad((Func<Tensor, Tensor>)(x => x * Jax.StopGradient(x)))(Jnp.Array(3f));
        Assert.Equal(3f, g.Item<float>());
    }

    [Fact]
    public void Check_grads_passes_for_an_mlp_layer_to_second_order()
    {
        using var x64 = Jax.Config.X64Scope();
        var w = Jnp.Array(new[,] { { 0.5, -0.2, 0.3 }, { 0.1, 0.3, -0.7 } });
        var b = Jnp.Array(new[] { 0.1, -0.1 });
        GradientCheck.CheckGrads(x => Jnp.Tanh(Jnp.Dot(w, x) + b), Jnp.Array(new[] { 0.2, -0.4, 0.9 }), order: 2);
    }

    [Fact]
    public void Grad_through_a_scan_and_fori_loop_matches_finite_differences()
    {
        using var x64 = Jax.Config.X64Scope();
        static Tensor F(Tensor x) => Lax.ForiLoop(0, 4, (i, c) => Jnp.Sin(c) * x + c, x);
        var x0 = Jnp.Array(0.7);
        double eps = 1e-6;
        double fd = (F(Jnp.Array(0.7 + eps)).Item() - F(Jnp.Array(0.7 - eps)).Item()) / (2 * eps);
        Assert.Equal(fd, Jax.Grad(F)(x0).Item(), 6);
    }
}
