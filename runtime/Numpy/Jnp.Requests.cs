using System.Collections.Concurrent;
using System.Numerics;
using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    private static readonly ConcurrentDictionary<(string Function, DType Requested), bool> WarnedNarrowing = new();

    /// <summary>Where the one-time warnings about narrowed dtypes go (standard error; tests listen here).</summary>
    internal static Action<string> Warn { get; set; } = message => Console.Error.WriteLine(message);

    /// <summary>Forgets which narrowing warnings were given (tests).</summary>
    internal static void ResetNarrowingWarnings() => WarnedNarrowing.Clear();

    /// <summary>
    /// A dtype the caller of <paramref name="function"/> asked for explicitly, canonicalized: a 64-bit dtype without x64
    /// narrows to its 32-bit kind with a one-time warning per function and dtype, as JAX warns
    /// ("Explicitly requested dtype float64 requested in zeros is not available, ...").
    /// </summary>
    internal static DType? Requested(DType? dtype, string function)
    {
        if (dtype is not DType requested) return null;
        var actual = Jax.Config.Canonicalize(requested);
        if (actual != requested && WarnedNarrowing.TryAdd((function, requested), true))
            Warn($"UserWarning: Explicitly requested dtype {requested.Name()} requested in {function} is not available, and will be " +
                 $"truncated to dtype {actual.Name()}. To enable more dtypes, set Jax.Config.EnableX64 (the jax_enable_x64 " +
                 "configuration option) to true.");
        return actual;
    }

    // Shapes of other integer types (x.Shape.Sizes is a long[]) go through one generic overload each: a second array
    // overload (long[] beside int[]) would make a collection expression [] ambiguous, while a generic one cannot infer
    // its element type from [] and so leaves [] to the int[] overload.

    internal static int[] IntShape<TDim>(TDim[] shape, string function) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = new int[shape.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            var clamped = int.CreateSaturating(shape[i]);
            dims[i] = TDim.CreateSaturating(clamped) == shape[i] ? clamped
                : throw new JaxTypeException(function, $"dimension {shape[i]} of ({string.Join(", ", shape)}) is too large{Dispatch.At(SourceLocation.FindCaller())}");
        }
        return dims;
    }

    /// <summary>An array of a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>) filled with a value (see <see cref="Full(int[], Tensor, DType?)"/>).</summary>
    public static Tensor Full<TDim>(TDim[] shape, Tensor fillValue, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(fillValue);
        return Full(IntShape(shape, "full"), fillValue, dtype);
    }

    /// <summary><see cref="Fromfunction(Func{Tensor[], Tensor}, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
    public static Tensor Fromfunction<TDim>(Func<Tensor[], Tensor> function, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(shape);
        return Fromfunction(function, IntShape(shape, "fromfunction"), dtype);
    }

    /// <summary><see cref="UnravelIndex(Tensor, int[])"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
    public static Tensor[] UnravelIndex<TDim>(Tensor indices, TDim[] shape) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(shape);
        return UnravelIndex(indices, IntShape(shape, "unravel_index"));
    }

    /// <summary>Zeros of a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
    public static Tensor Zeros<TDim>(TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Zeros(IntShape(shape, "zeros"), dtype);
    }

    /// <summary>Ones of a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
    public static Tensor Ones<TDim>(TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Ones(IntShape(shape, "ones"), dtype);
    }

    /// <summary>An array of a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>), zero-filled as <see cref="Empty(int[], DType?)"/>.</summary>
    public static Tensor Empty<TDim>(TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Empty(IntShape(shape, "empty"), dtype);
    }

    /// <summary>x with a new shape of any integer type (an <c>int[]</c>); one dimension may be -1 (see <see cref="Reshape(Tensor, long[])"/>).</summary>
    public static Tensor Reshape<TDim>(Tensor x, TDim[] shape) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        return Reshape(x, shape.Select(long.CreateChecked).ToArray());
    }

    /// <summary>x broadcast to a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>; see <see cref="BroadcastTo(Tensor, int[])"/>).</summary>
    public static Tensor BroadcastTo<TDim>(Tensor x, TDim[] shape) where TDim : struct, IBinaryInteger<TDim>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        return BroadcastTo(x, IntShape(shape, "broadcast_to"));
    }
}
