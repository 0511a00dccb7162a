namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// float16 and bfloat16 as the kernels hold them: their bits in a <c>uint32</c> (storage) and their value in a
/// <c>float32</c> (computation), converted by integer instructions only, so that no 16-bit arithmetic, rounding-mode or
/// denormal support is needed (Vulkan leaves the rounding of <c>OpFConvert</c> and the flushing of denormals to the
/// device). Narrowing rounds to nearest even as the interpreter does (<see cref="Half"/>, <c>BFloat16</c>); a NaN stays
/// NaN with its leading payload bits (bfloat16 sets the quiet bit, as <c>BFloat16</c>'s conversion does).
/// </summary>
internal static class SpirvFloatFormats
{
    /// <summary>The float32 value of float16 bits (the low 16 bits of a <c>uint32</c>); exact.</summary>
    public static SpirvId HalfBitsToFloat(SpirvModuleBuilder m, SpirvId bits)
    {
        var (u, f, b) = (m.TypeInt(32, false), m.TypeFloat(32), m.TypeBool());
        var magnitude = m.Emit(SpirvOp.BitwiseAnd, u, bits, m.ConstantUInt32(0x7FFF));
        var sign = m.Emit(SpirvOp.ShiftLeftLogical, u, m.Emit(SpirvOp.BitwiseAnd, u, bits, m.ConstantUInt32(0x8000)), m.ConstantUInt32(16));
        // Normal: rebias the exponent (15 to 127) by adding 112 << 23 to the shifted bits.
        var normal = m.Emit(SpirvOp.IAdd, u, m.Emit(SpirvOp.ShiftLeftLogical, u, magnitude, m.ConstantUInt32(13)), m.ConstantUInt32(0x38000000));
        // Infinity and NaN: all-ones exponent, the payload shifted.
        var special = m.Emit(SpirvOp.BitwiseOr, u, m.Emit(SpirvOp.ShiftLeftLogical, u, m.Emit(SpirvOp.BitwiseAnd, u, magnitude, m.ConstantUInt32(0x3FF)),
            m.ConstantUInt32(13)), m.ConstantUInt32(0x7F800000));
        // Zero and subnormals: mantissa * 2^-24, exact and a normal float32.
        var scaled = m.Emit(SpirvOp.FMul, f, m.Emit(SpirvOp.ConvertUToF, f, magnitude), m.ConstantFloat32(MathF.ScaleB(1, -24)));
        var small = m.Emit(SpirvOp.Bitcast, u, scaled);
        var value = m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.ULessThan, b, magnitude, m.ConstantUInt32(0x400)), small,
            m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.UGreaterThanEqual, b, magnitude, m.ConstantUInt32(0x7C00)), special, normal));
        return m.Emit(SpirvOp.Bitcast, f, m.Emit(SpirvOp.BitwiseOr, u, value, sign));
    }

    /// <summary>
    /// The float16 bits (in a <c>uint32</c>) nearest a float32 value (ties to even): 65520 and beyond are infinity;
    /// a NaN keeps its leading payload bits (the quiet bit set if none is left).
    /// </summary>
    public static SpirvId FloatToHalfBits(SpirvModuleBuilder m, SpirvId value) => FloatBitsToHalfBits(m, m.Emit(SpirvOp.Bitcast, m.TypeInt(32, false), value));

    /// <summary><see cref="FloatToHalfBits"/> from float32 bits given as a <c>uint32</c>.</summary>
    public static SpirvId FloatBitsToHalfBits(SpirvModuleBuilder m, SpirvId bits)
    {
        var (u, f, b) = (m.TypeInt(32, false), m.TypeFloat(32), m.TypeBool());
        var sign = m.Emit(SpirvOp.BitwiseAnd, u, m.Emit(SpirvOp.ShiftRightLogical, u, bits, m.ConstantUInt32(16)), m.ConstantUInt32(0x8000));
        var a = m.Emit(SpirvOp.BitwiseAnd, u, bits, m.ConstantUInt32(0x7FFFFFFF));
        // NaN: the payload's top 10 bits; the quiet bit when they are all 0.
        var payload = m.Emit(SpirvOp.BitwiseAnd, u, m.Emit(SpirvOp.ShiftRightLogical, u, a, m.ConstantUInt32(13)), m.ConstantUInt32(0x3FF));
        var nan = m.Emit(SpirvOp.BitwiseOr, u, m.ConstantUInt32(0x7C00),
            m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.IEqual, b, payload, m.ConstantUInt32(0)), m.ConstantUInt32(0x200), payload));
        // Normal: rebias (127 to 15), add half an ulp minus one plus the kept lsb, shift: a carry rounds into the exponent.
        var odd = m.Emit(SpirvOp.BitwiseAnd, u, m.Emit(SpirvOp.ShiftRightLogical, u, a, m.ConstantUInt32(13)), m.ConstantUInt32(1));
        var normal = m.Emit(SpirvOp.ShiftRightLogical, u,
            m.Emit(SpirvOp.IAdd, u, m.Emit(SpirvOp.ISub, u, a, m.ConstantUInt32(0x38000000)), m.Emit(SpirvOp.IAdd, u, m.ConstantUInt32(0xFFF), odd)),
            m.ConstantUInt32(13));
        // Below 2^-14: |x| * 2^24 rounded to even is the subnormal's mantissa (exact scaling; 0x400 is the smallest normal).
        var scaled = m.Emit(SpirvOp.FMul, f, m.Emit(SpirvOp.Bitcast, f, a), m.ConstantFloat32(MathF.ScaleB(1, 24)));
        var subnormal = m.Emit(SpirvOp.ConvertFToU, u, m.Glsl(GlslStd450.RoundEven, f, scaled));
        var finite = m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.ULessThan, b, a, m.ConstantUInt32(0x38800000)), subnormal,
            m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.UGreaterThanEqual, b, a, m.ConstantUInt32(0x477FF000)), m.ConstantUInt32(0x7C00), normal));
        var magnitude = m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.UGreaterThan, b, a, m.ConstantUInt32(0x7F800000)), nan, finite);
        return m.Emit(SpirvOp.BitwiseOr, u, magnitude, sign);
    }

    /// <summary>
    /// The float16 bits (in a <c>uint32</c>) nearest a float64 value, rounded once as the interpreter does: the value is
    /// first rounded to odd in float32 bits (24 bits keep the float16 rounding exact), by integer instructions on the two halves.
    /// </summary>
    public static SpirvId DoubleToHalfBits(SpirvModuleBuilder m, SpirvId value)
    {
        var (u, b) = (m.TypeInt(32, false), m.TypeBool());
        var halves = m.Emit(SpirvOp.Bitcast, m.TypeVector(u, 2), value);
        var lo = m.Emit(SpirvOp.CompositeExtract, u, halves.Value, 0);
        var hi = m.Emit(SpirvOp.CompositeExtract, u, halves.Value, 1);
        var sign = m.Emit(SpirvOp.BitwiseAnd, u, hi, m.ConstantUInt32(0x80000000));
        var exponent = m.Emit(SpirvOp.BitwiseAnd, u, m.Emit(SpirvOp.ShiftRightLogical, u, hi, m.ConstantUInt32(20)), m.ConstantUInt32(0x7FF));
        var mantissa = m.Emit(SpirvOp.BitwiseOr, u,
            m.Emit(SpirvOp.ShiftLeftLogical, u, m.Emit(SpirvOp.BitwiseAnd, u, hi, m.ConstantUInt32(0xFFFFF)), m.ConstantUInt32(3)),
            m.Emit(SpirvOp.ShiftRightLogical, u, lo, m.ConstantUInt32(29)));
        var sticky = m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.INotEqual, b, m.Emit(SpirvOp.BitwiseAnd, u, lo, m.ConstantUInt32(0x1FFFFFFF)), m.ConstantUInt32(0)),
            m.ConstantUInt32(1), m.ConstantUInt32(0));
        var odd = m.Emit(SpirvOp.BitwiseOr, u, mantissa, sticky);
        // In float32's normal range (exponents 897 ..= 1150): rebias (1023 to 127).
        var inRange = m.Emit(SpirvOp.BitwiseOr, u, m.Emit(SpirvOp.ShiftLeftLogical, u, m.Emit(SpirvOp.ISub, u, exponent, m.ConstantUInt32(896)), m.ConstantUInt32(23)), odd);
        // Infinity and NaN keep a nonzero mantissa iff NaN; beyond float32's range is beyond float16's (a large float32);
        // below float32's normal range is below half float16's smallest subnormal (zero).
        var special = m.Emit(SpirvOp.BitwiseOr, u, m.ConstantUInt32(0x7F800000), odd);
        var bits = m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.ULessThan, b, exponent, m.ConstantUInt32(897)), m.ConstantUInt32(0),
            m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.IEqual, b, exponent, m.ConstantUInt32(0x7FF)), special,
                m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.UGreaterThan, b, exponent, m.ConstantUInt32(1150)), m.ConstantUInt32(0x7F000000), inRange)));
        return FloatBitsToHalfBits(m, m.Emit(SpirvOp.BitwiseOr, u, bits, sign));
    }

    /// <summary>The float32 value of bfloat16 bits (the low 16 bits of a <c>uint32</c>); exact.</summary>
    public static SpirvId BFloat16BitsToFloat(SpirvModuleBuilder m, SpirvId bits) =>
        m.Emit(SpirvOp.Bitcast, m.TypeFloat(32), m.Emit(SpirvOp.ShiftLeftLogical, m.TypeInt(32, false), bits, m.ConstantUInt32(16)));

    /// <summary>The bfloat16 bits (in a <c>uint32</c>) nearest a float32 value (ties to even); a NaN keeps its top bits with the quiet bit set.</summary>
    public static SpirvId FloatToBFloat16Bits(SpirvModuleBuilder m, SpirvId value)
    {
        var (u, b) = (m.TypeInt(32, false), m.TypeBool());
        var bits = m.Emit(SpirvOp.Bitcast, u, value);
        var top = m.Emit(SpirvOp.ShiftRightLogical, u, bits, m.ConstantUInt32(16));
        var nan = m.Emit(SpirvOp.BitwiseOr, u, top, m.ConstantUInt32(0x40));
        var rounding = m.Emit(SpirvOp.IAdd, u, m.ConstantUInt32(0x7FFF), m.Emit(SpirvOp.BitwiseAnd, u, top, m.ConstantUInt32(1)));
        var rounded = m.Emit(SpirvOp.ShiftRightLogical, u, m.Emit(SpirvOp.IAdd, u, bits, rounding), m.ConstantUInt32(16));
        return m.Emit(SpirvOp.Select, u, m.Emit(SpirvOp.IsNan, b, value), nan, rounded);
    }
}
