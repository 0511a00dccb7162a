using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>NumPy broadcasting through binary operations and <c>where</c>, checked against index arithmetic.</summary>
public class BroadcastingTests
{
    private static long[] ParseShape(string s) =>
        s.Length == 0 ? [] : [.. s.Split(',').Select(long.Parse)];

    /// <summary>The row-major offset in an operand of shape <paramref name="shape"/> for an index of the broadcast result.</summary>
    private static long OperandOffset(long[] resultIndex, long[] shape)
    {
        long offset = 0;
        int lead = resultIndex.Length - shape.Length;
        for (int d = 0; d < shape.Length; d++)
            offset = offset * shape[d] + (shape[d] == 1 ? 0 : resultIndex[lead + d]);
        return offset;
    }

    [Theory]
    [InlineData("", "3", "3")]
    [InlineData("3", "", "3")]
    [InlineData("3", "1", "3")]
    [InlineData("2,1", "3", "2,3")]
    [InlineData("2,3", "3", "2,3")]
    [InlineData("1,3", "2,1", "2,3")]
    [InlineData("4,1,3", "2,1", "4,2,3")]
    [InlineData("5,1,4", "3,1", "5,3,4")]
    [InlineData("1,1,1", "2", "1,1,2")]
    [InlineData("0", "1", "0")]
    [InlineData("2,0", "1,0", "2,0")]
    [InlineData("2,1,3,1", "4,1,5", "2,4,3,5")]
    [InlineData("", "", "")]
    public void Binary_operations_broadcast_shapes_and_values(string a, string b, string result)
    {
        var sa = ParseShape(a);
        var sb = ParseShape(b);
        var sr = ParseShape(result);
        var x = Expect.Iota(DType.Float32, sa);
        var y = Jnp.Multiply(Expect.Iota(DType.Float32, sb), 100);
        var expected = Expect.Indices(sr).Select(i => OperandOffset(i, sa) + 100.0 * OperandOffset(i, sb)).ToArray();
        Expect.Array(x + y, DType.Float32, sr, expected);
        var difference = Expect.Indices(sr).Select(i => OperandOffset(i, sa) - 100.0 * OperandOffset(i, sb)).ToArray();
        Expect.Array(x - y, DType.Float32, sr, difference);
        Expect.Shape(Jnp.Maximum(x, y), sr);
        Expect.Shape(x < y, sr);
        Expect.Shape(Jnp.Arctan2(x, y), sr);
    }

    [Theory]
    [InlineData("3", "4")]
    [InlineData("2,3", "3,2")]
    [InlineData("2,3", "2")]
    [InlineData("0", "2")]
    [InlineData("4,2,3", "3,3")]
    [InlineData("2,1,3", "4,2")]
    public void Incompatible_shapes_raise_naming_both(string a, string b)
    {
        var x = Expect.Iota(DType.Float32, ParseShape(a));
        var y = Expect.Iota(DType.Int32, ParseShape(b));
        string fa = $"float32[{a}]", fb = $"int32[{b}]";
        Expect.Error(() => Jnp.Add(x, y), "add", fa, fb, "BroadcastingTests.cs(");
        Expect.Error(() => _ = x * y, "multiply", fa, fb, "BroadcastingTests.cs(");
        Expect.Error(() => Jnp.Less(x, y), "less", fa, fb, "BroadcastingTests.cs(");
        Expect.Error(() => Jnp.Power(x, y), "power", fa, fb, "BroadcastingTests.cs(");
        Expect.Error(() => Jnp.Divide(x, y), "true_divide", "BroadcastingTests.cs(");
    }

    [Theory]
    [InlineData("3,1", "1,4", "", "3,4")]
    [InlineData("", "2,3", "3", "2,3")]
    [InlineData("2,1,1", "3,1", "1,4", "2,3,4")]
    [InlineData("4", "", "", "4")]
    public void Where_broadcasts_all_three_operands(string c, string a, string b, string result)
    {
        var sc = ParseShape(c);
        var sa = ParseShape(a);
        var sb = ParseShape(b);
        var sr = ParseShape(result);
        var cond = Jnp.Equal(Jnp.Remainder(Expect.Iota(DType.Int32, sc), 2), 0);
        var x = Expect.Iota(DType.Float32, sa);
        var y = Jnp.Negative(Expect.Iota(DType.Float32, sb)) - 1;
        var expected = Expect.Indices(sr).Select(i => OperandOffset(i, sc) % 2 == 0 ? OperandOffset(i, sa) : -OperandOffset(i, sb) - 1.0).ToArray();
        Expect.Array(Jnp.Where(cond, x, y), DType.Float32, sr, expected);
    }

    [Fact]
    public void Where_with_mismatched_condition_names_where()
    {
        var cond = Jnp.Array(new bool[] { true, false });
        Expect.Error(() => Jnp.Where(cond, Jnp.Zeros(3), 1.0), "where", "bool[2]", "float32[3]", "BroadcastingTests.cs(");
    }

    [Fact]
    public void Where_of_a_numeric_condition_uses_truthiness()
    {
        var y = Jnp.Where(Jnp.Array(new float[] { 0, 2, -0.0f, float.NaN }), 1, 0);
        Expect.Values(y, [0, 1, 0, 1]);
    }

    [Theory]
    [InlineData("3", "2,3", "2,3")]
    [InlineData("1", "4", "4")]
    [InlineData("2,1", "2,5", "2,5")]
    [InlineData("", "2,2", "2,2")]
    public void BroadcastTo_repeats_values(string from, string to, string result)
    {
        var sf = ParseShape(from);
        var st = ParseShape(to).Select(d => (int)d).ToArray();
        var sr = ParseShape(result);
        var expected = Expect.Indices(sr).Select(i => (double)OperandOffset(i, sf)).ToArray();
        Expect.Array(Jnp.BroadcastTo(Expect.Iota(DType.Int32, sf), st), DType.Int32, sr, expected);
    }

    [Theory]
    [InlineData("3", "4")]
    [InlineData("2,3", "3")]
    [InlineData("2", "2,3")]
    public void BroadcastTo_rejects_shapes_it_cannot_reach(string from, string to)
    {
        var st = ParseShape(to).Select(d => (int)d).ToArray();
        Expect.Error(() => Jnp.BroadcastTo(Expect.Iota(DType.Int32, ParseShape(from)), st), "broadcast_to", $"int32[{from}]", "BroadcastingTests.cs(");
    }

    [Fact]
    public void BroadcastArrays_gives_every_operand_the_common_shape()
    {
        var parts = Jnp.BroadcastArrays(Jnp.Arange(3).Reshape(3, 1), Jnp.Arange(2), Jnp.Array(5));
        Assert.Equal(3, parts.Length);
        foreach (var p in parts) Expect.Shape(p, 3, 2);
        Expect.Values(parts[0], [0, 0, 1, 1, 2, 2]);
        Expect.Values(parts[1], [0, 1, 0, 1, 0, 1]);
        Expect.Values(parts[2], [5, 5, 5, 5, 5, 5]);
    }

    [Fact]
    public void BroadcastArrays_rejects_incompatible_shapes()
    {
        Expect.Error(() => Jnp.BroadcastArrays(Jnp.Zeros(2), Jnp.Zeros(3)), "broadcast_arrays", "float32[2]", "float32[3]", "BroadcastingTests.cs(");
    }
}
