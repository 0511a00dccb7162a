using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Reductions (sum, prod, max, min, and, or over any set of axes), argmax/argmin, cumulative sums, products and
/// maxima, and sort, against torch. Sums are bounded relative to the sum of |terms| (torch sums in a different
/// order: float32 within 1e-6 of it, float64 within 1e-14, float16/bfloat16 within an ulp plus 1e-3 of it, both
/// accumulating in float32); integer reductions, max/min, arg reductions and sort are exact.
/// </summary>
public sealed class ReductionTests(ITestOutputHelper log)
{
    public static TheoryData<DType> Floats => Samples.Rows(Samples.FloatDTypes);

    public static TheoryData<DType> Numbers => Samples.Rows([.. Samples.FloatDTypes, .. Samples.IntegerDTypes]);

    /// <summary>Shapes and the axis sets reduced over them: none, one, several, all, over zero-size dimensions.</summary>
    static readonly (long[] Shape, int[] Axes)[] Cases =
    [
        ([], []), ([37], [0]), ([4, 5, 6], []), ([4, 5, 6], [0]), ([4, 5, 6], [1]), ([4, 5, 6], [2]),
        ([4, 5, 6], [0, 2]), ([4, 5, 6], [0, 1, 2]), ([3, 0, 4], [1]), ([3, 0, 4], [0]),
    ];

    static Tolerance SumTolerance(DType dtype) => Tolerance.Summation(dtype);

