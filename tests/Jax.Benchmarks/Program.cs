using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using JaxToolchain;
using JaxToolchain.Benchmarks;
using Perfolizer.Mathematics.OutlierDetection;
using TorchSharp;

// Jax.Toolchain against TorchSharp, both measured in this process by BenchmarkDotNet's in-process toolchain
// (nothing is rebuilt per benchmark). Run by eng/bench.sh:
//   Jax.Benchmarks [--quick] [--artifacts DIR]
// --quick: two warm-up and 15 measured calls per benchmark (under 3 minutes on the 2-core VM); otherwise
// BenchmarkDotNet's default accuracy (several minutes). Ends with the table "name ours peer ratio" (medians;
// ratio = peer / ours), also written to DIR/results.txt (DIR defaults to artifacts/bench).

const int PeerThreads = 2;

bool quick = args.Contains("--quick");
int artifactsAt = Array.IndexOf(args, "--artifacts");
string artifacts = artifactsAt >= 0 && artifactsAt + 1 < args.Length ? args[artifactsAt + 1] : Path.Combine("artifacts", "bench");

torch.set_num_threads(PeerThreads);
// Jitted functions compile to native code through LLVM (the opt-in Jax.Runtime.Jit), and eager ops on large arrays run
// compiled one-operation kernels; small eager ops run on the interpreter.
string compiled = JaxJit.Enable(out var noLlvm)
    ? "jitted functions and eager ops on >= 4096 elements compiled by LLVM 19 in process (Jax.Runtime.Jit)"
    : $"the interpreter ({noLlvm})";
string[] machine =
[
    $"machine: {CpuModel()}, {Environment.ProcessorCount} cores, load average {LoadAverage()} at start; mode: {(quick ? "quick" : "full")}",
    $"ours: Jax.Toolchain, {compiled}; .NET {Environment.Version}, ProcessorCount {Environment.ProcessorCount} " +
        "(kernels split their work over that many threads)",
    $"peer: TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)} (libtorch CPU), torch.get_num_threads() = {torch.get_num_threads()}",
];

try
{
    PeerAgreement.CheckSelu();
    PeerAgreement.CheckMlp();
    PeerAgreement.CheckConv();
}
catch (PeerDisagreementException e)
{
    Console.Error.WriteLine($"bench: ours and TorchSharp disagree, so nothing is timed: {e.Message}");
    return 1;
}

// --quick: a fixed short job, one call per iteration (every benchmark takes milliseconds or more). Otherwise
// BenchmarkDotNet's default job, which picks the calls per iteration and runs until the statistics settle.
// Outliers are kept: the table's medians are over every measured iteration. No GC is forced between
// iterations: our garbage is collected, and charged to us, as in a loop of calls (libtorch frees its
// results at once either way). With forced collections our eager selu alternated 62 ms / 161 ms per call.
var inProcess = Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
    .WithOutlierMode(OutlierMode.DontRemove)
    .WithGcForce(false);
var job = quick
    ? inProcess.WithWarmupCount(2).WithIterationCount(15).WithInvocationCount(1).WithUnrollFactor(1).WithEvaluateOverhead(false)
    : inProcess;
