// JAX's examples/mnist_classifier_fromscratch.py in C#: a fully connected network trained by SGD, written with
// nothing but Jnp, Jax.Grad, Jax.Jit and Jax.Tree. The parameters are a list of (W, B) pairs, a pytree.
using JaxToolchain;

namespace Mlp;

/// <summary>The model, loss and training step of the from-scratch MNIST classifier.</summary>
public static class MnistClassifier
{
    /// <summary>
    /// One (weights, biases) pair per layer: <c>scale * normal(m, n)</c> and <c>scale * normal(n)</c> for each pair of
    /// consecutive layer sizes (the Python draws them with NumPy's <c>rng.randn</c>; here with <c>Jax.Random</c>).
    /// </summary>
    public static List<(Tensor W, Tensor B)> InitRandomParams(double scale, int[] layerSizes, Tensor key)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        var keys = Jax.Random.Split(key, 2 * (layerSizes.Length - 1));
        return layerSizes.SkipLast(1).Zip(layerSizes.Skip(1)).Select((mn, i) =>
            (scale * Jax.Random.Normal(keys[2 * i], [mn.First, mn.Second]), scale * Jax.Random.Normal(keys[2 * i + 1], [mn.Second])))
            .ToList();
    }

    /// <summary>Log-probabilities of the classes: tanh hidden layers, then a log-softmax of the last layer's logits.</summary>
    public static Tensor Predict(List<(Tensor W, Tensor B)> parameters, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var activations = inputs;
        foreach (var (w, b) in parameters.SkipLast(1))
        {
            var outputs = Jnp.Dot(activations, w) + b;
            activations = Jnp.Tanh(outputs);
        }
        var (finalW, finalB) = parameters[^1];
        var logits = Jnp.Dot(activations, finalW) + finalB;
        return logits - Jnp.Logsumexp(logits, axis: [1], keepdims: true);
    }

    /// <summary>The mean negative log-likelihood of the one-hot <paramref name="targets"/>.</summary>
    public static Tensor Loss(List<(Tensor W, Tensor B)> parameters, Tensor inputs, Tensor targets)
    {
        var preds = Predict(parameters, inputs);
        return -Jnp.Mean(Jnp.Sum(preds * targets, axis: [1]));
    }

    /// <summary>The fraction of examples whose most likely class is the target's.</summary>
    public static Tensor Accuracy(List<(Tensor W, Tensor B)> parameters, Tensor inputs, Tensor targets)
    {
        var targetClass = Jnp.Argmax(targets, axis: 1);
        var predictedClass = Jnp.Argmax(Predict(parameters, inputs), axis: 1);
        return Jnp.Mean(predictedClass == targetClass);
    }

    /// <summary>
    /// The jitted SGD step, as the Python's <c>@jit def update(params, batch)</c>: the gradient of the loss with respect to
    /// the parameter tree, and <c>p - step_size * g</c> for every leaf.
    /// </summary>
    public static Func<List<(Tensor W, Tensor B)>, Tensor, Tensor, List<(Tensor W, Tensor B)>> MakeUpdate(double stepSize) =>
        Jax.Jit<List<(Tensor W, Tensor B)>, Tensor, Tensor, List<(Tensor W, Tensor B)>>((parameters, inputs, targets) =>
        {
            var grads = Jax.Grad<List<(Tensor W, Tensor B)>>(Loss)(parameters, inputs, targets);
            return Jax.Tree.Map((p, g) => p - stepSize * g, parameters, grads);
        });

    /// <summary>One-hot rows of <paramref name="labels"/> over <paramref name="k"/> classes (the Python's <c>one_hot</c>).</summary>
    public static Tensor OneHot(Tensor labels, int k) =>
        Jnp.Astype(Jnp.Reshape(labels, labels.Size, 1) == Jnp.Arange(k), Jnp.Float32);

    /// <summary>
    /// A learnable stand-in for MNIST: <paramref name="count"/> 784-d images (as flattened 28x28 pixels) of 10 classes,
    /// each its class's template (drawn from <paramref name="templateKey"/>: a training and a test set share it) plus
    /// noise (drawn from <paramref name="sampleKey"/>), with one-hot labels; the same keys give the same data.
    /// </summary>
    public static (Tensor Images, Tensor Labels) SyntheticMnist(Tensor templateKey, Tensor sampleKey, int count, int pixels = 784, int classes = 10, double noise = 3.0)
    {
        var templates = Jax.Random.Normal(templateKey, [classes, pixels]);
        var keys = Jax.Random.Split(sampleKey, 2);
        var labels = Jax.Random.RandInt(keys[0], [count], 0, classes);
        var images = Jnp.Take(templates, labels, axis: 0) + noise * Jax.Random.Normal(keys[1], [count, pixels]);
        return (images, OneHot(labels, classes));
    }
}
