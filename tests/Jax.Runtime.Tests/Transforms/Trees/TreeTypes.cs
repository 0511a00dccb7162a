namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>A dense layer as a positional record: W and B are children, Name and Activation static data.</summary>
[PyTree]
public sealed partial record Dense(Tensor W, Tensor B, string Name, [property: Static] bool Activation = true);

/// <summary>A class with settable properties: a list of layers (a subtree), a tensor, a null-able tensor and a step count (static).</summary>
[PyTree]
public sealed partial class Model
{
    /// <summary>The layers.</summary>
    public List<Dense> Layers { get; set; } = [];

    /// <summary>A scale (a leaf).</summary>
    public Tensor Scale { get; set; } = Jnp.Array(1f);

    /// <summary>An optional bias, null as JAX's None.</summary>
    public Tensor? Extra { get; set; }

    /// <summary>Static data: an int is not a tree.</summary>
    public int Step { get; set; }
}
