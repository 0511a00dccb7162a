using JaxToolchain.Runtime.Tests.Torch;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

/// <summary>
/// <c>Jax.Grad</c> against torch's autograd in float64, for every function of <see cref="AutogradCases"/>: the
/// gradient of <c>sum(f(x...) * w)</c> with respect to every argument (w a fixed random cotangent, so non-scalar
/// functions are checked through a full vector-Jacobian product), within rtol 1e-10 / atol 1e-12. The values
/// are compared first, so a failure there means the two sides do not compute the same function.
/// </summary>
public sealed class GradientTests(ITestOutputHelper log)
{
    public static TheoryData<string> Cases => AutogradCases.Names();

    [Theory, MemberData(nameof(Cases))]
    public void Gradient_equals_torch_autograd(string name)
    {
        using var x64 = Jax.Config.X64Scope();
        using var scope = torch.NewDisposeScope();
        var c = AutogradCases.All[name];
        var rng = Draw.For(name);
        var xs = c.Inputs(rng);
        var value = c.Ours(xs);
        var weights = Draw.Uniform(rng, -1, 1, value.Shape.IntSizes);
        var leaves = xs.Select(AutogradOracle.Leaf).ToArray();
        AutogradOracle.AssertClose($"{name}: value", value, c.Theirs(leaves));

        var ours = Jax.Grad(a => Jnp.Sum(c.Ours(a) * weights), [.. Enumerable.Range(0, xs.Length)])(xs);
        var theirs = AutogradOracle.WeightedGradients(c.Theirs, leaves, OracleTensors.ToTorch(weights));
        var measured = Discrepancy.None;
        for (int i = 0; i < xs.Length; i++)
            measured = measured.Merge(AutogradOracle.AssertClose($"{name}: gradient wrt argument {i}", ours[i], theirs[i]));
        log.WriteLine($"{name}: gradient vs torch {measured}");
    }

    [Fact]
    public void There_are_at_least_forty_functions() => Assert.True(AutogradCases.All.Count >= 40, $"{AutogradCases.All.Count} cases");
}
