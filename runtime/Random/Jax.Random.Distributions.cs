using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// The further samplers of <c>jax.random</c> and its key functions. Each draws exactly as JAX's
    /// <c>jax/_src/random.py</c> does: the same key splits and the same transformations of the same uniform, normal and
    /// gamma draws, so that from JAX's key they give JAX's values. Parameters broadcast against <c>shape</c> as in JAX
    /// (a parameter's shape must broadcast to <c>shape</c>, and without a shape the parameters' broadcast shape is used).
    /// </summary>
    public static partial class Random
    {
        /// <summary>The name of the PRNG implementation behind every key here (JAX's default).</summary>
        public const string ThreefryImplName = "threefry2x32";

        // ---- key functions ----

        /// <summary>
        /// A copy of a key for reuse (<c>jax.random.clone</c>). Outside JAX's key-reuse checking this is the identity,
        /// and so it is here: a raw <c>uint32[2]</c> key is returned as it is.
        /// </summary>
        public static Tensor Clone(Tensor key)
        {
            CheckKeyData(key, "clone");
            return key;
        }

        /// <summary>
        /// The raw <c>uint32</c> data of a key or an array of keys (<c>jax.random.key_data</c>). Keys here are JAX's
        /// legacy raw threefry keys (<c>uint32[..., 2]</c>, as <c>jax.random.PRNGKey</c> makes them), so this is the identity.
        /// </summary>
        public static Tensor KeyData(Tensor keys)
        {
            CheckKeyData(keys, "key_data");
            return keys;
        }

        /// <summary>
        /// A key (or an array of keys) from its raw data (<c>jax.random.wrap_key_data</c>): <c>uint32[..., 2]</c>
        /// threefry data. Keys here are the raw data themselves, so this is the identity on valid data.
        /// <paramref name="impl"/> may only name <c>"threefry2x32"</c>, the one implementation provided.
        /// </summary>
        public static Tensor WrapKeyData(Tensor keyBitsArray, string? impl = null)
        {
            if (impl is not null && impl != ThreefryImplName)
                throw new JaxTypeException("wrap_key_data", $"only the {ThreefryImplName} PRNG implementation is provided, got impl \"{impl}\"{Dispatch.At(SourceLocation.FindCaller())}");
            CheckKeyData(keyBitsArray, "wrap_key_data");
            return keyBitsArray;
        }

        /// <summary>The name of a key's PRNG implementation (<c>jax.random.key_impl</c>): always <c>"threefry2x32"</c> here.</summary>
        public static string KeyImpl(Tensor keys)
        {
            CheckKeyData(keys, "key_impl");
            return ThreefryImplName;
        }

        private static void CheckKeyData(Tensor keys, string op)
        {
            ArgumentNullException.ThrowIfNull(keys);
            if (keys.DType != DType.UInt32 || keys.Ndim < 1 || keys.Shape[keys.Ndim - 1] != Dim.Of(2))
                throw new JaxTypeException(op, $"threefry2x32 key data is a uint32[..., 2] array, got {keys.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        }


        // ---- continuous samplers from uniform and normal draws ----

        /// <summary>Cauchy samples, <c>tan(pi (u - 0.5))</c> with u uniform in [eps, 1) (<c>jax.random.cauchy</c>).</summary>
        public static Tensor Cauchy(Tensor key, int[] shape, DType? dtype = null)
        {
            var t = FloatDType("cauchy", dtype);
            CheckShape("cauchy", key, shape);
            var u = Uniform(key, shape, t, Eps(t), 1);
            return Lax.Tan(Lax.Mul(Jnp.FullLike(u, Const(Math.PI, t)), Lax.Sub(u, Jnp.FullLike(u, Const(0.5, t)))));
        }

        /// <summary>Pareto(b) samples on [1, inf), <c>exp(e / b)</c> with e exponential (<c>jax.random.pareto</c>).</summary>
        public static Tensor Pareto(Tensor key, Tensor b, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(b);
            var t = FloatDType("pareto", dtype);
            var s = DrawShape("pareto", key, shape, b);
            var e = Exponential(key, s, t);
            return Lax.Exp(Lax.Div(e, Broadcast(Jnp.Cast(b, t), s)));
        }

        /// <summary>Lognormal samples, <c>exp(sigma z)</c> with z standard normal (<c>jax.random.lognormal</c>).</summary>
        public static Tensor Lognormal(Tensor key, Tensor? sigma = null, int[]? shape = null, DType? dtype = null)
        {
            var t = FloatDType("lognormal", dtype);
            sigma ??= Jnp.Array(1f, DType.Float32);
            var s = DrawShape("lognormal", key, shape, sigma);
            return Lax.Exp(Jnp.Multiply(Normal(key, s, t), Broadcast(sigma, s)));
        }

        /// <summary>Rayleigh(scale) samples, <c>scale sqrt(-2 log u)</c> (<c>jax.random.rayleigh</c>).</summary>
        public static Tensor Rayleigh(Tensor key, Tensor scale, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(scale);
            var t = FloatDType("rayleigh", dtype);
            var s = DrawShape("rayleigh", key, shape, scale);
            var u = Uniform(key, s, t);
            var sc = Broadcast(Jnp.Cast(scale, t), s);
            return Lax.Mul(sc, Lax.Sqrt(Lax.Mul(Lax.Log(u), Jnp.FullLike(u, Const(-2, t)))));
        }

        /// <summary>
        /// Wald (inverse Gaussian) samples with the given mean and unit shape, by Michael, Schucany and Haas's
        /// transformation of a normal and a uniform draw from two split keys (<c>jax.random.wald</c>).
        /// </summary>
        public static Tensor Wald(Tensor key, Tensor mean, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(mean);
            var t = FloatDType("wald", dtype);
            var s = DrawShape("wald", key, shape, mean);
            var keys = Split(key);
            var mu = Broadcast(Jnp.Cast(mean, t), s);
            var v = Normal(keys[0], s, t);
            var z = Uniform(keys[1], s, t);
            var y = Lax.Mul(v, v);
            var ySq = Lax.Mul(y, y);
            var muSq = Lax.Mul(mu, mu);
            var sqrtTerm = Jnp.Sqrt(4 * mu * y + muSq * ySq);
            var x = mu + muSq * y / 2 - mu / 2 * sqrtTerm;
            return Lax.Select(Lax.Le(z, mu / (mu + x)), x, muSq / x);
        }

        /// <summary>Triangular(left, mode, right) samples by inverting the CDF of one uniform draw (<c>jax.random.triangular</c>).</summary>
        public static Tensor Triangular(Tensor key, Tensor left, Tensor mode, Tensor right, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(left);
            ArgumentNullException.ThrowIfNull(mode);
            ArgumentNullException.ThrowIfNull(right);
            var t = FloatDType("triangular", dtype);
            var s = DrawShape("triangular", key, shape, left, mode, right);
            var (a, c, b) = (Broadcast(left, s), Broadcast(mode, s), Broadcast(right, s));
            var fc = (c - a) / (b - a);
            var u = Uniform(key, s, t);
            var out1 = a + Jnp.Sqrt(u * (b - a) * (c - a));
            var out2 = b - Jnp.Sqrt((1 - u) * (b - a) * (b - c));
            return Jnp.Where(u < fc, out1, out2);
        }

        /// <summary>Weibull samples, <c>(-log1p(-u))^(1 / concentration) * scale</c> (<c>jax.random.weibull_min</c>).</summary>
        public static Tensor WeibullMin(Tensor key, Tensor scale, Tensor concentration, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(scale);
            ArgumentNullException.ThrowIfNull(concentration);
            var t = FloatDType("weibull_min", dtype);
            // JAX draws with the shape argument as given (default ()), broadcasting the parameters afterwards.
            shape ??= [];
            CheckShape("weibull_min", key, shape);
            var u = Uniform(key, shape, t, 0, 1);
            return Jnp.Power(-Jnp.Log1p(-u), 1.0 / concentration) * scale;
        }

        /// <summary>One-sided Maxwell samples: the 2-norm of three standard normals (<c>jax.random.maxwell</c>).</summary>
        public static Tensor Maxwell(Tensor key, int[] shape, DType? dtype = null)
        {
            var t = FloatDType("maxwell", dtype);
            CheckShape("maxwell", key, shape);
            var z = Normal(key, [.. shape, 3], t);
            return Jnp.Linalg.Norm(z, null, -1);
        }

        /// <summary>
        /// Double-sided Maxwell samples <c>sign * maxwell * scale + loc</c>, the Maxwell draw and the Rademacher signs
        /// from two split keys; the result has <c>shape + broadcast(loc, scale).shape</c> (<c>jax.random.double_sided_maxwell</c>).
        /// </summary>
        public static Tensor DoubleSidedMaxwell(Tensor key, Tensor loc, Tensor scale, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(loc);
            ArgumentNullException.ThrowIfNull(scale);
            var t = FloatDType("double_sided_maxwell", dtype);
            var paramsShape = Jnp.BroadcastShapes(loc.Shape.IntSizes, scale.Shape.IntSizes);
            shape ??= [];
            if (shape.Length == 0) shape = paramsShape;
            int[] s = [.. shape, .. paramsShape];
            CheckShape("double_sided_maxwell", key, s);
            var keys = Split(key);
            var maxwell = Maxwell(keys[0], s, t);
            var sign = Rademacher(keys[1], s, t);
            return sign * maxwell * scale + loc;
        }

        /// <summary>Rademacher samples, -1 or +1 with equal probability: <c>2 bernoulli(0.5) - 1</c> (<c>jax.random.rademacher</c>).</summary>
        public static Tensor Rademacher(Tensor key, int[] shape, DType? dtype = null)
        {
            CheckShape("rademacher", key, shape);
            var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultInt);
            var b = Jnp.Astype(Bernoulli(key, 0.5, shape), t);
            return Jnp.Astype(2 * b - 1, t);
        }

        /// <summary>Geometric(p) samples on {1, 2, ...}: <c>floor(log u / log1p(-p)) + 1</c> (<c>jax.random.geometric</c>).</summary>
        public static Tensor Geometric(Tensor key, Tensor p, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(p);
            var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultInt);
            if (!t.IsInteger())
                throw new JaxTypeException("geometric", $"dtype argument to `geometric` must be an int dtype, got {t.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            var s = DrawShape("geometric", key, shape, p);
            var prob = Jnp.PromoteArgsInexact("geometric", p)[0];
            var u = Uniform(key, s, prob.DType);
            var logOneMinusP = Broadcast(Lax.Log1p(Lax.Neg(prob)), s);
            var g = Lax.Floor(Lax.Div(Lax.Log(u), logOneMinusP)) + 1;
            return Jnp.Astype(g, t);
        }

        // ---- samplers from gamma draws ----

        /// <summary>Student's t samples, <c>z sqrt((df/2) / g)</c> with z normal and g ~ Gamma(df/2) from two split keys (<c>jax.random.t</c>).</summary>
        public static Tensor T(Tensor key, Tensor df, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(df);
            var t = FloatDType("t", dtype);
            var s = DrawShape("t", key, shape, df);
            var d = Jnp.Cast(df, t);
            var keys = Split(key);
            var n = Normal(keys[0], s, t);
            var halfDf = Jnp.Divide(d, Const(2, t));
            var g = GammaDraws(keys[1], halfDf, s, logSpace: false);
            return n * Jnp.Sqrt(halfDf / g);
        }

        /// <summary>Chi-square samples, <c>2 exp(loggamma(df / 2))</c> (<c>jax.random.chisquare</c>).</summary>
        public static Tensor Chisquare(Tensor key, Tensor df, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(df);
            var t = FloatDType("chisquare", dtype);
            var s = DrawShape("chisquare", key, shape, df);
            return ChisquareOf(key, Jnp.Cast(df, t), s);
        }

        private static Tensor ChisquareOf(Tensor key, Tensor df, int[] shape)
        {
            var two = Const(2, df.DType);
            var logG = GammaDraws(key, Jnp.Divide(df, two), shape, logSpace: true);
            return Jnp.Multiply(Lax.Exp(logG), two);
        }

        /// <summary>
        /// F(dfnum, dfden) samples, the ratio of two chi-square draws each over its degrees of freedom; the denominator's
        /// key is the first of the split, as in JAX (<c>jax.random.f</c>).
        /// </summary>
        public static Tensor F(Tensor key, Tensor dfnum, Tensor dfden, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(dfnum);
            ArgumentNullException.ThrowIfNull(dfden);
            var t = FloatDType("f", dtype);
            var s = DrawShape("f", key, shape, dfden, dfnum);
            var den = Jnp.Cast(dfden, t);
            var num = Jnp.Cast(dfnum, t);
            var keys = Split(key);
            var chiNum = ChisquareOf(keys[1], num, s);
            var chiDen = ChisquareOf(keys[0], den, s);
            return Lax.Div(Lax.Div(chiNum, Broadcast(num, s)), Lax.Div(chiDen, Broadcast(den, s)));
        }

        /// <summary>
        /// Generalized normal samples with density proportional to <c>exp(-|x|^p)</c>: <c>r g^(1/p)</c> with
        /// g ~ Gamma(1/p) (JAX's per-element Marsaglia-Tsang rejection loop, <see cref="Lax.WhileLoop(Func{Tensor[], Tensor}, Func{Tensor[], Tensor[]}, Tensor[])"/>)
        /// and r Rademacher signs from two split keys (<c>jax.random.generalized_normal</c>).
        /// </summary>
        public static Tensor GeneralizedNormal(Tensor key, double p, int[]? shape = null, DType? dtype = null)
        {
            shape ??= [];
            CheckShape("generalized_normal", key, shape);
            var t = FloatDType("generalized_normal", dtype);
            if (!(p > 0))
                throw new JaxTypeException("generalized_normal", $"the shape parameter p must be > 0, got {p}{Dispatch.At(SourceLocation.FindCaller())}");
            var keys = Split(key);
            var g = GammaDraws(keys[0], Const(1 / p, t), shape, logSpace: false);
            var r = Rademacher(keys[1], shape, t);
            return r * Jnp.Power(g, 1 / p);
        }

        /// <summary>
        /// Samples uniform in the unit Lp ball of dimension <paramref name="d"/> (Barthe, Guédon, Mendelson and Naor):
        /// generalized normal draws g and an exponential e from two split keys, <c>g / (sum |g|^p + e)^(1/p)</c>; the
        /// result has shape <c>shape + (d,)</c> (<c>jax.random.ball</c>).
        /// </summary>
        public static Tensor Ball(Tensor key, int d, double p = 2, int[]? shape = null, DType? dtype = null)
        {
            shape ??= [];
            CheckShape("ball", key, [.. shape, d]);
            var t = FloatDType("ball", dtype);
            var keys = Split(key);
            var g = GeneralizedNormal(keys[0], p, [.. shape, d], t);
            var e = Exponential(keys[1], shape, t);
            var norm = Jnp.Power(Jnp.Sum(Jnp.Power(Jnp.Abs(g), p), -1) + e, 1 / p);
            return g / Jnp.ExpandDims(norm, -1);
        }

        // ---- matrices ----

        /// <summary>
        /// Samples from the Haar measure on the orthogonal group O(n) (Mezzadri): the Q of a QR factorisation of a
        /// standard normal matrix, its columns multiplied by the signs of R's diagonal; the result has shape
        /// <c>shape + (n, n)</c> (<c>jax.random.orthogonal</c>).
        /// </summary>
        public static Tensor Orthogonal(Tensor key, int n, int[]? shape = null, DType? dtype = null)
        {
            shape ??= [];
            CheckShape("orthogonal", key, [.. shape, n, n]);
            var t = FloatDType("orthogonal", dtype);
            var z = Normal(key, [.. shape, n, n], t);
            var (q, r) = Jnp.Linalg.Qr(z);
            var diag = Jnp.Diagonal(r, 0, -2, -1);
            return Jnp.Multiply(q!, Jnp.ExpandDims(Lax.Div(diag, Lax.Abs(diag)), -2));
        }

        // ---- binomial and multinomial ----

        /// <summary>Stirling's tail of log k! (JAX's <c>_stirling_approx_tail</c>): a table for k &lt;= 9, the series above.</summary>
        private static Tensor StirlingApproxTail(Tensor k)
        {
            var t = k.DType;
            var table = Jnp.Cast(Jnp.Array(new[]
            {
                0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
                0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273, 0.00833056343336287,
            }), t);
            var useTable = Jnp.LessEqual(k, 9);
            var kc = Lax.Clamp(Const(0, t), k, Const(9, t));
            var kp1sq = (kc + 1) * (kc + 1);
            var approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (kc + 1);
            var index = Lax.ConvertElementType(Lax.Floor(kc), DType.Int32);
            return Lax.Select(useTable, Jnp.Take(table, index), approx);
        }

        /// <summary>Binomial inversion (JAX's <c>_binomial_inversion</c>): counts geometric waiting times until they pass n.</summary>
        private static Tensor BinomialInversion(Tensor key, Tensor count, Tensor prob, int[] shape, DType dtype)
        {
            var t = prob.DType;
            var log1MinusProb = Lax.Log1p(Lax.Neg(prob));
            var result = Lax.WhileLoop(
                c => Jnp.Any(Lax.Le(c[1], count)),
                c =>
                {
                    var keys = Split(c[2]);
                    var numGeom = Lax.Select(Lax.Le(c[1], count), c[0] + 1, c[0]);
                    var u = Uniform(keys[0], shape, t);
                    var geom = Lax.Ceil(Lax.Div(Lax.Log(u), log1MinusProb));
                    return [numGeom, Lax.Add(c[1], geom), keys[1]];
                },
                Jnp.Zeros(shape, t), Jnp.Zeros(shape, t), key);
            return Jnp.Astype(result[0] - 1, dtype);
        }

        /// <summary>Hörmann's BTRS transformed rejection with squeeze (JAX's <c>_btrs</c>), one loop over the whole array.</summary>
        private static Tensor Btrs(Tensor key, Tensor count, Tensor prob, int[] shape, DType dtype)
        {
            var t = prob.DType;
            var stddev = Jnp.Sqrt(count * prob * (1 - prob));
            var b = 1.15 + 2.53 * stddev;
            var a = -0.0873 + 0.0248 * b + 0.01 * prob;
            var c = count * prob + 0.5;
            var vR = 0.92 - 4.2 / b;
            var r = prob / (1 - prob);
            var alpha = (2.83 + 5.1 / b) * stddev;
            var m = Lax.Floor((count + 1) * prob);
            var result = Lax.WhileLoop(
                s => Jnp.Any(Lax.Not(s[1])),
                s =>
                {
                    var keys = Split(s[2], 3);
                    var u = Uniform(keys[1], shape, t);
                    var v = Uniform(keys[2], shape, t);
                    u = u - 0.5;
                    var us = 0.5 - Lax.Abs(u);
                    var accept1 = Lax.BitwiseAnd(Lax.Ge(us, Jnp.FullLike(us, Const(0.07, t))), Lax.Le(v, vR));
                    var k = Lax.Floor((2 * a / us + b) * u + c);
                    var reject = Lax.BitwiseOr(Jnp.Less(k, 0), Lax.Gt(k, count));
                    var logV = Lax.Log(v * alpha / (a / (us * us) + b));
                    var ub = (m + 0.5) * Lax.Log((m + 1) / (r * (count - m + 1)))
                        + (count + 1) * Lax.Log((count - m + 1) / (count - k + 1))
                        + (k + 0.5) * Lax.Log(r * (count - k + 1) / (k + 1))
                        + StirlingApproxTail(m)
                        + StirlingApproxTail(count - m)
                        - StirlingApproxTail(k)
                        - StirlingApproxTail(count - k);
                    var accept2 = Lax.Le(logV, ub);
                    var accept = Lax.BitwiseOr(accept1, Lax.BitwiseAnd(Lax.Not(reject), accept2));
                    return [Lax.Select(accept, k, s[0]), Lax.BitwiseOr(s[1], accept), keys[0]];
                },
                Jnp.Full(shape, Const(-1, t), t), Jnp.Zeros(shape, DType.Bool), key);
            return Jnp.Astype(result[0], dtype);
        }

        /// <summary>
        /// Binomial(n, p) samples as floats (<c>jax.random.binomial</c>): binomial inversion where <c>n min(p, 1-p) &lt;= 10</c>,
        /// else Hörmann's BTRS rejection, each a <see cref="Lax.WhileLoop(Func{Tensor[], Tensor}, Func{Tensor[], Tensor[]}, Tensor[])"/>
        /// over the whole array from the same key, selected per element as JAX does (so it jits and vmaps). A float
        /// <paramref name="n"/> is floored; NaN or negative n or NaN or negative p give NaN, infinite n gives infinity.
        /// </summary>
        public static Tensor Binomial(Tensor key, Tensor n, Tensor p, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(n);
            ArgumentNullException.ThrowIfNull(p);
            var t = FloatDType("binomial", dtype);
            var s = DrawShape("binomial", key, shape, n, p);
            return BinomialOf(key, n, p, s, t);
        }

        private static Tensor BinomialOf(Tensor key, Tensor n, Tensor p, int[] shape, DType dtype)
        {
            // An empty draw is empty; the loops below would close over empty broadcast parameters, which the tracer
            // cannot lift as splats.
            if (shape.Contains(0)) return Jnp.Zeros(shape, dtype);
            var prob = Broadcast(Jnp.PromoteArgsInexact("binomial", p)[0], shape);
            var ft = prob.DType;
            var count = Broadcast(Jnp.Cast(n, ft), shape);
            var pLtHalf = Jnp.Less(prob, 0.5);
            var q = Lax.Select(pLtHalf, prob, 1.0 - prob);
            var countNanOrNeg = Lax.BitwiseOr(Jnp.Isnan(count), Jnp.Less(count, 0.0));
            var countInf = Jnp.Isinf(count);
            var qIsNan = Jnp.Isnan(q);
            var qLess0 = Jnp.Less(q, 0.0);
            q = Lax.Select(Lax.BitwiseOr(qIsNan, qLess0), Jnp.FullLike(q, Const(0.01, ft)), q);
            var useInversion = Lax.BitwiseOr(countNanOrNeg, Jnp.LessEqual(count * q, 10.0));
            count = Lax.Floor(count);
            var countInv = Lax.Select(useInversion, count, Jnp.ZerosLike(count));
            var countBtrs = Lax.Select(useInversion, Jnp.FullLike(count, Const(1e4, ft)), count);
            var qBtrs = Lax.Select(useInversion, Jnp.FullLike(q, Const(0.5, ft)), q);
            var samples = Lax.Select(useInversion,
                BinomialInversion(key, countInv, q, shape, dtype),
                Btrs(key, countBtrs, qBtrs, shape, dtype));
            var invalid = Lax.BitwiseOr(Lax.BitwiseOr(qLess0, qIsNan), countNanOrNeg);
            samples = Lax.Select(invalid, Jnp.FullLike(samples, Const(double.NaN, dtype)), samples);
            samples = Lax.Select(Lax.BitwiseAnd(countInf, Lax.Not(invalid)), Jnp.FullLike(samples, Const(double.PositiveInfinity, dtype)), samples);
            var keep = Lax.BitwiseOr(Lax.BitwiseOr(pLtHalf, countNanOrNeg), Lax.BitwiseOr(qIsNan, countInf));
            return Lax.Select(keep, samples, Lax.Sub(Jnp.Astype(count, dtype), samples));
        }

        /// <summary>
        /// Multinomial(n, p) counts over the last axis of <paramref name="p"/> (<c>jax.random.multinomial</c>): a
        /// <see cref="Lax.Scan(Func{Tensor[], Tensor[]}, Tensor[], Tensor[], int?, bool)"/> over the categories drawing
        /// each count as Binomial(remaining trials, p_i / remaining mass) with one split key per category, as JAX does.
        /// <paramref name="shape"/>, when given, is the full result shape (its last entry the number of categories).
        /// </summary>
        public static Tensor Multinomial(Tensor key, Tensor n, Tensor p, int[]? shape = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(n);
            ArgumentNullException.ThrowIfNull(p);
            var t = FloatDType("multinomial", dtype);
            CheckKey(key, "multinomial");
            if (p.Ndim == 0)
                throw new JaxTypeException("multinomial", $"p must have at least one dimension (the categories), got {p.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            // promote_dtypes_inexact(n, p): one inexact dtype for both, no broadcasting.
            var ft = Jnp.PromoteArgsInexact("multinomial", n, p)[0].DType;
            shape ??= p.Shape.IntSizes;
            CheckShape("multinomial", key, shape);
            if (shape.Length == 0)
                throw new JaxTypeException("multinomial", $"the shape must end with the number of categories, got (){Dispatch.At(SourceLocation.FindCaller())}");
            var trials = Broadcast(Jnp.Cast(n, ft), shape[..^1]);
            var probs = Jnp.Moveaxis(Broadcast(Jnp.Cast(p, ft), shape), -1, 0);
            var remaining = Lax.Cumsum(probs, 0, reverse: true);
            var ratios = probs / Jnp.Where(Jnp.Equal(remaining, 0), Jnp.OnesLike(remaining), remaining);
            var keys = Split(key, shape[^1]);
            int[] batch = shape[..^1];
            var (_, counts) = Lax.Scan(a =>
            {
                var remainder = a[0];
                var count = BinomialOf(a[2], remainder, Jnp.Clip(a[1], 0, 1), batch, remainder.DType);
                return [remainder - count, count];
            }, [trials], [ratios, keys]);
            return Jnp.Astype(Jnp.Moveaxis(counts[0], 0, -1), t);
        }

        // ---- helpers ----

        /// <summary>The canonical float dtype of a draw, or JAX's error for a non-float one.</summary>
        private static DType FloatDType(string op, DType? dtype)
        {
            var t = FloatType(dtype);
            if (!t.IsFloat())
                throw new JaxTypeException(op, $"dtype argument to `{op}` must be a float dtype, got {t.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            return t;
        }

        /// <summary>
        /// The result shape of a draw with parameters (JAX's <c>_check_shape</c>): the parameters' broadcast shape without
        /// a shape; with one, the parameters must broadcast to it exactly. The key and the shape are checked too.
        /// </summary>
        private static int[] DrawShape(string op, Tensor key, int[]? shape, params Tensor[] parameters)
        {
            var shapes = parameters.Select(p => p.Shape.IntSizes).ToArray();
            if (shape is null) shape = Jnp.BroadcastShapes(shapes);
            else if (parameters.Length > 0)
            {
                ShapeArguments.Of(op, shape);
                if (!shapes.All(s => BroadcastsTo(s, shape)))
                    throw new JaxTypeException(op, $"{op} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got parameter shapes {string.Join(", ", shapes.Select(s => $"({string.Join(", ", s)})"))} for shape argument ({string.Join(", ", shape)}){Dispatch.At(SourceLocation.FindCaller())}");
            }
            CheckShape(op, key, shape);
            return shape;
        }

        /// <summary>Whether <paramref name="from"/> broadcasts to exactly <paramref name="to"/> (NumPy's rules).</summary>
        private static bool BroadcastsTo(int[] from, int[] to) =>
            from.Length <= to.Length && from.Select((d, i) => d == 1 || d == to[to.Length - from.Length + i]).All(ok => ok);

        private static Tensor Broadcast(Tensor x, int[] shape) => Jnp.BroadcastTo(x, shape);

        private static Tensor Const(double value, DType t) => Jnp.Array(value, t);

        /// <summary>finfo(dtype).eps.</summary>
        private static double Eps(DType t) => t switch
        {
            DType.Float64 => Math.Pow(2, -52),
            DType.Float32 => Math.Pow(2, -23),
            DType.Float16 => Math.Pow(2, -10),
            _ => Math.Pow(2, -7),
        };
    }
}
