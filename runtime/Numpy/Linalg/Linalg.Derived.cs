using System.Collections.Concurrent;
using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    public static partial class Linalg
    {
        private static readonly ConcurrentDictionary<double, Func<Tensor[], Tensor[]>> Pinvs = new();

        /// <summary>
        /// The Moore–Penrose pseudo-inverse of each matrix ([..., m, n] → [..., n, m]) from the SVD
        /// (<c>jnp.linalg.pinv</c>): singular values at or below <paramref name="rtol"/> times the largest are
        /// treated as zero (default 10 · max(m, n) · eps). Differentiable by JAX's rule (Golub and Pereyra).
        /// </summary>
        public static Tensor Pinv(Tensor a, double? rtol = null)
        {
            ArgumentNullException.ThrowIfNull(a);
            a = AsMatrix("pinv", a);
            double r = rtol ?? 10.0 * Math.Max(Size(a, -2), Size(a, -1)) * Eps(a.DType);
            var f = Pinvs.GetOrAdd(r, cut => Jax.CustomJvp(x => [PinvRaw(x[0], cut)], (p, t) =>
            {
                Tensor x = p[0], dx = t[0], pi = PinvRaw(x, cut);
                var dxT = Mt(dx);
                Tensor dp;
                if (Size(x, -2) >= Size(x, -1))
                {
                    var s = Matmul(Matmul(pi, Mt(pi)), dxT);
                    var u = Matmul(Matmul(dxT, Mt(pi)), pi);
                    dp = Add(Subtract(Add(Negative(Matmul(Matmul(pi, dx), pi)), s), Matmul(Matmul(s, x), pi)), Subtract(u, Matmul(Matmul(pi, x), u)));
                }
                else
                {
                    var s = Matmul(pi, Matmul(Mt(pi), dxT));
                    var u = Matmul(dxT, Matmul(Mt(pi), pi));
                    dp = Add(Subtract(Add(Negative(Matmul(pi, Matmul(dx, pi))), s), Matmul(s, Matmul(x, pi))), Subtract(u, Matmul(pi, Matmul(x, u))));
                }
                return ([pi], [dp]);
            }));
            return f([a])[0];
        }

        /// <summary>
        /// The rank of each matrix (<c>jnp.linalg.matrix_rank</c>): the number of singular values above
        /// <paramref name="rtol"/> (as JAX, the given value is the threshold itself; by default max(m, n) · eps times
        /// the largest singular value). A vector's rank is 1 unless it is all zeros.
        /// </summary>
        public static Tensor MatrixRank(Tensor m, double? rtol = null)
        {
            ArgumentNullException.ThrowIfNull(m);
            m = PromoteArgsInexact("matrix_rank", m)[0];
            if (m.Ndim < 2) return Cast(Any(NotEqual(m, 0)), DType.Int32);
            var s = Svdvals(m);
            var threshold = rtol is double r ? Scalar(r, s)
                : Multiply(Max(s, [-1], keepdims: true), Math.Max(Size(m, -2), Size(m, -1)) * Eps(s.DType));
            return Sum(Greater(s, threshold), -1);
        }

        /// <summary>
        /// The least-squares solution of a x = b (<c>jnp.linalg.lstsq</c>) for a [m, n] and b [m] or [m, k], from
        /// the SVD: singular values below <paramref name="rcond"/> times the largest are dropped (default
        /// eps · max(m, n); a negative rcond means eps). Returns x, the squared residual norms ‖b − a x‖² per column
        /// (shape [k], or [1] for a vector b), the effective rank, and the singular values. The residuals are always
        /// computed, as JAX's default; with <paramref name="numpyResid"/> they are empty where NumPy's are (rank &lt; n
        /// or m ≤ n), which needs a concrete rank (not under a transformation). Differentiable through the SVD.
        /// </summary>
        public static (Tensor Solution, Tensor Residuals, Tensor Rank, Tensor SingularValues) Lstsq(Tensor a, Tensor b, double? rcond = null, bool numpyResid = false)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            if (a.Ndim != 2)
                throw new JaxTypeException("lstsq", $"lstsq needs a two-dimensional a, got {a.Aval.ToLongString()}{At()}");
            if (b.Ndim is not (1 or 2) || b.Shape[0] != a.Shape[0])
                throw new JaxTypeException("lstsq", $"lstsq needs b of shape [{a.Shape[0]}] or [{a.Shape[0]}, k] for a of shape {a.Aval.ToLongString()}, got {b.Aval.ToLongString()}{At()}");
            var dt = InexactType([a, b]);
            a = Cast(a, dt);
            var bm = Cast(b.Ndim == 1 ? ExpandDims(b, 1) : b, dt);
            int m = Size(a, 0), n = Size(a, 1);
            double cut = rcond is null ? Eps(dt) * Math.Max(m, n) : rcond < 0 ? Eps(dt) : rcond.Value;
            var (u, s, vt) = Svd(a, fullMatrices: false);
            var mask = GreaterEqual(s, Multiply(SliceAxis(s, 0, 0, 1), cut));
            var rank = Sum(mask, -1);
            var sInv = ExpandDims(Where(mask, Reciprocal(Where(mask, s, 1)), 0), 1);
            var x = Matmul(Mt(vt), Multiply(sInv, Matmul(Mt(u), bm)));
            var resid = Sum(Square(Subtract(bm, Matmul(a, x))), 0);
            if (numpyResid && (m <= n || RankBelow(rank, n))) resid = Zeros([0], dt);
            return (b.Ndim == 1 ? Ravel(x) : x, resid, rank, s);
        }

        /// <summary>Whether a concrete rank is below n (NumPy's empty-residual rule).</summary>
        private static bool RankBelow(Tensor rank, int n)
        {
            if (rank.IsTracer)
                throw new JaxTypeException("lstsq", $"lstsq with numpy_resid=True needs a concrete rank; under a transformation (jit, grad, vmap) use numpy_resid=False{At()}");
            return rank.Item<long>() < n;
        }

        /// <summary>
        /// The condition number of each matrix (<c>jnp.linalg.cond</c>) in the norm of order <paramref name="p"/>:
        /// null or 2 is σ_max/σ_min, −2 is σ_min/σ_max (any shape); 1, −1, ∞, −∞ are ‖A‖·‖A⁻¹‖ (square matrices). A NaN
        /// from a singular matrix without NaNs becomes ∞, as JAX.
        /// </summary>
        public static Tensor Cond(Tensor x, double? p = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            return CondOf(x, p, null);
        }

        /// <summary>The condition number ‖A‖·‖A⁻¹‖ in the "fro" or "nuc" norm.</summary>
        public static Tensor Cond(Tensor x, string p)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(p);
            return CondOf(x, null, p);
        }

        /// <summary>
        /// The product of a chain of matrices (<c>jnp.linalg.multi_dot</c>) in the cheapest order; the first may be a
        /// vector [n] (a row) and the last a vector (a column), which are dropped from the result as in NumPy.
        /// </summary>
        public static Tensor MultiDot(IEnumerable<Tensor> arrays)
        {
            ArgumentNullException.ThrowIfNull(arrays);
            var xs = arrays.ToArray();
            if (xs.Length < 2)
                throw new JaxTypeException("multi_dot", $"multi_dot needs at least two arrays, got {xs.Length}{At()}");
            for (int i = 0; i < xs.Length; i++)
            {
                ArgumentNullException.ThrowIfNull(xs[i], nameof(arrays));
                bool end = i == 0 || i == xs.Length - 1;
                if (xs[i].Ndim != 2 && !(end && xs[i].Ndim == 1))
                    throw new JaxTypeException("multi_dot", $"multi_dot needs matrices (the first and last may be vectors); array {i} is {xs[i].Aval.ToLongString()}{At()}");
            }
            bool rowFirst = xs[0].Ndim == 1, colLast = xs[^1].Ndim == 1;
            var ms = xs.Select((x, i) => i == 0 && rowFirst ? ExpandDims(x, 0) : i == xs.Length - 1 && colLast ? ExpandDims(x, 1) : x).ToArray();
            for (int i = 1; i < ms.Length; i++)
                if (ms[i - 1].Shape[1] != ms[i].Shape[0])
                    throw new JaxTypeException("multi_dot", $"multi_dot: array {i - 1} {xs[i - 1].Aval.ToLongString()} and array {i} {xs[i].Aval.ToLongString()} do not chain{At()}");
            // The matrix-chain order by dynamic programming over the static sizes.
            int k = ms.Length;
            var dims = ms.Select(x => x.Shape[0].Size).Append(ms[^1].Shape[1].Size).ToArray();
            var cost = new long[k, k];
            var split = new int[k, k];
            for (int len = 1; len < k; len++)
                for (int i = 0; i + len < k; i++)
                {
                    int j = i + len;
                    cost[i, j] = long.MaxValue;
                    for (int s = i; s < j; s++)
                    {
                        long c = cost[i, s] + cost[s + 1, j] + dims[i] * dims[s + 1] * dims[j + 1];
                        if (c < cost[i, j]) (cost[i, j], split[i, j]) = (c, s);
                    }
                }
            Tensor Chain(int i, int j) => i == j ? ms[i] : Matmul(Chain(i, split[i, j]), Chain(split[i, j] + 1, j));
            var r = Chain(0, k - 1);
            if (colLast) r = Squeeze(r, 1);
            if (rowFirst) r = Squeeze(r, 0);
            return r;
        }

        private static Tensor CondOf(Tensor x, double? p, string? named)
        {
            x = AsMatrix("cond", x, nameof(x));
            Tensor r;
            if (named is null && p is null or 2 or -2)
            {
                var s = Svdvals(x);
                Tensor first = SliceAxis(s, -1, 0, 1), last = SliceAxis(s, -1, Size(s, -1) - 1, Size(s, -1));
                r = Squeeze(p is -2 ? Divide(last, first) : Divide(first, last), -1);
            }
            else
            {
                if (x.Shape[^1] != x.Shape[^2])
                    throw new JaxTypeException("cond", $"cond in the {named ?? p.ToString()} norm needs square matrices, got {x.Aval.ToLongString()}{At()}");
                var inv = Inv(x);
                r = named is null ? Multiply(Norm(x, p, [-2, -1]), Norm(inv, p, [-2, -1])) : Multiply(Norm(x, named, [-2, -1]), Norm(inv, named, [-2, -1]));
            }
            return Where(LogicalAnd(Isnan(r), LogicalNot(Any(Isnan(x), [-2, -1]))), double.PositiveInfinity, r);
        }

        /// <summary>The pseudo-inverse from the reduced SVD, dropping singular values at or below rtol times the largest.</summary>
        internal static Tensor PinvRaw(Tensor a, double rtol)
        {
            var usv = SvdRaw(a, fullMatrices: false, computeUv: true);
            var s = usv[1];
            var kept = Where(Greater(s, Multiply(SliceAxis(s, -1, 0, 1), rtol)), s, double.PositiveInfinity);
            return Matmul(Mt(usv[2]), Divide(Mt(usv[0]), ExpandDims(kept, -1)));
        }
    }
}
