namespace JaxToolchain.Ir;

/// <summary>
/// Emits primitives on IR values with <c>jax.lax</c>-like typed helpers: what transformation rules and passes
/// write derived programs with (<c>e.Mul(g, e.Exp(x))</c>). Every helper binds one primitive through the
/// underlying <see cref="IrBuilder"/>, so types are inferred and checked as they are emitted.
/// </summary>
public sealed class Emitter
{
    /// <summary>The builder operations are appended to.</summary>
    public IrBuilder Builder { get; }

    /// <summary>Creates an emitter appending to a builder.</summary>
    public Emitter(IrBuilder builder) => Builder = builder;

    /// <summary>Creates an emitter appending to a block.</summary>
    public Emitter(Block block) : this(new IrBuilder(block)) { }

    /// <summary>Emits any primitive.</summary>
    public IReadOnlyList<Value> Emit(Primitive primitive, IReadOnlyList<Value> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null) =>
        Builder.Emit(primitive, operands, attributes, regions);

    /// <summary>Emits a primitive with one result.</summary>
    public Value Emit1(Primitive primitive, IReadOnlyList<Value> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null) =>
        Builder.Emit1(primitive, operands, attributes, regions);

    // ---- constants ----

    /// <summary>A constant of a type whose every element is <paramref name="value"/> (a scalar constant broadcast when not scalar).</summary>
    public Value Full(ShapedType type, double value)
    {
        var scalar = Emit1(Prims.Constant, [], Attributes.Of(("value", Buffer.ScalarOf(type.DType, value))));
        if (type.Weak) scalar = ConvertElementType(scalar, type.DType, weak: true);
        return type.Rank == 0 ? scalar : BroadcastInDim(scalar, type.Shape, []);
    }

    /// <summary>Zeros of a type (the instantiated symbolic zero).</summary>
    public Value Zeros(ShapedType type) => Full(type, 0);

    /// <summary>Ones of a type.</summary>
    public Value Ones(ShapedType type) => Full(type, 1);

    /// <summary>A scalar constant of <paramref name="like"/>'s dtype broadcast to its shape.</summary>
    public Value FullLike(Value like, double value) => Full(like.Type, value);

    /// <summary>A dense constant.</summary>
    public Value Constant(Buffer value) => Emit1(Prims.Constant, [], Attributes.Of(("value", value)));

    // ---- elementwise ----

    private Value Un(Primitive p, Value x) => Emit1(p, [x]);

    private Value Bin(Primitive p, Value x, Value y) => Emit1(p, [x, y]);

    /// <summary>-x.</summary>
    public Value Neg(Value x) => Un(Prims.Neg, x);
    /// <summary>|x|.</summary>
    public Value Abs(Value x) => Un(Prims.Abs, x);
    /// <summary>sign(x).</summary>
    public Value Sign(Value x) => Un(Prims.Sign, x);
    /// <summary>e^x.</summary>
    public Value Exp(Value x) => Un(Prims.Exp, x);
    /// <summary>log x.</summary>
    public Value Log(Value x) => Un(Prims.Log, x);
    /// <summary>log(1 + x).</summary>
    public Value Log1p(Value x) => Un(Prims.Log1p, x);
    /// <summary>e^x - 1.</summary>
    public Value Expm1(Value x) => Un(Prims.Expm1, x);
    /// <summary>sqrt x.</summary>
    public Value Sqrt(Value x) => Un(Prims.Sqrt, x);
    /// <summary>1/sqrt x.</summary>
    public Value Rsqrt(Value x) => Un(Prims.Rsqrt, x);
    /// <summary>cbrt x.</summary>
    public Value Cbrt(Value x) => Un(Prims.Cbrt, x);
    /// <summary>sin x.</summary>
    public Value Sin(Value x) => Un(Prims.Sin, x);
    /// <summary>cos x.</summary>
    public Value Cos(Value x) => Un(Prims.Cos, x);
    /// <summary>tan x.</summary>
    public Value Tan(Value x) => Un(Prims.Tan, x);
    /// <summary>tanh x.</summary>
    public Value Tanh(Value x) => Un(Prims.Tanh, x);
    /// <summary>logistic x.</summary>
    public Value Logistic(Value x) => Un(Prims.Logistic, x);
    /// <summary>erf x.</summary>
    public Value Erf(Value x) => Un(Prims.Erf, x);
    /// <summary>erfc x.</summary>
    public Value Erfc(Value x) => Un(Prims.Erfc, x);
    /// <summary>erfinv x.</summary>
    public Value Erfinv(Value x) => Un(Prims.Erfinv, x);
    /// <summary>lgamma x.</summary>
    public Value Lgamma(Value x) => Un(Prims.Lgamma, x);
    /// <summary>digamma x.</summary>
    public Value Digamma(Value x) => Un(Prims.Digamma, x);
    /// <summary>floor x.</summary>
    public Value Floor(Value x) => Un(Prims.Floor, x);
    /// <summary>is_finite x.</summary>
    public Value IsFinite(Value x) => Un(Prims.IsFinite, x);
    /// <summary>not x.</summary>
    public Value Not(Value x) => Un(Prims.Not, x);

