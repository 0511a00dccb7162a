using System.Buffers.Binary;
using System.Text;
using JaxToolchain.Ir;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests.Serialization;

/// <summary>Arrays of every dtype with arbitrary bytes, byte comparison, temporary files and hand-made .npy files.</summary>
internal static class Arrays
{
    public static readonly long[][] Shapes = [[], [0], [5], [2, 3], [3, 0, 2], [2, 1, 3, 2]];

    public static TheoryData<DType> AllDTypes
    {
        get
        {
            var data = new TheoryData<DType>();
            foreach (var t in DTypes.All) data.Add(t);
            return data;
        }
    }

    /// <summary>An array of arbitrary bit patterns (bool: 0 or 1), deterministic per seed.</summary>
    public static Tensor Random(DType dtype, long[] shape, int seed)
    {
        var b = Buffer.Uninitialized(dtype, Shape.Of(shape));
        if (b.ByteLength > 0)
        {
            var bytes = b.Bytes;
            new Random(seed).NextBytes(bytes);
            if (dtype == DType.Bool)
            {
                for (int i = 0; i < bytes.Length; i++) bytes[i] &= 1;
            }
        }
        return new Tensor(b);
    }

    public static byte[] Bytes(Tensor t) => t.Buffer.ByteLength == 0 ? [] : t.Buffer.Bytes.ToArray();

    public static void AssertSame(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(Bytes(expected), Bytes(actual));
    }

    /// <summary>A fresh path in the temporary folder (deleted by the caller's <c>using</c>).</summary>
    public sealed class TempFile : IDisposable
    {
        public TempFile(string extension) => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jax-ser-" + Guid.NewGuid().ToString("N") + extension);

        public string Path { get; }

        public void Dispose()
        {
            if (File.Exists(Path)) File.Delete(Path);
        }
    }

    /// <summary>A .npy file by hand: magic, version, header length, the header as given (padded as numpy pads), data.</summary>
    public static byte[] Npy(string header, byte[] data, int major = 1, bool pad = true)
    {
        int prefix = major == 1 ? 10 : 12;
        var text = Encoding.UTF8.GetBytes(header);
        int hlen = text.Length + 1;
        int padding = pad ? 64 - ((prefix + hlen) % 64) : 0;
        var result = new MemoryStream();
        result.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var length = new byte[prefix - 8];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)(hlen + padding));
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)(hlen + padding));
        result.Write(length);
        result.Write(text);
        for (int i = 0; i < padding; i++) result.WriteByte((byte)' ');
        result.WriteByte((byte)'\n');
        result.Write(data);
        return result.ToArray();
    }

    public static byte[] LittleEndian(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    /// <summary>A stream that cannot seek: its length is unknown to the reader.</summary>
    public sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
