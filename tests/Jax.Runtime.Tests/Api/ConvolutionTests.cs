using JaxToolchain.Ir;
using TorchSharp;
using static JaxToolchain.Runtime.Tests.Api.Linalg.LinalgOracle;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// Lax.ConvGeneralDilated, ConvTranspose and ReduceWindow against torch.nn.functional (conv1d/2d/3d,
/// conv_transpose2d, max/avg pooling) and against a direct loop written from StableHLO's specification (dilations,
/// negative padding, feature and batch groups, window reversal); derivatives against finite differences; jit and
/// vmap against eager calls.
/// </summary>
public class ConvolutionTests
{
    private static (Tensor Jax, torch.Tensor Torch) Random(int seed, DType dtype, params int[] shape) => Pair(Uniform(seed, shape), dtype, shape);

    [Theory, MemberData(nameof(Floats), MemberType = typeof(Linalg.LinalgOracle))]
    public void Conv2d_matches_torch_with_strides_padding_dilation_and_groups(DType dtype) => WithX64(() =>
    {
        var (x, tx) = Random(1, dtype, 2, 4, 9, 8);
        foreach (var (groups, stride, pad, dilation) in new[] { (1, 1, 0, 1), (1, 2, 1, 1), (2, 1, 2, 2), (4, 3, 1, 1), (1, 2, 0, 3) })
        {
            var (w, tw) = Random(2 + groups, dtype, 6 * groups / (groups == 4 ? 2 : 1), 4 / groups, 3, 2);
            var expected = torch.nn.functional.conv2d(tx, tw, strides: [stride, stride], padding: [pad, pad], dilation: [dilation, dilation], groups: groups);
            var actual = Lax.ConvGeneralDilated(x, w, [stride, stride], [(pad, pad), (pad, pad)], rhsDilation: [dilation, dilation], featureGroupCount: groups);
            Close(actual, expected, Tol(dtype), $"groups={groups} stride={stride} pad={pad} dilation={dilation}");
            Assert.Equal(dtype, actual.DType);
        }
    });

    [Fact]
    public void Conv1d_and_conv3d_match_torch() => WithX64(() =>
    {
        var (x1, tx1) = Random(3, DType.Float64, 3, 2, 17);
        var (w1, tw1) = Random(4, DType.Float64, 5, 2, 4);
        Close(Lax.ConvGeneralDilated(x1, w1, [2], [(3, 1)]), torch.nn.functional.conv1d(torch.nn.functional.pad(tx1, [3, 1]), tw1, stride: 2), 1e-12, "conv1d");
        var (x3, tx3) = Random(5, DType.Float64, 1, 2, 5, 4, 6);
        var (w3, tw3) = Random(6, DType.Float64, 3, 2, 2, 3, 2);
        Close(Lax.Conv(x3, w3, [1, 1, 2], "VALID"), torch.nn.functional.conv3d(tx3, tw3, strides: [1, 1, 2]), 1e-12, "conv3d");
    });

    [Fact]
    public void Layouts_name_the_dimensions_as_jax_does() => WithX64(() =>
    {
        var (x, tx) = Random(7, DType.Float64, 2, 3, 7, 6);
        var (w, tw) = Random(8, DType.Float64, 5, 3, 3, 2);
        var expected = torch.nn.functional.conv2d(tx, tw, strides: [1, 2], padding: [1, 0]);
        // NHWC input, HWIO kernel, NHWC output.
        var dn = ConvDimensionNumbers.FromLayouts("NHWC", "HWIO", "NHWC");
        Assert.Equal([0, 3, 1, 2], dn.LhsSpec);
        Assert.Equal([3, 2, 0, 1], dn.RhsSpec);
        var actual = Lax.ConvGeneralDilated(Jnp.Transpose(x, [0, 2, 3, 1]), Jnp.Transpose(w, [2, 3, 1, 0]), [1, 2], [(1, 1), (0, 0)], dimensionNumbers: dn);
        Close(Jnp.Transpose(actual, [0, 3, 1, 2]), expected, 1e-12, "NHWC");
        // Spatial dimensions are ordered as the kernel's letters: with OIWH, strides and padding list W first.
        var swapped = Lax.ConvGeneralDilated(x, Jnp.Transpose(w, [0, 1, 3, 2]), [2, 1], [(0, 0), (1, 1)], dimensionNumbers: ConvDimensionNumbers.FromLayouts("NCHW", "OIWH", "NCHW"));
        Close(swapped, expected, 1e-12, "OIWH");
        Assert.Throws<ArgumentException>(() => ConvDimensionNumbers.FromLayouts("NHWC", "HWIO", "NHC"));
        Assert.Throws<ArgumentException>(() => ConvDimensionNumbers.FromLayouts("NHWC", "HWII", "NHWC"));
    });

