using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>What a storage buffer binding of a kernel holds.</summary>
internal enum SpirvBindingRole
{
    /// <summary>An input: operand <see cref="SpirvBinding.Index"/> of the kernel's operation (read only).</summary>
    Input,

    /// <summary>An output: result <see cref="SpirvBinding.Index"/> of the kernel's operation.</summary>
    Output,
}

/// <summary>One storage buffer of a kernel: descriptor set 0, binding <paramref name="Binding"/>.</summary>
/// <param name="Binding">The binding number (inputs first, then outputs, in operand/result order).</param>
/// <param name="Role">Input or output.</param>
/// <param name="Index">The operand or result index in the kernel's operation.</param>
/// <param name="Type">The IR type of the array (its dtype and shape, symbolic dims included).</param>
/// <param name="ElementBytes">Bytes per element in the buffer (4 for every dtype of this slice; bool is a uint32 0 or 1).</param>
internal sealed record SpirvBinding(int Binding, SpirvBindingRole Role, int Index, ShapedType Type, int ElementBytes);

/// <summary>
/// One compute shader and how to dispatch it. Push constants (<c>uint32</c>s): at offset 0 the element count of
/// <see cref="LoopShape"/> (symbolic dims resolved by the caller; below 2^32 - the dispatched thread count), then the
/// value of each of <see cref="Symbols"/> (for broadcasts that move elements and iota, which unravel the index). The shader
/// loops grid-strided (<c>for i = gl_GlobalInvocationID.x; i &lt; count; i += gl_NumWorkGroups.x * local size</c>), so
/// any workgroup count from 1 to ceil(count / <see cref="LocalSizeX"/>) is correct. Every kernel declares
/// <c>SignedZeroInfNanPreserve 32</c> (<c>SPV_KHR_float_controls</c>): the device needs
/// <c>VK_KHR_shader_float_controls</c> (core in Vulkan 1.2) with <c>shaderSignedZeroInfNanPreserveFloat32</c>
/// (<see cref="RequiredFeatures"/>).
/// </summary>
/// <param name="Name">The kernel's name (its fusion's <c>name</c> attribute or the primitive).</param>
/// <param name="EntryPoint">The entry point's name in the module.</param>
/// <param name="Words">The SPIR-V module (version 1.3, valid for Vulkan 1.1).</param>
/// <param name="Bindings">The storage buffers, in binding order.</param>
/// <param name="LoopShape">The shape whose element count the shader loops over (push constant 0).</param>
/// <param name="Symbols">The symbolic dims whose values follow the count in the push constants (uint32 each, in this order).</param>
/// <param name="PushConstantBytes">The size of the push-constant block.</param>
/// <param name="LocalSizeX">The workgroup size (x; y and z are 1).</param>
internal sealed record SpirvKernel(string Name, string EntryPoint, uint[] Words, IReadOnlyList<SpirvBinding> Bindings, Shape LoopShape,
    IReadOnlyList<string> Symbols, int PushConstantBytes, int LocalSizeX)
{
    /// <summary>The Vulkan device extensions and features (Vulkan's names) the kernel needs.</summary>
    public IReadOnlyList<string> RequiredFeatures { get; } = ["VK_KHR_shader_float_controls", "shaderSignedZeroInfNanPreserveFloat32"];
}

/// <summary>
/// The first SPIR-V lowering: a function whose prepared body (<see cref="Prepare"/>, the CPU backend's pipeline) is
/// made of elementwise <c>loop</c> fusions (and lone elementwise operations) over float32, int32, uint32 and bool becomes
/// one compute shader per kernel (<see cref="SpirvKernel"/>). Anything else is a <see cref="NotSupportedException"/>
/// naming the primitive or dtype (the runtime then falls back to the CPU).
/// </summary>
internal static class SpirvKernelCompiler
{
    /// <summary>Threads per workgroup.</summary>
    public const int LocalSize = 256;

    /// <summary>The pipeline before lowering, the CPU backend's: <see cref="Pipelines.ForCodegen"/>.</summary>
    public static Function Prepare(Function function) => Pipelines.ForCodegen(function);

