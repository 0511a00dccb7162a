namespace JaxToolchain.Ir;

/// <summary>
/// The JVP rule of a unary elementwise primitive (JAX's <c>defjvp2</c>): the tangent of <c>y = f(x)</c> from the
/// primal operand <paramref name="x"/>, the primal result <paramref name="y"/> and x's tangent, linear in the
/// tangent; null for a zero tangent.
/// </summary>
internal delegate Value? UnaryJvpRule(Emitter emitter, Value x, Value y, Value tangent);

/// <summary>The transpose rule of a unary primitive linear in its operand: the operand's cotangent.</summary>
internal delegate Value UnaryTransposeRule(Emitter emitter, Value cotangent, ShapedType operand);

/// <summary>
/// One operand's part of a binary elementwise JVP (JAX's <c>defjvp2</c>): the tangent of <c>z = f(x, y)</c> due to
/// that operand's tangent, linear in it; null for zero. The parts of both operands are added.
/// </summary>
internal delegate Value? BinaryJvpRule(Emitter emitter, Value x, Value y, Value z, Value tangent);

/// <summary>
/// The transpose rule of a binary primitive: the cotangents of the linear operands (null for the known ones)
/// from the result's cotangent.
/// </summary>
internal delegate (Value? X, Value? Y) BinaryTransposeRule(Emitter emitter, Value cotangent, LinearOperand x, LinearOperand y);

/// <summary>
/// The transformation rules shared by several elementwise primitives, or too long to sit inline in their
/// declarations (<c>ElementwisePrimitives.cs</c>), after <c>jax/_src/lax/lax.py</c>. Tangents are always the
/// left operand of a <c>mul</c> by a primal coefficient (or the numerator of a <c>div</c>), so that they stay
/// linear and transposable.
/// </summary>
internal static class ElementwiseRules
{
    /// <summary>The JVP of a piecewise-constant unary primitive (<c>sign</c>, <c>floor</c>, <c>round</c>): zero.</summary>
    public static Value? Zero(Emitter emitter, Value x, Value y, Value tangent) => null;

    /// <summary>
    /// The JVP part of a primitive JAX defines no derivative for (<c>nextafter</c>: a step on the float grid, not a
    /// real function): raises "no jvp rule", rather than a zero that would silently be wrong.
    /// </summary>
    public static BinaryJvpRule NotDifferentiable(string primitive) =>
        (_, _, _, _, _) => throw new MissingRuleException(primitive, "jvp", "it is not differentiable; JAX defines no rule either");

    /// <summary>The sum of two tangents, either of which may be a symbolic zero (JAX's <c>add_tangents</c>).</summary>
    public static Value? AddTangents(Emitter emitter, Value? a, Value? b) =>
        a is null ? b : b is null ? a : emitter.Add(a, b);

    /// <summary><paramref name="tangent"/> where <paramref name="mask"/> holds, zero elsewhere (linear in the tangent).</summary>
    public static Value Where(Emitter emitter, Value mask, Value tangent) =>
        emitter.Select(mask, tangent, emitter.Zeros(tangent.Type));

    /// <summary>x with its zeros replaced by ones (JAX's <c>_replace_zero</c>), to keep unused branches finite.</summary>
    private static Value ReplaceZero(Emitter e, Value x) =>
        e.Select(e.Eq(x, e.Zeros(x.Type)), e.Ones(x.Type), x);

    /// <summary>
    /// ∂(x^y)/∂x · g = g · y · x^(y-1), with the exponent taken as 1 where y = 0 so that x = 0, y = 0 gives 0 (the
    /// derivative of the constant x^0) instead of 0 · 0^-1 = NaN.
    /// </summary>
    public static Value PowJvpX(Emitter e, Value x, Value y, Value z, Value g)
    {
        var one = e.Ones(y.Type);
        var exponent = e.Select(e.Eq(y, e.Zeros(y.Type)), one, e.Sub(y, one));
        return e.Mul(g, e.Mul(y, e.Pow(x, exponent)));
    }

