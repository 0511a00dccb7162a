using static JaxToolchain.Ir.Tests.Primitives.TestOps;

namespace JaxToolchain.Ir.Tests.Primitives;

public class ControlFlowTests
{
    private static readonly ShapedType I64 = ShapedType.Scalar(DType.Int64);
    private static readonly ShapedType F64 = ShapedType.Scalar(DType.Float64);
    private static readonly ShapedType I32 = ShapedType.Scalar(DType.Int32);

    private static Buffer[] Eval(Primitive p, Attributes attributes, Block[] regions, params Buffer[] operands) =>
        p.Evaluate(operands, attributes, regions, Interpreter.Default);

    private static Attributes WhileAttributes(int condConsts, int bodyConsts) =>
        Attributes.Of(("cond_nconsts", condConsts), ("body_nconsts", bodyConsts));

    private static Attributes ScanAttributes(int consts, int carry, int length, bool reverse = false) =>
        Attributes.Of(("num_consts", consts), ("num_carry", carry), ("length", length), ("reverse", reverse));

    private static Block[] ThreeBranches() =>
    [
        Region([F64, F64], (b, a) => [b.Emit1(Prims.Add, [a[0], a[1]])]),
        Region([F64, F64], (b, a) => [b.Emit1(Prims.Mul, [a[0], a[1]])]),
        Region([F64, F64], (b, a) => [b.Emit1(Prims.Sub, [a[0], a[1]])]),
    ];

    [Theory]
    [InlineData(0, 10.0)]
    [InlineData(1, 21.0)]
    [InlineData(2, 4.0)]
    [InlineData(-5, 10.0)]
    [InlineData(7, 4.0)]
    public void Cond_runs_the_branch_of_the_clamped_index(int index, double expected)
    {
        var result = Eval(Prims.Cond, Attributes.Empty, ThreeBranches(), Buffer.Scalar(index), Buffer.Scalar(7.0), Buffer.Scalar(3.0));
        Assert.Equal(expected, result.Single().Span<double>()[0]);
    }

    [Fact]
    public void Cond_with_a_bool_predicate_runs_branch_one_when_true()
    {
        var branches = ThreeBranches()[..2];
        Assert.Equal(21.0, Eval(Prims.Cond, Attributes.Empty, branches, Buffer.Scalar(true), Buffer.Scalar(7.0), Buffer.Scalar(3.0)).Single().Span<double>()[0]);
        Assert.Equal(10.0, Eval(Prims.Cond, Attributes.Empty, branches, Buffer.Scalar(false), Buffer.Scalar(7.0), Buffer.Scalar(3.0)).Single().Span<double>()[0]);
    }

    [Fact]
    public void Cond_results_are_weak_only_where_every_branch_result_is_weak()
    {
        var weak = F64 with { Weak = true };
        Block[] branches =
        [
            Region([weak, F64], (b, a) => [a[0], a[1]]),
            Region([weak, F64], (b, a) => [a[0], a[0]]),
        ];
        var types = Prims.Cond.InferTypes([I32, weak, F64], Attributes.Empty, branches);
        Assert.Equal(new[] { weak, F64 }, types);
    }