    /// <summary>The kernels of <paramref name="function"/> after <see cref="Prepare"/>, each with the operation it computes, in program order.</summary>
    public static (Function Prepared, IReadOnlyList<(Operation Operation, SpirvKernel Kernel)> Kernels) Compile(Function function)
    {
        var prepared = Prepare(function);
        var kernels = new List<(Operation, SpirvKernel)>();
        foreach (var op in prepared.Body.Operations)
        {
            if (ReferenceEquals(op.Primitive, Prims.Fusion))
            {
                var kind = op.Attributes.TryGetValue("kind", out var k) ? k as string : null;
                var body = op.Regions[0];
                if (kind != "loop")
                    throw new NotSupportedException($"no SPIR-V lowering for '{kind}' fusions ({string.Join(", ", body.Operations.Select(o => o.Primitive.Name).Distinct())}) yet");
                var name = op.Attributes.TryGetValue("name", out var n) && n is string s ? s : "fusion";
                kernels.Add((op, KernelWriter.Write(name, op, body.Arguments, body.Operations, body.Results)));
            }
            else if (op.Primitive.Category is PrimitiveCategory.Elementwise && op.Regions.Count == 0)
                kernels.Add((op, KernelWriter.Write(op.Primitive.Name, op, op.Operands, [op], op.Results)));
            else
                throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' yet");
        }
        return (prepared, kernels);
    }

    internal static bool IsOneElement(ShapedType type) => type.Shape.IsStatic && type.Shape.ElementCount == 1;

    /// <summary>Writes one kernel: bindings, push constants, the grid-strided loop, the body per element.</summary>
    private sealed class KernelWriter
    {
        private readonly SpirvModuleBuilder _m = new();
        private readonly Dictionary<Value, SpirvId> _values = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Value, int> _argumentIndex = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<(Value, uint), SpirvId> _loads = [];
        private readonly Dictionary<string, SpirvId> _symbols = new(StringComparer.Ordinal);
        private readonly Dictionary<Shape, SpirvId[]> _coordinates = [];
        private readonly List<SpirvId> _variables = [];
        private readonly List<ShapedType> _types = [];
        private readonly SpirvId _uint, _int, _float, _bool, _zero;
        private SpirvId _i;

        private KernelWriter()
        {
            _m.Capability(SpirvCapability.Shader);
            // IEEE NaN, infinity and signed-zero semantics: without this mode Vulkan lets the compiler assume there are
            // none (lavapipe folds -0 / 0 < x to true), which the interpreter's numbers need.
            _m.Capability(SpirvCapability.SignedZeroInfNanPreserve);
            _m.Extension("SPV_KHR_float_controls");
            _m.MemoryModel(SpirvAddressingModel.Logical, SpirvMemoryModel.GLSL450);
            _uint = _m.TypeInt(32, false);
            _int = _m.TypeInt(32, true);
            _float = _m.TypeFloat(32);
            _bool = _m.TypeBool();
            _zero = _m.ConstantUInt32(0);
        }

        public static SpirvKernel Write(string name, Operation op, IReadOnlyList<Value> arguments, IReadOnlyList<Operation> operations, IReadOnlyList<Value> results)
        {
            foreach (var v in arguments.Concat(results)) CheckDType(v.Type.DType);
            var loopShape = results.Select(r => r.Type).FirstOrDefault(t => !IsOneElement(t))?.Shape ?? Shape.Scalar;
            return new KernelWriter().Emit(name, Sanitize(name), op, arguments, operations, results, loopShape);
        }

