using System.Buffers.Binary;
using System.Text;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Serialization;

/// <summary>Jnp.Save/Jnp.Load: the .npy format as numpy.lib.format writes and reads it, and hostile files.</summary>
public class NpyTests
{
    private static Tensor RoundTrip(Tensor x)
    {
        using var stream = new MemoryStream();
        Jnp.Save(stream, x);
        stream.Position = 0;
        var y = Jnp.Load(stream);
        Assert.Equal(stream.Length, stream.Position);
        return y;
    }

    [Theory]
    [MemberData(nameof(Arrays.AllDTypes), MemberType = typeof(Arrays))]
    public void Every_dtype_and_shape_round_trips_bit_exactly(DType dtype)
    {
        using var _ = Jax.Config.X64Scope(true);
        int seed = 0;
        foreach (var shape in Arrays.Shapes)
        {
            var x = Arrays.Random(dtype, shape, seed++);
            Arrays.AssertSame(x, RoundTrip(x));
        }
    }

    [Fact]
    public void A_file_round_trips_and_the_extension_is_appended_as_numpy_does()
    {
        using var file = new Arrays.TempFile("");
        var x = Jnp.Array(new float[] { 1, 2, 3, 4, 5, 6 }).Reshape(2, 3);
        Jnp.Save(file.Path, x);
        using var npy = new Arrays.TempFile(".npy");
        File.Move(file.Path + ".npy", npy.Path);
        Arrays.AssertSame(x, Jnp.Load(npy.Path));
    }

