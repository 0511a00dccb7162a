using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// <c>dot_general</c> against torch.matmul, torch.tensordot and torch.einsum: plain and batched matrix products,
/// several contracting dimensions, batch dimensions in any position, zero-size dimensions. Float results are bounded
/// relative to the same product of absolute values (|a| · |b|): float32 within 1e-6 of it, float64 within 1e-14,
/// float16/bfloat16 within an ulp plus 1e-3 (torch sums in another order; ours accumulates half precision in
/// float32). Integer products are exact (and wrap).
/// </summary>
public sealed class DotGeneralTests(ITestOutputHelper log)
{
    public static TheoryData<DType> DTypes => Samples.Rows(DType.Float16, DType.BFloat16, DType.Float32, DType.Float64, DType.Int32, DType.Int64);

    /// <summary>
    /// Operand shapes, dimension numbers, and the einsum spec that computes the same thing (its output in
    /// dot_general's order: batch dims, lhs free dims, rhs free dims).
    /// </summary>
    public static readonly (string Name, long[] Lhs, long[] Rhs, int[] LhsContract, int[] RhsContract, int[] LhsBatch, int[] RhsBatch, string Einsum)[] Cases =
    [
        ("matmul", [7, 13], [13, 5], [1], [0], [], [], "mk,kn->mn"),
        ("matmul^T", [13, 7], [5, 13], [0], [1], [], [], "km,nk->mn"),
        ("vector dot", [19], [19], [0], [0], [], [], "k,k->"),
        ("matrix-vector", [6, 11], [11], [1], [0], [], [], "mk,k->m"),
        ("outer", [4], [6], [], [], [], [], "m,n->mn"),
        ("batched", [3, 6, 8], [3, 8, 5], [2], [1], [0], [0], "bmk,bkn->bmn"),
        ("two contracting", [4, 3, 5], [5, 6, 3], [1, 2], [2, 0], [], [], "mij,jni->mn"),
        ("batch in the middle", [6, 3, 4, 5], [5, 3, 7, 4], [2, 3], [3, 0], [1], [1], "mbkj,jbnk->bmn"),
        ("two batch dims", [2, 3, 4, 5], [3, 2, 5, 6], [3], [2], [0, 1], [1, 0], "abmk,bakn->abmn"),
        ("zero contracting", [4, 0], [0, 3], [1], [0], [], [], "mk,kn->mn"),
        ("zero free", [0, 5], [5, 3], [1], [0], [], [], "mk,kn->mn"),
        ("zero batch", [0, 2, 5], [0, 5, 3], [2], [1], [0], [0], "bmk,bkn->bmn"),
    ];

    static Tolerance Bound(DType dtype) =>
        dtype.IsFloat() ? Tolerance.Summation(dtype) : Tolerance.Exact;

    static Tensor Operand(Random rng, DType dtype, long[] shape) => dtype.IsFloat()
        ? Samples.Floats(rng, dtype, shape, Domain.Uniform(-2, 2))
        : Samples.Integers(rng, dtype, shape, -1000, 1000);

    [Theory, MemberData(nameof(DTypes))]
    public void Dot_general_equals_torch_einsum(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("dot_general" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var c in Cases)
        {
            var a = Operand(rng, dtype, c.Lhs);
            var b = Operand(rng, dtype, c.Rhs);
            var (ta, tb) = (OracleTensors.ToTorch(a), OracleTensors.ToTorch(b));
            var ours = Lax.DotGeneral(a, b, (c.LhsContract, c.RhsContract), (c.LhsBatch, c.RhsBatch));
            total = total.Merge(Agreement.AssertClose($"dot_general {c.Name} {dtype.Name()}", ours, torch.einsum(c.Einsum, ta, tb),
                Bound(dtype), scale: AbsoluteProduct(c.Einsum, ta, tb)));
        }
        log.WriteLine($"dot_general {dtype.Name()}: {total}");
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Dot_general_of_matrices_equals_torch_matmul(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("matmul" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        // Below and above the blocked kernel's thresholds: several k blocks (KC = 256), several row blocks
        // (MC = 120) run in parallel, edge tiles.
        foreach (var (m, k, n) in new[] { (1, 1, 1), (16, 16, 16), (33, 65, 17), (64, 3, 70), (8, 520, 9), (130, 300, 70) })
        {
            var a = Operand(rng, dtype, [m, k]);
            var b = Operand(rng, dtype, [k, n]);
            var (ta, tb) = (OracleTensors.ToTorch(a), OracleTensors.ToTorch(b));
            total = total.Merge(Agreement.AssertClose($"matmul {m}x{k}x{n} {dtype.Name()}", Lax.DotGeneral(a, b, ([1], [0]), ([], [])),
                torch.matmul(ta, tb), Bound(dtype), scale: AbsoluteProduct("mk,kn->mn", ta, tb)));
        }
        log.WriteLine($"matmul {dtype.Name()}: {total}");
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Dot_general_with_two_contracting_dims_equals_torch_tensordot(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("tensordot" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var a = Operand(rng, dtype, [5, 4, 6]);
        var b = Operand(rng, dtype, [6, 4, 3]);
        var (ta, tb) = (OracleTensors.ToTorch(a), OracleTensors.ToTorch(b));
        var d = Agreement.AssertClose($"tensordot {dtype.Name()}", Lax.DotGeneral(a, b, ([1, 2], [1, 0]), ([], [])),
            ta.tensordot(tb, [1, 2], [1, 0]), Bound(dtype), scale: AbsoluteProduct("mij,jin->mn", ta, tb));
        log.WriteLine($"tensordot {dtype.Name()}: {d}");
    }

    // The bound's scale: the same contraction of |a| and |b| in float64 (null for integers, which are exact).
    static double[]? AbsoluteProduct(string einsum, TorchTensor a, TorchTensor b) =>
        !OracleTensors.DTypeOf(a.dtype).IsFloat() ? null
            : OracleTensors.Doubles(torch.einsum(einsum, a.abs().to_type(torch.ScalarType.Float64), b.abs().to_type(torch.ScalarType.Float64)));
}
