using System.Text.Json.Nodes;
using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Execution;

/// <summary>The kernel manifest schema: JSON round trip, validation errors that name what is wrong, file hashes.</summary>
public class KernelManifestTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private const string SquareIr = """
        func @square(%0: f32[n]) -> (f32[n]) {
          %1 = mul %0, %0 : f32[n]
          return %1
        }
        """;

    /// <summary>Square as a Vulkan program of one host step (a program with kernels is tested with the SPIR-V backend).</summary>
    private static VulkanProgram SquareProgram() => new()
    {
        Values = ["f32[n]", "f32[n]"],
        InputCount = 1,
        Outputs = [1],
        Steps = [new VulkanStep { Name = "square", Inputs = [0], Outputs = [1], Ir = SquareIr, HostReason = "written by hand" }],
    };

    private static ManifestKernel Square(params KernelTargetEntry[] targets) => new()
    {
        Name = "Program.Square",
        Inputs = ["f32[n]"],
        X64 = false,
        InputStructure = "*",
        Outputs = ["f32[n]"],
        Symbols = ["n"],
        Targets = targets.Length > 0 ? targets : [new IrKernelEntry { Text = SquareIr }],
    };

    private static KernelManifest Sample() => new()
    {
        Assembly = "Demo",
        Kernels =
        [
            Square(
                new CpuKernelEntry { Rid = "linux-x64", Isa = "x86-64-v3", Library = "runtimes/linux-x64/native/libDemo.jax.x86-64-v3.so", Symbol = "jax_Program_Square_0", Sha256 = Sha },
                new CpuKernelEntry { Rid = "linux-arm64", Isa = "arm64", Library = "runtimes/linux-arm64/native/libDemo.jax.arm64.so", Symbol = "jax_Program_Square_0", Sha256 = Sha },
                new VulkanKernelEntry { Program = SquareProgram() },
                new IrKernelEntry { Text = SquareIr }),
            new ManifestKernel
            {
                Name = "Program.Scale",
                Inputs = ["f32[3]", "f32[]{weak}"],
                X64 = true,
                Statics = ["int:3", "string:relu"],
                InputStructure = "*,*,static",
                Outputs = ["f32[3]", "f32[]{weak}"],
                Targets = [new IrKernelEntry { Text = "func @scale(%0: f32[3], %1: f32[]{weak}) -> (f32[3], f32[]{weak}) {\n  return %0, %1\n}\n" }],
            },
        ],
    };

    private static KernelManifestException Invalid(string json) =>
        Assert.Throws<KernelManifestException>(() => KernelManifest.Parse(json, "Demo.jax.json"));

    [Fact]
    public void A_manifest_round_trips_through_json()
    {
        var manifest = Sample();
        string json = manifest.ToJson();
        var read = KernelManifest.Parse(json, "Demo.jax.json");
        Assert.Equal(json, read.ToJson());
        Assert.Equal(KernelManifest.SchemaName, read.Schema);
        Assert.Equal(ExecutionContracts.ManifestVersion, read.Version);
        Assert.Equal("Demo", read.Assembly);
        var square = read.Kernels[0];
        Assert.Equal(["f32[n]"], square.Inputs);
        Assert.Equal(["n"], square.Symbols);
        Assert.Equal(Sample().Kernels[0].Targets, square.Targets);
        Assert.Equal(SquareIr, Assert.IsType<IrKernelEntry>(square.Targets[3]).Text);
        var scale = read.Kernels[1];
        Assert.True(scale.X64);
        Assert.Equal(["int:3", "string:relu"], scale.Statics);
        Assert.Equal([ShapedType.Scalar(DType.Float32, weak: true)], scale.ParseOutputs().Skip(1));
        Assert.Equal("Program.Scale(f32[3], f32[]{weak}; x64=true; static=(int:3, string:relu); tree=*,*,static)", scale.Signature);
    }

    /// <summary>The sample's JSON after <paramref name="edit"/> (kernels[0] is Program.Square with targets cpu x64, cpu arm64, vulkan, ir; kernels[1] is Program.Scale).</summary>
    private static string Edited(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(Sample().ToJson())!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    private static JsonObject Kernel(JsonObject root, int index) => root["kernels"]![index]!.AsObject();

    private static JsonObject Target(JsonObject root, int index) => Kernel(root, 0)["targets"]![index]!.AsObject();

    [Fact]
    public void The_json_names_the_target_first_and_uses_camel_case()
    {
        string json = Sample().ToJson();
        Assert.StartsWith("{\n  \"schema\": \"jax.kernel-manifest\",\n  \"version\": 1,\n  \"assembly\": \"Demo\",", json);
        var cpu = Target(JsonNode.Parse(json)!.AsObject(), 0);
        Assert.Equal(["target", "rid", "isa", "library", "symbol", "abiVersion", "scratch", "donated", "sha256"], cpu.Select(p => p.Key));
        Assert.Equal(["target", "program"], Target(JsonNode.Parse(json)!.AsObject(), 2).Select(p => p.Key));
        Assert.Equal(["values", "inputCount", "outputs", "steps"], Target(JsonNode.Parse(json)!.AsObject(), 2)["program"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["name", "inputs", "x64", "statics", "inputStructure", "outputs", "symbols", "targets"], Kernel(JsonNode.Parse(json)!.AsObject(), 0).Select(p => p.Key));
    }

    [Fact]
    public void Another_version_is_refused_before_its_fields_are_read()
    {
        string json = Edited(root =>
        {
            root["version"] = 2;
            Target(root, 0).Remove("rid");
            Target(root, 0)["runtime"] = "linux-x64";
        });
        Assert.Equal("manifest Demo.jax.json was written for kernel manifest version 2; this runtime reads version 1", Invalid(json).Message);
    }

    public static TheoryData<string, Action<JsonObject>, string> MissingOrUnknownFields => new()
    {
        { "another schema", root => root["schema"] = "nuget.lock", "manifest Demo.jax.json: schema 'nuget.lock' is not a kernel manifest ('jax.kernel-manifest')" },
        { "no schema", root => root.Remove("schema"), "manifest Demo.jax.json: 'schema' is missing or not a string" },
        { "no version", root => root.Remove("version"), "manifest Demo.jax.json: 'version' is missing or not an integer" },
        { "unknown target", root => Target(root, 2)["target"] = "metal", "manifest Demo.jax.json: kernels[0].targets[2]: unknown target 'metal' (one of cpu, vulkan, ir)" },
        { "no target", root => Target(root, 2).Remove("target"), "manifest Demo.jax.json: kernels[0].targets[2]: 'target' is missing or not a string" },
        { "no x64", root => Kernel(root, 1).Remove("x64"), "missing required properties including: 'x64'" },
        { "no sha256", root => Target(root, 0).Remove("sha256"), "missing required properties including: 'sha256'" },
        { "no outputs", root => Kernel(root, 0).Remove("outputs"), "missing required properties including: 'outputs'" },
        { "a misspelt field", root => Target(root, 0)["sha265"] = Sha, "'sha265' could not be mapped" },
        { "empty assembly", root => root["assembly"] = "", "manifest Demo.jax.json: 'assembly' is missing or empty" },
        { "null name", root => Kernel(root, 1)["name"] = null, "Path: $.kernels[1].name" },
        { "x64 not a bool", root => Kernel(root, 1)["x64"] = "yes", "Path: $.kernels[1].x64" },
        { "no targets", root => Kernel(root, 0)["targets"] = new JsonArray(), "kernels[0] (Program.Square): 'targets' is missing or empty" },
    };

    [Theory]
    [MemberData(nameof(MissingOrUnknownFields))]
    public void Missing_or_unknown_fields_are_named(string what, Action<JsonObject> edit, string expected)
    {
        var error = Invalid(Edited(edit));
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
        Assert.StartsWith("manifest Demo.jax.json", error.Message);
    }

    public static TheoryData<string, Action<JsonObject>, string> BadValues => new()
    {
        { "bad type", root => Kernel(root, 1)["inputs"]![0] = "f32[3", "kernels[1] (Program.Scale): inputs[0]: 'f32[3' is not a type such as 'f32[n,100]'" },
        { "unknown dtype", root => Kernel(root, 1)["outputs"]![0] = "float[3]", "kernels[1] (Program.Scale): outputs[0]: 'float[3]' is not a type such as 'f32[n,100]' or 'f32[]{weak}': 1:1: expected a type such as 'f32[3,n]', found unknown dtype 'float'" },
        { "symbol not listed", root => Kernel(root, 0)["symbols"] = new JsonArray(), "kernels[0] (Program.Square): symbols are [], but the inputs use [n] (list each input symbol once)" },
        { "symbol twice", root => Kernel(root, 0)["symbols"] = new JsonArray("n", "n"), "kernels[0] (Program.Square): symbols lists 'n' twice" },
        { "unbound output symbol", root => Kernel(root, 0)["outputs"]![0] = "f32[m]", "kernels[0] (Program.Square): outputs[0] f32[m] uses symbol 'm', which no input binds" },
        { "x64 isa", root => Target(root, 0)["isa"] = "avx2", "kernels[0] (Program.Square): targets[0] (cpu): isa 'avx2' is not an ISA level of linux-x64 (x86-64-v2, x86-64-v3, x86-64-v4)" },
        { "arm64 isa", root => Target(root, 1)["isa"] = "x86-64-v2", "targets[1] (cpu): isa 'x86-64-v2' is not an ISA level of linux-arm64 (arm64)" },
        { "rid", root => Target(root, 0)["rid"] = "linux-riscv64", "targets[0] (cpu): rid 'linux-riscv64' is not an x64 or arm64 runtime identifier" },
        { "library outside", root => Target(root, 0)["library"] = "../libDemo.so", "targets[0] (cpu): library '../libDemo.so' must be a relative path below the manifest's folder, with '/' separators" },
        { "program output type", root => Target(root, 2)["program"]!["values"]![1] = "f32[3]", "targets[2] (vulkan): program output 0 is f32[3], the kernel's is f32[n]" },
        { "program output index", root => Target(root, 2)["program"]!["outputs"]![0] = 5, "targets[2] (vulkan): program: output value 5 is never defined" },
        { "program inputs", root => Target(root, 2)["program"]!["inputCount"] = 2, "targets[2] (vulkan): program: step square defines value 1, out of range or defined before" },
        { "sha256 case", root => Target(root, 0)["sha256"] = Sha.ToUpperInvariant(), "targets[0] (cpu): sha256 '0123456789ABCDEF" },
        { "sha256 length", root => Target(root, 0)["sha256"] = "abc", "targets[0] (cpu): sha256 'abc' is not 64 lower-case hex digits" },
        { "symbol", root => Target(root, 0)["symbol"] = "jax-square", "targets[0] (cpu): symbol 'jax-square' is not a C identifier" },
        { "two ir entries", root => Kernel(root, 0)["targets"]!.AsArray().Add(new JsonObject { ["target"] = "ir", ["text"] = "func" }), "targets[4] (ir): a second ir entry" },
        { "two entries for one isa", root => Kernel(root, 0)["targets"]!.AsArray().Add(Target(root, 0).DeepClone()), "targets[4] (cpu): a second cpu linux-x64 x86-64-v3 entry" },
        { "empty ir", root => Target(root, 3)["text"] = " ", "targets[3] (ir): 'text' is missing or empty" },
        { "abi version", root => Target(root, 0)["abiVersion"] = 0, "targets[0] (cpu): abiVersion 0 is not a kernel ABI version" },
        { "scratch text", root => Target(root, 0)["scratch"] = new JsonArray("4*n +"), "targets[0] (cpu): scratch[0]: '4*n +' is not a size" },
        { "scratch symbol", root => Target(root, 0)["scratch"] = new JsonArray("4*m"), "targets[0] (cpu): scratch[0] '4*m' uses symbol 'm', which is not one of the kernel's symbols" },
        { "donated range", root => Target(root, 0)["donated"] = new JsonArray(1), "targets[0] (cpu): donated lists input 1, but the kernel has 1 inputs" },
        { "donated twice", root => Target(root, 0)["donated"] = new JsonArray(0, 0), "targets[0] (cpu): donated lists an input twice" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Bad_values_are_named_with_their_kernel_and_field(string what, Action<JsonObject> edit, string expected)
    {
        var error = Invalid(Edited(edit));
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void Two_kernels_with_one_key_are_refused()
    {
        var manifest = Sample() with { Kernels = [Square(), Square()] };
        var error = Assert.Throws<KernelManifestException>(() => manifest.ToJson());
        Assert.Contains("kernels[1] (Program.Square): kernels[0] has the same key Program.Square(f32[n]; x64=false; tree=*)", error.Message);
    }

    [Fact]
    public void Json_that_is_not_a_manifest_is_a_manifest_error()
    {
        Assert.StartsWith("manifest Demo.jax.json is not a valid kernel manifest: ", Invalid("{ \"schema\": ").Message);
        Assert.Equal("manifest Demo.jax.json: the top level is not a JSON object", Invalid("[]").Message);
        string json = Sample().ToJson();
        var twice = Invalid(json.Replace("\"assembly\": \"Demo\",", "\"assembly\": \"Demo\", \"assembly\": \"Other\","));
        Assert.Contains("'assembly'", twice.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_skipped()
    {
        byte[] json = [.. "\uFEFF"u8, .. System.Text.Encoding.UTF8.GetBytes(Sample().ToJson())];
        Assert.Equal("Demo", KernelManifest.Parse(json, "Demo.jax.json").Assembly);
    }

    [Fact]
    public void A_missing_manifest_file_is_a_manifest_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "Demo.jax.json");
        var error = Assert.Throws<KernelManifestException>(() => KernelManifest.Load(path));
        Assert.Equal($"kernel manifest {path} does not exist", error.Message);
    }

    [Fact]
    public void Save_and_load_give_the_same_manifest()
    {
        string path = Path.Combine(Path.GetTempPath(), $"manifest-{Guid.NewGuid():N}{KernelManifest.FileSuffix}");
        try
        {
            Sample().Save(path);
            Assert.Equal(Sample().ToJson(), KernelManifest.Load(path).ToJson());
            Assert.Equal("Demo.jax.json", KernelManifest.FileNameFor("Demo"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_kernel_file_is_checked_against_its_sha256()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"kernels-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(directory, "runtimes", "linux-x64", "native"));
        try
        {
            string library = Path.Combine(directory, "runtimes", "linux-x64", "native", "libDemo.so");
            File.WriteAllText(library, "abc");
            // SHA-256("abc"), the FIPS 180-2 example.
            const string AbcSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
            Assert.Equal(AbcSha, KernelFileEntry.ComputeSha256(library));
            var entry = new CpuKernelEntry { Rid = "linux-x64", Isa = "x86-64-v2", Library = "runtimes/linux-x64/native/libDemo.so", Symbol = "k", Sha256 = AbcSha };
            Assert.Equal(library, entry.VerifyFile(directory, Square(entry)));

            File.WriteAllText(library, "abd");
            var mismatch = Assert.Throws<KernelManifestException>(() => entry.VerifyFile(directory, Square(entry)));
            Assert.StartsWith($"cpu linux-x64 x86-64-v2 (runtimes/linux-x64/native/libDemo.so, k) of kernel Program.Square(f32[n]; x64=false; tree=*): {library} has SHA-256 ", mismatch.Message);
            Assert.Contains($"but the manifest states {AbcSha}", mismatch.Message);

            File.Delete(library);
            var missing = Assert.Throws<KernelManifestException>(() => entry.VerifyFile(directory, Square(entry)));
            Assert.EndsWith($"{library} does not exist", missing.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Ir_entry_parses_to_a_function_with_the_kernels_signature()
    {
        var kernel = Square();
        var function = Assert.IsType<IrKernelEntry>(kernel.Targets[0]).ParseFunction(kernel);
        Assert.Equal([new ShapedType(DType.Float32, new Shape(Dim.Sym("n")))], function.ParameterTypes);

        var other = kernel with { Inputs = ["f32[m]"], Outputs = ["f32[m]"], Symbols = ["m"] };
        var mismatch = Assert.Throws<KernelManifestException>(() => ((IrKernelEntry)other.Targets[0]).ParseFunction(other));
        Assert.Equal("ir of kernel Program.Square(f32[m]; x64=false; tree=*) is (f32[n]) -> (f32[n]), but the manifest lists inputs (f32[m]) and outputs (f32[m])", mismatch.Message);

        var broken = new IrKernelEntry { Text = "func @square(%0: f32[n]) -> (f32[n]) {" };
        var parse = Assert.Throws<KernelManifestException>(() => broken.ParseFunction(Square(broken)));
        Assert.StartsWith("ir of kernel Program.Square(f32[n]; x64=false; tree=*) does not parse: 1:", parse.Message);
    }

    [Fact]
    public void The_example_in_MANIFEST_md_is_a_valid_manifest_whose_ir_verifies()
    {
        string doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Execution", "MANIFEST.md"));
        int start = doc.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        string json = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var manifest = KernelManifest.Parse(json, "MANIFEST.md");
        Assert.Equal(json, manifest.ToJson());
        foreach (var kernel in manifest.Kernels)
            foreach (var ir in kernel.Targets.OfType<IrKernelEntry>())
                Verifier.Verify(ir.ParseFunction(kernel));
    }
}
