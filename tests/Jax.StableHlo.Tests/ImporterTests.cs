using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>The importer on its own: both syntaxes, attributes and types, errors, a JAX-exported module.</summary>
public sealed class ImporterTests
{
    private const string Pretty = """
        func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> tensor<3xf32> {
          %0 = stablehlo.add %arg0, %arg1 : tensor<2x3xf32>
          %1 = stablehlo.compare GT, %0, %arg1, FLOAT : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
          %2 = stablehlo.select %1, %0, %arg1 : tensor<2x3xi1>, tensor<2x3xf32>
          %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
          %3 = stablehlo.reduce(%2 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
          %4 = stablehlo.transpose %2, dims = [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
          %5 = stablehlo.slice %4 [0:3, 1:2] : (tensor<3x2xf32>) -> tensor<3x1xf32>
          %6 = stablehlo.reshape %5 : (tensor<3x1xf32>) -> tensor<3xf32>
          %7 = stablehlo.multiply %3, %6 : tensor<3xf32>
          func.return %7 : tensor<3xf32>
        }
        """;

    private const string Generic = """
        "func.func"() <{function_type = (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3xf32>, sym_name = "main"}> ({
        }) : () -> ()
        """;

    private const string GenericBody = """
        func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> tensor<3xf32> {
          %0 = "stablehlo.add"(%arg0, %arg1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
          %1 = "stablehlo.compare"(%0, %arg1) <{comparison_direction = #stablehlo<comparison_direction GT>, compare_type = #stablehlo<comparison_type FLOAT>}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
          %2 = "stablehlo.select"(%1, %0, %arg1) : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
          %cst = "stablehlo.constant"() <{value = dense<0.000000e+00> : tensor<f32>}> : () -> tensor<f32>
          %3 = "stablehlo.reduce"(%2, %cst) <{dimensions = array<i64: 0>}> ({
          ^bb0(%a: tensor<f32>, %b: tensor<f32>):
            %s = "stablehlo.add"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
            "stablehlo.return"(%s) : (tensor<f32>) -> ()
          }) : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
          %4 = "stablehlo.transpose"(%2) <{permutation = array<i64: 1, 0>}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
          %5 = "stablehlo.slice"(%4) <{start_indices = array<i64: 0, 1>, limit_indices = array<i64: 3, 2>, strides = array<i64: 1, 1>}> : (tensor<3x2xf32>) -> tensor<3x1xf32>
          %6 = "stablehlo.reshape"(%5) : (tensor<3x1xf32>) -> tensor<3xf32>
          %7 = "stablehlo.multiply"(%3, %6) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
          "func.return"(%7) : (tensor<3xf32>) -> ()
        }
        """;

    /// <summary>The pretty and the generic form of one program import to the same IR, which verifies and runs.</summary>
    [Fact]
    public void PrettyAndGenericFormsGiveTheSameIr()
    {
        var pretty = StableHloImporter.ImportFunction(Pretty);
        var generic = StableHloImporter.ImportFunction(GenericBody);
        Assert.Equal(pretty.ToString(), generic.ToString());
        Verifier.Verify(pretty);
        var x = Buffer.Of([1f, 2, 3, 4, 5, 6], 2, 3);
        var y = Buffer.Of([1f, 1, 1, 1, 1, 1], 2, 3);
        var result = Interpreter.Run(pretty, x, y)[0].ToArray<float>();
        // sum over rows of max(x + y, y) = [2+5, 3+6, 4+7], times row 1 of that transposed: [5, 6, 7].
        Assert.Equal([35f, 54f, 77f], result);
    }

