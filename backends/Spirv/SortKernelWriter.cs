using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// Writes the kernel of a <c>sort</c> (any number of operands of any dtypes, the first <c>num_keys</c> compared
/// lexicographically, along any <c>dimension</c>): the operands are viewed as [outer, n, inner] around the dimension, a
/// line being one (outer, inner) pair. One workgroup of <see cref="LocalSize"/> threads per line (grid-strided over
/// lines) sorts the positions 0 .. n - 1 of its line in workgroup memory by a bitonic network over P = the next power of
/// two (positions from n on are sentinels above every element), <c>OpControlBarrier</c> between the network's stages,
/// then copies every operand's elements (their stored bits) in the sorted order. The network compares (keys, position)
/// pairs, a total order, so the result is the stable sort the interpreter computes whatever the network does. The key
/// order is the interpreter's (JAX's): floats by value with -0 equal to +0 and every NaN last and equal to the others
/// (float16/bfloat16 compared as float32), integers by signedness, false before true. Lines of at most
/// <see cref="MaxLength"/> elements (workgroup memory of P uint32 positions: 16 KiB, Vulkan's guaranteed minimum); a
/// longer or symbolic dimension is refused (a multi-pass global merge sort is a later step). Push constants: the line
/// count and inner (<see cref="SymbolicSize"/> values). No device feature beyond the dtypes'.
/// </summary>
internal sealed class SortKernelWriter : SpirvKernelWriter
{
    /// <summary>Threads per workgroup.</summary>
    public const int LocalSize = 256;

    /// <summary>The longest sorted dimension (its positions fill 16 KiB of workgroup memory).</summary>
    public const int MaxLength = 4096;

    private readonly int _operands;
    private readonly int _keys;
    private readonly DType[] _dtypes;
    private readonly uint _n;
    private readonly uint _p;

    private SortKernelWriter(DType[] dtypes, int keys, uint n)
    {
        _dtypes = dtypes;
        _operands = dtypes.Length;
        _keys = keys;
        _n = n;
        _p = 1;
        while (_p < n) _p *= 2;
    }

    /// <summary>The step computing <paramref name="op"/>, a <c>sort</c>; <see cref="NotSupportedException"/> naming what is not lowered.</summary>
    public static SpirvStep Write(string name, Operation op)
    {
        var shape = op.Operands[0].Type.Shape;
        foreach (var operand in op.Operands) CheckDType(operand.Type.DType);
        int dimension = (int)op.Attributes.Int("dimension");
        int keys = (int)op.Attributes.Int("num_keys");
        var axis = shape[dimension];
        if (!axis.IsStatic)
            throw new NotSupportedException($"no SPIR-V lowering for sort along a symbolic dimension ({axis.Symbol}): lines of at most {MaxLength} elements sort in workgroup memory");
        if (axis.Size > MaxLength)
            throw new NotSupportedException($"no SPIR-V lowering for sort along a dimension of {axis.Size} elements yet (at most {MaxLength} sort in workgroup memory)");
        var total = SymbolicSize.ElementCount(shape);
        if (total.IsStatic && total.Value >= uint.MaxValue - MaxLength)
            throw new NotSupportedException($"no SPIR-V lowering for sort over {total.Value} elements (32-bit indices)");
        var outer = shape.Take(dimension).Aggregate(SymbolicSize.Of(1), (s, d) => s * SymbolicSize.Of(d));
        var inner = shape.Skip(dimension + 1).Aggregate(SymbolicSize.Of(1), (s, d) => s * SymbolicSize.Of(d));
        var writer = new SortKernelWriter([.. op.Operands.Select(o => o.Type.DType)], keys, (uint)axis.Size);
        return new SpirvStep([writer.Emit(Sanitize(name), outer * inner, inner)], []);
    }

