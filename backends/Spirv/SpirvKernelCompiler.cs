using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>The kernels of one program step and the scratch buffers they share (<see cref="VulkanStep"/>).</summary>
/// <param name="Kernels">The kernels, dispatched in order.</param>
/// <param name="Scratch">The byte sizes of the step's scratch buffers.</param>
internal sealed record SpirvStep(IReadOnlyList<VulkanKernel> Kernels, IReadOnlyList<SymbolicSize> Scratch)
{
    /// <summary>Steps computing the same for devices with more features, preferred first (<see cref="VulkanStep.Variants"/>).</summary>
    public IReadOnlyList<SpirvStep> Variants { get; init; } = [];
}

/// <summary>
/// The SPIR-V lowering of one kernel of a fused function (a top-level operation after <see cref="Prepare"/>, the CPU
/// backend's pipeline): elementwise <c>loop</c> fusions and lone elementwise operations over every dtype become one grid-strided compute shader (<see cref="LoopKernelWriter"/>), as do
/// lone <c>iota</c>s; layout and indexing operations and constants become copies (<see cref="LayoutKernelWriter"/>). Anything else is a
/// <see cref="NotSupportedException"/> naming the primitive or dtype; <see cref="SpirvProgramCompiler"/> makes such an
/// operation a host step.
/// </summary>
internal static class SpirvKernelCompiler
{
    /// <summary>Threads per workgroup of elementwise kernels.</summary>
    public const int LocalSize = 256;

    /// <summary>The pipeline before lowering, the CPU backend's: <see cref="Pipelines.ForCodegen"/>.</summary>
    public static Function Prepare(Function function) => Pipelines.ForCodegen(function);

    /// <summary>The kernels computing <paramref name="op"/>, a top-level operation of a prepared function; <see cref="NotSupportedException"/> when there is no lowering.</summary>
    public static SpirvStep CompileStep(Operation op)
    {
        if (ReferenceEquals(op.Primitive, Prims.Fusion))
        {
            var kind = op.Attributes.TryGetValue("kind", out var k) ? k as string : null;
            var body = op.Regions[0];
            var name = op.Attributes.TryGetValue("name", out var n) && n is string s ? s : "fusion";
            return kind switch
            {
                "loop" => new SpirvStep([LoopKernelWriter.Write(name, op, body.Arguments, body.Operations, body.Results)], []),
                "reduction" => ReductionKernelWriter.Write(name, op, body.Arguments, body.Operations, body.Results),
                "dot" => DotKernelWriter.Write(name, op),
                _ => throw new NotSupportedException(
                    $"no SPIR-V lowering for '{kind}' fusions ({string.Join(", ", body.Operations.Select(o => o.Primitive.Name).Distinct())}) yet"),
            };
        }
        if (ReferenceEquals(op.Primitive, Prims.DotGeneral)) return DotKernelWriter.Write(op.Primitive.Name, op);
        if (op.Primitive.Category is PrimitiveCategory.Elementwise && op.Regions.Count == 0)
            return new SpirvStep([LoopKernelWriter.Write(op.Primitive.Name, op, op.Operands, [op], op.Results)], []);
        if (op.Primitive is ReducePrimitive or ArgReducePrimitive)
            return ReductionKernelWriter.Write(op.Primitive.Name, op, op.Operands, [op], op.Results);
        if (LayoutKernelWriter.Lowers(op.Primitive)) return LayoutKernelWriter.Write(op);
        if (ReferenceEquals(op.Primitive, Prims.Iota))
            return new SpirvStep([LoopKernelWriter.Write(op.Primitive.Name, op, op.Operands, [op], op.Results)], []);
        if (op.Primitive is CumulativePrimitive) return ScanKernelWriter.Write(op.Primitive.Name, op);
        if (ReferenceEquals(op.Primitive, Prims.Sort)) return SortKernelWriter.Write(op.Primitive.Name, op);
        throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' yet");
    }

    internal static bool IsOneElement(ShapedType type) => type.Shape.IsStatic && type.Shape.ElementCount == 1;
}

/// <summary>Writes one elementwise kernel: bindings, push constants, the grid-strided loop, the body per element.</summary>
internal sealed class LoopKernelWriter : SpirvKernelWriter
{
    private readonly Dictionary<Value, SpirvId> _values = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Value, int> _argumentIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(Value, uint), SpirvId> _loads = [];
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<Shape, SpirvId[]> _coordinates = [];
    private readonly SpirvModuleBuilder _m;
    private readonly SpirvId _uint, _int, _float, _bool, _zero;
    private SpirvId _i;

