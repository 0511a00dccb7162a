namespace JaxToolchain.Benchmarks;

/// <summary>
/// The data of one step of JAX's <c>examples/mnist_classifier_fromscratch.py</c>: layer sizes 784-1024-1024-10,
/// parameters scale * randn (scale 0.1), a batch of 128 images (uniform pixels in [0, 1)) with one-hot labels.
/// Plain arrays, so both libraries start from the same values.
/// </summary>
internal sealed record MnistProblem(int[] LayerSizes, float[][] Weights, float[][] Biases, float[] Images, float[] Labels)
{
    public const int BatchSize = 128;
    public const double StepSize = 0.001;
    private const double ParamScale = 0.1;

    public int Classes => LayerSizes[^1];

    public static MnistProblem Create()
    {
        int[] sizes = [784, 1024, 1024, 10];
        var layers = Enumerable.Range(0, sizes.Length - 1).ToArray();
        return new MnistProblem(
            sizes,
            layers.Select(i => FixedInputs.Normal(sizes[i] * sizes[i + 1], seed: 10 + i, ParamScale)).ToArray(),
            layers.Select(i => FixedInputs.Normal(sizes[i + 1], seed: 20 + i, ParamScale)).ToArray(),
            FixedInputs.Uniform(BatchSize * sizes[0], seed: 30, low: 0, high: 1),
            FixedInputs.OneHot(BatchSize, sizes[^1], seed: 31));
    }
}

/// <summary>
/// Our side of the MLP, as JAX's example writes it. Parameters are a list of (W, b) pairs (a
/// <c>List&lt;object&gt;</c> of tuples, the pytree our transformations take).
/// </summary>
internal static class MnistMlp
{
    public static List<object> Parameters(MnistProblem problem) =>
        problem.Weights.Select((w, i) => (object)(
            Jnp.Array<float>(w, [problem.LayerSizes[i], problem.LayerSizes[i + 1]]),
            Jnp.Array<float>(problem.Biases[i], [problem.LayerSizes[i + 1]]))).ToList();

    public static (Tensor Images, Tensor Labels) Batch(MnistProblem problem) =>
        (Jnp.Array<float>(problem.Images, [MnistProblem.BatchSize, problem.LayerSizes[0]]),
         Jnp.Array<float>(problem.Labels, [MnistProblem.BatchSize, problem.Classes]));

    private static IEnumerable<(Tensor W, Tensor B)> Layers(List<object> parameters) => parameters.Cast<(Tensor, Tensor)>();

    /// <summary>Log-probabilities: tanh hidden layers, then logits - logsumexp(logits).</summary>
    public static Tensor Predict(List<object> parameters, Tensor inputs)
    {
        var layers = Layers(parameters).ToList();
        var activations = inputs;
        foreach (var (w, b) in layers[..^1]) activations = Jnp.Tanh(Jnp.Dot(activations, w) + b);
        var (finalW, finalB) = layers[^1];
        var logits = Jnp.Dot(activations, finalW) + finalB;
        return logits - Jnp.Logsumexp(logits, axis: [1], keepdims: true);
    }

    /// <summary>Cross-entropy against one-hot targets: -mean(sum(preds * targets, axis=1)).</summary>
    public static Tensor Loss(List<object> parameters, Tensor inputs, Tensor targets) =>
        -Jnp.Mean(Jnp.Sum(Predict(parameters, inputs) * targets, axis: 1));

    public static List<object> Gradients(List<object> parameters, Tensor inputs, Tensor targets) =>
        Jax.Grad<List<object>>(p => Loss(p, inputs, targets))(parameters);

    /// <summary>One SGD step: w - step_size * dw for every parameter.</summary>
    public static List<object> Update(List<object> parameters, Tensor inputs, Tensor targets) =>
        Layers(parameters).Zip(Layers(Gradients(parameters, inputs, targets)), (p, g) =>
            (object)(p.W - MnistProblem.StepSize * g.W, p.B - MnistProblem.StepSize * g.B)).ToList();

    /// <summary><see cref="Update"/> under <c>Jax.Jit</c>, as the example's <c>@jit def update</c>: grad and step traced into one function.</summary>
    public static Func<List<object>, Tensor, Tensor, List<object>> JittedUpdate()
    {
        var jitted = Jax.Jit((object?[] a) => Update((List<object>)a[0]!, (Tensor)a[1]!, (Tensor)a[2]!), new JitOptions { Name = "mnist_update" });
        return (parameters, inputs, targets) => jitted([parameters, inputs, targets]);
    }
}
