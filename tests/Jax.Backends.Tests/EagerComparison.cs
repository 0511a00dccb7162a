using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests;

/// <summary>Compiled results against the interpreter's eager ones, for the tests that run library functions on the backends.</summary>
internal static class EagerComparison
{
    /// <summary>Same shape, and every element within 1e-4 x max(1, max |expected|) of the eager one.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        double scale = Math.Max(1, e.DefaultIfEmpty(0).Max(Math.Abs));
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * scale, $"{what}[{i}]: expected {e[i]:R}, got {a[i]:R}");
    }

    /// <summary>
    /// Runs <paramref name="run"/> and asserts that no kernel was left to the interpreter or the host meanwhile
    /// (<see cref="KernelRegistry.Notices"/>, process-wide: callers run in a collection that runs alone).
    /// </summary>
    public static void AssertNoNotices(Action run)
    {
        var notices = new List<string>();
        void Record(string m) => notices.Add(m);
        KernelRegistry.Notices += Record;
        try
        {
            run();
        }
        finally
        {
            KernelRegistry.Notices -= Record;
        }
        Assert.True(notices.Count == 0, string.Join("\n", notices));
    }
}
