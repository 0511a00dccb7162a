using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests;

/// <summary>
/// A kernel following the calling convention, built with the bindings the way the code generator will:
/// <c>int32_t kernel(const jax_kernel_call_frame* frame)</c> checks the ABI version and buffer count, takes
/// n = buffer_lengths[0] / 4 floats from buffers[0], checks that buffers[1] holds as many, and writes
/// <c>out[i] = in[i] * 2 + 1</c> (<c>llvm.fmuladd</c>) in a loop that <c>default&lt;O3&gt;</c> vectorizes.
/// </summary>
internal static class ScaleKernel
{
    /// <summary>What the kernel computes for one element (exact in float: x * 2 is exact, so a fused multiply-add agrees).</summary>
    public static float Expected(float x) => (x * 2) + 1;

    /// <summary>A module with one exported kernel named <paramref name="symbol"/>.</summary>
    public static LlvmModule Build(LlvmContext context, string symbol)
    {
        var module = context.CreateModule(symbol);
        using var b = context.CreateBuilder();
        LLVMTypeRef i32 = context.Int32, i64 = context.Int64, f32 = context.Float, ptr = context.Pointer;

        var kernel = module.AddFunction(symbol, LlvmContext.FunctionType(i32, ptr));
        LlvmCore.AddAttributeAtIndex(kernel, LlvmCore.AttributeFunctionIndex, context.EnumAttribute("nounwind"));
        LlvmCore.AddAttributeAtIndex(kernel, LlvmCore.AttributeFunctionIndex, context.StringAttribute("no-builtins"));
        LlvmCore.AddAttributeAtIndex(kernel, 1, context.EnumAttribute("noalias"));
        LlvmCore.AddAttributeAtIndex(kernel, 1, context.EnumAttribute("nocapture"));
        LlvmCore.AddAttributeAtIndex(kernel, 1, context.EnumAttribute("readonly"));
        var frame = LlvmCore.GetParam(kernel, 0);
        LlvmCore.SetValueName2(frame, "frame", 5);

        LLVMBasicBlockRef Block(string name) => LlvmCore.AppendBasicBlockInContext(context, kernel, name);
        LLVMValueRef I32(long v) => LlvmCore.ConstInt(i32, (ulong)v, signExtend: true);
        LLVMValueRef I64(long v) => LlvmCore.ConstInt(i64, (ulong)v, signExtend: true);
        LLVMValueRef FieldAddress(int offset) => b.InBoundsGep(context.Int8, frame, [I64(offset)], "field");
        var entry = Block("entry");
        var checkCount = Block("check_count");
        var checkLengths = Block("check_lengths");
        var loop = Block("loop");
        var done = Block("done");

        void ReturnStatus(KernelStatus status)
        {
            LlvmCore.BuildRet(b, I32((int)status));
        }
        void FailUnless(LLVMValueRef condition, LLVMBasicBlockRef next, KernelStatus status)
        {
            var fail = Block($"fail_{status}");
            LlvmCore.BuildCondBr(b, condition, next, fail);
            b.PositionAtEnd(fail);
            ReturnStatus(status);
            b.PositionAtEnd(next);
        }

        b.PositionAtEnd(entry);
        var version = b.Load(i32, FieldAddress(0), 8, "abi_version");
        FailUnless(LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, version, I32(ExecutionContracts.KernelAbiVersion), ""), checkCount, KernelStatus.AbiVersionMismatch);

