using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    private static JaxTypeException BreadthError(string op, string message) =>
        new(op, message + Dispatch.At(SourceLocation.FindCaller()));

    /// <summary>An array of a shape; JAX has no uninitialised memory, so it is zeros (default float dtype).</summary>
    public static Tensor Empty(int[] shape, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Zeros(shape ?? throw new ArgumentNullException(nameof(shape)), dtype);
    }

    /// <summary>A 1-D array of <paramref name="n"/> elements (zeros, as JAX).</summary>
    public static Tensor Empty(int n, DType? dtype = null) => Zeros([n], dtype);

    /// <summary>An array like x (zeros, as JAX).</summary>
    public static Tensor EmptyLike(Tensor x, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ZerosLike(NotNull(x), dtype);
    }

    /// <summary>An <paramref name="n"/> x <paramref name="m"/> array with ones at and below diagonal <paramref name="k"/>, zeros above.</summary>
    public static Tensor Tri(int n, int? m = null, int k = 0, DType? dtype = null)
    {
        var shape = ShapeOf([n, m ?? n]);
        var rows = Lax.Iota(DType.Int32, shape, 0);
        var cols = Lax.Iota(DType.Int32, shape, 1);
        return Cast(Lax.Le(cols, Add(rows, k)), Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat));
    }

    /// <summary>
    /// The grid of indices of a shape, dense: an array of shape <c>(len(dimensions), *dimensions)</c> whose i-th
    /// entry varies along axis i (default int dtype).
    /// </summary>
    public static Tensor Indices(int[] dimensions, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        return Stack(Indices(dimensions, false, dtype), 0);
    }

    /// <summary>
    /// The grid of indices of a shape as one array per axis: with <paramref name="sparse"/> each has size 1 except
    /// along its own axis (they broadcast against each other); otherwise each has the full shape.
    /// </summary>
    public static Tensor[] Indices(int[] dimensions, bool sparse, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        var full = ShapeOf(dimensions);
        var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultInt);
        return [.. Enumerable.Range(0, dimensions.Length).Select(i =>
        {
            if (!sparse) return Lax.Iota(t, full, i);
            var own = Enumerable.Repeat(1, dimensions.Length).ToArray();
            own[i] = dimensions[i];
            return Lax.Iota(t, Shape.Of(own), i);
        })];
    }

    /// <summary>
    /// Coordinate arrays from coordinate vectors (each flattened): with <paramref name="indexing"/> "xy" (Cartesian,
    /// the default) the first two axes of the grid are swapped, with "ij" (matrix) they are not; <paramref name="sparse"/>
    /// keeps size-1 axes instead of broadcasting.
    /// </summary>
    public static Tensor[] Meshgrid(IEnumerable<Tensor> xi, bool sparse = false, string indexing = "xy")
    {
        ArgumentNullException.ThrowIfNull(indexing);
        ArgumentNullException.ThrowIfNull(xi);
        if (indexing is not ("xy" or "ij"))
            throw BreadthError("meshgrid", $"Valid values for indexing are 'xy' and 'ij', got '{indexing}'");
        var xs = xi.Select(Ravel).ToArray();
        int n = xs.Length;
        var sizes = xs.Select(x => (int)x.Size).ToArray();
        var axisOf = Enumerable.Range(0, n).ToArray();
        if (indexing == "xy" && n >= 2) (axisOf[0], axisOf[1]) = (1, 0);
        var shape = new int[n];
        for (int i = 0; i < n; i++) shape[axisOf[i]] = sizes[i];
        return [.. xs.Select((x, i) =>
        {
            var own = Enumerable.Repeat(1, n).ToArray();
            own[axisOf[i]] = sizes[i];
            return Lax.BroadcastInDim(x, Shape.Of(sparse ? own : shape), [axisOf[i]]);
        })];
    }

    /// <summary>
    /// <see cref="Linspace(double, double, int, bool, DType?)"/> with its step (NumPy's <c>retstep=True</c>, which
    /// <paramref name="retstep"/> must be): the spacing between samples, NaN when there is no interval (one sample
    /// with the endpoint).
    /// </summary>
    public static (Tensor Samples, Tensor Step) Linspace(double start, double stop, int num, bool endpoint, bool retstep, DType? dtype = null)
    {
        if (!retstep) throw new ArgumentException("this overload returns the step: pass retstep: true, or call Linspace without it", nameof(retstep));
        var samples = Linspace(start, stop, num, endpoint, dtype);
        int div = endpoint ? num - 1 : num;
        var target = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat);
        var compute = target.IsFloat() ? target : Jax.Config.DefaultFloat;
        var step = Cast(Scalars.Weak(div > 0 ? (stop - start) / div : double.NaN), compute);
        return (samples, step);
    }

    /// <summary><c>base ** linspace(start, stop, num)</c>: numbers spaced evenly on a log scale.</summary>
    public static Tensor Logspace(double start, double stop, int num = 50, bool endpoint = true, double @base = 10.0, DType? dtype = null)
    {
        var target = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat);
        var compute = target.IsFloat() ? target : Jax.Config.DefaultFloat;
        var exponents = Linspace(start, stop, num, endpoint, compute);
        var result = Power(Cast(Scalars.Weak(@base), compute), exponents);
        return Cast(target.IsFloat() ? result : Floor(result), target);
    }

    /// <summary>
    /// Numbers spaced evenly on a log scale between the endpoints themselves (a geometric progression); the
    /// endpoints are exact, as NumPy's. Both must be nonzero and of the same sign.
    /// </summary>
    public static Tensor Geomspace(double start, double stop, int num = 50, bool endpoint = true, DType? dtype = null)
    {
        if (start == 0 || stop == 0) throw BreadthError("geomspace", "Geometric sequence cannot include zero");
        if (Math.Sign(start) != Math.Sign(stop))
            throw BreadthError("geomspace", $"start ({start}) and stop ({stop}) must have the same sign");
        var target = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat);
        var compute = target.IsFloat() ? target : Jax.Config.DefaultFloat;
        double sign = Math.Sign(start);
        var result = Multiply(Cast(Scalars.Weak(sign), compute), Logspace(Math.Log10(start / sign), Math.Log10(stop / sign), num, endpoint, 10.0, compute));
        if (num > 0)
        {
            var ends = new List<Tensor> { Reshape(Cast(Scalars.Weak(start), compute), 1) };
            if (num > 1) ends.Add(Lax.Slice(result, [1], [endpoint ? num - 1 : num]));
            if (num > 1 && endpoint) ends.Add(Reshape(Cast(Scalars.Weak(stop), compute), 1));
            result = Concatenate(ends);
        }
        return Cast(target.IsFloat() ? result : Floor(result), target);
    }

    /// <summary>
    /// A 1-D v as a 2-D array with v on diagonal <paramref name="k"/>; a 2-D v's diagonal <paramref name="k"/> as a
    /// 1-D array.
    /// </summary>
    public static Tensor Diag(Tensor v, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Ndim == 2) return Diagonal(v, k);
        if (v.Ndim != 1) throw BreadthError("diag", $"diag input must be 1d or 2d, got {v.Aval.ToLongString()}");
        int n = (int)v.Size;
        var square = Where(Eye(n, dtype: DType.Bool), BroadcastToShape(v, Shape.Of(n, n)), ZerosLike(v));
        int shift = Math.Abs(k);
        var zero = Cast(Scalars.WeakInt(0), v.DType, v.WeakType);
        return k >= 0 ? Lax.Pad(square, zero, [0, shift], [shift, 0], [0, 0]) : Lax.Pad(square, zero, [shift, 0], [0, shift], [0, 0]);
    }

    /// <summary>The flattened input as a 2-D array with it on diagonal <paramref name="k"/>.</summary>
    public static Tensor Diagflat(Tensor v, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(v);
        return Diag(Ravel(NotNull(v)), k);
    }

    /// <summary>
    /// The diagonal <paramref name="offset"/> of the 2-D subarrays over <paramref name="axis1"/> and
    /// <paramref name="axis2"/>, as the last axis of the result (the other axes first, in order).
    /// </summary>
    public static Tensor Diagonal(Tensor a, int offset = 0, int axis1 = 0, int axis2 = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Ndim < 2) throw BreadthError("diagonal", $"diagonal requires an array of at least two dimensions, got {a.Aval.ToLongString()}");
        int a1 = Axes.Normalize(axis1, a.Ndim, "diagonal", a.Aval), a2 = Axes.Normalize(axis2, a.Ndim, "diagonal", a.Aval);
        if (a1 == a2) throw BreadthError("diagonal", $"axis1 and axis2 must be different, got {axis1} and {axis2}");
        var rest = Enumerable.Range(0, a.Ndim).Where(d => d != a1 && d != a2).ToArray();
        var x = Transpose(a, [.. rest, a1, a2]);
        int rows = (int)x.Shape[^2].Size, cols = (int)x.Shape[^1].Size;
        int r0 = Math.Max(-offset, 0), c0 = Math.Max(offset, 0);
        int length = Math.Max(0, Math.Min(rows - r0, cols - c0));
        var batch = rest.Select(d => (int)a.Shape[d].Size).ToArray();
        if (length == 0) return Cast(Zeros([.. batch, 0], a.DType), a.DType, a.WeakType);
        // The length x length block starting at the diagonal's first element, flattened: its diagonal is every (length + 1)-th element.
        var start = new int[x.Ndim];
        var limit = x.Shape.IntSizes;
        (start[^2], start[^1], limit[^2], limit[^1]) = (r0, c0, r0 + length, c0 + length);
        var block = Lax.Slice(x, start, limit);
        var flat = Reshape(block, [.. batch.Select(b => (long)b), (long)length * length]);
        var flatStart = new int[flat.Ndim];
        var flatLimit = flat.Shape.IntSizes;
        var strides = Enumerable.Repeat(1, flat.Ndim).ToArray();
        strides[^1] = length + 1;
        return Lax.Slice(flat, flatStart, flatLimit, strides);
    }

    /// <summary>
    /// A copy of <paramref name="a"/> with its main diagonal set to <paramref name="val"/> (a scalar, or values
    /// repeated along the diagonal), as JAX's <c>fill_diagonal(..., inplace=False)</c>. More than two dimensions
    /// must all have the same length.
    /// </summary>
    public static Tensor FillDiagonal(Tensor a, Tensor val)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(val);
        if (a.Ndim < 2) throw BreadthError("fill_diagonal", $"array must be at least 2-d, got {a.Aval.ToLongString()}");
        if (a.Ndim > 2 && a.Shape.Any(d => d.Size != a.Shape[0].Size))
            throw BreadthError("fill_diagonal", $"All dimensions of input must be of equal length, got {a.Aval.ToLongString()}");
        int n = (int)a.Shape.Min(d => d.Size);
        int rows = (int)a.Shape[0].Size;
        var shape = a.Shape;
        var onDiagonal = Lax.Iota(DType.Int32, shape, 0);
        Tensor mask = FullLike(onDiagonal, true, DType.Bool);
        for (int d = 1; d < a.Ndim; d++) mask = Lax.BitwiseAnd(mask, Lax.Eq(onDiagonal, Lax.Iota(DType.Int32, shape, d)));
        var values = Cast(val, a.DType, a.WeakType);
        if (values.Ndim > 0)
        {
            var flat = Ravel(values);
            if (flat.Size == 0) return a;
            var tiled = Lax.Slice(Tile(flat, (n + (int)flat.Size - 1) / (int)flat.Size), [0], [n]);
            var padded = n < rows ? Lax.Pad(tiled, Cast(Scalars.WeakInt(0), a.DType, a.WeakType), [0], [rows - n], [0]) : tiled;
            values = Lax.BroadcastInDim(padded, shape, [0]);
        }
        return Where(mask, values, a);
    }

    /// <summary>The row and column indices of the lower triangle (at and below diagonal k) of an n x m array, row by row.</summary>
    public static (Tensor Rows, Tensor Cols) TrilIndices(int n, int k = 0, int? m = null) => TriangleIndices("tril_indices", n, m ?? n, k, lower: true);

    /// <summary>The row and column indices of the upper triangle (at and above diagonal k) of an n x m array, row by row.</summary>
    public static (Tensor Rows, Tensor Cols) TriuIndices(int n, int k = 0, int? m = null) => TriangleIndices("triu_indices", n, m ?? n, k, lower: false);

    /// <summary><see cref="TrilIndices"/> for the shape of a 2-D array.</summary>
    public static (Tensor Rows, Tensor Cols) TrilIndicesFrom(Tensor arr, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(arr);
        return TriangleIndices("tril_indices_from", Rows2D("tril_indices_from", arr), (int)arr.Shape[1].Size, k, lower: true);
    }

    /// <summary><see cref="TriuIndices"/> for the shape of a 2-D array.</summary>
    public static (Tensor Rows, Tensor Cols) TriuIndicesFrom(Tensor arr, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(arr);
        return TriangleIndices("triu_indices_from", Rows2D("triu_indices_from", arr), (int)arr.Shape[1].Size, k, lower: false);
    }

    private static int Rows2D(string op, Tensor arr)
    {
        ArgumentNullException.ThrowIfNull(arr);
        if (arr.Ndim != 2) throw BreadthError(op, $"{op} requires a 2-D array, got {arr.Aval.ToLongString()}");
        return (int)arr.Shape[0].Size;
    }

    private static (Tensor Rows, Tensor Cols) TriangleIndices(string op, int n, int m, int k, bool lower)
    {
        if (n < 0 || m < 0) throw BreadthError(op, $"array dimensions must be non-negative, got n={n}, m={m}");
        var rows = new List<int>();
        var cols = new List<int>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                if (lower ? j - i <= k : j - i >= k)
                {
                    rows.Add(i);
                    cols.Add(j);
                }
        var t = Jax.Config.DefaultInt;
        return (Array(rows.ToArray(), t), Array(cols.ToArray(), t));
    }

    /// <summary>The indices of the main diagonal of an n x ... x n array: <paramref name="ndim"/> copies of <c>arange(n)</c>.</summary>
    public static Tensor[] DiagIndices(int n, int ndim = 2)
    {
        if (n < 0) throw BreadthError("diag_indices", $"n argument to diag_indices must be nonnegative, got {n}");
        if (ndim < 0) throw BreadthError("diag_indices", $"ndim argument to diag_indices must be nonnegative, got {ndim}");
        return [.. Enumerable.Range(0, ndim).Select(_ => Arange(n))];
    }

    /// <summary>The indices of the main diagonal of an array whose dimensions are all equal (at least 2 of them).</summary>
    public static Tensor[] DiagIndicesFrom(Tensor arr)
    {
        ArgumentNullException.ThrowIfNull(arr);
        if (arr.Ndim < 2) throw BreadthError("diag_indices_from", $"input array must be at least 2-d, got {arr.Aval.ToLongString()}");
        if (arr.Shape.Any(d => d.Size != arr.Shape[0].Size))
            throw BreadthError("diag_indices_from", $"All dimensions of input must be of equal length, got {arr.Aval.ToLongString()}");
        return DiagIndices((int)arr.Shape[0].Size, arr.Ndim);
    }

    /// <summary>
    /// The Vandermonde matrix of a 1-D x: columns x^(N-1), ..., x^0 (or increasing powers), N defaulting to len(x).
    /// </summary>
    public static Tensor Vander(Tensor x, int? n = null, bool increasing = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Ndim != 1) throw BreadthError("vander", $"x must be a one-dimensional array, got {x.Aval.ToLongString()}");
        int columns = n ?? (int)x.Size;
        if (columns < 0) throw BreadthError("vander", $"N must be nonnegative, got {columns}");
        var powers = Lax.Iota(x.DType == DType.Bool ? Jax.Config.DefaultInt : x.DType, Shape.Of(columns), 0);
        if (!increasing) powers = Lax.Rev(powers, [0]);
        return Power(ExpandDims(x, 1), Cast(ExpandDims(powers, 0), powers.DType, x.WeakType));
    }

    /// <summary>
    /// An array built by calling <paramref name="function"/> once with the index grid of <paramref name="shape"/>
    /// (one array per axis, of <paramref name="dtype"/>, default float), as NumPy's <c>fromfunction</c>.
    /// </summary>
    public static Tensor Fromfunction(Func<Tensor[], Tensor> function, int[] shape, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(shape);
        return function(Indices(shape, false, dtype ?? Jax.Config.DefaultFloat));
    }
}
