namespace JaxToolchain.Ir.StableHlo;

/// <summary>The per-primitive writers: elementwise, structural and reductions (control flow in <c>FunctionWriter.Control.cs</c>).</summary>
internal sealed partial class FunctionWriter
{
    /// <summary>Primitives written as one StableHLO unary operation of the same name (ours → theirs).</summary>
    private static readonly Dictionary<string, string> UnaryOps = new(StringComparer.Ordinal)
    {
        ["neg"] = "negate",
        ["floor"] = "floor",
        ["ceil"] = "ceil",
        ["exp"] = "exponential",
        ["log"] = "log",
        ["log1p"] = "log_plus_one",
        ["expm1"] = "exponential_minus_one",
        ["sqrt"] = "sqrt",
        ["rsqrt"] = "rsqrt",
        ["cbrt"] = "cbrt",
        ["sin"] = "sine",
        ["cos"] = "cosine",
        ["tan"] = "tan",
        ["tanh"] = "tanh",
        ["logistic"] = "logistic",
        ["not"] = "not",
        ["population_count"] = "popcnt",
    };

    /// <summary>Functions StableHLO lacks, written as <c>chlo</c> operations (as JAX lowers them).</summary>
    private static readonly Dictionary<string, string> ChloOps = new(StringComparer.Ordinal)
    {
        ["erf"] = "erf",
        ["erfc"] = "erfc",
        ["erfinv"] = "erf_inv",
        ["lgamma"] = "lgamma",
        ["digamma"] = "digamma",
        ["nextafter"] = "next_after",
    };

    /// <summary>Binary primitives whose StableHLO operation has our semantics for every dtype we accept.</summary>
    private static readonly Dictionary<string, string> BinaryOps = new(StringComparer.Ordinal)
    {
        ["add"] = "add",
        ["sub"] = "subtract",
        ["mul"] = "multiply",
        ["pow"] = "power",
        ["atan2"] = "atan2",
        ["and"] = "and",
        ["or"] = "or",
        ["xor"] = "xor",
        // IEEE-754 maximum/minimum: NaN propagates, as ours (and XLA's CPU backend) does.
        ["max"] = "maximum",
        ["min"] = "minimum",
    };

    private static readonly Dictionary<string, string> CompareOps = new(StringComparer.Ordinal)
    {
        ["eq"] = "EQ",
        ["ne"] = "NE",
        ["lt"] = "LT",
        ["le"] = "LE",
        ["gt"] = "GT",
        ["ge"] = "GE",
    };

    private static readonly Dictionary<string, (string Op, bool IsMax)> ReduceOps = new(StringComparer.Ordinal)
    {
        ["reduce_sum"] = ("add", false),
        ["reduce_prod"] = ("multiply", false),
        ["reduce_max"] = ("maximum", true),
        ["reduce_min"] = ("minimum", false),
        ["reduce_and"] = ("and", false),
        ["reduce_or"] = ("or", false),
    };

    /// <summary>Every primitive name the writer maps.</summary>
    internal static readonly HashSet<string> Mapped = new(
        UnaryOps.Keys.Concat(ChloOps.Keys).Concat(BinaryOps.Keys).Concat(CompareOps.Keys).Concat(ReduceOps.Keys).Concat(
        [
            "abs", "sign", "exp2", "round", "is_finite", "div", "rem", "shift_left", "shift_right_logical",
            "shift_right_arithmetic", "select", "clamp", "convert_element_type", "bitcast_convert_type", "stop_gradient",
            "constant", "iota", "broadcast_in_dim", "reshape", "transpose", "squeeze", "expand_dims", "rev", "pad",
            "concatenate", "slice", "dynamic_slice", "dynamic_update_slice", "gather", "scatter", "scatter_add",
            "argmax", "argmin", "cumsum", "cumprod", "cummax", "cummin", "sort", "dot_general",
            "cond", "while", "scan", "custom_jvp_call", "custom_vjp_call", "checkpoint", "call", "fusion",
        ]), StringComparer.Ordinal);

