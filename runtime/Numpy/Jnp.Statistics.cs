using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>How <see cref="Jnp.Quantile(Tensor, Tensor, int[], QuantileMethod, bool)"/> picks a value between two order statistics (NumPy's <c>method=</c>).</summary>
public enum QuantileMethod
{
    /// <summary>Linear interpolation between the neighbouring order statistics (the default).</summary>
    Linear,
    /// <summary>The lower of the two neighbours.</summary>
    Lower,
    /// <summary>The higher of the two neighbours.</summary>
    Higher,
    /// <summary>The mean of the two neighbours.</summary>
    Midpoint,
    /// <summary>The nearer neighbour (the lower one at exactly one half, as JAX).</summary>
    Nearest,
}

public static partial class Jnp
{
    /// <summary>An error naming <paramref name="op"/>, with the user's source location.</summary>
    private static JaxTypeException OpError(string op, string message) =>
        new(op, message + Dispatch.At(SourceLocation.FindCaller()));

    /// <summary>The arrays cast (not broadcast) to their common inexact dtype (JAX's <c>promote_dtypes_inexact</c>).</summary>
    private static Tensor[] PromoteDTypesInexact(params Tensor[] xs)
    {
        var (dtype, weak) = Promoted(xs);
        if (!dtype.IsFloat()) dtype = Jax.Config.DefaultFloat;
        return xs.Select(x => Cast(x, dtype, weak)).ToArray();
    }

    /// <summary>The arrays cast (not broadcast) to their common dtype (JAX's <c>promote_dtypes</c>).</summary>
    private static Tensor[] PromoteDTypes(params Tensor[] xs)
    {
        var (dtype, weak) = Promoted(xs);
        return xs.Select(x => Cast(x, dtype, weak)).ToArray();
    }

    /// <summary>The static size of every dimension, or an error naming <paramref name="op"/> when one is symbolic.</summary>
    private static int[] StaticSizes(string op, Tensor x)
    {
        if (!x.Shape.All(d => d.IsStatic))
            throw OpError(op, $"{op} needs static dimensions, got {x.Aval.ToLongString()}");
        return x.Shape.IntSizes;
    }

    /// <summary>
    /// <c>x[..., idx]</c> taken along the last axis with per-row indices: <paramref name="x"/> is <c>[B..., n]</c>,
    /// <paramref name="indices"/> <c>[B..., k]</c> (in range); the result is <c>[B..., k]</c>. One gather, so it
    /// differentiates and batches like any other.
    /// </summary>
    private static Tensor TakeAlongLastAxis(Tensor x, Tensor indices)
    {
        var batch = x.Shape.IntSizes[..^1];
        int n = (int)x.Shape[^1].Size, k = (int)indices.Shape[^1].Size;
        int rows = batch.Aggregate(1, (p, d) => p * d);
        var xb = Lax.Reshape(x, Shape.Of([rows, n]));
        var ib = Cast(Lax.Reshape(indices, Shape.Of([rows, k])), DType.Int32);
        var row = Lax.Iota(DType.Int32, Shape.Of([rows, k]), 0);
        var gathered = Lax.Gather(xb, Stack([row, ib], -1), offsetDims: [], collapsedSliceDims: [0, 1], startIndexMap: [0, 1],
            indexVectorDim: 2, sliceSizes: [1, 1], mode: GatherMode.Clip);
        return Lax.Reshape(gathered, Shape.Of([.. batch, k]));
    }

    /// <summary>
    /// A zero array of <paramref name="length"/> elements with <paramref name="updates"/> added at <paramref name="indices"/>
    /// (<c>zeros(length).at[indices].add(updates, mode='drop')</c>): out-of-range indices are dropped.
    /// </summary>
    private static Tensor ScatterAddInto(int length, Tensor indices, Tensor updates)
    {
        var flatIndices = Reshape(Cast(indices, DType.Int32), -1, 1);
        var flatUpdates = Ravel(updates);
        var zeros = Zeros([length], updates.DType);
        return ScatterIndexed(Prims.ScatterAdd, zeros, flatIndices, flatUpdates, [], [0], [0], 1);
    }

    /// <summary>The reduced axes moved last and flattened: <c>[kept..., n]</c>, with the kept axes and their sizes.</summary>
    private static (Tensor Flat, int[] Kept, int[] KeptSizes, int N) ReducedAxesLast(string op, Tensor a, int[] axes)
    {
        var sizes = StaticSizes(op, a);
        var kept = Enumerable.Range(0, a.Ndim).Where(d => !axes.Contains(d)).ToArray();
        var keptSizes = kept.Select(d => sizes[d]).ToArray();
        int n = axes.Aggregate(1, (p, d) => p * sizes[d]);
        var moved = Transpose(a, [.. kept, .. axes]);
        return (Lax.Reshape(moved, Shape.Of([.. keptSizes, n])), kept, keptSizes, n);
    }

    /// <summary>The shape of a reduction's result: the kept sizes, or <paramref name="a"/>'s shape with 1 on the reduced axes.</summary>
    private static int[] ReducedShape(Tensor a, int[] axes, bool keepdims) =>
        keepdims ? a.Shape.IntSizes.Select((s, d) => axes.Contains(d) ? 1 : s).ToArray()
            : a.Shape.IntSizes.Where((_, d) => !axes.Contains(d)).ToArray();

    /// <summary>
    /// Quantiles along axes, as <c>jnp.quantile</c>'s implementation: the reduced axes are sorted (NaNs last) and the
    /// order statistics around <c>q * (n - 1)</c> are gathered and combined by <paramref name="method"/>. Without
    /// <paramref name="squashNans"/> a NaN in a slice makes its result NaN; with it NaNs are ignored (n counts the
    /// others; an all-NaN slice gives NaN).
    /// </summary>
    private static Tensor QuantileCore(string op, Tensor a, Tensor q, int[]? axis, QuantileMethod method, bool keepdims, bool squashNans, double qScale)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        if (q.Ndim > 1) throw OpError(op, $"q must be zero- or one-dimensional, got {q.Aval.ToLongString()}");
        if (!Enum.IsDefined(method)) throw OpError(op, $"unknown method {method}");
        if (!q.IsTracer && q.ToArray<double>().Any(v => !(v >= 0 && v <= qScale)))
            throw OpError(op, $"q must be in the range [0, {qScale}], got {q}");
        var promoted = PromoteDTypesInexact(a, q);
        a = promoted[0];
        q = qScale == 1 ? promoted[1] : Divide(promoted[1], qScale);
        var axes = Axes.NormalizeMany(axis, a.Ndim, op, a.Aval);
        var (flat, _, keptSizes, n) = ReducedAxesLast(op, a, axes);
        if (n == 0) throw OpError(op, $"cannot take a quantile over zero elements: {a.Aval.ToLongString()}");
        var sorted = Sort(flat, -1);
        var qs = Reshape(q, -1);
        int nq = (int)qs.Shape[0].Size;
        var rowShape = Shape.Of([.. keptSizes, nq]);
        Tensor last = squashNans
            ? Subtract(Sum(LogicalNot(Isnan(flat)), -1, keepdims: true, dtype: a.DType), 1)
            : Scalars.Weak(n - 1);
        var position = BroadcastToShape(Multiply(qs, last), rowShape);
        var low = Floor(position);
        var high = Ceil(position);
        var highWeight = Subtract(position, low);
        var lowWeight = Subtract(1, highWeight);
        Tensor Index(Tensor p) => Clip(Cast(p, DType.Int32), 0, n - 1);
        var lowValue = TakeAlongLastAxis(sorted, Index(low));
        var highValue = TakeAlongLastAxis(sorted, Index(high));
        var result = method switch
        {
            QuantileMethod.Lower => lowValue,
            QuantileMethod.Higher => highValue,
            QuantileMethod.Midpoint => Multiply(Add(lowValue, highValue), 0.5),
            QuantileMethod.Nearest => Where(LessEqual(highWeight, 0.5), lowValue, highValue),
            _ => Add(Multiply(lowValue, lowWeight), Multiply(highValue, highWeight)),
        };
        if (!squashNans) result = Where(Any(Isnan(flat), [-1], keepdims: true), double.NaN, result);
        // [kept..., nq] -> [nq, kept...] (q's dimension first, dropped for a scalar q), then keepdims.
        result = Moveaxis(result, -1, 0);
        int[] shape = [.. (q.Ndim == 0 ? [] : new[] { nq }), .. ReducedShape(a, axes, keepdims)];
        return Reshape(result, shape.Select(s => (long)s).ToArray());
    }

    /// <summary>The <paramref name="q"/>-th quantiles (q in [0, 1], scalar or 1-D) over axes (all when null), as <c>jnp.quantile</c>; q's dimension comes first.</summary>
    public static Tensor Quantile(Tensor a, Tensor q, int[]? axis = null, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return QuantileCore("quantile", a, q, axis, method, keepdims, squashNans: false, qScale: 1);
    }

    /// <summary>Quantiles over one axis.</summary>
    public static Tensor Quantile(Tensor a, Tensor q, int axis, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return Quantile(a, q, [axis], method, keepdims);
    }

    /// <summary>The <paramref name="q"/>-th percentiles (q in [0, 100]) over axes, as <c>jnp.percentile</c>.</summary>
    public static Tensor Percentile(Tensor a, Tensor q, int[]? axis = null, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return QuantileCore("percentile", a, q, axis, method, keepdims, squashNans: false, qScale: 100);
    }

    /// <summary>Percentiles over one axis.</summary>
    public static Tensor Percentile(Tensor a, Tensor q, int axis, QuantileMethod method = QuantileMethod.Linear, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(q);
        return Percentile(a, q, [axis], method, keepdims);
    }

    /// <summary>The median over axes (all when null): the midpoint quantile at 0.5, as <c>jnp.median</c>; NaN propagates.</summary>
    public static Tensor Median(Tensor a, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return QuantileCore("median", a, 0.5, axis, QuantileMethod.Midpoint, keepdims, squashNans: false, qScale: 1);
    }

    /// <summary>The median over one axis.</summary>
    public static Tensor Median(Tensor a, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Median(a, [axis], keepdims);
    }

    /// <summary>
    /// The weighted average over axes and the sum of the weights (<c>jnp.average(..., returned=True)</c>); the sum is
    /// broadcast to the average's shape. Weights have a's shape, or are 1-D along a single <paramref name="axis"/>.
    /// </summary>
    public static (Tensor Average, Tensor SumOfWeights) AverageReturned(Tensor a, int[]? axis = null, Tensor? weights = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        var axes = Axes.NormalizeMany(axis, a.Ndim, "average", a.Aval);
        Tensor average, sum;
        if (weights is null)
        {
            average = Mean(a, axes, keepdims);
            sum = FullLike(average, CountOf(a, axes, 0, average.DType), average.DType);
        }
        else
        {
            var promoted = PromoteDTypesInexact(a, weights);
            (a, weights) = (promoted[0], promoted[1]);
            if (a.Shape != weights.Shape)
            {
                if (weights.Ndim != 1)
                    throw OpError("average", $"1D weights expected when shapes of a and weights differ: {a.Aval.ToLongString()} and {weights.Aval.ToLongString()}");
                if (axis is null)
                    throw OpError("average", $"axis must be specified when shapes of a and weights differ: {a.Aval.ToLongString()} and {weights.Aval.ToLongString()}");
                if (axes.Length != 1)
                    throw OpError("average", $"single axis expected when shapes of a and weights differ, got [{string.Join(", ", axis)}]");
                if (weights.Shape[0] != a.Shape[axes[0]])
                    throw OpError("average", $"length of weights {weights.Aval.ToLongString()} not compatible with axis {axes[0]} of {a.Aval.ToLongString()}");
                var shape = Enumerable.Repeat(1L, a.Ndim).ToArray();
                shape[axes[0]] = weights.Shape[0].Size;
                weights = Reshape(weights, shape);
            }
            sum = Sum(BroadcastToShape(weights, a.Shape), axes, keepdims);
            average = Divide(Sum(Multiply(a, weights), axes, keepdims), sum);
        }
        return (average, average.Shape == sum.Shape ? sum : BroadcastToShape(sum, average.Shape));
    }

    /// <summary>The weighted average over one axis and the sum of the weights (<c>average(..., returned=True)</c>).</summary>
    public static (Tensor Average, Tensor SumOfWeights) AverageReturned(Tensor a, int axis, Tensor? weights = null, bool keepdims = false) =>
        AverageReturned(a, [axis], weights, keepdims);

    /// <summary>The weighted average over axes (all when null), as <c>jnp.average</c>; without weights the mean.</summary>
    public static Tensor Average(Tensor a, int[]? axis = null, Tensor? weights = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return AverageReturned(a, axis, weights, keepdims).Average;
    }

    /// <summary>The weighted average over one axis (weights of a's shape or 1-D along the axis).</summary>
    public static Tensor Average(Tensor a, int axis, Tensor? weights = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Average(a, [axis], weights, keepdims);
    }

    /// <summary>A 0-d or 1-D array as a 2-D one (NumPy's <c>atleast_2d</c>).</summary>
    private static Tensor AtLeast2d(Tensor x) => x.Ndim switch { 0 => Reshape(x, 1, 1), 1 => Reshape(x, 1, -1), _ => x };

    /// <summary>
    /// The covariance matrix of the variables in <paramref name="m"/> (rows when <paramref name="rowvar"/>) and
    /// <paramref name="y"/>, as <c>jnp.cov</c>: normalised by N - 1 (N with <paramref name="bias"/>, or N - ddof),
    /// with integer frequency weights and/or observation weights; squeezed as NumPy's.
    /// </summary>
    public static Tensor Cov(Tensor m, Tensor? y = null, bool rowvar = true, bool bias = false, int? ddof = null, Tensor? fweights = null, Tensor? aweights = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Ndim > 2) throw OpError("cov", $"m has more than 2 dimensions: {m.Aval.ToLongString()}");
        var x = AtLeast2d(m);
        if (!rowvar && x.Shape[0].Size != 1) x = Transpose(x);
        if (y is not null)
        {
            if (y.Ndim > 2) throw OpError("cov", $"y has more than 2 dimensions: {y.Aval.ToLongString()}");
            var y2 = AtLeast2d(y);
            if (!rowvar && y2.Shape[0].Size != 1) y2 = Transpose(y2);
            if (y2.Shape[1] != x.Shape[1])
                throw OpError("cov", $"m and y have different numbers of observations: {x.Aval.ToLongString()} and {y2.Aval.ToLongString()}");
            x = Concatenate([x, y2], 0);
        }
        x = PromoteDTypesInexact(x)[0];
        int observations = (int)x.Shape[1].Size;
        int dof = ddof ?? (bias ? 0 : 1);
        Tensor? w = null;
        if (fweights is not null)
        {
            if (fweights.Ndim != 1 || fweights.Shape[0].Size != observations)
                throw OpError("cov", $"fweights must be 1-D with one weight per observation ({observations}), got {fweights.Aval.ToLongString()}");
            if (!fweights.DType.IsInteger()) throw OpError("cov", $"fweights must be integer, got {fweights.Aval.ToLongString()}");
            w = Abs(fweights);
        }
        if (aweights is not null)
        {
            if (aweights.Ndim != 1 || aweights.Shape[0].Size != observations)
                throw OpError("cov", $"aweights must be 1-D with one weight per observation ({observations}), got {aweights.Aval.ToLongString()}");
            w = w is null ? Abs(aweights) : Multiply(w, Abs(aweights));
        }
        var (average, sums) = AverageReturned(x, [1], w);
        var wSum = sums[0];
        Tensor f = w is null ? Cast(Scalars.WeakInt(observations - dof), x.DType, weak: true)
            : dof == 0 ? wSum
            : aweights is null ? Subtract(wSum, dof)
            : Subtract(wSum, Divide(Multiply(dof, Sum(Multiply(w, Abs(aweights)))), wSum));
        var centered = Subtract(x, Reshape(average, -1, 1));
        var right = w is null ? Transpose(centered) : Transpose(Multiply(centered, w));
        var c = Divide(Matmul(centered, right), f);
        return Squeeze(c);
    }

    /// <summary>
    /// The Pearson correlation coefficients of the variables (<c>jnp.corrcoef</c>): the covariance normalised by the
    /// standard deviations, clipped to [-1, 1].
    /// </summary>
    public static Tensor Corrcoef(Tensor x, Tensor? y = null, bool rowvar = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        var c = Cov(x, y, rowvar);
        if (c.Ndim == 0) return Divide(c, c);
        int n = (int)c.Shape[0].Size;
        var diagonal = Sum(Where(Eye(n, dtype: DType.Bool), c, 0), 1);
        var stddev = Sqrt(diagonal);
        c = Divide(Divide(c, Reshape(stddev, -1, 1)), Reshape(stddev, 1, -1));
        return Clip(c, -1, 1);
    }

    /// <summary>
    /// Evenly spaced bin edges (<c>jnp.histogram_bin_edges</c>): <paramref name="bins"/> + 1 edges over
    /// <paramref name="range"/> (the data's minimum and maximum when null; widened by 0.5 either side when empty).
    /// </summary>
    public static Tensor HistogramBinEdges(Tensor a, int bins = 10, (double Min, double Max)? range = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (bins < 1) throw OpError("histogram_bin_edges", $"bins must be a positive integer, got {bins}");
        if (range is { } r && !(r.Min <= r.Max))
            throw OpError("histogram_bin_edges", $"max must be larger than min in range parameter, got ({r.Min}, {r.Max})");
        var x = PromoteDTypesInexact(Ravel(a))[0];
        Tensor lo, hi;
        if (range is { } given) (lo, hi) = (Cast(Scalars.Weak(given.Min), x.DType), Cast(Scalars.Weak(given.Max), x.DType));
        else
        {
            if (x.Size == 0) throw OpError("histogram_bin_edges", "the range of an empty array must be given");
            (lo, hi) = (Min(x), Max(x));
        }
        var empty = Equal(lo, hi);
        lo = Where(empty, Subtract(lo, 0.5), lo);
        hi = Where(empty, Add(hi, 0.5), hi);
        var steps = Divide(Arange(bins + 1, x.DType), bins);
        return Add(lo, Multiply(Subtract(hi, lo), steps));
    }

    /// <summary>The bin of each element among <paramref name="edges"/> (0 below, len(edges) above; the last edge closes the last bin), as JAX's histogram.</summary>
    private static Tensor HistogramBins(Tensor x, Tensor edges)
    {
        int count = (int)edges.Shape[0].Size;
        var index = Searchsorted(edges, x, side: SearchSide.Right);
        return Where(Equal(x, edges[count - 1]), count - 1, index);
    }

    private static void CheckHistogramWeights(string op, Tensor a, Tensor? weights)
    {
        if (weights is not null && weights.Shape != a.Shape)
            throw OpError(op, $"weights should have the same shape as a: {weights.Aval.ToLongString()} and {a.Aval.ToLongString()}");
    }

    /// <summary>
    /// The histogram of a (flattened) over given, increasing bin <paramref name="bins"/> edges (<c>jnp.histogram</c>):
    /// counts (or summed weights; a density when asked) per bin, the last bin closed; values outside are ignored.
    /// </summary>
    public static (Tensor Hist, Tensor BinEdges) Histogram(Tensor a, Tensor bins, Tensor? weights = null, bool density = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(bins);
        if (bins.Ndim != 1 || bins.Shape[0].Size < 2)
            throw OpError("histogram", $"bins must be a 1-D array of at least two edges, got {bins.Aval.ToLongString()}");
        CheckHistogramWeights("histogram", a, weights);
        var x = Ravel(a);
        var edges = bins;
        int count = (int)edges.Shape[0].Size;
        var w = weights is null ? OnesLike(x) : Ravel(weights);
        var counts = Lax.Slice(ScatterAddInto(count + 1, HistogramBins(x, edges), w), [1], [count]);
        if (density)
        {
            var widths = Subtract(Lax.Slice(edges, [1], [count]), Lax.Slice(edges, [0], [count - 1]));
            counts = Divide(Divide(counts, widths), Sum(counts));
        }
        return (counts, edges);
    }

    /// <summary>The histogram over <paramref name="bins"/> equal-width bins spanning <paramref name="range"/> (the data's range when null).</summary>
    public static (Tensor Hist, Tensor BinEdges) Histogram(Tensor a, int bins = 10, (double Min, double Max)? range = null, Tensor? weights = null, bool density = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Histogram(a, HistogramBinEdges(a, bins, range), weights, density);
    }

    /// <summary>
    /// The two-dimensional histogram of points (<paramref name="x"/>[i], <paramref name="y"/>[i]) over
    /// <paramref name="bins"/> equal-width bins per axis (<c>jnp.histogram2d</c>): counts (or summed weights, or a
    /// density) <c>[bins, bins]</c> and the edges of each axis.
    /// </summary>
    public static (Tensor Hist, Tensor XEdges, Tensor YEdges) Histogram2d(Tensor x, Tensor y, int bins = 10,
        ((double Min, double Max) X, (double Min, double Max) Y)? range = null, Tensor? weights = null, bool density = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Ndim != 1 || x.Shape != y.Shape)
            throw OpError("histogram2d", $"x and y must be 1-D arrays of equal length, got {x.Aval.ToLongString()} and {y.Aval.ToLongString()}");
        CheckHistogramWeights("histogram2d", x, weights);
        var xEdges = HistogramBinEdges(x, bins, range?.X);
        var yEdges = HistogramBinEdges(y, bins, range?.Y);
        int span = bins + 2;
        var flat = Add(Multiply(HistogramBins(x, xEdges), span), HistogramBins(y, yEdges));
        var w = weights ?? OnesLike(PromoteDTypesInexact(x)[0]);
        var all = Reshape(ScatterAddInto(span * span, flat, w), span, span);
        var counts = Lax.Slice(all, [1, 1], [bins + 1, bins + 1]);
        if (density)
        {
            var dx = Subtract(Lax.Slice(xEdges, [1], [bins + 1]), Lax.Slice(xEdges, [0], [bins]));
            var dy = Subtract(Lax.Slice(yEdges, [1], [bins + 1]), Lax.Slice(yEdges, [0], [bins]));
            counts = Divide(Divide(counts, Multiply(Reshape(dx, -1, 1), Reshape(dy, 1, -1))), Sum(counts));
        }
        return (counts, xEdges, yEdges);
    }

    /// <summary>
    /// The number of occurrences of each non-negative integer in <paramref name="x"/> (or the sum of its
    /// <paramref name="weights"/>), as <c>jnp.bincount</c>: <paramref name="length"/> bins when given (larger values
    /// are dropped; needed under jit), else max(x) + 1 or <paramref name="minlength"/> from concrete values.
    /// Negative values count in bin 0, as JAX's.
    /// </summary>
    public static Tensor Bincount(Tensor x, Tensor? weights = null, int minlength = 0, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsInteger()) throw OpError("bincount", $"x must be an integer array, got {x.Aval.ToLongString()}");
        if (x.Ndim != 1) throw OpError("bincount", $"x must be one-dimensional, got {x.Aval.ToLongString()}");
        if (minlength < 0) throw OpError("bincount", $"minlength must be non-negative, got {minlength}");
        if (weights is not null && weights.Shape != x.Shape)
            throw OpError("bincount", $"shape of weights must match shape of x: {weights.Aval.ToLongString()} and {x.Aval.ToLongString()}");
        if (length is < 0) throw OpError("bincount", $"length must be non-negative, got {length}");
        int n;
        if (length is { } l) n = l;
        else
        {
            if (x.IsTracer)
                throw OpError("bincount", "the length of the result depends on the values of x, which are traced here; pass length= to use bincount under jit");
            n = Math.Max(minlength, x.Size == 0 ? 0 : checked((int)Max(x).Item<long>() + 1));
        }
        var w = weights ?? OnesLike(x, Jax.Config.DefaultInt);
        var counted = w.DType == DType.Bool ? Cast(w, Jax.Config.DefaultInt) : w;
        return ScatterAddInto(n, Maximum(x, 0), counted);
    }

    /// <summary>The range (maximum - minimum) over axes (all when null), as <c>jnp.ptp</c>.</summary>
    public static Tensor Ptp(Tensor a, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        RequireNonEmpty("ptp", a, axis);
        return Subtract(Max(a, axis, keepdims), Min(a, axis, keepdims));
    }

    /// <summary>The range over one axis.</summary>
    public static Tensor Ptp(Tensor a, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Ptp(a, [axis], keepdims);
    }

    /// <summary>The number of non-zero (truthy) elements over axes (all when null), in the default int dtype.</summary>
    public static Tensor CountNonzero(Tensor a, int[]? axis = null, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Sum(Truth(a), axis, keepdims, Jax.Config.DefaultInt);
    }

    /// <summary>The number of non-zero elements over one axis.</summary>
    public static Tensor CountNonzero(Tensor a, int axis, bool keepdims = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        return CountNonzero(a, [axis], keepdims);
    }

    private static Tensor ArrayApiCumulative(string op, Tensor x, int? axis, DType? dtype, bool includeInitial, bool product)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Ndim == 0) throw OpError(op, $"the input must be non-scalar to take a cumulative {(product ? "product" : "sum")}, got {x.Aval.ToLongString()}");
        if (axis is null && x.Ndim > 1)
            throw OpError(op, $"the input array has rank {x.Ndim} ({x.Aval.ToLongString()}); axis is only optional for one-dimensional arrays");
        int a = Axes.Normalize(axis ?? 0, x.Ndim, op, x.Aval);
        var target = dtype ?? PromotedIntegerDType(x.DType);
        var result = product ? Cumprod(x, a, target) : Cumsum(x, a, target);
        if (!includeInitial) return result;
        var shape = result.Shape.IntSizes;
        shape[a] = 1;
        return Concatenate([Full(shape, Scalars.WeakInt(product ? 1 : 0), result.DType), result], a);
    }

    /// <summary>
    /// The array API's cumulative sum (<c>jnp.cumulative_sum</c>): along <paramref name="axis"/> (optional for 1-D
    /// input only), small integers accumulated in the default int, with a leading 0 when <paramref name="includeInitial"/>.
    /// </summary>
    public static Tensor CumulativeSum(Tensor x, int? axis = null, DType? dtype = null, bool includeInitial = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ArrayApiCumulative("cumulative_sum", x, axis, dtype, includeInitial, product: false);
    }

    /// <summary>The array API's cumulative product (<c>jnp.cumulative_prod</c>), with a leading 1 when <paramref name="includeInitial"/>.</summary>
    public static Tensor CumulativeProd(Tensor x, int? axis = null, DType? dtype = null, bool includeInitial = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ArrayApiCumulative("cumulative_prod", x, axis, dtype, includeInitial, product: true);
    }
}
