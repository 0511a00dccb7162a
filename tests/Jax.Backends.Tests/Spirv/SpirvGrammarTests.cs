using System.Text.Json;
using JaxToolchain.Backends.Spirv;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Every opcode and enumerant of SpirvEnums.cs against the Khronos grammar files of Debian's spirv-headers
/// (/usr/include/spirv/unified1, installed by eng/prereqs.sh): names, numbers, and each opcode's result-type/result-id
/// shape (what the module builder assumes when it writes an instruction). The few names newer than Debian 12's grammar
/// (SPV_KHR_cooperative_matrix, listed in <see cref="NewerThanDebian12"/>) are checked against Debian 13's grammar that
/// eng/spirv-tools-next.sh fetches, when it is there.
/// </summary>
public sealed class SpirvGrammarTests
{
    private const string Folder = "/usr/include/spirv/unified1";
    private static readonly string CorePath = Path.Combine(Folder, "spirv.core.grammar.json");
    private static readonly string GlslPath = Path.Combine(Folder, "extinst.glsl.std.450.grammar.json");

    /// <summary>Opcodes and enumerants that Debian 12's spirv-headers (1.3.239) predate.</summary>
    private static readonly HashSet<string> NewerThanDebian12 =
    [
        "OpTypeCooperativeMatrixKHR", "OpCooperativeMatrixLoadKHR", "OpCooperativeMatrixStoreKHR", "OpCooperativeMatrixMulAddKHR",
        "Capability CooperativeMatrixKHR", "CooperativeMatrixUse", "CooperativeMatrixLayout",
    ];

    /// <summary>Debian 13's grammar (eng/spirv-tools-next.sh), or null.</summary>
    private static JsonElement? Newer()
    {
        var validator = SpirvTools.NextValidator;
        var path = validator is null ? null : Path.Combine(Path.GetDirectoryName(validator)!, "unified1", "spirv.core.grammar.json");
        return path is not null && File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement : null;
    }

    /// <summary>The grammar that holds <paramref name="name"/>: Debian 12's, else (for <see cref="NewerThanDebian12"/>) Debian 13's when fetched; null when neither is to be checked.</summary>
    private static JsonElement? GrammarFor(string name, JsonElement system, Func<JsonElement, bool> has)
    {
        if (has(system)) return system;
        Assert.True(NewerThanDebian12.Contains(name), $"{name} is not in the grammar");
        return Newer() is { } newer ? (has(newer) ? newer : throw new Xunit.Sdk.XunitException($"{name} is not in Debian 13's grammar either")) : null;
    }

