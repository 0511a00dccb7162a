using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    public static partial class Scipy
    {
        public static partial class Special
        {
            // ---- Bessel functions of the first kind ----

            /// <summary>
            /// The Bessel functions of the first kind J_0(z) .. J_v(z) for integer orders (<c>bessel_jn(z, v=v,
            /// n_iter=50)</c>, as JAX): Miller's backward recurrence from order <paramref name="nIter"/> (one
            /// <c>scan</c>), normalized by J_0 + 2 J_2 + 2 J_4 + ... = 1 (Zhang and Jin's BJNDD). The result has shape
            /// (v + 1, *z.shape); <paramref name="nIter"/> must grow with |z| (as a rule, the smallest n with
            /// <c>0.5 log10(6.28 + n) - n log10(1.36 + |z| / n) &gt; 20</c>).
            /// </summary>
            public static Tensor BesselJn(Tensor z, int v, int nIter = 50)
            {
                ArgumentNullException.ThrowIfNull(z);
                z = Inexact("bessel_jn", z);
                if (v < 0 || nIter < 0)
                    throw new JaxTypeException("bessel_jn", $"bessel_jn: the order v and n_iter must be non-negative integers, got v={v}, n_iter={nIter}{Dispatch.At(SourceLocation.FindCaller())}");
                var ks = Jnp.Arange(0.0, nIter + 1, 1.0, z.DType);
                var zero = Jnp.ZerosLike(z);
                var (carry, ys) = Lax.Scan(c =>
                {
                    var k = c[3];
                    var f = Jnp.Subtract(Jnp.Divide(Jnp.Multiply(Jnp.Multiply(Jnp.Add(k, 1), 2), c[1]), z), c[0]);
                    var bs = Jnp.Where(Jnp.Equal(Jnp.Remainder(k, 2), 0), Jnp.Add(c[2], Jnp.Multiply(f, 2)), c[2]);
                    return [c[1], f, bs, f];
                }, [zero, Jnp.FullLike(z, 1e-16), zero], [ks], reverse: true);
                var ys0 = ys[0];
                int count = Math.Min(v + 1, nIter + 1);
                var first = Lax.Slice(ys0, [0, .. new int[z.Ndim]], [1, .. z.Shape.IntSizes]);
                var orders = Lax.Slice(ys0, [0, .. new int[z.Ndim]], [count, .. z.Shape.IntSizes]);
                return Jnp.Divide(orders, Jnp.Subtract(Jnp.ExpandDims(carry[2], 0), first));
            }

            // ---- confluent hypergeometric function ----

            // sum of weight(k) term_k from term_1 = `term` on, term_(k+1) = term_k ratio(k), added to `serie` while
            // |term| / |serie| > eps, at most 250 terms (JAX's loops), each element on its own.
            private static Tensor HyperSeries(Tensor serie, Tensor term, Tensor enabled, Func<Tensor, Tensor>? weight, Func<Tensor, Tensor> ratio)
            {
                double eps = Epsilon(serie.DType);
                Tensor Going(Tensor k, Tensor t, Tensor s) =>
                    Jnp.LogicalAnd(Jnp.Less(k, 250), Jnp.Greater(Jnp.Abs(t), Jnp.Multiply(Jnp.Abs(s), eps)));
                var k0 = Jnp.OnesLike(serie);
                var v = Lax.WhileLoop(
                    s => Jnp.Any(s[0]),
                    s =>
                    {
                        var on = s[0];
                        var k = s[2];
                        var added = Jnp.Add(s[1], weight is null ? s[3] : Jnp.Multiply(s[3], weight(k)));
                        var next = Jnp.Multiply(s[3], ratio(k));
                        var k1 = Jnp.Add(k, 1);
                        return [Jnp.LogicalAnd(on, Going(k1, next, added)), Jnp.Where(on, added, s[1]), Jnp.Where(on, k1, k), Jnp.Where(on, next, s[3])];
                    },
                    Jnp.LogicalAnd(enabled, Going(k0, term, serie)), serie, k0, term);
                return v[1];
            }

            private static Tensor Hyp1f1Value(Tensor a, Tensor b, Tensor x)
            {
                var small = Jnp.Less(Jnp.Abs(x), 100);
                var safeX = Jnp.Where(small, Jnp.FullLike(x, 100), x);
                var one = Jnp.OnesLike(x);
                var series = HyperSeries(one, Jnp.Multiply(Jnp.Divide(a, b), x), small,
                    null, k => Jnp.Divide(Jnp.Multiply(Jnp.Divide(Jnp.Add(a, k), Jnp.Add(b, k)), x), Jnp.Add(k, 1)));
                var bma = Jnp.Subtract(b, a);
                var oma = Jnp.Subtract(1.0, a);
                var tail = HyperSeries(one, Jnp.Divide(Jnp.Multiply(bma, oma), safeX), Jnp.LogicalNot(small),
                    null, k => Jnp.Divide(Jnp.Divide(Jnp.Multiply(Jnp.Add(bma, k), Jnp.Add(oma, k)), Jnp.Add(k, 1)), safeX));
                var asymptotic = Jnp.Multiply(Jnp.Multiply(Jnp.Multiply(Jnp.Divide(Gamma(b), Gamma(a)), Jnp.Exp(safeX)), Jnp.Power(safeX, Jnp.Subtract(a, b))), tail);
                var result = Jnp.Where(small, series, asymptotic);
                var aNonzero = Jnp.NotEqual(a, 0);
                result = Jnp.Where(Jnp.LogicalAnd(Jnp.Equal(b, 0), aNonzero), Jnp.FullLike(result, double.PositiveInfinity), result);
                result = Jnp.Where(Jnp.LogicalAnd(Jnp.Equal(a, b), aNonzero), Jnp.Exp(x), result);
                return Jnp.Where(Jnp.Equal(a, 0), one, result);
            }

            // JAX's derivative series in a and b: sum of term_k (psi(a + k) - psi(a)), resp. (psi(b) - psi(b + k)).
            private static Tensor Hyp1f1Derivative(Tensor a, Tensor b, Tensor x, bool inA)
            {
                var ratio = (Func<Tensor, Tensor>)(k => Jnp.Divide(Jnp.Multiply(Jnp.Divide(Jnp.Add(a, k), Jnp.Add(b, k)), x), Jnp.Add(k, 1)));
                Func<Tensor, Tensor> weight = inA
                    ? k => Jnp.Subtract(Lax.Digamma(Jnp.Add(a, k)), Lax.Digamma(a))
                    : k => Jnp.Subtract(Lax.Digamma(b), Lax.Digamma(Jnp.Add(b, k)));
                return HyperSeries(Jnp.ZerosLike(x), Jnp.Multiply(Jnp.Divide(a, b), x), Jnp.FullLike(x, true, DType.Bool), weight, ratio);
            }

            private static readonly Func<Tensor[], Tensor[]> Hyp1f1WithJvp = Jax.CustomJvp(
                v => [Hyp1f1Value(v[0], v[1], v[2])],
                (v, t) =>
                {
                    var (a, b, x) = (v[0], v[1], v[2]);
                    var dx = Jnp.Multiply(Jnp.Divide(a, b), Hyp1f1Value(Jnp.Add(a, 1), Jnp.Add(b, 1), x));
                    var tangent = Jnp.Add(Jnp.Add(Jnp.Multiply(t[0], Hyp1f1Derivative(a, b, x, true)), Jnp.Multiply(t[1], Hyp1f1Derivative(a, b, x, false))), Jnp.Multiply(t[2], dx));
                    return ([Hyp1f1Value(a, b, x)], [tangent]);
                });

            /// <summary>
            /// The confluent hypergeometric function 1F1(a; b; x) = sum over k of (a)_k / (b)_k x^k / k! (<c>hyp1f1</c>), as
            /// JAX's restricted implementation (real, positive arguments): the Taylor series (at most 250 terms) for
            /// |x| &lt; 100, else the asymptotic expansion (Pearson, Olver and Porter 2014); 1 at a = 0 (also a = b = 0,
            /// unlike scipy), e^x at a = b, inf at b = 0. Large values may lose accuracy in float32 (as JAX).
            /// Differentiable in all arguments by JAX's rules: in x, <c>a/b 1F1(a+1; b+1; x)</c>; in a and b, their series.
            /// </summary>
            public static Tensor Hyp1f1(Tensor a, Tensor b, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(b);
                ArgumentNullException.ThrowIfNull(x);
                return Promoted("hyp1f1", Hyp1f1WithJvp, a, b, x);
            }

            // ---- Fresnel integrals (Cephes fresnl.c) ----

            // S(x) = x^3 SN(x^4) / SD(x^4) and C(x) = x CN(x^4) / CD(x^4) for x^2 < 2.5625; beyond, the auxiliary
            // functions f = 1 - u FN(u) / FD(u), g = t GN(u) / GD(u) with t = 1 / (pi x^2), u = t^2. Highest degree first.
            private static readonly double[] FresnelSn = [-2.99181919401019853726E3, 7.08840045257738576863E5, -6.29741486205862506537E7, 2.54890880573376359104E9, -4.42979518059697779103E10, 3.18016297876567817986E11];
            private static readonly double[] FresnelSd = [1.0, 2.81376268889994315696E2, 4.55847810806532581675E4, 5.17343888770096400730E6, 4.19320245898111231129E8, 2.24411795645340920940E10, 6.07366389490084639049E11];
            private static readonly double[] FresnelCn = [-4.98843114573573548651E-8, 9.50428062829859605134E-6, -6.45191435683965050962E-4, 1.88843319396703850064E-2, -2.05525900955013891793E-1, 9.99999999999999998822E-1];
            private static readonly double[] FresnelCd = [3.99982968972495980367E-12, 9.15439215774657478799E-10, 1.25001862479598821474E-7, 1.22262789024179030997E-5, 8.68029542941784300606E-4, 4.12142090722199792936E-2, 1.00000000000000000118E0];
            private static readonly double[] FresnelFn = [4.21543555043677546506E-1, 1.43407919780758885261E-1, 1.15220955073585758835E-2, 3.45017939782574027900E-4, 4.63613749287867322088E-6, 3.05568983790257605827E-8, 1.02304514164907233465E-10, 1.72010743268161828879E-13, 1.34283276233062758925E-16, 3.76329711269987889006E-20];
            private static readonly double[] FresnelFd = [1.0, 7.51586398353378947175E-1, 1.16888925859191382142E-1, 6.44051526508858611005E-3, 1.55934409164153020873E-4, 1.84627567348930545870E-6, 1.12699224763999035261E-8, 3.60140029589371370404E-11, 5.88754533621578410010E-14, 4.52001434074129701496E-17, 1.25443237090011264384E-20];
            private static readonly double[] FresnelGn = [5.04442073643383265887E-1, 1.97102833525523411709E-1, 1.87648584092575249293E-2, 6.84079380915393090172E-4, 1.15138826111884280931E-5, 9.82852443688422223854E-8, 4.45344415861750144738E-10, 1.08268041139020870318E-12, 1.37555460633261799868E-15, 8.36354435630677421531E-19, 1.86958710162783235106E-22];
            private static readonly double[] FresnelGd = [1.0, 1.47495759925128324529E0, 3.37748989120019970451E-1, 2.53603741420338795122E-2, 8.14679107184306179049E-4, 1.27545075667729118702E-5, 1.04314589657571990585E-7, 4.60680728146520428211E-10, 1.10273215066240270757E-12, 1.38796531259578871258E-15, 8.39158816283118707363E-19, 1.86958710162783236342E-22];

            private static Tensor[] FresnelValue(Tensor xx)
            {
                var x = Jnp.Abs(xx);
                var x2 = Jnp.Multiply(x, x);
                var small = Jnp.Less(x2, 2.5625);
                var huge = Jnp.Greater(x, 36974.0);
                var t4 = Jnp.Multiply(x2, x2);
                var sSmall = Jnp.Divide(Jnp.Multiply(Jnp.Multiply(x, x2), Polyval(FresnelSn, t4)), Polyval(FresnelSd, t4));
                var cSmall = Jnp.Divide(Jnp.Multiply(x, Polyval(FresnelCn, t4)), Polyval(FresnelCd, t4));
                var safe = Jnp.Where(small, Jnp.FullLike(x, 2), Jnp.Minimum(x, 36974.0));
                var safe2 = Jnp.Multiply(safe, safe);
                var t = Jnp.Reciprocal(Jnp.Multiply(safe2, Math.PI));
                var u = Jnp.Multiply(t, t);
                var f = Jnp.Subtract(1.0, Jnp.Divide(Jnp.Multiply(u, Polyval(FresnelFn, u)), Polyval(FresnelFd, u)));
                var g = Jnp.Divide(Jnp.Multiply(t, Polyval(FresnelGn, u)), Polyval(FresnelGd, u));
                var angle = Jnp.Multiply(safe2, Math.PI / 2);
                var (cos, sin) = (Jnp.Cos(angle), Jnp.Sin(angle));
                var px = Jnp.Multiply(safe, Math.PI);
                var cLarge = Jnp.Add(0.5, Jnp.Divide(Jnp.Subtract(Jnp.Multiply(f, sin), Jnp.Multiply(g, cos)), px));
                var sLarge = Jnp.Subtract(0.5, Jnp.Divide(Jnp.Add(Jnp.Multiply(f, cos), Jnp.Multiply(g, sin)), px));
                var half = Jnp.FullLike(x, 0.5);
                var s = Jnp.Where(small, sSmall, Jnp.Where(huge, half, sLarge));
                var c = Jnp.Where(small, cSmall, Jnp.Where(huge, half, cLarge));
                var negative = Jnp.Less(xx, 0);
                return [Jnp.Where(negative, Jnp.Negative(s), s), Jnp.Where(negative, Jnp.Negative(c), c)];
            }

            private static readonly Func<Tensor[], Tensor[]> FresnelWithJvp = Jax.CustomJvp(
                v => FresnelValue(v[0]),
                (v, t) =>
                {
                    var angle = Jnp.Multiply(Jnp.Multiply(v[0], v[0]), Math.PI / 2);
                    return (FresnelValue(v[0]), [Jnp.Multiply(t[0], Jnp.Sin(angle)), Jnp.Multiply(t[0], Jnp.Cos(angle))]);
                });

            /// <summary>
            /// The Fresnel integrals S(x) = integral of sin(pi t²/2) and C(x) = integral of cos(pi t²/2) from 0 to x
            /// (<c>fresnel</c>, returning (S, C)), by Cephes' fresnl: rational approximations for x² &lt; 2.5625, the
            /// auxiliary functions f and g beyond, 1/2 past 36974; odd in x. Derivatives <c>sin(pi x²/2)</c> and
            /// <c>cos(pi x²/2)</c>.
            /// </summary>
            public static (Tensor S, Tensor C) Fresnel(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                var (v, dtype) = Compute("fresnel", x);
                var r = FresnelWithJvp(v);
                return (Restore(r[0], dtype), Restore(r[1], dtype));
            }
        }
    }
}
