using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// selu_eager and selu_jit: JAX quickstart's selu on 10,000,000 float32 values (a fixed uniform array in
/// [-3, 3), so both branches run), with alpha = 1.67 and lmbda = 1.05.
/// </summary>
public class SeluBenchmarks
{
    public const int Length = 10_000_000;
    private const double Alpha = 1.67;
    private const double Lambda = 1.05;

    private Tensor _x = null!;
    private Func<Tensor, Tensor> _jitted = null!;
    private TorchTensor _torchX = null!;

    /// <summary>The input both sides read.</summary>
    public static float[] Input() => FixedInputs.Uniform(Length, seed: 1, low: -3, high: 3);

    /// <summary>Ours, op by op as the quickstart writes it: lmbda * where(x > 0, x, alpha * exp(x) - alpha).</summary>
    public static Tensor Selu(Tensor x) => Lambda * Jnp.Where(x > 0, x, Alpha * Jnp.Exp(x) - Alpha);

    /// <summary>
    /// The peer of both selu_eager and selu_jit: TorchSharp's own selu kernel with our constants, allocating a new
    /// result. <c>torch.nn.functional.selu</c> fixes alpha = 1.6733 and scale = 1.0507; it is libtorch's
    /// <c>elu(x, alpha, scale, input_scale = 1)</c> = scale * (x &gt; 0 ? x : alpha * (exp(x) - 1)), which TorchSharp
    /// exposes as <c>Tensor.elu(alpha, scale, input_scale)</c>: the same formula in libtorch's one selu kernel
    /// and one new result (composing torch's ops one by one would allocate five intermediate arrays as well).
    /// </summary>
    public static TorchTensor TorchSelu(TorchTensor x) => x.elu(Alpha, Lambda, 1.0);

    [GlobalSetup]
    public void Setup()
    {
        var values = Input();
        _x = Jnp.Array(values);
        _torchX = torch.tensor(values);
        _jitted = Jax.Jit(Selu);
        _jitted(_x); // traced here, so iterations time the cached function
    }

    [GlobalCleanup]
    public void Cleanup() => _torchX.Dispose();

    [Benchmark]
    public Tensor OursEager() => Selu(_x);

    [Benchmark]
    public Tensor OursJit() => _jitted(_x);

    [Benchmark]
    public void Torch()
    {
        using var result = TorchSelu(_torchX);
    }
}
