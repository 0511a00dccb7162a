using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.TorchAutograd;

/// <summary>
/// A numerical derivative check of one primitive (or a few that go together), through <c>Lax</c>/<c>Jnp</c>:
/// inputs of a dtype inside the primitive's domain and away from its jumps, and the function checked.
/// </summary>
/// <param name="Reverse">Whether reverse mode is defined (JAX has none for <c>while</c>).</param>
/// <param name="MaxOrder">The highest order whose rules exist.</param>
internal sealed record PrimitiveCheck(string Name, Primitive[] Covers, Func<Random, DType, Tensor[]> Inputs, Func<Tensor[], Tensor[]> F,
    bool Reverse = true, int MaxOrder = 2);

/// <summary>
/// <c>GradientCheck.CheckGrads</c> on every differentiable primitive, float32 and float64, orders 1 and 2: forward
/// mode against central differences, reverse mode by ⟨jvp(t), c⟩ = ⟨t, vjp(c)⟩, and the same for the first
/// derivatives at order 2 (GradientCheck's tolerances: float64 1e-5, float32 2e-3). Structural and linear
/// primitives are followed by <c>y * sin(y)</c> so their second derivatives are not trivially zero.
/// Exclusions (each pinned by a test below): <c>digamma</c> has no JVP rule (it needs polygamma), so
/// <c>lgamma</c> is checked at order 1 only (its JVP uses digamma); <c>nextafter</c> is not differentiable;
/// <c>while</c> has no reverse mode (as in JAX), so only forward mode is checked; <c>stop_gradient</c>'s
/// derivative is zero by definition, not the numerical one, so it is checked against its definition; the
/// primitives with integer or bool results (comparisons, bitwise and logical ops, <c>iota</c>, <c>argmax</c>, ...)
/// have no derivative.
/// </summary>
public sealed class PrimitiveGradientCheckTests
{
    static readonly DType[] Floats = [DType.Float32, DType.Float64];

    static Tensor Nonlinear(Tensor y) => Lax.Mul(y, Lax.Sin(y));

    static Func<Random, DType, Tensor[]> U(double lo, double hi, params int[] shape) => (r, d) => [Draw.Uniform(r, d, lo, hi, shape)];

    static Func<Random, DType, Tensor[]> Two(double lo1, double hi1, double lo2, double hi2, params int[] shape) =>
        (r, d) => [Draw.Uniform(r, d, lo1, hi1, shape), Draw.Uniform(r, d, lo2, hi2, shape)];

    static Func<Random, DType, Tensor[]> Signed(double lo, double hi, params int[] shape) =>
        (r, d) => [Draw.SignedMagnitudes(r, d, lo, hi, shape)];

    static Func<Random, DType, Tensor[]> Separated(params int[] shape) => (r, d) => [Draw.Separated(r, d, 0.3, shape)];

    static PrimitiveCheck Unary(Primitive p, Func<Random, DType, Tensor[]> inputs, Func<Tensor, Tensor> f, int maxOrder = 2) =>
        new(p.Name, [p], inputs, a => [f(a[0])], MaxOrder: maxOrder);

    static PrimitiveCheck Binary(Primitive p, Func<Random, DType, Tensor[]> inputs, Func<Tensor, Tensor, Tensor> f) =>
        new(p.Name, [p], inputs, a => [f(a[0], a[1])]);

    /// <summary>A structural primitive of one operand, followed by <see cref="Nonlinear"/>.</summary>
    static PrimitiveCheck Structural(Primitive p, int[] shape, Func<Tensor, Tensor> f) =>
        new(p.Name, [p], U(-1.5, 1.5, shape), a => [Nonlinear(f(a[0]))]);

    static Tensor Ints(params int[] values) => Jnp.Array(values, DType.Int32);

    static Tensor Index(int value) => Jnp.Array(value, DType.Int32);

    static Tensor Scatter(Primitive p, Tensor operand, int[] rows, Tensor updates) =>
        Dispatch.Bind1(p, [operand, Lax.Reshape(Ints(rows), Shape.Of(rows.Length, 1)), updates], Attributes.Of(
            ("update_window_dims", new[] { 1 }), ("inserted_window_dims", new[] { 0 }),
            ("scatter_dims_to_operand_dims", new[] { 0 }), ("index_vector_dim", 1)));

    /// <summary>The other float dtype of the pair (float64 has no wider one: it converts to a weak float64).</summary>
    static (DType DType, bool Weak) Other(DType d) => d == DType.Float32 ? (DType.Float64, false) : (DType.Float64, true);

