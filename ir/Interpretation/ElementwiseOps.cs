using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir;

// The per-element semantics of the elementwise primitives (XLA's on CPU). Float ops call the generic-math
// members of float/double, which are MathF/Math; TensorPrimitives is used only where it is bit-identical to them
// (it is not for exp, log, sin, tanh, ...: its vectorised versions differ in the last bits, and exp(0) is not 1).

/// <summary><c>neg</c>: sign flip for floats, wrapping negation for integers (<c>-MIN == MIN</c>).</summary>
internal readonly struct NegOp : IFloatUnaryOp, IIntegerUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => -x;
    static T IIntegerUnaryOp.Apply<T>(T x) => -x;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Negate(x, result);
        return true;
    }
}

/// <summary><c>abs</c>: clears the sign bit of floats; integers wrap (<c>abs(MIN) == MIN</c>), unsigned are unchanged.</summary>
internal readonly struct AbsOp : IFloatUnaryOp, IIntegerUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Abs(x);
    static T IIntegerUnaryOp.Apply<T>(T x) => T.IsNegative(x) ? -x : x;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Abs(x, result);
        return true;
    }
}

/// <summary><c>sign</c>: -1, 0 or 1; for floats NaN stays NaN and signed zeros are kept.</summary>
internal readonly struct SignOp : IFloatUnaryOp, IIntegerUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.IsNaN(x) || T.IsZero(x) ? x : T.CopySign(T.One, x);
    static T IIntegerUnaryOp.Apply<T>(T x) => T.IsNegative(x) ? T.AllBitsSet : T.IsZero(x) ? T.Zero : T.One;
}

/// <summary><c>floor</c>.</summary>
internal readonly struct FloorOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Floor(x);
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Floor(x, result);
        return true;
    }
}

/// <summary><c>ceil</c>.</summary>
internal readonly struct CeilOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Ceiling(x);
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Ceiling(x, result);
        return true;
    }
}

/// <summary><c>round</c> with <c>rounding_method = 0</c>: halves away from zero.</summary>
internal readonly struct RoundAwayFromZeroOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Round(x, MidpointRounding.AwayFromZero);
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Round(x, MidpointRounding.AwayFromZero, result);
        return true;
    }
}

/// <summary><c>round</c> with <c>rounding_method = 1</c>: halves to even.</summary>
internal readonly struct RoundToEvenOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Round(x);
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Round(x, result);
        return true;
    }
}

/// <summary><c>exp</c>.</summary>
internal readonly struct ExpOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Exp(x);
}

/// <summary><c>exp2</c>.</summary>
internal readonly struct Exp2Op : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Exp2(x);
}

/// <summary><c>log</c>.</summary>
internal readonly struct LogOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Log(x);
}

/// <summary><c>sqrt</c> (correctly rounded, so the vectorised version is identical).</summary>
internal readonly struct SqrtOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Sqrt(x);
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sqrt(x, result);
        return true;
    }
}

/// <summary><c>rsqrt</c>: <c>1 / sqrt(x)</c>, two correctly rounded steps (not a hardware reciprocal estimate).</summary>
internal readonly struct RsqrtOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.One / T.Sqrt(x);
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sqrt(x, result);
        TensorPrimitives.Divide(T.One, result, result);
        return true;
    }
}

/// <summary><c>cbrt</c>.</summary>
internal readonly struct CbrtOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Cbrt(x);
}

/// <summary><c>sin</c>.</summary>
internal readonly struct SinOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Sin(x);
}

/// <summary><c>cos</c>.</summary>
internal readonly struct CosOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Cos(x);
}

/// <summary><c>tan</c>.</summary>
internal readonly struct TanOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Tan(x);
}

/// <summary><c>tanh</c>.</summary>
internal readonly struct TanhOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.Tanh(x);
}

/// <summary><c>logistic</c>: <c>1 / (1 + exp(-x))</c>.</summary>
internal readonly struct LogisticOp : IFloatUnaryOp
{
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
}

