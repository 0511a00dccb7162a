using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api.NumpyStats;

/// <summary>The nan-reductions against loops that skip NaNs, NumPy's all-NaN conventions (JAX's -1 for nanarg*), and their gradients.</summary>
public class NanReductionTests
{
    private const double N = double.NaN;
    private static readonly double[] Data = [1, N, 3, 4, 2, 8, N, N, N, 5, 0.5, 7];

    private static Tensor X() => Jnp.Array(Data).Reshape(3, 4);

    /// <summary>f over the non-NaN elements of each row (axis 1), column (axis 0) or all (null).</summary>
    private static double[] Reference(int? axis, Func<double[], double> f)
    {
        double[] Row(int r) => [.. Data.Skip(4 * r).Take(4).Where(v => !double.IsNaN(v))];
        double[] Col(int c) => [.. Enumerable.Range(0, 3).Select(r => Data[4 * r + c]).Where(v => !double.IsNaN(v))];
        return axis switch
        {
            1 => [.. Enumerable.Range(0, 3).Select(r => f(Row(r)))],
            0 => [.. Enumerable.Range(0, 4).Select(c => f(Col(c)))],
            _ => [f([.. Data.Where(v => !double.IsNaN(v))])],
        };
    }

    private static double Variance(double[] v, int ddof) =>
        v.Length - ddof <= 0 ? double.NaN : v.Select(e => (e - v.Average()) * (e - v.Average())).Sum() / (v.Length - ddof);

    public static TheoryData<int?> Axes => new() { null, 0, 1 };