    [Fact]
    public void Named_padding_follows_jax() => WithX64(() =>
    {
        var (x, tx) = Random(9, DType.Float64, 1, 2, 7, 8);
        var (w, tw) = Random(10, DType.Float64, 3, 2, 3, 4);
        // SAME with stride 2: out = ceil(in / 2); the extra padding goes after (before for SAME_LOWER).
        var same = Lax.Conv(x, w, [2, 2], "SAME");
        Assert.Equal(new long[] { 1, 3, 4, 4 }, same.Shape.Sizes);
        // H: (4-1)*2 + 3 - 7 = 2 -> (1, 1); W: (4-1)*2 + 4 - 8 = 2 -> (1, 1).
        Close(same, torch.nn.functional.conv2d(tx, tw, strides: [2, 2], padding: [1, 1]), 1e-12, "SAME");
        var lower = Lax.ConvGeneralDilated(x, w, [1, 1], "same_lower");
        // H: 2 -> (1, 1); W: 3 -> (2, 1).
        Close(lower, torch.nn.functional.conv2d(torch.nn.functional.pad(tx, [2, 1, 1, 1]), tw), 1e-12, "SAME_LOWER");
        Assert.Equal(new long[] { 1, 3, 5, 5 }, Lax.Conv(x, w, [1, 1], "VALID").Shape.Sizes);
        var e = Assert.Throws<JaxTypeException>(() => Lax.ConvGeneralDilated(x, w, [1, 1], "SAME", lhsDilation: [2, 2]));
        Assert.Contains("conv_transpose", e.Message);
        Assert.Throws<JaxTypeException>(() => Lax.Conv(x, w, [1, 1], "FULL"));
    });

    [Fact]
    public void Conv_transpose_matches_torch_conv_transpose2d() => WithX64(() =>
    {
        var (x, tx) = Random(11, DType.Float64, 2, 3, 5, 4);
        // torch's weight is [in, out, kh, kw]: with transpose_kernel it is JAX's OIHW kernel of the forward convolution.
        var (w, tw) = Random(12, DType.Float64, 3, 4, 3, 3);
        var dn = ConvDimensionNumbers.FromLayouts("NCHW", "OIHW", "NCHW");
        foreach (var (stride, pad) in new[] { (1, 0), (2, 0), (2, 1), (3, 2) })
        {
            var expected = torch.nn.functional.conv_transpose2d(tx, tw, strides: [stride, stride], padding: [pad, pad]);
            var actual = Lax.ConvTranspose(x, w, [stride, stride], [(2 - pad, 2 - pad), (2 - pad, 2 - pad)], dimensionNumbers: dn, transposeKernel: true);
            Close(actual, expected, 1e-12, $"stride={stride} pad={pad}");
        }
        // Named padding: VALID gives (in - 1) * stride + k, SAME in * stride.
        Assert.Equal(new long[] { 2, 4, 11, 9 }, Lax.ConvTranspose(x, w, [2, 2], "VALID", dimensionNumbers: dn, transposeKernel: true).Shape.Sizes);
        Assert.Equal(new long[] { 2, 4, 10, 8 }, Lax.ConvTranspose(x, w, [2, 2], "SAME", dimensionNumbers: dn, transposeKernel: true).Shape.Sizes);
        Close(Lax.ConvTranspose(x, w, [2, 2], "VALID", dimensionNumbers: dn, transposeKernel: true),
            torch.nn.functional.conv_transpose2d(tx, tw, strides: [2, 2]), 1e-12, "VALID");
        // The default layouts are NHWC / HWIO / NHWC.
        var nhwc = Lax.ConvTranspose(Jnp.Transpose(x, [0, 2, 3, 1]), Jnp.Transpose(w, [2, 3, 1, 0]), [2, 2], "VALID", transposeKernel: true);
        Close(Jnp.Transpose(nhwc, [0, 3, 1, 2]), torch.nn.functional.conv_transpose2d(tx, tw, strides: [2, 2]), 1e-12, "NHWC default");
    });

