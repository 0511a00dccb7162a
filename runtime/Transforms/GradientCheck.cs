using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Numerical checks of derivatives, as JAX's <c>jax.test_util.check_grads</c>: forward mode against central
/// differences in random directions, reverse mode by the identity ⟨jvp(t), c⟩ = ⟨t, vjp(c)⟩, recursively up
/// to the requested order. Tolerances and step sizes depend on the dtype (float64: rtol/atol 1e-5 with
/// eps 1e-4 scaled steps; float32: 2e-3; float16/bfloat16: 1e-1), as JAX's defaults.
/// </summary>
public static class GradientCheck
{
    private static double Tolerance(DType t) => t switch
    {
        DType.Float64 => 1e-5,
        DType.Float32 => 2e-3,
        _ => 1e-1,
    };

    private static double Step(DType t) => t switch
    {
        DType.Float64 => 1e-4,
        DType.Float32 => 1e-2,
        _ => 1e-1,
    };

    private static Tensor RandomLike(Tensor x, Random rng)
    {
        var data = new double[x.Size];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() * 2 - 1;
        return Jnp.Array<double>(data, x.Shape.IntSizes, x.DType);
    }

    private static double Inner(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        double s = 0;
        for (int i = 0; i < a.Count; i++)
        {
            var x = a[i].ToArray<double>();
            var y = b[i].ToArray<double>();
            for (int j = 0; j < x.Length; j++) s += x[j] * y[j];
        }
        return s;
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual, double tol)
    {
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            if (!(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i]))))
                throw new GradientCheckException($"{what}: element {i} is {a[i]}, expected {e[i]} (tolerance {tol})");
    }

    /// <summary>
    /// Checks the derivatives of <paramref name="f"/> at <paramref name="args"/> up to <paramref name="order"/>
    /// in forward and/or reverse mode; throws <see cref="GradientCheckException"/> naming the first mismatch.
    /// </summary>
    public static void CheckGrads(Func<Tensor[], Tensor[]> f, Tensor[] args, int order = 1, bool forward = true, bool reverse = true, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(args);
        var rng = new Random(seed);
        var dtype = args.Select(a => a.DType).OrderBy(Tolerance).Last();
        double tol = Tolerance(dtype), eps = Step(dtype);
        var tangents = args.Select(a => RandomLike(a, rng)).ToArray();
        var (outs, outTangents) = Jax.Jvp(f, args, tangents);
        if (forward)
        {
            var plus = f(args.Select((a, i) => Jnp.Add(a, Jnp.Multiply(eps, tangents[i]))).ToArray());
            var minus = f(args.Select((a, i) => Jnp.Subtract(a, Jnp.Multiply(eps, tangents[i]))).ToArray());
            for (int k = 0; k < outs.Length; k++)
                AssertClose($"jvp of output {k} (order {order})", Jnp.Divide(Jnp.Subtract(plus[k], minus[k]), 2 * eps), outTangents[k], tol * 10);
        }
        if (reverse)
        {
            var (_, pullback) = Jax.Vjp(f, args);
            var cotangents = outs.Select(o => RandomLike(o, rng)).ToArray();
            var grads = pullback(cotangents);
            double lhs = Inner(outTangents, cotangents), rhs = Inner(tangents, grads);
            if (!(Math.Abs(lhs - rhs) <= tol * (1 + Math.Abs(lhs))))
                throw new GradientCheckException($"vjp (order {order}): <jvp(t), c> = {lhs} but <t, vjp(c)> = {rhs} (tolerance {tol})");
        }
        if (order > 1)
        {
            var fixedTangents = tangents;
            if (forward) CheckGrads(a => Jax.Jvp(f, a, fixedTangents).Tangents, args, order - 1, forward, reverse, seed + 1);
            if (reverse)
            {
                var fixedCotangents = outs.Select(o => RandomLike(o, rng)).ToArray();
                CheckGrads(a => Jax.Vjp(f, a).Pullback(fixedCotangents), args, order - 1, forward, reverse, seed + 2);
            }
        }
    }

    /// <summary>Checks a function of one array.</summary>
    public static void CheckGrads(Func<Tensor, Tensor> f, Tensor x, int order = 1, bool forward = true, bool reverse = true, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        CheckGrads(a => [f(a[0])], [x], order, forward, reverse, seed);
    }
}

/// <summary>A derivative disagreed with its numerical check.</summary>
public sealed class GradientCheckException(string message) : Exception(message);
