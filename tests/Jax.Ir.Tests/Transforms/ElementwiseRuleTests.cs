namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// The JVP, transpose and batching rules of the elementwise primitives: JVPs against central differences (and
/// closed forms where the point is a kink or a tie), transposes by ⟨L t, c⟩ = ⟨t, Lᵀ c⟩, batching against
/// per-example runs, and second-order JVPs against closed-form second derivatives.
/// </summary>
public class ElementwiseRuleTests
{
    private const int BatchSize = 4;
    private static readonly Shape Example = Shape.Of(2, 3);
    private static readonly ShapedType F64 = new(DType.Float64, Example);
    private static readonly Attributes RoundHalfAway = Attributes.Of(("rounding_method", RoundPrimitive.AwayFromZero));
    private static readonly Attributes RoundHalfEven = Attributes.Of(("rounding_method", RoundPrimitive.ToNearestEven));

    private static Buffer Doubles(params double[] values) => Buffer.Of(values, values.Length);

    private static Buffer Bools(params bool[] values) => Buffer.Of(values, values.Length);

    /// <summary>Random values of a type: uniform in [lo, hi] (truncated for integers), fair coins for bool.</summary>
    private static Buffer Fill(ShapedType type, Random rng, double lo = -2, double hi = 2)
    {
        if (type.DType != DType.Bool) return RuleHarness.Uniform(type, rng, lo, hi);
        var b = Buffer.Zeros(DType.Bool, type.Shape);
        for (int i = 0; i < b.Length; i++) b.SetDouble(i, rng.Next(2));
        return b;
    }

    private static Function Build(ShapedType[] types, Func<Emitter, IReadOnlyList<Value>, IEnumerable<Value>> body)
    {
        var block = new Block(types);
        block.SetResults(body(new Emitter(block), block.Arguments).ToArray());
        return new Function("f", block);
    }

