using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    public static partial class Linalg
    {
        private static readonly Func<Tensor[], Tensor[]> DetCustom = Jax.CustomJvp(a => [DetRaw(a[0])], (p, t) =>
        {
            // d det = tr(adj(A) dA) (Jacobi's formula), with the adjugate a primal value so the tangent is a product;
            // finite at singular matrices, as JAX's cofactor solve.
            var (det, adjugate) = CofactorRaw(p[0]);
            return ([det], [Trace(Matmul(adjugate, t[0]))]);
        });

        private static readonly Func<Tensor[], Tensor[]> SlogdetCustom = Jax.CustomJvp(a => SlogdetRaw(a[0]), (p, t) =>
            (SlogdetRaw(p[0]), [null!, Trace(Matmul(InvRaw(p[0]), t[0]))]));

        private static readonly Func<Tensor[], Tensor[]> InvCustom = Jax.CustomJvp(a => [InvRaw(a[0])], (p, t) =>
        {
            var inv = InvRaw(p[0]);
            return ([inv], [Negative(Matmul(Matmul(inv, t[0]), inv))]);
        });

        private static readonly Func<Tensor[], Tensor[]> SolveCustom = Jax.CustomJvp(a => [SolveRaw(a[0], a[1])], (p, t) =>
        {
            var x = SolveRaw(p[0], p[1]);
            // x = A⁻¹ b: dx = A⁻¹ (db - dA x).
            return ([x], [Matmul(InvRaw(p[0]), Subtract(t[1], Matmul(t[0], x)))]);
        });

        /// <summary>
        /// The determinant of each square matrix of <paramref name="a"/> ([..., n, n] → [...]), from an LU
        /// factorization with partial pivoting; exactly 0 for an exactly singular matrix. Differentiable by
        /// Jacobi's formula, d det = tr(adj(A) dA), with the adjugate computed from the LU factors as JAX's
        /// cofactor solve, so the derivative is finite at singular matrices too.
        /// </summary>
        public static Tensor Det(Tensor a)
        {
            ArgumentNullException.ThrowIfNull(a);
            return DetCustom([AsSquare("det", a)])[0];
        }

        /// <summary>
        /// The sign and the natural log of the absolute value of the determinant ([..., n, n] → two [...] arrays),
        /// as <c>jnp.linalg.slogdet</c>: sign 0 and log −inf for a singular matrix. The log's derivative is
        /// tr(A⁻¹ dA); the sign's is zero.
        /// </summary>
        public static (Tensor Sign, Tensor Logabsdet) Slogdet(Tensor a)
        {
            ArgumentNullException.ThrowIfNull(a);
            var r = SlogdetCustom([AsSquare("slogdet", a)]);
            return (r[0], r[1]);
        }

        /// <summary>The inverse of each square matrix ([..., n, n]); inf/NaN for a singular one. d(A⁻¹) = -A⁻¹ dA A⁻¹.</summary>
        public static Tensor Inv(Tensor a)
        {
            ArgumentNullException.ThrowIfNull(a);
            return InvCustom([AsSquare("inv", a)])[0];
        }

        /// <summary>
        /// The solution x of a x = b (<c>jnp.linalg.solve</c>): <paramref name="b"/> is a vector ([n]) when it is
        /// one-dimensional, else a stack of matrices ([..., n, k]); the leading dimensions of a and b broadcast.
        /// LU with partial pivoting; the derivative is dx = A⁻¹(db − dA x).
        /// </summary>
        public static Tensor Solve(Tensor a, Tensor b)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            a = AsSquare("solve", a);
            var dt = InexactType([a, b]);
            a = Cast(a, dt);
            b = Cast(b, dt);
            int n = Size(a, -1);
            bool vector = b.Ndim == 1;
            if (b.Ndim == 0 || b.Shape[vector ? 0 : b.Ndim - 2].Size != n)
                throw new JaxTypeException("solve", $"solve needs b of shape [{n}] or [..., {n}, k] for a of shape {a.Aval.ToLongString()}, got {b.Aval.ToLongString()}{At()}");
            if (b.Ndim > 1 && a.Ndim == b.Ndim + 1 && a.Shape[^1] == b.Shape[^1] && n != 1)
                throw new JaxTypeException("solve", $"ambiguous shapes {a.Aval.ToLongString()} and {b.Aval.ToLongString()}: a batched vector right-hand side needs a trailing unit axis (b[..., None]){At()}");
            var bm = vector ? Reshape(b, n, 1) : b;
            var batch = TryBroadcastShapes([new Shape(a.Shape.Take(a.Ndim - 2)), new Shape(bm.Shape.Take(bm.Ndim - 2))])
                ?? throw new JaxTypeException("solve", $"the batch dimensions of {a.Aval.ToLongString()} and {b.Aval.ToLongString()} do not broadcast{At()}");
            var a2 = BroadcastToShape(a, new Shape([.. batch, .. a.Shape.Skip(a.Ndim - 2)]));
            var b2 = BroadcastToShape(bm, new Shape([.. batch, .. bm.Shape.Skip(bm.Ndim - 2)]));
            var x = SolveCustom([a2, b2])[0];
            return vector ? Squeeze(x, -1) : x;
        }

        /// <summary>
        /// a raised to the integer power <paramref name="n"/> by repeated squaring (<c>jnp.linalg.matrix_power</c>);
        /// n = 0 gives identities, negative n powers the inverse.
        /// </summary>
        public static Tensor MatrixPower(Tensor a, int n)
        {
            ArgumentNullException.ThrowIfNull(a);
            if (a.Ndim < 2 || a.Shape[^1] != a.Shape[^2])
                throw new JaxTypeException("matrix_power", $"matrix_power needs square matrices ([..., n, n]), got {a.Aval.ToLongString()}{At()}");
            if (n == 0) return BroadcastToShape(Eye(Size(a, -1), dtype: a.DType), a.Shape);
            if (n < 0) a = Inv(a);
            long e = Math.Abs((long)n);
            Tensor? z = null, result = null;
            while (e > 0)
            {
                z = z is null ? a : Matmul(z, z);
                if ((e & 1) == 1) result = result is null ? z : Matmul(result, z);
                e >>= 1;
            }
            return result!;
        }

        /// <summary>The common inexact dtype of arrays (JAX's <c>promote_dtypes_inexact</c>), strong.</summary>
        internal static DType InexactType(IReadOnlyList<Tensor> xs)
        {
            var (dt, _) = Promoted(xs);
            return dt.IsFloat() ? dt : Jax.Config.DefaultFloat;
        }

        /// <summary>
        /// LU factorization with partial pivoting of matrices [..., m, n] (square or not: min(m, n) steps, LAPACK's
        /// getrf): the packed factors (unit lower L below the diagonal, U on and above it), the row permutation (row i of
        /// PA is row perm[i] of A, in a's dtype) and the permutation's sign. A zero pivot column is left as it is.
        /// </summary>
        internal static (Tensor Lu, Tensor Perm, Tensor Sign) LuRaw(Tensor a)
        {
            int m = Size(a, -2), n = Size(a, -1);
            var rows = Indices(m);
            var rowColumn = Indices(m, column: true);
            var cols = Indices(n);
            var batch = BatchShape(a);
            var perm0 = BroadcastToShape(Cast(rows, a.DType), new Shape([.. batch, m]));
            var sign0 = Ones(batch, a.DType);
            var r = Lax.ForiLoop(0, Math.Min(m, n), (k, c) =>
            {
                Tensor lu = c[0], perm = c[1], sign = c[2];
                var candidates = Where(GreaterEqual(rows, k), Abs(ColumnAt(lu, k)), -1);
                var p = ExpandDims(Cast(Argmax(candidates, -1), DType.Int32), -1);
                var isK = Equal(rows, k);
                var isP = Equal(rows, p);
                // Swap rows k and p of lu and entries k and p of perm (exactly, by selection).
                var rowK = RowAt(lu, k);
                var rowP = Sum(Where(ExpandDims(isP, -1), lu, 0), -2);
                lu = Where(ExpandDims(isK, -1), ExpandDims(rowP, -2), Where(ExpandDims(isP, -1), ExpandDims(rowK, -2), lu));
                var permK = ExpandDims(ElementAt(perm, k), -1);
                var permP = ExpandDims(Sum(Where(isP, perm, 0), -1), -1);
                perm = Where(isK, permP, Where(isP, permK, perm));
                sign = Where(Equal(Squeeze(p, -1), k), sign, Negative(sign));
                // Eliminate below the pivot; the multipliers are stored in column k.
                var pivot = ExpandDims(ElementAt(rowP, k), -1);
                var l = Where(Greater(rows, k), Divide(ColumnAt(lu, k), Where(Equal(pivot, 0), 1, pivot)), 0);
                var u = Where(Greater(cols, k), rowP, 0);
                lu = Subtract(lu, Multiply(ExpandDims(l, -1), ExpandDims(u, -2)));
                lu = Where(LogicalAnd(Equal(cols, k), Greater(rowColumn, k)), ExpandDims(l, -1), lu);
                return [lu, perm, sign];
            }, a, perm0, sign0);
            return (r[0], r[1], r[2]);
        }

        /// <summary>Solves the triangular systems a x = b (left side, no transpose) by substitution, reading only a's triangle.</summary>
        internal static Tensor TriangularRaw(Tensor a, Tensor b, bool lower, bool unitDiagonal)
        {
            int n = Size(a, -1);
            var cols = Indices(n);
            return Lax.ForiLoop(0, n, (i, x) =>
            {
                var k = lower ? i : Subtract(n - 1, i);
                var row = RowAt(a, k);
                var strict = Where(lower ? Less(cols, k) : Greater(cols, k), row, 0);
                var xk = Subtract(RowAt(b, k), Squeeze(Matmul(ExpandDims(strict, -2), x), -2));
                if (!unitDiagonal) xk = Divide(xk, ExpandDims(ElementAt(row, k), -1));
                return WithRow(x, k, xk);
            }, ZerosLike(b));
        }

        /// <summary>Solves a x = b for square a [..., n, n] and b [..., n, k] with the same batch dimensions.</summary>
        internal static Tensor SolveRaw(Tensor a, Tensor b)
        {
            var (lu, perm, _) = LuRaw(a);
            var permutation = Cast(Equal(ExpandDims(perm, -1), Cast(Indices(Size(a, -1)), a.DType)), a.DType);
            var y = TriangularRaw(lu, Matmul(permutation, b), lower: true, unitDiagonal: true);
            return TriangularRaw(lu, y, lower: false, unitDiagonal: false);
        }

        internal static Tensor InvRaw(Tensor a) => SolveRaw(a, EyeLike(a, Size(a, -1)));

        /// <summary>
        /// The determinant and the adjugate adj(A) = det(A) A⁻¹ of square matrices, from the LU factors with the last
        /// pivot replaced by 1/(the determinant without it) (JAX's <c>_cofactor_solve</c>): exact when only the last
        /// pivot is zero (rank n − 1), and zero when an earlier pivot is (rank below n − 1, where the adjugate is 0).
        /// </summary>
        internal static (Tensor Det, Tensor Adjugate) CofactorRaw(Tensor a)
        {
            int n = Size(a, -1);
            var (lu, perm, sign) = LuRaw(a);
            var partial = Multiply(Cumprod(Diag(lu), -1), ExpandDims(sign, -1));
            var det = Squeeze(SliceAxis(partial, -1, n - 1, n), -1);
            if (n == 1) return (det, OnesLike(a));
            var leading = SliceAxis(partial, -1, n - 2, n - 1);
            var last = LogicalAnd(Equal(Indices(n, column: true), n - 1), Equal(Indices(n), n - 1));
            var modified = Where(last, ExpandDims(Reciprocal(leading), -1), lu);
            // Rank below n − 1 shows as a non-finite solve with the leading factor.
            var probe = TriangularRaw(Mt(modified), Ones([.. BatchShape(a), n, 1], a.DType), lower: true, unitDiagonal: false);
            var deficient = ExpandDims(Any(LogicalNot(Isfinite(probe)), [-2, -1]), -1, -2);
            var permutation = Cast(Equal(ExpandDims(perm, -1), Cast(Indices(n), a.DType)), a.DType);
            var y = TriangularRaw(lu, permutation, lower: true, unitDiagonal: true);
            y = Concatenate([Multiply(SliceAxis(y, -2, 0, n - 1), ExpandDims(ExpandDims(det, -1), -1)), SliceAxis(y, -2, n - 1, n)], y.Ndim - 2);
            var x = TriangularRaw(modified, y, lower: false, unitDiagonal: false);
            return (det, Where(deficient, 0, x));
        }

        internal static Tensor DetRaw(Tensor a)
        {
            var (lu, _, sign) = LuRaw(a);
            return Multiply(sign, Prod(Diag(lu), -1));
        }

        internal static Tensor[] SlogdetRaw(Tensor a)
        {
            var (lu, _, sign) = LuRaw(a);
            var d = Diag(lu);
            return [Multiply(sign, Prod(Sign(d), -1)), Sum(Log(Abs(d)), -1)];
        }
    }
}
