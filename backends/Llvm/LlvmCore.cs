using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// <c>llvm-c/Core.h</c>: contexts, modules, types, values, constants, basic blocks, the instruction builder,
/// intrinsics, attributes and memory buffers. Names are the C names without the <c>LLVM</c> prefix; strings are
/// UTF-8; a returned <c>char*</c> that the caller owns is an <see cref="nint"/> to pass to
/// <see cref="LlvmErrors.TakeMessage"/> (which frees it with <c>LLVMDisposeMessage</c>). Arrays are spans with their
/// count passed as in C. Only what a code generator needs is bound.
/// </summary>
public static unsafe partial class LlvmCore
{
    /// <summary>The attribute index of the function itself (<c>LLVMAttributeFunctionIndex</c>); parameter <c>i</c> is <c>i + 1</c>.</summary>
    public const uint AttributeFunctionIndex = uint.MaxValue;

    /// <summary>The attribute index of the return value (<c>LLVMAttributeReturnIndex</c>).</summary>
    public const uint AttributeReturnIndex = 0;

    // ---- messages and version

    /// <summary><c>LLVMDisposeMessage</c>: frees a string LLVM returned to the caller.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeMessage")]
    public static partial void DisposeMessage(nint message);

    /// <summary><c>LLVMGetVersion</c>: the version of the loaded library.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetVersion")]
    public static partial void GetVersion(out uint major, out uint minor, out uint patch);

    // ---- contexts

    /// <summary><c>LLVMContextCreate</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMContextCreate")]
    public static partial LLVMContextRef ContextCreate();

    /// <summary><c>LLVMContextDispose</c>: also destroys the modules still in the context.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMContextDispose")]
    public static partial void ContextDispose(LLVMContextRef context);

    /// <summary><c>LLVMContextSetDiagnosticHandler</c>: without a handler an error diagnostic ends the process.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMContextSetDiagnosticHandler")]
    public static partial void ContextSetDiagnosticHandler(
        LLVMContextRef context, delegate* unmanaged<LLVMDiagnosticInfoRef, void*, void> handler, void* diagnosticContext);

    /// <summary><c>LLVMGetDiagInfoDescription</c>: the diagnostic's text (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetDiagInfoDescription")]
    public static partial nint GetDiagInfoDescription(LLVMDiagnosticInfoRef info);

    /// <summary><c>LLVMGetDiagInfoSeverity</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetDiagInfoSeverity")]
    public static partial LLVMDiagnosticSeverity GetDiagInfoSeverity(LLVMDiagnosticInfoRef info);

    // ---- modules

    /// <summary><c>LLVMModuleCreateWithNameInContext</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMModuleCreateWithNameInContext", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMModuleRef ModuleCreateWithNameInContext(string moduleId, LLVMContextRef context);

    /// <summary><c>LLVMCloneModule</c>: a deep copy in the same context.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCloneModule")]
    public static partial LLVMModuleRef CloneModule(LLVMModuleRef module);

    /// <summary><c>LLVMDisposeModule</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeModule")]
    public static partial void DisposeModule(LLVMModuleRef module);

    /// <summary><c>LLVMSetTarget</c>: the module's target triple.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetTarget", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetTarget(LLVMModuleRef module, string triple);

    /// <summary><c>LLVMGetTarget</c>: the module's target triple (owned by the module).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetTarget")]
    public static partial nint GetTarget(LLVMModuleRef module);

    /// <summary><c>LLVMSetDataLayout</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetDataLayout", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetDataLayout(LLVMModuleRef module, string dataLayout);

    /// <summary><c>LLVMGetDataLayoutStr</c>: the module's data layout (owned by the module).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetDataLayoutStr")]
    public static partial nint GetDataLayoutStr(LLVMModuleRef module);

    /// <summary><c>LLVMPrintModuleToString</c>: the module as IR text (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPrintModuleToString")]
    public static partial nint PrintModuleToString(LLVMModuleRef module);

    /// <summary><c>LLVMGetNamedFunction</c>: a function of the module, or a zero handle.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetNamedFunction", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef GetNamedFunction(LLVMModuleRef module, string name);

