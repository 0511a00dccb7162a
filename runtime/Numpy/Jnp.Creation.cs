using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>The float32 dtype (<c>jnp.float32</c>).</summary>
    public const DType Float32 = DType.Float32;
    /// <summary>The float64 dtype (needs x64; otherwise float32).</summary>
    public const DType Float64 = DType.Float64;
    /// <summary>The float16 dtype.</summary>
    public const DType Float16 = DType.Float16;
    /// <summary>The bfloat16 dtype.</summary>
    public const DType BFloat16 = DType.BFloat16;
    /// <summary>The int8 dtype.</summary>
    public const DType Int8 = DType.Int8;
    /// <summary>The int16 dtype.</summary>
    public const DType Int16 = DType.Int16;
    /// <summary>The int32 dtype.</summary>
    public const DType Int32 = DType.Int32;
    /// <summary>The int64 dtype (needs x64; otherwise int32).</summary>
    public const DType Int64 = DType.Int64;
    /// <summary>The uint8 dtype.</summary>
    public const DType UInt8 = DType.UInt8;
    /// <summary>The uint16 dtype.</summary>
    public const DType UInt16 = DType.UInt16;
    /// <summary>The uint32 dtype.</summary>
    public const DType UInt32 = DType.UInt32;
    /// <summary>The uint64 dtype (needs x64; otherwise uint32).</summary>
    public const DType UInt64 = DType.UInt64;
    /// <summary>The bool dtype.</summary>
    public const DType Bool = DType.Bool;

    /// <summary>An array over a copy of C# data with a shape (default 1-D); 64-bit data narrows without x64.</summary>
    public static Tensor Array<T>(ReadOnlySpan<T> data, int[]? shape = null, DType? dtype = null) where T : unmanaged
    {
        var source = DTypes.FromClrType(typeof(T));
        var s = shape is null ? Shape.Of(data.Length) : Shape.Of(shape);
        if (s.ElementCount != data.Length)
            throw new JaxTypeException("array", $"cannot make shape {s.ToTupleString()} from {data.Length} elements{Dispatch.At(SourceLocation.FindCaller())}");
        var buffer = Buffer.FromSpan(data, s);
        var target = Requested(dtype, "array") ?? Jax.Config.Canonicalize(source);
        return new Tensor(target == source ? buffer : Conversions.Convert(buffer, target));
    }

    /// <summary>A 1-D float array (float32).</summary>
    public static Tensor Array(float[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<float>(data, null, dtype);
    }

    /// <summary>A 1-D array of doubles (float64 with x64, else float32).</summary>
    public static Tensor Array(double[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<double>(data, null, dtype);
    }

    /// <summary>A 1-D int32 array.</summary>
    public static Tensor Array(int[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<int>(data, null, dtype);
    }

    /// <summary>A 1-D int64 array (int32 without x64).</summary>
    public static Tensor Array(long[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<long>(data, null, dtype);
    }

    /// <summary>A 1-D bool array.</summary>
    public static Tensor Array(bool[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<bool>(data, null, dtype);
    }

    /// <summary>A 1-D uint32 array.</summary>
    public static Tensor Array(uint[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<uint>(data, null, dtype);
    }

    /// <summary>A 1-D uint8 array.</summary>
    public static Tensor Array(byte[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<byte>(data, null, dtype);
    }

    /// <summary>A 1-D float16 array.</summary>
    public static Tensor Array(Half[] data, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Array<Half>(data, null, dtype);
    }

    /// <summary>A 2-D array of any element type (its dtype as for 1-D data: 64-bit types narrow without x64).</summary>
    public static Tensor Array<T>(T[,] data, DType? dtype = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMulti<T>(data, dtype);
    }

    /// <summary>A 3-D array of any element type.</summary>
    public static Tensor Array<T>(T[,,] data, DType? dtype = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMulti<T>(data, dtype);
    }

    /// <summary>A 4-D array of any element type.</summary>
    public static Tensor Array<T>(T[,,,] data, DType? dtype = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMulti<T>(data, dtype);
    }

    /// <summary>A strongly typed scalar (float64 with x64, else float32, unless <paramref name="dtype"/> says otherwise).</summary>
    public static Tensor Array(double value, DType? dtype = null) => Array<double>([value], [], dtype);
    /// <summary>A strongly typed float32 scalar.</summary>
    public static Tensor Array(float value, DType? dtype = null) => Array<float>([value], [], dtype);
    /// <summary>A strongly typed int32 scalar.</summary>
    public static Tensor Array(int value, DType? dtype = null) => Array<int>([value], [], dtype);
    /// <summary>A strongly typed int64 scalar (int32 without x64).</summary>
    public static Tensor Array(long value, DType? dtype = null) => Array<long>([value], [], dtype);
    /// <summary>A bool scalar.</summary>
    public static Tensor Array(bool value, DType? dtype = null) => Array<bool>([value], [], dtype);

    /// <summary>An array from an existing one, converted to <paramref name="dtype"/> when given (a strong copy).</summary>
    public static Tensor Array(Tensor x, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cast(x, Jax.Config.Canonicalize(dtype ?? x.DType));
    }

    /// <summary>As <see cref="Array(Tensor, DType?)"/> (<c>jnp.asarray</c>).</summary>
    public static Tensor Asarray(Tensor x, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return dtype is null ? x : Array(x, dtype);
    }

    private static Tensor FromMulti<T>(System.Array data, DType? dtype) where T : unmanaged
    {
        var shape = new int[data.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = data.GetLength(i);
        var flat = new T[data.Length];
        int k = 0;
        foreach (T v in data) flat[k++] = v;
        return Array<T>(flat, shape, dtype);
    }

    private static Shape ShapeOf(ReadOnlySpan<int> shape, string operation = "shape") => ShapeArguments.Of(operation, shape);

    /// <summary>
    /// An array of a shape filled with a value; the dtype defaults to the value's, and a weakly typed literal
    /// gives a weakly typed array of the default dtype (as <c>lax.full</c>).
    /// </summary>
    public static Tensor Full(int[] shape, Tensor fillValue, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(fillValue);
        return Full("full", shape, fillValue, dtype);
    }

    private static Tensor Full(string function, int[] shape, Tensor fillValue, DType? dtype)
    {
        var target = Requested(dtype, function) ?? Jax.Config.Canonicalize(fillValue.DType);
        return Lax.BroadcastInDim(Cast(fillValue, target, dtype is null && fillValue.WeakType), ShapeOf(shape),
            Enumerable.Range(shape.Length - fillValue.Ndim, fillValue.Ndim).ToArray());
    }

    /// <summary>Zeros of a shape (default float dtype).</summary>
    public static Tensor Zeros(int[] shape, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Full("zeros", shape, Scalars.WeakInt(0), dtype ?? Jax.Config.DefaultFloat);
    }

    /// <summary>A 1-D array of <paramref name="n"/> zeros.</summary>
    public static Tensor Zeros(int n, DType? dtype = null) => Zeros([n], dtype);
    /// <summary>Ones of a shape (default float dtype).</summary>
    public static Tensor Ones(int[] shape, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Full("ones", shape, Scalars.WeakInt(1), dtype ?? Jax.Config.DefaultFloat);
    }

    /// <summary>A 1-D array of <paramref name="n"/> ones.</summary>
    public static Tensor Ones(int n, DType? dtype = null) => Ones([n], dtype);

    /// <summary>An array like x (shape, and dtype unless given) filled with a value.</summary>
    public static Tensor FullLike(Tensor x, Tensor fillValue, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(fillValue);
        var target = Requested(dtype, "full_like") ?? Jax.Config.Canonicalize(x.DType);
        return Lax.BroadcastInDim(Cast(fillValue, target, dtype is null && x.WeakType), x.Shape, []);
    }

    /// <summary>Zeros like x.</summary>
    public static Tensor ZerosLike(Tensor x, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return FullLike(x, Scalars.WeakInt(0), dtype);
    }

    /// <summary>Ones like x.</summary>
    public static Tensor OnesLike(Tensor x, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return FullLike(x, Scalars.WeakInt(1), dtype);
    }

    /// <summary><c>[0, 1, ..., stop-1]</c> (default int dtype).</summary>
    public static Tensor Arange(int stop, DType? dtype = null) => Arange(0, stop, 1, dtype);

    /// <summary>Integers from start (inclusive) to stop (exclusive) by step.</summary>
    public static Tensor Arange(int start, int stop, int step = 1, DType? dtype = null)
    {
        if (step == 0) throw new JaxTypeException("arange", "step must not be zero" + Dispatch.At(SourceLocation.FindCaller()));
        long n = Math.Max(0, (long)Math.Ceiling((stop - (double)start) / step));
        var data = new long[n];
        for (long i = 0; i < n; i++) data[i] = start + i * step;
        return Array<long>(data, null, Requested(dtype, "arange") ?? Jax.Config.DefaultInt);
    }

    /// <summary><c>[0., 1., ..., ]</c> below <paramref name="stop"/> (default float dtype), as <c>jnp.arange(100.)</c>.</summary>
    public static Tensor Arange(double stop, DType? dtype = null) => Arange(0.0, stop, 1.0, dtype);

    /// <summary>Floats from start to stop (exclusive) by step, filled as NumPy fills them.</summary>
    public static Tensor Arange(double start, double stop, double step, DType? dtype = null)
    {
        if (step == 0) throw new JaxTypeException("arange", "step must not be zero" + Dispatch.At(SourceLocation.FindCaller()));
        if (!double.IsFinite(start) || !double.IsFinite(stop) || !double.IsFinite(step))
            throw new JaxTypeException("arange", $"arange needs finite start, stop and step, got ({start}, {stop}, {step}){Dispatch.At(SourceLocation.FindCaller())}");
        var target = Requested(dtype, "arange") ?? Jax.Config.DefaultFloat;
        long n = Math.Max(0, (long)Math.Ceiling((stop - start) / step));
        var data = new double[n];
        if (target == DType.Float32)
        {
            // NumPy fills float32 as start + i * (a[1] - a[0]) in float32.
            float s = (float)start, delta = (float)(start + step) - s;
            for (long i = 0; i < n; i++) data[i] = i == 0 ? s : i == 1 ? (float)(start + step) : s + i * delta;
        }
        else
        {
            double delta = (start + step) - start;
            for (long i = 0; i < n; i++) data[i] = start + i * delta;
        }
        return Array<double>(data, null, target);
    }

    /// <summary><paramref name="num"/> evenly spaced values from start to stop, computed as JAX does.</summary>
    public static Tensor Linspace(double start, double stop, int num = 50, bool endpoint = true, DType? dtype = null)
    {
        if (num < 0) throw new JaxTypeException("linspace", $"number of samples, {num}, must be non-negative" + Dispatch.At(SourceLocation.FindCaller()));
        var target = Requested(dtype, "linspace") ?? Jax.Config.DefaultFloat;
        var compute = target.IsFloat() ? target : Jax.Config.DefaultFloat;
        var lo = Cast(Scalars.Weak(start), compute);
        var hi = Cast(Scalars.Weak(stop), compute);
        Tensor result;
        if (num == 0) result = Zeros([0], compute);
        else if (num == 1) result = Reshape(lo, [1]);
        else
        {
            int div = endpoint ? num - 1 : num;
            var step = Lax.Div(Lax.Iota(compute, Shape.Of(div), 0), Full([div], Scalars.WeakInt(div), compute));
            var body = Add(Multiply(lo, Subtract(1, step)), Multiply(hi, step));
            result = endpoint ? Concatenate([body, Reshape(hi, [1])]) : body;
        }
        return Cast(target.IsFloat() ? result : Floor(result), target);
    }

    /// <summary>A 2-D array with ones on diagonal <paramref name="k"/> and zeros elsewhere.</summary>
    public static Tensor Eye(int n, int? m = null, int k = 0, DType? dtype = null)
    {
        var shape = ShapeOf([n, m ?? n], "eye");
        var rows = Lax.Iota(DType.Int32, shape, 0);
        var cols = Lax.Iota(DType.Int32, shape, 1);
        return Cast(Lax.Eq(Lax.Add(rows, Full([n, m ?? n], k, DType.Int32)), cols), Requested(dtype, "eye") ?? Jax.Config.DefaultFloat);
    }

    /// <summary>The lower triangle of the last two axes (elements above diagonal <paramref name="k"/> zeroed).</summary>
    public static Tensor Tril(Tensor m, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(m);
        return Triangle("tril", m, k, lower: true);
    }

    /// <summary>The upper triangle of the last two axes (elements below diagonal <paramref name="k"/> zeroed).</summary>
    public static Tensor Triu(Tensor m, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(m);
        return Triangle("triu", m, k, lower: false);
    }

    private static Tensor Triangle(string op, Tensor m, int k, bool lower)
    {
        if (m.Ndim < 2)
            throw new JaxTypeException(op, $"{op} needs at least 2 dimensions, got {m.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        var shape = Shape.Of(m.Shape[m.Ndim - 2].Size, m.Shape[m.Ndim - 1].Size);
        var rows = Lax.Add(Lax.Iota(DType.Int32, shape, 0), Full(shape.IntSizes, k, DType.Int32));
        var cols = Lax.Iota(DType.Int32, shape, 1);
        var keep = lower ? Lax.Le(cols, rows) : Lax.Ge(cols, rows);
        return Where(keep, m, ZerosLike(m));
    }

    /// <summary>The n x n identity matrix.</summary>
    public static Tensor Identity(int n, DType? dtype = null) => Eye(n, null, 0, dtype);

    /// <summary>x converted to <paramref name="dtype"/> (64-bit types narrow without x64).</summary>
    public static Tensor Astype(Tensor x, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Cast(x, Requested(dtype, "astype")!.Value);
    }
}
