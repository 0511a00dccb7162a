using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Types;

public class ShapeAndDTypeTests
{
    [Fact]
    public void Shaped_types_print_as_in_jaxprs()
    {
        Assert.Equal("f32[3,n]", new ShapedType(DType.Float32, new Shape(Dim.Of(3), Dim.Sym("n"))).ToString());
        Assert.Equal("i32[]{weak}", ShapedType.Scalar(DType.Int32, weak: true).ToString());
        Assert.Equal("bf16[2]", new ShapedType(DType.BFloat16, Shape.Of(2)).ToString());
        Assert.Equal("float32[2,3]", new ShapedType(DType.Float32, Shape.Of(2, 3)).ToLongString());
    }

    [Fact]
    public void Shapes_compare_by_dimensions_and_print_numpy_tuples()
    {
        Assert.Equal(Shape.Of(2, 3), Shape.Of(2L, 3L));
        Assert.NotEqual(Shape.Of(2, 3), new Shape(Dim.Of(2), Dim.Sym("n")));
        Assert.Equal("(3,)", Shape.Of(3).ToTupleString());
        Assert.Equal("(2, 3)", Shape.Of(2, 3).ToTupleString());
        Assert.Equal("()", Shape.Scalar.ToTupleString());
        Assert.Equal(6, Shape.Of(2, 3).ElementCount);
        Assert.Throws<InvalidOperationException>(() => new Shape(Dim.Sym("n")).ElementCount);
    }

    [Fact]
    public void Dtype_names_round_trip()
    {
        foreach (var t in DTypes.All)
        {
            Assert.Equal(t, DTypes.Parse(t.Name()));
            Assert.Equal(t, DTypes.Parse(t.ShortName()));
            Assert.Equal(t, DTypes.FromClrType(t.ClrType()));
        }
        Assert.Throws<FormatException>(() => DTypes.Parse("float128"));
    }

    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(-2.0f, 0xC000)]
    [InlineData(3.14159265f, 0x4049)]       // pi rounds to 3.140625
    [InlineData(1.00390625f, 0x3F80)]       // exactly half an ulp: ties to even (down)
    [InlineData(1.01171875f, 0x3F82)]       // 1.5 ulp: ties to even (up)
    [InlineData(float.PositiveInfinity, 0x7F80)]
    public void Bfloat16_rounds_to_nearest_even(float value, int bits) =>
        Assert.Equal((ushort)bits, BFloat16.FromBits(((BFloat16)value).Bits).Bits);

    [Fact]
    public void Bfloat16_keeps_nan_and_prints_shortest()
    {
        Assert.True(float.IsNaN((BFloat16)float.NaN));
        Assert.Equal("3.14", ((BFloat16)3.14159265f).ToString());
        Assert.Equal("1", ((BFloat16)1f).ToString());
    }
}
