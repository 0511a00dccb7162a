namespace JaxToolchain.Ir;

public static partial class Prims
{
    /// <summary><c>cond index, args... (branch0) (branch1) ...</c>: runs the branch selected by <c>index</c> (clamped) on the args.</summary>
    public static readonly CondPrimitive Cond = new();

    /// <summary><c>while cond_consts..., body_consts..., init... {cond_nconsts, body_nconsts} (cond) (body)</c>: loops body while cond holds.</summary>
    public static readonly WhilePrimitive While = new();

    /// <summary><c>scan consts..., init..., xs... {num_consts, num_carry, length, reverse} (body)</c>: a loop over the leading axis of xs carrying state, stacking outputs.</summary>
    public static readonly ScanPrimitive Scan = new();
}

/// <summary>Signature checks shared by the control-flow primitives: region arguments and results against expected types.</summary>
internal static class RegionSignatures
{
    /// <summary>True when dtypes and shapes agree (weakness is not part of a region's signature).</summary>
    public static bool Match(IEnumerable<ShapedType> actual, IEnumerable<ShapedType> expected) =>
        actual.Select(t => (t.DType, t.Shape)).SequenceEqual(expected.Select(t => (t.DType, t.Shape)));

    /// <summary>Types as a parenthesized list: <c>(f32[3], i32[])</c>.</summary>
    public static string List(IEnumerable<ShapedType> types) => "(" + string.Join(", ", types) + ")";

    /// <summary>Throws unless <paramref name="region"/> takes exactly <paramref name="arguments"/>.</summary>
    public static void CheckArguments(Primitive primitive, string what, Block region, IEnumerable<ShapedType> arguments)
    {
        var expected = arguments.ToArray();
        if (!Match(region.ArgumentTypes, expected))
            throw new JaxTypeException(primitive.Name, $"{what} takes {List(region.ArgumentTypes)}, but is given {List(expected)}");
    }

    /// <summary>Throws unless a region's <paramref name="actual"/> result types are exactly <paramref name="expected"/>.</summary>
    public static void CheckResults(Primitive primitive, string what, IEnumerable<ShapedType> actual, IEnumerable<ShapedType> expected, string expectation)
    {
        var (a, e) = (actual.ToArray(), expected.ToArray());
        if (!Match(a, e))
            throw new JaxTypeException(primitive.Name, $"{what} returns {List(a)}, but {expectation} {List(e)}");
    }

    /// <summary>Throws unless there are exactly <paramref name="count"/> regions.</summary>
    public static void CheckCount(Primitive primitive, IReadOnlyList<Block> regions, int count, string names)
    {
        if (regions.Count != count)
            throw new JaxTypeException(primitive.Name, $"takes {count} region{(count == 1 ? "" : "s")} ({names}), got {regions.Count}");
    }
}

/// <summary>
/// <c>cond</c> (<c>lax.switch</c>): operand 0 is the index, an int32 scalar (a bool scalar reads as 0/1); the
/// other operands are passed to the selected branch. Each region is a branch taking the operands' types; all
/// branches return the same types, which are the results (weak where every branch's result is weak). An index
/// outside [0, branches) is clamped into it.
/// </summary>
public sealed class CondPrimitive : Primitive
{
    internal CondPrimitive() : base("cond") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count == 0) throw Error("takes an index operand, got no operands");
        var index = operands[0];
        if (index.Rank != 0 || index.DType is not (DType.Int32 or DType.Bool))
            throw Error($"index must be an int32 or bool scalar, got {index}");
        if (regions.Count == 0) throw Error("needs at least one branch region, got none");
        var args = operands.Skip(1).ToArray();
        for (int b = 0; b < regions.Count; b++)
        {
            RegionSignatures.CheckArguments(this, $"branch {b}", regions[b], args);
            RegionSignatures.CheckResults(this, $"branch {b}", regions[b].ResultTypes, regions[0].ResultTypes, "branch 0 returns");
        }
        return regions[0].ResultTypes
            .Select((t, i) => t with { Weak = regions.All(r => r.Results[i].Type.Weak) })
            .ToArray();
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        long index = Math.Clamp(operands[0].GetInt64(0), 0, regions.Count - 1);
        return interpreter.RunRegion(regions[(int)index], operands.Skip(1).ToArray());
    }
}