    /// <summary>x + y.</summary>
    public Value Add(Value x, Value y) => Bin(Prims.Add, x, y);
    /// <summary>x - y.</summary>
    public Value Sub(Value x, Value y) => Bin(Prims.Sub, x, y);
    /// <summary>x * y.</summary>
    public Value Mul(Value x, Value y) => Bin(Prims.Mul, x, y);
    /// <summary>x / y.</summary>
    public Value Div(Value x, Value y) => Bin(Prims.Div, x, y);
    /// <summary>x rem y.</summary>
    public Value Rem(Value x, Value y) => Bin(Prims.Rem, x, y);
    /// <summary>x ^ y.</summary>
    public Value Pow(Value x, Value y) => Bin(Prims.Pow, x, y);
    /// <summary>max(x, y).</summary>
    public Value Max(Value x, Value y) => Bin(Prims.Max, x, y);
    /// <summary>min(x, y).</summary>
    public Value Min(Value x, Value y) => Bin(Prims.Min, x, y);
    /// <summary>atan2(x, y).</summary>
    public Value Atan2(Value x, Value y) => Bin(Prims.Atan2, x, y);
    /// <summary>x and y.</summary>
    public Value And(Value x, Value y) => Bin(Prims.And, x, y);
    /// <summary>x or y.</summary>
    public Value Or(Value x, Value y) => Bin(Prims.Or, x, y);
    /// <summary>x xor y.</summary>
    public Value Xor(Value x, Value y) => Bin(Prims.Xor, x, y);
    /// <summary>x == y.</summary>
    public Value Eq(Value x, Value y) => Bin(Prims.Eq, x, y);
    /// <summary>x != y.</summary>
    public Value Ne(Value x, Value y) => Bin(Prims.Ne, x, y);
    /// <summary>x &lt; y.</summary>
    public Value Lt(Value x, Value y) => Bin(Prims.Lt, x, y);
    /// <summary>x &lt;= y.</summary>
    public Value Le(Value x, Value y) => Bin(Prims.Le, x, y);
    /// <summary>x &gt; y.</summary>
    public Value Gt(Value x, Value y) => Bin(Prims.Gt, x, y);
    /// <summary>x &gt;= y.</summary>
    public Value Ge(Value x, Value y) => Bin(Prims.Ge, x, y);

    /// <summary>where(pred, onTrue, onFalse).</summary>
    public Value Select(Value pred, Value onTrue, Value onFalse) => Emit1(Prims.Select, [pred, onTrue, onFalse]);

    /// <summary>clamp(min, x, max).</summary>
    public Value Clamp(Value min, Value x, Value max) => Emit1(Prims.Clamp, [min, x, max]);

    /// <summary>x converted to a dtype (the value itself when nothing changes).</summary>
    public Value ConvertElementType(Value x, DType dtype, bool weak = false) =>
        x.Type.DType == dtype && x.Type.Weak == weak ? x
        : Emit1(Prims.ConvertElementType, [x], Attributes.Of(("new_dtype", dtype), ("weak_type", weak)));

    // ---- structural ----

    /// <summary>broadcast_in_dim.</summary>
    public Value BroadcastInDim(Value x, Shape shape, int[] broadcastDimensions) =>
        x.Type.Shape == shape && broadcastDimensions.Length == shape.Rank && broadcastDimensions.Select((d, i) => d == i).All(b => b) ? x
        : Emit1(Prims.BroadcastInDim, [x], Attributes.Of(("shape", shape), ("broadcast_dimensions", broadcastDimensions)));

