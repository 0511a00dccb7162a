namespace JaxToolchain.Ir;

/// <summary>
/// What kind of computation a primitive is (<see cref="Primitive.Category"/>): what the fusion pass groups into
/// kernels, what the buffer planner may run in place, and how a backend lowers it (one loop nest per element, a
/// reduction loop, a matmul micro-kernel, a library routine, host-side control flow).
/// </summary>
public enum PrimitiveCategory
{
    /// <summary>
    /// Each result element is a function of the operand elements at the same index (scalar operands, where the
    /// primitive accepts them, are read at every index): the unary and binary math, compares, <c>select</c>,
    /// <c>clamp</c>, conversions, <c>stop_gradient</c>. (<c>bitcast_convert_type</c> between widths adds or drops a
    /// trailing axis; the fusion pass checks shapes.)
    /// </summary>
    Elementwise,

    /// <summary><c>broadcast_in_dim</c>: reads the operand at an index derived from the result index by dropping axes.</summary>
    Broadcast,

    /// <summary>
    /// Changes the shape but not the row-major order of the elements (<c>reshape</c>, <c>squeeze</c>,
    /// <c>expand_dims</c>): a view of the operand's buffer.
    /// </summary>
    Reshape,

    /// <summary>
    /// Moves elements without arithmetic to positions given by attributes or start indices (<c>transpose</c>,
    /// <c>rev</c>, <c>slice</c>, <c>pad</c>, <c>concatenate</c>, <c>dynamic_slice</c>, <c>dynamic_update_slice</c>).
    /// </summary>
    Layout,

    /// <summary>Produces an array from its attributes alone (<c>constant</c>, <c>iota</c>).</summary>
    Generator,

    /// <summary>Combines elements along axes into fewer elements (<c>reduce_*</c>, <c>argmax</c>, <c>argmin</c>).</summary>
    Reduction,

    /// <summary>A tensor contraction (<c>dot_general</c>).</summary>
    Contraction,

    /// <summary>
    /// Runs regions (<c>cond</c>, <c>while</c>, <c>scan</c>, the custom-derivative calls, <c>checkpoint</c>).
    /// </summary>
    ControlFlow,

    /// <summary>
    /// Addressing that depends on data, or an algorithm with no single loop form (<c>gather</c>, <c>scatter</c>,
    /// <c>sort</c>, the cumulative ops); also any primitive that does not say otherwise.
    /// </summary>
    Opaque,

    /// <summary>A <c>fusion</c>: a kernel the fusion pass made, whose region says what it computes.</summary>
    Fusion,
}
