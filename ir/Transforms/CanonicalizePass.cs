namespace JaxToolchain.Ir;

/// <summary>
/// Canonicalization (MLIR's <c>-canonicalize</c>): folds algebraic identities and constant expressions, as a table
/// from primitive to folder. Identities: <c>x + 0</c>, <c>0 + x</c>, <c>x - 0</c>, <c>x * 1</c>, <c>1 * x</c>,
/// <c>x / 1</c> (zeros and ones are constants, possibly broadcast, reshaped or converted; <c>x * 0</c> is not
/// folded: it is NaN for infinite or NaN x), <c>neg(neg x)</c>, conversions to the same type and conversions of a conversion that only changed weakness (the
/// <c>constant → convert(weak) → convert(strong)</c> chains of weak literals), reshapes to the same
/// shape and reshape of reshape, identity and composed transposes, transposes read by <c>dot_general</c> (folded into its dims) and its consecutive contracting dims (merged), identity and composed
/// <c>broadcast_in_dim</c>, reductions, squeezes, expand_dims and rev over no axes, <c>select(p, x, x)</c> and
/// <c>select</c> on a constant predicate. Constant folding: an operation without regions whose operands are
/// all single-element constants and whose results have one element is evaluated with the interpreter and
/// replaced by constants. A fold applies only when the replacement has exactly the result's type (weak types
/// included). A <c>call</c> whose region has no operations (it returns some of its arguments) is inlined: its results
/// are those operands. Folded operations are left for <see cref="DcePass"/> to remove.
/// </summary>
public sealed class CanonicalizePass : IPass
{
    private delegate Value? Folder(Operation op, IReadOnlyList<Value> x, Emitter e);

    private static readonly Dictionary<Primitive, Folder> Folders = new()
    {
        [Prims.Add] = (op, x, e) => IsSplat(x[1], 0) ? x[0] : IsSplat(x[0], 0) ? x[1] : null,
        [Prims.Sub] = (op, x, e) => IsSplat(x[1], 0) ? x[0] : null,
        [Prims.Mul] = (op, x, e) => IsSplat(x[1], 1) ? x[0] : IsSplat(x[0], 1) ? x[1] : null,
        [Prims.Div] = (op, x, e) => IsSplat(x[1], 1) ? x[0] : null,
        [Prims.Neg] = (op, x, e) => DefinedBy(x[0], Prims.Neg) is { } inner ? inner.Operands[0] : null,
        [Prims.ConvertElementType] = (op, x, e) =>
            x[0].Type == op.Results[0].Type ? x[0]
            // A conversion that only changed weakness (how weak literals are written) is skipped: convert(convert(c, weak), strong) is c.
            : DefinedBy(x[0], Prims.ConvertElementType) is { } inner && inner.Operands[0].Type.DType == x[0].Type.DType
                ? e.ConvertElementType(inner.Operands[0], op.Results[0].Type.DType, op.Results[0].Type.Weak)
                : null,
        [Prims.Reshape] = (op, x, e) =>
            x[0].Type.Shape == op.Results[0].Type.Shape ? x[0]
            : DefinedBy(x[0], Prims.Reshape) is { } inner ? e.Reshape(inner.Operands[0], op.Attributes.Shape("shape"))
            : null,
        [Prims.Transpose] = (op, x, e) =>
        {
            var permutation = op.Attributes.IntArray("permutation");
            if (permutation.Select((p, i) => p == i).All(b => b)) return x[0];
            if (DefinedBy(x[0], Prims.Transpose) is not { } inner) return null;
            var first = inner.Attributes.IntArray("permutation");
            return e.Transpose(inner.Operands[0], permutation.Select(p => first[p]).ToArray());
        },
        [Prims.BroadcastInDim] = (op, x, e) =>
        {
            if (x[0].Type == op.Results[0].Type) return x[0];
            if (DefinedBy(x[0], Prims.BroadcastInDim) is not { } inner) return null;
            var dims = op.Attributes.IntArray("broadcast_dimensions");
            return e.BroadcastInDim(inner.Operands[0], op.Attributes.Shape("shape"), inner.Attributes.IntArray("broadcast_dimensions").Select(d => dims[d]).ToArray());
        },
        [Prims.DotGeneral] = FoldDotOperands,
        [Prims.ReduceSum] = NoAxes("axes"),
        [Prims.ReduceMax] = NoAxes("axes"),
        [Prims.ReduceMin] = NoAxes("axes"),
        [Prims.ReduceProd] = NoAxes("axes"),
        [Prims.Squeeze] = NoAxes("dimensions"),
        [Prims.ExpandDims] = NoAxes("dimensions"),
        [Prims.Rev] = NoAxes("dimensions"),
        [Prims.Select] = (op, x, e) =>
            ReferenceEquals(x[1], x[2]) ? x[1]
            : TryConstant(x[0], out var p) && p.Length == 1 ? (p.GetDouble(0) != 0 ? x[1] : x[2])
            : null,
    };

