using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

// The interpreter loops of the elementwise primitives. An operation is a struct implementing one or more of the
// op interfaces below with static generic methods; a loop class, generic over that struct, runs it over a buffer
// of each dtype it supports. The JIT specialises every (op, element type) pair, so the inner loops make direct,
// inlinable calls: no delegates, no boxing. float16 and bfloat16 are staged through float32 (widen, compute, round
// back), as XLA does on CPU.

/// <summary>A unary operation on IEEE floats (float32 math is float32 math: <c>float.Exp</c> is <c>MathF.Exp</c>).</summary>
internal interface IFloatUnaryOp
{
    /// <summary>The operation on one element.</summary>
    static abstract T Apply<T>(T x) where T : IFloatingPointIeee754<T>;

    /// <summary>Runs the whole span with <see cref="TensorPrimitives"/> where that gives bit-identical results.</summary>
    static virtual bool TryVectorized<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T> => false;
}

/// <summary>A unary operation on two's-complement integers (wrapping).</summary>
internal interface IIntegerUnaryOp
{
    /// <summary>The operation on one element.</summary>
    static abstract T Apply<T>(T x) where T : IBinaryInteger<T>;
}

/// <summary>A unary operation on booleans.</summary>
internal interface IBoolUnaryOp
{
    /// <summary>The operation on one element.</summary>
    static abstract bool Apply(bool x);
}

/// <summary>A binary operation on IEEE floats.</summary>
internal interface IFloatBinaryOp
{
    /// <summary>The operation on one pair of elements.</summary>
    static abstract T Apply<T>(T x, T y) where T : IFloatingPointIeee754<T>;

    /// <summary>Runs the whole spans with <see cref="TensorPrimitives"/> where that gives bit-identical results.</summary>
    static virtual bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T> => false;
}

/// <summary>A binary operation on two's-complement integers (wrapping).</summary>
internal interface IIntegerBinaryOp
{
    /// <summary>The operation on one pair of elements.</summary>
    static abstract T Apply<T>(T x, T y) where T : IBinaryInteger<T>;

    /// <summary>Runs the whole spans with <see cref="TensorPrimitives"/> where that gives bit-identical results.</summary>
    static virtual bool TryVectorized<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IBinaryInteger<T> => false;
}

/// <summary>A binary operation on booleans.</summary>
internal interface IBoolBinaryOp
{
    /// <summary>The operation on one pair of elements.</summary>
    static abstract bool Apply(bool x, bool y);
}

/// <summary>A comparison (IEEE semantics for floats: every comparison with NaN is false except <c>ne</c>).</summary>
internal interface ICompareOp
{
    /// <summary>The comparison of one pair of elements.</summary>
    static abstract bool Apply<T>(T x, T y) where T : INumber<T>;
}

/// <summary>Runs a unary operation over the buffers of one kind of dtype (floats, integers or bool).</summary>
internal abstract class UnaryLoop
{
    /// <summary>Writes <c>op(x)</c> into <paramref name="result"/>, a buffer of the same length.</summary>
    public abstract void Run(Buffer x, Buffer result);
}

/// <summary>Runs a binary operation over equally long buffers of one kind of dtype.</summary>
internal abstract class BinaryLoop
{
    /// <summary>Writes <c>op(x, y)</c> into <paramref name="result"/>.</summary>
    public abstract void Run(Buffer x, Buffer y, Buffer result);
}

/// <summary>A float operation over f16, bf16 (through f32), f32 and f64 buffers.</summary>
internal sealed class FloatUnaryLoop<TOp> : UnaryLoop where TOp : IFloatUnaryOp
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Float32: Map<float>(x.Span<float>(), result.Span<float>()); break;
            case DType.Float64: Map<double>(x.Span<double>(), result.Span<double>()); break;
            default:
                var f = Float32Staging.Widen(x);
                Map<float>(f, f);
                Float32Staging.Narrow(f, result);
                break;
        }
    }

    private static void Map<T>(ReadOnlySpan<T> x, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        if (TOp.TryVectorized(x, result)) return;
        for (int i = 0; i < x.Length; i++) result[i] = TOp.Apply(x[i]);
    }
}

