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
        [Prims.PopulationCount] = (s, op, x) => s.PopulationCount(op, x[0]),
        [Prims.Add] = (s, op, x) => s.Arith(op, SpirvOp.FAdd, SpirvOp.IAdd, x),
        [Prims.Sub] = (s, op, x) => s.Arith(op, SpirvOp.FSub, SpirvOp.ISub, x),
        [Prims.Mul] = (s, op, x) => In(op) == DType.Bool ? s.Logical(SpirvOp.LogicalAnd, x[0], x[1]) : s.Arith(op, SpirvOp.FMul, SpirvOp.IMul, x),
        [Prims.Div] = (s, op, x) => s.Divide(op, x[0], x[1]),
        [Prims.Rem] = (s, op, x) => s.Remainder(op, x[0], x[1]),
        [Prims.Pow] = (s, op, x) => s.IntegerPow(op, x[0], x[1]),
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
        [Prims.BitcastConvertType] = (s, op, x) => s.BitcastConvert(op, x[0]),
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
        DType.Bool => m.ConstantBool(true),
        _ when dtype.IsFloat() => FloatConstant(dtype, 1),
        _ => IntegerConstant(dtype, 1),
    };

    /// <summary>All bits set in the computation type (-1 for signed integers; narrow unsigned values are wrapped afterwards).</summary>
    private SpirvId AllOnes(DType dtype) => IntegerConstant(dtype, ulong.MaxValue);

    /// <summary>A float constant in <paramref name="dtype"/>'s computation type (float32 or float64).</summary>
    private SpirvId FloatConstant(DType dtype, double value) => dtype == DType.Float64
        ? m.Constant64(compute(dtype), BitConverter.DoubleToUInt64Bits(value))
        : m.ConstantFloat32((float)value);

    /// <summary>An integer constant (its low bits) in <paramref name="dtype"/>'s computation type (32 or 64 bits).</summary>
    private SpirvId IntegerConstant(DType dtype, ulong bits) => Is64(dtype) ? m.Constant64(compute(dtype), bits) : m.Constant(compute(dtype), (uint)bits);

    private static bool Is64(DType dtype) => dtype is DType.Int64 or DType.UInt64 or DType.Float64;

    /// <summary>The bit width of <paramref name="dtype"/>'s computation type.</summary>
    private static int ComputeWidth(DType dtype) => Is64(dtype) ? 64 : 32;

    /// <summary>A narrow integer's bits zero-extended (signed 8/16-bit values are kept sign-extended); others unchanged.</summary>
    private SpirvId ZeroExtended(DType dtype, SpirvId x) => dtype switch
    {
        DType.Int8 => m.Emit(SpirvOp.BitwiseAnd, compute(dtype), x, m.Constant(compute(dtype), 0xFF)),
        DType.Int16 => m.Emit(SpirvOp.BitwiseAnd, compute(dtype), x, m.Constant(compute(dtype), 0xFFFF)),
        _ => x,
    };

    /// <summary>A narrow integer's bits sign-extended (unsigned 8/16-bit values are kept zero-extended); others unchanged.</summary>
    private SpirvId SignExtended(DType dtype, SpirvId x) => dtype switch
    {
        DType.UInt8 or DType.UInt16 => m.Emit(SpirvOp.ShiftRightArithmetic, compute(dtype),
            m.Emit(SpirvOp.ShiftLeftLogical, compute(dtype), x, m.ConstantUInt32(dtype == DType.UInt8 ? 24u : 16u)), m.ConstantUInt32(dtype == DType.UInt8 ? 24u : 16u)),
        _ => x,
    };

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
        var up = Logical(SpirvOp.FOrdGreaterThanEqual, fraction, FloatConstant(In(op), 0.5));
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

    /// <summary>Integers: x % 0 is x, MIN % -1 is 0, otherwise truncating (the sign of x); floats: C's exact fmod (<see cref="FloatRemainder"/>).</summary>
    private SpirvId Remainder(Operation op, SpirvId x, SpirvId y)
    {
        var d = In(op);
        var type = Type(op);
        if (d == DType.Bool) throw Unsupported(op);
        if (d.IsFloat()) return FloatRemainder(d, x, y);
        var isZero = Logical(SpirvOp.IEqual, y, Zero(d));
        if (d.IsUnsignedInteger())
            return Select(type, isZero, x, m.Emit(SpirvOp.UMod, type, x, Select(type, isZero, One(d), y)));
        var minusOne = Logical(SpirvOp.IEqual, y, AllOnes(d));
        var divisor = Select(type, Logical(SpirvOp.LogicalOr, isZero, minusOne), One(d), y);
        var remainder = m.Emit(SpirvOp.SRem, type, x, divisor);
        return Select(type, isZero, x, Select(type, minusOne, Zero(d), remainder));
    }

    /// <summary>
    /// Integer <c>pow</c> as the interpreter computes it: repeated squaring over the exponent's bits, unrolled to the
    /// dtype's width (wrapping; narrow types wrap once afterwards, the same bits), and for a negative exponent 0 except
    /// base 1 (1) and base -1 (-1 or 1 by the exponent's parity). Float <c>pow</c> never reaches here: the
    /// math-expansion pass rewrites it into arithmetic.
    /// </summary>
    private SpirvId IntegerPow(Operation op, SpirvId x, SpirvId y)
    {
        var d = In(op);
        if (d.IsFloat() || d == DType.Bool) throw Unsupported(op);
        var type = Type(op);
        var (one, zero) = (One(d), Zero(d));
        var result = one;
        var power = x;
        int width = d.BitWidth();
        for (int bit = 0; bit < width; bit++)
        {
            var set = Logical(SpirvOp.INotEqual, m.Emit(SpirvOp.BitwiseAnd, type, m.Emit(SpirvOp.ShiftRightLogical, type, y, m.ConstantUInt32((uint)bit)), one), zero);
            result = Select(type, set, m.Emit(SpirvOp.IMul, type, result, power), result);
            if (bit < width - 1) power = m.Emit(SpirvOp.IMul, type, power, power);
        }
        if (d.IsUnsignedInteger()) return result;
        var odd = Logical(SpirvOp.INotEqual, m.Emit(SpirvOp.BitwiseAnd, type, y, one), zero);
        var negativePower = Select(type, Logical(SpirvOp.IEqual, x, one), one,
            Select(type, Logical(SpirvOp.IEqual, x, AllOnes(d)), Select(type, odd, x, one), zero));
        return Select(type, Logical(SpirvOp.SLessThan, y, zero), negativePower, result);
    }

    /// <summary>
    /// C's <c>fmod</c>, exact, as the interpreter and the CPU backend compute it (float16 and bfloat16 through float32,
    /// where the result is exact too): NaN when y is 0 or NaN or x is infinite or NaN; x when |x| &lt; |y| (y infinite
    /// included); else |x| = mx·2^ex and |y| = my·2^ey on their integer significands (subnormals with the exponent 1 and
    /// no implicit bit), r = (mx·2^(ex-ey)) mod my by shifting r left a few bits at a time (8 for float32, 11 for float64:
    /// r stays below 2^32 or 2^64) and reducing modulo my, in a loop whose values are <c>OpPhi</c>s, then
    /// ±<c>Ldexp</c>(r, ey) (exact: the result is representable) with x's sign. float64 uses 64-bit integers.
    /// </summary>
    private SpirvId FloatRemainder(DType d, SpirvId x, SpirvId y)
    {
        bool wide = d == DType.Float64;
        int width = wide ? 64 : 32, mantissa = wide ? 52 : 23, bias = wide ? 1023 : 127, stepBits = wide ? 11 : 8;
        var type = compute(d);
        var mb = m; // local functions of a struct cannot capture its primary constructor's parameters
        var bits = mb.TypeInt(width, false);
        var uint32 = mb.TypeInt(32, false);
        var boolean = mb.TypeBool();
        SpirvId B(ulong value) => wide ? mb.Constant64(bits, value) : mb.Constant(bits, (uint)value);
        SpirvId U32(uint value) => mb.ConstantUInt32(value);
        var ux = m.Emit(SpirvOp.Bitcast, bits, x);
        var uy = m.Emit(SpirvOp.Bitcast, bits, y);
        ulong signMask = 1UL << (width - 1), infinity = ((1UL << (width - 1 - mantissa)) - 1) << mantissa, fraction = (1UL << mantissa) - 1;
        var ax = m.Emit(SpirvOp.BitwiseAnd, bits, ux, B(~signMask & (wide ? ulong.MaxValue : uint.MaxValue)));
        var ay = m.Emit(SpirvOp.BitwiseAnd, bits, uy, B(~signMask & (wide ? ulong.MaxValue : uint.MaxValue)));
        var nan = Logical(SpirvOp.LogicalOr, Logical(SpirvOp.LogicalOr, Logical(SpirvOp.IEqual, ay, B(0)), Logical(SpirvOp.UGreaterThanEqual, ax, B(infinity))),
            Logical(SpirvOp.UGreaterThan, ay, B(infinity)));
        var keep = Logical(SpirvOp.ULessThan, ax, ay);

        // Significands and exponents as uint32 exponents; subnormals: exponent 1, no implicit bit.
        (SpirvId Significand, SpirvId Exponent) Split(SpirvId a)
        {
            var biased = mb.Emit(SpirvOp.ShiftRightLogical, bits, a, B((ulong)mantissa));
            var exponent = wide ? mb.Emit(SpirvOp.UConvert, uint32, biased) : biased;
            var normal = mb.Emit(SpirvOp.INotEqual, boolean, exponent, U32(0));
            var significand = mb.Emit(SpirvOp.BitwiseAnd, bits, a, B(fraction));
            return (mb.Emit(SpirvOp.Select, bits, normal, mb.Emit(SpirvOp.BitwiseOr, bits, significand, B(1UL << mantissa)), significand),
                mb.Emit(SpirvOp.Select, uint32, normal, exponent, U32(1)));
        }
        var (mx, ex) = Split(ax);
        var (my, ey) = Split(ay);
        // A divisor of 0 (a NaN result anyway) is replaced by 1 so that no undefined UMod is ever evaluated.
        var divisor = Select(bits, nan, B(1), my);
        var gap = Select(uint32, Logical(SpirvOp.LogicalOr, nan, keep), U32(0), m.Emit(SpirvOp.ISub, uint32, ex, ey));
        var first = m.Emit(SpirvOp.UMod, bits, mx, divisor);

        // while (gap > 0) { s = min(gap, step); r = (r << s) mod my; gap -= s; }
        var entry = m.CurrentBlock;
        var (header, body, next, merge) = (m.NewId(), m.NewId(), m.NewId(), m.NewId());
        var (r, e, r1, e1) = (m.NewId(), m.NewId(), m.NewId(), m.NewId());
        m.Emit(SpirvOp.Branch, null, header);
        m.Label(header);
        m.EmitWithResult(SpirvOp.Phi, bits, r, first.Value, entry.Value, r1.Value, next.Value);
        m.EmitWithResult(SpirvOp.Phi, uint32, e, gap.Value, entry.Value, e1.Value, next.Value);
        var more = Logical(SpirvOp.UGreaterThan, e, U32(0));
        m.Emit(SpirvOp.LoopMerge, null, merge.Value, next.Value, (uint)SpirvLoopControl.None);
        m.Emit(SpirvOp.BranchConditional, null, more, body, merge);
        m.Label(body);
        var shift = m.Glsl(GlslStd450.UMin, uint32, e, U32((uint)stepBits));
        var shifted = m.Emit(SpirvOp.ShiftLeftLogical, bits, r, wide ? m.Emit(SpirvOp.UConvert, bits, shift) : shift);
        m.EmitWithResult(SpirvOp.UMod, bits, r1, shifted.Value, divisor.Value);
        m.EmitWithResult(SpirvOp.ISub, uint32, e1, e.Value, shift.Value);
        m.Emit(SpirvOp.Branch, null, next);
        m.Label(next);
        m.Emit(SpirvOp.Branch, null, header);
        m.Label(merge);

        // |result| = r·2^(ey - bias - mantissa), exact; x's sign; x itself when |x| < |y|; NaN.
        var magnitude = m.Glsl(GlslStd450.Ldexp, type, m.Emit(SpirvOp.ConvertUToF, type, r),
            m.Emit(SpirvOp.ISub, m.TypeInt(32, true), m.Emit(SpirvOp.Bitcast, m.TypeInt(32, true), ey), m.ConstantInt32(bias + mantissa)));
        var signed = m.Emit(SpirvOp.Bitcast, type, m.Emit(SpirvOp.BitwiseOr, bits, m.Emit(SpirvOp.Bitcast, bits, magnitude), m.Emit(SpirvOp.BitwiseAnd, bits, ux, B(signMask))));
        var quietNaN = m.Emit(SpirvOp.Bitcast, type, B(infinity | (1UL << (mantissa - 1))));
        return Select(type, nan, quietNaN, Select(type, keep, x, signed));
    }

    /// <summary>max/min: IEEE 754-2019 maximum/minimum for floats (NaN propagates, -0 &lt; +0); integers by signedness (GLSL.std.450); bool or/and.</summary>
    internal SpirvId Extremum(DType d, SpirvId a, SpirvId b, bool max)
    {
        var type = compute(d);
        if (d == DType.Bool) return Logical(max ? SpirvOp.LogicalOr : SpirvOp.LogicalAnd, a, b);
        if (!d.IsFloat())
            return m.Glsl(d.IsUnsignedInteger() ? (max ? GlslStd450.UMax : GlslStd450.UMin) : (max ? GlslStd450.SMax : GlslStd450.SMin), type, a, b);
        var unordered = Logical(SpirvOp.LogicalOr, Logical(SpirvOp.IsNan, a), Logical(SpirvOp.IsNan, b));
        var above = Logical(max ? SpirvOp.FOrdGreaterThan : SpirvOp.FOrdLessThan, a, b);
        var below = Logical(max ? SpirvOp.FOrdLessThan : SpirvOp.FOrdGreaterThan, a, b);
        // Equal values differ only as ±0: for max, +0 wins if either is +0 (sign bits and-ed); for min, -0 wins (or-ed).
        // float64 as two uint32 halves (no 64-bit integers needed).
        var bits = d == DType.Float64 ? m.TypeVector(m.TypeInt(32, false), 2) : m.TypeInt(32, false);
        var ia = m.Emit(SpirvOp.Bitcast, bits, a);
        var ib = m.Emit(SpirvOp.Bitcast, bits, b);
        var tie = m.Emit(SpirvOp.Bitcast, type, m.Emit(max ? SpirvOp.BitwiseAnd : SpirvOp.BitwiseOr, bits, ia, ib));
        var ordered = Select(type, above, a, Select(type, below, b, tie));
        return Select(type, unordered, m.Emit(SpirvOp.FAdd, type, a, b), ordered);
    }

    /// <summary>
    /// Shifts with XLA's rule: a count read as unsigned that is at least the bit width gives 0 (the sign fill for
    /// arithmetic). 8- and 16-bit values shift in 32 bits: a logical right shift of a signed one sees its bits
    /// zero-extended, an arithmetic one of an unsigned one sees them sign-extended (the result wraps afterwards).
    /// </summary>
    private SpirvId Shift(Operation op, SpirvOp opcode, SpirvId x, SpirvId y)
    {
        var d = In(op);
        if (d.IsFloat() || d == DType.Bool) throw Unsupported(op);
        var type = Type(op);
        if (opcode == SpirvOp.ShiftRightLogical) x = ZeroExtended(d, x);
        if (opcode == SpirvOp.ShiftRightArithmetic) x = SignExtended(d, x);
        var width = IntegerConstant(d, (ulong)d.BitWidth());
        var inRange = Logical(SpirvOp.ULessThan, y, width);
        var shifted = m.Emit(opcode, type, x, Select(type, inRange, y, Zero(d)));
        var fill = opcode == SpirvOp.ShiftRightArithmetic
            ? m.Emit(SpirvOp.ShiftRightArithmetic, type, x, IntegerConstant(d, (ulong)ComputeWidth(d) - 1)) : Zero(d);
        return Select(type, inRange, shifted, fill);
    }

    /// <summary>population_count: of the dtype's bits (8/16-bit signed values zero-extended first); 64-bit as two 32-bit halves (Vulkan's <c>OpBitCount</c> is 32-bit).</summary>
    private SpirvId PopulationCount(Operation op, SpirvId x)
    {
        var d = In(op);
        if (d.IsFloat() || d == DType.Bool) throw Unsupported(op);
        var type = Type(op);
        if (!Is64(d)) return m.Emit(SpirvOp.BitCount, type, ZeroExtended(d, x));
        var u = m.TypeInt(32, false);
        var wide = m.TypeInt(64, false);
        var bits = m.Emit(SpirvOp.Bitcast, wide, x);
        var low = m.Emit(SpirvOp.BitCount, u, m.Emit(SpirvOp.UConvert, u, bits));
        var high = m.Emit(SpirvOp.BitCount, u, m.Emit(SpirvOp.UConvert, u, m.Emit(SpirvOp.ShiftRightLogical, wide, bits, m.ConstantUInt32(32))));
        return m.Emit(SpirvOp.Bitcast, type, m.Emit(SpirvOp.UConvert, wide, m.Emit(SpirvOp.IAdd, u, low, high)));
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

    /// <summary>
    /// convert_element_type, as the interpreter: to bool is != 0 (NaN is true); floats to integers truncate and saturate
    /// (NaN is 0); integers wrap (the writer wraps 8/16-bit results); to a float rounds once (Vulkan: correctly rounded;
    /// float16 and bfloat16 results are rounded by the writer from float32, float64 to float16 directly).
    /// </summary>
    private SpirvId Convert(SpirvId x, DType from, DType to)
    {
        if (from == to) return x;
        var target = compute(to);
        if (to == DType.Bool) return Logical(from.IsFloat() ? SpirvOp.FUnordNotEqual : SpirvOp.INotEqual, x, Zero(from));
        if (from == DType.Bool) return Select(target, x, One(to), Zero(to));
        if (to.IsFloat())
        {
            if (from.IsFloat())
            {
                if (from == DType.Float64 && to == DType.Float16) return SpirvFloatFormats.HalfBitsToFloat(m, SpirvFloatFormats.DoubleToHalfBits(m, x));
                // float16/bfloat16/float32 share float32; float64 widens or narrows (bfloat16 through float32, as the interpreter).
                return from == DType.Float64 || to == DType.Float64 ? m.Emit(SpirvOp.FConvert, target, x) : x;
            }
            return m.Emit(from.IsUnsignedInteger() ? SpirvOp.ConvertUToF : SpirvOp.ConvertSToF, target, x);
        }
        if (!from.IsFloat()) return IntegerToInteger(x, from, to);
        // Float to an integer: the bounds are powers of two (exact); out-of-range and NaN select constants, so the
        // conversion's undefined results (out of range) are never used.
        bool unsigned = to.IsUnsignedInteger();
        int bits = to.BitWidth();
        double upper = Math.ScaleB(1, unsigned ? bits : bits - 1), lower = unsigned ? 0 : -upper;
        var truncated = m.Emit(unsigned ? SpirvOp.ConvertFToU : SpirvOp.ConvertFToS, target, x);
        var smallest = unsigned ? Zero(to) : IntegerConstant(to, unchecked(0UL - (1UL << (bits - 1))));
        var largest = IntegerConstant(to, unsigned ? ulong.MaxValue >> (64 - bits) : (ulong.MaxValue >> (65 - bits)));
        var below = Select(target, Logical(SpirvOp.FOrdLessThan, x, FloatConstant(from, lower)), smallest, truncated);
        var above = Select(target, Logical(SpirvOp.FOrdGreaterThanEqual, x, FloatConstant(from, upper)), largest, below);
        return Select(target, Logical(SpirvOp.IsNan, x), Zero(to), above);
    }

    /// <summary>Integer to integer: the same bits, widened by the source's signedness or truncated (the writer wraps 8/16-bit results).</summary>
    private SpirvId IntegerToInteger(SpirvId x, DType from, DType to)
    {
        var target = compute(to);
        int fromWidth = ComputeWidth(from), toWidth = ComputeWidth(to);
        if (fromWidth == toWidth) return compute(from) == target ? x : m.Emit(SpirvOp.Bitcast, target, x);
        if (fromWidth < toWidth)
        {
            var widened = m.Emit(from.IsSignedInteger() ? SpirvOp.SConvert : SpirvOp.UConvert, m.TypeInt(64, from.IsSignedInteger()), x);
            return m.TypeInt(64, from.IsSignedInteger()) == target ? widened : m.Emit(SpirvOp.Bitcast, target, widened);
        }
        var low = m.Emit(SpirvOp.UConvert, m.TypeInt(32, false), m.Emit(SpirvOp.Bitcast, m.TypeInt(64, false), x));
        return m.TypeInt(32, false) == target ? low : m.Emit(SpirvOp.Bitcast, target, low);
    }

    /// <summary>bitcast_convert_type between dtypes of one width: the source's bits (float16/bfloat16 re-encoded exactly) read as the target.</summary>
    private SpirvId BitcastConvert(Operation op, SpirvId x)
    {
        DType from = In(op), to = Out(op);
        if (from == to) return x;
        if (from == DType.Bool || to == DType.Bool || from.BitWidth() != to.BitWidth()) throw Unsupported(op);
        var u = m.TypeInt(32, false);
        // The bits as uint32 (widths up to 32) or uint64.
        var bits = from switch
        {
            DType.Float16 => SpirvFloatFormats.FloatToHalfBits(m, x),
            DType.BFloat16 => m.Emit(SpirvOp.ShiftRightLogical, u, m.Emit(SpirvOp.Bitcast, u, x), m.ConstantUInt32(16)),
            _ when Is64(from) => m.Emit(SpirvOp.Bitcast, m.TypeInt(64, false), x),
            _ when compute(from) == u => ZeroExtended(from, x),
            _ => m.Emit(SpirvOp.Bitcast, u, ZeroExtended(from, x)),
        };
        return to switch
        {
            DType.Float16 => SpirvFloatFormats.HalfBitsToFloat(m, bits),
            DType.BFloat16 => SpirvFloatFormats.BFloat16BitsToFloat(m, bits),
            _ => compute(to) == (Is64(to) ? m.TypeInt(64, false) : u) ? bits : m.Emit(SpirvOp.Bitcast, compute(to), bits),
        };
    }
}
