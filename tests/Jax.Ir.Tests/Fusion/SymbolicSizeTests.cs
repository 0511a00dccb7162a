namespace JaxToolchain.Ir.Tests.Fusion;

public class SymbolicSizeTests
{
    private static readonly Dictionary<string, long> N1000M3 = new() { ["n"] = 1000, ["m"] = 3 };

    [Fact]
    public void Byte_sizes_are_canonical_products_that_evaluate_for_bindings()
    {
        var a = SymbolicSize.ByteSize(new ShapedType(DType.Float32, new Shape(Dim.Sym("n"), 100)));
        var b = SymbolicSize.ByteSize(new ShapedType(DType.Int32, new Shape(100, Dim.Sym("n"))));
        Assert.Equal("400*n", a.ToString());
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(400_000, a.Evaluate(N1000M3));
        var c = SymbolicSize.ByteSize(new ShapedType(DType.Float64, new Shape(Dim.Sym("n"), Dim.Sym("m"), Dim.Sym("n"))));
        Assert.Equal("8*m*n*n", c.ToString());
        Assert.False(c.IsStatic);
        Assert.Equal(["m", "n"], c.Symbols);
    }

    [Fact]
    public void Sums_collect_like_terms_and_static_sizes_have_a_value()
    {
        var n = SymbolicSize.Of(Dim.Sym("n"));
        var total = SymbolicSize.Of(4) * n + SymbolicSize.Of(8) + n * SymbolicSize.Of(4) + SymbolicSize.Of(Dim.Sym("m")) * n;
        Assert.Equal("m*n + 8*n + 8", total.ToString());
        Assert.Equal(3000 + 8000 + 8, total.Evaluate(N1000M3));
        Assert.Equal("0", (SymbolicSize.Of(4) + SymbolicSize.Of(-4)).ToString());
        var fixedSize = SymbolicSize.ByteSize(new ShapedType(DType.BFloat16, Shape.Of(3, 5)));
        Assert.True(fixedSize.IsStatic);
        Assert.Equal(30, fixedSize.Value);
        Assert.Throws<KeyNotFoundException>(() => n.Evaluate(new Dictionary<string, long>()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("64")]
    [InlineData("400*n")]
    [InlineData("m*n + 8*n + 8")]
    [InlineData("8*m*n*n")]
    [InlineData("n - 8")]
    [InlineData("-4*batch_size + 2*n_1")]
    public void Printed_sizes_parse_back_to_equal_sizes(string text)
    {
        var size = SymbolicSize.Parse(text);
        Assert.Equal(text, size.ToString());
        Assert.Equal(size, SymbolicSize.Parse(size.ToString()));
    }

    [Fact]
    public void Parsing_collects_terms_and_refuses_other_text()
    {
        Assert.Equal("m*n + 12", SymbolicSize.Parse("2*3*2 + n*m").ToString());
        Assert.Equal("n", SymbolicSize.Parse("n - 1*k + k").ToString());
        foreach (string bad in new[] { "", "+ 4", "4 +", "4**n", "n m", "4.5", "(n)" })
            Assert.Throws<FormatException>(() => SymbolicSize.Parse(bad));
    }
}
