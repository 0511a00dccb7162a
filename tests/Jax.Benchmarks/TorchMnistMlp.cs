using TorchSharp;

namespace JaxToolchain.Benchmarks;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// The peer of the MLP step: the same model in TorchSharp with autograd. Parameters are leaf tensors with
/// <c>requires_grad</c>; a step runs the loss, <c>backward</c>, then w -= step_size * w.grad in place under
/// <c>no_grad</c> and drops the gradients (PyTorch's <c>zero_grad(set_to_none=True)</c>), so every step
/// starts as the first one did.
/// </summary>
internal sealed class TorchMnistMlp : IDisposable
{
    private readonly List<(TorchTensor W, TorchTensor B)> _layers;
    private readonly TorchTensor _images;
    private readonly TorchTensor _labels;

    public TorchMnistMlp(MnistProblem problem)
    {
        var sizes = problem.LayerSizes;
        _layers = problem.Weights.Select((w, i) => (
            torch.tensor(w, [sizes[i], sizes[i + 1]]).requires_grad_(),
            torch.tensor(problem.Biases[i], [sizes[i + 1]]).requires_grad_())).ToList();
        _images = torch.tensor(problem.Images, [MnistProblem.BatchSize, sizes[0]]);
        _labels = torch.tensor(problem.Labels, [MnistProblem.BatchSize, problem.Classes]);
    }

    private IEnumerable<TorchTensor> ParameterTensors => _layers.SelectMany(layer => new[] { layer.W, layer.B });

    public TorchTensor Loss()
    {
        var activations = _images;
        foreach (var (w, b) in _layers[..^1]) activations = torch.tanh(activations.matmul(w) + b);
        var (finalW, finalB) = _layers[^1];
        var logits = activations.matmul(finalW) + finalB;
        var predictions = logits - logits.logsumexp(1, keepdim: true);
        return -(predictions * _labels).sum(1).mean();
    }

    /// <summary>The loss and, after <c>backward</c>, each parameter's gradient as plain arrays (W1, b1, W2, ...).</summary>
    public (float Loss, float[][] Gradients) LossAndGradients()
    {
        using var scope = torch.NewDisposeScope();
        var loss = Loss();
        loss.backward();
        var gradients = ParameterTensors.Select(p => p.grad!.data<float>().ToArray()).ToArray();
        DropGradients();
        return (loss.item<float>(), gradients);
    }

    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        Loss().backward();
        using (torch.no_grad())
        {
            foreach (var p in ParameterTensors) p.add_(p.grad!, alpha: -MnistProblem.StepSize);
        }
        DropGradients();
    }

    private void DropGradients()
    {
        foreach (var p in ParameterTensors) p.grad = null;
    }

    public void Dispose()
    {
        foreach (var p in ParameterTensors) p.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }
}
