using System.Text.Json;

namespace JaxToolchain.Ir;

/// <summary>
/// The checks of <see cref="KernelManifest.Validate"/>, each failing with a <see cref="KernelManifestException"/>
/// that names the manifest, the kernel and the field: <c>manifest Demo.jax.json: kernels[0] (Program.Selu):
/// inputs[1]: 'f32[n,' is not a type: 1:7: expected ...</c>.
/// </summary>
internal sealed class KernelManifestValidator(string source)
{
    private KernelManifestException Fail(string problem) => new($"manifest {source}: {problem}");

    /// <summary>
    /// The schema and version of raw JSON, checked before the rest is read: a manifest of another version may
    /// have fields this one does not know, and its version is the error to report. Also every target entry's
    /// <c>target</c>, so that an unknown or missing one is named as such.
    /// </summary>
    public static void CheckHeader(JsonElement root, string source)
    {
        var validator = new KernelManifestValidator(source);
        if (root.ValueKind != JsonValueKind.Object) throw validator.Fail("the top level is not a JSON object");
        if (!root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String)
            throw validator.Fail($"'schema' is missing or not a string (a kernel manifest has \"schema\": \"{KernelManifest.SchemaName}\")");
        if (schema.GetString() != KernelManifest.SchemaName)
            throw validator.Fail($"schema '{schema.GetString()}' is not a kernel manifest ('{KernelManifest.SchemaName}')");
        if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out int v))
            throw validator.Fail("'version' is missing or not an integer");
        validator.CheckVersion(v);
        if (!root.TryGetProperty("kernels", out var kernels) || kernels.ValueKind != JsonValueKind.Array) return;
        int k = 0;
        foreach (var kernel in kernels.EnumerateArray())
        {
            if (kernel.ValueKind == JsonValueKind.Object && kernel.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Array)
            {
                int t = 0;
                foreach (var entry in targets.EnumerateArray())
                {
                    string at = $"kernels[{k}].targets[{t++}]";
                    if (entry.ValueKind != JsonValueKind.Object) throw validator.Fail($"{at} is not a JSON object");
                    if (!entry.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.String)
                        throw validator.Fail($"{at}: 'target' is missing or not a string (one of {string.Join(", ", KernelTargetEntry.TargetNames)})");
                    if (!KernelTargetEntry.TargetNames.Contains(target.GetString()))
                        throw validator.Fail($"{at}: unknown target '{target.GetString()}' (one of {string.Join(", ", KernelTargetEntry.TargetNames)})");
                }
            }
            k++;
        }
    }

    private void CheckVersion(int version)
    {
        if (version != ExecutionContracts.ManifestVersion)
            throw new KernelManifestException(
                $"manifest {source} was written for kernel manifest version {version}; this runtime reads version {ExecutionContracts.ManifestVersion}");
    }

    public void Validate(KernelManifest manifest)
    {
        if (manifest.Schema != KernelManifest.SchemaName)
            throw Fail($"schema '{manifest.Schema}' is not a kernel manifest ('{KernelManifest.SchemaName}')");
        CheckVersion(manifest.Version);
        Require(manifest.Assembly, "assembly");
        if (manifest.Kernels is null) throw Fail("'kernels' is missing");
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < manifest.Kernels.Count; i++)
        {
            var kernel = manifest.Kernels[i] ?? throw Fail($"kernels[{i}] is null");
            string at = $"kernels[{i}] ({kernel.Name})";
            ValidateKernel(kernel, at);
            if (keys.TryGetValue(kernel.Signature, out int first))
                throw Fail($"{at}: kernels[{first}] has the same key {kernel.Signature}");
            keys[kernel.Signature] = i;
        }
    }

    private void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Fail($"'{field}' is missing or empty");
    }

    private void RequireAll(IReadOnlyList<string>? values, string at, string field)
    {
        if (values is null) throw Fail($"{at}: '{field}' is missing");
        for (int i = 0; i < values.Count; i++)
            if (values[i] is null) throw Fail($"{at}: {field}[{i}] is null");
    }

    private void ValidateKernel(ManifestKernel kernel, string at)
    {
        RequireField(kernel.Name, at, "name");
        RequireAll(kernel.Inputs, at, "inputs");
        RequireAll(kernel.Outputs, at, "outputs");
        RequireAll(kernel.Statics, at, "statics");
        RequireAll(kernel.Symbols, at, "symbols");
        if (kernel.InputStructure is null) throw Fail($"{at}: 'inputStructure' is missing");
        var inputs = ParseTypes(kernel.Inputs, at, "inputs");
        var outputs = ParseTypes(kernel.Outputs, at, "outputs");

        var bound = inputs.SelectMany(t => t.Shape.Symbols).Distinct().ToList();
        var repeated = kernel.Symbols.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw Fail($"{at}: symbols lists '{repeated.Key}' twice");
        if (bound.Count != kernel.Symbols.Count || bound.Except(kernel.Symbols).Any())
            throw Fail($"{at}: symbols are [{string.Join(", ", kernel.Symbols)}], but the inputs use [{string.Join(", ", bound)}] (list each input symbol once)");
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i].Shape.Symbols.FirstOrDefault(s => !bound.Contains(s)) is { } unbound)
                throw Fail($"{at}: outputs[{i}] {outputs[i]} uses symbol '{unbound}', which no input binds");

        if (kernel.Targets is null || kernel.Targets.Count == 0) throw Fail($"{at}: 'targets' is missing or empty (a kernel needs at least one)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < kernel.Targets.Count; t++)
        {
            var entry = kernel.Targets[t] ?? throw Fail($"{at}: targets[{t}] is null");
            string entryAt = $"{at}: targets[{t}] ({entry.TargetName})";
            string slot = ValidateEntry(entry, kernel, entryAt);
            if (!seen.Add(slot)) throw Fail($"{entryAt}: a second {slot} entry");
        }
    }

    private ShapedType[] ParseTypes(IReadOnlyList<string> texts, string at, string field)
    {
        var types = new ShapedType[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            try
            {
                types[i] = IrParser.ParseType(texts[i]);
            }
            catch (IrParseException e)
            {
                throw Fail($"{at}: {field}[{i}]: '{texts[i]}' is not a type such as 'f32[n,100]' or 'f32[]{{weak}}': {e.Message}");
            }
        }
        return types;
    }

    /// <summary>Checks one entry; returns what at most one entry of a kernel may be (<c>cpu linux-x64 x86-64-v3</c>, <c>ir</c>).</summary>
    private string ValidateEntry(KernelTargetEntry entry, ManifestKernel kernel, string at)
    {
        switch (entry)
        {
            case CpuKernelEntry cpu:
                RequireField(cpu.Rid, at, "rid");
                RequireField(cpu.Isa, at, "isa");
                RequireField(cpu.Symbol, at, "symbol");
                ValidateFile(cpu, at, "library");
                var levels = cpu.Rid.EndsWith("-x64", StringComparison.Ordinal) ? CpuKernelEntry.X64IsaLevels
                    : cpu.Rid.EndsWith("-arm64", StringComparison.Ordinal) ? [CpuKernelEntry.Arm64IsaLevel]
                    : throw Fail($"{at}: rid '{cpu.Rid}' is not an x64 or arm64 runtime identifier (such as linux-x64, osx-arm64)");
                if (!levels.Contains(cpu.Isa))
                    throw Fail($"{at}: isa '{cpu.Isa}' is not an ISA level of {cpu.Rid} ({string.Join(", ", levels)})");
                if (!cpu.Symbol.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(cpu.Symbol[0]))
                    throw Fail($"{at}: symbol '{cpu.Symbol}' is not a C identifier");
                ValidateNativeSignature(cpu, kernel, at);
                return $"cpu {cpu.Rid} {cpu.Isa}";
            case VulkanKernelEntry vulkan:
                ValidateProgram(vulkan.Program ?? throw Fail($"{at}: 'program' is missing"), kernel, at);
                return "vulkan";
            case IrKernelEntry ir:
                RequireField(ir.Text, at, "text");
                return "ir";
            default:
                throw Fail($"{at}: unknown target entry {entry.GetType().Name}");
        }
    }

    /// <summary>A Vulkan entry's program: its indices, and its inputs and outputs those of the kernel (dtypes and shapes).</summary>
    private void ValidateProgram(VulkanProgram program, ManifestKernel kernel, string at)
    {
        ShapedType[] values;
        try
        {
            program.Validate();
            values = program.ParseValues();
        }
        catch (Exception e) when (e is FormatException or IrParseException)
        {
            throw Fail($"{at}: program: {e.Message}");
        }
        var inputs = ParseTypes(kernel.Inputs, at, "inputs");
        var outputs = ParseTypes(kernel.Outputs, at, "outputs");
        if (program.InputCount != inputs.Length || program.Outputs.Count != outputs.Length)
            throw Fail($"{at}: program takes {program.InputCount} inputs and returns {program.Outputs.Count}; the kernel takes {inputs.Length} and returns {outputs.Length}");
        for (int i = 0; i < inputs.Length; i++)
            if (values[i] != (inputs[i] with { Weak = false }))
                throw Fail($"{at}: program input {i} is {values[i]}, the kernel's is {inputs[i]}");
        for (int i = 0; i < outputs.Length; i++)
            if (values[program.Outputs[i]] != (outputs[i] with { Weak = false }))
                throw Fail($"{at}: program output {i} is {values[program.Outputs[i]]}, the kernel's is {outputs[i]}");
    }

    /// <summary>A CPU entry's ABI version (positive), scratch sizes (over the kernel's symbols) and donated inputs (distinct, in range).</summary>
    private void ValidateNativeSignature(CpuKernelEntry cpu, ManifestKernel kernel, string at)
    {
        if (cpu.AbiVersion <= 0) throw Fail($"{at}: abiVersion {cpu.AbiVersion} is not a kernel ABI version");
        RequireAll(cpu.Scratch, at, "scratch");
        for (int i = 0; i < cpu.Scratch.Count; i++)
        {
            SymbolicSize size;
            try
            {
                size = SymbolicSize.Parse(cpu.Scratch[i]);
            }
            catch (FormatException e)
            {
                throw Fail($"{at}: scratch[{i}]: {e.Message} (such as '4096' or '4*n + 64')");
            }
            if (size.Symbols.FirstOrDefault(s => !kernel.Symbols.Contains(s)) is { } unbound)
                throw Fail($"{at}: scratch[{i}] '{cpu.Scratch[i]}' uses symbol '{unbound}', which is not one of the kernel's symbols");
        }
        if (cpu.Donated is null) throw Fail($"{at}: 'donated' is missing");
        foreach (int d in cpu.Donated)
            if (d < 0 || d >= kernel.Inputs.Count) throw Fail($"{at}: donated lists input {d}, but the kernel has {kernel.Inputs.Count} inputs");
        if (cpu.Donated.Distinct().Count() != cpu.Donated.Count) throw Fail($"{at}: donated lists an input twice");
    }

    private void RequireField(string? value, string at, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Fail($"{at}: '{field}' is missing or empty");
    }

    private void ValidateFile(KernelFileEntry entry, string at, string field)
    {
        RequireField(entry.File, at, field);
        RequireField(entry.Sha256, at, "sha256");
        if (Path.IsPathRooted(entry.File) || entry.File.Contains('\\') || entry.File.Split('/').Any(part => part is "" or "." or ".."))
            throw Fail($"{at}: {field} '{entry.File}' must be a relative path below the manifest's folder, with '/' separators");
        if (entry.Sha256.Length != 64 || !entry.Sha256.All(char.IsAsciiHexDigitLower))
            throw Fail($"{at}: sha256 '{entry.Sha256}' is not 64 lower-case hex digits");
    }
}
