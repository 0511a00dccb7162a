using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// Writes the kernels of a cumulative operation (<c>cumsum</c>, <c>cumprod</c>, <c>cummax</c>, <c>cummin</c>, along any
/// <c>axis</c>, <c>reverse</c> either way). The operand is viewed as [outer, n, inner] around the axis: a <i>line</i> is
/// one (outer, inner) pair, its n elements <c>inner</c> apart; scan position t of a line is element t along the axis
/// (n - 1 - t when reversed). One of two geometries, chosen from the static sizes (a symbolic count counts as large):
/// <list type="bullet">
/// <item><b>line</b>: one thread per line (grid-strided), the running value from the identity combined with each
/// element in scan order and stored after each: exactly the interpreter's order, so every result, float sums and
/// products included, is bit-exact. For many lines (at least <see cref="FewLines"/> or a symbolic count) or short
/// ones (below <see cref="LongLine"/>), unless they are <see cref="VeryLongLine"/> long; neighbouring threads read
/// neighbouring elements when the axis is not the last.</item>
/// <item><b>three kernels</b> (reduce, then scan) for fewer lines of at least <see cref="LongLine"/> elements (or a
/// symbolic n), and for lines of at least <see cref="VeryLongLine"/>: each line's scan positions are split into C chunks of L = ceil(n / C) (C = ceil(n / <see cref="ChunkLength"/>)
/// clamped to [2, <see cref="MaxChunks"/>], or <see cref="MaxChunks"/> for a symbolic n); the first kernel combines each
/// (line, chunk) into its total in a scratch buffer (one thread each), the second turns each line's totals into
/// exclusive prefixes in place (one thread per line, in order), the third rescans each chunk from its prefix and stores
/// the results. Integers and max/min are exact (their combines are associative); float sums and products are another
/// order of the same elements: element j of a line differs from the interpreter's by at most about 2·(j+1)·ε·Σ|x| (sums).</item>
/// </list>
/// The running value is the computation type (float16/bfloat16 in float32, rounded once per stored result, as the
/// interpreter does; 8/16-bit integers in 32 bits, wrapped when stored), so the scratch holds computation values
/// (float32, int32, uint32 for the narrow dtypes). Identities keep every element exact: -0 for float sums (-0 + x = x,
/// also for x = -0), 1 for products, -inf/+inf or the integer limits for max/min; floats max/min are IEEE 754-2019
/// maximum/minimum (NaN propagates, -0 &lt; +0), integers wrap. Push constants: the line count, n, inner (values of
/// <see cref="SymbolicSize"/>); indices are uint32 (operands below 2^32 elements). No device feature beyond the dtype's.
/// </summary>
internal sealed class ScanKernelWriter : SpirvKernelWriter
{
    /// <summary>Threads per workgroup.</summary>
    public const int LocalSize = 256;

    /// <summary>Lines of at least this many elements, when there are fewer than <see cref="FewLines"/>, take the three-kernel path.</summary>
    public const long LongLine = 4096;

    /// <summary>
    /// Lines of at least this many elements take the three-kernel path however many there are: no thread loops over a
    /// whole line that long (more parallelism; and lavapipe ends a loop nest after 65535 iterations in all).
    /// </summary>
    public const long VeryLongLine = 1 << 16;

    /// <summary>From this many lines (or a symbolic count) every line is one thread, unless it is <see cref="VeryLongLine"/> long.</summary>
    public const long FewLines = 4096;

    /// <summary>The chunk length the three-kernel path aims at.</summary>
    public const long ChunkLength = 256;

    /// <summary>The most chunks per line (the count for a symbolic n).</summary>
    public const int MaxChunks = 4096;

    private enum Mode
    {
        /// <summary>One thread per line, the whole scan.</summary>
        Line,

        /// <summary>Three kernels, first: each chunk's total to scratch.</summary>
        Totals,

        /// <summary>Three kernels, second: each line's totals to exclusive prefixes.</summary>
        Prefixes,

        /// <summary>Three kernels, third: each chunk rescanned from its prefix.</summary>
        Rescan,
    }

    private readonly ReduceKind _kind;
    private readonly DType _dtype;
    private readonly bool _reverse;
    private readonly Mode _mode;
    private readonly int _chunks;

    private ScanKernelWriter(ReduceKind kind, DType dtype, bool reverse, Mode mode, int chunks)
    {
        (_kind, _dtype, _reverse, _mode, _chunks) = (kind, dtype, reverse, mode, chunks);
    }