    private VulkanKernel Emit(string entryPoint, SymbolicSize lines, SymbolicSize inner)
    {
        var m = M;
        for (int k = 0; k < _operands; k++) Bind(VulkanBinding.Input, k, _dtypes[k], $"in{k}");
        for (int k = 0; k < _operands; k++) Bind(VulkanBinding.Output, k, _dtypes[k], $"out{k}");
        DeclarePushConstants([("lines", lines), ("inner", inner)]);
        var local = BuiltInVector(SpirvBuiltIn.LocalInvocationId, "gl_LocalInvocationID");
        var group = BuiltInVector(SpirvBuiltIn.WorkgroupId, "gl_WorkGroupID");
        var groups = BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");
        var order = m.GlobalVariable(m.TypePointer(SpirvStorageClass.Workgroup, m.TypeArray(UInt, U(_p))), SpirvStorageClass.Workgroup);
        m.Name(order, "order");

        BeginMain(LocalSize);
        var lineVar = NewVariable();
        var kVar = NewVariable();
        var jVar = NewVariable();
        var tVar = NewVariable();
        var lineCount = PushConstant(0);
        var innerSize = PushConstant(1);
        var lid = Component(local, 0);
        var stride = Component(groups, 0);
        SpirvId Slot(SpirvId index) => m.Emit(SpirvOp.AccessChain, m.TypePointer(SpirvStorageClass.Workgroup, UInt), order, index);

        // for (line = workgroup; line < lines; line += workgroups): uniform in the workgroup (barriers inside).
        m.Emit(SpirvOp.Store, null, lineVar, Component(group, 0));
        Loop(lineVar, line => m.Emit(SpirvOp.ULessThan, Bool, line, lineCount), line =>
        {
            var o = m.Emit(SpirvOp.UDiv, UInt, line, innerSize);
            var i = m.Emit(SpirvOp.UMod, UInt, line, innerSize);
            var lineStart = m.Emit(SpirvOp.IAdd, UInt, m.Emit(SpirvOp.IMul, UInt, m.Emit(SpirvOp.IMul, UInt, o, U(_n)), innerSize), i);
            SpirvId At(SpirvId position) => m.Emit(SpirvOp.IAdd, UInt, lineStart, m.Emit(SpirvOp.IMul, UInt, position, innerSize));

            ForThreads(tVar, lid, _p, t => m.Emit(SpirvOp.Store, null, Slot(t), t));
            // The bitonic network: blocks of size, sorted ascending or descending by their position's bit, merged by distance.
            for (uint size = 2; size <= _p; size *= 2)
                for (uint distance = size / 2; distance >= 1; distance /= 2)
                {
                    Barrier();
                    uint blockSize = size, span = distance;
                    ForThreads(tVar, lid, _p / 2, t =>
                    {
                        // Pair t: the lower element a has bit `span` clear; its partner is a + span.
                        var low = m.Emit(SpirvOp.BitwiseAnd, UInt, t, U(span - 1));
                        var a = m.Emit(SpirvOp.IAdd, UInt, m.Emit(SpirvOp.IMul, UInt, m.Emit(SpirvOp.ShiftRightLogical, UInt, t, U(Log2(span))), U(2 * span)), low);
                        var b = m.Emit(SpirvOp.IAdd, UInt, a, U(span));
                        var ascending = m.Emit(SpirvOp.IEqual, Bool, m.Emit(SpirvOp.BitwiseAnd, UInt, a, U(blockSize)), Zero);
                        var pa = m.Emit(SpirvOp.Load, UInt, Slot(a));
                        var pb = m.Emit(SpirvOp.Load, UInt, Slot(b));
                        // Positions differ, so (keys, position) pairs never tie: a before b is exactly not b before a.
                        var swap = m.Emit(SpirvOp.LogicalEqual, Bool, ascending, Less(pb, pa, At));
                        m.Emit(SpirvOp.Store, null, Slot(a), m.Emit(SpirvOp.Select, UInt, swap, pb, pa));
                        m.Emit(SpirvOp.Store, null, Slot(b), m.Emit(SpirvOp.Select, UInt, swap, pa, pb));
                    });
                }
            Barrier();
            // Every operand's stored bits, in the sorted order.
            ForThreads(tVar, lid, _n, t =>
            {
                var from = At(m.Emit(SpirvOp.Load, UInt, Slot(t)));
                var to = At(t);
                for (int k = 0; k < _operands; k++)
                {
                    var storage = Storage(_dtypes[k]);
                    m.Emit(SpirvOp.Store, null, Element(_operands + k, to), m.Emit(SpirvOp.Load, storage, Element(k, from)));
                }
            });
            // Nobody refills the order before every thread has copied.
            Barrier();
        }, line => m.Emit(SpirvOp.IAdd, UInt, line, stride));
        return Finish(entryPoint, lines * SymbolicSize.Of(LocalSize));
    }

    private static uint Log2(uint power) => (uint)System.Numerics.BitOperations.Log2(power);

    private SpirvId NewVariable() => M.Emit(SpirvOp.Variable, M.TypePointer(SpirvStorageClass.Function, UInt), (uint)SpirvStorageClass.Function);

