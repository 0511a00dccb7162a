using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JaxToolchain.Ir;

/// <summary>
/// The kernel table of one assembly (schema <see cref="SchemaName"/>, version
/// <see cref="ExecutionContracts.ManifestVersion"/>; see <c>ir/Execution/MANIFEST.md</c>): for each compiled function
/// and signature, the parts of its executable key and where its code is, per target. The build writes it beside the
/// assembly as <c>&lt;AssemblyName&gt;.jax.json</c> (<see cref="FileNameFor"/>); the runtime reads it with
/// <see cref="Load"/>, which checks the schema and version first and then every field, so that a stale or foreign
/// file is a clear <see cref="KernelManifestException"/>, never a wrong kernel. JSON is read and written with
/// System.Text.Json source generation (no reflection: the runtime is AOT-compatible).
/// </summary>
public sealed record KernelManifest
{
    /// <summary>The value of <c>schema</c> in every kernel manifest.</summary>
    public const string SchemaName = "jax.kernel-manifest";

    /// <summary>What a manifest's file name ends with: <c>Demo.jax.json</c> beside <c>Demo.dll</c>.</summary>
    public const string FileSuffix = ".jax.json";

    /// <summary><c>schema</c>: always <see cref="SchemaName"/>.</summary>
    [JsonPropertyOrder(-3)]
    public string Schema { get; init; } = SchemaName;

    /// <summary><c>version</c>: the schema version it was written for (<see cref="ExecutionContracts.ManifestVersion"/>).</summary>
    [JsonPropertyOrder(-2)]
    public int Version { get; init; } = ExecutionContracts.ManifestVersion;

    /// <summary><c>assembly</c>: the simple name of the assembly whose functions the kernels are (<c>Demo</c>).</summary>
    [JsonPropertyOrder(-1)]
    public required string Assembly { get; init; }

    /// <summary><c>kernels</c>: one entry per compiled function and signature.</summary>
    public required IReadOnlyList<ManifestKernel> Kernels { get; init; }

    /// <summary>The manifest's file name for an assembly: <c>&lt;assemblyName&gt;.jax.json</c>.</summary>
    public static string FileNameFor(string assemblyName) => assemblyName + FileSuffix;

    /// <summary>Reads and validates the manifest at <paramref name="path"/>; a missing, unreadable or invalid file is a <see cref="KernelManifestException"/>.</summary>
    public static KernelManifest Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problem = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read: {e.Message}";
            throw new KernelManifestException($"kernel manifest {path} {problem}", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Reads and validates a manifest from JSON text; <paramref name="source"/> names it in errors.</summary>
    public static KernelManifest Parse(string json, string source = "(manifest text)") => Parse(Encoding.UTF8.GetBytes(json), source);

    /// <summary>Reads and validates a manifest from UTF-8 JSON; <paramref name="source"/> names it in errors.</summary>
    public static KernelManifest Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        // A file saved by an editor may start with a UTF-8 byte order mark, which the JSON reader does not skip.
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        KernelManifest? manifest;
        try
        {
            // Schema and version first: a manifest of another version may have fields this one does not know.
            using (var document = JsonDocument.Parse(utf8Json.ToArray()))
                KernelManifestValidator.CheckHeader(document.RootElement, source);
            manifest = JsonSerializer.Deserialize(utf8Json, KernelManifestJson.Readable.KernelManifest);
        }
        catch (JsonException e)
        {
            string at = e.Path is null || e.Message.Contains("Path:", StringComparison.Ordinal) ? "" : $" (at {e.Path})";
            throw new KernelManifestException($"manifest {source} is not a valid kernel manifest: {e.Message}{at}", e);
        }
        if (manifest is null) throw new KernelManifestException($"manifest {source} is not a valid kernel manifest: it is null");
        manifest.Validate(source);
        return manifest;
    }

    /// <summary>Validates, then returns the manifest as indented JSON.</summary>
    public string ToJson()
    {
        Validate("(manifest being written)");
        return JsonSerializer.Serialize(this, KernelManifestJson.Readable.KernelManifest) + "\n";
    }

    /// <summary>Validates, then writes the manifest to <paramref name="path"/> (UTF-8, no byte order mark).</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson(), new UTF8Encoding(false));

    /// <summary>
    /// Checks every field: schema and version, non-empty names, type text that parses, symbols that are exactly
    /// those of the inputs, result symbols bound by inputs, target entries (RID and ISA level, relative file names,
    /// SHA-256 digests), no two kernels with the same key. Throws a <see cref="KernelManifestException"/> naming
    /// <paramref name="source"/>, the kernel and the field.
    /// </summary>
    public void Validate(string source) => new KernelManifestValidator(source).Validate(this);
}

