using System.Numerics;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>A StableHLO tuple value: our IR has none, so tuples live only in the importer's scope.</summary>
internal sealed record ImportedTuple(IReadOnlyList<object> Elements);

/// <summary>
/// Lowers the operations of one block (a function body or a region) into a block of our IR. Names map to values
/// (or <see cref="ImportedTuple"/>s); each operation is lowered by the rules of its family (the partial files beside
/// this one); results are checked against the types the text declares.
/// </summary>
internal sealed partial class FunctionLowering
{
    private readonly ModuleLowering _module;
    private readonly Block _block;
    private readonly Emitter _e;
    private readonly Dictionary<string, object> _scope = new(StringComparer.Ordinal);
    private readonly List<StableHloCheck>? _checks;
    private readonly List<Value> _checkValues = [];
    private MlirOperation _op = null!;
    private int _checkCount;

    public FunctionLowering(ModuleLowering module, Block block, List<StableHloCheck>? checks)
    {
        _module = module;
        _block = block;
        _e = new Emitter(block);
        _checks = checks;
    }

    public void Bind(string name, object value) => _scope[name] = value;

    /// <summary>Lowers the operations of a region; the terminator's operands become the block's results (then checked values).</summary>
    public void LowerOperations(MlirRegion region, bool isFunctionBody)
    {
        foreach (var op in region.Operations)
        {
            _op = op;
            if (op.Name is "func.return" or "stablehlo.return" or "return")
            {
                var results = op.Operands.Select(Value).ToList();
                if (isFunctionBody && _checks is not null)
                {
                    // Checked values come after the function's own results.
                    int n = results.Count;
                    for (int j = _checks.Count - _checkCount; j < _checks.Count; j++)
                        _checks[j] = _checks[j] with { ActualResult = _checks[j].ActualResult + n, ExpectedResult = _checks[j].ExpectedResult < 0 ? -1 : _checks[j].ExpectedResult + n };
                    results.AddRange(_checkValues);
                }
                _block.SetResults(results);
                return;
            }
            LowerOne(op);
        }
        throw _module.Error(region.Location, null, StableHloImportFailure.Syntax, "the block has no terminator (func.return or stablehlo.return)");
    }

    private void LowerOne(MlirOperation op)
    {
        IReadOnlyList<object> results;
        try
        {
            results = Lower(op);
        }
        catch (StableHloImportException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw Invalid(ex.Message, ex);
        }
        if (results.Count != op.Results.Count)
            throw Invalid($"the operation has {results.Count} results, the text names {op.Results.Count}");
        for (int i = 0; i < results.Count; i++)
        {
            if (i < op.ResultTypes.Count && results[i] is Value v && TypeConversion.TryStatic(op.ResultTypes[i], out var declared)
                && v.Type.Shape.IsStatic && (declared.DType != v.Type.DType || declared.Shape != v.Type.Shape))
                throw Invalid($"result {i} is declared {op.ResultTypes[i]}, but the operation gives {v.Type}");
            _scope[op.Results[i]] = results[i];
        }
    }

    // ---- helpers ----

    private StableHloImportException Invalid(string problem, Exception? inner = null) =>
        _module.Error(_op.Location, _op.Name, StableHloImportFailure.Invalid, problem, inner);

    private StableHloImportException Unsupported(string problem) =>
        _module.Error(_op.Location, _op.Name, StableHloImportFailure.UnsupportedOperation, problem);

    private object Lookup(string name)
    {
        if (_scope.TryGetValue(name, out var v)) return v;
        // '%0' for the first result of a one-result pack written '%0:1'.
        if (_scope.TryGetValue(name + "#0", out v)) return v;
        throw Invalid($"{name} is not defined here");
    }

    private Value Value(string name) => Lookup(name) switch
    {
        Value v => v,
        ImportedSizes sizes => Materialize(name, sizes),
        ImportedShapeCheck check => throw Unsupported($"{name} compares dynamic dimensions' sizes (at {check.Origin.Line}:{check.Origin.Column}), which only a shape assertion may use: our IR cannot read a symbolic size as a value"),
        _ => throw Unsupported($"{name} is a tuple where a tensor is needed"),
    };

    private Value Operand(int i) => i < _op.Operands.Count ? Value(_op.Operands[i]) : throw Invalid($"expected at least {i + 1} operands, got {_op.Operands.Count}");

