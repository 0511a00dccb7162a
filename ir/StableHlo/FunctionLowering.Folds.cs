namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Reductions whose body is none of our <c>reduce_*</c> primitives (several inputs, as in <c>lax.reduce</c> over tuples
/// or the variadic <c>reduce_window</c> of JAX's <c>_select_and_gather_add</c>, the forward-mode derivative of max
/// pooling; or one input with any other body): the body, lowered on scalars and batched like <c>map</c>'s, combines
/// adjacent elements level by level (about log2 n levels for n reduced elements), and once more with the init values.
/// StableHLO leaves the schedule open (any full binary tree whose in-order traversal is the inputs in index order, with
/// init values anywhere); this is one such tree, with the init values once, at the front.
/// </summary>
internal sealed partial class FunctionLowering
{
    /// <summary>Window positions beyond which a reduce_window with a body of its own is refused (each position is one slice).</summary>
    private const long MaxFoldedWindow = 4096;

    /// <summary><c>reduce</c> of any body and any number of inputs: each reduced axis folded by the body, last first, then the init values combined.</summary>
    private IReadOnlyList<object> LowerReduceByBody()
    {
        var (region, xs, inits) = FoldOperands();
        var axes = Ints(RequiredAttr("dimensions")).Select(a => (int)a).Order().ToArray();
        foreach (var a in axes)
            if (a < 0 || a >= xs[0].Type.Rank) throw Invalid($"reduce dimension {a} is out of range for {xs[0].Type}");
        var kept = new Shape(Enumerable.Range(0, xs[0].Type.Rank).Where(d => !axes.Contains(d)).Select(d => xs[0].Type.Shape[d]));
        if (axes.Any(a => xs[0].Type.Shape[a].Size == 0))
            return inits.Select(i => (object)_e.BroadcastInDim(i, kept, [])).ToArray();
        for (int k = axes.Length - 1; k >= 0; k--)
            xs = FoldAxis(region, xs, axes[k]);
        xs = xs.Select(x => _e.Reshape(x, kept)).ToArray();
        return CombineWithInit(region, xs, inits);
    }

    /// <summary>
    /// <c>reduce_window</c> of any body and any number of inputs: each input padded with its init value (edge padding
    /// and base dilation), the window's positions sliced out (one strided slice each) and stacked on a new last axis,
    /// that axis folded by the body, then the init values combined.
    /// </summary>
    private IReadOnlyList<object> LowerReduceWindowByBody()
    {
        var (region, xs, inits) = FoldOperands();
        int n = xs.Length;
        int rank = xs[0].Type.Rank;
        var (window, strides, baseDilations, windowDilations, padding) = WindowAttributes(rank);
        if (window.Length != rank || strides.Length != rank || baseDilations.Length != rank || windowDilations.Length != rank || padding.Length != 2 * rank)
            throw Invalid($"reduce_window's window attributes must have one entry per dimension of {xs[0].Type} (padding two)");
        if (window.Any(w => w < 1) || strides.Any(s => s < 1) || baseDilations.Any(s => s < 1) || windowDilations.Any(s => s < 1))
            throw Invalid("reduce_window's window dimensions, strides and dilations must be positive");
        long positions = window.Aggregate(1L, (p, w) => p * w);
        if (positions > MaxFoldedWindow)
            throw Unsupported($"op not in our primitive set: stablehlo.reduce_window with a body other than one reduce op over {positions} window positions (at most {MaxFoldedWindow} are unrolled)");
        var low = Enumerable.Range(0, rank).Select(d => padding[2 * d]).ToArray();
        var high = Enumerable.Range(0, rank).Select(d => padding[2 * d + 1]).ToArray();
        var interior = baseDilations.Select(b => b - 1).ToArray();
        var padded = xs.Select((x, k) => _e.Pad(x, inits[k], low, high, interior)).ToArray();
        var sizes = padded[0].Type.Shape.Sizes;
        var outSizes = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            long span = (window[d] - 1) * windowDilations[d] + 1;
            outSizes[d] = sizes[d] < span ? 0 : (sizes[d] - span) / strides[d] + 1;
        }
        var outShape = Shape.Of(outSizes);
        if (outSizes.Contains(0)) return inits.Select(i => (object)_e.BroadcastInDim(i, outShape, [])).ToArray();
        var stacked = new List<Value>[n];
        for (int k = 0; k < n; k++) stacked[k] = [];
        var offset = new long[rank];
        for (long p = 0; p < positions; p++)
        {
            // The window position p in row-major order: the index order of the window's elements.
            for (long rest = p, d = rank - 1; d >= 0; d--)
            {
                offset[d] = rest % window[d];
                rest /= window[d];
            }
            var start = offset.Select((o, d) => o * windowDilations[d]).ToArray();
            var limit = start.Select((s, d) => s + (outSizes[d] - 1) * strides[d] + 1).ToArray();
            for (int k = 0; k < n; k++)
                stacked[k].Add(_e.ExpandDims(_e.Slice(padded[k], start, limit, strides), [rank]));
        }
        var folded = FoldAxis(region, stacked.Select(s => _e.Concatenate(s, rank)).ToArray(), rank);
        return CombineWithInit(region, folded.Select(x => _e.Reshape(x, outShape)).ToArray(), inits);
    }

    /// <summary>The op's body, inputs and init values: the inputs share one static shape, each init value is a scalar of its input's dtype.</summary>
    private (MlirRegion Region, Value[] Xs, Value[] Inits) FoldOperands()
    {
        int n = _op.Operands.Count / 2;
        if (n == 0 || _op.Operands.Count != 2 * n) throw Invalid($"{_op.Name} takes inputs and as many init values");
        var region = _op.Regions.Count == 1 ? _op.Regions[0] : throw Invalid($"{_op.Name} needs one body region");
        var operands = Operands();
        var (xs, inits) = (operands[..n], operands[n..]);
        if (region.Arguments.Count != 2 * xs.Length)
            throw Invalid($"the body takes {region.Arguments.Count} arguments, {_op.Name} of {xs.Length} inputs passes {2 * xs.Length}");
        for (int k = 0; k < xs.Length; k++)
        {
            if (!xs[k].Type.Shape.IsStatic)
                throw Unsupported($"op not in our primitive set: {_op.Name} with a body other than one reduce op over the dynamic shape {xs[k].Type}");
            if (xs[k].Type.Shape != xs[0].Type.Shape) throw Invalid($"the inputs' shapes differ: {xs[0].Type} and {xs[k].Type}");
            if (inits[k].Type.Rank != 0 || inits[k].Type.DType != xs[k].Type.DType)
                throw Invalid($"init value {k} is {inits[k].Type}; it must be a 0-d tensor of input {k}'s element type ({xs[k].Type.DType})");
        }
        return (region, xs, inits);
    }

    /// <summary>Folds one axis of the inputs (all of one shape) to length 1: adjacent pairs combined by the body, an odd last element carried to the next level.</summary>
    private Value[] FoldAxis(MlirRegion region, Value[] xs, int axis)
    {
        var sizes = xs[0].Type.Shape.Sizes;
        long length = sizes[axis];
        while (length > 1)
        {
            long pairs = length / 2;
            // Every other element along the axis from `first`, `count` of them (the full extent elsewhere).
            Value Take(Value x, long first, long count, long stride)
            {
                var start = new long[sizes.Length];
                var limit = (long[])sizes.Clone();
                var step = Enumerable.Repeat(1L, sizes.Length).ToArray();
                start[axis] = first;
                limit[axis] = first + (count - 1) * stride + 1;
                step[axis] = stride;
                return _e.Slice(x, start, limit, step);
            }
            var left = xs.Select(x => Take(x, 0, pairs, 2));
            var right = xs.Select(x => Take(x, 1, pairs, 2));
            var combined = ApplyScalarRegion(region, [.. left, .. right], $"{RegionFunctionName()}_fold");
            xs = length % 2 == 0 ? [.. combined]
                : [.. combined.Select((c, k) => _e.Concatenate([c, Take(xs[k], length - 1, 1, 1)], axis))];
            length = pairs + length % 2;
            sizes[axis] = length;
        }
        return xs;
    }

    /// <summary>The body once more, with the init values (broadcast) first: StableHLO's init value is part of every reduction.</summary>
    private IReadOnlyList<object> CombineWithInit(MlirRegion region, Value[] folded, Value[] inits)
    {
        var shape = folded[0].Type.Shape;
        var broadcast = inits.Select(i => _e.BroadcastInDim(i, shape, [])).ToArray();
        return [.. ApplyScalarRegion(region, [.. broadcast, .. folded], $"{RegionFunctionName()}_init")];
    }

    private string RegionFunctionName() => _op.Name.Replace("stablehlo.", "", StringComparison.Ordinal) + "_body";

    /// <summary>
    /// A region computing on 0-d tensors applied at every index of its operands (all of one shape): lowered on
    /// scalars and batched by the vmap pass once per axis, innermost first, so any region works; our <c>call</c> of
    /// the batched body, the region's captures unbatched.
    /// </summary>
    private IReadOnlyList<Value> ApplyScalarRegion(MlirRegion region, IReadOnlyList<Value> operands, string name)
    {
        var shape = operands[0].Type.Shape;
        var captures = FreeNames([region]);
        var body = LowerClosedRegion(region, captures, operands.Select(o => ShapedType.Scalar(o.Type.DType)).ToArray());
        if (body.Results.Any(r => r.Type.Rank != 0)) throw Invalid($"the {_op.Name} region must return 0-d tensors");
        var function = new Function(name, body);
        int?[] inAxes = [.. captures.Select(_ => (int?)null), .. operands.Select(_ => (int?)0)];
        int?[] outAxes = [.. body.Results.Select(_ => (int?)0)];
        for (int axis = shape.Rank - 1; axis >= 0; axis--)
            function = VmapPass.Apply(function, inAxes, outAxes, shape[axis], name);
        return _e.Emit(Prims.Call, [.. captures.Select(Value), .. operands], Attributes.Of(("callee", name)), [function.Body]);
    }
}
