using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu;

/// <summary>
/// A function to precompile into a kernel library, with the parts of its executable key the manifest records.
/// </summary>
/// <param name="Name">The stable kernel name (<c>Program.Selu</c>), as <c>KernelNames</c> makes it.</param>
/// <param name="Function">The traced function; parameter types may have symbolic dims.</param>
public sealed record LibraryKernel(string Name, Function Function)
{
    /// <summary>Whether 64-bit types were enabled when the function was traced.</summary>
    public bool X64 { get; init; }

    /// <summary>The static argument texts (<c>int:3</c>), in argument order.</summary>
    public IReadOnlyList<string> Statics { get; init; } = [];

    /// <summary>The input tree structure; by default one array per parameter (<c>*,*</c>).</summary>
    public string? InputStructure { get; init; }

    /// <summary>Parameters whose buffers the kernel may overwrite (the runtime copies them unless a call donates them).</summary>
    public IReadOnlyList<int> Donated { get; init; } = [];
}

/// <summary>What a <see cref="CpuLibraryBuilder"/> wrote.</summary>
/// <param name="Manifest">The manifest (also saved at <paramref name="ManifestPath"/>).</param>
/// <param name="ManifestPath">The manifest file, <c>&lt;Assembly&gt;.jax.json</c> in the output folder.</param>
/// <param name="Libraries">The shared library of each RID (full paths).</param>
/// <param name="Unsupported">Kernels with no native code, each with the reason (an operation the backend does not lower); they keep their <c>ir</c> entry.</param>
public sealed record CpuLibraryBuild(
    KernelManifest Manifest, string ManifestPath, IReadOnlyDictionary<string, string> Libraries, IReadOnlyList<string> Unsupported)
{
    /// <summary>Objects (one kernel at one ISA level) taken from <see cref="CpuLibraryBuilder.ObjectCache"/>.</summary>
    public int CachedObjects { get; init; }

    /// <summary>Objects compiled by this build.</summary>
    public int CompiledObjects { get; init; }
}

/// <summary>
/// Precompiles IR functions into one shared kernel library per runtime identifier and writes their manifest entries
/// (<c>ir/Execution/MANIFEST.md</c>). Each kernel is compiled by <see cref="KernelCompiler.Build"/> once per ISA level of
/// the RID (<see cref="CpuTarget.Shipped"/>: x86-64-v2, v3 and v4 for x64 RIDs, arm64 for arm64 RIDs), each level as its
/// own exported symbol (<c>jax_Program_Selu_0_x86_64_v3</c>) in the same library, so that the runtime picks the variant
/// the CPU runs best without loading another file. Libraries are linked by <see cref="SharedLibraryLinker"/>
/// (<c>runtimes/&lt;rid&gt;/native/lib&lt;Assembly&gt;.jax.so</c>, <c>&lt;Assembly&gt;.jax.dll</c>,
/// <c>lib&lt;Assembly&gt;.jax.dylib</c>) and then read back (<see cref="NativeLibraryReader"/>): a library whose format or
/// architecture is wrong, whose exports are not exactly the kernels, or that imports a library or leaves a symbol
/// undefined fails the build with a <see cref="LinkerException"/> naming it, since kernels must call nothing outside
/// themselves. The manifest records per kernel its key parts, its result types, its symbol order and, per RID and ISA
/// level, the library, its SHA-256, the symbol, the ABI version, the scratch sizes and the donated inputs; with
/// <see cref="IncludeIr"/>, also the IR (what a machine with no fitting library runs with the interpreter).
/// </summary>
/// <param name="assemblyName">The assembly the kernels belong to (names the manifest and the libraries).</param>
/// <param name="tools">The linkers (default: Debian's lld-19).</param>
public sealed class CpuLibraryBuilder(string assemblyName, LinkerTools? tools = null)
{
    /// <summary>The assembly the kernels belong to.</summary>
    public string AssemblyName { get; } = string.IsNullOrWhiteSpace(assemblyName)
        ? throw new ArgumentException("a kernel library needs an assembly name", nameof(assemblyName))
        : assemblyName;

    /// <summary>Whether each kernel also gets its <c>ir</c> entry (default true).</summary>
    public bool IncludeIr { get; init; } = true;

    /// <summary>
    /// A folder of compiled objects to reuse (null: none): each object is stored under the SHA-256 of everything it is
    /// compiled from (the kernel's IR text, symbol, donated inputs, the target's triple, CPU and features, and this
    /// backend's version), so an unchanged kernel is not compiled again and a changed one never reuses a stale object.
    /// </summary>
    public string? ObjectCache { get; init; }

