using TorchSharp;

namespace JaxToolchain.Benchmarks;

/// <summary>Thrown when our result and the peer's differ: the timings would compare different work.</summary>
internal sealed class PeerDisagreementException(string message) : Exception(message);

/// <summary>
/// Checks once, before anything is timed, that each side computes what the other does on the same inputs.
/// </summary>
internal static class PeerAgreement
{
    private const double LossTolerance = 1e-4;
    private const double ValueTolerance = 1e-5;
    private const double GradientTolerance = 1e-3;

    public static void CheckSelu()
    {
        var values = SeluBenchmarks.Input();
        var x = Jnp.Array(values);
        var eager = SeluBenchmarks.Selu(x).ToArray<float>();
        using var torchX = torch.tensor(values);
        using var torchResult = SeluBenchmarks.TorchSelu(torchX);
        Require("selu: ours (eager) vs TorchSharp", eager, torchResult.data<float>().ToArray(), ValueTolerance);
        Require("selu: ours (Jax.Jit) vs ours (eager)", Jax.Jit(SeluBenchmarks.Selu)(x).ToArray<float>(), eager, ValueTolerance);
    }

    public static void CheckMlp()
    {
        var problem = MnistProblem.Create();
        var parameters = MnistMlp.Parameters(problem);
        var (images, labels) = MnistMlp.Batch(problem);
        using var peer = new TorchMnistMlp(problem);

        var (peerLoss, peerGradients) = peer.LossAndGradients();
        var ours = MnistMlp.Loss(parameters, images, labels).Item<float>();
        double relative = Math.Abs(ours - peerLoss) / Math.Abs(peerLoss);
        if (!(relative <= LossTolerance))
            throw new PeerDisagreementException($"mlp loss: ours {ours:R}, TorchSharp {peerLoss:R} (relative difference {relative:E2} > {LossTolerance:E0})");
        Console.WriteLine($"check: mlp loss ours {ours:R}, TorchSharp {peerLoss:R} (relative difference {relative:E2})");

        var ourGradients = PyTree.Leaves(MnistMlp.Gradients(parameters, images, labels));
        for (int i = 0; i < ourGradients.Count; i++)
            Require($"mlp gradient {i} (W1, b1, W2, ...): ours vs TorchSharp", ourGradients[i].ToArray<float>(), peerGradients[i], GradientTolerance);

        var eagerStep = PyTree.Leaves(MnistMlp.Update(parameters, images, labels));
        var jitStep = PyTree.Leaves(MnistMlp.JittedUpdate()(parameters, images, labels));
        for (int i = 0; i < eagerStep.Count; i++)
            Require($"mlp step parameter {i}: Jax.Jit vs eager", jitStep[i].ToArray<float>(), eagerStep[i].ToArray<float>(), ValueTolerance);
    }

    /// <summary>The conv benchmark's layer and kernel gradient, jitted, against TorchSharp's on a smaller batch of the same shapes.</summary>
    public static void CheckConv()
    {
        var xs = FixedInputs.Uniform(2 * 32 * 12 * 12, seed: 5, low: -1, high: 1);
        var ws = FixedInputs.Uniform(64 * 32 * 3 * 3, seed: 6, low: -1, high: 1);
        var (x, w) = (Jnp.Array(xs).Reshape(2, 32, 12, 12), Jnp.Array(ws).Reshape(64, 32, 3, 3));
        using var torchX = torch.tensor(xs).reshape(2, 32, 12, 12);
        using var torchW = torch.tensor(ws).reshape(64, 32, 3, 3).requires_grad_(true);
        using var torchY = torch.nn.functional.conv2d(torchX, torchW, padding: [1, 1]);
        Require("conv2d: ours (Jax.Jit) vs TorchSharp", Jax.Jit((Func<Tensor, Tensor, Tensor>)ConvBenchmarks.Layer)(x, w).ToArray<float>(), torchY.data<float>().ToArray(), ValueTolerance);
        using var loss = torchY.square().sum();
        loss.backward();
        using var torchDw = torchW.grad;
        var dw = Jax.Jit(Jax.Grad((Tensor k) => Jnp.Sum(Jnp.Square(ConvBenchmarks.Layer(x, k)))))(w);
        Require("conv2d kernel gradient: ours (Jax.Jit) vs TorchSharp", dw.ToArray<float>(), torchDw!.data<float>().ToArray(), GradientTolerance);
    }

    /// <summary>Fails unless max |ours - reference| &lt;= tolerance * max(1, max |reference|).</summary>
    private static void Require(string what, float[] ours, float[] reference, double tolerance)
    {
        if (ours.Length != reference.Length)
            throw new PeerDisagreementException($"{what}: {ours.Length} values vs {reference.Length}");
        double largest = 1, worst = 0;
        int worstAt = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(reference[i]));
            double difference = Math.Abs((double)ours[i] - reference[i]);
            if (double.IsNaN(difference))
                throw new PeerDisagreementException($"{what}: element {i} is {ours[i]:R} vs {reference[i]:R}");
            if (difference > worst) (worst, worstAt) = (difference, i);
        }
        if (worst > tolerance * largest)
            throw new PeerDisagreementException($"{what}: element {worstAt} is {ours[worstAt]:R} vs {reference[worstAt]:R} (max difference {worst:E2} > {tolerance:E0} x {largest:G4})");
        Console.WriteLine($"check: {what} agree (max difference {worst:E2})");
    }
}