/// <summary><c>not</c>: logical for bool, bitwise for integers.</summary>
internal readonly struct NotOp : IIntegerUnaryOp, IBoolUnaryOp
{
    public static T Apply<T>(T x) where T : IBinaryInteger<T> => ~x;
    public static bool Apply(bool x) => !x;
}

/// <summary><c>population_count</c>: the number of set bits of the two's-complement pattern.</summary>
internal readonly struct PopulationCountOp : IIntegerUnaryOp
{
    public static T Apply<T>(T x) where T : IBinaryInteger<T> => T.PopCount(x);
}

/// <summary><c>add</c> (integers wrap).</summary>
internal readonly struct AddOp : IFloatBinaryOp, IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => x + y;
    static T IIntegerBinaryOp.Apply<T>(T x, T y) => x + y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Add(x, y, result);
        return true;
    }

    static bool IIntegerBinaryOp.TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result)
    {
        TensorPrimitives.Add(x, y, result);
        return true;
    }
}

/// <summary><c>sub</c> (integers wrap).</summary>
internal readonly struct SubOp : IFloatBinaryOp, IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => x - y;
    static T IIntegerBinaryOp.Apply<T>(T x, T y) => x - y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(x, y, result);
        return true;
    }

    static bool IIntegerBinaryOp.TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result)
    {
        TensorPrimitives.Subtract(x, y, result);
        return true;
    }
}

/// <summary><c>mul</c> (integers wrap).</summary>
internal readonly struct MulOp : IFloatBinaryOp, IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => x * y;
    static T IIntegerBinaryOp.Apply<T>(T x, T y) => x * y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(x, y, result);
        return true;
    }

    static bool IIntegerBinaryOp.TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result)
    {
        TensorPrimitives.Multiply(x, y, result);
        return true;
    }
}

/// <summary>
/// <c>div</c>: IEEE for floats; integers truncate toward zero, <c>x / 0</c> is all ones (-1, or the unsigned
/// maximum) and <c>MIN / -1</c> is <c>MIN</c>.
/// </summary>
internal readonly struct DivOp : IFloatBinaryOp, IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => x / y;
    static T IIntegerBinaryOp.Apply<T>(T x, T y) =>
        T.IsZero(y) ? T.AllBitsSet : T.IsNegative(y) && y == T.AllBitsSet ? -x : x / y;
    static bool IFloatBinaryOp.TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result)
    {
        TensorPrimitives.Divide(x, y, result);
        return true;
    }
}

/// <summary>
/// <c>rem</c>: C's <c>fmod</c> for floats (the sign of x); integers truncate, <c>x % 0</c> is x and
/// <c>MIN % -1</c> is 0.
/// </summary>
internal readonly struct RemOp : IFloatBinaryOp, IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => x % y;
    static T IIntegerBinaryOp.Apply<T>(T x, T y) =>
        T.IsZero(y) ? x : T.IsNegative(y) && y == T.AllBitsSet ? T.Zero : x % y;
}

/// <summary>
/// <c>pow</c>: C's <c>pow</c> for floats; integers by repeated squaring (wrapping), and for a negative exponent
/// 0 except for base 1 (1) and base -1 (-1 or 1 by the exponent's parity).
/// </summary>
internal readonly struct PowOp : IFloatBinaryOp, IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => T.Pow(x, y);

    static T IIntegerBinaryOp.Apply<T>(T x, T y)
    {
        if (T.IsNegative(y))
            return x == T.One ? T.One : T.IsNegative(x) && x == T.AllBitsSet ? (T.IsEvenInteger(y) ? T.One : x) : T.Zero;
        T result = T.One;
        for (; !T.IsZero(y); y >>>= 1)
        {
            if (T.IsOddInteger(y)) result *= x;
            x *= x;
        }
        return result;
    }
}

/// <summary><c>max</c>: IEEE maximum for floats (NaN wins, +0 &gt; -0); <c>or</c> for bool.</summary>
internal readonly struct MaxOp : IFloatBinaryOp, IIntegerBinaryOp, IBoolBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => T.Max(x, y);
    static T IIntegerBinaryOp.Apply<T>(T x, T y) => T.Max(x, y);
    public static bool Apply(bool x, bool y) => x | y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Max(x, y, result);
        return true;
    }

    static bool IIntegerBinaryOp.TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result)
    {
        TensorPrimitives.Max(x, y, result);
        return true;
    }
}