    /// <summary>The step computing the cumulative operation <paramref name="op"/>; <see cref="NotSupportedException"/> naming what is not lowered.</summary>
    public static SpirvStep Write(string name, Operation op)
    {
        if (op.Primitive is not CumulativePrimitive primitive)
            throw new NotSupportedException($"no SPIR-V scan lowering for '{op.Primitive.Name}'");
        var type = op.Operands[0].Type;
        CheckDType(type.DType);
        var shape = type.Shape;
        int axis = (int)op.Attributes.Int("axis");
        bool reverse = op.Attributes.Bool("reverse");
        var outer = shape.Take(axis).Aggregate(SymbolicSize.Of(1), (s, d) => s * SymbolicSize.Of(d));
        var inner = shape.Skip(axis + 1).Aggregate(SymbolicSize.Of(1), (s, d) => s * SymbolicSize.Of(d));
        var n = SymbolicSize.Of(shape[axis]);
        var lines = outer * inner;
        var total = SymbolicSize.ElementCount(shape);
        if (total.IsStatic && total.Value >= uint.MaxValue - MaxChunks * (long)LocalSize)
            throw new NotSupportedException($"no SPIR-V lowering for {op.Primitive.Name} over {total.Value} elements (32-bit indices)");
        PushValues push = new(lines, n, inner);
        var entry = Sanitize(name);
        bool fewLines = lines.IsStatic && lines.Value < FewLines;
        bool longLine = !n.IsStatic || n.Value >= LongLine;
        bool veryLongLine = n.IsStatic && n.Value >= VeryLongLine;
        if (!(fewLines && longLine) && !veryLongLine)
            return new SpirvStep([new ScanKernelWriter(primitive.Kind, type.DType, reverse, Mode.Line, 1).Emit(entry, push, lines)], []);
        int chunks = n.IsStatic ? (int)Math.Clamp((n.Value + ChunkLength - 1) / ChunkLength, 2, MaxChunks) : MaxChunks;
        var items = lines * SymbolicSize.Of(chunks);
        var scratch = items * SymbolicSize.Of(ComputeDType(type.DType).ItemSize());
        return new SpirvStep(
        [
            new ScanKernelWriter(primitive.Kind, type.DType, reverse, Mode.Totals, chunks).Emit(entry + "_totals", push, items),
            new ScanKernelWriter(primitive.Kind, type.DType, reverse, Mode.Prefixes, chunks).Emit(entry + "_prefixes", push, lines),
            new ScanKernelWriter(primitive.Kind, type.DType, reverse, Mode.Rescan, chunks).Emit(entry + "_rescan", push, items),
        ], [scratch]);
    }

    /// <summary>The push-constant values: lines (outer x inner), the axis length, inner.</summary>
    private sealed record PushValues(SymbolicSize Lines, SymbolicSize N, SymbolicSize Inner);

