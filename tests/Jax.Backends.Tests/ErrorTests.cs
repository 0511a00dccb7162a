using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;

namespace JaxToolchain.Backends.Tests;

/// <summary>What goes wrong says what to do: a missing LLVM or linker, a link error, a call outside the kernel, invalid IR, an unknown triple.</summary>
public class ErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jax-backends-errors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A module whose function <paramref name="name"/> calls C's <c>expf</c>, which kernels may not do.</summary>
    private static LlvmModule CallsExpf(LlvmContext context, string name)
    {
        var module = context.CreateModule(name);
        using var b = context.CreateBuilder();
        var unary = LlvmContext.FunctionType(context.Float, context.Float);
        var expf = module.AddFunction("expf", unary);
        var function = module.AddFunction(name, unary);
        b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(context, function, "entry"));
        LlvmCore.BuildRet(b, b.Call(expf, [LlvmCore.GetParam(function, 0)], "e"));
        return module;
    }

    /// <summary>A module whose function <paramref name="name"/> is <c>frem</c>, which the code generator turns into a call of <c>fmodf</c>.</summary>
    private static LlvmModule Remainder(LlvmContext context, string name)
    {
        var module = context.CreateModule(name);
        using var b = context.CreateBuilder();
        var function = module.AddFunction(name, LlvmContext.FunctionType(context.Float, context.Float, context.Float));
        b.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(context, function, "entry"));
        LlvmCore.BuildRet(b, b.BinaryOperation(LLVMOpcode.FRem, LlvmCore.GetParam(function, 0), LlvmCore.GetParam(function, 1), name: "r"));
        return module;
    }

    [Fact]
    public void A_missing_llvm_library_names_the_files_tried_and_the_apt_line()
    {
        var e = Assert.Throws<LlvmNotAvailableException>(() => LlvmLibrary.Load(["/nonexistent/libLLVM.so.19.1", "libLLVM-19-missing.so"], out _));
        Assert.Contains("/nonexistent/libLLVM.so.19.1 or libLLVM-19-missing.so", e.Message);
        Assert.Contains("sudo apt-get install libllvm19 lld-19", e.Message);
        Assert.Contains("LlvmLibrary.OverridePath", e.Message);
    }

    [Fact]
    public void The_library_path_cannot_change_once_llvm_is_loaded()
    {
        LlvmLibrary.EnsureAvailable();
        Assert.True(LlvmLibrary.TryEnsureAvailable(out string? failure), failure);
        Assert.Contains(LlvmLibrary.LoadedFrom, LlvmLibrary.FileNames);
        var e = Assert.Throws<InvalidOperationException>(() => LlvmLibrary.OverridePath = "/nonexistent/libLLVM.so");
        Assert.Contains("already loaded", e.Message);
        LlvmCore.GetVersion(out uint major, out _, out _);
        Assert.Equal((uint)LlvmLibrary.MajorVersion, major);
    }

    [Fact]
    public void A_missing_linker_names_the_tool_and_the_apt_line()
    {
        var target = CpuTarget.LinuxArm64;
        var objects = new[] { ScaleKernel.EmitObject(target, "scale") };
        var linker = new SharedLibraryLinker(new LinkerTools(Elf: "/nonexistent/ld.lld-19"));
        var e = Assert.Throws<LinkerException>(() => linker.Link(target, objects, ["scale"], Path.Combine(_folder, "libscale.so")));
        Assert.Contains("cannot run the linker '/nonexistent/ld.lld-19'", e.Message);
        Assert.Contains("linux-arm64 arm64", e.Message);
        Assert.Contains("sudo apt-get install libllvm19 lld-19", e.Message);
    }

    /// <summary>What LLVM's code generator calls (here <c>fmodf</c> for <c>frem</c>) is not in the library: the link fails with lld's message.</summary>
    [Theory]
    [InlineData("linux-x64", "x86-64-v2", "undefined symbol: fmodf")]
    [InlineData("win-x64", "x86-64-v2", "undefined symbol: fmodf")]
    [InlineData("osx-arm64", "arm64", "undefined symbol: _fmodf")]
    public void A_library_call_made_by_the_code_generator_fails_to_link(string rid, string isa, string message)
    {
        var target = CpuTarget.For(rid, isa);
        using var context = LlvmContext.Create();
        using var module = Remainder(context, "remainder");
        using var emitter = new ObjectEmitter(target);
        string path = Path.Combine(_folder, SharedLibraryLinker.LibraryFileName(target, "remainder"));
        var e = Assert.Throws<LinkerException>(() => new SharedLibraryLinker().Link(target, [emitter.EmitObject(module)], ["remainder"], path));
        Assert.Contains(message, e.Message);
        Assert.Contains("failed (exit code 1)", e.Message);
        Assert.Contains($"linking kernels for {target}", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_module_calling_a_function_it_does_not_define_is_refused()
    {
        using var context = CpuJit.CreateContext();
        using var module = CallsExpf(context, "exp_kernel");
        Assert.Equal(["expf"], module.ExternalFunctions());
        using var emitter = new ObjectEmitter(CpuTarget.LinuxX64V3);
        var e = Assert.Throws<LlvmException>(() => emitter.EmitObject(module));
        Assert.Contains("calls expf, which it does not define", e.Message);

        using var jit = new CpuJit();
        e = Assert.Throws<LlvmException>(() => jit.AddModule(CallsExpf(context, "exp_kernel")));
        Assert.Contains("calls expf", e.Message);
        Assert.False(jit.TryLookup("exp_kernel", out nint address, out string? error));
        Assert.Equal(0, address);
        Assert.Contains("exp_kernel", error);
    }

    [Theory]
    [MemberData(nameof(ScaleKernel.OneTargetPerFormat), MemberType = typeof(ScaleKernel))]
    public void Exporting_a_symbol_no_object_defines_fails_to_link(string rid, string isa)
    {
        var target = CpuTarget.For(rid, isa);
        var objects = new[] { ScaleKernel.EmitObject(target, "scale") };
        string path = Path.Combine(_folder, SharedLibraryLinker.LibraryFileName(target, "scale"));
        var e = Assert.Throws<LinkerException>(() => new SharedLibraryLinker().Link(target, objects, ["scale", "missing_kernel"], path));
        Assert.Contains("missing_kernel", e.Message);
        Assert.Contains("failed (exit code 1)", e.Message);
    }

    [Fact]
    public void Invalid_ir_is_reported_by_the_verifier_before_optimization()
    {
        using var context = LlvmContext.Create();
        using var module = context.CreateModule("broken");
        var function = module.AddFunction("broken", LlvmContext.FunctionType(context.Int32));
        LlvmCore.AppendBasicBlockInContext(context, function, "entry");
        Assert.False(module.TryVerify(out string report));
        Assert.Contains("does not have terminator", report);
        using var emitter = new ObjectEmitter(CpuTarget.LinuxX64V2);
        var e = Assert.Throws<LlvmException>(() => emitter.EmitObject(module));
        Assert.Contains("module is not valid LLVM IR", e.Message);
    }

    [Fact]
    public void Unknown_triples_intrinsics_and_attributes_are_errors()
    {
        var e = Assert.Throws<LlvmException>(() => LlvmTargetMachine.Create("riscv64-unknown-linux-gnu", "generic", ""));
        Assert.Contains("riscv64-unknown-linux-gnu", e.Message);
        Assert.Throws<ArgumentException>(() => CpuTarget.For("linux-x64", "x86-64-v5"));
        using var context = LlvmContext.Create();
        using var module = context.CreateModule("m");
        Assert.Throws<ArgumentException>(() => module.DeclareIntrinsic("llvm.no.such.intrinsic", context.Float));
        Assert.Throws<ArgumentException>(() => context.EnumAttribute("no-such-attribute"));
    }

    [Fact]
    public void A_module_for_the_jit_must_live_in_a_thread_safe_context()
    {
        using var jit = new CpuJit();
        using var context = LlvmContext.Create();
        var module = ScaleKernel.Build(context, "scale");
        var e = Assert.Throws<ArgumentException>(() => jit.AddModule(module));
        Assert.Contains("thread-safe context", e.Message);
        Assert.Throws<ObjectDisposedException>(() => module.Handle);
    }
}
