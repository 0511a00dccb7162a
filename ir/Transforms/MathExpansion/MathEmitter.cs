namespace JaxToolchain.Ir;

/// <summary>
/// Emits the operations of one expansion of <see cref="MathExpansionPass"/>: every value has the shape of the operation
/// being expanded (constants are scalars broadcast to it, emitted once per expansion), and functions that an expansion
/// uses (<c>log1p</c> inside <c>erf_inv</c>, <c>exp</c> inside <c>logistic</c>) are expanded inline or kept as
/// primitives as the pass's options say (<see cref="Call"/>).
/// </summary>
internal sealed class MathEmitter
{
    private readonly Emitter _emitter;
    private readonly Shape _shape;
    private readonly Func<Primitive, DType, bool> _expandNested;
    private readonly Dictionary<(DType DType, long Bits), MathValue> _constants = [];

    /// <summary>Creates an emitter of values of <paramref name="shape"/>; nested functions are expanded where <paramref name="expandNested"/> says so.</summary>
    public MathEmitter(Emitter emitter, Shape shape, Func<Primitive, DType, bool> expandNested)
    {
        _emitter = emitter;
        _shape = shape;
        _expandNested = expandNested;
    }

    /// <summary>Wraps an IR value of the expansion's shape.</summary>
    public MathValue Wrap(Value value) => new(this, value);

    // ------------------------------------------------------------------------------------------ constants

    /// <summary>A float constant (rounded to nearest) or an integral integer constant of <paramref name="dtype"/>.</summary>
    public MathValue Constant(DType dtype, double value)
    {
        if (!dtype.IsFloat())
        {
            if (value != Math.Floor(value)) throw new ArgumentException($"{value} is not an integer constant");
            return Integer(dtype, (long)value);
        }
        double rounded = dtype == DType.Float32 ? (float)value : value;
        return Cached(dtype, BitConverter.DoubleToInt64Bits(rounded), () => Buffer.ScalarOf(dtype, rounded));
    }

    /// <summary>An integer (wrapped to the dtype's width) or bool (nonzero) constant of <paramref name="dtype"/>.</summary>
    public MathValue Integer(DType dtype, long value) => dtype switch
    {
        DType.Int16 => Cached(dtype, value, () => Buffer.Scalar(unchecked((short)value))),
        DType.Int32 => Cached(dtype, value, () => Buffer.Scalar(unchecked((int)value))),
        DType.Int64 => Cached(dtype, value, () => Buffer.Scalar(value)),
        DType.Bool => Cached(dtype, value, () => Buffer.Scalar(value != 0)),
        _ => throw new ArgumentException($"no integer constants of {dtype.Name()} in expansions"),
    };

    private MathValue Cached(DType dtype, long bits, Func<Buffer> scalar)
    {
        if (_constants.TryGetValue((dtype, bits), out var known)) return known;
        var value = _emitter.Constant(scalar());
        if (_shape.Rank > 0) value = _emitter.BroadcastInDim(value, _shape, []);
        return _constants[(dtype, bits)] = Wrap(value);
    }

    // ------------------------------------------------------------------------------------------ primitives

    /// <summary>Emits a unary primitive.</summary>
    public MathValue Unary(Primitive primitive, MathValue x, Attributes? attributes = null) =>
        Wrap(_emitter.Emit1(primitive, [x.Value], attributes));

    /// <summary>Emits a binary primitive.</summary>
    public MathValue Binary(Primitive primitive, MathValue x, MathValue y) => Wrap(_emitter.Emit1(primitive, [x.Value, y.Value]));

    /// <summary>where(condition, onTrue, onFalse).</summary>
    public MathValue Where(MathValue condition, MathValue onTrue, MathValue onFalse) =>
        Wrap(_emitter.Select(condition.Value, onTrue.Value, onFalse.Value));

    /// <summary>where(condition, constant, onFalse).</summary>
    public MathValue Where(MathValue condition, double onTrue, MathValue onFalse) => Where(condition, onFalse.Like(onTrue), onFalse);

    /// <summary>where(condition, onTrue, constant).</summary>
    public MathValue Where(MathValue condition, MathValue onTrue, double onFalse) => Where(condition, onTrue, onTrue.Like(onFalse));

    /// <summary>where(condition, constant, constant) of <paramref name="dtype"/>.</summary>
    public MathValue Where(MathValue condition, double onTrue, double onFalse, DType dtype) =>
        Where(condition, Constant(dtype, onTrue), Constant(dtype, onFalse));

    /// <summary>
    /// min(x, y) as where(x &gt; y, y, x): the same value for every x (NaN stays NaN; the constant is never a zero, whose
    /// sign <c>min</c> would order), and a compare and a blend on SIMD CPUs where IEEE <c>minimum</c> takes several
    /// instructions.
    /// </summary>
    public MathValue Min(MathValue x, double y) => y == 0 ? Binary(Prims.Min, x, x.Like(y)) : Where(x > y, y, x);

    /// <summary>max(x, y) as where(x &lt; y, y, x) (see <see cref="Min"/>).</summary>
    public MathValue Max(MathValue x, double y) => y == 0 ? Binary(Prims.Max, x, x.Like(y)) : Where(x < y, y, x);

    /// <summary>x clamped into [low, high] by max and min.</summary>
    public MathValue Clamp(MathValue x, double low, double high) => Min(Max(x, low), high);