/// <summary>An integer operation over the eight integer dtypes.</summary>
internal sealed class IntegerUnaryLoop<TOp> : UnaryLoop where TOp : IIntegerUnaryOp
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Int8: Map<sbyte>(x.Span<sbyte>(), result.Span<sbyte>()); break;
            case DType.Int16: Map<short>(x.Span<short>(), result.Span<short>()); break;
            case DType.Int32: Map<int>(x.Span<int>(), result.Span<int>()); break;
            case DType.Int64: Map<long>(x.Span<long>(), result.Span<long>()); break;
            case DType.UInt8: Map<byte>(x.Span<byte>(), result.Span<byte>()); break;
            case DType.UInt16: Map<ushort>(x.Span<ushort>(), result.Span<ushort>()); break;
            case DType.UInt32: Map<uint>(x.Span<uint>(), result.Span<uint>()); break;
            case DType.UInt64: Map<ulong>(x.Span<ulong>(), result.Span<ulong>()); break;
            default: throw ElementwiseKernels.Unsupported(x);
        }
    }

    private static void Map<T>(ReadOnlySpan<T> x, Span<T> result) where T : IBinaryInteger<T>
    {
        for (int i = 0; i < x.Length; i++) result[i] = TOp.Apply(x[i]);
    }
}

/// <summary>A boolean operation over bool buffers.</summary>
internal sealed class BoolUnaryLoop<TOp> : UnaryLoop where TOp : IBoolUnaryOp
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer result)
    {
        var a = x.Span<bool>();
        var r = result.Span<bool>();
        for (int i = 0; i < a.Length; i++) r[i] = TOp.Apply(a[i]);
    }
}

/// <summary><c>is_finite</c>: float buffers to bool.</summary>
internal sealed class IsFiniteLoop : UnaryLoop
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer result)
    {
        var r = result.Span<bool>();
        switch (x.DType)
        {
            case DType.Float64:
                var d = x.Span<double>();
                for (int i = 0; i < d.Length; i++) r[i] = double.IsFinite(d[i]);
                break;
            case DType.Float32:
                Test(x.Span<float>(), r);
                break;
            default:
                Test(Float32Staging.Widen(x), r);
                break;
        }

        static void Test(ReadOnlySpan<float> a, Span<bool> r)
        {
            for (int i = 0; i < a.Length; i++) r[i] = float.IsFinite(a[i]);
        }
    }
}

/// <summary>A float operation over pairs of f16, bf16 (through f32), f32 or f64 buffers.</summary>
internal sealed class FloatBinaryLoop<TOp> : BinaryLoop where TOp : IFloatBinaryOp
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer y, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Float32: Map<float>(x.Span<float>(), y.Span<float>(), result.Span<float>()); break;
            case DType.Float64: Map<double>(x.Span<double>(), y.Span<double>(), result.Span<double>()); break;
            default:
                var f = Float32Staging.Widen(x);
                Map<float>(f, Float32Staging.Widen(y), f);
                Float32Staging.Narrow(f, result);
                break;
        }
    }

    private static void Map<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        if (TOp.TryVectorized(x, y, result)) return;
        for (int i = 0; i < x.Length; i++) result[i] = TOp.Apply(x[i], y[i]);
    }
}

/// <summary>An integer operation over pairs of buffers of one of the eight integer dtypes.</summary>
internal sealed class IntegerBinaryLoop<TOp> : BinaryLoop where TOp : IIntegerBinaryOp
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer y, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Int8: Map<sbyte>(x.Span<sbyte>(), y.Span<sbyte>(), result.Span<sbyte>()); break;
            case DType.Int16: Map<short>(x.Span<short>(), y.Span<short>(), result.Span<short>()); break;
            case DType.Int32: Map<int>(x.Span<int>(), y.Span<int>(), result.Span<int>()); break;
            case DType.Int64: Map<long>(x.Span<long>(), y.Span<long>(), result.Span<long>()); break;
            case DType.UInt8: Map<byte>(x.Span<byte>(), y.Span<byte>(), result.Span<byte>()); break;
            case DType.UInt16: Map<ushort>(x.Span<ushort>(), y.Span<ushort>(), result.Span<ushort>()); break;
            case DType.UInt32: Map<uint>(x.Span<uint>(), y.Span<uint>(), result.Span<uint>()); break;
            case DType.UInt64: Map<ulong>(x.Span<ulong>(), y.Span<ulong>(), result.Span<ulong>()); break;
            default: throw ElementwiseKernels.Unsupported(x);
        }
    }

    private static void Map<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IBinaryInteger<T>
    {
        if (TOp.TryVectorized(x, y, result)) return;
        for (int i = 0; i < x.Length; i++) result[i] = TOp.Apply(x[i], y[i]);
    }
}

