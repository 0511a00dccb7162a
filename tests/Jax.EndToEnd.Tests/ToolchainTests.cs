using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace JaxToolchain.EndToEnd.Tests;

/// <summary>
/// The packages as a user meets them (tasks/README.md): a console app whose <c>[Jit]</c> methods jaxc compiles on
/// <c>dotnet build</c>, incremental rebuilds, a library package consumed through its package (also published for a RID,
/// which flattens its native files), a NativeAOT publish, a broken <c>[Jit]</c> method reported at its file and line, and
/// builds with MSBuild node reuse and the build server on. Apps run with <c>JAX_PRECOMPILED_ONLY=1</c>, so a result
/// proves that the precompiled kernel ran. Kernels are built for linux-x64 only (one RID keeps the builds short), except
/// where more RIDs are the point.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class ToolchainTests(PackagesFixture packages, ITestOutputHelper output)
{
    /// <summary>The precompiled kernels run, or the call throws (no tracing fallback).</summary>
    private static readonly Dictionary<string, string?> PrecompiledOnly = new() { ["JAX_PRECOMPILED_ONLY"] = "1" };

    internal static bool OnLinuxX64 =>
        OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64;

    private static readonly float[] Input = [-1f, 0f, 2f];

    /// <summary>True where a Vulkan driver is installed (lavapipe from mesa-vulkan-drivers on CI machines).</summary>
    private static bool HasVulkanDriver =>
        new[] { "/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d" }.Any(d => Directory.Exists(d) && Directory.GetFiles(d, "*.json").Length > 0)
        && new[] { "/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1" }.Any(File.Exists);

    private const string KernelsSource = """
        using JaxToolchain;

        public static class Kernels
        {
            [Jit("f32[n]")]
            public static Tensor Selu(Tensor x) => 1.05 * Jnp.Where(x > 0, x, 1.67 * Jnp.Exp(x) - 1.67);

            [Jit("f32[n]")]
            public static Tensor Square(Tensor x) => x * x + 1;
        }
        """;

    private const string ProgramSource = """
        using System.Globalization;
        using JaxToolchain;

        var x = Jnp.Array(new[] { -1f, 0f, 2f });
        Print("square", Kernels.Square(x));
        Print("selu", Kernels.Selu(x));
        Console.WriteLine("device " + Kernels.Square(x).Device);

        static void Print(string name, Tensor t) =>
            Console.WriteLine(name + " " + string.Join(" ", t.ToArray<float>().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        """;

    /// <summary>A StableHLO module as JAX prints one (a <c>JaxModule</c> item of the NativeAOT app): <c>tanh(x) * 2 + x</c>.</summary>
    private const string ModuleSource = """
        module @jit_twice attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
          func.func public @main(%arg0: tensor<3xf32>) -> (tensor<3xf32> {jax.result_info = ""}) {
            %0 = stablehlo.tanh %arg0 : tensor<3xf32>
            %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32>
            %1 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<3xf32>
            %2 = stablehlo.multiply %0, %1 : tensor<3xf32>
            %3 = stablehlo.add %2, %arg0 : tensor<3xf32>
            return %3 : tensor<3xf32>
          }
        }
        """;

    /// <summary>The app's program, plus a line printing what the module computes for the same input.</summary>
    private const string ModuleProgramLine = """

        Print("module", Jax.Load("twice.mlir").Invoke(x));
        """;

    private static double Selu(double x) => 1.05 * (x > 0 ? x : 1.67 * Math.Exp(x) - 1.67);

    private void Log(string line)
    {
        output.WriteLine(line);
        packages.Log(line);
    }

    private ProcessResult Dotnet(string folder, string arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        Cli.Run(folder, arguments, environment, Log);

    /// <summary>Writes a console app using the toolchain (kernels for <paramref name="rids"/>) into a fresh folder.</summary>
    private string WriteApp(string name, string rids = "linux-x64", string extraProperties = "", bool withModule = false)
    {
        packages.EnsurePacked();
        string folder = packages.NewProjectFolder(name);
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <JaxRuntimeIdentifiers>{rids}</JaxRuntimeIdentifiers>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
            {packages.ToolchainReferences()}{(withModule ? "\n    <JaxModule Include=\"twice.mlir\" />" : "")}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Kernels.cs"), KernelsSource);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), withModule ? ProgramSource.Replace("\nstatic void", ModuleProgramLine + "\nstatic void", StringComparison.Ordinal) : ProgramSource);
        if (withModule) File.WriteAllText(Path.Combine(folder, "twice.mlir"), ModuleSource);
        return folder;
    }

    /// <summary>The numbers a line <c>name v1 v2 ...</c> of an app's output prints.</summary>
    internal static double[] Printed(ProcessResult run, string name)
    {
        string line = run.Output.Split('\n').Select(l => l.Trim()).SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no line '{name} ...' in the output of `{run.Command}`:\n{run.Output}");
        return line[(name.Length + 1)..].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    internal static void AssertClose(IEnumerable<double> expected, double[] actual, string what)
    {
        var e = expected.ToArray();
        Assert.True(e.Length == actual.Length, $"{what}: {actual.Length} values, expected {e.Length}");
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(e[i])), $"{what}[{i}] = {actual[i]}, expected {e[i]}");
    }

    /// <summary>Checks the app's printed results, with <c>x * x + <paramref name="squareOffset"/></c> for Square.</summary>
    private static void AssertAppResults(ProcessResult run, double squareOffset = 1)
    {
        run.EnsureSuccess();
        AssertClose(Input.Select(x => (double)x * x + squareOffset), Printed(run, "square"), "Square");
        AssertClose(Input.Select(x => Selu(x)), Printed(run, "selu"), "Selu");
    }

    private ProcessResult RunApp(string folder, string name, string configuration = "Debug") =>
        Cli.Run(folder, $"\"{Path.Combine(folder, "bin", configuration, "net10.0", name + ".dll")}\"", PrecompiledOnly, Log);

    /// <summary>
    /// The parts of jaxc's line <c>jaxc: App: K kernel(s) x T target(s) compiled in S s (C of N objects from the cache)</c>
    /// (an object is one kernel for one target: a RID and ISA level).
    /// </summary>
    private static (int Kernels, int Targets, int Cached, int Objects) CompiledLine(ProcessResult build)
    {
        var match = build.LinesStartingWith("jaxc:")
            .Select(l => Regex.Match(l, @"^jaxc: [^:]+: (\d+) kernel\(s\) x (\d+) target\(s\) compiled in [0-9.]+ s \((\d+) of (\d+) objects from the cache\)"))
            .FirstOrDefault(m => m.Success)
            ?? throw new InvalidOperationException($"no line 'jaxc: App: K kernel(s) x T target(s) compiled in S s (C of N objects from the cache)' in the build output:\n{build.Output}");
        int Group(int i) => int.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture);
        return (Group(1), Group(2), Group(3), Group(4));
    }

    private static void AssertFile(string path) => Assert.True(File.Exists(path), $"{path} does not exist");

    [Fact]
    public void A_console_app_runs_its_precompiled_kernels_and_rebuilds_incrementally()
    {
        if (!OnLinuxX64) return;
        string app = WriteApp("App");

        // (a) build and run
        var build = Dotnet(app, "build -v n -nologo -tl:off").EnsureSuccess();
        Assert.NotEmpty(build.LinesStartingWith("jaxc:"));
        var (kernels, _, cached, _) = CompiledLine(build);
        Assert.Equal((2, 0), (kernels, cached));
        string bin = Path.Combine(app, "bin", "Debug", "net10.0");
        AssertFile(Path.Combine(bin, "App.jax.json"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(bin, "runtimes", "linux-x64", "native")));
        AssertAppResults(RunApp(app, "App"));

        // (b) a no-op rebuild does not run jaxc, and the app still runs its kernels
        var noop = Dotnet(app, "build -v n -nologo -tl:off").EnsureSuccess();
        Assert.Empty(noop.LinesStartingWith("jaxc:"));
        Assert.Empty(noop.LinesStartingWith("JaxCompile:"));
        AssertAppResults(RunApp(app, "App"));

        // (c) editing one [Jit] method recompiles that kernel; the other comes from the cache
        File.WriteAllText(Path.Combine(app, "Kernels.cs"), KernelsSource.Replace("x * x + 1", "x * x + 2"));
        var edited = Dotnet(app, "build -v n -nologo -tl:off").EnsureSuccess();
        var (kernelsAfter, targets, cachedAfter, objects) = CompiledLine(edited);
        Assert.Equal(2, kernelsAfter);
        Assert.True(cachedAfter == objects - targets && cachedAfter > 0,
            $"after editing one of 2 kernels, {cachedAfter} of {objects} objects came from the cache (expected all but the edited kernel's {targets})");
        AssertAppResults(RunApp(app, "App"), squareOffset: 2);

        // JaxDumpIr=true: a changed setting reruns jaxc, which writes the IR under obj/<cfg>/<tfm>/jax/ir/
        var dump = Dotnet(app, "build -v n -nologo -tl:off -p:JaxDumpIr=true").EnsureSuccess();
        Assert.NotEmpty(dump.LinesStartingWith("jaxc:"));
        string ir = Path.Combine(app, "obj", "Debug", "net10.0", "jax", "ir");
        Assert.True(Directory.Exists(ir) && Directory.EnumerateFiles(ir, "*", SearchOption.AllDirectories).Any(), $"no IR dump under {ir}");

        // JaxCompile=false: no jaxc
        var off = Dotnet(app, "build -v n -nologo -tl:off -p:JaxCompile=false --no-incremental").EnsureSuccess();
        Assert.Empty(off.LinesStartingWith("jaxc:"));
    }

    [Fact]
    public void A_library_package_brings_its_kernels_to_the_apps_that_consume_it()
    {
        if (!OnLinuxX64) return;
        packages.EnsurePacked();
        const string id = "E2E.Kernels";
        packages.RegisterConsumerPackage(id);
        string library = packages.NewProjectFolder(id);
        File.WriteAllText(Path.Combine(library, id + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <PackageId>{id}</PackageId>
                <Version>{packages.LibraryVersion}</Version>
                <JaxRuntimeIdentifiers>linux-x64;win-x64</JaxRuntimeIdentifiers>
              </PropertyGroup>
              <ItemGroup>
            {packages.ToolchainReferences()}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(library, "Cube.cs"), """
            using JaxToolchain;

            namespace E2E;

            public static class Cube
            {
                [Jit("f32[n]")]
                public static Tensor Of(Tensor x) => x * x * x;
            }
            """);
        Dotnet(library, $"pack -o \"{packages.Feed}\" -nologo -v n -tl:off").EnsureSuccess();
        string nupkg = Path.Combine(packages.Feed, $"{id}.{packages.LibraryVersion}.nupkg");
        var entries = PackagesFixture.Entries(nupkg);
        Log("E2E.Kernels package: " + string.Join(", ", entries));
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.jax.json", entries);
        Assert.Contains($"buildTransitive/{id}.targets", entries);
        Assert.Contains(entries, e => e.StartsWith("runtimes/linux-x64/native/", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.StartsWith("runtimes/win-x64/native/", StringComparison.Ordinal));
        var dependencies = PackagesFixture.Dependencies(nupkg);
        Assert.Contains("Jax.Runtime", dependencies);
        Assert.DoesNotContain("Jax.Toolchain", dependencies); // build time only

        // An app that references only the library package (no toolchain of its own).
        string app = packages.NewProjectFolder("CubeApp");
        File.WriteAllText(Path.Combine(app, "CubeApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{id}" Version="{packages.LibraryVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Globalization;
            using JaxToolchain;

            var y = E2E.Cube.Of(Jnp.Array(new[] { -1f, 0f, 2f }));
            Console.WriteLine("cube " + string.Join(" ", y.ToArray<float>().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            """);
        var build = Dotnet(app, "build -v n -nologo -tl:off").EnsureSuccess();
        Assert.Empty(build.LinesStartingWith("jaxc:"));
        string bin = Path.Combine(app, "bin", "Debug", "net10.0");
        AssertFile(Path.Combine(bin, id + ".jax.json"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(bin, "runtimes", "linux-x64", "native")));
        var expected = Input.Select(x => (double)x * x * x);
        AssertClose(expected, Printed(RunApp(app, "CubeApp").EnsureSuccess(), "cube"), "Cube (build)");

        // Published for a RID: the SDK flattens the package's runtimes/linux-x64/native/ files into the app folder.
        string publish = Path.Combine(app, "publish");
        Dotnet(app, $"publish -r linux-x64 -o \"{publish}\" -nologo -v n -tl:off").EnsureSuccess();
        AssertFile(Path.Combine(publish, id + ".jax.json"));
        var run = Cli.Start(Path.Combine(publish, "CubeApp"), "", publish, PrecompiledOnly, Log).EnsureSuccess();
        AssertClose(expected, Printed(run, "cube"), "Cube (published for linux-x64)");
    }

    [Fact]
    public void A_nativeaot_publish_runs_the_precompiled_kernels()
    {
        if (!OnLinuxX64) return;
        // With a StableHLO module (a JaxModule item): compiled at build, run precompiled (JAX_PRECOMPILED_ONLY) by Jax.Load.
        string app = WriteApp("AotApp", withModule: true);
        string publish = Path.Combine(app, "publish");
        Dotnet(app, $"publish -r linux-x64 -p:PublishAot=true -o \"{publish}\" -nologo -v n -tl:off").EnsureSuccess();
        AssertFile(Path.Combine(publish, "AotApp.jax.json"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(publish, "runtimes", "linux-x64", "native")));
        Assert.False(File.Exists(Path.Combine(publish, "AotApp.dll")), "a NativeAOT publish has no managed AotApp.dll");
        AssertFile(Path.Combine(publish, "twice.mlir"));
        var aot = Cli.Start(Path.Combine(publish, "AotApp"), "", publish, PrecompiledOnly, Log);
        AssertAppResults(aot);
        AssertClose(Input.Select(x => Math.Tanh(x) * 2 + x), Printed(aot, "module"), "the JaxModule (NativeAOT, precompiled)");

        // On a Vulkan device (lavapipe here): the manifest's SPIR-V programs run, no tracing (JAX_PRECOMPILED_ONLY), the CPU's numbers.
        var onVulkan = Cli.Start(Path.Combine(publish, "AotApp"), "", publish,
            new Dictionary<string, string?>(PrecompiledOnly) { ["JAX_PLATFORMS"] = "vulkan" }, Log);
        AssertAppResults(onVulkan);
        if (HasVulkanDriver) Assert.Contains("device VulkanDevice(id=0)", onVulkan.Output);
        else Assert.Contains("no usable Vulkan device", onVulkan.Output);

        // A framework-dependent publish for the RID, too.
        string plain = Path.Combine(app, "publish-fdd");
        Dotnet(app, $"publish -r linux-x64 --self-contained false -o \"{plain}\" -nologo -v n -tl:off").EnsureSuccess();
        AssertFile(Path.Combine(plain, "AotApp.jax.json"));
        AssertAppResults(Cli.Start(Path.Combine(plain, "AotApp"), "", plain, PrecompiledOnly, Log));
    }

    [Fact]
    public void A_bad_jit_method_is_an_error_at_its_file_and_line()
    {
        if (!OnLinuxX64) return;
        string app = WriteApp("BadApp");
        // Line 5 has the attribute, line 6 the method: an error at either is at the right place.
        File.WriteAllText(Path.Combine(app, "Bad.cs"), """
            using JaxToolchain;

            public static class BadKernels
            {
                [Jit("f32[n]")]
                public static Tensor Mismatch(Tensor x) => x + Jnp.Dot(Jnp.Ones([3, 4]), Jnp.Ones([5, 6]));
            }
            """);
        var build = Dotnet(app, "build -v n -nologo -tl:off");
        Assert.NotEqual(0, build.ExitCode);
        var error = Regex.Match(build.Output, @"(?m)^\s*(?<file>[^\r\n]*Bad\.cs)\((?<line>\d+),\d+\): error (?<code>JAX\d{4}): ");
        Assert.True(error.Success, $"no 'Bad.cs(line,col): error JAXnnnn:' in the build output:\n{build.Output}");
        Log($"the error: {error.Value.Trim()}");
        Assert.Contains(error.Groups["line"].Value, new[] { "5", "6" });
        Assert.NotEqual("JAX0002", error.Groups["code"].Value); // a user error, not an internal one
        Assert.DoesNotContain("MSB6006", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Builds_with_node_reuse_and_the_build_server_see_every_edit()
    {
        if (!OnLinuxX64) return;
        string app = WriteApp("ServerApp");
        try
        {
            Dotnet(app, "build -v n -nologo -tl:off", Cli.UsersEnvironment).EnsureSuccess();
            AssertAppResults(RunApp(app, "ServerApp"));
            File.WriteAllText(Path.Combine(app, "Kernels.cs"), KernelsSource.Replace("x * x + 1", "x * x + 3"));
            var second = Dotnet(app, "build -v n -nologo -tl:off", Cli.UsersEnvironment).EnsureSuccess();
            Assert.NotEmpty(second.LinesStartingWith("jaxc:"));
            AssertAppResults(RunApp(app, "ServerApp"), squareOffset: 3);
            File.WriteAllText(Path.Combine(app, "Kernels.cs"), KernelsSource.Replace("x * x + 1", "x * x + 4"));
            Dotnet(app, "build -v n -nologo -tl:off", Cli.UsersEnvironment).EnsureSuccess();
            AssertAppResults(RunApp(app, "ServerApp"), squareOffset: 4);
        }
        finally
        {
            Dotnet(app, "build-server shutdown", Cli.UsersEnvironment);
        }
    }
}
