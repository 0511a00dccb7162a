using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Text;

/// <summary>Elementwise addition of two operands of equal type (weak iff both are weak).</summary>
public sealed class TestAddPrimitive() : Primitive("test.add")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands is not [var x, var y]) throw Error($"takes 2 operands, got {operands.Count}");
        if (x.DType != y.DType || x.Shape != y.Shape) throw Error($"incompatible types {x} and {y}");
        return [x with { Weak = x.Weak && y.Weak }];
    }

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var r = Buffer.Zeros(operands[0].DType, operands[0].Shape);
        for (int i = 0; i < r.Length; i++) r.SetDouble(i, operands[0].GetDouble(i) + operands[1].GetDouble(i));
        return [r];
    }
}

/// <summary>Elementwise negation.</summary>
public sealed class TestNegPrimitive() : Primitive("test.neg")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        operands is [var x] ? [x] : throw Error($"takes 1 operand, got {operands.Count}");

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var r = Buffer.Zeros(operands[0].DType, operands[0].Shape);
        for (int i = 0; i < r.Length; i++) r.SetDouble(i, -operands[0].GetDouble(i));
        return [r];
    }
}

/// <summary>Two results: its two operands, swapped.</summary>
public sealed class TestSwapPrimitive() : Primitive("test.swap")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        operands is [var x, var y] ? [y, x] : throw Error($"takes 2 operands, got {operands.Count}");

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        [operands[1], operands[0]];
}

/// <summary>No results: consumes its operands.</summary>
public sealed class TestSinkPrimitive() : Primitive("test.sink")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions) => [];

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) => [];
}

/// <summary>No operands, any attributes, one <c>f32[]</c> result: holds attribute values for the text tests.</summary>
public sealed class TestAttrsPrimitive() : Primitive("test.attrs")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        operands.Count == 0 ? [ShapedType.Scalar(DType.Float32)] : throw Error($"takes no operands, got {operands.Count}");

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        [Buffer.Scalar(0f)];
}

/// <summary>
/// One or more regions, each taking the operands' types and returning the same types as region 0; the results are
/// region 0's (runs region <c>branch</c>, default 0).
/// </summary>
public sealed class TestRegionPrimitive() : Primitive("test.region_op")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (regions.Count == 0) throw Error("needs at least one region");
        var results = regions[0].ResultTypes.ToArray();
        foreach (var region in regions)
        {
            if (!region.ArgumentTypes.SequenceEqual(operands))
                throw Error($"region takes ({string.Join(", ", region.ArgumentTypes)}) but the operands are ({string.Join(", ", operands)})");
            if (!region.ResultTypes.SequenceEqual(results))
                throw Error($"regions return different types ({string.Join(", ", region.ResultTypes)}) and ({string.Join(", ", results)})");
        }
        return results;
    }

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        interpreter.RunRegion(regions[attributes.ContainsKey("branch") ? (int)attributes.Int("branch") : 0], operands);
}

/// <summary>The test primitives, created once per process (primitives register themselves by name).</summary>
public static class TestPrims
{
    public static readonly Primitive Add = new TestAddPrimitive();
    public static readonly Primitive Neg = new TestNegPrimitive();
    public static readonly Primitive Swap = new TestSwapPrimitive();
    public static readonly Primitive Sink = new TestSinkPrimitive();
    public static readonly Primitive Attrs = new TestAttrsPrimitive();
    public static readonly Primitive Region = new TestRegionPrimitive();

    // An explicit static constructor makes the fields initialise on the first call of EnsureRegistered.
    static TestPrims()
    {
    }

    /// <summary>Touch this before parsing text that names the test primitives.</summary>
    public static void EnsureRegistered()
    {
    }
}
