namespace JaxToolchain.Backends.Spirv;

// The SPIR-V opcodes and enumerants the backend emits, with the values of the Khronos grammar
// (spirv.core.grammar.json, SPIR-V 1.6 rev. in Debian's spirv-headers; extinst.glsl.std.450.grammar.json).
// A test (SpirvGrammarTests) checks every name, value and the result-type/result-id shape of every opcode against the
// installed grammar files: add a member here and the test checks it.

/// <summary>SPIR-V opcodes (the grammar's <c>opname</c> without <c>Op</c>).</summary>
internal enum SpirvOp : ushort
{
    Nop = 0,
    Name = 5,
    MemberName = 6,
    Extension = 10,
    ExtInstImport = 11,
    ExtInst = 12,
    MemoryModel = 14,
    EntryPoint = 15,
    ExecutionMode = 16,
    Capability = 17,
    TypeVoid = 19,
    TypeBool = 20,
    TypeInt = 21,
    TypeFloat = 22,
    TypeVector = 23,
    TypeArray = 28,
    TypeRuntimeArray = 29,
    TypeStruct = 30,
    TypePointer = 32,
    TypeFunction = 33,
    ConstantTrue = 41,
    ConstantFalse = 42,
    Constant = 43,
    ConstantComposite = 44,
    ConstantNull = 46,
    Function = 54,
    FunctionParameter = 55,
    FunctionEnd = 56,
    FunctionCall = 57,
    Variable = 59,
    Load = 61,
    Store = 62,
    AccessChain = 65,
    Decorate = 71,
    MemberDecorate = 72,
    CompositeConstruct = 80,
    CompositeExtract = 81,
    ConvertFToU = 109,
    ConvertFToS = 110,
    ConvertSToF = 111,
    ConvertUToF = 112,
    UConvert = 113,
    SConvert = 114,
    FConvert = 115,
    Bitcast = 124,
    SNegate = 126,
    FNegate = 127,
    IAdd = 128,
    FAdd = 129,
    ISub = 130,
    FSub = 131,
    IMul = 132,
    FMul = 133,
    UDiv = 134,
    SDiv = 135,
    FDiv = 136,
    UMod = 137,
    SRem = 138,
    SMod = 139,
    FRem = 140,
    FMod = 141,
    VectorTimesScalar = 142,
    IsNan = 156,
    IsInf = 157,
    LogicalEqual = 164,
    LogicalNotEqual = 165,
    LogicalOr = 166,
    LogicalAnd = 167,
    LogicalNot = 168,
    Select = 169,
    IEqual = 170,
    INotEqual = 171,
    UGreaterThan = 172,
    SGreaterThan = 173,
    UGreaterThanEqual = 174,
    SGreaterThanEqual = 175,
    ULessThan = 176,
    SLessThan = 177,
    ULessThanEqual = 178,
    SLessThanEqual = 179,
    FOrdEqual = 180,
    FUnordEqual = 181,
    FOrdNotEqual = 182,
    FUnordNotEqual = 183,
    FOrdLessThan = 184,
    FUnordLessThan = 185,
    FOrdGreaterThan = 186,
    FUnordGreaterThan = 187,
    FOrdLessThanEqual = 188,
    FUnordLessThanEqual = 189,
    FOrdGreaterThanEqual = 190,
    FUnordGreaterThanEqual = 191,
    ShiftRightLogical = 194,
    ShiftRightArithmetic = 195,
    ShiftLeftLogical = 196,
    BitwiseOr = 197,
    BitwiseXor = 198,
    BitwiseAnd = 199,
    Not = 200,
    BitCount = 205,
    ControlBarrier = 224,
    Phi = 245,
    LoopMerge = 246,
    SelectionMerge = 247,
    Label = 248,
    Branch = 249,
    BranchConditional = 250,
    Return = 253,
    GroupNonUniformIAdd = 349,
    GroupNonUniformFAdd = 350,
    GroupNonUniformIMul = 351,
    GroupNonUniformFMul = 352,
    GroupNonUniformSMin = 353,
    GroupNonUniformUMin = 354,
    GroupNonUniformSMax = 356,
    GroupNonUniformUMax = 357,
    GroupNonUniformBitwiseAnd = 359,
    GroupNonUniformBitwiseOr = 360,
    GroupNonUniformLogicalAnd = 362,
    GroupNonUniformLogicalOr = 363,
    TypeCooperativeMatrixKHR = 4456,
    CooperativeMatrixLoadKHR = 4457,
    CooperativeMatrixStoreKHR = 4458,
    CooperativeMatrixMulAddKHR = 4459,
}

/// <summary>Capability operands.</summary>
internal enum SpirvCapability : uint
{
    Matrix = 0,
    Shader = 1,
    Float16 = 9,
    Float64 = 10,
    Int64 = 11,
    Int16 = 22,
    Int8 = 39,
    GroupNonUniform = 61,
    GroupNonUniformArithmetic = 63,
    StorageBuffer16BitAccess = 4433,
    StorageBuffer8BitAccess = 4448,
    SignedZeroInfNanPreserve = 4466,
    VulkanMemoryModel = 5345,
    CooperativeMatrixKHR = 6022,
}