/// <summary>
/// One kernel of a manifest: the parts of its <c>ExecutableKey</c> (name, input abstract values, x64, static argument
/// values, input tree structure), its results, the order of its symbolic dims, and its code per target.
/// </summary>
public sealed record ManifestKernel
{
    /// <summary><c>name</c>: the stable kernel name, as <c>KernelNames</c> makes it (<c>Program.Selu</c>).</summary>
    public required string Name { get; init; }

    /// <summary><c>inputs</c>: the input abstract values as IR type text, in flattening order (<c>f32[n,100]</c>, <c>f32[]{weak}</c>).</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary><c>x64</c>: whether 64-bit types were enabled when the function was traced.</summary>
    public required bool X64 { get; init; }

    /// <summary><c>statics</c>: the static argument values as text (<c>int:3</c>; the runtime's <c>StaticArgumentText</c> writes them), in argument order.</summary>
    public IReadOnlyList<string> Statics { get; init; } = [];

    /// <summary><c>inputStructure</c>: the structure of the input tree, as the runtime prints it (<c>*</c> for one array, <c>*,*</c> for two).</summary>
    public required string InputStructure { get; init; }

    /// <summary><c>outputs</c>: the result types as IR type text, weak flags included (<c>f32[n]</c>, <c>f32[]{weak}</c>).</summary>
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary><c>symbols</c>: the symbolic dims of the inputs, each once, in the order a kernel frame passes their sizes (<see cref="KernelCallFrame.SymbolValues"/>).</summary>
    public IReadOnlyList<string> Symbols { get; init; } = [];

    /// <summary><c>targets</c>: the kernel's code per target: native CPU libraries, Vulkan programs, IR text.</summary>
    public required IReadOnlyList<KernelTargetEntry> Targets { get; init; }

    /// <summary>The inputs parsed (throws <see cref="IrParseException"/> for bad text; a loaded manifest has none).</summary>
    public ShapedType[] ParseInputs() => Inputs.Select(IrParser.ParseType).ToArray();

    /// <summary>The outputs parsed (throws <see cref="IrParseException"/> for bad text; a loaded manifest has none).</summary>
    public ShapedType[] ParseOutputs() => Outputs.Select(IrParser.ParseType).ToArray();

    /// <summary>The kernel and its key for messages: <c>Program.Selu(f32[n]; x64=false; static=(int:3); tree=*)</c>.</summary>
    public string Signature =>
        $"{Name}({string.Join(", ", Inputs)}; x64={(X64 ? "true" : "false")}"
        + (Statics.Count == 0 ? "" : $"; static=({string.Join(", ", Statics)})")
        + $"; tree={InputStructure})";
}

/// <summary>
/// Where a kernel's code is for one target; JSON objects told apart by <c>target</c>: <c>cpu</c>
/// (<see cref="CpuKernelEntry"/>), <c>vulkan</c> (<see cref="VulkanKernelEntry"/>), <c>ir</c> (<see cref="IrKernelEntry"/>).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "target")]
[JsonDerivedType(typeof(CpuKernelEntry), KernelTargetEntry.CpuTarget)]
[JsonDerivedType(typeof(VulkanKernelEntry), KernelTargetEntry.VulkanTarget)]
[JsonDerivedType(typeof(IrKernelEntry), KernelTargetEntry.IrTarget)]
public abstract record KernelTargetEntry
{
    /// <summary>The <c>target</c> of a <see cref="CpuKernelEntry"/>.</summary>
    public const string CpuTarget = "cpu";

    /// <summary>The <c>target</c> of a <see cref="VulkanKernelEntry"/>.</summary>
    public const string VulkanTarget = "vulkan";

    /// <summary>The <c>target</c> of an <see cref="IrKernelEntry"/>.</summary>
    public const string IrTarget = "ir";

    /// <summary>Only the entry types of this schema derive from it (what <c>target</c> can name is closed).</summary>
    private protected KernelTargetEntry() { }

    /// <summary>The target names, as <c>target</c> spells them.</summary>
    public static IReadOnlyList<string> TargetNames { get; } = [CpuTarget, VulkanTarget, IrTarget];

    /// <summary>The value of <c>target</c>.</summary>
    public string TargetName => this switch
    {
        CpuKernelEntry => CpuTarget,
        VulkanKernelEntry => VulkanTarget,
        _ => IrTarget,
    };

    /// <summary>The entry for people: <c>cpu linux-x64 x86-64-v3 (libDemo.jax.so, jax_Program_Selu)</c>.</summary>
    public abstract string Description { get; }
}

