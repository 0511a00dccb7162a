using System.Collections.Concurrent;
using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Lax
{
    /// <summary>Linear-algebra operations of <c>jax.lax.linalg</c>, composed from primitives.</summary>
    public static class Linalg
    {
        private static readonly ConcurrentDictionary<(bool, bool, bool, bool), Func<Tensor[], Tensor[]>> TriangularSolves = new();

        /// <summary>
        /// <c>jax.lax.linalg.triangular_solve</c>: solves op(a) x = b (<paramref name="leftSide"/>) or x op(a) = b
        /// for x, where a [..., n, n] is triangular (only its <paramref name="lower"/> or upper triangle is read;
        /// with <paramref name="unitDiagonal"/> its diagonal is taken as ones) and op(a) is a or aᵀ
        /// (<paramref name="transposeA"/>; <paramref name="conjugateA"/> conjugates, which leaves real arrays
        /// as they are). b is [..., n, k] for the left side and [..., k, n] for the right, with a's batch
        /// dimensions. The derivative is JAX's: dx = op(a)⁻¹ (db − op(da) x) on the left.
        /// </summary>
        public static Tensor TriangularSolve(Tensor a, Tensor b, bool leftSide = false, bool lower = false, bool transposeA = false,
            bool conjugateA = false, bool unitDiagonal = false)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            _ = conjugateA;
            if (a.Ndim < 2 || a.Shape[^1] != a.Shape[^2])
                throw new JaxTypeException("triangular_solve", $"triangular_solve needs square matrices a ([..., n, n]), got {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            if (!a.DType.IsFloat() || a.DType != b.DType)
                throw new JaxTypeException("triangular_solve", $"triangular_solve needs a and b of the same float dtype, got {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            bool batchMatches = b.Ndim == a.Ndim && a.Shape.Take(a.Ndim - 2).SequenceEqual(b.Shape.Take(b.Ndim - 2));
            if (!batchMatches || b.Shape[leftSide ? b.Ndim - 2 : b.Ndim - 1] != a.Shape[^1])
                throw new JaxTypeException("triangular_solve", $"triangular_solve with left_side={leftSide} needs b of shape [..., {(leftSide ? "n, k" : "k, n")}] with a's batch dimensions; a is {a.Aval.ToLongString()}, b is {b.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            var f = TriangularSolves.GetOrAdd((leftSide, lower, transposeA, unitDiagonal), key => Jax.CustomJvp(
                x => [Raw(x[0], x[1], key.Item1, key.Item2, key.Item3, key.Item4)],
                (p, t) =>
                {
                    var (left, low, trans, unit) = key;
                    var x = Raw(p[0], p[1], left, low, trans, unit);
                    var inverse = Raw(p[0], Jnp.Linalg.EyeLike(p[0], Jnp.Linalg.Size(p[0], -1)), left, low, trans, unit);
                    int k = unit ? 1 : 0;
                    var da = low ? Jnp.Tril(t[0], -k) : Jnp.Triu(t[0], k);
                    if (trans) da = Jnp.Linalg.Mt(da);
                    var dx = left
                        ? Jnp.Matmul(inverse, Jnp.Subtract(t[1], Jnp.Matmul(da, x)))
                        : Jnp.Matmul(Jnp.Subtract(t[1], Jnp.Matmul(x, da)), inverse);
                    return ([x], [dx]);
                }));
            return f([a, b])[0];
        }

        /// <summary>The triangular solve by substitution loops (no custom derivative).</summary>
        private static Tensor Raw(Tensor a, Tensor b, bool leftSide, bool lower, bool transposeA, bool unitDiagonal)
        {
            if (transposeA)
            {
                a = Jnp.Linalg.Mt(a);
                lower = !lower;
            }
            if (leftSide) return Jnp.Linalg.TriangularRaw(a, b, lower, unitDiagonal);
            // x a = b  ⇔  aᵀ xᵀ = bᵀ.
            return Jnp.Linalg.Mt(Jnp.Linalg.TriangularRaw(Jnp.Linalg.Mt(a), Jnp.Linalg.Mt(b), !lower, unitDiagonal));
        }
    }
}
