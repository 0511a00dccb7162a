using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace JaxToolchain.EndToEnd.Tests;

/// <summary>
/// F# as a user meets it through the packages: a console app with <c>[&lt;Jit&gt;]</c> let-bound functions (curried
/// parameters, an F# list and an F# record argument, an F# tuple result) built with Jax.FSharp and Jax.Toolchain and run precompiled
/// (<c>JAX_PRECOMPILED_ONLY=1</c>), framework-dependent and NativeAOT, a broken one reported at its .fs file and line;
/// <c>samples/tour.fsx</c> and an interactive session under <c>dotnet fsi</c> with the packages from the test feed.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class FSharpTests(PackagesFixture packages, ITestOutputHelper output)
{
    private const string ProgramSource = """
        module App.Program

        open System
        open System.Globalization
        open JaxToolchain
        open JaxToolchain.FSharp

        [<Jit("f32[n]")>]
        let selu (x: Tensor) = 1.05 * jnp.where(x .> 0.0, x, 1.67 * jnp.exp x - 1.67)

        [<Jit("f32[n]", "f32[n]")>]
        let weighted (w: Tensor) (x: Tensor) = jnp.sum(w * x * x)

        [<Jit("[f32[n], f32[n]]")>]
        let total (xs: Tensor list) = List.reduce (+) xs

        type Linear = { W: Tensor; B: Tensor }

        [<Jit("(f32[3], f32[])", "f32[n,3]")>]
        let predictAndGrad (p: Linear) (x: Tensor) =
            let loss (q: Linear) = jnp.sum(jnp.dot(x, q.W) + q.B)
            let value, g = jax.valueAndGrad loss p
            value, g.W

        let print (name: string) (t: Tensor) =
            let values = t.ToArray<float32>() |> Array.map (fun v -> v.ToString("R", CultureInfo.InvariantCulture))
            Console.WriteLine(name + " " + String.Join(" ", values))

        [<EntryPoint>]
        let main _ =
            let x = jnp.array [| -1.0f; 0.0f; 2.0f |]
            print "selu" (selu x)
            print "weighted" (weighted (jnp.onesLike x) x)
            print "total" (total [ x; x ])
            let value, gradW = predictAndGrad { W = jnp.array [| 1.0f; 2.0f; 3.0f |]; B = jnp.array 0.5 } (jnp.ones [| 2; 3 |])
            print "value" value
            print "gradW" gradW
            0
        """;

    private void Log(string line)
    {
        output.WriteLine(line);
        packages.Log(line);
    }

    private ProcessResult Dotnet(string folder, string arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        Cli.Run(folder, arguments, environment, Log);

    /// <summary>The app's printed results: selu, a curried function, a list-taking one, and the record-taking function's tuple.</summary>
    private static void AssertResults(ProcessResult run)
    {
        run.EnsureSuccess();
        double[] x = [-1, 0, 2];
        ToolchainTests.AssertClose(x.Select(v => 1.05 * (v > 0 ? v : 1.67 * Math.Exp(v) - 1.67)), ToolchainTests.Printed(run, "selu"), "selu");
        ToolchainTests.AssertClose([5], ToolchainTests.Printed(run, "weighted"), "weighted");
        ToolchainTests.AssertClose(x.Select(v => 2 * v), ToolchainTests.Printed(run, "total"), "total (an F# list)");
        ToolchainTests.AssertClose([2 * (1 + 2 + 3 + 0.5)], ToolchainTests.Printed(run, "value"), "value");
        ToolchainTests.AssertClose([2, 2, 2], ToolchainTests.Printed(run, "gradW"), "gradW");
    }

    [Fact]
    public void An_fsharp_app_runs_its_precompiled_jit_functions_also_under_nativeaot_and_a_bad_one_is_an_error_at_its_line()
    {
        if (!ToolchainTests.OnLinuxX64) return;
        packages.EnsurePacked();
        string app = packages.NewProjectFolder("FsApp");
        File.WriteAllText(Path.Combine(app, "FsApp.fsproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <JaxRuntimeIdentifiers>linux-x64</JaxRuntimeIdentifiers>
                <!-- FSharp.Core is not trim-clean (printf, %A): its once-per-assembly summaries under NativeAOT. -->
                <NoWarn>$(NoWarn);IL2104;IL3053</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="Program.fs" />
              </ItemGroup>
              <ItemGroup>
                <PackageReference Include="Jax.FSharp" Version="{packages.Version}" />
                <PackageReference Include="Jax.Toolchain" Version="{packages.Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.fs"), ProgramSource);

        var build = Dotnet(app, "build -v n -nologo -tl:off").EnsureSuccess();
        Assert.NotEmpty(build.LinesStartingWith("jaxc:"));
        string bin = Path.Combine(app, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "FsApp.jax.json")), "no FsApp.jax.json beside the app");
        var precompiledOnly = new Dictionary<string, string?> { ["JAX_PRECOMPILED_ONLY"] = "1" };
        AssertResults(Cli.Start(Path.Combine(bin, "FsApp"), "", bin, precompiledOnly, Log));

        // NativeAOT, as for C#: the record argument is a tree through the registration jaxc wove into the assembly (the
        // reflection Jax.FSharp uses elsewhere is off there), and warnings are errors (FSharp.Core's summary aside).
        string publish = Path.Combine(app, "publish");
        Dotnet(app, $"publish -r linux-x64 -p:PublishAot=true -o \"{publish}\" -nologo -v n -tl:off").EnsureSuccess();
        Assert.False(File.Exists(Path.Combine(publish, "FsApp.dll")), "a NativeAOT publish has no managed FsApp.dll");
        Assert.True(File.Exists(Path.Combine(publish, "FsApp.jax.json")), "no FsApp.jax.json beside the NativeAOT app");
        AssertResults(Cli.Start(Path.Combine(publish, "FsApp"), "", publish, precompiledOnly, Log));

        // A shape error inside a [<Jit>] function is a build error at the function's .fs line (the attribute's or the let's).
        string bad = ProgramSource.Replace("""
            [<EntryPoint>]
            """, """
            [<Jit("f32[n]")>]
            let mismatch (x: Tensor) = x + jnp.dot(jnp.ones [| 3; 4 |], jnp.ones [| 5; 6 |])

            [<EntryPoint>]
            """, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(app, "Program.fs"), bad);
        int attributeLine = bad.Split('\n').ToList().FindIndex(l => l.Contains("let mismatch", StringComparison.Ordinal));
        var failed = Dotnet(app, "build -v n -nologo -tl:off");
        Assert.NotEqual(0, failed.ExitCode);
        var error = Regex.Match(failed.Output, @"(?m)^\s*(?<file>[^\r\n]*Program\.fs)\((?<line>\d+),\d+\): error (?<code>JAX\d{4}): ");
        Assert.True(error.Success, $"no 'Program.fs(line,col): error JAXnnnn:' in the build output:\n{failed.Output}");
        Log($"the error: {error.Value.Trim()}");
        // 0-based index of the let line: its 1-based number is index + 1, the attribute's is index.
        Assert.Contains(int.Parse(error.Groups["line"].Value, CultureInfo.InvariantCulture), new[] { attributeLine, attributeLine + 1 });
        Assert.NotEqual("JAX0002", error.Groups["code"].Value);
    }

    [Fact]
    public void The_tour_script_runs_under_dotnet_fsi_with_the_packages()
    {
        if (!ToolchainTests.OnLinuxX64) return;
        packages.EnsurePacked();
        // The fixture's root has a nuget.config adding the feed; dotnet fsi reads the one of the script's folder or above.
        string folder = packages.NewProjectFolder("fsi");
        File.Copy(Path.Combine(packages.RepositoryRoot, "samples", "tour.fsx"), Path.Combine(folder, "tour.fsx"));
        var run = Dotnet(folder, "fsi tour.fsx").EnsureSuccess();
        // Values the notebook prints: JAX's normal samples for PRNGKey(0), grad(sum_logistic) at 0 and 1, the batching checks.
        Assert.Contains("-0.3721109", run.Output, StringComparison.Ordinal);
        Assert.Contains("2.50000000e-01, 1.96611933e-01", run.Output, StringComparison.Ordinal);
        Assert.Contains("naive == manual: Array(True, dtype=bool), naive == vmap: Array(True, dtype=bool)", run.Output, StringComparison.Ordinal);
        Assert.Contains("kernels: compiled by LLVM", run.Output, StringComparison.Ordinal);

        // An interactive session (--use echoes each value as FSI does): an array prints as JAX prints it, not as a .NET
        // object with its properties (Jax.FSharp registers FSI's printer).
        File.WriteAllText(Path.Combine(folder, "session.fsx"), """
            #r "nuget: Jax.FSharp, 0.1.0-*"
            open JaxToolchain.FSharp
            let x = jnp.zeros 3;;
            #quit;;
            """);
        var session = Dotnet(folder, "fsi --use:session.fsx").EnsureSuccess();
        Assert.Contains("val x: JaxToolchain.Tensor = Array([0., 0., 0.], dtype=float32)", session.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("IsDeleted", session.Output, StringComparison.Ordinal);
    }
}
