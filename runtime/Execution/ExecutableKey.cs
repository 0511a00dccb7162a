using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// What selects an executable (JAX's jit cache key): the kernel's stable name, the input abstract values (dtype,
/// shape, weak type, in flattening order), the structure of the input tree, x64, the device, and the values of
/// static arguments. A value: equal keys name the same kernel, in a jitted function's cache and in a precompiled
/// manifest alike. Prints readably: <c>Program.Selu(f32[10000000]; x64=False; cpu:0)</c>.
/// </summary>
public readonly struct ExecutableKey : IEquatable<ExecutableKey>
{
    private readonly ShapedType[] _inputs;
    private readonly object?[] _statics;
    private readonly int _hash;

    /// <summary>Creates a key.</summary>
    public ExecutableKey(string name, IReadOnlyList<ShapedType> inputTypes, bool x64, DeviceDescriptor device,
        IReadOnlyList<object?>? staticArguments = null, string? inputStructure = null)
    {
        Name = name;
        _inputs = inputTypes.ToArray();
        X64 = x64;
        Device = device;
        _statics = staticArguments?.ToArray() ?? [];
        InputStructure = inputStructure ?? "";
        var h = new HashCode();
        h.Add(name);
        foreach (var t in _inputs) h.Add(t);
        h.Add(x64);
        h.Add(device);
        foreach (var s in _statics) h.Add(s);
        h.Add(InputStructure);
        _hash = h.ToHashCode();
    }

    /// <summary>The kernel's stable name (see <see cref="KernelNames"/>).</summary>
    public string Name { get; }

    /// <summary>The input abstract values, weak types included.</summary>
    public IReadOnlyList<ShapedType> InputTypes => _inputs;

    /// <summary>Whether 64-bit types were enabled (the trace depends on it: literals and default dtypes).</summary>
    public bool X64 { get; }

    /// <summary>The device the executable runs on.</summary>
    public DeviceDescriptor Device { get; }

    /// <summary>The values of the static arguments, in argument order.</summary>
    public IReadOnlyList<object?> StaticArguments => _statics;

    /// <summary>The structure of the input tree (empty for flat arrays).</summary>
    public string InputStructure { get; }

    /// <inheritdoc/>
    public bool Equals(ExecutableKey other) =>
        _hash == other._hash && Name == other.Name && X64 == other.X64 && Device == other.Device
        && InputStructure == other.InputStructure
        && _inputs.AsSpan().SequenceEqual(other._inputs) && _statics.AsSpan().SequenceEqual(other._statics);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ExecutableKey k && Equals(k);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <summary>Equality.</summary>
    public static bool operator ==(ExecutableKey a, ExecutableKey b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ExecutableKey a, ExecutableKey b) => !a.Equals(b);

    /// <inheritdoc/>
    public override string ToString()
    {
        var statics = _statics.Length == 0 ? "" : $"; static=({string.Join(", ", _statics.Select(s => s?.ToString() ?? "null"))})";
        var structure = InputStructure.Length == 0 ? "" : $"; tree={InputStructure}";
        return $"{Name}({string.Join(", ", _inputs.Select(t => t.ToString()))}; x64={X64}; {Device}{statics}{structure})";
    }
}

/// <summary>
/// A static argument that is an array: compared and hashed by dtype, shape, weak type and element bytes (a static
/// value must be hashable; JAX rejects arrays, we compare their contents).
/// </summary>
internal sealed class StaticArray : IEquatable<StaticArray>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    public StaticArray(Tensor value)
    {
        Value = value;
        _bytes = value.Buffer.Bytes.ToArray();
        var h = new HashCode();
        h.Add(value.Aval);
        h.AddBytes(_bytes);
        _hash = h.ToHashCode();
    }

    public Tensor Value { get; }

    public bool Equals(StaticArray? other) =>
        other is not null && _hash == other._hash && Value.Aval == other.Value.Aval && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is StaticArray s && Equals(s);

    public override int GetHashCode() => _hash;

    public override string ToString() => Value.ToString();
}

/// <summary>
/// Stable, readable kernel names from C# methods: <c>Program.SumLogistic</c> for a method, <c>Program.Main.Selu</c> for
/// a local function, <c>Program.Main.lambda_0_1</c> for a lambda (not the compiler's <c>&lt;Main&gt;b__0_1</c>). The
/// same method gets the same name in every build, which is what lets a precompiled manifest name it.
/// </summary>
public static class KernelNames
{
    /// <summary>The kernel name of a delegate's method.</summary>
    public static string For(Delegate f) => For(f.Method);

    /// <summary>The kernel name of a method.</summary>
    public static string For(System.Reflection.MethodInfo method)
    {
        var type = method.DeclaringType;
        // Lambdas live in compiler-generated closure classes (<>c, <>c__DisplayClass0_0) nested in the user's type.
        while (type is not null && type.Name.StartsWith('<')) type = type.DeclaringType;
        string owner = type is null ? "" : OuterName(type) + ".";
        return owner + MemberName(method.Name);
    }

    private static string OuterName(Type type) =>
        type.DeclaringType is { } outer && !outer.Name.StartsWith('<') ? OuterName(outer) + "." + TypeName(type) : TypeName(type);

    private static string TypeName(Type type)
    {
        int tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type.Name : type.Name[..tick];
    }

    /// <summary><c>&lt;Main&gt;g__Selu|0_0</c> → <c>Main.Selu</c>; <c>&lt;Main&gt;b__0_1</c> → <c>Main.lambda_0_1</c>; <c>&lt;Main&gt;$</c> → <c>Main</c>.</summary>
    private static string MemberName(string name)
    {
        if (!name.StartsWith('<')) return name;
        int close = MatchingClose(name);
        if (close < 0) return Sanitize(name);
        string outer = MemberName(name[1..close].TrimEnd('$'));
        string rest = name[(close + 1)..].TrimStart('$');
        if (rest.StartsWith("g__", StringComparison.Ordinal))
        {
            string local = rest[3..];
            int bar = local.IndexOf('|', StringComparison.Ordinal);
            return outer + "." + Sanitize(bar < 0 ? local : local[..bar]);
        }
        if (rest.StartsWith("b__", StringComparison.Ordinal)) return outer + ".lambda_" + Sanitize(rest[3..]);
        return rest.Length == 0 ? outer : outer + "." + Sanitize(rest);
    }

    /// <summary>The index of the '&gt;' closing the name's first '&lt;' (names nest: <c>&lt;&lt;Main&gt;$&gt;g__Selu|0_0</c>), or -1.</summary>
    private static int MatchingClose(string name)
    {
        int depth = 0;
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '<') depth++;
            else if (name[i] == '>' && --depth == 0) return i;
        }
        return -1;
    }

    private static string Sanitize(string s)
    {
        Span<char> chars = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        for (int i = 0; i < s.Length; i++) chars[i] = char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_' ? s[i] : '_';
        return new string(chars);
    }
}
