using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.numpy's element selection and placement (extract, place, put, mask_indices, ix_, trim_zeros), phase
// unwrapping, the d-dimensional histogram, and bit packing (packbits, unpackbits).
public static partial class Jnp
{
    /// <summary>
    /// The elements of <paramref name="arr"/> where <paramref name="condition"/> is true, both flattened
    /// (<c>jnp.extract</c>). Without <paramref name="size"/> the input must be concrete; with it the result has
    /// exactly <paramref name="size"/> elements, padded with <paramref name="fillValue"/> (0 when null), so it runs
    /// under jit.
    /// </summary>
    public static Tensor Extract(Tensor condition, Tensor arr, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(arr);
        if (condition.Size != arr.Size)
            throw OpError("extract", $"condition and arr must have the same number of elements, got {condition.Aval.ToLongString()} and {arr.Aval.ToLongString()}");
        var flat = Ravel(arr);
        var truth = NotEqual(Ravel(condition), 0);
        if (size is null) return Compress(truth, flat);
        if (size < 0) throw OpError("extract", $"size must be non-negative, got {size}");
        var fill = Cast(fillValue ?? 0, flat.DType, flat.WeakType);
        if (flat.Size == 0) return Full([size.Value], fill, flat.DType);
        var taken = Take(flat, Flatnonzero(truth, size, 0));
        var valid = Less(Lax.Iota(Jax.Config.DefaultInt, Shape.Of([size.Value]), 0), CountNonzero(truth));
        return Where(valid, taken, fill);
    }

    /// <summary><paramref name="values"/> flattened and repeated cyclically to <paramref name="n"/> elements.</summary>
    private static Tensor TileToSize(Tensor values, int n)
    {
        int m = (int)values.Size;
        return m == n ? values : Lax.Slice(Tile(values, (n + m - 1) / m), [0], [n]);
    }

