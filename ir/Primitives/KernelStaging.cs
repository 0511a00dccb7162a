using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir;

/// <summary>
/// A kernel body written once for every numeric element type the interpreter computes in (the ten C# types
/// that implement <see cref="IBinaryNumber{T}"/>: <c>sbyte</c> .. <c>ulong</c>, <c>float</c>, <c>double</c>).
/// <see cref="KernelStaging.Dispatch{TKernel, TResult}"/> picks the instantiation from a staged buffer's dtype.
/// </summary>
internal interface INumericKernel<out TResult>
{
    /// <summary>Runs the kernel on a staged buffer whose elements are of type <typeparamref name="T"/>.</summary>
    TResult Run<T>(Buffer staged) where T : unmanaged, IBinaryNumber<T>, IMinMaxValue<T>;
}

/// <summary>
/// Moves buffers into and out of the element types kernels compute in: <c>bool</c> is computed as bytes holding
/// 0 or 1 (a view of the same memory), float16 and bfloat16 are widened to float32 (XLA on CPU computes them in
/// float32 and rounds the result once), every other dtype is computed in its own type. A staged buffer that is not
/// the input itself is disposed by its user (<see cref="Release"/>).
/// </summary>
internal static class KernelStaging
{
    /// <summary>The buffer a kernel computes on: a uint8 view of a bool buffer, a float32 copy of a f16/bf16 one, the buffer itself otherwise.</summary>
    public static Buffer Stage(Buffer buffer) => buffer.DType switch
    {
        DType.Bool => buffer.Reinterpret(DType.UInt8),
        DType.Float16 or DType.BFloat16 => Widened(buffer),
        _ => buffer,
    };

    /// <summary>Disposes a staged buffer unless it is the original.</summary>
    public static void Release(Buffer staged, Buffer original)
    {
        if (!ReferenceEquals(staged, original)) staged.Dispose();
    }

    /// <summary>A staged result as a buffer of <paramref name="dtype"/>: f16/bf16 rounded (the staged one disposed), bytes viewed as bool.</summary>
    public static Buffer Unstage(Buffer staged, DType dtype, Shape shape)
    {
        if (staged.DType == dtype && staged.Shape == shape) return staged;
        Buffer result;
        if (dtype is DType.Float16 or DType.BFloat16)
        {
            result = Buffer.Uninitialized(dtype, shape);
            Float32Staging.Narrow(staged.Span<float>(), result);
        }
        else
        {
            // A kernel's bytes may hold any nonzero value for true (the identity of an empty and is all ones).
            if (dtype == DType.Bool)
            {
                var bytes = staged.Span<byte>();
                for (int i = 0; i < bytes.Length; i++) bytes[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
            }
            using var view = staged.Reinterpret(dtype);
            result = view.Reshape(shape);
        }
        staged.Dispose();
        return result;
    }

    /// <summary>A new buffer of the element type <typeparamref name="T"/> computes in (contents undefined).</summary>
    public static Buffer NewStaged<T>(Shape shape) where T : unmanaged =>
        Buffer.Uninitialized(DTypes.FromClrType(typeof(T)), shape);

    /// <summary>Runs a kernel on a staged buffer, instantiated for the buffer's dtype.</summary>
    public static TResult Dispatch<TKernel, TResult>(Buffer staged, TKernel kernel) where TKernel : struct, INumericKernel<TResult> =>
        staged.DType switch
        {
            DType.Int8 => kernel.Run<sbyte>(staged),
            DType.Int16 => kernel.Run<short>(staged),
            DType.Int32 => kernel.Run<int>(staged),
            DType.Int64 => kernel.Run<long>(staged),
            DType.UInt8 => kernel.Run<byte>(staged),
            DType.UInt16 => kernel.Run<ushort>(staged),
            DType.UInt32 => kernel.Run<uint>(staged),
            DType.UInt64 => kernel.Run<ulong>(staged),
            DType.Float32 => kernel.Run<float>(staged),
            DType.Float64 => kernel.Run<double>(staged),
            _ => throw new ArgumentException($"no kernel instantiation for {staged.DType.Name()}"),
        };

    /// <summary>Runs a kernel on <paramref name="buffer"/> staged, then releases the staged copy.</summary>
    public static TResult Run<TKernel, TResult>(Buffer buffer, TKernel kernel) where TKernel : struct, INumericKernel<TResult>
    {
        var staged = Stage(buffer);
        try
        {
            return Dispatch<TKernel, TResult>(staged, kernel);
        }
        finally
        {
            Release(staged, buffer);
        }
    }

    private static Buffer Widened(Buffer buffer)
    {
        var result = Buffer.Uninitialized(DType.Float32, buffer.Shape);
        Float32Staging.Widen(buffer, result.Span<float>());
        return result;
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
