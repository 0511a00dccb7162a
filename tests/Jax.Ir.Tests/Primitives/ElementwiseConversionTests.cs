using System.Numerics;
using static JaxToolchain.Ir.Tests.Primitives.ElementwiseHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class ElementwiseConversionTests
{
    private static Attributes To(DType dtype, bool weak = false) => ConvertElementTypePrimitive.Params(dtype, weak);

    // Source values for each dtype: zero, signs, fractions, each dtype's extremes, out-of-range and non-finite values.
    private static Buffer Sources(DType dtype)
    {
        if (dtype == DType.Bool) return Bools(false, true);
        if (dtype.IsInteger())
        {
            var values = new List<BigInteger> { 0, 1, 100, 127, MaxOf(dtype), MinOf(dtype), MaxOf(dtype) - 1 };
            if (dtype.IsSignedInteger()) values.AddRange([-1, -100, -129, MinOf(dtype) + 1]);
            else values.AddRange([200, 255, 256]);
            var wrapped = values.Select(v => (long)(ulong)(Wrap(dtype, v) & ulong.MaxValue)).ToArray();
            return Integers(dtype, wrapped);
        }
        return Vector(dtype, 0, -0.0, 1.5, -1.5, 2.75, -2.75, 100.5, -200.25, 255.5, 256, -129, 65504, 1e10, -1e10, 3e38, 1e300,
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0 + Math.ScaleB(1, -8),
            1e-6, -3e-8, 6e-8, 1e-40, 70000.5, 1.0 / 3);
    }

    // The conversion rule, written over exact values: floats truncate and saturate into integers (NaN gives 0),
    // integers wrap, bool is != 0, floats round to nearest (bfloat16 through float32, as XLA does).
    private static double Expected(Buffer source, int i, DType to)
    {
        DType from = source.DType;
        if (to == DType.Bool) return ValueAt(source, i) != 0 ? 1 : 0;
        if (to.IsInteger())
        {
            if (!from.IsFloat()) return (double)Wrap(to, IntegerAt(source, i));
            double v = ValueAt(source, i);
            if (double.IsNaN(v)) return 0;
            if (double.IsInfinity(v)) return (double)(v > 0 ? MaxOf(to) : MinOf(to));
            var t = BigInteger.Max(MinOf(to), BigInteger.Min(MaxOf(to), new BigInteger(Math.Truncate(v))));
            return (double)t;
        }
        // Integers reach double correctly rounded through C#'s long/ulong conversions (BigInteger's truncates).
        var n = from.IsFloat() ? BigInteger.Zero : IntegerAt(source, i);
        double value = from.IsFloat() ? ValueAt(source, i) : n.Sign >= 0 ? (double)(ulong)n : (double)(long)n;
        return RoundTo(to, value);
    }

    public static TheoryData<DType, DType> AllPairs()
    {
        var data = new TheoryData<DType, DType>();
        foreach (var from in DTypes.All)
            foreach (var to in DTypes.All) data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Convert_element_type_between_every_pair_of_dtypes(DType from, DType to)
    {
        var x = Sources(from);
        var result = Run(Prims.ConvertElementType, To(to), x);
        Assert.Equal(new ShapedType(to, x.Shape), result.Type);
        var expected = Enumerable.Range(0, x.Length).Select(i => Expected(x, i, to)).ToArray();
        if (to.IsFloat())
        {
            AssertExact(result, expected);
            return;
        }
        for (int i = 0; i < x.Length; i++)
            Assert.True(expected[i] == ValueAt(result, i), $"{from.Name()} {ValueAt(x, i):R} -> {to.Name()}: got {ValueAt(result, i):R}, expected {expected[i]:R}");
    }

    [Fact]
    public void Float_to_int_truncates_saturates_and_maps_nan_to_zero()
    {
        var x = Vector(DType.Float32, 3.9, -3.9, 1e10, -1e10, double.NaN, double.PositiveInfinity, -0.5);
        Assert.Equal([3L, -3, 127, -128, 0, 127, 0], Longs(Run(Prims.ConvertElementType, To(DType.Int8), x)));
        Assert.Equal([3L, 0, 255, 0, 0, 255, 0], Longs(Run(Prims.ConvertElementType, To(DType.UInt8), x)));
        Assert.Equal([3L, -3, int.MaxValue, int.MinValue, 0, int.MaxValue, 0], Longs(Run(Prims.ConvertElementType, To(DType.Int32), x)));
        Assert.Equal([3L, 0, 10_000_000_000, 0, 0, -1, 0], Longs(Run(Prims.ConvertElementType, To(DType.UInt64), x)));
    }

    [Fact]
    public void Int_to_int_wraps_and_anything_to_bool_is_nonzero()
    {
        Assert.Equal([-56L, 0, 127, -1], Longs(Run(Prims.ConvertElementType, To(DType.Int8), Integers(DType.Int32, 200, 256, 127, 255))));
        Assert.Equal([uint.MaxValue, 5L], Longs(Run(Prims.ConvertElementType, To(DType.UInt32), Integers(DType.Int64, -1, 5))));
        var b = Run(Prims.ConvertElementType, To(DType.Bool), Vector(DType.Float32, 0, -0.0, double.NaN, 1e-45, -2));
        Assert.Equal([false, false, true, true, true], b.Span<bool>().ToArray());
        var fromBool = Run(Prims.ConvertElementType, To(DType.Float16), Bools(true, false));
        AssertExact(fromBool, 1, 0);
    }

    [Fact]
    public void To_float_rounds_to_nearest_even()
    {
        // 2^24 + 1 is a tie between 2^24 and 2^24 + 2: float32 takes the even 2^24.
        AssertExact(Run(Prims.ConvertElementType, To(DType.Float32), Integers(DType.Int32, (1 << 24) + 1, (1 << 24) + 3)), 1 << 24, (1 << 24) + 4);
        // bfloat16: 1 + 2^-8 is a tie, rounds to 1; 1 + 3 * 2^-8 rounds up to 1 + 2^-6.
        AssertExact(Run(Prims.ConvertElementType, To(DType.BFloat16), Vector(DType.Float32, 1 + Math.ScaleB(1, -8), 1 + 3 * Math.ScaleB(1, -8))),
            1, 1 + Math.ScaleB(1, -6));
        // float16 overflows above 65504 (65520 is the tie that rounds to infinity).
        AssertExact(Run(Prims.ConvertElementType, To(DType.Float16), Vector(DType.Float64, 65519, 65520, -1e6)), 65504, double.PositiveInfinity, double.NegativeInfinity);
        // float64 to float16 rounds once: 1 + 2^-11 + 2^-30 is just above the tie, so it rounds up.
        AssertExact(Run(Prims.ConvertElementType, To(DType.Float16), Vector(DType.Float64, 1 + Math.ScaleB(1, -11) + Math.ScaleB(1, -30))), 1 + Math.ScaleB(1, -10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Convert_takes_its_weakness_from_the_attribute(bool weak)
    {
        var x = new ShapedType(DType.Int32, new Shape([Dim.Sym("n"), Dim.Of(2)]), Weak: !weak);
        Assert.Equal(new ShapedType(DType.Float32, x.Shape, weak), Infer(Prims.ConvertElementType, To(DType.Float32, weak), x));
    }

    [Fact]
    public void Convert_rules_require_their_attributes()
    {
        var x = new ShapedType(DType.Int32, Shape.Of(2));
        Assert.Equal("convert_element_type: missing attribute 'new_dtype'", ErrorOf(Prims.ConvertElementType, Attributes.Of(("weak_type", false)), x));
        Assert.Equal("convert_element_type: missing attribute 'weak_type'", ErrorOf(Prims.ConvertElementType, Attributes.Of(("new_dtype", DType.Float32)), x));
        Assert.Equal("convert_element_type: attribute 'new_dtype' must be a dtype",
            ErrorOf(Prims.ConvertElementType, Attributes.Of(("new_dtype", "f32"), ("weak_type", false)), x));
        Assert.Equal("convert_element_type: expects 1 operand, got 2", ErrorOf(Prims.ConvertElementType, To(DType.Float32), x, x));
    }

    private static Attributes Bitcast(DType dtype) => Attributes.Of(("new_dtype", dtype));

    [Fact]
    public void Bitcast_between_equal_widths_reinterprets_bits()
    {
        var i = Run(Prims.BitcastConvertType, Bitcast(DType.Int32), Buffer.Of([1f, -2f]));
        Assert.Equal([0x3F800000, unchecked((int)0xC0000000)], i.Span<int>().ToArray());
        var f = Run(Prims.BitcastConvertType, Bitcast(DType.Float32), i);
        Assert.Equal([1f, -2f], f.Span<float>().ToArray());
        var h = Run(Prims.BitcastConvertType, Bitcast(DType.UInt16), Vector(DType.Float16, 1, -2));
        Assert.Equal([0x3C00L, 0xC000], Longs(h));
        var b = Run(Prims.BitcastConvertType, Bitcast(DType.Int16), Vector(DType.BFloat16, 1));
        Assert.Equal([0x3F80L], Longs(b));
        var u = Run(Prims.BitcastConvertType, Bitcast(DType.Float64), Integers(DType.UInt64, BitConverter.DoubleToInt64Bits(Math.PI)));
        Assert.Equal(Math.PI, u.Span<double>()[0]);
        var flags = Run(Prims.BitcastConvertType, Bitcast(DType.Bool), Bools(true, false));
        Assert.Equal([true, false], flags.Span<bool>().ToArray());
    }

    [Fact]
    public void Bitcast_to_a_narrower_dtype_adds_a_little_endian_trailing_dimension()
    {
        var bytes = Run(Prims.BitcastConvertType, Bitcast(DType.UInt8), Integers(DType.UInt32, 0x01020304, 0x0A0B0C0D));
        Assert.Equal(Shape.Of(2, 4), bytes.Shape);
        Assert.Equal([4L, 3, 2, 1, 0x0D, 0x0C, 0x0B, 0x0A], Longs(bytes));
        var words = Run(Prims.BitcastConvertType, Bitcast(DType.UInt32), Vector(DType.Float64, 1.0));
        Assert.Equal(Shape.Of(1, 2), words.Shape);
        Assert.Equal([0L, 0x3FF00000], Longs(words));
    }

    [Fact]
    public void Bitcast_to_a_wider_dtype_consumes_the_last_dimension()
    {
        var bytes = Integers(DType.UInt8, 1, 0, 0, 0, 0, 1, 0, 0).Reshape(Shape.Of(2, 4));
        var words = Run(Prims.BitcastConvertType, Bitcast(DType.Int32), bytes);
        Assert.Equal(Shape.Of(2), words.Shape);
        Assert.Equal([1, 256], words.Span<int>().ToArray());
        var scalar = Run(Prims.BitcastConvertType, Bitcast(DType.Float16), Integers(DType.Int8, 0x00, 0x3C));
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal((Half)1, scalar.Span<Half>()[0]);
    }

    [Fact]
    public void Bitcast_shape_rules_and_strong_result()
    {
        var weak = new ShapedType(DType.Float64, new Shape([Dim.Sym("n"), Dim.Of(3)]), Weak: true);
        Assert.Equal(new ShapedType(DType.UInt16, new Shape([Dim.Sym("n"), Dim.Of(3), Dim.Of(4)])), Infer(Prims.BitcastConvertType, Bitcast(DType.UInt16), weak));
        Assert.Equal(new ShapedType(DType.Float16, Shape.Of(5)), Infer(Prims.BitcastConvertType, Bitcast(DType.Float16), new ShapedType(DType.UInt8, Shape.Of(5, 2))));
        Assert.Equal(new ShapedType(DType.Int32, weak.Shape), Infer(Prims.BitcastConvertType, Bitcast(DType.Int32), weak with { DType = DType.Float32 }));
    }

    [Fact]
    public void Bitcast_rules_name_the_op_and_types()
    {
        Assert.Equal("bitcast_convert_type: cannot bitcast bool[3] to int8: bool converts only to bool",
            ErrorOf(Prims.BitcastConvertType, Bitcast(DType.Int8), new ShapedType(DType.Bool, Shape.Of(3))));
        Assert.Equal("bitcast_convert_type: cannot bitcast u8[3] to bool: bool converts only to bool",
            ErrorOf(Prims.BitcastConvertType, Bitcast(DType.Bool), new ShapedType(DType.UInt8, Shape.Of(3))));
        Assert.Equal("bitcast_convert_type: cannot bitcast i8[3] to int32: the last dimension must be 4",
            ErrorOf(Prims.BitcastConvertType, Bitcast(DType.Int32), new ShapedType(DType.Int8, Shape.Of(3))));
        Assert.Equal("bitcast_convert_type: cannot bitcast i8[] to int16: the last dimension must be 2",
            ErrorOf(Prims.BitcastConvertType, Bitcast(DType.Int16), ShapedType.Scalar(DType.Int8)));
        Assert.Equal("bitcast_convert_type: missing attribute 'new_dtype'",
            ErrorOf(Prims.BitcastConvertType, null, ShapedType.Scalar(DType.Int8)));
    }
}
