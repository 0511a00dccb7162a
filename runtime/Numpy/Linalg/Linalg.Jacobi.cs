using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    public static partial class Linalg
    {
        /// <summary>The most Jacobi sweeps a factorization runs; they stop earlier once converged (quadratically, in about ten).</summary>
        private const int MaxSweeps = 24;

        private static readonly Func<Tensor[], Tensor[]> EighCustom = Jax.CustomJvp(a => EighRaw(a[0]), (p, t) =>
        {
            // JAX's eigh_jvp_rule: with C = Vᵀ dA V, dw = diag(C) and dV = V (F ∘ C), F_ij = 1/(w_j − w_i) off the
            // diagonal (inf for degenerate eigenvalues, as JAX) and 0 on it.
            var wv = EighRaw(p[0]);
            Tensor w = wv[0], v = wv[1];
            var eye = Eye(Size(v, -1), dtype: v.DType);
            var f = Subtract(Reciprocal(Add(eye, Subtract(ExpandDims(w, -2), ExpandDims(w, -1)))), eye);
            var c = Matmul(Matmul(Mt(v), t[0]), v);
            return (wv, [Diag(c), Matmul(v, Multiply(f, c))]);
        });

        private static readonly Func<Tensor[], Tensor[]> SvdCustom = Jax.CustomJvp(a => SvdRaw(a[0], fullMatrices: false, computeUv: true), (p, t) =>
        {
            var usv = SvdRaw(p[0], fullMatrices: false, computeUv: true);
            var (ds, du, dvh) = SvdTangents(p[0], t[0], usv);
            return (usv, [du, ds, dvh]);
        });

        private static readonly Func<Tensor[], Tensor[]> SvdvalsCustom = Jax.CustomJvp(a => SvdRaw(a[0], fullMatrices: false, computeUv: false), (p, t) =>
        {
            var usv = SvdRaw(p[0], fullMatrices: false, computeUv: true);
            return ([usv[1]], [Diag(Matmul(Matmul(Mt(usv[0]), t[0]), Mt(usv[2])))]);
        });

        /// <summary>
        /// The eigenvalues (ascending) and eigenvectors (columns, orthonormal) of each symmetric matrix ([..., n, n]),
        /// as <c>jnp.linalg.eigh</c>: with <paramref name="symmetrizeInput"/> the matrix used is (A + Aᵀ)/2, else
        /// only its lower triangle (<paramref name="uplo"/> "L") or upper triangle ("U") is read. Computed by parallel
        /// cyclic Jacobi (round-robin pairs, a sweep per n − 1 steps, sweeps until the off-diagonal part is negligible).
        /// Eigenvectors are determined up to sign. Differentiable by JAX's rule (degenerate eigenvalues give
        /// non-finite eigenvector derivatives, as in JAX).
        /// </summary>
        public static (Tensor Eigenvalues, Tensor Eigenvectors) Eigh(Tensor a, string? uplo = null, bool symmetrizeInput = true)
        {
            ArgumentNullException.ThrowIfNull(a);
            var r = EighCustom([SymmetricInput("eigh", a, uplo, symmetrizeInput)]);
            return (r[0], r[1]);
        }

        /// <summary>The eigenvalues (ascending) of each symmetric matrix, as <see cref="Eigh"/> (<c>jnp.linalg.eigvalsh</c>).</summary>
        public static Tensor Eigvalsh(Tensor a, string uplo = "L", bool symmetrizeInput = true)
        {
            ArgumentNullException.ThrowIfNull(uplo);
            ArgumentNullException.ThrowIfNull(a);
            return Eigh(a, uplo, symmetrizeInput).Eigenvalues;
        }

        /// <summary>
        /// The singular value decomposition A = U diag(S) Vh of each matrix ([..., m, n], k = min(m, n)), as
        /// <c>jnp.linalg.svd</c>: S [..., k] descending; U [..., m, m] and Vh [..., n, n] with
        /// <paramref name="fullMatrices"/>, else U [..., m, k] and Vh [..., k, n]. One-sided (Hestenes) Jacobi on the
        /// columns of A (or Aᵀ when m &lt; n), then a Householder QR of the orthogonalized columns for U (which also
        /// completes it). Singular vectors are determined up to sign. Differentiable by JAX's rule when not
        /// <paramref name="fullMatrices"/> (JAX has none for full matrices). For the singular values alone use
        /// <see cref="Svdvals"/>.
        /// </summary>
        public static (Tensor U, Tensor S, Tensor Vh) Svd(Tensor a, bool fullMatrices = true)
        {
            ArgumentNullException.ThrowIfNull(a);
            a = AsMatrix("svd", a);
            int m = Size(a, -2), n = Size(a, -1);
            var r = fullMatrices && m != n ? SvdRaw(a, fullMatrices: true, computeUv: true) : SvdCustom([a]);
            return (r[0], r[1], r[2]);
        }

        /// <summary>The singular values of each matrix ([..., m, n] → [..., min(m, n)]), descending (<c>jnp.linalg.svdvals</c>).</summary>
        public static Tensor Svdvals(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            return SvdvalsCustom([AsMatrix("svdvals", x, nameof(x))])[0];
        }

        /// <summary>The symmetric matrix eigh works on: symmetrized, or built from the triangle <paramref name="uplo"/> names.</summary>
        private static Tensor SymmetricInput(string op, Tensor a, string? uplo, bool symmetrize)
        {
            a = AsSquare(op, a);
            if (uplo is not (null or "L" or "U"))
                throw new ArgumentException($"{op}: UPLO must be \"L\" or \"U\", got \"{uplo}\"{At()}", nameof(uplo));
            if (symmetrize) return Divide(Add(a, Mt(a)), 2);
            return uplo == "U" ? Add(Triu(a), Mt(Triu(a, 1))) : Add(Tril(a), Mt(Tril(a, -1)));
        }

        /// <summary>JAX's <c>_svd_jvp_rule</c> for the reduced decomposition: the tangents of S, U and Vh.</summary>
        private static (Tensor Ds, Tensor Du, Tensor Dvh) SvdTangents(Tensor a, Tensor da, Tensor[] usv)
        {
            Tensor u = usv[0], s = usv[1], vh = usv[2];
            var v = Mt(vh);
            var ut = Mt(u);
            int k = Size(s, -1), m = Size(a, -2), n = Size(a, -1);
            var sRow = ExpandDims(s, -2);
            var sCol = Mt(sRow);
            var dS = Matmul(Matmul(ut, da), v);
            var eye = Eye(k, dtype: s.DType);
            var f = Subtract(Reciprocal(Add(Multiply(Add(sRow, sCol), Subtract(sRow, sCol)), eye)), eye);
            var dSS = Multiply(sRow, dS);
            var sdS = Multiply(sCol, dS);
            var sZeros = Cast(Equal(s, 0), s.DType);
            var sInv = Subtract(Reciprocal(Add(s, sZeros)), sZeros);
            var dUdVDiag = Multiply(Multiply(Subtract(dS, Mt(dS)), 0.5), DiagMatrix(sInv));
            var du = Matmul(u, Add(Multiply(f, Add(dSS, Mt(dSS))), dUdVDiag));
            var dv = Matmul(v, Multiply(f, Add(sdS, Mt(sdS))));
            if (m > n)
            {
                var dav = Matmul(da, v);
                du = Add(du, Divide(Subtract(dav, Matmul(u, Matmul(ut, dav))), sRow));
            }
            if (n > m)
            {
                var dahu = Matmul(Mt(da), u);
                dv = Add(dv, Divide(Subtract(dahu, Matmul(v, Matmul(vh, dahu))), sRow));
            }
            return (Diag(dS), du, Mt(dv));
        }

        /// <summary>
        /// The rotation (c, s) that diagonalizes the symmetric 2x2 matrix [[app, apq], [apq, aqq]] by Jᵀ A J with
        /// J = [[c, s], [−s, c]] (Golub and Van Loan's sym.schur2, the smaller angle); the identity where apq is 0.
        /// </summary>
        private static (Tensor C, Tensor S) JacobiRotation(Tensor app, Tensor aqq, Tensor apq)
        {
            var zero = Equal(apq, 0);
            var tau = Divide(Subtract(aqq, app), Multiply(Where(zero, 1, apq), 2));
            var at = Abs(tau);
            var big = Greater(at, 1);
            var inv = Reciprocal(Where(big, at, 1));
            var root = Where(big, Multiply(at, Sqrt(Add(Multiply(inv, inv), 1))), Sqrt(Add(Multiply(at, at), 1)));
            var t = Where(zero, 0, Divide(Where(GreaterEqual(tau, 0), 1, -1), Add(at, root)));
            var c = Lax.Rsqrt(Add(Multiply(t, t), 1));
            return (c, Multiply(t, c));
        }

        /// <summary>
        /// Rotates the pairs of slots (i, h + i) of an axis of size 2h: slot i becomes c·x_i − s·x_{h+i} and slot
        /// h + i becomes s·x_i + c·x_{h+i} (c and s broadcast against one half).
        /// </summary>
        private static Tensor RotatePairs(Tensor x, int axis, Tensor c, Tensor s)
        {
            int n = Size(x, axis), h = n / 2;
            var p = SliceAxis(x, axis, 0, h);
            var q = SliceAxis(x, axis, h, n);
            return Concatenate([Subtract(Multiply(c, p), Multiply(s, q)), Add(Multiply(s, p), Multiply(c, q))], axis < 0 ? x.Ndim + axis : axis);
        }

        /// <summary>
        /// Moves the slots of an axis of size 2h to the next round of the circle method (slot 0 stays; the others
        /// turn one place), so that n − 1 rounds of the pairs (i, h + i) meet every pair once.
        /// </summary>
        private static Tensor NextPairing(Tensor x, int axis)
        {
            int n = Size(x, axis), h = n / 2;
            if (h < 2) return x;
            var pieces = new[] { (0, 1), (h, h + 1), (1, h - 1), (h + 1, n), (h - 1, h) }.Where(r => r.Item2 > r.Item1);
            return Concatenate(pieces.Select(r => SliceAxis(x, axis, r.Item1, r.Item2)), axis < 0 ? x.Ndim + axis : axis);
        }

        /// <summary>Pads the last axis (and the one before it, with <paramref name="both"/>) with one leading zero.</summary>
        private static Tensor PadFront(Tensor x, bool both)
        {
            var low = new int[x.Ndim];
            low[^1] = 1;
            if (both) low[^2] = 1;
            return Lax.Pad(x, Scalar(0, x), low, new int[x.Ndim], new int[x.Ndim]);
        }

        /// <summary>The permutation matrices that reorder columns by <paramref name="order"/>: (X P)[:, j] = X[:, order[j]].</summary>
        private static Tensor PermutationMatrix(Tensor order, DType dtype) =>
            Cast(Equal(Indices(Size(order, -1), column: true), ExpandDims(order, -2)), dtype);

        /// <summary>Eigenvalues (ascending) and eigenvectors of symmetric matrices by parallel cyclic Jacobi.</summary>
        internal static Tensor[] EighRaw(Tensor a)
        {
            int n = Size(a, -1);
            bool pad = n % 2 == 1;
            int np = n + (pad ? 1 : 0);
            var tol = np * Eps(a.DType);
            var x0 = pad ? PadFront(a, both: true) : a;
            var r = Lax.WhileLoop(c =>
            {
                var squares = Multiply(c[1], c[1]);
                var total = Sum(squares, [-2, -1]);
                var off = Sum(Where(Eye(np, dtype: DType.Bool), 0, squares), [-2, -1]);
                return LogicalAnd(Less(c[0], MaxSweeps), Any(Greater(off, Multiply(total, tol * tol))));
            }, c =>
            {
                var xv = Lax.ForiLoop(0, np - 1, (_, s) =>
                {
                    Tensor x = s[0], v = s[1];
                    var d = Diag(x);
                    var apq = Diag(SliceAxis(SliceAxis(x, -2, 0, np / 2), -1, np / 2, np));
                    var (cos, sin) = JacobiRotation(SliceAxis(d, -1, 0, np / 2), SliceAxis(d, -1, np / 2, np), apq);
                    x = RotatePairs(x, -2, ExpandDims(cos, -1), ExpandDims(sin, -1));
                    x = RotatePairs(x, -1, ExpandDims(cos, -2), ExpandDims(sin, -2));
                    v = RotatePairs(v, -1, ExpandDims(cos, -2), ExpandDims(sin, -2));
                    return [NextPairing(NextPairing(x, -2), -1), NextPairing(v, -1)];
                }, c[1], c[2]);
                return [Add(c[0], 1), Divide(Add(xv[0], Mt(xv[0])), 2), xv[1]];
            }, Array(0, DType.Int32), x0, EyeLike(a, np));
            var w = Diag(r[1]);
            var vectors = r[2];
            if (pad)
            {
                w = SliceAxis(w, -1, 1, np);
                vectors = SliceAxis(SliceAxis(vectors, -2, 1, np), -1, 1, np);
            }
            var sorted = Lax.Sort([w, BroadcastToShape(Indices(n), w.Shape)], w.Ndim - 1);
            return [sorted[0], Matmul(vectors, PermutationMatrix(sorted[1], a.DType))];
        }

        /// <summary>
        /// Singular values (descending) and, with <paramref name="computeUv"/>, U and Vh, by one-sided Jacobi on the
        /// columns (of Aᵀ when m &lt; n) and a Householder QR of the orthogonalized columns.
        /// </summary>
        internal static Tensor[] SvdRaw(Tensor a, bool fullMatrices, bool computeUv)
        {
            int m = Size(a, -2), n = Size(a, -1);
            if (m < n)
            {
                var t = SvdRaw(Mt(a), fullMatrices, computeUv);
                return computeUv ? [Mt(t[2]), t[1], Mt(t[0])] : t;
            }
            bool pad = n % 2 == 1;
            int np = n + (pad ? 1 : 0), h = np / 2;
            double eps = Eps(a.DType), tol = m * eps;
            var b0 = pad ? PadFront(a, both: false) : a;
            var r = Lax.WhileLoop(c =>
            {
                var g = Matmul(Mt(c[1]), c[1]);
                var d = Diag(g);
                var floor = Multiply(Sum(d, -1), eps * eps);
                var limit = Add(Multiply(Multiply(ExpandDims(d, -1), ExpandDims(d, -2)), tol * tol), ExpandDims(Multiply(floor, floor), -1, -2));
                var offDiagonal = Where(Eye(np, dtype: DType.Bool), 0, Multiply(g, g));
                return LogicalAnd(Less(c[0], MaxSweeps), Any(Greater(offDiagonal, limit)));
            }, c =>
            {
                var bv = Lax.ForiLoop(0, np - 1, (_, s) =>
                {
                    Tensor b = s[0], v = s[1];
                    var p = SliceAxis(b, -1, 0, h);
                    var q = SliceAxis(b, -1, h, np);
                    var (cos, sin) = JacobiRotation(Sum(Multiply(p, p), -2), Sum(Multiply(q, q), -2), Sum(Multiply(p, q), -2));
                    b = RotatePairs(b, -1, ExpandDims(cos, -2), ExpandDims(sin, -2));
                    v = RotatePairs(v, -1, ExpandDims(cos, -2), ExpandDims(sin, -2));
                    return [NextPairing(b, -1), NextPairing(v, -1)];
                }, c[1], c[2]);
                return [Add(c[0], 1), bv[0], bv[1]];
            }, Array(0, DType.Int32), b0, EyeLike(a, np));
            Tensor cols = r[1], vectors = r[2];
            if (pad)
            {
                cols = SliceAxis(cols, -1, 1, np);
                vectors = SliceAxis(SliceAxis(vectors, -2, 1, np), -1, 1, np);
            }
            var norms = Sqrt(Sum(Multiply(cols, cols), -2));
            var sorted = Lax.Sort([Negative(norms), BroadcastToShape(Indices(n), norms.Shape)], norms.Ndim - 1);
            var s = Negative(sorted[0]);
            if (!computeUv) return [s];
            var order = PermutationMatrix(sorted[1], a.DType);
            var qr = QrRaw(Matmul(cols, order), complete: fullMatrices);
            var signs = ExpandDims(Where(Less(Diag(qr[1]), 0), -1, 1), -2);
            var u = fullMatrices && m > n
                ? Concatenate([Multiply(SliceAxis(qr[0], -1, 0, n), signs), SliceAxis(qr[0], -1, n, m)], qr[0].Ndim - 1)
                : Multiply(qr[0], signs);
            return [u, s, Mt(Matmul(vectors, order))];
        }
    }
}
