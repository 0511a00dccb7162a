using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>Reductions, cumulative ops and sorting against loops over the elements.</summary>
public class ReductionTests
{
    private static readonly double[] Data234 = [.. Enumerable.Range(0, 24).Select(i => (double)((i * 7) % 11 - 3))];

    private static Tensor X234(DType dtype = DType.Float32) => Jnp.Array(Data234, dtype).Reshape(2, 3, 4);

    /// <summary>Reduces <paramref name="data"/> of <paramref name="shape"/> over <paramref name="axes"/> (null: all) with <paramref name="f"/>.</summary>
    private static (double[] Values, long[] Shape) Reference(double[] data, long[] shape, int[]? axes, bool keepdims, Func<List<double>, double> f)
    {
        var reduced = (axes ?? Enumerable.Range(0, shape.Length).ToArray()).Select(a => a < 0 ? a + shape.Length : a).ToHashSet();
        var outShape = shape.Select((d, i) => reduced.Contains(i) ? 1 : d).ToArray();
        long outSize = outShape.Aggregate(1L, (a, b) => a * b);
        var groups = Enumerable.Range(0, (int)outSize).Select(_ => new List<double>()).ToArray();
        long flat = 0;
        foreach (var index in Expect.Indices(shape))
        {
            var kept = index.Select((i, d) => reduced.Contains(d) ? 0 : i).ToArray();
            groups[Expect.Offset(kept, outShape)].Add(data[flat++]);
        }
        var finalShape = keepdims ? outShape : shape.Where((_, i) => !reduced.Contains(i)).ToArray();
        return ([.. groups.Select(f)], finalShape);
    }

    public static TheoryData<int[]?, bool> AxisCases => new()
    {
        { null, false }, { null, true }, { [0], false }, { [1], true }, { [2], false }, { [-1], false }, { [-2], true },
        { [0, 2], false }, { [0, 2], true }, { [2, 0], false }, { [-1, 0], true }, { [0, 1, 2], false }, { [], false },
    };

    [Theory]
    [MemberData(nameof(AxisCases))]
    public void Sum_Prod_Max_Min_over_axes_match_loops(int[]? axis, bool keepdims)
    {
        var x = X234();
        long[] shape = [2, 3, 4];
        void Check(Tensor actual, Func<List<double>, double> f)
        {
            var (values, s) = Reference(Data234, shape, axis, keepdims, f);
            Expect.Array(actual, DType.Float32, s, values);
        }
        Check(Jnp.Sum(x, axis, keepdims), g => g.Sum());
        Check(Jnp.Prod(x, axis, keepdims), g => g.Aggregate(1.0, (a, b) => a * b));
        Check(Jnp.Max(x, axis, keepdims), g => g.Max());
        Check(Jnp.Min(x, axis, keepdims), g => g.Min());
        Check(Jnp.Amax(x, axis, keepdims), g => g.Max());
        Check(Jnp.Amin(x, axis, keepdims), g => g.Min());
    }

