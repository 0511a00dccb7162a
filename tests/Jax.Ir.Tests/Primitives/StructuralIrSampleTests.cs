using System.Runtime.CompilerServices;
using static JaxToolchain.Ir.Tests.Primitives.StructuralHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

public class StructuralIrSampleTests
{
    private static string SamplePath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "IrSamples", "structural.ir");

    private static Function Fn(string name, Primitive p, Attributes attributes, params string[] types)
    {
        var f = Build(p, attributes, types.Select(Ty).ToArray());
        f.Name = name;
        return f;
    }

    /// <summary>One small function per structural primitive, as in <c>IrSamples/structural.ir</c>.</summary>
    private static Module SampleModule()
    {
        var m = new Module();
        m.Functions.Add(Fn("constant", Prims.Constant, Attributes.Of(("value", Buffer.Of([1.5f, -2f], 2)))));
        m.Functions.Add(Fn("iota", Prims.Iota, Attributes.Of(("dtype", DType.Int32), ("shape", Shape.Of(2, 3)), ("dimension", 1))));
        m.Functions.Add(Fn("broadcast_in_dim", Prims.BroadcastInDim, Attributes.Of(("shape", Shape.Of(2, 3)), ("broadcast_dimensions", new long[0])), "f32[]{weak}"));
        m.Functions.Add(Fn("reshape", Prims.Reshape, Attributes.Of(("shape", new Shape(Dim.Sym("n"), Dim.Of(2), Dim.Of(3)))), "f32[n,6]"));
        m.Functions.Add(Fn("transpose", Prims.Transpose, Attributes.Of(("permutation", new long[] { 1, 0 })), "f32[2,3]"));
        m.Functions.Add(Fn("squeeze", Prims.Squeeze, Attributes.Of(("dimensions", new long[] { 0 })), "f32[1,3]"));
        m.Functions.Add(Fn("expand_dims", Prims.ExpandDims, Attributes.Of(("dimensions", new long[] { 1 })), "i64[3]"));
        m.Functions.Add(Fn("rev", Prims.Rev, Attributes.Of(("dimensions", new long[] { 0 })), "i32[4]"));
        m.Functions.Add(Fn("pad", Prims.Pad, Attributes.Of(("low", new long[] { -1 }), ("high", new long[] { 2 }), ("interior", new long[] { 1 })), "f32[3]", "f32[]"));
        m.Functions.Add(Fn("concatenate", Prims.Concatenate, Attributes.Of(("dimension", 1)), "f32[2,3]", "f32[2,1]"));
        m.Functions.Add(Fn("slice", Prims.Slice, Attributes.Of(("start_indices", new long[] { 1, 0 }), ("limit_indices", new long[] { 5, 4 }), ("strides", new long[] { 2, 1 })), "f32[5,4]"));
        m.Functions.Add(Fn("dynamic_slice", Prims.DynamicSlice, Attributes.Of(("slice_sizes", new long[] { 2, 4 })), "f32[5,4]", "i32[]", "i32[]"));
        m.Functions.Add(Fn("dynamic_update_slice", Prims.DynamicUpdateSlice, Attributes.Empty, "f32[5,4]", "f32[2,2]", "i32[]", "i32[]"));
        m.Functions.Add(Fn("gather", Prims.Gather, Attributes.Of(("offset_dims", new long[] { 1 }), ("collapsed_slice_dims", new long[] { 0 }),
            ("start_index_map", new long[] { 0 }), ("index_vector_dim", 1), ("slice_sizes", new long[] { 1, 3 }), ("mode", "fill"), ("fill_value", double.NaN)),
            "f32[4,3]", "i32[k]"));
        var scatterAttrs = Attributes.Of(("update_window_dims", new long[0]), ("inserted_window_dims", new long[] { 0 }),
            ("scatter_dims_to_operand_dims", new long[] { 0 }), ("index_vector_dim", 1));
        m.Functions.Add(Fn("scatter", Prims.Scatter, scatterAttrs, "f32[5]", "i32[2,1]", "f32[2]"));
        m.Functions.Add(Fn("scatter_add", Prims.ScatterAdd, scatterAttrs, "f32[5]", "i32[2,1]", "f32[2]"));
        return m;
    }

    [Fact]
    public void Structural_sample_file_is_the_printed_form_of_one_function_per_primitive()
    {
        var module = SampleModule();
        var printed = IrPrinter.Print(module);
        var onDisk = File.ReadAllText(SamplePath());
        if (printed != onDisk) File.WriteAllText(Path.Combine(Path.GetTempPath(), "structural.ir.actual"), printed);
        Assert.Equal(onDisk, printed);

        var covered = module.Functions.Select(f => f.Body.Operations.Single().Primitive).ToHashSet();
        Primitive[] structural = [Prims.Constant, Prims.Iota, Prims.BroadcastInDim, Prims.Reshape, Prims.Transpose, Prims.Squeeze,
            Prims.ExpandDims, Prims.Rev, Prims.Pad, Prims.Concatenate, Prims.Slice, Prims.DynamicSlice, Prims.DynamicUpdateSlice,
            Prims.Gather, Prims.Scatter, Prims.ScatterAdd];
        Assert.Subset(covered, structural.ToHashSet());
        Assert.Equal(structural.Length, covered.Count);
    }

    [Fact]
    public void Structural_samples_run_on_the_interpreter()
    {
        var m = SampleModule();
        AssertBuffer(DType.Float32, [2, 3], [2.5, 2.5, 2.5, 2.5, 2.5, 2.5], Interpreter.Run(m["broadcast_in_dim"], Buffer.Scalar(2.5f)).Single());
        AssertBuffer(DType.Float32, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], Interpreter.Run(m["reshape"], Counting(DType.Float32, 2, 6)).Single());
        AssertBuffer(DType.Float32, [6], [0, 2, 0, 3, 0, 0], Interpreter.Run(m["pad"], Counting(DType.Float32, 3), Buffer.Scalar(0f)).Single());
        AssertBuffer(DType.Float32, [2, 3], [4, 5, 6, double.NaN, double.NaN, double.NaN],
            Interpreter.Run(m["gather"], Counting(DType.Float32, 4, 3), Idx([2], 1, -3)).Single());
    }
}
