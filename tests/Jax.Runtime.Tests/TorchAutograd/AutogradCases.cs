using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Torch;
using TorchSharp;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// A function written twice, with our API and with torch's, over float64 inputs drawn by <see cref="Inputs"/>:
/// the same mathematics, so values and derivatives must agree.
/// </summary>
internal sealed record AutogradCase(string Name, Func<Random, Tensor[]> Inputs, Func<Tensor[], Tensor> Ours, Func<TorchTensor[], TorchTensor> Theirs);

/// <summary>
/// The functions whose gradients are compared with torch's autograd: elementwise chains, activations, losses, a
/// dense layer, reductions, indexing, contractions, structural operations and control flow. Every input is
/// float64, sizes at most 10, drawn inside each function's domain and away from its kinks and ties.
/// </summary>
internal static class AutogradCases
{
    static Func<Random, Tensor[]> U(double lo, double hi, params int[] shape) => r => [Draw.Uniform(r, lo, hi, shape)];

    static Func<Random, Tensor[]> Inputs(params Func<Random, Tensor>[] draws) => r => draws.Select(d => d(r)).ToArray();

    static Func<Random, Tensor> Separated(params int[] shape) => r => Draw.Separated(r, DType.Float64, 0.3, shape);

    static AutogradCase Unary(string name, Func<Random, Tensor[]> inputs, Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs) =>
        new(name, inputs, a => ours(a[0]), a => theirs(a[0]));

    static AutogradCase Binary(string name, Func<Random, Tensor[]> inputs, Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs) =>
        new(name, inputs, a => ours(a[0], a[1]), a => theirs(a[0], a[1]));

    static TorchTensor Longs(params long[] values) => torch.tensor(values, torch.ScalarType.Int64);

    static readonly int[] GatherIndex = [4, 0, 2, 2, 5];
    static readonly int[] Labels = [1, 0, 4, 2];

    /// <summary>One step of a tanh RNN, h = tanh(W h + U x).</summary>
    static Tensor RnnStep(Tensor w, Tensor u, Tensor h, Tensor x) => Jnp.Tanh(Jnp.Matmul(w, h) + Jnp.Matmul(u, x));

    static TorchTensor RnnStep(TorchTensor w, TorchTensor u, TorchTensor h, TorchTensor x) => torch.tanh(w.matmul(h) + u.matmul(x));

    /// <summary>Every hidden state of a tanh RNN over the sequence xs [T, input], as a <c>Lax.Scan</c>.</summary>
    public static Tensor RnnStates(Tensor w, Tensor u, Tensor h0, Tensor xs) =>
        Lax.Scan((h, x) =>
        {
            var next = RnnStep(w, u, h, x);
            return (next, next);
        }, h0, xs).Ys;

    /// <summary>The same RNN in torch, unrolled.</summary>
    public static TorchTensor RnnStates(TorchTensor w, TorchTensor u, TorchTensor h0, TorchTensor xs)
    {
        var states = new List<TorchTensor>();
        var h = h0;
        for (long t = 0; t < xs.shape[0]; t++)
        {
            h = RnnStep(w, u, h, xs[t]);
            states.Add(h);
        }
        return torch.stack(states);
    }

    /// <summary>A fixed matrix (the same on both sides of a comparison), built from sines of the element index.</summary>
    public static Tensor Weights(int rows, int cols, double scale = 0.7) =>
        Draw.Make(DType.Float64, [rows, cols], i => scale * Math.Sin(1.3 * i + 0.4));

    /// <summary><see cref="Weights"/> as a torch tensor.</summary>
    public static TorchTensor TorchWeights(int rows, int cols, double scale = 0.7) => OracleTensors.ToTorch(Weights(rows, cols, scale));

    static Tensor FixedSequence() => Draw.Make(DType.Float64, [4, 2], i => Math.Cos(i));

    /// <summary>The RNN's hidden states as a function of h0 [3] alone: fixed weights and a fixed sequence of 4 inputs.</summary>
    public static Tensor RnnStatesOfH0(Tensor h0) => RnnStates(Weights(3, 3), Weights(3, 2, 0.5), h0, FixedSequence());