    /// <inheritdoc/>
    public string Name => "canonicalize";

    /// <inheritdoc/>
    public string Summary => "folds algebraic identities and small constant expressions";

    /// <inheritdoc/>
    public Function Run(Function function) => new Rewriter().Rewrite(function);

    /// <summary>
    /// <c>dot_general</c> of a <c>transpose</c> reads the transpose's operand with its dims renamed (XLA's algebraic
    /// simplifier does the same), when the operand's free dims keep their order (they order the result's dims); and
    /// contracting dims that are consecutive axes of both operands, in the same order, with static sizes, become one
    /// (a reshape of each operand, a view), so that the backends' matrix-multiply path takes the product.
    /// </summary>
    private static Value? FoldDotOperands(Operation op, IReadOnlyList<Value> x, Emitter e)
    {
        var attributes = op.Attributes;
        var operands = x.ToArray();
        bool folded = FoldTransposedOperands(ref attributes, operands);
        folded |= CollapseContracting(ref attributes, operands, e);
        return folded ? e.Emit1(Prims.DotGeneral, operands, attributes) : null;
    }

    /// <summary>Contracting dims consecutive in both operands merged into one by reshapes (see <see cref="FoldDotOperands"/>).</summary>
    private static bool CollapseContracting(ref Attributes attributes, Value[] operands, Emitter e)
    {
        var (lhs, rhs) = (attributes.IntArray("lhs_contracting_dims"), attributes.IntArray("rhs_contracting_dims"));
        if (lhs.Length < 2 || rhs.Length != lhs.Length) return false;
        var pairs = lhs.Zip(rhs).OrderBy(p => p.First).ToArray();
        for (int i = 1; i < pairs.Length; i++)
            if (pairs[i].First != pairs[i - 1].First + 1 || pairs[i].Second != pairs[i - 1].Second + 1) return false;
        foreach (var (operand, first) in new[] { (operands[0], pairs[0].First), (operands[1], pairs[0].Second) })
            for (int d = first; d < first + pairs.Length; d++)
                if (!operand.Type.Shape[d].IsStatic) return false;
        int count = pairs.Length;
        foreach (var (side, i, first) in new[] { ("lhs", 0, pairs[0].First), ("rhs", 1, pairs[0].Second) })
        {
            var shape = operands[i].Type.Shape;
            long merged = Enumerable.Range(first, count).Aggregate(1L, (a, d) => a * shape[d].Size);
            operands[i] = e.Reshape(operands[i], new Shape([.. shape.Take(first), Dim.Of(merged), .. shape.Skip(first + count)]));
            int Shift(int d) => d > first ? d - (count - 1) : d;
            attributes = attributes.With($"{side}_contracting_dims", new long[] { first })
                .With($"{side}_batch_dims", attributes.IntArray($"{side}_batch_dims").Select(d => (long)Shift(d)).ToArray());
        }
        return true;
    }

    /// <summary>Transposed operands of a <c>dot_general</c> read through (see <see cref="FoldDotOperands"/>).</summary>
    private static bool FoldTransposedOperands(ref Attributes attributes, Value[] operands)
    {
        bool folded = false;
        foreach (var (side, i) in new[] { ("lhs", 0), ("rhs", 1) })
        {
            if (DefinedBy(operands[i], Prims.Transpose) is not { } transpose) continue;
            var permutation = transpose.Attributes.IntArray("permutation");
            var (batch, contracting) = (attributes.IntArray($"{side}_batch_dims"), attributes.IntArray($"{side}_contracting_dims"));
            var free = Enumerable.Range(0, permutation.Length).Where(d => !batch.Contains(d) && !contracting.Contains(d)).Select(d => permutation[d]).ToArray();
            if (!free.SequenceEqual(free.Order())) continue;
            attributes = attributes.With($"{side}_batch_dims", batch.Select(d => (long)permutation[d]).ToArray())
                .With($"{side}_contracting_dims", contracting.Select(d => (long)permutation[d]).ToArray());
            operands[i] = transpose.Operands[0];
            folded = true;
        }
        return folded;
    }

