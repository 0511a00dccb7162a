using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// What every SPIR-V kernel writer shares (loops, reductions, contractions, layout kernels): the module with its
/// capabilities and float controls, the dtype's computation and storage types, storage-buffer bindings in the host's
/// layout (<see cref="VulkanKernel"/>), the push-constant block (<c>uint32</c>s given as <see cref="SymbolicSize"/>),
/// built-in inputs, and the entry point with its workgroup size. A writer declares bindings, push constants and
/// built-ins, opens <see cref="BeginMain"/>, emits its body, and ends with <see cref="Finish"/>.
/// </summary>
internal abstract class SpirvKernelWriter
{
    /// <summary>The module being written.</summary>
    protected SpirvModuleBuilder M { get; } = new();

    /// <summary>The 32-bit types and the uint32 constant 0.</summary>
    protected SpirvId UInt { get; }

    /// <summary>int32.</summary>
    protected SpirvId Int { get; }

    /// <summary>float32.</summary>
    protected SpirvId Float { get; }

    /// <summary>SPIR-V <c>bool</c>.</summary>
    protected SpirvId Bool { get; }

    /// <summary>The uint32 constant 0.</summary>
    protected SpirvId Zero { get; }

    private readonly List<VulkanBinding> _bindings = [];
    private readonly List<SpirvId> _variables = [];
    private readonly List<DType> _dtypes = [];
    private readonly List<SymbolicSize> _pushValues = [];
    private readonly List<SpirvId> _interface = [];
    private readonly Dictionary<int, SpirvId> _pushLoads = [];
    private SpirvId _push;
    private SpirvId _main;
    private int[] _localSize = [1, 1, 1];
    private bool _float64;

    /// <summary>Starts a module: <c>Shader</c>, IEEE NaN/Inf/-0 semantics (<c>SPV_KHR_float_controls</c>), GLSL450 memory model.</summary>
    /// <summary>
    /// A writer for a module in <paramref name="memoryModel"/>: GLSL450 (every kernel but those that need Vulkan's, such
    /// as cooperative-matrix kernels: then the <c>VulkanMemoryModel</c> capability, its extension and the
    /// <c>vulkanMemoryModel</c> feature; workgroup memory shared between invocations is then accessed through
    /// <see cref="LoadShared"/> and <see cref="StoreShared"/>).
    /// </summary>
    protected SpirvKernelWriter(SpirvMemoryModel memoryModel = SpirvMemoryModel.GLSL450)
    {
        M.Capability(SpirvCapability.Shader);
        // IEEE NaN, infinity and signed-zero semantics: without this mode Vulkan lets the compiler assume there are
        // none (lavapipe folds -0 / 0 < x to true), which the interpreter's numbers need.
        M.Capability(SpirvCapability.SignedZeroInfNanPreserve);
        M.Extension("SPV_KHR_float_controls");
        if (memoryModel == SpirvMemoryModel.Vulkan)
        {
            M.Capability(SpirvCapability.VulkanMemoryModel);
            M.Extension("SPV_KHR_vulkan_memory_model");
            Features.Add("vulkanMemoryModel");
        }
        _vulkanMemoryModel = memoryModel == SpirvMemoryModel.Vulkan;
        M.MemoryModel(SpirvAddressingModel.Logical, memoryModel);
        UInt = M.TypeInt(32, false);
        Int = M.TypeInt(32, true);
        Float = M.TypeFloat(32);
        Bool = M.TypeBool();
        Zero = M.ConstantUInt32(0);
    }

    /// <summary>The Vulkan features every kernel needs (float controls with NaN/Inf/-0 preservation for float32).</summary>
    public static IReadOnlyList<string> BaseFeatures { get; } = ["VK_KHR_shader_float_controls", "shaderSignedZeroInfNanPreserveFloat32"];

    /// <summary>Features this kernel needs besides <see cref="BaseFeatures"/> (a writer adds them with the capabilities it uses).</summary>
    protected List<string> Features { get; } = [.. BaseFeatures];

