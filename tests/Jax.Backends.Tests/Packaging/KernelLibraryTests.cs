using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Tests.Codegen;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Backends.Tests.Packaging;

/// <summary>
/// Precompiled kernel libraries end to end: built by <see cref="CpuLibraryBuilder"/> (linux-x64, three ISA variants in one
/// library), loaded by the runtime's <see cref="ManifestKernelProvider"/> without LLVM, run and compared with the interpreter,
/// each ISA level forced in turn; and every way the files can be wrong gives an error naming the file and the problem.
/// </summary>
public sealed class KernelLibraryTests(KernelLibraryFixture library, ITestOutputHelper output) : IClassFixture<KernelLibraryFixture>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("jax-packaging-case-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static bool OnLinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    private static ExecutableKey Key(Function function) =>
        new(KernelLibraryFixture.Prefix + function.Name, function.ParameterTypes.ToArray(), false, DeviceDescriptor.Cpu, null,
            string.Join(",", function.ParameterTypes.Select(_ => "*")));

    /// <summary>The key of a call of <paramref name="function"/> on arguments of these types (symbolic dims bound).</summary>
    private static ExecutableKey Key(Function function, Buffer[] arguments) =>
        new(KernelLibraryFixture.Prefix + function.Name, arguments.Select(a => a.Type).ToArray(), false, DeviceDescriptor.Cpu, null,
            string.Join(",", arguments.Select(_ => "*")));

    private static Buffer[] Execute(IExecutable executable, Buffer[] arguments, bool[]? donated = null) =>
        executable.Execute(arguments.Select(a => (DeviceArray)new HostArray(a.Share(), DeviceDescriptor.Cpu)).ToArray(), donated)
            .Select(r => r.ReadHost()).ToArray();

    /// <summary>The arguments each kernel is run on (the symbolic kernel at several sizes).</summary>
    private static IEnumerable<(Function Function, Buffer[] Arguments)> Cases(KernelLibraryFixture library)
    {
        var affine = library.Function("affine");
        yield return (affine, [CompiledKernels.Values(DType.Float32, Shape.Of(64), 1), CompiledKernels.Values(DType.Float32, Shape.Of(64), 2)]);
        var difference = library.Function("difference_squared");
        foreach (int n in new[] { 0, 1, 7, 1000, 4099 })
            yield return (difference, [CompiledKernels.Values(DType.Float32, Shape.Of(n), n), CompiledKernels.Values(DType.Float32, Shape.Of(n), n + 1)]);
        yield return (library.Function("factorial"), [Buffer.Scalar(1L), Buffer.Scalar(10L)]);
        yield return (library.Function("cumulative_sum"), [Buffer.Scalar(0.25f), Buffer.Of(new[] { 1f, 2.5f, -3f, 1e-3f, 7f }, 5)]);
    }

    [Fact]
    public void The_builder_writes_one_library_with_a_symbol_per_isa_level_and_the_manifest_entries()
    {
        output.WriteLine($"built 5 kernels (4 compiled) for linux-x64 x86-64-v2/v3/v4 and linked in {library.BuildTime.TotalMilliseconds:F0} ms");
        var build = library.Build;
        string path = build.Libraries["linux-x64"];
        Assert.Equal(Path.Combine(library.Folder, "runtimes", "linux-x64", "native", "libPackaging.Tests.jax.so"), path);
        Assert.Equal(Path.Combine(library.Folder, "Packaging.Tests.jax.json"), build.ManifestPath);
        var headers = NativeLibraryReader.Read(path);
        Assert.Equal((ObjectFormat.Elf, "x86-64", true), (headers.Format, headers.Machine, headers.IsSharedLibrary));
        Assert.Empty(headers.Imports);
        Assert.Empty(headers.Undefined);
        string[] compiled = ["affine", "difference_squared", "factorial", "cumulative_sum"];
        // One signature per name: each kernel is its name's signature 0.
        var expected = compiled.SelectMany(name => CpuKernelEntry.X64IsaLevels.Select(isa =>
            CpuLibraryBuilder.SymbolFor(KernelLibraryFixture.Prefix + name, 0, isa)));
        Assert.Equal(expected.ToHashSet(), headers.Exports);
        Assert.Contains("jax_PackagingTests_affine_0_x86_64_v3", headers.Exports);

        // The unsupported kernel keeps its IR and is reported.
        Assert.Equal(["PackagingTests.linearized: "], build.Unsupported.Select(u => u[..(u.IndexOf(':') + 2)]));
        Assert.Equal([KernelTargetEntry.IrTarget], build.Manifest.Kernels[4].Targets.Select(t => t.TargetName));

        // The manifest read back: per kernel three cpu entries (one library, one digest) and the IR.
        var manifest = KernelManifest.Load(build.ManifestPath);
        string sha = KernelFileEntry.ComputeSha256(path);
        var difference = manifest.Kernels[1];
        Assert.Equal(["f32[n]", "f32[n]"], difference.Inputs);
        Assert.Equal(["f32[n]", "f32[n]"], difference.Outputs);
        Assert.Equal(["n"], difference.Symbols);
        Assert.Equal("*,*", difference.InputStructure);
        var entries = difference.Targets.OfType<CpuKernelEntry>().ToArray();
        Assert.Equal(CpuKernelEntry.X64IsaLevels, entries.Select(e => e.Isa));
        Assert.All(entries, e =>
        {
            Assert.Equal(("linux-x64", "runtimes/linux-x64/native/libPackaging.Tests.jax.so", sha), (e.Rid, e.Library, e.Sha256));
            Assert.Equal(ExecutionContracts.KernelAbiVersion, e.AbiVersion);
            Assert.Equal([0], e.Donated);
            Assert.Equal($"jax_PackagingTests_difference_squared_0_{e.Isa.Replace('-', '_')}", e.Symbol);
        });
        Assert.Single(difference.Targets.OfType<IrKernelEntry>());
        string json = File.ReadAllText(build.ManifestPath);
        Assert.Contains("\"abiVersion\": 1", json);
        Assert.Contains("\"donated\": [", json);
    }

    /// <summary>With each ISA level forced, the provider binds that level's symbol, and every kernel gives the interpreter's results bit for bit (any NaN equals any NaN).</summary>
    [Theory]
    [InlineData("x86-64-v2")]
    [InlineData("x86-64-v3")]
    [InlineData("x86-64-v4")]
    public void Each_forced_isa_level_runs_its_own_symbol_with_the_interpreters_results(string isa)
    {
        if (!OnLinuxX64 || !CpuIsa.Supported.Contains(isa))
        {
            output.WriteLine($"this machine does not run {isa}: only the refusal is checked");
            Assert.Throws<PlatformNotSupportedException>(() => ManifestKernelProvider.Load(library.Build.ManifestPath, isa));
            return;
        }
        var provider = ManifestKernelProvider.Load(library.Build.ManifestPath, isa);
        foreach (var (function, arguments) in Cases(library))
        {
            Assert.True(provider.TryGet(Key(function, arguments), out var kernel), $"no kernel for {function.Name}");
            var native = Assert.IsType<ManifestNativeExecutable>(kernel.Executable);
            Assert.Equal(isa, native.Entry.Isa);
            Assert.EndsWith("_" + isa.Replace('-', '_'), native.Entry.Symbol);
            CompiledKernels.AssertSameResults(Interpreter.Run(function, arguments), Execute(native, arguments), $"{function.Name} at {isa}");
        }
        Assert.Single(provider.LoadedLibraries);
        // The other levels are noted, as is the kernel without native code (which its IR serves).
        Assert.Contains(provider.Diagnostics, d => d.Reason == $"JAX_CPU_ISA selects {isa}");
        Assert.True(provider.TryGet(Key(library.Function("linearized")), out var linearized));
        Assert.IsNotType<ManifestNativeExecutable>(linearized.Executable);
    }

    [Fact]
    public void Without_a_forced_level_the_best_level_of_this_cpu_is_chosen()
    {
        if (!OnLinuxX64) return;
        var provider = ManifestKernelProvider.Load(library.Build.ManifestPath);
        Assert.True(provider.TryGet(Key(library.Function("affine")), out var kernel));
        string best = Environment.GetEnvironmentVariable(CpuIsa.OverrideVariable) is { Length: > 0 } forced ? forced : CpuIsa.Supported[0];
        Assert.Equal(best, Assert.IsType<ManifestNativeExecutable>(kernel.Executable).Entry.Isa);
        Assert.Contains(provider.Diagnostics, d => d.Reason == $"this CPU runs {best}, which is preferred");
    }

    [Fact]
    public void Jitted_calls_run_the_library_kernel_without_tracing()
    {
        if (!OnLinuxX64) return;
        var provider = ManifestKernelProvider.Load(library.Build.ManifestPath);
        KernelRegistry.Register(provider);
        try
        {
            Func<Tensor, Tensor, Tensor[]> neverTraced = (_, _) => throw new InvalidOperationException("traced instead of running the library's kernel");
            var f = Jax.Jit((Tensor[] xs) => neverTraced(xs[0], xs[1]), new JitOptions { Name = KernelLibraryFixture.Prefix + "difference_squared" });
            float[] x = [1f, 2f, 3f, 4f, 5f, 6f, 7f], y = [0.5f, 4f, -1f, 4f, 0f, 1e3f, 7f];
            var results = f([Jnp.Array(x), Jnp.Array(y)]);
            var expected = Interpreter.Run(library.Function("difference_squared"), Buffer.Of(x, 7), Buffer.Of(y, 7));
            Assert.Equal(expected[0].ToArray<float>(), results[0].ToArray<float>());
            Assert.Equal(expected[1].ToArray<float>(), results[1].ToArray<float>());
        }
        finally
        {
            KernelRegistry.Unregister(provider);
        }
    }

    [Fact]
    public void An_input_the_kernel_may_overwrite_is_copied_unless_the_call_donates_it()
    {
        if (!OnLinuxX64) return;
        var provider = ManifestKernelProvider.Load(library.Build.ManifestPath, CpuIsa.Supported[^1]);
        var function = library.Function("difference_squared");
        Buffer[] arguments = [CompiledKernels.Values(DType.Float32, Shape.Of(1000), 5), CompiledKernels.Values(DType.Float32, Shape.Of(1000), 6)];
        var before = arguments[0].Clone();
        Assert.True(provider.TryGet(Key(function, arguments), out var kernel));
        var results = Execute(kernel.Executable, arguments, [false, false]);
        Assert.True(before.BitwiseEquals(arguments[0]), "an input that was not donated changed");
        CompiledKernels.AssertSameResults(Interpreter.Run(function, before, arguments[1]), results, "not donated");
        var donatedResults = Execute(kernel.Executable, [before.Clone(), arguments[1]], [true, false]);
        CompiledKernels.AssertSameResults(results, donatedResults, "donated");
    }

    // --- Errors: every one names the file and the problem. ---

    private ManifestKernelProvider LoadCopy(Func<string, string>? editManifest = null, Action<string>? damageLibrary = null)
    {
        var (libraryPath, manifest) = library.Copy(_scratch, editManifest);
        damageLibrary?.Invoke(libraryPath);
        return ManifestKernelProvider.Load(manifest, "x86-64-v2");
    }

    /// <summary>The error of the first call of a kernel of a provider.</summary>
    private KernelManifestException FirstCallError(ManifestKernelProvider provider)
    {
        var function = library.Function("affine");
        return Assert.Throws<KernelManifestException>(() => provider.TryGet(Key(function), out _));
    }

    [Fact]
    public void A_missing_library_is_an_error_naming_it()
    {
        if (!OnLinuxX64) return;
        var error = FirstCallError(LoadCopy(damageLibrary: File.Delete));
        output.WriteLine(error.Message);
        Assert.Contains("libPackaging.Tests.jax.so does not exist", error.Message);
        Assert.Contains("cpu linux-x64 x86-64-v2 (runtimes/linux-x64/native/libPackaging.Tests.jax.so, jax_PackagingTests_affine_0_x86_64_v2)", error.Message);
    }

    [Theory]
    [InlineData("corrupted")]
    [InlineData("truncated")]
    public void A_damaged_library_is_refused_by_its_digest(string damage)
    {
        if (!OnLinuxX64) return;
        var error = FirstCallError(LoadCopy(damageLibrary: path =>
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (damage == "truncated") Array.Resize(ref bytes, bytes.Length / 2);
            else bytes[bytes.Length / 2] ^= 0x40;
            File.WriteAllBytes(path, bytes);
        }));
        output.WriteLine(error.Message);
        Assert.Matches("libPackaging.Tests.jax.so has SHA-256 [0-9a-f]{64}, but the manifest states [0-9a-f]{64} \\(the file and the manifest come from different builds", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_library_is_refused_when_loading()
    {
        if (!OnLinuxX64) return;
        // A manifest whose digest is the file's, but the file is text: the loader's error, not a crash.
        var (libraryPath, manifest) = library.Copy(_scratch);
        File.WriteAllText(libraryPath, "not a library\n");
        string json = File.ReadAllText(manifest).Replace(KernelFileEntry.ComputeSha256(library.Build.Libraries["linux-x64"]), KernelFileEntry.ComputeSha256(libraryPath));
        File.WriteAllText(manifest, json);
        var error = FirstCallError(ManifestKernelProvider.Load(manifest, "x86-64-v2"));
        output.WriteLine(error.Message);
        Assert.Contains($"{libraryPath} is not a shared library this process can load", error.Message);
    }

    [Fact]
    public void A_library_of_another_kernel_abi_version_is_refused_when_the_manifest_is_loaded()
    {
        if (!OnLinuxX64) return;
        var error = Assert.Throws<KernelManifestException>(() => LoadCopy(json => json.Replace("\"abiVersion\": 1", "\"abiVersion\": 2")));
        output.WriteLine(error.Message);
        Assert.Contains("cpu linux-x64 x86-64-v2 (runtimes/linux-x64/native/libPackaging.Tests.jax.so, jax_PackagingTests_affine_0_x86_64_v2) of kernel PackagingTests.affine", error.Message);
        Assert.Contains("was built for kernel ABI version 2; this runtime calls version 1", error.Message);
    }

    [Fact]
    public void A_manifest_whose_signature_does_not_fit_the_librarys_kernel_is_an_error_at_the_call()
    {
        if (!OnLinuxX64) return;
        // One scratch buffer more than the kernel takes: the kernel refuses the frame, the runtime says why.
        var provider = LoadCopy(json => json.Replace("\"scratch\": [],", "\"scratch\": [\"64\"],"));
        var function = library.Function("affine");
        Assert.True(provider.TryGet(Key(function), out var kernel));
        var error = Assert.Throws<KernelManifestException>(() => Execute(kernel.Executable,
            [CompiledKernels.Values(DType.Float32, Shape.Of(64), 1), CompiledKernels.Values(DType.Float32, Shape.Of(64), 2)]));
        output.WriteLine(error.Message);
        Assert.Contains("of kernel PackagingTests.affine", error.Message);
        Assert.Contains("the manifest does not describe this library's kernel", error.Message);
    }

    [Fact]
    public void A_symbol_the_library_does_not_export_is_an_error_naming_both()
    {
        if (!OnLinuxX64) return;
        var error = FirstCallError(LoadCopy(json => json.Replace("jax_PackagingTests_affine_0_x86_64_v2", "jax_PackagingTests_affine_9_x86_64_v2")));
        output.WriteLine(error.Message);
        Assert.Contains("libPackaging.Tests.jax.so does not export 'jax_PackagingTests_affine_9_x86_64_v2'", error.Message);
    }

    // --- Flattened native assets: a package's runtimes/<rid>/native/ files in the app folder (build or publish -r <rid>). ---

    /// <summary>The manifest and the library copied to a fresh folder, the library beside the manifest instead of under runtimes/.</summary>
    private (string Library, string Manifest) FlattenedCopy()
    {
        var (nested, manifest) = library.Copy(_scratch);
        string flattened = Path.Combine(_scratch, Path.GetFileName(nested));
        File.Move(nested, flattened);
        Directory.Delete(Path.Combine(_scratch, "runtimes"), recursive: true);
        return (flattened, manifest);
    }

    [Fact]
    public void A_library_flattened_beside_the_manifest_is_found_by_its_file_name()
    {
        if (!OnLinuxX64) return;
        var (flattened, manifest) = FlattenedCopy();
        var provider = ManifestKernelProvider.Load(manifest, "x86-64-v2");
        var function = library.Function("affine");
        Assert.True(provider.TryGet(Key(function), out var kernel));
        var native = Assert.IsType<ManifestNativeExecutable>(kernel.Executable);
        Assert.Equal("runtimes/linux-x64/native/libPackaging.Tests.jax.so", native.Entry.Library);
        Buffer[] arguments = [CompiledKernels.Values(DType.Float32, Shape.Of(64), 1), CompiledKernels.Values(DType.Float32, Shape.Of(64), 2)];
        CompiledKernels.AssertSameResults(Interpreter.Run(function, arguments), Execute(native, arguments), "flattened library");
        Assert.Contains(LoadedLibraries(), path => path == flattened);
    }

    /// <summary>The paths of the native libraries this process has loaded (Linux: /proc/self/maps).</summary>
    private static IEnumerable<string> LoadedLibraries() =>
        File.ReadAllLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6).Select(parts => string.Join(' ', parts.Skip(5)));

    [Fact]
    public void A_flattened_library_is_still_checked_against_the_manifests_digest()
    {
        if (!OnLinuxX64) return;
        var (flattened, manifest) = FlattenedCopy();
        byte[] bytes = File.ReadAllBytes(flattened);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(flattened, bytes);
        var error = FirstCallError(ManifestKernelProvider.Load(manifest, "x86-64-v2"));
        output.WriteLine(error.Message);
        Assert.Matches($"{Regex.Escape(flattened)} has SHA-256 [0-9a-f]{{64}}, but the manifest states [0-9a-f]{{64}}", error.Message);
    }

    [Fact]
    public void The_manifests_relative_path_is_preferred_to_a_flattened_file_and_named_when_both_are_missing()
    {
        if (!OnLinuxX64) return;
        var (nested, manifest) = library.Copy(_scratch);
        string flattened = Path.Combine(_scratch, Path.GetFileName(nested));
        File.WriteAllText(flattened, "a stale file of another build\n");
        var provider = ManifestKernelProvider.Load(manifest, "x86-64-v2");
        Assert.True(provider.TryGet(Key(library.Function("affine")), out _)); // the file under runtimes/ (the digest would refuse the other)
        File.Delete(flattened);
        File.Delete(nested);
        var error = FirstCallError(ManifestKernelProvider.Load(manifest, "x86-64-v2"));
        Assert.Contains($"{nested} does not exist", error.Message);
    }

    [Fact]
    public void Forcing_a_level_this_cpu_does_not_run_is_refused()
    {
        if (!OnLinuxX64) return;
        var error = Assert.Throws<PlatformNotSupportedException>(() => ManifestKernelProvider.Load(library.Build.ManifestPath, "x86-64-v9"));
        Assert.StartsWith("JAX_CPU_ISA=x86-64-v9, but this CPU runs only [", error.Message);
    }
}