    // ---- types

    /// <summary><c>LLVMIntTypeInContext</c>: <c>iN</c> (<c>i1</c> for booleans, <c>i8</c> ... <c>i64</c>).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMIntTypeInContext")]
    public static partial LLVMTypeRef IntTypeInContext(LLVMContextRef context, uint bits);

    /// <summary><c>LLVMHalfTypeInContext</c>: <c>half</c> (IEEE float16).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMHalfTypeInContext")]
    public static partial LLVMTypeRef HalfTypeInContext(LLVMContextRef context);

    /// <summary><c>LLVMBFloatTypeInContext</c>: <c>bfloat</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBFloatTypeInContext")]
    public static partial LLVMTypeRef BFloatTypeInContext(LLVMContextRef context);

    /// <summary><c>LLVMFloatTypeInContext</c>: <c>float</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMFloatTypeInContext")]
    public static partial LLVMTypeRef FloatTypeInContext(LLVMContextRef context);

    /// <summary><c>LLVMDoubleTypeInContext</c>: <c>double</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDoubleTypeInContext")]
    public static partial LLVMTypeRef DoubleTypeInContext(LLVMContextRef context);

    /// <summary><c>LLVMVoidTypeInContext</c>: <c>void</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMVoidTypeInContext")]
    public static partial LLVMTypeRef VoidTypeInContext(LLVMContextRef context);

    /// <summary><c>LLVMPointerTypeInContext</c>: the opaque <c>ptr</c> of an address space (0 for host memory).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPointerTypeInContext")]
    public static partial LLVMTypeRef PointerTypeInContext(LLVMContextRef context, uint addressSpace);

    /// <summary><c>LLVMFunctionType</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMFunctionType")]
    public static partial LLVMTypeRef FunctionType(
        LLVMTypeRef returnType, ReadOnlySpan<LLVMTypeRef> parameterTypes, uint parameterCount, [MarshalAs(UnmanagedType.Bool)] bool isVarArg);

    /// <summary><c>LLVMVectorType</c>: <c>&lt;count x element&gt;</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMVectorType")]
    public static partial LLVMTypeRef VectorType(LLVMTypeRef elementType, uint elementCount);

    /// <summary><c>LLVMArrayType2</c>: <c>[count x element]</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMArrayType2")]
    public static partial LLVMTypeRef ArrayType2(LLVMTypeRef elementType, ulong elementCount);

    /// <summary><c>LLVMStructTypeInContext</c>: a literal struct type.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMStructTypeInContext")]
    public static partial LLVMTypeRef StructTypeInContext(
        LLVMContextRef context, ReadOnlySpan<LLVMTypeRef> elementTypes, uint elementCount, [MarshalAs(UnmanagedType.Bool)] bool packed);

    /// <summary><c>LLVMTypeOf</c>: the type of a value.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMTypeOf")]
    public static partial LLVMTypeRef TypeOf(LLVMValueRef value);

    // ---- functions and globals

    /// <summary><c>LLVMAddFunction</c>: declares a function (give it blocks to define it).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMAddFunction", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef AddFunction(LLVMModuleRef module, string name, LLVMTypeRef functionType);

    /// <summary><c>LLVMGetFirstFunction</c>: the module's first function, or a zero handle.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetFirstFunction")]
    public static partial LLVMValueRef GetFirstFunction(LLVMModuleRef module);

    /// <summary><c>LLVMGetNextFunction</c>: the function after this one, or a zero handle.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetNextFunction")]
    public static partial LLVMValueRef GetNextFunction(LLVMValueRef function);

    /// <summary><c>LLVMIsDeclaration</c>: true for a function or global without a body or initializer here.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMIsDeclaration")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool IsDeclaration(LLVMValueRef global);

    /// <summary><c>LLVMGetIntrinsicID</c>: the intrinsic a function is (0 for an ordinary function).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetIntrinsicID")]
    public static partial uint GetIntrinsicID(LLVMValueRef function);

