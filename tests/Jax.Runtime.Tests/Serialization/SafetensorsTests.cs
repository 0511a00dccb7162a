using System.Buffers.Binary;
using System.Text;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Serialization;

/// <summary>Safetensors.Save/Load: the format as the reference implementation writes it, and hostile files.</summary>
public class SafetensorsTests
{
    /// <summary>A file by hand: the header length, the JSON header (padded with spaces to 8 bytes unless told), the data.</summary>
    private static byte[] File(string json, byte[] data, bool pad = true)
    {
        var header = Encoding.UTF8.GetBytes(json);
        int padding = pad ? (8 - header.Length % 8) % 8 : 0;
        var result = new byte[8 + header.Length + padding + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)(header.Length + padding));
        header.CopyTo(result, 8);
        result.AsSpan(8 + header.Length, padding).Fill((byte)' ');
        data.CopyTo(result, 8 + header.Length + padding);
        return result;
    }

    [Fact]
    public void Every_dtype_and_shape_round_trips_with_metadata()
    {
        using var _ = Jax.Config.X64Scope(true);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int seed = 0;
        foreach (var t in DTypes.All)
        {
            foreach (var shape in Arrays.Shapes)
                tensors[$"model.{t.Name()}.{string.Join("x", shape)}"] = Arrays.Random(t, shape, seed++);
        }
        var metadata = new Dictionary<string, string> { ["format"] = "np", ["note"] = "ünïcode + \"quotes\" <ok>" };
        using var file = new Arrays.TempFile(".safetensors");
        Safetensors.Save(file.Path, tensors, metadata);
        var (loaded, readMetadata) = Safetensors.LoadWithMetadata(file.Path);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, x) in tensors) Arrays.AssertSame(x, loaded[key]);
        Assert.Equal(metadata, readMetadata);
        Assert.Equal(metadata, Safetensors.LoadMetadata(file.Path));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(System.IO.File.ReadAllBytes(file.Path)) % 8);
    }

    [Fact]
    public void The_bytes_are_what_the_reference_writer_writes()
    {
        // safetensors.numpy.save_file({"b": int32 [7], "a": float32 [[1, 2]], "c": uint8 [9]}, f, {"k": "v"}): the data
        // by dtype (F32 before I32 before U8 in the reference's dtype order, largest first), then by name; __metadata__
        // first; no spaces in the JSON; padded with spaces to a multiple of 8.
        var tensors = new Dictionary<string, Tensor>
        {
            ["c"] = Jnp.Array(new byte[] { 9 }),
            ["b"] = Jnp.Array(new[] { 7 }),
            ["a"] = Jnp.Array(new float[,] { { 1, 2 } }),
        };
        using var stream = new MemoryStream();
        Safetensors.Save(stream, tensors, new Dictionary<string, string> { ["k"] = "v" });
        const string json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},\"c\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[12,13]}}";
        var expected = File(json, [.. Arrays.LittleEndian(1, 2), 7, 0, 0, 0, 9]);
        Assert.Equal(Encoding.ASCII.GetString(expected), Encoding.ASCII.GetString(stream.ToArray()));
        Assert.Equal(expected, stream.ToArray());
        stream.Position = 0;
        var loaded = Safetensors.Load(stream);
        Assert.Equal(["a", "b", "c"], loaded.Keys);
        Assert.Equal([1f, 2], loaded["a"].ToArray<float>());
    }

    [Fact]
    public void A_hand_made_file_reads_in_data_order_with_unpadded_header_and_scalars()
    {
        var data = new byte[] { 0x80, 0x3F, 1, 0, 0, 0, 0, 0, 0, 0 };
        var loaded = Safetensors.Load(new MemoryStream(File(
            "{\"y\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[2,10]},\"x\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]},\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[10,10]}}",
            data, pad: false)));
        Assert.Equal(["x", "y", "e"], loaded.Keys);
        Assert.Equal(DType.BFloat16, loaded["x"].DType);
        Assert.Equal([1f], loaded["x"].ToArray<float>());
        Assert.Equal(Jax.Config.EnableX64 ? DType.Int64 : DType.Int32, loaded["y"].DType);
        Assert.Equal(1, loaded["y"].Item<int>());
        Assert.Equal(Shape.Of(0, 3), loaded["e"].Shape);
    }

    private static InvalidDataException Hostile(byte[] file) =>
        Assert.Throws<InvalidDataException>(() => Safetensors.Load(new MemoryStream(file)));

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", "'w' has shape [2] of F32 (8 bytes) but data_offsets [0, 16] hold 16 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "'w' ends at data offset 16, the file holds 8")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "'w' starts at data offset 4, expected 0")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "describes 4 bytes of data, the file holds 8")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", "'w' has data_offsets [8, 4], which are not a range")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "'w' has a negative dimension -2")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", "'w' has a shape (4294967296, 4294967296) whose size overflows")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1e3],\"data_offsets\":[0,8]}}", "'w' has a shape entry 1e3 that is not a 64-bit integer")]
    [InlineData("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", "'w' has the dtype 'F8_E4M3', which has no Jax.Toolchain dtype")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'w' is in the .safetensors header twice")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "'w' lacks 'data_offsets'")]
    [InlineData("{\"w\":[1,2]}", "'w' is not a JSON object")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "__metadata__ 'k' is not a string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "not valid JSON")]
    [InlineData("[1]", "does not start with '{'")]
    public void Headers_that_lie_or_are_malformed_are_named_errors(string json, string expected)
    {
        var e = Hostile(File(json, new byte[8]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("stream:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_files_and_huge_header_lengths_are_named_errors()
    {
        var good = File("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        foreach (int length in new[] { 0, 5, 8, 20, good.Length - 1 })
            Assert.Matches("truncated|ends before", Hostile(good[..length]).Message);
        var huge = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        Assert.Contains("header length", Hostile(huge).Message, StringComparison.Ordinal);
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 50_000_000);
        Assert.Contains("truncated", Hostile(huge).Message, StringComparison.Ordinal);
        using var file = new Arrays.TempFile(".safetensors");
        System.IO.File.WriteAllBytes(file.Path, good[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(file.Path));
        Assert.StartsWith(file.Path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_claim_from_a_stream_of_unknown_length_is_truncation_not_an_allocation()
    {
        var file = File("{\"w\":{\"dtype\":\"F64\",\"shape\":[1000000,1000000],\"data_offsets\":[0,8000000000000]}}", new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(new Arrays.ForwardOnlyStream(file)));
        Assert.Contains("'w' is truncated: its data needs 8000000000000 bytes, the stream holds 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_tensors_to_save_are_refused_before_the_file_is_created()
    {
        using var file = new Arrays.TempFile(".safetensors");
        Assert.Throws<ArgumentException>(() => Safetensors.Save(file.Path, new Dictionary<string, Tensor> { ["__metadata__"] = Jnp.Ones(1) }));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(file.Path, new Dictionary<string, Tensor> { [""] = Jnp.Ones(1) }));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(file.Path, new Dictionary<string, Tensor> { ["a"] = null! }));
        Assert.False(System.IO.File.Exists(file.Path));
    }
}
