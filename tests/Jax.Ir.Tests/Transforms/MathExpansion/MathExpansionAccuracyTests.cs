using Xunit.Abstractions;

namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>
/// Measures every expansion against its reference on dense samples of the whole range (every value for float16 and
/// bfloat16) and asserts the bound of the accuracy table in <c>ir/Transforms/MATH.md</c>: these tests are what
/// measured the table.
/// </summary>
public class MathExpansionAccuracyTests(ITestOutputHelper output)
{
    // (function, dtype) -> the bound of the table in ir/Transforms/MATH.md, in the function's error measure: the largest
    // error of these samples or of sixteen more seeds (Extended_run_over_more_seeds), whichever is larger.
    private static readonly (string Function, double Float16, double BFloat16, double Float32, double Float64)[] Table =
    [
        ("exp", 1, 0, 1, 1),
        ("exp2", 1, 0, 1, 1),
        ("expm1", 1, 0, 1, 1),
        ("log", 1, 0, 1, 1),
        ("log1p", 1, 0, 1, 1),
        ("tanh", 0, 0, 2, 2),
        ("logistic", 1, 0, 2, 2),
        ("sin", 1, 0, 2, 1),
        ("cos", 1, 0, 1, 1),
        ("tan", 1, 0, 2, 1),
        ("atan2", 1, 0, 1, 1),
        ("pow", 1, 0, 1, 1),
        ("cbrt", 1, 0, 1, 1),
        ("erf", 1, 0, 6, 3),
        ("erfc", 1, 0, 4, 9),
        ("erf_inv", 1, 0, 4, 5),
        ("lgamma x>=0", 1, 1, 26, 21),
        ("lgamma x<=0", 1, 1, 37, 31),
        ("digamma x>=0", 1, 1, 13, 16),
        ("digamma x<=0", 1, 1, 19, 19),
    ];

    private static readonly Dictionary<(string, DType), double> Bounds = Table
        .SelectMany(row => new[] { ((row.Function, DType.Float16), row.Float16), ((row.Function, DType.BFloat16), row.BFloat16),
            ((row.Function, DType.Float32), row.Float32), ((row.Function, DType.Float64), row.Float64) })
        .ToDictionary(entry => entry.Item1, entry => entry.Item2);

    public static TheoryData<string, DType> Cases()
    {
        var data = new TheoryData<string, DType>();
        foreach (var (name, dtype) in Bounds.Keys) data.Add(name, dtype);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Expansion_is_within_the_tables_bound(string name, DType dtype)
    {
        var function = MathFunctions.Named(name);
        var result = MathAccuracy.Measure(function.Primitive, dtype, function.Measure, function.Reference, function.SamplesFor(dtype, seed: 1));
        output.WriteLine($"{name} {dtype.Name()}: {result}");
        Assert.True(result.MaxError <= Bounds[(name, dtype)], $"{name} {dtype.Name()}: {result}");
    }

    /// <summary>
    /// The same measurement over more seeds, run when the environment variable <c>JAX_MATH_ACCURACY_SEEDS</c> gives their
    /// number (16: 2^20 samples per function and dtype, about half a minute); how the larger bounds of the table were
    /// found. Without it the test does nothing.
    /// </summary>
    [Fact]
    public void Extended_run_over_more_seeds()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("JAX_MATH_ACCURACY_SEEDS"), out int seeds)) return;
        foreach (var function in MathFunctions.All)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                for (int seed = 100; seed < 100 + seeds; seed++)
                {
                    var result = MathAccuracy.Measure(function.Primitive, dtype, function.Measure, function.Reference, function.SamplesFor(dtype, seed));
                    output.WriteLine($"{function.Name} {dtype.Name()} seed {seed}: {result}");
                    Assert.True(result.MaxError <= Bounds[(function.Name, dtype)], $"{function.Name} {dtype.Name()} seed {seed}: {result}");
                }
    }
}
