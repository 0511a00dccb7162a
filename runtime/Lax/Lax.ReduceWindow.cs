using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// JAX's <c>lax.reduce_window</c> (pooling). No primitive of its own: the operand is padded with the init value
/// (edges and base dilation), and a monoid computation (add, multiply, max, min, and, or: recognised by tracing the
/// computation once on two scalars) reduces the gathered windows with our reduce primitive (see
/// <see cref="Windows(Tensor, int[], int[], int[], int[], int[], int[])"/>); any other computation is folded over the window's strided slices in order.
/// </summary>
public static partial class Lax
{
    /// <summary>
    /// JAX's <c>lax.reduce_window</c>: reduces every window of <paramref name="operand"/> (one window size, stride and
    /// dilation per dimension) with <paramref name="computation"/>, starting from <paramref name="initValue"/> (a scalar
    /// of the operand's dtype, which also fills the padding and the base dilation's holes). Max-pooling is
    /// <c>ReduceWindow(x, -inf, Lax.Max, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")</c>.
    /// </summary>
    public static Tensor ReduceWindow(Tensor operand, Tensor initValue, Func<Tensor, Tensor, Tensor> computation, int[] windowDimensions,
        int[]? windowStrides, IReadOnlyList<(int Low, int High)> padding, int[]? baseDilation = null, int[]? windowDilation = null)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var w = WindowReduction.Check(operand, initValue, computation, windowDimensions, windowStrides, baseDilation, windowDilation);
        if (padding.Count != operand.Ndim)
            throw w.Error($"padding has {padding.Count} (low, high) pairs for rank {operand.Ndim}");
        return w.Run(padding, MonoidOf(computation, operand.DType));
    }

    /// <summary>
    /// <see cref="ReduceWindow(Tensor, Tensor, Func{Tensor, Tensor, Tensor}, int[], int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[])"/>
    /// with padding by name (<c>"VALID"</c>, <c>"SAME"</c>, <c>"SAME_LOWER"</c>), computed on the base-dilated operand.
    /// </summary>
    public static Tensor ReduceWindow(Tensor operand, Tensor initValue, Func<Tensor, Tensor, Tensor> computation, int[] windowDimensions,
        int[]? windowStrides, string padding, int[]? baseDilation = null, int[]? windowDilation = null)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var w = WindowReduction.Check(operand, initValue, computation, windowDimensions, windowStrides, baseDilation, windowDilation);
        var pads = new (int, int)[operand.Ndim];
        for (int d = 0; d < pads.Length; d++)
        {
            pads[d] = NamedPadding(padding, (int)DilatedSize(operand.Shape[d].Size, w.BaseDilation[d]),
                (w.Window[d] - 1) * w.WindowDilation[d] + 1, w.Strides[d], w.Error);
        }
        return w.Run(pads, MonoidOf(computation, operand.DType));
    }

    /// <summary>
    /// The reduce primitive of a computation that is one add, multiply, max, min, and or or of its two scalar
    /// arguments (found by tracing it once), or null.
    /// </summary>
    private static Primitive? MonoidOf(Func<Tensor, Tensor, Tensor> computation, DType dtype)
    {
        var scalar = new ShapedType(dtype, Shape.Scalar);
        TracedFunction traced;
        try
        {
            traced = FunctionCalls.Trace("reduce_window_computation", a => [computation(a[0], a[1])], [scalar, scalar]);
        }
        catch (JaxTypeException)
        {
            return null;
        }
        var body = traced.Function.Body;
        if (traced.Captured.Count != 0 || body.Operations.Count != 1 || body.Results.Count != 1) return null;
        var op = body.Operations[0];
        if (op.Results.Count != 1 || body.Results[0] != op.Results[0] || op.Operands.Count != 2
            || !op.Operands.All(body.Arguments.Contains) || op.Operands[0] == op.Operands[1])
            return null;
        return MonoidReduction(op.Primitive);
    }

    /// <summary>The reduction of a combining primitive (add → reduce_sum, ...), or null.</summary>
    internal static Primitive? MonoidReduction(Primitive combine) =>
        combine == Prims.Add ? Prims.ReduceSum
        : combine == Prims.Mul ? Prims.ReduceProd
        : combine == Prims.Max ? Prims.ReduceMax
        : combine == Prims.Min ? Prims.ReduceMin
        : combine == Prims.And ? Prims.ReduceAnd
        : combine == Prims.Or ? Prims.ReduceOr
        : null;

    /// <summary>One checked reduce_window.</summary>
    internal sealed class WindowReduction
    {
        public required Tensor Operand { get; init; }
        public required Tensor Init { get; init; }
        public required Func<Tensor, Tensor, Tensor> Computation { get; init; }
        public required int[] Window { get; init; }
        public required int[] Strides { get; init; }
        public required int[] BaseDilation { get; init; }
        public required int[] WindowDilation { get; init; }
        public required string? Location { get; init; }

        public JaxTypeException Error(string problem) =>
            new("reduce_window", $"reduce_window of {Operand.Aval.ToLongString()}: {problem}{Dispatch.At(Location)}");

        public static WindowReduction Check(Tensor operand, Tensor initValue, Func<Tensor, Tensor, Tensor> computation, int[] windowDimensions,
            int[]? windowStrides, int[]? baseDilation, int[]? windowDilation)
        {
            ArgumentNullException.ThrowIfNull(operand);
            ArgumentNullException.ThrowIfNull(initValue);
            ArgumentNullException.ThrowIfNull(computation);
            ArgumentNullException.ThrowIfNull(windowDimensions);
            int rank = operand.Ndim;
            int[] ones = [.. Enumerable.Repeat(1, rank)];
            var w = new WindowReduction
            {
                Operand = operand,
                Init = initValue,
                Computation = computation,
                Window = windowDimensions,
                Strides = windowStrides ?? ones,
                BaseDilation = baseDilation ?? ones,
                WindowDilation = windowDilation ?? ones,
                Location = SourceLocation.FindCaller(),
            };
            if (initValue.Ndim != 0 || initValue.DType != operand.DType)
                throw w.Error($"the init value must be a scalar of the operand's dtype, got {initValue.Aval.ToLongString()}");
            if (!operand.Shape.IsStatic)
                throw w.Error("the operand needs a static shape");
            if (w.Window.Length != rank || w.Strides.Length != rank || w.BaseDilation.Length != rank || w.WindowDilation.Length != rank)
                throw w.Error($"window dimensions ({w.Window.Length}), strides ({w.Strides.Length}) and dilations ({w.BaseDilation.Length}, {w.WindowDilation.Length}) need one value per dimension ({rank})");
            if (w.Window.Any(v => v < 0) || w.Strides.Any(v => v < 1) || w.BaseDilation.Any(v => v < 1) || w.WindowDilation.Any(v => v < 1))
                throw w.Error($"window dimensions ({string.Join(", ", w.Window)}) must be non-negative, strides ({string.Join(", ", w.Strides)}) and dilations positive");
            return w;
        }

        /// <summary>The reduction with explicit padding: by <paramref name="monoid"/> over gathered windows, else a fold.</summary>
        public Tensor Run(IReadOnlyList<(int Low, int High)> padding, Primitive? monoid)
        {
            int rank = Operand.Ndim;
            var x = Operand;
            int[] low = [.. padding.Select(p => p.Low)], high = [.. padding.Select(p => p.High)], interior = [.. BaseDilation.Select(d => d - 1)];
            for (int d = 0; d < rank; d++)
                if (DilatedSize(Operand.Shape[d].Size, BaseDilation[d]) + low[d] + high[d] < 0)
                    throw Error($"padding ({low[d]}, {high[d]}) crops dimension {d} below zero");
            if (low.Any(v => v != 0) || high.Any(v => v != 0) || interior.Any(v => v != 0))
                x = Pad(x, Init, low, high, interior);
            var positions = Enumerable.Range(0, rank).Select(d => WindowCount((int)x.Shape[d].Size, Window[d], WindowDilation[d], Strides[d])).ToArray();
            var init = BroadcastInDim(Init, Shape.Of([.. positions.Select(p => (long)p)]), []);
            if (positions.Any(p => p == 0) || x.Size == 0)
                return init;
            if (monoid is null) return Fold(x, positions, init);
            if (Enumerable.Range(0, rank).All(d => Window[d] == 1 ? Strides[d] == 1 : Strides[d] == Window[d] && WindowDilation[d] == 1))
                return Computation(init, Tiles(x, positions, monoid));
            // Windowed dimensions gather; the others (window 1, stride 1) stay whole.
            int[] axes = [.. Enumerable.Range(0, rank).Where(d => Window[d] != 1 || Strides[d] != 1)];
            int m = axes.Length;
            Tensor reduced = x;
            if (m > 0)
            {
                // [others..., P (axes)..., K (axes)...]: the window offsets last, reduced as trailing dimensions.
                var others = Enumerable.Range(0, rank).Where(d => !axes.Contains(d)).ToList();
                var patches = Windows(x, axes, [.. axes.Select(d => positions[d])], [.. axes.Select(d => Window[d])],
                    [.. axes.Select(d => Strides[d])], [.. axes.Select(d => WindowDilation[d])], [.. Enumerable.Range(0, others.Count)]);
                reduced = Reduce(monoid, patches, [.. Enumerable.Range(rank, m)]);
                // Back to the operand's order.
                var permutation = Enumerable.Range(0, rank).Select(d => Array.IndexOf(axes, d) is var i and >= 0 ? others.Count + i : others.IndexOf(d)).ToArray();
                reduced = Jnp.Transpose(reduced, permutation);
            }
            return Computation(init, reduced);
        }

        /// <summary>
        /// Windows that tile the operand (stride = window, no dilation: pooling's usual case): the operand cut to whole
        /// tiles, each dimension split into (tiles, window) by a reshape, and the window dimensions reduced: no gather.
        /// </summary>
        private Tensor Tiles(Tensor x, int[] positions, Primitive monoid)
        {
            int rank = x.Ndim;
            int[] used = [.. Enumerable.Range(0, rank).Select(d => positions[d] * Window[d])];
            if (Enumerable.Range(0, rank).Any(d => used[d] != x.Shape[d].Size)) x = Slice(x, new int[rank], used);
            var split = Shape.Of([.. Enumerable.Range(0, rank).SelectMany(d => new long[] { positions[d], Window[d] })]);
            return Reduce(monoid, Reshape(x, split), [.. Enumerable.Range(0, rank).Select(d => 2 * d + 1)]);
        }

        /// <summary>Any computation: <paramref name="acc"/> (the init value), then each window offset's strided slice, combined in order.</summary>
        private Tensor Fold(Tensor x, int[] positions, Tensor acc)
        {
            int rank = x.Ndim;
            var offset = new int[rank];
            long count = Window.Aggregate(1L, (a, b) => a * b);
            for (long k = 0; k < count; k++)
            {
                long rest = k;
                for (int d = rank - 1; d >= 0; d--)
                {
                    offset[d] = (int)(rest % Window[d]);
                    rest /= Window[d];
                }
                int[] start = [.. Enumerable.Range(0, rank).Select(d => offset[d] * WindowDilation[d])];
                int[] limit = [.. Enumerable.Range(0, rank).Select(d => start[d] + (positions[d] - 1) * Strides[d] + 1)];
                acc = Computation(acc, Slice(x, start, limit, Strides));
            }
            return acc;
        }
    }
}
