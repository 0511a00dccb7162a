namespace JaxToolchain.Ir;

/// <summary>
/// Vectorising map as an IR → IR pass (JAX's <c>vmap</c>): from <c>f</c> builds a function whose parameters carry
/// an extra batch dimension (at <c>inAxes[i]</c>, or none for unbatched parameters) and whose results carry it
/// at <c>outAxes[i]</c>. Operations whose operands are all unbatched are copied unchanged; the others go
/// through their primitive's batching rule.
/// </summary>
public static class VmapPass
{
    /// <summary>The batched version of <paramref name="function"/>.</summary>
    public static Function Apply(Function function, IReadOnlyList<int?> inAxes, IReadOnlyList<int?> outAxes, Dim batchSize, string? name = null)
    {
        if (inAxes.Count != function.Parameters.Count)
            throw new ArgumentException($"vmap: @{function.Name} has {function.Parameters.Count} parameters, got {inAxes.Count} in_axes");
        if (outAxes.Count != function.ResultTypes.Count)
            throw new ArgumentException($"vmap: @{function.Name} has {function.ResultTypes.Count} results, got {outAxes.Count} out_axes");
        var types = function.ParameterTypes.Select((t, i) => inAxes[i] is int a ? WithBatchDim(t, a, batchSize, "vmap in_axes") : t);
        var body = new Block(types);
        var emitter = new Emitter(body);
        var context = NewContext(emitter, batchSize);
        var outs = Transform(function.Body, body.Arguments, inAxes, context, out var dims);
        var results = new Value[outs.Count];
        for (int i = 0; i < outs.Count; i++)
        {
            if (outAxes[i] is int to)
                results[i] = context.MoveBatchAxis(outs[i], dims[i], Normalize(to, outs[i].Type.Rank + (dims[i] is null ? 1 : 0), "vmap out_axes"));
            else if (dims[i] is null)
                results[i] = outs[i];
            else
                throw new JaxTypeException("vmap", $"result {i} of @{function.Name} is batched, but its out_axes is None");
        }
        body.SetResults(results);
        return new Function(name ?? $"vmap_{function.Name}", body);
    }

    private static int Normalize(int axis, int rank, string what) =>
        axis >= -rank && axis < rank ? (axis < 0 ? axis + rank : axis)
        : throw new JaxTypeException("vmap", $"{what} {axis} is out of range for a result of rank {rank}");

    /// <summary>A type with a batch dimension of <paramref name="size"/> inserted at <paramref name="axis"/>.</summary>
    public static ShapedType WithBatchDim(ShapedType type, int axis, Dim size, string what = "batch axis")
    {
        int a = Normalize(axis, type.Rank + 1, what);
        var dims = new List<Dim>(type.Shape);
        dims.Insert(a, size);
        return type with { Shape = new Shape(dims) };
    }

    /// <summary>Emits the batched computation of a block; returns its results and their batch dimensions.</summary>
    public static IReadOnlyList<Value> Transform(Block block, IReadOnlyList<Value> arguments, IReadOnlyList<int?> argumentDims,
        BatchContext context, out IReadOnlyList<int?> resultDims)
    {
        NestingDepthException.EnsureStack("vmap");
        var value = new Dictionary<Value, Value>(ReferenceEqualityComparer.Instance);
        var dim = new Dictionary<Value, int?>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < block.Arguments.Count; i++)
        {
            value[block.Arguments[i]] = arguments[i];
            dim[block.Arguments[i]] = argumentDims[i] is int d && d < 0 ? d + arguments[i].Type.Rank : argumentDims[i];
        }
        foreach (var op in block.Operations)
        {
            var operands = op.Operands.Select(o => value[o]).ToArray();
            var dims = op.Operands.Select(o => dim[o]).ToArray();
            IReadOnlyList<Value> outs;
            IReadOnlyList<int?> outDims;
            if (dims.All(d => d is null))
            {
                outs = context.Emitter.Emit(op.Primitive, operands, op.Attributes, op.Regions);
                outDims = new int?[outs.Count];
            }
            else
            {
                (outs, outDims) = op.Primitive.Batch(context, operands, dims, op.Attributes, op.Regions);
            }
            for (int i = 0; i < op.Results.Count; i++)
            {
                value[op.Results[i]] = outs[i];
                dim[op.Results[i]] = outDims[i];
            }
        }
        resultDims = block.Results.Select(r => dim[r]).ToArray();
        return block.Results.Select(r => value[r]).ToArray();
    }

    private static BatchContext NewContext(Emitter emitter, Dim batchSize) =>
        new(emitter, batchSize) { BatchRegion = (b, d, force) => BatchRegion(b, d, force ?? new bool[b.Results.Count], batchSize) };

    /// <summary>
    /// The batched version of a closed region; with <paramref name="forceBatched"/> every result is batched at 0
    /// (loop carries must keep one type across iterations), without it batched results keep their batch dimension.
    /// </summary>
    public static (Block Region, IReadOnlyList<int?> ResultDims) BatchRegion(Block region, IReadOnlyList<int?> argumentDims, bool forceBatched, Dim batchSize)
    {
        var (block, context, outs, dims) = BatchBody(region, argumentDims, batchSize);
        if (!forceBatched)
        {
            block.SetResults(outs);
            return (block, dims);
        }
        block.SetResults(outs.Select((o, i) => context.MoveBatchAxis(o, dims[i], 0)));
        return (block, outs.Select(_ => (int?)0).ToArray());
    }

    /// <summary>
    /// The batched version of a closed region whose batched results are all batched at 0: those that depend on a
    /// batched argument, and those marked in <paramref name="forceBatched"/> (broadcast along a new axis 0).
    /// Returns the region and its results' batch dimensions (0 or null).
    /// </summary>
    public static (Block Region, IReadOnlyList<int?> ResultDims) BatchRegion(Block region, IReadOnlyList<int?> argumentDims, IReadOnlyList<bool> forceBatched, Dim batchSize)
    {
        var (block, context, outs, dims) = BatchBody(region, argumentDims, batchSize);
        var resultDims = dims.Select((d, i) => d is null && !forceBatched[i] ? null : (int?)0).ToArray();
        block.SetResults(outs.Select((o, i) => resultDims[i] is null ? o : context.MoveBatchAxis(o, dims[i], 0)));
        return (block, resultDims);
    }

    private static (Block Block, BatchContext Context, IReadOnlyList<Value> Outs, IReadOnlyList<int?> Dims) BatchBody(Block region, IReadOnlyList<int?> argumentDims, Dim batchSize)
    {
        var block = new Block(region.ArgumentTypes.Select((t, i) => argumentDims[i] is int a ? WithBatchDim(t, a, batchSize) : t));
        var context = NewContext(new Emitter(block), batchSize);
        var outs = Transform(region, block.Arguments, argumentDims, context, out var dims);
        return (block, context, outs, dims);
    }
}
