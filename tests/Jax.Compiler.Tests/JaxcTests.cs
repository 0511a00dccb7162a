using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using JaxToolchain.Aot;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Compiler.Tests;

/// <summary>
/// Runs jaxc (as the build does, out of process) on a copy of the Kernels test assembly once for the class: weaving,
/// tracing every signature, compiling for linux-x64 (three ISA levels) with an object cache, and writing the manifest
/// and library. The woven assembly is then loaded and called from this process, whose base folder receives the
/// manifest and library as a build's output folder would.
/// </summary>
public sealed class CompiledKernelsFixture : IDisposable
{
    public const string AssemblyName = "Jax.Compiler.Tests.Kernels";

    public CompiledKernelsFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"jaxc-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(Folder);
        AssemblyPath = Jaxc.CopyTestAssembly(AssemblyName, Path.Combine(Folder, "obj"));
        Output = Path.Combine(Folder, "out");
        Cache = Path.Combine(Folder, "cache");
        First = Jaxc.Run(AssemblyPath, Output, Cache, extraArguments: ["--emit", "stablehlo"]);
        Second = Jaxc.Run(AssemblyPath, Output, Cache);
        foreach (string file in File.ReadAllLines(Path.Combine(Output, "jaxc.files")))
        {
            string target = Path.Combine(AppContext.BaseDirectory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(Output, file), target, overwrite: true);
        }
        Woven = new AssemblyLoadContext("woven kernels").LoadFromAssemblyPath(AssemblyPath);
    }

    public string Folder { get; }
    public string AssemblyPath { get; }
    public string Output { get; }
    public string Cache { get; }
    public Jaxc.Result First { get; }
    public Jaxc.Result Second { get; }
    public Assembly Woven { get; }

    public Type Kernels => Woven.GetType("JaxToolchain.Compiler.Tests.Kernels.Kernels", throwOnError: true)!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class JaxcTests(CompiledKernelsFixture fixture, ITestOutputHelper output) : IClassFixture<CompiledKernelsFixture>
{
    private static readonly Lock PrecompiledOnlyGate = new();

    [Fact]
    public void Jaxc_compiles_every_signature_and_lists_its_files()
    {
        output.WriteLine(fixture.First.Output);
        Assert.Equal(0, fixture.First.ExitCode);
        var files = File.ReadAllLines(Path.Combine(fixture.Output, "jaxc.files"));
        Assert.Equal([$"{CompiledKernelsFixture.AssemblyName}.jax.json", $"runtimes/linux-x64/native/lib{CompiledKernelsFixture.AssemblyName}.jax.so"], files);
        var manifest = KernelManifest.Load(Path.Combine(fixture.Output, files[0]));
        var signatures = manifest.Kernels.Select(k => k.Signature).ToHashSet();
        Assert.Contains("JaxToolchain.Compiler.Tests.Kernels.Kernels.Selu(f32[n]; x64=false; tree=*)", signatures);
        Assert.Contains("JaxToolchain.Compiler.Tests.Kernels.Kernels.Affine(f64[n,k], f64[k,m]; x64=true; tree=*,*)", signatures);
        Assert.Contains("JaxToolchain.Compiler.Tests.Kernels.Kernels.Scale(f32[n]; x64=false; static=(double:-1); tree=*,static)", signatures);
        Assert.Contains("Custom.Name(f32[n]; x64=false; tree=*)", signatures);
        Assert.Equal(14, manifest.Kernels.Count);
        Assert.Contains("JaxToolchain.Compiler.Tests.Kernels.Kernels.SumAll(f32[n], f32[n], f32[n]; x64=false; tree=Tensor[](*, *, *))", signatures);
        Assert.Contains("JaxToolchain.Compiler.Tests.Kernels.Kernels.ScaleBy(f32[n], f32[]; x64=false; tree=tuple(*, *))", signatures);
        Assert.All(manifest.Kernels, k => Assert.Equal(3, k.Targets.OfType<CpuKernelEntry>().Count()));
        Assert.Contains(fixture.Woven.GetCustomAttributes(), a => a is WovenAttribute);
    }

    [Fact]
    public void Emit_stablehlo_writes_each_kernels_module_beside_the_outputs()
    {
        Assert.Equal(0, fixture.First.ExitCode);
        var modules = Directory.GetFiles(fixture.Output, "*.stablehlo.mlir").Select(Path.GetFileName).ToArray();
        Assert.Equal(14, modules.Length);
        var selu = File.ReadAllText(Path.Combine(fixture.Output, "JaxToolchain.Compiler.Tests.Kernels.Kernels.Selu.stablehlo.mlir"));
        Assert.StartsWith("module @jit_JaxToolchain.Compiler.Tests.Kernels.Kernels.Selu attributes {", selu);
        Assert.Contains("func.func public @main(%arg0: tensor<?xf32>) -> (tensor<?xf32>) {", selu);
        Assert.Contains("stablehlo.exponential %arg0 : tensor<?xf32>", selu);
        // Not build outputs: jaxc.files does not list them.
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(fixture.Output, "jaxc.files")), f => f.EndsWith(".mlir", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_run_takes_every_object_from_the_cache_and_does_not_weave_again()
    {
        output.WriteLine(fixture.Second.Output);
        Assert.Equal(0, fixture.Second.ExitCode);
        Assert.Contains("(42 of 42 objects from the cache)", fixture.Second.Output);
        Assert.Contains("(0 of 42 objects from the cache)", fixture.First.Output);
        // Woven once: one dispatcher field per method.
        Assert.Single(fixture.Kernels.GetFields(BindingFlags.NonPublic | BindingFlags.Static), f => f.Name == "<Selu>jax$method");
    }

    [Fact]
    public void The_woven_assembly_keeps_the_original_bodys_source_lines_for_debuggers()
    {
        using var module = Mono.Cecil.ModuleDefinition.ReadModule(fixture.AssemblyPath, new Mono.Cecil.ReaderParameters { ReadSymbols = true, InMemory = true });
        var type = module.GetType("JaxToolchain.Compiler.Tests.Kernels.Kernels");
        var body = type.Methods.Single(m => m.Name == "<Selu>jax$body");
        var point = body.DebugInformation.SequencePoints.First(p => !p.IsHidden);
        Assert.EndsWith("Kernels.cs", point.Document.Url);
        Assert.Contains("public static Tensor Selu(Tensor x) =>", File.ReadAllLines(point.Document.Url)[point.StartLine - 1]);
        // The public method is the dispatcher, with the [Jit] attribute; the body is private.
        var dispatcher = type.Methods.Single(m => m.Name == "Selu");
        Assert.True(dispatcher.IsPublic && body.IsPrivate);
        Assert.Contains(dispatcher.CustomAttributes, a => a.AttributeType.FullName == "JaxToolchain.JitAttribute");
    }

    [Fact]
    public void Woven_methods_run_their_precompiled_kernels()
    {
        var x = Jnp.Linspace(-3f, 3f, 1001);
        using (PrecompiledOnly())
        {
            AssertClose(Body("Selu", x), Call("Selu", x));
            AssertClose(Body("SeluGradient", x), Call("SeluGradient", x));
            AssertClose(Body("Scale", x, -1.0), Call("Scale", x, -1.0));
            AssertClose(Body("Activate", x, Enum.Parse(fixture.Kernels.Assembly.GetType("JaxToolchain.Compiler.Tests.Kernels.Activation")!, "Tanh")),
                Call("Activate", x, Enum.Parse(fixture.Kernels.Assembly.GetType("JaxToolchain.Compiler.Tests.Kernels.Activation")!, "Tanh")));
            AssertClose(Body("Shift", x, (Tensor)2.5), Call("Shift", x, (Tensor)2.5));
            AssertClose(Body("Named", x), Call("Named", x));
            var (min, max) = ((Tensor, Tensor))Call("MinMax", x);
            Assert.Equal((-3f, 3f), (min.Item<float>(), max.Item<float>()));
            var a = Jax.Random.Normal(Jax.Random.PRNGKey(1), [7, 5]);
            var w = Jax.Random.Normal(Jax.Random.PRNGKey(2), [5, 3]);
            AssertClose(Body("Affine", a, w), Call("Affine", a, w));
            AssertClose(Body("Standardize", a[.., ..3]), Call("Standardize", a[.., ..3]));
            Tensor[] three = [x, 2 * x, Jnp.Exp(x)];
            AssertClose(Body("SumAll", [three]), Call("SumAll", [three]));
            var pair = (x, Jnp.Array(0.5f));
            AssertClose(Body("ScaleBy", pair), Call("ScaleBy", pair));
            // Plain code that calls a [Jit] method, or makes a delegate of it, reaches the precompiled kernel too.
            AssertClose(Body("Selu", x), Call("CallsSelu", x));
            var selu = (Func<Tensor, Tensor>)Call("SeluDelegate");
            AssertClose(Body("Selu", x), selu(x));
        }
    }

    [Fact]
    public void Inputs_outside_the_compiled_signatures_trace_or_throw_under_PrecompiledOnly()
    {
        var matrix = Jnp.Ones([2, 2]);
        using (PrecompiledOnly())
        {
            var error = Assert.Throws<TargetInvocationException>(() => Call("CallsSelu", matrix)).InnerException;
            var missing = Assert.IsType<PrecompiledKernelMissingException>(error);
            Assert.Contains("Kernels.Selu has no precompiled kernel for", missing.Message);
            Assert.Contains("f32[2,2]", missing.Message);
            Assert.Contains("compiled: JaxToolchain.Compiler.Tests.Kernels.Kernels.Selu(f32[n]; x64=false; tree=*)", missing.Message);
        }
        lock (PrecompiledOnlyGate) AssertClose(Body("Selu", matrix), Call("Selu", matrix));
    }

    [Fact]
    public void A_donated_argument_is_consumed()
    {
        var x = Jnp.Arange(10f);
        var y = (Tensor)Call("Square", x);
        Assert.Equal(81f, y.ToArray<float>()[9]);
        Assert.ThrowsAny<Exception>(() => x.ToArray<float>());
    }

    private IDisposable PrecompiledOnly()
    {
        PrecompiledOnlyGate.Enter();
        Jax.Config.PrecompiledOnly = true;
        return new Restore(() =>
        {
            Jax.Config.PrecompiledOnly = false;
            PrecompiledOnlyGate.Exit();
        });
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private object Call(string method, params object[] args) =>
        fixture.Kernels.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    private Tensor Body(string method, params object[] args) =>
        (Tensor)fixture.Kernels.GetMethod($"<{method}>jax$body", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, args)!;

    /// <summary>Within a few float32 ulps: the kernels expand exp and tanh into polynomials (ir/Transforms/MATH.md), the interpreter calls .NET's.</summary>
    private static void AssertClose(Tensor expected, object actual)
    {
        var e = expected.ToArray<double>();
        var a = ((Tensor)actual).ToArray<double>();
        Assert.Equal(expected.Shape, ((Tensor)actual).Shape);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5 * Math.Max(1, Math.Abs(e[i])), $"element {i}: expected {e[i]}, got {a[i]}");
    }
}

/// <summary>Each mistake in BadKernels.cs is reported with its code at the line its "expect JAXnnnn" comment marks.</summary>
public sealed class JaxcDiagnosticTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_mistake_is_an_error_with_its_code_at_the_users_line()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"jaxc-bad-{Environment.ProcessId}");
        try
        {
            string assembly = Jaxc.CopyTestAssembly("Jax.Compiler.Tests.BadKernels", folder);
            var result = Jaxc.Run(assembly, Path.Combine(folder, "out"), cache: null);
            output.WriteLine(result.Output);
            Assert.Equal(1, result.ExitCode);
            string source = Path.Combine(SourceFolder(), "BadKernels", "BadKernels.cs");
            var expected = File.ReadAllLines(source)
                .Select((line, i) => (Line: i + 1, Marker: line.IndexOf("// expect ", StringComparison.Ordinal) is int at and >= 0 ? line[(at + 10)..].Trim() : null))
                .Where(m => m.Marker is not null).ToArray();
            Assert.Equal(12, expected.Length);
            var errors = result.Output.Split('\n').Where(l => l.Contains(": error JAX", StringComparison.Ordinal)).ToArray();
            foreach (var (line, code) in expected)
                Assert.Contains(errors, e => e.StartsWith($"{source}({line},", StringComparison.Ordinal) && e.Contains($": error {code}:", StringComparison.Ordinal));
            Assert.Equal(expected.Length, errors.Length);
            // Nothing was written in place of the original assembly or beside it.
            Assert.False(File.Exists(Path.Combine(folder, "out", "jaxc.files")));
            Assert.Contains(errors, e => e.Contains("dot: contracting dimensions differ: float32[n,3] (axis 1) and float32[4] (axis 0)", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_stablehlo_module_is_compiled_into_the_manifest_and_a_bad_one_is_an_error_at_its_line()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"jaxc-module-{Environment.ProcessId}");
        try
        {
            string assembly = Jaxc.CopyTestAssembly("Jax.Compiler.Tests.Kernels", folder);
            string good = Path.Combine(folder, "double_it.mlir");
            File.WriteAllText(good, """
                func.func public @main(%arg0: tensor<?xf32>) -> tensor<?xf32> {
                  %0 = stablehlo.add %arg0, %arg0 : tensor<?xf32>
                  return %0 : tensor<?xf32>
                }
                """);
            var result = Jaxc.Run(assembly, Path.Combine(folder, "out"), cache: null,
                extraArguments: ["--rid", "linux-x64", "--module", good, "--module", good, "--module-name", "renamed"]);
            output.WriteLine(result.Output);
            Assert.Equal(0, result.ExitCode);
            var manifest = KernelManifest.Load(Path.Combine(folder, "out", KernelManifest.FileNameFor("Jax.Compiler.Tests.Kernels")));
            // One kernel for x64 off and one for x64 on, per module.
            Assert.Equal(2, manifest.Kernels.Count(k => k.Name == "double_it"));
            Assert.Equal(2, manifest.Kernels.Count(k => k.Name == "renamed"));

            string bad = Path.Combine(folder, "bad.mlir");
            File.WriteAllText(bad, """
                func.func public @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
                  %0 = stablehlo.fft %arg0, type = FFT, length = [4] : (tensor<4xf32>) -> tensor<4xf32>
                  return %0 : tensor<4xf32>
                }
                """);
            result = Jaxc.Run(assembly, Path.Combine(folder, "out-bad"), cache: null, extraArguments: ["--rid", "linux-x64", "--module", bad]);
            output.WriteLine(result.Output);
            Assert.Equal(1, result.ExitCode);
            var error = Assert.Single(result.Output.Split('\n'), l => l.Contains(": error JAX", StringComparison.Ordinal));
            Assert.StartsWith($"{bad}(2,", error, StringComparison.Ordinal);
            Assert.Contains("error JAX1012: JaxModule bad:", error, StringComparison.Ordinal);
            Assert.Contains("fft", error, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_machine_without_llvm_gets_one_error_naming_the_apt_line_and_nothing_is_written()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"jaxc-nollvm-{Environment.ProcessId}");
        try
        {
            string assembly = Jaxc.CopyTestAssembly("Jax.Compiler.Tests.Kernels", folder);
            byte[] before = File.ReadAllBytes(assembly);
            var result = Jaxc.Run(assembly, Path.Combine(folder, "out"), cache: null,
                new Dictionary<string, string> { ["JAX_LLVM_LIBRARY"] = "/nonexistent/libLLVM.so.19.1" });
            output.WriteLine(result.Output);
            Assert.Equal(1, result.ExitCode);
            var error = Assert.Single(result.Output.Split('\n'), l => l.Contains(": error JAX", StringComparison.Ordinal));
            Assert.StartsWith("jaxc: error JAX2001:", error);
            Assert.Contains("sudo apt-get install libllvm19 lld-19", error);
            Assert.Equal(before, File.ReadAllBytes(assembly));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

/// <summary>Runs jaxc out of process, as the MSBuild task does.</summary>
public static class Jaxc
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Copies a test assembly (built beside this one by its project reference) and its PDB into <paramref name="folder"/>.</summary>
    public static string CopyTestAssembly(string name, string folder)
    {
        Directory.CreateDirectory(folder);
        // tests/Jax.Compiler.Tests/bin/<cfg>/<tfm>/ -> tests/Jax.Compiler.Tests/<Name>/bin/<cfg>/<tfm>/
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string subfolder = name.EndsWith("BadKernels", StringComparison.Ordinal) ? "BadKernels" : "Kernels";
        string built = Path.Combine(bin.Parent!.Parent!.Parent!.FullName, subfolder, "bin", bin.Parent.Name, bin.Name);
        foreach (string extension in new[] { ".dll", ".pdb" })
            File.Copy(Path.Combine(built, name + extension), Path.Combine(folder, name + extension), overwrite: true);
        return Path.Combine(folder, name + ".dll");
    }

    public static Result Run(string assembly, string output, string? cache, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? extraArguments = null)
    {
        string jaxc = Path.Combine(AppContext.BaseDirectory, "jaxc.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (string arg in new[] { jaxc, "--assembly", assembly, "--reference", typeof(Tensor).Assembly.Location, "--output", output, "--rid", "linux-x64" })
            start.ArgumentList.Add(arg);
        if (cache is not null)
        {
            start.ArgumentList.Add("--cache");
            start.ArgumentList.Add(cache);
        }
        foreach (string arg in extraArguments ?? []) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        return new Result(process.ExitCode, stdout + stderr.Result);
    }
}
