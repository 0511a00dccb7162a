using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    // ---- constants and float layout ----

    /// <summary>x, or an <see cref="ArgumentNullException"/> naming the caller's parameter.</summary>
    private static Tensor NotNull(Tensor x, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(x))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        return x;
    }

    /// <summary>A scalar of x's dtype and weakness holding <paramref name="value"/> (rounded once into the dtype).</summary>
    private static Tensor TypedScalar(Tensor x, double value) => Cast(Array(value, x.DType), x.DType, x.WeakType);

    /// <summary>The IEEE layout of a float dtype: mantissa and exponent bits, bias, and the signed integer of its width.</summary>
    private static (int Mantissa, int Exponent, int Bias, DType Int) FloatBits(DType t) => t switch
    {
        DType.Float16 => (10, 5, 15, DType.Int16),
        DType.BFloat16 => (7, 8, 127, DType.Int16),
        DType.Float32 => (23, 8, 127, DType.Int32),
        DType.Float64 => (52, 11, 1023, DType.Int64),
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "not a float dtype"),
    };

    /// <summary>The largest finite value of a float dtype (<c>finfo(dtype).max</c>).</summary>
    private static double FinfoMax(DType t) => t switch
    {
        DType.Float16 => 65504.0,
        DType.BFloat16 => 3.3895313892515355e38,
        DType.Float32 => float.MaxValue,
        _ => double.MaxValue,
    };

    /// <summary>2^e for an int32 exponent e within the normal range of the float dtype <paramref name="t"/> (float32 or float64), built from its bits.</summary>
    private static Tensor PowerOfTwoBits(Tensor e, DType t)
    {
        var (mantissa, _, bias, bits) = FloatBits(t);
        var biased = Cast(Add(e, bias), bits);
        return Lax.BitcastConvertType(Lax.ShiftLeft(biased, FullLike(biased, mantissa)), t);
    }

    // ---- inverse hyperbolic functions ----

    /// <summary>Inverse hyperbolic sine.</summary>
    /// <remarks>
    /// As XLA expands <c>asinh</c>: <c>log1p(a + a²/(1 + sqrt(1 + a²)))</c> for a = |x| (no cancellation near 0),
    /// <c>log(a) + log 2</c> where a² would overflow, and x's sign restored; float16/bfloat16 in float32.
    /// </remarks>
    public static Tensor Arcsinh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return InFloat32(Inexact("arcsinh", NotNull(x)), v =>
    {
        var negative = Signbit(v);
        var a = Where(negative, Lax.Neg(v), v);
        var large = Greater(a, Math.Sqrt(FinfoMax(v.DType)));
        var safe = Where(large, TypedScalar(v, 1), a);
        var square = Multiply(safe, safe);
        var moderate = Lax.Log1p(Add(safe, Divide(square, Add(Lax.Sqrt(Add(square, 1)), 1))));
        var r = Where(large, Add(Lax.Log(Where(large, a, TypedScalar(v, 1))), Math.Log(2)), moderate);
        return Where(negative, Lax.Neg(r), r);
    });
    }

    /// <summary>Inverse hyperbolic cosine (NaN below 1).</summary>
    /// <remarks>
    /// <c>log1p((x - 1) + sqrt((x - 1)(x + 1)))</c> (accurate near 1), and <c>log(x) + log 2</c> where the product would
    /// overflow, as XLA's expansion; float16/bfloat16 in float32.
    /// </remarks>
    public static Tensor Arccosh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return InFloat32(Inexact("arccosh", NotNull(x)), v =>
    {
        var large = Greater(v, Math.Sqrt(FinfoMax(v.DType)));
        var safe = Where(large, TypedScalar(v, 2), v);
        var below = Subtract(safe, 1);
        var moderate = Lax.Log1p(Add(below, Lax.Sqrt(Multiply(below, Add(safe, 1)))));
        return Where(large, Add(Lax.Log(Where(large, v, TypedScalar(v, 1))), Math.Log(2)), moderate);
    });
    }

    /// <summary>Inverse hyperbolic tangent: <c>(log1p(x) - log1p(-x)) / 2</c> (NaN beyond ±1, ±inf at ±1).</summary>
    public static Tensor Arctanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return InFloat32(Inexact("arctanh", NotNull(x)), v =>
        Multiply(Subtract(Lax.Log1p(v), Lax.Log1p(Lax.Neg(v))), 0.5));
    }

    // ---- angles ----

    /// <summary>Degrees to radians: <c>x * pi / 180</c>.</summary>
    public static Tensor Deg2rad(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("deg2rad", x);
        return Multiply(x, TypedScalar(x, Math.PI / 180));
    }

    /// <summary>Radians to degrees: <c>x * 180 / pi</c>.</summary>
    public static Tensor Rad2deg(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("rad2deg", x);
        return Multiply(x, TypedScalar(x, 180 / Math.PI));
    }

    /// <summary>Degrees to radians (NumPy's <c>radians</c>).</summary>
    public static Tensor Radians(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Deg2rad(x);
    }

    /// <summary>Radians to degrees (NumPy's <c>degrees</c>).</summary>
    public static Tensor Degrees(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Rad2deg(x);
    }

    // ---- sign and float structure ----

    /// <summary>True where the sign bit is set (floats: also -0.0 and negative NaN; integers: x &lt; 0; bool: false).</summary>
    public static Tensor Signbit(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType == DType.Bool) return FullLike(x, false, DType.Bool);
        if (x.DType.IsUnsignedInteger()) return FullLike(x, false, DType.Bool);
        if (x.DType.IsSignedInteger()) return Lax.Lt(x, ZerosLike(x));
        var bits = Lax.BitcastConvertType(x, FloatBits(x.DType).Int);
        return Lax.Lt(bits, ZerosLike(bits));
    }

    /// <summary>|x1| with the sign (bit) of x2.</summary>
    public static Tensor Copysign(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        var a = PromoteArgsInexact("copysign", x1, x2);
        var magnitude = Lax.Abs(a[0]);
        return Lax.Select(Signbit(a[1]), Lax.Neg(magnitude), magnitude);
    }

    /// <summary>
    /// Mantissa and exponent with <c>x = mantissa * 2^exponent</c>, |mantissa| in [0.5, 1) (NumPy's <c>frexp</c>):
    /// read from the bits (subnormals are scaled up first); 0, inf and NaN give themselves and exponent 0. The
    /// exponent is int32.
    /// </summary>
    public static (Tensor Mantissa, Tensor Exponent) Frexp(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("frexp", x);
        var t = x.DType;
        var (mantissa, exponent, bias, intType) = FloatBits(t);
        // Subnormals: scale by 2^mantissa into the normal range and take it off the exponent.
        var subnormal = Less(Lax.Abs(x), TypedScalar(x, Math.Pow(2, 1 - bias)));
        var scaled = Where(subnormal, Multiply(x, TypedScalar(x, Math.Pow(2, mantissa))), x);
        var e = Where(subnormal, -mantissa, 0).Astype(DType.Int32);
        var bits = Lax.BitcastConvertType(scaled, intType);
        long mask = (1L << exponent) - 1;
        var field = Lax.BitwiseAnd(Lax.ShiftRightLogical(bits, FullLike(bits, mantissa)), FullLike(bits, mask));
        e = Lax.Add(e, Subtract(Cast(field, DType.Int32), bias - 1));
        bits = Lax.BitwiseAnd(bits, Lax.Not(FullLike(bits, mask << mantissa)));
        bits = Lax.BitwiseOr(bits, FullLike(bits, (long)(bias - 1) << mantissa));
        var m = Lax.BitcastConvertType(bits, t);
        var special = LogicalOr(LogicalOr(Isinf(x), Isnan(x)), Equal(x, 0));
        return (Where(special, x, m), Where(special, ZerosLike(e), e));
    }

    /// <summary>
    /// x1 * 2^x2 for integer x2, exact (one rounding, into the subnormals) and without overflow in the steps: x2 is
    /// clamped to a range that already saturates, split into three parts, each a power of two built from bits.
    /// float16/bfloat16 are computed in float32.
    /// </summary>
    public static Tensor Ldexp(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        if (!x2.DType.IsInteger())
            throw new JaxTypeException("ldexp", $"ldexp requires an integer exponent x2, got {x2.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        var mantissa = Inexact("ldexp", x1);
        var shape = BroadcastShapes("ldexp", [mantissa, x2]);
        mantissa = BroadcastToShape(mantissa, shape);
        var compute = mantissa.DType == DType.Float64 ? DType.Float64 : DType.Float32;
        int limit = compute == DType.Float64 ? 2200 : 300;
        var e = BroadcastToShape(x2, shape);
        if (e.DType is DType.UInt32 or DType.UInt64 or DType.Int64)
        {
            e = Lax.Min(e, FullLike(e, limit));
            if (e.DType.IsSignedInteger()) e = Lax.Max(e, FullLike(e, -limit));
            e = Cast(e, DType.Int32);
        }
        else e = Clip(Cast(e, DType.Int32), -limit, limit);
        var e1 = Lax.Div(e, FullLike(e, 3));
        var e2 = Lax.Div(Lax.Sub(e, e1), FullLike(e, 2));
        var e3 = Lax.Sub(Lax.Sub(e, e1), e2);
        var y = Cast(mantissa, compute);
        foreach (var part in new[] { e1, e2, e3 }) y = Lax.Mul(y, PowerOfTwoBits(part, compute));
        return Cast(y, mantissa.DType, mantissa.WeakType);
    }

    /// <summary>
    /// The distance from x to the next float away from zero (negative for negative x), as NumPy's <c>spacing</c>;
    /// the smallest subnormal (with x's sign) where that difference is zero, NaN for inf and NaN.
    /// </summary>
    public static Tensor Spacing(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("spacing", x);
        var infinity = TypedScalar(x, double.PositiveInfinity);
        if (x.DType == DType.Float16) return Subtract(Nextafter(x, FullLike(x, infinity)), x);
        var result = Subtract(Nextafter(x, Copysign(FullLike(x, infinity), x)), x);
        var (mantissa, _, bias, _) = FloatBits(x.DType);
        var smallest = TypedScalar(x, Math.Pow(2, 1 - bias - mantissa));
        return Where(Equal(result, 0), Copysign(FullLike(x, smallest), x), result);
    }

    // ---- binary math ----

    /// <summary>x1 raised to x2, always in an inexact dtype (NumPy's <c>float_power</c>).</summary>
    public static Tensor FloatPower(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        var a = PromoteArgsInexact("float_power", x1, x2);
        return Lax.Pow(a[0], a[1]);
    }

    /// <summary>Elementwise maximum ignoring NaN: the other operand where one is NaN (NaN only when both are).</summary>
    public static Tensor Fmax(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        return Where(LogicalOr(Less(NotNull(x1), NotNull(x2)), Isnan(x1)), x2, x1);
    }

    /// <summary>Elementwise minimum ignoring NaN: the other operand where one is NaN (NaN only when both are).</summary>
    public static Tensor Fmin(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        return Where(LogicalOr(Greater(NotNull(x1), NotNull(x2)), Isnan(x1)), x2, x1);
    }

    /// <summary>log2(2^x1 + 2^x2), computed stably (x1 + x2 where their difference is NaN, as JAX).</summary>
    public static Tensor Logaddexp2(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        var a = PromoteArgsInexact("logaddexp2", x1, x2);
        var amax = Lax.Max(a[0], a[1]);
        var delta = Lax.Sub(a[0], a[1]);
        var tail = Divide(Lax.Log1p(Lax.Exp2(Lax.Neg(Lax.Abs(delta)))), TypedScalar(delta, Math.Log(2)));
        return Lax.Select(Lax.Ne(delta, delta), Lax.Add(a[0], a[1]), Lax.Add(amax, tail));
    }

    /// <summary>The Heaviside step: 0 where x1 &lt; 0, 1 where x1 &gt; 0, x2 elsewhere (at 0, and at NaN as JAX) in an inexact dtype.</summary>
    public static Tensor Heaviside(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        var a = PromoteArgsInexact("heaviside", x1, x2);
        var zero = ZerosLike(a[0]);
        return Lax.Select(Lax.Lt(a[0], zero), zero, Lax.Select(Lax.Gt(a[0], zero), OnesLike(a[0]), a[1]));
    }

    /// <summary>Floor division and remainder together (NumPy's <c>divmod</c>).</summary>
    public static (Tensor Quotient, Tensor Remainder) Divmod(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        return (FloorDivide(NotNull(x1), NotNull(x2)), Remainder(x1, x2));
    }

    /// <summary>Fractional and integral parts, both with x's sign (NumPy's <c>modf</c>).</summary>
    public static (Tensor Fractional, Tensor Integral) Modf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("modf", x);
        var whole = Trunc(x);
        return (Subtract(x, whole), whole);
    }

    /// <summary>Rounds toward zero (NumPy's <c>fix</c>; integers unchanged).</summary>
    public static Tensor Fix(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trunc(NotNull(x));
    }

    /// <summary>Rounds half to even to <paramref name="decimals"/> decimals (NumPy's <c>around</c>, as <see cref="Round"/>).</summary>
    public static Tensor Around(Tensor x, int decimals = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Round(NotNull(x), decimals);
    }

    /// <summary>|x| in an inexact dtype (NumPy's <c>fabs</c>).</summary>
    public static Tensor Fabs(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Lax.Abs(Inexact("fabs", NotNull(x)));
    }

    // ---- integers ----

    private static Tensor[] IntegerOperands(string op, Tensor x1, Tensor x2)
    {
        var a = PromoteArgs(op, x1, x2);
        if (!a[0].DType.IsInteger())
            throw new JaxTypeException(op, $"arguments to {op} must be integers, got {x1.Aval.ToLongString()} and {x2.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return a;
    }

    /// <summary>Greatest common divisor of |x1| and |x2| (Euclid's algorithm in a while loop, as JAX; gcd(0, 0) = 0).</summary>
    public static Tensor Gcd(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        var a = IntegerOperands("gcd", x1, x2);
        return GcdOf(Abs(a[0]), Abs(a[1]));
    }

    private static Tensor GcdOf(Tensor x1, Tensor x2) => Lax.WhileLoop(
        c => Any(NotEqual(c[1], 0)),
        c =>
        {
            var zero = ZerosLike(c[1]);
            var nonzero = Lax.Ne(c[1], zero);
            var safe = Lax.Select(nonzero, c[1], OnesLike(c[1]));
            var p = Lax.Select(nonzero, c[1], c[0]);
            var q = Lax.Select(nonzero, Lax.Rem(c[0], safe), zero);
            var swap = Lax.Lt(p, q);
            return [Lax.Select(swap, q, p), Lax.Select(swap, p, q)];
        },
        x1, x2)[0];

    /// <summary>Least common multiple of |x1| and |x2| (0 when either is 0).</summary>
    public static Tensor Lcm(Tensor x1, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        var a = IntegerOperands("lcm", x1, x2);
        var d = GcdOf(Abs(a[0]), Abs(a[1]));
        var isZero = Equal(d, 0);
        var safe = Where(isZero, OnesLike(d), d);
        return Where(isZero, ZerosLike(d), Abs(Multiply(a[0], FloorDivide(a[1], safe))));
    }

    // ---- special functions ----

    /// <summary>
    /// The normalised sinc, sin(pi x) / (pi x), 1 at 0. As JAX, the value at 0 comes from a function whose custom
    /// JVP gives the Maclaurin series' derivatives, so the derivative at 0 is 0 (and the second -pi²/3).
    /// </summary>
    public static Tensor Sinc(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = Inexact("sinc", x);
        var isZero = Equal(x, 0);
        var piX = Multiply(TypedScalar(x, Math.PI), x);
        var safe = Where(isZero, OnesLike(x), piX);
        return Where(isZero, SincMaclaurin(0)(piX), Divide(Lax.Sin(safe), safe));
    }

    /// <summary>The orders of sin(x)/x's Maclaurin terms that get a custom JVP (higher ones are plain constants).</summary>
    private const int SincMaclaurinOrders = 4;

    private static readonly Func<Tensor, Tensor>[] SincMaclaurinTerms = new Func<Tensor, Tensor>[SincMaclaurinOrders + 1];

    /// <summary>The k-th derivative of sin(x)/x at 0, as a function of x (constant) whose JVP is the (k+1)-th.</summary>
    private static Func<Tensor, Tensor> SincMaclaurin(int k)
    {
        if (SincMaclaurinTerms[k] is { } cached) return cached;
        Tensor Term(Tensor x) => k % 2 == 1 ? Multiply(x, 0) : Add(Multiply(x, 0), (k / 2 % 2 == 0 ? 1.0 : -1.0) / (k + 1));
        Func<Tensor, Tensor> f = k == SincMaclaurinOrders ? Term
            : Jax.CustomJvp((Func<Tensor, Tensor>)Term, (x, t) => (SincMaclaurin(k)(x), Multiply(SincMaclaurin(k + 1)(x), t)));
        return SincMaclaurinTerms[k] = f;
    }

    // Cephes' Chebyshev coefficients of exp(-x) I0(x), highest order first: A on [0, 8] (argument x/2 - 2), B on (8, inf) (32/x - 2, divided by sqrt(x)).
    internal static readonly double[] I0eA =
    [
        -4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16, 1.71539128555513303061E-15,
        -1.16853328779934516808E-14, 7.67618549860493561688E-14, -4.85644678311192946090E-13, 2.95505266312963983461E-12,
        -1.72682629144155570723E-11, 9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
        -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7, 1.11738753912010371815E-6,
        -4.41673835845875056359E-6, 1.64484480707288970893E-5, -5.75419501008210370398E-5, 1.88502885095841655729E-4,
        -5.76375574538582365885E-4, 1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
        -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2, 1.71620901522208775349E-1,
        -3.04682672343198398683E-1, 6.76795274409476084995E-1,
    ];

    internal static readonly double[] I0eB =
    [
        -7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17, 3.46122286769746109310E-17,
        -2.82762398051658348494E-16, -3.42548561967721913462E-16, 1.77256013305652638360E-15, 3.81168066935262242075E-15,
        -9.55484669882830764870E-15, -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
        7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11, -3.14991652796324136454E-11,
        1.18891471078464383424E-11, 4.94060238822496958910E-10, 3.39623202570838634515E-9, 2.26666899049817806459E-8,
        2.04891858946906374183E-7, 2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
        8.04490411014108831608E-1,
    ];

    /// <summary>
    /// I0(x) and its derivative I1(x) from exp(|x|) I0(|x|)'s two Chebyshev series (Cephes' <c>chbevl</c>), run in
    /// one loop with the series' derivative alongside: each element uses A's coefficients at t = |x|/2 - 2 where
    /// |x| &lt;= 8, else B's (led by zeros, which leave the recurrence unchanged) at t = 32/|x| - 2, divided by
    /// sqrt(|x|). One <c>scan</c> over the coefficient table keeps the program small for jit.
    /// </summary>
    private static (Tensor Value, Tensor Derivative) I0AndDerivative(Tensor x)
    {
        var negative = Less(x, 0);
        var a = Where(negative, Lax.Neg(x), x);
        var small = LessEqual(a, 8);
        var large = Where(small, TypedScalar(a, 9), a);
        var t = Where(small, Subtract(Multiply(a, 0.5), 2), Subtract(Divide(TypedScalar(a, 32), large), 2));
        int n = I0eA.Length;
        var table = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            table[2 * i] = I0eA[i];
            int j = i - (n - I0eB.Length);
            table[2 * i + 1] = j >= 0 ? I0eB[j] : 0;
        }
        var coefficients = Array<double>(table, [n, 2], a.DType);
        var zero = ZerosLike(t);
        // Carry: b0, b1, b2 of the recurrence b0 = t b1 - b2 + c, and their derivatives in t.
        var (c, _) = Lax.Scan(k =>
        {
            var coefficient = Where(small, Reshape(Lax.Slice(k[6], [0], [1]), []), Reshape(Lax.Slice(k[6], [1], [2]), []));
            var b0 = Add(Subtract(Multiply(t, k[0]), k[1]), coefficient);
            var d0 = Subtract(Add(k[0], Multiply(t, k[3])), k[4]);
            return [b0, k[0], k[1], d0, k[3], k[4]];
        }, [zero, zero, zero, zero, zero, zero], [coefficients]);
        var series = Multiply(Subtract(c[0], c[2]), 0.5);
        var slope = Multiply(Subtract(c[3], c[5]), 0.5);
        var root = Lax.Sqrt(large);
        // g(|x|) = exp(-|x|) I0(|x|) and its derivative in |x|.
        var g = Where(small, series, Divide(series, root));
        var dg = Where(small, Multiply(slope, 0.5),
            Subtract(Divide(Multiply(slope, Divide(TypedScalar(a, -32), Multiply(large, large))), root), Divide(Multiply(series, 0.5), Multiply(large, root))));
        var scale = Lax.Exp(a);
        var derivative = Multiply(scale, Add(g, dg));
        return (Multiply(scale, g), Where(Equal(x, 0), ZerosLike(x), Where(negative, Lax.Neg(derivative), derivative)));
    }

    private static readonly Func<Tensor, Tensor> I0WithJvp = Jax.CustomJvp(
        (Func<Tensor, Tensor>)(x => I0AndDerivative(x).Value),
        (x, t) =>
        {
            var (value, derivative) = I0AndDerivative(x);
            return (value, Multiply(t, derivative));
        });

    /// <summary>
    /// The modified Bessel function of the first kind of order 0, as <c>jnp.i0</c>: exp(|x|) times Cephes'
    /// Chebyshev expansion of exp(-|x|) I0(|x|); float16/bfloat16 in float32. Its derivative, I1(x), comes from the
    /// same series (a custom JVP, as JAX's, which also makes it exactly 0 at 0).
    /// </summary>
    public static Tensor I0(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return InFloat32(Inexact("i0", NotNull(x)), I0WithJvp);
    }

    // ---- classification and cleanup ----

    /// <summary>True where x is +inf.</summary>
    public static Tensor Isposinf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x).DType.IsFloat() ? Equal(x, double.PositiveInfinity) : FullLike(x, false, DType.Bool);
    }

    /// <summary>True where x is -inf.</summary>
    public static Tensor Isneginf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x).DType.IsFloat() ? Equal(x, double.NegativeInfinity) : FullLike(x, false, DType.Bool);
    }

    /// <summary>True for every element: arrays here are real (no complex dtypes).</summary>
    public static Tensor Isreal(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return FullLike(NotNull(x), true, DType.Bool);
    }

    /// <summary>False for every element: arrays here are real (no complex dtypes).</summary>
    public static Tensor Iscomplex(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return FullLike(NotNull(x), false, DType.Bool);
    }

    /// <summary>The real part: x itself for real arrays.</summary>
    public static Tensor Real(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x);
    }

    /// <summary>The imaginary part: zeros like x for real arrays.</summary>
    public static Tensor Imag(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ZerosLike(NotNull(x));
    }

    /// <summary>The complex conjugate: x itself for real arrays.</summary>
    public static Tensor Conj(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x);
    }

    /// <summary>The complex conjugate (NumPy's <c>conjugate</c>): x itself for real arrays.</summary>
    public static Tensor Conjugate(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return NotNull(x);
    }

    /// <summary>
    /// NaN replaced by <paramref name="nan"/>, +inf by <paramref name="posinf"/> (default: the dtype's largest value)
    /// and -inf by <paramref name="neginf"/> (default: its most negative); non-float arrays unchanged.
    /// </summary>
    public static Tensor NanToNum(Tensor x, double nan = 0.0, double? posinf = null, double? neginf = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloat()) return x;
        double max = FinfoMax(x.DType);
        var result = Where(Isnan(x), TypedScalar(x, nan), x);
        result = Where(Isposinf(result), TypedScalar(x, posinf ?? max), result);
        return Where(Isneginf(result), TypedScalar(x, neginf ?? -max), result);
    }
}
