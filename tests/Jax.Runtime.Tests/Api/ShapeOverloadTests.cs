using System.Reflection;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// Shapes accept <c>int[]</c> and <c>long[]</c> (what <c>x.Shape.Sizes</c> gives) uniformly: every public function of
/// <see cref="Jnp"/> and <see cref="Jax.Random"/> with an <c>int[] shape</c> parameter has a generic overload over any
/// integer element type, found by reflection, and a <c>long[]</c> shape gives the same array as the <c>int[]</c> one.
/// </summary>
public class ShapeOverloadTests
{
    private static IEnumerable<MethodInfo> PublicMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.DeclaringType == type);

    [Theory]
    [InlineData(typeof(Jnp))]
    [InlineData(typeof(Jax.Random))]
    public void Every_function_taking_an_int_shape_takes_a_shape_of_any_integer_type(Type type)
    {
        var methods = PublicMethods(type).ToArray();
        var missing = methods
            .Where(m => !m.IsGenericMethod && m.GetParameters().Any(p => p.Name == "shape" && p.ParameterType == typeof(int[])))
            .Where(m => !methods.Any(g => g.IsGenericMethod && g.Name == m.Name && g.GetParameters().Length == m.GetParameters().Length
                && g.GetParameters().Any(p => p.Name == "shape" && p.ParameterType.IsArray && p.ParameterType.GetElementType()!.IsGenericParameter)))
            .Select(m => $"{type.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})")
            .Distinct()
            .ToArray();
        Assert.True(missing.Length == 0, "no shape overload of any integer type: " + string.Join("; ", missing));
    }

    [Fact]
    public void A_long_shape_gives_the_same_samples_as_an_int_shape()
    {
        var key = Jax.Random.PRNGKey(3);
        long[] sizes = Jnp.Zeros([2, 3]).Shape.Sizes;
        Assert.Equal(Jax.Random.Normal(key, [2, 3]).ToArray<float>(), Jax.Random.Normal(key, sizes).ToArray<float>());
        Assert.Equal(Jax.Random.RandInt(key, [2, 3], 0, 10).ToArray<int>(), Jax.Random.RandInt(key, sizes, 0, 10).ToArray<int>());
        Assert.Equal(Jax.Random.Gamma(key, 2.0, [2, 3]).ToArray<float>(), Jax.Random.Gamma(key, 2.0, sizes).ToArray<float>());
        var e = Assert.Throws<JaxTypeException>(() => Jax.Random.Uniform(key, new[] { 2L, long.MaxValue }));
        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
    }
}