    [Fact]
    public void Cond_checks_the_index_and_the_branch_signatures()
    {
        var branches = ThreeBranches();
        var e = Assert.Throws<JaxTypeException>(() => Prims.Cond.InferTypes([F64, F64, F64], Attributes.Empty, branches));
        Assert.Equal("cond: index must be an int32 or bool scalar, got f64[]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Cond.InferTypes([I32, F64, I64], Attributes.Empty, branches));
        Assert.Equal("cond: branch 0 takes (f64[], f64[]), but is given (f64[], i64[])", e.Message);
        Block[] mismatched = [branches[0], Region([F64, F64], (b, a) => [a[0], a[1]])];
        e = Assert.Throws<JaxTypeException>(() => Prims.Cond.InferTypes([I32, F64, F64], Attributes.Empty, mismatched));
        Assert.Equal("cond: branch 1 returns (f64[], f64[]), but branch 0 returns (f64[])", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Cond.InferTypes([I32], Attributes.Empty, []));
        Assert.Equal("cond: needs at least one branch region, got none", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    public void While_computes_factorials(int n)
    {
        // cond consts (n, one), body const (one), carry (i, acc) from (1, 1): while i < n + 1: (i + 1, acc * i).
        var cond = Region([I64, I64, I64, I64], (b, a) => [b.Emit1(Prims.Lt, [a[2], b.Emit1(Prims.Add, [a[0], a[1]])])]);
        var body = Region([I64, I64, I64], (b, a) => [b.Emit1(Prims.Add, [a[1], a[0]]), b.Emit1(Prims.Mul, [a[2], a[1]])]);
        var result = Eval(Prims.While, WhileAttributes(2, 1), [cond, body],
            Buffer.Scalar((long)n), Buffer.Scalar(1L), Buffer.Scalar(1L), Buffer.Scalar(1L), Buffer.Scalar(1L));
        long expected = 1;
        for (int i = 2; i <= n; i++) expected *= i;
        Assert.Equal(n + 1L, result[0].Span<long>()[0]);
        Assert.Equal(expected, result[1].Span<long>()[0]);
    }

    [Fact]
    public void While_computes_fibonacci_numbers_with_a_counter()
    {
        // carry (k, a, b): while k < 50: (k + 1, b, a + b).
        var cond = Region([I64, I64, I64, I64], (b, a) => [b.Emit1(Prims.Lt, [a[1], a[0]])]);                           // limit, k, a, b
        var body = Region([I64, I64, I64, I64], (b, a) => [b.Emit1(Prims.Add, [a[1], a[0]]), a[3], b.Emit1(Prims.Add, [a[2], a[3]])]);   // one, k, a, b
        var result = Eval(Prims.While, WhileAttributes(1, 1), [cond, body],
            Buffer.Scalar(50L), Buffer.Scalar(1L), Buffer.Scalar(0L), Buffer.Scalar(0L), Buffer.Scalar(1L));
        long fa = 0, fb = 1;
        for (int k = 0; k < 50; k++) (fa, fb) = (fb, fa + fb);
        Assert.Equal(50L, result[0].Span<long>()[0]);
        Assert.Equal(fa, result[1].Span<long>()[0]);
        Assert.Equal(12586269025L, fa);
    }

    [Fact]
    public void While_checks_region_signatures()
    {
        var cond = Region([I64], (b, a) => [b.Emit1(Prims.Lt, [a[0], a[0]])]);
        var body = Region([I64], (b, a) => [b.Emit1(Prims.Add, [a[0], a[0]])]);
        Assert.Equal(new[] { I64 }, Prims.While.InferTypes([I64], WhileAttributes(0, 0), [cond, body]));
        var badCond = Region([I64], (b, a) => [a[0]]);
        var e = Assert.Throws<JaxTypeException>(() => Prims.While.InferTypes([I64], WhileAttributes(0, 0), [badCond, body]));
        Assert.Equal("while: cond returns (i64[]), but it must return (bool[])", e.Message);
        var badBody = Region([I64], (b, a) => [a[0], a[0]]);
        e = Assert.Throws<JaxTypeException>(() => Prims.While.InferTypes([I64], WhileAttributes(0, 0), [cond, badBody]));
        Assert.Equal("while: body returns (i64[], i64[]), but the carry is (i64[])", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.While.InferTypes([F64], WhileAttributes(0, 0), [cond, body]));
        Assert.Equal("while: cond takes (i64[]), but is given (f64[])", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.While.InferTypes([I64], WhileAttributes(1, 1), [cond, body]));
        Assert.Equal("while: cond_nconsts 1 + body_nconsts 1 exceed the 1 operands", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.While.InferTypes([I64], WhileAttributes(0, 0), [cond]));
        Assert.Equal("while: takes 2 regions (cond, body), got 1", e.Message);
    }

    private static Block CumulativeSumBody(ShapedType element) =>
        Region([element, element], (b, a) => b.Emit1(Prims.Add, [a[0], a[1]]) switch { var s => [s, s] });

    [Fact]
    public void Scan_computes_cumulative_sums_forward_and_reversed()
    {
        var xs = new[] { 1.0, 2.0, 3.0, 4.0, 5.0 };
        var body = CumulativeSumBody(F64);
        var forward = Eval(Prims.Scan, ScanAttributes(0, 1, 5), [body], Buffer.Scalar(10.0), Buffer.Of(xs));
        Assert.Equal(25.0, forward[0].Span<double>()[0]);
        Assert.Equal(new[] { 11.0, 13.0, 16.0, 20.0, 25.0 }, forward[1].Span<double>().ToArray());
        var reversed = Eval(Prims.Scan, ScanAttributes(0, 1, 5, reverse: true), [body], Buffer.Scalar(10.0), Buffer.Of(xs));
        Assert.Equal(25.0, reversed[0].Span<double>()[0]);
        Assert.Equal(new[] { 25.0, 24.0, 22.0, 19.0, 15.0 }, reversed[1].Span<double>().ToArray());
    }

    [Fact]
    public void Scan_with_consts_several_xs_and_vector_slices_stacks_ys_on_a_new_leading_axis()
    {
        var v3 = new ShapedType(DType.Float64, Shape.Of(3));
        // consts (w), carry (acc), xs (rows of a [4,3] matrix, and a [4] vector of scales):
        // acc' = acc + w * row; y0 = acc'; y1 = scale * scale.
        var body = Region([v3, v3, v3, F64], (b, a) =>
        {
            var acc = b.Emit1(Prims.Add, [a[1], b.Emit1(Prims.Mul, [a[0], a[2]])]);
            return [acc, acc, b.Emit1(Prims.Mul, [a[3], a[3]])];
        });
        var w = new[] { 1.0, 10.0, 100.0 };
        var rows = Enumerable.Range(0, 12).Select(i => (double)i).ToArray();
        var scales = new[] { 1.0, 2.0, 3.0, 4.0 };
        var types = Prims.Scan.InferTypes([v3, v3, new ShapedType(DType.Float64, Shape.Of(4, 3)), new ShapedType(DType.Float64, Shape.Of(4))], ScanAttributes(1, 1, 4), [body]);
        Assert.Equal(new[] { v3, new ShapedType(DType.Float64, Shape.Of(4, 3)), new ShapedType(DType.Float64, Shape.Of(4)) }, types);
        var result = Eval(Prims.Scan, ScanAttributes(1, 1, 4), [body], Buffer.Of(w), Buffer.Of(new double[3]), Buffer.Of(rows, 4, 3), Buffer.Of(scales));
        var expectedYs = new double[12];
        var acc = new double[3];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
                expectedYs[i * 3 + j] = acc[j] += w[j] * rows[i * 3 + j];
        Assert.Equal(acc, result[0].Span<double>().ToArray());
        Assert.Equal(expectedYs, result[1].Span<double>().ToArray());
        Assert.Equal(new[] { 1.0, 4.0, 9.0, 16.0 }, result[2].Span<double>().ToArray());
    }

    [Fact]
    public void Scan_of_length_zero_returns_the_initial_carry_and_empty_ys()
    {
        var result = Eval(Prims.Scan, ScanAttributes(0, 1, 0), [CumulativeSumBody(F64)], Buffer.Scalar(4.0), Buffer.Zeros(DType.Float64, Shape.Of(0)));
        Assert.Equal(4.0, result[0].Span<double>()[0]);
        Assert.Equal(Shape.Of(0), result[1].Shape);
    }

    [Fact]
    public void Scan_checks_lengths_and_region_signatures()
    {
        var body = CumulativeSumBody(F64);
        var xs = new ShapedType(DType.Float64, Shape.Of(5));
        var e = Assert.Throws<JaxTypeException>(() => Prims.Scan.InferTypes([F64, xs], ScanAttributes(0, 1, 4), [body]));
        Assert.Equal("scan: xs must have leading dimension length 4, got f64[5]", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Scan.InferTypes([I64, new ShapedType(DType.Int64, Shape.Of(5))], ScanAttributes(0, 1, 5), [body]));
        Assert.Equal("scan: body takes (f64[], f64[]), but is given (i64[], i64[])", e.Message);
        var badCarry = Region([F64, F64], (b, a) => [b.Emit1(Prims.Lt, [a[0], a[1]]), a[1]]);
        e = Assert.Throws<JaxTypeException>(() => Prims.Scan.InferTypes([F64, xs], ScanAttributes(0, 1, 5), [badCarry]));
        Assert.Equal("scan: body carry returns (bool[]), but the carry is (f64[])", e.Message);
        e = Assert.Throws<JaxTypeException>(() => Prims.Scan.InferTypes([F64, xs], ScanAttributes(0, 1, 5).With("reverse", 1), [body]));
        Assert.Equal("scan: attribute 'reverse' should be a boolean, got 1", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    public void Control_flow_nests_and_runs_inside_an_ir_function(int n)
    {
        // f(n, one, zero) = sum over k in [0, n) of (k odd ? k * k : k): a while loop carrying (k, parity, total)
        // whose body picks the term with a cond on the parity, then a cumsum/reduce_max of the result.
        var fn = new Block([I32, I32, I32]);
        var builder = new IrBuilder(fn);
        var (limit, one, zero) = (fn.Arguments[0], fn.Arguments[1], fn.Arguments[2]);
        var cond = Region([I32, I32, I32, I32], (b, a) => [b.Emit1(Prims.Lt, [a[1], a[0]])]);   // n, k, parity, total
        var body = Region([I32, I32, I32, I32], (b, a) =>                                  // one, k, parity, total
        {
            Block[] branches = [Region([I32], (_, x) => [x[0]]), Region([I32], (bb, x) => [bb.Emit1(Prims.Mul, [x[0], x[0]])])];
            var term = b.Emit1(Prims.Cond, [a[2], a[1]], regions: branches);
            return [b.Emit1(Prims.Add, [a[1], a[0]]), b.Emit1(Prims.Sub, [a[0], a[2]]), b.Emit1(Prims.Add, [a[3], term])];
        });
        var loop = builder.Emit(Prims.While, [limit, one, zero, zero, zero], WhileAttributes(1, 1), [cond, body]);
        fn.SetResults([loop[2]]);
        var function = new Function("odd_squares", fn);

        var result = Interpreter.Run(function, Buffer.Scalar(n), Buffer.Scalar(1), Buffer.Scalar(0)).Single();
        int expected = Enumerable.Range(0, n).Sum(k => k % 2 == 1 ? k * k : k);
        Assert.Equal(expected, result.Span<int>()[0]);
        Assert.Contains("while %0, %1, %2, %2, %2 {body_nconsts = 1, cond_nconsts = 1} (", function.ToString());
    }
}
