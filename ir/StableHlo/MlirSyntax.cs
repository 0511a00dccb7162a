namespace JaxToolchain.Ir.StableHlo;

/// <summary>A position in the source text (1-based).</summary>
internal readonly record struct MlirLocation(int Line, int Column);

/// <summary>An MLIR type as written: a ranked tensor, a tuple, or any other type kept by its text.</summary>
internal abstract record MlirType;

/// <summary><c>tensor&lt;2x?x3xf32&gt;</c>: dims (null for <c>?</c>) and the element type's text.</summary>
internal sealed record MlirTensorType(long?[] Dims, string ElementType) : MlirType
{
    public override string ToString() => $"tensor<{string.Concat(Dims.Select(d => (d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?") + "x"))}{ElementType}>";
}

/// <summary><c>tuple&lt;...&gt;</c>.</summary>
internal sealed record MlirTupleType(IReadOnlyList<MlirType> Elements) : MlirType
{
    public override string ToString() => $"tuple<{string.Join(", ", Elements)}>";
}

/// <summary>Any other type (<c>!stablehlo.token</c>, a bare <c>i64</c>), kept as text.</summary>
internal sealed record MlirOtherType(string Text) : MlirType
{
    public override string ToString() => Text;
}

/// <summary>An attribute value as written.</summary>
internal abstract record MlirAttribute;

/// <summary>An integer (with its type, when written: <c>0 : i64</c>).</summary>
internal sealed record MlirIntAttribute(System.Numerics.BigInteger Value) : MlirAttribute;

/// <summary>A float (a decimal or a hex bit pattern already decoded as double when written as a float).</summary>
internal sealed record MlirFloatAttribute(double Value) : MlirAttribute;

/// <summary><c>true</c> or <c>false</c>.</summary>
internal sealed record MlirBoolAttribute(bool Value) : MlirAttribute;

/// <summary>A string literal.</summary>
internal sealed record MlirStringAttribute(string Value) : MlirAttribute;

/// <summary>A bare word (an enum case such as <c>GT</c>, <c>FLOAT</c>, <c>DEFAULT</c>), or the case of <c>#dialect.enum&lt;GT&gt;</c>.</summary>
internal sealed record MlirWordAttribute(string Word) : MlirAttribute;

/// <summary><c>[a, b]</c>.</summary>
internal sealed record MlirArrayAttribute(IReadOnlyList<MlirAttribute> Elements) : MlirAttribute;

/// <summary><c>array&lt;i64: 1, 2&gt;</c>.</summary>
internal sealed record MlirDenseArrayAttribute(string ElementType, IReadOnlyList<MlirAttribute> Elements) : MlirAttribute;

/// <summary><c>dense&lt;...&gt; : tensor&lt;...&gt;</c>: the literal tree and the type after it.</summary>
internal sealed record MlirDenseAttribute(DenseLiteral Literal, MlirType? Type) : MlirAttribute;

/// <summary><c>#stablehlo.gather&lt;offset_dims = [..], ...&gt;</c> and other structured attributes: their named fields.</summary>
internal sealed record MlirStructAttribute(string Name, IReadOnlyDictionary<string, MlirAttribute> Fields) : MlirAttribute;

/// <summary><c>{a = 1, b}</c>.</summary>
internal sealed record MlirDictionaryAttribute(IReadOnlyDictionary<string, MlirAttribute> Entries) : MlirAttribute;

/// <summary>A unit attribute (a name without a value, or <c>unit</c>).</summary>
internal sealed record MlirUnitAttribute : MlirAttribute;

/// <summary>A type used as an attribute value.</summary>
internal sealed record MlirTypeAttribute(MlirType Type) : MlirAttribute;

/// <summary><c>@name</c>.</summary>
internal sealed record MlirSymbolAttribute(string Name) : MlirAttribute;

/// <summary><c>[1] x [0]</c>: the pair form of pretty <c>dot_general</c>'s dimension lists.</summary>
internal sealed record MlirPairAttribute(MlirAttribute Left, MlirAttribute Right) : MlirAttribute;

/// <summary><c>[1:3, 0:4:2]</c>: the pretty form of <c>slice</c>'s ranges (start, limit, stride).</summary>
internal sealed record MlirSliceRangesAttribute(IReadOnlyList<(long Start, long Limit, long Stride)> Ranges) : MlirAttribute;

/// <summary>The literal inside <c>dense&lt;...&gt;</c>: a nested list, a scalar token, a complex pair or a hex string.</summary>
internal abstract record DenseLiteral;

/// <summary>A number, <c>true</c>/<c>false</c>, or a hex bit pattern, as its text.</summary>
internal sealed record DenseScalar(string Text) : DenseLiteral;

/// <summary><c>[...]</c>.</summary>
internal sealed record DenseList(IReadOnlyList<DenseLiteral> Elements) : DenseLiteral;

/// <summary><c>(re, im)</c>: a complex element.</summary>
internal sealed record DenseComplex(DenseLiteral Real, DenseLiteral Imaginary) : DenseLiteral;

/// <summary><c>"0x0102..."</c>: the raw little-endian bytes of every element.</summary>
internal sealed record DenseHexBlob(string Hex) : DenseLiteral;

/// <summary>A region: one block with arguments (<c>^bb0(%a: tensor&lt;f32&gt;)</c>) and operations, the last its terminator.</summary>
internal sealed record MlirRegion(IReadOnlyList<(string Name, MlirType Type)> Arguments, IReadOnlyList<MlirOperation> Operations, MlirLocation Location);

/// <summary>
/// One operation, in a form shared by the pretty and generic syntaxes: result names (<c>%0#1</c> for a pack's
/// element), operand names, attributes (pretty keywords normalised to the generic names), regions, types.
/// </summary>
internal sealed class MlirOperation
{
    public required string Name { get; init; }
    public required MlirLocation Location { get; init; }
    public List<string> Results { get; } = [];
    public List<string> Operands { get; } = [];
    public Dictionary<string, MlirAttribute> Attributes { get; } = new(StringComparer.Ordinal);
    public List<MlirRegion> Regions { get; } = [];
    public List<MlirType> OperandTypes { get; } = [];
    public List<MlirType> ResultTypes { get; } = [];

    /// <summary>Positional words of the pretty form (<c>GT</c>, <c>FLOAT</c> of a compare).</summary>
    public List<string> Words { get; } = [];

    /// <summary>The callee of <c>func.call</c> or the reduction op of pretty <c>reduce ... applies stablehlo.add</c>.</summary>
    public string? Symbol { get; set; }

    public override string ToString() => Name;
}

/// <summary>A <c>func.func</c>: name, arguments, result types, body.</summary>
internal sealed record MlirFunction(string Name, IReadOnlyList<(string Name, MlirType Type)> Arguments, IReadOnlyList<MlirType> ResultTypes, MlirRegion Body, MlirLocation Location);
