namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>
    /// Reads an array from a NumPy <c>.npy</c> file (<c>jnp.load</c>): format versions 1.0, 2.0 and 3.0, little- or
    /// big-endian, C or Fortran order (read as the same array in row-major order). dtypes: bool, int8-64, uint8-64,
    /// float16, float32, float64, and bfloat16 as ml_dtypes saves it (a two-byte void, <c>&lt;V2</c>). As
    /// <c>jnp.asarray</c>, a 64-bit array narrows to 32 bits when x64 is off. A truncated or malformed file, a header
    /// that lies about the data's size, or a dtype we lack is an <see cref="InvalidDataException"/> naming the file; an
    /// <c>.npz</c> archive is an <see cref="ArgumentException"/> pointing to <see cref="LoadNpz(string)"/>.
    /// </summary>
    public static Tensor Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return LoadNpy(stream, path);
    }

    /// <summary>Reads a <c>.npy</c> array from a stream, from its current position (see <see cref="Load(string)"/>).</summary>
    public static Tensor Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return LoadNpy(stream, "stream");
    }

    private static Tensor LoadNpy(Stream stream, string source)
    {
        if (stream.CanSeek && stream.Length - stream.Position >= 4)
        {
            long start = stream.Position;
            Span<byte> head = stackalloc byte[4];
            stream.ReadExactly(head);
            stream.Position = start;
            if (head.SequenceEqual("PK\u0003\u0004"u8))
                throw new ArgumentException($"{source} is an .npz archive (a zip file), not an .npy array: read it with Jnp.LoadNpz");
        }
        return Npy.Read(stream, source, "array", null);
    }

    /// <summary>
    /// Reads every array of a NumPy <c>.npz</c> archive (<c>np.load</c> of what <c>np.savez</c> or
    /// <c>np.savez_compressed</c> wrote): the names without <c>.npy</c>, in the archive's order (names may contain
    /// <c>/</c>). Each array reads as in <see cref="Load(string)"/>. A damaged archive, an entry that is not an array or an
    /// array named twice is an <see cref="InvalidDataException"/> naming the file and the entry.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> LoadNpz(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Npz.Read(stream, path);
    }

    /// <summary>Reads an <c>.npz</c> archive from a stream (see <see cref="LoadNpz(string)"/>).</summary>
    public static IReadOnlyDictionary<string, Tensor> LoadNpz(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Npz.Read(stream, "stream");
    }

    /// <summary>
    /// Writes an array to a NumPy <c>.npy</c> file (<c>jnp.save</c>), as <c>np.save</c> writes it: format 1.0 (2.0 for
    /// a header above 64 KB), little-endian, C order, the header padded to 64 bytes; bfloat16 as <c>&lt;V2</c>, as
    /// ml_dtypes' bfloat16 saves. As NumPy, <c>.npy</c> is appended to a path that does not end with it. A tracer or
    /// a deleted array is an <see cref="ArgumentException"/>.
    /// </summary>
    public static void Save(string path, Tensor array)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(array);
        ArrayBytes.CheckWritable(array, "save", "array");
        using var stream = File.Create(WithExtension(path, ".npy"));
        Npy.Write(stream, array);
    }

    /// <summary>Writes an array in the <c>.npy</c> format to a stream (see <see cref="Save(string, Tensor)"/>).</summary>
    public static void Save(Stream stream, Tensor array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        ArrayBytes.CheckWritable(array, "save", "array");
        Npy.Write(stream, array);
    }

    /// <summary>
    /// Writes arrays to an uncompressed <c>.npz</c> archive (<c>np.savez(file, **arrays)</c>): one stored
    /// <c>NAME.npy</c> entry per array, in the dictionary's order; names may contain <c>/</c>. <c>.npz</c> is appended to
    /// a path that does not end with it. An empty name, a null, traced or deleted array is an
    /// <see cref="ArgumentException"/>, raised before the file is created.
    /// </summary>
    public static void Savez(string path, IReadOnlyDictionary<string, Tensor> arrays) => SavezTo(path, arrays, false, "savez");

    /// <summary>Writes arrays named <c>arr_0</c>, <c>arr_1</c>, ... to an uncompressed <c>.npz</c> archive (<c>np.savez(file, *arrays)</c>).</summary>
    public static void Savez(string path, params Tensor[] arrays)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arrays);
        SavezTo(path, Positional(arrays), false, "savez");
    }

    /// <summary>Writes an uncompressed <c>.npz</c> archive to a stream (see <see cref="Savez(string, IReadOnlyDictionary{string, Tensor})"/>).</summary>
    public static void Savez(Stream stream, IReadOnlyDictionary<string, Tensor> arrays) => SavezTo(stream, arrays, false, "savez");

    /// <summary>
    /// Writes arrays to a deflate-compressed <c>.npz</c> archive (<c>np.savez_compressed</c>); otherwise as
    /// <see cref="Savez(string, IReadOnlyDictionary{string, Tensor})"/>.
    /// </summary>
    public static void SavezCompressed(string path, IReadOnlyDictionary<string, Tensor> arrays) => SavezTo(path, arrays, true, "savez_compressed");

    /// <summary>Writes a compressed <c>.npz</c> archive to a stream (see <see cref="SavezCompressed(string, IReadOnlyDictionary{string, Tensor})"/>).</summary>
    public static void SavezCompressed(Stream stream, IReadOnlyDictionary<string, Tensor> arrays) => SavezTo(stream, arrays, true, "savez_compressed");

    private static Dictionary<string, Tensor> Positional(Tensor[] arrays)
    {
        var named = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < arrays.Length; i++) named.Add($"arr_{i}", arrays[i]);
        return named;
    }

    private static void SavezTo(string path, IReadOnlyDictionary<string, Tensor> arrays, bool compress, string function)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arrays);
        Npz.Check(arrays, function);
        using var stream = File.Create(WithExtension(path, ".npz"));
        Npz.Write(stream, arrays, compress);
    }

    private static void SavezTo(Stream stream, IReadOnlyDictionary<string, Tensor> arrays, bool compress, string function)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);
        Npz.Check(arrays, function);
        Npz.Write(stream, arrays, compress);
    }

    private static string WithExtension(string path, string extension) =>
        path.EndsWith(extension, StringComparison.Ordinal) ? path : path + extension;
}