    /// <summary>softplus with a hand-written JVP (sigmoid), so CheckGrads exercises <c>custom_jvp_call</c>.</summary>
    static readonly Func<Tensor, Tensor> SoftplusWithRule = Jax.CustomJvp(
        (Func<Tensor, Tensor>)(x => Lax.Log1p(Lax.Exp(x))),
        (x, t) => (Lax.Log1p(Lax.Exp(x)), Lax.Mul(t, Lax.Logistic(x))));

    /// <summary>sin(x²) jitted on its own, so inside the traced checks it is a <c>call</c>.</summary>
    static readonly Func<Tensor, Tensor> JittedSinOfSquare = Jax.Jit((Func<Tensor, Tensor>)(v => Lax.Sin(Lax.Mul(v, v))));

    static readonly PrimitiveCheck[] Checks =
    [
        Unary(Prims.Neg, U(-2, 2, 5), Lax.Neg),
        Unary(Prims.Checkpoint, U(-2, 2, 5), x => Jax.Checkpoint((Func<Tensor, Tensor>)(v => Lax.Sin(Lax.Mul(v, v))))(x)),
        Unary(Prims.Call, U(-2, 2, 5), x => JittedSinOfSquare(x)),
        Unary(Prims.CustomJvpCall, U(-2, 2, 5), x => SoftplusWithRule(x)),
        Unary(Prims.Abs, Signed(0.2, 2, 5), Lax.Abs),
        Unary(Prims.Sign, Signed(0.2, 2, 5), x => Lax.Mul(Lax.Sign(x), Lax.Exp(x))),
        Unary(Prims.Floor, (r, d) => [Draw.OffHalves(r, d, -3, 3, 5)], x => Lax.Mul(Lax.Floor(x), x)),
        Unary(Prims.Ceil, (r, d) => [Draw.OffHalves(r, d, -3, 3, 5)], x => Lax.Mul(Lax.Ceil(x), x)),
        new("round", [Prims.Round], (r, d) => [Draw.OffHalves(r, d, -3, 3, 6)],
            a => [Lax.Mul(Lax.Round(a[0]), a[0]), Lax.Mul(Lax.Round(a[0], toNearestEven: true), Lax.Sin(a[0]))]),
        Unary(Prims.Exp, U(-2, 2, 5), Lax.Exp),
        Unary(Prims.Exp2, U(-2, 2, 5), Lax.Exp2),
        Unary(Prims.Log, U(0.5, 3, 5), Lax.Log),
        Unary(Prims.Log1p, U(-0.5, 2, 5), Lax.Log1p),
        Unary(Prims.Expm1, U(-2, 2, 5), Lax.Expm1),
        Unary(Prims.Sqrt, U(0.5, 3, 5), Lax.Sqrt),
        Unary(Prims.Rsqrt, U(0.5, 3, 5), Lax.Rsqrt),
        Unary(Prims.Cbrt, Signed(0.5, 3, 5), Lax.Cbrt),
        Unary(Prims.Sin, U(-3, 3, 5), Lax.Sin),
        Unary(Prims.Cos, U(-3, 3, 5), Lax.Cos),
        Unary(Prims.Tan, U(-1, 1, 5), Lax.Tan),
        Unary(Prims.Tanh, U(-2, 2, 5), Lax.Tanh),
        Unary(Prims.Logistic, U(-3, 3, 5), Lax.Logistic),
        Unary(Prims.Erf, U(-2, 2, 5), Lax.Erf),
        Unary(Prims.Erfc, U(-2, 2, 5), Lax.Erfc),
        Unary(Prims.Erfinv, U(-0.7, 0.7, 5), Lax.ErfInv),
        Unary(Prims.Lgamma, U(0.5, 4, 5), Lax.Lgamma, maxOrder: 1),
        Binary(Prims.Add, Two(-2, 2, -2, 2, 2, 3), Lax.Add),
        Binary(Prims.Sub, Two(-2, 2, -2, 2, 2, 3), Lax.Sub),
        Binary(Prims.Mul, Two(-2, 2, -2, 2, 2, 3), Lax.Mul),
        new(Prims.Div.Name, [Prims.Div], (r, d) => [Draw.Uniform(r, d, -2, 2, 5), Draw.SignedMagnitudes(r, d, 0.5, 2, 5)], a => [Lax.Div(a[0], a[1])]),
        new(Prims.Rem.Name, [Prims.Rem], (r, d) => [Draw.SignedMagnitudes(r, d, 0.3, 1.5, 5), Draw.Uniform(r, d, 2, 3, 5)], a => [Lax.Rem(a[0], a[1])]),
        Binary(Prims.Pow, Two(0.5, 2, -2, 2, 5), Lax.Pow),
        Binary(Prims.Atan2, Two(-2, 2, 0.5, 2, 5), Lax.Atan2),
        new("max_min", [Prims.Max, Prims.Min], (r, d) =>
        {
            var x = Draw.Uniform(r, d, -2, 2, 6);
            return [x, Lax.Add(x, Draw.SignedMagnitudes(r, d, 0.1, 1, 6))];
        }, a => [Lax.Max(a[0], a[1]), Lax.Min(a[0], Lax.Sin(a[1]))]),
        new(Prims.Select.Name, [Prims.Select], Two(-2, 2, -2, 2, 6),
            a => [Lax.Select(Jnp.Array(new[] { true, false, false, true, true, false }), Lax.Sin(a[0]), Lax.Mul(a[1], a[1]))]),
        new(Prims.Clamp.Name, [Prims.Clamp], (r, d) =>
        [
            Draw.Uniform(r, d, -0.55, -0.45),
            Draw.Make(d, [8], i => (i % 2 == 0 ? 1 : -1) * (0.15 * i + 0.1 + 0.05 * r.NextDouble())),
            Draw.Uniform(r, d, 0.45, 0.55),
        ], a => [Lax.Clamp(a[0], Nonlinear(a[1]), a[2])]),
        new(Prims.ConvertElementType.Name, [Prims.ConvertElementType], U(-2, 2, 5), a =>
        {
            var (other, weak) = Other(a[0].DType);
            return [Lax.ConvertElementType(Lax.Sin(Lax.ConvertElementType(a[0], other, weak)), a[0].DType)];
        }),

        Structural(Prims.BroadcastInDim, [3], x => Lax.BroadcastInDim(x, Shape.Of(2, 3, 2), [1])),
        Structural(Prims.Reshape, [2, 3], x => Lax.Reshape(x, Shape.Of(3, 2))),
        Structural(Prims.Transpose, [2, 3, 2], x => Lax.Transpose(x, [2, 0, 1])),
        Structural(Prims.Squeeze, [3, 1, 2], x => Lax.Squeeze(x, [1])),
        Structural(Prims.ExpandDims, [3], x => Lax.ExpandDims(x, [0, 2])),
        Structural(Prims.Rev, [2, 3], x => Lax.Rev(x, [1])),
        new(Prims.Pad.Name, [Prims.Pad], (r, d) => [Draw.Uniform(r, d, -1.5, 1.5, 2, 3), Draw.Uniform(r, d, -1, 1)],
            a => [Nonlinear(Lax.Pad(a[0], a[1], [1, -1], [0, 2], [1, 0]))]),
        new(Prims.Concatenate.Name, [Prims.Concatenate], (r, d) => [Draw.Uniform(r, d, -1.5, 1.5, 2, 3), Draw.Uniform(r, d, -1.5, 1.5, 2, 2)],
            a => [Nonlinear(Lax.Concatenate([a[0], a[1], a[0]], 1))]),
        Structural(Prims.Slice, [5, 4], x => Lax.Slice(x, [1, 0], [4, 4], [2, 3])),
        Structural(Prims.DynamicSlice, [5, 4], x => Lax.DynamicSlice(x, [Index(1), Index(2)], [3, 2])),
        new(Prims.DynamicUpdateSlice.Name, [Prims.DynamicUpdateSlice], (r, d) => [Draw.Uniform(r, d, -1.5, 1.5, 5, 4), Draw.Uniform(r, d, -1.5, 1.5, 2, 2)],
            a => [Nonlinear(Lax.DynamicUpdateSlice(a[0], a[1], [Index(3), Index(1)]))]),
        Structural(Prims.Gather, [5, 3], x => x[Ints(4, 0, 4, 2), 1..]),
        new(Prims.Scatter.Name, [Prims.Scatter], (r, d) => [Draw.Uniform(r, d, -1.5, 1.5, 5, 3), Draw.Uniform(r, d, -1.5, 1.5, 2, 3)],
            a => [Nonlinear(Scatter(Prims.Scatter, a[0], [3, 0], a[1]))]),
        new(Prims.ScatterAdd.Name, [Prims.ScatterAdd], (r, d) => [Draw.Uniform(r, d, -1.5, 1.5, 5, 3), Draw.Uniform(r, d, -1.5, 1.5, 3, 3)],
            a => [Nonlinear(Scatter(Prims.ScatterAdd, a[0], [1, 4, 1], a[1]))]),

        Structural(Prims.ReduceSum, [3, 4], x => Lax.ReduceSum(x, [1])),
        new("reduce_max_min", [Prims.ReduceMax, Prims.ReduceMin], Separated(3, 4), a => [Nonlinear(Lax.ReduceMax(a[0], [1])), Nonlinear(Lax.ReduceMin(a[0], [0]))]),
        new(Prims.ReduceProd.Name, [Prims.ReduceProd], U(0.5, 1.5, 3, 4), a => [Lax.ReduceProd(a[0], [0])]),
        new(Prims.Cumsum.Name, [Prims.Cumsum], U(-1.5, 1.5, 3, 4), a => [Nonlinear(Lax.Cumsum(a[0], 1)), Nonlinear(Lax.Cumsum(a[0], 0, reverse: true))]),
        new(Prims.Cumprod.Name, [Prims.Cumprod], Signed(0.5, 1.5, 2, 4), a => [Lax.Cumprod(a[0], 1), Lax.Cumprod(a[0], 1, reverse: true)]),
        new("cummax_cummin", [Prims.Cummax, Prims.Cummin], Separated(2, 5), a => [Nonlinear(Lax.Cummax(a[0], 1)), Nonlinear(Lax.Cummin(a[0], 1, reverse: true))]),
        new(Prims.Sort.Name, [Prims.Sort], (r, d) => [Draw.Separated(r, d, 0.3, 2, 5), Draw.Uniform(r, d, -1.5, 1.5, 2, 5)],
            a => Lax.Sort([a[0], a[1]], 1).Select(Nonlinear).ToArray()),
        new(Prims.DotGeneral.Name, [Prims.DotGeneral], (r, d) => [Draw.Uniform(r, d, -1, 1, 2, 3, 4), Draw.Uniform(r, d, -1, 1, 2, 4, 2)],
            a => [Nonlinear(Lax.DotGeneral(a[0], a[1], ([2], [1]), ([0], [0])))]),

        new(Prims.Cond.Name, [Prims.Cond], U(-1.5, 1.5, 4), a =>
        [
            Lax.Cond(Jnp.Array(true), x => Lax.Sin(x), x => Lax.Exp(x), a[0]),
            Lax.Cond(Jnp.Array(false), x => Lax.Sin(x), x => Lax.Mul(x, Lax.Exp(x)), a[0]),
        ]),
        new(Prims.Scan.Name, [Prims.Scan], (r, d) => [Draw.Uniform(r, d, -1, 1, 3), Draw.Uniform(r, d, -1, 1, 4, 3)], a =>
        {
            var (carry, ys) = Lax.Scan((c, x) =>
            {
                var next = Lax.Tanh(Lax.Add(Lax.Mul(c, x), x));
                return (next, Lax.Mul(next, c));
            }, a[0], a[1]);
            return [carry, ys];
        }),
        new(Prims.While.Name, [Prims.While], U(-1, 1, 3), a =>
        [
            Lax.WhileLoop(c => Lax.Lt(c[0], Jnp.Array(3, c[0].DType)),
                c => [Lax.Add(c[0], Jnp.Array(1, c[0].DType)), Lax.Sin(Lax.Add(c[1], Lax.Mul(c[1], c[1])))],
                Jnp.Array(0, DType.Int32), a[0])[1],
        ], Reverse: false),
    ];

