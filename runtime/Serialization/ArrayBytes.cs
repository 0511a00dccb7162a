using System.Buffers.Binary;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// The raw element bytes of arrays in files (.npy, .npz, .safetensors): reading a checked number of bytes into a new
/// host buffer, writing an array's bytes, byte swapping, and the loaded dtype under the x64 setting.
/// </summary>
internal static class ArrayBytes
{
    /// <summary>Bytes copied per read or write call (a span cannot exceed 2^31 - 1 bytes).</summary>
    private const int Chunk = 1 << 26;

    /// <summary>
    /// The element count of <paramref name="sizes"/> and its byte count for <paramref name="dtype"/>; a negative size or
    /// a product that overflows a 64-bit count is an <see cref="InvalidDataException"/> naming the source and key.
    /// </summary>
    public static long ByteCount(DType dtype, IReadOnlyList<long> sizes, string source, string key)
    {
        long count = 1;
        foreach (var size in sizes)
        {
            if (size < 0)
                throw new InvalidDataException($"{source}: '{key}' has a negative dimension {size} in its shape ({string.Join(", ", sizes)})");
            try
            {
                count = checked(count * size);
            }
            catch (OverflowException)
            {
                throw new InvalidDataException($"{source}: '{key}' has a shape ({string.Join(", ", sizes)}) whose size overflows a 64-bit count");
            }
        }
        try
        {
            return checked(count * dtype.ItemSize());
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{source}: '{key}' has a shape ({string.Join(", ", sizes)}) of {dtype.Name()} whose byte size overflows a 64-bit count");
        }
    }

    /// <summary>
    /// Reads exactly the bytes of a <paramref name="dtype"/> array of <paramref name="shape"/> from
    /// <paramref name="stream"/> into a new buffer, swapping bytes when <paramref name="swap"/>. When
    /// <paramref name="sizeChecked"/>, the caller has checked that the source holds that many bytes; otherwise (a stream
    /// of unknown length) a large array is read in chunks first, so a header claiming more than the stream holds is a
    /// truncation error rather than a huge allocation. A stream that ends early is an <see cref="InvalidDataException"/>.
    /// </summary>
    public static unsafe Buffer Read(Stream stream, DType dtype, Shape shape, bool swap, string source, string key, bool sizeChecked)
    {
        long bytes = Buffer.ByteCount(dtype, shape);
        if (!sizeChecked && bytes > Chunk)
        {
            var chunks = new List<byte[]>();
            for (long done = 0; done < bytes;)
            {
                var chunk = new byte[Math.Min(Chunk, bytes - done)];
                int read = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
                if (read < chunk.Length)
                    throw new InvalidDataException($"{source}: '{key}' is truncated: its data needs {bytes} bytes, the stream holds {done + read}");
                chunks.Add(chunk);
                done += chunk.Length;
            }
            var filled = Buffer.Uninitialized(dtype, shape);
            byte* target = (byte*)filled.Pointer;
            long offset = 0;
            foreach (var chunk in chunks)
            {
                chunk.CopyTo(new Span<byte>(target + offset, chunk.Length));
                offset += chunk.Length;
            }
            if (swap) Swap(target, bytes, dtype.ItemSize());
            return filled;
        }
        var buffer = Buffer.Uninitialized(dtype, shape);
        try
        {
            long total = buffer.ByteLength;
            if (total > 0)
            {
                byte* p = (byte*)buffer.Pointer;
                for (long done = 0; done < total;)
                {
                    int n = (int)Math.Min(Chunk, total - done);
                    int read = stream.ReadAtLeast(new Span<byte>(p + done, n), n, throwOnEndOfStream: false);
                    if (read < n)
                        throw new InvalidDataException($"{source}: '{key}' is truncated: its data needs {total} bytes, the file holds {done + read}");
                    done += n;
                }
                if (swap) Swap(p, total, dtype.ItemSize());
            }
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Writes the elements of <paramref name="tensor"/> (row-major, little-endian) to <paramref name="stream"/>.</summary>
    public static unsafe void Write(Stream stream, Tensor tensor)
    {
        var buffer = tensor.Buffer;
        long total = buffer.ByteLength;
        if (total == 0) return;
        byte* p = (byte*)buffer.Pointer;
        if (!BitConverter.IsLittleEndian)
        {
            var copy = new byte[Math.Min(Chunk, total)];
            for (long done = 0; done < total;)
            {
                int n = (int)Math.Min(Chunk, total - done);
                new Span<byte>(p + done, n).CopyTo(copy);
                fixed (byte* c = copy) Swap(c, n, buffer.DType.ItemSize());
                stream.Write(copy, 0, n);
                done += n;
            }
            GC.KeepAlive(buffer);
            return;
        }
        for (long done = 0; done < total;)
        {
            int n = (int)Math.Min(Chunk, total - done);
            stream.Write(new ReadOnlySpan<byte>(p + done, n));
            done += n;
        }
        GC.KeepAlive(buffer);
    }

    /// <summary>Reverses the bytes of each <paramref name="itemSize"/>-byte element in place.</summary>
    public static unsafe void Swap(byte* p, long bytes, int itemSize)
    {
        switch (itemSize)
        {
            case 2:
                for (long i = 0; i < bytes; i += 2) *(ushort*)(p + i) = BinaryPrimitives.ReverseEndianness(*(ushort*)(p + i));
                break;
            case 4:
                for (long i = 0; i < bytes; i += 4) *(uint*)(p + i) = BinaryPrimitives.ReverseEndianness(*(uint*)(p + i));
                break;
            case 8:
                for (long i = 0; i < bytes; i += 8) *(ulong*)(p + i) = BinaryPrimitives.ReverseEndianness(*(ulong*)(p + i));
                break;
        }
    }

    /// <summary>
    /// The loaded array as a tensor of the dtype the runtime uses for it: a 64-bit dtype narrows to 32 bits when x64 is
    /// off, as <c>jnp.asarray</c> (and <see cref="Jnp.Array{T}(ReadOnlySpan{T}, int[], DType?)"/>) does.
    /// </summary>
    public static Tensor ToTensor(Buffer buffer)
    {
        var target = Jax.Config.Canonicalize(buffer.DType);
        if (target == buffer.DType) return new Tensor(buffer);
        var converted = Conversions.Convert(buffer, target);
        buffer.Dispose();
        return new Tensor(converted);
    }

    /// <summary>Checks that <paramref name="tensor"/> has a value to write (not a tracer, not deleted).</summary>
    public static void CheckWritable(Tensor tensor, string function, string key)
    {
        if (tensor.IsTracer)
            throw new ArgumentException($"{function}: '{key}' is a traced {tensor.Aval.ToLongString()} with no concrete value; save arrays outside traced functions");
        if (tensor.IsDeleted)
            throw new ArgumentException($"{function}: '{key}' was deleted (disposed or donated) and cannot be saved");
        if (!tensor.Shape.IsStatic)
            throw new ArgumentException($"{function}: '{key}' has a symbolic shape {tensor.Shape}");
    }
}
