namespace JaxToolchain.Compiler.Tests.Kernels;

public enum Activation { Relu, Tanh }

/// <summary>[Jit] methods of every supported form, compiled by jaxc in the tests.</summary>
public static class Kernels
{
    [Jit("f32[n]")]
    public static Tensor Selu(Tensor x) => 1.05 * Jnp.Where(x > 0, x, 1.67 * Jnp.Exp(x) - 1.67);

    // Two signatures: one kernel each.
    [Jit("f32[n,k]", "f32[k,m]")]
    [Jit("f64[n,k]", "f64[k,m]", X64 = true)]
    public static Tensor Affine(Tensor x, Tensor w) => Jnp.Tanh(Jnp.Dot(x, w)) + 1;

    // A static argument is compiled in; one kernel per value.
    [Jit("f32[n]", "2.5", StaticArgnums = [1])]
    [Jit("f32[n]", "-1", StaticArgnums = [1])]
    public static Tensor Scale(Tensor x, double alpha) => x * alpha;

    [Jit("f32[n]", "Tanh", StaticArgnums = [1])]
    public static Tensor Activate(Tensor x, Activation activation) => activation == Activation.Relu ? Jnp.Maximum(x, 0) : Jnp.Tanh(x);

    // A dynamic weakly typed scalar is a Tensor parameter (called with a C# number).
    [Jit("f32[n]", "f32[]{weak}")]
    public static Tensor Shift(Tensor x, Tensor by) => x + by;

    // Transformations and other [Jit] methods are traced into the kernel (the other method as a call).
    [Jit("f32[n]")]
    public static Tensor SeluGradient(Tensor x) => Jax.Grad((Tensor v) => Jnp.Sum(Selu(v)))(x);

    [Jit("f32[n]")]
    public static (Tensor, Tensor) MinMax(Tensor x) => (Jnp.Min(x), Jnp.Max(x));

    [Jit("f32[n]", DonateArgnums = [0])]
    public static Tensor Square(Tensor x) => x * x;

    // Means and variances over a symbolic dim count its elements at run time.
    [Jit("f32[n,3]")]
    public static Tensor Standardize(Tensor x) => (x - Jnp.Mean(x, 0)) / Jnp.Sqrt(Jnp.Var(x, [0], ddof: 1));

    // Trees of arrays: a list (any number of items, fixed per signature) and a tuple.
    [Jit("[f32[n], f32[n], f32[n]]")]
    public static Tensor SumAll(Tensor[] xs) => xs.Aggregate((a, b) => a + b);

    [Jit("(f32[n], f32[])")]
    public static Tensor ScaleBy((Tensor X, Tensor Factor) pair) => pair.X * pair.Factor;

    [Jit("f32[n]", Name = "Custom.Name")]
    public static Tensor Named(Tensor x) => -x;

    /// <summary>Calls a [Jit] method from ordinary code (retargeted to the woven dispatcher).</summary>
    public static Tensor CallsSelu(Tensor x) => Selu(x);

    /// <summary>Makes a delegate of a [Jit] method (retargeted too).</summary>
    public static Func<Tensor, Tensor> SeluDelegate() => Selu;
}