    /// <summary>A function in the generic func syntax is not part of the subset: the error says where.</summary>
    /// <summary>
    /// <c>stablehlo.map</c> (the spec's example form): the computation on 0-d tensors applied at every index, here one
    /// with a constant and a compare, not only elementwise arithmetic; also under <c>jvp</c>'s and the verifier's eyes.
    /// </summary>
    [Fact]
    public void MapAppliesItsComputationAtEveryIndex()
    {
        var f = StableHloImporter.ImportFunction("""
            func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> tensor<2x3xf32> {
              %0 = "stablehlo.map"(%arg0, %arg1) ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %c = stablehlo.constant dense<1.000000e+00> : tensor<f32>
                %p = stablehlo.multiply %a, %b : tensor<f32>
                %q = stablehlo.add %p, %c : tensor<f32>
                %g = stablehlo.compare GT, %a, %b, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %r = stablehlo.select %g, %q, %b : tensor<i1>, tensor<f32>
                stablehlo.return %r : tensor<f32>
              }) {dimensions = array<i64: 0, 1>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
              func.return %0 : tensor<2x3xf32>
            }
            """);
        Verifier.Verify(f);
        float[] x = [1, 5, 3, 7, 0, 2], y = [2, 4, 3, 1, 1, 1];
        var result = Interpreter.Run(f, Buffer.Of(x, 2, 3), Buffer.Of(y, 2, 3))[0].ToArray<float>();
        Assert.Equal(x.Zip(y, (a, b) => a > b ? a * b + 1 : b).ToArray(), result);
    }

    /// <summary>A map over a dynamic dim: the batch size of the vmap pass is the symbol, bound by the call's shapes.</summary>
    [Fact]
    public void MapOverADynamicDimRunsForEachSize()
    {
        var f = StableHloImporter.ImportFunction("""
            func.func @main(%arg0: tensor<?x3xf32>) -> tensor<?x3xf32> {
              %0 = "stablehlo.map"(%arg0) ({
              ^bb0(%a: tensor<f32>):
                %p = stablehlo.multiply %a, %a : tensor<f32>
                stablehlo.return %p : tensor<f32>
              }) {dimensions = array<i64: 0, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
              func.return %0 : tensor<?x3xf32>
            }
            """);
        Verifier.Verify(f);
        foreach (int rows in new[] { 1, 4 })
        {
            float[] x = Enumerable.Range(0, rows * 3).Select(i => i - 2.5f).ToArray();
            var result = Interpreter.Run(f, Buffer.Of(x, rows, 3))[0];
            Assert.Equal(x.Select(v => v * v).ToArray(), result.ToArray<float>());
        }
    }

    /// <summary>
    /// <c>stablehlo.triangular_solve</c> through the runtime's registered composition: x a = b (right side) with the
    /// transpose of a lower-triangular a, checked by multiplying back.
    /// </summary>
    [Fact]
    public void TriangularSolveImportsThroughTheRuntimesComposition()
    {
        JaxToolchain.StableHloCompositions.EnsureRegistered();
        var f = StableHloImporter.ImportFunction("""
            func.func @main(%a: tensor<3x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
              %x = "stablehlo.triangular_solve"(%a, %b) {left_side = false, lower = true, unit_diagonal = false, transpose_a = #stablehlo<transpose TRANSPOSE>} : (tensor<3x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
              func.return %x : tensor<2x3xf32>
            }
            """);
        Verifier.Verify(f);
        float[,] a = { { 2, 0, 0 }, { 1, 4, 0 }, { -1, 3, 5 } };
        float[] b = [1, 2, 3, -4, 0.5f, 7];
        var x = Interpreter.Run(f, Buffer.Of(a.Cast<float>().ToArray(), 3, 3), Buffer.Of(b, 2, 3))[0].ToArray<float>();
        // x aᵀ = b: row i of b is sum_k x[i,k] a[j,k] over j; the upper entries of a (zeros here) are not read.
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(b[i * 3 + j], Enumerable.Range(0, 3).Sum(k => x[i * 3 + k] * a[j, k]), 4);
    }

