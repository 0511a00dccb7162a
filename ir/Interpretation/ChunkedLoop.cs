using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir;

/// <summary>
/// How the interpreter runs a <c>loop</c> fusion: chunk by chunk instead of operation by operation over whole arrays.
/// Every value of such a kernel either has the loop's element count N or one element, and element i of a result
/// depends only on element i of the operands (elementwise operations, broadcasts of one element, reshapes), so the
/// body can run on elements [s, s + C) of every array at a time. A chunk's intermediates are a few kilobytes that stay
/// in the cache, so the kernel reads its inputs and writes its results once, as a compiled loop nest would, and the
/// chunks run in parallel. The same kernels compute each element as in the unfused program, so the results are
/// identical bit for bit.
/// </summary>
internal sealed class ChunkedLoop
{
    /// <summary>Elements per chunk: a chunk's live values (128 KB each in float32) fit in L2 together.</summary>
    private const int ChunkElements = 32768;

    /// <summary>Loops shorter than this run as a whole (one chunk).</summary>
    private const long MinimumElements = 2 * ChunkElements;

    private static readonly ConditionalWeakTable<Block, ChunkedLoop?> Plans = [];

    private readonly Block _body;
    private readonly Liveness _liveness;

    private ChunkedLoop(Block body)
    {
        _body = body;
        _liveness = Liveness.Of(body);
    }

    /// <summary>The chunked form of a loop fusion's body, or null when some operation in it does not allow it.</summary>
    public static ChunkedLoop? For(Block body) => Plans.GetValue(body, b => Eligible(b) ? new ChunkedLoop(b) : null);

