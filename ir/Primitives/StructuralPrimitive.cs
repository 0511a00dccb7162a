namespace JaxToolchain.Ir;

/// <summary>
/// Base of the structural primitives (constants, shape changes, slicing, gather/scatter): the checks they share
/// on operand counts, attributes and axis lists, each raising <see cref="JaxTypeException"/> in the primitive's name,
/// and the building blocks of their transformation rules (every structural primitive but <c>constant</c> and
/// <c>iota</c> is linear in its array operands, so its JVP applies it to the tangents).
/// </summary>
public abstract partial class StructuralPrimitive : Primitive
{
    /// <summary>Creates and registers a structural primitive.</summary>
    protected StructuralPrimitive(string name) : base(name) { }

    /// <summary>Throws unless there are exactly <paramref name="count"/> operands.</summary>
    protected void ExpectOperands<T>(IReadOnlyList<T> operands, int count)
    {
        if (operands.Count != count)
            throw Error($"expected {count} operand{(count == 1 ? "" : "s")}, got {operands.Count}");
    }

    /// <summary>A required attribute of type <typeparamref name="T"/>.</summary>
    protected T Required<T>(Attributes attributes, string name)
    {
        if (!attributes.TryGetValue(name, out var v)) throw Error($"missing attribute '{name}'");
        return v is T t ? t : throw Error($"attribute '{name}' must be {AttributeKind(typeof(T))}, got {IrPrinter.FormatAttribute(v)}");
    }

    /// <summary>An optional attribute of type <typeparamref name="T"/>, or <paramref name="fallback"/> when absent.</summary>
    protected T Optional<T>(Attributes attributes, string name, T fallback) =>
        attributes.ContainsKey(name) ? Required<T>(attributes, name) : fallback;

    private static string AttributeKind(Type t) =>
        t == typeof(long[]) ? "an integer list" : t == typeof(long) ? "an integer" : t == typeof(double) ? "a float"
        : t == typeof(Shape) ? "a shape" : t == typeof(Buffer) ? "a dense constant" : t == typeof(DType) ? "a dtype"
        : t == typeof(string) ? "a string" : t.Name;

    /// <summary>
    /// An axis-list attribute checked against a rank: every entry in <c>[0, rank)</c>, no repeats, and (when
    /// <paramref name="sorted"/>) strictly increasing. <paramref name="context"/> says what the rank is of.
    /// </summary>
    protected int[] Axes(Attributes attributes, string name, int rank, string context, bool sorted = false)
    {
        var axes = Required<long[]>(attributes, name);
        for (int i = 0; i < axes.Length; i++)
        {
            if (axes[i] < 0 || axes[i] >= rank)
                throw Error($"{name} {Format(axes)} out of range for {context}");
            for (int j = 0; j < i; j++)
                if (axes[j] == axes[i])
                    throw Error($"{name} {Format(axes)} repeats axis {axes[i]} of {context}");
            if (sorted && i > 0 && axes[i] < axes[i - 1])
                throw Error($"{name} {Format(axes)} must be sorted for {context}");
        }
        return axes.Select(a => (int)a).ToArray();
    }

    /// <summary>An integer-list attribute with one entry per dimension of <paramref name="x"/>.</summary>
    protected long[] PerDimension(Attributes attributes, string name, ShapedType x)
    {
        var v = Required<long[]>(attributes, name);
        if (v.Length != x.Rank) throw Error($"{name} {Format(v)} must have {x.Rank} entries for {x}");
        return v;
    }

    /// <summary>Throws unless <paramref name="t"/> is an integer dtype; <paramref name="what"/> names the operand.</summary>
    protected void ExpectInteger(ShapedType t, string what)
    {
        if (!t.DType.IsInteger()) throw Error($"{what} must have an integer dtype, got {t}");
    }

    /// <summary>An integer list as printed in IR (<c>[0, 1]</c>).</summary>
    protected static string Format(long[] values) => IrPrinter.FormatAttribute(values);

    /// <summary>A shape as printed in IR attributes (<c>&lt;4,2&gt;</c>).</summary>
    protected static string Format(Shape shape) => IrPrinter.FormatAttribute(shape);

    /// <summary>Checks that operands from <paramref name="first"/> on are one integer scalar start index per axis of <paramref name="x"/>.</summary>
    protected void CheckStartIndices(IReadOnlyList<ShapedType> operands, int first, ShapedType x)
    {
        if (operands.Count - first != x.Rank)
            throw Error($"expected {x.Rank} start indices for {x}, got {operands.Count - first}");
        for (int k = first; k < operands.Count; k++)
            if (operands[k].Rank != 0 || !operands[k].DType.IsInteger())
                throw Error($"start index {k - first} must be an integer scalar, got {operands[k]}");
    }

    /// <summary>
    /// The start indices read from operands <paramref name="first"/>..., each clamped into
    /// <c>[0, dims[d] - window[d]]</c> so the window lies inside the array (XLA's dynamic slice semantics).
    /// </summary>
    protected static long[] ClampedStarts(IReadOnlyList<Buffer> operands, int first, ReadOnlySpan<int> dims, ReadOnlySpan<int> window)
    {
        var starts = new long[dims.Length];
        for (int d = 0; d < starts.Length; d++)
            starts[d] = Math.Clamp(IndexAt(operands[first + d], 0), 0, dims[d] - window[d]);
        return starts;
    }

