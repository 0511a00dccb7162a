using System.Numerics;
using System.Numerics.Tensors;

namespace JaxToolchain.Ir;

/// <summary>
/// An associative combining operation of a reduction or cumulative scan, in three forms: on two elements, folded
/// over a contiguous span (vectorized), and elementwise on two spans (vectorized).
/// </summary>
internal interface IReduceOp<T> where T : unmanaged
{
    /// <summary><paramref name="a"/> combined with <paramref name="b"/>.</summary>
    static abstract T Combine(T a, T b);

    /// <summary><paramref name="acc"/> combined with every element of a non-empty span.</summary>
    static abstract T Fold(T acc, ReadOnlySpan<T> xs);

    /// <summary><c>destination[i] = a[i] (+) b[i]</c>.</summary>
    static abstract void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination);
}

/// <summary>Addition (integers wrap; floats add in their own precision).</summary>
internal readonly struct SumOp<T> : IReduceOp<T> where T : unmanaged, IBinaryNumber<T>
{
    public static T Combine(T a, T b) => a + b;
    public static T Fold(T acc, ReadOnlySpan<T> xs) => acc + TensorPrimitives.Sum(xs);
    public static void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Add(a, b, destination);
}

/// <summary>Multiplication (integers wrap).</summary>
internal readonly struct ProdOp<T> : IReduceOp<T> where T : unmanaged, IBinaryNumber<T>
{
    public static T Combine(T a, T b) => a * b;
    public static T Fold(T acc, ReadOnlySpan<T> xs) => acc * TensorPrimitives.Product(xs);
    public static void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Multiply(a, b, destination);
}

/// <summary>Maximum; for floats NaN propagates and +0 is above -0 (IEEE 754-2019 <c>maximum</c>).</summary>
internal readonly struct MaxOp<T> : IReduceOp<T> where T : unmanaged, IBinaryNumber<T>
{
    public static T Combine(T a, T b) => T.Max(a, b);
    public static T Fold(T acc, ReadOnlySpan<T> xs) => T.Max(acc, TensorPrimitives.Max(xs));
    public static void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Max(a, b, destination);
}

/// <summary>Minimum; for floats NaN propagates and -0 is below +0 (IEEE 754-2019 <c>minimum</c>).</summary>
internal readonly struct MinOp<T> : IReduceOp<T> where T : unmanaged, IBinaryNumber<T>
{
    public static T Combine(T a, T b) => T.Min(a, b);
    public static T Fold(T acc, ReadOnlySpan<T> xs) => T.Min(acc, TensorPrimitives.Min(xs));
    public static void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.Min(a, b, destination);
}

/// <summary>Bitwise and (logical and on bools staged as 0/1 bytes).</summary>
internal readonly struct AndOp<T> : IReduceOp<T> where T : unmanaged, IBinaryNumber<T>
{
    public static T Combine(T a, T b) => a & b;

    public static T Fold(T acc, ReadOnlySpan<T> xs)
    {
        foreach (var x in xs) acc &= x;
        return acc;
    }

    public static void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.BitwiseAnd(a, b, destination);
}

