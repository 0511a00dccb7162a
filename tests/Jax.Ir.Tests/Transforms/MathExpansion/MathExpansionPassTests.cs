using static JaxToolchain.Ir.Tests.Transforms.IrGolden;

namespace JaxToolchain.Ir.Tests.Transforms.MathExpansion;

/// <summary>
/// The pass as a pass: the form of an expansion (golden IR), what it leaves alone, regions, symbolic dimensions, weak
/// types, the options, and programs derived by grad and vmap.
/// </summary>
public class MathExpansionPassTests
{
    /// <summary>What expansions may emit: primitives every backend lowers one to one.</summary>
    private static readonly HashSet<Primitive> Lowerable =
    [
        Prims.Constant, Prims.BroadcastInDim, Prims.Add, Prims.Sub, Prims.Mul, Prims.Div, Prims.Neg, Prims.Abs, Prims.Max,
        Prims.Min, Prims.Floor, Prims.Round, Prims.Sqrt, Prims.Select, Prims.Eq, Prims.Ne, Prims.Lt, Prims.Le, Prims.Gt,
        Prims.Ge, Prims.And, Prims.Or, Prims.Not, Prims.ShiftLeft, Prims.ShiftRightArithmetic, Prims.ShiftRightLogical,
        Prims.ConvertElementType, Prims.BitcastConvertType, Prims.IsFinite,
    ];

    private static IEnumerable<Operation> AllOperations(Block block) =>
        block.Operations.SelectMany(op => op.Regions.SelectMany(AllOperations).Prepend(op));

    [Fact]
    public void Exp_of_float32_is_cody_waite_reduction_the_rational_kernel_and_a_two_step_scaling()
    {
        var output = Run(new MathExpansionPass(), """
            func @f(%0: f32[]) -> (f32[]) {
              %1 = exp %0 : f32[]
              return %1
            }
            """);
        AssertIr("""
            func @f(%0: f32[]) -> (f32[]) {
              %1 = constant {value = dense<f32[]: [-104.0]>} : f32[]
              %2 = lt %0, %1 : bool[]
              %3 = select %2, %1, %0 : f32[]
              %4 = constant {value = dense<f32[]: [89.0]>} : f32[]
              %5 = gt %3, %4 : bool[]
              %6 = select %5, %4, %3 : f32[]
              %7 = constant {value = dense<f32[]: [1.442695]>} : f32[]
              %8 = mul %6, %7 : f32[]
              %9 = round %8 {rounding_method = 1} : f32[]
              %10 = constant {value = dense<f32[]: [0.69314575]>} : f32[]
              %11 = mul %9, %10 : f32[]
              %12 = sub %6, %11 : f32[]
              %13 = constant {value = dense<f32[]: [1.4286068E-06]>} : f32[]
              %14 = mul %9, %13 : f32[]
              %15 = sub %12, %14 : f32[]
              %16 = mul %15, %15 : f32[]
              %17 = constant {value = dense<f32[]: [-0.0027667333]>} : f32[]
              %18 = mul %17, %16 : f32[]
              %19 = constant {value = dense<f32[]: [0.16666625]>} : f32[]
              %20 = add %18, %19 : f32[]
              %21 = mul %16, %20 : f32[]
              %22 = sub %15, %21 : f32[]
              %23 = mul %15, %22 : f32[]
              %24 = constant {value = dense<f32[]: [2.0]>} : f32[]
              %25 = sub %24, %22 : f32[]
              %26 = div %23, %25 : f32[]
              %27 = sub %14, %26 : f32[]
              %28 = sub %27, %12 : f32[]
              %29 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %30 = sub %29, %28 : f32[]
              %31 = convert_element_type %9 {new_dtype = i32, weak_type = false} : i32[]
              %32 = constant {value = dense<i32[]: [1]>} : i32[]
              %33 = shift_right_arithmetic %31, %32 : i32[]
              %34 = sub %31, %33 : i32[]
              %35 = constant {value = dense<i32[]: [127]>} : i32[]
              %36 = add %34, %35 : i32[]
              %37 = constant {value = dense<i32[]: [23]>} : i32[]
              %38 = shift_left %36, %37 : i32[]
              %39 = bitcast_convert_type %38 {new_dtype = f32} : f32[]
              %40 = mul %30, %39 : f32[]
              %41 = add %33, %35 : i32[]
              %42 = shift_left %41, %37 : i32[]
              %43 = bitcast_convert_type %42 {new_dtype = f32} : f32[]
              %44 = mul %40, %43 : f32[]
              %45 = ne %0, %0 : bool[]
              %46 = select %45, %0, %44 : f32[]
              return %46
            }
            """, output);
    }

    public static TheoryData<string, DType> EveryExpansion() => MathAccuracy.EveryExpansion();