    /// <summary>The same in torch.</summary>
    public static TorchTensor RnnStatesOfH0(TorchTensor h0) =>
        RnnStates(TorchWeights(3, 3), TorchWeights(3, 2, 0.5), h0, OracleTensors.ToTorch(FixedSequence()));

    /// <summary>Mean softmax cross-entropy of logits [batch, classes] against <see cref="Labels"/>.</summary>
    public static Tensor CrossEntropy(Tensor logits)
    {
        var logp = Nn.LogSoftmax(logits, -1);
        return -Jnp.Mean(logp[Jnp.Arange(Labels.Length), Jnp.Array(Labels)]);
    }

    /// <summary>torch's <c>cross_entropy</c> against <see cref="Labels"/>.</summary>
    public static TorchTensor CrossEntropy(TorchTensor logits) =>
        torch.nn.functional.cross_entropy(logits, Longs([.. Labels.Select(l => (long)l)]));

    /// <summary>Every case by name.</summary>
    public static IReadOnlyDictionary<string, AutogradCase> All { get; } = new AutogradCase[]
    {
        // Elementwise chains.
        Unary("exp_sin", U(-2, 2, 7), x => Jnp.Exp(Jnp.Sin(x)), x => torch.exp(torch.sin(x))),
        Unary("log_cosh", U(-3, 3, 7), x => Jnp.Log(Jnp.Cosh(x)), x => torch.log(torch.cosh(x))),
        Unary("tanh_sin_square", U(-2, 2, 2, 3), x => Jnp.Tanh(x) * Jnp.Sin(x) + x * x, x => torch.tanh(x) * torch.sin(x) + x * x),
        Unary("logistic", U(-4, 4, 8), Nn.Sigmoid, torch.sigmoid),
        Unary("erf_gauss", U(-2, 2, 7), x => Lax.Erf(x) * Jnp.Exp(-0.5 * x * x), x => x.erf() * torch.exp(-0.5 * x * x)),
        Binary("pow_xy", Inputs(Draw.UniformSampler(0.5, 2, 6), Draw.UniformSampler(-1.5, 2.5, 6)), Jnp.Power, torch.pow),
        Unary("pow_const", U(-2, 2, 6), x => Jnp.Power(Jnp.Sin(x), 3) + Jnp.Power(x * x + 1, 2.5), x => torch.sin(x).pow(3) + (x * x + 1).pow(2.5)),
        Unary("abs_chain", r => [Draw.SignedMagnitudes(r, DType.Float64, 0.1, 2, 7)], x => Jnp.Abs(x) * Jnp.Sin(x), x => torch.abs(x) * torch.sin(x)),
        Binary("maximum_minimum", r => { var x = Draw.Uniform(r, -2, 2, 6); return [x, x + Draw.SignedMagnitudes(r, DType.Float64, 0.1, 1, 6)]; },
            (x, y) => Jnp.Maximum(x, y) * 2 + Jnp.Minimum(Jnp.Sin(x), Jnp.Cos(y)), (x, y) => torch.maximum(x, y) * 2 + torch.minimum(torch.sin(x), torch.cos(y))),
        Unary("maximum_with_constant", r => [Draw.SignedMagnitudes(r, DType.Float64, 0.1, 2, 8)], x => Jnp.Maximum(x, 0.0) * x, x => torch.nn.functional.relu(x) * x),
        Unary("sqrt_log1p", U(-2, 2, 7), x => Jnp.Sqrt(1 + x * x) + Jnp.Log1p(x * x), x => torch.sqrt(1 + x * x) + torch.log1p(x * x)),
        Unary("rsqrt_expm1", U(0.2, 3, 7), x => Lax.Rsqrt(x) * Jnp.Expm1(-x), x => torch.rsqrt(x) * torch.expm1(-x)),
        Binary("atan2", Inputs(Draw.UniformSampler(-2, 2, 6), Draw.UniformSampler(0.3, 2, 6)), Jnp.Arctan2, torch.atan2),
        Binary("divide", Inputs(Draw.UniformSampler(-2, 2, 6), Draw.UniformSampler(-2, 2, 6)), (x, y) => Jnp.Sin(x) / (1 + y * y), (x, y) => torch.sin(x) / (1 + y * y)),
        Unary("tan_arcsin_arctan", U(-0.9, 0.9, 7), x => Jnp.Tan(x) + Jnp.Arcsin(x) * Jnp.Arctan(2 * x), x => torch.tan(x) + torch.asin(x) * torch.atan(2 * x)),
        Unary("sinh_cosh", U(-2, 2, 7), x => Jnp.Sinh(x) / Jnp.Cosh(0.5 * x), x => torch.sinh(x) / torch.cosh(0.5 * x)),
        Binary("hypot_logaddexp", Inputs(Draw.UniformSampler(-2, 2, 6), Draw.UniformSampler(-2, 2, 6)), (x, y) => Jnp.Hypot(x, y) + Jnp.Logaddexp(x, 2 * y),
            (x, y) => torch.hypot(x, y) + torch.logaddexp(x, 2 * y)),
        Unary("clip", r => [Draw.Make(DType.Float64, [8], i => (i % 2 == 0 ? 1 : -1) * (0.1 + 0.1 * i) + 0.03 * r.NextDouble())],
            x => Jnp.Clip(x, -0.55, 0.45) * x, x => torch.clamp(x, -0.55, 0.45) * x),
        Unary("square_reciprocal", U(0.5, 2, 7), x => Jnp.Square(x) + Jnp.Reciprocal(x), x => torch.square(x) + torch.reciprocal(x)),
        Unary("cbrt", U(0.2, 3, 7), Jnp.Cbrt, x => torch.pow(x, 1.0 / 3)),
        Unary("log2_log10_exp2", U(0.3, 3, 7), x => Jnp.Log2(x) * Jnp.Log10(x + 1) + Jnp.Exp2(x), x => torch.log2(x) * torch.log10(x + 1) + torch.exp2(x)),

        // Activations and losses.
        Unary("selu", U(-3, 3, 9), Nn.Selu, x => torch.nn.functional.selu(x)),
        Unary("elu", U(-3, 3, 9), x => Nn.Elu(x), x => torch.nn.functional.elu(x, 1.0)),
        Unary("gelu_tanh", U(-3, 3, 9), x => Nn.Gelu(x, approximate: true), x => torch.nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh)),
        Unary("gelu_erf", U(-3, 3, 9), x => Nn.Gelu(x, approximate: false), x => torch.nn.functional.gelu(x)),
        Unary("relu", r => [Draw.SignedMagnitudes(r, DType.Float64, 0.1, 2, 8)], x => Nn.Relu(x) * Jnp.Exp(x), x => torch.nn.functional.relu(x) * torch.exp(x)),
        Unary("sum_logistic", U(-4, 4, 10), x => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x))), x => torch.sigmoid(x).sum()),
        Unary("logsumexp", U(-3, 3, 3, 5), x => Nn.Logsumexp(x, [1]), x => torch.logsumexp(x, 1)),
        Unary("softmax", U(-3, 3, 3, 5), x => Nn.Softmax(x, 0), x => torch.nn.functional.softmax(x, 0)),
        Unary("log_softmax", U(-3, 3, 3, 5), x => Nn.LogSoftmax(x), x => torch.nn.functional.log_softmax(x, -1)),
        Unary("softmax_cross_entropy", U(-3, 3, 4, 5), CrossEntropy, CrossEntropy),
        new("mlp_layer", Inputs(Draw.UniformSampler(-1, 1, 4, 3), Draw.UniformSampler(-1, 1, 4), Draw.UniformSampler(-1, 1, 3)),
            a => Jnp.Tanh(Jnp.Matmul(a[0], a[2]) + a[1]), a => torch.tanh(a[0].matmul(a[2]) + a[1])),
        new("mlp_batch_squared_error", Inputs(Draw.UniformSampler(-1, 1, 4, 3), Draw.UniformSampler(-1, 1, 4), Draw.UniformSampler(-1, 1, 5, 3), Draw.UniformSampler(-1, 1, 5, 4)),
            a => Jnp.Mean(Jnp.Square(Jnp.Tanh(Jnp.Matmul(a[2], a[0].T) + a[1]) - a[3])),
            a => (torch.tanh(a[2].matmul(a[0].t()) + a[1]) - a[3]).square().mean()),

        // Reductions and scans.
        Unary("norm", U(-2, 2, 7), x => Jnp.Sqrt(Jnp.Sum(x * x)), x => torch.linalg.norm(x, 2.0, [0], false)),
        Unary("row_norms", U(-2, 2, 3, 4), x => Jnp.Sqrt(Jnp.Sum(x * x, 1)), x => torch.linalg.norm(x, 2.0, [1], false)),
        Unary("mean_var", U(-2, 2, 4, 5), x => Jnp.Mean(x, 0) * Jnp.Var(x, 1).Reshape(4, 1), x => x.mean([0]) * x.var(1, unbiased: false).reshape(4, 1)),
        Unary("std", U(-2, 2, 3, 5), x => Jnp.Std(x, 1, ddof: 1), x => x.std(1, unbiased: true)),
        Unary("max_min_reductions", r => [Draw.Separated(r, DType.Float64, 0.3, 3, 4)], x => Jnp.Max(x, 1) * Jnp.Sum(Jnp.Min(Jnp.Sin(x), 0)),
            x => x.amax([1]) * torch.sin(x).amin([0]).sum()),
        Unary("prod", U(0.5, 1.5, 2, 4), x => Jnp.Prod(x, 1), x => x.prod(1)),
        Unary("cumsum", U(-2, 2, 3, 4), x => Jnp.Cumsum(Jnp.Sin(x), 1), x => torch.sin(x).cumsum(1)),
        Unary("cumprod", r => [Draw.SignedMagnitudes(r, DType.Float64, 0.3, 1.5, 7)], x => Jnp.Cumprod(x), x => x.cumprod(0)),
        Unary("sort", r => [Draw.Separated(r, DType.Float64, 0.3, 2, 5)], x => Jnp.Sort(x) * Jnp.Arange(5.0), x => x.sort(-1).Values * torch.arange(5.0, torch.ScalarType.Float64)),
        Unary("where", r => [Draw.SignedMagnitudes(r, DType.Float64, 0.1, 2, 8)], x => Jnp.Where(x > 0, x * x, Jnp.Sin(x)), x => torch.where(x.gt(0), x * x, torch.sin(x))),

        // Indexing.
        Unary("gather_with_repeats", U(-2, 2, 6), x => Jnp.Exp(x[Jnp.Array(GatherIndex)]), x => torch.exp(x.index_select(0, Longs(4, 0, 2, 2, 5)))),
        Unary("slice_range", U(-2, 2, 5, 3), x => Jnp.Sin(x[1..3]), x => torch.sin(x.narrow(0, 1, 2))),
        Unary("rows_and_column_range", U(-2, 2, 5, 4), x => Jnp.Tanh(x[Jnp.Array(new[] { 3, 0, 3 }), 1..3]), x => torch.tanh(x.index_select(0, Longs(3, 0, 3)).narrow(1, 1, 2))),
        Unary("take", U(-2, 2, 3, 3), x => Jnp.Take(x, Jnp.Array(new[] { 8, 1, 1, 4 })) * 3, x => torch.take(x, Longs(8, 1, 1, 4)) * 3),

        // Contractions.
        Binary("einsum_matmul", Inputs(Draw.UniformSampler(-1, 1, 3, 4), Draw.UniformSampler(-1, 1, 4, 2)), (a, b) => Jnp.Einsum("ij,jk->ik", a, b),
            (a, b) => torch.einsum("ij,jk->ik", a, b)),
        Binary("einsum_batched_contraction", Inputs(Draw.UniformSampler(-1, 1, 2, 3), Draw.UniformSampler(-1, 1, 2, 3, 4)), (a, b) => Jnp.Sin(Jnp.Einsum("bi,bij->bj", a, b)),
            (a, b) => torch.sin(torch.einsum("bi,bij->bj", a, b))),
        Binary("matmul_batch_dims", Inputs(Draw.UniformSampler(-1, 1, 2, 3, 4), Draw.UniformSampler(-1, 1, 2, 4, 5)), Jnp.Matmul, torch.matmul),
        Binary("matmul_broadcast_batch", Inputs(Draw.UniformSampler(-1, 1, 2, 3, 4), Draw.UniformSampler(-1, 1, 4, 2)), (a, b) => Jnp.Tanh(Jnp.Matmul(a, b)), (a, b) => torch.tanh(a.matmul(b))),
        Binary("dot_outer_trace", Inputs(Draw.UniformSampler(-1, 1, 4), Draw.UniformSampler(-1, 1, 4)), (a, b) => Jnp.Dot(a, b) * Jnp.Trace(Jnp.Outer(a, Jnp.Sin(b))),
            (a, b) => a.dot(b) * torch.outer(a, torch.sin(b)).trace()),

        // Structural operations.
        Binary("concatenate", Inputs(Draw.UniformSampler(-1, 1, 2, 3), Draw.UniformSampler(-1, 1, 2, 2)), (a, b) => Jnp.Exp(Jnp.Concatenate([a, Jnp.Sin(b)], 1)),
            (a, b) => torch.exp(torch.cat([a, torch.sin(b)], 1))),
        Binary("stack", Inputs(Draw.UniformSampler(-1, 1, 2, 3), Draw.UniformSampler(-1, 1, 2, 3)), (a, b) => Jnp.Stack([a, a * b, Jnp.Cos(b)], 1),
            (a, b) => torch.stack([a, a * b, torch.cos(b)], 1)),
        Unary("pad", U(-1, 1, 3, 4), x => Jnp.Cumsum(Lax.Pad(Jnp.Sin(x), Jnp.Array(0.5, DType.Float64), [1, 0], [2, 1], [0, 0]), 0),
            x => torch.nn.functional.pad(torch.sin(x), [0, 1, 1, 2], value: 0.5).cumsum(0)),
        Unary("transpose_reshape", U(-1, 1, 2, 3, 4), x => Jnp.Exp(Jnp.Transpose(x, [2, 0, 1])).Reshape(4, 6) * Jnp.Arange(6.0),
            x => torch.exp(x.permute(2, 0, 1)).reshape(4, 6) * torch.arange(6.0, torch.ScalarType.Float64)),
        Unary("flip_broadcast", U(-1, 1, 3, 4), x => Jnp.Flip(x, 1) * Jnp.Sum(x, 0) + Jnp.ExpandDims(Jnp.Mean(x, 1), 1),
            x => x.flip(1) * x.sum([0]) + x.mean([1]).unsqueeze(1)),

        Binary("remainder_fmod", Inputs(Draw.UniformSampler(-3, 3, 6), Draw.UniformSampler(1.1, 1.3, 6)),
            (x, y) => Jnp.Remainder(Jnp.Sin(x) * 4, y) + Jnp.Fmod(x * y, y + 1), (x, y) => torch.remainder(torch.sin(x) * 4, y) + torch.fmod(x * y, y + 1)),
        Unary("arccos", U(-0.9, 0.9, 6), x => Jnp.Arccos(x) * x, x => torch.acos(x) * x),
        Binary("tensordot_inner_vdot", Inputs(Draw.UniformSampler(-1, 1, 2, 3, 4), Draw.UniformSampler(-1, 1, 3, 4)),
            (a, b) => Jnp.Tensordot(a, b) * Jnp.Vdot(b, b) + Jnp.Sum(Jnp.Inner(a[0], b)),
            (a, b) => torch.tensordot(a, b, [1, 2], [0, 1]) * b.flatten().dot(b.flatten()) + a[0].matmul(b.t()).sum()),
        Unary("split_swapaxes", U(-1, 1, 4, 3), x =>
        {
            var parts = Jnp.Split(x, [1, 3], 0);
            return Jnp.Swapaxes(parts[1], 0, 1) * Jnp.Sum(parts[0]) + Jnp.Exp(parts[2]).T;
        }, x => x.narrow(0, 1, 2).swapaxes(0, 1) * x.narrow(0, 0, 1).sum() + torch.exp(x.narrow(0, 3, 1)).t()),
        Binary("hstack_vstack_broadcast_to", Inputs(Draw.UniformSampler(-1, 1, 3), Draw.UniformSampler(-1, 1, 2, 3)),
            (a, b) => Jnp.Vstack([Jnp.BroadcastTo(a, 2, 3), Jnp.Sin(b)]) * Jnp.Sum(Jnp.Hstack([a, a]).Reshape(2, 3), 0),
            (a, b) => torch.vstack([a.expand(2, 3), torch.sin(b)]) * torch.hstack([a, a]).reshape(2, 3).sum([0])),
        // Control flow.
        new("scan_rnn", Inputs(Draw.UniformSampler(-0.8, 0.8, 3, 3), Draw.UniformSampler(-0.8, 0.8, 3, 2), Draw.UniformSampler(-1, 1, 3), Draw.UniformSampler(-1, 1, 5, 2)),
            a => RnnStates(a[0], a[1], a[2], a[3]), a => RnnStates(a[0], a[1], a[2], a[3])),
        Unary("cond_true_branch", U(0.1, 1, 5), x => Lax.Cond(Jnp.Sum(x) > 0, v => Jnp.Sin(v) * v, v => Jnp.Exp(v), x),
            x => x.sum().item<double>() > 0 ? torch.sin(x) * x : torch.exp(x)),
        Unary("cond_false_branch", U(-1, -0.1, 5), x => Lax.Cond(Jnp.Sum(x) > 0, v => Jnp.Sin(v) * v, v => Jnp.Exp(v) * Jnp.Sum(v), x),
            x => x.sum().item<double>() > 0 ? torch.sin(x) * x : torch.exp(x) * x.sum()),
        Binary("switch_on_argmax", Inputs(Separated(3), Draw.UniformSampler(-1, 1, 3)),
            (k, v) => Lax.Switch(Jnp.Argmax(k), [a => [a[0] * Jnp.Sin(a[1])], a => [Jnp.Exp(a[0] - a[1])], a => [a[0] * a[0] * a[1]]], k, v)[0],
            (k, v) => k.argmax().item<long>() switch { 0 => k * torch.sin(v), 1 => torch.exp(k - v), _ => k * k * v }),
        Binary("fori_loop", Inputs(Draw.UniformSampler(-1, 1, 4), Draw.UniformSampler(-1, 1, 4)),
            (x, y) => Lax.ForiLoop(0, 4, (i, c) => c + 0.2 * Jnp.Sin(c * y) * i, x),
            (x, y) => Enumerable.Range(0, 4).Aggregate(x, (c, i) => c + 0.2 * torch.sin(c * y) * i)),
        Unary("map_rows", U(-1, 1, 4, 3), x => Lax.Map(row => Jnp.Sum(Jnp.Exp(row)) * row, x),
            x => torch.stack(Enumerable.Range(0, 4).Select(i => torch.exp(x[i]).sum() * x[i]))),
        Binary("scan_reverse", Inputs(Draw.UniformSampler(-1, 1, 2), Draw.UniformSampler(-1, 1, 5, 2)),
            (c0, xs) =>
            {
                var (carry, ys) = Lax.Scan((c, x) =>
                {
                    var next = 0.5 * c + Jnp.Sin(x * c);
                    return (next, next * x);
                }, c0, xs, reverse: true);
                return Jnp.Concatenate([ys, carry[TensorIndex.NewAxis]], 0);
            },
            (c0, xs) =>
            {
                var ys = new TorchTensor[xs.shape[0]];
                var c = c0;
                for (int t = ys.Length - 1; t >= 0; t--)
                {
                    c = 0.5 * c + torch.sin(xs[t] * c);
                    ys[t] = c * xs[t];
                }
                return torch.cat([torch.stack(ys), c.unsqueeze(0)], 0);
            }),
    }.ToDictionary(c => c.Name);

    /// <summary>xunit rows: one per case name.</summary>
    public static TheoryData<string> Names()
    {
        var rows = new TheoryData<string>();
        foreach (var name in All.Keys) rows.Add(name);
        return rows;
    }
}
