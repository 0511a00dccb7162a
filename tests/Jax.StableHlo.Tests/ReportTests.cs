using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Jax.StableHlo.Tests;

/// <summary>
/// The per-file report of StableHLO's suite: <c>file: P passed, F failed, S skipped (reasons)</c> per file and the
/// total line <c>stablehlo: P passed, F failed, S skipped</c>, printed and written to
/// <c>artifacts/test-results/stablehlo.txt</c> (eng/test.sh and eng/stablehlo-tests.sh print the total).
/// </summary>
public sealed class ReportTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyDictionary<CaseKind, string> Reasons = new Dictionary<CaseKind, string>
    {
        [CaseKind.UnsupportedElementType] = "unsupported element type",
        [CaseKind.Collectives] = "collectives",
        [CaseKind.HostIo] = "host I/O ops",
        [CaseKind.NotInPrimitiveSet] = "op not in our primitive set",
    };

    /// <summary>Runs every case, writes the report, and fails when a runnable case fails.</summary>
    [Fact]
    public void PerFileReport()
    {
        var report = new StringBuilder();
        int passed = 0, failed = 0, skipped = 0;
        int compiledPassed = 0, compiledFailed = 0, vulkanPassed = 0, vulkanFailed = 0;
        var notCompiled = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var group in StableHloSuite.Cases.GroupBy(c => c.Case.File))
        {
            int p = 0, f = 0, s = 0;
            var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var (c, kind, detail) in group)
            {
                if (kind != CaseKind.Runnable)
                {
                    s++;
                    var reason = kind == CaseKind.NotInPrimitiveSet ? $"{Reasons[kind]}: {OpName(detail)}" : Reasons[kind];
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
                else
                {
                    if (StableHloSuite.Run(c) is { } why)
                    {
                        f++;
                        failures.Add($"{c}: {why}");
                    }
                    else p++;
                    if (VulkanRuns.Unavailable is null)
                    {
                        if (VulkanRuns.Run(c) is { } onDevice)
                        {
                            vulkanFailed++;
                            failures.Add($"{c} (vulkan): {onDevice}");
                        }
                        else vulkanPassed++;
                    }
                    var (outcome, detail2) = CompiledRuns.Run(c);
                    if (outcome == CompiledOutcome.Passed) compiledPassed++;
                    else if (outcome == CompiledOutcome.NotCompiled) notCompiled[detail2] = notCompiled.GetValueOrDefault(detail2) + 1;
                    else
                    {
                        compiledFailed++;
                        failures.Add($"{c} (llvm cpu): {detail2}");
                    }
                }
            }
            var why2 = reasons.Count == 0 ? "" : " (" + string.Join(", ", reasons.Select(r => $"{r.Key} x{r.Value}")) + ")";
            report.AppendLine(CultureInfo.InvariantCulture, $"{group.Key}: {p} passed, {f} failed, {s} skipped{why2}");
            passed += p;
            failed += f;
            skipped += s;
        }
        var total = StableHloSuite.Folder is null
            ? $"stablehlo: not run (no suite at {StableHloSuite.ConfiguredFolder})"
            : $"stablehlo: {passed} passed, {failed} failed, {skipped} skipped";
        report.AppendLine(total);
        var compiledTotal = "";
        if (StableHloSuite.Folder is not null)
        {
            int nc = notCompiled.Values.Sum();
            compiledTotal = $"stablehlo (llvm cpu): {compiledPassed} passed, {compiledFailed} failed, {nc} not compiled (run by the interpreter instead)";
            report.AppendLine(compiledTotal);
            foreach (var (why, n) in notCompiled) report.AppendLine(CultureInfo.InvariantCulture, $"  not compiled x{n}: {why}");
            compiledTotal += "\n" + (VulkanRuns.Unavailable is { } noVulkan
                ? $"stablehlo (vulkan): not run ({noVulkan})"
                : $"stablehlo (vulkan): {vulkanPassed} passed, {vulkanFailed} failed");
            report.AppendLine(compiledTotal[(compiledTotal.LastIndexOf('\n') + 1)..]);
        }
        output.WriteLine(report.ToString());
        foreach (var f in failures) output.WriteLine("FAILED " + f);
        var dir = Path.Combine(StableHloSuite.RepositoryRoot, "artifacts", "test-results");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stablehlo-report.txt"), report + string.Join('\n', failures.Select(f => "FAILED " + f)) + "\n");
        File.WriteAllText(Path.Combine(dir, "stablehlo.txt"), total + "\n" + (compiledTotal.Length > 0 ? compiledTotal + "\n" : ""));
        Assert.True(failed == 0 && compiledFailed == 0 && vulkanFailed == 0,
            $"{failed} StableHLO cases failed, {compiledFailed} compiled, {vulkanFailed} on Vulkan:\n{string.Join('\n', failures)}");
    }

    /// <summary>The op a 'not in our primitive set' detail names (its text after the colon).</summary>
    private static string OpName(string detail)
    {
        int i = detail.IndexOf("primitive set: ", StringComparison.Ordinal);
        return i >= 0 ? detail[(i + "primitive set: ".Length)..] : detail;
    }
}
