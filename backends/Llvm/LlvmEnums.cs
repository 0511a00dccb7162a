namespace JaxToolchain.Backends.Llvm;

// The enumerations of the LLVM-C API that the bindings use, with the values of the LLVM 19 headers
// (llvm-c/Core.h, Analysis.h, TargetMachine.h). Only the members a code generator needs are listed.

/// <summary><c>LLVMOpcode</c> (Core.h): the operation of <see cref="LlvmCore.BuildBinOp"/> and <see cref="LlvmCore.BuildCast"/>.</summary>
public enum LLVMOpcode
{
    /// <summary><c>add</c>: integer addition.</summary>
    Add = 8,
    /// <summary><c>fadd</c>: floating-point addition.</summary>
    FAdd = 9,
    /// <summary><c>sub</c>: integer subtraction.</summary>
    Sub = 10,
    /// <summary><c>fsub</c>: floating-point subtraction.</summary>
    FSub = 11,
    /// <summary><c>mul</c>: integer multiplication.</summary>
    Mul = 12,
    /// <summary><c>fmul</c>: floating-point multiplication.</summary>
    FMul = 13,
    /// <summary><c>udiv</c>: unsigned integer division.</summary>
    UDiv = 14,
    /// <summary><c>sdiv</c>: signed integer division.</summary>
    SDiv = 15,
    /// <summary><c>fdiv</c>: floating-point division.</summary>
    FDiv = 16,
    /// <summary><c>urem</c>: unsigned remainder.</summary>
    URem = 17,
    /// <summary><c>srem</c>: signed remainder (sign of the dividend).</summary>
    SRem = 18,
    /// <summary><c>frem</c>: floating-point remainder (C's <c>fmod</c>).</summary>
    FRem = 19,
    /// <summary><c>shl</c>: shift left.</summary>
    Shl = 20,
    /// <summary><c>lshr</c>: logical shift right.</summary>
    LShr = 21,
    /// <summary><c>ashr</c>: arithmetic shift right.</summary>
    AShr = 22,
    /// <summary><c>and</c>: bitwise and.</summary>
    And = 23,
    /// <summary><c>or</c>: bitwise or.</summary>
    Or = 24,
    /// <summary><c>xor</c>: bitwise exclusive or.</summary>
    Xor = 25,
    /// <summary><c>trunc</c>: integer truncation.</summary>
    Trunc = 30,
    /// <summary><c>zext</c>: integer zero extension.</summary>
    ZExt = 31,
    /// <summary><c>sext</c>: integer sign extension.</summary>
    SExt = 32,
    /// <summary><c>fptoui</c>: float to unsigned integer.</summary>
    FPToUI = 33,
    /// <summary><c>fptosi</c>: float to signed integer.</summary>
    FPToSI = 34,
    /// <summary><c>uitofp</c>: unsigned integer to float.</summary>
    UIToFP = 35,
    /// <summary><c>sitofp</c>: signed integer to float.</summary>
    SIToFP = 36,
    /// <summary><c>fptrunc</c>: float narrowing.</summary>
    FPTrunc = 37,
    /// <summary><c>fpext</c>: float widening.</summary>
    FPExt = 38,
    /// <summary><c>ptrtoint</c>: pointer to integer.</summary>
    PtrToInt = 39,
    /// <summary><c>inttoptr</c>: integer to pointer.</summary>
    IntToPtr = 40,
    /// <summary><c>bitcast</c>: reinterpretation of the bits.</summary>
    BitCast = 41,
}

/// <summary><c>LLVMIntPredicate</c> (Core.h): the comparison of <see cref="LlvmCore.BuildICmp"/>.</summary>
public enum LLVMIntPredicate
{
    /// <summary>Equal.</summary>
    EQ = 32,
    /// <summary>Not equal.</summary>
    NE,
    /// <summary>Unsigned greater than.</summary>
    UGT,
    /// <summary>Unsigned greater or equal.</summary>
    UGE,
    /// <summary>Unsigned less than.</summary>
    ULT,
    /// <summary>Unsigned less or equal.</summary>
    ULE,
    /// <summary>Signed greater than.</summary>
    SGT,
    /// <summary>Signed greater or equal.</summary>
    SGE,
    /// <summary>Signed less than.</summary>
    SLT,
    /// <summary>Signed less or equal.</summary>
    SLE,
}

/// <summary><c>LLVMRealPredicate</c> (Core.h): the comparison of <see cref="LlvmCore.BuildFCmp"/>; ordered (O) is false when an operand is NaN, unordered (U) true.</summary>
public enum LLVMRealPredicate
{
    /// <summary>Always false.</summary>
    False = 0,
    /// <summary>Ordered and equal.</summary>
    OEQ,
    /// <summary>Ordered and greater than.</summary>
    OGT,
    /// <summary>Ordered and greater or equal.</summary>
    OGE,
    /// <summary>Ordered and less than.</summary>
    OLT,
    /// <summary>Ordered and less or equal.</summary>
    OLE,
    /// <summary>Ordered and not equal.</summary>
    ONE,
    /// <summary>Neither operand is NaN.</summary>
    ORD,
    /// <summary>Either operand is NaN.</summary>
    UNO,
    /// <summary>Unordered or equal.</summary>
    UEQ,
    /// <summary>Unordered or greater than.</summary>
    UGT,
    /// <summary>Unordered or greater or equal.</summary>
    UGE,
    /// <summary>Unordered or less than.</summary>
    ULT,
    /// <summary>Unordered or less or equal.</summary>
    ULE,
    /// <summary>Unordered or not equal.</summary>
    UNE,
    /// <summary>Always true.</summary>
    True,
}

