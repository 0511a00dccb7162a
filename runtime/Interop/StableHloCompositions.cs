using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain;

/// <summary>
/// StableHLO operations with no primitive of ours that the runtime composes, registered with the importer
/// (<see cref="StableHloDecompositions"/>) before any module is imported, each traced for the operation's operand
/// types: <c>stablehlo.triangular_solve</c> is <see cref="Lax.Linalg.TriangularSolve"/> (substitution loops, JAX's
/// derivative; real values only, <c>ADJOINT</c> of real values is the transpose); <c>stablehlo.convolution</c> (and
/// <c>dynamic_conv</c>, whose padding operand the importer reads as a constant) is <see cref="Lax.ConvGeneralDilated(Tensor, Tensor, int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[], ConvDimensionNumbers, int, int, DType?)"/>
/// with window reversal, the result's declared dtype as the preferred element type; <c>stablehlo.reduce_window</c>
/// that is not a cumulative op is <see cref="Lax.ReduceWindow(Tensor, Tensor, Func{Tensor, Tensor, Tensor}, int[], int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[])"/>
/// with its body's op; <c>stablehlo.select_and_scatter</c> with a GE/GT/LE/LT select and an add scatter is
/// <c>Lax.SelectAndScatterAdd</c>; <c>stablehlo.scatter</c> with an update region other than replace and add (which
/// are primitives) is <c>Lax.ScatterApply</c> with the region's function; the LAPACK custom calls of JAX's CPU
/// linear algebra that our linear algebra covers: <c>lapack_{s,d}potrf_ffi</c> (Cholesky), <c>lapack_{s,d}getrf_ffi</c>
/// (LU of square matrices: solve, inv, det), <c>lapack_{s,d}geqrf_ffi</c> and <c>orgqr_ffi</c> (QR),
/// <c>lapack_{s,d}gesdd_ffi</c> (SVD with singular vectors) and <c>lapack_{s,d}syevd_ffi</c> (symmetric
/// eigendecomposition), with LAPACK's outputs (see <see cref="Potrf"/>, <see cref="Getrf"/>, <see cref="Geqrf"/>,
/// <see cref="Orgqr"/>, <see cref="Gesdd"/>, <see cref="Syevd"/>).
/// </summary>
internal static class StableHloCompositions
{
    private static int _registered;

