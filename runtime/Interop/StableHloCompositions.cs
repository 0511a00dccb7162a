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
/// are primitives) is <c>Lax.ScatterApply</c> with the region's function.
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
    }

    private static Function TriangularSolve(IReadOnlyList<ShapedType> operands, IReadOnlyList<DType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 2) throw new ArgumentException($"triangular_solve takes a and b, got {operands.Count} operands");
        bool left = attribute("left_side") is true, lower = attribute("lower") is true, unit = attribute("unit_diagonal") is true;
        string transpose = attribute("transpose_a") as string ?? "NO_TRANSPOSE";
        if (transpose is not ("NO_TRANSPOSE" or "TRANSPOSE" or "ADJOINT"))
            throw new ArgumentException($"triangular_solve: transpose_a {transpose} is none of NO_TRANSPOSE, TRANSPOSE, ADJOINT");
        return Traced("triangular_solve", a => [Lax.Linalg.TriangularSolve(a[0], a[1], left, lower, transpose != "NO_TRANSPOSE", unitDiagonal: unit)], operands);
    }

    private static Function Convolution(IReadOnlyList<ShapedType> operands, IReadOnlyList<DType> results, Func<string, object?> attribute)
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
        return Traced("convolution", a => [Lax.ConvolutionWithReversal(a[0], a[1], strides, pairs, lhsDilation, rhsDilation, reversal, dn, featureGroups, batchGroups, results[0])], operands);
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

    private static Function ReduceWindow(IReadOnlyList<ShapedType> operands, IReadOnlyList<DType> results, Func<string, object?> attribute)
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

    private static Function SelectAndScatter(IReadOnlyList<ShapedType> operands, IReadOnlyList<DType> results, Func<string, object?> attribute)
    {
        if (operands.Count != 3) throw new ArgumentException($"select_and_scatter takes an operand, a source and an init value, got {operands.Count} operands");
        int rank = operands[0].Rank;
        var select = attribute("$select") as string ?? throw new ArgumentException("select_and_scatter: no select comparison");
        var (window, strides, pairs) = (WindowInts(attribute, "select_and_scatter", "window_dimensions", rank), WindowInts(attribute, "select_and_scatter", "window_strides", rank),
            WindowPadding(attribute, "select_and_scatter", rank));
        return Traced("select_and_scatter", a => [Lax.SelectAndScatterAdd(a[0], a[1], a[2], select, window, strides, pairs)], operands);
    }

    private static Function Scatter(IReadOnlyList<ShapedType> operands, IReadOnlyList<DType> results, Func<string, object?> attribute)
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
