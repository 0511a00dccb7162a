using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// XLA's <c>select_and_scatter</c> with an add scatter (JAX's <c>_select_and_scatter_add</c>: the transpose of max
/// pooling's JVP, so every JAX-exported gradient through max or min pooling holds one), composed: the operand's windows
/// gathered (<see cref="Windows(Tensor, int[], int[], int[], int[], int[], int[])"/>), the selected offset of each window found by <c>argmax</c>/<c>argmin</c>, and the
/// source added at the selected positions by one <c>scatter_add</c>.
/// </summary>
public static partial class Lax
{
    /// <summary>
    /// For each window of <paramref name="operand"/> (padded by <paramref name="padding"/>, whose elements are never
    /// selected unless a whole window is padding), the element the select comparison keeps (<c>GE</c>: the first
    /// maximum, <c>GT</c>: the last maximum, <c>LE</c>/<c>LT</c>: the first/last minimum) receives that window's
    /// <paramref name="source"/> value, added to <paramref name="initValue"/> and to the other windows' values there.
    /// A window's NaN is its maximum and minimum (the comparison's order would otherwise depend on the scan).
    /// </summary>
    internal static Tensor SelectAndScatterAdd(Tensor operand, Tensor source, Tensor initValue, string select, int[] window, int[] strides,
        IReadOnlyList<(int Low, int High)> padding)
    {
        ArgumentNullException.ThrowIfNull(operand);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(initValue);
        int rank = operand.Ndim;
        JaxTypeException Error(string problem) =>
            new("select_and_scatter", $"select_and_scatter of {operand.Aval.ToLongString()} and source {source.Aval.ToLongString()}: {problem}");
        if (select is not ("GE" or "GT" or "LE" or "LT"))
            throw Error($"the select comparison must be GE, GT, LE or LT, got {select}");
        if (source.DType != operand.DType || initValue.DType != operand.DType || initValue.Ndim != 0)
            throw Error($"the source and the init value ({initValue.Aval.ToLongString()}) need the operand's dtype, the init value a scalar");
        if (!operand.Shape.IsStatic || !source.Shape.IsStatic)
            throw Error("the operands need static shapes");
        if (window.Length != rank || strides.Length != rank || padding.Count != rank || source.Ndim != rank)
            throw Error($"window dimensions, strides, padding and the source need one entry per dimension ({rank})");
        if (window.Any(w => w < 1) || strides.Any(s => s < 1) || padding.Any(p => p.Low < 0 || p.High < 0))
            throw Error("window dimensions and strides must be positive, padding non-negative");
        bool greater = select is "GE" or "GT", firstWins = select is "GE" or "LE";
        var padded = Pad(operand, Extreme(operand.DType, lowest: greater), [.. padding.Select(p => p.Low)], [.. padding.Select(p => p.High)], new int[rank]);
        int[] all = [.. Enumerable.Range(0, rank)], ones = [.. Enumerable.Repeat(1, rank)];
        var positions = all.Select(d => WindowCount((int)padded.Shape[d].Size, window[d], 1, strides[d])).ToArray();
        if (!positions.Select(p => (long)p).SequenceEqual(source.Shape.Sizes))
            throw Error($"the windows have positions ({string.Join(", ", positions)}), the source is shaped ({string.Join(", ", source.Shape.Sizes)})");
        var result = BroadcastInDim(initValue, operand.Shape, []);
        if (source.Size == 0) return result;
        // [P..., K] -> the selected offset k of each window (last-wins comparisons search the reversed window).
        long count = window.Aggregate(1L, (a, b) => a * b);
        var windows = Reshape(Windows(padded, all, positions, window, strides, ones), Shape.Of([.. positions.Select(p => (long)p), count]));
        if (!firstWins) windows = Rev(windows, [rank]);
        var k = greater ? Argmax(windows, rank, DType.Int32) : Argmin(windows, rank, DType.Int32);
        if (!firstWins) k = (int)(count - 1) - k;
        // Its position in the padded operand, dimension by dimension: p * stride + (k / inner) % window.
        var positionShape = Shape.Of([.. positions.Select(p => (long)p), 1]);
        var coordinates = new Tensor[rank];
        long inner = count;
        var k1 = Reshape(k, positionShape);
        for (int d = 0; d < rank; d++)
        {
            inner /= window[d];
            coordinates[d] = Iota(DType.Int32, positionShape, d) * strides[d] + Jnp.Remainder(Jnp.FloorDivide(k1, Scalars.WeakInt(inner)), Scalars.WeakInt(window[d]));
        }
        var indices = rank == 1 ? coordinates[0] : Concatenate(coordinates, rank);
        var scattered = Scatter(Prims.ScatterAdd, BroadcastInDim(Zero(operand.DType), padded.Shape, []), indices, source, [], all, all, rank);
        var inside = Slice(scattered, [.. padding.Select(p => p.Low)], [.. all.Select(d => padding[d].Low + (int)operand.Shape[d].Size)]);
        return Add(result, inside);
    }

    /// <summary>The lowest (or highest) value of a dtype, exactly: -inf/+inf for floats, the integer bounds, false/true.</summary>
    private static Tensor Extreme(DType dtype, bool lowest)
    {
        var b = Buffer.Zeros(dtype, Shape.Scalar);
        if (dtype.IsFloat()) b.SetDouble(0, lowest ? double.NegativeInfinity : double.PositiveInfinity);
        else if (dtype == DType.Bool) b.SetInt64(0, lowest ? 0 : 1);
        else
        {
            var range = Jnp.Iinfo(dtype);
            b.SetInt64(0, lowest ? range.Min : unchecked((long)range.Max));
        }
        return new Tensor(b, false);
    }
}
