using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// How each dtype lives in memory and in registers. Storage: bool is a byte holding 0 or 1, integers are <c>iN</c>,
/// float16 is <c>half</c>, bfloat16 is its 16 bits (<c>i16</c>), float32/64 are <c>float</c>/<c>double</c>. Compute, as the
/// interpreter computes: bool is <c>i1</c>, float16 and bfloat16 are <c>float</c> (widened exactly, rounded back to
/// nearest even when stored, as XLA on CPU does), every other dtype is its storage type. float16 converts with the
/// target's instructions where it has them (<paramref name="nativeHalf"/>: F16C, arm64), else with
/// <see cref="HalfConversions"/> (LLVM would call compiler-rt there, which kernels cannot link).
/// </summary>
internal sealed class ElementTypes(LlvmContext context, bool nativeHalf)
{
    /// <summary>Whether the target converts float16 to and from float32 in instructions (x86 F16C, arm64).</summary>
    public bool NativeHalf => nativeHalf;

    /// <summary>Whether a target converts float16 to and from float32 in instructions: x86-64-v3 and up (F16C), arm64.</summary>
    public static bool HasNativeHalf(CpuTarget target) => !target.IsX64 || target.Isa != "x86-64-v2";

    /// <summary>The type an element is stored as.</summary>
    public LLVMTypeRef Storage(DType dtype) => dtype switch
    {
        DType.Bool => context.Int8,
        DType.Int8 or DType.UInt8 => context.Int8,
        DType.Int16 or DType.UInt16 or DType.BFloat16 => LlvmCore.IntTypeInContext(context, 16),
        DType.Int32 or DType.UInt32 => context.Int32,
        DType.Int64 or DType.UInt64 => context.Int64,
        DType.Float16 => LlvmCore.HalfTypeInContext(context),
        DType.Float32 => context.Float,
        DType.Float64 => context.Double,
        _ => throw new NotSupportedException($"no storage type for {dtype}"),
    };

    /// <summary>The type an element is computed in.</summary>
    public LLVMTypeRef Compute(DType dtype) => dtype switch
    {
        DType.Bool => context.Int1,
        DType.Float16 or DType.BFloat16 => context.Float,
        _ => Storage(dtype),
    };

    /// <summary>The size of a stored element in bytes (its natural alignment).</summary>
    public static uint Alignment(DType dtype) => (uint)dtype.ItemSize();

    /// <summary>The address of element <paramref name="index"/> of an array of <paramref name="dtype"/> at <paramref name="pointer"/>.</summary>
    public LLVMValueRef Address(LlvmBuilder b, DType dtype, LLVMValueRef pointer, LLVMValueRef index) =>
        b.InBoundsGep(Storage(dtype), pointer, [index]);

    /// <summary>Loads element <paramref name="index"/> and converts it to the compute type.</summary>
    public LLVMValueRef Load(LlvmBuilder b, DType dtype, LLVMValueRef pointer, LLVMValueRef index) =>
        Widen(b, dtype, b.Load(Storage(dtype), Address(b, dtype, pointer, index), Alignment(dtype)));

    /// <summary>Converts a compute value to the storage type and stores it at element <paramref name="index"/>.</summary>
    public void Store(LlvmBuilder b, DType dtype, LLVMValueRef value, LLVMValueRef pointer, LLVMValueRef index) =>
        b.Store(Narrow(b, dtype, value), Address(b, dtype, pointer, index), Alignment(dtype));

    /// <summary>A stored value as a compute value.</summary>
    public LLVMValueRef Widen(LlvmBuilder b, DType dtype, LLVMValueRef stored) => dtype switch
    {
        DType.Bool => LlvmCore.BuildICmp(b, LLVMIntPredicate.NE, stored, LlvmCore.ConstInt(context.Int8, 0, false), ""),
        DType.Float16 => nativeHalf ? LlvmCore.BuildCast(b, LLVMOpcode.FPExt, stored, context.Float, "")
            : HalfConversions.ToFloat(b, context, LlvmCore.BuildCast(b, LLVMOpcode.BitCast, stored, LlvmCore.IntTypeInContext(context, 16), ""), 0),
        // bfloat16 is the upper half of a float32: exact.
        DType.BFloat16 => LlvmCore.BuildCast(b, LLVMOpcode.BitCast,
            b.BinaryOperation(LLVMOpcode.Shl, LlvmCore.BuildCast(b, LLVMOpcode.ZExt, stored, context.Int32, ""), LlvmCore.ConstInt(context.Int32, 16, false)),
            context.Float, ""),
        _ => stored,
    };

    /// <summary>A compute value as a stored value: bool to a 0/1 byte, float32 rounded to float16 or bfloat16 (nearest even).</summary>
    public LLVMValueRef Narrow(LlvmBuilder b, DType dtype, LLVMValueRef value) => dtype switch
    {
        DType.Bool => LlvmCore.BuildCast(b, LLVMOpcode.ZExt, value, context.Int8, ""),
        DType.Float16 => nativeHalf ? LlvmCore.BuildCast(b, LLVMOpcode.FPTrunc, value, LlvmCore.HalfTypeInContext(context), "")
            : LlvmCore.BuildCast(b, LLVMOpcode.BitCast, HalfConversions.FromFloat(b, context, value, 0), LlvmCore.HalfTypeInContext(context), ""),
        DType.BFloat16 => RoundToBFloat16(b, value),
        _ => value,
    };

    /// <summary>The bits of the bfloat16 nearest to a float32 (ties to even), NaNs kept quiet: as <see cref="BFloat16"/>'s conversion.</summary>
    private LLVMValueRef RoundToBFloat16(LlvmBuilder b, LLVMValueRef value)
    {
        var i32 = context.Int32;
        LLVMValueRef C(uint v) => LlvmCore.ConstInt(i32, v, false);
        var bits = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, value, i32, "");
        var upper = b.BinaryOperation(LLVMOpcode.LShr, bits, C(16));
        var rounding = b.BinaryOperation(LLVMOpcode.Add, C(0x7FFF), b.BinaryOperation(LLVMOpcode.And, upper, C(1)));
        var rounded = b.BinaryOperation(LLVMOpcode.LShr, b.BinaryOperation(LLVMOpcode.Add, bits, rounding), C(16));
        var quietNaN = b.BinaryOperation(LLVMOpcode.Or, upper, C(0x0040));
        var isNaN = LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, value, value, "");
        var result = LlvmCore.BuildSelect(b, isNaN, quietNaN, rounded, "");
        return LlvmCore.BuildCast(b, LLVMOpcode.Trunc, result, LlvmCore.IntTypeInContext(context, 16), "");
    }
}
