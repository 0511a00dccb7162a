namespace JaxToolchain.Ir;

/// <summary>
/// The shared rules of the elementwise families: operand counts, equal dtypes and shapes, the dtype kinds a
/// primitive accepts, and weak-type propagation (a result is weak iff all its operands are).
/// </summary>
public abstract class ElementwisePrimitive : Primitive
{
    private protected ElementwisePrimitive(string name) : base(name)
    {
    }

    /// <summary>True when the primitive accepts operands of <paramref name="dtype"/>.</summary>
    public virtual bool Accepts(DType dtype) => true;

    /// <inheritdoc/>
    public sealed override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        // The rule checks the buffers (the eager path calls kernels directly) and gives the result's dtype and shape.
        var types = new ShapedType[operands.Count];
        for (int i = 0; i < types.Length; i++) types[i] = operands[i].Type;
        var type = InferTypes(types, attributes, [])[0];
        var result = ElementwiseKernels.NewResult(type.DType, type.Shape);
        Compute(operands, attributes, result);
        return [result];
    }

    /// <summary>The kernel: writes every element of <paramref name="result"/> from checked operands.</summary>
    private protected abstract void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result);

    /// <summary>Checks the operand count.</summary>
    private protected void CheckArity(IReadOnlyList<ShapedType> operands, int count)
    {
        if (operands.Count != count)
            throw Error($"expects {count} operand{(count == 1 ? "" : "s")}, got {operands.Count}");
    }

    /// <summary>Checks that <paramref name="a"/> and <paramref name="b"/> have the same dtype and the same shape.</summary>
    private protected void CheckSameType(ShapedType a, ShapedType b)
    {
        if (a.DType != b.DType) throw Error($"mismatched dtypes {a} and {b}");
        if (a.Shape != b.Shape) throw Error($"incompatible shapes {a} and {b}");
    }

    /// <summary>Checks that <paramref name="dtype"/> is one the primitive accepts.</summary>
    private protected void CheckAccepted(DType dtype)
    {
        if (!Accepts(dtype)) throw Error($"unsupported dtype {dtype.Name()}");
    }

    /// <summary>An attribute the primitive requires, or a <see cref="JaxTypeException"/> naming it.</summary>
    private protected object Required(Attributes attributes, string name) =>
        attributes.TryGetValue(name, out var value) ? value : throw Error($"missing attribute '{name}'");
}

/// <summary>
/// A unary elementwise primitive (<c>exp</c>, <c>neg</c>, <c>not</c>, ...): the result has the operand's shape and
/// dtype (or bool, for <c>is_finite</c>) and its weakness. Each dtype kind the primitive accepts (floats, integers,
/// bool) has a loop.
/// </summary>
public class UnaryPrimitive : ElementwisePrimitive
{
    private readonly UnaryLoop? _floats, _integers, _bools;
    private readonly bool _boolResult;

    private protected UnaryPrimitive(string name, UnaryLoop? floats, UnaryLoop? integers = null, UnaryLoop? bools = null, bool boolResult = false)
        : base(name)
    {
        _floats = floats;
        _integers = integers;
        _bools = bools;
        _boolResult = boolResult;
    }

    /// <summary>A primitive on floats only.</summary>
    internal static UnaryPrimitive Float<TOp>(string name) where TOp : IFloatUnaryOp => new(name, new FloatUnaryLoop<TOp>());

    /// <summary>A primitive on integers and floats.</summary>
    internal static UnaryPrimitive Number<TOp>(string name) where TOp : IFloatUnaryOp, IIntegerUnaryOp =>
        new(name, new FloatUnaryLoop<TOp>(), new IntegerUnaryLoop<TOp>());

    /// <summary>A primitive on integers only.</summary>
    internal static UnaryPrimitive Integer<TOp>(string name) where TOp : IIntegerUnaryOp => new(name, null, new IntegerUnaryLoop<TOp>());

    /// <summary>A primitive on bool (logical) and integers (bitwise).</summary>
    internal static UnaryPrimitive Logical<TOp>(string name) where TOp : IIntegerUnaryOp, IBoolUnaryOp =>
        new(name, null, new IntegerUnaryLoop<TOp>(), new BoolUnaryLoop<TOp>());

    /// <summary>A float predicate, giving bool (<c>is_finite</c>).</summary>
    internal static UnaryPrimitive FloatPredicate(string name, UnaryLoop loop) => new(name, loop, boolResult: true);

    /// <inheritdoc/>
    public override bool Accepts(DType dtype) => Loop(dtype) is not null;

    private UnaryLoop? Loop(DType dtype) => dtype.IsFloat() ? _floats : dtype.IsInteger() ? _integers : _bools;

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 1);
        var x = operands[0];
        CheckAccepted(x.DType);
        CheckAttributes(attributes);
        // A bool result is a predicate: strong, as compares are.
        return [_boolResult ? new ShapedType(DType.Bool, x.Shape) : x];
    }

    /// <summary>Validates the primitive's attributes (none, unless a subclass takes some).</summary>
    private protected virtual void CheckAttributes(Attributes attributes)
    {
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        LoopFor(operands[0].DType, attributes).Run(operands[0], result);

    /// <summary>The loop that computes the result for an operand dtype and the attributes.</summary>
    private protected virtual UnaryLoop LoopFor(DType dtype, Attributes attributes) =>
        Loop(dtype) ?? throw Error($"unsupported dtype {dtype.Name()}");
}