    /// <summary>|x|.</summary>
    public MathValue Abs(MathValue x) => Unary(Prims.Abs, x);

    /// <summary>floor(x).</summary>
    public MathValue Floor(MathValue x) => Unary(Prims.Floor, x);

    /// <summary>x rounded to the nearest integer, halves to even (<c>round</c> with <c>rounding_method</c> 1).</summary>
    public MathValue RoundToEven(MathValue x) =>
        Unary(Prims.Round, x, Attributes.Of(("rounding_method", RoundPrimitive.ToNearestEven)));

    /// <summary>sqrt(x), correctly rounded (a primitive every backend has).</summary>
    public MathValue Sqrt(MathValue x) => Unary(Prims.Sqrt, x);

    /// <summary>True where x is neither infinite nor NaN.</summary>
    public MathValue IsFinite(MathValue x) => Unary(Prims.IsFinite, x);

    /// <summary>True where x is NaN.</summary>
    public MathValue IsNaN(MathValue x) => x.Ne(x);

    /// <summary>x converted to <paramref name="dtype"/> (strong).</summary>
    public MathValue Convert(MathValue x, DType dtype) => Wrap(_emitter.ConvertElementType(x.Value, dtype));

    /// <summary>The bits of x reinterpreted as <paramref name="dtype"/> of the same width.</summary>
    public MathValue Bitcast(MathValue x, DType dtype) =>
        Unary(Prims.BitcastConvertType, x, Attributes.Of(("new_dtype", dtype)));

    /// <summary>
    /// Horner's rule for <c>c[0] x^(n-1) + ... + c[n-1]</c> (coefficients highest degree first, rounded to x's dtype),
    /// one multiplication and one addition per step.
    /// </summary>
    public MathValue Horner(MathValue x, ReadOnlySpan<double> coefficients)
    {
        var p = x.Like(coefficients[0]);
        for (int i = 1; i < coefficients.Length; i++) p = p * x + coefficients[i];
        return p;
    }

    /// <summary>Horner's rule with coefficients given per element (highest degree first).</summary>
    public MathValue Horner(MathValue x, IReadOnlyList<MathValue> coefficients)
    {
        var p = coefficients[0];
        for (int i = 1; i < coefficients.Count; i++) p = p * x + coefficients[i];
        return p;
    }

    /// <summary>Constants of <paramref name="dtype"/>, one per value.</summary>
    public MathValue[] Constants(DType dtype, ReadOnlySpan<double> values)
    {
        var result = new MathValue[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = Constant(dtype, values[i]);
        return result;
    }

    /// <summary>float32 coefficients as doubles (exactly).</summary>
    public static double[] Widened(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>
    /// A function an expansion uses (<c>exp</c>, <c>log1p</c>, <c>sin</c>, ...): expanded inline when the options expand
    /// it for the operands' dtype, else emitted as the primitive (a backend's native operation).
    /// </summary>
    public MathValue Call(Primitive primitive, params MathValue[] operands) =>
        MathExpansions.TryGet(primitive, out var expansion) && _expandNested(primitive, operands[0].DType)
            ? expansion(this, operands)
            : Wrap(_emitter.Emit1(primitive, operands.Select(o => o.Value).ToArray()));

    // ------------------------------------------------------------------------------------------ bits of floats

    /// <summary>The bits of a float as the signed integer of its width.</summary>
    public MathValue Bits(MathValue x) => Bitcast(x, FloatFormat.Of(x.DType).Integer);

    /// <summary>The float of <paramref name="format"/> with the given bits.</summary>
    public MathValue FromBits(MathValue bits, FloatFormat format) => Bitcast(bits, format.DType);

    /// <summary>2^k for integer values k in [1 - bias, bias] of <paramref name="format"/>, built from its exponent bits.</summary>
    public MathValue PowerOfTwo(MathValue k, FloatFormat format) => FromBits((k + format.ExponentBias) << format.MantissaBits, format);

    /// <summary>
    /// y * 2^k for integer values k in [2 - 2 bias, 2 bias], rounded once: y * 2^(k - k/2) is exact when it stays
    /// normal, and the second factor 2^(k/2) rounds into the subnormals or overflows to infinity when the result does
    /// (so results that are subnormal are correctly rounded from y).
    /// </summary>
    public MathValue ScaleB(MathValue y, MathValue k, FloatFormat format)
    {
        var half = k >> 1;
        return y * PowerOfTwo(k - half, format) * PowerOfTwo(half, format);
    }

    /// <summary>The magnitude of <paramref name="magnitude"/> with the sign bit of <paramref name="sign"/>.</summary>
    public MathValue CopySign(MathValue magnitude, MathValue sign)
    {
        var format = FloatFormat.Of(magnitude.DType);
        return FromBits((Bits(magnitude) & ~format.SignMask) | (Bits(sign) & format.SignMask), format);
    }

    /// <summary>True where the sign bit of x is set (also for -0 and negative NaNs).</summary>
    public MathValue SignBit(MathValue x) => Bits(x) < 0;

    /// <summary>A float holding an integer value converted to the signed integer of the float's width (truncating).</summary>
    public MathValue ToInteger(MathValue x) => Convert(x, FloatFormat.Of(x.DType).Integer);

    /// <summary>An integer converted to the float of <paramref name="format"/>.</summary>
    public MathValue ToFloat(MathValue k, FloatFormat format) => Convert(k, format.DType);
}
