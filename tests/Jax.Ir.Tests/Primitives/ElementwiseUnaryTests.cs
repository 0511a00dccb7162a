using static JaxToolchain.Ir.Tests.Primitives.ElementwiseHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class ElementwiseUnaryTests
{
    // Each float op: its primitive, an independent double-precision reference, inputs in its domain, and how many
    // float32 ulps MathF may be from the correctly rounded value (0 for the exact ops).
    private sealed record FloatCase(Primitive Primitive, Func<double, double> Reference, double[] Inputs, int Float32Ulps, Attributes? Attributes = null);

    private static readonly double[] General = [-7.25, -2.5, -1, -0.375, 0, 0.1, 0.5, 1, 1.5, 3.75, 12.5];
    private static readonly double[] Positive = [1e-3, 0.1, 0.5, 1, 2, 2.5, 10, 123.25, 6000];

    private static readonly Dictionary<string, FloatCase> FloatCases = new()
    {
        ["neg"] = new(Prims.Neg, x => -x, General, 0),
        ["abs"] = new(Prims.Abs, Math.Abs, General, 0),
        ["sign"] = new(Prims.Sign, x => Math.Sign(x), General, 0),
        ["floor"] = new(Prims.Floor, Math.Floor, General, 0),
        ["ceil"] = new(Prims.Ceil, Math.Ceiling, General, 0),
        ["round_away"] = new(Prims.Round, x => Math.Round(x, MidpointRounding.AwayFromZero), [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -3.6], 0,
            Attributes.Of(("rounding_method", 0))),
        ["round_even"] = new(Prims.Round, x => Math.Round(x, MidpointRounding.ToEven), [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -3.6], 0,
            Attributes.Of(("rounding_method", 1))),
        ["exp"] = new(Prims.Exp, Math.Exp, General, 1),
        ["exp2"] = new(Prims.Exp2, x => Math.Pow(2, x), General, 1),
        ["log"] = new(Prims.Log, Math.Log, Positive, 1),
        ["sqrt"] = new(Prims.Sqrt, Math.Sqrt, Positive, 0),
        ["rsqrt"] = new(Prims.Rsqrt, x => 1 / Math.Sqrt(x), Positive, 1),
        ["cbrt"] = new(Prims.Cbrt, Math.Cbrt, General, 1),
        ["sin"] = new(Prims.Sin, Math.Sin, General, 1),
        ["cos"] = new(Prims.Cos, Math.Cos, General, 1),
        ["tan"] = new(Prims.Tan, Math.Tan, General, 1),
        ["tanh"] = new(Prims.Tanh, Math.Tanh, General, 1),
        ["logistic"] = new(Prims.Logistic, x => 1 / (1 + Math.Exp(-x)), General, 2),
    };

    public static TheoryData<DType> FloatTypes() => new(FloatDTypes);

    public static TheoryData<string, DType> FloatOps() => Cross(FloatCases.Keys, FloatDTypes);

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void Float_op_matches_double_reference_rounded_to_dtype(string name, DType dtype)
    {
        var c = FloatCases[name];
        var x = Vector(dtype, c.Inputs);
        var result = Run(c.Primitive, c.Attributes, x);

        Assert.Equal(x.Type, result.Type);
        // The reference sees the input as stored in the dtype.
        var expected = Doubles(x).Select(c.Reference).ToArray();
        int ulps = c.Float32Ulps == 0 ? 0 : dtype == DType.Float32 ? c.Float32Ulps : 1;
        AssertClose(result, expected, ulps, name);
    }

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void Float_op_on_2d_array_keeps_shape_and_matches_elementwise_results(string name, DType dtype)
    {
        var c = FloatCases[name];
        var values = c.Inputs.Take(6).ToArray();
        var x = Vector(dtype, values).Reshape(Shape.Of(2, 3));
        var flat = Run(c.Primitive, c.Attributes, Vector(dtype, values));
        var result = Run(c.Primitive, c.Attributes, x);
        Assert.Equal(Shape.Of(2, 3), result.Shape);
        Assert.True(result.Reshape(flat.Shape).BitwiseEquals(flat));
    }

    // Special functions against values computed to 40 digits with mpmath; inputs are exact in every float dtype.
    private sealed record KnownValues(Primitive Primitive, double[] Inputs, double[] Expected, int Float32Ulps, int Float64Ulps);

    private static readonly Dictionary<string, KnownValues> SpecialCases = new()
    {
        ["erf"] = new(Prims.Erf, [-2, -0.5, 0.125, 0.5, 1, 3],
            [-0.9953222650189527, -0.5204998778130465, 0.1403162048013338, 0.5204998778130465, 0.8427007929497149, 0.9999779095030014], 2, 2),
        ["erfc"] = new(Prims.Erfc, [-2, -0.5, 0.125, 0.5, 1, 3],
            [1.9953222650189528, 1.5204998778130465, 0.8596837951986662, 0.4795001221869535, 0.15729920705028513, 2.209049699858544e-05], 4, 4),
        ["erfinv"] = new(Prims.Erfinv, [-0.875, -0.5, 0.125, 0.5, 0.75, 0.984375],
            [-1.0847870400692832, -0.4769362762044699, 0.11123545184094996, 0.4769362762044699, 0.8134198475976185, 1.7094723742995115], 4, 4),
        ["lgamma"] = new(Prims.Lgamma, [-2.5, -0.5, 0.125, 0.5, 2.5, 3, 10],
            [-0.056243716497674054, 1.2655121234846454, 2.0194183575537963, 0.5723649429247001, 0.2846828704729192, 0.6931471805599453, 12.801827480081469], 4, 8),
        ["digamma"] = new(Prims.Digamma, [-2.5, -0.5, 0.125, 0.5, 1, 2, 10],
            [1.103156640645243, 0.03648997397857652, -8.388492663295855, -1.9635100260214235, -0.5772156649015329, 0.42278433509846713, 2.251752589066721], 4, 8),
        ["log1p"] = new(Prims.Log1p, [-0.5, -0.0078125, 0.0078125, 0.5, 1, 3, 1000],
            [-0.6931471805599453, -0.007843177461025893, 0.007782140442054949, 0.4054651081081644, 0.6931471805599453, 1.3862943611198906, 6.90875477931522], 1, 1),
        ["expm1"] = new(Prims.Expm1, [-10, -1, -0.0078125, 0.0078125, 0.25, 1, 5],
            [-0.9999546000702375, -0.6321205588285577, -0.007782061739756488, 0.007843097206447977, 0.2840254166877415, 1.7182818284590453, 147.4131591025766], 2, 1),
    };

    public static TheoryData<string, DType> SpecialOps() => Cross(SpecialCases.Keys, FloatDTypes);

    [Theory]
    [MemberData(nameof(SpecialOps))]
    public void Special_function_matches_high_precision_values(string name, DType dtype)
    {
        var c = SpecialCases[name];
        var x = Vector(dtype, c.Inputs);
        Assert.Equal(c.Inputs, Doubles(x));
        var result = Run(c.Primitive, x);
        Assert.Equal(x.Type, result.Type);
        // Near a zero of the function (lgamma(-2.5), digamma(-0.5)) the error is absolute, so it is bounded in
        // epsilons of max(|value|, 1).
        int ulps = dtype switch { DType.Float32 => c.Float32Ulps, DType.Float64 => c.Float64Ulps, _ => 1 };
        double epsilon = Math.ScaleB(1, dtype switch { DType.Float16 => -10, DType.BFloat16 => -7, DType.Float32 => -23, _ => -52 });
        for (int i = 0; i < c.Expected.Length; i++)
        {
            double want = RoundTo(dtype, c.Expected[i]), got = ValueAt(result, i);
            Assert.True(Math.Abs(got - want) <= ulps * epsilon * Math.Max(1, Math.Abs(want)),
                $"{name}({c.Inputs[i]}) in {dtype.Name()}: got {got:R}, expected {want:R}");
        }
    }

    [Fact]
    public void Special_functions_at_their_poles_and_limits()
    {
        double inf = double.PositiveInfinity;
        foreach (var dtype in FloatDTypes)
        {
            AssertExact(Run(Prims.Erfinv, Vector(dtype, -1, 1, 0, 2)), -inf, inf, 0, double.NaN);
            AssertExact(Run(Prims.Erf, Vector(dtype, -inf, inf, 0)), -1, 1, 0);
            AssertExact(Run(Prims.Erfc, Vector(dtype, -inf, inf, 0, 30)), 2, 0, 1, 0);
            AssertExact(Run(Prims.Log1p, Vector(dtype, -1, 0, inf)), -inf, 0, inf);
            AssertExact(Run(Prims.Expm1, Vector(dtype, -inf, 0, inf)), -1, 0, inf);
            AssertExact(Run(Prims.Lgamma, Vector(dtype, 0, -1, inf)), inf, inf, inf);
        }
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Special_values_follow_IEEE(DType dtype)
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        AssertExact(Run(Prims.Sign, Vector(dtype, nan, -0.0, 0.0, -inf, inf, -1e-3)), nan, -0.0, 0.0, -1, 1, -1);
        AssertExact(Run(Prims.Abs, Vector(dtype, -0.0, -inf, nan)), 0.0, inf, nan);
        AssertExact(Run(Prims.Neg, Vector(dtype, 0.0, -0.0, inf)), -0.0, 0.0, -inf);
        AssertExact(Run(Prims.Exp, Vector(dtype, -inf, inf, nan, 0)), 0, inf, nan, 1);
        AssertExact(Run(Prims.Log, Vector(dtype, 0, -1, inf, 1)), -inf, nan, inf, 0);
        AssertExact(Run(Prims.Sqrt, Vector(dtype, -0.0, -1, inf)), -0.0, nan, inf);
        AssertExact(Run(Prims.Rsqrt, Vector(dtype, 0, inf, 4)), inf, 0, 0.5);
        AssertExact(Run(Prims.Logistic, Vector(dtype, -inf, inf, 0)), 0, 1, 0.5);
        AssertExact(Run(Prims.Tanh, Vector(dtype, -inf, inf, -0.0)), -1, 1, -0.0);
        AssertExact(Run(Prims.Floor, Vector(dtype, -0.5, -0.0, nan)), -1, -0.0, nan);
        AssertExact(Run(Prims.Ceil, Vector(dtype, -0.5, 0.25)), -0.0, 1);
        AssertExact(Run(Prims.Cbrt, Vector(dtype, -8, -0.0, -inf)), -2, -0.0, -inf);
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Is_finite_gives_strong_bool(DType dtype)
    {
        var x = Vector(dtype, 1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 1e300);
        var result = Run(Prims.IsFinite, x);
        Assert.Equal(DType.Bool, result.DType);
        bool bigIsFinite = dtype == DType.Float64;
        Assert.Equal([true, false, false, false, true, bigIsFinite], result.Span<bool>().ToArray());
        Assert.Equal(new ShapedType(DType.Bool, Shape.Of(2)), Infer(Prims.IsFinite, new ShapedType(dtype, Shape.Of(2), Weak: true)));
    }

    [Fact]
    public void Float16_math_rounds_the_float32_result_once()
    {
        // exp(1) in float16: float32 e = 2.71828175 rounds to 2.71875 (0x4170).
        var r = Run(Prims.Exp, Vector(DType.Float16, 1));
        Assert.Equal((Half)2.71875, r.Span<Half>()[0]);
        // bfloat16 has 8 significant bits: sqrt(2) = 1.41421... rounds to 1.4140625.
        var s = Run(Prims.Sqrt, Vector(DType.BFloat16, 2));
        Assert.Equal(1.4140625f, (float)s.Span<BFloat16>()[0]);
    }

    [Fact]
    public void Float32_math_is_float32_math()
    {
        // exp in float32 is MathF.Exp applied to the float32 input, not a double result rounded.
        float[] inputs = [0.1f, 1.7f, -3.3f, 10.01f, 88.5f];
        var r = Run(Prims.Exp, Buffer.Of(inputs)).Span<float>().ToArray();
        Assert.Equal(inputs.Select(MathF.Exp).ToArray(), r);
        var s = Run(Prims.Sin, Buffer.Of(inputs)).Span<float>().ToArray();
        Assert.Equal(inputs.Select(MathF.Sin).ToArray(), s);
    }

    [Fact]
    public void Vectorised_paths_agree_with_scalar_math_on_long_arrays()
    {
        // Long enough to take the TensorPrimitives paths; every element checked against the scalar definition.
        var rng = new Random(7);
        var x = Enumerable.Range(0, 1000).Select(_ => (float)(rng.NextDouble() * 200 - 100)).ToArray();
        var b = Buffer.Of(x);
        Assert.Equal(x.Select(v => MathF.Round(v, MidpointRounding.AwayFromZero)).ToArray(),
            Run(Prims.Round, Attributes.Of(("rounding_method", 0)), b).Span<float>().ToArray());
        Assert.Equal(x.Select(MathF.Floor).ToArray(), Run(Prims.Floor, b).Span<float>().ToArray());
        Assert.Equal(x.Select(v => 1f / MathF.Sqrt(v)).ToArray(), Run(Prims.Rsqrt, b).Span<float>().ToArray());
        Assert.Equal(x.Select(v => -v).ToArray(), Run(Prims.Neg, b).Span<float>().ToArray());
    }

    [Theory]
    [InlineData("neg", DType.Int8, new long[] { -128, -1, 0, 1, 127 }, new long[] { -128, 1, 0, -1, -127 })]
    [InlineData("neg", DType.Int16, new long[] { short.MinValue, -5, 7 }, new long[] { short.MinValue, 5, -7 })]
    [InlineData("neg", DType.Int32, new long[] { int.MinValue, -5, 7 }, new long[] { int.MinValue, 5, -7 })]
    [InlineData("neg", DType.Int64, new long[] { long.MinValue, -5, 7 }, new long[] { long.MinValue, 5, -7 })]
    [InlineData("neg", DType.UInt8, new long[] { 0, 1, 200 }, new long[] { 0, 255, 56 })]
    [InlineData("neg", DType.UInt32, new long[] { 0, 1, 5 }, new long[] { 0, uint.MaxValue, uint.MaxValue - 4 })]
    [InlineData("abs", DType.Int8, new long[] { -128, -127, -1, 0, 5 }, new long[] { -128, 127, 1, 0, 5 })]
    [InlineData("abs", DType.Int16, new long[] { short.MinValue, -300 }, new long[] { short.MinValue, 300 })]
    [InlineData("abs", DType.Int32, new long[] { int.MinValue, -7, 7 }, new long[] { int.MinValue, 7, 7 })]
    [InlineData("abs", DType.Int64, new long[] { long.MinValue, -7 }, new long[] { long.MinValue, 7 })]
    [InlineData("abs", DType.UInt8, new long[] { 0, 200, 255 }, new long[] { 0, 200, 255 })]
    [InlineData("abs", DType.UInt32, new long[] { uint.MaxValue }, new long[] { uint.MaxValue })]
    [InlineData("sign", DType.Int8, new long[] { -128, -3, 0, 9, 127 }, new long[] { -1, -1, 0, 1, 1 })]
    [InlineData("sign", DType.Int16, new long[] { -3, 0, 9 }, new long[] { -1, 0, 1 })]
    [InlineData("sign", DType.Int32, new long[] { int.MinValue, 0, int.MaxValue }, new long[] { -1, 0, 1 })]
    [InlineData("sign", DType.Int64, new long[] { long.MinValue, 0, 2 }, new long[] { -1, 0, 1 })]
    [InlineData("sign", DType.UInt8, new long[] { 0, 1, 255 }, new long[] { 0, 1, 1 })]
    [InlineData("sign", DType.UInt32, new long[] { 0, uint.MaxValue }, new long[] { 0, 1 })]
    [InlineData("not", DType.Int8, new long[] { 0, -1, 5, -128 }, new long[] { -1, 0, -6, 127 })]
    [InlineData("not", DType.Int16, new long[] { 0, 0x0F0F }, new long[] { -1, unchecked((short)0xF0F0) })]
    [InlineData("not", DType.Int32, new long[] { 0, int.MaxValue }, new long[] { -1, int.MinValue })]
    [InlineData("not", DType.Int64, new long[] { 0, 1 }, new long[] { -1, -2 })]
    [InlineData("not", DType.UInt8, new long[] { 0, 0x0F, 255 }, new long[] { 255, 0xF0, 0 })]
    [InlineData("not", DType.UInt32, new long[] { 0, 1 }, new long[] { uint.MaxValue, uint.MaxValue - 1 })]
    [InlineData("population_count", DType.Int8, new long[] { 0, 1, -1, -128, 0x55 }, new long[] { 0, 1, 8, 1, 4 })]
    [InlineData("population_count", DType.Int16, new long[] { -1, 0x0F0F }, new long[] { 16, 8 })]
    [InlineData("population_count", DType.Int32, new long[] { -1, int.MinValue, 7 }, new long[] { 32, 1, 3 })]
    [InlineData("population_count", DType.Int64, new long[] { -1, long.MinValue, 0xFF00FF }, new long[] { 64, 1, 16 })]
    [InlineData("population_count", DType.UInt8, new long[] { 255, 128 }, new long[] { 8, 1 })]
    [InlineData("population_count", DType.UInt32, new long[] { uint.MaxValue, 0 }, new long[] { 32, 0 })]
    public void Integer_op_wraps_in_twos_complement(string name, DType dtype, long[] input, long[] expected)
    {
        var result = Run(PrimitiveRegistry.Get(name), Integers(dtype, input));
        Assert.Equal(dtype, result.DType);
        Assert.Equal(Longs(Integers(dtype, expected)), Longs(result));
    }

    [Theory]
    [InlineData(DType.UInt16)]
    [InlineData(DType.UInt64)]
    public void Wide_unsigned_integer_ops_wrap(DType dtype)
    {
        long max = dtype == DType.UInt16 ? ushort.MaxValue : -1; // -1 is ulong.MaxValue's bit pattern
        Assert.Equal(Longs(Integers(dtype, 0, max, max - 2)), Longs(Run(Prims.Neg, Integers(dtype, 0, 1, 3))));
        Assert.Equal(Longs(Integers(dtype, max, 0)), Longs(Run(Prims.Not, Integers(dtype, 0, max))));
        Assert.Equal(Longs(Integers(dtype, 0, 1)), Longs(Run(Prims.Sign, Integers(dtype, 0, max))));
        Assert.Equal(Longs(Integers(dtype, dtype.BitWidth(), 2)), Longs(Run(Prims.PopulationCount, Integers(dtype, max, 5))));
    }

    [Fact]
    public void Not_of_bool_is_logical()
    {
        var result = Run(Prims.Not, Bools(true, false));
        Assert.Equal([false, true], result.Span<bool>().ToArray());
    }

    [Theory]
    [InlineData("exp", DType.Int32, "exp: unsupported dtype int32")]
    [InlineData("sin", DType.Bool, "sin: unsupported dtype bool")]
    [InlineData("floor", DType.UInt8, "floor: unsupported dtype uint8")]
    [InlineData("neg", DType.Bool, "neg: unsupported dtype bool")]
    [InlineData("abs", DType.Bool, "abs: unsupported dtype bool")]
    [InlineData("is_finite", DType.Int64, "is_finite: unsupported dtype int64")]
    [InlineData("not", DType.Float32, "not: unsupported dtype float32")]
    [InlineData("population_count", DType.Float64, "population_count: unsupported dtype float64")]
    [InlineData("population_count", DType.Bool, "population_count: unsupported dtype bool")]
    [InlineData("round", DType.Int8, "round: unsupported dtype int8")]
    public void Unsupported_dtype_is_rejected_naming_the_op_and_dtype(string name, DType dtype, string message)
    {
        var attributes = name == "round" ? Attributes.Of(("rounding_method", 0)) : null;
        Assert.Equal(message, ErrorOf(PrimitiveRegistry.Get(name), attributes, new ShapedType(dtype, Shape.Of(3))));
    }

    [Fact]
    public void Unary_rules_reject_wrong_arity_and_bad_rounding_method()
    {
        var f = new ShapedType(DType.Float32, Shape.Of(3));
        Assert.Equal("exp: expects 1 operand, got 2", ErrorOf(Prims.Exp, null, f, f));
        Assert.Equal("round: missing attribute 'rounding_method'", ErrorOf(Prims.Round, null, f));
        Assert.Equal("round: rounding_method must be 0 (away from zero) or 1 (to nearest even), got 2",
            ErrorOf(Prims.Round, Attributes.Of(("rounding_method", 2)), f));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Unary_result_keeps_the_operand_type_and_weakness(bool weak)
    {
        var x = new ShapedType(DType.Float32, new Shape([Dim.Sym("n"), Dim.Of(3)]), weak);
        Assert.Equal(x, Infer(Prims.Exp, x));
        Assert.Equal(x, Infer(Prims.Round, Attributes.Of(("rounding_method", 1)), x));
        var i = new ShapedType(DType.Int8, Shape.Of(2), weak);
        Assert.Equal(i, Infer(Prims.Neg, i));
        Assert.Equal(i, Infer(Prims.PopulationCount, i));
    }
}
