using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests;

/// <summary>
/// Lax's convolutions and window reductions (a gather of the windows and a dot_general / reduce) compiled by the LLVM
/// CPU backend and by the SPIR-V code generator on a Vulkan device (lavapipe on CI): a small CNN layer forward and its
/// gradients, pooling, a transposed convolution, compared with the interpreter's eager results.
/// </summary>
[Collection(nameof(Codegen.RuntimeJitCollection))] // KernelRegistry.Notices is process-wide: no other test may compile meanwhile
public sealed class ConvolutionBackendTests
{
    static ConvolutionBackendTests() => JaxJit.Enable();

    private static readonly ConvDimensionNumbers Nhwc = ConvDimensionNumbers.FromLayouts("NHWC", "HWIO", "NHWC");

    private static Tensor Values(int seed, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Jnp.Array(Enumerable.Range(0, n).Select(i => Math.Sin(i * 0.37 + seed)).ToArray(), DType.Float32).Reshape([.. shape.Select(d => (long)d)]);
    }

    /// <summary>A convolution layer (grouped, strided, SAME), relu, 2x2 max pooling, average pooling; the loss sums it.</summary>
    private static Tensor Layer(Tensor x, Tensor w)
    {
        var y = Lax.ConvGeneralDilated(x, w, [2, 1], "SAME", rhsDilation: [1, 2], dimensionNumbers: Nhwc, featureGroupCount: 2);
        y = Jnp.Maximum(y, 0f);
        var pooled = Lax.ReduceWindow(y, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 2, 2, 1], [1, 2, 2, 1], "VALID");
        return Lax.ReduceWindow(pooled, Jnp.Array(0f), Lax.Add, [1, 1, 2, 1], null, "SAME");
    }

    private static readonly (string Name, Func<Tensor, Tensor, Tensor[]> F)[] Functions =
    [
        ("conv layer", (x, w) => [Layer(x, w)]),
        ("conv layer gradients", (x, w) =>
        {
            var (dx, dw) = Jax.Grad((Tensor a, Tensor b) => Jnp.Sum(Jnp.Square(Layer(a, b))), argnums: (0, 1))(x, w);
            return [dx, dw];
        }),
        ("conv_transpose", (x, w) => [Lax.ConvTranspose(x, Jnp.Reshape(w, 3, 1, 4, 6), [2, 2], "SAME")]),
    ];

    private static void Compare(JitOptions? options)
    {
        // x [N=2, H=9, W=8, C=4], w [H=3, W=2, I=2, O=6] (two feature groups).
        var x = Values(1, 2, 9, 8, 4);
        var w = Values(2, 3, 2, 2, 6);
        foreach (var (name, f) in Functions)
        {
            var eager = f(x, w);
            var compiled = Jax.Jit((Tensor a, Tensor b) => f(a, b), options)(x, w);
            Assert.Equal(eager.Length, compiled.Length);
            for (int i = 0; i < eager.Length; i++) EagerComparison.AssertClose(eager[i], compiled[i], $"{name} {i}");
        }
    }

    [Fact]
    public void The_cpu_backend_compiles_convolutions_and_pooling() => EagerComparison.AssertNoNotices(() => Compare(null));

    [Spirv.VulkanFact]
    public void A_vulkan_device_runs_convolutions_and_pooling() =>
        EagerComparison.AssertNoNotices(() => Compare(new JitOptions { Device = Jax.Devices("vulkan")[0] }));
}