/// <summary>Execution models.</summary>
internal enum SpirvExecutionModel : uint
{
    GLCompute = 5,
}

/// <summary>Addressing models.</summary>
internal enum SpirvAddressingModel : uint
{
    Logical = 0,
}

/// <summary>Memory models.</summary>
internal enum SpirvMemoryModel : uint
{
    GLSL450 = 1,
    Vulkan = 3,
}

/// <summary>Execution modes.</summary>
internal enum SpirvExecutionMode : uint
{
    LocalSize = 17,
    SignedZeroInfNanPreserve = 4461,
}

/// <summary>Storage classes.</summary>
internal enum SpirvStorageClass : uint
{
    UniformConstant = 0,
    Input = 1,
    Uniform = 2,
    Output = 3,
    Workgroup = 4,
    Private = 6,
    Function = 7,
    PushConstant = 9,
    StorageBuffer = 12,
}

/// <summary>Decorations.</summary>
internal enum SpirvDecoration : uint
{
    Block = 2,
    BufferBlock = 3,
    ArrayStride = 6,
    BuiltIn = 11,
    NonWritable = 24,
    NonReadable = 25,
    Binding = 33,
    DescriptorSet = 34,
    Offset = 35,
    NoContraction = 42,
}

/// <summary>BuiltIn decorations' operands.</summary>
internal enum SpirvBuiltIn : uint
{
    NumWorkgroups = 24,
    WorkgroupSize = 25,
    WorkgroupId = 26,
    LocalInvocationId = 27,
    GlobalInvocationId = 28,
    LocalInvocationIndex = 29,
    NumSubgroups = 38,
    SubgroupId = 40,
    SubgroupLocalInvocationId = 41,
}

/// <summary>Group operations of the <c>OpGroupNonUniform*</c> arithmetic instructions.</summary>
internal enum SpirvGroupOperation : uint
{
    Reduce = 0,
}

/// <summary>Function control masks.</summary>
internal enum SpirvFunctionControl : uint
{
    None = 0,
    Inline = 1,
    DontInline = 2,
    Pure = 4,
    Const = 8,
}

/// <summary>Loop control masks.</summary>
internal enum SpirvLoopControl : uint
{
    None = 0,
    Unroll = 1,
    DontUnroll = 2,
}

/// <summary>Selection control masks.</summary>
internal enum SpirvSelectionControl : uint
{
    None = 0,
    Flatten = 1,
    DontFlatten = 2,
}

/// <summary>Scopes (the values of the constants that barrier and atomic instructions take as ids).</summary>
internal enum SpirvScope : uint
{
    Device = 1,
    Workgroup = 2,
    Subgroup = 3,
}

/// <summary>Memory semantics bits (the values of the constants barrier and atomic instructions take as ids).</summary>
[Flags]
internal enum SpirvMemorySemantics : uint
{
    None = 0,
    Acquire = 0x2,
    Release = 0x4,
    AcquireRelease = 0x8,
    UniformMemory = 0x40,
    WorkgroupMemory = 0x100,
}

/// <summary>Memory access operands of loads and stores (the Vulkan memory model's availability and visibility bits).</summary>
[Flags]
internal enum SpirvMemoryAccess : uint
{
    None = 0,
    MakePointerAvailable = 0x8,
    MakePointerVisible = 0x10,
    NonPrivatePointer = 0x20,
}

/// <summary>What a cooperative matrix is an operand of (SPV_KHR_cooperative_matrix; passed as constant ids).</summary>
internal enum SpirvCooperativeMatrixUse : uint
{
    MatrixAKHR = 0,
    MatrixBKHR = 1,
    MatrixAccumulatorKHR = 2,
}

/// <summary>How a cooperative matrix lies in memory (SPV_KHR_cooperative_matrix; passed as constant ids).</summary>
internal enum SpirvCooperativeMatrixLayout : uint
{
    RowMajorKHR = 0,
    ColumnMajorKHR = 1,
}

/// <summary>The <c>GLSL.std.450</c> extended instructions (their numbers in the extended instruction set).</summary>
internal enum GlslStd450 : uint
{
    Round = 1,
    RoundEven = 2,
    Trunc = 3,
    FAbs = 4,
    SAbs = 5,
    FSign = 6,
    SSign = 7,
    Floor = 8,
    Ceil = 9,
    Fract = 10,
    Sqrt = 31,
    InverseSqrt = 32,
    FMin = 37,
    UMin = 38,
    SMin = 39,
    FMax = 40,
    UMax = 41,
    SMax = 42,
    FClamp = 43,
    UClamp = 44,
    SClamp = 45,
    Fma = 50,
    Ldexp = 53,
    NMin = 79,
    NMax = 80,
    NClamp = 81,
}