/// <summary>Bitwise or (logical or on bools staged as 0/1 bytes).</summary>
internal readonly struct OrOp<T> : IReduceOp<T> where T : unmanaged, IBinaryNumber<T>
{
    public static T Combine(T a, T b) => a | b;

    public static T Fold(T acc, ReadOnlySpan<T> xs)
    {
        foreach (var x in xs) acc |= x;
        return acc;
    }

    public static void CombineSpans(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => TensorPrimitives.BitwiseOr(a, b, destination);
}

/// <summary>
/// The loops of the reduction family. Shapes are handled as (outer, axis, inner) blocks or as groups of merged
/// adjacent dimensions, so the innermost loop always runs over a contiguous span.
/// </summary>
internal static class ReductionKernels
{
    /// <summary>
    /// Reduces <paramref name="input"/> (row-major, <paramref name="dims"/>) over the axes marked in
    /// <paramref name="reduced"/>. Adjacent dimensions that are both reduced or both kept are merged. When the
    /// innermost merged group is reduced, each contiguous run is folded with the op's span fold
    /// (<see cref="TensorPrimitives"/>: vectorized, several partial accumulators) and added to its output in order;
    /// when it is kept, whole rows are combined into the output row in order of the reduced index.
    /// </summary>
    public static Buffer Reduce<T, TOp>(Buffer input, ReadOnlySpan<int> dims, ReadOnlySpan<bool> reduced, int outputCount, T identity)
        where T : unmanaged where TOp : IReduceOp<T>
    {
        var result = KernelStaging.NewStaged<T>(Shape.Of(outputCount));
        var output = result.Span<T>();
        output.Fill(identity);
        var x = input.Span<T>();
        if (x.Length == 0) return result;

        var sizes = new List<int>();
        var isReduced = new List<bool>();
        for (int d = 0; d < dims.Length; d++)
        {
            if (dims[d] == 1) continue;
            if (sizes.Count > 0 && isReduced[^1] == reduced[d]) sizes[^1] *= dims[d];
            else
            {
                sizes.Add(dims[d]);
                isReduced.Add(reduced[d]);
            }
        }
        if (sizes.Count == 0)
        {
            output[0] = TOp.Combine(identity, x[0]);
            return result;
        }

        int inner = sizes[^1];
        bool innerReduced = isReduced[^1];
        int groups = sizes.Count - 1;
        var outStride = new int[groups];
        int stride = innerReduced ? 1 : inner;
        for (int g = groups - 1; g >= 0; g--)
        {
            if (isReduced[g]) continue;
            outStride[g] = stride;
            stride *= sizes[g];
        }

        var index = new int[groups];
        int o = 0;
        for (int offset = 0; offset < x.Length; offset += inner)
        {
            var row = x.Slice(offset, inner);
            if (innerReduced) output[o] = TOp.Fold(output[o], row);
            else TOp.CombineSpans(output.Slice(o, inner), row, output.Slice(o, inner));
            for (int g = groups - 1; g >= 0; g--)
            {
                o += outStride[g];
                if (++index[g] < sizes[g]) break;
                o -= outStride[g] * sizes[g];
                index[g] = 0;
            }
        }
        return result;
    }

    /// <summary>
    /// The running combination along the middle axis of an (outer, n, inner) array, from the front or, with
    /// <paramref name="reverse"/>, from the back. Each output is the previous output combined with the input.
    /// </summary>
    public static Buffer Cumulate<T, TOp>(Buffer input, int outer, int n, int inner, bool reverse)
        where T : unmanaged where TOp : IReduceOp<T>
    {
        var result = KernelStaging.NewStaged<T>(input.Shape);
        var output = result.Span<T>();
        var x = input.Span<T>();
        int first = reverse ? n - 1 : 0, step = reverse ? -1 : 1;
        for (int o = 0; o < outer && n > 0; o++)
        {
            int block = o * n * inner;
            x.Slice(block + first * inner, inner).CopyTo(output.Slice(block + first * inner, inner));
            for (int t = 1, k = first + step; t < n; t++, k += step)
            {
                int at = block + k * inner, previous = at - step * inner;
                if (inner == 1) output[at] = TOp.Combine(output[previous], x[at]);
                else TOp.CombineSpans(output.Slice(previous, inner), x.Slice(at, inner), output.Slice(at, inner));
            }
        }
        return result;
    }

    /// <summary>
    /// The index along the middle axis of an (outer, n, inner) array of the first maximum (or minimum); a NaN
    /// beats every number, so the first NaN's index is returned when there is one. <paramref name="n"/> is positive.
    /// </summary>
    public static void ArgExtremum<T>(ReadOnlySpan<T> x, int outer, int n, int inner, bool max, Buffer result)
        where T : unmanaged, IBinaryNumber<T>
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int block = o * n * inner + i;
                T best = x[block];
                int bestIndex = 0;
                for (int k = 1; k < n && !T.IsNaN(best); k++)
                {
                    T v = x[block + k * inner];
                    if (T.IsNaN(v) || (max ? v > best : v < best))
                    {
                        best = v;
                        bestIndex = k;
                    }
                }
                result.SetInt64(o * inner + i, bestIndex);
            }
        }
    }

    /// <summary>
    /// The order <c>sort</c> uses on keys (JAX's <c>_sort_lt_comparator</c> over keys canonicalized by
    /// <c>_canonicalize_float_for_sort</c>): -0.0 and +0.0 compare equal, every NaN (of either sign) is equal to
    /// every other NaN and above +inf; integers compare as numbers.
    /// </summary>
    public static int TotalOrderCompare<T>(T a, T b) where T : unmanaged, IBinaryNumber<T>
    {
        bool aNaN = T.IsNaN(a), bNaN = T.IsNaN(b);
        if (aNaN || bNaN) return aNaN == bNaN ? 0 : aNaN ? 1 : -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }
}