    private static JsonElement Load(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: sudo apt-get install spirv-headers (eng/prereqs.sh installs it)");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    private static Dictionary<string, JsonElement> Instructions(JsonElement grammar) =>
        grammar.GetProperty("instructions").EnumerateArray().ToDictionary(i => i.GetProperty("opname").GetString()!);

    private static long Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? Convert.ToInt64(value.GetString()!, 16) : value.GetInt64();

    [Fact]
    public void EveryOpcodeHasTheGrammarsNumberAndShape()
    {
        var core = Load(CorePath);
        foreach (var op in Enum.GetValues<SpirvOp>())
        {
            if (GrammarFor("Op" + op, core, g => Instructions(g).ContainsKey("Op" + op)) is not { } source) continue;
            var grammar = Instructions(source)["Op" + op];
            Assert.Equal(grammar.GetProperty("opcode").GetInt32(), (int)op);
            var kinds = grammar.TryGetProperty("operands", out var operands)
                ? operands.EnumerateArray().Select(o => o.GetProperty("kind").GetString()).ToList() : [];
            var (hasType, hasResult) = SpirvOpShapes.Of(op);
            Assert.True(hasType == kinds.Contains("IdResultType"), $"Op{op}: result type {hasType} in SpirvOpShapes");
            Assert.True(hasResult == kinds.Contains("IdResult"), $"Op{op}: result id {hasResult} in SpirvOpShapes");
            if (hasType) Assert.Equal("IdResultType", kinds[0]);
            if (hasResult) Assert.Equal("IdResult", kinds[hasType ? 1 : 0]);
        }
    }

    public static TheoryData<string, string> EnumKinds() => new()
    {
        { nameof(SpirvCapability), "Capability" },
        { nameof(SpirvExecutionModel), "ExecutionModel" },
        { nameof(SpirvAddressingModel), "AddressingModel" },
        { nameof(SpirvMemoryModel), "MemoryModel" },
        { nameof(SpirvExecutionMode), "ExecutionMode" },
        { nameof(SpirvStorageClass), "StorageClass" },
        { nameof(SpirvDecoration), "Decoration" },
        { nameof(SpirvBuiltIn), "BuiltIn" },
        { nameof(SpirvFunctionControl), "FunctionControl" },
        { nameof(SpirvLoopControl), "LoopControl" },
        { nameof(SpirvSelectionControl), "SelectionControl" },
        { nameof(SpirvScope), "Scope" },
        { nameof(SpirvMemorySemantics), "MemorySemantics" },
        { nameof(SpirvGroupOperation), "GroupOperation" },
        { nameof(SpirvMemoryAccess), "MemoryAccess" },
        { nameof(SpirvCooperativeMatrixUse), "CooperativeMatrixUse" },
        { nameof(SpirvCooperativeMatrixLayout), "CooperativeMatrixLayout" },
    };

    [Theory]
    [MemberData(nameof(EnumKinds))]
    public void EveryEnumerantHasTheGrammarsValue(string enumName, string kind)
    {
        var type = typeof(SpirvOp).Assembly.GetType($"JaxToolchain.Backends.Spirv.{enumName}")!;
        static Dictionary<string, long>? Enumerants(JsonElement grammar, string kind) =>
            grammar.GetProperty("operand_kinds").EnumerateArray().Where(k => k.GetProperty("kind").GetString() == kind)
                .Select(k => k.GetProperty("enumerants").EnumerateArray().GroupBy(e => e.GetProperty("enumerant").GetString()!)
                    .ToDictionary(g => g.Key, g => Number(g.First().GetProperty("value")))).FirstOrDefault();
        var core = Load(CorePath);
        foreach (var name in Enum.GetNames(type))
        {
            // A whole operand kind newer than Debian 12's grammar is listed by kind; a newer enumerant of an old kind by "kind name".
            var key = Enumerants(core, kind) is null ? kind : $"{kind} {name}";
            if (GrammarFor(key, core, g => Enumerants(g, kind)?.ContainsKey(name) == true) is not { } source) continue;
            Assert.Equal(Enumerants(source, kind)![name], Convert.ToInt64(Enum.Parse(type, name)));
        }
    }

    [Fact]
    public void ExecutionModeLocalSizeTakesThreeLiterals()
    {
        var modes = Load(CorePath).GetProperty("operand_kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "ExecutionMode");
        var localSize = modes.GetProperty("enumerants").EnumerateArray().Single(e => e.GetProperty("enumerant").GetString() == "LocalSize");
        Assert.Equal(["LiteralInteger", "LiteralInteger", "LiteralInteger"],
            localSize.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("kind").GetString()));
    }

    [Fact]
    public void EveryGlslInstructionHasTheGrammarsNumber()
    {
        var instructions = Instructions(Load(GlslPath));
        foreach (var instruction in Enum.GetValues<GlslStd450>())
        {
            Assert.True(instructions.TryGetValue(instruction.ToString(), out var grammar), $"GLSL.std.450 {instruction} is not in the grammar");
            Assert.Equal(grammar.GetProperty("opcode").GetInt32(), (int)instruction);
        }
    }

    [Fact]
    public void TheGrammarKnowsTheModuleVersion()
    {
        var core = Load(CorePath);
        Assert.Equal(0x07230203u, Convert.ToUInt32(core.GetProperty("magic_number").GetString()!, 16));
        Assert.Equal(SpirvModuleBuilder.Magic, Convert.ToUInt32(core.GetProperty("magic_number").GetString()!, 16));
        Assert.True(core.GetProperty("major_version").GetInt32() == 1 && core.GetProperty("minor_version").GetInt32() >= 3);
    }
}
