using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Backends.Spirv;

namespace JaxToolchain;

/// <summary>
/// The opt-in runtime JIT: <see cref="Enable()"/> registers the LLVM CPU compiler with the kernel registry, so runtime
/// <c>Jax.Jit</c> (and the transformed functions it runs) compiles to native code in process, cached by the executable
/// key, and installs the SPIR-V code generator for Vulkan devices (which needs no native library). Without libLLVM 19 it
/// leaves the interpreter in charge of the CPU and says why once. This assembly is the one place that
/// references both the runtime and the backends; the runtime itself never loads LLVM (NativeAOT apps run precompiled
/// kernels instead).
/// </summary>
public static class JaxJit
{
    private static readonly Lock Gate = new();
    private static CpuCompiler? _compiler;

    /// <summary>True once the LLVM compiler is registered.</summary>
    public static bool IsEnabled => Volatile.Read(ref _compiler) is not null;

    /// <summary>
    /// Registers the LLVM CPU compiler (once); returns false, with the reason in <paramref name="reason"/> (also passed to
    /// <paramref name="notice"/>, default: standard error), when libLLVM 19 cannot be loaded.
    /// </summary>
    public static bool Enable(out string? reason, Action<string>? notice = null)
    {
        lock (Gate)
        {
            reason = null;
            Vulkan.VulkanCompiler.ProgramCompiler ??= function => SpirvProgramCompiler.Compile(function).Program;
            if (_compiler is not null) return true;
            try
            {
                _compiler = new CpuCompiler();
            }
            catch (LlvmNotAvailableException e)
            {
                reason = e.Message;
                (notice ?? (m => Console.Error.WriteLine(m)))($"Jax.Runtime.Jit: the interpreter runs jitted functions ({e.Message})");
                return false;
            }
            KernelRegistry.Register(_compiler);
            return true;
        }
    }

    /// <summary>Registers the LLVM CPU compiler (see <see cref="Enable(out string?, Action{string}?)"/>).</summary>
    public static bool Enable() => Enable(out _);

    /// <summary>Unregisters the compiler; executables it compiled keep working (their code lives as long as they do).</summary>
    public static void Disable()
    {
        lock (Gate)
        {
            if (_compiler is null) return;
            KernelRegistry.Unregister(_compiler);
            _compiler = null;
        }
    }
}