    static readonly Dictionary<string, PrimitiveCheck> ByName = Checks.ToDictionary(c => c.Name);

    public static TheoryData<string, DType, int> Rows()
    {
        var rows = new TheoryData<string, DType, int>();
        foreach (var c in Checks)
            foreach (var d in Floats)
                for (int order = 1; order <= c.MaxOrder; order++) rows.Add(c.Name, d, order);
        return rows;
    }

    [Theory, MemberData(nameof(Rows))]
    public void Derivatives_of_the_primitive_pass_the_numerical_check(string name, DType dtype, int order)
    {
        using var x64 = Jax.Config.X64Scope();
        var c = ByName[name];
        var args = c.Inputs(Draw.For(name + dtype.Name()), dtype);
        Assert.All(c.F(args), y => Assert.Equal(dtype, y.DType));
        GradientCheck.CheckGrads(c.F, args, order, forward: true, reverse: c.Reverse);
    }

    /// <summary>
    /// Primitives without a derivative: every result is an integer or bool (or, for <c>bitcast_convert_type</c>,
    /// a reinterpretation of bits), so there is nothing to check.
    /// </summary>
    static readonly Primitive[] WithoutDerivative =
    [
        Prims.IsFinite, Prims.Not, Prims.PopulationCount, Prims.And, Prims.Or, Prims.Xor,
        Prims.ShiftLeft, Prims.ShiftRightLogical, Prims.ShiftRightArithmetic,
        Prims.Eq, Prims.Ne, Prims.Lt, Prims.Le, Prims.Gt, Prims.Ge,
        Prims.BitcastConvertType, Prims.Constant, Prims.Iota, Prims.ReduceAnd, Prims.ReduceOr, Prims.Argmax, Prims.Argmin,
    ];

