namespace JaxToolchain.Ir.Tests.Execution;

public class CachingHostAllocatorTests
{
    [Fact]
    public void A_freed_block_serves_the_next_request_of_its_size_class()
    {
        var allocator = new CachingHostAllocator();
        try
        {
            var a = allocator.Allocate(40_000_000);
            allocator.Free(a);
            var b = allocator.Allocate(39_000_000);
            Assert.Equal(a.Pointer, b.Pointer);
            var stats = allocator.Stats;
            Assert.Equal(2, stats.Allocations);
            Assert.Equal(1, stats.CacheHits);
            Assert.Equal(b.Capacity, stats.BytesInUse);
            allocator.Free(b);
        }
        finally
        {
            allocator.Clear();
        }
    }

    [Fact]
    public void Size_classes_are_powers_of_two_up_to_64_KB_and_quarter_steps_above()
    {
        Assert.Equal(64, CachingHostAllocator.SizeClass(1));
        Assert.Equal(64, CachingHostAllocator.SizeClass(64));
        Assert.Equal(128, CachingHostAllocator.SizeClass(65));
        Assert.Equal(65536, CachingHostAllocator.SizeClass(40_000));
        long previous = 0;
        for (long bytes = 65_537; bytes < 1L << 33; bytes = bytes * 5 / 3)
        {
            long size = CachingHostAllocator.SizeClass(bytes);
            Assert.True(size >= bytes);
            Assert.True(size <= bytes * 1.25 + 64, $"{bytes} -> {size} wastes more than a quarter");
            Assert.True(size >= previous);
            Assert.Equal(0, size % 64);
            previous = size;
        }
    }

    [Fact]
    public void The_cache_is_capped_and_can_be_cleared()
    {
        var allocator = new CachingHostAllocator(cacheLimitBytes: 1 << 20);
        var blocks = Enumerable.Range(0, 4).Select(_ => allocator.Allocate(512 << 10)).ToArray();
        foreach (var b in blocks) allocator.Free(b);
        Assert.True(allocator.Stats.BytesCached <= 1 << 20);
        allocator.Clear();
        Assert.Equal(0, allocator.Stats.BytesCached);
        Assert.Equal(0, allocator.Stats.BytesInUse);
    }

    [Fact]
    public void Peak_use_is_measured_from_the_last_reset()
    {
        var allocator = new CachingHostAllocator();
        var a = allocator.Allocate(1 << 20);
        var b = allocator.Allocate(1 << 20);
        allocator.Free(a);
        allocator.Free(b);
        Assert.Equal(2L << 20, allocator.Stats.PeakBytesInUse);
        allocator.ResetPeak();
        Assert.Equal(0, allocator.Stats.PeakBytesInUse);
        allocator.Clear();
    }

    [Fact]
    public void A_scope_sends_buffers_to_its_allocator_and_they_come_back_to_it()
    {
        var allocator = new CachingHostAllocator();
        using (HostAllocators.Use(allocator))
        {
            var b = Buffer.Zeros(DType.Float32, Shape.Of(1000));
            Assert.Equal(4096, allocator.Stats.BytesInUse);
            b.Dispose();
        }
        Assert.Equal(0, allocator.Stats.BytesInUse);
        Assert.Equal(4096, allocator.Stats.BytesCached);
        allocator.Clear();
    }

    [Fact]
    public void Undisposed_unreachable_buffers_return_to_the_pool()
    {
        var allocator = new CachingHostAllocator { CollectThresholdBytes = 8 << 20 };
        using (HostAllocators.Use(allocator))
        {
            // Each 4 MB buffer is dropped without Dispose; the allocator's collections recycle them.
            for (int i = 0; i < 40; i++) MakeGarbage();
        }
        var stats = allocator.Stats;
        Assert.True(stats.Collections > 0);
        Assert.True(stats.CacheHits > 0, $"no block was reused: {stats}");
        Assert.True(stats.PeakBytesInUse < 40L * (4 << 20), $"every buffer stayed alive: {stats}");
        allocator.Clear();

        static void MakeGarbage() => Buffer.Uninitialized(DType.Float32, Shape.Of(1 << 20));
    }

    [Fact]
    public void Concurrent_allocation_and_release_keep_the_books_balanced()
    {
        var allocator = new CachingHostAllocator();
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 500; i++)
            {
                var block = allocator.Allocate(64 << (i % 12));
                unsafe { *(byte*)block.Pointer = (byte)t; }
                allocator.Free(block);
            }
        });
        Assert.Equal(0, allocator.Stats.BytesInUse);
        Assert.Equal(4000, allocator.Stats.Allocations);
        allocator.Clear();
    }
}