/// <summary><c>min</c>: IEEE minimum for floats (NaN wins, -0 &lt; +0); <c>and</c> for bool.</summary>
internal readonly struct MinOp : IFloatBinaryOp, IIntegerBinaryOp, IBoolBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => T.Min(x, y);
    static T IIntegerBinaryOp.Apply<T>(T x, T y) => T.Min(x, y);
    public static bool Apply(bool x, bool y) => x & y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        TensorPrimitives.Min(x, y, result);
        return true;
    }

    static bool IIntegerBinaryOp.TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result)
    {
        TensorPrimitives.Min(x, y, result);
        return true;
    }
}

/// <summary><c>atan2(y, x)</c>.</summary>
internal readonly struct Atan2Op : IFloatBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T> => T.Atan2(x, y);
}

/// <summary><c>and</c>: logical for bool, bitwise for integers.</summary>
internal readonly struct AndOp : IIntegerBinaryOp, IBoolBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IBinaryInteger<T> => x & y;
    public static bool Apply(bool x, bool y) => x & y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IBinaryInteger<T>
    {
        TensorPrimitives.BitwiseAnd(x, y, result);
        return true;
    }
}

/// <summary><c>or</c>: logical for bool, bitwise for integers.</summary>
internal readonly struct OrOp : IIntegerBinaryOp, IBoolBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IBinaryInteger<T> => x | y;
    public static bool Apply(bool x, bool y) => x | y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IBinaryInteger<T>
    {
        TensorPrimitives.BitwiseOr(x, y, result);
        return true;
    }
}

/// <summary><c>xor</c>: logical for bool, bitwise for integers.</summary>
internal readonly struct XorOp : IIntegerBinaryOp, IBoolBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IBinaryInteger<T> => x ^ y;
    public static bool Apply(bool x, bool y) => x ^ y;
    public static bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IBinaryInteger<T>
    {
        TensorPrimitives.Xor(x, y, result);
        return true;
    }
}

/// <summary>Shift counts as XLA reads them: unsigned, so a negative count is out of range like one &gt;= the bit width.</summary>
internal static class ShiftCount
{
    /// <summary>True when <paramref name="count"/> is a valid shift for <typeparamref name="T"/>, with the count as an int.</summary>
    public static bool InRange<T>(T count, out int shift) where T : IBinaryInteger<T>
    {
        ulong c = ulong.CreateTruncating(count);
        shift = (int)Math.Min(c, 64);
        // Truncating a negative count to ulong sign-extends it to a huge value.
        return c < (ulong)(count.GetByteCount() * 8);
    }

    /// <summary>The bit width of <typeparamref name="T"/>.</summary>
    public static int Width<T>(T value) where T : IBinaryInteger<T> => value.GetByteCount() * 8;
}

/// <summary><c>shift_left</c>: 0 when the count is out of range.</summary>
internal readonly struct ShiftLeftOp : IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IBinaryInteger<T> => ShiftCount.InRange(y, out int n) ? x << n : T.Zero;
}

/// <summary><c>shift_right_logical</c>: zero fill, on the bits (also for signed types); 0 when the count is out of range.</summary>
internal readonly struct ShiftRightLogicalOp : IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IBinaryInteger<T> => ShiftCount.InRange(y, out int n) ? x >>> n : T.Zero;
}

/// <summary>
/// <c>shift_right_arithmetic</c>: sign fill from the top bit (also for unsigned types, as XLA's <c>AShr</c>); an
/// out-of-range count gives the sign fill (all ones or 0).
/// </summary>
internal readonly struct ShiftRightArithmeticOp : IIntegerBinaryOp
{
    public static T Apply<T>(T x, T y) where T : IBinaryInteger<T>
    {
        int width = ShiftCount.Width(x);
        T fill = T.IsZero(x >>> (width - 1)) ? T.Zero : T.AllBitsSet;
        if (!ShiftCount.InRange(y, out int n)) return fill;
        return n == 0 ? x : (x >>> n) | (fill << (width - n));
    }
}

