using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    public static partial class Scipy
    {
        public static partial class Special
        {
            // ---- modified Bessel functions of order 0 and 1 ----

            // Cephes' Chebyshev coefficients of exp(-x) I1(x) / x on [0, 8] (argument x/2 - 2) and of
            // exp(-x) sqrt(x) I1(x) on (8, inf) (argument 32/x - 2), highest order first.
            private static readonly double[] I1eA =
            [
                2.77791411276104639959E-18, -2.11142121435816608115E-17, 1.55363195773620046921E-16, -1.10559694773538630805E-15,
                7.60068429473540693410E-15, -5.04218550472791168711E-14, 3.22379336594557470981E-13, -1.98397439776494371520E-12,
                1.17361862988909016308E-11, -6.66348972350202774223E-11, 3.62559028155211703701E-10, -1.88724975172282928790E-9,
                9.38153738649577178388E-9, -4.44505912879632808065E-8, 2.00329475355213526229E-7, -8.56872026469545474066E-7,
                3.47025130813767847674E-6, -1.32731636560394358279E-5, 4.78156510755005422638E-5, -1.61760815825896745588E-4,
                5.12285956168575772895E-4, -1.51357245063125314899E-3, 4.15642294431288815669E-3, -1.05640848946261981558E-2,
                2.47264490306265168283E-2, -5.29459812080949914269E-2, 1.02643658689847095384E-1, -1.76416518357834055153E-1,
                2.52587186443633654823E-1,
            ];

            private static readonly double[] I1eB =
            [
                7.51729631084210481353E-18, 4.41434832307170791151E-18, -4.65030536848935832153E-17, -3.20952592199342395980E-17,
                2.96262899764595013876E-16, 3.30820231092092828324E-16, -1.88035477551078244854E-15, -3.81440307243700780478E-15,
                1.04202769841288027642E-14, 4.27244001671195135429E-14, -2.10154184277266431302E-14, -4.08355111109219731823E-13,
                -7.19855177624590851209E-13, 2.03562854414708950722E-12, 1.41258074366137813316E-11, 3.25260358301548823856E-11,
                -1.89749581235054123450E-11, -5.58974346219658380687E-10, -3.83538038596423702205E-9, -2.63146884688951950684E-8,
                -2.51223623787020892529E-7, -3.88256480887769039346E-6, -1.10588938762623716291E-4, -9.76109749136146840777E-3,
                7.78576235018280120474E-1,
            ];

            // Cephes' chbevl: the Clenshaw recurrence b0 = t b1 - b2 + c over the coefficients, (b0 - b2) / 2.
            private static Tensor Chbevl(Tensor t, double[] coefficients)
            {
                Tensor b0 = Jnp.FullLike(t, coefficients[0]), b1 = Jnp.ZerosLike(t), b2 = b1;
                for (int i = 1; i < coefficients.Length; i++)
                {
                    b2 = b1;
                    b1 = b0;
                    b0 = Jnp.Add(Jnp.Subtract(Jnp.Multiply(t, b1), b2), coefficients[i]);
                }
                return Jnp.Multiply(Jnp.Subtract(b0, b2), 0.5);
            }

            // exp(-|x|) I_n(|x|) from the two series: A at |x|/2 - 2 (times |x| for order 1) up to 8, B beyond.
            private static Tensor ScaledBessel(Tensor x, double[] a, double[] b, bool timesX)
            {
                var abs = Jnp.Abs(x);
                var low = Jnp.Minimum(abs, 8);
                var high = Jnp.Maximum(abs, 8);
                var small = Chbevl(Jnp.Subtract(Jnp.Multiply(low, 0.5), 2), a);
                if (timesX) small = Jnp.Multiply(small, low);
                var large = Jnp.Divide(Chbevl(Jnp.Subtract(Jnp.Divide(32.0, high), 2), b), Jnp.Sqrt(high));
                return Jnp.Where(Jnp.LessEqual(abs, 8), small, large);
            }

            private static Tensor I0eValue(Tensor x) => ScaledBessel(x, Jnp.I0eA, Jnp.I0eB, false);

            private static Tensor I1eValue(Tensor x)
            {
                var r = ScaledBessel(x, I1eA, I1eB, true);
                return Jnp.Where(Jnp.Less(x, 0), Jnp.Negative(r), r);
            }

            // JAX's rules: i0e' = i1e(x) - sign(x) i0e(x); i1e' = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at |x| <= eps.
            private static readonly Func<Tensor, Tensor> I0eWithJvp = Jax.CustomJvp(
                (Func<Tensor, Tensor>)I0eValue,
                (x, t) =>
                {
                    var y = I0eValue(x);
                    return (y, Jnp.Multiply(t, Jnp.Subtract(I1eValue(x), Jnp.Multiply(Jnp.Sign(x), y))));
                });

            private static readonly Func<Tensor, Tensor> I1eWithJvp = Jax.CustomJvp(
                (Func<Tensor, Tensor>)I1eValue,
                (x, t) =>
                {
                    var y = I1eValue(x);
                    double eps = Epsilon(x.DType);
                    var notTiny = Jnp.Greater(Jnp.Abs(x), eps);
                    var safe = Jnp.Where(notTiny, x, Jnp.FullLike(x, eps));
                    var slope = Jnp.Subtract(I0eValue(safe), Jnp.Multiply(y, Jnp.Add(Jnp.Sign(safe), Jnp.Reciprocal(safe))));
                    return (y, Jnp.Multiply(t, Jnp.Where(notTiny, slope, Jnp.FullLike(x, 0.5))));
                });

            private static Tensor Unary(string op, Tensor x, Func<Tensor, Tensor> f)
            {
                var (v, dtype) = Compute(op, x);
                return Restore(f(v[0]), dtype);
            }

            /// <summary>
            /// The exponentially scaled modified Bessel function of order 0, exp(-|x|) I0(x) (<c>i0e</c>, JAX's
            /// <c>lax.bessel_i0e</c>): Cephes' Chebyshev series on [0, 8] and (8, inf); with JAX's derivative
            /// <c>i1e(x) - sign(x) i0e(x)</c>.
            /// </summary>
            public static Tensor I0e(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Unary("i0e", x, I0eWithJvp);
            }

            /// <summary>
            /// The exponentially scaled modified Bessel function of order 1, exp(-|x|) I1(x) (<c>i1e</c>, JAX's
            /// <c>lax.bessel_i1e</c>): Cephes' Chebyshev series (odd in x); with JAX's derivative
            /// <c>i0e(x) - i1e(x) (sign(x) + 1/x)</c>, 1/2 at 0.
            /// </summary>
            public static Tensor I1e(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Unary("i1e", x, I1eWithJvp);
            }

            /// <summary>The modified Bessel function of order 1, <c>exp(|x|) i1e(x)</c> (<c>i1</c>, as JAX).</summary>
            public static Tensor I1(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Unary("i1", x, v => Jnp.Multiply(Jnp.Exp(Jnp.Abs(v)), I1eWithJvp(v)));
            }

            /// <summary>The modified Bessel function of order 0 (<c>i0</c>): <see cref="Jnp.I0"/>.</summary>
            public static Tensor I0(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Jnp.I0(x);
            }

            // ---- relative entropies ----

            // Where p > 0 and q > 0: p log p - p log q (JAX's _xlogx and xlogy), and the masks for the other cases.
            private static (Tensor Both, Tensor PZero, Tensor Q, Tensor SafeP, Tensor SafeQ, Tensor LogRatio) EntropyParts(string op, Tensor p, Tensor q)
            {
                (p, q) = Inexact(op, p, q);
                var both = Jnp.LogicalAnd(Jnp.Greater(p, 0), Jnp.Greater(q, 0));
                var pZero = Jnp.LogicalAnd(Jnp.Equal(p, 0), Jnp.GreaterEqual(q, 0));
                var safeP = Jnp.Where(both, p, Jnp.OnesLike(p));
                var safeQ = Jnp.Where(both, q, Jnp.OnesLike(q));
                return (both, pZero, q, safeP, safeQ, Jnp.Subtract(Xlogy(safeP, safeP), Xlogy(safeP, safeQ)));
            }

            /// <summary>
            /// The elementwise Kullback–Leibler divergence <c>p log(p/q) - p + q</c> (<c>kl_div</c>): q where p = 0 and
            /// q &gt;= 0, +inf elsewhere outside p, q &gt; 0 (as JAX).
            /// </summary>
            public static Tensor KlDiv(Tensor p, Tensor q)
            {
                ArgumentNullException.ThrowIfNull(p);
                ArgumentNullException.ThrowIfNull(q);
                var (both, pZero, qq, safeP, safeQ, logRatio) = EntropyParts("kl_div", p, q);
                return Jnp.Where(both, Jnp.Add(Jnp.Subtract(logRatio, safeP), safeQ), Jnp.Where(pZero, qq, double.PositiveInfinity));
            }

            /// <summary>
            /// The elementwise relative entropy <c>p log(p/q)</c> (<c>rel_entr</c>): 0 where p = 0 and q &gt;= 0, +inf
            /// elsewhere outside p, q &gt; 0 (as JAX).
            /// </summary>
            public static Tensor RelEntr(Tensor p, Tensor q)
            {
                ArgumentNullException.ThrowIfNull(p);
                ArgumentNullException.ThrowIfNull(q);
                var (both, pZero, _, _, _, logRatio) = EntropyParts("rel_entr", p, q);
                return Jnp.Where(both, logRatio, Jnp.Where(pZero, Jnp.ZerosLike(logRatio), double.PositiveInfinity));
            }

            // ---- gamma-function relatives ----

            /// <summary>
            /// n! as <c>exp(gammaln(n + 1))</c>, 0 for n &lt; 0 (<c>factorial</c>, exact=False). JAX does not implement
            /// <paramref name="exact"/> = true; neither does this (a <see cref="JaxTypeException"/>).
            /// </summary>
            public static Tensor Factorial(Tensor n, bool exact = false)
            {
                ArgumentNullException.ThrowIfNull(n);
                if (exact)
                    throw new JaxTypeException("factorial", $"factorial: exact=True is not implemented (as in JAX); use exact=False{Dispatch.At(SourceLocation.FindCaller())}");
                n = Inexact("factorial", n);
                return Jnp.Where(Jnp.Less(n, 0), Jnp.ZerosLike(n), Jnp.Exp(Lax.Lgamma(Jnp.Add(n, 1))));
            }

            private static Tensor PochValue(Tensor z, Tensor m) =>
                Jnp.Where(Jnp.Equal(m, 0), Jnp.OnesLike(Jnp.Add(z, m)), Jnp.Divide(Gamma(Jnp.Add(z, m)), Gamma(z)));

            private static readonly Func<Tensor[], Tensor[]> PochWithJvp = Jax.CustomJvp(
                v => [PochValue(v[0], v[1])],
                (v, t) =>
                {
                    var y = PochValue(v[0], v[1]);
                    var upper = Lax.Digamma(Jnp.Add(v[0], v[1]));
                    var dz = Jnp.Multiply(Jnp.Subtract(upper, Lax.Digamma(v[0])), y);
                    return ([y], [Jnp.Add(Jnp.Multiply(t[0], dz), Jnp.Multiply(t[1], Jnp.Multiply(upper, y)))]);
                });

            /// <summary>
            /// The Pochhammer symbol (rising factorial) <c>Γ(z + m) / Γ(z)</c>, 1 where m = 0 (<c>poch</c>), with JAX's
            /// derivatives: <c>(ψ(z + m) - ψ(z)) poch</c> in z and <c>ψ(z + m) poch</c> in m.
            /// </summary>
            public static Tensor Poch(Tensor z, Tensor m)
            {
                ArgumentNullException.ThrowIfNull(z);
                ArgumentNullException.ThrowIfNull(m);
                return Promoted("poch", PochWithJvp, z, m);
            }

            /// <summary>
            /// The log of the multivariate gamma function of dimension <paramref name="d"/> (<c>multigammaln</c>):
            /// <c>d (d - 1) / 4 log(pi) + sum over j &lt; d of gammaln(a - j / 2)</c>.
            /// </summary>
            public static Tensor Multigammaln(Tensor a, int d)
            {
                ArgumentNullException.ThrowIfNull(a);
                a = Inexact("multigammaln", a);
                var sum = Jnp.ZerosLike(a);
                for (int j = 0; j < d; j++) sum = Jnp.Add(sum, Lax.Lgamma(Jnp.Subtract(a, j / 2.0)));
                return Jnp.Add(sum, 0.25 * d * (d - 1) * Math.Log(Math.PI));
            }

            // ---- zeta and polygamma ----

            private static readonly double[] BernoulliCoefficients = ZetaCoefficients();

            // (2k)! / B_2k for k = 1..16 (JAX's _BERNOULLI_COEFS), from the exact Bernoulli numbers.
            private static double[] ZetaCoefficients()
            {
                var b = BernoulliNumbers(32);
                var result = new double[16];
                double factorial = 1;
                for (int k = 1; k <= 32; k++)
                {
                    factorial *= k;
                    if (k % 2 == 0) result[k / 2 - 1] = factorial / b[k];
                }
                return result;
            }

            private static Tensor ZetaValue(Tensor x, Tensor q)
            {
                bool isDouble = x.DType == DType.Float64;
                int n = isDouble ? 16 : 8, m = n;
                double max = isDouble ? double.MaxValue : float.MaxValue;
                var minusX = Jnp.Negative(x);
                var s = Jnp.ZerosLike(x);
                for (int k = 0; k < n; k++) s = Jnp.Add(s, Jnp.Power(Jnp.Add(q, k), minusX));
                var qn = Jnp.Add(q, n);
                var integral = Jnp.Divide(Jnp.Power(qn, Jnp.Subtract(1.0, x)), Jnp.Subtract(x, 1));
                var t0 = Jnp.Power(qn, minusX);
                // T1_j = prod over i <= 2j of (x + i) / (q + N), clipped at the dtype's largest value, over (2j+2)!/B_2j+2.
                var product = Jnp.OnesLike(x);
                var tail = Jnp.ZerosLike(x);
                for (int i = 0; i < 2 * m; i++)
                {
                    product = Jnp.Multiply(product, Jnp.Divide(Jnp.Add(x, i), qn));
                    if (i % 2 == 0) tail = Jnp.Add(tail, Jnp.Divide(Jnp.Minimum(product, max), BernoulliCoefficients[i / 2]));
                }
                var result = Jnp.Add(Jnp.Add(s, integral), Jnp.Multiply(t0, Jnp.Add(tail, 0.5)));
                // XLA's domain: inf at x = 1, NaN below; for q <= 0, NaN unless x is an integer, and at the poles
                // (integer q <= 0) inf for even x, NaN otherwise.
                var xInteger = Jnp.Equal(x, Jnp.Floor(x));
                var qNonPositive = Jnp.LessEqual(q, 0);
                var atPole = Jnp.LogicalAnd(qNonPositive, Jnp.Equal(q, Jnp.Floor(q)));
                var xEven = Jnp.LogicalAnd(xInteger, Jnp.Equal(Jnp.Remainder(x, 2), 0));
                result = Jnp.Where(Jnp.LogicalAnd(qNonPositive, Jnp.LogicalNot(xInteger)), double.NaN, result);
                result = Jnp.Where(atPole, Jnp.Where(xEven, Jnp.FullLike(result, double.PositiveInfinity), Jnp.FullLike(result, double.NaN)), result);
                result = Jnp.Where(Jnp.Less(x, 1), double.NaN, result);
                return Jnp.Where(Jnp.Equal(x, 1), double.PositiveInfinity, result);
            }

            /// <summary>
            /// The Hurwitz zeta function ζ(x, q) = sum over k &gt;= 0 of (k + q)^-x (<c>zeta</c>; q = 1 is Riemann's), by
            /// JAX's Euler–Maclaurin summation (Johansson 2015, formula 5: 16 terms and 16 Bernoulli corrections in
            /// float64, 8 and 8 in float32), with XLA's domain: +inf at x = 1, NaN for x &lt; 1 and for q &lt;= 0 unless x
            /// is an integer. Differentiable in both arguments through the formula (d/dq is <c>-x ζ(x + 1, q)</c>).
            /// </summary>
            public static Tensor Zeta(Tensor x, Tensor q)
            {
                ArgumentNullException.ThrowIfNull(x);
                ArgumentNullException.ThrowIfNull(q);
                var (v, dtype) = Compute("zeta", x, q);
                return Restore(ZetaValue(v[0], v[1]), dtype);
            }

            private static Tensor PolygammaValue(Tensor n, Tensor x)
            {
                var isZero = Jnp.Equal(n, 0);
                var order = Jnp.Add(Jnp.Where(isZero, Jnp.OnesLike(n), n), 1);
                var sign = Jnp.Subtract(1.0, Jnp.Multiply(Jnp.Remainder(order, 2), 2));
                var value = Jnp.Multiply(Jnp.Multiply(sign, Jnp.Exp(Lax.Lgamma(order))), ZetaValue(order, x));
                var invalid = Jnp.LogicalOr(Jnp.Less(n, 0), Jnp.NotEqual(n, Jnp.Floor(n)));
                return Jnp.Where(invalid, double.NaN, Jnp.Where(isZero, Lax.Digamma(x), value));
            }

            private static readonly Func<Tensor[], Tensor[]> PolygammaWithJvp = Jax.CustomJvp(
                v => [PolygammaValue(v[0], v[1])],
                (v, t) => ([PolygammaValue(v[0], v[1])], [Jnp.Multiply(t[1], PolygammaValue(Jnp.Add(v[0], 1), v[1]))]));

            /// <summary>
            /// The polygamma function ψ^(n)(x) (<c>polygamma</c>): digamma for n = 0, else
            /// <c>(-1)^(n+1) n! ζ(n + 1, x)</c>; NaN for negative or non-integer n. Its derivative in x is
            /// <c>polygamma(n + 1, x)</c> (JAX's rule); n is not differentiated (as JAX).
            /// </summary>
            public static Tensor Polygamma(Tensor n, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(n);
                ArgumentNullException.ThrowIfNull(x);
                return Promoted("polygamma", PolygammaWithJvp, n, x);
            }

            // ---- Bernoulli numbers ----

            // B_0..B_n as exact rationals (sum over k <= m of C(m + 1, k) B_k = 0), B_1 = -1/2, rounded once to double.
            private static double[] BernoulliNumbers(int n)
            {
                var numerators = new System.Numerics.BigInteger[n + 1];
                var denominators = new System.Numerics.BigInteger[n + 1];
                var result = new double[n + 1];
                for (int m = 0; m <= n; m++)
                {
                    if (m == 0) (numerators[0], denominators[0]) = (1, 1);
                    else if (m > 1 && m % 2 == 1) (numerators[m], denominators[m]) = (0, 1);
                    else
                    {
                        // B_m = -1/(m + 1) sum over k < m of C(m + 1, k) B_k.
                        System.Numerics.BigInteger num = 0, den = 1, binomial = 1;
                        for (int k = 0; k < m; k++)
                        {
                            if (k > 0) binomial = binomial * (m + 2 - k) / k;
                            if (numerators[k].IsZero) continue;
                            num = num * denominators[k] + binomial * numerators[k] * den;
                            den *= denominators[k];
                            var g = System.Numerics.BigInteger.GreatestCommonDivisor(num, den);
                            if (!g.IsOne && !g.IsZero) (num, den) = (num / g, den / g);
                        }
                        den *= m + 1;
                        var h = System.Numerics.BigInteger.GreatestCommonDivisor(num, den);
                        if (!h.IsZero && !h.IsOne) (num, den) = (num / h, den / h);
                        (numerators[m], denominators[m]) = (-num, den);
                    }
                    result[m] = RationalToDouble(numerators[m], denominators[m]);
                }
                return result;
            }

            private static double RationalToDouble(System.Numerics.BigInteger num, System.Numerics.BigInteger den)
            {
                if (num.IsZero) return 0;
                long shift = 64 - (num.GetBitLength() - den.GetBitLength());
                var q = shift >= 0 ? (System.Numerics.BigInteger.Abs(num) << (int)shift) / den : System.Numerics.BigInteger.Abs(num) / (den << (int)-shift);
                return num.Sign * Math.ScaleB((double)q, (int)-shift);
            }

            // Past B_300 every nonzero Bernoulli number is beyond float64's range: exact values are computed up to here.
            private const int ExactBernoulli = 300;

            /// <summary>
            /// The Bernoulli numbers B_0 .. B_n (<c>bernoulli</c>; scipy's convention B_1 = -1/2) as an array of the
            /// default float dtype; n is a concrete int. Computed exactly as rationals and rounded once (JAX computes
            /// them in floating point; the values agree to its accuracy), +-inf where they overflow the dtype (float64: from about B_260).
            /// </summary>
            public static Tensor Bernoulli(int n)
            {
                if (n < 0)
                    throw new JaxTypeException("bernoulli", $"bernoulli: n must be a non-negative integer, got {n}{Dispatch.At(SourceLocation.FindCaller())}");
                var exact = BernoulliNumbers(Math.Min(n, ExactBernoulli));
                var values = new double[n + 1];
                for (int k = 0; k <= n; k++)
                    values[k] = k <= ExactBernoulli ? exact[k] : k % 2 == 1 ? 0 : k % 4 == 0 ? double.NegativeInfinity : double.PositiveInfinity;
                return Jnp.Array(values);
            }
        }
    }
}
