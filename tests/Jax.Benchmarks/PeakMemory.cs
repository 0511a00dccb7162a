namespace JaxToolchain.Benchmarks;

/// <summary>Reads the peak of the bytes our allocator holds since the last <see cref="Reset"/>.</summary>
internal interface IPeakMemoryProbe
{
    /// <summary>Starts a new peak from the bytes in use now.</summary>
    void Reset();

    /// <summary>The peak since <see cref="Reset"/>, or null when the allocator does not report one.</summary>
    long? PeakBytes { get; }
}

/// <summary>
/// Reads the default device's allocator statistics: the peak of <c>Jax.Devices()[0].MemoryStats().BytesInUse</c> since
/// <c>ResetPeakMemory()</c>, less what was in use at the reset (the input and anything else already live), so the
/// figure is what the computation itself took. The bytes are what arrays hold (block capacities, in size classes),
/// whether they are disposed by the runtime or still waiting for the garbage collector.
/// </summary>
internal sealed class DevicePeakMemoryProbe : IPeakMemoryProbe
{
    private readonly Device _device = Jax.Devices()[0];
    private long _baseline;

    public void Reset()
    {
        _device.ResetPeakMemory();
        _baseline = _device.MemoryStats().BytesInUse;
    }

    public long? PeakBytes => _device.MemoryStats().PeakBytesInUse - _baseline;
}

/// <summary>
/// jit_peak_memory: the peak bytes (above what was live before) of a 20-op elementwise chain on 4M float32 values under <c>Jax.Jit</c>
/// (ours) and op by op (in the peer's column); the ratio eager / jit shows what fusion and buffer reuse save.
/// </summary>
internal static class JitPeakMemoryWorkload
{
    public const string Name = "jit_peak_memory";
    private const int Length = 4 * 1024 * 1024;
    private const int ChainLength = 20;

    public static WorkloadResult Measure(IPeakMemoryProbe probe)
    {
        probe.Reset();
        if (probe.PeakBytes is null) return new WorkloadResult(Name, null, null);

        var x = Jnp.Array(FixedInputs.Uniform(Length, seed: 3, low: -1, high: 1));
        var jitted = Jax.Jit((Func<Tensor, Tensor>)(v => ElementwiseChain.Apply(v, ChainLength)));
        jitted(x).Dispose(); // traced before the measurement

        // Each measurement starts from only the live arrays: garbage of earlier work is collected first.
        Quiesce();
        probe.Reset();
        var jitResult = jitted(x).BlockUntilReady();
        var jitPeak = probe.PeakBytes;
        jitResult.Dispose();

        Quiesce();
        probe.Reset();
        var eagerResult = ElementwiseChain.Apply(x, ChainLength).BlockUntilReady();
        var eagerPeak = probe.PeakBytes;
        eagerResult.Dispose();

        return new WorkloadResult(Name, Quantity.Bytes(jitPeak!.Value), Quantity.Bytes(eagerPeak!.Value));
    }

    private static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
