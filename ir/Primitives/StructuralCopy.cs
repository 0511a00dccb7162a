using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>
/// A strided element map between two row-major buffers: for every multi-index <c>i</c> over <c>dims</c>,
/// <c>dst[dstOffset + Σ i_k·dstStrides_k]</c> receives <c>src[srcOffset + Σ i_k·srcStrides_k]</c>. Transpose,
/// broadcast (stride 0), rev (negative strides), slice, pad, concatenate, gather and scatter windows are all such
/// maps. Adjacent dimensions that are contiguous in both buffers are merged when the map is built, so whole rows
/// move with one span copy or fill; elements move as raw bits of their width, so one routine serves every dtype.
/// A map is built once and applied at many offsets (one gather window per index).
/// </summary>
internal sealed class StridedCopy
{
    // Merged dimensions, innermost first; _dims[0] is the row (the run moved by one inner loop).
    private readonly int[] _dims;
    private readonly int[] _srcStrides;
    private readonly int[] _dstStrides;
    private readonly bool _empty;

    /// <summary>Plans the map over <paramref name="dims"/> with the given element strides.</summary>
    public StridedCopy(ReadOnlySpan<int> srcStrides, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims)
    {
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
        _dims = merged.Select(m => m.Size).ToArray();
        _srcStrides = merged.Select(m => m.Src).ToArray();
        _dstStrides = merged.Select(m => m.Dst).ToArray();
    }

    /// <summary>Copies along a map built for one use.</summary>
    public static void Copy(Buffer src, int srcOffset, ReadOnlySpan<int> srcStrides, Buffer dst, int dstOffset, ReadOnlySpan<int> dstStrides, ReadOnlySpan<int> dims) =>
        new StridedCopy(srcStrides, dstStrides, dims).Copy(src, srcOffset, dst, dstOffset);

    /// <summary>Fills every element of <paramref name="dst"/> with element 0 of <paramref name="scalar"/>.</summary>
    public static void Fill(Buffer scalar, Buffer dst)
    {
        var dims = dst.Dims;
        Copy(scalar, 0, new int[dims.Length], dst, 0, Strides.RowMajor(dims), dims);
    }

    /// <summary>Copies <paramref name="src"/>'s elements into <paramref name="dst"/> (same dtype) along the map.</summary>
    public void Copy(Buffer src, int srcOffset, Buffer dst, int dstOffset)
    {
        if (src.DType != dst.DType)
            throw new InvalidOperationException($"strided copy from {src.DType.Name()} to {dst.DType.Name()}");
        switch (src.DType.ItemSize())
        {
            case 1: CopyRows<byte>(src.Bytes, srcOffset, dst.Bytes, dstOffset); break;
            case 2: CopyRows(MemoryMarshal.Cast<byte, ushort>(src.Bytes), srcOffset, MemoryMarshal.Cast<byte, ushort>(dst.Bytes), dstOffset); break;
            case 4: CopyRows(MemoryMarshal.Cast<byte, uint>(src.Bytes), srcOffset, MemoryMarshal.Cast<byte, uint>(dst.Bytes), dstOffset); break;
            default: CopyRows(MemoryMarshal.Cast<byte, ulong>(src.Bytes), srcOffset, MemoryMarshal.Cast<byte, ulong>(dst.Bytes), dstOffset); break;
        }
    }

