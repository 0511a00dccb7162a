namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>Float64 helpers for checking derivatives: random inputs, inner products, central differences.</summary>
internal static class AdNumerics
{
    /// <summary>Random buffers for the given types (uniform in [-2, 2]).</summary>
    public static Buffer[] Random(IEnumerable<ShapedType> types, int seed)
    {
        var rng = new Random(seed);
        return types.Select(t => RuleHarness.Uniform(t, rng)).ToArray();
    }

    /// <summary>The sum over all buffers of the elementwise products.</summary>
    public static double Dot(IReadOnlyList<Buffer> a, IReadOnlyList<Buffer> b)
    {
        Assert.Equal(a.Count, b.Count);
        double s = 0;
        for (int k = 0; k < a.Count; k++)
        {
            Assert.Equal(a[k].Shape, b[k].Shape);
            for (int i = 0; i < a[k].Length; i++) s += a[k].GetDouble(i) * b[k].GetDouble(i);
        }
        return s;
    }

    /// <summary>x + h t, per buffer (buffers without a direction, null, are kept).</summary>
    public static Buffer[] Step(IReadOnlyList<Buffer> x, IReadOnlyList<Buffer?> t, double h) =>
        x.Select((b, k) =>
        {
            if (t[k] is not { } d) return b;
            var r = b.Clone();
            for (int i = 0; i < r.Length; i++) r.SetDouble(i, b.GetDouble(i) + h * d.GetDouble(i));
            return r;
        }).ToArray();

    /// <summary>The central difference (f(x + h t) - f(x - h t)) / 2h of every result of <paramref name="f"/>, flattened per result.</summary>
    public static double[][] CentralDifference(Function f, IReadOnlyList<Buffer> x, IReadOnlyList<Buffer?> t, double h = 1e-6)
    {
        var plus = Interpreter.Run(f, Step(x, t, h));
        var minus = Interpreter.Run(f, Step(x, t, -h));
        return plus.Select((p, r) => Enumerable.Range(0, p.Length).Select(i => (p.GetDouble(i) - minus[r].GetDouble(i)) / (2 * h)).ToArray()).ToArray();
    }

    /// <summary>Asserts |actual - expected| &lt;= tol (1 + |expected|) elementwise.</summary>
    public static void AssertClose(IReadOnlyList<double> expected, Buffer actual, double tol, string what)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(actual.GetDouble(i) - expected[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"{what}[{i}] is {actual.GetDouble(i)}, expected {expected[i]}");
    }
}