    /// <summary>The RIDs built by default: every RID of <see cref="CpuTarget.Shipped"/>.</summary>
    public static IReadOnlyList<string> ShippedRids { get; } = CpuTarget.Shipped.Select(t => t.Rid).Distinct().ToArray();

    /// <summary>The library of a RID, relative to the manifest's folder: <c>runtimes/linux-x64/native/libDemo.jax.so</c>.</summary>
    public string LibraryPath(string rid) =>
        $"runtimes/{rid}/native/{SharedLibraryLinker.LibraryFileName(TargetsOf(rid)[0], AssemblyName + ".jax")}";

    /// <summary>
    /// The exported symbol of the kernel named <paramref name="kernelName"/> at an ISA level, <paramref name="index"/> counting
    /// the kernels of that name before it (its signatures): <c>jax_Program_Selu_0_x86_64_v3</c>. Other kernels do not shift it,
    /// so adding a method leaves the others' objects valid in <see cref="ObjectCache"/>.
    /// </summary>
    public static string SymbolFor(string kernelName, int index, string isa) =>
        $"jax_{CpuCompiler.CIdentifier(kernelName)}_{index}_{isa.Replace('-', '_')}";

    /// <summary>
    /// Compiles <paramref name="kernels"/> for every ISA level of each of <paramref name="rids"/> (default
    /// <see cref="ShippedRids"/>), links one library per RID under <paramref name="outputDirectory"/>, checks each, and
    /// saves the manifest there. Throws <see cref="LinkerException"/> when a library cannot be linked or is not
    /// self-contained, <see cref="KernelManifestException"/> when the kernels do not make a valid manifest (two with one
    /// key, a kernel with no code at all).
    /// </summary>
    public CpuLibraryBuild Build(IReadOnlyList<LibraryKernel> kernels, string outputDirectory, IReadOnlyList<string>? rids = null)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        rids ??= ShippedRids;
        outputDirectory = Path.GetFullPath(outputDirectory);
        var targets = rids.SelectMany(TargetsOf).ToArray();
        var emitters = targets.ToDictionary(t => t, t => new ObjectEmitter(t));
        try
        {
            var objects = targets.ToDictionary(t => t, _ => new List<byte[]>());
            var signatures = new KernelSignature?[kernels.Count];
            var unsupported = new List<string>();
            var ordinals = Ordinals(kernels);
            var cache = ObjectCache is null ? null : new ObjectCacheFolder(ObjectCache);
            for (int k = 0; k < kernels.Count; k++)
            {
                try
                {
                    string? irText = cache is null ? null : IrPrinter.Print(kernels[k].Function);
                    foreach (var target in targets)
                    {
                        string symbol = SymbolFor(kernels[k].Name, ordinals[k], target.Isa);
                        var signature = cache?.TryGet(target, kernels[k], symbol, irText!, objects[target])
                            ?? Compile(emitters[target], kernels[k], symbol, objects[target], cache, irText);
                        signatures[k] ??= signature;
                    }
                }
                catch (NotSupportedException e)
                {
                    // The lowering does not depend on the target: nothing was added for this kernel.
                    unsupported.Add($"{kernels[k].Name}: {e.Message}");
                }
            }

            var entries = kernels.Select(_ => new List<KernelTargetEntry>()).ToArray();
            var libraries = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string rid in rids)
            {
                var ridTargets = TargetsOf(rid);
                string relative = LibraryPath(rid);
                string path = Path.Combine(outputDirectory, relative.Replace('/', Path.DirectorySeparatorChar));
                var exported = Enumerable.Range(0, kernels.Count).Where(k => signatures[k] is not null)
                    .SelectMany(k => ridTargets.Select(t => SymbolFor(kernels[k].Name, ordinals[k], t.Isa))).ToArray();
                if (exported.Length == 0) continue;
                new SharedLibraryLinker(tools).Link(ridTargets[0], ridTargets.SelectMany(t => objects[t]).ToArray(), exported, path);
                Verify(ridTargets[0], path, exported);
                libraries[rid] = path;
                string sha256 = KernelFileEntry.ComputeSha256(path);
                for (int k = 0; k < kernels.Count; k++)
                {
                    if (signatures[k] is not { } signature) continue;
                    foreach (var target in ridTargets)
                        entries[k].Add(new CpuKernelEntry
                        {
                            Rid = rid,
                            Isa = target.Isa,
                            Library = relative,
                            Symbol = SymbolFor(kernels[k].Name, ordinals[k], target.Isa),
                            Sha256 = sha256,
                            AbiVersion = ExecutionContracts.KernelAbiVersion,
                            Scratch = signature.Scratch.Select(s => s.ToString()).ToArray(),
                            Donated = kernels[k].Donated.Order().ToArray(),
                        });
                }
            }

