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

    /// <inheritdoc/>
    public override PrimitiveCategory Category => PrimitiveCategory.Elementwise;

    /// <summary>True when the primitive accepts operands of <paramref name="dtype"/>.</summary>
    public virtual bool Accepts(DType dtype) => true;

    /// <summary>
    /// The kernel. Splats (scalar broadcasts stored once) are computed as scalars: when every operand is a splat
    /// (or a scalar), the result is a splat; when some are, the arrays are computed chunk by chunk against a small
    /// dense block of each splat's value, so no operand is ever written out in full. Large arrays are split into
    /// ranges computed on all cores (every element is computed exactly as in one pass, so results are identical).
    /// </summary>
    public sealed override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var type = ResultType(operands, attributes);
        if (operands.Any(o => o.IsSplat) && ElementForElement(operands, type) && operands.All(o => o.IsSplat || o.Shape.Rank == 0))
            return [SplatResult(operands, attributes, type)];
        var result = ElementwiseKernels.NewResult(type.DType, type.Shape);
        Run(operands, attributes, type, result);
        return [result];
    }

    /// <summary>
    /// Computes the result into <paramref name="target"/>, an operand (or any buffer) of exactly the result's dtype and
    /// shape that nothing else will read: the interpreter's in-place execution of an operand that dies here. Every
    /// elementwise loop reads element i of each operand before writing element i of the result, so the target may
    /// be one of the operands. Returns <paramref name="target"/>.
    /// </summary>
    public Buffer EvaluateInto(IReadOnlyList<Buffer> operands, Attributes attributes, Buffer target)
    {
        var type = ResultType(operands, attributes);
        if (type.DType != target.DType || type.Shape != target.Shape || target.IsSplat)
            throw new ArgumentException($"{Name}: cannot write a {type} result into {target.Type}");
        Run(operands, attributes, type, target);
        return target;
    }

    // The rule checks the buffers (the eager path calls kernels directly) and gives the result's dtype and shape.
    private ShapedType ResultType(IReadOnlyList<Buffer> operands, Attributes attributes)
    {
        var types = new ShapedType[operands.Count];
        for (int i = 0; i < types.Length; i++) types[i] = operands[i].Type;
        return InferTypes(types, attributes, [])[0];
    }

    /// <summary>True when result element i is computed from element i of each operand (or its one scalar): not a width-changing bitcast.</summary>
    private static bool ElementForElement(IReadOnlyList<Buffer> operands, ShapedType type) =>
        operands.All(o => o.LongLength == type.Shape.ElementCount || o.Shape.Rank == 0);

    private Buffer SplatResult(IReadOnlyList<Buffer> operands, Attributes attributes, ShapedType type)
    {
        var scalars = operands.Select(o => o.IsSplat ? o.Slice(0, 1) : o.Share()).ToArray();
        try
        {
            using var one = ElementwiseKernels.NewResult(type.DType, Shape.Of(1));
            Compute(scalars, attributes, one);
            return Buffer.Splat(one, type.Shape);
        }
        finally
        {
            foreach (var s in scalars) s.Dispose();
        }
    }

    /// <summary>Elements per chunk when splats are computed against: small enough that a chunk of every operand stays in cache.</summary>
    private const int ChunkElements = 8192;

    /// <summary>Arrays at least this long are computed in parallel ranges.</summary>
    private const long ParallelElements = 1 << 18;

    private void Run(IReadOnlyList<Buffer> operands, Attributes attributes, ShapedType type, Buffer result)
    {
        long n = result.LongLength;
        bool splats = operands.Any(o => o.IsSplat);
        if (!ElementForElement(operands, type) || (!splats && (n < ParallelElements || Environment.ProcessorCount == 1)))
        {
            Compute(operands, attributes, result);
            return;
        }
        int block = (int)Math.Min(ChunkElements, n);
        // One dense block per splat, filled with its value once and shared (read-only) by every chunk.
        var blocks = operands.Select(o => o.IsSplat ? DenseBlock(o, block) : null).ToArray();
        try
        {
            int parts = n < ParallelElements ? 1 : Environment.ProcessorCount;
            long per = (n + parts - 1) / parts;
            per = (per + ChunkElements - 1) / ChunkElements * ChunkElements;
            void Range(int part)
            {
                long start = part * per, end = Math.Min(n, start + per);
                var chunk = new Buffer[operands.Count];
                for (long at = start; at < end; at += splats ? block : end - start)
                {
                    int count = (int)Math.Min(splats ? block : end - start, end - at);
                    for (int i = 0; i < chunk.Length; i++)
                        chunk[i] = blocks[i] is { } b ? b.Slice(0, count)
                            : operands[i].Shape.Rank == 0 ? operands[i].Share() : operands[i].Slice(at, count);
                    using var target = result.Slice(at, count);
                    Compute(chunk, attributes, target);
                    foreach (var c in chunk) c.Dispose();
                }
            }
            if (parts == 1) Range(0);
            else Parallel.For(0, (int)((n + per - 1) / per), Range);
        }
        finally
        {
            foreach (var b in blocks) b?.Dispose();
        }
    }

    private static Buffer DenseBlock(Buffer splat, int count)
    {
        var dense = Buffer.Uninitialized(splat.DType, Shape.Of(count));
        int size = splat.DType.ItemSize();
        var value = splat.SplatOrDenseBytes[..size];
        var bytes = dense.Bytes;
        for (int i = 0; i < count; i++) value.CopyTo(bytes.Slice(i * size, size));
        return dense;
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

    /// <summary>
    /// Emits the primitive and the tangent of its result: integer and bool results (comparisons, <c>is_finite</c>,
    /// bitwise ops, conversions to integers) have none (JAX's <c>float0</c>); floating results get
    /// <see cref="Tangent"/>.
    /// </summary>
    public sealed override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var result = EmitPrimal(context.Emitter, primals, attributes, regions)[0];
        var tangent = result.Type.DType.IsFloat() ? Tangent(context.Emitter, primals, tangents, result) : null;
        return ([result], [tangent]);
    }

    /// <summary>
    /// The tangent of a floating-point <paramref name="result"/> given the operands' tangents (null for zero),
    /// linear in them; null when it is zero. The default raises "no jvp rule".
    /// </summary>
    private protected virtual Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result) =>
        throw new MissingRuleException(Name, "jvp");

    /// <summary>True when operand <paramref name="index"/> may stay a scalar beside array operands (select's predicate, clamp's bounds).</summary>
    private protected virtual bool AcceptsScalar(int index) => false;

    /// <summary>
    /// Batches the primitive as JAX's <c>broadcast_batcher</c>: where every batched operand has its batch dimension
    /// at the same place the primitive runs there, otherwise batch dimensions move to the front; unbatched operands
    /// are broadcast along the batch dimension (operands may not broadcast implicitly), except scalars where the
    /// primitive accepts them, and a batched scalar predicate or bound is broadcast to the full batched shape.
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        int count = operands.Count;
        int ExampleRank(int i) => operands[i].Type.Rank - (dims[i] is null ? 0 : 1);
        int rank = Enumerable.Range(0, count).Max(ExampleRank);
        bool IsFull(int i) => ExampleRank(i) == rank;
        var agreed = Enumerable.Range(0, count).Where(i => dims[i] is not null && IsFull(i)).Select(i => dims[i]!.Value).Distinct().ToArray();
        int dim = agreed.Length == 1 ? agreed[0] : 0;
        int full = Enumerable.Range(0, count).First(IsFull);
        var batched = operands[full].Type.Shape.Where((_, axis) => axis != dims[full]).ToList();
        batched.Insert(dim, context.BatchSize);
        var aligned = new Value[count];
        for (int i = 0; i < count; i++)
        {
            var x = operands[i];
            aligned[i] = dims[i] is not int d ? (AcceptsScalar(i) && x.Type.Rank == 0 ? x : context.MoveBatchAxis(x, null, dim))
                : IsFull(i) ? context.MoveBatchAxis(x, d, dim)
                : context.Emitter.BroadcastInDim(x, new Shape(batched), [dim]);
        }
        return (EmitPrimal(context.Emitter, aligned, attributes, regions), [dim]);
    }
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
    private readonly UnaryJvpRule? _jvp;
    private readonly UnaryTransposeRule? _transpose;

    private protected UnaryPrimitive(string name, UnaryLoop? floats, UnaryLoop? integers = null, UnaryLoop? bools = null, bool boolResult = false,
        UnaryJvpRule? jvp = null, UnaryTransposeRule? transpose = null)
        : base(name)
    {
        _floats = floats;
        _integers = integers;
        _bools = bools;
        _boolResult = boolResult;
        _jvp = jvp;
        _transpose = transpose;
    }

    /// <summary>A primitive on floats only, with its JVP rule (and its transpose rule when it is linear).</summary>
    internal static UnaryPrimitive Float<TOp>(string name, UnaryJvpRule? jvp = null, UnaryTransposeRule? transpose = null) where TOp : IFloatUnaryOp =>
        new(name, new FloatUnaryLoop<TOp>(), jvp: jvp, transpose: transpose);

    /// <summary>A primitive on integers and floats, with its JVP rule (and its transpose rule when it is linear).</summary>
    internal static UnaryPrimitive Number<TOp>(string name, UnaryJvpRule? jvp = null, UnaryTransposeRule? transpose = null) where TOp : IFloatUnaryOp, IIntegerUnaryOp =>
        new(name, new FloatUnaryLoop<TOp>(), new IntegerUnaryLoop<TOp>(), jvp: jvp, transpose: transpose);

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

    private protected override Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result) =>
        tangents[0] is not { } g ? null : (_jvp ?? throw new MissingRuleException(Name, "jvp"))(emitter, primals[0], result, g);

    /// <inheritdoc/>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (_transpose is null) return base.Transpose(context, cotangents, operands, attributes, regions);
        return [cotangents[0] is { } ct && operands[0].IsLinear ? _transpose(context.Emitter, ct, operands[0].Type) : null];
    }
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

    internal RoundPrimitive() : base("round", new FloatUnaryLoop<RoundAwayFromZeroOp>(), jvp: ElementwiseRules.Zero)
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
    private readonly BinaryJvpRule? _jvpX, _jvpY;
    private readonly BinaryTransposeRule? _transpose;

    private BinaryPrimitive(string name, BinaryLoop? floats, BinaryLoop? integers, BinaryLoop? bools,
        BinaryJvpRule? jvpX = null, BinaryJvpRule? jvpY = null, BinaryTransposeRule? transpose = null) : base(name)
    {
        _floats = floats;
        _integers = integers;
        _bools = bools;
        _jvpX = jvpX;
        _jvpY = jvpY;
        _transpose = transpose;
    }

    /// <summary>A primitive on floats only, with the JVP parts of its operands.</summary>
    internal static BinaryPrimitive Float<TOp>(string name, BinaryJvpRule? jvpX = null, BinaryJvpRule? jvpY = null) where TOp : IFloatBinaryOp =>
        new(name, new FloatBinaryLoop<TOp>(), null, null, jvpX, jvpY);

    /// <summary>A primitive on floats only with its own loop, with the JVP parts of its operands.</summary>
    internal static BinaryPrimitive Float(string name, BinaryLoop loop, BinaryJvpRule? jvpX = null, BinaryJvpRule? jvpY = null) =>
        new(name, loop, null, null, jvpX, jvpY);

    /// <summary>A primitive on integers and floats, with the JVP parts of its operands (and its transpose rule when it is linear in some).</summary>
    internal static BinaryPrimitive Number<TOp>(string name, BinaryJvpRule? jvpX = null, BinaryJvpRule? jvpY = null, BinaryTransposeRule? transpose = null)
        where TOp : IFloatBinaryOp, IIntegerBinaryOp =>
        new(name, new FloatBinaryLoop<TOp>(), new IntegerBinaryLoop<TOp>(), null, jvpX, jvpY, transpose);

    /// <summary>A primitive on every dtype (bool included), with the JVP parts of its operands.</summary>
    internal static BinaryPrimitive Any<TOp>(string name, BinaryJvpRule? jvpX = null, BinaryJvpRule? jvpY = null)
        where TOp : IFloatBinaryOp, IIntegerBinaryOp, IBoolBinaryOp =>
        new(name, new FloatBinaryLoop<TOp>(), new IntegerBinaryLoop<TOp>(), new BoolBinaryLoop<TOp>(), jvpX, jvpY);

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

    private protected override Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result)
    {
        Value? Part(BinaryJvpRule? rule, Value? g) =>
            g is null ? null : (rule ?? throw new MissingRuleException(Name, "jvp"))(emitter, primals[0], primals[1], result, g);
        return ElementwiseRules.AddTangents(emitter, Part(_jvpX, tangents[0]), Part(_jvpY, tangents[1]));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (_transpose is null) return base.Transpose(context, cotangents, operands, attributes, regions);
        if (cotangents[0] is not { } ct) return [null, null];
        var (x, y) = _transpose(context.Emitter, ct, operands[0], operands[1]);
        return [x, y];
    }
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

    private protected override bool AcceptsScalar(int index) => index == 0;

    /// <summary>The tangent selects the branches' tangents (a zero stands in for a missing one); the predicate has none.</summary>
    private protected override Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result)
    {
        if (tangents[1] is null && tangents[2] is null) return null;
        var type = JvpPass.TangentType(result.Type);
        return emitter.Select(primals[0], tangents[1] ?? emitter.Zeros(type), tangents[2] ?? emitter.Zeros(type));
    }

    /// <summary>Linear in the branches (the predicate known): each linear branch gets the cotangent where it was selected, zero elsewhere.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands[0].IsLinear) throw Error($"transpose needs a known predicate, got a linear {operands[0].Type}");
        if (cotangents[0] is not { } ct) return [null, null, null];
        var (e, pred) = (context.Emitter, operands[0].Value);
        var zeros = e.Zeros(ct.Type);
        return [null, operands[1].IsLinear ? e.Select(pred, ct, zeros) : null, operands[2].IsLinear ? e.Select(pred, zeros, ct) : null];
    }
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

    private protected override bool AcceptsScalar(int index) => index != 1;

    /// <summary>
    /// JAX's clamp JVP: x's tangent where min &lt; x &lt; max, min's where min &gt; x (and min &lt; max), max's where
    /// max &lt; x; a scalar bound's tangent is broadcast to x's shape.
    /// </summary>
    private protected override Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result)
    {
        var e = emitter;
        var x = primals[1];
        Value Full(Value v) => v.Type.Rank == x.Type.Rank ? v : e.BroadcastInDim(v, x.Type.Shape, []);
        var (lo, hi) = (Full(primals[0]), Full(primals[2]));
        Value? Part(Value? g, Func<Value> mask) => g is null ? null : ElementwiseRules.Where(e, mask(), Full(g));
        var fromLo = Part(tangents[0], () => e.And(e.Gt(lo, x), e.Lt(lo, hi)));
        var fromX = Part(tangents[1], () => e.And(e.Gt(x, lo), e.Lt(x, hi)));
        var fromHi = Part(tangents[2], () => e.Lt(hi, x));
        return ElementwiseRules.AddTangents(e, ElementwiseRules.AddTangents(e, fromLo, fromX), fromHi);
    }
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

    /// <summary>Between floats the tangent is converted too (strong); to integers or bool there is none.</summary>
    private protected override Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result) =>
        tangents[0] is { } g ? emitter.ConvertElementType(g, result.Type.DType) : null;

    /// <summary>Linear between floats: the cotangent converts back to the operand's dtype (strong); an integer operand gets none.</summary>
    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var operand = operands[0];
        if (cotangents[0] is not { } ct || !operand.IsLinear || !operand.Type.DType.IsFloat()) return [null];
        if (!ct.Type.DType.IsFloat()) throw Error($"transpose of a conversion from {operand.Type} to {ct.Type}: only conversions between floats are linear");
        return [context.Emitter.ConvertElementType(ct, operand.Type.DType)];
    }
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

    /// <summary>Not differentiable: JAX gives a zero tangent.</summary>
    private protected override Value? Tangent(Emitter emitter, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Value result) => null;

    /// <summary>
    /// Batches elementwise in place, except that a bitcast to a wider dtype consumes the last dimension: a batch
    /// dimension there moves to the front first. (A narrower dtype appends its dimension after the batch dimension.)
    /// </summary>
    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<int?> Dims) Batch(
        BatchContext context, IReadOnlyList<Value> operands, IReadOnlyList<int?> dims, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var x = operands[0];
        int dim = dims[0] ?? throw Error("batching rule called without a batched operand");
        if (attributes.DType("new_dtype").ItemSize() > x.Type.DType.ItemSize() && dim == x.Type.Rank - 1)
        {
            x = context.MoveBatchAxis(x, dim, 0);
            dim = 0;
        }
        return (EmitPrimal(context.Emitter, [x], attributes, regions), [dim]);
    }
}
