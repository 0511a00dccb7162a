using System.Numerics;

namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary>
    /// <c>dot_general lhs, rhs {lhs_contracting_dims, rhs_contracting_dims, lhs_batch_dims, rhs_batch_dims}</c>:
    /// the generalized tensor contraction; result dims are batch dims, lhs free dims, rhs free dims.
    /// </summary>
    public static readonly DotGeneralPrimitive DotGeneral = new();
}

/// <summary>
/// <c>dot_general</c> (XLA's DotGeneral without precision or preferred element type): two operands of one dtype;
/// <c>lhs_batch_dims[i]</c> pairs with <c>rhs_batch_dims[i]</c> and <c>lhs_contracting_dims[i]</c> with
/// <c>rhs_contracting_dims[i]</c> (equal sizes, each axis used once). The result has the batch dims (lhs order),
/// then the lhs free dims, then the rhs free dims, in their operand order; it is weak when both operands are weak.
/// <para>
/// Kernel: operands are laid out as [batch, free, contracted] (lhs) and [batch, contracted, free] (rhs), copying
/// only when the dims are not already in that order, and each batch is a matrix product
/// (<see cref="MatMulKernels"/>): float32 accumulates in float32 and float64 in float64 (fused multiply-adds in
/// contracted-index order within blocks of 256), f16/bf16 accumulate in float32 and round once, integers wrap,
/// bool is the or of ands.
/// </para>
/// </summary>
public sealed class DotGeneralPrimitive : Primitive
{
    internal DotGeneralPrimitive() : base("dot_general") { }

