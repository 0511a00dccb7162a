using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.nn.dot_product_attention (JAX's XLA implementation) and the small functions identity, log1mexp, logmeanexp,
// soft_sign and tanh.
public static partial class Nn
{
    /// <summary>x itself as an array (<c>jax.nn.identity</c>).</summary>
    public static Tensor Identity(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Asarray(x);
    }

    /// <summary>The hyperbolic tangent, as <see cref="Jnp.Tanh"/> (<c>jax.nn.tanh</c>).</summary>
    public static Tensor Tanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Tanh(x);
    }

    /// <summary>The soft-sign activation x / (|x| + 1) (<c>jax.nn.soft_sign</c>).</summary>
    public static Tensor SoftSign(Tensor x)
    {
        x = Inexact("soft_sign", x);
        return Jnp.Divide(x, Jnp.Add(Jnp.Abs(x), 1.0));
    }

    /// <summary>
    /// log(1 - exp(-x)) for x &gt;= 0, computed stably (<c>jax.nn.log1mexp</c>): log(-expm1(-x)) below log 2 and
    /// log1p(-exp(-x)) above; -inf at 0 and NaN below 0.
    /// </summary>
    public static Tensor Log1mexp(Tensor x)
    {
        x = Inexact("log1mexp", x);
        var small = Jnp.Less(x, Math.Log(2.0));
        return Jnp.Where(small, Jnp.Log(Jnp.Negative(Jnp.Expm1(Jnp.Negative(x)))), Jnp.Log1p(Jnp.Negative(Jnp.Exp(Jnp.Negative(x)))));
    }

    /// <summary>
    /// log(mean(exp(x))) over <paramref name="axis"/> (all axes when null), computed stably as logsumexp minus the
    /// log of the element count (<c>jax.nn.logmeanexp</c>); <paramref name="where"/> keeps only the true elements
    /// (broadcast against x) in both the sum and the count.
    /// </summary>
    public static Tensor Logmeanexp(Tensor x, int[]? axis = null, Tensor? where = null, bool keepdims = false)
    {
        x = Inexact("logmeanexp", x);
        var kept = where is null ? x : Jnp.Where(where, x, Jnp.FullLike(x, double.NegativeInfinity));
        var count = where is null ? Jnp.OnesLike(x) : Jnp.Astype(Jnp.BroadcastArrays(where, x)[0], x.DType);
        return Jnp.Subtract(Logsumexp(kept, axis, keepdims), Jnp.Log(Jnp.Sum(count, axis, keepdims)));
    }

    /// <summary><see cref="Logmeanexp(Tensor, int[], Tensor, bool)"/> over one axis.</summary>
    public static Tensor Logmeanexp(Tensor x, int axis, Tensor? where = null, bool keepdims = false) => Logmeanexp(x, [axis], where, keepdims);

    /// <summary>An array of rank 4 for attention: rank-3 inputs get a leading batch axis of size 1.</summary>
    private static Tensor Ensure4d(string name, Tensor t)
    {
        if (t.Ndim > 4 || t.Ndim < 1)
            throw new JaxTypeException("dot_product_attention", $"dot_product_attention: {name} must have rank 3 or 4 (rank 1 to 4 for bias and mask), got {t.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return t.Ndim == 4 ? t : Jnp.Reshape(t, [.. Enumerable.Repeat(1L, 4 - t.Ndim), .. t.Shape.Sizes]);
    }

    /// <summary>
    /// A bias or mask <c>[B|1, N|1, T|1, S|1]</c> as the grouped <c>[B|1, K|1, G|1, T|1, S|1]</c> layout of the
    /// logits (N = K G heads), or an error naming it when it does not broadcast to <c>[B, N, T, S]</c>.
    /// </summary>
    private static Tensor Grouped(string name, Tensor t, long b, long n, long k, long tq, long s)
    {
        t = Ensure4d(name, t);
        var sz = t.Shape.Sizes;
        long[] full = [b, n, tq, s];
        for (int i = 0; i < 4; i++)
            if (sz[i] != 1 && sz[i] != full[i])
                throw new JaxTypeException("dot_product_attention", $"dot_product_attention: {name} of shape {t.Aval.ToLongString()} does not broadcast to [B, N, T, S] = [{string.Join(", ", full)}]{Dispatch.At(SourceLocation.FindCaller())}");
        return sz[1] == 1
            ? Jnp.Reshape(t, sz[0], 1, 1, sz[2], sz[3])
            : Jnp.Reshape(t, sz[0], k, n / k, sz[2], sz[3]);
    }

    /// <summary>
    /// Scaled dot-product attention (<c>jax.nn.dot_product_attention</c>, JAX's XLA implementation): softmax(Q Kᵀ
    /// scale + bias, masked) V per head. <paramref name="query"/> is <c>[B, T, N, H]</c>, <paramref name="key"/> and
    /// <paramref name="value"/> <c>[B, S, K, H]</c> with N a multiple of K (grouped-query attention; rank-3 inputs
    /// lack B); <paramref name="bias"/> (added to the logits) and the boolean <paramref name="mask"/> (false: not
    /// attended) broadcast to <c>[B, N, T, S]</c>. <paramref name="scale"/> defaults to 1/sqrt(H);
    /// <paramref name="isCausal"/> masks keys after each query (a lower-triangular [T, S] mask). The logits are
    /// computed in float32 or wider, masked entries set to -0.7 times the dtype's max, and the softmax taken in
    /// float32; the result has the query's shape.
    /// </summary>
    public static Tensor DotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? bias = null, Tensor? mask = null,
        double? scale = null, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        static JaxTypeException Error(string message) =>
            new("dot_product_attention", "dot_product_attention: " + message + Dispatch.At(SourceLocation.FindCaller()));
        if (query.Ndim != key.Ndim || query.Ndim is not (3 or 4))
            throw Error($"query, key and value must all have rank 3 ([T, N, H]) or 4 ([B, T, N, H]), got {query.Aval.ToLongString()} and {key.Aval.ToLongString()}");
        var outputShape = query.Shape;
        var q = Ensure4d("query", query);
        var k = Ensure4d("key", key);
        var v = Ensure4d("value", value);
        if (k.Shape != v.Shape) throw Error($"key and value must have the same shape, got {key.Aval.ToLongString()} and {value.Aval.ToLongString()}");
        var (qs, ks) = (q.Shape.Sizes, k.Shape.Sizes);
        long b = ks[0], s = ks[1], heads = ks[2], h = ks[3], t = qs[1], n = qs[2];
        if (qs[0] != b || qs[3] != h)
            throw Error($"query must have shape [B, T, N, H] = [{b}, T, N, {h}] for key {key.Aval.ToLongString()}, got {query.Aval.ToLongString()}");
        if (n % heads != 0)
            throw Error($"the number of query heads ({n}) must be a multiple of the number of key/value heads ({heads})");
        if (!q.DType.IsFloat() || q.DType != k.DType || q.DType != v.DType)
            throw Error($"query, key and value must have the same floating dtype, got {query.Aval.ToLongString()}, {key.Aval.ToLongString()} and {value.Aval.ToLongString()}");
        if (mask is not null && mask.DType != DType.Bool) throw Error($"mask must be boolean, got {mask.Aval.ToLongString()}");

        var logitsType = Jnp.PromoteTypes(q.DType, DType.Float32);
        var grouped = Jnp.Reshape(q, b, t, heads, n / heads, h);
        // logits[b, k, g, t, s] = sum_h q[b, t, k, g, h] key[b, s, k, h]
        var logits = Jnp.Einsum("btkgh,bskh->bkgts", Jnp.Astype(grouped, logitsType), Jnp.Astype(k, logitsType));
        logits = Jnp.Multiply(logits, Jnp.Full([], scale ?? 1.0 / Math.Sqrt(h), logitsType));
        if (bias is not null) logits = Jnp.Astype(Jnp.Add(logits, Grouped("bias", bias, b, n, heads, t, s)), logitsType);
        if (mask is not null || isCausal)
        {
            Tensor keep = Jnp.OnesLike(logits, DType.Bool);
            if (mask is not null) keep = Jnp.LogicalAnd(keep, Grouped("mask", mask, b, n, heads, t, s));
            if (isCausal) keep = Jnp.LogicalAnd(keep, Jnp.Tri((int)t, (int)s, 0, DType.Bool));
            var largeNegative = Jnp.Full([], -0.7 * Jnp.Finfo(logitsType).Max, logitsType);
            logits = Jnp.Where(keep, logits, largeNegative);
        }
        var probs = Jnp.Astype(Softmax(Jnp.Astype(logits, DType.Float32), -1), k.DType);
        var encoded = Jnp.Einsum("bkgts,bskh->btkgh", probs, v);
        return Jnp.Reshape(encoded, outputShape.Sizes);
    }
}
