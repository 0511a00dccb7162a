using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace JaxToolchain.Ir;

/// <summary>The few SIMD operations the matrix-multiply micro-kernel needs, for one vector width.</summary>
internal interface ISimdOps<T, TVector> where T : unmanaged where TVector : struct
{
    /// <summary>Elements per vector.</summary>
    static abstract int Width { get; }

    /// <summary>The zero vector.</summary>
    static abstract TVector Zero { get; }

    /// <summary>Loads a vector at <paramref name="source"/> + <paramref name="offset"/> elements.</summary>
    static abstract TVector Load(ref T source, nuint offset);

    /// <summary>Stores a vector at <paramref name="destination"/> + <paramref name="offset"/> elements.</summary>
    static abstract void Store(TVector value, ref T destination, nuint offset);

    /// <summary>A vector with every lane <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(T value);

    /// <summary><c>a * b + addend</c>, rounded once.</summary>
    static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector addend);

    /// <summary><c>a + b</c>.</summary>
    static abstract TVector Add(TVector a, TVector b);
}

/// <summary>512-bit vectors of float or double.</summary>
internal readonly struct Simd512<T> : ISimdOps<T, Vector512<T>> where T : unmanaged
{
    public static int Width => Vector512<T>.Count;
    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FusedMultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
}

/// <summary>256-bit vectors of float or double.</summary>
internal readonly struct Simd256<T> : ISimdOps<T, Vector256<T>> where T : unmanaged
{
    public static int Width => Vector256<T>.Count;
    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FusedMultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), addend.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
}

/// <summary>
/// Matrix products <c>C[m,n] = sum_k A[m,k] B[k,n]</c> of row-major matrices, the kernels of <c>dot_general</c>.
/// <list type="bullet">
/// <item>float32/float64 (large enough): a GotoBLAS-style blocked product. The contracted dimension is cut into
/// blocks of <see cref="KC"/>; per block the rhs is packed into panels of <c>NR</c> = two vectors of columns and
/// the lhs into panels of <see cref="MR"/> rows, and a 6 x NR register-tile micro-kernel accumulates with
/// fused multiply-adds in k order. Block results are added into C in block order. Blocks of <see cref="MC"/> rows
/// run in parallel.</item>
/// <item>Other numeric types, and float products too thin to block: C rows accumulate <c>a[m,k] * B[k,:]</c> in
/// k order (integers wrap); with fewer than 16 columns, each element is one <c>TensorPrimitives.Dot</c> of an A
/// row and a B column.</item>
/// <item>bool (staged as 0/1 bytes): or over k of (a and b).</item>
/// </list>
/// </summary>
internal static unsafe class MatMulKernels
{
    /// <summary>Rows of the micro-kernel's register tile.</summary>
    public const int MR = 6;

    /// <summary>Length of the contracted-dimension blocks.</summary>
    public const int KC = 256;

    /// <summary>Rows per parallel block (a multiple of <see cref="MR"/>).</summary>
    public const int MC = 120;

    private const long BlockedThreshold = 32 * 1024;
    private const long ParallelThreshold = 1 << 21;

    /// <summary>
    /// Writes <c>A · B</c> into <paramref name="c"/> (which holds zeros); A is <paramref name="m"/> x
    /// <paramref name="k"/>, B is <paramref name="k"/> x <paramref name="n"/>, all row-major in native memory. With
    /// <paramref name="logical"/> the elements are 0/1 bytes and the product is or-of-and.
    /// </summary>
    public static void Multiply<T>(T* a, T* b, T* c, int m, int k, int n, bool logical)
        where T : unmanaged, IBinaryNumber<T>
    {
        if (m == 0 || n == 0 || k == 0) return;
        if (logical)
        {
            OrOfAndRows(a, b, c, m, k, n);
            return;
        }
        if ((typeof(T) == typeof(float) || typeof(T) == typeof(double)) && m >= MR && (long)m * n * k >= BlockedThreshold)
        {
            if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
            {
                Blocked<T, Vector512<T>, Simd512<T>>(a, b, c, m, k, n);
                return;
            }
            if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
            {
                Blocked<T, Vector256<T>, Simd256<T>>(a, b, c, m, k, n);
                return;
            }
        }
        if (n >= 16) Rows(a, b, c, m, k, n);
        else Dots(a, b, c, m, k, n);
    }

