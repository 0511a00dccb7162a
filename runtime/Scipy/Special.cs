using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>SciPy's API over JAX's primitives, as <c>jax.scipy</c>.</summary>
    public static partial class Scipy
    {
        /// <summary>
        /// Special functions, as <c>jax.scipy.special</c>: composed from the primitives (<see cref="Lax"/>,
        /// <see cref="Jnp"/>), so every backend and transformation runs them; integer and bool arguments are promoted
        /// to the default float dtype (JAX's <c>promote_args_inexact</c>) unless noted.
        /// </summary>
        public static partial class Special
        {
            private static readonly double SqrtTwoPi = Math.Sqrt(2 * Math.PI);

            private static Tensor Inexact(string op, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Jnp.PromoteArgsInexact(op, x)[0];
            }

            private static (Tensor X, Tensor Y) Inexact(string op, Tensor x, Tensor y)
            {
                ArgumentNullException.ThrowIfNull(x);
                ArgumentNullException.ThrowIfNull(y);
                var xs = Jnp.PromoteArgsInexact(op, x, y);
                return (xs[0], xs[1]);
            }

            // Horner's rule over constants of x's dtype, highest degree first.
            private static Tensor Polyval(double[] coefficients, Tensor x)
            {
                Tensor p = Jnp.FullLike(x, coefficients[0]);
                for (int i = 1; i < coefficients.Length; i++) p = Jnp.Add(Jnp.Multiply(p, x), coefficients[i]);
                return p;
            }

            /// <summary>The error function (<c>jax.scipy.special.erf</c>).</summary>
            public static Tensor Erf(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Lax.Erf(Inexact("erf", x));
            }

            /// <summary>The complementary error function 1 - erf(x), accurate where it is tiny (<c>erfc</c>).</summary>
            public static Tensor Erfc(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Lax.Erfc(Inexact("erfc", x));
            }

            /// <summary>The inverse error function (<c>erfinv</c>): +-inf at +-1, NaN outside [-1, 1].</summary>
            public static Tensor Erfinv(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Lax.ErfInv(Inexact("erfinv", x));
            }

            /// <summary>log |Gamma(x)| (<c>gammaln</c>).</summary>
            public static Tensor Gammaln(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Lax.Lgamma(Inexact("gammaln", x));
            }

            /// <summary>The digamma function Gamma'(x) / Gamma(x) (<c>digamma</c>).</summary>
            public static Tensor Digamma(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Lax.Digamma(Inexact("digamma", x));
            }

            /// <summary>
            /// The sign of Gamma(x) (<c>gammasgn</c>): 1 for x &gt; 0 and +0, -1 for -0 and for negative x whose floor is
            /// odd, NaN at the non-positive integers and NaN.
            /// </summary>
            public static Tensor Gammasgn(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Inexact("gammasgn", x);
                var floor = Jnp.Floor(x);
                var negative = Jnp.Less(x, 0);
                var nan = Jnp.LogicalOr(Jnp.LogicalAnd(negative, Jnp.Equal(x, floor)), Jnp.Isnan(x));
                var negativeZero = Jnp.LogicalAnd(Jnp.Equal(x, 0), Jnp.Less(Jnp.Divide(1.0, x), 0));
                var minus = Jnp.LogicalOr(Jnp.LogicalAnd(negative, Jnp.NotEqual(Jnp.Remainder(floor, 2), 0)), negativeZero);
                return Jnp.Where(nan, double.NaN, Jnp.Where(minus, -1.0, Jnp.OnesLike(x)));
            }

            /// <summary>The gamma function, sign-aware: <c>gammasgn(x) exp(gammaln(x))</c> (<c>gamma</c>).</summary>
            public static Tensor Gamma(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Inexact("gamma", x);
                return Jnp.Multiply(Gammasgn(x), Jnp.Exp(Lax.Lgamma(x)));
            }

            /// <summary>log |B(a, b)| = gammaln(a) + gammaln(b) - gammaln(a + b) (<c>betaln</c>).</summary>
            public static Tensor Betaln(Tensor a, Tensor b)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(b);
                (a, b) = Inexact("betaln", a, b);
                return Jnp.Subtract(Jnp.Add(Lax.Lgamma(a), Lax.Lgamma(b)), Lax.Lgamma(Jnp.Add(a, b)));
            }

            /// <summary>The beta function B(a, b), sign-aware (<c>beta</c>).</summary>
            public static Tensor Beta(Tensor a, Tensor b)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(b);
                (a, b) = Inexact("beta", a, b);
                var sign = Jnp.Multiply(Jnp.Multiply(Gammasgn(a), Gammasgn(b)), Gammasgn(Jnp.Add(a, b)));
                return Jnp.Multiply(sign, Jnp.Exp(Betaln(a, b)));
            }

            /// <summary>
            /// x log(y), 0 where x = 0 (even where y = 0) (<c>xlogy</c>), with JAX's custom JVP:
            /// <c>dx log(y) + dy x / y</c>.
            /// </summary>
            public static Tensor Xlogy(Tensor x, Tensor y)
            {
                ArgumentNullException.ThrowIfNull(x);
                ArgumentNullException.ThrowIfNull(y);
                (x, y) = Inexact("xlogy", x, y);
                return XlogyWithJvp([x, y])[0];
            }

            /// <summary>
            /// x log(1 + y), 0 where x = 0 (<c>xlog1py</c>), with JAX's custom JVP: <c>dx log1p(y) + dy x / (1 + y)</c>.
            /// </summary>
            public static Tensor Xlog1py(Tensor x, Tensor y)
            {
                ArgumentNullException.ThrowIfNull(x);
                ArgumentNullException.ThrowIfNull(y);
                (x, y) = Inexact("xlog1py", x, y);
                return Xlog1pyWithJvp([x, y])[0];
            }

            // x log(y) (x log1p(y)): 0 where x = 0; JAX's JVP dx log(y) + dy x / y (x / (1 + y)).
            private static Func<Tensor[], Tensor[]> XlogRule(Func<Tensor, Tensor> log, Func<Tensor, Tensor> argument)
            {
                Tensor Value(Tensor x, Tensor y) => Jnp.Where(Jnp.NotEqual(x, 0), Jnp.Multiply(x, log(y)), Jnp.ZerosLike(x));
                return Jax.CustomJvp(a => [Value(a[0], a[1])],
                    (a, t) => ([Value(a[0], a[1])], [Jnp.Add(Jnp.Multiply(t[0], log(a[1])), Jnp.Divide(Jnp.Multiply(t[1], a[0]), argument(a[1])))]));
            }

            private static readonly Func<Tensor[], Tensor[]> XlogyWithJvp = XlogRule(Lax.Log, y => y);

            private static readonly Func<Tensor[], Tensor[]> Xlog1pyWithJvp = XlogRule(Lax.Log1p, y => Jnp.Add(y, 1));

            /// <summary>The entropy term -x log(x) for x &gt; 0, 0 at 0 and -inf below (<c>entr</c>).</summary>
            public static Tensor Entr(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Inexact("entr", x);
                var safe = Jnp.Where(Jnp.Greater(x, 0), x, Jnp.OnesLike(x));
                return Jnp.Where(Jnp.Greater(x, 0), Jnp.Negative(Jnp.Multiply(x, Lax.Log(safe))),
                    Jnp.Where(Jnp.Equal(x, 0), Jnp.ZerosLike(x), double.NegativeInfinity));
            }

            /// <summary>The logit log(x / (1 - x)), the inverse of <see cref="Expit"/> (<c>logit</c>).</summary>
            public static Tensor Logit(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Inexact("logit", x);
                return Lax.Log(Lax.Div(x, Lax.Sub(Jnp.OnesLike(x), x)));
            }

            /// <summary>The logistic sigmoid 1 / (1 + e^-x) (<c>expit</c>).</summary>
            public static Tensor Expit(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Lax.Logistic(Inexact("expit", x));
            }

            /// <summary>
            /// log(sum(b e^a)) over <paramref name="axis"/> (all axes when null), computed stably (<c>logsumexp</c>): the
            /// maximum, where finite, is subtracted first and held constant for differentiation. With weights
            /// <paramref name="b"/> (broadcast against <paramref name="a"/>), elements with b = 0 do not count, and a
            /// negative sum gives NaN (use <see cref="LogsumexpWithSign(Tensor, int[], Tensor, bool)"/> for its sign).
            /// </summary>
            public static Tensor Logsumexp(Tensor a, int[]? axis = null, Tensor? b = null, bool keepdims = false)
            {
                ArgumentNullException.ThrowIfNull(a);
                var (result, sign) = LogsumexpCore("logsumexp", a, axis, b, keepdims);
                return b is null ? result : Jnp.Where(Jnp.Less(sign, 0), double.NaN, result);
            }

            /// <summary><see cref="Logsumexp(Tensor, int[], Tensor, bool)"/> over one axis.</summary>
            public static Tensor Logsumexp(Tensor a, int axis, Tensor? b = null, bool keepdims = false)
            {
                ArgumentNullException.ThrowIfNull(a);
                return Logsumexp(a, [axis], b, keepdims);
            }

            /// <summary>
            /// <c>logsumexp(..., return_sign=True)</c>: log |sum(b e^a)| and the sum's sign (-1, 0 or 1).
            /// </summary>
            public static (Tensor Result, Tensor Sign) LogsumexpWithSign(Tensor a, int[]? axis = null, Tensor? b = null, bool keepdims = false)
            {
                ArgumentNullException.ThrowIfNull(a);
                return LogsumexpCore("logsumexp", a, axis, b, keepdims);
            }

            /// <summary><see cref="LogsumexpWithSign(Tensor, int[], Tensor, bool)"/> over one axis.</summary>
            public static (Tensor Result, Tensor Sign) LogsumexpWithSign(Tensor a, int axis, Tensor? b = null, bool keepdims = false)
            {
                ArgumentNullException.ThrowIfNull(a);
                return LogsumexpCore("logsumexp", a, [axis], b, keepdims);
            }

            internal static (Tensor Result, Tensor Sign) LogsumexpCore(string op, Tensor a, int[]? axis, Tensor? b, bool keepdims)
            {
                ArgumentNullException.ThrowIfNull(a);
                if (b is not null)
                {
                    var ab = Jnp.PromoteArgsInexact(op, a, b);
                    (a, b) = (ab[0], ab[1]);
                    a = Jnp.Where(Jnp.NotEqual(b, 0), a, double.NegativeInfinity);
                }
                else a = Jnp.PromoteArgsInexact(op, a)[0];
                var dims = Axes.NormalizeMany(axis, a.Ndim, op, a.Aval);
                var amax = Lax.ExpandDims(Lax.ReduceMax(a, dims), dims);
                amax = Jax.StopGradient(Jnp.Where(Jnp.Isfinite(amax), amax, Jnp.ZerosLike(amax)));
                var exp = Jnp.Exp(Jnp.Subtract(a, amax));
                if (b is not null) exp = Jnp.Multiply(exp, b);
                var sum = Jnp.Sum(exp, dims, keepdims: true);
                var sign = Jnp.Sign(sum);
                var result = Jnp.Add(Jnp.Log(Jnp.Abs(sum)), amax);
                return keepdims || dims.Length == 0 ? (result, sign) : (Jnp.Squeeze(result, dims), Jnp.Squeeze(sign, dims));
            }

            /// <summary>softmax along an axis (<c>jax.scipy.special.softmax</c>; the same as <see cref="Nn.Softmax"/>).</summary>
            public static Tensor Softmax(Tensor x, int axis = -1)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Nn.Softmax(x, axis);
            }

            /// <summary>log softmax along an axis (<c>log_softmax</c>; the same as <see cref="Nn.LogSoftmax"/>).</summary>
            public static Tensor LogSoftmax(Tensor x, int axis = -1)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Nn.LogSoftmax(x, axis);
            }

            private static Tensor Float32Or64(string op, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                if (x.DType is not (DType.Float32 or DType.Float64))
                    throw new JaxTypeException(op, $"{op}: x.dtype={x.DType.Name()} is not supported; it takes float32 or float64 arrays{Dispatch.At(SourceLocation.FindCaller())}");
                return x;
            }

            /// <summary>
            /// The standard normal CDF, computed as JAX does: <c>(1 + erf(x/sqrt 2)) / 2</c> near 0 and
            /// <c>erfc(|x|/sqrt 2) / 2</c> in the lower tail, so it stays accurate down to 1e-300 (<c>ndtr</c>).
            /// Takes float32 or float64 (as JAX).
            /// </summary>
            public static Tensor Ndtr(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Float32Or64("ndtr", x);
                double halfSqrt2 = 0.5 * Math.Sqrt(2);
                var w = Jnp.Multiply(x, halfSqrt2);
                var z = Lax.Abs(w);
                var y = Jnp.Where(Jnp.Less(z, halfSqrt2), Jnp.Add(1.0, Lax.Erf(w)),
                    Jnp.Where(Jnp.Greater(w, 0), Jnp.Subtract(2.0, Lax.Erfc(z)), Lax.Erfc(z)));
                return Jnp.Multiply(0.5, y);
            }

            // Cephes ndtri.c (what JAX's ndtri evaluates): P0/Q0 for |p - 1/2| <= 3/8, P1/Q1 for z = sqrt(-2 log p) in
            // [2, 8), P2/Q2 from 8; highest degree first, the Q's with their leading 1.
            private static readonly double[] NdtriP0 = [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1, 1.39312609387279679503E1, -1.23916583867381258016E0];
            private static readonly double[] NdtriQ0 = [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1, -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1, 1.59056225126211695515E1, -1.18331621121330003142E0];
            private static readonly double[] NdtriP1 = [4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1, 4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0, -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4];
            private static readonly double[] NdtriQ1 = [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1, 1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1, -3.80806407691578277194E-2, -9.33259480895457427372E-4];
            private static readonly double[] NdtriP2 = [3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0, 1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2, 3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9];
            private static readonly double[] NdtriQ2 = [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0, 2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4, 2.89247864745380683936E-6, 6.79019408009981274425E-9];

            /// <summary>
            /// The inverse of <see cref="Ndtr"/> (<c>ndtri</c>), with Cephes' rational approximations as JAX evaluates
            /// them: -inf at p &lt;= 0, +inf at p &gt;= 1. Takes float32 or float64 (as JAX).
            /// </summary>
            public static Tensor Ndtri(Tensor p)
            {
                ArgumentNullException.ThrowIfNull(p);
                p = Float32Or64("ndtri", p);
                double expMinus2 = Math.Exp(-2);
                var complement = Jnp.Where(Jnp.Greater(p, 1 - expMinus2), Jnp.Subtract(1.0, p), p);
                var safe = Jnp.Where(Jnp.LessEqual(complement, 0), Jnp.FullLike(p, 0.5), complement);
                var w = Jnp.Subtract(safe, 0.5);
                var ww = Jnp.Multiply(w, w);
                var central = Jnp.Multiply(Jnp.Add(w, Jnp.Multiply(Jnp.Multiply(w, ww), Jnp.Divide(Polyval(NdtriP0, ww), Polyval(NdtriQ0, ww)))), -SqrtTwoPi);
                var z = Jnp.Sqrt(Jnp.Multiply(-2.0, Jnp.Log(safe)));
                var first = Jnp.Subtract(z, Jnp.Divide(Jnp.Log(z), z));
                var r = Jnp.Reciprocal(z);
                var far = Jnp.Divide(Jnp.Divide(Polyval(NdtriP2, r), Polyval(NdtriQ2, r)), z);
                var near = Jnp.Divide(Jnp.Divide(Polyval(NdtriP1, r), Polyval(NdtriQ1, r)), z);
                var x = Jnp.Where(Jnp.Greater(safe, expMinus2), central, Jnp.Subtract(first, Jnp.Where(Jnp.GreaterEqual(z, 8), far, near)));
                x = Jnp.Where(Jnp.Greater(p, 1 - expMinus2), x, Jnp.Negative(x));
                return Jnp.Where(Jnp.LessEqual(p, 0), double.NegativeInfinity, Jnp.Where(Jnp.GreaterEqual(p, 1), double.PositiveInfinity, x));
            }

            /// <summary>
            /// log(ndtr(x)), accurate in both tails as JAX's <c>log_ndtr</c>: <c>-ndtr(-x)</c> above 8 (float32: 5),
            /// <c>log(ndtr(x))</c> down to -20 (float32: -10), and the asymptotic series of <paramref name="seriesOrder"/>
            /// terms below; with JAX's custom JVP <c>exp(log_pdf(x) - log_ndtr(x))</c>. Takes float32 or float64.
            /// </summary>
            public static Tensor LogNdtr(Tensor x, int seriesOrder = 3)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Float32Or64("log_ndtr", x);
                if (seriesOrder is < 0 or > 30)
                    throw new JaxTypeException("log_ndtr", $"log_ndtr: series_order must be in [0, 30], got {seriesOrder}{Dispatch.At(SourceLocation.FindCaller())}");
                var f = LogNdtrWithJvp.GetOrAdd(seriesOrder, order => Jax.CustomJvp(
                    (Func<Tensor, Tensor>)(v => LogNdtrValue(v, order)),
                    (v, t) =>
                    {
                        var result = LogNdtrValue(v, order);
                        var logPdf = Jnp.Subtract(Jnp.Multiply(-0.5, Jnp.Multiply(v, v)), Math.Log(SqrtTwoPi));
                        return (result, Jnp.Multiply(t, Jnp.Exp(Jnp.Subtract(logPdf, result))));
                    }));
                return f(x);
            }

            private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Func<Tensor, Tensor>> LogNdtrWithJvp = new();

            private static Tensor LogNdtrValue(Tensor x, int seriesOrder)
            {
                bool isDouble = x.DType == DType.Float64;
                double lower = isDouble ? -20 : -10, upper = isDouble ? 8 : 5;
                var upperTail = Jnp.Negative(Ndtr(Jnp.Negative(x)));
                var middle = Jnp.Log(Ndtr(Jnp.Maximum(x, lower)));
                var low = Jnp.Minimum(x, lower);
                var square = Jnp.Multiply(low, low);
                var logScale = Jnp.Subtract(Jnp.Subtract(Jnp.Multiply(square, -0.5), Jnp.Log(Jnp.Negative(low))), 0.5 * Math.Log(2 * Math.PI));
                var lowerTail = Jnp.Add(logScale, Jnp.Log(AsymptoticSeries(low, seriesOrder)));
                return Jnp.Where(Jnp.Greater(x, upper), upperTail, Jnp.Where(Jnp.Greater(x, lower), middle, lowerTail));
            }

            // 1 + sum over n of (-1)^n (2n - 1)!! / x^(2n).
            private static Tensor AsymptoticSeries(Tensor x, int order)
            {
                if (order <= 0) return Jnp.OnesLike(x);
                var square = Jnp.Multiply(x, x);
                Tensor even = Jnp.ZerosLike(x), odd = Jnp.ZerosLike(x), power = square;
                double doubleFactorial = 1;
                for (int n = 1; n <= order; n++)
                {
                    if (n > 1) doubleFactorial *= 2 * n - 1;
                    var term = Jnp.Divide(doubleFactorial, power);
                    if (n % 2 == 1) odd = Jnp.Add(odd, term);
                    else even = Jnp.Add(even, term);
                    power = Jnp.Multiply(power, square);
                }
                return Jnp.Subtract(Jnp.Add(1.0, even), odd);
            }
        }
    }
}