    /// <summary>Compares a reduction over every case; <paramref name="nonEmpty"/> skips cases reducing zero elements.</summary>
    void Reduction(string name, DType dtype, Func<Random, long[], Tensor> inputs, Func<Tensor, int[], Tensor> ours,
        Func<TorchTensor, long[], TorchTensor> theirs, Tolerance tolerance, bool nonEmpty = false,
        Func<TorchTensor, long[], TorchTensor>? scale = null)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (shape, axes) in Cases)
        {
            if (nonEmpty && axes.Any(a => shape[a] == 0)) continue;
            var x = inputs(rng, shape);
            var tx = OracleTensors.ToTorch(x);
            var dims = axes.Select(a => (long)a).ToArray();
            // torch reads an empty dim list as "all dims": reducing over no axes is the identity.
            var expected = dims.Length == 0 ? tx.clone() : theirs(tx, dims);
            double[]? bound = scale is null ? null : OracleTensors.Doubles(dims.Length == 0 ? tx.abs() : scale(tx.abs(), dims));
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()} axes [{string.Join(", ", axes)}]",
                ours(x, axes), expected, tolerance, scale: bound));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
    }

    /// <summary>Applies a one-dimension torch reduction over several dims, highest first.</summary>
    static TorchTensor OverDims(TorchTensor x, long[] dims, Func<TorchTensor, long, TorchTensor> reduce) =>
        dims.OrderDescending().Aggregate(x, reduce);

    [Theory, MemberData(nameof(Numbers))]
    public void Reduce_sum_equals_torch_sum(DType dtype) =>
        Reduction("reduce_sum", dtype, (rng, shape) => Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10)), Lax.ReduceSum,
            (x, dims) => x.sum(dims, type: x.dtype), dtype.IsFloat() ? SumTolerance(dtype) : Tolerance.Exact,
            scale: (abs, dims) => abs.to_type(torch.ScalarType.Float64).sum(dims));

    // float16/bfloat16 are compared with torch's float64 product rounded to the dtype: torch's own half-precision
    // prod is up to 2 ulps from it (ours, accumulating in float32, is within 1).
    [Theory, MemberData(nameof(Numbers))]
    public void Reduce_prod_equals_torch_prod(DType dtype) =>
        Reduction("reduce_prod", dtype, (rng, shape) => dtype.IsFloat()
                ? Samples.Floats(rng, dtype, shape, Domain.Uniform(0.5, 1.5))
                : Samples.Integers(rng, dtype, shape, dtype == DType.UInt8 ? 0 : -3, 3),
            Lax.ReduceProd, (x, dims) => dtype.IsFloat() && dtype.ItemSize() == 2
                ? OverDims(x.to_type(torch.ScalarType.Float64), dims, (t, d) => t.prod(d)).to_type(x.dtype)
                : OverDims(x, dims, (t, d) => t.prod(d, type: x.dtype)),
            dtype.IsFloat() ? SumTolerance(dtype) : Tolerance.Exact,
            scale: (abs, dims) => OverDims(abs.to_type(torch.ScalarType.Float64), dims, (t, d) => t.prod(d)));

    // Non-empty reductions only: torch.amax of zero elements is an error (ours gives -inf / the dtype's minimum).
    [Theory, MemberData(nameof(Numbers))]
    public void Reduce_max_propagates_NaN_as_torch_amax(DType dtype) =>
        Reduction("reduce_max", dtype, (rng, shape) => Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10).WithSpecials(0.02)),
            Lax.ReduceMax, (x, dims) => x.amax(dims), Tolerance.SameValue, nonEmpty: true);

    [Theory, MemberData(nameof(Numbers))]
    public void Reduce_min_propagates_NaN_as_torch_amin(DType dtype) =>
        Reduction("reduce_min", dtype, (rng, shape) => Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10).WithSpecials(0.02)),
            Lax.ReduceMin, (x, dims) => x.amin(dims), Tolerance.SameValue, nonEmpty: true);

    [Fact]
    public void Reduce_and_of_bool_equals_torch_all() =>
        Reduction("reduce_and", DType.Bool, MostlyTrue, Lax.ReduceAnd, (x, dims) => OverDims(x, dims, (t, d) => t.all(d)), Tolerance.Exact);

    [Fact]
    public void Reduce_or_of_bool_equals_torch_any() =>
        Reduction("reduce_or", DType.Bool, (rng, shape) => Lax.Not(MostlyTrue(rng, shape)), Lax.ReduceOr,
            (x, dims) => OverDims(x, dims, (t, d) => t.any(d)), Tolerance.Exact);

    // Each element is true with probability 0.9, so all() is sometimes true over a few elements.
    static Tensor MostlyTrue(Random rng, long[] shape) => Samples.Bools(rng, shape, 0.9);

    // No ties: floats are continuous draws; integers are distinct along the axis. torch returns int64 indices.
    [Theory, MemberData(nameof(Numbers))]
    public void Argmax_equals_torch_argmax(DType dtype) => ArgReduction("argmax", dtype, Lax.Argmax, (x, d) => x.argmax(d));

    [Theory, MemberData(nameof(Numbers))]
    public void Argmin_equals_torch_argmin(DType dtype) => ArgReduction("argmin", dtype, Lax.Argmin, (x, d) => x.argmin(d));

    void ArgReduction(string name, DType dtype, Func<Tensor, int, DType, Tensor> ours, Func<TorchTensor, long, TorchTensor> theirs)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, axis) in new (long[], int)[] { ([9], 0), ([4, 5, 6], 0), ([4, 5, 6], 1), ([4, 5, 6], 2), ([3, 0], 0), ([1, 7], 1) })
        {
            var x = Distinct(rng, dtype, shape, axis);
            Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()} axis {axis}", ours(x, axis, DType.Int64),
                theirs(OracleTensors.ToTorch(x), axis), Tolerance.Exact);
        }
    }

    // One NaN in some rows: both return its index.
    [Theory, MemberData(nameof(Floats))]
    public void Argmax_and_argmin_return_the_index_of_a_NaN_as_torch(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("arg-nan" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var values = OracleTensors.Doubles(Distinct(rng, dtype, [6, 10], 1));
        for (int row = 0; row < 6; row += 2) values[row * 10 + rng.Next(10)] = Samples.PositiveNaN;
        var x = Samples.Floats(values, dtype, [6, 10]);
        var tx = OracleTensors.ToTorch(x);
        Agreement.AssertClose($"argmax {dtype.Name()} with NaN", Lax.Argmax(x, 1, DType.Int64), tx.argmax(1), Tolerance.Exact);
        Agreement.AssertClose($"argmin {dtype.Name()} with NaN", Lax.Argmin(x, 1, DType.Int64), tx.argmin(1), Tolerance.Exact);
    }

    // Values with no repeats along the axis: a shuffled run of multiples of 1/4 (exact in every dtype), centred on
    // zero except for uint8.
    static Tensor Distinct(Random rng, DType dtype, long[] shape, int axis)
    {
        var values = new double[Samples.Count(shape)];
        int n = (int)shape[axis];
        long inner = shape.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        long outer = values.Length / Math.Max(1, n * inner);
        double step = dtype.IsFloat() ? 0.25 : 1, offset = dtype == DType.UInt8 ? 0 : n / 2;
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++)
            {
                var order = Samples.Permutation(rng, n);
                for (int k = 0; k < n; k++) values[(o * n + k) * inner + i] = (order[k] - offset) * step;
            }
        return Samples.Floats(values, dtype, shape);
    }

    static readonly (long[] Shape, int Axis)[] ScanCases = [([0], 0), ([23], 0), ([4, 7, 5], 0), ([4, 7, 5], 1), ([4, 7, 5], 2)];

    void Cumulative(string name, DType dtype, Func<Random, long[], Tensor> inputs, Func<Tensor, int, bool, Tensor> ours,
        Func<TorchTensor, long, TorchTensor> theirs, Tolerance tolerance, Func<TorchTensor, long, TorchTensor>? scale = null)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (shape, axis) in ScanCases)
        {
            var x = inputs(rng, shape);
            var tx = OracleTensors.ToTorch(x);
            foreach (bool reverse in new[] { false, true })
            {
                // A reverse scan is the forward scan of the flipped array, flipped back.
                var expected = reverse ? theirs(tx.flip(axis), axis).flip(axis) : theirs(tx, axis);
                double[]? bound = scale is null ? null
                    : OracleTensors.Doubles(reverse ? scale(tx.abs().flip(axis), axis).flip(axis) : scale(tx.abs(), axis));
                total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()} axis {axis} reverse {reverse}",
                    ours(x, axis, reverse), expected, tolerance, scale: bound));
            }
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
    }

    [Theory, MemberData(nameof(Numbers))]
    public void Cumsum_equals_torch_cumsum(DType dtype) =>
        Cumulative("cumsum", dtype, (rng, shape) => Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10)),
            (x, a, r) => Lax.Cumsum(x, a, r), (x, a) => x.cumsum(a, x.dtype),
            dtype.IsFloat() ? SumTolerance(dtype) : Tolerance.Exact, (abs, a) => abs.to_type(torch.ScalarType.Float64).cumsum(a));

    [Theory, MemberData(nameof(Numbers))]
    public void Cumprod_equals_torch_cumprod(DType dtype) =>
        Cumulative("cumprod", dtype, (rng, shape) => dtype.IsFloat()
                ? Samples.Floats(rng, dtype, shape, Domain.Uniform(0.5, 1.5))
                : Samples.Integers(rng, dtype, shape, dtype == DType.UInt8 ? 0 : -3, 3),
            (x, a, r) => Lax.Cumprod(x, a, r), (x, a) => x.cumprod(a, x.dtype),
            dtype.IsFloat() ? SumTolerance(dtype) : Tolerance.Exact, (abs, a) => abs.to_type(torch.ScalarType.Float64).cumprod(a));

    // A NaN propagates to the end of the scan in both; infinities and signed zeros are mixed in (zeros compare by
    // value: on ties torch's cummax takes the later element, max(+0, -0) is +0 in ours).
    [Theory, MemberData(nameof(Numbers))]
    public void Cummax_equals_torch_cummax_values(DType dtype) =>
        Cumulative("cummax", dtype, (rng, shape) => Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10).WithSpecials(0.03)),
            (x, a, r) => Lax.Cummax(x, a, r), (x, a) => x.cummax(a).Item1, Tolerance.SameValue);

    [Theory, MemberData(nameof(Numbers))]
    public void Cummin_equals_torch_cummin_values(DType dtype) =>
        Cumulative("cummin", dtype, (rng, shape) => Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10).WithSpecials(0.03)),
            (x, a, r) => Lax.Cummin(x, a, r), (x, a) => x.cummin(a).Item1, Tolerance.SameValue);

    // NaN sorts last in both (the positive NaN: lax.sort puts a NaN with its sign bit set first); zeros compare
    // by value, since a stable torch sort keeps -0 and +0 in input order and lax.sort puts -0 first.
    [Theory, MemberData(nameof(Numbers))]
    public void Sort_equals_torch_sort_with_NaN_last(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("sort" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (shape, axis) in new (long[], int)[] { ([0], 0), ([31], 0), ([4, 7, 5], 0), ([4, 7, 5], 1), ([4, 7, 5], 2), ([3, 0], 1) })
        {
            var x = Samples.Any(rng, dtype, shape, Domain.Uniform(-10, 10).WithSpecials());
            var expected = OracleTensors.ToTorch(x).sort(axis, stable: true).Values;
            total = total.Merge(Agreement.AssertClose($"sort {dtype.Name()}{x.Shape.ToTupleString()} axis {axis}",
                Lax.Sort([x], axis)[0], expected, Tolerance.SameValue));
        }
        log.WriteLine($"sort {dtype.Name()}: {total}");
    }

    // Sorting keys with a payload: the payload follows its key as torch's indices say (keys without ties).
    [Theory, MemberData(nameof(Numbers))]
    public void Sort_carries_a_second_operand_as_torch_sort_indices(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("sort2" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var keys = Distinct(rng, dtype, [5, 12], 1);
        var payload = Samples.Floats(rng, DType.Float32, [5, 12], Domain.Uniform(-1, 1));
        var sorted = Lax.Sort([keys, payload], 1, numKeys: 1);
        var (values, indices) = OracleTensors.ToTorch(keys).sort(1, stable: true);
        Agreement.AssertClose($"sort keys {dtype.Name()}", sorted[0], values, Tolerance.Exact);
        Agreement.AssertClose($"sort payload {dtype.Name()}", sorted[1], OracleTensors.ToTorch(payload).gather(1, indices), Tolerance.Exact);
    }
}