    /// <summary>reshape (the value itself when the shape is unchanged).</summary>
    public Value Reshape(Value x, Shape shape) => x.Type.Shape == shape ? x : Emit1(Prims.Reshape, [x], Attributes.Of(("shape", shape)));

    /// <summary>transpose (the value itself for the identity permutation).</summary>
    public Value Transpose(Value x, int[] permutation) =>
        permutation.Select((p, i) => p == i).All(b => b) ? x : Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", permutation)));

    /// <summary>squeeze.</summary>
    public Value Squeeze(Value x, int[] dimensions) => dimensions.Length == 0 ? x : Emit1(Prims.Squeeze, [x], Attributes.Of(("dimensions", dimensions)));

    /// <summary>expand_dims.</summary>
    public Value ExpandDims(Value x, int[] dimensions) => dimensions.Length == 0 ? x : Emit1(Prims.ExpandDims, [x], Attributes.Of(("dimensions", dimensions)));

    /// <summary>rev.</summary>
    public Value Rev(Value x, int[] dimensions) => dimensions.Length == 0 ? x : Emit1(Prims.Rev, [x], Attributes.Of(("dimensions", dimensions)));

    /// <summary>pad.</summary>
    public Value Pad(Value x, Value paddingValue, long[] low, long[] high, long[] interior) =>
        Emit1(Prims.Pad, [x, paddingValue], Attributes.Of(("low", low), ("high", high), ("interior", interior)));

    /// <summary>concatenate.</summary>
    public Value Concatenate(IReadOnlyList<Value> xs, int dimension) =>
        xs.Count == 1 ? xs[0] : Emit1(Prims.Concatenate, xs, Attributes.Of(("dimension", dimension)));

    /// <summary>slice.</summary>
    public Value Slice(Value x, long[] start, long[] limit, long[] strides) =>
        Emit1(Prims.Slice, [x], Attributes.Of(("start_indices", start), ("limit_indices", limit), ("strides", strides)));

    /// <summary>iota.</summary>
    public Value Iota(DType dtype, Shape shape, int dimension) =>
        Emit1(Prims.Iota, [], Attributes.Of(("dtype", dtype), ("shape", shape), ("dimension", dimension)));

    // ---- reductions and contractions ----

    /// <summary>reduce_sum over axes (the value itself when there are none).</summary>
    public Value ReduceSum(Value x, int[] axes) => axes.Length == 0 ? x : Emit1(Prims.ReduceSum, [x], Attributes.Of(("axes", axes)));

    /// <summary>reduce_max over axes.</summary>
    public Value ReduceMax(Value x, int[] axes) => axes.Length == 0 ? x : Emit1(Prims.ReduceMax, [x], Attributes.Of(("axes", axes)));

    /// <summary>dot_general.</summary>
    public Value DotGeneral(Value lhs, Value rhs, long[] lhsContracting, long[] rhsContracting, long[] lhsBatch, long[] rhsBatch) =>
        Emit1(Prims.DotGeneral, [lhs, rhs], Attributes.Of(
            ("lhs_contracting_dims", lhsContracting), ("rhs_contracting_dims", rhsContracting),
            ("lhs_batch_dims", lhsBatch), ("rhs_batch_dims", rhsBatch)));

    /// <summary>
    /// Sums <paramref name="x"/> down to <paramref name="shape"/> (the transpose of NumPy-style broadcasting
    /// by <c>broadcast_in_dim</c> with <paramref name="broadcastDimensions"/>): reduces the added dimensions and
    /// the ones that were broadcast from size 1.
    /// </summary>
    public Value UnbroadcastTo(Value x, Shape shape, int[] broadcastDimensions)
    {
        var kept = new HashSet<int>(broadcastDimensions);
        var added = Enumerable.Range(0, x.Type.Rank).Where(d => !kept.Contains(d)).ToList();
        var stretched = broadcastDimensions.Select((d, i) => (d, i))
            .Where(p => shape[p.i].IsStatic && shape[p.i].Size == 1 && !(x.Type.Shape[p.d].IsStatic && x.Type.Shape[p.d].Size == 1))
            .Select(p => p.d).ToList();
        var summed = ReduceSum(x, added.Concat(stretched).Order().ToArray());
        return Reshape(summed, shape);
    }
}