/// <summary>A target entry whose code is a file beside the manifest, checked against its SHA-256 before it is loaded.</summary>
public abstract record KernelFileEntry : KernelTargetEntry
{
    /// <summary>Only the file entries of this schema derive from it.</summary>
    private protected KernelFileEntry() { }

    /// <summary><c>sha256</c>: the SHA-256 of the file, 64 lower-case hex digits.</summary>
    [JsonPropertyOrder(10)]
    public required string Sha256 { get; init; }

    /// <summary>The file, relative to the manifest's folder, with <c>/</c> separators.</summary>
    public abstract string File { get; }

    /// <summary>The SHA-256 of a file as a manifest writes it: 64 lower-case hex digits.</summary>
    public static string ComputeSha256(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The full path of the entry's file under <paramref name="manifestDirectory"/>, after checking that it exists
    /// and that its SHA-256 is the one the manifest states; otherwise a <see cref="KernelManifestException"/> saying
    /// which file of which kernel does not match.
    /// </summary>
    public string VerifyFile(string manifestDirectory, ManifestKernel kernel)
    {
        string path = Path.Combine(manifestDirectory, File.Replace('/', Path.DirectorySeparatorChar));
        if (!System.IO.File.Exists(path))
            throw new KernelManifestException($"{Description} of kernel {kernel.Signature}: {path} does not exist");
        string actual = ComputeSha256(path);
        if (!string.Equals(actual, Sha256, StringComparison.OrdinalIgnoreCase))
            throw new KernelManifestException(
                $"{Description} of kernel {kernel.Signature}: {path} has SHA-256 {actual}, but the manifest states {Sha256} " +
                "(the file and the manifest come from different builds; rebuild, or copy both from one build)");
        return path;
    }
}

/// <summary>A native CPU kernel: an exported function of a shared library built for one RID and ISA level (<c>target</c> <c>cpu</c>).</summary>
public sealed record CpuKernelEntry : KernelFileEntry
{
    /// <summary>The ISA levels of x64 RIDs, oldest first.</summary>
    public static IReadOnlyList<string> X64IsaLevels { get; } = ["x86-64-v2", "x86-64-v3", "x86-64-v4"];

    /// <summary>The ISA level of arm64 RIDs.</summary>
    public const string Arm64IsaLevel = "arm64";

    /// <summary><c>rid</c>: the runtime identifier the library is built for (<c>linux-x64</c>, <c>osx-arm64</c>).</summary>
    public required string Rid { get; init; }

    /// <summary><c>isa</c>: the ISA level: <c>x86-64-v2</c>, <c>x86-64-v3</c> or <c>x86-64-v4</c> for x64 RIDs, <c>arm64</c> for arm64 RIDs.</summary>
    public required string Isa { get; init; }

    /// <summary><c>library</c>: the shared library, relative to the manifest (<c>runtimes/linux-x64/native/libDemo.jax.x86-64-v3.so</c>).</summary>
    public required string Library { get; init; }

    /// <summary><c>symbol</c>: the exported kernel function (<see cref="KernelCallFrame"/> describes its signature).</summary>
    public required string Symbol { get; init; }

    /// <summary>
    /// <c>abiVersion</c>: the kernel calling convention the symbol follows (<see cref="ExecutionContracts.KernelAbiVersion"/>
    /// when it was built); the runtime refuses another version.
    /// </summary>
    [JsonRequired]
    public int AbiVersion { get; init; } = ExecutionContracts.KernelAbiVersion;

    /// <summary>
    /// <c>scratch</c>: the byte sizes of the scratch buffers the frame passes after the results, as size text over the
    /// kernel's symbols (<c>4096</c>, <c>4*n + 64</c>; <see cref="SymbolicSize.Parse"/>); optional, default none.
    /// </summary>
    public IReadOnlyList<string> Scratch { get; init; } = [];

    /// <summary>
    /// <c>donated</c>: the inputs (by index) whose buffers the kernel may overwrite; the runtime passes a copy of such an
    /// input unless the call donates it. Optional, default none.
    /// </summary>
    public IReadOnlyList<int> Donated { get; init; } = [];

    /// <summary>Equal entries: every field equal, the lists element by element.</summary>
    public bool Equals(CpuKernelEntry? other) =>
        other is not null && base.Equals(other) && Rid == other.Rid && Isa == other.Isa && Library == other.Library && Symbol == other.Symbol
        && AbiVersion == other.AbiVersion && Scratch.SequenceEqual(other.Scratch) && Donated.SequenceEqual(other.Donated);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Rid, Isa, Library, Symbol, AbiVersion, Scratch.Count, Donated.Count);

