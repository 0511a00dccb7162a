using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Text;

public class IrParserTests
{
    public IrParserTests() => TestPrims.EnsureRegistered();

    /// <summary>Printer output using every piece of syntax.</summary>
    private const string AllSyntax = """
        func @all_syntax(%0: f32[3,n], %1: f32[]{weak}, %2: i32[]) -> (f32[3,n], f32[3,n]) {
          %3 = test.add %0, %0 : f32[3,n]
          %4, %5 = test.swap %3, %0 : f32[3,n], f32[3,n]
          test.sink %4, %1, %2 : ()
          %6 = test.attrs {a = -42, b = 1.5, c = 1E-05, d = nan, e = inf, f = -inf, g = -0.0, h = true, i = false, j = "q\"\\\n\t\r\u0001", k = [], l = [0, -1, 9223372036854775807], m = bf16, n = bool, o = <3,n>, p = <>, q = 1E+300} : f32[]
          %7 = test.region_op %5 {branch = 1} (%8: f32[3,n]) {
            %9 = test.neg %8 : f32[3,n]
            return %9
          } (%10: f32[3,n]) {
            %11 = test.region_op %10 (%12: f32[3,n]) {
              return %12
            } : f32[3,n]
            return %11
          } : f32[3,n]
          %13 = test.region_op () {
            %14 = test.attrs : f32[]
            return %14
          } : f32[]
          return %7, %3
        }

        """;

    private const string Constants = """
        func @constants() -> () {
          %0 = test.attrs {v = dense<bool[2]: [true, false]>} : f32[]
          %1 = test.attrs {v = dense<i8[2]: [-128, 127]>} : f32[]
          %2 = test.attrs {v = dense<i16[2]: [-32768, 32767]>} : f32[]
          %3 = test.attrs {v = dense<i32[2]: [-2147483648, 2147483647]>} : f32[]
          %4 = test.attrs {v = dense<i64[2]: [-9223372036854775808, 9223372036854775807]>} : f32[]
          %5 = test.attrs {v = dense<u8[2]: [0, 255]>} : f32[]
          %6 = test.attrs {v = dense<u16[2]: [0, 65535]>} : f32[]
          %7 = test.attrs {v = dense<u32[2]: [0, 4294967295]>} : f32[]
          %8 = test.attrs {v = dense<u64[2]: [0, 18446744073709551615]>} : f32[]
          %9 = test.attrs {v = dense<f16[4]: [65500.0, 0.3333, -inf, nan]>} : f32[]
          %10 = test.attrs {v = dense<bf16[3]: [3.14, -0.0, inf]>} : f32[]
          %11 = test.attrs {v = dense<f32[2,2]: [0.1, 3.4028235E+38, 1E-45, -2.5]>} : f32[]
          %12 = test.attrs {v = dense<f64[2]: [0.1, 5E-324]>} : f32[]
          %13 = test.attrs {v = dense<f32[]: [2.0]>} : f32[]
          %14 = test.attrs {v = dense<i32[0]: []>} : f32[]
          return
        }

        """;

    [Theory]
    [InlineData(AllSyntax)]
    [InlineData(Constants)]
    [InlineData("func @no_arguments_no_results() -> () {\n  return\n}\n")]
    [InlineData("func @\"grad(f) of <lambda>\"(%0: f64[]) -> (f64[]) {\n  return %0\n}\n")]
    public void Printing_parsed_printer_output_gives_the_same_text(string text)
    {
        var function = IrParser.ParseFunction(text);
        Assert.Equal(text, IrPrinter.Print(function));
    }

