using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>Which part of a full discrete convolution <see cref="Jnp.Convolve"/> and <see cref="Jnp.Correlate"/> return (NumPy's <c>mode=</c>).</summary>
public enum ConvolveMode
{
    /// <summary>Every overlap: length n + m - 1.</summary>
    Full,
    /// <summary>Centred, the length of the longer input: max(n, m).</summary>
    Same,
    /// <summary>Only complete overlaps: max(n, m) - min(n, m) + 1.</summary>
    Valid,
}

public static partial class Jnp
{
    /// <summary>
    /// <c>out[i] = sum_j xpad[i + j] * y[j]</c> with x zero-padded by (<paramref name="low"/>, <paramref name="high"/>):
    /// one gather of the windows and one matrix-vector product (there is no convolution primitive), so every
    /// backend and transformation runs it.
    /// </summary>
    private static Tensor SlidingDot(Tensor x, Tensor y, int low, int high)
    {
        var padded = low == 0 && high == 0 ? x : Lax.Pad(x, Cast(Scalars.WeakInt(0), x.DType), [low], [high], [0]);
        int m = (int)y.Shape[0].Size;
        int windows = (int)padded.Shape[0].Size - m + 1;
        var index = Add(Reshape(Arange(windows, DType.Int32), -1, 1), Reshape(Arange(m, DType.Int32), 1, -1));
        return Matmul(padded[index], y);
    }

    /// <summary>JAX's <c>_conv</c>: convolution or correlation of 1-D arrays in a mode.</summary>
    private static Tensor Convolution(string op, Tensor a, Tensor v, ConvolveMode mode, bool correlate)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(v);
        if (a.Ndim != 1 || v.Ndim != 1)
            throw OpError(op, $"{op}() only supports 1-dimensional inputs, got {a.Aval.ToLongString()} and {v.Aval.ToLongString()}");
        if (a.Size == 0 || v.Size == 0)
            throw OpError(op, $"inputs cannot be empty, got {a.Aval.ToLongString()} and {v.Aval.ToLongString()}");
        if (!Enum.IsDefined(mode)) throw OpError(op, $"unknown mode {mode}");
        var promoted = PromoteDTypesInexact(a, v);
        var (x, y) = (promoted[0], promoted[1]);
        bool reverseOut = false;
        if (x.Size < y.Size)
        {
            (x, y) = (y, x);
            reverseOut = correlate;
        }
        if (!correlate) y = Flip(y, 0);
        int m = (int)y.Shape[0].Size;
        var (low, high) = mode switch
        {
            ConvolveMode.Valid => (0, 0),
            ConvolveMode.Same => (m / 2, m - m / 2 - 1),
            _ => (m - 1, m - 1),
        };
        var result = SlidingDot(x, y, low, high);
        return reverseOut ? Flip(result, 0) : result;
    }

    /// <summary>The discrete linear convolution of two 1-D arrays (<c>jnp.convolve</c>), full by default.</summary>
    public static Tensor Convolve(Tensor a, Tensor v, ConvolveMode mode = ConvolveMode.Full)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(v);
        return Convolution("convolve", a, v, mode, correlate: false);
    }

    /// <summary>The cross-correlation of two 1-D arrays, <c>c[k] = sum_n a[n + k] v[n]</c> (<c>jnp.correlate</c>), valid by default.</summary>
    public static Tensor Correlate(Tensor a, Tensor v, ConvolveMode mode = ConvolveMode.Valid)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(v);
        return Convolution("correlate", a, v, mode, correlate: true);
    }

    /// <summary>A scalar broadcast to x's shape with size 1 along <paramref name="axis"/>; arrays pass through.</summary>
    private static Tensor EdgeAlong(Tensor edge, Tensor x, int axis)
    {
        if (edge.Ndim != 0) return edge;
        var shape = x.Shape.IntSizes;
        shape[axis] = 1;
        return BroadcastToShape(edge, Shape.Of(shape));
    }

    /// <summary>Elements [start, stop) of x along an axis (static bounds).</summary>
    private static Tensor SliceAlong(Tensor x, int axis, int start, int stop)
    {
        var begin = new int[x.Ndim];
        var end = x.Shape.IntSizes;
        begin[axis] = start;
        end[axis] = stop;
        return Lax.Slice(x, begin, end);
    }

    /// <summary>
    /// The <paramref name="n"/>-th discrete difference along <paramref name="axis"/> (<c>jnp.diff</c>), after
    /// joining <paramref name="prepend"/> and <paramref name="append"/> (scalars are broadcast to one slice);
    /// booleans differ by not-equal.
    /// </summary>
    public static Tensor Diff(Tensor a, int n = 1, int axis = -1, Tensor? prepend = null, Tensor? append = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Ndim == 0) throw OpError("diff", $"diff requires input that is at least one dimensional, got {a.Aval.ToLongString()}");
        if (n < 0) throw OpError("diff", $"order must be non-negative but got {n}");
        if (n == 0) return a;
        int ax = Axes.Normalize(axis, a.Ndim, "diff", a.Aval);
        if (prepend is not null || append is not null)
        {
            var parts = new List<Tensor>();
            if (prepend is not null) parts.Add(EdgeAlong(prepend, a, ax));
            parts.Add(a);
            if (append is not null) parts.Add(EdgeAlong(append, a, ax));
            a = Concatenate(parts, ax);
        }
        for (int i = 0; i < n; i++)
        {
            int size = (int)a.Shape[ax].Size;
            if (size == 0) break;
            var next = SliceAlong(a, ax, 1, size);
            var previous = SliceAlong(a, ax, 0, size - 1);
            a = a.DType == DType.Bool ? NotEqual(next, previous) : Subtract(next, previous);
        }
        return a;
    }

    /// <summary>The differences of consecutive elements of the flattened array, with optional values before and after (<c>jnp.ediff1d</c>).</summary>
    public static Tensor Ediff1d(Tensor ary, Tensor? toEnd = null, Tensor? toBegin = null)
    {
        ArgumentNullException.ThrowIfNull(ary);
        var flat = Ravel(ary);
        int n = (int)flat.Shape[0].Size;
        var result = n < 2 ? Zeros([0], flat.DType) : Subtract(Lax.Slice(flat, [1], [n]), Lax.Slice(flat, [0], [n - 1]));
        var parts = new List<Tensor>();
        if (toBegin is not null) parts.Add(Cast(Ravel(toBegin), result.DType, result.WeakType));
        parts.Add(result);
        if (toEnd is not null) parts.Add(Cast(Ravel(toEnd), result.DType, result.WeakType));
        return parts.Count == 1 ? result : Concatenate(parts);
    }

    /// <summary>The second-order accurate central-difference gradient of f along one axis (one-sided differences at the edges).</summary>
    private static Tensor GradientAlong(Tensor f, Tensor h, int axis)
    {
        int n = (int)f.Shape[axis].Size;
        if (n < 2)
            throw OpError("gradient", $"shape of array too small to calculate a numerical gradient, at least 2 elements are required along axis {axis} of {f.Aval.ToLongString()}");
        Tensor Part(Tensor x, int start, int stop) => SliceAlong(x, axis, start, stop);
        var upper = Subtract(Part(f, 1, 2), Part(f, 0, 1));
        var lower = Subtract(Part(f, n - 1, n), Part(f, n - 2, n - 1));
        Tensor inner;
        if (h.Ndim == 0)
        {
            inner = Divide(Multiply(Subtract(Part(f, 2, n), Part(f, 0, n - 2)), 0.5), h);
            upper = Divide(upper, h);
            lower = Divide(lower, h);
        }
        else
        {
            if (h.Ndim != 1 || h.Shape[0].Size != n)
                throw OpError("gradient", $"spacing arrays must be 1-D with the length ({n}) of axis {axis} of {f.Aval.ToLongString()}, got {h.Aval.ToLongString()}");
            var shape = Enumerable.Repeat(1L, f.Ndim).ToArray();
            shape[axis] = n;
            var x = Reshape(h, shape);
            upper = Divide(upper, Subtract(Part(x, 1, 2), Part(x, 0, 1)));
            lower = Divide(lower, Subtract(Part(x, n - 1, n), Part(x, n - 2, n - 1)));
            var dx1 = Subtract(Part(x, 1, n - 1), Part(x, 0, n - 2));
            var dx2 = Subtract(Part(x, 2, n), Part(x, 1, n - 1));
            var a = Divide(Negative(dx2), Multiply(dx1, Add(dx1, dx2)));
            var b = Divide(Subtract(dx2, dx1), Multiply(dx1, dx2));
            var c = Divide(dx1, Multiply(dx2, Add(dx1, dx2)));
            inner = Add(Add(Multiply(a, Part(f, 0, n - 2)), Multiply(b, Part(f, 1, n - 1))), Multiply(c, Part(f, 2, n)));
        }
        return Concatenate([upper, inner, lower], axis);
    }

    /// <summary>
    /// The gradient of sampled values (<c>jnp.gradient</c>) along <paramref name="axis"/> (all axes when null), one
    /// array per axis: central differences inside, one-sided at the edges (edge_order 1). <paramref name="spacing"/>
    /// is empty (unit spacing), one scalar for every axis, or one scalar or coordinate array per axis.
    /// </summary>
    public static Tensor[] Gradient(Tensor f, Tensor[]? spacing = null, int[]? axis = null, int edgeOrder = 1)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (edgeOrder != 1) throw OpError("gradient", $"only edge_order=1 is implemented (as in JAX), got {edgeOrder}");
        var axes = axis is null ? Enumerable.Range(0, f.Ndim).ToArray() : axis.Select(a => Axes.Normalize(a, f.Ndim, "gradient", f.Aval)).ToArray();
        if (axes.Distinct().Count() != axes.Length) throw OpError("gradient", $"repeated axis in [{string.Join(", ", axis!)}]");
        spacing ??= [];
        Tensor[] h = spacing.Length switch
        {
            0 => axes.Select(_ => (Tensor)Scalars.Weak(1.0)).ToArray(),
            1 when spacing[0].Ndim == 0 => axes.Select(_ => spacing[0]).ToArray(),
            _ when spacing.Length == axes.Length => spacing,
            _ => throw OpError("gradient", $"invalid number of spacing arguments: {spacing.Length} for {axes.Length} axes"),
        };
        foreach (var s in h) ArgumentNullException.ThrowIfNull(s, nameof(spacing));
        var x = PromoteDTypesInexact(f)[0];
        return axes.Select((a, i) => GradientAlong(x, PromoteDTypesInexact(h[i])[0], a)).ToArray();
    }

    /// <summary>The gradient along one axis, with a scalar spacing or a coordinate array (unit spacing when null).</summary>
    public static Tensor Gradient(Tensor f, int axis, Tensor? spacing = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Gradient(f, spacing is null ? null : [spacing], [axis])[0];
    }

    /// <summary>
    /// One-dimensional piecewise-linear interpolation (<c>jnp.interp</c>) of the points (<paramref name="xp"/>,
    /// <paramref name="fp"/>), xp increasing, at <paramref name="x"/>: <paramref name="left"/> and <paramref name="right"/>
    /// (default fp's ends) outside; with <paramref name="period"/> the points are periodic.
    /// </summary>
    public static Tensor Interp(Tensor x, Tensor xp, Tensor fp, Tensor? left = null, Tensor? right = null, Tensor? period = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(xp);
        ArgumentNullException.ThrowIfNull(fp);
        if (xp.Ndim != 1 || xp.Shape != fp.Shape)
            throw OpError("interp", $"xp and fp must be one-dimensional arrays of equal size, got {xp.Aval.ToLongString()} and {fp.Aval.ToLongString()}");
        if (xp.Size == 0) throw OpError("interp", "xp and fp must not be empty");
        var promoted = PromoteDTypesInexact(x, xp);
        (x, xp) = (promoted[0], promoted[1]);
        fp = PromoteDTypesInexact(fp)[0];
        if (period is not null)
        {
            if (period.Ndim != 0) throw OpError("interp", $"period must be a scalar, got {period.Aval.ToLongString()}");
            var p = Abs(period);
            x = Remainder(x, p);
            xp = Remainder(xp, p);
            var sorted = Lax.Sort([xp, fp], 0, isStable: true, numKeys: 1);
            (xp, fp) = (sorted[0], sorted[1]);
            int m = (int)xp.Shape[0].Size;
            xp = Concatenate([Subtract(Lax.Slice(xp, [m - 1], [m]), p), xp, Add(Lax.Slice(xp, [0], [1]), p)]);
            fp = Concatenate([Lax.Slice(fp, [m - 1], [m]), fp, Lax.Slice(fp, [0], [1])]);
        }
        int n = (int)xp.Shape[0].Size;
        if (n == 1)
        {
            var only = BroadcastToShape(fp[0], x.Shape);
            return period is null ? Where(Less(x, xp[0]), left ?? fp[0], Where(Greater(x, xp[0]), right ?? fp[0], only)) : only;
        }
        var i = Clip(Searchsorted(xp, x, SearchSide.Right), 1, n - 1);
        var iPrevious = Subtract(i, 1);
        var df = Subtract(fp[i], fp[iPrevious]);
        var dx = Subtract(xp[i], xp[iPrevious]);
        var delta = Subtract(x, xp[iPrevious]);
        double epsilon = xp.DType switch
        {
            DType.Float64 => Math.BitIncrement(Math.Pow(2, -52)) - Math.Pow(2, -52),
            DType.Float32 => MathF.BitIncrement(MathF.Pow(2, -23)) - MathF.Pow(2, -23),
            _ => Math.Pow(2, -20),
        };
        var tiny = LessEqual(Abs(dx), epsilon);
        var f = Where(tiny, fp[iPrevious], Add(fp[iPrevious], Multiply(Divide(delta, Where(tiny, 1, dx)), df)));
        if (period is null)
        {
            f = Where(Less(x, xp[0]), left ?? fp[0], f);
            f = Where(Greater(x, xp[n - 1]), right ?? fp[n - 1], f);
        }
        return f;
    }

    /// <summary>The Kronecker product (<c>jnp.kron</c>): blocks <c>a[i, j] * b</c>; the lower-rank input gets leading size-1 axes.</summary>
    public static Tensor Kron(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var promoted = PromoteDTypes(a, b);
        (a, b) = (promoted[0], promoted[1]);
        int rank = Math.Max(a.Ndim, b.Ndim);
        a = Reshape(a, [.. Enumerable.Repeat(1L, rank - a.Ndim), .. a.Shape.Sizes]);
        b = Reshape(b, [.. Enumerable.Repeat(1L, rank - b.Ndim), .. b.Shape.Sizes]);
        var aSizes = a.Shape.Sizes;
        var bSizes = b.Shape.Sizes;
        var interleavedA = aSizes.SelectMany(s => new[] { s, 1L }).ToArray();
        var interleavedB = bSizes.SelectMany(s => new[] { 1L, s }).ToArray();
        var product = Multiply(Reshape(a, interleavedA), Reshape(b, interleavedB));
        return Reshape(product, aSizes.Zip(bSizes, (p, q) => p * q).ToArray());
    }

    /// <summary>
    /// The cross product of 2- or 3-vectors along <paramref name="axisa"/>/<paramref name="axisb"/> (<c>jnp.cross</c>),
    /// the vectors of the result along <paramref name="axisc"/>; <paramref name="axis"/>, when given, sets all three.
    /// Two 2-vectors give the z component only; a 2-vector has z = 0.
    /// </summary>
    public static Tensor Cross(Tensor a, Tensor b, int axisa = -1, int axisb = -1, int axisc = -1, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (axis is { } all) (axisa, axisb, axisc) = (all, all, all);
        if (a.Ndim == 0 || b.Ndim == 0) throw OpError("cross", $"cross needs arrays of vectors, got {a.Aval.ToLongString()} and {b.Aval.ToLongString()}");
        a = Moveaxis(a, axisa, -1);
        b = Moveaxis(b, axisb, -1);
        long na = a.Shape[^1].Size, nb = b.Shape[^1].Size;
        if (na is not (2 or 3) || nb is not (2 or 3))
            throw OpError("cross", $"incompatible dimensions for cross product (dimension must be 2 or 3): {a.Aval.ToLongString()} and {b.Aval.ToLongString()}");
        var promoted = PromoteDTypes(a, b);
        (a, b) = (promoted[0], promoted[1]);
        Tensor Component(Tensor v, int i) => i < v.Shape[^1].Size ? v[TensorIndex.Ellipsis, i] : ZerosLike(v[TensorIndex.Ellipsis, 0]);
        var (a0, a1, a2) = (Component(a, 0), Component(a, 1), Component(a, 2));
        var (b0, b1, b2) = (Component(b, 0), Component(b, 1), Component(b, 2));
        if (na == 2 && nb == 2) return Subtract(Multiply(a0, b1), Multiply(a1, b0));
        var c = Stack(BroadcastArrays(Subtract(Multiply(a1, b2), Multiply(a2, b1)), Subtract(Multiply(a2, b0), Multiply(a0, b2)),
            Subtract(Multiply(a0, b1), Multiply(a1, b0))), -1);
        return Moveaxis(c, -1, axisc);
    }

    /// <summary>
    /// The integral of <paramref name="y"/> along <paramref name="axis"/> by the trapezoidal rule (<c>jnp.trapezoid</c>),
    /// at sample points <paramref name="x"/> (1-D, or y's shape) or with spacing <paramref name="dx"/>.
    /// </summary>
    public static Tensor Trapezoid(Tensor y, Tensor? x = null, double dx = 1.0, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.Ndim == 0) throw OpError("trapezoid", $"y must be at least one-dimensional, got {y.Aval.ToLongString()}");
        int ax = Axes.Normalize(axis, y.Ndim, "trapezoid", y.Aval);
        y = Moveaxis(PromoteDTypesInexact(y)[0], ax, -1);
        Tensor spacing = Scalars.Weak(dx);
        if (x is not null)
        {
            if (x.Ndim == 1)
            {
                if (x.Shape[0] != y.Shape[^1])
                    throw OpError("trapezoid", $"x has {x.Shape[0]} samples but axis {ax} of y has {y.Shape[^1]}");
                spacing = Diff(x);
            }
            else spacing = Moveaxis(Diff(x, axis: ax), ax, -1);
        }
        int n = (int)y.Shape[^1].Size;
        if (n == 0) return Sum(y, -1);
        var sums = Add(SliceAlong(y, y.Ndim - 1, 1, n), SliceAlong(y, y.Ndim - 1, 0, n - 1));
        return Multiply(0.5, Sum(Multiply(spacing, sums), -1));
    }
}
