namespace JaxToolchain.Ir.StableHlo;

/// <summary>MLIR types to our <see cref="ShapedType"/>s (dynamic dims become fresh symbolic dims).</summary>
internal static class TypeConversion
{
    public static ShapedType ToShapedType(ModuleLowering module, MlirType type, MlirLocation at, string op) => type switch
    {
        MlirTensorType t => new ShapedType(ElementType(module, t.ElementType, at, op),
            new Shape(t.Dims.Select(d => d is { } n ? Dim.Of(n) : module.FreshDim()))),
        MlirTupleType => throw module.Error(at, op, StableHloImportFailure.UnsupportedOperation, $"a tuple {type} is used where our IR needs a tensor"),
        MlirOtherType { Text: "!stablehlo.token" } => throw module.Error(at, op, StableHloImportFailure.HostIo, "tokens (host I/O ordering) have no counterpart in our IR"),
        MlirOtherType o when DenseValues.ElementType(o.Text) is { } scalar => ShapedType.Scalar(scalar),
        _ => throw module.Error(at, op, StableHloImportFailure.UnsupportedElementType, $"unsupported type {type}"),
    };

    public static DType ElementType(ModuleLowering module, string name, MlirLocation at, string op) =>
        DenseValues.ElementType(name) ?? throw module.Error(at, op, StableHloImportFailure.UnsupportedElementType, $"unsupported element type {name}");

    /// <summary>True when a type is a tensor whose every dim is static and whose element type we support.</summary>
    public static bool TryStatic(MlirType type, out ShapedType shaped)
    {
        shaped = null!;
        if (type is not MlirTensorType t || t.Dims.Any(d => d is null) || DenseValues.ElementType(t.ElementType) is not { } dtype) return false;
        shaped = new ShapedType(dtype, Shape.Of(t.Dims.Select(d => d!.Value).ToArray()));
        return true;
    }

    /// <summary>The element type name of a tensor type, or the text of another type.</summary>
    public static string ElementName(MlirType type) => type is MlirTensorType t ? t.ElementType : type.ToString()!;
}