    private VulkanKernel Emit(string entryPoint, PushValues push, SymbolicSize threads)
    {
        var m = M;
        int input = -1, output = -1, scratch = -1;
        if (_mode != Mode.Prefixes) input = Bind(VulkanBinding.Input, 0, _dtype, "in0");
        if (_mode is Mode.Line or Mode.Rescan) output = Bind(VulkanBinding.Output, 0, _dtype, "out0");
        if (_mode != Mode.Line) scratch = Bind(VulkanBinding.Scratch, 0, ComputeDType(_dtype), "totals");
        DeclarePushConstants([("lines", push.Lines), ("n", push.N), ("inner", push.Inner)]);
        var globalId = BuiltInVector(SpirvBuiltIn.GlobalInvocationId, "gl_GlobalInvocationID");
        var groups = BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");
        var acc = Compute(_dtype);

        BeginMain(LocalSize);
        var itemVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, UInt), (uint)SpirvStorageClass.Function);
        var positionVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, UInt), (uint)SpirvStorageClass.Function);
        var accVar = m.Emit(SpirvOp.Variable, m.TypePointer(SpirvStorageClass.Function, acc), (uint)SpirvStorageClass.Function);
        var lines = PushConstant(0);
        var n = PushConstant(1);
        var inner = PushConstant(2);
        var chunks = U((uint)_chunks);
        var chunkLength = m.Emit(SpirvOp.UDiv, UInt, m.Emit(SpirvOp.IAdd, UInt, n, U((uint)_chunks - 1)), chunks);
        var items = _mode is Mode.Totals or Mode.Rescan ? m.Emit(SpirvOp.IMul, UInt, lines, chunks) : lines;
        var stride = m.Emit(SpirvOp.IMul, UInt, Component(groups, 0), U(LocalSize));
        var identity = Identity();

        m.Emit(SpirvOp.Store, null, itemVar, Component(globalId, 0));
        Loop(itemVar, w => m.Emit(SpirvOp.ULessThan, Bool, w, items), w =>
        {
            if (_mode == Mode.Prefixes)
            {
                // Exclusive prefixes of the line's chunk totals, in scan order, in place.
                var first = m.Emit(SpirvOp.IMul, UInt, w, chunks);
                m.Emit(SpirvOp.Store, null, accVar, identity);
                m.Emit(SpirvOp.Store, null, positionVar, Zero);
                Loop(positionVar, c => m.Emit(SpirvOp.ULessThan, Bool, c, chunks), c =>
                {
                    var at = m.Emit(SpirvOp.IAdd, UInt, first, c);
                    var chunkTotal = Load(scratch, at);
                    var running = m.Emit(SpirvOp.Load, acc, accVar);
                    Store(scratch, at, running);
                    m.Emit(SpirvOp.Store, null, accVar, Combine(running, chunkTotal));
                }, c => m.Emit(SpirvOp.IAdd, UInt, c, U(1)));
                return;
            }
            // The line and the scan positions [begin, end) this item covers.
            SpirvId line = w, begin = Zero, end = n;
            if (_mode != Mode.Line)
            {
                line = m.Emit(SpirvOp.UDiv, UInt, w, chunks);
                begin = m.Emit(SpirvOp.IMul, UInt, m.Emit(SpirvOp.UMod, UInt, w, chunks), chunkLength);
                end = m.Glsl(GlslStd450.UMin, UInt, m.Emit(SpirvOp.IAdd, UInt, begin, chunkLength), n);
            }
            var o = m.Emit(SpirvOp.UDiv, UInt, line, inner);
            var i = m.Emit(SpirvOp.UMod, UInt, line, inner);
            var lineStart = m.Emit(SpirvOp.IAdd, UInt, m.Emit(SpirvOp.IMul, UInt, m.Emit(SpirvOp.IMul, UInt, o, n), inner), i);
            m.Emit(SpirvOp.Store, null, accVar, _mode == Mode.Rescan ? Load(scratch, w) : identity);
            m.Emit(SpirvOp.Store, null, positionVar, begin);
            Loop(positionVar, t => m.Emit(SpirvOp.ULessThan, Bool, t, end), t =>
            {
                var k = _reverse ? m.Emit(SpirvOp.ISub, UInt, m.Emit(SpirvOp.ISub, UInt, n, U(1)), t) : t;
                var at = m.Emit(SpirvOp.IAdd, UInt, lineStart, m.Emit(SpirvOp.IMul, UInt, k, inner));
                var running = Combine(m.Emit(SpirvOp.Load, acc, accVar), Load(input, at));
                m.Emit(SpirvOp.Store, null, accVar, running);
                if (output >= 0) Store(output, at, running);
            }, t => m.Emit(SpirvOp.IAdd, UInt, t, U(1)));
            if (_mode == Mode.Totals) Store(scratch, w, m.Emit(SpirvOp.Load, acc, accVar));
        }, w => m.Emit(SpirvOp.IAdd, UInt, w, stride));
        return Finish(entryPoint, threads);
    }

    /// <summary>The identity of the combine, exact for every element: -0 for float sums, 1, -inf/+inf, the integer limits.</summary>
    private SpirvId Identity()
    {
        var d = _dtype;
        var type = Compute(d);
        var m = M;
        bool isFloat = d.IsFloat(), wide = d.ItemSize() == 8;
        bool unsigned = d.IsUnsignedInteger();
        ulong Bits(double value) => wide ? BitConverter.DoubleToUInt64Bits(value) : BitConverter.SingleToUInt32Bits((float)value);
        SpirvId Of(ulong bits) => wide ? m.Constant64(type, bits) : m.Constant(type, (uint)bits);
        if (isFloat)
        {
            return Of(_kind switch
            {
                ReduceKind.Sum => Bits(-0.0),
                ReduceKind.Prod => Bits(1.0),
                ReduceKind.Max => Bits(double.NegativeInfinity),
                ReduceKind.Min => Bits(double.PositiveInfinity),
                _ => throw Unsupported(),
            });
        }
        // Narrow integers are computed sign- or zero-extended in 32 bits: their limits as such.
        int bits = d.ItemSize() * 8;
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << 32) - 1;
        ulong max = unsigned ? (bits == 64 ? ulong.MaxValue : (1UL << bits) - 1) : (1UL << (bits - 1)) - 1;
        ulong min = unsigned ? 0 : ~max & mask;
        return Of(_kind switch
        {
            ReduceKind.Sum => 0,
            ReduceKind.Prod => 1,
            ReduceKind.Max => min,
            ReduceKind.Min => max,
            _ => throw Unsupported(),
        });
    }

    private NotSupportedException Unsupported() =>
        new($"no SPIR-V lowering for a cumulative {_kind.ToString().ToLowerInvariant()} on {_dtype.ToString().ToLowerInvariant()}");

    /// <summary><paramref name="a"/> ⊕ <paramref name="b"/> in the computation type: float arithmetic, wrapping integers, IEEE 754-2019 maximum/minimum.</summary>
    private SpirvId Combine(SpirvId a, SpirvId b)
    {
        var type = Compute(_dtype);
        bool isFloat = _dtype.IsFloat();
        return _kind switch
        {
            ReduceKind.Sum => M.Emit(isFloat ? SpirvOp.FAdd : SpirvOp.IAdd, type, a, b),
            ReduceKind.Prod => M.Emit(isFloat ? SpirvOp.FMul : SpirvOp.IMul, type, a, b),
            ReduceKind.Max or ReduceKind.Min => new SpirvElementwise(M, Compute).Extremum(ComputeDType(_dtype), a, b, _kind == ReduceKind.Max),
            _ => throw Unsupported(),
        };
    }
}
