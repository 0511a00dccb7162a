using static JaxToolchain.Ir.Tests.Primitives.ElementwiseHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class ElementwiseBinaryTests
{
    private static readonly double[] X = [-7.25, -2.5, -1, -0.375, 0, 0.5, 1.5, 3.75, 12.5, 2];
    private static readonly double[] Y = [2, -0.75, 3, 1.25, -4, 0.5, -1.5, 2.5, 0.125, 10];

    // Each float op: its primitive, a double reference, and the float32 ulps MathF may be off (0: exact ops).
    private static readonly Dictionary<string, (Primitive Primitive, Func<double, double, double> Reference, int Float32Ulps)> FloatCases = new()
    {
        ["add"] = (Prims.Add, (x, y) => x + y, 0),
        ["sub"] = (Prims.Sub, (x, y) => x - y, 0),
        ["mul"] = (Prims.Mul, (x, y) => x * y, 0),
        ["div"] = (Prims.Div, (x, y) => x / y, 0),
        ["rem"] = (Prims.Rem, (x, y) => x % y, 0),
        ["pow"] = (Prims.Pow, Math.Pow, 1),
        ["max"] = (Prims.Max, Math.Max, 0),
        ["min"] = (Prims.Min, Math.Min, 0),
        ["atan2"] = (Prims.Atan2, Math.Atan2, 1),
    };

    public static TheoryData<DType> FloatTypes() => new(FloatDTypes);

    public static TheoryData<string, DType> FloatOps() => Cross(FloatCases.Keys, FloatDTypes);

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void Float_op_matches_double_reference_rounded_to_dtype(string name, DType dtype)
    {
        var (primitive, reference, f32Ulps) = FloatCases[name];
        var x = Vector(dtype, X);
        var y = Vector(dtype, Y);
        var result = Run(primitive, x, y);
        Assert.Equal(x.Type, result.Type);
        var xs = Doubles(x);
        var ys = Doubles(y);
        var expected = xs.Select((v, i) => reference(v, ys[i])).ToArray();
        int ulps = f32Ulps == 0 ? 0 : dtype == DType.Float32 ? f32Ulps : 1;
        AssertClose(result, expected, ulps, name);
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Float_special_values(DType dtype)
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        // max/min propagate NaN from either side and order -0 below +0.
        AssertExact(Run(Prims.Max, Vector(dtype, nan, 1, -0.0, 0.0, -inf), Vector(dtype, 1, nan, 0.0, -0.0, 2)), nan, nan, 0.0, 0.0, 2);
        AssertExact(Run(Prims.Min, Vector(dtype, nan, 1, -0.0, 0.0, inf), Vector(dtype, 1, nan, 0.0, -0.0, 2)), nan, nan, -0.0, -0.0, 2);
        AssertExact(Run(Prims.Div, Vector(dtype, 1, -1, 0, 3), Vector(dtype, 0, 0, 0, -inf)), inf, -inf, nan, -0.0);
        // rem is fmod: the sign of x, x % inf = x, inf % y and x % 0 are NaN.
        AssertExact(Run(Prims.Rem, Vector(dtype, -5.5, 5.5, 3, inf, 1, -4), Vector(dtype, 2, -2, inf, 2, 0, 2)), -1.5, 1.5, 3, nan, nan, -0.0);
        AssertExact(Run(Prims.Pow, Vector(dtype, nan, 0, 0, -2, -8, 1), Vector(dtype, 0, -1, 0, 3, 1.0 / 3, nan)), 1, inf, 1, -8, nan, 1);
        AssertExact(Run(Prims.Atan2, Vector(dtype, 0, -0.0, 1, -1, 0), Vector(dtype, -1, -1, 0, 0, 1)),
            RoundTo(dtype, Math.PI), RoundTo(dtype, -Math.PI), RoundTo(dtype, Math.PI / 2), RoundTo(dtype, -Math.PI / 2), 0);
        AssertExact(Run(Prims.Add, Vector(dtype, inf, -0.0, inf), Vector(dtype, -inf, -0.0, 1)), nan, -0.0, inf);
    }

    [Fact]
    public void Half_precision_arithmetic_rounds_once_from_float32()
    {
        // 1 + 2^-11 is a float16 tie: it rounds to even (1.0); 1 + 3 * 2^-11 rounds up to 1 + 2^-9.
        var h = Run(Prims.Add, Vector(DType.Float16, 1, 1), Vector(DType.Float16, Math.ScaleB(1, -11), 3 * Math.ScaleB(1, -11)));
        AssertExact(h, 1, 1 + Math.ScaleB(1, -9));
        // bfloat16 has 8 significant bits: 256 + 1 = 257 rounds to 256 (ties to even), 256 + 3 to 260.
        var b = Run(Prims.Add, Vector(DType.BFloat16, 256, 256), Vector(DType.BFloat16, 1, 3));
        AssertExact(b, 256, 260);
        // float16 overflow: 60000 + 10000 is inf.
        AssertExact(Run(Prims.Add, Vector(DType.Float16, 60000), Vector(DType.Float16, 10000)), double.PositiveInfinity);
    }

    [Fact]
    public void Float32_arithmetic_is_float32_arithmetic_on_long_arrays()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 1003).Select(_ => (float)(rng.NextDouble() * 20 - 10)).ToArray();
        var y = Enumerable.Range(0, 1003).Select(_ => (float)(rng.NextDouble() * 20 - 10)).ToArray();
        var (bx, by) = (Buffer.Of(x), Buffer.Of(y));
        Assert.Equal(x.Select((v, i) => v * y[i]).ToArray(), Run(Prims.Mul, bx, by).Span<float>().ToArray());
        Assert.Equal(x.Select((v, i) => v / y[i]).ToArray(), Run(Prims.Div, bx, by).Span<float>().ToArray());
        Assert.Equal(x.Select((v, i) => MathF.Max(v, y[i])).ToArray(), Run(Prims.Max, bx, by).Span<float>().ToArray());
        Assert.Equal(x.Select((v, i) => MathF.Pow(v, y[i])).ToArray(), Run(Prims.Pow, bx, by).Span<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Nextafter_steps_one_value_in_the_operands_own_format(DType dtype)
    {
        // The gap above 1 is the dtype's epsilon, below 1 half of it; from 0 the step is the smallest subnormal.
        int mantissaBits = dtype switch { DType.Float16 => 10, DType.BFloat16 => 7, DType.Float32 => 23, _ => 52 };
        int minExponent = dtype switch { DType.Float16 => -14, DType.BFloat16 => -126, DType.Float32 => -126, _ => -1022 };
        double eps = Math.ScaleB(1, -mantissaBits), tiny = Math.ScaleB(1, minExponent - mantissaBits);
        double max = dtype switch { DType.Float16 => 65504, DType.BFloat16 => (double)BFloat16.FromBits(0x7F7F), DType.Float32 => float.MaxValue, _ => double.MaxValue };
        double nan = double.NaN, inf = double.PositiveInfinity;
        var result = Run(Prims.Nextafter,
            Vector(dtype, 1, 1, 0, 0, -0.0, 2, nan, 1, -1, inf, max, -0.0),
            Vector(dtype, 2, 0, 1, -1, 1, 2, 1, nan, -2, 0, inf, 0.0));
        AssertExact(result, 1 + eps, 1 - eps / 2, tiny, -tiny, tiny, 2, nan, nan, -1 - eps, max, inf, 0.0);
    }

    [Theory]
    [InlineData("add", DType.Int8, new long[] { 127, -128, 100, -1 }, new long[] { 1, -1, 100, 1 }, new long[] { -128, 127, -56, 0 })]
    [InlineData("add", DType.Int16, new long[] { short.MaxValue, short.MinValue }, new long[] { 1, -1 }, new long[] { short.MinValue, short.MaxValue })]
    [InlineData("add", DType.Int32, new long[] { int.MaxValue, 5 }, new long[] { 1, -7 }, new long[] { int.MinValue, -2 })]
    [InlineData("add", DType.Int64, new long[] { long.MaxValue, 3 }, new long[] { 1, 4 }, new long[] { long.MinValue, 7 })]
    [InlineData("add", DType.UInt8, new long[] { 255, 10 }, new long[] { 1, 20 }, new long[] { 0, 30 })]
    [InlineData("add", DType.UInt32, new long[] { uint.MaxValue, 7 }, new long[] { 2, 8 }, new long[] { 1, 15 })]
    [InlineData("add", DType.UInt64, new long[] { -1, 7 }, new long[] { 2, 8 }, new long[] { 1, 15 })]
    [InlineData("sub", DType.Int8, new long[] { -128, 5 }, new long[] { 1, 10 }, new long[] { 127, -5 })]
    [InlineData("sub", DType.Int64, new long[] { long.MinValue }, new long[] { 1 }, new long[] { long.MaxValue })]
    [InlineData("sub", DType.UInt8, new long[] { 0, 10 }, new long[] { 1, 3 }, new long[] { 255, 7 })]
    [InlineData("sub", DType.UInt32, new long[] { 0 }, new long[] { 1 }, new long[] { uint.MaxValue })]
    [InlineData("mul", DType.Int8, new long[] { 64, -128, 16, -3 }, new long[] { 2, -1, 16, 5 }, new long[] { -128, -128, 0, -15 })]
    [InlineData("mul", DType.Int16, new long[] { 256, -300 }, new long[] { 256, 3 }, new long[] { 0, -900 })]
    [InlineData("mul", DType.Int32, new long[] { 65536, 46341 }, new long[] { 65536, 46341 }, new long[] { 0, -2147479015 })]
    [InlineData("mul", DType.Int64, new long[] { long.MaxValue }, new long[] { 2 }, new long[] { -2 })]
    [InlineData("mul", DType.UInt8, new long[] { 16, 200 }, new long[] { 16, 2 }, new long[] { 0, 144 })]
    [InlineData("mul", DType.UInt32, new long[] { 65536, 3 }, new long[] { 65536, 5 }, new long[] { 0, 15 })]
    [InlineData("div", DType.Int8, new long[] { 7, -7, 7, -7, -128, 5, -5, 0 }, new long[] { 2, 2, -2, -2, -1, 0, 0, 3 }, new long[] { 3, -3, -3, 3, -128, -1, -1, 0 })]
    [InlineData("div", DType.Int16, new long[] { short.MinValue, 100 }, new long[] { -1, 7 }, new long[] { short.MinValue, 14 })]
    [InlineData("div", DType.Int32, new long[] { int.MinValue, 9, 1 }, new long[] { -1, 0, -1 }, new long[] { int.MinValue, -1, -1 })]
    [InlineData("div", DType.Int64, new long[] { long.MinValue, -9 }, new long[] { -1, 4 }, new long[] { long.MinValue, -2 })]
    [InlineData("div", DType.UInt8, new long[] { 7, 200, 255 }, new long[] { 2, 0, 255 }, new long[] { 3, 255, 1 })]
    [InlineData("div", DType.UInt32, new long[] { 7, 5 }, new long[] { 0, 2 }, new long[] { uint.MaxValue, 2 })]
    [InlineData("div", DType.UInt64, new long[] { 7, -1 }, new long[] { 0, -1 }, new long[] { -1, 1 })]
    [InlineData("rem", DType.Int8, new long[] { 7, -7, 7, -7, -128, 5, -5 }, new long[] { 2, 2, -2, -2, -1, 0, 0 }, new long[] { 1, -1, 1, -1, 0, 5, -5 })]
    [InlineData("rem", DType.Int16, new long[] { short.MinValue, -10 }, new long[] { -1, 4 }, new long[] { 0, -2 })]
    [InlineData("rem", DType.Int32, new long[] { int.MinValue, 10 }, new long[] { -1, 3 }, new long[] { 0, 1 })]
    [InlineData("rem", DType.Int64, new long[] { long.MinValue, -10 }, new long[] { -1, 3 }, new long[] { 0, -1 })]
    [InlineData("rem", DType.UInt8, new long[] { 200, 7 }, new long[] { 0, 3 }, new long[] { 200, 1 })]
    [InlineData("rem", DType.UInt32, new long[] { uint.MaxValue, 10 }, new long[] { 2, 0 }, new long[] { 1, 10 })]
    [InlineData("pow", DType.Int8, new long[] { 2, -2, 3, 0, 5, 2, 1, -1, -1, 0 }, new long[] { 6, 3, 5, 0, 0, -1, -5, -3, -4, 3 }, new long[] { 64, -8, -13, 1, 1, 0, 1, -1, 1, 0 })]
    [InlineData("pow", DType.Int16, new long[] { -1, 2, -3 }, new long[] { -7, 15, -2 }, new long[] { -1, short.MinValue, 0 })]
    [InlineData("pow", DType.Int32, new long[] { 2, 3, -3 }, new long[] { 31, 21, 3 }, new long[] { int.MinValue, 1870418611, -27 })]
    [InlineData("pow", DType.Int64, new long[] { 2, 10 }, new long[] { 63, 18 }, new long[] { long.MinValue, 1_000_000_000_000_000_000 })]
    [InlineData("pow", DType.UInt8, new long[] { 2, 3 }, new long[] { 8, 5 }, new long[] { 0, 243 })]
    [InlineData("pow", DType.UInt32, new long[] { 2, 7, 0 }, new long[] { 32, 3, 0 }, new long[] { 0, 343, 1 })]
    [InlineData("max", DType.Int8, new long[] { -128, 5, 127 }, new long[] { 127, -3, 0 }, new long[] { 127, 5, 127 })]
    [InlineData("max", DType.Int16, new long[] { -300, 2 }, new long[] { -299, 1 }, new long[] { -299, 2 })]
    [InlineData("max", DType.Int32, new long[] { int.MinValue, -1 }, new long[] { 0, -2 }, new long[] { 0, -1 })]
    [InlineData("max", DType.Int64, new long[] { long.MinValue, -5 }, new long[] { 0, -7 }, new long[] { 0, -5 })]
    [InlineData("max", DType.UInt8, new long[] { 200, 3 }, new long[] { 100, 250 }, new long[] { 200, 250 })]
    [InlineData("max", DType.UInt32, new long[] { uint.MaxValue, 0 }, new long[] { 1, 0 }, new long[] { uint.MaxValue, 0 })]
    [InlineData("max", DType.UInt64, new long[] { -1, 5 }, new long[] { 1, 3 }, new long[] { -1, 5 })]
    [InlineData("min", DType.Int8, new long[] { -128, 5, 127 }, new long[] { 127, -3, 0 }, new long[] { -128, -3, 0 })]
    [InlineData("min", DType.Int32, new long[] { int.MinValue, -1 }, new long[] { 0, -2 }, new long[] { int.MinValue, -2 })]
    [InlineData("min", DType.Int64, new long[] { long.MaxValue, -5 }, new long[] { 0, -7 }, new long[] { 0, -7 })]
    [InlineData("min", DType.UInt8, new long[] { 200, 3 }, new long[] { 100, 250 }, new long[] { 100, 3 })]
    [InlineData("min", DType.UInt32, new long[] { uint.MaxValue, 0 }, new long[] { 1, 0 }, new long[] { 1, 0 })]
    [InlineData("and", DType.Int8, new long[] { -1, 0x0F, -128 }, new long[] { 0x55, 0x3C, -1 }, new long[] { 0x55, 0x0C, -128 })]
    [InlineData("and", DType.UInt32, new long[] { uint.MaxValue, 0xF0F0 }, new long[] { 0x1234, 0xFF00 }, new long[] { 0x1234, 0xF000 })]
    [InlineData("and", DType.Int64, new long[] { -1 }, new long[] { long.MinValue }, new long[] { long.MinValue })]
    [InlineData("or", DType.UInt8, new long[] { 0xF0, 0x01 }, new long[] { 0x0F, 0x02 }, new long[] { 0xFF, 0x03 })]
    [InlineData("or", DType.Int16, new long[] { short.MinValue }, new long[] { 1 }, new long[] { short.MinValue + 1 })]
    [InlineData("or", DType.Int32, new long[] { 0 }, new long[] { -5 }, new long[] { -5 })]
    [InlineData("xor", DType.Int32, new long[] { -1, 0x0F0F }, new long[] { 0x0F0F, 0x0F0F }, new long[] { -3856, 0 })]
    [InlineData("xor", DType.UInt8, new long[] { 0xFF, 0xAA }, new long[] { 0x0F, 0x55 }, new long[] { 0xF0, 0xFF })]
    [InlineData("xor", DType.Int64, new long[] { long.MinValue }, new long[] { -1 }, new long[] { long.MaxValue })]
    [InlineData("shift_left", DType.Int8, new long[] { 1, 1, 1, 3, -1, 5 }, new long[] { 7, 8, -1, 1, 1, 0 }, new long[] { -128, 0, 0, 6, -2, 5 })]
    [InlineData("shift_left", DType.Int16, new long[] { 1, 1 }, new long[] { -3, 15 }, new long[] { 0, short.MinValue })]
    [InlineData("shift_left", DType.Int32, new long[] { 1, 1, 1 }, new long[] { 31, 32, 100 }, new long[] { int.MinValue, 0, 0 })]
    [InlineData("shift_left", DType.Int64, new long[] { 1, 1 }, new long[] { 63, 64 }, new long[] { long.MinValue, 0 })]
    [InlineData("shift_left", DType.UInt8, new long[] { 1, 255 }, new long[] { 7, 9 }, new long[] { 128, 0 })]
    [InlineData("shift_left", DType.UInt32, new long[] { 3, 1 }, new long[] { 30, 33 }, new long[] { 0xC0000000, 0 })]
    [InlineData("shift_right_logical", DType.Int8, new long[] { -128, -1, 64, -1 }, new long[] { 7, 1, 6, 8 }, new long[] { 1, 127, 1, 0 })]
    [InlineData("shift_right_logical", DType.Int32, new long[] { int.MinValue, -1, 8 }, new long[] { 31, 28, -1 }, new long[] { 1, 15, 0 })]
    [InlineData("shift_right_logical", DType.Int64, new long[] { -1, -1 }, new long[] { 60, 64 }, new long[] { 15, 0 })]
    [InlineData("shift_right_logical", DType.UInt8, new long[] { 128, 255 }, new long[] { 7, 200 }, new long[] { 1, 0 })]
    [InlineData("shift_right_logical", DType.UInt32, new long[] { uint.MaxValue }, new long[] { 31 }, new long[] { 1 })]
    [InlineData("shift_right_arithmetic", DType.Int8, new long[] { -128, -1, 64, -7, 100, -100 }, new long[] { 7, 3, 6, 1, 8, 8 }, new long[] { -1, -1, 1, -4, 0, -1 })]
    [InlineData("shift_right_arithmetic", DType.Int16, new long[] { short.MinValue, 256 }, new long[] { -1, 4 }, new long[] { -1, 16 })]
    [InlineData("shift_right_arithmetic", DType.Int32, new long[] { int.MinValue, -9, 5 }, new long[] { 31, 2, -1 }, new long[] { -1, -3, 0 })]
    [InlineData("shift_right_arithmetic", DType.Int64, new long[] { long.MinValue, 256 }, new long[] { 70, 4 }, new long[] { -1, 16 })]
    [InlineData("shift_right_arithmetic", DType.UInt8, new long[] { 0x80, 0x40, 0x80, 0x7F }, new long[] { 1, 1, 9, 9 }, new long[] { 0xC0, 0x20, 0xFF, 0 })]
    [InlineData("shift_right_arithmetic", DType.UInt32, new long[] { 0x80000000, 0x80000000, 8 }, new long[] { 4, 32, 0 }, new long[] { 0xF8000000, 0xFFFFFFFF, 8 })]
    public void Integer_op_follows_xla_semantics(string name, DType dtype, long[] x, long[] y, long[] expected)
    {
        var result = Run(PrimitiveRegistry.Get(name), Integers(dtype, x), Integers(dtype, y));
        Assert.Equal(dtype, result.DType);
        Assert.Equal(Longs(Integers(dtype, expected)), Longs(result));
    }

    [Theory]
    [InlineData(DType.UInt16)]
    [InlineData(DType.UInt64)]
    public void Wide_unsigned_shifts_and_division(DType dtype)
    {
        int bits = dtype.BitWidth();
        long top = 1L << (bits - 1); // 0x8000 or 0x8000_0000_0000_0000
        // The top bit fills the four highest bits.
        long filled = top | (top >>> 1) | (top >>> 2) | (top >>> 3);
        Assert.Equal(Longs(Integers(dtype, filled, 0, -1)),
            Longs(Run(Prims.ShiftRightArithmetic, Integers(dtype, top, 1, top), Integers(dtype, 3, 1, bits))));
        Assert.Equal(Longs(Integers(dtype, 1, 0)), Longs(Run(Prims.ShiftRightLogical, Integers(dtype, top, top), Integers(dtype, bits - 1, bits))));
        Assert.Equal(Longs(Integers(dtype, -1, 3)), Longs(Run(Prims.Div, Integers(dtype, 9, 9), Integers(dtype, 0, 3))));
    }

    [Theory]
    [InlineData("and", new[] { false, false, false, true })]
    [InlineData("or", new[] { false, true, true, true })]
    [InlineData("xor", new[] { false, true, true, false })]
    [InlineData("max", new[] { false, true, true, true })]
    [InlineData("min", new[] { false, false, false, true })]
    public void Bool_op_truth_table(string name, bool[] expected)
    {
        var result = Run(PrimitiveRegistry.Get(name), Bools(false, false, true, true), Bools(false, true, false, true));
        Assert.Equal(DType.Bool, result.DType);
        Assert.Equal(expected, result.Span<bool>().ToArray());
    }

    public static TheoryData<DType> AllDTypes() => new(DTypes.All);

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Comparisons_give_strong_bool_for_every_dtype(DType dtype)
    {
        // Values that every dtype holds exactly; the expected results come from comparing them as doubles.
        double[] xs, ys;
        if (dtype == DType.Bool) (xs, ys) = ([0, 0, 1, 1], [0, 1, 0, 1]);
        else if (dtype.IsUnsignedInteger()) (xs, ys) = ([0, 5, 7, 200, 3], [1, 5, 3, 100, 200]);
        else (xs, ys) = ([-3, 5, 7, -100, 2, 0], [1, 5, -2, -100, 3, -1]);
        var x = dtype.IsFloat() ? Vector(dtype, xs) : Integers(dtype, xs.Select(v => (long)v).ToArray());
        var y = dtype.IsFloat() ? Vector(dtype, ys) : Integers(dtype, ys.Select(v => (long)v).ToArray());
        var cases = new (Primitive Primitive, Func<double, double, bool> Reference)[]
        {
            (Prims.Eq, (a, b) => a == b), (Prims.Ne, (a, b) => a != b), (Prims.Lt, (a, b) => a < b),
            (Prims.Le, (a, b) => a <= b), (Prims.Gt, (a, b) => a > b), (Prims.Ge, (a, b) => a >= b),
        };
        foreach (var (primitive, reference) in cases)
        {
            var result = Run(primitive, x, y);
            Assert.Equal(new ShapedType(DType.Bool, x.Shape), result.Type);
            Assert.Equal(xs.Select((a, i) => reference(a, ys[i])).ToArray(), result.Span<bool>().ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Float_comparisons_with_nan_are_false_except_ne(DType dtype)
    {
        var x = Vector(dtype, double.NaN, double.NaN, 1, -0.0, double.NegativeInfinity);
        var y = Vector(dtype, double.NaN, 1, double.NaN, 0.0, -1);
        Assert.Equal([false, false, false, true, false], Run(Prims.Eq, x, y).Span<bool>().ToArray());
        Assert.Equal([true, true, true, false, true], Run(Prims.Ne, x, y).Span<bool>().ToArray());
        Assert.Equal([false, false, false, false, true], Run(Prims.Lt, x, y).Span<bool>().ToArray());
        Assert.Equal([false, false, false, true, false], Run(Prims.Ge, x, y).Span<bool>().ToArray());
    }

    [Fact]
    public void Unsigned_comparisons_use_unsigned_order()
    {
        var x = Integers(DType.UInt64, -1, 1);
        var y = Integers(DType.UInt64, 1, -1);
        Assert.Equal([true, false], Run(Prims.Gt, x, y).Span<bool>().ToArray());
        var a = Integers(DType.UInt8, 255, 0);
        var b = Integers(DType.UInt8, 0, 255);
        Assert.Equal([false, true], Run(Prims.Lt, a, b).Span<bool>().ToArray());
    }

    [Theory]
    [InlineData("add", DType.Bool, "add: unsupported dtype bool")]
    [InlineData("pow", DType.Bool, "pow: unsupported dtype bool")]
    [InlineData("atan2", DType.Int32, "atan2: unsupported dtype int32")]
    [InlineData("nextafter", DType.Int16, "nextafter: unsupported dtype int16")]
    [InlineData("and", DType.Float32, "and: unsupported dtype float32")]
    [InlineData("xor", DType.BFloat16, "xor: unsupported dtype bfloat16")]
    [InlineData("shift_left", DType.Float64, "shift_left: unsupported dtype float64")]
    [InlineData("shift_right_logical", DType.Bool, "shift_right_logical: unsupported dtype bool")]
    public void Binary_unsupported_dtype_is_rejected(string name, DType dtype, string message)
    {
        var t = new ShapedType(dtype, Shape.Of(3));
        Assert.Equal(message, ErrorOf(PrimitiveRegistry.Get(name), null, t, t));
    }

    [Theory]
    [InlineData("add")]
    [InlineData("max")]
    [InlineData("shift_left")]
    [InlineData("lt")]
    public void Binary_rules_name_the_op_and_both_types(string name)
    {
        var p = PrimitiveRegistry.Get(name);
        var i3 = new ShapedType(DType.Int32, Shape.Of(3));
        Assert.Equal($"{name}: mismatched dtypes f32[3] and i32[3]", ErrorOf(p, null, new ShapedType(DType.Float32, Shape.Of(3)), i3));
        Assert.Equal($"{name}: incompatible shapes i32[3] and i32[4]", ErrorOf(p, null, i3, new ShapedType(DType.Int32, Shape.Of(4))));
        Assert.Equal($"{name}: incompatible shapes i32[3] and i32[]", ErrorOf(p, null, i3, ShapedType.Scalar(DType.Int32)));
        Assert.Equal($"{name}: incompatible shapes i32[n] and i32[m]",
            ErrorOf(p, null, new ShapedType(DType.Int32, new Shape([Dim.Sym("n")])), new ShapedType(DType.Int32, new Shape([Dim.Sym("m")]))));
        Assert.Equal($"{name}: expects 2 operands, got 1", ErrorOf(p, null, i3));
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void Binary_result_is_weak_iff_both_operands_are(bool xWeak, bool yWeak, bool resultWeak)
    {
        var shape = new Shape([Dim.Sym("n")]);
        var x = new ShapedType(DType.Float32, shape, xWeak);
        var y = new ShapedType(DType.Float32, shape, yWeak);
        Assert.Equal(new ShapedType(DType.Float32, shape, resultWeak), Infer(Prims.Add, x, y));
        Assert.Equal(new ShapedType(DType.Float32, shape, resultWeak), Infer(Prims.Pow, x, y));
        // Comparisons are strong whatever the operands.
        Assert.Equal(new ShapedType(DType.Bool, shape), Infer(Prims.Ge, x, y));
    }
}