    /// <summary>
    /// Whether line position <paramref name="a"/> sorts before <paramref name="b"/>: positions from n on are sentinels
    /// (after every element, among themselves by position); elements by their keys lexicographically, then by position.
    /// </summary>
    private SpirvId Less(SpirvId a, SpirvId b, Func<SpirvId, SpirvId> at)
    {
        var m = M;
        var n = U(_n);
        var last = U(Math.Max(_n, 1) - 1);
        var aSentinel = m.Emit(SpirvOp.UGreaterThanEqual, Bool, a, n);
        var bSentinel = m.Emit(SpirvOp.UGreaterThanEqual, Bool, b, n);
        var byPosition = m.Emit(SpirvOp.ULessThan, Bool, a, b);
        // Sentinels are never loaded: their positions are clamped (the comparison's result is not used).
        var ia = at(m.Glsl(GlslStd450.UMin, UInt, a, last));
        var ib = at(m.Glsl(GlslStd450.UMin, UInt, b, last));
        var less = byPosition;
        for (int k = _keys - 1; k >= 0; k--)
        {
            var (lt, eq) = Compare(_dtypes[k], Load(k, ia), Load(k, ib));
            less = m.Emit(SpirvOp.LogicalOr, Bool, lt, m.Emit(SpirvOp.LogicalAnd, Bool, eq, less));
        }
        // a sentinel: before b only if b is a later sentinel; b a sentinel (a not): a first; neither: by the keys.
        var elements = m.Emit(SpirvOp.Select, Bool, bSentinel, m.ConstantBool(true), less);
        return m.Emit(SpirvOp.Select, Bool, aSentinel, m.Emit(SpirvOp.LogicalAnd, Bool, bSentinel, byPosition), elements);
    }

    /// <summary>(x &lt; y, x == y) in the key order: floats with NaN last and all NaNs equal, -0 = +0; integers by signedness; false &lt; true.</summary>
    private (SpirvId Less, SpirvId Equal) Compare(DType dtype, SpirvId x, SpirvId y)
    {
        var m = M;
        if (dtype == DType.Bool)
            return (m.Emit(SpirvOp.LogicalAnd, Bool, m.Emit(SpirvOp.LogicalNot, Bool, x), y), m.Emit(SpirvOp.LogicalEqual, Bool, x, y));
        if (!dtype.IsFloat())
            return (m.Emit(dtype.IsUnsignedInteger() ? SpirvOp.ULessThan : SpirvOp.SLessThan, Bool, x, y), m.Emit(SpirvOp.IEqual, Bool, x, y));
        var xNaN = m.Emit(SpirvOp.IsNan, Bool, x);
        var yNaN = m.Emit(SpirvOp.IsNan, Bool, y);
        var less = m.Emit(SpirvOp.LogicalOr, Bool, m.Emit(SpirvOp.FOrdLessThan, Bool, x, y),
            m.Emit(SpirvOp.LogicalAnd, Bool, m.Emit(SpirvOp.LogicalNot, Bool, xNaN), yNaN));
        var equal = m.Emit(SpirvOp.LogicalOr, Bool, m.Emit(SpirvOp.FOrdEqual, Bool, x, y), m.Emit(SpirvOp.LogicalAnd, Bool, xNaN, yNaN));
        return (less, equal);
    }

    /// <summary>
    /// <c>for (t = lid; t &lt; count; t += LocalSize) body(t)</c>; an <c>if (lid &lt; count)</c> when one pass covers
    /// <paramref name="count"/> (fewer loop iterations: lavapipe ends a loop nest after 65535 iterations in all).
    /// </summary>
    private void ForThreads(SpirvId variable, SpirvId lid, uint count, Action<SpirvId> body)
    {
        var m = M;
        if (count <= LocalSize)
        {
            var (then, merge) = (m.NewId(), m.NewId());
            var inside = m.Emit(SpirvOp.ULessThan, Bool, lid, U(count));
            m.Emit(SpirvOp.SelectionMerge, null, merge.Value, (uint)SpirvSelectionControl.None);
            m.Emit(SpirvOp.BranchConditional, null, inside, then, merge);
            m.Label(then);
            body(lid);
            m.Emit(SpirvOp.Branch, null, merge);
            m.Label(merge);
            return;
        }
        m.Emit(SpirvOp.Store, null, variable, lid);
        Loop(variable, t => m.Emit(SpirvOp.ULessThan, Bool, t, U(count)), body, t => m.Emit(SpirvOp.IAdd, UInt, t, U(LocalSize)));
    }
}
