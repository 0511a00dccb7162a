using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>The operands of one element of an elementwise operation, as the lowering table sees them.</summary>
/// <param name="Scope">The scope (builder, module).</param>
/// <param name="Op">The operation.</param>
/// <param name="X">The operands' compute values.</param>
internal readonly record struct ElementOperands(KernelScope Scope, Operation Op, LLVMValueRef[] X)
{
    /// <summary>The builder.</summary>
    public LlvmBuilder B => Scope.B;

    /// <summary>The module.</summary>
    public KernelModule M => Scope.M;

    /// <summary>Operand <paramref name="i"/>'s dtype.</summary>
    public DType In(int i) => Op.Operands[i].Type.DType;

    /// <summary>The result's dtype.</summary>
    public DType Out => Op.Results[0].Type.DType;

    /// <summary>The compute type of operand <paramref name="i"/>.</summary>
    public LLVMTypeRef InType(int i) => M.Types.Compute(In(i));

    /// <summary>The compute type of the result.</summary>
    public LLVMTypeRef OutType => M.Types.Compute(Out);
}

/// <summary>
/// The lowering of the elementwise primitives to one element's LLVM instructions, as a table keyed by primitive (the
/// interpreter's kernels are the semantics: ElementwiseOps.cs): IEEE float arithmetic, two's-complement integers with
/// XLA's division, remainder and shift rules, saturating float-to-integer conversion (NaN to 0), bool as <c>i1</c>.
/// float16 and bfloat16 compute in float32 and are rounded to their format after every operation, as the interpreter
/// stores every intermediate. Transcendental functions (exp, log, sin, ...) are expanded into arithmetic before code
/// generation by the math-expansion pass; a primitive missing here is a <see cref="NotSupportedException"/>.
/// </summary>
internal static class ElementwiseLowering
{
    private delegate LLVMValueRef Rule(ElementOperands e);

