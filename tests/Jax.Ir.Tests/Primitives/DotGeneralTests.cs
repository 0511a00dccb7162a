namespace JaxToolchain.Ir.Tests.Primitives;

public class DotGeneralTests
{
    private static Attributes Dims(int[] lc, int[] rc, int[]? lb = null, int[]? rb = null) => Attributes.Of(
        ("lhs_contracting_dims", lc), ("rhs_contracting_dims", rc), ("lhs_batch_dims", lb ?? []), ("rhs_batch_dims", rb ?? []));

    private static readonly Attributes MatMul = Dims([1], [0]);

    private static Buffer Dot(Buffer lhs, Buffer rhs, Attributes attributes) =>
        Prims.DotGeneral.Evaluate([lhs, rhs], attributes, [], Interpreter.Default).Single();

    /// <summary>
    /// An independent dot_general over multi-indices: for each output index (batch, lhs free, rhs free), the sum
    /// over every contracting multi-index, accumulated with <paramref name="add"/>. Also returns the sum of
    /// |products| per output for float error bounds.
    /// </summary>
    private static (T[] Values, double[] AbsSums) Naive<T>(T[] lhs, int[] ld, T[] rhs, int[] rd, Attributes attributes,
        T zero, Func<T, T, T> multiply, Func<T, T, T> add, Func<T, double> abs)
    {
        int[] lc = attributes.IntArray("lhs_contracting_dims"), rc = attributes.IntArray("rhs_contracting_dims");
        int[] lb = attributes.IntArray("lhs_batch_dims"), rb = attributes.IntArray("rhs_batch_dims");
        var lf = Enumerable.Range(0, ld.Length).Where(d => !lc.Contains(d) && !lb.Contains(d)).ToArray();
        var rf = Enumerable.Range(0, rd.Length).Where(d => !rc.Contains(d) && !rb.Contains(d)).ToArray();
        int[] outDims = [.. lb.Select(d => ld[d]), .. lf.Select(d => ld[d]), .. rf.Select(d => rd[d])];
        int[] contractDims = lc.Select(d => ld[d]).ToArray();
        int outCount = outDims.Aggregate(1, (a, b) => a * b), contractCount = contractDims.Aggregate(1, (a, b) => a * b);
        var (ls, rs) = (Strides.RowMajor(ld), Strides.RowMajor(rd));
        var values = new T[outCount];
        var absSums = new double[outCount];
        var oi = new int[outDims.Length];
        var ci = new int[contractDims.Length];
        for (int o = 0; o < outCount; o++)
        {
            Strides.Unravel(o, outDims, oi);
            T sum = zero;
            for (int c = 0; c < contractCount; c++)
            {
                Strides.Unravel(c, contractDims, ci);
                int l = 0, r = 0;
                for (int i = 0; i < lb.Length; i++) { l += oi[i] * ls[lb[i]]; r += oi[i] * rs[rb[i]]; }
                for (int i = 0; i < lf.Length; i++) l += oi[lb.Length + i] * ls[lf[i]];
                for (int i = 0; i < rf.Length; i++) r += oi[lb.Length + lf.Length + i] * rs[rf[i]];
                for (int i = 0; i < lc.Length; i++) { l += ci[i] * ls[lc[i]]; r += ci[i] * rs[rc[i]]; }
                var p = multiply(lhs[l], rhs[r]);
                sum = add(sum, p);
                absSums[o] += abs(p);
            }
            values[o] = sum;
        }
        return (values, absSums);
    }

