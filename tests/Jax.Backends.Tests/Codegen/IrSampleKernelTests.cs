using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// Every function of every IR sample (tests/Jax.Ir.Tests/IrSamples, the same samples every primitive appears in)
/// either compiles and computes what the interpreter does, or fails with <see cref="NotSupportedException"/> naming a
/// primitive the backend does not lower yet; the samples that compile are listed, so coverage can only grow.
/// </summary>
public class IrSampleKernelTests
{
    private static IEnumerable<Function> Samples() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "IrSamples"), "*.ir").Order(StringComparer.Ordinal)
            .Where(path => !Path.GetFileName(path).StartsWith("test_", StringComparison.Ordinal))
            .SelectMany(path => IrParser.ParseModule(File.ReadAllText(path)).Functions);

    /// <summary>Arguments for a function: its parameter types with symbols bound to 5.</summary>
    private static Buffer[] Arguments(Function f, int seed) =>
        f.ParameterTypes.Select((t, i) => CompiledKernels.Values(t.DType,
            new Shape(t.Shape.Select(d => d.IsStatic ? d : Dim.Of(5))), seed + i)).ToArray();

    [Fact]
    public void Every_sample_compiles_and_matches_the_interpreter_or_names_what_is_missing()
    {
        var compiled = new List<string>();
        var missing = new List<string>();
        foreach (var f in Samples())
        {
            var args = Arguments(f, f.Name.Length);
            Buffer[] expected;
            try
            {
                expected = Interpreter.Run(f, args);
            }
            catch (Exception e) when (e is not NotSupportedException)
            {
                continue; // a sample the interpreter itself cannot run on these values (custom_lin, out-of-domain inputs)
            }
            try
            {
                if (GemmKernelTests.HasFloatProduct(f)) GemmKernelTests.AssertProductsClose(f, args); // floats: within GEMM's tolerance
                else CompiledKernels.AssertMatchesInterpreter(f, args);
                compiled.Add(f.Name);
            }
            catch (NotSupportedException e)
            {
                Assert.Matches("'[a-z_0-9]+'", e.Message);
                missing.Add($"{f.Name}: {e.Message}");
            }
            GC.KeepAlive(expected);
        }
        var summary = $"compiled {compiled.Count}: {string.Join(", ", compiled)}\nmissing:\n{string.Join("\n", missing)}";
        // Control flow (cond/switch, while, scan, call, custom_vjp's function) and the elementwise samples compile.
        foreach (var name in new[] { "switch3", "factorial", "cumulative_sum", "odd_squares", "call_with_a_weak_result", "clip_gradient", "select_scalar_pred", "fill_and_ramp" })
            Assert.True(compiled.Contains(name), $"{name} did not compile: {summary}");
        // So do the structural samples (layout, gather/scatter, sort) and the exact rem, pow, clamp and bitcasts.
        foreach (var name in new[]
                 {
                     "transpose", "rev", "pad", "concatenate", "slice", "dynamic_slice", "dynamic_update_slice", "gather", "scatter", "scatter_add",
                     "sort_pairs", "rem", "pow", "clamp", "bitcast_convert_type", "bitcast_convert_type_narrow", "bitcast_convert_type_wide",
                 })
            Assert.True(compiled.Contains(name), $"{name} did not compile: {summary}");
        var structural = new[] { "transpose", "rev", "pad", "concatenate", "slice", "dynamic_slice", "dynamic_update_slice", "gather", "scatter", "sort", "bitcast_convert_type", "rem", "pow" };
        Assert.DoesNotContain(missing, m => structural.Any(p => m.Contains($"'{p}'", StringComparison.Ordinal)));
        Assert.True(compiled.Count >= 65, summary);
    }
}
