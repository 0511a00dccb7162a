using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    private static readonly string[] PadModes = ["constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum", "minimum", "mean", "empty"];

    /// <summary><see cref="Pad(Tensor, ValueTuple{int, int}[], string, Tensor?, string, Tensor?, int?)"/> with the same width everywhere.</summary>
    public static Tensor Pad(Tensor array, int padWidth, string mode = "constant", Tensor? constantValues = null, string reflectType = "even", Tensor? endValues = null, int? statLength = null)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(reflectType);
        ArgumentNullException.ThrowIfNull(array);
        return Pad(array, [.. Enumerable.Repeat((padWidth, padWidth), array.Ndim)], mode, constantValues, reflectType, endValues, statLength);
    }

    /// <summary><see cref="Pad(Tensor, ValueTuple{int, int}[], string, Tensor?, string, Tensor?, int?)"/> with the same (before, after) widths on every axis.</summary>
    public static Tensor Pad(Tensor array, (int Before, int After) padWidth, string mode = "constant", Tensor? constantValues = null, string reflectType = "even", Tensor? endValues = null, int? statLength = null)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(reflectType);
        ArgumentNullException.ThrowIfNull(array);
        return Pad(array, [.. Enumerable.Repeat(padWidth, array.Ndim)], mode, constantValues, reflectType, endValues, statLength);
    }

    /// <summary>
    /// The array padded by (before, after) elements per axis, in NumPy's modes: "constant" (<paramref name="constantValues"/>,
    /// default 0: a scalar, (before, after), or one pair per axis as an (ndim, 2) array), "edge", "reflect" and
    /// "symmetric" (mirrored without and with the edge; <paramref name="reflectType"/> "odd" reflects the values about
    /// the edge), "wrap", "linear_ramp" (to <paramref name="endValues"/>, shaped as constant values), "maximum",
    /// "minimum", "mean" (over the <paramref name="statLength"/> elements nearest each edge, default all; means of
    /// integers round half to even), and "empty" (zeros, as JAX). Axes are padded in order, each from the array padded
    /// so far, as NumPy does. Composed of slices, reversals, pads and concatenations, so it is differentiable.
    /// </summary>
    public static Tensor Pad(Tensor array, (int Before, int After)[] padWidth, string mode = "constant", Tensor? constantValues = null, string reflectType = "even", Tensor? endValues = null, int? statLength = null)
    {
        ArgumentNullException.ThrowIfNull(reflectType);
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(padWidth);
        ArgumentNullException.ThrowIfNull(mode);
        int nd = array.Ndim;
        if (padWidth.Length == 1 && nd != 1) padWidth = [.. Enumerable.Repeat(padWidth[0], nd)];
        if (padWidth.Length != nd)
            throw BreadthError("pad", $"pad_width has {padWidth.Length} (before, after) pairs but the array {array.Aval.ToLongString()} has {nd} dimensions");
        if (padWidth.Any(w => w.Before < 0 || w.After < 0))
            throw BreadthError("pad", $"index can't contain negative values: pad_width ({string.Join(", ", padWidth.Select(w => $"({w.Before}, {w.After})"))})");
        if (!PadModes.Contains(mode))
            throw BreadthError("pad", $"Unimplemented padding mode '{mode}' for np.pad; the modes are {string.Join(", ", PadModes)}");
        if (reflectType is not ("even" or "odd"))
            throw BreadthError("pad", $"reflect_type must be 'even' or 'odd', got '{reflectType}'");
        if (constantValues is not null && mode != "constant") throw BreadthError("pad", $"unsupported keyword argument for mode '{mode}': constant_values");
        if (endValues is not null && mode != "linear_ramp") throw BreadthError("pad", $"unsupported keyword argument for mode '{mode}': end_values");
        if (statLength is not null && mode is not ("maximum" or "minimum" or "mean"))
            throw BreadthError("pad", $"unsupported keyword argument for mode '{mode}': stat_length");
        if (statLength <= 0) throw BreadthError("pad", $"stat_length must be positive, got {statLength}");
        if (mode is not ("constant" or "empty"))
            for (int i = 0; i < nd; i++)
                if (array.Shape[i].Size == 0 && (padWidth[i].Before > 0 || padWidth[i].After > 0))
                    throw BreadthError("pad", $"can't extend empty axis {i} of {array.Aval.ToLongString()} using modes other than 'constant' or 'empty'");
        return mode switch
        {
            "constant" => PadConstant(array, padWidth, PerAxisPairs("constant_values", array, constantValues ?? Scalars.WeakInt(0))),
            "empty" => PadConstant(array, padWidth, PerAxisPairs("constant_values", array, Scalars.WeakInt(0))),
            "edge" => PadEachAxis(array, padWidth, (x, i, before, after) =>
                Concatenate([Repeat(SliceAlong(x, i, 0, 1), before, i), x, Repeat(SliceAlong(x, i, (int)x.Shape[i].Size - 1, (int)x.Shape[i].Size), after, i)], i)),
            "wrap" => PadEachAxis(array, padWidth, PadWrap),
            "reflect" or "symmetric" => PadEachAxis(array, padWidth, (x, i, before, after) =>
            {
                int size = (int)x.Shape[i].Size;
                var front = PadReflect(x, i, size, before, mode == "reflect", reflectType == "odd", atStart: true);
                return PadReflect(front, i, size, after, mode == "reflect", reflectType == "odd", atStart: false);
            }),
            "linear_ramp" => PadLinearRamp(array, padWidth, PerAxisPairs("end_values", array, endValues ?? Scalars.WeakInt(0))),
            _ => PadEachAxis(array, padWidth, (x, i, before, after) => PadStatistic(x, i, before, after, mode, statLength)),
        };
    }

    /// <summary>Values for each axis' (before, after) sides: a scalar, a pair, or an (ndim, 2) array, broadcast to (ndim, 2) in the array's dtype.</summary>
    private static Tensor PerAxisPairs(string what, Tensor array, Tensor values)
    {
        var shape = Shape.Of(array.Ndim, 2);
        if (TryBroadcastShapes([values.Shape, shape]) != shape)
            throw BreadthError("pad", $"{what} {values.Aval.ToLongString()} must be a scalar, a (before, after) pair, or one pair per axis ({shape.ToTupleString()})");
        return BroadcastToShape(Cast(values, array.DType, array.WeakType), shape);
    }

    private static Tensor Pair(Tensor pairs, int axis, int side) => Reshape(Lax.Slice(pairs, [axis, side], [axis + 1, side + 1]), []);

    private static Tensor PadConstant(Tensor array, (int Before, int After)[] padWidth, Tensor pairs)
    {
        int nd = array.Ndim;
        if (nd == 0) return array;
        for (int i = 0; i < nd; i++)
        {
            var (before, after) = padWidth[i];
            if (before == 0 && after == 0) continue;
            var low = new int[nd];
            var high = new int[nd];
            low[i] = before;
            array = Lax.Pad(array, Pair(pairs, i, 0), low, high, new int[nd]);
            low[i] = 0;
            high[i] = after;
            array = Lax.Pad(array, Pair(pairs, i, 1), low, high, new int[nd]);
        }
        return array;
    }

    private static Tensor PadEachAxis(Tensor array, (int Before, int After)[] padWidth, Func<Tensor, int, int, int, Tensor> pad)
    {
        for (int i = 0; i < array.Ndim; i++)
            if (padWidth[i].Before > 0 || padWidth[i].After > 0) array = pad(array, i, padWidth[i].Before, padWidth[i].After);
        return array;
    }

    private static Tensor PadWrap(Tensor x, int axis, int before, int after)
    {
        int size = (int)x.Shape[axis].Size;
        var parts = new List<Tensor>();
        if (before % size > 0) parts.Add(SliceAlong(x, axis, size - before % size, size));
        parts.AddRange(Enumerable.Repeat(x, before / size + after / size + 1));
        if (after % size > 0) parts.Add(SliceAlong(x, axis, 0, after % size));
        return Lax.Concatenate(parts, axis);
    }

    /// <summary>
    /// One side of reflect/symmetric padding, as JAX builds it: mirrored slices of the array padded so far, at most
    /// the axis' original size (<paramref name="axisSize"/>) at a time; "odd" reflects values about the edge (2 edge - x).
    /// </summary>
    private static Tensor PadReflect(Tensor x, int axis, int axisSize, int padding, bool reflect, bool odd, bool atStart)
    {
        int offset = reflect && axisSize > 1 ? 1 : 0;
        Tensor Edge(Tensor t) => atStart ? SliceAlong(t, axis, 0, 1) : SliceAlong(t, axis, (int)t.Shape[axis].Size - 1, (int)t.Shape[axis].Size);
        var edge = Edge(x);
        while (padding > 0)
        {
            int current = Math.Min(padding, axisSize - offset);
            padding -= current;
            int n = (int)x.Shape[axis].Size;
            var part = atStart
                ? SliceAlong(x, axis, offset, offset + current)
                : SliceAlong(x, axis, n - current - offset, n - offset);
            part = Lax.Rev(part, [axis]);
            if (odd)
            {
                part = Subtract(Multiply(edge, 2), part);
                if (axisSize > 1) edge = Edge(part);
            }
            x = Lax.Concatenate(atStart ? [part, x] : [x, part], axis);
        }
        return x;
    }

    private static Tensor PadLinearRamp(Tensor array, (int Before, int After)[] padWidth, Tensor pairs)
    {
        for (int i = 0; i < array.Ndim; i++)
        {
            var (before, after) = padWidth[i];
            if (before == 0 && after == 0) continue;
            int n = (int)array.Shape[i].Size;
            var start = Ramp(Pair(pairs, i, 0), SliceAlong(array, i, 0, 1), before, i);
            var end = Lax.Rev(Ramp(Pair(pairs, i, 1), SliceAlong(array, i, n - 1, n), after, i), [i]);
            array = Lax.Concatenate([start, array, end], i);
        }
        return array;
    }

    /// <summary>
    /// <paramref name="num"/> values from <paramref name="from"/> toward the edge slice (excluded) along an axis, as
    /// <c>linspace(from, edge, num, endpoint=False)</c> computed in a float dtype (integers are floored back).
    /// </summary>
    private static Tensor Ramp(Tensor from, Tensor edge, int num, int axis)
    {
        var shape = edge.Shape.IntSizes;
        shape[axis] = num;
        var compute = edge.DType.IsFloat() ? edge.DType : Jax.Config.DefaultFloat;
        var fraction = Divide(Lax.Iota(compute, Shape.Of(shape), axis), Cast(Scalars.WeakInt(Math.Max(num, 1)), compute));
        var lo = Cast(from, compute, from.WeakType);
        var hi = Cast(edge, compute, edge.WeakType);
        var ramp = Add(Multiply(lo, Subtract(1, fraction)), Multiply(hi, fraction));
        return Cast(edge.DType.IsFloat() ? ramp : Floor(ramp), edge.DType, edge.WeakType);
    }

    private static Tensor PadStatistic(Tensor x, int axis, int before, int after, string mode, int? statLength)
    {
        int n = (int)x.Shape[axis].Size;
        int length = Math.Min(statLength ?? n, n);
        Tensor Statistic(Tensor part)
        {
            var s = mode switch
            {
                "maximum" => Max(part, axis, keepdims: true),
                "minimum" => Min(part, axis, keepdims: true),
                _ => Mean(part, axis, keepdims: true),
            };
            if (x.DType.IsFloat() || mode != "mean") return Cast(s, x.DType, x.WeakType);
            return Cast(Round(s), x.DType, x.WeakType);
        }
        var first = Statistic(SliceAlong(x, axis, 0, length));
        var last = Statistic(SliceAlong(x, axis, n - length, n));
        return Lax.Concatenate([Repeat(first, before, axis), x, Repeat(last, after, axis)], axis);
    }
}
