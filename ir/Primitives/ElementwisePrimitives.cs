namespace JaxToolchain.Ir;

// The elementwise primitives (see PRIMITIVES.md): their type rules are the family classes' (ElementwiseFamilies.cs),
// their per-element semantics the op structs of Interpretation/ElementwiseOps.cs. Each declaration carries the
// primitive's JVP rule (and transpose rule when it is linear) after jax/_src/lax/lax.py; integer and bool results
// never have tangents, and batching is the families' broadcast batcher.
public static partial class Prims
{
    /// <summary><c>neg</c>: -x (integers wrap).</summary>
    public static readonly UnaryPrimitive Neg = UnaryPrimitive.Number<NegOp>("neg",
        jvp: (e, x, y, g) => e.Neg(g), transpose: (e, ct, _) => e.Neg(ct));

    /// <summary><c>abs</c>: |x| (integers wrap: abs(MIN) is MIN).</summary>
    public static readonly UnaryPrimitive Abs = UnaryPrimitive.Number<AbsOp>("abs",
        jvp: (e, x, y, g) => e.Select(e.Ge(x, e.Zeros(x.Type)), g, e.Neg(g)));

    /// <summary><c>sign</c>: -1, 0 or 1 (NaN and signed zeros are kept).</summary>
    public static readonly UnaryPrimitive Sign = UnaryPrimitive.Number<SignOp>("sign", jvp: ElementwiseRules.Zero);

    /// <summary><c>floor</c>.</summary>
    public static readonly UnaryPrimitive Floor = UnaryPrimitive.Float<FloorOp>("floor", jvp: ElementwiseRules.Zero);

    /// <summary><c>ceil</c>.</summary>
    public static readonly UnaryPrimitive Ceil = UnaryPrimitive.Float<CeilOp>("ceil", jvp: ElementwiseRules.Zero);

    /// <summary><c>round</c> with <c>rounding_method</c> 0 (halves away from zero) or 1 (halves to even).</summary>
    public static readonly RoundPrimitive Round = new();

    /// <summary><c>exp</c>.</summary>
    public static readonly UnaryPrimitive Exp = UnaryPrimitive.Float<ExpOp>("exp", jvp: (e, x, y, g) => e.Mul(g, y));

