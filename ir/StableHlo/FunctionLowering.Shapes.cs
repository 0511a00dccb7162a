namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// An integer scalar or 1-D tensor of dimension sizes, some symbolic (built from <c>get_dimension_size</c> of a dynamic
/// dim): it lives in the importer's scope, as the shape operand of the <c>dynamic_*</c> ops; used as a value it is
/// materialized (<see cref="FunctionLowering"/>'s <c>Materialize</c>).
/// </summary>
/// <param name="Sizes">The sizes (one for a scalar).</param>
/// <param name="IsScalar">True for a rank-0 size (what get_dimension_size gives), false for a 1-D shape tensor.</param>
/// <param name="DType">The integer element type.</param>
/// <param name="Origin">Where the first symbolic size was read.</param>
internal sealed record ImportedSizes(IReadOnlyList<Dim> Sizes, bool IsScalar, DType DType, MlirLocation Origin);

/// <summary>A predicate on dynamic dims' sizes (what JAX's shape assertions test): only a shape assertion may use it.</summary>
/// <param name="Origin">Where the comparison is.</param>
internal sealed record ImportedShapeCheck(MlirLocation Origin);

/// <summary>
/// Dynamic dims: the equalities StableHLO requires between the dims of operands (unified, see
/// <see cref="ModuleLowering.Unify"/>), and shape operands evaluated to static or symbolic dims.
/// </summary>
internal sealed partial class FunctionLowering
{
    /// <summary>Unifies the dims of two values that StableHLO requires to have one shape (ranks must agree).</summary>
    private void UnifyShapes(Value a, Value b)
    {
        if (a.Type.Rank != b.Type.Rank) return;
        for (int d = 0; d < a.Type.Rank; d++) UnifyDims(a.Type.Shape[d], b.Type.Shape[d]);
    }

    /// <summary>Unifies two dims StableHLO requires to be equal; lowering restarts when that binds a symbol.</summary>
    private void UnifyDims(Dim a, Dim b)
    {
        if (_module.Unify(a, b)) throw new SymbolsUnified();
    }

    /// <summary>Unifies the shapes of the non-scalar operands among <paramref name="values"/> (select's predicate, clamp's bounds).</summary>
    private void UnifyNonScalar(params Value[] values)
    {
        var shaped = values.Where(v => v.Type.Rank > 0).ToArray();
        for (int k = 1; k < shaped.Length; k++) UnifyShapes(shaped[0], shaped[k]);
    }

    /// <summary>The sizes an operand holds when it is a shape tensor of the importer's (null for an ordinary value).</summary>
    private ImportedSizes? SizesOf(string name) => Lookup(name) as ImportedSizes;

    /// <summary>
    /// A value of <see cref="ImportedSizes"/> used as a value (jnp.mean over a polymorphic axis divides by its size): a
    /// constant where every size is static; a symbolic size is read from a vector of that many ones, summed (our IR has
    /// no op that reads a size; a call specialises the dim to its arguments, so backends see a constant-shaped sum).
    /// </summary>
    private Value Materialize(string name, ImportedSizes sizes)
    {
        if (sizes.Sizes.All(d => d.IsStatic))
        {
            var shape = sizes.IsScalar ? Shape.Scalar : Shape.Of(sizes.Sizes.Count);
            var b = Buffer.Zeros(sizes.DType, shape);
            for (int i = 0; i < sizes.Sizes.Count; i++) b.SetInt64(i, sizes.Sizes[i].Size);
            return _e.Constant(b);
        }
        var parts = sizes.Sizes.Select(d => d.IsStatic ? IntConstant(sizes.DType, d.Size) : ReadSize(d, sizes.DType)).ToArray();
        return sizes.IsScalar ? parts[0] : _e.Concatenate([.. parts.Select(p => _e.Reshape(p, Shape.Of(1)))], 0);
    }

    /// <summary>A symbolic dim's size as an integer scalar of the dtype: the int64 sum of a vector of ones of that length.</summary>
    private Value ReadSize(Dim dim, DType dtype)
    {
        var ones = _e.BroadcastInDim(IntConstant(DType.Int64, 1), new Shape([dim]), []);
        var size = _e.ReduceSum(ones, [0]);
        return dtype == DType.Int64 ? size : _e.ConvertElementType(size, dtype);
    }

