namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary>
/// Deterministic random arguments for a function: symbols bound to small sizes (3, 4, 5, ... in order of first
/// appearance), floats in [-2, 2] with three decimals, integers in [1, 4] (so the loops of the samples end), bools
/// either way.
/// </summary>
internal static class SampleInputs
{
    /// <summary>Arguments for <paramref name="function"/>'s parameters, and the symbol sizes they bind.</summary>
    public static (Buffer[] Arguments, Dictionary<string, long> Symbols) For(Function function, int seed = 42)
    {
        var rng = new Random(seed);
        var symbols = new Dictionary<string, long>();
        var arguments = function.ParameterTypes.Select(type =>
        {
            var shape = new Shape(type.Shape.Select(d => d.IsStatic ? d
                : Dim.Of(symbols.TryGetValue(d.Symbol!, out var size) ? size : symbols[d.Symbol!] = 3 + symbols.Count)));
            var buffer = Buffer.Zeros(type.DType, shape);
            for (int i = 0; i < buffer.Length; i++)
            {
                if (type.DType.IsFloat()) buffer.SetDouble(i, Math.Round(rng.NextDouble() * 4 - 2, 3));
                else buffer.SetInt64(i, type.DType == DType.Bool ? rng.Next(2) : rng.Next(1, 5));
            }
            return buffer;
        }).ToArray();
        return (arguments, symbols);
    }

    /// <summary>Asserts that <paramref name="actual"/> computes bit for bit what <paramref name="expected"/> does on the same random arguments.</summary>
    public static void AssertSameNumbers(Function expected, Function actual, int seed = 42)
    {
        var (arguments, _) = For(expected, seed);
        var want = Interpreter.Run(expected, arguments);
        var got = Interpreter.Run(actual, arguments);
        Assert.Equal(want.Length, got.Length);
        for (int r = 0; r < want.Length; r++)
        {
            Assert.Equal(want[r].Type, got[r].Type);
            Assert.True(want[r].BitwiseEquals(got[r]), $"@{expected.Name}: result {r} differs");
        }
    }
}
