using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir.Tests.Primitives;

public class ElementwiseIrSampleTests
{
    private static ShapedType T(DType dtype, params int[] dims) => new(dtype, Shape.Of(dims));

    private static readonly ShapedType F32x3 = T(DType.Float32, 3);
    private static readonly ShapedType I32x3 = T(DType.Int32, 3);
    private static readonly ShapedType NBy3 = new(DType.Float32, new Shape([Dim.Sym("n"), Dim.Of(3)]));

    // One small function per elementwise primitive, covering dtypes, weak types, symbolic dims and attributes.
    private static Module BuildSamples()
    {
        var module = new Module();
        void Add(string name, Primitive primitive, Attributes? attributes, params ShapedType[] types)
        {
            var block = new Block(types);
            var result = new IrBuilder(block).Emit1(primitive, block.Arguments, attributes);
            block.SetResults([result]);
            module.Functions.Add(new Function(name, block));
        }

        foreach (var p in new[] { Prims.Exp, Prims.Exp2, Prims.Log, Prims.Log1p, Prims.Expm1, Prims.Sqrt, Prims.Rsqrt, Prims.Cbrt, Prims.Sin,
                     Prims.Cos, Prims.Tan, Prims.Tanh, Prims.Logistic, Prims.Erf, Prims.Erfc, Prims.Erfinv, Prims.Lgamma, Prims.Digamma })
            Add(p.Name, p, null, F32x3);
        Add("neg", Prims.Neg, null, I32x3);
        Add("abs", Prims.Abs, null, T(DType.Int8, 2, 2));
        Add("sign", Prims.Sign, null, T(DType.Float64, 4));
        Add("floor", Prims.Floor, null, T(DType.Float16, 3));
        Add("ceil", Prims.Ceil, null, T(DType.BFloat16, 3));
        Add("round", Prims.Round, Attributes.Of(("rounding_method", RoundPrimitive.ToNearestEven)), NBy3);
        Add("is_finite", Prims.IsFinite, null, F32x3);
        Add("not", Prims.Not, null, T(DType.Bool, 3));
        Add("population_count", Prims.PopulationCount, null, T(DType.UInt32, 3));
        Add("add", Prims.Add, null, NBy3, NBy3);
        Add("add_weak", Prims.Add, null, ShapedType.Scalar(DType.Float32, weak: true), ShapedType.Scalar(DType.Float32, weak: true));
        Add("sub", Prims.Sub, null, I32x3, I32x3);
        Add("mul", Prims.Mul, null, T(DType.Float64, 2, 3), T(DType.Float64, 2, 3));
        Add("div", Prims.Div, null, T(DType.Int64, 3), T(DType.Int64, 3));
        Add("rem", Prims.Rem, null, F32x3, F32x3);
        Add("pow", Prims.Pow, null, T(DType.Int32), T(DType.Int32));
        Add("max", Prims.Max, null, F32x3, F32x3);
        Add("min", Prims.Min, null, T(DType.UInt8, 3), T(DType.UInt8, 3));
        Add("atan2", Prims.Atan2, null, F32x3, F32x3);
        Add("nextafter", Prims.Nextafter, null, T(DType.BFloat16, 3), T(DType.BFloat16, 3));
        Add("and", Prims.And, null, T(DType.Bool, 3), T(DType.Bool, 3));
        Add("or", Prims.Or, null, I32x3, I32x3);
        Add("xor", Prims.Xor, null, T(DType.UInt64, 3), T(DType.UInt64, 3));
        Add("shift_left", Prims.ShiftLeft, null, I32x3, I32x3);
        Add("shift_right_logical", Prims.ShiftRightLogical, null, T(DType.Int16, 3), T(DType.Int16, 3));
        Add("shift_right_arithmetic", Prims.ShiftRightArithmetic, null, T(DType.UInt16, 3), T(DType.UInt16, 3));
        foreach (var p in new[] { Prims.Eq, Prims.Ne, Prims.Lt, Prims.Le, Prims.Gt, Prims.Ge })
            Add(p.Name, p, null, F32x3, F32x3);
        Add("select", Prims.Select, null, T(DType.Bool, 3), F32x3, F32x3);
        Add("select_scalar_pred", Prims.Select, null, T(DType.Bool), NBy3, NBy3);
        Add("clamp", Prims.Clamp, null, T(DType.Float32), F32x3, T(DType.Float32));
        Add("convert_element_type", Prims.ConvertElementType, ConvertElementTypePrimitive.Params(DType.Float16), I32x3);
        Add("convert_element_type_weak", Prims.ConvertElementType, ConvertElementTypePrimitive.Params(DType.Float32, weakType: true),
            ShapedType.Scalar(DType.Int32, weak: true));
        Add("bitcast_convert_type", Prims.BitcastConvertType, Attributes.Of(("new_dtype", DType.Int32)), F32x3);
        Add("bitcast_convert_type_narrow", Prims.BitcastConvertType, Attributes.Of(("new_dtype", DType.UInt8)), F32x3);
        Add("bitcast_convert_type_wide", Prims.BitcastConvertType, Attributes.Of(("new_dtype", DType.Float64)), T(DType.UInt32, 3, 2));
        return module;
    }

    private static string SamplePath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "IrSamples", "elementwise.ir");

    [Fact]
    public void Elementwise_ir_sample_file_is_what_the_builder_prints()
    {
        // Set JAX_UPDATE_IR_SAMPLES=1 to rewrite the file after changing the samples above.
        var printed = IrPrinter.Print(BuildSamples());
        if (Environment.GetEnvironmentVariable("JAX_UPDATE_IR_SAMPLES") == "1") File.WriteAllText(SamplePath(), printed);
        Assert.Equal(printed, File.ReadAllText(SamplePath()));
    }

    [Fact]
    public void Elementwise_ir_samples_cover_every_elementwise_primitive()
    {
        var used = BuildSamples().Functions.SelectMany(f => f.Body.Operations).Select(o => o.Primitive).ToHashSet();
        var elementwise = typeof(Prims).GetFields().Select(f => f.GetValue(null)).OfType<ElementwisePrimitive>();
        Assert.Empty(elementwise.Where(p => !used.Contains(p)).Select(p => p.Name));
    }

    [Fact]
    public void Every_elementwise_sample_runs_in_the_interpreter()
    {
        foreach (var f in BuildSamples().Functions)
        {
            var args = f.ParameterTypes.Select(t => Buffer.Zeros(t.DType, new Shape(t.Shape.Select(d => d.IsStatic ? d : Dim.Of(2))))).ToArray();
            var results = Interpreter.Run(f, args);
            Assert.Equal(f.ResultTypes.Single().DType, Assert.Single(results).DType);
        }
    }
}