/// <summary>A boolean operation over pairs of bool buffers.</summary>
internal sealed class BoolBinaryLoop<TOp> : BinaryLoop where TOp : IBoolBinaryOp
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer y, Buffer result)
    {
        var a = x.Span<bool>();
        var b = y.Span<bool>();
        var r = result.Span<bool>();
        for (int i = 0; i < a.Length; i++) r[i] = TOp.Apply(a[i], b[i]);
    }
}

/// <summary>
/// <c>nextafter</c> steps through the representable values of the operand's own format, so float16 and bfloat16
/// are not staged through float32 (that would round the step away).
/// </summary>
internal sealed class NextAfterLoop : BinaryLoop
{
    /// <inheritdoc/>
    public override void Run(Buffer x, Buffer y, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Float32: Map<float>(x.Span<float>(), y.Span<float>(), result.Span<float>()); break;
            case DType.Float64: Map<double>(x.Span<double>(), y.Span<double>(), result.Span<double>()); break;
            case DType.Float16: Map<Half>(x.Span<Half>(), y.Span<Half>(), result.Span<Half>()); break;
            case DType.BFloat16:
                var a = x.Span<BFloat16>();
                var b = y.Span<BFloat16>();
                var r = result.Span<BFloat16>();
                for (int i = 0; i < a.Length; i++) r[i] = Step(a[i], b[i]);
                break;
            default: throw ElementwiseKernels.Unsupported(x);
        }
    }

    private static void Map<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> result) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T a = x[i], b = y[i];
            result[i] = T.IsNaN(a) || T.IsNaN(b) ? a + b : a == b ? b : a < b ? T.BitIncrement(a) : T.BitDecrement(a);
        }
    }

    private static BFloat16 Step(BFloat16 x, BFloat16 y)
    {
        float a = x, b = y;
        if (float.IsNaN(a) || float.IsNaN(b)) return (BFloat16)(a + b);
        if (a == b) return y;
        // Away from zero is one more in the magnitude bits, toward zero one less; from zero, the smallest subnormal.
        if (a == 0) return BFloat16.FromBits((ushort)((b < 0 ? 0x8000 : 0) | 1));
        bool awayFromZero = (a < b) == (a > 0);
        return BFloat16.FromBits((ushort)(awayFromZero ? x.Bits + 1 : x.Bits - 1));
    }
}

/// <summary>A comparison over pairs of buffers of any dtype, writing bool.</summary>
internal sealed class CompareLoop<TOp> where TOp : ICompareOp
{
    /// <summary>Writes <c>op(x, y)</c> into the bool buffer <paramref name="result"/>.</summary>
    public void Run(Buffer x, Buffer y, Buffer result)
    {
        var r = result.Span<bool>();
        switch (x.DType)
        {
            // false < true, as the bytes 0 and 1.
            case DType.Bool: Map<byte>(MemoryMarshal.Cast<bool, byte>(x.Span<bool>()), MemoryMarshal.Cast<bool, byte>(y.Span<bool>()), r); break;
            case DType.Int8: Map<sbyte>(x.Span<sbyte>(), y.Span<sbyte>(), r); break;
            case DType.Int16: Map<short>(x.Span<short>(), y.Span<short>(), r); break;
            case DType.Int32: Map<int>(x.Span<int>(), y.Span<int>(), r); break;
            case DType.Int64: Map<long>(x.Span<long>(), y.Span<long>(), r); break;
            case DType.UInt8: Map<byte>(x.Span<byte>(), y.Span<byte>(), r); break;
            case DType.UInt16: Map<ushort>(x.Span<ushort>(), y.Span<ushort>(), r); break;
            case DType.UInt32: Map<uint>(x.Span<uint>(), y.Span<uint>(), r); break;
            case DType.UInt64: Map<ulong>(x.Span<ulong>(), y.Span<ulong>(), r); break;
            case DType.Float32: Map<float>(x.Span<float>(), y.Span<float>(), r); break;
            case DType.Float64: Map<double>(x.Span<double>(), y.Span<double>(), r); break;
            default: Map<float>(Float32Staging.Widen(x), Float32Staging.Widen(y), r); break;
        }
    }

