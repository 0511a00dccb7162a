namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// What explicit vector code is sized by on a target: the width of its vector registers, how many there are, and
/// whether it has fused multiply-add instructions. x86-64-v4 (AVX-512): 32 registers of 512 bits, FMA; x86-64-v3
/// (AVX2): 16 of 256 bits, FMA; x86-64-v2 (SSE4.2): 16 of 128 bits, no FMA (a fused multiply-add would be a call of
/// <c>fmaf</c>, which kernels may not make); arm64 (Advanced SIMD): 32 of 128 bits, FMA. The host's facts come from its
/// LLVM feature string.
/// </summary>
/// <param name="Bits">The vector register width in bits.</param>
/// <param name="Registers">The number of vector registers.</param>
/// <param name="HasFusedMultiplyAdd">Whether <c>llvm.fma</c> is one instruction.</param>
internal sealed record VectorIsa(int Bits, int Registers, bool HasFusedMultiplyAdd)
{
    /// <summary>AVX-512 (x86-64-v4).</summary>
    public static VectorIsa Avx512 { get; } = new(512, 32, true);

    /// <summary>AVX2 with FMA (x86-64-v3).</summary>
    public static VectorIsa Avx2 { get; } = new(256, 16, true);

    /// <summary>SSE4.2 (x86-64-v2).</summary>
    public static VectorIsa Sse42 { get; } = new(128, 16, false);

    /// <summary>Advanced SIMD (arm64).</summary>
    public static VectorIsa Neon { get; } = new(128, 32, true);

    /// <summary>The vector facts of <paramref name="target"/>: by its ISA level, or for the host by its features.</summary>
    public static VectorIsa Of(CpuTarget target)
    {
        if (!target.IsX64) return Neon;
        switch (target.Isa)
        {
            case "x86-64-v4": return Avx512;
            case "x86-64-v3": return Avx2;
            case "x86-64-v2": return Sse42;
        }
        var features = target.Features.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(f => f.StartsWith('+')).Select(f => f[1..]).ToHashSet(StringComparer.Ordinal);
        bool fma = features.Contains("fma");
        if (features.Contains("avx512f")) return Avx512 with { HasFusedMultiplyAdd = fma };
        if (features.Contains("avx2")) return Avx2 with { HasFusedMultiplyAdd = fma };
        return Sse42 with { HasFusedMultiplyAdd = fma };
    }
}