    [Theory]
    [MemberData(nameof(EveryExpansion))]
    public void Every_expansion_verifies_and_emits_only_primitives_every_backend_lowers(string name, DType dtype)
    {
        var primitive = MathAccuracy.Expandable(name);
        var type = new ShapedType(dtype, new Shape(Dim.Sym("n"), Dim.Of(3)));
        var expanded = Run(new MathExpansionPass(), IrPrinter.Print(MathAccuracy.Applying(primitive, type, MathAccuracy.Arity(primitive))));
        Verifier.Verify(expanded);
        var emitted = AllOperations(expanded.Body).Select(op => op.Primitive).Distinct().ToList();
        Assert.All(emitted, p => Assert.Contains(p, Lowerable));
        // Only nextafter computes in float16 and bfloat16 themselves; every other expansion converts to float32.
        if (dtype is DType.Float16 or DType.BFloat16 && name != "nextafter")
            Assert.All(AllOperations(expanded.Body).Where(op => op.Primitive == Prims.Mul), op => Assert.Equal(DType.Float32, op.Results[0].Type.DType));
    }

    [Fact]
    public void A_program_without_transcendentals_is_returned_as_it_is()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[2,3], %1: f32[3], %2: i32[3]) -> (f32[2], i32[3]) {
              %3 = dot_general %0, %1 {lhs_batch_dims = [], lhs_contracting_dims = [1], rhs_batch_dims = [], rhs_contracting_dims = [0]} : f32[2]
              %4 = sqrt %3 : f32[2]
              %5 = floor %4 : f32[2]
              %6 = pow %2, %2 : i32[3]
              return %5, %6
            }
            """);
        Assert.Same(f, new MathExpansionPass().Run(f));
    }

    [Fact]
    public void Only_the_transcendental_operations_change_and_weak_types_are_kept()
    {
        var output = Run(new MathExpansionPass([Prims.Rsqrt]), """
            func @f(%0: f32[3]{weak}, %1: f32[3]) -> (f32[3]{weak}, f32[3]) {
              %2 = rsqrt %0 : f32[3]{weak}
              %3 = add %1, %1 : f32[3]
              %4 = exp %3 : f32[3]
              return %2, %4
            }
            """);
        AssertIr("""
            func @f(%0: f32[3]{weak}, %1: f32[3]) -> (f32[3]{weak}, f32[3]) {
              %2 = convert_element_type %0 {new_dtype = f32, weak_type = false} : f32[3]
              %3 = sqrt %2 : f32[3]
              %4 = constant {value = dense<f32[]: [1.0]>} : f32[]
              %5 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <3>} : f32[3]
              %6 = div %5, %3 : f32[3]
              %7 = convert_element_type %6 {new_dtype = f32, weak_type = true} : f32[3]{weak}
              %8 = add %1, %1 : f32[3]
              %9 = exp %8 : f32[3]
              return %7, %9
            }
            """, output);
    }

    [Fact]
    public void Options_keep_native_operations_and_expansions_then_call_them()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[4], %1: f64[4]) -> (f32[4], f64[4], f32[4]) {
              %2 = exp %0 : f32[4]
              %3 = exp %1 : f64[4]
              %4 = logistic %0 : f32[4]
              return %2, %3, %4
            }
            """);
        // A backend with a native float32 exp (GLSL's) expands only the rest; logistic's expansion calls exp.
        var expanded = new PassManager(new MathExpansionPass((primitive, dtype) => !(primitive == Prims.Exp && dtype == DType.Float32))).Run(f);
        var primitives = expanded.Body.Operations.Select(op => op.Primitive).ToList();
        Assert.Equal(2, primitives.Count(p => p == Prims.Exp));
        Assert.All(expanded.Body.Operations.Where(op => op.Primitive == Prims.Exp), op => Assert.Equal(DType.Float32, op.Results[0].Type.DType));
        Assert.DoesNotContain(Prims.Logistic, primitives);

        // Expanding only tanh leaves the expm1 it calls as a primitive.
        var tanh = new PassManager(new MathExpansionPass([Prims.Tanh])).Run(MathAccuracy.Applying(Prims.Tanh, new ShapedType(DType.Float64, Shape.Of(2)), 1));
        Assert.Contains(tanh.Body.Operations, op => op.Primitive == Prims.Expm1);
        Assert.DoesNotContain(tanh.Body.Operations, op => op.Primitive == Prims.Tanh);
        double[] x = [-0.3, 2.5];
        var values = Interpreter.Run(tanh, Buffer.Of(x))[0].Span<double>().ToArray();
        Assert.Equal(x.Select(Math.Tanh), values, (want, got) => Math.Abs(want - got) <= 4e-16 * Math.Abs(want));
    }

    [Fact]
    public void Primitives_without_an_expansion_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new MathExpansionPass([Prims.Exp, Prims.Sqrt]));
        Assert.Contains("'sqrt' has no math expansion", error.Message);
        Assert.Equal("math-expansion", new MathExpansionPass().Name);
    }

    [Fact]
    public void Control_flow_bodies_are_expanded_and_compute_the_same()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: i32[], %1: f32[7], %2: f32[4,7]) -> (f32[7], f32[7], f32[4]) {
              %3 = cond %0, %1 (%4: f32[7]) {
                %5 = tanh %4 : f32[7]
                return %5
              } (%6: f32[7]) {
                %7 = sin %6 : f32[7]
                return %7
              } : f32[7]
              %8, %9 = scan %1, %2 {length = 4, num_carry = 1, num_consts = 0, reverse = false} (%10: f32[7], %11: f32[7]) {
                %12 = log1p %11 : f32[7]
                %13 = add %10, %12 : f32[7]
                %14 = reduce_sum %13 {axes = [0]} : f32[]
                return %13, %14
              } : f32[7], f32[4]
              return %3, %8, %9
            }
            """);
        var random = new Random(5);
        var x = Buffer.Of(Enumerable.Range(0, 7).Select(_ => (float)random.NextDouble() * 2).ToArray());
        var xs = Buffer.FromSpan<float>(Enumerable.Range(0, 28).Select(_ => (float)random.NextDouble()).ToArray(), Shape.Of(4, 7));
        AssertExpansionMatches(f, [Buffer.Scalar(0), x, xs]);
        AssertExpansionMatches(f, [Buffer.Scalar(1), x, xs]);
    }

    [Fact]
    public void Fusion_bodies_with_symbolic_dimensions_are_expanded_and_compute_the_same()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f32[n,3]) -> (f32[n,3]) {
              %1 = fusion %0 {kind = "loop", name = "fusion_0"} (%2: f32[n,3]) {
                %3 = exp %2 : f32[n,3]
                %4 = pow %3, %2 : f32[n,3]
                %5 = erf %4 : f32[n,3]
                return %5
              } : f32[n,3]
              return %1
            }
            """);
        var random = new Random(6);
        foreach (int n in new[] { 1, 5 })
            AssertExpansionMatches(f, [Buffer.FromSpan<float>(Enumerable.Range(0, 3 * n).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray(), Shape.Of(n, 3))]);
    }

    [Fact]
    public void Expanded_grad_and_vmap_programs_run_and_match_the_unexpanded_ones()
    {
        var f = IrParser.ParseFunction("""
            func @f(%0: f64[5], %1: f64[5]) -> (f64[]) {
              %2 = tanh %0 : f64[5]
              %3 = exp %1 : f64[5]
              %4 = mul %2, %3 : f64[5]
              %5 = atan2 %4, %1 : f64[5]
              %6 = lgamma %3 : f64[5]
              %7 = add %5, %6 : f64[5]
              %8 = reduce_sum %7 {axes = [0]} : f64[]
              return %8
            }
            """);
        var grad = Autodiff.Grad(f, [true, true]);
        var batched = VmapPass.Apply(grad, [0, null], [0, 0], Dim.Of(3));
        var random = new Random(9);
        Buffer Uniform(double low, double high, params int[] shape) =>
            Buffer.FromSpan<double>(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => low + (high - low) * random.NextDouble()).ToArray(), Shape.Of(shape));
        var y = Uniform(-1, 1, 5);
        AssertExpansionMatches(grad, [Uniform(-2, 2, 5), y]);
        AssertExpansionMatches(batched, [Uniform(-2, 2, 3, 5), y]);
    }

    /// <summary>Expands every transcendental of a program (in regions too), checks the signature is kept, and compares values.</summary>
    private static void AssertExpansionMatches(Function program, Buffer[] arguments)
    {
        var expanded = new PassManager(new MathExpansionPass()) { CheckInputUnchanged = true }.Run(program);
        Assert.DoesNotContain(AllOperations(expanded.Body), op => MathExpansionPass.CanExpand(op.Primitive));
        Assert.Equal(program.ParameterTypes, expanded.ParameterTypes);
        Assert.Equal(program.ResultTypes, expanded.ResultTypes);
        var want = Interpreter.Run(program, arguments);
        var got = Interpreter.Run(expanded, arguments);
        for (int k = 0; k < want.Length; k++)
        {
            if (want[k].DType == DType.Float64) AssertClose(want[k].Span<double>(), got[k].Span<double>(), relative: 1e-13);
            else AssertClose(want[k].Span<float>(), got[k].Span<float>(), relative: 2e-6);
        }
    }

    private static void AssertClose<T>(ReadOnlySpan<T> want, ReadOnlySpan<T> got, double relative) where T : unmanaged, IConvertible
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
        {
            double a = want[i].ToDouble(null), b = got[i].ToDouble(null);
            Assert.True(Math.Abs(a - b) <= relative * Math.Max(1, Math.Abs(a)), $"element {i}: want {a:R}, got {b:R}");
        }
    }
}