    /// <summary>
    /// Throws <see cref="NotSupportedException"/> for a dtype the SPIR-V backend does not lower (none: every dtype of the
    /// IR has a storage and a computation type, see <see cref="Compute"/> and <see cref="Storage"/>).
    /// </summary>
    public static void CheckDType(DType dtype)
    {
        if (!Enum.IsDefined(dtype))
            throw new NotSupportedException($"no SPIR-V lowering for dtype {dtype.ToString().ToLowerInvariant()} yet");
    }

    /// <summary>
    /// The computation type of a dtype, the features it needs added to the kernel's: bool is SPIR-V <c>bool</c>; 8-, 16-
    /// and 32-bit integers are <c>int32</c>/<c>uint32</c> (narrow values kept sign- or zero-extended, see
    /// <see cref="Canonicalize"/>); 64-bit integers <c>int64</c>/<c>uint64</c> (<c>Int64</c>, <c>shaderInt64</c>);
    /// float16, bfloat16 and float32 are <c>float32</c> (float16 and bfloat16 values kept exactly representable);
    /// float64 is <c>float64</c> (<c>Float64</c>, <c>shaderFloat64</c>, with NaN/Inf/-0 preservation for 64-bit floats).
    /// </summary>
    protected SpirvId Compute(DType dtype)
    {
        switch (dtype)
        {
            case DType.Float32 or DType.Float16 or DType.BFloat16: return Float;
            case DType.Int32 or DType.Int16 or DType.Int8: return Int;
            case DType.UInt32 or DType.UInt16 or DType.UInt8: return UInt;
            case DType.Bool: return Bool;
            case DType.Int64 or DType.UInt64:
                Features.Add("shaderInt64");
                return M.TypeInt(64, dtype == DType.Int64);
            case DType.Float64:
                Features.AddRange(["shaderFloat64", "shaderSignedZeroInfNanPreserveFloat64"]);
                _float64 = true;
                return M.TypeFloat(64);
            default:
                throw new NotSupportedException($"no SPIR-V lowering for dtype {dtype.ToString().ToLowerInvariant()} yet");
        }
    }

    /// <summary>
    /// The storage type of a dtype's buffer elements, in the host's layout: bool a <c>uint8</c> 0 or 1, 8-bit integers
    /// 8-bit (<c>StorageBuffer8BitAccess</c>, <c>storageBuffer8BitAccess</c>), 16-bit integers 16-bit and float16 and
    /// bfloat16 their bits as <c>uint16</c> (<c>StorageBuffer16BitAccess</c>, <c>storageBuffer16BitAccess</c>), others
    /// their computation type. Narrow types are used only by loads, stores and conversions to or from 32 bits.
    /// </summary>
    protected SpirvId Storage(DType dtype)
    {
        switch (dtype)
        {
            case DType.Bool or DType.UInt8 or DType.Int8:
                Features.AddRange(["storageBuffer8BitAccess", "VK_KHR_8bit_storage"]);
                return M.TypeStorageInt(8, dtype == DType.Int8);
            case DType.Int16 or DType.UInt16 or DType.Float16 or DType.BFloat16:
                Features.AddRange(["storageBuffer16BitAccess", "VK_KHR_16bit_storage"]);
                return M.TypeStorageInt(16, dtype == DType.Int16);
            default:
                return Compute(dtype);
        }
    }

    /// <summary>
    /// A computation value of <paramref name="dtype"/> made canonical after an operation: 8- and 16-bit integers wrap
    /// (two's complement: sign- or zero-extended from their width), float16 and bfloat16 round to nearest even (the
    /// interpreter rounds after every operation too); other dtypes are unchanged.
    /// </summary>
    protected SpirvId Canonicalize(DType dtype, SpirvId value) => Canonical(M, dtype, value);