    [Fact]
    public void Parsed_all_syntax_function_has_the_structure_of_the_text()
    {
        var f = IrParser.ParseFunction(AllSyntax);
        Assert.Equal("all_syntax", f.Name);
        Assert.Equal(
            [new ShapedType(DType.Float32, new Shape(3, Dim.Sym("n"))), ShapedType.Scalar(DType.Float32, weak: true), ShapedType.Scalar(DType.Int32)],
            f.ParameterTypes);
        var ops = f.Body.Operations;
        Assert.Equal(["test.add", "test.swap", "test.sink", "test.attrs", "test.region_op", "test.region_op"], ops.Select(o => o.Primitive.Name));
        Assert.Same(f.Parameters[0], ops[0].Operands[0]);
        Assert.Same(ops[0].Results[0], ops[1].Operands[0]);
        Assert.Equal(2, ops[1].Results.Count);
        Assert.Empty(ops[2].Results);
        Assert.Same(ops[1].Results[1], ops[4].Operands[0]);
        Assert.Equal(2, ops[4].Regions.Count);
        var inner = ops[4].Regions[1].Operations[0];
        Assert.Same(ops[4].Regions[1].Arguments[0], inner.Operands[0]);
        Assert.Same(inner.Regions[0].Arguments[0], inner.Regions[0].Results[0]);
        Assert.Empty(ops[5].Regions[0].Arguments);
        Assert.Equal([ops[4].Results[0], ops[0].Results[0]], f.Body.Results);
        Verifier.Verify(f);
    }

    [Fact]
    public void Attribute_values_parse_to_their_typed_values()
    {
        var a = IrParser.ParseFunction(AllSyntax).Body.Operations[3].Attributes;
        Assert.Equal(-42L, a.Int("a"));
        Assert.Equal(1.5, a.Float("b"));
        Assert.Equal(0.00001, a.Float("c"));
        Assert.True(double.IsNaN(a.Float("d")));
        Assert.Equal(double.PositiveInfinity, a.Float("e"));
        Assert.Equal(double.NegativeInfinity, a.Float("f"));
        Assert.True(double.IsNegative(a.Float("g")) && a.Float("g") == 0);
        Assert.True(a.Bool("h"));
        Assert.False(a.Bool("i"));
        Assert.Equal("q\"\\\n\t\r\u0001", a.String("j"));
        Assert.Empty(a.Ints("k"));
        Assert.Equal([0L, -1L, long.MaxValue], a.Ints("l"));
        Assert.Equal(DType.BFloat16, a.DType("m"));
        Assert.Equal(DType.Bool, a.DType("n"));
        Assert.Equal(new Shape(3, Dim.Sym("n")), a.Shape("o"));
        Assert.Equal(Shape.Scalar, a.Shape("p"));
        Assert.Equal(1e300, a.Float("q"));
    }

    [Fact]
    public void Dense_constants_parse_to_exact_elements_of_every_dtype()
    {
        var ops = IrParser.ParseFunction(Constants).Body.Operations;
        Buffer B(int i) => ops[i].Attributes.Buffer("v");
        Assert.Equal([true, false], B(0).Span<bool>().ToArray());
        Assert.Equal([sbyte.MinValue, sbyte.MaxValue], B(1).Span<sbyte>().ToArray());
        Assert.Equal([short.MinValue, short.MaxValue], B(2).Span<short>().ToArray());
        Assert.Equal([int.MinValue, int.MaxValue], B(3).Span<int>().ToArray());
        Assert.Equal([long.MinValue, long.MaxValue], B(4).Span<long>().ToArray());
        Assert.Equal([(byte)0, byte.MaxValue], B(5).Span<byte>().ToArray());
        Assert.Equal([(ushort)0, ushort.MaxValue], B(6).Span<ushort>().ToArray());
        Assert.Equal([0u, uint.MaxValue], B(7).Span<uint>().ToArray());
        Assert.Equal([0ul, ulong.MaxValue], B(8).Span<ulong>().ToArray());
        var h = B(9).Span<Half>();
        // 65500 is the shortest text that rounds to the largest half, 65504 (spacing 32 in [32768, 65536)).
        Assert.Equal(65504.0, (double)h[0]);
        Assert.Equal((Half)(1.0 / 3.0), h[1]);
        Assert.Equal(Half.NegativeInfinity, h[2]);
        Assert.True(Half.IsNaN(h[3]));
        var bf = B(10).Span<BFloat16>();
        // 3.14 lies between the bfloat16 neighbours 3.125 and 3.140625 (spacing 2^-6 in [2, 4)).
        Assert.Equal(3.140625f, (float)bf[0]);
        Assert.Equal((ushort)0x8000, bf[1].Bits);
        Assert.Equal(float.PositiveInfinity, (float)bf[2]);
        Assert.Equal(new Shape(2, 2), B(11).Shape);
        Assert.Equal([0.1f, float.MaxValue, float.Epsilon, -2.5f], B(11).Span<float>().ToArray());
        Assert.Equal([0.1, double.Epsilon], B(12).Span<double>().ToArray());
        Assert.Equal(Shape.Scalar, B(13).Shape);
        Assert.Equal(2.0f, B(13).Span<float>()[0]);
        Assert.Equal(0, B(14).Length);
    }

