using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests;

/// <summary>
/// Jnp.Linalg's loops (LU and substitution, Cholesky by columns, Jacobi sweeps in a while loop, a sort) compiled by the LLVM CPU backend and by the SPIR-V
/// code generator on a Vulkan device (lavapipe on CI), compared with the interpreter's eager results.
/// </summary>
[Collection(nameof(Codegen.RuntimeJitCollection))] // KernelRegistry.Notices is process-wide: no other test may compile meanwhile
public sealed class LinalgBackendTests
{
    static LinalgBackendTests() => JaxJit.Enable();

    private static readonly (string Name, Func<Tensor, Tensor> F)[] Functions =
    [
        ("inv", Jnp.Linalg.Inv),
        ("cholesky", x => Jnp.Linalg.Cholesky(Jnp.Add(Jnp.Matmul(x, Jnp.Swapaxes(x, -1, -2)), 1))),
        ("eigvalsh", x => Jnp.Linalg.Eigvalsh(x)),
    ];

    private static Tensor Input()
    {
        var data = Enumerable.Range(0, 2 * 5 * 5).Select(i => Math.Sin(i * 1.7) + (i % 25 % 6 == 0 ? 5 : 0)).ToArray();
        return Jnp.Array(data, DType.Float32).Reshape(2, 5, 5);
    }

    [Fact]
    public void The_cpu_backend_compiles_the_factorizations() => EagerComparison.AssertNoNotices(() =>
    {
        var x = Input();
        foreach (var (name, f) in Functions)
            EagerComparison.AssertClose(f(x), Jax.Jit(f)(x), name);
    });

    [Spirv.VulkanFact]
    public void A_vulkan_device_runs_the_factorizations()
    {
        var gpu = Jax.Devices("vulkan")[0];
        var x = Input();
        foreach (var (name, f) in Functions)
            EagerComparison.AssertClose(f(x), Jax.Jit(f, new JitOptions { Device = gpu })(x), name);
    }
}
