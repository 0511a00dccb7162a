using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// selu_eager, selu_jit, selu_jit_inplace and copy_bound: JAX quickstart's selu on 10,000,000 float32 values (a fixed
/// uniform array in [-3, 3), so both branches run), with alpha = 1.67 and lmbda = 1.05. In place: the jitted function
/// donates its argument (<c>DonateArgnums = [0]</c>), so the result overwrites it; each call feeds the previous result
/// back (values stay finite and normal: the negative branch converges, the positive one grows by 1.05 per call), as
/// TorchSharp's in-place <c>elu_</c> does on its own array. The copy bound is a two-thread copy of the same 40 MB into
/// an already-touched array: how fast any kernel reading x and writing a result of its size can be.
/// </summary>
public class SeluBenchmarks
{
    public const int Length = 10_000_000;
    private const double Alpha = 1.67;
    private const double Lambda = 1.05;

    private Tensor _x = null!;
    private Func<Tensor, Tensor> _jitted = null!;
    private TorchTensor _torchX = null!;
    private Func<Tensor, Tensor> _jittedInPlace = null!;
    private Tensor _inPlace = null!;
    private TorchTensor _torchInPlace = null!;
    private float[] _copySource = null!;
    private float[] _copyDestination = null!;

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
        _jittedInPlace = Jax.Jit(Selu, new JitOptions { DonateArgnums = [0] });
        _inPlace = _jittedInPlace(Jnp.Array(values));
        _torchInPlace = torch.tensor(values);
        _copySource = values;
        _copyDestination = new float[values.Length];
        CopyBound();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchX.Dispose();
        _torchInPlace.Dispose();
    }

    [Benchmark]
    public Tensor OursEager() => Selu(_x);

    [Benchmark]
    public Tensor OursJit() => _jitted(_x);

    [Benchmark]
    public void Torch()
    {
        using var result = TorchSelu(_torchX);
    }

    [Benchmark]
    public Tensor OursJitInPlace()
    {
        _inPlace = _jittedInPlace(_inPlace);
        return _inPlace.BlockUntilReady();
    }

    [Benchmark]
    public void TorchInPlace() => _torchInPlace.elu_(Alpha, Lambda, 1.0);

    /// <summary>The copy bound: the same bytes read and written by two threads (halves), into memory touched before.</summary>
    [Benchmark]
    public void CopyBound()
    {
        int half = _copySource.Length / 2;
        Parallel.For(0, 2, part =>
        {
            int start = part * half, length = part == 0 ? half : _copySource.Length - half;
            _copySource.AsSpan(start, length).CopyTo(_copyDestination.AsSpan(start, length));
        });
    }
}
