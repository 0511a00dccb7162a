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
        var levels = FromIntrinsics();
        // Under NativeAOT the IsSupported checks above the compiled baseline (x86-64-v2 by default) are constants: false
        // whatever the CPU. Then CPUID says what the CPU has, and on Linux the kernel's CPU flags whether the OS saves
        // the AVX and AVX-512 registers (it clears those flags when it does not).
        if (levels.Length < X86Levels.Count && OperatingSystem.IsLinux() && X86Base.IsSupported)
        {
            try
            {
                var flags = LinuxCpuFlags(File.ReadLines("/proc/cpuinfo"));
                var fromCpuid = FromCpuid((leaf, sub) => X86Base.CpuId(leaf, sub), flags.Contains("avx"), flags.Contains("avx512f"));
                if (fromCpuid.Length > levels.Length) levels = fromCpuid;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return levels;
    }

    /// <summary>The words of the <c>flags</c> line of a Linux <c>/proc/cpuinfo</c>.</summary>
    internal static HashSet<string> LinuxCpuFlags(IEnumerable<string> cpuinfo)
    {
        string? line = cpuinfo.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal));
        return line is null ? [] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The x86-64 levels, best first, from CPUID's feature bits (the psABI's lists) and whether the OS saves the AVX
    /// (<paramref name="osSavesAvx"/>) and AVX-512 (<paramref name="osSavesAvx512"/>) register state.
    /// </summary>
    internal static string[] FromCpuid(Func<int, int, (int Eax, int Ebx, int Ecx, int Edx)> cpuid, bool osSavesAvx, bool osSavesAvx512)
    {
        static bool Bits(int word, params int[] bits) => bits.All(b => (word >> b & 1) != 0);
        var basic = cpuid(0, 0);
        var extended = cpuid(unchecked((int)0x80000000), 0);
        if (basic.Eax < 7 || (uint)extended.Eax < 0x80000001) return [];
        int ecx1 = cpuid(1, 0).Ecx, ebx7 = cpuid(7, 0).Ebx, ecxExt = cpuid(unchecked((int)0x80000001), 0).Ecx;
        // v2: SSE3 0, SSSE3 9, CX16 13, SSE4.1 19, SSE4.2 20, POPCNT 23 (leaf 1 ECX); LAHF 0 (0x80000001 ECX).
        bool v2 = Bits(ecx1, 0, 9, 13, 19, 20, 23) && Bits(ecxExt, 0);
        // v3: FMA 12, MOVBE 22, XSAVE 26, OSXSAVE 27, AVX 28, F16C 29; BMI1 3, AVX2 5, BMI2 8 (leaf 7 EBX); LZCNT 5.
        bool v3 = v2 && osSavesAvx && Bits(ecx1, 12, 22, 26, 27, 28, 29) && Bits(ebx7, 3, 5, 8) && Bits(ecxExt, 5);
        // v4: AVX512F 16, DQ 17, CD 28, BW 30, VL 31 (leaf 7 EBX).
        bool v4 = v3 && osSavesAvx512 && Bits(ebx7, 16, 17, 28, 30, 31);
        return BestFirst(v2, v3, v4);
    }

    /// <summary>The levels a CPU runs, best first, given which it supports (each implies the ones below).</summary>
    private static string[] BestFirst(bool v2, bool v3, bool v4) => [.. X86Levels.Take(v4 ? 3 : v3 ? 2 : v2 ? 1 : 0).Reverse()];

    private static string[] FromIntrinsics()
    {
        // x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT (CMPXCHG16B and LAHF/SAHF come with every such CPU).
        bool v2 = Sse3.IsSupported && Ssse3.IsSupported && Sse41.IsSupported && Sse42.IsSupported && Popcnt.IsSupported;
        // x86-64-v3: AVX, AVX2, BMI1, BMI2, FMA, LZCNT (F16C, MOVBE and XSAVE, which .NET does not report, come with them).
        bool v3 = v2 && Avx.IsSupported && Avx2.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Fma.IsSupported && Lzcnt.IsSupported;
        // x86-64-v4: AVX512F, AVX512BW, AVX512CD, AVX512DQ, AVX512VL.
        bool v4 = v3 && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;
        return BestFirst(v2, v3, v4);
    }
}
