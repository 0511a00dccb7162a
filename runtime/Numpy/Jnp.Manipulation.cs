using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    // ---- helpers ----

    /// <summary>x[start:stop:stride] along one axis (static bounds).</summary>
    private static Tensor SliceAlong(Tensor x, int axis, int start, int stop, int stride = 1)
    {
        var begin = new int[x.Ndim];
        var limit = x.Shape.IntSizes;
        var strides = Enumerable.Repeat(1, x.Ndim).ToArray();
        (begin[axis], limit[axis], strides[axis]) = (start, stop, stride);
        return Lax.Slice(x, begin, limit, strides);
    }

    /// <summary>XLA's scatter (overwrite or add) with the given dimension numbers; out-of-bounds updates are dropped.</summary>
    private static Tensor ScatterIndexed(Primitive p, Tensor operand, Tensor indices, Tensor updates, int[] updateWindowDims, int[] insertedWindowDims, int[] scatterDimsToOperandDims, int indexVectorDim) =>
        Lax.Scatter(p, operand, indices, updates, updateWindowDims, insertedWindowDims, scatterDimsToOperandDims, indexVectorDim);

    /// <summary>Elements of x at static <paramref name="indices"/> (all in range) along an axis.</summary>
    private static Tensor TakeFixed(Tensor x, IReadOnlyCollection<int> indices, int axis) =>
        indices.Count == x.Shape[axis].Size && indices.Select((v, i) => v == i).All(b => b)
            ? x
            : Take(x, Array(indices.ToArray(), DType.Int32), axis);

    private static Tensor[] RequireArrays(string name, IEnumerable<Tensor> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays, name);
        var xs = arrays.ToArray();
        foreach (var x in xs) ArgumentNullException.ThrowIfNull(x, name);
        return xs;
    }

    // ---- tiling and repetition ----

    /// <summary>x repeated <paramref name="reps"/> times along its last axis (a 0-d x becomes 1-D).</summary>
    public static Tensor Tile(Tensor a, int reps)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Tile(a, [reps]);
    }

    /// <summary>
    /// x repeated along each axis by <paramref name="reps"/>; the shorter of x's shape and reps is padded with
    /// leading ones, as NumPy.
    /// </summary>
    public static Tensor Tile(Tensor a, int[] reps)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(reps);
        if (reps.Any(r => r < 0)) throw BreadthError("tile", $"negative repetitions are not allowed: ({string.Join(", ", reps)})");
        int rank = Math.Max(a.Ndim, reps.Length);
        var shape = Enumerable.Repeat(1L, rank - a.Ndim).Concat(a.Shape.Sizes).ToArray();
        var r = Enumerable.Repeat(1L, rank - reps.Length).Concat(reps.Select(v => (long)v)).ToArray();
        var interleaved = Reshape(a, [.. shape.SelectMany(n => new[] { 1L, n })]);
        var broadcast = Lax.BroadcastInDim(interleaved, Shape.Of([.. Enumerable.Range(0, rank).SelectMany(i => new[] { r[i], shape[i] })]),
            Enumerable.Range(0, 2 * rank).ToArray());
        return Reshape(broadcast, [.. shape.Select((n, i) => n * r[i])]);
    }

    /// <summary>Each element repeated <paramref name="repeats"/> times along an axis (the flattened array when null).</summary>
    public static Tensor Repeat(Tensor a, int repeats, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (repeats < 0) throw BreadthError("repeat", $"repeats may not contain negative values, got {repeats}");
        var (x, ax) = axis is null ? (Ravel(a), 0) : (a, Axes.Normalize(axis.Value, a.Ndim, "repeat", a.Aval));
        var sizes = x.Shape.Sizes;
        var expanded = Lax.ExpandDims(x, [ax + 1]);
        var target = sizes.Take(ax + 1).Append(repeats).Concat(sizes.Skip(ax + 1)).ToArray();
        var broadcast = BroadcastToShape(expanded, Shape.Of(target));
        var result = sizes.ToArray();
        result[ax] *= repeats;
        return Reshape(broadcast, result);
    }

    /// <summary>Element i repeated <c>repeats[i]</c> times along an axis (one value applies to all).</summary>
    public static Tensor Repeat(Tensor a, int[] repeats, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length == 1) return Repeat(a, repeats[0], axis);
        if (repeats.Any(r => r < 0)) throw BreadthError("repeat", $"repeats may not contain negative values, got ({string.Join(", ", repeats)})");
        var (x, ax) = axis is null ? (Ravel(a), 0) : (a, Axes.Normalize(axis.Value, a.Ndim, "repeat", a.Aval));
        if (repeats.Length != x.Shape[ax].Size)
            throw BreadthError("repeat", $"repeats ({repeats.Length} values) must have the length of axis {ax} of {x.Aval.ToLongString()}");
        var indices = repeats.SelectMany((r, i) => Enumerable.Repeat(i, r)).ToArray();
        return TakeFixed(x, indices, ax);
    }

    /// <summary>
    /// Element i repeated <c>repeats[i]</c> times along an axis, for repeats known only at run time: the output
    /// length must then be given as <paramref name="totalRepeatLength"/> (JAX's rule under jit); the output is cut
    /// there, or filled up with the last element. Concrete repeats without it are read.
    /// </summary>
    public static Tensor Repeat(Tensor a, Tensor repeats, int? axis = null, int? totalRepeatLength = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(repeats);
        if (!repeats.DType.IsInteger()) throw BreadthError("repeat", $"repeats must be integers, got {repeats.Aval.ToLongString()}");
        if (totalRepeatLength is null)
        {
            if (repeats.IsTracer)
                throw BreadthError("repeat", "repeats must be concrete unless total_repeat_length is given: pass totalRepeatLength under jit/vmap");
            var values = repeats.ToArray<long>().Select(v => checked((int)v)).ToArray();
            return repeats.Ndim == 0 ? Repeat(a, values[0], axis) : Repeat(a, values, axis);
        }
        if (totalRepeatLength < 0) throw BreadthError("repeat", $"total_repeat_length must be nonnegative, got {totalRepeatLength}");
        var (x, ax) = axis is null ? (Ravel(a), 0) : (a, Axes.Normalize(axis.Value, a.Ndim, "repeat", a.Aval));
        int n = (int)x.Shape[ax].Size, total = totalRepeatLength.Value;
        if (total == 0 || n == 0)
        {
            var shape = x.Shape.IntSizes;
            shape[ax] = n == 0 ? 0 : total;
            return Cast(Zeros(shape, x.DType), x.DType, x.WeakType);
        }
        if (repeats.Ndim > 1 || (repeats.Ndim == 1 && repeats.Size != 1 && repeats.Size != n))
            throw BreadthError("repeat", $"repeats {repeats.Aval.ToLongString()} must be a scalar or have the length of axis {ax} of {x.Aval.ToLongString()}");
        var counts = BroadcastToShape(Cast(Ravel(repeats), DType.Int32), Shape.Of(n));
        // As JAX: mark where each element's block starts (an exclusive cumulative sum of the repeats, scattered
        // with add), then a cumulative sum of the marks - 1 is each output position's source element.
        var starts = Subtract(Cumsum(counts), counts);
        var marks = ScatterIndexed(Prims.ScatterAdd, Zeros([total], DType.Int32), starts, OnesLike(starts), [], [0], [0], 1);
        var source = Subtract(Cumsum(marks), 1);
        return Take(x, Clip(source, 0, n - 1), ax);
    }

    // ---- rolling and rotation ----

    /// <summary>Elements shifted by <paramref name="shift"/> along an axis, wrapping around (the flattened array when null).</summary>
    public static Tensor Roll(Tensor a, int shift, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (axis is null) return Reshape(RollStatic(Ravel(a), shift, 0), a.Shape.Sizes);
        return RollStatic(a, shift, Axes.Normalize(axis.Value, a.Ndim, "roll", a.Aval));
    }

    /// <summary>Elements shifted along several axes (shifts and axes broadcast against each other; an axis may repeat).</summary>
    public static Tensor Roll(Tensor a, int[] shift, int[] axis)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentNullException.ThrowIfNull(axis);
        int n = Math.Max(shift.Length, axis.Length);
        if ((shift.Length != n && shift.Length != 1) || (axis.Length != n && axis.Length != 1))
            throw BreadthError("roll", $"shift ({string.Join(", ", shift)}) and axis ({string.Join(", ", axis)}) must have the same length or length 1");
        for (int i = 0; i < n; i++)
            a = RollStatic(a, shift[shift.Length == 1 ? 0 : i], Axes.Normalize(axis[axis.Length == 1 ? 0 : i], a.Ndim, "roll", a.Aval));
        return a;
    }

    /// <summary>Elements shifted by a run-time shift (an integer scalar, possibly traced) along an axis (flattened when null).</summary>
    public static Tensor Roll(Tensor a, Tensor shift, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(shift);
        if (shift.Ndim != 0 || !shift.DType.IsInteger())
            throw BreadthError("roll", $"a run-time shift must be an integer scalar, got {shift.Aval.ToLongString()}");
        if (axis is null) return Reshape(Roll(Ravel(a), shift, 0), a.Shape.Sizes);
        int ax = Axes.Normalize(axis.Value, a.Ndim, "roll", a.Aval);
        int n = (int)a.Shape[ax].Size;
        if (n == 0) return a;
        var start = Cast(Remainder(Negative(Cast(shift, DType.Int32)), n), DType.Int32);
        var doubled = Lax.Concatenate([a, a], ax);
        var starts = Enumerable.Range(0, a.Ndim).Select(d => d == ax ? start : Array(0, DType.Int32)).ToArray();
        return Lax.DynamicSlice(doubled, starts, a.Shape.IntSizes);
    }

    private static Tensor RollStatic(Tensor a, int shift, int axis)
    {
        int n = (int)a.Shape[axis].Size;
        if (n == 0) return a;
        int s = (int)(((long)shift % n + n) % n);
        if (s == 0) return a;
        return Lax.Concatenate([SliceAlong(a, axis, n - s, n), SliceAlong(a, axis, 0, n - s)], axis);
    }

    /// <summary>Rotates by 90 degrees <paramref name="k"/> times in the plane of <paramref name="axes"/> (default (0, 1)), from the first axis toward the second.</summary>
    public static Tensor Rot90(Tensor m, int k = 1, (int First, int Second)? axes = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Ndim < 2) throw BreadthError("rot90", $"rot90 requires an array of at least 2 dimensions, got {m.Aval.ToLongString()}");
        var (first, second) = axes ?? (0, 1);
        int ax1 = Axes.Normalize(first, m.Ndim, "rot90", m.Aval), ax2 = Axes.Normalize(second, m.Ndim, "rot90", m.Aval);
        if (ax1 == ax2) throw BreadthError("rot90", $"Axes must be different, got ({first}, {second})");
        k = ((k % 4) + 4) % 4;
        if (k == 0) return m;
        if (k == 2) return Lax.Rev(m, [ax1, ax2]);
        var perm = Enumerable.Range(0, m.Ndim).ToArray();
        (perm[ax1], perm[ax2]) = (perm[ax2], perm[ax1]);
        return k == 1 ? Lax.Transpose(Lax.Rev(m, [ax2]), perm) : Lax.Rev(Lax.Transpose(m, perm), [ax2]);
    }

    /// <summary>Reverses the second axis (left/right); needs at least 2 dimensions.</summary>
    public static Tensor Fliplr(Tensor m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Ndim < 2) throw BreadthError("fliplr", $"fliplr requires an array of at least 2 dimensions, got {m.Aval.ToLongString()}");
        return Lax.Rev(m, [1]);
    }

    /// <summary>Reverses the first axis (up/down); needs at least 1 dimension.</summary>
    public static Tensor Flipud(Tensor m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.Ndim < 1) throw BreadthError("flipud", $"flipud requires an array of at least 1 dimension, got {m.Aval.ToLongString()}");
        return Lax.Rev(m, [0]);
    }

    // ---- dimensions ----

    /// <summary>x with at least one dimension (a scalar becomes shape (1,)).</summary>
    public static Tensor Atleast1d(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x).Ndim >= 1 ? x : Reshape(x, 1);
    }

    /// <summary>Each array with at least one dimension.</summary>
    public static Tensor[] Atleast1d(params Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        return [.. RequireArrays(nameof(xs), xs).Select(Atleast1d)];
    }

    /// <summary>x with at least two dimensions (a scalar becomes (1, 1), a vector of n becomes (1, n)).</summary>
    public static Tensor Atleast2d(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x).Ndim >= 2 ? x : Reshape(x, 1, -1);
    }

    /// <summary>Each array with at least two dimensions.</summary>
    public static Tensor[] Atleast2d(params Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        return [.. RequireArrays(nameof(xs), xs).Select(Atleast2d)];
    }

    /// <summary>x with at least three dimensions: a scalar (1, 1, 1), a vector of n (1, n, 1), a matrix (m, n, 1).</summary>
    public static Tensor Atleast3d(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x).Ndim switch
        {
            0 => Reshape(x, 1, 1, 1),
            1 => Reshape(x, 1, -1, 1),
            2 => Lax.ExpandDims(x, [2]),
            _ => x,
        };
    }

    /// <summary>Each array with at least three dimensions.</summary>
    public static Tensor[] Atleast3d(params Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        return [.. RequireArrays(nameof(xs), xs).Select(Atleast3d)];
    }

    /// <summary>The axes permuted (the array API's <c>permute_dims</c>; <paramref name="axes"/> is required).</summary>
    public static Tensor PermuteDims(Tensor a, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(axes);
        return Transpose(a, axes);
    }

    /// <summary>The last two axes swapped (the array API's <c>matrix_transpose</c>); needs at least 2 dimensions.</summary>
    public static Tensor MatrixTranspose(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Ndim < 2) throw BreadthError("matrix_transpose", $"x must be at least two-dimensional for matrix_transpose; got {x.Aval.ToLongString()}");
        return Swapaxes(x, -1, -2);
    }

    /// <summary>The shape that shapes broadcast to (NumPy's rules), or an error naming them.</summary>
    public static int[] BroadcastShapes(params int[][] shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (shapes.Length == 0) return [];
        var parsed = shapes.Select(s => ShapeOf(s ?? throw new ArgumentNullException(nameof(shapes)))).ToArray();
        var result = TryBroadcastShapes(parsed)
            ?? throw BreadthError("broadcast_shapes", $"incompatible shapes for broadcasting: {string.Join(", ", parsed.Select(s => s.ToTupleString()))}");
        return result.IntSizes;
    }

    // ---- stacking and splitting ----

    /// <summary>1-D arrays as the columns of a 2-D array; 2-D arrays are joined along their second axis.</summary>
    public static Tensor ColumnStack(IEnumerable<Tensor> tup)
    {
        ArgumentNullException.ThrowIfNull(tup);
        return Concatenate(RequireArrays(nameof(tup), tup).Select(x => x.Ndim < 2 ? Reshape(x, -1, 1) : x), 1);
    }

    /// <summary>Arrays joined along a third axis (each made at least 3-D first).</summary>
    public static Tensor Dstack(IEnumerable<Tensor> tup)
    {
        ArgumentNullException.ThrowIfNull(tup);
        return Concatenate(RequireArrays(nameof(tup), tup).Select(Atleast3d), 2);
    }

    /// <summary>Arrays stacked as rows (NumPy's <c>row_stack</c>, as <see cref="Vstack"/>).</summary>
    public static Tensor RowStack(IEnumerable<Tensor> tup)
    {
        ArgumentNullException.ThrowIfNull(tup);
        return Vstack(RequireArrays(nameof(tup), tup));
    }

    /// <summary>
    /// Splits into <paramref name="sections"/> parts that need not divide the axis: the first <c>n % sections</c>
    /// parts have one element more.
    /// </summary>
    public static Tensor[] ArraySplit(Tensor x, int sections, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = Axes.Normalize(axis, x.Ndim, "array_split", x.Aval);
        if (sections <= 0) throw BreadthError("array_split", $"number sections must be larger than 0, got {sections}");
        int n = (int)x.Shape[a].Size, each = n / sections, extra = n % sections;
        var bounds = new int[sections - 1];
        for (int i = 1, at = 0; i < sections; i++) bounds[i - 1] = at += each + (i - 1 < extra ? 1 : 0);
        return Split(x, bounds, axis);
    }

    /// <summary>Splits at the given indices along an axis (as <see cref="Split(Tensor, int[], int)"/>).</summary>
    public static Tensor[] ArraySplit(Tensor x, int[] indices, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        return Split(x, indices, axis);
    }

    private static int SplitAxis(string op, Tensor x, int minRank, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Ndim < minRank) throw BreadthError(op, $"{op} only works on arrays of {minRank} or more dimensions, got {x.Aval.ToLongString()}");
        return axis;
    }

    /// <summary>Splits horizontally into equal sections (along axis 1, or 0 for 1-D arrays).</summary>
    public static Tensor[] Hsplit(Tensor x, int sections)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Split(x, sections, SplitAxis("hsplit", x, 1, x.Ndim == 1 ? 0 : 1));
    }

    /// <summary>Splits horizontally at indices (along axis 1, or 0 for 1-D arrays).</summary>
    public static Tensor[] Hsplit(Tensor x, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        return Split(x, indices, SplitAxis("hsplit", x, 1, x.Ndim == 1 ? 0 : 1));
    }

    /// <summary>Splits vertically into equal sections (along axis 0; needs 2 dimensions).</summary>
    public static Tensor[] Vsplit(Tensor x, int sections)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Split(x, sections, SplitAxis("vsplit", x, 2, 0));
    }

    /// <summary>Splits vertically at indices (along axis 0; needs 2 dimensions).</summary>
    public static Tensor[] Vsplit(Tensor x, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        return Split(x, indices, SplitAxis("vsplit", x, 2, 0));
    }

    /// <summary>Splits in depth into equal sections (along axis 2; needs 3 dimensions).</summary>
    public static Tensor[] Dsplit(Tensor x, int sections)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Split(x, sections, SplitAxis("dsplit", x, 3, 2));
    }

    /// <summary>Splits in depth at indices (along axis 2; needs 3 dimensions).</summary>
    public static Tensor[] Dsplit(Tensor x, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        return Split(x, indices, SplitAxis("dsplit", x, 3, 2));
    }

    /// <summary>
    /// Arrays assembled from a list of blocks: the arrays (made at least 1-D) are joined along the last axis
    /// (NumPy's <c>block</c> for a flat list).
    /// </summary>
    public static Tensor Block(IEnumerable<Tensor> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var xs = RequireArrays(nameof(arrays), arrays);
        if (xs.Length == 0) throw BreadthError("block", "List at arrays cannot be empty");
        int rank = Math.Max(1, xs.Max(x => x.Ndim));
        return Concatenate(xs.Select(x => PrependOnes(x, rank)), -1);
    }

    /// <summary>
    /// Arrays assembled from a nested list of blocks (NumPy's <c>block</c>, depth 2): each inner list is joined
    /// along the last axis, and the rows so formed along the second-to-last; arrays are made at least 2-D.
    /// </summary>
    public static Tensor Block(IEnumerable<IEnumerable<Tensor>> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var rows = arrays.Select(r => RequireArrays(nameof(arrays), r)).ToArray();
        if (rows.Length == 0 || rows.Any(r => r.Length == 0)) throw BreadthError("block", "List at arrays cannot be empty");
        int rank = Math.Max(2, rows.Max(r => r.Max(x => x.Ndim)));
        return Concatenate(rows.Select(r => Concatenate(r.Select(x => PrependOnes(x, rank)), -1)), -2);
    }

    private static Tensor PrependOnes(Tensor x, int rank) =>
        x.Ndim >= rank ? x : Reshape(x, [.. Enumerable.Repeat(1L, rank - x.Ndim), .. x.Shape.Sizes]);

    // ---- indexing along an axis ----

    /// <summary>The full index tuple of take/put_along_axis: iotas on the other axes, the indices (negatives wrapped) on <paramref name="axis"/>.</summary>
    private static (Tensor[] Index, Shape Shape) AlongAxisIndex(string op, Tensor arr, Tensor indices, int axis)
    {
        if (!indices.DType.IsInteger()) throw BreadthError(op, $"indices must be integers, got {indices.Aval.ToLongString()}");
        if (indices.Ndim != arr.Ndim)
            throw BreadthError(op, $"indices and arr must have the same number of dimensions; {indices.Aval.ToLongString()} vs. {arr.Aval.ToLongString()}");
        var dims = new long[arr.Ndim];
        for (int d = 0; d < arr.Ndim; d++)
        {
            long n = arr.Shape[d].Size, m = indices.Shape[d].Size;
            if (d == axis || n == 1) dims[d] = m;
            else if (n == m || m == 1) dims[d] = n;
            else throw BreadthError(op, $"indices {indices.Aval.ToLongString()} and arr {arr.Aval.ToLongString()} do not broadcast on axis {d}");
        }
        var shape = Shape.Of(dims);
        int size = (int)arr.Shape[axis].Size;
        // Negative indices count from the end; out-of-range ones end up in [-1, size], out of bounds for the gather or scatter.
        Tensor idx;
        if (indices.DType is DType.UInt32 or DType.UInt64) idx = Cast(Minimum(indices, size), DType.Int32);
        else
        {
            idx = Cast(indices, indices.DType == DType.Int64 ? DType.Int64 : DType.Int32);
            idx = Where(Less(idx, 0), Add(idx, size), idx);
            idx = Cast(Clip(idx, -1, size), DType.Int32);
        }
        var index = Enumerable.Range(0, arr.Ndim).Select(d =>
            d == axis ? BroadcastToShape(idx, shape)
            : arr.Shape[d].Size == 1 ? Zeros([.. shape.IntSizes], DType.Int32)
            : Lax.Iota(DType.Int32, shape, d)).ToArray();
        return (index, shape);
    }

    /// <summary>
    /// Elements of arr at <paramref name="indices"/> along <paramref name="axis"/> (the flattened array when null);
    /// the other axes of indices and arr broadcast. Negative indices count from the end; out-of-range ones give the
    /// fill value (NaN for floats), JAX's default <c>mode="fill"</c>.
    /// </summary>
    public static Tensor TakeAlongAxis(Tensor arr, Tensor indices, int? axis)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(indices);
        if (axis is null)
        {
            if (indices.Ndim != 1) throw BreadthError("take_along_axis", $"when axis is None, indices must be 1-D, got {indices.Aval.ToLongString()}");
            arr = Ravel(arr);
        }
        int a = axis is null ? 0 : Axes.Normalize(axis.Value, arr.Ndim, "take_along_axis", arr.Aval);
        var (index, shape) = AlongAxisIndex("take_along_axis", arr, indices, a);
        var all = Enumerable.Range(0, arr.Ndim).ToArray();
        return Lax.Gather(arr, Stack(index, -1), offsetDims: [], collapsedSliceDims: all, startIndexMap: all,
            indexVectorDim: shape.Rank, sliceSizes: [.. all.Select(_ => 1)], mode: GatherMode.Fill);
    }

    /// <summary>
    /// A copy of arr with <paramref name="values"/> (broadcast to the indices' shape) written at <paramref name="indices"/>
    /// along <paramref name="axis"/> (the flattened array when null; the result keeps arr's shape), as JAX's
    /// <c>put_along_axis(..., inplace=False)</c>. Out-of-range indices are dropped; for duplicates the last value wins.
    /// </summary>
    public static Tensor PutAlongAxis(Tensor arr, Tensor indices, Tensor values, int? axis)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        var original = arr.Shape;
        if (axis is null)
        {
            if (indices.Ndim != 1) throw BreadthError("put_along_axis", $"when axis is None, indices must be 1-D, got {indices.Aval.ToLongString()}");
            arr = Ravel(arr);
        }
        int a = axis is null ? 0 : Axes.Normalize(axis.Value, arr.Ndim, "put_along_axis", arr.Aval);
        var (index, shape) = AlongAxisIndex("put_along_axis", arr, indices, a);
        var v = Cast(values, arr.DType, arr.WeakType);
        if (TryBroadcastShapes([v.Shape, shape]) != shape)
            throw BreadthError("put_along_axis", $"values {values.Aval.ToLongString()} do not broadcast to the indices' shape {shape.ToTupleString()}");
        var all = Enumerable.Range(0, arr.Ndim).ToArray();
        var result = ScatterIndexed(Prims.Scatter, arr, Stack(index, -1), BroadcastToShape(v, shape), [], all, all, shape.Rank);
        return result.Shape == original ? result : Lax.Reshape(result, original);
    }

    /// <summary>arr with <paramref name="values"/> appended along an axis (both flattened when null).</summary>
    public static Tensor Append(Tensor arr, Tensor values, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(values);
        if (axis is null) return Concatenate([Ravel(arr), Ravel(values)]);
        if (arr.Ndim != values.Ndim)
            throw BreadthError("append", $"arr and values must have the same number of dimensions, got {arr.Aval.ToLongString()} and {values.Aval.ToLongString()}");
        return Concatenate([arr, values], axis.Value);
    }

    /// <summary>
    /// arr with <paramref name="values"/> inserted before position <paramref name="index"/> along an axis (the
    /// flattened array when null). Values are cast to arr's dtype and broadcast; out-of-range positions are clipped, as JAX.
    /// </summary>
    public static Tensor Insert(Tensor arr, int index, Tensor values, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(values);
        return InsertAt(arr, [index], scalarIndex: true, values, axis);
    }

    /// <summary>arr with one value inserted before each of <paramref name="indices"/> (positions in the original array).</summary>
    public static Tensor Insert(Tensor arr, int[] indices, Tensor values, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return InsertAt(arr, indices, scalarIndex: false, values, axis);
    }

    private static Tensor InsertAt(Tensor arr, int[] indices, bool scalarIndex, Tensor values, int? axis)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(values);
        var (x, ax) = axis is null ? (Ravel(arr), 0) : (arr, Axes.Normalize(axis.Value, arr.Ndim, "insert", arr.Aval));
        int n = (int)x.Shape[ax].Size;
        var v = Cast(values, x.DType, x.WeakType);
        if (v.Ndim > x.Ndim)
            throw BreadthError("insert", $"values {values.Aval.ToLongString()} have more dimensions than arr {x.Aval.ToLongString()}");
        v = PrependOnes(v, x.Ndim);
        if (scalarIndex) v = Moveaxis(v, 0, ax);
        int count = scalarIndex ? (int)v.Shape[ax].Size : indices.Length;
        if (!scalarIndex && v.Shape[ax].Size != 1 && v.Shape[ax].Size != count)
            throw BreadthError("insert", $"values {values.Aval.ToLongString()} do not broadcast to {count} insertions along axis {ax}");
        var slot = x.Shape.IntSizes;
        slot[ax] = count;
        if (TryBroadcastShapes([v.Shape, Shape.Of(slot)]) != Shape.Of(slot))
            throw BreadthError("insert", $"values {values.Aval.ToLongString()} do not broadcast to shape {Shape.Of(slot).ToTupleString()}");
        v = BroadcastToShape(v, Shape.Of(slot));
        var positions = (scalarIndex ? Enumerable.Repeat(indices[0], count) : indices).Select(i => Math.Clamp(i < 0 ? i + n : i, 0, n)).ToArray();
        // As NumPy: stably sorted, the k-th inserted value moves k places on.
        var order = Enumerable.Range(0, count).OrderBy(k => positions[k]).ToArray();
        var target = new int[count];
        for (int k = 0; k < count; k++) target[order[k]] = positions[order[k]] + k;
        var source = new int[n + count];
        var taken = new bool[n + count];
        for (int k = 0; k < count; k++) (source[target[k]], taken[target[k]]) = (n + k, true);
        for (int p = 0, i = 0; p < n + count; p++)
            if (!taken[p]) source[p] = i++;
        return TakeFixed(Concatenate([x, v], ax), source, ax);
    }

    /// <summary>arr without the element at <paramref name="index"/> along an axis (the flattened array when null).</summary>
    public static Tensor Delete(Tensor arr, int index, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(arr);
        var (x, ax) = axis is null ? (Ravel(arr), 0) : (arr, Axes.Normalize(axis.Value, arr.Ndim, "delete", arr.Aval));
        int n = (int)x.Shape[ax].Size;
        if (index < -n || index >= n) throw BreadthError("delete", $"index {index} is out of bounds for axis {ax} with size {n}");
        return Delete(arr, [index], axis);
    }

    /// <summary>arr without the elements at <paramref name="indices"/> along an axis (negative ones count from the end; out-of-range ones are ignored, as JAX).</summary>
    public static Tensor Delete(Tensor arr, int[] indices, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(arr);
        ArgumentNullException.ThrowIfNull(indices);
        var (x, ax) = axis is null ? (Ravel(arr), 0) : (arr, Axes.Normalize(axis.Value, arr.Ndim, "delete", arr.Aval));
        int n = (int)x.Shape[ax].Size;
        var removed = indices.Where(i => i >= -n && i < n).Select(i => i < 0 ? i + n : i).ToHashSet();
        return TakeFixed(x, Enumerable.Range(0, n).Where(i => !removed.Contains(i)).ToArray(), ax);
    }

    /// <summary>The flattened array repeated (or cut) to fill a new shape, as NumPy's <c>resize</c> (zeros from an empty array).</summary>
    public static Tensor Resize(Tensor a, int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(newShape);
        if (newShape.Any(d => d < 0)) throw BreadthError("resize", $"all elements of `new_shape` must be non-negative, got ({string.Join(", ", newShape)})");
        var flat = Ravel(a);
        long size = newShape.Aggregate(1L, (p, d) => p * d);
        if (flat.Size == 0 || size == 0) return Cast(Zeros(newShape, a.DType), a.DType, a.WeakType);
        int repeats = (int)((size + flat.Size - 1) / flat.Size);
        return Reshape(Lax.Slice(Tile(flat, repeats), [0], [(int)size]), [.. newShape.Select(d => (long)d)]);
    }

    // ---- selection ----

    /// <summary>
    /// Elementwise, the choice of the first condition that holds, else <paramref name="default"/> (0 when null);
    /// conditions (bool) and choices broadcast and the choices promote together.
    /// </summary>
    public static Tensor Select(IEnumerable<Tensor> condlist, IEnumerable<Tensor> choicelist, Tensor? @default = null)
    {
        ArgumentNullException.ThrowIfNull(condlist);
        ArgumentNullException.ThrowIfNull(choicelist);
        var conditions = RequireArrays(nameof(condlist), condlist);
        var choices = RequireArrays(nameof(choicelist), choicelist);
        if (conditions.Length != choices.Length)
            throw BreadthError("select", $"condlist must have length equal to choicelist ({conditions.Length} vs {choices.Length})");
        if (conditions.Length == 0) throw BreadthError("select", "condlist must be non-empty");
        foreach (var c in conditions)
            if (c.DType != DType.Bool) throw BreadthError("select", $"condlist entries must be boolean arrays, got {c.Aval.ToLongString()}");
        var fallback = @default ?? Scalars.WeakInt(0);
        var (dtype, weak) = Promoted([fallback, .. choices]);
        var result = Cast(fallback, dtype, weak);
        for (int i = conditions.Length - 1; i >= 0; i--) result = Where(conditions[i], Cast(choices[i], dtype, weak), result);
        return result;
    }

    /// <summary>
    /// Elementwise, <c>choices[a]</c>: a picks one of the (broadcast, promoted) choices. <paramref name="mode"/>
    /// "raise" checks a (concrete only), "wrap" takes it modulo the number of choices, "clip" clamps it.
    /// </summary>
    public static Tensor Choose(Tensor a, IEnumerable<Tensor> choices, string mode = "raise")
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentNullException.ThrowIfNull(a);
        var cs = RequireArrays(nameof(choices), choices);
        if (!a.DType.IsInteger()) throw BreadthError("choose", $"`a` array must be integer typed, got {a.Aval.ToLongString()}");
        if (cs.Length == 0) throw BreadthError("choose", "choices must be non-empty");
        int n = cs.Length;
        switch (mode)
        {
            case "raise":
                if (a.IsTracer)
                    throw BreadthError("choose", "mode='raise' needs concrete indices; under jit/vmap use mode='wrap' or mode='clip'");
                if (a.ToArray<long>().Any(i => i < 0 || i >= n)) throw BreadthError("choose", $"invalid entry in choice array (choices has {n} entries)");
                break;
            case "wrap":
                a = Remainder(a, n);
                break;
            case "clip":
                a = Clip(a, 0, n - 1);
                break;
            default:
                throw BreadthError("choose", $"mode='{mode}' not understood. Must be 'raise', 'wrap', or 'clip'");
        }
        var (dtype, weak) = Promoted(cs);
        var result = Cast(cs[n - 1], dtype, weak);
        for (int i = n - 2; i >= 0; i--) result = Where(Equal(a, i), Cast(cs[i], dtype, weak), result);
        return BroadcastToShape(result, BroadcastShapes("choose", [a, result]));
    }

    /// <summary>
    /// The slices of a along an axis (the flattened array when null) where the static <paramref name="condition"/>
    /// holds; a shorter condition covers only the first elements, a longer one must be false beyond the axis.
    /// </summary>
    public static Tensor Compress(bool[] condition, Tensor a, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        var (x, ax) = axis is null ? (Ravel(a), 0) : (a, Axes.Normalize(axis.Value, a.Ndim, "compress", a.Aval));
        int n = (int)x.Shape[ax].Size;
        if (condition.Skip(n).Any(c => c)) throw BreadthError("compress", $"condition contains entries that are out of bounds (axis {ax} has {n} elements)");
        return TakeFixed(x, Enumerable.Range(0, Math.Min(n, condition.Length)).Where(i => condition[i]).ToArray(), ax);
    }

    /// <summary>As <see cref="Compress(bool[], Tensor, int?)"/> with a concrete 1-D condition array (truthiness of its elements).</summary>
    public static Tensor Compress(Tensor condition, Tensor a, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(condition);
        if (condition.IsTracer)
            throw BreadthError("compress", "the condition must be concrete: compress has a data-dependent shape");
        if (condition.Ndim != 1) throw BreadthError("compress", $"condition must be a 1D array, got {condition.Aval.ToLongString()}");
        return Compress(Truth(condition).ToArray<bool>(), a, axis);
    }

    /// <summary>
    /// Piecewise-defined values: where <c>condlist[i]</c> holds, <c>funclist[i](x)</c> (a later condition wins);
    /// elsewhere 0, or <c>funclist[n](x)</c> when there is one more function than conditions. Results are cast to
    /// x's dtype; every function is evaluated on all of x (as JAX).
    /// </summary>
    public static Tensor Piecewise(Tensor x, IEnumerable<Tensor> condlist, IEnumerable<Func<Tensor, Tensor>> funclist)
    {
        ArgumentNullException.ThrowIfNull(condlist);
        ArgumentNullException.ThrowIfNull(x);
        var conditions = RequireArrays(nameof(condlist), condlist);
        ArgumentNullException.ThrowIfNull(funclist);
        var functions = funclist.ToArray();
        if (functions.Length != conditions.Length && functions.Length != conditions.Length + 1)
            throw BreadthError("piecewise", $"with {conditions.Length} condition(s), either {conditions.Length} or {conditions.Length + 1} functions are needed, got {functions.Length}");
        foreach (var c in conditions)
            if (c.Shape != x.Shape) throw BreadthError("piecewise", $"each condition must have x's shape {x.Aval.ToLongString()}, got {c.Aval.ToLongString()}");
        Tensor Apply(Func<Tensor, Tensor> f) => BroadcastToShape(Cast(f(x), x.DType, x.WeakType), x.Shape);
        var result = functions.Length > conditions.Length ? Apply(functions[^1]) : ZerosLike(x);
        for (int i = 0; i < conditions.Length; i++) result = Where(conditions[i], Apply(functions[i]), result);
        return result;
    }

    // ---- flat and multi-dimensional indices ----

    /// <summary>
    /// Flat indices into a shape as one index array per dimension (C order); out-of-range indices are clipped
    /// first (negatives count from the end), as JAX.
    /// </summary>
    public static Tensor[] UnravelIndex(Tensor indices, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(indices);
        var dims = ShapeOf(shape ?? throw new ArgumentNullException(nameof(shape))).IntSizes;
        if (!indices.DType.IsInteger()) throw BreadthError("unravel_index", $"only int indices permitted, got {indices.Aval.ToLongString()}");
        long total = dims.Aggregate(1L, (p, d) => p * d);
        var index = indices.DType.IsUnsignedInteger() ? Minimum(indices, total - 1) : Clip(indices, -total, total - 1);
        index = Where(Less(index, 0), Add(index, total), index);
        var result = new Tensor[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            result[d] = Remainder(index, dims[d]);
            index = FloorDivide(index, dims[d]);
        }
        return result;
    }

    /// <summary>
    /// The flat index (C or Fortran order) of each coordinate tuple; out-of-range coordinates are an error with
    /// <paramref name="mode"/> "raise" (concrete only), wrap around with "wrap", or are clamped with "clip".
    /// </summary>
    public static Tensor RavelMultiIndex(Tensor[] multiIndex, int[] dims, string mode = "raise", string order = "C")
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(multiIndex);
        ArgumentNullException.ThrowIfNull(dims);
        var coordinates = RequireArrays(nameof(multiIndex), multiIndex);
        var sizes = ShapeOf(dims ?? throw new ArgumentNullException(nameof(dims))).IntSizes;
        if (coordinates.Length != sizes.Length)
            throw BreadthError("ravel_multi_index", $"parameter multi_index must be a sequence of length {sizes.Length}, got {coordinates.Length}");
        if (order is not ("C" or "F")) throw BreadthError("ravel_multi_index", $"order must be 'C' or 'F', got '{order}'");
        foreach (var c in coordinates)
            if (!c.DType.IsInteger()) throw BreadthError("ravel_multi_index", $"only int indices permitted, got {c.Aval.ToLongString()}");
        for (int d = 0; d < sizes.Length; d++)
        {
            coordinates[d] = mode switch
            {
                "raise" => coordinates[d].IsTracer
                    ? throw BreadthError("ravel_multi_index", "mode='raise' needs concrete indices; under jit/vmap use mode='wrap' or mode='clip'")
                    : coordinates[d].ToArray<long>().Any(i => i < 0 || i >= sizes[d])
                        ? throw BreadthError("ravel_multi_index", $"invalid entry in coordinates array (dimension {d} has size {sizes[d]})")
                        : coordinates[d],
                "wrap" => Remainder(coordinates[d], sizes[d]),
                "clip" => Clip(coordinates[d], 0, sizes[d] - 1),
                _ => throw BreadthError("ravel_multi_index", $"mode='{mode}' not understood. Must be 'raise', 'wrap', or 'clip'"),
            };
        }
        var strides = new long[sizes.Length];
        long stride = 1;
        for (int k = 0; k < sizes.Length; k++)
        {
            int d = order == "C" ? sizes.Length - 1 - k : k;
            strides[d] = stride;
            stride *= sizes[d];
        }
        Tensor result = Scalars.WeakInt(0);
        for (int d = 0; d < sizes.Length; d++) result = Add(result, Multiply(coordinates[d], strides[d]));
        return result;
    }

    /// <summary>
    /// The indices of the truthy elements as rows of a (count, ndim) array; concrete x only unless
    /// <paramref name="size"/> is given (then padded rows hold <paramref name="fillValue"/>).
    /// </summary>
    public static Tensor Argwhere(Tensor a, int? size = null, long fillValue = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        var x = Atleast1d(a);
        var columns = size is null ? Nonzero(x) : Nonzero(x, size.Value, fillValue);
        var result = Stack(columns, 1);
        return a.Ndim == 0 ? Lax.Slice(result, [0, 0], [(int)result.Shape[0].Size, 0]) : result;
    }

    /// <summary>The indices of the truthy elements of the flattened array (concrete unless <paramref name="size"/> is given).</summary>
    public static Tensor Flatnonzero(Tensor a, int? size = null, long fillValue = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        var flat = Ravel(a);
        return size is null ? Nonzero(flat)[0] : Nonzero(flat, size.Value, fillValue)[0];
    }
}
