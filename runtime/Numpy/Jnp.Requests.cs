using System.Collections.Concurrent;
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

    private static int[] IntShape(long[] shape, string function)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = new int[shape.Length];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = shape[i] is >= int.MinValue and <= int.MaxValue ? (int)shape[i]
                : throw new JaxTypeException(function, $"dimension {shape[i]} of ({string.Join(", ", shape)}) is too large{Dispatch.At(SourceLocation.FindCaller())}");
        return dims;
    }

    /// <summary>An array of a shape given as <see cref="long"/>s filled with a value (see <see cref="Full(int[], Tensor, DType?)"/>).</summary>
    public static Tensor Full(long[] shape, Tensor fillValue, DType? dtype = null) => Full(IntShape(shape, "full"), fillValue, dtype);

    /// <summary>Zeros of a shape given as <see cref="long"/>s (as <c>x.Shape.Sizes</c>).</summary>
    public static Tensor Zeros(long[] shape, DType? dtype = null) => Zeros(IntShape(shape, "zeros"), dtype);

    /// <summary>Ones of a shape given as <see cref="long"/>s (as <c>x.Shape.Sizes</c>).</summary>
    public static Tensor Ones(long[] shape, DType? dtype = null) => Ones(IntShape(shape, "ones"), dtype);

    /// <summary>x with a new shape given as <see cref="int"/>s; one dimension may be -1 (see <see cref="Reshape(Tensor, long[])"/>).</summary>
    public static Tensor Reshape(Tensor x, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Reshape(x, shape.Select(d => (long)d).ToArray());
    }

    /// <summary>x broadcast to a shape given as <see cref="long"/>s (see <see cref="BroadcastTo(Tensor, int[])"/>).</summary>
    public static Tensor BroadcastTo(Tensor x, long[] shape) => BroadcastTo(x, IntShape(shape, "broadcast_to"));
}
