using System.Reflection;
using System.Runtime.Loader;

namespace JaxToolchain.Jaxc;

/// <summary>
/// Where the user's (woven) assembly runs while it is traced: its references resolve from the project's reference paths,
/// except Jax.Toolchain's own assemblies and the framework, which resolve to jaxc's (so <c>Tensor</c> is one type for
/// both). A reference path to a reference assembly (<c>obj/.../ref/Lib.dll</c>, which cannot run) is replaced by the
/// implementation beside it.
/// </summary>
internal sealed class UserAssemblyContext : AssemblyLoadContext
{
    private static readonly HashSet<string> Own = ["Jax.Runtime", "Jax.Ir", "Jax.Backends", "Jax.Runtime.Jit", "Mono.Cecil"];
    private static readonly HashSet<string> Framework = new(
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)!, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _references = new(StringComparer.OrdinalIgnoreCase);

    public UserAssemblyContext(IEnumerable<string> references) : base("jaxc user code")
    {
        foreach (string path in references)
            _references.TryAdd(Path.GetFileNameWithoutExtension(path), Implementation(path));
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is null || Own.Contains(name.Name) || Framework.Contains(name.Name)) return null;
        return _references.TryGetValue(name.Name, out var path) && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    private static string Implementation(string path)
    {
        string directory = Path.GetDirectoryName(path) ?? "";
        if (Path.GetFileName(directory) is "ref" or "refint")
        {
            string beside = Path.Combine(Path.GetDirectoryName(directory) ?? "", Path.GetFileName(path));
            if (File.Exists(beside)) return beside;
        }
        return path;
    }
}
