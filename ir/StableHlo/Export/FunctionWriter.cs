using System.Globalization;
using System.Text;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>An emitted StableHLO value: its SSA reference (<c>%3</c>, <c>%4#1</c>, <c>%arg0</c>) and its type.</summary>
internal readonly record struct HloValue(string Ref, ShapedType Type);

/// <summary>
/// Writes one function as a <c>func.func</c>: names SSA values, prints types and dense constants, and holds the
/// helpers the per-primitive writers (<c>FunctionWriter.Ops.cs</c>) build on.
/// </summary>
internal sealed partial class FunctionWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly StringBuilder _sb;
    private int _indent;
    private int _next;
    private readonly Dictionary<Value, HloValue> _values = [];
    /// <summary>Values known to hold one integer in every element (integer constants and their broadcasts), by reference.</summary>
    private readonly Dictionary<string, long> _knownInts = new(StringComparer.Ordinal);
    /// <summary>Where each symbolic dimension can be read: a parameter of the function and one of its axes.</summary>
    private readonly Dictionary<string, (HloValue Parameter, int Axis)> _symbols = new(StringComparer.Ordinal);

    public FunctionWriter(StringBuilder sb, int indent)
    {
        _sb = sb;
        _indent = indent;
    }

    public void WriteFunction(Function function, string name, IReadOnlyList<Buffer?>? parameterValues)
    {
        // Scans are written as the while loops ScanToWhilePass makes of them (over a counter, dynamic slices and updates).
        function = new ScanToWhilePass().Run(function);
        if (parameterValues is not null && parameterValues.Count != function.Parameters.Count)
            throw new ArgumentException($"{parameterValues.Count} parameter values for @{function.Name}, which has {function.Parameters.Count} parameters");
        var signature = new List<string>();
        int argIndex = 0;
        var baked = new List<(Value Parameter, Buffer Value)>();
        for (int i = 0; i < function.Parameters.Count; i++)
        {
            var p = function.Parameters[i];
            if (parameterValues?[i] is { } value)
            {
                if (value.DType != p.Type.DType || !value.Shape.IsStatic || value.Shape != p.Type.Shape && p.Type.Shape.IsStatic)
                    throw new ArgumentException($"the value baked for parameter {i} of @{function.Name} is {value.Type}, not {p.Type}");
                baked.Add((p, value));
                continue;
            }
            var v = new HloValue($"%arg{argIndex++}", p.Type);
            _values[p] = v;
            signature.Add($"{v.Ref}: {Ty(p.Type)}");
            for (int d = 0; d < p.Type.Rank; d++)
                if (p.Type.Shape[d].Symbol is { } sym) _symbols.TryAdd(sym, (v, d));
        }
        var results = string.Join(", ", function.ResultTypes.Select(Ty));
        Line($"func.func public @{name}({string.Join(", ", signature)}) -> ({results}) {{");
        _indent++;
        foreach (var (p, value) in baked) _values[p] = Constant(value);
        WriteOperations(function.Body);
        var outs = function.Body.Results.Select(Get).ToArray();
        Line(outs.Length == 0 ? "return" : $"return {Refs(outs)} : {Types(outs)}");
        _indent--;
        Line("}");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Text

    private void Line(string text)
    {
        _sb.Append(' ', 2 * _indent).Append(text).Append('\n');
    }

    private string Fresh() => "%" + (_next++).ToString(Inv);

    private HloValue Get(Value v) =>
        _values.TryGetValue(v, out var h) ? h : throw new InvalidOperationException($"StableHLO export: value {v} is used before it is defined");

    /// <summary>The StableHLO element type of a dtype.</summary>
    internal static string ElementType(DType t) => t switch
    {
        DType.Bool => "i1",
        DType.Int8 => "i8",
        DType.Int16 => "i16",
        DType.Int32 => "i32",
        DType.Int64 => "i64",
        DType.UInt8 => "ui8",
        DType.UInt16 => "ui16",
        DType.UInt32 => "ui32",
        DType.UInt64 => "ui64",
        DType.Float16 => "f16",
        DType.BFloat16 => "bf16",
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        _ => throw new NotSupportedException($"StableHLO export: dtype {t} has no StableHLO element type"),
    };

    /// <summary>A tensor type: <c>tensor&lt;3x?xf32&gt;</c> (symbolic dimensions are dynamic, <c>?</c>).</summary>
    internal static string Ty(ShapedType t) => TensorType(t.DType, t.Shape);

    private static string TensorType(DType dtype, Shape shape)
    {
        var sb = new StringBuilder("tensor<");
        foreach (var d in shape) sb.Append(d.IsStatic ? d.Size.ToString(Inv) : "?").Append('x');
        return sb.Append(ElementType(dtype)).Append('>').ToString();
    }

    private static string Refs(IEnumerable<HloValue> values) => string.Join(", ", values.Select(v => v.Ref));

    private static string Types(IEnumerable<HloValue> values) => string.Join(", ", values.Select(v => Ty(v.Type)));

    private static string TypeList(IEnumerable<ShapedType> types)
    {
        var list = types.Select(Ty).ToArray();
        return list.Length == 1 ? list[0] : $"({string.Join(", ", list)})";
    }

    private static string Ints(IEnumerable<long> values) => string.Join(", ", values.Select(v => v.ToString(Inv)));

    private static string Ints(IEnumerable<int> values) => string.Join(", ", values.Select(v => v.ToString(Inv)));

    /// <summary><c>array&lt;i64: 1, 2&gt;</c> (an empty one is <c>array&lt;i64&gt;</c>).</summary>
    private static string I64Array(IEnumerable<long> values)
    {
        var s = Ints(values);
        return s.Length == 0 ? "array<i64>" : $"array<i64: {s}>";
    }

    /// <summary>Writes <c>%N = text</c> (or <c>%N:k = text</c>) and returns the results.</summary>
    private HloValue[] Emit(string text, IReadOnlyList<ShapedType> resultTypes)
    {
        if (resultTypes.Count == 0)
        {
            Line(text);
            return [];
        }
        var name = Fresh();
        if (resultTypes.Count == 1)
        {
            Line($"{name} = {text}");
            return [new HloValue(name, resultTypes[0])];
        }
        Line($"{name}:{resultTypes.Count.ToString(Inv)} = {text}");
        return resultTypes.Select((t, i) => new HloValue($"{name}#{i.ToString(Inv)}", t)).ToArray();
    }

    private HloValue Emit1(string text, ShapedType resultType) => Emit(text, [resultType])[0];

    /// <summary>
    /// Writes a generic-form operation with regions: <c>"name"(operands) &lt;{props}&gt; ({ ^bb0(...): ... }, ...) : (types) -&gt; (types)</c>.
    /// Each region writer receives its block arguments and returns what the region's <c>stablehlo.return</c> returns.
    /// </summary>
    private HloValue[] EmitWithRegions(string opName, IReadOnlyList<HloValue> operands, string? properties,
        IReadOnlyList<(IReadOnlyList<ShapedType> ArgTypes, Func<HloValue[], IReadOnlyList<HloValue>> Body)> regions,
        IReadOnlyList<ShapedType> resultTypes)
    {
        string head = $"\"{opName}\"({Refs(operands)})" + (properties is null ? "" : $" <{{{properties}}}>") + " (";
        string signature = $"({Types(operands)}) -> {(resultTypes.Count == 1 ? Ty(resultTypes[0]) : "(" + string.Join(", ", resultTypes.Select(Ty)) + ")")}";
        // The results' name is taken first, so that the header line reads in order; the regions' values follow.
        string name = Fresh();
        string lhs = resultTypes.Count switch
        {
            0 => "",
            1 => $"{name} = ",
            _ => $"{name}:{resultTypes.Count.ToString(Inv)} = ",
        };
        Line(lhs + head + "{");
        for (int r = 0; r < regions.Count; r++)
        {
            var (argTypes, body) = regions[r];
            _indent++;
            var args = argTypes.Select(t => new HloValue(Fresh(), t)).ToArray();
            if (args.Length > 0) Line($"^bb0({string.Join(", ", args.Select(a => $"{a.Ref}: {Ty(a.Type)}"))}):");
            _indent++;
            var outs = body(args);
            Line(outs.Count == 0 ? "stablehlo.return" : $"stablehlo.return {Refs(outs)} : {Types(outs)}");
            _indent -= 2;
            Line(r + 1 < regions.Count ? "}, {" : $"}}) : {signature}");
        }
        if (regions.Count == 0) Line($"}}) : {signature}");
        return resultTypes.Count switch
        {
            0 => [],
            1 => [new HloValue(name, resultTypes[0])],
            _ => resultTypes.Select((t, i) => new HloValue($"{name}#{i.ToString(Inv)}", t)).ToArray(),
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Constants

    /// <summary>A dense constant of a buffer (a splat when every element is equal).</summary>
    private HloValue Constant(Buffer value)
    {
        var literal = DenseLiteral(value);
        var result = Emit1($"stablehlo.constant {literal} : {TensorType(value.DType, value.Shape)}", new ShapedType(value.DType, value.Shape));
        if (value.DType.IsInteger() && value.LongLength > 0 && !literal.StartsWith("dense<[", StringComparison.Ordinal))
            Known(result, value.GetInt64(0));
        return result;
    }

    private HloValue Known(HloValue value, long integer)
    {
        _knownInts[value.Ref] = integer;
        return value;
    }

    /// <summary>The integer every element of <paramref name="value"/> holds, when the exporter made it a constant.</summary>
    private long? KnownInt(HloValue value) => _knownInts.TryGetValue(value.Ref, out var v) ? v : null;

    /// <summary>A scalar constant of a dtype.</summary>
    private HloValue Scalar(DType dtype, double value) =>
        Emit1($"stablehlo.constant dense<{Element(dtype, value)}> : {TensorType(dtype, Shape.Scalar)}", ShapedType.Scalar(dtype));

    /// <summary>A scalar integer constant given exactly (64-bit values a double cannot hold).</summary>
    private HloValue ScalarInt(DType dtype, long value)
    {
        var result = Emit1($"stablehlo.constant dense<{IntElement(dtype, value)}> : {TensorType(dtype, Shape.Scalar)}", ShapedType.Scalar(dtype));
        return dtype.IsInteger() ? Known(result, value) : result;
    }

    /// <summary>A constant of a shape with every element <paramref name="value"/> (a broadcast when the shape is symbolic).</summary>
    private HloValue Splat(DType dtype, double value, Shape shape)
    {
        if (shape.IsStatic)
            return Emit1($"stablehlo.constant dense<{Element(dtype, value)}> : {TensorType(dtype, shape)}", new ShapedType(dtype, shape));
        return Broadcast(Scalar(dtype, value), shape, []);
    }

    private HloValue SplatInt(DType dtype, long value, Shape shape)
    {
        if (shape.IsStatic)
        {
            var result = Emit1($"stablehlo.constant dense<{IntElement(dtype, value)}> : {TensorType(dtype, shape)}", new ShapedType(dtype, shape));
            return dtype.IsInteger() ? Known(result, value) : result;
        }
        return Broadcast(ScalarInt(dtype, value), shape, []);
    }

    /// <summary>A constant like <paramref name="like"/> (its shape, another dtype or the same).</summary>
    private HloValue SplatLike(HloValue like, double value, DType? dtype = null) => Splat(dtype ?? like.Type.DType, value, like.Type.Shape);

    /// <summary><c>dense&lt;...&gt;</c>: a splat, nested lists in row-major order, or <c>dense&lt;&gt;</c> when empty.</summary>
    internal static string DenseLiteral(Buffer value)
    {
        long n = value.LongLength;
        if (n == 0) return "dense<>";
        var first = ElementAt(value, 0);
        bool splat = value.IsSplat || value.Shape.Rank == 0;
        if (!splat)
        {
            splat = true;
            for (long i = 1; i < n && splat; i++) splat = ElementAt(value, i) == first;
        }
        if (splat) return $"dense<{first}>";
        var sb = new StringBuilder("dense<");
        long index = 0;
        AppendNested(sb, value, 0, ref index);
        return sb.Append('>').ToString();
    }

    private static void AppendNested(StringBuilder sb, Buffer value, int axis, ref long index)
    {
        sb.Append('[');
        long size = value.Shape[axis].Size;
        for (long i = 0; i < size; i++)
        {
            if (i > 0) sb.Append(", ");
            if (axis + 1 == value.Shape.Rank) sb.Append(ElementAt(value, index++));
            else AppendNested(sb, value, axis + 1, ref index);
        }
        sb.Append(']');
    }

    private static string ElementAt(Buffer b, long i)
    {
        if (!b.DType.IsFloat()) return IntElement(b.DType, b.GetInt64(i));
        double d = b.GetDouble(i);
        if (double.IsFinite(d)) return Element(b.DType, d);
        // Infinities and NaNs keep their exact bits (the sign and payload of a NaN included).
        int size = b.DType.ItemSize();
        var bytes = b.Bytes.Slice(b.IsSplat ? 0 : checked((int)(i * size)), size);
        return size switch
        {
            8 => "0x" + System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes).ToString("X16", Inv),
            4 => "0x" + System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes).ToString("X8", Inv),
            _ => "0x" + System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes).ToString("X4", Inv),
        };
    }

    /// <summary>An integer or boolean literal of a dtype (unsigned values printed unsigned).</summary>
    private static string IntElement(DType dtype, long value) => dtype switch
    {
        DType.Bool => value != 0 ? "true" : "false",
        // Unsigned values print unsigned, wrapped to the width (-1 is all ones).
        _ when dtype.IsUnsignedInteger() => ((ulong)value & (dtype == DType.UInt64 ? ulong.MaxValue : (1UL << dtype.BitWidth()) - 1)).ToString(Inv),
        _ when dtype.IsFloat() => Element(dtype, value),
        _ => value.ToString(Inv),
    };

    /// <summary>
    /// A literal of a dtype: exact decimal for finite floats (9 significant digits for f32 and narrower, 17 for f64),
    /// the bit pattern in hex for infinities and NaN (as MLIR prints them), integers and booleans as such.
    /// </summary>
    internal static string Element(DType dtype, double value)
    {
        if (!dtype.IsFloat()) return IntElement(dtype, checked((long)value));
        // A NaN given as a number is the positive quiet NaN JAX prints (0x7FC00000 for f32); .NET's NaN has the sign set.
        if (double.IsNaN(value)) value = BitConverter.Int64BitsToDouble(0x7FF8000000000000);
        if (double.IsFinite(value))
        {
            return dtype == DType.Float64
                ? value.ToString("e16", Inv)
                : ((float)value).ToString("e8", Inv);
        }
        return dtype switch
        {
            DType.Float64 => "0x" + BitConverter.DoubleToInt64Bits(value).ToString("X16", Inv),
            DType.Float32 => "0x" + BitConverter.SingleToInt32Bits((float)value).ToString("X8", Inv),
            DType.Float16 => "0x" + BitConverter.HalfToUInt16Bits((Half)value).ToString("X4", Inv),
            _ => "0x" + ((ushort)(BitConverter.SingleToUInt32Bits((float)value) >> 16)).ToString("X4", Inv),
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Building blocks

    private HloValue Unary(string op, HloValue x) => Emit1($"stablehlo.{op} {x.Ref} : {Ty(x.Type)}", x.Type with { Weak = false });

    private HloValue Binary(string op, HloValue x, HloValue y) => Emit1($"stablehlo.{op} {x.Ref}, {y.Ref} : {Ty(x.Type)}", x.Type with { Weak = false });

    /// <summary>A <c>chlo</c> function in generic form (<c>"chlo.erf"(%x) : (tensor) -&gt; tensor</c>).</summary>
    private HloValue Chlo(string op, params HloValue[] operands) =>
        Emit1($"\"chlo.{op}\"({Refs(operands)}) : ({Types(operands)}) -> {Ty(operands[0].Type)}", operands[0].Type with { Weak = false });

    private static string CompareType(DType t) => t.IsFloat() ? "FLOAT" : t.IsSignedInteger() ? "SIGNED" : "UNSIGNED";

    /// <summary><c>stablehlo.compare DIR, x, y, TYPE</c> (IEEE comparisons for floats: NaN compares unequal, as ours).</summary>
    private HloValue Compare(string direction, HloValue x, HloValue y) =>
        Emit1($"stablehlo.compare  {direction}, {x.Ref}, {y.Ref},  {CompareType(x.Type.DType)} : ({Ty(x.Type)}, {Ty(y.Type)}) -> {TensorType(DType.Bool, x.Type.Shape)}",
            new ShapedType(DType.Bool, x.Type.Shape));

    /// <summary><c>stablehlo.select %p, %t, %f : tensor&lt;3xi1&gt;, tensor&lt;3xf32&gt;</c> (the predicate's type, then the values').</summary>
    private HloValue Select(HloValue pred, HloValue onTrue, HloValue onFalse) =>
        Emit1($"stablehlo.select {pred.Ref}, {onTrue.Ref}, {onFalse.Ref} : {Ty(pred.Type)}, {Ty(onTrue.Type)}", onTrue.Type with { Weak = false });

    private HloValue Convert(HloValue x, DType dtype) =>
        x.Type.DType == dtype ? x : Emit1($"stablehlo.convert {x.Ref} : ({Ty(x.Type)}) -> {TensorType(dtype, x.Type.Shape)}", new ShapedType(dtype, x.Type.Shape));

    private HloValue Reshape(HloValue x, Shape shape)
    {
        var type = new ShapedType(x.Type.DType, shape);
        if (x.Type.Shape == shape) return x;
        if (shape.IsStatic) return Emit1($"stablehlo.reshape {x.Ref} : ({Ty(x.Type)}) -> {Ty(type)}", type);
        var dims = ShapeTensor(shape);
        return Emit1($"stablehlo.dynamic_reshape {x.Ref}, {dims.Ref} : ({Ty(x.Type)}, {Ty(dims.Type)}) -> {Ty(type)}", type);
    }

    /// <summary><c>broadcast_in_dim</c> (its dynamic form, with a shape tensor, when <paramref name="shape"/> is symbolic).</summary>
    private HloValue Broadcast(HloValue x, Shape shape, IReadOnlyList<int> dims)
    {
        var type = new ShapedType(x.Type.DType, shape);
        if (x.Type.Shape == shape && dims.Select((d, i) => d == i).All(same => same)) return x;
        if (shape.IsStatic)
        {
            var result = Emit1($"stablehlo.broadcast_in_dim {x.Ref}, dims = [{Ints(dims)}] : ({Ty(x.Type)}) -> {Ty(type)}", type);
            return KnownInt(x) is { } known ? Known(result, known) : result;
        }
        var sizes = ShapeTensor(shape);
        return Emit1($"stablehlo.dynamic_broadcast_in_dim {x.Ref}, {sizes.Ref}, dims = [{Ints(dims)}] : ({Ty(x.Type)}, {Ty(sizes.Type)}) -> {Ty(type)}", type);
    }

    /// <summary>
    /// The sizes of a shape as a <c>tensor&lt;Rxi32&gt;</c>: static sizes as constants, symbolic ones read with
    /// <c>get_dimension_size</c> from a parameter that has that dimension (as JAX's shape-polymorphic lowering does).
    /// </summary>
    private HloValue ShapeTensor(Shape shape)
    {
        var parts = new List<HloValue>();
        var one = new ShapedType(DType.Int32, Shape.Of(1));
        foreach (var d in shape)
        {
            if (d.IsStatic)
            {
                parts.Add(Emit1($"stablehlo.constant dense<{d.Size.ToString(Inv)}> : tensor<1xi32>", one));
                continue;
            }
            if (!_symbols.TryGetValue(d.Symbol!, out var source))
                throw new NotSupportedException($"StableHLO export: the symbolic dimension '{d.Symbol}' is not a dimension of any parameter, so its size cannot be read");
            var size = Emit1($"stablehlo.get_dimension_size {source.Parameter.Ref}, dim = {source.Axis.ToString(Inv)} : ({Ty(source.Parameter.Type)}) -> tensor<i32>",
                ShapedType.Scalar(DType.Int32));
            parts.Add(Reshape(size, Shape.Of(1)));
        }
        var type = new ShapedType(DType.Int32, Shape.Of(shape.Rank));
        if (parts.Count == 0) return Emit1("stablehlo.constant dense<> : tensor<0xi32>", type);
        if (parts.Count == 1) return parts[0];
        return Emit1($"stablehlo.concatenate {Refs(parts)}, dim = 0 : ({Types(parts)}) -> {Ty(type)}", type);
    }

    private static Shape StaticShape(ShapedType t, string what) =>
        t.Shape.IsStatic ? t.Shape : throw new NotSupportedException($"StableHLO export: {what} needs static dimensions, got {t}");

    /// <summary>The <c>stablehlo.reduce</c> over <paramref name="axes"/> with one binary operation (<c>applies</c> form).</summary>
    private HloValue ReduceApplies(HloValue x, HloValue init, string op, IReadOnlyList<int> axes)
    {
        var shape = new Shape(x.Type.Shape.Where((_, i) => !axes.Contains(i)));
        var type = new ShapedType(x.Type.DType, shape);
        return Emit1($"stablehlo.reduce({x.Ref} init: {init.Ref}) applies stablehlo.{op} across dimensions = [{Ints(axes)}] : ({Ty(x.Type)}, {Ty(init.Type)}) -> {Ty(type)}", type);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Blocks

    /// <summary>Writes the operations of a block (its arguments already mapped).</summary>
    private void WriteOperations(Block block)
    {
        foreach (var op in block.Operations)
        {
            var outs = WriteOperation(op);
            if (outs.Count != op.Results.Count)
                throw new InvalidOperationException($"StableHLO export of '{op.Primitive.Name}' gave {outs.Count} results for {op.Results.Count}");
            for (int i = 0; i < outs.Count; i++)
            {
                var o = outs[i];
                if (o.Type.DType != op.Results[i].Type.DType || o.Type.Shape != op.Results[i].Type.Shape)
                    throw new InvalidOperationException($"StableHLO export of '{op.Primitive.Name}' gave {o.Type} for result {i} of type {op.Results[i].Type}");
                _values[op.Results[i]] = o;
            }
        }
    }

    /// <summary>Writes a region's operations in place with its arguments bound to <paramref name="arguments"/>; returns its results.</summary>
    private HloValue[] Inline(Block region, IReadOnlyList<HloValue> arguments)
    {
        if (region.Arguments.Count != arguments.Count)
            throw new InvalidOperationException($"StableHLO export: a region of {region.Arguments.Count} arguments inlined with {arguments.Count}");
        for (int i = 0; i < arguments.Count; i++) _values[region.Arguments[i]] = arguments[i];
        WriteOperations(region);
        return region.Results.Select(Get).ToArray();
    }
}
