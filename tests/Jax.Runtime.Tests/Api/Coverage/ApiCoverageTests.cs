using System.Reflection;
using System.Text;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Api.Coverage;

/// <summary>
/// The API coverage record: each <c>Api/Coverage/&lt;module&gt;.txt</c> lists the public names of one JAX module, one
/// a line, and every name not marked <c># left out: reason</c> must exist on the C# class that mirrors the module, as a
/// public static method, property or field named in PascalCase (<c>take_along_axis</c> -> <c>TakeAlongAxis</c>,
/// <c>log1p</c> -> <c>Log1p</c>, <c>bool_</c> -> <c>Bool</c>), or as spelled after <c> = </c>
/// (<c>uint8 = UInt8</c>, or <c>Type.Member</c> on another class).
/// </summary>
public class ApiCoverageTests(ITestOutputHelper output)
{
    /// <summary>
    /// Modules whose every listed name must be present. The report below covers all modules; a module joins this list
    /// once its functions are merged, and from then on a missing name fails the build.
    /// </summary>
    private static readonly string[] Enforced = ["jax.numpy", "jax.numpy.linalg", "jax.nn", "jax.nn.initializers", "jax.random"];

    /// <summary>The JAX module, its data file's name, and the C# class that mirrors it (a reflection name).</summary>
    private static readonly (string Module, string ClassName)[] Modules =
    [
        ("jax.numpy", "JaxToolchain.Jnp"),
        ("jax.numpy.linalg", "JaxToolchain.Jnp+Linalg"),
        ("jax.nn", "JaxToolchain.Nn"),
        ("jax.nn.initializers", "JaxToolchain.Nn+Initializers"),
        ("jax.scipy.special", "JaxToolchain.Jax+Scipy+Special"),
        ("jax.random", "JaxToolchain.Jax+Random"),
    ];

    private const string LeftOutMarker = "# left out:";

    /// <summary>One line of a data file.</summary>
    private sealed record Entry(string JaxName, string CSharpName, string? LeftOutReason, int Line)
    {
        public bool LeftOut => LeftOutReason is not null;
    }

    /// <summary>One module's result: the names found, the names missing, and those left out.</summary>
    private sealed record Coverage(string Module, int Total, int Covered, IReadOnlyList<Entry> Missing, int LeftOut, bool ClassFound)
    {
        public string Summary =>
            $"{Module}: {Covered} of {Total - LeftOut} covered, {LeftOut} left out ({Total} JAX names)" +
            (ClassFound ? "" : " [class not found]");
    }

    public static TheoryData<string> ModuleNames => [.. Modules.Select(m => m.Module)];

    [Theory]
    [InlineData("take_along_axis", "TakeAlongAxis")]
    [InlineData("log1p", "Log1p")]
    [InlineData("arctan2", "Arctan2")]
    [InlineData("atleast_1d", "Atleast1d")]
    [InlineData("bool_", "Bool")]
    [InlineData("ix_", "Ix")]
    [InlineData("PRNGKey", "PRNGKey")]
    [InlineData("f", "F")]
    public void Names_map_from_snake_case_to_PascalCase(string jaxName, string expected) =>
        Assert.Equal(expected, PascalCase(jaxName));

    [Fact]
    public void Coverage_report()
    {
        foreach (var (module, className) in Modules)
        {
            var coverage = Measure(module, className);
            output.WriteLine(coverage.Summary);
            if (coverage.Missing.Count > 0)
                output.WriteLine($"  missing: {string.Join(", ", coverage.Missing.Select(Describe))}");
        }
    }

    [Fact]
    public void Enforced_modules_cover_every_listed_name()
    {
        var failures = new StringBuilder();
        foreach (var module in Enforced)
        {
            var className = Modules.Single(m => m.Module == module).ClassName;
            var coverage = Measure(module, className);
            output.WriteLine(coverage.Summary);
            if (!coverage.ClassFound || coverage.Missing.Count > 0)
            {
                failures.AppendLine(coverage.Summary);
                failures.AppendLine($"  missing: {string.Join(", ", coverage.Missing.Select(Describe))}");
            }
        }
        Assert.True(failures.Length == 0, "Enforced modules lack names:\n" + failures);
    }

