using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>
/// What JAX's own exports need beyond one-to-one ops: shape-polymorphic modules (dynamic dims unified, shape operands
/// built with get_dimension_size), argmax as a two-input reduce, lax.sort's multi-key comparator, cumulative
/// reduce_window.
/// </summary>
public sealed class ImporterJaxFormsTests
{
    /// <summary>A module as jax.export writes it for <c>f(x, y) = (x + y) * 2</c> with a symbolic batch dim.</summary>
    private const string ShapePolymorphic = """
        module @jit_f attributes {jax.uses_shape_polymorphism = true, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
          func.func public @main(%arg0: tensor<?x4xf32>, %arg1: tensor<?x4xf32>) -> (tensor<?x4xf32> {jax.result_info = ""}) {
            %0 = stablehlo.add %arg0, %arg1 : tensor<?x4xf32>
            %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32>
            %1 = stablehlo.get_dimension_size %arg0, dim = 0 : (tensor<?x4xf32>) -> tensor<i32>
            %2 = stablehlo.convert %1 : (tensor<i32>) -> tensor<i64>
            %3 = stablehlo.reshape %2 : (tensor<i64>) -> tensor<1xi64>
            %c = stablehlo.constant dense<4> : tensor<1xi64>
            %4 = stablehlo.concatenate %3, %c, dim = 0 : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
            %5 = stablehlo.dynamic_broadcast_in_dim %cst, %4, dims = [] : (tensor<f32>, tensor<2xi64>) -> tensor<?x4xf32>
            %6 = stablehlo.multiply %0, %5 : tensor<?x4xf32>
            %7 = stablehlo.dynamic_iota %4, dim = 0 : (tensor<2xi64>) -> tensor<?x4xf32>
            %8 = stablehlo.add %6, %7 : tensor<?x4xf32>
            return %8 : tensor<?x4xf32>
          }
        }
        """;

    /// <summary>Both arguments' <c>?</c> are one symbol (their sum requires it), named s0; the shape operand is (s0, 4).</summary>
    [Fact]
    public void ShapePolymorphicModuleImportsWithOneSymbol()
    {
        var main = StableHloImporter.ImportFunction(ShapePolymorphic);
        Assert.Equal("f32[s0,4]", main.ParameterTypes[0].ToString());
        Assert.Equal("f32[s0,4]", main.ParameterTypes[1].ToString());
        Assert.Equal("f32[s0,4]", main.ResultTypes[0].ToString());
        var x = Buffer.Of([1f, 2, 3, 4, 5, 6, 7, 8], 2, 4);
        var r = Interpreter.Run(main, x, x)[0].ToArray<float>();
        Assert.Equal([4f, 8, 12, 16, 21, 25, 29, 33], r);
    }

