using System.Buffers.Binary;
using System.Text;

namespace JaxToolchain.Backends.Spirv;

/// <summary>A SPIR-V result id (never 0 in a module: 0 is the absent id).</summary>
/// <param name="Value">The id's number, below the module's bound.</param>
internal readonly record struct SpirvId(uint Value)
{
    /// <inheritdoc/>
    public override string ToString() => "%" + Value;
}

/// <summary>
/// Writes a SPIR-V module as binary words, directly (no shaderc, no assembler): the header, then the logical sections
/// in the order the specification requires (2.4, "Logical Layout of a Module"): capabilities, extensions, extended
/// instruction imports, the memory model, entry points, execution modes, debug names, annotations (decorations), types,
/// constants and global variables (one section, in definition order), then the functions.
/// <list type="bullet">
/// <item>Version <see cref="Version"/>: SPIR-V 1.3, the version Vulkan 1.1 accepts (<c>spirv-val --target-env
/// vulkan1.1</c>); runtime arrays in the <c>StorageBuffer</c> storage class are core since 1.3 (no
/// <c>SPV_KHR_storage_buffer_storage_class</c>); the entry point's interface lists only its <c>Input</c>/<c>Output</c>
/// variables (1.4 would list every global).</item>
/// <item>Ids come from one counter; the header's bound is written last (<see cref="ToWords"/>).</item>
/// <item>Types and constants are deduplicated by their opcode and operands (a hash map), except structs, which are
/// always new (two blocks with different decorations must stay two types); capabilities, extensions, imports,
/// names and decorations are deduplicated too. Types of 8/16/64 bits add their capability
/// (<c>Int8</c>, <c>Int16</c>, <c>Int64</c>, <c>Float16</c>, <c>Float64</c>).</item>
/// <item>Every instruction's shape (whether it has a result type and a result id) is checked against
/// <see cref="SpirvOpShapes"/>, which a test checks against the grammar; a function cannot begin inside another, an
/// instruction needs an open block, a block an open function.</item>
/// </list>
/// </summary>
internal sealed class SpirvModuleBuilder
{
    /// <summary>The SPIR-V version word: 1.3 (<c>0x00010300</c>).</summary>
    public const uint Version = 0x00010300;

    /// <summary>The magic number, the module's first word.</summary>
    public const uint Magic = 0x07230203;

    /// <summary>The generator word: tool id 0 (no registered tool id), version 1.</summary>
    public const uint Generator = 0x00000001;

    private readonly List<uint> _capabilities = [], _extensions = [], _imports = [], _memoryModel = [], _entryPoints = [],
        _executionModes = [], _debug = [], _annotations = [], _globals = [], _functions = [];
    private readonly HashSet<SpirvCapability> _capabilitySet = [];
    private readonly HashSet<string> _extensionSet = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SpirvId> _importIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SpirvId> _interned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _annotationSet = new(StringComparer.Ordinal);
    private uint _bound = 1;
    private bool _inFunction, _inBlock;

    /// <summary>A new id.</summary>
    public SpirvId NewId() => new(_bound++);

    /// <summary>The id bound (one past the largest id) so far.</summary>
    public uint Bound => _bound;

    // ---- Sections before the types ----

    /// <summary>Declares <paramref name="capability"/> (once).</summary>
    public void Capability(SpirvCapability capability)
    {
        if (_capabilitySet.Add(capability)) Write(_capabilities, SpirvOp.Capability, [(uint)capability]);
    }

    /// <summary>Declares the extension <paramref name="name"/> (once).</summary>
    public void Extension(string name)
    {
        if (_extensionSet.Add(name)) Write(_extensions, SpirvOp.Extension, EncodeString(name));
    }

    /// <summary>The id of the imported extended instruction set <paramref name="name"/> (imported once).</summary>
    public SpirvId ImportExtendedInstructions(string name)
    {
        if (_importIds.TryGetValue(name, out var id)) return id;
        id = NewId();
        Write(_imports, SpirvOp.ExtInstImport, [id.Value, .. EncodeString(name)]);
        return _importIds[name] = id;
    }

