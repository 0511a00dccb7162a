namespace JaxToolchain.Runtime.Tests.TorchAutograd;

/// <summary>
/// <c>Jax.Vmap</c> of composite functions (layers, losses, scans, conds, gradients and Jacobians) against a loop
/// over the examples and a stack, in float64, with batch axes at different positions and unbatched arguments.
/// The batched program reorders no sums within an example, so the bound is rtol 1e-10 / atol 1e-12 as elsewhere.
/// </summary>
public sealed class VmapCompositeTests
{
    /// <summary>
    /// What vmap means: f applied to each example (argument i sliced along <paramref name="inAxes"/>[i], null:
    /// shared), the results stacked along <paramref name="outAxis"/>.
    /// </summary>
    static Tensor[] Loop(Func<Tensor[], Tensor[]> f, Tensor[] args, int?[] inAxes, int outAxis = 0)
    {
        long n = args.Select((a, i) => inAxes[i] is int axis ? a.ShapeAt(axis) : -1).Max();
        var results = new List<Tensor[]>();
        for (int k = 0; k < n; k++)
            results.Add(f(args.Select((a, i) => inAxes[i] is int axis ? Jnp.Moveaxis(a, axis, 0)[k] : a).ToArray()));
        return Enumerable.Range(0, results[0].Length).Select(j => Jnp.Stack(results.Select(r => r[j]), outAxis)).ToArray();
    }

    static void AssertVmapEqualsLoop(string what, Func<Tensor[], Tensor[]> f, Tensor[] args, int?[] inAxes, int outAxis = 0)
    {
        var batched = Jax.Vmap(f, inAxes, [.. Enumerable.Repeat((int?)outAxis, f(Slice(args, inAxes)).Length)])(args);
        var looped = Loop(f, args, inAxes, outAxis);
        Assert.Equal(looped.Length, batched.Length);
        for (int j = 0; j < looped.Length; j++)
            AutogradOracle.AssertClose($"{what}: result {j}", batched[j], looped[j]);
    }

    /// <summary>The first example of every batched argument (to count f's results).</summary>
    static Tensor[] Slice(Tensor[] args, int?[] inAxes) =>
        args.Select((a, i) => inAxes[i] is int axis ? Jnp.Moveaxis(a, axis, 0)[0] : a).ToArray();

    static Tensor Layer(Tensor w, Tensor b, Tensor x) => Jnp.Tanh(Jnp.Matmul(w, x) + b);

    static Tensor SquaredError(Tensor w, Tensor b, Tensor x, Tensor y) => Jnp.Sum(Jnp.Square(Layer(w, b, x) - y));

    static Random Rng(string name) => Draw.For(name);

    [Fact]
    public void Dense_layer_over_a_batch_of_inputs_with_shared_weights()
    {
        using var x64 = Jax.Config.X64Scope();
        var r = Rng("dense");
        Tensor[] args = [Draw.Uniform(r, -1, 1, 4, 3), Draw.Uniform(r, -1, 1, 4), Draw.Uniform(r, -1, 1, 6, 3)];
        AssertVmapEqualsLoop("dense layer", a => [Layer(a[0], a[1], a[2])], args, [null, null, 0]);
        AssertVmapEqualsLoop("dense layer, batch out at axis 1", a => [Layer(a[0], a[1], a[2])], args, [null, null, 0], outAxis: 1);
    }

