using System.Globalization;

namespace JaxToolchain.Ir.Tests.Primitives;

/// <summary>Builds one-operation IR functions for the structural primitive tests and runs them.</summary>
internal static class StructuralHarness
{
    /// <summary>Parses a test type such as <c>f32[2,n]</c> or <c>i32[]{weak}</c>.</summary>
    public static ShapedType Ty(string text)
    {
        bool weak = text.EndsWith("{weak}", StringComparison.Ordinal);
        if (weak) text = text[..^"{weak}".Length];
        int open = text.IndexOf('[');
        var dtype = DTypes.Parse(text[..open]);
        var inner = text[(open + 1)..^1];
        var dims = inner.Length == 0
            ? []
            : inner.Split(',').Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Dim.Of(n) : Dim.Sym(d)).ToArray();
        return new ShapedType(dtype, new Shape(dims), weak);
    }

    /// <summary>Builds <c>@f(args) { %r = p args {attrs}; return %r }</c>.</summary>
    public static Function Build(Primitive p, Attributes attributes, params ShapedType[] types)
    {
        var block = new Block(types);
        var r = new IrBuilder(block).Emit1(p, block.Arguments, attributes);
        block.SetResults([r]);
        return new Function("f", block);
    }

    /// <summary>The inferred result type of one application.</summary>
    public static ShapedType Infer(Primitive p, Attributes attributes, params ShapedType[] types) =>
        p.InferTypes(types, attributes, [])[0];

    /// <summary>Builds the function from the arguments' types and runs it through the interpreter.</summary>
    public static Buffer Run(Primitive p, Attributes attributes, params Buffer[] args) =>
        Interpreter.Run(Build(p, attributes, args.Select(a => a.Type).ToArray()), args).Single();

    /// <summary>The message of the <see cref="JaxTypeException"/> the type rule raises.</summary>
    public static string Fails(Primitive p, Attributes attributes, params ShapedType[] types)
    {
        var e = Assert.Throws<JaxTypeException>(() => Infer(p, attributes, types));
        Assert.Equal(p.Name, e.Operation);
        return e.Message;
    }

    /// <summary>A buffer of a dtype holding 1, 2, 3, ... (converted to the dtype) in row-major order.</summary>
    public static Buffer Counting(DType dtype, params int[] dims)
    {
        var b = Buffer.Zeros(dtype, Shape.Of(dims));
        for (int i = 0; i < b.Length; i++) b.SetDouble(i, i + 1);
        return b;
    }

    /// <summary>A buffer of a dtype from doubles (converted to the dtype).</summary>
    public static Buffer Of(DType dtype, int[] dims, params double[] values)
    {
        var b = Buffer.Zeros(dtype, Shape.Of(dims));
        Assert.Equal(b.Length, values.Length);
        for (int i = 0; i < values.Length; i++) b.SetDouble(i, values[i]);
        return b;
    }

    /// <summary>An int32 index buffer.</summary>
    public static Buffer Idx(int[] dims, params int[] values) => new(DType.Int32, Shape.Of(dims), values);

    /// <summary>An int32 scalar.</summary>
    public static Buffer I32(int value) => Buffer.Scalar(value);

    /// <summary>The elements widened to double.</summary>
    public static double[] Doubles(Buffer b) => Enumerable.Range(0, b.Length).Select(i => b.GetDouble(i)).ToArray();

    /// <summary>Asserts dtype, shape and elements (compared as doubles; NaN equals NaN).</summary>
    public static void AssertBuffer(DType dtype, int[] dims, double[] expected, Buffer actual)
    {
        Assert.Equal(dtype, actual.DType);
        Assert.Equal(Shape.Of(dims), actual.Shape);
        Assert.Equal(expected, Doubles(actual));
    }

    /// <summary>
    /// The operand start of one batch position in the gather/scatter references: component k of the index vector
    /// (found by inserting k at <paramref name="ivd"/> into the batch index) goes to operand axis <c>map[k]</c>.
    /// </summary>
    public static long[] ReferenceStart(int[] idx, int[] idxDims, List<int> batch, int ivd, long[] map, int operandRank)
    {
        var start = new long[operandRank];
        for (int k = 0; k < map.Length; k++)
        {
            var pos = batch.ToList();
            if (ivd < idxDims.Length) pos.Insert(ivd, k);
            int f = 0;
            for (int d = 0; d < idxDims.Length; d++) f = f * idxDims[d] + pos[d];
            start[map[k]] = idx[f];
        }
        return start;
    }

    /// <summary>The dtypes the generic kernels are exercised on: one of each width and kind.</summary>
    public static TheoryData<DType> SampleDTypes() =>
        [DType.Float32, DType.Float64, DType.Int8, DType.Int64, DType.UInt16, DType.BFloat16, DType.Float16, DType.Int32];
}
