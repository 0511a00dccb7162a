using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Machine limits of a floating dtype, as <c>jnp.finfo</c> reports them (<see cref="Jnp.Finfo(DType)"/>).
/// </summary>
/// <param name="DType">The dtype described.</param>
/// <param name="Bits">Its width in bits.</param>
/// <param name="Eps">The gap between 1 and the next larger number, 2^-nmant.</param>
/// <param name="Epsneg">The gap between 1 and the next smaller number, 2^-(nmant+1).</param>
/// <param name="Max">The largest finite number.</param>
/// <param name="Min">The most negative finite number, -Max.</param>
/// <param name="SmallestNormal">The smallest positive normal number, 2^minexp.</param>
/// <param name="SmallestSubnormal">The smallest positive subnormal number, 2^(minexp - nmant).</param>
/// <param name="Resolution">10^-precision.</param>
/// <param name="Precision">The number of decimal digits this dtype holds, floor(-log10(eps)).</param>
/// <param name="Nmant">The number of explicit mantissa bits.</param>
/// <param name="Nexp">The number of exponent bits.</param>
/// <param name="Minexp">The exponent of <see cref="SmallestNormal"/>.</param>
/// <param name="Maxexp">The smallest power of two that overflows.</param>
public sealed record FloatInfo(DType DType, int Bits, double Eps, double Epsneg, double Max, double Min, double SmallestNormal,
    double SmallestSubnormal, double Resolution, int Precision, int Nmant, int Nexp, int Minexp, int Maxexp)
{
    /// <summary>NumPy's older name of <see cref="SmallestNormal"/>.</summary>
    public double Tiny => SmallestNormal;

    /// <summary>The exponent of <see cref="Eps"/>, -nmant.</summary>
    public int Machep => -Nmant;

    /// <summary>The exponent of <see cref="Epsneg"/>, -(nmant + 1).</summary>
    public int Negep => -Nmant - 1;
}

/// <summary>Machine limits of an integer dtype, as <c>jnp.iinfo</c> reports them (<see cref="Jnp.Iinfo(DType)"/>).</summary>
/// <param name="DType">The dtype described.</param>
/// <param name="Bits">Its width in bits.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
public sealed record IntInfo(DType DType, int Bits, long Min, ulong Max)
{
    /// <summary>The NumPy kind character: <c>i</c> for signed, <c>u</c> for unsigned.</summary>
    public char Kind => DType.IsSignedInteger() ? 'i' : 'u';
}

// jax.numpy's dtype helpers: finfo, iinfo, can_cast, promote_types, issubdtype, isdtype.
public static partial class Jnp
{
    /// <summary>The machine limits of a floating dtype (<c>jnp.finfo</c>): float16, bfloat16, float32 or float64.</summary>
    public static FloatInfo Finfo(DType dtype)
    {
        (int nmant, int nexp) = dtype switch
        {
            DType.Float16 => (10, 5),
            DType.BFloat16 => (7, 8),
            DType.Float32 => (23, 8),
            DType.Float64 => (52, 11),
            _ => throw OpError("finfo", $"finfo: data type {dtype.Name()} is not inexact (use iinfo for integers)"),
        };
        int maxexp = 1 << (nexp - 1), minexp = 2 - maxexp;
        double eps = Math.ScaleB(1.0, -nmant);
        double max = (2 - eps) * Math.ScaleB(1.0, maxexp - 1);
        int precision = (int)Math.Floor(-Math.Log10(eps));
        return new FloatInfo(dtype, dtype.BitWidth(), eps, eps / 2, max, -max, Math.ScaleB(1.0, minexp), Math.ScaleB(1.0, minexp - nmant),
            Math.Pow(10, -precision), precision, nmant, nexp, minexp, maxexp);
    }

    /// <summary>The machine limits of an array's floating dtype (<c>jnp.finfo(x)</c>).</summary>
    public static FloatInfo Finfo(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Finfo(x.DType);
    }

    /// <summary>The range of an integer dtype (<c>jnp.iinfo</c>): int8 .. int64 or uint8 .. uint64.</summary>
    public static IntInfo Iinfo(DType dtype)
    {
        if (!dtype.IsInteger())
            throw OpError("iinfo", $"iinfo: invalid integer data type {dtype.Name()} (use finfo for floating dtypes)");
        int bits = dtype.BitWidth();
        return dtype.IsUnsignedInteger()
            ? new IntInfo(dtype, bits, 0, bits == 64 ? ulong.MaxValue : (1UL << bits) - 1)
            : new IntInfo(dtype, bits, bits == 64 ? long.MinValue : -(1L << (bits - 1)), (1UL << (bits - 1)) - 1);
    }

    /// <summary>The range of an array's integer dtype (<c>jnp.iinfo(x)</c>).</summary>
    public static IntInfo Iinfo(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Iinfo(x.DType);
    }

    /// <summary>
    /// The dtype that two dtypes promote to (<c>jnp.promote_types</c>) on JAX's lattice, without x64
    /// canonicalisation (int32 and uint32 give int64; int64 and uint64 give float64).
    /// </summary>
    public static DType PromoteTypes(DType a, DType b) =>
        TypePromotion.Promote([(a, false), (b, false)], DType.Int64, DType.Float64).DType;

