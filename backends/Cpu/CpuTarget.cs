using System.Runtime.InteropServices;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu;

/// <summary>The object file format of a target, which decides the linker.</summary>
public enum ObjectFormat
{
    /// <summary>ELF (Linux): <c>ld.lld-19</c>, <c>.so</c>.</summary>
    Elf,

    /// <summary>COFF/PE (Windows): <c>lld-link-19</c>, <c>.dll</c>.</summary>
    Coff,

    /// <summary>Mach-O (macOS): <c>ld64.lld-19</c>, <c>.dylib</c>.</summary>
    MachO,
}

/// <summary>
/// What a CPU kernel library is compiled for: a runtime identifier and ISA level (as the manifest's <c>cpu</c> entries
/// name them, <see cref="CpuKernelEntry"/>), and the LLVM triple, CPU and features that produce it.
/// <para>
/// The shipped targets (<see cref="Shipped"/>) assume no more than their ISA level, since a library must run on any CPU
/// of its RID (design principle 8): x64 at the x86-64 psABI levels v2 (SSE4.2, POPCNT: every x64 CPU since about
/// 2009), v3 (AVX2, FMA, BMI2: Haswell, Zen 1) and v4 (AVX-512 F/BW/CD/DQ/VL: Skylake-X, Ice Lake, Zen 4), chosen at
/// load time by the CPU's features; linux-arm64 at ARMv8.0-A with Advanced SIMD (CPU <c>generic</c>: Cortex-A53/A72
/// boards such as the Raspberry Pi 4 and Graviton 1 run it; <c>neoverse-n1</c> would add ARMv8.2 (dot product, fp16,
/// LSE atomics) that kernels gain little from and those machines lack); osx-arm64 at <c>apple-m1</c>, the oldest
/// Apple silicon. On x86-64-v4, LLVM's tuning prefers 256-bit vectors (Skylake-X lowered its clock on 512-bit ones);
/// ours turns that off (<c>-prefer-256-bit</c>) so the vectorizer uses zmm registers: the CPUs that run v4 code today
/// (Zen 4 and 5, Ice Lake and later Xeons) run them at full speed, and it is the point of a separate v4 build.
/// </para>
/// </summary>
/// <param name="Rid">The .NET runtime identifier (<c>linux-x64</c>, <c>win-x64</c>, <c>osx-arm64</c>).</param>
/// <param name="Isa">The ISA level as the manifest names it (<c>x86-64-v3</c>, <c>arm64</c>; <c>host</c> for <see cref="Host"/>).</param>
/// <param name="Triple">The LLVM target triple.</param>
/// <param name="Cpu">The LLVM CPU name.</param>
/// <param name="Features">The LLVM feature string added to the CPU's (empty for none).</param>
public sealed record CpuTarget(string Rid, string Isa, string Triple, string Cpu, string Features)
{
    /// <summary>The ISA level name of <see cref="Host"/> (not a manifest level: JIT code never leaves its machine).</summary>
    public const string HostIsa = "host";

    private const string LinuxX64Triple = "x86_64-unknown-linux-gnu";
    private const string WindowsX64Triple = "x86_64-pc-windows-msvc";
    private const string Prefer512BitVectors = "-prefer-256-bit";

    /// <summary>linux-x64 at x86-64-v2.</summary>
    public static CpuTarget LinuxX64V2 { get; } = new("linux-x64", "x86-64-v2", LinuxX64Triple, "x86-64-v2", "");

    /// <summary>linux-x64 at x86-64-v3.</summary>
    public static CpuTarget LinuxX64V3 { get; } = new("linux-x64", "x86-64-v3", LinuxX64Triple, "x86-64-v3", "");

    /// <summary>linux-x64 at x86-64-v4, preferring 512-bit vectors.</summary>
    public static CpuTarget LinuxX64V4 { get; } = new("linux-x64", "x86-64-v4", LinuxX64Triple, "x86-64-v4", Prefer512BitVectors);

    /// <summary>linux-arm64 at ARMv8.0-A with Advanced SIMD.</summary>
    public static CpuTarget LinuxArm64 { get; } = new("linux-arm64", CpuKernelEntry.Arm64IsaLevel, "aarch64-unknown-linux-gnu", "generic", "+neon,+fp-armv8");

    /// <summary>win-x64 at x86-64-v2 (COFF).</summary>
    public static CpuTarget WindowsX64V2 { get; } = new("win-x64", "x86-64-v2", WindowsX64Triple, "x86-64-v2", "");

    /// <summary>win-x64 at x86-64-v3 (COFF).</summary>
    public static CpuTarget WindowsX64V3 { get; } = new("win-x64", "x86-64-v3", WindowsX64Triple, "x86-64-v3", "");

    /// <summary>win-x64 at x86-64-v4 (COFF), preferring 512-bit vectors.</summary>
    public static CpuTarget WindowsX64V4 { get; } = new("win-x64", "x86-64-v4", WindowsX64Triple, "x86-64-v4", Prefer512BitVectors);

    /// <summary>osx-arm64 at Apple M1 (Mach-O, macOS 11 and later).</summary>
    public static CpuTarget OsxArm64 { get; } = new("osx-arm64", CpuKernelEntry.Arm64IsaLevel, "arm64-apple-macosx11.0.0", "apple-m1", "");

    /// <summary>Every target precompiled kernels are built for, by RID, oldest ISA level first.</summary>
    public static IReadOnlyList<CpuTarget> Shipped { get; } =
        [LinuxX64V2, LinuxX64V3, LinuxX64V4, LinuxArm64, WindowsX64V2, WindowsX64V3, WindowsX64V4, OsxArm64];

    private static readonly Lazy<CpuTarget> HostTarget = new(DetectHost);

    /// <summary>This machine, with all its CPU's features (for the JIT; never for a shipped library).</summary>
    public static CpuTarget Host => HostTarget.Value;

    /// <summary>The shipped target of a RID and ISA level; throws naming the known ones.</summary>
    public static CpuTarget For(string rid, string isa) =>
        Shipped.FirstOrDefault(t => t.Rid == rid && t.Isa == isa)
        ?? throw new ArgumentException(
            $"no CPU target {rid} {isa}; known: {string.Join(", ", Shipped.Select(t => $"{t.Rid} {t.Isa}"))}");

    /// <summary>The object format the triple implies.</summary>
    public ObjectFormat Format =>
        Triple.Contains("-windows", StringComparison.Ordinal) ? ObjectFormat.Coff
        : Triple.Contains("-apple-", StringComparison.Ordinal) ? ObjectFormat.MachO
        : ObjectFormat.Elf;

    /// <summary>Whether the triple is an x86-64 one (otherwise AArch64).</summary>
    public bool IsX64 => Triple.StartsWith("x86_64", StringComparison.Ordinal);

    /// <summary>The target's name in messages: <c>linux-x64 x86-64-v3</c>.</summary>
    public override string ToString() => $"{Rid} {Isa}";

    private static CpuTarget DetectHost()
    {
        LlvmLibrary.EnsureAvailable();
        string triple = LlvmErrors.TakeMessage(LlvmTargets.GetDefaultTargetTriple()) ?? "";
        string cpu = LlvmErrors.TakeMessage(LlvmTargets.GetHostCPUName()) ?? "generic";
        string features = LlvmErrors.TakeMessage(LlvmTargets.GetHostCPUFeatures()) ?? "";
        return new CpuTarget(HostRid(), HostIsa, triple, cpu, features);
    }

    private static string HostRid()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
    }
}
