using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Torch;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Hessians of scalar functions in float64: <c>Jax.Hessian</c> (forward over reverse) against torch's, built row
/// by row by double backward (<c>create_graph: true</c>), within rtol 1e-10 / atol 1e-12; forward over forward
/// and reverse over reverse give the same matrix.
/// </summary>
public sealed class HessianTests(ITestOutputHelper log)
{
    static readonly (IReadOnlyDictionary<string, ArrayCase> ByName, TheoryData<string> Rows) Table = ArrayCase.Table(
        new("sum_logistic", Draw.UniformSampler(-3, 3, 6), x => Jnp.Sum(Nn.Sigmoid(x)), x => torch.sigmoid(x).sum()),
        new("logsumexp", Draw.UniformSampler(-2, 2, 5), x => Nn.Logsumexp(x), x => torch.logsumexp(x, 0)),
        new("norm", Draw.UniformSampler(-2, 2, 5), x => Jnp.Sqrt(Jnp.Sum(x * x)), x => torch.linalg.norm(x, 2.0, [0], false)),
        new("softmax_cross_entropy", Draw.UniformSampler(-2, 2, 4, 5), AutogradCases.CrossEntropy, AutogradCases.CrossEntropy),
        new("mlp_squared_activations", Draw.UniformSampler(-1, 1, 3), x => Jnp.Sum(Jnp.Square(Jnp.Tanh(Jnp.Matmul(AutogradCases.Weights(4, 3), x) + 0.1))),
            x => torch.tanh(AutogradCases.TorchWeights(4, 3).matmul(x) + 0.1).square().sum()),
        new("selu_weighted", Draw.UniformSampler(-2, 2, 6), x => Jnp.Sum(Nn.Selu(x) * Jnp.Cos(x)), x => (torch.nn.functional.selu(x) * torch.cos(x)).sum()),
        new("quadratic_form_plus_sines", Draw.UniformSampler(-1, 1, 4), x => Jnp.Dot(x, Jnp.Matmul(AutogradCases.Weights(4, 4), x)) + Jnp.Sum(Jnp.Sin(x)),
            x => x.dot(AutogradCases.TorchWeights(4, 4).matmul(x)) + torch.sin(x).sum()),
        new("prod", Draw.UniformSampler(0.5, 1.5, 4), x => Jnp.Prod(x), x => x.prod()),
        new("mean_times_var", Draw.UniformSampler(-2, 2, 5), x => Jnp.Mean(x) * Jnp.Var(x), x => x.mean() * x.var(0, unbiased: false)),
        new("cumprod_weighted", Draw.UniformSampler(0.5, 1.5, 5), x => Jnp.Sum(Jnp.Cumprod(x) * Jnp.Arange(1.0, 6.0, 1.0)),
            x => (x.cumprod(0) * torch.arange(1.0, 6.0, 1.0, torch.ScalarType.Float64)).sum()),
        new("sorted_squares", r => Draw.Separated(r, DType.Float64, 0.3, 5), x => Jnp.Sum(Jnp.Square(Jnp.Sort(x)) * Jnp.Arange(5.0)),
            x => (x.sort(0).Values.square() * torch.arange(5.0, torch.ScalarType.Float64)).sum()),
        new("matrix_input_log_det_free", Draw.UniformSampler(-1, 1, 2, 3), x => Jnp.Sum(Jnp.Exp(Jnp.Matmul(x, x.T))), x => torch.exp(x.matmul(x.t())).sum()),
        new("scan_rnn_loss_wrt_h0", Draw.UniformSampler(-1, 1, 3), h0 => Jnp.Sum(Jnp.Square(AutogradCases.RnnStatesOfH0(h0))),
            h0 => AutogradCases.RnnStatesOfH0(h0).square().sum()));

    public static TheoryData<string> Cases => Table.Rows;

    [Theory, MemberData(nameof(Cases))]
    public void Hessian_equals_torch_double_backward(string name)
    {
        using var x64 = Jax.Config.X64Scope();
        using var scope = torch.NewDisposeScope();
        var (c, x) = ArrayCase.Drawn(Table.ByName, name);
        var ours = Jax.Hessian(c.Ours)(x);
        var measured = AutogradOracle.AssertClose($"{name}: hessian", ours, AutogradOracle.Hessian(c.Theirs, x));
        log.WriteLine($"{name}: hessian vs torch {measured}");
        AutogradOracle.AssertClose($"{name}: jacfwd(jacfwd)", Jax.JacFwd(Jax.JacFwd(c.Ours))(x), ours);
        AutogradOracle.AssertClose($"{name}: jacrev(jacrev)", Jax.JacRev(Jax.JacRev(c.Ours))(x), ours);
    }
}