    /// <summary><see cref="Canonicalize"/> for a module (the elementwise rules use it for conversions).</summary>
    internal static SpirvId Canonical(SpirvModuleBuilder m, DType dtype, SpirvId value)
    {
        switch (dtype)
        {
            case DType.Int8 or DType.Int16:
                var shift = m.ConstantUInt32(dtype == DType.Int8 ? 24u : 16u);
                var type = m.TypeInt(32, true);
                return m.Emit(SpirvOp.ShiftRightArithmetic, type, m.Emit(SpirvOp.ShiftLeftLogical, type, value, shift), shift);
            case DType.UInt8 or DType.UInt16:
                return m.Emit(SpirvOp.BitwiseAnd, m.TypeInt(32, false), value, m.ConstantUInt32(dtype == DType.UInt8 ? 0xFFu : 0xFFFFu));
            case DType.Float16:
                return SpirvFloatFormats.HalfBitsToFloat(m, SpirvFloatFormats.FloatToHalfBits(m, value));
            case DType.BFloat16:
                return SpirvFloatFormats.BFloat16BitsToFloat(m, SpirvFloatFormats.FloatToBFloat16Bits(m, value));
            default:
                return value;
        }
    }

    /// <summary>
    /// The dtype whose values <paramref name="dtype"/>'s computation type holds: float16 and bfloat16 compute as float32,
    /// 8- and 16-bit integers as 32-bit; others as themselves. Reductions, products and scans accumulate in it and
    /// round (or wrap) once when they store the dtype, as the interpreter does.
    /// </summary>
    public static DType ComputeDType(DType dtype) => dtype switch
    {
        DType.Float16 or DType.BFloat16 => DType.Float32,
        DType.Int8 or DType.Int16 => DType.Int32,
        DType.UInt8 or DType.UInt16 => DType.UInt32,
        _ => dtype,
    };

