using JaxToolchain.Ir;

namespace JaxToolchain;

public sealed partial class Tensor
{
    /// <summary>
    /// NumPy indexing: <c>x[1]</c>, <c>x[1..3, ^1]</c>, <c>x[.., 0]</c>, <c>x[TensorIndex.NewAxis]</c>,
    /// <c>x[TensorIndex.Ellipsis, 0]</c>, <c>x[indexArray]</c>, <c>x[mask]</c> (outside traced functions).
    /// Out-of-bounds array indices are clamped, as in JAX; out-of-bounds integer indices are an error.
    /// </summary>
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public Tensor this[params TensorIndex[] index] => Indexing.Get(this, index, GatherMode.Clip);
}

/// <summary>How gathers treat out-of-bounds indices.</summary>
internal enum GatherMode
{
    /// <summary>Clamp into range (JAX's default for indexing).</summary>
    Clip,
    /// <summary>Return a fill value (JAX's default for <c>take</c>).</summary>
    Fill,
}

/// <summary>NumPy's basic and advanced indexing, lowered to slice/rev/squeeze/expand_dims/transpose/gather.</summary>
internal static class Indexing
{
    private static JaxTypeException IndexError(string message) =>
        new("index", message + Dispatch.At(SourceLocation.FindCaller()));

    public static Tensor Get(Tensor x, TensorIndex[] items, GatherMode mode)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(items);
        var indexed = x.Aval;
        var list = ExpandBooleanMasks(x, ExpandEllipsis(x, [.. items]));

        // New axes: insert size-1 dimensions, then index them with full slices.
        var newAxes = list.Select((it, i) => (it, i)).Where(p => p.it.Kind == TensorIndex.IndexKind.NewAxis).Select(p => p.i).ToArray();
        if (newAxes.Length > 0)
        {
            x = Lax.ExpandDims(x, newAxes);
            list = list.Select(it => it.Kind == TensorIndex.IndexKind.NewAxis ? TensorIndex.Slice() : it).ToList();
        }