/// <summary>
/// <c>round</c>: rounds floats to integral values; the <c>rounding_method</c> attribute picks how halves go
/// (0: away from zero, 1: to nearest even), as <c>jax.lax.RoundingMethod</c>.
/// </summary>
public sealed class RoundPrimitive : UnaryPrimitive
{
    /// <summary>The value of <c>rounding_method</c> that rounds halves away from zero.</summary>
    public const long AwayFromZero = 0;

    /// <summary>The value of <c>rounding_method</c> that rounds halves to even.</summary>
    public const long ToNearestEven = 1;

    private static readonly UnaryLoop ToEvenLoop = new FloatUnaryLoop<RoundToEvenOp>();

    internal RoundPrimitive() : base("round", new FloatUnaryLoop<RoundAwayFromZeroOp>())
    {
    }

    private protected override void CheckAttributes(Attributes attributes)
    {
        var method = Required(attributes, "rounding_method");
        if (method is not (AwayFromZero or ToNearestEven))
            throw Error($"rounding_method must be {AwayFromZero} (away from zero) or {ToNearestEven} (to nearest even), got {IrPrinter.FormatAttribute(method)}");
    }

    private protected override UnaryLoop LoopFor(DType dtype, Attributes attributes) =>
        attributes.Int("rounding_method") == ToNearestEven ? ToEvenLoop : base.LoopFor(dtype, attributes);
}

/// <summary>
/// A binary elementwise primitive (<c>add</c>, <c>max</c>, <c>and</c>, <c>shift_left</c>, ...): both operands have the
/// same dtype and shape (no implicit broadcasting or promotion); the result has that type, weak iff both are.
/// </summary>
public sealed class BinaryPrimitive : ElementwisePrimitive
{
    private readonly BinaryLoop? _floats, _integers, _bools;

    private BinaryPrimitive(string name, BinaryLoop? floats, BinaryLoop? integers, BinaryLoop? bools) : base(name)
    {
        _floats = floats;
        _integers = integers;
        _bools = bools;
    }

    /// <summary>A primitive on floats only.</summary>
    internal static BinaryPrimitive Float<TOp>(string name) where TOp : IFloatBinaryOp => new(name, new FloatBinaryLoop<TOp>(), null, null);

    /// <summary>A primitive on floats only with its own loop.</summary>
    internal static BinaryPrimitive Float(string name, BinaryLoop loop) => new(name, loop, null, null);

    /// <summary>A primitive on integers and floats.</summary>
    internal static BinaryPrimitive Number<TOp>(string name) where TOp : IFloatBinaryOp, IIntegerBinaryOp =>
        new(name, new FloatBinaryLoop<TOp>(), new IntegerBinaryLoop<TOp>(), null);

    /// <summary>A primitive on every dtype (bool included).</summary>
    internal static BinaryPrimitive Any<TOp>(string name) where TOp : IFloatBinaryOp, IIntegerBinaryOp, IBoolBinaryOp =>
        new(name, new FloatBinaryLoop<TOp>(), new IntegerBinaryLoop<TOp>(), new BoolBinaryLoop<TOp>());

    /// <summary>A primitive on integers only.</summary>
    internal static BinaryPrimitive Integer<TOp>(string name) where TOp : IIntegerBinaryOp => new(name, null, new IntegerBinaryLoop<TOp>(), null);

    /// <summary>A primitive on bool (logical) and integers (bitwise).</summary>
    internal static BinaryPrimitive Logical<TOp>(string name) where TOp : IIntegerBinaryOp, IBoolBinaryOp =>
        new(name, null, new IntegerBinaryLoop<TOp>(), new BoolBinaryLoop<TOp>());

    /// <inheritdoc/>
    public override bool Accepts(DType dtype) => Loop(dtype) is not null;

    private BinaryLoop? Loop(DType dtype) => dtype.IsFloat() ? _floats : dtype.IsInteger() ? _integers : _bools;

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 2);
        var (x, y) = (operands[0], operands[1]);
        CheckSameType(x, y);
        CheckAccepted(x.DType);
        return [x with { Weak = x.Weak && y.Weak }];
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        Loop(result.DType)!.Run(operands[0], operands[1], result);
}

/// <summary>
/// A comparison (<c>eq ne lt le gt ge</c>): operands of the same dtype (any, bool ordered false &lt; true) and shape;
/// the result is a strong bool array of that shape. Floats compare as IEEE (NaN is unordered).
/// </summary>
public sealed class ComparePrimitive : ElementwisePrimitive
{
    private readonly Action<Buffer, Buffer, Buffer> _run;

    private ComparePrimitive(string name, Action<Buffer, Buffer, Buffer> run) : base(name) => _run = run;

