using System.Text.Json.Serialization;

namespace JaxToolchain.Ir;

/// <summary>
/// A function compiled for Vulkan (contract version <see cref="ExecutionContracts.VulkanProgramVersion"/>): its values,
/// and the steps that compute them in order. A step is a kernel of the fused function: one or more SPIR-V compute
/// kernels dispatched one after the other (a device step), or, where the backend has no lowering (or the device lacks a
/// feature a kernel needs), the step's IR run by the interpreter on the host (a host step). What the SPIR-V backend
/// produces, what the runtime's Vulkan executable runs, and what a manifest's <c>vulkan</c> entry stores (as JSON).
/// </summary>
public sealed record VulkanProgram
{
    /// <summary><c>values</c>: the type of every value (type text, symbolic dims allowed); values 0 .. <see cref="InputCount"/>-1 are the inputs.</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <summary><c>inputCount</c>: how many of the values are the program's inputs.</summary>
    public required int InputCount { get; init; }

    /// <summary><c>outputs</c>: the values the program returns, in order (an input, or a value twice, may appear).</summary>
    public required IReadOnlyList<int> Outputs { get; init; }

    /// <summary><c>steps</c>: the steps in the order they run.</summary>
    public required IReadOnlyList<VulkanStep> Steps { get; init; }

    /// <summary>The program as JSON (what a manifest's <c>vulkan</c> entry's file holds).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, VulkanProgramJson.Default.VulkanProgram);

    /// <summary>A program from its JSON, validated (<see cref="Validate"/>); a <see cref="FormatException"/> naming what is wrong otherwise.</summary>
    public static VulkanProgram FromJson(string json)
    {
        VulkanProgram? program;
        try
        {
            program = System.Text.Json.JsonSerializer.Deserialize(json, VulkanProgramJson.Default.VulkanProgram);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"not a Vulkan program: {e.Message}", e);
        }
        if (program is null) throw new FormatException("not a Vulkan program: null");
        program.Validate();
        return program;
    }

    private static void ValidateControl(VulkanStep step, VulkanControl control)
    {
        foreach (var region in control.Regions) region.Validate();
        int inputs = step.Inputs.Count, outputs = step.Outputs.Count;
        bool ok = control.Kind switch
        {
            VulkanControl.While => control.Regions.Count == 2 && control.Counts.Count is 2 or 3 && control.Counts.All(c => c >= 0)
                && control.Counts[0] + control.Counts[1] + outputs == inputs
                && control.Regions[0].InputCount == control.Counts[0] + outputs && control.Regions[0].Outputs.Count == 1
                && control.Regions[1].InputCount == control.Counts[1] + outputs && control.Regions[1].Outputs.Count == outputs,
            VulkanControl.Cond => control.Regions.Count >= 1 && inputs >= 1
                && control.Regions.All(r => r.InputCount == inputs - 1 && r.Outputs.Count == outputs),
            VulkanControl.Call => control.Regions.Count == 1 && control.Regions[0].InputCount == inputs && control.Regions[0].Outputs.Count == outputs,
            _ => throw new FormatException($"step {step.Name}: unknown control kind '{control.Kind}'"),
        };
        if (!ok) throw new FormatException($"step {step.Name}: its {control.Kind} regions do not fit its {inputs} inputs and {outputs} outputs");
    }

    /// <summary>Checks that every binding of <paramref name="kernels"/> names an input, output or scratch buffer of the step.</summary>
    private static void ValidateBindings(VulkanStep step, IReadOnlyList<VulkanKernel> kernels, IReadOnlyList<string> scratch)
    {
        foreach (var kernel in kernels)
            foreach (var binding in kernel.Bindings)
            {
                int limit = binding.Role switch
                {
                    VulkanBinding.Input => step.Inputs.Count,
                    VulkanBinding.Output => step.Outputs.Count,
                    VulkanBinding.Scratch => scratch.Count,
                    _ => throw new FormatException($"kernel {kernel.EntryPoint} of step {step.Name}: unknown binding role '{binding.Role}'"),
                };
                if (binding.Index < 0 || binding.Index >= limit)
                    throw new FormatException($"kernel {kernel.EntryPoint} of step {step.Name}: {binding.Role} {binding.Index} does not exist");
            }
    }

    /// <summary>The value types parsed.</summary>
    public ShapedType[] ParseValues() => Values.Select(t => IrParser.ParseType(t)).ToArray();

    /// <summary>Checks the indices: every step reads values defined before it and defines new ones; throws a <see cref="FormatException"/> naming the step.</summary>
    public void Validate()
    {
        if (InputCount < 0 || InputCount > Values.Count) throw new FormatException($"inputCount {InputCount} is not within the {Values.Count} values");
        var defined = new bool[Values.Count];
        for (int i = 0; i < InputCount; i++) defined[i] = true;
        foreach (var step in Steps)
        {
            foreach (int v in step.Inputs)
                if (v < 0 || v >= Values.Count || !defined[v]) throw new FormatException($"step {step.Name} reads value {v}, not defined before it");
            foreach (int v in step.Outputs)
            {
                if (v < 0 || v >= Values.Count || defined[v]) throw new FormatException($"step {step.Name} defines value {v}, out of range or defined before");
                defined[v] = true;
            }
            if (step.Control is { } control) ValidateControl(step, control);
            ValidateBindings(step, step.Kernels, step.Scratch);
            foreach (var variant in step.Variants)
            {
                if (step.Kernels.Count == 0) throw new FormatException($"step {step.Name} has variants but no portable kernels");
                if (variant.Kernels.Count == 0) throw new FormatException($"step {step.Name} has a variant without kernels");
                ValidateBindings(step, variant.Kernels, variant.Scratch);
            }
        }
        foreach (int v in Outputs)
            if (v < 0 || v >= Values.Count || !defined[v]) throw new FormatException($"output value {v} is never defined");
    }
}