    /// <summary><c>LLVMGetValueName2</c>: a value's name (owned by the value) and its length in bytes.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetValueName2")]
    public static partial nint GetValueName2(LLVMValueRef value, out nuint length);

    /// <summary><c>LLVMAddGlobal</c>: declares a global variable (give it an initializer to define it).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMAddGlobal", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef AddGlobal(LLVMModuleRef module, LLVMTypeRef type, string name);

    /// <summary><c>LLVMGetNamedGlobal</c>: a global variable of the module, or a zero handle.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetNamedGlobal", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef GetNamedGlobal(LLVMModuleRef module, string name);

    /// <summary><c>LLVMSetInitializer</c>: a global variable's value.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetInitializer")]
    public static partial void SetInitializer(LLVMValueRef global, LLVMValueRef value);

    /// <summary><c>LLVMGetParam</c>: a function's parameter.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetParam")]
    public static partial LLVMValueRef GetParam(LLVMValueRef function, uint index);

    /// <summary><c>LLVMGlobalGetValueType</c>: a function's function type (what <see cref="BuildCall2"/> takes).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGlobalGetValueType")]
    public static partial LLVMTypeRef GlobalGetValueType(LLVMValueRef global);

    /// <summary><c>LLVMSetValueName2</c>: names a value (the IR text shows it); <paramref name="nameLength"/> counts UTF-8 bytes.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetValueName2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetValueName2(LLVMValueRef value, string name, nuint nameLength);

    /// <summary><c>LLVMSetLinkage</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetLinkage")]
    public static partial void SetLinkage(LLVMValueRef global, LLVMLinkage linkage);

    /// <summary><c>LLVMGetOrInsertComdat</c>: the module's COMDAT group of that name (selection kind <c>any</c> when new).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetOrInsertComdat", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMComdatRef GetOrInsertComdat(LLVMModuleRef module, string name);

    /// <summary><c>LLVMSetComdat</c>: puts a global in a COMDAT group.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetComdat")]
    public static partial void SetComdat(LLVMValueRef global, LLVMComdatRef comdat);

    /// <summary><c>LLVMSetVisibility</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetVisibility")]
    public static partial void SetVisibility(LLVMValueRef global, LLVMVisibility visibility);

    /// <summary><c>LLVMSetDLLStorageClass</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetDLLStorageClass")]
    public static partial void SetDLLStorageClass(LLVMValueRef global, LLVMDLLStorageClass storageClass);

    /// <summary><c>LLVMPrintValueToString</c>: a value as IR text (caller-owned).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPrintValueToString")]
    public static partial nint PrintValueToString(LLVMValueRef value);

    // ---- attributes

    /// <summary><c>LLVMGetEnumAttributeKindForName</c>: the kind of <c>nounwind</c>, <c>noalias</c>, ... (0 when unknown).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetEnumAttributeKindForName", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint GetEnumAttributeKindForName(string name, nuint nameLength);

    /// <summary><c>LLVMCreateEnumAttribute</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCreateEnumAttribute")]
    public static partial LLVMAttributeRef CreateEnumAttribute(LLVMContextRef context, uint kind, ulong value);

    /// <summary><c>LLVMCreateStringAttribute</c>: <c>"key"="value"</c> (lengths in UTF-8 bytes).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCreateStringAttribute", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMAttributeRef CreateStringAttribute(LLVMContextRef context, string key, uint keyLength, string value, uint valueLength);

    /// <summary><c>LLVMAddAttributeAtIndex</c>: <see cref="AttributeFunctionIndex"/>, <see cref="AttributeReturnIndex"/> or parameter + 1.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMAddAttributeAtIndex")]
    public static partial void AddAttributeAtIndex(LLVMValueRef function, uint index, LLVMAttributeRef attribute);

    // ---- constants

    /// <summary><c>LLVMConstInt</c>: an integer constant (<paramref name="signExtend"/> for negative values of wide types).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConstInt")]
    public static partial LLVMValueRef ConstInt(LLVMTypeRef type, ulong value, [MarshalAs(UnmanagedType.Bool)] bool signExtend);

