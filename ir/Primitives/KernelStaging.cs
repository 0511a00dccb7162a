using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir;

/// <summary>
/// A kernel body written once for every numeric element type the interpreter computes in (the ten C# types
/// that implement <see cref="IBinaryNumber{T}"/>: <c>sbyte</c> .. <c>ulong</c>, <c>float</c>, <c>double</c>).
/// <see cref="KernelStaging.Dispatch{TKernel, TResult}"/> picks the instantiation from an array's element type.
/// </summary>
internal interface INumericKernel<out TResult>
{
    /// <summary>Runs the kernel on a staged array of element type <typeparamref name="T"/>.</summary>
    TResult Run<T>(T[] data) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>;
}

/// <summary>
/// Moves buffers into and out of the element types kernels compute in: <c>bool</c> is computed as bytes holding
/// 0 or 1, float16 and bfloat16 are widened to float32 (XLA on CPU computes them in float32 and rounds the
/// result once), every other dtype is computed in its own type.
/// </summary>
internal static class KernelStaging
{
    /// <summary>The array a kernel computes on: a copy for bool/f16/bf16, the buffer's own array otherwise.</summary>
    public static Array Stage(Buffer buffer) => buffer.Data switch
    {
        bool[] a => BoolsToBytes(a),
        Half[] a => HalvesToSingles(a),
        BFloat16[] a => BFloatsToSingles(a),
        _ => buffer.Data,
    };

    /// <summary>Wraps a staged result as a buffer of <paramref name="dtype"/>, rounding f16/bf16 and narrowing bytes to bool.</summary>
    public static Buffer Unstage(Array staged, DType dtype, Shape shape) => (dtype, staged) switch
    {
        (DType.Bool, byte[] a) => new Buffer(dtype, shape, Array.ConvertAll(a, x => x != 0)),
        (DType.Float16, float[] a) => new Buffer(dtype, shape, SinglesToHalves(a)),
        (DType.BFloat16, float[] a) => new Buffer(dtype, shape, Array.ConvertAll(a, x => (BFloat16)x)),
        _ => new Buffer(dtype, shape, staged),
    };

    /// <summary>
    /// Runs a kernel on a staged array, instantiated for the array's element type. The match is on the exact
    /// array type: the runtime lets a <c>ulong[]</c> pass as <c>long[]</c> (and byte/sbyte, ushort/short, uint/int
    /// likewise), so type patterns would send unsigned arrays to the signed kernels.
    /// </summary>
    public static TResult Dispatch<TKernel, TResult>(Array staged, TKernel kernel) where TKernel : struct, INumericKernel<TResult>
    {
        var t = staged.GetType();
        return t == typeof(sbyte[]) ? kernel.Run(Unsafe.As<sbyte[]>(staged))
            : t == typeof(short[]) ? kernel.Run(Unsafe.As<short[]>(staged))
            : t == typeof(int[]) ? kernel.Run(Unsafe.As<int[]>(staged))
            : t == typeof(long[]) ? kernel.Run(Unsafe.As<long[]>(staged))
            : t == typeof(byte[]) ? kernel.Run(Unsafe.As<byte[]>(staged))
            : t == typeof(ushort[]) ? kernel.Run(Unsafe.As<ushort[]>(staged))
            : t == typeof(uint[]) ? kernel.Run(Unsafe.As<uint[]>(staged))
            : t == typeof(ulong[]) ? kernel.Run(Unsafe.As<ulong[]>(staged))
            : t == typeof(float[]) ? kernel.Run(Unsafe.As<float[]>(staged))
            : t == typeof(double[]) ? kernel.Run(Unsafe.As<double[]>(staged))
            : throw new ArgumentException($"no kernel instantiation for {t.Name}");
    }

    private static byte[] BoolsToBytes(bool[] a)
    {
        var r = new byte[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] ? (byte)1 : (byte)0;
        return r;
    }

    private static float[] HalvesToSingles(Half[] a)
    {
        var r = new float[a.Length];
        TensorPrimitives.ConvertToSingle(a, r);
        return r;
    }

    private static Half[] SinglesToHalves(float[] a)
    {
        var r = new Half[a.Length];
        TensorPrimitives.ConvertToHalf(a, r);
        return r;
    }

    private static float[] BFloatsToSingles(BFloat16[] a)
    {
        var r = new float[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i];
        return r;
    }
}

/// <summary>Reads and checks the attributes and axes of an operation, raising errors that name the primitive.</summary>
internal static class AttributeRules
{
    /// <summary>A required attribute of type <typeparamref name="T"/>.</summary>
    public static T Required<T>(this Attributes attributes, Primitive primitive, string name)
    {
        if (!attributes.TryGetValue(name, out var value))
            throw new JaxTypeException(primitive.Name, $"missing attribute '{name}'");
        return value is T t
            ? t
            : throw new JaxTypeException(primitive.Name, $"attribute '{name}' should be {KindName(typeof(T))}, got {IrPrinter.FormatAttribute(value)}");
    }

    /// <summary>The one operand of a unary primitive.</summary>
    public static ShapedType SingleOperand(this IReadOnlyList<ShapedType> operands, Primitive primitive) =>
        operands.Count == 1 ? operands[0] : throw new JaxTypeException(primitive.Name, $"takes 1 operand, got {operands.Count}");

    /// <summary>A required non-negative integer attribute that fits an int.</summary>
    public static int Count(this Attributes attributes, Primitive primitive, string name)
    {
        long v = attributes.Required<long>(primitive, name);
        return v is >= 0 and <= int.MaxValue ? (int)v : throw new JaxTypeException(primitive.Name, $"attribute '{name}' must be a count from 0 to {int.MaxValue}, got {v}");
    }

    /// <summary>An axis attribute checked against the rank of <paramref name="operand"/>.</summary>
    public static int Axis(this Attributes attributes, Primitive primitive, string name, ShapedType operand)
    {
        long axis = attributes.Required<long>(primitive, name);
        return axis >= 0 && axis < operand.Rank
            ? (int)axis
            : throw new JaxTypeException(primitive.Name, $"{name} {axis} is out of range for {operand} (axes must be in [0, {operand.Rank}))");
    }

    /// <summary>An axes attribute: each in range for <paramref name="operand"/>, none repeated.</summary>
    public static int[] Axes(this Attributes attributes, Primitive primitive, string name, ShapedType operand)
    {
        var axes = attributes.Required<long[]>(primitive, name);
        var seen = new bool[operand.Rank];
        foreach (var a in axes)
        {
            if (a < 0 || a >= operand.Rank)
                throw new JaxTypeException(primitive.Name, $"{name} {IrPrinter.FormatAttribute(axes)} out of range for {operand}");
            if (seen[a])
                throw new JaxTypeException(primitive.Name, $"{name} {IrPrinter.FormatAttribute(axes)} repeat axis {a}");
            seen[a] = true;
        }
        return axes.Select(a => (int)a).ToArray();
    }

    private static string KindName(Type t) =>
        t == typeof(long) ? "an integer" : t == typeof(long[]) ? "an integer list" : t == typeof(bool) ? "a boolean"
        : t == typeof(DType) ? "a dtype" : t.Name;
}
