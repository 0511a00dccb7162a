using JaxToolchain.Tests;

namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>
/// The transformations take time linear in the size of the traced program: four times the operations take well
/// under 16 times (quadratic) as long, whether tracing, differentiating, batching or calling. Ratios, never
/// absolute times.
/// </summary>
[Collection(Scaling.Collection)]
public class ScalingTests
{
    /// <summary><paramref name="n"/> elementwise operations: sines, and products with constants of their own.</summary>
    private static Tensor Chain(Tensor x, int n)
    {
        for (int i = 0; i < n; i++) x = i % 2 == 0 ? Jnp.Sin(x) : x * (1 + i * 1e-6);
        return Jnp.Sum(x);
    }

    public static TheoryData<string, int> Transformations() => new()
    {
        { "grad", 250 }, { "jit", 500 }, { "vmap", 500 }, { "jvp", 500 }, { "grad of a tree", 250 },
    };

    private static Action Transformation(string name, int n)
    {
        var x = Jnp.Arange(4.0f);
        return name switch
        {
            "grad" => () => Jax.Grad((Func<Tensor, Tensor>)(t => Chain(t, n)))(x),
            "jit" => () => Jax.Jit((Func<Tensor, Tensor>)(t => Chain(t, n)))(x),
            "vmap" => () => Jax.Vmap((Func<Tensor, Tensor>)(t => Chain(t, n)))(Jnp.Reshape(x, 2, 2)),
            "jvp" => () => Jax.Jvp((Func<Tensor, Tensor>)(t => Chain(t, n)), x, x),
            "grad of a tree" => GradOfTree(n),
            _ => throw new ArgumentException(name),
        };
    }

    /// <summary>The gradient of a function of <paramref name="n"/> separate arrays (a list of parameters).</summary>
    private static Action GradOfTree(int n)
    {
        var leaves = Enumerable.Range(0, n).Select(i => Jnp.Array((float)i)).ToList();
        return () => Jax.Grad((List<Tensor> l) => l.Aggregate((sum, leaf) => sum + Jnp.Sin(leaf)))(leaves);
    }

    [Theory]
    [MemberData(nameof(Transformations))]
    public void Time_is_linear_in_the_size_of_the_program(string transformation, int n) =>
        Scaling.AssertLinear(transformation, n, size => Transformation(transformation, size));
}
