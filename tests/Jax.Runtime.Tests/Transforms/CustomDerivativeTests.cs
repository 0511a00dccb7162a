using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>
/// <c>Jax.CustomJvp</c>, <c>Jax.CustomVjp</c> and <c>Jax.Checkpoint</c> under grad, jvp, vmap and jit: JAX's examples
/// from "Custom derivative rules for JAX-transformable Python functions" (log1pexp, gradient clipping), against
/// closed forms and central differences.
/// </summary>
public class CustomDerivativeTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static Tensor Log1pexpNaive(Tensor x) => Jnp.Log(1.0 + Jnp.Exp(x));

    /// <summary>JAX's log1pexp: its JVP rule calls the function itself for the primal output.</summary>
    private static Func<Tensor, Tensor> MakeLog1pexp()
    {
        Func<Tensor, Tensor>? log1pexp = null;
        log1pexp = Jax.CustomJvp(Log1pexpNaive, (x, t) => (log1pexp!(x), (1.0 - 1.0 / (1.0 + Jnp.Exp(x))) * t));
        return log1pexp;
    }

    /// <summary>JAX's clip_gradient(lo, hi, x): the identity, whose cotangent is clipped to [lo, hi].</summary>
    private static readonly Func<Tensor[], Tensor[]> ClipGradient = Jax.CustomVjp(
        a => [a[2]],
        a => ([a[2]], [a[0], a[1]]),
        (res, ct) => [null!, null!, Jnp.Clip(ct[0], res[0], res[1])]);

    private static Tensor ClipSin(Tensor x) => Jnp.Sin(ClipGradient([-0.75, 0.75, x])[0]);

    /// <summary>The numerical derivative of a scalar function of a scalar, by central differences in float64.</summary>
    private static double CentralDifference(Func<Tensor, Tensor> f, double x, double h = 1e-6) =>
        (f(Jnp.Array(x + h)).Item() - f(Jnp.Array(x - h)).Item()) / (2 * h);

    private static void AssertClose(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tol * (1 + Math.Abs(expected)), $"{what}: {actual}, expected {expected}");

    // ---- custom_jvp ----

    [Fact]
    public void Log1pexp_grad_at_100_is_one_where_the_naive_grad_is_nan()
    {
        Assert.True(float.IsNaN(Jax.Grad(Log1pexpNaive)(Jnp.Array(100f)).Item<float>()));
        var log1pexp = MakeLog1pexp();
        Assert.Equal(1f, Jax.Grad(log1pexp)(Jnp.Array(100f)).Item<float>());
        Assert.Equal(float.PositiveInfinity, log1pexp(Jnp.Array(100f)).Item<float>());
        foreach (var x in new[] { -3f, 0f, 2f })
        {
            Assert.Equal(MathF.Log(1 + MathF.Exp(x)), log1pexp(Jnp.Array(x)).Item<float>(), 6);
            Assert.Equal(Sigmoid(x), Jax.Grad(log1pexp)(Jnp.Array(x)).Item<float>(), 6);
        }
    }

    [Fact]
    public void Log1pexp_forward_mode_uses_the_custom_rule()
    {
        var (y, t) = Jax.Jvp(MakeLog1pexp(), Jnp.Array(100f), Jnp.Array(2f));
        Assert.Equal(float.PositiveInfinity, y.Item<float>());
        Assert.Equal(2f, t.Item<float>());
    }

    [Fact]
    public void The_rule_calling_its_own_function_keeps_the_custom_rule_for_the_primal_output()
    {
        // jvp(x -> jvp(log1pexp)(x).primal): the inner call inside the rule differentiates with the rule too.
        var log1pexp = MakeLog1pexp();
        var (y, t) = Jax.Jvp((Func<Tensor, Tensor>)(x => Jax.Jvp(log1pexp, x, Jnp.OnesLike(x)).Output), Jnp.Array(100f), Jnp.Array(1f));
        Assert.Equal(float.PositiveInfinity, y.Item<float>());
        Assert.Equal(1f, t.Item<float>());
    }

    [Fact]
    public void Second_derivative_through_custom_jvp_matches_the_closed_form()
    {
        using var x64 = Jax.Config.X64Scope();
        var log1pexp = MakeLog1pexp();
        var second = Jax.Grad(Jax.Grad(log1pexp));
        var forwardOverReverse = Jax.JacFwd(Jax.Grad(log1pexp));
        foreach (var x in new[] { -2.0, 0.0, 0.7, 5.0 })
        {
            double s = Sigmoid(x);
            Assert.Equal(s * (1 - s), second(Jnp.Array(x)).Item(), 14);
            Assert.Equal(s * (1 - s), forwardOverReverse(Jnp.Array(x)).Item(), 14);
        }
    }

    [Fact]
    public void Custom_jvp_gradients_match_central_differences()
    {
        using var x64 = Jax.Config.X64Scope();
        var log1pexp = MakeLog1pexp();
        foreach (var x in new[] { -1.5, 0.3, 4.0 })
            AssertClose(CentralDifference(log1pexp, x), Jax.Grad(log1pexp)(Jnp.Array(x)).Item(), 1e-8, $"grad at {x}");
        GradientCheck.CheckGrads(log1pexp, Jnp.Array(new[] { -1.5, 0.3, 4.0 }), order: 2);
    }

    [Fact]
    public void Vmap_of_custom_jvp_and_of_its_grad()
    {
        var log1pexp = MakeLog1pexp();
        var x = Jnp.Array(new[] { -100f, 0f, 100f });
        Assert.Equal([0f, 0.5f, 1f], Jax.Vmap(Jax.Grad(log1pexp))(x).ToArray<float>());
        Assert.Equal([0f, MathF.Log(2), float.PositiveInfinity], Jax.Vmap(log1pexp)(x).ToArray<float>());
        // Grad of a vmapped custom_jvp: the batched call keeps the custom rule.
        var g = Jax.Grad((Func<Tensor, Tensor>)(v => Jnp.Sum(Jax.Vmap(log1pexp)(v))))(x);
        Assert.Equal([0f, 0.5f, 1f], g.ToArray<float>());
    }

    [Fact]
    public void Jit_of_custom_jvp_and_of_its_grad()
    {
        var log1pexp = MakeLog1pexp();
        Assert.Equal(MathF.Log(1 + MathF.Exp(1.5f)), Jax.Jit(log1pexp)(Jnp.Array(1.5f)).Item<float>(), 6);
        Assert.Equal(1f, Jax.Jit(Jax.Grad(log1pexp))(Jnp.Array(100f)).Item<float>());
        Assert.Equal(1f, Jax.Grad(Jax.Jit(log1pexp))(Jnp.Array(100f)).Item<float>());
        var jaxpr = Jax.MakeJaxpr(log1pexp, Jnp.Array(1f));
        Assert.Contains("custom_jvp_call", jaxpr);
    }

    [Fact]
    public void Custom_jvp_with_several_arguments_and_a_closed_over_constant()
    {
        using var x64 = Jax.Config.X64Scope();
        // f(x, y) = x·y·w with the true JVP; w is closed over and not differentiated.
        var grad = Jax.Grad(args =>
        {
            var w = Jnp.Exp(args[2]);
            var f = Jax.CustomJvp(a => [a[0] * a[1] * w], (a, t) => ([a[0] * a[1] * w], [(t[0] * a[1] + a[0] * t[1]) * w]));
            return f([args[0], args[1]])[0];
        }, 0, 1);
        var g = grad([Jnp.Array(2.0), Jnp.Array(3.0), Jnp.Array(0.5)]);
        Assert.Equal(3 * Math.Exp(0.5), g[0].Item(), 14);
        Assert.Equal(2 * Math.Exp(0.5), g[1].Item(), 14);
    }

    [Fact]
    public void Custom_rules_get_integer_zeros_for_integer_arguments()
    {
        using var x64 = Jax.Config.X64Scope();
        // x^n with an integer n: the rule sees n's tangent as int64 zeros and returns none for it.
        var power = Jax.CustomJvp(a => [Jnp.Power(a[0], a[1])],
            (a, t) =>
            {
                Assert.Equal(DType.Int64, t[1].DType);
                return ([Jnp.Power(a[0], a[1])], [t[0] * a[1] * Jnp.Power(a[0], a[1] - 1)]);
            });
        var g = Jax.Grad(args => power(args)[0], 0)([Jnp.Array(1.5), Jnp.Array(3L)]);
        Assert.Equal(3 * 1.5 * 1.5, g[0].Item(), 14);
        var scaled = Jax.CustomVjp(a => [a[0] * a[1]], a => ([a[0] * a[1]], [a[1]]), (r, ct) => [ct[0] * r[0], null!]);
        Assert.Equal(3.0, Jax.Grad(args => scaled(args)[0], 0)([Jnp.Array(1.5), Jnp.Array(3L)])[0].Item());
    }

    [Fact]
    public void Differentiating_a_value_a_custom_jvp_function_closes_over_is_an_error()
    {
        var e = Assert.Throws<JaxTypeException>(() => Jax.Grad((Func<Tensor, Tensor>)(w =>
            Jax.CustomJvp(x => x * w, (x, t) => (x * w, t * w))(Jnp.Array(2f))))(Jnp.Array(3f)));
        Assert.Contains("custom_jvp_call: cannot differentiate with respect to a value the function closes over", e.Message);
    }

    [Fact]
    public void A_jvp_rule_whose_tangent_has_the_wrong_shape_is_an_error_naming_both_types()
    {
        var f = Jax.CustomJvp(x => x * 2.0, (x, t) => (x * 2.0, Jnp.Sum(t)));
        var e = Assert.Throws<JaxTypeException>(() => Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(f(x))))(Jnp.Zeros(3)));
        Assert.Contains("custom_jvp: the jvp rule's tangent output 0 is float32[], but its primal is float32[3]", e.Message);
    }

    // ---- custom_vjp ----

    [Fact]
    public void Clip_gradient_clips_the_cotangent_of_sin()
    {
        var t = Jnp.Linspace(0, 10, 50);
        var values = Jax.Vmap(ClipSin)(t).ToArray<float>();
        var grads = Jax.Vmap(Jax.Grad(ClipSin))(t).ToArray<float>();
        var ts = t.ToArray<float>();
        for (int i = 0; i < ts.Length; i++)
        {
            Assert.Equal(MathF.Sin(ts[i]), values[i], 6);
            Assert.Equal(Math.Clamp(MathF.Cos(ts[i]), -0.75f, 0.75f), grads[i], 6);
        }
    }

    [Fact]
    public void Grad_of_a_vmapped_custom_vjp_runs_bwd_per_example()
    {
        var t = Jnp.Array(new[] { 0f, 1f, 2f, 3f });
        var g = Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(Jax.Vmap(ClipSin)(x))))(t).ToArray<float>();
        Assert.Equal(new[] { 0.75f, MathF.Cos(1f), MathF.Cos(2f), -0.75f }, g);
    }

    [Fact]
    public void Jit_of_custom_vjp_and_of_its_grad()
    {
        Assert.Equal(MathF.Sin(0.5f), Jax.Jit(ClipSin)(Jnp.Array(0.5f)).Item<float>(), 6);
        Assert.Equal(0.75f, Jax.Jit(Jax.Grad(ClipSin))(Jnp.Array(0.1f)).Item<float>());
        Assert.Equal(0.75f, Jax.Grad(Jax.Jit(ClipSin))(Jnp.Array(0.1f)).Item<float>());
        Assert.Contains("custom_vjp_call", Jax.MakeJaxpr(ClipSin, Jnp.Array(1f)));
    }

    [Fact]
    public void Forward_mode_through_custom_vjp_is_the_jax_error()
    {
        const string message = "custom_vjp: can't apply forward-mode autodiff (jvp) to a custom_vjp function";
        var e = Assert.Throws<JaxTypeException>(() => Jax.Jvp(ClipSin, Jnp.Array(0.1f), Jnp.Array(1f)));
        Assert.StartsWith(message, e.Message);
        e = Assert.Throws<JaxTypeException>(() => Jax.JacFwd(ClipSin)(Jnp.Array(0.1f)));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Custom_vjp_with_residuals_matches_central_differences_and_grad_of_grad()
    {
        using var x64 = Jax.Config.X64Scope();
        // f(x) = sin(x)·x with its true VJP: residuals (sin x, cos x, x).
        var f = Jax.CustomVjp(
            x => Jnp.Sin(x) * x,
            x => (Jnp.Sin(x) * x, [Jnp.Sin(x), Jnp.Cos(x), x]),
            (r, ct) => ct * (r[0] + r[2] * r[1]));
        foreach (var x in new[] { -1.2, 0.4, 2.5 })
        {
            double first = Math.Sin(x) + x * Math.Cos(x);
            AssertClose(first, Jax.Grad(f)(Jnp.Array(x)).Item(), 1e-14, $"grad at {x}");
            AssertClose(CentralDifference(f, x), Jax.Grad(f)(Jnp.Array(x)).Item(), 1e-8, $"grad vs central difference at {x}");
            AssertClose(2 * Math.Cos(x) - x * Math.Sin(x), Jax.Grad(Jax.Grad(f))(Jnp.Array(x)).Item(), 1e-14, $"second derivative at {x}");
        }
    }

    [Fact]
    public void A_bwd_returning_the_wrong_number_of_cotangents_is_an_error()
    {
        var f = Jax.CustomVjp(a => [a[0] * a[1]], a => ([a[0] * a[1]], [a[0], a[1]]), (r, ct) => [ct[0] * r[1]]);
        var e = Assert.Throws<JaxTypeException>(() => Jax.Grad(args => f(args)[0])([Jnp.Array(1f), Jnp.Array(2f)]));
        Assert.Contains("custom_vjp: bwd's cotangents (one per argument) are 1 values, but the function has 2", e.Message);
    }

    // ---- checkpoint ----

    private static Tensor SinSinTimesX(Tensor x) => Jnp.Sum(Jnp.Sin(Jnp.Sin(x)) * x);

    private static Tensor RematSinSinTimesX(Tensor x) => Jnp.Sum(Jax.Checkpoint((Func<Tensor, Tensor>)(v => Jnp.Sin(Jnp.Sin(v))))(x) * x);

    [Fact]
    public void Checkpoint_gives_the_same_gradients_as_without_it()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jnp.Array(new[] { 0.3, -0.7, 1.2, 2.0 });
        var expected = Jax.Grad(SinSinTimesX)(x).ToArray<double>();
        var actual = Jax.Grad(RematSinSinTimesX)(x).ToArray<double>();
        var xs = x.ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
        {
            double closed = Math.Sin(Math.Sin(xs[i])) + xs[i] * Math.Cos(Math.Sin(xs[i])) * Math.Cos(xs[i]);
            Assert.Equal(closed, actual[i], 14);
            Assert.Equal(expected[i], actual[i], 14);
        }
        Assert.Equal(RematSinSinTimesX(x).Item(), SinSinTimesX(x).Item(), 15);
        GradientCheck.CheckGrads(RematSinSinTimesX, x, order: 2);
    }

    [Fact]
    public void Grad_of_checkpoint_recomputes_the_sines_in_the_backward_pass()
    {
        static IEnumerable<Operation> All(Block b) => b.Operations.SelectMany(op => op.Regions.SelectMany(All).Prepend(op));
        static int Count(string jaxpr, Primitive p) => All(IrParser.ParseFunction(jaxpr).Body).Count(op => op.Primitive == p);
        var x = Jnp.Array(new[] { 0.3f, -0.7f });
        var plain = Jax.MakeJaxpr(Jax.Grad(SinSinTimesX), x);
        var remat = Jax.MakeJaxpr(Jax.Grad(RematSinSinTimesX), x);
        // Plain: two sines forward, the cosines saved for the backward pass. Remat: the backward pass is a
        // checkpoint that computes sin(x) again (3 sines in all) next to the forward checkpoint.
        Assert.Equal(2, Count(plain, Prims.Sin));
        Assert.Equal(3, Count(remat, Prims.Sin));
        Assert.Equal(2, Count(remat, Prims.Checkpoint));
    }

    [Fact]
    public void Vmap_jit_and_second_order_grad_of_checkpoint()
    {
        using var x64 = Jax.Config.X64Scope();
        var f = Jax.Checkpoint((Func<Tensor, Tensor>)(v => Jnp.Sin(v) * v));
        var xs = Jnp.Array(new[] { -1.3, 0.4, 2.2 });
        var second = Jax.Vmap(Jax.Jit(Jax.Grad(Jax.Grad(f))))(xs).ToArray<double>();
        var values = Jax.Jit(Jax.Vmap(f))(xs).ToArray<double>();
        var v = xs.ToArray<double>();
        for (int i = 0; i < v.Length; i++)
        {
            Assert.Equal(Math.Sin(v[i]) * v[i], values[i], 15);
            Assert.Equal(2 * Math.Cos(v[i]) - v[i] * Math.Sin(v[i]), second[i], 13);
        }
    }

    [Fact]
    public void Checkpoint_around_a_loop_and_a_custom_jvp_gives_the_gradient_without_it()
    {
        using var x64 = Jax.Config.X64Scope();
        var log1pexp = MakeLog1pexp();
        Tensor Body(Tensor v) => Lax.ForiLoop(0, 3, (i, c) => log1pexp(Jnp.Sin(c) * v), v);
        var plain = Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(Body(x) * x)));
        var remat = Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(Jax.Checkpoint((Func<Tensor, Tensor>)Body)(x) * x)));
        var xs = Jnp.Array(new[] { 0.3, -1.1, 2.0 });
        var expected = plain(xs).ToArray<double>();
        var actual = remat(xs).ToArray<double>();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], actual[i], 13);
        var h = 1e-6;
        for (int i = 0; i < 3; i++)
        {
            var e = Jnp.Array(Enumerable.Range(0, 3).Select(k => k == i ? h : 0).ToArray());
            double fd = (Jnp.Sum(Body(xs + e) * (xs + e)).Item() - Jnp.Sum(Body(xs - e) * (xs - e)).Item()) / (2 * h);
            AssertClose(fd, actual[i], 1e-7, $"gradient {i} vs central difference");
        }
    }

    [Fact]
    public void Vmap_of_custom_jvp_closing_over_a_batched_value()
    {
        using var x64 = Jax.Config.X64Scope();
        Tensor[] PerExample(Tensor[] args)
        {
            var w = args[0];
            var scale = Jax.CustomJvp(a => [a[0] * w], (a, t) => ([a[0] * w], [t[0] * w]));
            var y = scale([args[1]])[0];
            var g = Jax.Grad((Func<Tensor, Tensor>)(x => scale([x])[0]))(args[1]);
            return [y, g];
        }
        var ws = Jnp.Array(new[] { 2.0, -3.0, 0.5 });
        var xs = Jnp.Array(new[] { 1.0, 4.0, -2.0 });
        var outs = Jax.Vmap(PerExample, [0, 0])([ws, xs]);
        Assert.Equal([2.0, -12.0, -1.0], outs[0].ToArray<double>());
        Assert.Equal([2.0, -3.0, 0.5], outs[1].ToArray<double>());
    }
}
