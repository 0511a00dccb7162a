using JaxToolchain.Ir;
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
        { "fusion of a chain", 1000 }, { "fusion of a fan-out", 1000 },
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
            "fusion of a chain" => Fusion(t => Chain(t, n)),
            "fusion of a fan-out" => Fusion(t => Enumerable.Range(0, n).Aggregate(Jnp.ZerosLike(t), (sum, i) => sum + Jnp.Sin(t * (1 + i * 1e-6)))),
            _ => throw new ArgumentException(name),
        };
    }

    /// <summary>The gradient of a function of <paramref name="n"/> separate arrays (a list of parameters).</summary>
    private static Action GradOfTree(int n)
    {
        var leaves = Enumerable.Range(0, n).Select(i => Jnp.Array((float)i)).ToList();
        return () => Jax.Grad((List<Tensor> l) => l.Aggregate((sum, leaf) => sum + Jnp.Sin(leaf)))(leaves);
    }

    /// <summary>
    /// Grouping the traced program of <paramref name="f"/> into kernels (traced untimed): one loop kernel of every
    /// operation, grown one merge at a time, for a chain and for a value that every operation reads.
    /// </summary>
    private static Action Fusion(Func<Tensor, Tensor> f)
    {
        var function = FunctionCalls.Trace("fusion", args => [f(args[0])], [new ShapedType(DType.Float32, Shape.Of(4))]).Function;
        return () => new FusionPass().Run(function);
    }

    [Theory]
    [MemberData(nameof(Transformations))]
    public void Time_is_linear_in_the_size_of_the_program(string transformation, int n) =>
        Scaling.AssertLinear(transformation, n, size => Transformation(transformation, size));
}
