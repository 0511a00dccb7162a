using System.Runtime.InteropServices;

namespace JaxToolchain.Tests;

/// <summary>
/// How the running time of some work grows with its size, for tests that pin linear growth without asserting
/// absolute times (which depend on the machine and on what else runs on it). Time is the calling thread's CPU time
/// (<c>CLOCK_THREAD_CPUTIME_ID</c>), not the wall clock: other processes competing for the cores (a parallel build,
/// other test projects) stretch the wall clock of one measurement and not the other, but not the work's own CPU time.
/// </summary>
internal static partial class Scaling
{
    /// <summary>The test collection of timing tests: they run alone, not beside other tests that would disturb their clocks.</summary>
    public const string Collection = "Timing";

    /// <summary>
    /// The time of the work <paramref name="prepare"/> makes for size <c>4n</c> divided by its time for size
    /// <c>n</c>: about 4 for linear work, 16 for quadratic work. <c>n</c> starts at <paramref name="n"/> and doubles
    /// until the work takes at least <paramref name="minimumMilliseconds"/>: small programs fit in the caches and
    /// allocate less than the garbage collector's first budget, and run several times faster per operation than large
    /// ones, which would read as super-linear growth. Each size is prepared once (untimed) and runs
    /// <paramref name="tries"/> times after a warm-up run of the small size; the fastest run counts (the one least
    /// disturbed by other processes).
    /// </summary>
    public static double FourfoldRatio(int n, Func<int, Action> prepare, double minimumMilliseconds = 50, int tries = 3)
    {
        double small;
        while (true)
        {
            var run = prepare(n);
            run();
            small = Fastest(run, tries);
            if (small >= minimumMilliseconds || n >= 1 << 20) break;
            n *= 2;
        }
        return Fastest(prepare(4 * n), tries) / small;
    }

    private static double Fastest(Action run, int tries)
    {
        double best = double.MaxValue;
        for (int i = 0; i < tries; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            double start = ThreadCpuMilliseconds(), pausesBefore = GC.GetTotalPauseDuration().TotalMilliseconds;
            run();
            // The collector's pauses are left out: a full collection of a heap grown by earlier tests can land in
            // one measurement and not the other, and its cost is the heap's, not the work's.
            double pauses = GC.GetTotalPauseDuration().TotalMilliseconds - pausesBefore;
            best = Math.Min(best, Math.Max(ThreadCpuMilliseconds() - start - pauses, 0.001));
        }
        return best;
    }

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>The CPU time the calling thread has used, in milliseconds.</summary>
    private static double ThreadCpuMilliseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var t) != 0)
            throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: errno {Marshal.GetLastPInvokeError()}");
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    /// <summary>
    /// Asserts that four times the work takes less than <paramref name="maxRatio"/> times as long (10: linear, with room
    /// for noise; quadratic work takes 16 times as long). Linear passes have measured up to 9.7 in full clean-clone runs
    /// (simplify and jvp of an 8,000-operation chain after 2,000 other tests: the larger program's heap outgrows the
    /// caches and touches fresh pages, which cost about 6 us each on these VMs), while the quadratic fusion partitioning
    /// this guards against measured 17 to 28. A ratio above it is measured again, up to three times in
    /// all, before the test fails: a burst of other work on the machine can slow one measurement, but quadratic work
    /// is slow every time.
    /// </summary>
    public static void AssertLinear(string what, int n, Func<int, Action> prepare, double maxRatio = 10)
    {
        var ratios = new List<double>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            ratios.Add(FourfoldRatio(n, prepare));
            if (ratios[^1] < maxRatio) return;
        }
        Assert.Fail($"{what}: four times the work took {string.Join(", ", ratios.Select(r => r.ToString("F1")))} times as long (linear work: about 4)");
    }
}

/// <summary>The collection of timing tests (<see cref="Scaling.Collection"/>), run with no other test in parallel.</summary>
[CollectionDefinition(Scaling.Collection, DisableParallelization = true)]
public sealed class TimingCollection;

/// <summary>
/// Runs code on a thread with a small stack of known size, so that tests of deep nesting behave the same on every
/// machine and thread, and would show a stack overflow (which ends the process) rather than hide it behind a large
/// main-thread stack.
/// </summary>
internal static class SmallStack
{
    /// <summary>The stack size tests use: 1 MiB.</summary>
    public const int Size = 1 << 20;

    /// <summary>Runs <paramref name="action"/> on a new thread with a <paramref name="stackSize"/>-byte stack; returns what it threw, or null.</summary>
    public static Exception? Run(Action action, int stackSize = Size)
    {
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                thrown = e;
            }
        }, stackSize);
        thread.Start();
        thread.Join();
        return thrown;
    }

    /// <summary>Runs <paramref name="action"/> on a small stack and asserts that it throws exactly <typeparamref name="T"/>.</summary>
    public static T Throws<T>(Action action, int stackSize = Size) where T : Exception
    {
        var thrown = Run(action, stackSize);
        Assert.NotNull(thrown);
        return Assert.IsType<T>(thrown);
    }
}
