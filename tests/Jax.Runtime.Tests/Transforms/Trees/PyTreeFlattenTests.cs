namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>Flattening and rebuilding every kind of tree: tuples of any arity, lists, arrays, dictionaries, records, null.</summary>
public class PyTreeFlattenTests
{
    private static Tensor S(float v) => Jnp.Array(v);

    private static float[] Values(object? tree) => Jax.Tree.Leaves(tree).Select(l => l.Item<float>()).ToArray();

    [Fact]
    public void A_list_of_named_pairs_flattens_in_order_and_rebuilds_its_type()
    {
        var p = new List<(Tensor W, Tensor B)> { (S(1), S(2)), (S(3), S(4)) };
        var (leaves, def) = Jax.Tree.Flatten(p);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, leaves.Select(l => l.Item<float>()));
        Assert.Equal("List<(Tensor, Tensor)>(tuple(*, *), tuple(*, *))", def.ToString());
        var rebuilt = Jax.Tree.Unflatten<List<(Tensor W, Tensor B)>>(def, leaves.Select(l => l * 10));
        Assert.Equal(40f, rebuilt[1].B.Item<float>());
    }

    [Fact]
    public void Arrays_of_tuples_and_tuples_of_every_arity_round_trip()
    {
        var arr = new (Tensor, Tensor)[] { (S(1), S(2)), (S(3), S(4)) };
        Assert.Equal(new float[] { 2, 4, 6, 8 }, Values(Jax.Tree.Map(x => x * 2, arr)));
        var five = (S(1), S(2), new List<Tensor> { S(3) }, (S(4), S(5)), S(6));
        var mapped5 = Jax.Tree.Map(x => x + 1, five);
        Assert.Equal(new float[] { 2, 3, 4, 5, 6, 7 }, Values(mapped5));
        Assert.Equal(6f, mapped5.Item4.Item2.Item<float>());
        var seven = (S(1), S(2), S(3), S(4), S(5), S(6), S(7));
        Assert.Equal(7f, Jax.Tree.Map(x => x, seven).Item7.Item<float>());
        var nine = (S(1), S(2), S(3), S(4), S(5), S(6), S(7), S(8), S(9));
        var mapped9 = Jax.Tree.Map(x => -x, nine);
        Assert.Equal(9, Jax.Tree.Structure(nine).LeafCount);
        Assert.Equal(-9f, mapped9.Item9.Item<float>());
        Assert.Equal(-1f, Jax.Tree.Map(x => -x, ValueTuple.Create(S(1))).Item1.Item<float>());
    }

    [Fact]
    public void Dictionaries_flatten_in_sorted_key_order_and_print_their_keys()
    {
        var d = new Dictionary<string, List<Tensor>> { ["b"] = [S(2), S(3)], ["a"] = [S(1)] };
        Assert.Equal(new float[] { 1, 2, 3 }, Values(d));
        Assert.Equal("{a: List<Tensor>(*), b: List<Tensor>(*, *)}", Jax.Tree.Structure(d).ToString());
        var m = Jax.Tree.Map(x => x * 2, d);
        Assert.Equal(6f, m["b"][1].Item<float>());
    }

    [Fact]
    public void Null_is_an_empty_node_as_None()
    {
        var t = (S(1), (Tensor?)null, new List<Tensor?> { null, S(2) });
        var def = Jax.Tree.Structure(t);
        Assert.Equal(2, def.LeafCount);
        Assert.Equal("tuple(*, None, List<Tensor>(None, *))", def.ToString());
        var m = Jax.Tree.Map(x => x + 1, t);
        Assert.Null(m.Item2);
        Assert.Null(m.Item3[0]);
        Assert.Equal(3f, m.Item3[1]!.Item<float>());
        Assert.Empty(Jax.Tree.Leaves(null));
    }

    [Fact]
    public void A_PyTree_record_has_tensor_children_and_static_data_in_its_structure()
    {
        var layer = new Dense(S(1), S(2), "first");
        var (leaves, def) = Jax.Tree.Flatten(layer);
        Assert.Equal(2, leaves.Count);
        Assert.Equal("Dense[first, True](*, *)", def.ToString());
        var doubled = Jax.Tree.Map(x => x * 2, layer);
        Assert.Equal(("first", 4f), (doubled.Name, doubled.B.Item<float>()));
        Assert.NotEqual(def, Jax.Tree.Structure(layer with { Name = "second" }));
        Assert.NotEqual(def, Jax.Tree.Structure(layer with { Activation = false }));
        Assert.Equal(def, Jax.Tree.Structure(layer with { W = S(5) }));
    }

    [Fact]
    public void A_PyTree_class_with_settable_properties_rebuilds_through_its_initializer()
    {
        var model = new Model { Layers = [new Dense(S(1), S(2), "a")], Scale = S(3), Step = 7 };
        Assert.Equal(new float[] { 1, 2, 3 }, Values(model));
        var m = Jax.Tree.Map(x => x + 1, model);
        Assert.Equal((7, 4f), (m.Step, m.Scale.Item<float>()));
        Assert.Null(m.Extra);
        Assert.Equal(2f, m.Layers[0].W.Item<float>());
        Assert.Equal("Model[7](List<Dense>(Dense[a, True](*, *)), *, None)", Jax.Tree.Structure(model).ToString());
    }

    [Fact]
    public void Explicit_registration_covers_types_you_do_not_own()
    {
        PyTree.Register<KeyValuePair<string, Tensor>>(kv => ([kv.Value], kv.Key), (key, c) => new KeyValuePair<string, Tensor>((string)key!, (Tensor)c[0]!));
        var kv = new KeyValuePair<string, Tensor>("w", S(2));
        var m = Jax.Tree.Map(x => x * x, kv);
        Assert.Equal(("w", 4f), (m.Key, m.Value.Item<float>()));
        Assert.True(PyTree.IsRegistered(typeof(KeyValuePair<string, Tensor>)));
    }

    private sealed class Hidden(Tensor x) : IPyTree
    {
        public Tensor X { get; } = x;

        public IReadOnlyList<object> Children => [X];

        public IPyTree Rebuild(IReadOnlyList<object> children) => new Hidden((Tensor)children[0]);
    }

    [Fact]
    public void An_unregistered_tuple_type_can_be_read_but_rebuilding_it_names_the_fix()
    {
        // The generator cannot register a tuple of a private type (generated code could not name it).
        var t = (S(1), new Hidden(S(2)));
        Assert.Equal(new float[] { 1, 2 }, Values(t));
        var e = Assert.Throws<InvalidOperationException>(() => Jax.Tree.Map(x => x, t));
        Assert.Contains("cannot rebuild a (Tensor, Hidden)", e.Message);
        Assert.Contains("PyTree.RegisterTuple", e.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_tree_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Jax.Tree.Leaves((S(1), "text")));
        Assert.Contains("String is not a tree of tensors", e.Message);
    }
}