    /// <summary>A comparison primitive.</summary>
    internal static ComparePrimitive Of<TOp>(string name) where TOp : ICompareOp => new(name, new CompareLoop<TOp>().Run);

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 2);
        CheckSameType(operands[0], operands[1]);
        return [new ShapedType(DType.Bool, operands[0].Shape)];
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        _run(operands[0], operands[1], result);
}

/// <summary>
/// <c>select(pred, on_true, on_false)</c>: <c>where(pred, on_true, on_false)</c>. <c>pred</c> is bool, scalar or of
/// the branches' shape; the branches have the same dtype (any) and shape. The result is weak iff both branches are.
/// </summary>
public sealed class SelectPrimitive : ElementwisePrimitive
{
    internal SelectPrimitive() : base("select")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 3);
        var (pred, onTrue, onFalse) = (operands[0], operands[1], operands[2]);
        if (pred.DType != DType.Bool) throw Error($"predicate must be bool, got {pred}");
        CheckSameType(onTrue, onFalse);
        if (pred.Rank != 0 && pred.Shape != onTrue.Shape) throw Error($"incompatible shapes {pred} and {onTrue}");
        return [onTrue with { Weak = onTrue.Weak && onFalse.Weak }];
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        SelectLoop.Run(operands[0], operands[1], operands[2], result);
}

/// <summary>
/// <c>clamp(min, x, max)</c> = <c>min(max(x, min), max)</c>: the bounds have x's dtype and are scalars or of x's
/// shape; the result is like x, weak iff all three operands are. NaN anywhere gives NaN.
/// </summary>
public sealed class ClampPrimitive : ElementwisePrimitive
{
    internal ClampPrimitive() : base("clamp")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 3);
        var (lo, x, hi) = (operands[0], operands[1], operands[2]);
        foreach (var bound in (ReadOnlySpan<ShapedType>)[lo, hi])
        {
            if (bound.DType != x.DType) throw Error($"mismatched dtypes {bound} and {x}");
            if (bound.Rank != 0 && bound.Shape != x.Shape) throw Error($"incompatible shapes {bound} and {x}");
        }
        return [x with { Weak = lo.Weak && x.Weak && hi.Weak }];
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        ClampLoop.Run(operands[0], operands[1], operands[2], result);
}

/// <summary>
/// <c>convert_element_type</c>: converts to the <c>new_dtype</c> attribute's dtype; the result's weakness is the
/// <c>weak_type</c> attribute. Floats to integers truncate toward zero and saturate (NaN gives 0), integers to
/// integers wrap, anything to bool is <c>x != 0</c>, and to floats rounds to nearest even (bfloat16 through
/// float32, as XLA does).
/// </summary>
public sealed class ConvertElementTypePrimitive : ElementwisePrimitive
{
    internal ConvertElementTypePrimitive() : base("convert_element_type")
    {
    }

    /// <summary>The attributes of a conversion to <paramref name="dtype"/>.</summary>
    public static Attributes Params(DType dtype, bool weakType = false) =>
        Attributes.Of(("new_dtype", dtype), ("weak_type", weakType));

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 1);
        if (Required(attributes, "new_dtype") is not DType dtype) throw Error("attribute 'new_dtype' must be a dtype");
        if (Required(attributes, "weak_type") is not bool weak) throw Error("attribute 'weak_type' must be a bool");
        return [new ShapedType(dtype, operands[0].Shape, weak)];
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        ConversionLoop.Run(operands[0], result);
}

/// <summary>
/// <c>bitcast_convert_type</c>: reinterprets the bits as the <c>new_dtype</c> attribute's dtype (little-endian).
/// The same width keeps the shape; a narrower dtype adds a trailing dimension of the width ratio; a wider one
/// consumes a last dimension equal to the ratio. bool only converts to bool. The result is strong.
/// </summary>
public sealed class BitcastConvertTypePrimitive : ElementwisePrimitive
{
    internal BitcastConvertTypePrimitive() : base("bitcast_convert_type")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        CheckArity(operands, 1);
        var x = operands[0];
        if (Required(attributes, "new_dtype") is not DType dtype) throw Error("attribute 'new_dtype' must be a dtype");
        if ((x.DType == DType.Bool || dtype == DType.Bool) && x.DType != dtype)
            throw Error($"cannot bitcast {x} to {dtype.Name()}: bool converts only to bool");
        int from = x.DType.ItemSize(), to = dtype.ItemSize();
        if (from == to) return [new ShapedType(dtype, x.Shape)];
        if (from > to) return [new ShapedType(dtype, new Shape([.. x.Shape, Dim.Of(from / to)]))];
        if (x.Rank == 0 || !x.Shape[^1].IsStatic || x.Shape[^1].Size * from != to)
            throw Error($"cannot bitcast {x} to {dtype.Name()}: the last dimension must be {to / from}");
        return [new ShapedType(dtype, new Shape(x.Shape.Take(x.Rank - 1)))];
    }

    private protected override void Compute(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer result) =>
        operands[0].Bytes.CopyTo(result.Bytes);
}
