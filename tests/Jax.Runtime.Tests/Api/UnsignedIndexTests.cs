using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// Unsigned index arrays are the large positive values they hold, never negative indices counting from the end:
/// a uint32 4294967295 or a uint64 at or beyond 2^63 is past the end of any axis, so a gather clamps it to the last
/// element (indexing) or fills it (<c>take</c>), dynamic slices clamp it to the last window, and scatters drop it.
/// Signed indices wider than int32 stay out of range the same way rather than wrapping.
/// </summary>
public class UnsignedIndexTests
{
    private static readonly double[] Values = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

    private static Tensor X => Jnp.Array(Values);

    /// <summary>An index array of <paramref name="dtype"/> holding <paramref name="values"/> (wrapped into the dtype as C# casts do).</summary>
    private static Tensor Indices(DType dtype, params ulong[] values) =>
        Lax.ConvertElementType(Jnp.Array<ulong>(values, null, DType.UInt64), dtype);

    /// <summary>The element a gather at an index gives: clamped into range, or NaN (the fill) out of range.</summary>
    private static double Expected(double index, bool fill) =>
        index >= 0 && index < Values.Length ? Values[(int)index]
        : fill ? double.NaN
        : Values[index < 0 ? 0 : Values.Length - 1];

    public static TheoryData<DType, ulong> LargeUnsigned() => new()
    {
        { DType.UInt8, 255 }, { DType.UInt8, 128 }, { DType.UInt8, 9 },
        { DType.UInt16, 65535 }, { DType.UInt16, 32768 }, { DType.UInt16, 9 },
        { DType.UInt32, uint.MaxValue }, { DType.UInt32, uint.MaxValue - 1 }, { DType.UInt32, 1u << 31 }, { DType.UInt32, 9 },
        { DType.UInt64, ulong.MaxValue }, { DType.UInt64, ulong.MaxValue - 1 }, { DType.UInt64, 1ul << 63 }, { DType.UInt64, (1ul << 63) + 5 },
        { DType.UInt64, uint.MaxValue }, { DType.UInt64, 9 },
    };

    [Theory]
    [MemberData(nameof(LargeUnsigned))]
    public void Take_treats_an_unsigned_index_as_its_positive_value(DType dtype, ulong index)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var got = Jnp.Take(X, Indices(dtype, index, 3));
        Expect.Values(got, [Expected(index, fill: true), 13]);
    }

    [Theory]
    [MemberData(nameof(LargeUnsigned))]
    public void Indexing_clamps_an_unsigned_index_past_the_end_to_the_last_element(DType dtype, ulong index)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var got = X[Indices(dtype, index, 3)];
        Expect.Values(got, [Expected(index, fill: false), 13]);
    }

    [Theory]
    [InlineData(4294967295L)]
    [InlineData(4294967294L)]
    [InlineData(1L << 40)]
    [InlineData(-4294967295L)]
    [InlineData(-11L)]
    [InlineData(-10L)]
    [InlineData(-1L)]
    [InlineData(9L)]
    public void Wide_signed_indices_stay_out_of_range_rather_than_wrapping(long index)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var indices = Jnp.Array(new[] { index }, DType.Int64);
        double normalized = index < 0 ? index + Values.Length : index;
        Expect.Values(Jnp.Take(X, indices), [Expected(normalized, fill: true)]);
        Expect.Values(X[indices], [Expected(normalized, fill: false)]);
    }

    [Theory]
    [InlineData(4294967295L)]
    [InlineData(4294967294L)]
    [InlineData(9L)]
    [InlineData(255L)]
    public void Unsigned_and_int64_indices_of_the_same_value_agree(long index)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var asInt64 = Jnp.Array(new[] { index }, DType.Int64);
        foreach (var dtype in new[] { DType.UInt8, DType.UInt16, DType.UInt32, DType.UInt64 })
        {
            if (index > (long)(dtype == DType.UInt64 ? long.MaxValue : (1L << (8 * dtype.ItemSize())) - 1)) continue;
            var unsigned = Indices(dtype, (ulong)index);
            Assert.Equal(Jnp.Take(X, asInt64).ToArray<double>(), Jnp.Take(X, unsigned).ToArray<double>());
            Assert.Equal(X[asInt64].ToArray<double>(), X[unsigned].ToArray<double>());
        }
    }

    [Fact]
    public void A_uint32_index_past_the_end_is_not_the_last_element_without_x64()
    {
        using var x32 = Jax.Config.X64Scope(false);
        var x = Jnp.Array(new float[] { 1, 2, 3 });
        Expect.Values(Jnp.Take(x, Jnp.Array(new[] { uint.MaxValue, 1u })), [double.NaN, 2]);
        Expect.Values(x[Jnp.Array(new[] { uint.MaxValue - 1, 0u })], [3, 1]);
    }

    [Theory]
    [MemberData(nameof(LargeUnsigned))]
    public void Dynamic_slice_clamps_an_unsigned_start_past_the_end_to_the_last_window(DType dtype, ulong start)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var got = Lax.DynamicSlice(X, [Indices(dtype, start).Reshape([])], [3]);
        double first = Math.Min((double)start, Values.Length - 3);
        Expect.Values(got, [Values[(int)first], Values[(int)first + 1], Values[(int)first + 2]]);
    }

    [Theory]
    [MemberData(nameof(LargeUnsigned))]
    public void Batched_dynamic_slices_clamp_unsigned_starts_past_the_end_to_the_last_window(DType dtype, ulong start)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var starts = Indices(dtype, start, 2);
        var got = Jax.Vmap((Func<Tensor, Tensor>)(s => Lax.DynamicSlice(X, [s], [3])))(starts);
        int first = (int)Math.Min((double)start, Values.Length - 3);
        Expect.Values(got, [Values[first], Values[first + 1], Values[first + 2], 12, 13, 14]);
    }

    [Theory]
    [MemberData(nameof(LargeUnsigned))]
    public void Batched_dynamic_update_slices_clamp_unsigned_starts_past_the_end_to_the_last_window(DType dtype, ulong start)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var starts = Indices(dtype, start, 2);
        var got = Jax.Vmap((Func<Tensor, Tensor>)(s => Lax.DynamicUpdateSlice(X, Jnp.Zeros([3]), [s])))(starts);
        int first = (int)Math.Min((double)start, Values.Length - 3);
        var expected = Values.Select((v, i) => i >= first && i < first + 3 ? 0 : v)
            .Concat(Values.Select((v, i) => i is >= 2 and < 5 ? 0 : v)).ToArray();
        Expect.Values(got, expected);
    }

    [Theory]
    [MemberData(nameof(LargeUnsigned))]
    public void The_gradient_of_take_scatters_nothing_for_an_unsigned_index_past_the_end(DType dtype, ulong index)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var indices = Indices(dtype, index, 3);
        var grad = Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(Jnp.Where(Jnp.Isnan(Jnp.Take(x, indices)), 0.0, Jnp.Take(x, indices)))))(X);
        var expected = new double[Values.Length];
        expected[3] += 1;
        if (index < (ulong)Values.Length) expected[index] += 1;
        Expect.Values(grad, expected);
    }
}
