using System.Text;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu;

/// <summary>
/// The LLVM CPU compiler as an <see cref="ICompiler"/> (what runtime <c>Jax.Jit</c> uses once registered): each function
/// becomes one kernel module (<see cref="KernelCompiler"/>), compiled for this machine by the ORC JIT
/// (<see cref="CpuJit"/>) and run through the kernel ABI (<see cref="NativeKernelExecutable"/>). A function with an
/// operation the backend does not lower yet throws <see cref="NotSupportedException"/> naming it (the registry then runs
/// the interpreter). Thread-safe.
/// </summary>
public sealed class CpuCompiler : ICompiler, IDisposable
{
    private readonly CpuJit _jit;
    private int _next;

    /// <summary>Creates the compiler and its JIT; throws <see cref="Llvm.LlvmNotAvailableException"/> without libLLVM 19.</summary>
    public CpuCompiler() => _jit = new CpuJit();

    /// <inheritdoc/>
    public string Name => "llvm";

    /// <summary>The machine the kernels are compiled for.</summary>
    public CpuTarget Target => _jit.Target;

    /// <inheritdoc/>
    public bool Supports(DeviceDescriptor device) => device.Platform == "cpu";

    /// <inheritdoc/>
    public IExecutable Compile(Function function, CompileOptions options)
    {
        if (!Supports(options.Device)) throw new NotSupportedException($"the LLVM CPU compiler does not compile for {options.Device}");
        string name = options.Name ?? function.Name;
        string symbol = $"jax_{Interlocked.Increment(ref _next)}_{CIdentifier(name)}";
        using var context = CpuJit.CreateContext();
        var (module, signature) = KernelCompiler.Build(context, function, symbol, target: _jit.Target);
        _jit.AddModule(module);
        nint entry = _jit.Lookup(symbol);
        return new NativeKernelExecutable(name, entry, signature.Inputs, signature.Outputs, signature.Symbols, signature.Scratch, owner: _jit);
    }

    /// <summary>A C identifier made from a kernel name (<c>Program.Main.Selu</c> → <c>Program_Main_Selu</c>), at most 64 characters.</summary>
    public static string CIdentifier(string name)
    {
        var sb = new StringBuilder(Math.Min(name.Length, 64));
        foreach (char c in name)
        {
            if (sb.Length == 64) break;
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return sb.ToString();
    }

    /// <summary>Frees the JIT and every kernel compiled by it (no executable of this compiler may run afterwards).</summary>
    public void Dispose() => _jit.Dispose();
}