    private static void Map<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<bool> result) where T : INumber<T>
    {
        for (int i = 0; i < x.Length; i++) result[i] = TOp.Apply(x[i], y[i]);
    }
}

/// <summary>
/// <c>clamp(lo, x, hi) = min(max(x, lo), hi)</c> with the bounds scalar or like x; float bounds use the IEEE
/// maximum/minimum of <c>max</c>/<c>min</c>, so a NaN anywhere gives NaN.
/// </summary>
internal static class ClampLoop
{
    /// <summary>Writes the clamped values into <paramref name="result"/>.</summary>
    public static void Run(Buffer lo, Buffer x, Buffer hi, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Bool:
                Map<byte>(Bytes(lo), Bytes(x), Bytes(hi), Bytes(result));
                break;
            case DType.Int8: Map<sbyte>(lo.Span<sbyte>(), x.Span<sbyte>(), hi.Span<sbyte>(), result.Span<sbyte>()); break;
            case DType.Int16: Map<short>(lo.Span<short>(), x.Span<short>(), hi.Span<short>(), result.Span<short>()); break;
            case DType.Int32: Map<int>(lo.Span<int>(), x.Span<int>(), hi.Span<int>(), result.Span<int>()); break;
            case DType.Int64: Map<long>(lo.Span<long>(), x.Span<long>(), hi.Span<long>(), result.Span<long>()); break;
            case DType.UInt8: Map<byte>(lo.Span<byte>(), x.Span<byte>(), hi.Span<byte>(), result.Span<byte>()); break;
            case DType.UInt16: Map<ushort>(lo.Span<ushort>(), x.Span<ushort>(), hi.Span<ushort>(), result.Span<ushort>()); break;
            case DType.UInt32: Map<uint>(lo.Span<uint>(), x.Span<uint>(), hi.Span<uint>(), result.Span<uint>()); break;
            case DType.UInt64: Map<ulong>(lo.Span<ulong>(), x.Span<ulong>(), hi.Span<ulong>(), result.Span<ulong>()); break;
            case DType.Float32: Map<float>(lo.Span<float>(), x.Span<float>(), hi.Span<float>(), result.Span<float>()); break;
            case DType.Float64: Map<double>(lo.Span<double>(), x.Span<double>(), hi.Span<double>(), result.Span<double>()); break;
            default:
                var f = Float32Staging.Widen(x);
                Map<float>(Float32Staging.Widen(lo), f, Float32Staging.Widen(hi), f);
                Float32Staging.Narrow(f, result);
                break;
        }

        static Span<byte> Bytes(Buffer b) => MemoryMarshal.Cast<bool, byte>(b.Span<bool>());
    }

    private static void Map<T>(ReadOnlySpan<T> lo, ReadOnlySpan<T> x, ReadOnlySpan<T> hi, Span<T> result) where T : INumber<T>
    {
        // A scalar bound is read at index 0 for every element.
        int loStep = lo.Length == 1 ? 0 : 1, hiStep = hi.Length == 1 ? 0 : 1;
        for (int i = 0; i < x.Length; i++) result[i] = T.Min(T.Max(x[i], lo[i * loStep]), hi[i * hiStep]);
    }
}

