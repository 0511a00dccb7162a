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
/// One compute shader and how to dispatch it. Push constants: one <c>uint32</c> at offset 0, the element count of
/// <see cref="LoopShape"/> (symbolic dims resolved by the caller; below 2^32 - the dispatched thread count). The shader
/// loops grid-strided (<c>for i = gl_GlobalInvocationID.x; i &lt; count; i += gl_NumWorkGroups.x * local size</c>), so
/// any workgroup count from 1 to ceil(count / <see cref="LocalSizeX"/>) is correct.
/// </summary>
/// <param name="Name">The kernel's name (its fusion's <c>name</c> attribute or the primitive).</param>
/// <param name="EntryPoint">The entry point's name in the module.</param>
/// <param name="Words">The SPIR-V module (version 1.3, valid for Vulkan 1.1).</param>
/// <param name="Bindings">The storage buffers, in binding order.</param>
/// <param name="LoopShape">The shape whose element count the shader loops over (the push constant).</param>
/// <param name="PushConstantBytes">The size of the push-constant block.</param>
/// <param name="LocalSizeX">The workgroup size (x; y and z are 1).</param>
internal sealed record SpirvKernel(string Name, string EntryPoint, uint[] Words, IReadOnlyList<SpirvBinding> Bindings, Shape LoopShape,
    int PushConstantBytes, int LocalSizeX);

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

    /// <summary>The pipeline before lowering, the CPU backend's: simplify, math expansion, simplify, fusion.</summary>
    public static Function Prepare(Function function) =>
        new FusionPass().Run(Pipelines.Simplify(new MathExpansionPass().Run(Pipelines.Simplify(function))));

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
        private readonly SpirvId _uint, _int, _float, _bool;

        private KernelWriter()
        {
            _m.Capability(SpirvCapability.Shader);
            _m.MemoryModel(SpirvAddressingModel.Logical, SpirvMemoryModel.GLSL450);
            _uint = _m.TypeInt(32, false);
            _int = _m.TypeInt(32, true);
            _float = _m.TypeFloat(32);
            _bool = _m.TypeBool();
        }

        public static SpirvKernel Write(string name, Operation op, IReadOnlyList<Value> arguments, IReadOnlyList<Operation> operations, IReadOnlyList<Value> results)
        {
            foreach (var v in arguments.Concat(results)) CheckDType(v.Type.DType);
            var loopShape = results.Select(r => r.Type).FirstOrDefault(t => !IsOneElement(t))?.Shape ?? Shape.Scalar;
            var entryName = Sanitize(name);
            return new KernelWriter().Emit(name, entryName, op, arguments, operations, results, loopShape);
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
            var variables = new List<SpirvId>();
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
                variables.Add(variable);
            }
            for (int k = 0; k < arguments.Count; k++) Bind(SpirvBindingRole.Input, k, op.Operands[k].Type, $"in{k}");
            for (int r = 0; r < results.Count; r++) Bind(SpirvBindingRole.Output, r, op.Results[r].Type, $"out{r}");

            var pushBlock = m.TypeStruct(_uint);
            m.Decorate(pushBlock, SpirvDecoration.Block);
            m.MemberDecorate(pushBlock, 0, SpirvDecoration.Offset, 0);
            m.MemberName(pushBlock, 0, "count");
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

            var zero = m.ConstantUInt32(0);
            m.Label();
            var counter = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, _uint), (uint)SpirvStorageClass.Function);
            var first = m.Emit(SpirvOp.CompositeExtract, _uint, m.Emit(SpirvOp.Load, uvec3, globalId).Value, 0u);
            var groupCount = m.Emit(SpirvOp.CompositeExtract, _uint, m.Emit(SpirvOp.Load, uvec3, groups).Value, 0u);
            var stride = m.Emit(SpirvOp.IMul, _uint, groupCount, m.ConstantUInt32(LocalSize));
            var count = m.Emit(SpirvOp.Load, _uint, m.Emit(SpirvOp.AccessChain, m.TypePointer(SpirvStorageClass.PushConstant, _uint), push, zero));
            m.Emit(SpirvOp.Store, null, counter, first);
            var (header, check, body, next, merge) = (m.NewId(), m.NewId(), m.NewId(), m.NewId(), m.NewId());
            m.Emit(SpirvOp.Branch, null, header);
            m.Label(header);
            m.Emit(SpirvOp.LoopMerge, null, merge.Value, next.Value, (uint)SpirvLoopControl.None);
            m.Emit(SpirvOp.Branch, null, check);
            m.Label(check);
            var i = m.Emit(SpirvOp.Load, _uint, counter);
            m.Emit(SpirvOp.BranchConditional, null, m.Emit(SpirvOp.ULessThan, _bool, i, count), body, merge);
            m.Label(body);

            for (int k = 0; k < arguments.Count; k++)
            {
                var type = arguments[k].Type;
                var loaded = m.Emit(SpirvOp.Load, Storage(type.DType), Element(variables[k], type, i, zero));
                _values[arguments[k]] = type.DType == DType.Bool ? m.Emit(SpirvOp.INotEqual, _bool, loaded, zero) : loaded;
            }
            foreach (var operation in operations) _values[operation.Results[0]] = Lower(operation);
            for (int r = 0; r < results.Count; r++)
            {
                var type = results[r].Type;
                var value = _values[results[r]];
                if (type.DType == DType.Bool) value = m.Emit(SpirvOp.Select, _uint, value, m.ConstantUInt32(1), zero);
                m.Emit(SpirvOp.Store, null, Element(variables[arguments.Count + r], type, i, zero), value);
            }
            m.Emit(SpirvOp.Branch, null, next);
            m.Label(next);
            m.Emit(SpirvOp.Store, null, counter, m.Emit(SpirvOp.IAdd, _uint, m.Emit(SpirvOp.Load, _uint, counter), stride));
            m.Emit(SpirvOp.Branch, null, header);
            m.Label(merge);
            m.Emit(SpirvOp.Return, null, Array.Empty<uint>());
            m.EndFunction();
            return new SpirvKernel(name, entryName, m.ToWords(), bindings, loopShape, 4, LocalSize);
        }

        /// <summary>A pointer to the element of a buffer variable at <paramref name="i"/> (0 for a one-element array).</summary>
        private SpirvId Element(SpirvId variable, ShapedType type, SpirvId i, SpirvId zero) =>
            _m.Emit(SpirvOp.AccessChain, _m.TypePointer(SpirvStorageClass.StorageBuffer, Storage(type.DType)), variable, zero, IsOneElement(type) ? zero : i);

        private SpirvId Lower(Operation op)
        {
            if (op.Results.Count != 1) throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' with {op.Results.Count} results");
            var result = op.Results[0].Type;
            CheckDType(result.DType);
            foreach (var operand in op.Operands) CheckDType(operand.Type.DType);
            if (ReferenceEquals(op.Primitive, Prims.Constant)) return Constant(op.Attributes.Buffer("value"));
            switch (op.Primitive.Category)
            {
                case PrimitiveCategory.Broadcast:
                case PrimitiveCategory.Reshape:
                    if (!IsOneElement(op.Operands[0].Type) && !SameElements(op.Operands[0].Type.Shape, result.Shape))
                        throw new NotSupportedException($"no SPIR-V lowering for a '{op.Primitive.Name}' that moves elements yet");
                    return _values[op.Operands[0]];
                case PrimitiveCategory.Elementwise:
                    return new SpirvElementwise(_m, Compute).Emit(op, op.Operands.Select(o => _values[o]).ToArray());
                default:
                    throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' yet");
            }
        }

        /// <summary>True when both shapes list the same dims apart from static 1s (the flat index is the same).</summary>
        private static bool SameElements(Shape a, Shape b) =>
            a.Where(d => !(d.IsStatic && d.Size == 1)).SequenceEqual(b.Where(d => !(d.IsStatic && d.Size == 1)));

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
