using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace JaxToolchain.Ir;

/// <summary>
/// What a compiled kernel returns (and what <see cref="KernelCallFrame.ParallelFor"/> and its bodies return):
/// <see cref="Ok"/> or an error code. The C header (<see cref="KernelAbi.CHeader"/>) defines the same codes as
/// <c>JAX_KERNEL_OK</c>, <c>JAX_KERNEL_ERROR_ABI_VERSION_MISMATCH</c>, ...; <see cref="KernelAbi.Describe"/> says
/// what each means.
/// </summary>
public enum KernelStatus
{
    /// <summary>The kernel ran to completion and wrote its outputs.</summary>
    Ok = 0,

    /// <summary>The frame's ABI version is not the one the kernel was compiled for.</summary>
    AbiVersionMismatch = 1,

    /// <summary>The frame has another number of buffers than the kernel takes (inputs, outputs and scratch).</summary>
    BufferCountMismatch = 2,

    /// <summary>A buffer is shorter than its type needs for the given symbol values.</summary>
    BufferTooSmall = 3,

    /// <summary>A buffer pointer is null or not 64-byte aligned.</summary>
    BufferMisaligned = 4,

    /// <summary>The frame has another number of symbol values than the kernel's manifest lists.</summary>
    SymbolCountMismatch = 5,

    /// <summary>A symbol value is negative, or sizes computed from the symbol values overflow.</summary>
    InvalidSymbolValue = 6,

    /// <summary>The runtime's <c>parallel_for</c> could not run the bodies (a body's own error is returned as it is).</summary>
    ParallelForFailed = 7,
}

/// <summary>One field of <see cref="KernelCallFrame"/> as the C header declares it.</summary>
/// <param name="Name">The C field name (<c>buffer_count</c>).</param>
/// <param name="CType">The C type (<c>uint32_t</c>).</param>
/// <param name="Offset">The byte offset in the frame.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Description">What the field holds.</param>
public sealed record KernelAbiField(string Name, string CType, int Offset, int Size, string Description);

/// <summary>
/// The argument of a compiled kernel (ABI version <see cref="ExecutionContracts.KernelAbiVersion"/>): a kernel is
/// <c>int32_t kernel(const jax_kernel_call_frame* frame)</c>, exported from a shared library under the symbol its
/// manifest entry names (<see cref="CpuKernelEntry.Symbol"/>); it returns a <see cref="KernelStatus"/>. The layout is
/// fixed for 64-bit targets (every RID we compile for) and is the one <see cref="KernelAbi.FrameFields"/> states
/// and <see cref="KernelAbi.CHeader"/> prints:
/// <code>
/// offset size field
///      0    4 uint32_t abi_version              ExecutionContracts.KernelAbiVersion
///      4    4 uint32_t buffer_count             inputs, then outputs, then scratch
///      8    8 void* const* buffers              buffer_count pointers, each 64-byte aligned host memory
///     16    8 const int64_t* buffer_lengths     buffer_count byte lengths
///     24    4 uint32_t symbol_count             the number of symbolic dims
///     28    4 uint32_t worker_count             workers parallel_for may use (bodies get 0..worker_count-1)
///     32    8 const int64_t* symbol_values      symbol_count sizes, in the manifest's symbol order
///     40    8 jax_parallel_for_fn parallel_for  the runtime's thread pool
///     48    8 void* parallel_context            passed back to parallel_for
///     56      (size)
/// </code>
/// Kernels never create threads, allocate or call outside themselves: parallel work goes through
/// <see cref="ParallelFor"/>, memory is what the frame's buffers provide.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct KernelCallFrame
{
    /// <summary>The frame's size in bytes.</summary>
    public const int Size = 56;

    /// <summary><c>abi_version</c> (offset 0): <see cref="ExecutionContracts.KernelAbiVersion"/>; a kernel built for another version returns <see cref="KernelStatus.AbiVersionMismatch"/>.</summary>
    public uint AbiVersion;

    /// <summary><c>buffer_count</c> (offset 4): the number of buffers: inputs, then outputs, then scratch.</summary>
    public uint BufferCount;

    /// <summary><c>buffers</c> (offset 8): <see cref="BufferCount"/> pointers to dense row-major host memory, each 64-byte aligned.</summary>
    public void** Buffers;

    /// <summary><c>buffer_lengths</c> (offset 16): the byte length of each buffer.</summary>
    public long* BufferLengths;

    /// <summary><c>symbol_count</c> (offset 24): the number of symbolic dims.</summary>
    public uint SymbolCount;

    /// <summary><c>worker_count</c> (offset 28): how many workers <see cref="ParallelFor"/> may use; bodies get a worker index below it (for per-worker scratch).</summary>
    public uint WorkerCount;

    /// <summary><c>symbol_values</c> (offset 32): the size of each symbolic dim, in the manifest's symbol order (<see cref="ManifestKernel.Symbols"/>).</summary>
    public long* SymbolValues;

    /// <summary>
    /// <c>parallel_for</c> (offset 40): <c>int32_t parallel_for(void* context, int64_t count, jax_parallel_body_fn body,
    /// void* body_context)</c> runs <c>body(body_context, index, worker)</c> for every index in [0, count), on the
    /// runtime's threads, and returns when all have finished: <see cref="KernelStatus.Ok"/>, the first error a body
    /// returned, or <see cref="KernelStatus.ParallelForFailed"/>. Bodies return a <see cref="KernelStatus"/>.
    /// </summary>
    public delegate* unmanaged<void*, long, delegate* unmanaged<void*, long, uint, int>, void*, int> ParallelFor;

    /// <summary><c>parallel_context</c> (offset 48): the runtime's context, passed back as <c>parallel_for</c>'s first argument.</summary>
    public void* ParallelContext;
}

