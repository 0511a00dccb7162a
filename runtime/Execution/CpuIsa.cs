using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// The instruction-set levels precompiled CPU kernels are built for, and the best one this CPU runs: x86-64 micro-
/// architecture levels (<c>x86-64-v2</c>, <c>x86-64-v3</c>, <c>x86-64-v4</c>, as the psABI defines them) and the arm64
/// baseline (<c>arm64</c>, ARMv8.0-A with Advanced SIMD; the manifest's name). A library ships one object per level; the runtime loads the best level the running CPU
/// supports. The environment variable <c>JAX_CPU_ISA</c> forces a level (to test a variant, or to work around a CPU
/// that misreports); forcing one the CPU lacks is refused.
/// </summary>
public static class CpuIsa
{
    /// <summary>The x86-64 levels, oldest first.</summary>
    public static IReadOnlyList<string> X86Levels { get; } = ["x86-64-v2", "x86-64-v3", "x86-64-v4"];

    /// <summary>The arm64 baseline level.</summary>
    public const string Arm64Baseline = CpuKernelEntry.Arm64IsaLevel;

    /// <summary>The environment variable that forces a level.</summary>
    public const string OverrideVariable = "JAX_CPU_ISA";

    /// <summary>The levels this CPU supports, best first (empty on an architecture we build no kernels for).</summary>
    public static IReadOnlyList<string> Supported { get; } = Detect();

    /// <summary>The level kernels are loaded for: <see cref="OverrideVariable"/> when set (and supported), else the best supported.</summary>
    public static string? Selected => Select(Environment.GetEnvironmentVariable(OverrideVariable));

    /// <summary>
    /// The level to load given a forced one (null: none): the forced level if this CPU supports it, else the best one;
    /// throws when the forced level is one this CPU cannot run.
    /// </summary>
    public static string? Select(string? forced)
    {
        if (string.IsNullOrWhiteSpace(forced)) return Supported.FirstOrDefault();
        return Supported.Contains(forced)
            ? forced
            : throw new PlatformNotSupportedException(
                $"{OverrideVariable}={forced}, but this CPU runs only [{string.Join(", ", Supported)}]");
    }

    /// <summary>
    /// The preference rank of a level on this CPU (0 best), or -1 when it cannot run here; kernels pick the entry
    /// with the lowest rank.
    /// </summary>
    public static int Rank(string isa, string? forced = null)
    {
        var selected = Select(forced);
        if (selected is null) return -1;
        // A forced level is the only acceptable one.
        if (!string.IsNullOrWhiteSpace(forced)) return isa == selected ? 0 : -1;
        int index = Supported.ToList().IndexOf(isa);
        return index;
    }

    private static string[] Detect()
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            return AdvSimd.IsSupported ? [Arm64Baseline] : [];
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return [];
        var levels = new List<string>();
        // x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT (CMPXCHG16B and LAHF/SAHF come with every such CPU).
        bool v2 = Sse3.IsSupported && Ssse3.IsSupported && Sse41.IsSupported && Sse42.IsSupported && Popcnt.IsSupported;
        // x86-64-v3: AVX, AVX2, BMI1, BMI2, FMA, LZCNT (F16C, MOVBE and XSAVE, which .NET does not report, come with them).
        bool v3 = v2 && Avx.IsSupported && Avx2.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Fma.IsSupported && Lzcnt.IsSupported;
        // x86-64-v4: AVX512F, AVX512BW, AVX512CD, AVX512DQ, AVX512VL.
        bool v4 = v3 && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;
        if (v4) levels.Add("x86-64-v4");
        if (v3) levels.Add("x86-64-v3");
        if (v2) levels.Add("x86-64-v2");
        return [.. levels];
    }
}
