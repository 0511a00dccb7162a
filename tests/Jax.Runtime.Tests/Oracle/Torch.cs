using JaxToolchain.Ir;
using TorchSharp;
using static TorchSharp.torch;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests.Oracle;

using Tensor = TorchSharp.torch.Tensor;

/// <summary>
/// Moves numbers between our managed arrays (<c>double[]</c>/<c>float[]</c> + shape, or an IR
/// <see cref="Buffer"/>) and TorchSharp tensors, so tests can compute the same thing with libtorch and
/// compare. Tensors made here live on the CPU; dispose them (or open a <c>torch.NewDisposeScope()</c>).
/// Keep inputs valid: some libtorch errors (e.g. <c>matmul</c> on mismatched shapes) abort the process
/// instead of throwing.
/// </summary>
internal static class Torch
{
    /// <summary>A float64 tensor of the given shape (row-major data; no shape means 1-D).</summary>
    public static Tensor From(double[] data, params long[] shape) =>
        torch.tensor(data, ShapeOrVector(data.Length, shape), ScalarType.Float64);

    /// <summary>A float32 tensor of the given shape (row-major data; no shape means 1-D).</summary>
    public static Tensor From(float[] data, params long[] shape) =>
        torch.tensor(data, ShapeOrVector(data.Length, shape), ScalarType.Float32);

    /// <summary>A tensor holding a buffer's elements, shape and dtype (float16/bfloat16 are not mapped).</summary>
    public static Tensor From(Buffer buffer)
    {
        long[] shape = buffer.Shape.Sizes;
        return buffer.ToArray() switch
        {
            double[] d => torch.tensor(d, shape, ScalarType.Float64),
            float[] f => torch.tensor(f, shape, ScalarType.Float32),
            long[] l => torch.tensor(l, shape, ScalarType.Int64),
            int[] i => torch.tensor(i, shape, ScalarType.Int32),
            short[] s => torch.tensor(s, shape, ScalarType.Int16),
            sbyte[] s => torch.tensor(s, shape, ScalarType.Int8),
            byte[] b => torch.tensor(b, shape, ScalarType.Byte),
            bool[] b => torch.tensor(b, shape, ScalarType.Bool),
            _ => throw new ArgumentException($"Torch.From: no torch dtype for a {buffer.Type} buffer"),
        };
    }

    /// <summary>The elements of a tensor in row-major order, converted to float64.</summary>
    public static double[] ToDoubles(Tensor tensor)
    {
        using var dense = tensor.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return dense.data<double>().ToArray();
    }

    /// <summary>The elements of a tensor in row-major order, converted to float32.</summary>
    public static float[] ToFloats(Tensor tensor)
    {
        using var dense = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return dense.data<float>().ToArray();
    }

    /// <summary>A tensor's dimension sizes.</summary>
    public static long[] ShapeOf(Tensor tensor) => tensor.shape;

    /// <summary>A float64 or float32 tensor as a buffer of the same dtype and shape.</summary>
    public static Buffer ToBuffer(Tensor tensor)
    {
        var shape = Shape.Of(tensor.shape);
        return tensor.dtype switch
        {
            ScalarType.Float64 => new Buffer(DType.Float64, shape, ToDoubles(tensor)),
            ScalarType.Float32 => new Buffer(DType.Float32, shape, ToFloats(tensor)),
            _ => throw new ArgumentException($"Torch.ToBuffer: only float32/float64 tensors are mapped, got {tensor.dtype}"),
        };
    }

    static long[] ShapeOrVector(int length, long[] shape) => shape.Length == 0 ? [length] : shape;
}
