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
                var (v, dtype) = Compute("hyp1f1", a, b, x);
                return Restore(Hyp1f1WithJvp(v)[0], dtype);
            }
        }
    }
}
