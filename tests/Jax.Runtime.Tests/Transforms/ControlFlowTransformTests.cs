namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>
/// <c>Jax.Vmap</c>, <c>Jax.Grad</c> and <c>Jax.Jvp</c> of <c>Lax.Cond</c>, <c>Switch</c>, <c>WhileLoop</c>,
/// <c>Scan</c>, <c>Map</c> and <c>ForiLoop</c>: batching against the same loops run per example, derivatives
/// against closed forms and numerical checks.
/// </summary>
public class ControlFlowTransformTests
{
    private static float[] Row(float[] matrix, int columns, int r) => matrix.Skip(r * columns).Take(columns).ToArray();

    [Fact]
    public void Vmap_of_cond_with_a_batched_predicate_picks_each_examples_branch()
    {
        var f = Jax.Vmap(x => Lax.Cond(x > 0, v => v * 2, v => -v, x));
        var r = f(Jnp.Array(new float[] { -1, 2, -3, 4, 0 }));
        Assert.Equal(new float[] { 1, 4, 3, 8, 0 }, r.ToArray<float>());
    }

    [Fact]
    public void Vmap_of_cond_with_an_unbatched_predicate_runs_one_branch_for_all()
    {
        var f = Jax.Vmap((x, flag) => Lax.Cond(flag, v => v * 2, v => v - 1, x), (0, null));
        var xs = Jnp.Array(new float[] { 1, 2, 3 });
        Assert.Equal(new float[] { 2, 4, 6 }, f(xs, Jnp.Array(true)).ToArray<float>());
        Assert.Equal(new float[] { 0, 1, 2 }, f(xs, Jnp.Array(false)).ToArray<float>());
    }

    [Fact]
    public void Vmap_of_switch_with_a_batched_index_clamps_it_per_example()
    {
        var f = Jax.Vmap((i, x) => Lax.Switch(i, [a => [a[0] + 10], a => [a[0] * a[0]], a => [-a[0]]], x)[0], (0, 0));
        var r = f(Jnp.Array(new[] { 0, 1, 2, -4, 9 }), Jnp.Array(new float[] { 1, 2, 3, 4, 5 }));
        Assert.Equal(new float[] { 11, 4, -3, 14, -5 }, r.ToArray<float>());
    }

    [Fact]
    public void Vmap_of_a_while_loop_runs_each_example_to_its_own_trip_count()
    {
        static float Loop(float c)
        {
            while (c < 10) c = c * 2 + 1;
            return c;
        }
        var start = new float[] { 0.5f, 3, 12, -0.75f, 9.5f };
        var f = Jax.Vmap(x => Lax.WhileLoop(c => c < 10, c => c * 2 + 1, x));
        Assert.Equal(start.Select(Loop).ToArray(), f(Jnp.Array(start)).ToArray<float>());
    }

    [Fact]
    public void Vmap_of_a_while_loop_with_a_batched_bound_in_its_condition()
    {
        // Sum of 1..n for a batched n: the predicate depends on a batched constant of the condition.
        var f = Jax.Vmap(n => Lax.WhileLoop(c => c[0] <= n, c => [c[0] + 1, c[1] + c[0]], Jnp.Array(1), Jnp.Array(0))[1]);
        var r = f(Jnp.Array(new[] { 0, 1, 4, 10 }));
        Assert.Equal(new[] { 0, 1, 10, 55 }, r.ToArray<int>());
    }

