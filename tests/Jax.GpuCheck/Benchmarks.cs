using JaxToolchain.Ir;

namespace JaxToolchain.GpuCheck;

/// <summary>
/// The issue's workloads on the Vulkan device, inputs already there, each call's device work completed inside the timing
/// (<c>BlockUntilReady</c>): selu on 10M float32, a device copy of the same 40 MB (<c>-x</c>: one read, one write, which
/// no simplification removes), 4096x4096 float32 and float16 matmuls, and a tiny kernel's per-dispatch time (1000 calls of
/// <c>x + 1</c> on 256 elements, waiting once at the end or after each call). <c>--quick</c>: 1M elements, 512x512, 200
/// calls. The same workloads for JAX and PyTorch: eng/gpu-check/peers.py.
/// </summary>
internal sealed class Benchmarks(Device gpu, Options options, Report report)
{
    private static Tensor Selu(Tensor x)
    {
        const float alpha = 1.67326324f, scale = 1.05070098f;
        return scale * Jnp.Where(x > 0, x, alpha * Jnp.Exp(x) - alpha);
    }

    private double Budget => options.Quick ? 3000 : 6000;

    /// <summary>Runs every benchmark; a failing one prints why and the others still run.</summary>
    public void RunAll()
    {
        int n = options.Quick ? 1_000_000 : 10_000_000;
        int size = options.Quick ? 512 : 4096;
        int calls = options.Quick ? 200 : 1000;
        Run("selu + copy", () => Elementwise(n));
        Run("matmul", () => Matmul(size));
        Run("dispatch", () => Dispatch(calls));
    }

    private static void Run(string name, Action benchmark)
    {
        try
        {
            benchmark();
        }
        catch (Exception e)
        {
            Console.WriteLine($"  FAILED {name}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private void Elementwise(int n)
    {
        var x = Jax.DevicePut(Checks.Values([n], 1) * 5, gpu);
        double bytes = 2.0 * 4 * n;  // one read and one write of float32[n]
        var selu = Jax.Jit(Selu, new JitOptions { Name = "bench_selu", Device = gpu });
        var (seluMs, seluRuns) = Timer.Median(() => selu(x).BlockUntilReady().Dispose(), options.Runs, Budget);
        report.Timing("selu", seluMs, bytes / seluMs / 1e6, "GB/s", $"float32[{n}], {seluRuns} runs");

        // The copy: -x (x * 1 and x + 0 may be simplified away; negation is one kernel reading and writing every element).
        var copy = Jax.Jit((Tensor a) => -a, new JitOptions { Name = "bench_copy", Device = gpu });
        string kernels = string.Join(" | ", copy.Lower(x).AsText().Split('\n').Where(l => l.Contains("fusion", StringComparison.Ordinal) || l.Contains("neg", StringComparison.Ordinal)).Select(l => l.Trim()).Take(3));
        Console.WriteLine($"  copy kernel (-x), lowered: {kernels}");
        var (copyMs, copyRuns) = Timer.Median(() => copy(x).BlockUntilReady().Dispose(), options.Runs, Budget);
        report.Timing("copy", copyMs, bytes / copyMs / 1e6, "GB/s", $"-x on float32[{n}], read+write, {copyRuns} runs");
        Console.WriteLine($"  selu at {100 * copyMs / seluMs:F0}% of the copy's bandwidth");
        x.Dispose();
    }

    private void Matmul(int size)
    {
        var a = Jax.DevicePut(Checks.Values([size, size], 2), gpu);
        var b = Jax.DevicePut(Checks.Values([size, size], 3), gpu);
        var matmul = Jax.Jit((Tensor p, Tensor q) => Jnp.Matmul(p, q), new JitOptions { Name = "bench_matmul", Device = gpu });
        var (ms, runs) = Timer.Median(() => matmul(a, b).BlockUntilReady().Dispose(), options.Runs, Budget);
        report.Timing("matmul_f32", ms, 2.0 * size * size * size / ms / 1e6, "GFLOP/s", $"float32[{size},{size}] @ float32[{size},{size}], {runs} runs");
        // float16: the cooperative-matrix variant where the device lists 16x16x16 float16 matrices.
        var a16 = Jax.DevicePut(Checks.Values([size, size], 2).Astype(DType.Float16), gpu);
        var b16 = Jax.DevicePut(Checks.Values([size, size], 3).Astype(DType.Float16), gpu);
        var matmul16 = Jax.Jit((Tensor p, Tensor q) => Jnp.Matmul(p, q), new JitOptions { Name = "bench_matmul_f16", Device = gpu });
        var (ms16, runs16) = Timer.Median(() => matmul16(a16, b16).BlockUntilReady().Dispose(), options.Runs, Budget);
        report.Timing("matmul_f16", ms16, 2.0 * size * size * size / ms16 / 1e6, "GFLOP/s", $"float16[{size},{size}] @ float16[{size},{size}] (float32 accumulation), {runs16} runs");
        a.Dispose();
        b.Dispose();
        a16.Dispose();
        b16.Dispose();
    }

    private void Dispatch(int calls)
    {
        var x = Jax.DevicePut(Checks.Values([256], 4), gpu);
        var add = Jax.Jit((Tensor a) => a + 1, new JitOptions { Name = "bench_dispatch", Device = gpu });
        var (chained, runs) = Timer.Median(() =>
        {
            var y = x;
            for (int i = 0; i < calls; i++) y = add(y);
            y.BlockUntilReady();
        }, Math.Max(3, options.Runs / 4), Budget);
        report.Timing("dispatch_async", chained / calls, chained / calls * 1000, "us/call", $"{calls} chained calls of x + 1 on float32[256], one wait at the end, {runs} runs");
        var (waited, runsWaited) = Timer.Median(() =>
        {
            for (int i = 0; i < calls; i++) add(x).BlockUntilReady().Dispose();
        }, Math.Max(3, options.Runs / 4), Budget);
        report.Timing("dispatch_sync", waited / calls, waited / calls * 1000, "us/call", $"{calls} calls of x + 1 on float32[256], a wait after each, {runsWaited} runs");
    }
}