    private static readonly Dictionary<Primitive, Rule> Rules = new()
    {
        [Prims.Neg] = e => IsFloat(e.In(0)) ? LlvmCore.BuildFNeg(e.B, e.X[0], "") : LlvmCore.BuildNeg(e.B, e.X[0], ""),
        [Prims.Abs] = e => IsFloat(e.In(0)) ? e.M.CallIntrinsic("llvm.fabs", e.InType(0), e.X[0])
            : e.In(0).IsUnsignedInteger() ? e.X[0]
            : Select(e, ICmp(e, LLVMIntPredicate.SLT, e.X[0], Zero(e.InType(0))), LlvmCore.BuildNeg(e.B, e.X[0], ""), e.X[0]),
        [Prims.Sign] = Sign,
        [Prims.Floor] = e => e.M.CallIntrinsic("llvm.floor", e.InType(0), e.X[0]),
        [Prims.Ceil] = e => e.M.CallIntrinsic("llvm.ceil", e.InType(0), e.X[0]),
        [Prims.Round] = e => e.M.CallIntrinsic(e.Op.Attributes.Int("rounding_method") == RoundPrimitive.ToNearestEven ? "llvm.roundeven" : "llvm.round", e.InType(0), e.X[0]),
        [Prims.Sqrt] = e => e.M.CallIntrinsic("llvm.sqrt", e.InType(0), e.X[0]),
        [Prims.Rsqrt] = e => e.B.BinaryOperation(LLVMOpcode.FDiv, LlvmCore.ConstReal(e.InType(0), 1), e.M.CallIntrinsic("llvm.sqrt", e.InType(0), e.X[0])),
        [Prims.IsFinite] = e => LlvmCore.BuildFCmp(e.B, LLVMRealPredicate.ONE, e.M.CallIntrinsic("llvm.fabs", e.InType(0), e.X[0]), LlvmCore.ConstReal(e.InType(0), double.PositiveInfinity), ""),
        [Prims.Not] = e => LlvmCore.BuildNot(e.B, e.X[0], ""),
        [Prims.PopulationCount] = e => e.M.CallIntrinsic("llvm.ctpop", e.InType(0), e.X[0]),
        [Prims.Add] = e => Arith(e, LLVMOpcode.FAdd, LLVMOpcode.Add),
        [Prims.Sub] = e => Arith(e, LLVMOpcode.FSub, LLVMOpcode.Sub),
        [Prims.Mul] = e => IsBool(e.In(0)) ? e.B.BinaryOperation(LLVMOpcode.And, e.X[0], e.X[1]) : Arith(e, LLVMOpcode.FMul, LLVMOpcode.Mul),
        [Prims.Div] = Divide,
        [Prims.Rem] = Remainder,
        [Prims.Max] = e => Extremum(e, max: true),
        [Prims.Min] = e => Extremum(e, max: false),
        [Prims.And] = e => e.B.BinaryOperation(LLVMOpcode.And, e.X[0], e.X[1]),
        [Prims.Or] = e => e.B.BinaryOperation(LLVMOpcode.Or, e.X[0], e.X[1]),
        [Prims.Xor] = e => e.B.BinaryOperation(LLVMOpcode.Xor, e.X[0], e.X[1]),
        [Prims.ShiftLeft] = e => Shift(e, LLVMOpcode.Shl),
        [Prims.ShiftRightLogical] = e => Shift(e, LLVMOpcode.LShr),
        [Prims.ShiftRightArithmetic] = e => Shift(e, LLVMOpcode.AShr),
        [Prims.Eq] = e => Compare(e, LLVMRealPredicate.OEQ, LLVMIntPredicate.EQ, LLVMIntPredicate.EQ),
        [Prims.Ne] = e => Compare(e, LLVMRealPredicate.UNE, LLVMIntPredicate.NE, LLVMIntPredicate.NE),
        [Prims.Lt] = e => Compare(e, LLVMRealPredicate.OLT, LLVMIntPredicate.SLT, LLVMIntPredicate.ULT),
        [Prims.Le] = e => Compare(e, LLVMRealPredicate.OLE, LLVMIntPredicate.SLE, LLVMIntPredicate.ULE),
        [Prims.Gt] = e => Compare(e, LLVMRealPredicate.OGT, LLVMIntPredicate.SGT, LLVMIntPredicate.UGT),
        [Prims.Ge] = e => Compare(e, LLVMRealPredicate.OGE, LLVMIntPredicate.SGE, LLVMIntPredicate.UGE),
        [Prims.Select] = e => Select(e, e.X[0], e.X[1], e.X[2]),
        [Prims.Clamp] = e => Clamp(e),
        [Prims.ConvertElementType] = e => Convert(e, e.X[0], e.In(0), e.Out),
        [Prims.StopGradient] = e => e.X[0],
        [Prims.Pow] = ExactArithmetic.Pow,
        [Prims.BitcastConvertType] = ExactArithmetic.Bitcast,
    };

    /// <summary>True when <paramref name="primitive"/> has a rule here.</summary>
    public static bool Supports(Primitive primitive) => Rules.ContainsKey(primitive);

    /// <summary>One element of <paramref name="op"/> on compute values <paramref name="operands"/>; the result is a compute value of its dtype.</summary>
    public static LLVMValueRef Emit(KernelScope scope, Operation op, LLVMValueRef[] operands)
    {
        if (!Rules.TryGetValue(op.Primitive, out var rule))
            throw new NotSupportedException($"no CPU lowering for the elementwise primitive '{op.Primitive.Name}' yet");
        var result = rule(new ElementOperands(scope, op, operands));
        var dtype = op.Results[0].Type.DType;
        // float16 and bfloat16 results are rounded to their format, as the interpreter stores every intermediate.
        return dtype is DType.Float16 or DType.BFloat16 ? scope.M.Types.Widen(scope.B, dtype, scope.M.Types.Narrow(scope.B, dtype, result)) : result;
    }