    /// <summary><c>get_dimension_size</c>: a constant for a static dim, the symbolic size otherwise.</summary>
    private object LowerGetDimensionSize()
    {
        var x = Operand(0);
        long d = Int(RequiredAttr("dimension", "dim"));
        if (d < 0 || d >= x.Type.Rank) throw Invalid($"dimension {d} is out of range for {x.Type}");
        var dim = x.Type.Shape[(int)d];
        var dtype = _op.ResultTypes.Count > 0 && TypeConversion.TryStatic(_op.ResultTypes[0], out var t) ? t.DType : DType.Int32;
        if (dim.IsStatic) return IntConstant(dtype, dim.Size);
        return new ImportedSizes([dim], true, dtype, _op.Location);
    }

    /// <summary>
    /// The ops that build shape tensors (reshape, broadcast_in_dim to one element, convert, concatenate, add and
    /// multiply by a static 0/1) applied to sizes of the importer's: the sizes they give, or null when no operand is one
    /// or the result is no shape tensor (a float, symbolic arithmetic such as n * 4): then the op is lowered on values.
    /// </summary>
    private object? LowerOnSizes()
    {
        if (_op.Operands.Count == 0 || !_op.Operands.Any(n => Lookup(n) is ImportedSizes or ImportedShapeCheck)) return null;
        if (_op.Operands.Any(n => Lookup(n) is ImportedShapeCheck))
            return _op.Name is "stablehlo.and" or "stablehlo.or" or "stablehlo.not" ? new ImportedShapeCheck(_op.Location) : null;
        switch (_op.Name)
        {
            case "stablehlo.reshape" or "stablehlo.broadcast_in_dim" or "stablehlo.convert":
                {
                    var s = SizesOf(_op.Operands[0])!;
                    var type = _op.ResultTypes.Count > 0 ? _op.ResultTypes[0] as MlirTensorType : null;
                    var dtype = type is null ? null : DenseValues.ElementType(type.ElementType);
                    // Anything but a shape tensor of sizes (a float, a broadcast to several elements) is a value: lowered as usual.
                    if (type is null || type.Dims.Length > 1 || (type.Dims.Length == 1 && type.Dims[0] != s.Sizes.Count) || dtype is { } d && !d.IsInteger())
                        return null;
                    return s with { IsScalar = type.Dims.Length == 0, DType = dtype ?? s.DType };
                }
            case "stablehlo.concatenate":
                {
                    var parts = new List<Dim>();
                    ImportedSizes? first = null;
                    foreach (var n in _op.Operands)
                    {
                        if (SizesOf(n) is { } s)
                        {
                            first ??= s;
                            parts.AddRange(s.Sizes);
                        }
                        else parts.AddRange(ShapeInts(Value(n)).Select(Dim.Of));
                    }
                    return first! with { Sizes = parts, IsScalar = false };
                }
            case "stablehlo.multiply" or "stablehlo.add":
                {
                    bool multiply = _op.Name == "stablehlo.multiply";
                    var a = SizesOf(_op.Operands[0]);
                    var b = SizesOf(_op.Operands[1]);
                    var sizes = a ?? b!;
                    var other = a is null ? _op.Operands[0] : b is null ? _op.Operands[1] : null;
                    long[]? otherInts = other is null ? [] : TryConstantInts(Value(other));
                    if (otherInts is null) return null;
                    var result = new List<Dim>();
                    for (int i = 0; i < sizes.Sizes.Count; i++)
                    {
                        Dim x = (a ?? b)!.Sizes[i];
                        Dim y = other is null ? (b ?? a)!.Sizes[i] : Dim.Of(otherInts.Length == 1 ? otherInts[0] : otherInts[i]);
                        Dim? sum = (x.IsStatic, y.IsStatic) switch
                        {
                            (true, true) => Dim.Of(multiply ? x.Size * y.Size : x.Size + y.Size),
                            (false, true) when y.Size == (multiply ? 1 : 0) => x,
                            (true, false) when x.Size == (multiply ? 1 : 0) => y,
                            _ => null,
                        };
                        // Our shapes have no symbolic arithmetic (n * 4): the result is a value, lowered as usual.
                        if (sum is not { } dim) return null;
                        result.Add(dim);
                    }
                    return sizes with { Sizes = result };
                }
            case "stablehlo.compare" or "stablehlo.and" or "stablehlo.or" or "stablehlo.not":
                return new ImportedShapeCheck(_op.Location);
            default:
                return null;
        }
    }

