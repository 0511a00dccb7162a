namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>Specializing symbolic dimensions to sizes: types and shape attributes, in regions too; the numbers are unchanged.</summary>
public class SymbolSpecializationTests
{
    private const string Selu = """
        func @selu(%0: f32[n,2]) -> (f32[n,2]) {
          %1 = constant {value = dense<f32[]: [0.0]>} : f32[]
          %2 = broadcast_in_dim %1 {broadcast_dimensions = [], shape = <n,2>} : f32[n,2]
          %3 = gt %0, %2 : bool[n,2]
          %4 = exp %0 : f32[n,2]
          %5 = sub %4, %2 : f32[n,2]
          %6 = select %3, %0, %5 : f32[n,2]
          return %6
        }
        """;

    [Fact]
    public void Types_and_shape_attributes_take_the_sizes_and_the_numbers_do_not_change()
    {
        var function = IrParser.ParseFunction(Selu);
        var sizes = SymbolSpecialization.Bind("selu", function.ParameterTypes, [new ShapedType(DType.Float32, Shape.Of(3, 2))]);
        Assert.Equal(3, sizes["n"]);
        var specialized = SymbolSpecialization.Specialize(function, sizes);
        Verifier.Verify(specialized);
        Assert.DoesNotContain("n,", IrPrinter.Print(specialized), StringComparison.Ordinal);
        Assert.Contains("shape = <3,2>", IrPrinter.Print(specialized), StringComparison.Ordinal);
        var x = Buffer.Of(new[] { -1f, 0.5f, 2f, -3f, 0f, 1f }, 3, 2);
        Assert.Equal(Interpreter.Run(function, x)[0].ToArray<float>(), Interpreter.Run(specialized, x)[0].ToArray<float>());
        Assert.Contains("f32[n,2]", IrPrinter.Print(function), StringComparison.Ordinal); // the input is left as it is
    }

    [Fact]
    public void Arguments_that_do_not_fit_are_errors_naming_both_types()
    {
        var function = IrParser.ParseFunction("""
            func @add(%0: f32[n], %1: f32[n]) -> (f32[n]) {
              %2 = add %0, %1 : f32[n]
              return %2
            }
            """);
        var f32 = (int n) => new ShapedType(DType.Float32, Shape.Of(n));
        var e = Assert.Throws<JaxTypeException>(() => SymbolSpecialization.Bind("add", function.ParameterTypes, [f32(3), f32(4)]));
        Assert.Contains("'n' is 3 in an earlier argument and 4 here", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<JaxTypeException>(() => SymbolSpecialization.Bind("add", function.ParameterTypes, [f32(3), new ShapedType(DType.Int32, Shape.Of(3))]));
        Assert.Contains("argument 1 is int32[3], but the parameter is float32[n]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<JaxTypeException>(() => SymbolSpecialization.Bind("add", function.ParameterTypes, [f32(3)]));
        Assert.Contains("takes 2 arrays", e.Message, StringComparison.Ordinal);
        // Tracing ahead of time for the parameter types themselves: a symbol stands for itself.
        Assert.Empty(SymbolSpecialization.Bind("add", function.ParameterTypes, function.ParameterTypes));
    }
}
