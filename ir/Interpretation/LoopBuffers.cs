namespace JaxToolchain.Ir;

/// <summary>
/// Memory bookkeeping of the loop kernels (<c>while</c>, <c>scan</c>): the buffers one iteration leaves behind are
/// disposed once the next iteration no longer needs them, so a loop holds one iteration's values, not all of them.
/// </summary>
internal static class LoopBuffers
{
    /// <summary>
    /// Disposes each buffer of <paramref name="finished"/> that is neither one of the kernel's own
    /// <paramref name="operands"/> (which belong to its caller) nor still held in <paramref name="kept"/>.
    /// </summary>
    public static void Retire(IEnumerable<Buffer> finished, IEnumerable<Buffer> operands, IEnumerable<Buffer> kept)
    {
        var alive = new HashSet<Buffer>(operands, ReferenceEqualityComparer.Instance);
        alive.UnionWith(kept);
        foreach (var buffer in finished)
            if (alive.Add(buffer)) buffer.Dispose();
    }

    /// <summary>Copies <paramref name="row"/> into row <paramref name="index"/> (along the leading axis) of <paramref name="stacked"/>.</summary>
    public static unsafe void CopyInto(Buffer row, Buffer stacked, long index)
    {
        long bytes = row.ByteLength;
        if (bytes == 0) return;
        System.Buffer.MemoryCopy((void*)row.Pointer, (byte*)stacked.Pointer + index * bytes, bytes, bytes);
    }
}
