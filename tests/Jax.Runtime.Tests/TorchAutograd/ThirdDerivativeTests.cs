namespace JaxToolchain.Runtime.Tests.TorchAutograd;

/// <summary>
/// Third derivatives of scalar functions in float64 against their closed forms, to 1e-12 relative, through nested
/// <c>Jax.Grad</c> and through the other compositions of forward and reverse mode. Points are kept away from
/// the zeros of the third derivative, where a relative bound means nothing.
/// </summary>
public sealed class ThirdDerivativeTests
{
    /// <summary>A function, its third derivative, and where to evaluate it.</summary>
    sealed record Case(Func<Tensor, Tensor> F, Func<double, double> Third, double[] Points);

    static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    static readonly Dictionary<string, Case> Cases = new()
    {
        ["sin"] = new(Jnp.Sin, x => -Math.Cos(x), [-2, -0.3, 0.4, 1.2, 2.9]),
        ["exp_times_square"] = new(x => Jnp.Exp(x) * x * x, x => Math.Exp(x) * (x * x + 6 * x + 6), [-3, -0.5, 0, 0.8, 2]),
        ["logistic"] = new(Lax.Logistic, x =>
        {
            double s = Logistic(x);
            return s * (1 - s) * (1 - 6 * s + 6 * s * s);
        }, [-2.5, -0.4, 0, 0.7, 3]),
        ["tanh"] = new(Jnp.Tanh, x =>
        {
            double t = Math.Tanh(x);
            return (1 - t * t) * (6 * t * t - 2);
        }, [-1.5, -0.2, 0.3, 1, 2]),
        ["x_log_x"] = new(x => x * Jnp.Log(x), x => -1 / (x * x), [0.3, 1, 2.5, 7]),
        ["erf"] = new(Lax.Erf, x => (8 * x * x - 4) / Math.Sqrt(Math.PI) * Math.Exp(-x * x), [-1.5, -0.2, 0, 0.4, 1.2]),
        ["arctan"] = new(Jnp.Arctan, x => (6 * x * x - 2) / Math.Pow(1 + x * x, 3), [-2, -0.2, 0, 1, 3]),
        ["sqrt_one_plus_square"] = new(x => Jnp.Sqrt(1 + x * x), x => -3 * x / Math.Pow(1 + x * x, 2.5), [-2, -0.5, 0.7, 3]),
    };

    /// <summary>The ways to take three derivatives: reverse (grad) and forward (jacfwd) mode, nested.</summary>
    static readonly Dictionary<string, Func<Func<Tensor, Tensor>, Func<Tensor, Tensor>>> Modes = new()
    {
        ["grad(grad(grad))"] = f => Jax.Grad(Jax.Grad(Jax.Grad(f))),
        ["jacfwd(grad(grad))"] = f => Jax.JacFwd(Jax.Grad(Jax.Grad(f))),
        ["grad(jacfwd(grad))"] = f => Jax.Grad(Jax.JacFwd(Jax.Grad(f))),
        ["jacfwd(jacfwd(jacfwd))"] = f => Jax.JacFwd(Jax.JacFwd(Jax.JacFwd(f))),
        ["jacrev(jacrev(jacrev))"] = f => Jax.JacRev(Jax.JacRev(Jax.JacRev(f))),
    };

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var f in Cases.Keys)
            foreach (var m in Modes.Keys) rows.Add(f, m);
        return rows;
    }

    [Theory, MemberData(nameof(Rows))]
    public void Third_derivative_equals_the_closed_form_to_1e_12_relative(string function, string mode)
    {
        using var x64 = Jax.Config.X64Scope();
        var c = Cases[function];
        var third = Modes[mode](c.F);
        foreach (var x in c.Points)
        {
            double expected = c.Third(x);
            var result = third(Jnp.Array(x));
            Assert.Equal(0, result.Ndim);
            double actual = result.Item();
            Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Abs(expected),
                $"{mode} of {function} at x = {x}: {actual:R}, closed form {expected:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):0.0e+0})");
        }
    }
}
