namespace JaxToolchain.Ir.Tests.Primitives;

public class SortTests
{
    private static Buffer[] Sort(int dimension, int numKeys, params Buffer[] operands) =>
        Prims.Sort.Evaluate(operands, Attributes.Of(("dimension", dimension), ("is_stable", true), ("num_keys", numKeys)), [], Interpreter.Default);

    private static int[] Iota(int n) => Enumerable.Range(0, n).ToArray();

    [Fact]
    public void Sort_orders_floats_with_nans_last_and_signed_zeros_equal()
    {
        double negativeNaN = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001));
        var x = new[] { 3.0, double.NaN, double.NegativeInfinity, -0.0, 0.0, negativeNaN, 1.0, -0.0, double.PositiveInfinity };
        var result = Sort(0, 1, Buffer.Of(x), Buffer.Of(Iota(x.Length)));
        var (sorted, order) = (result[0].Span<double>().ToArray(), result[1].Span<int>().ToArray());
        // Zeros keep their input order (indices 3, 4, 7), NaNs of either sign go last in input order (1, 5).
        Assert.Equal(new[] { 2, 3, 4, 7, 6, 0, 8, 1, 5 }, order);
        Assert.Equal(order.Select(i => BitConverter.DoubleToInt64Bits(x[i])), sorted.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Sort_with_one_key_is_a_stable_argsort_for_every_dtype()
    {
        var rng = new Random(7);
        int n = 200;
        var keys = Enumerable.Range(0, n).Select(_ => rng.Next(-6, 6)).ToArray();
        var expected = Iota(n).OrderBy(i => keys[i]).ToArray();
        var buffers = new[]
        {
            Buffer.Of(keys.Select(k => (sbyte)k).ToArray()),
            Buffer.Of(keys.Select(k => (long)k * 1_000_000_000_000L).ToArray()),
            Buffer.Of(keys.Select(k => (ulong)(k + 6) * (ulong.MaxValue / 16)).ToArray()),
            Buffer.Of(keys.Select(k => (Half)k).ToArray()),
            Buffer.Of(keys.Select(k => (BFloat16)(float)k).ToArray()),
            Buffer.Of(keys.Select(k => k * 0.25f).ToArray()),
        };
        foreach (var key in buffers)
        {
            var result = Sort(0, 1, key, Buffer.Of(Iota(n)));
            Assert.Equal(expected, result[1].Span<int>().ToArray());
            for (int i = 0; i < n; i++) Assert.Equal(key.GetDouble(expected[i]), result[0].GetDouble(i));
        }
    }

    [Fact]
    public void Sort_with_two_keys_orders_lexicographically_and_permutes_every_operand()
    {
        var k1 = new[] { 1, 0, 1, 0, 1, 0, 1 };
        var k2 = new[] { 3.0, 2.0, 1.0, 2.0, 1.0, -5.0, 3.0 };
        var payload = new[] { 'a', 'b', 'c', 'd', 'e', 'f', 'g' }.Select(c => (short)c).ToArray();
        var expected = Iota(7).OrderBy(i => k1[i]).ThenBy(i => k2[i]).ToArray();
        var result = Sort(0, 2, Buffer.Of(k1), Buffer.Of(k2), Buffer.Of(payload));
        Assert.Equal(expected.Select(i => k1[i]), result[0].Span<int>().ToArray());
        Assert.Equal(expected.Select(i => k2[i]), result[1].Span<double>().ToArray());
        Assert.Equal(expected.Select(i => payload[i]), result[2].Span<short>().ToArray());
        // With one key the second operand is payload only: ties on k1 keep input order.
        var oneKey = Sort(0, 1, Buffer.Of(k1), Buffer.Of(k2));
        Assert.Equal(Iota(7).OrderBy(i => k1[i]).Select(i => k2[i]), oneKey[1].Span<double>().ToArray());
    }

    [Fact]
    public void Sort_along_a_leading_dimension_sorts_each_column()
    {
        var rng = new Random(8);
        int rows = 6, cols = 4;
        var x = Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble()).ToArray();
        var result = Sort(0, 1, Buffer.Of(x, rows, cols))[0].Span<double>().ToArray();
        for (int c = 0; c < cols; c++)
        {
            var column = Enumerable.Range(0, rows).Select(r => x[r * cols + c]).OrderBy(v => v).ToArray();
            Assert.Equal(column, Enumerable.Range(0, rows).Select(r => result[r * cols + c]));
        }
        var byRow = Sort(1, 1, Buffer.Of(x, rows, cols))[0].Span<double>().ToArray();
        for (int r = 0; r < rows; r++)
            Assert.Equal(x.Skip(r * cols).Take(cols).OrderBy(v => v), byRow.Skip(r * cols).Take(cols));
    }

    [Fact]
    public void Sort_of_bools_puts_false_first()
    {
        var result = Sort(0, 1, Buffer.Of(new[] { true, false, true, false }), Buffer.Of(Iota(4)));
        Assert.Equal(new[] { false, false, true, true }, result[0].Span<bool>().ToArray());
        Assert.Equal(new[] { 1, 3, 0, 2 }, result[1].Span<int>().ToArray());
    }

    [Fact]
    public void Sort_keeps_operand_types_and_rejects_bad_operands()
    {
        var f = new ShapedType(DType.Float32, Shape.Of(3, 4), Weak: true);
        var i = new ShapedType(DType.Int32, Shape.Of(3, 4));
        var attributes = Attributes.Of(("dimension", 1), ("is_stable", false), ("num_keys", 1));
        Assert.Equal(new[] { f, i }, Prims.Sort.InferTypes([f, i], attributes, []));
        var e = Assert.Throws<JaxTypeException>(() => Prims.Sort.InferTypes([f, new ShapedType(DType.Int32, Shape.Of(4))], attributes, []));
        Assert.Equal("sort: operands must have equal shapes, got f32[3,4]{weak}, i32[4]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Sort.InferTypes([f, i], attributes.With("num_keys", 3), []));
        Assert.Equal("sort: num_keys must be in [1, 2] for 2 operands, got 3", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Sort.InferTypes([f], attributes.With("dimension", 2), []));
        Assert.Equal("sort: dimension 2 is out of range for f32[3,4]{weak} (axes must be in [0, 2))", e.Message);
    }
}