    /// <summary>The id of the <c>GLSL.std.450</c> extended instruction set.</summary>
    public SpirvId GlslStd450 => ImportExtendedInstructions("GLSL.std.450");

    /// <summary>Sets the addressing and memory model (once; Vulkan compute: Logical, GLSL450).</summary>
    public void MemoryModel(SpirvAddressingModel addressing, SpirvMemoryModel memory)
    {
        if (_memoryModel.Count != 0) throw new InvalidOperationException("the memory model is already set");
        Write(_memoryModel, SpirvOp.MemoryModel, [(uint)addressing, (uint)memory]);
    }

    /// <summary>Declares <paramref name="function"/> an entry point named <paramref name="name"/> with its interface variables.</summary>
    public void EntryPoint(SpirvExecutionModel model, SpirvId function, string name, params SpirvId[] interfaceVariables) =>
        Write(_entryPoints, SpirvOp.EntryPoint, [(uint)model, function.Value, .. EncodeString(name), .. interfaceVariables.Select(v => v.Value)]);

    /// <summary>An execution mode of an entry point (LocalSize x y z: <c>mode</c> and its literals).</summary>
    public void ExecutionMode(SpirvId entryPoint, SpirvExecutionMode mode, params uint[] literals) =>
        Write(_executionModes, SpirvOp.ExecutionMode, [entryPoint.Value, (uint)mode, .. literals]);

    /// <summary>A debug name for <paramref name="target"/>.</summary>
    public void Name(SpirvId target, string name) => Write(_debug, SpirvOp.Name, [target.Value, .. EncodeString(name)]);

    /// <summary>A debug name for member <paramref name="member"/> of struct <paramref name="type"/>.</summary>
    public void MemberName(SpirvId type, uint member, string name) => Write(_debug, SpirvOp.MemberName, [type.Value, member, .. EncodeString(name)]);

    /// <summary>Decorates <paramref name="target"/> (the same decoration twice is written once).</summary>
    public void Decorate(SpirvId target, SpirvDecoration decoration, params uint[] literals) =>
        Annotate(SpirvOp.Decorate, [target.Value, (uint)decoration, .. literals]);

    /// <summary>Decorates member <paramref name="member"/> of struct <paramref name="type"/>.</summary>
    public void MemberDecorate(SpirvId type, uint member, SpirvDecoration decoration, params uint[] literals) =>
        Annotate(SpirvOp.MemberDecorate, [type.Value, member, (uint)decoration, .. literals]);

    private void Annotate(SpirvOp op, uint[] operands)
    {
        if (_annotationSet.Add(Key(op, operands))) Write(_annotations, op, operands);
    }

    // ---- Types ----

    /// <summary><c>void</c>.</summary>
    public SpirvId TypeVoid() => Intern(SpirvOp.TypeVoid, []);

    /// <summary><c>bool</c> (not storable in buffers: no defined size).</summary>
    public SpirvId TypeBool() => Intern(SpirvOp.TypeBool, []);

