using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>
    /// Linear algebra (<c>jax.numpy.linalg</c>), composed from primitives: the factorizations are loops
    /// (<see cref="Lax.ForiLoop(int, int, Func{Tensor, Tensor[], Tensor[]}, Tensor[])"/>, <see cref="Lax.WhileLoop(Func{Tensor[], Tensor}, Func{Tensor[], Tensor[]}, Tensor[])"/>)
    /// over a static size whose bodies update whole matrices through masks, so every backend runs them, a
    /// 256x256 matrix traces to a small program, and leading (batch) dimensions are handled natively. Their
    /// derivatives are JAX's rules (<c>Jax.CustomJvp</c>),
    /// so differentiation never goes through the loops.
    /// </summary>
    public static partial class Linalg
    {
        /// <summary>Rejects null, non-float-promotable and non-matrix arguments; returns the array promoted to an inexact dtype.</summary>
        internal static Tensor AsMatrix(string op, Tensor a, string name = "a")
        {
            ArgumentNullException.ThrowIfNull(a, name);
            if (a.Ndim < 2)
                throw new JaxTypeException(op, $"{op} needs an array of at least two dimensions ([..., m, n]), got {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            return PromoteArgsInexact(op, a)[0];
        }

        /// <summary>As <see cref="AsMatrix"/>, also requiring the last two dimensions to be equal.</summary>
        internal static Tensor AsSquare(string op, Tensor a, string name = "a")
        {
            a = AsMatrix(op, a, name);
            if (a.Shape[^1] != a.Shape[^2])
                throw new JaxTypeException(op, $"{op} needs square matrices ([..., n, n]), got {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            return a;
        }

        /// <summary>The static size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
        internal static int Size(Tensor x, int axis) => (int)x.Shape[axis < 0 ? x.Ndim + axis : axis].Size;

        /// <summary>The matrix transpose: the last two axes swapped.</summary>
        internal static Tensor Mt(Tensor x)
        {
            var perm = Enumerable.Range(0, x.Ndim).ToArray();
            (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
            return Lax.Transpose(x, perm);
        }

        /// <summary>The leading (batch) dimensions of a matrix stack.</summary>
        internal static int[] BatchShape(Tensor x) => [.. x.Shape.Take(x.Ndim - 2).Select(d => (int)d.Size)];

        /// <summary>An n x n identity of x's dtype, broadcast over x's batch dimensions.</summary>
        internal static Tensor EyeLike(Tensor x, int n) =>
            BroadcastToShape(Eye(n, dtype: x.DType), new Shape([.. BatchShape(x), n, n]));

        /// <summary>The int32 indices 0..n-1 as a column ([n, 1]) or a row ([n]).</summary>
        internal static Tensor Indices(int n, bool column = false)
        {
            var iota = Lax.Iota(DType.Int32, new Shape(n), 0);
            return column ? Lax.Reshape(iota, new Shape(n, 1)) : iota;
        }

        /// <summary>Row k (an int32 scalar, possibly traced) of the last two axes: [..., n, m] → [..., m].</summary>
        internal static Tensor RowAt(Tensor x, Tensor k) =>
            Sum(Where(Equal(Indices(Size(x, -2), column: true), k), x, 0), -2);

        /// <summary>Column k of the last two axes: [..., n, m] → [..., n].</summary>
        internal static Tensor ColumnAt(Tensor x, Tensor k) =>
            Sum(Where(Equal(Indices(Size(x, -1)), k), x, 0), -1);

        /// <summary>Element k of the last axis: [..., n] → [...].</summary>
        internal static Tensor ElementAt(Tensor v, Tensor k) => ColumnAt(v, k);

        /// <summary>x with row k of the last two axes replaced by <paramref name="row"/> ([..., m]).</summary>
        internal static Tensor WithRow(Tensor x, Tensor k, Tensor row) =>
            Where(Equal(Indices(Size(x, -2), column: true), k), ExpandDims(row, -2), x);

        /// <summary>x with column k of the last two axes replaced by <paramref name="column"/> ([..., n]).</summary>
        internal static Tensor WithColumn(Tensor x, Tensor k, Tensor column) =>
            Where(Equal(Indices(Size(x, -1)), k), ExpandDims(column, -1), x);

        /// <summary>The main diagonal of the last two axes: [..., n, m] → [..., min(n, m)].</summary>
        internal static Tensor Diag(Tensor x)
        {
            int n = Size(x, -2), m = Size(x, -1), k = Math.Min(n, m);
            var d = Sum(Where(Eye(n, m, dtype: DType.Bool), x, 0), -1);
            return k == n ? d : SliceAxis(d, -1, 0, k);
        }

        /// <summary>A diagonal matrix stack from its diagonals: [..., n] → [..., n, n].</summary>
        internal static Tensor DiagMatrix(Tensor d)
        {
            int n = Size(d, -1);
            return Where(Eye(n, dtype: DType.Bool), ExpandDims(d, -1), 0);
        }

        /// <summary>The static slice [start, stop) of one axis (negative counts from the end).</summary>
        internal static Tensor SliceAxis(Tensor x, int axis, int start, int stop)
        {
            int ax = axis < 0 ? x.Ndim + axis : axis;
            var starts = new int[x.Ndim];
            var limits = x.Shape.Select(d => (int)d.Size).ToArray();
            starts[ax] = start;
            limits[ax] = stop;
            return Lax.Slice(x, starts, limits);
        }

        /// <summary>A leading block of the last two axes: [..., :rows, :cols].</summary>
        internal static Tensor Block(Tensor x, int rows, int cols) =>
            SliceAxis(SliceAxis(x, -2, 0, rows), -1, 0, cols);

        /// <summary>The machine epsilon of a float dtype.</summary>
        internal static double Eps(DType dtype) => dtype switch
        {
            DType.Float64 => Math.Pow(2, -52),
            DType.Float16 => Math.Pow(2, -10),
            DType.BFloat16 => Math.Pow(2, -7),
            _ => Math.Pow(2, -23),
        };

        /// <summary>A strong scalar of x's dtype.</summary>
        internal static Tensor Scalar(double value, Tensor like) => Cast(Scalars.Weak(value), like.DType);

        /// <summary>The location suffix of error messages: the user's calling line.</summary>
        internal static string At() => Dispatch.At(SourceLocation.FindCaller());
    }
}