            var manifest = new KernelManifest
            {
                Assembly = AssemblyName,
                Kernels = kernels.Select((kernel, k) => ManifestEntry(kernel, signatures[k], entries[k])).ToArray(),
            };
            string manifestPath = Path.Combine(outputDirectory, KernelManifest.FileNameFor(AssemblyName));
            manifest.Save(manifestPath);
            return new CpuLibraryBuild(manifest, manifestPath, libraries, unsupported)
            {
                CachedObjects = cache?.Hits ?? 0,
                CompiledObjects = cache?.Misses ?? objects.Values.Sum(o => o.Count),
            };
        }
        finally
        {
            foreach (var emitter in emitters.Values) emitter.Dispose();
        }
    }

    /// <summary>The shipped targets of a RID, oldest ISA level first; throws naming the known RIDs.</summary>
    private static CpuTarget[] TargetsOf(string rid)
    {
        var targets = CpuTarget.Shipped.Where(t => t.Rid == rid).ToArray();
        return targets.Length > 0
            ? targets
            : throw new ArgumentException($"no CPU targets for RID '{rid}'; known: {string.Join(", ", ShippedRids)}", nameof(rid));
    }

    /// <summary>For each kernel, how many kernels of its name come before it.</summary>
    private static int[] Ordinals(IReadOnlyList<LibraryKernel> kernels)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return kernels.Select(k => seen[k.Name] = seen.TryGetValue(k.Name, out int n) ? n + 1 : 0).ToArray();
    }

    private static KernelSignature Compile(ObjectEmitter emitter, LibraryKernel kernel, string symbol, List<byte[]> objects,
        ObjectCacheFolder? cache, string? irText)
    {
        using var context = LlvmContext.Create();
        var (module, signature) = KernelCompiler.Build(context, kernel.Function, symbol, kernel.Donated);
        byte[] code;
        using (module) code = emitter.EmitObject(module);
        objects.Add(code);
        cache?.Put(emitter.Target, kernel, symbol, irText!, code, signature);
        return signature;
    }

    private ManifestKernel ManifestEntry(LibraryKernel kernel, KernelSignature? signature, List<KernelTargetEntry> targets)
    {
        var function = kernel.Function;
        if (IncludeIr) targets.Add(new IrKernelEntry { Text = IrPrinter.Print(function) });
        return new ManifestKernel
        {
            Name = kernel.Name,
            Inputs = function.ParameterTypes.Select(t => t.ToString()).ToArray(),
            X64 = kernel.X64,
            Statics = kernel.Statics,
            InputStructure = kernel.InputStructure ?? string.Join(",", function.ParameterTypes.Select(_ => "*")),
            Outputs = function.ResultTypes.Select(t => t.ToString()).ToArray(),
            // The frame's order (the kernel's); without a native kernel, the inputs' order.
            Symbols = signature?.Symbols
                ?? function.ParameterTypes.SelectMany(t => t.Shape).Where(d => !d.IsStatic).Select(d => d.Symbol!).Distinct().ToArray(),
            Targets = targets,
        };
    }

    /// <summary>
    /// Reads a linked library back: its format and architecture are the target's, it is a shared library, it exports
    /// exactly <paramref name="exported"/>, needs no other library and leaves no symbol undefined.
    /// </summary>
    internal static void Verify(CpuTarget target, string path, IReadOnlyCollection<string> exported)
    {
        NativeLibraryHeaders headers;
        try
        {
            headers = NativeLibraryReader.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new LinkerException($"the kernel library {path} for {target} cannot be read back: {e.Message}");
        }
        string machine = target.IsX64 ? "x86-64" : "arm64";
        if (headers.Format != target.Format || headers.Machine != machine || !headers.IsSharedLibrary)
            throw new LinkerException(
                $"the kernel library {path} for {target} is a {headers.Format} {headers.Machine} {(headers.IsSharedLibrary ? "shared library" : "file that is not a shared library")}, not a {target.Format} {machine} shared library");
        if (headers.Undefined.Count > 0)
            throw new LinkerException(
                $"the kernel library {path} for {target} refers to undefined symbols [{string.Join(", ", headers.Undefined)}]: kernels must call nothing outside themselves");
        if (headers.Imports.Count > 0)
            throw new LinkerException(
                $"the kernel library {path} for {target} needs the libraries [{string.Join(", ", headers.Imports)}]: kernels must call nothing outside themselves");
        if (!headers.Exports.SetEquals(exported))
            throw new LinkerException(
                $"the kernel library {path} for {target} exports [{string.Join(", ", headers.Exports.Order(StringComparer.Ordinal))}], " +
                $"not the kernels [{string.Join(", ", exported.Order(StringComparer.Ordinal))}]");
    }
}