    /// <summary>
    /// Whether a value of dtype <paramref name="from"/> may be cast to <paramref name="to"/> under NumPy's casting
    /// rule (<c>jnp.can_cast</c>): <c>no</c> and <c>equiv</c> (the same dtype), <c>safe</c> (every value is kept
    /// exactly), <c>same_kind</c> (safe, or within the kind order bool &lt; unsigned &lt; signed &lt; float), or
    /// <c>unsafe</c> (always).
    /// </summary>
    public static bool CanCast(DType from, DType to, string casting = "safe")
    {
        ArgumentNullException.ThrowIfNull(casting);
        return casting switch
        {
            "no" or "equiv" => from == to,
            "safe" => SafeCast(from, to),
            "same_kind" => SafeCast(from, to) || KindOrder(from) <= KindOrder(to),
            "unsafe" => true,
            _ => throw OpError("can_cast", $"can_cast: casting must be one of 'no', 'equiv', 'safe', 'same_kind' or 'unsafe', got '{casting}'"),
        };
    }

    /// <summary>Whether an array's dtype may be cast to <paramref name="to"/> (<c>jnp.can_cast(x, to)</c>).</summary>
    public static bool CanCast(Tensor from, DType to, string casting = "safe")
    {
        ArgumentNullException.ThrowIfNull(from);
        return CanCast(from.DType, to, casting);
    }

    private static int KindOrder(DType t) => t == DType.Bool ? 0 : t.IsUnsignedInteger() ? 1 : t.IsSignedInteger() ? 2 : 3;

    /// <summary>Significand bits of a float dtype, the implicit bit included.</summary>
    private static int Significand(DType t) => Finfo(t).Nmant + 1;

    /// <summary>Every value of <paramref name="from"/> is exactly a value of <paramref name="to"/>.</summary>
    private static bool SafeCast(DType from, DType to)
    {
        if (from == to || from == DType.Bool) return true;
        if (to == DType.Bool) return false;
        if (from.IsFloat())
            return to.IsFloat() && Significand(to) >= Significand(from) && Finfo(to).Maxexp >= Finfo(from).Maxexp;
        int valueBits = from.BitWidth() - (from.IsSignedInteger() ? 1 : 0);
        if (to.IsFloat()) return valueBits <= Significand(to);
        if (from.IsUnsignedInteger()) return to.IsUnsignedInteger() ? to.BitWidth() >= from.BitWidth() : to.BitWidth() > from.BitWidth();
        return to.IsSignedInteger() && to.BitWidth() >= from.BitWidth();
    }

    /// <summary>
    /// Whether <paramref name="arg1"/> is <paramref name="arg2"/> in NumPy's dtype hierarchy (<c>jnp.issubdtype</c>);
    /// concrete dtypes have no subtypes but themselves (use the category overload for <c>jnp.floating</c> and the like).
    /// </summary>
    public static bool Issubdtype(DType arg1, DType arg2) => arg1 == arg2;

    /// <summary>
    /// Whether <paramref name="arg1"/> belongs to one of NumPy's abstract dtype categories (<c>jnp.issubdtype(x,
    /// jnp.floating)</c>): <c>generic</c>, <c>number</c>, <c>integer</c>, <c>signedinteger</c>,
    /// <c>unsignedinteger</c>, <c>inexact</c>, <c>floating</c> or <c>bool</c> (<c>bool_</c>).
    /// </summary>
    public static bool Issubdtype(DType arg1, string arg2)
    {
        ArgumentNullException.ThrowIfNull(arg2);
        return arg2 switch
        {
            "generic" => true,
            "number" => arg1 != DType.Bool,
            "integer" => arg1.IsInteger(),
            "signedinteger" => arg1.IsSignedInteger(),
            "unsignedinteger" => arg1.IsUnsignedInteger(),
            "inexact" or "floating" => arg1.IsFloat(),
            "bool" or "bool_" => arg1 == DType.Bool,
            _ => throw OpError("issubdtype", $"issubdtype: unknown dtype category '{arg2}' (expected generic, number, integer, signedinteger, unsignedinteger, inexact, floating or bool)"),
        };
    }

    /// <summary>
    /// Whether <paramref name="dtype"/> is of one of the array API's kinds (<c>jnp.isdtype</c>): <c>bool</c>,
    /// <c>signed integer</c>, <c>unsigned integer</c>, <c>integral</c>, <c>real floating</c>, <c>complex floating</c>
    /// (never: there are no complex dtypes) or <c>numeric</c>.
    /// </summary>
    public static bool Isdtype(DType dtype, params string[] kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.Any(k => k switch
        {
            "bool" => dtype == DType.Bool,
            "signed integer" => dtype.IsSignedInteger(),
            "unsigned integer" => dtype.IsUnsignedInteger(),
            "integral" => dtype.IsInteger(),
            "real floating" => dtype.IsFloat(),
            "complex floating" => false,
            "numeric" => dtype != DType.Bool,
            null => throw new ArgumentNullException(nameof(kind)),
            _ => throw OpError("isdtype", $"isdtype: unrecognized kind '{k}' (expected bool, signed integer, unsigned integer, integral, real floating, complex floating or numeric)"),
        });
    }

    /// <summary>Whether <paramref name="dtype"/> is one of the dtypes <paramref name="kind"/> (<c>jnp.isdtype(dtype, (jnp.int32, ...))</c>).</summary>
    public static bool Isdtype(DType dtype, params DType[] kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.Contains(dtype);
    }
}
