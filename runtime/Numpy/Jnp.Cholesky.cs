namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>Linear algebra (<c>jax.numpy.linalg</c>), composed from primitives.</summary>
    public static class Linalg
    {
        /// <summary>
        /// The lower Cholesky factor L of a symmetric positive-definite matrix (A = L Lᵀ), by the
        /// Cholesky–Banachiewicz recurrence on a static size; NaN where A is not positive definite, as LAPACK's
        /// potrf leaves it in JAX.
        /// </summary>
        public static Tensor Cholesky(Tensor a)
        {
            if (a.Ndim != 2 || a.Shape[0] != a.Shape[1])
                throw new Ir.JaxTypeException("cholesky", $"cholesky needs a square matrix, got {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            a = PromoteArgsInexact("cholesky", a)[0];
            int n = (int)a.Shape[0].Size;
            var columns = new Tensor[n];
            for (int j = 0; j < n; j++)
            {
                // Row j of L left of the diagonal, from the columns computed so far.
                var row = j == 0 ? Zeros([0], a.DType) : Stack(Enumerable.Range(0, j).Select(k => columns[k][j]));
                var diagonal = Sqrt(Subtract(a[j, j], Sum(Multiply(row, row))));
                var below = j + 1 == n ? Zeros([0], a.DType)
                    : Divide(Subtract(a[(j + 1).., j], j == 0 ? ZerosLike(a[(j + 1).., j]) : Dot(Stack(Enumerable.Range(0, j).Select(k => columns[k][(j + 1)..]), 1), row)), diagonal);
                columns[j] = Concatenate([Zeros([j], a.DType), Reshape(diagonal, 1), below]);
            }
            return Stack(columns, 1);
        }
    }
}