    private static float[] RandomFloats(int n, Random rng) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    private static void AssertFloatDot(int[] ld, int[] rd, Attributes attributes, int seed)
    {
        var rng = new Random(seed);
        var a = RandomFloats(ld.Aggregate(1, (x, y) => x * y), rng);
        var b = RandomFloats(rd.Aggregate(1, (x, y) => x * y), rng);
        var (expected, bound) = Naive(a.Select(v => (double)v).ToArray(), ld, b.Select(v => (double)v).ToArray(), rd, attributes,
            0.0, (x, y) => x * y, (x, y) => x + y, Math.Abs);
        var actual = Dot(Buffer.Of(a, ld), Buffer.Of(b, rd), attributes);
        Assert.Equal(DType.Float32, actual.DType);
        var values = actual.Span<float>();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) <= 1e-6 * (bound[i] + 1),
                $"element {i}: {values[i]} vs {expected[i]} (shapes [{string.Join(",", ld)}]x[{string.Join(",", rd)}])");
    }

    [Theory]
    [InlineData(5, 7, 3)]        // thin: one dot product per element
    [InlineData(4, 9, 40)]       // fewer rows than a register tile: row-by-row
    [InlineData(6, 64, 32)]      // exactly one register tile wide
    [InlineData(70, 300, 45)]    // blocked, with ragged row and column tiles and two k blocks
    [InlineData(13, 517, 40)]    // three k blocks
    [InlineData(161, 160, 161)]  // blocked and parallel over row blocks
    public void MatMul_float32_matches_double_loops(int m, int k, int n) => AssertFloatDot([m, k], [k, n], MatMul, m * 1000 + n);

    [Fact]
    public void MatMul_float64_matches_exact_sums_of_integers()
    {
        var rng = new Random(9);
        int m = 37, k = 300, n = 53;
        var a = Enumerable.Range(0, m * k).Select(_ => (double)rng.Next(-1000, 1000)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (double)rng.Next(-1000, 1000)).ToArray();
        var (expected, _) = Naive(a, [m, k], b, [k, n], MatMul, 0.0, (x, y) => x * y, (x, y) => x + y, Math.Abs);
        Assert.Equal(expected, Dot(Buffer.Of(a, m, k), Buffer.Of(b, k, n), MatMul).Span<double>().ToArray());
    }

    [Fact]
    public void DotGeneral_with_batch_and_several_contracting_dims_matches_loops()
    {
        // lhs [b=2, m=3, k1=4, k2=5], rhs [k2=5, b=2, k1=4, n=6]; contracted pairs (2,2) and (3,0).
        var attributes = Dims([2, 3], [2, 0], [0], [1]);
        Assert.Equal(Shape.Of(2, 3, 6), Prims.DotGeneral.InferTypes(
            [new ShapedType(DType.Float32, Shape.Of(2, 3, 4, 5)), new ShapedType(DType.Float32, Shape.Of(5, 2, 4, 6))], attributes, []).Single().Shape);
        AssertFloatDot([2, 3, 4, 5], [5, 2, 4, 6], attributes, 10);
        // A batch dim that is not leading, and free dims on both sides of it.
        AssertFloatDot([3, 2, 7, 4], [2, 4, 5], Dims([3], [1], [1], [0]), 11);
        // Several batch dims with a big enough matrix per batch to take the blocked path.
        AssertFloatDot([2, 3, 20, 64], [3, 2, 64, 33], Dims([3], [2], [0, 1], [1, 0]), 12);
    }

    [Fact]
    public void DotGeneral_with_transposed_operands_matches_loops()
    {
        AssertFloatDot([50, 40], [33, 50], Dims([0], [1]), 13);   // A^T B^T
        AssertFloatDot([3], [4], Dims([], []), 14);                // outer product
        AssertFloatDot([300], [300], Dims([0], [0]), 15);          // inner product to a scalar
    }

    [Fact]
    public void DotGeneral_of_integers_wraps()
    {
        Assert.Equal(0, Dot(Buffer.Of(new[] { 65536 }, 1, 1), Buffer.Of(new[] { 65536 }, 1, 1), MatMul).Span<int>()[0]);
        var rng = new Random(16);
        foreach (var n in new[] { 3, 17 })
        {
            var a = Enumerable.Range(0, 4 * 20).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray();
            var b = Enumerable.Range(0, 20 * n).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray();
            var (expected, _) = Naive(a, [4, 20], b, [20, n], MatMul, (sbyte)0, (x, y) => unchecked((sbyte)(x * y)), (x, y) => unchecked((sbyte)(x + y)), x => 0);
            Assert.Equal(expected, Dot(Buffer.Of(a, 4, 20), Buffer.Of(b, 20, n), MatMul).Span<sbyte>().ToArray());
        }
        var u = Enumerable.Range(0, 64).Select(i => ulong.MaxValue - (ulong)i).ToArray();
        var (uExpected, _) = Naive(u, [8, 8], u, [8, 8], MatMul, 0UL, (x, y) => unchecked(x * y), (x, y) => unchecked(x + y), x => 0);
        Assert.Equal(uExpected, Dot(Buffer.Of(u, 8, 8), Buffer.Of(u, 8, 8), MatMul).Span<ulong>().ToArray());
    }

    [Fact]
    public void DotGeneral_of_bools_is_or_of_and()
    {
        var rng = new Random(17);
        foreach (var n in new[] { 5, 300 })
        {
            var a = Enumerable.Range(0, 6 * 40).Select(_ => rng.Next(8) == 0).ToArray();
            var b = Enumerable.Range(0, 40 * n).Select(_ => rng.Next(8) == 0).ToArray();
            var (expected, _) = Naive(a, [6, 40], b, [40, n], MatMul, false, (x, y) => x && y, (x, y) => x || y, x => 0);
            Assert.Equal(expected, Dot(Buffer.Of(a, 6, 40), Buffer.Of(b, 40, n), MatMul).Span<bool>().ToArray());
        }
        // 256 true products must not wrap around to false.
        var ones = Enumerable.Repeat(true, 256).ToArray();
        Assert.True(Dot(Buffer.Of(ones), Buffer.Of(ones), Dims([0], [0])).Span<bool>()[0]);
    }

    [Fact]
    public void DotGeneral_of_float16_and_bfloat16_accumulates_in_float32()
    {
        // float16 accumulation would stall at 2048, bfloat16 at 256.
        var halves = Enumerable.Repeat((Half)1, 3000).ToArray();
        Assert.Equal((Half)3000, Dot(Buffer.Of(halves), Buffer.Of(halves), Dims([0], [0])).Span<Half>()[0]);
        var bf = Enumerable.Repeat((BFloat16)1f, 300).ToArray();
        Assert.Equal(300f, (float)Dot(Buffer.Of(bf, 1, 300), Buffer.Of(bf, 300, 1), MatMul).Span<BFloat16>()[0]);
        // A blocked-size float16 product rounds each float32 sum once.
        var rng = new Random(18);
        var a = Enumerable.Range(0, 12 * 64).Select(_ => (Half)rng.Next(-4, 5)).ToArray();
        var b = Enumerable.Range(0, 64 * 48).Select(_ => (Half)rng.Next(-4, 5)).ToArray();
        var (expected, _) = Naive(a.Select(v => (double)v).ToArray(), [12, 64], b.Select(v => (double)v).ToArray(), [64, 48], MatMul,
            0.0, (x, y) => x * y, (x, y) => x + y, Math.Abs);
        Assert.Equal(expected.Select(v => (Half)v), Dot(Buffer.Of(a, 12, 64), Buffer.Of(b, 64, 48), MatMul).Span<Half>().ToArray());
    }

    [Fact]
    public void DotGeneral_over_an_empty_contraction_gives_zeros()
    {
        var result = Dot(Buffer.Zeros(DType.Float32, Shape.Of(3, 0)), Buffer.Zeros(DType.Float32, Shape.Of(0, 4)), MatMul);
        Assert.Equal(Shape.Of(3, 4), result.Shape);
        Assert.All(result.Span<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void DotGeneral_result_is_weak_only_when_both_operands_are()
    {
        var weak = new ShapedType(DType.Float32, new Shape(Dim.Sym("n"), 3), Weak: true);
        var strong = new ShapedType(DType.Float32, Shape.Of(3, 4));
        Assert.Equal(new ShapedType(DType.Float32, new Shape(Dim.Sym("n"), 4)), Prims.DotGeneral.InferTypes([weak, strong], MatMul, []).Single());
        Assert.True(Prims.DotGeneral.InferTypes([weak, strong with { Weak = true }], MatMul, []).Single().Weak);
    }

    [Fact]
    public void DotGeneral_errors_name_the_operation_and_the_types()
    {
        var f23 = new ShapedType(DType.Float32, Shape.Of(2, 3));
        var e = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.InferTypes([f23, new ShapedType(DType.Float64, Shape.Of(3, 4))], MatMul, []));
        Assert.Equal("dot_general: requires operands of the same dtype, got f32[2,3] and f64[3,4]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.InferTypes([f23, new ShapedType(DType.Float32, Shape.Of(4, 4))], MatMul, []));
        Assert.Equal("dot_general: contracting dimensions must have equal sizes, got f32[2,3] with lhs_contracting_dims [1] and f32[4,4] with rhs_contracting_dims [0]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.InferTypes([f23, f23], Dims([1], [1], [0], []), []));
        Assert.Equal("dot_general: requires equal numbers of lhs_batch_dims and rhs_batch_dims, got [0] and []", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.InferTypes([f23, f23], Dims([1], [1], [1], [1]), []));
        Assert.Equal("dot_general: lhs_batch_dims [1] and lhs_contracting_dims [1] repeat an axis of f32[2,3]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.InferTypes([f23, f23], Dims([2], [1]), []));
        Assert.Equal("dot_general: lhs_contracting_dims [2] out of range for f32[2,3]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.DotGeneral.InferTypes([f23, new ShapedType(DType.Float32, Shape.Of(3, 3))], Dims([1], [1], [0], [0]), []));
        Assert.Equal("dot_general: batch dimensions must have equal sizes, got f32[2,3] with lhs_batch_dims [0] and f32[3,3] with rhs_batch_dims [0]", e.Message);
    }
}