    private static void Rows<T>(T* a, T* b, T* c, int m, int k, int n)
        where T : unmanaged, IBinaryNumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            var cRow = new Span<T>(c + (long)i * n, n);
            for (int p = 0; p < k; p++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(b + (long)p * n, n), a[(long)i * k + p], cRow, cRow);
        }
    }

    private static void Dots<T>(T* a, T* b, T* c, int m, int k, int n)
        where T : unmanaged, IBinaryNumber<T>
    {
        var bColumns = new T[n * k];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                bColumns[j * k + p] = b[(long)p * n + j];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                c[(long)i * n + j] = TensorPrimitives.Dot<T>(new ReadOnlySpan<T>(a + (long)i * k, k), bColumns.AsSpan(j * k, k));
    }

    private static void OrOfAndRows<T>(T* a, T* b, T* c, int m, int k, int n)
        where T : unmanaged, IBinaryNumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            var cRow = new Span<T>(c + (long)i * n, n);
            for (int p = 0; p < k; p++)
                if (a[(long)i * k + p] != T.Zero)
                    TensorPrimitives.BitwiseOr(cRow, new ReadOnlySpan<T>(b + (long)p * n, n), cRow);
        }
    }

    private static void Blocked<T, TVector, TSimd>(T* a, T* b, T* c, int m, int k, int n)
        where T : unmanaged, IBinaryNumber<T> where TVector : struct where TSimd : ISimdOps<T, TVector>
    {
        int nr = 2 * TSimd.Width;
        int nPanels = (n + nr - 1) / nr;
        int mBlocks = (m + MC - 1) / MC;
        var bPacked = ArrayPool<T>.Shared.Rent(Math.Min(k, KC) * nPanels * nr);
        bool parallel = Environment.ProcessorCount > 1 && mBlocks > 1 && (long)m * n * k >= ParallelThreshold;
        try
        {
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool accumulate = pc > 0;
                PackB(b, n, pc, kc, nr, bPacked);
                void RowBlock(int block)
                {
                    int ic = block * MC, mc = Math.Min(MC, m - ic);
                    var aPacked = ArrayPool<T>.Shared.Rent(MC * kc);
                    Span<T> edge = stackalloc T[MR * nr];
                    PackA(a, k, ic, mc, pc, kc, aPacked);
                    for (int jr = 0; jr < nPanels; jr++)
                    {
                        int j0 = jr * nr, cols = Math.Min(nr, n - j0);
                        ref T bPanel = ref bPacked[jr * kc * nr];
                        for (int ir = 0; ir * MR < mc; ir++)
                        {
                            int i0 = ic + ir * MR, rows = Math.Min(MR, mc - ir * MR);
                            ref T aPanel = ref aPacked[ir * kc * MR];
                            if (rows == MR && cols == nr)
                            {
                                MicroKernel<T, TVector, TSimd>(kc, ref aPanel, ref bPanel, ref c[(long)i0 * n + j0], n, accumulate);
                                continue;
                            }
                            MicroKernel<T, TVector, TSimd>(kc, ref aPanel, ref bPanel, ref edge[0], nr, accumulate: false);
                            for (int r = 0; r < rows; r++)
                            {
                                var target = new Span<T>(c + (long)(i0 + r) * n + j0, cols);
                                var tile = edge.Slice(r * nr, cols);
                                if (accumulate) TensorPrimitives.Add(target, tile, target);
                                else tile.CopyTo(target);
                            }
                        }
                    }
                    ArrayPool<T>.Shared.Return(aPacked);
                }
                if (parallel) Parallel.For(0, mBlocks, RowBlock);
                else for (int block = 0; block < mBlocks; block++) RowBlock(block);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bPacked);
        }
    }

    /// <summary>Packs B[pc..pc+kc, :] as panels of <paramref name="nr"/> columns: panel j holds, for each k, its nr values (zero padded).</summary>
    private static void PackB<T>(T* b, int n, int pc, int kc, int nr, T[] packed) where T : unmanaged
    {
        int nPanels = (n + nr - 1) / nr;
        for (int jr = 0; jr < nPanels; jr++)
        {
            int j0 = jr * nr, cols = Math.Min(nr, n - j0);
            for (int p = 0; p < kc; p++)
            {
                var destination = packed.AsSpan((jr * kc + p) * nr, nr);
                new ReadOnlySpan<T>(b + (long)(pc + p) * n + j0, cols).CopyTo(destination);
                destination[cols..].Clear();
            }
        }
    }

    /// <summary>Packs A[ic..ic+mc, pc..pc+kc] as panels of <see cref="MR"/> rows: panel i holds, for each k, its MR values (zero padded).</summary>
    private static void PackA<T>(T* a, int k, int ic, int mc, int pc, int kc, T[] packed) where T : unmanaged
    {
        for (int ir = 0; ir * MR < mc; ir++)
        {
            int rows = Math.Min(MR, mc - ir * MR);
            var panel = packed.AsSpan(ir * kc * MR, kc * MR);
            if (rows < MR) panel.Clear();
            for (int r = 0; r < rows; r++)
            {
                var row = new ReadOnlySpan<T>(a + (long)(ic + ir * MR + r) * k + pc, kc);
                for (int p = 0; p < kc; p++) panel[p * MR + r] = row[p];
            }
        }
    }

    /// <summary>
    /// The 6 x (2 vectors) register tile: <c>C[0..6, 0..2W] (+)= sum_p Ap[p, 0..6] (outer) Bp[p, 0..2W]</c>, with fused
    /// multiply-adds in p order; with <paramref name="accumulate"/> the tile is added to what C holds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel<T, TVector, TSimd>(int kc, ref T aPanel, ref T bPanel, ref T c, int ldc, bool accumulate)
        where T : unmanaged where TVector : struct where TSimd : ISimdOps<T, TVector>
    {
        nuint w = (nuint)TSimd.Width;
        nint nr = (nint)(2 * w);
        TVector c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero, c20 = TSimd.Zero, c21 = TSimd.Zero;
        TVector c30 = TSimd.Zero, c31 = TSimd.Zero, c40 = TSimd.Zero, c41 = TSimd.Zero, c50 = TSimd.Zero, c51 = TSimd.Zero;
        ref T ap = ref aPanel;
        ref T bp = ref bPanel;
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TSimd.Load(ref bp, 0), b1 = TSimd.Load(ref bp, w);
            TVector x = TSimd.Broadcast(ap);
            c00 = TSimd.FusedMultiplyAdd(x, b0, c00);
            c01 = TSimd.FusedMultiplyAdd(x, b1, c01);
            x = TSimd.Broadcast(Unsafe.Add(ref ap, 1));
            c10 = TSimd.FusedMultiplyAdd(x, b0, c10);
            c11 = TSimd.FusedMultiplyAdd(x, b1, c11);
            x = TSimd.Broadcast(Unsafe.Add(ref ap, 2));
            c20 = TSimd.FusedMultiplyAdd(x, b0, c20);
            c21 = TSimd.FusedMultiplyAdd(x, b1, c21);
            x = TSimd.Broadcast(Unsafe.Add(ref ap, 3));
            c30 = TSimd.FusedMultiplyAdd(x, b0, c30);
            c31 = TSimd.FusedMultiplyAdd(x, b1, c31);
            x = TSimd.Broadcast(Unsafe.Add(ref ap, 4));
            c40 = TSimd.FusedMultiplyAdd(x, b0, c40);
            c41 = TSimd.FusedMultiplyAdd(x, b1, c41);
            x = TSimd.Broadcast(Unsafe.Add(ref ap, 5));
            c50 = TSimd.FusedMultiplyAdd(x, b0, c50);
            c51 = TSimd.FusedMultiplyAdd(x, b1, c51);
            ap = ref Unsafe.Add(ref ap, MR);
            bp = ref Unsafe.Add(ref bp, nr);
        }
        StoreRow<T, TVector, TSimd>(ref c, c00, c01, w, accumulate);
        StoreRow<T, TVector, TSimd>(ref Unsafe.Add(ref c, ldc), c10, c11, w, accumulate);
        StoreRow<T, TVector, TSimd>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, w, accumulate);
        StoreRow<T, TVector, TSimd>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, w, accumulate);
        StoreRow<T, TVector, TSimd>(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, w, accumulate);
        StoreRow<T, TVector, TSimd>(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, w, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T, TVector, TSimd>(ref T row, TVector v0, TVector v1, nuint w, bool accumulate)
        where T : unmanaged where TVector : struct where TSimd : ISimdOps<T, TVector>
    {
        if (accumulate)
        {
            v0 = TSimd.Add(TSimd.Load(ref row, 0), v0);
            v1 = TSimd.Add(TSimd.Load(ref row, w), v1);
        }
        TSimd.Store(v0, ref row, 0);
        TSimd.Store(v1, ref row, w);
    }
}
