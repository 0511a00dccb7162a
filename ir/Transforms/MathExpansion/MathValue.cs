namespace JaxToolchain.Ir;

/// <summary>
/// A value of an expansion (<see cref="MathExpansionPass"/>): an IR value together with the <see cref="MathEmitter"/>
/// that emits operations on it, so that the expansions read as the formulas they implement
/// (<c>one - ((lo - r * c / (2.0 - c)) - hi)</c>). Every operator emits one elementwise primitive; a <see cref="double"/>
/// operand becomes a constant of the other operand's dtype. Comparisons give bool values; on bool values <c>&amp;</c>,
/// <c>|</c> and <c>!</c> are the logical operations, on integers the bitwise ones.
/// </summary>
internal readonly struct MathValue
{
    /// <summary>Wraps <paramref name="value"/> for <paramref name="emitter"/>.</summary>
    public MathValue(MathEmitter emitter, Value value)
    {
        Emitter = emitter;
        Value = value;
    }

    /// <summary>The emitter that emits operations on this value.</summary>
    public MathEmitter Emitter { get; }

    /// <summary>The IR value.</summary>
    public Value Value { get; }

    /// <summary>The value's dtype.</summary>
    public DType DType => Value.Type.DType;

    /// <summary>A constant of this value's dtype and shape.</summary>
    public MathValue Like(double constant) => Emitter.Constant(DType, constant);

    /// <summary>x + y.</summary>
    public static MathValue operator +(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Add, x, y);
    /// <summary>x + constant.</summary>
    public static MathValue operator +(MathValue x, double y) => x + x.Like(y);
    /// <summary>constant + y.</summary>
    public static MathValue operator +(double x, MathValue y) => y.Like(x) + y;
    /// <summary>x - y.</summary>
    public static MathValue operator -(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Sub, x, y);
    /// <summary>x - constant.</summary>
    public static MathValue operator -(MathValue x, double y) => x - x.Like(y);
    /// <summary>constant - y.</summary>
    public static MathValue operator -(double x, MathValue y) => y.Like(x) - y;
    /// <summary>x * y.</summary>
    public static MathValue operator *(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Mul, x, y);
    /// <summary>x * constant.</summary>
    public static MathValue operator *(MathValue x, double y) => x * x.Like(y);
    /// <summary>constant * y.</summary>
    public static MathValue operator *(double x, MathValue y) => y.Like(x) * y;
    /// <summary>x / y (integers truncate).</summary>
    public static MathValue operator /(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Div, x, y);
    /// <summary>x / constant.</summary>
    public static MathValue operator /(MathValue x, double y) => x / x.Like(y);
    /// <summary>constant / y.</summary>
    public static MathValue operator /(double x, MathValue y) => y.Like(x) / y;
    /// <summary>-x (flips the sign bit of floats).</summary>
    public static MathValue operator -(MathValue x) => x.Emitter.Unary(Prims.Neg, x);

    /// <summary>x &lt; y.</summary>
    public static MathValue operator <(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Lt, x, y);
    /// <summary>x &gt; y.</summary>
    public static MathValue operator >(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Gt, x, y);
    /// <summary>x &lt;= y.</summary>
    public static MathValue operator <=(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Le, x, y);
    /// <summary>x &gt;= y.</summary>
    public static MathValue operator >=(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Ge, x, y);
    /// <summary>x &lt; constant.</summary>
    public static MathValue operator <(MathValue x, double y) => x < x.Like(y);
    /// <summary>x &gt; constant.</summary>
    public static MathValue operator >(MathValue x, double y) => x > x.Like(y);
    /// <summary>x &lt;= constant.</summary>
    public static MathValue operator <=(MathValue x, double y) => x <= x.Like(y);
    /// <summary>x &gt;= constant.</summary>
    public static MathValue operator >=(MathValue x, double y) => x >= x.Like(y);

    /// <summary>x == y (false for NaN).</summary>
    public MathValue Eq(MathValue y) => Emitter.Binary(Prims.Eq, this, y);
    /// <summary>x == constant.</summary>
    public MathValue Eq(double y) => Eq(Like(y));
    /// <summary>x != y (true for NaN).</summary>
    public MathValue Ne(MathValue y) => Emitter.Binary(Prims.Ne, this, y);
    /// <summary>x != constant.</summary>
    public MathValue Ne(double y) => Ne(Like(y));

    /// <summary>Logical (bool) or bitwise (integer) and.</summary>
    public static MathValue operator &(MathValue x, MathValue y) => x.Emitter.Binary(Prims.And, x, y);
    /// <summary>Bitwise and with a constant.</summary>
    public static MathValue operator &(MathValue x, long y) => x & x.Emitter.Integer(x.DType, y);
    /// <summary>Logical (bool) or bitwise (integer) or.</summary>
    public static MathValue operator |(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Or, x, y);
    /// <summary>Bitwise or with a constant.</summary>
    public static MathValue operator |(MathValue x, long y) => x | x.Emitter.Integer(x.DType, y);
    /// <summary>Logical (bool) or bitwise (integer) exclusive or.</summary>
    public static MathValue operator ^(MathValue x, MathValue y) => x.Emitter.Binary(Prims.Xor, x, y);
    /// <summary>Logical (bool) or bitwise (integer) not.</summary>
    public static MathValue operator !(MathValue x) => x.Emitter.Unary(Prims.Not, x);
    /// <summary>Shift left by a constant count.</summary>
    public static MathValue operator <<(MathValue x, int count) => x.Emitter.Binary(Prims.ShiftLeft, x, x.Emitter.Integer(x.DType, count));
    /// <summary>Arithmetic (sign-filling) shift right by a constant count.</summary>
    public static MathValue operator >>(MathValue x, int count) =>
        x.Emitter.Binary(Prims.ShiftRightArithmetic, x, x.Emitter.Integer(x.DType, count));
    /// <summary>Logical (zero-filling) shift right by a constant count.</summary>
    public static MathValue operator >>>(MathValue x, int count) =>
        x.Emitter.Binary(Prims.ShiftRightLogical, x, x.Emitter.Integer(x.DType, count));
}
