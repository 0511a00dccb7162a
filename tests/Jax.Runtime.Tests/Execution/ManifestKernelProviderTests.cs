using System.Runtime.InteropServices;
using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Api;

namespace JaxToolchain.Runtime.Tests.Execution;

/// <summary>
/// A registered manifest provider makes <c>Jax.Jit</c> run a manifest's kernel for a matching key, without tracing
/// (the functions below throw if traced), and trace as usual otherwise. Kernel names start with this class's name, so
/// no other test (tests run in parallel) can match them; every test unregisters its provider.
/// </summary>
public class ManifestKernelProviderTests
{
    private const string Prefix = "ManifestKernelProviderTests.";

    private static readonly Func<Tensor, Tensor> NeverTraced = _ => throw new InvalidOperationException("the function was traced instead of running the manifest's kernel");

    /// <summary>An IR kernel computing x * x + x for one input of <paramref name="type"/>.</summary>
    private static ManifestKernel SquarePlus(string name, string type, bool x64 = false, params KernelTargetEntry[] others)
    {
        var parsed = IrParser.ParseType(type);
        return new ManifestKernel
        {
            Name = Prefix + name,
            Inputs = [type],
            X64 = x64,
            InputStructure = "*",
            Outputs = [type],
            Symbols = parsed.Shape.Symbols.Distinct().ToArray(),
            Targets =
            [
                .. others,
                new IrKernelEntry { Text = $"func @square_plus(%0: {type}) -> ({type}) {{\n  %1 = mul %0, %0 : {type}\n  %2 = add %1, %0 : {type}\n  return %2\n}}\n" },
            ],
        };
    }

    private static ManifestKernelProvider Provider(params ManifestKernel[] kernels) =>
        new(new KernelManifest { Assembly = "Jax.Runtime.Tests", Kernels = kernels }, AppContext.BaseDirectory);

    /// <summary>Runs <paramref name="test"/> with <paramref name="provider"/> registered, unregistering it afterwards.</summary>
    private static void WithRegistered(ManifestKernelProvider provider, Action test)
    {
        KernelRegistry.Register(provider);
        try
        {
            test();
        }
        finally
        {
            KernelRegistry.Unregister(provider);
        }
    }

    private static double[] SquarePlusOf(params float[] x) => x.Select(v => (double)v * v + v).ToArray();

    /// <summary>A jitted function that counts its traces and computes x + 100 (so a traced result is told from the kernel's).</summary>
    private static (Func<Tensor, Tensor> Jitted, Func<int> Traces) Counting(string name)
    {
        int traces = 0;
        var jitted = Jax.Jit(x =>
        {
            traces++;
            return x + 100;
        }, new JitOptions { Name = Prefix + name });
        return (jitted, () => traces);
    }

    [Fact]
    public void A_matching_call_runs_the_manifest_kernel_without_tracing()
    {
        WithRegistered(Provider(SquarePlus("Static", "f32[3]")), () =>
        {
            var f = Jax.Jit(NeverTraced, new JitOptions { Name = Prefix + "Static" });
            var x = Jnp.Array(new[] { 1f, -2f, 0.5f });
            var y = f(x);
            Assert.Equal(DType.Float32, y.DType);
            Assert.False(y.WeakType);
            Expect.Values(y, SquarePlusOf(1f, -2f, 0.5f));
            Expect.Values(f(x * 2), SquarePlusOf(2f, -4f, 1f));
        });
    }

    [Fact]
    public void A_call_that_does_not_match_traces_as_usual()
    {
        WithRegistered(Provider(SquarePlus("Unmatched", "f32[3]")), () =>
        {
            var (f, traces) = Counting("Unmatched");
            Expect.Values(f(Jnp.Array(new[] { 1f, 2f, 3f })), SquarePlusOf(1f, 2f, 3f));
            Assert.Equal(0, traces());
            Expect.Values(f(Jnp.Array(new[] { 1f, 2f, 3f, 4f })), [101, 102, 103, 104]);
            Expect.Values(f(Jnp.Array(new[] { 1, 2, 3 })), [101, 102, 103]);
            Assert.Equal(2, traces());
            // Another name never matches.
            var other = Jax.Jit((Tensor x) => x - 1, new JitOptions { Name = Prefix + "Other" });
            Expect.Values(other(Jnp.Array(new[] { 1f, 2f, 3f })), [0, 1, 2]);
        });
    }