/// <summary><c>eq</c>.</summary>
internal readonly struct EqOp : ICompareOp
{
    public static bool Apply<T>(T x, T y) where T : INumber<T> => x == y;
}

/// <summary><c>ne</c> (true when either is NaN).</summary>
internal readonly struct NeOp : ICompareOp
{
    public static bool Apply<T>(T x, T y) where T : INumber<T> => x != y;
}

/// <summary><c>lt</c>.</summary>
internal readonly struct LtOp : ICompareOp
{
    public static bool Apply<T>(T x, T y) where T : INumber<T> => x < y;
}

/// <summary><c>le</c>.</summary>
internal readonly struct LeOp : ICompareOp
{
    public static bool Apply<T>(T x, T y) where T : INumber<T> => x <= y;
}

/// <summary><c>gt</c>.</summary>
internal readonly struct GtOp : ICompareOp
{
    public static bool Apply<T>(T x, T y) where T : INumber<T> => x > y;
}

/// <summary><c>ge</c>.</summary>
internal readonly struct GeOp : ICompareOp
{
    public static bool Apply<T>(T x, T y) where T : INumber<T> => x >= y;
}

/// <summary>A scalar function with float32 and float64 overloads (the <see cref="SpecialFunctions"/>).</summary>
internal interface IFloatFunction
{
    /// <summary>The float32 function.</summary>
    static abstract float Apply(float x);

    /// <summary>The float64 function.</summary>
    static abstract double Apply(double x);
}

/// <summary>Runs an <see cref="IFloatFunction"/> as a float unary op, picking the overload of the element type.</summary>
internal readonly struct FloatFunctionOp<TFunction> : IFloatUnaryOp where TFunction : IFloatFunction
{
    // The loops instantiate T as float or double only (float16 and bfloat16 are staged through float32).
    public static T Apply<T>(T x) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            float r = TFunction.Apply(Unsafe.As<T, float>(ref x));
            return Unsafe.As<float, T>(ref r);
        }
        double d = TFunction.Apply(Unsafe.As<T, double>(ref x));
        return Unsafe.As<double, T>(ref d);
    }
}

/// <summary><c>erf</c>.</summary>
internal readonly struct ErfFunction : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.Erf(x);
    public static double Apply(double x) => SpecialFunctions.Erf(x);
}

/// <summary><c>erfc</c>: 1 - erf(x), accurate in the tail.</summary>
internal readonly struct ErfcFunction : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.Erfc(x);
    public static double Apply(double x) => SpecialFunctions.Erfc(x);
}

/// <summary><c>erfinv</c>: the inverse of erf on (-1, 1), +-inf at +-1.</summary>
internal readonly struct ErfInvFunction : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.ErfInv(x);
    public static double Apply(double x) => SpecialFunctions.ErfInv(x);
}

/// <summary><c>lgamma</c>: log |Gamma(x)|.</summary>
internal readonly struct LgammaFunction : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.Lgamma(x);
    public static double Apply(double x) => SpecialFunctions.Lgamma(x);
}

/// <summary><c>digamma</c>: Gamma'(x) / Gamma(x).</summary>
internal readonly struct DigammaFunction : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.Digamma(x);
    public static double Apply(double x) => SpecialFunctions.Digamma(x);
}

/// <summary><c>log1p</c>: log(1 + x), accurate near 0.</summary>
internal readonly struct Log1pFunction : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.Log1p(x);
    public static double Apply(double x) => SpecialFunctions.Log1p(x);
}

/// <summary><c>expm1</c>: exp(x) - 1, accurate near 0.</summary>
internal readonly struct Expm1Function : IFloatFunction
{
    public static float Apply(float x) => SpecialFunctions.Expm1(x);
    public static double Apply(double x) => SpecialFunctions.Expm1(x);
}