    private Value[] Operands() => _op.Operands.Select(Value).ToArray();

    private ShapedType ResultType(int i = 0) =>
        i < _op.ResultTypes.Count ? TypeConversion.ToShapedType(_module, _op.ResultTypes[i], _op.Location, _op.Name)
        : throw Invalid($"the operation needs its result type {i} written");

    private MlirAttribute? Attr(params string[] names)
    {
        foreach (var n in names)
            if (_op.Attributes.TryGetValue(n, out var a)) return a;
        return null;
    }

    private MlirAttribute RequiredAttr(params string[] names) => Attr(names) ?? throw Invalid($"missing attribute '{names[0]}'");

    private long[] Ints(MlirAttribute a) => Elements(a).Select(Int).ToArray();

    /// <summary>
    /// A list attribute's elements in order: those of arrays and dense arrays (nested lists flattened) and the scalars of
    /// a dense tensor (a splat repeated to its static type's size); a single integer or bool is a list of one.
    /// </summary>
    private List<MlirAttribute> Elements(MlirAttribute list)
    {
        var items = new List<MlirAttribute>();
        void Flatten(MlirAttribute a)
        {
            switch (a)
            {
                case MlirArrayAttribute arr:
                    arr.Elements.ToList().ForEach(Flatten);
                    break;
                case MlirDenseArrayAttribute arr:
                    arr.Elements.ToList().ForEach(Flatten);
                    break;
                case MlirDenseAttribute { Literal: DenseScalar s, Type: MlirTensorType { Dims: var dims } } when dims.All(d => d is not null):
                    items.AddRange(Enumerable.Repeat(ScalarOf(s), (int)dims.Aggregate(1L, (p, d) => p * d!.Value)));
                    break;
                case MlirDenseAttribute { Literal: var literal }:
                    FlattenLiteral(literal);
                    break;
                case MlirIntAttribute or MlirBoolAttribute:
                    items.Add(a);
                    break;
                default:
                    throw Invalid($"expected a list of integers, got {list}");
            }
        }
        void FlattenLiteral(DenseLiteral literal)
        {
            if (literal is DenseList l) l.Elements.ToList().ForEach(FlattenLiteral);
            else if (literal is DenseScalar s) items.Add(ScalarOf(s));
            else throw Invalid($"expected a list of integers or bools, got {list}");
        }
        static MlirAttribute ScalarOf(DenseScalar s) => s.Text is "true" or "false" ? new MlirBoolAttribute(s.Text == "true") : new MlirIntAttribute(DenseValues.ParseInteger(s.Text));
        Flatten(list);
        return items;
    }

    private long Int(MlirAttribute a) => a switch
    {
        MlirIntAttribute i => (long)i.Value,
        MlirDenseAttribute { Literal: DenseScalar s } => (long)DenseValues.ParseInteger(s.Text),
        _ => throw Invalid($"expected an integer, got {a}"),
    };

    private long[] IntsOr(long[] fallback, params string[] names) => Attr(names) is { } a ? Ints(a) : fallback;

    /// <summary>
    /// An operation with a registered decomposition (<see cref="StableHloDecompositions"/>): our <c>call</c> of the
    /// function it builds for its first <paramref name="operandCount"/> operands (all by default), reading attributes
    /// from <paramref name="extra"/> first (values the importer worked out, such as a constant padding operand's); what it
    /// rejects is an invalid operation at this op's position.
    /// </summary>
    private IReadOnlyList<object> LowerDecomposed(StableHloDecomposition decomposition, int? operandCount = null, params (string Name, object? Value)[] extra) =>
        LowerDecomposed(decomposition, Operands().Take(operandCount ?? int.MaxValue).ToArray(), extra);

    /// <summary>A decomposition's <c>call</c> on operands the importer prepared (see the overload above).</summary>
    private IReadOnlyList<object> LowerDecomposed(StableHloDecomposition decomposition, Value[] operands, params (string Name, object? Value)[] extra)
    {
        var results = Enumerable.Range(0, _op.ResultTypes.Count).Select(i => ResultType(i)).ToArray();
        Function function;
        try
        {
            function = decomposition(operands.Select(o => o.Type).ToArray(), results,
                name => extra.FirstOrDefault(e => e.Name == name) is { Name: not null } e ? e.Value : AttributeValue(name));
        }
        catch (Exception e) when (e is JaxTypeException or ArgumentException or NotSupportedException)
        {
            throw Invalid(e.Message);
        }
        return _e.Emit(Prims.Call, operands, Attributes.Of(("callee", function.Name)), [function.Body]).ToArray();
    }

