using JaxToolchain.Ir;
using TorchSharp;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>The six comparisons as ours and torch's, and operand pairs that are often equal.</summary>
internal static class ComparisonPair
{
    /// <summary>Our comparison primitive and torch's function for <c>eq ne lt le gt ge</c>.</summary>
    public static (Func<Tensor, Tensor, Tensor> Ours, Func<TorchTensor, TorchTensor, TorchTensor> Theirs) Of(string op) => op switch
    {
        "eq" => (Lax.Eq, torch.eq),
        "ne" => (Lax.Ne, torch.ne),
        "lt" => (Lax.Lt, torch.lt),
        "le" => (Lax.Le, torch.le),
        "gt" => (Lax.Gt, torch.gt),
        "ge" => (Lax.Ge, torch.ge),
        _ => throw new ArgumentException($"unknown comparison '{op}'"),
    };

    /// <summary>Two arrays of a dtype where about half of the elements of y are copies of x's.</summary>
    public static (Tensor X, Tensor Y) Operands(Random rng, DType dtype, long[] shape, Domain floatDomain)
    {
        var x = Samples.Any(rng, dtype, shape, floatDomain);
        var y = Samples.Any(rng, dtype, shape, floatDomain).Buffer.Clone();
        for (int i = 0; i < y.Length; i++)
            if (rng.Next(2) == 0) x.Buffer.Bytes.Slice(i * y.DType.ItemSize(), y.DType.ItemSize()).CopyTo(y.Bytes[(i * y.DType.ItemSize())..]);
        return (x, OracleTensors.FromBuffer(y));
    }
}
