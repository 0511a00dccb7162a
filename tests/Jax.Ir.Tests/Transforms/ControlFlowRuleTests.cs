namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// The JVP, batching and transpose rules of <c>cond</c>, <c>while</c> and <c>scan</c>: JVPs against central
/// differences and closed forms, batching against running each example alone, transposes by
/// ⟨L t, c⟩ = ⟨t, Lᵀ c⟩, and reverse mode of a whole function against finite differences.
/// </summary>
public class ControlFlowRuleTests
{
    private static readonly ShapedType F64 = ShapedType.Scalar(DType.Float64);
    private static readonly ShapedType I32 = ShapedType.Scalar(DType.Int32);
    private static readonly ShapedType Bool = ShapedType.Scalar(DType.Bool);
    private static readonly ShapedType V3 = new(DType.Float64, Shape.Of(3));

    private static ShapedType Vec(long n) => new(DType.Float64, Shape.Of(n));

    private static ShapedType Mat(long m, long n) => new(DType.Float64, Shape.Of(m, n));

    private static Block Region(ShapedType[] types, Func<Emitter, IReadOnlyList<Value>, IEnumerable<Value>> build)
    {
        var block = new Block(types);
        block.SetResults(build(new Emitter(block), block.Arguments).ToArray());
        return block;
    }

    private static Function Fn(string name, ShapedType[] types, Func<Emitter, IReadOnlyList<Value>, IEnumerable<Value>> build) =>
        new(name, Region(types, build));

    private static Attributes WhileAttributes(int condConsts, int bodyConsts) =>
        Attributes.Of(("cond_nconsts", condConsts), ("body_nconsts", bodyConsts));

    private static Attributes ScanAttributes(int consts, int carry, int length, bool reverse = false) =>
        Attributes.Of(("num_consts", consts), ("num_carry", carry), ("length", length), ("reverse", reverse));

    private static Value Scale(Emitter e, Value x, double k) => e.Mul(x, e.Full(x.Type, k));

    private static Buffer Vector(params double[] values) => Buffer.Of(values);

    private static Buffer Ints(params int[] values) => Buffer.Of(values);

    private static Buffer Random(ShapedType type, int seed, double lo = -1, double hi = 1) => RuleHarness.Uniform(type, new Random(seed), lo, hi);

    /// <summary>
    /// The JVP of <paramref name="f"/> in a random direction of the <paramref name="differentiable"/> inputs against
    /// central differences (|jvp - fd| ≤ tol (1 + |fd|)); primal results must equal f's bit for bit. Returns the
    /// tangents of the results.
    /// </summary>
    private static Buffer[] CheckJvp(Function f, bool[] differentiable, Buffer[] inputs, double tol = 1e-6, int seed = 0, Buffer[]? tangents = null)
    {
        var jvp = JvpPass.Apply(f, differentiable);
        Verifier.Verify(jvp);
        var rng = new Random(seed);
        tangents ??= inputs.Where((_, i) => differentiable[i]).Select(b => RuleHarness.Uniform(b.Type, rng, -1, 1)).ToArray();
        var outs = Interpreter.Run(jvp, [.. inputs, .. tangents]);
        int n = f.ResultTypes.Count;
        var primal = Interpreter.Run(f, inputs);
        const double h = 1e-6;
        Buffer[] Shift(double step)
        {
            int k = 0;
            return inputs.Select((b, i) => differentiable[i] ? RuleHarness.Axpy(b, tangents[k++], step) : b).ToArray();
        }
        var fp = Interpreter.Run(f, Shift(h));
        var fm = Interpreter.Run(f, Shift(-h));
        for (int r = 0; r < n; r++)
        {
            Assert.True(primal[r].BitwiseEquals(outs[r]), $"@{f.Name}: jvp primal output {r} differs");
            if (!f.ResultTypes[r].DType.IsFloat()) continue;
            for (int i = 0; i < outs[n + r].Length; i++)
            {
                double fd = (fp[r].GetDouble(i) - fm[r].GetDouble(i)) / (2 * h);
                double jv = outs[n + r].GetDouble(i);
                Assert.True(Math.Abs(jv - fd) <= tol * (1 + Math.Abs(fd)), $"@{f.Name}: tangent of result {r}[{i}] is {jv}, central difference {fd}");
            }
        }
        return outs.Skip(n).ToArray();
    }

