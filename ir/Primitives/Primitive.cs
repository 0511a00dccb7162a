namespace JaxToolchain.Ir;

/// <summary>
/// A primitive operation (JAX's <c>Primitive</c>): its name, its shape/dtype rule and its interpreter kernel.
/// The transformation rules (JVP, transpose, batching) are declared on the same type. Every instance
/// registers itself by name so the parser and passes can find it.
/// </summary>
public abstract class Primitive
{
    /// <summary>Creates and registers a primitive.</summary>
    protected Primitive(string name)
    {
        Name = name;
        PrimitiveRegistry.Register(this);
    }

    /// <summary>The primitive's name, as printed in IR (<c>exp</c>, <c>dot_general</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// The shape/dtype rule: result types from operand types, attributes and regions. Throws
    /// <see cref="JaxTypeException"/> naming the primitive and the offending types when the inputs are invalid.
    /// </summary>
    public abstract IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions);

    /// <summary>The interpreter kernel: computes the results on concrete buffers, dtype-exact.</summary>
    public abstract Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter);

    /// <summary>Raises the standard error for this primitive.</summary>
    protected JaxTypeException Error(string message) => new(Name, message);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>All primitives by name.</summary>
public static class PrimitiveRegistry
{
    private static readonly Dictionary<string, Primitive> ByName = new(StringComparer.Ordinal);
    private static readonly object Gate = new();

    internal static void Register(Primitive primitive)
    {
        lock (Gate)
        {
            if (!ByName.TryAdd(primitive.Name, primitive))
                throw new InvalidOperationException($"primitive '{primitive.Name}' is declared twice");
        }
    }

    /// <summary>Every registered primitive.</summary>
    public static IReadOnlyCollection<Primitive> All
    {
        get
        {
            Prims.EnsureRegistered();
            lock (Gate) return ByName.Values.ToArray();
        }
    }

    /// <summary>Finds a primitive by name.</summary>
    public static bool TryGet(string name, out Primitive primitive)
    {
        Prims.EnsureRegistered();
        lock (Gate) return ByName.TryGetValue(name, out primitive!);
    }

    /// <summary>Finds a primitive by name or throws.</summary>
    public static Primitive Get(string name) =>
        TryGet(name, out var p) ? p : throw new KeyNotFoundException($"unknown primitive '{name}'");
}

/// <summary>
/// The primitive set: one static field per primitive. Each family of primitives adds its fields in its own
/// file (a part of this partial class).
/// </summary>
public static partial class Prims
{
    static Prims()
    {
    }

    /// <summary>Forces every primitive to be created and registered.</summary>
    public static void EnsureRegistered()
    {
    }
}
