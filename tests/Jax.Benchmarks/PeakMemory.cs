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
/// The probe while our allocator has no statistics API: it reports nothing, so jit_peak_memory prints
/// "- - -". The real probe will read <c>Jax.Devices()[0].MemoryStats()</c>: <c>PeakBytesInUse</c> for
/// <see cref="IPeakMemoryProbe.PeakBytes"/>, and the allocator's peak reset for <see cref="IPeakMemoryProbe.Reset"/>.
/// </summary>
internal sealed class UnavailablePeakMemoryProbe : IPeakMemoryProbe
{
    public void Reset()
    {
    }

    public long? PeakBytes => null;
}

/// <summary>
/// jit_peak_memory: the peak bytes of a 20-op elementwise chain on 4M float32 values under <c>Jax.Jit</c>
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
        jitted(x); // traced before the measurement

        probe.Reset();
        jitted(x).BlockUntilReady();
        var jitPeak = probe.PeakBytes;

        probe.Reset();
        ElementwiseChain.Apply(x, ChainLength).BlockUntilReady();
        var eagerPeak = probe.PeakBytes;

        return new WorkloadResult(Name, Quantity.Bytes(jitPeak!.Value), Quantity.Bytes(eagerPeak!.Value));
    }
}
