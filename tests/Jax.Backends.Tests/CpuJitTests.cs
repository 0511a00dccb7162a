using System.Diagnostics;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Backends.Tests;

/// <summary>The ORC JIT: kernels built with the bindings, compiled for this machine, called through <c>delegate* unmanaged</c>.</summary>
public unsafe class CpuJitTests(ITestOutputHelper output)
{
    [Fact]
    public void A_jitted_kernel_runs_on_host_buffers_through_the_call_frame()
    {
        var clock = Stopwatch.StartNew();
        using var jit = new CpuJit();
        var started = clock.Elapsed;
        using var context = CpuJit.CreateContext();
        jit.AddModule(ScaleKernel.Build(context, "scale"));
        var kernel = jit.LookupKernel("scale");
        var compiled = clock.Elapsed - started;
        output.WriteLine($"JIT for {jit.Target.Cpu} ({jit.Target.Triple}) created in {started.TotalMilliseconds:F1} ms; kernel optimized (O3) and compiled in {compiled.TotalMilliseconds:F1} ms");

        foreach (int n in new[] { 0, 1, 3, 16, 17, 1000, 4099 }) ScaleKernel.Check(kernel, n);
        Assert.Equal((nint)kernel, (nint)jit.LookupKernel("scale"));
        Assert.Equal("host", jit.Target.Isa);
    }

    [Fact]
    public void A_jitted_kernel_checks_the_frame_it_is_given()
    {
        using var jit = new CpuJit();
        using var context = CpuJit.CreateContext();
        jit.AddModule(ScaleKernel.Build(context, "scale"));
        var kernel = jit.LookupKernel("scale");
        using var input = Buffer.Of(new float[] { 1, 2, 3, 4 });
        using var output = Buffer.Zeros(DType.Float32, Shape.Of(4));
        using var shortOutput = Buffer.Zeros(DType.Float32, Shape.Of(3));

        Assert.Equal(KernelStatus.AbiVersionMismatch, ScaleKernel.Call(kernel, input, output, abiVersion: 2));
        Assert.Equal(KernelStatus.BufferTooSmall, ScaleKernel.Call(kernel, input, shortOutput));
        Assert.Equal([0f, 0, 0], shortOutput.ToArray<float>());
        Assert.Equal(KernelStatus.Ok, ScaleKernel.Call(kernel, input, output));
        Assert.Equal([3f, 5, 7, 9], output.ToArray<float>());
    }

    /// <summary>
    /// <c>float lanes(float a, int32 k)</c>: splat a (insertelement + shufflevector), multiply by &lt;1, 2, 3, 4&gt;, take
    /// lane k, clamp below at 0 (fcmp + select), add k converted to float (sitofp) with fast-math flags.
    /// </summary>
    [Fact]
    public void Vector_comparison_select_and_cast_instructions_compile_and_compute()
    {
        using var jit = new CpuJit();
        using var context = CpuJit.CreateContext();
        var module = context.CreateModule("lanes");
        using (var b = context.CreateBuilder())
        {
            LLVMTypeRef f32 = context.Float, i32 = context.Int32, v4 = LlvmCore.VectorType(f32, 4);
            var function = module.AddFunction("lanes", LlvmContext.FunctionType(f32, f32, i32));
            b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(context, function, "entry"));
            LLVMValueRef a = LlvmCore.GetParam(function, 0), k = LlvmCore.GetParam(function, 1);
            var one = LlvmCore.BuildInsertElement(b, LlvmCore.GetPoison(v4), a, LlvmCore.ConstInt(i32, 0, false), "one");
            var splat = b.ShuffleVector(one, LlvmCore.GetPoison(v4), [0, 0, 0, 0], "splat");
            var scales = LlvmCore.ConstVector([.. new[] { 1.0, 2, 3, 4 }.Select(s => LlvmCore.ConstReal(f32, s))], 4);
            var scaled = b.BinaryOperation(LLVMOpcode.FMul, splat, scales, name: "scaled");
            var lane = LlvmCore.BuildExtractElement(b, scaled, k, "lane");
            var negative = LlvmCore.BuildFCmp(b, LLVMRealPredicate.OLT, lane, LlvmCore.ConstNull(f32), "negative");
            var clamped = LlvmCore.BuildSelect(b, negative, LlvmCore.ConstNull(f32), lane, "clamped");
            var kFloat = LlvmCore.BuildCast(b, LLVMOpcode.SIToFP, k, f32, "k_float");
            var flags = LLVMFastMathFlags.NoSignedZeros | LLVMFastMathFlags.AllowContract;
            var sum = b.BinaryOperation(LLVMOpcode.FAdd, clamped, kFloat, flags, "sum");
            Assert.True(LlvmCore.CanValueUseFastMathFlags(sum));
            Assert.Equal(flags, LlvmCore.GetFastMathFlags(sum));
            LlvmCore.BuildRet(b, sum);
        }
        Assert.Contains("fadd nsz contract float %clamped, %k_float", module.PrintToString());
        jit.AddModule(module);

        var lanes = (delegate* unmanaged[Cdecl]<float, int, float>)jit.Lookup("lanes");
        Assert.Equal(6.5f, lanes(1.5f, 2));
        Assert.Equal(3f, lanes(-1f, 3));
        Assert.Equal(0.5f, lanes(0.5f, 0));
    }

    [Fact]
    public void Modules_are_added_and_looked_up_from_several_threads()
    {
        using var jit = new CpuJit();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var context = CpuJit.CreateContext();
            jit.AddModule(ScaleKernel.Build(context, $"scale_{i}"));
            ScaleKernel.Check(jit.LookupKernel($"scale_{i}"), 100 + i);
        });
        Parallel.For(0, 8, i => ScaleKernel.Check(jit.LookupKernel($"scale_{i}"), 1000));
    }
}
