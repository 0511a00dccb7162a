using System.Reflection;
using System.Runtime.InteropServices;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Precompiled kernels from a <see cref="KernelManifest"/> (see <c>ir/Execution/MANIFEST.md</c>). Registered with
/// <see cref="KernelRegistry.Register(IKernelProvider)"/>, it answers an <see cref="ExecutableKey"/> whose name, x64
/// setting, input tree structure and static argument texts (<see cref="StaticArgumentText"/>) equal a kernel's, whose
/// device is <c>cpu:0</c>, and whose input types match the kernel's inputs (dtype, weak flag and rank equal, static dims
/// equal, symbolic dims bound to one size each): <c>Jax.Jit</c> then runs that kernel without tracing, with result weak
/// types from the manifest. Kernels with only static dims are tried before symbolic ones, each in manifest order.
/// <para>
/// For now it serves <c>ir</c> entries (the IR is parsed, checked against the kernel's signature and compiled with the
/// <see cref="InterpreterCompiler"/> on first use, once); native CPU and Vulkan entries need loaders that are not built
/// yet, and are listed in <see cref="Diagnostics"/> with the reason they were skipped. A missing, unreadable, invalid
/// or foreign manifest is a <see cref="KernelManifestException"/> when the provider is created.
/// </para>
/// </summary>
public sealed class ManifestKernelProvider : IKernelProvider
{
    private readonly Dictionary<string, ManifestCandidate[]> _byName;

    /// <summary>A provider over a manifest (validated here) whose files lie in <paramref name="directory"/>.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="directory">The folder the manifest's file names are relative to.</param>
    /// <param name="description">What errors and diagnostics call it (default: <c>&lt;Assembly&gt;.jax.json (in memory)</c>).</param>
    public ManifestKernelProvider(KernelManifest manifest, string directory, string? description = null)
    {
        Description = description ?? $"{KernelManifest.FileNameFor(manifest.Assembly)} (in memory)";
        manifest.Validate(Description);
        Manifest = manifest;
        Directory = directory;
        var diagnostics = new List<ManifestDiagnostic>();
        _byName = manifest.Kernels
            .Select(kernel => new ManifestCandidate(kernel, ServableEntry(kernel, diagnostics)))
            .Where(candidate => candidate.CanServe)
            .GroupBy(candidate => candidate.Kernel.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Kernel.Symbols.Count).ToArray(), StringComparer.Ordinal);
        Diagnostics = diagnostics;
    }

    /// <summary>Loads the manifest at <paramref name="path"/>; its file names are relative to its folder.</summary>
    public static ManifestKernelProvider Load(string path) =>
        new(KernelManifest.Load(path), Path.GetDirectoryName(Path.GetFullPath(path))!, path);

    /// <summary>
    /// Loads the manifest of <paramref name="assembly"/> from its default place, <see cref="DefaultManifestPath"/>,
    /// and checks that it was written for that assembly.
    /// </summary>
    public static ManifestKernelProvider ForAssembly(Assembly assembly)
    {
        string name = assembly.GetName().Name ?? throw new ArgumentException("the assembly has no name", nameof(assembly));
        string path = DefaultManifestPath(assembly);
        var provider = Load(path);
        if (provider.Manifest.Assembly != name)
            throw new KernelManifestException($"manifest {path} belongs to assembly '{provider.Manifest.Assembly}', not to '{name}'");
        return provider;
    }

    /// <summary>
    /// Where the build puts an assembly's manifest: <c>&lt;AssemblyName&gt;.jax.json</c> in the application's base
    /// folder (<see cref="AppContext.BaseDirectory"/>, where the assembly itself is copied; under NativeAOT the folder
    /// of the executable, as an assembly has no file of its own there).
    /// </summary>
    public static string DefaultManifestPath(Assembly assembly) =>
        Path.Combine(AppContext.BaseDirectory, KernelManifest.FileNameFor(assembly.GetName().Name ?? ""));

    /// <summary>The manifest served.</summary>
    public KernelManifest Manifest { get; }

    /// <summary>The folder the manifest's file names are relative to.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>The target entries this provider skipped, each with the reason (a kernel with none it can run is traced as usual).</summary>
    public IReadOnlyList<ManifestDiagnostic> Diagnostics { get; }

    /// <inheritdoc/>
    public bool TryGet(ExecutableKey key, out PrecompiledKernel kernel)
    {
        kernel = null!;
        if (key.Device != DeviceDescriptor.Cpu || !_byName.TryGetValue(key.Name, out var candidates)) return false;
        var statics = StaticArgumentText.Of(key);
        foreach (var candidate in candidates)
        {
            if (!candidate.Matches(key, statics)) continue;
            kernel = candidate.Compile(Description);
            return true;
        }
        return false;
    }

    /// <summary>The entry the provider runs a kernel with (its <c>ir</c>), noting why it skips the others.</summary>
    private static IrKernelEntry? ServableEntry(ManifestKernel kernel, List<ManifestDiagnostic> diagnostics)
    {
        foreach (var entry in kernel.Targets)
        {
            string? reason = entry switch
            {
                CpuKernelEntry cpu when cpu.Rid != RuntimeInformation.RuntimeIdentifier =>
                    $"built for {cpu.Rid}; this process runs on {RuntimeInformation.RuntimeIdentifier}",
                CpuKernelEntry => "needs the CPU kernel loader (not built yet)",
                VulkanKernelEntry => "needs the Vulkan kernel loader (not built yet)",
                _ => null,
            };
            if (reason is not null) diagnostics.Add(new ManifestDiagnostic(kernel, entry, reason));
        }
        return kernel.Targets.OfType<IrKernelEntry>().FirstOrDefault();
    }
}

