using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    // jnp.linalg's array-API forwards (matmul, matrix_transpose, tensordot) and the tensor inverse and solve.
    public static partial class Linalg
    {
        /// <summary>The matrix product, as <see cref="Jnp.Matmul"/> (<c>jnp.linalg.matmul</c>).</summary>
        public static Tensor Matmul(Tensor x1, Tensor x2) => Jnp.Matmul(NotNull(x1), NotNull(x2));

        /// <summary>The last two axes swapped, as <see cref="Jnp.MatrixTranspose"/> (<c>jnp.linalg.matrix_transpose</c>).</summary>
        public static Tensor MatrixTranspose(Tensor x) => Jnp.MatrixTranspose(NotNull(x));

        /// <summary>
        /// Sums products over the last <paramref name="axes"/> axes of x1 and the first of x2, as
        /// <see cref="Jnp.Tensordot"/> (<c>jnp.linalg.tensordot</c>).
        /// </summary>
        public static Tensor Tensordot(Tensor x1, Tensor x2, int axes = 2) => Jnp.Tensordot(NotNull(x1), NotNull(x2), axes);

        /// <summary>
        /// The tensor inverse of <paramref name="a"/> for <see cref="Tensordot"/> over <paramref name="ind"/> axes
        /// (<c>jnp.linalg.tensorinv</c>): a reshaped to a square matrix (the product of its first
        /// <paramref name="ind"/> dimensions must equal that of the others), inverted, and reshaped to
        /// <c>a.shape[ind:] + a.shape[:ind]</c>.
        /// </summary>
        public static Tensor Tensorinv(Tensor a, int ind = 2)
        {
            ArgumentNullException.ThrowIfNull(a);
            if (ind <= 0)
                throw new JaxTypeException("tensorinv", $"tensorinv: ind must be a positive integer, got {ind}{At()}");
            if (ind > a.Ndim)
                throw new JaxTypeException("tensorinv", $"tensorinv: ind={ind} exceeds the rank of {a.Aval.ToLongString()}{At()}");
            var sizes = StaticSizes("tensorinv", a);
            long rows = sizes[..ind].Aggregate(1L, (p, d) => p * d), cols = sizes[ind..].Aggregate(1L, (p, d) => p * d);
            if (rows != cols)
                throw new JaxTypeException("tensorinv", $"tensorinv is only possible when the product of the first ind={ind} dimensions equals that of the remaining dimensions, got {a.Aval.ToLongString()}{At()}");
            var inverse = Inv(Reshape(a, rows, cols));
            return Reshape(inverse, [.. sizes[ind..].Concat(sizes[..ind]).Select(d => (long)d)]);
        }

        /// <summary>
        /// The x with <c>tensordot(a, x, x.ndim) == b</c> (<c>jnp.linalg.tensorsolve</c>): the leading dimensions of
        /// <paramref name="a"/> must be b's shape and the product of the rest b's size. <paramref name="axes"/> names
        /// axes of a moved to the end first.
        /// </summary>
        public static Tensor Tensorsolve(Tensor a, Tensor b, int[]? axes = null)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            if (axes is not null)
            {
                var moved = axes.Select(x => Axes.Normalize(x, a.Ndim, "tensorsolve", a.Aval)).ToArray();
                a = Transpose(a, [.. Enumerable.Range(0, a.Ndim).Where(i => !moved.Contains(i)), .. moved]);
            }
            if (b.Ndim > a.Ndim || !a.Shape.Take(b.Ndim).SequenceEqual(b.Shape))
                throw new JaxTypeException("tensorsolve", $"tensorsolve: b must match the leading dimensions of a, got {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{At()}");
            var outShape = StaticSizes("tensorsolve", a)[b.Ndim..];
            long n = StaticSizes("tensorsolve", b).Aggregate(1L, (p, d) => p * d), m = outShape.Aggregate(1L, (p, d) => p * d);
            if (n != m)
                throw new JaxTypeException("tensorsolve", $"tensorsolve needs the trailing dimensions of a ({string.Join(", ", outShape)}) to hold as many elements as b ({n}), got {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{At()}");
            var x = Solve(Reshape(a, n, m), Ravel(b));
            return Reshape(x, [.. outShape.Select(d => (long)d)]);
        }
    }
}
