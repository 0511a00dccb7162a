namespace JaxToolchain.Ir;

/// <summary>
/// An abstract value: dtype and shape, plus JAX's weak-type flag (a value that came from a C# literal and
/// defers to the other operand's dtype in promotion). Prints as <c>f32[3,n]</c>, weak ones as <c>f32[]{weak}</c>.
/// </summary>
public sealed record ShapedType(DType DType, Shape Shape, bool Weak = false)
{
    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>A strongly typed scalar of a dtype.</summary>
    public static ShapedType Scalar(DType dtype, bool weak = false) => new(dtype, Shape.Scalar, weak);

    /// <summary>The same shape with another dtype (weakness kept).</summary>
    public ShapedType WithDType(DType dtype) => this with { DType = dtype };

    /// <summary>The same dtype with another shape (weakness kept).</summary>
    public ShapedType WithShape(Shape shape) => this with { Shape = shape };

    /// <summary>Prints as <c>f32[3,n]</c> (<c>{weak}</c> appended for weak types).</summary>
    public override string ToString() => DType.ShortName() + Shape + (Weak ? "{weak}" : "");

    /// <summary>Prints as JAX does in error messages: <c>float32[3,4]</c>.</summary>
    public string ToLongString() => DType.Name() + Shape;
}
