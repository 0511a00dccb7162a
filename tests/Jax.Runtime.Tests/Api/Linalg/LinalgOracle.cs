using JaxToolchain.Ir;
using TorchSharp;

namespace JaxToolchain.Runtime.Tests.Api.Linalg;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Inputs for the linear-algebra tests as pairs (our array, the same numbers in a torch tensor of the same dtype),
/// and comparisons against <c>torch.linalg</c> with a bound relative to the largest expected magnitude.
/// </summary>
internal static class LinalgOracle
{
    /// <summary>Uniform numbers in [-1, 1) of a shape, seeded.</summary>
    public static double[] Uniform(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => rng.NextDouble() * 2 - 1)];
    }

    /// <summary>Our array and a torch tensor holding the same values in <paramref name="dtype"/> (float32 or float64).</summary>
    public static (Tensor Jax, TorchTensor Torch) Pair(double[] data, DType dtype, params int[] shape)
    {
        var jax = Jnp.Array(data, dtype).Reshape([.. shape.Select(d => (long)d)]);
        var t = dtype == DType.Float64
            ? Oracle.Torch.From(data, [.. shape.Select(d => (long)d)])
            : Oracle.Torch.From([.. data.Select(d => (float)d)], [.. shape.Select(d => (long)d)]);
        return (jax, t);
    }

    /// <summary>Random matrices [..., n, n] made well conditioned by adding n to the diagonal.</summary>
    public static (Tensor Jax, TorchTensor Torch) WellConditioned(int seed, DType dtype, params int[] shape)
    {
        int n = shape[^1];
        var data = Uniform(seed, shape);
        for (int i = 0; i < data.Length; i++)
            if (i % (n * n) / n == i % n) data[i] += n;
        return Pair(data, dtype, shape);
    }

    /// <summary>Random symmetric positive-definite matrices [..., n, n]: B Bᵀ + n I.</summary>
    public static (Tensor Jax, TorchTensor Torch) PositiveDefinite(int seed, DType dtype, params int[] shape) =>
        PerElement(Uniform(seed, shape), dtype, shape, (b, at, i, j, n) =>
            (i == j ? n : 0) + Enumerable.Range(0, n).Sum(k => b[at + i * n + k] * b[at + j * n + k]));

    /// <summary>Random symmetric matrices [..., n, n]: (A + Aᵀ)/2.</summary>
    public static (Tensor Jax, TorchTensor Torch) Symmetric(int seed, DType dtype, params int[] shape) =>
        PerElement(Uniform(seed, shape), dtype, shape, (a, at, i, j, n) => (a[at + i * n + j] + a[at + j * n + i]) / 2);

    /// <summary>Matrices [..., n, n] whose element (i, j) is f(source, offset of the matrix, i, j, n).</summary>
    private static (Tensor Jax, TorchTensor Torch) PerElement(double[] source, DType dtype, int[] shape, Func<double[], int, int, int, int, double> f)
    {
        int n = shape[^1];
        var data = new double[source.Length];
        for (int at = 0; at < source.Length; at += n * n)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    data[at + i * n + j] = f(source, at, i, j, n);
        return Pair(data, dtype, shape);
    }

    /// <summary>The relative tolerance the tests use for a dtype: 1e-4 in float32, 1e-10 in float64.</summary>
    public static double Tol(DType dtype) => dtype == DType.Float64 ? 1e-10 : 1e-4;

    /// <summary>
    /// Asserts <paramref name="actual"/> has <paramref name="expected"/>'s shape and that every element is within
    /// <paramref name="rtol"/> times max(1, max |expected|) of it.
    /// </summary>
    public static void Close(Tensor actual, TorchTensor expected, double rtol, string what = "")
    {
        Assert.Equal(expected.shape, actual.Shape.Sizes);
        Close(actual.ToArray<double>(), Oracle.Torch.ToDoubles(expected), rtol, what);
    }

    /// <summary>Asserts two arrays agree within <paramref name="rtol"/> times max(1, max |expected|).</summary>
    public static void Close(Tensor actual, Tensor expected, double rtol, string what = "")
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Close(actual.ToArray<double>(), expected.ToArray<double>(), rtol, what);
    }

    /// <summary>Asserts element-wise agreement within <paramref name="rtol"/> times max(1, max |expected|).</summary>
    public static void Close(double[] actual, double[] expected, double rtol, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Select(Math.Abs).DefaultIfEmpty(0).Max());
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= rtol * scale || (double.IsNaN(expected[i]) && double.IsNaN(actual[i])) || actual[i] == expected[i],
                $"{what} element {i}: {actual[i]} vs expected {expected[i]} (tolerance {rtol * scale:g3})");
    }

    /// <summary>A float64 torch tensor holding an array's values.</summary>
    public static TorchTensor ToTorch(Tensor x) => Oracle.Torch.From(x.ToArray<double>(), x.Shape.Sizes);

    /// <summary>Runs a check with float64 enabled (JAX's x64 mode).</summary>
    public static void WithX64(Action check)
    {
        using var x64 = Jax.Config.X64Scope();
        check();
    }

    /// <summary>A scalar loss mixing every element of x with fixed weights, so that gradients see all of them.</summary>
    public static Tensor Weighted(Tensor x)
    {
        var w = Jnp.Reshape(Jnp.Cos(Jnp.Arange(0.0, x.Size, 1.0, x.DType)), [.. x.Shape.Sizes]);
        return Jnp.Sum(Jnp.Multiply(x, w));
    }

    /// <summary>The floats under test.</summary>
    public static TheoryData<DType> Floats => new() { DType.Float32, DType.Float64 };

    /// <summary>A torch tensor of a dtype, for tests that need torch values in our dtype.</summary>
    public static torch.ScalarType TorchType(DType dtype) => dtype == DType.Float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32;
}
