using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    public static partial class Scipy
    {
        public static partial class Special
        {
            // Iteration caps of XLA's loops (igamma/igammac: 2000; betainc: Cephes' 200 in float32, 600 in float64).
            private const int IgammaMaxIterations = 2000;

            private static double Epsilon(DType t) => t == DType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23);

            private static double LogMaxFinite(DType t) => Math.Log(t == DType.Float64 ? double.MaxValue : float.MaxValue);

            // Promotes the arguments together (promote_args_inexact), broadcasts them to one shape and moves
            // float16/bfloat16 to float32 (XLA's upcast for these loops); the result is cast back by Restore.
            private static (Tensor[] Args, DType DType) Compute(string op, params Tensor[] args)
            {
                foreach (var arg in args) ArgumentNullException.ThrowIfNull(arg);
                var promoted = Jnp.BroadcastArrays(Jnp.PromoteArgsInexact(op, args));
                var dtype = promoted[0].DType;
                if (dtype is DType.Float16 or DType.BFloat16) promoted = [.. promoted.Select(a => Jnp.Cast(a, DType.Float32))];
                return (promoted, dtype);
            }

            private static Tensor Restore(Tensor result, DType dtype) => result.DType == dtype ? result : Jnp.Cast(result, dtype);

            // f's first output on the arguments prepared by Compute, cast back to their promoted dtype.
            private static Tensor Promoted(string op, Func<Tensor[], Tensor[]> f, params Tensor[] args)
            {
                var (v, dtype) = Compute(op, args);
                return Restore(f(v)[0], dtype);
            }

            // Cephes igam's power series for P(a, x) (XLA's IgammaSeries): sum of x^n / (a+1)...(a+n), times
            // ax / a; with derivative, the derivative in a of the same (XLA's DERIVATIVE mode and its stopping rule).
            private static Tensor IgammaSeries(Tensor ax, Tensor x, Tensor a, Tensor enabled, bool derivative)
            {
                double eps = Epsilon(a.DType);
                var one = Jnp.OnesLike(a);
                var zero = Jnp.ZerosLike(a);
                var c = Lax.WhileLoop(
                    v => Jnp.LogicalAnd(Jnp.Less(v[6], IgammaMaxIterations), Jnp.Any(v[0])),
                    v =>
                    {
                        var on = v[0];
                        var r = Jnp.Add(v[1], 1);
                        var ratio = Jnp.Divide(x, r);
                        var dcda = Jnp.Add(Jnp.Multiply(v[4], ratio), Jnp.Divide(Jnp.Negative(Jnp.Multiply(v[2], x)), Jnp.Multiply(r, r)));
                        var dansda = Jnp.Add(v[5], dcda);
                        var term = Jnp.Multiply(v[2], ratio);
                        var ans = Jnp.Add(v[3], term);
                        var going = derivative ? Jnp.Greater(Jnp.Abs(Jnp.Divide(dcda, dansda)), eps) : Jnp.Greater(Jnp.Divide(term, ans), eps);
                        return [Jnp.LogicalAnd(on, going), Jnp.Where(on, r, v[1]), Jnp.Where(on, term, v[2]), Jnp.Where(on, ans, v[3]),
                            Jnp.Where(on, dcda, v[4]), Jnp.Where(on, dansda, v[5]), Jnp.Add(v[6], 1)];
                    },
                    enabled, a, one, one, zero, zero, Jnp.Array(0, DType.Int32));
                if (!derivative) return Jnp.Divide(Jnp.Multiply(c[3], ax), a);
                var dlogaxDa = Jnp.Subtract(Jnp.Log(x), Lax.Digamma(Jnp.Add(a, 1)));
                return Jnp.Divide(Jnp.Multiply(ax, Jnp.Add(Jnp.Multiply(c[3], dlogaxDa), c[5])), a);
            }

            // Cephes igamc's continued fraction for Q(a, x) (XLA's IgammacContinuedFraction), rescaled by eps when the
            // convergents grow past 1/eps; with derivative, its derivative in a carried alongside.
            private static Tensor IgammacContinuedFraction(Tensor ax, Tensor x, Tensor a, Tensor enabled, bool derivative)
            {
                double eps = Epsilon(a.DType);
                var y = Jnp.Subtract(1.0, a);
                var z = Jnp.Add(Jnp.Add(x, y), 1);
                var pkm2 = Jnp.OnesLike(x);
                var qkm2 = x;
                var pkm1 = Jnp.Add(x, 1);
                var qkm1 = Jnp.Multiply(z, x);
                var ans = Jnp.Divide(pkm1, qkm1);
                var zero = Jnp.ZerosLike(x);
                var dqkm1 = Jnp.Negative(x);
                var dans = Jnp.Divide(Jnp.Negative(Jnp.Multiply(ans, dqkm1)), qkm1);
                var v = Lax.WhileLoop(
                    s => Jnp.LogicalAnd(Jnp.Less(s[15], IgammaMaxIterations), Jnp.Any(s[0])),
                    s =>
                    {
                        var on = s[0];
                        var c = Jnp.Add(s[5], 1);
                        var yy = Jnp.Add(s[3], 1);
                        var zz = Jnp.Add(s[4], 2);
                        var yc = Jnp.Multiply(yy, c);
                        var pk = Jnp.Subtract(Jnp.Multiply(s[6], zz), Jnp.Multiply(s[8], yc));
                        var qk = Jnp.Subtract(Jnp.Multiply(s[7], zz), Jnp.Multiply(s[9], yc));
                        var nonzero = Jnp.NotEqual(qk, 0);
                        var r = Jnp.Divide(pk, Jnp.Where(nonzero, qk, Jnp.OnesLike(qk)));
                        var t = Jnp.Where(nonzero, Jnp.Abs(Jnp.Divide(Jnp.Subtract(s[1], r), r)), Jnp.OnesLike(r));
                        var next = Jnp.Where(nonzero, r, s[1]);
                        var dpk = Jnp.Add(Jnp.Subtract(Jnp.Subtract(Jnp.Multiply(s[12], zz), s[6]), Jnp.Multiply(s[10], yc)), Jnp.Multiply(s[8], c));
                        var dqk = Jnp.Add(Jnp.Subtract(Jnp.Subtract(Jnp.Multiply(s[13], zz), s[7]), Jnp.Multiply(s[11], yc)), Jnp.Multiply(s[9], c));
                        var dansNew = Jnp.Where(nonzero, Jnp.Divide(Jnp.Subtract(dpk, Jnp.Multiply(next, dqk)), Jnp.Where(nonzero, qk, Jnp.OnesLike(qk))), s[14]);
                        var gradConditional = Jnp.Where(nonzero, Jnp.Abs(Jnp.Subtract(dansNew, s[14])), Jnp.OnesLike(r));
                        var rescale = Jnp.Greater(Jnp.Abs(pk), 1 / eps);
                        Tensor Scale(Tensor w) => Jnp.Where(rescale, Jnp.Multiply(w, eps), w);
                        Tensor[] state = [next, t, yy, zz, c, Scale(pk), Scale(qk), Scale(s[6]), Scale(s[7]), Scale(s[12]), Scale(s[13]), Scale(dpk), Scale(dqk), dansNew];
                        var going = Jnp.LogicalAnd(on, Jnp.Greater(derivative ? gradConditional : t, eps));
                        var result = new Tensor[16];
                        result[0] = going;
                        for (int i = 0; i < 14; i++) result[i + 1] = i == 4 ? state[i] : Jnp.Where(on, state[i], s[i + 1]);
                        result[15] = Jnp.Add(s[15], 1);
                        return result;
                    },
                    enabled, ans, Jnp.OnesLike(x), y, z, zero, pkm1, qkm1, pkm2, qkm2, zero, zero, zero, dqkm1, dans, Jnp.Array(0, DType.Int32));
                if (!derivative) return Jnp.Multiply(v[1], ax);
                var dlogaxDa = Jnp.Subtract(Jnp.Log(x), Lax.Digamma(a));
                return Jnp.Multiply(ax, Jnp.Add(Jnp.Multiply(v[1], dlogaxDa), v[14]));
            }

            // log(x^a e^-x / Gamma(a)), whether exp of it underflows, and exp of it.
            private static (Tensor Ax, Tensor Underflow) IgammaPrefactor(Tensor a, Tensor x)
            {
                var logAx = Jnp.Subtract(Jnp.Subtract(Jnp.Multiply(a, Jnp.Log(x)), x), Lax.Lgamma(a));
                return (Jnp.Exp(logAx), Jnp.Less(logAx, -LogMaxFinite(a.DType)));
            }

            // XLA's Igamma (gradA false) and IgammaGradA (gradA true), on promoted, broadcast float32/64 arrays.
            private static Tensor IgammaValue(Tensor a, Tensor x, bool gradA)
            {
                var isNan = Jnp.LogicalOr(Jnp.Isnan(a), Jnp.Isnan(x));
                var xZero = Jnp.Equal(x, 0);
                var domainError = Jnp.LogicalOr(Jnp.Less(x, 0), Jnp.LessEqual(a, 0));
                var useIgammac = Jnp.LogicalAnd(Jnp.Greater(x, 1), Jnp.Greater(x, a));
                var (ax, underflow) = IgammaPrefactor(a, x);
                var enabled = Jnp.LogicalNot(Jnp.LogicalOr(Jnp.LogicalOr(xZero, domainError), Jnp.LogicalOr(underflow, isNan)));
                var fraction = IgammacContinuedFraction(ax, x, a, Jnp.LogicalAnd(enabled, useIgammac), gradA);
                var series = IgammaSeries(ax, x, a, Jnp.LogicalAnd(enabled, Jnp.LogicalNot(useIgammac)), gradA);
                var output = Jnp.Where(useIgammac, gradA ? Jnp.Negative(fraction) : Jnp.Subtract(1.0, fraction), series);
                output = Jnp.Where(xZero, Jnp.ZerosLike(output), output);
                if (!gradA) output = Jnp.Where(Jnp.Equal(x, double.PositiveInfinity), Jnp.OnesLike(output), output);
                return Jnp.Where(Jnp.LogicalOr(domainError, isNan), double.NaN, output);
            }

            // XLA's Igammac.
            private static Tensor IgammacValue(Tensor a, Tensor x)
            {
                var outOfRange = Jnp.LogicalOr(Jnp.LessEqual(x, 0), Jnp.LessEqual(a, 0));
                var useIgamma = Jnp.LogicalOr(Jnp.Less(x, 1), Jnp.Less(x, a));
                var (ax, underflow) = IgammaPrefactor(a, x);
                var enabled = Jnp.LogicalNot(Jnp.LogicalOr(outOfRange, underflow));
                var series = IgammaSeries(ax, x, a, Jnp.LogicalAnd(enabled, useIgamma), false);
                var fraction = IgammacContinuedFraction(ax, x, a, Jnp.LogicalAnd(enabled, Jnp.LogicalNot(useIgamma)), false);
                var result = Jnp.Where(useIgamma, Jnp.Subtract(1.0, series), fraction);
                result = Jnp.Where(Jnp.Equal(x, double.PositiveInfinity), Jnp.ZerosLike(result), result);
                return Jnp.Where(outOfRange, Jnp.OnesLike(result), result);
            }

            // d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) (JAX's igamma_gradx).
            private static Tensor IgammaGradX(Tensor a, Tensor x) =>
                Jnp.Exp(Jnp.Subtract(Jnp.Add(Jnp.Negative(x), Jnp.Multiply(Jnp.Subtract(a, 1), Jnp.Log(x))), Lax.Lgamma(a)));

            private static readonly Func<Tensor[], Tensor[]> GammaincWithJvp = Jax.CustomJvp(
                v => [IgammaValue(v[0], v[1], false)],
                (v, t) => ([IgammaValue(v[0], v[1], false)],
                    [Jnp.Add(Jnp.Multiply(t[0], IgammaValue(v[0], v[1], true)), Jnp.Multiply(t[1], IgammaGradX(v[0], v[1])))]));

            private static readonly Func<Tensor[], Tensor[]> GammainccWithJvp = Jax.CustomJvp(
                v => [IgammacValue(v[0], v[1])],
                (v, t) => ([IgammacValue(v[0], v[1])],
                    [Jnp.Negative(Jnp.Add(Jnp.Multiply(t[0], IgammaValue(v[0], v[1], true)), Jnp.Multiply(t[1], IgammaGradX(v[0], v[1]))))]));

            /// <summary>
            /// The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a) (<c>gammainc</c>, JAX's
            /// <c>lax.igamma</c>): Cephes' power series where x &lt;= 1 or x &lt;= a, else 1 - Q(a, x) by the continued
            /// fraction, each a loop that stops when every element has converged (at most 2000 steps). 0 at x = 0, 1 at
            /// x = inf, NaN for x &lt; 0, a &lt;= 0 or NaN. Differentiable in both arguments as JAX: in x,
            /// <c>x^(a-1) e^-x / Γ(a)</c>; in a, XLA's <c>igamma_grad_a</c> (the same series and fraction differentiated
            /// in a). float16/bfloat16 are computed in float32.
            /// </summary>
            public static Tensor Gammainc(Tensor a, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(x);
                return Promoted("gammainc", GammaincWithJvp, a, x);
            }

            /// <summary>
            /// The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) (<c>gammaincc</c>, JAX's
            /// <c>lax.igammac</c>), by the continued fraction where x &gt;= 1 and x &gt;= a (accurate in the upper tail),
            /// else 1 - the series: 0 at x = inf, 1 where x &lt;= 0 or a &lt;= 0 (as XLA). Its derivatives are minus
            /// <see cref="Gammainc"/>'s.
            /// </summary>
            public static Tensor Gammaincc(Tensor a, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(x);
                return Promoted("gammaincc", GammainccWithJvp, a, x);
            }

            // XLA's RegularizedIncompleteBeta: the continued fraction of DLMF 8.17.22 (modified Lentz, Thompson and
            // Barnett), with the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where x >= (a + 1) / (a + b + 2).
            private static Tensor BetaincValue(Tensor a, Tensor b, Tensor x)
            {
                bool isDouble = a.DType == DType.Float64;
                int iterations = isDouble ? 600 : 200;
                double small = Epsilon(a.DType) / 2, threshold = small;
                var resultIsNan = Jnp.LogicalOr(Jnp.LogicalOr(Jnp.LessEqual(a, 0), Jnp.LessEqual(b, 0)), Jnp.LogicalOr(Jnp.Less(x, 0), Jnp.Greater(x, 1)));
                var convergesRapidly = Jnp.Less(x, Jnp.Divide(Jnp.Add(a, 1), Jnp.Add(Jnp.Add(a, b), 2)));
                var aa = Jnp.Where(convergesRapidly, a, b);
                var bb = Jnp.Where(convergesRapidly, b, a);
                var xx = Jnp.Where(convergesRapidly, x, Jnp.Subtract(1.0, x));
                // h starts at b0 = 0 replaced by `small`; step n uses the partial numerator a_n (1 for n = 1) and b_n = 1.
                var h0 = Jnp.FullLike(xx, small);
                var v = Lax.WhileLoop(
                    s => Jnp.LogicalAnd(Jnp.Less(s[0], iterations), Jnp.Any(s[1])),
                    s =>
                    {
                        var n = s[0];
                        var m = Jnp.Cast(Lax.Div(Jnp.Subtract(n, 1), Jnp.Array(2, DType.Int32)), xx.DType);
                        var twoM = Jnp.Multiply(m, 2);
                        var even = Jnp.Divide(Jnp.Multiply(Jnp.Multiply(Jnp.Negative(Jnp.Add(aa, m)), Jnp.Add(Jnp.Add(aa, bb), m)), xx),
                            Jnp.Multiply(Jnp.Add(aa, twoM), Jnp.Add(Jnp.Add(aa, twoM), 1)));
                        var odd = Jnp.Divide(Jnp.Multiply(Jnp.Multiply(m, Jnp.Subtract(bb, m)), xx),
                            Jnp.Multiply(Jnp.Subtract(Jnp.Add(aa, twoM), 1), Jnp.Add(aa, twoM)));
                        var numerator = Jnp.Where(Jnp.Equal(n, 1), Jnp.OnesLike(xx), Jnp.Where(Jnp.Equal(Lax.Rem(n, Jnp.Array(2, DType.Int32)), 0), even, odd));
                        var d = Jnp.Add(Jnp.Multiply(numerator, s[3]), 1);
                        d = Jnp.Reciprocal(Jnp.Where(Jnp.Less(Jnp.Abs(d), small), Jnp.FullLike(d, small), d));
                        var c = Jnp.Add(Jnp.Divide(numerator, s[2]), 1);
                        c = Jnp.Where(Jnp.Less(Jnp.Abs(c), small), Jnp.FullLike(c, small), c);
                        var delta = Jnp.Multiply(c, d);
                        var on = s[1];
                        return [Jnp.Add(n, 1), Jnp.LogicalAnd(on, Jnp.Greater(Jnp.Abs(Jnp.Subtract(delta, 1)), threshold)),
                            Jnp.Where(on, c, s[2]), Jnp.Where(on, d, s[3]), Jnp.Where(on, Jnp.Multiply(s[4], delta), s[4])];
                    },
                    Jnp.Array(1, DType.Int32), Jnp.FullLike(xx, true, DType.Bool), h0, Jnp.ZerosLike(xx), h0);
                var lbeta = Jnp.Subtract(Jnp.Add(Lax.Lgamma(aa), Lax.Lgamma(bb)), Lax.Lgamma(Jnp.Add(aa, bb)));
                var result = Jnp.Divide(Jnp.Multiply(v[4], Jnp.Exp(Jnp.Subtract(Jnp.Add(Jnp.Multiply(Jnp.Log(xx), aa), Jnp.Multiply(Lax.Log1p(Jnp.Negative(xx)), bb)), lbeta))), aa);
                result = Jnp.Where(resultIsNan, double.NaN, result);
                return Jnp.Where(convergesRapidly, result, Jnp.Subtract(1.0, result));
            }

            private static readonly Func<Tensor[], Tensor[]> BetaincWithJvp = Jax.CustomJvp(
                v => [BetaincValue(v[0], v[1], v[2])],
                (v, t) =>
                {
                    var (a, b, x) = (v[0], v[1], v[2]);
                    var lbeta = Jnp.Subtract(Jnp.Add(Lax.Lgamma(a), Lax.Lgamma(b)), Lax.Lgamma(Jnp.Add(a, b)));
                    var partialX = Jnp.Exp(Jnp.Subtract(Jnp.Add(Jnp.Multiply(Jnp.Subtract(b, 1), Lax.Log1p(Jnp.Negative(x))), Jnp.Multiply(Jnp.Subtract(a, 1), Jnp.Log(x))), lbeta));
                    return ([BetaincValue(a, b, x)], [Jnp.Multiply(t[2], partialX)]);
                });

            /// <summary>
            /// The regularized incomplete beta function I_x(a, b) (<c>betainc</c>, JAX's
            /// <c>lax.regularized_incomplete_beta</c>): XLA's continued fraction (modified Lentz; at most 200 steps in
            /// float32, 600 in float64), through the symmetry 1 - I_(1-x)(b, a) where x &gt;= (a + 1) / (a + b + 2); NaN
            /// for a &lt;= 0, b &lt;= 0 or x outside [0, 1]. Differentiable in x (<c>x^(a-1) (1-x)^(b-1) / B(a, b)</c>, JAX's
            /// rule); JAX defines no derivative in a or b (it raises), and here tangents of a and b contribute nothing.
            /// </summary>
            public static Tensor Betainc(Tensor a, Tensor b, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(b);
                ArgumentNullException.ThrowIfNull(x);
                return Promoted("betainc", BetaincWithJvp, a, b, x);
            }
        }
    }
}
