using System.Diagnostics;
using System.Globalization;
using JaxToolchain;
using JaxToolchain.GpuCheck;

// The GPU check's harness (eng/gpu-check.sh run): the Vulkan devices, correctness of jitted programs on the first one
// against the CPU, and the issue's benchmarks. Usage:
//   Jax.GpuCheck [--quick] [--out DIR] [--no-checks] [--no-bench] [--runs N]
// --quick (or GPU_CHECK_QUICK=1) uses small sizes (lavapipe); the default sizes are the issue's (a real GPU).
// Exit code: 0 all checks passed, 1 a check failed, 2 bad arguments, 3 no Vulkan device.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Jax.GpuCheck [--quick] [--out DIR] [--no-checks] [--no-bench] [--runs N]");
    return 2;
}
Directory.CreateDirectory(options.Out);
var report = new Report(options.Out);

Console.WriteLine("== Vulkan devices (loader's list)");
foreach (var line in VulkanDevices.Describe()) Console.WriteLine("  " + line);

// The SPIR-V code generator for Vulkan devices. The CPU reference is the interpreter on every machine (the GPU machine
// has no libLLVM), so the LLVM CPU compiler, where it loaded, is unregistered again.
JaxJit.Enable(out string? llvm, _ => { });
JaxJit.Disable();
Console.WriteLine($"  CPU reference: the interpreter{(llvm is null ? "" : " (no LLVM here either: " + llvm + ")")}");
var notices = new List<string>();
KernelRegistry.Notices += message =>
{
    lock (notices) notices.Add(message);
};

var gpus = Jax.Devices("vulkan");
Console.WriteLine($"  Jax.Devices(): {string.Join(", ", Jax.Devices().Select(d => $"{d} {d.DeviceKind}"))}");
if (gpus.Count == 0)
{
    Console.WriteLine("FAIL no usable Vulkan device for the runtime (see the message above; JAX_PLATFORMS=vulkan prints why)");
    report.Device("none");
    report.Write();
    return 3;
}
var gpu = gpus[0];
var cpu = Jax.Devices("cpu")[0];
Console.WriteLine($"  using {gpu}: {gpu.DeviceKind}{(options.Quick ? "  (--quick sizes)" : "")}");
report.Device(gpu.DeviceKind);
report.Write();

bool allPassed = true;
if (options.Checks)
{
    Console.WriteLine("\n== correctness: Vulkan vs CPU (error = max |ours - cpu| / max(1, |cpu|); exact where the tolerance is 0)");
    var checks = new Checks(gpu, cpu, options.Quick, report);
    allPassed = checks.RunAll();
    lock (notices)
        foreach (var notice in notices.Distinct()) Console.WriteLine("  notice: " + notice);
}

if (options.Bench)
{
    Console.WriteLine($"\n== benchmarks on {gpu.DeviceKind} (warm-up, then the median of up to {options.Runs} timed runs; each ends in BlockUntilReady)");
    new Benchmarks(gpu, options, report).RunAll();
}

report.Write();
Console.WriteLine($"\nresults: {Path.Combine(options.Out, "ours.tsv")}, {Path.Combine(options.Out, "checks.tsv")}");
return allPassed ? 0 : 1;

namespace JaxToolchain.GpuCheck
{
    /// <summary>The harness's command line.</summary>
    internal sealed record Options(bool Quick, string Out, bool Checks, bool Bench, int Runs)
    {
        /// <summary>Parses the arguments (null when one is unknown).</summary>
        public static Options? Parse(string[] args)
        {
            bool quick = Environment.GetEnvironmentVariable("GPU_CHECK_QUICK") is "1" or "true";
            string output = "artifacts/gpu-check/out";
            bool checks = true, bench = true;
            int runs = 20;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--quick": quick = true; break;
                    case "--out" when i + 1 < args.Length: output = args[++i]; break;
                    case "--no-checks": checks = false; break;
                    case "--no-bench": bench = false; break;
                    case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out runs) && runs > 0: i++; break;
                    default: return null;
                }
            }
            return new Options(quick, output, checks, bench, runs);
        }
    }

    /// <summary>What the run found, written as TSV files for eng/gpu-check/report.py (after each result: a run cut short keeps them).</summary>
    internal sealed class Report(string folder)
    {
        private readonly List<string> _checks = ["name\tresult\tmax_error\ttolerance\tnote"];
        private readonly List<string> _timings = ["name\tms\tmetric\tunit\tdetail"];
        private string _device = "";

        public void Device(string name) => _device = name;

        public void Check(string name, bool pass, double error, double tolerance, string note)
        {
            _checks.Add($"{name}\t{(pass ? "PASS" : "FAIL")}\t{error:G4}\t{tolerance:G4}\t{note}");
            Write();
        }

        public void Timing(string name, double ms, double metric, string unit, string detail)
        {
            // The machine-readable line: name ours_ms.
            Console.WriteLine($"RESULT {name} {ms:G6}");
            _timings.Add($"{name}\t{ms:G6}\t{metric:G6}\t{unit}\t{detail}");
            Write();
        }

        public void Write()
        {
            File.WriteAllText(Path.Combine(folder, "device.txt"), _device + "\n");
            File.WriteAllLines(Path.Combine(folder, "checks.tsv"), _checks);
            File.WriteAllLines(Path.Combine(folder, "ours.tsv"), _timings);
        }
    }

    /// <summary>Timing: a warm-up, then the median of timed runs (fewer when one run is long).</summary>
    internal static class Timer
    {
        /// <summary>The median milliseconds of <paramref name="action"/> over up to <paramref name="runs"/> runs, within about <paramref name="budgetMs"/>.</summary>
        public static (double Median, int Runs) Median(Action action, int runs, double budgetMs = 8000, int warmups = 2)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < warmups; i++) action();
            watch.Restart();
            action();
            double warm = watch.Elapsed.TotalMilliseconds;
            int n = Math.Clamp((int)(budgetMs / Math.Max(warm, 1e-3)), 3, runs);
            var times = new double[n];
            for (int i = 0; i < n; i++)
            {
                watch.Restart();
                action();
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            return (n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2, n);
        }
    }
}
