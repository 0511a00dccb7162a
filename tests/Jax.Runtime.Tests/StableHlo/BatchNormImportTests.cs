using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// <c>batch_norm_inference</c>, <c>batch_norm_training</c> and <c>batch_norm_grad</c>, composed as the spec defines them:
/// checked against the same normalisation written with <c>Jnp</c>, and the gradient against <c>Jax.Vjp</c> of the
/// training op's output (whose statistics are the batch's, as batch_norm_grad assumes).
/// </summary>
public class BatchNormImportTests
{
    private const string Inference = """
        func.func public @inference(%x: tensor<4x3x2xf32>, %scale: tensor<3xf32>, %offset: tensor<3xf32>, %mean: tensor<3xf32>, %variance: tensor<3xf32>) -> tensor<4x3x2xf32> {
          %0 = "stablehlo.batch_norm_inference"(%x, %scale, %offset, %mean, %variance) {epsilon = 1.000000e-03 : f32, feature_index = 1 : i64} : (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<4x3x2xf32>
          return %0 : tensor<4x3x2xf32>
        }
        """;

    private const string Training = """
        func.func public @training(%x: tensor<4x3x2xf32>, %scale: tensor<3xf32>, %offset: tensor<3xf32>) -> (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>) {
          %0:3 = "stablehlo.batch_norm_training"(%x, %scale, %offset) {epsilon = 1.000000e-03 : f32, feature_index = 1 : i64} : (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>)
          return %0#0, %0#1, %0#2 : tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>
        }
        """;

    private const string Grad = """
        func.func public @grad(%x: tensor<4x3x2xf32>, %scale: tensor<3xf32>, %mean: tensor<3xf32>, %variance: tensor<3xf32>, %dy: tensor<4x3x2xf32>) -> (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>) {
          %0:3 = "stablehlo.batch_norm_grad"(%x, %scale, %mean, %variance, %dy) {epsilon = 1.000000e-03 : f32, feature_index = 1 : i64} : (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4x3x2xf32>) -> (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>)
          return %0#0, %0#1, %0#2 : tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>
        }
        """;

    private static Tensor Normalize(Tensor x, Tensor scale, Tensor offset, Tensor mean, Tensor variance)
    {
        Tensor PerFeature(Tensor v) => Jnp.Reshape(v, 1, 3, 1);
        return PerFeature(scale) * (x - PerFeature(mean)) / Jnp.Sqrt(PerFeature(variance) + 1e-3f) + PerFeature(offset);
    }

    private static (Tensor X, Tensor Scale, Tensor Offset, Tensor Dy) Inputs()
    {
        var keys = Jax.Random.Split(Jax.Random.PRNGKey(21), 4);
        return (Jax.Random.Normal(keys[0], [4, 3, 2]) * 2f + 1f, Jax.Random.Uniform(keys[1], [3], minval: 0.5, maxval: 2),
            Jax.Random.Normal(keys[2], [3]), Jax.Random.Normal(keys[3], [4, 3, 2]));
    }

    [Fact]
    public void Inference_and_training_normalise_per_feature()
    {
        var (x, scale, offset, _) = Inputs();
        var inference = Jax.Load(Inference);
        var mean = Jnp.Array([0.5f, -1f, 2f]);
        var variance = Jnp.Array([1f, 4f, 0.25f]);
        LoadTests.AssertClose(Normalize(x, scale, offset, mean, variance), inference.Invoke(x, scale, offset, mean, variance));

        var training = Jax.Load(Training);
        var r = training.Call(x, scale, offset);
        var batchMean = Jnp.Mean(x, [0, 2]);
        var batchVariance = Jnp.Var(x, [0, 2]);
        LoadTests.AssertClose(batchMean, r[1]);
        LoadTests.AssertClose(batchVariance, r[2]);
        LoadTests.AssertClose(Normalize(x, scale, offset, batchMean, batchVariance), r[0]);
        LoadTests.AssertClose(r[0], Jax.Jit(training.AsArrayFunction())([x, scale, offset])[0]);
    }

    [Fact]
    public void Grad_is_the_vjp_of_training()
    {
        var (x, scale, offset, dy) = Inputs();
        var training = Jax.Load(Training);
        var (outputs, pullback) = Jax.Vjp(a => [training.Call(a[0], a[1], a[2])[0]], x, scale, offset);
        var expected = pullback([dy]);
        var r = Jax.Load(Grad).Call(x, scale, Jnp.Mean(x, [0, 2]), Jnp.Var(x, [0, 2]), dy);
        for (int k = 0; k < 3; k++) LoadTests.AssertClose(expected[k], r[k], 1e-4);
        Assert.NotNull(outputs);
    }

    [Fact]
    public void Operands_that_do_not_fit_the_features_are_clear_errors()
    {
        var text = Inference.Replace("feature_index = 1 : i64} : (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)",
            "feature_index = 2 : i64} : (tensor<4x3x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)", StringComparison.Ordinal);
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule(text));
        Assert.Equal(StableHloImportFailure.Invalid, e.Failure);
        Assert.Equal("stablehlo.batch_norm_inference", e.OperationName);
        Assert.Contains("one value per feature", e.Message);
    }
}
