using System.Runtime.InteropServices;
using JaxToolchain.Ir;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests.Execution;

/// <summary>
/// The calling convention end to end, before any native backend exists: kernels written in C# as unmanaged functions
/// (what an LLVM kernel is to the runtime) read a frame of host buffers and symbol values and run their loops through
/// the runtime's <c>parallel_for</c>.
/// </summary>
public unsafe class KernelCallFrameTests
{
    private const int Chunk = 1000;

    /// <summary>y = x * x + x over f32[n], in chunks of <see cref="Chunk"/> elements through parallel_for.</summary>
    [UnmanagedCallersOnly]
    private static int SquarePlusKernel(KernelCallFrame* frame)
    {
        if (frame->AbiVersion != ExecutionContracts.KernelAbiVersion) return (int)KernelStatus.AbiVersionMismatch;
        if (frame->BufferCount != 2) return (int)KernelStatus.BufferCountMismatch;
        if (frame->SymbolCount != 1) return (int)KernelStatus.SymbolCountMismatch;
        long n = frame->SymbolValues[0];
        if (n < 0) return (int)KernelStatus.InvalidSymbolValue;
        for (int i = 0; i < 2; i++)
        {
            if (frame->Buffers[i] is null || (nint)frame->Buffers[i] % KernelAbi.BufferAlignment != 0) return (int)KernelStatus.BufferMisaligned;
            if (frame->BufferLengths[i] < n * sizeof(float)) return (int)KernelStatus.BufferTooSmall;
        }
        return frame->ParallelFor(frame->ParallelContext, (n + Chunk - 1) / Chunk, &SquarePlusChunk, frame);
    }

    [UnmanagedCallersOnly]
    private static int SquarePlusChunk(void* context, long index, uint worker)
    {
        var frame = (KernelCallFrame*)context;
        if (worker >= frame->WorkerCount) return (int)KernelStatus.ParallelForFailed;
        var x = (float*)frame->Buffers[0];
        var y = (float*)frame->Buffers[1];
        long end = Math.Min(frame->SymbolValues[0], (index + 1) * Chunk);
        for (long i = index * Chunk; i < end; i++) y[i] = x[i] * x[i] + x[i];
        return (int)KernelStatus.Ok;
    }

    /// <summary>A body that fails at index 7.</summary>
    [UnmanagedCallersOnly]
    private static int FailingAtSeven(void* context, long index, uint worker) =>
        index == 7 ? (int)KernelStatus.BufferTooSmall : (int)KernelStatus.Ok;

    private static int Call(delegate* unmanaged<KernelCallFrame*, int> kernel, Buffer[] buffers, long[] symbols)
    {
        var pointers = stackalloc void*[buffers.Length];
        var lengths = stackalloc long[buffers.Length];
        for (int i = 0; i < buffers.Length; i++)
        {
            pointers[i] = (void*)buffers[i].Pointer;
            lengths[i] = buffers[i].ByteLength;
        }
        fixed (long* values = symbols)
        {
            var frame = new KernelCallFrame
            {
                AbiVersion = ExecutionContracts.KernelAbiVersion,
                BufferCount = (uint)buffers.Length,
                Buffers = pointers,
                BufferLengths = lengths,
                SymbolCount = (uint)symbols.Length,
                SymbolValues = values,
            };
            KernelThreadPool.Attach(ref frame);
            return kernel(&frame);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(25_001)]
    public void A_kernel_reads_its_frame_and_runs_its_loop_through_parallel_for(int n)
    {
        using var x = Buffer.FromSpan<float>(Enumerable.Range(0, n).Select(i => i * 0.001f - 3).ToArray(), Shape.Of(n));
        using var y = Buffer.Zeros(DType.Float32, Shape.Of(n));
        Assert.Equal((int)KernelStatus.Ok, Call(&SquarePlusKernel, [x, y], [n]));
        var (xs, ys) = (x.Span<float>().ToArray(), y.Span<float>().ToArray());
        for (int i = 0; i < n; i++) Assert.Equal(xs[i] * xs[i] + xs[i], ys[i]);
    }

    [Fact]
    public void A_kernel_returns_its_error_codes_for_a_frame_that_does_not_fit_it()
    {
        using var x = Buffer.Zeros(DType.Float32, Shape.Of(4));
        using var y = Buffer.Zeros(DType.Float32, Shape.Of(4));
        Assert.Equal((int)KernelStatus.BufferTooSmall, Call(&SquarePlusKernel, [x, y], [5]));
        Assert.Equal((int)KernelStatus.BufferCountMismatch, Call(&SquarePlusKernel, [x], [4]));
        Assert.Equal((int)KernelStatus.SymbolCountMismatch, Call(&SquarePlusKernel, [x, y], []));
        Assert.Equal((int)KernelStatus.InvalidSymbolValue, Call(&SquarePlusKernel, [x, y], [-1]));
    }

    [Fact]
    public void Parallel_for_returns_the_first_error_of_a_body_and_ok_for_no_work()
    {
        var frame = new KernelCallFrame();
        KernelThreadPool.Attach(ref frame);
        Assert.True(frame.WorkerCount >= 1);
        Assert.Equal((int)KernelStatus.BufferTooSmall, frame.ParallelFor(frame.ParallelContext, 100, &FailingAtSeven, null));
        Assert.Equal((int)KernelStatus.Ok, frame.ParallelFor(frame.ParallelContext, 7, &FailingAtSeven, null));
        Assert.Equal((int)KernelStatus.Ok, frame.ParallelFor(frame.ParallelContext, 0, &FailingAtSeven, null));
        Assert.Equal((int)KernelStatus.ParallelForFailed, frame.ParallelFor(frame.ParallelContext, 3, null, null));
    }
}
