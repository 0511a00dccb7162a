using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    private static Tensor Inexact(string op, Tensor x) => PromoteArgsInexact(op, x)[0];

    private static Tensor Promote1(string op, Tensor x) => PromoteArgs(op, x)[0];

    // ---- unary ----

    /// <summary>-x.</summary>
    public static Tensor Negative(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Neg(Promote1("negative", x));
    }

    /// <summary>+x (a copy of the value).</summary>
    public static Tensor Positive(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x;
    }

    /// <summary>|x|.</summary>
    public static Tensor Abs(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsUnsignedInteger() || x.DType == DType.Bool ? x : Lax.Abs(x);
    }

    /// <summary>|x| (NumPy's alias of <see cref="Abs"/>).</summary>
    public static Tensor Absolute(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Abs(x);
    }

    /// <summary>-1, 0 or 1 by sign (NaN stays NaN).</summary>
    public static Tensor Sign(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType == DType.Bool ? x : Lax.Sign(x);
    }

    /// <summary>Largest integer value &lt;= x (integers unchanged).</summary>
    public static Tensor Floor(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloat() ? Lax.Floor(x) : x;
    }

    /// <summary>Smallest integer value &gt;= x (integers unchanged).</summary>
    public static Tensor Ceil(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloat() ? Lax.Ceil(x) : x;
    }

    /// <summary>Integer part (rounds toward zero).</summary>
    public static Tensor Trunc(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloat() ? Where(Less(x, 0), Lax.Ceil(x), Lax.Floor(x)) : x;
    }

    /// <summary>Rounds half to even to <paramref name="decimals"/> decimals, as NumPy.</summary>
    public static Tensor Round(Tensor x, int decimals = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloat()) return decimals >= 0 ? x : RoundInteger(x, decimals);
        if (decimals == 0) return Lax.Round(x, toNearestEven: true);
        // As JAX: scale by 10**decimals, round, scale back; float16 in float32.
        var compute = x.DType == DType.Float16 ? Cast(x, DType.Float32) : x;
        var factor = Cast(Scalars.Weak(Math.Pow(10, decimals)), compute.DType, true);
        var rounded = Divide(Lax.Round(Multiply(compute, factor), toNearestEven: true), factor);
        return x.DType == DType.Float16 ? Cast(rounded, DType.Float16) : rounded;
    }

    /// <summary>Integers to a multiple of 10**-decimals, half to even (NumPy's result, computed exactly in integers).</summary>
    private static Tensor RoundInteger(Tensor x, int decimals)
    {
        var unit = Power(Array(10L, x.DType), -decimals);
        var quotient = FloorDivide(x, unit);
        var remainder = Subtract(x, Multiply(quotient, unit));
        var rest = Subtract(unit, remainder);
        var up = LogicalOr(Greater(remainder, rest), LogicalAnd(Equal(remainder, rest), NotEqual(Remainder(quotient, 2), 0)));
        return Multiply(Where(up, Add(quotient, 1), quotient), unit);
    }

    /// <summary>Rounds half to even (NumPy's <c>rint</c>).</summary>
    public static Tensor Rint(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Round(Inexact("rint", x));
    }

    /// <summary>e^x.</summary>
    public static Tensor Exp(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Exp(Inexact("exp", x));
    }

    /// <summary>2^x.</summary>
    public static Tensor Exp2(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Exp2(Inexact("exp2", x));
    }

    /// <summary>e^x - 1.</summary>
    public static Tensor Expm1(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Expm1(Inexact("expm1", x));
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Log(Inexact("log", x));
    }

    /// <summary>log(1 + x).</summary>
    public static Tensor Log1p(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Log1p(Inexact("log1p", x));
    }

    /// <summary>Base-2 logarithm.</summary>
    public static Tensor Log2(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("log2", x);
        return Divide(Lax.Log(x), Lax.Log(Cast(Scalars.Weak(2.0), x.DType, x.WeakType)));
    }

    /// <summary>Base-10 logarithm.</summary>
    public static Tensor Log10(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("log10", x);
        return Divide(Lax.Log(x), Lax.Log(Cast(Scalars.Weak(10.0), x.DType, x.WeakType)));
    }

    /// <summary>Square root.</summary>
    public static Tensor Sqrt(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Sqrt(Inexact("sqrt", x));
    }

    /// <summary>Cube root.</summary>
    public static Tensor Cbrt(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Cbrt(Inexact("cbrt", x));
    }

    /// <summary>x * x.</summary>
    public static Tensor Square(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Multiply(x, x);
    }

    /// <summary>1 / x.</summary>
    public static Tensor Reciprocal(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Divide(Cast(Scalars.WeakInt(1), x.DType, x.WeakType), x);
    }

    /// <summary>Sine.</summary>
    public static Tensor Sin(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Sin(Inexact("sin", x));
    }

    /// <summary>Cosine.</summary>
    public static Tensor Cos(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Cos(Inexact("cos", x));
    }

    /// <summary>Tangent.</summary>
    public static Tensor Tan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Tan(Inexact("tan", x));
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Tanh(Inexact("tanh", x));
    }

    /// <summary>Hyperbolic sine.</summary>
    /// <remarks>
    /// As XLA: <c>e^(x + log 1/2) - e^(-x + log 1/2)</c> (no overflow where e^x does but sinh does not), and below
    /// |x| = 1 <c>(expm1(x) + expm1(x) / (expm1(x) + 1)) / 2</c> (no cancellation); float16/bfloat16 in float32.
    /// </remarks>
    public static Tensor Sinh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return InFloat32(Inexact("sinh", x), v =>
    {
        var large = Subtract(Lax.Exp(Add(v, LogHalf)), Lax.Exp(Subtract(LogHalf, v)));
        var expm1 = Lax.Expm1(v);
        var small = Multiply(Add(expm1, Divide(expm1, Add(expm1, 1))), 0.5);
        return Where(Less(Lax.Abs(v), 1), small, large);
    });
    }

    /// <summary>Hyperbolic cosine, as XLA: <c>e^(x + log 1/2) + e^(-x + log 1/2)</c> (float16/bfloat16 in float32).</summary>
    public static Tensor Cosh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return InFloat32(Inexact("cosh", x), v =>
        Add(Lax.Exp(Add(v, LogHalf)), Lax.Exp(Subtract(LogHalf, v))));
    }

    private static Tensor LogHalf => Scalars.Weak(Math.Log(0.5));

    /// <summary><paramref name="f"/> of x, computed in float32 for float16 and bfloat16 (XLA's <c>DoWithUpcastToF32</c>).</summary>
    private static Tensor InFloat32(Tensor x, Func<Tensor, Tensor> f) =>
        x.DType is DType.Float16 or DType.BFloat16 ? Cast(f(Cast(x, DType.Float32)), x.DType) : f(x);

    /// <summary>Inverse tangent.</summary>
    public static Tensor Arctan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("arctan", x);
        return Lax.Atan2(x, OnesLike(x));
    }

    /// <summary>Inverse sine: <c>2 atan2(x, 1 + sqrt(1 - x²))</c>, as JAX computes it.</summary>
    public static Tensor Arcsin(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("arcsin", x);
        var one = OnesLike(x);
        return Multiply(Lax.Atan2(x, Add(one, Lax.Sqrt(Subtract(one, Multiply(x, x))))), 2);
    }

    /// <summary>Inverse cosine: <c>2 atan2(sqrt(1 - x²), 1 + x)</c>, and pi at -1, as JAX computes it.</summary>
    public static Tensor Arccos(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("arccos", x);
        var one = OnesLike(x);
        var angle = Multiply(Lax.Atan2(Lax.Sqrt(Subtract(one, Multiply(x, x))), Add(one, x)), 2);
        // atan2(0, 0) would give 0 at x = -1; JAX selects pi there.
        return Where(Equal(x, -1), Math.PI, angle);
    }

    /// <summary>True where x is finite.</summary>
    public static Tensor Isfinite(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloat() ? Lax.IsFinite(x) : FullLike(x, true, DType.Bool);
    }

    /// <summary>True where x is NaN.</summary>
    public static Tensor Isnan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloat() ? Lax.Ne(x, x) : FullLike(x, false, DType.Bool);
    }

    /// <summary>True where x is +-inf.</summary>
    public static Tensor Isinf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloat() ? Equal(Lax.Abs(x), double.PositiveInfinity) : FullLike(x, false, DType.Bool);
    }

    /// <summary>Logical not (of truthiness).</summary>
    public static Tensor LogicalNot(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Not(x.DType == DType.Bool ? x : NotEqual(x, 0));
    }

    /// <summary>Bitwise not (logical for bool).</summary>
    public static Tensor BitwiseNot(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckDType("bitwise_not", x, t => t == DType.Bool || t.IsInteger(), "integer or boolean");
        return Lax.Not(x);
    }

    /// <summary>Bitwise not (NumPy's <c>invert</c>).</summary>
    public static Tensor Invert(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return BitwiseNot(x);
    }

    /// <summary>The number of set bits of |x|, as uint8 (NumPy's and JAX's <c>bitwise_count</c>).</summary>
    public static Tensor BitwiseCount(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckDType("bitwise_count", x, t => t.IsInteger(), "integer");
        return Cast(Lax.PopulationCount(Abs(x)), DType.UInt8);
    }

    // ---- binary ----

    /// <summary>x + y (bool: logical or).</summary>
    public static Tensor Add(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("add", x, y);
        return a[0].DType == DType.Bool ? Lax.BitwiseOr(a[0], a[1]) : Lax.Add(a[0], a[1]);
    }

    /// <summary>x - y.</summary>
    public static Tensor Subtract(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("subtract", x, y);
        if (a[0].DType == DType.Bool) throw new JaxTypeException("subtract", "numpy boolean subtract is not supported; use logical_xor" + Dispatch.At(SourceLocation.FindCaller()));
        return Lax.Sub(a[0], a[1]);
    }

    /// <summary>x * y (bool: logical and).</summary>
    public static Tensor Multiply(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("multiply", x, y);
        return a[0].DType == DType.Bool ? Lax.BitwiseAnd(a[0], a[1]) : Lax.Mul(a[0], a[1]);
    }

    /// <summary>True division: integers divide as floats.</summary>
    public static Tensor Divide(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgsInexact("true_divide", x, y);
        return Lax.Div(a[0], a[1]);
    }

    /// <summary>True division (NumPy's <c>true_divide</c>).</summary>
    public static Tensor TrueDivide(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Divide(x, y);
    }

    /// <summary>Floor division, as Python's <c>//</c>.</summary>
    public static Tensor FloorDivide(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("floor_divide", x, y);
        var (p, q) = (a[0], a[1]);
        if (p.DType == DType.Bool) throw new JaxTypeException("floor_divide", "boolean floor_divide is not supported" + Dispatch.At(SourceLocation.FindCaller()));
        if (p.DType.IsUnsignedInteger()) return Lax.Div(p, q);
        if (p.DType.IsSignedInteger())
        {
            // Truncating division, minus one where the signs differ and the division is inexact (as JAX, with
            // lax.sign: x // 0 is then -2 for x != 0, from XLA's x / 0 = -1 and x % 0 = x).
            var zero = ZerosLike(p);
            var quotient = Lax.Div(p, q);
            var signsDiffer = Lax.Ne(Lax.Sign(p), Lax.Sign(q));
            var inexact = Lax.Ne(Lax.Rem(p, q), zero);
            return Lax.Select(Lax.BitwiseAnd(signsDiffer, inexact), Lax.Sub(quotient, OnesLike(quotient)), quotient);
        }
        // Floats: CPython's float_divmod, as JAX computes it.
        var mod = Lax.Rem(p, q);
        var div = Lax.Div(Lax.Sub(p, mod), q);
        var fix = Lax.BitwiseAnd(Lax.Ne(mod, ZerosLike(mod)), Lax.Ne(Lax.Sign(q), Lax.Sign(mod)));
        return Lax.Round(Lax.Select(fix, Lax.Sub(div, OnesLike(div)), div));
    }

    /// <summary>Remainder with the sign of the divisor, as Python's <c>%</c> (NumPy's <c>remainder</c>/<c>mod</c>).</summary>
    public static Tensor Remainder(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("remainder", x, y);
        var (p, q) = (a[0], a[1]);
        if (p.DType == DType.Bool) throw new JaxTypeException("remainder", "boolean remainder is not supported" + Dispatch.At(SourceLocation.FindCaller()));
        if (q.DType.IsInteger()) q = Lax.Select(Lax.Eq(q, ZerosLike(q)), OnesLike(q), q);
        var trunc = Lax.Rem(p, q);
        if (p.DType.IsUnsignedInteger()) return trunc;
        var zero = ZerosLike(trunc);
        var fix = Lax.BitwiseAnd(Lax.Ne(trunc, zero), Lax.Ne(Lax.Lt(trunc, zero), Lax.Lt(q, zero)));
        return Lax.Select(fix, Lax.Add(trunc, q), trunc);
    }

    /// <summary>Remainder (NumPy's <c>mod</c>).</summary>
    public static Tensor Mod(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Remainder(x, y);
    }

    /// <summary>Remainder with the sign of the dividend (C's fmod); integers modulo 0 give 0, as in JAX.</summary>
    public static Tensor Fmod(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("fmod", x, y);
        var (p, q) = (a[0], a[1]);
        if (q.DType.IsInteger()) q = Lax.Select(Lax.Eq(q, ZerosLike(q)), OnesLike(q), q);
        return Lax.Rem(p, q);
    }

    /// <summary>x raised to y.</summary>
    public static Tensor Power(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("power", x, y);
        if (a[0].DType == DType.Bool) throw new JaxTypeException("power", "boolean power is not supported" + Dispatch.At(SourceLocation.FindCaller()));
        return Lax.Pow(a[0], a[1]);
    }

    /// <summary>Elementwise maximum (NaN propagates).</summary>
    public static Tensor Maximum(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("maximum", x, y);
        return a[0].DType == DType.Bool ? Lax.BitwiseOr(a[0], a[1]) : Lax.Max(a[0], a[1]);
    }

    /// <summary>Elementwise minimum (NaN propagates).</summary>
    public static Tensor Minimum(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("minimum", x, y);
        return a[0].DType == DType.Bool ? Lax.BitwiseAnd(a[0], a[1]) : Lax.Min(a[0], a[1]);
    }

    /// <summary>atan2(x, y) (the angle of the point (y, x)).</summary>
    public static Tensor Arctan2(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgsInexact("arctan2", x, y);
        return Lax.Atan2(a[0], a[1]);
    }

    /// <summary>The next float after x toward y.</summary>
    public static Tensor Nextafter(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgsInexact("nextafter", x, y);
        return Lax.Nextafter(a[0], a[1]);
    }

    /// <summary>sqrt(x² + y²).</summary>
    /// <remarks>As JAX: <c>max * sqrt(1 + (min / max)²)</c>, so that large inputs do not overflow; inf if either is inf.</remarks>
    public static Tensor Hypot(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgsInexact("hypot", x, y);
        var (p, q) = (Lax.Abs(a[0]), Lax.Abs(a[1]));
        var anyInfinite = LogicalOr(Isinf(p), Isinf(q));
        var (large, small) = (Lax.Max(p, q), Lax.Min(p, q));
        var largeIsZero = Equal(large, 0);
        var ratio = Lax.Div(small, Where(largeIsZero, OnesLike(large), large));
        var result = Where(largeIsZero, large, Multiply(large, Lax.Sqrt(Add(Multiply(ratio, ratio), 1))));
        return Where(anyInfinite, double.PositiveInfinity, result);
    }

    private static Tensor Bitwise(string op, Primitive p, Tensor x, Tensor y)
    {
        var a = PromoteArgs(op, x, y);
        CheckDType(op, a[0], t => t == DType.Bool || t.IsInteger(), "integer or boolean");
        return Dispatch.Bind1(p, [a[0], a[1]]);
    }

    /// <summary>Bitwise and (logical for bool).</summary>
    public static Tensor BitwiseAnd(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bitwise("bitwise_and", Prims.And, x, y);
    }

    /// <summary>Bitwise or (logical for bool).</summary>
    public static Tensor BitwiseOr(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bitwise("bitwise_or", Prims.Or, x, y);
    }

    /// <summary>Bitwise xor (logical for bool).</summary>
    public static Tensor BitwiseXor(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Bitwise("bitwise_xor", Prims.Xor, x, y);
    }

    /// <summary>x &lt;&lt; y.</summary>
    public static Tensor LeftShift(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("left_shift", x, y);
        CheckDType("left_shift", a[0], t => t.IsInteger(), "integer");
        return Lax.ShiftLeft(a[0], a[1]);
    }

    /// <summary>x &gt;&gt; y: arithmetic for signed, logical for unsigned integers (as NumPy).</summary>
    public static Tensor RightShift(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgs("right_shift", x, y);
        CheckDType("right_shift", a[0], t => t.IsInteger(), "integer");
        return a[0].DType.IsUnsignedInteger() ? Lax.ShiftRightLogical(a[0], a[1]) : Lax.ShiftRightArithmetic(a[0], a[1]);
    }

    private static Tensor Truth(Tensor x) => x.DType == DType.Bool ? x : NotEqual(x, 0);

    /// <summary>Logical and of truthiness.</summary>
    public static Tensor LogicalAnd(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return BitwiseAnd(Truth(x), Truth(y));
    }

    /// <summary>Logical or of truthiness.</summary>
    public static Tensor LogicalOr(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return BitwiseOr(Truth(x), Truth(y));
    }

    /// <summary>Logical xor of truthiness.</summary>
    public static Tensor LogicalXor(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return BitwiseXor(Truth(x), Truth(y));
    }

    private static Tensor Compare(string op, Primitive p, Tensor x, Tensor y)
    {
        var a = PromoteArgs(op, x, y);
        return Dispatch.Bind1(p, [a[0], a[1]]);
    }

    /// <summary>x == y.</summary>
    public static Tensor Equal(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare("equal", Prims.Eq, x, y);
    }

    /// <summary>x != y.</summary>
    public static Tensor NotEqual(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare("not_equal", Prims.Ne, x, y);
    }

    /// <summary>x &lt; y.</summary>
    public static Tensor Less(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare("less", Prims.Lt, x, y);
    }

    /// <summary>x &lt;= y.</summary>
    public static Tensor LessEqual(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare("less_equal", Prims.Le, x, y);
    }

    /// <summary>x &gt; y.</summary>
    public static Tensor Greater(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare("greater", Prims.Gt, x, y);
    }

    /// <summary>x &gt;= y.</summary>
    public static Tensor GreaterEqual(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare("greater_equal", Prims.Ge, x, y);
    }

    /// <summary>Elements of x where <paramref name="condition"/> is true, else of y (all three broadcast).</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var c = Truth(condition);
        var xy = PromoteArgs("where", x, y);
        var shape = BroadcastShapes("where", [c, xy[0], xy[1]]);
        return Lax.Select(BroadcastToShape(c, shape), BroadcastToShape(xy[0], shape), BroadcastToShape(xy[1], shape));
    }

    /// <summary>x limited to [min, max] (either bound may be null).</summary>
    public static Tensor Clip(Tensor x, Tensor? min = null, Tensor? max = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (min is not null) x = Maximum(min, x);
        if (max is not null) x = Minimum(max, x);
        return x;
    }

    /// <summary>log(exp(x) + exp(y)), computed stably.</summary>
    public static Tensor Logaddexp(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var a = PromoteArgsInexact("logaddexp", x, y);
        var amax = Lax.Max(a[0], a[1]);
        var delta = Lax.Sub(a[0], a[1]);
        var isNan = Lax.Ne(delta, delta);
        var result = Lax.Add(amax, Lax.Log1p(Lax.Exp(Lax.Neg(Lax.Abs(delta)))));
        // Where delta is NaN (inf - inf of equal signs, or a NaN input), JAX returns x + y.
        return Lax.Select(isNan, Lax.Add(a[0], a[1]), result);
    }

    /// <summary>
    /// |a - b| &lt;= atol + rtol |b| elementwise, in the operands' inexact dtype (infinities equal when they match;
    /// NaN unequal unless <paramref name="equalNan"/>).
    /// </summary>
    public static Tensor Isclose(Tensor a, Tensor b, double rtol = 1e-05, double atol = 1e-08, bool equalNan = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var p = PromoteArgsInexact("isclose", a, b);
        var close = LessEqual(Abs(Subtract(p[0], p[1])), Add(atol, Multiply(rtol, Abs(p[1]))));
        var same = Equal(p[0], p[1]);
        var result = LogicalOr(same, LogicalAnd(close, LogicalAnd(Isfinite(p[0]), Isfinite(p[1]))));
        return equalNan ? LogicalOr(result, LogicalAnd(Isnan(p[0]), Isnan(p[1]))) : result;
    }

    /// <summary>True when every element is <see cref="Isclose"/>.</summary>
    public static Tensor Allclose(Tensor a, Tensor b, double rtol = 1e-05, double atol = 1e-08, bool equalNan = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return All(Isclose(a, b, rtol, atol, equalNan));
    }

    /// <summary>True when shapes match and all elements are equal.</summary>
    public static bool ArrayEqual(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Shape == b.Shape && All(Equal(a, b)).Item<bool>();
    }
}