    /// <summary><c>LLVMConstReal</c>: a floating-point constant.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConstReal")]
    public static partial LLVMValueRef ConstReal(LLVMTypeRef type, double value);

    /// <summary><c>LLVMConstNull</c>: zero of any type (<c>zeroinitializer</c>).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConstNull")]
    public static partial LLVMValueRef ConstNull(LLVMTypeRef type);

    /// <summary><c>LLVMConstAllOnes</c>: all bits set.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConstAllOnes")]
    public static partial LLVMValueRef ConstAllOnes(LLVMTypeRef type);

    /// <summary><c>LLVMGetUndef</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetUndef")]
    public static partial LLVMValueRef GetUndef(LLVMTypeRef type);

    /// <summary><c>LLVMGetPoison</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetPoison")]
    public static partial LLVMValueRef GetPoison(LLVMTypeRef type);

    /// <summary><c>LLVMConstVector</c>: a vector of constants (a <see cref="BuildShuffleVector"/> mask).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConstVector")]
    public static partial LLVMValueRef ConstVector(ReadOnlySpan<LLVMValueRef> elements, uint count);

    // ---- basic blocks and the builder

    /// <summary><c>LLVMAppendBasicBlockInContext</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMAppendBasicBlockInContext", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMBasicBlockRef AppendBasicBlockInContext(LLVMContextRef context, LLVMValueRef function, string name);

    /// <summary><c>LLVMCreateBuilderInContext</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCreateBuilderInContext")]
    public static partial LLVMBuilderRef CreateBuilderInContext(LLVMContextRef context);

    /// <summary><c>LLVMDisposeBuilder</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeBuilder")]
    public static partial void DisposeBuilder(LLVMBuilderRef builder);

    /// <summary><c>LLVMPositionBuilderAtEnd</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPositionBuilderAtEnd")]
    public static partial void PositionBuilderAtEnd(LLVMBuilderRef builder, LLVMBasicBlockRef block);

    /// <summary><c>LLVMGetInsertBlock</c>: the block the builder appends to.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetInsertBlock")]
    public static partial LLVMBasicBlockRef GetInsertBlock(LLVMBuilderRef builder);

    /// <summary><c>LLVMPositionBuilderBefore</c>: inserts before an instruction.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMPositionBuilderBefore")]
    public static partial void PositionBuilderBefore(LLVMBuilderRef builder, LLVMValueRef instruction);

    /// <summary><c>LLVMGetEntryBasicBlock</c>: a function's first block.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetEntryBasicBlock")]
    public static partial LLVMBasicBlockRef GetEntryBasicBlock(LLVMValueRef function);

    /// <summary><c>LLVMGetFirstInstruction</c>: a block's first instruction (a zero handle when empty).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetFirstInstruction")]
    public static partial LLVMValueRef GetFirstInstruction(LLVMBasicBlockRef block);

    /// <summary><c>LLVMBuildAlloca</c>: stack memory of a type in the current function.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildAlloca", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildAlloca(LLVMBuilderRef builder, LLVMTypeRef type, string name);

    /// <summary><c>LLVMConstArray2</c>: a constant array of <paramref name="elementType"/>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConstArray2")]
    public static partial LLVMValueRef ConstArray2(LLVMTypeRef elementType, ReadOnlySpan<LLVMValueRef> values, ulong count);

    /// <summary><c>LLVMSetGlobalConstant</c>: marks a global read-only.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetGlobalConstant")]
    public static partial void SetGlobalConstant(LLVMValueRef global, [MarshalAs(UnmanagedType.Bool)] bool isConstant);

    /// <summary><c>LLVMBuildUnreachable</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildUnreachable")]
    public static partial LLVMValueRef BuildUnreachable(LLVMBuilderRef builder);

    // ---- arithmetic

    /// <summary><c>LLVMBuildBinOp</c>: any binary operation (<see cref="LLVMOpcode.Add"/> ... <see cref="LLVMOpcode.Xor"/>).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildBinOp", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildBinOp(LLVMBuilderRef builder, LLVMOpcode opcode, LLVMValueRef left, LLVMValueRef right, string name);

