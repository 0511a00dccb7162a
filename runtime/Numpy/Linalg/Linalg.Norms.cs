using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    public static partial class Linalg
    {
        /// <summary>
        /// A vector or matrix norm (<c>jnp.linalg.norm</c>) with a numeric order. Without <paramref name="axis"/>:
        /// the 2-norm of the flattened array when <paramref name="ord"/> is null, else the vector norm of a 1-D array
        /// or the matrix norm of a 2-D one. One axis: vector norms — null or 2 (Euclidean), 1, ∞, −∞ (max/min of
        /// |x|), 0 (the count of nonzeros), any other p (Σ|x|^p)^(1/p). Two axes: matrix norms — null (Frobenius),
        /// 1, −1 (max/min column sum of |x|), ∞, −∞ (max/min row sum), 2, −2 (largest/smallest singular value).
        /// </summary>
        public static Tensor Norm(Tensor x, double? ord = null, int[]? axis = null, bool keepdims = false)
        {
            ArgumentNullException.ThrowIfNull(x);
            return NormOf(x, ord, null, axis, keepdims);
        }

        /// <summary><see cref="Norm(Tensor, double?, int[], bool)"/> over one axis.</summary>
        public static Tensor Norm(Tensor x, double? ord, int axis, bool keepdims = false)
        {
            ArgumentNullException.ThrowIfNull(x);
            return NormOf(x, ord, null, [axis], keepdims);
        }

        /// <summary>
        /// A matrix norm named by <paramref name="ord"/>: "fro" (Frobenius) or "nuc" (nuclear: the sum of the
        /// singular values), over <paramref name="axis"/> (two axes; a 2-D array's when null).
        /// </summary>
        public static Tensor Norm(Tensor x, string ord, int[]? axis = null, bool keepdims = false)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(ord);
            return NormOf(x, null, ord, axis, keepdims);
        }

        /// <summary>The matrix norm over the last two axes (<c>jnp.linalg.matrix_norm</c>): "fro" or "nuc".</summary>
        public static Tensor MatrixNorm(Tensor x, bool keepdims = false, string ord = "fro")
        {
            ArgumentNullException.ThrowIfNull(ord);
            ArgumentNullException.ThrowIfNull(x);
            return Norm(x, ord, [-2, -1], keepdims);
        }

        /// <summary>The matrix norm over the last two axes with a numeric order: 1, −1, 2, −2, ∞, −∞.</summary>
        public static Tensor MatrixNorm(Tensor x, double ord, bool keepdims = false)
        {
            ArgumentNullException.ThrowIfNull(x);
            return Norm(x, ord, [-2, -1], keepdims);
        }

        /// <summary>
        /// The vector norm (<c>jnp.linalg.vector_norm</c>) of order <paramref name="ord"/> over the elements of
        /// <paramref name="axis"/> (one or more axes; all when null), as a vector.
        /// </summary>
        public static Tensor VectorNorm(Tensor x, int[]? axis = null, bool keepdims = false, double ord = 2)
        {
            ArgumentNullException.ThrowIfNull(x);
            x = PromoteArgsInexact("vector_norm", x)[0];
            return VectorNormOf(x, ord, null, axis is null ? null : [.. axis.Select(a => Axes.Normalize(a, x.Ndim, "vector_norm", x.Aval))], keepdims);
        }

        /// <summary>The vector norm along one axis (<c>jnp.linalg.vector_norm</c> with an int axis).</summary>
        public static Tensor VectorNorm(Tensor x, int axis, bool keepdims = false, double ord = 2) => VectorNorm(x, [axis], keepdims, ord);

        /// <summary>The dot product of vectors along <paramref name="axis"/> (<c>jnp.linalg.vecdot</c>), broadcasting the others.</summary>
        public static Tensor Vecdot(Tensor x1, Tensor x2, int axis = -1)
        {
            ArgumentNullException.ThrowIfNull(x1);
            ArgumentNullException.ThrowIfNull(x2);
            int a1 = Axes.Normalize(axis, x1.Ndim, "vecdot", x1.Aval), a2 = Axes.Normalize(axis, x2.Ndim, "vecdot", x2.Aval);
            if (x1.Shape[a1] != x2.Shape[a2])
                throw new JaxTypeException("vecdot", $"vecdot needs equal sizes along axis {axis}, got {x1.Aval.ToLongString()} and {x2.Aval.ToLongString()}{At()}");
            var p = PromoteArgs("vecdot", Moveaxis(x1, a1, -1), Moveaxis(x2, a2, -1));
            return Sum(Multiply(p[0], p[1]), -1);
        }

        /// <summary>The sum of diagonal <paramref name="offset"/> of the last two axes (<c>jnp.linalg.trace</c>).</summary>
        public static Tensor Trace(Tensor x, int offset = 0, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            return Sum(Diagonal(x, offset), -1, dtype: dtype);
        }

        /// <summary>Diagonal <paramref name="offset"/> of the last two axes (<c>jnp.linalg.diagonal</c>): [..., n, m] → [..., k].</summary>
        public static Tensor Diagonal(Tensor x, int offset = 0)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Ndim < 2)
                throw new JaxTypeException("diagonal", $"diagonal needs an array of at least two dimensions, got {x.Aval.ToLongString()}{At()}");
            int n = Size(x, -2), m = Size(x, -1);
            int first = Math.Max(0, -offset), length = Math.Max(0, Math.Min(n - first, m - Math.Max(0, offset)));
            var perRow = Sum(Where(Eye(n, m, offset, DType.Bool), x, Cast(Scalars.WeakInt(0), x.DType)), -1);
            return Cast(SliceAxis(perRow, -1, first, first + length), x.DType);
        }

        /// <summary>The outer product of two vectors (<c>jnp.linalg.outer</c>): [n] and [m] → [n, m].</summary>
        public static Tensor Outer(Tensor x1, Tensor x2)
        {
            ArgumentNullException.ThrowIfNull(x1);
            ArgumentNullException.ThrowIfNull(x2);
            if (x1.Ndim != 1 || x2.Ndim != 1)
                throw new JaxTypeException("outer", $"outer needs one-dimensional arrays, got {x1.Aval.ToLongString()} and {x2.Aval.ToLongString()}{At()}");
            return Multiply(ExpandDims(x1, 1), x2);
        }

        /// <summary>The cross product of 3-vectors along <paramref name="axis"/> (<c>jnp.linalg.cross</c>), broadcasting the others.</summary>
        public static Tensor Cross(Tensor x1, Tensor x2, int axis = -1)
        {
            ArgumentNullException.ThrowIfNull(x1);
            ArgumentNullException.ThrowIfNull(x2);
            int a1 = Axes.Normalize(axis, x1.Ndim, "cross", x1.Aval), a2 = Axes.Normalize(axis, x2.Ndim, "cross", x2.Aval);
            if (x1.Shape[a1].Size != 3 || x2.Shape[a2].Size != 3)
                throw new JaxTypeException("cross", $"cross needs 3-vectors along axis {axis}, got {x1.Aval.ToLongString()} and {x2.Aval.ToLongString()}{At()}");
            var p = PromoteArgs("cross", Moveaxis(x1, a1, -1), Moveaxis(x2, a2, -1));
            Tensor C(Tensor v, int i) => SliceAxis(v, -1, i, i + 1);
            Tensor Term(int i, int j) => Subtract(Multiply(C(p[0], i), C(p[1], j)), Multiply(C(p[0], j), C(p[1], i)));
            var r = Concatenate([Term(1, 2), Term(2, 0), Term(0, 1)], p[0].Ndim - 1);
            return Moveaxis(r, -1, Axes.Normalize(axis, r.Ndim, "cross", r.Aval));
        }

        private static Tensor NormOf(Tensor x, double? ord, string? named, int[]? axis, bool keepdims)
        {
            ArgumentNullException.ThrowIfNull(x);
            x = PromoteArgsInexact("norm", x)[0];
            if (axis is null)
            {
                if (ord is null && named is null)
                {
                    var all = Sqrt(Sum(Multiply(x, x)));
                    return keepdims ? Reshape(all, [.. Enumerable.Repeat(1L, x.Ndim)]) : all;
                }
                axis = x.Ndim switch
                {
                    1 => [0],
                    2 => [0, 1],
                    _ => throw new JaxTypeException("norm", $"norm with an order needs a 1-D or 2-D array or an axis, got {x.Aval.ToLongString()}{At()}"),
                };
            }
            var axes = axis.Select(a => Axes.Normalize(a, x.Ndim, "norm", x.Aval)).ToArray();
            if (axes.Length == 1) return VectorNormOf(x, ord, named, axes, keepdims);
            if (axes.Length != 2 || axes[0] == axes[1])
                throw new JaxTypeException("norm", $"norm needs one axis or two distinct axes, got [{string.Join(", ", axis)}] for {x.Aval.ToLongString()}{At()}");
            return MatrixNormOf(x, ord, named, axes[0], axes[1], keepdims);
        }

        /// <summary>The vector norm of order <paramref name="ord"/> over <paramref name="axes"/> (all when null).</summary>
        private static Tensor VectorNormOf(Tensor x, double? ord, string? named, int[]? axes, bool keepdims)
        {
            if (named is not null)
                throw new JaxTypeException("norm", $"invalid order \"{named}\" for a vector norm (over one axis of {x.Aval.ToLongString()}){At()}");
            var abs = Abs(x);
            return ord switch
            {
                null or 2 => Sqrt(Sum(Multiply(x, x), axes, keepdims)),
                double.PositiveInfinity => Max(abs, axes, keepdims),
                double.NegativeInfinity => Min(abs, axes, keepdims),
                0 => Cast(Sum(NotEqual(x, 0), axes, keepdims), x.DType),
                1 => Sum(abs, axes, keepdims),
                double p => Power(Sum(Power(abs, p), axes, keepdims), 1 / p),
            };
        }

        private static Tensor MatrixNormOf(Tensor x, double? ord, string? named, int row, int col, bool keepdims)
        {
            if (named is "fro" || (named is null && ord is null))
                return Sqrt(Sum(Multiply(x, x), [row, col], keepdims));
            if (named is "nuc" || ord is 2 or -2)
            {
                int[] perm = [.. Enumerable.Range(0, x.Ndim).Where(i => i != row && i != col), row, col];
                var s = Svdvals(Lax.Transpose(x, perm));
                var r = named is "nuc" ? Sum(s, -1) : ord is 2 ? Max(s, [-1]) : Min(s, [-1]);
                return keepdims ? ExpandDims(r, Math.Min(row, col), Math.Max(row, col)) : r;
            }
            if (named is not null)
                throw new JaxTypeException("norm", $"invalid order \"{named}\" for a matrix norm (\"fro\" or \"nuc\"){At()}");
            var abs = Abs(x);
            // ord 1/−1 reduce the rows (column sums), ∞/−∞ the columns (row sums), then take the max or min.
            (int sumAxis, int otherAxis) = ord is 1 or -1 ? (row, col) : (col, row);
            if (ord is not (1 or -1 or double.PositiveInfinity or double.NegativeInfinity))
                throw new JaxTypeException("norm", $"invalid order {ord} for a matrix norm (1, -1, 2, -2, inf, -inf, \"fro\" or \"nuc\"){At()}");
            var sums = Sum(abs, sumAxis, keepdims);
            if (!keepdims && otherAxis > sumAxis) otherAxis--;
            return ord is 1 or double.PositiveInfinity ? Max(sums, [otherAxis], keepdims) : Min(sums, [otherAxis], keepdims);
        }
    }
}
