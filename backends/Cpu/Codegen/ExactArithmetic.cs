using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Elementwise rules that need more than one instruction and no library call: the float remainder (an exact C
/// <c>fmod</c> on the integer mantissas, since LLVM's <c>frem</c> becomes a call to <c>fmod</c>), integer <c>pow</c> by
/// repeated squaring, and <c>bitcast_convert_type</c> between dtypes of one width (inside loop fusions).
/// </summary>
internal static class ExactArithmetic
{
    /// <summary>
    /// rem on floats: C's <c>fmod</c>, exact. NaN when y is 0 or x is infinite or either is NaN; x when |x| &lt; |y|;
    /// ±0 (x's sign) when |x| = |y|; otherwise the mantissas <c>mx·2^(ex-ey) mod my</c> reduced a few bits at a time
    /// (shifts that keep the dividend below 2^64, then an unsigned remainder), rebuilt with y's exponent and x's sign.
    /// float16 and bfloat16 compute in float32 (their remainder is exact there) and are rounded by the caller.
    /// </summary>
    public static LLVMValueRef FloatRemainder(ElementOperands e)
    {
        var s = e.Scope;
        var b = e.B;
        var m = e.M;
        bool wide = e.In(0) == DType.Float64;
        int mantissa = wide ? 52 : 23;
        long expMask = wide ? 0x7FF0000000000000 : 0x7F800000;
        long absMask = wide ? long.MaxValue : 0x7FFFFFFF;
        long fraction = (1L << mantissa) - 1;
        long chunk = 63 - mantissa; // r < 2^(mantissa+1), so r << chunk < 2^64
        var floatType = e.InType(0);
        var bitsType = wide ? m.I64 : m.I32;
        LLVMValueRef C(long v) => m.Int64(v);
        LLVMValueRef Op(LLVMOpcode opcode, LLVMValueRef l, LLVMValueRef r) => b.BinaryOperation(opcode, l, r);
        LLVMValueRef Cmp(LLVMIntPredicate p, LLVMValueRef l, LLVMValueRef r) => LlvmCore.BuildICmp(b, p, l, r, "");
        LLVMValueRef Sel(LLVMValueRef c, LLVMValueRef t, LLVMValueRef f) => LlvmCore.BuildSelect(b, c, t, f, "");
        LLVMValueRef Bits(LLVMValueRef v)
        {
            var bits = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, v, bitsType, "");
            return wide ? bits : LlvmCore.BuildCast(b, LLVMOpcode.ZExt, bits, m.I64, "");
        }

        var (x, y) = (e.X[0], e.X[1]);
        var xb = Bits(x);
        var ax = Op(LLVMOpcode.And, xb, C(absMask));
        var ay = Op(LLVMOpcode.And, Bits(y), C(absMask));
        var sign = Op(LLVMOpcode.And, xb, C(~absMask & (wide ? -1L : 0xFFFFFFFFL)));
        var nan = Op(LLVMOpcode.Or, Cmp(LLVMIntPredicate.EQ, ay, C(0)),
            Op(LLVMOpcode.Or, Cmp(LLVMIntPredicate.UGE, ax, C(expMask)), Cmp(LLVMIntPredicate.UGT, ay, C(expMask))));
        var smaller = Cmp(LLVMIntPredicate.ULT, ax, ay);
        var equal = Cmp(LLVMIntPredicate.EQ, ax, ay);
        var general = LlvmCore.BuildNot(b, Op(LLVMOpcode.Or, nan, Op(LLVMOpcode.Or, smaller, equal)), "");

        // value = m·2^(e - bias - mantissa), with the implicit bit for normal numbers and e = 1 for subnormals.
        (LLVMValueRef M, LLVMValueRef E) Split(LLVMValueRef a)
        {
            var exponent = Op(LLVMOpcode.LShr, a, C(mantissa));
            var isNormal = Cmp(LLVMIntPredicate.NE, exponent, C(0));
            var mant = Op(LLVMOpcode.Or, Op(LLVMOpcode.And, a, C(fraction)), Sel(isNormal, C(1L << mantissa), C(0)));
            return (mant, Sel(isNormal, exponent, C(1)));
        }
        var (mx, ex) = Split(ax);
        var (my, ey) = Split(ay);
        my = Sel(general, my, C(1));
        var d0 = Sel(general, Op(LLVMOpcode.Sub, ex, ey), C(0));
        var r0 = Sel(general, mx, C(0));

        var entry = b.InsertBlock;
        var header = s.NewBlock("fmod.loop");
        var body = s.NewBlock("fmod.step");
        var exit = s.NewBlock("fmod.done");
        LlvmCore.BuildBr(b, header);
        b.PositionAtEnd(header);
        var d = b.Phi(m.I64, [(d0, entry)], "d");
        var r = b.Phi(m.I64, [(r0, entry)], "r");
        LlvmCore.BuildCondBr(b, Cmp(LLVMIntPredicate.SGT, d, C(0)), body, exit);
        b.PositionAtEnd(body);
        var k = Sel(Cmp(LLVMIntPredicate.SLT, d, C(chunk)), d, C(chunk));
        var reduced = Op(LLVMOpcode.URem, Op(LLVMOpcode.Shl, r, k), my);
        LlvmBuilder.AddIncoming(d, Op(LLVMOpcode.Sub, d, k), body);
        LlvmBuilder.AddIncoming(r, reduced, body);
        LlvmCore.BuildBr(b, header);
        b.PositionAtEnd(exit);
        var rest = Op(LLVMOpcode.URem, r, my);

        // rest·2^(ey - bias - mantissa), exactly representable: normalized when its exponent allows, else subnormal.
        var isZero = Cmp(LLVMIntPredicate.EQ, rest, C(0));
        var leading = b.Call(m.Intrinsic("llvm.ctlz", m.I64), [rest, LlvmCore.ConstInt(m.I1, 0, false)]);
        var lz = Op(LLVMOpcode.Sub, leading, C(63 - mantissa));
        var exponentOut = Op(LLVMOpcode.Sub, ey, lz);
        var normalBits = Op(LLVMOpcode.Or, Op(LLVMOpcode.Shl, exponentOut, C(mantissa)), Op(LLVMOpcode.And, Op(LLVMOpcode.Shl, rest, lz), C(fraction)));
        var subnormalBits = Op(LLVMOpcode.Shl, rest, Op(LLVMOpcode.Sub, ey, C(1)));
        var magnitude = Sel(Op(LLVMOpcode.Or, isZero, equal), C(0), Sel(Cmp(LLVMIntPredicate.SGE, exponentOut, C(1)), normalBits, subnormalBits));
        var bits = Sel(smaller, xb, Op(LLVMOpcode.Or, sign, magnitude));
        var narrowed = wide ? bits : LlvmCore.BuildCast(b, LLVMOpcode.Trunc, bits, m.I32, "");
        var value = LlvmCore.BuildCast(b, LLVMOpcode.BitCast, narrowed, floatType, "");
        return Sel(nan, LlvmCore.ConstReal(floatType, double.NaN), value);
    }

    /// <summary>
    /// pow on integers, as the interpreter: repeated squaring over the exponent's bits (wrapping), unrolled to the
    /// width (straight-line, so loops over it vectorize); a negative exponent gives 1 for base 1, ±1 for base -1 by the
    /// exponent's parity, 0 otherwise. Float pow is rewritten into arithmetic by the math-expansion pass first.
    /// </summary>
    public static LLVMValueRef Pow(ElementOperands e)
    {
        if (e.In(0).IsFloat()) throw new NotSupportedException("no CPU lowering for 'pow' on floats (the math-expansion pass rewrites it before code generation)");
        var b = e.B;
        var type = e.InType(0);
        LLVMValueRef C(long v) => e.M.Integer(type, v);
        var (x, y) = (e.X[0], e.X[1]);
        var result = C(1);
        var square = x;
        var exponent = y;
        int width = e.In(0).BitWidth();
        for (int bit = 0; bit < width; bit++)
        {
            var odd = LlvmCore.BuildCast(b, LLVMOpcode.Trunc, exponent, e.M.I1, "");
            result = LlvmCore.BuildSelect(b, odd, b.BinaryOperation(LLVMOpcode.Mul, result, square), result, "");
            if (bit == width - 1) break;
            square = b.BinaryOperation(LLVMOpcode.Mul, square, square);
            exponent = b.BinaryOperation(LLVMOpcode.LShr, exponent, C(1));
        }
        if (e.In(0).IsUnsignedInteger()) return result;
        var isOne = LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, x, C(1), "");
        var isMinusOne = LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, x, C(-1), "");
        var even = LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, b.BinaryOperation(LLVMOpcode.And, y, C(1)), C(0), "");
        var negative = LlvmCore.BuildSelect(b, isOne, C(1), LlvmCore.BuildSelect(b, isMinusOne, LlvmCore.BuildSelect(b, even, C(1), x, ""), C(0), ""), "");
        return LlvmCore.BuildSelect(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, y, C(0), ""), negative, result, "");
    }

    /// <summary>bitcast_convert_type between dtypes of one width (a loop fusion's member): the stored bits reinterpreted.</summary>
    public static LLVMValueRef Bitcast(ElementOperands e)
    {
        if (e.In(0) == e.Out) return e.X[0];
        if (e.In(0).ItemSize() != e.Out.ItemSize())
            throw new NotSupportedException($"no CPU lowering for 'bitcast_convert_type' from {e.In(0).Name()} to {e.Out.Name()} inside a loop");
        var stored = e.M.Types.Narrow(e.B, e.In(0), e.X[0]);
        var bits = LlvmCore.BuildCast(e.B, LLVMOpcode.BitCast, stored, e.M.Types.Storage(e.Out), "");
        return e.M.Types.Widen(e.B, e.Out, bits);
    }
}
