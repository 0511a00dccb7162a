using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// StableHLO export (<see cref="StableHloExporter"/>, <c>Jax.Export</c>): the module's structure as JAX prints it, the
/// operations each kind of primitive maps to, and well-formed MLIR (<see cref="MlirChecker"/>) for every function of
/// the IR samples and for traced, transformed programs.
/// </summary>
public class ExportTests
{
    /// <summary>Primitives of the registry with no export mapping, and why (the exporter's list must be exactly this).</summary>
    private static readonly Dictionary<string, string> ExpectedUnsupported = new()
    {
        ["custom_lin"] = "a linear map that only exists between linearization and transposition; never evaluated forward",
    };

    /// <summary>Checks an exported module's well-formedness; with SHLO_DUMP=folder, also writes it there (to feed eng/jax-interop.py).</summary>
    private static string Checked(string text)
    {
        MlirChecker.Check(text);
        if (Environment.GetEnvironmentVariable("SHLO_DUMP") is { } dump) File.WriteAllText(Path.Combine(dump, $"{Guid.NewGuid():N}.mlir"), text);
        return text;
    }

    private static Tensor F32(params float[] values) => Jnp.Array(values);

    /// <summary><c>Jax.Export</c> of a function of flat arrays (a lambda alone would bind to the one-array overload).</summary>
    private static string ExportN(Func<Tensor[], Tensor[]> f, params Tensor[] args) => Jax.Export(f, args);

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    // ---------------------------------------------------------------------------------------------------------
    // Coverage of the registry and of the IR samples

    [Fact]
    public void Every_registered_primitive_has_an_export_mapping_except_the_listed_ones()
    {
        var core = PrimitiveRegistry.All.Where(p => p.GetType().Assembly == typeof(Prims).Assembly).ToArray();
        Assert.True(core.Length > 80, $"{core.Length} primitives");
        var unmapped = core.Where(p => !StableHloExporter.Supports(p)).Select(p => p.Name).Order().ToArray();
        Assert.Equal(ExpectedUnsupported.Keys.Order(), unmapped);
        Assert.Equal(ExpectedUnsupported.Keys.Order(), StableHloExporter.UnsupportedPrimitives.Keys.Order());
    }

    private static string SamplesFolder([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "Jax.Ir.Tests", "IrSamples"));

    public static TheoryData<string> SampleFiles() =>
        new(["call.ir", "control_flow.ir", "custom.ir", "elementwise.ir", "fusion.ir", "misc.ir", "reductions.ir", "structural.ir"]);