    /// <summary>
    /// An attribute as a decomposition reads it: a bool, an integer, an enum's word or a structure's text, a list of
    /// integers (<c>long[]</c>: arrays, dense arrays and dense tensors, splats expanded, nested lists flattened), a list of
    /// bools (<c>bool[]</c>), or null.
    /// </summary>
    private object? AttributeValue(string name) => Attr(name) switch
    {
        null => null,
        MlirBoolAttribute b => b.Value,
        MlirIntAttribute i => (long)i.Value,
        MlirStructAttribute { Fields: var f } when f.TryGetValue("$text", out var text) && text is MlirStringAttribute t => t.Value,
        MlirDenseArrayAttribute or MlirArrayAttribute or MlirDenseAttribute => ListValue(Attr(name)!),
        var a => WordOf(a) ?? a.ToString(),
    };

    /// <summary>A list attribute's elements (see <see cref="Elements"/>): <c>bool[]</c> when they are bools, else <c>long[]</c>.</summary>
    private object ListValue(MlirAttribute list)
    {
        var items = Elements(list);
        return items.Count > 0 && items.All(x => x is MlirBoolAttribute)
            ? items.Select(x => ((MlirBoolAttribute)x).Value).ToArray()
            : items.Select(Int).ToArray();
    }

    private static string? WordOf(MlirAttribute? a) => a switch
    {
        MlirWordAttribute w => w.Word,
        MlirStringAttribute s => s.Value,
        _ => null,
    };

    private Value ScalarConstant(DType dtype, double value) => _e.Constant(Buffer.ScalarOf(dtype, value));

    private Value IntConstant(DType dtype, BigInteger value)
    {
        var b = Buffer.Zeros(dtype, Shape.Scalar);
        b.SetInt64(0, unchecked((long)(ulong)(value & ulong.MaxValue)));
        return _e.Constant(b);
    }

    private Value Full(Value like, double value) => _e.BroadcastInDim(ScalarConstant(like.Type.DType, value), like.Type.Shape, []);

    private Value FullInt(Value like, BigInteger value) => _e.BroadcastInDim(IntConstant(like.Type.DType, value), like.Type.Shape, []);

    private IReadOnlyList<object> One(Value v) => [v];