    /// <summary>Element <paramref name="i"/> of an integer index buffer as a long (uint64 values beyond long's range saturate).</summary>
    internal static long IndexAt(Buffer indices, int i)
    {
        long v = indices.GetInt64(i);
        return indices.DType == DType.UInt64 && v < 0 ? long.MaxValue : v;
    }

    /// <summary>The static sizes of a type as ints; throws (in this primitive's name) when a dimension is symbolic.</summary>
    protected int[] StaticDims(ShapedType t) =>
        t.Shape.IsStatic ? t.Shape.IntSizes : throw Error($"needs a static shape here, got {t}");

    /// <summary>The result types of the operands' concrete buffers, checked by <see cref="Primitive.InferTypes"/>.</summary>
    protected ShapedType InferFrom(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions) =>
        InferTypes(operands.Select(b => b.Type).ToArray(), attributes, regions)[0];

    /// <summary>
    /// A new buffer of <paramref name="type"/> whose element at multi-index <c>i</c> is
    /// <c>x[offset + Σ i_k·srcStrides_k]</c> (a transpose, broadcast, reversal or slice of x).
    /// </summary>
    protected static Buffer[] CopyOut(ShapedType type, Buffer x, int offset, int[] srcStrides)
    {
        // A splat or a single element copied anywhere is a splat of the same value: nothing is written out.
        if ((x.IsSplat || x.LongLength == 1) && type.Shape.ElementCount > 1)
        {
            using var element = x.IsSplat ? x.Slice(0, 1) : x.Share();
            return [Buffer.Splat(element, type.Shape)];
        }
        var result = Allocate(type);
        var dims = result.Dims;
        StridedCopy.Copy(x, offset, srcStrides, result, 0, Strides.RowMajor(dims), dims);
        return [result];
    }

    /// <summary>A new zeroed buffer of a result type.</summary>
    protected static Buffer Allocate(ShapedType type) => Buffer.Zeros(type.DType, type.Shape);

    /// <summary>The offset of a multi-index under strides (as longs, so out-of-range starts do not overflow).</summary>
    protected static int Offset(ReadOnlySpan<long> index, ReadOnlySpan<int> strides)
    {
        long flat = 0;
        for (int i = 0; i < index.Length; i++) flat += index[i] * strides[i];
        return checked((int)flat);
    }

    // ---- building blocks of the transformation rules ----

    /// <summary>
    /// The JVP of an operation linear in its first operand whose other operands are start indices (no tangents):
    /// the primal operation, and the operation applied to the tangent with <paramref name="tangentAttributes"/>
    /// (the primal attributes when null).
    /// </summary>
    protected (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) JvpOfFirstOperand(JvpContext context,
        IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, Attributes? tangentAttributes = null)
    {
        var outputs = EmitPrimal(context.Emitter, primals, attributes, []);
        var tangent = tangents[0] is { } t ? context.Emitter.Emit1(this, [t, .. primals.Skip(1)], tangentAttributes ?? attributes) : null;
        return (outputs, [tangent]);
    }

    /// <summary>
    /// The JVP of an operation linear in all of its operands jointly up to <paramref name="linearCount"/> (the rest
    /// are start indices): the operation applied to the tangents, symbolic zeros instantiated.
    /// </summary>
    protected (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) JvpOfLinearOperands(JvpContext context,
        IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, int linearCount)
    {
        var e = context.Emitter;
        var outputs = EmitPrimal(e, primals, attributes, []);
        var operands = primals.Select((p, i) => i < linearCount ? TangentOrZeros(e, p, tangents[i]) : p).ToArray();
        return (outputs, [e.Emit1(this, operands, attributes)]);
    }

    /// <summary>The tangent of a value, zeros of its (strong) tangent type for a symbolic zero.</summary>
    protected static Value TangentOrZeros(Emitter emitter, Value primal, Value? tangent) =>
        tangent ?? emitter.Zeros(JvpPass.TangentType(primal.Type));

    /// <summary>Zeros of a type made strong (cotangents are strongly typed).</summary>
    protected static Value StrongZeros(Emitter emitter, ShapedType type) => emitter.Zeros(type with { Weak = false });

    /// <summary>
    /// Axes (or result positions) of an unbatched value renumbered for the batched value, whose batch axis was
    /// inserted at <paramref name="batchDim"/>.
    /// </summary>
    protected static int[] ShiftPast(IEnumerable<int> axes, int batchDim) => axes.Select(a => a >= batchDim ? a + 1 : a).ToArray();

    /// <summary><paramref name="values"/> with <paramref name="value"/> inserted at <paramref name="index"/>.</summary>
    protected static long[] InsertAt(long[] values, int index, long value) => [.. values[..index], value, .. values[index..]];

    /// <summary>A batching rule's answer: one result, batched along <paramref name="dim"/>.</summary>
    protected static (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) BatchedAt(Value result, int dim) => ([result], [dim]);
}

/// <summary>
/// A structural primitive linear in its first operand whose other operands (if any) are start indices, which carry
/// no tangent: its JVP applies it to the tangent (JAX's <c>deflinear</c>).
/// </summary>
public abstract class LinearStructuralPrimitive : StructuralPrimitive
{
    /// <summary>Creates and registers the primitive.</summary>
    protected LinearStructuralPrimitive(string name) : base(name) { }

    /// <summary>Linear: the tangent goes through the same operation (with the same start indices).</summary>
    public sealed override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions) =>
        JvpOfFirstOperand(context, primals, tangents, attributes);
}
