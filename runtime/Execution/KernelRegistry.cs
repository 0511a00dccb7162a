using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>A source of ready-made executables for keys: precompiled kernels of an assembly (from its manifest).</summary>
public interface IKernelProvider
{
    /// <summary>A description for diagnostics (the manifest's path).</summary>
    string Description { get; }

    /// <summary>The executable registered for <paramref name="key"/>, if any.</summary>
    bool TryGet(ExecutableKey key, out PrecompiledKernel kernel);
}

/// <summary>A precompiled executable with what a call needs besides its inputs: the weak types of its results.</summary>
/// <param name="Executable">The executable.</param>
/// <param name="ResultWeakTypes">Per result, whether it is weakly typed.</param>
public sealed record PrecompiledKernel(IExecutable Executable, IReadOnlyList<bool> ResultWeakTypes);

/// <summary>
/// Where a key finds its kernel (see ARCHITECTURE.md, "Execution"): a precompiled kernel from a registered provider
/// first (no tracing at all), otherwise the traced function compiled by the best registered compiler for the device
/// (the opt-in runtime JIT registers LLVM here), otherwise by the interpreter. Thread-safe.
/// </summary>
public static class KernelRegistry
{
    private static readonly object Gate = new();
    private static IKernelProvider[] _providers = [];
    private static ICompiler[] _compilers = [];

    /// <summary>Adds a provider of precompiled kernels (searched in registration order).</summary>
    public static void Register(IKernelProvider provider)
    {
        lock (Gate) _providers = [.. _providers, provider];
    }

    /// <summary>Adds a compiler, preferred over those registered before it and over the interpreter for the devices it supports.</summary>
    public static void Register(ICompiler compiler)
    {
        lock (Gate) _compilers = [compiler, .. _compilers];
    }

    /// <summary>Removes a provider or compiler registered before (for tests and plug-in unloading).</summary>
    public static void Unregister(object providerOrCompiler)
    {
        lock (Gate)
        {
            _providers = _providers.Where(p => !ReferenceEquals(p, providerOrCompiler)).ToArray();
            _compilers = _compilers.Where(c => !ReferenceEquals(c, providerOrCompiler)).ToArray();
        }
    }

    /// <summary>The precompiled kernel for <paramref name="key"/>, if a provider has one.</summary>
    public static bool TryGetPrecompiled(ExecutableKey key, out PrecompiledKernel kernel)
    {
        foreach (var provider in Volatile.Read(ref _providers))
            if (provider.TryGet(key, out kernel)) return true;
        kernel = null!;
        return false;
    }

    /// <summary>The compiler used for <paramref name="device"/>: the most recently registered one supporting it, else the interpreter.</summary>
    public static ICompiler CompilerFor(DeviceDescriptor device) =>
        Volatile.Read(ref _compilers).FirstOrDefault(c => c.Supports(device))
        ?? (device.Platform == "vulkan" ? Vulkan.VulkanCompiler.Instance : InterpreterCompiler.Instance);

    /// <summary>
    /// Compiles a traced (and simplified) function for the key's device with <see cref="CompilerFor"/>; when that
    /// compiler cannot compile it (<see cref="NotSupportedException"/>: a primitive it does not lower), the interpreter
    /// runs it, and a notice names the reason once (<see cref="Notices"/>).
    /// </summary>
    public static IExecutable Compile(ExecutableKey key, Function function)
    {
        var compiler = CompilerFor(key.Device);
        var options = new CompileOptions(key.Device, key.Name);
        if (ReferenceEquals(compiler, InterpreterCompiler.Instance) || ReferenceEquals(compiler, Vulkan.VulkanCompiler.Instance))
            return compiler.Compile(function, options);
        try
        {
            return compiler.Compile(function, options);
        }
        catch (NotSupportedException e)
        {
            Notify($"{compiler.Name} cannot compile @{key.Name} ({e.Message}); the interpreter runs it");
            return InterpreterCompiler.Instance.Compile(function, options);
        }
    }

    private static readonly HashSet<string> Noticed = new(StringComparer.Ordinal);

    /// <summary>Raised once per distinct notice (a function the registered compiler could not compile, and why).</summary>
    public static event Action<string>? Notices;

    internal static void Notify(string message)
    {
        // One notice per reason, not per function: the reason names the primitive.
        string reason = message[(message.IndexOf('(', StringComparison.Ordinal) + 1)..];
        lock (Gate)
            if (!Noticed.Add(reason)) return;
        Notices?.Invoke(message);
    }
}
