using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Types;

/// <summary>JAX's type promotion table (jax.numpy type promotion semantics, x64 off and on).</summary>
public class TypePromotionTests
{
    private static (DType, bool) P(DType a, bool aw, DType b, bool bw, bool x64 = false) =>
        TypePromotion.Promote([(a, aw), (b, bw)], x64 ? DType.Int64 : DType.Int32, x64 ? DType.Float64 : DType.Float32);

    [Theory]
    [InlineData(DType.UInt8, DType.Int8, DType.Int16)]
    [InlineData(DType.UInt16, DType.Int16, DType.Int32)]
    [InlineData(DType.UInt32, DType.Int32, DType.Int64)]
    [InlineData(DType.UInt8, DType.UInt32, DType.UInt32)]
    [InlineData(DType.Int8, DType.Int64, DType.Int64)]
    [InlineData(DType.Bool, DType.Int8, DType.Int8)]
    [InlineData(DType.Bool, DType.Float16, DType.Float16)]
    [InlineData(DType.Int8, DType.BFloat16, DType.BFloat16)]
    [InlineData(DType.Int64, DType.Float16, DType.Float16)]
    [InlineData(DType.BFloat16, DType.Float16, DType.Float32)]
    [InlineData(DType.Float16, DType.Float32, DType.Float32)]
    [InlineData(DType.Float32, DType.Float64, DType.Float64)]
    [InlineData(DType.Int32, DType.Float32, DType.Float32)]
    [InlineData(DType.UInt32, DType.Float16, DType.Float16)]
    public void Strong_pairs_promote_to_their_least_upper_bound(DType a, DType b, DType expected)
    {
        Assert.Equal((expected, false), P(a, false, b, false));
        Assert.Equal((expected, false), P(b, false, a, false));
    }

    [Theory]
    [InlineData(DType.Int8, DType.Int32, DType.Int8)]      // 2 * int8 stays int8
    [InlineData(DType.UInt8, DType.Int32, DType.UInt8)]
    [InlineData(DType.BFloat16, DType.Float32, DType.BFloat16)] // 1.5f * bf16 stays bf16
    [InlineData(DType.Float16, DType.Int32, DType.Float16)]
    [InlineData(DType.Float32, DType.Float32, DType.Float32)]
    [InlineData(DType.Float64, DType.Float32, DType.Float64)]
    public void A_weak_literal_defers_to_the_strong_operand(DType strong, DType weakDType, DType expected) =>
        Assert.Equal((expected, false), P(strong, false, weakDType, true));

    [Fact]
    public void A_weak_float_with_a_strong_int_gives_the_weak_default_float()
    {
        Assert.Equal((DType.Float32, true), P(DType.Int32, false, DType.Float32, true));
        Assert.Equal((DType.Float64, true), P(DType.Int64, false, DType.Float64, true, x64: true));
        Assert.Equal((DType.Float64, true), P(DType.UInt8, false, DType.Float64, true, x64: true));
    }

    [Fact]
    public void Uint64_with_a_signed_int_gives_the_weak_default_float_as_in_jax()
    {
        Assert.Equal((DType.Float32, true), P(DType.UInt64, false, DType.Int8, false));
        Assert.Equal((DType.Float64, true), P(DType.UInt64, false, DType.Int64, false, x64: true));
    }

    [Fact]
    public void Bool_with_a_weak_int_gives_the_weak_default_int()
    {
        Assert.Equal((DType.Int32, true), P(DType.Bool, false, DType.Int32, true));
        Assert.Equal((DType.Int64, true), P(DType.Bool, false, DType.Int64, true, x64: true));
    }

    [Fact]
    public void Two_weak_operands_stay_weak_with_the_default_dtype_of_their_kind()
    {
        Assert.Equal((DType.Float32, true), P(DType.Int32, true, DType.Float32, true));
        Assert.Equal((DType.Int32, true), P(DType.Int32, true, DType.Int32, true));
    }

    [Fact]
    public void Equal_strong_dtypes_promote_to_themselves()
    {
        foreach (var t in DTypes.All)
            Assert.Equal((t, false), P(t, false, t, false));
    }

    [Fact]
    public void Promotion_is_commutative_and_associative_over_all_strong_dtypes()
    {
        foreach (var a in DTypes.All)
            foreach (var b in DTypes.All)
            {
                Assert.Equal(P(a, false, b, false), P(b, false, a, false));
                foreach (var c in DTypes.All)
                {
                    var (ab, abWeak) = P(a, false, b, false);
                    var (bc, bcWeak) = P(b, false, c, false);
                    Assert.Equal(P(ab, abWeak, c, false), P(a, false, bc, bcWeak));
                }
            }
    }
}