    /// <summary>A scalar constant's computation value: its bits from the buffer (8/16-bit integers sign- or zero-extended, float16/bfloat16 widened exactly).</summary>
    protected SpirvId ConstantValue(Ir.Buffer value)
    {
        var d = value.DType;
        var bytes = value.Bytes[..d.ItemSize()];
        return d switch
        {
            DType.Bool => M.ConstantBool(bytes[0] != 0),
            DType.Float32 => M.ConstantFloat32(BitConverter.ToSingle(bytes)),
            DType.Float16 => M.ConstantFloat32((float)BitConverter.ToHalf(bytes)),
            DType.BFloat16 => M.ConstantFloat32(BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(bytes) << 16)),
            DType.Float64 or DType.Int64 or DType.UInt64 => M.Constant64(Compute(d), BitConverter.ToUInt64(bytes)),
            DType.Int32 => M.ConstantInt32(BitConverter.ToInt32(bytes)),
            DType.Int16 => M.ConstantInt32(BitConverter.ToInt16(bytes)),
            DType.Int8 => M.ConstantInt32((sbyte)bytes[0]),
            DType.UInt32 => M.ConstantUInt32(BitConverter.ToUInt32(bytes)),
            DType.UInt16 => M.ConstantUInt32(BitConverter.ToUInt16(bytes)),
            DType.UInt8 => M.ConstantUInt32(bytes[0]),
            _ => throw new NotSupportedException($"no SPIR-V lowering for dtype {d.ToString().ToLowerInvariant()} constants yet"),
        };
    }

    /// <summary>An iota element: a uint32 <paramref name="coordinate"/> converted to <paramref name="dtype"/>'s computation value (8/16-bit wrap, float16/bfloat16 round).</summary>
    protected SpirvId IotaValue(DType dtype, SpirvId coordinate)
    {
        var value = dtype switch
        {
            DType.Bool => M.Emit(SpirvOp.INotEqual, Bool, coordinate, Zero),
            DType.UInt32 or DType.UInt16 or DType.UInt8 => coordinate,
            DType.Int32 or DType.Int16 or DType.Int8 => M.Emit(SpirvOp.Bitcast, Int, coordinate),
            DType.UInt64 => M.Emit(SpirvOp.UConvert, Compute(dtype), coordinate),
            DType.Int64 => M.Emit(SpirvOp.Bitcast, Compute(dtype), M.Emit(SpirvOp.UConvert, M.TypeInt(64, false), coordinate)),
            _ => M.Emit(SpirvOp.ConvertUToF, Compute(dtype), coordinate),
        };
        return Canonicalize(dtype, value);
    }

    /// <summary>The bytes per element of <paramref name="dtype"/> in a buffer (the host's item size).</summary>
    protected static int StorageBytes(DType dtype) => dtype.ItemSize();

    /// <summary>
    /// Declares storage buffer binding <c>bindings.Count</c> (descriptor set 0) holding <paramref name="dtype"/> elements
    /// for the step's <paramref name="role"/> buffer <paramref name="index"/>; inputs are <c>NonWritable</c>. Returns the binding number.
    /// </summary>
    protected int Bind(string role, int index, DType dtype, string label)
    {
        var element = Storage(dtype);
        var array = M.TypeRuntimeArray(element);
        M.Decorate(array, SpirvDecoration.ArrayStride, (uint)StorageBytes(dtype));
        var block = M.TypeStruct(array);
        M.Decorate(block, SpirvDecoration.Block);
        M.MemberDecorate(block, 0, SpirvDecoration.Offset, 0);
        var variable = M.GlobalVariable(M.TypePointer(SpirvStorageClass.StorageBuffer, block), SpirvStorageClass.StorageBuffer);
        M.Decorate(variable, SpirvDecoration.DescriptorSet, 0);
        M.Decorate(variable, SpirvDecoration.Binding, (uint)_bindings.Count);
        if (role == VulkanBinding.Input) M.Decorate(variable, SpirvDecoration.NonWritable);
        M.Name(variable, label);
        _bindings.Add(new VulkanBinding(role, index));
        _variables.Add(variable);
        _dtypes.Add(dtype);
        return _bindings.Count - 1;
    }

    /// <summary>The dtype binding <paramref name="binding"/> holds.</summary>
    protected DType BindingDType(int binding) => _dtypes[binding];

    /// <summary>A pointer to element <paramref name="index"/> (uint32) of binding <paramref name="binding"/>'s array.</summary>
    protected SpirvId Element(int binding, SpirvId index) =>
        M.Emit(SpirvOp.AccessChain, M.TypePointer(SpirvStorageClass.StorageBuffer, Storage(_dtypes[binding])), _variables[binding], Zero, index);

    /// <summary>Loads element <paramref name="index"/> of a binding as its computation type (bool: a nonzero byte; narrow types widened).</summary>
    protected SpirvId Load(int binding, SpirvId index)
    {
        var dtype = _dtypes[binding];
        var loaded = M.Emit(SpirvOp.Load, Storage(dtype), Element(binding, index));
        return dtype switch
        {
            DType.Bool => M.Emit(SpirvOp.INotEqual, Bool, M.Emit(SpirvOp.UConvert, UInt, loaded), Zero),
            DType.Int8 or DType.Int16 => M.Emit(SpirvOp.SConvert, Int, loaded),
            DType.UInt8 or DType.UInt16 => M.Emit(SpirvOp.UConvert, UInt, loaded),
            DType.Float16 => SpirvFloatFormats.HalfBitsToFloat(M, M.Emit(SpirvOp.UConvert, UInt, loaded)),
            DType.BFloat16 => SpirvFloatFormats.BFloat16BitsToFloat(M, M.Emit(SpirvOp.UConvert, UInt, loaded)),
            _ => loaded,
        };
    }

    /// <summary>Stores a computation value at element <paramref name="index"/> of a binding (bool as a byte 0 or 1; narrow types truncated, float16 and bfloat16 rounded).</summary>
    protected void Store(int binding, SpirvId index, SpirvId value)
    {
        var dtype = _dtypes[binding];
        var storage = Storage(dtype);
        value = dtype switch
        {
            DType.Bool => M.Emit(SpirvOp.UConvert, storage, M.Emit(SpirvOp.Select, UInt, value, M.ConstantUInt32(1), Zero)),
            DType.Int8 or DType.Int16 => M.Emit(SpirvOp.SConvert, storage, value),
            DType.UInt8 or DType.UInt16 => M.Emit(SpirvOp.UConvert, storage, value),
            DType.Float16 => M.Emit(SpirvOp.UConvert, storage, SpirvFloatFormats.FloatToHalfBits(M, value)),
            DType.BFloat16 => M.Emit(SpirvOp.UConvert, storage, SpirvFloatFormats.FloatToBFloat16Bits(M, value)),
            _ => value,
        };
        M.Emit(SpirvOp.Store, null, Element(binding, index), value);
    }

    /// <summary>
    /// Declares the push-constant block: one <c>uint32</c> per value, named for the disassembly. Call once, before
    /// <see cref="BeginMain"/>; read member k with <see cref="PushConstant"/>.
    /// </summary>
    protected void DeclarePushConstants(IReadOnlyList<(string Name, SymbolicSize Value)> members)
    {
        if (members.Count == 0) return;
        var block = M.TypeStruct([.. Enumerable.Repeat(UInt, members.Count)]);
        M.Decorate(block, SpirvDecoration.Block);
        for (int k = 0; k < members.Count; k++)
        {
            M.MemberDecorate(block, (uint)k, SpirvDecoration.Offset, (uint)(4 * k));
            M.MemberName(block, (uint)k, members[k].Name);
            _pushValues.Add(members[k].Value);
        }
        _push = M.GlobalVariable(M.TypePointer(SpirvStorageClass.PushConstant, block), SpirvStorageClass.PushConstant);
        M.Name(_push, "push");
    }

    /// <summary>Push constant <paramref name="k"/> (loaded once, where first asked: call it in the entry block for values used in loops).</summary>
    protected SpirvId PushConstant(int k)
    {
        if (_pushLoads.TryGetValue(k, out var loaded)) return loaded;
        var pointer = M.Emit(SpirvOp.AccessChain, M.TypePointer(SpirvStorageClass.PushConstant, UInt), _push, M.ConstantUInt32((uint)k));
        return _pushLoads[k] = M.Emit(SpirvOp.Load, UInt, pointer);
    }

    /// <summary>A built-in <c>uvec3</c> input (<c>GlobalInvocationId</c>, <c>NumWorkgroups</c>, ...), listed in the entry point's interface.</summary>
    protected SpirvId BuiltInVector(SpirvBuiltIn builtIn, string name)
    {
        var variable = M.GlobalVariable(M.TypePointer(SpirvStorageClass.Input, M.TypeVector(UInt, 3)), SpirvStorageClass.Input);
        M.Decorate(variable, SpirvDecoration.BuiltIn, (uint)builtIn);
        M.Name(variable, name);
        _interface.Add(variable);
        return variable;
    }

    /// <summary>A built-in <c>uint</c> input (<c>SubgroupId</c>, <c>NumSubgroups</c>, ...), listed in the entry point's interface; read it with <c>OpLoad</c>.</summary>
    protected SpirvId BuiltInScalar(SpirvBuiltIn builtIn, string name)
    {
        var variable = M.GlobalVariable(M.TypePointer(SpirvStorageClass.Input, UInt), SpirvStorageClass.Input);
        M.Decorate(variable, SpirvDecoration.BuiltIn, (uint)builtIn);
        M.Name(variable, name);
        _interface.Add(variable);
        return variable;
    }

    /// <summary>Component <paramref name="axis"/> of a built-in vector (loaded where called).</summary>
    protected SpirvId Component(SpirvId builtIn, uint axis) =>
        M.Emit(SpirvOp.CompositeExtract, UInt, M.Emit(SpirvOp.Load, M.TypeVector(UInt, 3), builtIn).Value, axis);

    /// <summary>Opens the entry function (<c>void main()</c>) and its first block; <see cref="Finish"/> declares the entry point.</summary>
    protected void BeginMain(int localX, int localY = 1, int localZ = 1)
    {
        _localSize = [localX, localY, localZ];
        var voidType = M.TypeVoid();
        _main = M.BeginFunction(voidType, M.TypeFunction(voidType));
        M.Label();
    }

    /// <summary>
    /// Returns from and closes the entry function (the open block ends with <c>OpReturn</c>), declares the entry point
    /// <paramref name="entryPoint"/> with the built-ins used, the workgroup size and float controls, and returns the kernel.
    /// </summary>
    protected VulkanKernel Finish(string entryPoint, SymbolicSize threadsX, SymbolicSize? threadsY = null, SymbolicSize? threadsZ = null)
    {
        M.Emit(SpirvOp.Return, null, Array.Empty<uint>());
        M.EndFunction();
        M.Name(_main, entryPoint);
        M.EntryPoint(SpirvExecutionModel.GLCompute, _main, entryPoint, [.. _interface]);
        M.ExecutionMode(_main, SpirvExecutionMode.LocalSize, (uint)_localSize[0], (uint)_localSize[1], (uint)_localSize[2]);
        M.ExecutionMode(_main, SpirvExecutionMode.SignedZeroInfNanPreserve, 32);
        if (_float64) M.ExecutionMode(_main, SpirvExecutionMode.SignedZeroInfNanPreserve, 64);
        return new VulkanKernel
        {
            EntryPoint = entryPoint,
            Spirv = M.ToWords(),
            Bindings = [.. _bindings],
            PushConstants = [.. _pushValues.Select(v => v.ToString())],
            Threads = [threadsX.ToString(), (threadsY ?? SymbolicSize.Of(1)).ToString(), (threadsZ ?? SymbolicSize.Of(1)).ToString()],
            LocalSize = [.. _localSize],
            Features = [.. Features.Distinct(StringComparer.Ordinal)],
        };
    }

    // ---- constants and structured control flow, shared by every writer ----

    /// <summary>The uint32 constant <paramref name="value"/>.</summary>
    protected SpirvId U(uint value) => M.ConstantUInt32(value);

    /// <summary><c>for (v = *variable; condition(v); *variable = step(v)) body(v)</c> as a structured loop (the variable is set before).</summary>
    protected void Loop(SpirvId variable, Func<SpirvId, SpirvId> condition, Action<SpirvId> body, Func<SpirvId, SpirvId> step)
    {
        var m = M;
        var (header, check, block, next, merge) = (m.NewId(), m.NewId(), m.NewId(), m.NewId(), m.NewId());
        m.Emit(SpirvOp.Branch, null, header);
        m.Label(header);
        m.Emit(SpirvOp.LoopMerge, null, merge.Value, next.Value, (uint)SpirvLoopControl.None);
        m.Emit(SpirvOp.Branch, null, check);
        m.Label(check);
        var current = m.Emit(SpirvOp.Load, UInt, variable);
        m.Emit(SpirvOp.BranchConditional, null, condition(current), block, merge);
        m.Label(block);
        body(current);
        m.Emit(SpirvOp.Branch, null, next);
        m.Label(next);
        m.Emit(SpirvOp.Store, null, variable, step(m.Emit(SpirvOp.Load, UInt, variable)));
        m.Emit(SpirvOp.Branch, null, header);
        m.Label(merge);
    }

    /// <summary><c>for (v = *variable; v &lt; limit; v += step) body(v)</c> (unsigned; the variable is set before).</summary>
    protected void CountedLoop(SpirvId variable, SpirvId limit, SpirvId step, Action<SpirvId> body) =>
        Loop(variable, v => M.Emit(SpirvOp.ULessThan, Bool, v, limit), body, v => M.Emit(SpirvOp.IAdd, UInt, v, step));

    /// <summary>A structured selection: <paramref name="then"/> where <paramref name="condition"/> holds, else <paramref name="otherwise"/>.</summary>
    protected void If(SpirvId condition, Action then, Action? otherwise = null)
    {
        var m = M;
        var (yes, no, merge) = (m.NewId(), m.NewId(), m.NewId());
        m.Emit(SpirvOp.SelectionMerge, null, merge.Value, (uint)SpirvSelectionControl.None);
        m.Emit(SpirvOp.BranchConditional, null, condition, yes, otherwise is null ? merge : no);
        m.Label(yes);
        then();
        m.Emit(SpirvOp.Branch, null, merge);
        if (otherwise is not null)
        {
            m.Label(no);
            otherwise();
            m.Emit(SpirvOp.Branch, null, merge);
        }
        m.Label(merge);
    }

    private readonly bool _vulkanMemoryModel;

    /// <summary>
    /// Loads a <paramref name="type"/> through a workgroup-memory <paramref name="pointer"/> that other invocations write:
    /// under the Vulkan memory model a non-private access made visible at workgroup scope (as glslang treats
    /// <c>shared</c> variables), else a plain load.
    /// </summary>
    protected SpirvId LoadShared(SpirvId type, SpirvId pointer) => _vulkanMemoryModel
        ? M.Emit(SpirvOp.Load, type, pointer.Value, (uint)(SpirvMemoryAccess.MakePointerVisible | SpirvMemoryAccess.NonPrivatePointer), U((uint)SpirvScope.Workgroup).Value)
        : M.Emit(SpirvOp.Load, type, pointer);

    /// <summary>Stores to workgroup memory that other invocations read (see <see cref="LoadShared"/>: made available at workgroup scope under the Vulkan memory model).</summary>
    protected void StoreShared(SpirvId pointer, SpirvId value)
    {
        if (_vulkanMemoryModel)
            M.Emit(SpirvOp.Store, null, pointer.Value, value.Value, (uint)(SpirvMemoryAccess.MakePointerAvailable | SpirvMemoryAccess.NonPrivatePointer), U((uint)SpirvScope.Workgroup).Value);
        else M.Emit(SpirvOp.Store, null, pointer, value);
    }

    /// <summary>The memory operands of a cooperative-matrix load or store of workgroup memory under the Vulkan memory model (visible or available at workgroup scope, non-private).</summary>
    protected uint[] SharedMatrixAccess(bool load) =>
        [(uint)((load ? SpirvMemoryAccess.MakePointerVisible : SpirvMemoryAccess.MakePointerAvailable) | SpirvMemoryAccess.NonPrivatePointer), U((uint)SpirvScope.Workgroup).Value];

    /// <summary><c>barrier()</c>: execution and memory scope Workgroup, semantics AcquireRelease | WorkgroupMemory, as glslang emits it.</summary>
    protected void Barrier() => M.Emit(SpirvOp.ControlBarrier, null, U((uint)SpirvScope.Workgroup), U((uint)SpirvScope.Workgroup),
        U((uint)(SpirvMemorySemantics.AcquireRelease | SpirvMemorySemantics.WorkgroupMemory)));

    /// <summary>An entry point name from a kernel name: ASCII letters and digits, others as '_'.</summary>
    public static string Sanitize(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    /// <summary>A dim's size as a uint32 constant, or the push constant holding the symbol (<paramref name="symbols"/>: symbol → push index).</summary>
    protected SpirvId Size(Dim dim, IReadOnlyDictionary<string, int> symbols) => dim.IsStatic
        ? M.ConstantUInt32(dim.Size is >= 0 and <= uint.MaxValue ? (uint)dim.Size : throw new NotSupportedException($"dimension {dim.Size} does not fit 32 bits"))
        : PushConstant(symbols[dim.Symbol!]);
}
