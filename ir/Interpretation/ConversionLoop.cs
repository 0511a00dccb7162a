using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>
/// The kernel of <c>convert_element_type</c>, from every dtype to every dtype, with XLA's semantics: floats to
/// integers truncate toward zero and saturate (NaN gives 0); integers to integers wrap; anything to bool is
/// <c>x != 0</c> (NaN gives true); bool is 0 or 1; to floats rounds to nearest even, bfloat16 through float32.
/// </summary>
internal static class ConversionLoop
{
    /// <summary>Converts every element of <paramref name="x"/> into <paramref name="result"/> (same length).</summary>
    public static void Run(Buffer x, Buffer result)
    {
        switch (x.DType)
        {
            case DType.Bool: From<byte>(MemoryMarshal.Cast<bool, byte>(x.Span<bool>()), result); break;
            case DType.Int8: From<sbyte>(x.Span<sbyte>(), result); break;
            case DType.Int16: From<short>(x.Span<short>(), result); break;
            case DType.Int32: From<int>(x.Span<int>(), result); break;
            case DType.Int64: From<long>(x.Span<long>(), result); break;
            case DType.UInt8: From<byte>(x.Span<byte>(), result); break;
            case DType.UInt16: From<ushort>(x.Span<ushort>(), result); break;
            case DType.UInt32: From<uint>(x.Span<uint>(), result); break;
            case DType.UInt64: From<ulong>(x.Span<ulong>(), result); break;
            case DType.Float16 or DType.BFloat16 when result.DType == x.DType: x.Bytes.CopyTo(result.Bytes); break;
            case DType.Float32 when result.DType == DType.Float16: TensorPrimitives.ConvertToHalf(x.Span<float>(), result.Span<Half>()); break;
            case DType.Float32: From<float>(x.Span<float>(), result); break;
            case DType.Float64: From<double>(x.Span<double>(), result); break;
            // float16 and bfloat16 widen exactly to float32 first.
            default: From<float>(Float32Staging.Widen(x), result); break;
        }
    }

    private static void From<TFrom>(ReadOnlySpan<TFrom> x, Buffer result) where TFrom : INumber<TFrom>
    {
        switch (result.DType)
        {
            case DType.Bool:
                var b = result.Span<bool>();
                for (int i = 0; i < x.Length; i++) b[i] = x[i] != TFrom.Zero;
                break;
            case DType.Int8: ToInteger(x, result.Span<sbyte>()); break;
            case DType.Int16: ToInteger(x, result.Span<short>()); break;
            case DType.Int32: ToInteger(x, result.Span<int>()); break;
            case DType.Int64: ToInteger(x, result.Span<long>()); break;
            case DType.UInt8: ToInteger(x, result.Span<byte>()); break;
            case DType.UInt16: ToInteger(x, result.Span<ushort>()); break;
            case DType.UInt32: ToInteger(x, result.Span<uint>()); break;
            case DType.UInt64: ToInteger(x, result.Span<ulong>()); break;
            case DType.Float16:
                // Directly from double (one rounding): integers and float32 reach double exactly or beyond float16's range.
                var h = result.Span<Half>();
                for (int i = 0; i < x.Length; i++) h[i] = (Half)double.CreateTruncating(x[i]);
                break;
            case DType.BFloat16:
                var bf = result.Span<BFloat16>();
                for (int i = 0; i < x.Length; i++) bf[i] = (BFloat16)float.CreateTruncating(x[i]);
                break;
            case DType.Float32:
                var f = result.Span<float>();
                for (int i = 0; i < x.Length; i++) f[i] = float.CreateTruncating(x[i]);
                break;
            case DType.Float64:
                var d = result.Span<double>();
                for (int i = 0; i < x.Length; i++) d[i] = double.CreateTruncating(x[i]);
                break;
            default:
                throw ElementwiseKernels.Unsupported(result);
        }
    }

    private static void ToInteger<TFrom, TTo>(ReadOnlySpan<TFrom> x, Span<TTo> result)
        where TFrom : INumber<TFrom> where TTo : IBinaryInteger<TTo>
    {
        if (typeof(TFrom) == typeof(float) || typeof(TFrom) == typeof(double))
            for (int i = 0; i < x.Length; i++) result[i] = TTo.CreateSaturating(x[i]);
        else
            for (int i = 0; i < x.Length; i++) result[i] = TTo.CreateTruncating(x[i]);
    }
}