    /// <summary>∂(x^y)/∂y · g = g · log(x) · x^y, with log taken at 1 where x = 0 (0^y is constant in y there).</summary>
    public static Value PowJvpY(Emitter e, Value x, Value y, Value z, Value g) =>
        e.Mul(g, e.Mul(e.Log(ReplaceZero(e, x)), z));

    /// <summary>
    /// The JVP part of x in <c>z = max(x, y)</c> or <c>min(x, y)</c> (JAX's balanced rule): g where x alone is the
    /// result, g/2 on ties, 0 elsewhere.
    /// </summary>
    public static Value ExtremumJvpX(Emitter e, Value x, Value y, Value z, Value g) => e.Mul(g, BalancedShare(e, x, z, y));

    /// <summary>The JVP part of y in <c>max(x, y)</c> or <c>min(x, y)</c>, as <see cref="ExtremumJvpX"/>.</summary>
    public static Value ExtremumJvpY(Emitter e, Value x, Value y, Value z, Value g) => e.Mul(g, BalancedShare(e, y, z, x));

    /// <summary>JAX's <c>_balanced_eq</c>: 1 where x alone equals z, ½ where y equals it too, 0 elsewhere.</summary>
    private static Value BalancedShare(Emitter e, Value x, Value z, Value y)
    {
        var one = e.Ones(z.Type);
        var picked = e.Select(e.Eq(x, z), one, e.Zeros(z.Type));
        return e.Div(picked, e.Select(e.Eq(y, z), e.Full(z.Type, 2), one));
    }

    /// <summary>∂rem(x, y)/∂y · g = -g · trunc(x / y) (the remainder is x - trunc(x/y)·y).</summary>
    public static Value RemJvpY(Emitter e, Value x, Value y, Value z, Value g)
    {
        var q = e.Div(x, y);
        return e.Mul(g, e.Neg(e.Mul(e.Sign(q), e.Floor(e.Abs(q)))));
    }

    /// <summary>∂atan2(x, y) · (gx, gy) = (y·gx - x·gy) / (x² + y²); this is the part of one operand with coefficient <paramref name="numerator"/>.</summary>
    public static Value Atan2Part(Emitter e, Value x, Value y, Value numerator, Value g) =>
        e.Mul(g, e.Div(numerator, e.Add(e.Mul(x, x), e.Mul(y, y))));

    /// <summary>The transpose of <c>add</c>: the cotangent flows unchanged to each linear operand.</summary>
    public static (Value? X, Value? Y) AddTranspose(Emitter e, Value ct, LinearOperand x, LinearOperand y) =>
        (x.IsLinear ? ct : null, y.IsLinear ? ct : null);

    /// <summary>The transpose of <c>sub</c>: ct to x, -ct to y.</summary>
    public static (Value? X, Value? Y) SubTranspose(Emitter e, Value ct, LinearOperand x, LinearOperand y) =>
        (x.IsLinear ? ct : null, y.IsLinear ? e.Neg(ct) : null);

    /// <summary>The transpose of <c>mul</c> in its one linear operand: ct times the other operand.</summary>
    public static (Value? X, Value? Y) MulTranspose(Emitter e, Value ct, LinearOperand x, LinearOperand y) => (x.IsLinear, y.IsLinear) switch
    {
        (true, false) => (e.Mul(ct, y.Value), null),
        (false, true) => (null, e.Mul(x.Value, ct)),
        _ => throw NotLinear("mul", x, y),
    };

    /// <summary>The transpose of <c>div</c> in its numerator: ct divided by the known divisor.</summary>
    public static (Value? X, Value? Y) DivTranspose(Emitter e, Value ct, LinearOperand x, LinearOperand y) =>
        x.IsLinear && !y.IsLinear ? (e.Div(ct, y.Value), null) : throw NotLinear("div", x, y, "the numerator only");

    private static JaxTypeException NotLinear(string primitive, LinearOperand x, LinearOperand y, string linearIn = "exactly one operand") =>
        new(primitive, $"transpose needs {linearIn} linear, got ({Describe(x)}, {Describe(y)})");

    private static string Describe(LinearOperand operand) => $"{(operand.IsLinear ? "linear" : "known")} {operand.Type}";
}
