using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// JAX's type promotion through the API. Expected dtypes are the entries of the table in JAX's "Type promotion
/// semantics" document (<c>jnp.promote_types</c>); weak results follow its <c>i*</c>/<c>f*</c> lattice nodes.
/// </summary>
public class PromotionTests
{
    [Theory]
    [InlineData(DType.Bool, DType.Int8, DType.Int8)]
    [InlineData(DType.Bool, DType.Float16, DType.Float16)]
    [InlineData(DType.Bool, DType.UInt32, DType.UInt32)]
    [InlineData(DType.UInt8, DType.UInt16, DType.UInt16)]
    [InlineData(DType.UInt8, DType.Int8, DType.Int16)]
    [InlineData(DType.UInt8, DType.Int16, DType.Int16)]
    [InlineData(DType.UInt8, DType.Int32, DType.Int32)]
    [InlineData(DType.UInt16, DType.Int8, DType.Int32)]
    [InlineData(DType.UInt16, DType.Int16, DType.Int32)]
    [InlineData(DType.UInt32, DType.Int8, DType.Int64)]
    [InlineData(DType.UInt32, DType.Int32, DType.Int64)]
    [InlineData(DType.UInt32, DType.UInt64, DType.UInt64)]
    [InlineData(DType.Int8, DType.Int16, DType.Int16)]
    [InlineData(DType.Int16, DType.Int64, DType.Int64)]
    [InlineData(DType.Int8, DType.BFloat16, DType.BFloat16)]
    [InlineData(DType.Int64, DType.Float16, DType.Float16)]
    [InlineData(DType.UInt64, DType.BFloat16, DType.BFloat16)]
    [InlineData(DType.BFloat16, DType.Float16, DType.Float32)]
    [InlineData(DType.BFloat16, DType.Float32, DType.Float32)]
    [InlineData(DType.Float16, DType.Float64, DType.Float64)]
    [InlineData(DType.Float32, DType.Float64, DType.Float64)]
    [InlineData(DType.Int32, DType.Float32, DType.Float32)]
    [InlineData(DType.Int64, DType.Float32, DType.Float32)]
    [InlineData(DType.UInt8, DType.UInt8, DType.UInt8)]
    public void Strong_types_promote_as_jnp_promote_types(DType a, DType b, DType expected)
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = Jnp.Ones([2], a);
        var y = Jnp.Ones([2], b);
        Assert.Equal(expected, Jnp.ResultType(x, y));
        Assert.Equal(expected, Jnp.ResultType(y, x));
        var sum = Jnp.Add(x, y);
        Assert.Equal(expected, sum.DType);
        Assert.False(sum.WeakType);
    }

    [Theory]
    [InlineData(DType.UInt32, DType.Int32, DType.Int32)]
    [InlineData(DType.UInt32, DType.Int8, DType.Int32)]
    [InlineData(DType.Int32, DType.Float32, DType.Float32)]
    public void Promotion_without_x64_canonicalises_64_bit_results(DType a, DType b, DType expected)
    {
        using var _ = Jax.Config.X64Scope(false);
        var x = Jnp.Array(new int[] { 3, 4 }, a);
        var y = Jnp.Array(new int[] { 1, 2 }, b);
        Assert.Equal(expected, Jnp.ResultType(x, y));
        Expect.Array(Jnp.Add(x, y), expected, [2], [4, 6]);
        Expect.Array(Jnp.Multiply(x, y), expected, [2], [3, 8]);
        Expect.Array(Jnp.Concatenate([x, y]), expected, [4], [3, 4, 1, 2]);
        Expect.Array(Jnp.Where(Jnp.Array(new bool[] { true, false }), x, y), expected, [2], [3, 2]);
    }

    [Fact]
    public void Unsigned_and_signed_64_bit_promote_to_float64_with_x64()
    {
        using var _ = Jax.Config.X64Scope(true);
        Assert.Equal(DType.Float64, Jnp.ResultType(Jnp.Ones([1], Jnp.UInt64), Jnp.Ones([1], Jnp.Int64)));
    }

    [Fact]
    public void Int_literal_times_int8_stays_int8_and_wraps()
    {
        var x = Jnp.Array(new sbyte[] { 100, -3 });
        var y = Jnp.Multiply(2, x);
        Expect.Array(y, DType.Int8, [2], [-56, -6]);
        Assert.False(y.WeakType);
        Expect.Array(x * 2, DType.Int8, [2], [-56, -6]);
    }

    [Fact]
    public void Float_literal_times_bfloat16_stays_bfloat16()
    {
        var x = Jnp.Array(new float[] { 2, 3 }, Jnp.BFloat16);
        var y = 1.5f * x;
        Expect.Array(y, DType.BFloat16, [2], [3, 4.5]);
        Assert.False(y.WeakType);
        Assert.Equal(DType.BFloat16, (x * 1.5).DType);
    }

    [Fact]
    public void Float_literal_plus_int32_array_is_weak_float32()
    {
        using var _ = Jax.Config.X64Scope(false);
        var y = Jnp.Array(new int[] { 1, 2 }) + 1.5;
        Expect.Array(y, DType.Float32, [2], [2.5, 3.5]);
        Assert.True(y.WeakType);
    }

    [Fact]
    public void Float_literal_plus_int32_array_is_weak_float64_with_x64()
    {
        using var _ = Jax.Config.X64Scope(true);
        var y = Jnp.Array(new int[] { 1, 2 }) + 1.5;
        Assert.Equal(DType.Float64, y.DType);
        Assert.True(y.WeakType);
    }

    [Fact]
    public void Uint8_plus_int8_is_int16()
    {
        var y = Jnp.Array(new byte[] { 200, 0 }) + Jnp.Array(new sbyte[] { -100, -128 });
        Expect.Array(y, DType.Int16, [2], [100, -128]);
    }

    [Fact]
    public void Bool_plus_bool_is_logical_or()
    {
        var a = Jnp.Array(new bool[] { true, true, false, false });
        var b = Jnp.Array(new bool[] { true, false, true, false });
        Expect.Bools(a + b, true, true, true, false);
        Expect.Bools(a * b, true, false, false, false);
    }

    [Fact]
    public void Bool_plus_int_literal_is_weak_int()
    {
        using var _ = Jax.Config.X64Scope(false);
        var y = Jnp.Array(new bool[] { true, false }) + 1;
        Expect.Array(y, DType.Int32, [2], [2, 1]);
        Assert.True(y.WeakType);
    }

    [Fact]
    public void Literal_only_expressions_are_weak_default_types()
    {
        using (Jax.Config.X64Scope(false))
        {
            var i = Jnp.Add(2, 3);
            Expect.Array(i, DType.Int32, [], [5]);
            Assert.True(i.WeakType);
            var f = Jnp.Add(2, 1.5);
            Expect.Array(f, DType.Float32, [], [3.5]);
            Assert.True(f.WeakType);
            Assert.True(Jnp.Multiply(2.0, 4.0).WeakType);
        }
        using (Jax.Config.X64Scope(true))
        {
            var i = Jnp.Add(2, 3);
            Assert.Equal(DType.Int64, i.DType);
            Assert.True(i.WeakType);
            var f = Jnp.Add(2, 1.5);
            Assert.Equal(DType.Float64, f.DType);
            Assert.True(f.WeakType);
        }
    }

    [Fact]
    public void Literals_do_not_widen_arrays_under_x64()
    {
        using var _ = Jax.Config.X64Scope(true);
        Assert.Equal(DType.Int32, (Jnp.Array(new int[] { 1 }) + 2).DType);
        Assert.Equal(DType.Float32, (Jnp.Array(new float[] { 1 }) * 2.5).DType);
        Assert.Equal(DType.Float16, (Jnp.Array(new float[] { 1 }, Jnp.Float16) - 1).DType);
    }

    [Theory]
    [InlineData(DType.Int8, 1.5, DType.Float32, true)]
    [InlineData(DType.UInt8, 1, DType.UInt8, false)]
    [InlineData(DType.Float16, 2.5, DType.Float16, false)]
    [InlineData(DType.Int16, 2, DType.Int16, false)]
    [InlineData(DType.BFloat16, 2, DType.BFloat16, false)]
    public void Array_and_literal_promotion(DType arrayType, double literal, DType expected, bool weak)
    {
        using var _ = Jax.Config.X64Scope(false);
        var x = Jnp.Ones([2], arrayType);
        Tensor lit = literal == Math.Floor(literal) ? (Tensor)(int)literal : (Tensor)literal;
        var y = Jnp.Add(x, lit);
        Assert.Equal(expected, y.DType);
        Assert.Equal(weak, y.WeakType);
        Assert.Equal(expected, Jnp.ResultType(x, lit));
    }

    [Fact]
    public void Uint8_plus_int_literal_wraps_in_uint8()
    {
        Expect.Array(Jnp.Array(new byte[] { 255, 1 }) + 1, DType.UInt8, [2], [0, 2]);
    }

    [Fact]
    public void Float16_plus_int32_array_is_float16()
    {
        var y = Jnp.Array(new float[] { 1.5f }, Jnp.Float16) + Jnp.Array(new int[] { 2 });
        Expect.Array(y, DType.Float16, [1], [3.5]);
    }

    [Fact]
    public void Literal_conversions_follow_x64()
    {
        using (Jax.Config.X64Scope(false))
        {
            Tensor d = 2.0, i = 2, b = true;
            Assert.Equal((DType.Float32, true), (d.DType, d.WeakType));
            Assert.Equal((DType.Int32, true), (i.DType, i.WeakType));
            Assert.Equal((DType.Bool, false), (b.DType, b.WeakType));
        }
        using (Jax.Config.X64Scope(true))
        {
            Tensor d = 2.0, i = 2L;
            Assert.Equal((DType.Float64, true), (d.DType, d.WeakType));
            Assert.Equal((DType.Int64, true), (i.DType, i.WeakType));
        }
    }

    [Fact]
    public void Long_literal_beyond_int32_needs_x64()
    {
        using (Jax.Config.X64Scope(false))
            Assert.Throws<OverflowException>(() => { Tensor t = 1L << 40; });
        using (Jax.Config.X64Scope(true))
        {
            Tensor t = 1L << 40;
            Assert.Equal(1L << 40, t.Item<long>());
        }
    }

    [Fact]
    public void ResultType_of_single_values_and_mixtures()
    {
        using var _ = Jax.Config.X64Scope(false);
        Assert.Equal(DType.Int32, Jnp.ResultType(2));
        Assert.Equal(DType.Float32, Jnp.ResultType(2, 2.0));
        Assert.Equal(DType.Bool, Jnp.ResultType(true));
        Assert.Equal(DType.Int32, Jnp.ResultType(true, 1));
        Assert.Equal(DType.Int8, Jnp.ResultType(Jnp.Ones([1], Jnp.Int8), 2));
        Assert.Equal(DType.Float16, Jnp.ResultType(Jnp.Ones([1], Jnp.Float16), 2.0, 3));
        Assert.Equal(DType.Float32, Jnp.ResultType(Jnp.Ones([1], Jnp.Float16), Jnp.Ones([1], Jnp.BFloat16)));
        Assert.Equal(DType.Int16, Jnp.ResultType(Jnp.Ones([1], Jnp.UInt8), Jnp.Ones([1], Jnp.Int8), 7));
    }

    [Fact]
    public void Where_of_two_literals_is_weak()
    {
        using var _ = Jax.Config.X64Scope(false);
        var y = Jnp.Where(Jnp.Array(new bool[] { true, false }), 1, 2.5);
        Expect.Array(y, DType.Float32, [2], [1, 2.5]);
        Assert.True(y.WeakType);
    }

    [Fact]
    public void Weak_scalar_negation_stays_weak()
    {
        Tensor x = 2;
        var y = -x;
        Assert.True(y.WeakType);
        Assert.Equal(-2, y.Item<int>());
    }

    [Fact]
    public void Unary_float_functions_of_ints_give_the_default_float()
    {
        using (Jax.Config.X64Scope(false))
        {
            Assert.Equal(DType.Float32, Jnp.Exp(Jnp.Arange(3)).DType);
            Assert.Equal(DType.Float32, Jnp.Sqrt(Jnp.Array(new bool[] { true })).DType);
            Assert.Equal(DType.Float16, Jnp.Sin(Jnp.Ones([1], Jnp.Float16)).DType);
        }
        using (Jax.Config.X64Scope(true))
            Assert.Equal(DType.Float64, Jnp.Log(Jnp.Arange(1, 3)).DType);
    }

    [Fact]
    public void True_division_of_ints_is_float()
    {
        using var _ = Jax.Config.X64Scope(false);
        var y = Jnp.Array(new int[] { 1, 7 }) / Jnp.Array(new int[] { 2, 2 });
        Expect.Array(y, DType.Float32, [2], [0.5, 3.5]);
        Assert.Equal(DType.Float16, (Jnp.Ones([1], Jnp.Float16) / 3).DType);
        Assert.Equal(DType.Float32, (Jnp.Ones([1], Jnp.UInt8) / Jnp.Ones([1], Jnp.Int8)).DType);
    }

    [Fact]
    public void Int_literals_that_do_not_fit_the_array_dtype_raise_like_jax()
    {
        var u8 = Jnp.Array(new byte[] { 5 });
        var e = Assert.Throws<OverflowException>(() => u8 + 300);
        Assert.Contains("300", e.Message, StringComparison.Ordinal);
        Assert.Contains("uint8", e.Message, StringComparison.Ordinal);
        Assert.Contains("PromotionTests.cs(", e.Message, StringComparison.Ordinal);
        Assert.Throws<OverflowException>(() => Jnp.Less(u8, -1));
        Assert.Throws<OverflowException>(() => Jnp.Array(new sbyte[] { 1 }) * 128);
        Expect.Array(u8 + 250, DType.UInt8, [1], [255]);
        Expect.Array(Jnp.Array(new sbyte[] { 1 }) * -128, DType.Int8, [1], [-128]);
        Expect.Array(Jnp.Array(new short[] { 1 }) + 300, DType.Int16, [1], [301]);
    }
}