    /// <summary><c>LLVMBuildNeg</c>: integer negation.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildNeg", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildNeg(LLVMBuilderRef builder, LLVMValueRef value, string name);

    /// <summary><c>LLVMBuildFNeg</c>: floating-point negation (flips the sign bit, NaN included).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildFNeg", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildFNeg(LLVMBuilderRef builder, LLVMValueRef value, string name);

    /// <summary><c>LLVMBuildNot</c>: bitwise not.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildNot", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildNot(LLVMBuilderRef builder, LLVMValueRef value, string name);

    /// <summary><c>LLVMSetNSW</c>: no signed wrap on an <c>add</c>/<c>sub</c>/<c>mul</c>/<c>shl</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetNSW")]
    public static partial void SetNSW(LLVMValueRef arithmetic, [MarshalAs(UnmanagedType.Bool)] bool noSignedWrap);

    /// <summary><c>LLVMSetNUW</c>: no unsigned wrap.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetNUW")]
    public static partial void SetNUW(LLVMValueRef arithmetic, [MarshalAs(UnmanagedType.Bool)] bool noUnsignedWrap);

    /// <summary><c>LLVMCanValueUseFastMathFlags</c>: whether <see cref="SetFastMathFlags"/> applies to the value.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMCanValueUseFastMathFlags")]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CanValueUseFastMathFlags(LLVMValueRef value);

    /// <summary><c>LLVMSetFastMathFlags</c>: on a floating-point operation, <c>fcmp</c>, <c>select</c>, <c>phi</c> or call.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetFastMathFlags")]
    public static partial void SetFastMathFlags(LLVMValueRef floatingPointOperation, LLVMFastMathFlags flags);

    /// <summary><c>LLVMGetFastMathFlags</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetFastMathFlags")]
    public static partial LLVMFastMathFlags GetFastMathFlags(LLVMValueRef floatingPointOperation);

    // ---- comparisons, select, casts

    /// <summary><c>LLVMBuildICmp</c>: an <c>i1</c> (or vector of <c>i1</c>).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildICmp", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildICmp(LLVMBuilderRef builder, LLVMIntPredicate predicate, LLVMValueRef left, LLVMValueRef right, string name);

    /// <summary><c>LLVMBuildFCmp</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildFCmp", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildFCmp(LLVMBuilderRef builder, LLVMRealPredicate predicate, LLVMValueRef left, LLVMValueRef right, string name);

    /// <summary><c>LLVMBuildSelect</c>: <c>condition ? whenTrue : whenFalse</c>, elementwise for vectors.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildSelect", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildSelect(LLVMBuilderRef builder, LLVMValueRef condition, LLVMValueRef whenTrue, LLVMValueRef whenFalse, string name);

    /// <summary><c>LLVMBuildCast</c>: any cast (<see cref="LLVMOpcode.Trunc"/> ... <see cref="LLVMOpcode.BitCast"/>).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildCast", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildCast(LLVMBuilderRef builder, LLVMOpcode opcode, LLVMValueRef value, LLVMTypeRef destinationType, string name);

    // ---- memory

    /// <summary><c>LLVMBuildLoad2</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildLoad2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildLoad2(LLVMBuilderRef builder, LLVMTypeRef type, LLVMValueRef pointer, string name);

    /// <summary><c>LLVMBuildStore</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildStore")]
    public static partial LLVMValueRef BuildStore(LLVMBuilderRef builder, LLVMValueRef value, LLVMValueRef pointer);

    /// <summary><c>LLVMSetAlignment</c>: the alignment in bytes of a load, store, alloca or global.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMSetAlignment")]
    public static partial void SetAlignment(LLVMValueRef memoryAccess, uint bytes);