    [Fact]
    public void Symbolic_dims_serve_every_size_they_bind_consistently()
    {
        WithRegistered(Provider(SquarePlus("Vector", "f32[n]"), SquarePlus("Square", "f32[n,n]")), () =>
        {
            var vector = Jax.Jit(NeverTraced, new JitOptions { Name = Prefix + "Vector" });
            foreach (int size in new[] { 1, 3, 7 })
            {
                var x = Jnp.Array(Enumerable.Range(0, size).Select(i => (float)i).ToArray());
                Expect.Values(vector(x), SquarePlusOf(x.ToArray<float>()));
            }
            Expect.Values(vector(Jnp.Zeros(0)), []);

            var (square, traces) = Counting("Square");
            Expect.Values(square(Jnp.Ones([2, 2])), [2, 2, 2, 2]);
            Assert.Equal(0, traces());
            Expect.Values(square(Jnp.Ones([2, 3])), [101, 101, 101, 101, 101, 101]);
            Assert.Equal(1, traces());
        });
    }

    [Fact]
    public void Static_shapes_are_preferred_over_symbolic_ones()
    {
        var exact = SquarePlus("Preferred", "f32[2]") with
        {
            Targets = [new IrKernelEntry { Text = "func @negate(%0: f32[2]) -> (f32[2]) {\n  %1 = neg %0 : f32[2]\n  return %1\n}\n" }],
        };
        WithRegistered(Provider(SquarePlus("Preferred", "f32[n]"), exact), () =>
        {
            var f = Jax.Jit(NeverTraced, new JitOptions { Name = Prefix + "Preferred" });
            Expect.Values(f(Jnp.Array(new[] { 1f, 2f })), [-1, -2]);
            Expect.Values(f(Jnp.Array(new[] { 1f, 2f, 3f })), SquarePlusOf(1f, 2f, 3f));
        });
    }

    [Fact]
    public void X64_is_part_of_the_match()
    {
        WithRegistered(Provider(SquarePlus("X64", "f32[2]", x64: true)), () =>
        {
            var (f, traces) = Counting("X64");
            var x = Jnp.Array(new[] { 3f, 4f });
            using (Jax.Config.X64Scope(false))
                Expect.Values(f(x), [103, 104]);
            Assert.Equal(1, traces());
            using (Jax.Config.X64Scope(true))
                Expect.Values(f(x), SquarePlusOf(3f, 4f));
            Assert.Equal(1, traces());
        });
    }

    [Fact]
    public void Weak_types_are_part_of_the_match_and_results_take_the_manifests_weak_flags()
    {
        WithRegistered(Provider(SquarePlus("Weak", "f32[]{weak}")), () =>
        {
            var (f, traces) = Counting("Weak");
            using var x64 = Jax.Config.X64Scope(false);
            var y = f(3.0);
            Assert.Equal(0, traces());
            Assert.True(y.WeakType);
            Assert.Equal(DType.Float32, y.DType);
            Assert.Equal(12.0, y.Item());
            var strong = f(Jnp.Array(3f));
            Assert.Equal(1, traces());
            Assert.False(strong.WeakType);
            Assert.Equal(103.0, strong.Item());
        });
    }

