using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// JAX's convolutions (<c>lax.conv_general_dilated</c> and the functions over it). There is no convolution
/// primitive: a convolution is composed of primitives every backend and transformation already has. The input is
/// padded (edges and lhs dilation: <c>pad</c>), its windows are gathered in one <c>gather</c> whose indices are
/// computed from iotas (<c>out * stride + k * rhs_dilation</c>: im2col), and they are contracted with the kernel in
/// one <c>dot_general</c> (feature or batch groups as its batch dimension). Gradients, <c>vmap</c>, the LLVM and
/// Vulkan backends and StableHLO export follow from those primitives' rules. The window copy costs memory
/// (output positions x window size x input features); a direct convolution kernel does not exist yet. Shapes are
/// static but for the input's batch, which may be symbolic (then without groups).
/// </summary>
public static partial class Lax
{
    /// <summary>
    /// JAX's <c>lax.conv_general_dilated</c>: an N-d convolution (cross-correlation, as in deep learning) with
    /// window strides, explicit (low, high) padding per spatial dimension (negative crops), input dilation
    /// (<paramref name="lhsDilation"/>: transposed convolution), kernel dilation (<paramref name="rhsDilation"/>:
    /// atrous), dimension numbers (default NCHW / OIHW / NCHW), feature groups (grouped and depthwise convolution) and
    /// batch groups. The operands have the same dtype (not bool); <paramref name="preferredElementType"/> widens both
    /// before the products (int8 inputs to an int32 result).
    /// </summary>
    public static Tensor ConvGeneralDilated(Tensor lhs, Tensor rhs, int[] windowStrides, IReadOnlyList<(int Low, int High)> padding,
        int[]? lhsDilation = null, int[]? rhsDilation = null, ConvDimensionNumbers? dimensionNumbers = null,
        int featureGroupCount = 1, int batchGroupCount = 1, DType? preferredElementType = null)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var conv = Convolution.Check(lhs, rhs, windowStrides, lhsDilation, rhsDilation, dimensionNumbers, featureGroupCount, batchGroupCount, preferredElementType);
        if (padding.Count != conv.Spatial)
            throw conv.Error($"padding has {padding.Count} (low, high) pairs for {conv.Spatial} spatial dimensions");
        return conv.Run(padding, reversal: null);
    }

    /// <summary>
    /// <see cref="ConvGeneralDilated(Tensor, Tensor, int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[], ConvDimensionNumbers, int, int, DType?)"/>
    /// with padding by name: <c>"VALID"</c> (none), <c>"SAME"</c> (the output has ceil(input / stride) positions, the extra
    /// padding after), <c>"SAME_LOWER"</c> (the extra padding before). As in JAX, a named padding cannot be combined with
    /// input dilation (use <see cref="ConvTranspose(Tensor, Tensor, int[], string, int[], ConvDimensionNumbers, bool, DType?)"/>).
    /// </summary>
    public static Tensor ConvGeneralDilated(Tensor lhs, Tensor rhs, int[] windowStrides, string padding,
        int[]? lhsDilation = null, int[]? rhsDilation = null, ConvDimensionNumbers? dimensionNumbers = null,
        int featureGroupCount = 1, int batchGroupCount = 1, DType? preferredElementType = null)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var conv = Convolution.Check(lhs, rhs, windowStrides, lhsDilation, rhsDilation, dimensionNumbers, featureGroupCount, batchGroupCount, preferredElementType);
        if (conv.LhsDilation.Any(d => d != 1))
            throw conv.Error($"padding \"{padding}\" cannot be combined with lhs dilation ({string.Join(", ", conv.LhsDilation)}): give explicit (low, high) pairs or use conv_transpose");
        var pads = new (int, int)[conv.Spatial];
        for (int i = 0; i < conv.Spatial; i++)
            pads[i] = NamedPadding(padding, conv.InputSize(i), conv.DilatedKernelSize(i), conv.Strides[i], conv.Error);
        return conv.Run(pads, reversal: null);
    }

    /// <summary>
    /// StableHLO's <c>convolution</c>: <see cref="ConvGeneralDilated(Tensor, Tensor, int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[], ConvDimensionNumbers, int, int, DType?)"/>
    /// with the kernel's spatial dimensions flipped where <paramref name="reversal"/> says (its <c>window_reversal</c>).
    /// </summary>
    internal static Tensor ConvolutionWithReversal(Tensor lhs, Tensor rhs, int[] windowStrides, IReadOnlyList<(int Low, int High)> padding,
        int[]? lhsDilation, int[]? rhsDilation, bool[]? reversal, ConvDimensionNumbers? dimensionNumbers = null,
        int featureGroupCount = 1, int batchGroupCount = 1, DType? preferredElementType = null)
    {
        var conv = Convolution.Check(lhs, rhs, windowStrides, lhsDilation, rhsDilation, dimensionNumbers, featureGroupCount, batchGroupCount, preferredElementType);
        if (padding.Count != conv.Spatial || (reversal is not null && reversal.Length != conv.Spatial))
            throw conv.Error($"padding ({padding.Count} pairs) and window reversal ({reversal?.Length}) need one entry per spatial dimension ({conv.Spatial})");
        return conv.Run(padding, reversal);
    }

    /// <summary>JAX's <c>lax.conv</c>: NCHW input, OIHW kernel, named padding, no dilation.</summary>
    public static Tensor Conv(Tensor lhs, Tensor rhs, int[] windowStrides, string padding, DType? preferredElementType = null) =>
        ConvGeneralDilated(lhs, rhs, windowStrides, padding, preferredElementType: preferredElementType);

    /// <summary>JAX's <c>lax.conv_with_general_padding</c>: NCHW input, OIHW kernel, explicit padding and dilations.</summary>
    public static Tensor ConvWithGeneralPadding(Tensor lhs, Tensor rhs, int[] windowStrides, IReadOnlyList<(int Low, int High)> padding,
        int[]? lhsDilation = null, int[]? rhsDilation = null, DType? preferredElementType = null) =>
        ConvGeneralDilated(lhs, rhs, windowStrides, padding, lhsDilation, rhsDilation, preferredElementType: preferredElementType);

    /// <summary>
    /// JAX's <c>lax.conv_transpose</c> with named padding (<c>"SAME"</c> or <c>"VALID"</c>): a convolution of the input
    /// dilated by <paramref name="strides"/>, padded so that the result is the size a strided convolution with that padding
    /// would have read. Dimension numbers default to NHWC / HWIO / NHWC (by rank); <paramref name="transposeKernel"/>
    /// flips the kernel's spatial dimensions and swaps its feature dimensions (the gradient of a convolution).
    /// </summary>
    public static Tensor ConvTranspose(Tensor lhs, Tensor rhs, int[] strides, string padding, int[]? rhsDilation = null,
        ConvDimensionNumbers? dimensionNumbers = null, bool transposeKernel = false, DType? preferredElementType = null)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var (dn, kernel, kernelSizes) = TransposeSetup(lhs, rhs, strides, rhsDilation, dimensionNumbers, transposeKernel);
        var pads = new (int, int)[kernelSizes.Length];
        for (int i = 0; i < pads.Length; i++)
        {
            int k = (kernelSizes[i] - 1) * (rhsDilation?[i] ?? 1) + 1, s = strides[i];
            pads[i] = padding.ToUpperInvariant() switch
            {
                "SAME" => (s > k - 1 ? k - 1 : (k + s - 1) / 2, k + s - 2 - (s > k - 1 ? k - 1 : (k + s - 1) / 2)),
                "VALID" => (k - 1, k + s - 2 + Math.Max(k - s, 0) - (k - 1)),
                _ => throw new ArgumentException($"conv_transpose: padding must be \"SAME\" or \"VALID\" or (low, high) pairs, got \"{padding}\"", nameof(padding)),
            };
        }
        return ConvGeneralDilated(lhs, kernel, [.. Enumerable.Repeat(1, pads.Length)], pads, strides, rhsDilation, dn, preferredElementType: preferredElementType);
    }

    /// <summary>JAX's <c>lax.conv_transpose</c> with explicit (low, high) padding of the dilated input.</summary>
    public static Tensor ConvTranspose(Tensor lhs, Tensor rhs, int[] strides, IReadOnlyList<(int Low, int High)> padding, int[]? rhsDilation = null,
        ConvDimensionNumbers? dimensionNumbers = null, bool transposeKernel = false, DType? preferredElementType = null)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var (dn, kernel, _) = TransposeSetup(lhs, rhs, strides, rhsDilation, dimensionNumbers, transposeKernel);
        return ConvGeneralDilated(lhs, kernel, [.. Enumerable.Repeat(1, strides.Length)], padding, strides, rhsDilation, dn, preferredElementType: preferredElementType);
    }

    private static (ConvDimensionNumbers Dn, Tensor Kernel, int[] KernelSizes) TransposeSetup(Tensor lhs, Tensor rhs, int[] strides, int[]? rhsDilation,
        ConvDimensionNumbers? dimensionNumbers, bool transposeKernel)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(strides);
        int rank = lhs.Ndim;
        var dn = dimensionNumbers ?? rank switch
        {
            2 => ConvDimensionNumbers.FromLayouts("NC", "IO", "NC"),
            3 => ConvDimensionNumbers.FromLayouts("NHC", "HIO", "NHC"),
            4 => ConvDimensionNumbers.FromLayouts("NHWC", "HWIO", "NHWC"),
            5 => ConvDimensionNumbers.FromLayouts("NHWDC", "HWDIO", "NHWDC"),
            _ => throw new JaxTypeException("conv_transpose", $"conv_transpose has no default dimension numbers for rank {rank} inputs ({lhs.Aval.ToLongString()}){Dispatch.At(SourceLocation.FindCaller())}"),
        };
        if (rhs.Ndim != dn.RhsSpec.Count || strides.Length != dn.SpatialRank || (rhsDilation is not null && rhsDilation.Length != dn.SpatialRank))
            throw new JaxTypeException("conv_transpose", $"conv_transpose of {lhs.Aval.ToLongString()} and {rhs.Aval.ToLongString()} needs {dn.SpatialRank} strides{(rhsDilation is null ? "" : " and rhs dilations")}, got {strides.Length}{Dispatch.At(SourceLocation.FindCaller())}");
        var kernelSizes = dn.RhsSpec.Skip(2).Select(d => (int)rhs.Shape[d].Size).ToArray();
        var kernel = rhs;
        if (transposeKernel)
        {
            kernel = Rev(kernel, [.. dn.RhsSpec.Skip(2)]);
            var swap = Enumerable.Range(0, rhs.Ndim).ToArray();
            (swap[dn.RhsSpec[0]], swap[dn.RhsSpec[1]]) = (swap[dn.RhsSpec[1]], swap[dn.RhsSpec[0]]);
            kernel = Transpose(kernel, swap);
        }
        return (dn, kernel, kernelSizes);
    }

    /// <summary>JAX's <c>padtype_to_pads</c> for one dimension.</summary>
    private static (int, int) NamedPadding(string padding, int input, int window, int stride, Func<string, Exception> error)
    {
        switch (padding.ToUpperInvariant())
        {
            case "VALID":
                return (0, 0);
            case "SAME" or "SAME_LOWER":
                int output = (input + stride - 1) / stride;
                int total = Math.Max((output - 1) * stride + window - input, 0);
                return padding.Equals("SAME", StringComparison.OrdinalIgnoreCase) ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
            default:
                throw error($"unknown padding \"{padding}\" (expected \"VALID\", \"SAME\", \"SAME_LOWER\" or (low, high) pairs)");
        }
    }

    /// <summary>
    /// The windows of <paramref name="x"/> along <paramref name="axes"/>, in one gather whose indices come from iotas:
    /// element <c>x[.., p * stride + k * dilation, ..]</c> for each window position p and offset k along each axis. The
    /// result has the positions along each axis, then the offsets along each axis, as its batch dimensions, and the
    /// other dimensions of x (in x's order) at <paramref name="offsetDims"/> (default: after them). The caller has
    /// padded x so that every index is in range.
    /// </summary>
    private static Tensor Windows(Tensor x, int[] axes, int[] positions, int[] window, int[] strides, int[] dilation, int[]? offsetDims = null) =>
        Windows(x, null, axes, positions, window, strides, dilation, offsetDims);

    /// <summary>
    /// <see cref="Windows(Tensor, int[], int[], int[], int[], int[], int[])"/> with every index of <paramref name="indexed"/>
    /// (a dimension of x, of any size, symbolic included) as the first batch dimension of the result instead of a
    /// whole-dimension slice: the gather's slice sizes stay static when that dimension is not.
    /// </summary>
    private static Tensor Windows(Tensor x, int? indexed, int[] axes, int[] positions, int[] window, int[] strides, int[] dilation, int[]? offsetDims)
    {
        int m = axes.Length, lead = indexed is null ? 0 : 1;
        var indexShape = new Shape([.. indexed is { } a ? [x.Shape[a]] : Array.Empty<Dim>(), .. positions.Select(p => Dim.Of(p)), .. window.Select(k => Dim.Of(k)), Dim.Of(1)]);
        var parts = new List<Tensor>();
        if (indexed is not null) parts.Add(Iota(DType.Int32, indexShape, 0));
        for (int i = 0; i < m; i++)
            parts.Add(Iota(DType.Int32, indexShape, lead + i) * strides[i] + Iota(DType.Int32, indexShape, lead + m + i) * dilation[i]);
        int vector = lead + 2 * m;
        var indices = parts.Count == 1 ? parts[0] : Concatenate(parts, vector);
        int[] gathered = indexed is { } b ? [b, .. axes] : axes;
        int others = x.Ndim - gathered.Length;
        var sliceSizes = Enumerable.Range(0, x.Ndim).Select(d => gathered.Contains(d) ? 1 : (int)x.Shape[d].Size).ToArray();
        return Gather(x, indices, offsetDims ?? [.. Enumerable.Range(vector, others)], [.. gathered.Order()], gathered, vector, sliceSizes, GatherMode.Clip);
    }

    /// <summary>A zero of exactly <paramref name="dtype"/> (Jnp's creation functions would narrow 64-bit dtypes without x64).</summary>
    private static Tensor Zero(DType dtype) => new(Buffer.Zeros(dtype, Shape.Scalar), false);

    /// <summary>The number of window positions: (padded - dilated window) / stride + 1, or 0 when the window does not fit.</summary>
    private static int WindowCount(int padded, int window, int dilation, int stride)
    {
        long span = DilatedSize(window, dilation);
        return window == 0 || padded < span ? 0 : (int)((padded - span) / stride + 1);
    }

    /// <summary>The size of a dimension of <paramref name="size"/> elements with <paramref name="dilation"/> - 1 holes between them.</summary>
    private static long DilatedSize(long size, int dilation) => size == 0 ? 0 : (size - 1) * dilation + 1;

    /// <summary>One checked convolution: operands, attributes and what follows from them.</summary>
    private sealed class Convolution
    {
        public required Tensor Lhs { get; init; }
        public required Tensor Rhs { get; init; }
        public required int[] Strides { get; init; }
        public required int[] LhsDilation { get; init; }
        public required int[] RhsDilation { get; init; }
        public required ConvDimensionNumbers Dn { get; init; }
        public required int FeatureGroups { get; init; }
        public required int BatchGroups { get; init; }
        public required DType ResultType { get; init; }
        public required string? Location { get; init; }

        public int Spatial => Dn.SpatialRank;

        public int InputSize(int i) => (int)Lhs.Shape[Dn.LhsSpec[2 + i]].Size;

        public int KernelSize(int i) => (int)Rhs.Shape[Dn.RhsSpec[2 + i]].Size;

        public int DilatedKernelSize(int i) => (int)DilatedSize(KernelSize(i), RhsDilation[i]);

        public JaxTypeException Error(string problem) =>
            new("conv_general_dilated", $"conv_general_dilated of {Lhs.Aval.ToLongString()} and {Rhs.Aval.ToLongString()}: {problem}{Dispatch.At(Location)}");

        public static Convolution Check(Tensor lhs, Tensor rhs, int[] windowStrides, int[]? lhsDilation, int[]? rhsDilation,
            ConvDimensionNumbers? dimensionNumbers, int featureGroupCount, int batchGroupCount, DType? preferredElementType)
        {
            ArgumentNullException.ThrowIfNull(lhs);
            ArgumentNullException.ThrowIfNull(rhs);
            ArgumentNullException.ThrowIfNull(windowStrides);
            var dn = dimensionNumbers ?? ConvDimensionNumbers.Default(lhs.Ndim);
            int spatial = dn.SpatialRank;
            var conv = new Convolution
            {
                Lhs = lhs,
                Rhs = rhs,
                Strides = windowStrides,
                LhsDilation = lhsDilation ?? [.. Enumerable.Repeat(1, Math.Max(spatial, 0))],
                RhsDilation = rhsDilation ?? [.. Enumerable.Repeat(1, Math.Max(spatial, 0))],
                Dn = dn,
                FeatureGroups = featureGroupCount,
                BatchGroups = batchGroupCount,
                ResultType = preferredElementType ?? lhs.DType,
                Location = SourceLocation.FindCaller(),
            };
            if (lhs.Ndim != rhs.Ndim || lhs.Ndim != dn.LhsSpec.Count)
                throw conv.Error($"the operands need the same rank, that of the dimension numbers ({dn.LhsSpec.Count})");
            if (lhs.DType != rhs.DType)
                throw conv.Error("the operands need the same dtype");
            if (lhs.DType == DType.Bool || conv.ResultType == DType.Bool)
                throw conv.Error("bool operands or results are not supported");
            if (!rhs.Shape.IsStatic || Enumerable.Range(0, lhs.Ndim).Any(d => d != dn.LhsSpec[0] && !lhs.Shape[d].IsStatic))
                throw conv.Error("the operands need static shapes but for the input's batch (a convolution gathers its windows at fixed positions)");
            if (!lhs.Shape[dn.LhsSpec[0]].IsStatic && (featureGroupCount > 1 || batchGroupCount > 1))
                throw conv.Error("a grouped convolution needs a static batch size");
            if (windowStrides.Length != spatial || conv.LhsDilation.Length != spatial || conv.RhsDilation.Length != spatial)
                throw conv.Error($"window strides ({windowStrides.Length}), lhs dilation ({conv.LhsDilation.Length}) and rhs dilation ({conv.RhsDilation.Length}) need one value per spatial dimension ({spatial})");
            if (windowStrides.Any(s => s < 1) || conv.LhsDilation.Any(s => s < 1) || conv.RhsDilation.Any(s => s < 1))
                throw conv.Error($"window strides ({string.Join(", ", windowStrides)}) and dilations ({string.Join(", ", conv.LhsDilation)}; {string.Join(", ", conv.RhsDilation)}) must be positive");
            if (featureGroupCount < 1 || batchGroupCount < 1)
                throw conv.Error($"feature_group_count ({featureGroupCount}) and batch_group_count ({batchGroupCount}) must be positive");
            if (featureGroupCount > 1 && batchGroupCount > 1)
                throw conv.Error("feature_group_count and batch_group_count cannot both be above 1");
            long batch = lhs.Shape[dn.LhsSpec[0]] is { IsStatic: true } n ? n.Size : batchGroupCount, features = lhs.Shape[dn.LhsSpec[1]].Size;
            long outFeatures = rhs.Shape[dn.RhsSpec[0]].Size, inFeatures = rhs.Shape[dn.RhsSpec[1]].Size;
            if (features != inFeatures * featureGroupCount)
                throw conv.Error($"the input has {features} features, the kernel {inFeatures} input features x feature_group_count {featureGroupCount}");
            if (outFeatures % featureGroupCount != 0 || outFeatures % batchGroupCount != 0)
                throw conv.Error($"the kernel's {outFeatures} output features are not a multiple of the group count ({Math.Max(featureGroupCount, batchGroupCount)})");
            if (batch % batchGroupCount != 0)
                throw conv.Error($"the batch of {batch} is not a multiple of batch_group_count {batchGroupCount}");
            return conv;
        }

        /// <summary>
        /// The convolution with explicit padding; <paramref name="reversal"/> flips kernel dimensions (StableHLO's
        /// window_reversal). Laid out for one batched matrix product: the input is padded in its own layout, its
        /// windows gathered as [N, P..., K..., C] (the contracted dimensions last and contiguous), the kernel arranged
        /// as [groups, K... x I, O / groups], so the dot is [groups, N x P, K x C/groups] · [groups, K x I, O/groups].
        /// </summary>
        public Tensor Run(IReadOnlyList<(int Low, int High)> padding, bool[]? reversal)
        {
            int n = Spatial;
            int[] spatialAxes = [.. Dn.LhsSpec.Skip(2)];
            var x = Lhs.DType == ResultType ? Lhs : ConvertElementType(Lhs, ResultType);
            var w = Rhs.DType == ResultType ? Rhs : ConvertElementType(Rhs, ResultType);
            int rank = n + 2;
            int[] low = new int[rank], high = new int[rank], interior = new int[rank];
            for (int i = 0; i < n; i++)
            {
                if (DilatedSize(InputSize(i), LhsDilation[i]) + padding[i].Low + padding[i].High < 0)
                    throw Error($"padding ({padding[i].Low}, {padding[i].High}) crops spatial dimension {i} below zero");
                (low[spatialAxes[i]], high[spatialAxes[i]], interior[spatialAxes[i]]) = (padding[i].Low, padding[i].High, LhsDilation[i] - 1);
            }
            if (low.Any(v => v != 0) || high.Any(v => v != 0) || interior.Any(v => v != 0))
                x = Pad(x, Zero(ResultType), low, high, interior);
            if (!x.Shape[Dn.LhsSpec[0]].IsStatic) return RunWithSymbolicBatch(x, w, reversal);
            long batch = x.Shape[Dn.LhsSpec[0]].Size, features = x.Shape[Dn.LhsSpec[1]].Size;
            long outFeatures = w.Shape[Dn.RhsSpec[0]].Size, inFeatures = w.Shape[Dn.RhsSpec[1]].Size;
            var positions = Positions(x);
            var kernelShape = KernelShape;
            long positionCount = positions.Aggregate(1L, (a, b) => a * b), windowCount = kernelShape.Aggregate(1L, (a, b) => a * b);
            long resultBatch = batch / BatchGroups;
            var resultShape = Shape.Of([resultBatch, .. positions.Select(p => (long)p), outFeatures]);
            if (positionCount == 0 || windowCount == 0 || inFeatures == 0 || resultBatch == 0 || outFeatures == 0)
                return ToOutput(BroadcastInDim(Zero(ResultType), resultShape, []));

            // Windows [N, P..., K..., C] (C and N swapped back when the input names C first).
            bool featureFirst = Dn.LhsSpec[1] < Dn.LhsSpec[0];
            var patches = Windows(x, spatialAxes, positions, kernelShape, Strides, RhsDilation, [0, 2 * n + 1]);
            if (featureFirst)
                patches = Transpose(patches, [2 * n + 1, .. Enumerable.Range(1, 2 * n), 0]);
            w = KernelLast(w, reversal);
            long groups = Math.Max(FeatureGroups, BatchGroups), groupOut = outFeatures / groups;
            int[] toGroupFirst(int groupAxis, int count) => [groupAxis, .. Enumerable.Range(0, count).Where(d => d != groupAxis)];
            // [G, K x I, O/G]
            w = Reshape(w, Shape.Of([.. kernelShape.Select(k => (long)k), inFeatures, groups, groupOut]));
            if (groups > 1) w = Transpose(w, toGroupFirst(n + 1, n + 3));
            w = Reshape(w, Shape.Of(groups, windowCount * inFeatures, groupOut));
            Tensor lhs;
            if (BatchGroups > 1)
            {
                // [N, ...] = [B, N/B, ...]: the group is already outermost.
                lhs = Reshape(patches, Shape.Of(groups, resultBatch * positionCount, windowCount * features));
            }
            else
            {
                // [N, P..., K..., G, C/G] -> [G, N x P, K x C/G]
                lhs = Reshape(patches, Shape.Of([batch, .. positions.Select(p => (long)p), .. kernelShape.Select(k => (long)k), groups, features / groups]));
                if (groups > 1) lhs = Transpose(lhs, toGroupFirst(2 * n + 1, 2 * n + 3));
                lhs = Reshape(lhs, Shape.Of(groups, batch * positionCount, windowCount * (features / groups)));
            }
            var product = DotGeneral(lhs, w, ([2], [1]), ([0], [0]));
            // [G, N x P, O/G] -> [N, P..., O]
            var result = Reshape(product, Shape.Of([groups, resultBatch, .. positions.Select(p => (long)p), groupOut]));
            if (groups > 1) result = Transpose(result, [.. Enumerable.Range(1, n + 1), 0, n + 2]);
            return ToOutput(Reshape(result, resultShape));
        }

        /// <summary>
        /// A batch of symbolic size (a shape-polymorphic export's): the windows gathered with every batch index in the
        /// indices (slice sizes stay static) as [N, P..., K..., C], contracted with the kernel [K..., I, O] in one
        /// dot_general over (K..., C) (canonicalization merges those dims for the matrix-multiply path); no groups.
        /// </summary>
        private Tensor RunWithSymbolicBatch(Tensor x, Tensor w, bool[]? reversal)
        {
            int n = Spatial;
            var positions = Positions(x);
            var kernelShape = KernelShape;
            var batch = x.Shape[Dn.LhsSpec[0]];
            long outFeatures = w.Shape[Dn.RhsSpec[0]].Size;
            if (positions.Any(p => p == 0) || kernelShape.Any(k => k == 0) || w.Size == 0)
                return ToOutput(BroadcastInDim(Zero(ResultType), new Shape([batch, .. positions.Select(p => Dim.Of(p)), Dim.Of(outFeatures)]), []));
            var patches = Windows(x, Dn.LhsSpec[0], [.. Dn.LhsSpec.Skip(2)], positions, kernelShape, Strides, RhsDilation, [2 * n + 1]);
            return ToOutput(DotGeneral(patches, KernelLast(w, reversal), ([.. Enumerable.Range(n + 1, n + 1)], [.. Enumerable.Range(0, n + 1)]), ([], [])));
        }

        /// <summary>The window positions along each spatial dimension of the padded input <paramref name="x"/>.</summary>
        private int[] Positions(Tensor x) =>
            [.. Enumerable.Range(0, Spatial).Select(i => WindowCount((int)x.Shape[Dn.LhsSpec[2 + i]].Size, KernelSize(i), RhsDilation[i], Strides[i]))];

        /// <summary>The kernel's spatial sizes.</summary>
        private int[] KernelShape => [.. Enumerable.Range(0, Spatial).Select(KernelSize)];

        /// <summary>The kernel as [K..., I, O], flipped along the spatial dimensions <paramref name="reversal"/> marks.</summary>
        private Tensor KernelLast(Tensor w, bool[]? reversal)
        {
            w = Transpose(w, [.. Dn.RhsSpec.Skip(2), Dn.RhsSpec[1], Dn.RhsSpec[0]]);
            return reversal is not null && reversal.Any(r => r) ? Rev(w, [.. Enumerable.Range(0, Spatial).Where(i => reversal[i])]) : w;
        }

        /// <summary>A result laid out [N, P..., O] in the output spec's order (Jnp.Transpose leaves an identity order alone).</summary>
        private Tensor ToOutput(Tensor r)
        {
            int n = Spatial;
            var permutation = new int[n + 2];
            permutation[Dn.OutSpec[0]] = 0;
            permutation[Dn.OutSpec[1]] = n + 1;
            for (int i = 0; i < n; i++) permutation[Dn.OutSpec[2 + i]] = 1 + i;
            return Jnp.Transpose(r, permutation);
        }
    }
}