    /// <summary>The integers of a value computed from constants alone (through reshape, convert and concatenate).</summary>
    private long[] ShapeInts(Value v)
    {
        if (TryConstantInts(v) is { } ints) return ints;
        throw Unsupported($"op not in our primitive set: {_op.Name} with a shape operand that cannot be evaluated (it must be built from get_dimension_size, constants, reshape, convert and concatenate)");
    }

    private static long[]? TryConstantInts(Value v)
    {
        if (v.Definer is not { } def) return null;
        if (def.Primitive == Prims.Constant)
        {
            var b = def.Attributes.Buffer("value");
            return Enumerable.Range(0, (int)b.LongLength).Select(i => b.GetInt64(i)).ToArray();
        }
        if (def.Primitive == Prims.Reshape || def.Primitive == Prims.ConvertElementType) return TryConstantInts(def.Operands[0]);
        if (def.Primitive == Prims.BroadcastInDim && def.Operands[0].Type.Rank == 0 && v.Type.Shape.IsStatic)
            return TryConstantInts(def.Operands[0]) is [long x] ? Enumerable.Repeat(x, (int)v.Type.Shape.Select(d => d.Size).Aggregate(1L, (p, n) => p * n)).ToArray() : null;
        if (def.Primitive == Prims.Concatenate)
        {
            var parts = def.Operands.Select(TryConstantInts).ToArray();
            return parts.All(p => p is not null) ? parts.SelectMany(p => p!).ToArray() : null;
        }
        return null;
    }

    /// <summary>
    /// The shape a dynamic_* op's shape operand gives (symbolic where it holds a dynamic dim's size); a declared static
    /// result type stands when the operand cannot be evaluated.
    /// </summary>
    private Shape ShapeOperand(int i)
    {
        if (i >= _op.Operands.Count) throw Invalid($"expected at least {i + 1} operands, got {_op.Operands.Count}");
        if (SizesOf(_op.Operands[i]) is { } sizes) return new Shape(sizes.Sizes);
        if (TryConstantInts(Value(_op.Operands[i])) is { } ints) return Shape.Of(ints);
        var declared = ResultType();
        if (declared.Shape.IsStatic) return declared.Shape;
        throw Unsupported($"op not in our primitive set: {_op.Name} with a shape operand that cannot be evaluated (it must be built from get_dimension_size, constants, reshape, convert and concatenate)");
    }

    /// <summary>
    /// <c>custom_call</c>: JAX's <c>@shape_assertion</c> (a check that the dynamic dims' sizes meet the shape
    /// specification, which the arguments of a call decide) is dropped; a target with a registered decomposition
    /// (<c>stablehlo.custom_call:TARGET</c>: the LAPACK calls JAX's CPU lowering of linear algebra emits, where our
    /// linear algebra covers them) is called with the integer entries of its <c>mhlo.backend_config</c> (<c>uplo</c>,
    /// <c>mode</c>, ...) as attributes; <c>@Sharding</c> (a sharding annotation) is its operand on our one device; any
    /// other target is unsupported.
    /// </summary>
    private IReadOnlyList<object> LowerCustomCall()
    {
        var target = _op.Symbol ?? (Attr("call_target_name") is MlirStringAttribute s ? s.Value : "");
        if (target != "shape_assertion" && StableHloDecompositions.Find("stablehlo.custom_call:" + target) is { } decomposition)
        {
            var config = Attr("mhlo.backend_config") is MlirDictionaryAttribute d
                ? d.Entries.Where(e => e.Value is MlirIntAttribute).Select(e => (e.Key, (object?)(long)((MlirIntAttribute)e.Value).Value)).ToArray()
                : [];
            return LowerDecomposed(decomposition, Operands(), config);
        }
        if (target == "Sharding")
        {
            // A sharding annotation (jax.lax.with_sharding_constraint, pjit code): on one device, the operand itself.
            if (_op.Operands.Count != 1 || _op.Results.Count != 1) throw Invalid("a sharding annotation takes one operand and has one result");
            return [Operand(0)];
        }
        if (target != "shape_assertion") throw Unsupported($"op not in our primitive set: stablehlo.custom_call @{target}");
        if (_op.Results.Count != 0) throw Invalid("a shape assertion has no results");
        return [];
    }
}
