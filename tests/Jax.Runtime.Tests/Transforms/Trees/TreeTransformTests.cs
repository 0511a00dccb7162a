namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>Trees through Grad (argnums over several trees), Vjp, Jvp, Vmap (in_axes trees) and Jit.</summary>
public class TreeTransformTests
{
    private static readonly Tensor X = Jnp.Array(new float[,] { { 1, 2 }, { 3, -1 } });
    private static readonly Tensor Y = Jnp.Array(new float[] { 0.5f, -0.5f });

    private static List<(Tensor W, Tensor B)> Params() =>
        [(Jnp.Array(new float[,] { { 0.1f, 0.2f }, { -0.3f, 0.4f } }), Jnp.Array(new float[] { 0.1f, -0.1f })),
         (Jnp.Array(new float[,] { { 0.5f }, { -0.6f } }), Jnp.Array(new float[] { 0.2f }))];

    private static Tensor Loss(List<(Tensor W, Tensor B)> p, Tensor x, Tensor y)
    {
        var h = Jnp.Tanh(Jnp.Dot(x, p[0].W) + p[0].B);
        var o = Jnp.Dot(h, p[1].W) + p[1].B;
        return Jnp.Mean(Jnp.Square(Jnp.Reshape(o, -1) - y));
    }

    private static void Close(Tensor expected, Tensor actual, double tol = 1e-5) =>
        Assert.True(Jnp.Allclose(expected, actual, tol, tol).Item<bool>(), $"{expected} vs {actual}");

    [Fact]
    public void Grad_of_a_method_group_over_a_list_of_pairs_matches_finite_differences()
    {
        var p = Params();
        var g = Jax.Grad<List<(Tensor W, Tensor B)>>(Loss)(p, X, Y);
        Assert.Equal(2, g.Count);
        const float eps = 1e-2f;
        var bumped = new List<(Tensor W, Tensor B)> { p[0], (p[1].W, p[1].B + eps) };
        var lowered = new List<(Tensor W, Tensor B)> { p[0], (p[1].W, p[1].B - eps) };
        var fd = (Loss(bumped, X, Y) - Loss(lowered, X, Y)) / (2 * eps);
        Close(fd, g[1].B[0], 1e-3);
        var (value, vg) = Jax.ValueAndGrad<List<(Tensor W, Tensor B)>>(Loss)(p, X, Y);
        Close(Loss(p, X, Y), value);
        Close(g[0].W, vg[0].W);
    }

    [Fact]
    public void Grad_with_argnums_over_two_trees()
    {
        static Tensor F((Tensor A, Tensor B) p, Dictionary<string, Tensor> q) => Jnp.Sum(p.A * q["u"]) + Jnp.Sum(p.B * p.B * q["v"]);
        var p = (Jnp.Array(new float[] { 1, 2 }), Jnp.Array(new float[] { 3 }));
        var q = new Dictionary<string, Tensor> { ["u"] = Jnp.Array(new float[] { 5, 6 }), ["v"] = Jnp.Array(new float[] { 7 }) };
        var g0 = Jax.Grad<(Tensor A, Tensor B), Dictionary<string, Tensor>, (Tensor A, Tensor B)>(F, argnums: 0)(p, q);
        Assert.Equal(new float[] { 5, 6 }, g0.A.ToArray<float>());
        Assert.Equal(new float[] { 42 }, g0.B.ToArray<float>());
        var g1 = Jax.Grad<(Tensor A, Tensor B), Dictionary<string, Tensor>, Dictionary<string, Tensor>>(F, argnums: 1)(p, q);
        Assert.Equal(new float[] { 1, 2 }, g1["u"].ToArray<float>());
        Assert.Equal(new float[] { 9 }, g1["v"].ToArray<float>());
        var (ga, gb) = Jax.Grad<(Tensor A, Tensor B), Dictionary<string, Tensor>>(F, (0, 1))(p, q);
        Assert.Equal(new float[] { 42 }, ga.B.ToArray<float>());
        Assert.Equal(new float[] { 9 }, gb["v"].ToArray<float>());
        var wrongType = Assert.Throws<ArgumentException>(() => Jax.Grad<(Tensor A, Tensor B), Dictionary<string, Tensor>, (Tensor A, Tensor B)>(F, argnums: 1));
        Assert.Contains("argument 1 is a Dictionary<String, Tensor>", wrongType.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Jax.Grad<(Tensor A, Tensor B), Dictionary<string, Tensor>, (Tensor A, Tensor B)>(F, argnums: 2));
    }

    [Fact]
    public void Grad_over_a_PyTree_record_keeps_its_static_data()
    {
        var layer = new Dense(Jnp.Array(new float[] { 1, 2 }), Jnp.Array(3f), "l1");
        var g = Jax.Grad<Dense>(d => Jnp.Sum(d.W * d.W) * d.B)(layer);
        Assert.Equal("l1", g.Name);
        Assert.Equal(new float[] { 6, 12 }, g.W.ToArray<float>());
        Assert.Equal(5f, g.B.Item<float>());
    }

