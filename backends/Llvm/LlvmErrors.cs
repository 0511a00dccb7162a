using System.Runtime.InteropServices;

namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// <c>llvm-c/Error.h</c> and LLVM's string ownership: every <see cref="LLVMErrorRef"/> is consumed by taking its
/// message (<c>LLVMGetErrorMessage</c> + <c>LLVMDisposeErrorMessage</c>), every caller-owned <c>char*</c> is freed with
/// <c>LLVMDisposeMessage</c> (<see cref="TakeMessage"/>): LLVMSharp's execution engine leaks its error string; we do not.
/// </summary>
public static partial class LlvmErrors
{
    /// <summary><c>LLVMGetErrorMessage</c>: consumes the error; free the message with <see cref="DisposeErrorMessage"/>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMGetErrorMessage")]
    public static partial nint GetErrorMessage(LLVMErrorRef error);

    /// <summary><c>LLVMDisposeErrorMessage</c>.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMDisposeErrorMessage")]
    public static partial void DisposeErrorMessage(nint message);

    /// <summary><c>LLVMConsumeError</c>: drops an error without reading it.</summary>
    [LibraryImport(LlvmLibrary.Name, EntryPoint = "LLVMConsumeError")]
    public static partial void ConsumeError(LLVMErrorRef error);

    /// <summary>Reads a caller-owned <c>char*</c> as UTF-8 and frees it with <c>LLVMDisposeMessage</c>; null for a null pointer.</summary>
    public static string? TakeMessage(nint message)
    {
        if (message == 0) return null;
        try
        {
            return Marshal.PtrToStringUTF8(message);
        }
        finally
        {
            LlvmCore.DisposeMessage(message);
        }
    }

    /// <summary>The message of an error, which is consumed; null for success (a zero handle).</summary>
    public static string? TakeErrorMessage(LLVMErrorRef error)
    {
        if (error.Handle == 0) return null;
        nint message = GetErrorMessage(error);
        try
        {
            return Marshal.PtrToStringUTF8(message) ?? "unknown LLVM error";
        }
        finally
        {
            DisposeErrorMessage(message);
        }
    }

    /// <summary>Throws <see cref="LlvmException"/> "<paramref name="operation"/>: message" for an error; nothing for success.</summary>
    public static void ThrowIfFailed(LLVMErrorRef error, string operation)
    {
        if (TakeErrorMessage(error) is { } message) throw new LlvmException($"{operation}: {message}");
    }

    /// <summary>A string LLVM keeps ownership of (a triple, a data layout), as UTF-8.</summary>
    public static string ReadBorrowedString(nint text) => Marshal.PtrToStringUTF8(text) ?? "";
}

/// <summary>An LLVM operation failed (an invalid module, an unknown triple, a pass pipeline or JIT error); the message is LLVM's.</summary>
public sealed class LlvmException(string message) : Exception(message);
