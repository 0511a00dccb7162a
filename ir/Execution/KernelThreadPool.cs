using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>
/// The runtime's side of a kernel frame's thread pool (<see cref="KernelCallFrame.ParallelFor"/>): native kernels hand
/// their parallel loops to it instead of creating threads. Bodies run on .NET's thread pool, at most
/// <see cref="WorkerCount"/> at a time, each with a worker index no other running body has (for per-worker scratch);
/// indices are handed out one at a time, so kernels choose the grain by what one index covers.
/// </summary>
public static unsafe class KernelThreadPool
{
    /// <summary>How many workers a frame offers its kernel: the processor count.</summary>
    public static uint WorkerCount { get; } = (uint)Environment.ProcessorCount;

    /// <summary>Fills the thread-pool fields of a frame: <c>parallel_for</c>, its context and the worker count.</summary>
    public static void Attach(ref KernelCallFrame frame)
    {
        frame.ParallelFor = &ParallelFor;
        frame.ParallelContext = null;
        frame.WorkerCount = WorkerCount;
    }

    /// <summary>
    /// <c>parallel_for</c>: runs <paramref name="body"/> for every index in [0, <paramref name="count"/>) and returns
    /// <see cref="KernelStatus.Ok"/>, the first error a body returned (indices not started by then are skipped), or
    /// <see cref="KernelStatus.ParallelForFailed"/> when the bodies could not be run. Never lets an exception reach
    /// the native caller.
    /// </summary>
    [UnmanagedCallersOnly]
    private static int ParallelFor(void* context, long count, delegate* unmanaged<void*, long, uint, int> body, void* bodyContext)
    {
        try
        {
            if (count <= 0) return (int)KernelStatus.Ok;
            if (body is null) return (int)KernelStatus.ParallelForFailed;
            return Run(count, (nint)body, (nint)bodyContext);
        }
        catch (Exception)
        {
            return (int)KernelStatus.ParallelForFailed;
        }
    }

    private static int Run(long count, nint body, nint bodyContext)
    {
        int workers = (int)Math.Min(count, WorkerCount);
        int status = (int)KernelStatus.Ok;
        long next = -1;
        void Work(int worker)
        {
            var call = (delegate* unmanaged<void*, long, uint, int>)body;
            long index;
            while (Volatile.Read(ref status) == (int)KernelStatus.Ok && (index = Interlocked.Increment(ref next)) < count)
            {
                int result = call((void*)bodyContext, index, (uint)worker);
                if (result != (int)KernelStatus.Ok) Interlocked.CompareExchange(ref status, result, (int)KernelStatus.Ok);
            }
        }
        if (workers == 1) Work(0);
        else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Work);
        return status;
    }
}
