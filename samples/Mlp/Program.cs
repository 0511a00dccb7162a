// Trains the from-scratch MNIST classifier (MnistClassifier.cs) on synthetic MNIST-like data: JAX's
// examples/mnist_classifier_fromscratch.py, with the dataset drawn by Jax.Random instead of downloaded.
using System.Diagnostics;
using JaxToolchain;
using Mlp;

// Jitted functions compile to native code through LLVM 19 when it is installed; otherwise the interpreter runs them.
bool compiled = JaxJit.Enable(out var noLlvm);
Console.WriteLine(compiled ? "kernels: compiled by LLVM" : $"kernels: on the managed interpreter ({noLlvm})");

int[] layerSizes = [784, 256, 128, 10];
const double paramScale = 0.1;
const double stepSize = 0.05;
const int numEpochs = 5;
const int batchSize = 128;

var key = Jax.Random.PRNGKey(0);
var keys = Jax.Random.Split(key, 4);
var (trainImages, trainLabels) = MnistClassifier.SyntheticMnist(keys[0], keys[1], 2048);
var (testImages, testLabels) = MnistClassifier.SyntheticMnist(keys[0], keys[2], 512);
int numTrain = (int)trainImages.ShapeAt(0);
int numBatches = numTrain / batchSize;

var rng = new Random(0);
IEnumerable<(Tensor Images, Tensor Labels)> DataStream()
{
    while (true)
    {
        var perm = Enumerable.Range(0, numTrain).OrderBy(_ => rng.Next()).ToArray();
        for (int i = 0; i < numBatches; i++)
        {
            var batchIdx = Jnp.Array(perm[(i * batchSize)..((i + 1) * batchSize)]);
            yield return (Jnp.Take(trainImages, batchIdx, axis: 0), Jnp.Take(trainLabels, batchIdx, axis: 0));
        }
    }
}

var update = MnistClassifier.MakeUpdate(stepSize);
var parameters = MnistClassifier.InitRandomParams(paramScale, layerSizes, keys[3]);
using var batches = DataStream().GetEnumerator();

Console.WriteLine("\nStarting training...");
for (int epoch = 0; epoch < numEpochs; epoch++)
{
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < numBatches; i++)
    {
        batches.MoveNext();
        var (x, y) = batches.Current;
        parameters = update(parameters, x, y);
    }
    Jax.Tree.Leaves(parameters)[0].BlockUntilReady();
    var epochTime = watch.Elapsed.TotalSeconds;

    var trainAcc = MnistClassifier.Accuracy(parameters, trainImages, trainLabels).Item();
    var testAcc = MnistClassifier.Accuracy(parameters, testImages, testLabels).Item();
    var trainLoss = MnistClassifier.Loss(parameters, trainImages, trainLabels).Item();
    Console.WriteLine($"Epoch {epoch} in {epochTime:F2} sec");
    Console.WriteLine($"Training set loss {trainLoss:F4}");
    Console.WriteLine($"Training set accuracy {trainAcc:F4}");
    Console.WriteLine($"Test set accuracy {testAcc:F4}");
}
