using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// grad_sum_logistic: the notebook's <c>jit(grad(sum_logistic))</c> on 100 float64 values (x64 on), against
/// TorchSharp's eager autograd of the same function (a leaf with <c>requires_grad</c>, <c>sigmoid</c>, <c>sum</c>,
/// <c>backward</c>). Each benchmark call runs <see cref="Calls"/> calls, so the medians are per call.
/// </summary>
public class GradSumLogisticBenchmarks
{
    /// <summary>Calls per benchmark invocation.</summary>
    public const int Calls = 1000;

    private Tensor _x = null!;
    private Func<Tensor, Tensor> _grad = null!;
    private TorchTensor _torchX = null!;

    /// <summary>The notebook's sum_logistic.</summary>
    public static Tensor SumLogistic(Tensor x) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x)));

    [GlobalSetup]
    public void Setup()
    {
        Jax.Config.Update("jax_enable_x64", true);
        _x = Jnp.Arange(100.0) / 10.0 - 5.0;
        _grad = Jax.Jit(Jax.Grad(SumLogistic));
        _grad(_x).BlockUntilReady();
        _torchX = torch.linspace(-5.0, 4.9, 100, dtype: torch.float64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Jax.Config.Update("jax_enable_x64", false);
        _torchX.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Tensor Ours()
    {
        Tensor result = _x;
        for (int i = 0; i < Calls; i++) result = _grad(_x);
        return result.BlockUntilReady();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void Torch()
    {
        for (int i = 0; i < Calls; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = _torchX.detach().requires_grad_(true);
            torch.sigmoid(x).sum().backward();
            _ = x.grad;
        }
    }
}

/// <summary>
/// vmap_apply_matrix: the notebook's <c>jit(vmap(apply_matrix))</c> over a (10, 100) batch with a (150, 100) matrix,
/// against the hand-batched <c>jit(lambda vs: dot(vs, mat.T))</c> in the same run (the peer); the target is vmap
/// within 1.1x of the hand-batched function (ratio >= 0.91). Each benchmark call runs <see cref="Calls"/> calls.
/// </summary>
public class VmapApplyMatrixBenchmarks
{
    /// <summary>Calls per benchmark invocation.</summary>
    public const int Calls = 1000;

    private Tensor _batch = null!;
    private Func<Tensor, Tensor> _vmapped = null!;
    private Func<Tensor, Tensor> _manual = null!;

    [GlobalSetup]
    public void Setup()
    {
        var matrix = Jnp.Array(FixedInputs.Uniform(150 * 100, seed: 3, low: -1, high: 1)).Reshape(150, 100);
        _batch = Jnp.Array(FixedInputs.Uniform(10 * 100, seed: 4, low: -1, high: 1)).Reshape(10, 100);
        _vmapped = Jax.Jit(Jax.Vmap((Func<Tensor, Tensor>)(v => Jnp.Dot(matrix, v))));
        _manual = Jax.Jit((Func<Tensor, Tensor>)(vs => Jnp.Dot(vs, matrix.T)));
        _vmapped(_batch).BlockUntilReady();
        _manual(_batch).BlockUntilReady();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Tensor OursVmap()
    {
        Tensor result = _batch;
        for (int i = 0; i < Calls; i++) result = _vmapped(_batch);
        return result.BlockUntilReady();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Tensor HandBatched()
    {
        Tensor result = _batch;
        for (int i = 0; i < Calls; i++) result = _manual(_batch);
        return result.BlockUntilReady();
    }
}
