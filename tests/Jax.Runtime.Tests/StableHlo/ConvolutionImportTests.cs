using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// <c>stablehlo.convolution</c>, <c>dynamic_conv</c> and pooling <c>reduce_window</c> in the forms JAX and the
/// StableHLO printer write (pretty and generic, short and raw dimension numbers, splat attributes), loaded with
/// <see cref="Jax.Load(string, string?)"/> and compared with <see cref="Lax.ConvGeneralDilated(Tensor, Tensor, int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[], ConvDimensionNumbers, int, int, DType?)"/>
/// and <see cref="Lax.ReduceWindow(Tensor, Tensor, Func{Tensor, Tensor, Tensor}, int[], int[], IReadOnlyList{ValueTuple{int, int}}, int[], int[])"/>;
/// grad and vmap of a loaded convolution; export and import round trips.
/// </summary>
public class ConvolutionImportTests
{
    private static readonly ConvDimensionNumbers Nhwc = ConvDimensionNumbers.FromLayouts("NHWC", "HWIO", "NHWC");

    private static Tensor Values(int seed, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Jnp.Array(Enumerable.Range(0, n).Select(i => (float)Math.Sin(i * 0.61 + seed)).ToArray()).Reshape([.. shape.Select(d => (long)d)]);
    }

    /// <summary>A flax-style NHWC convolution as JAX prints it (pretty form).</summary>
    private const string PrettyConv = """
        module @jit_conv {
          func.func public @main(%arg0: tensor<2x7x6x4xf32>, %arg1: tensor<3x2x2x6xf32>) -> (tensor<2x4x3x6xf32> {jax.result_info = ""}) {
            %0 = stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 2], pad = [[1, 1], [0, 1]], rhs_dilate = [1, 2]} {batch_group_count = 1 : i64, feature_group_count = 2 : i64, precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]} : (tensor<2x7x6x4xf32>, tensor<3x2x2x6xf32>) -> tensor<2x4x3x6xf32>
            return %0 : tensor<2x4x3x6xf32>
          }
        }
        """;

    private static Tensor PrettyConvInLax(Tensor x, Tensor w) =>
        Lax.ConvGeneralDilated(x, w, [2, 2], [(1, 1), (0, 1)], rhsDilation: [1, 2], dimensionNumbers: Nhwc, featureGroupCount: 2);

    [Fact]
    public void The_pretty_form_jax_prints_computes_what_lax_computes()
    {
        var model = Jax.Load(PrettyConv);
        var (x, w) = (Values(1, 2, 7, 6, 4), Values(2, 3, 2, 2, 6));
        LoadTests.AssertClose(PrettyConvInLax(x, w), model.Invoke(x, w));
    }

    [Fact]
    public void Grad_and_vmap_apply_to_a_loaded_convolution()
    {
        var model = Jax.Load(PrettyConv);
        var (x, w) = (Values(3, 2, 7, 6, 4), Values(4, 3, 2, 2, 6));
        var weights = Values(5, 2, 4, 3, 6);
        var viaModule = Jax.Grad((Tensor k) => Jnp.Sum(model.Invoke(x, k) * weights))(w);
        var viaLax = Jax.Grad((Tensor k) => Jnp.Sum(PrettyConvInLax(x, k) * weights))(w);
        LoadTests.AssertClose(viaLax, viaModule, 1e-4);
        var kernels = Jnp.Stack([w, w * 2f, -w]);
        var batched = Jax.Vmap((Tensor k) => model.Invoke(x, k))(kernels);
        LoadTests.AssertClose(Jnp.Stack([PrettyConvInLax(x, w), PrettyConvInLax(x, w * 2f), PrettyConvInLax(x, -w)]), batched);
    }

