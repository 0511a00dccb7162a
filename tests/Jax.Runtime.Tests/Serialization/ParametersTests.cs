using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Serialization;

/// <summary>A layer of a model as user code declares it: a record the source generator registers with its property names.</summary>
[PyTree]
public sealed partial record DenseLayer(Tensor W, Tensor B, [property: Static] string Activation);

/// <summary>Trees to and from flat key paths (Jax.Tree.ToFlatDictionary/FromFlatDictionary) and Parameters in files.</summary>
public class ParametersTests
{
    private static Dictionary<string, object> Model() => new()
    {
        ["layers"] = new List<DenseLayer>
        {
            new(Jnp.Ones(new[] { 2, 3 }), Jnp.Zeros(3), "relu"),
            new(Jnp.Full(new[] { 3, 1 }, 2f), Jnp.Array(new[] { 5 }), "none"),
        },
        ["scale"] = Jnp.Array(1.5f),
        ["pair"] = (Jnp.Arange(4), (Tensor?)null),
    };

    private static Dictionary<string, object> Template() => new()
    {
        ["layers"] = new List<DenseLayer>
        {
            new(Jnp.Zeros(new[] { 2, 3 }), Jnp.Zeros(3), "relu"),
            new(Jnp.Zeros(new[] { 3, 1 }), Jnp.Zeros(1, DType.Int32), "none"),
        },
        ["scale"] = Jnp.Array(0f),
        ["pair"] = (Jnp.Zeros(4, DType.Int32), (Tensor?)null),
    };

    static ParametersTests() => PyTree.RegisterList<DenseLayer>();

    [Fact]
    public void Key_paths_name_dictionary_keys_positions_and_record_properties()
    {
        var flat = Jax.Tree.ToFlatDictionary(Model());
        Assert.Equal(["layers/0/W", "layers/0/B", "layers/1/W", "layers/1/B", "pair/0", "scale"], flat.Keys);
        Assert.Equal(Shape.Of(3, 1), flat["layers/1/W"].Shape);
        Assert.Equal(["layers.0.W", "layers.0.B", "layers.1.W", "layers.1.B", "pair.0", "scale"], Jax.Tree.ToFlatDictionary(Model(), '.').Keys);
        Assert.Equal(["0", "1/x"], Jax.Tree.ToFlatDictionary(new object[] { Jnp.Ones(1), new Dictionary<string, Tensor> { ["x"] = Jnp.Ones(1) } }).Keys);
    }

