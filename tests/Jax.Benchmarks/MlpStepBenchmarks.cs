using BenchmarkDotNet.Attributes;

namespace JaxToolchain.Benchmarks;

/// <summary>
/// mlp_step_eager and mlp_step_jit: one SGD step of JAX's mnist_classifier_fromscratch MLP (784-1024-1024-10,
/// tanh, log-softmax cross-entropy, batch 128, step size 0.001). Each iteration is one training step that
/// carries its parameters on to the next. The peer of both is the same TorchSharp autograd step
/// (<see cref="TorchMnistMlp"/>); torch has no tracing compiler to compare with <c>Jax.Jit</c>.
/// </summary>
public class MlpStepBenchmarks
{
    private List<object> _eagerParameters = null!;
    private List<object> _jitParameters = null!;
    private Tensor _images = null!;
    private Tensor _labels = null!;
    private Func<List<object>, Tensor, Tensor, List<object>> _jittedUpdate = null!;
    private TorchMnistMlp _torch = null!;

    [GlobalSetup(Target = nameof(OursEager))]
    public void SetupEager()
    {
        var problem = MnistProblem.Create();
        (_images, _labels) = MnistMlp.Batch(problem);
        _eagerParameters = MnistMlp.Parameters(problem);
    }

    [GlobalSetup(Target = nameof(OursJit))]
    public void SetupJit()
    {
        var problem = MnistProblem.Create();
        (_images, _labels) = MnistMlp.Batch(problem);
        _jittedUpdate = MnistMlp.JittedUpdate();
        _jitParameters = _jittedUpdate(MnistMlp.Parameters(problem), _images, _labels); // traced here, so iterations time the cached function
    }

    [GlobalSetup(Target = nameof(Torch))]
    public void SetupTorch() => _torch = new TorchMnistMlp(MnistProblem.Create());

    [GlobalCleanup(Target = nameof(Torch))]
    public void CleanupTorch() => _torch.Dispose();

    /// <summary><c>Jax.Grad</c> of the loss (traced and transformed on every call, as eager JAX does), then the update op by op.</summary>
    [Benchmark]
    public List<object> OursEager() => _eagerParameters = MnistMlp.Update(_eagerParameters, _images, _labels);

    [Benchmark]
    public List<object> OursJit() => _jitParameters = _jittedUpdate(_jitParameters, _images, _labels);

    [Benchmark]
    public void Torch() => _torch.Step();
}
