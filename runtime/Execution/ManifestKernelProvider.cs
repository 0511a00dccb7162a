using System.Reflection;
using System.Runtime.InteropServices;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Precompiled kernels from a <see cref="KernelManifest"/> (see <c>ir/Execution/MANIFEST.md</c>). Registered with
/// <see cref="KernelRegistry.Register(IKernelProvider)"/>, it answers an <see cref="ExecutableKey"/> whose name, x64
/// setting, input tree structure and static argument texts (<see cref="StaticArgumentText"/>) equal a kernel's, whose
/// device is <c>cpu:0</c> or a Vulkan device, and whose input types match the kernel's inputs (dtype, weak flag and rank equal, static dims
/// equal, symbolic dims bound to one size each): <c>Jax.Jit</c> then runs that kernel without tracing, with result weak
/// types from the manifest. Kernels with only static dims are tried before symbolic ones, each in manifest order.
/// <para>
/// A kernel runs its native CPU code when the manifest has a <c>cpu</c> entry for this process's RID at an ISA level this
/// CPU runs: the best such level (<see cref="CpuIsa"/>), or the one <c>JAX_CPU_ISA</c> (or the constructor's
/// <c>cpuIsa</c>) forces, which must be one this CPU runs. Its library is checked against the manifest's SHA-256 and
/// loaded with <see cref="NativeLibrary"/> on first use (once per file), its symbol bound and called through the kernel ABI
/// (<see cref="NativeKernelExecutable"/>); a missing, corrupted or foreign library, a missing symbol or another ABI
/// version is a <see cref="KernelManifestException"/> naming the file and the problem. Otherwise the kernel's <c>ir</c>
/// entry serves (parsed, checked against the kernel's signature and compiled with the <see cref="InterpreterCompiler"/>
/// on first use, once). A key naming a Vulkan device is served by the kernel's <c>vulkan</c> entry (its program, run by a
/// <c>VulkanExecutable</c>; without one, its IR as one host step). Entries not used are listed in
/// <see cref="Diagnostics"/> with the reason. A missing, unreadable, invalid or foreign manifest is a
/// <see cref="KernelManifestException"/> when the provider is created.
/// </para>
/// </summary>
public sealed class ManifestKernelProvider : IKernelProvider
{
    private readonly Dictionary<string, ManifestCandidate[]> _byName;
    private readonly NativeLibraries _libraries;

