using System.Diagnostics;
using System.Text.RegularExpressions;
using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Execution;

/// <summary>
/// The kernel calling convention: the C header generated from <see cref="KernelAbi"/> states the layout the C# frame
/// has, so the LLVM side (which reads the same definition) and the runtime cannot drift.
/// </summary>
public partial class KernelAbiTests
{
    [GeneratedRegex(@"offsetof\(jax_kernel_call_frame, (\w+)\) == (\d+)")]
    private static partial Regex StatedOffset();

    [GeneratedRegex(@"^  (.+) (\w+); /\* offset (\d+):", RegexOptions.Multiline)]
    private static partial Regex DeclaredField();

    [GeneratedRegex(@"#define (JAX_KERNEL_\w+) (-?\d+)")]
    private static partial Regex Define();

    /// <summary>The C# frame's field offsets, measured on the struct itself, by C field name.</summary>
    private static unsafe Dictionary<string, int> MeasuredOffsets()
    {
        KernelCallFrame frame = default;
        byte* start = (byte*)&frame;
        return new()
        {
            ["abi_version"] = (int)((byte*)&frame.AbiVersion - start),
            ["buffer_count"] = (int)((byte*)&frame.BufferCount - start),
            ["buffers"] = (int)((byte*)&frame.Buffers - start),
            ["buffer_lengths"] = (int)((byte*)&frame.BufferLengths - start),
            ["symbol_count"] = (int)((byte*)&frame.SymbolCount - start),
            ["worker_count"] = (int)((byte*)&frame.WorkerCount - start),
            ["symbol_values"] = (int)((byte*)&frame.SymbolValues - start),
            ["parallel_for"] = (int)((byte*)&frame.ParallelFor - start),
            ["parallel_context"] = (int)((byte*)&frame.ParallelContext - start),
        };
    }

    [Fact]
    public unsafe void The_header_states_the_offsets_and_size_of_the_csharp_frame()
    {
        string header = KernelAbi.CHeader();
        var stated = StatedOffset().Matches(header).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(MeasuredOffsets(), stated);
        var declared = DeclaredField().Matches(header).Select(m => (m.Groups[2].Value, int.Parse(m.Groups[3].Value))).ToArray();
        Assert.Equal(MeasuredOffsets().Select(p => (p.Key, p.Value)).OrderBy(p => p.Value), declared);
        Assert.Contains($"sizeof(jax_kernel_call_frame) == {sizeof(KernelCallFrame)},", header);
        Assert.Equal(KernelCallFrame.Size, sizeof(KernelCallFrame));
        Assert.Equal(MeasuredOffsets().Values.OrderBy(o => o), KernelAbi.MeasureFrameLayout());
    }

    [Fact]
    public unsafe void The_field_table_covers_the_frame_without_gaps()
    {
        var fields = KernelAbi.FrameFields;
        for (int i = 1; i < fields.Count; i++) Assert.Equal(fields[i - 1].Offset + fields[i - 1].Size, fields[i].Offset);
        Assert.Equal(sizeof(KernelCallFrame), fields[^1].Offset + fields[^1].Size);
        Assert.Equal(1, ExecutionContracts.KernelAbiVersion);
    }

    [Fact]
    public void The_header_defines_the_version_alignment_and_every_status_code()
    {
        var defines = Define().Matches(KernelAbi.CHeader()).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(ExecutionContracts.KernelAbiVersion, defines["JAX_KERNEL_ABI_VERSION"]);
        Assert.Equal(64, defines["JAX_KERNEL_BUFFER_ALIGNMENT"]);
        foreach (var status in Enum.GetValues<KernelStatus>()) Assert.Equal((int)status, defines[KernelAbi.CName(status)]);
        Assert.Equal(0, defines["JAX_KERNEL_OK"]);
        Assert.Equal(3, defines["JAX_KERNEL_ERROR_BUFFER_TOO_SMALL"]);
        Assert.Equal(Enum.GetValues<KernelStatus>().Length + 2, defines.Count);
        Assert.Equal("unknown kernel status 99", KernelAbi.Describe((KernelStatus)99));
    }

    /// <summary>Where a C compiler is installed (the build machines have gcc), the header compiles as C11 and C++ and its static assertions hold.</summary>
    [Theory]
    [InlineData("c", "-std=c11")]
    [InlineData("c++", "-std=c++17")]
    public void The_header_compiles_and_its_assertions_hold_where_a_C_compiler_is_installed(string language, string standard)
    {
        string? compiler = new[] { "/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang" }.FirstOrDefault(File.Exists);
        if (compiler is null || !OperatingSystem.IsLinux()) return;
        string source = KernelAbi.CHeader() + "\nint32_t jax_check(const jax_kernel_call_frame* frame) { return frame->abi_version == JAX_KERNEL_ABI_VERSION ? JAX_KERNEL_OK : JAX_KERNEL_ERROR_ABI_VERSION_MISMATCH; }\n";
        var start = new ProcessStartInfo(compiler, ["-x", language, standard, "-Wall", "-Werror", "-fsyntax-only", "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(source);
        process.StandardInput.Close();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
    }
}