    [Fact]
    public void Vmap_of_a_scan_computes_each_rows_running_sum()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
        var rows = Jnp.Reshape(Jnp.Array(data), 3, 4);
        var f = Jax.Vmap(row => Lax.Scan((c, x) => (c + x, c + x), Jnp.Array(0f), row).Ys);
        var r = f(rows).ToArray<float>();
        var cols = Jax.Vmap(row => Lax.Scan((c, x) => (c + x, c + x), Jnp.Array(0f), row).Ys, inAxis: 1, outAxis: 1);
        var rc = cols(Jnp.Reshape(Jnp.Array(data), 4, 3)).ToArray<float>();
        for (int i = 0; i < 3; i++)
        {
            float sum = 0;
            for (int j = 0; j < 4; j++)
            {
                sum += data[i * 4 + j];
                Assert.Equal(sum, r[i * 4 + j]);
            }
            sum = 0;
            for (int j = 0; j < 4; j++)
            {
                sum += data[j * 3 + i];
                Assert.Equal(sum, rc[j * 3 + i]);
            }
        }
    }

    [Fact]
    public void Vmap_of_map_over_a_closed_over_batched_scale()
    {
        var xs = Jnp.Reshape(Jnp.Array(new float[] { 1, 2, 3, 4, 5, 6 }), 3, 2);
        var f = Jax.Vmap(s => Lax.Map(row => Jnp.Sum(row * s), xs));
        var r = f(Jnp.Array(new float[] { 1, 10 })).ToArray<float>();
        Assert.Equal(new float[] { 3, 7, 11, 30, 70, 110 }, r);
    }

    [Fact]
    public void Vmap_of_a_fori_loop_rnn_matches_the_loop_per_example()
    {
        var w = new float[] { 0.5f, -0.25f, 0.75f };
        var h0 = new float[] { 0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f };
        Tensor Rnn(Tensor h) => Lax.ForiLoop(0, 4, (i, c) => Jnp.Tanh(c * Jnp.Array(w) + Jnp.Astype(i, Jnp.Float32)), h);
        var r = Jax.Vmap(Rnn)(Jnp.Reshape(Jnp.Array(h0), 2, 3)).ToArray<float>();
        for (int b = 0; b < 2; b++)
            Assert.Equal(Rnn(Jnp.Array(Row(h0, 3, b))).ToArray<float>(), r.Skip(b * 3).Take(3).ToArray());
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(-0.5)]
    public void Grad_of_cond_differentiates_the_branch_taken(double x)
    {
        using var x64 = Jax.Config.X64Scope();
        var g = Jax.Grad((Func<Tensor, Tensor>)(v => Lax.Cond(v > 0, a => Jnp.Sin(a) * a, a => a * a * a, v)));
        double expected = x > 0 ? Math.Cos(x) * x + Math.Sin(x) : 3 * x * x;
        Assert.Equal(expected, g(Jnp.Array(x)).Item(), 12);
    }

    [Fact]
    public void Grad_of_a_fori_loop_polynomial_matches_its_derivative()
    {
        using var x64 = Jax.Config.X64Scope();
        // Horner: acc ← acc x + 1 six times from 0 gives p(x) = Σ_{k<6} xᵏ.
        var g = Jax.Grad((Func<Tensor, Tensor>)(x => Lax.ForiLoop(0, 6, (i, acc) => acc * x + 1.0, Jnp.Array(0.0))));
        foreach (var x in new[] { -1.5, 0.3, 2.0 })
            Assert.Equal(Enumerable.Range(1, 5).Sum(k => k * Math.Pow(x, k - 1)), g(Jnp.Array(x)).Item(), 10);
    }

    [Fact]
    public void Jvp_of_a_while_loop_with_a_dynamic_trip_count_matches_its_derivative()
    {
        using var x64 = Jax.Config.X64Scope();
        Tensor P(Tensor x, Tensor n) => Lax.WhileLoop(c => c[0] < n, c => [c[0] + 1, c[1] * x + 1.0], Jnp.Array(0), Jnp.Array(0.0))[1];
        foreach (var (x, n) in new[] { (0.5, 4), (-1.25, 7) })
        {
            var (value, tangent) = Jax.Jvp(a => [P(a[0], Jnp.Array(n))], [Jnp.Array(x)], [Jnp.Array(1.0)]);
            Assert.Equal(Enumerable.Range(0, n).Sum(k => Math.Pow(x, k)), value[0].Item(), 12);
            Assert.Equal(Enumerable.Range(1, n - 1).Sum(k => k * Math.Pow(x, k - 1)), tangent[0].Item(), 10);
        }
    }

    [Fact]
    public void Grad_of_a_while_loop_raises_the_reverse_mode_error()
    {
        var g = Jax.Grad((Func<Tensor, Tensor>)(x => Lax.WhileLoop(c => c < 10, c => c * 2, x)));
        var e = Assert.ThrowsAny<Exception>(() => g(Jnp.Array(1.5f)));
        Assert.Contains("reverse-mode differentiation does not work for while loops with a dynamic trip count", e.Message);
    }

    private static Tensor Rnn(Tensor w, Tensor b, Tensor h0, Tensor xs) =>
        Lax.Scan(a =>
        {
            var h = Jnp.Tanh(w * a[0] + a[1] + b);
            return [h, h * a[1]];
        }, [h0], [xs]).Ys[0];

    [Fact]
    public void Derivatives_of_an_rnn_scan_pass_numerical_checks_to_second_order()
    {
        using var x64 = Jax.Config.X64Scope();
        var rng = new Random(3);
        Tensor Rand(params int[] shape) => Jnp.Array<double>(Enumerable.Range(0, shape.Aggregate(1, (p, d) => p * d)).Select(_ => rng.NextDouble() * 2 - 1).ToArray(), shape);
        GradientCheck.CheckGrads(a => [Rnn(a[0], a[1], a[2], a[3])], [Rand(3), Rand(3), Rand(3), Rand(4, 3)], order: 2);
    }

    [Fact]
    public void Vmap_of_grad_through_a_scan_matches_grad_per_example()
    {
        using var x64 = Jax.Config.X64Scope();
        var w = Jnp.Array(new[] { 0.5, -0.25, 0.75 });
        var xs = Jnp.Reshape(Jnp.Array(new[] { 0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8 }), 4, 2);
        // Gradient with respect to a batch of scalar biases b of Σ ys, ys from h ← tanh(w h + x + b).
        var grad = Jax.Grad((Func<Tensor, Tensor>)(b => Jnp.Sum(Rnn(w[..2], b, Jnp.Zeros(2), xs))));
        var bs = Jnp.Array(new[] { -0.5, 0.0, 0.5 });
        var batched = Jax.Vmap(grad)(bs).ToArray<double>();
        for (int i = 0; i < 3; i++)
            Assert.Equal(grad(bs[i]).Item(), batched[i], 14);
    }

    [Fact]
    public void Grad_through_vmap_of_cond_with_a_batched_predicate()
    {
        using var x64 = Jax.Config.X64Scope();
        var f = Jax.Vmap(x => Lax.Cond(x > 0, v => v * v, v => Jnp.Sin(v), x));
        var g = Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(f(x))));
        var xs = new[] { -1.0, 0.5, 2.0, -0.25 };
        var r = g(Jnp.Array(xs)).ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
            Assert.Equal(xs[i] > 0 ? 2 * xs[i] : Math.Cos(xs[i]), r[i], 14);
    }
}
