using JaxToolchain.Ir;
using TorchSharp;
using static TorchSharp.torch;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Moves arrays between our <see cref="Tensor"/> (any dtype torch also has) and TorchSharp tensors, element for
/// element: the torch tensor gets exactly our values (float16/bfloat16 go through float32, which holds them
/// exactly), and torch's results come back as doubles (floats, exact) or longs (integers and bool).
/// </summary>
internal static class OracleTensors
{
    /// <summary>torch's scalar type for a dtype (torch's unsigned types beyond uint8 have few CPU kernels: not mapped).</summary>
    public static ScalarType ScalarTypeOf(DType dtype) => dtype switch
    {
        DType.Bool => ScalarType.Bool,
        DType.Int8 => ScalarType.Int8,
        DType.Int16 => ScalarType.Int16,
        DType.Int32 => ScalarType.Int32,
        DType.Int64 => ScalarType.Int64,
        DType.UInt8 => ScalarType.Byte,
        DType.Float16 => ScalarType.Float16,
        DType.BFloat16 => ScalarType.BFloat16,
        DType.Float32 => ScalarType.Float32,
        DType.Float64 => ScalarType.Float64,
        _ => throw new ArgumentException($"torch has no CPU dtype for {dtype.Name()}"),
    };

    /// <summary>Our dtype for a torch scalar type.</summary>
    public static DType DTypeOf(ScalarType type) => type switch
    {
        ScalarType.Bool => DType.Bool,
        ScalarType.Int8 => DType.Int8,
        ScalarType.Int16 => DType.Int16,
        ScalarType.Int32 => DType.Int32,
        ScalarType.Int64 => DType.Int64,
        ScalarType.Byte => DType.UInt8,
        ScalarType.Float16 => DType.Float16,
        ScalarType.BFloat16 => DType.BFloat16,
        ScalarType.Float32 => DType.Float32,
        ScalarType.Float64 => DType.Float64,
        _ => throw new ArgumentException($"no dtype of ours for torch's {type}"),
    };

    /// <summary>A torch tensor with the values, shape and dtype of a concrete tensor of ours.</summary>
    public static TorchTensor ToTorch(Tensor x) => ToTorch(x.Buffer);

    /// <summary>A torch tensor with the values, shape and dtype of a buffer.</summary>
    public static TorchTensor ToTorch(Buffer b)
    {
        long[] shape = b.Shape.Sizes;
        switch (b.DType)
        {
            case DType.Float16 or DType.BFloat16:
                var widened = new float[b.Length];
                for (int i = 0; i < widened.Length; i++) widened[i] = (float)b.GetDouble(i);
                using (var f32 = torch.tensor(widened, shape, ScalarType.Float32))
                    return f32.to_type(ScalarTypeOf(b.DType));
            case DType.Float32: return torch.tensor(b.ToArray<float>(), shape, ScalarType.Float32);
            case DType.Float64: return torch.tensor(b.ToArray<double>(), shape, ScalarType.Float64);
            case DType.Int64: return torch.tensor(b.ToArray<long>(), shape, ScalarType.Int64);
            case DType.Int32: return torch.tensor(b.ToArray<int>(), shape, ScalarType.Int32);
            case DType.Int16: return torch.tensor(b.ToArray<short>(), shape, ScalarType.Int16);
            case DType.Int8: return torch.tensor(b.ToArray<sbyte>(), shape, ScalarType.Int8);
            case DType.UInt8: return torch.tensor(b.ToArray<byte>(), shape, ScalarType.Byte);
            case DType.Bool: return torch.tensor(b.ToArray<bool>(), shape, ScalarType.Bool);
            default: throw new ArgumentException($"ToTorch: no torch dtype for a {b.Type} buffer");
        }
    }

    /// <summary>A tensor of ours holding a buffer (the test's way to make inputs of any dtype).</summary>
    public static Tensor FromBuffer(Buffer b) => new(b);

    /// <summary>A torch tensor's elements in row-major order, widened to double (exact for every float dtype).</summary>
    public static double[] Doubles(TorchTensor t)
    {
        if (t.numel() == 0) return [];
        using var dense = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return dense.data<double>().ToArray();
    }

    /// <summary>A torch tensor's elements in row-major order as 64-bit integers (integers and bool).</summary>
    public static long[] Longs(TorchTensor t)
    {
        if (t.numel() == 0) return [];
        using var dense = t.detach().cpu().to_type(ScalarType.Int64).contiguous();
        return dense.data<long>().ToArray();
    }

    /// <summary>A tensor of ours, widened to double element by element (exact for every float dtype).</summary>
    public static double[] Doubles(Tensor x)
    {
        var b = x.Buffer;
        var result = new double[b.Length];
        for (int i = 0; i < result.Length; i++) result[i] = b.GetDouble(i);
        return result;
    }

    /// <summary>A tensor of ours as 64-bit integers (integers and bool).</summary>
    public static long[] Longs(Tensor x)
    {
        var b = x.Buffer;
        var result = new long[b.Length];
        for (int i = 0; i < result.Length; i++) result[i] = b.GetInt64(i);
        return result;
    }
}