    private LoopKernelWriter()
    {
        _m = M;
        (_uint, _int, _float, _bool, _zero) = (UInt, Int, Float, Bool, Zero);
    }

    /// <summary>
    /// The kernel computing <paramref name="results"/> from <paramref name="arguments"/> (bound to <paramref name="op"/>'s
    /// operands and results) by <paramref name="operations"/>, element by element. Push constants: the element count of
    /// the loop shape, then the value of every symbolic dim the kernel's values have (for broadcasts that move elements
    /// and iota, which unravel the index).
    /// </summary>
    public static VulkanKernel Write(string name, Operation op, IReadOnlyList<Value> arguments, IReadOnlyList<Operation> operations, IReadOnlyList<Value> results)
    {
        foreach (var v in arguments.Concat(results)) CheckDType(v.Type.DType);
        var loopShape = results.Select(r => r.Type).FirstOrDefault(t => !SpirvKernelCompiler.IsOneElement(t))?.Shape ?? Shape.Scalar;
        return new LoopKernelWriter().Emit(Sanitize(name), op, arguments, operations, results, loopShape);
    }

    private static bool IsOneElement(ShapedType type) => SpirvKernelCompiler.IsOneElement(type);

    private VulkanKernel Emit(string entryName, Operation op, IReadOnlyList<Value> arguments, IReadOnlyList<Operation> operations,
        IReadOnlyList<Value> results, Shape loopShape)
    {
        var m = _m;
        for (int k = 0; k < arguments.Count; k++)
        {
            Bind(VulkanBinding.Input, k, op.Operands[k].Type.DType, $"in{k}");
            _argumentIndex[arguments[k]] = k;
        }
        for (int r = 0; r < results.Count; r++) Bind(VulkanBinding.Output, r, op.Results[r].Type.DType, $"out{r}");

        // Push constants: the element count, then every symbolic dim the kernel's values have (first appearance).
        var symbols = arguments.Concat(operations.SelectMany(o => o.Results)).Concat(results)
            .SelectMany(v => v.Type.Shape.Symbols).Distinct(StringComparer.Ordinal).ToList();
        var count = SymbolicSize.ElementCount(loopShape);
        DeclarePushConstants([("count", count), .. symbols.Select(s => (s, SymbolicSize.Of(Dim.Sym(s))))]);
        for (int k = 0; k < symbols.Count; k++) _symbols[symbols[k]] = k + 1;
        var globalId = BuiltInVector(SpirvBuiltIn.GlobalInvocationId, "gl_GlobalInvocationID");
        var groups = BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");

        BeginMain(SpirvKernelCompiler.LocalSize);
        var counter = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, _uint), (uint)SpirvStorageClass.Function);
        var first = Component(globalId, 0);
        var stride = m.Emit(SpirvOp.IMul, _uint, Component(groups, 0), m.ConstantUInt32(SpirvKernelCompiler.LocalSize));
        var total = PushConstant(0);
        for (int k = 0; k < symbols.Count; k++) PushConstant(k + 1);
        m.Emit(SpirvOp.Store, null, counter, first);
        CountedLoop(counter, total, stride, i =>
        {
            _i = i;
            foreach (var operation in operations) _values[operation.Results[0]] = Lower(operation);
            for (int r = 0; r < results.Count; r++)
            {
                var type = results[r].Type;
                Store(arguments.Count + r, IsOneElement(type) ? _zero : _i, ValueAt(results[r], IsOneElement(type) ? _zero : _i));
            }
        });
        return Finish(entryName, count);
    }

    /// <summary>
    /// The value of <paramref name="v"/> at flat index <paramref name="index"/>: an input is loaded there (once per
    /// index); a computed value exists at the loop index only (or is one element).
    /// </summary>
    private SpirvId ValueAt(Value v, SpirvId index)
    {
        if (!_argumentIndex.TryGetValue(v, out int k)) return _values[v];
        if (IsOneElement(v.Type)) index = _zero;
        if (_loads.TryGetValue((v, index.Value), out var loaded)) return loaded;
        loaded = Load(k, index);
        return _loads[(v, index.Value)] = loaded;
    }

    private SpirvId Lower(Operation op)
    {
        if (op.Results.Count != 1) throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' with {op.Results.Count} results");
        var result = op.Results[0].Type;
        CheckDType(result.DType);
        foreach (var operand in op.Operands) CheckDType(operand.Type.DType);
        if (ReferenceEquals(op.Primitive, Prims.Constant)) return ConstantValue(op.Attributes.Buffer("value"));
        if (ReferenceEquals(op.Primitive, Prims.Iota)) return Iota(op);
        var here = IsOneElement(result) ? _zero : _i;
        switch (op.Primitive.Category)
        {
            case PrimitiveCategory.Broadcast:
            case PrimitiveCategory.Reshape:
                var source = op.Operands[0];
                if (IsOneElement(source.Type)) return ValueAt(source, _zero);
                // A reshape keeps the row-major order: the element at a flat index is the source's at the same index.
                if (op.Primitive.Category == PrimitiveCategory.Reshape || SameElements(source.Type.Shape, result.Shape)) return ValueAt(source, here);
                // A broadcast that moves elements reads an input at its source index; computed values exist at the loop index only.
                if (op.Primitive.Category == PrimitiveCategory.Broadcast && _argumentIndex.ContainsKey(source))
                    return ValueAt(source, BroadcastSource(op));
                throw new NotSupportedException($"no SPIR-V lowering for a '{op.Primitive.Name}' that broadcasts computed elements yet");
            case PrimitiveCategory.Elementwise:
                var value = new SpirvElementwise(_m, Compute).Emit(op, op.Operands.Select(o => ValueAt(o, IsOneElement(o.Type) ? _zero : _i)).ToArray());
                return Canonicalize(result.DType, value);
            default:
                throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' yet");
        }
    }

    /// <summary>True when both shapes list the same dims apart from static 1s (the flat index is the same).</summary>
    private static bool SameElements(Shape a, Shape b) =>
        a.Where(d => !(d.IsStatic && d.Size == 1)).SequenceEqual(b.Where(d => !(d.IsStatic && d.Size == 1)));

    /// <summary>A dim's size: a constant, or the symbol's push constant.</summary>
    private SpirvId Size(Dim dim) => Size(dim, _symbols);

    /// <summary>The coordinates of the loop index in <paramref name="shape"/> (row-major; computed once per shape).</summary>
    private SpirvId[] Coordinates(Shape shape)
    {
        if (_coordinates.TryGetValue(shape, out var coordinates)) return coordinates;
        coordinates = new SpirvId[shape.Rank];
        var rest = _i;
        for (int k = shape.Rank - 1; k >= 0; k--)
        {
            if (shape[k].IsStatic && shape[k].Size == 1) { coordinates[k] = _zero; continue; }
            var size = Size(shape[k]);
            coordinates[k] = _m.Emit(SpirvOp.UMod, _uint, rest, size);
            rest = _m.Emit(SpirvOp.UDiv, _uint, rest, size);
        }
        return _coordinates[shape] = coordinates;
    }

    /// <summary>The flat index in a broadcast's operand of the result's element at the loop index.</summary>
    private SpirvId BroadcastSource(Operation op)
    {
        var operand = op.Operands[0].Type.Shape;
        var map = op.Attributes.IntArray("broadcast_dimensions");
        var index = Coordinates(op.Results[0].Type.Shape);
        var flat = _zero;
        var stride = (SpirvId?)null;
        for (int k = operand.Rank - 1; k >= 0; k--)
        {
            if (operand[k].IsStatic && operand[k].Size == 1) continue;
            var term = stride is { } s ? _m.Emit(SpirvOp.IMul, _uint, index[map[k]], s) : index[map[k]];
            flat = flat == _zero ? term : _m.Emit(SpirvOp.IAdd, _uint, flat, term);
            stride = stride is { } t ? _m.Emit(SpirvOp.IMul, _uint, t, Size(operand[k])) : Size(operand[k]);
        }
        return flat;
    }

    /// <summary>iota: the loop index's coordinate along <c>dimension</c>, converted to the result's dtype (8/16-bit wrap, float16/bfloat16 round).</summary>
    private SpirvId Iota(Operation op)
    {
        var type = op.Results[0].Type;
        var coordinate = IsOneElement(type) ? _zero : Coordinates(type.Shape)[(int)op.Attributes.Int("dimension")];
        return IotaValue(type.DType, coordinate);
    }
}
