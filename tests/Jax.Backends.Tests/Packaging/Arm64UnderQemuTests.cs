using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Backends.Tests.Packaging;

/// <summary>
/// A linux-arm64 kernel run for real under user-mode QEMU (Debian's <c>qemu-user</c>, optional: without
/// <c>qemu-aarch64</c> on PATH the test only builds the program). The program is a static aarch64 executable linked by
/// ld.lld from the kernel's object and a driver in LLVM IR (compiled by <c>llc-19</c>): <c>_start</c> fills a call frame
/// (ABI version 1, three 64-byte-aligned buffers, a serial <c>parallel_for</c>), calls the kernel, compares its output
/// with the interpreter's bit for bit and exits with 0, 1 (a difference) or 100 + the kernel's status.
/// </summary>
public sealed class Arm64UnderQemuTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jax-qemu-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, string Output) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), $"{tool} did not finish");
        return (process.ExitCode, text + errors.Result);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    private static string FloatArray(float[] values) =>
        string.Join(", ", values.Select(v => "float 0x" + BitConverter.DoubleToInt64Bits(v).ToString("X16", CultureInfo.InvariantCulture)));

    private static string Driver(string symbol, float[] x, float[] y, float[] expected)
    {
        int n = x.Length;
        string bits = string.Join(", ", expected.Select(v => "i32 " + BitConverter.SingleToInt32Bits(v).ToString(CultureInfo.InvariantCulture)));
        return $$"""
            target triple = "aarch64-unknown-linux-gnu"
            @x = internal global [{{n}} x float] [{{FloatArray(x)}}], align 64
            @y = internal global [{{n}} x float] [{{FloatArray(y)}}], align 64
            @out = internal global [{{n}} x float] zeroinitializer, align 64
            @expected = internal constant [{{n}} x i32] [{{bits}}], align 64
            @buffers = internal global [3 x ptr] [ptr @x, ptr @y, ptr @out], align 8
            @lengths = internal global [3 x i64] [i64 {{4 * n}}, i64 {{4 * n}}, i64 {{4 * n}}], align 8
            @frame = internal global { i32, i32, ptr, ptr, i32, i32, ptr, ptr, ptr } { i32 {{ExecutionContracts.KernelAbiVersion}}, i32 3, ptr @buffers, ptr @lengths, i32 0, i32 1, ptr null, ptr @serial_for, ptr null }, align 8

            declare i32 @{{symbol}}(ptr)

            define internal i32 @serial_for(ptr %context, i64 %count, ptr %body, ptr %body_context) {
            entry:
              br label %loop
            loop:
              %i = phi i64 [ 0, %entry ], [ %next, %continue ]
              %done = icmp sge i64 %i, %count
              br i1 %done, label %finished, label %call
            call:
              %status = call i32 %body(ptr %body_context, i64 %i, i32 0)
              %failed = icmp ne i32 %status, 0
              br i1 %failed, label %fail, label %continue
            continue:
              %next = add i64 %i, 1
              br label %loop
            fail:
              ret i32 %status
            finished:
              ret i32 0
            }

            define internal void @sys_exit(i32 %code) noreturn nounwind {
              %wide = sext i32 %code to i64
              call void asm sideeffect "mov x8, #93\0Asvc #0", "{x0},~{x8}"(i64 %wide)
              unreachable
            }

            define void @_start() noreturn nounwind {
            entry:
              %status = call i32 @{{symbol}}(ptr @frame)
              %failed = icmp ne i32 %status, 0
              br i1 %failed, label %kernel_failed, label %loop
            kernel_failed:
              %code = add i32 %status, 100
              call void @sys_exit(i32 %code)
              unreachable
            loop:
              %i = phi i64 [ 0, %entry ], [ %next, %same ]
              %got_at = getelementptr inbounds [{{n}} x i32], ptr @out, i64 0, i64 %i
              %want_at = getelementptr inbounds [{{n}} x i32], ptr @expected, i64 0, i64 %i
              %got = load i32, ptr %got_at, align 4
              %want = load i32, ptr %want_at, align 4
              %equal = icmp eq i32 %got, %want
              br i1 %equal, label %same, label %differs
            same:
              %next = add i64 %i, 1
              %done = icmp eq i64 %next, {{n}}
              br i1 %done, label %ok, label %loop
            differs:
              call void @sys_exit(i32 1)
              unreachable
            ok:
              call void @sys_exit(i32 0)
              unreachable
            }
            """;
    }

    [Fact]
    public void An_arm64_kernel_runs_under_qemu_and_matches_the_interpreter()
    {
        var function = IrParser.ParseFunction(KernelLibraryFixture.Sources[0]); // affine: f32[64] x 2 -> f32[64]
        var x = Enumerable.Range(0, 64).Select(i => (i - 20) * 0.37f).ToArray();
        var y = Enumerable.Range(0, 64).Select(i => 1.5f - (i * 0.11f)).ToArray();
        var expected = Interpreter.Run(function, Buffer.Of(x, 64), Buffer.Of(y, 64))[0].ToArray<float>();

        const string Symbol = "jax_affine_arm64";
        using (var context = LlvmContext.Create())
        {
            var (module, signature) = KernelCompiler.Build(context, function, Symbol);
            using (module)
            using (var emitter = new ObjectEmitter(CpuTarget.LinuxArm64))
                File.WriteAllBytes(Path.Combine(_folder, "kernel.o"), emitter.EmitObject(module));
            Assert.Empty(signature.Scratch);
        }
        File.WriteAllText(Path.Combine(_folder, "driver.ll"), Driver(Symbol, x, y, expected), new UTF8Encoding(false));
        string driver = Path.Combine(_folder, "driver.o"), program = Path.Combine(_folder, "affine");
        var compiled = Run("llc-19", "-O1", "-filetype=obj", "-o", driver, Path.Combine(_folder, "driver.ll"));
        Assert.True(compiled.ExitCode == 0, compiled.Output);
        var linked = Run(LinkerTools.Default.Elf, "-static", "-e", "_start", "-o", program, driver, Path.Combine(_folder, "kernel.o"));
        Assert.True(linked.ExitCode == 0, linked.Output);
        Assert.Contains("elf64-littleaarch64", Run("llvm-objdump-19", "-f", program).Output);

        if (!OnPath("qemu-aarch64"))
        {
            output.WriteLine("qemu-aarch64 is not installed (Debian: apt-get install qemu-user): the program was built, not run");
            return;
        }
        var clock = Stopwatch.StartNew();
        var ran = Run("qemu-aarch64", program);
        output.WriteLine($"qemu-aarch64 ran the kernel in {clock.ElapsedMilliseconds} ms: exit code {ran.ExitCode} {ran.Output}");
        Assert.Equal(0, ran.ExitCode);
    }
}