    /// <summary>
    /// A copy of <paramref name="arr"/> whose elements where <paramref name="mask"/> is true are set, in order, from
    /// <paramref name="vals"/> repeated cyclically (<c>jnp.place(arr, mask, vals, inplace=False)</c>; JAX arrays are
    /// immutable, so the result is a new array). Runs under jit.
    /// </summary>
    public static Tensor Place(Tensor arr, Tensor mask, Tensor vals)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(vals);
        if (mask.Size != arr.Size)
            throw OpError("place", $"mask and arr must have the same number of elements, got {mask.Aval.ToLongString()} and {arr.Aval.ToLongString()}");
        int n = (int)arr.Size;
        if (n == 0) return arr;
        if (vals.Size == 0) throw OpError("place", $"cannot place values from an empty array {vals.Aval.ToLongString()}");
        // Positions past the true elements are n: out of range, so the scatter drops them.
        var positions = Flatnonzero(NotEqual(Ravel(mask), 0), n, n);
        var result = PutAlongAxis(Ravel(arr), positions, TileToSize(Ravel(vals), n), null);
        return Lax.Reshape(result, arr.Shape);
    }

    /// <summary>
    /// A copy of <paramref name="a"/> with the flat positions <paramref name="ind"/> set to <paramref name="v"/>
    /// (repeated cyclically), as <c>jnp.put(a, ind, v, mode, inplace=False)</c>: with <paramref name="mode"/> null
    /// out-of-range indices are dropped (negative ones count from the end), <c>clip</c> clips them into range and
    /// <c>wrap</c> wraps them around. For repeated indices one of the values wins.
    /// </summary>
    public static Tensor Put(Tensor a, Tensor ind, Tensor v, string? mode = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(ind);
        ArgumentNullException.ThrowIfNull(v);
        if (!ind.DType.IsInteger()) throw OpError("put", $"indices must be integers, got {ind.Aval.ToLongString()}");
        if (a.Size == 0 || ind.Size == 0 || v.Size == 0) return a;
        var flatInd = Ravel(ind);
        long n = a.Size;
        flatInd = mode switch
        {
            null => flatInd,
            "clip" => Clip(flatInd, 0, n - 1),
            "wrap" => Remainder(flatInd, n),
            "raise" => throw OpError("put", "mode='raise' is not supported (JAX cannot raise on traced indices); use 'clip' or 'wrap'"),
            _ => throw OpError("put", $"mode must be one of None, 'clip', 'wrap' or 'raise', got '{mode}'"),
        };
        var result = PutAlongAxis(Ravel(a), flatInd, TileToSize(Ravel(v), (int)flatInd.Size), null);
        return Lax.Reshape(result, a.Shape);
    }

    /// <summary>
    /// The indices (rows, columns) of the true entries of <paramref name="maskFunc"/> applied to an n x n array of
    /// ones and <paramref name="k"/> (<c>jnp.mask_indices</c>; e.g. <see cref="Triu"/> gives the upper triangle).
    /// Without <paramref name="size"/> the mask must be concrete; with it each index array has that many entries.
    /// </summary>
    public static (Tensor Rows, Tensor Cols) MaskIndices(int n, Func<Tensor, int, Tensor> maskFunc, int k = 0, int? size = null)
    {
        ArgumentNullException.ThrowIfNull(maskFunc);
        if (n < 0) throw OpError("mask_indices", $"n must be non-negative, got {n}");
        var mask = maskFunc(Ones([n, n]), k);
        if (mask.Ndim != 2) throw OpError("mask_indices", $"mask_func must return a 2-D array, got {mask.Aval.ToLongString()}");
        var indices = size is int s ? Nonzero(mask, s) : Nonzero(mask);
        return (indices[0], indices[1]);
    }

    /// <summary>
    /// An open mesh from 1-D index arrays (<c>jnp.ix_</c>): array i is reshaped to size 1 on every axis but axis i,
    /// so that <c>x[Ix(rows, cols)]</c> picks the cross product. Boolean arrays are not accepted (as in JAX).
    /// </summary>
    public static Tensor[] Ix(params Tensor[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int n = args.Length;
        var result = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            var a = args[i] ?? throw new ArgumentNullException(nameof(args));
            if (a.Ndim != 1) throw OpError("ix_", $"arguments to ix_ must be one-dimensional, got {a.Aval.ToLongString()} (argument {i})");
            if (a.DType == DType.Bool) throw OpError("ix_", $"boolean arguments to ix_ are not supported, got {a.Aval.ToLongString()} (argument {i})");
            var shape = Enumerable.Repeat(Dim.Of(1), n).ToArray();
            shape[i] = a.Shape[0];
            result[i] = Lax.BroadcastInDim(a, new Shape(shape), [i]);
        }
        return result;
    }

    /// <summary>
    /// A 1-D array without its leading (<c>f</c> in <paramref name="trim"/>) and trailing (<c>b</c>) zeros
    /// (<c>jnp.trim_zeros</c>); the input must be concrete, since the result's size depends on its values.
    /// </summary>
    public static Tensor TrimZeros(Tensor filt, string trim = "fb")
    {
        ArgumentNullException.ThrowIfNull(filt);
        ArgumentNullException.ThrowIfNull(trim);
        if (filt.Ndim != 1) throw OpError("trim_zeros", $"trim_zeros requires a 1-D array, got {filt.Aval.ToLongString()}");
        if (filt.IsTracer)
            throw OpError("trim_zeros", "the size of trim_zeros's result depends on the values of its input, which are traced here");
        var nonzero = NotEqual(filt, 0).ToArray<bool>();
        int first = System.Array.IndexOf(nonzero, true);
        if (first < 0) return Lax.Slice(filt, [0], [0]);
        int last = System.Array.LastIndexOf(nonzero, true);
        string t = trim.ToLowerInvariant();
        int start = t.Contains('f', StringComparison.Ordinal) ? first : 0;
        int stop = t.Contains('b', StringComparison.Ordinal) ? last + 1 : nonzero.Length;
        return Lax.Slice(filt, [start], [stop]);
    }

    /// <summary>
    /// Unwraps a phase signal along <paramref name="axis"/> (<c>jnp.unwrap</c>): jumps between neighbours larger than
    /// <paramref name="discont"/> (period / 2 when null, never less) are replaced by their complement modulo
    /// <paramref name="period"/> (2 pi by default).
    /// </summary>
    public static Tensor Unwrap(Tensor p, double? discont = null, int axis = -1, double period = 2 * Math.PI)
    {
        ArgumentNullException.ThrowIfNull(p);
        p = PromoteDTypesInexact(p)[0];
        if (p.Ndim == 0) throw OpError("unwrap", $"unwrap needs an array of at least 1 dimension, got {p.Aval.ToLongString()}");
        int a = Axes.Normalize(axis, p.Ndim, "unwrap", p.Aval);
        double interval = period / 2;
        double jump = discont ?? interval;
        var dd = Diff(p, 1, a);
        var ddmod = Subtract(Remainder(Add(dd, interval), period), interval);
        ddmod = Where(LogicalAnd(Equal(ddmod, -interval), Greater(dd, 0)), FullLike(ddmod, interval), ddmod);
        var correction = Where(Less(Abs(dd), jump), ZerosLike(dd), Subtract(ddmod, dd));
        var sizes = p.Shape.IntSizes;
        var firstLimit = (int[])sizes.Clone();
        firstLimit[a] = 1;
        var restStart = new int[p.Ndim];
        restStart[a] = 1;
        var first = Lax.Slice(p, new int[p.Ndim], firstLimit);
        var rest = Add(Lax.Slice(p, restStart, sizes), Cumsum(correction, a));
        return Concatenate([first, rest], a);
    }

    /// <summary>
    /// The d-dimensional histogram of <paramref name="sample"/> (<c>[N, D]</c>: N points of D coordinates), as
    /// <c>jnp.histogramdd</c> with a bin count per dimension: the counts (or the sums of <paramref name="weights"/>,
    /// or a density integrating to 1) of shape <paramref name="bins"/>, and each dimension's edges. The last bin of
    /// each dimension includes its right edge; points outside <paramref name="range"/> are not counted.
    /// </summary>
    public static (Tensor Hist, Tensor[] BinEdges) Histogramdd(Tensor sample, int[] bins, (double Min, double Max)[]? range = null,
        Tensor? weights = null, bool density = false)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(bins);
        if (sample.Ndim != 2) throw OpError("histogramdd", $"sample must be a 2-D array [N, D], got {sample.Aval.ToLongString()}");
        int d = StaticSizes("histogramdd", sample)[1];
        if (bins.Length != d) throw OpError("histogramdd", $"bins must have one entry per dimension ({d}), got {bins.Length}");
        if (range is not null && range.Length != d) throw OpError("histogramdd", $"range must have one entry per dimension ({d}), got {range.Length}");
        if (bins.Any(b => b < 1)) throw OpError("histogramdd", $"bins must be positive, got [{string.Join(", ", bins)}]");
        int n = StaticSizes("histogramdd", sample)[0];
        if (weights is not null && (weights.Ndim != 1 || weights.Shape[0].Size != n))
            throw OpError("histogramdd", $"weights should have one entry per sample point ({n}), got {weights.Aval.ToLongString()}");
        var points = PromoteDTypesInexact(sample)[0];
        var edges = new Tensor[d];
        Tensor flat = Zeros([n], DType.Int32);
        int total = 1;
        for (int i = 0; i < d; i++)
        {
            var column = Lax.Reshape(Lax.Slice(points, [0, i], [n, i + 1]), Shape.Of([n]));
            edges[i] = HistogramBinEdges(column, bins[i], range?[i]);
            // Bin 0 is below the first edge and bins[i] + 1 above the last, as Histogram2d: dropped below.
            flat = Add(Multiply(flat, bins[i] + 2), Cast(HistogramBins(column, edges[i]), DType.Int32));
            total *= bins[i] + 2;
        }
        var counts = Lax.Reshape(ScatterAddInto(total, flat, weights ?? Ones([n], points.DType)), Shape.Of([.. bins.Select(b => b + 2)]));
        var hist = Lax.Slice(counts, [.. bins.Select(_ => 1)], [.. bins.Select(b => b + 1)]);
        if (density)
        {
            hist = Divide(hist, Sum(hist));
            for (int i = 0; i < d; i++)
            {
                var widths = Subtract(Lax.Slice(edges[i], [1], [bins[i] + 1]), Lax.Slice(edges[i], [0], [bins[i]]));
                var shape = Enumerable.Repeat(1L, d).ToArray();
                shape[i] = -1;
                hist = Divide(hist, Reshape(widths, shape));
            }
        }
        return (hist, edges);
    }

    /// <summary>As <see cref="Histogramdd(Tensor, int[], ValueTuple{double, double}[], Tensor, bool)"/> with <paramref name="bins"/> bins in every dimension.</summary>
    public static (Tensor Hist, Tensor[] BinEdges) Histogramdd(Tensor sample, int bins = 10, (double Min, double Max)[]? range = null,
        Tensor? weights = null, bool density = false)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Ndim != 2) throw OpError("histogramdd", $"sample must be a 2-D array [N, D], got {sample.Aval.ToLongString()}");
        return Histogramdd(sample, Enumerable.Repeat(bins, StaticSizes("histogramdd", sample)[1]).ToArray(), range, weights, density);
    }
}