    [Fact]
    public void Dilations_negative_padding_groups_and_reversal_match_the_specification() => WithX64(() =>
    {
        var (x, _) = Random(13, DType.Float64, 4, 6, 5, 7);
        var (w, _) = Random(14, DType.Float64, 6, 3, 3, 2);
        int[] strides = [2, 1], lhsDil = [2, 1], rhsDil = [1, 2];
        (int, int)[] padding = [(1, -1), (-2, 3)];
        Close(Lax.ConvGeneralDilated(x, w, strides, padding, lhsDil, rhsDil, featureGroupCount: 2),
            Naive(x, w, strides, padding, lhsDil, rhsDil, 2, 1, null), 1e-12, "feature groups");
        var (wb, _) = Random(15, DType.Float64, 4, 6, 3, 2);
        var batchGroups = Lax.ConvGeneralDilated(x, wb, strides, padding, lhsDil, rhsDil, batchGroupCount: 2);
        Assert.Equal(2, batchGroups.Shape[0].Size);
        Close(batchGroups, Naive(x, wb, strides, padding, lhsDil, rhsDil, 1, 2, null), 1e-12, "batch groups");
        var (wr, _) = Random(16, DType.Float64, 2, 6, 3, 2);
        Close(Lax.ConvolutionWithReversal(x, wr, strides, padding, lhsDil, rhsDil, [true, false]),
            Naive(x, wr, strides, padding, lhsDil, rhsDil, 1, 1, [true, false]), 1e-12, "window reversal");
    });

    [Fact]
    public void Integers_widen_to_the_preferred_type_and_empty_windows_give_empty_results()
    {
        var x = Jnp.Reshape(Jnp.Arange(16, DType.Int8), 1, 1, 4, 4);
        var w = Jnp.Full([1, 1, 2, 2], Jnp.Array(100), DType.Int8);
        var y = Lax.ConvGeneralDilated(x, w, [2, 2], [(0, 0), (0, 0)], preferredElementType: DType.Int32);
        Assert.Equal(DType.Int32, y.DType);
        Assert.Equal(new[] { 1000, 1800, 4200, 5000 }, y.ToArray<int>());
        var empty = Lax.Conv(Jnp.Zeros([2, 1, 2, 2]), Jnp.Zeros([3, 1, 3, 3]), [1, 1], "VALID");
        Assert.Equal(new long[] { 2, 3, 0, 0 }, empty.Shape.Sizes);
    }