    [Fact]
    public void Dense_integers_print_by_dtype_so_signed_and_unsigned_arrays_of_one_width_differ()
    {
        // The runtime lets a long[] pass as a ulong[] and a byte[] as an sbyte[]; the printer must not.
        var signed = Buffer.Of(new long[] { -1, long.MinValue });
        var unsigned = Buffer.Of(new byte[] { 255, 128 });
        Assert.Equal("dense<i64[2]: [-1, -9223372036854775808]>", IrPrinter.FormatAttribute(signed));
        Assert.Equal("dense<u8[2]: [255, 128]>", IrPrinter.FormatAttribute(unsigned));
    }

    [Fact]
    public void Any_value_names_comments_and_free_whitespace_parse_and_print_renumbered()
    {
        const string text = """
            // leading comment
            func @f(%x: f32[2],   %y:f32[2]) -> (f32[2], f32[2]) { // trailing comment
              %sum = test.add %x, %y : f32[2]
              %a.1, %b_2 = test.swap %sum,%x : f32[2], f32[2]
              %r = test.region_op %b_2 (%arg: f32[2]) { %in = test.neg %arg : f32[2]
              return %in } : f32[2]
              return %a.1, %r
            }
            """;
        var f = IrParser.ParseFunction(text);
        Assert.Equal("""
            func @f(%0: f32[2], %1: f32[2]) -> (f32[2], f32[2]) {
              %2 = test.add %0, %1 : f32[2]
              %3, %4 = test.swap %2, %0 : f32[2], f32[2]
              %5 = test.region_op %4 (%6: f32[2]) {
                %7 = test.neg %6 : f32[2]
                return %7
              } : f32[2]
              return %3, %5
            }
            """ + "\n", IrPrinter.Print(f));
    }

    [Fact]
    public void Parsed_function_runs_in_the_interpreter()
    {
        var f = IrParser.ParseFunction("""
            func @f(%x: f64[3], %y: f64[3]) -> (f64[3]) {
              %s = test.add %x, %y : f64[3]
              %r = test.region_op %s, %x {branch = 1} (%a: f64[3], %b: f64[3]) {
                return %a
              } (%c: f64[3], %d: f64[3]) {
                %n = test.neg %d : f64[3]
                %m = test.add %c, %n : f64[3]
                return %m
              } : f64[3]
              return %r
            }
            """);
        double[] x = [1.5, -2, 10], y = [0.25, 4, -3];
        var result = Interpreter.Run(f, Buffer.Of(x), Buffer.Of(y)).Single().Span<double>().ToArray();
        // branch 1 computes (x + y) + (-x) = y.
        Assert.Equal(y, result);
    }

    [Fact]
    public void Builder_made_function_prints_identically_after_a_parse()
    {
        var body = new Block([new ShapedType(DType.Float32, new Shape(Dim.Sym("batch"), 4)), ShapedType.Scalar(DType.Float32, weak: true)]);
        var b = new IrBuilder(body);
        var s = b.Emit1(TestPrims.Add, [body.Arguments[0], body.Arguments[0]]);
        var swapped = b.Emit(TestPrims.Swap, [s, body.Arguments[1]]);
        var region = new Block([s.Type]);
        region.SetResults([new IrBuilder(region).Emit1(TestPrims.Neg, [region.Arguments[0]])]);
        var r = b.Emit1(TestPrims.Region, [s], Attributes.Of(("note", "x"), ("scale", 0.1), ("axes", new[] { 1, 0 })), [region]);
        body.SetResults([r, swapped[0]]);
        var f = new Function("built", body);
        string printed = IrPrinter.Print(f);
        var parsed = IrParser.ParseFunction(printed);
        Assert.Equal(printed, IrPrinter.Print(parsed));
        Assert.Equal(f.Body.Operations[2].Attributes, parsed.Body.Operations[2].Attributes);
        Verifier.Verify(parsed);
    }