var config = ManualConfig.CreateEmpty()
    .AddJob(job)
    .AddLogger(ConsoleLogger.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddExporter(MarkdownExporter.GitHub)
    .WithArtifactsPath(Path.GetFullPath(artifacts));

var summaries = BenchmarkRunner.Run([typeof(SeluBenchmarks), typeof(MlpStepBenchmarks), typeof(GradChainBenchmarks),
    typeof(GradSumLogisticBenchmarks), typeof(VmapApplyMatrixBenchmarks), typeof(GemmBenchmarks), typeof(ConvBenchmarks), typeof(PrecompiledCallBenchmarks)], config);
var medians = summaries.SelectMany(s => s.Reports).ToDictionary(
    report => (report.BenchmarkCase.Descriptor.Type, report.BenchmarkCase.Descriptor.WorkloadMethod.Name),
    report => report.ResultStatistics is { } statistics ? Quantity.Seconds(statistics.Median / 1e9) : null);
Quantity? Median(Type benchmarks, string method) => medians.GetValueOrDefault((benchmarks, method));

WorkloadResult[] results =
[
    new("selu_eager", Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.OursEager)), Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.Torch))),
    new("selu_jit", Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.OursJit)), Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.Torch))),
    new("selu_jit_inplace", Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.OursJitInPlace)), Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.TorchInPlace))),
    new("copy_bound", Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.OursJit)), Median(typeof(SeluBenchmarks), nameof(SeluBenchmarks.CopyBound))),
    new("mlp_step_eager", Median(typeof(MlpStepBenchmarks), nameof(MlpStepBenchmarks.OursEager)), Median(typeof(MlpStepBenchmarks), nameof(MlpStepBenchmarks.Torch))),
    new("mlp_step_jit", Median(typeof(MlpStepBenchmarks), nameof(MlpStepBenchmarks.OursJit)), Median(typeof(MlpStepBenchmarks), nameof(MlpStepBenchmarks.Torch))),
    JitPeakMemoryWorkload.Measure(new DevicePeakMemoryProbe()),
    new("grad_sum_logistic", Median(typeof(GradSumLogisticBenchmarks), nameof(GradSumLogisticBenchmarks.Ours)), Median(typeof(GradSumLogisticBenchmarks), nameof(GradSumLogisticBenchmarks.Torch))),
    new("vmap_apply_matrix", Median(typeof(VmapApplyMatrixBenchmarks), nameof(VmapApplyMatrixBenchmarks.OursVmap)), Median(typeof(VmapApplyMatrixBenchmarks), nameof(VmapApplyMatrixBenchmarks.HandBatched))),
    new("grad_chain_4000", Median(typeof(GradChainBenchmarks), nameof(GradChainBenchmarks.Ours)), null),
    new("gemm_3000", Median(typeof(GemmBenchmarks), nameof(GemmBenchmarks.OursJit)), Median(typeof(GemmBenchmarks), nameof(GemmBenchmarks.Torch))),
    new("fma_peak", Median(typeof(GemmBenchmarks), nameof(GemmBenchmarks.OursJit)), Median(typeof(GemmBenchmarks), nameof(GemmBenchmarks.FmaPeak))),
    new("conv2d_3x3", Median(typeof(ConvBenchmarks), nameof(ConvBenchmarks.OursJit)), Median(typeof(ConvBenchmarks), nameof(ConvBenchmarks.Torch))),
    new("conv2d_3x3_grad", Median(typeof(ConvBenchmarks), nameof(ConvBenchmarks.OursGrad)), Median(typeof(ConvBenchmarks), nameof(ConvBenchmarks.TorchGrad))),
    new("maxpool_2x2", Median(typeof(ConvBenchmarks), nameof(ConvBenchmarks.OursPool)), Median(typeof(ConvBenchmarks), nameof(ConvBenchmarks.TorchPool))),
    new("precompiled_call_100", Median(typeof(PrecompiledCallBenchmarks), nameof(PrecompiledCallBenchmarks.OursAddOne)), Median(typeof(PrecompiledCallBenchmarks), nameof(PrecompiledCallBenchmarks.TorchAddOne))),
    new("grad_sum_logistic_aot", Median(typeof(PrecompiledCallBenchmarks), nameof(PrecompiledCallBenchmarks.OursGradSumLogistic)), Median(typeof(PrecompiledCallBenchmarks), nameof(PrecompiledCallBenchmarks.TorchGradSumLogistic))),
];

string table = ResultTable.Format(machine, results);
ResultTable.Write(table, Path.Combine(artifacts, "results.txt"));
Console.WriteLine();
Console.Write(table);

var failed = summaries.SelectMany(s => s.BenchmarksCases.Where(c => s[c] is not { Success: true, ResultStatistics: not null }))
    .Select(c => c.Descriptor.DisplayInfo).ToList();
if (failed.Count > 0 || summaries.Any(s => s.HasCriticalValidationErrors))
{
    Console.Error.WriteLine($"bench: benchmarks failed: {string.Join(", ", failed.DefaultIfEmpty("validation"))} (see the BenchmarkDotNet log above)");
    return 1;
}
return 0;

static string CpuModel()
{
    const string cpuInfo = "/proc/cpuinfo";
    var line = File.Exists(cpuInfo) ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
    return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
}

// The 1-minute load average: other work on the machine shows in the timings.
static string LoadAverage()
{
    const string loadAverage = "/proc/loadavg";
    return File.Exists(loadAverage) ? File.ReadAllText(loadAverage).Split(' ')[0] : "unknown";
}