    /// <summary>A scalar constant (a one-element buffer) as a compute value of its dtype.</summary>
    public static LLVMValueRef Constant(KernelModule m, Ir.Buffer value)
    {
        var dtype = value.DType;
        var type = m.Types.Compute(dtype);
        return dtype switch
        {
            DType.Bool => LlvmCore.ConstInt(type, value.GetInt64(0) != 0 ? 1UL : 0UL, false),
            _ when IsFloat(dtype) => LlvmCore.ConstReal(type, value.GetDouble(0)),
            DType.UInt64 => LlvmCore.ConstInt(type, unchecked((ulong)value.GetInt64(0)), false),
            _ => LlvmCore.ConstInt(type, unchecked((ulong)value.GetInt64(0)), true),
        };
    }

    private static bool IsFloat(DType dtype) => dtype.IsFloat();

    private static bool IsBool(DType dtype) => dtype == DType.Bool;

    private static LLVMValueRef Zero(LLVMTypeRef type) => LlvmCore.ConstNull(type);

    private static LLVMValueRef ICmp(ElementOperands e, LLVMIntPredicate predicate, LLVMValueRef a, LLVMValueRef b) =>
        LlvmCore.BuildICmp(e.B, predicate, a, b, "");

    private static LLVMValueRef Select(ElementOperands e, LLVMValueRef condition, LLVMValueRef whenTrue, LLVMValueRef whenFalse) =>
        LlvmCore.BuildSelect(e.B, condition, whenTrue, whenFalse, "");

    private static LLVMValueRef Arith(ElementOperands e, LLVMOpcode floatOpcode, LLVMOpcode integerOpcode) =>
        e.B.BinaryOperation(IsFloat(e.In(0)) ? floatOpcode : integerOpcode, e.X[0], e.X[1]);

    /// <summary>sign: -1, 0, 1 (NaN and ±0 are themselves for floats); unsigned integers are 0 or 1.</summary>
    private static LLVMValueRef Sign(ElementOperands e)
    {
        var type = e.InType(0);
        var x = e.X[0];
        if (IsFloat(e.In(0)))
        {
            var unit = e.M.CallIntrinsic("llvm.copysign", type, LlvmCore.ConstReal(type, 1), x);
            var keep = e.B.BinaryOperation(LLVMOpcode.Or,
                LlvmCore.BuildFCmp(e.B, LLVMRealPredicate.UNO, x, x, ""), LlvmCore.BuildFCmp(e.B, LLVMRealPredicate.OEQ, x, Zero(type), ""));
            return Select(e, keep, x, unit);
        }
        var one = LlvmCore.ConstInt(type, 1, false);
        var nonzero = LlvmCore.BuildCast(e.B, LLVMOpcode.ZExt, ICmp(e, LLVMIntPredicate.NE, x, Zero(type)), type, "");
        if (e.In(0).IsUnsignedInteger()) return nonzero;
        return Select(e, ICmp(e, LLVMIntPredicate.SLT, x, Zero(type)), LlvmCore.ConstAllOnes(type), Select(e, ICmp(e, LLVMIntPredicate.EQ, x, Zero(type)), Zero(type), one));
    }

    /// <summary>Floats divide by IEEE; integers: x / 0 is all ones, MIN / -1 wraps (is -MIN = MIN), otherwise truncating.</summary>
    private static LLVMValueRef Divide(ElementOperands e)
    {
        if (IsFloat(e.In(0))) return e.B.BinaryOperation(LLVMOpcode.FDiv, e.X[0], e.X[1]);
        var type = e.InType(0);
        var (x, y) = (e.X[0], e.X[1]);
        var isZero = ICmp(e, LLVMIntPredicate.EQ, y, Zero(type));
        if (e.In(0).IsUnsignedInteger())
        {
            var safe = Select(e, isZero, LlvmCore.ConstInt(type, 1, false), y);
            return Select(e, isZero, LlvmCore.ConstAllOnes(type), e.B.BinaryOperation(LLVMOpcode.UDiv, x, safe));
        }
        var minusOne = ICmp(e, LLVMIntPredicate.EQ, y, LlvmCore.ConstAllOnes(type));
        var special = e.B.BinaryOperation(LLVMOpcode.Or, isZero, minusOne);
        var divisor = Select(e, special, LlvmCore.ConstInt(type, 1, false), y);
        var quotient = e.B.BinaryOperation(LLVMOpcode.SDiv, x, divisor);
        return Select(e, isZero, LlvmCore.ConstAllOnes(type), Select(e, minusOne, LlvmCore.BuildNeg(e.B, x, ""), quotient));
    }