    [Theory]
    [MemberData(nameof(AxisCases))]
    public void Mean_Var_Std_over_axes_match_closed_forms(int[]? axis, bool keepdims)
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = X234(DType.Float64);
        long[] shape = [2, 3, 4];
        double Mean(List<double> g) => g.Sum() / g.Count;
        double Var(List<double> g, int ddof) => g.Sum(v => (v - Mean(g)) * (v - Mean(g))) / (g.Count - ddof);
        var (mean, s) = Reference(Data234, shape, axis, keepdims, Mean);
        Expect.Array(Jnp.Mean(x, axis, keepdims), DType.Float64, s, mean, 1e-14);
        var (variance, _) = Reference(Data234, shape, axis, keepdims, g => Var(g, 0));
        Expect.Array(Jnp.Var(x, axis, keepdims: keepdims), DType.Float64, s, variance, 1e-14);
        var (std1, _) = Reference(Data234, shape, axis, keepdims, g => Math.Sqrt(Var(g, 1)));
        Expect.Array(Jnp.Std(x, axis, ddof: 1, keepdims: keepdims), DType.Float64, s, std1, 1e-14);
    }

    [Fact]
    public void Single_axis_overloads_match_the_array_overloads()
    {
        var x = X234();
        Expect.Values(Jnp.Sum(x, 1), Jnp.Sum(x, [1]).ToArray<double>());
        Expect.Values(Jnp.Prod(x, -1), Jnp.Prod(x, [2]).ToArray<double>());
        Expect.Values(Jnp.Max(x, 0, keepdims: true), Jnp.Max(x, [0], true).ToArray<double>());
        Expect.Values(Jnp.Min(x, 2), Jnp.Min(x, [2]).ToArray<double>());
        Expect.Values(Jnp.Mean(x, 1), Jnp.Mean(x, [1]).ToArray<double>());
        Expect.Values(Jnp.Var(x, 1, ddof: 1), Jnp.Var(x, [1], ddof: 1).ToArray<double>());
        Expect.Values(Jnp.Std(x, 0), Jnp.Std(x, [0]).ToArray<double>());
    }

    [Theory]
    [InlineData(DType.Int8, DType.Int32, DType.Int64)]
    [InlineData(DType.Int16, DType.Int32, DType.Int64)]
    [InlineData(DType.Int32, DType.Int32, DType.Int64)]
    [InlineData(DType.UInt8, DType.UInt32, DType.UInt64)]
    [InlineData(DType.UInt16, DType.UInt32, DType.UInt64)]
    [InlineData(DType.Bool, DType.Int32, DType.Int64)]
    [InlineData(DType.Float16, DType.Float16, DType.Float16)]
    [InlineData(DType.BFloat16, DType.BFloat16, DType.BFloat16)]
    [InlineData(DType.Float32, DType.Float32, DType.Float32)]
    public void Sum_and_Prod_promote_small_ints_and_bools_to_the_default_int(DType input, DType without, DType with)
    {
        using (Jax.Config.X64Scope(false))
        {
            var x = Jnp.Ones([3, 2], input);
            Expect.Array(Jnp.Sum(x), without, [], [6]);
            Expect.Array(Jnp.Prod(x, 0), without, [2], [1, 1]);
        }
        using (Jax.Config.X64Scope(true))
            Assert.Equal(with, Jnp.Sum(Jnp.Ones([3], input)).DType);
    }

    [Fact]
    public void Sum_of_int8_does_not_wrap()
    {
        var x = Jnp.Array(new sbyte[] { 100, 100, 100 });
        Expect.Array(Jnp.Sum(x), DType.Int32, [], [300]);
        Expect.Array(Jnp.Sum(Jnp.Array(new bool[] { true, true, false, true })), DType.Int32, [], [3]);
    }

    [Fact]
    public void Sum_with_an_explicit_dtype()
    {
        var x = Jnp.Array(new sbyte[] { 100, 100, 100 });
        Expect.Array(Jnp.Sum(x, dtype: Jnp.Int8), DType.Int8, [], [44]);
        Expect.Array(Jnp.Sum(x, dtype: Jnp.Float32), DType.Float32, [], [300]);
    }

    [Fact]
    public void Float16_sums_accumulate_in_float32()
    {
        var tenth = (Half)0.1f;
        var x = Jnp.Full([1000], Jnp.Array(new Half[] { tenth }).Reshape());
        var s = Jnp.Sum(x);
        Assert.Equal(DType.Float16, s.DType);
        Assert.Equal((Half)(1000 * (float)tenth), s.Item<Half>());
        var b = Jnp.Full([1000], Jnp.Array(new float[] { 0.1f }, Jnp.BFloat16).Reshape());
        Assert.Equal((double)(BFloat16)(1000 * (float)(BFloat16)0.1f), Jnp.Sum(b).Item<double>());
    }

    [Fact]
    public void Mean_of_ints_is_float32_and_of_float16_is_float16()
    {
        using var _ = Jax.Config.X64Scope(false);
        Expect.Array(Jnp.Mean(Jnp.Array(new int[] { 1, 2, 4 })), DType.Float32, [], [7.0 / 3], 1e-7);
        Expect.Array(Jnp.Mean(Jnp.Array(new bool[] { true, false })), DType.Float32, [], [0.5]);
        Expect.Array(Jnp.Mean(Jnp.Array(new float[] { 1, 2 }, Jnp.Float16)), DType.Float16, [], [1.5]);
        Expect.Array(Jnp.Var(Jnp.Array(new int[] { 1, 2, 3, 4 })), DType.Float32, [], [1.25]);
    }

    [Fact]
    public void Mean_of_an_empty_array_is_nan()
    {
        Expect.Values(Jnp.Mean(Jnp.Zeros(0)), [double.NaN]);
    }

    [Fact]
    public void Empty_sum_is_zero_and_empty_prod_is_one()
    {
        Expect.Array(Jnp.Sum(Jnp.Zeros(0)), DType.Float32, [], [0]);
        Expect.Array(Jnp.Prod(Jnp.Zeros(0)), DType.Float32, [], [1]);
        Expect.Array(Jnp.Sum(Jnp.Zeros([2, 0]), 1), DType.Float32, [2], [0, 0]);
        Assert.True(Jnp.All(Jnp.Zeros(0)).Item<bool>());
        Assert.False(Jnp.Any(Jnp.Zeros(0)).Item<bool>());
    }

    [Fact]
    public void Max_and_min_of_an_empty_reduction_raise()
    {
        Expect.Error(() => Jnp.Max(Jnp.Zeros(0)), "max", "zero-size", "float32[0]", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Min(Jnp.Zeros([2, 0]), 1), "min", "zero-size", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Argmax(Jnp.Zeros(0)), "argmax", "ReductionTests.cs(");
        Expect.Shape(Jnp.Max(Jnp.Zeros([0, 3]), 1), 0);
    }

    [Fact]
    public void Nan_propagates_through_sum_and_max_and_wins_argmax()
    {
        var x = Jnp.Array(new float[] { 1, float.NaN, 3, float.NaN });
        Expect.Values(Jnp.Sum(x), [double.NaN]);
        Expect.Values(Jnp.Max(x), [double.NaN]);
        Expect.Values(Jnp.Min(x), [double.NaN]);
        Expect.Values(Jnp.Mean(x), [double.NaN]);
        Expect.Values(Jnp.Argmax(x), [1]);
        Expect.Values(Jnp.Argmin(x), [1]);
    }

    [Fact]
    public void Argmax_and_argmin_pick_the_first_extreme()
    {
        var x = Jnp.Array(new float[,] { { 1, 5, 5 }, { 7, 0, 7 } });
        Expect.Array(Jnp.Argmax(x), DType.Int32, [], [3]);
        Expect.Array(Jnp.Argmin(x), DType.Int32, [], [4]);
        Expect.Array(Jnp.Argmax(x, 1), DType.Int32, [2], [1, 0]);
        Expect.Array(Jnp.Argmax(x, -1), DType.Int32, [2], [1, 0]);
        Expect.Array(Jnp.Argmin(x, 0), DType.Int32, [3], [0, 1, 0]);
        Expect.Array(Jnp.Argmax(x, 0, keepdims: true), DType.Int32, [1, 3], [1, 0, 1]);
        Expect.Array(Jnp.Argmax(x, keepdims: true), DType.Int32, [1, 1], [3]);
    }

    [Fact]
    public void Argmax_of_ints_and_bools()
    {
        Expect.Values(Jnp.Argmax(Jnp.Array(new int[] { -5, 3, 3, -7 })), [1]);
        Expect.Values(Jnp.Argmin(Jnp.Array(new int[] { -5, 3, 3, -7 })), [3]);
        Expect.Values(Jnp.Argmax(Jnp.Array(new bool[] { false, true, true })), [1]);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(new[] { 0 }, false)]
    [InlineData(new[] { 1 }, true)]
    [InlineData(new[] { -1 }, false)]
    public void All_and_any_reduce_truthiness(int[]? axis, bool keepdims)
    {
        double[] data = [0, 1, 2, 3, 0, 0, 5, 6];
        var x = Jnp.Array(data).Reshape(2, 4);
        var (all, s) = Reference(data, [2, 4], axis, keepdims, g => g.All(v => v != 0) ? 1 : 0);
        var (any, _) = Reference(data, [2, 4], axis, keepdims, g => g.Any(v => v != 0) ? 1 : 0);
        Expect.Array(Jnp.All(x, axis, keepdims), DType.Bool, s, all);
        Expect.Array(Jnp.Any(x, axis, keepdims), DType.Bool, s, any);
    }

    [Fact]
    public void Max_and_min_of_bools()
    {
        var x = Jnp.Array(new bool[,] { { true, false }, { true, true } });
        Expect.Bools(Jnp.Max(x, 1), true, true);
        Expect.Bools(Jnp.Min(x, 1), false, true);
    }

    [Fact]
    public void Max_keeps_integer_dtypes()
    {
        var x = Jnp.Array(new sbyte[] { -3, 7, 2 });
        Expect.Array(Jnp.Max(x), DType.Int8, [], [7]);
        Expect.Array(Jnp.Min(x), DType.Int8, [], [-3]);
    }

    [Fact]
    public void Cumsum_and_cumprod_flatten_without_an_axis()
    {
        var x = Jnp.Array(new int[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect.Array(Jnp.Cumsum(x), DType.Int32, [6], [1, 3, 6, 10, 15, 21]);
        Expect.Array(Jnp.Cumprod(x), DType.Int32, [6], [1, 2, 6, 24, 120, 720]);
    }

    [Fact]
    public void Cumsum_and_cumprod_along_an_axis()
    {
        var x = Jnp.Array(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect.Array(Jnp.Cumsum(x, 0), DType.Float32, [2, 3], [1, 2, 3, 5, 7, 9]);
        Expect.Array(Jnp.Cumsum(x, 1), DType.Float32, [2, 3], [1, 3, 6, 4, 9, 15]);
        Expect.Array(Jnp.Cumsum(x, -1), DType.Float32, [2, 3], [1, 3, 6, 4, 9, 15]);
        Expect.Array(Jnp.Cumprod(x, 1), DType.Float32, [2, 3], [1, 2, 6, 4, 20, 120]);
    }

    [Fact]
    public void Cumsum_keeps_small_int_dtypes_but_counts_bools_in_the_default_int()
    {
        // jnp.cumsum: "If not specified, then the output dtype will match the input dtype"; bools accumulate as ints.
        var x = Jnp.Array(new sbyte[] { 100, 100 });
        Expect.Array(Jnp.Cumsum(x), DType.Int8, [2], [100, -56]);
        Expect.Array(Jnp.Cumsum(x, dtype: Jnp.Int32), DType.Int32, [2], [100, 200]);
        Expect.Array(Jnp.Cumsum(Jnp.Array(new bool[] { true, false, true })), DType.Int32, [3], [1, 1, 2]);
        Expect.Array(Jnp.Cumprod(Jnp.Array(new byte[] { 16, 16 })), DType.UInt8, [2], [16, 0]);
    }

    [Fact]
    public void Cumsum_propagates_nan()
    {
        Expect.Values(Jnp.Cumsum(Jnp.Array(new float[] { 1, float.NaN, 2 })), [1, double.NaN, double.NaN]);
    }

    [Fact]
    public void Sort_along_the_last_axis_by_default()
    {
        var x = Jnp.Array(new float[,] { { 3, 1, 2 }, { -1, 5, 0 } });
        Expect.Array(Jnp.Sort(x), DType.Float32, [2, 3], [1, 2, 3, -1, 0, 5]);
        Expect.Array(Jnp.Sort(x, 0), DType.Float32, [2, 3], [-1, 1, 0, 3, 5, 2]);
        Expect.Array(Jnp.Sort(x, null), DType.Float32, [6], [-1, 0, 1, 2, 3, 5]);
    }

    [Fact]
    public void Sort_puts_nan_last_and_handles_infinities()
    {
        var x = Jnp.Array(new float[] { float.NaN, 2, float.NegativeInfinity, float.PositiveInfinity, -1 });
        Expect.Values(Jnp.Sort(x), [double.NegativeInfinity, -1, 2, double.PositiveInfinity, double.NaN]);
        Expect.Values(Jnp.Argsort(x), [2, 4, 1, 3, 0]);
    }

    [Fact]
    public void Argsort_is_stable()
    {
        var x = Jnp.Array(new int[] { 3, 1, 3, 1, 2 });
        Expect.Array(Jnp.Argsort(x), DType.Int32, [5], [1, 3, 4, 0, 2]);
        var m = Jnp.Array(new int[,] { { 2, 2, 1 }, { 0, 1, 0 } });
        Expect.Values(Jnp.Argsort(m), [2, 0, 1, 0, 2, 1]);
        Expect.Values(Jnp.Argsort(m, 0), [1, 1, 1, 0, 0, 0]);
        Expect.Values(Jnp.Argsort(m, null), [3, 5, 2, 4, 0, 1]);
    }

    [Fact]
    public void Sort_of_ints_and_bools()
    {
        Expect.Array(Jnp.Sort(Jnp.Array(new sbyte[] { 5, -128, 127, 0 })), DType.Int8, [4], [-128, 0, 5, 127]);
        Expect.Bools(Jnp.Sort(Jnp.Array(new bool[] { true, false, true })), false, true, true);
    }

    [Fact]
    public void Reductions_reject_out_of_range_and_repeated_axes()
    {
        var x = X234();
        Expect.Error(() => Jnp.Sum(x, 3), "sum", "axis 3", "dimension 3", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Mean(x, -4), "mean", "axis -4", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Max(x, [0, 0]), "max", "repeated axis", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Argmax(x, 5), "argmax", "axis 5", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Cumsum(x, 3), "cumsum", "axis 3", "ReductionTests.cs(");
        Expect.Error(() => Jnp.Sort(x, -4), "sort", "axis -4", "ReductionTests.cs(");
    }
}
