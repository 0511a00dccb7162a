using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

public class ElementwiseKernelTests
{
    private static readonly DType[] AllDTypes = DTypes.All.ToArray();

    /// <summary>A function applying <paramref name="primitive"/> to operands of <paramref name="dtype"/> and shape [n], or null when its type rule rejects them.</summary>
    private static Function? Apply(Primitive primitive, DType dtype, int arity, Attributes attributes)
    {
        var type = new ShapedType(dtype, new Shape(Dim.Sym("n")));
        var block = new Block(Enumerable.Repeat(type, arity));
        try
        {
            var result = new Emitter(block).Emit1(primitive, block.Arguments, attributes);
            block.SetResults([result]);
            return new Function($"{primitive.Name}_{dtype.ShortName()}", block);
        }
        catch (JaxTypeException)
        {
            return null;
        }
    }

    public static TheoryData<string> Primitives => new(
        "neg", "abs", "sign", "floor", "ceil", "sqrt", "rsqrt", "is_finite", "not", "population_count",
        "add", "sub", "mul", "div", "max", "min", "and", "or", "xor", "shift_left", "shift_right_logical", "shift_right_arithmetic",
        "eq", "ne", "lt", "le", "gt", "ge");

    [Theory]
    [MemberData(nameof(Primitives))]
    public void Compiled_elementwise_primitives_match_the_interpreter_bit_for_bit_for_every_dtype(string name)
    {
        var primitive = PrimitiveRegistry.Get(name);
        int arity = primitive is BinaryPrimitive or ComparePrimitive ? 2 : 1;
        int compiled = 0;
        foreach (var dtype in AllDTypes)
        {
            if (Apply(primitive, dtype, arity, Attributes.Empty) is not { } f) continue;
            foreach (int n in new[] { 0, 1, 7, 1000, 4099 })
            {
                var args = Enumerable.Range(0, arity).Select(k => CompiledKernels.Values(dtype, Shape.Of(n), seed: n * 31 + k)).ToArray();
                CompiledKernels.AssertMatchesInterpreter(f, args);
            }
            compiled++;
        }
        Assert.True(compiled > 0, $"{name} compiled for no dtype");
    }