    /// <summary>Integers: x % 0 is x, MIN % -1 is 0, otherwise truncating (the sign of x). Floats: an exact fmod.</summary>
    private static LLVMValueRef Remainder(ElementOperands e)
    {
        if (IsFloat(e.In(0))) return ExactArithmetic.FloatRemainder(e);
        var type = e.InType(0);
        var (x, y) = (e.X[0], e.X[1]);
        var isZero = ICmp(e, LLVMIntPredicate.EQ, y, Zero(type));
        if (e.In(0).IsUnsignedInteger())
            return Select(e, isZero, x, e.B.BinaryOperation(LLVMOpcode.URem, x, Select(e, isZero, LlvmCore.ConstInt(type, 1, false), y)));
        var minusOne = ICmp(e, LLVMIntPredicate.EQ, y, LlvmCore.ConstAllOnes(type));
        var divisor = Select(e, e.B.BinaryOperation(LLVMOpcode.Or, isZero, minusOne), LlvmCore.ConstInt(type, 1, false), y);
        var remainder = e.B.BinaryOperation(LLVMOpcode.SRem, x, divisor);
        return Select(e, isZero, x, Select(e, minusOne, Zero(type), remainder));
    }

    /// <summary>max/min: IEEE 754-2019 maximum/minimum for floats (NaN propagates, -0 &lt; +0); integers by their signedness; bool or/and.</summary>
    private static LLVMValueRef Extremum(ElementOperands e, bool max)
    {
        var (x, y) = (e.X[0], e.X[1]);
        if (IsBool(e.In(0))) return e.B.BinaryOperation(max ? LLVMOpcode.Or : LLVMOpcode.And, x, y);
        if (e.In(0) is DType.Float16 or DType.BFloat16) return HalfExtremum(e.B, x, y, max);
        if (IsFloat(e.In(0))) return e.M.Builder.Call(e.M.Intrinsic(max ? "llvm.maximum" : "llvm.minimum", e.InType(0)), [x, y]);
        bool unsigned = e.In(0).IsUnsignedInteger();
        var predicate = max ? (unsigned ? LLVMIntPredicate.UGT : LLVMIntPredicate.SGT) : (unsigned ? LLVMIntPredicate.ULT : LLVMIntPredicate.SLT);
        return Select(e, ICmp(e, predicate, x, y), x, y);
    }

    /// <summary>
    /// IEEE 754-2019 maximum/minimum (NaN propagates, +0 above -0) by compares and selects, on scalars or vectors of
    /// float32: for float16 and bfloat16 values, because LLVM 19 narrows <c>llvm.maximum</c> of widened halves into a
    /// half-precision one whose x86-64 lowering drops NaNs (<c>llvm.maximum.v32f16</c>).
    /// </summary>
    internal static LLVMValueRef HalfExtremum(LlvmBuilder builder, LLVMValueRef a, LLVMValueRef b, bool max)
    {
        var zero = LlvmCore.ConstNull(LlvmCore.TypeOf(a));
        var unordered = LlvmCore.BuildFCmp(builder, LLVMRealPredicate.UNO, a, b, "");
        var above = LlvmCore.BuildFCmp(builder, max ? LLVMRealPredicate.OGT : LLVMRealPredicate.OLT, a, b, "");
        var below = LlvmCore.BuildFCmp(builder, max ? LLVMRealPredicate.OLT : LLVMRealPredicate.OGT, a, b, "");
        // Equal values differ only as ±0: +0 + -0 is +0 (the maximum), -(-(+0) + -(-0)) is -0 (the minimum).
        var signedZero = max ? builder.BinaryOperation(LLVMOpcode.FAdd, a, b)
            : LlvmCore.BuildFNeg(builder, builder.BinaryOperation(LLVMOpcode.FAdd, LlvmCore.BuildFNeg(builder, a, ""), LlvmCore.BuildFNeg(builder, b, "")), "");
        var tie = LlvmCore.BuildSelect(builder, LlvmCore.BuildFCmp(builder, LLVMRealPredicate.OEQ, a, zero, ""), signedZero, a, "");
        var ordered = LlvmCore.BuildSelect(builder, above, a, LlvmCore.BuildSelect(builder, below, b, tie, ""), "");
        return LlvmCore.BuildSelect(builder, unordered, builder.BinaryOperation(LLVMOpcode.FAdd, a, b), ordered, "");
    }