    private static void AssertClose(double expected, double actual, double tol = 1e-12, string? what = null) =>
        Assert.True(Math.Abs(expected - actual) <= tol * (1 + Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    // ---------------------------------------------------------------- JVP

    public static TheoryData<string, double, double> SmoothUnary => new()
    {
        { "neg", -2, 2 }, { "exp", -2, 2 }, { "exp2", -2, 2 }, { "log", 0.2, 3 }, { "log1p", -0.5, 2 }, { "expm1", -2, 2 },
        { "sqrt", 0.2, 3 }, { "rsqrt", 0.2, 3 }, { "cbrt", 0.2, 3 }, { "cbrt", -3, -0.2 }, { "sin", -3, 3 }, { "cos", -3, 3 },
        { "tan", -1.2, 1.2 }, { "tanh", -2, 2 }, { "logistic", -3, 3 }, { "erf", -2, 2 }, { "erfc", -2, 2 }, { "erfinv", -0.9, 0.9 },
        { "lgamma", 0.2, 4 }, { "lgamma", -0.9, -0.1 },
    };

    [Theory]
    [MemberData(nameof(SmoothUnary))]
    public void Jvp_of_smooth_unary_matches_central_differences(string name, double lo, double hi) =>
        RuleHarness.CheckJvp(PrimitiveRegistry.Get(name), null, [Fill(F64, new Random(name.Length), lo, hi)]);

    [Theory]
    [InlineData("abs")]
    [InlineData("sign")]
    [InlineData("floor")]
    [InlineData("ceil")]
    [InlineData("round")]
    [InlineData("round_even")]
    public void Jvp_of_piecewise_unary_matches_central_differences_away_from_kinks(string name)
    {
        var attributes = name switch { "round" => RoundHalfAway, "round_even" => RoundHalfEven, _ => null };
        var primitive = attributes is null ? PrimitiveRegistry.Get(name) : Prims.Round;
        RuleHarness.CheckJvp(primitive, attributes, [Doubles(-1.7, -0.4, 0.3, 1.2, 2.6)]);
    }

    [Fact]
    public void Jvp_of_abs_at_zero_passes_the_tangent_as_jax()
    {
        // JAX: select(x >= 0, g, -g), so the derivative at 0 is 1 (and at -0.0 too: -0.0 >= 0).
        var jvp = JvpPass.Apply(RuleHarness.Single(Prims.Abs, [new ShapedType(DType.Float64, Shape.Of(3))]), [true]);
        var outs = Interpreter.Run(jvp, Doubles(0.0, -0.0, -2), Doubles(0.5, 0.25, 3));
        Assert.Equal([0.5, 0.25, -3], outs[1].Span<double>().ToArray());
    }

    public static TheoryData<string, double, double, double, double> SmoothBinary => new()
    {
        { "add", -2, 2, -2, 2 }, { "sub", -2, 2, -2, 2 }, { "mul", -2, 2, -2, 2 }, { "div", -2, 2, 0.5, 2 }, { "div", -2, 2, -2, -0.5 },
        { "rem", 0.3, 5, 0.7, 1.3 }, { "rem", -5, -0.3, 0.7, 1.3 }, { "pow", 0.5, 2, -2, 2 }, { "max", -2, 2, -2, 2 },
        { "min", -2, 2, -2, 2 }, { "atan2", -2, 2, -2, 2 }, { "atan2", -2, 2, 0.1, 2 },
    };

    [Theory]
    [MemberData(nameof(SmoothBinary))]
    public void Jvp_of_binary_matches_central_differences(string name, double xlo, double xhi, double ylo, double yhi)
    {
        var rng = new Random(name.Length + (int)xlo);
        RuleHarness.CheckJvp(PrimitiveRegistry.Get(name), null, [Fill(F64, rng, xlo, xhi), Fill(F64, rng, ylo, yhi)]);
    }

    [Theory]
    [InlineData("max")]
    [InlineData("min")]
    public void Jvp_of_max_and_min_splits_ties_evenly(string name)
    {
        // x = (1, 2, 3), y = (1, 5, 0): a tie, y wins (x for min), x wins (y for min).
        var jvp = JvpPass.Apply(RuleHarness.Single(PrimitiveRegistry.Get(name), [new ShapedType(DType.Float64, Shape.Of(3)), new ShapedType(DType.Float64, Shape.Of(3))]), [true, true]);
        var outs = Interpreter.Run(jvp, Doubles(1, 2, 3), Doubles(1, 5, 0), Doubles(10, 20, 30), Doubles(2, 4, 6));
        double[] expected = name == "max" ? [6, 4, 30] : [6, 20, 6];
        Assert.Equal(expected, outs[1].Span<double>().ToArray());
    }

    [Fact]
    public void Jvp_of_pow_at_zero_base_is_finite_and_exact()
    {
        // d(x^y) = y x^(y-1) dx + log(x) x^y dy; at x = 0: 0^0 is constant (0), d(0^1)/dx = 1, d(0^2)/dx = 0,
        // and the y part is taken as 0 (JAX replaces log 0 by log 1).
        var type = new ShapedType(DType.Float64, Shape.Of(4));
        var jvp = JvpPass.Apply(RuleHarness.Single(Prims.Pow, [type, type]), [true, true]);
        var outs = Interpreter.Run(jvp, Doubles(0, 0, 0, 2), Doubles(0, 1, 2, 3), Doubles(1, 1, 1, 1), Doubles(1, 1, 1, 1));
        var tangent = outs[1].Span<double>().ToArray();
        Assert.Equal([0, 1, 0], tangent[..3]);
        AssertClose(3 * 4 + Math.Log(2) * 8, tangent[3]);
    }

    [Fact]
    public void Jvp_of_rem_in_the_divisor_is_minus_the_truncated_quotient()
    {
        // rem(x, y) = x - trunc(x/y) y: ∂/∂y = -trunc(x/y). x = 7.5, y = 2 (trunc 3); x = -7.5, y = 2 (trunc -3).
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var jvp = JvpPass.Apply(RuleHarness.Single(Prims.Rem, [type, type]), [false, true]);
        var outs = Interpreter.Run(jvp, Doubles(7.5, -7.5), Doubles(2, 2), Doubles(1, 1));
        Assert.Equal([-3, 3], outs[1].Span<double>().ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Jvp_of_select_matches_central_differences(bool scalarPredicate)
    {
        var rng = new Random(3);
        var pred = scalarPredicate ? Buffer.Scalar(true) : Fill(new ShapedType(DType.Bool, Example), rng);
        RuleHarness.CheckJvp(Prims.Select, null, [pred, Fill(F64, rng), Fill(F64, rng)]);
    }

    [Fact]
    public void Jvp_of_select_with_one_tangent_selects_it_against_zeros()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(3));
        var jvp = JvpPass.Apply(RuleHarness.Single(Prims.Select, [new ShapedType(DType.Bool, Shape.Of(3)), type, type]), [false, false, true]);
        var outs = Interpreter.Run(jvp, Bools(true, false, true), Doubles(1, 2, 3), Doubles(4, 5, 6), Doubles(7, 8, 9));
        Assert.Equal([0, 8, 0], outs[1].Span<double>().ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Jvp_of_clamp_matches_central_differences(bool scalarBounds)
    {
        // x spread over [-2, 2] with bounds around [-0.7, 0.9]: every element below, inside or above.
        var rng = new Random(5);
        var boundType = scalarBounds ? ShapedType.Scalar(DType.Float64) : F64;
        RuleHarness.CheckJvp(Prims.Clamp, null, [Fill(boundType, rng, -1, -0.4), Fill(F64, rng), Fill(boundType, rng, 0.6, 1.2)]);
    }

    [Fact]
    public void Jvp_of_clamp_routes_each_tangent_where_its_operand_is_the_result()
    {
        // x = (-2, 0, 2) clamped to [-1, 1]: min's tangent at the first, x's at the second, max's at the third.
        var scalar = ShapedType.Scalar(DType.Float64);
        var type = new ShapedType(DType.Float64, Shape.Of(3));
        var jvp = JvpPass.Apply(RuleHarness.Single(Prims.Clamp, [scalar, type, scalar]), [true, true, true]);
        var outs = Interpreter.Run(jvp, Buffer.Scalar(-1.0), Doubles(-2, 0, 2), Buffer.Scalar(1.0), Buffer.Scalar(10.0), Doubles(1, 2, 3), Buffer.Scalar(100.0));
        Assert.Equal([10, 2, 100], outs[1].Span<double>().ToArray());
    }

    [Fact]
    public void Jvp_of_a_float_conversion_converts_the_tangent()
    {
        RuleHarness.CheckJvp(Prims.ConvertElementType, ConvertElementTypePrimitive.Params(DType.Float64, weakType: true), [Fill(F64, new Random(1))]);
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var jvp = JvpPass.Apply(RuleHarness.Single(Prims.ConvertElementType, [type], ConvertElementTypePrimitive.Params(DType.Float32)), [true]);
        var outs = Interpreter.Run(jvp, Doubles(1, 2), Doubles(0.1, 1e-3));
        Assert.Equal(new ShapedType(DType.Float32, Shape.Of(2)), outs[1].Type);
        Assert.Equal([0.1f, 1e-3f], outs[1].Span<float>().ToArray());
    }

    [Fact]
    public void Jvp_of_integer_and_bool_results_is_zero_without_tangent_work()
    {
        // Comparisons, is_finite, conversions and bitcasts to integers, piecewise-constant ops, integer arithmetic.
        var x = new ShapedType(DType.Float64, Shape.Of(3));
        var n = new ShapedType(DType.Int32, Shape.Of(3));
        var f = Build([x, n], (e, a) =>
        [
            e.Lt(a[0], a[0]), e.IsFinite(a[0]), e.ConvertElementType(a[0], DType.Int32), e.Floor(a[0]), e.Sign(a[0]),
            e.Emit1(Prims.BitcastConvertType, [a[0]], Attributes.Of(("new_dtype", DType.Int64))),
            e.Emit1(Prims.PopulationCount, [e.Add(a[1], a[1])]), e.Emit1(Prims.ShiftLeft, [a[1], a[1]]),
        ]);
        var jvp = JvpPass.Apply(f, [true, false]);
        Verifier.Verify(jvp);
        var tangentArgument = jvp.Parameters[2];
        Assert.DoesNotContain(jvp.Body.Operations, op => op.Operands.Contains(tangentArgument));
        var outs = Interpreter.Run(jvp, Doubles(0.5, -1.5, 2.5), Buffer.Of(new[] { 1, 2, 3 }, 3), Doubles(1, 1, 1));
        for (int r = 8; r < 16; r++)
            for (int i = 0; i < outs[r].Length; i++)
                Assert.Equal(0, outs[r].GetDouble(i));
    }

    [Fact]
    public void Jvp_of_add_with_one_tangent_passes_it_through_without_materialising_zeros()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(3));
        var f = Build([type, type], (e, a) => [e.Sub(e.Add(a[0], a[1]), a[1]), e.Sub(a[1], a[0])]);
        var jvp = JvpPass.Apply(f, [true, false]);
        // Primal add, sub, sub; tangents: the first is the tangent argument itself, the second one neg.
        Assert.Equal(["add", "sub", "sub", "neg"], jvp.Body.Operations.Select(op => op.Primitive.Name));
        Assert.Same(jvp.Parameters[2], jvp.Body.Results[2]);
    }

    [Fact]
    public void Ops_without_tangent_inputs_need_no_jvp_rule()
    {
        // digamma has no JVP rule (its derivative is polygamma), but digamma(c) of a non-differentiable c is copied.
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var f = Build([type, type], (e, a) => [e.Mul(a[0], e.Digamma(a[1]))]);
        var jvp = JvpPass.Apply(f, [true, false]);
        var outs = Interpreter.Run(jvp, Doubles(2, 3), Doubles(1, 2), Doubles(1, 1));
        const double eulerGamma = 0.5772156649015329;
        AssertClose(-eulerGamma, outs[1].GetDouble(0));
        AssertClose(1 - eulerGamma, outs[1].GetDouble(1));

        var error = Assert.Throws<MissingRuleException>(() => JvpPass.Apply(f, [true, true]));
        Assert.StartsWith("no jvp rule for 'digamma' (needs polygamma", error.Message);
    }

    [Fact]
    public void Jvp_of_nextafter_is_a_missing_rule_as_in_jax()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var error = Assert.Throws<MissingRuleException>(() => JvpPass.Apply(RuleHarness.Single(Prims.Nextafter, [type, type]), [true, false]));
        Assert.StartsWith("no jvp rule for 'nextafter'", error.Message);
    }

    // ---------------------------------------------------------------- second order

    [Theory]
    [InlineData("exp")]
    [InlineData("tanh")]
    [InlineData("logistic")]
    public void Second_order_jvp_of_unary_matches_the_closed_form_second_derivative(string name)
    {
        var type = new ShapedType(DType.Float64, Shape.Of(4));
        var second = JvpPass.Apply(JvpPass.Apply(RuleHarness.Single(PrimitiveRegistry.Get(name), [type]), [true]), [true, true]);
        Verifier.Verify(second);
        double[] xs = [-1.3, -0.2, 0.4, 2.1];
        // (x, t, dx, dt) = (x, 1, 1, 0): the tangent of the tangent is f''(x).
        var outs = Interpreter.Run(second, Doubles(xs), Doubles(1, 1, 1, 1), Doubles(1, 1, 1, 1), Doubles(0, 0, 0, 0));
        Func<double, double> secondDerivative = name switch
        {
            "exp" => Math.Exp,
            "tanh" => v => -2 * Math.Tanh(v) * (1 - Math.Tanh(v) * Math.Tanh(v)),
            _ => v => Sigmoid(v) * (1 - Sigmoid(v)) * (1 - 2 * Sigmoid(v)),
        };
        for (int i = 0; i < xs.Length; i++) AssertClose(secondDerivative(xs[i]), outs[3].GetDouble(i), 1e-12, $"{name}''({xs[i]})");
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    [Fact]
    public void Second_order_jvp_of_mul_is_the_bilinear_cross_term()
    {
        // first(x, y, tx, ty) = (xy, tx y + x ty); its JVP in direction (dx, dy, dtx, dty) has the tangent
        // dtx y + tx dy + dx ty + x dty.
        var type = new ShapedType(DType.Float64, Shape.Of(3));
        var second = JvpPass.Apply(JvpPass.Apply(RuleHarness.Single(Prims.Mul, [type, type]), [true, true]), [true, true, true, true]);
        Verifier.Verify(second);
        var rng = new Random(11);
        var args = Enumerable.Range(0, 8).Select(_ => Fill(type, rng)).ToArray();
        var outs = Interpreter.Run(second, args);
        for (int i = 0; i < 3; i++)
        {
            double V(int k) => args[k].GetDouble(i);
            double expected = V(6) * V(1) + V(2) * V(5) + V(4) * V(3) + V(0) * V(7);
            AssertClose(expected, outs[3].GetDouble(i));
        }
    }

    [Fact]
    public void Second_derivative_of_a_square_is_two()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var square = Build([type], (e, a) => [e.Mul(a[0], a[0])]);
        var second = JvpPass.Apply(JvpPass.Apply(square, [true]), [true, true]);
        var outs = Interpreter.Run(second, Doubles(-3, 0.5), Doubles(1, 1), Doubles(1, 1), Doubles(0, 0));
        Assert.Equal([2, 2], outs[3].Span<double>().ToArray());
    }

    // ---------------------------------------------------------------- transpose

    [Theory]
    [InlineData("neg", 0)]
    [InlineData("add", 0)]
    [InlineData("add", 1)]
    [InlineData("sub", 0)]
    [InlineData("sub", 1)]
    [InlineData("mul", 0)]
    [InlineData("mul", 1)]
    [InlineData("div", 0)]
    public void Transpose_of_linear_arithmetic_is_its_adjoint(string name, int linear)
    {
        var primitive = PrimitiveRegistry.Get(name);
        var rng = new Random(linear + 7);
        int arity = name == "neg" ? 1 : 2;
        // add and sub are linear in both operands together: the other one is a (known) zero, else x + t is affine.
        bool additive = name is "add" or "sub";
        var inputs = Enumerable.Range(0, arity).Select(i => additive && i != linear ? Buffer.Zeros(DType.Float64, Example) : Fill(F64, rng, 0.5, 2));
        RuleHarness.CheckTranspose(primitive, null, inputs.ToArray(), linear);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void Transpose_of_select_is_its_adjoint(int linear, bool scalarPredicate)
    {
        var rng = new Random(linear);
        var pred = scalarPredicate ? Buffer.Scalar(linear == 1) : Fill(new ShapedType(DType.Bool, Example), rng);
        // Linear in both branches together: the other branch is a (known) zero.
        var zeros = Buffer.Zeros(DType.Float64, Example);
        RuleHarness.CheckTranspose(Prims.Select, null, [pred, linear == 1 ? Fill(F64, rng) : zeros, linear == 2 ? Fill(F64, rng) : zeros], linear);
    }

    [Fact]
    public void Transpose_of_a_float_conversion_converts_back()
    {
        RuleHarness.CheckTranspose(Prims.ConvertElementType, ConvertElementTypePrimitive.Params(DType.Float64, weakType: true), [Fill(F64, new Random(2))], 0);

        // f32 -> f64: the cotangent rounds back to f32 (the adjoint of the exact embedding), strong.
        var block = new Block([new ShapedType(DType.Float64, Shape.Of(2))]);
        var operand = new LinearOperand(null, new ShapedType(DType.Float32, Shape.Of(2), Weak: true));
        var context = new TransposeContext(new Emitter(block));
        var ct = Prims.ConvertElementType.Transpose(context, [block.Arguments[0]], [operand], ConvertElementTypePrimitive.Params(DType.Float64), [])[0];
        Assert.NotNull(ct);
        Assert.Equal(new ShapedType(DType.Float32, Shape.Of(2)), ct.Type);
        block.SetResults([ct]);
        var outs = Interpreter.Run(new Function("t", block), Doubles(0.1, 3));
        Assert.Equal([0.1f, 3f], outs[0].Span<float>().ToArray());
    }

    [Fact]
    public void Transpose_of_add_gives_no_cotangent_to_a_known_operand()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var block = new Block([type, type]);
        var cts = Prims.Add.Transpose(new TransposeContext(new Emitter(block)), [block.Arguments[1]],
            [new LinearOperand(block.Arguments[0], type), new LinearOperand(null, type)], Attributes.Empty, []);
        Assert.Null(cts[0]);
        Assert.Same(block.Arguments[1], cts[1]);
        Assert.Equal([null, null], Prims.Mul.Transpose(new TransposeContext(new Emitter(block)), [null],
            [new LinearOperand(block.Arguments[0], type), new LinearOperand(null, type)], Attributes.Empty, []));
    }

    [Fact]
    public void Transpose_of_non_linear_uses_of_mul_and_div_names_the_primitive()
    {
        var type = new ShapedType(DType.Float64, Shape.Of(2));
        var block = new Block([type, type]);
        var context = new TransposeContext(new Emitter(block));
        var linear = new LinearOperand(null, type);
        var error = Assert.Throws<JaxTypeException>(() => Prims.Mul.Transpose(context, [block.Arguments[0]], [linear, linear], Attributes.Empty, []));
        Assert.Equal("mul: transpose needs exactly one operand linear, got (linear f64[2], linear f64[2])", error.Message);
        error = Assert.Throws<JaxTypeException>(() =>
            Prims.Div.Transpose(context, [block.Arguments[0]], [new LinearOperand(block.Arguments[1], type), linear], Attributes.Empty, []));
        Assert.Equal("div: transpose needs the numerator only linear, got (known f64[2], linear f64[2])", error.Message);
        Assert.Throws<MissingRuleException>(() => Prims.Exp.Transpose(context, [block.Arguments[0]], [linear], Attributes.Empty, []));
    }

    /// <summary>The JVP cases whose tangent programs must be transposable: every differentiable elementwise primitive.</summary>
    public static TheoryData<string> Differentiable => new(
        SmoothUnary.Select(row => (string)row[0]).Distinct()
            .Concat(["abs", "sign", "floor", "ceil", "round"])
            .Concat(SmoothBinary.Select(row => (string)row[0]).Distinct())
            .Concat(["select", "select_scalar", "clamp", "clamp_scalar", "convert_element_type"]));

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Tangent_programs_use_only_transposable_operations(string name)
    {
        var (primitive, types, attributes) = JvpCase(name);
        var jvp = JvpPass.Apply(RuleHarness.Single(primitive, types, attributes), types.Select(t => t.DType.IsFloat()).ToArray());
        int primals = types.Length;
        var linear = new HashSet<Value>(jvp.Parameters.Skip(primals), ReferenceEqualityComparer.Instance);
        foreach (var op in jvp.Body.Operations.Where(op => op.Operands.Any(linear.Contains)))
        {
            foreach (var r in op.Results) linear.Add(r);
            // Structural ops (a scalar bound's tangent broadcast by clamp) are transposed by the structural rules.
            if (op.Primitive == Prims.BroadcastInDim) continue;
            var block = new Block(op.Operands.Where(o => !linear.Contains(o)).Select(o => o.Type).Append(op.Result.Type));
            int known = 0;
            var operands = op.Operands.Select(o => linear.Contains(o) ? new LinearOperand(null, o.Type) : new LinearOperand(block.Arguments[known++], o.Type)).ToArray();
            var cts = op.Primitive.Transpose(new TransposeContext(new Emitter(block)), [block.Arguments[^1]], operands, op.Attributes, op.Regions);
            for (int i = 0; i < operands.Length; i++)
            {
                if (!operands[i].IsLinear) Assert.Null(cts[i]);
                else Assert.Equal(operands[i].Type with { Weak = false }, cts[i]?.Type);
            }
        }
    }

    private static (Primitive Primitive, ShapedType[] Types, Attributes? Attributes) JvpCase(string name)
    {
        var scalar = ShapedType.Scalar(DType.Float64);
        return name switch
        {
            "select" => (Prims.Select, [new ShapedType(DType.Bool, Example), F64, F64], null),
            "select_scalar" => (Prims.Select, [ShapedType.Scalar(DType.Bool), F64, F64], null),
            "clamp" => (Prims.Clamp, [F64, F64, F64], null),
            "clamp_scalar" => (Prims.Clamp, [scalar, F64, scalar], null),
            "convert_element_type" => (Prims.ConvertElementType, [F64], ConvertElementTypePrimitive.Params(DType.Float32)),
            "round" => (Prims.Round, [F64], RoundHalfEven),
            _ => (PrimitiveRegistry.Get(name), Enumerable.Repeat(F64, PrimitiveRegistry.Get(name) is BinaryPrimitive ? 2 : 1).ToArray(), null),
        };
    }

    // ---------------------------------------------------------------- batching

    /// <summary>
    /// Batches <paramref name="primitive"/> on per-example <paramref name="types"/> with the batch axes
    /// <paramref name="axes"/> (negative counting from the end of the batched operand, null unbatched) and checks
    /// it against per-example runs; negative axes must batch exactly as their non-negative equivalents.
    /// </summary>
    private static void CheckBatch(Primitive primitive, Attributes? attributes, ShapedType[] types, int?[] axes, double lo = -2, double hi = 2, int seed = 0)
    {
        var rng = new Random(seed);
        var normalized = axes.Select((a, i) => a is int v && v < 0 ? v + types[i].Rank + 1 : a).ToArray();
        var inputs = types.Select((t, i) => Fill(normalized[i] is int a ? VmapPass.WithBatchDim(t, a, BatchSize) : t, rng, lo, hi)).ToArray();
        RuleHarness.CheckBatch(primitive, attributes, inputs, normalized);
        if (axes.SequenceEqual(normalized)) return;
        var f = RuleHarness.Single(primitive, types, attributes);
        var withNegative = Interpreter.Run(VmapPass.Apply(f, axes, [0], BatchSize), inputs)[0];
        var withPositive = Interpreter.Run(VmapPass.Apply(f, normalized, [0], BatchSize), inputs)[0];
        Assert.True(withNegative.BitwiseEquals(withPositive), $"{primitive.Name}: in_axes {string.Join(",", axes)} differ from {string.Join(",", normalized)}");
    }

    public static TheoryData<string, DType> Unary => new()
    {
        { "neg", DType.Float64 }, { "neg", DType.Int32 }, { "abs", DType.Float32 }, { "abs", DType.Int8 }, { "sign", DType.Float64 },
        { "sign", DType.Int64 }, { "floor", DType.Float64 }, { "ceil", DType.Float64 }, { "round", DType.Float64 }, { "exp", DType.Float64 },
        { "exp2", DType.Float64 }, { "log", DType.Float64 }, { "log1p", DType.Float64 }, { "expm1", DType.Float64 }, { "sqrt", DType.Float32 },
        { "rsqrt", DType.Float64 }, { "cbrt", DType.Float64 }, { "sin", DType.Float64 }, { "cos", DType.Float64 }, { "tan", DType.Float64 },
        { "tanh", DType.Float64 }, { "logistic", DType.Float64 }, { "erf", DType.Float64 }, { "erfc", DType.Float64 }, { "erfinv", DType.Float64 },
        { "lgamma", DType.Float64 }, { "digamma", DType.Float64 }, { "is_finite", DType.Float64 }, { "not", DType.Bool },
        { "not", DType.UInt16 }, { "population_count", DType.Int32 },
    };

    [Theory]
    [MemberData(nameof(Unary))]
    public void Batch_of_unary_matches_per_example_runs(string name, DType dtype)
    {
        var primitive = PrimitiveRegistry.Get(name);
        var attributes = name == "round" ? RoundHalfAway : null;
        var type = new ShapedType(dtype, Example);
        // (0.1, 0.9) is in every operation's domain; integers get 0..99.
        var (lo, hi) = dtype.IsFloat() ? (0.1, 0.9) : (0.0, 99.0);
        foreach (int axis in new[] { 0, 1, 2, -1 })
            CheckBatch(primitive, attributes, [type], [axis], lo, hi, seed: axis + 1);
    }

    public static TheoryData<string, DType> Binary => new()
    {
        { "add", DType.Float64 }, { "add", DType.Int32 }, { "sub", DType.Float64 }, { "mul", DType.Float32 }, { "div", DType.Float64 },
        { "div", DType.Int16 }, { "rem", DType.Float64 }, { "pow", DType.Float64 }, { "max", DType.Float64 }, { "min", DType.Bool },
        { "atan2", DType.Float64 }, { "nextafter", DType.Float32 }, { "and", DType.Bool }, { "or", DType.UInt8 }, { "xor", DType.Int64 },
        { "shift_left", DType.Int32 }, { "shift_right_logical", DType.Int32 }, { "shift_right_arithmetic", DType.Int8 },
        { "eq", DType.Float64 }, { "ne", DType.Int32 }, { "lt", DType.Float64 }, { "le", DType.Float64 }, { "gt", DType.Bool },
        { "ge", DType.UInt32 },
    };

    [Theory]
    [MemberData(nameof(Binary))]
    public void Batch_of_binary_matches_per_example_runs(string name, DType dtype)
    {
        var primitive = PrimitiveRegistry.Get(name);
        var type = new ShapedType(dtype, Example);
        var (lo, hi) = dtype.IsFloat() ? (0.1, 2.0) : (0.0, 40.0);
        int?[][] cases = [[0, 0], [1, 1], [-1, -1], [0, 2], [2, -2], [0, null], [null, 1], [null, -1]];
        for (int c = 0; c < cases.Length; c++)
            CheckBatch(primitive, null, [type, type], cases[c], lo, hi, seed: c);
    }

    [Fact]
    public void Batch_of_select_handles_scalar_and_unbatched_predicates_and_branches()
    {
        var pred = new ShapedType(DType.Bool, Example);
        var scalarPred = ShapedType.Scalar(DType.Bool);
        var scalar = ShapedType.Scalar(DType.Float64);
        CheckBatch(Prims.Select, null, [pred, F64, F64], [0, 0, 0]);
        CheckBatch(Prims.Select, null, [pred, F64, F64], [1, null, -1]);
        CheckBatch(Prims.Select, null, [pred, F64, F64], [null, 2, null]);
        CheckBatch(Prims.Select, null, [pred, F64, F64], [-1, null, null]);
        CheckBatch(Prims.Select, null, [scalarPred, F64, F64], [null, 1, 2]);
        CheckBatch(Prims.Select, null, [scalarPred, F64, F64], [0, 1, null]);
        CheckBatch(Prims.Select, null, [scalarPred, F64, F64], [0, null, null]);
        CheckBatch(Prims.Select, null, [scalarPred, scalar, scalar], [0, null, 0]);
        CheckBatch(Prims.Select, null, [scalarPred, scalar, scalar], [null, 0, null]);
    }

    [Fact]
    public void Batch_of_clamp_handles_scalar_and_unbatched_bounds()
    {
        var scalar = ShapedType.Scalar(DType.Float64);
        CheckBatch(Prims.Clamp, null, [scalar, F64, scalar], [null, 1, null]);
        CheckBatch(Prims.Clamp, null, [scalar, F64, scalar], [0, 2, null]);
        CheckBatch(Prims.Clamp, null, [scalar, F64, scalar], [0, null, 0]);
        CheckBatch(Prims.Clamp, null, [F64, F64, F64], [0, 1, -1]);
        CheckBatch(Prims.Clamp, null, [F64, F64, scalar], [null, 0, 0]);
        CheckBatch(Prims.Clamp, null, [F64, F64, F64], [1, null, null]);
        CheckBatch(Prims.Clamp, null, [scalar, scalar, scalar], [null, 0, null]);
    }

    [Fact]
    public void Batch_of_conversions_keeps_the_batch_axis()
    {
        foreach (int axis in new[] { 0, 1, -1 })
        {
            CheckBatch(Prims.ConvertElementType, ConvertElementTypePrimitive.Params(DType.Float32), [F64], [axis]);
            CheckBatch(Prims.ConvertElementType, ConvertElementTypePrimitive.Params(DType.Float64, weakType: true), [new ShapedType(DType.Int32, Example)], [axis], 0, 99);
            CheckBatch(Prims.BitcastConvertType, Attributes.Of(("new_dtype", DType.Int64)), [F64], [axis]);
        }
    }

    [Fact]
    public void Batch_of_width_changing_bitcasts_keeps_the_batch_axis_off_the_element_dimension()
    {
        var narrow = Attributes.Of(("new_dtype", DType.Int32));
        var wide = Attributes.Of(("new_dtype", DType.Float64));
        var pairs = new ShapedType(DType.Int32, Shape.Of(3, 2));
        foreach (int axis in new[] { 0, 1, 2, -1 })
        {
            CheckBatch(Prims.BitcastConvertType, narrow, [F64], [axis]);
            CheckBatch(Prims.BitcastConvertType, wide, [pairs], [axis], 0, 1000);
        }
        // Widening with the batch axis last moves it to the front; narrowing appends after it.
        var block = new Block([VmapPass.WithBatchDim(pairs, 2, BatchSize), VmapPass.WithBatchDim(F64, 2, BatchSize)]);
        var context = new BatchContext(new Emitter(block), BatchSize);
        var (widened, wideDims) = Prims.BitcastConvertType.Batch(context, [block.Arguments[0]], [2], wide, []);
        Assert.Equal([0], wideDims);
        Assert.Equal(Shape.Of(BatchSize, 3), widened[0].Type.Shape);
        var (narrowed, narrowDims) = Prims.BitcastConvertType.Batch(context, [block.Arguments[1]], [2], narrow, []);
        Assert.Equal([2], narrowDims);
        Assert.Equal(Shape.Of(2, 3, BatchSize, 2), narrowed[0].Type.Shape);
    }
}
