namespace JaxToolchain.Ir;

/// <summary>Row-major index arithmetic shared by the interpreter's kernels.</summary>
public static class Strides
{
    /// <summary>Row-major strides (in elements) of a shape: the last dimension has stride 1.</summary>
    public static int[] RowMajor(ReadOnlySpan<int> dims) => RowMajor<int>(dims);

    /// <summary>
    /// Row-major strides in 64 bits, for arrays of more than 2^31 elements (a splat or a summarized printout).
    /// </summary>
    public static long[] RowMajor64(ReadOnlySpan<int> dims) => RowMajor<long>(dims);

    private static T[] RowMajor<T>(ReadOnlySpan<int> dims) where T : System.Numerics.INumber<T>
    {
        var s = new T[dims.Length];
        T acc = T.One;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= T.CreateTruncating(dims[i]);
        }
        return s;
    }

    /// <summary>Writes the multi-index of flat position <paramref name="flat"/> into <paramref name="index"/>.</summary>
    public static void Unravel(int flat, ReadOnlySpan<int> dims, Span<int> index)
    {
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            int d = dims[i];
            index[i] = d == 0 ? 0 : flat % d;
            flat = d == 0 ? 0 : flat / d;
        }
    }

    /// <summary>The flat position of a multi-index under the given strides.</summary>
    public static int Ravel(ReadOnlySpan<int> index, ReadOnlySpan<int> strides)
    {
        int flat = 0;
        for (int i = 0; i < index.Length; i++) flat += index[i] * strides[i];
        return flat;
    }

    /// <summary>Advances a multi-index in row-major order; returns false after the last index.</summary>
    public static bool Increment(Span<int> index, ReadOnlySpan<int> dims)
    {
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            if (++index[i] < dims[i]) return true;
            index[i] = 0;
        }
        return false;
    }
}