    /// <summary>
    /// jax.export's form: main reads the dimension variable with get_dimension_size, asserts it is at least 1 (a
    /// shape assertion, dropped: the arguments decide it) and calls the wrapped function
    /// with it as an i64 argument, from which the wrapped function builds its shapes. The wrapped function cannot be
    /// imported alone, so the module holds main only.
    /// </summary>
    [Fact]
    public void JaxExportDimensionArgumentsBindInTheCallee()
    {
        const string text = """
            module @jit_f attributes {jax.uses_shape_polymorphism = true, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
              func.func public @main(%arg0: tensor<?x4xf32>) -> (tensor<?x4xf32> {jax.result_info = ""}) {
                %0 = stablehlo.get_dimension_size %arg0, dim = 0 : (tensor<?x4xf32>) -> tensor<i32>
                %1 = stablehlo.convert %0 : (tensor<i32>) -> tensor<i64>
                %c = stablehlo.constant dense<1> : tensor<i64>
                %2 = stablehlo.compare  GE, %1, %c,  SIGNED : (tensor<i64>, tensor<i64>) -> tensor<i1>
                stablehlo.custom_call @shape_assertion(%2, %1) {api_version = 2 : i32, error_message = "Input shapes do not match the polymorphic shapes specification. Expected value >= 1 for dimension variable 'b'.", has_side_effect = true} : (tensor<i1>, tensor<i64>) -> ()
                %3 = call @_wrapped_jax_export_main(%1, %arg0) : (tensor<i64>, tensor<?x4xf32>) -> tensor<?x4xf32>
                return %3 : tensor<?x4xf32>
              }
              func.func private @_wrapped_jax_export_main(%arg0: tensor<i64> {jax.global_constant = "b"}, %arg1: tensor<?x4xf32>) -> (tensor<?x4xf32> {jax.result_info = ""}) {
                %cst = stablehlo.constant dense<1.000000e+00> : tensor<f32>
                %0 = stablehlo.convert %arg0 : (tensor<i64>) -> tensor<i32>
                %1 = stablehlo.reshape %0 : (tensor<i32>) -> tensor<1xi32>
                %c = stablehlo.constant dense<4> : tensor<1xi32>
                %2 = stablehlo.concatenate %1, %c, dim = 0 : (tensor<1xi32>, tensor<1xi32>) -> tensor<2xi32>
                %3 = stablehlo.dynamic_broadcast_in_dim %cst, %2, dims = [] : (tensor<f32>, tensor<2xi32>) -> tensor<?x4xf32>
                %4 = stablehlo.add %arg1, %3 : tensor<?x4xf32>
                return %4 : tensor<?x4xf32>
              }
            }
            """;
        var module = StableHloImporter.ImportModule(text);
        Assert.Equal(["main"], module.Functions.Select(f => f.Name));
        var main = module["main"];
        Assert.Equal("f32[s0,4]", main.ParameterTypes[0].ToString());
        Assert.Equal("f32[s0,4]", main.ResultTypes[0].ToString());
        var r = Interpreter.Run(main, Buffer.Of([1f, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 3, 4))[0].ToArray<float>();
        Assert.Equal([2f, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], r);
    }

    /// <summary>A sharding annotation is its operand on one device; custom_call targets we do not know are unsupported, named.</summary>
    [Fact]
    public void ShardingIsItsOperandAndOtherCustomCallsAreUnsupported()
    {
        const string text = """
            func.func public @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
              %0 = stablehlo.custom_call @Sharding(%arg0) {mhlo.sharding = "{replicated}"} : (tensor<4xf32>) -> tensor<4xf32>
              %1 = stablehlo.negate %0 : tensor<4xf32>
              return %1 : tensor<4xf32>
            }
            """;
        var main = StableHloImporter.ImportFunction(text);
        Assert.Equal([-1f, -2, -3, -4], Interpreter.Run(main, Buffer.Of([1f, 2, 3, 4], 4))[0].ToArray<float>());
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportFunction(text.Replace("@Sharding", "@my_kernel", StringComparison.Ordinal)));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
        Assert.Contains("@my_kernel", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Line);
    }

    /// <summary>
    /// A symbolic size used as a value (not as a shape): each call's size. jnp.mean over a polymorphic axis divides by
    /// it (converted to a float, broadcast), and arithmetic our shapes cannot express (n * 4) is ordinary arithmetic on it.
    /// </summary>
    [Fact]
    public void SymbolicSizeAsValueIsEachCallsSize()
    {
        const string text = """
            func.func public @main(%arg0: tensor<?x4xf32>) -> (tensor<i32>, tensor<4xf32>, tensor<i64>) {
              %0 = stablehlo.get_dimension_size %arg0, dim = 0 : (tensor<?x4xf32>) -> tensor<i32>
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %1 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<?x4xf32>, tensor<f32>) -> tensor<4xf32>
              %2 = stablehlo.convert %0 : (tensor<i32>) -> tensor<f32>
              %3 = stablehlo.broadcast_in_dim %2, dims = [] : (tensor<f32>) -> tensor<4xf32>
              %4 = stablehlo.divide %1, %3 : tensor<4xf32>
              %5 = stablehlo.convert %0 : (tensor<i32>) -> tensor<i64>
              %c = stablehlo.constant dense<4> : tensor<i64>
              %6 = stablehlo.multiply %5, %c : tensor<i64>
              return %0, %4, %6 : tensor<i32>, tensor<4xf32>, tensor<i64>
            }
            """;
        var main = StableHloImporter.ImportFunction(text);
        Assert.Equal("f32[s0,4]", main.ParameterTypes[0].ToString());
        foreach (int rows in new[] { 1, 3 })
        {
            var x = Buffer.Of([.. Enumerable.Range(0, rows * 4).Select(i => (float)i)], rows, 4);
            var r = Interpreter.Run(main, x);
            Assert.Equal(rows, r[0].ToArray<int>()[0]);
            Assert.Equal(Enumerable.Range(0, 4).Select(c => (float)Enumerable.Range(0, rows).Average(i => i * 4 + c)), r[1].ToArray<float>());
            Assert.Equal(rows * 4L, r[2].ToArray<long>()[0]);
        }
    }

