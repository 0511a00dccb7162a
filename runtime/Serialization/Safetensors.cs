using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// The <c>.safetensors</c> format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// <c>{"NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {"key": "value"}}</c>, then
/// the arrays' bytes (little-endian, row-major) with offsets relative to the end of the header. dtypes: <c>BOOL</c>,
/// <c>U8</c>, <c>I8</c>, <c>I16</c>, <c>U16</c>, <c>F16</c>, <c>BF16</c>, <c>I32</c>, <c>U32</c>, <c>F32</c>, <c>F64</c>,
/// <c>I64</c>, <c>U64</c> (the float8 types have no Jax.Toolchain dtype and are refused). JSON is read with
/// <see cref="JsonDocument"/> and written with <see cref="Utf8JsonWriter"/>: no reflection (trimming and NativeAOT).
/// </summary>
public static class Safetensors
{
    /// <summary>The largest JSON header read (the reference implementation's limit).</summary>
    private const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>The safetensors dtype name of a dtype (<c>F32</c>, <c>BF16</c>, <c>BOOL</c>).</summary>
    private static string Name(DType dtype) => dtype switch
    {
        DType.Bool => "BOOL",
        DType.Int8 => "I8",
        DType.Int16 => "I16",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        DType.UInt8 => "U8",
        DType.UInt16 => "U16",
        DType.UInt32 => "U32",
        DType.UInt64 => "U64",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>The reference writer's dtype order (its <c>Dtype</c> enum): tensors are laid out by it, largest first.</summary>
    private static int Rank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Int8 => 2,
        DType.Int16 => 5,
        DType.UInt16 => 6,
        DType.Float16 => 7,
        DType.BFloat16 => 8,
        DType.Int32 => 9,
        DType.UInt32 => 10,
        DType.Float32 => 11,
        DType.Float64 => 12,
        DType.Int64 => 13,
        _ => 14,
    };

    private static DType? Parse(string name)
    {
        foreach (var t in DTypes.All)
        {
            if (Name(t) == name) return t;
        }
        return null;
    }

