using BenchmarkDotNet.Attributes;

namespace JaxToolchain.Benchmarks;

/// <summary>
/// grad_chain_4000: <c>Jax.Grad</c> of sum(chain(x)) for a 4000-op elementwise chain on 16 float32 values, so the
/// time is tracing, the linearize/transpose passes and running the small result, not arithmetic. Every call
/// builds a new closure (a new function), so nothing can be served from a cache. Ours only: TorchSharp has
/// no tracing, so there is no peer.
/// </summary>
public class GradChainBenchmarks
{
    public const int ChainLength = 4000;

    private Tensor _x = null!;

    [GlobalSetup]
    public void Setup() => _x = Jnp.Array(FixedInputs.Uniform(16, seed: 2, low: -1, high: 1));

    [Benchmark]
    public Tensor Ours()
    {
        int length = ChainLength;
        return Jax.Grad((Func<Tensor, Tensor>)(x => Jnp.Sum(ElementwiseChain.Apply(x, length))))(_x);
    }
}