    private static bool Uses(Block block, string primitive) =>
        block.Operations.Any(op => op.Primitive.Name == primitive || op.Regions.Any(r => Uses(r, primitive)));

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Every_function_of_the_ir_samples_exports_to_well_formed_mlir(string file)
    {
        var module = IrParser.ParseModule(File.ReadAllText(Path.Combine(SamplesFolder(), file)));
        Assert.NotEmpty(module.Functions);
        foreach (var f in module.Functions)
        {
            if (Uses(f.Body, "custom_lin"))
            {
                var e = Assert.Throws<NotSupportedException>(() => StableHloExporter.Export(f));
                Assert.Contains("custom_lin", e.Message);
                continue;
            }
            string text;
            try
            {
                text = StableHloExporter.Export(f);
                MlirChecker.Check(text);
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
            {
                throw new InvalidOperationException($"@{f.Name} of {file}: {e.Message}\n{f}", e);
            }
            Assert.Contains("func.func public @main(", text);
            Assert.Equal(text, StableHloExporter.Export(f)); // deterministic
        }
    }

    [Fact]
    public void The_ir_samples_cover_every_mapped_primitive()
    {
        var used = new HashSet<string>();
        void Walk(Block b)
        {
            foreach (var op in b.Operations)
            {
                used.Add(op.Primitive.Name);
                foreach (var r in op.Regions) Walk(r);
            }
        }
        foreach (var file in new[] { "call.ir", "control_flow.ir", "custom.ir", "elementwise.ir", "fusion.ir", "misc.ir", "reductions.ir", "structural.ir" })
            foreach (var f in IrParser.ParseModule(File.ReadAllText(Path.Combine(SamplesFolder(), file))).Functions) Walk(f.Body);
        var missing = PrimitiveRegistry.All.Where(p => p.GetType().Assembly == typeof(Prims).Assembly && StableHloExporter.Supports(p))
            .Select(p => p.Name).Where(n => !used.Contains(n)).Order().ToArray();
        // These are exported by the traced programs of this class instead.
        string[] coveredByTraces = ["argmin", "cummax", "cummin", "cumprod", "cumsum", "reduce_and", "reduce_max", "reduce_min", "reduce_or", "reduce_prod"];
        Assert.Empty(missing.Except(coveredByTraces));
    }

    [Fact]
    public void A_module_exports_each_function_under_its_name()
    {
        var module = IrParser.ParseModule(File.ReadAllText(Path.Combine(SamplesFolder(), "control_flow.ir")));
        var text = Checked(StableHloExporter.Export(module));
        Assert.StartsWith("module @jit_switch3 attributes {", text);
        Assert.Contains("func.func public @switch3(%arg0: tensor<i32>, %arg1: tensor<3xf32>) -> (tensor<3xf32>) {", text);
        Assert.Contains("func.func public @factorial(", text);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The module's structure, elementwise operations

    [Fact]
    public void Selu_exports_as_jax_lowers_it()
    {
        static Tensor Selu(Tensor v) => 1.05 * Jnp.Where(v > 0, v, 1.67 * Jnp.Exp(v) - 1.67);
        var text = Checked(Jax.Export(Selu, F32(1, -2, 3)));
        Assert.StartsWith("module @jit_", text);
        Assert.Contains("attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {", text);
        Assert.Contains("func.func public @main(%arg0: tensor<3xf32>) -> (tensor<3xf32>) {", text);
        Assert.Contains("stablehlo.exponential %", text);
        Assert.Matches(@"stablehlo\.compare  GT, %arg0, %[0-9]+,  FLOAT : \(tensor<3xf32>, tensor<3xf32>\) -> tensor<3xi1>", text);
        Assert.Contains("stablehlo.select %", text);
        Assert.Contains("stablehlo.constant dense<1.04999995e+000> : tensor<f32>", text);
        Assert.Matches(@"return %[0-9]+ : tensor<3xf32>\n  }\n}\n$", text);
    }

    [Fact]
    public void Sum_of_logistic_and_its_gradient_export()
    {
        static Tensor SumLogistic(Tensor v) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-v)));
        var x = F32(0, 1, 2);
        var forward = Checked(Jax.Export(SumLogistic, x));
        Assert.Contains("-> (tensor<f32>)", forward);
        Assert.Contains("applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>", forward);
        Assert.Contains("stablehlo.negate %arg0 : tensor<3xf32>", forward);
        var gradient = Checked(Jax.Export(Jax.Grad(SumLogistic), x));
        Assert.Contains("func.func public @main(%arg0: tensor<3xf32>) -> (tensor<3xf32>) {", gradient);
        Assert.Contains("stablehlo.divide", gradient);
    }

    [Fact]
    public void Chlo_functions_and_rounding_export()
    {
        var text = Checked(Jax.Export(v => Jax.Scipy.Special.Erf(v) + Jax.Scipy.Special.Gammaln(v) + Jnp.Round(v) + Jnp.Exp2(v), F32(0.5f, 1.5f)));
        Assert.Contains("\"chlo.erf\"(%arg0) : (tensor<2xf32>) -> tensor<2xf32>", text);
        Assert.Contains("\"chlo.lgamma\"(%arg0)", text);
        Assert.Contains("stablehlo.round_nearest_even %arg0 : tensor<2xf32>", text);
    }

    [Fact]
    public void Integer_division_and_remainder_keep_our_semantics_for_zero_divisors()
    {
        var text = Checked(ExportN(a => [Lax.Div(a[0], a[1]), Lax.Rem(a[0], a[1])], Jnp.Array(new[] { 7, -7 }), Jnp.Array(new[] { 0, -1 })));
        Assert.Equal(4, Count(text, "stablehlo.compare  EQ, %arg1, ")); // y == 0 and y == -1, for div and for rem
        Assert.Contains("stablehlo.constant dense<-2147483648> : tensor<2xi32>", text);
        Assert.Contains("stablehlo.divide %arg0, %", text);
        Assert.Contains("stablehlo.remainder %arg0, %", text);
        Assert.Contains("stablehlo.constant dense<-1> : tensor<2xi32>", text);
        Assert.Matches(@"stablehlo\.compare  EQ, %arg1, %[0-9]+,  SIGNED", text);
        // A constant divisor (here a closed-over array, baked in) other than 0 and -1 needs no guard.
        var twos = Jnp.Array(new[] { 2, 2 });
        var byTwo = Checked(Jax.Export(v => Lax.Div(v, twos), Jnp.Array(new[] { 7, -7 })));
        Assert.Contains("stablehlo.constant dense<2> : tensor<2xi32>", byTwo);
        Assert.DoesNotContain("stablehlo.compare", byTwo);
        Assert.Matches(@"stablehlo\.divide %arg0, %[0-9]+ : tensor<2xi32>", byTwo);
    }

    [Fact]
    public void Float_to_integer_conversion_saturates_and_maps_nan_to_zero()
    {
        var text = Checked(Jax.Export(v => Jnp.Astype(v, Jnp.Int32), F32(1.5f, float.NaN)));
        Assert.Contains("stablehlo.compare  EQ, %arg0, %arg0,  FLOAT", text);
        Assert.Contains("stablehlo.clamp", text);
        Assert.Contains("stablehlo.convert %", text);
        Assert.Contains("dense<2147483647> : tensor<2xi32>", text);
        Assert.Contains("dense<2.14748365e+009>", text);
        var toBool = Checked(Jax.Export(v => Jnp.Astype(v, Jnp.Bool), F32(1.5f, 0)));
        Assert.Contains("stablehlo.compare  NE, %arg0, %", toBool);
    }

    [Fact]
    public void Unsigned_constants_print_unsigned()
    {
        var text = Checked(ExportN(a => [Lax.Div(a[0], a[1]), Jnp.All(a[0], [0])], Jnp.Array(new uint[] { 7, 8 }), Jnp.Array(new uint[] { 0, 2 })));
        Assert.Contains("stablehlo.constant dense<4294967295> : tensor<2xui32>", text); // x / 0: all ones
        Assert.DoesNotContain("dense<-", text);
    }

    [Fact]
    public void Shifts_select_for_out_of_range_counts()
    {
        var text = Checked(ExportN(a => [Lax.ShiftLeft(a[0], a[1]), Lax.ShiftRightArithmetic(a[0], a[1])], Jnp.Array(new[] { 1, -8 }), Jnp.Array(new[] { 40, 2 })));
        Assert.Contains("stablehlo.shift_left %arg0, %arg1 : tensor<2xi32>", text);
        Assert.Contains("dense<32> : tensor<2xi32>", text);
        Assert.Contains("dense<31> : tensor<2xi32>", text);
        Assert.Contains("stablehlo.shift_right_arithmetic %arg0, %", text);
    }

    [Fact]
    public void Special_float_constants_print_as_bit_patterns()
    {
        var text = Checked(Jax.Export(v => Jnp.Maximum(v, Jnp.Array(float.NegativeInfinity)) + Jnp.Array(float.NaN), F32(1, 2)));
        Assert.Contains("0xFF800000", text);
        Assert.Matches("0x[7F]FC00000", text); // the NaN's own bits (.NET's NaN has the sign bit set)
        Assert.Contains("stablehlo.maximum", text);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reductions, dot, structural, gather/scatter

    [Fact]
    public void Reductions_export_as_reduce_with_their_identities()
    {
        var x = Jnp.Reshape(Jnp.Arange(6.0), 2, 3).Astype(Jnp.Float32);
        var text = Checked(ExportN(a => [Jnp.Max(a[0], [1]), Jnp.Min(a[0], [0]), Jnp.Prod(a[0]), Jnp.All(a[0] > 0), Jnp.Any(a[0] > 0)], x));
        Assert.Contains("applies stablehlo.maximum across dimensions = [1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>", text);
        Assert.Contains("applies stablehlo.minimum across dimensions = [0]", text);
        Assert.Contains("applies stablehlo.multiply across dimensions = [0, 1]", text);
        Assert.Contains("applies stablehlo.and", text);
        Assert.Contains("applies stablehlo.or", text);
        Assert.Contains("stablehlo.constant dense<0xFF800000> : tensor<f32>", text);
        Assert.Contains("stablehlo.constant dense<true> : tensor<i1>", text);
    }

    [Fact]
    public void Argmax_is_a_two_operand_reduce_over_values_and_indices()
    {
        var text = Checked(ExportN(a => [Jnp.Argmax(a[0], 1), Jnp.Argmin(a[0], 0)], Jnp.Reshape(Jnp.Arange(6.0f), 2, 3)));
        Assert.Matches(@"%[0-9]+:2 = ""stablehlo\.reduce""\(%arg0, %[0-9]+, %[0-9]+, %[0-9]+\) <\{dimensions = array<i64: 1>\}> \(\{", text);
        Assert.Contains("stablehlo.iota dim = 1 : tensor<2x3xi32>", text);
        Assert.Contains("-> (tensor<2xf32>, tensor<2xi32>)", text);
        Assert.Contains("stablehlo.compare  NE,", text); // the NaN checks
    }

    [Fact]
    public void Cumulative_sums_are_reduce_windows()
    {
        var x = Jnp.Reshape(Jnp.Arange(8.0f), 2, 4);
        var text = Checked(ExportN(a => [Jnp.Cumsum(a[0], 1), Lax.Cumprod(a[0], 0), Lax.Cummax(a[0], 1, reverse: true), Lax.Cummin(a[0], 0)], x));
        Assert.Contains("\"stablehlo.reduce_window\"(%arg0, %", text);
        Assert.Contains("padding = dense<[[0, 0], [3, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 1, 4>, window_strides = array<i64: 1, 1>", text);
        Assert.Contains("padding = dense<[[1, 0], [0, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 2, 1>", text);
        Assert.Contains("padding = dense<[[0, 0], [0, 3]]>", text);
    }

    [Fact]
    public void Mlp_forward_and_loss_gradient_export_dot_general()
    {
        var w = Jnp.Reshape(Jnp.Arange(12.0f), 4, 3) / 10;
        var x = Jnp.Reshape(Jnp.Arange(8.0f), 2, 4);
        Tensor Loss(Tensor[] p) => Jnp.Mean(Jnp.Square(Jnp.Tanh(Jnp.Matmul(p[1], p[0]))));
        var forward = Checked(ExportN(p => [Jnp.Tanh(Jnp.Matmul(p[1], p[0]))], w, x));
        Assert.Contains("func.func public @main(%arg0: tensor<4x3xf32>, %arg1: tensor<2x4xf32>) -> (tensor<2x3xf32>) {", forward);
        Assert.Contains("stablehlo.dot_general %arg1, %arg0, contracting_dims = [1] x [0] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>", forward);
        var gradient = Checked(Jax.Export(Jax.Grad(Loss, 0), w, x));
        Assert.Contains("-> (tensor<4x3xf32>)", gradient);
        Assert.True(Count(gradient, "stablehlo.dot_general") >= 2);
        var batched = Checked(ExportN(p => [Jnp.Matmul(p[0], p[1])], Jnp.Ones([5, 2, 3]), Jnp.Ones([5, 3, 4])));
        Assert.Contains("batching_dims = [0] x [0], contracting_dims = [2] x [1]", batched);
    }

    [Fact]
    public void Structural_operations_export()
    {
        var x = Jnp.Reshape(Jnp.Arange(12.0f), 3, 4);
        var text = Checked(ExportN(a =>
        [
            Jnp.Transpose(a[0]), Jnp.Reshape(a[0], 4, 3), Jnp.Flip(a[0], 0), Lax.Pad(a[0], Jnp.Array(0.0f), [1, 1], [1, 1], [0, 0]), Jnp.Concatenate([a[0], a[0]], 1),
            Lax.Slice(a[0], [1, 0], [3, 2]), Lax.DynamicSlice(a[0], [Jnp.Array(1), Jnp.Array(0)], [2, 2]),
            Lax.DynamicUpdateSlice(a[0], Jnp.Zeros([2, 2]), [Jnp.Array(1), Jnp.Array(1)]),
        ], x));
        Assert.Contains("stablehlo.transpose %arg0, dims = [1, 0] : (tensor<3x4xf32>) -> tensor<4x3xf32>", text);
        Assert.Contains("stablehlo.reshape %arg0 : (tensor<3x4xf32>) -> tensor<4x3xf32>", text);
        Assert.Contains("stablehlo.reverse %arg0, dims = [0] : tensor<3x4xf32>", text);
        Assert.Contains("low = [1, 1], high = [1, 1], interior = [0, 0] : (tensor<3x4xf32>, tensor<f32>) -> tensor<5x6xf32>", text);
        Assert.Contains("stablehlo.concatenate %arg0, %arg0, dim = 1 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x8xf32>", text);
        Assert.Contains("\"stablehlo.slice\"(%arg0) <{limit_indices = array<i64: 3, 2>, start_indices = array<i64: 1, 0>, strides = array<i64: 1, 1>}>", text);
        Assert.Contains("sizes = [2, 2] : (tensor<3x4xf32>, tensor<i32>, tensor<i32>) -> tensor<2x2xf32>", text);
        Assert.Contains("stablehlo.dynamic_update_slice %arg0, %", text);
    }

    [Fact]
    public void Take_and_its_gradient_export_gather_and_scatter()
    {
        var x = F32(1, 2, 3, 4, 5);
        var idx = Jnp.Array(new[] { 4, 0, 2 });
        var text = Checked(ExportN(p => [Jnp.Take(p[0], p[1])], x, idx));
        Assert.Contains("\"stablehlo.gather\"(%arg0, %", text);
        Assert.Contains("#stablehlo.gather<", text);
        Assert.Contains("index_vector_dim = ", text);
        var grad = Checked(ExportN(p => Jax.Grad((Func<Tensor, Tensor>)(v => Jnp.Sum(Jnp.Take(v, p[1]))))(p[0]) is var g ? [g] : [], x, idx));
        Assert.Contains("\"stablehlo.scatter\"(%", grad);
        Assert.Contains("#stablehlo.scatter<", grad);
        Assert.Contains("stablehlo.add %", grad);
    }

    [Fact]
    public void Gather_in_fill_mode_masks_out_of_bounds_windows()
    {
        var module = IrParser.ParseModule(File.ReadAllText(Path.Combine(SamplesFolder(), "structural.ir")));
        var gather = module["gather"];
        var text = Checked(StableHloExporter.Export(gather));
        Assert.Contains("func.func public @main(%arg0: tensor<4x3xf32>, %arg1: tensor<?xi32>) -> (tensor<?x3xf32>) {", text);
        Assert.Contains("stablehlo.compare  GE, %arg1", text);
        Assert.Contains("stablehlo.compare  LE, %arg1", text);
        Assert.Contains("stablehlo.dynamic_broadcast_in_dim", text);
        Assert.Contains("stablehlo.get_dimension_size %arg1, dim = 0 : (tensor<?xi32>) -> tensor<i32>", text);
        Assert.Contains("0x7FC00000", text);
    }

    [Fact]
    public void Sort_has_a_comparator_that_orders_nan_last()
    {
        var text = Checked(Jax.Export(v => Jnp.Sort(v), F32(3, float.NaN, 1)));
        Assert.Contains("\"stablehlo.sort\"(%arg0) <{dimension = 0 : i64, is_stable = true}> ({", text);
        Assert.Contains("stablehlo.bitcast_convert %", text);
        Assert.Contains("-> tensor<i32>", text);
        Assert.Contains("stablehlo.compare  LT, %", text);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Control flow, transformations, PRNG, constants

    [Fact]
    public void While_loops_export_as_stablehlo_while()
    {
        var text = Checked(ExportN(a => Lax.WhileLoop(c => c[0] < 10, c => [c[0] + 1, c[1] * 2], a), Jnp.Array(0), Jnp.Array(1.0f)));
        Assert.Matches(@"%[0-9]+:2 = ""stablehlo\.while""\(%arg0, %arg1\) \(\{", text);
        Assert.Matches(@"stablehlo\.return %[0-9]+ : tensor<i1>", text);
        Assert.Contains("}) : (tensor<i32>, tensor<f32>) -> (tensor<i32>, tensor<f32>)", text);
        var fori = Checked(Jax.Export(v => Lax.ForiLoop(0, 5, (i, acc) => acc + Jnp.Astype(i, Jnp.Float32), v), Jnp.Array(0.0f)));
        Assert.Contains("\"stablehlo.while\"", fori);
    }

    [Fact]
    public void Cond_and_switch_export_as_case_with_a_clamped_index()
    {
        var text = Checked(ExportN(a => Lax.Switch(a[0], [b => [b[0] * 0], b => [b[0] + 1], b => [b[0] * 2]], a[1]), Jnp.Array(1), F32(1, 2)));
        Assert.Contains("\"stablehlo.case\"(%", text);
        Assert.Matches(@"stablehlo\.clamp %[0-9]+, %arg0, %[0-9]+ : tensor<i32>", text);
        Assert.Equal(2, Count(text, "}, {"));
        var cond = Checked(ExportN(a => [Lax.Cond(a[0], v => v * 2, v => v - 2, a[1])], Jnp.Array(true), F32(1, 2)));
        Assert.Contains("stablehlo.convert %arg0 : (tensor<i1>) -> tensor<i32>", cond);
        Assert.Contains("\"stablehlo.case\"(%", cond);
    }

    [Fact]
    public void Scan_exports_as_a_while_over_slices()
    {
        var xs = F32(1, 2, 3, 4);
        var text = Checked(Jax.Export(v => Lax.Scan((c, x) => (c + x, c + x), Jnp.Array(0.0f), v).Ys, xs));
        Assert.Contains("\"stablehlo.while\"", text);
        Assert.Matches(@"stablehlo\.dynamic_slice %[0-9]+, %[0-9]+, sizes = \[1\]", text); // xs is carried through the loop
        Assert.Contains("sizes = [1] : (tensor<4xf32>, tensor<i32>) -> tensor<1xf32>", text);
        Assert.Contains("stablehlo.dynamic_update_slice %", text);
        Assert.Contains("-> (tensor<4xf32>)", text);
    }

    [Fact]
    public void Vmap_of_a_function_exports()
    {
        var batched = Jax.Vmap((Func<Tensor, Tensor>)(v => Jnp.Sum(v * v)));
        var text = Checked(Jax.Export(batched, Jnp.Ones([3, 4])));
        Assert.Contains("func.func public @main(%arg0: tensor<3x4xf32>) -> (tensor<3xf32>) {", text);
        Assert.Contains("across dimensions = [1]", text);
    }

    [Fact]
    public void Random_normal_exports_threefry_as_integer_operations()
    {
        var text = Checked(Jax.Export(k => Jax.Random.Normal(k, [3]), Jax.Random.PRNGKey(0)));
        Assert.Contains("-> (tensor<3xf32>)", text);
        Assert.Contains("stablehlo.shift_left", text);
        Assert.Contains("stablehlo.xor", text);
        Assert.Contains("ui32", text);
        Assert.Contains("\"chlo.erf_inv\"", text);
        // The rotations shift by constants in range: no out-of-range guards.
        Assert.DoesNotContain("dense<32> : tensor<", text);
    }

    [Fact]
    public void Closed_over_arrays_are_baked_in_as_dense_constants()
    {
        var offsets = Jnp.Array(new float[] { 0.5f, -1.25f, 3 });
        var text = Checked(Jax.Export(v => v + offsets, F32(1, 2, 3)));
        Assert.Contains("func.func public @main(%arg0: tensor<3xf32>) -> (tensor<3xf32>) {", text);
        Assert.Contains("stablehlo.constant dense<[5.00000000e-001, -1.25000000e+000, 3.00000000e+000]> : tensor<3xf32>", text);
        var matrix = Jnp.Reshape(Jnp.Arange(4), 2, 2);
        var ints = Checked(Jax.Export(v => Jnp.Matmul(v, matrix), Jnp.Ones([2, 2], Jnp.Int32)));
        Assert.Contains("dense<[[0, 1], [2, 3]]> : tensor<2x2xi32>", ints);
    }

    [Fact]
    public void Weak_scalars_export_with_concrete_types()
    {
        var text = Checked(ExportN(a => [a[0] * 2.0], Jnp.Array(3.0f)));
        Assert.Contains("func.func public @main(%arg0: tensor<f32>) -> (tensor<f32>) {", text);
        Assert.DoesNotContain("weak", text);
    }

    [Fact]
    public void Tree_arguments_export_their_leaves_in_order()
    {
        var text = Checked(Jax.Export<(Tensor A, Tensor B), Tensor>(t => t.A * t.B, (F32(1, 2), F32(3, 4))));
        Assert.Contains("func.func public @main(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>) -> (tensor<2xf32>) {", text);
        Assert.Contains("stablehlo.multiply %arg0, %arg1 : tensor<2xf32>", text);
    }

    [Fact]
    public void Symbolic_dimensions_export_as_dynamic_dims_and_unsupported_cases_are_named()
    {
        var round = IrParser.ParseFunction("func @round(%0: f32[n,3]) -> (f32[n,3]) {\n  %1 = round %0 {rounding_method = 1} : f32[n,3]\n  return %1\n}");
        var text = Checked(StableHloExporter.Export(round));
        Assert.Contains("func.func public @main(%arg0: tensor<?x3xf32>) -> (tensor<?x3xf32>) {", text);
        var cumsum = IrParser.ParseFunction("func @c(%0: f32[n]) -> (f32[n]) {\n  %1 = cumsum %0 {axis = 0, reverse = false} : f32[n]\n  return %1\n}");
        var e = Assert.Throws<NotSupportedException>(() => StableHloExporter.Export(cumsum));
        Assert.Contains("cumsum over the symbolic dimension 'n'", e.Message);
    }

    [Fact]
    public void Parameters_may_be_baked_in_by_the_caller()
    {
        var f = IrParser.ParseFunction("func @axpy(%0: f32[], %1: f32[2]) -> (f32[2]) {\n  %2 = broadcast_in_dim %0 {broadcast_dimensions = [], shape = <2>} : f32[2]\n  %3 = mul %2, %1 : f32[2]\n  return %3\n}");
        var text = Checked(StableHloExporter.Export(f, new StableHloExportOptions { ModuleName = "axpy<2>", ParameterValues = [Ir.Buffer.Scalar(2.5f), null] }));
        Assert.StartsWith("module @jit_axpy_2_ attributes", text);
        Assert.Contains("func.func public @main(%arg0: tensor<2xf32>) -> (tensor<2xf32>) {", text);
        Assert.Contains("stablehlo.constant dense<2.50000000e+000> : tensor<f32>", text);
        Assert.Contains("stablehlo.broadcast_in_dim %0, dims = [] : (tensor<f32>) -> tensor<2xf32>", text);
    }

    [Fact]
    public void The_checker_rejects_malformed_text()
    {
        const string good = "module @jit_f {\n  func.func public @main(%arg0: tensor<f32>) -> (tensor<f32>) {\n    %0 = stablehlo.add %arg0, %arg0 : tensor<f32>\n    return %0 : tensor<f32>\n  }\n}\n";
        MlirChecker.Check(good);
        Assert.Throws<InvalidOperationException>(() => MlirChecker.Check(good.Replace("%arg0, %arg0", "%arg0, %1", StringComparison.Ordinal)));
        Assert.Throws<InvalidOperationException>(() => MlirChecker.Check(good.Replace("return %0 : tensor<f32>", "return %0 : tensor<i32>", StringComparison.Ordinal)));
        Assert.Throws<InvalidOperationException>(() => MlirChecker.Check(good.Replace("add %arg0, %arg0 : tensor<f32>", "add %arg0, %arg0 : tensor<2xf32>", StringComparison.Ordinal)));
        Assert.Throws<InvalidOperationException>(() => MlirChecker.Check(good.Replace("  }\n}", "}", StringComparison.Ordinal)));
    }
}