    private static Folder NoAxes(string attribute) =>
        (op, x, e) => op.Attributes.TryGetValue(attribute, out var a) && a is long[] { Length: 0 } ? x[0] : null;

    private static Operation? DefinedBy(Value v, Primitive primitive) =>
        v.Definer is { } op && ReferenceEquals(op.Primitive, primitive) ? op : null;

    /// <summary>The buffer of a constant, seen through a conversion that only changes weakness (how weak constants are written).</summary>
    private static bool TryConstant(Value v, out Buffer value)
    {
        if (DefinedBy(v, Prims.ConvertElementType) is { } convert && convert.Operands[0].Type.DType == v.Type.DType)
            v = convert.Operands[0];
        if (DefinedBy(v, Prims.Constant) is { } constant)
        {
            value = constant.Attributes.Buffer("value");
            return true;
        }
        value = null!;
        return false;
    }

    /// <summary>Whether every element of <paramref name="v"/> is <paramref name="value"/> (a constant, possibly broadcast, reshaped or converted).</summary>
    private static bool IsSplat(Value v, double value)
    {
        while (v.Definer is { Operands.Count: 1 } op
               && (ReferenceEquals(op.Primitive, Prims.BroadcastInDim) || ReferenceEquals(op.Primitive, Prims.Reshape)
                   || ReferenceEquals(op.Primitive, Prims.ConvertElementType)))
            v = op.Operands[0];
        if (!TryConstant(v, out var buffer)) return false;
        for (int i = 0; i < buffer.Length; i++)
            if (buffer.GetDouble(i) != value) return false;
        return true;
    }

    private static bool HasOneElement(ShapedType type) => type.Shape.IsStatic && type.Shape.ElementCount == 1;

    /// <summary>Evaluates an operation on single-element constants; null when it does not qualify.</summary>
    private static IReadOnlyList<Value>? FoldConstants(Operation op, IReadOnlyList<Value> operands, Emitter e)
    {
        if (operands.Count == 0 || op.Regions.Count > 0 || !op.Results.All(r => HasOneElement(r.Type))) return null;
        // A conversion that only makes a constant weak is how weak constants are written: already folded.
        if (ReferenceEquals(op.Primitive, Prims.ConvertElementType) && operands[0].Type.DType == op.Results[0].Type.DType) return null;
        var buffers = new Buffer[operands.Count];
        for (int i = 0; i < operands.Count; i++)
            if (!TryConstant(operands[i], out buffers[i]) || buffers[i].Length != 1) return null;
        var results = op.Primitive.Evaluate(buffers, op.Attributes, [], Interpreter.Default);
        return results.Select((b, i) => e.ConvertElementType(e.Constant(b), b.DType, op.Results[i].Type.Weak)).ToArray();
    }

    /// <summary>The operands a region without operations returns (each result is one of its arguments); null when it has operations.</summary>
    private static Value[]? InlineTrivialCall(IReadOnlyList<Value> operands, Block region)
    {
        if (region.Operations.Count > 0) return null;
        var arguments = region.Arguments.ToList();
        return region.Results.Select(r => operands[arguments.IndexOf(r)]).ToArray();
    }

    private sealed class Rewriter : BlockRewriter
    {
        protected override IReadOnlyList<Value>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder)
        {
            if (op.Primitive is CallPrimitive && InlineTrivialCall(operands, regions[0]) is { } forwarded
                && forwarded.Select((v, i) => v.Type == op.Results[i].Type).All(b => b))
                return forwarded;
            var emitter = new Emitter(builder);
            if (op.Results.Count == 1 && Folders.TryGetValue(op.Primitive, out var fold)
                && fold(op, operands, emitter) is { } replacement && replacement.Type == op.Results[0].Type)
                return [replacement];
            var folded = FoldConstants(op, operands, emitter);
            return folded is not null && folded.Select((v, i) => v.Type == op.Results[i].Type).All(b => b) ? folded : null;
        }
    }
}
