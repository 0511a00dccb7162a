using System.Diagnostics;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Packaging;

/// <summary>
/// A linux-x64 kernel library (x86-64-v2, v3 and v4 variants) of a few kernels, built once for the test class into a
/// temporary folder with its manifest: an elementwise fusion, a symbolic-dim kernel with a donated input, two control-flow
/// kernels (<c>while</c>, <c>scan</c>), and one whose primitive the backend does not lower (it keeps only its IR).
/// </summary>
public sealed class KernelLibraryFixture : IDisposable
{
    public const string Assembly = "Packaging.Tests";
    public const string Prefix = "PackagingTests.";

    public static readonly string[] Sources =
    [
        """
        func @affine(%0: f32[64], %1: f32[64]) -> (f32[64]) {
          %2 = mul %0, %1 : f32[64]
          %3 = add %2, %0 : f32[64]
          %4 = constant {value = dense<f32[]: [0.5]>} : f32[]
          %5 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = <64>} : f32[64]
          %6 = max %3, %5 : f32[64]
          return %6
        }
        """,
        """
        func @difference_squared(%0: f32[n], %1: f32[n]) -> (f32[n], f32[n]) {
          %2 = sub %0, %1 : f32[n]
          %3 = mul %2, %2 : f32[n]
          %4 = neg %3 : f32[n]
          return %4, %2
        }
        """,
        """
        func @factorial(%0: i64[], %1: i64[]) -> (i64[]) {
          %2, %3 = while %0, %1, %1, %1, %1 {body_nconsts = 1, cond_nconsts = 2} (%4: i64[], %5: i64[], %6: i64[], %7: i64[]) {
            %8 = add %4, %5 : i64[]
            %9 = lt %6, %8 : bool[]
            return %9
          } (%10: i64[], %11: i64[], %12: i64[]) {
            %13 = add %11, %10 : i64[]
            %14 = mul %12, %11 : i64[]
            return %13, %14
          } : i64[], i64[]
          return %3
        }
        """,
        """
        func @cumulative_sum(%0: f32[], %1: f32[5]) -> (f32[], f32[5]) {
          %2, %3 = scan %0, %1 {length = 5, num_carry = 1, num_consts = 0, reverse = false} (%4: f32[], %5: f32[]) {
            %6 = add %4, %5 : f32[]
            return %6, %6
          } : f32[], f32[5]
          return %2, %3
        }
        """,
        """
        func @linearized(%0: f32[4], %1: f32[4]) -> (f32[4]) {
          %2 = custom_lin %0, %1 {num_res = 1} (%3: f32[4], %4: f32[4]) {
            %5 = mul %4, %3 : f32[4]
            return %5
          } : f32[4]
          return %2
        }
        """,
    ];

    public KernelLibraryFixture()
    {
        Folder = Directory.CreateTempSubdirectory("jax-packaging-tests-").FullName;
        Functions = Sources.Select(IrParser.ParseFunction).ToArray();
        var kernels = Functions.Select(f => new LibraryKernel(Prefix + f.Name, f)
        {
            Donated = f.Name == "difference_squared" ? [0] : [],
        }).ToArray();
        var clock = Stopwatch.StartNew();
        Build = new CpuLibraryBuilder(Assembly).Build(kernels, Folder, ["linux-x64"]);
        BuildTime = clock.Elapsed;
    }

    /// <summary>The folder of the manifest and the library.</summary>
    public string Folder { get; }

    /// <summary>The kernels' IR functions, in manifest order.</summary>
    public Function[] Functions { get; }

    /// <summary>What the builder wrote.</summary>
    public CpuLibraryBuild Build { get; }

    /// <summary>How long building (5 kernels x 3 ISA levels, link, check) took.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>The function named <paramref name="name"/> (without the prefix).</summary>
    public Function Function(string name) => Functions.Single(f => f.Name == name);

    /// <summary>
    /// A copy of the manifest and the library in a fresh folder, for tests that damage one of them: the library's path
    /// and the manifest's, after <paramref name="editManifest"/> has changed the manifest's JSON text.
    /// </summary>
    public (string Library, string Manifest) Copy(string folder, Func<string, string>? editManifest = null)
    {
        string library = Path.Combine(folder, "runtimes", "linux-x64", "native", Path.GetFileName(Build.Libraries["linux-x64"]));
        Directory.CreateDirectory(Path.GetDirectoryName(library)!);
        File.Copy(Build.Libraries["linux-x64"], library);
        string manifest = Path.Combine(folder, Path.GetFileName(Build.ManifestPath));
        string json = File.ReadAllText(Build.ManifestPath);
        File.WriteAllText(manifest, editManifest is null ? json : editManifest(json));
        return (library, manifest);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
