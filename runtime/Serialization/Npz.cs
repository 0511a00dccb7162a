using System.IO.Compression;

namespace JaxToolchain;

/// <summary>
/// NumPy's <c>.npz</c> archives: a zip file of <c>NAME.npy</c> entries, stored (<c>np.savez</c>) or deflated
/// (<c>np.savez_compressed</c>). Names may contain <c>/</c> (flattened parameter paths).
/// </summary>
internal static class Npz
{
    /// <summary>Deflate expands at most about 1032:1; an entry claiming more is a lie (or a bomb).</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads every array of an archive, in the archive's order.</summary>
    public static IReadOnlyDictionary<string, Tensor> Read(Stream stream, string source)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: not a .npz archive (a zip file): {e.Message}", e);
        }
        using (zip)
        {
            var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var entry in zip.Entries)
                {
                    string name = entry.FullName;
                    if (name.EndsWith('/') && entry.Length == 0) continue;
                    if (!name.EndsWith(".npy", StringComparison.Ordinal))
                        throw new InvalidDataException($"{source}: the entry '{name}' is not an .npy array (an .npz archive holds NAME.npy entries)");
                    string key = name[..^4];
                    if (result.ContainsKey(key))
                        throw new InvalidDataException($"{source}: the array '{key}' is in the archive twice");
                    long length = entry.Length;
                    if (length < 0 || length > Math.Max(entry.CompressedLength, 0) * MaxDeflateRatio + 1024)
                        throw new InvalidDataException($"{source}: the entry '{name}' claims {length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce");
                    Stream data;
                    try
                    {
                        data = entry.Open();
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"{source}: the entry '{name}' cannot be read: {e.Message}", e);
                    }
                    using (data)
                    {
                        try
                        {
                            result.Add(key, Npy.Read(data, source, key, length));
                        }
                        catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
                        {
                            // A corrupt deflate stream, a CRC mismatch: the zip layer's error, named.
                            throw new InvalidDataException($"{source}: the entry '{name}' is corrupt: {e.Message}", e);
                        }
                    }
                }
            }
            catch
            {
                foreach (var t in result.Values) t.Dispose();
                throw;
            }
            return result;
        }
    }

    /// <summary>Checks the arrays to save: non-empty unique names, concrete arrays.</summary>
    public static void Check(IReadOnlyDictionary<string, Tensor> arrays, string function)
    {
        foreach (var (key, tensor) in arrays)
        {
            if (string.IsNullOrEmpty(key))
                throw new ArgumentException($"{function}: an array name is empty", nameof(arrays));
            if (tensor is null)
                throw new ArgumentException($"{function}: the array '{key}' is null", nameof(arrays));
            ArrayBytes.CheckWritable(tensor, function, key);
        }
    }

    /// <summary>Writes the arrays as an archive of <c>NAME.npy</c> entries, deflated when <paramref name="compress"/>.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> arrays, bool compress)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (key, tensor) in arrays)
        {
            var entry = zip.CreateEntry(key + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var s = entry.Open();
            Npy.Write(s, tensor);
        }
    }
}