    [Fact]
    public void Derivatives_match_finite_differences() => WithX64(() =>
    {
        var (x, _) = Random(17, DType.Float64, 2, 4, 5, 4);
        var (w, _) = Random(18, DType.Float64, 4, 2, 2, 3);
        GradientCheck.CheckGrads(a => [Lax.ConvGeneralDilated(a[0], a[1], [2, 1], [(1, 0), (1, 2)], [1, 2], [2, 1], featureGroupCount: 2)], [x, w], order: 2);
        var (wb, _) = Random(19, DType.Float64, 4, 4, 2, 2);
        GradientCheck.CheckGrads(a => [Lax.ConvGeneralDilated(a[0], a[1], [1, 1], "SAME", batchGroupCount: 2)], [x, wb]);
        GradientCheck.CheckGrads(a => [Lax.ReduceWindow(a[0], Jnp.Array(0.0), Lax.Add, [1, 1, 2, 2], [1, 1, 2, 1], "SAME")], [x], order: 2);
        GradientCheck.CheckGrads(a => [Lax.ReduceWindow(a[0], Jnp.Array(double.NegativeInfinity), Lax.Max, [1, 2, 3, 1], null, "VALID")], [x]);
        GradientCheck.CheckGrads(a => [Lax.ReduceWindow(a[0], Jnp.Array(0.0), Lax.Add, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")], [x], order: 2);
    });

    [Fact]
    public void Jit_and_vmap_agree_with_eager_calls()
    {
        var (x, _) = Random(20, DType.Float32, 3, 2, 3, 6, 5);
        var (w, _) = Random(21, DType.Float32, 4, 3, 3, 2);
        Tensor F(Tensor a, Tensor b) => Lax.ConvGeneralDilated(a, b, [1, 2], "SAME", rhsDilation: [2, 1], dimensionNumbers: ConvDimensionNumbers.FromLayouts("NCHW", "OIHW", "NCHW"));
        var eager = Jnp.Stack([.. Enumerable.Range(0, 3).Select(i => F(x[i], w))]);
        Close(Jax.Vmap(F, (0, null))(x, w), eager, 1e-5, "vmap over the input");
        Close(Jax.Jit(F)(x[1], w), eager[1], 1e-5, "jit");
        var (ws, _) = Random(22, DType.Float32, 3, 4, 3, 3, 2);
        var perKernel = Jnp.Stack([.. Enumerable.Range(0, 3).Select(i => F(x[0], ws[i]))]);
        Close(Jax.Vmap(F, (null, 0))(x[0], ws), perKernel, 1e-5, "vmap over the kernel");
        var pooled = Jax.Jit((Tensor a) => Lax.ReduceWindow(a, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 1, 2, 2], [1, 1, 2, 2], "VALID"))(x[0]);
        Close(pooled, Lax.ReduceWindow(x[0], Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 1, 2, 2], [1, 1, 2, 2], "VALID"), 0, "jit pool");
    }

    [Fact]
    public void Pooling_matches_torch() => WithX64(() =>
    {
        var (x, tx) = Random(23, DType.Float64, 2, 3, 9, 8);
        var max = Lax.ReduceWindow(x, Jnp.Array(double.NegativeInfinity), Lax.Max, [1, 1, 3, 2], [1, 1, 2, 2], [(0, 0), (0, 0), (1, 1), (0, 0)]);
        Close(max, torch.nn.functional.max_pool2d(tx, [3, 2], strides: [2, 2], padding: [1, 0]), 1e-12, "max_pool2d");
        var sum = Lax.ReduceWindow(x, Jnp.Array(0.0), (a, b) => a + b, [1, 1, 2, 3], [1, 1, 2, 1], "VALID");
        Close(Jnp.Divide(sum, 6.0), torch.nn.functional.avg_pool2d(tx, [2, 3], stride: [2, 1]), 1e-12, "avg_pool2d");
        // Windows that tile the input (stride = window) are reduced after a reshape, the rows and columns left over dropped.
        var tiled = Lax.ReduceWindow(x, Jnp.Array(double.NegativeInfinity), Lax.Max, [1, 1, 2, 3], [1, 1, 2, 3], "VALID");
        Close(tiled, torch.nn.functional.max_pool2d(tx, [2, 3], strides: [2, 3]), 1e-12, "tiled max_pool2d");
        var tiledSum = Lax.ReduceWindow(x, Jnp.Array(0.0), Lax.Add, [1, 1, 3, 2], [1, 1, 3, 2], "VALID");
        Close(Jnp.Divide(tiledSum, 6.0), torch.nn.functional.avg_pool2d(tx, [3, 2], stride: [3, 2]), 1e-12, "tiled avg_pool2d");
        var dilated = Lax.ReduceWindow(x, Jnp.Array(double.NegativeInfinity), Lax.Max, [1, 1, 2, 2], [1, 1, 1, 2], "VALID", windowDilation: [1, 1, 3, 2]);
        Close(dilated, torch.nn.functional.max_pool2d(tx, [2, 2], strides: [1, 2], dilation: [3, 2]), 1e-12, "dilated max_pool2d");
    });

    [Fact]
    public void Reduce_window_folds_any_computation_and_pads_with_the_init_value()
    {
        var x = Jnp.Array(new[,] { { 1.0f, 2, 3 }, { 4, 5, 6 } });
        // A non-monoid computation runs as a fold: init, then each window element.
        var folded = Lax.ReduceWindow(x, Jnp.Array(1f), (a, b) => a * 2 + b, [1, 2], [1, 1], "VALID");
        Assert.Equal(new[] { (1 * 2 + 1) * 2 + 2f, (1 * 2 + 2) * 2 + 3, (1 * 2 + 4) * 2 + 5, (1 * 2 + 5) * 2 + 6 }, folded.ToArray<float>());
        // Padding and base dilation holes take the init value; the init value is combined once more.
        var sums = Lax.ReduceWindow(x, Jnp.Array(10f), Lax.Add, [1, 2], [1, 1], [(0, 0), (1, 0)], baseDilation: [1, 2]);
        // Row 0 dilated and padded: [10, 1, 10, 2, 10, 3].
        Assert.Equal(new[] { 21f, 21, 22, 22, 23, 24, 24, 25, 25, 26 }, sums.ToArray<float>());
        var e = Assert.Throws<JaxTypeException>(() => Lax.ReduceWindow(x, Jnp.Array(0), Lax.Add, [1, 2], null, "VALID"));
        Assert.Contains("int32[]", e.Message);
        Assert.Throws<JaxTypeException>(() => Lax.ReduceWindow(x, Jnp.Array(0f), Lax.Add, [2], null, "VALID"));
    }

    [Fact]
    public void Bad_operands_are_errors_naming_both_shapes_and_the_caller()
    {
        var e = Assert.Throws<JaxTypeException>(() => Lax.Conv(Jnp.Zeros([1, 3, 5, 5]), Jnp.Zeros([2, 4, 3, 3]), [1, 1], "VALID"));
        Assert.Contains("float32[1,3,5,5]", e.Message);
        Assert.Contains("float32[2,4,3,3]", e.Message);
        Assert.Contains("ConvolutionTests.cs", e.Message);
        Assert.Throws<JaxTypeException>(() => Lax.Conv(Jnp.Zeros([1, 3, 5, 5]), Jnp.Zeros([2, 3, 3, 3], DType.Int32), [1, 1], "VALID"));
        Assert.Throws<JaxTypeException>(() => Lax.Conv(Jnp.Zeros([1, 3, 5, 5]), Jnp.Zeros([2, 3, 3]), [1, 1], "VALID"));
        Assert.Throws<JaxTypeException>(() => Lax.Conv(Jnp.Zeros([1, 3, 5, 5]), Jnp.Zeros([2, 3, 3, 3]), [1], "VALID"));
        Assert.Throws<JaxTypeException>(() => Lax.Conv(Jnp.Zeros([1, 3, 5, 5]), Jnp.Zeros([2, 3, 3, 3]), [0, 1], "VALID"));
        Assert.Throws<JaxTypeException>(() => Lax.ConvGeneralDilated(Jnp.Zeros([1, 4, 5, 5]), Jnp.Zeros([3, 2, 3, 3]), [1, 1], "VALID", featureGroupCount: 2));
        Assert.Throws<JaxTypeException>(() => Lax.ConvGeneralDilated(Jnp.Zeros([3, 4, 5, 5]), Jnp.Zeros([4, 4, 3, 3]), [1, 1], "VALID", batchGroupCount: 2));
        Assert.Throws<JaxTypeException>(() => Lax.ConvGeneralDilated(Jnp.Zeros([1, 1, 5, 5]), Jnp.Zeros([1, 1, 3, 3]), [1, 1], [(-6, 0), (0, 0)]));
        Assert.Throws<JaxTypeException>(() => Lax.Conv(Jnp.Zeros([1, 1, 5, 5], DType.Bool), Jnp.Zeros([1, 1, 3, 3], DType.Bool), [1, 1], "VALID"));
    }

    /// <summary>
    /// A direct loop in canonical layouts (NC..., OI...) after StableHLO's specification: the input dilated and padded,
    /// each output element the sum over the kernel window and the group's input features.
    /// </summary>
    private static Tensor Naive(Tensor lhs, Tensor rhs, int[] strides, (int Low, int High)[] padding, int[] lhsDil, int[] rhsDil,
        int featureGroups, int batchGroups, bool[]? reversal)
    {
        var xs = lhs.ToArray<double>();
        var ws = rhs.ToArray<double>();
        int n = strides.Length;
        long[] xShape = lhs.Shape.Sizes, wShape = rhs.Shape.Sizes;
        long batch = xShape[0], features = xShape[1], outFeatures = wShape[0], inFeatures = wShape[1];
        var padded = Enumerable.Range(0, n).Select(i => (xShape[2 + i] - 1) * lhsDil[i] + 1 + padding[i].Low + padding[i].High).ToArray();
        var positions = Enumerable.Range(0, n).Select(i => (padded[i] - ((wShape[2 + i] - 1) * rhsDil[i] + 1)) / strides[i] + 1).ToArray();
        long outBatch = batch / batchGroups;
        long[] outShape = [outBatch, outFeatures, .. positions];
        var result = new double[outShape.Aggregate(1L, (a, b) => a * b)];
        long windowCount = wShape.Skip(2).Aggregate(1L, (a, b) => a * b), positionCount = positions.Aggregate(1L, (a, b) => a * b);
        for (long b = 0; b < outBatch; b++)
            for (long o = 0; o < outFeatures; o++)
                for (long p = 0; p < positionCount; p++)
                {
                    var pos = Unflatten(p, positions);
                    long featureGroup = o / (outFeatures / featureGroups), batchGroup = o / (outFeatures / batchGroups);
                    long inBatch = batchGroup * outBatch + b;
                    double sum = 0;
                    for (long c = 0; c < inFeatures; c++)
                        for (long k = 0; k < windowCount; k++)
                        {
                            var kk = Unflatten(k, [.. wShape.Skip(2)]);
                            long xOffset = inBatch * features + featureGroup * inFeatures + c;
                            bool inside = true;
                            for (int i = 0; i < n && inside; i++)
                            {
                                long dilatedIndex = pos[i] * strides[i] + kk[i] * rhsDil[i] - padding[i].Low;
                                inside = dilatedIndex >= 0 && dilatedIndex % lhsDil[i] == 0 && dilatedIndex / lhsDil[i] < xShape[2 + i];
                                xOffset = xOffset * xShape[2 + i] + (inside ? dilatedIndex / lhsDil[i] : 0);
                            }
                            if (!inside) continue;
                            long wOffset = o * inFeatures + c;
                            for (int i = 0; i < n; i++)
                                wOffset = wOffset * wShape[2 + i] + (reversal is not null && reversal[i] ? wShape[2 + i] - 1 - kk[i] : kk[i]);
                            sum += xs[xOffset] * ws[wOffset];
                        }
                    result[(b * outFeatures + o) * positionCount + p] = sum;
                }
        return Jnp.Reshape(Jnp.Array(result), outShape);
    }

    private static long[] Unflatten(long index, long[] shape)
    {
        var at = new long[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            at[i] = index % shape[i];
            index /= shape[i];
        }
        return at;
    }
}