    [Fact]
    public void The_generic_form_with_raw_dimension_numbers_splats_and_reversal_computes_what_lax_computes()
    {
        var model = Jax.Load("""
            func.func @main(%arg0: tensor<1x3x8x5xf32>, %arg1: tensor<2x3x3x2xf32>) -> tensor<1x2x4x5xf32> {
              %0 = "stablehlo.convolution"(%arg0, %arg1) {
                batch_group_count = 1 : i64,
                dimension_numbers = #stablehlo.conv<raw
                  input_batch_dimension = 0,
                  input_feature_dimension = 1,
                  input_spatial_dimensions = [2, 3],
                  kernel_input_feature_dimension = 1,
                  kernel_output_feature_dimension = 0,
                  kernel_spatial_dimensions = [2, 3],
                  output_batch_dimension = 0,
                  output_feature_dimension = 1,
                  output_spatial_dimensions = [2, 3]
                >,
                feature_group_count = 1 : i64,
                padding = dense<[[1, 1], [0, 1]]> : tensor<2x2xi64>,
                rhs_dilation = dense<1> : tensor<2xi64>,
                window_strides = array<i64: 2, 1>,
                window_reversal = array<i1: true, false>
              } : (tensor<1x3x8x5xf32>, tensor<2x3x3x2xf32>) -> tensor<1x2x4x5xf32>
              func.return %0 : tensor<1x2x4x5xf32>
            }
            """);
        var (x, w) = (Values(6, 1, 3, 8, 5), Values(7, 2, 3, 3, 2));
        // Window reversal is a convolution with the kernel flipped along that dimension.
        LoadTests.AssertClose(Lax.ConvGeneralDilated(x, Jnp.Flip(w, 2), [2, 1], [(1, 1), (0, 1)]), model.Invoke(x, w));
    }

    [Fact]
    public void Integer_convolutions_widen_to_the_declared_result_type()
    {
        var model = Jax.Load("""
            func.func @main(%arg0: tensor<1x4x1xi8>, %arg1: tensor<2x1x1xi8>) -> tensor<1x3x1xi32> {
              %0 = stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, 0, f]x[0, i, o]->[b, 0, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x4x1xi8>, tensor<2x1x1xi8>) -> tensor<1x3x1xi32>
              func.return %0 : tensor<1x3x1xi32>
            }
            """);
        var y = model.Invoke(Jnp.Array(new sbyte[] { 100, 100, -100, 50 }).Reshape(1, 4, 1), Jnp.Array(new sbyte[] { 100, 2 }).Reshape(2, 1, 1));
        Assert.Equal(DType.Int32, y.DType);
        Assert.Equal(new[] { 10200, 9800, -9900 }, y.ToArray<int>());
    }

    [Fact]
    public void Pooling_reduce_windows_as_jax_lowers_max_and_avg_pool()
    {
        var model = Jax.Load("""
            func.func public @main(%arg0: tensor<2x6x5x3xf32>) -> (tensor<2x3x2x3xf32>, tensor<2x6x5x3xf32>) {
              %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
              %0 = "stablehlo.reduce_window"(%arg0, %cst) <{padding = dense<[[0, 0], [0, 0], [0, 0], [0, 0]]> : tensor<4x2xi64>, window_dimensions = array<i64: 1, 2, 2, 1>, window_strides = array<i64: 1, 2, 2, 1>}> ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %2 = stablehlo.maximum %a, %b : tensor<f32>
                stablehlo.return %2 : tensor<f32>
              }) : (tensor<2x6x5x3xf32>, tensor<f32>) -> tensor<2x3x2x3xf32>
              %zero = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %1 = "stablehlo.reduce_window"(%arg0, %zero) <{padding = dense<[[0, 0], [1, 1], [1, 1], [0, 0]]> : tensor<4x2xi64>, window_dimensions = array<i64: 1, 3, 3, 1>}> ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %2 = stablehlo.add %a, %b : tensor<f32>
                stablehlo.return %2 : tensor<f32>
              }) : (tensor<2x6x5x3xf32>, tensor<f32>) -> tensor<2x6x5x3xf32>
              return %0, %1 : tensor<2x3x2x3xf32>, tensor<2x6x5x3xf32>
            }
            """);
        var x = Values(8, 2, 6, 5, 3);
        var outs = model.Call(x);
        LoadTests.AssertClose(Lax.ReduceWindow(x, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), outs[0]);
        LoadTests.AssertClose(Lax.ReduceWindow(x, Jnp.Array(0f), Lax.Add, [1, 3, 3, 1], null, "SAME"), outs[1]);
    }

    private static string SelectAndScatter(string direction, string scatter = "add", string select = "%a, %b") => $$"""
        func.func @main(%operand: tensor<4x2xi64>, %source: tensor<2x2xi64>, %init: tensor<i64>) -> tensor<4x2xi64> {
          %result = "stablehlo.select_and_scatter"(%operand, %source, %init) ({
            ^bb0(%a: tensor<i64>, %b: tensor<i64>):
              %0 = "stablehlo.compare"({{select}}) {comparison_direction = #stablehlo<comparison_direction {{direction}}>} : (tensor<i64>, tensor<i64>) -> tensor<i1>
              "stablehlo.return"(%0) : (tensor<i1>) -> ()
          }, {
            ^bb0(%a: tensor<i64>, %b: tensor<i64>):
              %0 = "stablehlo.{{scatter}}"(%a, %b) : (tensor<i64>, tensor<i64>) -> tensor<i64>
              "stablehlo.return"(%0) : (tensor<i64>) -> ()
          }) {
            window_dimensions = array<i64: 3, 1>,
            window_strides = array<i64: 2, 1>,
            padding = dense<[[0, 1], [0, 0]]> : tensor<2x2xi64>
          } : (tensor<4x2xi64>, tensor<2x2xi64>, tensor<i64>) -> tensor<4x2xi64>
          func.return %result : tensor<4x2xi64>
        }
        """;