        var count = b.Load(i32, FieldAddress(4), 4, "buffer_count");
        FailUnless(LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, count, I32(2), ""), checkLengths, KernelStatus.BufferCountMismatch);

        var buffers = b.Load(ptr, FieldAddress(8), 8, "buffers");
        var lengths = b.Load(ptr, FieldAddress(16), 8, "buffer_lengths");
        var input = b.Load(ptr, buffers, 8, "in");
        var output = b.Load(ptr, b.InBoundsGep(ptr, buffers, [I64(1)]), 8, "out");
        var inBytes = b.Load(i64, lengths, 8, "in_bytes");
        var outBytes = b.Load(i64, b.InBoundsGep(i64, lengths, [I64(1)]), 8, "out_bytes");
        var n = b.BinaryOperation(LLVMOpcode.LShr, inBytes, I64(2), name: "n");
        var needed = b.BinaryOperation(LLVMOpcode.Shl, n, I64(2));
        var start = Block("start");
        FailUnless(LlvmCore.BuildICmp(b, LLVMIntPredicate.UGE, outBytes, needed, ""), start, KernelStatus.BufferTooSmall);
        LlvmCore.BuildCondBr(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, n, I64(0), "empty"), done, loop);

        b.PositionAtEnd(loop);
        var i = b.Phi(i64, [(I64(0), start)], "i");
        var x = b.Load(f32, b.InBoundsGep(f32, input, [i]), 4, "x");
        var fmuladd = module.DeclareIntrinsic("llvm.fmuladd", f32);
        var y = b.Call(fmuladd, [x, LlvmCore.ConstReal(f32, 2), LlvmCore.ConstReal(f32, 1)], "y");
        b.Store(y, b.InBoundsGep(f32, output, [i]), 4);
        var next = b.BinaryOperation(LLVMOpcode.Add, i, I64(1), name: "next");
        LlvmCore.SetNUW(next, true);
        LlvmCore.SetNSW(next, true);
        LlvmBuilder.AddIncoming(i, next, loop);
        LlvmCore.BuildCondBr(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, next, n, "finished"), done, loop);

        b.PositionAtEnd(done);
        ReturnStatus(KernelStatus.Ok);
        return module;
    }

    /// <summary>The object file of the kernel named <paramref name="symbol"/> for a target (built in a context of its own).</summary>
    public static byte[] EmitObject(CpuTarget target, string symbol)
    {
        using var context = LlvmContext.Create();
        using var module = Build(context, symbol);
        using var emitter = new ObjectEmitter(target);
        return emitter.EmitObject(module);
    }

    /// <summary>One target of each object format (ELF, COFF, Mach-O), as (RID, ISA level).</summary>
    public static TheoryData<string, string> OneTargetPerFormat => new()
    {
        { "linux-x64", "x86-64-v3" },
        { "win-x64", "x86-64-v3" },
        { "osx-arm64", "arm64" },
    };

    /// <summary>Runs a kernel on host buffers through a frame, as the runtime's CPU loader will; returns its status.</summary>
    public static unsafe KernelStatus Call(delegate* unmanaged[Cdecl]<KernelCallFrame*, int> kernel, Buffer input, Buffer output, uint abiVersion = ExecutionContracts.KernelAbiVersion)
    {
        void** pointers = stackalloc void*[2];
        long* lengths = stackalloc long[2];
        pointers[0] = (void*)input.Pointer;
        pointers[1] = (void*)output.Pointer;
        lengths[0] = input.ByteLength;
        lengths[1] = output.ByteLength;
        var frame = new KernelCallFrame { AbiVersion = abiVersion, BufferCount = 2, Buffers = pointers, BufferLengths = lengths };
        return (KernelStatus)kernel(&frame);
    }

    /// <summary>Runs the kernel on <paramref name="n"/> varied floats and checks every result.</summary>
    public static unsafe void Check(delegate* unmanaged[Cdecl]<KernelCallFrame*, int> kernel, int n)
    {
        var values = Enumerable.Range(0, n).Select(k => (k * 0.37f) - 11.5f).ToArray();
        using var input = Buffer.Of(values);
        using var output = Buffer.Zeros(DType.Float32, Shape.Of(n));
        Assert.Equal(KernelStatus.Ok, Call(kernel, input, output));
        Assert.Equal(values.Select(Expected).ToArray(), output.ToArray<float>());
    }
}
