using JaxToolchain.Runtime.Tests.Torch;
using TorchSharp;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Derivatives computed by torch's autograd, the reference for ours: gradients (vector-Jacobian products),
/// Jacobians built row by row with <c>torch.autograd.grad</c>, and Hessians by double backward
/// (<c>create_graph: true</c>), since TorchSharp has no <c>jacobian</c>/<c>hessian</c>. Call inside a
/// <c>torch.NewDisposeScope()</c>.
/// </summary>
internal static class AutogradOracle
{
    /// <summary>The default bound of the autograd comparisons: |ours - torch| &lt;= 1e-12 + 1e-10 |torch|.</summary>
    public static Tolerance Float64Bound { get; } = new(0, Rtol: 1e-10, Atol: 1e-12);

    /// <summary>A leaf torch tensor holding our tensor's values, with <c>requires_grad</c> set.</summary>
    public static TorchTensor Leaf(Tensor x) => OracleTensors.ToTorch(x).requires_grad_(true);

    /// <summary>
    /// torch's gradients of <c>sum(f(leaves) * weights)</c> with respect to every leaf: the vector-Jacobian
    /// product of f with the cotangent <paramref name="weights"/>.
    /// </summary>
    public static TorchTensor[] WeightedGradients(Func<TorchTensor[], TorchTensor> f, TorchTensor[] leaves, TorchTensor weights)
    {
        var loss = (f(leaves) * weights).sum();
        return [.. torch.autograd.grad([loss], leaves)];
    }

    /// <summary>torch's Jacobian of f at x, shape f(x).shape + x.shape, one reverse pass per output element.</summary>
    public static TorchTensor Jacobian(Func<TorchTensor, TorchTensor> f, Tensor x)
    {
        var leaf = Leaf(x);
        var y = f(leaf);
        var flat = y.flatten();
        var rows = new TorchTensor[flat.shape[0]];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = torch.autograd.grad([flat[i]], [leaf], retain_graph: true)[0];
        return torch.stack(rows).reshape([.. y.shape, .. leaf.shape]);
    }

    /// <summary>torch's Hessian of a scalar f at x, shape x.shape + x.shape: rows of the gradient's Jacobian by double backward.</summary>
    public static TorchTensor Hessian(Func<TorchTensor, TorchTensor> f, Tensor x)
    {
        var leaf = Leaf(x);
        var gradient = torch.autograd.grad([f(leaf)], [leaf], retain_graph: true, create_graph: true)[0].flatten();
        var rows = new TorchTensor[gradient.shape[0]];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = torch.autograd.grad([gradient[i]], [leaf], retain_graph: true)[0];
        return torch.stack(rows).reshape([.. leaf.shape, .. leaf.shape]);
    }

    /// <summary>
    /// Asserts our result equals torch's (shape, dtype, elements) within <paramref name="bound"/> (default
    /// <see cref="Float64Bound"/>); returns the measured difference.
    /// </summary>
    public static Discrepancy AssertClose(string what, Tensor ours, TorchTensor theirs, Tolerance? bound = null) =>
        Agreement.AssertClose(what, ours, theirs, bound ?? Float64Bound);

    /// <summary>Asserts two results of ours agree (shape and elements) within <paramref name="bound"/> (default <see cref="Float64Bound"/>).</summary>
    public static Discrepancy AssertClose(string what, Tensor ours, Tensor expected, Tolerance? bound = null)
    {
        Assert.True(ours.Shape == expected.Shape, $"{what}: shape {ours.Shape.ToTupleString()} but expected {expected.Shape.ToTupleString()}");
        return Agreement.CompareFloats(what, ours.DType, OracleTensors.Doubles(ours), OracleTensors.Doubles(expected), bound ?? Float64Bound);
    }
}
