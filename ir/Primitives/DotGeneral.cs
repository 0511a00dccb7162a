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
    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Contraction;


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

    /// <summary>JVP (bilinear): <c>dot_general(ṫ_lhs, rhs) + dot_general(lhs, ṫ_rhs)</c>, dropping the terms of zero tangents.</summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var e = context.Emitter;
        var outs = EmitPrimal(e, primals, attributes, regions);
        var fromLhs = tangents[0] is { } tl ? e.Emit1(this, [tl, primals[1]], attributes) : null;
        var fromRhs = tangents[1] is { } tr ? e.Emit1(this, [primals[0], tr], attributes) : null;
        return (outs, [fromLhs is null ? fromRhs : fromRhs is null ? fromLhs : e.Add(fromLhs, fromRhs)]);
    }

    /// <summary>
    /// Transpose with respect to the linear operand (JAX's <c>_dot_general_transpose_lhs/rhs</c>): the cotangent
    /// contracted with the other operand over that operand's free dims, batched over the batch dims, then
    /// transposed to the linear operand's dim order. Only one operand may be linear.
    /// </summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var (lhs, rhs) = (operands[0], operands[1]);
        if (lhs.IsLinear && rhs.IsLinear)
            throw Error($"transpose: both operands {lhs.Type} and {rhs.Type} are linear; dot_general is linear in one operand at a time");
        if (cotangents[0] is not { } ct) return [null, null];
        var (_, _, dims) = Check([lhs.Type, rhs.Type], attributes);
        var e = context.Emitter;
        return lhs.IsLinear
            ? [TransposeOperand(e, ct, rhs.Value, dims.LhsBatch, dims.LhsFree, dims.LhsContracting, dims.RhsBatch, dims.RhsFree, dims.RhsContracting, linearIsLhs: true), null]
            : [null, TransposeOperand(e, ct, lhs.Value, dims.RhsBatch, dims.RhsFree, dims.RhsContracting, dims.LhsBatch, dims.LhsFree, dims.LhsContracting, linearIsLhs: false)];
    }

    /// <summary>
    /// The cotangent of the linear operand x, given the result's cotangent <paramref name="g"/> (dims: batch, lhs
    /// free, rhs free) and the other operand y: contract g's y-free dims with y's free dims, batch g's batch dims
    /// with y's; the product's dims are x's batch, free, then contracting dims in the order of y's contracting
    /// dims, and a transpose puts them in x's order.
    /// </summary>
    private static Value TransposeOperand(Emitter e, Value g, Value y, int[] xBatch, int[] xFree, int[] xContracting,
        int[] yBatch, int[] yFree, int[] yContracting, bool linearIsLhs)
    {
        int yFreeStart = xBatch.Length + (linearIsLhs ? xFree.Length : 0);
        var gContracting = Enumerable.Range(yFreeStart, yFree.Length).Select(d => (long)d).ToArray();
        var gBatch = Enumerable.Range(0, xBatch.Length).Select(d => (long)d).ToArray();
        var product = e.DotGeneral(g, y, gContracting, [.. yFree.Select(d => (long)d)], gBatch, [.. yBatch.Select(d => (long)d)]);
        // y's remaining (contracting) dims come out in ascending order of y's axes.
        var contractingByY = Enumerable.Range(0, xContracting.Length).OrderBy(i => yContracting[i]).Select(i => xContracting[i]);
        var productAxes = xBatch.Concat(xFree).Concat(contractingByY).ToArray();
        var permutation = new int[productAxes.Length];
        for (int j = 0; j < productAxes.Length; j++) permutation[productAxes[j]] = j;
        return e.Transpose(product, permutation);
    }

    /// <summary>
    /// Batching (JAX's <c>_dot_general_batch_rule</c>): when both operands are batched, their batch dims become a
    /// new leading batch dimension of the contraction (result batch dim 0); when one is, its batch dim is a free
    /// dim of that operand and the result's batch dim is where that free dim lands. Nothing is moved.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var lc = attributes.Required<long[]>(this, "lhs_contracting_dims");
        var rc = attributes.Required<long[]>(this, "rhs_contracting_dims");
        var lb = attributes.Required<long[]>(this, "lhs_batch_dims");
        var rb = attributes.Required<long[]>(this, "rhs_batch_dims");
        int resultDim;
        if (dims[0] is int l && dims[1] is int r)
        {
            (lc, rc) = (AxisBatching.Shift(lc, l), AxisBatching.Shift(rc, r));
            (lb, rb) = ([l, .. AxisBatching.Shift(lb, l)], [r, .. AxisBatching.Shift(rb, r)]);
            resultDim = 0;
        }
        else if (dims[0] is int lhsDim)
        {
            (lc, lb) = (AxisBatching.Shift(lc, lhsDim), AxisBatching.Shift(lb, lhsDim));
            resultDim = lb.Length + FreeDimsBefore(operands[0].Type.Rank, lc, lb, lhsDim);
        }
        else
        {
            int rhsDim = dims[1]!.Value;
            (rc, rb) = (AxisBatching.Shift(rc, rhsDim), AxisBatching.Shift(rb, rhsDim));
            int lhsFree = operands[0].Type.Rank - lc.Length - lb.Length;
            resultDim = rb.Length + lhsFree + FreeDimsBefore(operands[1].Type.Rank, rc, rb, rhsDim);
        }
        var batched = attributes.With("lhs_contracting_dims", lc).With("rhs_contracting_dims", rc)
            .With("lhs_batch_dims", lb).With("rhs_batch_dims", rb);
        return (EmitPrimal(context.Emitter, operands, batched, regions), [resultDim]);
    }

    /// <summary>The number of free (neither contracting nor batch) dims of an operand of rank <paramref name="rank"/> before <paramref name="dim"/>.</summary>
    private static int FreeDimsBefore(int rank, long[] contracting, long[] batch, int dim) =>
        Enumerable.Range(0, dim).Count(d => !contracting.Contains(d) && !batch.Contains(d));

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var (lhsType, rhsType, dims) = Check(operands.Select(o => o.Type).ToArray(), attributes);
        var type = ResultType(lhsType, rhsType, dims);
        var (lhs, rhs) = (operands[0], operands[1]);
        int Size(Buffer b, int[] axes) => axes.Aggregate(1, (n, d) => checked(n * b.Dims[d]));
        var rhsStaged = KernelStaging.Stage(rhs);
        try
        {
            var kernel = new Kernel(
                lhs.Dims, [.. dims.LhsBatch, .. dims.LhsFree, .. dims.LhsContracting],
                rhs.Dims, [.. dims.RhsBatch, .. dims.RhsContracting, .. dims.RhsFree],
                rhsStaged,
                Size(lhs, dims.LhsBatch), Size(lhs, dims.LhsFree), Size(lhs, dims.LhsContracting), Size(rhs, dims.RhsFree),
                lhs.DType == DType.Bool, type.Shape);
            var result = KernelStaging.Run<Kernel, Buffer>(lhs, kernel);
            return [KernelStaging.Unstage(result, type.DType, type.Shape)];
        }
        finally
        {
            KernelStaging.Release(rhsStaged, rhs);
        }
    }

    private readonly record struct Kernel(
        int[] LhsDims, int[] LhsPermutation, int[] RhsDims, int[] RhsPermutation, Buffer Rhs,
        int Batch, int M, int K, int N, bool Logical, Shape ResultShape) : INumericKernel<Buffer>
    {
        public unsafe Buffer Run<T>(Buffer lhs) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>
        {
            var a = Permuted<T>(lhs, LhsDims, LhsPermutation);
            var b = Permuted<T>(Rhs, RhsDims, RhsPermutation);
            try
            {
                var c = Buffer.Zeros(lhs.DType, ResultShape);
                T* pa = (T*)a.Pointer, pb = (T*)b.Pointer, pc = (T*)c.Pointer;
                for (int i = 0; i < Batch; i++)
                    MatMulKernels.Multiply(pa + (long)i * M * K, pb + (long)i * K * N, pc + (long)i * M * N, M, K, N, Logical);
                return c;
            }
            finally
            {
                if (!ReferenceEquals(a, lhs)) a.Dispose();
                if (!ReferenceEquals(b, Rhs)) b.Dispose();
            }
        }
    }

    /// <summary>The row-major buffer whose axis i is axis <c>permutation[i]</c> of <paramref name="x"/>; x itself when nothing moves.</summary>
    private static Buffer Permuted<T>(Buffer x, int[] dims, int[] permutation) where T : unmanaged
    {
        bool identity = true;
        for (int i = 0; i < permutation.Length; i++) identity &= permutation[i] == i || dims[permutation[i]] == 1;
        if (identity || x.LongLength == 0) return x;
        var strides = Strides.RowMajor(dims);
        var outDims = permutation.Select(p => dims[p]).ToArray();
        var inStrides = permutation.Select(p => strides[p]).ToArray();
        var permuted = Buffer.Uninitialized(x.DType, x.Shape);
        var source = x.Span<T>();
        var result = permuted.Span<T>();
        int rank = outDims.Length, last = outDims[rank - 1], lastStride = inStrides[rank - 1];
        var index = new int[rank];
        for (int o = 0; o < result.Length; o += last)
        {
            int start = Strides.Ravel(index, inStrides);
            for (int j = 0; j < last; j++) result[o + j] = source[start + j * lastStride];
            index[rank - 1] = last - 1;
            Strides.Increment(index, outDims);
        }
        return permuted;
    }
}