    [Fact]
    public void Softmax_times_norm_over_columns()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Draw.Uniform(Rng("softmax_norm"), -2, 2, 5, 4);
        Func<Tensor[], Tensor[]> f = a => [Nn.Softmax(a[0]) * Jnp.Sqrt(Jnp.Sum(a[0] * a[0])), Nn.Logsumexp(a[0]) * Jnp.Cos(a[0])];
        AssertVmapEqualsLoop("softmax * norm, batch at axis 1", f, [x], [1]);
        AssertVmapEqualsLoop("softmax * norm, batch at axis 1 -> 1", f, [x], [1], outAxis: 1);
        AssertVmapEqualsLoop("softmax * norm, batch at axis -1", f, [x], [-1]);
    }

    [Fact]
    public void Matmul_of_arguments_batched_at_different_axes()
    {
        using var x64 = Jax.Config.X64Scope();
        var r = Rng("matmul_axes");
        Tensor[] args = [Draw.Uniform(r, -1, 1, 2, 4, 3), Draw.Uniform(r, -1, 1, 3, 4, 5), Draw.Uniform(r, -1, 1, 5)];
        AssertVmapEqualsLoop("tanh(a @ b) + c", a => [Jnp.Tanh(Jnp.Matmul(a[0], a[1])) + a[2]], args, [2, 0, null], outAxis: 1);
        AssertVmapEqualsLoop("einsum", a => [Jnp.Einsum("ij,jk->ik", a[0], Jnp.Sin(a[1]))], args[..2], [2, 0]);
    }

    [Fact]
    public void Cross_entropy_per_example()
    {
        using var x64 = Jax.Config.X64Scope();
        var logits = Draw.Uniform(Rng("xent"), -2, 2, 4, 3, 5);
        AssertVmapEqualsLoop("cross-entropy, batch at axis 1", a => [AutogradCases.CrossEntropy(a[0])], [logits], [1]);
    }

    [Fact]
    public void Sort_gather_cumsum_and_pad_over_a_middle_axis()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Draw.Separated(Rng("sort_gather"), Ir.DType.Float64, 0.3, 4, 3, 5);
        AssertVmapEqualsLoop("sort/gather/cumsum/pad", a =>
        {
            var v = a[0];
            var sorted = Jnp.Sort(v, 1);
            var picked = sorted[.., Jnp.Array(new[] { 4, 0, 2 })];
            var padded = Lax.Pad(picked, Jnp.Array(0.0, Ir.DType.Float64), [0, 1], [1, 0], [0, 1]);
            return [Jnp.Cumsum(padded, 0) * Jnp.Sum(Jnp.Exp(v[1..3, ..])), Jnp.Concatenate([v, -v], 1)];
        }, [x], [1], outAxis: 2);
    }

    [Fact]
    public void Scan_rnn_over_a_batch_of_sequences_with_shared_weights()
    {
        using var x64 = Jax.Config.X64Scope();
        var r = Rng("rnn_batch");
        Tensor[] args = [Draw.Uniform(r, -0.8, 0.8, 3, 3), Draw.Uniform(r, -0.8, 0.8, 3, 2), Draw.Uniform(r, -1, 1, 3), Draw.Uniform(r, -1, 1, 5, 4, 2)];
        AssertVmapEqualsLoop("rnn, sequences batched at axis 1", a => [AutogradCases.RnnStates(a[0], a[1], a[2], a[3])], args, [null, null, null, 1]);
        var h0s = Draw.Uniform(r, -1, 1, 3, 4);
        AssertVmapEqualsLoop("rnn, h0 batched at axis 1 and sequences at 0", a => [AutogradCases.RnnStates(a[0], a[1], a[2], a[3])],
            [args[0], args[1], h0s, Jnp.Moveaxis(args[3], 1, 0)], [null, null, 1, 0]);
    }

    [Fact]
    public void Cond_with_a_per_example_predicate()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Draw.Uniform(Rng("cond_batch"), -1, 1, 6, 3);
        AssertVmapEqualsLoop("cond on sum(x) > 0", a => [Lax.Cond(Jnp.Sum(a[0]) > 0, v => Jnp.Sin(v) * v, v => Jnp.Exp(v) - 1, a[0])], [x], [0]);
    }

    [Fact]
    public void Per_example_gradients_equal_a_loop_of_gradients()
    {
        using var x64 = Jax.Config.X64Scope();
        var r = Rng("per_example");
        Tensor[] args = [Draw.Uniform(r, -1, 1, 4, 3), Draw.Uniform(r, -1, 1, 4), Draw.Uniform(r, -1, 1, 6, 3), Draw.Uniform(r, -1, 1, 4, 6)];
        var grads = Jax.Grad(a => SquaredError(a[0], a[1], a[2], a[3]), 0, 1, 2);
        // Examples x at axis 0 and targets y at axis 1; gradients with respect to W, b and x for each example.
        AssertVmapEqualsLoop("per-example grad of W, b, x", grads, args, [null, null, 0, 1]);
        AssertVmapEqualsLoop("per-example grad, stacked at axis 1", grads, args, [null, null, 0, 1], outAxis: 1);
    }

    [Fact]
    public void Per_example_gradients_through_a_scan_rnn()
    {
        using var x64 = Jax.Config.X64Scope();
        var r = Rng("per_example_rnn");
        Tensor[] args = [Draw.Uniform(r, -0.8, 0.8, 3, 3), Draw.Uniform(r, -0.8, 0.8, 3, 2), Draw.Uniform(r, -1, 1, 3), Draw.Uniform(r, -1, 1, 4, 6, 2)];
        var grads = Jax.Grad(a => Jnp.Sum(Jnp.Square(AutogradCases.RnnStates(a[0], a[1], a[2], a[3]))), 0, 1, 3);
        // Six sequences of four steps, batched along axis 1; gradients with respect to W, U and each sequence.
        AssertVmapEqualsLoop("per-example grad of W, U, xs through scan", grads, args, [null, null, null, 1], outAxis: 1);
    }

    [Fact]
    public void Gradient_of_a_vmapped_loss_is_the_sum_of_per_example_gradients()
    {
        using var x64 = Jax.Config.X64Scope();
        var r = Rng("grad_of_vmap");
        Tensor[] args = [Draw.Uniform(r, -1, 1, 4, 3), Draw.Uniform(r, -1, 1, 4), Draw.Uniform(r, -1, 1, 6, 3), Draw.Uniform(r, -1, 1, 6, 4)];
        var perExample = Jax.Vmap(a => [SquaredError(a[0], a[1], a[2], a[3])], [null, null, 0, 0]);
        var total = Jax.Grad(a => Jnp.Sum(perExample(a)[0]), 0, 1)(args);
        var each = Jax.Grad(a => SquaredError(a[0], a[1], a[2], a[3]), 0, 1);
        var summed = Loop(each, args, [null, null, 0, 0]).Select(g => Jnp.Sum(g, 0)).ToArray();
        AutogradOracle.AssertClose("grad of vmap, W", total[0], summed[0]);
        AutogradOracle.AssertClose("grad of vmap, b", total[1], summed[1]);
    }

    [Fact]
    public void Per_example_jacobians_and_hessians()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Draw.Uniform(Rng("per_example_jac"), -2, 2, 4, 5);
        AssertVmapEqualsLoop("vmap(jacrev(softmax))", a => [Jax.JacRev(v => Nn.Softmax(v))(a[0])], [x], [0]);
        AssertVmapEqualsLoop("vmap(jacfwd(softmax)) over axis 1", a => [Jax.JacFwd(v => Nn.Softmax(v))(a[0])], [x], [1]);
        AssertVmapEqualsLoop("vmap(hessian(logsumexp))", a => [Jax.Hessian(v => Nn.Logsumexp(v))(a[0])], [x], [0], outAxis: 2);
    }
}