    [Fact]
    public void Flattening_refuses_a_single_array_and_colliding_paths()
    {
        Assert.Throws<ArgumentException>(() => Jax.Tree.ToFlatDictionary(Jnp.Ones(2)));
        var collide = new Dictionary<string, object> { ["a/b"] = Jnp.Ones(1), ["a"] = new Dictionary<string, Tensor> { ["b"] = Jnp.Ones(1) } };
        var e = Assert.Throws<ArgumentException>(() => Jax.Tree.ToFlatDictionary(collide));
        Assert.Contains("'a/b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFlatDictionary_fills_the_template_with_the_arrays()
    {
        var flat = Jax.Tree.ToFlatDictionary(Model());
        var filled = Jax.Tree.FromFlatDictionary(flat, Template());
        var layers = (List<DenseLayer>)filled["layers"];
        Assert.Equal("none", layers[1].Activation);
        Assert.Equal([2f, 2, 2], layers[1].W.ToArray<float>());
        Assert.Equal([5], layers[1].B.ToArray<int>());
        Assert.Equal(1.5f, ((Tensor)filled["scale"]).Item<float>());
        Assert.Equal([0, 1, 2, 3], (((Tensor, Tensor?))filled["pair"]).Item1.ToArray<int>());
    }

    [Fact]
    public void Every_mismatch_is_named_with_the_expected_and_the_found_array()
    {
        var flat = new Dictionary<string, Tensor>(Jax.Tree.ToFlatDictionary(Model()));
        flat.Remove("scale");
        flat["layers/0/W"] = Jnp.Ones(new[] { 3, 2 });
        flat["layers/1/B"] = Jnp.Ones(1);
        flat["layers/2/W"] = Jnp.Ones(1);
        var e = Assert.Throws<ArgumentException>(() => Jax.Tree.FromFlatDictionary(flat, Template()));
        Assert.Contains("'layers/0/W' is float32[3,2], expected float32[2,3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("'layers/1/B' is float32[1], expected int32[1]", e.Message, StringComparison.Ordinal);
        Assert.Contains("'scale' is missing (expected float32[])", e.Message, StringComparison.Ordinal);
        Assert.Contains("'layers/2/W' is not in the template (float32[1])", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".npz")]
    [InlineData(".safetensors")]
    public void A_model_saves_and_loads_into_a_template(string extension)
    {
        using var file = new Arrays.TempFile(extension);
        Parameters.Save(file.Path, Model());
        Assert.Equal(["layers/0/B", "layers/0/W", "layers/1/B", "layers/1/W", "pair/0", "scale"], Parameters.Load(file.Path).Keys.Order(StringComparer.Ordinal));
        var loaded = Parameters.LoadInto(file.Path, Template());
        var layers = (List<DenseLayer>)loaded["layers"];
        Assert.Equal([1f, 1, 1, 1, 1, 1], layers[0].W.ToArray<float>());
        Assert.Equal("relu", layers[0].Activation);
        Assert.Equal(1.5f, ((Tensor)loaded["scale"]).Item<float>());
    }

    [Theory]
    [InlineData(".npz")]
    [InlineData(".safetensors")]
    public void A_file_that_does_not_fit_the_template_is_an_error_naming_the_file_and_keys(string extension)
    {
        using var file = new Arrays.TempFile(extension);
        var model = Model();
        model["scale"] = Jnp.Array(new float[] { 1, 2 });
        model.Remove("pair");
        model["extra"] = Jnp.Ones(1);
        Parameters.Save(file.Path, model);
        var e = Assert.Throws<InvalidDataException>(() => Parameters.LoadInto(file.Path, Template()));
        Assert.StartsWith(file.Path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains("'scale' is float32[2], expected float32[]", e.Message, StringComparison.Ordinal);
        Assert.Contains("'pair/0' is missing (expected int32[4])", e.Message, StringComparison.Ordinal);
        Assert.Contains("'extra' is not in the template", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float64_parameters_load_into_a_float32_template_without_x64()
    {
        using var file = new Arrays.TempFile(".safetensors");
        using (Jax.Config.X64Scope(true))
            Parameters.Save(file.Path, new Dictionary<string, Tensor> { ["w"] = Jnp.Array(new[] { 0.25, 0.5 }) });
        using var _ = Jax.Config.X64Scope(false);
        var loaded = Parameters.LoadInto(file.Path, new Dictionary<string, Tensor> { ["w"] = Jnp.Zeros(2) });
        Assert.Equal(DType.Float32, loaded["w"].DType);
        Assert.Equal([0.25f, 0.5f], loaded["w"].ToArray<float>());
    }

    [Fact]
    public void Null_arguments_are_named_first()
    {
        var arrays = new Dictionary<string, Tensor> { ["a"] = Jnp.Ones(1) };
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => Safetensors.Save((string)null!, arrays)).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentNullException>(() => Safetensors.Save("x.safetensors", null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => Safetensors.Load((Stream)null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => Safetensors.LoadMetadata(null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => Parameters.LoadInto(null!, Template())).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => Parameters.Save(null!, Model())).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentNullException>(() => Jax.Tree.FromFlatDictionary(null!, Template())).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentNullException>(() => Jnp.Savez("x.npz", (IReadOnlyDictionary<string, Tensor>)null!)).ParamName);
        Assert.False(File.Exists("x.safetensors"));
        Assert.False(File.Exists("x.npz"));
    }

    [Fact]
    public void Formats_are_chosen_by_extension_and_metadata_needs_safetensors()
    {
        Assert.Throws<ArgumentException>(() => Parameters.Save("model.bin", Model()));
        Assert.Throws<ArgumentException>(() => Parameters.Load("model.pt"));
        using var npz = new Arrays.TempFile(".npz");
        Assert.Throws<ArgumentException>(() => Parameters.Save(npz.Path, Model(), new Dictionary<string, string> { ["k"] = "v" }));
        Assert.False(File.Exists(npz.Path));
        using var st = new Arrays.TempFile(".safetensors");
        Parameters.Save(st.Path, Model(), new Dictionary<string, string> { ["step"] = "100" });
        Assert.Equal("100", Safetensors.LoadMetadata(st.Path)["step"]);
    }
}
