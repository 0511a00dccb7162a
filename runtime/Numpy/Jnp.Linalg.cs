using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{

    /// <summary>
    /// NumPy's <c>dot</c>: scalars multiply; 1-D·1-D is the inner product; N-D·1-D sums over the last axis of a;
    /// N-D·M-D sums over the last axis of a and the second-to-last of b.
    /// </summary>
    public static Tensor Dot(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (dtype, weak) = Promoted([a, b]);
        a = Cast(a, dtype, weak);
        b = Cast(b, dtype, weak);
        if (a.Ndim == 0 || b.Ndim == 0) return Multiply(a, b);
        int ca = a.Ndim - 1, cb = b.Ndim == 1 ? 0 : b.Ndim - 2;
        CheckContraction("dot", a, ca, b, cb);
        return Lax.DotGeneral(a, b, ([ca], [cb]), ([], []));
    }

    private static void CheckContraction(string op, Tensor a, int ca, Tensor b, int cb)
    {
        if (a.Shape[ca] != b.Shape[cb])
            throw new JaxTypeException(op, $"contracting dimensions differ: {a.Aval.ToLongString()} (axis {ca}) and {b.Aval.ToLongString()} (axis {cb}){Dispatch.At(SourceLocation.FindCaller())}");
    }

    /// <summary>
    /// Matrix product with NumPy's <c>matmul</c> rules (C#'s stand-in for <c>a @ b</c>): 1-D operands gain and
    /// lose a unit axis, leading (batch) axes broadcast.
    /// </summary>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Ndim == 0 || b.Ndim == 0)
            throw new JaxTypeException("matmul", $"matmul does not accept scalars: {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        var (dtype, weak) = Promoted([a, b]);
        bool aVec = a.Ndim == 1, bVec = b.Ndim == 1;
        var a2 = Cast(aVec ? Lax.ExpandDims(a, [0]) : a, dtype, weak);
        var b2 = Cast(bVec ? Lax.ExpandDims(b, [1]) : b, dtype, weak);
        if (a2.Shape[a2.Ndim - 1] != b2.Shape[b2.Ndim - 2])
            throw new JaxTypeException("matmul", $"contracting dimensions differ: {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        // Broadcast the batch dimensions.
        var batch = TryBroadcastShapes([new Shape(a2.Shape.Take(a2.Ndim - 2)), new Shape(b2.Shape.Take(b2.Ndim - 2))])
            ?? throw new JaxTypeException("matmul", $"batch dimensions do not broadcast: {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        a2 = BroadcastToShape(a2, new Shape(batch.Concat(a2.Shape.Skip(a2.Ndim - 2))));
        b2 = BroadcastToShape(b2, new Shape(batch.Concat(b2.Shape.Skip(b2.Ndim - 2))));
        var batchDims = Enumerable.Range(0, batch.Rank).ToArray();
        var result = Lax.DotGeneral(a2, b2, ([a2.Ndim - 1], [b2.Ndim - 2]), (batchDims, batchDims));
        if (aVec) result = Lax.Squeeze(result, [result.Ndim - 2]);
        if (bVec) result = Lax.Squeeze(result, [result.Ndim - 1]);
        return result;
    }

    /// <summary>The outer product of two arrays (flattened).</summary>
    public static Tensor Outer(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Multiply(Reshape(Ravel(a), -1, 1), Ravel(b));
    }

    /// <summary>The inner product over the last axes.</summary>
    public static Tensor Inner(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Ndim == 0 || b.Ndim == 0) return Multiply(a, b);
        var (dtype, weak) = Promoted([a, b]);
        a = Cast(a, dtype, weak);
        b = Cast(b, dtype, weak);
        CheckContraction("inner", a, a.Ndim - 1, b, b.Ndim - 1);
        return Lax.DotGeneral(a, b, ([a.Ndim - 1], [b.Ndim - 1]), ([], []));
    }

    /// <summary>The dot product of the flattened arrays.</summary>
    public static Tensor Vdot(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Dot(Ravel(a), Ravel(b));
    }

    /// <summary>Sums products over the last <paramref name="axes"/> axes of a and the first of b.</summary>
    public static Tensor Tensordot(Tensor a, Tensor b, int axes = 2)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (axes < 0 || axes > a.Ndim || axes > b.Ndim)
            throw new JaxTypeException("tensordot", $"cannot contract {axes} axes of {a.Aval.ToLongString()} and {b.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        var (dtype, weak) = Promoted([a, b]);
        a = Cast(a, dtype, weak);
        b = Cast(b, dtype, weak);
        var ca = Enumerable.Range(a.Ndim - axes, axes).ToArray();
        var cb = Enumerable.Range(0, axes).ToArray();
        for (int i = 0; i < axes; i++) CheckContraction("tensordot", a, ca[i], b, cb[i]);
        return Lax.DotGeneral(a, b, (ca, cb), ([], []));
    }

    /// <summary>
    /// The sum of diagonal <paramref name="offset"/> of the 2-D slices over <paramref name="axis1"/> and
    /// <paramref name="axis2"/> (NumPy's <c>trace</c>; integers sum as <see cref="Sum(Tensor, int[], bool, DType?)"/> does).
    /// </summary>
    public static Tensor Trace(Tensor a, int offset = 0, int axis1 = 0, int axis2 = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Ndim < 2)
            throw new JaxTypeException("trace", $"trace needs an array of at least 2 dimensions, got {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        int p = Axes.Normalize(axis1, a.Ndim, "trace", a.Aval), q = Axes.Normalize(axis2, a.Ndim, "trace", a.Aval);
        if (p == q)
            throw new JaxTypeException("trace", $"axis1 and axis2 are both {p} for {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        // Select rather than multiply by the identity, so that off-diagonal infinities and NaNs stay out.
        var diagonal = Lax.BroadcastInDim(Eye((int)a.Shape[p].Size, (int)a.Shape[q].Size, offset, DType.Bool), a.Shape, [p, q]);
        return Sum(Where(diagonal, a, ZerosLike(a)), [p, q]);
    }
}