    /// <summary>The primitives the math-expansion pass rewrites (by name, for the theory's display).</summary>
    public static TheoryData<string> ExpandedPrimitives => new(MathExpansionPass.ExpandablePrimitives.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(ExpandedPrimitives))]
    public void Compiled_transcendental_primitives_match_the_interpreter_within_the_expansion_tolerance(string name)
    {
        var primitive = PrimitiveRegistry.Get(name);
        int arity = primitive is BinaryPrimitive ? 2 : 1;
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16, DType.Float32, DType.Float64 })
        {
            var f = Apply(primitive, dtype, arity, Attributes.Empty) ?? throw new InvalidOperationException($"{name} rejects {dtype}");
            Assert.DoesNotContain(KernelCompilerPrepared(f).Body.Operations, op => MathExpansionPass.CanExpand(op.Primitive));
            foreach (int n in new[] { 0, 1, 7, 1000, 4099 })
            {
                var args = Enumerable.Range(0, arity).Select(k => CompiledKernels.Values(dtype, Shape.Of(n), seed: n * 17 + k)).ToArray();
                // Trigonometry is exact only below 2^16 pi/2 in float32 (MATH.md's limits): keep the arguments there.
                if (name is "sin" or "cos" or "tan")
                    foreach (var a in args)
                        for (long i = 0; i < a.LongLength; i++)
                            if (Math.Abs(a.GetDouble(i)) > 1e5) a.SetDouble(i, Math.IEEERemainder(a.GetDouble(i), 1e4));
                // The interpreter's lgamma (XLA's, bit for bit) loses the precision of subnormal arguments (pi x); the
                // expansion returns -log|x| there (MATH.md): compare where both are meant to be accurate.
                if (name is "lgamma")
                    foreach (var a in args)
                        for (long i = 0; i < a.LongLength; i++)
                            if (a.GetDouble(i) != 0 && Math.Abs(a.GetDouble(i)) < 1e-30) a.SetDouble(i, 1e-3);
                CompiledKernels.AssertMatchesInterpreter(f, args);
            }
        }
    }

    [Fact]
    public void A_kernel_computes_the_same_on_one_worker_as_on_all()
    {
        var f = Apply(Prims.Exp, DType.Float32, 1, Attributes.Empty)!;
        var x = CompiledKernels.Values(DType.Float32, Shape.Of(300_001), seed: 3);
        var all = CompiledKernels.Run(f, x)[0];
        uint workers = KernelThreadPool.WorkerCount;
        try
        {
            KernelThreadPool.WorkerCount = 1;
            Assert.True(all.BitwiseEquals(CompiledKernels.Run(f, x)[0]));
        }
        finally
        {
            KernelThreadPool.WorkerCount = workers;
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreadPool.WorkerCount = 0);
    }

    [Theory]
    [InlineData("f16")]
    [InlineData("bf16")]
    [InlineData("f32")]
    [InlineData("f64")]
    public void Max_and_min_propagate_a_nan_of_either_operand_and_order_signed_zeros(string dtype)
    {
        // A NaN broadcast against every special value, and ±0 against ±0.
        var f = IrParser.ParseFunction($$"""
            func @m(%0: {{dtype}}[], %1: {{dtype}}[n], %2: {{dtype}}[n]) -> ({{dtype}}[n], {{dtype}}[n], {{dtype}}[n], {{dtype}}[n]) {
              %3 = broadcast_in_dim %0 {broadcast_dimensions = [], shape = <n>} : {{dtype}}[n]
              %4 = neg %3 : {{dtype}}[n]
              %5 = neg %1 : {{dtype}}[n]
              %6 = min %4, %5 : {{dtype}}[n]
              %7 = max %5, %4 : {{dtype}}[n]
              %8 = min %1, %2 : {{dtype}}[n]
              %9 = max %1, %2 : {{dtype}}[n]
              return %6, %7, %8, %9
            }
            """);
        var type = f.ParameterTypes[0].DType;
        var nan = Buffer.Uninitialized(type, Shape.Scalar);
        nan.SetDouble(0, double.NaN);
        foreach (int n in new[] { 13, 1000 })
        {
            var x = CompiledKernels.Values(type, Shape.Of(n), seed: 9);
            var y = CompiledKernels.Values(type, Shape.Of(n), seed: 10);
            for (int i = 0; i < n; i += 2) { x.SetDouble(i, 0.0); y.SetDouble(i, -0.0); }
            CompiledKernels.AssertMatchesInterpreter(f, nan, x, y);
        }
    }

    private static Function KernelCompilerPrepared(Function f) => JaxToolchain.Backends.Cpu.Codegen.KernelCompiler.Prepare(f);

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    public void Round_matches_the_interpreter_for_both_rounding_methods(long method)
    {
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16, DType.Float32, DType.Float64 })
        {
            var f = Apply(Prims.Round, dtype, 1, Attributes.Of(("rounding_method", method)))!;
            var x = CompiledKernels.Values(dtype, Shape.Of(1000), seed: 5);
            for (int i = 20; i < 40; i++) x.SetDouble(i, i - 30 + 0.5);
            CompiledKernels.AssertMatchesInterpreter(f, x);
        }
    }

    [Fact]
    public void Conversions_between_every_pair_of_dtypes_match_the_interpreter()
    {
        foreach (var from in AllDTypes)
            foreach (var to in AllDTypes)
            {
                var f = Apply(Prims.ConvertElementType, from, 1, Attributes.Of(("new_dtype", to), ("weak_type", false)))!;
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(from, Shape.Of(300), seed: (int)from * 13 + (int)to));
            }
    }

    [Fact]
    public void Select_and_clamp_with_scalar_operands_match_the_interpreter()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[n], %1: f32[n], %2: f32[]) -> (f32[n], f32[n]) {
              %3 = gt %0, %1 : bool[n]
              %4 = select %3, %0, %1 : f32[n]
              %5 = clamp %2, %0, %1 : f32[n]
              return %4, %5
            }
            """);
        CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(DType.Float32, Shape.Of(999), 1),
            CompiledKernels.Values(DType.Float32, Shape.Of(999), 2), Buffer.Scalar(0.25f));
    }

    [Fact]
    public void A_fused_chain_with_broadcasts_and_iota_matches_the_interpreter_at_every_size()
    {
        var f = IrParser.ParseFunction("""
            func @chain(%0: f32[n,3], %1: f32[]) -> (f32[n,3], i32[n,3]) {
              %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <n,3>} : f32[n,3]
              %3 = mul %0, %2 : f32[n,3]
              %4 = add %3, %0 : f32[n,3]
              %5 = iota {dimension = 1, dtype = i32, shape = <n,3>} : i32[n,3]
              %6 = max %4, %0 : f32[n,3]
              return %6, %5
            }
            """);
        foreach (int n in new[] { 0, 1, 7, 1000, 4099, 100_000 })
            CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(DType.Float32, Shape.Of(n, 3), n), Buffer.Scalar(1.5f));
    }

    [Fact]
    public void A_broadcast_of_a_row_matches_the_interpreter()
    {
        var f = IrParser.ParseFunction("""
            func @rows(%0: f64[5]) -> (f64[4,5]) {
              %1 = broadcast_in_dim %0 {broadcast_dimensions = [1], shape = <4,5>} : f64[4,5]
              return %1
            }
            """);
        CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(DType.Float64, Shape.Of(5), 3));
    }

    [Fact]
    public void A_primitive_without_a_lowering_is_a_clear_not_supported_error()
    {
        var f = IrParser.ParseFunction("""
            func @s(%0: f32[4], %1: f32[4]) -> (f32[4]) {
              %2 = custom_lin %0, %1 {num_res = 1} (%3: f32[4], %4: f32[4]) {
                %5 = mul %4, %3 : f32[4]
                return %5
              } : f32[4]
              return %2
            }
            """);
        var e = Assert.Throws<NotSupportedException>(() => CompiledKernels.Run(f, Buffer.Of(new[] { 3f, 1, 2, 0 }), Buffer.Of(new[] { 3f, 1, 2, 0 })));
        Assert.Contains("'custom_lin'", e.Message);
    }
    /// <summary>
    /// erfc's tail, where the result is far below 1 and 1 - erf would be 0: the compiled kernel (the math expansion)
    /// against the interpreter, relative to the result, within MATH.md's bound plus the interpreter's own (4 and 9 ulps,
    /// and 4 each in float32), down to the subnormals (float32 from 9.2, float64 from 26.6).
    /// </summary>
    [Theory]
    [InlineData("f32", 11.0, 16)]
    [InlineData("f64", 28.0, 24)]
    public void Compiled_erfc_keeps_the_interpreters_tail(string dtype, double top, int ulps)
    {
        var f = IrParser.ParseFunction($"func @erfc_tail(%0: {dtype}[n]) -> ({dtype}[n]) {{\n  %1 = erfc %0 : {dtype}[n]\n  return %1\n}}");
        int n = 4001;
        var xs = Enumerable.Range(0, n).Select(i => -6 + (top + 6) * i / (n - 1)).ToArray();
        bool single = dtype == "f32";
        var x = single ? Buffer.FromSpan<float>([.. xs.Select(v => (float)v)], Shape.Of(n)) : Buffer.FromSpan<double>(xs, Shape.Of(n));
        var expected = Interpreter.Run(f, [x])[0];
        var actual = CompiledKernels.Run(f, x)[0];
        double epsilon = single ? Math.ScaleB(1, -23) : Math.ScaleB(1, -52), tiny = single ? float.Epsilon : double.Epsilon;
        int positive = 0;
        for (int i = 0; i < n; i++)
        {
            double e = expected.GetDouble(i), a = actual.GetDouble(i);
            Assert.True(Math.Abs(a - e) <= ulps * epsilon * Math.Abs(e) + 2 * tiny, $"erfc({x.GetDouble(i):R}) in {dtype}: compiled {a:R}, interpreter {e:R}");
            if (x.GetDouble(i) > 5 && e > 0) positive++;
        }
        Assert.True(positive > n / 10, $"only {positive} tail results are above 0");
    }
}