    /// <summary>Elementwise operations, one-element broadcasts and constants, and reshapes; nothing that reads elements across positions.</summary>
    private static bool Eligible(Block body)
    {
        foreach (var op in body.Operations)
        {
            if (op.Regions.Count > 0) return false;
            switch (op.Primitive.Category)
            {
                case PrimitiveCategory.Elementwise when op.Primitive is ElementwisePrimitive && !ReferenceEquals(op.Primitive, Prims.BitcastConvertType):
                case PrimitiveCategory.Reshape:
                    break;
                case PrimitiveCategory.Broadcast when IsOneElement(op.Operands[0].Type):
                    break;
                case PrimitiveCategory.Generator when ReferenceEquals(op.Primitive, Prims.Constant) && IsOneElement(op.Results[0].Type):
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static bool IsOneElement(ShapedType type) => type.Shape.IsStatic && type.Shape.ElementCount == 1;

    /// <summary>
    /// Runs the body on <paramref name="inputs"/>; null when the loop is too short to chunk or its inputs do not have
    /// the shapes chunking needs (then the caller runs the body as a whole). The first result is written into
    /// <paramref name="target"/> when one is given (an input dying here: chunk i of it is read before chunk i of the
    /// result is written, and chunks do not overlap).
    /// </summary>
    public Buffer[]? TryRun(IReadOnlyList<Buffer> inputs, Interpreter interpreter, Buffer? target = null)
    {
        // An input the body never reads (one that only binds a symbolic dim) does not take part.
        var read = inputs.Where((_, i) => _liveness.LastUseIndex(_body.Arguments[i]) >= 0).ToArray();
        if (read.Length == 0) return null;
        long n = read.Max(b => b.LongLength);
        if (n < MinimumElements || read.Any(b => b.LongLength != n && b.LongLength != 1)) return null;
        var results = new Buffer[_body.Results.Count];
        for (int r = 0; r < results.Length; r++)
        {
            var type = ResultType(_body.Results[r].Type, inputs);
            if (type is null) return null;
            if (type.Shape.ElementCount != n && !IsOneElement(type)) return null;
            results[r] = r == 0 && target is not null && target.DType == type.DType && target.Shape == type.Shape
                ? target
                : Buffer.Uninitialized(type.DType, type.Shape);
        }
        long chunks = (n + ChunkElements - 1) / ChunkElements;
        int parts = (int)Math.Min(Environment.ProcessorCount, chunks);
        try
        {
            Parallel.For(0, parts, part =>
            {
                // Broadcast one-element values are the same in every chunk: each is written out once per worker.
                var broadcasts = new Dictionary<Operation, Buffer>(ReferenceEqualityComparer.Instance);
                try
                {
                    for (long c = part; c < chunks; c += parts)
                    {
                        long start = c * ChunkElements;
                        RunChunk(inputs, results, n, start, (int)Math.Min(ChunkElements, n - start), interpreter, broadcasts, writeOneElementResults: c == 0);
                    }
                }
                finally
                {
                    foreach (var b in broadcasts.Values) b.Dispose();
                }
            });
        }
        catch
        {
            foreach (var r in results)
                if (!ReferenceEquals(r, target)) r.Dispose();
            throw;
        }
        return results;
    }

    /// <summary>The static type of a result: its own, or with symbolic dims resolved by matching the inputs' shapes.</summary>
    private ShapedType? ResultType(ShapedType type, IReadOnlyList<Buffer> inputs)
    {
        if (type.Shape.IsStatic) return type;
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Count; i++)
        {
            var parameter = _body.Arguments[i].Type.Shape;
            for (int d = 0; d < parameter.Rank; d++)
                if (!parameter[d].IsStatic) symbols[parameter[d].Symbol!] = inputs[i].Shape[d].Size;
        }
        var dims = new List<Dim>();
        foreach (var d in type.Shape)
        {
            if (d.IsStatic) dims.Add(d);
            else if (symbols.TryGetValue(d.Symbol!, out var size)) dims.Add(Dim.Of(size));
            else return null;
        }
        return type with { Shape = new Shape(dims) };
    }

    private void RunChunk(IReadOnlyList<Buffer> inputs, Buffer[] results, long n, long start, int count, Interpreter interpreter,
        Dictionary<Operation, Buffer> broadcasts, bool writeOneElementResults)
    {
        var env = new Dictionary<Value, Buffer>(ReferenceEqualityComparer.Instance);
        var created = new List<Buffer>();
        Buffer Chunk(Buffer b)
        {
            var view = b.LongLength == n && n != 1 ? b.Slice(start, count) : b.Share();
            created.Add(view);
            return view;
        }
        try
        {
            for (int i = 0; i < inputs.Count; i++)
                if (_liveness.LastUseIndex(_body.Arguments[i]) >= 0) env[_body.Arguments[i]] = Chunk(inputs[i]);
            var operations = _body.Operations;
            for (int k = 0; k < operations.Count; k++)
            {
                var op = operations[k];
                Buffer output;
                if (op.Primitive.Category == PrimitiveCategory.Reshape)
                {
                    output = ReshapeChunk(env[op.Operands[0]], op.Results[0].Type, created);
                }
                else if (op.Primitive.Category == PrimitiveCategory.Broadcast)
                {
                    var element = env[op.Operands[0]];
                    if (IsOneElement(op.Results[0].Type)) output = element.Share();
                    else
                    {
                        if (!broadcasts.TryGetValue(op, out var dense)) broadcasts[op] = dense = Filled(element, ChunkElements);
                        output = dense.Slice(0, count);
                    }
                    created.Add(output);
                }
                else
                {
                    var operands = op.Operands.Select(o => env[o]).ToArray();
                    output = op.Primitive.Evaluate(operands, op.Attributes, op.Regions, interpreter)[0];
                    if (operands.Any(o => ReferenceEquals(o, output))) output = output.Share();
                    created.Add(output);
                }
                env[op.Results[0]] = output;
                // A chunk's values die as the unfused program's would: the chunk holds only its live values.
                foreach (var dead in _liveness.DyingAt(k)) env[dead].Dispose();
                if (_liveness.LastUseIndex(op.Results[0]) == k) output.Dispose();
            }
            for (int r = 0; r < results.Length; r++)
            {
                var value = env[_body.Results[r]];
                if (results[r].LongLength == n && n != 1) CopyChunk(value, results[r], start, count);
                else if (writeOneElementResults) value.SplatOrDenseBytes[..value.DType.ItemSize()].CopyTo(results[r].Bytes);
            }
        }
        finally
        {
            foreach (var b in created) b.Dispose();
        }
    }

    /// <summary>A dense block of <paramref name="count"/> copies of a one-element value.</summary>
    private static Buffer Filled(Buffer element, int count)
    {
        using var splat = Buffer.Splat(element, Shape.Of(count));
        return splat.Clone();
    }

    /// <summary>A reshape inside the loop: the chunk stays the same elements (one-element values keep their own shape).</summary>
    private static Buffer ReshapeChunk(Buffer chunk, ShapedType type, List<Buffer> created)
    {
        var view = IsOneElement(type) && chunk.LongLength == 1 ? chunk.Reshape(type.Shape) : chunk.Share();
        created.Add(view);
        return view;
    }

    private static unsafe void CopyChunk(Buffer chunk, Buffer result, long start, int count)
    {
        int size = result.DType.ItemSize();
        var target = new Span<byte>((byte*)result.Pointer + start * size, count * size);
        if (chunk.IsSplat)
        {
            var value = chunk.SplatOrDenseBytes[..size];
            for (int i = 0; i < count; i++) value.CopyTo(target.Slice(i * size, size));
        }
        else
        {
            chunk.Bytes.CopyTo(target);
        }
    }
}
