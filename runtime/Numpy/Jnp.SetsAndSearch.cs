using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>Which of several equal positions <see cref="Jnp.Searchsorted"/> returns (NumPy's <c>side=</c>).</summary>
public enum SearchSide
{
    /// <summary>The first suitable index: <c>a[i-1] &lt; v &lt;= a[i]</c>.</summary>
    Left,
    /// <summary>The last suitable index: <c>a[i-1] &lt;= v &lt; a[i]</c>.</summary>
    Right,
}

public static partial class Jnp
{
    /// <summary>x &lt; y in sort order (NaNs after every number), as the comparator of JAX's sort.</summary>
    private static Tensor SortLess(Tensor x, Tensor y) =>
        x.DType.IsFloat() || y.DType.IsFloat() ? LogicalOr(Less(x, y), LogicalAnd(LogicalNot(Isnan(x)), Isnan(y))) : Less(x, y);

    /// <summary>
    /// Where each element of <paramref name="v"/> would be inserted into the sorted 1-D <paramref name="a"/> to keep
    /// it sorted (<c>jnp.searchsorted</c>): a binary search of ceil(log2(n + 1)) static steps, as JAX's default
    /// <c>method='scan'</c>, so it runs under jit and vmap. NaNs sort last. <paramref name="sorter"/> are indices that
    /// sort a. The result is int32 of v's shape.
    /// </summary>
    public static Tensor Searchsorted(Tensor a, Tensor v, SearchSide side = SearchSide.Left, Tensor? sorter = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(v);
        if (a.Ndim != 1) throw OpError("searchsorted", $"a should be 1-dimensional, got {a.Aval.ToLongString()}");
        if (!Enum.IsDefined(side)) throw OpError("searchsorted", $"unknown side {side}");
        if (sorter is not null)
        {
            if (sorter.Shape != a.Shape || !sorter.DType.IsInteger())
                throw OpError("searchsorted", $"sorter must be integer indices of a's shape {a.Aval.ToLongString()}, got {sorter.Aval.ToLongString()}");
            a = a[sorter];
        }
        var promoted = PromoteDTypes(a, v);
        (a, v) = (promoted[0], promoted[1]);
        int n = StaticSizes("searchsorted", a)[0];
        var low = ZerosLike(v, DType.Int32);
        var high = FullLike(v, n, DType.Int32);
        int levels = n == 0 ? 0 : (int)Math.Ceiling(Math.Log2(n + 1.0));
        for (int level = 0; level < levels; level++)
        {
            var mid = FloorDivide(Add(low, high), 2);
            var pivot = a[mid];
            // Left: go left when v <= a[mid], i.e. not (a[mid] < v); right: when v < a[mid].
            var goLeft = side == SearchSide.Left ? LogicalNot(SortLess(pivot, v)) : SortLess(v, pivot);
            low = Where(goLeft, low, mid);
            high = Where(goLeft, mid, high);
        }
        return high;
    }

    /// <summary>
    /// The index of the bin each element of <paramref name="x"/> falls in (<c>jnp.digitize</c>): bins are 1-D and
    /// monotonic (increasing or decreasing); <paramref name="right"/> makes intervals closed on the right.
    /// </summary>
    public static Tensor Digitize(Tensor x, Tensor bins, bool right = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(bins);
        if (bins.Ndim != 1) throw OpError("digitize", $"bins must be a 1-dimensional array, got {bins.Aval.ToLongString()}");
        int n = StaticSizes("digitize", bins)[0];
        if (n == 0) return ZerosLike(x, DType.Int32);
        var side = right ? SearchSide.Left : SearchSide.Right;
        var increasing = GreaterEqual(bins[n - 1], bins[0]);
        return Where(increasing, Searchsorted(bins, x, side), Subtract(n, Searchsorted(Flip(bins, 0), x, side)));
    }

    /// <summary>Above this many element pairs <see cref="Isin"/> sorts the test elements and searches them instead of comparing all pairs.</summary>
    private const long IsinCompareAllLimit = 1 << 20;

    /// <summary>
    /// True where an element of <paramref name="element"/> is in <paramref name="testElements"/> (or is not, with
    /// <paramref name="invert"/>), as <c>jnp.isin</c>: every pair compared for small inputs, else a binary search
    /// of the sorted test elements (JAX's <c>method='auto'</c>).
    /// </summary>
    public static Tensor Isin(Tensor element, Tensor testElements, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentNullException.ThrowIfNull(testElements);
        var shape = element.Shape.Sizes;
        Tensor found;
        if (testElements.Size == 0) found = FullLike(element, false, DType.Bool);
        else if (element.Size * testElements.Size <= IsinCompareAllLimit)
            found = Reshape(Any(Equal(Reshape(element, -1, 1), Reshape(testElements, 1, -1)), [1]), shape);
        else
        {
            var promoted = PromoteDTypes(element, testElements);
            var sorted = Sort(promoted[1], null);
            var position = Minimum(Searchsorted(sorted, promoted[0]), (int)sorted.Size - 1);
            found = Equal(sorted[position], promoted[0]);
        }
        return invert ? LogicalNot(found) : found;
    }

    /// <summary>
    /// The flat positions of the first <paramref name="size"/> true elements of <paramref name="truth"/> (JAX's
    /// cumsum-of-bincount construction, one scatter-add, so it runs under jit); positions past the last true
    /// element are the element count.
    /// </summary>
    private static Tensor TruePositions(Tensor truth, int size)
    {
        var running = Cumsum(Ravel(truth), 0, Jax.Config.DefaultInt);
        return Cumsum(ScatterAddInto(size, running, OnesLike(running)), 0);
    }

    /// <summary>The number of true elements, concrete, or an error naming <paramref name="op"/> when they are traced.</summary>
    private static int ConcreteCount(string op, Tensor truth)
    {
        if (truth.IsTracer)
            throw OpError(op, $"the size of {op}'s result depends on the values of its input, which are traced here; pass size= to use {op} under jit");
        return CountNonzero(truth).Item<int>();
    }

    /// <summary>
    /// The indices of the truthy elements, one int array of <paramref name="size"/> elements per dimension
    /// (<c>jnp.nonzero(x, size=, fill_value=)</c>), so it runs under jit: missing entries are
    /// <paramref name="fillValue"/> (0 when null); extra true elements are dropped.
    /// </summary>
    public static Tensor[] Nonzero(Tensor x, int size, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Ndim == 0) throw OpError("nonzero", "calling nonzero on a 0-d array is not allowed; use atleast_1d");
        if (size < 0) throw OpError("nonzero", $"size must be non-negative, got {size}");
        var dims = StaticSizes("nonzero", x);
        var truth = Truth(x);
        if (x.Size == 0) return dims.Select(_ => Full([size], fillValue ?? 0, Jax.Config.DefaultInt)).ToArray();
        var flat = TruePositions(truth, size);
        var valid = Less(Arange(size, Jax.Config.DefaultInt), CountNonzero(truth));
        var result = new Tensor[dims.Length];
        long stride = 1;
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            var index = Remainder(FloorDivide(flat, stride), dims[d]);
            result[d] = fillValue is null ? index : Where(valid, index, fillValue);
            stride *= dims[d];
        }
        return result;
    }

    /// <summary>
    /// The elements of 1-D <paramref name="values"/> where <paramref name="mask"/> is true, in order; exactly
    /// <paramref name="size"/> of them when given (padded with <paramref name="fillValue"/>, by default the first
    /// selected element), else as many as are true (concrete input only).
    /// </summary>
    private static Tensor Compress(string op, Tensor values, Tensor mask, int? size, Tensor? fillValue)
    {
        int n = (int)values.Shape[0].Size;
        int count = size ?? ConcreteCount(op, mask);
        if (n == 0) return Full([count], fillValue ?? 0, values.DType);
        var selected = values[Remainder(TruePositions(mask, count), n)];
        if (size is null || count == 0) return selected;
        var valid = Less(Arange(count, Jax.Config.DefaultInt), CountNonzero(mask));
        return Where(valid, selected, fillValue is null ? selected[0] : Cast(fillValue, values.DType, values.WeakType));
    }

    private static void CheckSize(string op, int? size)
    {
        if (size is < 0) throw OpError(op, $"size must be non-negative, got {size}");
    }

    /// <summary>The flattened array sorted (stably), with the sorting permutation.</summary>
    private static (Tensor Sorted, Tensor Permutation) SortFlat(Tensor x)
    {
        var flat = Ravel(x);
        var sorted = Lax.Sort([flat, Lax.Iota(Jax.Config.DefaultInt, flat.Shape, 0)], 0, isStable: true, numKeys: 1);
        return (sorted[0], sorted[1]);
    }

    /// <summary>True at the first element of each run of equal values of a sorted 1-D array (NaNs one run when <paramref name="equalNan"/>).</summary>
    private static Tensor FirstOfRuns(Tensor sorted, bool equalNan)
    {
        int n = (int)sorted.Shape[0].Size;
        if (n == 0) return Zeros([0], DType.Bool);
        var next = Lax.Slice(sorted, [1], [n]);
        var previous = Lax.Slice(sorted, [0], [n - 1]);
        var differs = NotEqual(next, previous);
        if (equalNan && sorted.DType.IsFloat()) differs = LogicalAnd(differs, LogicalNot(LogicalAnd(Isnan(next), Isnan(previous))));
        return Concatenate([Full([1], true, DType.Bool), differs]);
    }

    /// <summary>
    /// The sorted unique elements of the flattened array, and optionally the index of each one's first occurrence,
    /// the index into the unique values of every input element (x's shape), and each one's count
    /// (<c>jnp.unique</c>). With <paramref name="size"/> exactly that many values (padded with
    /// <paramref name="fillValue"/>, by default the smallest value; counts 0), so it runs under jit; without it the
    /// input must be concrete. NaNs are one value when <paramref name="equalNan"/>.
    /// </summary>
    public static (Tensor Values, Tensor? Indices, Tensor? Inverse, Tensor? Counts) Unique(Tensor x, bool returnIndex, bool returnInverse = false,
        bool returnCounts = false, bool equalNan = true, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckSize("unique", size);
        var (sorted, permutation) = SortFlat(x);
        var first = FirstOfRuns(sorted, equalNan);
        var values = Compress("unique", sorted, first, size, fillValue);
        int count = (int)values.Shape[0].Size;
        int n = (int)sorted.Shape[0].Size;
        Tensor? indices = null, inverse = null, counts = null;
        if (returnIndex)
            indices = n == 0 ? Zeros([count], Jax.Config.DefaultInt) : permutation[Remainder(TruePositions(first, count), n)];
        if (returnInverse)
        {
            var group = Subtract(Cumsum(first, 0, Jax.Config.DefaultInt), 1);
            inverse = Reshape(n == 0 ? group : group[Argsort(permutation)], x.Shape.Sizes);
        }
        if (returnCounts)
        {
            var bounds = n == 0 ? Zeros([count + 1], Jax.Config.DefaultInt) : TruePositions(first, count + 1);
            counts = Subtract(Lax.Slice(bounds, [1], [count + 1]), Lax.Slice(bounds, [0], [count]));
        }
        return (values, indices, inverse, counts);
    }

    /// <summary>The sorted unique elements of the flattened array (<c>jnp.unique</c>); see the overload with flags for <paramref name="size"/>.</summary>
    public static Tensor Unique(Tensor x, int? size = null, Tensor? fillValue = null, bool equalNan = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Unique(x, false, false, false, equalNan, size, fillValue).Values;
    }

    /// <summary>The array API's <c>unique_values</c>: the sorted unique elements (NaNs distinct).</summary>
    public static Tensor UniqueValues(Tensor x, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Unique(x, false, false, false, equalNan: false, size, fillValue).Values;
    }

    /// <summary>The array API's <c>unique_counts</c>: the unique elements and how often each occurs.</summary>
    public static (Tensor Values, Tensor Counts) UniqueCounts(Tensor x, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var r = Unique(x, false, false, true, equalNan: false, size, fillValue);
        return (r.Values, r.Counts!);
    }

    /// <summary>The array API's <c>unique_inverse</c>: the unique elements and, per input element (x's shape), its index among them.</summary>
    public static (Tensor Values, Tensor InverseIndices) UniqueInverse(Tensor x, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var r = Unique(x, false, true, false, equalNan: false, size, fillValue);
        return (r.Values, r.Inverse!);
    }

    /// <summary>The array API's <c>unique_all</c>: values, first-occurrence indices, inverse indices and counts.</summary>
    public static (Tensor Values, Tensor Indices, Tensor InverseIndices, Tensor Counts) UniqueAll(Tensor x, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var r = Unique(x, true, true, true, equalNan: false, size, fillValue);
        return (r.Values, r.Indices!, r.Inverse!, r.Counts!);
    }

    /// <summary>
    /// For the sorted, flattened ar1: which elements are the first of their run (all when assumed unique), and where
    /// each would sit in sorted ar2 and whether it is there.
    /// </summary>
    private static (Tensor Sorted, Tensor Permutation, Tensor First, Tensor Found, Tensor Position2, Tensor Permutation2) Matches(Tensor ar1, Tensor ar2, bool assumeUnique)
    {
        var promoted = PromoteDTypes(ar1, ar2);
        var (s1, p1) = SortFlat(promoted[0]);
        var (s2, p2) = SortFlat(promoted[1]);
        var first = assumeUnique ? FullLike(s1, true, DType.Bool) : FirstOfRuns(s1, equalNan: false);
        int n2 = (int)s2.Shape[0].Size;
        if (n2 == 0) return (s1, p1, first, FullLike(s1, false, DType.Bool), ZerosLike(s1, DType.Int32), p2);
        var position = Minimum(Searchsorted(s2, s1), n2 - 1);
        var found = Equal(s2[position], s1);
        return (s1, p1, first, found, position, p2);
    }

    /// <summary>The sorted unique values in both arrays (<c>jnp.intersect1d</c>); <paramref name="size"/> pads to a static size for jit.</summary>
    public static Tensor Intersect1d(Tensor ar1, Tensor ar2, bool assumeUnique = false, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(ar1);
        ArgumentNullException.ThrowIfNull(ar2);
        return Intersect1d(ar1, ar2, assumeUnique, returnIndices: false, size, fillValue).Values;
    }

    /// <summary>
    /// The sorted unique values in both arrays and, with <paramref name="returnIndices"/>, the index of each one's
    /// first occurrence in the flattened ar1 and ar2 (<c>jnp.intersect1d(..., return_indices=True)</c>; padding
    /// entries under <paramref name="size"/> get the out-of-bounds index ar1.size or ar2.size).
    /// </summary>
    public static (Tensor Values, Tensor Indices1, Tensor Indices2) Intersect1d(Tensor ar1, Tensor ar2, bool assumeUnique, bool returnIndices, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(ar1);
        ArgumentNullException.ThrowIfNull(ar2);
        CheckSize("intersect1d", size);
        var (s1, p1, first, found, position, p2) = Matches(ar1, ar2, assumeUnique);
        var keep = LogicalAnd(first, found);
        int count = size ?? ConcreteCount("intersect1d", keep);
        var values = Compress("intersect1d", s1, keep, count, size is null ? null : fillValue);
        if (!returnIndices) return (values, Zeros([0], Jax.Config.DefaultInt), Zeros([0], Jax.Config.DefaultInt));
        // Padding indices are out of bounds (each array's size), as JAX's.
        var indices1 = Compress("intersect1d", p1, keep, count, (int)p1.Size);
        var indices2 = p2.Size == 0 ? Zeros([count], Jax.Config.DefaultInt) : Compress("intersect1d", p2[position], keep, count, (int)p2.Size);
        return (values, indices1, indices2);
    }

    /// <summary>The sorted unique values in either array (<c>jnp.union1d</c>).</summary>
    public static Tensor Union1d(Tensor ar1, Tensor ar2, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(ar1);
        ArgumentNullException.ThrowIfNull(ar2);
        CheckSize("union1d", size);
        return Unique(Concatenate([Ravel(ar1), Ravel(ar2)]), size, fillValue, equalNan: true);
    }

    /// <summary>
    /// The unique values of ar1 that are not in ar2 (<c>jnp.setdiff1d</c>), sorted; with <paramref name="assumeUnique"/>
    /// ar1's elements in their order.
    /// </summary>
    public static Tensor Setdiff1d(Tensor ar1, Tensor ar2, bool assumeUnique = false, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(ar1);
        ArgumentNullException.ThrowIfNull(ar2);
        CheckSize("setdiff1d", size);
        var promoted = PromoteDTypes(ar1, ar2);
        Tensor values, keep;
        if (assumeUnique)
        {
            values = Ravel(promoted[0]);
            keep = Isin(values, promoted[1], invert: true);
        }
        else
        {
            values = SortFlat(promoted[0]).Sorted;
            keep = LogicalAnd(FirstOfRuns(values, equalNan: true), Isin(values, promoted[1], invert: true));
        }
        return Compress("setdiff1d", values, keep, size, fillValue);
    }

    /// <summary>The sorted unique values in exactly one of the arrays (<c>jnp.setxor1d</c>).</summary>
    public static Tensor Setxor1d(Tensor ar1, Tensor ar2, bool assumeUnique = false, int? size = null, Tensor? fillValue = null)
    {
        ArgumentNullException.ThrowIfNull(ar1);
        ArgumentNullException.ThrowIfNull(ar2);
        CheckSize("setxor1d", size);
        var promoted = PromoteDTypes(ar1, ar2);
        var s1 = SortFlat(promoted[0]).Sorted;
        var s2 = SortFlat(promoted[1]).Sorted;
        Tensor Only(Tensor sorted, Tensor other) =>
            LogicalAnd(assumeUnique ? FullLike(sorted, true, DType.Bool) : FirstOfRuns(sorted, equalNan: true), Isin(sorted, other, invert: true));
        var values = Concatenate([s1, s2]);
        var keep = Concatenate([Only(s1, s2), Only(s2, s1)]);
        if (values.Size == 0) return Compress("setxor1d", values, keep, size, fillValue);
        // Kept values first, in order: sort by (not kept, value).
        var ordered = Lax.Sort([Cast(LogicalNot(keep), DType.Int32), values], 0, isStable: true, numKeys: 2);
        var count = CountNonzero(keep);
        var leading = Less(Arange((int)values.Shape[0].Size, Jax.Config.DefaultInt), count);
        return Compress("setxor1d", ordered[1], leading, size, fillValue);
    }

    /// <summary>
    /// The indices that sort by several keys (<c>jnp.lexsort</c>): the last key is the primary one; all keys have one
    /// shape and are sorted along <paramref name="axis"/> (stable).
    /// </summary>
    public static Tensor Lexsort(IReadOnlyList<Tensor> keys, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) throw OpError("lexsort", "need sequence of keys with len > 0 in lexsort");
        foreach (var k in keys)
        {
            ArgumentNullException.ThrowIfNull(k, nameof(keys));
            if (k.Shape != keys[0].Shape)
                throw OpError("lexsort", $"all keys need to be the same shape, got {keys[0].Aval.ToLongString()} and {k.Aval.ToLongString()}");
        }
        if (keys[0].Ndim == 0) throw OpError("lexsort", "lexsort needs keys of at least one dimension");
        int a = Axes.Normalize(axis, keys[0].Ndim, "lexsort", keys[0].Aval);
        var iota = Lax.Iota(Jax.Config.DefaultInt, keys[0].Shape, a);
        return Lax.Sort([.. keys.Reverse(), iota], a, isStable: true, numKeys: keys.Count)[keys.Count];
    }

    /// <summary>The indices that sort by the rows of <paramref name="keys"/> (the last row primary), as <c>jnp.lexsort</c> of an array.</summary>
    public static Tensor Lexsort(Tensor keys, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Ndim < 2) throw OpError("lexsort", $"an array of keys needs at least two dimensions (keys along the first), got {keys.Aval.ToLongString()}");
        int k = (int)keys.Shape[0].Size;
        return Lexsort(Enumerable.Range(0, k).Select(i => keys[i]).ToArray(), axis);
    }

    private static int CheckKth(string op, Tensor a, int kth, int axis)
    {
        int n = (int)a.Shape[axis].Size;
        if (kth < -n || kth >= n) throw OpError(op, $"kth {kth} is out of bounds for axis {axis} of size {n} ({a.Aval.ToLongString()})");
        return axis;
    }

    /// <summary>
    /// A copy partitioned along <paramref name="axis"/> around the <paramref name="kth"/> element
    /// (<c>jnp.partition</c>): that element is where a sort would put it, smaller ones before it, larger ones after.
    /// This implementation sorts the axis fully, which is one such partition.
    /// </summary>
    public static Tensor Partition(Tensor a, int kth, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Sort(a, CheckKth("partition", a, kth, Axes.Normalize(axis, a.Ndim, "partition", a.Aval)));
    }

    /// <summary>The indices that partition a around its <paramref name="kth"/> element (<c>jnp.argpartition</c>; a stable full argsort, one such partition).</summary>
    public static Tensor Argpartition(Tensor a, int kth, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Argsort(a, CheckKth("argpartition", a, kth, Axes.Normalize(axis, a.Ndim, "argpartition", a.Aval)));
    }
}
