using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// precompiled_call_100 and grad_sum_logistic_aot: calls of <c>[Jit]</c> methods compiled at build (woven dispatch,
/// manifest lookup by key, the native kernel; no tracing). precompiled_call_100 is <c>x + 1</c> on 100 float32 values
/// against TorchSharp's eager <c>x + 1</c>: its time is the dispatch overhead, the kernel itself taking tens of
/// nanoseconds. grad_sum_logistic_aot is the notebook's <c>grad(sum_logistic)</c> on 100 float64 values, precompiled,
/// against TorchSharp's eager autograd (as grad_sum_logistic). Each benchmark call runs <see cref="Calls"/> calls.
/// </summary>
public class PrecompiledCallBenchmarks
{
    /// <summary>Calls per benchmark invocation.</summary>
    public const int Calls = 1000;

    private Tensor _x32 = null!;
    private Tensor _x64 = null!;
    private TorchTensor _torch32 = null!;
    private TorchTensor _torch64 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x32 = Jnp.Arange(100f);
        Jax.Config.Update("jax_enable_x64", true);
        _x64 = Jnp.Arange(100.0) / 10.0 - 5.0;
        Kernels.AddOne(_x32).BlockUntilReady();
        Kernels.GradSumLogistic(_x64).BlockUntilReady();
        _torch32 = torch.arange(100, dtype: torch.float32);
        _torch64 = torch.linspace(-5.0, 4.9, 100, dtype: torch.float64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Jax.Config.Update("jax_enable_x64", false);
        _torch32.Dispose();
        _torch64.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Tensor OursAddOne()
    {
        Tensor result = _x32;
        for (int i = 0; i < Calls; i++) result = Kernels.AddOne(_x32);
        return result.BlockUntilReady();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void TorchAddOne()
    {
        for (int i = 0; i < Calls; i++)
        {
            using var result = _torch32 + 1;
        }
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Tensor OursGradSumLogistic()
    {
        Tensor result = _x64;
        for (int i = 0; i < Calls; i++) result = Kernels.GradSumLogistic(_x64);
        return result.BlockUntilReady();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void TorchGradSumLogistic()
    {
        for (int i = 0; i < Calls; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = _torch64.detach().requires_grad_(true);
            torch.sigmoid(x).sum().backward();
            _ = x.grad;
        }
    }

    /// <summary>The benchmarked [Jit] methods, compiled at build.</summary>
    public static class Kernels
    {
        [Jit("f32[100]")]
        public static Tensor AddOne(Tensor x) => x + 1;

        [Jit("f64[100]")]
        public static Tensor GradSumLogistic(Tensor x) => Jax.Grad(GradSumLogisticBenchmarks.SumLogistic)(x);
    }
}