/// <summary>
/// <c>while</c> (<c>lax.while_loop</c>): operands are <c>cond_nconsts</c> constants of the condition, then
/// <c>body_nconsts</c> constants of the body, then the initial carry. Region 0 (cond) takes its constants and the
/// carry and returns a bool scalar; region 1 (body) takes its constants and the carry and returns the next carry,
/// of the same types. The results are the final carry (the initial carry's types).
/// </summary>
public sealed class WhilePrimitive : Primitive
{
    internal WhilePrimitive() : base("while") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var (condConsts, bodyConsts, init) = Split(operands, attributes);
        RegionSignatures.CheckCount(this, regions, 2, "cond, body");
        RegionSignatures.CheckArguments(this, "cond", regions[0], [.. condConsts, .. init]);
        RegionSignatures.CheckResults(this, "cond", regions[0].ResultTypes, [ShapedType.Scalar(DType.Bool)], "it must return");
        RegionSignatures.CheckArguments(this, "body", regions[1], [.. bodyConsts, .. init]);
        RegionSignatures.CheckResults(this, "body", regions[1].ResultTypes, init, "the carry is");
        return init;
    }

    private (ShapedType[] CondConsts, ShapedType[] BodyConsts, ShapedType[] Init) Split(IReadOnlyList<ShapedType> operands, Attributes attributes)
    {
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts");
        if (nc + nb > operands.Count)
            throw Error($"cond_nconsts {nc} + body_nconsts {nb} exceed the {operands.Count} operands");
        return (operands.Take(nc).ToArray(), operands.Skip(nc).Take(nb).ToArray(), operands.Skip(nc + nb).ToArray());
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        int nc = attributes.Count(this, "cond_nconsts"), nb = attributes.Count(this, "body_nconsts");
        var condConsts = operands.Take(nc).ToArray();
        var bodyConsts = operands.Skip(nc).Take(nb).ToArray();
        var carry = operands.Skip(nc + nb).ToArray();
        while (interpreter.RunRegion(regions[0], [.. condConsts, .. carry])[0].Span<bool>()[0])
            carry = interpreter.RunRegion(regions[1], [.. bodyConsts, .. carry]);
        return carry;
    }
}

/// <summary>
/// <c>scan</c> (<c>lax.scan</c>): operands are <c>num_consts</c> constants, <c>num_carry</c> initial carry values,
/// then the xs, each with leading dimension <c>length</c>. The body region takes (consts, carry, one slice of each
/// x along axis 0) and returns (next carry, one slice of each y). Results: the final carry (the initial carry's
/// types), then each y stacked along a new leading axis of size <c>length</c>. With <c>reverse</c> the iterations
/// run from <c>length - 1</c> down to 0, and y slice i still lands at position i.
/// </summary>
public sealed class ScanPrimitive : Primitive
{
    internal ScanPrimitive() : base("scan") { }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int numConsts = attributes.Count(this, "num_consts"), numCarry = attributes.Count(this, "num_carry");
        int length = attributes.Count(this, "length");
        attributes.Required<bool>(this, "reverse");
        if (numConsts + numCarry > operands.Count)
            throw Error($"num_consts {numConsts} + num_carry {numCarry} exceed the {operands.Count} operands");
        RegionSignatures.CheckCount(this, regions, 1, "body");
        var consts = operands.Take(numConsts);
        var init = operands.Skip(numConsts).Take(numCarry).ToArray();
        var xs = operands.Skip(numConsts + numCarry).ToArray();
        foreach (var x in xs)
            if (x.Rank == 0 || (x.Shape[0].IsStatic && x.Shape[0].Size != length))
                throw Error($"xs must have leading dimension length {length}, got {x}");
        var slices = xs.Select(x => x.WithShape(new Shape(x.Shape.Skip(1))));
        var body = regions[0];
        RegionSignatures.CheckArguments(this, "body", body, [.. consts, .. init, .. slices]);
        if (body.Results.Count < numCarry)
            throw Error($"body returns {RegionSignatures.List(body.ResultTypes)}, fewer than num_carry {numCarry} values");
        RegionSignatures.CheckResults(this, "body carry", body.ResultTypes.Take(numCarry), init, "the carry is");
        var ys = body.ResultTypes.Skip(numCarry).Select(y => y.WithShape(new Shape([Dim.Of(length), .. y.Shape])));
        return [.. init, .. ys];
    }

    /// <inheritdoc/>
    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var types = InferTypes(operands.Select(o => o.Type).ToArray(), attributes, regions);
        int numConsts = attributes.Count(this, "num_consts"), numCarry = attributes.Count(this, "num_carry");
        int length = attributes.Count(this, "length");
        bool reverse = attributes.Required<bool>(this, "reverse");
        var consts = operands.Take(numConsts).ToArray();
        var carry = operands.Skip(numConsts).Take(numCarry).ToArray();
        var xs = operands.Skip(numConsts + numCarry).ToArray();
        var ys = types.Skip(numCarry).Select(t => Buffer.Zeros(t.DType, t.Shape)).ToArray();
        for (int step = 0; step < length; step++)
        {
            int i = reverse ? length - 1 - step : step;
            var slices = xs.Select(x => Slice(x, i));
            var outputs = interpreter.RunRegion(regions[0], [.. consts, .. carry, .. slices]);
            carry = outputs.Take(numCarry).ToArray();
            for (int j = 0; j < ys.Length; j++)
            {
                var y = outputs[numCarry + j];
                Array.Copy(y.Data, 0, ys[j].Data, i * y.Length, y.Length);
            }
        }
        return [.. carry, .. ys];
    }

    private static Buffer Slice(Buffer x, int i)
    {
        var shape = new Shape(x.Shape.Skip(1));
        int size = checked((int)shape.ElementCount);
        var data = Buffer.NewArray(x.DType, size);
        Array.Copy(x.Data, i * size, data, 0, size);
        return new Buffer(x.DType, shape, data);
    }
}