    [Fact]
    public void Static_arguments_match_by_their_text()
    {
        var kernel = SquarePlus("Statics", "f32[2]") with { Statics = ["int:3"], InputStructure = "*,static" };
        WithRegistered(Provider(kernel), () =>
        {
            int traces = 0;
            var f = Jax.Jit((object?[] args) =>
            {
                traces++;
                return (object)((Tensor)args[0]! + Convert.ToDouble(args[1]));
            }, new JitOptions { Name = Prefix + "Statics", StaticArgnums = [1] });
            var x = Jnp.Array(new[] { 1f, 2f });
            Expect.Values(PyTree.Leaves(f([x, 3]))[0], SquarePlusOf(1f, 2f));
            Assert.Equal(0, traces);
            Expect.Values(PyTree.Leaves(f([x, 4]))[0], [5, 6]);
            Expect.Values(PyTree.Leaves(f([x, 3L]))[0], [4, 5]);
            Assert.Equal(2, traces);
        });
    }

    [Fact]
    public void Static_argument_text_names_the_type_and_the_invariant_value()
    {
        Assert.Equal("null", StaticArgumentText.Format(null));
        Assert.Equal("bool:true", StaticArgumentText.Format(true));
        Assert.Equal("int:3", StaticArgumentText.Format(3));
        Assert.Equal("long:3", StaticArgumentText.Format(3L));
        Assert.Equal("double:0.1", StaticArgumentText.Format(0.1));
        Assert.Equal("float:-1.5", StaticArgumentText.Format(-1.5f));
        Assert.Equal("string:relu", StaticArgumentText.Format("relu"));
        Assert.Equal("JaxToolchain.Ir.DType:Float32", StaticArgumentText.Format(DType.Float32));
        Assert.Equal("array:dense<f32[2]: [1.0, 2.0]>", StaticArgumentText.Format(Jnp.Array(new[] { 1f, 2f })));
        var key = new ExecutableKey("k", [], false, DeviceDescriptor.Cpu, [2, "a"]);
        Assert.Equal(["int:2", "string:a"], StaticArgumentText.Of(key));
    }

    [Fact]
    public void Native_entries_of_other_rids_are_skipped_with_a_reason_and_the_ir_serves()
    {
        string here = RuntimeInformation.RuntimeIdentifier;
        string elsewhere = here == "win-x64" ? "linux-x64" : "win-x64";
        const string Sha = "0000000000000000000000000000000000000000000000000000000000000000";
        var kernel = SquarePlus("Skipped", "f32[2]", false,
            new CpuKernelEntry { Rid = elsewhere, Isa = "x86-64-v2", Library = "Demo.dll", Symbol = "square_plus", Sha256 = Sha });
        var provider = Provider(kernel);
        var skipped = Assert.Single(provider.Diagnostics);
        Assert.Equal($"built for {elsewhere}; this process runs on {here}", skipped.Reason);
        Assert.Equal($"{Prefix}Skipped(f32[2]; x64=false; tree=*): cpu {elsewhere} x86-64-v2 (Demo.dll, square_plus) kernel skipped: built for {elsewhere}; this process runs on {here}",
            skipped.ToString());
        WithRegistered(provider, () =>
        {
            var f = Jax.Jit(NeverTraced, new JitOptions { Name = Prefix + "Skipped" });
            Expect.Values(f(Jnp.Array(new[] { 1f, 2f })), SquarePlusOf(1f, 2f));
        });
    }

    [Fact]
    public void A_kernel_without_an_entry_this_runtime_can_run_is_traced()
    {
        var native = SquarePlus("NativeOnly", "f32[2]") with
        {
            Targets = [new CpuKernelEntry { Rid = RuntimeInformation.RuntimeIdentifier == "win-x64" ? "linux-x64" : "win-x64", Isa = "x86-64-v2", Library = "Demo.dll", Symbol = "k", Sha256 = new string('a', 64) }],
        };
        var provider = Provider(native);
        Assert.Single(provider.Diagnostics);
        WithRegistered(provider, () =>
        {
            var (f, traces) = Counting("NativeOnly");
            Expect.Values(f(Jnp.Array(new[] { 1f, 2f })), [101, 102]);
            Assert.Equal(1, traces());
        });
    }