    /// <summary>
    /// Excluded from the numerical check, each with a test of its own (below, or for <c>custom_vjp_call</c> and
    /// <c>custom_lin</c>, which have no forward mode by design, in Transforms/CustomDerivativeTests.cs; <c>fusion</c>,
    /// which only the fusion pass emits, in Jax.Ir.Tests' Fusion/FusionPrimitiveTests.cs).
    /// </summary>
    static readonly Primitive[] Excluded = [Prims.Digamma, Prims.Nextafter, Prims.StopGradient, Prims.CustomVjpCall, Prims.CustomLin, Prims.Fusion];

    [Fact]
    public void Every_primitive_is_checked_or_listed_as_excluded()
    {
        var accounted = Checks.SelectMany(c => c.Covers).Concat(WithoutDerivative).Concat(Excluded).Select(p => p.Name).ToHashSet();
        var missing = PrimitiveRegistry.All.Select(p => p.Name).Where(n => !accounted.Contains(n)).Order().ToArray();
        Assert.True(missing.Length == 0, $"primitives neither checked nor excluded: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Digamma_has_no_jvp_rule_so_lgamma_has_no_second_derivative()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jnp.Array(new[] { 1.5, 2.5 });
        var e = Assert.Throws<MissingRuleException>(() => Jax.Jvp(Lax.Digamma, x, Jnp.OnesLike(x)));
        Assert.Contains("digamma", e.Message);
        Assert.Contains("polygamma", e.Message);
        var second = Assert.Throws<MissingRuleException>(() => Jax.Grad(Jax.Grad((Func<Tensor, Tensor>)(v => Lax.Lgamma(v))))(Jnp.Array(2.5)));
        Assert.Contains("digamma", second.Message);
    }

    [Fact]
    public void Nextafter_is_not_differentiable()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jnp.Array(new[] { 1.0, 2.0 });
        var e = Assert.Throws<MissingRuleException>(() => Jax.Jvp(v => Jnp.Nextafter(v, Jnp.Array(3.0)), x, Jnp.OnesLike(x)));
        Assert.Contains("nextafter", e.Message);
    }