    /// <summary>The scratch sizes parsed (a loaded manifest's all parse).</summary>
    public SymbolicSize[] ParseScratch() => Scratch.Select(SymbolicSize.Parse).ToArray();

    /// <inheritdoc/>
    public override string File => Library;

    /// <inheritdoc/>
    public override string Description => $"cpu {Rid} {Isa} ({Library}, {Symbol})";
}

/// <summary>
/// The kernel compiled for Vulkan (<c>target</c> <c>vulkan</c>): its <see cref="VulkanProgram"/>, SPIR-V modules (base64)
/// and dispatch metadata written into the manifest itself (the modules are small and target every Vulkan device, so
/// they need no file per RID).
/// </summary>
public sealed record VulkanKernelEntry : KernelTargetEntry
{
    /// <summary><c>program</c>: the steps, their SPIR-V kernels and dispatch metadata, and the IR of steps that run on the host.</summary>
    public required VulkanProgram Program { get; init; }

    /// <summary>Equal entries: equal programs (compared as their JSON).</summary>
    public bool Equals(VulkanKernelEntry? other) =>
        other is not null && (ReferenceEquals(Program, other.Program) || Program.ToJson() == other.Program.ToJson());

    /// <inheritdoc/>
    public override int GetHashCode() => Program.Values.Count * 31 + Program.Steps.Count;

    /// <inheritdoc/>
    public override string Description =>
        $"vulkan ({Program.Steps.Count} step(s), {Program.Steps.Sum(s => s.Kernels.Count)} SPIR-V kernel(s), {Program.Steps.Count(s => s.Kernels.Count == 0)} on the host)";
}

/// <summary>
/// The kernel's IR (<c>target</c> <c>ir</c>): what any machine can run with the interpreter when no native kernel
/// fits it, and what lets the runtime serve a manifest before the native loaders exist.
/// </summary>
public sealed record IrKernelEntry : KernelTargetEntry
{
    /// <summary><c>text</c>: one IR function as <see cref="IrPrinter"/> prints it; its signature is the kernel's inputs and outputs.</summary>
    public required string Text { get; init; }

    /// <inheritdoc/>
    public override string Description => "ir";

    /// <summary>
    /// Parses the IR and checks that its parameter and result types are the kernel's inputs and outputs, weak flags
    /// included; a <see cref="KernelManifestException"/> otherwise.
    /// </summary>
    public Function ParseFunction(ManifestKernel kernel)
    {
        Function function;
        try
        {
            function = IrParser.ParseFunction(Text);
        }
        catch (IrParseException e)
        {
            throw new KernelManifestException($"ir of kernel {kernel.Signature} does not parse: {e.Message}", e);
        }
        var parameters = function.ParameterTypes.Select(t => t.ToString()).ToArray();
        var results = function.ResultTypes.Select(t => t.ToString()).ToArray();
        if (!parameters.SequenceEqual(kernel.ParseInputs().Select(t => t.ToString())) || !results.SequenceEqual(kernel.ParseOutputs().Select(t => t.ToString())))
            throw new KernelManifestException(
                $"ir of kernel {kernel.Signature} is ({string.Join(", ", parameters)}) -> ({string.Join(", ", results)}), " +
                $"but the manifest lists inputs ({string.Join(", ", kernel.Inputs)}) and outputs ({string.Join(", ", kernel.Outputs)})");
        return function;
    }
}

/// <summary>A kernel manifest that cannot be used: missing, unreadable, of another schema or version, invalid, or naming a file that does not match.</summary>
public sealed class KernelManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelManifestException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The source-generated JSON contract of <see cref="KernelManifest"/>: camelCase, indented, strict (unknown or repeated
/// properties are errors); computed, get-only properties (<see cref="KernelTargetEntry.TargetName"/>,
/// <see cref="ManifestKernel.Signature"/>, ...) are not part of it.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    IndentSize = 2,
    RespectNullableAnnotations = true,
    AllowOutOfOrderMetadataProperties = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(KernelManifest))]
internal sealed partial class KernelManifestJson : JsonSerializerContext
{
    /// <summary>
    /// The contract writing IR text as it reads (<c>-&gt;</c>, <c>&lt;3&gt;</c>), not <c>\u003E</c>: a manifest is a file
    /// for people and tools, never embedded in HTML. Made on first use: the generated <c>Default</c> is initialized in
    /// another part of this class.
    /// </summary>
    public static KernelManifestJson Readable => LazyInitializer.EnsureInitialized(ref _readable,
        () => new KernelManifestJson(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    private static KernelManifestJson? _readable;
}