    /// <summary>
    /// Reads every tensor of a <c>.safetensors</c> file, in the order of their data in the file. As
    /// <see cref="Jnp.Load(string)"/>, 64-bit tensors narrow to 32 bits when x64 is off. A truncated file, a header that
    /// is not valid JSON or lies (offsets outside the data, overlapping or leaving holes, a size that is not the shape's),
    /// an unknown dtype or a name given twice is an <see cref="InvalidDataException"/> naming the file and the tensor.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path).Tensors;
    }

    /// <summary>Reads a <c>.safetensors</c> file from a stream, from its current position (see <see cref="Load(string)"/>).</summary>
    public static IReadOnlyDictionary<string, Tensor> Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, "stream").Tensors;
    }

    /// <summary>
    /// The <c>__metadata__</c> of a <c>.safetensors</c> file (string keys and values; empty when there is none), read
    /// from the header alone.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LoadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path).Metadata;
    }

    /// <summary>The tensors and the <c>__metadata__</c> of a <c>.safetensors</c> stream (see <see cref="Load(string)"/>).</summary>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) LoadWithMetadata(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, "stream");
    }

    /// <summary>The tensors and the <c>__metadata__</c> of a <c>.safetensors</c> file (see <see cref="Load(string)"/>).</summary>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) LoadWithMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    private sealed record Entry(string Name, DType DType, long[] Shape, long Begin, long End);

    private sealed record Header(List<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataLength, bool SizeChecked);

    private static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(Stream stream, string source)
    {
        var header = ReadHeader(stream, source);
        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            // Entries are sorted and contiguous (checked): the data is read in one pass.
            foreach (var e in header.Entries)
            {
                var buffer = ArrayBytes.Read(stream, e.DType, Ir.Shape.Of(e.Shape), !BitConverter.IsLittleEndian && e.DType.ItemSize() > 1, source, e.Name, header.SizeChecked);
                tensors.Add(e.Name, ArrayBytes.ToTensor(buffer));
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, header.Metadata);
    }

    private static Header ReadHeader(Stream stream, string source)
    {
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{source}: not a .safetensors file: it ends before the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{source}: the .safetensors header length {headerLength} is above the {MaxHeaderLength} bytes allowed (not a .safetensors file?)");
        if (available is { } a && (long)headerLength > a - 8)
            throw new InvalidDataException($"{source}: truncated: the .safetensors header needs {headerLength} bytes, the file holds {Math.Max(0, a - 8)} after the length");
        var json = new byte[headerLength];
        if (stream.ReadAtLeast(json, json.Length, throwOnEndOfStream: false) < json.Length)
            throw new InvalidDataException($"{source}: truncated: the file ends inside the .safetensors header of {headerLength} bytes");
        if (json.Length == 0 || json[0] != (byte)'{')
            throw new InvalidDataException($"{source}: the .safetensors header does not start with '{{'");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the .safetensors header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: the .safetensors header is not a JSON object");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name))
                    throw new InvalidDataException($"{source}: '{name}' is in the .safetensors header twice");
                if (name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{source}: __metadata__ is not a JSON object of strings");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException($"{source}: __metadata__ '{m.Name}' is not a string");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                            throw new InvalidDataException($"{source}: __metadata__ has '{m.Name}' twice");
                    }
                    continue;
                }
                entries.Add(ParseEntry(property.Value, name, source));
            }
            entries.Sort((x, y) => x.Begin != y.Begin ? x.Begin.CompareTo(y.Begin) : x.End.CompareTo(y.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin != expected)
                    throw new InvalidDataException(
                        $"{source}: '{e.Name}' starts at data offset {e.Begin}, expected {expected}: the header's offsets {(e.Begin < expected ? "overlap" : "leave a hole")}");
                expected = e.End;
            }
            long dataAvailable = available is { } all ? all - 8 - (long)headerLength : long.MaxValue;
            if (expected > dataAvailable)
            {
                var last = entries.First(e => e.End > dataAvailable);
                throw new InvalidDataException(
                    $"{source}: truncated or the header lies: '{last.Name}' ends at data offset {last.End}, the file holds {dataAvailable} bytes of data");
            }
            if (available is not null && expected != dataAvailable)
                throw new InvalidDataException($"{source}: the header describes {expected} bytes of data, the file holds {dataAvailable}");
            return new Header(entries, metadata, expected, available is not null);
        }
    }

    private static Entry ParseEntry(JsonElement value, string name, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: '{name}' is not a JSON object in the .safetensors header");
        string? dtypeName = null;
        long[]? shape = null, offsets = null;
        foreach (var p in value.EnumerateObject())
        {
            switch (p.Name)
            {
                case "dtype":
                    if (dtypeName is not null) throw new InvalidDataException($"{source}: '{name}' has 'dtype' twice");
                    dtypeName = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()
                        : throw new InvalidDataException($"{source}: '{name}' has a dtype that is not a string");
                    break;
                case "shape":
                    if (shape is not null) throw new InvalidDataException($"{source}: '{name}' has 'shape' twice");
                    shape = Integers(p.Value, name, "shape", source);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw new InvalidDataException($"{source}: '{name}' has 'data_offsets' twice");
                    offsets = Integers(p.Value, name, "data_offsets", source);
                    break;
                default:
                    // Other fields are ignored, as the reference reader ignores them.
                    break;
            }
        }
        if (dtypeName is null || shape is null || offsets is null)
            throw new InvalidDataException($"{source}: '{name}' lacks {(dtypeName is null ? "'dtype'" : shape is null ? "'shape'" : "'data_offsets'")} in the .safetensors header");
        var dtype = Parse(dtypeName) ?? throw new InvalidDataException(
            $"{source}: '{name}' has the dtype '{dtypeName}', which has no Jax.Toolchain dtype (supported: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)");
        if (offsets.Length != 2)
            throw new InvalidDataException($"{source}: '{name}' has {offsets.Length} data_offsets, expected [begin, end]");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin)
            throw new InvalidDataException($"{source}: '{name}' has data_offsets [{begin}, {end}], which are not a range");
        long bytes = ArrayBytes.ByteCount(dtype, shape, source, name);
        if (bytes != end - begin)
            throw new InvalidDataException(
                $"{source}: '{name}' has shape [{string.Join(", ", shape)}] of {dtypeName} ({bytes} bytes) but data_offsets [{begin}, {end}] hold {end - begin} bytes");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] Integers(JsonElement value, string name, string field, string source)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{source}: '{name}' has a {field} that is not a list of integers");
        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out result[i++]))
                throw new InvalidDataException($"{source}: '{name}' has a {field} entry {item.GetRawText()} that is not a 64-bit integer");
        }
        return result;
    }

    /// <summary>
    /// Writes tensors to a <c>.safetensors</c> file as the reference writer lays them out: the data ordered by dtype
    /// (largest first, as its dtype order) and then by name (ordinal), the JSON header (<c>__metadata__</c> first when given, even empty, then
    /// the tensors in data order) padded with spaces to a multiple of 8 bytes. An empty or reserved
    /// (<c>__metadata__</c>) name, a null, traced or deleted tensor is an <see cref="ArgumentException"/>, raised before
    /// the file is created.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = Check(tensors, metadata);
        using var stream = File.Create(path);
        Write(stream, ordered, metadata);
    }

    /// <summary>Writes tensors in the <c>.safetensors</c> format to a stream (see <see cref="Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        Write(stream, Check(tensors, metadata), metadata);
    }

    private static List<KeyValuePair<string, Tensor>> Check(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (key, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(key) || key == MetadataKey)
                throw new ArgumentException($"safetensors: the tensor name '{key}' is {(key == MetadataKey ? "reserved" : "empty")}", nameof(tensors));
            if (tensor is null)
                throw new ArgumentException($"safetensors: the tensor '{key}' is null", nameof(tensors));
            ArrayBytes.CheckWritable(tensor, "safetensors", key);
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (key is null || value is null)
                    throw new ArgumentException($"safetensors: the metadata entry '{key}' has a null {(key is null ? "key" : "value")}", nameof(metadata));
            }
        }
        return tensors.OrderByDescending(p => Rank(p.Value.DType)).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
    }

    private static void Write(Stream stream, List<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", Name(tensor.DType));
                writer.WriteStartArray("shape");
                foreach (var d in tensor.Shape) writer.WriteNumberValue(d.Size);
                writer.WriteEndArray();
                long bytes = tensor.Size * tensor.DType.ItemSize();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }
            writer.WriteEndObject();
        }
        int pad = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < pad; i++) json.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var (_, tensor) in tensors) ArrayBytes.Write(stream, tensor);
    }
}