/// <summary>
/// The kernel calling convention in one place: the frame's fields (<see cref="FrameFields"/>), the status codes, and
/// the C header generated from them (<see cref="CHeader"/>), so the LLVM backend, C code and the runtime read the same
/// definition (IREE's <c>DispatchABI.cpp</c> re-declares its header by hand and admits drift; we do not). The first use
/// of this type checks that <see cref="KernelCallFrame"/>'s layout is the one stated here.
/// </summary>
public static unsafe class KernelAbi
{
    /// <summary>The alignment of every buffer in a frame, in bytes (that of <see cref="Buffer"/> memory).</summary>
    public const int BufferAlignment = 64;

    /// <summary>The file name the header is written under.</summary>
    public const string HeaderFileName = "jax_kernel_abi.h";

    /// <summary>The frame's fields in order, with their offsets and sizes (the definition the header is printed from).</summary>
    public static IReadOnlyList<KernelAbiField> FrameFields { get; } =
    [
        new("abi_version", "uint32_t", 0, 4, "JAX_KERNEL_ABI_VERSION; a kernel built for another version returns JAX_KERNEL_ERROR_ABI_VERSION_MISMATCH"),
        new("buffer_count", "uint32_t", 4, 4, "the number of buffers: inputs, then outputs, then scratch"),
        new("buffers", "void* const*", 8, 8, "buffer_count pointers to dense row-major host memory, each JAX_KERNEL_BUFFER_ALIGNMENT-byte aligned"),
        new("buffer_lengths", "const int64_t*", 16, 8, "the byte length of each buffer"),
        new("symbol_count", "uint32_t", 24, 4, "the number of symbolic dims"),
        new("worker_count", "uint32_t", 28, 4, "workers parallel_for may use; bodies get a worker index below it"),
        new("symbol_values", "const int64_t*", 32, 8, "the size of each symbolic dim, in the manifest's symbol order"),
        new("parallel_for", "jax_parallel_for_fn", 40, 8, "the runtime's thread pool; kernels never create threads"),
        new("parallel_context", "void*", 48, 8, "passed back as parallel_for's first argument"),
    ];

    static KernelAbi()
    {
        var measured = MeasureFrameLayout();
        if (sizeof(KernelCallFrame) != KernelCallFrame.Size || !measured.SequenceEqual(FrameFields.Select(f => f.Offset)))
            throw new InvalidOperationException(
                $"KernelCallFrame's layout (size {sizeof(KernelCallFrame)}, offsets {string.Join(", ", measured)}) is not the one KernelAbi states " +
                $"(size {KernelCallFrame.Size}, offsets {string.Join(", ", FrameFields.Select(f => f.Offset))})");
    }

    /// <summary>The offsets of <see cref="KernelCallFrame"/>'s fields, in declaration order, as the C# compiler laid them out.</summary>
    public static int[] MeasureFrameLayout()
    {
        KernelCallFrame frame = default;
        byte* start = (byte*)&frame;
        return
        [
            (int)((byte*)&frame.AbiVersion - start),
            (int)((byte*)&frame.BufferCount - start),
            (int)((byte*)&frame.Buffers - start),
            (int)((byte*)&frame.BufferLengths - start),
            (int)((byte*)&frame.SymbolCount - start),
            (int)((byte*)&frame.WorkerCount - start),
            (int)((byte*)&frame.SymbolValues - start),
            (int)((byte*)&frame.ParallelFor - start),
            (int)((byte*)&frame.ParallelContext - start),
        ];
    }

    /// <summary>The C name of a status code: <c>JAX_KERNEL_OK</c>, <c>JAX_KERNEL_ERROR_BUFFER_TOO_SMALL</c>.</summary>
    public static string CName(KernelStatus status)
    {
        if (status == KernelStatus.Ok) return "JAX_KERNEL_OK";
        var name = status.ToString();
        var snake = new StringBuilder("JAX_KERNEL_ERROR");
        foreach (char c in name)
        {
            if (char.IsUpper(c)) snake.Append('_');
            snake.Append(char.ToUpperInvariant(c));
        }
        return snake.ToString();
    }