/// <summary><c>LLVMFastMathFlags</c> (Core.h): what <see cref="LlvmCore.SetFastMathFlags"/> allows the optimizer to assume.</summary>
[Flags]
public enum LLVMFastMathFlags : uint
{
    /// <summary>No flags: IEEE semantics.</summary>
    None = 0,
    /// <summary><c>reassoc</c>: reassociation.</summary>
    AllowReassoc = 1 << 0,
    /// <summary><c>nnan</c>: no NaN operands or results.</summary>
    NoNaNs = 1 << 1,
    /// <summary><c>ninf</c>: no infinite operands or results.</summary>
    NoInfs = 1 << 2,
    /// <summary><c>nsz</c>: the sign of zero is insignificant.</summary>
    NoSignedZeros = 1 << 3,
    /// <summary><c>arcp</c>: reciprocal instead of division.</summary>
    AllowReciprocal = 1 << 4,
    /// <summary><c>contract</c>: fusing into FMA.</summary>
    AllowContract = 1 << 5,
    /// <summary><c>afn</c>: approximate functions.</summary>
    ApproxFunc = 1 << 6,
    /// <summary>All of the above (<c>fast</c>).</summary>
    All = 0x7F,
}

/// <summary><c>LLVMLinkage</c> (Core.h), the members a kernel module uses.</summary>
public enum LLVMLinkage
{
    /// <summary>Externally visible (exported kernels).</summary>
    External = 0,
    /// <summary>One definition kept when several objects have it (a COMDAT on COFF); never discarded.</summary>
    WeakODR = 6,
    /// <summary>Local to the module, may be renamed (helpers).</summary>
    Internal = 8,
    /// <summary>Local to the module, not even in the object's symbol table.</summary>
    Private = 9,
    /// <summary>A declaration that may stay undefined (null) at link time; what a kernel library must never contain.</summary>
    ExternalWeak = 12,
}

/// <summary><c>LLVMVisibility</c> (Core.h): ELF/Mach-O symbol visibility.</summary>
public enum LLVMVisibility
{
    /// <summary>Exported from the shared library.</summary>
    Default = 0,
    /// <summary>Not exported from the shared library.</summary>
    Hidden = 1,
    /// <summary>Exported, not preemptible.</summary>
    Protected = 2,
}

/// <summary><c>LLVMDLLStorageClass</c> (Core.h): COFF import/export.</summary>
public enum LLVMDLLStorageClass
{
    /// <summary>Neither.</summary>
    Default = 0,
    /// <summary><c>dllimport</c>.</summary>
    DLLImport = 1,
    /// <summary><c>dllexport</c>.</summary>
    DLLExport = 2,
}

/// <summary><c>LLVMVerifierFailureAction</c> (Analysis.h).</summary>
public enum LLVMVerifierFailureAction
{
    /// <summary>Print to stderr and abort the process (never use from .NET).</summary>
    AbortProcess = 0,
    /// <summary>Print to stderr and return 1.</summary>
    PrintMessage = 1,
    /// <summary>Return 1 and the message, print nothing.</summary>
    ReturnStatus = 2,
}

/// <summary><c>LLVMCodeGenOptLevel</c> (TargetMachine.h).</summary>
public enum LLVMCodeGenOptLevel
{
    /// <summary>-O0.</summary>
    None = 0,
    /// <summary>-O1.</summary>
    Less = 1,
    /// <summary>-O2.</summary>
    Default = 2,
    /// <summary>-O3.</summary>
    Aggressive = 3,
}

/// <summary><c>LLVMRelocMode</c> (TargetMachine.h).</summary>
public enum LLVMRelocMode
{
    /// <summary>The target's default.</summary>
    Default = 0,
    /// <summary>Non-relocatable code.</summary>
    Static = 1,
    /// <summary>Position-independent code (shared libraries).</summary>
    PIC = 2,
}

/// <summary><c>LLVMCodeModel</c> (TargetMachine.h).</summary>
public enum LLVMCodeModel
{
    /// <summary>The target's default.</summary>
    Default = 0,
    /// <summary>The target's default for JIT-compiled code.</summary>
    JITDefault = 1,
    /// <summary>Small: code and data within 2 GB.</summary>
    Small = 3,
    /// <summary>Large: no assumption about addresses.</summary>
    Large = 6,
}

/// <summary><c>LLVMCodeGenFileType</c> (TargetMachine.h).</summary>
public enum LLVMCodeGenFileType
{
    /// <summary>Assembly text.</summary>
    Assembly = 0,
    /// <summary>An object file (ELF, COFF or Mach-O, by the triple).</summary>
    Object = 1,
}

/// <summary><c>LLVMDiagnosticSeverity</c> (Core.h).</summary>
public enum LLVMDiagnosticSeverity
{
    /// <summary>An error: the operation failed.</summary>
    Error = 0,
    /// <summary>A warning.</summary>
    Warning = 1,
    /// <summary>An optimization remark.</summary>
    Remark = 2,
    /// <summary>A note.</summary>
    Note = 3,
}