    /// <summary>
    /// Adds <paramref name="src"/>'s elements into <paramref name="dst"/> along the map (<c>dst[j] += src[i]</c>),
    /// in the dtype's own arithmetic: integers wrap, float16/bfloat16 add in float32 and round back, bool is or.
    /// </summary>
    public void Add(Buffer src, int srcOffset, Buffer dst, int dstOffset)
    {
        switch (dst.DType)
        {
            case DType.Bool: AddRows(src.Span<bool>(), srcOffset, dst.Span<bool>(), dstOffset, static (a, b) => a | b); break;
            case DType.Int8: AddRows(src.Span<sbyte>(), srcOffset, dst.Span<sbyte>(), dstOffset, Sum); break;
            case DType.Int16: AddRows(src.Span<short>(), srcOffset, dst.Span<short>(), dstOffset, Sum); break;
            case DType.Int32: AddRows(src.Span<int>(), srcOffset, dst.Span<int>(), dstOffset, Sum); break;
            case DType.Int64: AddRows(src.Span<long>(), srcOffset, dst.Span<long>(), dstOffset, Sum); break;
            case DType.UInt8: AddRows(src.Span<byte>(), srcOffset, dst.Span<byte>(), dstOffset, Sum); break;
            case DType.UInt16: AddRows(src.Span<ushort>(), srcOffset, dst.Span<ushort>(), dstOffset, Sum); break;
            case DType.UInt32: AddRows(src.Span<uint>(), srcOffset, dst.Span<uint>(), dstOffset, Sum); break;
            case DType.UInt64: AddRows(src.Span<ulong>(), srcOffset, dst.Span<ulong>(), dstOffset, Sum); break;
            case DType.Float16: AddRows(src.Span<Half>(), srcOffset, dst.Span<Half>(), dstOffset, Sum); break;
            case DType.BFloat16: AddRows(src.Span<BFloat16>(), srcOffset, dst.Span<BFloat16>(), dstOffset, static (a, b) => (BFloat16)((float)a + (float)b)); break;
            case DType.Float32: AddRows(src.Span<float>(), srcOffset, dst.Span<float>(), dstOffset, Sum); break;
            case DType.Float64: AddRows(src.Span<double>(), srcOffset, dst.Span<double>(), dstOffset, Sum); break;
            default: throw new InvalidOperationException($"cannot add {dst.DType.Name()} elements");
        }
    }

    private static T Sum<T>(T a, T b) where T : System.Numerics.IAdditionOperators<T, T, T> => unchecked(a + b);

    private void CopyRows<T>(ReadOnlySpan<T> src, int srcOffset, Span<T> dst, int dstOffset) where T : unmanaged
    {
        int n = _dims[0], ss = _srcStrides[0], ds = _dstStrides[0];
        var rows = new Rows(this, srcOffset, dstOffset, stackalloc int[_dims.Length]);
        while (rows.Next(out int s, out int d))
        {
            if (ss == 1 && ds == 1) src.Slice(s, n).CopyTo(dst.Slice(d, n));
            else if (ss == 0 && ds == 1) dst.Slice(d, n).Fill(src[s]);
            else
                for (int j = 0; j < n; j++) dst[d + j * ds] = src[s + j * ss];
        }
    }

    private void AddRows<T>(ReadOnlySpan<T> src, int srcOffset, Span<T> dst, int dstOffset, Func<T, T, T> add)
    {
        int n = _dims[0], ss = _srcStrides[0], ds = _dstStrides[0];
        var rows = new Rows(this, srcOffset, dstOffset, stackalloc int[_dims.Length]);
        while (rows.Next(out int s, out int d))
            for (int j = 0; j < n; j++) dst[d + j * ds] = add(dst[d + j * ds], src[s + j * ss]);
    }

    /// <summary>Enumerates the start positions (in source and destination) of the map's rows.</summary>
    private ref struct Rows
    {
        private readonly StridedCopy _map;
        private readonly Span<int> _index;
        private int _src;
        private int _dst;
        private bool _started;

        public Rows(StridedCopy map, int srcOffset, int dstOffset, Span<int> index)
        {
            _map = map;
            _index = index;
            _src = srcOffset;
            _dst = dstOffset;
        }

        public bool Next(out int src, out int dst)
        {
            src = _src;
            dst = _dst;
            if (!_started)
            {
                _started = true;
                return !_map._empty;
            }
            var dims = _map._dims;
            for (int k = 1; k < dims.Length; k++)
            {
                _src += _map._srcStrides[k];
                _dst += _map._dstStrides[k];
                if (++_index[k] < dims[k])
                {
                    src = _src;
                    dst = _dst;
                    return true;
                }
                _src -= _map._srcStrides[k] * dims[k];
                _dst -= _map._dstStrides[k] * dims[k];
                _index[k] = 0;
            }
            return false;
        }
    }
}
