using System.Collections;
using System.Text;

namespace JaxToolchain.Ir;

/// <summary>One dimension of a shape: a static size or a named symbolic size (<c>n</c> in <c>f32[n,100]</c>).</summary>
public readonly record struct Dim
{
    private readonly long _size;

    /// <summary>The symbol's name, or null for a static dimension.</summary>
    public string? Symbol { get; }

    private Dim(long size, string? symbol)
    {
        _size = size;
        Symbol = symbol;
    }

    /// <summary>A static dimension.</summary>
    public static Dim Of(long size) =>
        size >= 0 ? new Dim(size, null) : throw new ArgumentOutOfRangeException(nameof(size), $"negative dimension {size}");

    /// <summary>A symbolic dimension.</summary>
    public static Dim Sym(string name) => new(-1, name);

    /// <summary>True when the size is known.</summary>
    public bool IsStatic => Symbol is null;

    /// <summary>The static size; throws for a symbolic dimension.</summary>
    public long Size => IsStatic ? _size : throw new InvalidOperationException($"dimension '{Symbol}' is symbolic");

    /// <summary>A static dimension from a size.</summary>
    public static implicit operator Dim(long size) => Of(size);

    /// <summary>A static dimension from a size.</summary>
    public static implicit operator Dim(int size) => Of(size);

    /// <inheritdoc/>
    public override string ToString() => Symbol ?? _size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An immutable array shape, possibly with symbolic dimensions.</summary>
public sealed class Shape : IReadOnlyList<Dim>, IEquatable<Shape>
{
    private readonly Dim[] _dims;

    /// <summary>The shape of a scalar.</summary>
    public static Shape Scalar { get; } = new([]);

    /// <summary>Creates a shape from dimensions.</summary>
    public Shape(params IEnumerable<Dim> dims) => _dims = dims.ToArray();

    /// <summary>Creates a static shape from sizes.</summary>
    public static Shape Of(params ReadOnlySpan<long> sizes)
    {
        var d = new Dim[sizes.Length];
        for (int i = 0; i < d.Length; i++) d[i] = Dim.Of(sizes[i]);
        return new Shape(d);
    }

    /// <summary>Creates a static shape from sizes.</summary>
    public static Shape Of(params ReadOnlySpan<int> sizes)
    {
        var d = new Dim[sizes.Length];
        for (int i = 0; i < d.Length; i++) d[i] = Dim.Of(sizes[i]);
        return new Shape(d);
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <inheritdoc/>
    public int Count => _dims.Length;

    /// <inheritdoc/>
    public Dim this[int index] => _dims[index];

    /// <summary>True when every dimension is static.</summary>
    public bool IsStatic => _dims.All(d => d.IsStatic);

    /// <summary>The static sizes; throws when a dimension is symbolic.</summary>
    public long[] Sizes => _dims.Select(d => d.Size).ToArray();

    /// <summary>The static sizes as ints; throws when a dimension is symbolic or larger than 2^31 - 1.</summary>
    public int[] IntSizes => _dims.Select(d => d.Size <= int.MaxValue
        ? (int)d.Size
        : throw new NotSupportedException($"the shape {ToTupleString()} has a dimension of {d.Size}; arrays here have dimensions of at most 2^31 - 1")).ToArray();

    /// <summary>
    /// The number of elements; throws when a dimension is symbolic, and a <see cref="JaxTypeException"/> naming the
    /// shape when the count does not fit a 64-bit integer.
    /// </summary>
    public long ElementCount => TryGetElementCount(out var n)
        ? n
        : throw new JaxTypeException("shape", $"the shape {ToTupleString()} has more elements than a 64-bit size can count");

    /// <summary>
    /// The number of elements of a static shape, or false when it overflows a 64-bit integer; throws when a
    /// dimension is symbolic.
    /// </summary>
    public bool TryGetElementCount(out long count)
    {
        count = 1;
        foreach (var d in _dims)
        {
            long size = d.Size;
            if (size != 0 && count > long.MaxValue / size)
            {
                // A zero dimension later still makes the array empty.
                count = _dims.Any(x => x.IsStatic && x.Size == 0) ? 0 : -1;
                return count == 0;
            }
            count *= size;
        }
        return true;
    }

    /// <summary>This shape with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, Dim dim)
    {
        var d = (Dim[])_dims.Clone();
        d[axis] = dim;
        return new Shape(d);
    }

    /// <summary>The symbols that occur in this shape.</summary>
    public IEnumerable<string> Symbols => _dims.Where(d => !d.IsStatic).Select(d => d.Symbol!);

    /// <summary>Prints as <c>[3,n]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < _dims.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(_dims[i].ToString());
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Prints as NumPy prints a shape tuple: <c>(3,)</c>, <c>(2, 3)</c>, <c>()</c>.</summary>
    public string ToTupleString() =>
        _dims.Length == 1 ? $"({_dims[0]},)" : "(" + string.Join(", ", _dims.Select(d => d.ToString())) + ")";

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <inheritdoc/>
    public IEnumerator<Dim> GetEnumerator() => ((IEnumerable<Dim>)_dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _dims.GetEnumerator();
}