    /// <summary><c>LLVMBuildGEP2</c>: an address computation.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildGEP2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildGEP2(
        LLVMBuilderRef builder, LLVMTypeRef sourceElementType, LLVMValueRef pointer, ReadOnlySpan<LLVMValueRef> indices, uint indexCount, string name);

    /// <summary><c>LLVMBuildInBoundsGEP2</c>: an address computation that stays within its object (what kernels use).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildInBoundsGEP2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildInBoundsGEP2(
        LLVMBuilderRef builder, LLVMTypeRef sourceElementType, LLVMValueRef pointer, ReadOnlySpan<LLVMValueRef> indices, uint indexCount, string name);

    // ---- control flow and calls

    /// <summary><c>LLVMBuildPhi</c>: add its incoming values with <see cref="AddIncoming"/>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildPhi", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildPhi(LLVMBuilderRef builder, LLVMTypeRef type, string name);

    /// <summary><c>LLVMAddIncoming</c>: pairs of value and predecessor block.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMAddIncoming")]
    public static partial void AddIncoming(LLVMValueRef phi, ReadOnlySpan<LLVMValueRef> values, ReadOnlySpan<LLVMBasicBlockRef> blocks, uint count);

    /// <summary><c>LLVMBuildBr</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildBr")]
    public static partial LLVMValueRef BuildBr(LLVMBuilderRef builder, LLVMBasicBlockRef destination);

    /// <summary><c>LLVMBuildCondBr</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildCondBr")]
    public static partial LLVMValueRef BuildCondBr(LLVMBuilderRef builder, LLVMValueRef condition, LLVMBasicBlockRef whenTrue, LLVMBasicBlockRef whenFalse);

    /// <summary><c>LLVMBuildRet</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildRet")]
    public static partial LLVMValueRef BuildRet(LLVMBuilderRef builder, LLVMValueRef value);

    /// <summary><c>LLVMBuildRetVoid</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildRetVoid")]
    public static partial LLVMValueRef BuildRetVoid(LLVMBuilderRef builder);

    /// <summary><c>LLVMBuildCall2</c>: a call of a function of type <paramref name="functionType"/> (name empty for void calls).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildCall2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildCall2(
        LLVMBuilderRef builder, LLVMTypeRef functionType, LLVMValueRef function, ReadOnlySpan<LLVMValueRef> arguments, uint argumentCount, string name);

    // ---- vectors

    /// <summary><c>LLVMBuildInsertElement</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildInsertElement", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildInsertElement(LLVMBuilderRef builder, LLVMValueRef vector, LLVMValueRef element, LLVMValueRef index, string name);

    /// <summary><c>LLVMBuildExtractElement</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildExtractElement", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildExtractElement(LLVMBuilderRef builder, LLVMValueRef vector, LLVMValueRef index, string name);

    /// <summary><c>LLVMBuildShuffleVector</c>: <paramref name="mask"/> is a constant vector of <c>i32</c> lane indices.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMBuildShuffleVector", StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef BuildShuffleVector(LLVMBuilderRef builder, LLVMValueRef first, LLVMValueRef second, LLVMValueRef mask, string name);

    // ---- intrinsics

    /// <summary><c>LLVMLookupIntrinsicID</c>: the id of <c>llvm.fma</c>, <c>llvm.sqrt</c>, ... (0 when there is none).</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMLookupIntrinsicID", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint LookupIntrinsicID(string name, nuint nameLength);

    /// <summary><c>LLVMGetIntrinsicDeclaration</c>: declares an intrinsic in a module, specialised for its overloaded types.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetIntrinsicDeclaration")]
    public static partial LLVMValueRef GetIntrinsicDeclaration(LLVMModuleRef module, uint id, ReadOnlySpan<LLVMTypeRef> overloadTypes, nuint overloadCount);

    // ---- memory buffers

    /// <summary><c>LLVMGetBufferStart</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetBufferStart")]
    public static partial byte* GetBufferStart(LLVMMemoryBufferRef buffer);

    /// <summary><c>LLVMGetBufferSize</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetBufferSize")]
    public static partial nuint GetBufferSize(LLVMMemoryBufferRef buffer);

    /// <summary><c>LLVMDisposeMemoryBuffer</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeMemoryBuffer")]
    public static partial void DisposeMemoryBuffer(LLVMMemoryBufferRef buffer);
}