    [Fact]
    public void While_has_no_reverse_mode()
    {
        using var x64 = Jax.Config.X64Scope();
        var f = (Func<Tensor, Tensor>)(x => Lax.WhileLoop(v => Jnp.Less(Jnp.Sum(v), 10.0), v => v * 2, x));
        var x = Jnp.Array(new[] { 1.0, 2.0 });
        var e = Assert.Throws<NotSupportedException>(() => Jax.Grad((Func<Tensor, Tensor>)(v => Jnp.Sum(f(v))))(x));
        Assert.Contains("while: reverse-mode differentiation does not work", e.Message);
        // Forward mode works: the loop doubles x until sum(x) >= 10, twice here.
        var (y, tangent) = Jax.Jvp(f, x, Jnp.OnesLike(x));
        Assert.Equal(new[] { 4.0, 8.0 }, y.ToArray<double>());
        Assert.Equal(new[] { 4.0, 4.0 }, tangent.ToArray<double>());
    }

    [Fact]
    public void Stop_gradient_has_zero_derivative_by_definition()
    {
        using var x64 = Jax.Config.X64Scope();
        var x = Jnp.Array(new[] { -1.5, 0.5, 2.0 });
        // d/dx sum(x * sg(x²)) = sg(x²) = x², where the numerical derivative would be 3x².
        var g = Jax.Grad((Func<Tensor, Tensor>)(v => Jnp.Sum(v * Jax.StopGradient(v * v))))(x);
        Assert.Equal(new[] { 2.25, 0.25, 4.0 }, g.ToArray<double>());
        var (_, tangent) = Jax.Jvp(Jax.StopGradient, x, Jnp.OnesLike(x));
        Assert.Equal(new[] { 0.0, 0.0, 0.0 }, tangent.ToArray<double>());
    }
}