    /// <summary>
    /// <paramref name="linear"/>'s first <paramref name="numKnown"/> parameters are fixed at <paramref name="known"/>;
    /// checks ⟨L t, c⟩ = ⟨t, Lᵀ c⟩ for random t and c, with Lᵀ from the transpose pass.
    /// </summary>
    private static void CheckTranspose(Function linear, Buffer[] known, int seed = 0)
    {
        int numKnown = known.Length;
        var transposed = TransposePass.Apply(linear, numKnown);
        Verifier.Verify(transposed);
        var t = linear.ParameterTypes.Skip(numKnown).Select((type, i) => Random(type, seed * 100 + i)).ToArray();
        var c = linear.ResultTypes.Select((type, i) => Random(JvpPass.TangentType(type), seed * 100 + 50 + i)).ToArray();
        var lt = Interpreter.Run(linear, [.. known, .. t]);
        var ltc = Interpreter.Run(transposed, [.. known, .. c]);
        double lhs = lt.Zip(c).Sum(p => RuleHarness.Dot(p.First, p.Second));
        double rhs = t.Zip(ltc).Sum(p => RuleHarness.Dot(p.First, p.Second));
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"@{linear.Name}: <L t, c> = {lhs} but <t, L^T c> = {rhs}");
        Assert.NotEqual(0.0, lhs);
    }

    /// <summary>
    /// Reverse mode of <paramref name="f"/> (all float inputs differentiable) against central differences: the
    /// gradient of ⟨f(x), c⟩ for a random c, in a random direction.
    /// </summary>
    private static void CheckVjp(Function f, Buffer[] inputs, int seed = 0)
    {
        var differentiable = inputs.Select(b => b.DType.IsFloat()).ToArray();
        var vjp = Autodiff.Vjp(f, differentiable);
        Verifier.Verify(vjp.Forward);
        Verifier.Verify(vjp.Backward);
        int n = f.ResultTypes.Count;
        var forward = Interpreter.Run(vjp.Forward, inputs);
        var primal = Interpreter.Run(f, inputs);
        for (int r = 0; r < n; r++) Assert.True(primal[r].BitwiseEquals(forward[r]), $"@{f.Name}: vjp forward result {r} differs");
        var c = f.ResultTypes.Select((type, i) => Random(JvpPass.TangentType(type), seed * 100 + 50 + i)).ToArray();
        var grads = Interpreter.Run(vjp.Backward, [.. forward.Skip(n), .. c]);
        var direction = inputs.Where(b => b.DType.IsFloat()).Select((b, i) => Random(b.Type, seed * 100 + i)).ToArray();
        const double h = 1e-6;
        double Objective(double step)
        {
            int k = 0;
            var shifted = inputs.Select(b => b.DType.IsFloat() ? RuleHarness.Axpy(b, direction[k++], step) : b).ToArray();
            return Interpreter.Run(f, shifted).Zip(c).Where(p => p.First.DType.IsFloat()).Sum(p => RuleHarness.Dot(p.First, p.Second));
        }
        double fd = (Objective(h) - Objective(-h)) / (2 * h);
        double analytic = grads.Zip(direction).Sum(p => RuleHarness.Dot(p.First, p.Second));
        Assert.True(Math.Abs(analytic - fd) <= 1e-6 * (1 + Math.Abs(fd)), $"@{f.Name}: <grad, d> = {analytic}, central difference {fd}");
    }

    private static Value[] EmitScan(Emitter e, Value[] consts, Value[] init, Value[] xs, int length, Block body, bool reverse = false) =>
        e.Emit(Prims.Scan, [.. consts, .. init, .. xs], ScanAttributes(consts.Length, init.Length, length, reverse), [body]).ToArray();

    // ---- cond ----

    /// <summary>Three branches on (x: f64[3], y: f64[3]) returning (f64[3], f64[3]).</summary>
    private static Block[] ThreeBranches() =>
    [
        Region([V3, V3], (e, a) => [e.Mul(e.Sin(a[0]), a[1]), a[0]]),
        Region([V3, V3], (e, a) => [e.Add(e.Mul(a[0], a[0]), a[1]), e.Exp(a[1])]),
        Region([V3, V3], (e, a) => [a[1], e.Full(V3, 3)]),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-4)]
    [InlineData(9)]
    public void Cond_jvp_matches_central_differences_in_the_branch_the_index_picks(int index)
    {
        RuleHarness.CheckJvp(Prims.Cond, Attributes.Empty, [Buffer.Scalar(index), Vector(0.3, -1.2, 2.0), Vector(1.5, 0.25, -0.7)], regions: ThreeBranches());
    }

    [Fact]
    public void Cond_jvp_gives_every_branch_the_tangents_any_branch_has()
    {
        var f = RuleHarness.Single(Prims.Cond, [I32, V3, V3], Attributes.Empty, ThreeBranches());
        var jvp = JvpPass.Apply(f, [false, true, false]);
        var cond = jvp.Body.Operations.Single(op => op.Primitive == Prims.Cond);
        // One tangent operand (x's), and both results get tangents in every branch (branch 2's are zeros).
        Assert.Equal(4, cond.Operands.Count);
        Assert.All(cond.Regions, r => Assert.Equal(4, r.Results.Count));
        var t = Vector(1, 2, 3);
        var x = Vector(0.5, -1, 2);
        var outs = Interpreter.Run(jvp, Buffer.Scalar(2), x, Vector(1, 1, 1), t);
        Assert.Equal(new double[3], outs[2].Span<double>().ToArray());
        Assert.Equal(new double[3], outs[3].Span<double>().ToArray());
        outs = Interpreter.Run(jvp, Buffer.Scalar(1), x, Vector(1, 1, 1), t);
        Assert.Equal(new[] { 2 * 0.5 * 1, 2 * -1.0 * 2, 2 * 2.0 * 3 }, outs[2].Span<double>().ToArray());
    }

    [Fact]
    public void Cond_jvp_with_a_bool_predicate_differentiates_the_chosen_branch()
    {
        Block[] branches =
        [
            Region([F64], (e, a) => [e.Cos(a[0])]),
            Region([F64], (e, a) => [e.Mul(a[0], e.Mul(a[0], a[0]))]),
        ];
        var f = RuleHarness.Single(Prims.Cond, [Bool, F64], Attributes.Empty, branches);
        var x = 0.7;
        var dTrue = CheckJvp(f, [false, true], [Buffer.Scalar(true), Buffer.Scalar(x)], tangents: [Buffer.Scalar(1.0)]);
        Assert.Equal(3 * x * x, dTrue[0].GetDouble(0), 12);
        var dFalse = CheckJvp(f, [false, true], [Buffer.Scalar(false), Buffer.Scalar(x)], tangents: [Buffer.Scalar(1.0)]);
        Assert.Equal(-Math.Sin(x), dFalse[0].GetDouble(0), 12);
    }

    [Fact]
    public void Cond_batching_with_an_unbatched_index_batches_the_branches()
    {
        var x = Random(Mat(4, 3), 1);
        var y = Random(V3, 2);
        foreach (var index in new[] { 0, 1, 2 })
            RuleHarness.CheckBatch(Prims.Cond, Attributes.Empty, [Buffer.Scalar(index), x, y], [null, 0, null], ThreeBranches());
        RuleHarness.CheckBatch(Prims.Cond, Attributes.Empty, [Buffer.Scalar(1), Random(Mat(3, 4), 3), y], [null, 1, null], ThreeBranches());
    }

    [Fact]
    public void Cond_batching_with_a_batched_index_selects_each_examples_branch()
    {
        var index = Ints(0, 1, 2, -3, 7, 1);
        RuleHarness.CheckBatch(Prims.Cond, Attributes.Empty, [index, Random(Mat(6, 3), 1), Random(V3, 2)], [0, 0, null], ThreeBranches());
        RuleHarness.CheckBatch(Prims.Cond, Attributes.Empty, [index, Random(V3, 3), Random(Mat(3, 6), 4)], [0, null, 1], ThreeBranches());
        // Only the index is batched: the branch results are broadcast, then selected.
        RuleHarness.CheckBatch(Prims.Cond, Attributes.Empty, [index, Random(V3, 5), Random(V3, 6)], [0, null, null], ThreeBranches());
    }

    [Fact]
    public void Cond_batching_of_a_batched_bool_predicate_turns_cond_into_select()
    {
        Block[] branches =
        [
            Region([V3], (e, a) => [e.Neg(a[0])]),
            Region([V3], (e, a) => [Scale(e, a[0], 2)]),
        ];
        var pred = Buffer.Of(new[] { true, false, false, true });
        RuleHarness.CheckBatch(Prims.Cond, Attributes.Empty, [pred, Random(Mat(4, 3), 7)], [0, 0], branches);
        var f = RuleHarness.Single(Prims.Cond, [Bool, V3], Attributes.Empty, branches);
        var batched = VmapPass.Apply(f, [0, 0], [0], Dim.Of(4));
        Assert.DoesNotContain(batched.Body.Operations, op => op.Primitive == Prims.Cond);
        Assert.Contains(batched.Body.Operations, op => op.Primitive == Prims.Select);
    }

    [Fact]
    public void Cond_transpose_satisfies_the_dot_product_identity()
    {
        // (index, r known; t linear): branch 0: r * t, branch 1: t + r * t, branch 2: zeros; each also returns r (not linear).
        Block[] branches =
        [
            Region([V3, V3], (e, a) => [e.Mul(a[0], a[1]), a[0]]),
            Region([V3, V3], (e, a) => [e.Add(a[1], e.Mul(a[0], a[1])), e.Sin(a[0])]),
            Region([V3, V3], (e, a) => [e.Zeros(V3), a[0]]),
        ];
        var linear = Fn("cond_linear", [I32, V3, V3], (e, a) => [e.Emit(Prims.Cond, a, Attributes.Empty, branches)[0]]);
        foreach (var index in new[] { 0, 1 })
            CheckTranspose(linear, [Buffer.Scalar(index), Vector(0.5, -2, 1.5)], seed: index);
        var transposed = TransposePass.Apply(linear, 2);
        var zero = Interpreter.Run(transposed, Buffer.Scalar(2), Vector(1, 2, 3), Vector(4, 5, 6));
        Assert.Equal(new double[3], zero[0].Span<double>().ToArray());
    }

    // ---- while ----

    /// <summary>
    /// Horner-style loop on (n: i32 cond const; c: f64 body const; i: i32, y: f64, x: f64 carry): while i &lt; n,
    /// (i, y, x) ← (i + 1, y x + c, x). From i = 0: y_n = y0 xⁿ + c Σ_{k&lt;n} xᵏ.
    /// </summary>
    private static Function HornerLoop()
    {
        var cond = Region([I32, I32, F64, F64], (e, a) => [e.Lt(a[1], a[0])]);
        var body = Region([F64, I32, F64, F64], (e, a) => [e.Add(a[1], e.Full(I32, 1)), e.Add(e.Mul(a[2], a[3]), a[0]), a[3]]);
        return Fn("horner", [I32, F64, I32, F64, F64], (e, a) => e.Emit(Prims.While, a, WhileAttributes(1, 1), [cond, body]));
    }

    [Fact]
    public void While_jvp_of_a_polynomial_loop_matches_its_closed_form_derivatives()
    {
        var f = HornerLoop();
        double x = 0.8, c = 1.5, y0 = 2;
        const int n = 5;
        Buffer[] inputs = [Buffer.Scalar(n), Buffer.Scalar(c), Buffer.Scalar(0), Buffer.Scalar(y0), Buffer.Scalar(x)];
        CheckJvp(f, [false, true, false, true, true], inputs);
        double dydx = n * y0 * Math.Pow(x, n - 1) + c * Enumerable.Range(1, n - 1).Sum(k => k * Math.Pow(x, k - 1));
        double dydc = Enumerable.Range(0, n).Sum(k => Math.Pow(x, k));
        var byX = CheckJvp(f, [false, false, false, false, true], inputs, tangents: [Buffer.Scalar(1.0)]);
        Assert.Equal(dydx, byX[1].GetDouble(0), 10);
        Assert.Equal(1.0, byX[2].GetDouble(0));
        var byC = CheckJvp(f, [false, true, false, false, false], inputs, tangents: [Buffer.Scalar(1.0)]);
        Assert.Equal(dydc, byC[1].GetDouble(0), 10);
        Assert.Equal(0.0, byC[2].GetDouble(0));
    }

    [Fact]
    public void While_jvp_gives_a_carry_a_tangent_once_the_body_feeds_it_one()
    {
        // Only the body constant c has a tangent; y's (zero at the start) and the loop's output tangent come from the fixpoint.
        var jvp = JvpPass.Apply(HornerLoop(), [false, true, false, false, false]);
        var loop = jvp.Body.Operations.Single(op => op.Primitive == Prims.While);
        Assert.Equal(2, loop.Attributes.Int("body_nconsts"));
        Assert.Equal(4, loop.Results.Count);
        var outs = Interpreter.Run(jvp, Buffer.Scalar(3), Buffer.Scalar(1.0), Buffer.Scalar(0), Buffer.Scalar(0.0), Buffer.Scalar(2.0), Buffer.Scalar(1.0));
        Assert.Equal(1 + 2 + 4.0, outs[4].GetDouble(0));
    }

    [Fact]
    public void While_batching_with_an_unbatched_predicate_runs_one_loop()
    {
        var f = HornerLoop();
        var cond = f.Body.Operations[0].Regions[0];
        var body = f.Body.Operations[0].Regions[1];
        Buffer[] inputs = [Buffer.Scalar(4), Vector(0.5, 1, -2), Buffer.Scalar(0), Buffer.Scalar(1.0), Vector(0.9, -0.4, 1.1)];
        RuleHarness.CheckBatch(Prims.While, WhileAttributes(1, 1), inputs, [null, 0, null, null, 0], [cond, body]);
        RuleHarness.CheckBatch(Prims.While, WhileAttributes(1, 1), [inputs[0], Buffer.Scalar(0.5), inputs[2], Vector(1, 2, 3), Buffer.Scalar(0.9)], [null, null, null, 0, null], [cond, body]);
        var batched = VmapPass.Apply(RuleHarness.Single(Prims.While, [I32, F64, I32, F64, F64], WhileAttributes(1, 1), [cond, body]),
            [null, 0, null, null, null], [0, 0, 0], Dim.Of(3));
        var loop = batched.Body.Operations.Single(op => op.Primitive == Prims.While);
        Assert.Equal(I32, loop.Results[0].Type);
    }

    [Fact]
    public void While_batching_with_a_batched_predicate_loops_while_any_example_runs()
    {
        var f = HornerLoop();
        var cond = f.Body.Operations[0].Regions[0];
        var body = f.Body.Operations[0].Regions[1];
        // Each example has its own trip count.
        Buffer[] inputs = [Ints(0, 3, 1, 6), Buffer.Scalar(0.5), Buffer.Scalar(0), Buffer.Scalar(1.0), Vector(0.9, -0.4, 1.1, 0.7)];
        RuleHarness.CheckBatch(Prims.While, WhileAttributes(1, 1), inputs, [0, null, null, null, 0], [cond, body]);
        RuleHarness.CheckBatch(Prims.While, WhileAttributes(1, 1), [inputs[0], inputs[1], inputs[2], inputs[3], Buffer.Scalar(0.9)], [0, null, null, null, null], [cond, body]);
        // The predicate depends on a batched carry: double y until it passes 10.
        var grow = Region([F64], (e, a) => [e.Lt(a[0], e.Full(F64, 10))]);
        var twice = Region([F64], (e, a) => [e.Add(Scale(e, a[0], 2), e.Full(F64, 1))]);
        RuleHarness.CheckBatch(Prims.While, WhileAttributes(0, 0), [Vector(-0.5, 0.1, 3, 12, 9.5)], [0], [grow, twice]);
    }

    [Fact]
    public void While_reverse_mode_raises_the_documented_error()
    {
        var f = Fn("loop", [F64], (e, a) =>
        {
            var cond = Region([F64], (r, v) => [r.Lt(v[0], r.Full(F64, 10))]);
            var body = Region([F64], (r, v) => [Scale(r, v[0], 2)]);
            return e.Emit(Prims.While, a, WhileAttributes(0, 0), [cond, body]);
        });
        var error = Assert.Throws<NotSupportedException>(() => Autodiff.Vjp(f, [true]));
        Assert.Contains("reverse-mode differentiation does not work for while loops with a dynamic trip count", error.Message);
        Assert.Contains("fori_loop", error.Message);
        Assert.Contains("scan", error.Message);
    }

    // ---- scan ----

    /// <summary>An RNN step on (w, b: consts f64[3]; h: carry f64[3]; x: f64[3]): h' = tanh(w h + x + b), y = h' x.</summary>
    private static Block RnnBody() => Region([V3, V3, V3, V3], (e, a) =>
    {
        var h = e.Tanh(e.Add(e.Add(e.Mul(a[0], a[2]), a[3]), a[1]));
        return [h, e.Mul(h, a[3])];
    });

    private static Buffer[] RnnInputs(int seed) => [Random(V3, seed), Random(V3, seed + 1), Random(V3, seed + 2), Random(Mat(4, 3), seed + 3)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scan_jvp_of_an_rnn_matches_central_differences(bool reverse)
    {
        RuleHarness.CheckJvp(Prims.Scan, ScanAttributes(2, 1, 4, reverse), RnnInputs(10), regions: [RnnBody()]);
    }

    [Fact]
    public void Scan_jvp_gives_the_carry_a_tangent_that_flows_in_from_the_xs()
    {
        var f = RuleHarness.Single(Prims.Scan, [V3, V3, V3, Mat(4, 3)], ScanAttributes(2, 1, 4), [RnnBody()]);
        var tangents = CheckJvp(f, [false, false, false, true], RnnInputs(20));
        var jvp = JvpPass.Apply(f, [false, false, false, true]);
        var scan = jvp.Body.Operations.Single(op => op.Primitive == Prims.Scan);
        Assert.Equal(2, scan.Attributes.Int("num_carry"));
        Assert.Equal(2, scan.Attributes.Int("num_consts"));
        Assert.Contains(tangents[0].Span<double>().ToArray(), v => v != 0);
    }

    [Fact]
    public void Scan_jvp_leaves_an_integer_counter_without_a_tangent()
    {
        // fori_loop-style: carry (i: i32, s: f64), s' = s + x * i, y = s'.
        var body = Region([I32, F64, F64], (e, a) =>
        {
            var s = e.Add(a[1], e.Mul(a[2], e.ConvertElementType(a[0], DType.Float64)));
            return [e.Add(a[0], e.Full(I32, 1)), s, s];
        });
        var f = RuleHarness.Single(Prims.Scan, [I32, F64, Vec(5)], ScanAttributes(0, 2, 5), [body]);
        var d = CheckJvp(f, [false, true, true], [Buffer.Scalar(0), Buffer.Scalar(0.5), Vector(1, 2, 3, 4, 5)],
            tangents: [Buffer.Scalar(1.0), Vector(1, 1, 1, 1, 1)]);
        Assert.Equal(1 + 0 + 1 + 2 + 3 + 4.0, d[1].GetDouble(0));
        Assert.Equal(new[] { 1.0, 2, 4, 7, 11 }, d[2].Span<double>().ToArray());
    }

    [Fact]
    public void Scan_batching_matches_running_each_example()
    {
        var body = RnnBody();
        var attributes = ScanAttributes(2, 1, 4);
        // Batched xs at 0 and at 1; batched consts; a batched carry; only a batched const (the carry becomes batched).
        RuleHarness.CheckBatch(Prims.Scan, attributes, [Random(V3, 1), Random(V3, 2), Random(V3, 3), Random(new ShapedType(DType.Float64, Shape.Of(5, 4, 3)), 4)], [null, null, null, 0], [body]);
        RuleHarness.CheckBatch(Prims.Scan, attributes, [Random(V3, 1), Random(V3, 2), Random(V3, 3), Random(new ShapedType(DType.Float64, Shape.Of(4, 5, 3)), 4)], [null, null, null, 1], [body]);
        RuleHarness.CheckBatch(Prims.Scan, attributes, [Random(Mat(5, 3), 1), Random(V3, 2), Random(Mat(3, 5), 3), Random(Mat(4, 3), 4)], [0, null, 1, null], [body]);
        RuleHarness.CheckBatch(Prims.Scan, ScanAttributes(2, 1, 4, reverse: true), [Random(V3, 1), Random(Mat(3, 5), 2), Random(V3, 3), Random(Mat(4, 3), 4)], [null, 1, null, null], [body]);
    }

    [Fact]
    public void Scan_batching_keeps_unbatched_carries_and_ys_unbatched()
    {
        // carry (i: i32, s: f64[3]); s' = s + x; ys: (i, s'). Only x is batched: the counter and its ys stay unbatched.
        var body = Region([I32, V3, V3], (e, a) => [e.Add(a[0], e.Full(I32, 1)), e.Add(a[1], a[2]), a[0], e.Add(a[1], a[2])]);
        var f = RuleHarness.Single(Prims.Scan, [I32, V3, Mat(4, 3)], ScanAttributes(0, 2, 4), [body]);
        var batched = VmapPass.Apply(f, [null, null, 2], [null, 0, null, 0], Dim.Of(2));
        Verifier.Verify(batched);
        Assert.Equal(I32, batched.ResultTypes[0]);
        Assert.Equal(new ShapedType(DType.Int32, Shape.Of(4)), batched.ResultTypes[2]);
        var xs = Random(new ShapedType(DType.Float64, Shape.Of(4, 3, 2)), 9);
        var outs = Interpreter.Run(batched, Buffer.Scalar(0), Vector(1, 2, 3), xs);
        for (int b = 0; b < 2; b++)
        {
            var expected = Interpreter.Run(f, Buffer.Scalar(0), Vector(1, 2, 3), RuleHarness.Example(xs, 2, b));
            Assert.True(expected[1].BitwiseEquals(RuleHarness.Example(outs[1], 0, b)));
            Assert.True(expected[3].BitwiseEquals(RuleHarness.Example(outs[3], 0, b)));
            Assert.Equal(new[] { 0, 1, 2, 3 }, outs[2].Span<int>().ToArray());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scan_transpose_satisfies_the_dot_product_identity(bool reverse)
    {
        // Known: w (const), x (xs); linear: a (const), h (carry), u (xs). h' = w h + a x + u; ys: h', 3 u.
        var body = Region([V3, V3, V3, V3, V3], (e, a) =>
        {
            var h = e.Add(e.Add(e.Mul(a[0], a[2]), e.Mul(a[1], a[3])), a[4]);
            return [h, h, Scale(e, a[4], 3)];
        });
        var linear = Fn("scan_linear", [V3, Mat(4, 3), V3, V3, Mat(4, 3)], (e, a) =>
            EmitScan(e, [a[0], a[2]], [a[3]], [a[1], a[4]], 4, body, reverse));
        CheckTranspose(linear, [Random(V3, 1), Random(Mat(4, 3), 2)], seed: reverse ? 1 : 0);
    }

    [Fact]
    public void Scan_transpose_runs_known_carries_forward_as_residuals()
    {
        // Carry (i: i32 known, p: f64 known, h: f64[3] linear); p' = 0.5 p, h' = p i h + u; ys: h', p (known).
        var body = Region([I32, F64, V3, V3], (e, a) =>
        {
            var coefficient = e.Mul(a[1], e.ConvertElementType(a[0], DType.Float64));
            var h = e.Add(e.Mul(e.BroadcastInDim(coefficient, V3.Shape, []), a[2]), a[3]);
            return [e.Add(a[0], e.Full(I32, 1)), Scale(e, a[1], 0.5), h, h, a[1]];
        });
        var linear = Fn("scan_known_carry", [I32, F64, V3, Mat(5, 3)], (e, a) =>
        {
            var r = EmitScan(e, [], [a[0], a[1], a[2]], [a[3]], 5, body);
            return [r[2], r[3]];
        });
        CheckTranspose(linear, [Buffer.Scalar(1), Buffer.Scalar(0.9)]);
    }

    [Fact]
    public void Scan_transpose_treats_a_carry_that_starts_at_known_zeros_as_linear()
    {
        // The JVP's instantiated zero tangent: the carry starts at a known zero and the body adds linear xs.
        var body = Region([V3, V3, V3], (e, a) => [e.Add(a[0], e.Mul(a[1], a[2])), a[0]]);
        var linear = Fn("scan_zero_start", [Mat(3, 3), Mat(3, 3)], (e, a) => EmitScan(e, [], [e.Zeros(V3)], [a[0], a[1]], 3, body));
        CheckTranspose(linear, [Random(Mat(3, 3), 4)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reverse_mode_through_an_rnn_scan_matches_finite_differences(bool reverse)
    {
        var f = RuleHarness.Single(Prims.Scan, [V3, V3, V3, Mat(4, 3)], ScanAttributes(2, 1, 4, reverse), [RnnBody()]);
        CheckVjp(f, RnnInputs(30));
    }

    [Fact]
    public void Reverse_mode_through_a_cond_inside_a_scan_matches_finite_differences()
    {
        // carry (i: i32, h: f64[3]); each step: h' = i even ? sin(h) * x : h + x * x, y = cos(h') (a primal use of
        // the cond's result inside the body: transposition must recompute h' apart from the tangents).
        var branches = new[]
        {
            Region([V3, V3], (e, a) => [e.Add(a[0], e.Mul(a[1], a[1]))]),
            Region([V3, V3], (e, a) => [e.Mul(e.Sin(a[0]), a[1])]),
        };
        var body = Region([I32, V3, V3], (e, a) =>
        {
            var even = e.Eq(e.Rem(a[0], e.Full(I32, 2)), e.Zeros(I32));
            var h = e.Emit(Prims.Cond, [even, a[1], a[2]], Attributes.Empty, branches)[0];
            return [e.Add(a[0], e.Full(I32, 1)), h, e.Cos(h)];
        });
        var f = Fn("rnn_cond", [V3, Mat(5, 3)], (e, a) => EmitScan(e, [], [e.Zeros(I32), a[0]], [a[1]], 5, body).Skip(1));
        CheckVjp(f, [Random(V3, 40), Random(Mat(5, 3), 41)]);
        CheckJvp(f, [true, true], [Random(V3, 40), Random(Mat(5, 3), 41)]);
    }

    [Fact]
    public void Reverse_mode_through_a_cond_matches_finite_differences()
    {
        var f = RuleHarness.Single(Prims.Cond, [I32, V3, V3], Attributes.Empty, ThreeBranches());
        foreach (var index in new[] { 0, 1, 2 })
            CheckVjp(f, [Buffer.Scalar(index), Vector(0.3, -1.2, 2.0), Vector(1.5, 0.25, -0.7)], seed: index);
    }

    [Fact]
    public void Reverse_mode_through_nested_scans_matches_finite_differences()
    {
        // Outer carry h: f64[3], xs: rows of a 4x3 matrix; the inner scan runs h ← tanh(h * x + w) three times (w: outer const).
        var inner = Region([V3, V3, V3], (e, a) => [e.Tanh(e.Add(e.Mul(a[2], a[1]), a[0]))]);
        var outer = Region([V3, V3, V3], (e, a) =>
        {
            var h = EmitScan(e, [a[0], a[2]], [a[1]], [], 3, inner)[0];
            return [h, e.Exp(h)];
        });
        var f = Fn("nested", [V3, V3, Mat(4, 3)], (e, a) => EmitScan(e, [a[0]], [a[1]], [a[2]], 4, outer));
        Buffer[] inputs = [Random(V3, 60), Random(V3, 61), Random(Mat(4, 3), 62)];
        CheckVjp(f, inputs);
        CheckJvp(f, [true, true, true], inputs);
    }
}