    /// <summary>What a status code means (for the runtime's error messages); unknown codes are said to be unknown.</summary>
    public static string Describe(KernelStatus status) => status switch
    {
        KernelStatus.Ok => "success",
        KernelStatus.AbiVersionMismatch => $"the frame's ABI version is not the kernel's (this runtime passes version {ExecutionContracts.KernelAbiVersion})",
        KernelStatus.BufferCountMismatch => "the frame has another number of buffers than the kernel takes",
        KernelStatus.BufferTooSmall => "a buffer is shorter than its type needs for the given symbol values",
        KernelStatus.BufferMisaligned => $"a buffer pointer is null or not {BufferAlignment}-byte aligned",
        KernelStatus.SymbolCountMismatch => "the frame has another number of symbol values than the kernel's manifest lists",
        KernelStatus.InvalidSymbolValue => "a symbol value is negative, or sizes computed from the symbol values overflow",
        KernelStatus.ParallelForFailed => "the runtime's parallel_for could not run the kernel's parallel bodies",
        _ => $"unknown kernel status {(int)status}",
    };

    /// <summary>
    /// The C header of the calling convention (<see cref="HeaderFileName"/>), printed from <see cref="FrameFields"/>
    /// and <see cref="KernelStatus"/>: the version and alignment, the status codes, the function pointer types and
    /// the frame, with static assertions of its size and offsets. It compiles as C11 and as C++.
    /// </summary>
    public static string CHeader()
    {
        var h = new StringBuilder();
        void Line(string text = "") => h.Append(text).Append('\n');
        Line($"/* {HeaderFileName}: the calling convention of Jax.Toolchain compiled kernels, ABI version {ExecutionContracts.KernelAbiVersion}.");
        Line(" * Generated by JaxToolchain.Ir.KernelAbi.CHeader() from the definition the runtime uses; do not edit. */");
        Line("#ifndef JAX_KERNEL_ABI_H");
        Line("#define JAX_KERNEL_ABI_H");
        Line();
        Line("#include <stddef.h>");
        Line("#include <stdint.h>");
        Line();
        Line("#ifdef __cplusplus");
        Line("extern \"C\" {");
        Line("#define JAX_KERNEL_STATIC_ASSERT(condition, message) static_assert(condition, message)");
        Line("#else");
        Line("#define JAX_KERNEL_STATIC_ASSERT(condition, message) _Static_assert(condition, message)");
        Line("#endif");
        Line();
        Line($"#define JAX_KERNEL_ABI_VERSION {ExecutionContracts.KernelAbiVersion}");
        Line($"#define JAX_KERNEL_BUFFER_ALIGNMENT {BufferAlignment}");
        Line();
        Line("/* What a kernel, parallel_for and a parallel body return. */");
        foreach (var status in Enum.GetValues<KernelStatus>())
            Line($"#define {CName(status)} {((int)status).ToString(CultureInfo.InvariantCulture)} /* {Describe(status)} */");
        Line();
        Line("/* One parallel iteration: index in [0, count), worker in [0, worker_count). Returns a status. */");
        Line("typedef int32_t (*jax_parallel_body_fn)(void* body_context, int64_t index, uint32_t worker);");
        Line("/* Runs body for every index in [0, count) on the runtime's threads and returns when all finished:");
        Line(" * JAX_KERNEL_OK, the first error a body returned, or JAX_KERNEL_ERROR_PARALLEL_FOR_FAILED. */");
        Line("typedef int32_t (*jax_parallel_for_fn)(void* context, int64_t count, jax_parallel_body_fn body, void* body_context);");
        Line();
        Line("typedef struct jax_kernel_call_frame {");
        foreach (var field in FrameFields)
            Line($"  {field.CType} {field.Name}; /* offset {field.Offset}: {field.Description} */");
        Line("} jax_kernel_call_frame;");
        Line();
        Line("JAX_KERNEL_STATIC_ASSERT(sizeof(void*) == 8, \"kernels are built for 64-bit targets\");");
        Line($"JAX_KERNEL_STATIC_ASSERT(sizeof(jax_kernel_call_frame) == {KernelCallFrame.Size}, \"jax_kernel_call_frame size\");");
        foreach (var field in FrameFields)
            Line($"JAX_KERNEL_STATIC_ASSERT(offsetof(jax_kernel_call_frame, {field.Name}) == {field.Offset}, \"offset of {field.Name}\");");
        Line();
        Line("/* A kernel: reads its inputs and writes its outputs through the frame; returns a status. */");
        Line("typedef int32_t (*jax_kernel_fn)(const jax_kernel_call_frame* frame);");
        Line();
        Line("#ifdef __cplusplus");
        Line("}");
        Line("#endif");
        Line();
        Line("#endif /* JAX_KERNEL_ABI_H */");
        return h.ToString();
    }
}