    /// <summary>A shape operand computed from a symbolic size by arithmetic our shapes cannot express (n * 4) names the op that needs the shape.</summary>
    [Fact]
    public void UnevaluableShapeOperandNamesTheOp()
    {
        const string text = """
            func.func public @main(%arg0: tensor<?x4xf32>) -> tensor<?xf32> {
              %0 = stablehlo.get_dimension_size %arg0, dim = 0 : (tensor<?x4xf32>) -> tensor<i32>
              %c = stablehlo.constant dense<4> : tensor<i32>
              %1 = stablehlo.multiply %0, %c : tensor<i32>
              %2 = stablehlo.reshape %1 : (tensor<i32>) -> tensor<1xi32>
              %3 = stablehlo.dynamic_reshape %arg0, %2 : (tensor<?x4xf32>, tensor<1xi32>) -> tensor<?xf32>
              return %3 : tensor<?xf32>
            }
            """;
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportFunction(text));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
        Assert.Equal("stablehlo.dynamic_reshape", e.OperationName);
        Assert.Contains("shape operand that cannot be evaluated", e.Message, StringComparison.Ordinal);
        Assert.Equal(6, e.Line);
    }

    /// <summary>jnp.argmax as JAX lowers it: a reduce of (values, iota) whose combiner prefers NaN, then the larger value, then the smaller index.</summary>
    [Fact]
    public void JaxArgmaxBecomesArgmax()
    {
        const string text = """
            func.func public @main(%arg0: tensor<2x3xf32>) -> (tensor<2xi32>) {
              %0 = stablehlo.iota dim = 1 : tensor<2x3xi32>
              %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
              %c = stablehlo.constant dense<0> : tensor<i32>
              %1:2 = stablehlo.reduce(%arg0 init: %cst), (%0 init: %c) across dimensions = [1] : (tensor<2x3xf32>, tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> (tensor<2xf32>, tensor<2xi32>)
               reducer(%arg1: tensor<f32>, %arg3: tensor<f32>) (%arg2: tensor<i32>, %arg4: tensor<i32>)  {
                %2 = stablehlo.compare  GT, %arg1, %arg3,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %3 = stablehlo.compare  NE, %arg1, %arg1,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %4 = stablehlo.or %2, %3 : tensor<i1>
                %5 = stablehlo.compare  EQ, %arg1, %arg3,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %6 = stablehlo.compare  LT, %arg2, %arg4,  SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
                %7 = stablehlo.and %5, %6 : tensor<i1>
                %8 = stablehlo.or %4, %7 : tensor<i1>
                %9 = stablehlo.select %4, %arg1, %arg3 : tensor<i1>, tensor<f32>
                %10 = stablehlo.select %8, %arg2, %arg4 : tensor<i1>, tensor<i32>
                stablehlo.return %9, %10 : tensor<f32>, tensor<i32>
              }
              return %1#1 : tensor<2xi32>
            }
            """;
        var main = StableHloImporter.ImportFunction(text);
        Assert.Contains(main.Body.Operations, o => o.Primitive == Prims.Argmax);
        var r = Interpreter.Run(main, Buffer.Of([1f, 3, 3, float.NaN, 2, float.NaN], 2, 3))[0].ToArray<int>();
        Assert.Equal([1, 0], r);

        // The same reduce with LT instead of GT is argmin; with the index tie-break reversed it is neither, and is
        // folded by its body: the last of the largest values.
        var argmin = StableHloImporter.ImportFunction(text.Replace("GT,", "LT,", StringComparison.Ordinal).Replace("0xFF800000", "0x7F800000", StringComparison.Ordinal));
        Assert.Contains(argmin.Body.Operations, o => o.Primitive == Prims.Argmin);
        var last = StableHloImporter.ImportFunction(text.Replace("LT, %arg2", "GT, %arg2", StringComparison.Ordinal));
        Assert.DoesNotContain(last.Body.Operations, o => o.Primitive == Prims.Argmax);
        Assert.Equal([2, 0], Interpreter.Run(last, Buffer.Of([1f, 3, 3, float.NaN, 2, float.NaN], 2, 3))[0].ToArray<int>());
    }

    /// <summary>lax.sort((keys, values), num_keys=2) as JAX lowers it: canonicalised float keys compared in total order, then the second key.</summary>
    [Fact]
    public void JaxTwoKeySortBecomesSort()
    {
        const string text = """
            func.func public @main(%arg0: tensor<6xf32>, %arg1: tensor<6xi32>) -> (tensor<6xf32>, tensor<6xi32>) {
              %0:2 = "stablehlo.sort"(%arg0, %arg1) <{dimension = 0 : i64, is_stable = true}> ({
              ^bb0(%arg2: tensor<f32>, %arg3: tensor<f32>, %arg4: tensor<i32>, %arg5: tensor<i32>):
                %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
                %1 = stablehlo.compare  EQ, %arg2, %cst,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %2 = stablehlo.select %1, %cst, %arg2 : tensor<i1>, tensor<f32>
                %3 = stablehlo.compare  NE, %arg2, %arg2,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %cst_0 = stablehlo.constant dense<0x7FC00000> : tensor<f32>
                %4 = stablehlo.select %3, %cst_0, %2 : tensor<i1>, tensor<f32>
                %5 = stablehlo.compare  EQ, %arg3, %cst,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %6 = stablehlo.select %5, %cst, %arg3 : tensor<i1>, tensor<f32>
                %7 = stablehlo.compare  NE, %arg3, %arg3,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %8 = stablehlo.select %7, %cst_0, %6 : tensor<i1>, tensor<f32>
                %9 = stablehlo.compare  LT, %4, %8,  TOTALORDER : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %10 = stablehlo.compare  EQ, %4, %8,  TOTALORDER : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %11 = stablehlo.compare  LT, %arg4, %arg5,  SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
                %12 = stablehlo.and %10, %11 : tensor<i1>
                %13 = stablehlo.or %9, %12 : tensor<i1>
                stablehlo.return %13 : tensor<i1>
              }) : (tensor<6xf32>, tensor<6xi32>) -> (tensor<6xf32>, tensor<6xi32>)
              return %0#0, %0#1 : tensor<6xf32>, tensor<6xi32>
            }
            """;
        var main = StableHloImporter.ImportFunction(text);
        var sort = Assert.Single(main.Body.Operations, o => o.Primitive == Prims.Sort);
        Assert.Equal(2L, sort.Attributes.Int("num_keys"));
        var r = Interpreter.Run(main, Buffer.Of([2f, float.NaN, 0f, -0f, 2f, -1f], 6), Buffer.Of([5, 0, 3, 1, 4, 9], 6));
        Assert.Equal([-1f, -0f, 0f, 2f, 2f], r[0].ToArray<float>()[..5]);
        Assert.True(float.IsNaN(r[0].ToArray<float>()[5]));
        Assert.Equal([9, 1, 3, 4, 5, 0], r[1].ToArray<int>());

        // Descending on the first key and ascending on the second is no order our sort has.
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportFunction(text.Replace("LT, %4, %8", "GT, %4, %8", StringComparison.Ordinal)));
        Assert.Equal(StableHloImportFailure.UnsupportedOperation, e.Failure);
        Assert.Equal("stablehlo.sort", e.OperationName);
    }

    /// <summary>jnp.cumsum as JAX lowers it on CPU: a reduce_window over the whole axis padded by n - 1 before.</summary>
    [Fact]
    public void CumulativeReduceWindowBecomesCumsum()
    {
        const string text = """
            func.func public @main(%arg0: tensor<2x3xf32>) -> tensor<2x3xf32> {
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %0 = "stablehlo.reduce_window"(%arg0, %cst) <{padding = dense<[[0, 0], [2, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 1, 3>, window_strides = array<i64: 1, 1>}> ({
              ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
                %1 = stablehlo.add %arg1, %arg2 : tensor<f32>
                stablehlo.return %1 : tensor<f32>
              }) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
              return %0 : tensor<2x3xf32>
            }
            """;
        var main = StableHloImporter.ImportFunction(text);
        Assert.Contains(main.Body.Operations, o => o.Primitive == Prims.Cumsum);
        var r = Interpreter.Run(main, Buffer.Of([1f, 2, 3, 4, 5, 6], 2, 3))[0].ToArray<float>();
        Assert.Equal([1f, 3, 6, 4, 9, 15], r);
        // Any other window (pooling) is the runtime's Lax.ReduceWindow: a sliding sum of 3 padded by one on each side.
        JaxToolchain.StableHloCompositions.EnsureRegistered();
        var sliding = StableHloImporter.ImportFunction(text.Replace("[2, 0]]", "[1, 1]]", StringComparison.Ordinal));
        Assert.DoesNotContain(sliding.Body.Operations, o => o.Primitive == Prims.Cumsum);
        Assert.Equal([3f, 6, 5, 9, 15, 11], Interpreter.Run(sliding, Buffer.Of([1f, 2, 3, 4, 5, 6], 2, 3))[0].ToArray<float>());
        // A body that is no reduce op is folded over the window (its calls); a window of 1 is the body of init and x.
        var folded = StableHloImporter.ImportFunction(text.Replace("stablehlo.add %arg1", "stablehlo.subtract %arg1", StringComparison.Ordinal)
            .Replace("[2, 0]]", "[0, 0]]", StringComparison.Ordinal).Replace("1, 3>", "1, 1>", StringComparison.Ordinal));
        Assert.Contains(folded.Body.Operations, o => o.Primitive == Prims.Call);
        Assert.Equal([-1f, -2, -3, -4, -5, -6], Interpreter.Run(folded, Buffer.Of([1f, 2, 3, 4, 5, 6], 2, 3))[0].ToArray<float>());
    }
}
