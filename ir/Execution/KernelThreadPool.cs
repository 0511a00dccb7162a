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
    private static uint _workerCount = DefaultWorkerCount();

    /// <summary>
    /// How many workers a frame offers its kernel (the most threads one kernel uses): the environment variable
    /// <c>JAX_NUM_THREADS</c> when it is a positive integer, else the processor count; settable (for example to 1 to keep
    /// kernels on the calling thread while the application runs its own parallel work).
    /// </summary>
    public static uint WorkerCount
    {
        get => Volatile.Read(ref _workerCount);
        set => Volatile.Write(ref _workerCount, value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a kernel needs at least one worker"));
    }

    private static uint DefaultWorkerCount() =>
        uint.TryParse(Environment.GetEnvironmentVariable("JAX_NUM_THREADS"), out uint count) && count >= 1 ? count : (uint)Environment.ProcessorCount;

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

    /// <summary>The worker index plus one of the parallel body running on this thread, or 0.</summary>
    [ThreadStatic]
    private static int t_worker;

    private static int Run(long count, nint body, nint bodyContext)
    {
        int workers = (int)Math.Min(count, WorkerCount);
        // A parallel loop inside a parallel body runs on that body's thread, with its worker index (per-worker scratch
        // stays private): no oversubscription. (t_worker is 0 on a fresh thread, so it stores the index plus one.)
        int enclosing = t_worker - 1;
        if (enclosing >= 0) workers = 1;
        int status = (int)KernelStatus.Ok;
        long next = -1;
        void Work(int worker)
        {
            int outer = t_worker;
            t_worker = worker + 1;
            try
            {
                var call = (delegate* unmanaged<void*, long, uint, int>)body;
                long index;
                while (Volatile.Read(ref status) == (int)KernelStatus.Ok && (index = Interlocked.Increment(ref next)) < count)
                {
                    int result = call((void*)bodyContext, index, (uint)worker);
                    if (result != (int)KernelStatus.Ok) Interlocked.CompareExchange(ref status, result, (int)KernelStatus.Ok);
                }
            }
            finally
            {
                t_worker = outer;
            }
        }
        if (workers == 1) Work(Math.Max(enclosing, 0));
        else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Work);
        return status;
    }
}