    /// <summary>Lowers one operation (not a terminator) to its results.</summary>
    private IReadOnlyList<object> Lower(MlirOperation op)
    {
        var name = op.Name;
        if (OperationCategories.Collective(name))
            throw _module.Error(op.Location, name, StableHloImportFailure.Collective, "collectives have no counterpart in our IR");
        if (OperationCategories.HostIo(name))
            throw _module.Error(op.Location, name, StableHloImportFailure.HostIo, "host I/O operations have no counterpart in our IR");
        if (name.StartsWith("check.", StringComparison.Ordinal)) return LowerCheck();
        if (LowerOnSizes() is { } sizes) return [sizes];
        if (ElementwiseUnary(name) is { } unary) return One(unary());
        if (ElementwiseBinary(name) is { } binary) return One(binary());
        return name switch
        {
            "stablehlo.constant" => One(LowerConstant()),
            "stablehlo.compare" => One(LowerCompare()),
            "stablehlo.select" => One(LowerSelect()),
            "stablehlo.clamp" => One(LowerClamp()),
            "stablehlo.convert" => One(LowerConvert(Operand(0), ResultType().DType)),
            "stablehlo.bitcast_convert" => One(LowerBitcast()),
            "stablehlo.count_leading_zeros" => One(CountLeadingZeros(Operand(0))),
            "stablehlo.optimization_barrier" => Operands(),
            "stablehlo.tuple" => [new ImportedTuple(op.Operands.Select(Lookup).ToArray())],
            "stablehlo.get_tuple_element" => [GetTupleElement()],
            "stablehlo.iota" => One(LowerIota()),
            "stablehlo.broadcast_in_dim" => One(LowerBroadcastInDim()),
            "stablehlo.reshape" => One(LowerReshape()),
            "stablehlo.transpose" => One(_e.Emit1(Prims.Transpose, [Operand(0)], Attributes.Of(("permutation", Ints(RequiredAttr("permutation", "dims")))))),
            "stablehlo.reverse" => One(_e.Emit1(Prims.Rev, [Operand(0)], Attributes.Of(("dimensions", Ints(RequiredAttr("dimensions", "dims")))))),
            "stablehlo.slice" => One(LowerSlice()),
            "stablehlo.dynamic_slice" => One(LowerDynamicSlice()),
            "stablehlo.dynamic_update_slice" => One(_e.Emit1(Prims.DynamicUpdateSlice, Operands())),
            "stablehlo.pad" => One(LowerPad()),
            "stablehlo.concatenate" => One(LowerConcatenate()),
            "stablehlo.get_dimension_size" => [LowerGetDimensionSize()],
            "stablehlo.real" => One(RealPart()),
            "stablehlo.imag" => One(_e.Full(Operand(0).Type, 0)),
            "stablehlo.dynamic_iota" => One(_e.Iota(ResultType().DType, ShapeOperand(0), (int)Int(RequiredAttr("iota_dimension", "dim")))),
            "stablehlo.dynamic_reshape" => One(_e.Emit1(Prims.Reshape, [Operand(0)], Attributes.Of(("shape", ShapeOperand(1))))),
            "stablehlo.dynamic_broadcast_in_dim" => One(LowerBroadcastInDim(ShapeOperand(1))),
            "stablehlo.dynamic_pad" => One(_e.Pad(Operand(0), Operand(1), ConstantInts(Operand(2)), ConstantInts(Operand(3)), ConstantInts(Operand(4)))),
            "stablehlo.dynamic_gather" => One(LowerGather(ConstantInts(Operand(2)))),
            "chlo.mulhi" => One(MultiplyHigh(Operand(0), Operand(1))),
            "chlo.scan" => LowerScan(),
            "stablehlo.reduce_precision" => One(LowerReducePrecision()),
            "stablehlo.dot_general" => One(LowerDotGeneral()),
            "chlo.ragged_dot" => One(LowerRaggedDot()),
            "stablehlo.dot" => One(LowerDot()),
            "stablehlo.gather" => One(LowerGather(Ints(RequiredAttr("slice_sizes")))),
            "stablehlo.scatter" => One(LowerScatter()),
            "stablehlo.reduce" => LowerReduce(),
            "stablehlo.reduce_window" => LowerReduceWindow(),
            "stablehlo.select_and_scatter" => One(LowerSelectAndScatter()),
            "stablehlo.batch_norm_inference" => One(LowerBatchNormInference()),
            "stablehlo.batch_norm_training" => LowerBatchNormTraining(),
            "stablehlo.batch_norm_grad" => LowerBatchNormGrad(),
            "stablehlo.rng_bit_generator" => LowerRngBitGenerator(),
            "stablehlo.sort" => LowerSort(),
            "chlo.top_k" => LowerTopK(),
            "stablehlo.while" => LowerWhile(),
            "stablehlo.map" => LowerMap(),
            "stablehlo.if" => LowerIf(),
            "stablehlo.case" => LowerCase(),
            "func.call" or "call" => LowerCall(op.Symbol ?? throw Invalid("no callee")),
            "stablehlo.custom_call" => LowerCustomCall(),
            "stablehlo.composite" => LowerCall(Attr("decomposition") is MlirSymbolAttribute s ? s.Name : throw Invalid("no decomposition function")),
            "stablehlo.dynamic_conv" when StableHloDecompositions.Find("stablehlo.convolution") is { } convolution =>
                LowerDecomposed(convolution, 2, ("padding", ConstantInts(Operand(2)))),
            _ when StableHloDecompositions.Find(name) is { } decomposition => LowerDecomposed(decomposition),
            _ when SupportedOperations.FailureFor(name) == StableHloImportFailure.UnsupportedElementType =>
                throw _module.Error(op.Location, name, StableHloImportFailure.UnsupportedElementType, $"unsupported element type: {name} makes or reads complex or quantized values"),
            _ => throw Unsupported($"op not in our primitive set: {name}"),
        };
    }
}
