using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// conv2d_3x3 and conv2d_3x3_grad: a convolution layer of a small CNN, NCHW input [16, 32, 32, 32] and OIHW kernel
/// [64, 32, 3, 3] (uniform in [-1, 1)), stride 1, SAME padding, float32; and the gradients of <c>sum(conv(x, w)²)</c> with
/// respect to x and w; maxpool_2x2: 2x2 max pooling with stride 2 of the same input. Ours: <see cref="Lax.ConvGeneralDilated(Tensor, Tensor, int[], string, int[], int[], ConvDimensionNumbers, int, int, DType?)"/>
/// (a gather of the windows and a dot_general: there is no direct convolution kernel) jitted with the LLVM CPU compiler.
/// and <see cref="Lax.ReduceWindow(Tensor, Tensor, Func{Tensor, Tensor, Tensor}, int[], int[], string, int[], int[])"/>
/// (a gather of the windows and a reduce_max). Peer: TorchSharp's <c>conv2d</c> (libtorch's oneDNN convolution, 2
/// threads), its autograd, and <c>max_pool2d</c>.
/// </summary>
public class ConvBenchmarks
{
    private Tensor _x = null!, _w = null!;
    private Func<Tensor, Tensor, Tensor> _forward = null!;
    private Func<Tensor, Tensor, (Tensor, Tensor)> _grads = null!;
    private Func<Tensor, Tensor> _pool = null!;
    private TorchTensor _torchX = null!, _torchW = null!;
    private bool _enabledHere;

    /// <summary>Ours: the layer.</summary>
    public static Tensor Layer(Tensor x, Tensor w) => Lax.Conv(x, w, [1, 1], "SAME");

    [GlobalSetup]
    public void Setup()
    {
        _enabledHere = !JaxJit.IsEnabled && JaxJit.Enable();
        var xs = FixedInputs.Uniform(16 * 32 * 32 * 32, seed: 5, low: -1, high: 1);
        var ws = FixedInputs.Uniform(64 * 32 * 3 * 3, seed: 6, low: -1, high: 1);
        _x = Jnp.Array(xs).Reshape(16, 32, 32, 32);
        _w = Jnp.Array(ws).Reshape(64, 32, 3, 3);
        _torchX = torch.tensor(xs).reshape(16, 32, 32, 32);
        _torchW = torch.tensor(ws).reshape(64, 32, 3, 3);
        _forward = Jax.Jit((Func<Tensor, Tensor, Tensor>)Layer);
        _grads = Jax.Jit(Jax.Grad((Tensor x, Tensor w) => Jnp.Sum(Jnp.Square(Layer(x, w))), argnums: (0, 1)));
        _pool = Jax.Jit((Tensor x) => Lax.ReduceWindow(x, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 1, 2, 2], [1, 1, 2, 2], "VALID"));
        _pool(_x);
        _forward(_x, _w); // traced and compiled here, so iterations time the cached kernels
        _grads(_x, _w);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchX.Dispose();
        _torchW.Dispose();
        if (_enabledHere) JaxJit.Disable();
    }

    [Benchmark]
    public Tensor OursJit() => _forward(_x, _w);

    [Benchmark]
    public Tensor OursGrad() => _grads(_x, _w).Item2;

    [Benchmark]
    public Tensor OursPool() => _pool(_x);

    [Benchmark]
    public void TorchPool()
    {
        using var result = torch.nn.functional.max_pool2d(_torchX, [2, 2], strides: [2, 2]);
    }

    [Benchmark]
    public void Torch()
    {
        using var result = torch.nn.functional.conv2d(_torchX, _torchW, padding: [1, 1]);
    }

    [Benchmark]
    public void TorchGrad()
    {
        using var x = _torchX.detach().requires_grad_(true);
        using var w = _torchW.detach().requires_grad_(true);
        using var y = torch.nn.functional.conv2d(x, w, padding: [1, 1]);
        using var loss = y.square().sum();
        loss.backward();
        using var dx = x.grad;
        using var dw = w.grad;
    }
}
