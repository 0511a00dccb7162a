using System.Globalization;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>
/// The lowering rules StableHLO's interpreter suite does not reach (or reaches in one form only): each program's
/// one result is compared with the value StableHLO's spec gives, by the interpreter and the LLVM CPU backend.
/// </summary>
public sealed class LoweringTests
{
    /// <summary>Programs (the body of a @main without arguments, defining %r: an i64 vector) and their expected results.</summary>
    public static TheoryData<string, string, string> Programs => new()
    {
        {
            "if picks the true branch on true, closing over outer values",
            """
            %p = stablehlo.constant dense<true> : tensor<i1>
            %a = stablehlo.constant dense<[1, 2]> : tensor<2xi64>
            %b = stablehlo.constant dense<[10, 20]> : tensor<2xi64>
            %r = "stablehlo.if"(%p) ({
              stablehlo.return %a : tensor<2xi64>
            }, {
              stablehlo.return %b : tensor<2xi64>
            }) : (tensor<i1>) -> tensor<2xi64>
            """,
            "1 2"
        },
        {
            "case runs the last branch for a negative index",
            """
            %i = stablehlo.constant dense<-3> : tensor<i32>
            %a = stablehlo.constant dense<[1, 2]> : tensor<2xi64>
            %r = "stablehlo.case"(%i) ({
              stablehlo.return %a : tensor<2xi64>
            }, {
              %n = stablehlo.negate %a : tensor<2xi64>
              stablehlo.return %n : tensor<2xi64>
            }) : (tensor<i32>) -> tensor<2xi64>
            """,
            "-1 -2"
        },
        {
            "compare TOTALORDER orders -0 before +0 and NaN after infinity",
            """
            %x = stablehlo.constant dense<[-0.0, 0x7FF8000000000000, -1.0]> : tensor<3xf64>
            %y = stablehlo.constant dense<[0.0, 0x7FF0000000000000, 0xFFF8000000000000]> : tensor<3xf64>
            %c = stablehlo.compare LT, %x, %y, TOTALORDER : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xi1>
            %r = stablehlo.convert %c : (tensor<3xi1>) -> tensor<3xi64>
            """,
            "1 0 0"
        },
        {
            "sort with a GT comparator on the second operand sorts descending by it, stably",
            """
            %k = stablehlo.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
            %v = stablehlo.constant dense<[5, 7, 5, 9]> : tensor<4xi64>
            %r:2 = "stablehlo.sort"(%k, %v) ({
            ^bb0(%a: tensor<i64>, %b: tensor<i64>, %c: tensor<i64>, %d: tensor<i64>):
              %p = stablehlo.compare GT, %c, %d, SIGNED : (tensor<i64>, tensor<i64>) -> tensor<i1>
              stablehlo.return %p : tensor<i1>
            }) {dimension = 0 : i64, is_stable = true} : (tensor<4xi64>, tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi64>)
            %r = stablehlo.add %r#0, %r#0 : tensor<4xi64>
            """,
            "8 4 2 6"
        },
        {
            "reduce with maximum folds the init value in",
            """
            %x = stablehlo.constant dense<[[1, 9], [4, 2]]> : tensor<2x2xi64>
            %init = stablehlo.constant dense<5> : tensor<i64>
            %r = stablehlo.reduce(%x init: %init) applies stablehlo.maximum across dimensions = [1] : (tensor<2x2xi64>, tensor<i64>) -> tensor<2xi64>
            """,
            "9 5"
        },
        {
            "pad with negative and interior padding",
            """
            %x = stablehlo.constant dense<[1, 2, 3]> : tensor<3xi64>
            %z = stablehlo.constant dense<0> : tensor<i64>
            %r = stablehlo.pad %x, %z, low = [-1], high = [2], interior = [1] : (tensor<3xi64>, tensor<i64>) -> tensor<6xi64>
            """,
            "0 2 0 3 0 0"
        },
        {
            "scatter with a replacing region",
            """
            %x = stablehlo.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
            %i = stablehlo.constant dense<[[3], [0]]> : tensor<2x1xi64>
            %u = stablehlo.constant dense<[7, 8]> : tensor<2xi64>
            %r = "stablehlo.scatter"(%x, %i, %u) ({
            ^bb0(%a: tensor<i64>, %b: tensor<i64>):
              stablehlo.return %b : tensor<i64>
            }) {scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>} : (tensor<4xi64>, tensor<2x1xi64>, tensor<2xi64>) -> tensor<4xi64>
            """,
            "8 2 3 7"
        },
        {
            "concatenate, iota, clamp and dot",
            """
            %a = stablehlo.iota dim = 0 : tensor<2xi64>
            %b = stablehlo.constant dense<[5, -5]> : tensor<2xi64>
            %c = stablehlo.concatenate %a, %b, dim = 0 : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
            %lo = stablehlo.constant dense<-1> : tensor<i64>
            %hi = stablehlo.constant dense<3> : tensor<i64>
            %d = stablehlo.clamp %lo, %c, %hi : (tensor<i64>, tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
            %e = stablehlo.dot %d, %d : (tensor<4xi64>, tensor<4xi64>) -> tensor<i64>
            %r = stablehlo.broadcast_in_dim %e, dims = [] : (tensor<i64>) -> tensor<2xi64>
            """,
            "11 11"
        },
        {
            "count_leading_zeros and popcnt",
            """
            %x = stablehlo.constant dense<[0, 1, -1, 255]> : tensor<4xi64>
            %c = stablehlo.count_leading_zeros %x : tensor<4xi64>
            %p = stablehlo.popcnt %x : tensor<4xi64>
            %r = stablehlo.concatenate %c, %p, dim = 0 : (tensor<4xi64>, tensor<4xi64>) -> tensor<8xi64>
            """,
            "64 63 0 56 0 1 64 8"
        },
        {
            "add on i1 is or",
            """
            %x = stablehlo.constant dense<[true, true, false]> : tensor<3xi1>
            %y = stablehlo.constant dense<[true, false, false]> : tensor<3xi1>
            %s = stablehlo.add %x, %y : tensor<3xi1>
            %r = stablehlo.convert %s : (tensor<3xi1>) -> tensor<3xi64>
            """,
            "1 1 0"
        },
        {
            "chlo.mulhi on 64-bit signed integers",
            """
            %x = stablehlo.constant dense<[4611686018427387904, -4611686018427387904, -1]> : tensor<3xi64>
            %y = stablehlo.constant dense<[4, 4, -1]> : tensor<3xi64>
            %r = "chlo.mulhi"(%x, %y) : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
            """,
            "1 -1 0"
        },
    };

    /// <summary>The program's result is the expected one, in the interpreter and compiled.</summary>
    [Theory]
    [MemberData(nameof(Programs))]
    public void ComputesWhatStableHloSpecifies(string what, string body, string expected)
    {
        var resultType = $"tensor<{expected.Split(' ').Length}xi64>";
        var text = $"func.func @main() -> {resultType} {{\n{body}\n  func.return %r : {resultType}\n}}\n";
        var function = StableHloImporter.ImportFunction(text);
        var want = expected.Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(want.SequenceEqual(Interpreter.Run(function)[0].ToArray<long>()), what);
        var run = CompiledRuns.RunFunction(function);
        Assert.True(want.SequenceEqual(run[0].ToArray<long>()), what + " (llvm cpu)");
    }
}