    /// <summary>Shifts with XLA's out-of-range rule: a count read as unsigned that is at least the bit width gives 0 (the sign fill for arithmetic).</summary>
    private static LLVMValueRef Shift(ElementOperands e, LLVMOpcode opcode)
    {
        var type = e.InType(0);
        var (x, y) = (e.X[0], e.X[1]);
        var width = LlvmCore.ConstInt(type, (ulong)e.In(0).BitWidth(), false);
        var inRange = ICmp(e, LLVMIntPredicate.ULT, y, width);
        var count = Select(e, inRange, y, Zero(type));
        var shifted = e.B.BinaryOperation(opcode, x, count);
        if (opcode != LLVMOpcode.AShr) return Select(e, inRange, shifted, Zero(type));
        var fill = e.B.BinaryOperation(LLVMOpcode.AShr, x, LlvmCore.ConstInt(type, (ulong)e.In(0).BitWidth() - 1, false));
        return Select(e, inRange, shifted, fill);
    }

    /// <summary>Comparisons: floats ordered (ne unordered: true with NaN), integers by signedness, bool as 0 &lt; 1.</summary>
    private static LLVMValueRef Compare(ElementOperands e, LLVMRealPredicate real, LLVMIntPredicate signed, LLVMIntPredicate unsigned)
    {
        var (x, y) = (e.X[0], e.X[1]);
        if (IsFloat(e.In(0))) return LlvmCore.BuildFCmp(e.B, real, x, y, "");
        return ICmp(e, e.In(0).IsUnsignedInteger() || IsBool(e.In(0)) ? unsigned : signed, x, y);
    }

    /// <summary>clamp(lo, x, hi) = min(max(x, lo), hi), with max/min as for <c>max</c>/<c>min</c>.</summary>
    private static LLVMValueRef Clamp(ElementOperands e)
    {
        var lower = Extremum(e with { X = [e.X[1], e.X[0]] }, max: true);
        return Extremum(e with { X = [lower, e.X[2]] }, max: false);
    }

