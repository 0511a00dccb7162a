using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace JaxToolchain.Runtime.Tests.Execution;

/// <summary>
/// ISA-level detection from CPUID and Linux's CPU flags, the path NativeAOT apps take (their IsSupported checks above
/// the compiled baseline are constant false): it must agree with the JIT's intrinsics on this machine.
/// </summary>
public class CpuIsaTests
{
    [Fact]
    public void Cpuid_and_the_kernels_flags_give_the_levels_the_intrinsics_report()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux()) return;
        var flags = CpuIsa.LinuxCpuFlags(File.ReadLines("/proc/cpuinfo"));
        var levels = CpuIsa.FromCpuid((leaf, sub) => X86Base.CpuId(leaf, sub), flags.Contains("avx"), flags.Contains("avx512f"));
        Assert.Equal(CpuIsa.Supported, levels);
    }

    [Fact]
    public void A_level_needs_every_feature_bit_and_the_os_saving_its_registers()
    {
        // Leaf 1 ECX, leaf 7 EBX, 0x80000001 ECX of a CPU with every v4 feature.
        const int ecx1 = 1 << 0 | 1 << 9 | 1 << 12 | 1 << 13 | 1 << 19 | 1 << 20 | 1 << 22 | 1 << 23 | 1 << 26 | 1 << 27 | 1 << 28 | 1 << 29;
        const int ebx7 = 1 << 3 | 1 << 5 | 1 << 8 | 1 << 16 | 1 << 17 | 1 << 28 | 1 << 30 | 1 << 31;
        const int ecxExt = 1 << 0 | 1 << 5;
        Func<int, int, (int, int, int, int)> Cpu(int e1, int b7, int eExt) => (leaf, _) => leaf switch
        {
            0 => (13, 0, 0, 0),
            1 => (0, 0, e1, 0),
            7 => (0, b7, 0, 0),
            unchecked((int)0x80000000) => (unchecked((int)0x80000008), 0, 0, 0),
            unchecked((int)0x80000001) => (0, 0, eExt, 0),
            _ => (0, 0, 0, 0),
        };
        Assert.Equal(["x86-64-v4", "x86-64-v3", "x86-64-v2"], CpuIsa.FromCpuid(Cpu(ecx1, ebx7, ecxExt), true, true));
        Assert.Equal(["x86-64-v3", "x86-64-v2"], CpuIsa.FromCpuid(Cpu(ecx1, ebx7, ecxExt), true, osSavesAvx512: false));
        Assert.Equal(["x86-64-v2"], CpuIsa.FromCpuid(Cpu(ecx1, ebx7, ecxExt), osSavesAvx: false, true));
        Assert.Equal(["x86-64-v3", "x86-64-v2"], CpuIsa.FromCpuid(Cpu(ecx1, ebx7 & ~(1 << 30), ecxExt), true, true)); // no AVX512BW
        Assert.Equal(["x86-64-v2"], CpuIsa.FromCpuid(Cpu(ecx1, ebx7, 1 << 0), true, true)); // no LZCNT
        Assert.Empty(CpuIsa.FromCpuid(Cpu(ecx1 & ~(1 << 23), ebx7, ecxExt), true, true)); // no POPCNT
    }

    [Fact]
    public void The_flags_line_of_cpuinfo_is_read_as_words()
    {
        var flags = CpuIsa.LinuxCpuFlags(["processor\t: 0", "flags\t\t: fpu avx avx512f sse4_2", "bugs\t\t: none"]);
        Assert.Equal(["fpu", "avx", "avx512f", "sse4_2"], flags.ToArray());
        Assert.Empty(CpuIsa.LinuxCpuFlags(["processor\t: 0"]));
    }
}