    /// <summary>A provider over a manifest (validated here) whose files lie in <paramref name="directory"/>.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="directory">The folder the manifest's file names are relative to.</param>
    /// <param name="description">What errors and diagnostics call it (default: <c>&lt;Assembly&gt;.jax.json (in memory)</c>).</param>
    /// <param name="cpuIsa">
    /// The ISA level native kernels must be (default: the <c>JAX_CPU_ISA</c> environment variable; when neither is set, the
    /// best level this CPU runs). A level this CPU does not run is a <see cref="PlatformNotSupportedException"/>.
    /// </param>
    public ManifestKernelProvider(KernelManifest manifest, string directory, string? description = null, string? cpuIsa = null)
    {
        Description = description ?? $"{KernelManifest.FileNameFor(manifest.Assembly)} (in memory)";
        manifest.Validate(Description);
        Manifest = manifest;
        Directory = directory;
        var diagnostics = new List<ManifestDiagnostic>();
        var selector = new CpuEntrySelector(cpuIsa ?? Environment.GetEnvironmentVariable(CpuIsa.OverrideVariable), Description);
        _libraries = new NativeLibraries(Description, directory);
        _byName = manifest.Kernels
            .Select(kernel => new ManifestCandidate(kernel, selector.Select(kernel, diagnostics), ServableIr(kernel, diagnostics), _libraries))
            .Where(candidate => candidate.CanServe)
            .GroupBy(candidate => candidate.Kernel.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Kernel.Symbols.Count).ToArray(), StringComparer.Ordinal);
        Diagnostics = diagnostics;
    }

    /// <summary>Loads the manifest at <paramref name="path"/>; its file names are relative to its folder.</summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="cpuIsa">The ISA level native kernels must be (default: <c>JAX_CPU_ISA</c>, else the best this CPU runs).</param>
    public static ManifestKernelProvider Load(string path, string? cpuIsa = null) =>
        new(KernelManifest.Load(path), Path.GetDirectoryName(Path.GetFullPath(path))!, path, cpuIsa);

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
        bool vulkan = key.Device.Platform == "vulkan";
        if ((!vulkan && key.Device != DeviceDescriptor.Cpu) || !_byName.TryGetValue(key.Name, out var candidates)) return false;
        var statics = StaticArgumentText.Of(key);
        foreach (var candidate in candidates)
        {
            if (!candidate.Matches(key, statics)) continue;
            if (vulkan)
            {
                if (candidate.CompileVulkan(key.Device, Description) is not { } onDevice) continue;
                kernel = onDevice;
                return true;
            }
            if (!candidate.ServesCpu) continue;
            kernel = candidate.Compile(Description);
            return true;
        }
        return false;
    }

    /// <summary>The libraries loaded so far (full path → library), for tests.</summary>
    internal IReadOnlyCollection<string> LoadedLibraries => _libraries.Paths;

    /// <summary>The kernel's <c>ir</c> entry.</summary>
    private static IrKernelEntry? ServableIr(ManifestKernel kernel, List<ManifestDiagnostic> diagnostics) =>
        kernel.Targets.OfType<IrKernelEntry>().FirstOrDefault();
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
    private readonly CpuKernelEntry? _native;
    private readonly IrKernelEntry? _ir;
    private readonly IrKernelEntry? _anyIr;
    private readonly VulkanKernelEntry? _vulkan;
    private readonly NativeLibraries _libraries;
    private readonly object _gate = new();
    private readonly Dictionary<DeviceDescriptor, PrecompiledKernel> _onDevices = [];
    private PrecompiledKernel? _compiled;

    public ManifestCandidate(ManifestKernel kernel, CpuKernelEntry? native, IrKernelEntry? ir, NativeLibraries libraries)
    {
        Kernel = kernel;
        _native = native;
        _ir = native is null ? ir : null;
        _anyIr = ir;
        _vulkan = kernel.Targets.OfType<VulkanKernelEntry>().FirstOrDefault();
        _libraries = libraries;
        _inputs = kernel.ParseInputs();
    }

    /// <summary>True when a CPU call can run this kernel (natively or interpreted).</summary>
    public bool ServesCpu => _native is not null || _ir is not null;

    /// <summary>
    /// The kernel on a Vulkan device, made once per device: its <c>vulkan</c> entry's program, or, without one, its IR as
    /// one host step (results on the device); null when it has neither.
    /// </summary>
    public PrecompiledKernel? CompileVulkan(DeviceDescriptor device, string description)
    {
        lock (_gate)
        {
            if (_onDevices.TryGetValue(device, out var made)) return made;
            VulkanProgram program;
            if (_vulkan is not null) program = _vulkan.Program;
            else if (_anyIr is not null)
            {
                try
                {
                    program = Vulkan.VulkanCompiler.HostOnly(_anyIr.ParseFunction(Kernel));
                }
                catch (Exception e) when (e is KernelManifestException or IrVerificationException)
                {
                    throw new KernelManifestException($"manifest {description}: {e.Message}", e);
                }
            }
            else return null;
            var executable = new Vulkan.VulkanExecutable(Vulkan.VulkanPlatform.Of(device), program, Kernel.Name);
            executable.AnnounceHostSteps();
            return _onDevices[device] = new PrecompiledKernel(executable, Kernel.ParseOutputs().Select(t => t.Weak).ToArray());
        }
    }

    public ManifestKernel Kernel { get; }

    /// <summary>The native entry this kernel runs, if any.</summary>
    public CpuKernelEntry? Native => _native;

    public bool CanServe => _native is not null || _ir is not null || _vulkan is not null;

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

    /// <summary>
    /// The kernel's executable, made once: its native symbol bound (the library verified and loaded on first use), or
    /// its IR parsed, checked against the kernel's signature and compiled with the interpreter.
    /// </summary>
    public PrecompiledKernel Compile(string description)
    {
        if (Volatile.Read(ref _compiled) is { } compiled) return compiled;
        lock (_gate)
        {
            if (_compiled is not null) return _compiled;
            IExecutable executable;
            if (_native is not null)
            {
                executable = Bind(_native, description);
            }
            else
            {
                try
                {
                    var function = _ir!.ParseFunction(Kernel);
                    executable = InterpreterCompiler.Instance.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, Kernel.Name));
                }
                catch (Exception e) when (e is KernelManifestException or IrVerificationException)
                {
                    throw new KernelManifestException($"manifest {description}: {e.Message}", e);
                }
            }
            Volatile.Write(ref _compiled, new PrecompiledKernel(executable, Kernel.ParseOutputs().Select(t => t.Weak).ToArray()));
            return _compiled!;
        }
    }

    private ManifestNativeExecutable Bind(CpuKernelEntry entry, string description)
    {
        var library = _libraries.Get(entry, Kernel);
        nint address = library.Export(description, entry, Kernel);
        var kernel = new NativeKernelExecutable(Kernel.Name, address, _inputs, Kernel.ParseOutputs(), Kernel.Symbols, entry.ParseScratch(), library);
        return new ManifestNativeExecutable(kernel, entry, $"manifest {description}: {entry.Description} of kernel {Kernel.Signature}");
    }
}

