using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// One item of a NumPy-style index: an integer, a slice (C# ranges like <c>1..3</c>, <c>^1</c>, <c>..</c>, or
/// <see cref="Slice"/> with a step), <see cref="NewAxis"/>, <see cref="Ellipsis"/>, or an array of integers or
/// booleans (advanced indexing; boolean masks only outside traced functions).
/// </summary>
public readonly struct TensorIndex
{
    internal enum IndexKind { Integer, Slice, NewAxis, Ellipsis, Array }

    internal IndexKind Kind { get; }
    internal long Integer { get; }
    internal long? Start { get; }
    internal long? Stop { get; }
    internal long Step { get; }
    internal Tensor? Array { get; }

    private TensorIndex(IndexKind kind, long integer = 0, long? start = null, long? stop = null, long step = 1, Tensor? array = null)
    {
        Kind = kind;
        Integer = integer;
        Start = start;
        Stop = stop;
        Step = step;
        Array = array;
    }

    /// <summary>Inserts a new axis of size 1 (<c>None</c> / <c>np.newaxis</c>).</summary>
    public static TensorIndex NewAxis { get; } = new(IndexKind.NewAxis);

    /// <summary>As many full slices as needed (<c>...</c>).</summary>
    public static TensorIndex Ellipsis { get; } = new(IndexKind.Ellipsis);

    /// <summary>The slice <c>start:stop:step</c> (null bounds mean the ends, as in Python).</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) =>
        step == 0 ? throw new ArgumentException("slice step cannot be zero", nameof(step)) : new(IndexKind.Slice, 0, start, stop, step);

    /// <summary>An integer index (negative counts from the end).</summary>
    public static implicit operator TensorIndex(int index) => new(IndexKind.Integer, index);

    /// <summary>An integer index (negative counts from the end).</summary>
    public static implicit operator TensorIndex(long index) => new(IndexKind.Integer, index);

    /// <summary>A C# index (<c>^1</c> is the last element; <c>^0</c>, one past it, is always out of bounds).</summary>
    public static implicit operator TensorIndex(Index index) => index.Equals(Index.End)
        ? throw new JaxTypeException("index", "index ^0 is out of bounds (it is one past the last element)" + Dispatch.At(SourceLocation.FindCaller()))
        : new(IndexKind.Integer, index.IsFromEnd ? -index.Value : index.Value);

    /// <summary>A C# range as a slice (<c>1..^1</c>, <c>..</c>; a start of <c>^0</c> is the end).</summary>
    public static implicit operator TensorIndex(Range range) => new(IndexKind.Slice, 0,
        range.Start.IsFromEnd ? (range.Start.Value == 0 ? long.MaxValue : -range.Start.Value) : range.Start.Value,
        range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value);

    /// <summary>An array of indices (integers) or a boolean mask.</summary>
    public static implicit operator TensorIndex(Tensor array) => new(IndexKind.Array, array: array);

    /// <summary>An array of integer indices.</summary>
    public static implicit operator TensorIndex(int[] indices) => new(IndexKind.Array, array: Jnp.Array(indices));

    /// <summary>A boolean mask.</summary>
    public static implicit operator TensorIndex(bool[] mask) => new(IndexKind.Array, array: Jnp.Array(mask));
}
