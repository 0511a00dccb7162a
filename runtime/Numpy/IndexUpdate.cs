using JaxToolchain.Ir;

namespace JaxToolchain;

public sealed partial class Tensor
{
    /// <summary>
    /// JAX's <c>x.at[...]</c>: functional index updates, <c>x.At[1..3].Set(v)</c>, <c>x.At[idx].Add(v)</c>,
    /// <c>.Multiply</c>, <c>.Divide</c>, <c>.Power</c>, <c>.Min</c>, <c>.Max</c>, <c>.Apply(f)</c>, <c>.Get()</c>. Every index
    /// form of <see cref="this[TensorIndex[]]"/> works; x itself is not changed.
    /// </summary>
    public IndexUpdateHelper At => new(this);
}

/// <summary>The <c>x.at</c> of JAX: index it to get an <see cref="IndexUpdateRef"/>.</summary>
public readonly struct IndexUpdateHelper
{
    private readonly Tensor _array;

    internal IndexUpdateHelper(Tensor array) => _array = array;

    /// <summary>The elements <c>x[index]</c>, to read or update functionally.</summary>
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public IndexUpdateRef this[params TensorIndex[] index] => new(_array, index);
}

/// <summary>
/// JAX's <c>x.at[index]</c>: each method returns a new array, x with the indexed elements updated. As in JAX, every
/// update of a repeated index applies (<c>Add</c> sums them, <c>Min</c> keeps the least; which of several <c>Set</c>
/// values wins is unspecified), updates at out-of-bounds array indices are dropped, the values are cast to x's dtype
/// and broadcast to the shape of <c>x[index]</c>. Runs eagerly, under <c>Jit</c> and every transformation.
/// </summary>
public sealed class IndexUpdateRef
{
    private readonly Tensor _array;
    private readonly TensorIndex[] _index;

    internal IndexUpdateRef(Tensor array, TensorIndex[] index)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(index);
        (_array, _index) = (array, index);
    }

    /// <summary><c>x[index]</c> (out-of-bounds array indices clamped, as indexing does).</summary>
    public Tensor Get() => Indexing.Get(_array, _index, GatherMode.Clip);

    /// <summary><c>x[index] = values</c>.</summary>
    public Tensor Set(Tensor values) => Update("set", values, Prims.Scatter);

    /// <summary><c>x[index] = value</c> (a weakly typed scalar).</summary>
    public Tensor Set(double value) => Set(Scalars.Weak(value));

    /// <summary><c>x[index] += values</c> (repeated indices add every value).</summary>
    public Tensor Add(Tensor values) => Update("add", values, Prims.ScatterAdd);

    /// <summary><c>x[index] += value</c>.</summary>
    public Tensor Add(double value) => Add(Scalars.Weak(value));

    /// <summary><c>x[index] -= values</c>.</summary>
    public Tensor Subtract(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Add(Jnp.Negative(values));
    }

    /// <summary><c>x[index] *= values</c> (repeated indices multiply every value).</summary>
    public Tensor Multiply(Tensor values) => Update("multiply", values, combine: Lax.Mul);

    /// <summary><c>x[index] *= value</c>.</summary>
    public Tensor Multiply(double value) => Multiply(Scalars.Weak(value));

    /// <summary><c>x[index] /= values</c>: as JAX computes it, x divided by the product of the values scattered into ones.</summary>
    public Tensor Divide(Tensor values) => Jnp.Divide(_array, new IndexUpdateRef(Jnp.OnesLike(_array), _index).Multiply(values));

    /// <summary><c>x[index] /= value</c>.</summary>
    public Tensor Divide(double value) => Divide(Scalars.Weak(value));

    /// <summary><c>x[index] **= values</c>: as JAX computes it, x to the power of the product of the values scattered into ones.</summary>
    public Tensor Power(Tensor values) => Jnp.Power(_array, new IndexUpdateRef(Jnp.OnesLike(_array), _index).Multiply(values));

    /// <summary><c>x[index] **= value</c>.</summary>
    public Tensor Power(double value) => Power(Scalars.Weak(value));

    /// <summary><c>x[index] = minimum(x[index], values)</c> (repeated indices keep the least of all).</summary>
    public Tensor Min(Tensor values) => Update("min", values, combine: Lax.Min);

    /// <summary><c>x[index] = minimum(x[index], value)</c>.</summary>
    public Tensor Min(double value) => Min(Scalars.Weak(value));

    /// <summary><c>x[index] = maximum(x[index], values)</c> (repeated indices keep the greatest of all).</summary>
    public Tensor Max(Tensor values) => Update("max", values, combine: Lax.Max);

    /// <summary><c>x[index] = maximum(x[index], value)</c>.</summary>
    public Tensor Max(double value) => Max(Scalars.Weak(value));

    /// <summary><c>x[index] = f(x[index])</c>, <paramref name="f"/> an elementwise function.</summary>
    public Tensor Apply(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Set(f(Get()));
    }

    /// <summary>
    /// The update on the flat array: the flat positions of <c>x[index]</c> (the same indexing applied to x's positions;
    /// out-of-bounds array indices give a position out of range, which the scatter drops), then one scatter primitive
    /// (set, add) or the element-by-element <see cref="Lax.ApplyAt"/> of <paramref name="combine"/>.
    /// </summary>
    private Tensor Update(string what, Tensor values, Primitive? primitive = null, Func<Tensor, Tensor, Tensor>? combine = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var x = _array;
        if (!x.Shape.IsStatic)
            throw new JaxTypeException($"at[].{what}", $"at[].{what} needs an array of static shape, got {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        long size = x.Size;
        if (size >= int.MaxValue)
            throw new JaxTypeException($"at[].{what}", $"at[].{what}: {x.Aval.ToLongString()} is too large for int32 positions{Dispatch.At(SourceLocation.FindCaller())}");
        var positions = Indexing.Get(Lax.Reshape(Lax.Iota(DType.Int32, Shape.Of(size), 0), x.Shape), _index, GatherMode.Fill);
        var target = positions.Shape;
        if (Jnp.TryBroadcastShapes([values.Shape, target]) != target)
            throw new JaxTypeException($"at[].{what}",
                $"at[].{what}: values of shape {values.Shape.ToTupleString()} cannot be broadcast to x[index]'s shape {target.ToTupleString()} (x is {x.Aval.ToLongString()}){Dispatch.At(SourceLocation.FindCaller())}");
        long count = positions.Size;
        if (count == 0) return x;
        var updates = Lax.Reshape(Jnp.BroadcastToShape(Jnp.Cast(values, x.DType, x.WeakType), target), Shape.Of(count));
        var flat = Lax.Reshape(x, Shape.Of(size));
        var result = primitive is not null
            ? Lax.Scatter(primitive, flat, Lax.Reshape(positions, Shape.Of(count, 1)), updates, [], [0], [0], 1)
            : Lax.ApplyAt(flat, positions, updates, combine!);
        return Lax.Reshape(result, x.Shape);
    }
}