    /// <summary>Registers the compositions once.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        StableHloDecompositions.Register("stablehlo.triangular_solve", TriangularSolve);
        StableHloDecompositions.Register("stablehlo.convolution", Convolution);
        StableHloDecompositions.Register("stablehlo.reduce_window", ReduceWindow);
        StableHloDecompositions.Register("stablehlo.select_and_scatter", SelectAndScatter);
        StableHloDecompositions.Register("stablehlo.scatter", Scatter);
        foreach (var (name, f) in ChloElementwise)
            StableHloDecompositions.Register(name, (operands, results, _) => Elementwise(name, f, operands, results));
        foreach (var type in new[] { "s", "d" })
        {
            StableHloDecompositions.Register($"stablehlo.custom_call:lapack_{type}potrf_ffi", Potrf);
            StableHloDecompositions.Register($"stablehlo.custom_call:lapack_{type}syevd_ffi", Syevd);
            StableHloDecompositions.Register($"stablehlo.custom_call:lapack_{type}getrf_ffi", Getrf);
            StableHloDecompositions.Register($"stablehlo.custom_call:lapack_{type}geqrf_ffi", Geqrf);
            StableHloDecompositions.Register($"stablehlo.custom_call:lapack_{type}orgqr_ffi", Orgqr);
            StableHloDecompositions.Register($"stablehlo.custom_call:lapack_{type}gesdd_ffi", Gesdd);
        }
    }

    /// <summary>
    /// The elementwise <c>chlo</c> ops JAX lowers to (inverse trigonometric and hyperbolic functions, polygamma, zeta,
    /// the exponentially scaled Bessel functions, the infinity tests) that no primitive of ours is: as <c>jnp</c> and
    /// <c>jax.scipy.special</c> compose them.
    /// </summary>
    private static readonly (string Name, Func<Tensor[], Tensor> F)[] ChloElementwise =
    [
        ("chlo.asin", a => Jnp.Arcsin(a[0])), ("chlo.acos", a => Jnp.Arccos(a[0])), ("chlo.atan", a => Jnp.Arctan(a[0])),
        ("chlo.sinh", a => Jnp.Sinh(a[0])), ("chlo.cosh", a => Jnp.Cosh(a[0])),
        ("chlo.asinh", a => Jnp.Arcsinh(a[0])), ("chlo.acosh", a => Jnp.Arccosh(a[0])), ("chlo.atanh", a => Jnp.Arctanh(a[0])),
        ("chlo.polygamma", a => Jax.Scipy.Special.Polygamma(a[0], a[1])), ("chlo.zeta", a => Jax.Scipy.Special.Zeta(a[0], a[1])),
        ("chlo.bessel_i0e", a => Jax.Scipy.Special.I0e(a[0])), ("chlo.bessel_i1e", a => Jax.Scipy.Special.I1e(a[0])),
        ("chlo.is_inf", a => Jnp.Isinf(a[0])), ("chlo.is_pos_inf", a => Jnp.Isposinf(a[0])), ("chlo.is_neg_inf", a => Jnp.Isneginf(a[0])),
    ];

    /// <summary>An elementwise composition traced for the operand types, its result converted to the declared dtype.</summary>
    private static Function Elementwise(string name, Func<Tensor[], Tensor> f, IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results)
    {
        if (operands.Count == 0 || results.Count != 1) throw new ArgumentException($"{name} takes operands and gives one result, got {operands.Count} and {results.Count}");
        if (operands.Any(o => !o.DType.IsFloat())) throw new ArgumentException($"{name} takes floats, got {string.Join(", ", operands)}");
        var dtype = results[0].DType;
        return Traced(name.Replace('.', '_'), a => [Lax.ConvertElementType(f(a), dtype)], operands);
    }

    private static Function TriangularSolve(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 2) throw new ArgumentException($"triangular_solve takes a and b, got {operands.Count} operands");
        bool left = attribute("left_side") is true, lower = attribute("lower") is true, unit = attribute("unit_diagonal") is true;
        string transpose = attribute("transpose_a") as string ?? "NO_TRANSPOSE";
        if (transpose is not ("NO_TRANSPOSE" or "TRANSPOSE" or "ADJOINT"))
            throw new ArgumentException($"triangular_solve: transpose_a {transpose} is none of NO_TRANSPOSE, TRANSPOSE, ADJOINT");
        return Traced("triangular_solve", a => [Lax.Linalg.TriangularSolve(a[0], a[1], left, lower, transpose != "NO_TRANSPOSE", unitDiagonal: unit)], operands);
    }

    private static Function Convolution(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 2) throw new ArgumentException($"convolution takes lhs and rhs, got {operands.Count} operands");
        if (results.Count != 1) throw new ArgumentException($"convolution has one result, the text names {results.Count}");
        var dn = ConvolutionDimensions(attribute("dimension_numbers") as string
            ?? throw new ArgumentException("convolution needs dimension_numbers"), operands[0].Rank);
        int spatial = dn.SpatialRank;
        var pairs = WindowPadding(attribute, "convolution", spatial);
        var reversal = attribute("window_reversal") switch
        {
            null => null,
            bool[] flags => flags,
            long[] flags => flags.Select(f => f != 0).ToArray(),
            var other => throw new ArgumentException($"convolution: window_reversal must list bools, got {other}"),
        };
        int[] strides = WindowInts(attribute, "convolution", "window_strides", spatial), lhsDilation = WindowInts(attribute, "convolution", "lhs_dilation", spatial),
            rhsDilation = WindowInts(attribute, "convolution", "rhs_dilation", spatial);
        int featureGroups = checked((int)(attribute("feature_group_count") as long? ?? 1)), batchGroups = checked((int)(attribute("batch_group_count") as long? ?? 1));
        return Traced("convolution", a => [Lax.ConvolutionWithReversal(a[0], a[1], strides, pairs, lhsDilation, rhsDilation, reversal, dn, featureGroups, batchGroups, results[0].DType)], operands);
    }

    /// <summary>
    /// StableHLO's short dimension numbers, <c>[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]</c>: each list names every
    /// dimension of the input, the kernel and the result (b/f batch and feature, i/o the kernel's input and output
    /// features, digits the spatial dimensions in order).
    /// </summary>
    internal static ConvDimensionNumbers ConvolutionDimensions(string text, int rank)
    {
        var parts = text.Replace(" ", "", StringComparison.Ordinal).Split(["x[", "->"], StringSplitOptions.None);
        if (parts.Length != 3) throw new ArgumentException($"convolution: cannot read dimension numbers '{text}'");
        int[] Spec(string part, string first, string second)
        {
            var letters = part.Trim('[', ']').Split(',');
            if (letters.Length != rank)
                throw new ArgumentException($"convolution: dimension numbers '{text}' name {letters.Length} dimensions of rank {rank} operands");
            var spec = new int[rank];
            var seen = new bool[rank];
            for (int d = 0; d < rank; d++)
            {
                int role = letters[d] == first ? 0 : letters[d] == second ? 1
                    : int.TryParse(letters[d], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int s) && s < rank - 2 ? s + 2
                    : throw new ArgumentException($"convolution: '{letters[d]}' in dimension numbers '{text}' is none of {first}, {second} or a spatial index below {rank - 2}");
                if (seen[role]) throw new ArgumentException($"convolution: dimension numbers '{text}' name '{letters[d]}' twice");
                seen[role] = true;
                spec[role] = d;
            }
            return spec;
        }
        return new ConvDimensionNumbers(Spec(parts[0], "b", "f"), Spec("[" + parts[1], "o", "i"), Spec(parts[2], "b", "f"));
    }

    private static Function ReduceWindow(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 2) throw new ArgumentException($"reduce_window of one input takes it and an init value, got {operands.Count} operands");
        int rank = operands[0].Rank;
        Func<Tensor, Tensor, Tensor> body = attribute("$body") switch
        {
            "stablehlo.add" => Lax.Add,
            "stablehlo.multiply" => Lax.Mul,
            "stablehlo.maximum" => Lax.Max,
            "stablehlo.minimum" => Lax.Min,
            "stablehlo.and" => Lax.BitwiseAnd,
            "stablehlo.or" => Lax.BitwiseOr,
            var other => throw new ArgumentException($"reduce_window: no decomposition for a {other} body"),
        };
        var window = WindowInts(attribute, "reduce_window", "window_dimensions", rank);
        int[] strides = WindowInts(attribute, "reduce_window", "window_strides", rank), baseDilation = WindowInts(attribute, "reduce_window", "base_dilations", rank),
            windowDilation = WindowInts(attribute, "reduce_window", "window_dilations", rank);
        var pairs = WindowPadding(attribute, "reduce_window", rank);
        return Traced("reduce_window", a => [Lax.ReduceWindow(a[0], a[1], body, window, strides, pairs, baseDilation, windowDilation)], operands);
    }

    private static Function SelectAndScatter(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 3) throw new ArgumentException($"select_and_scatter takes an operand, a source and an init value, got {operands.Count} operands");
        int rank = operands[0].Rank;
        var select = attribute("$select") as string ?? throw new ArgumentException("select_and_scatter: no select comparison");
        var (window, strides, pairs) = (WindowInts(attribute, "select_and_scatter", "window_dimensions", rank), WindowInts(attribute, "select_and_scatter", "window_strides", rank),
            WindowPadding(attribute, "select_and_scatter", rank));
        return Traced("select_and_scatter", a => [Lax.SelectAndScatterAdd(a[0], a[1], a[2], select, window, strides, pairs)], operands);
    }

    private static Function Scatter(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 3) throw new ArgumentException($"scatter of one operand takes it, indices and updates, got {operands.Count} operands");
        var computation = attribute("$computation") as Function ?? throw new ArgumentException("scatter: no update computation");
        int[] Dims(string name) => attribute(name) switch
        {
            null => [],
            long[] values => [.. values.Select(v => checked((int)v))],
            long value => [checked((int)value)],
            var other => throw new ArgumentException($"scatter: {name} must list integers, got {other}"),
        };
        var (window, inserted, map) = (Dims("update_window_dims"), Dims("inserted_window_dims"), Dims("scatter_dims_to_operand_dims"));
        int vector = checked((int)(attribute("index_vector_dim") as long? ?? operands[1].Rank));
        Tensor Combine(Tensor a, Tensor b) => FunctionCalls.Call(computation, [a, b])[0];
        return Traced("scatter", a => [Lax.ScatterApply(a[0], a[1], a[2], Combine, window, inserted, map, vector)], operands);
    }

    /// <summary>
    /// LAPACK's <c>potrf</c> as JAX's CPU Cholesky calls it (<c>uplo</c> 'L' = 76 or 'U' = 85): the factor of the matrix
    /// the <c>uplo</c> triangle describes, written over that triangle, the other triangle left as the input has it; and
    /// <c>info</c> (int32 per matrix), 0 when the matrix is positive definite, else 1 (LAPACK gives the order of the
    /// failing minor; JAX only compares it with 0).
    /// </summary>
    private static Function Potrf(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 1 || results.Count != 2) throw new ArgumentException($"potrf takes one matrix and returns it and info, got {operands.Count} operands and {results.Count} results");
        bool lower = Uplo(attribute, "potrf");
        return Traced("potrf", a =>
        {
            var x = a[0];
            var symmetric = lower ? Jnp.Tril(x) + Jnp.Swapaxes(Jnp.Tril(x, -1), -1, -2) : Jnp.Triu(x) + Jnp.Swapaxes(Jnp.Triu(x, 1), -1, -2);
            var factor = Jnp.Linalg.Cholesky(symmetric, upper: !lower);
            var kept = lower ? Jnp.Triu(x, 1) : Jnp.Tril(x, -1);
            var info = Jnp.Cast(Jnp.Any(Jnp.Isnan(factor), [-2, -1]), DType.Int32);
            return [factor + kept, info];
        }, operands);
    }

    /// <summary>
    /// LAPACK's <c>syevd</c> as JAX's CPU <c>eigh</c> calls it (<c>uplo</c> 'L' = 76 or 'U' = 85; <c>mode</c> 'V' = 86):
    /// eigenvectors (columns; determined up to sign, so they may differ from LAPACK's by a sign), eigenvalues
    /// ascending, and <c>info</c> 0, of the symmetric matrix the <c>uplo</c> triangle describes.
    /// </summary>
    private static Function Syevd(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 1 || results.Count != 3) throw new ArgumentException($"syevd takes one matrix and returns eigenvectors, eigenvalues and info, got {operands.Count} operands and {results.Count} results");
        bool lower = Uplo(attribute, "syevd");
        return Traced("syevd", a =>
        {
            var (w, v) = Jnp.Linalg.Eigh(a[0], lower ? "L" : "U", symmetrizeInput: false);
            var info = NoInfo(a[0]);
            return [v, w, info];
        }, operands);
    }

    /// <summary>
    /// LAPACK's <c>getrf</c> as JAX's CPU <c>lu</c> calls it, for m x n matrices: the packed factors (unit lower L
    /// below the diagonal, U on and above it) of partial pivoting (the first largest magnitude, as LAPACK), the row
    /// interchanges <c>ipiv</c> (int32, min(m, n) of them, 1-based: row k was swapped with row ipiv[k] at step k), and
    /// <c>info</c> (the 1-based index of the first zero on U's diagonal, else 0).
    /// </summary>
    private static Function Getrf(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 1 || results.Count != 3) throw new ArgumentException($"getrf takes one matrix and returns the factors, ipiv and info, got {operands.Count} operands and {results.Count} results");
        var shape = operands[0].Shape;
        if (shape.Rank < 2 || !shape[^1].IsStatic || !shape[^2].IsStatic)
            throw new ArgumentException($"getrf: the matrices' sizes must be static, got {operands[0]}");
        int m = (int)shape[^2].Size, steps = (int)Math.Min(m, shape[^1].Size);
        return Traced("getrf", a =>
        {
            var (lu, perm, _) = Jnp.Linalg.LuRaw(a[0]);
            var rows = Jnp.Cast(perm, DType.Int32);
            var idx = Jnp.Arange(m, DType.Int32);
            // The interchanges that turn the identity order into perm: at step k, the position j >= k holding perm[k].
            var swaps = Lax.ForiLoop(0, steps, (k, c) =>
            {
                Tensor current = c[0], pivots = c[1];
                var isK = Jnp.Equal(idx, k);
                var wanted = Jnp.Sum(Jnp.Where(isK, rows, 0), -1, keepdims: true);
                var j = Jnp.Argmax(Jnp.LogicalAnd(Jnp.Equal(current, wanted), Jnp.GreaterEqual(idx, k)), -1, keepdims: true);
                j = Jnp.Cast(j, DType.Int32);
                var atK = Jnp.Sum(Jnp.Where(isK, current, 0), -1, keepdims: true);
                current = Jnp.Where(isK, wanted, Jnp.Where(Jnp.Equal(idx, j), atK, current));
                return [current, Jnp.Where(isK, j + 1, pivots)];
            }, Jnp.BroadcastToShape(idx, rows.Shape), Jnp.ZerosLike(rows));
            var pivotShape = swaps[1].Shape.Sizes.Select(d => (int)d).ToArray();
            int[] start = new int[pivotShape.Length], limit = [.. pivotShape[..^1], steps];
            var ipiv = Lax.Slice(swaps[1], start, limit);
            var zero = Jnp.Equal(Jnp.Diagonal(lu, 0, -2, -1), 0);
            var info = Jnp.Where(Jnp.Any(zero, -1), Jnp.Cast(Jnp.Argmax(zero, -1), DType.Int32) + 1, 0);
            return [lu, ipiv, Jnp.Cast(info, DType.Int32)];
        }, operands);
    }

    /// <summary>
    /// LAPACK's <c>geqrf</c> (JAX's CPU QR): R on and above the diagonal with the Householder vectors below it, the
    /// factors τ, and (when the call declares a third result) <c>info</c> 0.
    /// </summary>
    private static Function Geqrf(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 1 || results.Count is not (2 or 3)) throw new ArgumentException($"geqrf takes one matrix and returns it and tau (and info), got {operands.Count} operands and {results.Count} results");
        return Traced("geqrf", a =>
        {
            var (packed, taus) = Jnp.Linalg.GeqrfRaw(a[0]);
            return results.Count == 2 ? [packed, taus] : [packed, taus, NoInfo(a[0])];
        }, operands);
    }

    /// <summary>LAPACK's <c>orgqr</c> (JAX's CPU <c>householder_product</c>): Q's columns from the Householder vectors and τ (and <c>info</c> 0).</summary>
    private static Function Orgqr(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 2 || results.Count is not (1 or 2)) throw new ArgumentException($"orgqr takes the vectors and tau and returns Q (and info), got {operands.Count} operands and {results.Count} results");
        return Traced("orgqr", a =>
        {
            var q = Jnp.Linalg.OrgqrRaw(a[0], a[1]);
            return results.Count == 1 ? [q] : [q, NoInfo(a[0])];
        }, operands);
    }

    /// <summary>
    /// LAPACK's <c>gesdd</c> as JAX's CPU <c>svd</c> calls it (<c>mode</c> 'A' = 65: full U and Vᵀ, 'S' = 83: reduced,
    /// 'N' = 78: no vectors, as <c>svd(compute_uv=False)</c>, norms and <c>cond</c> use it): the input (LAPACK
    /// overwrites it; JAX does not read it), singular values (descending), U, Vᵀ (determined up to signs; zeros of the
    /// declared placeholder types in mode N) and <c>info</c> 0.
    /// </summary>
    private static Function Gesdd(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 1 || results.Count != 5) throw new ArgumentException($"gesdd takes one matrix and returns it, s, u, vt and info, got {operands.Count} operands and {results.Count} results");
        var mode = attribute("mode") switch
        {
            65L => 'A',
            83L => 'S',
            78L => 'N',
            var other => throw new NotSupportedException($"gesdd: mode must be 'A' (65), 'S' (83) or 'N' (78), got {other}"),
        };
        if (mode == 'N' && (!results[2].Shape.IsStatic || !results[3].Shape.IsStatic))
            throw new ArgumentException($"gesdd without vectors needs static placeholder types for U and Vt, got {results[2]} and {results[3]}");
        return Traced("gesdd", a =>
        {
            var info = NoInfo(a[0]);
            if (mode == 'N')
                return [a[0], Jnp.Linalg.Svdvals(a[0]), Jnp.Zeros(results[2].Shape.IntSizes, results[2].DType), Jnp.Zeros(results[3].Shape.IntSizes, results[3].DType), info];
            var (u, sv, vt) = Jnp.Linalg.Svd(a[0], fullMatrices: mode == 'A');
            return [a[0], sv, u, vt, info];
        }, operands);
    }

    /// <summary>LAPACK's <c>info</c> of success (0, int32) for each matrix of <paramref name="a"/>.</summary>
    private static Tensor NoInfo(Tensor a) => Jnp.Zeros(a.Shape.IntSizes[..^2], DType.Int32);

    private static bool Uplo(Func<string, object?> attribute, string op) => attribute("uplo") switch
    {
        null or 76L => true,
        85L => false,
        var other => throw new ArgumentException($"{op}: uplo must be 'L' (76) or 'U' (85), got {other}"),
    };

    /// <summary>An integer list attribute with one value per dimension (1 each when absent).</summary>
    private static int[] WindowInts(Func<string, object?> attribute, string op, string name, int count) => attribute(name) switch
    {
        null => [.. Enumerable.Repeat(1, count)],
        long[] values when values.Length == count => [.. values.Select(v => checked((int)v))],
        var other => throw new ArgumentException($"{op}: {name} must list {count} integers, got {(other is long[] l ? string.Join(", ", l) : other)}"),
    };

    /// <summary>The padding attribute as one (low, high) pair per dimension (none when absent).</summary>
    private static (int Low, int High)[] WindowPadding(Func<string, object?> attribute, string op, int count) => attribute("padding") switch
    {
        null => new (int, int)[count],
        long[] values when values.Length == 2 * count => [.. Enumerable.Range(0, count).Select(i => (checked((int)values[2 * i]), checked((int)values[2 * i + 1])))],
        var other => throw new ArgumentException($"{op}: padding must hold a (low, high) pair per dimension ({count}), got {(other is long[] l ? string.Join(", ", l) : other)}"),
    };

    /// <summary>
    /// <paramref name="f"/> traced on parameters of <paramref name="types"/> as a closed function: concrete arrays it
    /// closed over become constants of a wrapper that calls it.
    /// </summary>
    private static Function Traced(string name, Func<Tensor[], Tensor[]> f, IReadOnlyList<ShapedType> types)
    {
        var traced = FunctionCalls.Trace(name, f, types);
        if (traced.Captured.Count == 0) return traced.Function;
        var block = new Block(types);
        var emitter = new Emitter(block);
        var constants = traced.Captured.Select(c => c.IsTracer
            ? throw new InvalidOperationException($"{name}: the composition used a value of an enclosing trace")
            : emitter.Constant(c.Buffer));
        var results = emitter.Emit(Prims.Call, [.. block.Arguments, .. constants], Attributes.Of(("callee", name)), [traced.Function.Body]);
        block.SetResults(results);
        return new Function(name, block);
    }
}