        // Basic indexing: one strided slice for every slice dimension (reversing for negative steps).
        int rank = x.Ndim;
        var reversed = new List<int>();
        var start = new int[rank];
        var limit = x.Shape.IntSizes;
        var strides = Enumerable.Repeat(1, rank).ToArray();
        bool needSlice = false;
        bool anyArray = list.Any(it => it.Kind == TensorIndex.IndexKind.Array);
        var integers = new List<int>();
        for (int d = 0; d < rank; d++)
        {
            var it = list[d];
            int n = limit[d];
            switch (it.Kind)
            {
                case TensorIndex.IndexKind.Slice:
                    var (s, e, step) = NormalizeSlice(it, n);
                    if (step < 0)
                    {
                        reversed.Add(d);
                        (s, e, step) = (n - 1 - s, n - 1 - e, -step);
                    }
                    e = Math.Max(s, e);
                    if (s != 0 || e != n || step != 1) needSlice = true;
                    (start[d], limit[d], strides[d]) = (s, e, step);
                    break;
                case TensorIndex.IndexKind.Integer:
                    long i = it.Integer;
                    if (i < -n || i >= n) throw IndexError($"index {i} is out of bounds for axis {d} with size {n} ({indexed.ToLongString()})");
                    if (!anyArray)
                    {
                        int k = (int)(i < 0 ? i + n : i);
                        (start[d], limit[d]) = (k, k + 1);
                        needSlice = true;
                        integers.Add(d);
                    }
                    break;
            }
        }
        if (reversed.Count > 0) x = Lax.Rev(x, reversed.ToArray());
        if (needSlice) x = Lax.Slice(x, start, limit, strides);
        if (!anyArray) return integers.Count > 0 ? Lax.Squeeze(x, integers.ToArray()) : x;
        return AdvancedGather(x, list, mode);
    }

    private static (int Start, int Stop, int Step) NormalizeSlice(TensorIndex it, int n)
    {
        // A step longer than the axis takes at most one element: clamping keeps 64-bit steps from truncating.
        long step = Math.Clamp(it.Step, -Math.Max(n, 1), Math.Max(n, 1));
        long Norm(long v, long lo, long hi) => Math.Clamp(v < 0 ? v + n : v, lo, hi);
        if (step > 0)
            return ((int)(it.Start is { } a ? Norm(a, 0, n) : 0), (int)(it.Stop is { } b ? Norm(b, 0, n) : n), (int)step);
        // Negative step: bounds are clamped into [-1, n-1]; -1 means "before the first element".
        int s = (int)(it.Start is { } c ? Norm(c, -1, n - 1) : n - 1);
        int e = (int)(it.Stop is { } f ? Norm(f, -1, n - 1) : -1);
        return (s, Math.Min(e, s), (int)step);
    }

    private static bool IsMask(TensorIndex it) => it.Kind == TensorIndex.IndexKind.Array && it.Array!.DType == DType.Bool;

    /// <summary>How many axes of the indexed array an item consumes (a boolean mask: as many as it has).</summary>
    private static int Consumed(TensorIndex it) => it.Kind switch
    {
        TensorIndex.IndexKind.Integer or TensorIndex.IndexKind.Slice => 1,
        TensorIndex.IndexKind.Array => IsMask(it) ? it.Array!.Ndim : 1,
        _ => 0,
    };

    /// <summary>Replaces each boolean mask by the integer arrays of its true positions, checking it against the axes it covers.</summary>
    private static List<TensorIndex> ExpandBooleanMasks(Tensor x, List<TensorIndex> items)
    {
        var list = new List<TensorIndex>();
        int axis = 0;
        foreach (var it in items)
        {
            if (IsMask(it))
            {
                var mask = it.Array!;
                if (mask.IsTracer)
                    throw IndexError("boolean mask indexing needs concrete values and cannot be used inside a traced function; use Jnp.Where");
                var covered = new Shape(x.Shape.Skip(axis).Take(mask.Ndim));
                if (mask.Ndim == 0 || covered != mask.Shape)
                    throw IndexError($"boolean index {mask.Aval.ToLongString()} does not match the indexed axes {covered} of {x.Aval.ToLongString()} (from axis {axis})");
                list.AddRange(Jnp.Nonzero(mask).Select(a => (TensorIndex)a));
            }
            else list.Add(it);
            axis += Consumed(it);
        }
        return list;
    }

    private static List<TensorIndex> ExpandEllipsis(Tensor x, List<TensorIndex> items)
    {
        int ellipses = items.Count(it => it.Kind == TensorIndex.IndexKind.Ellipsis);
        if (ellipses > 1) throw IndexError("an index can only have a single ellipsis ('...')");
        int consumed = items.Sum(Consumed);
        if (consumed > x.Ndim)
            throw IndexError($"too many indices for array: array is {x.Ndim}-dimensional, but {consumed} were indexed");
        var fill = Enumerable.Repeat(TensorIndex.Slice(), x.Ndim - consumed);
        int at = items.FindIndex(it => it.Kind == TensorIndex.IndexKind.Ellipsis);
        if (at < 0) return [.. items, .. fill];
        return [.. items.Take(at), .. fill, .. items.Skip(at + 1)];
    }

    /// <summary>
    /// An integer index array along an axis of <paramref name="size"/> elements as the int32 indices of a gather.
    /// Negative signed indices count from the end (NumPy's rule); unsigned indices never do: they keep their value
    /// however large (a uint32 4294967295 is past the end, not -1). Indices that are out of range stay out of range
    /// (so a gather clamps or fills them): wide ones are first clamped into <c>[-1, size]</c> in their own dtype, so
    /// that the conversion to int32 cannot wrap them around.
    /// </summary>
    private static Tensor GatherIndex(Tensor index, int size)
    {
        var dtype = index.DType;
        if (dtype.IsUnsignedInteger())
            return Jnp.Cast(dtype.ItemSize() < 4 ? index : Jnp.Minimum(index, size), DType.Int32);
        var wide = dtype == DType.Int64 ? dtype : DType.Int32;
        var idx = Jnp.Cast(index, wide);
        idx = Jnp.Where(Jnp.Less(idx, 0), Jnp.Add(idx, size), idx);
        return wide == DType.Int32 ? idx : Jnp.Cast(Jnp.Clip(idx, -1, size), DType.Int32);
    }

    private static Tensor AdvancedGather(Tensor x, List<TensorIndex> list, GatherMode mode)
    {
        var advanced = Enumerable.Range(0, x.Ndim).Where(d => list[d].Kind is TensorIndex.IndexKind.Array or TensorIndex.IndexKind.Integer).ToArray();
        var rest = Enumerable.Range(0, x.Ndim).Except(advanced).ToArray();
        var indexArrays = advanced.Select(d =>
        {
            var it = list[d];
            var idx = it.Kind == TensorIndex.IndexKind.Integer ? Jnp.Array((int)(it.Integer < 0 ? it.Integer + x.Shape[d].Size : it.Integer)) : it.Array!;
            if (!idx.DType.IsInteger())
                throw IndexError($"indexer must be an integer or boolean array, got {idx.Aval.ToLongString()}");
            return GatherIndex(idx, (int)x.Shape[d].Size);
        }).ToArray();
        var batchShape = Jnp.BroadcastShapes("index", indexArrays);
        var broadcast = indexArrays.Select(a => Jnp.BroadcastToShape(a, batchShape)).ToArray();
        int batchRank = batchShape.Rank;
        var indices = Jnp.Stack(broadcast, -1);
        var xt = Jnp.Transpose(x, [.. advanced, .. rest]);
        int k = advanced.Length;
        var sliceSizes = Enumerable.Repeat(1, k).Concat(rest.Select(d => (int)x.Shape[d].Size)).ToArray();
        var result = Lax.Gather(xt, indices,
            offsetDims: Enumerable.Range(batchRank, rest.Length).ToArray(),
            collapsedSliceDims: Enumerable.Range(0, k).ToArray(),
            startIndexMap: Enumerable.Range(0, k).ToArray(),
            indexVectorDim: batchRank,
            sliceSizes: sliceSizes,
            mode: mode);
        // NumPy puts the broadcast index dimensions where the advanced indices were when they are adjacent.
        bool adjacent = advanced.Zip(advanced.Skip(1)).All(p => p.Second == p.First + 1);
        int at = advanced[0];
        if (!adjacent || at == 0) return result;
        var perm = Enumerable.Range(batchRank, at).Concat(Enumerable.Range(0, batchRank)).Concat(Enumerable.Range(batchRank + at, rest.Length - at)).ToArray();
        return Jnp.Transpose(result, perm);
    }
}

