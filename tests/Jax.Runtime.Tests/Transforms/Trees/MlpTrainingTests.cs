using Mlp;

namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>The samples/Mlp model (MnistClassifier.cs, compiled in): a few jitted SGD steps lower the loss.</summary>
public class MlpTrainingTests
{
    [Fact]
    public void A_few_training_steps_lower_the_loss_and_keep_the_parameter_tree()
    {
        var keys = Jax.Random.Split(Jax.Random.PRNGKey(0), 3);
        var (images, labels) = MnistClassifier.SyntheticMnist(keys[0], keys[1], 64, pixels: 32, classes: 4);
        var parameters = MnistClassifier.InitRandomParams(0.1, [32, 16, 4], keys[2]);
        Assert.Equal(new long[] { 32, 16 }, parameters[0].W.Shape.Sizes);
        Assert.Equal(new long[] { 4 }, parameters[1].B.Shape.Sizes);
        var update = MnistClassifier.MakeUpdate(0.5);
        float before = MnistClassifier.Loss(parameters, images, labels).Item<float>();
        for (int i = 0; i < 5; i++) parameters = update(parameters, images, labels);
        float after = MnistClassifier.Loss(parameters, images, labels).Item<float>();
        Assert.True(after < 0.8f * before, $"loss {before} -> {after}");
        Assert.Equal(2, parameters.Count);
        Assert.True(MnistClassifier.Accuracy(parameters, images, labels).Item<float>() > 0.5f);
    }
}
