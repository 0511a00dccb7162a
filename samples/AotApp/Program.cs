// A NativeAOT app (dotnet publish -p:PublishAot=true) whose kernels were compiled at dotnet build: the published
// executable loads them from runtimes/<rid>/native/ beside it and runs them with no tracing, no LLVM and no
// Reflection.Emit. JAX_PRECOMPILED_ONLY=1 turns any call that would need tracing into an error.
using System.Diagnostics;
using JaxToolchain;

var x = Jnp.Linspace(-3f, 3f, 7);
Console.WriteLine($"x = {x}");
Console.WriteLine($"selu(x) = {Kernels.Selu(x)}");
Console.WriteLine($"grad(sum(selu))(x) = {Kernels.SeluGradient(x)}");
var (mean, spread) = Kernels.Moments(x);
Console.WriteLine($"mean, std = {mean}, {spread}");

var big = Jax.Random.Normal(Jax.Random.PRNGKey(0), [10_000_000]);
Kernels.Selu(big).BlockUntilReady();
var sw = Stopwatch.StartNew();
for (int i = 0; i < 10; i++) Kernels.Selu(big).BlockUntilReady();
Console.WriteLine($"selu on 10,000,000 floats: {sw.Elapsed.TotalMilliseconds / 10:F2} ms per call (precompiled)");

/// <summary>The app's kernels, compiled at build for every shipped RID and ISA level.</summary>
internal static class Kernels
{
    [Jit("f32[n]")]
    public static Tensor Selu(Tensor x) => 1.05 * Jnp.Where(x > 0, x, 1.67 * Jnp.Exp(x) - 1.67);

    [Jit("f32[n]")]
    public static Tensor SeluGradient(Tensor x) => Jax.Grad((Tensor v) => Jnp.Sum(Selu(v)))(x);

    [Jit("f32[n]")]
    public static (Tensor, Tensor) Moments(Tensor x) => (Jnp.Mean(x), Jnp.Std(x));
}