        private static string Sanitize(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

        private static void CheckDType(DType dtype)
        {
            if (dtype is not (DType.Float32 or DType.Int32 or DType.UInt32 or DType.Bool))
                throw new NotSupportedException($"no SPIR-V lowering for dtype {dtype.ToString().ToLowerInvariant()} yet");
        }

        /// <summary>The computation type of a dtype (bool is SPIR-V <c>bool</c>).</summary>
        private SpirvId Compute(DType dtype) => dtype switch
        {
            DType.Float32 => _float,
            DType.Int32 => _int,
            DType.UInt32 => _uint,
            DType.Bool => _bool,
            _ => throw new NotSupportedException($"no SPIR-V lowering for dtype {dtype.ToString().ToLowerInvariant()} yet"),
        };

        /// <summary>The storage type of a dtype (bool is a uint32 0 or 1).</summary>
        private SpirvId Storage(DType dtype) => dtype == DType.Bool ? _uint : Compute(dtype);

        private SpirvKernel Emit(string name, string entryName, Operation op, IReadOnlyList<Value> arguments, IReadOnlyList<Operation> operations,
            IReadOnlyList<Value> results, Shape loopShape)
        {
            var m = _m;
            var bindings = new List<SpirvBinding>();
            void Bind(SpirvBindingRole role, int index, ShapedType type, string label)
            {
                var element = Storage(type.DType);
                var array = m.TypeRuntimeArray(element);
                m.Decorate(array, SpirvDecoration.ArrayStride, 4);
                var block = m.TypeStruct(array);
                m.Decorate(block, SpirvDecoration.Block);
                m.MemberDecorate(block, 0, SpirvDecoration.Offset, 0);
                var variable = m.GlobalVariable(m.TypePointer(SpirvStorageClass.StorageBuffer, block), SpirvStorageClass.StorageBuffer);
                m.Decorate(variable, SpirvDecoration.DescriptorSet, 0);
                m.Decorate(variable, SpirvDecoration.Binding, (uint)bindings.Count);
                if (role == SpirvBindingRole.Input) m.Decorate(variable, SpirvDecoration.NonWritable);
                m.Name(variable, label);
                bindings.Add(new SpirvBinding(bindings.Count, role, index, type, 4));
                _variables.Add(variable);
                _types.Add(type);
            }
            for (int k = 0; k < arguments.Count; k++)
            {
                Bind(SpirvBindingRole.Input, k, op.Operands[k].Type, $"in{k}");
                _argumentIndex[arguments[k]] = k;
            }
            for (int r = 0; r < results.Count; r++) Bind(SpirvBindingRole.Output, r, op.Results[r].Type, $"out{r}");

            // Push constants: the element count, then every symbolic dim the kernel's values have (first appearance).
            var symbols = arguments.Concat(operations.SelectMany(o => o.Results)).Concat(results)
                .SelectMany(v => v.Type.Shape.Symbols).Distinct(StringComparer.Ordinal).ToList();
            var pushBlock = m.TypeStruct([.. Enumerable.Repeat(_uint, 1 + symbols.Count)]);
            m.Decorate(pushBlock, SpirvDecoration.Block);
            for (int k = 0; k <= symbols.Count; k++)
            {
                m.MemberDecorate(pushBlock, (uint)k, SpirvDecoration.Offset, (uint)(4 * k));
                m.MemberName(pushBlock, (uint)k, k == 0 ? "count" : symbols[k - 1]);
            }
            var push = m.GlobalVariable(m.TypePointer(SpirvStorageClass.PushConstant, pushBlock), SpirvStorageClass.PushConstant);
            m.Name(push, "push");
            var uvec3 = m.TypeVector(_uint, 3);
            var inputPointer = m.TypePointer(SpirvStorageClass.Input, uvec3);
            var globalId = m.GlobalVariable(inputPointer, SpirvStorageClass.Input);
            m.Decorate(globalId, SpirvDecoration.BuiltIn, (uint)SpirvBuiltIn.GlobalInvocationId);
            m.Name(globalId, "gl_GlobalInvocationID");
            var groups = m.GlobalVariable(inputPointer, SpirvStorageClass.Input);
            m.Decorate(groups, SpirvDecoration.BuiltIn, (uint)SpirvBuiltIn.NumWorkgroups);
            m.Name(groups, "gl_NumWorkGroups");

            var voidType = m.TypeVoid();
            var main = m.BeginFunction(voidType, m.TypeFunction(voidType));
            m.Name(main, entryName);
            m.EntryPoint(SpirvExecutionModel.GLCompute, main, entryName, globalId, groups);
            m.ExecutionMode(main, SpirvExecutionMode.LocalSize, LocalSize, 1, 1);
            m.ExecutionMode(main, SpirvExecutionMode.SignedZeroInfNanPreserve, 32);

            m.Label();
            var counter = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, _uint), (uint)SpirvStorageClass.Function);
            var first = m.Emit(SpirvOp.CompositeExtract, _uint, m.Emit(SpirvOp.Load, uvec3, globalId).Value, 0u);
            var groupCount = m.Emit(SpirvOp.CompositeExtract, _uint, m.Emit(SpirvOp.Load, uvec3, groups).Value, 0u);
            var stride = m.Emit(SpirvOp.IMul, _uint, groupCount, m.ConstantUInt32(LocalSize));
            var pushPointer = m.TypePointer(SpirvStorageClass.PushConstant, _uint);
            var count = m.Emit(SpirvOp.Load, _uint, m.Emit(SpirvOp.AccessChain, pushPointer, push, _zero));
            for (int k = 0; k < symbols.Count; k++)
                _symbols[symbols[k]] = m.Emit(SpirvOp.Load, _uint, m.Emit(SpirvOp.AccessChain, pushPointer, push, m.ConstantUInt32((uint)(k + 1))));
            m.Emit(SpirvOp.Store, null, counter, first);
            var (header, check, body, next, merge) = (m.NewId(), m.NewId(), m.NewId(), m.NewId(), m.NewId());
            m.Emit(SpirvOp.Branch, null, header);
            m.Label(header);
            m.Emit(SpirvOp.LoopMerge, null, merge.Value, next.Value, (uint)SpirvLoopControl.None);
            m.Emit(SpirvOp.Branch, null, check);
            m.Label(check);
            _i = m.Emit(SpirvOp.Load, _uint, counter);
            m.Emit(SpirvOp.BranchConditional, null, m.Emit(SpirvOp.ULessThan, _bool, _i, count), body, merge);
            m.Label(body);

