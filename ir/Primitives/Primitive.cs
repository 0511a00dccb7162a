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
    /// What kind of computation the primitive is: what fusion may group it with, whether its result may take an
    /// operand's buffer, how a backend lowers it. Each family overrides it; a primitive that does not (one declared
    /// outside the core set, such as a test's) is <see cref="PrimitiveCategory.Opaque"/>, which is never fused.
    /// </summary>
    public virtual PrimitiveCategory Category => PrimitiveCategory.Opaque;

    /// <summary>
    /// The shape/dtype rule: result types from operand types, attributes and regions. Throws
    /// <see cref="JaxTypeException"/> naming the primitive and the offending types when the inputs are invalid.
    /// </summary>
    public abstract IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions);

    /// <summary>The interpreter kernel: computes the results on concrete buffers, dtype-exact.</summary>
    public abstract Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter);

    /// <summary>
    /// The JVP rule (forward mode): emits the primal results and their tangents. <paramref name="tangents"/>
    /// holds one tangent per operand, null for a symbolic zero (and always null for integer and bool
    /// operands); the returned tangents are null where they are zero. Rules emit the primal operation with
    /// <see cref="EmitPrimal"/> and keep tangent computations linear in the tangents, so that reverse mode can
    /// transpose them. The default raises "no jvp rule for 'name'".
    /// </summary>
    public virtual (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        throw new MissingRuleException(Name, "jvp");

    /// <summary>
    /// The transpose rule of a primitive that is linear in some operands: given cotangents of its results
    /// (null for zero), returns one cotangent per operand (null for zero, and for operands that are not
    /// linear inputs). <paramref name="operands"/> gives, per operand, either the known (non-linear) value or
    /// only the type of a linear input. The default raises "no transpose rule for 'name'".
    /// </summary>
    public virtual IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        throw new MissingRuleException(Name, "transpose");

    /// <summary>
    /// The batching rule (vmap): operands carry a batch dimension at <paramref name="dims"/>[i] (null for an
    /// unbatched operand); emits the batched computation and returns the results with their batch dimensions
    /// (null for unbatched results). The default raises "no batching rule for 'name'".
    /// </summary>
    public virtual (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions) =>
        throw new MissingRuleException(Name, "batching");

    /// <summary>Emits this primitive on <paramref name="operands"/> (what JVP and batching rules start from).</summary>
    protected IReadOnlyList<Value> EmitPrimal(Emitter emitter, IReadOnlyList<Value> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        emitter.Emit(this, operands, attributes, regions);

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
