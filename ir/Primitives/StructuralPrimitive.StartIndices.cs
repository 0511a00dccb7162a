namespace JaxToolchain.Ir;

public abstract partial class StructuralPrimitive
{
    /// <summary>
    /// The size of a dimension as an integer scalar of <paramref name="dtype"/>: a constant for a static size; for a
    /// symbolic one the sum of ones along it (the IR has no primitive reading a size; the sum is exact once bound).
    /// </summary>
    internal static Value DimensionValue(Emitter emitter, Dim dim, DType dtype) =>
        dim.IsStatic
            ? emitter.Full(ShapedType.Scalar(dtype), dim.Size)
            : emitter.ReduceSum(emitter.Full(new ShapedType(dtype, new Shape([dim])), 1), [0]);

    /// <summary>
    /// The largest start of a window of <paramref name="window"/> elements along an axis of <paramref name="size"/>
    /// (<c>size - window</c>) as an integer scalar; a static bound beyond the dtype's range saturates, which clamps
    /// nothing, as every representable start is below it.
    /// </summary>
    internal static Value LastStart(Emitter emitter, Dim size, Dim window, DType dtype) =>
        size == window ? emitter.Zeros(ShapedType.Scalar(dtype))
        : size.IsStatic && window.IsStatic ? emitter.Full(ShapedType.Scalar(dtype), size.Size - window.Size)
        : emitter.Sub(DimensionValue(emitter, size, dtype), DimensionValue(emitter, window, dtype));

    /// <summary>Start indices (any shape) clamped into <c>[0, size - window]</c>: XLA's clamping of dynamic starts.</summary>
    internal static Value ClampStart(Emitter emitter, Value start, Dim size, Dim window)
    {
        var dtype = start.Type.DType;
        return emitter.Clamp(emitter.Zeros(ShapedType.Scalar(dtype)), start, LastStart(emitter, size, window, dtype));
    }

    /// <summary>
    /// Unsigned start indices limited to the largest value of the signed <paramref name="target"/> dtype they are about
    /// to be converted to, so that a large start (a uint64 at or beyond 2^63) stays a large start, past any end, instead
    /// of wrapping around to a negative one. Other starts are returned as they are.
    /// </summary>
    internal static Value SaturateUnsigned(Emitter emitter, Value start, DType target)
    {
        var dtype = start.Type.DType;
        if (!dtype.IsUnsignedInteger() || dtype.ItemSize() < target.ItemSize()) return start;
        var largest = Buffer.Zeros(dtype, Shape.Scalar);
        largest.SetInt64(0, target.ItemSize() == 8 ? long.MaxValue : (1L << (8 * target.ItemSize() - 1)) - 1);
        return emitter.Min(start, emitter.BroadcastInDim(emitter.Constant(largest), start.Type.Shape, []));
    }

    /// <summary>
    /// The dtype start indices are assembled in: int64 when a start needs 64 bits (or is uint32), else int32 (JAX
    /// promotes narrow index dtypes so that counters along a batch axis fit).
    /// </summary>
    internal static DType StartDType(IEnumerable<DType> starts) =>
        starts.Any(d => d.ItemSize() == 8 || d == DType.UInt32) ? DType.Int64 : DType.Int32;
}

/// <summary>
/// Start indices being assembled for a gather or scatter that a rule emits: one component per indexed operand axis,
/// each an integer array over the index batch dimensions <c>batch</c> with a trailing axis of one; <see cref="Emit"/>
/// joins them along that trailing axis (the index vector dimension).
/// </summary>
internal sealed class StartIndexStack(Emitter emitter, IReadOnlyList<Dim> batch, DType dtype)
{
    private readonly List<Value> _components = [];
    private readonly List<int> _axes = [];

    /// <summary>The operand axis each component starts (the <c>start_index_map</c>).</summary>
    public int[] OperandAxes => [.. _axes];

    /// <summary>The index vector dimension of the emitted indices (the last).</summary>
    public int IndexVectorDim => batch.Count;

    private Shape ComponentShape => new([.. batch, Dim.Of(1)]);

    /// <summary>Starts <paramref name="operandAxis"/> at <c>offset + stride·k</c>, k counting along index batch dimension <paramref name="batchPosition"/>.</summary>
    public void Counter(int operandAxis, int batchPosition, long stride = 1, long offset = 0)
    {
        var type = new ShapedType(dtype, ComponentShape);
        var count = emitter.Iota(dtype, type.Shape, batchPosition);
        if (stride != 1) count = emitter.Mul(count, emitter.Full(type, stride));
        if (offset != 0) count = emitter.Add(count, emitter.Full(type, offset));
        Add(operandAxis, count);
    }

    /// <summary>Starts <paramref name="operandAxis"/> at a constant.</summary>
    public void Constant(int operandAxis, long start) => Add(operandAxis, emitter.Full(new ShapedType(dtype, ComponentShape), start));

    /// <summary>
    /// Starts <paramref name="operandAxis"/> at <paramref name="start"/>, whose axes are index batch dimensions
    /// <paramref name="batchPositions"/> (none for a scalar), clamped first into <c>[0, size - window]</c> when
    /// <paramref name="clampInto"/> is given (a scatter drops windows that do not fit, where the primitive it
    /// implements would clamp).
    /// </summary>
    public void Start(int operandAxis, Value start, int[] batchPositions, (Dim Size, Dim Window)? clampInto = null)
    {
        var converted = emitter.ConvertElementType(StructuralPrimitive.SaturateUnsigned(emitter, start, dtype), dtype);
        if (clampInto is { } c) converted = StructuralPrimitive.ClampStart(emitter, converted, c.Size, c.Window);
        Add(operandAxis, emitter.BroadcastInDim(converted, ComponentShape, batchPositions));
    }

    private void Add(int operandAxis, Value component)
    {
        _components.Add(component);
        _axes.Add(operandAxis);
    }

    /// <summary>The indices: the components joined along the trailing index vector dimension.</summary>
    public Value Emit() =>
        _components.Count == 0
            ? emitter.Zeros(new ShapedType(dtype, new Shape([.. batch, Dim.Of(0)])))
            : emitter.Concatenate(_components, batch.Count);
}
