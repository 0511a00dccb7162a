using System.Runtime.InteropServices;

namespace Jax.Ir;

/// <summary>
/// Moves elements between buffers along strided index maps: for every multi-index <c>i</c> over <c>dims</c>,
/// <c>dst[dstOffset + Σ i_k·dstStrides_k] = src[srcOffset + Σ i_k·srcStrides_k]</c>. Transpose, broadcast
/// (stride 0), rev (negative strides), slice, pad, concatenate, gather and scatter windows are all such maps.
/// Elements are moved as raw bits of their width, so one routine serves every dtype; adjacent dimensions that
/// are contiguous in both buffers are merged first, so whole rows move with one span copy or fill.
/// </summary>
internal static class StridedCopy
{
    /// <summary>Copies <paramref name="src"/>'s elements into <paramref name="dst"/> (same dtype) along the map.</summary>
    public static void Copy(Buffer src, int srcOffset, ReadOnlySpan<int> srcStrides, Buffer dst, int dstOffset, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims)
    {
        if (src.DType != dst.DType)
            throw new InvalidOperationException($"strided copy from {src.DType.Name()} to {dst.DType.Name()}");
        var walk = new StridedWalk(srcOffset, srcStrides, dstOffset, dstStrides, dims);
        switch (src.DType.ItemSize())
        {
            case 1: CopyRows<byte>(src.Bytes, dst.Bytes, walk); break;
            case 2: CopyRows(MemoryMarshal.Cast<byte, ushort>(src.Bytes), MemoryMarshal.Cast<byte, ushort>(dst.Bytes), walk); break;
            case 4: CopyRows(MemoryMarshal.Cast<byte, uint>(src.Bytes), MemoryMarshal.Cast<byte, uint>(dst.Bytes), walk); break;
            default: CopyRows(MemoryMarshal.Cast<byte, ulong>(src.Bytes), MemoryMarshal.Cast<byte, ulong>(dst.Bytes), walk); break;
        }
    }

    /// <summary>Fills every element of <paramref name="dst"/> with element 0 of <paramref name="scalar"/>.</summary>
    public static void Fill(Buffer scalar, Buffer dst)
    {
        var dims = dst.Dims;
        Copy(scalar, 0, new int[dims.Length], dst, 0, Strides.RowMajor(dims), dims);
    }

    /// <summary>
    /// Adds <paramref name="src"/>'s elements into <paramref name="dst"/> along the map (<c>dst[j] += src[i]</c>),
    /// in the dtype's own arithmetic: integers wrap, float16/bfloat16 add in float32 and round back, bool is or.
    /// </summary>
    public static void Add(Buffer src, int srcOffset, ReadOnlySpan<int> srcStrides, Buffer dst, int dstOffset, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims)
    {
        var walk = new StridedWalk(srcOffset, srcStrides, dstOffset, dstStrides, dims);
        // Dispatch on the dtype, not on the array's runtime type: the CLR lets byte[] pass as sbyte[] (and
        // ushort[]/short[], uint[]/int[], ulong[]/long[]), so type patterns cannot tell those apart.
        switch (dst.DType)
        {
            case DType.Bool: AddRows((bool[])src.Data, (bool[])dst.Data, walk, static (a, b) => a | b); break;
            case DType.Int8: AddRows((sbyte[])src.Data, (sbyte[])dst.Data, walk, Sum); break;
            case DType.Int16: AddRows((short[])src.Data, (short[])dst.Data, walk, Sum); break;
            case DType.Int32: AddRows((int[])src.Data, (int[])dst.Data, walk, Sum); break;
            case DType.Int64: AddRows((long[])src.Data, (long[])dst.Data, walk, Sum); break;
            case DType.UInt8: AddRows((byte[])src.Data, (byte[])dst.Data, walk, Sum); break;
            case DType.UInt16: AddRows((ushort[])src.Data, (ushort[])dst.Data, walk, Sum); break;
            case DType.UInt32: AddRows((uint[])src.Data, (uint[])dst.Data, walk, Sum); break;
            case DType.UInt64: AddRows((ulong[])src.Data, (ulong[])dst.Data, walk, Sum); break;
            case DType.Float16: AddRows((Half[])src.Data, (Half[])dst.Data, walk, Sum); break;
            case DType.BFloat16: AddRows((BFloat16[])src.Data, (BFloat16[])dst.Data, walk, static (a, b) => (BFloat16)((float)a + (float)b)); break;
            case DType.Float32: AddRows((float[])src.Data, (float[])dst.Data, walk, Sum); break;
            case DType.Float64: AddRows((double[])src.Data, (double[])dst.Data, walk, Sum); break;
            default: throw new InvalidOperationException($"cannot add {dst.DType.Name()} elements");
        }
    }