public static partial class Jnp
{
    /// <summary>The indices of the truthy elements, one int array per dimension (concrete arrays only).</summary>
    public static Tensor[] Nonzero(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.IsTracer)
            throw new JaxTypeException("nonzero", "nonzero has a data-dependent shape and cannot be used inside a traced function" + Dispatch.At(SourceLocation.FindCaller()));
        var truth = Truth(x).Buffer.Span<bool>();
        var dims = x.Shape.IntSizes;
        var found = new List<int>[dims.Length];
        for (int d = 0; d < dims.Length; d++) found[d] = [];
        var index = new int[dims.Length];
        for (int flat = 0; flat < truth.Length; flat++)
        {
            if (!truth[flat]) continue;
            Strides.Unravel(flat, dims, index);
            for (int d = 0; d < dims.Length; d++) found[d].Add(index[d]);
        }
        return found.Select(f => Array(f.ToArray(), Jax.Config.DefaultInt)).ToArray();
    }

    /// <summary>
    /// Elements of x at <paramref name="indices"/> along <paramref name="axis"/> (the flattened array when null).
    /// Out-of-bounds indices give NaN for floats (JAX's default <c>mode="fill"</c>).
    /// </summary>
    public static Tensor Take(Tensor x, Tensor indices, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        if (axis is null) return Indexing.Get(Ravel(x), [indices], GatherMode.Fill);
        int a = Axes.Normalize(axis.Value, x.Ndim, "take", x.Aval);
        var items = Enumerable.Repeat(TensorIndex.Slice(), a).Append((TensorIndex)indices).ToArray();
        return Indexing.Get(x, items, GatherMode.Fill);
    }
}
