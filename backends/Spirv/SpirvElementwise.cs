using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// The elementwise primitives as SPIR-V instructions on one element, a table keyed by primitive like the CPU's
/// <c>ElementwiseLowering</c> and with its semantics (the interpreter's): IEEE float arithmetic, two's-complement
/// integers with XLA's division, remainder and shift rules (no undefined SPIR-V result is ever selected: divisors
/// and shift counts are made safe first), saturating float-to-integer conversion (NaN to 0), bool as SPIR-V
/// <c>bool</c>. <c>GLSL.std.450</c> is used where it is exact (<c>FAbs</c>, <c>Floor</c>, <c>Ceil</c>, <c>Trunc</c>,
/// <c>RoundEven</c>, <c>SAbs</c>, <c>SMax</c>/<c>UMax</c>/<c>SMin</c>/<c>UMin</c>, <c>FSign</c> on non-NaN non-zero values)
/// and for <c>Sqrt</c> (Vulkan bounds its error as that of <c>1.0 / InverseSqrt</c>: not correctly rounded); float max/min are IEEE
/// 754-2019 maximum/minimum by compares and selects (GLSL's <c>FMax</c> is undefined for NaN). Transcendentals
/// (exp, log, tanh, ...) never reach here: the math-expansion pass has rewritten them into arithmetic.
/// </summary>
internal readonly struct SpirvElementwise(SpirvModuleBuilder m, Func<DType, SpirvId> compute)
{
    private delegate SpirvId Rule(SpirvElementwise s, Operation op, SpirvId[] x);

    private static readonly Dictionary<Primitive, Rule> Rules = new()
    {
        [Prims.Neg] = (s, op, x) => s.Unary(op, SpirvOp.FNegate, SpirvOp.SNegate, x[0]),
        [Prims.Abs] = (s, op, x) => In(op).IsFloat() ? s.Glsl(GlslStd450.FAbs, op, x[0])
            : In(op).IsUnsignedInteger() ? x[0] : s.Glsl(GlslStd450.SAbs, op, x[0]),
        [Prims.Sign] = (s, op, x) => s.Sign(op, x[0]),
        [Prims.Floor] = (s, op, x) => s.Glsl(GlslStd450.Floor, op, x[0]),
        [Prims.Ceil] = (s, op, x) => s.Glsl(GlslStd450.Ceil, op, x[0]),
        [Prims.Round] = (s, op, x) => s.Round(op, x[0]),
        [Prims.Sqrt] = (s, op, x) => s.Glsl(GlslStd450.Sqrt, op, x[0]),
        [Prims.Rsqrt] = (s, op, x) => s.M.Emit(SpirvOp.FDiv, s.Type(op), s.One(In(op)), s.Glsl(GlslStd450.Sqrt, op, x[0])),
        [Prims.IsFinite] = (s, op, x) => s.Logical(SpirvOp.LogicalNot,
            s.Logical(SpirvOp.LogicalOr, s.Logical(SpirvOp.IsNan, x[0]), s.Logical(SpirvOp.IsInf, x[0]))),
        [Prims.Not] = (s, op, x) => In(op) == DType.Bool ? s.Logical(SpirvOp.LogicalNot, x[0]) : s.M.Emit(SpirvOp.Not, s.Type(op), x[0]),
        [Prims.PopulationCount] = (s, op, x) => s.M.Emit(SpirvOp.BitCount, s.Type(op), x[0]),
        [Prims.Add] = (s, op, x) => s.Arith(op, SpirvOp.FAdd, SpirvOp.IAdd, x),
        [Prims.Sub] = (s, op, x) => s.Arith(op, SpirvOp.FSub, SpirvOp.ISub, x),
        [Prims.Mul] = (s, op, x) => In(op) == DType.Bool ? s.Logical(SpirvOp.LogicalAnd, x[0], x[1]) : s.Arith(op, SpirvOp.FMul, SpirvOp.IMul, x),
        [Prims.Div] = (s, op, x) => s.Divide(op, x[0], x[1]),
        [Prims.Rem] = (s, op, x) => s.Remainder(op, x[0], x[1]),
        [Prims.Max] = (s, op, x) => s.Extremum(In(op), x[0], x[1], max: true),
        [Prims.Min] = (s, op, x) => s.Extremum(In(op), x[0], x[1], max: false),
        [Prims.And] = (s, op, x) => s.Bitwise(op, SpirvOp.LogicalAnd, SpirvOp.BitwiseAnd, x),
        [Prims.Or] = (s, op, x) => s.Bitwise(op, SpirvOp.LogicalOr, SpirvOp.BitwiseOr, x),
        [Prims.Xor] = (s, op, x) => s.Bitwise(op, SpirvOp.LogicalNotEqual, SpirvOp.BitwiseXor, x),
        [Prims.ShiftLeft] = (s, op, x) => s.Shift(op, SpirvOp.ShiftLeftLogical, x[0], x[1]),
        [Prims.ShiftRightLogical] = (s, op, x) => s.Shift(op, SpirvOp.ShiftRightLogical, x[0], x[1]),
        [Prims.ShiftRightArithmetic] = (s, op, x) => s.Shift(op, SpirvOp.ShiftRightArithmetic, x[0], x[1]),
        [Prims.Eq] = (s, op, x) => s.Compare(op, SpirvOp.FOrdEqual, SpirvOp.IEqual, SpirvOp.IEqual, x),
        [Prims.Ne] = (s, op, x) => s.Compare(op, SpirvOp.FUnordNotEqual, SpirvOp.INotEqual, SpirvOp.INotEqual, x),
        [Prims.Lt] = (s, op, x) => s.Compare(op, SpirvOp.FOrdLessThan, SpirvOp.SLessThan, SpirvOp.ULessThan, x),
        [Prims.Le] = (s, op, x) => s.Compare(op, SpirvOp.FOrdLessThanEqual, SpirvOp.SLessThanEqual, SpirvOp.ULessThanEqual, x),
        [Prims.Gt] = (s, op, x) => s.Compare(op, SpirvOp.FOrdGreaterThan, SpirvOp.SGreaterThan, SpirvOp.UGreaterThan, x),
        [Prims.Ge] = (s, op, x) => s.Compare(op, SpirvOp.FOrdGreaterThanEqual, SpirvOp.SGreaterThanEqual, SpirvOp.UGreaterThanEqual, x),
        [Prims.Select] = (s, op, x) => s.Select(s.Type(op), x[0], x[1], x[2]),
        [Prims.Clamp] = (s, op, x) => s.Extremum(Out(op), s.Extremum(Out(op), x[1], x[0], max: true), x[2], max: false),
        [Prims.ConvertElementType] = (s, op, x) => s.Convert(x[0], In(op), Out(op)),
        [Prims.StopGradient] = (s, op, x) => x[0],
        [Prims.BitcastConvertType] = (s, op, x) => In(op) == Out(op) ? x[0]
            : In(op) == DType.Bool || Out(op) == DType.Bool ? throw Unsupported(op) : s.M.Emit(SpirvOp.Bitcast, s.Type(op), x[0]),
    };

    /// <summary>The module.</summary>
    public SpirvModuleBuilder M => m;

    /// <summary>True when <paramref name="primitive"/> has a rule here.</summary>
    public static bool Supports(Primitive primitive) => Rules.ContainsKey(primitive);

    /// <summary>One element of <paramref name="op"/> on the compute values <paramref name="operands"/>.</summary>
    public SpirvId Emit(Operation op, SpirvId[] operands) =>
        Rules.TryGetValue(op.Primitive, out var rule) ? rule(this, op, operands)
            : throw new NotSupportedException($"no SPIR-V lowering for the elementwise primitive '{op.Primitive.Name}' yet");

    private static DType In(Operation op) => op.Operands[0].Type.DType;

    private static DType Out(Operation op) => op.Results[0].Type.DType;

    private SpirvId Type(Operation op) => compute(Out(op));

    private SpirvId Bool => m.TypeBool();

    private SpirvId Zero(DType dtype) => dtype == DType.Bool ? m.ConstantBool(false) : m.ConstantNull(compute(dtype));

    private SpirvId One(DType dtype) => dtype switch
    {
        DType.Float32 => m.ConstantFloat32(1),
        DType.Bool => m.ConstantBool(true),
        _ => m.Constant(compute(dtype), 1),
    };

    private SpirvId AllOnes(DType dtype) => m.Constant(compute(dtype), uint.MaxValue);

    private SpirvId Glsl(GlslStd450 instruction, Operation op, params SpirvId[] x) => m.Glsl(instruction, Type(op), x);

    private SpirvId Logical(SpirvOp opcode, params SpirvId[] x) => m.Emit(opcode, Bool, x);

    private SpirvId Select(SpirvId type, SpirvId condition, SpirvId whenTrue, SpirvId whenFalse) => m.Emit(SpirvOp.Select, type, condition, whenTrue, whenFalse);

    private SpirvId Unary(Operation op, SpirvOp floatOp, SpirvOp integerOp, SpirvId x) =>
        In(op) == DType.Bool ? throw Unsupported(op) : m.Emit(In(op).IsFloat() ? floatOp : integerOp, Type(op), x);

    private SpirvId Arith(Operation op, SpirvOp floatOp, SpirvOp integerOp, SpirvId[] x) =>
        In(op) == DType.Bool ? throw Unsupported(op) : m.Emit(In(op).IsFloat() ? floatOp : integerOp, Type(op), x[0], x[1]);

    private SpirvId Bitwise(Operation op, SpirvOp logicalOp, SpirvOp bitwiseOp, SpirvId[] x) =>
        In(op) == DType.Bool ? Logical(logicalOp, x[0], x[1]) : In(op).IsFloat() ? throw Unsupported(op) : m.Emit(bitwiseOp, Type(op), x[0], x[1]);

    private static NotSupportedException Unsupported(Operation op) =>
        new($"no SPIR-V lowering for '{op.Primitive.Name}' on {In(op).ToString().ToLowerInvariant()} yet");

    /// <summary>sign: -1, 0, 1; NaN and ±0 are themselves for floats; unsigned integers 0 or 1.</summary>
    private SpirvId Sign(Operation op, SpirvId x)
    {
        var d = In(op);
        if (d.IsFloat())
        {
            var keep = Logical(SpirvOp.LogicalOr, Logical(SpirvOp.IsNan, x), Logical(SpirvOp.FOrdEqual, x, Zero(d)));
            return Select(Type(op), keep, x, Glsl(GlslStd450.FSign, op, x));
        }
        if (d.IsUnsignedInteger()) return Select(Type(op), Logical(SpirvOp.INotEqual, x, Zero(d)), One(d), Zero(d));
        return Glsl(GlslStd450.SSign, op, x);
    }

    /// <summary>round: to nearest even by <c>RoundEven</c>; away from zero as trunc(x) + sign(x) when |x - trunc(x)| ≥ 0.5 (x - trunc(x) is exact).</summary>
    private SpirvId Round(Operation op, SpirvId x)
    {
        if (op.Attributes.Int("rounding_method") == RoundPrimitive.ToNearestEven) return Glsl(GlslStd450.RoundEven, op, x);
        var type = Type(op);
        var truncated = Glsl(GlslStd450.Trunc, op, x);
        var fraction = Glsl(GlslStd450.FAbs, op, m.Emit(SpirvOp.FSub, type, x, truncated));
        var up = Logical(SpirvOp.FOrdGreaterThanEqual, fraction, m.ConstantFloat32(0.5f));
        return Select(type, up, m.Emit(SpirvOp.FAdd, type, truncated, Glsl(GlslStd450.FSign, op, x)), truncated);
    }

    /// <summary>Floats divide by IEEE; integers: x / 0 is all ones, MIN / -1 wraps to MIN, otherwise truncating.</summary>
    private SpirvId Divide(Operation op, SpirvId x, SpirvId y)
    {
        var d = In(op);
        var type = Type(op);
        if (d.IsFloat()) return m.Emit(SpirvOp.FDiv, type, x, y);
        if (d == DType.Bool) throw Unsupported(op);
        var isZero = Logical(SpirvOp.IEqual, y, Zero(d));
        if (d.IsUnsignedInteger())
            return Select(type, isZero, AllOnes(d), m.Emit(SpirvOp.UDiv, type, x, Select(type, isZero, One(d), y)));
        var minusOne = Logical(SpirvOp.IEqual, y, AllOnes(d));
        var divisor = Select(type, Logical(SpirvOp.LogicalOr, isZero, minusOne), One(d), y);
        var quotient = m.Emit(SpirvOp.SDiv, type, x, divisor);
        return Select(type, isZero, AllOnes(d), Select(type, minusOne, m.Emit(SpirvOp.SNegate, type, x), quotient));
    }

    /// <summary>Integers: x % 0 is x, MIN % -1 is 0, otherwise truncating (the sign of x). Float remainder is not lowered yet (no exact fmod in GLSL.std.450).</summary>
    private SpirvId Remainder(Operation op, SpirvId x, SpirvId y)
    {
        var d = In(op);
        var type = Type(op);
        if (d.IsFloat() || d == DType.Bool) throw Unsupported(op);
        var isZero = Logical(SpirvOp.IEqual, y, Zero(d));
        if (d.IsUnsignedInteger())
            return Select(type, isZero, x, m.Emit(SpirvOp.UMod, type, x, Select(type, isZero, One(d), y)));
        var minusOne = Logical(SpirvOp.IEqual, y, AllOnes(d));
        var divisor = Select(type, Logical(SpirvOp.LogicalOr, isZero, minusOne), One(d), y);
        var remainder = m.Emit(SpirvOp.SRem, type, x, divisor);
        return Select(type, isZero, x, Select(type, minusOne, Zero(d), remainder));
    }

    /// <summary>max/min: IEEE 754-2019 maximum/minimum for floats (NaN propagates, -0 &lt; +0); integers by signedness (GLSL.std.450); bool or/and.</summary>
    private SpirvId Extremum(DType d, SpirvId a, SpirvId b, bool max)
    {
        var type = compute(d);
        if (d == DType.Bool) return Logical(max ? SpirvOp.LogicalOr : SpirvOp.LogicalAnd, a, b);
        if (!d.IsFloat())
            return m.Glsl(d.IsUnsignedInteger() ? (max ? GlslStd450.UMax : GlslStd450.UMin) : (max ? GlslStd450.SMax : GlslStd450.SMin), type, a, b);
        var unordered = Logical(SpirvOp.LogicalOr, Logical(SpirvOp.IsNan, a), Logical(SpirvOp.IsNan, b));
        var above = Logical(max ? SpirvOp.FOrdGreaterThan : SpirvOp.FOrdLessThan, a, b);
        var below = Logical(max ? SpirvOp.FOrdLessThan : SpirvOp.FOrdGreaterThan, a, b);
        // Equal values differ only as ±0: for max, +0 wins if either is +0 (sign bits and-ed); for min, -0 wins (or-ed).
        var ia = m.Emit(SpirvOp.Bitcast, m.TypeInt(32, false), a);
        var ib = m.Emit(SpirvOp.Bitcast, m.TypeInt(32, false), b);
        var tie = m.Emit(SpirvOp.Bitcast, type, m.Emit(max ? SpirvOp.BitwiseAnd : SpirvOp.BitwiseOr, m.TypeInt(32, false), ia, ib));
        var ordered = Select(type, above, a, Select(type, below, b, tie));
        return Select(type, unordered, m.Emit(SpirvOp.FAdd, type, a, b), ordered);
    }

    /// <summary>Shifts with XLA's rule: a count read as unsigned that is at least the bit width gives 0 (the sign fill for arithmetic).</summary>
    private SpirvId Shift(Operation op, SpirvOp opcode, SpirvId x, SpirvId y)
    {
        var d = In(op);
        if (d.IsFloat() || d == DType.Bool) throw Unsupported(op);
        var type = Type(op);
        var width = m.Constant(type, 32);
        var inRange = Logical(SpirvOp.ULessThan, y, width);
        var shifted = m.Emit(opcode, type, x, Select(type, inRange, y, Zero(d)));
        var fill = opcode == SpirvOp.ShiftRightArithmetic ? m.Emit(SpirvOp.ShiftRightArithmetic, type, x, m.Constant(type, 31)) : Zero(d);
        return Select(type, inRange, shifted, fill);
    }

    /// <summary>Comparisons: floats ordered (ne unordered: true with NaN), integers by signedness, bool as 0 &lt; 1.</summary>
    private SpirvId Compare(Operation op, SpirvOp floatOp, SpirvOp signedOp, SpirvOp unsignedOp, SpirvId[] x)
    {
        var d = In(op);
        if (d.IsFloat()) return Logical(floatOp, x[0], x[1]);
        if (d != DType.Bool) return Logical(d.IsUnsignedInteger() ? unsignedOp : signedOp, x[0], x[1]);
        if (unsignedOp == SpirvOp.IEqual) return Logical(SpirvOp.LogicalEqual, x[0], x[1]);
        if (unsignedOp == SpirvOp.INotEqual) return Logical(SpirvOp.LogicalNotEqual, x[0], x[1]);
        var u = compute(DType.UInt32);
        return Logical(unsignedOp, Select(u, x[0], One(DType.UInt32), Zero(DType.UInt32)), Select(u, x[1], One(DType.UInt32), Zero(DType.UInt32)));
    }

    /// <summary>convert_element_type, as the interpreter: to bool is != 0 (NaN is true); floats to integers truncate and saturate (NaN is 0); integers to float round once (Vulkan: correctly rounded).</summary>
    private SpirvId Convert(SpirvId x, DType from, DType to)
    {
        if (from == to) return x;
        var target = compute(to);
        if (to == DType.Bool) return Logical(from.IsFloat() ? SpirvOp.FUnordNotEqual : SpirvOp.INotEqual, x, Zero(from));
        if (from == DType.Bool) return Select(target, x, One(to), Zero(to));
        if (to.IsFloat()) return m.Emit(from.IsUnsignedInteger() ? SpirvOp.ConvertUToF : SpirvOp.ConvertSToF, target, x);
        if (!from.IsFloat()) return m.Emit(SpirvOp.Bitcast, target, x); // int32 <-> uint32: the same bits
        // Float to a 32-bit integer: the bounds are powers of two (exact); out-of-range and NaN select constants, so the
        // conversion's undefined results (out of range) are never used.
        bool unsigned = to.IsUnsignedInteger();
        float upper = unsigned ? 4294967296f : 2147483648f, lower = unsigned ? 0f : -2147483648f;
        var truncated = m.Emit(unsigned ? SpirvOp.ConvertFToU : SpirvOp.ConvertFToS, target, x);
        var smallest = unsigned ? Zero(to) : m.Constant(target, 0x80000000u);
        var largest = unsigned ? AllOnes(to) : m.Constant(target, 0x7FFFFFFFu);
        var below = Select(target, Logical(SpirvOp.FOrdLessThan, x, m.ConstantFloat32(lower)), smallest, truncated);
        var above = Select(target, Logical(SpirvOp.FOrdGreaterThanEqual, x, m.ConstantFloat32(upper)), largest, below);
        return Select(target, Logical(SpirvOp.IsNan, x), Zero(to), above);
    }
}
