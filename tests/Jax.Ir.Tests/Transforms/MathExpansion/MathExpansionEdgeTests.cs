namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>
/// IEEE edge cases of every expansion against the interpreter's primitives (the semantics): NaN, infinities and
/// signed zeros exactly, on zeros, subnormals, the normal limits, the largest numbers, infinities, NaN and the domain
/// boundaries of each function; and the expansions that are exact (rsqrt, nextafter) bit for bit.
/// </summary>
public class MathExpansionEdgeTests
{
    private static readonly double[] SpecialOperands =
    [
        0, double.Epsilon, Math.ScaleB(1, -1022), 1e-300, Math.ScaleB(1, -149), Math.ScaleB(1, -126), 6e-8, 1e-5, 0.5, 1, 2,
        3, 4.5, 100, 1e5, 65504, 1e30, float.MaxValue, 1e300, double.MaxValue, double.PositiveInfinity,
    ];

    /// <summary>The operands: each special value of both signs, and NaN.</summary>
    private static double[] Operands() => SpecialOperands.SelectMany(v => new[] { v, -v }).Append(double.NaN).ToArray();

    /// <summary>The class of a value: what must be equal exactly (NaN, infinities and zeros with their sign) or just finite.</summary>
    private static string Class(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsInfinity(v) || v == 0 ? v.ToString("R") + (double.IsNegative(v) ? "(-)" : "(+)") : "finite";

    public static TheoryData<string, DType> Cases() => MathAccuracy.EveryExpansion();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Special_values_are_those_of_the_primitive(string name, DType dtype)
    {
        var primitive = MathAccuracy.Expandable(name);
        var operands = Operands().Select(v => MathAccuracy.Round(dtype, v)).Distinct().ToArray();
        double[][] columns = MathAccuracy.Arity(primitive) == 2
            ? [operands.SelectMany(x => operands.Select(_ => x)).ToArray(), operands.SelectMany(_ => operands).ToArray()]
            : [operands];
        var got = MathAccuracy.Run(primitive, dtype, columns);
        var want = MathAccuracy.Interpreted(primitive, dtype, columns);
        // Where the interpreter's float32 kernel underflows early (logistic below -88.7 computes 1 / (1 + inf)), the
        // expansion must match the exact value's class instead.
        var reference = MathFunctions.All.FirstOrDefault(f => f.Primitive == primitive)?.Reference;
        for (int i = 0; i < got.Length; i++)
        {
            var point = columns.Select(c => c[i]).ToArray();
            bool same = Class(want[i]) == Class(got[i])
                || (reference is not null && Class(MathAccuracy.Round(dtype, reference(point))) == Class(got[i]));
            Assert.True(same, $"{name}({string.Join(", ", point.Select(v => v.ToString("R")))}) in {dtype.Name()}: want {want[i]:R}, got {got[i]:R}");
        }
    }

    [Theory]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Rsqrt_and_nextafter_expand_to_the_primitives_bit_for_bit(DType dtype)
    {
        var random = new Random(11);
        var operands = Operands().Select(v => MathAccuracy.Round(dtype, v)).Distinct()
            .Concat(Enumerable.Range(0, 4000).Select(_ => MathAccuracy.Round(dtype, Math.ScaleB(random.NextDouble() * 2 - 1, random.Next(-160, 130)))))
            .ToArray();
        var ys = operands.Select(_ => operands[random.Next(operands.Length)]).ToArray();
        ys[0] = operands[0];
        AssertBitsEqual(MathAccuracy.Interpreted(Prims.Rsqrt, dtype, operands), MathAccuracy.Run(Prims.Rsqrt, dtype, operands), dtype);
        AssertBitsEqual(MathAccuracy.Interpreted(Prims.Nextafter, dtype, operands, ys), MathAccuracy.Run(Prims.Nextafter, dtype, operands, ys), dtype);
        // Toward itself (y is returned) and toward zero (from the smallest subnormals to zero).
        AssertBitsEqual(MathAccuracy.Interpreted(Prims.Nextafter, dtype, operands, operands), MathAccuracy.Run(Prims.Nextafter, dtype, operands, operands), dtype);
        var zeros = operands.Select(_ => 0.0).ToArray();
        AssertBitsEqual(MathAccuracy.Interpreted(Prims.Nextafter, dtype, operands, zeros), MathAccuracy.Run(Prims.Nextafter, dtype, operands, zeros), dtype);
    }

    private static void AssertBitsEqual(double[] want, double[] got, DType dtype)
    {
        for (int i = 0; i < want.Length; i++)
            Assert.True(double.IsNaN(want[i]) ? double.IsNaN(got[i]) : BitConverter.DoubleToInt64Bits(want[i]) == BitConverter.DoubleToInt64Bits(got[i]),
                $"{dtype.Name()} element {i}: want {want[i]:R}, got {got[i]:R}");
    }
}
