using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary><c>jax.scipy</c>: SciPy's functions, composed from primitives.</summary>
    public static partial class Scipy
    {
        /// <summary><c>jax.scipy.linalg</c>.</summary>
        public static class Linalg
        {
            /// <summary>
            /// <c>jax.scipy.linalg.solve_triangular</c>: solves op(a) x = b for triangular a [..., n, n], where op is
            /// selected by <paramref name="trans"/> (0: a, 1: aᵀ, 2: aᴴ, the same as aᵀ for real arrays); only a's
            /// <paramref name="lower"/> (or upper) triangle is read, and <paramref name="unitDiagonal"/> takes its
            /// diagonal as ones. b is a vector [..., n] (when it has one dimension fewer than a) or matrices
            /// [..., n, k]. Integer inputs are promoted to the default float dtype.
            /// </summary>
            public static Tensor SolveTriangular(Tensor a, Tensor b, int trans = 0, bool lower = false, bool unitDiagonal = false)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(b);
                if (trans is < 0 or > 2)
                    throw new ArgumentOutOfRangeException(nameof(trans), trans, $"solve_triangular: invalid trans {trans} (0, 1 or 2; or \"N\", \"T\", \"C\"){Dispatch.At(SourceLocation.FindCaller())}");
                var dt = Jnp.Linalg.InexactType([a, b]);
                a = Jnp.Astype(a, dt);
                b = Jnp.Astype(b, dt);
                bool vector = a.Ndim == b.Ndim + 1;
                var x = Lax.Linalg.TriangularSolve(a, vector ? Jnp.ExpandDims(b, -1) : b, leftSide: true, lower: lower,
                    transposeA: trans != 0, conjugateA: trans == 2, unitDiagonal: unitDiagonal);
                return vector ? Jnp.Squeeze(x, -1) : x;
            }

            /// <summary><see cref="SolveTriangular(Tensor, Tensor, int, bool, bool)"/> with SciPy's letter for op: "N" (a), "T" (aᵀ), "C" (aᴴ).</summary>
            public static Tensor SolveTriangular(Tensor a, Tensor b, string trans, bool lower = false, bool unitDiagonal = false)
            {
                ArgumentNullException.ThrowIfNull(a);
                ArgumentNullException.ThrowIfNull(b);
                ArgumentNullException.ThrowIfNull(trans);
                return SolveTriangular(a, b, trans switch
                {
                    "N" => 0,
                    "T" => 1,
                    "C" => 2,
                    _ => throw new ArgumentOutOfRangeException(nameof(trans), trans, $"solve_triangular: invalid trans \"{trans}\" (\"N\", \"T\" or \"C\"; or 0, 1, 2){Dispatch.At(SourceLocation.FindCaller())}"),
                }, lower, unitDiagonal);
            }
        }
    }
}
