using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Torch;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>A function of one float64 array written with our API and with torch's, and how to draw its input.</summary>
internal sealed record ArrayCase(string Name, Func<Random, Tensor> Input, Func<Tensor, Tensor> Ours, Func<TorchTensor, TorchTensor> Theirs)
{
    /// <summary>The case of a name and its input, drawn from the name's seed.</summary>
    public static (ArrayCase Case, Tensor Input) Drawn(IReadOnlyDictionary<string, ArrayCase> cases, string name)
    {
        var c = cases[name];
        return (c, c.Input(Draw.For(name)));
    }

    /// <summary>Cases by name, and the xunit rows naming them.</summary>
    public static (IReadOnlyDictionary<string, ArrayCase> ByName, TheoryData<string> Rows) Table(params ArrayCase[] cases)
    {
        var rows = new TheoryData<string>();
        foreach (var c in cases) rows.Add(c.Name);
        return (cases.ToDictionary(c => c.Name), rows);
    }
}

/// <summary>
/// Jacobians in float64: <c>Jax.JacFwd</c> (pushing forward the basis, vectorised) and <c>Jax.JacRev</c> (pulling
/// back the basis) agree with each other and with torch's Jacobian built row by row with
/// <c>torch.autograd.grad</c>, within rtol 1e-10 / atol 1e-12.
/// </summary>
public sealed class JacobianTests(ITestOutputHelper log)
{
    static readonly (IReadOnlyDictionary<string, ArrayCase> ByName, TheoryData<string> Rows) Table = ArrayCase.Table(
        new("softmax", Draw.UniformSampler(-2, 2, 6), x => Nn.Softmax(x), x => torch.nn.functional.softmax(x, 0)),
        new("mlp_layer_wrt_x", Draw.UniformSampler(-1, 1, 3), x => Jnp.Tanh(Jnp.Matmul(AutogradCases.Weights(4, 3), x) + Jnp.Arange(4.0) / 4),
            x => torch.tanh(AutogradCases.TorchWeights(4, 3).matmul(x) + torch.arange(4.0, torch.ScalarType.Float64) / 4)),
        new("cumprod", Draw.UniformSampler(0.5, 1.5, 6), x => Jnp.Cumprod(x), x => x.cumprod(0)),
        new("sort", r => Draw.Separated(r, DType.Float64, 0.3, 5), x => Jnp.Sort(x) * Jnp.Exp(x), x => x.sort(0).Values * torch.exp(x)),
        new("gather", Draw.UniformSampler(-2, 2, 6), x => Jnp.Sin(x[Jnp.Array(new[] { 5, 1, 1, 3 })]) * x[..4],
            x => torch.sin(x.index_select(0, torch.tensor(new long[] { 5, 1, 1, 3 }))) * x.narrow(0, 0, 4)),
        new("gram_matrix", Draw.UniformSampler(-1, 1, 3, 2), x => Jnp.Matmul(x, x.T), x => x.matmul(x.t())),
        new("normalize", Draw.UniformSampler(-2, 2, 5), x => x / Jnp.Sqrt(Jnp.Sum(x * x)), x => x / torch.linalg.norm(x, 2.0, [0], false)),
        new("row_logsumexp", Draw.UniformSampler(-2, 2, 2, 3), x => Nn.Logsumexp(x, [1]), x => torch.logsumexp(x, 1)),
        new("where_pad_cumsum", r => Draw.SignedMagnitudes(r, DType.Float64, 0.1, 2, 5),
            x => Jnp.Cumsum(Lax.Pad(Jnp.Where(x > 0, Jnp.Log1p(x), x * x), Jnp.Array(0.0, DType.Float64), [2], [1], [0])),
            x => torch.nn.functional.pad(torch.where(x.gt(0), torch.log1p(x), x * x), [2, 1]).cumsum(0)),
        new("scan_rnn_wrt_h0", Draw.UniformSampler(-1, 1, 3), AutogradCases.RnnStatesOfH0, AutogradCases.RnnStatesOfH0),
        new("cond", Draw.UniformSampler(-1, 1, 4), x => Lax.Cond(Jnp.Sum(x) > 0, v => Jnp.Sin(v) * v, v => Jnp.Exp(v) * v[0], x),
            x => x.sum().item<double>() > 0 ? torch.sin(x) * x : torch.exp(x) * x[0]));

    public static TheoryData<string> Cases => Table.Rows;

    [Theory, MemberData(nameof(Cases))]
    public void Jacfwd_and_jacrev_agree_with_each_other_and_with_torch(string name)
    {
        using var x64 = Jax.Config.X64Scope();
        using var scope = torch.NewDisposeScope();
        var (c, x) = ArrayCase.Drawn(Table.ByName, name);
        var forward = Jax.JacFwd(c.Ours)(x);
        var reverse = Jax.JacRev(c.Ours)(x);
        var theirs = AutogradOracle.Jacobian(c.Theirs, x);
        var fwd = AutogradOracle.AssertClose($"{name}: jacfwd", forward, theirs);
        var rev = AutogradOracle.AssertClose($"{name}: jacrev", reverse, theirs);
        var both = AutogradOracle.AssertClose($"{name}: jacfwd vs jacrev", forward, reverse);
        log.WriteLine($"{name}: jacfwd vs torch {fwd}; jacrev vs torch {rev}; jacfwd vs jacrev {both}");
    }
}