    [Fact]
    public void Vjp_of_two_trees_and_jvp_of_a_record_agree()
    {
        static List<Tensor> F((Tensor, Tensor) a, Tensor[] b) => [Jnp.Sin(a.Item1) * b[0], a.Item2 * b[1]];
        var a = (Jnp.Array(new float[] { 0.3f, 1.1f }), Jnp.Array(2f));
        var b = new[] { Jnp.Array(new float[] { 2, -1 }), Jnp.Array(0.5f) };
        var (outs, pullback) = Jax.Vjp<(Tensor, Tensor), Tensor[], List<Tensor>>(F, a, b);
        Close(F(a, b)[0], outs[0]);
        var (ca, cb) = pullback([Jnp.Array(new float[] { 1, 1 }), Jnp.Array(1f)]);
        Close(Jnp.Cos(a.Item1) * b[0], ca.Item1);
        Close(Jnp.Array(0.5f), ca.Item2);
        Close(Jnp.Sin(a.Item1), cb[0]);
        Assert.Throws<ArgumentException>(() => pullback([Jnp.Array(1f)]));

        var layer = new Dense(Jnp.Array(new float[] { 1, 2 }), Jnp.Array(3f), "l");
        var tangent = new Dense(Jnp.Array(new float[] { 1, 0 }), Jnp.Array(1f), "l");
        var (_, dot) = Jax.Jvp<Dense, Tensor>(d => Jnp.Sum(d.W * d.B), layer, tangent);
        Assert.Equal(6f, dot.Item<float>());
        var mismatch = Assert.Throws<ArgumentException>(() => Jax.Jvp<Dense, Tensor>(d => Jnp.Sum(d.W * d.B), layer, tangent with { Name = "other" }));
        Assert.Contains("Dense[other, True](*, *)", mismatch.Message);
    }

    [Fact]
    public void Vmap_with_per_leaf_in_axes_given_as_a_tree()
    {
        var batch = (Jnp.Reshape(Jnp.Arange(6, Jnp.Float32), 3, 2), Jnp.Array(new float[] { 10, 20 }));
        var r = Jax.Vmap<(Tensor X, Tensor Shift), Tensor>(t => t.X + t.Shift, (0, (int?)null))(batch);
        Assert.Equal(new float[] { 10, 21, 12, 23, 14, 25 }, r.ToArray<float>());
        var cols = Jax.Vmap<(Tensor X, Tensor Shift), Tensor>(t => Jnp.Sum(t.X) + t.Shift, new int?[] { 1, 0 })(batch);
        Assert.Equal(new float[] { 16, 29 }, cols.ToArray<float>());
        var d = new Dictionary<string, Tensor> { ["a"] = Jnp.Ones([4, 2]), ["b"] = Jnp.Array(3f) };
        var dr = Jax.Vmap<Dictionary<string, Tensor>, Tensor>(t => Jnp.Sum(t["a"]) * t["b"], new Dictionary<string, int?> { ["a"] = 0, ["b"] = null })(d);
        Assert.Equal(new float[] { 6, 6, 6, 6 }, dr.ToArray<float>());
        var two = Jax.Vmap<List<(Tensor W, Tensor B)>, Tensor, Tensor>((p, x) => Jnp.Dot(x, p[0].W) + p[0].B, (null, 0))(Params(), X);
        Close(Jnp.Dot(X, Params()[0].W) + Params()[0].B, two);
        var bad = Assert.Throws<ArgumentException>(() => Jax.Vmap<(Tensor X, Tensor Shift), Tensor>(t => t.X, new int?[] { 0, 0, 0 })(batch));
        Assert.Contains("tuple(*, *)", bad.Message);
    }

    [Fact]
    public void Jit_of_tree_functions_of_two_and_three_arguments()
    {
        int traces = 0;
        var f = Jax.Jit<List<(Tensor W, Tensor B)>, Tensor, Dictionary<string, Tensor>>((p, x) =>
        {
            traces++;
            return new Dictionary<string, Tensor> { ["out"] = Jnp.Dot(x, p[0].W) + p[0].B, ["n"] = Jnp.Sum(p[1].W) };
        });
        var r = f(Params(), X);
        Close(Jnp.Dot(X, Params()[0].W) + Params()[0].B, r["out"]);
        f(Params(), X);
        Assert.Equal(1, traces);
        var step = Jax.Jit<List<(Tensor W, Tensor B)>, Tensor, Tensor, List<(Tensor W, Tensor B)>>((p, x, y) =>
            Jax.Tree.Map((a, g) => a - 0.1f * g, p, Jax.Grad<List<(Tensor W, Tensor B)>>(Loss)(p, x, y)));
        var p2 = step(Params(), X, Y);
        Assert.True(Loss(p2, X, Y).Item<float>() < Loss(Params(), X, Y).Item<float>());
    }
}