    /// <summary><c>chlo.ragged_dot</c> (JAX's mode 1): rows 0-1 use rhs group 0, row 2 group 1, row 3 no group (zeros).</summary>
    [Fact]
    public void RaggedDotMultipliesEachRowGroupByItsMatrix()
    {
        var f = StableHloImporter.ImportFunction("""
            func.func @main(%lhs: tensor<4x2xf32>, %rhs: tensor<2x2x3xf32>, %sizes: tensor<2xi64>) -> tensor<4x3xf32> {
              %r = "chlo.ragged_dot"(%lhs, %rhs, %sizes) {
                ragged_dot_dimension_numbers = #chlo.ragged_dot<lhs_batching_dimensions = [], rhs_batching_dimensions = [],
                  lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [1], lhs_ragged_dimensions = [0], rhs_group_dimensions = [0]>
              } : (tensor<4x2xf32>, tensor<2x2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
              func.return %r : tensor<4x3xf32>
            }
            """);
        Verifier.Verify(f);
        float[] lhs = [1, 2, 3, 4, 5, 6, 7, 8];
        float[] rhs = [1, 0, 2, 0, 1, 3, /* group 1 */ -1, 1, 0, 2, 2, 1];
        var r = Interpreter.Run(f, Buffer.Of(lhs, 4, 2), Buffer.Of(rhs, 2, 2, 3), Buffer.Of(new long[] { 2, 1 }, 2))[0].ToArray<float>();
        float Expected(int row, int col) => row >= 3 ? 0 : Enumerable.Range(0, 2).Sum(k => lhs[row * 2 + k] * rhs[(row < 2 ? 0 : 6) + k * 3 + col]);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => Expected(i / 3, i % 3)).ToArray(), r);
    }

    /// <summary>
    /// <c>chlo.ragged_dot</c> with a ragged contracting dimension (mode 2): one product per group over its part of k
    /// (k = 0-1 group 0, k = 2 group 1, k = 3 none), the group dimension first; with a ragged batch dimension (mode 3):
    /// the batched product.
    /// </summary>
    [Fact]
    public void RaggedDotOverContractingAndBatchDimensions()
    {
        var contracting = StableHloImporter.ImportFunction("""
            func.func @main(%lhs: tensor<2x3x4xf32>, %rhs: tensor<2x4x5xf32>, %sizes: tensor<2xi32>) -> tensor<2x2x3x5xf32> {
              %r = "chlo.ragged_dot"(%lhs, %rhs, %sizes) {
                ragged_dot_dimension_numbers = #chlo.ragged_dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0],
                  lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [1], lhs_ragged_dimensions = [2], rhs_group_dimensions = []>
              } : (tensor<2x3x4xf32>, tensor<2x4x5xf32>, tensor<2xi32>) -> tensor<2x2x3x5xf32>
              func.return %r : tensor<2x2x3x5xf32>
            }
            """);
        Verifier.Verify(contracting);
        float[] lhs = [.. Enumerable.Range(0, 24).Select(i => (float)(i % 7 - 3))];
        float[] rhs = [.. Enumerable.Range(0, 40).Select(i => (float)(i % 5 - 2))];
        var r = Interpreter.Run(contracting, Buffer.Of(lhs, 2, 3, 4), Buffer.Of(rhs, 2, 4, 5), Buffer.Of([2, 1], 2))[0].ToArray<float>();
        var expected = new float[2 * 2 * 3 * 5];
        for (int g = 0; g < 2; g++)
            for (int b = 0; b < 2; b++)
                for (int m = 0; m < 3; m++)
                    for (int n = 0; n < 5; n++)
                        foreach (int k in g == 0 ? new[] { 0, 1 } : [2])
                            expected[((g * 2 + b) * 3 + m) * 5 + n] += lhs[(b * 3 + m) * 4 + k] * rhs[(b * 4 + k) * 5 + n];
        Assert.Equal(expected, r);

        var batch = StableHloImporter.ImportFunction("""
            func.func @main(%lhs: tensor<2x3x4xf32>, %rhs: tensor<2x4x5xf32>, %sizes: tensor<2xi32>) -> tensor<2x3x5xf32> {
              %r = "chlo.ragged_dot"(%lhs, %rhs, %sizes) {
                ragged_dot_dimension_numbers = #chlo.ragged_dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0],
                  lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [1], lhs_ragged_dimensions = [0], rhs_group_dimensions = []>
              } : (tensor<2x3x4xf32>, tensor<2x4x5xf32>, tensor<2xi32>) -> tensor<2x3x5xf32>
              func.return %r : tensor<2x3x5xf32>
            }
            """);
        var rb = Interpreter.Run(batch, Buffer.Of(lhs, 2, 3, 4), Buffer.Of(rhs, 2, 4, 5), Buffer.Of([1, 1], 2))[0].ToArray<float>();
        var expectedBatch = new float[2 * 3 * 5];
        for (int b = 0; b < 2; b++)
            for (int m = 0; m < 3; m++)
                for (int n = 0; n < 5; n++)
                    for (int k = 0; k < 4; k++)
                        expectedBatch[(b * 3 + m) * 5 + n] += lhs[(b * 3 + m) * 4 + k] * rhs[(b * 4 + k) * 5 + n];
        Assert.Equal(expectedBatch, rb);
    }

    /// <summary>A map whose dimensions are not every axis in order is an error naming the op and its position.</summary>
    [Fact]
    public void MapOverSomeAxesIsAnError()
    {
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportFunction("""
            func.func @main(%arg0: tensor<2x3xf32>) -> tensor<2x3xf32> {
              %0 = "stablehlo.map"(%arg0) ({
              ^bb0(%a: tensor<f32>):
                stablehlo.return %a : tensor<f32>
              }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
              func.return %0 : tensor<2x3xf32>
            }
            """));
        Assert.Contains("stablehlo.map", e.Message, StringComparison.Ordinal);
        Assert.Contains("every axis", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenericFuncSyntaxIsAnErrorWithAPosition()
    {
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule(Generic, "g.mlir"));
        Assert.StartsWith("g.mlir:1:1:", e.Message, StringComparison.Ordinal);
    }

    /// <summary>An unsupported op is an error naming it and its line:column.</summary>
    [Fact]
    public void UnsupportedOpNamesOpAndPosition()
    {
        const string text = """
            func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
              %0 = stablehlo.abs %arg0 : tensor<4xf32>
              %1 = "stablehlo.rng"(%0, %0, %0) {rng_distribution = #stablehlo<rng_distribution UNIFORM>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
              func.return %1 : tensor<4xf32>
            }
            """;
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule(text, "rng.mlir"));
        Assert.Equal("rng.mlir:3:8: 'stablehlo.rng': op not in our primitive set: stablehlo.rng", e.Message);
        Assert.Equal((3, 8, "stablehlo.rng", StableHloImportFailure.UnsupportedOperation), (e.Line, e.Column, e.OperationName, e.Failure));
        // fft always has a complex operand or result: an unsupported element type.
        var fft = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule("""
            func.func @main(%arg0: tensor<4xf32>) -> tensor<3xcomplex<f32>> {
              %0 = stablehlo.fft %arg0, type = RFFT, length = [4] : (tensor<4xf32>) -> tensor<3xcomplex<f32>>
              func.return %0 : tensor<3xcomplex<f32>>
            }
            """, "fft.mlir"));
        Assert.Equal(StableHloImportFailure.UnsupportedElementType, fft.Failure);
    }

    /// <summary>Invalid operands are an error naming the op and its position.</summary>
    [Fact]
    public void InvalidOperandsNameOpAndPosition()
    {
        const string text = """
            func.func @main(%arg0: tensor<4xf32>, %arg1: tensor<3xf32>) -> tensor<4xf32> {
              %0 = stablehlo.add %arg0, %arg1 : tensor<4xf32>
              func.return %0 : tensor<4xf32>
            }
            """;
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule(text));
        Assert.StartsWith("2:8: 'stablehlo.add': ", e.Message, StringComparison.Ordinal);
        Assert.Equal(StableHloImportFailure.Invalid, e.Failure);
    }

    /// <summary>An element type we have no dtype for is its own failure kind.</summary>
    [Fact]
    public void UnsupportedElementTypeIsReported()
    {
        const string text = """
            func.func @main() -> tensor<2xi4> {
              %0 = stablehlo.constant dense<[1, 2]> : tensor<2xi4>
              func.return %0 : tensor<2xi4>
            }
            """;
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule(text));
        Assert.Equal(StableHloImportFailure.UnsupportedElementType, e.Failure);
        Assert.Contains("unsupported element type i4", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A syntax error says what was expected, where.</summary>
    [Fact]
    public void SyntaxErrorHasPosition()
    {
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule("func.func @main( {", "s.mlir"));
        Assert.StartsWith("s.mlir:1:18:", e.Message, StringComparison.Ordinal);
        Assert.Equal(StableHloImportFailure.Syntax, e.Failure);
    }

    /// <summary>A module as JAX exports it: a dynamic dim, result attributes, #loc aliases and loc(...) trailers.</summary>
    [Fact]
    public void ImportsJaxExportedModule()
    {
        const string text = """
            #loc = loc(unknown)
            #loc1 = loc("x")
            module @jit_f attributes {jax.uses_shape_polymorphism = true, mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
              func.func public @main(%arg0: tensor<?x4xf32> {mhlo.layout_mode = "default"} loc("x")) -> (tensor<?x4xf32> {jax.result_info = ""}) {
                %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32> loc(#loc)
                %0 = stablehlo.sine %arg0 : tensor<?x4xf32> loc(#loc3)
                %1 = stablehlo.exponential %0 : tensor<?x4xf32> loc(#loc4)
                %2 = stablehlo.add %1, %0 : tensor<?x4xf32> loc(#loc5)
                return %2 : tensor<?x4xf32> loc(#loc)
              } loc(#loc)
            } loc(#loc)
            #loc3 = loc("jit(f)/jit(main)/sin"(#loc1))
            #loc4 = loc("jit(f)/jit(main)/exp"(#loc1))
            #loc5 = loc("jit(f)/jit(main)/add"(#loc1))
            """;
        var module = StableHloImporter.ImportModule(text);
        var main = Assert.Single(module.Functions);
        Assert.Equal("main", main.Name);
        Verifier.Verify(module);
        var dim = main.Parameters[0].Type.Shape[0];
        Assert.False(dim.IsStatic);
        Assert.Equal(main.Parameters[0].Type, main.ResultTypes[0]);
        Assert.Equal(["sin", "exp", "add"], main.Body.Operations.Select(o => o.Primitive.Name).Where(n => n != "constant"));
    }

    /// <summary>Calls become our call primitive holding the callee; while loops capture outer values as constants.</summary>
    [Fact]
    public void CallsAndWhileLoopsRun()
    {
        const string text = """
            func.func private @twice(%x: tensor<i64>) -> tensor<i64> {
              %0 = stablehlo.add %x, %x : tensor<i64>
              func.return %0 : tensor<i64>
            }
            func.func @main(%n: tensor<i64>) -> tensor<i64> {
              %one = stablehlo.constant dense<1> : tensor<i64>
              %zero = stablehlo.constant dense<0> : tensor<i64>
              %r:2 = stablehlo.while(%i = %zero, %acc = %one) : tensor<i64>, tensor<i64>
              cond {
                %c = stablehlo.compare LT, %i, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
                stablehlo.return %c : tensor<i1>
              } do {
                %j = stablehlo.add %i, %one : tensor<i64>
                %a = func.call @twice(%acc) : (tensor<i64>) -> tensor<i64>
                stablehlo.return %j, %a : tensor<i64>, tensor<i64>
              }
              func.return %r#1 : tensor<i64>
            }
            """;
        var module = StableHloImporter.ImportModule(text);
        Assert.Equal(["twice", "main"], module.Functions.Select(f => f.Name));
        var result = Interpreter.Run(module["main"], Buffer.Scalar(10L))[0];
        Assert.Equal(1024L, result.GetInt64(0));
    }

    /// <summary>Hex float constants, splats and booleans read as StableHLO writes them.</summary>
    [Fact]
    public void DenseLiteralsReadEveryForm()
    {
        const string text = """
            func.func @main() -> (tensor<3xf32>, tensor<2x2xi32>, tensor<2xi1>, tensor<2xui8>) {
              %0 = stablehlo.constant dense<[0x7F800000, -1.5, 0xFFC00000]> : tensor<3xf32>
              %1 = stablehlo.constant dense<7> : tensor<2x2xi32>
              %2 = stablehlo.constant dense<[true, false]> : tensor<2xi1>
              %3 = stablehlo.constant dense<"0x01FF"> : tensor<2xui8>
              func.return %0, %1, %2, %3 : tensor<3xf32>, tensor<2x2xi32>, tensor<2xi1>, tensor<2xui8>
            }
            """;
        var r = Interpreter.Run(StableHloImporter.ImportFunction(text));
        var f = r[0].ToArray<float>();
        Assert.Equal(float.PositiveInfinity, f[0]);
        Assert.Equal(-1.5f, f[1]);
        Assert.True(float.IsNaN(f[2]));
        Assert.Equal([7, 7, 7, 7], r[1].ToArray<int>());
        Assert.Equal([true, false], r[2].ToArray<bool>());
        Assert.Equal([(byte)1, (byte)255], r[3].ToArray<byte>());
    }

    /// <summary>Check ops become results described by checks; without the option they are an error.</summary>
    [Fact]
    public void ChecksBecomeResults()
    {
        const string text = """
            func.func @t() {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf64>
              %1 = stablehlo.negate %0 : tensor<2xf64>
              check.expect_almost_eq_const %1, dense<[-1.0, -2.0]> : tensor<2xf64> {tolerance = 0.5 : f64}
              check.expect_eq %0, %0 : tensor<2xf64>
              func.return
            }
            """;
        var imported = StableHloImporter.ImportModuleWithChecks(text);
        var checks = imported.Checks["t"];
        Assert.Equal(2, checks.Count);
        Assert.Equal((StableHloCheckKind.AlmostEqual, 0, -1, 0.5), (checks[0].Kind, checks[0].ActualResult, checks[0].ExpectedResult, checks[0].Tolerance));
        Assert.Equal((StableHloCheckKind.Equal, 1, 2), (checks[1].Kind, checks[1].ActualResult, checks[1].ExpectedResult));
        Assert.Equal(3, imported.Module["t"].ResultTypes.Count);
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportModule(text));
        Assert.Equal("check.expect_almost_eq_const", e.OperationName);
    }

    /// <summary>The pretty forms JAX prints for contractions, broadcasts, iotas and reductions with a reducer region.</summary>
    [Fact]
    public void ImportsJaxPrettyForms()
    {
        const string text = """
            module @jit_g {
              func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<3xf32>) -> (tensor<2xf32> {jax.result_info = "result"}) {
                %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0], precision = [DEFAULT, DEFAULT] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
                %1 = stablehlo.iota dim = 0 : tensor<2xf32>
                %2 = stablehlo.broadcast_in_dim %1, dims = [0] : (tensor<2xf32>) -> tensor<2x3xf32>
                %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
                %3 = stablehlo.reduce(%2 init: %cst) across dimensions = [1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
                 reducer(%a: tensor<f32>, %b: tensor<f32>)  {
                  %m = stablehlo.maximum %a, %b : tensor<f32>
                  stablehlo.return %m : tensor<f32>
                }
                %4 = stablehlo.add %0, %3 : tensor<2xf32>
                return %4 : tensor<2xf32>
              }
            }
            """;
        var main = StableHloImporter.ImportFunction(text);
        var r = Interpreter.Run(main, Buffer.Of([1f, 2, 3, 4, 5, 6], 2, 3), Buffer.Of([1f, 1, 1], 3))[0].ToArray<float>();
        Assert.Equal([6f, 16f], r);
    }
}
