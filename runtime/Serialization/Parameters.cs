namespace JaxToolchain;

/// <summary>
/// Trained parameters in files: a tree of arrays (dictionaries, lists, tuples, <see cref="PyTreeAttribute"/> records)
/// saved as flat key paths (<c>layers/0/W</c>, see <see cref="Jax.Tree.ToFlatDictionary(object?, char)"/>) to a NumPy
/// <c>.npz</c> archive or a <c>.safetensors</c> file, chosen by the path's extension, and loaded back into a tree of
/// the same structure, checked against a template.
/// </summary>
public static class Parameters
{
    private enum Format
    {
        Npz,
        Safetensors,
    }

    private static Format FormatOf(string path) =>
        path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? Format.Npz
        : path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? Format.Safetensors
        : throw new ArgumentException($"parameters: '{path}' has neither the extension .npz nor .safetensors, which choose the file format", nameof(path));

    /// <summary>
    /// Saves the leaves of <paramref name="tree"/> by key path (joined by <paramref name="separator"/>) to an
    /// <c>.npz</c> archive (uncompressed, as <see cref="Jnp.Savez(string, IReadOnlyDictionary{string, Tensor})"/>) or a
    /// <c>.safetensors</c> file (with <paramref name="metadata"/> as its <c>__metadata__</c>), by the path's extension.
    /// Another extension, metadata for an <c>.npz</c>, or a tree whose leaves cannot be saved is an
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public static void Save(string path, object? tree, IReadOnlyDictionary<string, string>? metadata = null, char separator = '/')
    {
        ArgumentNullException.ThrowIfNull(path);
        var format = FormatOf(path);
        var arrays = Jax.Tree.ToFlatDictionary(tree, separator);
        if (format == Format.Npz)
        {
            if (metadata is not null)
                throw new ArgumentException($"parameters: an .npz archive has no metadata; save '{path}' as .safetensors to keep it", nameof(metadata));
            Jnp.Savez(path, arrays);
        }
        else
        {
            Safetensors.Save(path, arrays, metadata);
        }
    }

    /// <summary>
    /// The arrays of an <c>.npz</c> or <c>.safetensors</c> file by key, in the file's order (see
    /// <see cref="Jnp.LoadNpz(string)"/> and <see cref="Safetensors.Load(string)"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FormatOf(path) == Format.Npz ? Jnp.LoadNpz(path) : Safetensors.Load(path);
    }

    /// <summary>
    /// Loads an <c>.npz</c> or <c>.safetensors</c> file into a tree of <paramref name="template"/>'s structure (see
    /// <see cref="Jax.Tree.FromFlatDictionary{T}(IReadOnlyDictionary{string, Tensor}, T, char)"/>), checking the file
    /// against the template: a key the file lacks, a key the template lacks, a shape or a dtype that differs is an
    /// <see cref="InvalidDataException"/> naming the file and listing each key with the expected and the found shape and
    /// dtype. 64-bit arrays are compared after narrowing when x64 is off, as they load.
    /// </summary>
    public static T LoadInto<T>(string path, T template, char separator = '/')
    {
        ArgumentNullException.ThrowIfNull(path);
        var arrays = Load(path);
        var problems = Jax.Tree.Fill(arrays, template, separator, out var leaves, out var def);
        if (problems is not null)
        {
            foreach (var t in arrays.Values) t.Dispose();
            throw new InvalidDataException($"{path}: the parameters do not fit the template: {problems}");
        }
        return (T)def.Unflatten(leaves)!;
    }
}
