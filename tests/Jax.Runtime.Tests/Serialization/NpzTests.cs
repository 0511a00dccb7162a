using System.IO.Compression;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Serialization;

/// <summary>Jnp.Savez/SavezCompressed/LoadNpz: zip archives of .npy entries as np.savez writes them, and hostile archives.</summary>
public class NpzTests
{
    private static Dictionary<string, Tensor> EveryDType()
    {
        var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int seed = 0;
        foreach (var t in DTypes.All)
        {
            foreach (var shape in Arrays.Shapes)
                arrays[$"params/{t.Name()}/{string.Join("x", shape)}"] = Arrays.Random(t, shape, seed++);
        }
        return arrays;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_dtype_round_trips_in_order_with_slashes_in_names(bool compressed)
    {
        using var _ = Jax.Config.X64Scope(true);
        var arrays = EveryDType();
        using var file = new Arrays.TempFile(".npz");
        if (compressed) Jnp.SavezCompressed(file.Path, arrays);
        else Jnp.Savez(file.Path, arrays);
        var loaded = Jnp.LoadNpz(file.Path);
        Assert.Equal(arrays.Keys, loaded.Keys);
        foreach (var (key, x) in arrays) Arrays.AssertSame(x, loaded[key]);
        using var zip = ZipFile.OpenRead(file.Path);
        Assert.Equal(arrays.Keys.Select(k => k + ".npy"), zip.Entries.Select(e => e.FullName));
        // Stored entries hold exactly their .npy bytes; deflated ones are smaller for these compressible zeros.
        if (!compressed) Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
    }

    [Fact]
    public void Each_entry_is_the_npy_file_of_its_array()
    {
        var a = Jnp.Array(new float[] { 1, 2, 3 });
        using var stream = new MemoryStream();
        Jnp.Savez(stream, new Dictionary<string, Tensor> { ["w"] = a });
        stream.Position = 0;
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("w.npy", entry.FullName);
        using var npy = new MemoryStream();
        Jnp.Save(npy, a);
        using var content = new MemoryStream();
        using (var s = entry.Open()) s.CopyTo(content);
        Assert.Equal(npy.ToArray(), content.ToArray());
    }

    [Fact]
    public void Positional_arrays_are_named_arr_0_arr_1_and_the_extension_is_appended()
    {
        using var file = new Arrays.TempFile("");
        Jnp.Savez(file.Path, Jnp.Zeros(2), Jnp.Ones(3));
        using var npz = new Arrays.TempFile(".npz");
        File.Move(file.Path + ".npz", npz.Path);
        var loaded = Jnp.LoadNpz(npz.Path);
        Assert.Equal(["arr_0", "arr_1"], loaded.Keys);
        Assert.Equal([1f, 1, 1], loaded["arr_1"].ToArray<float>());
    }

    /// <summary>An archive by hand, as Python's zipfile writes np.savez's: entries stored or deflated, in this order.</summary>
    private static MemoryStream Archive(params (string Name, byte[] Data, bool Deflate)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data, deflate) in entries)
            {
                var e = zip.CreateEntry(name, deflate ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = e.Open();
                s.Write(data);
            }
        }
        stream.Position = 0;
        return stream;
    }

    private static byte[] Npy(string descr, string shape, byte[] data) =>
        Arrays.Npy($"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}", data);

    [Fact]
    public void Hand_made_archives_with_stored_and_deflated_entries_read_in_file_order()
    {
        var loaded = Jnp.LoadNpz(Archive(
            ("z/kernel.npy", Npy("<f4", "(2,)", Arrays.LittleEndian(1, 2)), true),
            ("a.npy", Npy(">f4", "(1,)", [0x40, 0x40, 0, 0]), false),
            ("dir/", [], false)));
        Assert.Equal(["z/kernel", "a"], loaded.Keys);
        Assert.Equal([1f, 2], loaded["z/kernel"].ToArray<float>());
        Assert.Equal([3f], loaded["a"].ToArray<float>());
    }

    /// <summary>
    /// Archives written by Python's zipfile as np.savez and np.savez_compressed call it (<c>allowZip64=True</c>, each entry
    /// opened with <c>force_zip64=True</c>: zip64 sizes in the local headers), holding float32 (2, 2) and int64 () arrays.
    /// </summary>
    [Theory]
    [InlineData("UEsDBC0AAAAAAAAAIQBO+yB1//////////8XABQAcGFyYW1zL2RlbnNlL2tlcm5lbC5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAACAPwAAAEAAAEBAAACAQFBLAwQtAAAAAAAAACEAI7jwbP//////////CAAUAHN0ZXAubnB5AQAQAIgAAAAAAAAAiAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgcAAAAAAAAAUEsBAi0DLQAAAAAAAAAhAE77IHWQAAAAkAAAABcAAAAAAAAAAAAAAIABAAAAAHBhcmFtcy9kZW5zZS9rZXJuZWwubnB5UEsBAi0DLQAAAAAAAAAhACO48GyIAAAAiAAAAAgAAAAAAAAAAAAAAIAB2QAAAHN0ZXAubnB5UEsFBgAAAAACAAIAewAAAJsBAAAAAA==")]
    [InlineData("UEsDBC0AAAAIAAAAIQBO+yB1//////////8XABQAcGFyYW1zL2RlbnNlL2tlcm5lbC5ucHkBABAAkAAAAAAAAABTAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CkaaOgq1CmQDLgaGBnsGBgYHIALiBgcAUEsDBC0AAAAIAAAAIQAjuPBs//////////8IABQAc3RlcC5ucHkBABAAiAAAAAAAAABGAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5Gpo6CrUKFAEudgYIAABQSwECLQMtAAAACAAAACEATvsgdVMAAACQAAAAFwAAAAAAAAAAAAAAgAEAAAAAcGFyYW1zL2RlbnNlL2tlcm5lbC5ucHlQSwECLQMtAAAACAAAACEAI7jwbEYAAACIAAAACAAAAAAAAAAAAAAAgAGcAAAAc3RlcC5ucHlQSwUGAAAAAAIAAgB7AAAAHAEAAAAA")]
    public void Archives_as_python_zipfile_writes_them_for_numpy_read(string base64)
    {
        using var _ = Jax.Config.X64Scope(true);
        var loaded = Jnp.LoadNpz(new MemoryStream(Convert.FromBase64String(base64)));
        Assert.Equal(["params/dense/kernel", "step"], loaded.Keys);
        Assert.Equal(Shape.Of(2, 2), loaded["params/dense/kernel"].Shape);
        Assert.Equal([1f, 2, 3, 4], loaded["params/dense/kernel"].ToArray<float>());
        Assert.Equal(DType.Int64, loaded["step"].DType);
        Assert.Equal(7L, loaded["step"].Item<long>());
        // Our .npy bytes for the same arrays are the entries' bytes.
        using var zip = new ZipArchive(new MemoryStream(Convert.FromBase64String(base64)), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            using var content = new MemoryStream();
            using (var s = entry.Open()) s.CopyTo(content);
            using var ours = new MemoryStream();
            Jnp.Save(ours, loaded[entry.FullName[..^4]]);
            Assert.Equal(content.ToArray(), ours.ToArray());
        }
    }

    [Fact]
    public void Hostile_archives_are_named_errors()
    {
        var good = Npy("<f4", "(2,)", Arrays.LittleEndian(1, 2));
        var dup = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(Archive(("w.npy", good, false), ("w.npy", good, true))));
        Assert.Contains("'w' is in the archive twice", dup.Message, StringComparison.Ordinal);
        var other = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(Archive(("notes.txt", [1, 2], false))));
        Assert.Contains("'notes.txt' is not an .npy array", other.Message, StringComparison.Ordinal);
        var lying = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(Archive(("w.npy", Npy("<f4", "(1000000000,)", Arrays.LittleEndian(1, 2)), true))));
        Assert.StartsWith("stream: 'w'", lying.Message, StringComparison.Ordinal);
        Assert.Contains("needs 4000000000 bytes", lying.Message, StringComparison.Ordinal);
        var truncated = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(Archive(("w.npy", good[..100], false))));
        Assert.Contains("'w' is truncated", truncated.Message, StringComparison.Ordinal);
        var notZip = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(new MemoryStream(good)));
        Assert.Contains("not a .npz archive", notZip.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_or_truncated_archive_file_is_a_named_error()
    {
        using var file = new Arrays.TempFile(".npz");
        Jnp.SavezCompressed(file.Path, new Dictionary<string, Tensor> { ["w"] = Jnp.Arange(1000) });
        var bytes = File.ReadAllBytes(file.Path);
        // Flip bytes in the deflated data: the zip layer's error (bad data or CRC) comes out named.
        var corrupt = (byte[])bytes.Clone();
        for (int i = 60; i < 90; i++) corrupt[i] ^= 0x5A;
        File.WriteAllBytes(file.Path, corrupt);
        var e = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(file.Path));
        Assert.Contains(file.Path, e.Message, StringComparison.Ordinal);
        File.WriteAllBytes(file.Path, bytes[..(bytes.Length / 2)]);
        var t = Assert.Throws<InvalidDataException>(() => Jnp.LoadNpz(file.Path));
        Assert.Contains(file.Path, t.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arrays_to_save_are_refused_before_the_file_is_created()
    {
        using var file = new Arrays.TempFile(".npz");
        var deleted = Jnp.Ones(2);
        deleted.Dispose();
        Assert.Throws<ArgumentException>(() => Jnp.Savez(file.Path, new Dictionary<string, Tensor> { ["a"] = Jnp.Ones(1), ["b"] = deleted }));
        Assert.Throws<ArgumentException>(() => Jnp.Savez(file.Path, new Dictionary<string, Tensor> { [""] = Jnp.Ones(1) }));
        Assert.Throws<ArgumentException>(() => Jnp.SavezCompressed(file.Path, new Dictionary<string, Tensor> { ["a"] = null! }));
        Assert.False(File.Exists(file.Path));
    }
}
