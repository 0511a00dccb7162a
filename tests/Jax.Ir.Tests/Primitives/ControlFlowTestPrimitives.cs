namespace JaxToolchain.Ir.Tests.Primitives;

/// <summary>
/// Minimal elementwise primitives for region bodies in these tests (the real elementwise family lives elsewhere):
/// same-type operands, computed in double for floats and in wrapping long arithmetic for integers.
/// </summary>
internal sealed class TestBinaryPrimitive : Primitive
{
    private readonly Func<double, double, double> _float;
    private readonly Func<long, long, long> _integer;
    private readonly bool _compare;

    public TestBinaryPrimitive(string name, Func<double, double, double> onFloat, Func<long, long, long> onInteger, bool compare = false)
        : base(name) => (_float, _integer, _compare) = (onFloat, onInteger, compare);

    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count != 2 || operands[0].DType != operands[1].DType || operands[0].Shape != operands[1].Shape)
            throw Error($"needs two operands of one type, got {string.Join(", ", operands)}");
        var t = operands[0] with { Weak = operands[0].Weak && operands[1].Weak };
        return [_compare ? new ShapedType(DType.Bool, t.Shape) : t];
    }

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var (x, y) = (operands[0], operands[1]);
        var result = Buffer.Zeros(_compare ? DType.Bool : x.DType, x.Shape);
        for (int i = 0; i < x.Length; i++)
        {
            if (x.DType.IsFloat()) result.SetDouble(i, _float(x.GetDouble(i), y.GetDouble(i)));
            else result.SetInt64(i, _integer(x.GetInt64(i), y.GetInt64(i)));
        }
        return [result];
    }
}

/// <summary>The test primitives, created once (primitive names register globally).</summary>
internal static class TestOps
{
    public static readonly TestBinaryPrimitive Add = new("cf_test.add", (a, b) => a + b, (a, b) => unchecked(a + b));
    public static readonly TestBinaryPrimitive Sub = new("cf_test.sub", (a, b) => a - b, (a, b) => unchecked(a - b));
    public static readonly TestBinaryPrimitive Mul = new("cf_test.mul", (a, b) => a * b, (a, b) => unchecked(a * b));
    public static readonly TestBinaryPrimitive Lt = new("cf_test.lt", (a, b) => a < b ? 1 : 0, (a, b) => a < b ? 1 : 0, compare: true);

    /// <summary>A region with arguments of the given types whose body <paramref name="build"/> emits and returns.</summary>
    public static Block Region(ShapedType[] argumentTypes, Func<IrBuilder, IReadOnlyList<Value>, IEnumerable<Value>> build)
    {
        var block = new Block(argumentTypes);
        block.SetResults(build(new IrBuilder(block), block.Arguments).ToArray());
        return block;
    }
}