            foreach (var operation in operations) _values[operation.Results[0]] = Lower(operation);
            for (int r = 0; r < results.Count; r++)
            {
                var type = results[r].Type;
                var value = ValueAt(results[r], IsOneElement(type) ? _zero : _i);
                if (type.DType == DType.Bool) value = m.Emit(SpirvOp.Select, _uint, value, m.ConstantUInt32(1), _zero);
                m.Emit(SpirvOp.Store, null, Element(arguments.Count + r, IsOneElement(type) ? _zero : _i), value);
            }
            m.Emit(SpirvOp.Branch, null, next);
            m.Label(next);
            m.Emit(SpirvOp.Store, null, counter, m.Emit(SpirvOp.IAdd, _uint, m.Emit(SpirvOp.Load, _uint, counter), stride));
            m.Emit(SpirvOp.Branch, null, header);
            m.Label(merge);
            m.Emit(SpirvOp.Return, null, Array.Empty<uint>());
            m.EndFunction();
            return new SpirvKernel(name, entryName, m.ToWords(), bindings, loopShape, symbols, 4 * (1 + symbols.Count), LocalSize);
        }

        /// <summary>A pointer to element <paramref name="index"/> of binding <paramref name="binding"/>'s array.</summary>
        private SpirvId Element(int binding, SpirvId index) =>
            _m.Emit(SpirvOp.AccessChain, _m.TypePointer(SpirvStorageClass.StorageBuffer, Storage(_types[binding].DType)), _variables[binding], _zero, index);