    [Theory]
    [MemberData(nameof(Axes))]
    public void Nan_reductions_skip_nans(int? axis)
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = X();
        int[]? axes = axis is null ? null : [axis.Value];
        Expect.Values(Jnp.Nansum(x, axes), Reference(axis, v => v.Sum()), 1e-12);
        Expect.Values(Jnp.Nanprod(x, axes), Reference(axis, v => v.Aggregate(1.0, (p, e) => p * e)), 1e-12);
        Expect.Values(Jnp.Nanmean(x, axes), Reference(axis, v => v.Length == 0 ? N : v.Average()), 1e-12);
        Expect.Values(Jnp.Nanvar(x, axes), Reference(axis, v => Variance(v, 0)), 1e-12);
        Expect.Values(Jnp.Nanvar(x, axes, ddof: 1), Reference(axis, v => Variance(v, 1)), 1e-12);
        Expect.Values(Jnp.Nanstd(x, axes), Reference(axis, v => Math.Sqrt(Variance(v, 0))), 1e-12);
        Expect.Values(Jnp.Nanmax(x, axes), Reference(axis, v => v.Length == 0 ? N : v.Max()));
        Expect.Values(Jnp.Nanmin(x, axes), Reference(axis, v => v.Length == 0 ? N : v.Min()));
        Expect.Values(Jnp.Nanmedian(x, axes), Reference(axis, v => v.Length == 0 ? N : Median(v)), 1e-12);
        Expect.Values(Jnp.Nanpercentile(x, 30, axes), Reference(axis, v => v.Length == 0 ? N : Linear(v, 0.3)), 1e-12);
        Expect.Values(Jnp.Nanquantile(x, 0.8, axes), Reference(axis, v => v.Length == 0 ? N : Linear(v, 0.8)), 1e-12);
    }

    private static double Linear(double[] v, double q)
    {
        var s = v.OrderBy(e => e).ToArray();
        double pos = q * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    private static double Median(double[] v) => Linear(v, 0.5);

    [Fact]
    public void Nan_argreductions_and_cumulative_ops_match_numpy()
    {
        var x = X();
        Expect.Values(Jnp.Nanargmax(x, 1), [3, 1, 3]);
        Expect.Values(Jnp.Nanargmin(x, 1), [0, 0, 2]);
        Expect.Values(Jnp.Nanargmax(x), [5]);
        Expect.Values(Jnp.Nanargmax(Jnp.Array(new[] { N, N })), [-1]);
        Expect.Values(Jnp.Nanargmin(x, 0, keepdims: true), [0, 2, 2, 0]);
        Expect.Values(Jnp.Nancumsum(Jnp.Array(new[] { 1, N, 3, N })), [1, 1, 4, 4]);
        Expect.Values(Jnp.Nancumprod(Jnp.Array(new[] { 2, N, 3, N })), [2, 2, 6, 6]);
        Expect.Values(Jnp.Nancumsum(x, 1), [1, 1, 4, 8, 2, 10, 10, 10, 0, 5, 5.5, 12.5]);
        Expect.Values(Jnp.Nanmax(x, 0, keepdims: true), [2, 8, 3, 7]);
        Expect.Shape(Jnp.Nanmean(x, 1, keepdims: true), 3, 1);
    }

    [Fact]
    public void Integer_inputs_reduce_as_the_plain_reductions()
    {
        var i = Jnp.Array(new[] { 3, 1, 2 });
        Expect.Values(Jnp.Nansum(i), [6]);
        Expect.Values(Jnp.Nanmax(i), [3]);
        Expect.Values(Jnp.Nanargmin(i), [1]);
        Expect.Values(Jnp.Nanmean(i), [2]);
        Assert.Equal(Jax.Config.DefaultFloat, Jnp.Nanmean(i).DType);
        Expect.Values(Jnp.Nanvar(i), [2.0 / 3], 1e-6);
    }

    [Fact]
    public void Gradients_ignore_nans_and_match_finite_differences()
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = Jnp.Array(new[] { 0.4, N, -1.3, 2.2, 0.7, 1.1 }).Reshape(2, 3);
        var grad = Jax.Grad((Tensor v) => Jnp.Nanmean(v))(x);
        Expect.Values(grad, [0.2, 0, 0.2, 0.2, 0.2, 0.2], 1e-12);
        var finite = Jnp.Array(new[] { 0.4, 1.9, -1.3, 2.2, 0.7, 1.1 }).Reshape(2, 3);
        GradientCheck.CheckGrads(v => Jnp.Nansum(v, 1), finite);
        GradientCheck.CheckGrads(v => Jnp.Nanvar(v, 0, ddof: 1), finite);
        GradientCheck.CheckGrads(v => Jnp.Nanstd(v), finite);
        GradientCheck.CheckGrads(v => Jnp.Nanmax(v, 1), finite);
        GradientCheck.CheckGrads(v => Jnp.Nanmedian(v, 1), finite);
        GradientCheck.CheckGrads(v => Jnp.Nancumprod(v, 1), finite);
        var gradVar = Jax.Grad((Tensor v) => Jnp.Nanvar(v))(x).ToArray<double>();
        Assert.Equal(0, gradVar[1]);
        Assert.All(gradVar, g => Assert.False(double.IsNaN(g)));
    }

    [Fact]
    public void Nan_reductions_run_under_jit_and_vmap()
    {
        var x = X();
        Expect.Values(Jax.Jit((Tensor v) => Jnp.Nanmean(v, 1))(x), [8.0 / 3, 5, 12.5 / 3], 1e-6);
        Expect.Values(Jax.Vmap((Tensor row) => Jnp.Nanmax(row))(x), [4, 8, 7]);
        Expect.Values(Jax.Vmap((Tensor row) => Jnp.Nanmedian(row))(x), [3, 5, 5], 1e-6);
        Expect.Values(Jax.Jit((Tensor v) => Jnp.Nanargmax(v, 0))(x), [1, 1, 0, 2]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        Expect.Error(() => Jnp.Nanmax(Jnp.Zeros([0])), "nanmax", "zero-size");
        Expect.Error(() => Jnp.Nansum(X(), 2), "sum", "axis 2");
        Expect.Error(() => Jnp.Nanquantile(X(), 2.0), "nanquantile", "[0, 1]");
        Assert.Throws<ArgumentNullException>("a", () => Jnp.Nansum(null!));
    }
}
