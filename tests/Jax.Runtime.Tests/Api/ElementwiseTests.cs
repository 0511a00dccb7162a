using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>Elementwise NumPy functions and the <see cref="Tensor"/> operators, against C# math and Python's rules.</summary>
public class ElementwiseTests
{
    private static readonly long[] Dividends = [.. Enumerable.Range(-7, 15).Select(i => (long)i)];
    private static readonly long[] Divisors = [-3, -2, -1, 1, 2, 3];

    private static (Tensor X, Tensor Y, long[] A, long[] B) IntPairs(DType dtype)
    {
        var a = Dividends.SelectMany(_ => Divisors, (x, _) => x).ToArray();
        var b = Dividends.SelectMany(_ => Divisors, (_, y) => y).ToArray();
        return (Jnp.Array(a, dtype), Jnp.Array(b, dtype), a, b);
    }

    private static long PythonFloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

    [Theory]
    [InlineData(DType.Int8)]
    [InlineData(DType.Int16)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    public void FloorDivide_Remainder_and_Fmod_of_signed_ints_follow_python_and_c(DType dtype)
    {
        using var _ = Jax.Config.X64Scope(true);
        var (x, y, a, b) = IntPairs(dtype);
        Expect.Array(Jnp.FloorDivide(x, y), dtype, [a.Length], [.. a.Zip(b, (p, q) => (double)PythonFloorDiv(p, q))]);
        Expect.Array(Jnp.Remainder(x, y), dtype, [a.Length], [.. a.Zip(b, (p, q) => (double)(p - q * PythonFloorDiv(p, q)))]);
        Expect.Array(x % y, dtype, [a.Length], [.. a.Zip(b, (p, q) => (double)(p - q * PythonFloorDiv(p, q)))]);
        Expect.Array(Jnp.Fmod(x, y), dtype, [a.Length], [.. a.Zip(b, (p, q) => (double)(p % q))]);
    }

    [Fact]
    public void Remainder_has_the_sign_of_the_divisor_and_fmod_of_the_dividend()
    {
        var x = Jnp.Array(new int[] { 7, -7, 7, -7 });
        var y = Jnp.Array(new int[] { 3, 3, -3, -3 });
        Expect.Values(Jnp.Remainder(x, y), [1, 2, -2, -1]);
        Expect.Values(Jnp.Mod(x, y), [1, 2, -2, -1]);
        Expect.Values(Jnp.Fmod(x, y), [1, -1, 1, -1]);
        Expect.Values(Jnp.FloorDivide(x, y), [2, -3, -3, 2]);
    }

    [Fact]
    public void FloorDivide_and_Remainder_of_unsigned_ints()
    {
        var x = Jnp.Array(new byte[] { 7, 200, 0 });
        var y = Jnp.Array(new byte[] { 2, 7, 5 });
        Expect.Array(Jnp.FloorDivide(x, y), DType.UInt8, [3], [3, 28, 0]);
        Expect.Array(Jnp.Remainder(x, y), DType.UInt8, [3], [1, 4, 0]);
        Expect.Array(Jnp.Fmod(x, y), DType.UInt8, [3], [1, 4, 0]);
    }

    [Theory]
    [InlineData(7.5, 2, 3, 1.5, 1.5)]
    [InlineData(-7.5, 2, -4, 0.5, -1.5)]
    [InlineData(7.5, -2, -4, -0.5, 1.5)]
    [InlineData(-7.5, -2, 3, -1.5, -1.5)]
    [InlineData(6, 3, 2, 0, 0)]
    [InlineData(-6, 3, -2, 0, 0)]
    [InlineData(1, 0.25, 4, 0, 0)]
    [InlineData(-1, 0.75, -2, 0.5, -0.25)]
    [InlineData(0.5, 3, 0, 0.5, 0.5)]
    [InlineData(-0.5, 3, -1, 2.5, -0.5)]
    public void Float_floor_division_and_modulo_follow_python(double a, double b, double floorDiv, double mod, double fmod)
    {
        foreach (var scope in new[] { false, true })
        {
            using var _ = Jax.Config.X64Scope(scope);
            var x = Jnp.Array(new[] { a });
            var y = Jnp.Array(new[] { b });
            Expect.Values(Jnp.FloorDivide(x, y), [floorDiv]);
            Expect.Values(Jnp.Remainder(x, y), [mod]);
            Expect.Values(x % y, [mod]);
            Expect.Values(Jnp.Fmod(x, y), [fmod]);
        }
    }

    [Fact]
    public void Float_division_by_zero_gives_infinities_and_nan()
    {
        var x = Jnp.Array(new float[] { 1, -1, 0 });
        Expect.Values(x / 0.0, [double.PositiveInfinity, double.NegativeInfinity, double.NaN]);
        Expect.Values(x / -0.0, [double.NegativeInfinity, double.PositiveInfinity, double.NaN]);
        // JAX's float divmod: fmod(x, 0) is NaN, so both results are NaN.
        Expect.Values(Jnp.FloorDivide(x, 0.0), [double.NaN, double.NaN, double.NaN]);
        Expect.Values(Jnp.Remainder(x, 0.0), [double.NaN, double.NaN, double.NaN]);
        Expect.Values(Jnp.Fmod(x, 0.0), [double.NaN, double.NaN, double.NaN]);
    }

    [Fact]
    public void Int_true_division_by_zero_is_float()
    {
        var x = Jnp.Array(new int[] { 1, -1, 0 });
        Expect.Array(x / 0, DType.Float32, [3], [double.PositiveInfinity, double.NegativeInfinity, double.NaN]);
    }

    [Fact]
    public void Int_division_by_zero_matches_jax_on_xla()
    {
        // XLA defines x / 0 = -1 and x % 0 = x for integers; jnp.floor_divide corrects by one where the signs
        // (lax.sign) differ and the remainder is nonzero; remainder and fmod divide by 1 instead of 0.
        var x = Jnp.Array(new int[] { 5, -5, 0 });
        var zero = Jnp.ZerosLike(x);
        Expect.Values(Jnp.FloorDivide(x, zero), [-2, -2, -1]);
        Expect.Values(Jnp.Remainder(x, zero), [0, 0, 0]);
        Expect.Values(Jnp.Fmod(x, zero), [0, 0, 0]);
        Expect.Values(Jnp.FloorDivide(Jnp.Array(new byte[] { 7 }), Jnp.Array(new byte[] { 0 })), [255]);
    }

    [Fact]
    public void FloorDivide_of_int_min_by_minus_one_wraps()
    {
        var x = Jnp.Array(new int[] { int.MinValue });
        Expect.Values(Jnp.FloorDivide(x, -1), [int.MinValue]);
        Expect.Values(Jnp.Remainder(x, -1), [0]);
    }

    [Fact]
    public void Boolean_floor_divide_and_subtract_are_rejected()
    {
        var b = Jnp.Array(new bool[] { true });
        Expect.Error(() => Jnp.FloorDivide(b, b), "floor_divide", "ElementwiseTests.cs(");
        Expect.Error(() => Jnp.Subtract(b, b), "subtract", "ElementwiseTests.cs(");
        Expect.Error(() => Jnp.Remainder(b, b), "remainder", "ElementwiseTests.cs(");
    }

    [Fact]
    public void Round_is_half_to_even()
    {
        var x = Jnp.Array(new float[] { 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, 2.6f, -2.6f, 3.5f });
        Expect.Array(Jnp.Round(x), DType.Float32, [10], [0, 2, 2, 0, -2, -2, 2, 3, -3, 4]);
        Expect.Values(Jnp.Rint(x), [0, 2, 2, 0, -2, -2, 2, 3, -3, 4]);
        Assert.True(double.IsNegative(Jnp.Round(x).ToArray<float>()[3]));
    }

    [Fact]
    public void Round_with_decimals_scales_and_rounds_half_to_even()
    {
        var x = Jnp.Array(new float[] { 1.25f, 1.75f, -0.25f, 3.14159f });
        Expect.Values(Jnp.Round(x, 1), [1.2f, 1.8f, -0.2f, 3.1f]);
        Expect.Values(Jnp.Round(Jnp.Array(new float[] { 0.125f, 2.71828f }), 2), [0.12f, 2.72f]);
        Expect.Values(Jnp.Round(Jnp.Array(new float[] { 1234f, 1250f, 1350f }), -2), [1200, 1200, 1400]);
    }

    [Fact]
    public void Round_of_ints_with_negative_decimals_is_half_to_even_like_numpy()
    {
        var x = Jnp.Array(new int[] { 15, 25, 35, -15, -25, 1234, 14, -16 });
        var r = Jnp.Round(x, -1);
        Expect.Array(r, DType.Int32, [8], [20, 20, 40, -20, -20, 1230, 10, -20]);
        Expect.Values(Jnp.Round(Jnp.Array(new int[] { 150, 250, 249 }), -2), [200, 200, 200]);
        Assert.Same(x, Jnp.Round(x, 1));
    }

    [Fact]
    public void Round_of_float16_with_decimals_keeps_float16()
    {
        var r = Jnp.Round(Jnp.Array(new float[] { 1.25f, 0.3333f }, Jnp.Float16), 2);
        Assert.Equal(DType.Float16, r.DType);
        Expect.Values(r, [(double)(Half)1.25, (double)(Half)0.33]);
    }

    [Fact]
    public void Clip_limits_to_bounds_either_of_which_may_be_absent()
    {
        var x = Jnp.Array(new float[] { -2, 0.5f, 3, float.NaN });
        Expect.Values(Jnp.Clip(x, 0, 1), [0, 0.5, 1, double.NaN]);
        Expect.Values(Jnp.Clip(x, max: 2), [-2, 0.5, 2, double.NaN]);
        Expect.Values(Jnp.Clip(x, min: 0), [0, 0.5, 3, double.NaN]);
        Assert.Equal(DType.Float32, Jnp.Clip(x, 0, 1).DType);
    }

    [Fact]
    public void Clip_of_ints_keeps_the_int_dtype_with_int_bounds()
    {
        var x = Jnp.Array(new sbyte[] { -100, 5, 100 });
        Expect.Array(Jnp.Clip(x, -10, 10), DType.Int8, [3], [-10, 5, 10]);
    }

    [Fact]
    public void Clip_broadcasts_array_bounds()
    {
        var x = Jnp.Arange(6).Reshape(2, 3);
        var lo = Jnp.Array(new int[] { 1, 2, 3 });
        var hi = Jnp.Array(new int[] { 4, 4, 4 });
        Expect.Values(Jnp.Clip(x, lo, hi), [1, 2, 3, 3, 4, 4]);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, 2.0)]
    [InlineData(-3.0, 5.0)]
    [InlineData(1000.0, 1000.0)]
    [InlineData(-1000.0, -1001.0)]
    [InlineData(30.0, -30.0)]
    public void Logaddexp_matches_the_closed_form_and_is_stable(double a, double b)
    {
        using var _ = Jax.Config.X64Scope(true);
        double m = Math.Max(a, b);
        double expected = m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m));
        Expect.Values(Jnp.Logaddexp(Jnp.Array(a), Jnp.Array(b)), [expected], 1e-15);
    }

    [Fact]
    public void Logaddexp_handles_infinities_and_nan()
    {
        var x = Jnp.Array(new float[] { float.NegativeInfinity, float.PositiveInfinity, float.PositiveInfinity, float.NaN, float.NegativeInfinity });
        var y = Jnp.Array(new float[] { float.NegativeInfinity, float.PositiveInfinity, float.NegativeInfinity, 1, 3 });
        Expect.Values(Jnp.Logaddexp(x, y), [double.NegativeInfinity, double.PositiveInfinity, double.PositiveInfinity, double.NaN, 3]);
    }

    [Fact]
    public void Logaddexp_of_ints_is_float()
    {
        var r = Jnp.Logaddexp(Jnp.Array(new int[] { 0 }), Jnp.Array(new int[] { 0 }));
        Expect.Array(r, DType.Float32, [1], [Math.Log(2)], 1e-7);
    }

    [Fact]
    public void Isclose_uses_relative_and_absolute_tolerances_and_handles_inf_and_nan()
    {
        var a = Jnp.Array(new double[] { 1, 1 + 1e-6, 1.1, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 0, 1e-9 });
        var b = Jnp.Array(new double[] { 1, 1, 1, double.PositiveInfinity, double.PositiveInfinity, double.NaN, 1e-9, 0 });
        Expect.Bools(Jnp.Isclose(a, b), true, true, false, true, false, false, true, true);
        Expect.Bools(Jnp.Isclose(a, b, equalNan: true), true, true, false, true, false, true, true, true);
        Expect.Bools(Jnp.Isclose(a, b, rtol: 0.2), true, true, true, true, false, false, true, true);
        Expect.Bools(Jnp.Isclose(a, b, rtol: 0, atol: 0), true, false, false, true, false, false, false, false);
    }

    [Fact]
    public void Isclose_of_ints_applies_the_tolerances_like_jax()
    {
        var a = Jnp.Array(new int[] { 100, 100, 5 });
        var b = Jnp.Array(new int[] { 101, 103, 5 });
        Expect.Bools(Jnp.Isclose(a, b, rtol: 0.02), true, false, true);
        Expect.Bools(Jnp.Isclose(a, b), false, false, true);
    }

    [Fact]
    public void Allclose_reduces_to_a_bool_scalar()
    {
        var a = Jnp.Array(new float[] { 1, 2, 3 });
        var yes = Jnp.Allclose(a, a + 1e-7);
        Expect.Shape(yes, []);
        Assert.True(yes.Item<bool>());
        Assert.False(Jnp.Allclose(a, a + 1e-3).Item<bool>());
        Assert.True(Jnp.Allclose(a, a + 1e-3, atol: 1e-2).Item<bool>());
        Assert.True(Jnp.Allclose(a, Jnp.Array(new float[] { 1 }) * 2 - 1 + Jnp.Arange(3)).Item<bool>());
    }

    [Fact]
    public void ArrayEqual_compares_shape_and_values()
    {
        Assert.True(Jnp.ArrayEqual(Jnp.Arange(3), Jnp.Array(new int[] { 0, 1, 2 })));
        Assert.False(Jnp.ArrayEqual(Jnp.Arange(3), Jnp.Arange(4)));
        Assert.False(Jnp.ArrayEqual(Jnp.Arange(3), Jnp.Array(new int[] { 0, 1, 3 })));
    }

    [Fact]
    public void Left_shift_saturates_to_zero_past_the_bit_width()
    {
        var x = Jnp.Array(new int[] { 1, 1, -1, 5, 3 });
        var n = Jnp.Array(new int[] { 0, 31, 1, 33, 2 });
        Expect.Array(Jnp.LeftShift(x, n), DType.Int32, [5], [1, int.MinValue, -2, 0, 12]);
        Expect.Values(x << n, [1, int.MinValue, -2, 0, 12]);
    }

    [Fact]
    public void Right_shift_is_arithmetic_for_signed_and_logical_for_unsigned()
    {
        var x = Jnp.Array(new int[] { -8, -8, 8, -1, 8 });
        var n = Jnp.Array(new int[] { 1, 40, 2, 31, 40 });
        Expect.Values(Jnp.RightShift(x, n), [-4, -1, 2, -1, 0]);
        Expect.Values(x >> n, [-4, -1, 2, -1, 0]);
        Expect.Array(Jnp.Array(new uint[] { 0x80000000u, 255 }) >> 4, DType.UInt32, [2], [0x08000000u, 15]);
        Expect.Array(Jnp.Array(new byte[] { 255, 128 }) >> 7, DType.UInt8, [2], [1, 1]);
        Expect.Array(Jnp.Array(new sbyte[] { -128, 64 }) >> 7, DType.Int8, [2], [-1, 0]);
    }

    [Fact]
    public void Shifts_reject_floats()
    {
        Expect.Error(() => Jnp.LeftShift(Jnp.Ones(2), 1), "left_shift", "float32[2]", "ElementwiseTests.cs(");
        Expect.Error(() => Jnp.RightShift(Jnp.Ones(2), 1), "right_shift", "float32[2]", "ElementwiseTests.cs(");
    }

    [Fact]
    public void Bitwise_operations_on_ints_and_bools()
    {
        var a = Jnp.Array(new int[] { 12, -1, 0 });
        var b = Jnp.Array(new int[] { 10, 7, 5 });
        Expect.Values(a & b, [8, 7, 0]);
        Expect.Values(a | b, [14, -1, 5]);
        Expect.Values(a ^ b, [6, -8, 5]);
        Expect.Values(Jnp.BitwiseAnd(a, 4), [4, 4, 0]);
        Expect.Array(~Jnp.Array(new sbyte[] { 0, 5, -128 }), DType.Int8, [3], [-1, -6, 127]);
        Expect.Array(Jnp.Invert(Jnp.Array(new byte[] { 0, 15 })), DType.UInt8, [2], [255, 240]);
        var p = Jnp.Array(new bool[] { true, true, false, false });
        var q = Jnp.Array(new bool[] { true, false, true, false });
        Expect.Bools(p & q, true, false, false, false);
        Expect.Bools(p | q, true, true, true, false);
        Expect.Bools(p ^ q, false, true, true, false);
        Expect.Bools(~p, false, false, true, true);
        // As NumPy and JAX: the set bits of |x|, as uint8.
        Expect.Array(Jnp.BitwiseCount(Jnp.Array(new int[] { 0, 7, -1, int.MinValue })), DType.UInt8, [4], [0, 3, 1, 1]);
    }

    [Fact]
    public void Bitwise_operations_reject_floats()
    {
        Expect.Error(() => Jnp.BitwiseAnd(Jnp.Ones(2), Jnp.Ones(2)), "bitwise_and", "float32[2]", "ElementwiseTests.cs(");
        Expect.Error(() => _ = ~Jnp.Ones(2), "bitwise_not", "float32[2]", "ElementwiseTests.cs(");
    }

    [Fact]
    public void Logical_operations_use_truthiness()
    {
        var a = Jnp.Array(new float[] { 0, 2, 0, -1, float.NaN });
        var b = Jnp.Array(new int[] { 0, 0, 3, 4, 0 });
        Expect.Bools(Jnp.LogicalAnd(a, b), false, false, false, true, false);
        Expect.Bools(Jnp.LogicalOr(a, b), false, true, true, true, true);
        Expect.Bools(Jnp.LogicalXor(a, b), false, true, true, false, true);
        Expect.Bools(Jnp.LogicalNot(a), true, false, true, false, false);
        Expect.Bools(!b, true, true, false, false, true);
    }

    [Fact]
    public void Comparisons_follow_ieee_with_nan()
    {
        var a = Jnp.Array(new float[] { 1, 2, 3, float.NaN, float.NaN });
        var b = Jnp.Array(new float[] { 2, 2, 2, 1, float.NaN });
        Expect.Bools(a < b, true, false, false, false, false);
        Expect.Bools(a <= b, true, true, false, false, false);
        Expect.Bools(a > b, false, false, true, false, false);
        Expect.Bools(a >= b, false, true, true, false, false);
        Expect.Bools(a == b, false, true, false, false, false);
        Expect.Bools(a != b, true, false, true, true, true);
        Expect.Bools(Jnp.Less(a, b), true, false, false, false, false);
        Expect.Bools(Jnp.GreaterEqual(a, 2), false, true, true, false, false);
        Expect.Bools(Jnp.Equal(a, 2), false, true, false, false, false);
        Expect.Bools(Jnp.NotEqual(2, a), true, false, true, true, true);
    }

    [Fact]
    public void Comparisons_promote_mixed_operands()
    {
        var i = Jnp.Array(new int[] { 1, 2 });
        var f = Jnp.Array(new float[] { 1.5f, 2 });
        Expect.Bools(i < f, true, false);
        Expect.Bools(i == 2.0, false, true);
        Expect.Bools(Jnp.Array(new byte[] { 200 }) > Jnp.Array(new sbyte[] { -1 }), true);
        using (Jax.Config.X64Scope(true))
            Expect.Bools(Jnp.Array(new uint[] { 4000000000 }) > Jnp.Array(new int[] { -1 }), true);
        // Without x64, uint32 and int32 meet in int32 (int64 narrowed), as in JAX: 4e9 wraps negative.
        using (Jax.Config.X64Scope(false))
            Expect.Bools(Jnp.Array(new uint[] { 4000000000 }) > Jnp.Array(new int[] { -1 }), false);
    }

    [Fact]
    public void Arithmetic_operators_match_the_named_functions()
    {
        var x = Jnp.Array(new float[] { 1, -2, 3.5f });
        var y = Jnp.Array(new float[] { 2, 4, -0.5f });
        Expect.Values(x + y, [3, 2, 3]);
        Expect.Values(x - y, [-1, -6, 4]);
        Expect.Values(x * y, [2, -8, -1.75]);
        Expect.Values(x / y, [0.5, -0.5, -7]);
        Expect.Values(-x, [-1, 2, -3.5]);
        Expect.Values(+x, [1, -2, 3.5]);
        Expect.Values(2 - x, [1, 4, -1.5]);
        Expect.Values(1 / y, [0.5, 0.25, -2]);
        Expect.Values(x % 2, [1, 0, 1.5]);
    }

    [Fact]
    public void Equality_operators_are_elementwise_and_Equals_is_identity()
    {
        var x = Jnp.Arange(3);
        var y = Jnp.Arange(3);
        Expect.Bools(x == y, true, true, true);
        Assert.False(x.Equals(y));
        Assert.True(x.Equals(x));
    }

    public static TheoryData<string, Func<Tensor, Tensor>, Func<double, double>> UnaryFunctions => new()
    {
        { "exp", Jnp.Exp, Math.Exp },
        { "exp2", Jnp.Exp2, v => Math.Pow(2, v) },
        { "expm1", Jnp.Expm1, v => Math.Abs(v) < 1e-5 ? v + v * v / 2 : Math.Exp(v) - 1 },
        { "log", Jnp.Log, Math.Log },
        { "log1p", Jnp.Log1p, v => Math.Log(1 + v) },
        { "log2", Jnp.Log2, Math.Log2 },
        { "log10", Jnp.Log10, Math.Log10 },
        { "sqrt", Jnp.Sqrt, Math.Sqrt },
        { "cbrt", Jnp.Cbrt, Math.Cbrt },
        { "sin", Jnp.Sin, Math.Sin },
        { "cos", Jnp.Cos, Math.Cos },
        { "tan", Jnp.Tan, Math.Tan },
        { "tanh", Jnp.Tanh, Math.Tanh },
        { "sinh", Jnp.Sinh, Math.Sinh },
        { "cosh", Jnp.Cosh, Math.Cosh },
        { "arctan", Jnp.Arctan, Math.Atan },
        { "arcsin", Jnp.Arcsin, Math.Asin },
        { "arccos", Jnp.Arccos, Math.Acos },
        { "square", Jnp.Square, v => v * v },
        { "reciprocal", Jnp.Reciprocal, v => 1 / v },
        { "abs", Jnp.Abs, Math.Abs },
        { "negative", Jnp.Negative, v => -v },
        { "sign", Jnp.Sign, v => double.IsNaN(v) ? double.NaN : Math.Sign(v) },
        { "floor", Jnp.Floor, Math.Floor },
        { "ceil", Jnp.Ceil, Math.Ceiling },
        { "trunc", Jnp.Trunc, Math.Truncate },
    };

    private static readonly double[] UnaryInputs = [0.3, 0.9, 0.5, 0.01, 0.75, 0.125, 2.5e-6];

    [Theory]
    [MemberData(nameof(UnaryFunctions))]
    public void Unary_functions_match_csharp_math_in_float64(string name, Func<Tensor, Tensor> f, Func<double, double> reference)
    {
        using var _ = Jax.Config.X64Scope(true);
        var inputs = UnaryInputs.Concat(UnaryInputs.Select(v => -v)).Where(v => name is not ("log" or "log2" or "log10" or "sqrt") || v > 0).ToArray();
        var result = f(Jnp.Array(inputs));
        Assert.Equal(DType.Float64, result.DType);
        Expect.Values(result, [.. inputs.Select(reference)], 1e-13);
    }

    [Theory]
    [MemberData(nameof(UnaryFunctions))]
    public void Unary_functions_match_csharp_math_in_float32(string name, Func<Tensor, Tensor> f, Func<double, double> reference)
    {
        using var _ = Jax.Config.X64Scope(false);
        var inputs = UnaryInputs.Where(v => name is not ("log" or "log2" or "log10") || v > 0).Select(v => (double)(float)v).ToArray();
        var result = f(Jnp.Array(inputs.Select(v => (float)v).ToArray()));
        Assert.Equal(DType.Float32, result.DType);
        Expect.Values(result, [.. inputs.Select(reference)], 1e-6);
    }

    [Fact]
    public void Special_values_of_unary_functions()
    {
        var x = Jnp.Array(new float[] { 0, -0.0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -1 });
        Expect.Values(Jnp.Log(x), [double.NegativeInfinity, double.NegativeInfinity, double.PositiveInfinity, double.NaN, double.NaN, double.NaN]);
        Expect.Values(Jnp.Sqrt(x), [0, 0, double.PositiveInfinity, double.NaN, double.NaN, double.NaN]);
        Expect.Values(Jnp.Exp(x), [1, 1, double.PositiveInfinity, 0, double.NaN, Math.Exp(-1)], 1e-7);
        Expect.Values(Jnp.Sign(x), [0, 0, 1, -1, double.NaN, -1]);
        Assert.True(double.IsNegative(Jnp.Sign(x).ToArray<float>()[1]));
        Expect.Values(Jnp.Tanh(x), [0, 0, 1, -1, double.NaN, Math.Tanh(-1)], 1e-7);
    }

    [Fact]
    public void Integer_unary_functions_keep_the_dtype()
    {
        var x = Jnp.Array(new sbyte[] { -128, -5, 0, 7 });
        Expect.Array(Jnp.Abs(x), DType.Int8, [4], [-128, 5, 0, 7]);
        Expect.Array(Jnp.Sign(x), DType.Int8, [4], [-1, -1, 0, 1]);
        Expect.Array(Jnp.Negative(x), DType.Int8, [4], [-128, 5, 0, -7]);
        Expect.Array(Jnp.Square(x), DType.Int8, [4], [0, 25, 0, 49]);
        Expect.Array(Jnp.Floor(x), DType.Int8, [4], [-128, -5, 0, 7]);
        Expect.Array(Jnp.Abs(Jnp.Array(new byte[] { 200 })), DType.UInt8, [1], [200]);
        Expect.Array(Jnp.Reciprocal(Jnp.Array(new int[] { 2, 4 })), DType.Float32, [2], [0.5, 0.25]);
    }

    [Fact]
    public void Float_classification()
    {
        var x = Jnp.Array(new float[] { 1, float.PositiveInfinity, float.NegativeInfinity, float.NaN });
        Expect.Bools(Jnp.Isnan(x), false, false, false, true);
        Expect.Bools(Jnp.Isinf(x), false, true, true, false);
        Expect.Bools(Jnp.Isfinite(x), true, false, false, false);
        Expect.Bools(Jnp.Isfinite(Jnp.Arange(2)), true, true);
        Expect.Bools(Jnp.Isnan(Jnp.Arange(2)), false, false);
    }

    [Fact]
    public void Power_of_ints_and_floats()
    {
        Expect.Array(Jnp.Power(Jnp.Array(new int[] { 2, 3, -2, 5 }), Jnp.Array(new int[] { 3, 2, 3, 0 })), DType.Int32, [4], [8, 9, -8, 1]);
        Expect.Values(Jnp.Power(Jnp.Array(new float[] { 2, 0, 4 }), Jnp.Array(new float[] { 0.5f, 0, -0.5f })), [Math.Sqrt(2), 1, 0.5], 1e-7);
        Expect.Values(Jnp.Power(Jnp.Array(new float[] { 3 }), 2), [9]);
    }

    [Fact]
    public void Maximum_and_minimum_propagate_nan()
    {
        var a = Jnp.Array(new float[] { 1, float.NaN, 3 });
        var b = Jnp.Array(new float[] { 2, 0, float.NaN });
        Expect.Values(Jnp.Maximum(a, b), [2, double.NaN, double.NaN]);
        Expect.Values(Jnp.Minimum(a, b), [1, double.NaN, double.NaN]);
        Expect.Bools(Jnp.Maximum(Jnp.Array(new bool[] { true, false }), Jnp.Array(new bool[] { false, false })), true, false);
    }

    [Fact]
    public void Binary_float_functions()
    {
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(Jnp.Hypot(Jnp.Array(new double[] { 3, 5 }), Jnp.Array(new double[] { 4, 12 })), [5, 13], 1e-15);
        Expect.Values(Jnp.Arctan2(Jnp.Array(new double[] { 1, 1, -1, 0 }), Jnp.Array(new double[] { 1, -1, -1, -1 })),
            [Math.Atan2(1, 1), Math.Atan2(1, -1), Math.Atan2(-1, -1), Math.PI], 1e-15);
        Expect.Values(Jnp.Nextafter(Jnp.Array(new double[] { 1 }), Jnp.Array(new double[] { 2 })), [Math.BitIncrement(1)]);
    }

    [Fact]
    public void Arccos_of_minus_one_is_pi()
    {
        Expect.Values(Jnp.Arccos(Jnp.Array(new float[] { -1, 1, 0 })), [Math.PI, 0, Math.PI / 2], 1e-7);
        using var _ = Jax.Config.X64Scope(true);
        Expect.Values(Jnp.Arccos(Jnp.Array(new double[] { -1 })), [Math.PI], 1e-16);
        Expect.Values(Jnp.Arcsin(Jnp.Array(new double[] { -1, 1 })), [-Math.PI / 2, Math.PI / 2], 1e-16);
    }

    [Fact]
    public void Hypot_does_not_overflow_and_handles_zero_and_infinity()
    {
        var x = Jnp.Array(new float[] { 3e30f, 0, float.PositiveInfinity, -3, float.NaN });
        var y = Jnp.Array(new float[] { 4e30f, 0, float.NaN, 4, 1 });
        Expect.Values(Jnp.Hypot(x, y), [5e30, 0, double.PositiveInfinity, 5, double.NaN], 1e-6);
    }

    [Fact]
    public void Sinh_and_cosh_do_not_overflow_before_the_result_does()
    {
        // x + log(1/2) rounds in float32 (ulp 7.6e-6 near 88), so the result is good to a few parts in 1e6.
        var x = Jnp.Array(new float[] { 89, -89 });
        Expect.Values(Jnp.Sinh(x), [Math.Sinh(89), Math.Sinh(-89)], 1e-5);
        Expect.Values(Jnp.Cosh(x), [Math.Cosh(89), Math.Cosh(89)], 1e-5);
        Expect.Values(Jnp.Sinh(Jnp.Array(new float[] { 100 })), [double.PositiveInfinity]);
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(-2e-5)]
    [InlineData(0.5)]
    [InlineData(-0.9)]
    [InlineData(3)]
    public void Sinh_keeps_relative_precision_in_float32(double v)
    {
        float x = (float)v;
        double actual = Jnp.Sinh(Jnp.Array(new[] { x })).ToArray<double>()[0];
        Assert.True(Math.Abs(actual - Math.Sinh(x)) <= 4e-7 * Math.Abs(Math.Sinh(x)), $"sinh({x}) = {actual}, expected {Math.Sinh(x)}");
        double cosh = Jnp.Cosh(Jnp.Array(new[] { x })).ToArray<double>()[0];
        Assert.True(Math.Abs(cosh - Math.Cosh(x)) <= 4e-7 * Math.Cosh(x), $"cosh({x}) = {cosh}, expected {Math.Cosh(x)}");
    }

    [Fact]
    public void Sinh_and_cosh_of_half_precision_compute_in_float32()
    {
        var h = Jnp.Array(new float[] { 0.5f, 10 }, Jnp.Float16);
        Expect.Array(Jnp.Sinh(h), DType.Float16, [2], [(double)(Half)Math.Sinh(0.5), (double)(Half)Math.Sinh(10)]);
        Expect.Array(Jnp.Cosh(h.Astype(Jnp.BFloat16)), DType.BFloat16, [2], [(double)(BFloat16)Math.Cosh(0.5), (double)(BFloat16)Math.Cosh(10)]);
    }
}