        /// <summary>
        /// The value of <paramref name="v"/> at flat index <paramref name="index"/>: an input is loaded there (once per
        /// index); a computed value exists at the loop index only (or is one element).
        /// </summary>
        private SpirvId ValueAt(Value v, SpirvId index)
        {
            if (!_argumentIndex.TryGetValue(v, out int k)) return _values[v];
            if (IsOneElement(v.Type)) index = _zero;
            if (_loads.TryGetValue((v, index.Value), out var loaded)) return loaded;
            loaded = _m.Emit(SpirvOp.Load, Storage(v.Type.DType), Element(k, index));
            if (v.Type.DType == DType.Bool) loaded = _m.Emit(SpirvOp.INotEqual, _bool, loaded, _zero);
            return _loads[(v, index.Value)] = loaded;
        }

        private SpirvId Lower(Operation op)
        {
            if (op.Results.Count != 1) throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' with {op.Results.Count} results");
            var result = op.Results[0].Type;
            CheckDType(result.DType);
            foreach (var operand in op.Operands) CheckDType(operand.Type.DType);
            if (ReferenceEquals(op.Primitive, Prims.Constant)) return Constant(op.Attributes.Buffer("value"));
            if (ReferenceEquals(op.Primitive, Prims.Iota)) return Iota(op);
            var here = IsOneElement(result) ? _zero : _i;
            switch (op.Primitive.Category)
            {
                case PrimitiveCategory.Broadcast:
                case PrimitiveCategory.Reshape:
                    var source = op.Operands[0];
                    if (IsOneElement(source.Type)) return ValueAt(source, _zero);
                    if (SameElements(source.Type.Shape, result.Shape)) return ValueAt(source, here);
                    // A broadcast that moves elements reads an input at its source index; computed values exist at the loop index only.
                    if (op.Primitive.Category == PrimitiveCategory.Broadcast && _argumentIndex.ContainsKey(source))
                        return ValueAt(source, BroadcastSource(op));
                    throw new NotSupportedException($"no SPIR-V lowering for a '{op.Primitive.Name}' that moves computed elements yet");
                case PrimitiveCategory.Elementwise:
                    return new SpirvElementwise(_m, Compute).Emit(op, op.Operands.Select(o => ValueAt(o, IsOneElement(o.Type) ? _zero : _i)).ToArray());
                default:
                    throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' yet");
            }
        }

        /// <summary>True when both shapes list the same dims apart from static 1s (the flat index is the same).</summary>
        private static bool SameElements(Shape a, Shape b) =>
            a.Where(d => !(d.IsStatic && d.Size == 1)).SequenceEqual(b.Where(d => !(d.IsStatic && d.Size == 1)));

        /// <summary>A dim's size: a constant, or the symbol's push constant.</summary>
        private SpirvId Size(Dim dim) => dim.IsStatic
            ? _m.ConstantUInt32(dim.Size is >= 0 and <= uint.MaxValue ? (uint)dim.Size : throw new NotSupportedException($"dimension {dim.Size} does not fit 32 bits"))
            : _symbols[dim.Symbol!];

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

        /// <summary>iota: the loop index's coordinate along <c>dimension</c>, converted to the result's dtype.</summary>
        private SpirvId Iota(Operation op)
        {
            var type = op.Results[0].Type;
            var coordinate = IsOneElement(type) ? _zero : Coordinates(type.Shape)[(int)op.Attributes.Int("dimension")];
            return type.DType switch
            {
                DType.UInt32 => coordinate,
                DType.Int32 => _m.Emit(SpirvOp.Bitcast, _int, coordinate),
                DType.Float32 => _m.Emit(SpirvOp.ConvertUToF, _float, coordinate),
                _ => _m.Emit(SpirvOp.INotEqual, _bool, coordinate, _zero),
            };
        }

        private SpirvId Constant(Ir.Buffer value) => value.DType switch
        {
            DType.Bool => _m.ConstantBool(value.GetInt64(0) != 0),
            DType.Float32 => _m.ConstantFloat32((float)value.GetDouble(0)),
            DType.Int32 => _m.ConstantInt32((int)value.GetInt64(0)),
            DType.UInt32 => _m.ConstantUInt32(unchecked((uint)value.GetInt64(0))),
            var d => throw new NotSupportedException($"no SPIR-V lowering for dtype {d.ToString().ToLowerInvariant()} yet"),
        };
    }
}
