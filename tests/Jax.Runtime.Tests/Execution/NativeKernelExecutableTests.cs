using System.Runtime.InteropServices;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Execution;

/// <summary>The runtime's side of compiled kernels: a kernel behind a function pointer run as an executable, and ISA selection.</summary>
public unsafe class NativeKernelExecutableTests
{
    /// <summary>y = x * 2 over f32[n]; scratch buffer 0 (n floats) is filled with x + 1 to show it is there and sized.</summary>
    [UnmanagedCallersOnly]
    private static int DoubleKernel(KernelCallFrame* frame)
    {
        if (frame->BufferCount != 3) return (int)KernelStatus.BufferCountMismatch;
        long n = frame->SymbolValues[0];
        if (frame->BufferLengths[2] < n * sizeof(float)) return (int)KernelStatus.BufferTooSmall;
        var x = (float*)frame->Buffers[0];
        var y = (float*)frame->Buffers[1];
        var scratch = (float*)frame->Buffers[2];
        for (long i = 0; i < n; i++)
        {
            scratch[i] = x[i] + 1;
            y[i] = scratch[i] * 2 - 2;
        }
        return (int)KernelStatus.Ok;
    }

    [UnmanagedCallersOnly]
    private static int FailingKernel(KernelCallFrame* frame) => (int)KernelStatus.BufferTooSmall;

    private static NativeKernelExecutable Double(string name = "tests.double") =>
        new(name, (nint)(delegate* unmanaged<KernelCallFrame*, int>)&DoubleKernel,
            [new ShapedType(DType.Float32, new Shape(Dim.Sym("n")))], [new ShapedType(DType.Float32, new Shape(Dim.Sym("n")))],
            ["n"], [SymbolicSize.ByteSize(new ShapedType(DType.Float32, new Shape(Dim.Sym("n"))))], owner: null);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void A_compiled_kernel_runs_as_an_executable_for_every_size_of_its_symbol(int n)
    {
        var x = Jnp.Arange((double)n).Astype(Jnp.Float32);
        var result = Double().Execute([x.DeviceArray]);
        var y = new Tensor(result[0], weak: false);
        Assert.Equal(x.ToArray<float>().Select(v => v * 2).ToArray(), y.ToArray<float>());
    }

    [Fact]
    public void A_kernel_status_is_a_clear_exception_naming_the_kernel()
    {
        var failing = new NativeKernelExecutable("tests.failing", (nint)(delegate* unmanaged<KernelCallFrame*, int>)&FailingKernel,
            [new ShapedType(DType.Float32, Shape.Of(3))], [new ShapedType(DType.Float32, Shape.Of(3))], [], [], owner: null);
        var e = Assert.Throws<KernelStatusException>(() => failing.Execute([Jnp.Ones([3]).DeviceArray]));
        Assert.Equal(KernelStatus.BufferTooSmall, e.Status);
        Assert.Contains("@tests.failing", e.Message);
    }

    [Fact]
    public void Arguments_that_do_not_match_the_kernel_are_a_type_error()
    {
        var e = Assert.Throws<JaxTypeException>(() => Double().Execute([Jnp.Ones([2, 2]).DeviceArray]));
        Assert.Contains("float32[n]", e.Message);
    }

    [Fact]
    public void A_compiled_kernel_serves_jit_through_a_registered_compiler()
    {
        var compiler = new FixedCompiler(Double("NativeKernelExecutableTests.lambda"));
        KernelRegistry.Register(compiler);
        try
        {
            var f = Jax.Jit((Tensor x) => x * 2, new JitOptions { Name = "NativeKernelExecutableTests.native_double" });
            Assert.Equal([0f, 2, 4], f(Jnp.Arange(3f)).ToArray<float>());
            Assert.Equal(1, compiler.Compiled);
        }
        finally
        {
            KernelRegistry.Unregister(compiler);
        }
    }

    /// <summary>A compiler that hands out one prepared executable for the functions named like the test's.</summary>
    private sealed class FixedCompiler(IExecutable executable) : ICompiler
    {
        public int Compiled;

        public string Name => "fixed";

        public bool Supports(DeviceDescriptor device) => device.Platform == "cpu";

        public IExecutable Compile(Function function, CompileOptions options)
        {
            if (options.Name != "NativeKernelExecutableTests.native_double") return InterpreterCompiler.Instance.Compile(function, options);
            Compiled++;
            return executable;
        }
    }

    [Fact]
    public void The_best_supported_isa_level_is_selected_and_can_be_forced_down()
    {
        if (CpuIsa.Supported.Count == 0) return;
        Assert.Equal(CpuIsa.Supported[0], CpuIsa.Select(null));
        var oldest = CpuIsa.Supported[^1];
        Assert.Equal(oldest, CpuIsa.Select(oldest));
        Assert.Equal(0, CpuIsa.Rank(oldest, forced: oldest));
        if (CpuIsa.Supported.Count > 1) Assert.Equal(-1, CpuIsa.Rank(CpuIsa.Supported[0], forced: oldest));
        Assert.Throws<PlatformNotSupportedException>(() => CpuIsa.Select("x86-64-v9"));
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.Contains("x86-64-v2", CpuIsa.Supported);
            Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, CpuIsa.Supported.Contains("x86-64-v4"));
        }
    }
}