    /// <summary>
    /// Float to integer, truncating toward zero and saturating (NaN is 0): what <c>llvm.fptosi.sat</c> computes, written
    /// as a plain conversion and three selects because LLVM 19 scalarizes the intrinsic on x86 (16 scalar conversions
    /// per AVX-512 vector), while this form vectorizes. The plain conversion is poison outside the integer's range, and
    /// a select takes only the chosen operand's poison: every out-of-range or NaN element selects a constant. The bounds
    /// are powers of two, exact in every float format.
    /// </summary>
    private static LLVMValueRef SaturatingFloatToInteger(ElementOperands e, LLVMValueRef x, LLVMTypeRef floatType, DType to)
    {
        var b = e.B;
        var type = e.M.Types.Compute(to);
        bool unsigned = to.IsUnsignedInteger();
        int bits = to.BitWidth();
        double upper = Math.ScaleB(1, unsigned ? bits : bits - 1), lower = unsigned ? 0 : -upper;
        ulong largest = unsigned ? ulong.MaxValue >> (64 - bits) : (1UL << (bits - 1)) - 1, smallest = unsigned ? 0 : 1UL << (bits - 1);
        var truncated = LlvmCore.BuildCast(b, unsigned ? LLVMOpcode.FPToUI : LLVMOpcode.FPToSI, x, type, "");
        var below = Select(e, LlvmCore.BuildFCmp(b, LLVMRealPredicate.OLT, x, LlvmCore.ConstReal(floatType, lower), ""), LlvmCore.ConstInt(type, smallest, false), truncated);
        var above = Select(e, LlvmCore.BuildFCmp(b, LLVMRealPredicate.OGE, x, LlvmCore.ConstReal(floatType, upper), ""), LlvmCore.ConstInt(type, largest, false), below);
        return Select(e, LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNO, x, x, ""), LlvmCore.ConstNull(type), above);
    }

    /// <summary>convert_element_type, as the interpreter's ConversionLoop: to bool is != 0; floats to integers saturate (NaN is 0); otherwise one rounding.</summary>
    internal static LLVMValueRef Convert(ElementOperands e, LLVMValueRef x, DType from, DType to)
    {
        var b = e.B;
        var target = e.M.Types.Compute(to);
        if (from == to) return x;
        if (to == DType.Bool)
            return IsFloat(from) ? LlvmCore.BuildFCmp(b, LLVMRealPredicate.UNE, x, LlvmCore.ConstNull(e.M.Types.Compute(from)), "")
                : IsBool(from) ? x : ICmp(e, LLVMIntPredicate.NE, x, LlvmCore.ConstNull(e.M.Types.Compute(from)));
        if (IsBool(from))
            return IsFloat(to) ? LlvmCore.BuildCast(b, LLVMOpcode.UIToFP, x, target, "") : LlvmCore.BuildCast(b, LLVMOpcode.ZExt, x, target, "");
        if (to == DType.Float16)
        {
            // One rounding from the value as a double, as the interpreter does ((Half)(double)x): integers and float32
            // reach double exactly (int64 beyond 2^53 rounds there, as in the interpreter).
            var asDouble = IsFloat(from)
                ? (from == DType.Float64 ? x : LlvmCore.BuildCast(b, LLVMOpcode.FPExt, x, e.M.Context.Double, ""))
                : LlvmCore.BuildCast(b, from.IsUnsignedInteger() ? LLVMOpcode.UIToFP : LLVMOpcode.SIToFP, x, e.M.Context.Double, "");
            // x86 has no one-rounding float64 -> float16 instruction (LLVM would call compiler-rt's __truncdfhf2).
            if (e.M.Target.IsX64)
                return e.M.Types.Widen(b, DType.Float16, LlvmCore.BuildCast(b, LLVMOpcode.BitCast,
                    HalfConversions.FromDouble(b, e.M.Context, asDouble, 0), LlvmCore.HalfTypeInContext(e.M.Context), ""));
            var half = LlvmCore.BuildCast(b, LLVMOpcode.FPTrunc, asDouble, LlvmCore.HalfTypeInContext(e.M.Context), "");
            return LlvmCore.BuildCast(b, LLVMOpcode.FPExt, half, target, "");
        }
        if (IsFloat(from) && IsFloat(to))
        {
            // Compute types: float16/bfloat16 are float32; a bfloat16 result is rounded to its format by Emit.
            int fromBits = from == DType.Float64 ? 64 : 32, toBits = to == DType.Float64 ? 64 : 32;
            return fromBits == toBits ? x : LlvmCore.BuildCast(b, fromBits > toBits ? LLVMOpcode.FPTrunc : LLVMOpcode.FPExt, x, target, "");
        }
        if (IsFloat(from)) return SaturatingFloatToInteger(e, x, e.M.Types.Compute(from), to);
        if (IsFloat(to))
            return LlvmCore.BuildCast(b, from.IsUnsignedInteger() ? LLVMOpcode.UIToFP : LLVMOpcode.SIToFP, x, target, "");
        int fromWidth = from.BitWidth(), toWidth = to.BitWidth();
        if (fromWidth == toWidth) return x;
        return LlvmCore.BuildCast(b, fromWidth > toWidth ? LLVMOpcode.Trunc : from.IsUnsignedInteger() ? LLVMOpcode.ZExt : LLVMOpcode.SExt, x, target, "");
    }
}
