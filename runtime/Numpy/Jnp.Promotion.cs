using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// <c>jax.numpy</c> for .NET: NumPy's names (C#-cased) and semantics — broadcasting, JAX's type promotion,
/// weakly typed literals — composed from the primitives of <see cref="Lax"/>.
/// </summary>
public static partial class Jnp
{
    /// <summary>The dtype and weakness that <paramref name="xs"/> promote to (<c>jnp.result_type</c>).</summary>
    public static DType ResultType(params Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        return Promoted(xs).DType;
    }

    /// <summary>
    /// The promoted dtype, canonicalised (uint32 + int32 is int64, which is int32 without x64, as in JAX). An
    /// integer literal that the promoted integer dtype cannot hold is an error, as JAX's OverflowError for
    /// <c>uint8_array + 300</c>.
    /// </summary>
    private static (DType DType, bool Weak) Promoted(IReadOnlyList<Tensor> xs)
    {
        var (dtype, weak) = TypePromotion.Promote(xs.Select(x => (x.DType, x.WeakType)).ToList(), Jax.Config.DefaultInt, Jax.Config.DefaultFloat);
        dtype = Jax.Config.Canonicalize(dtype);
        if (!weak && dtype.IsInteger())
            foreach (var x in xs)
                if (x.WeakType && !x.IsTracer && x.Ndim == 0 && x.DType.IsInteger())
                    CheckFits(x.Buffer.GetInt64(0), dtype);
        return (dtype, weak);
    }

    private static void CheckFits(long value, DType dtype)
    {
        int bits = dtype.BitWidth();
        bool unsigned = dtype.IsUnsignedInteger();
        long lo = unsigned ? 0 : bits == 64 ? long.MinValue : -(1L << (bits - 1));
        long hi = bits == 64 ? long.MaxValue : unsigned ? (1L << bits) - 1 : (1L << (bits - 1)) - 1;
        if (value < lo || value > hi)
            throw new OverflowException($"integer literal {value} is out of range for {dtype.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
    }

    /// <summary>x converted to a dtype and weakness, or x itself when it already is.</summary>
    internal static Tensor Cast(Tensor x, DType dtype, bool weak = false) =>
        x.DType == dtype && x.WeakType == weak ? x : Lax.ConvertElementType(x, dtype, weak);

    /// <summary>NumPy broadcasting of shapes; throws naming the operation and both shapes when they are incompatible.</summary>
    internal static Shape BroadcastShapes(string op, IReadOnlyList<Tensor> xs) => BroadcastShapes(op, xs.Select(x => x.Aval).ToArray());

    /// <summary>NumPy broadcasting of abstract values' shapes.</summary>
    internal static Shape BroadcastShapes(string op, IReadOnlyList<ShapedType> xs) =>
        TryBroadcastShapes(xs.Select(x => x.Shape).ToArray()) ?? throw new JaxTypeException(op, "incompatible shapes for broadcasting: " +
            string.Join(" and ", xs.Select(t => t.ToLongString())) + Dispatch.At(SourceLocation.FindCaller()));

    /// <summary>NumPy broadcasting of shapes (trailing dimensions aligned, size 1 stretches), or null when they are incompatible.</summary>
    internal static Shape? TryBroadcastShapes(IReadOnlyList<Shape> shapes)
    {
        int rank = shapes.Max(s => s.Rank);
        var dims = new Dim[rank];
        for (int i = 0; i < rank; i++) dims[i] = Dim.Of(1);
        foreach (var shape in shapes)
        {
            for (int i = 0; i < shape.Rank; i++)
            {
                int d = rank - shape.Rank + i;
                var a = dims[d];
                var b = shape[i];
                if (a == b || (b.IsStatic && b.Size == 1)) continue;
                if (a.IsStatic && a.Size == 1) { dims[d] = b; continue; }
                return null;
            }
        }
        return new Shape(dims);
    }

    /// <summary>x broadcast to a shape NumPy-style (trailing dimensions aligned).</summary>
    internal static Tensor BroadcastToShape(Tensor x, Shape shape)
    {
        if (x.Shape == shape) return x;
        int offset = shape.Rank - x.Ndim;
        return Lax.BroadcastInDim(x, shape, Enumerable.Range(offset, x.Ndim).ToArray());
    }

    /// <summary>Promotes operands to their common dtype and broadcasts them to their common shape.</summary>
    internal static Tensor[] PromoteArgs(string op, params Tensor[] xs)
    {
        var (dtype, weak) = Promoted(xs);
        var shape = BroadcastShapes(op, xs);
        return xs.Select(x => BroadcastToShape(Cast(x, dtype, weak), shape)).ToArray();
    }

    /// <summary>As <see cref="PromoteArgs"/>, then to the default float dtype when the common dtype is not floating (JAX's <c>promote_args_inexact</c>).</summary>
    internal static Tensor[] PromoteArgsInexact(string op, params Tensor[] xs)
    {
        var (dtype, weak) = Promoted(xs);
        if (!dtype.IsFloat()) dtype = Jax.Config.DefaultFloat;
        var shape = BroadcastShapes(op, xs);
        return xs.Select(x => BroadcastToShape(Cast(x, dtype, weak), shape)).ToArray();
    }

    /// <summary>Rejects dtypes an operation does not accept, naming it.</summary>
    internal static void CheckDType(string op, Tensor x, Func<DType, bool> accepts, string what)
    {
        if (!accepts(x.DType))
            throw new JaxTypeException(op, $"{op} requires {what} arguments, got {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
    }
}
