using static JaxToolchain.Ir.Tests.Primitives.ElementwiseHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class ElementwiseSelectClampTests
{
    public static TheoryData<DType> AllDTypes() => new(DTypes.All);

    public static TheoryData<DType> FloatTypes() => new(FloatDTypes);

    private static Buffer Small(DType dtype, params long[] values) =>
        dtype.IsFloat() ? Vector(dtype, values.Select(v => (double)v).ToArray()) : Integers(dtype, values);

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Select_picks_on_true_where_pred_holds(DType dtype)
    {
        var onTrue = Small(dtype, 1, 0, 1, 1);
        var onFalse = Small(dtype, 0, 1, 0, 0);
        var result = Run(Prims.Select, Bools(true, false, false, true), onTrue, onFalse);
        Assert.Equal(onTrue.Type, result.Type);
        Assert.Equal(Doubles(Small(dtype, 1, 1, 0, 1)), Doubles(result));
    }

    [Theory]
    [InlineData(DType.Int8)]
    [InlineData(DType.Int64)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float64)]
    public void Select_with_scalar_pred_takes_a_whole_branch(DType dtype)
    {
        var onTrue = Small(dtype, 1, 2, 3).Reshape(Shape.Of(3, 1));
        var onFalse = Small(dtype, 7, 8, 9).Reshape(Shape.Of(3, 1));
        Assert.True(Run(Prims.Select, Buffer.Scalar(true), onTrue, onFalse).BitwiseEquals(onTrue));
        Assert.True(Run(Prims.Select, Buffer.Scalar(false), onTrue, onFalse).BitwiseEquals(onFalse));
    }

    [Fact]
    public void Select_moves_bits_exactly()
    {
        var nan = BitConverter.Int32BitsToSingle(0x7FC01234); // a NaN with a payload
        var result = Run(Prims.Select, Bools(true, false), Buffer.Of([nan, 1f]), Buffer.Of([0f, -0f]));
        Assert.Equal(0x7FC01234, BitConverter.SingleToInt32Bits(result.Span<float>()[0]));
        Assert.Equal(int.MinValue, BitConverter.SingleToInt32Bits(result.Span<float>()[1]));
    }

    [Fact]
    public void Select_rules_name_the_op_and_types()
    {
        var f3 = new ShapedType(DType.Float32, Shape.Of(3));
        var b3 = new ShapedType(DType.Bool, Shape.Of(3));
        Assert.Equal("select: predicate must be bool, got f32[3]", ErrorOf(Prims.Select, null, f3, f3, f3));
        Assert.Equal("select: incompatible shapes bool[2] and f32[3]", ErrorOf(Prims.Select, null, new ShapedType(DType.Bool, Shape.Of(2)), f3, f3));
        Assert.Equal("select: mismatched dtypes f32[3] and i32[3]", ErrorOf(Prims.Select, null, b3, f3, new ShapedType(DType.Int32, Shape.Of(3))));
        Assert.Equal("select: incompatible shapes f32[3] and f32[]", ErrorOf(Prims.Select, null, b3, f3, ShapedType.Scalar(DType.Float32)));
        Assert.Equal("select: expects 3 operands, got 2", ErrorOf(Prims.Select, null, b3, f3));
    }

    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(true, true, false, false)]
    [InlineData(false, true, true, true)]
    [InlineData(true, true, true, true)]
    public void Select_is_weak_iff_both_branches_are(bool predWeak, bool trueWeak, bool falseWeak, bool resultWeak)
    {
        var shape = Shape.Of(2);
        var result = Infer(Prims.Select, new ShapedType(DType.Bool, shape, predWeak),
            new ShapedType(DType.Int32, shape, trueWeak), new ShapedType(DType.Int32, shape, falseWeak));
        Assert.Equal(new ShapedType(DType.Int32, shape, resultWeak), result);
    }

    [Theory]
    [InlineData(DType.Int8)]
    [InlineData(DType.Int16)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    [InlineData(DType.UInt8)]
    [InlineData(DType.UInt32)]
    [MemberData(nameof(FloatTypes))]
    public void Clamp_with_scalar_and_array_bounds(DType dtype)
    {
        var x = Small(dtype, 0, 3, 20, 7);
        var scalarResult = Run(Prims.Clamp, Small(dtype, 2).Reshape(Shape.Scalar), x, Small(dtype, 10).Reshape(Shape.Scalar));
        Assert.Equal(Doubles(Small(dtype, 2, 3, 10, 7)), Doubles(scalarResult));
        // Per-element bounds; where lo > hi the result is hi.
        var arrayResult = Run(Prims.Clamp, Small(dtype, 1, 4, 0, 9), x, Small(dtype, 2, 5, 30, 8));
        Assert.Equal(Doubles(Small(dtype, 1, 4, 20, 8)), Doubles(arrayResult));
    }

    [Fact]
    public void Clamp_of_signed_values_and_bool()
    {
        var lo = Integers(DType.Int32, -5).Reshape(Shape.Scalar);
        var hi = Integers(DType.Int32, 5).Reshape(Shape.Scalar);
        Assert.Equal([-5L, 0, 5], Longs(Run(Prims.Clamp, lo, Integers(DType.Int32, -100, 0, 100), hi)));
        var b = Run(Prims.Clamp, Bools(true, false), Bools(false, false), Bools(true, false));
        Assert.Equal([true, false], b.Span<bool>().ToArray());
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Clamp_propagates_nan_from_any_operand(DType dtype)
    {
        double nan = double.NaN;
        var result = Run(Prims.Clamp, Vector(dtype, 0, nan, 0, 0.0), Vector(dtype, nan, 0.5, 0.5, -0.0), Vector(dtype, 1, 1, nan, 1));
        AssertExact(result, nan, nan, nan, 0.0);
    }

    [Fact]
    public void Clamp_rules_name_the_op_and_types()
    {
        var f3 = new ShapedType(DType.Float32, Shape.Of(3));
        var f = ShapedType.Scalar(DType.Float32);
        Assert.Equal("clamp: mismatched dtypes f64[] and f32[3]", ErrorOf(Prims.Clamp, null, ShapedType.Scalar(DType.Float64), f3, f));
        Assert.Equal("clamp: incompatible shapes f32[2] and f32[3]", ErrorOf(Prims.Clamp, null, f, f3, new ShapedType(DType.Float32, Shape.Of(2))));
        Assert.Equal("clamp: expects 3 operands, got 1", ErrorOf(Prims.Clamp, null, f3));
    }

    [Theory]
    [InlineData(true, true, true, true)]
    [InlineData(true, false, true, false)]
    [InlineData(false, true, true, false)]
    public void Clamp_is_weak_iff_all_operands_are(bool loWeak, bool xWeak, bool hiWeak, bool resultWeak)
    {
        var x = new ShapedType(DType.Float32, Shape.Of(4), xWeak);
        var result = Infer(Prims.Clamp, ShapedType.Scalar(DType.Float32, loWeak), x, ShapedType.Scalar(DType.Float32, hiWeak));
        Assert.Equal(x with { Weak = resultWeak }, result);
    }
}