    [Fact]
    public void Module_of_several_functions_round_trips_and_finds_functions_by_name()
    {
        const string text = "func @a(%0: f32[]) -> (f32[]) {\n  return %0\n}\n\nfunc @b() -> () {\n  return\n}\n";
        var module = IrParser.ParseModule(text);
        Assert.Equal(["a", "b"], module.Functions.Select(f => f.Name));
        Assert.Empty(module["b"].Parameters);
        Assert.Equal(text, IrPrinter.Print(module));
        Assert.Empty(IrParser.ParseModule("  // nothing here\n").Functions);
    }

    [Theory]
    [InlineData("func @f() -> () {\n  %0 = nosuch : f32[]\n  return\n}", 2, 8, "unknown primitive 'nosuch'")]
    [InlineData("func @f() -> () {\n  test.sink %9 : ()\n  return\n}", 2, 13, "undefined value %9")]
    [InlineData("func @f(%0: f32[]) -> () {\n  %0 = test.neg %0 : f32[]\n  return\n}", 2, 3, "value %0 is already defined")]
    [InlineData("func @f(%0: f32[]) -> () {\n  %1 = test.neg %0 f32[]\n  return\n}", 2, 20, "expected ':' before the result types of 'test.neg', found 'f32'")]
    [InlineData("func @f(%0: f32[]) -> () {\n  %1 = test.neg %0 : g32[]\n  return\n}", 2, 22, "unknown dtype 'g32'")]
    [InlineData("func @f(%0: f32[]) -> () {\n  %1, %2 = test.neg %0 : f32[]\n  return\n}", 2, 24, "'test.neg' names 2 results but lists 1 result types")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {v = dense<f32[3]: [1.0, 2.0]>} : f32[]\n  return\n}", 2, 30, "dense<f32[3]> needs 3 elements, got 2")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {v = dense<u8[1]: [256]>} : f32[]\n  return\n}", 2, 38, "256 is out of range for u8")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {v = dense<i32[1]: [1.5]>} : f32[]\n  return\n}", 2, 39, "expected an integer of i32, found '1.5'")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {s = \"abc} : f32[]\n  return\n}", 2, 24, "unterminated string")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {a = 1, a = 2} : f32[]\n  return\n}", 2, 27, "attribute 'a' is given twice")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {a = ?} : f32[]\n  return\n}", 2, 24, "unexpected character '?'")]
    [InlineData("func @f() -> () {\n  %0 = test.attrs {a = foo} : f32[]\n  return\n}", 2, 24, "expected an attribute value")]
    [InlineData("func @f(%0: f32[2]) -> (f32[3]) {\n  return %0\n}", 2, 3, "@f returns (f32[2]) but its signature declares (f32[3])")]
    [InlineData("func @f() -> () {\n  return\n}\nfunc @g() -> () {\n  return\n}", 4, 1, "expected end of input, found 'func'")]
    [InlineData("func @f() -> () {\n  return\n", 3, 1, "expected '}' to close the function body, found end of input")]
    [InlineData("func @f(%0: f32[]) -> () {\n  %1 = test.region_op %0 (%2: f32[]) {\n    return %1\n  } : f32[]\n  return\n}", 3, 12, "undefined value %1")]
    [InlineData("func f() -> () {\n  return\n}", 1, 6, "expected a function name '@name', found 'f'")]
    public void Malformed_text_reports_line_column_and_what_was_expected(string text, int line, int column, string fragment)
    {
        var e = Assert.Throws<IrParseException>(() => IrParser.ParseFunction(text));
        Assert.Contains(fragment, e.Message);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.StartsWith($"{line}:{column}: ", e.Message);
    }

    [Fact]
    public void Module_with_a_function_defined_twice_is_rejected()
    {
        var e = Assert.Throws<IrParseException>(() => IrParser.ParseModule("func @f() -> () {\n  return\n}\nfunc @f() -> () {\n  return\n}\n"));
        Assert.Equal((4, 1), (e.Line, e.Column));
        Assert.Contains("function @f is defined twice", e.Message);
    }
}