    [Fact]
    public void The_bytes_are_what_numpy_writes_for_float32_2x3()
    {
        using var stream = new MemoryStream();
        Jnp.Save(stream, Jnp.Array(new float[] { 1, 2, 3, 4, 5, 6 }).Reshape(2, 3));
        var bytes = stream.ToArray();
        // np.save(f, np.arange(1, 7, dtype='<f4').reshape(2, 3)): version 1.0, header length 118 ('v\x00'), the dict,
        // 20 spaces of room for the first axis to grow to 21 digits, padding to 128 bytes, '\n'.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + new string(' ', 20);
        var expected = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(header.PadRight(117)));
        expected.Add((byte)'\n');
        expected.AddRange(Arrays.LittleEndian(1, 2, 3, 4, 5, 6));
        Assert.Equal(128 + 24, bytes.Length);
        Assert.Equal(expected.ToArray(), bytes);
    }

    [Theory]
    [InlineData(DType.Float64, "<f8", "()", 0)]
    [InlineData(DType.Bool, "|b1", "(3,)", 20)]
    [InlineData(DType.UInt8, "|u1", "(0,)", 20)]
    [InlineData(DType.Int8, "|i1", "(12, 1)", 19)]
    [InlineData(DType.Int64, "<i8", "(1, 2)", 20)]
    [InlineData(DType.Float16, "<f2", "(2,)", 20)]
    [InlineData(DType.BFloat16, "<V2", "(2,)", 20)]
    [InlineData(DType.UInt16, "<u2", "(2,)", 20)]
    public void Headers_are_numpys_for_each_dtype_and_shape(DType dtype, string descr, string shape, int growth)
    {
        using var _ = Jax.Config.X64Scope(true);
        var sizes = shape.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var x = Arrays.Random(dtype, sizes, 1);
        using var stream = new MemoryStream();
        Jnp.Save(stream, x);
        var bytes = stream.ToArray();
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}" + new string(' ', growth);
        Assert.Equal(0, (10 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))) % 64);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(dict.PadRight(headerLength - 1) + "\n", Encoding.ASCII.GetString(bytes, 10, headerLength));
        Assert.Equal(Arrays.Bytes(x), bytes[(10 + headerLength)..]);
    }

    [Fact]
    public void Version_2_and_3_headers_read()
    {
        var data = Arrays.LittleEndian(1.5f, -2f);
        var v2 = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, major: 2)));
        Assert.Equal([1.5f, -2f], v2.ToArray<float>());
        var v3 = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, major: 3)));
        Assert.Equal([1.5f, -2f], v3.ToArray<float>());
        // Unpadded headers, keys in another order, long-integer suffixes (Python 2 numpy) read too.
        var loose = Jnp.Load(new MemoryStream(Arrays.Npy("{'shape': (2L,), 'fortran_order': False, 'descr': '<f4'}", data, pad: false)));
        Assert.Equal([1.5f, -2f], loose.ToArray<float>());
    }

    [Fact]
    public void Big_endian_arrays_read_as_values()
    {
        using var _ = Jax.Config.X64Scope(true);
        var f8 = new byte[16];
        BinaryPrimitives.WriteDoubleBigEndian(f8, 3.25);
        BinaryPrimitives.WriteDoubleBigEndian(f8.AsSpan(8), -1e300);
        var x = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", f8)));
        Assert.Equal(DType.Float64, x.DType);
        Assert.Equal([3.25, -1e300], x.ToArray<double>());
        var i4 = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(i4, -7);
        BinaryPrimitives.WriteInt32BigEndian(i4.AsSpan(4), 70000);
        var y = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", i4)));
        Assert.Equal([-7, 70000], y.ToArray<int>());
        var u2 = new byte[] { 0x12, 0x34 };
        Assert.Equal([(ushort)0x1234], Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }", u2))).ToArray<ushort>());
    }

    [Fact]
    public void Fortran_order_is_read_by_transposing()
    {
        // np.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores its columns: 1 4 2 5 3 6.
        var data = Arrays.LittleEndian(1, 4, 2, 5, 3, 6);
        var x = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data)));
        Assert.Equal(Shape.Of(2, 3), x.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], x.ToArray<float>());
        var one = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", Arrays.LittleEndian(1, 2, 3))));
        Assert.Equal([1f, 2, 3], one.ToArray<float>());
    }

    [Fact]
    public void Bfloat16_reads_from_the_two_byte_void_ml_dtypes_saves()
    {
        var data = new byte[] { 0x80, 0x3F, 0x00, 0xC0 };
        var x = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<V2', 'fortran_order': False, 'shape': (2,), }", data)));
        Assert.Equal(DType.BFloat16, x.DType);
        Assert.Equal([1f, -2f], x.ToArray<float>());
    }

    [Fact]
    public void Without_x64_a_64_bit_file_narrows_as_jnp_asarray_does()
    {
        using var _ = Jax.Config.X64Scope(false);
        var f8 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(f8, 0.1);
        BinaryPrimitives.WriteDoubleLittleEndian(f8.AsSpan(8), 2.5);
        var x = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8)));
        Assert.Equal(DType.Float32, x.DType);
        Assert.Equal([0.1f, 2.5f], x.ToArray<float>());
        var i8 = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(i8, -5);
        var y = Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", i8)));
        Assert.Equal(DType.Int32, y.DType);
        Assert.Equal(-5, y.Item<int>());
        var u8 = new byte[8];
        u8[0] = 9;
        Assert.Equal(DType.UInt32, Jnp.Load(new MemoryStream(Arrays.Npy("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", u8))).DType);
    }

    private static InvalidDataException Hostile(byte[] file) =>
        Assert.Throws<InvalidDataException>(() => Jnp.Load(new MemoryStream(file)));

    private static byte[] Float32Npy(string shape, int dataBytes) =>
        Arrays.Npy($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", new byte[dataBytes]);

    [Fact]
    public void Truncated_files_are_named_errors()
    {
        var good = Float32Npy("(2, 3)", 24);
        foreach (int length in new[] { 0, 3, 7, 9, 50, 127, 128, 151 })
        {
            var e = Hostile(good[..length]);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
            Assert.StartsWith("stream: 'array'", e.Message, StringComparison.Ordinal);
        }
        using var file = new Arrays.TempFile(".npy");
        File.WriteAllBytes(file.Path, good[..140]);
        var named = Assert.Throws<InvalidDataException>(() => Jnp.Load(file.Path));
        Assert.Contains(file.Path, named.Message, StringComparison.Ordinal);
        Assert.Contains("24 bytes", named.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_data_from_a_stream_of_unknown_length_is_a_named_error()
    {
        var good = Float32Npy("(2, 3)", 24);
        var e = Assert.Throws<InvalidDataException>(() => Jnp.Load(new Arrays.ForwardOnlyStream(good[..140])));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Equal([0f, 0, 0, 0, 0, 0], Jnp.Load(new Arrays.ForwardOnlyStream(good)).ToArray<float>());
    }

    [Fact]
    public void A_huge_claim_from_a_stream_of_unknown_length_is_truncation_not_an_allocation()
    {
        var e = Assert.Throws<InvalidDataException>(() => Jnp.Load(new Arrays.ForwardOnlyStream(Float32Npy("(250000000000,)", 24))));
        Assert.Contains("needs 1000000000000 bytes, the stream holds 24", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Headers_that_lie_about_sizes_are_refused_before_allocating()
    {
        // Shapes whose data the file does not hold, negative dims, products that overflow 64 bits.
        Assert.Contains("needs 400000000000 bytes", Hostile(Float32Npy("(100000, 1000000)", 24)).Message, StringComparison.Ordinal);
        Assert.Contains("negative dimension -3", Hostile(Float32Npy("(-3, 2)", 24)).Message, StringComparison.Ordinal);
        Assert.Contains("overflows", Hostile(Float32Npy("(4294967296, 4294967296)", 24)).Message, StringComparison.Ordinal);
        Assert.Contains("overflows", Hostile(Float32Npy("(3037000499, 3037000499)", 24)).Message, StringComparison.Ordinal);
        Assert.Contains("64-bit integer", Hostile(Float32Npy("(99999999999999999999,)", 24)).Message, StringComparison.Ordinal);
        Assert.Contains("needs 24 bytes", Hostile(Float32Npy("(2, 3)", 20)).Message, StringComparison.Ordinal);
        // A header length above what the file holds.
        var bytes = Float32Npy("(2, 3)", 24);
        bytes[8] = 0xFF;
        bytes[9] = 0xFF;
        Assert.Contains("truncated", Hostile(bytes).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "'<c8'")]
    [InlineData("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", "'<U3'")]
    [InlineData("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "'|O'")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured")]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "no 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "fortran_order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", "not a Python dict literal")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',), }", "tuple of integers")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected keys")]
    [InlineData("['descr', '<f4']", "not a dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "expected ',' or '}'")]
    [InlineData("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", "expected ','")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (((((((((((((((((((((((((((((((((((2,),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),), }", "nests too deeply")]
    public void Malformed_headers_and_unknown_dtypes_are_named_errors(string header, string expected)
    {
        var e = Hostile(Arrays.Npy(header, new byte[8]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("stream: 'array'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_magic_and_versions_are_named_errors()
    {
        var good = Float32Npy("(2,)", 8);
        var badMagic = (byte[])good.Clone();
        badMagic[1] = (byte)'X';
        Assert.Contains("magic", Hostile(badMagic).Message, StringComparison.Ordinal);
        var v4 = (byte[])good.Clone();
        v4[6] = 4;
        Assert.Contains("version 4.0", Hostile(v4).Message, StringComparison.Ordinal);
        var v3 = Arrays.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8], major: 3);
        v3[20] = 0xFF;
        Assert.Contains("UTF-8", Hostile(v3).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_npz_archive_given_to_Load_points_to_LoadNpz()
    {
        using var stream = new MemoryStream();
        Jnp.Savez(stream, new Dictionary<string, Tensor> { ["a"] = Jnp.Zeros(2) });
        stream.Position = 0;
        var e = Assert.Throws<ArgumentException>(() => Jnp.Load(stream));
        Assert.Contains("LoadNpz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_a_tracer_or_a_deleted_array_is_an_argument_error()
    {
        var deleted = Jnp.Ones(3);
        deleted.Dispose();
        Assert.Contains("deleted", Assert.Throws<ArgumentException>(() => Jnp.Save(new MemoryStream(), deleted)).Message, StringComparison.Ordinal);
        var f = Jax.Jit(new Func<Tensor, Tensor>(x =>
        {
            Assert.Contains("traced", Assert.Throws<ArgumentException>(() => Jnp.Save(new MemoryStream(), x)).Message, StringComparison.Ordinal);
            return x;
        }));
        f(Jnp.Ones(2));
    }

    [Fact]
    public void A_splat_saves_its_elements()
    {
        var x = Jnp.Full(new[] { 2, 2 }, 3f);
        Assert.Equal([3f, 3, 3, 3], RoundTrip(x).ToArray<float>());
    }
}