/// <summary>One step of a <see cref="VulkanProgram"/>. Optional lists absent from JSON are empty (never null).</summary>
public sealed record VulkanStep
{
    /// <summary><c>name</c>: the kernel's name (its fusion's name, or the primitive), for messages.</summary>
    public required string Name { get; init; }

    /// <summary><c>inputs</c>: the values the step reads, in order (its IR function's parameters).</summary>
    public required IReadOnlyList<int> Inputs { get; init; }

    /// <summary><c>outputs</c>: the values the step defines, in order (its IR function's results).</summary>
    public required IReadOnlyList<int> Outputs { get; init; }

    /// <summary>
    /// <c>ir</c>: the step as one IR function (<see cref="IrPrinter"/> text), inputs to outputs: what the host runs when
    /// <see cref="Kernels"/> is empty or the device lacks a feature they need.
    /// </summary>
    public required string Ir { get; init; }

    /// <summary><c>kernels</c>: the compute kernels of a device step, dispatched in order (each sees the previous one's writes); empty for a host step.</summary>
    public IReadOnlyList<VulkanKernel> Kernels { get => _kernels; init => _kernels = value ?? []; }

    private readonly IReadOnlyList<VulkanKernel> _kernels = [];

    /// <summary><c>scratch</c>: the byte sizes (<see cref="SymbolicSize"/> text) of the step's scratch buffers, shared by its kernels, contents undefined at the start.</summary>
    public IReadOnlyList<string> Scratch { get => _scratch; init => _scratch = value ?? []; }

    private readonly IReadOnlyList<string> _scratch = [];

    /// <summary>
    /// <c>variants</c>: other kernels for the same step, for devices with more features (subgroup arithmetic, cooperative
    /// matrices), preferred first. The runtime takes the first variant whose kernels' <see cref="VulkanKernel.Features"/>
    /// the device has, else <see cref="Kernels"/> (the portable kernels, which a step with variants always has).
    /// </summary>
    public IReadOnlyList<VulkanVariant> Variants { get => _variants; init => _variants = value ?? []; }

    private readonly IReadOnlyList<VulkanVariant> _variants = [];

    /// <summary><c>hostReason</c>: why a host step has no kernels (the backend's message), or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HostReason { get; init; }

    /// <summary>
    /// <c>control</c>: for a control-flow step (<c>while</c>, <c>cond</c>, <c>call</c>), its regions as programs run on the
    /// device, the host deciding between them from a value read back (a loop's predicate, a branch index); null for
    /// kernel and host steps.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VulkanControl? Control { get; init; }
}

/// <summary>Kernels computing a <see cref="VulkanStep"/> on devices with the features they list (<see cref="VulkanStep.Variants"/>).</summary>
public sealed record VulkanVariant
{
    /// <summary><c>kernels</c>: the variant's kernels, dispatched in order, bound to the step's inputs and outputs and to the variant's scratch buffers.</summary>
    public required IReadOnlyList<VulkanKernel> Kernels { get; init; }

    /// <summary><c>scratch</c>: the byte sizes (<see cref="SymbolicSize"/> text) of the variant's scratch buffers.</summary>
    public IReadOnlyList<string> Scratch { get => _scratch; init => _scratch = value ?? []; }

    private readonly IReadOnlyList<string> _scratch = [];
}

/// <summary>
/// A control-flow step whose regions run on the device as programs of their own (<see cref="VulkanStep.Control"/>); the
/// data stays in device memory, only the predicate or branch index (one element) is read by the host.
/// <list type="bullet">
/// <item><c>while</c>: inputs are the cond constants, the body constants (<see cref="Counts"/> gives both counts), then
/// the carried values; <see cref="Regions"/> are the cond program (cond constants + carry → bool[]) and the body program
/// (body constants + carry → carry); outputs are the final carry.</item>
/// <item><c>cond</c>: inputs are the branch index (i32[], or bool[] as 0/1; clamped) then the arguments; one program per branch (arguments → outputs).</item>
/// <item><c>call</c>: one program (inputs → outputs).</item>
/// </list>
/// </summary>
public sealed record VulkanControl
{
    /// <summary>The <c>while</c> kind.</summary>
    public const string While = "while";

    /// <summary>The <c>cond</c> kind.</summary>
    public const string Cond = "cond";