    private static T Sum<T>(T a, T b) where T : System.Numerics.IAdditionOperators<T, T, T> => unchecked(a + b);

    private static void CopyRows<T>(ReadOnlySpan<T> src, Span<T> dst, StridedWalk walk) where T : unmanaged
    {
        int n = walk.Inner, ss = walk.InnerSrcStride, ds = walk.InnerDstStride;
        while (walk.Next(out int s, out int d))
        {
            if (ss == 1 && ds == 1) src.Slice(s, n).CopyTo(dst.Slice(d, n));
            else if (ss == 0 && ds == 1) dst.Slice(d, n).Fill(src[s]);
            else
                for (int j = 0; j < n; j++) dst[d + j * ds] = src[s + j * ss];
        }
    }

    private static void AddRows<T>(T[] src, T[] dst, StridedWalk walk, Func<T, T, T> add)
    {
        int n = walk.Inner, ss = walk.InnerSrcStride, ds = walk.InnerDstStride;
        while (walk.Next(out int s, out int d))
            for (int j = 0; j < n; j++) dst[d + j * ds] = add(dst[d + j * ds], src[s + j * ss]);
    }

    /// <summary>
    /// Enumerates the rows of a strided map: the start positions in source and destination of each run of
    /// <see cref="Inner"/> elements along the innermost (merged) dimension.
    /// </summary>
    private sealed class StridedWalk
    {
        private readonly int[] _dims;
        private readonly int[] _srcStrides;
        private readonly int[] _dstStrides;
        private readonly int[] _index;
        private readonly bool _empty;
        private int _src;
        private int _dst;
        private bool _started;

        public StridedWalk(int srcOffset, ReadOnlySpan<int> srcStrides, int dstOffset, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims)
        {
            // Merged dimensions, innermost first; size-1 dimensions vanish, contiguous neighbours merge.
            var merged = new List<(int Size, int Src, int Dst)>();
            for (int k = dims.Length - 1; k >= 0; k--)
            {
                if (dims[k] == 0) _empty = true;
                if (dims[k] <= 1) continue;
                if (merged.Count > 0)
                {
                    var (size, s, d) = merged[^1];
                    if (srcStrides[k] == s * size && dstStrides[k] == d * size)
                    {
                        merged[^1] = (size * dims[k], s, d);
                        continue;
                    }
                }
                merged.Add((dims[k], srcStrides[k], dstStrides[k]));
            }
            if (merged.Count == 0) merged.Add((1, 1, 1));
            (Inner, InnerSrcStride, InnerDstStride) = merged[0];
            _dims = merged.Skip(1).Select(m => m.Size).ToArray();
            _srcStrides = merged.Skip(1).Select(m => m.Src).ToArray();
            _dstStrides = merged.Skip(1).Select(m => m.Dst).ToArray();
            _index = new int[_dims.Length];
            _src = srcOffset;
            _dst = dstOffset;
        }

        /// <summary>Elements per row.</summary>
        public int Inner { get; }

        /// <summary>Source stride along a row.</summary>
        public int InnerSrcStride { get; }

        /// <summary>Destination stride along a row.</summary>
        public int InnerDstStride { get; }

        /// <summary>The next row's start positions; false after the last row.</summary>
        public bool Next(out int src, out int dst)
        {
            if (!_started)
            {
                _started = true;
                src = _src;
                dst = _dst;
                return !_empty;
            }
            for (int k = 0; k < _dims.Length; k++)
            {
                _src += _srcStrides[k];
                _dst += _dstStrides[k];
                if (++_index[k] < _dims[k])
                {
                    src = _src;
                    dst = _dst;
                    return true;
                }
                _src -= _srcStrides[k] * _dims[k];
                _dst -= _dstStrides[k] * _dims[k];
                _index[k] = 0;
            }
            src = dst = 0;
            return false;
        }
    }
}