    private readonly record struct Dims(int[] LhsContracting, int[] RhsContracting, int[] LhsBatch, int[] RhsBatch, int[] LhsFree, int[] RhsFree);

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var (lhs, rhs, dims) = Check(operands, attributes);
        return [ResultType(lhs, rhs, dims)];
    }

    private static ShapedType ResultType(ShapedType lhs, ShapedType rhs, Dims dims)
    {
        var shape = new List<Dim>();
        shape.AddRange(dims.LhsBatch.Select(d => lhs.Shape[d]));
        shape.AddRange(dims.LhsFree.Select(d => lhs.Shape[d]));
        shape.AddRange(dims.RhsFree.Select(d => rhs.Shape[d]));
        return new ShapedType(lhs.DType, new Shape(shape), lhs.Weak && rhs.Weak);
    }

    private (ShapedType Lhs, ShapedType Rhs, Dims Dims) Check(IReadOnlyList<ShapedType> operands, Attributes attributes)
    {
        if (operands.Count != 2) throw Error($"takes 2 operands, got {operands.Count}");
        var (lhs, rhs) = (operands[0], operands[1]);
        if (lhs.DType != rhs.DType)
            throw Error($"requires operands of the same dtype, got {lhs} and {rhs}");
        var lc = AxisList(attributes, "lhs_contracting_dims", lhs);
        var rc = AxisList(attributes, "rhs_contracting_dims", rhs);
        var lb = AxisList(attributes, "lhs_batch_dims", lhs);
        var rb = AxisList(attributes, "rhs_batch_dims", rhs);
        if (lb.Length != rb.Length)
            throw Error($"requires equal numbers of lhs_batch_dims and rhs_batch_dims, got {Format(lb)} and {Format(rb)}");
        if (lc.Length != rc.Length)
            throw Error($"requires equal numbers of lhs_contracting_dims and rhs_contracting_dims, got {Format(lc)} and {Format(rc)}");
        CheckDistinct("lhs", lhs, lb, lc);
        CheckDistinct("rhs", rhs, rb, rc);
        for (int i = 0; i < lb.Length; i++)
            if (lhs.Shape[lb[i]] != rhs.Shape[rb[i]])
                throw Error($"batch dimensions must have equal sizes, got {lhs} with lhs_batch_dims {Format(lb)} and {rhs} with rhs_batch_dims {Format(rb)}");
        for (int i = 0; i < lc.Length; i++)
            if (lhs.Shape[lc[i]] != rhs.Shape[rc[i]])
                throw Error($"contracting dimensions must have equal sizes, got {lhs} with lhs_contracting_dims {Format(lc)} and {rhs} with rhs_contracting_dims {Format(rc)}");
        var lf = Enumerable.Range(0, lhs.Rank).Where(d => !lb.Contains(d) && !lc.Contains(d)).ToArray();
        var rf = Enumerable.Range(0, rhs.Rank).Where(d => !rb.Contains(d) && !rc.Contains(d)).ToArray();
        return (lhs, rhs, new Dims(lc, rc, lb, rb, lf, rf));
    }

    private int[] AxisList(Attributes attributes, string name, ShapedType operand)
    {
        var axes = attributes.Required<long[]>(this, name);
        foreach (var a in axes)
            if (a < 0 || a >= operand.Rank)
                throw Error($"{name} {Format(axes)} out of range for {operand}");
        return axes.Select(a => (int)a).ToArray();
    }

    private void CheckDistinct(string side, ShapedType operand, int[] batch, int[] contracting)
    {
        var all = batch.Concat(contracting).ToArray();
        if (all.Distinct().Count() != all.Length)
            throw Error($"{side}_batch_dims {Format(batch)} and {side}_contracting_dims {Format(contracting)} repeat an axis of {operand}");
    }

    private static string Format(IEnumerable<long> axes) => IrPrinter.FormatAttribute(axes.ToArray());

    private static string Format(IEnumerable<int> axes) => Format(axes.Select(a => (long)a));

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var (lhsType, rhsType, dims) = Check(operands.Select(o => o.Type).ToArray(), attributes);
        var type = ResultType(lhsType, rhsType, dims);
        var (lhs, rhs) = (operands[0], operands[1]);
        int Size(Buffer b, int[] axes) => axes.Aggregate(1, (n, d) => checked(n * b.Dims[d]));
        var kernel = new Kernel(
            lhs.Dims, [.. dims.LhsBatch, .. dims.LhsFree, .. dims.LhsContracting],
            rhs.Dims, [.. dims.RhsBatch, .. dims.RhsContracting, .. dims.RhsFree],
            KernelStaging.Stage(rhs),
            Size(lhs, dims.LhsBatch), Size(lhs, dims.LhsFree), Size(lhs, dims.LhsContracting), Size(rhs, dims.RhsFree),
            lhs.DType == DType.Bool);
        var result = KernelStaging.Dispatch<Kernel, Array>(KernelStaging.Stage(lhs), kernel);
        return [KernelStaging.Unstage(result, type.DType, type.Shape)];
    }

    private readonly record struct Kernel(
        int[] LhsDims, int[] LhsPermutation, int[] RhsDims, int[] RhsPermutation, Array Rhs,
        int Batch, int M, int K, int N, bool Logical) : INumericKernel<Array>
    {
        public Array Run<T>(T[] lhs) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>
        {
            var a = Permuted(lhs, LhsDims, LhsPermutation);
            var b = Permuted((T[])Rhs, RhsDims, RhsPermutation);
            var c = new T[checked(Batch * M * N)];
            for (int i = 0; i < Batch; i++)
                MatMulKernels.Multiply(a, i * M * K, b, i * K * N, c, i * M * N, M, K, N, Logical);
            return c;
        }
    }

    /// <summary>The row-major array whose axis i is axis <c>permutation[i]</c> of <paramref name="x"/>; x itself when nothing moves.</summary>
    private static T[] Permuted<T>(T[] x, int[] dims, int[] permutation) where T : unmanaged
    {
        bool identity = true;
        for (int i = 0; i < permutation.Length; i++) identity &= permutation[i] == i || dims[permutation[i]] == 1;
        if (identity || x.Length == 0) return x;
        var strides = Strides.RowMajor(dims);
        var outDims = permutation.Select(p => dims[p]).ToArray();
        var inStrides = permutation.Select(p => strides[p]).ToArray();
        var result = new T[x.Length];
        int rank = outDims.Length, last = outDims[rank - 1], lastStride = inStrides[rank - 1];
        var index = new int[rank];
        for (int o = 0; o < result.Length; o += last)
        {
            int source = Strides.Ravel(index, inStrides);
            for (int j = 0; j < last; j++) result[o + j] = x[source + j * lastStride];
            index[rank - 1] = last - 1;
            Strides.Increment(index, outDims);
        }
        return result;
    }
}
