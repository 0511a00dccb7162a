using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    public static partial class Linalg
    {
        private static readonly Func<Tensor[], Tensor[]> CholeskyCustom = Jax.CustomJvp(a => [CholeskyRaw(a[0])], (p, t) =>
        {
            // JAX's rule (Murray 2016): dL = L Φ(L⁻¹ dA L⁻ᵀ), Φ taking the lower triangle with half the diagonal.
            var l = CholeskyRaw(p[0]);
            var linv = TriangularRaw(l, EyeLike(l, Size(l, -1)), lower: true, unitDiagonal: false);
            var inner = Matmul(Matmul(linv, t[0]), Mt(linv));
            var phi = Divide(Tril(inner), Add(Eye(Size(l, -1), dtype: l.DType), 1));
            return ([l], [Matmul(l, phi)]);
        });

        private static readonly Func<Tensor[], Tensor[]> QrCustom = Jax.CustomJvp(a => QrRaw(a[0], complete: false), (p, t) =>
        {
            // JAX's qr_jvp_rule (m >= n, reduced): with C = Qᵀ dA R⁻¹ and Ω = tril(C, -1) - tril(C, -1)ᵀ,
            // dQ = Q (Ω - C) + dA R⁻¹ and dR = (C - Ω) R.
            var qr = QrRaw(p[0], complete: false);
            Tensor q = qr[0], r = qr[1];
            var rinv = TriangularRaw(r, EyeLike(r, Size(r, -1)), lower: false, unitDiagonal: false);
            var dxRinv = Matmul(t[0], rinv);
            var c = Matmul(Mt(q), dxRinv);
            var lowerC = Tril(c, -1);
            var omega = Subtract(lowerC, Mt(lowerC));
            return (qr, [Add(Matmul(q, Subtract(omega, c)), dxRinv), Matmul(Subtract(c, omega), r)]);
        });

        /// <summary>
        /// The Cholesky factor of each symmetric positive-definite matrix ([..., n, n]): lower L with A = L Lᵀ,
        /// or upper U = Lᵀ with A = Uᵀ U when <paramref name="upper"/>. As JAX, the input is symmetrized
        /// ((A + Aᵀ)/2) first, and a matrix that is not positive definite gives NaN everywhere. Computed column by
        /// column in a loop; differentiable by JAX's rule dL = L Φ(L⁻¹ dA L⁻ᵀ).
        /// </summary>
        public static Tensor Cholesky(Tensor a, bool upper = false)
        {
            ArgumentNullException.ThrowIfNull(a);
            a = AsSquare("cholesky", a);
            var l = CholeskyCustom([Divide(Add(a, Mt(a)), 2)])[0];
            return upper ? Mt(l) : l;
        }

        /// <summary>
        /// The QR decomposition of each matrix ([..., m, n], k = min(m, n)) by Householder reflections
        /// (<c>jnp.linalg.qr</c>), with LAPACK's sign convention: mode "reduced" gives Q [..., m, k] and R
        /// [..., k, n]; "complete" gives Q [..., m, m] and R [..., m, n]; "r" gives R [..., k, n] alone (Q is
        /// null). Differentiable by JAX's rule for m ≥ n in the reduced mode (and square matrices in the complete
        /// mode); other shapes differentiate through the reflections.
        /// </summary>
        public static (Tensor? Q, Tensor R) Qr(Tensor a, string mode = "reduced")
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(mode);
            a = AsMatrix("qr", a);
            if (mode is not ("reduced" or "complete" or "r"))
                throw new ArgumentException($"qr: unsupported mode \"{mode}\" (\"reduced\", \"complete\" or \"r\"){At()}", nameof(mode));
            int m = Size(a, -2), n = Size(a, -1);
            Tensor[] qr = m >= n && (mode != "complete" || m == n) ? QrCustom([a]) : QrRaw(a, complete: mode == "complete");
            return mode == "r" ? (null, qr[1]) : (qr[0], qr[1]);
        }

        /// <summary>The lower Cholesky factor of symmetric matrices by columns; NaN everywhere where one is not positive definite.</summary>
        internal static Tensor CholeskyRaw(Tensor a)
        {
            int n = Size(a, -1);
            var idx = Indices(n);
            var l = Lax.ForiLoop(0, n, (j, l) =>
            {
                var rowJ = RowAt(l, j);
                var d = Sqrt(Subtract(ElementAt(RowAt(a, j), j), Sum(Multiply(rowJ, rowJ), -1)));
                var below = Divide(Subtract(ColumnAt(a, j), Squeeze(Matmul(l, ExpandDims(rowJ, -1)), -1)), ExpandDims(d, -1));
                var column = Where(Greater(idx, j), below, Where(Equal(idx, j), ExpandDims(d, -1), 0));
                return WithColumn(l, j, column);
            }, ZerosLike(a));
            var failed = Any(LogicalNot(Greater(Diag(l), 0)), [-1]);
            return Where(ExpandDims(failed, -1, -2), double.NaN, l);
        }

        /// <summary>
        /// Householder QR of [..., m, n] (<see cref="GeqrfRaw"/>, then <see cref="OrgqrRaw"/>): Q [..., m, m] and R
        /// [..., m, n] (complete) or Q [..., m, k] and R [..., k, n].
        /// </summary>
        internal static Tensor[] QrRaw(Tensor a, bool complete)
        {
            int m = Size(a, -2), n = Size(a, -1), k = Math.Min(m, n);
            var (packed, taus) = GeqrfRaw(a);
            var r = Triu(packed);
            if (!complete) return [OrgqrRaw(Block(packed, m, k), taus), Block(r, k, n)];
            // Q [m, m]: the reflectors in an m x m array (zero columns past the n-th when n < m).
            var square = n >= m ? Block(packed, m, m) : Pad(packed, [.. Enumerable.Repeat((0, 0), packed.Ndim - 1), (0, m - n)]);
            return [OrgqrRaw(square, taus), r];
        }

        /// <summary>
        /// LAPACK's <c>geqrf</c> of [..., m, n]: R on and above the diagonal and the Householder vectors below it (each
        /// with an implicit 1 on the diagonal), and their factors τ [..., min(m, n)], Hₖ = I − τₖ vₖ vₖᵀ. Reflection k maps
        /// column k's part from row k down to (β, 0, ..., 0), β = −sign(xₖ)‖x‖, τ = (β − xₖ)/β; a part already zero below
        /// the diagonal gives τ = 0 (H = I), as LAPACK's dlarfg.
        /// </summary>
        internal static (Tensor Packed, Tensor Taus) GeqrfRaw(Tensor a)
        {
            int m = Size(a, -2), n = Size(a, -1), k = Math.Min(m, n);
            var rows = Indices(m);
            var cols = Indices(n);
            var steps = Indices(k);
            var r = Lax.ForiLoop(0, k, (j, c) =>
            {
                Tensor packed = c[0], taus = c[1];
                var x = ColumnAt(packed, j);
                var xj = ElementAt(x, j);
                var below = Where(Greater(rows, j), x, 0);
                var sigma = Sum(Multiply(below, below), -1);
                var beta = Multiply(Where(GreaterEqual(xj, 0), -1, 1), Sqrt(Add(Multiply(xj, xj), sigma)));
                var skip = Equal(sigma, 0);
                var tau = Where(skip, 0, Divide(Subtract(beta, xj), Where(skip, 1, beta)));
                var v = Where(Equal(rows, j), 1, Divide(below, ExpandDims(Where(skip, 1, Subtract(xj, beta)), -1)));
                // H applied to the columns after j; column j becomes (R above, β, v below); earlier columns keep their vectors.
                var vr = Matmul(ExpandDims(v, -2), packed);
                var reflected = Subtract(packed, Multiply(ExpandDims(Multiply(ExpandDims(tau, -1), v), -1), vr));
                var column = Where(Greater(rows, j), v, Where(Equal(rows, j), ExpandDims(Where(skip, xj, beta), -1), x));
                packed = Where(Greater(cols, j), reflected, Where(Equal(cols, j), ExpandDims(column, -1), packed));
                return [packed, Where(Equal(steps, j), ExpandDims(tau, -1), taus)];
            }, a, Zeros([.. BatchShape(a), k], a.DType));
            return (r[0], r[1]);
        }

        /// <summary>
        /// LAPACK's <c>orgqr</c>: the first c columns of H₀ H₁ ... Hₜ₋₁ for the Householder vectors below the diagonal of
        /// <paramref name="a"/> [..., m, c] (as <see cref="GeqrfRaw"/> stores them) and <paramref name="taus"/> [..., t].
        /// </summary>
        internal static Tensor OrgqrRaw(Tensor a, Tensor taus)
        {
            int m = Size(a, -2), c = Size(a, -1), t = Size(taus, -1);
            var rows = Indices(m);
            var identity = BroadcastToShape(Eye(m, c, dtype: a.DType), a.Shape);
            return Lax.ForiLoop(0, t, (i, q) =>
            {
                var j = Subtract(t - 1, i);
                var v = Where(Equal(rows, j), 1, Where(Greater(rows, j), ColumnAt(a, j), 0));
                var tau = ExpandDims(ElementAt(taus, j), -1);
                var vq = Matmul(ExpandDims(v, -2), q);
                return Subtract(q, Multiply(ExpandDims(Multiply(tau, v), -1), vq));
            }, identity);
        }
    }
}