    /// <summary>The <c>call</c> kind.</summary>
    public const string Call = "call";

    /// <summary><c>kind</c>: <c>while</c>, <c>cond</c> or <c>call</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><c>regions</c>: the region programs (see the kinds).</summary>
    public required IReadOnlyList<VulkanProgram> Regions { get; init; }

    /// <summary>
    /// <c>counts</c>: for <c>while</c>, the numbers of cond and body constants among the inputs, then optionally the trip
    /// count when it is known (a scan's length): the runtime then runs the body that many times without reading the
    /// condition back.
    /// </summary>
    public IReadOnlyList<int> Counts { get => _counts; init => _counts = value ?? []; }

    private readonly IReadOnlyList<int> _counts = [];
}

/// <summary>
/// A SPIR-V compute kernel and how to dispatch it. Storage buffers are descriptor set 0, binding k = <see cref="Bindings"/>[k];
/// buffers hold arrays in the host's layout (dense, row-major, the dtype's item size: bool and 8-bit integers one byte
/// each). Push constants are <see cref="PushConstants"/>, one <c>uint32</c> each, in order. The workgroup count along each
/// axis is <c>ceil(threads / local size)</c>, at least 1 and at most the device's limit: a kernel must be correct for
/// any count from 1 up to that (grid-strided loops).
/// </summary>
public sealed record VulkanKernel
{
    /// <summary>
    /// The feature name of devices whose <c>VK_KHR_cooperative_matrix</c> lists <paramref name="size"/>³ float16 x
    /// float16 + float32 products at subgroup scope (<c>cooperativeMatrix16x16x16:float16*float16+float32</c>; the
    /// runtime adds one per listed size to the device's features; cooperative-matrix kernels list theirs).
    /// </summary>
    public static string CooperativeMatrixHalfFeature(int size) => $"cooperativeMatrix{size}x{size}x{size}:float16*float16+float32";

    /// <summary><c>entryPoint</c>: the compute entry point's name.</summary>
    public required string EntryPoint { get; init; }

    /// <summary><c>spirv</c>: the SPIR-V module's words, base64 of their little-endian bytes in JSON.</summary>
    [JsonConverter(typeof(SpirvWordsConverter))]
    public required uint[] Spirv { get; init; }

    /// <summary><c>bindings</c>: what each storage buffer binding holds.</summary>
    public required IReadOnlyList<VulkanBinding> Bindings { get; init; }

    /// <summary><c>pushConstants</c>: each <c>uint32</c> push constant as <see cref="SymbolicSize"/> text over the program's symbols (an element count, a dim).</summary>
    public IReadOnlyList<string> PushConstants { get => _pushConstants; init => _pushConstants = value ?? []; }

    private readonly IReadOnlyList<string> _pushConstants = [];

    /// <summary><c>threads</c>: the invocations wanted along x, y and z (<see cref="SymbolicSize"/> text).</summary>
    public required IReadOnlyList<string> Threads { get; init; }

    /// <summary><c>localSize</c>: the workgroup size along x, y and z (the module's <c>LocalSize</c>).</summary>
    public required IReadOnlyList<int> LocalSize { get; init; }

    /// <summary><c>features</c>: the device extensions and features (Vulkan's names) the kernel needs; the runtime runs the step on the host without them.</summary>
    public IReadOnlyList<string> Features { get => _features; init => _features = value ?? []; }

    private readonly IReadOnlyList<string> _features = [];
}

/// <summary>A storage buffer binding of a <see cref="VulkanKernel"/>: the step's input, output or scratch buffer <see cref="Index"/>.</summary>
/// <param name="Role"><c>input</c>, <c>output</c> or <c>scratch</c>.</param>
/// <param name="Index">The index among the step's inputs, outputs or scratch buffers.</param>
public sealed record VulkanBinding(string Role, int Index)
{
    /// <summary>A step input (read only).</summary>
    public const string Input = "input";

    /// <summary>A step output.</summary>
    public const string Output = "output";

    /// <summary>A scratch buffer of the step.</summary>
    public const string Scratch = "scratch";
}

/// <summary>SPIR-V words as base64 text of their little-endian bytes.</summary>
internal sealed class SpirvWordsConverter : JsonConverter<uint[]>
{
    public override uint[] Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        var bytes = reader.GetBytesFromBase64();
        if (bytes.Length % 4 != 0) throw new System.Text.Json.JsonException($"SPIR-V of {bytes.Length} bytes is not whole words");
        var words = new uint[bytes.Length / 4];
        for (int i = 0; i < words.Length; i++) words[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4 * i));
        return words;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, uint[] value, System.Text.Json.JsonSerializerOptions options)
    {
        var bytes = new byte[value.Length * 4];
        for (int i = 0; i < value.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), value[i]);
        writer.WriteBase64StringValue(bytes);
    }
}

/// <summary>The JSON form of <see cref="VulkanProgram"/> (camel-case names, strict: unknown properties are errors).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    IgnoreReadOnlyProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VulkanProgram))]
internal sealed partial class VulkanProgramJson : JsonSerializerContext;