    [Fact]
    public void A_kernel_whose_ir_does_not_match_its_signature_fails_the_call_with_a_manifest_error()
    {
        var wrong = SquarePlus("WrongIr", "f32[2]") with
        {
            Targets = [new IrKernelEntry { Text = "func @k(%0: f32[3]) -> (f32[3]) {\n  return %0\n}\n" }],
        };
        WithRegistered(Provider(wrong), () =>
        {
            var f = Jax.Jit(NeverTraced, new JitOptions { Name = Prefix + "WrongIr" });
            var error = Assert.Throws<KernelManifestException>(() => f(Jnp.Array(new[] { 1f, 2f })));
            Assert.Equal(
                $"manifest Jax.Runtime.Tests.jax.json (in memory): ir of kernel {Prefix}WrongIr(f32[2]; x64=false; tree=*) is (f32[3]) -> (f32[3]), but the manifest lists inputs (f32[2]) and outputs (f32[2])",
                error.Message);
        });
    }

    [Fact]
    public void A_loaded_manifest_file_serves_its_kernels()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"manifest-provider-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, KernelManifest.FileNameFor("Demo"));
            new KernelManifest { Assembly = "Demo", Kernels = [SquarePlus("Loaded", "f32[n]")] }.Save(path);
            var provider = ManifestKernelProvider.Load(path);
            Assert.Equal(directory, provider.Directory);
            Assert.Equal(path, provider.Description);
            WithRegistered(provider, () =>
            {
                var f = Jax.Jit(NeverTraced, new JitOptions { Name = Prefix + "Loaded" });
                Expect.Values(f(Jnp.Array(new[] { 2f })), SquarePlusOf(2f));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_missing_invalid_or_foreign_manifest_is_an_error_when_loading()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"manifest-provider-{Guid.NewGuid():N}");
        var missing = Assert.Throws<KernelManifestException>(() => ManifestKernelProvider.Load(Path.Combine(directory, "Demo.jax.json")));
        Assert.EndsWith("Demo.jax.json does not exist", missing.Message);

        var assembly = typeof(ManifestKernelProviderTests).Assembly;
        string defaultPath = ManifestKernelProvider.DefaultManifestPath(assembly);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "Jax.Runtime.Tests.jax.json"), defaultPath);
        Assert.False(File.Exists(defaultPath));
        Assert.Equal($"kernel manifest {defaultPath} does not exist", Assert.Throws<KernelManifestException>(() => ManifestKernelProvider.ForAssembly(assembly)).Message);
        try
        {
            new KernelManifest { Assembly = "Other", Kernels = [SquarePlus("Foreign", "f32[2]")] }.Save(defaultPath);
            Assert.Equal($"manifest {defaultPath} belongs to assembly 'Other', not to 'Jax.Runtime.Tests'",
                Assert.Throws<KernelManifestException>(() => ManifestKernelProvider.ForAssembly(assembly)).Message);
        }
        finally
        {
            File.Delete(defaultPath);
        }

        var invalid = Assert.Throws<KernelManifestException>(() => Provider(SquarePlus("Invalid", "f32[2]") with { Outputs = ["f32[m]"] }));
        Assert.Equal($"manifest Jax.Runtime.Tests.jax.json (in memory): kernels[0] ({Prefix}Invalid): outputs[0] f32[m] uses symbol 'm', which no input binds", invalid.Message);

        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "Demo.jax.json");
            var manifest = new KernelManifest { Assembly = "Demo", Kernels = [SquarePlus("Foreign", "f32[2]")] };
            File.WriteAllText(path, manifest.ToJson().Replace("\"version\": 1", "\"version\": 7"));
            Assert.Equal($"manifest {path} was written for kernel manifest version 7; this runtime reads version 1",
                Assert.Throws<KernelManifestException>(() => ManifestKernelProvider.Load(path)).Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