    [Fact]
    public void Enforced_modules_are_known_modules() =>
        Assert.All(Enforced, module => Assert.Contains(module, Modules.Select(m => m.Module)));

    [Theory]
    [MemberData(nameof(ModuleNames))]
    public void Every_left_out_name_has_a_reason(string module)
    {
        var entries = Read(module);
        var bare = entries.Where(e => e.LeftOut && e.LeftOutReason!.Length == 0).Select(e => $"{e.JaxName} (line {e.Line})");
        Assert.Empty(bare);
    }

    [Theory]
    [MemberData(nameof(ModuleNames))]
    public void Data_file_lists_each_name_once(string module)
    {
        var entries = Read(module);
        Assert.NotEmpty(entries);
        var repeated = entries.GroupBy(e => e.JaxName).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(repeated);
    }

    private static string Describe(Entry entry) =>
        entry.CSharpName == PascalCase(entry.JaxName) ? entry.JaxName : $"{entry.JaxName} ({entry.CSharpName})";

    private static Coverage Measure(string module, string className)
    {
        var entries = Read(module);
        var type = typeof(Jnp).Assembly.GetType(className);
        var expected = entries.Where(e => !e.LeftOut).ToList();
        var missing = expected.Where(e => !Exists(type, e.CSharpName)).ToList();
        return new Coverage(module, entries.Count, expected.Count - missing.Count, missing, entries.Count - expected.Count, type is not null);
    }

    /// <summary>
    /// Whether <paramref name="name"/> is a public static member of the module's class, or, written
    /// <c>Type.Member</c>, a public member of that other type (an enum value, a property of <see cref="Tensor"/>).
    /// </summary>
    private static bool Exists(Type? moduleClass, string name)
    {
        int dot = name.LastIndexOf('.');
        if (dot < 0)
            return moduleClass is not null && moduleClass.GetMember(name, BindingFlags.Public | BindingFlags.Static).Length > 0;
        var owner = FindType(name[..dot]);
        return owner is not null &&
            owner.GetMember(name[(dot + 1)..], BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance).Length > 0;
    }

    /// <summary>A public type of the runtime or IR assembly named <paramref name="name"/> (nested types dotted: <c>Jnp.Linalg</c>).</summary>
    private static Type? FindType(string name) =>
        new[] { typeof(Jnp).Assembly, typeof(DType).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .FirstOrDefault(t => t.FullName is { } full && (full.Replace('+', '.') == name || full.Replace('+', '.').EndsWith("." + name, StringComparison.Ordinal)));

    /// <summary><c>snake_case</c> to <c>PascalCase</c>: words capitalised, underscores (trailing ones too) dropped, digits kept.</summary>
    private static string PascalCase(string jaxName)
    {
        var result = new StringBuilder(jaxName.Length);
        foreach (var word in jaxName.Split('_', StringSplitOptions.RemoveEmptyEntries))
            result.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
        return result.ToString();
    }

    private static List<Entry> Read(string module)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Api", "Coverage", module + ".txt");
        var entries = new List<Entry>();
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            string? reason = null;
            int comment = line.IndexOf('#');
            if (comment >= 0)
            {
                var remark = line[comment..];
                Assert.True(remark.StartsWith(LeftOutMarker, StringComparison.Ordinal),
                    $"{module}.txt line {i + 1}: a remark after a name must read '{LeftOutMarker} <reason>'");
                reason = remark[LeftOutMarker.Length..].Trim();
                line = line[..comment].Trim();
            }
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            var jaxName = parts[0];
            Assert.True(jaxName.Length > 0 && !jaxName.Contains(' '), $"{module}.txt line {i + 1}: '{lines[i]}' is not a name");
            entries.Add(new Entry(jaxName, parts.Length == 2 ? parts[1] : PascalCase(jaxName), reason, i + 1));
        }
        return entries;
    }
}
