namespace JaxToolchain.Ir.Tests.Execution;

public class HostBufferTests
{
    [Theory]
    [InlineData(DType.Bool, 1)]
    [InlineData(DType.Int8, 3)]
    [InlineData(DType.Float16, 7)]
    [InlineData(DType.Float32, 1000)]
    [InlineData(DType.Float64, 100_003)]
    public void Buffers_are_64_byte_aligned_native_memory(DType dtype, int n)
    {
        using var b = Buffer.Uninitialized(dtype, Shape.Of(n));
        Assert.Equal(0, b.Pointer % 64);
        Assert.Equal((long)n * dtype.ItemSize(), b.ByteLength);
    }

    [Fact]
    public void Sizes_are_64_bit()
    {
        // A splat stores one element, so a 10^10-element array costs nothing to hold.
        using var one = Buffer.Scalar(2.5f);
        using var big = Buffer.Splat(one, Shape.Of(100_000, 100_000));
        Assert.Equal(10_000_000_000L, big.LongLength);
        Assert.Equal(40_000_000_000L, big.ByteLength);
        Assert.Equal(2.5, big.GetDouble(9_999_999_999L));
        var e = Assert.Throws<NotSupportedException>(() => big.Length);
        Assert.Contains("2^31 - 1", e.Message);
    }

    [Fact]
    public void An_array_larger_than_the_machine_is_a_clear_error_not_an_abort()
    {
        var e = Assert.Throws<HostOutOfMemoryException>(() => Buffer.Uninitialized(DType.Float32, Shape.Of(1_000_000, 1_000_000)));
        Assert.Contains("RESOURCE_EXHAUSTED", e.Message);
        Assert.Contains("4.0 TB", e.Message);
        Assert.Contains("float32[1000000,1000000]", e.Message);
        Assert.Equal(4_000_000_000_000L, e.RequestedBytes);
    }

    [Fact]
    public void Element_counts_beyond_2_to_the_63_bytes_are_a_clear_error()
    {
        var e = Assert.Throws<HostOutOfMemoryException>(() => Buffer.Uninitialized(DType.Float64, Shape.Of(long.MaxValue / 4, 2)));
        Assert.Contains("2^63", e.Message);
    }

    [Fact]
    public void Elements_are_read_and_written_through_spans()
    {
        using var b = Buffer.Of(new[] { 1.0f, 2, 3, 4, 5, 6 }, 2, 3);
        var span = b.Span<float>();
        span[4] = 50;
        Assert.Equal([1f, 2, 3, 4, 50, 6], b.ToArray<float>());
        Assert.Equal(24, b.Bytes.Length);
        Assert.Throws<InvalidOperationException>(() => b.Span<double>());
    }

    [Fact]
    public void A_disposed_buffer_cannot_be_read_and_disposing_twice_is_harmless()
    {
        var b = Buffer.Of(new[] { 1, 2, 3 });
        b.Dispose();
        b.Dispose();
        Assert.True(b.IsDisposed);
        var e = Assert.Throws<ObjectDisposedException>(() => b.Span<int>());
        Assert.Contains("deleted", e.Message);
    }

    [Fact]
    public void Views_keep_the_memory_alive_after_the_original_is_disposed()
    {
        var b = Buffer.Of(new[] { 1.0, 2, 3, 4 });
        using var view = b.Reshape(Shape.Of(2, 2));
        Assert.True(view.SharesMemoryWith(b));
        b.Dispose();
        Assert.Equal([1.0, 2, 3, 4], view.ToArray<double>());
    }

    [Fact]
    public void A_splat_holds_one_element_until_a_kernel_asks_for_all()
    {
        using var one = Buffer.Scalar(7);
        using var splat = Buffer.Splat(one, Shape.Of(3, 4));
        Assert.True(splat.IsSplat);
        Assert.Equal(7, splat.GetInt64(11));
        Assert.Equal(Enumerable.Repeat(7, 12), splat.Span<int>().ToArray());
        Assert.False(splat.IsSplat);
        Assert.Throws<ArgumentException>(() => Buffer.Splat(Buffer.Of(new[] { 1, 2 }), Shape.Of(4)));
    }

    [Fact]
    public void Splats_cannot_be_written_element_by_element()
    {
        using var one = Buffer.Scalar(1.0);
        using var splat = Buffer.Splat(one, Shape.Of(5));
        Assert.Throws<InvalidOperationException>(() => splat.SetDouble(2, 3));
    }

    [Fact]
    public void Bitwise_equality_compares_splats_with_dense_buffers_by_value()
    {
        using var one = Buffer.Scalar(1.5);
        using var splat = Buffer.Splat(one, Shape.Of(4));
        using var dense = Buffer.Of(new[] { 1.5, 1.5, 1.5, 1.5 });
        using var other = Buffer.Of(new[] { 1.5, 1.5, 1.5, 2 });
        Assert.True(dense.BitwiseEquals(splat));
        Assert.False(other.BitwiseEquals(splat));
    }
}