    /// <summary>An integer type of <paramref name="width"/> bits (8, 16, 32, 64), signed or not; adds the capability it needs.</summary>
    public SpirvId TypeInt(int width, bool signed)
    {
        switch (width)
        {
            case 8: Capability(SpirvCapability.Int8); break;
            case 16: Capability(SpirvCapability.Int16); break;
            case 32: break;
            case 64: Capability(SpirvCapability.Int64); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "integer widths are 8, 16, 32 or 64");
        }
        return Intern(SpirvOp.TypeInt, [(uint)width, signed ? 1u : 0u]);
    }

    /// <summary>
    /// An 8- or 16-bit integer type for storage-buffer elements only (loads, stores, access chains and conversions to or
    /// from 32 bits): the <c>StorageBuffer8BitAccess</c>/<c>StorageBuffer16BitAccess</c> capability with its extension
    /// instead of <c>Int8</c>/<c>Int16</c> (the same type id as <see cref="TypeInt"/>, which adds those when called).
    /// </summary>
    public SpirvId TypeStorageInt(int width, bool signed)
    {
        switch (width)
        {
            case 8:
                Capability(SpirvCapability.StorageBuffer8BitAccess);
                Extension("SPV_KHR_8bit_storage");
                break;
            case 16:
                Capability(SpirvCapability.StorageBuffer16BitAccess);
                Extension("SPV_KHR_16bit_storage");
                break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "storage-only integer widths are 8 or 16");
        }
        return Intern(SpirvOp.TypeInt, [(uint)width, signed ? 1u : 0u]);
    }

    /// <summary>A float type of <paramref name="width"/> bits (16, 32, 64); adds the capability it needs.</summary>
    public SpirvId TypeFloat(int width)
    {
        switch (width)
        {
            case 16: Capability(SpirvCapability.Float16); break;
            case 32: break;
            case 64: Capability(SpirvCapability.Float64); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "float widths are 16, 32 or 64");
        }
        return Intern(SpirvOp.TypeFloat, [(uint)width]);
    }

    /// <summary>A vector of <paramref name="count"/> (2-4) components.</summary>
    public SpirvId TypeVector(SpirvId component, int count) =>
        count is >= 2 and <= 4 ? Intern(SpirvOp.TypeVector, [component.Value, (uint)count])
            : throw new ArgumentOutOfRangeException(nameof(count), count, "vectors have 2 to 4 components");

    /// <summary>An array of <paramref name="element"/> whose length is the constant <paramref name="length"/>.</summary>
    public SpirvId TypeArray(SpirvId element, SpirvId length) => Intern(SpirvOp.TypeArray, [element.Value, length.Value]);

    /// <summary>
    /// A cooperative matrix of <paramref name="rows"/> x <paramref name="columns"/> <paramref name="component"/>s at
    /// subgroup scope, for <paramref name="use"/> (SPV_KHR_cooperative_matrix; its capability and extension are added).
    /// </summary>
    public SpirvId TypeCooperativeMatrix(SpirvId component, uint rows, uint columns, SpirvCooperativeMatrixUse use)
    {
        Capability(SpirvCapability.CooperativeMatrixKHR);
        Extension("SPV_KHR_cooperative_matrix");
        var (scope, r, c, u) = (ConstantUInt32((uint)SpirvScope.Subgroup), ConstantUInt32(rows), ConstantUInt32(columns), ConstantUInt32((uint)use));
        return Intern(SpirvOp.TypeCooperativeMatrixKHR, [component.Value, scope.Value, r.Value, c.Value, u.Value]);
    }

    /// <summary>A runtime array of <paramref name="element"/> (the last member of a storage buffer block).</summary>
    public SpirvId TypeRuntimeArray(SpirvId element) => Intern(SpirvOp.TypeRuntimeArray, [element.Value]);

    /// <summary>A new struct type of <paramref name="members"/> (never shared: decorations differ per struct).</summary>
    public SpirvId TypeStruct(params SpirvId[] members)
    {
        var id = NewId();
        Write(_globals, SpirvOp.TypeStruct, [id.Value, .. members.Select(m => m.Value)]);
        return id;
    }

    /// <summary>A pointer to <paramref name="pointee"/> in <paramref name="storage"/>.</summary>
    public SpirvId TypePointer(SpirvStorageClass storage, SpirvId pointee) => Intern(SpirvOp.TypePointer, [(uint)storage, pointee.Value]);

    /// <summary>A function type.</summary>
    public SpirvId TypeFunction(SpirvId returnType, params SpirvId[] parameters) =>
        Intern(SpirvOp.TypeFunction, [returnType.Value, .. parameters.Select(p => p.Value)]);

    // ---- Constants ----

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public SpirvId ConstantBool(bool value) => Intern(value ? SpirvOp.ConstantTrue : SpirvOp.ConstantFalse, [TypeBool().Value], hasType: true);

    /// <summary>A scalar constant of <paramref name="type"/> given as its literal words (low word first for 64 bits).</summary>
    public SpirvId Constant(SpirvId type, params uint[] words) => Intern(SpirvOp.Constant, [type.Value, .. words], hasType: true);

    /// <summary>A 32-bit unsigned integer constant.</summary>
    public SpirvId ConstantUInt32(uint value) => Constant(TypeInt(32, false), value);

    /// <summary>A 32-bit signed integer constant.</summary>
    public SpirvId ConstantInt32(int value) => Constant(TypeInt(32, true), unchecked((uint)value));

    /// <summary>A 32-bit float constant (bit-exact: NaN payloads and -0 are kept).</summary>
    public SpirvId ConstantFloat32(float value) => Constant(TypeFloat(32), BitConverter.SingleToUInt32Bits(value));

    /// <summary>A 64-bit constant of an integer or float <paramref name="type"/> from its bits.</summary>
    public SpirvId Constant64(SpirvId type, ulong bits) => Constant(type, (uint)bits, (uint)(bits >> 32));

    /// <summary>The null (zero) constant of <paramref name="type"/>.</summary>
    public SpirvId ConstantNull(SpirvId type) => Intern(SpirvOp.ConstantNull, [type.Value], hasType: true);

    /// <summary>A composite constant of <paramref name="type"/> (a vector, array or struct) from constants.</summary>
    public SpirvId ConstantComposite(SpirvId type, params SpirvId[] constituents) =>
        Intern(SpirvOp.ConstantComposite, [type.Value, .. constituents.Select(c => c.Value)], hasType: true);

    /// <summary>A global variable of pointer type <paramref name="pointerType"/> in <paramref name="storage"/> (not for <c>Function</c>).</summary>
    public SpirvId GlobalVariable(SpirvId pointerType, SpirvStorageClass storage)
    {
        if (storage == SpirvStorageClass.Function) throw new ArgumentException("Function variables belong in a function's first block", nameof(storage));
        var id = NewId();
        Write(_globals, SpirvOp.Variable, [pointerType.Value, id.Value, (uint)storage]);
        return id;
    }

    /// <summary>A global variable of pointer type <paramref name="pointerType"/> in <paramref name="storage"/> (not for <c>Function</c>) initialised with the constant <paramref name="initializer"/>.</summary>
    public SpirvId GlobalVariable(SpirvId pointerType, SpirvStorageClass storage, SpirvId initializer)
    {
        if (storage == SpirvStorageClass.Function) throw new ArgumentException("Function variables belong in a function's first block", nameof(storage));
        var id = NewId();
        Write(_globals, SpirvOp.Variable, [pointerType.Value, id.Value, (uint)storage, initializer.Value]);
        return id;
    }

    // ---- Functions ----

    /// <summary>Begins a function of <paramref name="functionType"/> returning <paramref name="returnType"/>; its id.</summary>
    public SpirvId BeginFunction(SpirvId returnType, SpirvId functionType, SpirvFunctionControl control = SpirvFunctionControl.None)
    {
        if (_inFunction) throw new InvalidOperationException("a function cannot begin inside another");
        _inFunction = true;
        var id = NewId();
        Write(_functions, SpirvOp.Function, [returnType.Value, id.Value, (uint)control, functionType.Value]);
        return id;
    }

    /// <summary>Begins the block <paramref name="label"/> (a new id when absent); the previous block must have ended with a branch or return.</summary>
    public SpirvId Label(SpirvId? label = null)
    {
        if (!_inFunction) throw new InvalidOperationException("a block needs an open function");
        if (_inBlock) throw new InvalidOperationException("the previous block has no terminator");
        var id = label ?? NewId();
        Write(_functions, SpirvOp.Label, [id.Value]);
        _inBlock = true;
        CurrentBlock = id;
        return id;
    }

    /// <summary>The label of the open block (the predecessor an <c>OpPhi</c> names for values computed so far).</summary>
    public SpirvId CurrentBlock { get; private set; }

    /// <summary>
    /// Appends an instruction to the open block: with <paramref name="resultType"/> when the opcode has one; returns its
    /// new result id when the opcode has one (else <c>default</c>). Branches and returns end the block.
    /// </summary>
    public SpirvId Emit(SpirvOp op, SpirvId? resultType, params uint[] operands)
    {
        if (!_inBlock) throw new InvalidOperationException($"Op{op} needs an open block");
        var (hasType, hasResult) = SpirvOpShapes.Of(op);
        if (hasType != resultType.HasValue) throw new ArgumentException($"Op{op} {(hasType ? "needs" : "has no")} result type", nameof(resultType));
        return Append(op, resultType, hasResult ? NewId() : default, operands);
    }

    /// <summary>
    /// Appends an instruction whose result id was allocated before with <see cref="NewId"/>: a value that an
    /// <c>OpPhi</c> names before it is defined (a loop's next iteration).
    /// </summary>
    public void EmitWithResult(SpirvOp op, SpirvId resultType, SpirvId result, params uint[] operands)
    {
        if (!_inBlock) throw new InvalidOperationException($"Op{op} needs an open block");
        if (SpirvOpShapes.Of(op) != (true, true)) throw new ArgumentException($"Op{op} has no result type and id", nameof(op));
        Append(op, resultType, result, operands);
    }

    private SpirvId Append(SpirvOp op, SpirvId? resultType, SpirvId id, uint[] operands)
    {
        bool hasResult = id != default;
        var words = new List<uint>();
        if (resultType is { } t) words.Add(t.Value);
        if (hasResult) words.Add(id.Value);
        words.AddRange(operands);
        Write(_functions, op, [.. words]);
        if (!ContractFloats && op is SpirvOp.FAdd or SpirvOp.FSub or SpirvOp.FMul or SpirvOp.FDiv
            or SpirvOp.ConvertFToS or SpirvOp.ConvertFToU or SpirvOp.ConvertSToF or SpirvOp.ConvertUToF or SpirvOp.FConvert)
            Decorate(id, SpirvDecoration.NoContraction);
        if (op is SpirvOp.Branch or SpirvOp.BranchConditional or SpirvOp.Return) _inBlock = false;
        return id;
    }

    /// <summary>
    /// False (the default): every <c>OpFAdd</c>, <c>OpFSub</c>, <c>OpFMul</c>, <c>OpFDiv</c> and float conversion result
    /// is decorated <c>NoContraction</c> (NIR's "exact"), so a driver rounds each operation (no fused multiply-add) and
    /// does not fold a round trip through a narrower float (Mesa folds <c>f2i64(i2f32(x))</c> to <c>x</c> otherwise), as
    /// the interpreter computes. True lets the driver contract (the matrix product's accumulation, which is tested within
    /// a tolerance).
    /// </summary>
    public bool ContractFloats { get; set; }

    /// <summary>Appends an instruction whose operands are all ids.</summary>
    public SpirvId Emit(SpirvOp op, SpirvId? resultType, params SpirvId[] operands) => Emit(op, resultType, operands.Select(o => o.Value).ToArray());

    /// <summary>A <c>GLSL.std.450</c> instruction on id operands.</summary>
    public SpirvId Glsl(GlslStd450 instruction, SpirvId resultType, params SpirvId[] operands) =>
        Emit(SpirvOp.ExtInst, resultType, [GlslStd450.Value, (uint)instruction, .. operands.Select(o => o.Value)]);

    /// <summary>Ends the open function (its last block must be terminated).</summary>
    public void EndFunction()
    {
        if (!_inFunction) throw new InvalidOperationException("no open function");
        if (_inBlock) throw new InvalidOperationException("the function's last block has no terminator");
        Write(_functions, SpirvOp.FunctionEnd, []);
        _inFunction = false;
    }

    // ---- Output ----

    /// <summary>The module's words: header (magic, version, generator, bound, schema 0), then the sections in order.</summary>
    public uint[] ToWords()
    {
        if (_inFunction) throw new InvalidOperationException("a function is still open");
        if (_memoryModel.Count == 0) throw new InvalidOperationException("the memory model is not set");
        return [Magic, Version, Generator, _bound, 0, .. _capabilities, .. _extensions, .. _imports, .. _memoryModel, .. _entryPoints,
            .. _executionModes, .. _debug, .. _annotations, .. _globals, .. _functions];
    }

    /// <summary>The module's bytes (little-endian words), as a <c>.spv</c> file holds them.</summary>
    public byte[] ToBytes() => WordsToBytes(ToWords());

    /// <summary>Little-endian bytes of <paramref name="words"/>.</summary>
    public static byte[] WordsToBytes(ReadOnlySpan<uint> words)
    {
        var bytes = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        return bytes;
    }

    /// <summary>A literal string: UTF-8, nul-terminated, zero-padded to whole words, packed little-endian.</summary>
    public static uint[] EncodeString(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var padded = new byte[(utf8.Length / 4 + 1) * 4];
        utf8.CopyTo(padded, 0);
        var words = new uint[padded.Length / 4];
        for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt32LittleEndian(padded.AsSpan(i * 4));
        return words;
    }

    /// <summary>A type or constant: the existing id for the same opcode and operands, or a new one (<paramref name="hasType"/>: the first operand is its type, the id follows it).</summary>
    private SpirvId Intern(SpirvOp op, uint[] operands, bool hasType = false)
    {
        var key = Key(op, operands);
        if (_interned.TryGetValue(key, out var id)) return id;
        id = NewId();
        Write(_globals, op, hasType ? [operands[0], id.Value, .. operands.AsSpan(1)] : [id.Value, .. operands]);
        return _interned[key] = id;
    }

    private static string Key(SpirvOp op, uint[] operands) => $"{(int)op}:{string.Join(',', operands)}";

    private static void Write(List<uint> section, SpirvOp op, ReadOnlySpan<uint> operands)
    {
        int count = operands.Length + 1;
        if (count > ushort.MaxValue) throw new InvalidOperationException($"Op{op} has {count} words, more than an instruction holds");
        section.Add(((uint)count << 16) | (ushort)op);
        foreach (var w in operands) section.Add(w);
    }
}