    [Fact]
    public void Select_and_scatter_adds_each_window_source_at_its_selected_element() => Api.Linalg.LinalgOracle.WithX64(() =>
    {
        // The StableHLO specification's example: the first maximum of each 3x1 window (the last row padded) gets the source.
        var operand = Jnp.Array(new long[,] { { 1, 5 }, { 2, 5 }, { 3, 6 }, { 4, 4 } });
        var source = Jnp.Array(new long[,] { { 5, 6 }, { 7, 8 } });
        var init = Jnp.Array(0L);
        Assert.Equal(new long[] { 0, 0, 0, 0, 5, 14, 7, 0 }, Jax.Load(SelectAndScatter("GE")).Invoke(operand, source, init).ToArray<long>());
        // GT: the last maximum (the 5s of column 1 tie in window 0); LE with the arguments swapped is GE.
        Assert.Equal(new long[] { 0, 0, 0, 0, 5, 14, 7, 0 }, Jax.Load(SelectAndScatter("LE", select: "%b, %a")).Invoke(operand, source, init).ToArray<long>());
        var ties = Jnp.Array(new long[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 4, 4 } });
        Assert.Equal(new long[] { 0, 6, 0, 0, 5, 8, 7, 0 }, Jax.Load(SelectAndScatter("GE")).Invoke(ties, source, init).ToArray<long>());
        Assert.Equal(new long[] { 0, 0, 0, 0, 5, 14, 7, 0 }, Jax.Load(SelectAndScatter("GT")).Invoke(ties, source, init).ToArray<long>());
        // LE: the first minimum; the init value is added everywhere.
        Assert.Equal(new long[] { 6, 7, 1, 1, 8, 1, 1, 9 }, Jax.Load(SelectAndScatter("LE")).Invoke(operand, source, Jnp.Array(1L)).ToArray<long>());
        var e = Assert.Throws<StableHloImportException>(() => Jax.Load(SelectAndScatter("GE", scatter: "multiply")));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
    });

    [Fact]
    public void Select_and_scatter_is_the_gradient_of_max_pooling_as_jax_exports_it()
    {
        var module = Jax.Load("""
            func.func public @main(%arg0: tensor<1x6x5x2xf32>, %arg1: tensor<1x3x2x2xf32>) -> tensor<1x6x5x2xf32> {
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %0 = "stablehlo.select_and_scatter"(%arg0, %arg1, %cst) <{padding = dense<0> : tensor<4x2xi64>, window_dimensions = array<i64: 1, 2, 3, 1>, window_strides = array<i64: 1, 2, 2, 1>}> ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %1 = stablehlo.compare  GE, %a, %b,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                stablehlo.return %1 : tensor<i1>
              }, {
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %1 = stablehlo.add %a, %b : tensor<f32>
                stablehlo.return %1 : tensor<f32>
              }) : (tensor<1x6x5x2xf32>, tensor<1x3x2x2xf32>, tensor<f32>) -> tensor<1x6x5x2xf32>
              return %0 : tensor<1x6x5x2xf32>
            }
            """);
        var x = Values(11, 1, 6, 5, 2);
        var cotangent = Values(12, 1, 3, 2, 2);
        var (_, pullback) = Jax.Vjp((Tensor a) => Lax.ReduceWindow(a, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 2, 3, 1], [1, 2, 2, 1], "VALID"), x);
        LoadTests.AssertClose(pullback(cotangent), module.Invoke(x, cotangent));
        // Its own gradient with respect to the source (the module is linear in it) gathers the cotangent back.
        var g = Jax.Grad((Tensor s) => Jnp.Sum(module.Invoke(x, s) * x))(cotangent);
        LoadTests.AssertClose(Lax.ReduceWindow(x, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 2, 3, 1], [1, 2, 2, 1], "VALID"), g);
    }

    [Fact]
    public void A_convolution_network_exports_and_loads_back_with_the_same_numbers()
    {
        Tensor Net(Tensor x, Tensor w)
        {
            var y = Jnp.Tanh(Lax.ConvGeneralDilated(x, w, [1, 1], "SAME", dimensionNumbers: Nhwc));
            return Lax.ReduceWindow(y, Jnp.Array(float.NegativeInfinity), Lax.Max, [1, 2, 2, 1], [1, 2, 2, 1], "VALID");
        }
        var (x, w) = (Values(9, 2, 6, 4, 3), Values(10, 3, 3, 3, 5));
        var forward = Jax.Load(Jax.Export(Net, x, w));
        LoadTests.AssertClose(Net(x, w), forward.Invoke(x, w));
        var gradient = Jax.Load(Jax.Export((Tensor a, Tensor b) => Jax.Grad((Tensor k) => Jnp.Sum(Net(a, k)))(b), x, w));
        LoadTests.AssertClose(Jax.Grad((Tensor k) => Jnp.Sum(Net(x, k)))(w), gradient.Invoke(x, w), 1e-4);
    }

    [Fact]
    public void A_shape_polymorphic_batch_takes_each_call_s_size()
    {
        // As jax.export writes conv_general_dilated with a symbolic batch (StableHLO's testdata, 1-d, lhs dilation).
        var model = Jax.Load("""
            module @jit_fun_flat_jax {
              func.func public @main(%arg1: tensor<?x12x16xf32>, %arg2: tensor<4x16x16xf32>) -> tensor<?x24x16xf32> {
                %0 = stablehlo.convolution(%arg1, %arg2) dim_numbers = [b, 0, f]x[0, i, o]->[b, 0, f], window = {pad = [[2, 2]], lhs_dilate = [2]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<?x12x16xf32>, tensor<4x16x16xf32>) -> tensor<?x24x16xf32>
                return %0 : tensor<?x24x16xf32>
              }
            }
            """);
        var w = Values(13, 4, 16, 16);
        var dn = ConvDimensionNumbers.FromLayouts("NHC", "HIO", "NHC");
        foreach (int n in new[] { 1, 3 })
        {
            var x = Values(14 + n, n, 12, 16);
            LoadTests.AssertClose(Lax.ConvGeneralDilated(x, w, [1], [(2, 2)], lhsDilation: [2], dimensionNumbers: dn), model.Invoke(x, w), 1e-4);
        }
        // Traced with a symbolic batch directly: the same numbers, and its gradient.
        var batched = Jax.Vmap((Tensor row) => Lax.ConvGeneralDilated(row, w, [1], [(2, 2)], lhsDilation: [2], dimensionNumbers: dn));
        var rows = Values(20, 2, 1, 12, 16);
        LoadTests.AssertClose(Jnp.Stack([Lax.ConvGeneralDilated(rows[0], w, [1], [(2, 2)], lhsDilation: [2], dimensionNumbers: dn),
            Lax.ConvGeneralDilated(rows[1], w, [1], [(2, 2)], lhsDilation: [2], dimensionNumbers: dn)]), batched(rows), 1e-4);
    }

    [Fact]
    public void Unsupported_convolutions_are_errors_naming_the_op_and_its_position()
    {
        // A dynamic spatial dim: the windows are gathered at fixed positions.
        var e = Assert.Throws<StableHloImportException>(() => Jax.Load("""
            func.func public @main(%arg0: tensor<1x?x16xf32>, %arg1: tensor<4x16x16xf32>) -> tensor<1x?x16xf32> {
              %0 = stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, 0, f]x[0, i, o]->[b, 0, f], window = {pad = [[1, 2]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x?x16xf32>, tensor<4x16x16xf32>) -> tensor<1x?x16xf32>
              return %0 : tensor<1x?x16xf32>
            }
            """, "dyn"));
        Assert.Equal((2, 8, "stablehlo.convolution"), (e.Line, e.Column, e.OperationName));
        Assert.Contains("static shapes", e.Message);
        var bad = Assert.Throws<StableHloImportException>(() => Jax.Load("""
            func.func public @main(%arg0: tensor<1x5x3xf32>, %arg1: tensor<2x3x4xf32>) -> tensor<1x4x4xf32> {
              %0 = stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, 0, f]x[0, i, i]->[b, 0, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x5x3xf32>, tensor<2x3x4xf32>) -> tensor<1x4x4xf32>
              return %0 : tensor<1x4x4xf32>
            }
            """, "bad"));
        Assert.Contains("twice", bad.Message);
    }
}