/// <summary>A target entry a <see cref="ManifestKernelProvider"/> skipped, and why.</summary>
/// <param name="Kernel">The kernel.</param>
/// <param name="Entry">The skipped entry.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record ManifestDiagnostic(ManifestKernel Kernel, KernelTargetEntry Entry, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Kernel.Signature}: {Entry.Description} kernel skipped: {Reason}";
}

/// <summary>One manifest kernel as a provider matches it: parsed input types, and its executable, compiled on first use.</summary>
internal sealed class ManifestCandidate
{
    private readonly ShapedType[] _inputs;
    private readonly IrKernelEntry? _ir;
    private readonly object _gate = new();
    private PrecompiledKernel? _compiled;

    public ManifestCandidate(ManifestKernel kernel, IrKernelEntry? ir)
    {
        Kernel = kernel;
        _ir = ir;
        _inputs = kernel.ParseInputs();
    }

    public ManifestKernel Kernel { get; }

    public bool CanServe => _ir is not null;

    /// <summary>True when the key's x64, tree, statics and input types are this kernel's (symbols bound consistently).</summary>
    public bool Matches(ExecutableKey key, string[] statics)
    {
        if (key.X64 != Kernel.X64 || key.InputStructure != Kernel.InputStructure || !statics.SequenceEqual(Kernel.Statics)
            || key.InputTypes.Count != _inputs.Length)
            return false;
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < _inputs.Length; i++)
        {
            var (expected, actual) = (_inputs[i], key.InputTypes[i]);
            if (expected.DType != actual.DType || expected.Weak != actual.Weak || expected.Rank != actual.Rank) return false;
            for (int d = 0; d < expected.Rank; d++)
            {
                var (want, got) = (expected.Shape[d], actual.Shape[d]);
                if (want.IsStatic || !got.IsStatic)
                {
                    if (want != got) return false;
                }
                else if (symbols.TryGetValue(want.Symbol!, out long bound))
                {
                    if (bound != got.Size) return false;
                }
                else
                {
                    symbols[want.Symbol!] = got.Size;
                }
            }
        }
        return true;
    }

    /// <summary>The kernel's executable: its IR parsed, checked against the kernel's signature and compiled with the interpreter, once.</summary>
    public PrecompiledKernel Compile(string description)
    {
        if (Volatile.Read(ref _compiled) is { } compiled) return compiled;
        lock (_gate)
        {
            if (_compiled is not null) return _compiled;
            IExecutable executable;
            try
            {
                var function = _ir!.ParseFunction(Kernel);
                executable = InterpreterCompiler.Instance.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, Kernel.Name));
            }
            catch (Exception e) when (e is KernelManifestException or IrVerificationException)
            {
                throw new KernelManifestException($"manifest {description}: {e.Message}", e);
            }
            Volatile.Write(ref _compiled, new PrecompiledKernel(executable, Kernel.ParseOutputs().Select(t => t.Weak).ToArray()));
            return _compiled!;
        }
    }
}
