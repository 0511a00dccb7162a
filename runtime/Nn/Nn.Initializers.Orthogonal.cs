using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Nn
{
    // jax.nn.initializers' orthogonal and delta-orthogonal initializers and the Kaiming/Xavier aliases.
    public static partial class Initializers
    {
        /// <summary>
        /// An initializer of (semi-)orthogonal matrices (<c>initializers.orthogonal</c>): the Q factor of a normal
        /// draw (<see cref="Jnp.Linalg.Qr"/>) with its columns' signs corrected by the signs of R's diagonal (so the
        /// distribution is uniform), times <paramref name="scale"/>. The shape's <paramref name="columnAxis"/> is
        /// the column axis and the other axes, flattened, the rows; the shape needs at least two dimensions.
        /// </summary>
        public static Initializer Orthogonal(double scale = 1.0, int columnAxis = -1, DType? dtype = null) => (key, shape, d) =>
        {
            CheckArguments(key, shape);
            var t = FloatDType("orthogonal", d, dtype);
            if (shape.Length < 2)
                throw new JaxTypeException("orthogonal", $"orthogonal: the orthogonal initializer requires at least a 2D shape, got [{string.Join(", ", shape)}]{Dispatch.At(SourceLocation.FindCaller())}");
            int column = Axes.Normalize(columnAxis, shape.Length, "orthogonal");
            int nCols = shape[column];
            int nRows = shape.Where((_, i) => i != column).Aggregate(1, (p, s) => p * s);
            bool wide = nRows < nCols;
            int[] drawShape = wide ? [nCols, nRows] : [nRows, nCols];
            var a = Jax.Random.Normal(key, drawShape, t);
            var (q, r) = Jnp.Linalg.Qr(a);
            var matrix = Jnp.Multiply(q!, Jnp.Sign(Jnp.Linalg.Diagonal(r)));
            if (wide) matrix = Jnp.MatrixTranspose(matrix);
            var rest = shape.Where((_, i) => i != column).Select(s => (long)s);
            var result = Jnp.Moveaxis(Jnp.Reshape(matrix, [.. rest, nCols]), -1, column);
            return Jnp.Multiply(result, scale);
        };

        /// <summary>
        /// The delta-orthogonal initializer for convolution kernels (<c>initializers.delta_orthogonal</c>): zeros but
        /// at the spatial centre (index (k-1)/2 of each of the 1-3 leading spatial axes), which holds an
        /// <see cref="Orthogonal"/> matrix of the last two axes (input and output features, fan in &lt;= fan out).
        /// The shape must have 3, 4 or 5 dimensions.
        /// </summary>
        public static Initializer DeltaOrthogonal(double scale = 1.0, int columnAxis = -1, DType? dtype = null) => (key, shape, d) =>
        {
            CheckArguments(key, shape);
            var t = FloatDType("delta_orthogonal", d, dtype);
            if (shape.Length is not (3 or 4 or 5))
                throw new JaxTypeException("delta_orthogonal", $"delta_orthogonal: the delta orthogonal initializer requires a 3D, 4D or 5D shape, got [{string.Join(", ", shape)}]{Dispatch.At(SourceLocation.FindCaller())}");
            if (shape[^1] < shape[^2])
                throw new JaxTypeException("delta_orthogonal", $"delta_orthogonal: fan_in ({shape[^2]}) must be less or equal than fan_out ({shape[^1]}){Dispatch.At(SourceLocation.FindCaller())}");
            var matrix = Orthogonal(scale, columnAxis, t)(key, shape[^2..], t);
            int spatial = shape.Length - 2;
            var centred = Jnp.Reshape(matrix, [.. Enumerable.Repeat(1L, spatial), shape[^2], shape[^1]]);
            var low = new int[shape.Length];
            var high = new int[shape.Length];
            for (int i = 0; i < spatial; i++)
            {
                low[i] = (shape[i] - 1) / 2;
                high[i] = shape[i] - 1 - low[i];
            }
            return Lax.Pad(centred, Jnp.Zeros([], t), low, high, new int[shape.Length]);
        };

        /// <summary>An alias of <see cref="HeNormal"/> (<c>initializers.kaiming_normal</c>).</summary>
        public static Initializer KaimingNormal(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            HeNormal(inAxis, outAxis, batchAxis, dtype);

        /// <summary>An alias of <see cref="HeUniform"/> (<c>initializers.kaiming_uniform</c>).</summary>
        public static Initializer KaimingUniform(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            HeUniform(inAxis, outAxis, batchAxis, dtype);

        /// <summary>An alias of <see cref="GlorotNormal"/> (<c>initializers.xavier_normal</c>).</summary>
        public static Initializer XavierNormal(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            GlorotNormal(inAxis, outAxis, batchAxis, dtype);

        /// <summary>An alias of <see cref="GlorotUniform"/> (<c>initializers.xavier_uniform</c>).</summary>
        public static Initializer XavierUniform(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            GlorotUniform(inAxis, outAxis, batchAxis, dtype);
    }
}
