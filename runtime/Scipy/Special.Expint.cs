using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    public static partial class Scipy
    {
        public static partial class Special
        {
            // ---- exponential integrals (Cephes ei.c and expn.c, as JAX ports them) ----

            private const double EulerGamma = 0.57721566490153286061;

            // Cephes ei.c: (A, B) rational approximations of Ei on (0, 2], then of x e^-x Ei(x) - 1 in 1/x on (2, 4],
            // (4, 8], (8, 16], (16, 32], (32, 64] and beyond; highest degree first.
            private static readonly double[][] ExpintA =
            [
                [-5.350447357812542947283e0, 2.185049168816613393830e2, -4.176572384826693777058e3, 5.541176756393557601232e4, -3.313381331178144034309e5, 1.592627163384945414220e6],
                [1.981808503259689673238e-2, -1.271645625984917501326e0, -2.088160335681228318920e0, 2.755544509187936721172e0, -4.409507048701600257171e-1, 4.665623805935891391017e-2, -1.545042679673485262580e-3, 7.059980605299617478514e-5],
                [-1.373215375871208729803e0, -7.084559133740838761406e-1, 1.580806855547941010501e0, -2.601500427425622944234e-1, 2.994674694113713763365e-2, -1.038086040188744005513e-3, 4.371064420753005429514e-5, 2.141783679522602903795e-6],
                [-2.106934601691916512584e0, 1.732733869664688041885e0, -2.423619178935841904839e-1, 2.322724180937565842585e-2, 2.372880440493179832059e-4, -8.343219561192552752335e-5, 1.363408795605250394881e-5, -3.655412321999253963714e-7, 1.464941733975961318456e-8, 6.176407863710360207074e-10],
                [-2.458119367674020323359e-1, -1.483382253322077687183e-1, 7.248291795735551591813e-2, -1.348315687380940523823e-2, 1.342775069788636972294e-3, -7.942465637159712264564e-5, 2.644179518984235952241e-6, -4.239473659313765177195e-8],
                [1.212561118105456670844e-1, -5.823133179043894485122e-1, 2.348887314557016779211e-1, -3.040034318113248237280e-2, 1.510082146865190661777e-3, -2.523137095499571377122e-5],
                [-7.657847078286127362028e-1, 6.886192415566705051750e-1, -2.132598113545206124553e-1, 3.346107552384193813594e-2, -3.076541477344756050249e-3, 1.747119316454907477380e-4, -6.103711682274170530369e-6, 1.218032765428652199087e-7, -1.086076102793290233007e-9],
            ];

            private static readonly double[][] ExpintB =
            [
                [1.0, -5.250547959112862969197e1, 1.259616186786790571525e3, -1.756549581973534652631e4, 1.493062117002725991967e5, -7.294949239640527645655e5, 1.592627163384945429726e6],
                [1.0, 1.476498670914921440652e0, 5.629177174822436244827e-1, 1.699017897879307263248e-1, 2.291647179034212017463e-2, 4.450150439728752875043e-3, 1.727439612206521482874e-4, 3.953167195549672482304e-5],
                [1.0, 8.585231423622028380768e-1, 4.483285822873995129957e-1, 7.687932158124475434091e-2, 2.449868241021887685904e-2, 8.832165941927796567926e-4, 4.590952299511353531215e-4, -4.729848351866523044863e-6, 2.665195537390710170105e-6],
                [1.0, -2.298062239901678075778e-1, 1.105077041474037862347e-1, -1.566542966630792353556e-2, 2.761106850817352773874e-3, -2.089148012284048449115e-4, 1.708528938807675304186e-5, -4.459311796356686423199e-7, 1.394634930353847498145e-8, 6.150865933977338354138e-10],
                [1.0, -1.044225908443871106315e-1, -2.676453128101402655055e-1, 9.695000254621984627876e-2, -1.601745692712991078208e-2, 1.496414899205908021882e-3, -8.462452563778485013756e-5, 2.728938403476726394024e-6, -4.239462431819542051337e-8],
                [1.0, -1.002252150365854016662e0, 2.928709694872224144953e-1, -3.337004338674007801307e-2, 1.560544881127388842819e-3, -2.523137093603234562648e-5],
                [1.0, -1.888802868662308731041e0, 1.066691687211408896850e0, -2.751915982306380647738e-1, 3.930852688233823569726e-2, -3.414684558602365085394e-3, 1.866844370703555398195e-4, -6.345146083130515357861e-6, 1.239754287483206878024e-7, -1.086076102793126632978e-9],
            ];

            // Ei(x) for x > 0: the interval's rational approximation (each evaluated at a point inside its interval).
            private static Tensor ExpiPositive(Tensor x)
            {
                var safe = Jnp.Where(Jnp.Greater(x, 0), x, Jnp.OnesLike(x));
                var small = Jnp.Minimum(safe, 2);
                var result = Jnp.Add(Jnp.Add(Jnp.Multiply(small, Jnp.Divide(Polyval(ExpintA[0], small), Polyval(ExpintB[0], small))), EulerGamma), Jnp.Log(small));
                for (int i = 1; i < 7; i++)
                {
                    double low = Math.Pow(2, i), high = Math.Pow(2, i + 1);
                    var inside = i == 6 ? Jnp.Greater(safe, low) : Jnp.LogicalAnd(Jnp.Greater(safe, low), Jnp.LessEqual(safe, high));
                    var v = i == 6 ? Jnp.Maximum(safe, low) : Jnp.Clip(safe, low, high);
                    var w = Jnp.Reciprocal(v);
                    var f = Jnp.Add(Jnp.Multiply(w, Jnp.Divide(Polyval(ExpintA[i], w), Polyval(ExpintB[i], w))), 1);
                    result = Jnp.Where(inside, Jnp.Multiply(Jnp.Multiply(Jnp.Exp(v), w), f), result);
                }
                return result;
            }

            private static Tensor ExpiValue(Tensor x) =>
                Jnp.Where(Jnp.Less(x, 0), Jnp.Negative(ExpnValue(Jnp.OnesLike(x), Jnp.Negative(x))),
                    Jnp.Where(Jnp.Equal(x, 0), Jnp.FullLike(x, double.NegativeInfinity), ExpiPositive(x)));

            private static readonly Func<Tensor, Tensor> ExpiWithJvp = Jax.CustomJvp(
                (Func<Tensor, Tensor>)ExpiValue,
                (x, t) => (ExpiValue(x), Jnp.Multiply(t, Jnp.Divide(Jnp.Exp(x), x))));

            /// <summary>
            /// The exponential integral Ei(x), the principal value of the integral of e^t / t from -inf to x (<c>expi</c>):
            /// Cephes' rational approximations on (0, 2], (2, 4], ..., (32, 64] and beyond, <c>-E1(-x)</c> for x &lt; 0,
            /// -inf at 0 (scipy's value); with JAX's derivative <c>e^x / x</c>.
            /// </summary>
            public static Tensor Expi(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                return Unary("expi", x, ExpiWithJvp);
            }

            // Cephes expn.c's power series for x <= 1: (-x)^(n-1) psi(n) / Gamma(n) - sum, psi(n) = digamma(n) - log x.
            private static Tensor ExpnSeries(Tensor n, Tensor x, Tensor enabled)
            {
                double eps = Epsilon(x.DType);
                var one = Jnp.OnesLike(x);
                var isOne = Jnp.Equal(n, 1);
                var init = Jnp.Where(isOne, Jnp.ZerosLike(x), Jnp.Divide(one, Jnp.Subtract(one, Jnp.Where(isOne, Jnp.FullLike(x, 2), n))));
                var z = Jnp.Negative(x);
                var v = Lax.WhileLoop(
                    s => Jnp.LogicalAnd(Jnp.Less(s[5], IgammaMaxIterations), Jnp.Any(s[0])),
                    s =>
                    {
                        var on = s[0];
                        var xk = Jnp.Add(s[1], 1);
                        var yk = Jnp.Multiply(s[2], Jnp.Divide(z, xk));
                        var pk = Jnp.Add(s[3], 1);
                        var nonzero = Jnp.NotEqual(pk, 0);
                        var ans = Jnp.Add(s[4], Jnp.Where(nonzero, Jnp.Divide(yk, Jnp.Where(nonzero, pk, one)), Jnp.ZerosLike(yk)));
                        var t = Jnp.Where(Jnp.NotEqual(ans, 0), Jnp.Abs(Jnp.Divide(yk, Jnp.Where(Jnp.NotEqual(ans, 0), ans, one))), one);
                        return [Jnp.LogicalAnd(on, Jnp.Greater(t, eps)), Jnp.Where(on, xk, s[1]), Jnp.Where(on, yk, s[2]), Jnp.Where(on, pk, s[3]),
                            Jnp.Where(on, ans, s[4]), Jnp.Add(s[5], 1)];
                    },
                    enabled, Jnp.ZerosLike(x), one, Jnp.Subtract(one, n), init, Jnp.Array(0, DType.Int32));
                var r = Jnp.Subtract(n, 1);
                var sign = Jnp.Where(Jnp.Equal(Jnp.Remainder(r, 2), 0), one, Jnp.Negative(one));
                var psi = Jnp.Subtract(Lax.Digamma(n), Jnp.Log(x));
                return Jnp.Subtract(Jnp.Divide(Jnp.Multiply(Jnp.Multiply(sign, Jnp.Power(x, r)), psi), Jnp.Exp(Lax.Lgamma(n))), v[4]);
            }

            // Cephes expn.c's continued fraction for x > 1, rescaled by 2^57 when the convergents grow past it.
            private static Tensor ExpnFraction(Tensor n, Tensor x, Tensor enabled)
            {
                const double big = 1.44115188075855872e17;
                double eps = Epsilon(x.DType);
                var one = Jnp.OnesLike(x);
                var v = Lax.WhileLoop(
                    s => Jnp.LogicalAnd(Jnp.Less(s[7], IgammaMaxIterations), Jnp.Any(s[0])),
                    s =>
                    {
                        var on = s[0];
                        var k = Jnp.Add(s[1], 1);
                        var odd = Jnp.Equal(Jnp.Remainder(k, 2), 1);
                        var yk = Jnp.Where(odd, one, x);
                        var xk = Jnp.Where(odd, Jnp.Add(n, Jnp.Divide(Jnp.Subtract(k, 1), 2)), Jnp.Divide(k, 2));
                        var pk = Jnp.Add(Jnp.Multiply(s[4], yk), Jnp.Multiply(s[2], xk));
                        var qk = Jnp.Add(Jnp.Multiply(s[5], yk), Jnp.Multiply(s[3], xk));
                        var nonzero = Jnp.NotEqual(qk, 0);
                        var r = Jnp.Divide(pk, Jnp.Where(nonzero, qk, one));
                        var t = Jnp.Where(nonzero, Jnp.Abs(Jnp.Divide(Jnp.Subtract(s[6], r), r)), one);
                        var ans = Jnp.Where(nonzero, r, s[6]);
                        var isBig = Jnp.Greater(Jnp.Abs(pk), big);
                        Tensor Scale(Tensor w) => Jnp.Where(isBig, Jnp.Divide(w, big), w);
                        return [Jnp.LogicalAnd(on, Jnp.Greater(t, eps)), Jnp.Where(on, k, s[1]), Jnp.Where(on, Scale(s[4]), s[2]), Jnp.Where(on, Scale(s[5]), s[3]),
                            Jnp.Where(on, Scale(pk), s[4]), Jnp.Where(on, Scale(qk), s[5]), Jnp.Where(on, ans, s[6]), Jnp.Add(s[7], 1)];
                    },
                    enabled, one, one, x, one, Jnp.Add(x, n), Jnp.Divide(one, Jnp.Add(x, n)), Jnp.Array(0, DType.Int32));
                return Jnp.Multiply(v[6], Jnp.Exp(Jnp.Negative(x)));
            }

            // E_n(x) for n >= 5000 (Cephes' uniform asymptotic expansion).
            private static Tensor ExpnLargeOrder(Tensor n, Tensor x)
            {
                var xk = Jnp.Add(x, n);
                var yk = Jnp.Reciprocal(Jnp.Multiply(xk, xk));
                var ans = Jnp.Multiply(Jnp.Multiply(yk, n), Jnp.Add(Jnp.Subtract(Jnp.Multiply(Jnp.Multiply(x, x), 6), Jnp.Multiply(Jnp.Multiply(n, x), 8)), Jnp.Multiply(n, n)));
                ans = Jnp.Multiply(yk, Jnp.Add(ans, Jnp.Multiply(n, Jnp.Subtract(n, Jnp.Multiply(x, 2)))));
                ans = Jnp.Multiply(yk, Jnp.Add(ans, n));
                return Jnp.Divide(Jnp.Multiply(Jnp.Add(ans, 1), Jnp.Exp(Jnp.Negative(x))), xk);
            }

            private static Tensor ExpnValue(Tensor n, Tensor x)
            {
                var nan = Jnp.LogicalOr(Jnp.Less(n, 0), Jnp.Less(x, 0));
                var xZero = Jnp.Equal(x, 0);
                var orderZero = Jnp.Equal(n, 0);
                var large = Jnp.GreaterEqual(n, 5000);
                var useFraction = Jnp.Greater(x, 1);
                var special = Jnp.LogicalOr(Jnp.LogicalOr(nan, xZero), Jnp.LogicalOr(orderZero, large));
                var safeX = Jnp.Where(Jnp.Greater(x, 0), x, Jnp.OnesLike(x));
                var fraction = ExpnFraction(n, safeX, Jnp.LogicalAnd(Jnp.LogicalNot(special), useFraction));
                var series = ExpnSeries(n, safeX, Jnp.LogicalAnd(Jnp.LogicalNot(special), Jnp.LogicalNot(useFraction)));
                var result = Jnp.Where(useFraction, fraction, series);
                result = Jnp.Where(large, ExpnLargeOrder(n, x), result);
                result = Jnp.Where(orderZero, Jnp.Divide(Jnp.Exp(Jnp.Negative(safeX)), safeX), result);
                var atZero = Jnp.Where(Jnp.Less(n, 2), Jnp.FullLike(x, double.PositiveInfinity), Jnp.Divide(1.0, Jnp.Subtract(Jnp.Maximum(n, 2), 1)));
                result = Jnp.Where(xZero, atZero, result);
                return Jnp.Where(Jnp.LogicalOr(nan, Jnp.LogicalOr(Jnp.Isnan(n), Jnp.Isnan(x))), double.NaN, result);
            }

            private static readonly Func<Tensor[], Tensor[]> ExpnWithJvp = Jax.CustomJvp(
                v => [ExpnValue(v[0], v[1])],
                (v, t) => ([ExpnValue(v[0], v[1])], [Jnp.Negative(Jnp.Multiply(t[1], ExpnValue(Jnp.Subtract(v[0], 1), v[1])))]));

            /// <summary>
            /// The generalized exponential integral E_n(x), the integral of e^(-x t) / t^n over t from 1 to inf
            /// (<c>expn</c>), as Cephes' expn.c that JAX ports: the power series for x &lt;= 1, the continued fraction
            /// beyond, the asymptotic expansion for n &gt;= 5000, e^-x / x for n = 0; inf at x = 0 for n &lt; 2 and
            /// 1 / (n - 1) above (scipy's value; JAX returns 1 / n there), NaN for n &lt; 0 or x &lt; 0. Its derivative in
            /// x is <c>-E_(n-1)(x)</c> (JAX's rule); n is not differentiated.
            /// </summary>
            public static Tensor Expn(Tensor n, Tensor x)
            {
                ArgumentNullException.ThrowIfNull(n);
                ArgumentNullException.ThrowIfNull(x);
                return Promoted("expn", ExpnWithJvp, n, x);
            }

            /// <summary>The exponential integral E1(x) = <c>expn(1, x)</c> (<c>exp1</c>, as JAX).</summary>
            public static Tensor Exp1(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                var (v, dtype) = Compute("exp1", x);
                return Restore(ExpnWithJvp([Jnp.OnesLike(v[0]), v[0]])[0], dtype);
            }

            // ---- Spence's function ----

            private static readonly double[] SpenceA = [4.65128586073990045278E-5, 7.31589045238094711071E-3, 1.33847639578309018650E-1, 8.79691311754530315341E-1, 2.71149851196553469920E0, 4.25697156008121755724E0, 3.29771340985225106936E0, 1.00000000000000000126E0];

            private static readonly double[] SpenceB = [6.90990488912553276999E-4, 2.54043763932544379113E-2, 2.82974860602568089943E-1, 1.41172597751831069617E0, 3.63800533345137075418E0, 5.03278880143316990390E0, 3.54771340985225096217E0, 9.99999999999999998740E-1];

            /// <summary>
            /// Spence's function, the integral of log(t) / (1 - t) from 1 to x (<c>spence</c>), by Cephes' rational
            /// approximation as JAX: NaN for x &lt; 0 (real values only, as JAX), pi²/6 at 0, 0 at 1. Takes float32 or
            /// float64 (as JAX).
            /// </summary>
            public static Tensor Spence(Tensor x)
            {
                ArgumentNullException.ThrowIfNull(x);
                x = Float32Or64("spence", x);
                var positive = Jnp.Where(Jnp.Greater(x, 0), x, Jnp.OnesLike(x));
                var invert = Jnp.Greater(positive, 2);
                var v = Jnp.Where(invert, Jnp.Reciprocal(positive), positive);
                var above = Jnp.Greater(v, 1.5);
                var below = Jnp.Less(v, 0.5);
                var flip = Jnp.LogicalOr(invert, above);
                var w = Jnp.Where(above, Jnp.Subtract(Jnp.Reciprocal(v), 1), Jnp.Where(below, Jnp.Negative(v), Jnp.Subtract(v, 1)));
                var y = Jnp.Divide(Jnp.Multiply(Jnp.Negative(w), Polyval(SpenceA, w)), Polyval(SpenceB, w));
                var logV = Jnp.Log(v);
                y = Jnp.Where(below, Jnp.Subtract(Jnp.Subtract(Math.PI * Math.PI / 6, Jnp.Multiply(logV, Lax.Log1p(Jnp.Negative(v)))), y), y);
                y = Jnp.Where(flip, Jnp.Subtract(Jnp.Multiply(-0.5, Jnp.Multiply(logV, logV)), y), y);
                y = Jnp.Where(Jnp.Equal(x, 1), Jnp.ZerosLike(y), Jnp.Where(Jnp.Equal(x, 0), Jnp.FullLike(y, Math.PI * Math.PI / 6), y));
                return Jnp.Where(Jnp.LogicalOr(Jnp.Less(x, 0), Jnp.Isnan(x)), double.NaN, y);
            }
        }
    }
}