    /// <summary><c>exp2</c>: 2^x.</summary>
    public static readonly UnaryPrimitive Exp2 = UnaryPrimitive.Float<Exp2Op>("exp2",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(y, e.FullLike(y, Math.Log(2)))));

    /// <summary><c>log</c>: the natural logarithm.</summary>
    public static readonly UnaryPrimitive Log = UnaryPrimitive.Float<LogOp>("log", jvp: (e, x, y, g) => e.Div(g, x));

    /// <summary><c>log1p</c>: log(1 + x), accurate near 0.</summary>
    public static readonly UnaryPrimitive Log1p = UnaryPrimitive.Float<FloatFunctionOp<Log1pFunction>>("log1p",
        jvp: (e, x, y, g) => e.Div(g, e.Add(x, e.Ones(x.Type))));

    /// <summary><c>expm1</c>: exp(x) - 1, accurate near 0.</summary>
    public static readonly UnaryPrimitive Expm1 = UnaryPrimitive.Float<FloatFunctionOp<Expm1Function>>("expm1",
        jvp: (e, x, y, g) => e.Mul(g, e.Add(y, e.Ones(y.Type))));

    /// <summary><c>sqrt</c>.</summary>
    public static readonly UnaryPrimitive Sqrt = UnaryPrimitive.Float<SqrtOp>("sqrt",
        jvp: (e, x, y, g) => e.Mul(g, e.Div(e.FullLike(y, 0.5), y)));

    /// <summary><c>rsqrt</c>: 1 / sqrt(x).</summary>
    public static readonly UnaryPrimitive Rsqrt = UnaryPrimitive.Float<RsqrtOp>("rsqrt",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(e.FullLike(x, -0.5), e.Div(y, x))));

    /// <summary><c>cbrt</c>: the real cube root.</summary>
    public static readonly UnaryPrimitive Cbrt = UnaryPrimitive.Float<CbrtOp>("cbrt",
        jvp: (e, x, y, g) => e.Mul(g, e.Div(e.FullLike(y, 1.0 / 3), e.Mul(y, y))));

    /// <summary><c>sin</c>.</summary>
    public static readonly UnaryPrimitive Sin = UnaryPrimitive.Float<SinOp>("sin", jvp: (e, x, y, g) => e.Mul(g, e.Cos(x)));

    /// <summary><c>cos</c>.</summary>
    public static readonly UnaryPrimitive Cos = UnaryPrimitive.Float<CosOp>("cos", jvp: (e, x, y, g) => e.Mul(g, e.Neg(e.Sin(x))));

    /// <summary><c>tan</c>.</summary>
    public static readonly UnaryPrimitive Tan = UnaryPrimitive.Float<TanOp>("tan",
        jvp: (e, x, y, g) => e.Mul(g, e.Add(e.Ones(y.Type), e.Mul(y, y))));

    /// <summary><c>tanh</c>.</summary>
    public static readonly UnaryPrimitive Tanh = UnaryPrimitive.Float<TanhOp>("tanh",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(e.Add(e.Ones(y.Type), y), e.Sub(e.Ones(y.Type), y))));

    /// <summary><c>logistic</c>: 1 / (1 + exp(-x)).</summary>
    public static readonly UnaryPrimitive Logistic = UnaryPrimitive.Float<LogisticOp>("logistic",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(y, e.Sub(e.Ones(y.Type), y))));

    /// <summary><c>erf</c>: the error function.</summary>
    public static readonly UnaryPrimitive Erf = UnaryPrimitive.Float<FloatFunctionOp<ErfFunction>>("erf",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(e.FullLike(x, 2 / Math.Sqrt(Math.PI)), e.Exp(e.Neg(e.Mul(x, x))))));

    /// <summary><c>erfc</c>: the complementary error function 1 - erf(x), accurate where it is tiny.</summary>
    public static readonly UnaryPrimitive Erfc = UnaryPrimitive.Float<FloatFunctionOp<ErfcFunction>>("erfc",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(e.FullLike(x, -2 / Math.Sqrt(Math.PI)), e.Exp(e.Neg(e.Mul(x, x))))));

    /// <summary><c>erfinv</c>: the inverse error function (+-inf at +-1, NaN outside [-1, 1]).</summary>
    public static readonly UnaryPrimitive Erfinv = UnaryPrimitive.Float<FloatFunctionOp<ErfInvFunction>>("erfinv",
        jvp: (e, x, y, g) => e.Mul(g, e.Mul(e.FullLike(y, Math.Sqrt(Math.PI) / 2), e.Exp(e.Mul(y, y)))));

    /// <summary><c>lgamma</c>: log |Gamma(x)|.</summary>
    public static readonly UnaryPrimitive Lgamma = UnaryPrimitive.Float<FloatFunctionOp<LgammaFunction>>("lgamma",
        jvp: (e, x, y, g) => e.Mul(g, e.Digamma(x)));

    /// <summary><c>digamma</c>: the logarithmic derivative of Gamma.</summary>
    public static readonly UnaryPrimitive Digamma = UnaryPrimitive.Float<FloatFunctionOp<DigammaFunction>>("digamma",
        jvp: (_, _, _, _) => throw new MissingRuleException("digamma", "jvp", "needs polygamma, which is not a primitive"));

    /// <summary><c>is_finite</c>: true where x is neither infinite nor NaN (a strong bool result).</summary>
    public static readonly UnaryPrimitive IsFinite = UnaryPrimitive.FloatPredicate("is_finite", new IsFiniteLoop());

    /// <summary><c>not</c>: logical for bool, bitwise for integers.</summary>
    public static readonly UnaryPrimitive Not = UnaryPrimitive.Logical<NotOp>("not");

    /// <summary><c>population_count</c>: the number of set bits, in x's integer dtype.</summary>
    public static readonly UnaryPrimitive PopulationCount = UnaryPrimitive.Integer<PopulationCountOp>("population_count");

    /// <summary><c>add</c> (integers wrap).</summary>
    public static readonly BinaryPrimitive Add = BinaryPrimitive.Number<AddOp>("add",
        jvpX: (e, x, y, z, g) => g, jvpY: (e, x, y, z, g) => g, transpose: ElementwiseRules.AddTranspose);

    /// <summary><c>sub</c> (integers wrap).</summary>
    public static readonly BinaryPrimitive Sub = BinaryPrimitive.Number<SubOp>("sub",
        jvpX: (e, x, y, z, g) => g, jvpY: (e, x, y, z, g) => e.Neg(g), transpose: ElementwiseRules.SubTranspose);

    /// <summary><c>mul</c> (integers wrap).</summary>
    public static readonly BinaryPrimitive Mul = BinaryPrimitive.Number<MulOp>("mul",
        jvpX: (e, x, y, z, g) => e.Mul(g, y), jvpY: (e, x, y, z, g) => e.Mul(x, g), transpose: ElementwiseRules.MulTranspose);

    /// <summary><c>div</c>: integers truncate toward zero; x / 0 is all ones, MIN / -1 is MIN.</summary>
    public static readonly BinaryPrimitive Div = BinaryPrimitive.Number<DivOp>("div",
        jvpX: (e, x, y, z, g) => e.Div(g, y), jvpY: (e, x, y, z, g) => e.Mul(g, e.Neg(e.Div(z, y))), transpose: ElementwiseRules.DivTranspose);

    /// <summary><c>rem</c>: the remainder with the sign of x (<c>fmod</c>); x % 0 is x for integers, MIN % -1 is 0.</summary>
    public static readonly BinaryPrimitive Rem = BinaryPrimitive.Number<RemOp>("rem", jvpX: (e, x, y, z, g) => g, jvpY: ElementwiseRules.RemJvpY);

    /// <summary><c>pow</c>: x^y; integers by repeated squaring.</summary>
    public static readonly BinaryPrimitive Pow = BinaryPrimitive.Number<PowOp>("pow", jvpX: ElementwiseRules.PowJvpX, jvpY: ElementwiseRules.PowJvpY);

    /// <summary><c>max</c>: NaN propagates; <c>or</c> for bool.</summary>
    public static readonly BinaryPrimitive Max = BinaryPrimitive.Any<MaxOp>("max",
        jvpX: ElementwiseRules.ExtremumJvpX, jvpY: ElementwiseRules.ExtremumJvpY);

    /// <summary><c>min</c>: NaN propagates; <c>and</c> for bool.</summary>
    public static readonly BinaryPrimitive Min = BinaryPrimitive.Any<MinOp>("min",
        jvpX: ElementwiseRules.ExtremumJvpX, jvpY: ElementwiseRules.ExtremumJvpY);

    /// <summary><c>atan2(x, y)</c>: the angle of the point (y, x), as C's <c>atan2(x, y)</c>.</summary>
    public static readonly BinaryPrimitive Atan2 = BinaryPrimitive.Float<Atan2Op>("atan2",
        jvpX: (e, x, y, z, g) => ElementwiseRules.Atan2Part(e, x, y, y, g),
        jvpY: (e, x, y, z, g) => ElementwiseRules.Atan2Part(e, x, y, e.Neg(x), g));

    /// <summary><c>nextafter(x, y)</c>: the next representable value after x toward y, in x's own format.</summary>
    public static readonly BinaryPrimitive Nextafter = BinaryPrimitive.Float("nextafter", new NextAfterLoop(),
        jvpX: ElementwiseRules.NotDifferentiable("nextafter"), jvpY: ElementwiseRules.NotDifferentiable("nextafter"));

    /// <summary><c>and</c>: logical for bool, bitwise for integers.</summary>
    public static readonly BinaryPrimitive And = BinaryPrimitive.Logical<AndOp>("and");

    /// <summary><c>or</c>: logical for bool, bitwise for integers.</summary>
    public static readonly BinaryPrimitive Or = BinaryPrimitive.Logical<OrOp>("or");

    /// <summary><c>xor</c>: logical for bool, bitwise for integers.</summary>
    public static readonly BinaryPrimitive Xor = BinaryPrimitive.Logical<XorOp>("xor");

    /// <summary><c>shift_left</c>: 0 for a count outside [0, bit width).</summary>
    public static readonly BinaryPrimitive ShiftLeft = BinaryPrimitive.Integer<ShiftLeftOp>("shift_left");

    /// <summary><c>shift_right_logical</c>: zero fill; 0 for a count outside [0, bit width).</summary>
    public static readonly BinaryPrimitive ShiftRightLogical = BinaryPrimitive.Integer<ShiftRightLogicalOp>("shift_right_logical");

    /// <summary><c>shift_right_arithmetic</c>: sign fill; the sign fill for a count outside [0, bit width).</summary>
    public static readonly BinaryPrimitive ShiftRightArithmetic = BinaryPrimitive.Integer<ShiftRightArithmeticOp>("shift_right_arithmetic");

    /// <summary><c>eq</c>.</summary>
    public static readonly ComparePrimitive Eq = ComparePrimitive.Of<EqOp>("eq");

    /// <summary><c>ne</c> (true for NaN).</summary>
    public static readonly ComparePrimitive Ne = ComparePrimitive.Of<NeOp>("ne");

    /// <summary><c>lt</c>.</summary>
    public static readonly ComparePrimitive Lt = ComparePrimitive.Of<LtOp>("lt");

    /// <summary><c>le</c>.</summary>
    public static readonly ComparePrimitive Le = ComparePrimitive.Of<LeOp>("le");

    /// <summary><c>gt</c>.</summary>
    public static readonly ComparePrimitive Gt = ComparePrimitive.Of<GtOp>("gt");

    /// <summary><c>ge</c>.</summary>
    public static readonly ComparePrimitive Ge = ComparePrimitive.Of<GeOp>("ge");

    /// <summary><c>select(pred, on_true, on_false)</c>.</summary>
    public static readonly SelectPrimitive Select = new();

    /// <summary><c>clamp(min, x, max)</c>.</summary>
    public static readonly ClampPrimitive Clamp = new();

    /// <summary><c>convert_element_type</c> with attributes <c>new_dtype</c> and <c>weak_type</c>.</summary>
    public static readonly ConvertElementTypePrimitive ConvertElementType = new();

    /// <summary><c>bitcast_convert_type</c> with attribute <c>new_dtype</c>.</summary>
    public static readonly BitcastConvertTypePrimitive BitcastConvertType = new();
}