/// <summary>
/// Which <c>cpu</c> entry of a kernel runs here: one for this process's RID at the ISA level this CPU runs best (or the
/// forced level), with the kernel ABI this runtime calls; the others are noted in the diagnostics.
/// </summary>
internal sealed class CpuEntrySelector(string? forcedIsa, string description)
{
    private readonly string _rid = RuntimeInformation.RuntimeIdentifier;
    private string? _selected;

    /// <summary>The ISA level entries must have: the forced one (checked against this CPU), else the best supported.</summary>
    private string? Selected => _selected ??= CpuIsa.Select(forcedIsa);

    public CpuKernelEntry? Select(ManifestKernel kernel, List<ManifestDiagnostic> diagnostics)
    {
        var here = new List<CpuKernelEntry>();
        foreach (var entry in kernel.Targets.OfType<CpuKernelEntry>())
        {
            if (entry.Rid != _rid) diagnostics.Add(new ManifestDiagnostic(kernel, entry, $"built for {entry.Rid}; this process runs on {_rid}"));
            else here.Add(entry);
        }
        if (here.Count == 0) return null;
        bool forced = !string.IsNullOrWhiteSpace(forcedIsa);
        var chosen = forced
            ? here.FirstOrDefault(e => e.Isa == Selected)
            : here.Where(e => CpuIsa.Supported.Contains(e.Isa)).MinBy(e => IndexOf(CpuIsa.Supported, e.Isa));
        foreach (var entry in here.Where(e => !ReferenceEquals(e, chosen)))
            diagnostics.Add(new ManifestDiagnostic(kernel, entry,
                forced ? $"{CpuIsa.OverrideVariable} selects {Selected}"
                : CpuIsa.Supported.Contains(entry.Isa) ? $"this CPU runs {chosen!.Isa}, which is preferred"
                : $"this CPU does not run {entry.Isa} (it runs [{string.Join(", ", CpuIsa.Supported)}])"));
        if (chosen is not null && chosen.AbiVersion != ExecutionContracts.KernelAbiVersion)
            throw new KernelManifestException(
                $"manifest {description}: {chosen.Description} of kernel {kernel.Signature} was built for kernel ABI version {chosen.AbiVersion}; " +
                $"this runtime calls version {ExecutionContracts.KernelAbiVersion} (rebuild the kernels with this toolchain)");
        return chosen;
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == item) return i;
        return -1;
    }
}

/// <summary>The kernel libraries of one manifest, each verified and loaded on first use, once.</summary>
internal sealed class NativeLibraries(string description, string directory)
{
    private readonly Dictionary<string, NativeKernelLibrary> _loaded = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Paths
    {
        get
        {
            lock (_loaded) return _loaded.Values.Select(l => l.Path).ToArray();
        }
    }

    public NativeKernelLibrary Get(CpuKernelEntry entry, ManifestKernel kernel)
    {
        lock (_loaded)
        {
            // One library, one SHA-256: entries naming it with another digest are checked again (and fail).
            string key = entry.Library + "|" + entry.Sha256;
            if (!_loaded.TryGetValue(key, out var library))
                _loaded[key] = library = NativeKernelLibrary.Load(description, directory, entry, kernel);
            return library;
        }
    }
}
