namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// Runs what <c>eng/jax-interop.py lower</c> wrote on a machine with JAX (<c>tests/Fixtures/jax-export</c>: per
/// function NAME, JAX's StableHLO <c>NAME.mlir</c>, its inputs <c>NAME.inputs.npz</c> and JAX's outputs
/// <c>NAME.outputs.npz</c>): each module imported with <see cref="Jax.Load(string, string?)"/> and run on the inputs gives
/// JAX's outputs. Skipped, saying so, where the folder is absent (no machine with JAX has produced it yet).
/// </summary>
public class JaxFixtureTests
{
    /// <summary>The fixtures' folder.</summary>
    public static string Folder => Path.Combine(LoadTests.RepoRoot(), "tests", "Fixtures", "jax-export");

    /// <summary>The functions of the folder (none when it is absent).</summary>
    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        if (Directory.Exists(Folder))
            foreach (var file in Directory.GetFiles(Folder, "*.mlir").Order(StringComparer.Ordinal))
                names.Add(Path.GetFileNameWithoutExtension(file));
        if (names.Count == 0) names.Add("(absent)");
        return names;
    }

    [JaxFixturesTheory, MemberData(nameof(Names))]
    public void A_module_jax_lowered_gives_jax_s_outputs(string name)
    {
        var model = Jax.Load(Path.Combine(Folder, name + ".mlir"), name);
        var inputs = Jnp.LoadNpz(Path.Combine(Folder, name + ".inputs.npz"));
        var expected = Jnp.LoadNpz(Path.Combine(Folder, name + ".outputs.npz"));
        var actual = model.Call([.. Enumerable.Range(0, inputs.Count).Select(i => (object)inputs[$"arg{i}"])]);
        Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            var want = expected[$"out{i}"];
            Assert.Equal(want.Shape, actual[i].Shape);
            Assert.Equal(want.DType, actual[i].DType);
            var (e, a) = (want.ToArray<double>(), actual[i].ToArray<double>());
            double scale = Math.Max(1, e.Select(Math.Abs).DefaultIfEmpty(0).Max());
            for (int k = 0; k < e.Length; k++)
                Assert.True(Math.Abs(e[k] - a[k]) <= 1e-4 * scale, $"{name} out{i}[{k}]: ours {a[k]:R}, JAX {e[k]:R}");
        }
    }
}

/// <summary>A theory skipped, with the way to produce them, when the JAX fixtures are absent.</summary>
public sealed class JaxFixturesTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="JaxFixtureTests.Folder"/> holds no module.</summary>
    public JaxFixturesTheoryAttribute()
    {
        if (!Directory.Exists(JaxFixtureTests.Folder) || Directory.GetFiles(JaxFixtureTests.Folder, "*.mlir").Length == 0)
            Skip = $"no JAX fixtures in {JaxFixtureTests.Folder}: run `python3 eng/jax-interop.py lower` on a machine with JAX";
    }
}
