using System.Collections;
using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace JaxToolchain.Ir;

/// <summary>
/// The static parameters of an operation (JAX's eqn params): a sorted map from name to value. Values are
/// <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, <c>long[]</c>,
/// <see cref="Ir.DType"/>, <see cref="Ir.Shape"/> or <see cref="Buffer"/> (dense constants). Equality is by value.
/// </summary>
public sealed class Attributes : IReadOnlyDictionary<string, object>, IEquatable<Attributes>
{
    private readonly ImmutableSortedDictionary<string, object> _map;
    /// <summary>The content hash once computed; 0 until then (a computed 0 is stored as 1).</summary>
    private int _hash;

    /// <summary>No attributes.</summary>
    public static Attributes Empty { get; } = new(ImmutableSortedDictionary<string, object>.Empty.WithComparers(StringComparer.Ordinal));

    private Attributes(ImmutableSortedDictionary<string, object> map) => _map = map;

    /// <summary>Builds attributes from name/value pairs; ints are widened to long and int[] to long[].</summary>
    public static Attributes Of(params (string Name, object Value)[] entries)
    {
        var b = Empty;
        foreach (var (name, value) in entries) b = b.With(name, value);
        return b;
    }

    /// <summary>These attributes with one more (or one replaced).</summary>
    public Attributes With(string name, object value) => new(_map.SetItem(name, Normalize(name, value)));

    private static object Normalize(string name, object value) => value switch
    {
        int i => (long)i,
        int[] a => a.Select(x => (long)x).ToArray(),
        IEnumerable<long> e and not long[] => e.ToArray(),
        float f => (double)f,
        long or double or bool or string or long[] or Ir.DType or Ir.Shape or Ir.Buffer => value,
        _ => throw new ArgumentException($"attribute '{name}' has unsupported type {value.GetType().Name}"),
    };

    private T Get<T>(string name) =>
        _map.TryGetValue(name, out var v)
            ? v is T t ? t : throw new InvalidOperationException($"attribute '{name}' is {v.GetType().Name}, not {typeof(T).Name}")
            : throw new KeyNotFoundException($"missing attribute '{name}'");

    /// <summary>An integer attribute.</summary>
    public long Int(string name) => Get<long>(name);

    /// <summary>An integer-array attribute.</summary>
    public long[] Ints(string name) => Get<long[]>(name);

    /// <summary>An integer-array attribute as ints.</summary>
    public int[] IntArray(string name) => Get<long[]>(name).Select(x => checked((int)x)).ToArray();

    /// <summary>A float attribute.</summary>
    public double Float(string name) => Get<double>(name);

    /// <summary>A boolean attribute.</summary>
    public bool Bool(string name) => Get<bool>(name);

    /// <summary>A string attribute.</summary>
    public string String(string name) => Get<string>(name);

    /// <summary>A dtype attribute.</summary>
    public DType DType(string name) => Get<DType>(name);

    /// <summary>A shape attribute.</summary>
    public Shape Shape(string name) => Get<Shape>(name);

    /// <summary>A dense constant attribute.</summary>
    public Buffer Buffer(string name) => Get<Buffer>(name);

    /// <inheritdoc/>
    public object this[string key] => _map[key];

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _map.Keys;

    /// <inheritdoc/>
    public IEnumerable<object> Values => _map.Values;

    /// <inheritdoc/>
    public int Count => _map.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _map.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out object value) => _map.TryGetValue(key, out value!);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _map.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(Attributes? other)
    {
        if (other is null || other.Count != Count) return false;
        foreach (var (k, v) in _map)
            if (!other._map.TryGetValue(k, out var w) || !ValueEquals(v, w)) return false;
        return true;
    }

    private static bool ValueEquals(object a, object b) => (a, b) switch
    {
        (long[] x, long[] y) => x.AsSpan().SequenceEqual(y),
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (Ir.Buffer x, Ir.Buffer y) => x.BitwiseEquals(y),
        _ => a.Equals(b),
    };

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Attributes a && Equals(a);

    /// <summary>
    /// A hash of the content, consistent with <see cref="Equals(Attributes)"/>: integer lists by their elements and
    /// dense constants by dtype, shape and bytes, so that many distinct constants of one type spread over a hash
    /// table (CSE keys). Computed once: attributes are immutable, and so are the constants they hold.
    /// </summary>
    public override int GetHashCode()
    {
        if (_hash != 0) return _hash;
        var h = new HashCode();
        foreach (var (k, v) in _map)
        {
            h.Add(k);
            h.Add(ValueHash(v));
        }
        int hash = h.ToHashCode();
        _hash = hash == 0 ? 1 : hash;
        return _hash;
    }

    private static int ValueHash(object value)
    {
        var h = new HashCode();
        switch (value)
        {
            case long[] list:
                h.AddBytes(MemoryMarshal.AsBytes(list.AsSpan()));
                h.Add(list.Length);
                break;
            case double d:
                h.Add(BitConverter.DoubleToInt64Bits(d));
                break;
            case Ir.Buffer buffer:
                h.Add(buffer.DType);
                h.Add(buffer.Shape);
                h.AddBytes(buffer.Bytes);
                break;
            default:
                h.Add(value);
                break;
        }
        return h.ToHashCode();
    }
}
