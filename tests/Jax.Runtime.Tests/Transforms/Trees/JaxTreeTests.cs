namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>Jax.Tree (jax.tree): Map over one and several trees, Leaves, Structure, Flatten, Unflatten, Reduce, All, Transpose.</summary>
public class JaxTreeTests
{
    private static Tensor S(float v) => Jnp.Array(v);

    private static List<(Tensor W, Tensor B)> Params(float start) => [(S(start), S(start + 1)), (S(start + 2), S(start + 3))];

    [Fact]
    public void Map_over_two_trees_combines_corresponding_leaves()
    {
        var p = Params(1);
        var g = Params(10);
        var updated = Jax.Tree.Map((a, b) => a - 0.1f * b, p, g);
        Assert.Equal(new[] { 0f, 0.9f, 1.8f, 2.7f }, Jax.Tree.Leaves(updated).Select(l => l.Item<float>()), new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void Map_over_three_and_many_trees()
    {
        var three = Jax.Tree.Map((a, b, c) => a + b + c, Params(0), Params(1), Params(2));
        Assert.Equal(new float[] { 3, 6, 9, 12 }, Jax.Tree.Leaves(three).Select(l => l.Item<float>()));
        var many = Jax.Tree.Map(xs => xs.Aggregate((a, b) => a * b), Params(1), Params(1), Params(1), Params(1));
        Assert.Equal(new float[] { 1, 16, 81, 256 }, Jax.Tree.Leaves(many).Select(l => l.Item<float>()));
    }

    [Fact]
    public void A_structure_mismatch_names_both_structures()
    {
        var a = new List<(Tensor, Tensor)> { (S(1), S(2)) };
        var b = new List<(Tensor, Tensor)> { (S(1), S(2)), (S(3), S(4)) };
        var e = Assert.Throws<ArgumentException>(() => Jax.Tree.Map((x, y) => x + y, a, b));
        Assert.Contains("List<(Tensor, Tensor)>(tuple(*, *), tuple(*, *))", e.Message);
        Assert.Contains("List<(Tensor, Tensor)>(tuple(*, *))", e.Message);
        var d1 = new Dictionary<string, Tensor> { ["a"] = S(1) };
        var d2 = new Dictionary<string, Tensor> { ["b"] = S(1) };
        var e2 = Assert.Throws<ArgumentException>(() => Jax.Tree.Map((x, y) => x + y, d1, d2));
        Assert.Contains("{b: *}", e2.Message);
        Assert.Contains("{a: *}", e2.Message);
    }

    [Fact]
    public void Flatten_and_unflatten_are_inverse_and_structures_compare_by_value()
    {
        var tree = (Params(1), new Dictionary<string, Tensor> { ["x"] = S(9) });
        var (leaves, def) = Jax.Tree.Flatten(tree);
        Assert.Equal(5, def.LeafCount);
        Assert.Equal(def, Jax.Tree.Structure((Params(5), new Dictionary<string, Tensor> { ["x"] = S(0) })));
        var back = Jax.Tree.Unflatten<(List<(Tensor W, Tensor B)>, Dictionary<string, Tensor>)>(def, leaves);
        Assert.Equal(9f, back.Item2["x"].Item<float>());
        Assert.Equal(4f, back.Item1[1].B.Item<float>());
        Assert.Throws<ArgumentException>(() => Jax.Tree.Unflatten<List<(Tensor W, Tensor B)>>(Jax.Tree.Structure(Params(0)), [S(1)]));
    }

    [Fact]
    public void Reduce_folds_the_leaves_and_All_tests_them()
    {
        var p = Params(1);
        Assert.Equal(10f, Jax.Tree.Reduce((a, b) => a + b, p).Item<float>());
        Assert.Equal(4, Jax.Tree.Reduce((n, _) => n + 1, p, 0));
        Assert.Throws<ArgumentException>(() => Jax.Tree.Reduce((a, b) => a + b, new List<Tensor>()));
        Assert.True(Jax.Tree.All(Jax.Tree.Map(x => x > 0, p)));
        Assert.False(Jax.Tree.All(Jax.Tree.Map(x => x > 2, p)));
        Assert.True(Jax.Tree.All(null));
    }

    [Fact]
    public void Transpose_turns_a_list_of_pairs_into_a_pair_of_lists()
    {
        var p = Params(1);
        var outer = Jax.Tree.Structure(new List<Tensor> { S(0), S(0) });
        var inner = Jax.Tree.Structure((S(0), S(0)));
        var t = Jax.Tree.Transpose<(List<Tensor>, List<Tensor>)>(outer, inner, p);
        Assert.Equal(new float[] { 1, 3 }, t.Item1.Select(l => l.Item<float>()));
        Assert.Equal(new float[] { 2, 4 }, t.Item2.Select(l => l.Item<float>()));
        Assert.Throws<ArgumentException>(() => Jax.Tree.Transpose<(List<Tensor>, List<Tensor>)>(inner, inner, p));
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
