using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>Assertions on API results: dtype, shape and values against independently computed expectations.</summary>
internal static class Expect
{
    /// <summary>The tensor's shape is <paramref name="shape"/>.</summary>
    public static void Shape(Tensor t, params long[] shape) => Assert.Equal(shape, t.Shape.Sizes);

    /// <summary>Row-major elements equal <paramref name="expected"/> (NaN matches NaN; relative tolerance above 1).</summary>
    public static void Values(Tensor t, double[] expected, double tolerance = 0)
    {
        var actual = t.ToArray<double>();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], tolerance, i);
    }

    /// <summary>Boolean elements equal <paramref name="expected"/>.</summary>
    public static void Bools(Tensor t, params bool[] expected)
    {
        Assert.Equal(DType.Bool, t.DType);
        Assert.Equal(expected, t.ToArray<bool>());
    }

    /// <summary>dtype, shape and values all match.</summary>
    public static void Array(Tensor t, DType dtype, long[] shape, double[] expected, double tolerance = 0)
    {
        Assert.Equal(dtype, t.DType);
        Shape(t, shape);
        Values(t, expected, tolerance);
    }

    /// <summary>One element: equal (infinities, NaN) or within tolerance * max(1, |expected|).</summary>
    public static void Close(double expected, double actual, double tolerance, int index = 0)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"element {index}: expected NaN, got {actual}");
            return;
        }
        if (expected == actual) return;
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)),
            $"element {index}: expected {expected:R}, got {actual:R}");
    }

    /// <summary>The exception's message names the operation, each fragment, and this test file as the call site.</summary>
    public static JaxTypeException Error(Action action, string operation, params string[] fragments)
    {
        var e = Assert.Throws<JaxTypeException>(action);
        Assert.Equal(operation, e.Operation);
        Assert.StartsWith(operation + ":", e.Message, StringComparison.Ordinal);
        foreach (var f in fragments) Assert.Contains(f, e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>Every index of <paramref name="shape"/>, in row-major order.</summary>
    public static IEnumerable<long[]> Indices(params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        for (long flat = 0; flat < n; flat++)
        {
            var index = new long[shape.Length];
            long rest = flat;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            yield return index;
        }
    }

    /// <summary>The row-major offset of <paramref name="index"/> in <paramref name="shape"/>.</summary>
    public static long Offset(long[] index, long[] shape)
    {
        long offset = 0;
        for (int d = 0; d < shape.Length; d++) offset = offset * shape[d] + index[d];
        return offset;
    }

    /// <summary>0, 1, ... n-1 as doubles.</summary>
    public static double[] Range(int n) => [.. Enumerable.Range(0, n).Select(i => (double)i)];

    /// <summary>An arange of <paramref name="shape"/>'s size in <paramref name="dtype"/>, reshaped.</summary>
    public static Tensor Iota(DType dtype, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return Jnp.Arange((int)n).Astype(dtype).Reshape(shape);
    }
}
