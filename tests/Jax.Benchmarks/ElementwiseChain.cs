namespace JaxToolchain.Benchmarks;

/// <summary>
/// A long chain of elementwise ops cycling sin, exp, * 0.5, + 0.25 (each value stays in [-1, 3]), for the
/// workloads that measure per-op costs rather than arithmetic: tracing and passes, and peak memory.
/// </summary>
internal static class ElementwiseChain
{
    public static Tensor Apply(Tensor x, int length)
    {
        for (int i = 0; i < length; i++)
        {
            x = (i % 4) switch
            {
                0 => Jnp.Sin(x),
                1 => Jnp.Exp(x),
                2 => x * 0.5,
                _ => x + 0.25,
            };
        }
        return x;
    }
}
