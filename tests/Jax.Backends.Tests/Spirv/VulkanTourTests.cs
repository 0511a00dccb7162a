using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// The tour (samples/Tour, its Release build, with <c>JAX_TOUR_QUICK=1</c>: the same steps on smaller arrays) under
/// <c>JAX_PLATFORMS=vulkan</c> prints the CPU's output: line by line the same text, integers exact, floats within
/// 1e-5 of max(1, |value|) (device transcendentals are a few ulps off, reduction orders differ, and the tour's float64
/// finite differences amplify that by 1/eps); timing and device lines are left out.
/// </summary>
public sealed partial class VulkanTourTests
{
    [GeneratedRegex(@"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", RegexOptions.IgnoreCase)]
    private static partial Regex Number();

    private static readonly string[] Timing = ["(median of", "(one run)", "devices:", "VulkanDevice", "CpuDevice", "time:"];

    [VulkanFact]
    public void TheTourPrintsTheCpusNumbersOnVulkan()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Jax.Toolchain.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var tour = Path.Combine(root.FullName, "samples", "Tour", "bin", "Release", "net10.0", "Tour.dll");
        Assert.True(File.Exists(tour), $"{tour} is missing: build samples/Tour in Release (eng/test.sh builds the solution)");
        var cpu = Lines(Run(tour, "cpu"));
        var vulkan = Lines(Run(tour, "vulkan"));
        Assert.Equal(cpu.Count, vulkan.Count);
        int numbers = 0;
        for (int i = 0; i < cpu.Count; i++)
        {
            Assert.Equal(Number().Replace(cpu[i], "#"), Number().Replace(vulkan[i], "#"));
            var (a, b) = (Number().Matches(cpu[i]), Number().Matches(vulkan[i]));
            for (int k = 0; k < a.Count; k++, numbers++)
            {
                string x = a[k].Value, y = b[k].Value;
                if (!x.Contains('.') && !x.Contains('e') && !x.Contains('E'))
                {
                    Assert.True(x == y, $"line {i}: integer {x} on the CPU, {y} on Vulkan:\n{cpu[i]}\n{vulkan[i]}");
                    continue;
                }
                double u = double.Parse(x, CultureInfo.InvariantCulture), v = double.Parse(y, CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(u - v) <= 1e-5 * Math.Max(1, Math.Abs(u)), $"line {i}: {x} on the CPU, {y} on Vulkan:\n{cpu[i]}\n{vulkan[i]}");
            }
        }
        Assert.True(numbers > 400, $"only {numbers} numbers compared");
    }

    private static List<string> Lines(string output) =>
        [.. output.Split('\n').Select(l => l.TrimEnd()).Where(l => !Timing.Any(t => l.Contains(t, StringComparison.Ordinal)))];

    private static string Run(string tour, string platform)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(tour);
        start.Environment["JAX_TOUR_QUICK"] = "1";
        start.Environment["JAX_PLATFORMS"] = platform;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"the tour on {platform} did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"the tour on {platform} exited {process.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }
}
