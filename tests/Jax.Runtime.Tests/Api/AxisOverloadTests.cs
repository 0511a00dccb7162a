using System.Reflection;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// Every reduction-like function that takes several axes (<c>int[] axis</c>) also takes one (<c>int axis</c>), as
/// JAX accepts an int or a tuple alike: found by reflection, so functions added later are held to it too.
/// </summary>
public class AxisOverloadTests
{
    [Fact]
    public void Functions_taking_axes_as_int_arrays_also_take_one_int()
    {
        var types = new[] { typeof(Jnp), typeof(Nn), typeof(Jax.Scipy.Special), typeof(Jnp.Linalg) };
        var missing = new List<string>();
        foreach (var type in types)
        {
            var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly);
            foreach (var m in methods)
            {
                var ps = m.GetParameters();
                // A params array takes one int already; permutations (transpose's axes) are not reductions.
                int at = Array.FindIndex(ps, p => p.Name is "axis" or "axes" && p.ParameterType == typeof(int[]) && !p.IsDefined(typeof(ParamArrayAttribute)));
                if (at < 0 || m.Name is nameof(Jnp.Transpose) or nameof(Jnp.PermuteDims) or nameof(Jnp.Linalg.Tensorsolve)) continue;
                bool hasInt = methods.Any(o => o.Name == m.Name && o.GetParameters().Any(q =>
                    q.Name == ps[at].Name && (q.ParameterType == typeof(int) || q.ParameterType == typeof(int?))));
                if (!hasInt) missing.Add($"{type.Name}.{m.Name}({string.Join(", ", ps.Select(p => $"{p.ParameterType.Name} {p.Name}"))})");
            }
        }
        Assert.True(missing.Count == 0, $"no int-axis overload for:\n{string.Join("\n", missing.Distinct())}");
    }
}
