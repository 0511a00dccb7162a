using static JaxToolchain.Ir.Tests.Transforms.RuleHarness;

namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// The JVP, transpose and batching rules of the reductions, scans, sort and dot_general: checked against central
/// differences, the adjoint identity and per-example runs (<see cref="RuleHarness"/>), plus closed forms where
/// the rule has a choice to make (ties, zeros, permutations).
/// </summary>
public class ReductionRuleTests
{
    private static readonly int[] BatchAxes = [0, 1, -1];

    private static Attributes Axes(params int[] axes) => Attributes.Of(("axes", axes));

    private static Attributes Along(int axis, bool reverse = false) => Attributes.Of(("axis", axis), ("reverse", reverse));

    private static Attributes SortAttributes(int dimension, int numKeys = 1) =>
        Attributes.Of(("dimension", dimension), ("is_stable", true), ("num_keys", numKeys));

    private static Attributes DotDims(int[] lc, int[] rc, int[]? lb = null, int[]? rb = null) => Attributes.Of(
        ("lhs_contracting_dims", lc), ("rhs_contracting_dims", rc), ("lhs_batch_dims", lb ?? []), ("rhs_batch_dims", rb ?? []));

    private static IEnumerable<int[]> AxisSubsets(int rank) =>
        Enumerable.Range(0, 1 << rank).Select(mask => Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).ToArray());

    /// <summary>Float64 values uniform in [-2, 2].</summary>
    private static Buffer Random64(Random rng, params int[] dims) => Uniform(new ShapedType(DType.Float64, Shape.Of(dims)), rng);

    /// <summary>Float64 small integers in [lo, hi] (exact sums and products, so batched runs match bit for bit).</summary>
    private static Buffer SmallInts(Random rng, int[] dims, int lo = -3, int hi = 3, DType dtype = DType.Float64)
    {
        var b = Buffer.Zeros(dtype, Shape.Of(dims));
        for (int i = 0; i < b.Length; i++) b.SetDouble(i, rng.Next(lo, hi + 1));
        return b;
    }

    private static Buffer F64(double[] values, params int[] dims) => Buffer.Of(values, dims);

    /// <summary>The example dims with a batch of <paramref name="size"/> inserted at <paramref name="axis"/> (negative from the end).</summary>
    private static int[] WithBatch(int[] dims, int? axis, int size)
    {
        if (axis is not int a) return dims;
        var list = dims.ToList();
        list.Insert(a < 0 ? a + dims.Length + 1 : a, size);
        return list.ToArray();
    }

    /// <summary><see cref="RuleHarness.CheckBatch"/> with negative axes counted from the end of each batched input.</summary>
    private static void Batch(Primitive primitive, Attributes attributes, Buffer[] inputs, int?[] inAxes) =>
        CheckBatch(primitive, attributes, inputs, inAxes.Select((a, i) => a < 0 ? a + inputs[i].Shape.Rank : a).ToArray());

    /// <summary>The tangents of a primitive's JVP at <paramref name="inputs"/> in direction <paramref name="tangents"/> (one per float input).</summary>
    private static Buffer[] JvpTangents(Primitive primitive, Attributes attributes, Buffer[] inputs, params Buffer[] tangents)
    {
        var jvp = JvpOf(primitive, attributes, inputs);
        var outs = Interpreter.Run(jvp, [.. inputs, .. tangents]);
        return outs.Skip(outs.Length / 2).ToArray();
    }

    private static Function JvpOf(Primitive primitive, Attributes attributes, Buffer[] inputs)
    {
        var f = Single(primitive, inputs.Select(b => b.Type).ToArray(), attributes);
        var jvp = JvpPass.Apply(f, inputs.Select(b => b.DType.IsFloat()).ToArray());
        Verifier.Verify(jvp);
        return jvp;
    }

    private static double[] Values(Buffer b) => Enumerable.Range(0, b.Length).Select(i => b.GetDouble(i)).ToArray();

    private static void AssertClose(double[] expected, Buffer actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.GetDouble(i)) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual.GetDouble(i)}");
    }

    // ---- reduce_sum ----

    [Fact]
    public void ReduceSum_jvp_and_transpose_hold_for_every_axis_subset()
    {
        var rng = new Random(1);
        foreach (var axes in AxisSubsets(3))
        {
            CheckJvp(Prims.ReduceSum, Axes(axes), [Random64(rng, 2, 3, 4)]);
            CheckTranspose(Prims.ReduceSum, Axes(axes), [Random64(rng, 2, 3, 4)], 0);
        }
    }

    [Fact]
    public void ReduceSum_transpose_broadcasts_the_cotangent_back()
    {
        // Lᵀ c for reduce_sum over axis 1 of a [2,3] operand: each row is its cotangent repeated.
        var result = TransposeAt(Prims.ReduceSum, Axes(1), [Buffer.Zeros(DType.Float64, Shape.Of(2, 3))], 0, F64([5, -7]));
        Assert.Equal(new[] { 2, 3 }, result.Dims);
        Assert.Equal([5, 5, 5, -7, -7, -7], Values(result));
    }

    // ---- every reduction: batching ----

    public static TheoryData<string> Reductions => new() { "reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or" };

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Reductions_batch_with_the_batch_axis_anywhere_and_every_axis_subset(string name)
    {
        var primitive = PrimitiveRegistry.Get(name);
        var dtype = name is "reduce_and" or "reduce_or" ? DType.Int32 : DType.Float64;
        var rng = new Random(2);
        int[] dims = [3, 2, 4];
        foreach (var axes in AxisSubsets(3))
            foreach (var axis in BatchAxes)
                Batch(primitive, Axes(axes), [SmallInts(rng, WithBatch(dims, axis, 5), -3, 3, dtype)], [axis]);
    }

    [Fact]
    public void Reduce_and_or_batch_bool_operands()
    {
        var rng = new Random(3);
        foreach (var p in new[] { Prims.ReduceAnd, Prims.ReduceOr })
            foreach (var axis in BatchAxes)
                Batch(p, Axes(1), [SmallInts(rng, WithBatch([2, 3], axis, 4), 0, 1, DType.Bool)], [axis]);
    }

    // ---- reduce_max / reduce_min ----

    [Fact]
    public void ReduceMax_and_min_jvp_match_differences_for_every_axis_subset()
    {
        var rng = new Random(4);
        foreach (var p in new[] { Prims.ReduceMax, Prims.ReduceMin })
            foreach (var axes in AxisSubsets(3))
                CheckJvp(p, Axes(axes), [Random64(rng, 3, 2, 4)]);
    }

    [Fact]
    public void ReduceMax_jvp_averages_the_tangent_over_tied_maxima()
    {
        var x = F64([1, 3, 3, 2, 0, 2, -1, 4, 0], 3, 3);
        var t = F64([0.5, 0.25, 2, 1, -7, 3, 9, -4, 6], 3, 3);
        // Row maxima: 3 at columns 1 and 2, 2 at columns 0 and 2, 4 at column 1 only.
        AssertClose([(0.25 + 2) / 2, (1 + 3) / 2.0, -4], JvpTangents(Prims.ReduceMax, Axes(1), [x], t)[0]);
        // Column minima: -1 (row 2), 0 (row 1), 0 (row 2): no ties.
        AssertClose([9, -7, 6], JvpTangents(Prims.ReduceMin, Axes(0), [x], t)[0]);
        // With two-way ties the average is also what central differences see ((max + min) / 2 of the two slopes).
        CheckJvp(Prims.ReduceMax, Axes(1), [x]);
        CheckJvp(Prims.ReduceMin, Axes(1), [F64([1, 1, 3, 2, 5, 2], 2, 3)]);
        CheckJvp(Prims.ReduceMax, Axes(0, 1), [F64([1, 4, 3, 4, 0, 2], 2, 3)]);
    }

    // ---- reduce_prod ----

    [Fact]
    public void ReduceProd_jvp_matches_differences_with_and_without_zeros()
    {
        var rng = new Random(5);
        foreach (var axes in AxisSubsets(3))
        {
            CheckJvp(Prims.ReduceProd, Axes(axes), [Random64(rng, 3, 2, 4)]);
            var oneZero = Random64(rng, 3, 2, 4);
            oneZero.SetDouble(5, 0);
            CheckJvp(Prims.ReduceProd, Axes(axes), [oneZero]);
            var twoZeros = Random64(rng, 3, 2, 4);
            twoZeros.SetDouble(0, 0);
            twoZeros.SetDouble(1, 0);
            twoZeros.SetDouble(9, 0);
            CheckJvp(Prims.ReduceProd, Axes(axes), [twoZeros]);
        }
    }

    [Fact]
    public void ReduceProd_jvp_is_the_product_of_the_others_times_the_tangent_even_at_zeros()
    {
        // d/dt prod(x + t v) = sum_k v_k prod_{j != k} x_j.
        var t = F64([1, 2, 3]);
        AssertClose([1 * 0 * 5 + 2 * 2 * 5 + 3 * 2 * 0], JvpTangents(Prims.ReduceProd, Axes(0), [F64([2, 0, 5])], t)[0]);
        AssertClose([0], JvpTangents(Prims.ReduceProd, Axes(0), [F64([0, 0, 4])], t)[0]);
        // Over both axes of a [2,2] operand with one zero: only the zero's own tangent survives.
        var x = F64([2, 3, 0, 7], 2, 2);
        AssertClose([2 * 3 * 7 * 0.5], JvpTangents(Prims.ReduceProd, Axes(0, 1), [x], F64([1, 1, 0.5, 1], 2, 2))[0]);
        // The tangent program divides by nothing.
        Assert.DoesNotContain(JvpOf(Prims.ReduceProd, Axes(0, 1), [x]).Body.Operations, op => op.Primitive == Prims.Div);
    }

    // ---- argmax / argmin ----

    [Fact]
    public void Argmax_and_argmin_have_no_tangent_and_batch_along_a_shifted_axis()
    {
        var rng = new Random(6);
        foreach (var p in new[] { Prims.Argmax, Prims.Argmin })
        {
            for (int axis = 0; axis < 2; axis++)
            {
                var attributes = Attributes.Of(("axis", axis), ("index_dtype", DType.Int32));
                CheckJvp(p, attributes, [Random64(rng, 3, 4)]);
                Assert.Equal([0, 0, 0], Values(JvpTangents(p, attributes, [Random64(rng, 3, 3)], Random64(rng, 3, 3))[0]));
                foreach (var batchAxis in BatchAxes)
                    Batch(p, attributes, [SmallInts(rng, WithBatch([3, 4], batchAxis, 5))], [batchAxis]);
            }
        }
    }

    // ---- cumsum ----

    [Fact]
    public void Cumsum_jvp_transpose_and_batching_hold_along_each_axis_and_direction()
    {
        var rng = new Random(7);
        foreach (var reverse in new[] { false, true })
        {
            for (int axis = 0; axis < 3; axis++)
            {
                var attributes = Along(axis, reverse);
                CheckJvp(Prims.Cumsum, attributes, [Random64(rng, 3, 4, 2)]);
                CheckTranspose(Prims.Cumsum, attributes, [Random64(rng, 3, 4, 2)], 0);
                foreach (var batchAxis in BatchAxes)
                    Batch(Prims.Cumsum, attributes, [SmallInts(rng, WithBatch([3, 4, 2], batchAxis, 3))], [batchAxis]);
            }
        }
    }

    [Fact]
    public void Cumsum_transpose_is_the_reverse_cumsum()
    {
        var result = TransposeAt(Prims.Cumsum, Along(0), [Buffer.Zeros(DType.Float64, Shape.Of(4))], 0, F64([1, 2, 3, 4]));
        Assert.Equal([10, 9, 7, 4], Values(result));
        var reversed = TransposeAt(Prims.Cumsum, Along(0, reverse: true), [Buffer.Zeros(DType.Float64, Shape.Of(4))], 0, F64([1, 2, 3, 4]));
        Assert.Equal([1, 3, 6, 10], Values(reversed));
    }

    // ---- cumprod / cummax / cummin ----

    [Fact]
    public void Cumprod_cummax_cummin_jvp_match_differences_for_every_length_and_direction()
    {
        var rng = new Random(8);
        foreach (var p in new[] { Prims.Cumprod, Prims.Cummax, Prims.Cummin })
        {
            foreach (var reverse in new[] { false, true })
            {
                for (int n = 1; n <= 9; n++) CheckJvp(p, Along(0, reverse), [Random64(rng, n)]);
                for (int axis = 0; axis < 2; axis++) CheckJvp(p, Along(axis, reverse), [Random64(rng, 5, 6)]);
            }
        }
    }

    [Fact]
    public void Cumprod_jvp_matches_differences_with_zeros()
    {
        var rng = new Random(9);
        foreach (var reverse in new[] { false, true })
        {
            foreach (var zeros in new[] { new[] { 2 }, new[] { 0 }, new[] { 6 }, new[] { 1, 4 }, new[] { 3, 4 } })
            {
                var x = Random64(rng, 7);
                foreach (var z in zeros) x.SetDouble(z, 0);
                CheckJvp(Prims.Cumprod, Along(0, reverse), [x]);
            }
        }
    }

    [Fact]
    public void Cumprod_jvp_sums_products_of_the_others_at_zeros()
    {
        // y = [x0, x0 x1, x0 x1 x2, x0 x1 x2 x3] at x = [2, 0, 3, 4]; with v = 1: dy_i = sum_k prod_{j <= i, j != k} x_j.
        var x = F64([2, 0, 3, 4]);
        AssertClose([1, 2, 2 * 3, 2 * 3 * 4], JvpTangents(Prims.Cumprod, Along(0), [x], F64([1, 1, 1, 1]))[0]);
        // Reversed: y_i = prod_{j >= i} x_j = [0, 0, 12, 4].
        AssertClose([2 * 3 * 4, 3 * 4, 4 + 3, 1], JvpTangents(Prims.Cumprod, Along(0, reverse: true), [x], F64([0, 1, 1, 1]))[0]);
        Assert.DoesNotContain(JvpOf(Prims.Cumprod, Along(0), [x]).Body.Operations, op => op.Primitive == Prims.Div);
    }

    [Fact]
    public void Cummax_and_cummin_jvp_take_the_tangent_where_the_running_extremum_came_from()
    {
        var x = F64([1, 3, 2, 5, 4, 0]);
        var t = F64([10, 20, 30, 40, 50, 60]);
        AssertClose([10, 20, 20, 40, 40, 40], JvpTangents(Prims.Cummax, Along(0), [x], t)[0]);
        AssertClose([10, 10, 10, 10, 10, 60], JvpTangents(Prims.Cummin, Along(0), [x], t)[0]);
        AssertClose([40, 40, 40, 40, 50, 60], JvpTangents(Prims.Cummax, Along(0, reverse: true), [x], t)[0]);
        // A two-way tie splits the tangent in half, as central differences do.
        AssertClose([10, 20, 25, 25], JvpTangents(Prims.Cummax, Along(0), [F64([1, 3, 3, 2])], F64([10, 20, 30, 40]))[0]);
        CheckJvp(Prims.Cummax, Along(0), [F64([1, 3, 3, 2, 0])]);
        CheckJvp(Prims.Cummin, Along(0), [F64([4, 3, 2, 2, 5, 1])]);
    }

    [Fact]
    public void Cumulative_scans_batch_with_the_batch_axis_anywhere()
    {
        var rng = new Random(10);
        foreach (var p in new[] { Prims.Cumprod, Prims.Cummax, Prims.Cummin })
            foreach (var reverse in new[] { false, true })
                for (int axis = 0; axis < 2; axis++)
                    foreach (var batchAxis in BatchAxes)
                        Batch(p, Along(axis, reverse), [SmallInts(rng, WithBatch([4, 3], batchAxis, 3), -2, 2)], [batchAxis]);
    }

    // ---- sort ----

    [Fact]
    public void Sort_jvp_permutes_the_tangents_with_the_keys()
    {
        var tangents = JvpTangents(Prims.Sort, SortAttributes(0), [F64([3, 1, 2]), F64([0.5, -1, 8])], F64([10, 20, 30]), F64([1, 2, 3]));
        Assert.Equal([20, 30, 10], Values(tangents[0]));
        Assert.Equal([2, 3, 1], Values(tangents[1]));
        // Along dimension 1 of a [2,3] operand, each row sorted on its own.
        var rows = JvpTangents(Prims.Sort, SortAttributes(1), [F64([3, 1, 2, -1, 5, 0], 2, 3)], F64([10, 20, 30, 40, 50, 60], 2, 3));
        Assert.Equal([20, 30, 10, 40, 60, 50], Values(rows[0]));
    }

    [Fact]
    public void Sort_jvp_matches_differences_for_keys_payloads_and_each_dimension()
    {
        var rng = new Random(11);
        for (int dimension = 0; dimension < 2; dimension++)
        {
            CheckJvp(Prims.Sort, SortAttributes(dimension), [Random64(rng, 4, 5)]);
            CheckJvp(Prims.Sort, SortAttributes(dimension), [Random64(rng, 4, 5), Random64(rng, 4, 5)]);
            CheckJvp(Prims.Sort, SortAttributes(dimension, numKeys: 2), [Random64(rng, 4, 5), Random64(rng, 4, 5), Random64(rng, 4, 5)]);
            // Integer keys with ties (stable order) carrying a float payload.
            CheckJvp(Prims.Sort, SortAttributes(dimension), [SmallInts(rng, [4, 5], 0, 2, DType.Int32), Random64(rng, 4, 5)]);
        }
        CheckJvp(Prims.Sort, SortAttributes(2), [Random64(rng, 2, 3, 4)]);
    }

    [Fact]
    public void Sort_batches_with_batched_and_unbatched_operands()
    {
        var rng = new Random(12);
        int[] dims = [4, 5];
        for (int dimension = 0; dimension < 2; dimension++)
        {
            foreach (var axis in BatchAxes)
            {
                var keys = SmallInts(rng, WithBatch(dims, axis, 3), -2, 2);
                Batch(Prims.Sort, SortAttributes(dimension), [keys], [axis]);
                Batch(Prims.Sort, SortAttributes(dimension), [keys, SmallInts(rng, dims)], [axis, null]);
                Batch(Prims.Sort, SortAttributes(dimension), [SmallInts(rng, dims, -1, 1), SmallInts(rng, WithBatch(dims, axis, 3))], [null, axis]);
                Batch(Prims.Sort, SortAttributes(dimension, numKeys: 2),
                    [SmallInts(rng, WithBatch(dims, 0, 3), 0, 1), SmallInts(rng, WithBatch(dims, axis, 3), -1, 1), SmallInts(rng, dims)], [0, axis, null]);
            }
        }
    }

    // ---- dot_general ----

    /// <summary>Dimension numbers with operand shapes: matmul, transposed operands, batch dims, several contracting dims, none.</summary>
    public static TheoryData<int[], int[], int[], int[], int[], int[]> DotCases => new()
    {
        { [3, 4], [4, 5], [1], [0], [], [] },
        { [4, 3], [5, 4], [0], [1], [], [] },
        { [2, 3, 4], [2, 4, 5], [2], [1], [0], [0] },
        { [3, 2, 4, 5], [5, 2, 6, 4], [2, 3], [3, 0], [1], [1] },
        { [2, 3, 4], [3, 4, 2], [2], [1], [0, 1], [2, 0] },
        { [3], [4], [], [], [], [] },
        { [4], [4], [0], [0], [], [] },
        { [2, 4], [4, 2], [], [], [0, 1], [1, 0] },
    };

    [Theory]
    [MemberData(nameof(DotCases))]
    public void DotGeneral_jvp_and_both_transposes_hold(int[] lhs, int[] rhs, int[] lc, int[] rc, int[] lb, int[] rb)
    {
        var rng = new Random(13);
        var attributes = DotDims(lc, rc, lb, rb);
        Buffer[] inputs = [Random64(rng, lhs), Random64(rng, rhs)];
        CheckJvp(Prims.DotGeneral, attributes, inputs);
        CheckTranspose(Prims.DotGeneral, attributes, inputs, 0, seed: 1);
        CheckTranspose(Prims.DotGeneral, attributes, inputs, 1, seed: 2);
    }

    [Theory]
    [MemberData(nameof(DotCases))]
    public void DotGeneral_batches_one_or_both_operands(int[] lhs, int[] rhs, int[] lc, int[] rc, int[] lb, int[] rb)
    {
        var rng = new Random(14);
        var attributes = DotDims(lc, rc, lb, rb);
        foreach (var l in new int?[] { null, 0, 1, -1 })
        {
            foreach (var r in new int?[] { null, 0, 1, -1 })
            {
                if (l is null && r is null) continue;
                Batch(Prims.DotGeneral, attributes, [SmallInts(rng, WithBatch(lhs, l, 3)), SmallInts(rng, WithBatch(rhs, r, 3))], [l, r]);
            }
        }
    }

    [Fact]
    public void DotGeneral_transpose_of_a_matmul_is_the_cotangent_times_the_other_transposed()
    {
        // C = A B with A [2,3], B [3,2]: Aᵀ-cotangent G Bᵀ and B-cotangent Aᵀ G, computed by loops.
        var rng = new Random(15);
        var (a, b, g) = (Random64(rng, 2, 3), Random64(rng, 3, 2), Random64(rng, 2, 2));
        var attributes = DotDims([1], [0]);
        var expectedA = new double[6];
        var expectedB = new double[6];
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 3; k++)
                for (int j = 0; j < 2; j++)
                {
                    expectedA[i * 3 + k] += g.GetDouble(i * 2 + j) * b.GetDouble(k * 2 + j);
                    expectedB[k * 2 + j] += a.GetDouble(i * 3 + k) * g.GetDouble(i * 2 + j);
                }
        AssertClose(expectedA, TransposeAt(Prims.DotGeneral, attributes, [a, b], 0, g));
        AssertClose(expectedB, TransposeAt(Prims.DotGeneral, attributes, [a, b], 1, g));
    }

    [Fact]
    public void DotGeneral_jvp_with_one_tangent_is_the_product_with_that_tangent()
    {
        var rng = new Random(16);
        var attributes = DotDims([1], [0]);
        var (a, b, ta) = (Random64(rng, 2, 3), Random64(rng, 3, 4), Random64(rng, 2, 3));
        var f = Single(Prims.DotGeneral, [a.Type, b.Type], attributes);
        var jvp = JvpPass.Apply(f, [true, false]);
        Verifier.Verify(jvp);
        var tangent = Interpreter.Run(jvp, a, b, ta)[1];
        var expected = Prims.DotGeneral.Evaluate([ta, b], attributes, [], Interpreter.Default)[0];
        Assert.True(expected.BitwiseEquals(tangent));
    }

    [Fact]
    public void Nonlinear_reductions_have_no_transpose_and_dot_general_transposes_one_operand_at_a_time()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(3));
        var block = new Block([ShapedType.Scalar(DType.Float64)]);
        var context = new TransposeContext(new Emitter(block));
        var missing = Assert.Throws<MissingRuleException>(() =>
            Prims.ReduceMax.Transpose(context, [block.Arguments[0]], [new LinearOperand(null, type)], Axes(0), []));
        Assert.Equal("no transpose rule for 'reduce_max'", missing.Message);
        Assert.Throws<MissingRuleException>(() => Prims.Cumprod.Transpose(context, [block.Arguments[0]], [new LinearOperand(null, type)], Along(0), []));
        var both = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.Transpose(context, [block.Arguments[0]],
            [new LinearOperand(null, type), new LinearOperand(null, type)], DotDims([0], [0]), []));
        Assert.StartsWith("dot_general: transpose: both operands f64[3] and f64[3] are linear", both.Message);
    }

    public static TheoryData<string> Differentiable => new()
    {
        "reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "cumsum", "cumprod", "cummax", "cummin", "sort", "dot_general",
    };

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Jvp_of_weak_float32_operands_verifies_and_gives_strong_tangents(string name)
    {
        var primitive = PrimitiveRegistry.Get(name);
        var weak = new ShapedType(DType.Float32, Shape.Of(3, 4), Weak: true);
        var (types, attributes) = name switch
        {
            "sort" => (new[] { weak, weak }, SortAttributes(1)),
            "dot_general" => (new[] { weak, weak with { Shape = Shape.Of(4, 2) } }, DotDims([1], [0])),
            _ when name.StartsWith("cum", StringComparison.Ordinal) => (new[] { weak }, Along(1, reverse: true)),
            _ => (new[] { weak }, Axes(0, 1)),
        };
        var f = Single(primitive, types, attributes);
        // The region form takes strong tangent arguments (JvpPass.TangentType) for the weak primals.
        var (region, _) = JvpPass.JvpRegion(f.Body, types.Select(_ => true).ToArray());
        var jvp = new Function("jvp", region);
        Verifier.Verify(jvp);
        int n = f.ResultTypes.Count;
        for (int r = 0; r < n; r++) Assert.Equal(f.ResultTypes[r] with { Weak = false }, jvp.ResultTypes[n + r]);
        // And the float32 program runs, with finite tangents.
        var rng = new Random(17);
        var inputs = types.Select(t => Uniform(t with { Weak = false }, rng, 1, 2)).ToArray();
        var outs = Interpreter.Run(jvp, [.. inputs, .. types.Select(t => Uniform(t with { Weak = false }, rng, -1, 1))]);
        Assert.All(outs.Skip(n), t => Assert.All(Values(t), v => Assert.True(double.IsFinite(v))));
    }

    [Fact]
    public void Batching_rules_need_no_static_batch_size()
    {
        var x = new ShapedType(DType.Float32, Shape.Of(3, 4));
        var cases = new (Primitive Primitive, ShapedType[] Types, Attributes Attributes, int?[] InAxes, Shape Expected)[]
        {
            (Prims.ReduceSum, [x], Axes(1), [1], new Shape([Dim.Sym("b"), 3])),
            (Prims.Argmax, [x], Attributes.Of(("axis", 0), ("index_dtype", DType.Int32)), [-1], new Shape([Dim.Sym("b"), 4])),
            (Prims.Cummax, [x], Along(1), [0], new Shape([Dim.Sym("b"), 3, 4])),
            (Prims.Sort, [x, x], SortAttributes(0), [null, 1], new Shape([Dim.Sym("b"), 3, 4])),
            (Prims.DotGeneral, [x, x], DotDims([1], [1]), [0, null], new Shape([Dim.Sym("b"), 3, 3])),
            (Prims.DotGeneral, [x, x], DotDims([1], [1]), [2, 0], new Shape([Dim.Sym("b"), 3, 3])),
        };
        foreach (var (primitive, types, attributes, inAxes, expected) in cases)
        {
            var f = Single(primitive, types, attributes);
            var batched = VmapPass.Apply(f, inAxes, f.ResultTypes.Select(_ => (int?)0).ToArray(), Dim.Sym("b"));
            Verifier.Verify(batched);
            Assert.Equal(expected, batched.ResultTypes[0].Shape);
        }
    }

    /// <summary>Runs the transpose rule for operand <paramref name="linear"/> on cotangent <paramref name="ct"/>, the other operands known.</summary>
    private static Buffer TransposeAt(Primitive primitive, Attributes attributes, Buffer[] inputs, int linear, Buffer ct)
    {
        var known = inputs.Where((_, i) => i != linear).ToArray();
        var block = new Block([.. known.Select(k => k.Type), ct.Type]);
        int j = 0;
        var operands = inputs.Select((x, i) => new LinearOperand(i == linear ? null : block.Arguments[j++], x.Type)).ToArray();
        var result = primitive.Transpose(new TransposeContext(new Emitter(block)), [block.Arguments[^1]], operands, attributes, []);
        block.SetResults([result[linear]!]);
        var f = new Function("transpose", block);
        Verifier.Verify(f);
        return Interpreter.Run(f, [.. known, ct])[0];
    }
}
