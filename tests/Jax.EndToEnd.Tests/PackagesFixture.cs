using System.Globalization;
using System.Reflection;
using System.Xml.Linq;

namespace JaxToolchain.EndToEnd.Tests;

/// <summary>
/// Packs Jax.Runtime, Jax.Runtime.Jit, Jax.Toolchain and Jax.FSharp once (Release, from the repository's nuget/ pack projects) into a
/// temporary feed, with a version of their own (<c>0.1.0-e2e.&lt;time&gt;</c>: never one the global packages folder holds
/// already, so every run consumes the packages it packed), and prepares a folder for consumer projects: a nuget.config
/// adding the feed to the machine's sources, and empty Directory.Build/Packages files so that nothing above applies.
/// The versions are removed from the global packages folder afterwards.
/// </summary>
public sealed class PackagesFixture : IDisposable
{
    /// <summary>The pack projects, relative to the repository root.</summary>
    public static readonly string[] PackProjects =
    [
        "nuget/Jax.Runtime/Jax.Runtime.Package.csproj",
        "nuget/Jax.Runtime.Jit/Jax.Runtime.Jit.Package.csproj",
        "nuget/Jax.Toolchain/Jax.Toolchain.Package.csproj",
        "nuget/Jax.FSharp/Jax.FSharp.Package.csproj",
    ];

    /// <summary>The package ids of <see cref="PackProjects"/>.</summary>
    public static readonly string[] PackageIds = ["Jax.Runtime", "Jax.Runtime.Jit", "Jax.Toolchain", "Jax.FSharp"];

    private readonly List<string> _log = [];
    private readonly List<string> _consumerPackages = [];

    public PackagesFixture()
    {
        RepositoryRoot = typeof(PackagesFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "JaxRepositoryRoot").Value!;
        Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        Root = Directory.CreateTempSubdirectory("jax-e2e-").FullName;
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);

        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="jax-e2e" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />\n");

        foreach (string project in PackProjects)
        {
            var result = Cli.Run(RepositoryRoot,
                $"pack \"{project}\" -c Release -o \"{Feed}\" -p:PackageVersion={Version} -nologo -v q -tl:off", log: Log);
            if (result.ExitCode != 0)
            {
                PackError = $"packing {project} failed:\n{result.Output}";
                return;
            }
        }
    }

    /// <summary>The repository root (where nuget/ is).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The version of the packed packages.</summary>
    public string Version { get; }

    /// <summary>The version of the packages the tests pack (<c>1.0.0-e2e.&lt;time&gt;</c>).</summary>
    public string LibraryVersion => "1.0.0-" + Version.Split('-', 2)[1];

    /// <summary>The temporary folder of the feed and the consumer projects.</summary>
    public string Root { get; }

    /// <summary>The local feed the packages are packed into.</summary>
    public string Feed { get; }

    /// <summary>Why packing failed (null when it did not).</summary>
    public string? PackError { get; }

    /// <summary>What was run, with times.</summary>
    public IReadOnlyList<string> StepLog => _log;

    /// <summary>Appends a line to <see cref="StepLog"/> (and the console).</summary>
    public void Log(string line)
    {
        lock (_log) _log.Add(line);
        Console.WriteLine("jax-e2e " + line);
    }

    /// <summary>Throws with the pack output when packing failed.</summary>
    public void EnsurePacked()
    {
        if (PackError is not null) throw new InvalidOperationException(PackError);
    }

    /// <summary>A package id the tests pack themselves, removed from the global packages folder afterwards.</summary>
    public void RegisterConsumerPackage(string id)
    {
        lock (_consumerPackages) _consumerPackages.Add(id);
    }

    /// <summary>A fresh folder under <see cref="Root"/> for one consumer project.</summary>
    public string NewProjectFolder(string name)
    {
        string folder = Path.Combine(Root, name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The PackageReference lines of a project that uses the runtime and the toolchain (the toolchain private).</summary>
    public string ToolchainReferences() => $"""
            <PackageReference Include="Jax.Runtime" Version="{Version}" />
            <PackageReference Include="Jax.Toolchain" Version="{Version}" PrivateAssets="all" />
        """;

    /// <summary>The entries of a package (a .nupkg is a zip).</summary>
    public static IReadOnlyList<string> Entries(string nupkg)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    /// <summary>The dependency ids of a package (its nuspec).</summary>
    public static IReadOnlyList<string> Dependencies(string nupkg)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).ToArray();
    }

    public void Dispose()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in PackageIds.Concat(_consumerPackages))
        {
            string folder = Path.Combine(packages, id.ToLowerInvariant());
            TryDelete(Path.Combine(folder, Version.ToLowerInvariant()));
            TryDelete(Path.Combine(folder, LibraryVersion.ToLowerInvariant()));
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) TryDelete(folder);
        }
        if (Environment.GetEnvironmentVariable("JAX_E2E_KEEP") != "1") TryDelete(Root);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The tests that share one <see cref="PackagesFixture"/> (and run one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackagesFixture>
{
    public const string Name = "packages";
}
