using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// gemm_3000 and fma_peak: <c>Jnp.Dot(x, x.T)</c> on a fixed 3000 x 3000 float32 matrix (uniform in [-1, 1)),
/// jitted with the LLVM CPU compiler (<see cref="JaxJit.Enable()"/>, registered by Program, or here if it was not). Peers:
/// TorchSharp's <c>matmul(x, x.T)</c> (2 threads), and <see cref="FmaPeak"/>, the time 2 threads take to issue the same
/// 2 * 3000^3 flops as 512-bit fused multiply-adds (12 independent accumulators per thread, no memory traffic): the
/// machine's FMA peak measured in the same run, so ratio = peak time / ours is the fraction of peak we reach.
/// </summary>
public class GemmBenchmarks
{
    public const int Size = 3000;
    private const int Threads = 2;
    private const int Accumulators = 12;

    private Tensor _x = null!;
    private Func<Tensor, Tensor> _jitted = null!;
    private TorchTensor _torchX = null!;
    private bool _enabledHere;

    /// <summary>The flops of one product: a multiply and an add per (i, j, k).</summary>
    public const double Flops = 2.0 * Size * Size * Size;

    /// <summary>Ours: x · xᵀ.</summary>
    public static Tensor Gram(Tensor x) => Jnp.Dot(x, x.T);

    [GlobalSetup]
    public void Setup()
    {
        _enabledHere = !JaxJit.IsEnabled && JaxJit.Enable();
        var values = FixedInputs.Uniform(Size * Size, seed: 3, low: -1, high: 1);
        _x = Jnp.Array(values).Reshape(Size, Size);
        _torchX = torch.tensor(values).reshape(Size, Size);
        _jitted = Jax.Jit(Gram);
        _jitted(_x); // traced and compiled here, so iterations time the cached kernel
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchX.Dispose();
        if (_enabledHere) JaxJit.Disable();
    }

    [Benchmark]
    public Tensor OursJit() => _jitted(_x);

    [Benchmark]
    public void Torch()
    {
        using var transposed = _torchX.T;
        using var result = _torchX.matmul(transposed);
    }

    /// <summary>The FMA loop: <see cref="Flops"/> flops as <see cref="Vector512"/> fused multiply-adds on <see cref="Threads"/> threads.</summary>
    [Benchmark]
    public float FmaPeak()
    {
        long perThread = (long)(Flops / Threads / (2 * Vector512<float>.Count) / Accumulators);
        var sums = new float[Threads];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => sums[t] = FmaLoop(perThread, t));
        return sums.Sum();
    }

    private static float FmaLoop(long iterations, int seed)
    {
        var a = Vector512.Create(0.999f + seed * 1e-6f);
        var b = Vector512.Create(1e-7f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b);
            c1 = Vector512.FusedMultiplyAdd(c1, a, b);
            c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b);
            c4 = Vector512.FusedMultiplyAdd(c4, a, b);
            c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b);
            c7 = Vector512.FusedMultiplyAdd(c7, a, b);
            c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b);
            c10 = Vector512.FusedMultiplyAdd(c10, a, b);
            c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return Vector512.Sum(sum);
    }
}