/// <summary><c>select(pred, on_true, on_false)</c>: moves bits, so any dtype is handled by its element width.</summary>
internal static class SelectLoop
{
    /// <summary>Writes <c>pred ? on_true : on_false</c> elementwise into <paramref name="result"/>; a scalar pred selects whole operands.</summary>
    public static void Run(Buffer pred, Buffer onTrue, Buffer onFalse, Buffer result)
    {
        var p = MemoryMarshal.Cast<bool, byte>(pred.Span<bool>());
        if (p.Length == 1 && result.Length != 1)
        {
            (p[0] != 0 ? onTrue : onFalse).Bytes.CopyTo(result.Bytes);
            return;
        }
        switch (result.DType.ItemSize())
        {
            case 1: Map<byte>(p, onTrue.Bytes, onFalse.Bytes, result.Bytes); break;
            case 2: Map(p, MemoryMarshal.Cast<byte, ushort>(onTrue.Bytes), MemoryMarshal.Cast<byte, ushort>(onFalse.Bytes), MemoryMarshal.Cast<byte, ushort>(result.Bytes)); break;
            case 4: Map(p, MemoryMarshal.Cast<byte, uint>(onTrue.Bytes), MemoryMarshal.Cast<byte, uint>(onFalse.Bytes), MemoryMarshal.Cast<byte, uint>(result.Bytes)); break;
            default: Map(p, MemoryMarshal.Cast<byte, ulong>(onTrue.Bytes), MemoryMarshal.Cast<byte, ulong>(onFalse.Bytes), MemoryMarshal.Cast<byte, ulong>(result.Bytes)); break;
        }
    }

    // Branch-free: a predicate byte of 1 becomes an all-ones mask (random predicates would defeat branch prediction).
    private static void Map<T>(ReadOnlySpan<byte> pred, ReadOnlySpan<T> onTrue, ReadOnlySpan<T> onFalse, Span<T> result) where T : IBinaryInteger<T>
    {
        for (int i = 0; i < result.Length; i++)
        {
            T mask = T.Zero - T.CreateTruncating(pred[i]);
            result[i] = (onTrue[i] & mask) | (onFalse[i] & ~mask);
        }
    }
}

/// <summary>float16 and bfloat16 arithmetic goes through float32: widen exactly, compute, round back to nearest even.</summary>
internal static class Float32Staging
{
    /// <summary>A new float32 copy of a float16 or bfloat16 buffer (exact).</summary>
    public static float[] Widen(Buffer b)
    {
        var f = GC.AllocateUninitializedArray<float>(b.Length);
        Widen(b, f);
        return f;
    }

    /// <summary>Writes the float32 values of a float16 or bfloat16 buffer into <paramref name="f"/> (exact).</summary>
    public static void Widen(Buffer b, Span<float> f)
    {
        switch (b.DType)
        {
            case DType.Float16:
                TensorPrimitives.ConvertToSingle(b.Span<Half>(), f);
                break;
            case DType.BFloat16:
                var h = b.Span<BFloat16>();
                for (int i = 0; i < h.Length; i++) f[i] = h[i];
                break;
            default:
                throw ElementwiseKernels.Unsupported(b);
        }
    }

    /// <summary>Rounds float32 values into a float16 or bfloat16 buffer.</summary>
    public static void Narrow(ReadOnlySpan<float> f, Buffer result)
    {
        switch (result.DType)
        {
            case DType.Float16:
                TensorPrimitives.ConvertToHalf(f, result.Span<Half>());
                break;
            case DType.BFloat16:
                var h = result.Span<BFloat16>();
                for (int i = 0; i < h.Length; i++) h[i] = (BFloat16)f[i];
                break;
            default:
                throw ElementwiseKernels.Unsupported(result);
        }
    }
}

/// <summary>Allocation and errors shared by the elementwise kernels.</summary>
internal static class ElementwiseKernels
{
    /// <summary>A result buffer whose every element the kernel will write (so it is not zeroed first).</summary>
    public static Buffer NewResult(DType dtype, Shape shape) => Buffer.Uninitialized(dtype, shape);

    /// <summary>The error for a kernel handed a buffer its type rule should have rejected.</summary>
    public static InvalidOperationException Unsupported(Buffer b) => new($"no elementwise loop for {b.Type.ToLongString()}");
}
