using System.Collections.Immutable;
using System.Globalization;

namespace JaxToolchain.Ir;

/// <summary>
/// A size that may depend on symbolic dimensions: a polynomial with integer coefficients over the symbols
/// (<c>400*n</c>, <c>4*m*n + 8</c>), in a canonical form, so equal sizes compare equal whatever order their dimensions
/// came in. Element counts and byte sizes of types with symbolic dims are such products; sums of them (the bytes of
/// several buffers) are polynomials. <see cref="Evaluate"/> gives the number for symbol bindings.
/// </summary>
public sealed class SymbolicSize : IEquatable<SymbolicSize>
{
    /// <summary>Coefficient per monomial; a monomial is its symbols sorted and joined by <c>*</c> (<c>""</c> for the constant term). No zero coefficients.</summary>
    private readonly ImmutableSortedDictionary<string, long> _terms;

    private SymbolicSize(ImmutableSortedDictionary<string, long> terms) => _terms = terms;

    private static readonly ImmutableSortedDictionary<string, long> NoTerms = ImmutableSortedDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Zero.</summary>
    public static SymbolicSize Zero { get; } = new(NoTerms);

    /// <summary>A static size.</summary>
    public static SymbolicSize Of(long value) => value == 0 ? Zero : new(NoTerms.Add("", value));

    /// <summary>A dimension's size: static, or its symbol.</summary>
    public static SymbolicSize Of(Dim dim) => dim.IsStatic ? Of(dim.Size) : new(NoTerms.Add(dim.Symbol!, 1));

    /// <summary>The number of elements of a shape: the product of its dimensions.</summary>
    public static SymbolicSize ElementCount(Shape shape) => shape.Aggregate(Of(1), (size, dim) => size * Of(dim));

    /// <summary>The number of bytes of an array of a type (item size times element count).</summary>
    public static SymbolicSize ByteSize(ShapedType type) => Of(type.DType.ItemSize()) * ElementCount(type.Shape);

    /// <summary>True when no symbol occurs.</summary>
    public bool IsStatic => _terms.Keys.All(k => k.Length == 0);

    /// <summary>The static value; throws when a symbol occurs.</summary>
    public long Value => IsStatic
        ? _terms.GetValueOrDefault("")
        : throw new InvalidOperationException($"size {this} depends on symbols");

    /// <summary>The symbols that occur, sorted.</summary>
    public IEnumerable<string> Symbols => _terms.Keys.SelectMany(Factors).Distinct().Order(StringComparer.Ordinal);

    private static string[] Factors(string monomial) => monomial.Length == 0 ? [] : monomial.Split('*');

    /// <summary>The size for given symbol values; throws when a symbol is not bound.</summary>
    public long Evaluate(IReadOnlyDictionary<string, long> bindings)
    {
        long total = 0;
        foreach (var (monomial, coefficient) in _terms)
        {
            long term = coefficient;
            foreach (var symbol in Factors(monomial))
                term = checked(term * (bindings.TryGetValue(symbol, out var v) ? v : throw new KeyNotFoundException($"symbol '{symbol}' of size {this} is not bound")));
            total = checked(total + term);
        }
        return total;
    }

    /// <summary>The sum of two sizes.</summary>
    public static SymbolicSize operator +(SymbolicSize a, SymbolicSize b)
    {
        var terms = a._terms.ToBuilder();
        foreach (var (monomial, coefficient) in b._terms) AddTerm(terms, monomial, coefficient);
        return new(terms.ToImmutable());
    }

    /// <summary>The product of two sizes.</summary>
    public static SymbolicSize operator *(SymbolicSize a, SymbolicSize b)
    {
        var terms = NoTerms.ToBuilder();
        foreach (var (m1, c1) in a._terms)
            foreach (var (m2, c2) in b._terms)
                AddTerm(terms, string.Join('*', Factors(m1).Concat(Factors(m2)).Order(StringComparer.Ordinal)), checked(c1 * c2));
        return new(terms.ToImmutable());
    }

    private static void AddTerm(ImmutableSortedDictionary<string, long>.Builder terms, string monomial, long coefficient)
    {
        long sum = checked(terms.GetValueOrDefault(monomial) + coefficient);
        if (sum == 0) terms.Remove(monomial);
        else terms[monomial] = sum;
    }

    /// <summary>
    /// Prints the polynomial: terms of higher degree first, the constant last, coefficient 1 omitted (<c>400*n</c>,
    /// <c>m*n + 8</c>, <c>0</c>).
    /// </summary>
    public override string ToString()
    {
        if (_terms.Count == 0) return "0";
        var ordered = _terms.OrderByDescending(t => Factors(t.Key).Length).ThenBy(t => t.Key, StringComparer.Ordinal);
        return string.Join(" + ", ordered.Select(t =>
            t.Key.Length == 0 ? t.Value.ToString(CultureInfo.InvariantCulture)
            : t.Value == 1 ? t.Key
            : t.Value.ToString(CultureInfo.InvariantCulture) + "*" + t.Key)).Replace("+ -", "- ", StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads a size as <see cref="ToString"/> prints it (<c>400*n</c>, <c>m*n + 8</c>, <c>n - 1*k</c>, <c>0</c>): terms joined by
    /// <c>+</c> or <c>-</c>, each a product of integers and symbols; throws <see cref="FormatException"/> for other text.
    /// </summary>
    public static SymbolicSize Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var size = Zero;
        int at = 0;
        bool first = true;
        while (true)
        {
            SkipSpaces(text, ref at);
            long sign = 1;
            if (at < text.Length && (text[at] == '+' || text[at] == '-'))
            {
                if (first && text[at] == '+') throw new FormatException($"'{text}' is not a size: it starts with '+'");
                sign = text[at] == '-' ? -1 : 1;
                at++;
                SkipSpaces(text, ref at);
            }
            else if (!first)
            {
                throw new FormatException($"'{text}' is not a size: expected '+' or '-' at {at}");
            }
            var term = Of(sign);
            while (true)
            {
                int start = at;
                if (at < text.Length && char.IsAsciiDigit(text[at]))
                {
                    while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
                    term *= Of(long.Parse(text.AsSpan(start, at - start), NumberStyles.None, CultureInfo.InvariantCulture));
                }
                else if (at < text.Length && (char.IsAsciiLetter(text[at]) || text[at] == '_'))
                {
                    while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] == '_')) at++;
                    term *= new SymbolicSize(NoTerms.Add(text[start..at], 1));
                }
                else
                {
                    throw new FormatException($"'{text}' is not a size: expected a number or a symbol at {at}");
                }
                if (at < text.Length && text[at] == '*') at++;
                else break;
            }
            size += term;
            first = false;
            SkipSpaces(text, ref at);
            if (at == text.Length) return size;
        }
    }

    private static void SkipSpaces(string text, ref int at)
    {
        while (at < text.Length && text[at] == ' ') at++;
    }

    /// <inheritdoc/>
    public bool Equals(SymbolicSize? other) =>
        other is not null && _terms.Count == other._terms.Count && _terms.All(t => other._terms.TryGetValue(t.Key, out var c) && c == t.Value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SymbolicSize s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var (monomial, coefficient) in _terms)
        {
            h.Add(monomial);
            h.Add(coefficient);
        }
        return h.ToHashCode();
    }

    /// <summary>Size equality.</summary>
    public static bool operator ==(SymbolicSize? a, SymbolicSize? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Size inequality.</summary>
    public static bool operator !=(SymbolicSize? a, SymbolicSize? b) => !(a == b);
}
