namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// <see cref="ScanToWhilePass"/>: every scan becomes a while loop (none is left where shapes are static), and the
/// interpreter gives the same numbers, bit for bit, before and after: forward and reverse scans, constants, several
/// carries, xs and ys, a scan without xs, one without ys, nested scans, and a scan inside a while body.
/// </summary>
public sealed class ScanToWhileTests
{
    /// <summary>The scans of IrSamples/control_flow.ir (a running sum; a reversed scan with a constant), then these.</summary>
    private static IEnumerable<Function> Functions() =>
        IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", "control_flow.ir"))).Functions
            .Where(f => IrPrinter.Print(f).Contains(" scan ", StringComparison.Ordinal))
            .Concat(Sources.Select(IrParser.ParseFunction));

    private static readonly string[] Sources =
    [
        """
        func @two_carries_two_xs(%0: i32[], %1: f32[2], %2: i32[6], %3: f32[6,2]) -> (i32[], f32[2], f32[6,2], i32[6]) {
          %4, %5, %6, %7 = scan %0, %1, %2, %3 {length = 6, num_carry = 2, num_consts = 0, reverse = false} (%8: i32[], %9: f32[2], %10: i32[], %11: f32[2]) {
            %12 = mul %8, %10 : i32[]
            %13 = add %9, %11 : f32[2]
            return %12, %13, %13, %12
          } : i32[], f32[2], f32[6,2], i32[6]
          return %4, %5, %6, %7
        }
        """,
        """
        func @no_xs(%0: f32[]) -> (f32[], f32[3]) {
          %1, %2 = scan %0 {length = 3, num_carry = 1, num_consts = 0, reverse = true} (%3: f32[]) {
            %4 = mul %3, %3 : f32[]
            return %4, %3
          } : f32[], f32[3]
          return %1, %2
        }
        """,
        """
        func @nested(%0: f32[], %1: f32[4,3]) -> (f32[], f32[4,3]) {
          %2, %3 = scan %0, %1 {length = 4, num_carry = 1, num_consts = 0, reverse = false} (%4: f32[], %5: f32[3]) {
            %6, %7 = scan %4, %5 {length = 3, num_carry = 1, num_consts = 0, reverse = true} (%8: f32[], %9: f32[]) {
              %10 = add %8, %9 : f32[]
              return %10, %10
            } : f32[], f32[3]
            return %6, %7
          } : f32[], f32[4,3]
          return %2, %3
        }
        """,
    ];

    [Fact]
    public void Scans_become_while_loops_with_the_same_numbers()
    {
        var random = new Random(3);
        int count = 0;
        foreach (var function in Functions())
        {
            count++;
            var rewritten = new ScanToWhilePass().Run(function);
            Verifier.Verify(rewritten);
            var text = IrPrinter.Print(rewritten);
            Assert.DoesNotContain(" scan ", text);
            Assert.Contains(" while ", text);
            var arguments = function.ParameterTypes.Select(t => Values(t, random)).ToArray();
            var expected = Interpreter.Run(function, arguments);
            var actual = Interpreter.Run(rewritten, arguments);
            Assert.Equal(expected.Length, actual.Length);
            for (int r = 0; r < expected.Length; r++)
                Assert.True(expected[r].Bytes.SequenceEqual(actual[r].Bytes), $"{function.Name} result {r}:\n{text}");
        }
        Assert.Equal(5, count);
    }

    [Fact]
    public void A_function_without_scans_is_returned_as_it_is()
    {
        var function = IrParser.ParseFunction("func @f(%0: f32[3]) -> (f32[3]) {\n  %1 = neg %0 : f32[3]\n  return %1\n}");
        Assert.Same(function, new ScanToWhilePass().Run(function));
    }

    [Fact]
    public void A_scan_over_symbolic_slices_stays()
    {
        var function = IrParser.ParseFunction("""
            func @f(%0: f32[n], %1: f32[4,n]) -> (f32[n], f32[4,n]) {
              %2, %3 = scan %0, %1 {length = 4, num_carry = 1, num_consts = 0, reverse = false} (%4: f32[n], %5: f32[n]) {
                %6 = add %4, %5 : f32[n]
                return %6, %6
              } : f32[n], f32[4,n]
              return %2, %3
            }
            """);
        Assert.Same(function, new ScanToWhilePass().Run(function));
    }

    private static Buffer Values(ShapedType type, Random random)
    {
        int n = checked((int)type.Shape.ElementCount);
        return type.DType switch
        {
            DType.Float32 => Buffer.FromSpan<float>([.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() * 2 - 1)], type.Shape),
            DType.Float64 => Buffer.FromSpan<double>([.. Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1)], type.Shape),
            _ => Buffer.FromSpan<int>([.. Enumerable.Range(0, n).Select(_ => random.Next(-5, 6))], type.Shape),
        };
    }
}
