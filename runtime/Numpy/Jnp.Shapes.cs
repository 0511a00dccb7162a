using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>x with a new shape; one dimension may be -1 (inferred).</summary>
    public static Tensor Reshape(Tensor x, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        int unknown = System.Array.IndexOf(shape, -1L);
        var dims = new Dim[shape.Length];
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (i == unknown) continue;
            if (shape[i] < 0)
                throw new JaxTypeException("reshape", $"invalid dimension {shape[i]} in ({string.Join(", ", shape)}){Dispatch.At(SourceLocation.FindCaller())}");
            dims[i] = Dim.Of(shape[i]);
            known *= shape[i];
        }
        if (unknown >= 0)
        {
            long total = x.Size;
            if (known == 0 || total % known != 0)
                throw new JaxTypeException("reshape", $"cannot reshape {x.Aval.ToLongString()} into shape ({string.Join(", ", shape)}){Dispatch.At(SourceLocation.FindCaller())}");
            dims[unknown] = Dim.Of(total / known);
        }
        var target = new Shape(dims);
        return x.Shape == target ? x : Lax.Reshape(x, target);
    }

    /// <summary>x flattened to 1-D.</summary>
    public static Tensor Ravel(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Ndim == 1 ? x : Reshape(x, -1);
    }

    /// <summary>Permutes axes (default: reversed).</summary>
    public static Tensor Transpose(Tensor x, int[]? axes = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var perm = axes is null
            ? Enumerable.Range(0, x.Ndim).Reverse().ToArray()
            : axes.Select(a => Axes.Normalize(a, x.Ndim, "transpose", x.Aval)).ToArray();
        if (perm.Length != x.Ndim || perm.Distinct().Count() != perm.Length)
            throw new JaxTypeException("transpose", $"axes ({string.Join(", ", axes!)}) do not match {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return perm.Select((p, i) => p == i).All(b => b) ? x : Lax.Transpose(x, perm);
    }

    /// <summary>Interchanges two axes.</summary>
    public static Tensor Swapaxes(Tensor x, int axis1, int axis2)
    {
        ArgumentNullException.ThrowIfNull(x);
        var perm = Enumerable.Range(0, x.Ndim).ToArray();
        int a = Axes.Normalize(axis1, x.Ndim, "swapaxes", x.Aval), b = Axes.Normalize(axis2, x.Ndim, "swapaxes", x.Aval);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Transpose(x, perm);
    }

    /// <summary>Moves an axis to a new position.</summary>
    public static Tensor Moveaxis(Tensor x, int source, int destination)
    {
        ArgumentNullException.ThrowIfNull(x);
        int s = Axes.Normalize(source, x.Ndim, "moveaxis", x.Aval), d = Axes.Normalize(destination, x.Ndim, "moveaxis", x.Aval);
        var order = Enumerable.Range(0, x.Ndim).Where(i => i != s).ToList();
        order.Insert(d, s);
        return Transpose(x, order.ToArray());
    }

    /// <summary>Removes size-1 axes (all of them when <paramref name="axis"/> is null).</summary>
    public static Tensor Squeeze(Tensor x, params int[]? axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        int[] dims = axis is null || axis.Length == 0
            ? Enumerable.Range(0, x.Ndim).Where(i => x.Shape[i].IsStatic && x.Shape[i].Size == 1).ToArray()
            : Axes.NormalizeMany(axis, x.Ndim, "squeeze", x.Aval);
        foreach (var d in dims)
            if (!x.Shape[d].IsStatic || x.Shape[d].Size != 1)
                throw new JaxTypeException("squeeze", $"cannot select an axis to squeeze out which has size not equal to one: axis {d} of {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return dims.Length == 0 ? x : Lax.Squeeze(x, dims);
    }

    /// <summary>Inserts size-1 axes at the given positions of the result.</summary>
    public static Tensor ExpandDims(Tensor x, params int[] axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axis);
        var dims = Axes.NormalizeMany(axis, x.Ndim + axis.Length, "expand_dims");
        return Lax.ExpandDims(x, dims);
    }

    /// <summary>Joins arrays along an existing axis (dtypes promoted).</summary>
    public static Tensor Concatenate(IEnumerable<Tensor> arrays, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var xs = arrays.ToArray();
        if (xs.Length == 0) throw new JaxTypeException("concatenate", "need at least one array to concatenate" + Dispatch.At(SourceLocation.FindCaller()));
        if (xs[0].Ndim == 0) throw new JaxTypeException("concatenate", "zero-dimensional arrays cannot be concatenated" + Dispatch.At(SourceLocation.FindCaller()));
        int a = Axes.Normalize(axis, xs[0].Ndim, "concatenate", xs[0].Aval);
        var (dtype, weak) = Promoted(xs);
        var cast = xs.Select(x => Cast(x, dtype, weak)).ToArray();
        return cast.Length == 1 ? cast[0] : Lax.Concatenate(cast, a);
    }

    /// <summary>Joins arrays of equal shape along a new axis.</summary>
    public static Tensor Stack(IEnumerable<Tensor> arrays, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var xs = arrays.ToArray();
        if (xs.Length == 0) throw new JaxTypeException("stack", "need at least one array to stack" + Dispatch.At(SourceLocation.FindCaller()));
        foreach (var x in xs)
            if (x.Shape != xs[0].Shape)
                throw new JaxTypeException("stack", $"all input arrays must have the same shape, got {xs[0].Aval.ToLongString()} and {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        int a = Axes.Normalize(axis, xs[0].Ndim + 1, "stack");
        return Concatenate(xs.Select(x => Lax.ExpandDims(x, [a])), a);
    }

    /// <summary>Stacks 1-D arrays as rows (2-D arrays are concatenated along axis 0).</summary>
    public static Tensor Vstack(IEnumerable<Tensor> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        return Concatenate(arrays.Select(x => x.Ndim < 2 ? Reshape(x, 1, -1) : x), 0);
    }

    /// <summary>Stacks along the second axis (0-d and 1-D arrays are concatenated, as <c>np.hstack</c>).</summary>
    public static Tensor Hstack(IEnumerable<Tensor> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var xs = arrays.Select(x => x.Ndim == 0 ? Reshape(x, 1) : x).ToArray();
        if (xs.Length == 0) throw new JaxTypeException("hstack", "need at least one array to stack" + Dispatch.At(SourceLocation.FindCaller()));
        return Concatenate(xs, xs[0].Ndim == 1 ? 0 : 1);
    }

    /// <summary>Splits into <paramref name="sections"/> equal parts along an axis.</summary>
    public static Tensor[] Split(Tensor x, int sections, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = Axes.Normalize(axis, x.Ndim, "split", x.Aval);
        long n = x.Shape[a].Size;
        if (sections <= 0 || n % sections != 0)
            throw new JaxTypeException("split", $"array split does not result in an equal division: {n} into {sections}{Dispatch.At(SourceLocation.FindCaller())}");
        return Split(x, Enumerable.Range(1, sections - 1).Select(i => (int)(i * n / sections)).ToArray(), axis);
    }

    /// <summary>Splits at the given indices along an axis.</summary>
    public static Tensor[] Split(Tensor x, int[] indices, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        int a = Axes.Normalize(axis, x.Ndim, "split", x.Aval);
        int n = (int)x.Shape[a].Size;
        var bounds = new List<int> { 0 };
        bounds.AddRange(indices.Select(i => Math.Clamp(i < 0 ? i + n : i, 0, n)));
        bounds.Add(n);
        var parts = new Tensor[bounds.Count - 1];
        for (int i = 0; i < parts.Length; i++)
        {
            var start = new int[x.Ndim];
            var limit = x.Shape.IntSizes;
            start[a] = bounds[i];
            limit[a] = Math.Max(bounds[i], bounds[i + 1]);
            parts[i] = Lax.Slice(x, start, limit);
        }
        return parts;
    }

    /// <summary>Reverses the order of elements along axes (all when null).</summary>
    public static Tensor Flip(Tensor x, params int[]? axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Rev(x, Axes.NormalizeMany(axis is { Length: 0 } ? null : axis, x.Ndim, "flip", x.Aval));
    }

    /// <summary>x broadcast to a shape (NumPy rules).</summary>
    public static Tensor BroadcastTo(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        var target = ShapeOf(shape);
        if (TryBroadcastShapes([x.Shape, target]) != target)
            throw new JaxTypeException("broadcast_to", $"cannot broadcast {x.Aval.ToLongString()} to shape {target.ToTupleString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return BroadcastToShape(x, target);
    }

    /// <summary>Arrays broadcast against each other.</summary>
    public static Tensor[] BroadcastArrays(params Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        var shape = BroadcastShapes("broadcast_arrays", xs);
        return xs.Select(x => BroadcastToShape(x, shape)).ToArray();
    }
}
