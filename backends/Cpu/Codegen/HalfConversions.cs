using JaxToolchain.Backends.Llvm;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// float16 conversions as integer and float arithmetic, for targets without conversion instructions: LLVM turns
/// <c>fpext half</c> and <c>fptrunc ... to half</c> there into calls of compiler-rt's <c>__extendhfsf2</c>,
/// <c>__truncsfhf2</c> and <c>__truncdfhf2</c>, which a kernel library cannot link (kernels call nothing outside
/// themselves). x86-64-v2 has no F16C, and no x86 level converts float64 to float16 in one rounding. The algorithms are
/// the branch-free ones of F. Giesen's "half_to_float" and "float_to_half_fast3_rtne" (public domain), extended to
/// float64: exact widening; narrowing rounds to nearest even, overflows to infinity, keeps signs and zeros, and gives
/// the quiet NaN <c>0x7e00</c> (with the sign) for every NaN. Each works lane-wise on scalars or on vectors of
/// <c>lanes</c> elements (0: scalar), so loops still vectorize.
/// </summary>
internal static class HalfConversions
{
    /// <summary>float16 bits (<c>i16</c>) to the float32 they encode, exactly.</summary>
    public static LLVMValueRef ToFloat(LlvmBuilder b, LlvmContext context, LLVMValueRef bits, int lanes)
    {
        var i32 = Type(context.Int32, lanes);
        var f32 = Type(context.Float, lanes);
        LLVMValueRef C(long v) => Splat(context.Int32, v, lanes);
        var h = LlvmCore.BuildCast(b, LLVMOpcode.ZExt, bits, i32, "");
        var shifted = b.BinaryOperation(LLVMOpcode.Shl, b.BinaryOperation(LLVMOpcode.And, h, C(0x7FFF)), C(13));
        var exponent = b.BinaryOperation(LLVMOpcode.And, shifted, C(0x7C00 << 13));
        var rebiased = b.BinaryOperation(LLVMOpcode.Add, shifted, C((127 - 15) << 23));
        // Infinity and NaN: the exponent becomes all ones (payload kept).
        var special = b.BinaryOperation(LLVMOpcode.Add, rebiased, C((128 - 16) << 23));
        // Zero and subnormals: renormalize by a float subtraction of 2^-14 (exact).
        var magic = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, C(113 << 23), f32, "");
        var tiny = b.BinaryOperation(LLVMOpcode.FSub,
            LlvmCore.BuildCast(b, LLVMOpcode.BitCast, b.BinaryOperation(LLVMOpcode.Add, rebiased, C(1 << 23)), f32, ""), magic);
        var tinyBits = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, tiny, i32, "");
        var magnitude = LlvmCore.BuildSelect(b, ICmp(b, LLVMIntPredicate.EQ, exponent, C(0x7C00 << 13)), special,
            LlvmCore.BuildSelect(b, ICmp(b, LLVMIntPredicate.EQ, exponent, C(0)), tinyBits, rebiased, ""), "");
        var sign = b.BinaryOperation(LLVMOpcode.Shl, b.BinaryOperation(LLVMOpcode.And, h, C(0x8000)), C(16));
        return LlvmCore.BuildCast(b, LLVMOpcode.BitCast, b.BinaryOperation(LLVMOpcode.Or, magnitude, sign), f32, "");
    }

    /// <summary>The float16 bits (<c>i16</c>) nearest to a float32 (ties to even).</summary>
    public static LLVMValueRef FromFloat(LlvmBuilder b, LlvmContext context, LLVMValueRef value, int lanes) =>
        Narrow(b, context, value, lanes, context.Int32, context.Float, exponentBias: 127, mantissaBits: 23);

    /// <summary>The float16 bits (<c>i16</c>) nearest to a float64 (one rounding, ties to even).</summary>
    public static LLVMValueRef FromDouble(LlvmBuilder b, LlvmContext context, LLVMValueRef value, int lanes) =>
        Narrow(b, context, value, lanes, context.Int64, context.Double, exponentBias: 1023, mantissaBits: 52);

    private static LLVMValueRef Narrow(LlvmBuilder b, LlvmContext context, LLVMValueRef value, int lanes,
        LLVMTypeRef intType, LLVMTypeRef floatType, int exponentBias, int mantissaBits)
    {
        var it = Type(intType, lanes);
        var ft = Type(floatType, lanes);
        int width = mantissaBits == 23 ? 32 : 64;
        LLVMValueRef C(long v) => Splat(intType, v, lanes);
        int shift = mantissaBits - 10;
        var bits = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, value, it, "");
        var signMask = C(unchecked(1L << (width - 1)));
        var sign = b.BinaryOperation(LLVMOpcode.And, bits, signMask);
        var u = b.BinaryOperation(LLVMOpcode.Xor, bits, sign);
        long infinity = (long)((1L << (width - mantissaBits - 1)) - 1) << mantissaBits;
        long overflow = (long)(exponentBias + 16) << mantissaBits; // 2^16: every value from here is infinity
        long smallestNormal = (long)(exponentBias - 14) << mantissaBits; // 2^-14
        long denormMagic = (long)(exponentBias - 15 + shift + 1) << mantissaBits;

        // |x| >= 2^16 (and Inf/NaN): infinity, or the quiet NaN.
        var big = LlvmCore.BuildSelect(b, ICmp(b, LLVMIntPredicate.UGT, u, C(infinity)), C(0x7E00), C(0x7C00), "");
        // Subnormal results: adding 0.5 (float32) or 2^28 (float64), whose ulp is float16's subnormal step 2^-24, rounds
        // the magnitude to that step (nearest even); the sum's low bits are then the float16 bits.
        var magic = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, C(denormMagic), ft, "");
        var sum = b.BinaryOperation(LLVMOpcode.FAdd, LlvmCore.BuildCast(b, LLVMOpcode.BitCast, u, ft, ""), magic);
        var small = b.BinaryOperation(LLVMOpcode.Sub, LlvmCore.BuildCast(b, LLVMOpcode.BitCast, sum, it, ""), C(denormMagic));
        // Normal results: rebias, add half an ulp less one plus the kept mantissa's last bit, shift.
        var odd = b.BinaryOperation(LLVMOpcode.And, b.BinaryOperation(LLVMOpcode.LShr, u, C(shift)), C(1));
        var rounded = b.BinaryOperation(LLVMOpcode.Add, u, C(((long)(15 - exponentBias) << mantissaBits) + (1L << (shift - 1)) - 1));
        var normal = b.BinaryOperation(LLVMOpcode.LShr, b.BinaryOperation(LLVMOpcode.Add, rounded, odd), C(shift));

        var magnitude = LlvmCore.BuildSelect(b, ICmp(b, LLVMIntPredicate.UGE, u, C(overflow)), big,
            LlvmCore.BuildSelect(b, ICmp(b, LLVMIntPredicate.ULT, u, C(smallestNormal)), small, normal, ""), "");
        var result = b.BinaryOperation(LLVMOpcode.Or, magnitude, b.BinaryOperation(LLVMOpcode.LShr, sign, C(width - 16)));
        return LlvmCore.BuildCast(b, LLVMOpcode.Trunc, result, Type(LlvmCore.IntTypeInContext(context, 16), lanes), "");
    }

    private static LLVMTypeRef Type(LLVMTypeRef element, int lanes) => lanes == 0 ? element : LlvmCore.VectorType(element, (uint)lanes);

    private static LLVMValueRef Splat(LLVMTypeRef element, long value, int lanes)
    {
        var scalar = LlvmCore.ConstInt(element, unchecked((ulong)value), false);
        return lanes == 0 ? scalar : LlvmCore.ConstVector(Enumerable.Repeat(scalar, lanes).ToArray(), (uint)lanes);
    }

    private static LLVMValueRef ICmp(LlvmBuilder b, LLVMIntPredicate predicate, LLVMValueRef x, LLVMValueRef y) =>
        LlvmCore.BuildICmp(b, predicate, x, y, "");
}
