using System.Reflection;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// Loads a StableHLO module (JAX's <c>jax.jit(f).lower(x).as_text()</c>, <c>jax.export</c>'s module text, or
    /// StableHLO written by hand) from a <c>.mlir</c> file or from the text itself, as a function over arrays
    /// (<see cref="StableHloModule"/>). A relative path is looked for in the current folder, then beside the application
    /// (where a project's <c>&lt;JaxModule Include="model.mlir" /&gt;</c> item is copied). Calls run the kernel the build
    /// precompiled for the module (the application's kernel manifest) when one serves the arguments, so a NativeAOT
    /// application runs a JAX model with no LLVM and no Python; otherwise the module is compiled at run time.
    /// </summary>
    /// <param name="pathOrText">A path, or StableHLO text (a string holding <c>func.func</c>).</param>
    /// <param name="name">The kernel name (default: the file name without its extension; <c>main</c> for text).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Ir.StableHlo.StableHloImportException">The text does not parse or uses an unsupported op or type (named with its line:column).</exception>
    public static StableHloModule Load(string pathOrText, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(pathOrText);
        return StableHloModule.Load(pathOrText, name, Assembly.GetEntryAssembly());
    }

    /// <summary>
    /// <see cref="Load(string, string?)"/> with the kernels precompiled for <paramref name="owner"/> (the assembly whose
    /// project has the <c>JaxModule</c> item, when it is not the application itself: a library).
    /// </summary>
    public static StableHloModule Load(string pathOrText, Assembly owner, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(pathOrText);
        ArgumentNullException.ThrowIfNull(owner);
        return StableHloModule.Load(pathOrText, name, owner);
    }
}