    private IReadOnlyList<HloValue> WriteOperation(Operation op)
    {
        var name = op.Primitive.Name;
        var a = op.Attributes;
        var x = op.Operands.Select(Get).ToArray();
        var result = op.Results.Count == 1 ? op.Results[0].Type : null;
        if (UnaryOps.TryGetValue(name, out var unary)) return [Unary(unary, x[0])];
        if (ChloOps.TryGetValue(name, out var chlo)) return [Chlo(chlo, x)];
        if (BinaryOps.TryGetValue(name, out var binary)) return [Binary(binary, x[0], x[1])];
        if (CompareOps.TryGetValue(name, out var direction)) return [Compare(direction, x[0], x[1])];
        if (ReduceOps.TryGetValue(name, out var reduce)) return [Reduction(x[0], reduce.Op, name, a.IntArray("axes"))];
        return name switch
        {
            "abs" => [x[0].Type.DType.IsUnsignedInteger() ? x[0] : Unary("abs", x[0])],
            "sign" => [Sign(x[0])],
            // exp2(x) = exp(x * ln 2), as JAX lowers it.
            "exp2" => [Unary("exponential", Binary("multiply", x[0], SplatLike(x[0], Math.Log(2))))],
            "round" => [Unary(a.Int("rounding_method") == 0 ? "round_nearest_afz" : "round_nearest_even", x[0])],
            "is_finite" => [Emit1($"stablehlo.is_finite {x[0].Ref} : ({Ty(x[0].Type)}) -> {TensorType(DType.Bool, x[0].Type.Shape)}", x[0].Type with { DType = DType.Bool, Weak = false })],
            "div" => [Divide(x[0], x[1])],
            "rem" => [Remainder(x[0], x[1])],
            "shift_left" or "shift_right_logical" or "shift_right_arithmetic" => [Shift(name, x[0], x[1])],
            "select" => [Select(x[0], x[1], x[2])],
            "clamp" => [Emit1($"stablehlo.clamp {x[0].Ref}, {x[1].Ref}, {x[2].Ref} : ({Types(x)}) -> {Ty(x[1].Type)}", x[1].Type with { Weak = false })],
            "convert_element_type" => [ConvertElementType(x[0], a.DType("new_dtype"))],
            "bitcast_convert_type" => [Emit1($"stablehlo.bitcast_convert {x[0].Ref} : ({Ty(x[0].Type)}) -> {Ty(result!)}", result!)],
            "stop_gradient" => [x[0]],
            "constant" => [Constant(a.Buffer("value"))],
            "iota" => [Iota(a.DType("dtype"), a.Shape("shape"), (int)a.Int("dimension"))],
            "broadcast_in_dim" => [Broadcast(x[0], a.Shape("shape"), a.IntArray("broadcast_dimensions"))],
            "reshape" or "squeeze" or "expand_dims" => [Reshape(x[0], result!.Shape)],
            "transpose" => [Emit1($"stablehlo.transpose {x[0].Ref}, dims = [{Ints(a.Ints("permutation"))}] : ({Ty(x[0].Type)}) -> {Ty(result!)}", result!)],
            "rev" => [Emit1($"stablehlo.reverse {x[0].Ref}, dims = [{Ints(a.Ints("dimensions"))}] : {Ty(x[0].Type)}", result!)],
            "pad" => [Emit1($"stablehlo.pad {x[0].Ref}, {x[1].Ref}, low = [{Ints(a.Ints("low"))}], high = [{Ints(a.Ints("high"))}], interior = [{Ints(a.Ints("interior"))}] : ({Types(x)}) -> {Ty(result!)}", result!)],
            "concatenate" => [Emit1($"stablehlo.concatenate {Refs(x)}, dim = {a.Int("dimension")} : ({Types(x)}) -> {Ty(result!)}", result!)],
            "slice" => [Slice(x[0], a, result!)],
            "dynamic_slice" => [DynamicSlice(x[0], x[1..], a.Ints("slice_sizes"), result!)],
            "dynamic_update_slice" => [DynamicUpdateSlice(x[0], x[1], x[2..])],
            "gather" => [Gather(x[0], x[1], a, result!)],
            "scatter" or "scatter_add" => [Scatter(x[0], x[1], x[2], a, add: name == "scatter_add")],
            "argmax" or "argmin" => [ArgReduce(x[0], (int)a.Int("axis"), a.DType("index_dtype"), name == "argmax")],
            "cumsum" or "cumprod" or "cummax" or "cummin" => [Cumulative(name, x[0], (int)a.Int("axis"), a.Bool("reverse"))],
            "sort" => Sort(x, (int)a.Int("dimension"), a.Bool("is_stable"), (int)a.Int("num_keys")),
            "dot_general" => [DotGeneral(x[0], x[1], a, result!)],
            "cond" => Cond(x, op.Regions, op.Results.Select(r => r.Type).ToArray()),
            "while" => While(x, op, a),
            "scan" => Scan(x, op),
            // Custom derivative wrappers and checkpoint compute their primal body; calls and kernels are their body.
            "custom_jvp_call" or "custom_vjp_call" or "checkpoint" or "call" or "fusion" => Inline(op.Regions[0], x),
            _ when StableHloExporter.UnsupportedPrimitives.TryGetValue(name, out var why) =>
                throw new NotSupportedException($"StableHLO export: primitive '{name}' is not supported: {why}"),
            _ => throw new NotSupportedException($"StableHLO export: primitive '{name}' has no StableHLO mapping"),
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Elementwise with our semantics

    private HloValue Sign(HloValue x)
    {
        if (!x.Type.DType.IsUnsignedInteger()) return Unary("sign", x);
        // stablehlo.sign takes signed integers and floats; an unsigned sign is x != 0.
        var zero = SplatLike(x, 0);
        return Select(Compare("EQ", x, zero), zero, SplatLike(x, 1));
    }

    /// <summary>
    /// Integer division with our (XLA's) semantics, which StableHLO leaves implementation-defined: <c>x / 0</c> is -1
    /// (all ones; unsigned: the maximum) and <c>MIN / -1</c> is MIN. The divisor is replaced by 1 where either case
    /// holds (so the division itself is defined), then the zero-divisor lanes are selected to all ones
    /// (<c>MIN / 1</c> is already MIN). A divisor the exporter knows to be a constant other than 0 and -1 needs none of it.
    /// </summary>
    private HloValue Divide(HloValue x, HloValue y)
    {
        if (x.Type.DType.IsFloat() || KnownInt(y) is { } d && d != 0 && d != -1) return Binary("divide", x, y);
        var (isZero, safe) = SafeDivisor(x, y);
        var q = Binary("divide", x, safe);
        return Select(isZero, SplatInt(x.Type.DType, -1, x.Type.Shape), q);
    }

    /// <summary>
    /// Remainder with our semantics: floats as StableHLO's (the sign of the dividend, fmod); integers with
    /// <c>x % 0 = x</c> and <c>MIN % -1 = 0</c> (divisor replaced by 1 there, then <c>x</c> selected where it was 0).
    /// </summary>
    private HloValue Remainder(HloValue x, HloValue y)
    {
        if (x.Type.DType.IsFloat() || KnownInt(y) is { } d && d != 0 && d != -1) return Binary("remainder", x, y);
        var (isZero, safe) = SafeDivisor(x, y);
        return Select(isZero, x, Binary("remainder", x, safe));
    }

    private (HloValue IsZero, HloValue Safe) SafeDivisor(HloValue x, HloValue y)
    {
        var dtype = x.Type.DType;
        var shape = x.Type.Shape;
        var isZero = Compare("EQ", y, SplatInt(dtype, 0, shape));
        var replace = isZero;
        if (dtype.IsSignedInteger())
        {
            long min = dtype.IntegerMin();
            var overflow = Binary("and", Compare("EQ", x, SplatInt(dtype, min, shape)), Compare("EQ", y, SplatInt(dtype, -1, shape)));
            replace = Binary("or", isZero, overflow);
        }
        return (isZero, Select(replace, SplatInt(dtype, 1, shape), y));
    }

    /// <summary>
    /// Shifts with our semantics: the count is read unsigned, and a count &gt;= the bit width gives 0
    /// (<c>shift_right_arithmetic</c>: the sign fill, a shift by width - 1). StableHLO leaves these counts
    /// implementation-defined, so the count is checked and the result selected (unless it is a constant in range).
    /// </summary>
    private HloValue Shift(string name, HloValue x, HloValue y)
    {
        var dtype = x.Type.DType;
        var shape = x.Type.Shape;
        int bits = dtype.BitWidth();
        // A constant count in range (threefry's rotations) needs no guard.
        if (KnownInt(y) is { } count && (dtype.IsUnsignedInteger() ? (ulong)count < (ulong)bits : count >= 0 && count < bits)) return Binary(name, x, y);
        var outOfRange = Compare("GE", y, SplatInt(dtype, bits, shape));
        if (dtype.IsSignedInteger()) outOfRange = Binary("or", outOfRange, Compare("LT", y, SplatInt(dtype, 0, shape)));
        if (name == "shift_right_arithmetic")
            return Binary("shift_right_arithmetic", x, Select(outOfRange, SplatInt(dtype, bits - 1, shape), y));
        var shifted = Binary(name, x, y);
        return Select(outOfRange, SplatInt(dtype, 0, shape), shifted);
    }

    /// <summary>
    /// <c>convert_element_type</c> with our semantics: to bool is <c>x != 0</c> (as JAX lowers it); float to integer
    /// truncates toward zero, saturates and maps NaN to 0 (StableHLO leaves out-of-range conversions
    /// implementation-defined), written as: NaN lanes replaced by 0, values clamped into [-2^(b-1), 2^(b-1)] (exact
    /// powers of two), converted, and lanes at or above 2^(b-1) selected to the maximum. f16/bf16 sources are
    /// widened to f32 first (exactly), so that the bounds are representable.
    /// </summary>
    private HloValue ConvertElementType(HloValue x, DType to)
    {
        var from = x.Type.DType;
        if (from == to) return x;
        if (to == DType.Bool) return Compare("NE", x, SplatLike(x, 0));
        if (!from.IsFloat() || !to.IsInteger()) return Convert(x, to);
        if (from is DType.Float16 or DType.BFloat16)
        {
            x = Convert(x, DType.Float32);
            from = DType.Float32;
        }
        int bits = to.BitWidth();
        bool signed = to.IsSignedInteger();
        double low = signed ? -Math.Pow(2, bits - 1) : 0;
        double high = signed ? Math.Pow(2, bits - 1) : Math.Pow(2, bits);
        var shape = x.Type.Shape;
        var zero = Splat(from, 0, shape);
        var notNan = Compare("EQ", x, x);
        var finiteOrZero = Select(notNan, x, zero);
        var tooBig = Compare("GE", finiteOrZero, Splat(from, high, shape));
        var clamped = Emit1($"stablehlo.clamp {Splat(from, low, Shape.Scalar).Ref}, {finiteOrZero.Ref}, {Splat(from, high, Shape.Scalar).Ref} : "
            + $"({TensorType(from, Shape.Scalar)}, {Ty(x.Type)}, {TensorType(from, Shape.Scalar)}) -> {Ty(x.Type)}", x.Type with { Weak = false });
        var inRange = Select(tooBig, zero, clamped);
        var converted = Convert(inRange, to);
        long max = to.IntegerMax();
        return Select(tooBig, SplatInt(to, max, shape), converted);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Structural

    private HloValue Iota(DType dtype, Shape shape, int dimension)
    {
        var type = new ShapedType(dtype, shape);
        if (dtype == DType.Bool)
            return ConvertElementType(Iota(DType.Int32, shape, dimension), DType.Bool);
        if (shape.IsStatic) return Emit1($"stablehlo.iota dim = {dimension} : {Ty(type)}", type);
        var sizes = ShapeTensor(shape);
        return Emit1($"stablehlo.dynamic_iota {sizes.Ref}, dim = {dimension} : ({Ty(sizes.Type)}) -> {Ty(type)}", type);
    }

    private HloValue Slice(HloValue x, Attributes a, ShapedType result)
    {
        var start = a.Ints("start_indices");
        var limit = a.Ints("limit_indices");
        var strides = a.TryGetValue("strides", out var s) && s is long[] st && st.Length > 0 ? st : start.Select(_ => 1L).ToArray();
        return Emit1($"\"stablehlo.slice\"({x.Ref}) <{{limit_indices = {I64Array(limit)}, start_indices = {I64Array(start)}, strides = {I64Array(strides)}}}> : ({Ty(x.Type)}) -> {Ty(result)}", result);
    }

    /// <summary>Start indices of one integer type (StableHLO wants them alike): the widest of them.</summary>
    private HloValue[] Starts(IReadOnlyList<HloValue> starts)
    {
        if (starts.Select(s => s.Type.DType).Distinct().Count() <= 1) return starts.ToArray();
        var widest = starts.Any(s => s.Type.DType is DType.Int64 or DType.UInt64 or DType.UInt32) ? DType.Int64 : DType.Int32;
        return starts.Select(s => Convert(s, widest)).ToArray();
    }

    private HloValue DynamicSlice(HloValue x, IReadOnlyList<HloValue> starts, long[] sizes, ShapedType result)
    {
        var s = Starts(starts);
        return Emit1($"stablehlo.dynamic_slice {x.Ref}, {Refs(s)}, sizes = [{Ints(sizes)}] : ({Ty(x.Type)}, {Types(s)}) -> {Ty(result)}", result);
    }

    private HloValue DynamicUpdateSlice(HloValue x, HloValue update, IReadOnlyList<HloValue> starts)
    {
        var s = Starts(starts);
        return Emit1($"stablehlo.dynamic_update_slice {x.Ref}, {update.Ref}, {Refs(s)} : ({Ty(x.Type)}, {Ty(update.Type)}, {Types(s)}) -> {Ty(x.Type)}", x.Type with { Weak = false });
    }

    private HloValue DotGeneral(HloValue lhs, HloValue rhs, Attributes a, ShapedType result)
    {
        var lb = a.TryGetValue("lhs_batch_dims", out var v1) ? (long[])v1 : [];
        var rb = a.TryGetValue("rhs_batch_dims", out var v2) ? (long[])v2 : [];
        var lc = a.Ints("lhs_contracting_dims");
        var rc = a.Ints("rhs_contracting_dims");
        var batching = lb.Length > 0 ? $"batching_dims = [{Ints(lb)}] x [{Ints(rb)}], " : "";
        return Emit1($"stablehlo.dot_general {lhs.Ref}, {rhs.Ref}, {batching}contracting_dims = [{Ints(lc)}] x [{Ints(rc)}] : ({Ty(lhs.Type)}, {Ty(rhs.Type)}) -> {Ty(result)}", result);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reductions

    /// <summary>The identity of a reduction for a dtype (-inf/MIN for max, +inf/MAX for min, all ones for and).</summary>
    private HloValue ReductionInit(string name, DType dtype)
    {
        switch (name)
        {
            case "reduce_sum" or "cumsum" or "reduce_or":
                return Scalar(dtype, 0);
            case "reduce_prod" or "cumprod":
                return Scalar(dtype, 1);
            case "reduce_and":
                return dtype == DType.Bool ? Scalar(dtype, 1) : ScalarInt(dtype, -1);
            case "reduce_max" or "cummax" or "argmax":
                return dtype.IsFloat() ? Scalar(dtype, double.NegativeInfinity) : ScalarInt(dtype, dtype.IntegerMin());
            default:
                return dtype.IsFloat() ? Scalar(dtype, double.PositiveInfinity) : ScalarInt(dtype, dtype.IntegerMax());
        }
    }

    private HloValue Reduction(HloValue x, string op, string name, int[] axes)
    {
        var dtype = x.Type.DType;
        if (dtype == DType.Bool && op is "add" or "multiply")
            throw new NotSupportedException($"StableHLO export: {name} of bool");
        if (axes.Length == 0) return x;
        return ReduceApplies(x, ReductionInit(name, dtype), op, axes);
    }

    /// <summary>
    /// argmax/argmin as JAX lowers them: a two-operand <c>stablehlo.reduce</c> of (values, iota indices). The
    /// combiner is commutative, so it gives our answer whatever order XLA reduces in: a NaN beats any number, the
    /// better value wins, and on a tie (equal values, or two NaNs) the smaller index.
    /// </summary>
    private HloValue ArgReduce(HloValue x, int axis, DType indexType, bool isMax)
    {
        var dtype = x.Type.DType;
        var indices = Iota(indexType, x.Type.Shape, axis);
        var outShape = new Shape(x.Type.Shape.Where((_, i) => i != axis));
        var initValue = ReductionInit(isMax ? "argmax" : "argmin", dtype);
        var initIndex = Scalar(indexType, 0);
        var scalarV = ShapedType.Scalar(dtype);
        var scalarI = ShapedType.Scalar(indexType);
        var outs = EmitWithRegions("stablehlo.reduce", [x, indices, initValue, initIndex], $"dimensions = {I64Array([axis])}",
        [
            ([scalarV, scalarI, scalarV, scalarI], args =>
            {
                var (accV, accI, opV, opI) = (args[0], args[1], args[2], args[3]);
                var better = Compare(isMax ? "GT" : "LT", opV, accV);
                var tie = Compare("EQ", opV, accV);
                if (dtype.IsFloat())
                {
                    var opNan = Compare("NE", opV, opV);
                    var accNan = Compare("NE", accV, accV);
                    var accNumber = Unary("not", accNan);
                    // op wins when it is NaN and acc is not, or when neither is NaN and op is better (GT/LT are false on NaN).
                    better = Binary("or", Binary("and", opNan, accNumber), Binary("and", better, accNumber));
                    tie = Binary("or", tie, Binary("and", opNan, accNan));
                }
                var pickOp = Binary("or", better, Binary("and", tie, Compare("LT", opI, accI)));
                return [Select(pickOp, opV, accV), Select(pickOp, opI, accI)];
            }),
        ], [new ShapedType(dtype, outShape), new ShapedType(indexType, outShape)]);
        return outs[1];
    }

    /// <summary>
    /// cumsum/cumprod/cummax/cummin as JAX lowers them on CPU: a <c>reduce_window</c> over a window of the whole
    /// axis, padded by n - 1 before each position (after it, when reversed).
    /// </summary>
    private HloValue Cumulative(string name, HloValue x, int axis, bool reverse)
    {
        var shape = x.Type.Shape;
        if (!shape[axis].IsStatic)
            throw new NotSupportedException($"StableHLO export: {name} over the symbolic dimension '{shape[axis].Symbol}' (its window size is an attribute)");
        long n = shape[axis].Size;
        string op = name switch { "cumsum" => "add", "cumprod" => "multiply", "cummax" => "maximum", _ => "minimum" };
        var init = ReductionInit(name, x.Type.DType);
        var window = Enumerable.Range(0, shape.Rank).Select(i => i == axis ? n : 1L);
        var strides = Enumerable.Range(0, shape.Rank).Select(_ => 1L);
        var padding = string.Join(", ", Enumerable.Range(0, shape.Rank).Select(i =>
            i != axis || n == 0 ? "[0, 0]" : reverse ? $"[0, {n - 1}]" : $"[{n - 1}, 0]"));
        var paddingAttr = shape.Rank == 0 ? "dense<> : tensor<0x2xi64>" : $"dense<[{padding}]> : tensor<{shape.Rank}x2xi64>";
        var scalar = ShapedType.Scalar(x.Type.DType);
        return EmitWithRegions("stablehlo.reduce_window", [x, init],
            $"padding = {paddingAttr}, window_dimensions = {I64Array(window)}, window_strides = {I64Array(strides)}",
            [([scalar, scalar], args => [Binary(op, args[0], args[1])])], [x.Type with { Weak = false }])[0];
    }

    /// <summary>
    /// sort with a comparator region: lexicographic over the first <paramref name="numKeys"/> operands, ascending.
    /// Float keys compare as JAX canonicalises them: -0.0 as 0.0, every NaN as the positive quiet NaN, then the bits
    /// as a signed integer with negative values flipped (<c>x &lt; 0 ? INT_MAX - x : x</c>, wrapping), which orders
    /// NaN after +inf.
    /// </summary>
    private HloValue[] Sort(HloValue[] operands, int dimension, bool stable, int numKeys)
    {
        var argTypes = operands.SelectMany(o => new[] { ShapedType.Scalar(o.Type.DType), ShapedType.Scalar(o.Type.DType) }).ToArray();
        return EmitWithRegions("stablehlo.sort", operands, $"dimension = {dimension} : i64, is_stable = {(stable ? "true" : "false")}",
        [
            (argTypes, args =>
            {
                HloValue? result = null;
                for (int k = numKeys - 1; k >= 0; k--)
                {
                    var lhs = SortKey(args[2 * k]);
                    var rhs = SortKey(args[2 * k + 1]);
                    var lt = Compare("LT", lhs, rhs);
                    result = result is null ? lt : Binary("or", lt, Binary("and", Compare("EQ", lhs, rhs), result.Value));
                }
                return [result ?? Scalar(DType.Bool, 0)];
            }),
        ], operands.Select(o => o.Type with { Weak = false }).ToArray());
    }

    private HloValue SortKey(HloValue x)
    {
        var dtype = x.Type.DType;
        if (!dtype.IsFloat()) return x;
        var zero = Scalar(dtype, 0);
        var noNegZero = Select(Compare("EQ", x, zero), zero, x);
        var canonical = Select(Compare("NE", x, x), Scalar(dtype, double.NaN), noNegZero);
        var intType = DTypes.IntegerOfWidth(dtype.BitWidth(), signed: true);
        var bits = Emit1($"stablehlo.bitcast_convert {canonical.Ref} : ({Ty(canonical.Type)}) -> {TensorType(intType, Shape.Scalar)}", ShapedType.Scalar(intType));
        var max = ScalarInt(intType, intType.IntegerMax());
        var flipped = Binary("subtract", max, bits);
        return Select(Compare("LT", bits, ScalarInt(intType, 0)), flipped, bits);
    }
}