/// <summary>Whether each opcode of <see cref="SpirvOp"/> has a result type and a result id (checked against the grammar by a test).</summary>
internal static class SpirvOpShapes
{
    private static readonly HashSet<SpirvOp> NoResult =
    [
        SpirvOp.Nop, SpirvOp.Name, SpirvOp.MemberName, SpirvOp.Extension, SpirvOp.MemoryModel, SpirvOp.EntryPoint, SpirvOp.ExecutionMode,
        SpirvOp.Capability, SpirvOp.FunctionEnd, SpirvOp.Store, SpirvOp.Decorate, SpirvOp.MemberDecorate, SpirvOp.LoopMerge,
        SpirvOp.SelectionMerge, SpirvOp.Branch, SpirvOp.BranchConditional, SpirvOp.Return, SpirvOp.ControlBarrier,
        SpirvOp.CooperativeMatrixStoreKHR,
    ];

    private static readonly HashSet<SpirvOp> ResultWithoutType =
    [
        SpirvOp.ExtInstImport, SpirvOp.TypeVoid, SpirvOp.TypeBool, SpirvOp.TypeInt, SpirvOp.TypeFloat, SpirvOp.TypeVector, SpirvOp.TypeArray,
        SpirvOp.TypeRuntimeArray, SpirvOp.TypeStruct, SpirvOp.TypePointer, SpirvOp.TypeFunction, SpirvOp.Label,
        SpirvOp.TypeCooperativeMatrixKHR,
    ];

    /// <summary>(has a result type, has a result id) of <paramref name="op"/>.</summary>
    public static (bool HasType, bool HasResult) Of(SpirvOp op) =>
        NoResult.Contains(op) ? (false, false) : ResultWithoutType.Contains(op) ? (false, true) : (true, true);
}
